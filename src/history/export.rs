//! Exports for a physiotherapist: CSV (one row per rep, with its session and run), JSON
//! (every run's report with its session) and FHIR R4 (`fhir`). Columns and codes are in
//! `docs/history.md`.

use std::path::{Path, PathBuf};

use super::store::{RepRow, Store, StoreError};

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
    /// A FHIR R4 collection Bundle, for a clinic's systems.
    Fhir,
}

/// Trouble exporting. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the export {path}: {reason}")]
    Write { path: PathBuf, reason: String },
}

/// The calendar date (UTC) of a Unix time, `YYYY-MM-DD`.
pub fn utc_date(unix_s: f64) -> String {
    let (year, month, day) = super::progress::civil(super::progress::day_of(unix_s));
    format!("{year:04}-{month:02}-{day:02}")
}

/// A Unix time as an RFC 3339 UTC date and time, `YYYY-MM-DDThh:mm:ssZ`.
pub fn utc_datetime(unix_s: f64) -> String {
    let secs = unix_s.floor() as i64;
    let of_day = secs.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        utc_date(unix_s),
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// One CSV row: the stored rep with the session's date (the csv crate cannot flatten).
#[derive(serde::Serialize)]
struct CsvRow<'a> {
    date: String,
    session_id: &'a str,
    exercise: &'a str,
    exercise_name: &'a str,
    end_reason: &'a str,
    prescribed_reps_per_set: Option<u32>,
    prescribed_sets: Option<u32>,
    prescribed_hold_s: Option<f64>,
    rep: u32,
    side: Option<&'a str>,
    side_inferred: bool,
    start_s: f64,
    end_s: f64,
    hold_s: Option<f64>,
    faults: &'a str,
    pain_before: Option<u8>,
    pain_after: Option<u8>,
}

impl<'a> CsvRow<'a> {
    fn of(r: &'a RepRow) -> Self {
        CsvRow {
            date: utc_date(r.session_started_unix_s),
            session_id: &r.session_id,
            exercise: &r.exercise,
            exercise_name: &r.exercise_name,
            end_reason: &r.end_reason,
            prescribed_reps_per_set: r.prescribed_reps_per_set,
            prescribed_sets: r.prescribed_sets,
            prescribed_hold_s: r.prescribed_hold_s,
            rep: r.rep,
            side: r.side.as_deref(),
            side_inferred: r.side_inferred,
            start_s: r.start_s,
            end_s: r.end_s,
            hold_s: r.hold_s,
            faults: &r.faults,
            pain_before: r.pain_before,
            pain_after: r.pain_after,
        }
    }
}

/// Where the sessions CSV goes beside the reps CSV `out`: `.sessions.csv` in place of
/// `.csv` (appended when `out` has another ending).
pub fn sessions_path(out: &Path) -> PathBuf {
    let name = out.to_string_lossy();
    match name.strip_suffix(".csv") {
        Some(stem) => PathBuf::from(format!("{stem}.sessions.csv")),
        None => PathBuf::from(format!("{name}.sessions.csv")),
    }
}

/// One row per session (the sessions file of the CSV export).
#[derive(serde::Serialize)]
struct SessionCsvRow<'a> {
    date: String,
    session_id: &'a str,
    exercises_done: u32,
    exercises: &'a str,
    reps_done: u32,
    reps_prescribed: Option<u32>,
    holds_completed: u32,
    stopped_because_it_hurt: u32,
    pain_before: Option<u8>,
    pain_after: Option<u8>,
    pain_after_stop: Option<u8>,
}

fn write_sessions_csv(store: &Store, path: &Path) -> Result<(), ExportError> {
    let write_error = |e: &dyn std::fmt::Display| ExportError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let mut writer = csv::Writer::from_path(path).map_err(|e| write_error(&e))?;
    for s in &store.session_rows()? {
        writer
            .serialize(SessionCsvRow {
                date: utc_date(s.started_unix_s),
                session_id: &s.session_id,
                exercises_done: s.exercises_done,
                exercises: &s.exercises,
                reps_done: s.reps_done,
                reps_prescribed: s.reps_prescribed,
                holds_completed: s.holds_completed,
                stopped_because_it_hurt: s.stopped_because_it_hurt,
                pain_before: s.pain_before,
                pain_after: s.pain_after,
                pain_after_stop: s.pain_after_stop,
            })
            .map_err(|e| write_error(&e))?;
    }
    writer.flush().map_err(|e| write_error(&e))
}

/// Writes `store`'s history to `out` in `format`.
pub fn export(store: &Store, format: Format, out: &Path) -> Result<(), ExportError> {
    let write_error = |e: &dyn std::fmt::Display| ExportError::Write {
        path: out.to_path_buf(),
        reason: e.to_string(),
    };
    match format {
        Format::Csv => {
            let rows = store.rep_rows()?;
            let mut writer = csv::Writer::from_path(out).map_err(|e| write_error(&e))?;
            for rep in &rows {
                writer
                    .serialize(CsvRow::of(rep))
                    .map_err(|e| write_error(&e))?;
            }
            writer.flush().map_err(|e| write_error(&e))?;
            write_sessions_csv(store, &sessions_path(out))
        }
        Format::Json => {
            let runs: Vec<serde_json::Value> = store
                .runs()?
                .into_iter()
                .map(|(session_id, ended_unix_s, report)| {
                    serde_json::json!({
                        "session_id": session_id,
                        "date": utc_date(ended_unix_s),
                        "ended_unix_s": ended_unix_s,
                        "report": report,
                    })
                })
                .collect();
            let text = serde_json::to_string_pretty(&serde_json::json!({ "runs": runs }))
                .map_err(|e| write_error(&e))?;
            std::fs::write(out, text + "\n").map_err(|e| write_error(&e))
        }
        Format::Fhir => {
            let bundle = super::fhir::bundle(&store.run_summaries()?, &store.pains()?);
            let text = serde_json::to_string_pretty(&bundle).map_err(|e| write_error(&e))?;
            std::fs::write(out, text + "\n").map_err(|e| write_error(&e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_calendar_days() {
        assert_eq!(utc_date(0.0), "1970-01-01");
        assert_eq!(utc_date(951_782_400.0), "2000-02-29");
        assert_eq!(utc_date(1_796_256_000.0), "2026-12-03");
        assert_eq!(
            utc_datetime(1_796_256_000.0 + 3723.9),
            "2026-12-03T01:02:03Z"
        );
    }

    #[test]
    fn the_sessions_file_sits_beside_the_reps_file() {
        assert_eq!(
            sessions_path(Path::new("/x/reps.csv")),
            PathBuf::from("/x/reps.sessions.csv")
        );
        assert_eq!(
            sessions_path(Path::new("/x/export")),
            PathBuf::from("/x/export.sessions.csv")
        );
    }
}
