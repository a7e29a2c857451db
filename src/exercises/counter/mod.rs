//! The shared rep/hold state machine (this file), the after-the-fact measure of a rep
//! ([`measure`]), the first movement of a mirror exercise ([`first_move`]) and the set
//! tracker ([`sets`]).
//!
//! In flows one number per frame — an exercise's movement signal, in its own unit —
//! with its time; out flow [`CounterEvent`]s: a rep started, its hold (plateau) began or
//! ended (live, for hold progress), a rep completed with its [`RepMeasure`], or a
//! movement was discarded as a fidget.
//!
//! How a rep is told from everything else:
//! - the signal is smoothed (moving average) and taken relative to the person's own
//!   resting baseline, calibrated at the start and following slow drift while at rest;
//! - a rep starts when the excursion passes `start` and ends when it comes back below
//!   the lower `end` (hysteresis) — or below `return_fraction` of its own peak, for
//!   signals whose resting level drifts during a long hold — so jitter around one
//!   threshold counts nothing; after a rep, the same direction re-arms only once the
//!   signal is at rest again, so a drifted resting level neither merges two reps nor
//!   starts a false one (the other direction is free: alternation);
//! - an excursion shorter than `min_rep_s`, or under a quarter of the person's own
//!   recent reps, is a fidget and counts nothing; so is one past its start for less
//!   than `min_out_s` (a spike, however long the span its measure finds);
//! - in signed mode an excursion either way counts, its sign says which side;
//! - thresholds rise to `noise_factor` times the resting jitter measured at calibration,
//!   so a noisy view counts nothing rather than guesses;
//! - and to `REST_EXCURSION_FACTOR` times what rest has lately done by itself: every
//!   still period (settled after a rep, short of starting one) and every would-be rep
//!   over too soon is measured, so landmark drift and noise are never counted. Small reps
//!   completed before any rest has been seen are held back and re-judged once it has
//!   (a rep may begin a moment after the clip does); `can_see` says when rest's wander
//!   (either way: drift does not know the counting direction) has raised the threshold
//!   past what this exercise's movement shows (`unseeable_raise`), and no rep counted
//!   lately stands clear of it (clear by more the longer the rep rose: drift had that
//!   long to add up, `drift_reach`); the exercise then says it cannot see the movement
//!   instead of counting, since the last rep counted (`blind_since`: what rest shows
//!   now says as much of the stillness before), and if nothing it ever counted stood
//!   clear of that wander, none of it is reported (`saw_nothing`). The rest a clip
//!   ends on counts too (`finish`): no rep will start from it;
//! - identical frames (a frozen picture) add nothing to what rest is known to do;
//! - a mirror exercise's first movement, if it stayed under `start` while nothing was
//!   known of the person's range, counts once their first rep the other way shows it
//!   was one (`first_rep_mirror_share`, [`first_move`]).
//!
//! The hold is measured twice. Live, for the UI's progress bar: it starts when the
//! movement out has slowed to a share of its own top speed and ends when the signal heads
//! back. After the rep (a quarter second after it came back, so the movement back is
//! complete), for the report and `hold-too-short`: see [`measure`] — lag-free smoothing,
//! edges by speed and by level, robust to drift or jumps of the landmarks mid-hold.
//! Movement durations (for `too-fast`) come from the same measure.
//!
//! [`SetTracker`] groups counted reps into sets: a set ends when its prescribed reps are
//! done or after a pause longer than `set_pause_s`.

mod first_move;
mod measure;
mod sets;

use std::collections::VecDeque;

use measure::{measure, smooth_series};
pub use sets::{SetDone, SetTracker};

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
    /// The plateau at the peak (one span; empty if the rep never held still).
    pub hold_spans: Vec<(f64, f64)>,
    /// The plateau's duration (see `measure`).
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
    /// When it passed its start threshold.
    started_s: f64,
    /// (t, smoothed excursion along `sign`) from a little before the start.
    samples: Vec<(f64, f64)>,
    /// The same, unsmoothed (for the measure at the end).
    raw: Vec<(f64, f64)>,
    peak: f64,
    peak_s: f64,
    /// Top speed on the way out (before the first plateau).
    top_speed_out: f64,
    plateau_since: Option<f64>,
    spans: Vec<(f64, f64)>,
    /// Level when the current plateau began.
    plateau_level: f64,
    /// Since when the signal has been moving back (or on out) during the plateau.
    receding_since: Option<f64>,
    rising_since: Option<f64>,
    /// Another reading vouched for it while it ran ([`RepCounter::vouch`]).
    vouched: bool,
}

impl ActiveRep {
    /// A rep `sign`-wards from `started_s` whose record so far is `samples` (smoothed)
    /// and `raw`, peaking at `peak` (time, level); no plateau yet.
    fn new(
        sign: f64,
        started_s: f64,
        samples: Vec<(f64, f64)>,
        raw: Vec<(f64, f64)>,
        (peak_s, peak): (f64, f64),
    ) -> Self {
        Self {
            sign,
            started_s,
            samples,
            raw,
            peak,
            peak_s,
            top_speed_out: 0.0,
            plateau_since: None,
            spans: Vec::new(),
            plateau_level: 0.0,
            receding_since: None,
            rising_since: None,
            vouched: false,
        }
    }
}

/// A rep that has come back, still collecting its last samples for the measure.
#[derive(Clone, Debug)]
struct Closing {
    rep: ActiveRep,
    end_s: f64,
    baseline: f64,
    until_s: f64,
}

/// At the end of the clip, a rep that held and has come back below this share of its
/// peak counts: the landmarks may have settled off their old rest level after it.
const SETTLED_BACK_SHARE: f64 = 0.6;

/// How long after a rep has come back its samples keep being collected.
const CLOSING_S: f64 = 0.25;

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
    /// The raw signal over the same seconds (the measure after a rep smooths it itself).
    raw_history: VecDeque<(f64, f64)>,
    active: Option<ActiveRep>,
    last_t: Option<f64>,
    /// Direction not to start a rep in until the signal is back at rest.
    disarmed_sign: Option<f64>,
    /// (sign, peak) of the last few counted reps.
    recent_peaks: VecDeque<(f64, f64)>,
    /// Since when the signal has been still (idle).
    still_since: Option<f64>,
    /// When the signal was last still for `REARM_STILL_S`: at rest, not in a rep's tail.
    rested_s: Option<f64>,
    /// A rep that has come back, not yet measured.
    closing: Option<Closing>,
    /// |excursion| of the current rest, newest last, not yet old enough to be trusted as
    /// rest (it may be the toe of a rep still short of its threshold).
    rest_pending: VecDeque<(f64, f64, f64)>,
    /// The largest excursion rest has shown lately (decaying over `REST_MEMORY_S`):
    /// what drift and noise do to this signal when nothing is being done.
    rest_excursion: f64,
    /// The same, either way from the baseline: how far rest wanders by itself, which
    /// says whether a rep can be seen at all (`can_see`). (Not the start gate's: an
    /// unsigned signal's rest left the other way is followed, and never starts a rep.)
    rest_wander: f64,
    /// When each counted rep came back, and its peak as rest's wander would reach it
    /// (`drift_reach`; `can_see`, `blind_since`).
    counted: Vec<(f64, f64)>,
    /// Previous raw value: an identical one is a frozen frame, not a still person.
    last_raw: Option<f64>,
    /// When the last counted rep came back.
    last_rep_end_s: Option<f64>,
    /// The first frame's time.
    first_t: Option<f64>,
    /// Seconds of rest seen since calibration (what the rest excursion is known from).
    rest_seen_s: f64,
    /// Small reps completed before rest was known, or straight into a movement the other
    /// way (`true`: a wind-up, no measure of rest): held back, re-judged once rest is
    /// known and the rep after them counted.
    provisional: Vec<(RepMeasure, bool)>,
    /// A new view cut a rep short at this time: the person is likely still out there, so
    /// nothing starts until the signal is back at rest.
    out_at_cut: Option<f64>,
    /// Mirror movements, before anything is counted: the excursion from rest under way,
    /// against the rest level it left (`follow_first_move`).
    first_move: Option<(ActiveRep, f64)>,
    /// The last such excursion that came back, measured.
    first_miss: Option<RepMeasure>,
    /// An independent reading of the same movement says a rep is under way now
    /// ([`vouch`](Self::vouch)).
    vouched: bool,
}

/// Rest is not measured in the first seconds: the landmarks are still settling.
const START_SETTLING_S: f64 = 3.0;
/// A rep counted within this long shows the movement can be seen.
const SEEN_REP_GRACE_S: f64 = 20.0;
/// Rest must have been seen this long before a small rep is trusted.
const REST_PROOF_S: f64 = 2.0;
/// A counted rep this many times the farthest rest has wandered by itself shows the
/// movement can be seen (under it, rest alone nearly made it).
const SIGHT_PROOF_FACTOR: f64 = 2.0;
/// The most [`RepCounter::drift_reach`] says drift adds over a rep's rise.
const DRIFT_REACH_MAX: f64 = 2.0;
/// A rep this many times the start threshold is a rep whatever rest turns out to be.
const SURE_REP_FACTOR: f64 = 3.0;

/// Rest is measured only this long after a rep has come back (landmarks creep back
/// for a while after a big movement: that is the rep's tail, not the rest's drift).
const SETTLE_AFTER_REP_S: f64 = 3.0;
/// A rest excursion counts once it is this old without a rep having started.
const REST_LAG_S: f64 = 2.5;
/// How long a rest excursion is remembered (it decays over this time constant).
const REST_MEMORY_S: f64 = 30.0;
/// A rep must go this many times further than rest has lately gone by itself.
const REST_EXCURSION_FACTOR: f64 = 3.0;

/// Reps remembered for the fidget threshold.
const RECENT_PEAKS: usize = 6;
/// An excursion under this share of the person's own recent reps that way is a fidget,
/// however far above the noise it is.
const FIDGET_SHARE: f64 = 0.25;
/// Once a person's own reps one way are known, the spec's start threshold gives way to
/// this share of them (a person whose reps are small but clear).
const OWN_RANGE_SHARE: f64 = 0.5;
/// Before any rep one way, an excursion that way under this share of the reps the other
/// way is the overshoot of their return, not a rep.
const OTHER_WAY_SHARE: f64 = 0.1;

/// How fast the baseline settles onto a resting level left offset after a rep.
const RE_REST_TAU_S: f64 = 1.0;
/// Still this long after a rep (and short of a new one) is back at rest.
const REARM_STILL_S: f64 = 0.3;

/// Still this long after a new view cut a rep short, away from rest, is the new view's
/// rest.
const OUT_AT_CUT_REST_S: f64 = 10.0;

/// Seconds of smoothed history kept (pre-roll and speed).
const HISTORY_S: f64 = 3.0;
/// Speed is measured over this interval.
const SPEED_SPAN_S: f64 = 0.1;
/// The plateau's "recent peak" looks back this far.
const PLATEAU_PEAK_WINDOW_S: f64 = 1.0;
/// A plateau that gives way to more movement out within this long was a pause.
const PAUSE_NOT_HOLD_S: f64 = 0.5;
/// Moving back (or on out) this long ends a plateau (one frame could be jitter: at
/// 30 frames/s this is two frames in a row, at 60 three, at 15 two).
const RECEDING_S: f64 = 0.03;
/// `settled_return`: the fall takes at most this long (a movement, not a sag: rendered
/// returns take ~1 s) from within 10% of the peak…
const SETTLED_FALL_MAX_S: f64 = 2.0;
/// …and the signal then keeps within the plateau's speed limit this long.
const SETTLED_STILL_S: f64 = 0.6;

/// The rep's signal fell `share` of its peak or more within `SETTLED_FALL_MAX_S` and has
/// been still there for `SETTLED_STILL_S` (moving no more than `slow` per second).
fn settled_after_fall(rep: &ActiveRep, t_s: f64, share: f64, slow: f64) -> bool {
    let low = (1.0 - share) * rep.peak;
    let recent = || {
        rep.samples
            .iter()
            .rev()
            .take_while(|(t, _)| t_s - t <= SETTLED_STILL_S)
    };
    let covered = rep
        .samples
        .first()
        .is_some_and(|s| t_s - s.0 > SETTLED_STILL_S);
    let (lo, hi) = recent().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
        (lo.min(s.1), hi.max(s.1))
    });
    if !covered || hi >= low || hi - lo > slow * SETTLED_STILL_S {
        return false;
    }
    let Some(high_at) = rep.samples.iter().rposition(|s| s.1 >= 0.9 * rep.peak) else {
        return false;
    };
    let fell_at = rep
        .samples
        .iter()
        .skip(high_at)
        .find(|s| s.1 < low)
        .map(|s| s.0);
    let high_t = rep.samples.get(high_at).map_or(t_s, |s| s.0);
    fell_at.is_some_and(|f| f - high_t <= SETTLED_FALL_MAX_S)
}

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
            raw_history: VecDeque::new(),
            active: None,
            last_t: None,
            disarmed_sign: None,
            recent_peaks: VecDeque::new(),
            still_since: None,
            rested_s: None,
            closing: None,
            rest_pending: VecDeque::new(),
            rest_excursion: 0.0,
            rest_wander: 0.0,
            counted: Vec::new(),
            last_raw: None,
            last_rep_end_s: None,
            first_t: None,
            rest_seen_s: 0.0,
            provisional: Vec::new(),
            out_at_cut: None,
            first_move: None,
            first_miss: None,
            vouched: false,
        }
    }

    /// The largest excursion from the baseline rest has shown lately (signal units).
    pub fn rest_excursion(&self) -> f64 {
        self.rest_excursion
    }

    /// The largest excursion either way rest has shown lately (signal units).
    pub fn rest_wander(&self) -> f64 {
        self.rest_wander.max(self.rest_excursion)
    }

    /// The start threshold in force: the spec's, raised above the calibrated noise and
    /// above what rest has lately done by itself (drift, noise), so neither is counted.
    pub fn effective_start(&self) -> f64 {
        self.raised(self.cfg.spec.start)
    }

    /// A start floor raised above the signal's noise and what rest has lately done.
    fn raised(&self, floor: f64) -> f64 {
        floor
            .max(self.cfg.spec.noise_factor * self.noise)
            .max(REST_EXCURSION_FACTOR * self.rest_excursion)
    }

    /// Whether a rep can be told from rest: always, unless the spec checks it, rest's own
    /// excursions either way have raised the start threshold past `unseeable_raise`
    /// times the spec's, and no rep counted lately went `SIGHT_PROOF_FACTOR` times as
    /// far as they do.
    pub fn can_see(&self) -> bool {
        // Reps counted lately that stand out of rest's own wander are seen, however
        // high the threshold is; one it could nearly have made proves nothing.
        let proof = self.sight_proof();
        let counting = self.last_t.is_some_and(|now| {
            self.counted
                .iter()
                .any(|&(end, peak)| now - end < SEEN_REP_GRACE_S && peak >= proof)
        });
        counting
            || self
                .cfg
                .spec
                .unseeable_raise
                .is_none_or(|raise| self.sight_threshold() < raise * self.cfg.spec.start)
    }

    /// The smallest rep rest's own wander (either way) and noise leave visible.
    fn sight_threshold(&self) -> f64 {
        self.effective_start()
            .max(REST_EXCURSION_FACTOR * self.rest_wander())
    }

    /// The peak a counted rep needs to show the movement is seen: clear of what rest's
    /// wander reaches by itself.
    fn sight_proof(&self) -> f64 {
        SIGHT_PROOF_FACTOR * self.rest_wander()
    }

    /// How many times further than rest's wander drift alone may take a rep's peak.
    /// Rest's wander is measured against a baseline that follows it (`baseline_tau_s`);
    /// a rep's peak against the baseline it left, held since: drift has had the rep's
    /// rise to add up instead, and a wander grows as the square root of its time (a
    /// random walk; a slow drift saturates, hence the cap).
    fn drift_reach(&self, m: &RepMeasure) -> f64 {
        let tau = self.cfg.spec.baseline_tau_s.max(1e-3);
        ((m.peak_s - m.start_s) / tau)
            .clamp(1.0, DRIFT_REACH_MAX * DRIFT_REACH_MAX)
            .sqrt()
    }

    /// While it cannot see: since when (the last counted rep's end, or its first frame).
    /// What rest shows now says as much about the stillness before it as after.
    pub fn blind_since(&self) -> Option<f64> {
        if self.can_see() {
            return None;
        }
        self.counted
            .iter()
            .map(|c| c.0)
            .reduce(f64::max)
            .or(self.first_t)
    }

    /// Its first frame (since calibration).
    pub fn first_t(&self) -> Option<f64> {
        self.first_t
    }

    /// It cannot see, and nothing it ever counted stood out of what rest does by itself:
    /// every rep it counted may have been drift.
    pub fn saw_nothing(&self) -> bool {
        !self.can_see() && {
            let sight = self.sight_proof();
            self.counted.iter().all(|c| c.1 < sight)
        }
    }

    /// Whether `t_s` is within the landmarks' settling after the first frames
    /// (MediaPipe's own start-up): what the signal does then is no measure of rest.
    fn settling_at(&self, t_s: f64) -> bool {
        self.first_t
            .is_none_or(|first| t_s - first < START_SETTLING_S)
    }

    /// Measures rest on an idle frame: `at_rest` (settled, idle, short of a rep), its
    /// |excursion|; a frame that is not rest drops what was pending.
    fn track_rest(
        &mut self,
        t_s: f64,
        dt: f64,
        (excursion, wander): (f64, f64),
        at_rest: bool,
        frozen: bool,
    ) {
        let decay = (-dt / REST_MEMORY_S).exp();
        self.rest_excursion *= decay;
        self.rest_wander *= decay;
        if !at_rest {
            self.rest_pending.clear();
            return;
        }
        self.rest_seen_s += dt;
        if !frozen && !self.settling_at(t_s) {
            // Identical frames (a frozen picture) add nothing to what rest is known to do.
            self.rest_pending.push_back((t_s, excursion, wander));
        }
        while let Some(&(t, e, w)) = self.rest_pending.front() {
            if t_s - t < REST_LAG_S {
                break;
            }
            self.rest_excursion = self.rest_excursion.max(e);
            self.rest_wander = self.rest_wander.max(w);
            self.rest_pending.pop_front();
        }
    }

    /// Fixes the resting baseline (median of the latest third of the smoothed signal) and
    /// its noise, and raises the thresholds above that noise.
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
        self.effective_start()
    }

    /// A rep is under way.
    pub fn in_rep(&self) -> bool {
        self.active.is_some()
    }

    /// Since when the current plateau has lasted, if one is under way.
    pub fn plateau_since(&self) -> Option<f64> {
        self.active.as_ref().and_then(|a| a.plateau_since)
    }

    /// The rep under way, or come back and not yet measured: when it began and the
    /// longest plateau it has held so far (live, as the hold timer sees it), seconds.
    pub fn current_hold(&self, t_s: f64) -> Option<(f64, f64)> {
        let rep = self
            .active
            .as_ref()
            .or(self.closing.as_ref().map(|c| &c.rep))?;
        let since = rep.samples.first()?.0;
        let longest = rep
            .spans
            .iter()
            .map(|(a, b)| b - a)
            .chain(rep.plateau_since.map(|p| t_s - p))
            .fold(0.0, f64::max);
        Some((since, longest))
    }

    /// The rep that came back and is not yet counted, measured as it will be: a second
    /// reading of the same movement may need its hold before this counter's own
    /// listening time is up.
    pub fn closing_measure(&self) -> Option<RepMeasure> {
        let c = self.closing.as_ref()?;
        let spec = &self.cfg.spec;
        Some(measure(
            &c.rep,
            c.end_s,
            self.noise,
            spec.plateau_speed_fraction,
            spec.plateau_drop_fraction,
        ))
    }

    /// The rep under way measured as if it ended now: the plateau it has held so far,
    /// timed after the fact as its count will be. The live plateau timer restarts at
    /// every wobble of a noisy reading; this is what a second reading of the same
    /// movement should be lent while this one is still out.
    pub fn active_measure(&self, t_s: f64) -> Option<RepMeasure> {
        let rep = self.active.as_ref()?;
        let spec = &self.cfg.spec;
        Some(measure(
            rep,
            t_s,
            self.noise,
            spec.plateau_speed_fraction,
            spec.plateau_drop_fraction,
        ))
    }

    /// When the rep under way began (its first sample), if one is.
    pub fn active_since(&self) -> Option<f64> {
        self.active
            .as_ref()
            .and_then(|a| a.samples.first().map(|s| s.0))
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
        self.first_t.get_or_insert(t_s);
        let frozen = self.last_raw == Some(x);
        self.last_raw = Some(x);
        // After a long gap the old samples say nothing about now.
        if dt > self.cfg.spec.max_gap_s {
            self.raw.clear();
            self.history.clear();
            self.raw_history.clear();
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
        self.raw_history.push_back((t_s, x));
        while self
            .history
            .front()
            .is_some_and(|(t, _)| t_s - t > HISTORY_S)
        {
            self.history.pop_front();
        }
        while self.raw_history.len() > self.history.len() {
            self.raw_history.pop_front();
        }
        let speed = self.speed(t_s, smoothed);
        if let Some(c) = self.closing.as_mut() {
            let m = c.rep.sign * (x - c.baseline);
            c.rep.raw.push((t_s, m));
            if t_s >= c.until_s {
                events.extend(self.finalize(None));
            }
        }
        let baseline = *self.baseline.get_or_insert(smoothed);
        let d = smoothed - baseline;
        let spec = self.cfg.spec.clone();
        tracing::trace!(
            target: "backform::signal",
            t_s,
            x,
            d,
            start = self.start,
            noise = self.noise,
            rest = self.rest_excursion,
            wander = self.rest_wander,
            in_rep = self.active.is_some()
        );

        match self.active.as_mut() {
            None => {
                self.follow_first_move(t_s, x, smoothed, baseline);
                let magnitude = if self.cfg.signed { d.abs() } else { d };
                let sign = if self.cfg.signed && d < 0.0 {
                    -1.0
                } else {
                    1.0
                };
                // After a rep that ended on its way back (return fraction), the same way
                // re-arms only once the signal is back at rest; meanwhile a resting level
                // left offset by drift is followed. The other way is free (alternation).
                // Still since the last rep came back: a movement from rest, not the next
                // swing of one that never settled.
                let from_rest = self
                    .rested_s
                    .is_some_and(|r| self.last_rep_end_s.is_none_or(|end| r > end));
                let start = self.start_for(sign, from_rest, self.vouched);
                // Not moving: slower than a rep's start in a rep's shortest time, and than
                // the speed noise.
                let speed_noise = 3.0 * self.noise * std::f64::consts::SQRT_2 / SPEED_SPAN_S;
                let slow = speed.abs() < (start / spec.min_rep_s.max(0.1)).max(speed_noise);
                if slow {
                    self.still_since.get_or_insert(t_s);
                } else {
                    self.still_since = None;
                }
                // Rest: idle, settled after the last rep, and short of starting one.
                let settled = self
                    .last_rep_end_s
                    .is_none_or(|end| t_s - end >= SETTLE_AFTER_REP_S);
                let at_rest = self.closing.is_none() && settled && magnitude < self.start;
                self.track_rest(t_s, dt, (magnitude, d.abs()), at_rest, frozen);
                // (Not while a rep is closing: one held back as its wind-up is judged
                // against it.)
                if self.rest_seen_s >= REST_PROOF_S
                    && !self.provisional.is_empty()
                    && self.closing.is_none()
                {
                    events.extend(self.release_provisional());
                }
                let still_long = self.still_since.is_some_and(|s| t_s - s >= REARM_STILL_S);
                if still_long {
                    self.rested_s = Some(t_s);
                }
                if magnitude < self.end || (still_long && magnitude < start) {
                    self.disarmed_sign = None;
                }
                let disarmed = self.disarmed_sign == Some(sign);
                if let Some(cut_s) = self.out_at_cut {
                    let settled_elsewhere = self.still_since.is_some_and(|s| {
                        t_s - s >= OUT_AT_CUT_REST_S && t_s - cut_s >= OUT_AT_CUT_REST_S
                    });
                    if magnitude < self.end {
                        self.out_at_cut = None;
                    } else if settled_elsewhere {
                        self.baseline = Some(smoothed);
                        self.out_at_cut = None;
                    }
                }
                if self.out_at_cut.is_some() {
                    // Still out in the rep the new view cut short: nothing starts.
                } else if disarmed {
                    if slow {
                        let alpha = (dt / spec.baseline_tau_s.min(RE_REST_TAU_S)).min(1.0);
                        if let Some(b) = self.baseline.as_mut() {
                            *b += alpha * (smoothed - *b);
                        }
                    }
                } else if magnitude > start {
                    self.rest_pending.clear();
                    // A rep after all: whatever the first movement was, this is it or
                    // comes after it.
                    self.first_move = None;
                    // Pre-roll: the rest before this movement, back to where the signal
                    // was last beyond the start threshold (the previous rep's tail).
                    let all: Vec<(f64, f64)> = self
                        .history
                        .iter()
                        .map(|&(t, v)| (t, sign * (v - baseline)))
                        .collect();
                    // This excursion began where the signal was last at rest; before that,
                    // keep the rest back to the previous rep's tail.
                    let before = all.len().saturating_sub(1);
                    let began = all
                        .get(..before)
                        .unwrap_or(&[])
                        .iter()
                        .rposition(|s| s.1 <= self.end.max(0.25 * start))
                        .unwrap_or(0);
                    let first = all
                        .get(..began)
                        .unwrap_or(&[])
                        .iter()
                        .rposition(|s| s.1.abs() >= start)
                        .map_or(0, |i| i + 1);
                    // Never back into the last rep: a signal that did not come all the
                    // way back (the outline's drift after a long hold) would otherwise
                    // hand this rep the last one's plateau as its own start.
                    let last_end = self
                        .closing
                        .as_ref()
                        .map(|c| c.end_s)
                        .or(self.provisional.last().map(|(m, _)| m.end_s))
                        .into_iter()
                        .chain(self.last_rep_end_s)
                        .reduce(f64::max);
                    let first = last_end
                        .and_then(|e| all.iter().position(|s| s.0 >= e))
                        .map_or(first, |i| first.max(i));
                    let samples = all.get(first..).unwrap_or(&[]).to_vec();
                    let raw: Vec<(f64, f64)> = self
                        .raw_history
                        .iter()
                        .skip(first)
                        .map(|&(t, v)| (t, sign * (v - baseline)))
                        .collect();
                    // A new rep before the last one finished closing: measure it now.
                    events.extend(self.finalize(Some(sign)));
                    self.active = Some(ActiveRep {
                        top_speed_out: (sign * speed).max(0.0),
                        ..ActiveRep::new(sign, t_s, samples, raw, (t_s, sign * d))
                    });
                    events.push(CounterEvent::RepStarted { t_s, sign });
                } else if magnitude < self.start && slow {
                    // Still and short of a rep: rest, wherever it has drifted to; follow
                    // it. (Unsigned: a resting level that moved against the counting
                    // direction is rest too, however far it went.)
                    let alpha = (dt / spec.baseline_tau_s).min(1.0);
                    if let Some(b) = self.baseline.as_mut() {
                        *b += alpha * (smoothed - *b);
                    }
                }
            }
            Some(rep) if spec.max_rep_s.is_some_and(|max| t_s - rep.started_s > max) => {
                // Out far longer than any rep: the resting level moved under it. What it
                // reached is what rest does to this signal; rest is where it is now.
                let drifted = rep.peak;
                tracing::info!(
                    t_s,
                    since_s = rep.started_s,
                    drifted,
                    "a rep that never came back: the resting level moved"
                );
                self.active = None;
                self.rest_excursion = self.rest_excursion.max(drifted);
                self.baseline = Some(smoothed);
                self.disarmed_sign = None;
                self.rest_pending.clear();
                events.push(CounterEvent::RepDiscarded { t_s });
            }
            Some(rep) => {
                rep.vouched |= self.vouched;
                let m = rep.sign * d;
                let v = rep.sign * speed;
                rep.samples.push((t_s, m));
                rep.raw.push((t_s, rep.sign * (x - baseline)));
                if m > rep.peak {
                    rep.peak = m;
                    rep.peak_s = t_s;
                }
                let k = spec.plateau_speed_fraction;
                // Speed thresholds stay above the speed noise the signal's jitter makes.
                let speed_noise = 3.0 * self.noise * std::f64::consts::SQRT_2 / SPEED_SPAN_S;
                let slow = (k * rep.top_speed_out).max(speed_noise);
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
                            && v.abs() <= slow
                            && high_enough
                            && m >= self.start
                        {
                            rep.plateau_since = Some(t_s);
                            rep.plateau_level = m;
                            rep.receding_since = None;
                            rep.rising_since = None;
                            events.push(CounterEvent::HoldStarted { t_s });
                        }
                    }
                    Some(since) => {
                        if v > slow {
                            rep.rising_since.get_or_insert(t_s);
                        } else {
                            rep.rising_since = None;
                        }
                        // The movement out resumed after a brief pause: not the plateau yet.
                        // (Later in a hold, a further rise deepens the hold; MediaPipe also
                        // steps its reading mid-hold now and then.)
                        if rep.rising_since.is_some_and(|r| t_s - r >= RECEDING_S)
                            && t_s - since <= PAUSE_NOT_HOLD_S
                            && m > (1.0 + spec.plateau_drop_fraction) * rep.plateau_level
                        {
                            rep.plateau_since = None;
                            rep.rising_since = None;
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
                        if v < -slow {
                            rep.receding_since.get_or_insert(t_s);
                        } else {
                            rep.receding_since = None;
                        }
                        if rep.receding_since.is_some_and(|r| t_s - r >= RECEDING_S)
                            || m < recent_peak
                                - (spec.plateau_drop_fraction * recent_peak).max(3.0 * self.noise)
                        {
                            rep.spans.push((since, t_s));
                            rep.plateau_since = None;
                            events.push(CounterEvent::HoldEnded { t_s });
                        }
                    }
                }
                let back_at = self.end.max(spec.return_fraction * rep.peak);
                let settled_low = m >= back_at
                    && spec
                        .settled_return
                        .is_some_and(|share| settled_after_fall(rep, t_s, share, slow));
                if m < back_at || settled_low {
                    let end_s = t_s;
                    if let Some(since) = rep.plateau_since.take() {
                        rep.spans.push((since, t_s));
                        events.push(CounterEvent::HoldEnded { t_s });
                    }
                    let ended_early = m >= self.end;
                    self.disarmed_sign = ended_early.then_some(rep.sign);
                    // Keep listening a moment: the measure needs the movement back whole.
                    if let Some(rep) = self.active.take() {
                        self.closing = Some(Closing {
                            rep,
                            end_s,
                            baseline,
                            until_s: t_s + CLOSING_S,
                        });
                    }
                    if settled_low {
                        tracing::debug!(t_s, level = m, "came back to a new resting level");
                        // Rest is where the signal came back to.
                        self.baseline = Some(smoothed);
                        self.disarmed_sign = None;
                    }
                }
            }
        }
        events
    }

    /// Finishes the rep that is closing: measure it, count it or discard it. `next_sign`:
    /// the way a new rep that began before this one had closed is going.
    fn finalize(&mut self, next_sign: Option<f64>) -> Vec<CounterEvent> {
        let Some(c) = self.closing.take() else {
            return Vec::new();
        };
        let spec = &self.cfg.spec;
        let measure = measure(
            &c.rep,
            c.end_s,
            self.noise,
            spec.plateau_speed_fraction,
            spec.plateau_drop_fraction,
        );
        tracing::debug!(
            target: "backform::rep",
            start_s = measure.start_s,
            end_s = measure.end_s,
            peak = measure.peak,
            hold = ?measure.hold_spans,
            out_s = ?measure.out_s,
            back_s = ?measure.back_s,
            start = self.start,
            above_s = c.end_s - c.rep.started_s,
            "measured"
        );
        let long_enough = measure.end_s - measure.start_s >= spec.min_rep_s
            && c.end_s - c.rep.started_s >= spec.min_out_s;
        // (The rep already passed its start gate; this is the lowest floor it could have.)
        if long_enough
            && measure.peak
                > self
                    .start_for(measure.sign, true, c.rep.vouched)
                    .min(self.start)
        {
            let small = measure.peak < SURE_REP_FACTOR * self.start && !c.rep.vouched;
            // Straight into a movement the other way, with no rest between: a small one
            // may be that movement's wind-up (a body shifting before it drops), judged
            // against it once it is counted, as the other way's share is (`start_for`).
            let wind_up = next_sign == Some(-measure.sign);
            if small && (self.rest_seen_s < REST_PROOF_S || wind_up) {
                // Rest is not known yet: drift could have made this (unless another
                // reading saw the movement too). Judge it once it is, and a wind-up once
                // the movement it led into is counted.
                self.provisional.push((measure, wind_up));
                return Vec::new();
            }
            self.count(measure)
        } else {
            // What looked like a rep and was over too soon is what rest does to this
            // signal (a small movement held long enough is not rest: it may be the weak
            // side of a body that shows one side's reps at a fraction of the other's).
            // (Not before rest has been seen at all: the landmarks' own settling in the
            // first seconds of a clip is no measure of rest.)
            // (Nor the overshoot of a return: a brief swing the other way straight after
            // a rep belongs to that rep — the knees' turn swings past rest as they come
            // back.)
            let overshoot = self
                .recent_peaks
                .back()
                .zip(self.last_rep_end_s)
                .is_some_and(|((sign, _), end)| {
                    *sign != measure.sign && measure.start_s - end < SETTLE_AFTER_REP_S
                });
            if !long_enough && self.rest_seen_s >= REST_PROOF_S && !overshoot {
                self.rest_excursion = self.rest_excursion.max(measure.peak);
            }
            vec![CounterEvent::RepDiscarded { t_s: c.end_s }]
        }
    }

    /// Counts a rep, after the session's first movement if this rep shows that was one.
    fn count(&mut self, measure: RepMeasure) -> Vec<CounterEvent> {
        // While rest's own wander says the movement cannot be seen, a rep that does not
        // stand clear of it is not counted: nothing counts in a span it cannot see.
        if !self.can_see() && measure.peak < self.drift_reach(&measure) * self.sight_proof() {
            tracing::debug!(
                start_s = measure.start_s,
                peak = measure.peak,
                "a rep within what rest does by itself, while it cannot see"
            );
            return vec![CounterEvent::RepDiscarded { t_s: measure.end_s }];
        }
        let mut events = Vec::new();
        if let Some(first) = self.first_rep_missed(&measure) {
            self.remember_peak(&first);
            events.push(CounterEvent::RepCompleted(first));
        }
        self.remember_peak(&measure);
        self.last_rep_end_s = Some(measure.end_s);
        self.counted
            .push((measure.end_s, measure.peak / self.drift_reach(&measure)));
        events.push(CounterEvent::RepCompleted(measure));
        events
    }

    /// Nothing counted yet, nor held back to be judged.
    fn nothing_counted(&self) -> bool {
        self.recent_peaks.is_empty() && self.last_rep_end_s.is_none() && self.provisional.is_empty()
    }

    /// Keeps a counted rep's peak among the person's recent ones (`start_for`'s floor).
    fn remember_peak(&mut self, measure: &RepMeasure) {
        self.recent_peaks.push_back((measure.sign, measure.peak));
        if self.recent_peaks.len() > RECENT_PEAKS {
            self.recent_peaks.pop_front();
        }
    }

    /// Re-judges the reps held back, against what rest has shown by now and the
    /// person's own reps that way since: a rep that rest's own excursions could have
    /// made, or under the fidget share of the real ones, is discarded (and is rest, too,
    /// unless it began while the landmarks were still settling: that wander is no
    /// measure of rest, as in `track_rest`, and must not raise the bar for the real reps
    /// held back with it — at 18 frames/s the calibration falls inside MediaPipe's
    /// start-up and the settling reads as big as a small rep).
    /// (The landmarks settling in a clip's first seconds can roll a signal by a fifth
    /// of a real rep, slowly, before any rest has been seen.)
    fn release_provisional(&mut self) -> Vec<CounterEvent> {
        let held = std::mem::take(&mut self.provisional);
        held.into_iter()
            .flat_map(|(m, wind_up)| {
                if m.peak >= self.start_for(m.sign, false, false) {
                    self.count(m)
                } else {
                    if !self.settling_at(m.start_s) && !wind_up {
                        self.rest_excursion = self.rest_excursion.max(m.peak);
                    }
                    vec![CounterEvent::RepDiscarded { t_s: m.end_s }]
                }
            })
            .collect()
    }

    /// The start threshold for a movement in direction `sign`: the noise-raised one,
    /// and at least a share of the person's own recent reps that way. The other way's
    /// reps say nothing: a body and view may show a drop to one side at a fraction of
    /// the other (a pelvis seen from one side rolls visibly less one way). `from_rest`:
    /// the signal was still before this movement, so a rep under the spec's floor but
    /// half the person's own may start (see below). `vouched`: another reading saw this
    /// movement (`vouch`), so the fidget share does not hold.
    fn start_for(&self, sign: f64, from_rest: bool, vouched: bool) -> f64 {
        let peaks = |same_way: bool| -> Vec<f64> {
            self.recent_peaks
                .iter()
                .filter(|(s, _)| (*s == sign) == same_way)
                .map(|(_, p)| *p)
                .collect()
        };
        let median = crate::kinematics::geometry::median;
        let mine = median(&peaks(true));
        let floor = match mine {
            Some(_) if vouched => 0.0,
            Some(mine) => FIDGET_SHARE * mine,
            None => median(&peaks(false)).map_or(0.0, |other| OTHER_WAY_SHARE * other),
        };
        // The spec's floor is for a typical person's reps; once this person's own reps that
        // way are known, a rep half their size counts even under it, if it starts from
        // rest (never under the noise and rest floors: a range learned from counted reps,
        // not from noise). Straight out of a rep, the signal's unsettled tail (landmarks
        // drifting after a long hold) keeps the spec's floor.
        let spec_floor = match mine {
            Some(mine) if from_rest => self.cfg.spec.start.min(OWN_RANGE_SHARE * mine),
            _ => self.cfg.spec.start,
        };
        self.raised(spec_floor).max(floor)
    }

    /// Whether another reading of the movement (not this signal) says a rep is under way
    /// at this frame. While it does, a movement under the fidget share of the person's
    /// own reps that way may start: a signal that reads some reps far smaller than
    /// others of the same size (one not linear in the movement) would otherwise lose
    /// them. The noise and rest floors still hold.
    pub fn vouch(&mut self, on: bool) {
        self.vouched = on;
    }

    /// Drops a rep under way (the person left the frame).
    pub fn abandon(&mut self) -> bool {
        self.active.take().is_some()
    }

    /// The picture changed under the person (a cut, a zoom, a moved camera): a rep that
    /// has come back is judged now, one still out is dropped (nothing counts across the
    /// change) and no rep starts until the signal is back at rest (the person is likely
    /// still out there; if it never comes back, a long stillness is the new view's rest),
    /// and the signal's recent history goes with the old view.
    pub fn new_view(&mut self, t_s: f64) -> Vec<CounterEvent> {
        let mut events: Vec<CounterEvent> = self.finalize(None);
        self.first_move = None;
        self.disarmed_sign = None;
        self.out_at_cut = None;
        if self.active.take().is_some() {
            self.out_at_cut = Some(t_s);
            events.push(CounterEvent::RepDiscarded { t_s });
        }
        self.raw.clear();
        self.history.clear();
        self.raw_history.clear();
        self.rest_pending.clear();
        self.last_raw = None;
        self.still_since = None;
        events
    }

    /// The exercise ends at `t_s`: a rep under way that has already come most of the way
    /// back (below half its peak) counts; one still out does not. A clear rep (past
    /// `SURE_REP_FACTOR` times its start) that came back that far and then wandered off
    /// again counts too.
    pub fn finish(&mut self, t_s: f64) -> Vec<RepMeasure> {
        // Rest still waiting to be trusted was waiting for a rep that might start from
        // it; none will now: what it wandered says whether anything could be seen.
        for (_, _, w) in std::mem::take(&mut self.rest_pending) {
            self.rest_wander = self.rest_wander.max(w);
        }
        let mut last = None;
        let mut first = None;
        if self.closing.is_some() {
            let mut counted: Vec<RepMeasure> = self
                .finalize(None)
                .into_iter()
                .filter_map(|e| match e {
                    CounterEvent::RepCompleted(m) => Some(m),
                    _ => None,
                })
                .collect();
            last = counted.pop();
            first = counted.pop();
        } else if let Some(rep) = self.active.take() {
            let now = rep.samples.last().map_or(rep.peak, |s| s.1);
            // A sure rep (far past its start) counts once it came back, even if the
            // landmarks then wandered off again: the lowest it came back to since its peak.
            // (A small one that only wandered under half its peak may be drift itself.)
            let now = if rep.peak >= SURE_REP_FACTOR * self.start {
                rep.samples
                    .iter()
                    .filter(|s| s.0 >= rep.peak_s)
                    .map(|s| s.1)
                    .fold(now, f64::min)
            } else {
                now
            };
            let long_enough = rep
                .samples
                .first()
                .is_some_and(|s| t_s - s.0 >= self.cfg.spec.min_rep_s);
            let held = !rep.spans.is_empty() || rep.plateau_since.is_some();
            let back_share = if held { SETTLED_BACK_SHARE } else { 0.5 };
            last =
                (now < back_share * rep.peak && rep.peak > self.start && long_enough).then(|| {
                    measure(
                        &rep,
                        t_s,
                        self.noise,
                        self.cfg.spec.plateau_speed_fraction,
                        self.cfg.spec.plateau_drop_fraction,
                    )
                });
        }
        // Reps held back for want of rest are judged by what rest showed, and by every
        // rep the person did, the last one included.
        if let Some(m) = &last {
            if first.is_none() {
                first = self.first_rep_missed(m);
                if let Some(f) = &first {
                    self.remember_peak(f);
                }
            }
            self.remember_peak(m);
        }
        let mut reps: Vec<RepMeasure> = self
            .release_provisional()
            .into_iter()
            .filter_map(|e| match e {
                CounterEvent::RepCompleted(m) => Some(m),
                _ => None,
            })
            .collect();
        reps.extend(first);
        reps.extend(last);
        reps
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(super) const FPS: f64 = 30.0;

    pub(super) fn cfg(signed: bool) -> CounterConfig {
        CounterConfig {
            // A test signal of its own (units arbitrary), not any exercise's file.
            spec: CounterSpec {
                start: 0.35,
                end: 0.18,
                min_rep_s: 1.0,
                min_movement_s: 0.5,
                smoothing_s: 0.15,
                baseline_tau_s: 1.0,
                plateau_speed_fraction: 0.25,
                plateau_drop_fraction: 0.10,
                max_gap_s: 1.0,
                noise_factor: 4.0,
                return_fraction: 0.1,
                report_hold: true,
                unseeable_raise: None,
                max_rep_s: None,
                settled_return: None,
                first_rep_mirror_share: None,
                min_out_s: 0.0,
            },
            signed,
        }
    }

    /// A smooth (cosine) ramp from 0 to `amp` over `ramp_s`, held `hold_s`, back down.
    pub(crate) fn rep_shape(t: f64, t0: f64, ramp_s: f64, hold_s: f64, amp: f64) -> f64 {
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

    pub(super) fn run(
        counter: &mut RepCounter,
        duration_s: f64,
        f: impl Fn(f64) -> f64,
    ) -> Vec<CounterEvent> {
        let mut events = Vec::new();
        let n = (duration_s * FPS) as usize;
        for i in 0..n {
            let t = i as f64 / FPS;
            events.extend(counter.update(t, Some(f(t))));
        }
        events
    }

    pub(super) fn completed(events: &[CounterEvent]) -> Vec<RepMeasure> {
        events
            .iter()
            .filter_map(|e| match e {
                CounterEvent::RepCompleted(m) => Some(m.clone()),
                _ => None,
            })
            .collect()
    }

    /// One raw point after a lost frame (the landmark filter restarting) is past `start`
    /// for a sixth of a second. Where the span from rest to rest is no guard (a short
    /// `min_rep_s` here; on noisy landmarks, the search for where it left rest reaching
    /// back through the noise before it), `min_out_s` still says it is no rep.
    #[test]
    fn a_spike_is_no_rep_when_a_rep_must_stay_out() {
        let signal = |t: f64| if (12.0..12.04).contains(&t) { 3.0 } else { 0.0 };
        let count = |min_out_s: f64| {
            let mut config = cfg(false);
            config.spec.min_rep_s = 0.1;
            config.spec.min_out_s = min_out_s;
            let mut c = RepCounter::new(config);
            c.calibrate(&[(0.0, 0.0), (0.1, 0.0), (0.2, 0.0)]);
            completed(&run(&mut c, 20.0, signal)).len()
        };
        assert_eq!(count(0.0), 1, "the spike is a rep without the rule");
        assert_eq!(count(0.3), 0);
        // A held rep stays out far longer: the rule leaves it alone.
        let mut config = cfg(false);
        config.spec.min_out_s = 0.3;
        let mut c = RepCounter::new(config);
        c.calibrate(&[(0.0, 0.0), (0.1, 0.0), (0.2, 0.0)]);
        let reps = completed(&run(&mut c, 12.0, |t| rep_shape(t, 4.0, 0.5, 0.5, 0.5)));
        assert_eq!(reps.len(), 1, "{reps:?}");
    }

    /// A person whose reps are small but clear: once two of theirs are counted, a third
    /// at 60% of them counts though it stays under the spec's start; alone, it would not.
    #[test]
    fn a_rep_under_the_spec_floor_counts_once_the_persons_own_reps_are_known() {
        let signal = |t: f64, first: bool| {
            let big = if first {
                rep_shape(t, 4.0, 0.9, 2.0, 0.5) + rep_shape(t, 9.0, 0.9, 2.0, 0.5)
            } else {
                0.0
            };
            big + rep_shape(t, 14.0, 0.9, 2.0, 0.3)
        };
        let mut c = RepCounter::new(cfg(false));
        c.calibrate(&[(0.0, 0.0), (0.1, 0.0), (0.2, 0.0)]);
        let reps = completed(&run(&mut c, 20.0, |t| signal(t, true)));
        assert_eq!(reps.len(), 3, "{reps:?}");
        let mut alone = RepCounter::new(cfg(false));
        alone.calibrate(&[(0.0, 0.0), (0.1, 0.0), (0.2, 0.0)]);
        let reps = completed(&run(&mut alone, 20.0, |t| signal(t, false)));
        assert!(reps.is_empty(), "{reps:?}");
    }

    /// The person's own range lowers the floor only for a movement from rest: straight
    /// out of a rep, a signal that swings back up to a level it holds a while (landmarks
    /// drifting after a hold, as MediaPipe's trunk line does from above) is the rep's
    /// tail, however big next to their reps.
    #[test]
    fn the_unsettled_tail_of_a_rep_is_not_a_rep_under_the_spec_floor() {
        let tail = |t: f64| {
            let reps = rep_shape(t, 4.0, 0.9, 2.0, 0.5) + rep_shape(t, 9.0, 0.9, 2.0, 0.5);
            if t < 12.5 {
                reps
            } else {
                0.125 + rep_shape(t, 12.6, 0.4, 3.0, 0.175) - rep_shape(t, 16.0, 0.9, 60.0, 0.125)
            }
        };
        let mut c = RepCounter::new(cfg(false));
        c.calibrate(&[(0.0, 0.0), (0.1, 0.0), (0.2, 0.0)]);
        let reps = completed(&run(&mut c, 20.0, tail));
        assert_eq!(reps.len(), 2, "{reps:?}");
    }

    /// The knees' turn swings past rest as they come back from a drop: that brief swing
    /// the other way is the rep's own overshoot, not what rest does to the signal, and
    /// never raises the threshold the next drop (the other way) has to pass.
    #[test]
    fn a_return_overshoot_is_not_rest() {
        let mut c = RepCounter::new(cfg(true));
        c.calibrate(&[(0.0, 0.0), (0.1, 0.0), (0.2, 0.0)]);
        // 4 s of rest, a drop one way (1.0), 0.3 s past rest the other way (−0.5) on
        // the way back, rest, then a drop the other way (−0.8).
        let events = run(&mut c, 20.0, |t| {
            let swing = if (8.1..8.4).contains(&t) { -0.5 } else { 0.0 };
            rep_shape(t, 4.0, 0.9, 2.0, 1.0) + swing - rep_shape(t, 12.0, 0.9, 2.0, 0.8)
        });
        let reps = completed(&events);
        assert_eq!(reps.len(), 2, "{reps:?}");
        assert!(reps[1].sign < 0.0 && reps[1].start_s > 11.0, "{reps:?}");
    }

    /// The outline's drift after a long hold: the signal comes most of the way back but
    /// not to rest, and the next rep starts from there. Its record (and so its start,
    /// hold and movement out) never reaches back into the last rep.
    #[test]
    fn a_rep_from_a_raised_rest_starts_after_the_last_one() {
        // Over once most of the way back (pelvic tilt's setting), still above `end`.
        let mut config = cfg(false);
        config.spec.return_fraction = 0.25;
        let mut c = RepCounter::new(config);
        c.calibrate(&[(0.0, 0.0), (0.1, 0.0), (0.2, 0.0)]);
        // 1 s in: out over 0.9 s, 5 s held, back over 0.9 s to 0.2 (not to rest); at 8 s
        // out again from there.
        let events = run(&mut c, 20.0, |t| {
            if t < 6.9 {
                rep_shape(t, 1.0, 0.9, 5.0, 1.0)
            } else {
                rep_shape(t, 1.0, 0.9, 5.0, 1.0).max(0.2 + rep_shape(t, 8.0, 0.9, 5.0, 0.8))
            }
        });
        let reps = completed(&events);
        assert_eq!(reps.len(), 2, "{reps:?}");
        assert!(reps[1].start_s >= reps[0].end_s, "{reps:?}");
        assert!((reps[1].hold_s - 5.0).abs() < 0.5, "{reps:?}");
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
        // EXERCISES.md's hold: the time within 10% of the peak — the 6 s flat top and
        // the last fifth (0.205) of each 0.9 s cosine ramp.
        let band = 6.0 + 0.2048 * 2.0 * 0.9;
        for r in &reps {
            assert!((r.hold_s - band).abs() < 0.15, "hold {}", r.hold_s);
            // A 0.9 s smooth ramp (plus the smoothing window's stretch).
            let out = r.out_s.unwrap();
            assert!(out > 0.8 && out < 1.15, "out {out}");
            let back = r.back_s.unwrap();
            assert!(back > 0.8 && back < 1.15, "back {back}");
        }
    }

    /// A cosine step from `from` to `to` over `[t0, t0 + d]`.
    fn step_shape(t: f64, t0: f64, d: f64, from: f64, to: f64) -> f64 {
        let u = ((t - t0) / d).clamp(0.0, 1.0);
        from + (to - from) * (1.0 - (std::f64::consts::PI * u).cos()) / 2.0
    }

    #[test]
    fn a_pause_on_the_way_back_is_no_part_of_the_hold() {
        // A twist read from BlazePose's depth: out in 1.6 s, held 0.8 s, back to 70% of
        // the peak in 0.6 s, a 0.3 s pause there, the rest of the way in 1.0 s.
        let shape = |t: f64| {
            let a = 0.8;
            if t < 2.6 {
                step_shape(t, 1.0, 1.6, 0.0, a)
            } else if t < 3.4 {
                a
            } else if t < 4.3 {
                step_shape(t, 3.4, 0.6, a, 0.7 * a)
            } else {
                step_shape(t, 4.3, 1.0, 0.7 * a, 0.0)
            }
        };
        let mut c = RepCounter::new(cfg(false));
        c.calibrate(&[(0.0, 0.0), (0.1, 0.0), (0.2, 0.0)]);
        let reps = completed(&run(&mut c, 8.0, shape));
        assert_eq!(reps.len(), 1);
        // Within 10% of the peak: the flat top, the last 0.2048 of the way out, and the
        // first third of the first step back (acos(1/3)/π of its 0.6 s).
        let band = 0.8 + 0.2048 * 1.6 + (1.0f64 / 3.0).acos() / std::f64::consts::PI * 0.6;
        assert!(
            (reps[0].hold_s - band).abs() < 0.2,
            "hold {} for a {band:.2} s band",
            reps[0].hold_s
        );
    }

    #[test]
    fn a_hold_that_drops_to_a_lower_level_and_stays_is_still_held() {
        // The belly's outline snaps 25% lower a second into a 6 s hold and stays there:
        // the person still holds, so the hold is not cut at the snap.
        let mut c = RepCounter::new(cfg(false));
        c.calibrate(&[(0.0, 0.0), (0.1, 0.0), (0.2, 0.0)]);
        let reps = completed(&run(&mut c, 12.0, |t| {
            let base = rep_shape(t, 1.0, 0.9, 6.0, 0.8);
            if (2.9..7.9).contains(&t) {
                base * (1.0 - 0.25 * ((t - 2.9) / 0.2).min(1.0))
            } else {
                base
            }
        }));
        assert_eq!(reps.len(), 1);
        assert!(reps[0].hold_s > 5.5, "hold {}", reps[0].hold_s);
    }

    #[test]
    fn a_quick_rise_into_the_movement_back_is_no_part_of_the_hold() {
        // The belly's outline from 30° above as a tilt is released (H-s704): out in
        // 0.9 s, held 4 s, then a 0.2 s bulge 20% over the hold's level as the pelvis
        // starts back, and the fall in 1 s. The hold ends where the bulge starts.
        let shape = |t: f64| {
            if t < 1.9 {
                step_shape(t, 1.0, 0.9, 0.0, 0.8)
            } else if t < 5.9 {
                0.8
            } else if t < 6.1 {
                step_shape(t, 5.9, 0.2, 0.8, 0.96)
            } else {
                step_shape(t, 6.1, 1.0, 0.96, 0.0)
            }
        };
        let mut c = RepCounter::new(cfg(false));
        c.calibrate(&[(0.0, 0.0), (0.1, 0.0), (0.2, 0.0)]);
        let reps = completed(&run(&mut c, 10.0, shape));
        assert_eq!(reps.len(), 1);
        // The flat 4 s and the band's share of the way out.
        let band = 4.0 + 0.2048 * 0.9;
        assert!(
            (reps[0].hold_s - band).abs() < 0.15,
            "hold {} for a {band:.2} s band",
            reps[0].hold_s
        );
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

    /// A slow rep (2 s ramps, held 1 s) read through noise whose speed swamps a quarter
    /// of the movement's: the hold is still the time within 10% of the peak (1.82 s),
    /// not the plateau speed limit's reach down both ramps.
    #[test]
    fn a_noisy_slow_rep_holds_its_band_not_its_ramps() {
        use rand::SeedableRng;
        use rand_distr::Distribution;
        let normal = rand_distr::Normal::new(0.0, 0.8).expect("normal");
        let mut errors = Vec::new();
        for seed in 0..8 {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let mut noisy = |v: f64| v + normal.sample(&mut rng);
            let mut c = RepCounter::new(cfg(false));
            let rest: Vec<(f64, f64)> = (0..60).map(|i| (i as f64 / FPS, noisy(0.0))).collect();
            c.calibrate(&rest);
            let signal: Vec<f64> = (0..(12.0 * FPS) as usize)
                .map(|i| noisy(rep_shape(i as f64 / FPS, 3.0, 2.0, 1.0, 10.0)))
                .collect();
            let events = run(&mut c, 12.0, |t| signal[(t * FPS).round() as usize]);
            let reps = completed(&events);
            assert_eq!(reps.len(), 1, "seed {seed}: {reps:?}");
            errors.push(reps[0].hold_s - 1.82);
        }
        // (Read by the speed edges alone, the holds are 0.03-0.94 s too long, 0.51 s on
        // average.)
        let mean = errors.iter().map(|e| e.abs()).sum::<f64>() / errors.len() as f64;
        let worst = errors.iter().fold(0.0f64, |w, e| w.max(e.abs()));
        assert!(mean < 0.3 && worst < 0.6, "hold errors {errors:?}");
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
    fn a_drifted_rest_after_a_long_hold_neither_merges_nor_starts_reps() {
        let mut spec = cfg(false);
        spec.spec.return_fraction = 0.25;
        let mut c = RepCounter::new(spec);
        c.calibrate(&[(0.0, 0.0), (0.1, 0.0)]);
        // After each rep the resting level has drifted up by 0.3 (between end and start):
        // three reps, not one merged or five.
        let events = run(&mut c, 32.0, |t| {
            let drift = 0.3 * ((t - 1.0) / 9.0).floor().clamp(0.0, 2.0);
            drift
                + (0..3)
                    .map(|k| rep_shape(t, 1.0 + 9.0 * k as f64, 0.9, 6.0, 1.5))
                    .sum::<f64>()
        });
        assert_eq!(completed(&events).len(), 3, "{events:?}");
    }

    #[test]
    fn small_excursions_after_full_reps_are_fidgets() {
        let mut c = RepCounter::new(cfg(true));
        c.calibrate(&[(0.0, 0.0)]);
        // Two full reps of 8, then a 0.6 dip the other way (above the 0.35 threshold,
        // under a tenth of the reps the other way: their return's overshoot), a real one
        // the other way at under half their size, and a 1.0 excursion the first way
        // (under a quarter of that way's reps).
        let events = run(&mut c, 24.0, |t| {
            rep_shape(t, 1.0, 1.0, 0.5, 8.0) + rep_shape(t, 4.0, 1.0, 0.5, 8.0)
                - rep_shape(t, 7.5, 1.0, 0.5, 0.6)
                - rep_shape(t, 11.0, 1.0, 0.5, 3.0)
                + rep_shape(t, 15.0, 1.0, 0.5, 1.0)
        });
        let signs: Vec<f64> = completed(&events).iter().map(|r| r.sign).collect();
        assert_eq!(signs, vec![1.0, 1.0, -1.0]);
    }

    /// A movement read under a quarter of the person's reps that way is a fidget, unless
    /// another reading of the movement vouches for it while it runs (a signal that reads
    /// one real rep far smaller than another); the noise floor still holds then.
    #[test]
    fn a_small_reading_another_cue_vouches_for_counts() {
        // Two reps of 8, then one read at 1.2 (under 8 / 4) at 8–11.5 s, then one at 0.2,
        // under the 0.35 start, at 14–17.5 s.
        let signal = |t: f64| {
            rep_shape(t, 1.0, 1.0, 0.5, 8.0)
                + rep_shape(t, 4.0, 1.0, 0.5, 8.0)
                + rep_shape(t, 8.0, 1.0, 1.5, 1.2)
                + rep_shape(t, 14.0, 1.0, 1.5, 0.2)
        };
        let counted = |vouch: &dyn Fn(f64) -> bool| {
            let mut c = RepCounter::new(cfg(false));
            c.calibrate(&[(0.0, 0.0)]);
            let mut events = Vec::new();
            for i in 0..(22.0 * FPS) as usize {
                let t = i as f64 / FPS;
                c.vouch(vouch(t));
                events.extend(c.update(t, Some(signal(t))));
            }
            completed(&events)
                .iter()
                .map(|m| (m.start_s.round(), m.peak))
                .collect::<Vec<_>>()
        };
        assert_eq!(counted(&|_| false).len(), 2, "a fidget unvouched");
        // Vouched from its start to its peak only (the other cue falls back first).
        let vouched = counted(&|t| (8.0..9.5).contains(&t) || (14.0..15.5).contains(&t));
        assert_eq!(vouched.len(), 3, "{vouched:?}");
        assert_eq!(vouched[2].0, 8.0, "{vouched:?}");
        assert!((vouched[2].1 - 1.2).abs() < 0.1, "{vouched:?}");
    }

    /// A small movement one way that runs straight into a rep the other way, with no rest
    /// between, is that rep's wind-up (a body shifting before it drops): under a tenth of
    /// the rep it is no rep of its own. With a rest between, the same movement counts.
    #[test]
    fn a_small_wind_up_straight_into_a_rep_the_other_way_is_no_rep() {
        // Rest, then a 0.5 bump (over the 0.35 start, under three times it) ending at
        // 4.4 s, a drop of 8 the other way from 4.2 s (`gap_s` later), and one of 8 back the
        // first way.
        let signs = |gap_s: f64| {
            let mut c = RepCounter::new(cfg(true));
            c.calibrate(&[(0.0, 0.0)]);
            let events = run(&mut c, 16.0, |t| {
                rep_shape(t, 3.0, 0.5, 0.4, 0.5) - rep_shape(t, 4.2 + gap_s, 1.0, 1.0, 8.0)
                    + rep_shape(t, 9.0 + gap_s, 1.0, 1.0, 8.0)
            });
            let mut reps = completed(&events);
            reps.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
            reps.iter().map(|r| r.sign).collect::<Vec<_>>()
        };
        assert_eq!(signs(0.0), vec![-1.0, 1.0], "a wind-up");
        assert_eq!(signs(1.5), vec![1.0, -1.0, 1.0], "a small rep, then rest");
    }

    #[test]
    fn what_rest_does_by_itself_is_never_counted() {
        let mut c = RepCounter::new(cfg(false));
        c.calibrate(&[(0.0, 0.0), (0.1, 0.001)]);
        // Twelve seconds of rest wobbling ±0.25 faster than the baseline follows (under
        // the 0.35 start), then an excursion of 0.5 held 2 s — inside three times what
        // rest showed — then a rep of 1.5.
        let wander = |t: f64| 0.25 * (t * std::f64::consts::TAU / 1.5).sin() + 1e-4 * t;
        let events = run(&mut c, 30.0, |t| {
            let rest = if t < 12.0 { wander(t) } else { 0.0 };
            rest + rep_shape(t, 13.0, 0.8, 2.0, 0.5) + rep_shape(t, 20.0, 0.8, 2.0, 1.5)
        });
        let peaks: Vec<f64> = completed(&events).iter().map(|r| r.peak).collect();
        assert_eq!(peaks.len(), 1, "{peaks:?}");
        assert!(peaks[0] > 1.2, "{peaks:?}");
        assert!(c.rest_excursion() > 0.2, "{}", c.rest_excursion());
    }

    #[test]
    fn a_side_that_moves_a_third_of_the_other_still_counts() {
        // A body and view where drops to one side show at a third of the other's.
        let mut c = RepCounter::new(cfg(true));
        c.calibrate(&[(0.0, 0.0)]);
        let events = run(&mut c, 26.0, |t| {
            (0..3)
                .map(|k| {
                    let t0 = 1.0 + 8.0 * f64::from(k);
                    rep_shape(t, t0, 1.0, 0.5, 6.0) - rep_shape(t, t0 + 4.0, 1.0, 0.5, 2.0)
                })
                .sum::<f64>()
        });
        let signs: Vec<f64> = completed(&events).iter().map(|r| r.sign).collect();
        assert_eq!(signs, vec![1.0, -1.0, 1.0, -1.0, 1.0, -1.0]);
    }

    #[test]
    fn the_landmarks_settling_after_calibration_is_no_rep_once_real_reps_are_seen() {
        // Calibrated on a moment of rest, then the signal creeps a fifth of a real rep
        // the other way over two and a half seconds (the landmarks settling), and stays
        // there: a rep each way follows, the last as the exercise ends.
        let mut c = RepCounter::new(CounterConfig {
            spec: CounterSpec {
                baseline_tau_s: 10.0,
                ..cfg(true).spec
            },
            signed: true,
        });
        c.calibrate(&[(0.0, 0.0), (0.2, 0.0)]);
        let creep = |t: f64| {
            -0.6 * (1.0 - (std::f64::consts::PI * ((t - 0.3) / 2.5).clamp(0.0, 1.0)).cos()) / 2.0
        };
        let signal =
            |t: f64| creep(t) + rep_shape(t, 3.3, 1.0, 1.0, 3.6) - rep_shape(t, 7.0, 1.0, 1.0, 3.4);
        let mut events = run(&mut c, 9.8, signal);
        let counted_live: Vec<f64> = completed(&events).iter().map(|r| r.sign).collect();
        events.extend(c.finish(9.8).into_iter().map(CounterEvent::RepCompleted));
        let signs: Vec<f64> = completed(&events).iter().map(|r| r.sign).collect();
        assert_eq!(signs, vec![1.0, -1.0], "live: {counted_live:?}");
    }

    #[test]
    fn the_landmarks_settling_does_not_raise_the_bar_for_a_rep_held_back_with_it() {
        // Calibrated at the first frames of a slow camera, inside MediaPipe's start-up:
        // the signal settles one and a half start thresholds the other way and rests
        // there a second; then a small rep (three starts from where it settled), and
        // straight after it a big one the other way. Rest is never seen long enough, so
        // the settling and the small rep are judged together at the end: the settling is
        // under the fidget share of the big rep, and is no measure of rest.
        let mut c = RepCounter::new(cfg(true));
        c.calibrate(&[(0.0, 0.0), (0.2, 0.0)]);
        let settle = |t: f64| {
            -0.55 * (1.0 - (std::f64::consts::PI * ((t - 0.3) / 0.6).clamp(0.0, 1.0)).cos()) / 2.0
        };
        let signal = |t: f64| {
            settle(t) + rep_shape(t, 2.0, 1.0, 1.0, 1.15) - rep_shape(t, 5.3, 1.0, 1.5, 4.0)
        };
        let mut events = run(&mut c, 9.5, signal);
        events.extend(c.finish(9.5).into_iter().map(CounterEvent::RepCompleted));
        let reps = completed(&events);
        let signs: Vec<f64> = reps.iter().map(|r| r.sign).collect();
        assert_eq!(signs, vec![1.0, -1.0], "{reps:?}");
    }

    /// A cue that comes back only half-way after each rep and rests there (the belly's
    /// outline from a raised camera): with `settled_return`, each fall to a new resting
    /// level ends its rep, and three reps count as three; without it they are one long
    /// rep that never came back.
    #[test]
    fn a_return_to_a_new_resting_level_ends_the_rep() {
        // Up to 1.0 in 0.8 s, held 4 s, down to 0.5 in 0.8 s, rested 2 s there; twice
        // more up to 1.0 and back to 0.5.
        let knots = [
            (1.0, 0.0),
            (1.8, 1.0),
            (5.8, 1.0),
            (6.6, 0.5),
            (8.6, 0.5),
            (9.4, 1.0),
            (13.4, 1.0),
            (14.2, 0.5),
            (16.2, 0.5),
            (17.0, 1.0),
            (21.0, 1.0),
            (21.8, 0.5),
        ];
        let signal = move |t: f64| {
            let Some(i) = knots.iter().rposition(|k| k.0 <= t) else {
                return 0.0;
            };
            let (t0, v0) = knots[i];
            let Some(&(t1, v1)) = knots.get(i + 1) else {
                return v0;
            };
            let u = ((t - t0) / (t1 - t0)).clamp(0.0, 1.0);
            v0 + (v1 - v0) * (1.0 - (std::f64::consts::PI * u).cos()) / 2.0
        };
        let counted = |settled_return: Option<f64>| {
            let mut c = RepCounter::new(CounterConfig {
                spec: CounterSpec {
                    settled_return,
                    ..cfg(false).spec
                },
                signed: false,
            });
            c.calibrate(&[(0.0, 0.0), (0.2, 0.0), (0.4, 0.0)]);
            let mut events = run(&mut c, 24.0, signal);
            events.extend(c.finish(24.0).into_iter().map(CounterEvent::RepCompleted));
            completed(&events)
        };
        let reps = counted(Some(0.5));
        assert_eq!(reps.len(), 3, "{reps:?}");
        for m in &reps {
            assert!((m.hold_s - 4.3).abs() < 0.5, "hold {}", m.hold_s);
        }
        assert!(counted(None).len() < 3);
    }

    fn blind_spec() -> CounterConfig {
        CounterConfig {
            spec: CounterSpec {
                unseeable_raise: Some(1.5),
                ..cfg(false).spec
            },
            signed: false,
        }
    }

    /// Rest wandering below its calibrated level by `amp`, slowly (the landmarks'
    /// drift), from `from_s` on.
    fn wander_below(t: f64, from_s: f64, amp: f64) -> f64 {
        if t < from_s {
            0.0
        } else {
            -amp * (std::f64::consts::TAU * (t - from_s) / 6.0).sin().abs()
        }
    }

    #[test]
    fn rest_wandering_the_other_way_as_far_as_a_rep_goes_cannot_be_seen_through() {
        // An unsigned signal never counts its way down, and its baseline follows rest
        // there; but drift goes both ways, so a rest that wanders down as far as a rep
        // goes (0.5, of which the baseline's following leaves over half) could as well
        // have wandered up: a 0.35 rep cannot be told from it. From the first frame on:
        // what rest shows later says the same of the stillness before.
        let mut c = RepCounter::new(blind_spec());
        c.calibrate(&[(0.0, 0.0), (0.2, 0.0)]);
        let events = run(&mut c, 20.0, |t| wander_below(t, 4.0, 0.5));
        assert!(completed(&events).is_empty());
        assert!(c.rest_wander() > 0.175, "{}", c.rest_wander());
        assert!(!c.can_see(), "rest wanders as far as a rep");
        assert_eq!(c.blind_since(), Some(0.0));

        // The same rest a tenth as far: seen.
        let mut quiet = RepCounter::new(blind_spec());
        quiet.calibrate(&[(0.0, 0.0), (0.2, 0.0)]);
        run(&mut quiet, 20.0, |t| wander_below(t, 4.0, 0.05));
        assert!(quiet.can_see());
        assert_eq!(quiet.blind_since(), None);
    }

    #[test]
    fn a_rep_rest_nearly_makes_by_itself_does_not_show_the_movement_is_seen() {
        // A small rep (0.45) is counted; then rest wanders by itself (0.5 down, read as
        // over 0.25 against the baseline that follows it). That rep is no
        // proof the movement can be seen (under twice what rest does), so the counter
        // cannot see from its end on, and says nothing it counted stood out of rest. A
        // rep three times the wander is proof.
        let run_with = |amp: f64| {
            let mut c = RepCounter::new(blind_spec());
            c.calibrate(&[(0.0, 0.0), (0.2, 0.0)]);
            let events = run(&mut c, 24.0, |t| {
                rep_shape(t, 4.0, 1.0, 2.0, amp) + wander_below(t, 10.0, 0.5)
            });
            (c, completed(&events))
        };
        let (small, counted) = run_with(0.45);
        assert_eq!(counted.len(), 1, "{counted:?}");
        assert!(!small.can_see());
        assert!(small.saw_nothing());
        let end = counted.first().map(|m| m.end_s);
        assert_eq!(small.blind_since(), end);

        let (clear, counted) = run_with(1.2);
        assert_eq!(counted.len(), 1, "{counted:?}");
        assert!(
            clear.can_see(),
            "a rep counted lately stands out of rest's wander"
        );
        assert!(!clear.saw_nothing());
    }

    #[test]
    fn rest_the_clip_ends_on_is_measured_at_its_end() {
        // A small rep (0.45), then rest wanders by itself (0.5 down) only in the clip's
        // last seconds: too late to be trusted while a rep might still start from it
        // (`REST_LAG_S`), but none will once the clip is over. It then says, as it would
        // a few seconds later, that the rep stood no clearer of rest than rest itself.
        let mut c = RepCounter::new(blind_spec());
        c.calibrate(&[(0.0, 0.0), (0.2, 0.0)]);
        let events = run(&mut c, 12.5, |t| {
            rep_shape(t, 4.0, 1.0, 2.0, 0.45) + wander_below(t, 10.0, 0.5)
        });
        assert_eq!(completed(&events).len(), 1);
        assert!(c.can_see(), "rest not yet trusted");
        assert!(c.finish(12.5).is_empty());
        assert!(!c.can_see());
        assert!(c.saw_nothing());
    }

    #[test]
    fn a_rep_that_rises_for_long_must_stand_further_out_of_drift() {
        // Rest's wander is read against a baseline that follows it within a second;
        // a rep's peak against the baseline it left, which drift has had the whole
        // rise to move from. The same 0.8 rep over rest wandering 0.5 down (read as
        // 0.35): out in 1 s it stands clear; out over 3.5 s, drift could have made as
        // much.
        let run_with = |ramp_s: f64| {
            let mut c = RepCounter::new(blind_spec());
            c.calibrate(&[(0.0, 0.0), (0.2, 0.0)]);
            let events = run(&mut c, 24.0, |t| {
                rep_shape(t, 4.0, ramp_s, 1.0, 0.8) + wander_below(t, 14.0, 0.5)
            });
            c.finish(24.0);
            (c, completed(&events))
        };
        let (quick, counted) = run_with(1.0);
        assert_eq!(counted.len(), 1, "{counted:?}");
        assert!(!quick.saw_nothing(), "{}", quick.rest_wander());
        let (slow, counted) = run_with(3.5);
        assert_eq!(counted.len(), 1, "{counted:?}");
        assert!(slow.saw_nothing(), "{}", slow.rest_wander());
    }

    #[test]
    fn a_rep_that_never_comes_back_is_a_resting_level_that_moved() {
        // A rep-sized rise that stays (the landmarks' level moved): past `max_rep_s` it is
        // dropped, counts nothing, and the movement cannot be told from rest.
        let spec = CounterSpec {
            max_rep_s: Some(20.0),
            unseeable_raise: Some(1.5),
            ..cfg(false).spec
        };
        let mut c = RepCounter::new(CounterConfig {
            spec: spec.clone(),
            signed: false,
        });
        c.calibrate(&[(0.0, 0.0), (0.2, 0.0)]);
        let moved = |t: f64| rep_shape(t, 2.0, 1.0, 100.0, 1.0);
        let mut events = run(&mut c, 21.0, moved);
        assert!(completed(&events).is_empty(), "a hold never came back");
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, CounterEvent::RepDiscarded { .. })),
            "still within max_rep_s"
        );
        events = (21 * 30..30 * 30)
            .flat_map(|i| {
                let t = f64::from(i) / FPS;
                c.update(t, Some(moved(t)))
            })
            .collect();
        assert!(completed(&events).is_empty());
        assert!(
            events
                .iter()
                .any(|e| matches!(e, CounterEvent::RepDiscarded { .. })),
            "dropped past max_rep_s"
        );
        assert!(!c.can_see(), "a drift as large as a rep: cannot see");
        // Without the limit, the same signal reports one long hold at the end.
        let mut unlimited = RepCounter::new(CounterConfig {
            spec: CounterSpec {
                max_rep_s: None,
                ..spec
            },
            signed: false,
        });
        unlimited.calibrate(&[(0.0, 0.0), (0.2, 0.0)]);
        run(&mut unlimited, 30.0, moved);
        assert!(unlimited.in_rep());
    }

    #[test]
    fn finishing_counts_a_rep_that_has_mostly_come_back() {
        let mut c = RepCounter::new(cfg(false));
        c.calibrate(&[(0.0, 0.0)]);
        // The video ends while the signal is still at 0.3 on its way back.
        run(&mut c, 5.2, |t| {
            if t < 4.0 {
                rep_shape(t, 1.0, 0.9, 1.5, 0.8)
            } else {
                0.3
            }
        });
        assert_eq!(c.finish(5.2).len(), 1);
        let mut out = RepCounter::new(cfg(false));
        out.calibrate(&[(0.0, 0.0)]);
        run(&mut out, 3.0, |t| rep_shape(t, 1.0, 0.9, 5.0, 0.8));
        assert!(out.finish(3.0).is_empty(), "still out: not a rep yet");
    }

    #[test]
    fn finishing_counts_a_clear_rep_that_came_back_before_the_landmarks_wandered() {
        // Out, held, most of the way back, then the reading wanders off again until the
        // video ends (webcam-like copies: a knee drop's roll came back to 40% of its peak
        // and then read 70% at the last frame).
        let wander = |amp: f64, back: f64, then: f64| {
            move |t: f64| {
                if t < 4.0 {
                    rep_shape(t, 1.0, 0.9, 1.5, amp)
                } else if t < 4.6 {
                    back
                } else {
                    then
                }
            }
        };
        let mut clear = RepCounter::new(cfg(false));
        clear.calibrate(&[(0.0, 0.0)]);
        run(&mut clear, 6.0, wander(1.2, 0.3, 0.85));
        assert_eq!(
            clear.finish(6.0).len(),
            1,
            "a clear rep came back: it counts"
        );
        // A rep barely past its start that only wandered under half its peak may be drift.
        let mut faint = RepCounter::new(cfg(false));
        faint.calibrate(&[(0.0, 0.0)]);
        run(&mut faint, 6.0, wander(0.5, 0.2, 0.4));
        assert!(
            faint.finish(6.0).is_empty(),
            "a faint one is not back at the end"
        );
    }
}
