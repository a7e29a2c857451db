//! "Play the demo" demonstrates: the acute routine on the bundled clips, one per
//! exercise, through the real pose model. Each exercise starts from its own clip, in
//! order, shows the prompt its clip is made to draw, and the routine finishes.

// Test helpers outside #[test] functions may panic too: a failed set-up is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod require;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use backform::capture::playlist::{PlaylistControl, PlaylistSource};
use backform::coach::routine::{ACUTE_ROUTINE, CoachFactory, Stage};
use backform::pipeline::engine::{BuiltinExercises, DemoClips, EngineOptions, pose_builder};
use backform::pipeline::{Command, InlinePipeline, PipelineHandle};

#[test]
fn the_demo_runs_the_routine_on_one_clip_per_exercise_each_with_its_prompt() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let clips = DemoClips::in_folder(&dir).expect("the bundled demo is complete");
    let pose = match pose_builder(&EngineOptions::default())() {
        Ok(pose) => pose,
        Err(err) => {
            require::skip(format!("the pose model cannot run: {err}"));
            return;
        }
    };
    let control = Arc::new(PlaylistControl::default());
    let paths = clips.0.iter().map(|(_, path)| path.clone()).collect();
    let source = PlaylistSource::open(paths, Arc::clone(&control)).unwrap();
    let mut pipeline = InlinePipeline::new(
        Box::new(source),
        pose,
        Box::new(|| Box::new(BuiltinExercises) as Box<dyn CoachFactory>),
        DemoClips::routine_config(),
        None,
        15,
    )
    .with_playlist(Some(control));
    pipeline.send(Command::StartRoutine(
        backform::coach::plan::RoutinePlan::acute(),
    ));

    // Per exercise: whether it became active, its prompts, and when it was first seen.
    let mut active: BTreeMap<String, bool> = BTreeMap::new();
    let mut prompts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut finished = false;
    let mut last_stage = None;
    for _ in 0..2_000 {
        let Some(snapshot) = pipeline.latest() else {
            break;
        };
        let Some(routine) = snapshot.routine.as_ref() else {
            continue;
        };
        last_stage = Some(routine.stage.clone());
        if routine.stage == Stage::Finished {
            finished = true;
            break;
        }
        let Some(exercise) = routine.exercise.as_ref() else {
            continue;
        };
        if order.last() != Some(&exercise.id) {
            order.push(exercise.id.clone());
        }
        if routine.stage == Stage::Active {
            active.insert(exercise.id.clone(), true);
        }
        if let Some(prompt) = routine.state.as_ref().and_then(|s| s.prompt.as_ref()) {
            let seen = prompts.entry(exercise.id.clone()).or_default();
            if !seen.contains(&prompt.text) {
                seen.push(prompt.text.clone());
            }
        }
    }
    eprintln!("order {order:?}\nprompts {prompts:#?}\nlast stage {last_stage:?}");
    assert_eq!(
        order, ACUTE_ROUTINE,
        "every exercise, in the routine's order"
    );
    for id in ACUTE_ROUTINE {
        assert_eq!(active.get(id), Some(&true), "{id} started from its clip");
    }
    let said = |id: &str, words: &str| {
        prompts
            .get(id)
            .is_some_and(|p| p.iter().any(|text| text.contains(words)))
    };
    assert!(said("pelvic-tilt", "hips on the floor"), "the bridge fault");
    assert!(
        said("controlled-rotation", "small and pain-free"),
        "too far"
    );
    assert!(
        said("pelvic-rock", "not your shoulders"),
        "the shoulder sway"
    );
    assert!(
        said("back-block-traction", "not your lower back"),
        "the block too high"
    );
    assert!(finished, "the routine finished");
}
