//! Video files decoded by OpenCV (FFmpeg backend), converted to packed RGB.
//!
//! Timestamps are `index / fps` — video time, the same stamps MediaPipe's reference
//! files use — so a report's seconds point at the right place in the clip.

use std::path::Path;

use opencv::core::Mat;
use opencv::prelude::*;
use opencv::{imgproc, videoio};

use super::{CaptureError, Frame, FrameSource, SourceInfo};

/// Frames the container promised but never delivered that we still forgive: some
/// muxers round the count up by a frame or two.
const FRAME_COUNT_SLACK: u64 = 2;

pub struct VideoSource {
    capture: videoio::VideoCapture,
    info: SourceInfo,
    next_index: u64,
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
            bgr: Mat::default(),
            rgb: Mat::default(),
        })
    }
}

impl FrameSource for VideoSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        let got = self.capture.read(&mut self.bgr)?;
        if !got || self.bgr.empty() {
            if let Some(expected) = self.info.frame_count
                && self.next_index + FRAME_COUNT_SLACK < expected
            {
                return Err(CaptureError::Truncated {
                    path: self.info.description.clone(),
                    read: self.next_index,
                    expected,
                });
            }
            return Ok(None);
        }
        imgproc::cvt_color(&self.bgr, &mut self.rgb, imgproc::COLOR_BGR2RGB, 0)?;
        let frame = mat_to_frame(
            &self.rgb,
            self.next_index,
            self.next_index as f64 / self.info.fps,
        )?;
        self.next_index += 1;
        Ok(Some(frame))
    }

    fn info(&self) -> &SourceInfo {
        &self.info
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
