//! UI tests of the settings (panel, file, command-line precedence) and of what
//! assistive technology sees: the real app (`BackformApp`) through egui_kittest, which
//! reads the same AccessKit tree a screen reader gets.

// Test helpers outside #[test] functions may panic too: a failed set-up is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use backform::coach::routine::{CoachFactory, RoutineConfig};
use backform::pipeline::engine::BuiltinExercises;
use backform::pipeline::scripted::{ScriptedPoses, SyntheticFrames};
use backform::pipeline::speaker::{FakeVoice, Speaker};
use backform::pipeline::{InlinePipeline, PipelineHandle};
use backform::settings::{Mirror, Model, Settings, SettingsFile};
use backform::ui::app::{Launch, PipelineLauncher};
use backform::ui::sound::Sounds;
use backform::ui::{AppOptions, BackformApp};
use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable, by};
use std::sync::{Arc, Mutex};

/// The app on synthetic frames; every launch it was asked for is recorded.
fn harness(
    options: AppOptions,
    launches: Arc<Mutex<Vec<Launch>>>,
) -> Harness<'static, BackformApp> {
    harness_speaking(options, launches, Speaker::silent())
}

fn harness_speaking(
    options: AppOptions,
    launches: Arc<Mutex<Vec<Launch>>>,
    speaker: Speaker,
) -> Harness<'static, BackformApp> {
    let launcher: PipelineLauncher = Box::new(move |launch: &Launch, _waker| {
        launches.lock().unwrap().push(launch.clone());
        Ok(Box::new(InlinePipeline::new(
            Box::new(SyntheticFrames::new(100_000, 30.0, 64, 48)),
            Box::new(ScriptedPoses::default()),
            Box::new(|| Box::new(BuiltinExercises) as Box<dyn CoachFactory>),
            RoutineConfig::default(),
            None,
            3,
        )) as Box<dyn PipelineHandle>)
    });
    let ctx = egui::Context::default();
    let app = BackformApp::new(&ctx, options, launcher)
        .with_sounds(Sounds::silent())
        .with_speaker(speaker);
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 720.0))
        .build_ui_state(|ui, app: &mut BackformApp| app.frame_ui(ui), app);
    harness.run_steps(2);
    harness
}

fn options(dir: &Path) -> AppOptions {
    AppOptions {
        data_dir: Some(dir.to_path_buf()),
        config_dir: Some(dir.join("config")),
        ..AppOptions::default()
    }
}

fn no_launches() -> Arc<Mutex<Vec<Launch>>> {
    Arc::new(Mutex::new(Vec::new()))
}

#[test]
fn settings_made_in_the_panel_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut harness = harness(options(dir.path()), no_launches());
        // Choosing an exercise is remembered too (then back from the pain question).
        harness.get_by_label("Pelvic rocks").click();
        harness.run_steps(2);
        harness.get_by_label("Back").click();
        harness.run_steps(2);
        harness.get_by_label("Settings").click();
        harness.run_steps(2);
        harness
            .get_by_label("Sound on (M): tones, and the voice if on")
            .click();
        harness.get_by_label("Never").click();
        harness.get_by_label("Lite (for slower computers)").click();
        harness.run_steps(2);
        // Last: at a new text size the harness's clicks no longer land where egui
        // draws (it keeps its own pixels-per-point).
        harness.get_by_label("125%").click();
        harness.run_steps(2);
        assert!(harness.state().is_muted());
    }
    let file = SettingsFile::load(Some(&dir.path().join("config")));
    let expected = Settings {
        sound: false,
        mirror: Mirror::Off,
        model: Model::Lite,
        text_scale: 1.25,
        last_plan: Some("pelvic-rock".into()),
        ..Settings::default()
    };
    assert_eq!(file.settings, expected, "the file holds what was chosen");

    // A new app from the same folder starts as the last one was left.
    let launches = no_launches();
    let harness = harness(options(dir.path()), Arc::clone(&launches));
    let app = harness.state();
    assert_eq!(app.settings(), &expected);
    assert!(app.is_muted(), "sound off, remembered");
    assert!(!app.is_mirrored(), "mirror never, remembered");
    assert_eq!(harness.ctx.zoom_factor(), 1.25, "text size remembered");
    assert_eq!(
        launches.lock().unwrap()[0].model,
        backform::pose::ModelVariant::Lite,
        "the remembered model runs"
    );
}

#[test]
fn a_flag_on_the_command_line_wins_for_its_run_and_is_not_saved() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let mut file = SettingsFile::load(Some(&config));
    file.settings.model = Model::Lite;
    file.settings.camera_index = 2;
    file.save().unwrap();

    let launches = no_launches();
    let mut harness = harness(
        AppOptions {
            mute: true,
            model: Some(backform::pose::ModelVariant::Full),
            ..options(dir.path())
        },
        Arc::clone(&launches),
    );
    assert!(harness.state().is_muted(), "--mute wins");
    let first = launches.lock().unwrap()[0].clone();
    assert_eq!(
        first.model,
        backform::pose::ModelVariant::Full,
        "--model wins"
    );
    assert_eq!(
        first.source,
        backform::ui::SourceChoice::Camera(2),
        "no --camera: the remembered camera"
    );
    harness.run_steps(3);
    drop(harness);
    let after = SettingsFile::load(Some(&config)).settings;
    assert!(after.sound, "--mute is not written");
    assert_eq!(after.model, Model::Lite, "--model is not written");
}

#[test]
fn every_start_screen_and_settings_control_has_a_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(options(dir.path()), no_launches());
    for label in [
        "Start the routine",
        "Pelvic tilts",
        "Controlled rotations",
        "Pelvic rocks",
        "Back block traction",
        "History",
        "Settings",
    ] {
        harness.get_by_label(label);
    }
    harness.get_by_label("Settings").click();
    harness.run_steps(2);
    for label in [
        "Sound on (M): tones, and the voice if on",
        "Speak the coaching aloud",
        "Speaking rate",
        "Voice volume",
        "For front views",
        "Always",
        "Never",
        "Camera number",
        "Full (more accurate)",
        "Lite (for slower computers)",
        "100%",
        "125%",
        "150%",
    ] {
        // A slider's text is a label beside it: at least one node has the name.
        assert!(
            harness.query_all_by_label_contains(label).next().is_some(),
            "no control named {label}"
        );
    }
}

/// The names of the focusable controls in the order Tab visits them.
fn tab_order(harness: &mut Harness<'static, BackformApp>, presses: usize) -> Vec<String> {
    let mut order = Vec::new();
    for _ in 0..presses {
        harness.key_press(Key::Tab);
        harness.run_steps(1);
        let focused = harness
            .query_all(by().predicate(|node| node.is_focused()))
            .filter_map(|node| node.accesskit_node().label())
            .next()
            .unwrap_or_default();
        order.push(focused);
    }
    order
}

#[test]
fn tab_walks_the_start_screen_in_reading_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(options(dir.path()), no_launches());
    let order = tab_order(&mut harness, 18);
    assert_eq!(
        order,
        [
            "Start the routine",
            "Once the spasm has settled",
            "Pelvic tilts",
            "Controlled rotations",
            "Pelvic rocks",
            "Back block traction",
            "Standing child's pose",
            "Standing side bends",
            "Back rotation stretch",
            "Bridges",
            "Mini squats",
            "Seated twists",
            "Lying twists",
            "Or a routine file from your physio:",
            "Open",
            "Play the demo",
            "Settings",
            "History",
        ]
    );
}

#[test]
fn the_prompt_line_is_a_polite_live_region() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(
        AppOptions {
            exercise: Some("pelvic-tilt".into()),
            autostart: true,
            ..options(dir.path())
        },
        no_launches(),
    );
    harness.run_steps(3);
    let live: Vec<_> = harness
        .query_all(by().predicate(|node| node.live() == egui::accesskit::Live::Polite))
        // A label's text is its value.
        .filter(|node| node.accesskit_node().role() == egui::accesskit::Role::Label)
        .filter_map(|node| node.accesskit_node().value())
        .collect();
    assert_eq!(live.len(), 1, "one live region: {live:?}");
    // No one in the picture: the prompt says what is needed to start.
    assert!(!live[0].is_empty());
}

#[test]
fn a_video_whose_sidecar_names_its_exercise_is_coached_as_that_exercise() {
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("seated.mp4");
    std::fs::write(&video, b"frames come from the test's launcher").unwrap();
    std::fs::write(
        dir.path().join("seated.json"),
        r#"{"exercise": "pelvic-rock"}"#,
    )
    .unwrap();
    let mut harness = harness(
        AppOptions {
            source: Some(backform::ui::SourceChoice::Video(video)),
            ..options(dir.path())
        },
        no_launches(),
    );
    // The seated person is not asked to lie down for a pelvic tilt.
    harness.get_by_label("Start pelvic rocks").click();
    harness.run_steps(2);
    harness.get_by_label("Skip").click();
    harness.run_steps(4);
    let routine = harness
        .state()
        .latest_snapshot()
        .and_then(|s| s.routine.clone())
        .expect("a routine under way");
    assert_eq!(routine.plan_len, 1);
    assert_eq!(
        routine.exercise.map(|e| e.id).as_deref(),
        Some("pelvic-rock")
    );
}

#[test]
fn after_30_s_without_the_starting_position_the_other_exercises_are_offered() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(
        AppOptions {
            exercise: Some("pelvic-tilt".into()),
            ..options(dir.path())
        },
        no_launches(),
    );
    harness.get_by_label("Pelvic tilts").click();
    harness.run_steps(2);
    harness.get_by_label("Skip").click();
    // Nobody in the picture: three frames of 1/30 s per step.
    harness.run_steps(200);
    assert!(
        harness
            .query_by_label_contains("I haven't seen the starting position")
            .is_none(),
        "not before 30 s"
    );
    harness.run_steps(150);
    harness.get_by_label_contains("I haven't seen the starting position");
    harness.get_by_label("Pelvic rocks").click();
    harness.run_steps(4);
    let routine = harness
        .state()
        .latest_snapshot()
        .and_then(|s| s.routine.clone())
        .unwrap();
    assert_eq!(
        routine.exercise.map(|e| e.id).as_deref(),
        Some("pelvic-rock"),
        "the chosen exercise starts, without the pain question again"
    );
}

#[test]
fn the_coaching_is_spoken_and_nothing_while_muted() {
    let dir = tempfile::tempdir().unwrap();
    let voice = FakeVoice::new(std::time::Duration::from_millis(5));
    let mut harness = harness_speaking(
        AppOptions {
            exercise: Some("pelvic-tilt".into()),
            autostart: true,
            mute: true,
            ..options(dir.path())
        },
        no_launches(),
        Speaker::with_voice(Box::new(voice.clone()), 1.0, 1.0),
    );
    // Muted (--mute): the exercise starts and nobody is seen, and nothing is said.
    harness.run_steps(100);
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(voice.texts(), Vec::<String>::new(), "muted: silent");

    // M: sound on. "It hurts — stop" is then said, whatever else was.
    harness.key_press(Key::M);
    harness.run_steps(2);
    harness.key_press(Key::Escape);
    harness.run_steps(4);
    let started = std::time::Instant::now();
    while !voice.texts().iter().any(|t| t.starts_with("Stopped.")) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(3),
            "the stop advice was not said: {:?}",
            voice.texts()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
