//! The shared rep/hold state machine, and the set tracker.
//!
//! In flows one number per frame — an exercise's movement signal, in its own unit —
//! with its time; out flow [`CounterEvent`]s: a rep started, its hold (plateau) began or
//! ended, a rep completed with its measure, or a movement was discarded as a fidget.
//!
//! How a rep is told from everything else:
//! - the signal is smoothed (moving average) and taken relative to the person's own
//!   resting baseline, calibrated at the start and following slow drift while at rest;
//! - a rep starts when the excursion passes `start` and ends when it comes back below
//!   the lower `end` (hysteresis), so jitter around one threshold counts nothing;
//! - an excursion shorter than `min_rep_s` is a fidget and counts nothing;
//! - in signed mode an excursion either way counts, its sign says which side;
//! - the hold is the plateau at the rep's peak: it begins when the movement out has
//!   slowed to a small share of its own top speed and ends when the signal heads back
//!   (or sags by more than the drop fraction from its recent peak). Measuring speed
//!   rather than a fixed band around the peak keeps slow drift of the landmarks during a
//!   long hold (seen on MediaPipe's output) from cutting the hold short;
//! - thresholds rise to `noise_factor` times the resting noise measured at calibration,
//!   so a noisy view counts nothing rather than guesses.
//!
//! [`SetTracker`] groups counted reps into sets: a set ends when its prescribed reps are
//! done or after a pause longer than `set_pause_s`.

use std::collections::VecDeque;

use super::spec::CounterSpec;

/// How a counter reads its signal.
#[derive(Clone, Debug, PartialEq)]
pub struct CounterConfig {
    pub spec: CounterSpec,
    /// Excursions either way count (sign = side); otherwise only positive ones.
    pub signed: bool,
}

/// A completed rep's measurements.
#[derive(Clone, Debug, PartialEq)]
pub struct RepMeasure {
    /// +1 or −1: which way the signal went.
    pub sign: f64,
    /// Leaving rest (10% of the way out).
    pub start_s: f64,
    /// Back below the end threshold.
    pub end_s: f64,
    /// Peak excursion from the baseline, signal units.
    pub peak: f64,
    pub peak_s: f64,
    /// Plateau spans at the peak.
    pub hold_spans: Vec<(f64, f64)>,
    /// Total plateau time.
    pub hold_s: f64,
    /// Duration of the movement out and back, seconds, estimated from the 10–90% time of
    /// a smooth movement (see `smooth_phase`); `None` when too few samples.
    pub out_s: Option<f64>,
    pub back_s: Option<f64>,
}

/// What the counter saw this frame.
#[derive(Clone, Debug, PartialEq)]
pub enum CounterEvent {
    RepStarted {
        t_s: f64,
        sign: f64,
    },
    HoldStarted {
        t_s: f64,
    },
    HoldEnded {
        t_s: f64,
    },
    /// The plateau just started was only a pause in the movement out.
    HoldCancelled {
        t_s: f64,
    },
    RepCompleted(RepMeasure),
    /// Too short or too small to be a rep.
    RepDiscarded {
        t_s: f64,
    },
}

#[derive(Clone, Debug)]
struct ActiveRep {
    sign: f64,
    /// (t, excursion along `sign`) from a little before the start.
    samples: Vec<(f64, f64)>,
    peak: f64,
    peak_s: f64,
    /// Top speed on the way out (before the first plateau).
    top_speed_out: f64,
    plateau_since: Option<f64>,
    spans: Vec<(f64, f64)>,
    /// Level when the current plateau began.
    plateau_level: f64,
    receding_frames: u32,
    rising_frames: u32,
}

/// The rep/hold state machine for one signal.
#[derive(Clone, Debug)]
pub struct RepCounter {
    cfg: CounterConfig,
    baseline: Option<f64>,
    noise: f64,
    start: f64,
    end: f64,
    raw: VecDeque<(f64, f64)>,
    /// Smoothed signal over the last few seconds: pre-roll for a rep and speed.
    history: VecDeque<(f64, f64)>,
    active: Option<ActiveRep>,
    last_t: Option<f64>,
}

/// Seconds of smoothed history kept (pre-roll and speed).
const HISTORY_S: f64 = 3.0;
/// Speed is measured over this interval.
const SPEED_SPAN_S: f64 = 0.1;
/// The plateau's "recent peak" looks back this far.
const PLATEAU_PEAK_WINDOW_S: f64 = 1.0;
/// A plateau that gives way to more movement out within this long was a pause.
const PAUSE_NOT_HOLD_S: f64 = 0.5;
/// Frames of moving back (or on out) that end a plateau (one could be jitter).
const RECEDING_FRAMES: u32 = 2;

impl RepCounter {
    /// A counter with no baseline yet (the first sample becomes it, unless
    /// [`calibrate`](Self::calibrate) is called).
    pub fn new(cfg: CounterConfig) -> Self {
        let start = cfg.spec.start;
        let end = cfg.spec.end;
        Self {
            cfg,
            baseline: None,
            noise: 0.0,
            start,
            end,
            raw: VecDeque::new(),
            history: VecDeque::new(),
            active: None,
            last_t: None,
        }
    }

    /// Fixes the resting baseline (median of the latest third of the smoothed signal) and
    /// its noise, and
    /// raises the thresholds above that noise.
    ///
    /// The noise is the frame-to-frame jitter (robust spread of first differences over
    /// √2), scaled down by the smoothing window's averaging: slow settling of the
    /// landmarks at the start (MediaPipe's first frames) is drift the baseline follows,
    /// not noise that should raise the thresholds.
    pub fn calibrate(&mut self, rest: &[(f64, f64)]) {
        let smoothed = smooth_series(rest, self.cfg.spec.smoothing_s);
        let values: Vec<f64> = smoothed.iter().map(|s| s.1).collect();
        // The latest third: landmarks may still be settling at the first frames.
        let latest = values
            .get(values.len() - values.len().div_ceil(3)..)
            .unwrap_or(&values);
        let Some(median) = crate::kinematics::geometry::median(latest) else {
            return;
        };
        let diffs: Vec<f64> = rest.windows(2).map(|w| (w[1].1 - w[0].1).abs()).collect();
        let jitter = crate::kinematics::geometry::median(&diffs)
            .map_or(0.0, |mad| 1.4826 * mad / 2f64.sqrt());
        let frame_s = crate::kinematics::geometry::median(
            &rest.windows(2).map(|w| w[1].0 - w[0].0).collect::<Vec<_>>(),
        )
        .filter(|d| *d > 0.0)
        .unwrap_or(1.0 / 30.0);
        let averaged = (self.cfg.spec.smoothing_s / frame_s).floor().max(0.0) + 1.0;
        self.noise = jitter / averaged.sqrt();
        self.baseline = Some(median);
        self.start = self
            .cfg
            .spec
            .start
            .max(self.cfg.spec.noise_factor * self.noise);
        self.end = self
            .cfg
            .spec
            .end
            .max(0.5 * self.cfg.spec.noise_factor * self.noise);
        // Keep the hysteresis gap even when noise raised `end`.
        if self.end >= self.start {
            self.end = 0.5 * self.start;
        }
    }

    /// The resting baseline, once known.
    pub fn baseline(&self) -> Option<f64> {
        self.baseline
    }

    /// Resting noise measured at calibration (signal units, one standard deviation).
    pub fn noise(&self) -> f64 {
        self.noise
    }

    /// The start threshold in force (spec or noise-raised).
    pub fn start_threshold(&self) -> f64 {
        self.start
    }

    /// A rep is under way.
    pub fn in_rep(&self) -> bool {
        self.active.is_some()
    }

    /// Since when the current plateau has lasted, if one is under way.
    pub fn plateau_since(&self) -> Option<f64> {
        self.active.as_ref().and_then(|a| a.plateau_since)
    }

    /// The current rep's sign, if one is under way.
    pub fn active_sign(&self) -> Option<f64> {
        self.active.as_ref().map(|a| a.sign)
    }

    /// The current excursion from the baseline (smoothed, signed), if known.
    pub fn excursion(&self) -> Option<f64> {
        let (_, x) = self.history.back()?;
        Some(x - self.baseline?)
    }

    /// One frame. `value` is `None` when the signal could not be measured.
    pub fn update(&mut self, t_s: f64, value: Option<f64>) -> Vec<CounterEvent> {
        let mut events = Vec::new();
        let Some(x) = value.filter(|v| v.is_finite()) else {
            // A rep survives short dropouts; a long one means we lost the person mid-rep.
            if self.active.is_some()
                && self
                    .last_t
                    .is_some_and(|last| t_s - last > self.cfg.spec.max_gap_s)
            {
                self.active = None;
                events.push(CounterEvent::RepDiscarded { t_s });
            }
            return events;
        };
        let dt = self.last_t.map_or(0.0, |l| (t_s - l).max(0.0));
        self.last_t = Some(t_s);
        // After a long gap the old samples say nothing about now.
        if dt > self.cfg.spec.max_gap_s {
            self.raw.clear();
            self.history.clear();
        }

        self.raw.push_back((t_s, x));
        while self
            .raw
            .front()
            .is_some_and(|(t, _)| t_s - t > self.cfg.spec.smoothing_s + 1e-9)
        {
            self.raw.pop_front();
        }
        let smoothed = self.raw.iter().map(|s| s.1).sum::<f64>() / self.raw.len() as f64;
        self.history.push_back((t_s, smoothed));
        while self
            .history
            .front()
            .is_some_and(|(t, _)| t_s - t > HISTORY_S)
        {
            self.history.pop_front();
        }
        let speed = self.speed(t_s, smoothed);
        let baseline = *self.baseline.get_or_insert(smoothed);
        let d = smoothed - baseline;
        let spec = &self.cfg.spec;

        match self.active.as_mut() {
            None => {
                let magnitude = if self.cfg.signed { d.abs() } else { d };
                if magnitude > self.start {
                    let sign = if self.cfg.signed && d < 0.0 {
                        -1.0
                    } else {
                        1.0
                    };
                    // Pre-roll: the rest before this movement, back to where the signal
                    // was last beyond the start threshold (the previous rep's tail).
                    let all: Vec<(f64, f64)> = self
                        .history
                        .iter()
                        .map(|&(t, v)| (t, sign * (v - baseline)))
                        .collect();
                    let before = all.len().saturating_sub(1);
                    let first = all
                        .get(..before)
                        .unwrap_or(&[])
                        .iter()
                        .rposition(|s| s.1.abs() >= self.start)
                        .map_or(0, |i| i + 1);
                    let samples = all.get(first..).unwrap_or(&[]).to_vec();
                    self.active = Some(ActiveRep {
                        sign,
                        samples,
                        peak: sign * d,
                        peak_s: t_s,
                        top_speed_out: (sign * speed).max(0.0),
                        plateau_since: None,
                        spans: Vec::new(),
                        plateau_level: 0.0,
                        receding_frames: 0,
                        rising_frames: 0,
                    });
                    events.push(CounterEvent::RepStarted { t_s, sign });
                } else if magnitude < self.end && speed.abs() < self.start / spec.min_rep_s.max(0.1)
                {
                    // (Unsigned: a resting level that moved against the counting
                    // direction is rest too, however far it went.)
                    // At rest and still: follow slow drift of the resting level.
                    let alpha = (dt / spec.baseline_tau_s).min(1.0);
                    if let Some(b) = self.baseline.as_mut() {
                        *b += alpha * (smoothed - *b);
                    }
                }
            }
            Some(rep) => {
                let m = rep.sign * d;
                let v = rep.sign * speed;
                rep.samples.push((t_s, m));
                if m > rep.peak {
                    rep.peak = m;
                    rep.peak_s = t_s;
                }
                let k = spec.plateau_speed_fraction;
                match rep.plateau_since {
                    None => {
                        if rep.spans.is_empty() {
                            rep.top_speed_out = rep.top_speed_out.max(v);
                        }
                        let high_enough = if rep.spans.is_empty() {
                            m >= 0.5 * rep.peak
                        } else {
                            m >= (1.0 - 2.5 * spec.plateau_drop_fraction) * rep.peak
                        };
                        if rep.top_speed_out > 0.0
                            && v.abs() <= k * rep.top_speed_out
                            && high_enough
                            && m >= self.start
                        {
                            rep.plateau_since = Some(t_s);
                            rep.plateau_level = m;
                            rep.receding_frames = 0;
                            rep.rising_frames = 0;
                            events.push(CounterEvent::HoldStarted { t_s });
                        }
                    }
                    Some(since) => {
                        if v > k * rep.top_speed_out {
                            rep.rising_frames += 1;
                        } else {
                            rep.rising_frames = 0;
                        }
                        // The movement out resumed after a brief pause: not the plateau yet.
                        // (Later in a hold, a further rise deepens the hold; MediaPipe also
                        // steps its reading mid-hold now and then.)
                        if rep.rising_frames >= RECEDING_FRAMES
                            && t_s - since <= PAUSE_NOT_HOLD_S
                            && m > (1.0 + spec.plateau_drop_fraction) * rep.plateau_level
                        {
                            rep.plateau_since = None;
                            rep.rising_frames = 0;
                            events.push(CounterEvent::HoldCancelled { t_s });
                            return events;
                        }
                        let recent_peak = rep
                            .samples
                            .iter()
                            .rev()
                            .take_while(|(t, _)| t_s - t <= PLATEAU_PEAK_WINDOW_S && *t >= since)
                            .map(|s| s.1)
                            .fold(m, f64::max);
                        if v < -k * rep.top_speed_out {
                            rep.receding_frames += 1;
                        } else {
                            rep.receding_frames = 0;
                        }
                        if rep.receding_frames >= RECEDING_FRAMES
                            || m < (1.0 - spec.plateau_drop_fraction) * recent_peak
                        {
                            rep.spans.push((since, t_s));
                            rep.plateau_since = None;
                            events.push(CounterEvent::HoldEnded { t_s });
                        }
                    }
                }
                if m < self.end {
                    if let Some(since) = rep.plateau_since.take() {
                        rep.spans.push((since, t_s));
                        events.push(CounterEvent::HoldEnded { t_s });
                    }
                    let measure = measure(rep, t_s);
                    let long_enough = measure.end_s - measure.start_s >= spec.min_rep_s;
                    self.active = None;
                    if long_enough && measure.peak > self.start {
                        events.push(CounterEvent::RepCompleted(measure));
                    } else {
                        events.push(CounterEvent::RepDiscarded { t_s });
                    }
                }
            }
        }
        events
    }

    /// Drops a rep under way (the person left the frame, the exercise stopped).
    pub fn abandon(&mut self) -> bool {
        self.active.take().is_some()
    }

    /// Signal speed (units per second) over the last `SPEED_SPAN_S`.
    fn speed(&self, t_s: f64, now: f64) -> f64 {
        let past = self
            .history
            .iter()
            .rev()
            .find(|(t, _)| t_s - t >= SPEED_SPAN_S - 1e-6);
        match past {
            Some(&(t, v)) if t_s > t => (now - v) / (t_s - t),
            _ => 0.0,
        }
    }
}

/// Moving average of a (t, value) series over `window_s` (causal, like the counter).
fn smooth_series(samples: &[(f64, f64)], window_s: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(samples.len());
    let mut first = 0;
    for (i, &(t, _)) in samples.iter().enumerate() {
        while samples
            .get(first)
            .is_some_and(|s| t - s.0 > window_s + 1e-9)
        {
            first += 1;
        }
        let window = samples.get(first..=i).unwrap_or(&[]);
        if window.is_empty() {
            continue;
        }
        let mean = window.iter().map(|s| s.1).sum::<f64>() / window.len() as f64;
        out.push((t, mean));
    }
    out
}

/// The share of a smooth (cosine-profile) movement's duration at which it has covered
/// `fraction` of its distance. Human movements under control are close to this shape
/// (minimum-jerk differs by a few percent), so the 10–90% time over
/// `smooth_phase(0.9) − smooth_phase(0.1)` (0.59) estimates the whole movement's duration.
fn smooth_phase(fraction: f64) -> f64 {
    (1.0 - 2.0 * fraction.clamp(0.0, 1.0)).acos() / std::f64::consts::PI
}

/// Measures a finished rep from its samples.
fn measure(rep: &ActiveRep, end_s: f64) -> RepMeasure {
    let samples = &rep.samples;
    let hold_s: f64 = rep.spans.iter().map(|(a, b)| b - a).sum();
    // Levels the movements went to and came from: the plateau's edges (drift during a
    // long hold must not stretch the movement phases), else the peak.
    let out_level = rep
        .spans
        .first()
        .and_then(|(a, _)| samples.iter().find(|s| s.0 >= *a).map(|s| s.1))
        .unwrap_or(rep.peak)
        .max(1e-12);
    let back_level = rep
        .spans
        .last()
        .and_then(|(_, b)| samples.iter().rev().find(|s| s.0 <= *b).map(|s| s.1))
        .unwrap_or(rep.peak)
        .max(1e-12);

    let i90 = samples.iter().position(|s| s.1 >= 0.9 * out_level);
    let (start_s, out_s) = match i90 {
        Some(i90) => {
            let before = samples.get(..i90).unwrap_or(&[]);
            let low = before.iter().rposition(|s| s.1 <= 0.1 * out_level);
            let (i_low, frac_low) = match low {
                Some(i) => (i, 0.1),
                None => (
                    0,
                    (samples.first().map_or(0.0, |s| s.1) / out_level).max(0.1),
                ),
            };
            let t_low = samples.get(i_low).map_or(end_s, |s| s.0);
            let t_high = samples.get(i90).map_or(end_s, |s| s.0);
            let span = smooth_phase(0.9) - smooth_phase(frac_low);
            (
                t_low,
                (span > 0.2 && t_high > t_low).then(|| (t_high - t_low) / span),
            )
        }
        None => (samples.first().map_or(end_s, |s| s.0), None),
    };
    let j90 = samples.iter().rposition(|s| s.1 >= 0.9 * back_level);
    let back_s = j90.and_then(|j90| {
        let after = samples.get(j90 + 1..).unwrap_or(&[]);
        let (t_low, frac_low) = match after.iter().position(|s| s.1 <= 0.1 * back_level) {
            Some(k) => (after.get(k).map_or(end_s, |s| s.0), 0.1),
            None => (
                end_s,
                (samples.last().map_or(0.0, |s| s.1) / back_level).max(0.1),
            ),
        };
        let t_high = samples.get(j90).map_or(end_s, |s| s.0);
        let span = smooth_phase(0.9) - smooth_phase(frac_low);
        (span > 0.2 && t_low > t_high).then(|| (t_low - t_high) / span)
    });
    RepMeasure {
        sign: rep.sign,
        start_s,
        end_s,
        peak: rep.peak,
        peak_s: rep.peak_s,
        hold_spans: rep.spans.clone(),
        hold_s,
        out_s,
        back_s,
    }
}

/// A set finished.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SetDone {
    pub set: u32,
    pub reps: u32,
    pub start_s: f64,
    pub end_s: f64,
}

/// Groups reps into sets.
#[derive(Clone, Debug)]
pub struct SetTracker {
    reps_per_set: u32,
    pause_s: f64,
    set: u32,
    reps_in_set: u32,
    set_start_s: Option<f64>,
    last_rep_end_s: Option<f64>,
    closed: bool,
    done: Vec<SetDone>,
}

impl SetTracker {
    /// `reps_per_set` 0 means sets end only by pauses.
    pub fn new(reps_per_set: u32, pause_s: f64) -> Self {
        Self {
            reps_per_set,
            pause_s,
            set: 1,
            reps_in_set: 0,
            set_start_s: None,
            last_rep_end_s: None,
            closed: false,
            done: Vec::new(),
        }
    }

    /// The current set number (from 1) and the reps counted in it.
    pub fn current(&self) -> (u32, u32) {
        if self.closed {
            (self.set + 1, 0)
        } else {
            (self.set, self.reps_in_set)
        }
    }

    /// Counts a rep; returns its set, its number in the set, and the set if this rep
    /// completed it.
    pub fn on_rep(&mut self, start_s: f64, end_s: f64) -> (u32, u32, Option<SetDone>) {
        if self.closed {
            self.set += 1;
            self.reps_in_set = 0;
            self.set_start_s = None;
            self.closed = false;
        }
        self.reps_in_set += 1;
        self.set_start_s.get_or_insert(start_s);
        self.last_rep_end_s = Some(end_s);
        let number = self.reps_in_set;
        let done = (self.reps_per_set > 0 && self.reps_in_set >= self.reps_per_set)
            .then(|| self.close(end_s));
        (self.set, number, done)
    }

    /// Ends a set after a long pause.
    pub fn tick(&mut self, t_s: f64) -> Option<SetDone> {
        let last = self.last_rep_end_s?;
        (!self.closed && self.reps_in_set > 0 && t_s - last > self.pause_s)
            .then(|| self.close(last))
    }

    /// Closes the open set at the end of the exercise.
    pub fn finish(&mut self) -> Option<SetDone> {
        let last = self.last_rep_end_s?;
        (!self.closed && self.reps_in_set > 0).then(|| self.close(last))
    }

    /// Every finished set.
    pub fn done(&self) -> &[SetDone] {
        &self.done
    }

    fn close(&mut self, end_s: f64) -> SetDone {
        self.closed = true;
        let d = SetDone {
            set: self.set,
            reps: self.reps_in_set,
            start_s: self.set_start_s.unwrap_or(end_s),
            end_s,
        };
        self.done.push(d);
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FPS: f64 = 30.0;

    fn cfg(signed: bool) -> CounterConfig {
        CounterConfig {
            spec: CounterSpec {
                start: 0.35,
                end: 0.18,
                min_rep_s: 1.0,
                min_movement_s: 0.5,
                ..CounterSpec::default()
            },
            signed,
        }
    }

    /// A smooth (cosine) ramp from 0 to `amp` over `ramp_s`, held `hold_s`, back down.
    fn rep_shape(t: f64, t0: f64, ramp_s: f64, hold_s: f64, amp: f64) -> f64 {
        let ramp = |u: f64| amp * (1.0 - (std::f64::consts::PI * u.clamp(0.0, 1.0)).cos()) / 2.0;
        let u = t - t0;
        if u < 0.0 {
            0.0
        } else if u < ramp_s {
            ramp(u / ramp_s)
        } else if u < ramp_s + hold_s {
            amp
        } else {
            ramp(1.0 - (u - ramp_s - hold_s) / ramp_s)
        }
    }

    fn run(counter: &mut RepCounter, duration_s: f64, f: impl Fn(f64) -> f64) -> Vec<CounterEvent> {
        let mut events = Vec::new();
        let n = (duration_s * FPS) as usize;
        for i in 0..n {
            let t = i as f64 / FPS;
            events.extend(counter.update(t, Some(f(t))));
        }
        events
    }

    fn completed(events: &[CounterEvent]) -> Vec<RepMeasure> {
        events
            .iter()
            .filter_map(|e| match e {
                CounterEvent::RepCompleted(m) => Some(m.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn counts_reps_and_measures_the_plateau() {
        let mut c = RepCounter::new(cfg(false));
        c.calibrate(&[(0.0, 0.0), (0.1, 0.0), (0.2, 0.0)]);
        let events = run(&mut c, 30.0, |t| {
            (0..3)
                .map(|k| rep_shape(t, 1.0 + 9.0 * k as f64, 0.9, 6.0, 0.8))
                .sum()
        });
        let reps = completed(&events);
        assert_eq!(reps.len(), 3);
        for r in &reps {
            assert!((r.hold_s - 6.0).abs() < 0.3, "hold {}", r.hold_s);
            // A 0.9 s smooth ramp (plus the smoothing window's stretch).
            let out = r.out_s.unwrap();
            assert!(out > 0.8 && out < 1.15, "out {out}");
            let back = r.back_s.unwrap();
            assert!(back > 0.8 && back < 1.15, "back {back}");
        }
    }

    #[test]
    fn slow_drift_during_a_hold_does_not_end_it() {
        let mut c = RepCounter::new(cfg(false));
        c.calibrate(&[(0.0, 0.0), (0.1, 0.0)]);
        // The plateau creeps up 30% over the hold, as MediaPipe's tilt signal does.
        let events = run(&mut c, 12.0, |t| {
            let base = rep_shape(t, 1.0, 0.9, 6.0, 0.8);
            let creep = if (1.9..7.9).contains(&t) {
                0.04 * (t - 1.9)
            } else {
                0.0
            };
            base + creep * base / 0.8
        });
        let reps = completed(&events);
        assert_eq!(reps.len(), 1);
        assert!(
            (reps[0].hold_s - 6.0).abs() < 0.4,
            "hold {}",
            reps[0].hold_s
        );
    }

    #[test]
    fn jitter_fidgets_and_getting_into_position_count_nothing() {
        let mut c = RepCounter::new(cfg(false));
        c.calibrate(&[(0.0, 0.0), (0.1, 0.0)]);
        // Jitter straddling the start threshold's neighbourhood, a 0.4 s twitch, and a
        // slow settling of the resting level.
        let events = run(&mut c, 20.0, |t| {
            let jitter = 0.1 * (t * 47.0).sin();
            let twitch = if (5.0..5.4).contains(&t) { 0.6 } else { 0.0 };
            let settle = 0.15 * (t / 20.0);
            jitter + twitch + settle
        });
        assert!(completed(&events).is_empty(), "{events:?}");
    }

    #[test]
    fn hysteresis_needs_the_return_below_end() {
        let mut c = RepCounter::new(cfg(false));
        c.calibrate(&[(0.0, 0.0)]);
        // Up to 0.8, down only to 0.25 (between end and start), up again, then down.
        let events = run(&mut c, 14.0, |t| match t {
            t if t < 1.0 => 0.0,
            t if t < 4.0 => 0.8,
            t if t < 6.0 => 0.25,
            t if t < 9.0 => 0.8,
            _ => 0.0,
        });
        assert_eq!(completed(&events).len(), 1);
    }

    #[test]
    fn signed_mode_reports_the_side_and_alternation() {
        let mut c = RepCounter::new(cfg(true));
        c.calibrate(&[(0.0, 0.0)]);
        let events = run(&mut c, 16.0, |t| {
            rep_shape(t, 1.0, 1.0, 0.5, 0.9) - rep_shape(t, 4.0, 1.0, 0.5, 0.9)
                + rep_shape(t, 7.0, 1.0, 0.5, 0.9)
        });
        let signs: Vec<f64> = completed(&events).iter().map(|r| r.sign).collect();
        assert_eq!(signs, vec![1.0, -1.0, 1.0]);
    }

    #[test]
    fn a_fast_movement_measures_short() {
        let mut c = RepCounter::new(cfg(false));
        c.calibrate(&[(0.0, 0.0)]);
        let events = run(&mut c, 8.0, |t| rep_shape(t, 1.0, 0.25, 3.0, 0.8));
        let reps = completed(&events);
        assert_eq!(reps.len(), 1);
        assert!(reps[0].out_s.unwrap() < 0.5, "{:?}", reps[0].out_s);
    }

    #[test]
    fn jitter_at_calibration_raises_the_thresholds_but_slow_settling_does_not() {
        let mut noisy = RepCounter::new(cfg(false));
        let jitter: Vec<(f64, f64)> = (0..30)
            .map(|i| (i as f64 / FPS, if i % 2 == 0 { 0.5 } else { -0.5 }))
            .collect();
        noisy.calibrate(&jitter);
        assert!(noisy.start_threshold() > 1.0, "{}", noisy.start_threshold());

        let mut settling = RepCounter::new(cfg(false));
        let drift: Vec<(f64, f64)> = (0..30)
            .map(|i| (i as f64 / FPS, 0.3 * i as f64 / 30.0))
            .collect();
        settling.calibrate(&drift);
        assert_eq!(settling.start_threshold(), 0.35);
        assert!(settling.noise() < 0.01);
    }

    #[test]
    fn a_long_dropout_abandons_the_rep() {
        let mut c = RepCounter::new(cfg(false));
        c.calibrate(&[(0.0, 0.0)]);
        let mut events = Vec::new();
        for i in 0..300 {
            let t = i as f64 / FPS;
            let v = if (1.0..2.0).contains(&t) {
                0.8
            } else if (2.0..5.0).contains(&t) {
                f64::NAN
            } else {
                0.0
            };
            events.extend(c.update(t, Some(v).filter(|v| v.is_finite())));
        }
        assert!(completed(&events).is_empty());
        assert!(
            events
                .iter()
                .any(|e| matches!(e, CounterEvent::RepDiscarded { .. }))
        );
    }

    #[test]
    fn sets_end_on_reps_or_pause() {
        let mut s = SetTracker::new(2, 20.0);
        assert_eq!(s.on_rep(0.0, 1.0).0, 1);
        let (set, number, done) = s.on_rep(2.0, 3.0);
        assert_eq!((set, number), (1, 2));
        assert!(done.is_some());
        assert_eq!(s.current(), (2, 0));
        let (set, number, _) = s.on_rep(10.0, 11.0);
        assert_eq!((set, number), (2, 1));
        assert!(s.tick(25.0).is_none());
        let done = s.tick(31.5).unwrap();
        assert_eq!((done.set, done.reps), (2, 1));
        assert_eq!(s.on_rep(40.0, 41.0).0, 3);
        assert_eq!(s.finish().map(|d| d.set), Some(3));
    }
}
