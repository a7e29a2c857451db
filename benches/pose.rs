//! Pose pipeline speed on a fixture frame: the detector alone, the landmark model alone
//! (warp + inference + decoding), and a whole frame in tracking mode — for Full and Lite,
//! with 1 and 2 ONNX Runtime intra-op threads. Then per-stage median/p95 over whole clips
//! in tracking mode (the figure the 15 ms p95 target is about).

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use backform::capture::Frame;
use backform::pose::{ModelVariant, PoseConfig, PoseEstimator, StageTimings, model};
use criterion::{BenchmarkId, Criterion};
use opencv::prelude::*;
use opencv::{core, imgproc, videoio};

fn decode(path: &Path, limit: usize) -> Vec<Frame> {
    let Ok(mut capture) = videoio::VideoCapture::from_file(path, videoio::CAP_ANY) else {
        return Vec::new();
    };
    let mut frames = Vec::new();
    let mut bgr = core::Mat::default();
    while frames.len() < limit && capture.read(&mut bgr).unwrap_or(false) && !bgr.empty() {
        let mut rgb = core::Mat::default();
        if imgproc::cvt_color(&bgr, &mut rgb, imgproc::COLOR_BGR2RGB, 0).is_err() {
            break;
        }
        let index = frames.len() as u64;
        frames.push(Frame {
            index,
            timestamp_s: index as f64 / 30.0,
            width: rgb.cols() as u32,
            height: rgb.rows() as u32,
            rgb: rgb.data_bytes().map(<[u8]>::to_vec).unwrap_or_default(),
        });
    }
    frames
}

fn estimator(variant: ModelVariant, threads: usize) -> PoseEstimator {
    match PoseEstimator::new(PoseConfig {
        variant,
        intra_threads: threads,
        ..PoseConfig::mediapipe_reference()
    }) {
        Ok(estimator) => estimator,
        Err(err) => panic!("{err}"),
    }
}

const SETUPS: [(ModelVariant, usize); 4] = [
    (ModelVariant::Full, 1),
    (ModelVariant::Full, 2),
    (ModelVariant::Lite, 1),
    (ModelVariant::Lite, 2),
];

fn stage_benches(c: &mut Criterion, frame: &Frame) {
    let Ok(image) = model::frame_view(frame) else {
        return;
    };
    for (variant, threads) in SETUPS {
        let id = format!("{}/{}t", variant.name(), threads);
        let mut pose = estimator(variant, threads);
        let mut timings = StageTimings::default();
        let Ok(Some(detection)) =
            pose.detector_mut()
                .detect(&image, frame.width, frame.height, &mut timings)
        else {
            panic!("no person in the bench frame");
        };
        let rect = detection.to_rect(frame.width, frame.height);
        if variant == ModelVariant::Full {
            c.bench_with_input(BenchmarkId::new("detector", &id), frame, |b, frame| {
                b.iter(|| {
                    black_box(
                        pose.detector_mut()
                            .detect(&image, frame.width, frame.height, &mut timings)
                            .ok(),
                    )
                })
            });
        }
        c.bench_with_input(BenchmarkId::new("landmark", &id), &rect, |b, rect| {
            b.iter(|| {
                black_box(
                    pose.landmark_model_mut()
                        .run(&image, rect, frame.width, frame.height, 0.5, &mut timings)
                        .ok(),
                )
            })
        });
        let _ = pose.estimate(frame);
        c.bench_with_input(
            BenchmarkId::new("frame_tracking", &id),
            frame,
            |b, frame| b.iter(|| black_box(pose.estimate(frame).ok())),
        );
    }
}

fn percentile(values: &mut [Duration], pct: f64) -> Duration {
    values.sort();
    let rank = ((pct / 100.0) * (values.len().saturating_sub(1)) as f64).round() as usize;
    values.get(rank).copied().unwrap_or_default()
}

/// Median and p95 of each stage over every tracked frame of the clips, three passes.
fn clip_report(clips: &[Vec<Frame>]) {
    println!(
        "\nper-frame stages in tracking mode (all fixture frames, 3 passes): median / p95, ms"
    );
    for (variant, threads) in SETUPS {
        let mut pose = estimator(variant, threads);
        let mut stages: [Vec<Duration>; 5] = Default::default();
        let mut detector_frames = 0;
        for _ in 0..3 {
            for clip in clips {
                pose.reset();
                for frame in clip {
                    if pose.estimate(frame).is_err() {
                        continue;
                    }
                    let t = pose.last_timings();
                    if t.detector_ran {
                        detector_frames += 1;
                        continue;
                    }
                    for (list, value) in
                        stages
                            .iter_mut()
                            .zip([t.preprocess, t.landmark, t.postprocess, t.total()])
                    {
                        list.push(value);
                    }
                }
            }
        }
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let [pre, lm, post, total, _] = &mut stages;
        println!(
            "{:>4} {}t: preprocess {:.2}/{:.2}  landmark {:.2}/{:.2}  postprocess {:.2}/{:.2}  whole frame {:.2}/{:.2}  ({} tracked frames, {} with detection)",
            variant.name(),
            threads,
            ms(percentile(pre, 50.0)),
            ms(percentile(pre, 95.0)),
            ms(percentile(lm, 50.0)),
            ms(percentile(lm, 95.0)),
            ms(percentile(post, 50.0)),
            ms(percentile(post, 95.0)),
            ms(percentile(total, 50.0)),
            ms(percentile(total, 95.0)),
            total.len(),
            detector_frames,
        );
    }
}

fn main() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/video");
    let pose2sim = decode(&fixtures.join("pose2sim-cam01.mp4"), usize::MAX);
    let sports2d = decode(&fixtures.join("sports2d-demo.mp4"), usize::MAX);
    let Some(frame) = pose2sim.get(30) else {
        eprintln!("skipping pose benches: {} is absent", fixtures.display());
        return;
    };
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    stage_benches(&mut criterion, frame);
    criterion.final_summary();
    // `cargo test --all-targets` runs this binary without `--bench`: criterion then checks
    // each bench once; skip the long clip report there.
    if std::env::args().any(|arg| arg == "--bench") {
        clip_report(&[pose2sim.clone(), sports2d]);
    }
}
