//! The soak (`make soak`, not part of `make test`): the app's worker with its history
//! writer, on a fixture clip the grabber loops (timestamps rising across loops), paced
//! at the clip's 30 frames/s with the real pose model, for `BACKFORM_SOAK_MINUTES`
//! (30 by default). The exercise starts again whenever the routine finishes, so reps
//! keep flowing to SQLite. Resident memory is sampled every 10 s; at the end it must be
//! within 10% of the sample after the first minute. Prints the samples, the reps kept
//! and the database's size.

#![allow(clippy::expect_used, clippy::unwrap_used)] // helpers outside #[test] fns

mod require;

use std::path::Path;
use std::time::{Duration, Instant};

use backform::coach::routine::{RoutineConfig, Stage};
use backform::pipeline::engine::{EngineOptions, SourceChoice, worker_config};
use backform::pipeline::history_writer::HistoryConfig;
use backform::pipeline::{Command, PipelineHandle, Worker};

/// Resident set size of this process, KiB (Linux).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
#[ignore = "30 minutes: make soak"]
fn thirty_minutes_of_coaching_and_history_keep_memory_flat() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let clip =
        manifest.join("../shared/fixtures/exercises/pelvic_rock__shoulder_sway__front_seated.mp4");
    if !clip.exists() {
        require::skip(format!("{} is absent", clip.display()));
        return;
    }
    let minutes: f64 = std::env::var("BACKFORM_SOAK_MINUTES")
        .ok()
        .and_then(|m| m.parse().ok())
        .unwrap_or(30.0);
    let data = tempfile::tempdir().unwrap();
    let history = HistoryConfig {
        db_path: data.path().join("history.sqlite3"),
        data_dir: data.path().to_path_buf(),
        session_id: "soak".into(),
        max_page_count: None,
        model: None,
    };
    let options = EngineOptions {
        routine: RoutineConfig {
            skip_readiness: true,
            ..RoutineConfig::default()
        },
        history: Some(history.clone()),
        loop_video: true,
        ..EngineOptions::default()
    };
    let mut worker =
        Worker::spawn(worker_config(&SourceChoice::Video(clip), &options), || {}).unwrap();
    worker.send(Command::StartExercise("pelvic-rock".into()));

    let started = Instant::now();
    let total = Duration::from_secs_f64(minutes * 60.0);
    let mut next_sample = Duration::ZERO;
    let mut samples: Vec<(f64, u64)> = Vec::new();
    let mut last_t_s = 0.0_f64;
    let mut restarts = 0;
    let mut was_finished = false;
    while started.elapsed() < total {
        if let Some(snapshot) = worker.latest() {
            if let Some(frame) = &snapshot.frame {
                last_t_s = last_t_s.max(frame.timestamp_s);
            }
            let finished = snapshot
                .routine
                .as_ref()
                .is_some_and(|r| r.stage == Stage::Finished);
            if finished && !was_finished {
                restarts += 1;
                worker.send(Command::StartExercise("pelvic-rock".into()));
            }
            was_finished = finished;
            if let Some(problem) = snapshot.history.as_ref().and_then(|h| h.problem.clone()) {
                panic!("the history failed: {problem}");
            }
        }
        if started.elapsed() >= next_sample {
            let kib = rss_kib();
            println!(
                "{:7.1} s  rss {:7.1} MiB",
                started.elapsed().as_secs_f64(),
                kib as f64 / 1024.0
            );
            samples.push((started.elapsed().as_secs_f64(), kib));
            next_sample += Duration::from_secs(10);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(worker);

    let store = backform::history::Store::open(&history.db_path).unwrap();
    let reps = store.rep_rows().unwrap().len();
    let runs = store.run_summaries().unwrap().len();
    let db_bytes: u64 = ["", "-wal"]
        .iter()
        .filter_map(|suffix| {
            std::fs::metadata(format!("{}{suffix}", history.db_path.display())).ok()
        })
        .map(|m| m.len())
        .sum();
    let after_minute = samples
        .iter()
        .find(|(t, _)| *t >= 60.0)
        .map_or(samples[0].1, |s| s.1);
    let last = samples.last().unwrap().1;
    println!(
        "soak: {minutes} min, last frame at {last_t_s:.1} s of its clock, {restarts} restarts, {runs} runs, {reps} reps kept, database {:.1} KiB",
        db_bytes as f64 / 1024.0
    );
    println!(
        "soak: rss after 1 min {:.1} MiB, at the end {:.1} MiB ({:+.1}%)",
        after_minute as f64 / 1024.0,
        last as f64 / 1024.0,
        (last as f64 / after_minute as f64 - 1.0) * 100.0
    );
    assert!(reps > 0, "reps reached the history");
    assert!(
        runs > restarts,
        "every exercise run is kept: {runs} runs for {restarts} restarts"
    );
    assert!(last_t_s > 60.0, "the clip looped with rising timestamps");
    if minutes >= 2.0 {
        assert!(
            (last as f64) <= after_minute as f64 * 1.10,
            "memory grew from {after_minute} KiB to {last} KiB"
        );
    }
}
