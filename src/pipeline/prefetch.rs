//! Decode-ahead for files: a named thread reads frames from a [`FrameSource`] into a
//! small bounded queue, so decoding one frame overlaps inference on the previous one.
//!
//! Used by `analyze` and `bench`, which must see every frame of a file in order (the
//! live app instead keeps only the newest frame). Errors travel down the queue in order
//! and end it; dropping the [`Prefetch`] stops the thread at its next send.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::capture::{CaptureError, Frame, FrameSource, SourceInfo};

/// Frames decoded ahead: enough to ride out a slow inference, few enough to keep
/// memory small (a 1080p RGB frame is 6 MB).
const QUEUE_DEPTH: usize = 4;

/// A frame and how long it took to decode.
pub struct Decoded {
    pub frame: Frame,
    pub decode_time: Duration,
}

pub struct Prefetch {
    info: SourceInfo,
    frames: Option<Receiver<Result<Decoded, CaptureError>>>,
    thread: Option<JoinHandle<()>>,
}

impl Prefetch {
    /// Starts decoding `source` on its own thread.
    pub fn start(mut source: Box<dyn FrameSource>) -> std::io::Result<Self> {
        let info = source.info().clone();
        let (sender, frames) = sync_channel(QUEUE_DEPTH);
        let thread = std::thread::Builder::new()
            .name("decode".into())
            .spawn(move || decode_loop(source.as_mut(), &sender))?;
        Ok(Self {
            info,
            frames: Some(frames),
            thread: Some(thread),
        })
    }

    pub fn info(&self) -> &SourceInfo {
        &self.info
    }

    /// The next frame in order; `Ok(None)` at the end of the source.
    pub fn next_frame(&mut self) -> Result<Option<Decoded>, CaptureError> {
        let Some(frames) = &self.frames else {
            return Ok(None);
        };
        match frames.recv() {
            Ok(Ok(decoded)) => Ok(Some(decoded)),
            Ok(Err(err)) => {
                self.frames = None;
                Err(err)
            }
            Err(_) => {
                self.frames = None;
                Ok(None)
            }
        }
    }
}

fn decode_loop(source: &mut dyn FrameSource, sender: &SyncSender<Result<Decoded, CaptureError>>) {
    loop {
        let started = Instant::now();
        let item = match source.next_frame() {
            Ok(Some(frame)) => Ok(Decoded {
                frame,
                decode_time: started.elapsed(),
            }),
            Ok(None) => return,
            Err(err) => Err(err),
        };
        let failed = item.is_err();
        if sender.send(item).is_err() || failed {
            return;
        }
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        // Closing the receiver makes the thread's next send fail, so it ends within one
        // decode; detach rather than wait for it.
        self.frames = None;
        drop(self.thread.take());
    }
}
