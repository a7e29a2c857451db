//! Routines as data: which exercises, in which order, with which prescription.
//!
//! In flow a routine file's TOML — one of the built-in `assets/routines/*.toml`, embedded
//! in the binary, or a physiotherapist's own file; out flows a validated [`RoutinePlan`]
//! the [`Routine`](super::routine::Routine) runs, each entry's numbers checked against
//! the exercise's `[prescription.allowed]` so no file can lift a safety limit. A bad file
//! gets one [`PlanError`] naming the file, the entry, the field and what is allowed.
//!
//! Schema: `name`, `notes`, and `[[exercise]]` entries with `id` and, each optional (the
//! exercise's own prescription otherwise), `sets`, `reps` (per side where the exercise
//! has sides), `hold_s` (each rep's hold, or a timed exercise's time), `rest_s` (between
//! sets), `note` (shown to the user).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::exercises::spec::{self, ExerciseSpec, Prescribe};

/// The built-in routines, by file stem, the default first.
const BUILT_IN: [(&str, &str); 2] = [
    ("acute", include_str!("../../assets/routines/acute.toml")),
    (
        "settled",
        include_str!("../../assets/routines/settled.toml"),
    ),
];

/// A routine: its exercises in order, each with what it asks for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutinePlan {
    pub name: String,
    /// Shown with the routine (when and how often to do it, what it is for).
    #[serde(default)]
    pub notes: String,
    #[serde(rename = "exercise")]
    pub exercises: Vec<PlanEntry>,
}

/// One exercise of a routine.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanEntry {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sets: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reps: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rest_s: Option<f64>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl PlanEntry {
    /// An entry that asks for the exercise's own prescription.
    pub fn of(id: &str) -> Self {
        Self {
            id: id.to_string(),
            ..Self::default()
        }
    }

    /// The exercise's spec with this entry's prescription in place.
    pub fn spec(&self) -> Result<ExerciseSpec, String> {
        let spec = spec::load(&self.id).map_err(|e| e.to_string())?;
        spec.prescribed(&Prescribe {
            sets: self.sets,
            reps: self.reps,
            hold_s: self.hold_s,
            rest_s: self.rest_s,
        })
        .map_err(|e| e.to_string())
    }
}

/// A routine file that cannot be used, with everything needed to fix it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("routine file {file}: {problem}")]
pub struct PlanError {
    /// The file (or the built-in routine's name).
    pub file: String,
    /// Which entry and field, and what is allowed.
    pub problem: String,
}

impl RoutinePlan {
    /// Parses and validates a routine file's text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, PlanError> {
        let error = |problem: String| PlanError {
            file: file.to_string(),
            problem,
        };
        let plan: RoutinePlan = toml::from_str(text).map_err(|e| {
            error(format!(
                "{} (fields: name, notes, and [[exercise]] entries with id, sets, reps, \
                 hold_s, rest_s, note)",
                e.message().trim_end_matches('.')
            ))
        })?;
        if plan.name.trim().is_empty() {
            return Err(error("`name` is empty".into()));
        }
        if plan.exercises.is_empty() {
            return Err(error(
                "no [[exercise]] entries: a routine needs at least one".into(),
            ));
        }
        for (n, entry) in plan.exercises.iter().enumerate() {
            let at = format!("[[exercise]] {} (id = {:?})", n + 1, entry.id);
            if !spec::IDS.contains(&entry.id.as_str()) {
                return Err(error(format!(
                    "{at}: no such exercise; known: {}",
                    spec::IDS.join(", ")
                )));
            }
            entry.spec().map_err(|why| error(format!("{at}: {why}")))?;
        }
        Ok(plan)
    }

    /// Reads and validates a routine file.
    pub fn load(path: &Path) -> Result<Self, PlanError> {
        let text = std::fs::read_to_string(path).map_err(|e| PlanError {
            file: path.display().to_string(),
            problem: format!("cannot be read: {e}"),
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// The built-in routines, the default (acute) first: parsed and checked once (the
    /// start screen asks every frame).
    pub fn built_in() -> &'static [RoutinePlan] {
        static PARSED: std::sync::OnceLock<Vec<RoutinePlan>> = std::sync::OnceLock::new();
        PARSED.get_or_init(|| {
            BUILT_IN
                .iter()
                .filter_map(|(stem, text)| {
                    Self::parse(text, &format!("assets/routines/{stem}.toml"))
                        .inspect_err(|e| tracing::error!("{e}"))
                        .ok()
                })
                .collect()
        })
    }

    /// The default routine: the acute one.
    pub fn acute() -> RoutinePlan {
        Self::built_in()
            .first()
            .cloned()
            .unwrap_or_else(|| RoutinePlan {
                name: "Acute low-back pain".into(),
                notes: String::new(),
                exercises: super::routine::ACUTE_ROUTINE
                    .iter()
                    .map(|id| PlanEntry::of(id))
                    .collect(),
            })
    }

    /// Whether this is the default (acute) routine.
    pub fn is_acute(&self) -> bool {
        Self::built_in().first().is_some_and(|acute| acute == self)
    }

    /// Written back as a routine file.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// The exercise ids in order.
    pub fn ids(&self) -> Vec<&str> {
        self.exercises.iter().map(|e| e.id.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_routine_parses_and_acute_is_the_seeds_order() {
        for (stem, text) in BUILT_IN {
            RoutinePlan::parse(text, stem).unwrap();
        }
        assert_eq!(RoutinePlan::built_in().len(), BUILT_IN.len());
        assert_eq!(
            RoutinePlan::acute().ids(),
            super::super::routine::ACUTE_ROUTINE
        );
        // The settled routine: the seed's three stretches, then its two strengthening
        // exercises, "once daily" shown.
        let settled = &RoutinePlan::built_in()[1];
        assert_eq!(
            settled.ids(),
            [
                "standing-childs-pose",
                "standing-side-bend",
                "back-rotation-stretch",
                "bridge",
                "mini-squat"
            ]
        );
        assert!(settled.notes.contains("Once daily"));
    }

    #[test]
    fn a_routine_file_round_trips_and_its_prescription_reaches_the_spec() {
        let plan = RoutinePlan {
            name: "Mrs A's week 2".into(),
            notes: "Once daily, morning".into(),
            exercises: vec![
                PlanEntry {
                    id: "pelvic-tilt".into(),
                    sets: Some(3),
                    reps: Some(8),
                    hold_s: Some(7.5),
                    rest_s: Some(45.0),
                    note: "Slowly".into(),
                },
                PlanEntry {
                    id: "pelvic-rock".into(),
                    reps: Some(6),
                    ..PlanEntry::default()
                },
                PlanEntry {
                    id: "back-block-traction".into(),
                    hold_s: Some(30.0),
                    ..PlanEntry::default()
                },
            ],
        };
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("week2.toml");
        std::fs::write(&file, plan.to_toml()).unwrap();
        let back = RoutinePlan::load(&file).unwrap();
        assert_eq!(back, plan);

        let tilt = back.exercises[0].spec().unwrap().prescription;
        assert_eq!((tilt.sets_min, tilt.sets_max, tilt.reps_per_set), (3, 3, 8));
        assert_eq!(tilt.hold_min_s, 7.5);
        let rock = back.exercises[1].spec().unwrap().prescription;
        assert_eq!((rock.reps_per_side, rock.reps_per_set), (6, 12));
        let traction = back.exercises[2].spec().unwrap().prescription;
        assert_eq!(traction.time_limit_s, 30.0);
    }

    /// Each bad file gets one message naming the file, the entry, the field and what is
    /// allowed — and no file can lift a safety limit.
    #[test]
    fn bad_routine_files_say_what_is_wrong_and_where() {
        let bad = |text: &str, expect: &[&str]| {
            let err = RoutinePlan::parse(text, "physio.toml")
                .unwrap_err()
                .to_string();
            for part in expect {
                assert!(err.contains(part), "{err:?} lacks {part:?}");
            }
            assert!(err.starts_with("routine file physio.toml"), "{err}");
        };
        let head = "name = \"x\"\n";
        bad(
            &format!("{head}[[exercise]]\nid = \"pelvic-tilt\"\nhold_s = 30\n"),
            &["[[exercise]] 1", "pelvic-tilt", "hold_s", "5–10 s"],
        );
        // Traction's minute is a safety limit.
        bad(
            &format!("{head}[[exercise]]\nid = \"back-block-traction\"\nhold_s = 120\n"),
            &["back-block-traction", "hold_s", "10–60 s"],
        );
        bad(
            &format!(
                "{head}[[exercise]]\nid = \"pelvic-tilt\"\n[[exercise]]\nid = \"pelvic-rock\"\nreps = 40\n"
            ),
            &["[[exercise]] 2", "reps", "5–15 per side"],
        );
        bad(
            &format!("{head}[[exercise]]\nid = \"back-block-traction\"\nreps = 5\n"),
            &["reps", "timed"],
        );
        bad(
            &format!("{head}[[exercise]]\nid = \"yoga\"\n"),
            &["no such exercise", "pelvic-tilt"],
        );
        bad(
            &format!("{head}[[exercise]]\nid = \"pelvic-tilt\"\nrepz = 4\n"),
            &["repz", "reps"],
        );
        bad(
            &format!("{head}[[exercise]]\nid = \"pelvic-tilt\"\nsets = \"two\"\n"),
            &["sets"],
        );
        bad(head, &["[[exercise]]"]);
        bad(
            "notes = \"no name\"\n[[exercise]]\nid = \"pelvic-tilt\"\n",
            &["name"],
        );
        let missing = RoutinePlan::load(Path::new("/nonexistent/physio.toml")).unwrap_err();
        assert!(
            missing.to_string().contains("/nonexistent/physio.toml"),
            "{missing}"
        );
    }
}
