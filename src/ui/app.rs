//! The eframe `App`: holds the latest snapshot, decides which screen shows, turns clicks
//! and keys into commands, and plays cues when the coach's counters rise.
//!
//! In flow snapshots (through a [`PipelineHandle`]: a threaded worker in the app, an
//! inline one in tests) and user input; out flow commands, sounds and the drawn window.
//! Each frame: take the snapshot and keys, let the screen draw from a read-only
//! [`AppView`] and collect its [`Action`]s, then apply them here — the only place the
//! app's state changes. Settings changes are saved as they are made.

use std::path::{Path, PathBuf};
use std::time::Instant;

use egui::{Key, Modifiers};

use crate::coach::routine::{PromptKind, RoutineCommand, Stage};
use crate::coach::session_log::PainMoment;
use crate::pipeline::engine::{EngineOptions, worker_config};
use crate::pipeline::history_writer::HistoryConfig;
use crate::pipeline::stats::RollingMs;
use crate::pipeline::{Command, PipelineHandle, Snapshot, SourceStatus, Worker};

use super::action::{Action, AppView};
pub use super::action::{Plan, Screen};
use super::camera_view::CameraView;
use super::file_dialog::{NativeDialog, Outcome};
use super::history_view::{self, HistoryView};
use super::screens::RoutineField;
use super::sound::{Cue, Sounds};
use super::source_picker::SourcePicker;
use super::{AppOptions, SourceChoice, screens, session_view, theme};
use crate::coach::routine::{ExerciseInfo, RoutinePlan};
use crate::coach::speech::SpeechPlanner;
use crate::pipeline::engine::DemoClips;
use crate::pipeline::speaker::Speaker;
use crate::settings::SettingsFile;

use super::settings_panel::SettingsChange;

/// What a pipeline is started with.
#[derive(Clone, Debug, PartialEq)]
pub struct Launch {
    pub source: SourceChoice,
    pub model: crate::pose::ModelVariant,
}

/// Starts a pipeline; the waker repaints the window after each snapshot.
pub type PipelineLauncher =
    Box<dyn FnMut(&Launch, Box<dyn Fn() + Send>) -> Result<Box<dyn PipelineHandle>, String>>;

/// The launcher the real app uses: a worker thread on the camera or video.
pub fn real_launcher(options: &AppOptions) -> PipelineLauncher {
    let history = match HistoryConfig::in_data_dir(options.data_dir.as_deref()) {
        Ok(config) => Some(config),
        Err(err) => {
            tracing::warn!("sessions will not be recorded: {err}");
            None
        }
    };
    let engine = EngineOptions {
        model: options.model.unwrap_or_default(),
        landmarks: options.landmarks.clone(),
        routine: crate::coach::routine::RoutineConfig {
            skip_readiness: options.autostart,
            ..Default::default()
        },
        history,
        loop_video: false,
    };
    Box::new(move |launch: &Launch, waker| {
        let source = &launch.source;
        let mut engine = engine.clone();
        engine.model = launch.model;
        Worker::spawn(worker_config(source, &engine), waker)
            .map(|worker| Box::new(worker) as Box<dyn PipelineHandle>)
            .map_err(|e| format!("cannot start the worker thread: {e}"))
    })
}

/// The bundled demo's clips, wherever `crate::bundle` finds the demo folder installed;
/// or why there is no demo (the start screen greys its button out and says so).
pub fn bundled_demo(dir: Option<&Path>) -> Result<DemoClips, String> {
    let dir = match dir {
        Some(dir) => dir.to_path_buf(),
        None => crate::bundle::demo_clip()
            .map_err(|missing| missing.to_string())?
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
    };
    DemoClips::in_folder(&dir)
}

fn unix_now_s() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Counters the cues follow: a sound plays when one rises.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct CueCounters {
    reps_total: u32,
    holds_completed: u32,
    prompts_given: u32,
}

/// The app's state.
pub struct BackformApp {
    pub(crate) options: AppOptions,
    launcher: PipelineLauncher,
    pipeline: Option<Box<dyn PipelineHandle>>,
    pub(crate) source: SourceChoice,
    /// Why the pipeline could not start, shown instead of the picture.
    pub(crate) launch_error: Option<String>,
    pub(crate) snapshot: Option<Snapshot>,
    /// Set once a frame arrived from the current source: until then a failing camera
    /// shows the "open a video instead" screen.
    pub(crate) had_frame: bool,
    pub(crate) camera: CameraView,
    pub(crate) screen: Screen,
    pub(crate) plan: Plan,
    /// `None`: the exercise's default (mirrored for front views).
    pub(crate) mirror_override: Option<bool>,
    /// What the app remembers between runs, and where.
    settings: SettingsFile,
    /// The settings panel shows in place of the start screen's preview.
    settings_open: bool,
    /// The model the pipeline runs: the command line's for this run, else the setting.
    model: crate::pose::ModelVariant,
    /// The exercises the start screen offers (read once: no TOML parsing per frame).
    exercises: Vec<ExerciseInfo>,
    routines: Vec<RoutinePlan>,
    /// The start screen's "a physio's routine file" field.
    pub(crate) routine_field: RoutineField,
    /// The exercise the opened video shows, from its sidecar file.
    video_exercise: Option<String>,
    /// The system's file dialog, while it is open.
    dialog: Option<NativeDialog>,
    /// The bundled demo, or why there is none.
    demo: Result<DemoClips, String>,
    /// What to say aloud, from each new routine view; and the voice that says it.
    speech: SpeechPlanner,
    speaker: Speaker,
    /// The planner's clock starts with the app.
    started: Instant,
    /// When the current exercise began to wait for its starting position: (plan
    /// position, the source's clock then).
    preparing_since: Option<(usize, f64)>,
    pub(crate) sounds: Sounds,
    cue_counters: Option<CueCounters>,
    /// Cues played, newest last (tests check them; the list stays short).
    pub(crate) cues_played: Vec<Cue>,
    pub(crate) pain_before: Option<u8>,
    pub(crate) pain_after: Option<u8>,
    /// The rating given after the last "it hurts — stop" (one per stop).
    pub(crate) pain_after_stop: Option<u8>,
    pub(crate) picker: SourcePicker,
    /// The History screen's state while it shows (read from the store when it opens).
    pub(crate) history: Option<HistoryView>,
    /// Where "Back" on the History screen goes.
    history_return: Screen,
    /// When the current routine started (Unix seconds): the summary shows the stored
    /// runs that ended after it.
    routine_began_unix_s: Option<f64>,
    /// The session just done as stored, read when the summary opens; `None` shows what
    /// the routine's snapshot says instead.
    pub(crate) stored_session: Option<crate::history::progress::SessionFacts>,
    /// The UI's own frame times, milliseconds: the time `ui` takes.
    pub(crate) frame_times: RollingMs,
    all_frame_times_ms: Vec<f64>,
    /// eframe's own measure of each whole frame (our `ui` plus layout and tessellation),
    /// milliseconds, when recording frame times.
    all_eframe_cpu_ms: Vec<f64>,
    last_frame_times_write: Instant,
    ctx: egui::Context,
    /// The theme is applied on the first frame, to the context that draws (the harness's
    /// in tests, eframe's in the app).
    themed: bool,
}

impl BackformApp {
    /// Sets the theme and starts the pipeline on the chosen source.
    pub fn new(ctx: &egui::Context, options: AppOptions, launcher: PipelineLauncher) -> Self {
        // A physio's routine (`--routine FILE`) comes first: "Start the routine" runs it.
        let routines: Vec<RoutinePlan> = options
            .routine
            .iter()
            .chain(RoutinePlan::built_in())
            .cloned()
            .collect();
        let plan = match &options.exercise {
            Some(id) => Plan::Single(id.clone()),
            None => Plan::Routine(routines.first().cloned().unwrap_or_else(RoutinePlan::acute)),
        };
        let mut picker = SourcePicker::new(options.data_dir.as_deref());
        let demo = bundled_demo(options.demo_dir.as_deref());
        if let Err(why) = &demo {
            tracing::info!("no demo: {why}");
        }
        let settings = SettingsFile::load(options.config_dir.as_deref());
        // A flag on the command line wins for this run and is not saved.
        let source = options
            .source
            .clone()
            .unwrap_or(SourceChoice::Camera(settings.settings.camera_index));
        let model = options.model.unwrap_or(settings.settings.model.into());
        picker.camera_index = settings.settings.camera_index;
        // Every exercise backform coaches, the acute routine's first.
        let exercises = crate::exercises::spec::IDS
            .iter()
            .filter_map(|id| crate::pipeline::engine::exercise_info(id))
            .collect();
        let mut app = Self {
            source: source.clone(),
            sounds: Sounds::new(options.mute || !settings.settings.sound),
            mirror_override: settings.settings.mirror.forced(),
            settings,
            settings_open: false,
            model,
            exercises,
            routines,
            routine_field: RoutineField::default(),
            video_exercise: None,
            dialog: None,
            demo,
            speech: SpeechPlanner::new(),
            speaker: Speaker::silent(),
            started: Instant::now(),
            preparing_since: None,
            options,
            launcher,
            pipeline: None,
            launch_error: None,
            snapshot: None,
            had_frame: false,
            camera: CameraView::default(),
            screen: Screen::Start,
            plan,
            cue_counters: None,
            cues_played: Vec::new(),
            pain_before: None,
            pain_after: None,
            pain_after_stop: None,
            picker,
            history: None,
            history_return: Screen::Start,
            routine_began_unix_s: None,
            stored_session: None,
            frame_times: RollingMs::new(600),
            all_frame_times_ms: Vec::new(),
            all_eframe_cpu_ms: Vec::new(),
            last_frame_times_write: Instant::now(),
            ctx: ctx.clone(),
            themed: false,
        };
        if let SourceChoice::Camera(index) = app.source {
            app.picker.camera_index = index;
        }
        app.launch(source);
        if app.options.autostart {
            app.start_session();
        }
        app
    }

    /// Replaces the sound output (tests use [`Sounds::silent`]).
    pub fn with_sounds(mut self, sounds: Sounds) -> Self {
        self.sounds = sounds;
        self
    }

    /// The voice that speaks the coaching (the app: [`Speaker::system`]; tests: a
    /// [`crate::pipeline::speaker::FakeVoice`]). Until one is given, nothing is said.
    pub fn with_speaker(mut self, speaker: Speaker) -> Self {
        self.speaker = speaker;
        self.update_voice();
        self
    }

    /// The voice speaks when it is switched on and sound is not muted (M mutes both).
    fn update_voice(&self) {
        let settings = &self.settings.settings;
        self.speaker
            .set_enabled(settings.voice && !self.sounds.is_muted());
        self.speaker.set_rate(settings.voice_rate);
        self.speaker.set_volume(settings.voice_volume);
    }

    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// The newest snapshot the UI has shown.
    pub fn latest_snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.as_ref()
    }

    /// Cues played so far (the last 64), whether or not sound is muted.
    pub fn cues_played(&self) -> &[Cue] {
        &self.cues_played
    }

    /// Whether the camera picture is drawn mirrored now.
    pub fn is_mirrored(&self) -> bool {
        self.mirrored()
    }

    pub fn is_muted(&self) -> bool {
        self.sounds.is_muted()
    }

    /// The source the pipeline runs on now.
    pub fn source(&self) -> &SourceChoice {
        &self.source
    }

    /// Camera texture uploads so far (one per new frame, never per UI frame).
    pub fn texture_uploads(&self) -> u64 {
        self.camera.uploads
    }

    /// The UI's own frame times, milliseconds (the last 600 frames).
    pub fn frame_times(&self) -> &RollingMs {
        &self.frame_times
    }

    /// (Re)starts the pipeline on `source`; the old one stops without blocking the UI.
    pub(crate) fn launch(&mut self, source: SourceChoice) {
        self.pipeline = None;
        self.snapshot = None;
        self.had_frame = false;
        self.source = source.clone();
        let ctx = self.ctx.clone();
        let waker: Box<dyn Fn() + Send> = Box::new(move || ctx.request_repaint());
        let launch = Launch {
            source: source.clone(),
            model: self.model,
        };
        match (self.launcher)(&launch, waker) {
            Ok(pipeline) => {
                self.pipeline = Some(pipeline);
                self.launch_error = None;
            }
            Err(err) => {
                tracing::warn!("{err}");
                self.launch_error = Some(err);
            }
        }
        self.video_exercise = None;
        if let SourceChoice::Video(path) = &source {
            self.picker.remember(path);
            self.video_exercise = crate::capture::sidecar::exercise_of_video(path);
        }
    }

    pub(crate) fn send(&mut self, command: Command) {
        if let Some(pipeline) = self.pipeline.as_mut() {
            pipeline.send(command);
        }
    }

    /// The routine's stage, if a routine is under way.
    pub(crate) fn stage(&self) -> Option<&Stage> {
        self.snapshot.as_ref()?.routine.as_ref().map(|r| &r.stage)
    }

    /// From the start screen: ask for pain first, unless autostarting.
    pub(crate) fn choose_plan(&mut self, plan: Plan) {
        // "Start the routine" on a video whose sidecar names its exercise coaches that
        // exercise: a seated pelvic rock is never asked to lie down for a tilt.
        let plan = match (plan, &self.video_exercise) {
            // (A routine the person brought, `--routine FILE`, is run as it is.)
            (Plan::Routine(routine), Some(id)) if routine.is_acute() => Plan::Single(id.clone()),
            (plan, _) => plan,
        };
        self.settings.settings.last_plan = Some(plan.remembered_as());
        let _ = self.settings.save();
        self.plan = plan;
        self.screen = Screen::PainBefore;
    }

    /// Records the "before" pain (if given) and starts the routine.
    pub(crate) fn answer_pain_before(&mut self, pain: Option<u8>) {
        self.pain_before = pain;
        self.record_pain(PainMoment::BeforeSession, pain);
        self.start_session();
    }

    pub(crate) fn start_session(&mut self) {
        // A video that played to its end on the start screen plays again from its start:
        // the session watches it, rather than ending at once for want of frames.
        if matches!(
            self.snapshot.as_ref().map(|s| &s.source),
            Some(SourceStatus::Ended { .. })
        ) {
            self.launch(self.source.clone());
        }
        let command = match &self.plan {
            Plan::Routine(plan) => Command::StartRoutine(plan.clone()),
            Plan::Single(id) => Command::StartExercise(id.clone()),
        };
        self.send(command);
        self.cue_counters = None;
        self.routine_began_unix_s = Some(unix_now_s());
        self.screen = Screen::Session;
    }

    pub(crate) fn answer_pain_after(&mut self, pain: Option<u8>) {
        self.pain_after = pain;
        self.record_pain(PainMoment::AfterSession, pain);
        self.stored_session = self.read_stored_session();
        self.screen = Screen::Summary;
    }

    /// The newest stored session's runs that ended since this routine began (a few
    /// seconds' slack for clocks read on two threads).
    fn read_stored_session(&self) -> Option<crate::history::progress::SessionFacts> {
        let since = self.routine_began_unix_s? - 5.0;
        let dir = history_view::data_dir(self.options.data_dir.as_deref());
        match history_view::load(dir.as_deref()) {
            history_view::Loaded::Ready(history) => history.session_since(since),
            history_view::Loaded::Failed(reason) => {
                tracing::warn!("the summary shows the routine's own counts: {reason}");
                None
            }
            history_view::Loaded::Empty => None,
        }
    }

    /// Shows the History screen, read afresh; "Back" returns to the current screen.
    pub(crate) fn open_history(&mut self) {
        self.history = Some(HistoryView::open(self.options.data_dir.as_deref()));
        self.history_return = self.screen.clone();
        self.screen = Screen::History;
    }

    pub(crate) fn close_history(&mut self) {
        self.history = None;
        self.screen = self.history_return.clone();
    }

    pub(crate) fn routine_command(&mut self, command: RoutineCommand) {
        if command == RoutineCommand::StopHurts {
            // A new stop asks again.
            self.pain_after_stop = None;
        }
        self.send(Command::Routine(command));
    }

    /// Records the pain rating given on the "it hurts — stop" screen (skipping gives
    /// none).
    pub(crate) fn answer_pain_after_stop(&mut self, pain: Option<u8>) {
        self.pain_after_stop = pain;
        self.record_pain(PainMoment::AfterStop, pain);
    }

    /// Sends a rating to the session log (a skipped question sends nothing).
    fn record_pain(&mut self, moment: PainMoment, pain: Option<u8>) {
        if let Some(pain_0_to_10) = pain {
            self.send(Command::RecordPain {
                moment,
                pain_0_to_10,
            });
        }
    }

    /// Whether the picture is mirrored now.
    pub(crate) fn mirrored(&self) -> bool {
        if let Some(mirror) = self.mirror_override {
            return mirror;
        }
        let view = self
            .snapshot
            .as_ref()
            .and_then(|s| s.routine.as_ref())
            .and_then(|r| r.exercise.as_ref())
            .map(|e| e.camera_view);
        // A front view reads like a mirror; with no exercise yet the user is most likely
        // facing the laptop, so mirror then too.
        !matches!(view, Some(crate::coach::routine::CameraView::Side))
    }

    /// The source failed before showing anything: offer a video instead.
    pub(crate) fn source_unavailable(&self) -> Option<String> {
        if let Some(err) = &self.launch_error {
            return Some(err.clone());
        }
        if self.had_frame {
            return None;
        }
        match &self.snapshot.as_ref()?.source {
            SourceStatus::Reconnecting { reason, .. } | SourceStatus::Failed { reason } => {
                Some(reason.clone())
            }
            _ => None,
        }
    }

    /// Takes the newest snapshot, applies keys and plays cues. Draws nothing.
    fn take_snapshot_and_input(&mut self, ctx: &egui::Context) {
        if let Some(pipeline) = self.pipeline.as_mut()
            && let Some(snapshot) = pipeline.latest()
        {
            if let Some(frame) = &snapshot.frame {
                self.camera.update(ctx, frame);
                self.had_frame = true;
            }
            self.snapshot = Some(snapshot);
            self.play_cues();
            self.speak();
        }
        if let Some(failure) = self.pipeline.as_ref().and_then(|p| p.failure())
            && self.launch_error.as_deref() != Some(failure.as_str())
        {
            tracing::warn!("{failure}");
            self.launch_error = Some(failure);
        }
        self.poll_dialog();
        self.handle_keys(ctx);
        if self.screen == Screen::Session && self.stage() == Some(&Stage::Finished) {
            // A demo asks no pain question: it was nobody's session.
            if matches!(self.source, SourceChoice::Demo(_)) {
                self.stored_session = None;
                self.screen = Screen::Summary;
            } else {
                self.screen = Screen::PainAfter;
            }
        }
    }

    /// Says what changed in the routine's view (the planner keeps its state whether or
    /// not the voice is on, so switching it on mid-exercise says nothing stale).
    fn speak(&mut self) {
        let Some(routine) = self.snapshot.as_ref().and_then(|s| s.routine.as_ref()) else {
            return;
        };
        let lines = self
            .speech
            .plan(routine, self.started.elapsed().as_secs_f64());
        self.speaker.say_all(lines);
    }

    fn play_cues(&mut self) {
        let Some(routine) = self.snapshot.as_ref().and_then(|s| s.routine.as_ref()) else {
            return;
        };
        let Some(state) = routine.state.as_ref() else {
            return;
        };
        let now = CueCounters {
            reps_total: state.reps_total,
            holds_completed: state.holds_completed,
            prompts_given: state.prompts_given,
        };
        let form_prompt = state
            .prompt
            .as_ref()
            .is_some_and(|p| matches!(p.kind, PromptKind::Form | PromptKind::Safety));
        let active = routine.stage == Stage::Active;
        if let Some(before) = self.cue_counters
            && active
        {
            let mut cue = None;
            if now.prompts_given > before.prompts_given && form_prompt {
                cue = Some(Cue::Fault);
            }
            if now.reps_total > before.reps_total {
                cue = Some(Cue::Rep);
            }
            // The chime says more than the tick: a hold completed is also a rep.
            if now.holds_completed > before.holds_completed {
                cue = Some(Cue::HoldComplete);
            }
            if let Some(cue) = cue {
                self.sounds.play(cue);
                if self.cues_played.len() >= 64 {
                    self.cues_played.remove(0);
                }
                self.cues_played.push(cue);
            }
        }
        // A new coach (next exercise) starts its counters at zero: follow it down too.
        self.cue_counters = Some(now);
    }

    fn handle_keys(&mut self, ctx: &egui::Context) {
        // Typing a path must not pause the exercise.
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        let pressed = |key| ctx.input_mut(|i| i.consume_key(Modifiers::NONE, key));
        if pressed(Key::M) {
            self.toggle_mute();
        }
        if self.screen != Screen::Session {
            return;
        }
        if pressed(Key::Space) {
            self.routine_command(RoutineCommand::TogglePause);
        }
        if pressed(Key::N) {
            self.routine_command(RoutineCommand::Next);
        }
        if pressed(Key::Escape) {
            self.routine_command(RoutineCommand::StopHurts);
        }
    }

    /// Applies what the screens asked for, in order.
    fn apply(&mut self, actions: Vec<Action>) {
        for action in actions {
            match action {
                Action::ChoosePlan(plan) => self.choose_plan(plan),
                Action::SwitchTo(plan) => {
                    self.plan = plan;
                    self.start_session();
                }
                Action::AnswerPain(PainMoment::BeforeSession, pain) => {
                    self.answer_pain_before(pain)
                }
                Action::AnswerPain(PainMoment::AfterSession, pain) => self.answer_pain_after(pain),
                Action::AnswerPain(PainMoment::AfterStop, pain) => {
                    self.answer_pain_after_stop(pain)
                }
                Action::Routine(command) => self.routine_command(command),
                Action::SetMirror(mirrored) => self.mirror_override = Some(mirrored),
                Action::ToggleMute => self.toggle_mute(),
                Action::OpenHistory => self.open_history(),
                Action::CloseHistory => self.close_history(),
                Action::BackToStart => {
                    self.screen = Screen::Start;
                    self.pain_before = None;
                    self.pain_after = None;
                    self.stored_session = None;
                }
                Action::Launch(source) => self.launch(source),
                Action::OpenVideo(path) => self.open_video(path),
                Action::ChooseVideoFile => self.choose_video_file(),
                Action::PlayDemo => self.play_demo(),
                Action::ForgetRecentVideos => self.picker.recent.clear(),
                Action::ShowSettings(open) => self.settings_open = open,
                Action::ChangeSetting(change) => self.change_setting(change),
            }
        }
    }

    /// Opens the video at `path`, or says why not in the picker.
    fn open_video(&mut self, path: PathBuf) {
        if path.is_file() {
            self.picker.error = None;
            self.launch(SourceChoice::Video(path));
        } else {
            self.picker.error = Some(format!("There is no file at {}", path.display()));
        }
    }

    /// The system's file dialog; the in-app picker when it cannot open.
    fn choose_video_file(&mut self) {
        if self.dialog.is_some() {
            return;
        }
        let start = self.picker.start_folder();
        match NativeDialog::open(start.as_deref()) {
            Ok(dialog) => self.dialog = Some(dialog),
            Err(reason) => self.native_dialog_unavailable(&reason),
        }
    }

    fn native_dialog_unavailable(&mut self, reason: &str) {
        tracing::info!("no system file dialog ({reason}): showing the in-window picker");
        self.picker.show_listing = true;
        self.picker.refresh();
    }

    /// The file dialog's answer, once it has one.
    fn poll_dialog(&mut self) {
        let Some(outcome) = self.dialog.as_ref().map(NativeDialog::poll) else {
            return;
        };
        match outcome {
            None => {
                // Nothing repaints the window while it waits for the dialog.
                self.ctx
                    .request_repaint_after(std::time::Duration::from_millis(200));
            }
            Some(outcome) => {
                self.dialog = None;
                match outcome {
                    Outcome::Picked(path) => self.open_video(path),
                    Outcome::Cancelled => {}
                    Outcome::Unavailable(reason) => self.native_dialog_unavailable(&reason),
                }
            }
        }
    }

    /// The acute routine on the bundled demo clips.
    fn play_demo(&mut self) {
        let Ok(clips) = self.demo.clone() else {
            return;
        };
        self.launch(SourceChoice::Demo(clips));
        // A demo asks no pain question and records nothing: it starts at once.
        self.plan = Plan::Routine(RoutinePlan::acute());
        self.start_session();
    }

    fn toggle_mute(&mut self) {
        self.sounds.toggle_mute();
        self.change_setting(SettingsChange::Sound(!self.sounds.is_muted()));
    }

    /// Makes a settings change take effect now and saves it.
    fn change_setting(&mut self, change: SettingsChange) {
        change.apply(&mut self.settings.settings);
        match change {
            SettingsChange::Sound(on) => self.sounds.set_muted(!on),
            SettingsChange::Mirror(mirror) => self.mirror_override = mirror.forced(),
            SettingsChange::CameraIndex(index) => {
                self.picker.camera_index = index;
                if matches!(self.source, SourceChoice::Camera(_)) && self.screen == Screen::Start {
                    self.launch(SourceChoice::Camera(index));
                }
            }
            SettingsChange::Model(model) => {
                let model = model.into();
                if model != self.model {
                    self.model = model;
                    // The new model takes over at once, on the same source.
                    if self.screen == Screen::Start {
                        self.launch(self.source.clone());
                    }
                }
            }
            SettingsChange::TextScale(scale) => self.ctx.set_zoom_factor(scale),
            SettingsChange::Voice(_)
            | SettingsChange::VoiceRate(_)
            | SettingsChange::VoiceVolume(_) => {}
        }
        self.update_voice();
        let _ = self.settings.save();
    }

    /// The settings as remembered (and as changed this run).
    pub fn settings(&self) -> &crate::settings::Settings {
        &self.settings.settings
    }

    /// Seconds the current exercise has waited for its starting position, if it waits,
    /// on the source's clock (a camera that is out, or a paused video, adds nothing).
    fn preparing_for_s(&mut self) -> Option<f64> {
        let snapshot = self.snapshot.as_ref()?;
        let now_s = snapshot.frame.as_ref().map(|f| f.timestamp_s);
        match (snapshot.routine.as_ref(), now_s) {
            (Some(view), Some(now_s)) if matches!(view.stage, Stage::Preparing { .. }) => {
                let since = match self.preparing_since {
                    Some((position, since)) if position == view.position => since,
                    _ => {
                        self.preparing_since = Some((view.position, now_s));
                        now_s
                    }
                };
                Some(now_s - since)
            }
            _ => {
                self.preparing_since = None;
                None
            }
        }
    }

    /// Non-drawing work for one frame, then the drawing: what `eframe::App` calls.
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        let started = Instant::now();
        let ctx = ui.ctx().clone();
        if !self.themed {
            theme::apply(&ctx);
            ctx.set_zoom_factor(self.settings.settings.text_scale);
            self.ctx = ctx.clone();
            self.themed = true;
        }
        self.take_snapshot_and_input(&ctx);
        let mut actions = Vec::new();
        let preparing_for_s = self.preparing_for_s();
        let source_unavailable = self.source_unavailable();
        let mirrored = self.mirrored();
        let view = AppView {
            snapshot: self.snapshot.as_ref(),
            routine: self.snapshot.as_ref().and_then(|s| s.routine.as_ref()),
            camera: &self.camera,
            source: &self.source,
            launch_error: self.launch_error.as_deref(),
            source_unavailable,
            mirrored,
            muted: self.sounds.is_muted(),
            pain_before: self.pain_before,
            pain_after: self.pain_after,
            pain_after_stop: self.pain_after_stop,
            stored_session: self.stored_session.as_ref(),
            ui_frame_ms: self.frame_times.median_ms().unwrap_or(0.0),
            exercises: &self.exercises,
            routines: &self.routines,
            video_exercise: self.video_exercise.as_deref(),
            demo_available: self.demo.is_ok(),
            is_demo: matches!(self.source, SourceChoice::Demo(_)),
            settings: &self.settings.settings,
            settings_open: self.settings_open,
            voice_available: self.speaker.is_available(),
            preparing_for_s,
        };
        let picker = &mut self.picker;
        let routine_field = &mut self.routine_field;
        let history = &mut self.history;
        let data_dir = self.options.data_dir.as_deref();
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE.fill(theme::BACKGROUND).inner_margin(12.0))
            .show(ui, |ui| match self.screen {
                Screen::Start => screens::start_ui(&view, picker, routine_field, ui, &mut actions),
                Screen::PainBefore => screens::pain_ui(ui, PainMoment::BeforeSession, &mut actions),
                Screen::Session => session_view::session_ui(&view, picker, ui, &mut actions),
                Screen::PainAfter => screens::pain_ui(ui, PainMoment::AfterSession, &mut actions),
                Screen::Summary => screens::summary_ui(&view, ui, &mut actions),
                Screen::History => {
                    let state = history.get_or_insert_with(|| HistoryView::open(data_dir));
                    history_view::history_ui(state, ui, &mut actions);
                }
            });
        self.apply(actions);
        let took = started.elapsed();
        self.frame_times.push(took);
        if self.options.frame_times_path.is_some() {
            self.all_frame_times_ms.push(took.as_secs_f64() * 1e3);
            // Written now and then, not only at exit: a killed process still leaves numbers.
            if self.last_frame_times_write.elapsed() > std::time::Duration::from_secs(2) {
                self.write_frame_times();
                self.last_frame_times_write = Instant::now();
            }
        }
        // The hold ring and countdowns move between snapshots only when frames arrive;
        // the waker repaints on each snapshot, so no continuous repaint is needed.
    }

    /// Writes the frame-time summary, if asked to.
    fn write_frame_times(&self) {
        let Some(path) = &self.options.frame_times_path else {
            return;
        };
        let summarise = |samples: &[f64]| {
            let mut all = RollingMs::new(samples.len().max(1));
            for &ms in samples {
                all.push_ms(ms);
            }
            all
        };
        let all = summarise(&self.all_frame_times_ms);
        let eframe_cpu = summarise(&self.all_eframe_cpu_ms);
        // The first frames build the font atlas and GL state: reported apart.
        const WARM_UP_FRAMES: usize = 30;
        let steady = summarise(
            self.all_eframe_cpu_ms
                .get(WARM_UP_FRAMES..)
                .unwrap_or_default(),
        );
        let summary = serde_json::json!({
            "frames": all.len(),
            "eframe_frame_cpu_after_warm_up_p95_ms": steady.p95_ms(),
            "eframe_frame_cpu_after_warm_up_max_ms": steady.max_ms(),
            "eframe_frames_over_20_ms_after_warm_up": self
                .all_eframe_cpu_ms
                .iter()
                .skip(WARM_UP_FRAMES)
                .filter(|&&ms| ms > 20.0)
                .count(),
            "ui_frame_median_ms": all.median_ms(),
            "ui_frame_p95_ms": all.p95_ms(),
            "ui_frame_max_ms": all.max_ms(),
            "eframe_frame_cpu_median_ms": eframe_cpu.median_ms(),
            "eframe_frame_cpu_p95_ms": eframe_cpu.p95_ms(),
            "eframe_frame_cpu_max_ms": eframe_cpu.max_ms(),
            "pipeline_fps": self.snapshot.as_ref().map(|s| s.stats.processed_fps),
            "pipeline_latency_median_ms": self.snapshot.as_ref().map(|s| s.stats.latency_median_ms),
            "pose_median_ms": self.snapshot.as_ref().map(|s| s.stats.pose_median_ms),
            "frames_dropped": self.snapshot.as_ref().map(|s| s.stats.frames_dropped),
        });
        if let Err(err) = std::fs::write(path, summary.to_string()) {
            tracing::warn!("cannot write frame times to {}: {err}", path.display());
        }
    }
}

impl BackformApp {
    /// Keeps the window's size for the next start.
    fn remember_window_size(&mut self) {
        let size = self
            .ctx
            .input(|i| i.viewport().inner_rect)
            .map(|rect| rect.size() * self.ctx.zoom_factor());
        if let Some(size) = size {
            self.settings.settings.window_size = Some([size.x, size.y]);
            let _ = self.settings.save();
        }
    }
}

impl eframe::App for BackformApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        if self.options.frame_times_path.is_some()
            && let Some(cpu_s) = frame.info().cpu_usage
        {
            self.all_eframe_cpu_ms.push(f64::from(cpu_s) * 1e3);
        }
        self.frame_ui(ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.send(Command::Shutdown);
        self.remember_window_size();
        self.write_frame_times();
        // Dropping the worker stops it (and the grabber) without blocking for long.
        self.pipeline = None;
    }
}

impl Drop for BackformApp {
    fn drop(&mut self) {
        if self.pipeline.is_some() {
            self.write_frame_times();
        }
    }
}
