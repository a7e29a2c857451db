//! Landmarks as JSON lines: the schema of `../shared/fixtures/reference/*.jsonl`.
//!
//! One line per frame, `{"frame": i, "t": seconds, "landmarks": [[x_px, y_px, z, visibility] × 33] | null}`,
//! and `"belly": torso lengths` where the pelvic tilt's silhouette cue was read
//! ([`Pose::belly_height_torso`]), so a replay carries it. MediaPipe's reference files
//! have no `belly`. Likewise `"pelvis_turn": degrees` ([`Pose::pelvis_turn_deg`]).
//! `analyze --landmarks` writes it; tests and `analyze --from-landmarks` read it back
//! into [`Pose`] values (without world landmarks, which the format does not carry).

use std::io::{BufRead, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{LANDMARK_COUNT, Landmark, Pose, Roi};

/// One line of the file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LandmarksLine {
    pub frame: u64,
    pub t: f64,
    pub landmarks: Option<Vec<[f32; 4]>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub belly: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pelvis_turn: Option<f32>,
}

/// Trouble reading or writing a landmarks file.
#[derive(Debug, thiserror::Error)]
pub enum JsonlError {
    #[error("cannot read landmarks file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path} line {line}: not a landmarks line ({source}); expected {{\"frame\", \"t\", \"landmarks\"}}"
    )]
    Parse {
        path: String,
        line: usize,
        source: serde_json::Error,
    },
    #[error("{path} line {line}: {count} landmarks, expected {LANDMARK_COUNT}")]
    Count {
        path: String,
        line: usize,
        count: usize,
    },
    #[error("cannot write landmarks: {0}")]
    Write(std::io::Error),
}

impl LandmarksLine {
    /// The line for one frame of the pipeline's output.
    pub fn from_pose(frame: u64, t: f64, pose: Option<&Pose>) -> Self {
        let landmarks = pose.map(|p| {
            p.landmarks
                .iter()
                .map(|l| [l.x_px, l.y_px, l.z, l.visibility])
                .collect()
        });
        Self {
            frame,
            t,
            landmarks,
            belly: pose.and_then(|p| p.belly_height_torso),
            pelvis_turn: pose.and_then(|p| p.pelvis_turn_deg),
        }
    }

    /// The pose this line describes in an image of the given size (no world landmarks;
    /// presence is taken as 1 because the format does not store it).
    pub fn to_pose(&self, image_width: u32, image_height: u32) -> Option<Pose> {
        let points = self.landmarks.as_ref()?;
        let mut landmarks = [Landmark::default(); LANDMARK_COUNT];
        for (dst, src) in landmarks.iter_mut().zip(points) {
            *dst = Landmark {
                x_px: src[0],
                y_px: src[1],
                z: src[2],
                visibility: src[3],
                presence: 1.0,
            };
        }
        Some(Pose {
            landmarks,
            world: None,
            score: 1.0,
            roi: Roi::default(),
            image_width,
            image_height,
            belly_height_torso: self.belly,
            pelvis_turn_deg: self.pelvis_turn,
        })
    }

    /// Writes this line and a newline.
    pub fn write_to(&self, out: &mut impl Write) -> Result<(), JsonlError> {
        serde_json::to_writer(&mut *out, self).map_err(|e| JsonlError::Write(e.into()))?;
        out.write_all(b"\n").map_err(JsonlError::Write)
    }
}

/// Reads a whole landmarks file, checking every line.
pub fn read_landmarks(path: &Path) -> Result<Vec<LandmarksLine>, JsonlError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| JsonlError::Io {
        path: shown.clone(),
        source,
    })?;
    let mut lines = Vec::new();
    for (i, text) in std::io::BufReader::new(file).lines().enumerate() {
        let text = text.map_err(|source| JsonlError::Io {
            path: shown.clone(),
            source,
        })?;
        if text.trim().is_empty() {
            continue;
        }
        let line: LandmarksLine =
            serde_json::from_str(&text).map_err(|source| JsonlError::Parse {
                path: shown.clone(),
                line: i + 1,
                source,
            })?;
        if let Some(points) = &line.landmarks
            && points.len() != LANDMARK_COUNT
        {
            return Err(JsonlError::Count {
                path: shown,
                line: i + 1,
                count: points.len(),
            });
        }
        lines.push(line);
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_reference_fixture_and_round_trips_a_line() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures/reference/pose2sim-cam01.jsonl");
        if !path.exists() {
            eprintln!("skipping: {} is absent", path.display());
            return;
        }
        let lines = read_landmarks(&path).unwrap();
        assert_eq!(lines.len(), 100);
        let with_pose = lines.iter().find(|l| l.landmarks.is_some()).unwrap();
        let pose = with_pose.to_pose(1080, 1920).unwrap();
        let again = LandmarksLine::from_pose(with_pose.frame, with_pose.t, Some(&pose));
        assert_eq!(&again, with_pose);
        let mut out = Vec::new();
        again.write_to(&mut out).unwrap();
        let parsed: LandmarksLine = serde_json::from_slice(&out).unwrap();
        assert_eq!(parsed, again);
    }

    #[test]
    fn rejects_a_line_with_the_wrong_number_of_landmarks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.jsonl");
        std::fs::write(&path, "{\"frame\":0,\"t\":0.0,\"landmarks\":[[1,2,3,4]]}\n").unwrap();
        let err = read_landmarks(&path).unwrap_err();
        assert!(err.to_string().contains("expected 33"), "{err}");
    }
}
