//! The exercise a video shows, named in a sidecar file beside it (`X.json` beside
//! `X.mp4`, its top-level `exercise` field), never guessed from the file name.
//!
//! In flows a video's path; out flows a known exercise id, or `None`. The project's own
//! rendered clips carry such a JSON (their ground truth, with `_` for `-` in the id),
//! and so do the bundled demo clips.

use std::path::Path;

/// The exercise `X.json` beside `video` names, if it names one backform coaches.
pub fn exercise_of_video(video: &Path) -> Option<String> {
    let sidecar = video.with_extension("json");
    let text = std::fs::read_to_string(&sidecar).ok()?;
    #[derive(serde::Deserialize)]
    struct Sidecar {
        exercise: Option<String>,
    }
    let named = match serde_json::from_str::<Sidecar>(&text) {
        Ok(Sidecar { exercise: Some(id) }) => id.replace('_', "-"),
        Ok(Sidecar { exercise: None }) => return None,
        Err(err) => {
            tracing::debug!("{} names no exercise: {err}", sidecar.display());
            return None;
        }
    };
    if crate::pipeline::engine::exercise_info(&named).is_some() {
        Some(named)
    } else {
        tracing::debug!(
            "{} names an exercise backform does not know: {named}",
            sidecar.display()
        );
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sidecar_names_the_exercise_and_nothing_is_guessed() {
        let dir = tempfile::tempdir().unwrap();
        let video = dir.path().join("pelvic-tilt.mp4");
        assert_eq!(
            exercise_of_video(&video),
            None,
            "no sidecar: no guess from the name"
        );
        let sidecar = dir.path().join("pelvic-tilt.json");
        std::fs::write(&sidecar, r#"{"exercise": "pelvic-rock"}"#).unwrap();
        assert_eq!(exercise_of_video(&video).as_deref(), Some("pelvic-rock"));
        // The rendered clips' ground truth spells ids with underscores.
        std::fs::write(
            &sidecar,
            r#"{"exercise": "controlled_rotation", "fps": 30}"#,
        )
        .unwrap();
        assert_eq!(
            exercise_of_video(&video).as_deref(),
            Some("controlled-rotation")
        );
        std::fs::write(&sidecar, r#"{"exercise": "handstand"}"#).unwrap();
        assert_eq!(exercise_of_video(&video), None, "unknown exercise");
        std::fs::write(&sidecar, "{not json").unwrap();
        assert_eq!(exercise_of_video(&video), None, "corrupt sidecar");
    }
}
