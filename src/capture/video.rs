//! Video files decoded by OpenCV (FFmpeg backend), converted to packed RGB.
//!
//! Timestamps are each frame's presentation time (`CAP_PROP_POS_MSEC`), so a report's
//! seconds point at the right place in the clip even when its frame rate varies; for a
//! constant-rate file they equal `index / fps`, the stamps MediaPipe's reference files use.
//!
//! A header's frame count is an estimate (a container without one gets duration × fps
//! from OpenCV): a file that decodes to its end is complete, whatever the header said.
//! A file is truncated when decoding stops more than max(1 s, 5%) short of the
//! container's duration.

use std::path::Path;

use opencv::core::Mat;
use opencv::prelude::*;
use opencv::{imgproc, videoio};

use super::{CaptureError, Frame, FrameSource, SourceInfo};

/// Decoding may stop this long before the container's stated end without the file
/// being called truncated: the larger of a second and this share of the duration.
const SHORTFALL_MIN_S: f64 = 1.0;
const SHORTFALL_SHARE: f64 = 0.05;

pub struct VideoSource {
    capture: videoio::VideoCapture,
    info: SourceInfo,
    next_index: u64,
    /// The previous frame's timestamp: a presentation time that does not advance (no pts,
    /// a broken muxer) is replaced by this plus one frame interval.
    last_timestamp_s: Option<f64>,
    bgr: Mat,
    rgb: Mat,
}

impl VideoSource {
    pub fn open(path: &Path) -> Result<Self, CaptureError> {
        let shown = path.display().to_string();
        if !path.exists() {
            return Err(CaptureError::NotFound { path: shown });
        }
        let not_a_video = |reason: &str| CaptureError::NotAVideo {
            path: shown.clone(),
            reason: reason.to_string(),
        };
        let Some(path_str) = path.to_str() else {
            return Err(not_a_video("the path is not valid UTF-8"));
        };
        let capture = videoio::VideoCapture::from_file(path_str, videoio::CAP_FFMPEG)
            .map_err(|e| not_a_video(&e.message))?;
        if !capture.is_opened()? {
            return Err(not_a_video("no decoder accepts it"));
        }
        let width = capture.get(videoio::CAP_PROP_FRAME_WIDTH)? as u32;
        let height = capture.get(videoio::CAP_PROP_FRAME_HEIGHT)? as u32;
        if width == 0 || height == 0 {
            return Err(not_a_video("it has no video stream"));
        }
        let fps = capture.get(videoio::CAP_PROP_FPS)?;
        let fps = if fps.is_finite() && fps > 0.0 {
            fps
        } else {
            30.0
        };
        let count = capture.get(videoio::CAP_PROP_FRAME_COUNT)?;
        let frame_count = (count.is_finite() && count > 0.0).then_some(count as u64);
        Ok(Self {
            capture,
            info: SourceInfo {
                description: shown,
                width,
                height,
                fps,
                frame_count,
                live: false,
            },
            next_index: 0,
            last_timestamp_s: None,
            bgr: Mat::default(),
            rgb: Mat::default(),
        })
    }
}

impl FrameSource for VideoSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        let got = self.capture.read(&mut self.bgr)?;
        if !got || self.bgr.empty() {
            return match self.shortfall() {
                Some(err) => Err(err),
                None => Ok(None),
            };
        }
        let timestamp_s = self.presentation_time()?;
        imgproc::cvt_color(&self.bgr, &mut self.rgb, imgproc::COLOR_BGR2RGB, 0)?;
        let frame = mat_to_frame(&self.rgb, self.next_index, timestamp_s)?;
        self.next_index += 1;
        self.last_timestamp_s = Some(timestamp_s);
        Ok(Some(frame))
    }

    fn info(&self) -> &SourceInfo {
        &self.info
    }
}

impl VideoSource {
    /// The frame just read's presentation time, kept strictly increasing.
    fn presentation_time(&self) -> Result<f64, CaptureError> {
        let pts_s = self.capture.get(videoio::CAP_PROP_POS_MSEC)? / 1000.0;
        let step = 1.0 / self.info.fps;
        Ok(match self.last_timestamp_s {
            None if pts_s.is_finite() && pts_s >= 0.0 => pts_s,
            None => 0.0,
            // Under a tenth of a frame interval is not an advance: no pts, or a repeat.
            Some(last) if pts_s.is_finite() && pts_s > last + 0.1 * step => pts_s,
            Some(last) => last + step,
        })
    }

    /// At the end of decoding: the truncation error, when the frames stop well short of
    /// the container's duration.
    fn shortfall(&self) -> Option<CaptureError> {
        let expected = self.info.frame_count?;
        let fps = self.info.fps;
        let stated_s = expected as f64 / fps;
        // A frame shows until the next one: the last frame's time plus one interval.
        let decoded_s = self.last_timestamp_s.map_or(0.0, |t| t + 1.0 / fps);
        let slack_s = SHORTFALL_MIN_S.max(SHORTFALL_SHARE * stated_s);
        (decoded_s + slack_s < stated_s).then(|| CaptureError::Truncated {
            path: self.info.description.clone(),
            read_s: decoded_s,
            expected_s: stated_s,
        })
    }
}

/// Copies a continuous 8-bit, 3-channel Mat into a [`Frame`].
pub(crate) fn mat_to_frame(rgb: &Mat, index: u64, timestamp_s: f64) -> Result<Frame, CaptureError> {
    let size = rgb.size()?;
    let owned;
    let bytes = if rgb.is_continuous() {
        rgb.data_bytes()?
    } else {
        owned = rgb.try_clone()?;
        owned.data_bytes()?
    };
    Ok(Frame {
        index,
        timestamp_s,
        width: size.width as u32,
        height: size.height as u32,
        rgb: bytes.to_vec(),
    })
}
