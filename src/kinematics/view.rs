//! Posture and camera-view classification from one pose, in the image alone.
//!
//! In flows a [`Pose`]; out flows a [`ViewEstimate`]: is the person lying, sitting or
//! standing, and does the camera see them from the side, the front (or above) or the
//! end (the feet or the head)? Only ratios of image lengths and the trunk's direction
//! are used, so the answer does not depend on the distance to the camera and tolerates
//! a tilted (rolled) camera up to about 45°.
//!
//! The cues: a lying trunk runs across the image, an upright one up it; seen from the
//! side, the shoulders and hips overlap (their widths are short next to the torso);
//! seen from the end, the torso is foreshortened until it is shorter than the shoulders
//! are wide. BlazePose's output from the feet end is often not even a coherent body
//! (see fixtures/exercises/bad-placement), which lands here as `End` or `Unknown`.

use crate::pose::{Pose, index};

use super::geometry::Vec2;

/// How the body is oriented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Posture {
    /// Lying down (on the back, for the floor exercises).
    Lying,
    Sitting,
    Standing,
    Unknown,
}

/// Where the camera is relative to the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// From the side: shoulders and hips overlap in the image.
    Side,
    /// From the front (or, for a person lying down, from above): both sides spread out.
    Front,
    /// Along the body from the feet or head end: the torso is foreshortened.
    End,
    Unknown,
}

impl View {
    /// The side of the person the camera sees, in words ("side", "front").
    pub fn name(self) -> &'static str {
        match self {
            View::Side => "side",
            View::Front => "front",
            View::End => "feet or head end",
            View::Unknown => "unknown side",
        }
    }
}

/// What one pose says about posture and view.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ViewEstimate {
    pub posture: Posture,
    pub view: View,
    /// Shoulder-midpoint to hip-midpoint distance, pixels.
    pub torso_px: f64,
    /// The wider of shoulder and hip width over the torso length.
    pub width_over_torso: f64,
    /// Angle of the trunk (hips → shoulders) from the image's up direction, degrees 0..=180.
    pub trunk_from_vertical_deg: f64,
    /// The body is too small in the image to measure anything.
    pub too_small: bool,
}

/// Torso length, as a share of the image height, below which nothing is measured.
const MIN_TORSO_IMAGE_SHARE: f64 = 0.05;
/// Width/torso ratio above which the torso is taken as foreshortened (end-on view).
/// Shoulder width is at most about 0.9 of the torso length for an adult seen square on.
const END_VIEW_WIDTH_RATIO: f64 = 1.1;
/// Mean of shoulder and hip width over the torso below which the shoulders and hips
/// overlap: a side view. MediaPipe on the rendered bodies: 0.11–0.17 from a floor
/// camera, 0.26–0.38 from 30° above; from the feet 0.85–1.1; square from above a lying
/// adult's shoulders span ~0.9 torso lengths and the hips ~0.6. The mean, not the wider
/// of the two: broad shoulders alone (body F from 30° above reads 0.51 for them, 0.25
/// for the hips) are a body's ratio, not the camera's view.
const SIDE_VIEW_WIDTH_RATIO: f64 = 0.5;

/// Ankles further below the hips than this (torso lengths, along the trunk) only when
/// standing. A standing adult's hip-to-ankle length is ~1.7 torso lengths (hip joint at
/// ~0.53 of the height, ankle ~0.04, shoulders ~0.82). Seated on a high bed edge with the
/// thighs sloping down, BlazePose reads up to ~1.55 from the front (its knees sag when
/// the thighs point at the camera), so a lower bar would stand a sitting person up and
/// the seated exercise would never start. A camera above a standing person foreshortens
/// the legs below this: such a person passes as seated, which costs nothing but a
/// readiness check (no movement of a standing person looks like a seated rock for long).
const STANDING_ANKLE_DROP: f64 = 1.6;
/// Knees this far nearer the camera than the hips (BlazePose depth, torso lengths): the
/// thighs point at it, so the person sits however long the legs look.
const THIGHS_FORWARD_TORSO: f64 = 0.3;

/// Reads landmark `i` as an image point.
pub(crate) fn point(pose: &Pose, i: usize) -> Vec2 {
    pose.landmarks.get(i).map_or(Vec2::default(), |l| {
        Vec2::new(f64::from(l.x_px), f64::from(l.y_px))
    })
}

/// A landmark's depth (BlazePose z, image-pixel scale, negative toward the camera).
fn depth(pose: &Pose, i: usize) -> f64 {
    pose.landmarks.get(i).map_or(0.0, |l| f64::from(l.z))
}

/// The midpoint of two landmarks.
pub(crate) fn mid(pose: &Pose, a: usize, b: usize) -> Vec2 {
    Vec2::midpoint(point(pose, a), point(pose, b))
}

/// Classifies one pose.
pub fn classify(pose: &Pose) -> ViewEstimate {
    use index::*;
    let shoulders = mid(pose, LEFT_SHOULDER, RIGHT_SHOULDER);
    let hips = mid(pose, LEFT_HIP, RIGHT_HIP);
    let knees = mid(pose, LEFT_KNEE, RIGHT_KNEE);
    let ankles = mid(pose, LEFT_ANKLE, RIGHT_ANKLE);
    let torso_px = Vec2::distance(shoulders, hips);
    let shoulder_w = Vec2::distance(point(pose, LEFT_SHOULDER), point(pose, RIGHT_SHOULDER));
    let hip_w = Vec2::distance(point(pose, LEFT_HIP), point(pose, RIGHT_HIP));
    let width_over_torso = shoulder_w.max(hip_w) / torso_px.max(1e-6);
    let mean_width_over_torso = (shoulder_w + hip_w) / 2.0 / torso_px.max(1e-6);
    let trunk = shoulders - hips;
    let image_up = Vec2::new(0.0, -1.0);
    let trunk_from_vertical_deg = trunk.normalized().map_or(90.0, |d| {
        d.dot(image_up).clamp(-1.0, 1.0).acos().to_degrees()
    });
    let too_small = torso_px < MIN_TORSO_IMAGE_SHARE * f64::from(pose.image_height.max(1));

    let (posture, view) = if too_small {
        (Posture::Unknown, View::Unknown)
    } else if width_over_torso >= END_VIEW_WIDTH_RATIO {
        // Foreshortened torso: the camera looks along the body. For a person lying on
        // the floor that is the feet (or head) end.
        (Posture::Lying, View::End)
    } else if trunk_from_vertical_deg < 45.0 {
        let up = trunk.normalized().unwrap_or(image_up);
        // Below the hips along the trunk: standing legs reach ~1.7 torso lengths, seated
        // shins about one. Seen from the front and a little above, a seated person's
        // thighs point at the camera: foreshortened against the shins, and nearer in depth.
        let ankle_drop = (hips - ankles).dot(up) / torso_px;
        let knee_drop = (hips - knees).dot(up) / torso_px;
        let thigh = Vec2::distance(hips, knees);
        let shin = Vec2::distance(knees, ankles).max(1e-6);
        let knees_forward = (depth(pose, LEFT_HIP) + depth(pose, RIGHT_HIP)
            - depth(pose, LEFT_KNEE)
            - depth(pose, RIGHT_KNEE))
            / 2.0
            / torso_px;
        // (Knees forward by a third of a torso already means thighs toward the camera: a
        // tall, long-legged person on a low seat (rendered body J) reads 0.36-0.41 with
        // legs as long in the picture as a stander's; seated bodies A, C-F 0.1-2.4. The
        // real standing and walking clips (`fixtures/video`) read medians of -1.15 to
        // 0.41, mid-stride up to 1.9: some pass as seated. Taking a sitter for a stander
        // blocks the seated exercise outright; the reverse costs a readiness check.)
        let thighs_level = thigh / shin < 0.8 || knees_forward > THIGHS_FORWARD_TORSO;
        let posture = if ankle_drop > STANDING_ANKLE_DROP && knee_drop > 0.55 && !thighs_level {
            Posture::Standing
        } else {
            Posture::Sitting
        };
        let view = if width_over_torso < 0.3 {
            View::Side
        } else {
            View::Front
        };
        (posture, view)
    } else if trunk_from_vertical_deg <= 135.0 {
        let view = if mean_width_over_torso < SIDE_VIEW_WIDTH_RATIO {
            View::Side
        } else {
            View::Front
        };
        (Posture::Lying, view)
    } else {
        (Posture::Unknown, View::Unknown)
    };
    ViewEstimate {
        posture,
        view,
        torso_px,
        width_over_torso,
        trunk_from_vertical_deg,
        too_small,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::{LANDMARK_COUNT, Landmark, Roi};

    fn pose(points: &[(usize, f32, f32)]) -> Pose {
        let mut landmarks = [Landmark {
            visibility: 1.0,
            presence: 1.0,
            ..Landmark::default()
        }; LANDMARK_COUNT];
        for &(i, x, y) in points {
            landmarks[i].x_px = x;
            landmarks[i].y_px = y;
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

    fn lying_side(roll_deg: f32) -> Pose {
        // Head to the right, knees up, as in the rendered side_floor clips; then rolled.
        let raw = [
            (index::LEFT_SHOULDER, 428.0, 272.0),
            (index::RIGHT_SHOULDER, 421.0, 258.0),
            (index::LEFT_HIP, 319.0, 271.0),
            (index::RIGHT_HIP, 318.0, 259.0),
            (index::LEFT_KNEE, 259.0, 200.0),
            (index::RIGHT_KNEE, 262.0, 197.0),
            (index::LEFT_ANKLE, 210.0, 278.0),
            (index::RIGHT_ANKLE, 219.0, 265.0),
        ];
        let (s, c) = roll_deg.to_radians().sin_cos();
        let pts: Vec<(usize, f32, f32)> = raw
            .iter()
            .map(|&(i, x, y)| {
                let (dx, dy) = (x - 320.0, y - 240.0);
                (i, 320.0 + c * dx - s * dy, 240.0 + s * dx + c * dy)
            })
            .collect();
        pose(&pts)
    }

    #[test]
    fn lying_seen_from_the_side_even_with_a_rolled_camera() {
        for roll in [0.0, 25.0, -30.0] {
            let est = classify(&lying_side(roll));
            assert_eq!(
                (est.posture, est.view),
                (Posture::Lying, View::Side),
                "roll {roll}"
            );
        }
    }

    /// A lying body, torso 100 px across the image, with the given shoulder and hip
    /// spreads (image widths over the torso) perpendicular to it.
    fn lying_spread(shoulder_w: f32, hip_w: f32) -> Pose {
        let (sx, hx) = (420.0, 320.0);
        pose(&[
            (index::LEFT_SHOULDER, sx, 250.0 + 50.0 * shoulder_w),
            (index::RIGHT_SHOULDER, sx, 250.0 - 50.0 * shoulder_w),
            (index::LEFT_HIP, hx, 250.0 + 50.0 * hip_w),
            (index::RIGHT_HIP, hx, 250.0 - 50.0 * hip_w),
            (index::LEFT_KNEE, 260.0, 200.0),
            (index::RIGHT_KNEE, 262.0, 197.0),
            (index::LEFT_ANKLE, 210.0, 260.0),
            (index::RIGHT_ANKLE, 215.0, 250.0),
        ])
    }

    #[test]
    fn broad_shoulders_from_above_the_side_are_still_a_side_view() {
        // MediaPipe on rendered body F, camera 30° above its side: shoulders 0.51, hips 0.25.
        let est = classify(&lying_spread(0.51, 0.25));
        assert_eq!((est.posture, est.view), (Posture::Lying, View::Side));
        // Square from above: shoulders ~0.9 of the torso, hips ~0.6.
        let est = classify(&lying_spread(0.9, 0.6));
        assert_eq!((est.posture, est.view), (Posture::Lying, View::Front));
    }

    #[test]
    fn seated_front_view() {
        let p = pose(&[
            (index::LEFT_SHOULDER, 360.0, 150.0),
            (index::RIGHT_SHOULDER, 280.0, 150.0),
            (index::LEFT_HIP, 345.0, 260.0),
            (index::RIGHT_HIP, 295.0, 260.0),
            (index::LEFT_KNEE, 350.0, 300.0),
            (index::RIGHT_KNEE, 290.0, 300.0),
            (index::LEFT_ANKLE, 350.0, 380.0),
            (index::RIGHT_ANKLE, 290.0, 380.0),
        ]);
        let est = classify(&p);
        assert_eq!((est.posture, est.view), (Posture::Sitting, View::Front));
    }

    #[test]
    fn seated_on_a_high_edge_is_still_seated_and_standing_is_standing() {
        // Thighs sloping steeply down toward the camera, not foreshortened in the image:
        // the ankles 1.5 torso lengths below the hips.
        let perched = pose(&[
            (index::LEFT_SHOULDER, 360.0, 150.0),
            (index::RIGHT_SHOULDER, 280.0, 150.0),
            (index::LEFT_HIP, 345.0, 260.0),
            (index::RIGHT_HIP, 295.0, 260.0),
            (index::LEFT_KNEE, 348.0, 348.0),
            (index::RIGHT_KNEE, 292.0, 348.0),
            (index::LEFT_ANKLE, 350.0, 425.0),
            (index::RIGHT_ANKLE, 290.0, 425.0),
        ]);
        assert_eq!(classify(&perched).posture, Posture::Sitting);
        // Standing: legs straight below the hips, 1.75 torso lengths.
        let standing = pose(&[
            (index::LEFT_SHOULDER, 350.0, 100.0),
            (index::RIGHT_SHOULDER, 290.0, 100.0),
            (index::LEFT_HIP, 340.0, 180.0),
            (index::RIGHT_HIP, 300.0, 180.0),
            (index::LEFT_KNEE, 340.0, 250.0),
            (index::RIGHT_KNEE, 300.0, 250.0),
            (index::LEFT_ANKLE, 340.0, 320.0),
            (index::RIGHT_ANKLE, 300.0, 320.0),
        ]);
        assert_eq!(classify(&standing).posture, Posture::Standing);
    }

    #[test]
    fn foreshortened_torso_is_an_end_view() {
        // Seen from the feet: shoulders wider than the torso is long.
        let p = pose(&[
            (index::LEFT_SHOULDER, 350.0, 212.0),
            (index::RIGHT_SHOULDER, 300.0, 214.0),
            (index::LEFT_HIP, 335.0, 243.0),
            (index::RIGHT_HIP, 305.0, 244.0),
            (index::LEFT_KNEE, 340.0, 200.0),
            (index::RIGHT_KNEE, 300.0, 200.0),
            (index::LEFT_ANKLE, 335.0, 275.0),
            (index::RIGHT_ANKLE, 305.0, 275.0),
        ]);
        assert_eq!(classify(&p).view, View::End);
    }

    #[test]
    fn a_tiny_body_is_too_small() {
        let p = pose(&[
            (index::LEFT_SHOULDER, 320.0, 216.0),
            (index::RIGHT_SHOULDER, 318.0, 216.0),
            (index::LEFT_HIP, 320.0, 207.0),
            (index::RIGHT_HIP, 318.0, 207.0),
        ]);
        assert!(classify(&p).too_small);
    }
}
