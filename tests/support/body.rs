//! A simple articulated 3D body, a pinhole camera and a BlazePose-like noise model.
//!
//! The body is a handful of rigid segments (pelvis, thorax, head, arms, thighs, shanks,
//! feet) with fixed lengths, posed by joint parameters that the exercise scenarios drive
//! over time: pelvic tilt and roll, trunk curl, thorax roll, a bridge's hip lift, knee
//! drop, per-leg extension, a seated pelvic rock and upper-body sway or shoulder tilt.
//! Forward kinematics gives the 33 BlazePose landmarks in world metres (Z up, floor at
//! z = 0; lying: head toward +X, the body's left toward −Y; seated: facing −Y, left
//! toward +X), which a pinhole camera projects to image pixels with BlazePose's z (depth
//! relative to the hip midpoint, pixel scale) and a visibility that drops for limbs on
//! the far side of the body. [`Noise`] then adds what a pose model adds: frame jitter
//! (low-passed, as MediaPipe's One Euro filter leaves it), slow drift, noisier depth, and
//! dropped frames.
//!
//! Couplings that are not plain rigid-body geometry are measured from the rendered
//! fixtures' rig: a 13° posterior tilt raises the hip joints 3 mm and lowers the
//! shoulders 1 cm; the pelvis rolls with dropped knees.

use backform::exercises::Side;
use backform::pose::{LANDMARK_COUNT, Landmark, Pose, Roi, index};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};

/// A point or direction in world metres.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct V3 {
    pub x: f64,
    pub y: f64,
    pub z: f64,
}

pub const fn v3(x: f64, y: f64, z: f64) -> V3 {
    V3 { x, y, z }
}

impl V3 {
    pub fn add(self, o: V3) -> V3 {
        v3(self.x + o.x, self.y + o.y, self.z + o.z)
    }
    pub fn sub(self, o: V3) -> V3 {
        v3(self.x - o.x, self.y - o.y, self.z - o.z)
    }
    pub fn scale(self, k: f64) -> V3 {
        v3(self.x * k, self.y * k, self.z * k)
    }
    pub fn dot(self, o: V3) -> f64 {
        self.x * o.x + self.y * o.y + self.z * o.z
    }
    pub fn cross(self, o: V3) -> V3 {
        v3(
            self.y * o.z - self.z * o.y,
            self.z * o.x - self.x * o.z,
            self.x * o.y - self.y * o.x,
        )
    }
    pub fn norm(self) -> f64 {
        self.dot(self).sqrt()
    }
    pub fn unit(self) -> V3 {
        self.scale(1.0 / self.norm().max(1e-12))
    }
    /// Rotates about the unit axis `k` by `angle` radians (right-handed; Rodrigues).
    pub fn rotate(self, k: V3, angle: f64) -> V3 {
        let (s, c) = angle.sin_cos();
        self.scale(c)
            .add(k.cross(self).scale(s))
            .add(k.scale(k.dot(self) * (1.0 - c)))
    }
    /// Rotates about the axis through `pivot` along unit `k`.
    pub fn rotate_about(self, pivot: V3, k: V3, angle: f64) -> V3 {
        pivot.add(self.sub(pivot).rotate(k, angle))
    }
}

const X: V3 = v3(1.0, 0.0, 0.0);
const Y: V3 = v3(0.0, 1.0, 0.0);

/// Segment lengths, metres.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Hip-joint midpoint to shoulder-joint midpoint.
    pub torso: f64,
    pub hip_half_width: f64,
    pub shoulder_half_width: f64,
    pub thigh: f64,
    pub shank: f64,
    pub upper_arm: f64,
    pub forearm: f64,
    /// Front-to-back depth of the trunk: lying, the hip and shoulder joints sit about
    /// half of it above the floor (0.20 m for the average adult).
    pub trunk_depth: f64,
}

impl Shape {
    /// An adult of about 1.72 m; `scale` makes a smaller or larger person.
    pub fn adult(scale: f64) -> Shape {
        Shape {
            torso: 0.48 * scale,
            hip_half_width: 0.10 * scale,
            shoulder_half_width: 0.18 * scale,
            thigh: 0.44 * scale,
            shank: 0.43 * scale,
            upper_arm: 0.29 * scale,
            forearm: 0.26 * scale,
            trunk_depth: 0.20 * scale,
        }
    }
}

/// Five bodies that differ in their ratios, not only in size (leg to torso, shoulder to
/// hip width, trunk depth to torso): the synthetic tests run every exercise on each.
pub fn bodies() -> [(&'static str, Shape); 5] {
    let average = Shape::adult(1.0);
    [
        ("average", average),
        (
            "long legs, short torso",
            Shape {
                torso: 0.43,
                thigh: 0.50,
                shank: 0.49,
                trunk_depth: 0.17,
                ..Shape::adult(1.04)
            },
        ),
        (
            "long torso, short legs",
            Shape {
                torso: 0.55,
                thigh: 0.38,
                shank: 0.37,
                trunk_depth: 0.25,
                ..average
            },
        ),
        (
            "broad shoulders, narrow hips",
            Shape {
                shoulder_half_width: 0.23,
                hip_half_width: 0.085,
                trunk_depth: 0.27,
                ..Shape::adult(1.08)
            },
        ),
        (
            "small, narrow shoulders, wide hips",
            Shape {
                shoulder_half_width: 0.13,
                hip_half_width: 0.13,
                ..Shape::adult(0.82)
            },
        ),
    ]
}

/// Where the arms are.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arms {
    AtSides,
    OutToSides,
    Overhead,
}

/// Joint parameters of a person lying on the back (angles in degrees).
#[derive(Clone, Copy, Debug)]
pub struct Lying {
    /// Hip-joint height above the floor (0.10 flat; higher on a block).
    pub hip_z: f64,
    /// Posterior pelvic tilt.
    pub tilt_deg: f64,
    /// Upper-trunk curl off the floor (a crunch).
    pub curl_deg: f64,
    /// Hips lifted off the floor (a bridge), metres.
    pub hip_lift_m: f64,
    /// Knees dropped to the body's left (+) or right (−).
    pub knee_drop_deg: f64,
    /// Pelvis roll per degree of knee drop (to the left; to the right, times
    /// `pelvis_follow_right_share`).
    pub pelvis_follow: f64,
    /// How much of `pelvis_follow` a drop to the right rolls the pelvis: on some bodies
    /// MediaPipe shows the pelvis rolling one way only (rendered body D, side view).
    pub pelvis_follow_right_share: f64,
    /// Thorax roll toward the left (+: the right shoulder lifts).
    pub thorax_roll_deg: f64,
    /// Per leg [left, right]: 0 knee bent up, 1 leg straight on the floor.
    pub leg_extension: [f64; 2],
    /// Per leg [left, right]: that knee alone lowered to the body's left (+) or right (−)
    /// on top of `knee_drop_deg` (a lying twist's crossing knee); the pelvis rolls with
    /// half of it.
    pub leg_drop_deg: [f64; 2],
    pub arms: Arms,
}

impl Default for Lying {
    fn default() -> Self {
        Self {
            hip_z: 0.10,
            tilt_deg: 0.0,
            curl_deg: 0.0,
            hip_lift_m: 0.0,
            knee_drop_deg: 0.0,
            pelvis_follow: 0.7,
            pelvis_follow_right_share: 1.0,
            thorax_roll_deg: 0.0,
            leg_extension: [0.0, 0.0],
            leg_drop_deg: [0.0, 0.0],
            arms: Arms::AtSides,
        }
    }
}

/// Joint parameters of a person sitting on a chair edge.
#[derive(Clone, Copy, Debug, Default)]
pub struct Seated {
    /// Pelvic rock, + = left hip up (weight onto the right sitting bone).
    pub rock_deg: f64,
    /// How far the shoulders ride along with the hips' sideways shift (good form ~1.2).
    pub carry: f64,
    /// Extra sideways shift of the upper body toward the weight-bearing side, metres.
    pub sway_m: f64,
    /// Shoulder line tilt, + = left shoulder up.
    pub shoulder_tilt_deg: f64,
    /// The upper body turned about the vertical (a seated twist), + toward the left.
    pub twist_deg: f64,
    /// The pelvis (and the upper body on it) turned about the vertical, + toward the left.
    pub pelvis_turn_deg: f64,
    /// The upper body shifted sideways off the hips, metres, + toward the left.
    pub lean_m: f64,
}

/// 33 landmarks in world metres.
pub type Skeleton = [V3; LANDMARK_COUNT];

fn rad(deg: f64) -> f64 {
    deg.to_radians()
}

/// Sets the head's points from a head centre frame (forward = face direction).
fn head(sk: &mut Skeleton, centre: V3, forward: V3, left: V3, up: V3) {
    use index::*;
    let at = |f: f64, l: f64, u: f64| {
        centre
            .add(forward.scale(f))
            .add(left.scale(l))
            .add(up.scale(u))
    };
    sk[NOSE] = at(0.10, 0.0, 0.0);
    sk[LEFT_EYE_INNER] = at(0.085, 0.015, 0.035);
    sk[LEFT_EYE] = at(0.08, 0.032, 0.035);
    sk[LEFT_EYE_OUTER] = at(0.075, 0.048, 0.035);
    sk[RIGHT_EYE_INNER] = at(0.085, -0.015, 0.035);
    sk[RIGHT_EYE] = at(0.08, -0.032, 0.035);
    sk[RIGHT_EYE_OUTER] = at(0.075, -0.048, 0.035);
    sk[LEFT_EAR] = at(0.0, 0.075, 0.02);
    sk[RIGHT_EAR] = at(0.0, -0.075, 0.02);
    sk[MOUTH_LEFT] = at(0.085, 0.025, -0.045);
    sk[MOUTH_RIGHT] = at(0.085, -0.025, -0.045);
}

/// Sets a hand's points from the wrist and the hand's direction.
fn hand(sk: &mut Skeleton, left_side: bool, wrist: V3, along: V3, thumb_side: V3) {
    use index::*;
    let (w, p, i, t) = if left_side {
        (LEFT_WRIST, LEFT_PINKY, LEFT_INDEX, LEFT_THUMB)
    } else {
        (RIGHT_WRIST, RIGHT_PINKY, RIGHT_INDEX, RIGHT_THUMB)
    };
    sk[w] = wrist;
    sk[p] = wrist.add(along.scale(0.08)).add(thumb_side.scale(-0.03));
    sk[i] = wrist.add(along.scale(0.09)).add(thumb_side.scale(0.02));
    sk[t] = wrist.add(along.scale(0.04)).add(thumb_side.scale(0.04));
}

/// Two-link inverse kinematics: the knee of a leg from hip to ankle, bent toward `bend`.
fn knee_between(hip: V3, ankle: V3, thigh: f64, shank: f64, bend: V3) -> V3 {
    let d = ankle.sub(hip);
    let dist = d
        .norm()
        .min(thigh + shank - 1e-4)
        .max((thigh - shank).abs() + 1e-4);
    let u = d.unit();
    // Distance along hip→ankle to the foot of the knee's perpendicular, and its height.
    let a = (thigh * thigh - shank * shank + dist * dist) / (2.0 * dist);
    let h = (thigh * thigh - a * a).max(0.0).sqrt();
    let perp = bend.sub(u.scale(bend.dot(u))).unit();
    hip.add(u.scale(a)).add(perp.scale(h))
}

impl Lying {
    /// The landmarks of this pose for a body of `shape`.
    pub fn skeleton(&self, shape: &Shape) -> Skeleton {
        use index::*;
        let mut sk = [V3::default(); LANDMARK_COUNT];
        let s = shape;
        let tilt = self.tilt_deg / 13.0;
        // A deeper or shallower trunk than the average's 0.20 m lifts or lowers both joints.
        let depth_lift = 0.5 * (s.trunk_depth - 0.20);
        // Pelvis: hip-joint midpoint; a tilt raises it 3 mm per 13° (rendered rig).
        let hip_mid = v3(
            0.0,
            0.0,
            self.hip_z + depth_lift + self.hip_lift_m + 0.003 * tilt,
        );
        let pelvis_drop = self.knee_drop_deg + 0.5 * (self.leg_drop_deg[0] + self.leg_drop_deg[1]);
        let follow = if pelvis_drop < 0.0 {
            self.pelvis_follow * self.pelvis_follow_right_share
        } else {
            self.pelvis_follow
        };
        let roll = rad(follow * pelvis_drop);
        for (i, side) in [(LEFT_HIP, -1.0), (RIGHT_HIP, 1.0)] {
            sk[i] = hip_mid.add(v3(0.0, side * s.hip_half_width, 0.0).rotate(X, roll));
        }
        // Thorax: the shoulders lie on the floor a torso length toward the head; a tilt
        // lowers them 1 cm and draws them 4 mm toward the feet per 13° (rendered rig).
        let shoulder_floor = v3(s.torso.powi(2).max(0.0).sqrt(), 0.0, 0.12 + depth_lift);
        let mut sh_mid = shoulder_floor.add(v3(-0.004 * tilt, 0.0, -0.010 * tilt));
        // A crunch curls the upper trunk about its contact at mid-back.
        let curl_pivot = v3(0.55 * s.torso, 0.0, 0.08);
        let curl = rad(self.curl_deg);
        sh_mid = sh_mid.rotate_about(curl_pivot, Y, -curl);
        // The trunk's own axes (after curl): along toward the head, up off the floor.
        let along = X.rotate(Y, -curl);
        let up = v3(0.0, 0.0, 1.0).rotate(Y, -curl);
        let thorax_roll = rad(self.thorax_roll_deg);
        for (i, side) in [(LEFT_SHOULDER, -1.0), (RIGHT_SHOULDER, 1.0)] {
            sk[i] =
                sh_mid.add(v3(0.0, side * s.shoulder_half_width, 0.0).rotate(along, thorax_roll));
        }
        // Head: beyond the shoulders, face up.
        let head_centre = sh_mid.add(along.scale(0.20)).add(up.scale(0.02));
        let left = v3(0.0, -1.0, 0.0).rotate(along, thorax_roll);
        head(&mut sk, head_centre, up, left, along);

        // Arms: attached to the thorax, they roll with it (a lifting shoulder lifts the
        // arm laid out for support, as in the rendered rig).
        let arm = |offset: V3| offset.rotate(along, thorax_roll);
        for (left_side, sh, el, sgn) in [
            (true, LEFT_SHOULDER, LEFT_ELBOW, -1.0),
            (false, RIGHT_SHOULDER, RIGHT_ELBOW, 1.0),
        ] {
            let shoulder = sk[sh];
            let (upper, fore, dir) = match self.arms {
                Arms::AtSides => (
                    v3(-s.upper_arm, sgn * 0.05, -0.04),
                    v3(-s.forearm, sgn * 0.02, 0.0),
                    v3(-1.0, 0.0, 0.0),
                ),
                Arms::OutToSides => (
                    v3(-0.05, sgn * s.upper_arm, -0.06),
                    v3(-0.05, sgn * s.forearm, 0.0),
                    v3(0.0, sgn, 0.0),
                ),
                Arms::Overhead => (
                    v3(s.upper_arm, sgn * 0.04, -0.04),
                    v3(s.forearm, sgn * 0.02, 0.0),
                    v3(1.0, 0.0, 0.0),
                ),
            };
            let elbow = shoulder.add(arm(upper));
            let (wrist, dir) = (elbow.add(arm(fore)), arm(dir));
            sk[el] = elbow;
            hand(&mut sk, left_side, wrist, dir, v3(0.0, 0.0, 1.0));
        }

        // Legs: feet planted; each leg straightens as its ankle slides away.
        let drop = rad(self.knee_drop_deg);
        for (k, (hip_i, knee_i, ankle_i, heel_i, toe_i, sgn)) in [
            (
                LEFT_HIP,
                LEFT_KNEE,
                LEFT_ANKLE,
                LEFT_HEEL,
                LEFT_FOOT_INDEX,
                -1.0,
            ),
            (
                RIGHT_HIP,
                RIGHT_KNEE,
                RIGHT_ANKLE,
                RIGHT_HEEL,
                RIGHT_FOOT_INDEX,
                1.0,
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let e = self.leg_extension[k].clamp(0.0, 1.0);
            let hip = sk[hip_i];
            let reach = (s.thigh + s.shank) * 0.995;
            let bent_x = -0.58 * (s.thigh + s.shank);
            let ankle_z = 0.08 - 0.01 * e;
            let straight_x = -(reach * reach - (hip.z - ankle_z).powi(2)).max(0.0).sqrt();
            let ankle = v3(bent_x + e * (straight_x - bent_x), sgn * 0.09, ankle_z);
            let mut knee = knee_between(hip, ankle, s.thigh, s.shank, v3(0.0, 0.0, 1.0));
            // Both knees lower to one side about their hip–ankle line.
            let axis = hip.sub(ankle).unit();
            knee = knee.rotate_about(ankle, axis, drop + rad(self.leg_drop_deg[k]));
            sk[knee_i] = knee;
            sk[ankle_i] = ankle;
            // Foot flat (toes away from the body) when bent, pointing up when straight.
            let toe_bent = v3(-0.15, 0.0, -0.07);
            let toe_up = v3(-0.04, 0.0, 0.12);
            sk[heel_i] = ankle.add(v3(0.03 * (1.0 - e), 0.0, -0.06));
            sk[toe_i] = ankle.add(toe_bent.scale(1.0 - e).add(toe_up.scale(e)));
        }
        sk
    }
}

impl Seated {
    /// The landmarks of this pose (facing −Y; left toward +X).
    pub fn skeleton(&self, shape: &Shape) -> Skeleton {
        use index::*;
        let mut sk = [V3::default(); LANDMARK_COUNT];
        let s = shape;
        let seat_z = 0.46;
        let pivot_height = 0.12;
        let sit_half = 0.06;
        // The pelvis pivots on the weight-bearing sitting bone: the right one (−X) when
        // the left hip rises.
        let a = rad(self.rock_deg);
        let pivot = v3(if a >= 0.0 { -sit_half } else { sit_half }, 0.0, seat_z);
        let rock = |p: V3| p.rotate_about(pivot, Y, -a);
        let hip_mid_rest = v3(0.0, 0.0, seat_z + pivot_height);
        sk[LEFT_HIP] = rock(hip_mid_rest.add(v3(s.hip_half_width, 0.0, 0.0)));
        sk[RIGHT_HIP] = rock(hip_mid_rest.add(v3(-s.hip_half_width, 0.0, 0.0)));
        let hip_shift = rock(hip_mid_rest).x - hip_mid_rest.x;
        // Upper body: carried along by the hips a little, plus any sway; shoulder line
        // level unless tilted.
        let shift = self.carry * hip_shift + self.sway_m * hip_shift.signum();
        let sh_mid = v3(shift, 0.0, seat_z + pivot_height + s.torso);
        let t = rad(self.shoulder_tilt_deg);
        sk[LEFT_SHOULDER] = sh_mid.add(v3(
            s.shoulder_half_width * t.cos(),
            0.0,
            s.shoulder_half_width * t.sin(),
        ));
        sk[RIGHT_SHOULDER] = sh_mid.sub(v3(
            s.shoulder_half_width * t.cos(),
            0.0,
            s.shoulder_half_width * t.sin(),
        ));
        let forward = v3(0.0, -1.0, 0.0);
        let up = v3(-t.sin(), 0.0, t.cos());
        let left = v3(t.cos(), 0.0, t.sin());
        head(&mut sk, sh_mid.add(up.scale(0.25)), forward, left, up);
        // Arms hang, forearms rest on the thighs.
        for (left_side, sh, el, sgn) in [
            (true, LEFT_SHOULDER, LEFT_ELBOW, 1.0),
            (false, RIGHT_SHOULDER, RIGHT_ELBOW, -1.0),
        ] {
            let e = sk[sh].add(v3(sgn * 0.03, -0.04, -s.upper_arm));
            sk[el] = e;
            hand(
                &mut sk,
                left_side,
                e.add(v3(-sgn * 0.02, -s.forearm, -0.02)),
                forward,
                v3(-sgn, 0.0, 0.0),
            );
        }
        // A twist turns the upper body about the vertical through the hips; a pelvis that
        // turns takes the upper body with it. A lean shifts the upper body sideways.
        let axis = v3(hip_mid_rest.x, 0.0, 0.0);
        let turn = |p: V3, deg: f64| p.rotate_about(axis, v3(0.0, 0.0, 1.0), rad(deg));
        for p in sk.iter_mut().take(LEFT_HIP) {
            *p = turn(
                p.add(v3(self.lean_m, 0.0, 0.0)),
                self.twist_deg + self.pelvis_turn_deg,
            );
        }
        for i in [LEFT_HIP, RIGHT_HIP] {
            sk[i] = turn(sk[i], self.pelvis_turn_deg);
        }
        // Thighs forward (the knees stay where they are), shins down, feet flat.
        for (hip_i, knee_i, ankle_i, heel_i, toe_i, x) in [
            (
                LEFT_HIP,
                LEFT_KNEE,
                LEFT_ANKLE,
                LEFT_HEEL,
                LEFT_FOOT_INDEX,
                s.hip_half_width,
            ),
            (
                RIGHT_HIP,
                RIGHT_KNEE,
                RIGHT_ANKLE,
                RIGHT_HEEL,
                RIGHT_FOOT_INDEX,
                -s.hip_half_width,
            ),
        ] {
            let _ = hip_i;
            let knee = v3(x, -s.thigh, seat_z + pivot_height - 0.02);
            let ankle = v3(x, -s.thigh - 0.03, 0.08);
            sk[knee_i] = knee;
            sk[ankle_i] = ankle;
            sk[heel_i] = ankle.add(v3(0.0, 0.04, -0.06));
            sk[toe_i] = ankle.add(v3(0.0, -0.15, -0.07));
        }
        sk
    }
}

/// Joint parameters of a person standing (world metres, Z up, floor at z = 0, facing −Y,
/// the body's left toward +X). All zero: standing upright, arms hanging at the sides,
/// feet hip-width apart (ankles under the hip joints) flat on the floor.
#[derive(Clone, Copy, Debug, Default)]
pub struct Standing {
    /// The hip-joint midpoint lowered from its upright height (a squat), metres: the feet
    /// stay planted and the knees bend forward (−Y), by two-link IK between hip and ankle.
    pub hip_drop_m: f64,
    /// The hip-joint midpoint moved backward (+Y) over the planted feet, metres (a mini
    /// squat moves the hips back ~0.6 × the drop; a standing child's pose 0.25–0.4 m).
    pub hips_back_m: f64,
    /// The pelvis (and everything above it) moved sideways, metres, + toward the body's
    /// left (+X); the feet stay planted.
    pub hip_shift_m: f64,
    /// The trunk (shoulders, head, arms) pitched forward (+) or back (−) about the
    /// hip-joint midpoint, degrees (a hip hinge; 90 = trunk horizontal).
    pub trunk_lean_deg: f64,
    /// The trunk bent sideways, + toward the body's left, degrees, about the axis along
    /// the facing direction (Y) through the hip-joint midpoint, after the lean.
    pub side_bend_deg: f64,
    /// Upper-back rounding, degrees: shoulders, head and arms curl forward/down about a
    /// point 0.45 of the torso above the hips (in the trunk's frame, on top of the lean);
    /// the head nods a further half of it about the neck (the shoulder midpoint).
    pub back_round_deg: f64,
    /// Both heels lifted off the floor by this much, metres: each foot turns about its
    /// toes (the foot index stays on the floor, the ankle rises 0.8 × of it) and the
    /// whole body above rises with the ankles.
    pub heel_lift_m: f64,
    /// Each knee moved toward the body's midline (valgus) by this much, metres, along X;
    /// hips and ankles stay (so thigh and shank lengths change).
    pub knees_in_m: f64,
    /// That arm raised sideways in the trunk's frontal plane by this elevation, degrees
    /// (0 = hanging, 90 = horizontal, 180 = straight up beside the head); it turns with
    /// the trunk (lean, side bend, rounding). The other arm hangs.
    pub reach: Option<(Side, f64)>,
    /// Both hands rest on a fixed support at this world point (the midpoint between the
    /// hands, which are 0.4 m apart along X): each arm runs from its shoulder to its hand,
    /// the elbow by two-link IK when the hand is within reach, else the arm points
    /// straight at the hand at full length (and the hand ends short of it). Overrides
    /// `reach`.
    pub hands_on: Option<V3>,
}

impl Standing {
    /// Ankle height above the floor with the foot flat (as [`Seated`]'s).
    pub const ANKLE_Z: f64 = 0.08;
    /// Heel and foot index relative to the ankle, foot flat, pointing −Y: the heel is 0.20 m
    /// behind the foot index, the ankle 0.16 m behind it, so a heel lift raises the ankle
    /// 0.8 × as much.
    const HEEL: V3 = v3(0.0, 0.04, -0.06);
    const TOE: V3 = v3(0.0, -0.16, -0.07);

    /// The hip-joint midpoint's height when upright with the feet flat.
    pub fn upright_hip_z(shape: &Shape) -> f64 {
        Self::ANKLE_Z + 0.995 * (shape.thigh + shape.shank)
    }

    /// The landmarks of this pose (facing −Y; left toward +X).
    pub fn skeleton(&self, shape: &Shape) -> Skeleton {
        use index::*;
        let mut sk = [V3::default(); LANDMARK_COUNT];
        let s = shape;
        // Feet: planted at hip width; a heel lift turns each foot about its foot index
        // (about +X, which raises the heel behind it) so the heel rises exactly
        // `heel_lift_m`.
        let heel_from_toe = Self::HEEL.sub(Self::TOE);
        let lift = {
            let (dy, dz) = (heel_from_toe.y, heel_from_toe.z);
            let r = dy.hypot(dz);
            let h = self.heel_lift_m.max(0.0);
            (((h + dz) / r).clamp(-1.0, 1.0)).asin() - dz.atan2(dy)
        };
        let mut ankles = [V3::default(); 2];
        for (k, (ankle_i, heel_i, toe_i, sgn)) in [
            (LEFT_ANKLE, LEFT_HEEL, LEFT_FOOT_INDEX, 1.0),
            (RIGHT_ANKLE, RIGHT_HEEL, RIGHT_FOOT_INDEX, -1.0),
        ]
        .into_iter()
        .enumerate()
        {
            let flat_ankle = v3(sgn * s.hip_half_width, 0.0, Self::ANKLE_Z);
            let toe = flat_ankle.add(Self::TOE);
            let ankle = flat_ankle.rotate_about(toe, X, lift);
            sk[ankle_i] = ankle;
            sk[heel_i] = flat_ankle.add(Self::HEEL).rotate_about(toe, X, lift);
            sk[toe_i] = toe;
            ankles[k] = ankle;
        }
        // Pelvis: from the (lifted) ankles, lowered, moved back and sideways.
        let ankle_mid = ankles[0].add(ankles[1]).scale(0.5);
        let hip_mid = v3(
            ankle_mid.x + self.hip_shift_m,
            ankle_mid.y + self.hips_back_m,
            ankle_mid.z + 0.995 * (s.thigh + s.shank) - self.hip_drop_m,
        );
        sk[LEFT_HIP] = hip_mid.add(v3(s.hip_half_width, 0.0, 0.0));
        sk[RIGHT_HIP] = hip_mid.add(v3(-s.hip_half_width, 0.0, 0.0));
        // Knees: two-link IK bending forward, then moved toward the midline.
        for (hip_i, knee_i, ankle_i, sgn) in [
            (LEFT_HIP, LEFT_KNEE, LEFT_ANKLE, 1.0),
            (RIGHT_HIP, RIGHT_KNEE, RIGHT_ANKLE, -1.0),
        ] {
            let knee = knee_between(sk[hip_i], sk[ankle_i], s.thigh, s.shank, v3(0.0, -1.0, 0.0));
            sk[knee_i] = knee.add(v3(-sgn * self.knees_in_m, 0.0, 0.0));
        }

        // Upper body, first in the trunk's own frame: origin at the hip-joint midpoint,
        // up +Z, forward −Y, left +X.
        let sh_mid = v3(0.0, 0.0, s.torso);
        sk[LEFT_SHOULDER] = sh_mid.add(v3(s.shoulder_half_width, 0.0, 0.0));
        sk[RIGHT_SHOULDER] = sh_mid.add(v3(-s.shoulder_half_width, 0.0, 0.0));
        let forward = v3(0.0, -1.0, 0.0);
        let up = v3(0.0, 0.0, 1.0);
        head(&mut sk, sh_mid.add(up.scale(0.25)), forward, X, up);
        // Arms: hanging, or one raised sideways in the frontal plane.
        for (side, sh, el, sgn) in [
            (Side::Left, LEFT_SHOULDER, LEFT_ELBOW, 1.0),
            (Side::Right, RIGHT_SHOULDER, RIGHT_ELBOW, -1.0),
        ] {
            let elevation = match self.reach {
                Some((reaching, deg)) if reaching == side => rad(deg),
                _ => 0.0,
            };
            let dir = v3(sgn * elevation.sin(), 0.0, -elevation.cos());
            let elbow = sk[sh].add(dir.scale(s.upper_arm));
            sk[el] = elbow;
            hand(
                &mut sk,
                side == Side::Left,
                elbow.add(dir.scale(s.forearm)),
                dir,
                forward,
            );
        }
        // The head nods half the rounding again about the neck; then the rounding curls
        // everything above its pivot forward (about +X, which turns up toward −Y).
        let round = rad(self.back_round_deg);
        for p in sk.iter_mut().take(MOUTH_RIGHT + 1) {
            *p = p.rotate_about(sh_mid, X, 0.5 * round);
        }
        let round_pivot = v3(0.0, 0.0, 0.45 * s.torso);
        for p in sk.iter_mut().take(LEFT_HIP) {
            *p = p.rotate_about(round_pivot, X, round);
        }
        // Into the world: lean about X (+ turns up toward −Y), then side bend about Y
        // (+ turns up toward +X), both through the hip-joint midpoint.
        let (lean, bend) = (rad(self.trunk_lean_deg), rad(self.side_bend_deg));
        let to_world = |p: V3| p.rotate(X, lean).rotate(Y, bend).add(hip_mid);
        for p in sk.iter_mut().take(LEFT_HIP) {
            *p = to_world(*p);
        }

        // Hands on a support: each arm from its (world) shoulder to its hand.
        if let Some(support) = self.hands_on {
            for (left_side, sh, el, sgn) in [
                (true, LEFT_SHOULDER, LEFT_ELBOW, 1.0),
                (false, RIGHT_SHOULDER, RIGHT_ELBOW, -1.0),
            ] {
                let shoulder = sk[sh];
                let target = support.add(v3(sgn * 0.2, 0.0, 0.0));
                let to_target = target.sub(shoulder);
                let (elbow, wrist) = if to_target.norm() >= s.upper_arm + s.forearm {
                    let dir = to_target.unit();
                    let elbow = shoulder.add(dir.scale(s.upper_arm));
                    (elbow, elbow.add(dir.scale(s.forearm)))
                } else {
                    // Elbows bend back and down (and a little out): behind an arm reaching
                    // forward, below one reaching overhead.
                    let bend = v3(sgn * 0.3, 1.0, -1.0);
                    let elbow = knee_between(shoulder, target, s.upper_arm, s.forearm, bend);
                    (elbow, target)
                };
                sk[el] = elbow;
                // The hand lies flat on the support, fingers forward, thumb inward.
                let fore = wrist.sub(elbow);
                let flat = v3(fore.x, fore.y, 0.0);
                let along = if flat.norm() > 1e-6 {
                    flat.unit()
                } else {
                    forward
                };
                hand(&mut sk, left_side, wrist, along, v3(-sgn, 0.0, 0.0));
            }
        }
        sk
    }
}

/// A pinhole camera looking from `eye` at `target` (Z up), 640×480, 45° vertical field
/// of view — the rendered fixtures' camera.
#[derive(Clone, Copy, Debug)]
pub struct Camera {
    pub eye: V3,
    pub target: V3,
    pub width: u32,
    pub height: u32,
    pub focal_px: f64,
}

impl Camera {
    pub fn new(eye: V3, target: V3) -> Camera {
        let height = 480;
        Camera {
            eye,
            target,
            width: 640,
            height,
            focal_px: (f64::from(height) / 2.0) / (22.5f64).to_radians().tan(),
        }
    }

    /// Camera looking at `target` from `distance` metres, from direction `azimuth_deg`
    /// (0 = from −Y, 90 = from −X) and `elevation_deg` above horizontal.
    pub fn orbit(target: V3, distance: f64, azimuth_deg: f64, elevation_deg: f64) -> Camera {
        let (az, el) = (rad(azimuth_deg), rad(elevation_deg));
        let dir = v3(-az.sin() * el.cos(), -az.cos() * el.cos(), el.sin());
        Camera::new(target.add(dir.scale(distance)), target)
    }

    fn basis(&self) -> (V3, V3, V3) {
        let forward = self.target.sub(self.eye).unit();
        let right = forward.cross(v3(0.0, 0.0, 1.0)).unit();
        let down = forward.cross(right);
        (right, down, forward)
    }

    /// Image pixels and depth (metres along the optical axis).
    pub fn project(&self, p: V3) -> (f64, f64, f64) {
        let (right, down, forward) = self.basis();
        let d = p.sub(self.eye);
        let depth = d.dot(forward).max(1e-3);
        let u = f64::from(self.width) / 2.0 + self.focal_px * d.dot(right) / depth;
        let v = f64::from(self.height) / 2.0 + self.focal_px * d.dot(down) / depth;
        (u, v, depth)
    }
}

/// Visibility BlazePose gives landmarks hidden behind the body, by kind.
fn hidden_visibility(i: usize) -> f64 {
    use index::*;
    match i {
        LEFT_SHOULDER | RIGHT_SHOULDER | LEFT_HIP | RIGHT_HIP => 0.95,
        LEFT_KNEE | RIGHT_KNEE => 0.5,
        LEFT_ANKLE | RIGHT_ANKLE | LEFT_HEEL | RIGHT_HEEL | LEFT_FOOT_INDEX | RIGHT_FOOT_INDEX => {
            0.6
        }
        LEFT_ELBOW | RIGHT_ELBOW => 0.1,
        0..=10 => 0.99,
        _ => 0.08,
    }
}

/// Projects a skeleton to a noiseless pose: image points, BlazePose-like z (depth
/// relative to the hip midpoint, pixel scale), and visibility (the far one of each
/// left/right pair is hidden when the camera sees the body from the side).
pub fn project(sk: &Skeleton, cam: &Camera) -> Pose {
    let projected: Vec<(f64, f64, f64)> = sk.iter().map(|p| cam.project(*p)).collect();
    let hip_depth = (projected[index::LEFT_HIP].2 + projected[index::RIGHT_HIP].2) / 2.0;
    let scale = cam.focal_px / hip_depth;
    // Side-on if the hips are far apart in depth relative to their image separation.
    let hip_depth_gap = (projected[index::LEFT_HIP].2 - projected[index::RIGHT_HIP].2).abs();
    let hip_image_gap = ((projected[index::LEFT_HIP].0 - projected[index::RIGHT_HIP].0)
        .hypot(projected[index::LEFT_HIP].1 - projected[index::RIGHT_HIP].1))
        / scale;
    let side_on = hip_depth_gap > hip_image_gap;
    let mut landmarks = [Landmark::default(); LANDMARK_COUNT];
    for (i, lm) in landmarks.iter_mut().enumerate() {
        let (u, v, depth) = projected[i];
        let mirror = backform::kinematics::mirror_index(i);
        let far = side_on && mirror != i && depth > projected[mirror].2;
        *lm = Landmark {
            x_px: u as f32,
            y_px: v as f32,
            z: ((depth - hip_depth) * scale) as f32,
            visibility: if far { hidden_visibility(i) } else { 0.99 } as f32,
            presence: 1.0,
        };
    }
    Pose {
        landmarks,
        world: None,
        score: 1.0,
        roi: Roi::default(),
        image_width: cam.width,
        image_height: cam.height,
        belly_height_torso: None,
        pelvis_turn_deg: None,
    }
}

/// What a pose model adds to the true projection.
#[derive(Clone, Copy, Debug)]
pub struct NoiseSpec {
    /// Raw per-frame jitter of the landmark model, pixels (before smoothing).
    pub jitter_px: f64,
    /// Smooth with MediaPipe's One Euro landmark filter (min cutoff 0.05 Hz, beta 80,
    /// derivative cutoff 1 Hz, speed in object sizes per second), as the pose pipeline
    /// does: still landmarks barely jitter, moving ones lag a little.
    pub one_euro: bool,
    /// Slow wandering of each landmark (standard deviation, pixels) and its time constant.
    pub drift_px: f64,
    pub drift_tau_s: f64,
    /// Depth jitter, pixel scale (BlazePose's z is coarse).
    pub depth_px: f64,
    /// Probability per frame that the pose is lost; losses last 1–`max_drop_frames`.
    pub drop_probability: f64,
    pub max_drop_frames: u32,
}

impl NoiseSpec {
    /// BlazePose on a clear webcam picture: a fifth of a pixel of raw jitter and of slow
    /// drift (ten times what MediaPipe showed on the rendered clips), smoothed by its
    /// filter, depth four times noisier, 1% of frames lost in runs of up to three
    /// (MediaPipe lost none on the rendered side and front views).
    pub fn typical() -> NoiseSpec {
        NoiseSpec {
            jitter_px: 0.2,
            one_euro: true,
            drift_px: 0.2,
            drift_tau_s: 4.0,
            depth_px: 4.0,
            drop_probability: 0.01,
            max_drop_frames: 3,
        }
    }

    /// A poor picture (dim room, low-resolution webcam): two pixels of raw jitter.
    pub fn poor() -> NoiseSpec {
        NoiseSpec {
            jitter_px: 2.0,
            ..NoiseSpec::typical()
        }
    }

    /// No noise at all.
    pub fn none() -> NoiseSpec {
        NoiseSpec {
            jitter_px: 0.0,
            one_euro: false,
            drift_px: 0.0,
            drift_tau_s: 1.0,
            depth_px: 0.0,
            drop_probability: 0.0,
            max_drop_frames: 0,
        }
    }
}

/// MediaPipe's One Euro filter for one coordinate.
#[derive(Clone, Copy, Debug, Default)]
struct OneEuro {
    x: Option<f64>,
    dx: f64,
}

impl OneEuro {
    const MIN_CUTOFF: f64 = 0.05;
    const BETA: f64 = 80.0;
    const D_CUTOFF: f64 = 1.0;

    fn alpha(cutoff: f64, dt: f64) -> f64 {
        let tau = 1.0 / (2.0 * std::f64::consts::PI * cutoff);
        1.0 / (1.0 + tau / dt)
    }

    /// Filters `x` (pixels); `scale_px` is the object size that speeds are measured in.
    fn filter(&mut self, x: f64, dt: f64, scale_px: f64) -> f64 {
        let Some(prev) = self.x else {
            self.x = Some(x);
            return x;
        };
        let raw_dx = (x - prev) / dt / scale_px.max(1.0);
        let a_d = Self::alpha(Self::D_CUTOFF, dt);
        self.dx = a_d * raw_dx + (1.0 - a_d) * self.dx;
        let cutoff = Self::MIN_CUTOFF + Self::BETA * self.dx.abs();
        let a = Self::alpha(cutoff, dt);
        let out = a * x + (1.0 - a) * prev;
        self.x = Some(out);
        out
    }
}

/// A stateful noise generator over a sequence.
pub struct Noise {
    spec: NoiseSpec,
    rng: StdRng,
    filters: Vec<[OneEuro; 2]>,
    drift: Vec<[f64; 2]>,
    dropping: u32,
}

impl Noise {
    pub fn new(spec: NoiseSpec, seed: u64) -> Noise {
        Noise {
            spec,
            rng: StdRng::seed_from_u64(seed),
            filters: vec![[OneEuro::default(); 2]; LANDMARK_COUNT],
            drift: vec![[0.0; 2]; LANDMARK_COUNT],
            dropping: 0,
        }
    }

    /// One frame (`dt_s` after the previous): the noisy pose, or `None` if dropped (the
    /// filters restart after a loss, as MediaPipe's do).
    pub fn apply(&mut self, mut pose: Pose, dt_s: f64) -> Option<Pose> {
        let s = self.spec;
        let unit = Normal::new(0.0, 1.0).ok()?;
        if self.dropping > 0 {
            self.dropping -= 1;
            return None;
        }
        if s.drop_probability > 0.0 && self.rng.random::<f64>() < s.drop_probability {
            self.dropping = self.rng.random_range(0..s.max_drop_frames.max(1));
            self.filters = vec![[OneEuro::default(); 2]; LANDMARK_COUNT];
            return None;
        }
        // The object scale: the body's extent in the image.
        let (mut lo, mut hi) = ((f64::MAX, f64::MAX), (f64::MIN, f64::MIN));
        for lm in &pose.landmarks {
            lo = (lo.0.min(f64::from(lm.x_px)), lo.1.min(f64::from(lm.y_px)));
            hi = (hi.0.max(f64::from(lm.x_px)), hi.1.max(f64::from(lm.y_px)));
        }
        let object_px = ((hi.0 - lo.0) + (hi.1 - lo.1)) / 2.0;
        // Ornstein–Uhlenbeck drift with stationary deviation drift_px.
        let decay = (-dt_s / s.drift_tau_s.max(1e-6)).exp();
        let kick = s.drift_px * (1.0 - decay * decay).sqrt();
        for (i, lm) in pose.landmarks.iter_mut().enumerate() {
            let d = &mut self.drift[i];
            for c in d.iter_mut() {
                *c = decay * *c + kick * unit.sample(&mut self.rng);
            }
            let raw_x = f64::from(lm.x_px) + d[0] + s.jitter_px * unit.sample(&mut self.rng);
            let raw_y = f64::from(lm.y_px) + d[1] + s.jitter_px * unit.sample(&mut self.rng);
            let (x, y) = if s.one_euro {
                let f = &mut self.filters[i];
                (
                    f[0].filter(raw_x, dt_s, object_px),
                    f[1].filter(raw_y, dt_s, object_px),
                )
            } else {
                (raw_x, raw_y)
            };
            lm.x_px = x as f32;
            lm.y_px = y as f32;
            lm.z += (s.depth_px * unit.sample(&mut self.rng)) as f32;
            lm.visibility = (f64::from(lm.visibility) + 0.02 * unit.sample(&mut self.rng))
                .clamp(0.0, 1.0) as f32;
        }
        Some(pose)
    }
}

/// Rolls the picture about its centre (a laptop camera on a tilted surface).
pub fn roll_image(pose: &mut Pose, roll_deg: f64) {
    let (s, c) = rad(roll_deg).sin_cos();
    let (cx, cy) = (
        f64::from(pose.image_width) / 2.0,
        f64::from(pose.image_height) / 2.0,
    );
    for lm in &mut pose.landmarks {
        let (dx, dy) = (f64::from(lm.x_px) - cx, f64::from(lm.y_px) - cy);
        lm.x_px = (cx + c * dx - s * dy) as f32;
        lm.y_px = (cy + s * dx + c * dy) as f32;
    }
}

/// Zooms the picture by `factor` about its centre and shifts it by `(dx, dy)` pixels, as a
/// cut to another shot or a zoom in a recording does.
pub fn zoom_image(pose: &mut Pose, factor: f64, (dx, dy): (f64, f64)) {
    let (cx, cy) = (
        f64::from(pose.image_width) / 2.0,
        f64::from(pose.image_height) / 2.0,
    );
    for lm in &mut pose.landmarks {
        lm.x_px = (cx + factor * (f64::from(lm.x_px) - cx) + dx) as f32;
        lm.y_px = (cy + factor * (f64::from(lm.y_px) - cy) + dy) as f32;
        lm.z = (factor * f64::from(lm.z)) as f32;
    }
}

/// Swaps BlazePose's left and right labels (as it sometimes does in a pure side view).
pub fn swap_labels(pose: &mut Pose) {
    let original = pose.landmarks;
    for (i, lm) in pose.landmarks.iter_mut().enumerate() {
        *lm = original[backform::kinematics::mirror_index(i)];
    }
}

/// Marks landmarks as unseen (covered, or out of the picture).
pub fn hide(pose: &mut Pose, indices: &[usize]) {
    for &i in indices {
        pose.landmarks[i].visibility = 0.05;
    }
}
