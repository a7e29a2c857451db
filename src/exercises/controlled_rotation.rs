//! Controlled rotation (lying on the back, knees bent together, camera beside).
//!
//! In flow [`BodyFrame`]s in side-view lying axes; out flow reps per side and the faults
//! `range-too-large`, `shoulders-lift` and `not-alternating` (information only).
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
//! estimate is corrected by the calibrated elevation and judges drops toward the camera;
//! for drops away from it the knees' turn in depth covers what the height cannot see
//! (BlazePose's depth is compressed: toward an elevated camera it overstates a 30° drop
//! as ~50°, so it never judges those). From a floor-level camera the two agree on
//! large drops.

use serde::Deserialize;

use super::reps::{RepEngine, SideRule};
use super::spec::{ExerciseSpec, SpecError};
use super::{
    Exercise, ExerciseEvent, ExerciseRecord, ExerciseState, FaultCode, Requirements, Side,
    rest_median,
};
use crate::kinematics::geometry::spread_about_median;
use crate::kinematics::{BodyFrame, BodyPart, PartVisibility, SideNeed};
use crate::pose::index;

/// Faults this exercise raises.
pub const FAULTS: &[FaultCode] = &[
    FaultCode::RangeTooLarge,
    FaultCode::ShouldersLift,
    FaultCode::NotAlternating,
];

/// Thresholds from `[checks]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotationChecks {
    pub range_max_deg: f64,
    pub arm_lift_near_torso: f64,
    pub arm_lift_far_torso: f64,
    pub side_min_torso: f64,
    pub first_side: Side,
}

#[derive(Clone, Copy, Debug, Default)]
struct Rest {
    hip_roll_torso: f64,
    knee_height_torso: f64,
    /// The knees' height's spread at rest.
    knee_height_noise: f64,
    knee_angle_rad: f64,
    /// Per arm [left, right]: the wrist above its own shoulder, and that measure's
    /// spread at rest.
    arm_lift_torso: [f64; 2],
    arm_noise_torso: [f64; 2],
}

/// Controlled rotations.
pub struct ControlledRotation {
    spec: ExerciseSpec,
    checks: RotationChecks,
    engine: RepEngine,
    rest: Rest,
    /// Latest knee-drop estimate, degrees.
    drop_deg: f64,
    /// Each arm's lift from rest, smoothed (time, [left, right]).
    arm_lift: Option<(f64, [f64; 2])>,
}

/// How far the camera's estimated elevation may be off, degrees.
const ELEVATION_SLACK_DEG: f64 = 10.0;
/// The arm-lift reading is smoothed over this long: one frame's wrist jitter is no lift.
const ARM_SMOOTHING_S: f64 = 0.2;
/// An arm's lift threshold never falls below this many times its resting spread.
const ARM_NOISE_FACTOR: f64 = 4.0;

const PELVIS: [usize; 2] = [index::LEFT_HIP, index::RIGHT_HIP];
const KNEES: [usize; 6] = [
    index::LEFT_HIP,
    index::RIGHT_HIP,
    index::LEFT_KNEE,
    index::RIGHT_KNEE,
    index::LEFT_ANKLE,
    index::RIGHT_ANKLE,
];
/// The upper body's check: each arm's wrist against its own shoulder.
const ARMS: [usize; 4] = [
    index::LEFT_SHOULDER,
    index::RIGHT_SHOULDER,
    index::LEFT_WRIST,
    index::RIGHT_WRIST,
];

/// Per arm [left, right]: the wrist's height above its own shoulder, off the floor,
/// torso lengths.
fn arm_heights(f: &BodyFrame) -> [f64; 2] {
    let s = f.axes.scale_px.max(1e-6);
    let lift = |wrist: usize, shoulder: usize| match (f.points.get(wrist), f.points.get(shoulder)) {
        (Some(w), Some(sh)) => (*w - *sh).dot(f.axes.up_dir) / s,
        _ => 0.0,
    };
    [
        lift(index::LEFT_WRIST, index::LEFT_SHOULDER),
        lift(index::RIGHT_WRIST, index::RIGHT_SHOULDER),
    ]
}

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
            arm_lift: None,
        })
    }

    /// The knees' drop from rest, degrees (see the module docs). `away`: the pelvis's
    /// roll says the knees went to the side away from the camera.
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
        let angle = f.knee_toward_camera_torso.atan2(f.knee_height_torso);
        let turn = angle - self.rest.knee_angle_rad;
        // Toward the camera the height says it (BlazePose's compressed depth would
        // overstate a 30° drop from above as ~50°); away from it, depth may say more.
        if turn >= 0.0 {
            from_height.to_degrees()
        } else {
            from_height.max(-turn).to_degrees()
        }
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
        let now = arm_heights(f);
        let raw = [
            now[0] - self.rest.arm_lift_torso[0],
            now[1] - self.rest.arm_lift_torso[1],
        ];
        let lift = match self.arm_lift {
            Some((last_t, last)) => {
                let a = 1.0 - (-(t_s - last_t).max(0.0) / ARM_SMOOTHING_S).exp();
                [
                    last[0] + a * (raw[0] - last[0]),
                    last[1] + a * (raw[1] - last[1]),
                ]
            }
            None => raw,
        };
        self.arm_lift = Some((t_s, lift));
        let c = &self.checks;
        let near = f.axes.near_side;
        let threshold = |side: Side| {
            let k = usize::from(side == Side::Right);
            let base = if near == Some(side) {
                c.arm_lift_near_torso
            } else {
                c.arm_lift_far_torso
            };
            base.max(ARM_NOISE_FACTOR * self.rest.arm_noise_torso[k])
        };
        // A drop past the range limit toward the camera rolls the whole body at it: the
        // far arm, seen past it, then shows as much lift as a rolling thorax (a 76° drop
        // of a rendered body with its thorax flat read 0.09-0.11). That rep's fault is
        // its range; the far arm is not judged.
        let far_hidden = self.drop_deg > c.range_max_deg;
        let over = |side: Side| {
            let far = near.is_some_and(|n| n != side);
            !(far && far_hidden) && lift[usize::from(side == Side::Right)] > threshold(side)
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
        self.spec.start_check(frame.knee_height_torso > 0.25)
    }

    fn calibrate(&mut self, _since_s: f64, rest: &[(f64, BodyFrame)]) {
        let med = |f: &dyn Fn(&BodyFrame) -> f64| rest_median(rest, f);
        let arm = |k: usize| -> (f64, f64) {
            let values: Vec<f64> = rest
                .iter()
                .map(|(_, b)| arm_heights(b).get(k).copied().unwrap_or(0.0))
                .collect();
            let m = crate::kinematics::geometry::median(&values).unwrap_or(0.0);
            (m, spread_about_median(&values))
        };
        let (left, right) = (arm(0), arm(1));
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
            arm_lift_torso: [left.0, right.0],
            arm_noise_torso: [left.1, right.1],
        };
        self.arm_lift = None;
        let series: Vec<(f64, f64)> = rest.iter().map(|(t, b)| (*t, b.hip_roll_torso)).collect();
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
        let Some(f) = frame.filter(|_| sees(BodyPart::Hips)) else {
            for code in [FaultCode::RangeTooLarge, FaultCode::ShouldersLift] {
                events.extend(self.engine.faults.observe(t_s, code, None, &[]));
            }
            events.extend(self.engine.step(t_s, None));
            return events;
        };
        let c = &self.checks;
        let legs_seen = sees(BodyPart::Knees) && sees(BodyPart::Ankles);
        // Which way the knees went, where the pelvis's roll is clear (positive: to the
        // body's left).
        let pelvis_turn = f.hip_roll_torso - self.rest.hip_roll_torso;
        let to_left = pelvis_turn > 0.0;
        let away = self.engine.counter.in_rep()
            && pelvis_turn.abs() > c.side_min_torso
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
            depth_turn_deg = (f.knee_toward_camera_torso.atan2(f.knee_height_torso)
                - self.rest.knee_angle_rad)
                .to_degrees(),
        );
        let too_far = legs_seen.then_some(self.drop_deg > c.range_max_deg);
        events.extend(
            self.engine
                .faults
                .observe(t_s, FaultCode::RangeTooLarge, too_far, &KNEES),
        );

        let lifted = self.arm_lifted(t_s, f, pelvis_turn);
        let arms_seen = sees(BodyPart::Shoulders) && sees(BodyPart::Wrists);
        let shoulders = arms_seen.then_some(lifted);
        events.extend(
            self.engine
                .faults
                .observe(t_s, FaultCode::ShouldersLift, shoulders, &ARMS),
        );

        events.extend(self.engine.step(t_s, Some(f.hip_roll_torso)));
        events
    }

    fn state(&self) -> ExerciseState {
        self.engine.exercise_state(
            &self.spec,
            self.spec.prescription.reps_per_side,
            None,
            !self.engine.counter.can_see(),
            KNEES.iter().chain(&ARMS).chain(&PELVIS).copied(),
        )
    }

    fn new_view(&mut self, t_s: f64) -> Vec<ExerciseEvent> {
        self.engine.new_view(t_s)
    }

    fn finish(&mut self, t_s: f64) -> Vec<ExerciseEvent> {
        self.engine.finish(t_s)
    }

    fn record(&self) -> ExerciseRecord {
        self.engine
            .record(self.engine.side_note().into_iter().collect())
    }
}
