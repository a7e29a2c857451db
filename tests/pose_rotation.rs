//! A person turned a quarter turn in the image (as if lying down) is still found, and the
//! landmarks land on the body: the ROI is rotated upright from the detector's keypoints
//! and landmarks are projected back through that rotation.

mod pose_support;
mod require;

use backform::capture::Frame;
use backform::pose::{Pose, PoseConfig, PoseEstimator};
use opencv::core;
use pose_support::{LIMB_LANDMARKS, decode_video, fixtures, percentile, run};

/// Maps a point of the rotated frame back into the upright one.
fn unrotate(code: i32, x: f32, y: f32, upright: &Frame) -> (f32, f32) {
    let (w, h) = (upright.width as f32, upright.height as f32);
    match code {
        // Clockwise: upright (x, y) went to (h - y, x).
        core::ROTATE_90_CLOCKWISE => (y, h - x),
        // Counter-clockwise: upright (x, y) went to (y, w - x).
        _ => (w - y, x),
    }
}

fn torso_px(pose: &Pose) -> f32 {
    let l = &pose.landmarks;
    let mid = |a: usize, b: usize| ((l[a].x_px + l[b].x_px) / 2.0, (l[a].y_px + l[b].y_px) / 2.0);
    let (s, h) = (mid(11, 12), mid(23, 24));
    ((s.0 - h.0).powi(2) + (s.1 - h.1).powi(2)).sqrt()
}

#[test]
fn quarter_turned_person_is_found_and_landmarks_land_on_the_body() {
    let Some(fixtures) = fixtures() else { return };
    let clip = fixtures.join("video/pose2sim-cam01.mp4");
    let upright = decode_video(&clip, None);
    let mut estimator = PoseEstimator::new(PoseConfig::mediapipe_reference()).unwrap();
    let upright_poses = run(&mut estimator, &upright);

    for code in [core::ROTATE_90_CLOCKWISE, core::ROTATE_90_COUNTERCLOCKWISE] {
        let turned = decode_video(&clip, Some(code));
        estimator.reset();
        let turned_poses = run(&mut estimator, &turned);
        let (mut both, mut upright_found, mut errors) = (0, 0, Vec::new());
        for ((frame, a), b) in upright.iter().zip(&upright_poses).zip(&turned_poses) {
            let Some(a) = a else { continue };
            upright_found += 1;
            let Some(b) = b else { continue };
            both += 1;
            // World landmarks are rotated back by the ROI: hips-to-shoulders points along
            // the image's turned "up", not the crop's.
            let torso = torso_px(a);
            for &i in &LIMB_LANDMARKS {
                let (x, y) = unrotate(code, b.landmarks[i].x_px, b.landmarks[i].y_px, frame);
                let error =
                    ((x - a.landmarks[i].x_px).powi(2) + (y - a.landmarks[i].y_px).powi(2)).sqrt();
                errors.push(100.0 * error / torso);
            }
        }
        let median = percentile(&errors, 50.0);
        eprintln!(
            "rotation {code}: pose in {both}/{upright_found} frames; limb landmarks vs upright run: median {median:.2}% torso, p90 {:.2}%",
            percentile(&errors, 90.0)
        );
        assert!(
            both as f32 >= 0.97 * upright_found as f32,
            "found {both}/{upright_found}"
        );
        assert!(median <= 2.0, "median {median}% torso");
    }
}

#[test]
fn world_landmarks_turn_with_the_person() {
    let Some(fixtures) = fixtures() else { return };
    let clip = fixtures.join("video/pose2sim-cam01.mp4");
    let upright: Vec<Frame> = decode_video(&clip, None).into_iter().take(10).collect();
    let turned: Vec<Frame> = decode_video(&clip, Some(core::ROTATE_90_CLOCKWISE))
        .into_iter()
        .take(10)
        .collect();
    let mut estimator = PoseEstimator::new(PoseConfig::mediapipe_reference()).unwrap();
    let a = run(&mut estimator, &upright).pop().flatten().unwrap();
    estimator.reset();
    let b = run(&mut estimator, &turned).pop().flatten().unwrap();
    let (aw, bw) = (a.world.unwrap(), b.world.unwrap());
    // Hip centre → shoulder centre: upright it points up (-y); turned clockwise, along +x.
    let up = |w: &[backform::pose::WorldLandmark; 33]| {
        (
            (w[11].x_m + w[12].x_m - w[23].x_m - w[24].x_m) / 2.0,
            (w[11].y_m + w[12].y_m - w[23].y_m - w[24].y_m) / 2.0,
        )
    };
    let (ux, uy) = up(&aw);
    let (tx, ty) = up(&bw);
    assert!(
        uy < -0.3 && ux.abs() < 0.5 * uy.abs(),
        "upright trunk ({ux}, {uy})"
    );
    assert!(tx > 0.3 && ty.abs() < 0.5 * tx, "turned trunk ({tx}, {ty})");
}
