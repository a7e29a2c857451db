//! Mini squat (standing, camera beside at hip height; or in front).
//!
//! In flow [`BodyFrame`]s in upright axes; out flow reps with their ranges, and the
//! faults `too-deep`, `trunk-leans-forward`, `heels-lift` (side view), `knees-cave-in`
//! (front view) and `too-fast`.
//!
//! Counting: the knees' bend from standing, degrees — an angle, the same for any body or
//! camera distance, and each rep's range. From the side it is the hip–knee–ankle angle
//! in the picture (both legs' mean: the far knee is hidden but bends with the near one;
//! rendered mini squats bending 54–59° read 47–54°). From the front the thigh and shank
//! point at the camera and the picture's knee angle says little, so the bend comes from
//! how much the hip–ankle distance shortens: legs of equal halves bent by θ span
//! cos(θ/2) of their straight length — taking the standing knees as straight, so the
//! range from the front is the bend at the bottom (a stander with soft knees shows them
//! in it: the synthetic body stands bent 11.5° and reads ~51° for a 41° squat; the side
//! view subtracts standing). That angle is what `too-deep` and the range read,
//! but it is steep near standing (1% of shortening reads 16°), so the front view counts
//! on the shortening itself, scaled to read degrees at a typical mini squat's depth
//! ([`FRONT_DEG_PER_SHORTENING`]): noise at rest stays noise-sized. It is read against
//! the standing length at calibration, which a step nearer or further changes: when the
//! shoulders' and hips' widths have scaled with the legs for a second, that is a step and
//! the standing length is taken again ([`RELEVEL_S`]). (Read against those widths frame
//! by frame instead, their jitter made a still person squat on a poor picture and the
//! hips going back hid a too-deep squat.) From the side, an angle, neither matters.
//!
//! Checks, each where the view shows it: `too-deep` (the knees bent past the spec's
//! angle — a mini squat is not a squat), `trunk-leans-forward` (side: the trunk pitched
//! forward from its standing angle by more than the spec's angle), `heels-lift` (side:
//! the near foot's heel-to-toe line turned up from its standing angle), `knees-cave-in`
//! (front: the knees closer together than standing by more than twice the spec's share
//! of a torso length — each knee's share of the spacing lost).

use serde::Deserialize;

use super::reps::RepEngine;
use super::spec::{ExerciseSpec, SpecError};
use super::{Exercise, ExerciseEvent, ExerciseState, FaultCode, Requirements, rest_median};
use crate::kinematics::geometry::Vec2;
use crate::kinematics::{BodyFrame, BodyPart, PartVisibility, Posture, SideNeed, View};
use crate::pose::index;

/// Faults this exercise raises.
pub const FAULTS: &[FaultCode] = &[
    FaultCode::TooDeep,
    FaultCode::TrunkLeansForward,
    FaultCode::HeelsLift,
    FaultCode::KneesCaveIn,
    FaultCode::TooFast,
];

/// Thresholds from `[checks]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SquatChecks {
    pub too_deep_deg: f64,
    pub trunk_lean_deg: f64,
    pub heel_lift_deg: f64,
    pub knees_in_torso: f64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Rest {
    /// Where the person faces (side view; fixed at calibration).
    facing: Vec2,
    knee_flexion_deg: f64,
    hip_ankle_torso: f64,
    /// Front view: [`frontal_widths_px`].
    widths_px: f64,
    trunk_lean_deg: f64,
    /// The near foot (side view): 0 left, 1 right; its heel-to-toe angle.
    near_foot: usize,
    foot_deg: f64,
    /// The knees' spacing (front view).
    knee_gap_torso: f64,
}

/// Mini squats.
pub struct MiniSquat {
    spec: ExerciseSpec,
    checks: SquatChecks,
    engine: RepEngine,
    rest: Rest,
    /// The frames since the rest stopped fitting the person (see [`RELEVEL_S`]).
    off_rest: Vec<(f64, BodyFrame)>,
}

/// The rest is taken again, from the latest half of these frames, once for this long
/// either standing has read below it by more than a rep's start — the rest was taken
/// lower, at a squat's pause (from the front, where no start check can tell a paused
/// squat from standing) — or, from the front, the whole body has grown or shrunk in the
/// picture by [`MOVED_SHARE`], as much as the legs have: a step nearer or further, not a
/// squat (which leaves the frontal widths alone). The rep under way is dropped.
const RELEVEL_S: f64 = 1.0;
/// The frontal widths' change that is a step, not jitter or a squat's hips going back
/// (synthetic deep squats change them by ~1%, a still person's jitter less).
const MOVED_SHARE: f64 = 0.05;

/// Front view: the shoulders' and hips' widths, pixels. Facing the camera, neither a
/// knee bend nor a lean forward changes them; a step nearer or further scales them.
fn frontal_widths_px(f: &BodyFrame) -> f64 {
    let at = |i: usize| f.points.get(i).copied().unwrap_or_default();
    Vec2::distance(at(index::LEFT_SHOULDER), at(index::RIGHT_SHOULDER))
        + Vec2::distance(at(index::LEFT_HIP), at(index::RIGHT_HIP))
}

const LEGS: [usize; 6] = [
    index::LEFT_HIP,
    index::RIGHT_HIP,
    index::LEFT_KNEE,
    index::RIGHT_KNEE,
    index::LEFT_ANKLE,
    index::RIGHT_ANKLE,
];
const TRUNK: [usize; 4] = [
    index::LEFT_SHOULDER,
    index::RIGHT_SHOULDER,
    index::LEFT_HIP,
    index::RIGHT_HIP,
];
const FEET: [usize; 4] = [
    index::LEFT_HEEL,
    index::RIGHT_HEEL,
    index::LEFT_FOOT_INDEX,
    index::RIGHT_FOOT_INDEX,
];

/// Front view: counted signal per unit of hip–ankle shortening (a share of the standing
/// length), so that a 45° knee bend — 1 − cos 22.5° of shortening — reads 45 like the
/// side view's angle. Bends shallower than that read less than their angle (a 20° bend
/// reads 9), deeper ones more.
const FRONT_DEG_PER_SHORTENING: f64 = 45.0 / 0.076_120_467;

/// Per foot [left, right], the heel-to-toe line's slope, degrees: how far the heel
/// stands above the toe (grows as the heel lifts).
fn foot_angles_deg(f: &BodyFrame, facing: Vec2) -> [f64; 2] {
    let angle = |heel: usize, toe: usize| match (f.points.get(heel), f.points.get(toe)) {
        (Some(h), Some(t)) => {
            let v = *h - *t;
            v.dot(f.axes.up_dir).atan2(-v.dot(facing)).to_degrees()
        }
        _ => 0.0,
    };
    [
        angle(index::LEFT_HEEL, index::LEFT_FOOT_INDEX),
        angle(index::RIGHT_HEEL, index::RIGHT_FOOT_INDEX),
    ]
}

/// The knees' spacing across the body, torso lengths (front view). A camera off to one
/// side sees knees going forward as sideways motion, but of both knees the same way: the
/// spacing keeps only their moving toward each other.
fn knee_gap_torso(f: &BodyFrame) -> f64 {
    let at = |i: usize| f.points.get(i).copied().unwrap_or_default();
    (at(index::LEFT_KNEE) - at(index::RIGHT_KNEE)).dot(f.axes.left_dir) / f.axes.scale_px.max(1e-6)
}

impl MiniSquat {
    /// Builds it from its spec.
    pub fn new(spec: ExerciseSpec) -> Result<Self, SpecError> {
        let checks: SquatChecks = spec.checks()?;
        let engine = RepEngine::new(&spec, false, None)?.with_range_in_degrees();
        Ok(Self {
            spec,
            checks,
            engine,
            rest: Rest::default(),
            off_rest: Vec::new(),
        })
    }

    /// The knees' bend, degrees (absolute: standing reads a few degrees).
    fn knee_bend_deg(&self, f: &BodyFrame) -> f64 {
        match f.axes.view {
            View::Side => (f.knee_flexion_deg[0] + f.knee_flexion_deg[1]) / 2.0,
            _ => {
                self.rest.knee_flexion_deg
                    + 2.0
                        * (1.0 - self.shortening(f))
                            .clamp(0.0, 1.0)
                            .acos()
                            .to_degrees()
            }
        }
    }

    /// Front view: the hip–ankle distance's shortening, a share of its standing length.
    fn shortening(&self, f: &BodyFrame) -> f64 {
        1.0 - f.hip_ankle_torso / self.rest.hip_ankle_torso.max(1e-6)
    }

    /// The counted signal: the knee bend from standing (side), or the shortening scaled
    /// to read like it (front).
    fn signal(&self, f: &BodyFrame) -> f64 {
        match f.axes.view {
            View::Side => self.knee_bend_deg(f) - self.rest.knee_flexion_deg,
            _ => FRONT_DEG_PER_SHORTENING * self.shortening(f),
        }
    }
}

impl Exercise for MiniSquat {
    super::reps::rep_engine_bookkeeping!();

    fn requirements(&self) -> Requirements {
        Requirements {
            posture: Posture::Standing,
            view: View::Side,
            other_view: Some(View::Front),
            passes_through: Vec::new(),
            parts: vec![
                (BodyPart::Hips, SideNeed::Either),
                (BodyPart::Knees, SideNeed::Either),
                (BodyPart::Ankles, SideNeed::Either),
            ],
            belly_cue: false,
        }
    }

    fn check_start(&self, frame: &BodyFrame) -> Result<(), String> {
        // Standing tall: the knees nearly straight (from the front, not sitting).
        let bend = (frame.knee_flexion_deg[0] + frame.knee_flexion_deg[1]) / 2.0;
        self.spec.start_check(match frame.axes.view {
            View::Side => bend < 20.0,
            _ => !frame.thighs_toward_camera(),
        })
    }

    fn calibrate(&mut self, _since_s: f64, rest: &[(f64, BodyFrame)]) {
        let side = rest.first().is_some_and(|(_, b)| b.axes.view == View::Side);
        let near_foot = usize::from(
            rest_median(rest, |b| {
                b.depth_px[index::RIGHT_HEEL] - b.depth_px[index::LEFT_HEEL]
            }) < 0.0,
        );
        let facing = BodyFrame::facing_over(rest.iter().map(|(_, b)| b));
        self.rest = Rest {
            facing,
            knee_flexion_deg: if side {
                rest_median(rest, |b| {
                    (b.knee_flexion_deg[0] + b.knee_flexion_deg[1]) / 2.0
                })
            } else {
                0.0
            },
            hip_ankle_torso: rest_median(rest, |b| b.hip_ankle_torso),
            widths_px: rest_median(rest, frontal_widths_px),
            trunk_lean_deg: rest_median(rest, |b| b.trunk_pitch_deg(facing)),
            near_foot,
            foot_deg: rest_median(rest, |b| foot_angles_deg(b, facing)[near_foot]),
            knee_gap_torso: rest_median(rest, knee_gap_torso),
        };
        let series: Vec<(f64, f64)> = rest.iter().map(|(t, b)| (*t, self.signal(b))).collect();
        self.engine.counter.calibrate(&series);
        // From the front the counted signal is not the angle: each rep notes it.
        self.engine.set_range_in_degrees(side);
    }

    fn update(
        &mut self,
        t_s: f64,
        frame: Option<&BodyFrame>,
        seen: &PartVisibility,
    ) -> Vec<ExerciseEvent> {
        let mut events = Vec::new();
        let min = crate::kinematics::visibility::DEFAULT_VISIBILITY_MIN;
        let sees = |p: BodyPart, need: SideNeed| seen.sees(p, need, min);
        let legs_seen = sees(BodyPart::Hips, SideNeed::Either)
            && sees(BodyPart::Knees, SideNeed::Either)
            && sees(BodyPart::Ankles, SideNeed::Either);
        let codes = [
            FaultCode::TooDeep,
            FaultCode::TrunkLeansForward,
            FaultCode::HeelsLift,
            FaultCode::KneesCaveIn,
        ];
        let Some(f) = frame.filter(|_| legs_seen) else {
            return self.engine.unseen(t_s, &codes);
        };
        let c = &self.checks;
        let in_rep = self.engine.counter.in_rep();
        let side = f.axes.view == View::Side;
        let bend = self.knee_bend_deg(f);
        let facing = self.rest.facing;
        let deep = Some(in_rep && bend > c.too_deep_deg);
        let trunk_seen = sees(BodyPart::Shoulders, SideNeed::Either);
        let lean = (side && trunk_seen).then(|| {
            in_rep && f.trunk_pitch_deg(facing) - self.rest.trunk_lean_deg > c.trunk_lean_deg
        });
        let heels = (side && sees(BodyPart::Feet, SideNeed::Either)).then(|| {
            in_rep
                && foot_angles_deg(f, facing)[self.rest.near_foot] - self.rest.foot_deg
                    > c.heel_lift_deg
        });
        let knees_in = (!side && sees(BodyPart::Knees, SideNeed::Both)).then(|| {
            // Each knee's share of the spacing lost.
            in_rep && (self.rest.knee_gap_torso - knee_gap_torso(f)) / 2.0 > c.knees_in_torso
        });
        for (code, verdict, marks) in [
            (FaultCode::TooDeep, deep, &LEGS[..]),
            (FaultCode::TrunkLeansForward, lean, &TRUNK[..]),
            (FaultCode::HeelsLift, heels, &FEET[..]),
            (FaultCode::KneesCaveIn, knees_in, &LEGS[..]),
        ] {
            events.extend(self.engine.faults.observe(t_s, code, verdict, marks));
        }
        let signal = self.signal(f);
        tracing::trace!(target: "backform::signal", t_s, bend, signal);
        let start = self
            .spec
            .counter
            .as_ref()
            .map_or(f64::INFINITY, |c| c.start);
        let moved = !side && {
            let scaled = frontal_widths_px(f) / self.rest.widths_px.max(1e-6) - 1.0;
            let legs = -self.shortening(f);
            scaled.abs() > MOVED_SHARE && (scaled - legs).abs() < 0.5 * scaled.abs()
        };
        if signal < -start || moved {
            self.off_rest.push((t_s, f.clone()));
            if t_s - self.off_rest[0].0 >= RELEVEL_S {
                let frames = std::mem::take(&mut self.off_rest);
                tracing::info!(
                    t_s,
                    moved,
                    "mini squat: the rest no longer fits; calibrated again"
                );
                events.extend(self.engine.new_view(t_s));
                self.calibrate(t_s, &frames[frames.len() / 2..]);
                return events;
            }
        } else {
            self.off_rest.clear();
        }
        events.extend(self.engine.step(t_s, Some(signal)));
        if !side {
            self.engine
                .note_range_deg(bend - self.rest.knee_flexion_deg);
        }
        events
    }

    fn state(&self) -> ExerciseState {
        self.engine.exercise_state(
            &self.spec,
            0,
            None,
            !self.engine.counter.can_see(),
            LEGS.iter().chain(&TRUNK).copied(),
        )
    }
}
