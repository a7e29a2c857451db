//! Imports the JSON-lines session log (`coach/session_log.rs`) into the store, once.
//!
//! In flows `sessions.jsonl`: `kind: exercise` lines become exercise runs (with their
//! reps, fault spans, prompts and "cannot see" spans from `report`), `kind: pain` lines
//! pain ratings. A line already imported (same session, exercise and start) is skipped,
//! so importing twice adds nothing. A line that is not valid JSON is counted and
//! skipped, never fatal. Afterwards the file moves to `sessions.jsonl.imported`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::coach::routine::ExerciseRecord;
use crate::coach::session_log::exercise_line;

use super::store::{
    CountedBy, PainInput, Prescribed, PromptInput, RepInput, RunInput, SpanInput, Store, StoreError,
};

/// What an import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub runs_added: usize,
    pub pain_added: usize,
    /// Lines already in the store.
    pub already_there: usize,
    /// Lines that could not be read (not JSON, or no kind this knows).
    pub unreadable: usize,
}

/// Trouble importing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read the session log {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("imported, but cannot move {path} aside: {source}")]
    Rename {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The name an imported log moves to.
pub fn imported_path(log: &Path) -> PathBuf {
    let mut name = log.file_name().unwrap_or_default().to_os_string();
    name.push(".imported");
    log.with_file_name(name)
}

/// Imports `log` into `store` and moves it aside (appending to an earlier
/// `.imported` file if there is one, so nothing is lost).
pub fn import_session_log(store: &mut Store, log: &Path) -> Result<ImportSummary, ImportError> {
    let text = std::fs::read_to_string(log).map_err(|source| ImportError::Read {
        path: log.to_path_buf(),
        source,
    })?;
    let mut summary = ImportSummary::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Ok(value) = serde_json::from_str::<Value>(line) else {
            tracing::warn!("{} line {}: not JSON, skipped", log.display(), i + 1);
            summary.unreadable += 1;
            continue;
        };
        let added = match value.get("kind").and_then(Value::as_str) {
            Some("exercise") => {
                let added = store.insert_run(&run_of(&value))?;
                summary.runs_added += usize::from(added);
                added
            }
            Some("pain") => {
                let Some(pain) = pain_of(&value) else {
                    summary.unreadable += 1;
                    continue;
                };
                let added = store.insert_pain(&pain)?;
                summary.pain_added += usize::from(added);
                added
            }
            _ => {
                summary.unreadable += 1;
                continue;
            }
        };
        summary.already_there += usize::from(!added);
    }
    move_aside(log)?;
    Ok(summary)
}

fn move_aside(log: &Path) -> Result<(), ImportError> {
    let target = imported_path(log);
    let rename_error = |source| ImportError::Rename {
        path: log.to_path_buf(),
        source,
    };
    if target.exists() {
        use std::io::Write;
        let text = std::fs::read(log).map_err(rename_error)?;
        let mut out = std::fs::OpenOptions::new()
            .append(true)
            .open(&target)
            .map_err(rename_error)?;
        out.write_all(&text)
            .and_then(|()| out.sync_data())
            .map_err(rename_error)?;
        std::fs::remove_file(log).map_err(rename_error)
    } else {
        std::fs::rename(log, &target).map_err(rename_error)
    }
}

fn f64_of(v: &Value, key: &str) -> f64 {
    v.get(key).and_then(Value::as_f64).unwrap_or(0.0)
}

fn str_of(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn u32_of(v: &Value, key: &str) -> u32 {
    v.get(key)
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(0)
}

fn list<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}

/// What the exercise's spec prescribes today.
pub fn prescribed_now(exercise: &str) -> Prescribed {
    crate::exercises::spec::load(exercise)
        .map(|spec| {
            let p = &spec.prescription;
            Prescribed {
                reps_per_set: (p.reps_per_set > 0).then_some(p.reps_per_set),
                sets: Some(p.sets_min),
                hold_s: (p.hold_min_s > 0.0).then_some(p.hold_min_s),
            }
        })
        .unwrap_or_default()
}

/// The run a finished exercise becomes in the store: exactly what importing its
/// session-log line gives, for a writer that holds the record itself.
pub fn run_input(session_id: &str, ended_unix_s: f64, record: &ExerciseRecord) -> RunInput {
    run_of(&exercise_line(session_id, ended_unix_s, record))
}

/// An `exercise` line of the session log as a run to store.
pub fn run_of(v: &Value) -> RunInput {
    let exercise = str_of(v, "exercise");
    let report = v.get("report").cloned().unwrap_or(Value::Null);
    let reps = list(&report, "reps")
        .map(|r| RepInput {
            side: r.get("side").and_then(Value::as_str).map(str::to_string),
            side_inferred: r
                .get("side_inferred")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            start_s: f64_of(r, "start_s"),
            end_s: f64_of(r, "end_s"),
            hold_s: r.get("hold_s").and_then(Value::as_f64),
            faults: list(r, "faults")
                .filter_map(|f| f.as_str().map(str::to_string))
                .collect(),
        })
        .collect();
    let span = |s: &Value, label: &str| SpanInput {
        label: str_of(s, label),
        start_s: f64_of(s, "start_s"),
        end_s: f64_of(s, "end_s"),
    };
    // What the run's routine prescribed, as its report says; a log line from before
    // reports carried it gets the prescription in force now.
    let prescribed = report
        .get("prescribed")
        .filter(|p| p.is_object())
        .map(|p| Prescribed {
            reps_per_set: p
                .get("reps_per_set")
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok()),
            sets: p
                .get("sets")
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok()),
            hold_s: p.get("hold_s").and_then(Value::as_f64),
        })
        .unwrap_or_else(|| prescribed_now(&exercise));
    RunInput {
        session_id: str_of(v, "session_id"),
        ended_unix_s: f64_of(v, "unix_time_s"),
        name: str_of(v, "name"),
        end_reason: str_of(v, "end"),
        started_t_s: f64_of(v, "started_t_s"),
        duration_s: f64_of(v, "duration_s"),
        reps_total: u32_of(v, "reps_total"),
        sets_completed: u32_of(v, "sets_completed"),
        holds_completed: u32_of(v, "holds_completed"),
        prescribed,
        reps,
        faults: list(&report, "faults").map(|f| span(f, "code")).collect(),
        prompts: list(&report, "prompts")
            .map(|p| PromptInput {
                t_s: f64_of(p, "t"),
                text: str_of(p, "text"),
                kind: str_of(p, "kind"),
            })
            .collect(),
        cannot_see: list(&report, "cannot_see")
            .map(|c| span(c, "reason"))
            .collect(),
        report_json: report.to_string(),
        // The app writes these into its lines; older logs have neither.
        counted_by: CountedBy {
            app_version: v
                .get("app_version")
                .and_then(Value::as_str)
                .map(str::to_string),
            model: v.get("model").and_then(Value::as_str).map(str::to_string),
        },
        exercise,
    }
}

/// A `pain` line of the session log as a rating to store.
pub fn pain_of(v: &Value) -> Option<PainInput> {
    let score = v.get("pain_0_to_10").and_then(Value::as_u64)?;
    Some(PainInput {
        session_id: str_of(v, "session_id"),
        unix_s: f64_of(v, "unix_time_s"),
        moment: str_of(v, "moment"),
        score: u8::try_from(score.min(10)).ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coach::routine::{EndReason, ExerciseRecord};
    use crate::coach::session_log::{PainMoment, SessionLog};

    /// A run keeps the prescription its routine gave (a physio's file), not today's.
    #[test]
    fn a_run_keeps_the_prescription_its_routine_gave() {
        let plan = crate::coach::plan::RoutinePlan::parse(
            "name = \"week 2\"\n[[exercise]]\nid = \"pelvic-tilt\"\nsets = 1\nreps = 6\nhold_s = 8.0\n",
            "week2.toml",
        )
        .unwrap();
        let spec = plan.exercises[0].spec().unwrap();
        let report = crate::coach::report::Report::build(
            &spec,
            60.0,
            &crate::exercises::ExerciseRecord::default(),
            &[],
            &[],
        );
        let record = ExerciseRecord {
            exercise: "pelvic-tilt".into(),
            name: "Pelvic tilts".into(),
            end: EndReason::Completed,
            started_t_s: 0.0,
            duration_s: 60.0,
            reps_total: 0,
            sets_completed: 0,
            holds_completed: 0,
            report: serde_json::to_value(&report).unwrap(),
        };
        let run = run_input("s", 1.0, &record);
        assert_eq!(
            (
                run.prescribed.sets,
                run.prescribed.reps_per_set,
                run.prescribed.hold_s
            ),
            (Some(1), Some(6), Some(8.0))
        );
        // Without it in the report: what the exercise prescribes today.
        let mut old = record.clone();
        old.report = serde_json::json!({"reps": []});
        assert_eq!(
            run_input("s", 1.0, &old).prescribed,
            prescribed_now("pelvic-tilt")
        );
    }

    #[test]
    fn the_session_log_is_imported_once_and_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let log_path = dir.path().join("sessions.jsonl");
        let log = SessionLog::at(log_path.clone());
        log.append_pain(PainMoment::BeforeSession, 6).unwrap();
        log.append_exercise(&ExerciseRecord {
            exercise: "pelvic-rock".into(),
            name: "Pelvic rocks".into(),
            end: EndReason::Completed,
            started_t_s: 2.0,
            duration_s: 30.0,
            reps_total: 2,
            sets_completed: 0,
            holds_completed: 0,
            report: serde_json::json!({
                "reps": [
                    {"side": "left", "side_inferred": false, "start_s": 1.0, "end_s": 2.0, "hold_s": null, "faults": []},
                    {"side": "right", "side_inferred": false, "start_s": 3.0, "end_s": 4.0, "hold_s": null, "faults": ["shoulders-tilt"]}
                ],
                "faults": [{"code": "shoulders-tilt", "start_s": 3.2, "end_s": 3.9, "message": "Keep your upper body still"}],
                "prompts": [{"t": 3.5, "text": "Keep your upper body still", "kind": "form", "code": "shoulders-tilt"}],
                "cannot_see": []
            }),
        })
        .unwrap();
        log.append_pain(PainMoment::AfterSession, 4).unwrap();
        std::fs::write(
            &log_path,
            std::fs::read_to_string(&log_path).unwrap() + "not json\n",
        )
        .unwrap();
        let mut store = Store::open(&dir.path().join("history.sqlite3")).unwrap();
        let summary = import_session_log(&mut store, &log_path).unwrap();
        assert_eq!(
            summary,
            ImportSummary {
                runs_added: 1,
                pain_added: 2,
                already_there: 0,
                unreadable: 1,
            }
        );
        assert!(!log_path.exists() && imported_path(&log_path).exists());
        let rows = store.rep_rows().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].pain_before, rows[0].pain_after),
            (Some(6), Some(4))
        );
        assert_eq!(rows[1].faults, "shoulders-tilt");
        assert_eq!(rows[0].prescribed_reps_per_set, Some(20));
        // The same lines again (a copy put back): nothing new, and the copy joins the
        // imported file rather than replacing it.
        std::fs::copy(imported_path(&log_path), &log_path).unwrap();
        let again = import_session_log(&mut store, &log_path).unwrap();
        assert_eq!(
            (again.runs_added, again.pain_added, again.already_there),
            (0, 0, 3)
        );
        assert_eq!(store.rep_rows().unwrap().len(), 2);
        let imported = std::fs::read_to_string(imported_path(&log_path)).unwrap();
        assert_eq!(imported.lines().count(), 8);
    }
}
