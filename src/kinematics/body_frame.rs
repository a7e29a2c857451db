//! The body's own axes in the image, fixed from the starting pose, and the per-frame
//! measures the exercise checks read.
//!
//! In flow [`Pose`]s: a few still ones to fix [`BodyAxes`] (which way is along the body,
//! which way is up off the floor or up the trunk, how long the torso is, which side faces
//! the camera, whether BlazePose's left/right labels are swapped, how high the camera
//! looks from); then every frame's pose, which [`BodyFrame::new`] turns into
//! torso-normalised distances and angles in those axes. Out flow plain numbers with units
//! in their names; no thresholds live here.
//!
//! Why axes from the starting pose rather than the image's x and y: a laptop on the floor
//! is often rolled or pitched, and a body lying still defines the floor line better than
//! the camera does. Why midpoints of left/right pairs: in a side view the two sides
//! project almost onto each other, so the midpoint sits on the body's midline whichever
//! label BlazePose puts on which side.

use crate::pose::{LANDMARK_COUNT, Pose, index};

use super::Side;
use super::geometry::{Vec2, angle_at_deg, angle_in_axes_deg, distance_from_line, median};
use super::view::{Posture, View, ViewEstimate, classify, mid, point};

/// The body's axes in the image and its scale, fixed when the exercise starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BodyAxes {
    pub posture: Posture,
    pub view: View,
    /// Unit image vector along the body toward the head (lying) or up the trunk (upright).
    pub head_dir: Vec2,
    /// Unit image vector away from the floor (lying) or up the trunk (upright).
    pub up_dir: Vec2,
    /// Unit image vector toward the person's left (upright front views; for lying views
    /// it is `head_dir` turned toward the near side and not used by the checks).
    pub left_dir: Vec2,
    /// Length unit of every `_torso` measure, pixels: the torso length (shoulder midpoint
    /// to hip midpoint), or in an end view the larger of hip and shoulder width.
    pub scale_px: f64,
    /// Side views of a person lying on the back: the body side facing the camera,
    /// from geometry alone (head direction and up), not from BlazePose's labels.
    pub near_side: Option<Side>,
    /// BlazePose's left/right labels are the wrong way round (its depth says the labelled
    /// left is far while geometry says the left faces the camera). Every per-side measure
    /// is read with the labels swapped back.
    pub labels_swapped: bool,
    /// How far the camera looks down on the body, degrees (side views; from the vertical
    /// offset of the near and far hip/shoulder against their depth offset).
    pub elevation_deg: f64,
}

/// Why the axes could not be fixed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AxesError {
    #[error("no poses to calibrate from")]
    NoPoses,
    #[error("the body is too small or folded to define its axes")]
    Degenerate,
}

/// Reads a landmark's depth (BlazePose z, image-pixel scale, negative toward the camera).
fn depth(pose: &Pose, i: usize) -> f64 {
    pose.landmarks.get(i).map_or(0.0, |l| f64::from(l.z))
}

fn visibility(pose: &Pose, i: usize) -> f64 {
    pose.landmarks
        .get(i)
        .map_or(0.0, |l| f64::from(l.visibility))
}

/// Left/right landmark pairs used to decide which labelled side is nearer the camera.
const SIDE_PAIRS: [(usize, usize); 7] = [
    (index::LEFT_SHOULDER, index::RIGHT_SHOULDER),
    (index::LEFT_HIP, index::RIGHT_HIP),
    (index::LEFT_KNEE, index::RIGHT_KNEE),
    (index::LEFT_ANKLE, index::RIGHT_ANKLE),
    (index::LEFT_ELBOW, index::RIGHT_ELBOW),
    (index::LEFT_WRIST, index::RIGHT_WRIST),
    (index::LEFT_EAR, index::RIGHT_EAR),
];

/// The mirror landmark (left ↔ right); the nose maps to itself.
pub fn mirror_index(i: usize) -> usize {
    use index::*;
    match i {
        LEFT_EYE_INNER => RIGHT_EYE_INNER,
        RIGHT_EYE_INNER => LEFT_EYE_INNER,
        LEFT_EYE => RIGHT_EYE,
        RIGHT_EYE => LEFT_EYE,
        LEFT_EYE_OUTER => RIGHT_EYE_OUTER,
        RIGHT_EYE_OUTER => LEFT_EYE_OUTER,
        LEFT_EAR => RIGHT_EAR,
        RIGHT_EAR => LEFT_EAR,
        MOUTH_LEFT => MOUTH_RIGHT,
        MOUTH_RIGHT => MOUTH_LEFT,
        // From the shoulders down, left and right alternate: odd indices are left.
        11..=32 => {
            if i % 2 == 1 {
                i + 1
            } else {
                i - 1
            }
        }
        _ => i,
    }
}

impl BodyAxes {
    /// Fixes the axes from poses of the person holding the starting position (medians,
    /// so a stray frame does not tilt the floor line). `estimate` is the view the caller
    /// already accepted for these poses.
    pub fn calibrate(poses: &[&Pose], estimate: &ViewEstimate) -> Result<BodyAxes, AxesError> {
        use index::*;
        if poses.is_empty() {
            return Err(AxesError::NoPoses);
        }
        let med_point = |f: &dyn Fn(&Pose) -> Vec2| -> Vec2 {
            let xs: Vec<f64> = poses.iter().map(|p| f(p).x).collect();
            let ys: Vec<f64> = poses.iter().map(|p| f(p).y).collect();
            Vec2::new(median(&xs).unwrap_or(0.0), median(&ys).unwrap_or(0.0))
        };
        let shoulders = med_point(&|p| mid(p, LEFT_SHOULDER, RIGHT_SHOULDER));
        let hips = med_point(&|p| mid(p, LEFT_HIP, RIGHT_HIP));
        let knees = med_point(&|p| mid(p, LEFT_KNEE, RIGHT_KNEE));
        let ankles = med_point(&|p| mid(p, LEFT_ANKLE, RIGHT_ANKLE));
        let torso_px = Vec2::distance(shoulders, hips);
        let widths: Vec<f64> = poses
            .iter()
            .map(|p| {
                Vec2::distance(point(p, LEFT_SHOULDER), point(p, RIGHT_SHOULDER))
                    .max(Vec2::distance(point(p, LEFT_HIP), point(p, RIGHT_HIP)))
            })
            .collect();
        let width_px = median(&widths).unwrap_or(0.0);
        let scale_px = if estimate.view == View::End {
            width_px
        } else {
            torso_px
        };
        if scale_px < 1.0 {
            return Err(AxesError::Degenerate);
        }
        let image_up = Vec2::new(0.0, -1.0);

        match estimate.posture {
            Posture::Lying => {
                let head_dir = (shoulders - ankles)
                    .normalized()
                    .or_else(|| (shoulders - hips).normalized())
                    .ok_or(AxesError::Degenerate)?;
                let mut up_dir = head_dir.perpendicular();
                // Bent knees rise off the floor; with straight legs fall back to the image's up.
                let knee_lift = distance_from_line(knees, shoulders, ankles, up_dir);
                let reference = if knee_lift.abs() > 0.15 * torso_px {
                    knees - ankles
                } else {
                    image_up
                };
                let knee_side = if knee_lift.abs() > 0.15 * torso_px {
                    knee_lift
                } else {
                    up_dir.dot(reference)
                };
                if knee_side < 0.0 {
                    up_dir = -up_dir;
                }
                // On the back, facing up: with the head to the image right and up at the
                // top the camera sees the body's left (see the module docs' derivation in
                // tests below).
                let geometric_near = if head_dir.cross(up_dir) < 0.0 {
                    Side::Left
                } else {
                    Side::Right
                };
                let labelled_near = labelled_near_side(poses);
                let labels_swapped = estimate.view == View::Side
                    && labelled_near.is_some_and(|s| s != geometric_near);
                let elevation_deg = elevation_deg(poses, up_dir, labels_swapped, geometric_near);
                Ok(BodyAxes {
                    posture: estimate.posture,
                    view: estimate.view,
                    head_dir,
                    up_dir,
                    left_dir: if geometric_near == Side::Left {
                        up_dir
                    } else {
                        -up_dir
                    },
                    scale_px,
                    near_side: (estimate.view == View::Side).then_some(geometric_near),
                    labels_swapped,
                    elevation_deg,
                })
            }
            _ => {
                let up_dir = (shoulders - hips)
                    .normalized()
                    .ok_or(AxesError::Degenerate)?;
                let left_hip = med_point(&|p| point(p, LEFT_HIP));
                let right_hip = med_point(&|p| point(p, RIGHT_HIP));
                let mut left_dir = up_dir.perpendicular();
                if left_dir.dot(left_hip - right_hip) < 0.0 {
                    left_dir = -left_dir;
                }
                Ok(BodyAxes {
                    posture: estimate.posture,
                    view: estimate.view,
                    head_dir: up_dir,
                    up_dir,
                    left_dir,
                    scale_px,
                    near_side: None,
                    labels_swapped: false,
                    elevation_deg: 0.0,
                })
            }
        }
    }

    /// Reads BlazePose landmark `i` as the body's landmark (undoing a label swap).
    pub fn label_of(&self, anatomical: usize) -> usize {
        if self.labels_swapped {
            mirror_index(anatomical)
        } else {
            anatomical
        }
    }
}

/// Which labelled side BlazePose puts nearer the camera: a vote over left/right pairs on
/// depth (z is negative toward the camera) and visibility (the far side is occluded).
fn labelled_near_side(poses: &[&Pose]) -> Option<Side> {
    let mut vote = 0.0;
    for pose in poses {
        for &(l, r) in &SIDE_PAIRS {
            vote += (depth(pose, r) - depth(pose, l)).signum();
            vote += 2.0 * (visibility(pose, l) - visibility(pose, r));
        }
    }
    if vote > 0.5 {
        Some(Side::Left)
    } else if vote < -0.5 {
        Some(Side::Right)
    } else {
        None
    }
}

/// A body's shoulder width over its torso length, seen square on (BlazePose's shoulders
/// on the rendered bodies from the front: 0.70–0.81).
const SHOULDER_WIDTH_TORSO: f64 = 0.75;
/// The far shoulder's offset above the near one (torso lengths) BlazePose shows from a
/// floor-level side camera, where the true offset is nil (0.10–0.15 on the rendered
/// clips): the part of the offset that says nothing about the camera's height.
const SIDE_SHOULDER_FLOOR_TORSO: f64 = 0.1;

/// Camera elevation (degrees; 0 at floor level), the larger of two estimates. Depth: the
/// far side's image offset above the near side against their depth offset, over
/// shoulders and hips — BlazePose's depth is compressed, so this reads a 30° camera as
/// 7–11°. Width: the far shoulder rises above the near one by the shoulder width ×
/// sin(elevation) — a body-average width, so good to a few degrees across bodies.
fn elevation_deg(poses: &[&Pose], up_dir: Vec2, swapped: bool, near: Side) -> f64 {
    use index::*;
    let mut angles = Vec::new();
    let mut shoulder_rise = Vec::new();
    for pose in poses {
        let torso = Vec2::distance(
            mid(pose, LEFT_SHOULDER, RIGHT_SHOULDER),
            mid(pose, LEFT_HIP, RIGHT_HIP),
        );
        for (l, r) in [(LEFT_SHOULDER, RIGHT_SHOULDER), (LEFT_HIP, RIGHT_HIP)] {
            let (l, r) = if swapped { (r, l) } else { (l, r) };
            let (near_i, far_i) = if near == Side::Left { (l, r) } else { (r, l) };
            let rise = (point(pose, far_i) - point(pose, near_i)).dot(up_dir);
            let deeper = depth(pose, far_i) - depth(pose, near_i);
            if deeper > 1.0 {
                angles.push(rise.atan2(deeper).to_degrees());
            }
            if l == LEFT_SHOULDER && torso > 1e-6 {
                shoulder_rise.push(rise / torso);
            }
        }
    }
    let from_depth = median(&angles).unwrap_or(0.0);
    let from_width = median(&shoulder_rise).map_or(0.0, |w| {
        let seen = (w * w - SIDE_SHOULDER_FLOOR_TORSO.powi(2)).max(0.0).sqrt();
        (seen / SHOULDER_WIDTH_TORSO).min(1.0).asin().to_degrees()
    });
    from_depth.max(from_width).clamp(-10.0, 80.0)
}

/// One frame's measures in the body's axes. Distances are in torso lengths
/// (`BodyAxes::scale_px`), angles in degrees; per-side arrays are `[left, right]` of the
/// body (labels already corrected).
#[derive(Clone, Debug, PartialEq)]
pub struct BodyFrame {
    /// The axes these measures are in.
    pub axes: BodyAxes,
    /// Landmarks in image pixels, indexed by body landmark (label swap undone).
    pub points: [Vec2; LANDMARK_COUNT],
    /// BlazePose depth per body landmark, image-pixel scale, negative toward the camera.
    pub depth_px: [f64; LANDMARK_COUNT],
    pub shoulder_mid: Vec2,
    pub hip_mid: Vec2,
    pub knee_mid: Vec2,
    pub ankle_mid: Vec2,
    /// This frame's torso length over the calibrated one (1 = same distance to camera).
    pub torso_ratio: f64,

    /// Lying: angle of the trunk (hips → shoulders) above the body axis; grows when the
    /// shoulders rise (crunch) and falls when the hips rise (tilt, bridge).
    pub trunk_angle_deg: f64,
    /// Shoulder–hip–knee angle at the hips (midpoints).
    pub hip_angle_deg: f64,
    /// Hip midpoint above the shoulder–ankle line (the sacrum block measure, bridging).
    pub hip_height_torso: f64,
    /// Hip midpoint above the shoulder–knee line.
    pub hip_above_shoulder_knee_torso: f64,
    /// Shoulder midpoint above the hip midpoint, along up.
    pub shoulder_height_torso: f64,
    /// Nose above the shoulder midpoint, along up (a head lift).
    pub head_height_torso: f64,
    /// Knee midpoint above the hip–ankle line (falls as the knees drop sideways).
    pub knee_height_torso: f64,
    /// Knee midpoint's offset from the hip midpoint along the body (toward the head +).
    pub knee_along_torso: f64,
    /// Knee midpoint's depth toward the camera relative to the hips (BlazePose z).
    pub knee_toward_camera_torso: f64,
    /// Right hip above the left hip along up: the pelvis's roll seen from the side.
    pub hip_roll_torso: f64,
    /// Right shoulder above the left along up: the thorax's roll seen from the side.
    pub shoulder_roll_torso: f64,
    /// Per leg, hip-to-ankle distance over thigh plus shank length: about 0.55 with the
    /// knee bent up, 1 with the leg straight.
    pub leg_straightness: [f64; 2],
    /// Thigh plus shank, the mean of both legs, in torso lengths (a body's proportions:
    /// ~1.6 for the rendered adults, from 1.4 to 2 between people).
    pub leg_length_torso: f64,
    /// How far the wrists reach past the head along the body (arms overhead > 0).
    pub wrists_past_head_torso: f64,

    /// Upright front view: hip line's angle, + when the left hip is higher.
    pub hip_line_tilt_deg: f64,
    /// Upright front view: shoulder line's angle, + when the left shoulder is higher.
    pub shoulder_line_tilt_deg: f64,
    /// Shoulder midpoint toward the person's left of the ankle midpoint.
    pub shoulder_sideways_torso: f64,
    /// Hip midpoint toward the person's left of the ankle midpoint.
    pub hip_sideways_torso: f64,
    /// Shoulder midpoint toward the person's left of the hip midpoint (a sideways lean).
    pub lean_torso: f64,
    /// Upright front view: the shoulder line's turn about the vertical, degrees, + when
    /// the person turns toward their left (the left shoulder goes back), from BlazePose's
    /// depth against the line's width in the picture.
    pub shoulder_yaw_deg: f64,
    /// The same for the hip line (the pelvis turning).
    pub hip_yaw_deg: f64,
    /// Upright front view: the trunk line (hips → shoulders) bent sideways from the
    /// calibrated up direction, degrees, + toward the person's left.
    pub trunk_side_bend_deg: f64,
    /// Per leg, the knee's bend in the picture (180° − hip–knee–ankle), degrees: the true
    /// flexion from the side, foreshortened from the front.
    pub knee_flexion_deg: [f64; 2],
    /// Hip midpoint to ankle midpoint, torso lengths (shortens as a standing person's
    /// knees bend, from any side).
    pub hip_ankle_torso: f64,
    /// The belly's silhouette edge above the trunk line, torso lengths, when the pose
    /// stage read it ([`Pose::belly_height_torso`]).
    pub belly_height_torso: Option<f64>,
    /// The pelvis's turn in the picture, degrees, when the pose stage read it
    /// ([`Pose::pelvis_turn_deg`]).
    pub pelvis_turn_deg: Option<f64>,
}

impl BodyFrame {
    /// Upright, seen from the side: the way the person faces in the picture,
    /// perpendicular to the calibrated up — where the toes point from the heels, summed
    /// over `frames` (a calibration window: one frame's feet can flicker, and a facing
    /// that flips mid-movement would turn a lean forward into one backward).
    pub fn facing_over<'a>(frames: impl IntoIterator<Item = &'a BodyFrame>) -> Vec2 {
        use index::*;
        let mut ahead = 0.0;
        let mut across = Vec2::new(1.0, 0.0);
        for f in frames {
            across = f.axes.up_dir.perpendicular();
            let toes = |heel: usize, toe: usize| (f.points[toe] - f.points[heel]).dot(across);
            ahead += toes(LEFT_HEEL, LEFT_FOOT_INDEX) + toes(RIGHT_HEEL, RIGHT_FOOT_INDEX);
        }
        if ahead >= 0.0 { across } else { -across }
    }

    /// Upright, seen from the side: the trunk line (hips → shoulders) pitched toward
    /// `facing` ([`BodyFrame::facing_over`]) from the calibrated up, degrees (90 = level,
    /// bent forward at the hips).
    pub fn trunk_pitch_deg(&self, facing: Vec2) -> f64 {
        let trunk = self.shoulder_mid - self.hip_mid;
        trunk
            .dot(facing)
            .atan2(trunk.dot(self.axes.up_dir))
            .to_degrees()
    }

    /// Seen from the front: the thighs point at the camera — the knees nearer it than the
    /// hips by more than 0.6 torso lengths, or the thighs shorter in the picture than 0.8
    /// of the shins — so the person sits, however long the legs look. Looser than the
    /// classifier's posture test (`view::THIGHS_FORWARD_TORSO`): it guards a standing
    /// exercise's start, where refusing a stander costs more. MediaPipe on the rendered
    /// clips: standing from the front 0.07–0.21 torso lengths forward (0.38 at most) and
    /// thighs 0.95–1.18 of the shins; seated bodies 0.1–2.8 and 0.25–1.2 (a few, on high
    /// seats with the thighs sloping down, look like standers and pass).
    pub fn thighs_toward_camera(&self) -> bool {
        use index::*;
        let len = |a: usize, b: usize| Vec2::distance(self.points[a], self.points[b]);
        let thighs = len(LEFT_HIP, LEFT_KNEE) + len(RIGHT_HIP, RIGHT_KNEE);
        let shins = len(LEFT_KNEE, LEFT_ANKLE) + len(RIGHT_KNEE, RIGHT_ANKLE);
        self.knee_toward_camera_torso > 0.6 || thighs < 0.8 * shins
    }

    /// Measures one pose in the calibrated axes.
    pub fn new(pose: &Pose, axes: &BodyAxes) -> BodyFrame {
        use index::*;
        let mut points = [Vec2::default(); LANDMARK_COUNT];
        let mut depth_px = [0.0; LANDMARK_COUNT];
        for (i, (p, d)) in points.iter_mut().zip(depth_px.iter_mut()).enumerate() {
            let label = axes.label_of(i);
            *p = point(pose, label);
            *d = depth(pose, label);
        }
        let at = |i: usize| points.get(i).copied().unwrap_or_default();
        let z = |i: usize| depth_px.get(i).copied().unwrap_or(0.0);
        let s = axes.scale_px.max(1e-6);
        let up = axes.up_dir;
        let head = axes.head_dir;
        let left = axes.left_dir;

        let shoulder_mid = Vec2::midpoint(at(LEFT_SHOULDER), at(RIGHT_SHOULDER));
        let hip_mid = Vec2::midpoint(at(LEFT_HIP), at(RIGHT_HIP));
        let knee_mid = Vec2::midpoint(at(LEFT_KNEE), at(RIGHT_KNEE));
        let ankle_mid = Vec2::midpoint(at(LEFT_ANKLE), at(RIGHT_ANKLE));
        let nose = at(NOSE);
        let torso_px = Vec2::distance(shoulder_mid, hip_mid);

        let limb = |hip: usize, knee: usize, ankle: usize| {
            Vec2::distance(at(hip), at(knee)) + Vec2::distance(at(knee), at(ankle))
        };
        let straightness = |hip: usize, knee: usize, ankle: usize| {
            let limb = limb(hip, knee, ankle);
            if limb < 1e-6 {
                1.0
            } else {
                Vec2::distance(at(hip), at(ankle)) / limb
            }
        };
        let wrist_reach = |w: usize| (at(w) - nose).dot(head) / s;
        // A line from right to left turned back on its left end: depth grows to the left.
        let yaw = |l: usize, r: usize| {
            let across = (at(l) - at(r)).dot(left);
            (z(l) - z(r)).atan2(across).to_degrees()
        };

        BodyFrame {
            axes: *axes,
            shoulder_mid,
            hip_mid,
            knee_mid,
            ankle_mid,
            torso_ratio: torso_px / s,
            trunk_angle_deg: angle_in_axes_deg(shoulder_mid - hip_mid, head, up),
            hip_angle_deg: angle_at_deg(shoulder_mid, hip_mid, knee_mid),
            hip_height_torso: distance_from_line(hip_mid, shoulder_mid, ankle_mid, up) / s,
            hip_above_shoulder_knee_torso: distance_from_line(hip_mid, shoulder_mid, knee_mid, up)
                / s,
            shoulder_height_torso: (shoulder_mid - hip_mid).dot(up) / s,
            head_height_torso: (nose - shoulder_mid).dot(up) / s,
            knee_height_torso: distance_from_line(knee_mid, hip_mid, ankle_mid, up) / s,
            knee_along_torso: (knee_mid - hip_mid).dot(head) / s,
            knee_toward_camera_torso: -((z(LEFT_KNEE) + z(RIGHT_KNEE))
                - (z(LEFT_HIP) + z(RIGHT_HIP)))
                / 2.0
                / s,
            hip_roll_torso: (at(RIGHT_HIP) - at(LEFT_HIP)).dot(up) / s,
            shoulder_roll_torso: (at(RIGHT_SHOULDER) - at(LEFT_SHOULDER)).dot(up) / s,
            leg_length_torso: (limb(LEFT_HIP, LEFT_KNEE, LEFT_ANKLE)
                + limb(RIGHT_HIP, RIGHT_KNEE, RIGHT_ANKLE))
                / 2.0
                / s,
            leg_straightness: [
                straightness(LEFT_HIP, LEFT_KNEE, LEFT_ANKLE),
                straightness(RIGHT_HIP, RIGHT_KNEE, RIGHT_ANKLE),
            ],
            wrists_past_head_torso: wrist_reach(LEFT_WRIST).max(wrist_reach(RIGHT_WRIST)),
            hip_line_tilt_deg: angle_in_axes_deg(at(LEFT_HIP) - at(RIGHT_HIP), left, up),
            shoulder_line_tilt_deg: angle_in_axes_deg(
                at(LEFT_SHOULDER) - at(RIGHT_SHOULDER),
                left,
                up,
            ),
            shoulder_sideways_torso: (shoulder_mid - ankle_mid).dot(left) / s,
            hip_sideways_torso: (hip_mid - ankle_mid).dot(left) / s,
            lean_torso: (shoulder_mid - hip_mid).dot(left) / s,
            shoulder_yaw_deg: yaw(LEFT_SHOULDER, RIGHT_SHOULDER),
            hip_yaw_deg: yaw(LEFT_HIP, RIGHT_HIP),
            trunk_side_bend_deg: angle_in_axes_deg(shoulder_mid - hip_mid, up, left),
            knee_flexion_deg: [
                180.0 - angle_at_deg(at(LEFT_HIP), at(LEFT_KNEE), at(LEFT_ANKLE)),
                180.0 - angle_at_deg(at(RIGHT_HIP), at(RIGHT_KNEE), at(RIGHT_ANKLE)),
            ],
            hip_ankle_torso: Vec2::distance(hip_mid, ankle_mid) / s,
            belly_height_torso: pose.belly_height_torso.map(f64::from),
            pelvis_turn_deg: pose.pelvis_turn_deg.map(f64::from),
            points,
            depth_px,
        }
    }
}

/// Classifies a pose and, if it is usable, fixes axes from it alone (for a provisional
/// look at the starting position before calibration).
pub fn provisional_axes(pose: &Pose) -> Option<(ViewEstimate, BodyAxes)> {
    let est = classify(pose);
    if est.too_small || est.posture == Posture::Unknown {
        return None;
    }
    BodyAxes::calibrate(&[pose], &est).ok().map(|a| (est, a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::{Landmark, Roi};

    /// A person lying on the back seen from the side at floor level, head to the image
    /// right (the rendered clips' arrangement: the camera sees the body's left).
    fn lying(labels_swapped: bool, lift_hips_px: f32) -> Pose {
        let mut landmarks = [Landmark {
            visibility: 0.99,
            presence: 1.0,
            ..Landmark::default()
        }; LANDMARK_COUNT];
        let mut set = |i: usize, x: f32, y: f32, z: f32| {
            let i = if labels_swapped { mirror_index(i) } else { i };
            landmarks[i].x_px = x;
            landmarks[i].y_px = y;
            landmarks[i].z = z;
        };
        use index::*;
        set(NOSE, 465.0, 237.0, 0.0);
        set(LEFT_SHOULDER, 428.0, 272.0, -100.0);
        set(RIGHT_SHOULDER, 421.0, 258.0, 110.0);
        set(LEFT_HIP, 319.0, 271.0 - lift_hips_px, -66.0);
        set(RIGHT_HIP, 318.0, 259.0 - lift_hips_px, 66.0);
        set(LEFT_KNEE, 259.0, 200.0, -90.0);
        set(RIGHT_KNEE, 262.0, 197.0, 30.0);
        set(LEFT_ANKLE, 210.0, 278.0, -40.0);
        set(RIGHT_ANKLE, 219.0, 265.0, 100.0);
        set(LEFT_WRIST, 305.0, 285.0, -130.0);
        set(RIGHT_WRIST, 308.0, 267.0, 120.0);
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

    fn axes_of(p: &Pose) -> BodyAxes {
        let est = classify(p);
        BodyAxes::calibrate(&[p], &est).unwrap()
    }

    #[test]
    fn lying_axes_point_to_the_head_and_off_the_floor() {
        let p = lying(false, 0.0);
        let axes = axes_of(&p);
        assert_eq!(axes.posture, Posture::Lying);
        assert_eq!(axes.view, View::Side);
        assert!(axes.head_dir.x > 0.99, "{:?}", axes.head_dir);
        assert!(axes.up_dir.y < -0.99, "{:?}", axes.up_dir);
        // Head to the right, face up: the camera sees the left side.
        assert_eq!(axes.near_side, Some(Side::Left));
        assert!(!axes.labels_swapped);
        // The far hip is 12 px above the near one for 132 px of depth (5.2°), the far
        // shoulder 14 px for 210 px (3.8°); by width, 14 px of 106 is 6.6°.
        assert!(
            axes.elevation_deg > 3.5 && axes.elevation_deg < 7.5,
            "{}",
            axes.elevation_deg
        );
        assert!((axes.scale_px - 106.0).abs() < 2.0);
    }

    #[test]
    fn swapped_labels_are_detected_and_undone() {
        let straight = lying(false, 0.0);
        let swapped = lying(true, 0.0);
        let a = axes_of(&straight);
        let b = axes_of(&swapped);
        assert!(b.labels_swapped);
        let fa = BodyFrame::new(&straight, &a);
        let fb = BodyFrame::new(&swapped, &b);
        assert!((fa.hip_roll_torso - fb.hip_roll_torso).abs() < 1e-9);
        assert_eq!(fa.leg_straightness, fb.leg_straightness);
    }

    #[test]
    fn lifting_the_hips_raises_hip_height_and_lowers_the_trunk_angle() {
        let rest = lying(false, 0.0);
        let axes = axes_of(&rest);
        let f0 = BodyFrame::new(&rest, &axes);
        let f1 = BodyFrame::new(&lying(false, 20.0), &axes);
        assert!(f1.hip_height_torso - f0.hip_height_torso > 0.15);
        assert!(f1.trunk_angle_deg < f0.trunk_angle_deg - 5.0);
        assert!(f1.hip_angle_deg > f0.hip_angle_deg + 5.0);
    }

    #[test]
    fn mirror_index_pairs_every_side_landmark() {
        for i in 0..LANDMARK_COUNT {
            assert_eq!(mirror_index(mirror_index(i)), i);
        }
        assert_eq!(mirror_index(index::LEFT_HIP), index::RIGHT_HIP);
        assert_eq!(
            mirror_index(index::RIGHT_FOOT_INDEX),
            index::LEFT_FOOT_INDEX
        );
        assert_eq!(mirror_index(index::NOSE), index::NOSE);
    }

    #[test]
    fn upright_axes_have_left_toward_the_left_hip() {
        let mut landmarks = [Landmark {
            visibility: 1.0,
            presence: 1.0,
            ..Landmark::default()
        }; LANDMARK_COUNT];
        let mut set = |i: usize, x: f32, y: f32| {
            landmarks[i].x_px = x;
            landmarks[i].y_px = y;
        };
        use index::*;
        set(LEFT_SHOULDER, 360.0, 150.0);
        set(RIGHT_SHOULDER, 280.0, 150.0);
        set(LEFT_HIP, 345.0, 260.0);
        set(RIGHT_HIP, 295.0, 266.0);
        set(LEFT_KNEE, 350.0, 300.0);
        set(RIGHT_KNEE, 290.0, 300.0);
        set(LEFT_ANKLE, 350.0, 380.0);
        set(RIGHT_ANKLE, 290.0, 380.0);
        let p = Pose {
            landmarks,
            world: None,
            score: 1.0,
            roi: Roi::default(),
            image_width: 640,
            image_height: 480,
            belly_height_torso: None,
            pelvis_turn_deg: None,
        };
        let axes = axes_of(&p);
        assert_eq!(axes.view, View::Front);
        assert!(axes.left_dir.x > 0.9);
        let f = BodyFrame::new(&p, &axes);
        // The left hip is 6 px higher: a positive tilt.
        assert!(
            f.hip_line_tilt_deg > 5.0 && f.hip_line_tilt_deg < 9.0,
            "{}",
            f.hip_line_tilt_deg
        );
        assert!(f.shoulder_line_tilt_deg.abs() < 2.0);
    }
}
