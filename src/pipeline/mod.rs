//! The live pipeline: the only module that spawns threads.
//!
//! A grabber thread ([`grabber`]) reads a frame source (camera or video file) and keeps
//! only its newest frame; the worker thread ([`worker`]) takes that frame, runs pose
//! estimation and the routine's coach on it, and leaves a [`Snapshot`] in a one-slot
//! "latest wins" [`mailbox::Mailbox`] for the UI, then calls a plain waker closure (the
//! UI passes `ctx.request_repaint`). The UI sends [`Command`]s back over a small bounded
//! channel. Nothing here knows egui; nothing in the UI waits on inference: a frame the
//! worker is too slow for is dropped, never queued.
//!
//! Pose estimation and frame sources come in through the small traits in [`source`]
//! ([`source::FrameSource`], [`source::PoseStage`]); the exercise checks through
//! [`crate::coach::routine::CoachFactory`].
//!
//! For `analyze` and `bench` (no window): `prefetch` decodes files ahead of inference
//! and `analyze` runs the same pose → coach chain over a whole file.
//!
//! [`speaker`] says the coach's lines on a thread of its own (speech-dispatcher through
//! `tts`): the UI hands it what [`crate::coach::speech::SpeechPlanner`] planned and never
//! waits for it.

pub mod analyze;
pub mod engine;
pub mod grabber;
pub mod history_writer;
pub mod mailbox;
pub mod prefetch;
pub mod scripted;
pub mod source;
pub mod speaker;
pub mod stats;
pub mod worker;

use std::sync::Arc;

use crate::capture::Frame;
use crate::coach::routine::{RoutineCommand, RoutineView};
use crate::coach::session_log::PainMoment;
use crate::pose::Pose;

pub use grabber::SourceStatus;
pub use mailbox::Mailbox;
pub use stats::PipelineStats;
pub use worker::{InlinePipeline, Worker, WorkerConfig};

/// What the user asked for, sent from the UI to the worker.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Start a routine (the acute one by default, or a routine file's).
    StartRoutine(crate::coach::plan::RoutinePlan),
    /// Start a single exercise by id.
    StartExercise(String),
    /// Pause/resume, skip, start now, "it hurts — stop", end session.
    Routine(RoutineCommand),
    /// Record a pain rating (0–10) in the session log.
    RecordPain {
        moment: PainMoment,
        pain_0_to_10: u8,
    },
    /// Stop the worker.
    Shutdown,
}

/// What the worker hands the UI after each frame: everything one screen needs.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// Counts the worker's snapshots, from 1.
    pub sequence: u64,
    /// The frame the pose was estimated on (RGB), or `None` when no frame came yet.
    /// Shared, so re-sending the last frame (after a command, while paused) copies nothing.
    pub frame: Option<Arc<Frame>>,
    pub pose: Option<Pose>,
    /// The routine, once the user has started one.
    pub routine: Option<RoutineView>,
    pub stats: PipelineStats,
    pub source: SourceStatus,
    /// A problem the user should see (model missing, pose estimation failing).
    pub problem: Option<String>,
    /// Whether the history is being saved, and where.
    pub history: Option<history_writer::HistoryStatus>,
}

/// The UI's side of a pipeline: threaded in the app, stepped inline in tests.
pub trait PipelineHandle {
    /// Sends a command; never blocks.
    fn send(&mut self, command: Command);
    /// The newest snapshot since the last call, if any; never waits for the worker.
    fn latest(&mut self) -> Option<Snapshot>;
    /// Why the pipeline stopped on its own (a worker thread that ended unexpectedly).
    fn failure(&self) -> Option<String> {
        None
    }
}
