//! Frame sources on real files: the fixture clips, and the bad inputs a user may hand us.

mod require;
use std::path::{Path, PathBuf};

use backform::capture::{
    CameraConfig, CaptureError, FrameSource, ImageFolderSource, SourceSpec, VideoSource,
};

fn fixture(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(rel);
    if path.exists() {
        Some(path)
    } else {
        require::skip(format!("{} is absent", path.display()));
        None
    }
}

#[test]
fn decodes_every_frame_of_a_fixture_with_video_timestamps() {
    let Some(path) = fixture("video/pose2sim-cam01.mp4") else {
        return;
    };
    let mut source = VideoSource::open(&path).unwrap();
    let info = source.info().clone();
    assert_eq!((info.width, info.height), (1080, 1920));
    assert_eq!(info.frame_count, Some(100));
    assert!(!info.live);
    let mut count = 0;
    while let Some(frame) = source.next_frame().unwrap() {
        assert_eq!(frame.index, count);
        assert!((frame.timestamp_s - count as f64 / info.fps).abs() < 1e-9);
        assert_eq!(frame.rgb.len(), 1080 * 1920 * 3);
        count += 1;
    }
    assert_eq!(count, 100);
}

#[test]
fn decodes_rgb_not_bgr() {
    // The rendered clips' floor and walls are warm (red > blue); BGR order would flip that.
    let Some(path) = fixture("exercises/pelvic_tilt__good__side_floor.mp4") else {
        return;
    };
    let mut source = VideoSource::open(&path).unwrap();
    let frame = source.next_frame().unwrap().unwrap();
    let (mut red, mut blue) = (0u64, 0u64);
    for px in frame.rgb.chunks_exact(3) {
        red += u64::from(px[0]);
        blue += u64::from(px[2]);
    }
    assert!(red > blue, "mean red {red} should exceed mean blue {blue}");
}

#[test]
fn a_missing_file_says_so() {
    let err = VideoSource::open(Path::new("/nonexistent/clip.mp4"))
        .err()
        .unwrap();
    assert!(matches!(err, CaptureError::NotFound { .. }), "{err}");
    assert!(err.to_string().contains("no such file"), "{err}");
}

#[test]
fn a_text_file_named_mp4_is_not_a_video() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.mp4");
    std::fs::write(&path, "these are my exercise notes, not a video\n").unwrap();
    let err = VideoSource::open(&path).err().unwrap();
    assert!(matches!(err, CaptureError::NotAVideo { .. }), "{err}");
    assert!(
        err.to_string().contains("cannot be read as a video"),
        "{err}"
    );
}

#[test]
fn a_truncated_mp4_is_reported_not_silently_short() {
    let Some(path) = fixture("video/sports2d-demo.mp4") else {
        return;
    };
    let bytes = std::fs::read(&path).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let outcome = VideoSource::open(&cut).and_then(|mut source| {
        let mut frames = 0u64;
        while source.next_frame()?.is_some() {
            frames += 1;
        }
        Ok(frames)
    });
    // The fixture keeps its index (moov) up front, so half of it still opens: the
    // shortfall must be caught while reading.
    let err = outcome.expect_err("half a video must not pass as a whole one");
    assert!(matches!(err, CaptureError::Truncated { .. }), "{err}");
}

#[test]
fn no_camera_is_an_error_not_a_panic() {
    // These machines have no camera; a real one at index 97 is unlikely anywhere.
    let config = CameraConfig {
        index: 97,
        ..CameraConfig::default()
    };
    let err = SourceSpec::Camera(config).open().err().unwrap();
    assert!(err.to_string().contains("no camera found"), "{err}");
}

#[test]
fn a_folder_of_images_plays_in_name_order() {
    let dir = tempfile::tempdir().unwrap();
    for (i, shade) in [10u8, 200, 90].iter().enumerate() {
        let img = image::RgbImage::from_pixel(8, 6, image::Rgb([*shade, 0, 0]));
        img.save(dir.path().join(format!("frame_{i:03}.png")))
            .unwrap();
    }
    std::fs::write(dir.path().join("readme.txt"), "not an image").unwrap();
    let mut source = SourceSpec::from_path(dir.path()).open().unwrap();
    assert_eq!(source.info().frame_count, Some(3));
    let shades: Vec<u8> = std::iter::from_fn(|| source.next_frame().unwrap())
        .map(|f| f.pixel(0, 0).unwrap()[0])
        .collect();
    assert_eq!(shades, vec![10, 200, 90]);
}

#[test]
fn an_empty_folder_says_what_it_needs() {
    let dir = tempfile::tempdir().unwrap();
    let err = ImageFolderSource::open(dir.path(), 30.0).err().unwrap();
    assert!(err.to_string().contains("holds no images"), "{err}");
}

/// Re-encodes of `pelvic_tilt__good__side_floor.mp4` (46 s, 1380 frames at 30 fps) that
/// ordinary web clips look like; `tests/data/README.md` gives the ffmpeg commands.
fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn decode_all(path: &Path) -> Result<Vec<f64>, CaptureError> {
    let mut source = VideoSource::open(path)?;
    let mut stamps = Vec::new();
    while let Some(frame) = source.next_frame()? {
        assert_eq!(frame.index, stamps.len() as u64);
        stamps.push(frame.timestamp_s);
    }
    Ok(stamps)
}

#[test]
fn a_container_without_a_frame_count_decodes_to_its_end() {
    // Matroska states no frame count; its longer audio track makes OpenCV's estimate
    // (duration × fps) several frames more than the file holds.
    let path = data("no_frame_count.mkv");
    let estimate = VideoSource::open(&path).unwrap().info().frame_count;
    assert!(estimate.is_some_and(|n| n > 1380), "{estimate:?}");
    let stamps = decode_all(&path).expect("a file that decodes to its end is complete");
    assert_eq!(stamps.len(), 1380);
}

#[test]
fn b_frames_decode_in_presentation_order() {
    let stamps = decode_all(&data("bframes3.mp4")).unwrap();
    assert_eq!(stamps.len(), 1380);
    for (i, t) in stamps.iter().enumerate() {
        assert!((t - i as f64 / 30.0).abs() < 1e-3, "frame {i} at {t}");
    }
}

#[test]
fn a_variable_frame_rate_file_is_timed_by_presentation_time() {
    // One of every ten frames was dropped: the kept frame n shows at n / 30 s, which
    // index / fps would put ever earlier (by 4.6 s at the end).
    let want: Vec<f64> = (0..1380u32)
        .filter(|n| n % 10 != 4)
        .map(|n| f64::from(n) / 30.0)
        .collect();
    let stamps = decode_all(&data("vfr.mp4")).unwrap();
    assert_eq!(stamps.len(), want.len());
    for (got, want) in stamps.iter().zip(&want) {
        assert!(
            (got - want).abs() < 1e-3,
            "frame at {got} s should be at {want} s"
        );
    }
}

#[test]
fn a_file_cut_mid_stream_is_truncated_after_its_frames() {
    let mut source = VideoSource::open(&data("cut_midstream.mp4")).unwrap();
    let mut frames = 0u32;
    let err = loop {
        match source.next_frame() {
            Ok(Some(_)) => frames += 1,
            Ok(None) => panic!("half a video passed as whole after {frames} frames"),
            Err(err) => break err,
        }
    };
    assert!(matches!(err, CaptureError::Truncated { .. }), "{err}");
    assert!(err.to_string().contains("of its 46.0 s"), "{err}");
    assert!(
        frames > 300 && frames < 1300,
        "{frames} frames before the cut"
    );
}
