//! Seated twist (sitting upright, camera in front at chest height).
//!
//! In flow [`BodyFrame`]s in upright front-view axes; out flow reps per side (the side
//! the person turns toward) with their holds and ranges, and the faults `pelvis-turns`,
//! `lean-sideways`, `too-fast`, `hold-too-short`.
//!
//! Counting: the shoulder line's turn about the vertical from its resting angle, from
//! BlazePose's depth of the two shoulders against the line's width in the picture
//! ([`BodyFrame::shoulder_yaw_deg`]) — an angle, the same for any body size or camera
//! distance, and each rep's range in degrees. The rendered good twists (28–42°) read as
//! 31–49°.
//!
//! Checks, against the resting position and only during a twist: `pelvis-turns` when the
//! hip line turns with the shoulders by more than the spec's share of their turn (and by
//! more than a floor in degrees) — BlazePose's hip depth follows a trunk twist about half
//! way by itself, so the share sits above that; `lean-sideways` when the shoulders move
//! sideways off the hips by more than the spec's distance.

use serde::Deserialize;

use super::reps::{RepEngine, SideRule};
use super::spec::{ExerciseSpec, SpecError};
use super::{Exercise, ExerciseEvent, ExerciseState, FaultCode, Requirements, Side, rest_median};
use crate::kinematics::{BodyFrame, BodyPart, PartVisibility, Posture, SideNeed, View};
use crate::pose::index;

/// Faults this exercise raises.
pub const FAULTS: &[FaultCode] = &[
    FaultCode::PelvisTurns,
    FaultCode::LeanSideways,
    FaultCode::TooFast,
    FaultCode::HoldTooShort,
];

/// Thresholds from `[checks]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwistChecks {
    pub facing_max_deg: f64,
    pub min_side_deg: f64,
    pub pelvis_share: f64,
    pub pelvis_min_deg: f64,
    pub lean_torso: f64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Rest {
    shoulder_yaw_deg: f64,
    hip_yaw_deg: f64,
    lean_torso: f64,
}

/// Seated twists.
pub struct SeatedTwist {
    spec: ExerciseSpec,
    checks: TwistChecks,
    engine: RepEngine,
    rest: Rest,
}

const SHOULDERS: [usize; 2] = [index::LEFT_SHOULDER, index::RIGHT_SHOULDER];
const HIPS: [usize; 2] = [index::LEFT_HIP, index::RIGHT_HIP];

impl SeatedTwist {
    /// Builds it from its spec.
    pub fn new(spec: ExerciseSpec) -> Result<Self, SpecError> {
        let checks: TwistChecks = spec.checks()?;
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

    /// The twist, degrees, + toward the person's left.
    fn twist_deg(&self, f: &BodyFrame) -> f64 {
        f.shoulder_yaw_deg - self.rest.shoulder_yaw_deg
    }
}

impl Exercise for SeatedTwist {
    super::reps::rep_engine_bookkeeping!();

    fn requirements(&self) -> Requirements {
        Requirements {
            posture: Posture::Sitting,
            view: View::Front,
            other_view: None,
            passes_through: Vec::new(),
            parts: vec![
                (BodyPart::Shoulders, SideNeed::Both),
                (BodyPart::Hips, SideNeed::Both),
            ],
            belly_cue: false,
        }
    }

    fn check_start(&self, frame: &BodyFrame) -> Result<(), String> {
        // Seated upright (the trunk within ~30° of the image's vertical) and facing the
        // camera: a person filmed from the side looks front-on for a moment while turned
        // toward it, and must not be calibrated there.
        self.spec.start_check(
            frame.axes.up_dir.y < -0.85
                && frame.shoulder_yaw_deg.abs() < self.checks.facing_max_deg
                && frame.hip_yaw_deg.abs() < self.checks.facing_max_deg,
        )
    }

    fn calibrate(&mut self, _since_s: f64, rest: &[(f64, BodyFrame)]) {
        self.rest = Rest {
            shoulder_yaw_deg: rest_median(rest, |b| b.shoulder_yaw_deg),
            hip_yaw_deg: rest_median(rest, |b| b.hip_yaw_deg),
            lean_torso: rest_median(rest, |b| b.lean_torso),
        };
        let series: Vec<(f64, f64)> = rest.iter().map(|(t, b)| (*t, self.twist_deg(b))).collect();
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
        let shoulders_seen = seen.sees(BodyPart::Shoulders, SideNeed::Both, min);
        let hips_seen = seen.sees(BodyPart::Hips, SideNeed::Both, min);
        let Some(f) = frame.filter(|_| shoulders_seen) else {
            return self
                .engine
                .unseen(t_s, &[FaultCode::PelvisTurns, FaultCode::LeanSideways]);
        };
        let twist = self.twist_deg(f);
        let hip_turn = f.hip_yaw_deg - self.rest.hip_yaw_deg;
        let c = &self.checks;
        let in_rep = self.engine.counter.in_rep();
        let pelvis = hips_seen.then(|| {
            let turn = hip_turn;
            // Turning the same way as the shoulders, by most of their turn.
            in_rep
                && turn * twist > 0.0
                && turn.abs() > c.pelvis_min_deg
                && turn.abs() > c.pelvis_share * twist.abs()
        });
        let lean =
            hips_seen.then(|| in_rep && (f.lean_torso - self.rest.lean_torso).abs() > c.lean_torso);
        events.extend(
            self.engine
                .faults
                .observe(t_s, FaultCode::PelvisTurns, pelvis, &HIPS),
        );
        events.extend(
            self.engine
                .faults
                .observe(t_s, FaultCode::LeanSideways, lean, &SHOULDERS),
        );
        events.extend(self.engine.step(t_s, Some(twist)));
        events
    }

    fn state(&self) -> ExerciseState {
        self.engine.exercise_state(
            &self.spec,
            self.spec.prescription.reps_per_side,
            self.engine.hold_state(),
            !self.engine.counter.can_see(),
            SHOULDERS.iter().chain(&HIPS).copied(),
        )
    }
}
