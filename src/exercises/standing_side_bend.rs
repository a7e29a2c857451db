//! Standing side bend with an arm reach (standing, camera in front at chest height).
//!
//! In flow [`BodyFrame`]s in upright front-view axes; out flow reps per side (the side the
//! trunk bends toward) with their holds and ranges, and the faults `not-sideways`,
//! `hips-shift`, `arm-not-reaching`, `too-fast`, `hold-too-short`.
//!
//! Counting: the trunk line's (hips → shoulders) sideways angle from its standing angle
//! ([`BodyFrame::trunk_side_bend_deg`]), degrees, and each rep's range. The spine bends
//! along its length, so the line between its ends turns by about half the whole bend
//! (rendered good bends of 18–24° read 10–14°): the report's range is the trunk line's.
//!
//! Checks, during a bend: `not-sideways` when the torso shortens in the picture against
//! the legs (a trunk pitched toward or away from the camera by θ shows cos θ of its
//! length; BlazePose's depth cannot say it — its shoulders-to-hips depth swings by tens
//! of degrees on good bends); `hips-shift` when the hips move sideways over the feet by
//! more than the spec's share of a torso length; `arm-not-reaching` when, held at the
//! bend, the arm on the far side is not raised overhead (its shoulder–wrist line within
//! the spec's angle of the trunk's down direction).

use serde::Deserialize;

use super::reps::{RepEngine, SideRule};
use super::spec::{ExerciseSpec, SpecError};
use super::{Exercise, ExerciseEvent, ExerciseState, FaultCode, Requirements, Side, rest_median};
use crate::kinematics::geometry::angle_at_deg;
use crate::kinematics::{BodyFrame, BodyPart, PartVisibility, Posture, SideNeed, View};
use crate::pose::index;

/// Faults this exercise raises.
pub const FAULTS: &[FaultCode] = &[
    FaultCode::NotSideways,
    FaultCode::HipsShift,
    FaultCode::ArmNotReaching,
    FaultCode::TooFast,
    FaultCode::HoldTooShort,
];

/// Thresholds from `[checks]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SideBendChecks {
    pub min_side_deg: f64,
    pub torso_shortening: f64,
    pub hip_shift_torso: f64,
    pub arm_reach_deg: f64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Rest {
    bend_deg: f64,
    torso_over_legs: f64,
    hip_sideways_torso: f64,
}

/// Standing side bends.
pub struct StandingSideBend {
    spec: ExerciseSpec,
    checks: SideBendChecks,
    engine: RepEngine,
    rest: Rest,
}

const TRUNK: [usize; 4] = [
    index::LEFT_SHOULDER,
    index::RIGHT_SHOULDER,
    index::LEFT_HIP,
    index::RIGHT_HIP,
];
const ARMS: [usize; 4] = [
    index::LEFT_SHOULDER,
    index::RIGHT_SHOULDER,
    index::LEFT_WRIST,
    index::RIGHT_WRIST,
];

/// The torso's length in the picture over the legs' (hips to ankles): a ratio, so the
/// camera's distance cancels.
fn torso_over_legs(f: &BodyFrame) -> f64 {
    f.torso_ratio / f.hip_ankle_torso.max(1e-6)
}

/// How far an arm is raised, degrees: its shoulder–wrist line against the trunk's down
/// direction (0 hanging, 180 straight up beside the head).
fn arm_raise_deg(f: &BodyFrame, side: Side) -> f64 {
    let (shoulder, wrist) = match side {
        Side::Left => (index::LEFT_SHOULDER, index::LEFT_WRIST),
        Side::Right => (index::RIGHT_SHOULDER, index::RIGHT_WRIST),
    };
    let at = |i: usize| f.points.get(i).copied().unwrap_or_default();
    let sh = at(shoulder);
    angle_at_deg(at(wrist), sh, sh + (f.hip_mid - f.shoulder_mid))
}

impl StandingSideBend {
    /// Builds it from its spec.
    pub fn new(spec: ExerciseSpec) -> Result<Self, SpecError> {
        let checks: SideBendChecks = spec.checks()?;
        let engine = RepEngine::new(
            &spec,
            true,
            Some(SideRule {
                positive: Side::Left,
                min_peak: checks.min_side_deg,
                first: Side::Left,
            }),
        )?
        .with_range_in_degrees();
        Ok(Self {
            spec,
            checks,
            engine,
            rest: Rest::default(),
        })
    }

    /// The bend, degrees, + toward the person's left.
    fn bend_deg(&self, f: &BodyFrame) -> f64 {
        f.trunk_side_bend_deg - self.rest.bend_deg
    }
}

impl Exercise for StandingSideBend {
    super::reps::rep_engine_bookkeeping!();

    fn requirements(&self) -> Requirements {
        Requirements {
            posture: Posture::Standing,
            view: View::Front,
            other_view: None,
            passes_through: Vec::new(),
            parts: vec![
                (BodyPart::Shoulders, SideNeed::Both),
                (BodyPart::Hips, SideNeed::Both),
                (BodyPart::Ankles, SideNeed::Both),
            ],
            belly_cue: false,
        }
    }

    fn check_start(&self, frame: &BodyFrame) -> Result<(), String> {
        // Upright, legs straight under the hips: not sitting high on a stool (whose
        // thighs, pointing at the camera, look straight in the picture).
        let straight = frame.knee_flexion_deg.iter().all(|&k| k < 20.0);
        self.spec
            .start_check(frame.axes.up_dir.y < -0.9 && straight && !frame.thighs_toward_camera())
    }

    fn calibrate(&mut self, _since_s: f64, rest: &[(f64, BodyFrame)]) {
        self.rest = Rest {
            bend_deg: rest_median(rest, |b| b.trunk_side_bend_deg),
            torso_over_legs: rest_median(rest, torso_over_legs),
            hip_sideways_torso: rest_median(rest, |b| b.hip_sideways_torso),
        };
        let series: Vec<(f64, f64)> = rest.iter().map(|(t, b)| (*t, self.bend_deg(b))).collect();
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
        let sees = |p: BodyPart| seen.sees(p, SideNeed::Both, min);
        let codes = [
            FaultCode::NotSideways,
            FaultCode::HipsShift,
            FaultCode::ArmNotReaching,
        ];
        let Some(f) = frame.filter(|_| sees(BodyPart::Shoulders) && sees(BodyPart::Hips)) else {
            return self.engine.unseen(t_s, &codes);
        };
        let c = &self.checks;
        let bend = self.bend_deg(f);
        let in_rep = self.engine.counter.in_rep();
        let holding = self.engine.counter.plateau_since().is_some();
        let legs_seen = sees(BodyPart::Ankles);
        let pitched = legs_seen.then(|| {
            in_rep && torso_over_legs(f) < (1.0 - c.torso_shortening) * self.rest.torso_over_legs
        });
        let shifted = legs_seen.then(|| {
            in_rep
                && (f.hip_sideways_torso - self.rest.hip_sideways_torso).abs() > c.hip_shift_torso
        });
        // Bending to the left, the right arm reaches over, and the other way round.
        let reaching = if bend >= 0.0 { Side::Right } else { Side::Left };
        let arm_low = seen.sees(BodyPart::Wrists, SideNeed::Both, min).then(|| {
            holding && bend.abs() > c.min_side_deg && arm_raise_deg(f, reaching) < c.arm_reach_deg
        });
        for (code, verdict, marks) in [
            (FaultCode::NotSideways, pitched, &TRUNK[..]),
            (FaultCode::HipsShift, shifted, &TRUNK[2..]),
            (FaultCode::ArmNotReaching, arm_low, &ARMS[..]),
        ] {
            events.extend(self.engine.faults.observe(t_s, code, verdict, marks));
        }
        tracing::trace!(target: "backform::signal", t_s, bend);
        events.extend(self.engine.step(t_s, Some(bend)));
        events
    }

    fn state(&self) -> ExerciseState {
        self.engine.exercise_state(
            &self.spec,
            self.spec.prescription.reps_per_side,
            self.engine.hold_state(),
            !self.engine.counter.can_see(),
            TRUNK.iter().chain(&ARMS).copied(),
        )
    }
}
