//! Visibility gates: which body parts a check needs and whether BlazePose sees them
//! well enough to judge.
//!
//! In flows a [`Pose`] (landmark visibility and position); out flows, per
//! [`BodyPart`], how well its left and right landmarks are seen. A check asks for a part
//! with a [`SideNeed`]: in a side view the near side is enough (the far side is hidden
//! behind the body), a front view needs both sides, traction's leg checks need both legs.
//! A landmark outside the image counts as unseen whatever its visibility says.

use crate::pose::{Pose, index};

use super::Side;

/// A group of landmarks the checks talk about, and that camera prompts can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BodyPart {
    Head,
    Shoulders,
    Elbows,
    Wrists,
    Hips,
    Knees,
    Ankles,
    Feet,
}

impl BodyPart {
    /// Every part, in head-to-toe order.
    pub const ALL: [BodyPart; 8] = [
        BodyPart::Head,
        BodyPart::Shoulders,
        BodyPart::Elbows,
        BodyPart::Wrists,
        BodyPart::Hips,
        BodyPart::Knees,
        BodyPart::Ankles,
        BodyPart::Feet,
    ];

    /// The landmarks of this part on one side of the body (the head counts its
    /// left-side points as left).
    pub fn landmarks(self, side: Side) -> &'static [usize] {
        use index::*;
        match (self, side) {
            (BodyPart::Head, Side::Left) => &[NOSE, LEFT_EYE, LEFT_EAR],
            (BodyPart::Head, Side::Right) => &[NOSE, RIGHT_EYE, RIGHT_EAR],
            (BodyPart::Shoulders, Side::Left) => &[LEFT_SHOULDER],
            (BodyPart::Shoulders, Side::Right) => &[RIGHT_SHOULDER],
            (BodyPart::Elbows, Side::Left) => &[LEFT_ELBOW],
            (BodyPart::Elbows, Side::Right) => &[RIGHT_ELBOW],
            (BodyPart::Wrists, Side::Left) => &[LEFT_WRIST],
            (BodyPart::Wrists, Side::Right) => &[RIGHT_WRIST],
            (BodyPart::Hips, Side::Left) => &[LEFT_HIP],
            (BodyPart::Hips, Side::Right) => &[RIGHT_HIP],
            (BodyPart::Knees, Side::Left) => &[LEFT_KNEE],
            (BodyPart::Knees, Side::Right) => &[RIGHT_KNEE],
            (BodyPart::Ankles, Side::Left) => &[LEFT_ANKLE],
            (BodyPart::Ankles, Side::Right) => &[RIGHT_ANKLE],
            (BodyPart::Feet, Side::Left) => &[LEFT_HEEL, LEFT_FOOT_INDEX],
            (BodyPart::Feet, Side::Right) => &[RIGHT_HEEL, RIGHT_FOOT_INDEX],
        }
    }

    /// Both sides' landmarks.
    pub fn all_landmarks(self) -> Vec<usize> {
        let mut out = self.landmarks(Side::Left).to_vec();
        for &i in self.landmarks(Side::Right) {
            if !out.contains(&i) {
                out.push(i);
            }
        }
        out
    }

    /// How a camera prompt names it: "I can't see your {name}".
    pub fn name(self) -> &'static str {
        match self {
            BodyPart::Head => "head",
            BodyPart::Shoulders => "shoulders",
            BodyPart::Elbows => "elbows",
            BodyPart::Wrists => "hands",
            BodyPart::Hips => "hips",
            BodyPart::Knees => "knees",
            BodyPart::Ankles => "ankles",
            BodyPart::Feet => "feet",
        }
    }
}

/// Which sides of a part a check needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SideNeed {
    /// One side seen well is enough (side views: the near side).
    Either,
    /// Both sides must be seen (front views, or both legs for traction).
    Both,
}

/// How well each body part is seen in one pose: the minimum visibility over the part's
/// landmarks, per side (0 when a landmark is outside the image).
#[derive(Clone, Debug, PartialEq)]
pub struct PartVisibility {
    scores: [[f32; 2]; BodyPart::ALL.len()],
}

/// Visibility a landmark needs to be judged (BlazePose's visibility is a probability).
pub const DEFAULT_VISIBILITY_MIN: f32 = 0.5;

/// Margin, as a share of the image size, beyond which a point counts as outside the frame.
const FRAME_MARGIN: f32 = 0.01;

impl PartVisibility {
    /// Scores every part of `pose`. `labels_swapped` says BlazePose's left/right labels
    /// are the wrong way round (seen in pure side views), so scores follow the body.
    pub fn of(pose: &Pose, labels_swapped: bool) -> Self {
        let mut scores = [[0.0f32; 2]; BodyPart::ALL.len()];
        let w = pose.image_width.max(1) as f32;
        let h = pose.image_height.max(1) as f32;
        for (slot, part) in scores.iter_mut().zip(BodyPart::ALL) {
            for (k, side) in [Side::Left, Side::Right].into_iter().enumerate() {
                let label_side = if labels_swapped {
                    side.opposite()
                } else {
                    side
                };
                let mut score = 1.0f32;
                for &i in part.landmarks(label_side) {
                    let Some(lm) = pose.landmarks.get(i) else {
                        score = 0.0;
                        continue;
                    };
                    let inside = lm.x_px >= -FRAME_MARGIN * w
                        && lm.x_px <= (1.0 + FRAME_MARGIN) * w
                        && lm.y_px >= -FRAME_MARGIN * h
                        && lm.y_px <= (1.0 + FRAME_MARGIN) * h;
                    let v = if inside && lm.visibility.is_finite() {
                        lm.visibility.min(lm.presence.max(0.0))
                    } else {
                        0.0
                    };
                    score = score.min(v);
                }
                slot[k] = score;
            }
        }
        Self { scores }
    }

    /// Nothing seen (no pose this frame).
    pub fn none() -> Self {
        Self {
            scores: [[0.0; 2]; BodyPart::ALL.len()],
        }
    }

    /// The visibility score of one side of a part.
    pub fn score(&self, part: BodyPart, side: Side) -> f32 {
        let k = match side {
            Side::Left => 0,
            Side::Right => 1,
        };
        BodyPart::ALL
            .iter()
            .position(|&p| p == part)
            .and_then(|i| self.scores.get(i))
            .map_or(0.0, |s| s[k])
    }

    /// Whether `part` is seen well enough for a check with this need.
    pub fn sees(&self, part: BodyPart, need: SideNeed, min: f32) -> bool {
        let l = self.score(part, Side::Left);
        let r = self.score(part, Side::Right);
        match need {
            SideNeed::Either => l.max(r) >= min,
            SideNeed::Both => l.min(r) >= min,
        }
    }

    /// The first part of `parts` that is not seen well enough, if any.
    pub fn first_missing(&self, parts: &[(BodyPart, SideNeed)], min: f32) -> Option<BodyPart> {
        parts
            .iter()
            .find(|(part, need)| !self.sees(*part, *need, min))
            .map(|(part, _)| *part)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::{LANDMARK_COUNT, Landmark, Roi};

    fn pose_with(vis: impl Fn(usize) -> f32) -> Pose {
        let mut landmarks = [Landmark::default(); LANDMARK_COUNT];
        for (i, lm) in landmarks.iter_mut().enumerate() {
            *lm = Landmark {
                x_px: 100.0,
                y_px: 100.0,
                z: 0.0,
                visibility: vis(i),
                presence: 1.0,
            };
        }
        Pose {
            landmarks,
            world: None,
            score: 1.0,
            roi: Roi::default(),
            image_width: 640,
            image_height: 480,
            belly_height_torso: None,
            pelvis_turn_deg: None,
        }
    }

    #[test]
    fn near_side_is_enough_for_either_but_not_both() {
        // Side view from the left: the right shoulder is hidden.
        let pose = pose_with(|i| {
            if i == index::RIGHT_SHOULDER {
                0.1
            } else {
                0.95
            }
        });
        let seen = PartVisibility::of(&pose, false);
        assert!(seen.sees(BodyPart::Shoulders, SideNeed::Either, 0.5));
        assert!(!seen.sees(BodyPart::Shoulders, SideNeed::Both, 0.5));
        assert_eq!(
            seen.first_missing(
                &[
                    (BodyPart::Hips, SideNeed::Both),
                    (BodyPart::Shoulders, SideNeed::Both)
                ],
                0.5
            ),
            Some(BodyPart::Shoulders)
        );
    }

    #[test]
    fn swapped_labels_swap_the_sides() {
        let pose = pose_with(|i| if i == index::RIGHT_KNEE { 0.2 } else { 0.9 });
        let straight = PartVisibility::of(&pose, false);
        let swapped = PartVisibility::of(&pose, true);
        assert!(straight.score(BodyPart::Knees, Side::Right) < 0.5);
        assert!(swapped.score(BodyPart::Knees, Side::Left) < 0.5);
        assert!(swapped.score(BodyPart::Knees, Side::Right) > 0.5);
    }

    #[test]
    fn points_outside_the_image_are_unseen() {
        let mut pose = pose_with(|_| 1.0);
        pose.landmarks[index::LEFT_ANKLE].x_px = 700.0;
        pose.landmarks[index::RIGHT_ANKLE].y_px = -30.0;
        let seen = PartVisibility::of(&pose, false);
        assert!(!seen.sees(BodyPart::Ankles, SideNeed::Either, 0.5));
        assert!(seen.sees(BodyPart::Knees, SideNeed::Both, 0.5));
    }
}
