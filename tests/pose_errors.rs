//! Each way the pose pipeline can fail to start gives one clear error that names the file
//! and the fix.

mod require;
use std::path::PathBuf;

use backform::pose::{PoseConfig, PoseError, PoseEstimator};

fn start(config: PoseConfig) -> PoseError {
    match PoseEstimator::new(config) {
        Ok(_) => panic!("expected an error"),
        Err(err) => err,
    }
}

#[test]
fn missing_model_file_names_it_and_says_make_models() {
    let dir = tempfile::tempdir().unwrap();
    let err = start(PoseConfig {
        models_dir: Some(dir.path().to_path_buf()),
        ..PoseConfig::default()
    });
    let text = err.to_string();
    assert!(matches!(err, PoseError::ModelMissing { .. }), "{err:?}");
    assert!(
        text.contains(&dir.path().join("pose_detection.onnx").display().to_string()),
        "{text}"
    );
    assert!(
        text.contains("make models") && text.contains("models/SOURCES.md"),
        "{text}"
    );
}

#[test]
fn corrupt_model_file_names_it_and_says_make_models() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pose_detection.onnx");
    std::fs::write(&path, "this is a text file, not an ONNX model\n").unwrap();
    let err = start(PoseConfig {
        models_dir: Some(dir.path().to_path_buf()),
        ..PoseConfig::default()
    });
    let text = err.to_string();
    assert!(matches!(err, PoseError::ModelInvalid { .. }), "{err:?}");
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(text.contains("make models"), "{text}");
}

#[test]
fn missing_landmark_model_is_named_too() {
    // A folder with only the detector: the Full landmark model is what is missing.
    let Some(source) = backform::pose::model::find_model(None, "pose_detection.onnx").ok() else {
        require::skip("the models are not present");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&source, dir.path().join("pose_detection.onnx")).unwrap();
    let err = start(PoseConfig {
        models_dir: Some(dir.path().to_path_buf()),
        ..PoseConfig::default()
    });
    assert!(err.to_string().contains("pose_landmark_full.onnx"), "{err}");
}

#[test]
fn missing_runtime_library_says_make_setup_or_env_var() {
    let path = PathBuf::from("/nonexistent/backform/libonnxruntime.so.1.31.1");
    let err = start(PoseConfig {
        runtime_library: Some(path.clone()),
        ..PoseConfig::default()
    });
    let text = err.to_string();
    assert!(matches!(err, PoseError::RuntimeNotFound { .. }), "{err:?}");
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(
        text.contains("make setup") && text.contains("BACKFORM_ORT_LIB"),
        "{text}"
    );
    assert!(text.contains("1.31"), "{text}");
}
