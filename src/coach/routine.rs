//! The routine: which exercise comes next, when it starts, rests between sets, and
//! what gets recorded when it ends.
//!
//! In flow timestamped poses (from the worker) and user commands (pause, next, start
//! now, "it hurts — stop"); out flow a [`RoutineView`] for the UI and
//! [`ExerciseRecord`]s for the session log. The per-exercise checks (reps, holds,
//! faults, readiness) live behind [`ExerciseCoach`]; this module only sequences them:
//! the acute routine's order (pelvic tilts → controlled rotations → pelvic rocks →
//! back block traction), a readiness check before each exercise that starts it by
//! itself, rests between sets, and the end of each exercise. The UI never decides
//! whether a rep counted or when an exercise starts: it shows this module's view.

use serde::Serialize;

pub use super::plan::{PlanEntry, RoutinePlan};
use crate::pose::Pose;

/// The acute low-back-pain routine, in the seed's order: the two lying exercises first,
/// pelvic rocks once the user can sit up, traction last "if it feels relieving".
pub const ACUTE_ROUTINE: [&str; 4] = [
    "pelvic-tilt",
    "controlled-rotation",
    "pelvic-rock",
    "back-block-traction",
];

/// Which side a rep belongs to (the side the knees drop towards, the hip that rises).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Left,
    Right,
}

/// Where the camera looks from: decides whether the picture is mirrored by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CameraView {
    /// Facing the user: mirrored by default, as people expect of a mirror.
    Front,
    /// From the side at floor level: not mirrored, so left stays left.
    Side,
}

/// What the exercise asks for.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prescription {
    pub sets: u32,
    /// Reps in a set; per side when `per_side`. 0 for a timed exercise.
    pub reps_per_set: u32,
    pub per_side: bool,
    /// How long each rep is held, if it is held.
    pub hold_s: Option<f64>,
    /// A timed exercise's limit (traction: 60 s in the acute stage).
    pub time_limit_s: Option<f64>,
}

/// What the user is shown before an exercise: name, how to do it, where the camera goes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExerciseInfo {
    pub id: String,
    pub name: String,
    pub camera_view: CameraView,
    /// One sentence: where to put the camera.
    pub camera_placement: String,
    /// The seed's steps, one per entry.
    pub how_to: Vec<String>,
    pub tips: Vec<String>,
    pub prescription: Prescription,
    /// What to say when a timed exercise's limit is reached (traction's "That's a minute…").
    pub time_up_prompt: Option<String>,
}

/// How urgent a prompt is: safety first, then form, then the camera.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PromptKind {
    Safety,
    Form,
    Camera,
    Info,
}

/// The one prompt the coach wants shown now.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prompt {
    pub text: String,
    pub kind: PromptKind,
}

/// A hold in progress.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HoldProgress {
    pub held_s: f64,
    pub target_s: f64,
    /// True only while the position is correct: the ring fills only then.
    pub counting: bool,
}

/// A timed hold's clock (back block traction).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TractionClock {
    pub elapsed_s: f64,
    pub limit_s: f64,
    /// On the block and settled: the clock is counting.
    pub running: bool,
}

/// The coach's state after the latest pose, as the UI needs it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ExerciseState {
    /// Reps counted in the current set, per side (sided exercises) and in total.
    pub reps_left: u32,
    pub reps_right: u32,
    pub reps_in_set: u32,
    /// Reps counted over all sets.
    pub reps_total: u32,
    /// Sets the coach has closed (prescribed reps done, or a long pause).
    pub sets_completed: u32,
    /// Holds that reached their target while correct, over all sets.
    pub holds_completed: u32,
    pub hold: Option<HoldProgress>,
    pub traction: Option<TractionClock>,
    /// Stable fault codes active now.
    pub active_faults: Vec<String>,
    pub prompt: Option<Prompt>,
    /// Prompts given so far (each new prompt counts once; the UI chimes on a rise).
    pub prompts_given: u32,
    /// BlazePose indices the current check uses, and those it finds at fault.
    pub landmarks_used: Vec<usize>,
    pub landmarks_faulted: Vec<usize>,
    /// The needed body parts are visible and the user is in the starting position.
    pub ready: bool,
    /// What to fix to become ready ("I can't see your knees").
    pub readiness_hint: Option<String>,
    /// Nobody has been in the picture for [`AWAY_AFTER_S`]: the routine waits for them.
    pub away: bool,
}

/// A rep as it is counted (coach clock, as in the exercise's report).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LiveRep {
    pub side: Option<Side>,
    /// The side was not seen but taken from the prescribed alternation.
    pub side_inferred: bool,
    pub set: u32,
    /// Number within its set, from 1.
    pub number: u32,
    pub start_s: f64,
    pub end_s: f64,
    pub hold_s: Option<f64>,
    pub faults: Vec<String>,
}

/// Something counted while an exercise runs, which the history keeps at once so that a
/// crash loses none of it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Progress {
    Rep(LiveRep),
    /// A timed hold's progress: every [`HOLD_PROGRESS_EVERY_S`] and at each traction step.
    Hold {
        held_s: f64,
    },
}

/// How often a timed hold's progress is kept.
pub const HOLD_PROGRESS_EVERY_S: f64 = 5.0;

/// Which exercise run a live event belongs to: the exercise and when it started.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunKey {
    pub exercise: String,
    pub started_t_s: f64,
}

/// What the routine tells the history as it happens; the [`ExerciseRecord`] of the run
/// follows when it ends and supersedes these.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum LiveEvent {
    Started { run: RunKey, name: String },
    Progress { run: RunKey, progress: Progress },
}

/// One exercise's checks, as the routine drives them. `coach::Coach` implements it.
pub trait ExerciseCoach: Send {
    /// Feeds one frame's pose (or its absence) at `t_s` seconds.
    fn update(&mut self, t_s: f64, pose: Option<&Pose>);
    fn state(&self) -> ExerciseState;
    /// The user stopped because it hurts: the coach records it and stops counting.
    fn stop_hurts(&mut self, t_s: f64);
    /// Ends the exercise and returns its report (the `analyze` JSON for this exercise).
    fn finish(&mut self, t_s: f64) -> serde_json::Value;
    /// Whether its exercise reads the belly's silhouette edge (the pose stage must compute it).
    fn reads_belly_cue(&self) -> bool {
        false
    }
    /// What was counted since the last call.
    fn take_progress(&mut self) -> Vec<Progress> {
        Vec::new()
    }
}

/// Makes coaches and describes exercises by id.
/// Each takes the routine's entry: the exercise's id and the prescription the routine
/// gives it (already checked against what the exercise allows).
pub trait CoachFactory: Send {
    fn info(&self, entry: &PlanEntry) -> Option<ExerciseInfo>;
    fn coach(&self, entry: &PlanEntry) -> Result<Box<dyn ExerciseCoach>, RoutineError>;
}

/// Trouble setting up a routine.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RoutineError {
    #[error("unknown exercise \"{0}\"; `backform exercises` lists them")]
    UnknownExercise(String),
    #[error("cannot set up the checks for {exercise}: {reason}")]
    Coach { exercise: String, reason: String },
    #[error("a routine needs at least one exercise")]
    Empty,
}

/// Rest between sets where neither the routine's entry nor the config says.
pub const DEFAULT_REST_S: f64 = 30.0;

/// Timings the routine applies; the defaults suit the acute routine.
#[derive(Clone, Debug, PartialEq)]
pub struct RoutineConfig {
    /// Rest between two sets of every exercise, over what the routine's entries say
    /// (the demo's short rests); `None`: each entry's `rest_s`, or [`DEFAULT_REST_S`].
    pub rest_between_sets_s: Option<f64>,
    /// How long the coach must report "ready" (visible, in the starting position,
    /// calibrated) before the exercise starts by itself: a moment, so a flicker of
    /// readiness while someone walks past does not start it.
    pub ready_hold_s: f64,
    /// Time after a timed exercise's limit before the routine moves on, so the user can
    /// lift their hips and take the block away while the "stop" prompt shows.
    pub after_time_limit_s: f64,
    /// Start each exercise at once, without the readiness check (screenshots, demos).
    pub skip_readiness: bool,
    /// Sets per exercise instead of each prescription's (the demo does one of each).
    pub sets: Option<u32>,
}

impl Default for RoutineConfig {
    fn default() -> Self {
        Self {
            rest_between_sets_s: None,
            ready_hold_s: 1.0,
            after_time_limit_s: 10.0,
            skip_readiness: false,
            sets: None,
        }
    }
}

/// A command from the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoutineCommand {
    /// Pause or resume: nothing is counted while paused.
    TogglePause,
    /// Skip: the rest, or the rest of this exercise (recorded), or the whole exercise
    /// before it starts; after a stop, go on to the next exercise.
    Next,
    /// Start the exercise without waiting for the readiness check.
    StartNow,
    /// "It hurts — stop": ends the exercise now and records it.
    StopHurts,
    /// End the session: what is under way is recorded and the routine finishes.
    EndSession,
}

/// Where the routine is.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    /// Showing how-to and camera placement; waiting until the user is ready.
    Preparing {
        /// Seconds the user has been ready without a break.
        ready_for_s: f64,
        ready_needed_s: f64,
    },
    Active,
    Resting {
        remaining_s: f64,
        /// The set that starts after the rest, from 1.
        next_set: u32,
    },
    /// Stopped because it hurts: the UI shows when to see a professional.
    StoppedHurts,
    Finished,
}

/// How an exercise ended, as the session log records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// All prescribed sets done (or the time limit reached).
    Completed,
    /// The user moved on early.
    Skipped,
    /// "It hurts — stop".
    ItHurts,
    /// The session ended while the exercise was under way.
    SessionEnded,
}

/// One finished exercise: a line of the session log.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExerciseRecord {
    pub exercise: String,
    pub name: String,
    pub end: EndReason,
    /// Seconds on the source's clock (video time or camera time).
    pub started_t_s: f64,
    pub duration_s: f64,
    pub reps_total: u32,
    pub sets_completed: u32,
    pub holds_completed: u32,
    pub report: serde_json::Value,
}

/// A summary line for the UI of an exercise done in this session.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CompletedExercise {
    pub name: String,
    pub end: EndReason,
    pub reps_total: u32,
    pub sets_completed: u32,
}

/// Why an exercise under way waits by itself; it resumes by itself too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Waiting {
    /// No frames: the camera was unplugged or stopped (the grabber is reopening it).
    Camera,
    /// Nobody in the picture for a moment (the coach's [`ExerciseState::away`]).
    PersonAway,
}

/// How long nobody may be seen before the exercise waits for them: a moment, so a
/// missed detection or two does not pause it.
pub const AWAY_AFTER_S: f64 = 1.5;

/// A safety clock that runs on while the picture is gone (traction's time on the block).
#[derive(Clone, Debug, PartialEq)]
struct SafetyGap {
    since_t_s: f64,
    elapsed_at_start_s: f64,
    limit_s: f64,
    /// The limit was reached during the gap and said.
    announced: bool,
}

/// Everything the UI shows about the routine.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RoutineView {
    /// Position of the current exercise in the plan, from 0, and the plan's length.
    pub position: usize,
    pub plan_len: usize,
    pub exercise: Option<ExerciseInfo>,
    pub next_exercise_name: Option<String>,
    pub stage: Stage,
    pub paused: bool,
    /// The set under way, from 1.
    pub current_set: u32,
    pub state: Option<ExerciseState>,
    pub completed: Vec<CompletedExercise>,
    /// The exercise waits for the camera or the person; `None` while it runs.
    pub waiting: Option<Waiting>,
}

/// The routine's state machine. Owned by the worker thread.
pub struct Routine {
    plan: Vec<PlanEntry>,
    infos: Vec<ExerciseInfo>,
    factory: Box<dyn CoachFactory>,
    config: RoutineConfig,
    position: usize,
    stage: Stage,
    /// The coach of the exercise under way. It already watches during `Preparing`: its
    /// readiness check calibrates on the person's starting position, which the running
    /// exercise then measures against, so the same coach carries on into `Active`.
    coach: Option<Box<dyn ExerciseCoach>>,
    paused: bool,
    /// Source seconds spent paused or resting: subtracted so the coach sees time run
    /// only while it is watching.
    hidden_s: f64,
    last_t_s: Option<f64>,
    exercise_started_t_s: f64,
    rest_until_t_s: f64,
    /// Sets the current coach had closed when last looked at: a rise starts a rest.
    sets_seen: u32,
    completed: Vec<CompletedExercise>,
    /// The exercise under way was started (its live events go out).
    run_started: bool,
    live: Vec<LiveEvent>,
    waiting: Option<Waiting>,
    gap: Option<SafetyGap>,
}

impl Routine {
    /// A routine over `plan` (exercise ids), starting with the first one's preparation.
    pub fn new(
        plan: &[&str],
        factory: Box<dyn CoachFactory>,
        config: RoutineConfig,
    ) -> Result<Self, RoutineError> {
        let plan: Vec<PlanEntry> = plan.iter().map(|id| PlanEntry::of(id)).collect();
        Self::new_at(&plan, factory, config, None)
    }

    /// A routine from a routine file's plan, with its prescriptions.
    pub fn from_plan(
        plan: &RoutinePlan,
        factory: Box<dyn CoachFactory>,
        config: RoutineConfig,
    ) -> Result<Self, RoutineError> {
        Self::new_at(&plan.exercises, factory, config, None)
    }

    /// [`Routine::new`] on a clock already at `now_t_s`: an exercise that starts at once
    /// (`skip_readiness`) starts then, so each run of one session has its own start (the
    /// history tells runs apart by it).
    pub fn new_at(
        plan: &[PlanEntry],
        factory: Box<dyn CoachFactory>,
        config: RoutineConfig,
        now_t_s: Option<f64>,
    ) -> Result<Self, RoutineError> {
        if plan.is_empty() {
            return Err(RoutineError::Empty);
        }
        let infos = plan
            .iter()
            .map(|entry| {
                let mut info = factory
                    .info(entry)
                    .ok_or_else(|| RoutineError::UnknownExercise(entry.id.clone()))?;
                // What the screen shows is what this routine asks for.
                if let Some(sets) = config.sets {
                    info.prescription.sets = sets;
                }
                Ok(info)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut routine = Self {
            plan: plan.to_vec(),
            infos,
            factory,
            config,
            position: 0,
            stage: Stage::Finished,
            coach: None,
            paused: false,
            hidden_s: 0.0,
            last_t_s: now_t_s,
            exercise_started_t_s: now_t_s.unwrap_or(0.0),
            rest_until_t_s: 0.0,
            sets_seen: 0,
            completed: Vec::new(),
            run_started: false,
            live: Vec::new(),
            waiting: None,
            gap: None,
        };
        routine.prepare(0)?;
        Ok(routine)
    }

    /// The acute routine, in the seed's order.
    pub fn acute(
        factory: Box<dyn CoachFactory>,
        config: RoutineConfig,
    ) -> Result<Self, RoutineError> {
        Self::new(&ACUTE_ROUTINE, factory, config)
    }

    pub fn stage(&self) -> &Stage {
        &self.stage
    }

    /// Whether the exercise under way reads the belly's silhouette edge.
    pub fn reads_belly_cue(&self) -> bool {
        self.coach.as_ref().is_some_and(|c| c.reads_belly_cue())
    }

    /// The current exercise's place in the plan, from 0.
    pub fn position(&self) -> usize {
        self.position
    }

    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// Rest between this exercise's sets: the config's override, else its entry's.
    fn rest_s(&self) -> f64 {
        self.config.rest_between_sets_s.unwrap_or_else(|| {
            self.plan
                .get(self.position)
                .and_then(|entry| entry.rest_s)
                .unwrap_or(DEFAULT_REST_S)
        })
    }

    fn current_info(&self) -> Option<&ExerciseInfo> {
        self.infos.get(self.position)
    }

    fn prepare(&mut self, position: usize) -> Result<(), RoutineError> {
        self.position = position;
        let Some(entry) = self.plan.get(position) else {
            self.stage = Stage::Finished;
            self.coach = None;
            return Ok(());
        };
        self.coach = Some(self.factory.coach(entry)?);
        self.stage = Stage::Preparing {
            ready_for_s: 0.0,
            ready_needed_s: self.config.ready_hold_s,
        };
        if self.config.skip_readiness {
            self.start(self.last_t_s.unwrap_or(0.0))?;
        }
        Ok(())
    }

    fn start(&mut self, t_s: f64) -> Result<(), RoutineError> {
        let Some(entry) = self.plan.get(self.position) else {
            return Ok(());
        };
        tracing::info!(exercise = %entry.id, t_s, "exercise starts");
        if self.coach.is_none() {
            self.coach = Some(self.factory.coach(entry)?);
        }
        self.exercise_started_t_s = t_s;
        self.sets_seen = 0;
        self.stage = Stage::Active;
        self.run_started = true;
        let name = self
            .current_info()
            .map(|info| info.name.clone())
            .unwrap_or_default();
        self.live.push(LiveEvent::Started {
            run: self.run_key(),
            name,
        });
        Ok(())
    }

    fn run_key(&self) -> RunKey {
        RunKey {
            exercise: self
                .plan
                .get(self.position)
                .map(|entry| entry.id.clone())
                .unwrap_or_default(),
            started_t_s: self.exercise_started_t_s,
        }
    }

    /// Moves what the coach counted into the live events (dropped before the start: the
    /// run's record will have it).
    fn collect_progress(&mut self) {
        let Some(coach) = self.coach.as_mut() else {
            return;
        };
        let progress = coach.take_progress();
        if !self.run_started {
            return;
        }
        let run = self.run_key();
        self.live
            .extend(progress.into_iter().map(|progress| LiveEvent::Progress {
                run: run.clone(),
                progress,
            }));
    }

    /// What happened since the last call, for the history; in order.
    pub fn take_live(&mut self) -> Vec<LiveEvent> {
        std::mem::take(&mut self.live)
    }

    fn coach_t_s(&self, t_s: f64) -> f64 {
        t_s - self.hidden_s
    }

    /// Feeds the pose seen at `t_s` (source seconds). Returns the exercises that ended.
    pub fn update(&mut self, t_s: f64, pose: Option<&Pose>) -> Vec<ExerciseRecord> {
        let dt_s = self.last_t_s.map_or(0.0, |last| (t_s - last).max(0.0));
        self.last_t_s = Some(t_s);
        let mut ended = Vec::new();
        if self.paused {
            self.hidden_s += dt_s;
            return ended;
        }
        let coach_t_s = self.coach_t_s(t_s);
        match self.stage.clone() {
            Stage::Preparing {
                ready_for_s,
                ready_needed_s,
            } => {
                let Some(coach) = self.coach.as_mut() else {
                    return ended;
                };
                coach.update(coach_t_s, pose);
                let ready = coach.state().ready;
                self.collect_progress();
                let ready_for_s = if ready { ready_for_s + dt_s } else { 0.0 };
                if ready_for_s >= ready_needed_s {
                    if let Err(err) = self.start(t_s) {
                        tracing::warn!("{err}; skipping to the next exercise");
                        self.advance();
                    }
                } else {
                    self.stage = Stage::Preparing {
                        ready_for_s,
                        ready_needed_s,
                    };
                }
            }
            Stage::Active => {
                match self.waiting {
                    // Nobody yet: the coach is not fed until someone is back.
                    Some(Waiting::PersonAway) if pose.is_none() => {
                        self.wait(t_s, dt_s, Waiting::PersonAway);
                        return ended;
                    }
                    // Frames are back, or so is the person.
                    Some(_) => self.resume(),
                    None => {}
                }
                let Some(coach) = self.coach.as_mut() else {
                    return ended;
                };
                coach.update(coach_t_s, pose);
                let state = coach.state();
                if state.away {
                    self.wait(t_s, 0.0, Waiting::PersonAway);
                }
                self.collect_progress();
                let Some(info) = self.current_info() else {
                    return ended;
                };
                let sets_target = self.config.sets.unwrap_or(info.prescription.sets).max(1);
                let over_limit = match (&state.traction, info.prescription.time_limit_s) {
                    (Some(clock), _) => {
                        clock.elapsed_s >= clock.limit_s + self.config.after_time_limit_s
                    }
                    (None, Some(limit_s)) => {
                        t_s - self.exercise_started_t_s - self.hidden_s
                            >= limit_s + self.config.after_time_limit_s
                    }
                    (None, None) => false,
                };
                if over_limit || state.sets_completed >= sets_target {
                    ended.push(self.finish_current(t_s, EndReason::Completed));
                    self.advance();
                } else if state.sets_completed > self.sets_seen {
                    self.sets_seen = state.sets_completed;
                    let rest_s = self.rest_s();
                    self.rest_until_t_s = t_s + rest_s;
                    self.stage = Stage::Resting {
                        remaining_s: rest_s,
                        next_set: state.sets_completed + 1,
                    };
                }
            }
            Stage::Resting { next_set, .. } => {
                self.hidden_s += dt_s;
                let remaining_s = self.rest_until_t_s - t_s;
                self.stage = if remaining_s <= 0.0 {
                    Stage::Active
                } else {
                    Stage::Resting {
                        remaining_s,
                        next_set,
                    }
                };
            }
            Stage::StoppedHurts | Stage::Finished => {}
        }
        ended
    }

    /// No frame came by `t_s` (the camera is out). An exercise under way waits: its
    /// effort clocks (holds, rep timing) stop, while a running safety clock (traction's
    /// time on the block) runs on and its limit is still announced. A rest counts down.
    pub fn no_frames(&mut self, t_s: f64) -> Vec<ExerciseRecord> {
        if self.paused || !matches!(self.stage, Stage::Active) {
            if matches!(self.stage, Stage::Resting { .. }) || self.paused {
                return self.update(t_s, None);
            }
            return Vec::new();
        }
        let dt_s = self.last_t_s.map_or(0.0, |last| (t_s - last).max(0.0));
        self.last_t_s = Some(t_s);
        self.wait(t_s, dt_s, Waiting::Camera);
        Vec::new()
    }

    /// One step of waiting, `dt_s` long, ending at `t_s`.
    fn wait(&mut self, t_s: f64, dt_s: f64, why: Waiting) {
        if self.waiting != Some(why) {
            tracing::info!(?why, t_s, "the exercise waits");
            self.waiting = Some(why);
        }
        if let Some(gap) = self.gap.as_mut() {
            let elapsed_s = gap.elapsed_at_start_s + (t_s - gap.since_t_s);
            if !gap.announced && elapsed_s >= gap.limit_s {
                tracing::info!(
                    elapsed_s,
                    "the time limit passed while the picture was gone"
                );
                gap.announced = true;
            }
            return;
        }
        let clock = self
            .coach
            .as_ref()
            .and_then(|coach| coach.state().traction)
            .filter(|clock| clock.running);
        match clock {
            // Not hidden from the coach: its clock takes the gap in when frames return.
            Some(clock) => {
                self.gap = Some(SafetyGap {
                    since_t_s: t_s - dt_s,
                    elapsed_at_start_s: clock.elapsed_s,
                    limit_s: clock.limit_s,
                    announced: clock.elapsed_s >= clock.limit_s,
                });
            }
            None => self.hidden_s += dt_s,
        }
    }

    fn resume(&mut self) {
        if let Some(why) = self.waiting.take() {
            tracing::info!(?why, "the exercise carries on");
        }
        self.gap = None;
    }

    /// Applies a user command at `t_s`. Returns the exercises that ended.
    pub fn command(&mut self, command: RoutineCommand, t_s: f64) -> Vec<ExerciseRecord> {
        let t_s = t_s.max(self.last_t_s.unwrap_or(t_s));
        let mut ended = Vec::new();
        match command {
            RoutineCommand::TogglePause => {
                if matches!(
                    self.stage,
                    Stage::Preparing { .. } | Stage::Active | Stage::Resting { .. }
                ) {
                    self.paused = !self.paused;
                }
            }
            RoutineCommand::StartNow => {
                if matches!(self.stage, Stage::Preparing { .. }) {
                    self.paused = false;
                    if let Err(err) = self.start(t_s) {
                        tracing::warn!("{err}");
                    }
                }
            }
            RoutineCommand::Next => match self.stage {
                Stage::Resting { .. } => {
                    self.stage = Stage::Active;
                }
                Stage::Active => {
                    ended.push(self.finish_current(t_s, EndReason::Skipped));
                    self.advance();
                }
                Stage::Preparing { .. } | Stage::StoppedHurts => {
                    self.advance();
                }
                Stage::Finished => {}
            },
            RoutineCommand::StopHurts => {
                if matches!(
                    self.stage,
                    Stage::Preparing { .. } | Stage::Active | Stage::Resting { .. }
                ) {
                    let coach_t_s = self.coach_t_s(t_s);
                    if let Some(coach) = self.coach.as_mut() {
                        coach.stop_hurts(coach_t_s);
                    }
                    if matches!(self.stage, Stage::Preparing { .. }) {
                        // Nothing was under way yet, but the stop is still worth recording.
                        self.exercise_started_t_s = t_s;
                    }
                    ended.push(self.finish_current(t_s, EndReason::ItHurts));
                    self.stage = Stage::StoppedHurts;
                    self.paused = false;
                }
            }
            RoutineCommand::EndSession => {
                if matches!(self.stage, Stage::Active | Stage::Resting { .. }) {
                    ended.push(self.finish_current(t_s, EndReason::SessionEnded));
                }
                self.coach = None;
                self.paused = false;
                self.stage = Stage::Finished;
            }
        }
        ended
    }

    /// Closes the coach of the current exercise and makes its record.
    fn finish_current(&mut self, t_s: f64, end: EndReason) -> ExerciseRecord {
        let coach_t_s = self.coach_t_s(t_s);
        // Finished first: a rep or set that closes as the exercise ends is in the state.
        let (state, report) = match self.coach.as_mut() {
            Some(coach) => {
                let report = coach.finish(coach_t_s);
                (coach.state(), report)
            }
            None => (ExerciseState::default(), serde_json::Value::Null),
        };
        self.collect_progress();
        self.run_started = false;
        self.resume();
        self.coach = None;
        let (id, name) = match self.current_info() {
            Some(info) => (info.id.clone(), info.name.clone()),
            None => (String::new(), String::new()),
        };
        let record = ExerciseRecord {
            exercise: id,
            name: name.clone(),
            end,
            started_t_s: self.exercise_started_t_s,
            duration_s: (t_s - self.exercise_started_t_s).max(0.0),
            reps_total: state.reps_total,
            sets_completed: state.sets_completed,
            holds_completed: state.holds_completed,
            report,
        };
        tracing::info!(exercise = %record.exercise, end = ?end, reps = record.reps_total, "exercise ends");
        self.completed.push(CompletedExercise {
            name,
            end,
            reps_total: state.reps_total,
            sets_completed: state.sets_completed,
        });
        record
    }

    /// Moves to the next exercise's preparation, or finishes the routine.
    fn advance(&mut self) {
        self.coach = None;
        self.paused = false;
        let mut next = self.position + 1;
        while next < self.plan.len() {
            match self.prepare(next) {
                Ok(()) => return,
                Err(err) => {
                    tracing::warn!("{err}; skipping it");
                    next += 1;
                }
            }
        }
        self.position = self.plan.len().saturating_sub(1);
        self.stage = Stage::Finished;
    }

    /// What the UI shows now.
    pub fn view(&self) -> RoutineView {
        let state = self.coach.as_ref().map(|coach| coach.state());
        let current_set = match (&self.stage, &state) {
            (Stage::Resting { next_set, .. }, _) => *next_set,
            (_, Some(state)) => state.sets_completed + 1,
            _ => 1,
        };
        let mut state = state;
        if let (Some(gap), Some(state), Some(now)) = (&self.gap, state.as_mut(), self.last_t_s) {
            // The safety clock runs on without a picture, and says when time is up.
            if let Some(clock) = state.traction.as_mut() {
                clock.elapsed_s = gap.elapsed_at_start_s + (now - gap.since_t_s);
            }
            if gap.announced {
                state.prompt = self.current_info().and_then(|info| {
                    info.time_up_prompt.clone().map(|text| Prompt {
                        text,
                        kind: PromptKind::Safety,
                    })
                });
                state.prompts_given += 1;
            }
        }
        RoutineView {
            position: self.position,
            plan_len: self.plan.len(),
            exercise: if self.stage == Stage::Finished {
                None
            } else {
                self.current_info().cloned()
            },
            next_exercise_name: self
                .infos
                .get(self.position + 1)
                .map(|info| info.name.clone()),
            stage: self.stage.clone(),
            paused: self.paused,
            current_set,
            state,
            completed: self.completed.clone(),
            waiting: self.waiting,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A coach whose state the test sets directly, to drive the routine through its stages.
    #[derive(Clone, Default)]
    pub(crate) struct Puppet {
        pub state: Arc<Mutex<ExerciseState>>,
        pub log: Arc<Mutex<Vec<String>>>,
        /// Reps that complete only as the exercise finishes (a rep on its way back).
        pub closing_reps: Arc<Mutex<u32>>,
    }

    struct PuppetCoach {
        id: String,
        puppet: Puppet,
    }

    impl ExerciseCoach for PuppetCoach {
        fn update(&mut self, t_s: f64, _pose: Option<&Pose>) {
            self.puppet
                .log
                .lock()
                .unwrap()
                .push(format!("{} update {t_s:.1}", self.id));
        }
        fn state(&self) -> ExerciseState {
            self.puppet.state.lock().unwrap().clone()
        }
        fn stop_hurts(&mut self, _t_s: f64) {
            self.puppet
                .log
                .lock()
                .unwrap()
                .push(format!("{} hurts", self.id));
        }
        fn finish(&mut self, _t_s: f64) -> serde_json::Value {
            self.puppet
                .log
                .lock()
                .unwrap()
                .push(format!("{} finish", self.id));
            let closing = std::mem::take(&mut *self.puppet.closing_reps.lock().unwrap());
            self.puppet.state.lock().unwrap().reps_total += closing;
            serde_json::json!({"exercise": self.id})
        }
    }

    pub(crate) struct PuppetFactory(pub Puppet);

    pub(crate) fn info(id: &str) -> ExerciseInfo {
        ExerciseInfo {
            id: id.to_string(),
            name: format!("Name of {id}"),
            camera_view: CameraView::Side,
            camera_placement: "beside you".into(),
            how_to: vec!["do it".into()],
            tips: vec![],
            prescription: Prescription {
                sets: 2,
                reps_per_set: 10,
                per_side: false,
                hold_s: None,
                time_limit_s: (id == "back-block-traction").then_some(60.0),
            },
            time_up_prompt: (id == "back-block-traction").then(|| "Time is up".to_string()),
        }
    }

    impl CoachFactory for PuppetFactory {
        fn info(&self, entry: &PlanEntry) -> Option<ExerciseInfo> {
            ACUTE_ROUTINE
                .contains(&entry.id.as_str())
                .then(|| info(&entry.id))
        }
        fn coach(&self, entry: &PlanEntry) -> Result<Box<dyn ExerciseCoach>, RoutineError> {
            let exercise_id = entry.id.as_str();
            self.0
                .log
                .lock()
                .unwrap()
                .push(format!("new {exercise_id}"));
            Ok(Box::new(PuppetCoach {
                id: exercise_id.to_string(),
                puppet: self.0.clone(),
            }))
        }
    }

    fn set_state(puppet: &Puppet, f: impl FnOnce(&mut ExerciseState)) {
        f(&mut puppet.state.lock().unwrap());
    }

    fn routine(config: RoutineConfig) -> (Routine, Puppet) {
        let puppet = Puppet::default();
        let routine = Routine::acute(Box::new(PuppetFactory(puppet.clone())), config).unwrap();
        (routine, puppet)
    }

    /// Runs the routine at 10 frames/s from `from_s` to `to_s`.
    fn run(routine: &mut Routine, from_s: f64, to_s: f64) -> Vec<ExerciseRecord> {
        let mut ended = Vec::new();
        let mut t = from_s;
        while t < to_s - 1e-9 {
            ended.extend(routine.update(t, None));
            t += 0.1;
        }
        ended
    }

    #[test]
    fn an_unknown_exercise_is_an_error() {
        let err = Routine::new(
            &["headstand"],
            Box::new(PuppetFactory(Puppet::default())),
            RoutineConfig::default(),
        )
        .err()
        .unwrap();
        assert_eq!(err, RoutineError::UnknownExercise("headstand".into()));
    }

    #[test]
    fn readiness_held_long_enough_starts_the_exercise_by_itself() {
        let (mut routine, puppet) = routine(RoutineConfig::default());
        assert!(matches!(routine.stage(), Stage::Preparing { .. }));
        run(&mut routine, 0.0, 3.0);
        assert!(
            matches!(routine.stage(), Stage::Preparing { .. }),
            "not ready: keeps waiting"
        );

        set_state(&puppet, |s| s.ready = true);
        run(&mut routine, 3.0, 4.0);
        set_state(&puppet, |s| s.ready = false);
        run(&mut routine, 4.0, 4.5);
        assert!(
            matches!(routine.stage(), Stage::Preparing { ready_for_s, .. } if *ready_for_s == 0.0),
            "a break in readiness starts the wait again"
        );

        set_state(&puppet, |s| s.ready = true);
        run(&mut routine, 4.5, 7.0);
        assert_eq!(routine.stage(), &Stage::Active);
        let log = puppet.log.lock().unwrap();
        assert_eq!(
            log.iter().filter(|l| *l == "new pelvic-tilt").count(),
            1,
            "the coach that checked readiness carries on: {log:?}"
        );
        assert!(
            log.iter().any(|l| l == "pelvic-tilt update 0.0"),
            "it watched from the start"
        );
    }

    #[test]
    fn a_completed_set_rests_then_resumes_and_the_last_set_moves_on() {
        let config = RoutineConfig {
            skip_readiness: true,
            ..RoutineConfig::default()
        };
        let (mut routine, puppet) = routine(config);
        assert_eq!(routine.stage(), &Stage::Active);
        assert_eq!(routine.view().current_set, 1);

        run(&mut routine, 0.0, 5.0);
        set_state(&puppet, |s| s.sets_completed = 1);
        run(&mut routine, 5.0, 5.2);
        assert!(
            matches!(routine.stage(), Stage::Resting { next_set: 2, .. }),
            "{:?}",
            routine.stage()
        );
        assert_eq!(routine.view().current_set, 2);

        let updates_before = puppet.log.lock().unwrap().len();
        run(&mut routine, 5.2, 20.0);
        assert_eq!(
            puppet.log.lock().unwrap().len(),
            updates_before,
            "the coach is not fed while resting"
        );
        run(&mut routine, 20.0, 36.0);
        assert_eq!(routine.stage(), &Stage::Active, "the rest ends by itself");

        set_state(&puppet, |s| {
            s.sets_completed = 2;
            s.reps_total = 20;
        });
        // One frame: the puppet's state is shared with the next exercise's coach.
        let ended = routine.update(36.0, None);
        assert_eq!(ended.len(), 1);
        assert_eq!(ended[0].exercise, "pelvic-tilt");
        assert_eq!(ended[0].end, EndReason::Completed);
        assert_eq!(ended[0].reps_total, 20);
        let view = routine.view();
        assert_eq!(view.position, 1);
        assert_eq!(view.exercise.unwrap().id, "controlled-rotation");
    }

    /// A routine file's rest between sets is the one the routine keeps.
    #[test]
    fn a_routine_files_rest_between_sets_is_kept() {
        let plan = RoutinePlan::parse(
            "name = \"short rests\"\n[[exercise]]\nid = \"pelvic-tilt\"\nrest_s = 12.0\n\
             [[exercise]]\nid = \"pelvic-rock\"\n",
            "short.toml",
        )
        .unwrap();
        let puppet = Puppet::default();
        let config = RoutineConfig {
            skip_readiness: true,
            ..RoutineConfig::default()
        };
        let mut routine =
            Routine::from_plan(&plan, Box::new(PuppetFactory(puppet.clone())), config).unwrap();
        run(&mut routine, 0.0, 2.0);
        set_state(&puppet, |s| s.sets_completed = 1);
        run(&mut routine, 2.0, 2.2);
        assert!(
            matches!(routine.stage(), Stage::Resting { remaining_s, .. } if (*remaining_s - 12.0).abs() < 0.2),
            "{:?}",
            routine.stage()
        );
        assert_eq!(routine.view().plan_len, 2);
    }

    #[test]
    fn the_coach_clock_skips_rests_and_pauses() {
        let config = RoutineConfig {
            skip_readiness: true,
            ..RoutineConfig::default()
        };
        let (mut routine, puppet) = routine(config);
        run(&mut routine, 0.0, 1.0);
        routine.command(RoutineCommand::TogglePause, 1.0);
        assert!(routine.is_paused());
        run(&mut routine, 1.0, 11.0);
        routine.command(RoutineCommand::TogglePause, 11.0);
        puppet.log.lock().unwrap().clear();
        run(&mut routine, 11.0, 11.1);
        let log = puppet.log.lock().unwrap();
        let last = log.last().unwrap();
        assert!(
            last.ends_with("update 1.0") || last.ends_with("update 1.1"),
            "{log:?}"
        );
    }

    #[test]
    fn next_skips_the_rest_then_the_exercise_and_records_it() {
        let config = RoutineConfig {
            skip_readiness: true,
            ..RoutineConfig::default()
        };
        let (mut routine, puppet) = routine(config);
        set_state(&puppet, |s| s.sets_completed = 1);
        run(&mut routine, 0.0, 0.2);
        assert!(matches!(routine.stage(), Stage::Resting { .. }));
        assert!(routine.command(RoutineCommand::Next, 0.3).is_empty());
        assert_eq!(routine.stage(), &Stage::Active);
        let ended = routine.command(RoutineCommand::Next, 0.4);
        assert_eq!(ended.len(), 1);
        assert_eq!(ended[0].end, EndReason::Skipped);
        assert_eq!(routine.view().exercise.unwrap().id, "controlled-rotation");
    }

    #[test]
    fn it_hurts_stops_records_and_can_go_on() {
        let (mut routine, puppet) = routine(RoutineConfig::default());
        routine.command(RoutineCommand::StartNow, 1.0);
        assert_eq!(routine.stage(), &Stage::Active);
        set_state(&puppet, |s| s.reps_total = 3);
        let ended = routine.command(RoutineCommand::StopHurts, 4.0);
        assert_eq!(ended.len(), 1);
        assert_eq!(ended[0].end, EndReason::ItHurts);
        assert_eq!(ended[0].reps_total, 3);
        assert!((ended[0].duration_s - 3.0).abs() < 1e-9);
        assert_eq!(routine.stage(), &Stage::StoppedHurts);
        assert!(
            puppet
                .log
                .lock()
                .unwrap()
                .contains(&"pelvic-tilt hurts".to_string())
        );
        // Nothing is counted after the stop.
        assert!(routine.view().state.is_none());
        routine.command(RoutineCommand::Next, 5.0);
        assert!(matches!(routine.stage(), Stage::Preparing { .. }));
        assert_eq!(routine.view().position, 1);
    }

    #[test]
    fn traction_ends_after_its_time_limit_and_the_routine_finishes() {
        let config = RoutineConfig {
            skip_readiness: true,
            ..RoutineConfig::default()
        };
        let (mut routine, puppet) = routine(config);
        for _ in 0..3 {
            routine.command(RoutineCommand::Next, 0.0);
        }
        assert_eq!(routine.view().exercise.unwrap().id, "back-block-traction");
        set_state(&puppet, |s| {
            s.traction = Some(TractionClock {
                elapsed_s: 65.0,
                limit_s: 60.0,
                running: true,
            })
        });
        assert!(
            run(&mut routine, 0.0, 1.0).is_empty(),
            "the stop prompt shows for a while"
        );
        set_state(&puppet, |s| {
            s.traction = Some(TractionClock {
                elapsed_s: 70.5,
                limit_s: 60.0,
                running: true,
            })
        });
        let ended = run(&mut routine, 1.0, 1.2);
        assert_eq!(ended.len(), 1);
        assert_eq!(ended[0].end, EndReason::Completed);
        assert_eq!(routine.stage(), &Stage::Finished);
        assert!(routine.view().exercise.is_none());
        assert_eq!(routine.view().completed.len(), 4);
    }

    fn somebody() -> Pose {
        Pose {
            landmarks: [crate::pose::Landmark::default(); crate::pose::LANDMARK_COUNT],
            world: None,
            score: 1.0,
            roi: crate::pose::Roi::default(),
            image_width: 640,
            image_height: 480,
            belly_height_torso: None,
            pelvis_turn_deg: None,
        }
    }

    /// The coach time of the puppet's last update.
    fn last_coach_t(puppet: &Puppet) -> f64 {
        let log = puppet.log.lock().unwrap();
        let line = log.iter().rev().find(|l| l.contains(" update ")).unwrap();
        line.rsplit(' ').next().unwrap().parse().unwrap()
    }

    fn skip_to(routine: &mut Routine, id: &str) {
        while routine.view().exercise.unwrap().id != id {
            routine.command(RoutineCommand::Next, 0.0);
        }
    }

    #[test]
    fn a_camera_that_goes_out_stops_the_effort_clocks_and_frames_resume_the_exercise() {
        let (mut routine, puppet) = routine(RoutineConfig {
            skip_readiness: true,
            ..RoutineConfig::default()
        });
        run(&mut routine, 0.0, 2.0);
        assert_eq!(routine.view().waiting, None);
        let updates = puppet.log.lock().unwrap().len();
        // Four seconds of wall clock with no frame.
        for tick in 1..=40 {
            routine.no_frames(2.0 + f64::from(tick) * 0.1);
        }
        assert_eq!(routine.view().waiting, Some(Waiting::Camera));
        assert_eq!(routine.stage(), &Stage::Active);
        assert_eq!(
            puppet.log.lock().unwrap().len(),
            updates,
            "nothing judged without frames"
        );
        // Frames return: the coach's clock carries on where it stopped.
        routine.update(6.1, None);
        assert_eq!(routine.view().waiting, None);
        assert!(
            (last_coach_t(&puppet) - 2.0).abs() < 0.15,
            "{}",
            last_coach_t(&puppet)
        );
    }

    #[test]
    fn tractions_minute_runs_on_while_the_camera_is_out_and_its_end_is_still_said() {
        let (mut routine, puppet) = routine(RoutineConfig {
            skip_readiness: true,
            ..RoutineConfig::default()
        });
        skip_to(&mut routine, "back-block-traction");
        set_state(&puppet, |s| {
            s.traction = Some(TractionClock {
                elapsed_s: 55.0,
                limit_s: 60.0,
                running: true,
            });
            s.prompts_given = 2;
        });
        run(&mut routine, 0.0, 1.0);
        for tick in 1..=70 {
            routine.no_frames(0.9 + f64::from(tick) * 0.1);
            let view = routine.view();
            let state = view.state.unwrap();
            let clock = state.traction.unwrap();
            let expected = 55.0 + f64::from(tick) * 0.1;
            assert!(
                (clock.elapsed_s - expected).abs() < 0.11,
                "{clock:?} at {tick}"
            );
            if clock.elapsed_s < 60.0 - 0.1 {
                assert_eq!(state.prompt, None);
                assert_eq!(state.prompts_given, 2);
            }
        }
        // Past the minute with no picture: the time-up prompt shows and counts, so the
        // app sounds it.
        let state = routine.view().state.unwrap();
        assert_eq!(state.prompt.unwrap().kind, PromptKind::Safety);
        assert_eq!(state.prompts_given, 3);
        // The camera's gap was not hidden from the coach: its clock includes it.
        routine.update(8.0, None);
        assert!((last_coach_t(&puppet) - 8.0).abs() < 1e-9);
    }

    #[test]
    fn the_exercise_waits_while_nobody_is_there_and_carries_on_when_they_are_back() {
        let (mut routine, puppet) = routine(RoutineConfig {
            skip_readiness: true,
            ..RoutineConfig::default()
        });
        run(&mut routine, 0.0, 1.0);
        set_state(&puppet, |s| s.away = true);
        routine.update(1.0, None);
        assert_eq!(routine.view().waiting, Some(Waiting::PersonAway));
        let updates = puppet.log.lock().unwrap().len();
        run(&mut routine, 1.1, 5.0);
        assert_eq!(puppet.log.lock().unwrap().len(), updates);
        set_state(&puppet, |s| s.away = false);
        routine.update(5.0, Some(&somebody()));
        assert_eq!(routine.view().waiting, None);
        // Four seconds away were hidden from the coach.
        assert!(
            (last_coach_t(&puppet) - 1.1).abs() < 0.15,
            "{}",
            last_coach_t(&puppet)
        );
    }

    #[test]
    fn end_session_records_what_is_under_way() {
        let config = RoutineConfig {
            skip_readiness: true,
            ..RoutineConfig::default()
        };
        let (mut routine, _puppet) = routine(config);
        let ended = routine.command(RoutineCommand::EndSession, 2.0);
        assert_eq!(ended.len(), 1);
        assert_eq!(ended[0].end, EndReason::SessionEnded);
        assert_eq!(routine.stage(), &Stage::Finished);
    }

    #[test]
    fn a_rep_that_completes_as_the_exercise_ends_is_counted() {
        let config = RoutineConfig {
            skip_readiness: true,
            ..RoutineConfig::default()
        };
        let (mut routine, puppet) = routine(config);
        set_state(&puppet, |s| s.reps_total = 4);
        // The fifth is on its way back when the user moves on: finishing completes it.
        *puppet.closing_reps.lock().unwrap() = 1;
        let ended = routine.command(RoutineCommand::EndSession, 2.0);
        assert_eq!(ended[0].reps_total, 5);
        assert_eq!(routine.view().completed[0].reps_total, 5);
    }
}
