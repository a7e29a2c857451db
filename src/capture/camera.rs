//! A webcam through OpenCV's V4L2 backend.
//!
//! Asks for MJPG (higher frame rates over USB than raw YUYV), the configured size and
//! rate, and a one-frame driver buffer so that a slow consumer gets the newest picture,
//! not one ~130 ms old. Timestamps are seconds since the camera opened. Reconnecting
//! after an unplug is the grabber thread's job (`pipeline`), which reopens this source.

use std::time::Instant;

use opencv::core::Mat;
use opencv::prelude::*;
use opencv::{imgproc, videoio};

use super::{CaptureError, Frame, FrameSource, SourceInfo, video::mat_to_frame};

/// What to ask the camera for; it may give something else, which `info()` reports.
#[derive(Clone, Debug, PartialEq)]
pub struct CameraConfig {
    pub index: i32,
    pub width: u32,
    pub height: u32,
    pub fps: f64,
}

impl Default for CameraConfig {
    fn default() -> Self {
        Self {
            index: 0,
            width: 1280,
            height: 720,
            fps: 30.0,
        }
    }
}

pub struct CameraSource {
    capture: videoio::VideoCapture,
    index: i32,
    info: SourceInfo,
    opened_at: Instant,
    next_index: u64,
    bgr: Mat,
    rgb: Mat,
}

impl CameraSource {
    pub fn open(config: &CameraConfig) -> Result<Self, CaptureError> {
        let no_camera = || CaptureError::NoCamera {
            index: config.index,
        };
        let mut capture =
            videoio::VideoCapture::new(config.index, videoio::CAP_V4L2).map_err(|_| no_camera())?;
        if !capture.is_opened().unwrap_or(false) {
            return Err(no_camera());
        }
        // Requests only: a camera that refuses one keeps its own setting.
        let mjpg = videoio::VideoWriter::fourcc('M', 'J', 'P', 'G')?;
        capture.set(videoio::CAP_PROP_FOURCC, f64::from(mjpg))?;
        capture.set(videoio::CAP_PROP_FRAME_WIDTH, f64::from(config.width))?;
        capture.set(videoio::CAP_PROP_FRAME_HEIGHT, f64::from(config.height))?;
        capture.set(videoio::CAP_PROP_FPS, config.fps)?;
        capture.set(videoio::CAP_PROP_BUFFERSIZE, 1.0)?;
        let width = capture.get(videoio::CAP_PROP_FRAME_WIDTH)? as u32;
        let height = capture.get(videoio::CAP_PROP_FRAME_HEIGHT)? as u32;
        let fps = capture.get(videoio::CAP_PROP_FPS)?;
        Ok(Self {
            capture,
            index: config.index,
            info: SourceInfo {
                description: format!("camera {}", config.index),
                width,
                height,
                fps: if fps > 0.0 { fps } else { config.fps },
                frame_count: None,
                live: true,
            },
            opened_at: Instant::now(),
            next_index: 0,
            bgr: Mat::default(),
            rgb: Mat::default(),
        })
    }
}

impl FrameSource for CameraSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        let lost = CaptureError::CameraLost { index: self.index };
        if !self.capture.read(&mut self.bgr).unwrap_or(false) || self.bgr.empty() {
            return Err(lost);
        }
        let timestamp_s = self.opened_at.elapsed().as_secs_f64();
        imgproc::cvt_color(&self.bgr, &mut self.rgb, imgproc::COLOR_BGR2RGB, 0)?;
        let frame = mat_to_frame(&self.rgb, self.next_index, timestamp_s)?;
        self.next_index += 1;
        Ok(Some(frame))
    }

    fn info(&self) -> &SourceInfo {
        &self.info
    }
}
