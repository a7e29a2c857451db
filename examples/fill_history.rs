//! Fills a data folder's history with six weeks of sessions, for the History screen's
//! screenshots (`docs/screenshots/take-history.sh`).
//!
//! Every run is real: the coach (`backform::coach::analyze`, what `backform analyze`
//! runs) over MediaPipe's landmarks of the exercise fixture clips, turned into a stored
//! run by `history::import::run_input` (the importer's own conversion) and written with
//! `Store::insert_run`. Only the dates and pain ratings are chosen here: sessions spread
//! over the last 42 days, the faulty clips more often early on, pain easing.
//!
//!     cargo run --release --example fill_history -- DATA_DIR [REFERENCE_DIR]

use std::path::{Path, PathBuf};

use anyhow::Context;
use backform::coach::routine::{EndReason, ExerciseRecord};
use backform::coach::{self, Event};
use backform::history::Store;
use backform::history::import::run_input;
use backform::history::store::{FILE_NAME, PainInput};
use backform::pose::jsonl::read_landmarks;

const DAY_S: f64 = 86_400.0;

/// The routine's order; for each exercise its clean clip and its faulty one.
const CLIPS: [(&str, &str, &str); 4] = [
    (
        "pelvic-tilt",
        "pelvic_tilt__good__side_floor",
        "pelvic_tilt__bridge__side_floor",
    ),
    (
        "controlled-rotation",
        "controlled_rotation__good__side_floor",
        "controlled_rotation__too_far__side_floor",
    ),
    (
        "pelvic-rock",
        "pelvic_rock__good__front_seated",
        "pelvic_rock__shoulder_sway__front_seated",
    ),
    (
        "back-block-traction",
        "back_block_traction__good__side_floor",
        "back_block_traction__block_too_high__side_floor",
    ),
];

/// Days ago of each session, oldest first: three or four a week.
const SESSION_DAYS_AGO: [u32; 20] = [
    41, 39, 37, 34, 32, 30, 27, 25, 23, 20, 18, 16, 13, 11, 9, 6, 4, 3, 1, 0,
];

/// The coach's record of one clip, as the routine would log it.
fn analyze_clip(reference: &Path, exercise: &str, clip: &str) -> anyhow::Result<ExerciseRecord> {
    let path = reference.join(format!("{clip}.jsonl"));
    let lines = read_landmarks(&path).with_context(|| format!("reading {}", path.display()))?;
    // The fixture clips are rendered at 640×480.
    let frames: Vec<(f64, Option<backform::pose::Pose>)> =
        lines.iter().map(|l| (l.t, l.to_pose(640, 480))).collect();
    let end_s = frames.last().map_or(0.0, |f| f.0) + 1.0 / 30.0;
    let (report, events) = coach::analyze(
        exercise,
        frames.iter().map(|(t, p)| (*t, p.as_ref())),
        end_s,
    )?;
    let count = |pick: fn(&Event) -> bool| events.iter().filter(|e| pick(e)).count() as u32;
    let spec = backform::exercises::spec::load(exercise)?;
    Ok(ExerciseRecord {
        exercise: exercise.to_string(),
        name: spec.name.clone(),
        end: EndReason::Completed,
        started_t_s: 0.0,
        duration_s: report.duration_s,
        reps_total: report.counts.total,
        sets_completed: count(|e| matches!(e, Event::SetCompleted { .. })),
        holds_completed: count(|e| matches!(e, Event::HoldCompleted { .. })),
        report: serde_json::to_value(&report)?,
    })
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let data_dir = PathBuf::from(
        args.next()
            .context("usage: fill_history DATA_DIR [REFERENCE_DIR]")?,
    );
    let reference = args.next().map(PathBuf::from).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/exercises/reference")
    });
    let mut records = Vec::new();
    for (exercise, good, faulty) in CLIPS {
        records.push((
            analyze_clip(&reference, exercise, good)?,
            analyze_clip(&reference, exercise, faulty)?,
        ));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs_f64();
    let mut store = Store::open(&data_dir.join(FILE_NAME))?;
    let (mut runs, mut pains) = (0, 0);
    for (i, &days_ago) in SESSION_DAYS_AGO.iter().enumerate() {
        // Morning, midday or evening, and never in the future.
        let hours_before_now = [2.0, 6.0, 10.0][i % 3];
        let started = now - f64::from(days_ago) * DAY_S - hours_before_now * 3600.0;
        let session_id = format!("{}", started as u64);
        let progress = i as f64 / (SESSION_DAYS_AGO.len() - 1) as f64;
        // Pain eases from 7 to 2; a session mostly helps.
        let before = (7.0 - 5.0 * progress).round() as u8 + u8::from(i % 4 == 1);
        let after = before.saturating_sub(1 + u8::from(i % 3 == 0));
        pains += usize::from(store.insert_pain(&PainInput {
            session_id: session_id.clone(),
            unix_s: started,
            moment: "before_session".into(),
            score: before,
        })?);
        let mut clock = started + 60.0;
        for (j, (good, faulty)) in records.iter().enumerate() {
            // Faults early on, fewer later; some sessions skip the last exercise.
            let use_faulty = (i + j) % 5 < (4.0 - 3.0 * progress).round() as usize;
            if j == 3 && i % 4 == 2 {
                continue;
            }
            let mut record = if use_faulty { faulty } else { good }.clone();
            record.started_t_s = clock - started;
            clock += record.duration_s + 45.0;
            runs += usize::from(store.insert_run(&run_input(&session_id, clock, &record))?);
        }
        pains += usize::from(store.insert_pain(&PainInput {
            session_id,
            unix_s: clock + 30.0,
            moment: "after_session".into(),
            score: after,
        })?);
    }
    println!(
        "{}: {runs} runs and {pains} pain ratings over {} sessions",
        data_dir.join(FILE_NAME).display(),
        SESSION_DAYS_AGO.len()
    );
    Ok(())
}
