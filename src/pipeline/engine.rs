//! Wiring: turns the app's choices (camera or video, model size, recorded landmarks)
//! into the worker's frame source, pose stage and coach factory.
//!
//! In flow a [`SourceChoice`] and [`EngineOptions`]; out flows a [`WorkerConfig`]. This
//! is the one place that knows which concrete camera reader, pose estimator and
//! exercise checks the app runs, so the worker and the UI stay independent of them.

use std::path::PathBuf;
use std::time::Instant;

use opencv::core::Mat;
use opencv::prelude::*;
use opencv::{imgproc, videoio};

use crate::capture::Frame;
use crate::coach::routine::{
    CameraView, CoachFactory, ExerciseCoach, ExerciseInfo, ExerciseState, Prescription,
    RoutineConfig, RoutineError,
};
use crate::coach::session_log::SessionLog;
use crate::pose::{Pose, index};

use super::scripted::ScriptedPoses;
use super::source::{FrameSource, PoseStage, PoseStageBuilder, SourceOpener, StageError};
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

/// BlazePose landmark model size: lite is faster, full is more accurate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ModelVariant {
    Lite,
    #[default]
    Full,
}

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
    let source = source.clone();
    Box::new(move || match &source {
        SourceChoice::Camera(index) => {
            OpenCvSource::camera(*index).map(|s| Box::new(s) as Box<dyn FrameSource>)
        }
        SourceChoice::Video(path) => {
            OpenCvSource::video(path.clone()).map(|s| Box::new(s) as Box<dyn FrameSource>)
        }
    })
}

/// Builds the pose stage on the worker thread.
pub fn pose_builder(options: &EngineOptions) -> PoseStageBuilder {
    let landmarks = options.landmarks.clone();
    let model = options.model;
    Box::new(move || match landmarks {
        Some(path) => ScriptedPoses::from_jsonl(&path, 0, 0)
            .map(|poses| Box::new(poses) as Box<dyn PoseStage>)
            .map_err(|e| StageError::new(e.to_string())),
        None => Err(StageError::new(format!(
            "the {model:?} pose model is not wired into this build yet; replay landmarks with --landmarks"
        ))),
    })
}

/// A camera or video file read with OpenCV, frames converted to RGB.
pub struct OpenCvSource {
    capture: videoio::VideoCapture,
    live: bool,
    name: String,
    next_index: u64,
    opened_at: Instant,
    bgr: Mat,
    rgb: Mat,
}

fn cv_error(context: &str, err: opencv::Error) -> StageError {
    StageError::new(format!("{context}: {err}"))
}

impl OpenCvSource {
    pub fn camera(index: u32) -> Result<Self, StageError> {
        let capture = videoio::VideoCapture::new(index as i32, videoio::CAP_V4L2)
            .map_err(|e| cv_error("cannot open the camera", e))?;
        if !capture.is_opened().unwrap_or(false) {
            return Err(StageError::new(format!("no camera found at index {index}")));
        }
        let mut source = Self::with(capture, true, format!("camera {index}"));
        // One buffer: V4L2's default four make the picture ~130 ms stale.
        if let Err(err) = source.capture.set(videoio::CAP_PROP_BUFFERSIZE, 1.0) {
            tracing::debug!("camera ignores the buffer size: {err}");
        }
        Ok(source)
    }

    pub fn video(path: PathBuf) -> Result<Self, StageError> {
        if !path.is_file() {
            return Err(StageError::new(format!(
                "no video file at {}",
                path.display()
            )));
        }
        let shown = path.display().to_string();
        let capture = videoio::VideoCapture::from_file(&shown, videoio::CAP_ANY)
            .map_err(|e| cv_error(&format!("cannot open {shown}"), e))?;
        if !capture.is_opened().unwrap_or(false) {
            return Err(StageError::new(format!(
                "cannot decode {shown}: not a video OpenCV can read"
            )));
        }
        let name = path
            .file_name()
            .map_or(shown, |n| n.to_string_lossy().into_owned());
        Ok(Self::with(capture, false, name))
    }

    fn with(capture: videoio::VideoCapture, live: bool, name: String) -> Self {
        Self {
            capture,
            live,
            name,
            next_index: 0,
            opened_at: Instant::now(),
            bgr: Mat::default(),
            rgb: Mat::default(),
        }
    }
}

impl FrameSource for OpenCvSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, StageError> {
        let got = self
            .capture
            .read(&mut self.bgr)
            .map_err(|e| cv_error("cannot read a frame", e))?;
        if !got || self.bgr.empty() {
            return Ok(None);
        }
        let timestamp_s = if self.live {
            self.opened_at.elapsed().as_secs_f64()
        } else {
            self.capture
                .get(videoio::CAP_PROP_POS_MSEC)
                .map_err(|e| cv_error("no frame time", e))?
                / 1e3
        };
        imgproc::cvt_color(&self.bgr, &mut self.rgb, imgproc::COLOR_BGR2RGB, 0)
            .map_err(|e| cv_error("cannot convert the frame", e))?;
        let bytes = self
            .rgb
            .data_bytes()
            .map_err(|e| cv_error("frame not contiguous", e))?;
        let frame = Frame {
            index: self.next_index,
            timestamp_s,
            width: self.rgb.cols() as u32,
            height: self.rgb.rows() as u32,
            rgb: bytes.to_vec(),
        };
        self.next_index += 1;
        Ok(Some(frame))
    }

    fn is_live(&self) -> bool {
        self.live
    }

    fn describe(&self) -> String {
        self.name.clone()
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
