//! The arms laid out on the floor for support, lying on the back: each wrist's lift off
//! the floor against its own shoulder, read from the side (the rotation exercises'
//! `shoulders-lift`: the upper body rolling with the knees lifts the arm on the side
//! away from them).
//!
//! In flow calibrated resting frames, then one [`BodyFrame`] at a time; out flows each
//! arm's smoothed lift from rest and whether it is over its threshold. The arm facing the
//! camera is seen whole; the far one, behind the body, shows about half its lift, so each
//! has its own threshold, and neither below its own resting spread. A lift counts once
//! it has lasted: the far wrist, guessed behind the body, spikes past its threshold for
//! a moment as a good drop turns or returns (docs/rotation-shoulders.md), while an upper
//! body rolling with the knees holds the arm up through the drop.

use super::{Side, rest_median};
use crate::kinematics::BodyFrame;
use crate::kinematics::geometry::spread_about_median;
use crate::pose::index;

/// The reading is smoothed over this long: one frame's wrist jitter is no lift.
const SMOOTHING_S: f64 = 0.2;
/// An arm's threshold never falls below this many times its resting spread.
const NOISE_FACTOR: f64 = 4.0;
/// A lift counts once it has stayed over its threshold this long. Faulted drops of the
/// rendered bodies hold the arm up for 1.5–3 s; the far wrist of good drops from 30°
/// above spikes over it for under half a second.
const SUSTAIN_S: f64 = 0.5;

/// The landmarks it reads.
pub const ARMS: [usize; 4] = [
    index::LEFT_SHOULDER,
    index::RIGHT_SHOULDER,
    index::LEFT_WRIST,
    index::RIGHT_WRIST,
];

/// Per arm [left, right]: the wrist's height above its own shoulder, off the floor,
/// torso lengths.
fn heights(f: &BodyFrame) -> [f64; 2] {
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

/// Thresholds, torso lengths, for the arm facing the camera and the far one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArmThresholds {
    pub near_torso: f64,
    pub far_torso: f64,
}

/// Each arm's lift from its resting height.
#[derive(Clone, Debug, Default)]
pub struct ArmLift {
    rest: [f64; 2],
    noise: [f64; 2],
    /// The smoothed lift and when it was last updated.
    smoothed: Option<(f64, [f64; 2])>,
    /// Per arm, since when its lift has been over its threshold.
    over_since: [Option<f64>; 2],
}

impl ArmLift {
    /// Resting heights and their spread.
    pub fn calibrate(rest: &[(f64, BodyFrame)]) -> Self {
        let spread = |k: usize| {
            spread_about_median(&rest.iter().map(|(_, b)| heights(b)[k]).collect::<Vec<_>>())
        };
        Self {
            rest: [
                rest_median(rest, |b| heights(b)[0]),
                rest_median(rest, |b| heights(b)[1]),
            ],
            noise: [spread(0), spread(1)],
            smoothed: None,
            over_since: [None; 2],
        }
    }

    /// Reads this frame (`near`: the side facing the camera, whose arm has the near
    /// threshold); returns each arm's smoothed lift [left, right].
    pub fn update(
        &mut self,
        t_s: f64,
        f: &BodyFrame,
        near: Option<Side>,
        t: ArmThresholds,
    ) -> [f64; 2] {
        let now = heights(f);
        let raw = [now[0] - self.rest[0], now[1] - self.rest[1]];
        let lift = match self.smoothed {
            Some((last_t, last)) => {
                let a = 1.0 - (-(t_s - last_t).max(0.0) / SMOOTHING_S).exp();
                [
                    last[0] + a * (raw[0] - last[0]),
                    last[1] + a * (raw[1] - last[1]),
                ]
            }
            None => raw,
        };
        self.smoothed = Some((t_s, lift));
        for (k, side) in [Side::Left, Side::Right].into_iter().enumerate() {
            let over = lift[k] > self.threshold(k, side, near, t);
            if let Some(since) = self.over_since.get_mut(k) {
                *since = if over {
                    Some(since.unwrap_or(t_s))
                } else {
                    None
                };
            }
        }
        lift
    }

    /// `side`'s arm's threshold: the near arm's or the far arm's, by where the camera is,
    /// and never under its resting spread.
    fn threshold(&self, k: usize, side: Side, near: Option<Side>, t: ArmThresholds) -> f64 {
        let base = if near == Some(side) {
            t.near_torso
        } else {
            t.far_torso
        };
        base.max(NOISE_FACTOR * self.noise.get(k).copied().unwrap_or(0.0))
    }

    /// Whether `side`'s arm, at its latest reading, has been lifted past its threshold
    /// for `SUSTAIN_S`.
    pub fn lifted(&self, side: Side) -> bool {
        let k = usize::from(side == Side::Right);
        match (self.smoothed, self.over_since.get(k).copied().flatten()) {
            (Some((now, _)), Some(since)) => now - since >= SUSTAIN_S,
            _ => false,
        }
    }
}
