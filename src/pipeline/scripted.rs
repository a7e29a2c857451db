//! Scripted sources: plain frames and pose sequences known in advance.
//!
//! In flow pose sequences (e.g. MediaPipe's reference landmarks, read with
//! [`crate::pose::jsonl::read_landmarks`], or poses from a body model); out flow frames
//! and poses through the same [`FrameSource`] and [`PoseStage`] traits as the camera and
//! the pose model. UI tests and demos drive the real app with them, without a camera or
//! a model; `ScriptedPoses` also replays recorded landmarks over their own video.

use std::path::Path;

use crate::capture::{CaptureError, Frame, FrameSource, SourceInfo};
use crate::pose::Pose;
use crate::pose::jsonl::{JsonlError, read_landmarks};

use super::source::{PoseStage, StageError};

/// Flat grey frames at a fixed rate: a stand-in camera picture.
#[derive(Debug, Clone)]
pub struct SyntheticFrames {
    count: u64,
    next_index: u64,
    fps: f64,
    width: u32,
    height: u32,
    info: SourceInfo,
}

impl SyntheticFrames {
    /// `count` frames of `width`×`height`, `fps` apart, played as a file.
    pub fn new(count: u64, fps: f64, width: u32, height: u32) -> Self {
        Self {
            count,
            next_index: 0,
            fps: fps.max(1.0),
            width,
            height,
            info: SourceInfo {
                description: "scripted frames".into(),
                width,
                height,
                fps: fps.max(1.0),
                frame_count: Some(count),
                live: false,
            },
        }
    }

    /// Marks the frames as coming from a live camera (no pacing by timestamps).
    pub fn live(mut self) -> Self {
        self.info.live = true;
        self.info.frame_count = None;
        self
    }
}

impl FrameSource for SyntheticFrames {
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        if self.next_index >= self.count {
            return Ok(None);
        }
        let index = self.next_index;
        self.next_index += 1;
        // A soft vertical gradient, so the picture is visibly "there" on screenshots.
        let mut rgb = Vec::with_capacity(self.width as usize * self.height as usize * 3);
        for y in 0..self.height {
            let shade = 40 + (40 * y / self.height.max(1)) as u8;
            for _ in 0..self.width {
                rgb.extend_from_slice(&[shade, shade, shade.saturating_add(6)]);
            }
        }
        Ok(Some(Frame {
            index,
            timestamp_s: index as f64 / self.fps,
            width: self.width,
            height: self.height,
            rgb,
        }))
    }

    fn info(&self) -> &SourceInfo {
        &self.info
    }
}

/// Poses known in advance, looked up by the frame's index (`None`: no person found).
#[derive(Debug, Clone, Default)]
pub struct ScriptedPoses {
    poses: Vec<Option<Pose>>,
}

impl ScriptedPoses {
    pub fn new(poses: Vec<Option<Pose>>) -> Self {
        Self { poses }
    }

    /// MediaPipe landmarks from a JSONL file, for frames of `width`×`height`.
    pub fn from_jsonl(path: &Path, width: u32, height: u32) -> Result<Self, JsonlError> {
        let lines = read_landmarks(path)?;
        let mut poses = Vec::with_capacity(lines.len());
        for line in &lines {
            let index = line.frame as usize;
            if poses.len() <= index {
                poses.resize(index + 1, None);
            }
            poses[index] = line.to_pose(width, height);
        }
        Ok(Self::new(poses))
    }

    pub fn len(&self) -> usize {
        self.poses.len()
    }

    pub fn is_empty(&self) -> bool {
        self.poses.is_empty()
    }
}

impl PoseStage for ScriptedPoses {
    fn estimate(&mut self, frame: &Frame) -> Result<Option<Pose>, StageError> {
        let mut pose = self.poses.get(frame.index as usize).cloned().flatten();
        if let Some(pose) = pose.as_mut() {
            // Recorded landmarks are in the pixels of the frames they were found on.
            pose.image_width = frame.width;
            pose.image_height = frame.height;
        }
        Ok(pose)
    }
}
