//! The desktop window (eframe/egui, glow renderer).
//!
//! In flow [`crate::pipeline::Snapshot`]s from the worker (frame, pose, routine view,
//! timings); out flow [`crate::pipeline::Command`]s (start, pause, next, "it hurts —
//! stop", pain ratings) and sound. The UI only shows what the routine decided: it never
//! counts a rep or starts an exercise itself. `main.rs` calls [`run_app`].
//!
//! Submodules: `app` (the eframe `App`: owns the state, applies actions, keys,
//! commands), `action` (the read-only view the screens draw from and the actions they
//! return), `camera_view` (the camera texture), `overlay` (skeleton), `session_view`
//! (the exercise screen), `screens` (start, pain, summary), `settings_panel`,
//! `history_view` (the History screen: charts, sessions by day, export, delete), `pain`
//! (the 0–10 buttons), `source_picker` (no camera → open a video), `sound` (audio
//! cues), `theme` (colours, sizes). Only `app` changes the state: the screens import
//! `action`, never `app`.

pub mod action;
pub mod app;
pub mod camera_view;
pub mod file_dialog;
pub mod history_view;
pub mod overlay;
pub mod pain;
pub mod screens;
pub mod session_view;
pub mod settings_panel;
pub mod sound;
pub mod source_picker;
pub mod theme;

use std::path::PathBuf;

pub use app::BackformApp;

pub use crate::pipeline::engine::{ModelVariant, SourceChoice};

/// What `backform` (the app) was asked for on the command line.
///
/// Each `Option` left `None` takes the remembered setting; one given wins for this run
/// and is not saved.
#[derive(Clone, Debug, Default)]
pub struct AppOptions {
    /// `None`: the camera the settings name.
    pub source: Option<SourceChoice>,
    pub model: Option<ModelVariant>,
    /// One exercise by id instead of the whole routine.
    pub exercise: Option<String>,
    /// A routine file's plan (`--routine FILE`), offered first instead of the acute one.
    pub routine: Option<crate::coach::plan::RoutinePlan>,
    /// Start without the cue tones for this run (M toggles them).
    pub mute: bool,
    /// Start the exercise (or routine) at once: no start screen, pain question or
    /// readiness check. For demos and screenshots; also `BACKFORM_AUTOSTART=1`.
    pub autostart: bool,
    /// Replay recorded landmarks (the JSONL `analyze --landmarks` writes, matched by frame
    /// index) instead of running the pose model.
    pub landmarks: Option<PathBuf>,
    /// Write the UI's own frame times (median, p95, max) to this JSON file at exit;
    /// also `BACKFORM_UI_FRAME_TIMES=path`.
    pub frame_times_path: Option<PathBuf>,
    /// The folder of demo clips "Play the demo" runs; `None`: the bundled one.
    pub demo_dir: Option<PathBuf>,
    /// Where the app keeps what it remembers between runs (the recent videos); `None`
    /// is the platform data directory (`BACKFORM_DATA_DIR` overrides it).
    pub data_dir: Option<PathBuf>,
    /// Where the settings file lives; `None` is the platform config directory
    /// (`BACKFORM_CONFIG_DIR` overrides it).
    pub config_dir: Option<PathBuf>,
}

impl AppOptions {
    /// Applies the hidden environment switches (`BACKFORM_AUTOSTART`,
    /// `BACKFORM_UI_FRAME_TIMES`) on top of the command line.
    pub fn with_env(mut self) -> Self {
        if std::env::var_os("BACKFORM_AUTOSTART").is_some_and(|v| v != "0" && !v.is_empty()) {
            self.autostart = true;
        }
        if self.frame_times_path.is_none() {
            self.frame_times_path = std::env::var_os("BACKFORM_UI_FRAME_TIMES").map(PathBuf::from);
        }
        self
    }
}

/// Trouble running the window.
#[derive(Debug, thiserror::Error)]
pub enum UiError {
    #[error(
        "cannot open the window ({0}) — run backform in a desktop session (DISPLAY or WAYLAND_DISPLAY set), or use `backform analyze VIDEO` without a window"
    )]
    Window(String),
    #[error("unknown exercise \"{0}\"; `backform exercises` lists them")]
    UnknownExercise(String),
}

/// Window size on start: fits a 1280×720 screen.
pub const WINDOW_SIZE: [f32; 2] = [1280.0, 720.0];

/// Opens the window and runs until it is closed.
pub fn run_app(options: AppOptions) -> Result<(), UiError> {
    let options = options.with_env();
    if let Some(id) = &options.exercise
        && crate::pipeline::engine::exercise_info(id).is_none()
    {
        return Err(UiError::UnknownExercise(id.clone()));
    }
    let remembered = crate::settings::SettingsFile::load(options.config_dir.as_deref());
    let size = remembered.settings.window_size.unwrap_or(WINDOW_SIZE);
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("backform")
            .with_app_id("backform")
            .with_inner_size(size)
            .with_min_inner_size([800.0, 500.0]),
        ..Default::default()
    };
    eframe::run_native(
        "backform",
        native,
        Box::new(move |cc| {
            let launcher = app::real_launcher(&options);
            // The system's voice starts on its own thread; the window does not wait for it.
            let speaker = crate::pipeline::speaker::Speaker::system(
                remembered.settings.voice_rate,
                remembered.settings.voice_volume,
            );
            Ok(Box::new(
                BackformApp::new(&cc.egui_ctx, options, launcher).with_speaker(speaker),
            ))
        }),
    )
    .map_err(|e| UiError::Window(e.to_string()))
}
