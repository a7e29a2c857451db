//! Controlled rotation (lying on the back, knees bent together, camera beside).
//!
//! In flow [`BodyFrame`]s in side-view lying axes; out flow reps per side and the faults
//! `range-too-large`, `shoulders-lift` and `not-alternating` (information only); each
//! rep's range is the knees' largest drop, degrees.
//!
//! The back rotation stretch is the same movement taken as far as is comfortable and
//! held, arms out: the same module with its own spec (no range limit; holds and speed
//! judged; `shoulders-lift` is its "opposite shoulder lifting").
//!
//! Counting: the pelvis turns with the knees, and from the side its roll shows as the
//! far hip rising above the near one (or sinking below it). That signed signal is clean
//! in MediaPipe's output even for a 25° drop (the knees' own image motion is then mostly
//! depth, which BlazePose reads poorly), and its sign says the side — trusted only when
//! the roll is clearly larger than noise; otherwise the side follows the prescribed
//! alternation and the report says so.
//!
//! Range: the knees rotate about the hip–foot line, so their height above that line
//! falls as cos(drop). The camera's elevation mixes depth into image height (a knee
//! dropping toward an elevated camera looks lower, away from it higher), so the height
//! estimate is corrected by the calibrated elevation. The range is the height's alone:
//! BlazePose's depth of knees is no measure of it (from 30° above it read a 32° drop
//! away from the camera as 50°, a 53° one as 16°, and overstates drops toward it), and
//! neither are the other 2D cues (the far knee behind the thighs, which BlazePose barely
//! follows; the pelvis's roll). So from a camera raised more than half the range limit,
//! a too-far drop away from it shows only past twice the camera's height and may go
//! unflagged: the report says so, with the camera's height.

use serde::Deserialize;

use super::arm_lift::{ARMS, ArmLift, ArmThresholds};
use super::reps::{RepEngine, SideRule};
use super::spec::{ExerciseSpec, SpecError};
use super::{
    Exercise, ExerciseEvent, ExerciseRecord, ExerciseState, FaultCode, RepRecord, Requirements,
    Side, rest_median,
};
use crate::kinematics::geometry::{median, spread_about_median};
use crate::kinematics::{BodyFrame, BodyPart, PartVisibility, SideNeed};
use crate::pose::index;

/// Faults this exercise raises.
pub const FAULTS: &[FaultCode] = &[
    FaultCode::RangeTooLarge,
    FaultCode::ShouldersLift,
    FaultCode::NotAlternating,
];

/// Faults the back rotation stretch raises: the same movement taken as far as is
/// comfortable and held, so no range limit, and holds and speed judged.
pub const STRETCH_FAULTS: &[FaultCode] = &[
    FaultCode::ShouldersLift,
    FaultCode::NotAlternating,
    FaultCode::TooFast,
    FaultCode::HoldTooShort,
];

/// Thresholds from `[checks]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotationChecks {
    /// `range-too-large` past this knee drop (none for the stretch, which goes as far as
    /// is comfortable).
    #[serde(default)]
    pub range_max_deg: Option<f64>,
    /// Past this drop toward the camera the far arm is not judged (see `arm_lifted`).
    pub far_arm_hidden_deg: f64,
    pub arm_lift_near_torso: f64,
    pub arm_lift_far_torso: f64,
    pub side_min_torso: f64,
    pub first_side: Side,
    pub knee_turn_start_deg: f64,
    pub knee_turn_end_deg: f64,
    pub knee_side_min_deg: f64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Rest {
    hip_roll_torso: f64,
    knee_height_torso: f64,
    /// The knees' height's spread at rest.
    knee_height_noise: f64,
    knee_angle_rad: f64,
    /// The camera's elevation estimated from the starting pose, degrees.
    elevation_deg: f64,
    /// The body side facing the camera.
    near_side: Option<Side>,
}

/// Controlled rotations.
pub struct ControlledRotation {
    spec: ExerciseSpec,
    checks: RotationChecks,
    /// The counting this exercise reports: from the pelvis's roll, or — once adopted —
    /// the knees' turn (see `knees`).
    engine: RepEngine,
    /// Counting in the background on the knees' turn toward or away from the camera,
    /// while the roll counts; adopted with everything it counted if the roll turns out
    /// blind to one way (`ControlledRotation::feed`). `None` until calibration has said
    /// which side faces the camera.
    knees: Option<RepEngine>,
    /// `engine` is the knees'.
    adopted: bool,
    rest: Rest,
    /// Latest knee-drop estimate, degrees.
    drop_deg: f64,
    /// The median drop of the reps counted so far, and how many there were (recomputed
    /// when a rep is counted, not every frame).
    own_drop: (usize, Option<f64>),
    /// Each arm's lift from rest.
    arms: ArmLift,
}

/// How far the camera's estimated elevation may be off, degrees.
const ELEVATION_SLACK_DEG: f64 = 10.0;

const PELVIS: [usize; 2] = [index::LEFT_HIP, index::RIGHT_HIP];
const KNEES: [usize; 6] = [
    index::LEFT_HIP,
    index::RIGHT_HIP,
    index::LEFT_KNEE,
    index::RIGHT_KNEE,
    index::LEFT_ANKLE,
    index::RIGHT_ANKLE,
];

impl ControlledRotation {
    /// Builds it from its spec.
    pub fn new(spec: ExerciseSpec) -> Result<Self, SpecError> {
        let checks: RotationChecks = spec.checks()?;
        let engine = RepEngine::new(
            &spec,
            true,
            Some(SideRule {
                positive: Side::Left,
                min_peak: checks.side_min_torso,
                first: checks.first_side,
            }),
        )?;
        Ok(Self {
            spec,
            checks,
            engine,
            rest: Rest::default(),
            drop_deg: 0.0,
            own_drop: (0, None),
            arms: ArmLift::default(),
            knees: None,
            adopted: false,
        })
    }

    /// The knees' drop from rest, degrees, from their height (see the module docs).
    /// `away`: the pelvis's roll says the knees went to the side away from the camera.
    fn knee_drop_deg(&self, f: &BodyFrame, away: bool) -> f64 {
        let h0 = self.rest.knee_height_torso;
        if h0 <= 1e-6 {
            return 0.0;
        }
        let e = f.axes.elevation_deg.clamp(0.0, 60.0).to_radians();
        let ratio = f.knee_height_torso / h0;
        // Seen from elevation e, knees up by h show h·cos(e); dropped by θ toward the
        // camera, h·cos(θ + e); away from it, h·cos(θ − e), which rises until θ = e and
        // is back at its resting height at θ = 2e. So away, a height under the resting one
        // can only be θ = e + acos(ratio·cos e) — over 2e; at or above it, θ anywhere in
        // [0, 2e], and the height says nothing (taken as no drop).
        let turned = (ratio * e.cos()).clamp(-1.0, 1.0).acos();
        // (Clearly under: beyond three times the height's resting spread, so rest's
        // jitter never reads as a drop past 2e.)
        let under = 1.0 - (3.0 * self.rest.knee_height_noise / h0).max(0.02);
        // The away root grows with the elevation, whose estimate can be off by up to
        // `ELEVATION_SLACK_DEG` (broad shoulders read as a higher camera): it is taken at
        // the lowest elevation the estimate allows, so an error never makes a drop too
        // large.
        let from_height = if away && ratio < under {
            let low = (e - ELEVATION_SLACK_DEG.to_radians()).max(0.0);
            (ratio * low.cos()).clamp(-1.0, 1.0).acos() + low
        } else {
            (turned - e).max(0.0)
        };
        from_height.to_degrees()
    }
}

/// The knees' drop vouches for a movement once it reaches this share of the median
/// drop of the reps counted so far…
const VOUCH_SHARE: f64 = 0.5;
/// …and that many have been counted (a range, not one rep).
const VOUCH_AFTER_REPS: usize = 2;

/// A rep the knees counted is taken as missed by the roll only this long after it
/// ended (the roll's rep of the same drop may close a little later).
const MISSED_AFTER_S: f64 = 2.0;
/// Drops the roll must have missed before the knees' counting is adopted: one miss may
/// be a small drop; a whole direction unseen is not.
const MISSED_TO_ADOPT: usize = 2;

impl ControlledRotation {
    /// The knees' turn from rest, degrees, signed like the roll (+ when the knees go to
    /// the body's left): toward the camera is toward the near side.
    fn knee_turn_deg(&self, f: &BodyFrame) -> Option<f64> {
        let toward = (f.knee_toward_camera_torso.atan2(f.knee_height_torso)
            - self.rest.knee_angle_rad)
            .to_degrees();
        match f.axes.near_side {
            Some(Side::Left) => Some(toward),
            Some(Side::Right) => Some(-toward),
            None => None,
        }
    }

    /// A counter for the knees' turn.
    fn knee_engine(&self) -> Option<RepEngine> {
        let c = &self.checks;
        let mut spec = self.spec.clone();
        let counter = spec.counter.as_mut()?;
        counter.start = c.knee_turn_start_deg;
        counter.end = c.knee_turn_end_deg;
        RepEngine::new(
            &spec,
            true,
            Some(SideRule {
                positive: Side::Left,
                min_peak: c.knee_side_min_deg,
                first: c.first_side,
            }),
        )
        .ok()
        .map(RepEngine::merging_abutting)
    }

    /// Steps the reported engine (and the knees', if one counts in the background) with
    /// this frame's faults and signals (roll, knee turn); adopts the knees' once the roll
    /// has missed drops they counted, all of one way, while counting none they did not.
    fn feed(
        &mut self,
        t_s: f64,
        too_far: Option<bool>,
        shoulders: Option<bool>,
        signals: (Option<f64>, Option<f64>),
    ) -> Vec<ExerciseEvent> {
        // Each rep's range: the knees' drop (0 while the legs are not seen).
        let drop = (signals.0.is_some() || signals.1.is_some()).then_some(self.drop_deg);
        let step = |engine: &mut RepEngine, signal: Option<f64>| {
            if let Some(d) = drop {
                engine.note_range_deg(d);
            }
            let mut events = engine
                .faults
                .observe(t_s, FaultCode::RangeTooLarge, too_far, &KNEES);
            events.extend(
                engine
                    .faults
                    .observe(t_s, FaultCode::ShouldersLift, shoulders, &ARMS),
            );
            events.extend(engine.step(t_s, signal));
            events
        };
        // The knees' drop vouches for a movement the reported signal reads small (the
        // roll is far from linear in the drop: a 37° drop after a 67° one may read a
        // fifth of it) once it reaches half the person's own drops.
        let counted = self.engine.reps().len();
        if self.own_drop.0 != counted {
            let ranges: Vec<f64> = self
                .engine
                .reps()
                .iter()
                .filter_map(|r| r.range_deg)
                .collect();
            self.own_drop = (counted, median(&ranges));
        }
        let own = self.own_drop.1.filter(|_| counted >= VOUCH_AFTER_REPS);
        let vouched = drop.zip(own).is_some_and(|(d, own)| d >= VOUCH_SHARE * own);
        self.engine.counter.vouch(vouched);
        let events = step(&mut self.engine, signals.0);
        let Some(shadow) = self.knees.as_mut() else {
            return events;
        };
        let shadow_events = step(shadow, signals.1);
        if self.engine.counter.in_rep() || !self.knees_see_more(t_s, false) {
            return events;
        }
        self.adopt(t_s);
        shadow_events
    }

    /// The knees' counting sees what the roll cannot: their reps alternate (a held drop
    /// read in and out of a noisy turn is one rep: `RepEngine::merging_abutting`), they
    /// saw one way at least `MISSED_TO_ADOPT` times where the roll never saw that way (its
    /// reps there, if any, only inferred from the alternation) or had no rep that way
    /// over them or had the drop in pieces (the roll reads drops away from the camera as
    /// blips, and may catch a blip or two, or — a slow drop — two blips of one drop),
    /// though it saw the other, and the roll counted nothing they did not.
    /// Only reps over `MISSED_AFTER_S` ago, unless the video ended.
    fn knees_see_more(&self, t_s: f64, ended: bool) -> bool {
        let Some(shadow) = self.knees.as_ref() else {
            return false;
        };
        if !shadow.counter.can_see() {
            return false;
        }
        let overlaps = |a: &RepRecord, b: &RepRecord| a.start_s < b.end_s && b.start_s < a.end_s;
        let roll_reps = self.engine.reps();
        let mut knee_reps: Vec<&RepRecord> = shadow
            .reps()
            .iter()
            .filter(|k| ended || k.end_s < t_s - MISSED_AFTER_S)
            .collect();
        // In time order: a rep held back until rest was proven is counted late.
        knee_reps.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        let alternating = knee_reps
            .windows(2)
            .all(|w| w[0].side.is_some() && w[0].side != w[1].side);
        let extra = roll_reps
            .iter()
            .any(|r| !shadow.reps().iter().any(|k| overlaps(k, r)));
        let seen = |reps: &[&RepRecord], side: Side| {
            reps.iter()
                .filter(|r| r.side == Some(side) && !r.side_inferred)
                .count()
        };
        let roll: Vec<&RepRecord> = roll_reps.iter().collect();
        let blind_side = [Side::Left, Side::Right].into_iter().any(|side| {
            let other = if side == Side::Left {
                Side::Right
            } else {
                Side::Left
            };
            // The knees' drops that way with no rep of the roll that way over them, or
            // with the roll's reps of it in pieces (a slow drop read as blips in and out
            // of the roll's start: two or more of its reps over one of the knees').
            let missed = knee_reps
                .iter()
                .filter(|k| k.side == Some(side) && !k.side_inferred)
                .filter(|k| {
                    let over = roll_reps
                        .iter()
                        .filter(|r| r.side == Some(side) && overlaps(k, r))
                        .count();
                    over != 1
                })
                .count();
            let unseen = seen(&knee_reps, side) >= MISSED_TO_ADOPT && seen(&roll, side) == 0;
            (unseen || missed >= MISSED_TO_ADOPT) && seen(&roll, other) > 0
        });
        alternating && !extra && blind_side
    }

    /// Reports the knees' counting from now on, with everything it counted so far.
    fn adopt(&mut self, t_s: f64) {
        let Some(shadow) = self.knees.take() else {
            return;
        };
        tracing::info!(
            t_s,
            reps = shadow.reps().len(),
            "controlled rotation: the pelvis's roll misses drops one way; counting from the knees' turn"
        );
        self.engine = shadow;
        self.adopted = true;
    }
}

impl ControlledRotation {
    /// `shoulders-lift`: the upper body rolling with the knees shows, with the arms out
    /// for support, as the arm on the side opposite the drop leaving the floor — the
    /// wrist rising above its own shoulder. The shoulder line itself cannot say it from
    /// the side: MediaPipe rolls the shoulders with the pelvis whatever the thorax does
    /// (good drops from 30° above read as much shoulder roll as a 14° thorax roll from
    /// the floor; docs/rotation-shoulders.md). The arm facing the camera is seen whole;
    /// the far one, behind the body, shows about half its lift, so each has its own
    /// threshold, and neither below its own resting spread. With the drop's side unsure
    /// (a small pelvis roll), either arm may say it.
    fn arm_lifted(&mut self, t_s: f64, f: &BodyFrame, pelvis_turn: f64) -> bool {
        let c = &self.checks;
        let near = f.axes.near_side;
        let thresholds = ArmThresholds {
            near_torso: c.arm_lift_near_torso,
            far_torso: c.arm_lift_far_torso,
        };
        self.arms.update(t_s, f, near, thresholds);
        // A drop past the range limit toward the camera rolls the whole body at it: the
        // far arm, seen past it, then shows as much lift as a rolling thorax (a 76° drop
        // of a rendered body with its thorax flat read 0.09-0.11). That rep's fault is
        // its range; the far arm is not judged.
        let far_hidden = self.drop_deg > c.far_arm_hidden_deg;
        let over = |side: Side| {
            let far = near.is_some_and(|n| n != side);
            !(far && far_hidden) && self.arms.lifted(side)
        };
        if pelvis_turn.abs() > c.side_min_torso {
            // Knees to the left (positive roll): the right shoulder is the one that lifts.
            let opposite = if pelvis_turn > 0.0 {
                Side::Right
            } else {
                Side::Left
            };
            over(opposite)
        } else {
            over(Side::Left) || over(Side::Right)
        }
    }
}

impl Exercise for ControlledRotation {
    fn spec(&self) -> &ExerciseSpec {
        &self.spec
    }

    fn requirements(&self) -> Requirements {
        Requirements::lying_side_view()
    }

    fn check_start(&self, frame: &BodyFrame) -> Result<(), String> {
        self.spec.start_check(super::knees_bent_up(frame))
    }

    fn calibrate(&mut self, _since_s: f64, rest: &[(f64, BodyFrame)]) {
        let med = |f: &dyn Fn(&BodyFrame) -> f64| rest_median(rest, f);
        self.rest = Rest {
            hip_roll_torso: med(&|b| b.hip_roll_torso),
            knee_height_torso: med(&|b| b.knee_height_torso),
            knee_height_noise: spread_about_median(
                &rest
                    .iter()
                    .map(|(_, b)| b.knee_height_torso)
                    .collect::<Vec<_>>(),
            ),
            knee_angle_rad: med(&|b| b.knee_toward_camera_torso.atan2(b.knee_height_torso)),
            elevation_deg: med(&|b| b.axes.elevation_deg),
            near_side: rest.last().and_then(|(_, b)| b.axes.near_side),
        };
        self.arms = ArmLift::calibrate(rest);
        let series: Vec<(f64, f64)> = rest.iter().map(|(t, b)| (*t, b.hip_roll_torso)).collect();
        let knee_series: Vec<(f64, f64)> = rest
            .iter()
            .filter_map(|(t, b)| self.knee_turn_deg(b).map(|k| (*t, k)))
            .collect();
        if self.adopted {
            self.engine.counter.calibrate(&knee_series);
        } else {
            self.engine.counter.calibrate(&series);
            if knee_series.len() * 2 >= rest.len().max(1) {
                if self.knees.is_none() {
                    self.knees = self.knee_engine();
                }
                if let Some(knees) = self.knees.as_mut() {
                    knees.counter.calibrate(&knee_series);
                }
            } else {
                self.knees = None;
            }
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
        let Some(f) = frame.filter(|_| sees(BodyPart::Hips)) else {
            return self.feed(t_s, None, None, (None, None));
        };
        let c = self.checks.clone();
        let legs_seen = sees(BodyPart::Knees) && sees(BodyPart::Ankles);
        // Which way the knees went, where the reported signal is clear (positive: to the
        // body's left): the pelvis's roll, or the knees' turn once that is adopted.
        let pelvis_turn = f.hip_roll_torso - self.rest.hip_roll_torso;
        let knee_turn = self.knee_turn_deg(f);
        let (turn, side_min) = if self.adopted {
            (knee_turn.unwrap_or(0.0), c.knee_side_min_deg)
        } else {
            (pelvis_turn, c.side_min_torso)
        };
        let to_left = turn > 0.0;
        let away = self.engine.counter.in_rep()
            && turn.abs() > side_min
            && match f.axes.near_side {
                Some(Side::Left) => !to_left,
                Some(Side::Right) => to_left,
                None => false,
            };
        self.drop_deg = if legs_seen {
            self.knee_drop_deg(f, away)
        } else {
            0.0
        };
        tracing::trace!(
            target: "backform::signal",
            t_s,
            drop_deg = self.drop_deg,
            away,
            pelvis_turn,
            knee_ratio = f.knee_height_torso / self.rest.knee_height_torso.max(1e-6),
            knee_turn_deg = knee_turn.unwrap_or(0.0),
        );
        let too_far = c
            .range_max_deg
            .and_then(|max| legs_seen.then_some(self.drop_deg > max));
        let lifted = self.arm_lifted(t_s, f, pelvis_turn);
        let arms_seen = sees(BodyPart::Shoulders) && sees(BodyPart::Wrists);
        let shoulders = arms_seen.then_some(lifted);
        let knee_signal = if legs_seen { knee_turn } else { None };
        let signals = if self.adopted {
            (knee_signal, None)
        } else {
            (Some(f.hip_roll_torso), knee_signal)
        };
        self.feed(t_s, too_far, shoulders, signals)
    }

    fn state(&self) -> ExerciseState {
        self.engine.exercise_state(
            &self.spec,
            self.spec.prescription.reps_per_side,
            self.engine.hold_state(),
            !self.engine.counter.can_see(),
            KNEES.iter().chain(&ARMS).chain(&PELVIS).copied(),
        )
    }

    fn new_view(&mut self, t_s: f64) -> Vec<ExerciseEvent> {
        if let Some(knees) = self.knees.as_mut() {
            knees.new_view(t_s);
        }
        self.engine.new_view(t_s)
    }

    fn finish(&mut self, t_s: f64) -> Vec<ExerciseEvent> {
        let mut events = self.engine.finish(t_s);
        if let Some(knees) = self.knees.as_mut() {
            let shadow_events = knees.finish(t_s);
            if self.knees_see_more(t_s, true) {
                self.adopt(t_s);
                events = shadow_events;
            }
        }
        events
    }

    fn record(&self) -> ExerciseRecord {
        let mut notes: Vec<String> = self.engine.side_note().into_iter().collect();
        if self.adopted {
            notes.push(
                "the pelvis's roll did not show the drops one way from this placement: they were counted from the knees' turn instead".to_string(),
            );
        }
        notes.extend(self.range_blind_note());
        let mut record = self.engine.record(notes);
        // A drop away from a raised camera up to 2e reads as none (module docs): under
        // the limit its range is unknown, and no range is better than a wrong one (a 32°
        // drop read 2°). Past the limit it was read, and flagged.
        if let (Some((away, _)), Some(max)) = (self.range_blind_side(), self.checks.range_max_deg) {
            for rep in record.reps.iter_mut().filter(|r| r.side == Some(away)) {
                if rep.range_deg.is_some_and(|d| d <= max) {
                    rep.range_deg = None;
                }
            }
        }
        record
    }
}

impl ControlledRotation {
    /// What the report must say when the camera's height hides too-far drops one way: a
    /// drop away from a camera e° up shows no lower knees until past 2e (module docs),
    /// and BlazePose's depth barely follows knees behind the thighs (docs/rotation-sides.md),
    /// so from there a drop past the limit that way may go unflagged.
    fn range_blind_note(&self) -> Option<String> {
        let max = self.checks.range_max_deg?;
        let (away, shows_past_deg) = self.range_blind_side()?;
        let e = self.rest.elevation_deg;
        Some(format!(
            "the camera was about {e:.0}° above the floor: a drop to your {} (away from it) shows from there only past {:.0}°, so a drop that way past {max:.0}° may not have been flagged — put the camera at floor level to have both sides checked",
            away.as_str(),
            shows_past_deg
        ))
    }

    /// The side whose drops the knees' height cannot measure from this camera, and the
    /// drop past which it shows them (2e): only where that hides drops past the range
    /// limit.
    fn range_blind_side(&self) -> Option<(Side, f64)> {
        let max = self.checks.range_max_deg?;
        let shows_past_deg = 2.0 * self.rest.elevation_deg;
        if shows_past_deg <= max {
            return None;
        }
        Some((self.rest.near_side?.opposite(), shows_past_deg))
    }
}
