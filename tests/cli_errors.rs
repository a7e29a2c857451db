//! Bad input through the real binary: one clear line on stderr, a non-zero exit, and
//! nothing lost that could be kept.

#![allow(clippy::expect_used)] // helpers outside #[test] fns

mod require;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn backform(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_backform"));
    command.args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("the binary runs")
}

fn fixture(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(rel);
    path.exists().then_some(path).or_else(|| {
        require::skip(format!("fixture {rel} is absent"));
        None
    })
}

/// Fails with exactly one line of our own on stderr, containing `needle`.
fn assert_one_clear_error(output: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "must fail: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected, got: {stderr}");
    assert!(lines[0].starts_with("backform: "), "{stderr}");
    assert!(lines[0].contains(needle), "`{needle}` not in: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn nonexistent_video() {
    let out = backform(&["analyze", "/no/such/clip.mp4", "--landmarks", "-"], &[]);
    assert_one_clear_error(&out, "no such file");
}

#[test]
fn text_file_named_mp4() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clip.mp4");
    std::fs::write(&path, "not a video\n").unwrap();
    let out = backform(
        &["analyze", path.to_str().unwrap(), "--landmarks", "-"],
        &[],
    );
    assert_one_clear_error(&out, "cannot be read as a video");
}

#[test]
fn truncated_mp4_keeps_the_frames_before_the_cut() {
    let Some(clip) = fixture("video/sports2d-demo.mp4") else {
        return;
    };
    let bytes = std::fs::read(&clip).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    let landmarks = dir.path().join("out.jsonl");
    let out = backform(
        &[
            "analyze",
            cut.to_str().unwrap(),
            "--landmarks",
            landmarks.to_str().unwrap(),
        ],
        &[],
    );
    assert_one_clear_error(&out, "truncated");
    let written = std::fs::read_to_string(&landmarks).unwrap();
    let lines = written.lines().count();
    assert!(
        lines > 10 && lines < 230,
        "{lines} frames kept of a clip cut at a third"
    );
}

#[test]
fn missing_model() {
    let Some(clip) = fixture("video/pose2sim-cam01.mp4") else {
        return;
    };
    let empty = tempfile::tempdir().unwrap();
    let out = backform(
        &["analyze", clip.to_str().unwrap(), "--landmarks", "-"],
        &[("BACKFORM_MODELS", empty.path().to_str().unwrap())],
    );
    assert_one_clear_error(&out, "pose_detection.onnx is missing");
    assert!(String::from_utf8_lossy(&out.stderr).contains("make models"));
}

#[test]
fn corrupt_model() {
    let Some(clip) = fixture("video/pose2sim-cam01.mp4") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pose_detection.onnx"), "not a model").unwrap();
    let out = backform(
        &["analyze", clip.to_str().unwrap(), "--landmarks", "-"],
        &[("BACKFORM_MODELS", dir.path().to_str().unwrap())],
    );
    assert_one_clear_error(&out, "corrupt");
}

#[test]
fn missing_runtime_library() {
    let Some(clip) = fixture("video/pose2sim-cam01.mp4") else {
        return;
    };
    let out = backform(
        &["analyze", clip.to_str().unwrap(), "--landmarks", "-"],
        &[("BACKFORM_ORT_LIB", "/nonexistent/libonnxruntime.so.1.31.1")],
    );
    assert_one_clear_error(&out, "ONNX Runtime library not found");
    assert!(String::from_utf8_lossy(&out.stderr).contains("make setup"));
}
