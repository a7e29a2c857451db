//! Detect vs track, and everything carried from one frame to the next.
//!
//! MediaPipe's `pose_landmark_cpu` graph runs the person detector only when the previous
//! frame left no ROI (start, or the pose flag fell to 0.5 or below). Otherwise the next
//! ROI comes from the two auxiliary landmarks (hip centre and a point above the head),
//! smoothed by their own One Euro filter, through `AlignmentPointsRects` (target angle
//! 90°) and a square 1.25× enlargement. In flow the landmark model's raw result for a
//! frame (or `None` when the person was lost) and its timestamp; out flow the smoothed
//! [`Pose`] and the ROI to track next. With two people in view it keeps the one it locked
//! onto first — backform keeps coaching the person who started.

use super::landmarks::RawLandmarks;
use super::smoothing::{OneEuroParams, PointsSmoother, VisibilitySmoother};
use super::{LANDMARK_COUNT, Landmark, Pose, Roi, WorldLandmark, normalize_radians};

/// The ROI is the body's alignment square enlarged by this factor (detection and tracking).
pub const ROI_SCALE: f32 = 1.25;
/// Landmark indices of the two auxiliary points: hip centre, then the "virtual" point
/// above the head whose distance from the hip centre sets the body's scale.
pub const AUXILIARY_CENTER: usize = 33;
pub const AUXILIARY_SCALE: usize = 34;

/// MediaPipe's `NormalizedRect`: centre and size as fractions of the image width and
/// height, rotation in radians (clockwise, y down). The pipeline keeps ROIs in this form
/// and does its arithmetic in MediaPipe's order, because the tracking loop feeds each
/// frame's rounding into the next: float-exact steps keep it on MediaPipe's trajectory.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct NormRect {
    pub x_center: f32,
    pub y_center: f32,
    pub width: f32,
    pub height: f32,
    pub rotation_rad: f32,
}

impl NormRect {
    /// `AlignmentPointsRectsCalculator` (target angle 90°): a square centred on `center`
    /// whose half side is the distance to `scale_point` (both image-normalised), rotated so
    /// that the centre → scale-point vector points up.
    pub fn from_alignment_points(
        center: [f32; 2],
        scale_point: [f32; 2],
        image_width: u32,
        image_height: u32,
    ) -> Self {
        let (w, h) = (image_width as f32, image_height as f32);
        let (x_center, y_center) = (center[0] * w, center[1] * h);
        let (x_scale, y_scale) = (scale_point[0] * w, scale_point[1] * h);
        let (dx, dy) = (x_scale - x_center, y_scale - y_center);
        let box_size = (dx * dx + dy * dy).sqrt() * 2.0;
        // M_PI * 90 / 180.f in double, stored in a float member.
        let target_angle_rad = std::f64::consts::FRAC_PI_2 as f32;
        Self {
            x_center: x_center / w,
            y_center: y_center / h,
            width: box_size / w,
            height: box_size / h,
            rotation_rad: normalize_radians(target_angle_rad - (-dy).atan2(dx)),
        }
    }

    /// `RectTransformationCalculator` with `square_long` and scale `scale` (no shift).
    pub fn squared_and_scaled(self, image_width: u32, image_height: u32, scale: f32) -> Self {
        let (w, h) = (image_width as f32, image_height as f32);
        let long_side = (self.width * w).max(self.height * h);
        Self {
            width: long_side / w * scale,
            height: long_side / h * scale,
            ..self
        }
    }

    /// The rectangle in pixels (`ImageToTensor`'s `GetRoi`).
    pub fn to_roi(self, image_width: u32, image_height: u32) -> Roi {
        let (w, h) = (image_width as f32, image_height as f32);
        Roi {
            center_x_px: self.x_center * w,
            center_y_px: self.y_center * h,
            width_px: self.width * w,
            height_px: self.height * h,
            rotation_rad: self.rotation_rad,
        }
    }

    /// `GetObjectScale`: the mean side in pixels.
    pub fn mean_side_px(self, image_width: u32, image_height: u32) -> f32 {
        (self.width * image_width as f32 + self.height * image_height as f32) / 2.0
    }
}

/// The ROI the landmark model should see for a body whose auxiliary landmarks are
/// `center` (hip centre) and `scale_point` (above the head), image-normalised.
pub fn rect_from_auxiliary(
    center: [f32; 2],
    scale_point: [f32; 2],
    image_width: u32,
    image_height: u32,
) -> NormRect {
    NormRect::from_alignment_points(center, scale_point, image_width, image_height)
        .squared_and_scaled(image_width, image_height, ROI_SCALE)
}

/// At most this many extra landmark runs settle the ROI after a detection
/// ([`settled_rect`]): each run closes about a third of the gap from the detector's box
/// (measured on a rendered lying body whose box was 44 px too wide at the first run).
pub const SETTLE_MAX_RUNS: usize = 8;
/// The ROI has settled once a run moves it by less than this share of its side (the
/// unfiltered runs then swing about where tracking will hold it, by ~1% of the side).
const SETTLED_SHARE: f32 = 0.01;

/// The ROI the landmark model's own result `raw` asks for next, if it is not yet where
/// `raw` was read (a run after a detection: the detector's box is not where the
/// landmarks put the body); `None` once it has settled.
pub fn settled_rect(raw: &RawLandmarks, image_width: u32, image_height: u32) -> Option<NormRect> {
    let [center, scale_point] = auxiliary_points(raw);
    let next = rect_from_auxiliary(center, scale_point, image_width, image_height);
    let (w, h) = (image_width as f32, image_height as f32);
    let side = raw.rect.mean_side_px(image_width, image_height);
    let moved = ((next.x_center - raw.rect.x_center) * w)
        .hypot((next.y_center - raw.rect.y_center) * h)
        .max((next.mean_side_px(image_width, image_height) - side).abs());
    (moved > SETTLED_SHARE * side).then_some(next)
}

/// The two auxiliary points (hip centre, above the head), image-normalised, unsmoothed.
fn auxiliary_points(raw: &RawLandmarks) -> [[f32; 2]; 2] {
    [AUXILIARY_CENTER, AUXILIARY_SCALE].map(|i| {
        let [x, y, _] = raw.points[i];
        [x, y]
    })
}

/// State carried between frames: the ROI to track and the smoothing filters.
#[derive(Clone, Debug)]
pub struct Tracker {
    rect_from_landmarks: Option<NormRect>,
    smoothing: bool,
    landmarks: PointsSmoother,
    landmark_visibility: VisibilitySmoother,
    world: PointsSmoother,
    auxiliary: PointsSmoother,
}

impl Tracker {
    /// `smoothing` switches the landmark, visibility and world filters (MediaPipe's
    /// `smooth_landmarks`); the auxiliary filter that steers the ROI always runs, as there.
    pub fn new(smoothing: bool) -> Self {
        Self {
            rect_from_landmarks: None,
            smoothing,
            landmarks: PointsSmoother::new(OneEuroParams::LANDMARKS),
            landmark_visibility: VisibilitySmoother::new(VisibilitySmoother::POSE_ALPHA),
            world: PointsSmoother::new(OneEuroParams::WORLD_LANDMARKS),
            auxiliary: PointsSmoother::new(OneEuroParams::AUXILIARY_LANDMARKS),
        }
    }

    /// The ROI to run the landmark model on without detecting, when a person is tracked.
    pub fn tracked_rect(&self) -> Option<NormRect> {
        self.rect_from_landmarks
    }

    /// Forgets the person: the next frame runs the detector and filters start afresh.
    pub fn reset(&mut self) {
        self.rect_from_landmarks = None;
        self.landmarks.reset();
        self.landmark_visibility.reset();
        self.world.reset();
        self.auxiliary.reset();
    }

    /// Takes this frame's landmark result (`None` when no person passed the pose flag)
    /// and returns the smoothed pose, updating the ROI to track next.
    pub fn update(
        &mut self,
        raw: Option<&RawLandmarks>,
        timestamp_us: i64,
        image_width: u32,
        image_height: u32,
    ) -> Option<Pose> {
        let Some(raw) = raw else {
            // MediaPipe resets every filter on a frame without landmarks.
            self.reset();
            return None;
        };
        let (w, h) = (image_width as f32, image_height as f32);
        // The filters work in pixels (z on the x scale), as `LandmarksSmoothingCalculator`.
        let to_px = |[x, y, z]: [f32; 3]| [x * w, y * h, z * w];
        let [center, scale_point] = auxiliary_points(raw);
        // Object scale: the unenlarged alignment square of the *unsmoothed* auxiliary points.
        let object_scale_px =
            NormRect::from_alignment_points(center, scale_point, image_width, image_height)
                .mean_side_px(image_width, image_height);

        // The auxiliary filter always runs: it steers the next frame's ROI.
        let mut auxiliary = [
            to_px(raw.points[AUXILIARY_CENTER]),
            to_px(raw.points[AUXILIARY_SCALE]),
        ];
        self.auxiliary
            .apply(&mut auxiliary, timestamp_us, object_scale_px);
        let [center, scale_point] = auxiliary.map(|[x, y, _]| [x / w, y / h]);
        self.rect_from_landmarks = Some(rect_from_auxiliary(
            center,
            scale_point,
            image_width,
            image_height,
        ));

        let mut points: [[f32; 3]; LANDMARK_COUNT] = [[0.0; 3]; LANDMARK_COUNT];
        for (point, raw_point) in points.iter_mut().zip(&raw.points) {
            *point = to_px(*raw_point);
        }
        let mut visibility: [f32; LANDMARK_COUNT] = [0.0; LANDMARK_COUNT];
        visibility.copy_from_slice(&raw.visibility[..LANDMARK_COUNT]);
        let mut world: [[f32; 3]; LANDMARK_COUNT] = [[0.0; 3]; LANDMARK_COUNT];
        world.copy_from_slice(&raw.world_m[..LANDMARK_COUNT]);
        if self.smoothing {
            self.landmark_visibility.apply(&mut visibility);
            self.landmarks
                .apply(&mut points, timestamp_us, object_scale_px);
            self.world.apply(&mut world, timestamp_us, 1.0);
        }

        let mut landmarks = [Landmark::default(); LANDMARK_COUNT];
        for (i, landmark) in landmarks.iter_mut().enumerate() {
            *landmark = Landmark {
                x_px: points[i][0],
                y_px: points[i][1],
                z: points[i][2],
                visibility: visibility[i],
                presence: raw.presence[i],
            };
        }
        let world = world.map(|[x_m, y_m, z_m]| WorldLandmark { x_m, y_m, z_m });
        Some(Pose {
            landmarks,
            world: Some(world),
            score: raw.pose_flag,
            roi: raw.rect.to_roi(image_width, image_height),
            image_width,
            image_height,
            belly_height_torso: raw.belly_height_torso,
            pelvis_turn_deg: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f32::consts::{FRAC_PI_2, PI};

    fn roi(center_px: [f32; 2], scale_px: [f32; 2]) -> Roi {
        let (w, h) = (1000, 800);
        let norm = |[x, y]: [f32; 2]| [x / w as f32, y / h as f32];
        rect_from_auxiliary(norm(center_px), norm(scale_px), w, h).to_roi(w, h)
    }

    #[test]
    fn upright_body_gives_an_unrotated_square() {
        // Hip centre at (500, 600), head point 200 px straight above.
        let roi = roi([500.0, 600.0], [500.0, 400.0]);
        assert!((roi.center_x_px - 500.0).abs() < 1e-3 && (roi.center_y_px - 600.0).abs() < 1e-3);
        // Side: 2 × 200 px × 1.25, square in pixels.
        assert!((roi.width_px - 500.0).abs() < 1e-3 && (roi.height_px - 500.0).abs() < 1e-3);
        assert!(roi.rotation_rad.abs() < 1e-6, "{}", roi.rotation_rad);
    }

    #[test]
    fn lying_body_rotates_the_roi_a_quarter_turn() {
        // Head to the right of the hips (y down): the body lies along +x.
        let roi_right = roi([300.0, 400.0], [500.0, 400.0]);
        assert!(
            (roi_right.rotation_rad - FRAC_PI_2).abs() < 1e-6,
            "{}",
            roi_right.rotation_rad
        );
        // Head to the left: a quarter turn the other way.
        let roi_left = roi([300.0, 400.0], [100.0, 400.0]);
        assert!(
            (roi_left.rotation_rad + FRAC_PI_2).abs() < 1e-6,
            "{}",
            roi_left.rotation_rad
        );
        // Upside down: half a turn, wrapped into [-π, π).
        let roi_down = roi([300.0, 400.0], [300.0, 600.0]);
        assert!(
            (roi_down.rotation_rad.abs() - PI).abs() < 1e-6,
            "{}",
            roi_down.rotation_rad
        );
    }

    #[test]
    fn object_scale_is_the_unenlarged_square() {
        let rect = NormRect::from_alignment_points([0.0, 0.0], [0.03, 0.05], 1000, 800);
        // (30, 40) px apart: half side 50 px.
        assert!((rect.mean_side_px(1000, 800) - 100.0).abs() < 1e-3);
    }

    #[test]
    fn losing_the_pose_forgets_the_roi() {
        let mut tracker = Tracker::new(true);
        let raw = RawLandmarks::synthetic_upright();
        assert!(tracker.update(Some(&raw), 33_333, 640, 480).is_some());
        assert!(tracker.tracked_rect().is_some());
        assert!(tracker.update(None, 66_666, 640, 480).is_none());
        assert!(tracker.tracked_rect().is_none());
    }
}
