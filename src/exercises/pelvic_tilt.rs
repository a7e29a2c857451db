//! Pelvic tilt (lying on the back, camera beside at floor level).
//!
//! In flow [`BodyFrame`]s in side-view lying axes; out flow reps with their holds and the
//! faults `hold-too-short`, `crunch`, `hips-lift`, `too-fast`.
//!
//! The tilt itself is tiny in landmarks: 13° of pelvic tilt moves the hip centre ~3 mm
//! and the shoulders ~1 cm. What carries it is the trunk line (hip midpoint → shoulder
//! midpoint) turning against the floor line: ~1.7° in the true projection, 0.6–1.1° in
//! MediaPipe's output. The counter takes that angle's fall from rest (hips rising against
//! the shoulders), or the shoulders' rise off the floor as the same angle, whichever is
//! larger — so a bridge or a crunch done instead of a tilt still counts as a rep, with
//! its fault attached, while MediaPipe's slow drift back after a long hold (the trunk
//! angle creeping the other way, shoulders not rising) does not. The faults use measures
//! that a tilt barely moves:
//! `crunch` the shoulders' and head's rise off the floor, `hips-lift` the hip midpoint's
//! rise above the shoulder–ankle line (0.2 torso lengths in a bridge, 0.005 in a tilt).
//! If the resting noise is larger than a tilt, the state says so and the coach tells the
//! person the tilt cannot be seen from there, instead of counting guesses.
//!
//! The picture itself carries the tilt better than the landmarks, and a second counter
//! reads it in the background: the belly's outline from the segmentation head and the
//! pelvis's turn by optical flow (`crate::pose::pelvis_flow`), mixed with the trunk angle
//! by each cue's resolution on this person. Where the trunk line cannot resolve the tilt
//! (from a raised camera, on most bodies), that counter is adopted (docs/tilt-cue.md).

use serde::Deserialize;

use super::reps::RepEngine;
use super::spec::{ExerciseSpec, SpecError};
use super::{
    Exercise, ExerciseEvent, ExerciseRecord, ExerciseState, FaultCode, RepRecord, Requirements,
    rest_median,
};
use crate::kinematics::{BodyFrame, BodyPart, PartVisibility, SideNeed};
use crate::pose::index;

/// Faults this exercise raises.
pub const FAULTS: &[FaultCode] = &[
    FaultCode::HoldTooShort,
    FaultCode::Crunch,
    FaultCode::HipsLift,
    FaultCode::TooFast,
];

/// Thresholds from `[checks]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TiltChecks {
    pub crunch_shoulder_rise_torso: f64,
    pub crunch_head_rise_torso: f64,
    pub hips_lift_torso: f64,
    pub max_noise_deg: f64,
    /// What a tilt is expected to move each cue (for weighting them by their resolution):
    /// the trunk angle's fall, degrees, and the belly edge's fall, torso lengths.
    pub expected_trunk_deg: f64,
    pub expected_belly_torso: f64,
    /// Slow wander each cue shows beyond what a short rest reveals, added to the spread
    /// the weights are computed from.
    pub trunk_drift_deg: f64,
    pub belly_drift_torso: f64,
    /// The pelvis's turn in the picture a tilt is expected to show, and its slow wander,
    /// degrees (`crate::pose::pelvis_flow`).
    pub expected_pelvis_turn_deg: f64,
    pub pelvis_turn_drift_deg: f64,
    pub belly_smoothing_s: f64,
    /// The silhouette counter's start and end thresholds (its `[counter]` otherwise).
    pub silhouette_start: f64,
    pub silhouette_end: f64,
    /// The silhouette counter's `settled_return` (the outline's resting level moves with
    /// each tilt from a raised camera).
    pub silhouette_settled_return: f64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Rest {
    trunk_angle_deg: f64,
    belly_height_torso: f64,
    pelvis_turn_deg: f64,
    shoulder_height_torso: f64,
    head_height_torso: f64,
    hip_height_torso: f64,
}

/// Pelvic tilts.
pub struct PelvicTilt {
    spec: ExerciseSpec,
    checks: TiltChecks,
    /// The counting this exercise reports: from the trunk angle, or — once adopted — the
    /// picture's (see `picture`).
    engine: RepEngine,
    /// Counting in the background on the signal the picture's cues weigh in (the belly's
    /// outline, the pelvis's turn), while the trunk angle counts. If the trunk angle
    /// cannot resolve the tilt (its rest alone moves as much, or it missed or merged tilts
    /// this one saw), this one is adopted with everything it counted so far. Kept apart
    /// rather than counted from the start: mixed in from the start it lost tilts the
    /// trunk line counts (docs/tilt-cue.md). Its holds count either way: each tilt's
    /// hold is the longer of the two readings' (see `feed`).
    picture: Option<RepEngine>,
    /// `engine` is the picture's.
    adopted: bool,
    rest: Rest,
    /// The reported engine's resting noise is over a tilt's signal.
    below_noise: bool,
    /// The belly's and the pelvis's turn's shares of the picture's signal, from the cues'
    /// rest spread at calibration (0 for a cue not read).
    shares: Shares,
    /// The belly edge, smoothed over `belly_smoothing_s` (time, value): it also stands in
    /// for a frame that had none.
    belly: Option<(f64, f64)>,
}

/// A tilt the outline counted is taken as missed by the trunk line only this long after
/// it ended: the outline moves a little ahead, and the trunk's rep closes later.
const MISSED_AFTER_S: f64 = 2.0;

/// The counting signal's landmarks (the trunk line).
const TRUNK: [usize; 4] = [
    index::LEFT_SHOULDER,
    index::RIGHT_SHOULDER,
    index::LEFT_HIP,
    index::RIGHT_HIP,
];
const HEAD: [usize; 5] = [
    index::NOSE,
    index::LEFT_SHOULDER,
    index::RIGHT_SHOULDER,
    index::LEFT_HIP,
    index::RIGHT_HIP,
];
const BRIDGE: [usize; 6] = [
    index::LEFT_SHOULDER,
    index::RIGHT_SHOULDER,
    index::LEFT_HIP,
    index::RIGHT_HIP,
    index::LEFT_ANKLE,
    index::RIGHT_ANKLE,
];

impl PelvicTilt {
    /// Builds it from its spec.
    pub fn new(spec: ExerciseSpec) -> Result<Self, SpecError> {
        let checks: TiltChecks = spec.checks()?;
        // Counted one way (see `movement`): counting the trunk angle's rise too would
        // count MediaPipe's slow return after a long hold as a rep.
        let engine = RepEngine::new(&spec, false, None)?;
        Ok(Self {
            spec,
            checks,
            engine,
            picture: None,
            adopted: false,
            rest: Rest::default(),
            below_noise: false,
            shares: Shares::default(),
            belly: None,
        })
    }
}

/// Each cue's share of a counter's signal (the trunk angle has the rest).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Shares {
    belly: f64,
    turn: f64,
}

impl Shares {
    fn any(&self) -> bool {
        self.belly > 0.0 || self.turn > 0.0
    }
}

impl PelvicTilt {
    /// A counter's signal, degrees of trunk angle: how far the tilt has gone, read from
    /// the trunk line turning (hips up against the shoulders) and, by `shares`, the belly
    /// edge sinking towards its chord and the pelvis turning in the picture — or, for a
    /// crunch done instead, how far the shoulders rose off the floor, as the same angle
    /// (rise over a torso length). A cue missing from this frame leaves its share to the
    /// others.
    fn movement(&self, f: &BodyFrame, belly: Option<f64>, shares: Shares) -> f64 {
        let c = &self.checks;
        let trunk = self.rest.trunk_angle_deg - f.trunk_angle_deg;
        let mut sum = (1.0 - shares.belly - shares.turn) * trunk;
        let mut weight = 1.0 - shares.belly - shares.turn;
        if let Some(belly) = belly.filter(|_| shares.belly > 0.0) {
            let as_trunk = (self.rest.belly_height_torso - belly)
                * (c.expected_trunk_deg / c.expected_belly_torso);
            sum += shares.belly * as_trunk;
            weight += shares.belly;
        }
        // A posterior tilt turns the picture over the pelvis from the trunk line away from
        // the floor: the reading falls.
        if let Some(turn) = f.pelvis_turn_deg.filter(|_| shares.turn > 0.0) {
            let as_trunk = (self.rest.pelvis_turn_deg - turn)
                * (c.expected_trunk_deg / c.expected_pelvis_turn_deg);
            sum += shares.turn * as_trunk;
            weight += shares.turn;
        }
        let tilt = if weight > 0.0 { sum / weight } else { trunk };
        // Only a real lift counts (beyond half the crunch threshold): small rises are the
        // same trunk-angle drift the tilt term ignores.
        let rise = f.shoulder_height_torso
            - self.rest.shoulder_height_torso
            - 0.5 * self.checks.crunch_shoulder_rise_torso;
        if rise > 0.0 {
            tilt.max(rise.atan().to_degrees())
        } else {
            tilt
        }
    }
}

impl PelvicTilt {
    /// Each cue's share: each weighs by its squared resolution (the expected tilt over
    /// its rest spread), the matched filter for independent noisy readings of one
    /// movement. So a body whose trunk line hardly turns, or a camera whose mask edge
    /// jitters, leans on the other cues. No share for a cue missing from most of rest.
    fn weigh_cues(&self, rest: &[(f64, BodyFrame)], bellies: &[f64], turns: &[f64]) -> Shares {
        let trunks: Vec<f64> = rest.iter().map(|(_, b)| b.trunk_angle_deg).collect();
        let c = &self.checks;
        // Spreads floored at a hundredth of a tilt: a frozen picture has none.
        let resolution = |values: &[f64], expected: f64, drift: f64| {
            if values.len() * 2 < rest.len().max(1) {
                return 0.0;
            }
            let spread = crate::kinematics::geometry::spread_about_median(values)
                .hypot(drift)
                .max(0.01 * expected);
            (expected / spread).powi(2)
        };
        let trunk = resolution(&trunks, c.expected_trunk_deg, c.trunk_drift_deg);
        let belly = resolution(bellies, c.expected_belly_torso, c.belly_drift_torso);
        let turn = resolution(turns, c.expected_pelvis_turn_deg, c.pelvis_turn_drift_deg);
        let total = trunk + belly + turn;
        Shares {
            belly: belly / total,
            turn: turn / total,
        }
    }
}

impl PelvicTilt {
    /// A counter for the picture's signal. Its floor is lower than the trunk angle's: that
    /// floor is there for the trunk line's drift, which the picture's cues do not share
    /// (thresholds still rise above its own noise and rest excursions).
    ///
    /// It never judges `too-fast`: the mask's edge is a threshold on a probability map,
    /// which sticks and then snaps through a movement (a 0.9 s return read as 0.3 s on a
    /// body the landmarks could not follow). Counts and holds it can give; the speed of
    /// a tilt it cannot.
    fn picture_engine(&self) -> Option<RepEngine> {
        let mut spec = self.spec.clone();
        let counter = spec.counter.as_mut()?;
        counter.start = self.checks.silhouette_start;
        counter.end = self.checks.silhouette_end;
        counter.settled_return = Some(self.checks.silhouette_settled_return);
        counter.min_movement_s = 0.0;
        RepEngine::new(&spec, false, None).ok()
    }

    /// Steps the reported engine (and the picture's, if one counts in the background) with
    /// this frame's faults and signals (reported, picture); adopts the picture's once the
    /// reported one cannot see the tilt and it can.
    fn feed(
        &mut self,
        t_s: f64,
        crunch: Option<bool>,
        bridge: Option<bool>,
        signals: Option<(f64, f64)>,
    ) -> Vec<ExerciseEvent> {
        let step = |engine: &mut RepEngine, signal: Option<f64>| {
            let mut events = engine.faults.observe(t_s, FaultCode::Crunch, crunch, &HEAD);
            events.extend(
                engine
                    .faults
                    .observe(t_s, FaultCode::HipsLift, bridge, &BRIDGE),
            );
            events.extend(engine.step(t_s, signal));
            events
        };
        // The picture first: it is a second, independent reading of the same tilt, and
        // where it held longer, the trunk line's plateau was broken by its own wander
        // (webcam noise does that; docs/webcam-noise.md), not by the person. Its rep of
        // the same tilt may close in this very frame.
        let shadow_events = self
            .picture
            .as_mut()
            .map(|shadow| step(shadow, signals.map(|s| s.1)));
        let max_noise = self.checks.max_noise_deg;
        let shadow_sees = self
            .picture
            .as_ref()
            .is_some_and(|s| s.counter.noise() <= max_noise && s.counter.can_see());
        match self.picture.as_ref().filter(|_| shadow_sees) {
            Some(picture) => self.engine.set_held_elsewhere(picture.holds(t_s)),
            None => self.engine.set_held_elsewhere([]),
        }
        let events = step(&mut self.engine, signals.map(|s| s.0));
        let (Some(shadow), Some(shadow_events)) = (self.picture.as_mut(), shadow_events) else {
            return events;
        };
        // The trunk line is blind (its rest moves as much as a tilt), or it missed a tilt
        // the outline counted while counting none the outline did not.
        let blind = self.below_noise || !self.engine.counter.can_see();
        let overlaps = |a: &RepRecord, b: &RepRecord| a.start_s < b.end_s && b.start_s < a.end_s;
        let (trunk_reps, shadow_reps) = (self.engine.reps(), shadow.reps());
        // Only a tilt the trunk line has had time to finish too: the outline leads.
        let missed = !self.engine.counter.in_rep()
            && shadow_reps.iter().any(|s| {
                s.end_s < t_s - MISSED_AFTER_S && !trunk_reps.iter().any(|t| overlaps(s, t))
            });
        let extra = trunk_reps
            .iter()
            .any(|t| !shadow_reps.iter().any(|s| overlaps(s, t)));
        // The trunk line holds one tilt across two the outline saw come and go: its
        // resting level drifted off during the first and never came back.
        let merged = self.engine.counter.active_since().is_some_and(|since| {
            shadow_reps
                .iter()
                .filter(|s| s.end_s > since && s.end_s < t_s - MISSED_AFTER_S)
                .count()
                >= 2
        }) || trunk_reps.iter().any(|t| {
            shadow_reps
                .iter()
                .filter(|s| t.start_s < s.end_s && s.end_s < t.end_s)
                .count()
                >= 2
        });
        if !(shadow_sees && (blind || merged || (missed && !extra))) {
            return events;
        }
        tracing::info!(
            t_s,
            reps = shadow.reps().len(),
            "pelvic tilt: the trunk line cannot resolve the tilt; counting from the picture (belly's outline, pelvis's turn)"
        );
        if let Some(shadow) = self.picture.take() {
            self.engine = shadow;
        }
        self.adopted = true;
        self.below_noise = false;
        shadow_events
    }

    /// Follows the belly edge with a first-order lag. The mask's edge can jump for a few
    /// frames as a movement starts (the crop moving under it); unsmoothed, that reads as
    /// a tilt done too fast.
    fn smooth_belly(&mut self, t_s: f64, belly: Option<f64>) {
        let Some(value) = belly else {
            return;
        };
        let tau = self.checks.belly_smoothing_s;
        self.belly = Some(match self.belly {
            Some((last_t, last)) if tau > 0.0 => {
                let a = 1.0 - (-(t_s - last_t).max(0.0) / tau).exp();
                (t_s, last + a * (value - last))
            }
            _ => (t_s, value),
        });
    }
}

impl Exercise for PelvicTilt {
    fn spec(&self) -> &ExerciseSpec {
        &self.spec
    }

    fn requirements(&self) -> Requirements {
        Requirements {
            belly_cue: true,
            ..Requirements::lying_side_view()
        }
    }

    fn check_start(&self, frame: &BodyFrame) -> Result<(), String> {
        self.spec.start_check(super::knees_bent_up(frame))
    }

    fn calibrate(&mut self, _since_s: f64, rest: &[(f64, BodyFrame)]) {
        let med = |f: &dyn Fn(&BodyFrame) -> f64| rest_median(rest, f);
        let bellies: Vec<f64> = rest
            .iter()
            .filter_map(|(_, b)| b.belly_height_torso)
            .collect();
        let turns: Vec<f64> = rest.iter().filter_map(|(_, b)| b.pelvis_turn_deg).collect();
        let median = |values: &[f64]| crate::kinematics::geometry::median(values).unwrap_or(0.0);
        self.rest = Rest {
            trunk_angle_deg: med(&|b| b.trunk_angle_deg),
            belly_height_torso: median(&bellies),
            pelvis_turn_deg: median(&turns),
            shoulder_height_torso: med(&|b| b.shoulder_height_torso),
            head_height_torso: med(&|b| b.head_height_torso),
            hip_height_torso: med(&|b| b.hip_height_torso),
        };
        self.shares = self.weigh_cues(rest, &bellies, &turns);
        tracing::debug!(
            belly_share = self.shares.belly,
            turn_share = self.shares.turn,
            "pelvic tilt: cues weighed"
        );
        self.belly = None;
        let series = |shares: Shares| -> Vec<(f64, f64)> {
            rest.iter()
                .map(|(t, b)| (*t, self.movement(b, b.belly_height_torso, shares)))
                .collect()
        };
        let trunk_series = series(Shares::default());
        let mixed_series = series(self.shares);
        let max_noise = self.checks.max_noise_deg;
        if self.adopted {
            self.engine.counter.calibrate(&mixed_series);
            self.picture = None;
        } else {
            self.engine.counter.calibrate(&trunk_series);
            if self.shares.any() {
                if self.picture.is_none() {
                    self.picture = self.picture_engine();
                }
                if let Some(shadow) = self.picture.as_mut() {
                    shadow.counter.calibrate(&mixed_series);
                    shadow.set_rep_checks(shadow.counter.noise() <= max_noise);
                }
            } else {
                self.picture = None;
            }
        }
        self.below_noise = self.engine.counter.noise() > max_noise;
        self.engine.set_rep_checks(!self.below_noise);
        if self.below_noise {
            tracing::warn!(
                noise_deg = self.engine.counter.noise(),
                "pelvic tilt: resting noise exceeds a tilt's signal"
            );
        }
    }

    fn update(
        &mut self,
        t_s: f64,
        frame: Option<&BodyFrame>,
        seen: &PartVisibility,
    ) -> Vec<ExerciseEvent> {
        let min = crate::kinematics::visibility::DEFAULT_VISIBILITY_MIN;
        let sees = |p: BodyPart| seen.sees(p, SideNeed::Either, min);
        let trunk_seen = sees(BodyPart::Shoulders) && sees(BodyPart::Hips);
        let Some(f) = frame.filter(|_| trunk_seen) else {
            return self.feed(t_s, None, None, None);
        };
        self.smooth_belly(t_s, f.belly_height_torso);
        let c = &self.checks;
        let shoulders_up = f.shoulder_height_torso - self.rest.shoulder_height_torso
            > c.crunch_shoulder_rise_torso;
        let head_up = sees(BodyPart::Head)
            && f.head_height_torso - self.rest.head_height_torso > c.crunch_head_rise_torso;
        let bridge = sees(BodyPart::Ankles)
            .then_some(f.hip_height_torso - self.rest.hip_height_torso > c.hips_lift_torso);
        let belly = self.belly.map(|(_, b)| b);
        let shares = if self.adopted {
            self.shares
        } else {
            Shares::default()
        };
        let signals = (
            self.movement(f, belly, shares),
            self.movement(f, belly, self.shares),
        );
        self.feed(t_s, Some(shoulders_up || head_up), bridge, Some(signals))
    }

    fn state(&self) -> ExerciseState {
        self.engine.exercise_state(
            &self.spec,
            0,
            self.engine.hold_state(),
            self.below_noise || !self.engine.counter.can_see(),
            TRUNK
                .iter()
                .chain(&HEAD)
                .chain(&BRIDGE)
                .copied()
                .chain([index::LEFT_KNEE, index::RIGHT_KNEE]),
        )
    }

    fn new_view(&mut self, t_s: f64) -> Vec<ExerciseEvent> {
        if let Some(shadow) = self.picture.as_mut() {
            shadow.new_view(t_s);
        }
        self.engine.new_view(t_s)
    }

    fn finish(&mut self, t_s: f64) -> Vec<ExerciseEvent> {
        self.engine.finish(t_s)
    }

    fn record(&self) -> ExerciseRecord {
        let mut notes = Vec::new();
        if self.adopted {
            notes.push(
                "the landmarks could not resolve the tilt from this placement: it was counted from the picture instead (the belly's outline and the pelvis's turn)".to_string(),
            );
        }
        if self.below_noise {
            notes.push(format!(
                "the tilt was hard to see from this placement (resting noise {:.2}° of trunk angle): counts may be incomplete, holds and speed were not judged",
                self.engine.counter.noise()
            ));
        }
        self.engine.record(notes)
    }
}
