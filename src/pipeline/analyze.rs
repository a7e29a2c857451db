//! `analyze` and `bench`: the worker chain run over every frame of a file, in order,
//! without a window. Decoding runs one thread ahead (`prefetch`); pose estimation runs
//! here, on the calling thread, which owns the ort sessions.
//!
//! In: a [`SourceSpec`] and a [`PoseConfig`]; out: one [`FrameOutcome`] per frame to a
//! caller's closure (which writes landmarks, feeds the coach, times stages), and a summary.
//! [`coach_clip`] is `backform analyze --exercise`: the one call that turns a clip (or
//! its recorded landmarks, [`Poses::Replay`]) into a coach's [`Report`]; `backform eval`
//! scores what it returns.

use std::path::PathBuf;

use crate::capture::{CaptureError, SourceInfo, SourceSpec};
use crate::coach::{Coach, CoachError, Report};
use crate::pose::jsonl::{JsonlError, read_landmarks};
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
    #[error(transparent)]
    Landmarks(#[from] JsonlError),
    #[error(transparent)]
    Coach(#[from] CoachError),
}

/// Where a clip's poses come from.
#[derive(Clone, Debug)]
pub enum Poses {
    /// Decode the video and run the pose model on every frame.
    Model(PoseConfig),
    /// Replay landmarks that `analyze --landmarks` (or MediaPipe) wrote for this clip;
    /// the video is only opened for its size and rate.
    Replay(PathBuf),
}

/// One frame of a clip as the coach sees it.
pub struct PoseFrame<'a> {
    pub index: u64,
    pub timestamp_s: f64,
    pub pose: Option<&'a Pose>,
}

/// What coaching a clip gave: the report, and the error that stopped it early if one did
/// (the report then covers the frames before it).
pub struct CoachedClip {
    pub report: Option<Report>,
    pub info: SourceInfo,
    pub frames: u64,
    pub error: Option<AnalyzeError>,
}

/// Runs the clip's poses through `on_frame` and, with an exercise id, through a coach.
/// Errors opening the clip are returned; an error part-way is kept in the result so
/// everything before it is still reported.
pub fn coach_clip(
    spec: &SourceSpec,
    poses: &Poses,
    exercise: Option<&str>,
    mut on_frame: impl FnMut(&PoseFrame<'_>, &SourceInfo) -> Result<(), AnalyzeError>,
) -> Result<CoachedClip, AnalyzeError> {
    // The exercise id is checked before the (slower) models load.
    let mut coach = exercise.map(Coach::new).transpose()?;
    let belly_cue = coach.as_ref().is_some_and(Coach::reads_belly_cue);
    let mut end_s = 0.0;
    let mut frames = 0;
    let mut feed = |frame: PoseFrame<'_>, info: &SourceInfo| {
        on_frame(&frame, info)?;
        if let Some(coach) = coach.as_mut() {
            coach.update(frame.timestamp_s, frame.pose);
        }
        end_s = frame.timestamp_s + 1.0 / info.fps;
        frames += 1;
        Ok(())
    };
    let (info, outcome) = match poses {
        Poses::Model(config) => {
            let config = PoseConfig {
                segmentation: config.segmentation || belly_cue,
                ..config.clone()
            };
            let (mut prefetch, mut estimator) = open(spec, config)?;
            let info = prefetch.info().clone();
            let outcome = run(&mut prefetch, &mut estimator, None, |f| {
                feed(
                    PoseFrame {
                        index: f.index,
                        timestamp_s: f.timestamp_s,
                        pose: f.pose,
                    },
                    &info,
                )
            });
            (info, outcome.map(|_| ()))
        }
        Poses::Replay(path) => {
            let info = spec.open()?.info().clone();
            let lines = read_landmarks(path)?;
            let outcome = lines.iter().try_for_each(|line| {
                let pose = line.to_pose(info.width, info.height);
                feed(
                    PoseFrame {
                        index: line.frame,
                        timestamp_s: line.t,
                        pose: pose.as_ref(),
                    },
                    &info,
                )
            });
            (info, outcome)
        }
    };
    let report = coach.as_mut().map(|c| c.finish(end_s));
    Ok(CoachedClip {
        report,
        info,
        frames,
        error: outcome.err(),
    })
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
