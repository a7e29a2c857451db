//! Frame sources: a webcam, a video file or a folder of images, behind one trait.
//!
//! Out flows a [`Frame`]: tightly packed RGB pixels with the time they were taken.
//! Nothing here knows about poses. Files: `video.rs` (OpenCV decode), `camera.rs`
//! (V4L2 webcam), `images.rs` (a folder of pictures).

use std::path::{Path, PathBuf};

pub mod camera;
pub mod images;
pub mod playlist;
pub mod sidecar;
pub mod video;

pub use camera::{CameraConfig, CameraSource};
pub use images::ImageFolderSource;
pub use video::VideoSource;

/// What a source can tell before its first frame.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceInfo {
    /// Human-readable origin, e.g. `camera 0` or the file path.
    pub description: String,
    pub width: u32,
    pub height: u32,
    /// Nominal frames per second (the container's rate for files).
    pub fps: f64,
    /// Frames in the source when known (files and folders), `None` for cameras.
    pub frame_count: Option<u64>,
    /// True for a live camera: frames arrive in real time and may be dropped.
    pub live: bool,
}

/// Anything that yields frames in order.
pub trait FrameSource: Send {
    /// The next frame, or `Ok(None)` at the end of a file or folder.
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError>;
    fn info(&self) -> &SourceInfo;
}

/// OpenCV reads `OPENCV_LOG_LEVEL` when its library loads, before `main`: turn its
/// WARN lines ("can't open camera by index") off here instead. Our own errors say
/// what went wrong; `RUST_LOG=debug` keeps OpenCV's too.
pub fn quiet_opencv_logs() {
    let debugging =
        std::env::var("RUST_LOG").is_ok_and(|v| v.contains("debug") || v.contains("trace"));
    if !debugging {
        // Nothing to do if it fails: the warnings are noise, not errors.
        let _ = opencv::core::set_log_level(opencv::core::LogLevel::LOG_LEVEL_ERROR);
    }
}

/// Where frames come from, as the command line names it.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceSpec {
    Camera(CameraConfig),
    Video(PathBuf),
    Images(PathBuf),
}

impl SourceSpec {
    /// A path: a folder means images, anything else a video file.
    pub fn from_path(path: &Path) -> Self {
        if path.is_dir() {
            Self::Images(path.to_path_buf())
        } else {
            Self::Video(path.to_path_buf())
        }
    }

    pub fn open(&self) -> Result<Box<dyn FrameSource>, CaptureError> {
        Ok(match self {
            Self::Camera(config) => Box::new(CameraSource::open(config)?),
            Self::Video(path) => Box::new(VideoSource::open(path)?),
            Self::Images(dir) => Box::new(ImageFolderSource::open(dir, images::DEFAULT_FPS)?),
        })
    }
}

/// Why frames could not be had. Every message says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("{path}: no such file or folder — check the path")]
    NotFound { path: String },
    #[error(
        "{path}: cannot be read as a video ({reason}) — it is not a video file, or it is damaged or incomplete; mp4, mkv, avi and webm files work"
    )]
    NotAVideo { path: String, reason: String },
    #[error(
        "{path}: the video stops at {read_s:.1} s of its {expected_s:.1} s — the file is truncated or damaged; re-export or re-copy it"
    )]
    Truncated {
        path: String,
        read_s: f64,
        expected_s: f64,
    },
    #[error("{path}: holds no images (png or jpg) — point at a folder of pictures")]
    EmptyFolder { path: String },
    #[error("{path}: cannot decode image ({reason})")]
    BadImage { path: String, reason: String },
    #[error(
        "{path}: image is {got_w}×{got_h}, the folder's first image is {want_w}×{want_h} — all images must be the same size"
    )]
    SizeMismatch {
        path: String,
        got_w: u32,
        got_h: u32,
        want_w: u32,
        want_h: u32,
    },
    #[error(
        "no camera found at index {index} — plug one in, pick another with --camera N, or open a video instead (--video FILE)"
    )]
    NoCamera { index: i32 },
    #[error(
        "camera {index} stopped delivering frames — check the cable; backform will try to reconnect"
    )]
    CameraLost { index: i32 },
    #[error("video decoding failed: {0}")]
    OpenCv(#[from] opencv::Error),
}

/// One decoded picture, RGB8, row-major, `width * height * 3` bytes.
#[derive(Clone, Debug)]
pub struct Frame {
    /// Position in the source, from 0.
    pub index: u64,
    /// Seconds since the source started: video time for files, capture time for cameras.
    pub timestamp_s: f64,
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl Frame {
    /// The pixel at (x, y) as [r, g, b], or `None` outside the frame.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 3]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y as usize * self.width as usize + x as usize) * 3;
        let p = self.rgb.get(i..i + 3)?;
        Some([p[0], p[1], p[2]])
    }
}
