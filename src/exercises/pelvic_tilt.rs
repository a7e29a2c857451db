//! Pelvic tilt (lying on the back, camera beside at floor level).
//!
//! In flow [`BodyFrame`]s in side-view lying axes; out flow reps with their holds and the
//! faults `hold-too-short`, `crunch`, `hips-lift`, `too-fast`.
//!
//! The tilt itself is tiny in landmarks: 13° of pelvic tilt moves the hip centre ~3 mm
//! and the shoulders ~1 cm. What carries it is the trunk line (hip midpoint → shoulder
//! midpoint) turning against the floor line: ~1.7° in the true projection, 0.6–1.1° in
//! MediaPipe's output. The counter takes that angle's fall from rest (hips rising against
//! the shoulders), so a bridge done instead of a tilt still counts as a rep — with its
//! fault attached; a crunch is flagged, and counted only if the pelvis tilted too (the
//! other direction also catches MediaPipe's slow drift back after a long hold, which
//! would count as reps). The faults use measures that a tilt barely moves:
//! `crunch` the shoulders' and head's rise off the floor, `hips-lift` the hip midpoint's
//! rise above the shoulder–ankle line (0.2 torso lengths in a bridge, 0.005 in a tilt).
//! If the resting noise is larger than a tilt, the state says so and the coach tells the
//! person the tilt cannot be seen from there, instead of counting guesses.

use serde::Deserialize;

use super::reps::RepEngine;
use super::spec::{ExerciseSpec, SpecError};
use super::{Exercise, ExerciseEvent, ExerciseRecord, ExerciseState, FaultCode, Requirements};
use crate::kinematics::geometry::median;
use crate::kinematics::{BodyFrame, BodyPart, PartVisibility, Posture, SideNeed, View};
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
#[serde(default, deny_unknown_fields)]
pub struct TiltChecks {
    pub crunch_shoulder_rise_torso: f64,
    pub crunch_head_rise_torso: f64,
    pub hips_lift_torso: f64,
    pub max_noise_deg: f64,
}

impl Default for TiltChecks {
    fn default() -> Self {
        Self {
            crunch_shoulder_rise_torso: 0.06,
            crunch_head_rise_torso: 0.10,
            hips_lift_torso: 0.05,
            max_noise_deg: 0.12,
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Rest {
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
        // Counted one way: the trunk angle falling (hips rising relative to the
        // shoulders), which a tilt and a bridge do. Counting the other way too would
        // count MediaPipe's slow return after a long hold as a rep.
        let engine = RepEngine::new(&spec, false, None);
        Ok(Self {
            spec,
            checks,
            engine,
            rest: Rest::default(),
            below_noise: false,
        })
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
        Requirements {
            posture: Posture::Lying,
            view: View::Side,
            parts: vec![
                (BodyPart::Shoulders, SideNeed::Either),
                (BodyPart::Hips, SideNeed::Either),
                (BodyPart::Knees, SideNeed::Either),
                (BodyPart::Ankles, SideNeed::Either),
            ],
        }
    }

    fn check_start(&self, frame: &BodyFrame) -> Result<(), String> {
        if knees_bent(frame) {
            Ok(())
        } else {
            Err(self.spec.start_position_prompt.clone())
        }
    }

    fn calibrate(&mut self, _since_s: f64, rest: &[(f64, BodyFrame)]) {
        let med = |f: &dyn Fn(&BodyFrame) -> f64| {
            median(&rest.iter().map(|(_, b)| f(b)).collect::<Vec<_>>()).unwrap_or(0.0)
        };
        self.rest = Rest {
            shoulder_height_torso: med(&|b| b.shoulder_height_torso),
            head_height_torso: med(&|b| b.head_height_torso),
            hip_height_torso: med(&|b| b.hip_height_torso),
        };
        let series: Vec<(f64, f64)> = rest.iter().map(|(t, b)| (*t, -b.trunk_angle_deg)).collect();
        self.engine.counter.calibrate(&series);
        self.below_noise = self.engine.counter.noise() > self.checks.max_noise_deg;
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
        let bridge = sees(BodyPart::Ankles).then_some(f.hip_height_torso - self.rest.hip_height_torso > c.hips_lift_torso);
        events.extend(
            self.engine
                .faults
                .observe(t_s, FaultCode::HipsLift, bridge, &BRIDGE),
        );
        events.extend(self.engine.step(t_s, Some(-f.trunk_angle_deg)));
        events
    }

    fn state(&self) -> ExerciseState {
        let (set, reps_in_set) = self.engine.set_progress();
        let mut check_landmarks: Vec<usize> =
            TRUNK.iter().chain(&HEAD).chain(&BRIDGE).copied().collect();
        check_landmarks.extend([index::LEFT_KNEE, index::RIGHT_KNEE]);
        check_landmarks.sort_unstable();
        check_landmarks.dedup();
        ExerciseState {
            counts: self.engine.counts(),
            set,
            reps_in_set,
            reps_target: self.spec.prescription.reps_per_set,
            reps_per_side_target: 0,
            hold: self.engine.hold_state(),
            timer: None,
            active_faults: self.engine.faults.active(),
            check_landmarks,
            fault_landmarks: self.engine.faults.active_landmarks(),
            signal_below_noise: self.below_noise,
            in_rep: self.engine.counter.in_rep(),
            movement: self.engine.counter.excursion(),
            movement_threshold: self.engine.counter.start_threshold(),
        }
    }

    fn finish(&mut self, t_s: f64) -> Vec<ExerciseEvent> {
        self.engine.finish(t_s)
    }

    fn record(&self) -> ExerciseRecord {
        let mut notes = Vec::new();
        if self.below_noise {
            notes.push(format!(
                "the tilt was hard to see from this placement (resting noise {:.2}° of trunk angle); counts may be incomplete",
                self.engine.counter.noise()
            ));
        }
        ExerciseRecord {
            reps: self.engine.reps().to_vec(),
            counts: self.engine.counts(),
            faults: self.engine.faults.spans().to_vec(),
            sets: self.engine.set_records(),
            steps: Vec::new(),
            notes,
        }
    }
}
