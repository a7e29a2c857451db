//! The belly's outline from the segmentation head: read only when asked for, switchable
//! mid-stream, and without changing the landmarks (the `_seg` model is the same network).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod require;

use std::path::Path;

use backform::capture::SourceSpec;
use backform::pose::{Pose, PoseConfig, PoseEstimator};

const CLIP: &str = "../shared/fixtures/exercises/pelvic_tilt__good__side_floor.mp4";

/// The first `n` frames' poses, switching the outline on at frame `on_from` (if any).
fn poses(config: PoseConfig, n: usize, on_from: Option<usize>) -> Option<Vec<Option<Pose>>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(CLIP);
    if !path.is_file() {
        require::skip(format!("{} is absent", path.display()));
        return None;
    }
    let mut estimator = match PoseEstimator::new(config) {
        Ok(e) => e,
        Err(err) => {
            require::skip(format!("the pose models cannot load: {err}"));
            return None;
        }
    };
    let mut source = SourceSpec::Video(path).open().unwrap();
    let mut out = Vec::new();
    while out.len() < n {
        let Some(frame) = source.next_frame().unwrap() else {
            break;
        };
        if on_from == Some(out.len()) {
            estimator.set_segmentation(true).unwrap();
        }
        out.push(estimator.estimate(&frame).unwrap());
    }
    Some(out)
}

#[test]
fn the_outline_is_read_only_when_asked_and_leaves_the_landmarks_alone() {
    let fixed = PoseConfig {
        fixed_time_step: Some(PoseConfig::MEDIAPIPE_TIME_STEP),
        ..PoseConfig::default()
    };
    let Some(plain) = poses(fixed.clone(), 30, None) else {
        return;
    };
    let Some(switched) = poses(fixed, 30, Some(10)) else {
        return;
    };
    for (i, (a, b)) in plain.iter().zip(&switched).enumerate() {
        let (a, b) = (a.as_ref().unwrap(), b.as_ref().unwrap());
        assert_eq!(a.belly_height_torso, None, "frame {i}: read without asking");
        if i < 10 {
            assert_eq!(b.belly_height_torso, None, "frame {i}: read before asked");
        } else {
            // Lying at rest: the belly stands a little above its chord.
            let belly = b.belly_height_torso.unwrap_or(f32::NAN);
            assert!((-0.05..0.1).contains(&belly), "frame {i}: belly {belly}");
        }
        for (p, q) in a.landmarks.iter().zip(&b.landmarks) {
            assert!(
                (p.x_px - q.x_px).abs() < 0.05 && (p.y_px - q.y_px).abs() < 0.05,
                "frame {i}: the landmarks moved with the segmentation head on"
            );
        }
    }
}

#[test]
fn without_the_seg_model_the_outline_is_refused_and_tracking_goes_on() {
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let dir = tempfile::tempdir().unwrap();
    for file in ["pose_detection.onnx", "pose_landmark_full.onnx"] {
        if std::fs::copy(models.join(file), dir.path().join(file)).is_err() {
            require::skip(format!("{file} is absent"));
            return;
        }
    }
    let config = PoseConfig {
        models_dir: Some(dir.path().to_path_buf()),
        ..PoseConfig::default()
    };
    let Some(before) = poses(config.clone(), 3, None) else {
        return;
    };
    assert!(before.iter().all(Option::is_some));
    let mut estimator = PoseEstimator::new(config).unwrap();
    let err = estimator.set_segmentation(true).unwrap_err();
    assert!(
        err.to_string().contains("pose_landmark_full_seg.onnx"),
        "{err}"
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(CLIP);
    let mut source = SourceSpec::Video(path).open().unwrap();
    let frame = source.next_frame().unwrap().unwrap();
    let pose = estimator.estimate(&frame).unwrap().unwrap();
    assert_eq!(pose.belly_height_torso, None);
}
