//! Shared by the pose integration tests: fixture paths, decoding clips into frames, and
//! comparing poses with MediaPipe's reference landmarks.

// Test support: a failure here should panic with the cause, like the tests using it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use backform::capture::{Frame, FrameSource, VideoSource};
use backform::pose::jsonl::LandmarksLine;
use backform::pose::{Pose, PoseEstimator, index};
use opencv::core;
use opencv::prelude::*;

/// `../shared/fixtures`, or `None` (with a message) where that folder is absent.
pub fn fixtures() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    if dir.is_dir() {
        Some(dir)
    } else {
        crate::require::skip(format!("{} is absent", dir.display()));
        None
    }
}

/// Every frame of a video file (through the app's own decoder), optionally turned with
/// OpenCV's `rotate` (`core::ROTATE_90_CLOCKWISE`, …).
pub fn decode_video(path: &Path, rotation: Option<i32>) -> Vec<Frame> {
    let mut source = VideoSource::open(path).unwrap();
    let mut frames = Vec::new();
    while let Some(frame) = source.next_frame().unwrap() {
        frames.push(match rotation {
            Some(code) => rotate(&frame, code),
            None => frame,
        });
    }
    frames
}

/// The frame turned by OpenCV's `rotate`.
pub fn rotate(frame: &Frame, code: i32) -> Frame {
    let view = core::Mat::new_rows_cols_with_bytes::<core::Vec3b>(
        frame.height as i32,
        frame.width as i32,
        &frame.rgb,
    )
    .unwrap();
    let mut turned = core::Mat::default();
    core::rotate(&view, &mut turned, code).unwrap();
    Frame {
        width: turned.cols() as u32,
        height: turned.rows() as u32,
        rgb: turned.data_bytes().unwrap().to_vec(),
        ..frame.clone()
    }
}

/// Runs the estimator over every frame.
pub fn run(estimator: &mut PoseEstimator, frames: &[Frame]) -> Vec<Option<Pose>> {
    frames
        .iter()
        .map(|f| estimator.estimate(f).unwrap())
        .collect()
}

/// The landmarks the accuracy bar is about: shoulders, elbows, wrists, hips, knees, ankles.
pub const LIMB_LANDMARKS: [usize; 12] = [11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28];

/// Shoulder-midpoint to hip-midpoint distance, pixels.
pub fn torso_length_px(points: &[[f32; 4]]) -> f32 {
    let mid = |a: usize, b: usize| {
        [
            (points[a][0] + points[b][0]) / 2.0,
            (points[a][1] + points[b][1]) / 2.0,
        ]
    };
    let shoulders = mid(index::LEFT_SHOULDER, index::RIGHT_SHOULDER);
    let hips = mid(index::LEFT_HIP, index::RIGHT_HIP);
    ((shoulders[0] - hips[0]).powi(2) + (shoulders[1] - hips[1]).powi(2)).sqrt()
}

/// How a run compares with MediaPipe's reference file.
#[derive(Debug)]
pub struct Agreement {
    /// Frames where MediaPipe found a pose.
    pub reference_frames: usize,
    /// Of those, frames where we found one too.
    pub both_frames: usize,
    /// Frames where we found a pose and MediaPipe did not.
    pub extra_frames: usize,
    /// Limb-landmark errors, % of the reference torso length, one per landmark per frame.
    pub errors_torso_pct: Vec<f32>,
    /// The same in pixels.
    pub errors_px: Vec<f32>,
    /// Limb-landmark depth (z) differences, % of the reference torso length.
    pub z_errors_torso_pct: Vec<f32>,
    /// Limb-landmark visibility differences (probabilities).
    pub visibility_errors: Vec<f32>,
    /// Frames (found by both) whose median limb error is under a quarter torso: the
    /// same person as MediaPipe's.
    pub same_person_frames: usize,
}

impl Agreement {
    pub fn found_pct(&self) -> f64 {
        100.0 * self.both_frames as f64 / self.reference_frames.max(1) as f64
    }

    pub fn median_torso_pct(&self) -> f32 {
        percentile(&self.errors_torso_pct, 50.0)
    }

    pub fn same_person_pct(&self) -> f64 {
        100.0 * self.same_person_frames as f64 / self.both_frames.max(1) as f64
    }

    pub fn median_px(&self) -> f32 {
        percentile(&self.errors_px, 50.0)
    }

    pub fn summary(&self, name: &str) -> String {
        format!(
            "{name}: pose in {}/{} reference frames ({:.1}%), {} extra, same person in {:.1}%; limb error median {:.3}% torso ({:.2} px), p90 {:.3}% torso, max {:.2}% torso",
            self.both_frames,
            self.reference_frames,
            self.found_pct(),
            self.extra_frames,
            self.same_person_pct(),
            self.median_torso_pct(),
            self.median_px(),
            percentile(&self.errors_torso_pct, 90.0),
            percentile(&self.errors_torso_pct, 100.0),
        )
    }
}

pub fn percentile(values: &[f32], pct: f32) -> f32 {
    if values.is_empty() {
        return f32::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f32::total_cmp);
    let rank = ((pct / 100.0) * (sorted.len() - 1) as f32).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

pub fn compare(poses: &[Option<Pose>], reference: &[LandmarksLine]) -> Agreement {
    let mut agreement = Agreement {
        reference_frames: 0,
        both_frames: 0,
        extra_frames: 0,
        errors_torso_pct: Vec::new(),
        errors_px: Vec::new(),
        z_errors_torso_pct: Vec::new(),
        visibility_errors: Vec::new(),
        same_person_frames: 0,
    };
    for (pose, line) in poses.iter().zip(reference) {
        match (pose, &line.landmarks) {
            (Some(pose), Some(points)) => {
                agreement.reference_frames += 1;
                agreement.both_frames += 1;
                let torso = torso_length_px(points);
                let mut frame_errors = Vec::with_capacity(LIMB_LANDMARKS.len());
                for &i in &LIMB_LANDMARKS {
                    let ours = pose.landmarks[i];
                    let error = ((ours.x_px - points[i][0]).powi(2)
                        + (ours.y_px - points[i][1]).powi(2))
                    .sqrt();
                    agreement.errors_px.push(error);
                    agreement
                        .z_errors_torso_pct
                        .push(100.0 * (ours.z - points[i][2]).abs() / torso);
                    agreement
                        .visibility_errors
                        .push((ours.visibility - points[i][3]).abs());
                    agreement.errors_torso_pct.push(100.0 * error / torso);
                    frame_errors.push(100.0 * error / torso);
                }
                if percentile(&frame_errors, 50.0) < 25.0 {
                    agreement.same_person_frames += 1;
                }
            }
            (None, Some(_)) => agreement.reference_frames += 1,
            (Some(_), None) => agreement.extra_frames += 1,
            (None, None) => {}
        }
    }
    agreement
}
