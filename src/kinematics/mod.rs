//! Kinematics: torso-normalised geometry on a [`Pose`](crate::pose::Pose).
//!
//! In flow poses (33 image landmarks with depth and visibility); out flow
//! [`BodyFrame`]s — angles between segments, the hip and shoulder lines and their tilt,
//! trunk lean, pelvis height against the shoulder–ankle and shoulder–knee lines, the
//! knees' drop and offsets, per-leg extension — expressed in [`BodyAxes`] fixed from the
//! starting pose, plus [`view::classify`] (lying/sitting/standing; side/front/end view)
//! and [`visibility`] gates saying whether the landmarks a check needs are seen well
//! enough. Nothing here knows about exercises, thresholds or time.

pub mod body_frame;
pub mod geometry;
pub mod view;
pub mod visibility;

pub use body_frame::{BodyAxes, BodyFrame, mirror_index, provisional_axes};
pub use geometry::Vec2;
pub use view::{Posture, View, ViewEstimate, classify};
pub use visibility::{BodyPart, PartVisibility, SideNeed};

use serde::{Deserialize, Serialize};

/// A side of the body ("left" is the subject's left, as in BlazePose).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Left,
    Right,
}

impl Side {
    /// The other side.
    pub fn opposite(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }

    /// "left" or "right".
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
        }
    }
}
