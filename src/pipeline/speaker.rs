//! Who says the coach's lines: a thread of its own that speaks [`Utterance`]s through a
//! [`Voice`] (speech-dispatcher through the `tts` crate, [`TtsVoice`]; or a
//! [`FakeVoice`] in tests).
//!
//! In flow utterances from the UI ([`Speaker::say`], planned by
//! [`crate::coach::speech::SpeechPlanner`]) and settings (on/off, rate, volume); out flows
//! speech. The UI never waits: lines go over a small bounded channel with `try_send`, and
//! a line that does not fit is dropped — except a safety line, which goes through a
//! separate queue the channel cannot fill. On the speaker's thread:
//! - one line at a time: the next starts when the voice has finished the last;
//! - a line that has waited more than [`MAX_WAIT`] is dropped ("three" said two seconds
//!   late is wrong), except safety lines, which are never dropped;
//! - a more urgent line goes ahead of queued ones and cuts in: a safety line interrupts
//!   anything but another safety line, a prompt or camera line interrupts a count or a
//!   countdown;
//! - while disabled ([`Speaker::set_enabled`]) nothing is queued or said, and a line
//!   being said is cut off.
//!
//! The voice is made on the speaker's thread, so a speech daemon that is slow to answer
//! or absent never holds up the window: [`Speaker::is_available`] turns true once it is
//! up. If it cannot be made, one `warn` line says why and the speaker says nothing (the
//! app keeps its tones).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::coach::speech::{Utterance, UtteranceKind};

/// A line that has waited longer than this is no longer worth saying (safety lines
/// excepted).
pub const MAX_WAIT: Duration = Duration::from_secs(2);
/// Lines the channel holds before `say` drops them: a few seconds of speech. The thread
/// drains it as lines arrive, so it only fills if the voice blocks.
const CHANNEL_LINES: usize = 16;
/// How often the thread looks whether the voice has finished, while lines wait.
const POLL: Duration = Duration::from_millis(20);
/// Speech rate multiplier and volume limits.
pub const RATE_RANGE: (f32, f32) = (0.5, 2.0);

/// Something that can say a line.
pub trait Voice {
    /// Starts saying `text`; with `interrupt`, cuts off whatever is being said first.
    /// Returns once the line is handed over, not when it has been said.
    fn speak(&mut self, text: &str, interrupt: bool) -> Result<(), String>;
    /// Still saying the last line.
    fn is_speaking(&mut self) -> bool;
    /// Cuts off what is being said.
    fn stop(&mut self) -> Result<(), String>;
    /// Speed as a multiple of the voice's normal rate (0.5–2.0).
    fn set_rate(&mut self, multiplier: f32) -> Result<(), String>;
    /// Loudness from 0 (silent) to 1 (the voice's normal volume).
    fn set_volume(&mut self, volume: f32) -> Result<(), String>;
}

/// Whether the speaker's voice is up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoiceStatus {
    /// The voice is being made (connecting to the speech daemon).
    Starting,
    Ready,
    /// No voice: nothing will be said.
    Unavailable,
}

impl VoiceStatus {
    fn from_u8(value: u8) -> Self {
        match value {
            0 => Self::Starting,
            1 => Self::Ready,
            _ => Self::Unavailable,
        }
    }

    fn as_u8(self) -> u8 {
        match self {
            Self::Starting => 0,
            Self::Ready => 1,
            Self::Unavailable => 2,
        }
    }
}

/// A line and when it was handed to the speaker.
#[derive(Clone, Debug)]
struct Queued {
    utterance: Utterance,
    since: Instant,
}

enum Message {
    Say(Queued),
    /// Something in [`Shared`] changed (a safety line, the settings): look.
    Wake,
}

#[derive(Clone, Copy, Debug)]
struct Settings {
    rate: f32,
    volume: f32,
    /// Not yet handed to the voice.
    changed: bool,
}

/// What the handle and the thread share besides the channel.
struct Shared {
    enabled: AtomicBool,
    status: AtomicU8,
    settings: Mutex<Settings>,
    /// Safety lines: never dropped, so never sent where a full channel could refuse them.
    safety: Mutex<VecDeque<Queued>>,
}

/// A lock that a panic elsewhere has poisoned still holds good data here (plain values).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Says the coach's lines on its own thread. Dropping it ends the thread.
pub struct Speaker {
    sender: Option<SyncSender<Message>>,
    shared: Arc<Shared>,
}

/// Makes the voice, on the speaker's thread.
pub type VoiceMaker = Box<dyn FnOnce() -> Result<Box<dyn Voice + Send>, String> + Send>;

impl Speaker {
    /// The system's voice (speech-dispatcher), at `rate` (0.5–2.0 × normal) and `volume`
    /// (0–1). Returns at once; if the voice cannot be had, one `warn` line says why and
    /// [`Speaker::is_available`] stays false.
    pub fn system(rate: f32, volume: f32) -> Speaker {
        Speaker::start(
            Box::new(|| TtsVoice::new().map(|voice| Box::new(voice) as Box<dyn Voice + Send>)),
            rate,
            volume,
        )
    }

    /// A speaker over a voice already made (tests: [`FakeVoice`]).
    pub fn with_voice(voice: Box<dyn Voice + Send>, rate: f32, volume: f32) -> Speaker {
        Speaker::start(Box::new(move || Ok(voice)), rate, volume)
    }

    /// A speaker whose voice `make` makes on the speaker's own thread.
    pub fn start(make: VoiceMaker, rate: f32, volume: f32) -> Speaker {
        let shared = Arc::new(Shared {
            enabled: AtomicBool::new(true),
            status: AtomicU8::new(VoiceStatus::Starting.as_u8()),
            settings: Mutex::new(Settings {
                rate: clamp_rate(rate),
                volume: clamp_volume(volume),
                changed: true,
            }),
            safety: Mutex::new(VecDeque::new()),
        });
        let (sender, receiver) = sync_channel(CHANNEL_LINES);
        let thread_shared = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name("speaker".into())
            .spawn(move || run(make, receiver, thread_shared));
        match spawned {
            Ok(_) => Speaker {
                sender: Some(sender),
                shared,
            },
            Err(err) => {
                tracing::warn!("no spoken coaching: cannot start the speaker thread: {err}");
                shared
                    .status
                    .store(VoiceStatus::Unavailable.as_u8(), Ordering::Release);
                Speaker {
                    sender: None,
                    shared,
                }
            }
        }
    }

    /// A speaker that says nothing, with no thread (tests of the UI, `--mute` runs).
    pub fn silent() -> Speaker {
        Speaker {
            sender: None,
            shared: Arc::new(Shared {
                enabled: AtomicBool::new(false),
                status: AtomicU8::new(VoiceStatus::Unavailable.as_u8()),
                settings: Mutex::new(Settings {
                    rate: 1.0,
                    volume: 1.0,
                    changed: false,
                }),
                safety: Mutex::new(VecDeque::new()),
            }),
        }
    }

    /// Queues a line; never blocks. Dropped while disabled or with no voice, and (unless
    /// it is a safety line) when the queue is full.
    pub fn say(&self, utterance: Utterance) {
        let Some(sender) = &self.sender else {
            return;
        };
        if !self.is_enabled() || self.status() == VoiceStatus::Unavailable {
            return;
        }
        let queued = Queued {
            utterance,
            since: Instant::now(),
        };
        if queued.utterance.kind == UtteranceKind::Safety {
            lock(&self.shared.safety).push_back(queued);
            // A full channel means the thread is awake with lines to read: it will look.
            let _ = sender.try_send(Message::Wake);
            return;
        }
        match sender.try_send(Message::Say(queued)) {
            Ok(()) => {}
            Err(TrySendError::Full(Message::Say(q))) => {
                tracing::debug!(text = %q.utterance.text, "speaker busy: line dropped");
            }
            Err(_) => {}
        }
    }

    /// Queues lines in order.
    pub fn say_all(&self, utterances: impl IntoIterator<Item = Utterance>) {
        for utterance in utterances {
            self.say(utterance);
        }
    }

    /// Voice on or off (the settings' switch, and M). Off cuts off the line being said.
    pub fn set_enabled(&self, enabled: bool) {
        self.shared.enabled.store(enabled, Ordering::Release);
        self.wake();
    }

    pub fn is_enabled(&self) -> bool {
        self.shared.enabled.load(Ordering::Acquire)
    }

    /// Speed as a multiple of the voice's normal rate, clamped to 0.5–2.0.
    pub fn set_rate(&self, multiplier: f32) {
        let mut settings = lock(&self.shared.settings);
        settings.rate = clamp_rate(multiplier);
        settings.changed = true;
        drop(settings);
        self.wake();
    }

    /// Loudness from 0 to 1 (the voice's normal volume), clamped.
    pub fn set_volume(&self, volume: f32) {
        let mut settings = lock(&self.shared.settings);
        settings.volume = clamp_volume(volume);
        settings.changed = true;
        drop(settings);
        self.wake();
    }

    /// The rate and volume in force (after clamping).
    pub fn rate_and_volume(&self) -> (f32, f32) {
        let settings = lock(&self.shared.settings);
        (settings.rate, settings.volume)
    }

    pub fn status(&self) -> VoiceStatus {
        VoiceStatus::from_u8(self.shared.status.load(Ordering::Acquire))
    }

    /// The voice is up: lines will be said. Until then (and if it never comes up) the app
    /// keeps its tones.
    pub fn is_available(&self) -> bool {
        self.status() == VoiceStatus::Ready
    }

    /// Waits up to `timeout` for the voice to come up or fail; whether it is up. For the
    /// example and tests: the app polls [`Speaker::is_available`] instead.
    pub fn wait_until_started(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.status() == VoiceStatus::Starting && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        self.is_available()
    }

    fn wake(&self) {
        if let Some(sender) = &self.sender {
            let _ = sender.try_send(Message::Wake);
        }
    }
}

impl Drop for Speaker {
    fn drop(&mut self) {
        // Closing the channel ends the thread at its next look; not joined, so a speech
        // daemon that hangs cannot hold up closing the window.
        self.sender = None;
    }
}

fn clamp_rate(rate: f32) -> f32 {
    if rate.is_finite() {
        rate.clamp(RATE_RANGE.0, RATE_RANGE.1)
    } else {
        1.0
    }
}

fn clamp_volume(volume: f32) -> f32 {
    if volume.is_finite() {
        volume.clamp(0.0, 1.0)
    } else {
        1.0
    }
}

/// How urgent a line is: a more urgent one goes ahead of queued lines.
fn rank(kind: UtteranceKind) -> u8 {
    match kind {
        UtteranceKind::Safety => 2,
        UtteranceKind::Prompt | UtteranceKind::Camera => 1,
        UtteranceKind::Count | UtteranceKind::Countdown | UtteranceKind::Announcement => 0,
    }
}

/// Whether `next` cuts off `current` while it is being said: safety cuts off anything
/// but safety; a prompt cuts off a count or countdown, whose moment has passed anyway.
fn interrupts(next: UtteranceKind, current: UtteranceKind) -> bool {
    match next {
        UtteranceKind::Safety => current != UtteranceKind::Safety,
        UtteranceKind::Prompt | UtteranceKind::Camera => {
            matches!(current, UtteranceKind::Count | UtteranceKind::Countdown)
        }
        _ => false,
    }
}

/// Puts a line behind those at least as urgent, ahead of the rest.
fn enqueue(queue: &mut VecDeque<Queued>, line: Queued) {
    let at = queue
        .iter()
        .position(|q| rank(q.utterance.kind) < rank(line.utterance.kind))
        .unwrap_or(queue.len());
    queue.insert(at, line);
}

/// The speaker's thread.
fn run(make: VoiceMaker, receiver: Receiver<Message>, shared: Arc<Shared>) {
    let mut voice = match make() {
        Ok(voice) => voice,
        Err(reason) => {
            tracing::warn!("no spoken coaching, tones only: {reason}");
            shared
                .status
                .store(VoiceStatus::Unavailable.as_u8(), Ordering::Release);
            return;
        }
    };
    shared
        .status
        .store(VoiceStatus::Ready.as_u8(), Ordering::Release);
    let mut queue: VecDeque<Queued> = VecDeque::new();
    // What the voice is saying (as far as this thread knows).
    let mut speaking: Option<UtteranceKind> = None;
    let mut failures_logged = false;
    loop {
        let first = if queue.is_empty() && speaking.is_none() {
            // Nothing to watch: sleep until a line or a setting comes.
            match receiver.recv() {
                Ok(message) => Some(message),
                Err(_) => break,
            }
        } else {
            match receiver.recv_timeout(POLL) {
                Ok(message) => Some(message),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => break,
            }
        };
        for message in first.into_iter().chain(receiver.try_iter()) {
            if let Message::Say(line) = message {
                enqueue(&mut queue, line);
            }
        }
        for line in lock(&shared.safety).drain(..) {
            enqueue(&mut queue, line);
        }
        let settings = {
            let mut settings = lock(&shared.settings);
            let now = *settings;
            settings.changed = false;
            now
        };
        if settings.changed {
            let applied = voice
                .set_rate(settings.rate)
                .and_then(|()| voice.set_volume(settings.volume));
            if let Err(err) = applied {
                tracing::debug!("voice settings not applied: {err}");
            }
        }
        if !shared.enabled.load(Ordering::Acquire) {
            queue.clear();
            if speaking.take().is_some()
                && let Err(err) = voice.stop()
            {
                tracing::debug!("cannot stop the voice: {err}");
            }
            continue;
        }
        if speaking.is_some() && !voice.is_speaking() {
            speaking = None;
        }
        queue.retain(|q| {
            let keep = q.utterance.kind == UtteranceKind::Safety || q.since.elapsed() <= MAX_WAIT;
            if !keep {
                tracing::debug!(text = %q.utterance.text, "line dropped: waited too long");
            }
            keep
        });
        let Some(next) = queue.front() else {
            continue;
        };
        let interrupt = match speaking {
            None => false,
            Some(current) if interrupts(next.utterance.kind, current) => true,
            Some(_) => continue,
        };
        let Some(line) = queue.pop_front() else {
            continue;
        };
        match voice.speak(&line.utterance.text, interrupt) {
            Ok(()) => {
                // What was said and when: `RUST_LOG=backform::speaker=debug` checks it
                // against the daemon's own log (tools/speech-check.sh).
                tracing::debug!(text = %line.utterance.text, kind = ?line.utterance.kind, "said");
                speaking = Some(line.utterance.kind);
            }
            Err(err) if !failures_logged => {
                tracing::warn!("the voice failed to say a line: {err}");
                failures_logged = true;
            }
            Err(err) => tracing::debug!("the voice failed to say a line: {err}"),
        }
    }
    if speaking.is_some() {
        let _ = voice.stop();
    }
}

/// The system's voice: speech-dispatcher through the `tts` crate (its daemon picks the
/// synthesiser, espeak-ng on Debian).
pub struct TtsVoice {
    tts: tts::Tts,
    /// The line last handed over, and when.
    current: Option<(tts::UtteranceId, Instant)>,
    /// Lines the daemon says it finished or cut off (its callbacks, on its own thread).
    finished: Arc<Mutex<VecDeque<tts::UtteranceId>>>,
}

/// A line whose end the daemon never reported is taken as said after this long.
const LONGEST_LINE: Duration = Duration::from_secs(30);
/// Finished lines remembered: only the current one is ever looked for.
const FINISHED_KEPT: usize = 8;

impl TtsVoice {
    /// Connects to speech-dispatcher (libspeechd starts the daemon if it is installed
    /// and not running). An error names what is missing.
    pub fn new() -> Result<TtsVoice, String> {
        let tts = tts::Tts::new(tts::Backends::SpeechDispatcher).map_err(|err| {
            format!(
                "cannot connect to speech-dispatcher ({err}); is it installed? \
                     (`make run` installs speech-dispatcher and speech-dispatcher-espeak-ng)"
            )
        })?;
        let features = tts.supported_features();
        if !features.utterance_callbacks {
            return Err("speech-dispatcher does not report when a line ends".to_string());
        }
        let finished = Arc::new(Mutex::new(VecDeque::new()));
        for register in [tts::Tts::on_utterance_end, tts::Tts::on_utterance_stop] {
            let finished = Arc::clone(&finished);
            register(
                &tts,
                Some(Box::new(move |id| {
                    let mut finished = lock(&finished);
                    if finished.len() >= FINISHED_KEPT {
                        finished.pop_front();
                    }
                    finished.push_back(id);
                })),
            )
            .map_err(|err| format!("speech-dispatcher callbacks: {err}"))?;
        }
        Ok(TtsVoice {
            tts,
            current: None,
            finished,
        })
    }
}

impl Voice for TtsVoice {
    fn speak(&mut self, text: &str, interrupt: bool) -> Result<(), String> {
        let id = self
            .tts
            .speak(text, interrupt)
            .map_err(|err| err.to_string())?;
        self.current = id.map(|id| (id, Instant::now()));
        Ok(())
    }

    fn is_speaking(&mut self) -> bool {
        // Not tts's own is_speaking: it turns true only when the daemon reports the line
        // began, so just after `speak` it says "not speaking" and the next line would be
        // queued in the daemon, out of reach of the stale-line rule. A line counts as
        // being said from the moment it is handed over until its end is reported.
        let Some((id, since)) = self.current else {
            return false;
        };
        if lock(&self.finished).contains(&id) || since.elapsed() > LONGEST_LINE {
            self.current = None;
            return false;
        }
        true
    }

    fn stop(&mut self) -> Result<(), String> {
        self.tts.stop().map_err(|err| err.to_string())?;
        Ok(())
    }

    fn set_rate(&mut self, multiplier: f32) -> Result<(), String> {
        // Twice as fast is the top of the daemon's range, half as fast the bottom, on a
        // log scale around normal (speech-dispatcher's -100..100, 0 normal).
        let step = clamp_rate(multiplier).log2().clamp(-1.0, 1.0);
        let normal = self.tts.normal_rate();
        let rate = if step >= 0.0 {
            normal + step * (self.tts.max_rate() - normal)
        } else {
            normal + step * (normal - self.tts.min_rate())
        };
        self.tts.set_rate(rate).map_err(|err| err.to_string())?;
        Ok(())
    }

    fn set_volume(&mut self, volume: f32) -> Result<(), String> {
        let (min, normal) = (self.tts.min_volume(), self.tts.normal_volume());
        let level = min + clamp_volume(volume) * (normal - min);
        self.tts.set_volume(level).map_err(|err| err.to_string())?;
        Ok(())
    }
}

impl Drop for TtsVoice {
    fn drop(&mut self) {
        // tts's daemon callbacks look up this voice's entry and panic (on the daemon's
        // thread, which aborts) if it is gone: let a line being said end or be cut off,
        // and its last callback come, before dropping.
        if self.is_speaking() {
            let _ = self.tts.stop();
            let deadline = Instant::now() + Duration::from_millis(500);
            while self.is_speaking() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

/// A line a [`FakeVoice`] was asked to say.
#[derive(Clone, Debug, PartialEq)]
pub struct SpokenLine {
    pub text: String,
    pub at: Instant,
    /// Asked to cut off the line before it.
    pub interrupt: bool,
    /// Asked while still saying the line before it, without cutting it off: the speaker
    /// would have talked over itself (or queued in the daemon).
    pub overlapped: bool,
}

#[derive(Debug, Default)]
struct FakeState {
    spoken: Vec<SpokenLine>,
    busy_until: Option<Instant>,
    stops: u32,
    rate: Option<f32>,
    volume: Option<f32>,
}

/// A voice for tests: takes a fixed time per line and records what it was asked to say.
/// Clones share the record, so a test keeps one and gives the speaker another.
#[derive(Clone, Debug)]
pub struct FakeVoice {
    line_time: Duration,
    state: Arc<Mutex<FakeState>>,
}

impl FakeVoice {
    /// A voice that takes `line_time` to say any line.
    pub fn new(line_time: Duration) -> FakeVoice {
        FakeVoice {
            line_time,
            state: Arc::new(Mutex::new(FakeState::default())),
        }
    }

    /// Every line asked for, in order.
    pub fn spoken(&self) -> Vec<SpokenLine> {
        lock(&self.state).spoken.clone()
    }

    /// Just the texts.
    pub fn texts(&self) -> Vec<String> {
        lock(&self.state)
            .spoken
            .iter()
            .map(|l| l.text.clone())
            .collect()
    }

    /// Times a line was cut off by `stop`.
    pub fn stops(&self) -> u32 {
        lock(&self.state).stops
    }

    /// The last rate multiplier and volume set.
    pub fn rate_and_volume(&self) -> (Option<f32>, Option<f32>) {
        let state = lock(&self.state);
        (state.rate, state.volume)
    }
}

impl Voice for FakeVoice {
    fn speak(&mut self, text: &str, interrupt: bool) -> Result<(), String> {
        let now = Instant::now();
        let mut state = lock(&self.state);
        let busy = state.busy_until.is_some_and(|until| now < until);
        state.spoken.push(SpokenLine {
            text: text.to_string(),
            at: now,
            interrupt,
            overlapped: busy && !interrupt,
        });
        state.busy_until = Some(now + self.line_time);
        Ok(())
    }

    fn is_speaking(&mut self) -> bool {
        lock(&self.state)
            .busy_until
            .is_some_and(|until| Instant::now() < until)
    }

    fn stop(&mut self) -> Result<(), String> {
        let mut state = lock(&self.state);
        if state.busy_until.take().is_some() {
            state.stops += 1;
        }
        Ok(())
    }

    fn set_rate(&mut self, multiplier: f32) -> Result<(), String> {
        lock(&self.state).rate = Some(multiplier);
        Ok(())
    }

    fn set_volume(&mut self, volume: f32) -> Result<(), String> {
        lock(&self.state).volume = Some(volume);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(kind: UtteranceKind, text: &str) -> Utterance {
        Utterance {
            text: text.to_string(),
            kind,
            at_s: 0.0,
        }
    }

    fn speaker(voice: &FakeVoice) -> Speaker {
        let speaker = Speaker::with_voice(Box::new(voice.clone()), 1.0, 1.0);
        assert!(speaker.wait_until_started(Duration::from_secs(5)));
        speaker
    }

    /// Waits until the voice has been asked for `count` lines (or `timeout`).
    fn wait_for(voice: &FakeVoice, count: usize, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while voice.spoken().len() < count && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn a_sessions_lines_are_said_in_order_one_at_a_time() {
        let voice = FakeVoice::new(Duration::from_millis(60));
        let speaker = speaker(&voice);
        let script = [
            (UtteranceKind::Announcement, "Pelvic tilt."),
            (UtteranceKind::Announcement, "Set one."),
            (UtteranceKind::Count, "one"),
            (UtteranceKind::Countdown, "hold"),
            (UtteranceKind::Countdown, "three"),
            (UtteranceKind::Prompt, "Keep your hips on the floor"),
            (UtteranceKind::Count, "two"),
        ];
        for (kind, text) in script {
            speaker.say(line(kind, text));
            std::thread::sleep(Duration::from_millis(100));
        }
        wait_for(&voice, script.len(), Duration::from_secs(5));
        assert_eq!(
            voice.texts(),
            script
                .iter()
                .map(|(_, t)| t.to_string())
                .collect::<Vec<_>>()
        );
        assert!(
            voice.spoken().iter().all(|l| !l.overlapped && !l.interrupt),
            "{:?}",
            voice.spoken()
        );
    }

    #[test]
    fn nothing_is_said_while_disabled_and_disabling_cuts_the_line_off() {
        let voice = FakeVoice::new(Duration::from_secs(2));
        let speaker = speaker(&voice);
        speaker.set_enabled(false);
        for text in ["one", "two", "three"] {
            speaker.say(line(UtteranceKind::Count, text));
        }
        speaker.say(line(UtteranceKind::Safety, "Stopping now"));
        std::thread::sleep(Duration::from_millis(300));
        assert!(voice.spoken().is_empty(), "{:?}", voice.texts());

        speaker.set_enabled(true);
        speaker.say(line(UtteranceKind::Announcement, "Set two."));
        wait_for(&voice, 1, Duration::from_secs(2));
        assert_eq!(voice.texts(), ["Set two."]);
        // Muted mid-line: it stops at once.
        speaker.set_enabled(false);
        let deadline = Instant::now() + Duration::from_secs(1);
        while voice.stops() == 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(voice.stops(), 1);
    }

    #[test]
    fn a_backlog_drops_stale_lines_but_never_a_safety_line() {
        let voice = FakeVoice::new(Duration::from_millis(300));
        let slow = voice.clone();
        // The voice takes a moment to come up, so the channel fills while nobody reads it.
        let speaker = Speaker::start(
            Box::new(move || {
                std::thread::sleep(Duration::from_millis(300));
                Ok(Box::new(slow) as Box<dyn Voice + Send>)
            }),
            1.0,
            1.0,
        );
        let pushed = Instant::now();
        for n in 1..20 {
            speaker.say(line(UtteranceKind::Count, &n.to_string()));
        }
        speaker.say(line(UtteranceKind::Safety, "Stopping now"));
        std::thread::sleep(MAX_WAIT + Duration::from_millis(1500));

        let spoken = voice.spoken();
        let texts = voice.texts();
        assert_eq!(
            texts.iter().filter(|t| *t == "Stopping now").count(),
            1,
            "the safety line came after a full channel and still got through: {texts:?}"
        );
        // It went ahead of the counts waiting.
        assert_eq!(texts[0], "Stopping now", "{texts:?}");
        let counts: Vec<&SpokenLine> = spoken.iter().filter(|l| l.text != "Stopping now").collect();
        assert!(
            !counts.is_empty() && counts.len() < 19,
            "some counts said, the stale rest dropped: {texts:?}"
        );
        for count in &counts {
            assert!(
                count.at.duration_since(pushed) <= MAX_WAIT + Duration::from_millis(350),
                "{} said {:?} after it was queued",
                count.text,
                count.at.duration_since(pushed)
            );
        }
        // In order, one at a time.
        let numbers: Vec<u32> = counts.iter().filter_map(|l| l.text.parse().ok()).collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
        assert!(spoken.iter().all(|l| !l.overlapped), "{spoken:?}");
    }

    #[test]
    fn a_prompt_cuts_off_a_count_but_a_count_waits_for_a_prompt() {
        let voice = FakeVoice::new(Duration::from_millis(800));
        let speaker = speaker(&voice);
        speaker.say(line(UtteranceKind::Count, "three"));
        wait_for(&voice, 1, Duration::from_secs(2));
        speaker.say(line(UtteranceKind::Prompt, "Keep your hips on the floor"));
        wait_for(&voice, 2, Duration::from_secs(2));
        speaker.say(line(UtteranceKind::Count, "four"));
        wait_for(&voice, 3, Duration::from_secs(3));
        let spoken = voice.spoken();
        assert_eq!(
            voice.texts(),
            ["three", "Keep your hips on the floor", "four"]
        );
        assert!(spoken[1].interrupt);
        assert!(spoken[1].at.duration_since(spoken[0].at) < Duration::from_millis(400));
        assert!(!spoken[2].interrupt);
        assert!(
            spoken[2].at.duration_since(spoken[1].at) >= Duration::from_millis(800),
            "the count waited for the prompt to be said"
        );
    }

    #[test]
    fn without_a_voice_the_speaker_says_nothing_and_says_so() {
        let speaker = Speaker::start(Box::new(|| Err("no speech daemon".to_string())), 1.0, 1.0);
        assert!(!speaker.wait_until_started(Duration::from_secs(5)));
        assert_eq!(speaker.status(), VoiceStatus::Unavailable);
        speaker.say(line(UtteranceKind::Safety, "Stopping now"));
        assert!(!Speaker::silent().is_available());
        Speaker::silent().say(line(UtteranceKind::Count, "one"));
    }

    #[test]
    fn rate_and_volume_are_kept_in_range_and_reach_the_voice() {
        let voice = FakeVoice::new(Duration::from_millis(10));
        let speaker = Speaker::with_voice(Box::new(voice.clone()), 0.1, 3.0);
        assert!(speaker.wait_until_started(Duration::from_secs(5)));
        assert_eq!(speaker.rate_and_volume(), (0.5, 1.0));
        speaker.set_rate(3.0);
        speaker.set_volume(-1.0);
        assert_eq!(speaker.rate_and_volume(), (2.0, 0.0));
        let deadline = Instant::now() + Duration::from_secs(2);
        while voice.rate_and_volume() != (Some(2.0), Some(0.0)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(voice.rate_and_volume(), (Some(2.0), Some(0.0)));
    }
}
