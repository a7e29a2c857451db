//! The coach on the rendered exercise clips, judged against their frame-exact ground
//! truth (`../shared/fixtures/exercises/<clip>.json`).
//!
//! The pose source is pluggable (`SOURCES`): MediaPipe's own landmarks on the clips
//! (`reference/<clip>.jsonl`), and our own pose pipeline on the `.mp4` files — the very
//! path `backform analyze` takes (`pipeline::analyze`). Clips, models or the ONNX
//! Runtime library that are absent are skipped with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod support;

use std::path::{Path, PathBuf};

use backform::coach;
use backform::exercises::{FaultCode, Side};
use backform::pose::Pose;
use backform::pose::jsonl::read_landmarks;
use support::truth::{Truth, TruthFault, TruthRep, TruthStep, judge};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/exercises")
}

/// A pose source: the clip's frames as `(t_s, pose)`, or `None` if unavailable.
type PoseSource = fn(&Path, &str) -> Option<Vec<(f64, Option<Pose>)>>;

/// MediaPipe 0.10.14's landmarks on the clip (the reference JSONL).
fn mediapipe_reference(dir: &Path, stem: &str) -> Option<Vec<(f64, Option<Pose>)>> {
    let path = dir.join("reference").join(format!("{stem}.jsonl"));
    if !path.exists() {
        eprintln!("skipping {stem}: {} is absent", path.display());
        return None;
    }
    let lines = read_landmarks(&path).ok()?;
    Some(lines.iter().map(|l| (l.t, l.to_pose(640, 480))).collect())
}

/// Our pipeline on the clip's video, exactly as `backform analyze` runs it.
fn backform_pipeline(dir: &Path, stem: &str) -> Option<Vec<(f64, Option<Pose>)>> {
    use backform::capture::SourceSpec;
    use backform::pipeline::analyze;
    use backform::pose::PoseConfig;
    let path = dir.join(format!("{stem}.mp4"));
    if !path.exists() {
        eprintln!("skipping {stem}: {} is absent", path.display());
        return None;
    }
    let (mut prefetch, mut estimator) =
        match analyze::open(&SourceSpec::Video(path), PoseConfig::default()) {
            Ok(opened) => opened,
            Err(e) => {
                eprintln!("skipping {stem} through the pipeline: {e}");
                return None;
            }
        };
    let mut frames = Vec::new();
    analyze::run(&mut prefetch, &mut estimator, None, |outcome| {
        frames.push((outcome.timestamp_s, outcome.pose.cloned()));
        Ok(())
    })
    .ok()?;
    Some(frames)
}

/// The pose sources the clips are judged through.
const MEDIAPIPE: (&str, PoseSource) = ("mediapipe-reference", mediapipe_reference);
const PIPELINE: (&str, PoseSource) = ("backform-pipeline", backform_pipeline);

fn side(v: &serde_json::Value) -> Option<Side> {
    match v.as_str() {
        Some("left") => Some(Side::Left),
        Some("right") => Some(Side::Right),
        _ => None,
    }
}

/// Reads a clip's ground truth into the judge's terms.
fn truth_of(dir: &Path, stem: &str) -> Option<Truth> {
    let text = std::fs::read_to_string(dir.join(format!("{stem}.json"))).ok()?;
    let gt: serde_json::Value = serde_json::from_str(&text).ok()?;
    let fps = gt["fps"].as_f64()?;
    let exercise = gt["exercise"].as_str()?.replace('_', "-");
    let frame = |v: &serde_json::Value| v.as_f64().unwrap_or(0.0) / fps;
    let reps = gt["reps"].as_array()?;
    let mut truth = Truth {
        exercise: exercise.clone(),
        duration_s: gt["duration_s"].as_f64()?,
        ..Truth::default()
    };
    if exercise == "back-block-traction" {
        // From the first frame on the block to the end.
        truth.timed_hold_s = Some(truth.duration_s);
        truth.steps = reps
            .iter()
            .map(|r| TruthStep {
                side: side(&r["side"]),
                start_s: frame(&r["start_frame"]),
                end_s: frame(&r["end_frame"]),
            })
            .collect();
    } else {
        truth.reps = reps
            .iter()
            .map(|r| TruthRep {
                side: side(&r["side"]),
                start_s: frame(&r["start_frame"]),
                end_s: frame(&r["end_frame"]),
                hold_s: r["hold_s"].as_f64(),
            })
            .collect();
    }
    truth.faults = gt["faults"]
        .as_array()?
        .iter()
        .filter_map(|f| {
            Some(TruthFault {
                code: f["name"].as_str()?.parse::<FaultCode>().ok()?,
                start_s: frame(&f["start_frame"]),
                end_s: frame(&f["end_frame"]),
            })
        })
        .collect();
    Some(truth)
}

fn check(
    dir: &Path,
    stem: &str,
    camera_prompt: Option<&str>,
    source: (&str, PoseSource),
) -> Vec<String> {
    let Some(mut truth) = truth_of(dir, stem) else {
        eprintln!("skipping {stem}: ground truth absent");
        return Vec::new();
    };
    if let Some(text) = camera_prompt {
        truth.expect_camera_prompt = Some(text.to_owned());
    }
    let mut failures = Vec::new();
    let (source_name, source) = source;
    if let Some(frames) = source(dir, stem) {
        let (report, _events) = coach::analyze(
            &truth.exercise,
            frames.iter().map(|(t, p)| (*t, p.as_ref())),
            truth.duration_s,
        )
        .unwrap();
        let verdict = judge(&truth, &report);
        eprintln!("== {stem} [{source_name}]");
        for line in &verdict.lines {
            eprintln!("   {line}");
        }
        for f in &verdict.failures {
            eprintln!("   FAIL {f}");
        }
        if !report.notes.is_empty() {
            eprintln!("   notes: {:?}", report.notes);
        }
        failures.extend(
            verdict
                .failures
                .iter()
                .map(|f| format!("{stem} [{source_name}]: {f}")),
        );
    }
    failures
}

fn run(stems: &[&str], source: (&str, PoseSource)) {
    let dir = fixtures();
    if !dir.exists() {
        eprintln!("skipping: {} is absent", dir.display());
        return;
    }
    let failures: Vec<String> = stems
        .iter()
        .flat_map(|s| check(&dir, s, None, source))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

const TILT: [&str; 2] = [
    "pelvic_tilt__good__side_floor",
    "pelvic_tilt__bridge__side_floor",
];
const ROTATION: [&str; 2] = [
    "controlled_rotation__good__side_floor",
    "controlled_rotation__too_far__side_floor",
];
const ROCK: [&str; 2] = [
    "pelvic_rock__good__front_seated",
    "pelvic_rock__shoulder_sway__front_seated",
];
const TRACTION: [&str; 2] = [
    "back_block_traction__good__side_floor",
    "back_block_traction__block_too_high__side_floor",
];
const FEET_END: [&str; 2] = [
    "controlled_rotation__good__feet_elev",
    "controlled_rotation__too_far__feet_elev",
];

#[test]
fn pelvic_tilt_clips() {
    run(&TILT, MEDIAPIPE);
}

#[test]
fn controlled_rotation_clips() {
    run(&ROTATION, MEDIAPIPE);
}

#[test]
fn pelvic_rock_clips() {
    run(&ROCK, MEDIAPIPE);
}

#[test]
fn back_block_traction_clips() {
    run(&TRACTION, MEDIAPIPE);
}

fn bad_placement(source: (&str, PoseSource)) {
    let dir = fixtures().join("bad-placement");
    if !dir.exists() {
        eprintln!("skipping: {} is absent", dir.display());
        return;
    }
    let spec = backform::exercises::spec::load("controlled-rotation").unwrap();
    let failures: Vec<String> = FEET_END
        .iter()
        .flat_map(|s| check(&dir, s, Some(&spec.camera.wrong_view), source))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn rotation_filmed_from_the_feet_ends_in_a_camera_prompt() {
    bad_placement(MEDIAPIPE);
}

// The same clips through our own pose pipeline (slow: a pose estimate per frame).

#[test]
fn pelvic_tilt_clips_through_our_pipeline() {
    run(&TILT, PIPELINE);
}

#[test]
fn controlled_rotation_clips_through_our_pipeline() {
    run(&ROTATION, PIPELINE);
}

#[test]
fn pelvic_rock_clips_through_our_pipeline() {
    run(&ROCK, PIPELINE);
}

#[test]
fn back_block_traction_clips_through_our_pipeline() {
    run(&TRACTION, PIPELINE);
}

#[test]
fn rotation_filmed_from_the_feet_through_our_pipeline() {
    bad_placement(PIPELINE);
}
