//! The pose pipeline against MediaPipe's own output on the fixture clips.
//!
//! The reference JSONL files were written by MediaPipe 0.10.14's Python `solutions.pose`
//! (Full model, tracking, smoothing, frames stamped 33 333 µs apart), so the estimator runs
//! with `PoseConfig::mediapipe_reference()`. Landmarks compared: shoulders, elbows,
//! wrists, hips, knees, ankles; errors as % of the reference torso length.

mod pose_support;
mod require;

use backform::pose::jsonl::read_landmarks;
use backform::pose::{ModelVariant, PoseConfig, PoseEstimator};
use pose_support::{compare, decode_video, fixtures, run};
use std::path::Path;

#[test]
fn pose2sim_matches_mediapipe() {
    let Some(fixtures) = fixtures() else { return };
    let frames = decode_video(&fixtures.join("video/pose2sim-cam01.mp4"), None);
    let reference = read_landmarks(&fixtures.join("reference/pose2sim-cam01.jsonl")).unwrap();
    assert_eq!(frames.len(), reference.len());

    let mut estimator = PoseEstimator::new(PoseConfig::mediapipe_reference()).unwrap();
    let poses = run(&mut estimator, &frames);
    let agreement = compare(&poses, &reference);
    eprintln!("{}", agreement.summary("pose2sim-cam01 (Full)"));

    assert!(
        agreement.found_pct() >= 97.0,
        "{}",
        agreement.summary("pose2sim")
    );
    assert!(
        agreement.median_torso_pct() <= 1.0,
        "{}",
        agreement.summary("pose2sim")
    );
}

/// Two people. MediaPipe locks onto whoever its detector ranks first when it (re)starts
/// and keeps that person while the pose flag holds; so do we. Here: the man on the box from
/// frame 3; lost mid-jump in the sun's glare (frame 169), re-detection picks the girl
/// walking in front until she leaves the frame (200), then the man again (202).
#[test]
fn sports2d_tracks_the_same_person_as_mediapipe() {
    let Some(fixtures) = fixtures() else { return };
    let frames = decode_video(&fixtures.join("video/sports2d-demo.mp4"), None);
    let reference = read_landmarks(&fixtures.join("reference/sports2d-demo.jsonl")).unwrap();
    assert_eq!(frames.len(), reference.len());

    let mut estimator = PoseEstimator::new(PoseConfig::mediapipe_reference()).unwrap();
    let poses = run(&mut estimator, &frames);
    let agreement = compare(&poses, &reference);
    eprintln!("{}", agreement.summary("sports2d-demo (Full)"));

    let summary = agreement.summary("sports2d");
    assert!(agreement.found_pct() >= 97.0, "{summary}");
    assert!(agreement.same_person_pct() >= 97.0, "{summary}");
    // Fast motion (a flip in the sun's glare) amplifies tiny differences between ONNX
    // Runtime and TFLite through the tracking loop: still well under 1% of the torso.
    assert!(agreement.median_torso_pct() <= 1.0, "{summary}");
}

/// The only fixtures where a person lies on the floor: MediaPipe finds them in every frame.
#[test]
fn floor_pelvic_tilt_matches_mediapipe() {
    let Some(fixtures) = fixtures() else { return };
    let clip = "pelvic_tilt__good__side_floor";
    let frames = decode_video(&fixtures.join(format!("exercises/{clip}.mp4")), None);
    let reference =
        read_landmarks(&fixtures.join(format!("exercises/reference/{clip}.jsonl"))).unwrap();
    assert_eq!(frames.len(), reference.len());

    let mut estimator = PoseEstimator::new(PoseConfig::mediapipe_reference()).unwrap();
    let poses = run(&mut estimator, &frames);
    let agreement = compare(&poses, &reference);
    eprintln!("{}", agreement.summary(clip));

    assert_eq!(
        agreement.reference_frames,
        frames.len(),
        "MediaPipe found the person in every frame"
    );
    assert!(agreement.found_pct() >= 99.0, "{}", agreement.summary(clip));
    // Depth on MediaPipe's scale (normalised z × image width) and smoothed visibility.
    let z_median = pose_support::percentile(&agreement.z_errors_torso_pct, 50.0);
    let visibility_median = pose_support::percentile(&agreement.visibility_errors, 50.0);
    eprintln!("{clip}: z median {z_median:.3}% torso, visibility median {visibility_median:.5}");
    assert!(z_median <= 1.0, "z median {z_median}% torso");
    assert!(
        visibility_median <= 0.01,
        "visibility median {visibility_median}"
    );
    assert!(
        agreement.median_torso_pct() <= 1.0,
        "{}",
        agreement.summary(clip)
    );
}

/// `tensors_to_pose_landmarks_and_segmentation.pbtxt` says `kernel_size: 7`, yet the
/// shipped pipeline behaves as the calculator's default, 9: with 9 this port lands within
/// a hundredth of a pixel of MediaPipe on the floor clip, with 7 half a pixel off.
#[test]
fn heatmap_kernel_nine_is_what_mediapipe_runs() {
    let Some(fixtures) = fixtures() else { return };
    let clip = "pelvic_tilt__good__side_floor";
    let frames = decode_video(&fixtures.join(format!("exercises/{clip}.mp4")), None);
    let reference =
        read_landmarks(&fixtures.join(format!("exercises/reference/{clip}.jsonl"))).unwrap();
    let (frames, reference) = (&frames[..150], &reference[..150]);

    let mut estimator = PoseEstimator::new(PoseConfig::mediapipe_reference()).unwrap();
    let mut median_px = |kernel_size: usize| {
        estimator.reset();
        estimator
            .landmark_model_mut()
            .set_heatmap_kernel_size(kernel_size);
        let agreement = compare(&run(&mut estimator, frames), reference);
        eprintln!(
            "{}",
            agreement.summary(&format!("{clip}, heatmap kernel {kernel_size}"))
        );
        agreement.median_px()
    };
    let (nine, seven) = (median_px(9), median_px(7));
    assert!(nine < 0.05, "kernel 9: median {nine} px");
    assert!(
        seven > 5.0 * nine,
        "kernel 7 ({seven} px) should be clearly worse than 9 ({nine} px)"
    );
}

/// The Lite model is a different network: no bit-match, but the same person and the
/// same joints within a few percent of the torso.
#[test]
fn lite_model_lands_near_mediapipe_full() {
    let Some(fixtures) = fixtures() else { return };
    let frames = decode_video(&fixtures.join("video/pose2sim-cam01.mp4"), None);
    let reference = read_landmarks(&fixtures.join("reference/pose2sim-cam01.jsonl")).unwrap();

    let mut estimator = PoseEstimator::new(PoseConfig {
        variant: ModelVariant::Lite,
        ..PoseConfig::mediapipe_reference()
    })
    .unwrap();
    let agreement = compare(&run(&mut estimator, &frames), &reference);
    let summary = agreement.summary("pose2sim-cam01 (Lite vs MediaPipe Full)");
    eprintln!("{summary}");
    assert!(agreement.found_pct() >= 97.0, "{summary}");
    assert!(agreement.median_torso_pct() <= 5.0, "{summary}");
}

/// After a detection, MediaPipe's tracked ROI creeps from the detector's box to where the
/// landmarks put the body, over seconds, and the landmarks creep with it. On a still body
/// lying under a raised camera the trunk line turned 1.3° that way in its first four
/// seconds: twice a pelvic tilt, counted as one that never came back. Settling the ROI on
/// the first frame (`PoseConfig::settle_first_roi`, not yet on by default) leaves the
/// trunk line where it will stay.
#[test]
fn settling_the_first_roi_keeps_a_still_body_still() {
    let clip = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clips/bodies-HI/pelvic_tilt__short_hold__side_elev30__I-s821.mp4");
    // Still until its first tilt at 4.1 s.
    let frames: Vec<_> = decode_video(&clip, None).into_iter().take(120).collect();
    let creep_deg = |settle_first_roi: bool| {
        let mut estimator = PoseEstimator::new(PoseConfig {
            settle_first_roi,
            ..PoseConfig::default()
        })
        .unwrap();
        let angles: Vec<f64> = run(&mut estimator, &frames)
            .iter()
            .map(|pose| {
                let p = pose.as_ref().expect("the body is found in every frame");
                let mid = |a: usize, b: usize| {
                    let (a, b) = (&p.landmarks[a], &p.landmarks[b]);
                    (
                        (a.x_px + b.x_px) as f64 / 2.0,
                        (a.y_px + b.y_px) as f64 / 2.0,
                    )
                };
                let (hip, shoulder) = (mid(23, 24), mid(11, 12));
                (shoulder.1 - hip.1).atan2(shoulder.0 - hip.0).to_degrees()
            })
            .collect();
        let median = |s: &[f64]| {
            let mut s = s.to_vec();
            s.sort_by(f64::total_cmp);
            s[s.len() / 2]
        };
        (median(&angles[100..120]) - median(&angles[3..9])).abs()
    };
    let (settled, creeping) = (creep_deg(true), creep_deg(false));
    eprintln!("trunk line over 4 s: settled {settled:.2}°, MediaPipe's way {creeping:.2}°");
    assert!(
        settled < 0.3,
        "settled ROI: the trunk line crept {settled:.2}°"
    );
    assert!(
        creeping > 0.8,
        "MediaPipe's ROI: {creeping:.2}° (the creep this undoes)"
    );
}
