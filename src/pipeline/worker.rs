//! The worker: frame → pose → routine (coach) → [`Snapshot`], on its own named thread.
//!
//! In flow frames from the grabber's mailbox and [`Command`]s from the UI (a bounded
//! channel the UI never blocks on); out flow snapshots into a one-slot mailbox and a
//! call of the waker closure after each one, and session-log lines for each exercise
//! that ends. [`PipelineCore`] is the per-frame work without any thread, so tests can
//! step it inline ([`InlinePipeline`]) and see exactly what the threaded app would.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::capture::Frame;
use crate::capture::playlist::PlaylistControl;
use crate::coach::routine::{
    CoachFactory, ExerciseRecord, LiveEvent, PlanEntry, Routine, RoutineCommand, RoutineConfig,
    Stage,
};

use super::grabber::{GrabbedFrame, Grabber, GrabberShared, SourceStatus, join_briefly};
use super::history_writer::{self, HistoryConfig, HistoryFeed, HistoryWriter};
use super::mailbox::Mailbox;
use super::source::{FrameSource, NoPose, PoseStage, PoseStageBuilder, SourceOpener};
use super::stats::{PipelineStats, RateCounter, RollingMs, StageTiming};
use super::{Command, PipelineHandle, Snapshot};

/// Commands the UI may queue before the worker gets to them; more are refused (logged).
const COMMAND_QUEUE: usize = 32;
/// How long the worker waits for a frame before publishing a status-only snapshot.
const FRAME_WAIT: Duration = Duration::from_millis(100);
/// Timing windows: the last ~3 s at 30 frames/s.
const TIMING_SAMPLES: usize = 90;

/// Makes a fresh coach factory for each routine the user starts.
pub type CoachFactoryMaker = Box<dyn FnMut() -> Box<dyn CoachFactory> + Send>;

/// Everything the worker needs.
pub struct WorkerConfig {
    pub source: SourceOpener,
    pub pose: PoseStageBuilder,
    pub coaches: CoachFactoryMaker,
    pub routine: RoutineConfig,
    /// Where reps, finished exercises and pain ratings are kept; `None` keeps nothing.
    pub history: Option<HistoryConfig>,
    /// Restart a video file at its end.
    pub loop_video: bool,
    /// The demo's clips, one per exercise: the routine and the playlist follow each other.
    pub playlist: Option<Arc<PlaylistControl>>,
}

/// The per-frame work, with no thread of its own.
pub struct PipelineCore {
    pose: Box<dyn PoseStage>,
    problem: Option<String>,
    coaches: CoachFactoryMaker,
    routine_config: RoutineConfig,
    routine: Option<Routine>,
    history: Option<HistoryFeed>,
    sequence: u64,
    last_frame: Option<Arc<Frame>>,
    last_pose: Option<crate::pose::Pose>,
    /// Session time of the last frame (or idle tick), seconds: never goes backwards.
    last_t_s: f64,
    /// Added to frame timestamps so session time keeps rising when a source restarts its
    /// clock (a camera reopened after it was lost, a looped demo clip).
    time_offset_s: f64,
    last_idle_tick: Option<Instant>,
    pose_ms: RollingMs,
    latency_ms: RollingMs,
    processed: RateCounter,
    last_stages: Vec<StageTiming>,
    playlist: Option<Arc<PlaylistControl>>,
}

impl PipelineCore {
    /// Builds the pose stage now; a failure is shown on screen and the camera picture
    /// still flows (with no skeleton).
    pub fn new(
        pose: PoseStageBuilder,
        coaches: CoachFactoryMaker,
        routine_config: RoutineConfig,
        history: Option<HistoryFeed>,
    ) -> Self {
        let (pose, problem) = match pose() {
            Ok(stage) => (stage, None),
            Err(err) => {
                tracing::warn!("pose estimation is off: {err}");
                (
                    Box::new(NoPose) as Box<dyn PoseStage>,
                    Some(format!("Pose estimation is off: {err}")),
                )
            }
        };
        Self {
            pose,
            problem,
            coaches,
            routine_config,
            routine: None,
            history,
            sequence: 0,
            last_frame: None,
            last_pose: None,
            last_t_s: 0.0,
            time_offset_s: 0.0,
            last_idle_tick: None,
            pose_ms: RollingMs::new(TIMING_SAMPLES),
            latency_ms: RollingMs::new(TIMING_SAMPLES),
            processed: RateCounter::new(Duration::from_secs(2)),
            last_stages: Vec::new(),
            playlist: None,
        }
    }

    /// Plays the demo: one clip per exercise of the routine, in step with it.
    pub fn with_playlist(mut self, playlist: Option<Arc<PlaylistControl>>) -> Self {
        self.playlist = playlist;
        self
    }

    /// Keeps the demo's clip and the routine's exercise together: an exercise that ended
    /// first (its set done, or "Next") moves the playlist on; a clip that played to its
    /// end ends its exercise.
    fn follow_playlist(&mut self) {
        let (Some(playlist), Some(routine)) = (self.playlist.as_ref(), self.routine.as_mut())
        else {
            return;
        };
        if matches!(routine.stage(), Stage::Finished | Stage::StoppedHurts) {
            return;
        }
        let position = routine.position();
        playlist.want(position);
        if playlist.has_ended(position) {
            let records = routine.command(RoutineCommand::Next, self.last_t_s);
            self.record(records);
        }
    }

    /// True while the routine is paused (a video file should pause with it).
    pub fn is_paused(&self) -> bool {
        self.routine.as_ref().is_some_and(Routine::is_paused)
    }

    /// Hands the history what the routine counted and the exercises that ended, in order.
    fn record(&mut self, records: Vec<ExerciseRecord>) {
        let live = self
            .routine
            .as_mut()
            .map(Routine::take_live)
            .unwrap_or_default();
        self.keep(live, records);
    }

    fn keep(&mut self, live: Vec<LiveEvent>, records: Vec<ExerciseRecord>) {
        let Some(history) = self.history.as_mut() else {
            return;
        };
        history.live(live);
        for record in &records {
            history.finished(record);
        }
        history.flush();
    }

    fn start_routine(&mut self, plan: &[PlanEntry]) {
        // Whatever was under way ends first, and is recorded.
        if let Some(mut routine) = self.routine.take() {
            let records = routine.command(RoutineCommand::EndSession, self.last_t_s);
            self.keep(routine.take_live(), records);
        }
        // On the frames' clock once one came (before that, the first frame sets it).
        let now = self.last_frame.is_some().then_some(self.last_t_s);
        match Routine::new_at(plan, (self.coaches)(), self.routine_config.clone(), now) {
            Ok(routine) => {
                self.routine = Some(routine);
                self.problem = self.problem.take().filter(|p| p.starts_with("Pose"));
            }
            Err(err) => {
                tracing::warn!("{err}");
                self.problem = Some(err.to_string());
            }
        }
    }

    /// Applies a command. Returns false for `Shutdown`.
    pub fn command(&mut self, command: Command) -> bool {
        match command {
            Command::StartRoutine(plan) => self.start_routine(&plan.exercises),
            Command::StartExercise(id) => self.start_routine(&[PlanEntry::of(&id)]),
            Command::Routine(command) => {
                if let Some(routine) = self.routine.as_mut() {
                    let records = routine.command(command, self.last_t_s);
                    self.record(records);
                }
            }
            Command::RecordPain {
                moment,
                pain_0_to_10,
            } => {
                if let Some(history) = self.history.as_mut() {
                    history.pain(moment, pain_0_to_10);
                }
            }
            Command::Shutdown => {
                if let Some(routine) = self.routine.as_mut() {
                    let records = routine.command(RoutineCommand::EndSession, self.last_t_s);
                    self.record(records);
                }
                return false;
            }
        }
        true
    }

    /// The frame's time on the session clock, which never goes backwards.
    fn session_time_s(&mut self, timestamp_s: f64) -> f64 {
        /// One frame at 30 frames/s: the step assumed across a restart of the source clock.
        const RESTART_STEP_S: f64 = 1.0 / 30.0;
        let t_s = timestamp_s + self.time_offset_s;
        if self.sequence > 0 && t_s <= self.last_t_s - 1e-6 {
            tracing::debug!(
                timestamp_s,
                last_t_s = self.last_t_s,
                "the source clock restarted"
            );
            self.time_offset_s = self.last_t_s + RESTART_STEP_S - timestamp_s;
            return self.last_t_s + RESTART_STEP_S;
        }
        t_s
    }

    /// No frame came. A camera that is out makes the exercise wait (see
    /// [`Routine::no_frames`]: effort clocks stop, safety clocks run on the wall clock); a
    /// rest still counts down; a video that ended or broke ends the session, so what was
    /// done is recorded.
    pub fn idle(&mut self, source: &SourceStatus) {
        let now = Instant::now();
        let elapsed_s = self
            .last_idle_tick
            .map_or(0.0, |last| (now - last).as_secs_f64());
        self.last_idle_tick = Some(now);
        // The demo's last clip ended: its exercise ends as the others did, which
        // finishes the routine, rather than as a session cut short.
        self.follow_playlist();
        let Some(routine) = self.routine.as_mut() else {
            return;
        };
        let records = match source {
            SourceStatus::Ended { .. } | SourceStatus::Failed { .. } => {
                if matches!(routine.stage(), Stage::Finished | Stage::StoppedHurts) {
                    return;
                }
                tracing::info!("the video is over: the session ends with what was done");
                routine.command(RoutineCommand::EndSession, self.last_t_s)
            }
            SourceStatus::Lost { .. } | SourceStatus::Reconnecting { .. } => {
                self.last_t_s += elapsed_s;
                routine.no_frames(self.last_t_s)
            }
            SourceStatus::Starting | SourceStatus::Connected { .. } => {
                if routine.is_paused() || !matches!(routine.stage(), Stage::Resting { .. }) {
                    return;
                }
                self.last_t_s += elapsed_s;
                routine.update(self.last_t_s, None)
            }
        };
        self.record(records);
    }

    /// Runs pose and routine on one frame and makes its snapshot.
    pub fn process(
        &mut self,
        grabbed: GrabbedFrame,
        source: SourceStatus,
        frames_dropped: u64,
    ) -> Snapshot {
        let GrabbedFrame { frame, grabbed_at } = grabbed;
        let pose_started = Instant::now();
        self.pose
            .set_belly_cue(self.routine.as_ref().is_some_and(Routine::reads_belly_cue));
        let pose = match self.pose.estimate(&frame) {
            Ok(pose) => {
                if self
                    .problem
                    .as_deref()
                    .is_some_and(|p| p.starts_with("Pose estimation failed"))
                {
                    self.problem = None;
                }
                pose
            }
            Err(err) => {
                // Once per change, not per frame: the message stays on screen meanwhile.
                let message = format!("Pose estimation failed: {err}");
                if self.problem.as_deref() != Some(message.as_str()) {
                    tracing::warn!("{message}");
                    self.problem = Some(message);
                }
                None
            }
        };
        let pose_done = Instant::now();
        self.pose_ms.push(pose_done - pose_started);
        let t_s = self.session_time_s(frame.timestamp_s);
        self.last_t_s = t_s;
        self.last_idle_tick = None;
        if let Some(routine) = self.routine.as_mut() {
            let records = routine.update(t_s, pose.as_ref());
            self.record(records);
        }
        self.follow_playlist();
        let coach_done = Instant::now();
        self.latency_ms.push(coach_done - grabbed_at);
        self.processed.tick(coach_done);
        let mut stages = vec![StageTiming {
            stage: "pose".into(),
            duration_ms: (pose_done - pose_started).as_secs_f64() * 1e3,
        }];
        stages.extend(self.pose.last_timings());
        stages.push(StageTiming {
            stage: "coach".into(),
            duration_ms: (coach_done - pose_done).as_secs_f64() * 1e3,
        });
        self.last_stages = stages;
        self.last_frame = Some(Arc::new(frame));
        self.last_pose = pose;
        self.snapshot(source, frames_dropped)
    }

    /// A snapshot of the current state with the last frame (after a command, or while no
    /// frames arrive).
    pub fn snapshot(&mut self, source: SourceStatus, frames_dropped: u64) -> Snapshot {
        self.sequence += 1;
        Snapshot {
            sequence: self.sequence,
            frame: self.last_frame.clone(),
            pose: self.last_pose.clone(),
            routine: self.routine.as_ref().map(Routine::view),
            stats: PipelineStats {
                processed_fps: self.processed.per_second(),
                latency_median_ms: self.latency_ms.median_ms().unwrap_or(0.0),
                pose_median_ms: self.pose_ms.median_ms().unwrap_or(0.0),
                frames_dropped,
                stages: self.last_stages.clone(),
            },
            source,
            problem: self.problem.clone(),
            history: self.history.as_ref().map(HistoryFeed::status),
        }
    }
}

/// The worker thread and its grabber. Dropping it stops both without waiting long.
pub struct Worker {
    commands: SyncSender<Command>,
    snapshots: Arc<Mailbox<Snapshot>>,
    grabber: Arc<GrabberShared>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    /// Waited for after the worker stops, so its last records are written.
    history: Option<HistoryWriter>,
    // Declared after `thread`: dropped (and so stopped) after the worker.
    _grabber_owner: Grabber,
}

impl Worker {
    /// Starts the grabber and the worker. `waker` is called after each new snapshot.
    pub fn spawn(
        config: WorkerConfig,
        waker: impl Fn() + Send + 'static,
    ) -> Result<Self, std::io::Error> {
        let WorkerConfig {
            source,
            pose,
            coaches,
            routine,
            history,
            loop_video,
            playlist,
        } = config;
        let (feed, history) = match history.map(history_writer::spawn).transpose()? {
            Some((feed, writer)) => (Some(feed), Some(writer)),
            None => (None, None),
        };
        let grabber = Grabber::spawn(source, loop_video)?;
        let shared = Arc::clone(grabber.shared());
        let snapshots = Arc::new(Mailbox::new());
        let stop = Arc::new(AtomicBool::new(false));
        let (commands, command_rx) = sync_channel(COMMAND_QUEUE);
        let thread = {
            let shared = Arc::clone(&shared);
            let snapshots = Arc::clone(&snapshots);
            let stop = Arc::clone(&stop);
            std::thread::Builder::new()
                .name("backform-worker".into())
                .spawn(move || {
                    let core =
                        PipelineCore::new(pose, coaches, routine, feed).with_playlist(playlist);
                    WorkerLoop {
                        core,
                        grabber: shared,
                        snapshots,
                        commands: command_rx,
                        stop,
                        waker: Box::new(waker),
                    }
                    .run();
                })?
        };
        Ok(Self {
            commands,
            snapshots,
            grabber: shared,
            stop,
            thread: Some(thread),
            history,
            _grabber_owner: grabber,
        })
    }

    /// Whether the source ever gave a frame (the "no camera" screen shows until then).
    pub fn source_ever_connected(&self) -> bool {
        self.grabber.ever_connected()
    }
}

impl PipelineHandle for Worker {
    fn send(&mut self, command: Command) {
        match self.commands.try_send(command) {
            Ok(()) => {}
            Err(TrySendError::Full(command)) => {
                tracing::warn!(?command, "the worker is busy; command dropped");
            }
            Err(TrySendError::Disconnected(command)) => {
                tracing::warn!(?command, "the worker has stopped; command dropped");
            }
        }
    }

    fn latest(&mut self) -> Option<Snapshot> {
        self.snapshots.take()
    }

    fn failure(&self) -> Option<String> {
        let ended = self.thread.as_ref().is_some_and(JoinHandle::is_finished);
        (ended && !self.stop.load(Ordering::Relaxed))
            .then(|| "The analysis stopped unexpectedly. Please restart backform.".to_string())
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.commands.try_send(Command::Shutdown);
        if let Some(thread) = self.thread.take() {
            join_briefly(thread, "worker");
        }
        if let Some(history) = self.history.take() {
            history.finish();
        }
    }
}

struct WorkerLoop {
    core: PipelineCore,
    grabber: Arc<GrabberShared>,
    snapshots: Arc<Mailbox<Snapshot>>,
    commands: Receiver<Command>,
    stop: Arc<AtomicBool>,
    waker: Box<dyn Fn() + Send>,
}

impl WorkerLoop {
    fn publish(&self, snapshot: Snapshot) {
        self.snapshots.put(snapshot);
        (self.waker)();
    }

    fn run(mut self) {
        let mut last_status = None;
        let mut last_idle_publish = Instant::now();
        loop {
            // Commands first, so a Shutdown sent just before the stop flag still records
            // the exercise under way.
            let mut commanded = false;
            loop {
                match self.commands.try_recv() {
                    Ok(command) => {
                        commanded = true;
                        if !self.core.command(command) {
                            return;
                        }
                    }
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        self.core.command(Command::Shutdown);
                        return;
                    }
                }
            }
            if self.stop.load(Ordering::Relaxed) {
                // Stopped without a Shutdown command: still end (and log) what is under way.
                self.core.command(Command::Shutdown);
                return;
            }
            self.grabber.set_paused(self.core.is_paused());
            let status = self.grabber.status();
            let dropped = self.grabber.frames.dropped_count();
            if commanded {
                let snapshot = self.core.snapshot(status.clone(), dropped);
                self.publish(snapshot);
            }
            match self.grabber.frames.take_timeout(FRAME_WAIT) {
                Some(grabbed) => {
                    let snapshot = self.core.process(grabbed, status.clone(), dropped);
                    self.publish(snapshot);
                    last_status = Some(status);
                }
                None => {
                    self.core.idle(&status);
                    // No frame: still tell the UI when the source's state changes, and
                    // now and then, so "camera lost" shows.
                    let status = self.grabber.status();
                    if last_status.as_ref() != Some(&status)
                        || last_idle_publish.elapsed() > Duration::from_millis(500)
                    {
                        let snapshot = self.core.snapshot(status.clone(), dropped);
                        self.publish(snapshot);
                        last_status = Some(status);
                        last_idle_publish = Instant::now();
                    }
                }
            }
        }
    }
}

/// The pipeline stepped on the caller's thread: a fixed number of frames per
/// [`PipelineHandle::latest`] call. Tests drive the real app with it, deterministically.
pub struct InlinePipeline {
    core: PipelineCore,
    source: Box<dyn FrameSource>,
    frames_per_step: usize,
    ended: bool,
    pending_commands: bool,
    /// Declared after `core`: its feed goes first, then the writer finishes.
    _history: Option<HistoryWriter>,
}

impl InlinePipeline {
    /// With `history`, a history writer thread keeps the records as the app's does.
    pub fn new(
        source: Box<dyn FrameSource>,
        pose: Box<dyn PoseStage>,
        coaches: CoachFactoryMaker,
        routine: RoutineConfig,
        history: Option<HistoryConfig>,
        frames_per_step: usize,
    ) -> Self {
        let (feed, writer) = match history.map(history_writer::spawn) {
            Some(Ok((feed, writer))) => (Some(feed), Some(writer)),
            Some(Err(err)) => {
                tracing::warn!("the history writer could not start: {err}");
                (None, None)
            }
            None => (None, None),
        };
        Self {
            core: PipelineCore::new(Box::new(move || Ok(pose)), coaches, routine, feed),
            source,
            frames_per_step: frames_per_step.max(1),
            ended: false,
            pending_commands: false,
            _history: writer,
        }
    }

    /// Plays the demo: the routine and the playlist follow each other.
    pub fn with_playlist(mut self, playlist: Option<Arc<PlaylistControl>>) -> Self {
        self.core.playlist = playlist;
        self
    }

    /// Frames per `latest` call.
    pub fn set_frames_per_step(&mut self, frames_per_step: usize) {
        self.frames_per_step = frames_per_step.max(1);
    }
}

impl PipelineHandle for InlinePipeline {
    fn send(&mut self, command: Command) {
        self.core.command(command);
        self.pending_commands = true;
    }

    fn latest(&mut self) -> Option<Snapshot> {
        let name = self.source.info().description.clone();
        let mut latest = None;
        if !self.core.is_paused() {
            for _ in 0..self.frames_per_step {
                if self.ended {
                    break;
                }
                match self.source.next_frame() {
                    Ok(Some(frame)) => {
                        let grabbed = GrabbedFrame {
                            frame,
                            grabbed_at: Instant::now(),
                        };
                        latest = Some(self.core.process(
                            grabbed,
                            SourceStatus::Connected { name: name.clone() },
                            0,
                        ));
                    }
                    // As in the threaded worker: a video's end ends the session.
                    Ok(None) => {
                        self.ended = true;
                        let ended = SourceStatus::Ended { name: name.clone() };
                        self.core.idle(&ended);
                        latest = Some(self.core.snapshot(ended, 0));
                    }
                    Err(err) => {
                        tracing::warn!("{err}");
                        self.ended = true;
                        let ended = SourceStatus::Ended { name: name.clone() };
                        self.core.idle(&ended);
                        latest = Some(self.core.snapshot(ended, 0));
                    }
                }
            }
        }
        if latest.is_none() && std::mem::take(&mut self.pending_commands) {
            let status = if self.ended {
                SourceStatus::Ended { name }
            } else {
                SourceStatus::Connected { name }
            };
            latest = Some(self.core.snapshot(status, 0));
        }
        self.pending_commands = false;
        latest
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coach::routine::tests::{Puppet, PuppetFactory};
    use crate::pipeline::scripted::SyntheticFrames;
    use crate::pipeline::source::StageError;
    use crate::pose::Pose;

    /// A pose stage as slow as a heavy model on a busy machine.
    struct SlowPose(Duration);
    impl PoseStage for SlowPose {
        fn estimate(&mut self, _frame: &Frame) -> Result<Option<Pose>, StageError> {
            std::thread::sleep(self.0);
            Ok(None)
        }
    }

    fn config(frames: u64, fps: f64, pose_delay: Duration) -> WorkerConfig {
        WorkerConfig {
            source: Box::new(move || {
                Ok(Box::new(SyntheticFrames::new(frames, fps, 16, 12)) as Box<dyn FrameSource>)
            }),
            pose: Box::new(move || Ok(Box::new(SlowPose(pose_delay)) as Box<dyn PoseStage>)),
            coaches: Box::new(|| Box::new(PuppetFactory(Puppet::default()))),
            routine: RoutineConfig::default(),
            history: None,
            loop_video: false,
            playlist: None,
        }
    }

    #[test]
    fn a_slow_pose_stage_drops_frames_instead_of_queueing_them() {
        // 60 frames at 100 frames/s (0.6 s) against a 50 ms pose stage: the worker can do
        // about 12; the rest must be dropped, and the snapshot must be of a recent frame.
        let wakes = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let mut worker = {
            let wakes = Arc::clone(&wakes);
            Worker::spawn(config(60, 100.0, Duration::from_millis(50)), move || {
                wakes.fetch_add(1, Ordering::Relaxed);
            })
            .unwrap()
        };
        let started = Instant::now();
        let mut last = None;
        while started.elapsed() < Duration::from_secs(3) {
            if let Some(snapshot) = worker.latest() {
                if matches!(snapshot.source, SourceStatus::Ended { .. }) && snapshot.frame.is_some()
                {
                    last = Some(snapshot);
                    break;
                }
                last = Some(snapshot);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let last = last.unwrap();
        let frame = last.frame.unwrap();
        assert!(
            frame.index >= 50,
            "the worker kept up with the newest frames: {}",
            frame.index
        );
        assert!(
            last.stats.frames_dropped >= 20,
            "dropped {}",
            last.stats.frames_dropped
        );
        assert!(wakes.load(Ordering::Relaxed) >= 5);
    }

    #[test]
    fn commands_reach_the_routine_and_drop_does_not_block() {
        let mut worker = Worker::spawn(config(10_000, 30.0, Duration::ZERO), || {}).unwrap();
        worker.send(Command::StartExercise("pelvic-rock".into()));
        let started = Instant::now();
        let mut seen = None;
        while started.elapsed() < Duration::from_secs(5) {
            if let Some(snapshot) = worker.latest()
                && let Some(routine) = snapshot.routine
            {
                seen = routine.exercise.map(|e| e.id);
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(seen.as_deref(), Some("pelvic-rock"));
        let started = Instant::now();
        drop(worker);
        assert!(started.elapsed() < Duration::from_millis(700));
    }

    fn core() -> PipelineCore {
        PipelineCore::new(
            Box::new(|| Ok(Box::new(NoPose) as Box<dyn PoseStage>)),
            Box::new(|| Box::new(PuppetFactory(Puppet::default()))),
            RoutineConfig::default(),
            None,
        )
    }

    fn frame_at(index: u64, timestamp_s: f64) -> GrabbedFrame {
        GrabbedFrame {
            frame: Frame {
                index,
                timestamp_s,
                width: 2,
                height: 2,
                rgb: vec![0; 12],
            },
            grabbed_at: Instant::now(),
        }
    }

    #[test]
    fn the_session_clock_keeps_rising_when_the_source_clock_restarts() {
        // A camera reopened after it was lost starts its timestamps at zero again.
        let mut core = core();
        let status = SourceStatus::Connected {
            name: "camera 0".into(),
        };
        for i in 0..30 {
            core.process(frame_at(i, i as f64 / 30.0), status.clone(), 0);
        }
        let before = core.last_t_s;
        core.process(frame_at(0, 0.0), status.clone(), 0);
        assert!(core.last_t_s > before, "{} after {before}", core.last_t_s);
        core.process(frame_at(1, 1.0 / 30.0), status, 0);
        assert!((core.last_t_s - (before + 2.0 / 30.0)).abs() < 1e-9);
    }

    #[test]
    fn a_rest_counts_down_on_the_wall_clock_when_frames_stop() {
        let puppet = Puppet::default();
        let mut core = PipelineCore::new(
            Box::new(|| Ok(Box::new(NoPose) as Box<dyn PoseStage>)),
            {
                let puppet = puppet.clone();
                Box::new(move || Box::new(PuppetFactory(puppet.clone())))
            },
            RoutineConfig {
                skip_readiness: true,
                rest_between_sets_s: Some(0.2),
                ..RoutineConfig::default()
            },
            None,
        );
        core.command(Command::StartExercise("pelvic-rock".into()));
        let status = SourceStatus::Connected {
            name: "clip".into(),
        };
        puppet.state.lock().unwrap().sets_completed = 1;
        core.process(frame_at(0, 0.0), status.clone(), 0);
        let stage = |core: &PipelineCore| core.routine.as_ref().unwrap().stage().clone();
        assert!(matches!(
            stage(&core),
            crate::coach::routine::Stage::Resting { .. }
        ));
        // The camera is out: no more frames, only idle ticks.
        let lost = SourceStatus::Lost {
            name: "camera".into(),
            reason: "unplugged".into(),
        };
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(2)
            && matches!(stage(&core), crate::coach::routine::Stage::Resting { .. })
        {
            core.idle(&lost);
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(stage(&core), crate::coach::routine::Stage::Active);
    }

    /// A camera at about 30 frames/s that is unplugged after `frames` frames.
    struct UnpluggedCamera {
        frames: SyntheticFrames,
        left: u32,
    }
    impl FrameSource for UnpluggedCamera {
        fn next_frame(&mut self) -> Result<Option<Frame>, crate::capture::CaptureError> {
            if self.left == 0 {
                return Err(crate::capture::CaptureError::CameraLost { index: 0 });
            }
            self.left -= 1;
            std::thread::sleep(Duration::from_millis(33));
            self.frames.next_frame()
        }
        fn info(&self) -> &crate::capture::SourceInfo {
            self.frames.info()
        }
    }

    #[test]
    fn a_camera_unplugged_during_traction_pauses_it_its_minute_runs_on_and_frames_resume_it() {
        let puppet = Puppet::default();
        puppet.state.lock().unwrap().traction = Some(crate::coach::routine::TractionClock {
            elapsed_s: 59.0,
            limit_s: 60.0,
            running: true,
        });
        let opens = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let mut config = config(0, 30.0, Duration::ZERO);
        config.source = {
            let opens = Arc::clone(&opens);
            Box::new(move || {
                // Out for two reopen attempts (about 1.5 s of back-off), then back.
                match opens.fetch_add(1, Ordering::SeqCst) {
                    1 | 2 => Err(crate::capture::CaptureError::NoCamera { index: 0 }),
                    n => Ok(Box::new(UnpluggedCamera {
                        frames: SyntheticFrames::new(10_000, 30.0, 4, 4).live(),
                        left: if n == 0 { 20 } else { 10_000 },
                    }) as Box<dyn FrameSource>),
                }
            })
        };
        config.coaches = {
            let puppet = puppet.clone();
            Box::new(move || Box::new(PuppetFactory(puppet.clone())))
        };
        config.routine.skip_readiness = true;
        let mut worker = Worker::spawn(config, || {}).unwrap();
        worker.send(Command::StartExercise("back-block-traction".into()));
        let mut saw_waiting_past_the_limit = false;
        let mut resumed = false;
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) && !resumed {
            if let Some(snapshot) = worker.latest()
                && let Some(view) = snapshot.routine
            {
                let state = view.state.clone().unwrap_or_default();
                let clock = state.traction.clone().unwrap();
                if view.waiting == Some(crate::coach::routine::Waiting::Camera) {
                    assert!(matches!(
                        snapshot.source,
                        SourceStatus::Lost { .. } | SourceStatus::Reconnecting { .. }
                    ));
                    if clock.elapsed_s > 60.0 {
                        let prompt = state.prompt.expect("the minute's end is said");
                        assert_eq!(prompt.kind, crate::coach::routine::PromptKind::Safety);
                        saw_waiting_past_the_limit = true;
                    }
                } else if saw_waiting_past_the_limit
                    && matches!(snapshot.source, SourceStatus::Connected { .. })
                {
                    assert_eq!(view.stage, crate::coach::routine::Stage::Active);
                    resumed = true;
                }
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(
            saw_waiting_past_the_limit,
            "the clock ran on past the minute"
        );
        assert!(resumed, "frames resumed the exercise");
    }

    /// A history in `dir`, for a session with the puppet coach, started at once.
    fn history_in(dir: &std::path::Path) -> HistoryConfig {
        HistoryConfig::in_data_dir(Some(dir)).unwrap()
    }

    /// A pipeline core on the puppet coach (exercises start at once) feeding a history
    /// writer in `dir`.
    fn core_with_history(
        dir: &std::path::Path,
    ) -> (PipelineCore, Puppet, HistoryWriter, HistoryConfig) {
        let history = history_in(dir);
        let (feed, writer) = history_writer::spawn(history.clone()).unwrap();
        let puppet = Puppet::default();
        let core = PipelineCore::new(
            Box::new(|| Ok(Box::new(NoPose) as Box<dyn PoseStage>)),
            {
                let puppet = puppet.clone();
                Box::new(move || Box::new(PuppetFactory(puppet.clone())))
            },
            RoutineConfig {
                skip_readiness: true,
                ..RoutineConfig::default()
            },
            Some(feed),
        );
        (core, puppet, writer, history)
    }

    #[test]
    fn each_routine_started_at_once_in_one_session_is_its_own_run() {
        let dir = tempfile::tempdir().unwrap();
        let (mut core, _puppet, writer, history) = core_with_history(dir.path());
        let connected = SourceStatus::Connected {
            name: "clip".into(),
        };
        for (k, t0) in [(0_u64, 0.0), (100, 10.0)] {
            core.command(Command::StartExercise("pelvic-rock".into()));
            for i in 0..30 {
                core.process(frame_at(k + i, t0 + i as f64 / 30.0), connected.clone(), 0);
            }
        }
        core.command(Command::Shutdown);
        drop(core);
        writer.finish();
        let store = crate::history::Store::open(&history.db_path).unwrap();
        let runs = store.run_summaries().unwrap();
        assert_eq!(runs.len(), 2, "{runs:?}");
    }

    #[test]
    fn a_video_that_ends_mid_exercise_ends_the_session_with_what_was_done_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (mut core, puppet, writer, history) = core_with_history(dir.path());
        core.command(Command::StartExercise("pelvic-rock".into()));
        let connected = SourceStatus::Connected {
            name: "clip".into(),
        };
        puppet.state.lock().unwrap().reps_total = 3;
        core.process(frame_at(0, 0.0), connected, 0);
        core.idle(&SourceStatus::Ended {
            name: "clip".into(),
        });
        let stage = core.routine.as_ref().unwrap().stage().clone();
        assert_eq!(stage, crate::coach::routine::Stage::Finished);
        drop(core);
        writer.finish();
        let store = crate::history::Store::open(&history.db_path).unwrap();
        let runs = store.run_summaries().unwrap();
        assert_eq!(runs.len(), 1, "{runs:?}");
        assert_eq!(runs[0].end_reason, "session_ended");
        assert_eq!(runs[0].reps_total, 3);
    }

    #[test]
    fn dropping_the_worker_mid_exercise_logs_it_as_session_ended() {
        let dir = tempfile::tempdir().unwrap();
        let history = history_in(dir.path());
        let mut config = config(10_000, 30.0, Duration::ZERO);
        config.history = Some(history.clone());
        config.routine.skip_readiness = true;
        let mut worker = Worker::spawn(config, || {}).unwrap();
        worker.send(Command::StartExercise("pelvic-tilt".into()));
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(5) {
            if worker.latest().is_some_and(|s| s.routine.is_some()) {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        drop(worker);
        let store = crate::history::Store::open(&history.db_path).unwrap();
        let runs = store.run_summaries().unwrap();
        assert_eq!(runs.len(), 1, "{runs:?}");
        assert_eq!(runs[0].exercise, "pelvic-tilt");
        assert_eq!(runs[0].end_reason, "session_ended");
    }

    #[test]
    fn a_pose_stage_that_cannot_load_leaves_the_picture_and_says_why() {
        let mut config = config(5, 100.0, Duration::ZERO);
        config.pose = Box::new(|| Err(StageError::new("model file missing")));
        let mut worker = Worker::spawn(config, || {}).unwrap();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(5) {
            if let Some(snapshot) = worker.latest()
                && snapshot.frame.is_some()
            {
                assert!(snapshot.problem.unwrap().contains("model file missing"));
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("no frame arrived");
    }
}
