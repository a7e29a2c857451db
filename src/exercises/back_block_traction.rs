//! Back block traction (lying on the back on a block under the sacrum, camera beside).
//!
//! In flow [`BodyFrame`]s in side-view lying axes; out flow a timed hold (not reps),
//! leg-slide steps and the faults `block-too-high`, `both-legs-together`, `over-time`.
//!
//! - On the block: the hip midpoint sits well above the shoulder–ankle line. The clock
//!   starts when that height has held still for a moment (backdated to the start of the
//!   still stretch, so someone already settled at the first frame is timed from it) and
//!   stops when the hips lift off or come down to the floor.
//! - `block-too-high`: with the block under the lumbar spine instead of the sacrum the
//!   pelvis tips down off it and the hips sit lower above the shoulder–ankle line. The
//!   height is read in body sizes (the mean of torso and leg length), not torso lengths:
//!   a block is as high under a long torso as under a short one. There is rarely a
//!   lying-flat baseline to compare with — people arrive on the block — so the threshold
//!   is calibrated (rendered clips, synthetic bodies) and speaks only when clearly low.
//! - Leg slides are steps: a leg's straightness rising from its bent resting value.
//!   Both legs straightening at once is `both-legs-together`. The legs are read with
//!   BlazePose's labels corrected at calibration, so a swap in a pure side view does not
//!   mislabel the steps.
//! - `over-time` begins at the time limit (60 s) of settled time and lasts until the
//!   person comes off the block; it is a safety prompt.

use std::collections::VecDeque;

use serde::Deserialize;

use super::faults::FaultTracker;
use super::spec::{ExerciseSpec, SpecError};
use super::{
    Counts, Exercise, ExerciseEvent, ExerciseRecord, ExerciseState, FaultCode, RepRecord,
    Requirements, Side, StepRecord, TimerState,
};
use crate::kinematics::geometry::median;
use crate::kinematics::{BodyFrame, BodyPart, PartVisibility, SideNeed};
use crate::pose::index;

/// Faults this exercise raises.
pub const FAULTS: &[FaultCode] = &[
    FaultCode::BlockTooHigh,
    FaultCode::BothLegsTogether,
    FaultCode::OverTime,
];

/// Thresholds from `[checks]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TractionChecks {
    pub settled_height_torso: f64,
    pub settle_s: f64,
    pub settle_band_torso: f64,
    pub block_min_height_body: f64,
    pub slide_start: f64,
    pub slide_done: f64,
    pub both_legs_min_s: f64,
    pub both_legs_share: f64,
    pub arms_overhead_torso: f64,
    pub lift_off_torso: f64,
}

/// A drop to a lower resting height this soon after settling means the first "settle"
/// was the lift that slid the block in.
const RESETTLE_S: f64 = 10.0;

/// Seconds of bent-leg hip height needed to judge the block.
const BLOCK_JUDGE_S: f64 = 0.3;

/// Visibility the far leg needs in a side view (it lies behind the near one, and
/// BlazePose scores it lower while still placing it well).
const LEG_VISIBILITY_MIN: f32 = 0.3;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Leg {
    /// At rest (bent); last seen near its resting straightness at `quiet_s`.
    Bent { quiet_s: f64 },
    /// Sliding out since `since_s` (when it left rest).
    Sliding { since_s: f64 },
    /// Past the straightened mark and still extending; the step ends once it stops.
    Extending {
        since_s: f64,
        max_ext: f64,
        last_rise_s: f64,
    },
    /// Straightened (slide finished).
    Straight,
}

impl Leg {
    /// Since when the leg has been moving out, if it is.
    fn moving_since(self) -> Option<f64> {
        match self {
            Leg::Sliding { since_s } | Leg::Extending { since_s, .. } => Some(since_s),
            _ => None,
        }
    }
}

/// A straightened leg has finished its slide once it has not extended further for this long.
const SLIDE_SETTLE_S: f64 = 1.0;
/// A straightened leg's slide is done only while it stays this near its furthest reach…
const SLIDE_HELD: f64 = 0.8;
/// …and was an echo, not a slide, if it falls back under this share of it first.
const ECHO_FALL_BACK: f64 = 0.5;
/// Extension (straightness above rest) that counts as "still at rest".
const LEG_QUIET: f64 = 0.03;
/// The settle band is at least this many times the hip height's resting spread: about
/// the range of a second of still frames.
const SETTLE_NOISE_FACTOR: f64 = 5.0;

/// Back block traction.
pub struct BackBlockTraction {
    spec: ExerciseSpec,
    checks: TractionChecks,
    faults: FaultTracker,
    /// Recent hip heights for the settle test.
    heights: VecDeque<(f64, f64)>,
    /// Timer start, while settled.
    settled_since: Option<f64>,
    /// The hip height's spread at calibration (torso lengths): a dim room's webcam
    /// jitters more than the settle band, and a still person must still settle.
    height_noise: f64,
    settled_level: f64,
    /// The current hold's start has been reported.
    timer_announced: bool,
    /// Finished holds: (start, end).
    holds: Vec<(f64, f64)>,
    /// Since when the hips have rested lower than where the timer settled them.
    lower_since: Option<f64>,
    leg_rest: [f64; 2],
    /// Hip heights (t, height) while on the block with both legs bent (the block's
    /// verdict).
    bent_heights: Vec<(f64, f64)>,
    legs: [Leg; 2],
    /// The body's size in torso lengths: the mean of torso and leg length (the block's
    /// height is the same for a long torso and a short one).
    body_torso: f64,
    steps: Vec<StepRecord>,
    /// One leg of a both-legs slide finished, waiting for the other's: (leg, start, end).
    pending_slide: Option<(usize, f64, f64)>,
    /// Both legs have been sliding out in step during the current slides.
    legs_together: bool,
    arms_overhead_since: Option<f64>,
    arms_noted: bool,
    notes: Vec<String>,
    last_t: f64,
    /// The last frame showed the trunk the block and the clock are judged from.
    trunk_seen: bool,
}

const BLOCK: [usize; 6] = [
    index::LEFT_SHOULDER,
    index::RIGHT_SHOULDER,
    index::LEFT_HIP,
    index::RIGHT_HIP,
    index::LEFT_ANKLE,
    index::RIGHT_ANKLE,
];
const LEGS: [usize; 6] = [
    index::LEFT_HIP,
    index::RIGHT_HIP,
    index::LEFT_KNEE,
    index::RIGHT_KNEE,
    index::LEFT_ANKLE,
    index::RIGHT_ANKLE,
];

impl BackBlockTraction {
    /// Builds it from its spec.
    pub fn new(spec: ExerciseSpec) -> Result<Self, SpecError> {
        let checks: TractionChecks = spec.checks()?;
        Ok(Self {
            spec,
            checks,
            faults: FaultTracker::default(),
            heights: VecDeque::new(),
            settled_since: None,
            height_noise: 0.0,
            settled_level: 0.0,
            timer_announced: false,
            holds: Vec::new(),
            lower_since: None,
            leg_rest: [0.55; 2],
            bent_heights: Vec::new(),
            legs: [Leg::Bent { quiet_s: 0.0 }; 2],
            steps: Vec::new(),
            pending_slide: None,
            body_torso: 1.0,
            legs_together: false,
            arms_overhead_since: None,
            arms_noted: false,
            notes: Vec::new(),
            last_t: 0.0,
            trunk_seen: false,
        })
    }

    fn limit_s(&self) -> f64 {
        self.spec.prescription.time_limit_s
    }

    /// Settled time so far (current hold, or the last one).
    fn elapsed_s(&self, now: f64) -> f64 {
        match self.settled_since {
            Some(s) => now - s,
            None => self.holds.last().map_or(0.0, |(a, b)| b - a),
        }
    }

    fn stop_timer(&mut self, t_s: f64) -> Vec<ExerciseEvent> {
        let Some(since) = self.settled_since.take() else {
            return Vec::new();
        };
        self.lower_since = None;
        self.timer_announced = false;
        self.holds.push((since, t_s));
        vec![ExerciseEvent::TimerStopped {
            t_s,
            elapsed_s: t_s - since,
        }]
    }

    /// How still the hips must hold to be settled: the TOML's band, or more where the
    /// picture's own jitter is larger.
    fn settle_band(&self) -> f64 {
        self.checks
            .settle_band_torso
            .max(SETTLE_NOISE_FACTOR * self.height_noise)
    }

    fn update_settle(
        &mut self,
        t_s: f64,
        height: Option<f64>,
        legs_bent: bool,
    ) -> Vec<ExerciseEvent> {
        let mut events = Vec::new();
        let c = self.checks.clone();
        let Some(h) = height else {
            return events;
        };
        self.heights.push_back((t_s, h));
        while self
            .heights
            .front()
            .is_some_and(|(t, _)| t_s - t > c.settle_s)
        {
            self.heights.pop_front();
        }
        match self.settled_since {
            None => {
                let span = self.heights.back().map_or(0.0, |b| b.0)
                    - self.heights.front().map_or(0.0, |f| f.0);
                let (lo, hi) = self
                    .heights
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (_, v)| {
                        (lo.min(*v), hi.max(*v))
                    });
                if span >= c.settle_s - 0.05
                    && lo >= c.settled_height_torso
                    && hi - lo <= self.settle_band()
                {
                    let since = self.heights.front().map_or(t_s, |f| f.0);
                    self.settled_since = Some(since);
                    self.settled_level = (lo + hi) / 2.0;
                    self.timer_announced = true;
                    events.push(ExerciseEvent::TimerStarted { t_s: since });
                }
            }
            Some(since) => {
                let lower = legs_bent && h < self.settled_level - 1.5 * self.settle_band();
                if h > self.settled_level + c.lift_off_torso || h < 0.5 * c.settled_height_torso {
                    events.extend(self.stop_timer(t_s));
                } else if lower && t_s - since <= RESETTLE_S {
                    // Soon after "settling" the hips came down to a lower rest: that was
                    // the lift to slide the block in. The clock starts again from where
                    // they settled on the block. A rest, not a dip: a leg beginning its
                    // slide lowers the reading too (its ankle moves the shoulder–ankle
                    // line) before the leg reads as sliding, and a live camera's noise
                    // takes that dip past the line.
                    let from = *self.lower_since.get_or_insert(t_s);
                    if t_s - from >= c.settle_s {
                        self.settled_since = None;
                        self.timer_announced = false;
                        self.heights.retain(|(t, _)| *t >= from);
                        self.lower_since = None;
                        events.push(ExerciseEvent::TimerStopped {
                            t_s,
                            elapsed_s: 0.0,
                        });
                    }
                } else if lower {
                    // Slipped off the block after a while on it: that hold is over.
                    events.extend(self.stop_timer(t_s));
                } else {
                    self.lower_since = None;
                }
            }
        }
        events
    }

    fn update_legs(&mut self, t_s: f64, f: &BodyFrame) -> Vec<ExerciseEvent> {
        let mut events = Vec::new();
        let c = self.checks.clone();
        let mut finished: Vec<(usize, f64, f64)> = Vec::new();
        let mut echoed = false;
        let mut exts = [0.0; 2];
        // Whether each leg is still reaching further out (at the start of this frame).
        let rising = self.legs.map(|l| {
            matches!(l, Leg::Extending { last_rise_s, .. } if t_s - last_rise_s < SLIDE_SETTLE_S)
        });
        for (k, slot) in exts.iter_mut().enumerate() {
            let ext = f.leg_straightness.get(k).copied().unwrap_or(0.0)
                - self.leg_rest.get(k).copied().unwrap_or(0.0);
            *slot = ext;
            let Some(leg) = self.legs.get_mut(k) else {
                continue;
            };
            *leg = match *leg {
                Leg::Bent { .. } if ext < LEG_QUIET => Leg::Bent { quiet_s: t_s },
                Leg::Bent { quiet_s } if ext > c.slide_start => Leg::Sliding { since_s: quiet_s },
                Leg::Sliding { since_s } if ext >= c.slide_done => Leg::Extending {
                    since_s,
                    max_ext: ext,
                    last_rise_s: t_s,
                },
                Leg::Sliding { .. } if ext < 0.5 * c.slide_start => Leg::Bent { quiet_s: t_s },
                Leg::Extending {
                    since_s,
                    max_ext,
                    last_rise_s,
                } => {
                    if ext > max_ext + 0.01 {
                        Leg::Extending {
                            since_s,
                            max_ext: ext,
                            last_rise_s: t_s,
                        }
                    } else if ext < ECHO_FALL_BACK * max_ext {
                        // Fell back before it settled: BlazePose's echo of the other
                        // leg's slide on the hidden far leg, not a slide of its own.
                        echoed = true;
                        Leg::Bent { quiet_s: t_s }
                    } else if t_s - last_rise_s >= SLIDE_SETTLE_S
                        && ext >= SLIDE_HELD * max_ext
                        && !rising.get(1 - k).copied().unwrap_or(false)
                    {
                        // (Not while the other leg is still reaching out: the far leg,
                        // dragged along by the near one's slide, pauses where a noisy
                        // reading of the near one does, and would "finish" first.)
                        finished.push((k, since_s, last_rise_s));
                        Leg::Straight
                    } else {
                        Leg::Extending {
                            since_s,
                            max_ext,
                            last_rise_s,
                        }
                    }
                }
                Leg::Straight if ext < 0.5 * c.slide_start => Leg::Bent { quiet_s: t_s },
                other => other,
            };
        }
        if let [(_, a0, a1), (_, b0, b1)] = finished[..]
            && self.legs_together
        {
            // Both legs finished in the same frame: one "both legs" step.
            self.pending_slide = Some((0, a0, a1));
            events.extend(self.record_slide(1, b0, b1, c.both_legs_min_s));
        } else {
            for (k, start_s, end_s) in finished {
                events.extend(self.record_slide(k, start_s, end_s, c.both_legs_min_s));
            }
        }
        // The slide that waited for a partner that turned out to be an echo is one leg's,
        // and an echo is no evidence of the legs moving together.
        if echoed {
            self.legs_together = false;
            if let Some((k, start_s, end_s)) = self.pending_slide.take() {
                events.extend(self.record_slide(k, start_s, end_s, c.both_legs_min_s));
            }
        }

        // Both legs sliding out at once, in step and each far enough to be a slide: the
        // two finished slides become one "both legs" step, and the fault is recorded then,
        // from the moment both were moving. Not before: from the side, BlazePose drags the
        // hidden far leg along with the near one — on some bodies (rendered E and I) one
        // to one and well past a slide's mark — and only its falling back before the near
        // leg settles tells the echo from a slide.
        tracing::trace!(target: "backform::signal", t_s, ext0 = exts[0], ext1 = exts[1]);
        let sinces: Vec<f64> = self.legs.iter().filter_map(|l| l.moving_since()).collect();
        let (lo, hi) = (exts[0].min(exts[1]), exts[0].max(exts[1]));
        let in_step = hi > 0.0 && lo >= c.both_legs_share * hi && lo >= c.slide_done;
        let together = sinces.len() == 2
            && in_step
            && sinces.iter().all(|&since| t_s - since >= c.both_legs_min_s);
        if together {
            self.legs_together = true;
        } else if sinces.is_empty() && self.pending_slide.is_none() {
            self.legs_together = false;
        }
        events.extend(
            self.faults
                .observe(t_s, FaultCode::BothLegsTogether, Some(false), &LEGS),
        );
        events
    }

    /// Records a finished leg slide; two slides overlapping in time become one "both
    /// legs" step.
    fn record_slide(
        &mut self,
        k: usize,
        start_s: f64,
        end_s: f64,
        overlap_min_s: f64,
    ) -> Vec<ExerciseEvent> {
        let side = if k == 0 { Side::Left } else { Side::Right };
        let other_moving = self
            .legs
            .get(1 - k)
            .and_then(|l| l.moving_since())
            .is_some_and(|s| self.legs_together && end_s - s >= overlap_min_s);
        if other_moving {
            // The other leg's completion records the pair.
            self.pending_slide = Some((k, start_s, end_s));
            return Vec::new();
        }
        let mut events = Vec::new();
        let pair = self.pending_slide.take();
        let step = match pair {
            Some((_, a, b)) => {
                // Both legs were moving from the later of the two starts. Raised now and
                // ended half a second on (`update_legs`), so the prompt is still said for
                // the next slide.
                events.extend(self.faults.force_start(
                    FaultCode::BothLegsTogether,
                    a.max(start_s),
                    &LEGS,
                ));
                StepRecord {
                    side: None,
                    start_s: a.min(start_s),
                    end_s: b.max(end_s),
                    what: "both legs slid out together".into(),
                }
            }
            None => StepRecord {
                side: Some(side),
                start_s,
                end_s,
                what: format!("{} leg slid out", side.as_str()),
            },
        };
        self.steps.push(step.clone());
        events.push(ExerciseEvent::StepCompleted(step));
        events
    }
}

impl Exercise for BackBlockTraction {
    fn spec(&self) -> &ExerciseSpec {
        &self.spec
    }

    fn requirements(&self) -> Requirements {
        Requirements::lying_side_view()
    }

    fn check_start(&self, _frame: &BodyFrame) -> Result<(), String> {
        // Lying on the back is enough: people may arrive on the block or lie flat first
        // and slide it in; the clock waits for them to settle on it.
        Ok(())
    }

    fn calibrate(&mut self, since_s: f64, rest: &[(f64, BodyFrame)]) {
        for k in 0..2 {
            let values: Vec<f64> = rest
                .iter()
                .filter_map(|(_, b)| b.leg_straightness.get(k).copied())
                .collect();
            if let (Some(slot), Some(m)) = (self.leg_rest.get_mut(k), median(&values)) {
                *slot = m;
            }
        }
        if let Some(leg) = median(
            &rest
                .iter()
                .map(|(_, b)| b.leg_length_torso)
                .collect::<Vec<_>>(),
        ) && leg > 0.0
        {
            self.body_torso = (1.0 + leg) / 2.0;
        }
        // Already settled on the block at the start: time from the first frame. (Calibrated
        // again after the picture changed, a hold under way keeps its start.)
        let heights: Vec<f64> = rest.iter().map(|(_, b)| b.hip_height_torso).collect();
        // Its spread while still (not successive differences: the landmark filter makes
        // neighbouring frames alike while the level still wanders).
        self.height_noise = crate::kinematics::geometry::spread_about_median(&heights);
        if self.settled_since.is_none()
            && let Some(h) = median(&heights)
            && h >= self.checks.settled_height_torso
        {
            let (lo, hi) = heights
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(*v), hi.max(*v))
                });
            if hi - lo <= 2.0 * self.settle_band() {
                self.settled_since = Some(since_s);
                self.settled_level = h;
                // Still frames in the starting position: legs bent, on the block.
                self.bent_heights = rest.iter().map(|(t, b)| (*t, b.hip_height_torso)).collect();
            }
        }
    }

    fn update(
        &mut self,
        t_s: f64,
        frame: Option<&BodyFrame>,
        seen: &PartVisibility,
    ) -> Vec<ExerciseEvent> {
        let mut events = Vec::new();
        if let Some(since) = self.settled_since
            && !self.timer_announced
        {
            self.timer_announced = true;
            events.push(ExerciseEvent::TimerStarted { t_s: since });
        }
        self.last_t = t_s;
        let min = crate::kinematics::visibility::DEFAULT_VISIBILITY_MIN;
        let trunk_seen = seen.sees(BodyPart::Shoulders, SideNeed::Either, min)
            && seen.sees(BodyPart::Hips, SideNeed::Either, min)
            && seen.sees(BodyPart::Ankles, SideNeed::Either, min);
        let legs_seen = seen.sees(BodyPart::Knees, SideNeed::Both, LEG_VISIBILITY_MIN)
            && seen.sees(BodyPart::Ankles, SideNeed::Both, LEG_VISIBILITY_MIN)
            && seen.sees(BodyPart::Hips, SideNeed::Both, LEG_VISIBILITY_MIN);

        let c = self.checks.clone();
        // Straightening the legs moves the ankles and with them the shoulder–ankle line:
        // the block is judged, and a drop of the hips noticed, with the legs still bent.
        let legs_bent = frame.is_some_and(|f| {
            f.leg_straightness
                .iter()
                .zip(self.leg_rest)
                .all(|(s, rest)| s - rest < c.slide_start)
        });
        self.trunk_seen = trunk_seen && frame.is_some();
        let height = frame.filter(|_| trunk_seen).map(|f| f.hip_height_torso);
        events.extend(self.update_settle(t_s, height, legs_bent));

        let on_block = self.settled_since.is_some();
        // The block's verdict: the median of bent-leg frames while on the block; it holds
        // until the person comes off it.
        match (on_block, height) {
            (true, Some(h)) if legs_bent => self.bent_heights.push((t_s, h)),
            (false, _) => self.bent_heights.clear(),
            _ => {}
        }
        let judged_s = match (self.bent_heights.first(), self.bent_heights.last()) {
            (Some(first), Some(last)) => last.0 - first.0,
            _ => 0.0,
        };
        let too_high = if !on_block {
            Some(false)
        } else if judged_s >= BLOCK_JUDGE_S - 1e-6 {
            let heights: Vec<f64> = self.bent_heights.iter().map(|(_, h)| *h).collect();
            median(&heights).map(|h| h / self.body_torso < c.block_min_height_body)
        } else {
            None
        };
        // The block has been where it is since the person settled on it.
        match (too_high, self.settled_since) {
            (Some(true), Some(since)) if !self.faults.is_active(FaultCode::BlockTooHigh) => {
                events.extend(
                    self.faults
                        .force_start(FaultCode::BlockTooHigh, since, &BLOCK),
                );
            }
            _ => events.extend(
                self.faults
                    .observe(t_s, FaultCode::BlockTooHigh, too_high, &BLOCK),
            ),
        }

        let over = self
            .settled_since
            .is_some_and(|s| self.limit_s() > 0.0 && t_s - s > self.limit_s());
        if over && !self.faults.is_active(FaultCode::OverTime) {
            let at = self.settled_since.map_or(t_s, |s| s + self.limit_s());
            events.extend(self.faults.force_start(FaultCode::OverTime, at, &BLOCK));
        } else {
            events.extend(
                self.faults
                    .observe(t_s, FaultCode::OverTime, Some(over), &BLOCK),
            );
        }

        match frame.filter(|_| legs_seen) {
            Some(f) => {
                events.extend(self.update_legs(t_s, f));
                let overhead = f.wrists_past_head_torso > c.arms_overhead_torso;
                if overhead {
                    let since = *self.arms_overhead_since.get_or_insert(t_s);
                    if !self.arms_noted && t_s - since >= 1.0 {
                        self.arms_noted = true;
                        let text = format!(
                            "arms overhead from {since:.1} s (progression: extra traction)"
                        );
                        self.notes.push(text.clone());
                        events.push(ExerciseEvent::Note { text });
                        // The progression is a step of the traction, like a leg slide.
                        let step = StepRecord {
                            side: None,
                            start_s: since,
                            end_s: t_s,
                            what: "arms raised overhead".into(),
                        };
                        self.steps.push(step.clone());
                        events.push(ExerciseEvent::StepCompleted(step));
                    }
                } else {
                    self.arms_overhead_since = None;
                }
            }
            None => {
                events.extend(
                    self.faults
                        .observe(t_s, FaultCode::BothLegsTogether, None, &[]),
                );
            }
        }
        events
    }

    fn state(&self) -> ExerciseState {
        let mut check_landmarks: Vec<usize> = BLOCK.iter().chain(&LEGS).copied().collect();
        check_landmarks.sort_unstable();
        check_landmarks.dedup();
        ExerciseState {
            counts: self.record_counts(),
            set: 1,
            reps_in_set: 0,
            reps_target: 0,
            reps_per_side_target: 0,
            hold: None,
            timer: Some(TimerState {
                running: self.settled_since.is_some(),
                elapsed_s: self.elapsed_s(self.last_t),
                limit_s: self.limit_s(),
            }),
            active_faults: self.faults.active(),
            check_landmarks,
            fault_landmarks: self.faults.active_landmarks(),
            signal_below_noise: false,
            unseen_since: None,
            signal_noise: 0.0,
            signal_seen: self.trunk_seen,
            in_rep: self.settled_since.is_some(),
            movement: None,
            movement_threshold: 0.0,
        }
    }

    fn finish(&mut self, t_s: f64) -> Vec<ExerciseEvent> {
        let mut events = self.stop_timer(t_s);
        events.extend(self.faults.close_all(t_s));
        events
    }

    fn record(&self) -> ExerciseRecord {
        let faults = self.faults.spans().to_vec();
        let reps: Vec<RepRecord> = self
            .holds
            .iter()
            .enumerate()
            .map(|(i, &(a, b))| {
                let mut codes: Vec<FaultCode> = faults
                    .iter()
                    .filter(|s| s.start_s <= b && s.end_s >= a)
                    .map(|s| s.code)
                    .collect();
                codes.sort_unstable();
                codes.dedup();
                RepRecord {
                    side: None,
                    side_inferred: false,
                    set: 1,
                    number: i as u32 + 1,
                    start_s: a,
                    end_s: b,
                    hold_s: Some(b - a),
                    range_deg: None,
                    faults: codes,
                }
            })
            .collect();
        let mut notes = self.notes.clone();
        notes.push(
            "a traction is one timed hold on the block; leg slides are steps, not reps".into(),
        );
        ExerciseRecord {
            counts: self.record_counts(),
            reps,
            faults,
            sets: Vec::new(),
            steps: self.steps.clone(),
            notes,
            unseen_since: None,
        }
    }
}

impl BackBlockTraction {
    fn record_counts(&self) -> Counts {
        Counts {
            left: 0,
            right: 0,
            total: self.holds.len() as u32 + u32::from(self.settled_since.is_some()),
        }
    }
}
