//! The grabber thread: reads a frame source and keeps only its newest frame.
//!
//! In flows a [`SourceOpener`]; out flow [`GrabbedFrame`]s through a one-slot mailbox
//! (a frame the worker did not take in time is replaced, never queued) and a
//! [`SourceStatus`]. A camera whose frames stop (an error, or no frame for
//! [`STALE_AFTER`]) is released and reopened with growing back-off. A video file is
//! played at its own speed as if it were live: each frame is released at its timestamp,
//! and pausing holds the clock.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::capture::Frame;

use super::mailbox::Mailbox;
use super::source::{FrameSource, SourceOpener};

/// A frame and the moment the grabber got it (for the latency shown on screen).
#[derive(Debug)]
pub struct GrabbedFrame {
    pub frame: Frame,
    pub grabbed_at: Instant,
}

/// A camera giving no new frame for this long counts as lost.
pub const STALE_AFTER: Duration = Duration::from_secs(2);
/// Back-off between reopen attempts: doubles from the first to the last.
const REOPEN_BACKOFF_FIRST: Duration = Duration::from_millis(500);
const REOPEN_BACKOFF_MAX: Duration = Duration::from_secs(5);
/// How often waits wake up to check the stop flag.
const POLL: Duration = Duration::from_millis(20);

/// The source's state, as the UI shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceStatus {
    /// Not opened yet.
    Starting,
    /// Frames are arriving.
    Connected { name: String },
    /// Frames stopped; the grabber will reopen the source.
    Lost { name: String, reason: String },
    /// Waiting before reopen attempt `attempt` (from 1).
    Reconnecting { attempt: u32, reason: String },
    /// The video file has ended.
    Ended { name: String },
    /// The source cannot be used (a video file that does not open or decode).
    Failed { reason: String },
}

impl SourceStatus {
    pub fn is_connected(&self) -> bool {
        matches!(self, Self::Connected { .. })
    }
}

/// State shared between the grabber thread and its owner.
#[derive(Debug)]
pub struct GrabberShared {
    pub frames: Mailbox<GrabbedFrame>,
    status: Mutex<SourceStatus>,
    /// Set once any frame arrived: the UI's "no camera" screen shows only before that.
    ever_connected: AtomicBool,
    paused: AtomicBool,
    stop: AtomicBool,
    last_frame_at: Mutex<Option<Instant>>,
}

impl GrabberShared {
    fn new() -> Self {
        Self {
            frames: Mailbox::new(),
            status: Mutex::new(SourceStatus::Starting),
            ever_connected: AtomicBool::new(false),
            paused: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            last_frame_at: Mutex::new(None),
        }
    }

    fn set_status(&self, status: SourceStatus) {
        let mut current = self.status.lock().unwrap_or_else(PoisonError::into_inner);
        if *current != status {
            match &status {
                SourceStatus::Lost { name, reason } => {
                    tracing::warn!("{name}: frames stopped ({reason})")
                }
                SourceStatus::Reconnecting { attempt, .. } => {
                    tracing::warn!(attempt, "reopening the frame source")
                }
                SourceStatus::Failed { reason } => tracing::warn!("frame source failed: {reason}"),
                SourceStatus::Connected { name } => tracing::info!("{name}: frames arriving"),
                SourceStatus::Ended { name } => tracing::info!("{name}: end of video"),
                SourceStatus::Starting => {}
            }
            *current = status;
        }
    }

    /// The status, with a connected camera whose frames went stale shown as lost.
    pub fn status(&self) -> SourceStatus {
        let status = self
            .status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let SourceStatus::Connected { name } = &status
            && !self.paused.load(Ordering::Relaxed)
        {
            let last = *self
                .last_frame_at
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if last.is_some_and(|at| at.elapsed() > STALE_AFTER) {
                return SourceStatus::Lost {
                    name: name.clone(),
                    reason: "no new frame".into(),
                };
            }
        }
        status
    }

    pub fn ever_connected(&self) -> bool {
        self.ever_connected.load(Ordering::Relaxed)
    }

    /// Pauses a video file (its clock stops); a camera keeps streaming.
    pub fn set_paused(&self, paused: bool) {
        self.paused.store(paused, Ordering::Relaxed);
    }
}

/// Owns the grabber thread. Dropping it asks the thread to stop and waits briefly.
pub struct Grabber {
    shared: Arc<GrabberShared>,
    thread: Option<JoinHandle<()>>,
}

impl Grabber {
    /// Starts the thread. `loop_video` restarts a file at its end (the demo clip).
    pub fn spawn(opener: SourceOpener, loop_video: bool) -> Result<Self, std::io::Error> {
        let shared = Arc::new(GrabberShared::new());
        let thread = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("backform-grabber".into())
                .spawn(move || GrabLoop::new(opener, shared, loop_video).run())?
        };
        Ok(Self {
            shared,
            thread: Some(thread),
        })
    }

    pub fn shared(&self) -> &Arc<GrabberShared> {
        &self.shared
    }
}

impl Drop for Grabber {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            join_briefly(thread, "grabber");
        }
    }
}

/// Joins a thread if it ends within a short time; otherwise leaves it to end on its own
/// (a camera read can block), so dropping never hangs the UI.
pub(crate) fn join_briefly(thread: JoinHandle<()>, what: &str) {
    const JOIN_WAIT: Duration = Duration::from_millis(500);
    let deadline = Instant::now() + JOIN_WAIT;
    while !thread.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    if thread.is_finished() {
        if thread.join().is_err() {
            tracing::warn!("the {what} thread panicked");
        }
    } else {
        tracing::warn!("the {what} thread did not stop within {JOIN_WAIT:?}; leaving it to finish");
    }
}

struct GrabLoop {
    opener: SourceOpener,
    shared: Arc<GrabberShared>,
    loop_video: bool,
    /// Added to a looped video's timestamps, so they keep rising across loops.
    loop_offset_s: f64,
    /// The last timestamp handed on (with the offset), and the frame step after it.
    last_timestamp_s: Option<f64>,
    frame_step_s: f64,
}

/// The clock that plays a file as if live: frame `t` is due at `start + (t - t0)` plus
/// the time spent paused.
struct PlaybackClock {
    wall_start: Instant,
    first_timestamp_s: f64,
}

impl GrabLoop {
    fn new(opener: SourceOpener, shared: Arc<GrabberShared>, loop_video: bool) -> Self {
        Self {
            opener,
            shared,
            loop_video,
            loop_offset_s: 0.0,
            last_timestamp_s: None,
            frame_step_s: 1.0 / 30.0,
        }
    }

    fn stopping(&self) -> bool {
        self.shared.stop.load(Ordering::Relaxed)
    }

    /// Sleeps up to `duration` in short steps; false if asked to stop meanwhile.
    fn sleep(&self, duration: Duration) -> bool {
        let deadline = Instant::now() + duration;
        while !self.stopping() {
            let now = Instant::now();
            if now >= deadline {
                return true;
            }
            std::thread::sleep(POLL.min(deadline - now));
        }
        false
    }

    fn run(mut self) {
        let mut attempt = 0u32;
        let mut backoff = REOPEN_BACKOFF_FIRST;
        while !self.stopping() {
            match (self.opener)() {
                Ok(source) => {
                    let name = source.info().description.clone();
                    let live = source.info().live;
                    let outcome = self.stream(source);
                    match outcome {
                        StreamEnd::Stopped => return,
                        StreamEnd::Ended if !live && self.loop_video => {
                            tracing::info!("{name}: playing again from the start");
                            if let Some(last) = self.last_timestamp_s {
                                self.loop_offset_s = last + self.frame_step_s;
                            }
                            continue;
                        }
                        StreamEnd::Ended => {
                            self.shared.set_status(SourceStatus::Ended { name });
                            // Nothing more to read: wait for the owner to stop us.
                            while self.sleep(Duration::from_millis(200)) {}
                            return;
                        }
                        StreamEnd::Failed(reason) if live => {
                            self.shared.set_status(SourceStatus::Lost {
                                name,
                                reason: reason.clone(),
                            });
                            attempt = 0;
                            backoff = REOPEN_BACKOFF_FIRST;
                        }
                        StreamEnd::Failed(reason) => {
                            self.shared.set_status(SourceStatus::Failed { reason });
                            while self.sleep(Duration::from_millis(200)) {}
                            return;
                        }
                    }
                }
                Err(err) => {
                    attempt += 1;
                    self.shared.set_status(SourceStatus::Reconnecting {
                        attempt,
                        reason: err.to_string(),
                    });
                    if !self.sleep(backoff) {
                        return;
                    }
                    backoff = (backoff * 2).min(REOPEN_BACKOFF_MAX);
                }
            }
        }
    }

    fn stream(&mut self, mut source: Box<dyn FrameSource>) -> StreamEnd {
        let name = source.info().description.clone();
        let live = source.info().live;
        if source.info().fps > 0.0 {
            self.frame_step_s = 1.0 / source.info().fps;
        }
        let mut clock: Option<PlaybackClock> = None;
        let mut last_good = Instant::now();
        loop {
            if self.stopping() {
                return StreamEnd::Stopped;
            }
            if !live && self.shared.paused.load(Ordering::Relaxed) {
                let paused_at = Instant::now();
                while self.shared.paused.load(Ordering::Relaxed) {
                    if !self.sleep(POLL) {
                        return StreamEnd::Stopped;
                    }
                }
                if let Some(clock) = clock.as_mut() {
                    clock.wall_start += paused_at.elapsed();
                }
            }
            let mut frame = match source.next_frame() {
                Ok(Some(frame)) => frame,
                Ok(None) if live => {
                    // Some camera backends report "no frame" instead of an error.
                    if last_good.elapsed() > STALE_AFTER {
                        return StreamEnd::Failed("the camera sends no frames".into());
                    }
                    if !self.sleep(Duration::from_millis(10)) {
                        return StreamEnd::Stopped;
                    }
                    continue;
                }
                Ok(None) => return StreamEnd::Ended,
                Err(err) => return StreamEnd::Failed(err.to_string()),
            };
            if !live {
                let clock = clock.get_or_insert_with(|| PlaybackClock {
                    wall_start: Instant::now(),
                    first_timestamp_s: frame.timestamp_s,
                });
                let due = clock.wall_start
                    + Duration::from_secs_f64(
                        (frame.timestamp_s - clock.first_timestamp_s).max(0.0),
                    );
                let now = Instant::now();
                if due > now && !self.sleep(due - now) {
                    return StreamEnd::Stopped;
                }
            }
            if !live {
                frame.timestamp_s += self.loop_offset_s;
                self.last_timestamp_s = Some(frame.timestamp_s);
            }
            last_good = Instant::now();
            *self
                .shared
                .last_frame_at
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(last_good);
            self.shared.ever_connected.store(true, Ordering::Relaxed);
            self.shared
                .set_status(SourceStatus::Connected { name: name.clone() });
            if self
                .shared
                .frames
                .put(GrabbedFrame {
                    frame,
                    grabbed_at: last_good,
                })
                .is_some()
            {
                tracing::trace!("a frame was replaced before the worker took it");
            }
        }
    }
}

enum StreamEnd {
    Stopped,
    Ended,
    Failed(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{CaptureError, SourceInfo};
    use crate::pipeline::scripted::SyntheticFrames;
    use std::sync::atomic::AtomicU32;

    fn wait_for(shared: &GrabberShared, what: impl Fn(&SourceStatus) -> bool) -> SourceStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let status = shared.status();
            if what(&status) || Instant::now() > deadline {
                return status;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn a_video_plays_at_its_own_speed() {
        // 15 frames at 50 frames/s: 0.28 s from the first to the last.
        let opener: SourceOpener =
            Box::new(|| Ok(Box::new(SyntheticFrames::new(15, 50.0, 8, 6)) as Box<dyn FrameSource>));
        let started = Instant::now();
        let grabber = Grabber::spawn(opener, false).unwrap();
        let status = wait_for(grabber.shared(), |s| {
            matches!(s, SourceStatus::Ended { .. })
        });
        assert!(matches!(status, SourceStatus::Ended { .. }), "{status:?}");
        let elapsed = started.elapsed();
        assert!(
            elapsed >= Duration::from_millis(270),
            "played too fast: {elapsed:?}"
        );
        let last = grabber.shared().frames.take().unwrap();
        assert_eq!(last.frame.index, 14, "the newest frame is kept");
    }

    #[test]
    fn a_looped_video_keeps_its_timestamps_rising_across_loops() {
        let opener: SourceOpener =
            Box::new(|| Ok(Box::new(SyntheticFrames::new(5, 100.0, 4, 4)) as Box<dyn FrameSource>));
        let grabber = Grabber::spawn(opener, true).unwrap();
        let mut seen: Vec<f64> = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        while seen.len() < 12 && Instant::now() < deadline {
            if let Some(grabbed) = grabber
                .shared()
                .frames
                .take_timeout(Duration::from_millis(50))
            {
                seen.push(grabbed.frame.timestamp_s);
            }
        }
        assert!(seen.len() >= 12, "{seen:?}");
        assert!(seen.windows(2).all(|w| w[1] > w[0]), "{seen:?}");
        assert!(
            *seen.last().unwrap() > 0.05,
            "past the first loop: {seen:?}"
        );
    }

    #[test]
    fn a_lost_camera_is_reopened_with_backoff() {
        /// A "camera" that fails after 3 frames, and whose first reopen fails too.
        struct FlakyCamera(SyntheticFrames, u32, SourceInfo);
        impl FrameSource for FlakyCamera {
            fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
                self.1 += 1;
                if self.1 > 3 {
                    return Err(CaptureError::CameraLost { index: 0 });
                }
                std::thread::sleep(Duration::from_millis(5));
                self.0.next_frame()
            }
            fn info(&self) -> &SourceInfo {
                &self.2
            }
        }
        let opens = Arc::new(AtomicU32::new(0));
        let opener: SourceOpener = {
            let opens = Arc::clone(&opens);
            Box::new(move || {
                let n = opens.fetch_add(1, Ordering::SeqCst);
                if n == 1 {
                    return Err(CaptureError::NoCamera { index: 0 });
                }
                let frames = SyntheticFrames::new(100, 30.0, 4, 4).live();
                let info = frames.info().clone();
                Ok(Box::new(FlakyCamera(frames, 0, info)) as Box<dyn FrameSource>)
            })
        };
        let grabber = Grabber::spawn(opener, false).unwrap();
        let status = wait_for(grabber.shared(), |s| {
            matches!(s, SourceStatus::Reconnecting { .. })
        });
        assert!(
            matches!(status, SourceStatus::Reconnecting { attempt: 1, .. }),
            "{status:?}"
        );
        assert!(grabber.shared().ever_connected());
        let deadline = Instant::now() + Duration::from_secs(10);
        while opens.load(Ordering::SeqCst) < 3 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(
            opens.load(Ordering::SeqCst) >= 3,
            "reopened after the back-off"
        );
        let started = Instant::now();
        drop(grabber);
        assert!(
            started.elapsed() < Duration::from_millis(600),
            "drop does not block for long"
        );
    }
}
