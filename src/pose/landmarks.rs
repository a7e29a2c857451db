//! The landmark model: a rotated ROI of the frame in, 39 landmarks in image pixels out.
//!
//! In flow a frame (as an OpenCV view of its RGB bytes) and a [`Roi`]; out flow
//! [`RawLandmarks`]: 39 points (33 body, 2 auxiliary ROI points, 4 unused) projected back
//! into image pixels, their visibility and presence, world landmarks in metres rotated back
//! by the ROI's rotation, and the pose flag. This is MediaPipe's `PoseLandmarkByRoiCpu`:
//! `ImageToTensor` (perspective warp of the rotated ROI to 256×256, bilinear, replicated
//! border, values in [0, 1]), `TensorsToLandmarks` (sigmoid on visibility and presence),
//! `RefineLandmarksFromHeatmap`, `LandmarkProjection` and `WorldLandmarkProjection`.

use std::time::Instant;

use ndarray::Array4;
use opencv::core::{BORDER_REPLICATE, ToInputArray};
use ort::session::Session;
use ort::value::TensorRef;

use super::model::{self, Letterbox, ModelVariant, TensorSpec};
use super::tracker::NormRect;
use super::{PoseError, StageTimings};

/// Side of the square crop the landmark model reads, pixels.
pub const INPUT_SIZE: usize = 256;
/// Side of the heatmap the model writes (one channel per landmark), cells.
pub const HEATMAP_SIZE: usize = 64;
/// Landmarks the model outputs: 33 body points, 2 auxiliary ROI points, 4 more.
pub const MODEL_LANDMARKS: usize = 39;
/// Values per landmark in `Identity`: x, y, z (crop px), visibility and presence logits.
const VALUES_PER_LANDMARK: usize = 5;
/// Heatmap window MediaPipe's shipped pipeline behaves as using. The graph text says 7,
/// but its options are not applied and the calculator's default, 9, is what runs: 9
/// matches the reference landmarks (see tests/pose_accuracy.rs), 7 does not.
pub const HEATMAP_KERNEL_SIZE: usize = 9;
/// Only refine a landmark whose heatmap window holds a confident cell (MediaPipe default).
const MIN_CONFIDENCE_TO_REFINE: f32 = 0.5;

const INPUTS: [TensorSpec; 1] = [TensorSpec {
    name: "input_1",
    shape: &[-1, INPUT_SIZE as i64, INPUT_SIZE as i64, 3],
}];
/// The segmentation logits, kept only in the `_seg` model (see `super::silhouette`).
const SEGMENTATION: TensorSpec = TensorSpec {
    name: "Identity_2",
    shape: &[-1, INPUT_SIZE as i64, INPUT_SIZE as i64, 1],
};
const OUTPUTS: [TensorSpec; 4] = [
    TensorSpec {
        name: "Identity",
        shape: &[-1, (MODEL_LANDMARKS * VALUES_PER_LANDMARK) as i64],
    },
    TensorSpec {
        name: "Identity_1",
        shape: &[-1, 1],
    },
    TensorSpec {
        name: "Identity_3",
        shape: &[
            -1,
            HEATMAP_SIZE as i64,
            HEATMAP_SIZE as i64,
            MODEL_LANDMARKS as i64,
        ],
    },
    TensorSpec {
        name: "Identity_4",
        shape: &[-1, (MODEL_LANDMARKS * 3) as i64],
    },
];

/// What the landmark model saw in one ROI, in image coordinates, before smoothing.
#[derive(Clone, Debug, PartialEq)]
pub struct RawLandmarks {
    /// Image-normalised x (of the width), y (of the height) and z (of the width), as
    /// MediaPipe's projected `NormalizedLandmark`s.
    pub points: [[f32; 3]; MODEL_LANDMARKS],
    /// Probability each point is visible (sigmoid of the model's logit).
    pub visibility: [f32; MODEL_LANDMARKS],
    /// Probability each point is inside the frame.
    pub presence: [f32; MODEL_LANDMARKS],
    /// Metres, hip-centred, rotated back by the ROI's rotation.
    pub world_m: [[f32; 3]; MODEL_LANDMARKS],
    /// Probability that a person fills the ROI.
    pub pose_flag: f32,
    /// The ROI the model looked at.
    pub rect: NormRect,
    /// The belly's silhouette edge above the trunk line, torso lengths, when the
    /// segmentation output was asked for and could be read (`super::silhouette`).
    pub belly_height_torso: Option<f32>,
}

impl RawLandmarks {
    /// An upright stick figure, for tests.
    #[cfg(test)]
    pub(crate) fn synthetic_upright() -> Self {
        let mut points = [[0.5, 0.5, 0.0]; MODEL_LANDMARKS];
        points[super::tracker::AUXILIARY_CENTER] = [0.5, 0.6, 0.0];
        points[super::tracker::AUXILIARY_SCALE] = [0.5, 0.2, 0.0];
        Self {
            points,
            visibility: [0.9; MODEL_LANDMARKS],
            presence: [0.9; MODEL_LANDMARKS],
            world_m: [[0.0; 3]; MODEL_LANDMARKS],
            pose_flag: 0.99,
            rect: NormRect::default(),
            belly_height_torso: None,
        }
    }
}

/// A landmark in the crop, normalised to [0, 1] of its side (MediaPipe's NormalizedLandmark).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CropLandmark {
    pub x: f32,
    pub y: f32,
    /// Crop pixels / crop side, like x.
    pub z: f32,
    pub visibility: f32,
    pub presence: f32,
}

fn sigmoid(logit: f32) -> f32 {
    1.0 / (1.0 + (-logit).exp())
}

/// `TensorsToLandmarksCalculator`: crop pixels → normalised crop coordinates, sigmoid on
/// visibility and presence.
pub fn decode_landmarks(raw: &[f32]) -> [CropLandmark; MODEL_LANDMARKS] {
    let side = INPUT_SIZE as f32;
    let mut out = [CropLandmark::default(); MODEL_LANDMARKS];
    for (landmark, values) in out.iter_mut().zip(raw.chunks_exact(VALUES_PER_LANDMARK)) {
        *landmark = CropLandmark {
            x: values[0] / side,
            y: values[1] / side,
            z: values[2] / side,
            visibility: sigmoid(values[3]),
            presence: sigmoid(values[4]),
        };
    }
    out
}

/// `RefineLandmarksFromHeatmapCalculator`: moves each landmark to the confidence-weighted
/// centre of a `kernel_size`² window of its heatmap channel (HWC logits, 64×64×39).
pub fn refine_from_heatmap(landmarks: &mut [CropLandmark], heatmap: &[f32], kernel_size: usize) {
    let (rows, cols, channels) = (HEATMAP_SIZE as i32, HEATMAP_SIZE as i32, landmarks.len());
    if heatmap.len() != HEATMAP_SIZE * HEATMAP_SIZE * channels {
        return;
    }
    let offset = (kernel_size as i32 - 1) / 2;
    for (channel, landmark) in landmarks.iter_mut().enumerate() {
        // C++ int conversion truncates toward zero, as `as` does.
        let center_col = (landmark.x * cols as f32) as i32;
        let center_row = (landmark.y * rows as f32) as i32;
        if center_col < 0 || center_col >= cols || center_row < 0 || center_row >= rows {
            continue;
        }
        let (mut sum, mut weighted_col, mut weighted_row, mut max_confidence) =
            (0.0f32, 0.0f32, 0.0f32, 0.0f32);
        for row in (center_row - offset).max(0)..(center_row + offset + 1).min(rows) {
            for col in (center_col - offset).max(0)..(center_col + offset + 1).min(cols) {
                let index = (row * cols + col) as usize * channels + channel;
                let confidence = sigmoid(heatmap[index]);
                sum += confidence;
                max_confidence = max_confidence.max(confidence);
                weighted_col += col as f32 * confidence;
                weighted_row += row as f32 * confidence;
            }
        }
        if max_confidence >= MIN_CONFIDENCE_TO_REFINE && sum > 0.0 {
            landmark.x = weighted_col / cols as f32 / sum;
            landmark.y = weighted_row / rows as f32 / sum;
        }
    }
}

/// `LandmarkLetterboxRemovalCalculator`: crop-normalised → ROI-normalised (the padding
/// that made the ROI fit the square input; zero or nearly so for the square pose ROI).
pub fn remove_letterbox(landmark: &mut CropLandmark, letterbox: &Letterbox) {
    let horizontal = 1.0 - (letterbox.left + letterbox.right);
    let vertical = 1.0 - (letterbox.top + letterbox.bottom);
    landmark.x = (landmark.x - letterbox.left) / horizontal;
    landmark.y = (landmark.y - letterbox.top) / vertical;
    landmark.z /= horizontal;
}

/// `LandmarkProjectionCalculator`: a ROI-normalised landmark into image-normalised
/// coordinates (rotate about the crop centre, scale to the ROI, move to its centre).
/// z is scaled like x: times the image width it is MediaPipe's pixel-scale z.
pub fn project_to_image(landmark: &CropLandmark, rect: &NormRect) -> [f32; 3] {
    let (x, y) = (landmark.x - 0.5, landmark.y - 0.5);
    let angle = rect.rotation_rad;
    let rotated_x = angle.cos() * x - angle.sin() * y;
    let rotated_y = angle.sin() * x + angle.cos() * y;
    [
        rotated_x * rect.width + rect.x_center,
        rotated_y * rect.height + rect.y_center,
        landmark.z * rect.width,
    ]
}

/// `WorldLandmarkProjectionCalculator`: world landmarks come out in the crop's frame;
/// rotate them by the ROI's rotation so a person lying down lies down here too.
pub fn project_world(point_m: [f32; 3], rect: &NormRect) -> [f32; 3] {
    let (sin, cos) = (rect.rotation_rad.sin(), rect.rotation_rad.cos());
    let [x, y, z] = point_m;
    [cos * x - sin * y, sin * x + cos * y, z]
}

/// The landmark model with its reusable buffers.
pub struct LandmarkModel {
    session: Session,
    variant: ModelVariant,
    /// The file the session runs (the variant's, or its `_seg` twin).
    file: &'static str,
    segmentation: bool,
    /// The warped crop, RGB8, reused every frame.
    crop_rgb: Vec<u8>,
    /// The model input, NHWC float in [0, 1], reused every frame.
    input: Array4<f32>,
    kernel_size: usize,
}

impl LandmarkModel {
    /// Opens `pose_landmark_{lite,full}.onnx` from the models folder, or with
    /// `segmentation` the variant's twin that keeps the segmentation output (Full only:
    /// Lite has none, and then no belly edge is read).
    pub fn open(
        environment: &ort::environment::Environment,
        models_dir: Option<&std::path::Path>,
        variant: ModelVariant,
        intra_threads: usize,
        segmentation: bool,
    ) -> Result<Self, PoseError> {
        let segmentation_file = variant.segmentation_file().filter(|_| segmentation);
        let file = segmentation_file.unwrap_or(variant.landmark_file());
        let path = model::find_model(models_dir, file)?;
        let mut outputs = OUTPUTS.to_vec();
        if segmentation_file.is_some() {
            outputs.push(SEGMENTATION);
        } else if segmentation {
            tracing::warn!(
                model = variant.name(),
                "this pose model has no segmentation output: the belly edge is not read"
            );
        }
        let session = model::open_session(environment, &path, intra_threads, &INPUTS, &outputs)?;
        Ok(Self {
            session,
            variant,
            file,
            segmentation: segmentation_file.is_some(),
            crop_rgb: vec![0; INPUT_SIZE * INPUT_SIZE * 3],
            input: Array4::zeros((1, INPUT_SIZE, INPUT_SIZE, 3)),
            kernel_size: HEATMAP_KERNEL_SIZE,
        })
    }

    pub fn variant(&self) -> ModelVariant {
        self.variant
    }

    /// Whether each result carries the belly edge.
    pub fn reads_segmentation(&self) -> bool {
        self.segmentation
    }

    /// Overrides the heatmap window (for comparing against MediaPipe; default 9).
    pub fn set_heatmap_kernel_size(&mut self, kernel_size: usize) {
        self.kernel_size = kernel_size.max(1);
    }

    /// Runs the model on `rect` of `image` (an RGB8 view of a `width`×`height` frame).
    /// `None` when the pose flag is at or below `min_pose_flag`, as MediaPipe's gate drops
    /// those landmarks. Adds its time to `timings` (preprocess, inference, postprocess).
    pub fn run(
        &mut self,
        image: &impl ToInputArray,
        rect: &NormRect,
        width: u32,
        height: u32,
        min_pose_flag: f32,
        timings: &mut StageTimings,
    ) -> Result<Option<RawLandmarks>, PoseError> {
        let started = Instant::now();
        let (padded_roi, letterbox) = model::pad_roi(rect.to_roi(width, height));
        model::rotated_crop(
            image,
            &padded_roi,
            INPUT_SIZE,
            BORDER_REPLICATE,
            &mut self.crop_rgb,
        )?;
        model::to_input_range(&self.crop_rgb, &mut self.input, 0.0, 1.0);
        let inferring = Instant::now();
        timings.preprocess += inferring - started;

        let inference_error = |e: ort::Error| PoseError::Inference {
            model: self.file.to_string(),
            reason: e.to_string(),
        };
        let input = TensorRef::from_array_view(&self.input).map_err(inference_error)?;
        let outputs = self
            .session
            .run(ort::inputs!["input_1" => input])
            .map_err(inference_error)?;
        let decoding = Instant::now();
        timings.landmark += decoding - inferring;

        let tensor = |name: &str| -> Result<&[f32], PoseError> {
            let value = outputs.get(name).ok_or_else(|| PoseError::Inference {
                model: self.file.to_string(),
                reason: format!("output `{name}` missing"),
            })?;
            value
                .try_extract_tensor::<f32>()
                .map(|(_, data)| data)
                .map_err(|e| PoseError::Inference {
                    model: self.file.to_string(),
                    reason: e.to_string(),
                })
        };
        let pose_flag = tensor("Identity_1")?.first().copied().unwrap_or(0.0);
        // ThresholdingCalculator accepts only a flag strictly above the threshold.
        let result = if pose_flag > min_pose_flag {
            let mut crop = decode_landmarks(tensor("Identity")?);
            refine_from_heatmap(&mut crop, tensor("Identity_3")?, self.kernel_size);
            // Before the letterbox comes off: the mask shares the padded crop's frame.
            let belly_height_torso = if self.segmentation {
                let reading = Instant::now();
                let mask = super::silhouette::Mask {
                    logits: tensor(SEGMENTATION.name)?,
                    side: INPUT_SIZE,
                };
                let belly = belly_edge(&mask, &crop, rect.rotation_rad);
                timings.silhouette += reading.elapsed();
                belly
            } else {
                None
            };
            let world = tensor("Identity_4")?;
            let mut raw = RawLandmarks {
                points: [[0.0; 3]; MODEL_LANDMARKS],
                visibility: [0.0; MODEL_LANDMARKS],
                presence: [0.0; MODEL_LANDMARKS],
                world_m: [[0.0; 3]; MODEL_LANDMARKS],
                pose_flag,
                rect: *rect,
                belly_height_torso,
            };
            for (i, landmark) in crop.iter_mut().enumerate() {
                remove_letterbox(landmark, &letterbox);
                raw.points[i] = project_to_image(landmark, rect);
                raw.visibility[i] = landmark.visibility;
                raw.presence[i] = landmark.presence;
                if let Some(point) = world.get(i * 3..i * 3 + 3) {
                    raw.world_m[i] = project_world([point[0], point[1], point[2]], rect);
                }
            }
            Some(raw)
        } else {
            None
        };
        drop(outputs);
        timings.postprocess += decoding.elapsed();
        Ok(result)
    }
}

/// The belly edge from the crop's hip and shoulder midpoints. The crop is the image turned
/// by `rotation_rad` (see [`project_to_image`]), so the image's up, (0, −1), is
/// (−sin, −cos) in it.
fn belly_edge(
    mask: &super::silhouette::Mask,
    crop: &[CropLandmark],
    rotation_rad: f32,
) -> Option<f32> {
    use super::index;
    let mid = |a: usize, b: usize| {
        let (a, b) = (crop.get(a)?, crop.get(b)?);
        Some([0.5 * (a.x + b.x), 0.5 * (a.y + b.y)])
    };
    let hip = mid(index::LEFT_HIP, index::RIGHT_HIP)?;
    let shoulder = mid(index::LEFT_SHOULDER, index::RIGHT_SHOULDER)?;
    let up = [-rotation_rad.sin(), -rotation_rad.cos()];
    super::silhouette::belly_height(mask, hip, shoulder, up)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_crop_pixels_and_logits() {
        let mut raw = vec![0.0; MODEL_LANDMARKS * VALUES_PER_LANDMARK];
        raw[..5].copy_from_slice(&[128.0, 64.0, -25.6, 0.0, 100.0]);
        let landmarks = decode_landmarks(&raw);
        assert_eq!(landmarks[0].x, 0.5);
        assert_eq!(landmarks[0].y, 0.25);
        assert!((landmarks[0].z + 0.1).abs() < 1e-6);
        assert_eq!(landmarks[0].visibility, 0.5);
        assert!(landmarks[0].presence > 0.999);
    }

    fn heatmap_with_peak(channel: usize, row: usize, col: usize, channels: usize) -> Vec<f32> {
        let mut heatmap = vec![-10.0; HEATMAP_SIZE * HEATMAP_SIZE * channels];
        for (dr, dc, logit) in [(0i32, 0i32, 4.0f32), (0, 1, 2.0), (1, 0, 2.0), (1, 1, 1.0)] {
            let r = (row as i32 + dr) as usize;
            let c = (col as i32 + dc) as usize;
            heatmap[(r * HEATMAP_SIZE + c) * channels + channel] = logit;
        }
        heatmap
    }

    #[test]
    fn refinement_moves_a_landmark_to_the_heatmap_peak() {
        let channels = 2;
        let heatmap = heatmap_with_peak(1, 20, 30, channels);
        let mut landmarks = [CropLandmark::default(); 2];
        // Landmark 1 starts 2 cells off the peak, inside the 9-cell window.
        landmarks[1].x = 32.2 / 64.0;
        landmarks[1].y = 18.7 / 64.0;
        landmarks[0].x = 0.5;
        landmarks[0].y = 0.5;
        refine_from_heatmap(&mut landmarks, &heatmap, 9);
        // The weighted centre lies between the peak (20, 30) and its neighbours, and the
        // tiny sigmoid(-10) background pulls it slightly towards the window's centre.
        let (col, row) = (landmarks[1].x * 64.0, landmarks[1].y * 64.0);
        assert!(
            (col - 30.3).abs() < 0.3 && (row - 20.3).abs() < 0.3,
            "({col}, {row})"
        );
        // Landmark 0's channel has no confident cell: left alone.
        assert_eq!((landmarks[0].x, landmarks[0].y), (0.5, 0.5));
    }

    #[test]
    fn refinement_skips_landmarks_outside_the_heatmap() {
        let heatmap = heatmap_with_peak(0, 0, 0, 1);
        let mut landmarks = [CropLandmark {
            x: 1.2,
            y: 0.1,
            ..CropLandmark::default()
        }];
        refine_from_heatmap(&mut landmarks, &heatmap, 9);
        assert_eq!(landmarks[0].x, 1.2);
    }

    #[test]
    fn projection_rotates_about_the_roi_centre() {
        // A 200 px square ROI centred at (400, 300) of an 800×600 image, a quarter turn.
        let rect = NormRect {
            x_center: 0.5,
            y_center: 0.5,
            width: 0.25,
            height: 200.0 / 600.0,
            rotation_rad: std::f32::consts::FRAC_PI_2,
        };
        // The crop's top centre (the head of an upright crop) …
        let top = CropLandmark {
            x: 0.5,
            y: 0.0,
            z: 0.1,
            ..CropLandmark::default()
        };
        let [x, y, z] = project_to_image(&top, &rect);
        // … lands right of the centre (the person lies head-right): (500, 300) px.
        assert!(
            (x * 800.0 - 500.0).abs() < 1e-3 && (y * 600.0 - 300.0).abs() < 1e-3,
            "({x}, {y})"
        );
        assert!((z * 800.0 - 20.0).abs() < 1e-4);
        let [wx, wy, wz] = project_world([0.0, -1.0, 0.5], &rect);
        assert!((wx - 1.0).abs() < 1e-6 && wy.abs() < 1e-6 && wz == 0.5);
    }

    #[test]
    fn letterbox_removal_undoes_padding() {
        let letterbox = Letterbox {
            left: 0.1,
            right: 0.1,
            top: 0.0,
            bottom: 0.0,
        };
        let mut landmark = CropLandmark {
            x: 0.1,
            y: 0.3,
            z: 0.8,
            ..CropLandmark::default()
        };
        remove_letterbox(&mut landmark, &letterbox);
        assert!(
            landmark.x.abs() < 1e-6
                && (landmark.y - 0.3).abs() < 1e-6
                && (landmark.z - 1.0).abs() < 1e-6
        );
    }
}
