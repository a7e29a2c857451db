//! Bridge (lying on the back, knees bent, camera beside at floor level).
//!
//! In flow [`BodyFrame`]s in side-view lying axes; out flow reps with their holds and
//! ranges, and the faults `hips-too-low`, `back-arching`, `too-fast`, `hold-too-short`.
//!
//! Counting: a bridge turns the body about the upper back, so the trunk line (hips →
//! shoulders) turns up from its resting angle by about the hips' lift — an angle, so it
//! reads the same for any body size or camera distance. That turn is the counter's
//! signal and each rep's range in degrees (~0.9 of the hips' lift rotation on the
//! rendered bodies). The position checks read where the hip midpoint is against the line
//! from the shoulders to the knees, as a share of how far below it the hips rest (the
//! person's own geometry): still more than the spec's share below while holding
//! (`hips-too-low`), above it by more than the spec's share at any time in a rep
//! (`back-arching`: the hips pushed past neutral by the lower back).
//!
//! Hips dropping to one side are not judged: from the side a level bridge's own lift moves
//! the two hips' image heights as much as a roll of ~9° would (`assets/exercises/bridge.toml`).

use serde::Deserialize;

use super::reps::RepEngine;
use super::spec::{ExerciseSpec, SpecError};
use super::{Exercise, ExerciseEvent, ExerciseState, FaultCode, Requirements, rest_median};
use crate::kinematics::{BodyFrame, BodyPart, PartVisibility, SideNeed};
use crate::pose::index;

/// Faults this exercise raises.
pub const FAULTS: &[FaultCode] = &[
    FaultCode::HipsTooLow,
    FaultCode::BackArching,
    FaultCode::TooFast,
    FaultCode::HoldTooShort,
];

/// Thresholds from `[checks]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BridgeChecks {
    pub hips_low_share: f64,
    pub arching_share: f64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Rest {
    trunk_angle_deg: f64,
    /// How far below the shoulder–knee line the hips rest, torso lengths (> 0).
    hip_depth_torso: f64,
}

/// Bridges.
pub struct Bridge {
    spec: ExerciseSpec,
    checks: BridgeChecks,
    engine: RepEngine,
    rest: Rest,
}

/// The landmarks the line check reads.
const LINE: [usize; 6] = [
    index::LEFT_SHOULDER,
    index::RIGHT_SHOULDER,
    index::LEFT_HIP,
    index::RIGHT_HIP,
    index::LEFT_KNEE,
    index::RIGHT_KNEE,
];

impl Bridge {
    /// Builds it from its spec.
    pub fn new(spec: ExerciseSpec) -> Result<Self, SpecError> {
        let checks: BridgeChecks = spec.checks()?;
        let engine = RepEngine::new(&spec, false, None)?.with_range_in_degrees();
        Ok(Self {
            spec,
            checks,
            engine,
            rest: Rest::default(),
        })
    }

    /// The lift, degrees: the trunk line's turn up from rest (hips rising lowers the
    /// trunk's angle above the body axis).
    fn lift_deg(&self, f: &BodyFrame) -> f64 {
        self.rest.trunk_angle_deg - f.trunk_angle_deg
    }
}

impl Exercise for Bridge {
    super::reps::rep_engine_bookkeeping!();

    fn requirements(&self) -> Requirements {
        Requirements::lying_side_view()
    }

    fn check_start(&self, frame: &BodyFrame) -> Result<(), String> {
        self.spec.start_check(super::knees_bent_up(frame))
    }

    fn calibrate(&mut self, _since_s: f64, rest: &[(f64, BodyFrame)]) {
        self.rest = Rest {
            trunk_angle_deg: rest_median(rest, |b| b.trunk_angle_deg),
            hip_depth_torso: -rest_median(rest, |b| b.hip_above_shoulder_knee_torso),
        };
        let series: Vec<(f64, f64)> = rest.iter().map(|(t, b)| (*t, self.lift_deg(b))).collect();
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
        let sees = |p: BodyPart, need: SideNeed| seen.sees(p, need, min);
        let trunk_seen =
            sees(BodyPart::Shoulders, SideNeed::Either) && sees(BodyPart::Hips, SideNeed::Either);
        let Some(f) = frame.filter(|_| trunk_seen) else {
            return self
                .engine
                .unseen(t_s, &[FaultCode::HipsTooLow, FaultCode::BackArching]);
        };
        let c = &self.checks;
        let knees_seen = sees(BodyPart::Knees, SideNeed::Either);
        let in_rep = self.engine.counter.in_rep();
        let holding = self.engine.counter.plateau_since().is_some();
        // Judged only against a resting depth that is one: hips that rest on the line
        // (legs straight) give no scale to read a share of.
        let depth = self.rest.hip_depth_torso;
        let judged = knees_seen && depth > 0.05;
        let line = f.hip_above_shoulder_knee_torso / depth.max(1e-6);
        let low = judged.then_some(holding && line < -c.hips_low_share);
        let arching = judged.then_some(in_rep && line > c.arching_share);
        events.extend(
            self.engine
                .faults
                .observe(t_s, FaultCode::HipsTooLow, low, &LINE),
        );
        events.extend(
            self.engine
                .faults
                .observe(t_s, FaultCode::BackArching, arching, &LINE),
        );
        let lift = self.lift_deg(f);
        events.extend(self.engine.step(t_s, Some(lift)));
        events
    }

    fn state(&self) -> ExerciseState {
        self.engine.exercise_state(
            &self.spec,
            0,
            self.engine.hold_state(),
            !self.engine.counter.can_see(),
            LINE.iter().copied(),
        )
    }
}
