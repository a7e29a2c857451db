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

use serde::Deserialize;

use super::reps::RepEngine;
use super::spec::{ExerciseSpec, SpecError};
use super::{
    Exercise, ExerciseEvent, ExerciseRecord, ExerciseState, FaultCode, Requirements, rest_median,
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
}

#[derive(Clone, Copy, Debug, Default)]
struct Rest {
    trunk_angle_deg: f64,
    shoulder_height_torso: f64,
    head_height_torso: f64,
    hip_height_torso: f64,
}

/// Pelvic tilts.
pub struct PelvicTilt {
    spec: ExerciseSpec,
    checks: TiltChecks,
    engine: RepEngine,
    rest: Rest,
    below_noise: bool,
}

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
            rest: Rest::default(),
            below_noise: false,
        })
    }
}

impl PelvicTilt {
    /// The counter's signal, degrees: how far the trunk line has turned the tilt's way
    /// (hips up against the shoulders) — or, for a crunch done instead, how far the
    /// shoulders rose off the floor, as the same angle (rise over a torso length).
    fn movement(&self, f: &BodyFrame) -> f64 {
        let tilt = self.rest.trunk_angle_deg - f.trunk_angle_deg;
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

fn knees_bent(frame: &BodyFrame) -> bool {
    // Knees up off the hip–ankle line by a good part of a torso length.
    frame.knee_height_torso > 0.25
}

impl Exercise for PelvicTilt {
    fn spec(&self) -> &ExerciseSpec {
        &self.spec
    }

    fn requirements(&self) -> Requirements {
        Requirements::lying_side_view()
    }

    fn check_start(&self, frame: &BodyFrame) -> Result<(), String> {
        self.spec.start_check(knees_bent(frame))
    }

    fn calibrate(&mut self, _since_s: f64, rest: &[(f64, BodyFrame)]) {
        let med = |f: &dyn Fn(&BodyFrame) -> f64| rest_median(rest, f);
        self.rest = Rest {
            trunk_angle_deg: med(&|b| b.trunk_angle_deg),
            shoulder_height_torso: med(&|b| b.shoulder_height_torso),
            head_height_torso: med(&|b| b.head_height_torso),
            hip_height_torso: med(&|b| b.hip_height_torso),
        };
        let series: Vec<(f64, f64)> = rest.iter().map(|(t, b)| (*t, self.movement(b))).collect();
        self.engine.counter.calibrate(&series);
        self.below_noise = self.engine.counter.noise() > self.checks.max_noise_deg;
        self.engine.set_rep_checks(!self.below_noise);
        if self.below_noise {
            tracing::warn!(
                noise_deg = self.engine.counter.noise(),
                "pelvic tilt: resting trunk-angle noise exceeds a tilt's signal"
            );
        }
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
        let trunk_seen = sees(BodyPart::Shoulders) && sees(BodyPart::Hips);
        let Some(f) = frame.filter(|_| trunk_seen) else {
            for code in [FaultCode::Crunch, FaultCode::HipsLift] {
                events.extend(self.engine.faults.observe(t_s, code, None, &[]));
            }
            events.extend(self.engine.step(t_s, None));
            return events;
        };
        let c = &self.checks;
        let shoulders_up = f.shoulder_height_torso - self.rest.shoulder_height_torso
            > c.crunch_shoulder_rise_torso;
        let head_up = sees(BodyPart::Head)
            && f.head_height_torso - self.rest.head_height_torso > c.crunch_head_rise_torso;
        events.extend(self.engine.faults.observe(
            t_s,
            FaultCode::Crunch,
            Some(shoulders_up || head_up),
            &HEAD,
        ));
        let bridge = sees(BodyPart::Ankles)
            .then_some(f.hip_height_torso - self.rest.hip_height_torso > c.hips_lift_torso);
        events.extend(
            self.engine
                .faults
                .observe(t_s, FaultCode::HipsLift, bridge, &BRIDGE),
        );
        events.extend(self.engine.step(t_s, Some(self.movement(f))));
        events
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
        self.engine.new_view(t_s)
    }

    fn finish(&mut self, t_s: f64) -> Vec<ExerciseEvent> {
        self.engine.finish(t_s)
    }

    fn record(&self) -> ExerciseRecord {
        let mut notes = Vec::new();
        if self.below_noise {
            notes.push(format!(
                "the tilt was hard to see from this placement (resting noise {:.2}° of trunk angle): counts may be incomplete, holds and speed were not judged",
                self.engine.counter.noise()
            ));
        }
        self.engine.record(notes)
    }
}
