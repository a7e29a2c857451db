//! The person detector: a whole frame in, the most confident person's ROI out.
//!
//! In flow a frame (an OpenCV view of its RGB bytes); out flow at most one [`Detection`]
//! in image-normalised coordinates and the rotated square [`Roi`] the landmark model should
//! look at. This is MediaPipe's `pose_detection_cpu` + `pose_detection_to_roi` graphs:
//! letterbox to 224×224 (padding value -1), SSD anchors (computed once), box and keypoint
//! decoding, sigmoid scores with clipping, weighted NMS, letterbox removal, then the ROI
//! from keypoint 0 (hip centre) to keypoint 1 (a point above the head), rotated upright
//! (target angle 90°), squared on the long side and enlarged 1.25×. One addition: when
//! nobody passes the score, the mirror image of the same input is asked too (the model is
//! not mirror-symmetric), and its detection is mirrored back.

use std::time::Instant;

use ndarray::Array4;
use opencv::core::{BORDER_CONSTANT, ToInputArray};
use ort::session::Session;
use ort::value::TensorRef;

use super::model::{self, Letterbox, TensorSpec};
use super::tracker::{self, NormRect};
use super::{PoseError, Roi, StageTimings};

/// Side of the square input, pixels.
pub const INPUT_SIZE: usize = 224;
/// Anchors (and so predictions) the model makes.
pub const ANCHOR_COUNT: usize = 2254;
/// Values per prediction: box centre x, y, width, height, then 4 keypoints × (x, y).
const VALUES_PER_BOX: usize = 12;
const KEYPOINTS: usize = 4;
/// `score_clipping_thresh`: logits are clamped to ±100 before the sigmoid.
const SCORE_CLIPPING: f32 = 100.0;
/// `min_suppression_threshold` of the weighted NMS (intersection over union).
const NMS_MIN_SUPPRESSION: f32 = 0.3;

const INPUTS: [TensorSpec; 1] = [TensorSpec {
    name: "input_1",
    shape: &[-1, INPUT_SIZE as i64, INPUT_SIZE as i64, 3],
}];
const OUTPUTS: [TensorSpec; 2] = [
    TensorSpec {
        name: "Identity",
        shape: &[-1, ANCHOR_COUNT as i64, VALUES_PER_BOX as i64],
    },
    TensorSpec {
        name: "Identity_1",
        shape: &[-1, ANCHOR_COUNT as i64, 1],
    },
];

/// An SSD anchor, normalised to the input (centre and size).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Anchor {
    pub x_center: f32,
    pub y_center: f32,
    pub width: f32,
    pub height: f32,
}

/// `SsdAnchorsCalculator` with the pose detector's options: 5 layers, strides 8, 16, 32,
/// 32, 32 on a 224×224 input, aspect ratio 1 plus the interpolated-scale anchor (default
/// `interpolated_scale_aspect_ratio` 1), offsets 0.5, `fixed_anchor_size` (w = h = 1).
pub fn ssd_anchors() -> Vec<Anchor> {
    const STRIDES: [usize; 5] = [8, 16, 32, 32, 32];
    // One aspect ratio plus the interpolated one, per layer with that stride.
    const ANCHORS_PER_LAYER: usize = 2;
    let mut anchors = Vec::with_capacity(ANCHOR_COUNT);
    let mut layer = 0;
    while layer < STRIDES.len() {
        // Consecutive layers with the same stride share one feature map.
        let mut same_stride_layers = 0;
        while layer + same_stride_layers < STRIDES.len()
            && STRIDES[layer + same_stride_layers] == STRIDES[layer]
        {
            same_stride_layers += 1;
        }
        let per_cell = ANCHORS_PER_LAYER * same_stride_layers;
        let cells = INPUT_SIZE.div_ceil(STRIDES[layer]);
        for y in 0..cells {
            for x in 0..cells {
                let anchor = Anchor {
                    x_center: (x as f32 + 0.5) / cells as f32,
                    y_center: (y as f32 + 0.5) / cells as f32,
                    width: 1.0,
                    height: 1.0,
                };
                anchors.extend(std::iter::repeat_n(anchor, per_cell));
            }
        }
        layer += same_stride_layers;
    }
    anchors
}

/// A detected person, normalised to the image (or to the letterboxed input before
/// [`Letterbox::remove`]): bounding box and the 4 keypoints (0 hip centre, 1 above the
/// head, 2–3 for the face/upper body).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Detection {
    pub score: f32,
    pub xmin: f32,
    pub ymin: f32,
    pub width: f32,
    pub height: f32,
    pub keypoints: [[f32; 2]; KEYPOINTS],
}

impl Detection {
    fn xmax(&self) -> f32 {
        self.xmin + self.width
    }

    fn ymax(&self) -> f32 {
        self.ymin + self.height
    }

    fn area(&self) -> f32 {
        self.width * self.height
    }

    /// Intersection over union, as MediaPipe's `OverlapSimilarity` (boxes touching at an
    /// edge intersect with area 0).
    pub fn iou(&self, other: &Self) -> f32 {
        let empty = |d: &Self| d.width < 0.0 || d.height < 0.0;
        if empty(self)
            || empty(other)
            || other.xmax() < self.xmin
            || self.xmax() < other.xmin
            || other.ymax() < self.ymin
            || self.ymax() < other.ymin
        {
            return 0.0;
        }
        let width = self.xmax().min(other.xmax()) - self.xmin.max(other.xmin);
        let height = self.ymax().min(other.ymax()) - self.ymin.max(other.ymin);
        let intersection = width * height;
        let union = self.area() + other.area() - intersection;
        if union > 0.0 {
            intersection / union
        } else {
            0.0
        }
    }

    /// The landmark model's ROI for this (image-normalised) detection in an image of the
    /// given size: `pose_detection_to_roi.pbtxt`, from keypoint 0 (hip centre) to 1.
    pub fn to_rect(&self, image_width: u32, image_height: u32) -> NormRect {
        tracker::rect_from_auxiliary(
            self.keypoints[0],
            self.keypoints[1],
            image_width,
            image_height,
        )
    }

    /// The same detection in the left-right mirror image (normalised coordinates).
    pub fn mirrored(&self) -> Self {
        Self {
            xmin: 1.0 - self.xmax(),
            keypoints: self.keypoints.map(|[x, y]| [1.0 - x, y]),
            ..*self
        }
    }

    /// `DetectionLetterboxRemovalCalculator`: input-normalised → image-normalised.
    pub fn without_letterbox(&self, letterbox: &Letterbox) -> Self {
        let horizontal = 1.0 - (letterbox.left + letterbox.right);
        let vertical = 1.0 - (letterbox.top + letterbox.bottom);
        Self {
            score: self.score,
            xmin: (self.xmin - letterbox.left) / horizontal,
            ymin: (self.ymin - letterbox.top) / vertical,
            width: self.width / horizontal,
            height: self.height / vertical,
            keypoints: self.keypoints.map(|[x, y]| {
                [
                    (x - letterbox.left) / horizontal,
                    (y - letterbox.top) / vertical,
                ]
            }),
        }
    }
}

/// `TensorsToDetectionsCalculator`: raw boxes and score logits → detections whose score
/// passes `min_score`, appended to `out` (which is cleared first).
pub fn decode(
    raw_boxes: &[f32],
    raw_scores: &[f32],
    anchors: &[Anchor],
    min_score: f32,
    out: &mut Vec<Detection>,
) {
    out.clear();
    let scale = INPUT_SIZE as f32; // x_scale = y_scale = w_scale = h_scale = 224
    for ((values, &logit), anchor) in raw_boxes
        .chunks_exact(VALUES_PER_BOX)
        .zip(raw_scores)
        .zip(anchors)
    {
        let score = 1.0 / (1.0 + (-logit.clamp(-SCORE_CLIPPING, SCORE_CLIPPING)).exp());
        if score < min_score {
            continue;
        }
        // reverse_output_order: x, y, w, h.
        let x_center = values[0] / scale * anchor.width + anchor.x_center;
        let y_center = values[1] / scale * anchor.height + anchor.y_center;
        let width = values[2] / scale * anchor.width;
        let height = values[3] / scale * anchor.height;
        let (xmin, ymin) = (x_center - width / 2.0, y_center - height / 2.0);
        let (xmax, ymax) = (x_center + width / 2.0, y_center + height / 2.0);
        let (width, height) = (xmax - xmin, ymax - ymin);
        if width < 0.0 || height < 0.0 || width.is_nan() || height.is_nan() {
            continue;
        }
        let mut keypoints = [[0.0; 2]; KEYPOINTS];
        for (k, keypoint) in keypoints.iter_mut().enumerate() {
            let offset = 4 + k * 2;
            *keypoint = [
                values[offset] / scale * anchor.width + anchor.x_center,
                values[offset + 1] / scale * anchor.height + anchor.y_center,
            ];
        }
        out.push(Detection {
            score,
            xmin,
            ymin,
            width,
            height,
            keypoints,
        });
    }
}

/// Mirrors an RGB8 square image of side `size` left to right, in place.
fn mirror_rows(rgb: &mut [u8], size: usize) {
    for row in rgb.chunks_exact_mut(size * 3) {
        let pixels = row.len() / 3;
        for i in 0..pixels / 2 {
            let j = pixels - 1 - i;
            for c in 0..3 {
                row.swap(3 * i + c, 3 * j + c);
            }
        }
    }
}

/// MediaPipe's weighted non-maximum suppression: the best remaining detection absorbs
/// every detection overlapping it by more than `min_suppression` IoU (itself included),
/// its box and keypoints becoming their score-weighted mean; its score stays its own.
/// Output is in descending score order.
pub fn weighted_nms(detections: &mut [Detection], min_suppression: f32) -> Vec<Detection> {
    detections.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut remaining: Vec<&Detection> = detections.iter().collect();
    let mut kept = Vec::new();
    while let Some(&best) = remaining.first() {
        let (overlapping, rest): (Vec<&Detection>, Vec<&Detection>) = remaining
            .iter()
            .partition(|d| d.iou(best) > min_suppression);
        let mut merged = *best;
        if !overlapping.is_empty() {
            let total: f32 = overlapping.iter().map(|d| d.score).sum();
            let weighted = |f: &dyn Fn(&Detection) -> f32| -> f32 {
                overlapping.iter().map(|d| f(d) * d.score).sum::<f32>() / total
            };
            merged.xmin = weighted(&|d| d.xmin);
            merged.ymin = weighted(&|d| d.ymin);
            merged.width = weighted(&|d| d.xmax()) - merged.xmin;
            merged.height = weighted(&|d| d.ymax()) - merged.ymin;
            for k in 0..KEYPOINTS {
                merged.keypoints[k] = [
                    weighted(&|d| d.keypoints[k][0]),
                    weighted(&|d| d.keypoints[k][1]),
                ];
            }
        }
        kept.push(merged);
        if rest.len() == remaining.len() {
            break;
        }
        remaining = rest;
    }
    kept
}

/// The detector model with its anchors and reusable buffers.
pub struct PoseDetector {
    session: Session,
    anchors: Vec<Anchor>,
    crop_rgb: Vec<u8>,
    input: Array4<f32>,
    candidates: Vec<Detection>,
    min_score: f32,
}

impl PoseDetector {
    /// Opens `pose_detection.onnx` from the models folder. `min_score` is MediaPipe's
    /// `min_detection_confidence` (0.5).
    pub fn open(
        environment: &ort::environment::Environment,
        models_dir: Option<&std::path::Path>,
        intra_threads: usize,
        min_score: f32,
    ) -> Result<Self, PoseError> {
        let path = model::find_model(models_dir, model::DETECTOR_FILE)?;
        let session = model::open_session(environment, &path, intra_threads, &INPUTS, &OUTPUTS)?;
        Ok(Self {
            session,
            anchors: ssd_anchors(),
            crop_rgb: vec![0; INPUT_SIZE * INPUT_SIZE * 3],
            input: Array4::zeros((1, INPUT_SIZE, INPUT_SIZE, 3)),
            candidates: Vec::with_capacity(64),
            min_score,
        })
    }

    /// The most confident person in `image` (an RGB8 view of a `width`×`height` frame), in
    /// image-normalised coordinates. Adds its time to `timings`.
    pub fn detect(
        &mut self,
        image: &impl ToInputArray,
        width: u32,
        height: u32,
        timings: &mut StageTimings,
    ) -> Result<Option<Detection>, PoseError> {
        let started = Instant::now();
        // No ROI: the whole frame (`GetRoi`), padded square.
        let (padded_roi, letterbox) = model::pad_roi(Roi {
            center_x_px: 0.5 * width as f32,
            center_y_px: 0.5 * height as f32,
            width_px: width as f32,
            height_px: height as f32,
            rotation_rad: 0.0,
        });
        // BORDER_ZERO: padding pixels are 0, which the range mapping turns into -1.
        model::rotated_crop(
            image,
            &padded_roi,
            INPUT_SIZE,
            BORDER_CONSTANT,
            &mut self.crop_rgb,
        )?;
        model::to_input_range(&self.crop_rgb, &mut self.input, -1.0, 1.0);
        timings.preprocess += started.elapsed();
        let mut best = self.infer(timings)?;
        if best.is_none() {
            // The detector is not mirror-symmetric: a person lying head-left at a distance
            // can score 0.45 where the same person head-right scores 0.86. A person is a
            // person in either mirror, so before saying "nobody" ask the mirror image.
            // Only here, so a frame the detector already finds stays MediaPipe's.
            let flipping = Instant::now();
            mirror_rows(&mut self.crop_rgb, INPUT_SIZE);
            model::to_input_range(&self.crop_rgb, &mut self.input, -1.0, 1.0);
            timings.preprocess += flipping.elapsed();
            best = self.infer(timings)?.map(|d| d.mirrored());
        }
        Ok(best.map(|d| d.without_letterbox(&letterbox)))
    }

    /// Runs the model on the prepared input: the best detection, input-normalised.
    fn infer(&mut self, timings: &mut StageTimings) -> Result<Option<Detection>, PoseError> {
        let inferring = Instant::now();
        let inference_error = |e: ort::Error| PoseError::Inference {
            model: model::DETECTOR_FILE.to_string(),
            reason: e.to_string(),
        };
        let input = TensorRef::from_array_view(&self.input).map_err(inference_error)?;
        let outputs = self
            .session
            .run(ort::inputs!["input_1" => input])
            .map_err(inference_error)?;
        let decoding = Instant::now();
        timings.detector += decoding - inferring;

        let tensor = |name: &str| -> Result<&[f32], PoseError> {
            let value = outputs.get(name).ok_or_else(|| PoseError::Inference {
                model: model::DETECTOR_FILE.to_string(),
                reason: format!("output `{name}` missing"),
            })?;
            value
                .try_extract_tensor::<f32>()
                .map(|(_, data)| data)
                .map_err(|e| PoseError::Inference {
                    model: model::DETECTOR_FILE.to_string(),
                    reason: e.to_string(),
                })
        };
        decode(
            tensor("Identity")?,
            tensor("Identity_1")?,
            &self.anchors,
            self.min_score,
            &mut self.candidates,
        );
        drop(outputs);
        let best = weighted_nms(&mut self.candidates, NMS_MIN_SUPPRESSION)
            .first()
            .copied();
        timings.postprocess += decoding.elapsed();
        Ok(best)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_match_mediapipe() {
        let anchors = ssd_anchors();
        assert_eq!(anchors.len(), ANCHOR_COUNT);
        // Stride 8: a 28×28 grid, 2 anchors per cell.
        let first = anchors[0];
        assert_eq!((first.x_center, first.y_center), (0.5 / 28.0, 0.5 / 28.0));
        assert_eq!((first.width, first.height), (1.0, 1.0));
        assert_eq!(anchors[1], first);
        assert_eq!(anchors[2].x_center, 1.5 / 28.0);
        // Stride 16 starts after 28×28×2 anchors: a 14×14 grid.
        assert_eq!(anchors[1568].x_center, 0.5 / 14.0);
        // Strides 32 ×3 share one 7×7 grid with 6 anchors per cell.
        assert_eq!(anchors[1568 + 392].x_center, 0.5 / 7.0);
        assert_eq!(anchors[1568 + 392 + 5], anchors[1568 + 392]);
        let last = anchors[ANCHOR_COUNT - 1];
        assert_eq!((last.x_center, last.y_center), (6.5 / 7.0, 6.5 / 7.0));
    }

    #[test]
    fn decodes_a_synthetic_prediction() {
        let anchors = ssd_anchors();
        let mut boxes = vec![0.0; ANCHOR_COUNT * VALUES_PER_BOX];
        let mut scores = vec![-5.0; ANCHOR_COUNT];
        // Anchor 2 sits at (1.5/28, 0.5/28); predict a box 22.4 px right of it, 44.8×67.2 px.
        let i = 2;
        boxes[i * 12..i * 12 + 12].copy_from_slice(&[
            22.4, 0.0, 44.8, 67.2, 0.0, 0.0, 0.0, -22.4, 11.2, 11.2, 0.0, 0.0,
        ]);
        scores[i] = 2.0;
        let mut out = Vec::new();
        decode(&boxes, &scores, &anchors, 0.5, &mut out);
        assert_eq!(out.len(), 1);
        let d = out[0];
        let (ax, ay) = (anchors[i].x_center, anchors[i].y_center);
        assert!((d.score - 1.0 / (1.0 + (-2.0f32).exp())).abs() < 1e-6);
        assert!((d.xmin + d.width / 2.0 - (ax + 0.1)).abs() < 1e-6);
        assert!((d.width - 0.2).abs() < 1e-6 && (d.height - 0.3).abs() < 1e-6);
        assert!((d.ymin + d.height / 2.0 - ay).abs() < 1e-6);
        assert_eq!(d.keypoints[0], [ax, ay]);
        assert!((d.keypoints[1][1] - (ay - 0.1)).abs() < 1e-6);
        assert!((d.keypoints[2][0] - (ax + 0.05)).abs() < 1e-6);
    }

    #[test]
    fn clipped_logits_still_give_scores() {
        let anchors = ssd_anchors();
        let boxes = vec![1.0; ANCHOR_COUNT * VALUES_PER_BOX];
        let mut scores = vec![-1000.0; ANCHOR_COUNT];
        scores[7] = 1000.0;
        let mut out = Vec::new();
        decode(&boxes, &scores, &anchors, 0.5, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].score, 1.0);
    }

    fn detection(score: f32, xmin: f32, ymin: f32, size: f32) -> Detection {
        Detection {
            score,
            xmin,
            ymin,
            width: size,
            height: size,
            keypoints: [[xmin, ymin]; KEYPOINTS],
        }
    }

    #[test]
    fn a_mirrored_detection_mirrors_back_to_itself() {
        let d = Detection {
            keypoints: [[0.3, 0.6], [0.1, 0.5], [0.0, 0.0], [0.9, 0.2]],
            ..detection(0.7, 0.2, 0.4, 0.3)
        };
        let m = d.mirrored();
        assert!((m.xmin - 0.5).abs() < 1e-6, "{m:?}");
        assert_eq!(m.width, d.width);
        assert_eq!((m.ymin, m.height, m.score), (d.ymin, d.height, d.score));
        assert!((m.keypoints[0][0] - 0.7).abs() < 1e-6);
        assert_eq!(m.keypoints[0][1], 0.6);
        let back = m.mirrored();
        assert!((back.xmin - d.xmin).abs() < 1e-6);
        assert!((back.keypoints[1][0] - d.keypoints[1][0]).abs() < 1e-6);
    }

    #[test]
    fn mirroring_rows_swaps_whole_pixels_left_to_right() {
        // Two rows of three pixels.
        let mut rgb: Vec<u8> = (0..18).collect();
        mirror_rows(&mut rgb, 3);
        assert_eq!(rgb[..9], [6, 7, 8, 3, 4, 5, 0, 1, 2]);
        assert_eq!(rgb[9..], [15, 16, 17, 12, 13, 14, 9, 10, 11]);
    }

    #[test]
    fn weighted_nms_merges_overlaps_and_keeps_separate_people() {
        let mut detections = vec![
            detection(0.6, 0.12, 0.1, 0.2),
            detection(0.9, 0.1, 0.1, 0.2),
            detection(0.7, 0.6, 0.6, 0.2),
        ];
        let kept = weighted_nms(&mut detections, 0.3);
        assert_eq!(kept.len(), 2);
        // The best keeps its score; its box is the score-weighted mean of the overlapping two.
        assert_eq!(kept[0].score, 0.9);
        let expected_xmin = (0.1 * 0.9 + 0.12 * 0.6) / 1.5;
        assert!(
            (kept[0].xmin - expected_xmin).abs() < 1e-6,
            "{}",
            kept[0].xmin
        );
        assert!((kept[0].keypoints[0][0] - expected_xmin).abs() < 1e-6);
        assert!((kept[0].width - 0.2).abs() < 1e-6);
        // The separate person is kept as it was (its own weighted mean).
        assert_eq!((kept[1].score, kept[1].xmin, kept[1].ymin), (0.7, 0.6, 0.6));
        assert!((kept[1].width - 0.2).abs() < 1e-6);
    }

    #[test]
    fn letterbox_removal_maps_the_input_centre_to_the_image_centre() {
        let letterbox = Letterbox {
            left: (1.0 - 1080.0 / 1920.0) / 2.0,
            right: (1.0 - 1080.0 / 1920.0) / 2.0,
            top: 0.0,
            bottom: 0.0,
        };
        let removed = detection(0.9, 0.45, 0.45, 0.1).without_letterbox(&letterbox);
        assert!((removed.xmin + removed.width / 2.0 - 0.5).abs() < 1e-6);
        assert!((removed.width - 0.1 * 1920.0 / 1080.0).abs() < 1e-5);
        assert_eq!(removed.ymin, 0.45);
    }

    #[test]
    fn detection_roi_is_upright_square_and_enlarged() {
        let mut d = detection(0.9, 0.0, 0.0, 1.0);
        d.keypoints[0] = [0.5, 0.6];
        d.keypoints[1] = [0.5, 0.3];
        let roi = d.to_rect(1000, 1000).to_roi(1000, 1000);
        assert!(roi.rotation_rad.abs() < 1e-6);
        assert!((roi.width_px - 2.0 * 300.0 * 1.25).abs() < 1e-3);
        assert!((roi.center_x_px - 500.0).abs() < 1e-3 && (roi.center_y_px - 600.0).abs() < 1e-3);
    }
}
