//! `analyze` and `bench`: the worker chain run over every frame of a file, in order,
//! without a window. Decoding runs one thread ahead (`prefetch`); pose estimation runs
//! here, on the calling thread, which owns the ort sessions.
//!
//! In: a [`SourceSpec`] and a [`PoseConfig`]; out: one [`FrameOutcome`] per frame to a
//! caller's closure (which writes landmarks, feeds the coach, times stages), and a summary.

use crate::capture::{CaptureError, SourceInfo, SourceSpec};
use crate::pose::{Pose, PoseConfig, PoseError, PoseEstimator, StageTimings};

use super::prefetch::Prefetch;

/// What one frame gave.
pub struct FrameOutcome<'a> {
    pub index: u64,
    /// Video time of the frame, seconds.
    pub timestamp_s: f64,
    pub pose: Option<&'a Pose>,
    pub decode_time: std::time::Duration,
    pub timings: StageTimings,
}

/// Why a file could not be analysed (wholly or to its end).
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    #[error(transparent)]
    Capture(#[from] CaptureError),
    #[error(transparent)]
    Pose(#[from] PoseError),
    #[error("cannot start the decoding thread: {0}")]
    Thread(std::io::Error),
    #[error("{0}")]
    Output(String),
}

/// Opens the source and the models (in that order, so a bad path is reported before
/// the models load).
pub fn open(
    spec: &SourceSpec,
    pose: PoseConfig,
) -> Result<(Prefetch, PoseEstimator), AnalyzeError> {
    let source = spec.open()?;
    let estimator = PoseEstimator::new(pose)?;
    let prefetch = Prefetch::start(source).map_err(AnalyzeError::Thread)?;
    Ok((prefetch, estimator))
}

/// Runs pose estimation on every frame, handing each outcome to `on_frame`. Stops at
/// the first error; everything handed out before it stands (the caller keeps it).
pub fn run(
    prefetch: &mut Prefetch,
    estimator: &mut PoseEstimator,
    max_frames: Option<u64>,
    mut on_frame: impl FnMut(FrameOutcome<'_>) -> Result<(), AnalyzeError>,
) -> Result<u64, AnalyzeError> {
    let mut frames = 0;
    while max_frames.is_none_or(|max| frames < max) {
        let Some(decoded) = prefetch.next_frame()? else {
            break;
        };
        let pose = estimator.estimate(&decoded.frame)?;
        on_frame(FrameOutcome {
            index: decoded.frame.index,
            timestamp_s: decoded.frame.timestamp_s,
            pose: pose.as_ref(),
            decode_time: decoded.decode_time,
            timings: estimator.last_timings(),
        })?;
        frames += 1;
    }
    Ok(frames)
}

/// The source's description line for logs and reports.
pub fn describe(info: &SourceInfo) -> String {
    let frames = info
        .frame_count
        .map_or_else(String::new, |n| format!(", {n} frames"));
    format!(
        "{} ({}×{}, {:.1} frames/s{frames})",
        info.description, info.width, info.height, info.fps
    )
}
