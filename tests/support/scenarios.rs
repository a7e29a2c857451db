//! Exercise performances for the synthetic body, with their ground truth.
//!
//! Each scenario drives the body's joint parameters over time (smooth ramps out, holds,
//! ramps back, rests), knows exactly when each rep, hold and fault happened, and renders
//! to `(t, Option<Pose>)` frames through a camera placement and the noise model.

use backform::exercises::{FaultCode, Side};
use backform::pose::Pose;

use super::body::{
    Arms, Camera, Lying, Noise, NoiseSpec, Seated, Shape, Skeleton, V3, project, v3,
};
use super::truth::{Truth, TruthFault, TruthRep, TruthStep};

pub const FPS: f64 = 30.0;

/// One movement out, hold, and back, with smooth (cosine) ramps.
#[derive(Clone, Copy, Debug)]
pub struct Move {
    pub start_s: f64,
    pub out_s: f64,
    pub hold_s: f64,
    pub back_s: f64,
    pub amplitude: f64,
}

impl Move {
    pub fn end_s(&self) -> f64 {
        self.start_s + self.out_s + self.hold_s + self.back_s
    }
    /// The hold as EXERCISES.md scores it: the time within 10% of the peak, which for
    /// these cosine ramps adds 0.205 of each ramp to the flat segment.
    pub fn plateau_s(&self) -> f64 {
        // (1 - cos(pi u)) / 2 >= 0.9  <=>  u >= acos(-0.8) / pi = 0.795.
        let share = 1.0 - (-0.8f64).acos() / std::f64::consts::PI;
        self.hold_s + share * (self.out_s + self.back_s)
    }

    pub fn hold_start_s(&self) -> f64 {
        self.start_s + self.out_s
    }
    pub fn hold_end_s(&self) -> f64 {
        self.start_s + self.out_s + self.hold_s
    }
    pub fn value(&self, t: f64) -> f64 {
        let ramp = |u: f64| (1.0 - (std::f64::consts::PI * u.clamp(0.0, 1.0)).cos()) / 2.0;
        let u = t - self.start_s;
        let frac = if u <= 0.0 {
            0.0
        } else if u < self.out_s {
            ramp(u / self.out_s)
        } else if u < self.out_s + self.hold_s {
            1.0
        } else if u < self.out_s + self.hold_s + self.back_s {
            ramp(1.0 - (u - self.out_s - self.hold_s) / self.back_s)
        } else {
            0.0
        };
        frac * self.amplitude
    }
    /// When the value first passes `level` (same sign as the amplitude), if it does.
    pub fn crossing_s(&self, level: f64) -> Option<f64> {
        let frac = level / self.amplitude;
        (0.0..1.0).contains(&frac).then(|| {
            let u = (1.0 - 2.0 * frac).acos() / std::f64::consts::PI;
            self.start_s + u * self.out_s
        })
    }
    /// When the value falls back below `level` on the way back.
    pub fn uncrossing_s(&self, level: f64) -> Option<f64> {
        let frac = level / self.amplitude;
        (0.0..1.0).contains(&frac).then(|| {
            let u = (1.0 - 2.0 * frac).acos() / std::f64::consts::PI;
            self.hold_end_s() + (1.0 - u) * self.back_s
        })
    }
}

/// A train of moves: `count` reps starting at `first_s`, each `rest_s` apart.
pub fn train(
    count: usize,
    first_s: f64,
    out_s: f64,
    hold_s: f64,
    back_s: f64,
    rest_s: f64,
    amplitude: impl Fn(usize) -> f64,
) -> Vec<Move> {
    let period = out_s + hold_s + back_s + rest_s;
    (0..count)
        .map(|k| Move {
            start_s: first_s + k as f64 * period,
            out_s,
            hold_s,
            back_s,
            amplitude: amplitude(k),
        })
        .collect()
}

pub fn sum(moves: &[Move], t: f64) -> f64 {
    moves.iter().map(|m| m.value(t)).sum()
}

/// A performance: joint parameters over time and what really happened.
pub struct Scenario {
    pub name: String,
    pub truth: Truth,
    pub shape: Shape,
    pose: Box<dyn Fn(f64) -> Skeleton>,
}

/// Where the camera is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Beside the body at floor level, 2.6 m away.
    SideFloor,
    /// Beside the body, 30° above it.
    SideAbove,
    /// Beside the body at floor level on its other side (seeing its right side).
    SideFloorRight,
    /// At the feet, 1 m up (BlazePose cannot see the trunk from there).
    FeetEnd,
    /// In front at chest height.
    FrontChest,
    /// In front, higher and 20° off to one side.
    FrontAboveOffAxis,
}

impl Placement {
    pub fn camera(self) -> Camera {
        match self {
            Placement::SideFloor => Camera::orbit(v3(-0.15, 0.0, 0.2), 2.6, 0.0, 7.0),
            Placement::SideAbove => Camera::orbit(v3(-0.15, 0.0, 0.15), 2.7, 0.0, 30.0),
            Placement::SideFloorRight => Camera::orbit(v3(-0.15, 0.0, 0.2), 2.6, 180.0, 7.0),
            Placement::FeetEnd => Camera::new(v3(-2.7, 0.0, 1.0), v3(0.0, 0.0, 0.15)),
            Placement::FrontChest => Camera::orbit(v3(0.0, -0.2, 0.75), 2.5, 0.0, 5.0),
            Placement::FrontAboveOffAxis => Camera::orbit(v3(0.0, -0.2, 0.75), 2.6, 20.0, 15.0),
        }
    }
}

impl Scenario {
    /// The same person in the same starting position, not moving at all for
    /// `duration_s`: nothing to count, nothing to fault.
    pub fn held_still(self, duration_s: f64) -> Scenario {
        let pose = self.pose;
        let mut truth = self.truth;
        truth.reps.clear();
        truth.faults.clear();
        truth.steps.clear();
        truth.duration_s = duration_s;
        Scenario {
            name: format!("{} held still", self.name),
            truth,
            shape: self.shape,
            pose: Box::new(move |_| pose(0.0)),
        }
    }

    /// Renders the performance through a camera with noise, then applies `edit` to each
    /// pose (time, pose) — camera roll, label swaps, hidden parts.
    pub fn frames_with(
        &self,
        placement: Placement,
        noise: NoiseSpec,
        seed: u64,
        edit: impl Fn(f64, &mut Pose),
    ) -> Vec<(f64, Option<Pose>)> {
        let mut frames = self.frames(placement, noise, seed);
        for (t, pose) in &mut frames {
            if let Some(p) = pose.as_mut() {
                edit(*t, p);
            }
        }
        frames
    }

    /// Renders the performance through a camera with noise; frames at 30 fps.
    pub fn frames(
        &self,
        placement: Placement,
        noise: NoiseSpec,
        seed: u64,
    ) -> Vec<(f64, Option<Pose>)> {
        self.frames_at(placement, noise, seed, FPS)
    }

    /// The same at another frame rate (webcams run at 15–60 fps).
    pub fn frames_at(
        &self,
        placement: Placement,
        noise: NoiseSpec,
        seed: u64,
        fps: f64,
    ) -> Vec<(f64, Option<Pose>)> {
        self.frames_through(&placement.camera(), noise, seed, fps)
    }

    /// Through any camera (another distance, lens or height than the placements').
    pub fn frames_through(
        &self,
        cam: &Camera,
        noise: NoiseSpec,
        seed: u64,
        fps: f64,
    ) -> Vec<(f64, Option<Pose>)> {
        let cam = *cam;
        let mut noise = Noise::new(noise, seed);
        let n = (self.truth.duration_s * fps).round() as usize;
        (0..n)
            .map(|i| {
                let t = i as f64 / fps;
                let pose = project(&(self.pose)(t), &cam);
                (t, noise.apply(pose, 1.0 / fps))
            })
            .collect()
    }
}

fn truth(exercise: &str, duration_s: f64) -> Truth {
    Truth {
        exercise: exercise.to_owned(),
        duration_s,
        ..Truth::default()
    }
}

fn reps_of(moves: &[Move], side: impl Fn(usize) -> Option<Side>, hold: bool) -> Vec<TruthRep> {
    moves
        .iter()
        .enumerate()
        .map(|(k, m)| TruthRep {
            side: side(k),
            start_s: m.start_s,
            end_s: m.end_s(),
            hold_s: hold.then_some(m.plateau_s()),
        })
        .collect()
}

// ---------------------------------------------------------------- pelvic tilt

/// Pelvic tilt variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TiltVariant {
    Good,
    HoldTooShort,
    Crunch,
    HipsLift,
    TooFast,
}

pub fn pelvic_tilt(variant: TiltVariant) -> Scenario {
    pelvic_tilt_on(variant, Shape::adult(1.0))
}

/// The same performance by another body.
pub fn pelvic_tilt_on(variant: TiltVariant, shape: Shape) -> Scenario {
    let (out, hold, count) = match variant {
        TiltVariant::HoldTooShort => (0.9, 2.5, 5),
        TiltVariant::TooFast => (0.25, 6.0, 4),
        _ => (0.9, 6.0, 5),
    };
    let tilts = train(count, 2.0, out, hold, out, 1.5, |_| 13.0);
    let duration = tilts.last().map_or(10.0, |m| m.end_s() + 2.0);
    let mut t = truth("pelvic-tilt", duration);
    t.reps = reps_of(&tilts, |_| None, true);
    let curl = if variant == TiltVariant::Crunch {
        25.0
    } else {
        0.0
    };
    let lift = if variant == TiltVariant::HipsLift {
        0.10
    } else {
        0.0
    };
    let curls = train(count, 2.0, out, hold, out, 1.5, |_| curl);
    let lifts = train(count, 2.0, out, hold, out, 1.5, |_| lift);
    for m in &tilts {
        match variant {
            TiltVariant::Good => {}
            TiltVariant::HoldTooShort => t.faults.push(TruthFault {
                code: FaultCode::HoldTooShort,
                start_s: m.hold_start_s(),
                end_s: m.hold_end_s(),
            }),
            TiltVariant::Crunch => t.faults.push(TruthFault {
                code: FaultCode::Crunch,
                start_s: m.start_s,
                end_s: m.end_s(),
            }),
            TiltVariant::HipsLift => t.faults.push(TruthFault {
                code: FaultCode::HipsLift,
                start_s: m.start_s,
                end_s: m.end_s(),
            }),
            TiltVariant::TooFast => t.faults.push(TruthFault {
                code: FaultCode::TooFast,
                start_s: m.start_s,
                end_s: m.end_s(),
            }),
        }
    }
    Scenario {
        name: format!("pelvic-tilt/{variant:?}"),
        truth: t,
        shape,
        pose: Box::new(move |time| {
            Lying {
                tilt_deg: sum(&tilts, time),
                curl_deg: sum(&curls, time),
                hip_lift_m: sum(&lifts, time),
                ..Lying::default()
            }
            .skeleton(&shape)
        }),
    }
}

/// The tilts of [`pelvic_tilt_faint`], degrees over time.
pub fn pelvic_tilt_faint_moves(gain: f64) -> Vec<Move> {
    train(2, 4.0, 0.9, 1.5, 0.9, 1.3, |_| 13.0 * gain)
}

/// The real person's case (issue "Coach any body"): two tilts with 1.5 s holds and a
/// 1.3 s rest, at `gain` of the synthetic body's 13° (0.2: a fifth of its landmark
/// signal), after a still lead-in long enough to see the rest.
pub fn pelvic_tilt_faint(gain: f64) -> Scenario {
    let tilts = pelvic_tilt_faint_moves(gain);
    let duration = tilts.last().map_or(10.0, |m| m.end_s() + 4.0);
    let mut t = truth("pelvic-tilt", duration);
    t.reps = reps_of(&tilts, |_| None, true);
    // 1.5 s holds, where 5 s are prescribed.
    t.faults = tilts
        .iter()
        .map(|m| TruthFault {
            code: FaultCode::HoldTooShort,
            start_s: m.hold_start_s(),
            end_s: m.hold_end_s(),
        })
        .collect();
    let shape = Shape::adult(1.0);
    Scenario {
        name: format!("pelvic-tilt/faint×{gain}"),
        truth: t,
        shape,
        pose: Box::new(move |time| {
            Lying {
                tilt_deg: sum(&tilts, time),
                ..Lying::default()
            }
            .skeleton(&shape)
        }),
    }
}

/// Two good tilts whose trunk line drifts off during the first and never comes back:
/// after the first release the body's landmarks stay at `stuck` of the tilt (MediaPipe's
/// trunk line from 30° above did this on a rendered body). The outline, attached by the
/// test from [`pelvic_tilt_stuck_moves`], follows the real tilts.
pub fn pelvic_tilt_stuck(stuck: f64) -> Scenario {
    let tilts = pelvic_tilt_stuck_moves();
    let duration = tilts.last().map_or(10.0, |m| m.end_s() + 3.0);
    let mut t = truth("pelvic-tilt", duration);
    t.reps = reps_of(&tilts, |_| None, true);
    let first_release = tilts
        .first()
        .map_or(0.0, |m| m.start_s + m.out_s + m.hold_s);
    let residual = train(1, first_release, 0.9, duration, 0.0, 0.0, |_| 13.0 * stuck);
    let shape = Shape::adult(1.0);
    Scenario {
        name: format!("pelvic-tilt/trunk stuck at {stuck}"),
        truth: t,
        shape,
        pose: Box::new(move |time| {
            Lying {
                tilt_deg: sum(&tilts, time) + sum(&residual, time),
                ..Lying::default()
            }
            .skeleton(&shape)
        }),
    }
}

/// The real tilts of [`pelvic_tilt_stuck`].
pub fn pelvic_tilt_stuck_moves() -> Vec<Move> {
    train(2, 2.0, 0.9, 6.0, 0.9, 2.0, |_| 13.0)
}

// ---------------------------------------------------------------- controlled rotation

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RotationVariant {
    Good,
    RangeTooLarge,
    ShouldersLift,
    NotAlternating,
}

pub fn controlled_rotation(variant: RotationVariant) -> Scenario {
    controlled_rotation_on(variant, Shape::adult(0.95))
}

/// The same performance by another body.
pub fn controlled_rotation_on(variant: RotationVariant, shape: Shape) -> Scenario {
    let drop = if variant == RotationVariant::RangeTooLarge {
        60.0
    } else {
        25.0
    };
    controlled_rotation_dropping(variant, shape, drop)
}

/// The same performance with knee drops of `drop` degrees.
pub fn controlled_rotation_dropping(variant: RotationVariant, shape: Shape, drop: f64) -> Scenario {
    controlled_rotation_rolling(variant, shape, drop, 1.0)
}

/// The same, with the pelvis rolling `right_share` as far for drops to the right as to
/// the left (0: not at all).
pub fn controlled_rotation_rolling(
    variant: RotationVariant,
    shape: Shape,
    drop: f64,
    right_share: f64,
) -> Scenario {
    // Left first, alternating; the not-alternating performance goes L L R R L R L R L R.
    let sides: Vec<Side> = match variant {
        RotationVariant::NotAlternating => [0, 0, 1, 1, 0, 1, 0, 1, 0, 1],
        _ => [0, 1, 0, 1, 0, 1, 0, 1, 0, 1],
    }
    .iter()
    .map(|&k| if k == 0 { Side::Left } else { Side::Right })
    .collect();
    let sign = |s: Side| if s == Side::Left { 1.0 } else { -1.0 };
    let drops = train(10, 1.5, 1.7, 0.3, 1.7, 0.6, |k| sign(sides[k]) * drop);
    let thorax = train(10, 1.5, 1.7, 0.3, 1.7, 0.6, |k| {
        if variant == RotationVariant::ShouldersLift {
            sign(sides[k]) * 20.0
        } else {
            0.0
        }
    });
    let duration = drops.last().map_or(10.0, |m| m.end_s() + 1.5);
    let mut t = truth("controlled-rotation", duration);
    t.reps = reps_of(&drops, |k| Some(sides[k]), false);
    for (k, m) in drops.iter().enumerate() {
        match variant {
            RotationVariant::RangeTooLarge => {
                let level = sign(sides[k]) * 35.0;
                if let (Some(a), Some(b)) = (m.crossing_s(level), m.uncrossing_s(level)) {
                    t.faults.push(TruthFault {
                        code: FaultCode::RangeTooLarge,
                        start_s: a,
                        end_s: b,
                    });
                }
            }
            RotationVariant::ShouldersLift => {
                let th = thorax[k];
                let level = sign(sides[k]) * 5.0;
                if let (Some(a), Some(b)) = (th.crossing_s(level), th.uncrossing_s(level)) {
                    t.faults.push(TruthFault {
                        code: FaultCode::ShouldersLift,
                        start_s: a,
                        end_s: b,
                    });
                }
            }
            RotationVariant::NotAlternating if k > 0 && sides[k] == sides[k - 1] => {
                t.faults.push(TruthFault {
                    code: FaultCode::NotAlternating,
                    start_s: m.start_s,
                    end_s: m.end_s(),
                })
            }
            _ => {}
        }
    }
    Scenario {
        name: format!("controlled-rotation/{variant:?}"),
        truth: t,
        shape,
        pose: Box::new(move |time| {
            Lying {
                knee_drop_deg: sum(&drops, time),
                pelvis_follow_right_share: right_share,
                thorax_roll_deg: sum(&thorax, time),
                arms: Arms::OutToSides,
                ..Lying::default()
            }
            .skeleton(&shape)
        }),
    }
}

// ---------------------------------------------------------------- pelvic rock

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RockVariant {
    Good,
    ShouldersSway,
    ShouldersTilt,
    NoPelvisMovement,
}

pub fn pelvic_rock(variant: RockVariant) -> Scenario {
    pelvic_rock_on(variant, Shape::adult(1.05))
}

/// The same performance by another body.
pub fn pelvic_rock_on(variant: RockVariant, shape: Shape) -> Scenario {
    let count = if variant == RockVariant::NoPelvisMovement {
        0
    } else {
        20
    };
    let rocks = train(count, 1.5, 0.8, 0.25, 0.8, 0.25, |k| {
        if k % 2 == 0 { 9.0 } else { -9.0 }
    });
    let duration = rocks.last().map_or(15.0, |m| m.end_s() + 1.5);
    let mut t = truth("pelvic-rock", duration);
    t.reps = reps_of(
        &rocks,
        |k| Some(if k % 2 == 0 { Side::Left } else { Side::Right }),
        true,
    );
    // Shoulders-sway: the upper body shifts 0.16 torso lengths; shoulders-tilt: the
    // shoulder line tilts 8°; both in time with the rock.
    let sway_m = 0.16 * shape.torso;
    let sways = train(count, 1.5, 0.8, 0.25, 0.8, 0.25, |_| {
        if variant == RockVariant::ShouldersSway {
            sway_m
        } else {
            0.0
        }
    });
    let tilts = train(count, 1.5, 0.8, 0.25, 0.8, 0.25, |k| {
        if variant == RockVariant::ShouldersTilt {
            if k % 2 == 0 { 8.0 } else { -8.0 }
        } else {
            0.0
        }
    });
    for k in 0..count {
        match variant {
            RockVariant::ShouldersSway => {
                // The spec's line: the shoulders 0.08 torso lengths off rest (the carry adds
                // ~0.05 at the peak, so the sway itself passes ~0.03 first).
                let m = sways[k];
                if let (Some(a), Some(b)) = (
                    m.crossing_s(0.04 * shape.torso),
                    m.uncrossing_s(0.04 * shape.torso),
                ) {
                    t.faults.push(TruthFault {
                        code: FaultCode::ShouldersSway,
                        start_s: a,
                        end_s: b,
                    });
                }
            }
            RockVariant::ShouldersTilt => {
                let m = tilts[k];
                let level = m.amplitude.signum() * 5.0;
                if let (Some(a), Some(b)) = (m.crossing_s(level), m.uncrossing_s(level)) {
                    t.faults.push(TruthFault {
                        code: FaultCode::ShouldersTilt,
                        start_s: a,
                        end_s: b,
                    });
                }
            }
            _ => {}
        }
    }
    if variant == RockVariant::NoPelvisMovement {
        t.faults.push(TruthFault {
            code: FaultCode::NoPelvisMovement,
            start_s: 10.0,
            end_s: duration,
        });
    }
    Scenario {
        name: format!("pelvic-rock/{variant:?}"),
        truth: t,
        shape,
        pose: Box::new(move |time| {
            let rock = sum(&rocks, time);
            Seated {
                rock_deg: rock,
                carry: 1.2,
                sway_m: sum(&sways, time),
                shoulder_tilt_deg: sum(&tilts, time),
                ..Seated::default()
            }
            .skeleton(&shape)
        }),
    }
}

// ---------------------------------------------------------------- back block traction

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TractionVariant {
    Good,
    BlockTooHigh,
    BothLegsTogether,
    OverTime,
    SettlesLater,
    /// One leg slides at a time, but the other stirs along with the first to a third of
    /// a slide and settles back (as BlazePose reads the hidden far leg from the side).
    FarLegEchoes,
    /// As `FarLegEchoes`, but the far leg follows the first one step for step for its
    /// first 2.5 s, then falls back to a quarter of it (BlazePose on rendered bodies E
    /// and I). (On rendered body I it followed well past a slide's mark; this body's
    /// far leg does not reproduce that: `tests/exercise_clips.rs` runs that clip.)
    FarLegFollows,
}

pub fn back_block_traction(variant: TractionVariant) -> Scenario {
    back_block_traction_on(variant, Shape::adult(1.0))
}

/// The same performance by another body.
pub fn back_block_traction_on(variant: TractionVariant, shape: Shape) -> Scenario {
    let duration = match variant {
        TractionVariant::OverTime => 70.0,
        TractionVariant::SettlesLater => 40.0,
        _ => 45.0,
    };
    // Hip-joint height on the block: under the sacrum the pelvis rides ~8 cm up; under
    // the lumbar spine it tips off the block and sits ~3 cm lower.
    let on_block_z = if variant == TractionVariant::BlockTooHigh {
        0.16
    } else {
        0.195
    };
    let (left, right) = if variant == TractionVariant::BothLegsTogether {
        (
            Move {
                start_s: 5.0,
                out_s: 8.0,
                hold_s: 100.0,
                back_s: 1.0,
                amplitude: 1.0,
            },
            Move {
                start_s: 5.0,
                out_s: 8.0,
                hold_s: 100.0,
                back_s: 1.0,
                amplitude: 1.0,
            },
        )
    } else {
        (
            Move {
                start_s: 5.0,
                out_s: 8.0,
                hold_s: 100.0,
                back_s: 1.0,
                amplitude: 1.0,
            },
            Move {
                start_s: 16.0,
                out_s: 8.0,
                hold_s: 100.0,
                back_s: 1.0,
                amplitude: 1.0,
            },
        )
    };
    // Settling later: lying flat, a bridge to slide the block in at 3–6 s, then down.
    let settle = Move {
        start_s: 3.0,
        out_s: 1.0,
        hold_s: 1.5,
        back_s: 1.0,
        amplitude: 1.0,
    };
    let settled_s = if variant == TractionVariant::SettlesLater {
        settle.end_s()
    } else {
        0.0
    };
    let (left, right) = if variant == TractionVariant::SettlesLater {
        (
            Move {
                start_s: 12.0,
                ..left
            },
            Move {
                start_s: 24.0,
                ..right
            },
        )
    } else {
        (left, right)
    };
    // The echo follows the first leg's slide at a third of it, then fades once that slide
    // is done.
    let echo_share = if variant == TractionVariant::FarLegEchoes {
        0.35
    } else {
        0.0
    };
    let echo_fade = Move {
        start_s: left.hold_start_s(),
        out_s: 2.0,
        hold_s: 100.0,
        back_s: 1.0,
        amplitude: 1.0,
    };
    let follows = variant == TractionVariant::FarLegFollows;
    let fall_back = Move {
        start_s: left.start_s + 2.5,
        out_s: 2.0,
        hold_s: 100.0,
        back_s: 1.0,
        amplitude: 1.0,
    };
    let mut t = truth("back-block-traction", duration);
    t.timed_hold_s = Some(duration - settled_s);
    t.steps = if variant == TractionVariant::BothLegsTogether {
        vec![TruthStep {
            side: None,
            start_s: left.start_s,
            end_s: left.hold_start_s(),
        }]
    } else {
        vec![
            TruthStep {
                side: Some(Side::Left),
                start_s: left.start_s,
                end_s: left.hold_start_s(),
            },
            TruthStep {
                side: Some(Side::Right),
                start_s: right.start_s,
                end_s: right.hold_start_s(),
            },
        ]
    };
    match variant {
        TractionVariant::BlockTooHigh => t.faults.push(TruthFault {
            code: FaultCode::BlockTooHigh,
            start_s: 0.0,
            end_s: duration,
        }),
        // A slow slide shows once the legs have visibly moved: from 10% of the slide.
        TractionVariant::BothLegsTogether => t.faults.push(TruthFault {
            code: FaultCode::BothLegsTogether,
            start_s: left.crossing_s(0.1).unwrap_or(left.start_s),
            end_s: left.hold_start_s(),
        }),
        TractionVariant::OverTime => t.faults.push(TruthFault {
            code: FaultCode::OverTime,
            start_s: 60.0,
            end_s: duration,
        }),
        _ => {}
    }
    Scenario {
        name: format!("back-block-traction/{variant:?}"),
        truth: t,
        shape,
        pose: Box::new(move |time| {
            let hip_z = if variant == TractionVariant::SettlesLater {
                // Flat, then lifted to slide the block in, then down onto it.
                if time < settle.hold_end_s() {
                    0.10 + 0.12 * settle.value(time)
                } else {
                    on_block_z + (0.22 - on_block_z) * settle.value(time)
                }
            } else {
                on_block_z
            };
            Lying {
                hip_z,
                leg_extension: [
                    left.value(time),
                    right.value(time)
                        + echo_share * left.value(time) * (1.0 - echo_fade.value(time))
                        + if follows {
                            left.value(time)
                                * (1.0 - 0.75 * fall_back.value(time))
                                * (1.0 - echo_fade.value(time))
                        } else {
                            0.0
                        },
                ],
                ..Lying::default()
            }
            .skeleton(&shape)
        }),
    }
}

/// The target a camera looks at for a lying body (hips at the origin).
pub const LYING_TARGET: V3 = v3(-0.15, 0.0, 0.2);

// ---------------------------------------------------------------- bridge

/// Bridge variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BridgeVariant {
    Good,
    /// Hips lifted less than half way to the shoulder–knee line.
    TooLow,
    /// Hips pushed well above the line (an arched lower back).
    Arching,
    TooFast,
    HoldTooShort,
}

/// How high (m) this body's hips must lift for shoulders, hips and knees to be in line.
pub fn bridge_in_line_lift_m(shape: &Shape) -> f64 {
    // The hip's height above the shoulder–knee line, in the body's side plane (x, z).
    let above_line = |lift: f64| {
        let sk = Lying {
            hip_lift_m: lift,
            ..Lying::default()
        }
        .skeleton(shape);
        let mid = |a: usize, b: usize| sk[a].add(sk[b]).scale(0.5);
        use backform::pose::index::*;
        let (s, h, k) = (
            mid(LEFT_SHOULDER, RIGHT_SHOULDER),
            mid(LEFT_HIP, RIGHT_HIP),
            mid(LEFT_KNEE, RIGHT_KNEE),
        );
        // Line height at the hip's x.
        let u = (h.x - s.x) / (k.x - s.x);
        h.z - (s.z + u * (k.z - s.z))
    };
    let (mut lo, mut hi) = (0.0, 0.6);
    for _ in 0..50 {
        let mid = 0.5 * (lo + hi);
        if above_line(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

pub fn bridge(variant: BridgeVariant) -> Scenario {
    bridge_on(variant, Shape::adult(1.0))
}

/// Bridges by a body of `shape`: lifts to the line (good), 40% of the way (too low)
/// or 60% past it (arching), held 3.5 s (1.2 s for a short hold), moving in 1.1 s
/// (0.3 s when too fast).
pub fn bridge_on(variant: BridgeVariant, shape: Shape) -> Scenario {
    let in_line = bridge_in_line_lift_m(&shape);
    let (out, hold, share) = match variant {
        BridgeVariant::Good => (1.1, 3.5, 1.0),
        BridgeVariant::TooLow => (1.1, 3.5, 0.4),
        BridgeVariant::Arching => (1.1, 3.5, 1.6),
        BridgeVariant::TooFast => (0.3, 3.5, 1.0),
        BridgeVariant::HoldTooShort => (1.1, 1.2, 1.0),
    };
    let lifts = train(4, 2.5, out, hold, out, 1.8, |_| share * in_line);
    let duration = lifts.last().map_or(10.0, |m| m.end_s() + 2.0);
    let mut t = truth("bridge", duration);
    t.reps = reps_of(&lifts, |_| None, true);
    for m in &lifts {
        let fault = |code, start_s, end_s| TruthFault {
            code,
            start_s,
            end_s,
        };
        match variant {
            BridgeVariant::Good => {}
            BridgeVariant::TooLow => t.faults.push(fault(
                FaultCode::HipsTooLow,
                m.hold_start_s(),
                m.hold_end_s(),
            )),
            BridgeVariant::Arching => t.faults.push(fault(
                FaultCode::BackArching,
                m.crossing_s(m.amplitude / share).unwrap_or(m.start_s),
                m.uncrossing_s(m.amplitude / share).unwrap_or(m.end_s()),
            )),
            BridgeVariant::TooFast => {
                t.faults
                    .push(fault(FaultCode::TooFast, m.start_s, m.end_s()))
            }
            BridgeVariant::HoldTooShort => t.faults.push(fault(
                FaultCode::HoldTooShort,
                m.hold_start_s(),
                m.hold_end_s(),
            )),
        }
    }
    Scenario {
        name: format!("bridge/{variant:?}"),
        truth: t,
        shape,
        pose: Box::new(move |time| {
            Lying {
                hip_lift_m: sum(&lifts, time),
                ..Lying::default()
            }
            .skeleton(&shape)
        }),
    }
}

// ---------------------------------------------------------------- seated twist

/// Seated twist variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TwistVariant {
    Good,
    /// The whole body turns on the seat: the pelvis goes 30° of the 35°.
    PelvisTurns,
    /// The shoulders shift 0.22 torso lengths toward the turn.
    LeanSideways,
    TooFast,
    HoldTooShort,
}

pub fn seated_twist(variant: TwistVariant) -> Scenario {
    seated_twist_on(variant, Shape::adult(1.0))
}

/// Six twists, left first, alternating: 35° in 1.4 s (0.3 s when too fast), held 2 s
/// (not at all when short: a 0.57 s plateau), back, 0.8 s between.
pub fn seated_twist_on(variant: TwistVariant, shape: Shape) -> Scenario {
    let (out, hold) = match variant {
        TwistVariant::TooFast => (0.3, 2.0),
        TwistVariant::HoldTooShort => (1.4, 0.0),
        _ => (1.4, 2.0),
    };
    let sign = |k: usize| if k.is_multiple_of(2) { 1.0 } else { -1.0 };
    let pelvis_share = if variant == TwistVariant::PelvisTurns {
        30.0 / 35.0
    } else {
        0.0
    };
    let twists = train(6, 2.0, out, hold, out, 0.8, |k| sign(k) * 35.0);
    let pelvis = train(6, 2.0, out, hold, out, 0.8, |k| {
        sign(k) * 35.0 * pelvis_share
    });
    let lean_m = if variant == TwistVariant::LeanSideways {
        0.22 * shape.torso
    } else {
        0.0
    };
    let leans = train(6, 2.0, out, hold, out, 0.8, |k| sign(k) * lean_m);
    let duration = twists.last().map_or(10.0, |m| m.end_s() + 2.0);
    let mut t = truth("seated-twist", duration);
    t.reps = reps_of(
        &twists,
        |k| {
            Some(if k.is_multiple_of(2) {
                Side::Left
            } else {
                Side::Right
            })
        },
        true,
    );
    for &m in &twists {
        let span = |share: f64| {
            let level = share * m.amplitude;
            m.crossing_s(level)
                .zip(m.uncrossing_s(level))
                .unwrap_or((m.start_s, m.end_s()))
        };
        let fault = |code, (start_s, end_s): (f64, f64)| TruthFault {
            code,
            start_s,
            end_s,
        };
        match variant {
            TwistVariant::Good => {}
            // The hips past 15° of turn (the spec's floor) at half the movement.
            TwistVariant::PelvisTurns => t.faults.push(fault(FaultCode::PelvisTurns, span(0.5))),
            // Past the spec's 0.12 torso lengths at 0.12 / 0.22 of the movement.
            TwistVariant::LeanSideways => t
                .faults
                .push(fault(FaultCode::LeanSideways, span(0.12 / 0.22))),
            TwistVariant::TooFast => t
                .faults
                .push(fault(FaultCode::TooFast, (m.start_s, m.end_s()))),
            TwistVariant::HoldTooShort => t.faults.push(fault(
                FaultCode::HoldTooShort,
                (m.hold_start_s(), m.hold_end_s()),
            )),
        }
    }
    Scenario {
        name: format!("seated-twist/{variant:?}"),
        truth: t,
        shape,
        pose: Box::new(move |time| {
            let total = sum(&twists, time);
            let pelvis = sum(&pelvis, time);
            Seated {
                twist_deg: total - pelvis,
                pelvis_turn_deg: pelvis,
                lean_m: sum(&leans, time),
                ..Seated::default()
            }
            .skeleton(&shape)
        }),
    }
}
