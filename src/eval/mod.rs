//! `backform eval`: the project's own accuracy report on clips with ground truth.
//!
//! In: a folder of `X.mp4` + `X.json` (the renderer's truth, top-level fields only) and
//! where poses come from (the model, or recorded landmarks `DIR/X.jsonl`); out: one
//! [`ClipScore`] per clip (scored by [`score::score`], the only judge the tests use too)
//! and Markdown tables ([`table`]). Each clip goes through
//! [`pipeline::analyze::coach_clip`](crate::pipeline::analyze::coach_clip), the very call
//! `backform analyze --exercise ID` makes. Sits after `coach` in the data flow: it reads
//! reports, it never changes what the coach decides.
//!
//! A folder named `bad-placement` holds clips filmed from where the exercise cannot be
//! judged: there the right answer is a camera prompt and nothing counted.

pub mod score;
pub mod table;
pub mod truth;

use std::path::{Path, PathBuf};

use crate::capture::SourceSpec;
use crate::exercises::{self, spec};
use crate::kinematics::View;
use crate::pipeline::analyze::{self, Poses};
use crate::pose::PoseConfig;

pub use score::{ClipScore, Rules, score};
pub use truth::Truth;

/// The folder name whose clips expect a camera prompt.
pub const BAD_PLACEMENT_FOLDER: &str = "bad-placement";

/// Why a folder or clip cannot be evaluated.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{path}: cannot list the folder ({reason}) — check the path")]
    Folder { path: String, reason: String },
    #[error(
        "{path}: no clips to score — eval wants X.mp4 files with their ground truth X.json beside them"
    )]
    NoClips { path: String },
    #[error("{path}: not a ground-truth file ({reason})")]
    Truth { path: String, reason: String },
}

/// One clip to score.
#[derive(Clone, Debug, PartialEq)]
pub struct Clip {
    pub stem: String,
    pub video: PathBuf,
    pub truth: PathBuf,
    pub bad_placement: bool,
}

/// Where the clips' poses come from.
#[derive(Clone, Debug)]
pub enum PoseInput {
    /// Run the model on each video (what `make accuracy` measures).
    Model(PoseConfig),
    /// Replay `DIR/X.jsonl` (tuning only: landmarks carry no pixels).
    Replay(PathBuf),
}

/// Every `X.mp4` with an `X.json` in `folder` (not subfolders), by name.
pub fn find_clips(folder: &Path) -> Result<Vec<Clip>, EvalError> {
    let shown = folder.display().to_string();
    let entries = std::fs::read_dir(folder).map_err(|e| EvalError::Folder {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let bad_placement = folder
        .file_name()
        .is_some_and(|n| n == BAD_PLACEMENT_FOLDER);
    let mut clips: Vec<Clip> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "mp4"))
        .filter_map(|video| {
            let truth = video.with_extension("json");
            let stem = video.file_stem()?.to_string_lossy().into_owned();
            truth.is_file().then_some(Clip {
                stem,
                video,
                truth,
                bad_placement,
            })
        })
        .collect();
    clips.sort_by(|a, b| a.stem.cmp(&b.stem));
    if clips.is_empty() {
        return Err(EvalError::NoClips { path: shown });
    }
    Ok(clips)
}

/// The scoring rules the exercise's spec implies.
pub fn rules_for(exercise_id: &str, bad_placement: bool) -> Result<Rules, String> {
    let spec = spec::load(exercise_id).map_err(|e| e.to_string())?;
    let exercise = exercises::create(exercise_id).map_err(|e| e.to_string())?;
    Ok(Rules {
        holds: spec.prescription.hold_min_s > 0.0,
        sides_shown: exercise.requirements().view == View::Front,
        timed: spec.prescription.time_limit_s > 0.0,
        bad_placement,
    })
}

/// Coaches one clip exactly as `analyze --exercise` does and scores the report. Never
/// fails: a clip that cannot be scored is a wrong row saying why.
pub fn evaluate_clip(clip: &Clip, input: &PoseInput) -> ClipScore {
    let truth = match Truth::read(&clip.truth) {
        Ok(mut t) => {
            if t.stem.is_empty() {
                t.stem.clone_from(&clip.stem);
            }
            t
        }
        Err(e) => return score::unscorable(None, &clip.stem, e.to_string()),
    };
    let rules = match rules_for(&truth.exercise, clip.bad_placement) {
        Ok(r) => r,
        Err(e) => return score::unscorable(Some(&truth), &clip.stem, e),
    };
    let poses = match input {
        PoseInput::Model(config) => Poses::Model(config.clone()),
        PoseInput::Replay(dir) => Poses::Replay(dir.join(format!("{}.jsonl", clip.stem))),
    };
    let spec = SourceSpec::Video(clip.video.clone());
    let coached = match analyze::coach_clip(&spec, &poses, Some(&truth.exercise), |_, _| Ok(())) {
        Ok(c) => c,
        Err(e) => return score::unscorable(Some(&truth), &clip.stem, e.to_string()),
    };
    let Some(report) = coached.report else {
        return score::unscorable(Some(&truth), &clip.stem, "no report".into());
    };
    let mut scored = score(&truth, &report, rules);
    if let Some(err) = coached.error {
        scored.right = false;
        scored
            .why
            .insert(0, format!("cannot be scored to its end: {err}"));
    }
    scored
}
