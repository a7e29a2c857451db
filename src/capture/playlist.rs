//! Several video files played one after another as one source: the demo, one clip per
//! exercise of the routine.
//!
//! In flows the clips' paths and, through [`PlaylistControl`], which clip the routine
//! wants now; out flow frames whose timestamps keep rising across clips, and, in the
//! control, which clips have played to their end. Whoever runs the routine (the
//! worker) reads the control: a clip that ended ends its exercise, and an exercise
//! that ended first (its set done, or "Next") moves the playlist to the next clip.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{CaptureError, Frame, FrameSource, SourceInfo, video::VideoSource};

/// What the routine wants played and what has played, shared between the source (on
/// the grabber's thread) and the worker.
#[derive(Debug, Default)]
pub struct PlaylistControl {
    /// The clip to play: moving it forward skips to that clip's start.
    wanted: AtomicUsize,
    /// Clips played to their end, from the first: clip `k` has ended when this is > k.
    ended: AtomicUsize,
}

impl PlaylistControl {
    /// Skips to `clip` (never back: a clip already passed stays passed).
    pub fn want(&self, clip: usize) {
        self.wanted.fetch_max(clip, Ordering::AcqRel);
    }

    /// Whether clip `clip` has played to its end.
    pub fn has_ended(&self, clip: usize) -> bool {
        self.ended.load(Ordering::Acquire) > clip
    }
}

pub struct PlaylistSource {
    clips: Vec<PathBuf>,
    control: Arc<PlaylistControl>,
    playing: usize,
    current: VideoSource,
    info: SourceInfo,
    /// Added to the playing clip's timestamps: the time of all clips before it.
    offset_s: f64,
    last_timestamp_s: f64,
    next_index: u64,
}

impl PlaylistSource {
    /// Opens the first clip; the others open when their turn comes.
    pub fn open(clips: Vec<PathBuf>, control: Arc<PlaylistControl>) -> Result<Self, CaptureError> {
        let first = clips.first().ok_or_else(|| CaptureError::NotFound {
            path: "an empty playlist".into(),
        })?;
        let current = VideoSource::open(first)?;
        let info = SourceInfo {
            description: format!("the demo ({} clips)", clips.len()),
            frame_count: None,
            ..current.info().clone()
        };
        Ok(Self {
            clips,
            control,
            playing: 0,
            current,
            info,
            offset_s: 0.0,
            last_timestamp_s: 0.0,
            next_index: 0,
        })
    }

    /// Moves on to clip `clip`, its timestamps continuing one frame after the last.
    fn play(&mut self, clip: usize) -> Result<(), CaptureError> {
        self.current = VideoSource::open(&self.clips[clip])?;
        self.offset_s = self.last_timestamp_s + 1.0 / self.current.info().fps.max(1.0);
        self.playing = clip;
        Ok(())
    }
}

impl FrameSource for PlaylistSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        loop {
            let wanted = self.control.wanted.load(Ordering::Acquire);
            if wanted > self.playing && wanted < self.clips.len() {
                self.play(wanted)?;
            }
            match self.current.next_frame()? {
                Some(mut frame) => {
                    frame.timestamp_s += self.offset_s;
                    frame.index = self.next_index;
                    self.next_index += 1;
                    self.last_timestamp_s = frame.timestamp_s;
                    return Ok(Some(frame));
                }
                None => {
                    self.control
                        .ended
                        .fetch_max(self.playing + 1, Ordering::AcqRel);
                    let next = self.playing + 1;
                    if next >= self.clips.len() {
                        return Ok(None);
                    }
                    self.play(next)?;
                }
            }
        }
    }

    fn info(&self) -> &SourceInfo {
        &self.info
    }
}
