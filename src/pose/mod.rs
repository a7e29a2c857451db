//! Pose estimation: a faithful port of MediaPipe's BlazePose pipeline on ONNX Runtime.
//!
//! In flows a [`crate::capture::Frame`]; out flows an optional [`Pose`] (33 landmarks in
//! image pixels, world landmarks in metres, the pose score and the ROI it came from).
//! [`PoseEstimator`] runs MediaPipe's `pose_landmark_cpu` graph per frame: the detector
//! only when nothing is tracked, then the landmark model on the rotated ROI, then One
//! Euro smoothing. Submodules: `model` (ort sessions, runtime and model lookup, image →
//! tensor), `detector` (anchors, decode, NMS, detection → ROI), `landmarks` (ROI warp,
//! decode, heatmap refinement, projection back), `tracker` (detect vs track, landmarks →
//! ROI), `smoothing` (One Euro, visibility low-pass). Nothing downstream sees tensors.
//!
//! One possible difference, off by default: after a detection, the landmark model can
//! run again on its own ROI until that settles ([`PoseConfig::settle_first_roi`]), so
//! the landmarks do not creep for seconds while the tracked ROI drifts from the
//! detector's box (the coach calibrates in those seconds). `docs/tilt-cue.md` says why
//! it is not on yet.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use detector::PoseDetector;
use landmarks::LandmarkModel;
use tracker::Tracker;

pub mod detector;
pub mod jsonl;
pub mod landmarks;
pub mod model;
pub mod pelvis_flow;
pub mod silhouette;
pub mod smoothing;
pub mod tracker;

pub use model::ModelVariant;

/// Number of body landmarks BlazePose reports.
pub const LANDMARK_COUNT: usize = 33;

/// BlazePose landmark indices ("left" is the subject's left, as in MediaPipe).
pub mod index {
    pub const NOSE: usize = 0;
    pub const LEFT_EYE_INNER: usize = 1;
    pub const LEFT_EYE: usize = 2;
    pub const LEFT_EYE_OUTER: usize = 3;
    pub const RIGHT_EYE_INNER: usize = 4;
    pub const RIGHT_EYE: usize = 5;
    pub const RIGHT_EYE_OUTER: usize = 6;
    pub const LEFT_EAR: usize = 7;
    pub const RIGHT_EAR: usize = 8;
    pub const MOUTH_LEFT: usize = 9;
    pub const MOUTH_RIGHT: usize = 10;
    pub const LEFT_SHOULDER: usize = 11;
    pub const RIGHT_SHOULDER: usize = 12;
    pub const LEFT_ELBOW: usize = 13;
    pub const RIGHT_ELBOW: usize = 14;
    pub const LEFT_WRIST: usize = 15;
    pub const RIGHT_WRIST: usize = 16;
    pub const LEFT_PINKY: usize = 17;
    pub const RIGHT_PINKY: usize = 18;
    pub const LEFT_INDEX: usize = 19;
    pub const RIGHT_INDEX: usize = 20;
    pub const LEFT_THUMB: usize = 21;
    pub const RIGHT_THUMB: usize = 22;
    pub const LEFT_HIP: usize = 23;
    pub const RIGHT_HIP: usize = 24;
    pub const LEFT_KNEE: usize = 25;
    pub const RIGHT_KNEE: usize = 26;
    pub const LEFT_ANKLE: usize = 27;
    pub const RIGHT_ANKLE: usize = 28;
    pub const LEFT_HEEL: usize = 29;
    pub const RIGHT_HEEL: usize = 30;
    pub const LEFT_FOOT_INDEX: usize = 31;
    pub const RIGHT_FOOT_INDEX: usize = 32;
}

/// Landmark names in index order, as MediaPipe spells them.
pub const LANDMARK_NAMES: [&str; LANDMARK_COUNT] = [
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
];

/// Skeleton edges for drawing (pairs of landmark indices), as MediaPipe's POSE_CONNECTIONS.
pub const SKELETON_EDGES: [(usize, usize); 35] = [
    (0, 1),
    (1, 2),
    (2, 3),
    (3, 7),
    (0, 4),
    (4, 5),
    (5, 6),
    (6, 8),
    (9, 10),
    (11, 12),
    (11, 13),
    (13, 15),
    (15, 17),
    (15, 19),
    (15, 21),
    (17, 19),
    (12, 14),
    (14, 16),
    (16, 18),
    (16, 20),
    (16, 22),
    (18, 20),
    (11, 23),
    (12, 24),
    (23, 24),
    (23, 25),
    (24, 26),
    (25, 27),
    (26, 28),
    (27, 29),
    (28, 30),
    (29, 31),
    (30, 32),
    (27, 31),
    (28, 32),
];

/// One body landmark in image space.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Landmark {
    /// Image pixels, origin top-left.
    pub x_px: f32,
    pub y_px: f32,
    /// Depth relative to the hips, on the same scale as `x_px` (MediaPipe's normalised z × image width).
    pub z: f32,
    /// Probability the point is visible (not occluded), smoothed over time.
    pub visibility: f32,
    /// Probability the point is inside the frame.
    pub presence: f32,
}

/// One landmark in metres, origin at the hip centre (MediaPipe's world landmarks,
/// rotated back by the ROI's rotation so a person lying down lies down here too).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WorldLandmark {
    pub x_m: f32,
    pub y_m: f32,
    pub z_m: f32,
}

/// A rotated rectangle in image pixels: where the landmark model looked.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Roi {
    pub center_x_px: f32,
    pub center_y_px: f32,
    pub width_px: f32,
    pub height_px: f32,
    /// Clockwise rotation in image coordinates (y down), radians.
    pub rotation_rad: f32,
}

/// Everything the pipeline knows about the person in one frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Pose {
    pub landmarks: [Landmark; LANDMARK_COUNT],
    /// Metric landmarks; `None` when the source had none (e.g. a landmarks JSONL file).
    pub world: Option<[WorldLandmark; LANDMARK_COUNT]>,
    /// The landmark model's pose flag (probability a person is in the ROI).
    pub score: f32,
    pub roi: Roi,
    /// Size of the image the pixel coordinates refer to.
    pub image_width: u32,
    pub image_height: u32,
    /// The belly's silhouette edge above the trunk line, torso lengths (the pelvic tilt's
    /// cue: [`silhouette`]); `None` unless [`PoseConfig::segmentation`] asked for it.
    pub belly_height_torso: Option<f32>,
    /// The pelvis's turn in the picture since a reference frame, degrees (the pelvic
    /// tilt's other cue: [`pelvis_flow`]); read with the belly edge.
    pub pelvis_turn_deg: Option<f32>,
}

/// Wraps an angle into [-π, π) the way MediaPipe's `NormalizeRadians` does (in double
/// precision, stored as a float).
pub fn normalize_radians(angle_rad: f32) -> f32 {
    use std::f64::consts::PI;
    let angle = f64::from(angle_rad);
    (angle - 2.0 * PI * ((angle + PI) / (2.0 * PI)).floor()) as f32
}

/// What can go wrong turning frames into poses. Every message says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum PoseError {
    #[error(
        "ONNX Runtime library not found (looked for libonnxruntime.so* in: {searched}). \
         Run `make setup` to download it into .ort/, or set BACKFORM_ORT_LIB to the path of libonnxruntime.so.1.31.x"
    )]
    RuntimeNotFound { searched: String },
    #[error(
        "ONNX Runtime library {path} could not be loaded: {reason}. \
         Run `make setup` to download libonnxruntime.so.1.31.1, or set BACKFORM_ORT_LIB to a working libonnxruntime.so.1.31.x"
    )]
    RuntimeLoad { path: PathBuf, reason: String },
    #[error(
        "model file {file} is missing (looked for: {searched}). Run `make models` to regenerate it \
         (see models/SOURCES.md), or set BACKFORM_MODELS to the folder that holds it"
    )]
    ModelMissing { file: String, searched: String },
    #[error(
        "model file {path} is not a usable pose model ({reason}). It is corrupt or the wrong file: \
         run `make models` to regenerate it (see models/SOURCES.md)"
    )]
    ModelInvalid { path: PathBuf, reason: String },
    #[error("ONNX Runtime rejected the session options: {0}")]
    SessionOptions(String),
    #[error("ONNX Runtime failed running {model}: {reason}")]
    Inference { model: String, reason: String },
    #[error(
        "frame {width}x{height} holds {bytes} bytes, expected width × height × 3 (packed RGB8)"
    )]
    BadFrame {
        width: u32,
        height: u32,
        bytes: usize,
    },
    #[error("image warp failed (OpenCV): {0}")]
    Image(#[from] opencv::Error),
}

/// How to run the pose pipeline. `Default` is what the app uses live.
#[derive(Clone, Debug, PartialEq)]
pub struct PoseConfig {
    /// Landmark model: `Full` (MediaPipe's default) or `Lite`.
    pub variant: ModelVariant,
    /// ONNX Runtime intra-op threads per model. Default 1 (benches/pose.rs, 2-core EPYC):
    /// on an idle machine 2 threads cut a Full tracking frame from 12.2 to 8.7 ms (median)
    /// for 19% more CPU, but as soon as anything else runs (capture, the UI, a build)
    /// their p95 doubles (≈45 ms vs ≈22 ms) while 1 thread keeps the other core free.
    pub intra_threads: usize,
    /// One Euro smoothing of landmarks, visibility and world landmarks (MediaPipe's
    /// `smooth_landmarks`). The filter that steers the tracked ROI always runs.
    pub smoothing: bool,
    /// Stamp frame n at (n + 1) × this step instead of using the frame's own timestamp.
    /// MediaPipe's Python API stamps frames 33 333 µs apart whatever the clip's rate, so a
    /// faithful comparison with its output sets `Some(Duration::from_micros(33_333))`.
    pub fixed_time_step: Option<Duration>,
    /// Folder holding the `.onnx` models (else `BACKFORM_MODELS`, then the places
    /// `crate::bundle` lists: beside the binary, the source tree's `models/`, system).
    pub models_dir: Option<PathBuf>,
    /// The ONNX Runtime library (else `BACKFORM_ORT_LIB`, then `crate::bundle`'s places:
    /// beside the binary, the source tree's `.ort/`, system).
    pub runtime_library: Option<PathBuf>,
    /// MediaPipe's `min_detection_confidence`.
    pub min_detection_score: f32,
    /// MediaPipe's `min_tracking_confidence`: the pose flag must exceed it to keep tracking.
    pub min_pose_flag: f32,
    /// Also read the belly's silhouette edge from the segmentation output (the pelvic
    /// tilt's cue). It runs the model's segmentation head, ~6 ms more per frame, so the
    /// pipeline asks for it only when the exercise reads it.
    pub segmentation: bool,
    /// After a detection, run the landmark model again on the ROI its own result gives
    /// until that ROI stops moving (`tracker::settled_rect`), before tracking starts.
    /// MediaPipe does not: its tracked ROI creeps from the detector's box to where the
    /// landmarks put it over seconds, through the slow filter that steers it, and every
    /// landmark creeps with it (a pelvic tilt's trunk line by up to 1.3° on a still
    /// body, twice a tilt). Off for now: the engine's thresholds were measured on the
    /// creeping landmarks, and on 14 of the rendered clips the settled ones move a
    /// verdict (`docs/tilt-cue.md`, "The first seconds").
    pub settle_first_roi: bool,
}

impl Default for PoseConfig {
    fn default() -> Self {
        Self {
            variant: ModelVariant::Full,
            intra_threads: 1,
            smoothing: true,
            fixed_time_step: None,
            models_dir: None,
            runtime_library: None,
            min_detection_score: 0.5,
            min_pose_flag: 0.5,
            segmentation: false,
            settle_first_roi: false,
        }
    }
}

impl PoseConfig {
    /// MediaPipe Python's frame spacing (`solution_base.py`): 33 333 µs whatever the clip.
    pub const MEDIAPIPE_TIME_STEP: Duration = Duration::from_micros(33_333);

    /// The settings that reproduce MediaPipe's Python `solutions.pose` output on a file
    /// (the reference JSONL files): Full model, smoothing on, frames 33 333 µs apart.
    pub fn mediapipe_reference() -> Self {
        Self {
            fixed_time_step: Some(Self::MEDIAPIPE_TIME_STEP),
            ..Self::default()
        }
    }
}

/// Where the last frame's time went (what `backform bench` prints).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StageTimings {
    /// Image warps into model inputs (detector letterbox and landmark crop).
    pub preprocess: Duration,
    /// Detector inference (zero when tracking).
    pub detector: Duration,
    /// Landmark model inference.
    pub landmark: Duration,
    /// Decoding, NMS, heatmap refinement, projection, smoothing.
    pub postprocess: Duration,
    /// The part of `postprocess` spent reading the belly's outline from the mask.
    pub silhouette: Duration,
    /// The part of `postprocess` spent reading the pelvis's turn by optical flow.
    pub pelvis_flow: Duration,
    /// Whether the detector ran on this frame (no person was being tracked).
    pub detector_ran: bool,
}

impl StageTimings {
    pub fn total(&self) -> Duration {
        self.preprocess + self.detector + self.landmark + self.postprocess
    }
}

/// MediaPipe's BlazePose pipeline on one video stream: owns both ONNX sessions, the
/// tracking state and the filters. One per worker thread: `estimate` takes `&mut self`.
pub struct PoseEstimator {
    config: PoseConfig,
    detector: PoseDetector,
    landmark_model: LandmarkModel,
    /// The other landmark session (with or without segmentation) once both were used,
    /// so switching exercises back and forth does not reload it.
    spare_landmark_model: Option<LandmarkModel>,
    tracker: Tracker,
    frames_seen: u64,
    last_timings: StageTimings,
    pelvis_flow: pelvis_flow::PelvisFlow,
}

impl PoseEstimator {
    /// Loads ONNX Runtime (once per process) and both models.
    pub fn new(config: PoseConfig) -> Result<Self, PoseError> {
        let environment = model::runtime(config.runtime_library.as_deref())?;
        let models_dir = config.models_dir.as_deref();
        let detector = PoseDetector::open(
            &environment,
            models_dir,
            config.intra_threads,
            config.min_detection_score,
        )?;
        let landmark_model = LandmarkModel::open(
            &environment,
            models_dir,
            config.variant,
            config.intra_threads,
            config.segmentation,
        )?;
        Ok(Self {
            tracker: Tracker::new(config.smoothing),
            config,
            detector,
            landmark_model,
            spare_landmark_model: None,
            frames_seen: 0,
            last_timings: StageTimings::default(),
            pelvis_flow: pelvis_flow::PelvisFlow::new(),
        })
    }

    pub fn config(&self) -> &PoseConfig {
        &self.config
    }

    /// The person in `frame`, if any. Runs the detector only when nobody is tracked.
    pub fn estimate(&mut self, frame: &crate::capture::Frame) -> Result<Option<Pose>, PoseError> {
        let mut timings = StageTimings::default();
        let timestamp_us = match self.config.fixed_time_step {
            Some(step) => {
                let step_us = i64::try_from(step.as_micros()).unwrap_or(i64::MAX);
                step_us.saturating_mul(self.frames_seen as i64 + 1)
            }
            None => (frame.timestamp_s * 1e6).round() as i64,
        };
        self.frames_seen += 1;
        let image = model::frame_view(frame)?;

        let rect = match self.tracker.tracked_rect() {
            Some(rect) => Some(rect),
            None => {
                timings.detector_ran = true;
                self.detector
                    .detect(&image, frame.width, frame.height, &mut timings)?
                    .map(|detection| detection.to_rect(frame.width, frame.height))
            }
        };
        let (width, height, min_flag) = (frame.width, frame.height, self.config.min_pose_flag);
        let model = &mut self.landmark_model;
        let mut run = |rect: &tracker::NormRect, timings: &mut StageTimings| {
            model.run(&image, rect, width, height, min_flag, timings)
        };
        let mut raw = match rect {
            Some(rect) if rect.width > 0.0 && rect.height > 0.0 => run(&rect, &mut timings)?,
            _ => None,
        };
        if timings.detector_ran && self.config.settle_first_roi {
            for _ in 0..tracker::SETTLE_MAX_RUNS {
                let Some(rect) = raw
                    .as_ref()
                    .and_then(|r| tracker::settled_rect(r, width, height))
                else {
                    break;
                };
                match run(&rect, &mut timings)? {
                    Some(next) => raw = Some(next),
                    // Lost on its own ROI: keep what the detector's box gave.
                    None => break,
                }
            }
        }
        let smoothing_started = Instant::now();
        let mut pose = self
            .tracker
            .update(raw.as_ref(), timestamp_us, frame.width, frame.height);
        timings.postprocess += smoothing_started.elapsed();
        if self.config.segmentation {
            let flow_started = Instant::now();
            let turn = self.pelvis_flow.read(&image, pose.as_ref());
            if let Some(pose) = pose.as_mut() {
                pose.pelvis_turn_deg = turn;
            }
            timings.pelvis_flow = flow_started.elapsed();
            timings.postprocess += timings.pelvis_flow;
        }
        self.last_timings = timings;
        tracing::trace!(?timings, found = pose.is_some(), "pose frame");
        Ok(pose)
    }

    /// Starts or stops reading the belly edge ([`PoseConfig::segmentation`]) from the next
    /// frame on, swapping in the landmark session that has (or lacks) the segmentation
    /// head. Tracking carries on: both sessions hold the same landmark model. On error
    /// (the `_seg` model missing) the current session stays.
    pub fn set_segmentation(&mut self, on: bool) -> Result<(), PoseError> {
        let available = self.config.variant.segmentation_file().is_some();
        if self.landmark_model.reads_segmentation() == (on && available) {
            return Ok(());
        }
        let next = match self.spare_landmark_model.take() {
            Some(spare) if spare.reads_segmentation() == on => spare,
            _ => {
                let environment = model::runtime(self.config.runtime_library.as_deref())?;
                LandmarkModel::open(
                    &environment,
                    self.config.models_dir.as_deref(),
                    self.config.variant,
                    self.config.intra_threads,
                    on,
                )?
            }
        };
        self.spare_landmark_model = Some(std::mem::replace(&mut self.landmark_model, next));
        self.config.segmentation = on;
        self.pelvis_flow.reset();
        Ok(())
    }

    /// Per-stage timings of the last `estimate` call.
    pub fn last_timings(&self) -> StageTimings {
        self.last_timings
    }

    /// Forgets the tracked person and the filters, and restarts the fixed time step
    /// (as for a new video).
    pub fn reset(&mut self) {
        self.tracker.reset();
        self.pelvis_flow.reset();
        self.frames_seen = 0;
    }

    /// The detector alone (for benches and diagnostics).
    pub fn detector_mut(&mut self) -> &mut PoseDetector {
        &mut self.detector
    }

    /// The landmark model alone (for benches and diagnostics).
    pub fn landmark_model_mut(&mut self) -> &mut LandmarkModel {
        &mut self.landmark_model
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimator_can_move_to_the_worker_thread() {
        fn assert_send<T: Send>() {}
        assert_send::<PoseEstimator>();
    }

    #[test]
    fn normalize_radians_wraps_into_minus_pi_to_pi() {
        use std::f32::consts::PI;
        assert!((normalize_radians(3.0 * PI / 2.0) + PI / 2.0).abs() < 1e-6);
        assert!((normalize_radians(-3.0 * PI / 2.0) - PI / 2.0).abs() < 1e-6);
        assert_eq!(normalize_radians(0.25), 0.25);
    }

    #[test]
    fn reference_config_uses_mediapipe_python_timestamps() {
        let config = PoseConfig::mediapipe_reference();
        assert_eq!(config.fixed_time_step, Some(Duration::from_micros(33_333)));
        assert_eq!(config.variant, ModelVariant::Full);
        assert!(config.smoothing);
    }
}
