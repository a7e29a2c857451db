//! Pelvic rock (sitting on the edge of a bed or chair, camera in front at chest height).
//!
//! In flow [`BodyFrame`]s in upright front-view axes; out flow reps per side (the side
//! is the hip that rises) and the faults `shoulders-sway`, `shoulders-tilt`,
//! `no-pelvis-movement`.
//!
//! Counting: rocking onto one sitting bone pivots the pelvis there, which carries the hip
//! centre sideways by pivot height × sin(rock); the hip line also tilts. The shift is
//! read over the feet's place, the ankle points followed slowly, not over this frame's
//! ankles: the feet stay put, but BlazePose's ankle points wobble with the body (on a
//! rock filmed from the person's other side they followed the hips by two thirds and hid
//! that rock).
//! Bodies differ in which of the two MediaPipe shows: on most the shift is faithful and
//! the line's tilt reads at a fifth of the truth, but a person whose trunk tilts with the
//! rock barely shifts the hips while the line tilts at half the truth. The counter's
//! signal is the sum of the two (+ = left hip up), so a rock shows whichever way this
//! body makes it. It may overstate the angle (by up to ~1.5× on the rendered bodies):
//! only `no-pelvis-movement` reads its size, and an overstatement there only makes that
//! prompt rarer.
//!
//! Upper-body checks, against the resting position: `shoulders-sway` needs the shoulder
//! midpoint to move sideways over the feet (again their slowly followed place) past the
//! spec's distance *and* to lean off the hips — a rocking pelvis carries the shoulders
//! along a little on good form (0.05 torso lengths on the rendered clips, read as up to
//! 0.07 by MediaPipe) without any lean.
//! `shoulders-tilt` is the shoulder line's angle from its resting angle.
//! `no-pelvis-movement`: seated and seen, the pelvis has stayed within a few degrees for
//! the spec's time.

use serde::Deserialize;

use super::reps::{RepEngine, SideRule};
use super::spec::{ExerciseSpec, SpecError};
use super::{Exercise, ExerciseEvent, ExerciseState, FaultCode, Requirements, Side, rest_median};
use crate::kinematics::{BodyFrame, BodyPart, PartVisibility, Posture, SideNeed, Vec2, View};
use crate::pose::index;

/// Faults this exercise raises.
pub const FAULTS: &[FaultCode] = &[
    FaultCode::ShouldersSway,
    FaultCode::ShouldersTilt,
    FaultCode::NoPelvisMovement,
];

/// Thresholds from `[checks]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RockChecks {
    pub pivot_height_torso: f64,
    pub sway_torso: f64,
    pub lean_torso: f64,
    pub shoulder_tilt_deg: f64,
    pub shoulder_line_gain: f64,
    pub still_deg: f64,
    pub still_s: f64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Rest {
    hip_over_feet_torso: f64,
    shoulder_over_feet_torso: f64,
    lean_torso: f64,
    shoulder_line_tilt_deg: f64,
    hip_line_tilt_deg: f64,
}

/// Pelvic rocks.
pub struct PelvicRock {
    spec: ExerciseSpec,
    checks: RockChecks,
    engine: RepEngine,
    rest: Rest,
    /// Since when the pelvis has been still (seated and seen); `None` when unseen.
    still_since: Option<f64>,
    /// When the hips were last seen.
    last_seen_s: Option<f64>,
    /// Where the feet are, pixels: the ankle points followed slowly (see `follow_feet`).
    feet: Option<Vec2>,
}

/// The feet's place follows the ankle points with this time constant, seconds: a slow
/// shuffle of the feet is followed, the points' wobble with each rock is not.
const FEET_TAU_S: f64 = 10.0;

/// Unseen for longer than this restarts the stillness clock.
const STILL_GAP_S: f64 = 1.0;

const SHOULDERS: [usize; 4] = [
    index::LEFT_SHOULDER,
    index::RIGHT_SHOULDER,
    index::LEFT_HIP,
    index::RIGHT_HIP,
];
const PELVIS: [usize; 4] = [
    index::LEFT_HIP,
    index::RIGHT_HIP,
    index::LEFT_ANKLE,
    index::RIGHT_ANKLE,
];

/// A point's place along the body's left from the feet, in torso lengths.
fn over_feet_torso(f: &BodyFrame, point: Vec2, feet: Vec2) -> f64 {
    (point - feet).dot(f.axes.left_dir) / f.axes.scale_px.max(1e-6)
}

impl PelvicRock {
    /// Builds it from its spec.
    pub fn new(spec: ExerciseSpec) -> Result<Self, SpecError> {
        let checks: RockChecks = spec.checks()?;
        let engine = RepEngine::new(
            &spec,
            true,
            Some(SideRule {
                positive: Side::Left,
                min_peak: 0.0,
                first: Side::Left,
            }),
        )?;
        Ok(Self {
            spec,
            checks,
            engine,
            rest: Rest::default(),
            still_since: None,
            last_seen_s: None,
            feet: None,
        })
    }

    /// The feet stay put through a rock, but BlazePose's ankle points wobble with the
    /// body (they followed the hips by two thirds on a rock filmed from the person's
    /// other side, and hid it). So the shifts are read from the feet's place, the ankle
    /// points followed slowly; a new view starts it again from this frame's ankles.
    fn follow_feet(&mut self, dt_s: f64, f: &BodyFrame) {
        let feet = self.feet.get_or_insert(f.ankle_mid);
        let a = 1.0 - (-dt_s.max(0.0) / FEET_TAU_S).exp();
        *feet = *feet + (f.ankle_mid - *feet) * a;
    }

    fn hip_over_feet(&self, f: &BodyFrame) -> f64 {
        over_feet_torso(f, f.hip_mid, self.feet.unwrap_or(f.ankle_mid))
    }

    fn shoulder_over_feet(&self, f: &BodyFrame) -> f64 {
        over_feet_torso(f, f.shoulder_mid, self.feet.unwrap_or(f.ankle_mid))
    }

    /// The rock signal, degrees, + = left hip up: the angle from the hips' sideways shift
    /// plus the hip line's own tilt from rest (see the module docs).
    fn rock_deg(&self, f: &BodyFrame) -> f64 {
        let shift = self.hip_over_feet(f) - self.rest.hip_over_feet_torso;
        // Left hip up: the weight goes onto the right sitting bone, the hips move right.
        let from_shift = (-shift / self.checks.pivot_height_torso.max(1e-6))
            .clamp(-1.0, 1.0)
            .asin()
            .to_degrees();
        from_shift + (f.hip_line_tilt_deg - self.rest.hip_line_tilt_deg)
    }
}

impl Exercise for PelvicRock {
    fn spec(&self) -> &ExerciseSpec {
        &self.spec
    }

    fn new_view(&mut self, t_s: f64) -> Vec<ExerciseEvent> {
        // The feet are found again in the new picture (the resting offsets from them
        // are the body's, so they still hold).
        self.feet = None;
        self.engine.new_view(t_s)
    }

    fn finish(&mut self, t_s: f64) -> Vec<ExerciseEvent> {
        self.engine.finish(t_s)
    }

    fn record(&self) -> super::ExerciseRecord {
        self.engine
            .record(self.engine.side_note().into_iter().collect())
    }

    fn requirements(&self) -> Requirements {
        Requirements {
            posture: Posture::Sitting,
            view: View::Front,
            other_view: None,
            passes_through: Vec::new(),
            parts: vec![
                (BodyPart::Shoulders, SideNeed::Both),
                (BodyPart::Hips, SideNeed::Both),
                (BodyPart::Ankles, SideNeed::Either),
            ],
            belly_cue: false,
        }
    }

    fn check_start(&self, frame: &BodyFrame) -> Result<(), String> {
        // Seated upright (the coach has checked the posture): the trunk within ~30° of
        // the image's vertical, so "sideways" really is sideways.
        let up = frame.axes.up_dir;
        self.spec.start_check(up.y < -0.85)
    }

    fn calibrate(&mut self, _since_s: f64, rest: &[(f64, BodyFrame)]) {
        let med = |f: &dyn Fn(&BodyFrame) -> f64| rest_median(rest, f);
        self.feet = rest.first().map(|_| Vec2 {
            x: med(&|b| b.ankle_mid.x),
            y: med(&|b| b.ankle_mid.y),
        });
        let (hip, shoulder) = (
            med(&|b| self.hip_over_feet(b)),
            med(&|b| self.shoulder_over_feet(b)),
        );
        self.rest = Rest {
            hip_over_feet_torso: hip,
            shoulder_over_feet_torso: shoulder,
            lean_torso: med(&|b| b.lean_torso),
            shoulder_line_tilt_deg: med(&|b| b.shoulder_line_tilt_deg),
            hip_line_tilt_deg: med(&|b| b.hip_line_tilt_deg),
        };
        let series: Vec<(f64, f64)> = rest.iter().map(|(t, b)| (*t, self.rock_deg(b))).collect();
        self.engine.counter.calibrate(&series);
        self.still_since = rest.first().map(|(t, _)| *t);
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
        let hips_seen = seen.sees(BodyPart::Hips, SideNeed::Both, min)
            && seen.sees(BodyPart::Ankles, SideNeed::Either, min);
        let Some(f) = frame.filter(|_| hips_seen) else {
            // A dropped frame or two does not restart the stillness clock; losing the
            // person for longer does.
            if self.last_seen_s.is_none_or(|seen| t_s - seen > STILL_GAP_S) {
                self.still_since = None;
            }
            return self.engine.unseen(
                t_s,
                &[
                    FaultCode::ShouldersSway,
                    FaultCode::ShouldersTilt,
                    FaultCode::NoPelvisMovement,
                ],
            );
        };
        let dt = self.last_seen_s.map_or(0.0, |seen| t_s - seen);
        self.follow_feet(dt, f);
        self.last_seen_s = Some(t_s);
        let c = &self.checks;
        let (sway, tilt) = if shoulders_seen {
            let moved = (self.shoulder_over_feet(f) - self.rest.shoulder_over_feet_torso).abs()
                > c.sway_torso;
            let leaned = (f.lean_torso - self.rest.lean_torso).abs() > c.lean_torso;
            // The picture's shoulder line turned into the body's (BlazePose's shoulder
            // points tilt less than the shoulder girdle does).
            let tilted = (f.shoulder_line_tilt_deg - self.rest.shoulder_line_tilt_deg).abs()
                / c.shoulder_line_gain.max(0.1)
                > c.shoulder_tilt_deg;
            (Some(moved && leaned), Some(tilted))
        } else {
            (None, None)
        };
        events.extend(
            self.engine
                .faults
                .observe(t_s, FaultCode::ShouldersSway, sway, &SHOULDERS),
        );
        events.extend(
            self.engine
                .faults
                .observe(t_s, FaultCode::ShouldersTilt, tilt, &SHOULDERS),
        );

        let rock = self.rock_deg(f);
        events.extend(self.engine.step(t_s, Some(rock)));

        // Stillness: the pelvis within still_deg of rest, by its shift (counter excursion)
        // or by the hip line itself.
        let moving = self
            .engine
            .counter
            .excursion()
            .is_some_and(|e| e.abs() > c.still_deg)
            || (f.hip_line_tilt_deg - self.rest.hip_line_tilt_deg).abs() > c.still_deg
            || self.engine.counter.in_rep();
        if moving {
            self.still_since = Some(t_s);
        }
        let since = *self.still_since.get_or_insert(t_s);
        let still = t_s - since >= c.still_s;
        events.extend(self.engine.faults.observe(
            t_s,
            FaultCode::NoPelvisMovement,
            Some(still),
            &PELVIS,
        ));
        events
    }

    fn state(&self) -> ExerciseState {
        self.engine.exercise_state(
            &self.spec,
            self.spec.prescription.reps_per_side,
            None,
            !self.engine.counter.can_see(),
            SHOULDERS.iter().chain(&PELVIS).copied(),
        )
    }
}
