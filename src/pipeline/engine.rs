//! Wiring: turns the app's choices (camera or video, model size, recorded landmarks)
//! into the worker's frame source, pose stage and coach factory.
//!
//! In flow a [`SourceChoice`] and [`EngineOptions`]; out flows a [`WorkerConfig`]. This
//! is the one place that knows which concrete camera reader, pose estimator and
//! exercise checks the app runs (`capture`, `pose::PoseEstimator`, `coach::Coach`), so
//! the worker and the UI stay independent of them: `Coach`'s state and events become
//! the routine's [`ExerciseState`] here.

use std::path::PathBuf;
use std::sync::Arc;

use crate::capture::playlist::{PlaylistControl, PlaylistSource};
use crate::capture::{CameraConfig, Frame, SourceSpec};
use crate::coach::routine::{
    AWAY_AFTER_S, CameraView, CoachFactory, ExerciseCoach, ExerciseInfo, ExerciseState,
    HOLD_PROGRESS_EVERY_S, HoldProgress, LiveRep, PlanEntry, Prescription, Progress, Prompt,
    PromptKind, RoutineConfig, RoutineError, Side, TractionClock,
};
use crate::coach::{Coach, Event, PromptKind as CoachPromptKind};
use crate::exercises::Counts;
use crate::exercises::spec::{self, ExerciseSpec, SpecView};
use crate::pose::{Pose, PoseConfig, PoseEstimator};

use super::history_writer::HistoryConfig;
use super::scripted::ScriptedPoses;
use super::source::{PoseStage, PoseStageBuilder, SourceOpener, StageError};
use super::stats::StageTiming;
use super::worker::WorkerConfig;

/// Where frames come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceChoice {
    /// A webcam by index (0 is the default camera).
    Camera(u32),
    /// A video file, played at its own speed as if it were live.
    Video(PathBuf),
    /// The bundled demo: the routine on one clip per exercise.
    Demo(DemoClips),
}

/// The demo's clips, in the acute routine's order: (exercise id, clip).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoClips(pub Vec<(String, PathBuf)>);

impl DemoClips {
    /// The clips in `dir`: `ID.mp4` for each exercise of the acute routine, each with the
    /// sidecar `ID.json` naming its exercise. Says which file is missing or wrong.
    pub fn in_folder(dir: &std::path::Path) -> Result<Self, String> {
        crate::coach::routine::ACUTE_ROUTINE
            .iter()
            .map(|id| {
                let clip = dir.join(format!("{id}.mp4"));
                if !clip.is_file() {
                    return Err(format!("the demo clip {} is missing", clip.display()));
                }
                match crate::capture::sidecar::exercise_of_video(&clip) {
                    Some(named) if named == *id => Ok((id.to_string(), clip)),
                    _ => Err(format!(
                        "{} does not name {id} as its exercise",
                        clip.with_extension("json").display()
                    )),
                }
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// How the demo runs the routine: one set of each exercise, short rests, the
    /// readiness check kept (a newcomer sees it pass).
    pub fn routine_config() -> crate::coach::routine::RoutineConfig {
        crate::coach::routine::RoutineConfig {
            rest_between_sets_s: Some(3.0),
            sets: Some(1),
            after_time_limit_s: 3.0,
            ..Default::default()
        }
    }
}

impl Default for SourceChoice {
    fn default() -> Self {
        Self::Camera(0)
    }
}

pub use crate::pose::ModelVariant;

/// How the worker should run, besides the source.
#[derive(Clone, Debug, Default)]
pub struct EngineOptions {
    pub model: ModelVariant,
    /// Replay recorded landmarks instead of running the model.
    pub landmarks: Option<PathBuf>,
    pub routine: RoutineConfig,
    /// Where the history is kept; `None` keeps nothing.
    pub history: Option<HistoryConfig>,
    /// Restart a video at its end.
    pub loop_video: bool,
}

/// The worker's configuration for `source`.
pub fn worker_config(source: &SourceChoice, options: &EngineOptions) -> WorkerConfig {
    if let SourceChoice::Demo(clips) = source {
        return demo_worker_config(clips, options);
    }
    WorkerConfig {
        source: source_opener(source),
        pose: pose_builder(options),
        coaches: Box::new(|| Box::new(BuiltinExercises) as Box<dyn CoachFactory>),
        routine: options.routine.clone(),
        history: options.history.clone().map(|history| HistoryConfig {
            model: Some(match &options.landmarks {
                Some(_) => "replayed landmarks".to_string(),
                None => options
                    .model
                    .landmark_file()
                    .trim_end_matches(".onnx")
                    .to_string(),
            }),
            ..history
        }),
        loop_video: options.loop_video,
        playlist: None,
    }
}

/// Opens the demo's clips as one source, played as `control` asks.
fn playlist_opener(clips: &DemoClips, control: Arc<PlaylistControl>) -> SourceOpener {
    let paths: Vec<PathBuf> = clips.0.iter().map(|(_, path)| path.clone()).collect();
    Box::new(move || {
        PlaylistSource::open(paths.clone(), Arc::clone(&control))
            .map(|s| Box::new(s) as Box<dyn crate::capture::FrameSource>)
    })
}

/// The demo: its clips in turn, the routine in step with them, and no history (a
/// newcomer's demo is not their record).
fn demo_worker_config(clips: &DemoClips, options: &EngineOptions) -> WorkerConfig {
    let control = Arc::new(PlaylistControl::default());
    WorkerConfig {
        source: playlist_opener(clips, Arc::clone(&control)),
        pose: pose_builder(options),
        coaches: Box::new(|| Box::new(BuiltinExercises) as Box<dyn CoachFactory>),
        routine: DemoClips::routine_config(),
        history: None,
        loop_video: false,
        playlist: Some(control),
    }
}

/// Opens the chosen source (again, after a camera was lost).
pub fn source_opener(source: &SourceChoice) -> SourceOpener {
    let spec = match source {
        SourceChoice::Camera(index) => SourceSpec::Camera(CameraConfig {
            index: i32::try_from(*index).unwrap_or(i32::MAX),
            ..CameraConfig::default()
        }),
        SourceChoice::Video(path) => SourceSpec::Video(path.clone()),
        // Without a routine to follow, the clips simply play in turn.
        SourceChoice::Demo(clips) => {
            return playlist_opener(clips, Arc::new(PlaylistControl::default()));
        }
    };
    Box::new(move || spec.open())
}

/// Builds the pose stage on the worker thread: recorded landmarks if given, else the
/// BlazePose estimator (ONNX Runtime sessions are made, and stay, on that thread).
pub fn pose_builder(options: &EngineOptions) -> PoseStageBuilder {
    let landmarks = options.landmarks.clone();
    let variant = options.model;
    Box::new(move || match landmarks {
        Some(path) => ScriptedPoses::from_jsonl(&path, 0, 0)
            .map(|poses| Box::new(poses) as Box<dyn PoseStage>)
            .map_err(|e| StageError::new(e.to_string())),
        None => PoseEstimator::new(PoseConfig {
            variant,
            ..PoseConfig::default()
        })
        .map(|estimator| {
            Box::new(Estimator {
                estimator,
                belly_cue_unavailable: false,
            }) as Box<dyn PoseStage>
        })
        .map_err(|e| StageError::new(e.to_string())),
    })
}

/// The BlazePose estimator as the worker's pose stage.
struct Estimator {
    estimator: PoseEstimator,
    /// The `_seg` model failed to load once: not retried every frame.
    belly_cue_unavailable: bool,
}

impl PoseStage for Estimator {
    fn estimate(&mut self, frame: &Frame) -> Result<Option<Pose>, StageError> {
        self.estimator
            .estimate(frame)
            .map_err(|e| StageError::new(e.to_string()))
    }

    fn set_belly_cue(&mut self, on: bool) {
        if on && self.belly_cue_unavailable {
            return;
        }
        if let Err(err) = self.estimator.set_segmentation(on) {
            // The tilt then counts from the landmarks alone.
            tracing::warn!("cannot read the belly's outline: {err}");
            self.belly_cue_unavailable = true;
        }
    }

    fn last_timings(&self) -> Vec<StageTiming> {
        let timings = self.estimator.last_timings();
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
        let mut stages = vec![
            StageTiming {
                stage: "preprocess".into(),
                duration_ms: ms(timings.preprocess),
            },
            StageTiming {
                stage: "landmark".into(),
                duration_ms: ms(timings.landmark),
            },
            StageTiming {
                stage: "postprocess".into(),
                duration_ms: ms(timings.postprocess),
            },
        ];
        if timings.detector_ran {
            stages.insert(
                1,
                StageTiming {
                    stage: "detector".into(),
                    duration_ms: ms(timings.detector),
                },
            );
        }
        stages
    }
}

/// What the user is shown about an exercise, from its spec (`assets/exercises/<id>.toml`).
pub fn exercise_info(id: &str) -> Option<ExerciseInfo> {
    spec::load(id).ok().map(|spec| info_from_spec(&spec))
}

fn info_from_spec(spec: &ExerciseSpec) -> ExerciseInfo {
    let p = &spec.prescription;
    let per_side = p.reps_per_side > 0;
    ExerciseInfo {
        id: spec.id.clone(),
        name: spec.name.clone(),
        camera_view: match spec.view {
            SpecView::Front => CameraView::Front,
            SpecView::Side => CameraView::Side,
        },
        camera_placement: spec.placement.clone(),
        how_to: sentences(&spec.how_to),
        tips: spec.tips.clone(),
        prescription: Prescription {
            // The seed says "2–3 sets": the routine asks for the lower number, calmly.
            sets: p.sets_min.max(1),
            reps_per_set: if per_side {
                p.reps_per_side
            } else {
                p.reps_per_set
            },
            per_side,
            hold_s: (p.hold_min_s > 0.0).then_some(p.hold_min_s),
            time_limit_s: (p.time_limit_s > 0.0).then_some(p.time_limit_s),
        },
        time_up_prompt: spec
            .prompt(crate::exercises::FaultCode::OverTime)
            .map(str::to_string),
    }
}

/// The how-to paragraph as numbered steps: one per sentence.
fn sentences(text: &str) -> Vec<String> {
    let mut steps = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
        if word.ends_with('.') || word.ends_with('!') || word.ends_with('?') {
            steps.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        steps.push(current);
    }
    steps
}

/// The exercise engine's coaches, described by their specs.
pub struct BuiltinExercises;

impl CoachFactory for BuiltinExercises {
    fn info(&self, entry: &PlanEntry) -> Option<ExerciseInfo> {
        entry.spec().ok().map(|spec| info_from_spec(&spec))
    }

    fn coach(&self, entry: &PlanEntry) -> Result<Box<dyn ExerciseCoach>, RoutineError> {
        let reason = |e: String| RoutineError::Coach {
            exercise: entry.id.clone(),
            reason: e,
        };
        let spec = entry.spec().map_err(reason)?;
        let coach = Coach::from_spec(spec).map_err(|e| reason(e.to_string()))?;
        Ok(Box::new(EngineCoach {
            coach,
            sets_completed: 0,
            holds_completed: 0,
            prompts_given: 0,
            counts_at_set_start: Counts::default(),
            progress: Vec::new(),
            hold_kept_s: None,
            unseen_since: None,
            last_t_s: 0.0,
        }))
    }
}

/// [`Coach`] as the routine drives it: its events become the counters the UI follows.
struct EngineCoach {
    coach: Coach,
    sets_completed: u32,
    holds_completed: u32,
    prompts_given: u32,
    /// Counts when the current set began, so the UI can show this set's reps per side.
    counts_at_set_start: Counts,
    /// Counted since the routine last asked.
    progress: Vec<Progress>,
    /// The timed hold's (or traction clock's) progress last kept, seconds.
    hold_kept_s: Option<f64>,
    /// Since when no person has been found.
    unseen_since: Option<f64>,
    last_t_s: f64,
}

impl EngineCoach {
    fn absorb(&mut self, events: &[Event]) {
        for event in events {
            match event {
                Event::RepCounted {
                    side,
                    side_inferred,
                    set,
                    number,
                    start_s,
                    t_s,
                    hold_s,
                    faults,
                } => self.progress.push(Progress::Rep(LiveRep {
                    side: side.map(|side| match side {
                        crate::exercises::Side::Left => Side::Left,
                        crate::exercises::Side::Right => Side::Right,
                    }),
                    side_inferred: *side_inferred,
                    set: *set,
                    number: *number,
                    start_s: *start_s,
                    end_s: *t_s,
                    hold_s: *hold_s,
                    faults: faults.iter().map(|f| f.as_str().to_string()).collect(),
                })),
                Event::Step { .. } => {
                    if let Some(timer) = self.coach.state().timer {
                        self.keep_hold(timer.elapsed_s);
                    }
                }
                Event::SetCompleted { .. } => {
                    self.sets_completed += 1;
                    self.counts_at_set_start = self.coach.state().counts;
                }
                Event::HoldCompleted { .. } => self.holds_completed += 1,
                Event::Prompt(_) => self.prompts_given += 1,
                _ => {}
            }
        }
    }

    fn keep_hold(&mut self, held_s: f64) {
        self.hold_kept_s = Some(held_s);
        self.progress.push(Progress::Hold { held_s });
    }

    /// Keeps a timed hold's progress each time it passes another [`HOLD_PROGRESS_EVERY_S`].
    fn follow_hold(&mut self) {
        let state = self.coach.state();
        let held_s = match (state.timer, state.hold) {
            (Some(timer), _) => timer.elapsed_s,
            (None, Some(hold)) if hold.counting => hold.held_s,
            _ => return,
        };
        let step = |s: f64| (s / HOLD_PROGRESS_EVERY_S).floor();
        match self.hold_kept_s {
            // A new hold began: the count starts over.
            Some(kept) if held_s + 1e-9 < kept => self.hold_kept_s = Some(0.0),
            Some(kept) if step(held_s) > step(kept) => self.keep_hold(held_s),
            None if held_s >= HOLD_PROGRESS_EVERY_S => self.keep_hold(held_s),
            None => self.hold_kept_s = Some(0.0),
            _ => {}
        }
    }
}

impl ExerciseCoach for EngineCoach {
    fn update(&mut self, t_s: f64, pose: Option<&Pose>) {
        self.last_t_s = t_s;
        self.unseen_since = match pose {
            Some(_) => None,
            None => Some(self.unseen_since.unwrap_or(t_s)),
        };
        let events = self.coach.update(t_s, pose);
        self.absorb(&events);
        self.follow_hold();
    }

    fn take_progress(&mut self) -> Vec<Progress> {
        std::mem::take(&mut self.progress)
    }

    fn reads_belly_cue(&self) -> bool {
        self.coach.reads_belly_cue()
    }

    fn state(&self) -> ExerciseState {
        let state = self.coach.state();
        ExerciseState {
            reps_left: state
                .counts
                .left
                .saturating_sub(self.counts_at_set_start.left),
            reps_right: state
                .counts
                .right
                .saturating_sub(self.counts_at_set_start.right),
            reps_in_set: state.reps_in_set,
            reps_total: state.counts.total,
            sets_completed: self.sets_completed,
            holds_completed: self.holds_completed,
            hold: state.hold.map(|hold| HoldProgress {
                held_s: hold.held_s,
                target_s: hold.target_s,
                counting: hold.counting,
            }),
            traction: state.timer.map(|timer| TractionClock {
                elapsed_s: timer.elapsed_s,
                limit_s: timer.limit_s,
                running: timer.running,
            }),
            active_faults: state
                .active_faults
                .iter()
                .map(|code| code.as_str().to_string())
                .collect(),
            prompt: state.prompt.map(|prompt| Prompt {
                text: prompt.text,
                kind: match prompt.kind {
                    CoachPromptKind::Safety => PromptKind::Safety,
                    CoachPromptKind::Form => PromptKind::Form,
                    CoachPromptKind::Camera => PromptKind::Camera,
                },
            }),
            prompts_given: self.prompts_given,
            landmarks_used: state.check_landmarks,
            landmarks_faulted: state.fault_landmarks,
            ready: state.readiness.ready,
            readiness_hint: state.readiness.message,
            away: self
                .unseen_since
                .is_some_and(|since| self.last_t_s - since >= AWAY_AFTER_S),
        }
    }

    fn stop_hurts(&mut self, t_s: f64) {
        let events = self.coach.stop_hurts(t_s);
        self.absorb(&events);
    }

    fn finish(&mut self, t_s: f64) -> serde_json::Value {
        let counted_live = self.coach.state().counts.total;
        let (report, events) = self.coach.finish_with_events(t_s);
        // A set that closes as the exercise ends still counts.
        self.absorb(&events);
        // Every rep it counted was withdrawn as the exercise ended (it could not see the
        // movement after all): the sets and holds they made go with them.
        let unseen = report
            .cannot_see
            .iter()
            .any(|c| c.reason == crate::coach::report::CannotSeeReason::MovementBelowNoise);
        if counted_live > 0 && report.counts.total == 0 && unseen {
            self.sets_completed = 0;
            self.holds_completed = 0;
        }
        serde_json::to_value(&report).unwrap_or_else(|err| {
            tracing::warn!("the exercise report could not be written as JSON: {err}");
            serde_json::Value::Null
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a routine prescribes is what the screen shows and what the coach counts to.
    #[test]
    fn a_routines_prescription_reaches_the_screen_and_the_coach() {
        let entry = PlanEntry {
            id: "pelvic-rock".into(),
            sets: Some(1),
            reps: Some(6),
            ..PlanEntry::default()
        };
        let info = BuiltinExercises.info(&entry).unwrap();
        assert_eq!(
            (info.prescription.sets, info.prescription.reps_per_set),
            (1, 6)
        );
        assert!(info.prescription.per_side);
        let coach = BuiltinExercises.coach(&entry).unwrap();
        let report = {
            let mut coach = coach;
            coach.finish(0.0)
        };
        assert_eq!(report["prescribed"]["reps_per_set"], 12);
        assert_eq!(report["prescribed"]["sets"], 1);
        // An entry the exercise does not allow never becomes a coach.
        let too_many = PlanEntry {
            reps: Some(50),
            ..entry
        };
        assert!(BuiltinExercises.info(&too_many).is_none());
        assert!(BuiltinExercises.coach(&too_many).is_err());
    }
}
