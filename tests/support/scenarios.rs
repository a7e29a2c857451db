//! Exercise performances for the synthetic body, with their ground truth.
//!
//! Each scenario drives the body's joint parameters over time (smooth ramps out, holds,
//! ramps back, rests), knows exactly when each rep, hold and fault happened, and renders
//! to `(t, Option<Pose>)` frames through a camera placement and the noise model.

use backform::exercises::{FaultCode, Side};
use backform::pose::Pose;

use super::body::{
    Arms, Camera, Lying, Noise, NoiseSpec, Seated, Shape, Skeleton, Standing, V3, project, v3,
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
    /// Beside a standing person, seeing their left side: at hip height (0.949 m), 3.2 m
    /// from [`STANDING_TARGET`] and looking 2.7° up at it, so a 1.9 m body fits the
    /// 640×480 frame with margin, an arm raised overhead included.
    SideStanding,
    /// In front of a standing person at chest height (1.219 m), 3.4 m from
    /// [`STANDING_TARGET`], looking 2° down at it.
    FrontStanding,
    /// In front of a standing person, 20° off to one side and looking 10° down, 3.6 m away.
    FrontStandingOffAxis,
    /// In front of a standing person, square on, looking 15° down, 3.6 m away.
    FrontStandingHigh,
    /// Beside a standing person, 3.4 m away and looking 15° down (a shelf or a tripod).
    SideStandingHigh,
}

/// What the standing placements look at (the picture's centre): halfway up a standing
/// person with an arm raised overhead (floor to fingertips ~2.2 m for a 1.86 m adult).
/// Aimed at the body's own mid-height (0.9 m), the raised fingertips of the tallest test
/// body leave the top of the side view.
pub const STANDING_TARGET: V3 = v3(0.0, 0.0, 1.1);

impl Placement {
    pub fn camera(self) -> Camera {
        match self {
            Placement::SideFloor => Camera::orbit(v3(-0.15, 0.0, 0.2), 2.6, 0.0, 7.0),
            Placement::SideAbove => Camera::orbit(v3(-0.15, 0.0, 0.15), 2.7, 0.0, 30.0),
            Placement::SideFloorRight => Camera::orbit(v3(-0.15, 0.0, 0.2), 2.6, 180.0, 7.0),
            Placement::FeetEnd => Camera::new(v3(-2.7, 0.0, 1.0), v3(0.0, 0.0, 0.15)),
            Placement::FrontChest => Camera::orbit(v3(0.0, -0.2, 0.75), 2.5, 0.0, 5.0),
            Placement::FrontAboveOffAxis => Camera::orbit(v3(0.0, -0.2, 0.75), 2.6, 20.0, 15.0),
            // Azimuth −90: from +X, the standing body's left (it faces −Y).
            Placement::SideStanding => Camera::orbit(STANDING_TARGET, 3.2, -90.0, -2.7),
            Placement::FrontStanding => Camera::orbit(STANDING_TARGET, 3.4, 0.0, 2.0),
            Placement::FrontStandingOffAxis => Camera::orbit(STANDING_TARGET, 3.6, 20.0, 10.0),
            Placement::FrontStandingHigh => Camera::orbit(STANDING_TARGET, 3.6, 0.0, 15.0),
            Placement::SideStandingHigh => Camera::orbit(STANDING_TARGET, 3.4, -90.0, 15.0),
        }
    }
}

impl Scenario {
    /// The body's landmarks in world metres at `t_s`.
    pub fn pose_at(&self, t_s: f64) -> Skeleton {
        (self.pose)(t_s)
    }

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
    pelvic_tilt_faint_moves_held(gain, 1.5)
}

/// [`pelvic_tilt_faint_moves`] held `hold_s` each.
pub fn pelvic_tilt_faint_moves_held(gain: f64, hold_s: f64) -> Vec<Move> {
    train(2, 4.0, 0.9, hold_s, 0.9, 1.3, |_| 13.0 * gain)
}

/// The real person's case (issue "Coach any body"): two tilts with 1.5 s holds and a
/// 1.3 s rest, at `gain` of the synthetic body's 13° (0.2: a fifth of its landmark
/// signal), after a still lead-in long enough to see the rest.
pub fn pelvic_tilt_faint(gain: f64) -> Scenario {
    pelvic_tilt_faint_held(gain, 1.5)
}

/// [`pelvic_tilt_faint`] with the tilts held `hold_s` each.
pub fn pelvic_tilt_faint_held(gain: f64, hold_s: f64) -> Scenario {
    let tilts = pelvic_tilt_faint_moves_held(gain, hold_s);
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

/// A person lying still whose trunk line moves off by a whole tilt at 2 s, stays there
/// for `away_s`, and comes most of the way back: MediaPipe's trunk line from a raised
/// camera did this on rendered body M (no tilt is done; truth: no reps).
pub fn pelvic_tilt_level_moves(away_s: f64) -> Scenario {
    let level = train(1, 2.0, 1.0, away_s, 1.0, 0.0, |_| 13.0);
    let duration = 2.0 + away_s + 2.0 + 3.0;
    let shape = Shape::adult(1.0);
    Scenario {
        name: format!("pelvic-tilt/trunk level away {away_s} s"),
        truth: truth("pelvic-tilt", duration),
        shape,
        pose: Box::new(move |time| {
            Lying {
                tilt_deg: sum(&level, time),
                ..Lying::default()
            }
            .skeleton(&shape)
        }),
    }
}

/// Three good tilts held 6 s whose trunk line gets only half way with the movement out,
/// waits there 1.5 s and creeps the rest of the way over 2 s: how the trunk line wanders
/// into a hold on a webcam-like copy of a rendered clip (docs/webcam-noise.md). The
/// outline, attached by the test from [`pelvic_tilt_wandering_moves`], follows the real
/// tilts.
pub fn pelvic_tilt_wandering_hold() -> Scenario {
    pelvic_tilt_wandering_hold_by(1.5, 2.0)
}

/// [`pelvic_tilt_wandering_hold`] with the trunk line waiting `wait_s` half way and
/// creeping the rest over `creep_s`.
pub fn pelvic_tilt_wandering_hold_by(wait_s: f64, creep_s: f64) -> Scenario {
    let tilts = pelvic_tilt_wandering_moves();
    let duration = tilts.last().map_or(10.0, |m| m.end_s() + 3.0);
    let mut t = truth("pelvic-tilt", duration);
    t.reps = reps_of(&tilts, |_| None, true);
    // Same period as the tilts (10.8 s): with the movement out, wait, creep back to 0.
    let first = tilts.first().map_or(0.0, |m| m.start_s);
    let rest_s = 10.8 - 0.9 - wait_s - creep_s;
    let sag = train(3, first, 0.9, wait_s, creep_s, rest_s, |_| -6.5);
    let shape = Shape::adult(1.0);
    Scenario {
        name: format!("pelvic-tilt/trunk creeps into the hold after {wait_s} s"),
        truth: t,
        shape,
        pose: Box::new(move |time| {
            Lying {
                tilt_deg: sum(&tilts, time) + sum(&sag, time),
                ..Lying::default()
            }
            .skeleton(&shape)
        }),
    }
}

/// The real tilts of [`pelvic_tilt_wandering_hold`].
pub fn pelvic_tilt_wandering_moves() -> Vec<Move> {
    train(3, 2.0, 0.9, 6.0, 0.9, 3.0, |_| 13.0)
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
    /// Good form in 6° rocks, but the first (to the left) is 2.2°, easing in: under the
    /// start threshold on the bodies whose landmarks do not overstate it.
    SmallFirstRock,
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
        let size = if variant == RockVariant::SmallFirstRock {
            6.0
        } else {
            9.0
        };
        if k == 0 && variant == RockVariant::SmallFirstRock {
            2.2
        } else if k % 2 == 0 {
            size
        } else {
            -size
        }
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
    /// As `Good`, but the hips read 2.5 cm lower for 0.9 s as the first leg sets off,
    /// before it reads as sliding (BlazePose under a live camera's noise, body I: the
    /// moving ankle shifts the shoulder–ankle line the height is read from).
    HipsDipAsALegSetsOff,
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
    let dip = Move {
        start_s: left.start_s - 0.7,
        out_s: 0.2,
        hold_s: 0.5,
        back_s: 0.2,
        amplitude: 1.0,
    };
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
            } else if variant == TractionVariant::HipsDipAsALegSetsOff {
                on_block_z - 0.025 * dip.value(time)
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

// ---------------------------------------------------------------- shared truth helpers

/// The spans (s) in `[0, duration_s]` where `pred` holds, sampled every 10 ms: a fault's
/// truth from the body's own geometry against the spec's threshold.
pub fn spans_where(duration_s: f64, pred: impl Fn(f64) -> bool) -> Vec<(f64, f64)> {
    let mut spans = Vec::new();
    let mut open: Option<f64> = None;
    let n = (duration_s * 100.0).round() as usize;
    for i in 0..=n {
        let t = i as f64 / 100.0;
        match (pred(t), open) {
            (true, None) => open = Some(t),
            (false, Some(a)) => {
                spans.push((a, t));
                open = None;
            }
            _ => {}
        }
    }
    if let Some(a) = open {
        spans.push((a, duration_s));
    }
    spans
}

fn faults_where(code: FaultCode, duration_s: f64, pred: impl Fn(f64) -> bool) -> Vec<TruthFault> {
    spans_where(duration_s, pred)
        .into_iter()
        .map(|(start_s, end_s)| TruthFault {
            code,
            start_s,
            end_s,
        })
        .collect()
}

/// The angle at `b` between `a` and `c`, degrees.
fn angle_deg(a: V3, b: V3, c: V3) -> f64 {
    let (u, v) = (a.sub(b), c.sub(b));
    (u.dot(v) / (u.norm() * v.norm()).max(1e-12))
        .clamp(-1.0, 1.0)
        .acos()
        .to_degrees()
}

/// The left knee's bend (180° − hip–knee–ankle), degrees.
fn knee_bend_deg(sk: &Skeleton) -> f64 {
    use backform::pose::index::*;
    180.0 - angle_deg(sk[LEFT_HIP], sk[LEFT_KNEE], sk[LEFT_ANKLE])
}

fn alternating(k: usize) -> Side {
    if k.is_multiple_of(2) {
        Side::Left
    } else {
        Side::Right
    }
}

fn sign_of(side: Side) -> f64 {
    if side == Side::Left { 1.0 } else { -1.0 }
}

// ---------------------------------------------------------------- mini squat

/// Mini squat variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SquatVariant {
    Good,
    /// The hips dropped a quarter of the leg's length: the knees bend ~95°.
    TooDeep,
    /// The trunk pitched 45° forward at the bottom.
    TrunkLeansForward,
    /// Both heels lifted 8 cm at the bottom.
    HeelsLift,
    /// Both knees 8 cm toward the midline at the bottom (seen from the front only).
    KneesCaveIn,
    TooFast,
    /// Good squats one after another, no pause standing between them.
    NoPause,
}

pub fn mini_squat(variant: SquatVariant) -> Scenario {
    mini_squat_on(variant, Shape::adult(1.0))
}

/// Five mini squats: the hips drop a tenth of the leg's length (and go back 0.6 × as
/// far), the trunk leans 8°, in 1.4 s (0.3 s when too fast), a 0.4 s pause, back, 1 s
/// apart. Each fault's truth is the body's own geometry past the spec's threshold.
pub fn mini_squat_on(variant: SquatVariant, shape: Shape) -> Scenario {
    let leg = shape.thigh + shape.shank;
    let out = if variant == SquatVariant::TooFast {
        0.3
    } else {
        1.4
    };
    let depth = if variant == SquatVariant::TooDeep {
        0.25
    } else {
        0.10
    };
    let rest_s = if variant == SquatVariant::NoPause {
        0.0
    } else {
        1.0
    };
    let squats = train(5, 2.5, out, 0.4, out, rest_s, |_| 1.0);
    let lean_deg = if variant == SquatVariant::TrunkLeansForward {
        45.0
    } else {
        8.0
    };
    let heel_m = if variant == SquatVariant::HeelsLift {
        0.08
    } else {
        0.0
    };
    let knees_in_m = if variant == SquatVariant::KneesCaveIn {
        0.08
    } else {
        0.0
    };
    let moves = squats.clone();
    let pose = move |time: f64| {
        let a = sum(&moves, time);
        Standing {
            hip_drop_m: a * depth * leg,
            hips_back_m: 0.6 * a * depth * leg,
            trunk_lean_deg: a * lean_deg,
            heel_lift_m: a * heel_m,
            knees_in_m: a * knees_in_m,
            ..Standing::default()
        }
    };
    let duration = squats.last().map_or(10.0, |m| m.end_s() + 2.0);
    let mut t = truth("mini-squat", duration);
    t.reps = reps_of(&squats, |_| None, false);
    t.faults = match variant {
        SquatVariant::Good | SquatVariant::NoPause => Vec::new(),
        // The spec's 75° of bend, absolute.
        SquatVariant::TooDeep => faults_where(FaultCode::TooDeep, duration, |time| {
            knee_bend_deg(&pose(time).skeleton(&shape)) > 75.0
        }),
        // 30° forward of standing.
        SquatVariant::TrunkLeansForward => {
            faults_where(FaultCode::TrunkLeansForward, duration, |time| {
                pose(time).trunk_lean_deg > 30.0
            })
        }
        // The heel-to-toe line (0.20 m) turned up 15°.
        SquatVariant::HeelsLift => faults_where(FaultCode::HeelsLift, duration, |time| {
            (pose(time).heel_lift_m / 0.20).atan().to_degrees() > 15.0
        }),
        // 0.10 torso lengths toward the midline.
        SquatVariant::KneesCaveIn => faults_where(FaultCode::KneesCaveIn, duration, |time| {
            pose(time).knees_in_m > 0.10 * shape.torso
        }),
        SquatVariant::TooFast => squats
            .iter()
            .map(|m| TruthFault {
                code: FaultCode::TooFast,
                start_s: m.start_s,
                end_s: m.end_s(),
            })
            .collect(),
    };
    Scenario {
        name: format!("mini-squat/{variant:?}"),
        truth: t,
        shape,
        pose: Box::new(move |time| pose(time).skeleton(&shape)),
    }
}

// ---------------------------------------------------------------- standing side bend

/// Standing side bend variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SideBendVariant {
    Good,
    /// The trunk pitched 30° forward as it bends.
    NotSideways,
    /// The hips pushed 0.25 torso lengths sideways while the trunk bends 10°.
    HipsShift,
    /// The reaching arm raised only 70° (not overhead).
    ArmNotReaching,
    TooFast,
    HoldTooShort,
}

pub fn side_bend(variant: SideBendVariant) -> Scenario {
    side_bend_on(variant, Shape::adult(1.0))
}

/// Six side bends, left first, alternating: 22° in 1.6 s (0.3 s when too fast), the
/// opposite arm reaching to 160°, held 2 s (not at all when short), back, 0.8 s between.
pub fn side_bend_on(variant: SideBendVariant, shape: Shape) -> Scenario {
    use SideBendVariant as V;
    let (out, hold) = match variant {
        V::TooFast => (0.3, 2.0),
        V::HoldTooShort => (1.6, 0.0),
        _ => (1.6, 2.0),
    };
    let bend_deg = if variant == V::HipsShift { 10.0 } else { 22.0 };
    let bends = train(6, 2.0, out, hold, out, 0.8, |k| sign_of(alternating(k)));
    let lean = if variant == V::NotSideways { 30.0 } else { 0.0 };
    let shift = if variant == V::HipsShift {
        0.25 * shape.torso
    } else {
        0.0
    };
    let reach_deg = if variant == V::ArmNotReaching {
        70.0
    } else {
        160.0
    };
    let moves = bends.clone();
    let pose = move |time: f64| {
        let a = sum(&moves, time);
        // Bending to the left, the right arm reaches over.
        let arm = if a >= 0.0 { Side::Right } else { Side::Left };
        Standing {
            side_bend_deg: a * bend_deg,
            trunk_lean_deg: a.abs() * lean,
            hip_shift_m: a * shift,
            reach: Some((arm, a.abs() * reach_deg)),
            ..Standing::default()
        }
    };
    let duration = bends.last().map_or(10.0, |m| m.end_s() + 2.0);
    let mut t = truth("standing-side-bend", duration);
    t.reps = reps_of(&bends, |k| Some(alternating(k)), true);
    let fault = |code, start_s, end_s| TruthFault {
        code,
        start_s,
        end_s,
    };
    t.faults = match variant {
        V::Good => Vec::new(),
        // The torso a tenth shorter in the picture: cos(lean) < 0.9.
        V::NotSideways => faults_where(FaultCode::NotSideways, duration, |time| {
            pose(time).trunk_lean_deg.to_radians().cos() < 0.9
        }),
        // 0.15 torso lengths.
        V::HipsShift => faults_where(FaultCode::HipsShift, duration, |time| {
            pose(time).hip_shift_m.abs() > 0.15 * shape.torso
        }),
        V::ArmNotReaching => bends
            .iter()
            .map(|m| fault(FaultCode::ArmNotReaching, m.hold_start_s(), m.hold_end_s()))
            .collect(),
        V::TooFast => bends
            .iter()
            .map(|m| fault(FaultCode::TooFast, m.start_s, m.end_s()))
            .collect(),
        V::HoldTooShort => bends
            .iter()
            .map(|m| fault(FaultCode::HoldTooShort, m.hold_start_s(), m.hold_end_s()))
            .collect(),
    };
    Scenario {
        name: format!("standing-side-bend/{variant:?}"),
        truth: t,
        shape,
        pose: Box::new(move |time| pose(time).skeleton(&shape)),
    }
}

// ---------------------------------------------------------------- standing child's pose

/// Standing child's pose variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChildsPoseVariant {
    Good,
    /// The knees straight: the hips go back without the knees bending.
    KneesLocked,
    /// The hips stay over the feet; the trunk folds down instead.
    HipsNotBack,
    /// The upper back rounds 60° with the head dropping.
    BackRounding,
    TooFast,
    /// Held 3 s of the prescribed 10.
    HoldTooShort,
}

/// The shoulder-to-ear line's turn off the hips-to-shoulders line toward the chest (about
/// +X: from up toward −Y, where a standing body faces), degrees, in the side view's
/// plane.
fn head_curl_deg(sk: &Skeleton) -> f64 {
    use backform::pose::index::*;
    let mid = |a: usize, b: usize| {
        let m = sk[a].add(sk[b]).scale(0.5);
        v3(0.0, m.y, m.z)
    };
    let shoulders = mid(LEFT_SHOULDER, RIGHT_SHOULDER);
    let trunk = shoulders.sub(mid(LEFT_HIP, RIGHT_HIP));
    let head = mid(LEFT_EAR, RIGHT_EAR).sub(shoulders);
    trunk.cross(head).x.atan2(trunk.dot(head)).to_degrees()
}

pub fn childs_pose(variant: ChildsPoseVariant) -> Scenario {
    childs_pose_on(variant, Shape::adult(1.0))
}

/// Three folds to a table in front: the trunk to 80°, the hips back 0.3 of the leg's
/// length and down 0.12 of it (the knees softly bent, ~40°), in 2 s (0.3 s when too
/// fast), held 11 s (3 s when short), back up, 2 s apart.
pub fn childs_pose_on(variant: ChildsPoseVariant, shape: Shape) -> Scenario {
    use ChildsPoseVariant as V;
    let leg = shape.thigh + shape.shank;
    let (out, hold) = match variant {
        V::TooFast => (0.3, 11.0),
        V::HoldTooShort => (2.0, 3.0),
        _ => (2.0, 11.0),
    };
    let folds = train(3, 2.5, out, hold, out, 2.0, |_| 1.0);
    let back_m = if variant == V::HipsNotBack {
        0.0
    } else {
        0.3 * leg
    };
    let drop_m = if variant == V::KneesLocked {
        0.0
    } else {
        0.12 * leg
    };
    let round = if variant == V::BackRounding {
        60.0
    } else {
        0.0
    };
    let support = v3(0.0, -(0.45 * leg + shape.torso), 0.5 * leg + 0.1);
    let moves = folds.clone();
    let pose = move |time: f64| {
        let a = sum(&moves, time);
        Standing {
            trunk_lean_deg: 80.0 * a,
            hips_back_m: back_m * a,
            hip_drop_m: drop_m * a,
            back_round_deg: round * a,
            hands_on: Some(support),
            ..Standing::default()
        }
    };
    let duration = folds.last().map_or(10.0, |m| m.end_s() + 2.0);
    let mut t = truth("standing-childs-pose", duration);
    t.reps = reps_of(&folds, |_| None, true);
    let fault = |code, start_s, end_s| TruthFault {
        code,
        start_s,
        end_s,
    };
    let held = |code| -> Vec<TruthFault> {
        folds
            .iter()
            .map(|m| fault(code, m.hold_start_s(), m.hold_end_s()))
            .collect()
    };
    t.faults = match variant {
        V::Good => Vec::new(),
        V::KneesLocked => held(FaultCode::KneesLocked),
        V::HipsNotBack => held(FaultCode::HipsNotBack),
        // The shoulder-to-ear line turned 35° toward the chest off the trunk line, past
        // standing, as the side view sees it (the rounding and the head's nod together).
        V::BackRounding => {
            let rest_curl = head_curl_deg(&pose(0.0).skeleton(&shape));
            faults_where(FaultCode::BackRounding, duration, |time| {
                head_curl_deg(&pose(time).skeleton(&shape)) - rest_curl > 35.0
            })
        }
        V::TooFast => folds
            .iter()
            .map(|m| fault(FaultCode::TooFast, m.start_s, m.end_s()))
            .collect(),
        V::HoldTooShort => held(FaultCode::HoldTooShort),
    };
    Scenario {
        name: format!("standing-childs-pose/{variant:?}"),
        truth: t,
        shape,
        pose: Box::new(move |time| pose(time).skeleton(&shape)),
    }
}

// ---------------------------------------------------------------- back rotation stretch

/// Back rotation stretch variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StretchVariant {
    Good,
    /// The thorax rolls 20° with the drops to the right — away from the side placements'
    /// camera, where the lifting arm faces it (toward the camera a wide drop rolls the
    /// whole body at it, and the far arm cannot be judged: controlled_rotation.rs).
    ShouldersLift,
    TooFast,
    /// Held 2 s of the prescribed 5.
    HoldTooShort,
}

pub fn back_rotation_stretch(variant: StretchVariant) -> Scenario {
    back_rotation_stretch_on(variant, Shape::adult(1.0))
}

/// Six stretches, left first, alternating: both knees lowered 55° in 2 s (0.3 s when too
/// fast), held 6 s (2 s when short), back, 1.5 s between; arms out.
pub fn back_rotation_stretch_on(variant: StretchVariant, shape: Shape) -> Scenario {
    use StretchVariant as V;
    let (out, hold) = match variant {
        V::TooFast => (0.3, 6.0),
        V::HoldTooShort => (2.0, 2.0),
        _ => (2.0, 6.0),
    };
    let drops = train(6, 2.0, out, hold, out, 1.5, |k| {
        sign_of(alternating(k)) * 55.0
    });
    let thorax = train(6, 2.0, out, hold, out, 1.5, |k| {
        if variant == V::ShouldersLift && alternating(k) == Side::Right {
            -20.0
        } else {
            0.0
        }
    });
    let duration = drops.last().map_or(10.0, |m| m.end_s() + 2.0);
    let mut t = truth("back-rotation-stretch", duration);
    t.reps = reps_of(&drops, |k| Some(alternating(k)), true);
    for (k, m) in drops.iter().enumerate() {
        let fault = |code, start_s, end_s| TruthFault {
            code,
            start_s,
            end_s,
        };
        match variant {
            V::Good => {}
            V::ShouldersLift => {
                let th = thorax[k];
                if let (Some(a), Some(b)) = (th.crossing_s(-5.0), th.uncrossing_s(-5.0)) {
                    t.faults.push(fault(FaultCode::ShouldersLift, a, b));
                }
            }
            V::TooFast => t
                .faults
                .push(fault(FaultCode::TooFast, m.start_s, m.end_s())),
            V::HoldTooShort => t.faults.push(fault(
                FaultCode::HoldTooShort,
                m.hold_start_s(),
                m.hold_end_s(),
            )),
        }
    }
    Scenario {
        name: format!("back-rotation-stretch/{variant:?}"),
        truth: t,
        shape,
        pose: Box::new(move |time| {
            Lying {
                knee_drop_deg: sum(&drops, time),
                thorax_roll_deg: sum(&thorax, time),
                arms: Arms::OutToSides,
                ..Lying::default()
            }
            .skeleton(&shape)
        }),
    }
}

// ---------------------------------------------------------------- lying twist

/// Lying twist variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LyingTwistVariant {
    Good,
    /// The thorax rolls 20° toward the knee: the opposite shoulder lifts.
    ShouldersLift,
    /// The straight leg bends as the other knee crosses (its extension to 0.3).
    StraightLegBends,
    TooFast,
    /// Held 2 s of the prescribed 5.
    HoldTooShort,
}

pub fn lying_twist(variant: LyingTwistVariant) -> Scenario {
    lying_twist_on(variant, Shape::adult(1.0))
}

/// Six twists, alternating: from lying with both legs straight, one knee bends and
/// crosses 60° over the other leg toward the floor on the far side — the right knee to
/// the left first — in 2 s (0.3 s when too fast), held 6 s (2 s when short), back and
/// straight, 1.5 s between; arms out.
pub fn lying_twist_on(variant: LyingTwistVariant, shape: Shape) -> Scenario {
    use LyingTwistVariant as V;
    let (out, hold) = match variant {
        V::TooFast => (0.3, 6.0),
        V::HoldTooShort => (2.0, 2.0),
        _ => (2.0, 6.0),
    };
    let twists = train(6, 2.0, out, hold, out, 1.5, |k| sign_of(alternating(k)));
    // The opposite shoulder lifts on the twists to the right, away from a camera on the
    // body's left (the placements' side): toward the camera it is the far one, and not
    // judged (lying-twist.toml).
    let thorax_deg = if variant == V::ShouldersLift {
        20.0
    } else {
        0.0
    };
    let other_bend = if variant == V::StraightLegBends {
        0.7
    } else {
        0.0
    };
    let moves = twists.clone();
    let pose = move |time: f64| {
        let a = sum(&moves, time);
        // To the left (a > 0) the right leg (index 1) crosses; the left stays straight.
        let (crossing, other) = if a >= 0.0 { (1, 0) } else { (0, 1) };
        let mut extension = [1.0; 2];
        extension[crossing] = 1.0 - a.abs();
        extension[other] = 1.0 - other_bend * a.abs();
        let mut leg_drop = [0.0; 2];
        leg_drop[crossing] = 60.0 * a;
        Lying {
            leg_extension: extension,
            leg_drop_deg: leg_drop,
            thorax_roll_deg: thorax_deg * a.min(0.0),
            arms: Arms::OutToSides,
            ..Lying::default()
        }
    };
    let duration = twists.last().map_or(10.0, |m| m.end_s() + 2.0);
    let mut t = truth("lying-twist", duration);
    t.reps = reps_of(&twists, |k| Some(alternating(k)), true);
    let fault = |code, start_s, end_s| TruthFault {
        code,
        start_s,
        end_s,
    };
    let rest = pose(0.0).skeleton(&shape);
    let straight_bend = |sk: &Skeleton| {
        use backform::pose::index::*;
        let bend = |h: usize, k: usize, a: usize| 180.0 - angle_deg(sk[h], sk[k], sk[a]);
        bend(LEFT_HIP, LEFT_KNEE, LEFT_ANKLE).min(bend(RIGHT_HIP, RIGHT_KNEE, RIGHT_ANKLE))
    };
    let rest_straight = straight_bend(&rest);
    t.faults = match variant {
        V::Good => Vec::new(),
        V::ShouldersLift => twists
            .iter()
            .filter(|m| m.amplitude < 0.0)
            .filter_map(|m| {
                let level = 5.0 / thorax_deg * m.amplitude;
                Some(fault(
                    FaultCode::ShouldersLift,
                    m.crossing_s(level)?,
                    m.uncrossing_s(level)?,
                ))
            })
            .collect(),
        // The straighter leg bent 30° past rest.
        V::StraightLegBends => faults_where(FaultCode::StraightLegBends, duration, |time| {
            straight_bend(&pose(time).skeleton(&shape)) - rest_straight > 30.0
        }),
        V::TooFast => twists
            .iter()
            .map(|m| fault(FaultCode::TooFast, m.start_s, m.end_s()))
            .collect(),
        V::HoldTooShort => twists
            .iter()
            .map(|m| fault(FaultCode::HoldTooShort, m.hold_start_s(), m.hold_end_s()))
            .collect(),
    };
    Scenario {
        name: format!("lying-twist/{variant:?}"),
        truth: t,
        shape,
        pose: Box::new(move |time| pose(time).skeleton(&shape)),
    }
}
