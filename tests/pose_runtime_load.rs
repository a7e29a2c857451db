//! A file that is not ONNX Runtime, named as the runtime library, fails with one clear
//! error. Alone in its own test binary: a process loads ONNX Runtime at most once.

use backform::pose::{PoseConfig, PoseError, PoseEstimator};

#[test]
fn a_file_that_is_not_the_runtime_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("libonnxruntime.so.1.31.1");
    std::fs::write(&path, "not a shared library").unwrap();
    let err = match PoseEstimator::new(PoseConfig {
        runtime_library: Some(path.clone()),
        ..PoseConfig::default()
    }) {
        Ok(_) => panic!("expected an error"),
        Err(err) => err,
    };
    let text = err.to_string();
    assert!(matches!(err, PoseError::RuntimeLoad { .. }), "{err:?}");
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(
        text.contains("make setup") && text.contains("BACKFORM_ORT_LIB"),
        "{text}"
    );
}
