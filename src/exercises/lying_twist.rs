//! Lying twist (lying on the back, one bent knee crossed over the straight other leg
//! toward the floor, the opposite arm out; camera beside at floor level).
//!
//! In flow [`BodyFrame`]s in side-view lying axes; out flow reps per side (the side the
//! knee goes to) with their holds and ranges, and the faults `shoulders-lift`,
//! `straight-leg-bends`, `too-fast`, `hold-too-short`.
//!
//! Counting: the crossing knee rolls the pelvis with it, and from the side its roll shows
//! as one hip rising above the other (the controlled rotation's signal; + when the knee
//! goes to the left). Each rep's range is the bent thigh's turn from pointing up toward
//! the floor, degrees — its knee's depth against its height above the hip (BlazePose's
//! depth is compressed: a rough angle, reported as measured).
//!
//! Checks, during a twist: `shoulders-lift` — the arm out on the side away from the knee
//! leaving the floor ([`ArmLift`]), judged on twists away from the camera only: toward
//! it, that arm is the far one, seen past a body rolled at the camera, and MediaPipe
//! shows it lifting with any wide roll (the rotation stretch's wide drops, rendered);
//! `straight-leg-bends` — the straighter leg's knee bent
//! past its resting bend by more than the spec's angle (both knees bent: the stretch
//! slackens).

use serde::Deserialize;

use super::arm_lift::{ARMS, ArmLift, ArmThresholds};
use super::reps::{RepEngine, SideRule};
use super::spec::{ExerciseSpec, SpecError};
use super::{Exercise, ExerciseEvent, ExerciseState, FaultCode, Requirements, Side, rest_median};
use crate::kinematics::{BodyFrame, BodyPart, PartVisibility, SideNeed};
use crate::pose::index;

/// Faults this exercise raises.
pub const FAULTS: &[FaultCode] = &[
    FaultCode::ShouldersLift,
    FaultCode::StraightLegBends,
    FaultCode::NotAlternating,
    FaultCode::TooFast,
    FaultCode::HoldTooShort,
];

/// Thresholds from `[checks]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LyingTwistChecks {
    pub side_min_torso: f64,
    pub first_side: Side,
    pub arm_lift_near_torso: f64,
    pub arm_lift_far_torso: f64,
    pub straight_leg_bend_deg: f64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Rest {
    hip_roll_torso: f64,
    /// The straighter leg's bend at rest, degrees.
    straight_knee_deg: f64,
}

/// Lying twists.
pub struct LyingTwist {
    spec: ExerciseSpec,
    checks: LyingTwistChecks,
    engine: RepEngine,
    rest: Rest,
    arms: ArmLift,
}

const LEGS: [usize; 6] = [
    index::LEFT_HIP,
    index::RIGHT_HIP,
    index::LEFT_KNEE,
    index::RIGHT_KNEE,
    index::LEFT_ANKLE,
    index::RIGHT_ANKLE,
];

/// The bent thigh's turn from pointing up, degrees: its knee's depth from the hip against
/// its height above it.
fn thigh_turn_deg(f: &BodyFrame) -> f64 {
    let k = usize::from(f.knee_flexion_deg[1] > f.knee_flexion_deg[0]);
    let (hip, knee) = if k == 0 {
        (index::LEFT_HIP, index::LEFT_KNEE)
    } else {
        (index::RIGHT_HIP, index::RIGHT_KNEE)
    };
    let at = |i: usize| f.points.get(i).copied().unwrap_or_default();
    let z = |i: usize| f.depth_px.get(i).copied().unwrap_or(0.0);
    let up = (at(knee) - at(hip)).dot(f.axes.up_dir);
    (z(knee) - z(hip)).abs().atan2(up).to_degrees()
}

impl LyingTwist {
    /// Builds it from its spec.
    pub fn new(spec: ExerciseSpec) -> Result<Self, SpecError> {
        let checks: LyingTwistChecks = spec.checks()?;
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
            arms: ArmLift::default(),
        })
    }
}

impl Exercise for LyingTwist {
    super::reps::rep_engine_bookkeeping!();

    fn requirements(&self) -> Requirements {
        Requirements::lying_side_view()
    }

    fn check_start(&self, frame: &BodyFrame) -> Result<(), String> {
        // On the back with at least one leg straight along the floor.
        let straight = frame.leg_straightness.iter().any(|&s| s > 0.9);
        self.spec.start_check(straight)
    }

    fn calibrate(&mut self, _since_s: f64, rest: &[(f64, BodyFrame)]) {
        self.rest = Rest {
            hip_roll_torso: rest_median(rest, |b| b.hip_roll_torso),
            straight_knee_deg: rest_median(rest, |b| {
                b.knee_flexion_deg[0].min(b.knee_flexion_deg[1])
            }),
        };
        self.arms = ArmLift::calibrate(rest);
        let series: Vec<(f64, f64)> = rest
            .iter()
            .map(|(t, b)| (*t, b.hip_roll_torso - self.rest.hip_roll_torso))
            .collect();
        self.engine.counter.calibrate(&series);
    }

    fn update(
        &mut self,
        t_s: f64,
        frame: Option<&BodyFrame>,
        seen: &PartVisibility,
    ) -> Vec<ExerciseEvent> {
        let mut events = Vec::new();
        let min = crate::kinematics::visibility::DEFAULT_VISIBILITY_MIN;
        let sees = |p: BodyPart| seen.sees(p, SideNeed::Either, min);
        let codes = [FaultCode::ShouldersLift, FaultCode::StraightLegBends];
        let Some(f) = frame.filter(|_| sees(BodyPart::Hips)) else {
            return self.engine.unseen(t_s, &codes);
        };
        let c = &self.checks;
        let roll = f.hip_roll_torso - self.rest.hip_roll_torso;
        let in_rep = self.engine.counter.in_rep();
        let legs_seen = sees(BodyPart::Knees) && sees(BodyPart::Ankles);
        let straight_bent = legs_seen.then(|| {
            let straighter = f.knee_flexion_deg[0].min(f.knee_flexion_deg[1]);
            in_rep && straighter - self.rest.straight_knee_deg > c.straight_leg_bend_deg
        });
        let thresholds = ArmThresholds {
            near_torso: c.arm_lift_near_torso,
            far_torso: c.arm_lift_far_torso,
        };
        let near = f.axes.near_side;
        self.arms.update(t_s, f, near, thresholds);
        let arms_seen = sees(BodyPart::Shoulders) && sees(BodyPart::Wrists);
        // The knee to the left (positive roll): the right shoulder is the one that lifts;
        // with the side unsure, either. Toward the camera it is the far one: not seen.
        let opposite = (roll.abs() > c.side_min_torso).then_some(if roll > 0.0 {
            Side::Right
        } else {
            Side::Left
        });
        let far_arm = opposite.is_some_and(|o| near.is_some_and(|n| n != o));
        let shoulder = (arms_seen && !(in_rep && far_arm)).then(|| {
            in_rep
                && match opposite {
                    Some(o) => self.arms.lifted(o),
                    None => self.arms.lifted(Side::Left) || self.arms.lifted(Side::Right),
                }
        });
        events.extend(self.engine.faults.observe(
            t_s,
            FaultCode::StraightLegBends,
            straight_bent,
            &LEGS,
        ));
        events.extend(
            self.engine
                .faults
                .observe(t_s, FaultCode::ShouldersLift, shoulder, &ARMS),
        );
        if legs_seen {
            self.engine.note_range_deg(thigh_turn_deg(f));
        }
        tracing::trace!(target: "backform::signal", t_s, roll);
        events.extend(self.engine.step(t_s, Some(roll)));
        events
    }

    fn state(&self) -> ExerciseState {
        self.engine.exercise_state(
            &self.spec,
            self.spec.prescription.reps_per_side,
            self.engine.hold_state(),
            !self.engine.counter.can_see(),
            LEGS.iter().chain(&ARMS).copied(),
        )
    }
}
