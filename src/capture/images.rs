//! A folder of still images (png, jpg), played in name order as if they were a video.

use std::path::{Path, PathBuf};

use super::{CaptureError, Frame, FrameSource, SourceInfo};

/// Frame rate given to a folder of images, which has none of its own.
pub const DEFAULT_FPS: f64 = 30.0;

pub struct ImageFolderSource {
    paths: Vec<PathBuf>,
    info: SourceInfo,
    next_index: usize,
}

impl ImageFolderSource {
    pub fn open(dir: &Path, fps: f64) -> Result<Self, CaptureError> {
        let shown = dir.display().to_string();
        let entries = std::fs::read_dir(dir).map_err(|_| CaptureError::NotFound {
            path: shown.clone(),
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg")
                })
            })
            .collect();
        paths.sort();
        let Some(first) = paths.first() else {
            return Err(CaptureError::EmptyFolder { path: shown });
        };
        let (width, height) =
            image::image_dimensions(first).map_err(|e| CaptureError::BadImage {
                path: first.display().to_string(),
                reason: e.to_string(),
            })?;
        Ok(Self {
            info: SourceInfo {
                description: shown,
                width,
                height,
                fps,
                frame_count: Some(paths.len() as u64),
                live: false,
            },
            paths,
            next_index: 0,
        })
    }
}

impl FrameSource for ImageFolderSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        let Some(path) = self.paths.get(self.next_index) else {
            return Ok(None);
        };
        let shown = path.display().to_string();
        let rgb = image::open(path)
            .map_err(|e| CaptureError::BadImage {
                path: shown.clone(),
                reason: e.to_string(),
            })?
            .into_rgb8();
        if rgb.width() != self.info.width || rgb.height() != self.info.height {
            return Err(CaptureError::SizeMismatch {
                path: shown,
                got_w: rgb.width(),
                got_h: rgb.height(),
                want_w: self.info.width,
                want_h: self.info.height,
            });
        }
        let index = self.next_index as u64;
        self.next_index += 1;
        Ok(Some(Frame {
            index,
            timestamp_s: index as f64 / self.info.fps,
            width: rgb.width(),
            height: rgb.height(),
            rgb: rgb.into_raw(),
        }))
    }

    fn info(&self) -> &SourceInfo {
        &self.info
    }
}
