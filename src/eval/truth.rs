//! Ground truth of a rendered clip: the top-level fields of the renderer's `X.json`
//! (`../shared/tools/render/README.md`), read into the scorer's terms (seconds, fault
//! codes, sides). Per-frame fields (`frames`) are never read, so a truth file stripped of
//! them scores the same.
//!
//! In: a JSON file; out: a [`Truth`], or an [`EvalError`] saying why the clip cannot be
//! scored (a fault name the scorer does not know is such an error, never skipped).

use std::path::Path;

use serde::Deserialize;

use crate::exercises::{FaultCode, Side};

use super::EvalError;

/// One true rep (for traction: one leg slide).
#[derive(Clone, Debug, PartialEq)]
pub struct TruthRep {
    /// `None`: unsided, or both legs at once.
    pub side: Option<Side>,
    pub start_s: f64,
    pub end_s: f64,
    /// The generator's flat segment.
    pub hold_s: Option<f64>,
    /// Frames where the truth's signal is within 10% of this rep's own peak (the rule
    /// EXERCISES.md gives the engine), as seconds; `None` without a signal.
    pub plateau_s: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TruthFault {
    pub code: FaultCode,
    pub start_s: f64,
    pub end_s: f64,
}

/// What really happened in a clip.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Truth {
    pub stem: String,
    /// The exercise id (`pelvic-tilt`: the JSON's `exercise` with `_` → `-`).
    pub exercise: String,
    pub variant: String,
    pub camera: String,
    pub subject: Option<String>,
    pub fps: f64,
    pub duration_s: f64,
    pub reps: Vec<TruthRep>,
    pub faults: Vec<TruthFault>,
    /// Timed exercises: the settled hold, when it is not the whole clip (the rendered
    /// clips start on the block; a synthetic person may settle later).
    pub timed_hold_s: Option<f64>,
}

#[derive(Deserialize)]
struct RawTruth {
    #[serde(default)]
    stem: String,
    exercise: String,
    #[serde(default)]
    variant: String,
    #[serde(default)]
    camera: String,
    #[serde(default)]
    subject: Option<String>,
    fps: f64,
    duration_s: f64,
    reps: Vec<RawRep>,
    #[serde(default)]
    faults: Vec<RawFault>,
    #[serde(default)]
    signals: std::collections::HashMap<String, Vec<Option<f64>>>,
}

#[derive(Deserialize)]
struct RawRep {
    start_frame: f64,
    end_frame: f64,
    #[serde(default)]
    side: Option<String>,
    #[serde(default)]
    hold_s: Option<f64>,
}

#[derive(Deserialize)]
struct RawFault {
    name: String,
    start_frame: f64,
    end_frame: f64,
}

/// The renderer's signal a rep's hold is the plateau of, per exercise.
fn hold_signal(exercise: &str) -> Option<&'static str> {
    match exercise {
        "pelvic-tilt" => Some("pelvis_posterior_tilt_deg"),
        "controlled-rotation" | "back-rotation-stretch" => Some("knee_drop_deg"),
        "bridge" => Some("hip_lift_rotation_deg"),
        "seated-twist" => Some("trunk_axial_rotation_deg"),
        "standing-side-bend" => Some("trunk_lateral_bend_deg"),
        "mini-squat" => Some("pelvis_drop_m"),
        "pelvic-rock" => Some("pelvis_lateral_tilt_deg"),
        _ => None,
    }
}

/// Seconds the signal stays within 10% of its peak excursion inside `[start, end]`
/// frames, the excursion measured from the rep's own starting level.
pub fn plateau_s(signal: &[Option<f64>], start: usize, end: usize, fps: f64) -> Option<f64> {
    let window: Vec<f64> = signal
        .get(start..=end.min(signal.len().saturating_sub(1)))?
        .iter()
        .flatten()
        .copied()
        .collect();
    let base = *window.first()?;
    let peak = window
        .iter()
        .map(|v| v - base)
        .max_by(|a, b| a.abs().total_cmp(&b.abs()))?;
    if peak == 0.0 {
        return Some(0.0);
    }
    let near = window.iter().filter(|v| (**v - base) / peak >= 0.9).count();
    Some(near as f64 / fps)
}

impl Truth {
    /// Reads a clip's ground truth.
    pub fn read(path: &Path) -> Result<Truth, EvalError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| EvalError::Truth {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        Self::parse(&text).map_err(|reason| EvalError::Truth {
            path: shown,
            reason,
        })
    }

    /// Parses the JSON text of a truth file.
    pub fn parse(text: &str) -> Result<Truth, String> {
        let raw: RawTruth = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if raw.fps.is_nan() || raw.fps <= 0.0 {
            return Err(format!("fps {} is not a frame rate", raw.fps));
        }
        let exercise = raw.exercise.replace('_', "-");
        let fps = raw.fps;
        let signal = hold_signal(&exercise).and_then(|name| raw.signals.get(name));
        let reps = raw
            .reps
            .iter()
            .map(|r| TruthRep {
                side: match r.side.as_deref() {
                    Some("left") => Some(Side::Left),
                    Some("right") => Some(Side::Right),
                    _ => None,
                },
                start_s: r.start_frame / fps,
                end_s: r.end_frame / fps,
                hold_s: r.hold_s,
                plateau_s: signal
                    .and_then(|s| plateau_s(s, r.start_frame as usize, r.end_frame as usize, fps)),
            })
            .collect();
        let faults = raw
            .faults
            .iter()
            .map(|f| {
                let code = f
                    .name
                    .parse::<FaultCode>()
                    .map_err(|_| format!("unknown fault name {:?}", f.name))?;
                Ok(TruthFault {
                    code,
                    start_s: f.start_frame / fps,
                    end_s: f.end_frame / fps,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Truth {
            stem: raw.stem,
            exercise,
            variant: raw.variant,
            camera: raw.camera,
            subject: raw.subject,
            fps,
            duration_s: raw.duration_s,
            reps,
            faults,
            timed_hold_s: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plateau_is_the_time_within_ten_percent_of_the_peak() {
        // Rises 0 → 10 over 10 frames, 20 frames at 10, back down: ≥ 9 on 2 + 20 + 2 frames.
        let mut s: Vec<Option<f64>> = (0..=10).map(|i| Some(f64::from(i))).collect();
        s.extend(std::iter::repeat_n(Some(10.0), 20));
        s.extend((0..=10).rev().map(|i| Some(f64::from(i))));
        let p = plateau_s(&s, 0, s.len() - 1, 10.0).unwrap();
        assert!((p - 2.4).abs() < 1e-9, "{p}");
    }

    #[test]
    fn an_unknown_fault_name_makes_the_clip_unscorable() {
        let text = r#"{"exercise":"pelvic_tilt","fps":30,"duration_s":10,
            "reps":[],"faults":[{"name":"slouching","start_frame":1,"end_frame":9}]}"#;
        let err = Truth::parse(text).unwrap_err();
        assert!(err.contains("slouching"), "{err}");
    }
}
