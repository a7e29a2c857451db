//! Exercise specifications: prescription, thresholds and prompt texts, as data.
//!
//! In flow the four `assets/exercises/<id>.toml` files, embedded in the binary with
//! `include_str!` so it works from any directory; out flow validated [`ExerciseSpec`]s.
//! Thresholds have one source, the file: `[counter]` and `[checks]` must give every one
//! (a missing one is a parse error naming it). Only what absence means by itself has a
//! default: no prescribed hold, no tips, the shared camera prompts.
//! [`catalog`] parses and validates all of them (the app calls it at start-up, and a
//! test does too), [`load`] fetches one by id. Exercise-specific thresholds live in each
//! file's `[checks]` table and are parsed by the exercise's own module
//! ([`ExerciseSpec::checks`]).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::FaultCode;

/// The exercise ids: the acute routine's four in its order, then the settled routine's
/// five (the pt-exercises seed's order), then the two twists of the 8-tips seed.
pub const IDS: [&str; 11] = [
    "pelvic-tilt",
    "controlled-rotation",
    "pelvic-rock",
    "back-block-traction",
    "standing-childs-pose",
    "standing-side-bend",
    "back-rotation-stretch",
    "bridge",
    "mini-squat",
    "seated-twist",
    "lying-twist",
];

/// The embedded spec files, by id.
const SOURCES: [(&str, &str); 11] = [
    (
        "pelvic-tilt",
        include_str!("../../assets/exercises/pelvic-tilt.toml"),
    ),
    (
        "controlled-rotation",
        include_str!("../../assets/exercises/controlled-rotation.toml"),
    ),
    (
        "pelvic-rock",
        include_str!("../../assets/exercises/pelvic-rock.toml"),
    ),
    (
        "back-block-traction",
        include_str!("../../assets/exercises/back-block-traction.toml"),
    ),
    (
        "standing-childs-pose",
        include_str!("../../assets/exercises/standing-childs-pose.toml"),
    ),
    (
        "standing-side-bend",
        include_str!("../../assets/exercises/standing-side-bend.toml"),
    ),
    (
        "back-rotation-stretch",
        include_str!("../../assets/exercises/back-rotation-stretch.toml"),
    ),
    ("bridge", include_str!("../../assets/exercises/bridge.toml")),
    (
        "mini-squat",
        include_str!("../../assets/exercises/mini-squat.toml"),
    ),
    (
        "seated-twist",
        include_str!("../../assets/exercises/seated-twist.toml"),
    ),
    (
        "lying-twist",
        include_str!("../../assets/exercises/lying-twist.toml"),
    ),
];

/// Trouble with an exercise spec.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("unknown exercise {0:?}; known exercises: {known}", known = IDS.join(", "))]
    UnknownExercise(String),
    #[error("assets/exercises/{id}.toml does not parse: {source}")]
    Parse { id: String, source: toml::de::Error },
    #[error("assets/exercises/{id}.toml [checks] does not parse: {source}")]
    Checks { id: String, source: toml::de::Error },
    #[error("assets/exercises/{id}.toml is invalid: {problem}")]
    Invalid { id: String, problem: String },
}

/// How the person is positioned for an exercise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpecPosture {
    /// On the back on the floor or a bed.
    Lying,
    /// Sitting on the edge of a bed or chair.
    Sitting,
    /// On the feet.
    Standing,
}

/// Where the camera must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpecView {
    Side,
    Front,
}

/// What the person is asked to do.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prescription {
    /// One line for listings, e.g. "10 slow tilts, hold 5–10 s each, 2–3 sets".
    pub summary: String,
    /// Reps per set, all sides together (0 for a timed exercise).
    #[serde(default)]
    pub reps_per_set: u32,
    /// Reps per side per set (0 when the exercise has no sides).
    #[serde(default)]
    pub reps_per_side: u32,
    #[serde(default = "one")]
    pub sets_min: u32,
    #[serde(default = "one")]
    pub sets_max: u32,
    /// Shortest hold that counts (0: no hold).
    #[serde(default)]
    pub hold_min_s: f64,
    /// Longest useful hold (shown as the range's top).
    #[serde(default)]
    pub hold_max_s: f64,
    /// Hard time limit of a timed exercise (0: none).
    #[serde(default)]
    pub time_limit_s: f64,
    /// A pause longer than this ends a set.
    #[serde(default = "default_set_pause_s")]
    pub set_pause_s: f64,
    /// What a routine file may prescribe instead (`[prescription.allowed]`).
    pub allowed: Allowed,
}

/// The ranges within which a routine may change an exercise's prescription. Safety limits
/// (traction's minute, the rotation's range) are not among them: a routine can shorten a
/// timed hold, never lengthen it past `time_limit_s`.
#[derive(Clone, Debug, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Allowed {
    pub sets: [u32; 2],
    /// Reps per set, or per side where the exercise has sides (absent: timed).
    #[serde(default)]
    pub reps: Option<[u32; 2]>,
    /// Each rep's hold, or a timed exercise's time (absent: no hold).
    #[serde(default)]
    pub hold_s: Option<[f64; 2]>,
    /// Rest between sets.
    pub rest_s: [f64; 2],
}

/// What one routine entry asks of an exercise; `None` keeps the exercise's own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prescribe {
    pub sets: Option<u32>,
    /// Per side where the exercise has sides.
    pub reps: Option<u32>,
    pub hold_s: Option<f64>,
    pub rest_s: Option<f64>,
}

/// A prescription a routine asked for that the exercise does not allow.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("`{field}` = {value} is not allowed for {id}: {allowed}")]
pub struct NotAllowed {
    pub id: String,
    pub field: &'static str,
    pub value: String,
    /// What is allowed, in words.
    pub allowed: String,
}

fn default_stop_prompt() -> String {
    "Stopping now. Rest in a comfortable position. If the pain is sharp, spreads down your leg, \
     brings numbness, or the spasm does not ease, see a health professional"
        .into()
}

fn one() -> u32 {
    1
}

fn default_set_pause_s() -> f64 {
    20.0
}

/// Rep counter thresholds; units are those of the exercise's signal (each file says).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterSpec {
    /// Excursion from the resting baseline that starts a rep.
    pub start: f64,
    /// Excursion below which the rep has come back (lower than `start`: hysteresis).
    pub end: f64,
    /// Excursions shorter than this are fidgets, not reps.
    pub min_rep_s: f64,
    /// Moving-average window that takes out landmark jitter.
    pub smoothing_s: f64,
    /// Time constant with which the resting baseline follows slow drift between reps.
    pub baseline_tau_s: f64,
    /// The hold (plateau) lasts while the signal moves slower than this share of the
    /// movements' own top speeds…
    pub plateau_speed_fraction: f64,
    /// …and stays within this share of its level (live: of its recent peak).
    pub plateau_drop_fraction: f64,
    /// A movement phase (out or back) quicker than this is `too-fast` (0: not checked).
    pub min_movement_s: f64,
    /// A rep survives landmark dropouts up to this long.
    pub max_gap_s: f64,
    /// Thresholds rise to at least this many times the resting noise measured at start.
    pub noise_factor: f64,
    /// A rep also ends once it has come back below this share of its own peak (0: only
    /// the `end` threshold), for signals whose resting level drifts during a long hold.
    pub return_fraction: f64,
    /// Report the plateau at the rep's peak as `hold_s` (off where the signal's timing at
    /// the peak is not trustworthy; exercises with a prescribed hold always report it).
    pub report_hold: bool,
    /// The running "can I see it?" check (absent: not checked): the movement is judged
    /// unseeable while rest's own excursions either way (drift, noise — measured on
    /// every still period) have raised the start threshold past this many times
    /// `start`, unless a rep counted lately went twice as far as they do.
    #[serde(default)]
    pub unseeable_raise: Option<f64>,
    /// A rep still out after this long is no rep (absent: no limit): the resting level
    /// moved under it and never came back. Its excursion is what rest does to this
    /// signal, and the counter starts again from where the signal now rests.
    #[serde(default)]
    pub max_rep_s: Option<f64>,
    /// A rep has also come back when its signal fell this share of its peak or more in
    /// one movement and then stayed still there (absent: only `end` and
    /// `return_fraction`): a cue whose resting level moves with each rep (the belly's
    /// outline from a raised camera comes back half-way) shows the return as a fall to a
    /// new resting level.
    #[serde(default)]
    pub settled_return: Option<f64>,
    /// Mirror movements only (a rock to either side is the same movement): the
    /// session's first movement, if it came back short of `start` (calibration still
    /// settling, the person's range not yet known), counts once the first rep the other
    /// way shows it was at least this share of that rep (absent: never).
    #[serde(default)]
    pub first_rep_mirror_share: Option<f64>,
    /// A rep must stay past its start threshold this long (absent: 0), whatever its
    /// span from rest to rest: a spike — the landmark filter restarting after a lost
    /// frame passes one raw, jittery point — measures as a long rep when the search for
    /// where it left rest reaches back through the noise before it.
    #[serde(default)]
    pub min_out_s: f64,
}

/// Camera and set-up prompts; the defaults fit every exercise, a file may override them.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CameraPrompts {
    /// No body in view.
    pub no_person: String,
    /// A body part a check needs is not seen; `{part}` is replaced by its name.
    pub cannot_see_part: String,
    /// The camera is at the wrong place for this exercise.
    pub wrong_view: String,
    /// The body is too small in the picture.
    pub too_far: String,
    /// The movement is smaller than the landmark noise from this placement.
    pub signal_below_noise: String,
    /// Not yet in the starting position.
    pub get_into_position: String,
    /// In position but moving; calibration needs a still moment.
    pub hold_still: String,
}

impl Default for CameraPrompts {
    fn default() -> Self {
        Self {
            no_person: "I can't see you — make sure your whole body is in the picture".into(),
            cannot_see_part: "I can't see your {part}".into(),
            wrong_view: "Move the camera to your side".into(),
            too_far: "Move the camera closer".into(),
            signal_below_noise:
                "I can't see the movement from here — move the camera level with your hips".into(),
            get_into_position: "Get into the starting position".into(),
            hold_still: "Hold still for a moment".into(),
        }
    }
}

/// Everything the engine and the app need to know about one exercise.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExerciseSpec {
    /// Stable id, e.g. `pelvic-tilt`.
    pub id: String,
    /// Display name.
    pub name: String,
    pub posture: SpecPosture,
    pub view: SpecView,
    /// Where to put the camera, for the person.
    pub placement: String,
    /// How to do it (from the seed text).
    pub how_to: String,
    /// The seed's tips.
    #[serde(default)]
    pub tips: Vec<String>,
    /// Why it helps (from the seed text).
    #[serde(default)]
    pub why: String,
    pub prescription: Prescription,
    /// The rep counter's thresholds (absent for an exercise that counts no reps).
    #[serde(default)]
    pub counter: Option<CounterSpec>,
    /// Fault code → the prompt the person hears.
    #[serde(default)]
    pub prompts: BTreeMap<FaultCode, String>,
    #[serde(default)]
    pub camera: CameraPrompts,
    /// What the starting position check says when it fails.
    #[serde(default)]
    pub start_position_prompt: String,
    /// What "it hurts — stop" says.
    #[serde(default = "default_stop_prompt")]
    pub stop_prompt: String,
    /// Exercise-specific thresholds, parsed by the exercise's module.
    #[serde(default)]
    pub checks: toml::Table,
}

impl ExerciseSpec {
    /// `Ok` in the starting position, otherwise the prompt that says how to get there.
    pub fn start_check(&self, in_position: bool) -> Result<(), String> {
        if in_position {
            Ok(())
        } else {
            Err(self.start_position_prompt.clone())
        }
    }

    /// Parses one spec file's text (not validated; see [`validate`](Self::validate)).
    pub fn parse(id: &str, text: &str) -> Result<ExerciseSpec, SpecError> {
        toml::from_str(text).map_err(|source| SpecError::Parse {
            id: id.to_owned(),
            source,
        })
    }

    /// The `[checks]` table as the exercise's own parameter type (every field required).
    pub fn checks<T: DeserializeOwned>(&self) -> Result<T, SpecError> {
        self.checks
            .clone()
            .try_into()
            .map_err(|source| SpecError::Checks {
                id: self.id.clone(),
                source,
            })
    }

    /// The prompt for a fault, if the spec has one.
    pub fn prompt(&self, code: FaultCode) -> Option<&str> {
        self.prompts.get(&code).map(String::as_str)
    }

    /// This spec with a routine's prescription in place of its own, each number checked
    /// against `[prescription.allowed]`. The hold a routine asks for is the shortest that
    /// counts (`hold-too-short` below it); a timed exercise's time becomes its limit.
    pub fn prescribed(&self, ask: &Prescribe) -> Result<ExerciseSpec, NotAllowed> {
        let allowed = &self.prescription.allowed;
        let not_allowed = |field: &'static str, value: String, allowed: String| NotAllowed {
            id: self.id.clone(),
            field,
            value,
            allowed,
        };
        let range = |[lo, hi]: [f64; 2], unit: &str| format!("{lo}–{hi}{unit}");
        let mut spec = self.clone();
        let p = &mut spec.prescription;
        if let Some(sets) = ask.sets {
            let [lo, hi] = allowed.sets;
            if !(lo..=hi).contains(&sets) {
                return Err(not_allowed("sets", sets.to_string(), format!("{lo}–{hi}")));
            }
            (p.sets_min, p.sets_max) = (sets, sets);
        }
        if let Some(reps) = ask.reps {
            let per = if p.reps_per_side > 0 { " per side" } else { "" };
            match allowed.reps {
                Some([lo, hi]) if (lo..=hi).contains(&reps) => {
                    if p.reps_per_side > 0 {
                        (p.reps_per_side, p.reps_per_set) = (reps, 2 * reps);
                    } else {
                        p.reps_per_set = reps;
                    }
                }
                Some([lo, hi]) => {
                    return Err(not_allowed(
                        "reps",
                        reps.to_string(),
                        format!("{lo}–{hi}{per}"),
                    ));
                }
                None => {
                    return Err(not_allowed(
                        "reps",
                        reps.to_string(),
                        "none: it is timed, not counted".into(),
                    ));
                }
            }
        }
        if let Some(hold_s) = ask.hold_s {
            match allowed.hold_s {
                Some(r) if hold_s >= r[0] && hold_s <= r[1] => {
                    if p.time_limit_s > 0.0 {
                        // Never past the safety limit, whatever the allowed range says.
                        p.time_limit_s = hold_s.min(p.time_limit_s);
                    } else {
                        p.hold_min_s = hold_s;
                        p.hold_max_s = p.hold_max_s.max(hold_s);
                    }
                }
                Some(r) => {
                    return Err(not_allowed("hold_s", hold_s.to_string(), range(r, " s")));
                }
                None => {
                    return Err(not_allowed(
                        "hold_s",
                        hold_s.to_string(),
                        "none: it has no hold".into(),
                    ));
                }
            }
        }
        if let Some(rest_s) = ask.rest_s {
            let r = allowed.rest_s;
            if !(rest_s >= r[0] && rest_s <= r[1]) {
                return Err(not_allowed("rest_s", rest_s.to_string(), range(r, " s")));
            }
        }
        Ok(spec)
    }

    /// Checks the numbers make sense and every fault the exercise raises has a prompt.
    pub fn validate(&self, expected_id: &str, faults: &[FaultCode]) -> Result<(), SpecError> {
        let invalid = |problem: String| SpecError::Invalid {
            id: expected_id.to_owned(),
            problem,
        };
        if self.id != expected_id {
            return Err(invalid(format!(
                "id is {:?}, the file name says {expected_id:?}",
                self.id
            )));
        }
        let p = &self.prescription;
        if p.sets_min == 0 || p.sets_min > p.sets_max {
            return Err(invalid(format!(
                "sets {}–{} is not a range",
                p.sets_min, p.sets_max
            )));
        }
        if p.reps_per_side > 0 && p.reps_per_set != 2 * p.reps_per_side {
            return Err(invalid(format!(
                "reps_per_set {} is not twice reps_per_side {}",
                p.reps_per_set, p.reps_per_side
            )));
        }
        if p.reps_per_set == 0 && p.time_limit_s <= 0.0 {
            return Err(invalid("neither reps nor a time limit".into()));
        }
        if p.hold_max_s > 0.0 && p.hold_max_s < p.hold_min_s {
            return Err(invalid("hold_max_s is below hold_min_s".into()));
        }
        let a = &p.allowed;
        if a.sets[0] == 0 || a.sets[0] > a.sets[1] || !(a.sets[0]..=a.sets[1]).contains(&p.sets_min)
        {
            return Err(invalid(format!(
                "allowed sets {:?} is not a range holding sets_min {}",
                a.sets, p.sets_min
            )));
        }
        let own_reps = if p.reps_per_side > 0 {
            p.reps_per_side
        } else {
            p.reps_per_set
        };
        match a.reps {
            Some([lo, hi]) if lo == 0 || lo > hi || !(lo..=hi).contains(&own_reps) => {
                return Err(invalid(format!(
                    "allowed reps [{lo}, {hi}] is not a range holding the prescribed {own_reps}"
                )));
            }
            None if own_reps > 0 => {
                return Err(invalid("reps are prescribed but none are allowed".into()));
            }
            _ => {}
        }
        let own_hold = if p.time_limit_s > 0.0 {
            p.time_limit_s
        } else {
            p.hold_min_s
        };
        match a.hold_s {
            Some([lo, hi]) if !(lo > 0.0 && lo <= own_hold && own_hold <= hi) => {
                return Err(invalid(format!(
                    "allowed hold_s [{lo}, {hi}] is not a range holding the prescribed {own_hold}"
                )));
            }
            Some([_, hi]) if p.time_limit_s > 0.0 && hi > p.time_limit_s => {
                return Err(invalid(format!(
                    "allowed hold_s reaches {hi} s, past the time limit {} s",
                    p.time_limit_s
                )));
            }
            None if own_hold > 0.0 => {
                return Err(invalid("a hold is prescribed but none is allowed".into()));
            }
            _ => {}
        }
        if !(a.rest_s[0] >= 0.0 && a.rest_s[0] <= a.rest_s[1]) {
            return Err(invalid(format!(
                "allowed rest_s {:?} is not a range",
                a.rest_s
            )));
        }
        let Some(c) = self.counter.as_ref() else {
            if p.reps_per_set > 0 {
                return Err(invalid(
                    "reps are prescribed but there is no [counter]".into(),
                ));
            }
            return self.validate_prompts(expected_id, faults);
        };
        if p.reps_per_set > 0 && !(c.start > c.end && c.end > 0.0) {
            return Err(invalid(format!(
                "counter start {} must exceed end {} > 0 (hysteresis)",
                c.start, c.end
            )));
        }
        for (name, v) in [
            ("min_rep_s", c.min_rep_s),
            ("smoothing_s", c.smoothing_s),
            ("baseline_tau_s", c.baseline_tau_s),
            ("plateau_speed_fraction", c.plateau_speed_fraction),
            ("plateau_drop_fraction", c.plateau_drop_fraction),
            ("max_gap_s", c.max_gap_s),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(invalid(format!("counter.{name} must be positive, is {v}")));
            }
        }
        if let Some(max) = c.max_rep_s
            && !(max.is_finite() && max > c.min_rep_s)
        {
            return Err(invalid(format!(
                "counter.max_rep_s must exceed min_rep_s {}, is {max}",
                c.min_rep_s
            )));
        }
        self.validate_prompts(expected_id, faults)
    }

    /// Every fault the exercise raises has a prompt, and the starting position one.
    fn validate_prompts(&self, expected_id: &str, faults: &[FaultCode]) -> Result<(), SpecError> {
        let invalid = |problem: String| SpecError::Invalid {
            id: expected_id.to_owned(),
            problem,
        };
        for code in faults {
            if code.is_prompted() && self.prompt(*code).is_none_or(str::is_empty) {
                return Err(invalid(format!("no prompt for fault {code}")));
            }
        }
        if self.start_position_prompt.is_empty() {
            return Err(invalid("start_position_prompt is empty".into()));
        }
        Ok(())
    }
}

/// Loads one embedded spec by id (parsed, not yet validated against its exercise's
/// faults; [`crate::exercises::create`] does that).
pub fn load(id: &str) -> Result<ExerciseSpec, SpecError> {
    let (_, text) = SOURCES
        .iter()
        .find(|(known, _)| *known == id)
        .ok_or_else(|| SpecError::UnknownExercise(id.to_owned()))?;
    ExerciseSpec::parse(id, text)
}

/// Every exercise's spec, parsed and validated (including its `[checks]`), in routine
/// order: what `backform exercises` lists and what the app checks at start-up.
pub fn catalog() -> Result<Vec<ExerciseSpec>, SpecError> {
    IDS.iter()
        .map(|id| {
            let spec = load(id)?;
            super::validate_spec(&spec)?;
            Ok(spec)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_four_specs_parse_and_validate() {
        let specs = catalog().unwrap();
        let ids: Vec<&str> = specs.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, IDS);
        for s in &specs {
            assert!(!s.name.is_empty() && !s.placement.is_empty() && !s.how_to.is_empty());
            assert!(!s.prescription.summary.is_empty());
        }
    }

    #[test]
    fn unknown_id_names_the_known_ones() {
        let err = load("yoga").unwrap_err().to_string();
        assert!(err.contains("pelvic-tilt"), "{err}");
    }

    #[test]
    fn a_spec_without_a_counter_has_none_and_bad_ranges_are_rejected() {
        let text = r#"
            id = "pelvic-tilt"
            name = "x"
            posture = "lying"
            view = "side"
            placement = "p"
            how_to = "h"
            start_position_prompt = "s"
            [prescription]
            summary = "s"
            reps_per_set = 10
            sets_min = 3
            sets_max = 2
            [prescription.allowed]
            sets = [1, 3]
            reps = [5, 15]
            rest_s = [10.0, 60.0]
        "#;
        let spec = ExerciseSpec::parse("pelvic-tilt", text).unwrap();
        assert_eq!(spec.counter, None);
        let err = spec.validate("pelvic-tilt", &[]).unwrap_err().to_string();
        assert!(err.contains("sets"), "{err}");
        // What a routine may ask must hold the exercise's own prescription.
        let narrow = text
            .replace("sets_min = 3\n", "sets_min = 2\n")
            .replace("sets_max = 2", "sets_max = 3")
            .replace("reps = [5, 15]", "reps = [12, 15]");
        let spec = ExerciseSpec::parse("pelvic-tilt", &narrow).unwrap();
        let err = spec.validate("pelvic-tilt", &[]).unwrap_err().to_string();
        assert!(err.contains("allowed reps"), "{err}");
    }

    #[test]
    fn a_threshold_left_out_of_the_file_is_an_error_naming_it() {
        let text = include_str!("../../assets/exercises/pelvic-tilt.toml");
        let without: String = text
            .lines()
            .filter(|l| !l.starts_with("noise_factor"))
            .collect::<Vec<_>>()
            .join("\n");
        let err = ExerciseSpec::parse("pelvic-tilt", &without)
            .unwrap_err()
            .to_string();
        assert!(err.contains("noise_factor"), "{err}");
        // And in [checks]: the exercise's own parse says which.
        let without: String = text
            .lines()
            .filter(|l| !l.starts_with("hips_lift_torso"))
            .collect::<Vec<_>>()
            .join("\n");
        let spec = ExerciseSpec::parse("pelvic-tilt", &without).unwrap();
        let err = crate::exercises::create_from_spec(spec)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("hips_lift_torso"), "{err}");
    }

    #[test]
    fn a_prompted_fault_without_a_prompt_is_rejected() {
        let mut spec = load("pelvic-tilt").unwrap();
        spec.prompts.remove(&FaultCode::Crunch);
        let err = spec
            .validate("pelvic-tilt", &[FaultCode::Crunch])
            .unwrap_err()
            .to_string();
        assert!(err.contains("crunch"), "{err}");
    }
}
