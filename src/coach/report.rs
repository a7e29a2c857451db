//! The analyze report: what a physiotherapist reads after an exercise.
//!
//! In flow the exercise's [`ExerciseRecord`] and the coach's prompt log; out flows the
//! JSON document `backform analyze --report` writes:
//!
//! ```json
//! {"exercise": id, "duration_s": f,
//!  "reps": [{"side": "left"|"right"|null, "side_inferred": bool, "start_s": f, "end_s": f,
//!            "hold_s": f|null, "range_deg": f (absent: not measured), "faults": [code]}],
//!  "counts": {"left": n, "right": n, "total": n},
//!  "faults": [{"code": c, "start_s": f, "end_s": f, "message": text}],
//!  "prompts": [{"t": f, "text": text, "kind": "safety"|"form"|"camera", "code": c}],
//!  "cannot_see": [{"start_s": f, "end_s": f, "reason": r, "noise": f|null, "expected": f|null}],
//!  "sets": [...], "steps": [...], "notes": [text],
//!  "prescribed": {"sets": n, "reps_per_set": n, "hold_s": f}}
//! ```
//!
//! `cannot_see` (spans where the movement could not be judged: `movement-below-noise`,
//! `parts-hidden`, `wrong-view`), `sets`, `steps` (traction's leg slides) and `notes`
//! (e.g. "stopped: it hurts") appear only when non-empty; `prescribed` is what the run was
//! asked for (its routine's prescription; `hold_s` is a timed exercise's limit); a prompt's `code` only when it
//! corrects a fault. `side_inferred`: the side was not seen but taken from alternation. Times are video time,
//! rounded to the millisecond. Every fault span is in `faults`, whether or not it belongs
//! to a rep; one still active at the end closes at the end.

use serde::{Deserialize, Serialize, Serializer};

use crate::exercises::{Counts, ExerciseRecord, ExerciseSpec, FaultCode, Side};

use super::prompts::{Prompt, PromptKind};

fn ms<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((v * 1000.0).round() / 1000.0)
}

fn ms_opt<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => ms(v, s),
        None => s.serialize_none(),
    }
}

/// One rep (for traction: the timed hold).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportRep {
    pub side: Option<Side>,
    #[serde(default)]
    pub side_inferred: bool,
    #[serde(serialize_with = "ms")]
    pub start_s: f64,
    #[serde(serialize_with = "ms")]
    pub end_s: f64,
    #[serde(serialize_with = "ms_opt")]
    pub hold_s: Option<f64>,
    /// How far the rep went, degrees (exercises whose signal is a body angle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range_deg: Option<f64>,
    pub faults: Vec<FaultCode>,
}

/// One observed fault span.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportFault {
    pub code: FaultCode,
    #[serde(serialize_with = "ms")]
    pub start_s: f64,
    #[serde(serialize_with = "ms")]
    pub end_s: f64,
    pub message: String,
}

/// One issued prompt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportPrompt {
    #[serde(serialize_with = "ms")]
    pub t: f64,
    pub text: String,
    pub kind: PromptKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<FaultCode>,
}

/// Why a span of the exercise was not judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CannotSeeReason {
    /// The movement expected for this body and view is under the signal's rest noise.
    MovementBelowNoise,
    /// A body part the checks need is out of view or hidden.
    PartsHidden,
    /// The camera no longer shows the view the exercise needs.
    WrongView,
}

/// A span where backform said it cannot see the movement, and counted nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CannotSeeSpan {
    #[serde(serialize_with = "ms")]
    pub start_s: f64,
    #[serde(serialize_with = "ms")]
    pub end_s: f64,
    pub reason: CannotSeeReason,
    /// The signal's rest noise and the movement expected, in the signal's unit.
    #[serde(default)]
    pub noise: Option<f64>,
    #[serde(default)]
    pub expected: Option<f64>,
}

/// A set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportSet {
    pub set: u32,
    #[serde(serialize_with = "ms")]
    pub start_s: f64,
    #[serde(serialize_with = "ms")]
    pub end_s: f64,
    pub reps: u32,
}

/// A step that is not a rep (traction's leg slides, the arms raised overhead); side
/// `null` for both legs at once or the arms (`what` says which).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportStep {
    pub side: Option<Side>,
    #[serde(serialize_with = "ms")]
    pub start_s: f64,
    #[serde(serialize_with = "ms")]
    pub end_s: f64,
    pub what: String,
}

/// The analyze JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub exercise: String,
    #[serde(serialize_with = "ms")]
    pub duration_s: f64,
    pub reps: Vec<ReportRep>,
    pub counts: Counts,
    pub faults: Vec<ReportFault>,
    pub prompts: Vec<ReportPrompt>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cannot_see: Vec<CannotSeeSpan>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sets: Vec<ReportSet>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<ReportStep>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// What was asked of the person: the exercise's prescription, or the one its routine
    /// gave (a physio's file), so the history keeps what each run was measured against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prescribed: Option<ReportPrescribed>,
}

/// The prescription a run was done against.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportPrescribed {
    pub sets: u32,
    /// Reps per set, all sides together (absent: timed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reps_per_set: Option<u32>,
    /// Each rep's hold, or a timed exercise's limit, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_s: Option<f64>,
}

impl ReportPrescribed {
    pub fn of(spec: &ExerciseSpec) -> Self {
        let p = &spec.prescription;
        Self {
            sets: p.sets_min,
            reps_per_set: (p.reps_per_set > 0).then_some(p.reps_per_set),
            hold_s: if p.time_limit_s > 0.0 {
                Some(p.time_limit_s)
            } else {
                (p.hold_min_s > 0.0).then_some(p.hold_min_s)
            },
        }
    }
}

/// What a fault span says in the report: the prompt the person got, or for faults that
/// are never prompted a plain description.
pub fn fault_message(spec: &ExerciseSpec, code: FaultCode) -> String {
    if let Some(text) = spec.prompt(code) {
        return text.to_owned();
    }
    match code {
        FaultCode::NotAlternating => "Two reps in a row to the same side (information only)".into(),
        other => other.as_str().replace('-', " "),
    }
}

impl Report {
    /// Builds the report from what the exercise recorded and the prompts issued.
    pub fn build(
        spec: &ExerciseSpec,
        duration_s: f64,
        record: &ExerciseRecord,
        prompts: &[Prompt],
        extra_notes: &[String],
    ) -> Report {
        let mut faults: Vec<ReportFault> = record
            .faults
            .iter()
            .map(|f| ReportFault {
                code: f.code,
                start_s: f.start_s,
                end_s: f.end_s,
                message: fault_message(spec, f.code),
            })
            .collect();
        faults.sort_by(|a, b| a.start_s.total_cmp(&b.start_s).then(a.code.cmp(&b.code)));
        let mut notes = record.notes.clone();
        notes.extend(extra_notes.iter().cloned());
        Report {
            prescribed: Some(ReportPrescribed::of(spec)),
            exercise: spec.id.clone(),
            duration_s,
            reps: record
                .reps
                .iter()
                .map(|r| ReportRep {
                    side: r.side,
                    side_inferred: r.side_inferred,
                    start_s: r.start_s,
                    end_s: r.end_s,
                    hold_s: r.hold_s,
                    range_deg: r.range_deg.map(|d| (d * 10.0).round() / 10.0),
                    faults: r.faults.clone(),
                })
                .collect(),
            counts: record.counts,
            faults,
            prompts: prompts
                .iter()
                .map(|p| ReportPrompt {
                    t: p.t_s,
                    text: p.text.clone(),
                    kind: p.kind,
                    code: p.code,
                })
                .collect(),
            cannot_see: Vec::new(),
            sets: record
                .sets
                .iter()
                .map(|s| ReportSet {
                    set: s.number,
                    start_s: s.start_s,
                    end_s: s.end_s,
                    reps: s.reps,
                })
                .collect(),
            steps: record
                .steps
                .iter()
                .map(|s| ReportStep {
                    side: s.side,
                    start_s: s.start_s,
                    end_s: s.end_s,
                    what: s.what.clone(),
                })
                .collect(),
            notes,
        }
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercises::{FaultSpan, RepRecord, spec};

    #[test]
    fn json_has_exactly_the_documented_keys_and_rounded_times() {
        let spec = spec::load("controlled-rotation").unwrap();
        let record = ExerciseRecord {
            reps: vec![RepRecord {
                side: Some(Side::Left),
                side_inferred: true,
                set: 1,
                number: 1,
                start_s: 1.00049,
                end_s: 4.2,
                hold_s: Some(0.3),
                range_deg: None,
                faults: vec![FaultCode::RangeTooLarge],
            }],
            counts: Counts {
                left: 1,
                right: 0,
                total: 1,
            },
            faults: vec![FaultSpan {
                code: FaultCode::RangeTooLarge,
                start_s: 2.0,
                end_s: 3.0,
            }],
            ..ExerciseRecord::default()
        };
        let prompts = [Prompt {
            text: "Keep it small and pain-free".into(),
            kind: PromptKind::Form,
            code: Some(FaultCode::RangeTooLarge),
            t_s: 2.0,
        }];
        let report = Report::build(&spec, 10.0, &record, &prompts, &[]);
        let json: serde_json::Value = serde_json::from_str(&report.to_json().unwrap()).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "counts",
                "duration_s",
                "exercise",
                "faults",
                "prescribed",
                "prompts",
                "reps"
            ]
        );
        assert_eq!(json["prescribed"]["sets"], 2);
        assert_eq!(json["prescribed"]["reps_per_set"], 10);
        assert_eq!(json["reps"][0]["side"], "left");
        assert_eq!(json["reps"][0]["start_s"], 1.0);
        assert_eq!(json["reps"][0]["faults"][0], "range-too-large");
        assert_eq!(json["faults"][0]["message"], "Keep it small and pain-free");
        assert_eq!(json["prompts"][0]["t"], 2.0);
        assert_eq!(json["prompts"][0]["kind"], "form");
        assert_eq!(json["prompts"][0]["code"], "range-too-large");
        assert_eq!(json["reps"][0]["side_inferred"], true);
        assert_eq!(json["counts"]["total"], 1);
        let back: Report = serde_json::from_value(json).unwrap();
        assert_eq!(back.reps.len(), 1);
    }

    #[test]
    fn unsided_reps_serialize_null_side() {
        let rep = ReportRep {
            side: None,
            side_inferred: false,
            start_s: 0.0,
            end_s: 1.0,
            hold_s: None,
            range_deg: None,
            faults: vec![],
        };
        let json = serde_json::to_value(&rep).unwrap();
        assert!(json["side"].is_null() && json["hold_s"].is_null());
    }
}
