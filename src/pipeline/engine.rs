//! Wiring: turns the app's choices (camera or video, model size, recorded landmarks)
//! into the worker's frame source, pose stage and coach factory.
//!
//! In flow a [`SourceChoice`] and [`EngineOptions`]; out flows a [`WorkerConfig`]. This
//! is the one place that knows which concrete camera reader, pose estimator and
//! exercise checks the app runs, so the worker and the UI stay independent of them.

use std::path::PathBuf;

use crate::capture::{CameraConfig, Frame, SourceSpec};
use crate::coach::routine::{
    CameraView, CoachFactory, ExerciseCoach, ExerciseInfo, ExerciseState, Prescription,
    RoutineConfig, RoutineError,
};
use crate::coach::session_log::SessionLog;
use crate::pose::{Pose, PoseConfig, PoseEstimator, index};

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
    pub session_log: Option<SessionLog>,
    /// Restart a video at its end.
    pub loop_video: bool,
}

/// The worker's configuration for `source`.
pub fn worker_config(source: &SourceChoice, options: &EngineOptions) -> WorkerConfig {
    WorkerConfig {
        source: source_opener(source),
        pose: pose_builder(options),
        coaches: Box::new(|| Box::new(BuiltinExercises) as Box<dyn CoachFactory>),
        routine: options.routine.clone(),
        session_log: options.session_log.clone(),
        loop_video: options.loop_video,
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
        .map(|estimator| Box::new(Estimator(estimator)) as Box<dyn PoseStage>)
        .map_err(|e| StageError::new(e.to_string())),
    })
}

/// The BlazePose estimator as the worker's pose stage.
struct Estimator(PoseEstimator);

impl PoseStage for Estimator {
    fn estimate(&mut self, frame: &Frame) -> Result<Option<Pose>, StageError> {
        self.0
            .estimate(frame)
            .map_err(|e| StageError::new(e.to_string()))
    }

    fn last_timings(&self) -> Vec<StageTiming> {
        let timings = self.0.last_timings();
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

/// The four exercises of the acute routine, with the seed's how-to text.
pub fn exercise_info(id: &str) -> Option<ExerciseInfo> {
    let lines = |items: &[&str]| items.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
    let info = match id {
        "pelvic-tilt" => ExerciseInfo {
            id: id.into(),
            name: "Pelvic tilts".into(),
            camera_view: CameraView::Side,
            camera_placement: "Put the camera on the floor beside you, about 2.5 m away, so it sees you from the side, head to feet.".into(),
            how_to: lines(&[
                "Lie on your back, knees bent, feet flat.",
                "Hands on your pelvis: thumbs on the hip bones, fingers on the pubic bone.",
                "Gently tilt your pelvis back so your lower back flattens into the floor, hold, then release.",
            ]),
            tips: lines(&["Don't force or crunch. Push gently through your heels.", "Work in the range that feels relieving, not painful."]),
            prescription: Prescription { sets: 2, reps_per_set: 10, per_side: false, hold_s: Some(5.0), time_limit_s: None },
        },
        "controlled-rotation" => ExerciseInfo {
            id: id.into(),
            name: "Controlled rotations".into(),
            camera_view: CameraView::Side,
            camera_placement: "Keep the camera on the floor at your side (not at your feet: from there your knees hide your back).".into(),
            how_to: lines(&[
                "Still lying on your back, knees bent together, feet on the floor.",
                "Arms out to the sides for support.",
                "Slowly lower both knees a little to one side, come back, then the other side.",
            ]),
            tips: lines(&["Keep it small and pain-free.", "Keep your upper body still, arms out for support."]),
            prescription: Prescription { sets: 2, reps_per_set: 5, per_side: true, hold_s: None, time_limit_s: None },
        },
        "pelvic-rock" => ExerciseInfo {
            id: id.into(),
            name: "Pelvic rocks".into(),
            camera_view: CameraView::Front,
            camera_placement: "Sit facing the camera, about 2.5 m away, with the camera at chest height.".into(),
            how_to: lines(&[
                "Sit on the edge of your bed or a chair.",
                "Slowly shift your weight from one sitting bone to the other.",
                "Keep your upper body still.",
            ]),
            tips: lines(&["Imagine your pelvis is a boat rocking in water.", "Movement should come from your pelvis, not your shoulders."]),
            prescription: Prescription { sets: 2, reps_per_set: 10, per_side: true, hold_s: None, time_limit_s: None },
        },
        "back-block-traction" => ExerciseInfo {
            id: id.into(),
            name: "Back block traction".into(),
            camera_view: CameraView::Side,
            camera_placement: "Put the camera on the floor beside you again, so it sees you from the side.".into(),
            how_to: lines(&[
                "Lie on your back with a yoga block or a thick book wrapped in a towel.",
                "Push through your heels to lift slightly, slide the block under your sacrum (not your lower back), relax down.",
                "Slowly extend one leg, then the other.",
            ]),
            tips: lines(&["Up to 1 minute only.", "If comfortable, raise your arms overhead for a little more traction."]),
            prescription: Prescription { sets: 1, reps_per_set: 0, per_side: false, hold_s: None, time_limit_s: Some(60.0) },
        },
        _ => return None,
    };
    Some(info)
}

/// The built-in exercise list, with a watch-only coach until the exercise engine lands:
/// it checks readiness (the body parts the exercise needs are visible) and counts nothing.
pub struct BuiltinExercises;

impl CoachFactory for BuiltinExercises {
    fn info(&self, exercise_id: &str) -> Option<ExerciseInfo> {
        exercise_info(exercise_id)
    }

    fn coach(&self, exercise_id: &str) -> Result<Box<dyn ExerciseCoach>, RoutineError> {
        let info = exercise_info(exercise_id)
            .ok_or_else(|| RoutineError::UnknownExercise(exercise_id.into()))?;
        Ok(Box::new(WatchOnlyCoach {
            needed: needed_landmarks(info.camera_view),
            started_t_s: None,
            time_limit_s: info.prescription.time_limit_s,
            state: ExerciseState::default(),
        }))
    }
}

/// Landmarks that must be visible on at least one side: shoulder, hip and knee.
fn needed_landmarks(view: CameraView) -> Vec<[usize; 2]> {
    let _ = view;
    vec![
        [index::LEFT_SHOULDER, index::RIGHT_SHOULDER],
        [index::LEFT_HIP, index::RIGHT_HIP],
        [index::LEFT_KNEE, index::RIGHT_KNEE],
    ]
}

struct WatchOnlyCoach {
    needed: Vec<[usize; 2]>,
    started_t_s: Option<f64>,
    time_limit_s: Option<f64>,
    state: ExerciseState,
}

impl ExerciseCoach for WatchOnlyCoach {
    fn update(&mut self, t_s: f64, pose: Option<&Pose>) {
        let visible =
            |pose: &Pose, i: usize| pose.landmarks.get(i).is_some_and(|l| l.visibility > 0.5);
        let missing: Vec<usize> = match pose {
            None => self.needed.iter().map(|pair| pair[0]).collect(),
            Some(pose) => self
                .needed
                .iter()
                .filter(|pair| !pair.iter().any(|&i| visible(pose, i)))
                .map(|pair| pair[0])
                .collect(),
        };
        self.state.ready = missing.is_empty();
        self.state.readiness_hint = if pose.is_none() {
            Some("I can't see you yet".into())
        } else if missing.is_empty() {
            None
        } else {
            Some("I can't see your whole body: move the camera back".into())
        };
        self.state.landmarks_used = self.needed.iter().flatten().copied().collect();
        let started = *self.started_t_s.get_or_insert(t_s);
        if let Some(limit_s) = self.time_limit_s {
            self.state.traction = Some(crate::coach::routine::TractionClock {
                elapsed_s: t_s - started,
                limit_s,
            });
        }
    }

    fn state(&self) -> ExerciseState {
        self.state.clone()
    }

    fn stop_hurts(&mut self, _t_s: f64) {}

    fn finish(&mut self, _t_s: f64) -> serde_json::Value {
        serde_json::Value::Null
    }
}
