//! What the screens may read and what they may ask for.
//!
//! The screens (`screens`, `session_view`, `source_picker`, `history_view`) draw from a
//! read-only [`AppView`] of the app's state and push [`Action`]s; `app.rs` applies the
//! actions after drawing, the way rerun's viewer queues commands. So the data flows one
//! way: app → view → screen → actions → app, and no screen imports the app.
//!
//! A screen may also own widget state of its own between frames (the picker's typed
//! path, the history screen's window choice): that is passed to it mutably, apart from
//! the view.

use std::path::PathBuf;

use crate::coach::routine::{ExerciseInfo, RoutineCommand, RoutinePlan, RoutineView};
use crate::coach::session_log::PainMoment;
use crate::pipeline::Snapshot;
use crate::pipeline::engine::SourceChoice;

use super::camera_view::CameraView;
use super::settings_panel::SettingsChange;

/// Which screen shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Screen {
    /// Choose the routine or one exercise; the camera preview; not-medical-advice line.
    Start,
    /// "How is your pain right now?" before the session (skippable).
    PainBefore,
    /// The routine under way.
    Session,
    /// "How is your pain now?" after the session (skippable).
    PainAfter,
    /// What was done.
    Summary,
    /// Sessions by day and charts over the last 7 days or 6 weeks; export; delete.
    History,
}

/// What the user chose to do on the start screen.
#[derive(Clone, Debug, PartialEq)]
pub enum Plan {
    /// A routine: a built-in one or a physiotherapist's file.
    Routine(RoutinePlan),
    Single(String),
}

impl Plan {
    /// How the settings remember it: `routine` (the default routine), `routine:NAME`,
    /// or the exercise's id.
    pub fn remembered_as(&self) -> String {
        match self {
            Plan::Routine(plan) if plan.is_acute() => "routine".to_string(),
            Plan::Routine(plan) => format!("routine:{}", plan.name),
            Plan::Single(id) => id.clone(),
        }
    }
}

/// Something a screen asks the app to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// From the start screen: ask for pain, then start this plan.
    ChoosePlan(Plan),
    /// Leave what is under way and start this plan at once (no pain question).
    SwitchTo(Plan),
    /// A pain rating (`None`: skipped) at this moment.
    AnswerPain(PainMoment, Option<u8>),
    Routine(RoutineCommand),
    SetMirror(bool),
    ToggleMute,
    OpenHistory,
    CloseHistory,
    /// From the summary: back to the start screen, forgetting this session's ratings.
    BackToStart,
    /// Start the pipeline on this source.
    Launch(SourceChoice),
    /// Open the video at this path, or say why not.
    OpenVideo(PathBuf),
    /// Open the system's file dialog (the in-app picker if it cannot open).
    ChooseVideoFile,
    /// Run the acute routine on the bundled demo clips.
    PlayDemo,
    /// The recent-videos list was deleted with the history.
    ForgetRecentVideos,
    ShowSettings(bool),
    ChangeSetting(SettingsChange),
}

/// The app's state as the screens may read it this frame.
pub struct AppView<'a> {
    pub snapshot: Option<&'a Snapshot>,
    /// The routine's view from the snapshot, if a routine is under way.
    pub routine: Option<&'a RoutineView>,
    pub camera: &'a CameraView,
    pub source: &'a SourceChoice,
    /// Why the pipeline could not start (shown instead of the picture).
    pub launch_error: Option<&'a str>,
    /// The source failed before showing anything: offer a video instead.
    pub source_unavailable: Option<String>,
    pub mirrored: bool,
    pub muted: bool,
    pub pain_before: Option<u8>,
    pub pain_after: Option<u8>,
    pub pain_after_stop: Option<u8>,
    pub stored_session: Option<&'a crate::history::progress::SessionFacts>,
    /// The UI's own median frame time, milliseconds.
    pub ui_frame_ms: f64,
    /// The exercises the start screen offers, read once at start.
    pub exercises: &'a [ExerciseInfo],
    /// The routines it offers, the one "Start the routine" runs first.
    pub routines: &'a [RoutinePlan],
    /// The exercise the opened video shows, from its sidecar file.
    pub video_exercise: Option<&'a str>,
    /// Whether the bundled demo clips are there.
    pub demo_available: bool,
    /// The demo is what runs now.
    pub is_demo: bool,
    pub settings: &'a crate::settings::Settings,
    pub settings_open: bool,
    /// The voice could not start: tones only.
    pub voice_available: bool,
    /// Seconds the current exercise has waited for its starting position, while it does.
    pub preparing_for_s: Option<f64>,
}

/// The actions the screens pushed this frame, applied in order after drawing.
pub type Actions = Vec<Action>;
