//! UI tests of the History screen and the end-of-session summary: the real app
//! (`BackformApp`) through egui_kittest, with its data folder a temporary one filled
//! through the store's own API (`Store::insert_run` / `insert_pain`).

// Test helpers outside #[test] functions may panic too: a failed set-up is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use backform::coach::routine::{CoachFactory, EndReason, ExerciseRecord, RoutineConfig};
use backform::history::Store;
use backform::history::import::run_input;
use backform::history::store::{FILE_NAME, PainInput};
use backform::pipeline::engine::BuiltinExercises;
use backform::pipeline::scripted::{ScriptedPoses, SyntheticFrames};
use backform::pipeline::{InlinePipeline, PipelineHandle};
use backform::ui::app::{PipelineLauncher, Screen};
use backform::ui::sound::Sounds;
use backform::ui::{AppOptions, BackformApp};
use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

const DAY_S: f64 = 86_400.0;

fn now_s() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// A pelvic-tilt record as the routine makes it: three reps, two too short.
fn tilt_record() -> ExerciseRecord {
    let rep = |start: f64, hold: f64, faults: &[&str]| {
        serde_json::json!({"side": null, "side_inferred": false, "start_s": start,
            "end_s": start + 8.0, "hold_s": hold, "faults": faults})
    };
    ExerciseRecord {
        exercise: "pelvic-tilt".into(),
        name: "Pelvic tilts".into(),
        end: EndReason::Completed,
        started_t_s: 3.0,
        duration_s: 60.0,
        reps_total: 3,
        sets_completed: 0,
        holds_completed: 1,
        report: serde_json::json!({
            "reps": [rep(5.0, 6.2, &[]), rep(15.0, 2.5, &["hold-too-short"]), rep(25.0, 3.1, &["hold-too-short"])],
            "faults": [],
            "prompts": [],
        }),
    }
}

fn rock_record() -> ExerciseRecord {
    let rep = |start: f64, side: &str| {
        serde_json::json!({"side": side, "side_inferred": false, "start_s": start,
            "end_s": start + 1.5, "hold_s": null, "faults": ["shoulders-sway"]})
    };
    ExerciseRecord {
        exercise: "pelvic-rock".into(),
        name: "Pelvic rocks".into(),
        end: EndReason::Skipped,
        started_t_s: 70.0,
        duration_s: 30.0,
        reps_total: 2,
        sets_completed: 0,
        holds_completed: 0,
        report: serde_json::json!({
            "reps": [rep(72.0, "left"), rep(75.0, "right")],
            "faults": [], "prompts": [],
        }),
    }
}

/// Two sessions: pelvic tilts yesterday (pain 6 → 4), pelvic rocks 20 days ago.
fn fill(dir: &Path) {
    let mut store = Store::open(&dir.join(FILE_NAME)).unwrap();
    let yesterday = now_s() - DAY_S;
    let pain = |session: &str, unix_s: f64, moment: &str, score: u8| PainInput {
        session_id: session.into(),
        unix_s,
        moment: moment.into(),
        score,
    };
    store
        .insert_pain(&pain("recent", yesterday - 100.0, "before_session", 6))
        .unwrap();
    store
        .insert_run(&run_input("recent", yesterday, &tilt_record()))
        .unwrap();
    store
        .insert_pain(&pain("recent", yesterday + 10.0, "after_session", 4))
        .unwrap();
    store
        .insert_run(&run_input("older", now_s() - 20.0 * DAY_S, &rock_record()))
        .unwrap();
}

fn harness(options: AppOptions, frames: u64) -> Harness<'static, BackformApp> {
    let launcher: PipelineLauncher = Box::new(move |_source, _waker| {
        Ok(Box::new(InlinePipeline::new(
            Box::new(SyntheticFrames::new(frames, 30.0, 64, 48)),
            Box::new(ScriptedPoses::default()),
            Box::new(|| Box::new(BuiltinExercises) as Box<dyn CoachFactory>),
            RoutineConfig::default(),
            None,
            3,
        )) as Box<dyn PipelineHandle>)
    });
    let ctx = egui::Context::default();
    let app = BackformApp::new(&ctx, options, launcher).with_sounds(Sounds::silent());
    Harness::builder()
        .with_size(egui::vec2(1280.0, 720.0))
        .build_ui_state(|ui, app: &mut BackformApp| app.frame_ui(ui), app)
}

fn options(dir: &Path) -> AppOptions {
    AppOptions {
        mute: true,
        data_dir: Some(dir.to_path_buf()),
        config_dir: Some(dir.join("config")),
        ..AppOptions::default()
    }
}

#[test]
fn the_history_screen_charts_each_exercise_and_lists_sessions_by_day() {
    let dir = tempfile::tempdir().unwrap();
    fill(dir.path());
    let mut harness = harness(options(dir.path()), 100_000);
    harness.step();
    harness.get_by_label("History").click();
    harness.run_steps(2);
    assert_eq!(harness.state().screen(), &Screen::History);
    harness.get_by_label("Your history");
    // Last 7 days: yesterday's tilts with their holds and the pain, not the rocks.
    harness.get_by_label("Pelvic tilts: reps");
    harness.get_by_label("Pelvic tilts: holds");
    harness.get_by_label("Pain before and after");
    assert!(harness.query_by_label("Pelvic rocks: reps").is_none());
    // Sessions by day, newest first, done against prescribed (10 × 2 sets).
    harness.get_by_label("Sessions by day");
    harness.get_by_label("Pelvic tilts: 3 of 20 reps, 0 of 2 sets, 1 good hold of 5 s");
    harness.get_by_label_contains("pain 6 before, 4 after (out of 10)");
    harness.get_by_label("Pelvic rocks: 2 of 40 reps, 0 of 2 sets (skipped)");
    // Six weeks take in the rocks too.
    harness.get_by_label("Last 6 weeks").click();
    harness.run_steps(2);
    harness.get_by_label("Pelvic rocks: reps");
    harness.get_by_label("Pelvic tilts: reps");
    // Back where it came from.
    harness.get_by_label("Back").click();
    harness.run_steps(2);
    assert_eq!(harness.state().screen(), &Screen::Start);
}

#[test]
fn no_history_is_a_calm_message_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(options(dir.path()), 100_000);
    harness.step();
    harness.get_by_label("History").click();
    harness.run_steps(2);
    harness.get_by_label("No sessions yet");
    assert!(!dir.path().join(FILE_NAME).exists());
}

#[test]
fn a_history_that_cannot_be_read_is_one_line_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(FILE_NAME), "this is not a database").unwrap();
    let mut harness = harness(options(dir.path()), 100_000);
    harness.step();
    harness.get_by_label("History").click();
    harness.run_steps(2);
    harness.get_by_label_contains("file is not a database");
    assert!(harness.query_by_label("No sessions yet").is_none());
    assert_eq!(harness.state().screen(), &Screen::History);
}

#[test]
fn delete_all_my_data_asks_lists_the_files_and_empties_the_screen() {
    let dir = tempfile::tempdir().unwrap();
    fill(dir.path());
    std::fs::write(dir.path().join("sessions.jsonl.imported"), "{}\n").unwrap();
    let mut harness = harness(options(dir.path()), 100_000);
    harness.step();
    harness.get_by_label("History").click();
    harness.run_steps(2);
    harness.get_by_label("Delete all my data…").click();
    harness.run_steps(2);
    harness.get_by_label("Delete all your data?");
    harness.get_by_label_contains("sessions.jsonl.imported");
    harness.get_by_label("Also delete my settings");
    // Cancel keeps everything.
    harness.get_by_label("Cancel").click();
    harness.run_steps(2);
    assert!(dir.path().join(FILE_NAME).exists());
    harness.get_by_label("Pelvic tilts: reps");
    harness.get_by_label("Delete all my data…").click();
    harness.run_steps(2);
    harness.get_by_label("Delete everything").click();
    harness.run_steps(2);
    assert!(!dir.path().join(FILE_NAME).exists());
    assert!(!dir.path().join("sessions.jsonl.imported").exists());
    harness.get_by_label("No sessions yet");
    harness.get_by_label_contains("Deleted");
}

#[test]
fn export_from_the_history_screen_writes_the_chosen_format() {
    let dir = tempfile::tempdir().unwrap();
    fill(dir.path());
    let mut harness = harness(options(dir.path()), 100_000);
    harness.step();
    harness.get_by_label("History").click();
    harness.run_steps(2);
    harness.get_by_label("FHIR").click();
    harness.run_steps(2);
    let out = dir.path().join("for-my-physio.fhir.json");
    let path_field = harness.get_by_role(egui::accesskit::Role::TextInput);
    path_field.focus();
    harness.run_steps(1);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, Key::A);
    harness
        .get_by_role(egui::accesskit::Role::TextInput)
        .type_text(&out.display().to_string());
    harness.run_steps(2);
    harness.get_by_label("Export").click();
    harness.run_steps(2);
    harness.get_by_label(&format!("Saved {}", out.display()));
    let bundle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
}

#[test]
fn the_summary_shows_the_stored_session_and_the_main_thing_to_work_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(
        AppOptions {
            exercise: Some("pelvic-tilt".into()),
            autostart: true,
            ..options(dir.path())
        },
        100_000,
    );
    harness.run_steps(3);
    assert_eq!(harness.state().screen(), &Screen::Session);
    harness.key_press(Key::Escape);
    harness.run_steps(3);
    harness.get_by_label("End the session").click();
    harness.run_steps(3);
    assert_eq!(harness.state().screen(), &Screen::PainAfter);
    // The store's writer has this session by now: stored as its run ends.
    let mut store = Store::open(&dir.path().join(FILE_NAME)).unwrap();
    store
        .insert_run(&run_input("this-one", now_s(), &tilt_record()))
        .unwrap();
    drop(store);
    harness.get_by_label("3").click();
    harness.run_steps(2);
    assert_eq!(harness.state().screen(), &Screen::Summary);
    harness.get_by_label("What you did");
    harness.get_by_label(
        "Pelvic tilts: 3 of 20 reps, 0 of 2 sets, 1 good hold of 5 s, longest hold 6.2 s",
    );
    harness.get_by_label("The main thing to work on");
    harness.get_by_label("“Hold the tilt for 5 seconds”");
    harness.get_by_label("Pelvic tilts: on 2 reps");
    harness.get_by_label("Your pain after: 3 out of 10");
    harness.get_by_label("History").click();
    harness.run_steps(2);
    assert_eq!(harness.state().screen(), &Screen::History);
    harness.get_by_label("Back").click();
    harness.run_steps(2);
    assert_eq!(harness.state().screen(), &Screen::Summary);
}
