//! Every rendered clip is a test, judged by `backform eval`'s own scorer
//! (`backform::eval`) against its frame-exact ground truth, and held to the committed
//! `docs/accuracy.md` as a ratchet: a clip right there must stay right; a wrong one is
//! listed there with why, and a clip that turns right says so (update the file with
//! `make accuracy`).
//!
//! Two pose sources: MediaPipe 0.10.14's own landmarks replayed (`reference/X.jsonl`,
//! every set: the engine alone, fast), and our pose pipeline on the `.mp4` files for the
//! core, bad-placement, body-J and body-K sets (and the tilts and traction that need it) — the
//! very path `backform analyze` takes. Absent clips,
//! models or runtime skip locally and fail under `BACKFORM_REQUIRE_FIXTURES=1` (CI).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod require;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use backform::eval::{self, ClipScore, PoseInput};
use backform::pose::PoseConfig;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/exercises")
}

/// The clip sets, by their titles in `docs/accuracy.md`.
fn set_dir(title: &str) -> PathBuf {
    match title {
        "fixtures/exercises" => shared(),
        "fixtures/exercises/bad-placement" => shared().join("bad-placement"),
        "fixtures/exercises/varied" => shared().join("varied"),
        other => Path::new(env!("CARGO_MANIFEST_DIR")).join(
            other
                .split_once('(')
                .and_then(|(_, rest)| rest.strip_suffix(')'))
                .unwrap_or(other),
        ),
    }
}

/// `docs/accuracy.md`'s verdicts: table title → clip → right.
fn committed_verdicts() -> BTreeMap<String, BTreeMap<String, bool>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/accuracy.md");
    let text = std::fs::read_to_string(&path).expect("docs/accuracy.md is committed");
    let mut out: BTreeMap<String, BTreeMap<String, bool>> = BTreeMap::new();
    let mut title = None;
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            // "## fixtures/exercises/varied: 10 of 29 clips right"
            title = Some(h.rsplit_once(": ").map_or(h, |(t, _)| t).to_owned());
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let (Some(t), [clip, .., verdict]) = (&title, cells.as_slice()) else {
            continue;
        };
        if clip.contains("__") && (*verdict == "yes" || *verdict == "**no**") {
            out.entry(t.clone())
                .or_default()
                .insert((*clip).to_owned(), *verdict == "yes");
        }
    }
    out
}

/// Scores every clip of the set titled `title` and holds it to the committed verdicts.
fn ratchet(title: &str, input: impl Fn(&Path) -> PoseInput) {
    ratchet_some(title, input, |_| true);
}

/// The tilt whose trunk line does not follow it (body F, r = 0.27): counted from the
/// belly's outline, every rep and short hold found (its first hold is still 0.5 s long).
const OUTLINE_TILT: &str = "pelvic_tilt__short_hold__side_floor__F-s400";

/// [`ratchet`] on the clips whose stem `wanted` accepts; returns their scores.
fn ratchet_some(
    title: &str,
    input: impl Fn(&Path) -> PoseInput,
    wanted: impl Fn(&str) -> bool,
) -> Vec<ClipScore> {
    let dir = set_dir(title.trim_end_matches(", replayed"));
    if !dir.is_dir() {
        require::skip(format!("{} is absent", dir.display()));
        return Vec::new();
    }
    let verdicts = committed_verdicts();
    let Some(committed) = verdicts.get(title) else {
        panic!("docs/accuracy.md has no table titled {title:?}: run `make accuracy`");
    };
    let clips: Vec<_> = eval::find_clips(&dir)
        .unwrap()
        .into_iter()
        .filter(|clip| wanted(&clip.stem))
        .collect();
    assert!(!clips.is_empty(), "no clips in {}", dir.display());
    let input = input(&dir);
    let mut failures = Vec::new();
    let mut improved = Vec::new();
    let mut scores = Vec::new();
    for clip in &clips {
        let score: ClipScore = eval::evaluate_clip(clip, &input);
        eprintln!(
            "{} {}: {}",
            if score.right { "right" } else { "WRONG" },
            clip.stem,
            score.why.join("; ")
        );
        match committed.get(&clip.stem) {
            None => failures.push(format!("{}: not in docs/accuracy.md", clip.stem)),
            Some(true) if !score.right => failures.push(format!(
                "{} was right and is now wrong: {}",
                clip.stem,
                score.why.join("; ")
            )),
            Some(false) if score.right => improved.push(clip.stem.clone()),
            _ => {}
        }
        scores.push(score);
    }
    if !improved.is_empty() {
        eprintln!("now right, update docs/accuracy.md (`make accuracy`): {improved:?}");
    }
    assert!(failures.is_empty(), "{failures:#?}");
    scores
}

fn replayed(dir: &Path) -> PoseInput {
    PoseInput::Replay(dir.join("reference"))
}

fn model(_: &Path) -> PoseInput {
    PoseInput::Model(PoseConfig::default())
}

#[test]
fn core_clips_replayed() {
    ratchet("fixtures/exercises, replayed", replayed);
}

#[test]
fn bad_placement_clips_replayed() {
    ratchet("fixtures/exercises/bad-placement, replayed", replayed);
}

#[test]
fn varied_clips_replayed() {
    ratchet("fixtures/exercises/varied, replayed", replayed);
}

/// A slower person: every rotation and rock clip of the core and varied sets, MediaPipe's
/// own landmarks replayed with their frames `1 / SLOW_PACE` times further apart (the same
/// movements, slower, filmed at 18 frames/s), keeps the verdict `docs/accuracy.md` gives it
/// at its own pace. (A tilt's or traction's truth does not survive retiming: its
/// `hold-too-short` and `over-time` are durations.) The engine reads time, never frames:
/// at this pace the calibration falls inside MediaPipe's start-up, and a drop away from
/// the camera reads as blips in the pelvis's roll.
#[test]
fn rotations_and_rocks_at_a_slower_pace_replayed() {
    const SLOW_PACE: f64 = 0.6;
    let verdicts = committed_verdicts();
    let mut failures = Vec::new();
    let mut scored = 0;
    for (title, dir) in [
        ("fixtures/exercises, replayed", shared()),
        (
            "fixtures/exercises/varied, replayed",
            shared().join("varied"),
        ),
    ] {
        if !dir.join("reference").is_dir() {
            require::skip(format!("{} is absent", dir.display()));
            return;
        }
        let committed = &verdicts[title];
        let slow = tempfile::tempdir().unwrap();
        for clip in eval::find_clips(&dir).unwrap() {
            if !(clip.stem.starts_with("controlled_rotation")
                || clip.stem.starts_with("pelvic_rock"))
            {
                continue;
            }
            let text = std::fs::read_to_string(&clip.truth).unwrap();
            let mut truth: serde_json::Value = serde_json::from_str(&text).unwrap();
            let fps = truth["fps"].as_f64().unwrap();
            let duration = truth["duration_s"].as_f64().unwrap();
            truth["fps"] = (fps * SLOW_PACE).into();
            truth["duration_s"] = (duration / SLOW_PACE).into();
            let retimed_truth = slow.path().join(format!("{}.json", clip.stem));
            std::fs::write(&retimed_truth, truth.to_string()).unwrap();
            let landmarks = dir.join("reference").join(format!("{}.jsonl", clip.stem));
            let lines: Vec<String> = std::fs::read_to_string(&landmarks)
                .unwrap()
                .lines()
                .map(|line| {
                    let mut frame: serde_json::Value = serde_json::from_str(line).unwrap();
                    let t = frame["t"].as_f64().unwrap();
                    frame["t"] = (t / SLOW_PACE).into();
                    frame.to_string()
                })
                .collect();
            std::fs::write(
                slow.path().join(format!("{}.jsonl", clip.stem)),
                lines.join("\n"),
            )
            .unwrap();
            let retimed = eval::Clip {
                truth: retimed_truth,
                ..clip
            };
            let score = eval::evaluate_clip(&retimed, &PoseInput::Replay(slow.path().to_owned()));
            eprintln!(
                "{} {} at {SLOW_PACE} pace: {}",
                if score.right { "right" } else { "WRONG" },
                retimed.stem,
                score.why.join("; ")
            );
            scored += 1;
            if committed.get(&retimed.stem) == Some(&true) && !score.right {
                failures.push(format!("{}: {}", retimed.stem, score.why.join("; ")));
            }
        }
    }
    assert!(scored >= 20, "{scored} clips scored");
    assert!(
        failures.is_empty(),
        "right at their own pace, wrong slower: {failures:#?}"
    );
}

/// Whether the models are here to run our pipeline (skip, or fail under CI, if not).
fn models_present() -> bool {
    let found = backform::pose::model::find_model(None, "pose_detection.onnx").is_ok();
    if !found {
        require::skip("the models are not present");
    }
    found
}

#[test]
fn core_clips_through_our_pipeline() {
    if models_present() {
        ratchet("fixtures/exercises", model);
    }
}

/// The tilts need the video path: the belly's outline comes from our model's segmentation
/// output, which MediaPipe's reference landmarks do not carry.
#[test]
fn varied_tilts_through_our_pipeline() {
    if models_present() {
        let scores = ratchet_some("fixtures/exercises/varied", model, |stem| {
            stem.starts_with("pelvic_tilt")
        });
        if let Some(f) = scores.iter().find(|s| s.clip == OUTLINE_TILT) {
            assert!(
                f.matched == f.true_reps && f.missed == 0 && f.phantom == 0,
                "{OUTLINE_TILT}: {} of {} reps, {} phantom",
                f.matched,
                f.true_reps,
                f.phantom
            );
            assert_eq!(f.faults_found, f.true_faults, "{OUTLINE_TILT}: faults");
            assert_eq!(f.camera_prompts, 0, "{OUTLINE_TILT}: said it cannot see");
        } else {
            require::skip(format!("{OUTLINE_TILT} is absent"));
        }
    }
}

/// Traction on body I through our model: BlazePose's far leg follows the near one well
/// past a slide's mark before falling back (an echo the synthetic body cannot make).
#[test]
fn body_i_traction_through_our_pipeline() {
    if models_present() {
        ratchet_some("bodies H and I (tests/clips/bodies-HI)", model, |stem| {
            stem.starts_with("back_block_traction")
        });
    }
}

/// Tuned-on clips as a webcam would film them (sensor noise, lossy video:
/// `tests/clips/webcam/README.md`), through our model. Traction: the near leg's reading
/// dips mid-slide while the far leg is dragged along, and still each leg's slide is its
/// own step, in order, with no false `both-legs-together`. Rotation: a drop away from the
/// camera the roll reads at a fifth of the too-far one still counts, drops away from it
/// the roll reads as blips are counted from the knees' turn, and a 32° drop away from a
/// raised camera is not too far.
#[test]
fn webcam_like_clips_through_our_pipeline() {
    if !models_present() {
        return;
    }
    every_clip_right_through_our_model("tests/clips/webcam", 5);
}

/// Every clip of a committed folder (`clips` of them) through our model is right.
fn every_clip_right_through_our_model(folder: &str, clips: usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let found = eval::find_clips(&dir).unwrap();
    assert_eq!(found.len(), clips, "clips in {}", dir.display());
    let input = model(&dir);
    for clip in &found {
        let score = eval::evaluate_clip(clip, &input);
        assert!(score.right, "{}: {}", clip.stem, score.why.join("; "));
    }
}

/// Clips as other cameras give them (`tests/clips/cameras/README.md`): the bridge
/// re-encoded at 15 fps, whose tilts a second reading saw as one long rep, and a varied
/// tilt filmed from the person's other side, where the detector missed them at first.
#[test]
fn another_camera_through_our_pipeline() {
    if !models_present() {
        return;
    }
    every_clip_right_through_our_model("tests/clips/cameras", 2);
}

/// Bodies J, K, P, Q and R, kept out of tuning, through our model: every clip, so a
/// change that turns one of their right clips wrong is caught on bodies nobody tuned on.
#[test]
fn unseen_bodies_through_our_pipeline() {
    if models_present() {
        ratchet("body J, unseen (tests/clips/bodies-J)", model);
        ratchet("body K, unseen (tests/clips/bodies-K)", model);
        ratchet("bodies P, Q, R, unseen (tests/clips/bodies-PQR)", model);
    }
}

/// The exercises beyond the acute routine on bodies L, M and N, rendered before their
/// code was written, and O, rendered after it, through our model.
#[test]
fn new_exercises_through_our_pipeline() {
    if models_present() {
        ratchet(
            "new exercises, bodies L, M, N, O (tests/clips/exercises-LMN)",
            model,
        );
    }
}

/// Pelvic tilts from 30° above on bodies L, M, N and O, through our model (the tilt's
/// outline cue comes from its segmentation output).
#[test]
fn raised_camera_tilts_through_our_pipeline() {
    if models_present() {
        ratchet(
            "tilts from 30° above, bodies L, M, N, O (tests/clips/tilt-elev30)",
            model,
        );
    }
}

#[test]
fn bad_placement_clips_through_our_pipeline() {
    if models_present() {
        ratchet("fixtures/exercises/bad-placement", model);
    }
}

#[test]
fn the_ratchet_reads_the_committed_tables() {
    // A ratchet that parsed nothing would pass everything.
    let verdicts = committed_verdicts();
    for title in [
        "fixtures/exercises",
        "fixtures/exercises, replayed",
        "fixtures/exercises/varied, replayed",
    ] {
        let clips = verdicts.get(title).map_or(0, BTreeMap::len);
        assert!(
            clips >= 8,
            "{title}: {clips} clips parsed from docs/accuracy.md"
        );
    }
}

#[test]
fn dropped_frames_keep_their_times_and_the_holds() {
    // A variable-frame-rate file (as `tests/data/vfr.mp4`): MediaPipe's own landmarks of
    // the tilt clip with one frame of every ten gone, each kept frame at its own time.
    // The holds stay within 0.1 s of the full clip's.
    use backform::coach;
    use backform::pose::jsonl::read_landmarks;
    let dir = shared();
    let path = dir.join("reference/pelvic_tilt__good__side_floor.jsonl");
    if !path.exists() {
        require::skip(format!("{} is absent", path.display()));
        return;
    }
    let lines = read_landmarks(&path).unwrap();
    let frames: Vec<(f64, Option<backform::pose::Pose>)> =
        lines.iter().map(|l| (l.t, l.to_pose(640, 480))).collect();
    let holds = |keep: &dyn Fn(usize) -> bool| -> Vec<f64> {
        let kept = frames
            .iter()
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .map(|(_, (t, p))| (*t, p.as_ref()));
        let (report, _) = coach::analyze("pelvic-tilt", kept, 46.0).unwrap();
        report.reps.iter().filter_map(|r| r.hold_s).collect()
    };
    let full = holds(&|_| true);
    let dropped = holds(&|i| i % 10 != 4);
    assert_eq!(full.len(), 5, "{full:?}");
    assert_eq!(dropped.len(), full.len(), "{dropped:?} vs {full:?}");
    for (d, f) in dropped.iter().zip(&full) {
        assert!(
            (d - f).abs() <= 0.1,
            "hold {d} s with dropped frames, {f} s without"
        );
    }
}

#[test]
fn real_people_standing_walking_and_jumping_count_nothing() {
    // fixtures/video: real people (not lying, not seated on an edge), coached as each
    // exercise: no rep, no form fault, and the person is told what position or camera
    // the exercise needs (a prompt, or the readiness line the app shows).
    use backform::coach;
    use backform::pose::jsonl::read_landmarks;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/reference");
    if !dir.is_dir() {
        require::skip(format!("{} is absent", dir.display()));
        return;
    }
    let mut failures = Vec::new();
    for clip in [
        "pose2sim-cam01",
        "pose2sim-cam02",
        "pose2sim-cam03",
        "pose2sim-cam04",
        "sports2d-demo",
    ] {
        let lines = read_landmarks(&dir.join(format!("{clip}.jsonl"))).unwrap();
        let size = backform::capture::VideoSource::open(&dir.join(format!("../video/{clip}.mp4")))
            .map(|s| {
                use backform::capture::FrameSource;
                (s.info().width, s.info().height)
            })
            .unwrap();
        let frames: Vec<(f64, Option<backform::pose::Pose>)> = lines
            .iter()
            .map(|l| (l.t, l.to_pose(size.0, size.1)))
            .collect();
        let end_s = frames.last().map_or(0.0, |f| f.0) + 0.1;
        for exercise in [
            "pelvic-tilt",
            "controlled-rotation",
            "pelvic-rock",
            "back-block-traction",
        ] {
            let (report, _) = coach::analyze(
                exercise,
                frames.iter().map(|(t, p)| (*t, p.as_ref())),
                end_s,
            )
            .unwrap();
            let name = format!("{clip} as {exercise}");
            if !report.reps.is_empty() || report.counts.total > 0 {
                failures.push(format!("{name}: counted {:?}", report.reps));
            }
            let form: Vec<_> = report
                .faults
                .iter()
                .filter(|f| !f.code.is_safety())
                .collect();
            if !form.is_empty() {
                failures.push(format!("{name}: form faults {form:?}"));
            }
            let told = report
                .prompts
                .iter()
                .any(|p| p.kind != backform::coach::PromptKind::Form)
                || report
                    .notes
                    .iter()
                    .any(|n| n.starts_with("the exercise never started"));
            if !told {
                failures.push(format!("{name}: nothing said about position or camera"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
