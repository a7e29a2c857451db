//! `backform analyze` end to end through the binary, on rendered exercise clips.

#![allow(clippy::expect_used)] // helpers outside #[test] fns

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(rel);
    path.exists().then_some(path).or_else(|| {
        eprintln!("skipping: fixture {rel} is absent");
        None
    })
}

#[test]
fn report_on_stdout_is_the_json_alone_and_matches_the_clip() {
    let Some(clip) = fixture("exercises/pelvic_rock__good__front_seated.mp4") else {
        return;
    };
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(clip.with_extension("json")).unwrap())
            .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_backform"))
        .args([
            "analyze",
            clip.to_str().unwrap(),
            "--exercise",
            "pelvic-rock",
            "--report",
            "-",
        ])
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(report["exercise"], "pelvic-rock");
    let true_reps = truth["reps"].as_array().unwrap();
    let left = true_reps.iter().filter(|r| r["side"] == "left").count() as u64;
    let right = true_reps.iter().filter(|r| r["side"] == "right").count() as u64;
    assert_eq!(report["counts"]["left"].as_u64(), Some(left), "{report}");
    assert_eq!(report["counts"]["right"].as_u64(), Some(right), "{report}");
    assert_eq!(
        report["faults"].as_array().map(Vec::len),
        Some(0),
        "good form: {report}"
    );
    let duration = truth["duration_s"].as_f64().unwrap();
    assert!(
        (report["duration_s"].as_f64().unwrap() - duration).abs() < 0.1,
        "{report}"
    );
}

#[test]
fn an_unknown_exercise_names_the_known_ones() {
    let out = Command::new(env!("CARGO_BIN_EXE_backform"))
        .args([
            "analyze",
            "whatever.mp4",
            "--exercise",
            "sit-ups",
            "--report",
            "-",
        ])
        .output()
        .expect("the binary runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("sit-ups") && stderr.contains("pelvic-rock"),
        "{stderr}"
    );
}

#[test]
fn exercises_lists_all_four() {
    let out = Command::new(env!("CARGO_BIN_EXE_backform"))
        .arg("exercises")
        .output()
        .expect("the binary runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for id in [
        "pelvic-tilt",
        "controlled-rotation",
        "pelvic-rock",
        "back-block-traction",
    ] {
        assert!(text.contains(id), "{id} missing from:\n{text}");
    }
}
