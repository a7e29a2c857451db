//! Standing child's pose (hands on a table or wall, hips back, trunk folded forward;
//! camera beside at hip height).
//!
//! In flow [`BodyFrame`]s in upright side-view axes (the standing start); out flow each
//! fold as a rep with its hold and range, and the faults `knees-locked`, `hips-not-back`,
//! `back-rounding`, `too-fast`, `hold-too-short`.
//!
//! Counting: the trunk line's pitch forward from standing ([`BodyFrame::trunk_pitch_deg`]),
//! degrees, and each fold's range. Folded, the classifier calls the level trunk lying:
//! such frames are still judged (`Requirements::passes_through`).
//!
//! Checks, each against the person's own standing. Held in the fold (on the way down
//! the knees and hips are still getting there): `knees-locked` — the knees bent less than
//! the spec's angle past their standing bend (soft knees let the hips go back);
//! `hips-not-back` — the hips moved back from over the ankles by less than the spec's
//! share of a torso length. Throughout the fold, down and back up included (a back
//! rounded on the way is as much a strain): `back-rounding` — the head and upper back
//! curled down off the trunk line (the shoulder-to-ear line turned toward the chest) by
//! more than the spec's angle.

use serde::Deserialize;

use super::reps::RepEngine;
use super::spec::{ExerciseSpec, SpecError};
use super::{Exercise, ExerciseEvent, ExerciseState, FaultCode, Requirements, rest_median};
use crate::kinematics::geometry::Vec2;
use crate::kinematics::{BodyFrame, BodyPart, PartVisibility, Posture, SideNeed, View};
use crate::pose::index;

/// Faults this exercise raises.
pub const FAULTS: &[FaultCode] = &[
    FaultCode::KneesLocked,
    FaultCode::HipsNotBack,
    FaultCode::BackRounding,
    FaultCode::TooFast,
    FaultCode::HoldTooShort,
];

/// Thresholds from `[checks]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChildsPoseChecks {
    pub soft_knee_deg: f64,
    pub hips_back_torso: f64,
    pub back_round_deg: f64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Rest {
    /// Where the person faces (fixed at calibration).
    facing: Vec2,
    pitch_deg: f64,
    knee_deg: f64,
    hips_back_torso: f64,
    head_curl_deg: f64,
}

/// Standing child's pose.
pub struct StandingChildsPose {
    spec: ExerciseSpec,
    checks: ChildsPoseChecks,
    engine: RepEngine,
    rest: Rest,
}

const LEGS: [usize; 6] = [
    index::LEFT_HIP,
    index::RIGHT_HIP,
    index::LEFT_KNEE,
    index::RIGHT_KNEE,
    index::LEFT_ANKLE,
    index::RIGHT_ANKLE,
];
const BACK: [usize; 5] = [
    index::LEFT_SHOULDER,
    index::RIGHT_SHOULDER,
    index::LEFT_EAR,
    index::RIGHT_EAR,
    index::NOSE,
];

fn knee_bend_deg(f: &BodyFrame) -> f64 {
    (f.knee_flexion_deg[0] + f.knee_flexion_deg[1]) / 2.0
}

/// The hip midpoint behind the ankle midpoint, torso lengths.
fn hips_back_torso(f: &BodyFrame, facing: Vec2) -> f64 {
    -(f.hip_mid - f.ankle_mid).dot(facing) / f.axes.scale_px.max(1e-6)
}

/// The shoulder-to-ear line's turn off the trunk line toward the chest, degrees: the head
/// and upper back curling forward.
fn head_curl_deg(f: &BodyFrame, facing: Vec2) -> f64 {
    let at = |i: usize| f.points.get(i).copied().unwrap_or_default();
    let ears = Vec2::midpoint(at(index::LEFT_EAR), at(index::RIGHT_EAR));
    let trunk = f.shoulder_mid - f.hip_mid;
    let head = ears - f.shoulder_mid;
    // Turning from up toward the facing direction is turning toward the chest.
    let chestward = f.axes.up_dir.cross(facing).signum();
    (chestward * trunk.cross(head))
        .atan2(trunk.dot(head))
        .to_degrees()
}

impl StandingChildsPose {
    /// Builds it from its spec.
    pub fn new(spec: ExerciseSpec) -> Result<Self, SpecError> {
        let checks: ChildsPoseChecks = spec.checks()?;
        let engine = RepEngine::new(&spec, false, None)?.with_range_in_degrees();
        Ok(Self {
            spec,
            checks,
            engine,
            rest: Rest::default(),
        })
    }
}

impl Exercise for StandingChildsPose {
    super::reps::rep_engine_bookkeeping!();

    fn requirements(&self) -> Requirements {
        Requirements {
            posture: Posture::Standing,
            view: View::Side,
            other_view: None,
            passes_through: vec![Posture::Lying],
            parts: vec![
                (BodyPart::Shoulders, SideNeed::Either),
                (BodyPart::Hips, SideNeed::Either),
                (BodyPart::Knees, SideNeed::Either),
                (BodyPart::Ankles, SideNeed::Either),
            ],
            belly_cue: false,
        }
    }

    fn check_start(&self, frame: &BodyFrame) -> Result<(), String> {
        // Standing tall beside the table: knees nearly straight.
        self.spec.start_check(knee_bend_deg(frame) < 20.0)
    }

    fn calibrate(&mut self, _since_s: f64, rest: &[(f64, BodyFrame)]) {
        let facing = BodyFrame::facing_over(rest.iter().map(|(_, b)| b));
        self.rest = Rest {
            facing,
            pitch_deg: rest_median(rest, |b| b.trunk_pitch_deg(facing)),
            knee_deg: rest_median(rest, knee_bend_deg),
            hips_back_torso: rest_median(rest, |b| hips_back_torso(b, facing)),
            head_curl_deg: rest_median(rest, |b| head_curl_deg(b, facing)),
        };
        let series: Vec<(f64, f64)> = rest
            .iter()
            .map(|(t, b)| (*t, b.trunk_pitch_deg(facing) - self.rest.pitch_deg))
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
        let codes = [
            FaultCode::KneesLocked,
            FaultCode::HipsNotBack,
            FaultCode::BackRounding,
        ];
        let Some(f) = frame.filter(|_| sees(BodyPart::Shoulders) && sees(BodyPart::Hips)) else {
            return self.engine.unseen(t_s, &codes);
        };
        let c = &self.checks;
        let facing = self.rest.facing;
        let holding = self.engine.counter.plateau_since().is_some();
        let legs_seen = sees(BodyPart::Knees) && sees(BodyPart::Ankles);
        let locked =
            legs_seen.then(|| holding && knee_bend_deg(f) - self.rest.knee_deg < c.soft_knee_deg);
        let not_back = legs_seen.then(|| {
            holding && hips_back_torso(f, facing) - self.rest.hips_back_torso < c.hips_back_torso
        });
        let rounding = sees(BodyPart::Head).then(|| {
            self.engine.counter.in_rep()
                && head_curl_deg(f, facing) - self.rest.head_curl_deg > c.back_round_deg
        });
        for (code, verdict, marks) in [
            (FaultCode::KneesLocked, locked, &LEGS[..]),
            (FaultCode::HipsNotBack, not_back, &LEGS[..]),
            (FaultCode::BackRounding, rounding, &BACK[..]),
        ] {
            events.extend(self.engine.faults.observe(t_s, code, verdict, marks));
        }
        let pitch = f.trunk_pitch_deg(facing) - self.rest.pitch_deg;
        tracing::trace!(target: "backform::signal", t_s, pitch);
        events.extend(self.engine.step(t_s, Some(pitch)));
        events
    }

    fn state(&self) -> ExerciseState {
        self.engine.exercise_state(
            &self.spec,
            0,
            self.engine.hold_state(),
            !self.engine.counter.can_see(),
            LEGS.iter().chain(&BACK).copied(),
        )
    }
}
