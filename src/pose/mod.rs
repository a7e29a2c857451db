//! Pose estimation: a faithful port of MediaPipe's BlazePose pipeline on ONNX Runtime.
//!
//! In flows a [`crate::capture::Frame`]; out flows an optional [`Pose`] (33 landmarks in
//! image pixels, world landmarks in metres, the pose score and the ROI it came from).
//! Submodules: `model` (ort sessions, runtime lookup), `detector` (anchors, decode,
//! NMS), `landmarks` (ROI warp, decode, refine, project back), `tracker` (detect vs
//! track), `smoothing` (One Euro). Nothing downstream sees pixels or tensors.

pub mod jsonl;

/// Number of body landmarks BlazePose reports.
pub const LANDMARK_COUNT: usize = 33;

/// BlazePose landmark indices ("left" is the subject's left, as in MediaPipe).
pub mod index {
    pub const NOSE: usize = 0;
    pub const LEFT_EYE_INNER: usize = 1;
    pub const LEFT_EYE: usize = 2;
    pub const LEFT_EYE_OUTER: usize = 3;
    pub const RIGHT_EYE_INNER: usize = 4;
    pub const RIGHT_EYE: usize = 5;
    pub const RIGHT_EYE_OUTER: usize = 6;
    pub const LEFT_EAR: usize = 7;
    pub const RIGHT_EAR: usize = 8;
    pub const MOUTH_LEFT: usize = 9;
    pub const MOUTH_RIGHT: usize = 10;
    pub const LEFT_SHOULDER: usize = 11;
    pub const RIGHT_SHOULDER: usize = 12;
    pub const LEFT_ELBOW: usize = 13;
    pub const RIGHT_ELBOW: usize = 14;
    pub const LEFT_WRIST: usize = 15;
    pub const RIGHT_WRIST: usize = 16;
    pub const LEFT_PINKY: usize = 17;
    pub const RIGHT_PINKY: usize = 18;
    pub const LEFT_INDEX: usize = 19;
    pub const RIGHT_INDEX: usize = 20;
    pub const LEFT_THUMB: usize = 21;
    pub const RIGHT_THUMB: usize = 22;
    pub const LEFT_HIP: usize = 23;
    pub const RIGHT_HIP: usize = 24;
    pub const LEFT_KNEE: usize = 25;
    pub const RIGHT_KNEE: usize = 26;
    pub const LEFT_ANKLE: usize = 27;
    pub const RIGHT_ANKLE: usize = 28;
    pub const LEFT_HEEL: usize = 29;
    pub const RIGHT_HEEL: usize = 30;
    pub const LEFT_FOOT_INDEX: usize = 31;
    pub const RIGHT_FOOT_INDEX: usize = 32;
}

/// Landmark names in index order, as MediaPipe spells them.
pub const LANDMARK_NAMES: [&str; LANDMARK_COUNT] = [
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
];

/// Skeleton edges for drawing (pairs of landmark indices), as MediaPipe's POSE_CONNECTIONS.
pub const SKELETON_EDGES: [(usize, usize); 35] = [
    (0, 1),
    (1, 2),
    (2, 3),
    (3, 7),
    (0, 4),
    (4, 5),
    (5, 6),
    (6, 8),
    (9, 10),
    (11, 12),
    (11, 13),
    (13, 15),
    (15, 17),
    (15, 19),
    (15, 21),
    (17, 19),
    (12, 14),
    (14, 16),
    (16, 18),
    (16, 20),
    (16, 22),
    (18, 20),
    (11, 23),
    (12, 24),
    (23, 24),
    (23, 25),
    (24, 26),
    (25, 27),
    (26, 28),
    (27, 29),
    (28, 30),
    (29, 31),
    (30, 32),
    (27, 31),
    (28, 32),
];

/// One body landmark in image space.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Landmark {
    /// Image pixels, origin top-left.
    pub x_px: f32,
    pub y_px: f32,
    /// Depth relative to the hips, on the same scale as `x_px` (MediaPipe's normalised z × image width).
    pub z: f32,
    /// Probability the point is visible (not occluded), smoothed over time.
    pub visibility: f32,
    /// Probability the point is inside the frame.
    pub presence: f32,
}

/// One landmark in metres, origin at the hip centre (MediaPipe's world landmarks,
/// rotated back by the ROI's rotation so a person lying down lies down here too).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WorldLandmark {
    pub x_m: f32,
    pub y_m: f32,
    pub z_m: f32,
}

/// A rotated rectangle in image pixels: where the landmark model looked.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Roi {
    pub center_x_px: f32,
    pub center_y_px: f32,
    pub width_px: f32,
    pub height_px: f32,
    /// Clockwise rotation in image coordinates (y down), radians.
    pub rotation_rad: f32,
}

/// Everything the pipeline knows about the person in one frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Pose {
    pub landmarks: [Landmark; LANDMARK_COUNT],
    /// Metric landmarks; `None` when the source had none (e.g. a landmarks JSONL file).
    pub world: Option<[WorldLandmark; LANDMARK_COUNT]>,
    /// The landmark model's pose flag (probability a person is in the ROI).
    pub score: f32,
    pub roi: Roi,
    /// Size of the image the pixel coordinates refer to.
    pub image_width: u32,
    pub image_height: u32,
}
