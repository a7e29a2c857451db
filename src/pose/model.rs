//! ONNX Runtime for the pose models: finding the runtime library and the model files,
//! opening sessions tuned for a 2-core machine, and turning image regions into tensors.
//!
//! In flow optional overrides (a library path, a models folder; else the places
//! [`crate::bundle`] lists); out flow a loaded
//! [`ort::environment::Environment`] (one per process, as ort allows) and [`Session`]s whose
//! inputs and outputs have been checked against what the pipeline expects. Every failure is
//! one [`PoseError`] that names the file and the command that fixes it. The image side is
//! MediaPipe's `ImageToTensorCalculator` (OpenCV converter): a rotated rectangle of the
//! frame warped to the model's square input, bilinear, then scaled into a value range.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ndarray::Array4;
use opencv::core::{Mat, Point2f, RotatedRect, Scalar, Size, Size2f, ToInputArray, Vec3b};
use opencv::imgproc;
use ort::environment::Environment;
use ort::session::Session;
use ort::session::builder::{GraphOptimizationLevel, SessionBuilder};

use super::PoseError;
use crate::bundle::{self, Bundled};

pub use crate::bundle::{MODELS_ENV_VAR, RUNTIME_ENV_VAR};
/// The ONNX Runtime release `ort` 2.0.0-rc.15 is built against.
pub const RUNTIME_VERSION: &str = "1.31.1";
/// The person detector (shared by both landmark variants).
pub const DETECTOR_FILE: &str = "pose_detection.onnx";

/// Which BlazePose landmark model to run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ModelVariant {
    /// Faster, a little less accurate (`pose_landmark_lite`).
    Lite,
    /// MediaPipe's default (`model_complexity=1`), the one the reference files were made with.
    #[default]
    Full,
}

impl ModelVariant {
    /// File name of the landmark model inside the models folder.
    pub fn landmark_file(self) -> &'static str {
        match self {
            Self::Lite => "pose_landmark_lite.onnx",
            Self::Full => "pose_landmark_full.onnx",
        }
    }

    /// The same model with its segmentation output kept, if one is shipped.
    pub fn segmentation_file(self) -> Option<&'static str> {
        match self {
            Self::Lite => None,
            Self::Full => Some("pose_landmark_full_seg.onnx"),
        }
    }

    /// Lower-case name, as the CLI spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Lite => "lite",
            Self::Full => "full",
        }
    }
}

impl std::str::FromStr for ModelVariant {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "lite" => Ok(Self::Lite),
            "full" => Ok(Self::Full),
            other => Err(format!(
                "unknown pose model `{other}`: expected `lite` or `full`"
            )),
        }
    }
}

/// ort allows one environment per process: keep it here once built.
static RUNTIME: Mutex<Option<(Environment, PathBuf)>> = Mutex::new(None);

/// Where to look for the runtime library, in order: the explicit path, else
/// [`crate::bundle`]'s places (`BACKFORM_ORT_LIB`, beside the binary, the source tree's
/// `.ort/`, `/usr/lib/backform`, `~/.local/lib/backform`, the system library folders).
pub fn runtime_search_path(explicit: Option<&Path>) -> Vec<PathBuf> {
    match explicit {
        // An explicit choice is final: don't silently load some other library.
        Some(path) => vec![path.to_path_buf()],
        None => bundle::places(Bundled::Runtime),
    }
}

/// The library file a search place stands for: the place itself when it is a file,
/// else the best-named `libonnxruntime.so*` inside it (the exact version first).
fn library_in(place: &Path) -> Option<PathBuf> {
    if place.is_file() {
        return Some(place.to_path_buf());
    }
    if !place.is_dir() {
        return None;
    }
    let exact = place.join(format!("libonnxruntime.so.{RUNTIME_VERSION}"));
    if exact.is_file() {
        return Some(exact);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(place)
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libonnxruntime.so"))
                && path.is_file()
        })
        .collect();
    // Longest name first: `libonnxruntime.so.1.31.1` before `libonnxruntime.so`.
    found.sort_by_key(|p| std::cmp::Reverse(p.as_os_str().len()));
    found.into_iter().next()
}

/// Finds the ONNX Runtime library without loading it.
pub fn find_runtime_library(explicit: Option<&Path>) -> Result<PathBuf, PoseError> {
    let places = runtime_search_path(explicit);
    places
        .iter()
        .find_map(|place| library_in(place))
        .ok_or_else(|| PoseError::RuntimeNotFound {
            searched: bundle::join(&places),
        })
}

/// The process-wide ONNX Runtime environment, loading the library on first use.
/// Later calls return the same environment whatever path they name.
pub fn runtime(explicit: Option<&Path>) -> Result<Environment, PoseError> {
    // A named library that is not there is a configuration error even when a runtime
    // is already loaded.
    let path = find_runtime_library(explicit)?;
    let mut slot = RUNTIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((environment, loaded)) = slot.as_ref() {
        if *loaded != path {
            tracing::debug!(
                requested = %path.display(),
                loaded = %loaded.display(),
                "ONNX Runtime already loaded; one per process"
            );
        }
        return Ok(environment.clone());
    }
    let load_error = |reason: String| PoseError::RuntimeLoad {
        path: path.clone(),
        reason,
    };
    let environment = ort::init_from(&path)
        .map_err(|e| load_error(e.to_string()))?
        .with_name("backform")
        .with_telemetry(false)
        .build()
        .map_err(|e| load_error(e.to_string()))?;
    tracing::debug!(path = %path.display(), "loaded ONNX Runtime");
    *slot = Some((environment.clone(), path));
    Ok(environment)
}

/// The library the process-wide environment was loaded from, once it is.
pub fn loaded_runtime_path() -> Option<PathBuf> {
    let slot = RUNTIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    slot.as_ref().map(|(_, path)| path.clone())
}

/// Folders that may hold the models, in order: the explicit one, else [`crate::bundle`]'s
/// places (`BACKFORM_MODELS`, beside the binary, the source tree's `models/`,
/// `/usr/share/backform/models`, `~/.local/lib/backform/models`).
pub fn models_search_path(explicit_dir: Option<&Path>) -> Vec<PathBuf> {
    match explicit_dir {
        Some(dir) => vec![dir.to_path_buf()],
        None => bundle::places(Bundled::Models),
    }
}

/// The path of a model file; `ModelMissing` names every place it should have been.
pub fn find_model(explicit_dir: Option<&Path>, file_name: &str) -> Result<PathBuf, PoseError> {
    let candidates: Vec<PathBuf> = models_search_path(explicit_dir)
        .iter()
        .map(|dir| dir.join(file_name))
        .collect();
    match candidates.iter().find(|path| path.is_file()) {
        Some(path) => Ok(path.clone()),
        None => Err(PoseError::ModelMissing {
            file: file_name.to_string(),
            searched: bundle::join(&candidates),
        }),
    }
}

/// One tensor the pipeline relies on: its name and shape (-1 = any size).
#[derive(Clone, Copy, Debug)]
pub struct TensorSpec {
    pub name: &'static str,
    pub shape: &'static [i64],
}

/// Opens a model with the session options that suit a 2-core machine shared with capture
/// and the UI, and checks it has the tensors the pipeline reads.
pub fn open_session(
    environment: &Environment,
    path: &Path,
    intra_threads: usize,
    inputs: &[TensorSpec],
    outputs: &[TensorSpec],
) -> Result<Session, PoseError> {
    if !path.is_file() {
        return Err(PoseError::ModelMissing {
            file: path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            searched: path.display().to_string(),
        });
    }
    let options_error = |e: ort::Error<SessionBuilder>| PoseError::SessionOptions(e.to_string());
    let mut builder = Session::builder(environment)
        .map_err(|e| PoseError::SessionOptions(e.to_string()))?
        .with_optimization_level(GraphOptimizationLevel::All)
        .map_err(options_error)?
        .with_intra_threads(intra_threads.max(1))
        .map_err(options_error)?
        .with_inter_threads(1)
        .map_err(options_error)?
        // Idle spinning threads would steal the cores capture and the UI need.
        .with_intra_op_spinning(false)
        .map_err(options_error)?
        .with_inter_op_spinning(false)
        .map_err(options_error)?;
    let session = builder
        .commit_from_file(path)
        .map_err(|e| PoseError::ModelInvalid {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    check_signature(&session, path, inputs, outputs)?;
    Ok(session)
}

fn check_signature(
    session: &Session,
    path: &Path,
    inputs: &[TensorSpec],
    outputs: &[TensorSpec],
) -> Result<(), PoseError> {
    let invalid = |reason: String| PoseError::ModelInvalid {
        path: path.to_path_buf(),
        reason,
    };
    for (kind, specs, outlets) in [
        ("input", inputs, session.inputs()),
        ("output", outputs, session.outputs()),
    ] {
        for spec in specs {
            let outlet = outlets
                .iter()
                .find(|o| o.name() == spec.name)
                .ok_or_else(|| invalid(format!("it has no {kind} tensor `{}`", spec.name)))?;
            let shape = outlet
                .dtype()
                .tensor_shape()
                .ok_or_else(|| invalid(format!("{kind} `{}` is not a tensor", spec.name)))?;
            let matches = shape.len() == spec.shape.len()
                && shape
                    .iter()
                    .zip(spec.shape)
                    .all(|(&have, &want)| want < 0 || have < 0 || have == want);
            if !matches {
                return Err(invalid(format!(
                    "{kind} `{}` has shape {:?}, expected {:?}",
                    spec.name,
                    &shape[..],
                    spec.shape
                )));
            }
        }
    }
    Ok(())
}

/// A view of a frame's packed RGB8 bytes as an OpenCV image, without copying.
pub fn frame_view(
    frame: &crate::capture::Frame,
) -> Result<opencv::boxed_ref::BoxedRef<'_, Mat>, PoseError> {
    let expected = frame.width as usize * frame.height as usize * 3;
    let bad_frame = || PoseError::BadFrame {
        width: frame.width,
        height: frame.height,
        bytes: frame.rgb.len(),
    };
    if frame.rgb.len() != expected || frame.width == 0 || frame.height == 0 {
        return Err(bad_frame());
    }
    let rows = i32::try_from(frame.height).map_err(|_| bad_frame())?;
    let cols = i32::try_from(frame.width).map_err(|_| bad_frame())?;
    Ok(Mat::new_rows_cols_with_bytes::<Vec3b>(
        rows, cols, &frame.rgb,
    )?)
}

/// Padding added around a ROI to give it the model input's (square) aspect, as fractions
/// of the padded side (MediaPipe's `LETTERBOX_PADDING`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Letterbox {
    pub left: f32,
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
}

/// `PadRoi` with `keep_aspect_ratio` for a square input: the ROI grown to a square and
/// the padding that adds. The pose ROIs are square already (padding ~0); the detector's
/// whole-frame ROI is where this letterboxes.
pub fn pad_roi(roi: super::Roi) -> (super::Roi, Letterbox) {
    let tensor_aspect = 1.0f32;
    let roi_aspect = roi.height_px / roi.width_px;
    let mut letterbox = Letterbox::default();
    let mut padded = roi;
    if tensor_aspect > roi_aspect {
        padded.height_px = roi.width_px * tensor_aspect;
        let vertical = (1.0 - roi_aspect / tensor_aspect) / 2.0;
        letterbox.top = vertical;
        letterbox.bottom = vertical;
    } else {
        padded.width_px = roi.height_px / tensor_aspect;
        let horizontal = (1.0 - tensor_aspect / roi_aspect) / 2.0;
        letterbox.left = horizontal;
        letterbox.right = horizontal;
    }
    (padded, letterbox)
}

/// Warps the rotated rectangle `roi` of `image` (RGB8) onto a `side`×`side` RGB8 crop,
/// exactly as MediaPipe's OpenCV converter: `boxPoints` of the rectangle mapped onto the
/// crop's corners by a perspective transform, bilinear, with `border` outside the image
/// (`BORDER_REPLICATE` for landmarks, `BORDER_CONSTANT` 0 for the detector's letterbox).
pub fn rotated_crop(
    image: &impl ToInputArray,
    roi: &super::Roi,
    side: usize,
    border: i32,
    crop_rgb: &mut [u8],
) -> Result<(), PoseError> {
    let side_i32 = i32::try_from(side).unwrap_or(i32::MAX);
    let rect = RotatedRect::new(
        Point2f::new(roi.center_x_px, roi.center_y_px),
        Size2f::new(roi.width_px, roi.height_px),
        // `roi.rotation * 180.f / M_PI`: a float product divided in double.
        (f64::from(roi.rotation_rad * 180.0) / std::f64::consts::PI) as f32,
    )?;
    let mut corners = Mat::default();
    imgproc::box_points(rect, &mut corners)?;
    let side_f32 = side as f32;
    // boxPoints order: bottom-left, top-left, top-right, bottom-right.
    let crop_corners = Mat::from_slice_2d(&[
        [0.0f32, side_f32],
        [0.0, 0.0],
        [side_f32, 0.0],
        [side_f32, side_f32],
    ])?;
    let transform =
        imgproc::get_perspective_transform(&corners, &crop_corners, opencv::core::DECOMP_LU)?;
    let mut crop = Mat::new_rows_cols_with_bytes_mut::<Vec3b>(side_i32, side_i32, crop_rgb)?;
    imgproc::warp_perspective(
        image,
        &mut crop,
        &transform,
        Size::new(side_i32, side_i32),
        imgproc::INTER_LINEAR,
        border,
        Scalar::default(),
    )?;
    Ok(())
}

/// Fills the model input from an RGB8 crop, mapping 0..=255 onto `min..=max` the way
/// OpenCV's `convertTo(scale, offset)` does in MediaPipe.
pub fn to_input_range(crop_rgb: &[u8], input: &mut Array4<f32>, min: f32, max: f32) {
    let scale = (max - min) / 255.0;
    let offset = min;
    if let Some(values) = input.as_slice_mut() {
        for (value, &byte) in values.iter_mut().zip(crop_rgb) {
            *value = f32::from(byte) * scale + offset;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_runtime_path_is_final_and_reported() {
        let missing = Path::new("/nonexistent/libonnxruntime.so.1.31.1");
        let err = find_runtime_library(Some(missing)).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("/nonexistent/libonnxruntime.so.1.31.1"),
            "{text}"
        );
        assert!(
            text.contains("make setup") && text.contains(RUNTIME_ENV_VAR),
            "{text}"
        );
    }

    #[test]
    fn finds_a_versioned_library_in_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("libonnxruntime.so"), b"").unwrap();
        std::fs::write(dir.path().join("libonnxruntime.so.1.31.1"), b"").unwrap();
        let found = find_runtime_library(Some(dir.path())).unwrap();
        assert!(found.ends_with("libonnxruntime.so.1.31.1"));
    }

    #[test]
    fn missing_model_names_the_file_and_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let err = find_model(Some(dir.path()), DETECTOR_FILE).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(&dir.path().join(DETECTOR_FILE).display().to_string()),
            "{text}"
        );
        assert!(
            text.contains("make models") && text.contains("SOURCES.md"),
            "{text}"
        );
    }

    #[test]
    fn padding_letterboxes_a_portrait_frame_and_leaves_squares_alone() {
        let frame = super::super::Roi {
            center_x_px: 540.0,
            center_y_px: 960.0,
            width_px: 1080.0,
            height_px: 1920.0,
            rotation_rad: 0.0,
        };
        let (padded, letterbox) = pad_roi(frame);
        assert_eq!((padded.width_px, padded.height_px), (1920.0, 1920.0));
        assert!((letterbox.left - (1.0 - 1080.0 / 1920.0) / 2.0).abs() < 1e-6);
        assert_eq!((letterbox.top, letterbox.bottom), (0.0, 0.0));
        let square = super::super::Roi {
            width_px: 300.0,
            height_px: 300.0,
            ..frame
        };
        assert_eq!(pad_roi(square), (square, Letterbox::default()));
    }

    #[test]
    fn variant_parses_from_the_cli_spelling() {
        assert_eq!("Full".parse::<ModelVariant>(), Ok(ModelVariant::Full));
        assert_eq!("lite".parse::<ModelVariant>(), Ok(ModelVariant::Lite));
        assert!("heavy".parse::<ModelVariant>().is_err());
        assert_eq!(ModelVariant::default(), ModelVariant::Full);
    }
}
