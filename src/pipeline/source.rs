//! The two ports the pipeline runs through: a frame source and a pose stage.
//!
//! The worker only needs "give me the next frame" ([`crate::capture::FrameSource`]) and
//! "find the pose in this frame" ([`PoseStage`]), so cameras, video files, scripted test
//! sequences and the ONNX pose estimator all plug in the same way. Pose errors are
//! turned into text here: the worker shows them to the user and never branches on
//! their kind.

use crate::capture::Frame;
pub use crate::capture::{CaptureError, FrameSource};
use crate::pose::Pose;

use super::stats::StageTiming;

/// Trouble with a frame source or pose stage, as a sentence for the user.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct StageError(pub String);

impl StageError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// Opens (and, for a camera, reopens after it was lost) a frame source.
pub type SourceOpener = Box<dyn FnMut() -> Result<Box<dyn FrameSource>, CaptureError> + Send>;

/// Finds the pose in a frame.
pub trait PoseStage: Send {
    fn estimate(&mut self, frame: &Frame) -> Result<Option<Pose>, StageError>;
    /// Sub-stage timings of the last `estimate` call (detector, landmarks, …).
    fn last_timings(&self) -> Vec<StageTiming> {
        Vec::new()
    }
    /// Whether the exercise under way reads the belly's silhouette edge
    /// ([`crate::pose::PoseConfig::segmentation`]); told before every frame.
    fn set_belly_cue(&mut self, _on: bool) {}
}

/// Builds the pose stage on the worker thread (loading models takes a while, and the
/// ONNX session must live on the thread that runs it).
pub type PoseStageBuilder = Box<dyn FnOnce() -> Result<Box<dyn PoseStage>, StageError> + Send>;

/// A pose stage that finds nothing: used when the model cannot be loaded, so the
/// camera picture still shows.
#[derive(Debug, Default)]
pub struct NoPose;

impl PoseStage for NoPose {
    fn estimate(&mut self, _frame: &Frame) -> Result<Option<Pose>, StageError> {
        Ok(None)
    }
}
