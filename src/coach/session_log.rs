//! The session log: one JSON line per finished exercise, per "it hurts — stop" and per
//! pain rating.
//!
//! It was the app's record before the history store; now it is the store's way in from
//! older installs (`sessions.jsonl`, imported once) and its fallback: records the store
//! could not take by the time the app exits go to `history-unsaved.jsonl` in this format,
//! and the next start imports them. Each line is written and flushed on its own, so a
//! crash or power cut loses at most the line being written.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::routine::ExerciseRecord;

/// Environment variable that overrides the data directory (tests, portable installs).
pub const DATA_DIR_ENV: &str = "BACKFORM_DATA_DIR";

/// Name of the log file inside the data directory.
pub const LOG_FILE_NAME: &str = "sessions.jsonl";

/// Records the history store could not take before the app exited (imported next start).
pub const UNSAVED_FILE_NAME: &str = "history-unsaved.jsonl";

/// Name of the recently opened videos list inside the data directory (the start screen's).
pub const RECENT_VIDEOS_FILE_NAME: &str = "recent_videos.json";

/// Trouble writing the log.
#[derive(Debug, thiserror::Error)]
pub enum SessionLogError {
    #[error("no data directory for the session log: set {DATA_DIR_ENV} to a writable folder")]
    NoDataDir,
    #[error("cannot write the session log {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// When a pain rating was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PainMoment {
    BeforeSession,
    AfterSession,
    /// Right after "it hurts — stop".
    AfterStop,
}

/// One line of the log.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LogLine<'a> {
    /// An exercise ended (completed, skipped, "it hurts — stop", or session ended).
    Exercise {
        unix_time_s: f64,
        session_id: &'a str,
        #[serde(flatten)]
        record: &'a ExerciseRecord,
    },
    /// A pain rating, 0 (none) to 10 (worst imaginable).
    Pain {
        unix_time_s: f64,
        session_id: &'a str,
        moment: PainMoment,
        pain_0_to_10: u8,
    },
}

/// Appends lines to the session log.
#[derive(Debug, Clone)]
pub struct SessionLog {
    path: PathBuf,
    session_id: String,
}

fn unix_time_s() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl SessionLog {
    /// A log at `path`; its session id is the current Unix time in seconds.
    pub fn at(path: PathBuf) -> Self {
        Self {
            path,
            session_id: format!("{}", unix_time_s() as u64),
        }
    }

    /// The log in `$BACKFORM_DATA_DIR`, or else the platform data directory
    /// (`~/.local/share/backform` on Linux).
    pub fn in_data_dir() -> Result<Self, SessionLogError> {
        Ok(Self::at(default_data_dir()?.join(LOG_FILE_NAME)))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// A log for `session_id` (the history's fallback carries the app's session on).
    pub fn for_session(path: PathBuf, session_id: &str) -> Self {
        Self {
            path,
            session_id: session_id.to_string(),
        }
    }

    pub fn append_exercise(&self, record: &ExerciseRecord) -> Result<(), SessionLogError> {
        self.append(&exercise_line(&self.session_id, unix_time_s(), record))
    }

    pub fn append_pain(&self, moment: PainMoment, pain_0_to_10: u8) -> Result<(), SessionLogError> {
        self.append(&pain_line(
            &self.session_id,
            unix_time_s(),
            moment,
            pain_0_to_10,
        ))
    }

    /// Appends one line as it is (a line made by [`exercise_line`] or [`pain_line`]).
    pub fn append(&self, line: &serde_json::Value) -> Result<(), SessionLogError> {
        let io_error = |source| SessionLogError::Io {
            path: self.path.display().to_string(),
            source,
        };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(io_error)?;
        }
        let mut text = serde_json::to_string(line).map_err(|e| io_error(e.into()))?;
        text.push('\n');
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(io_error)?;
        // One write call per line: appends of a line this size are not interleaved.
        file.write_all(text.as_bytes()).map_err(io_error)?;
        file.sync_data().map_err(io_error)
    }
}

/// Seconds since the Unix epoch, now.
pub fn now_unix_s() -> f64 {
    unix_time_s()
}

/// The log line of a finished exercise.
pub fn exercise_line(session_id: &str, unix_s: f64, record: &ExerciseRecord) -> serde_json::Value {
    serde_json::to_value(LogLine::Exercise {
        unix_time_s: unix_s,
        session_id,
        record,
    })
    .unwrap_or(serde_json::Value::Null)
}

/// The log line of a pain rating (clamped to 0–10).
pub fn pain_line(
    session_id: &str,
    unix_s: f64,
    moment: PainMoment,
    pain_0_to_10: u8,
) -> serde_json::Value {
    serde_json::to_value(LogLine::Pain {
        unix_time_s: unix_s,
        session_id,
        moment,
        pain_0_to_10: pain_0_to_10.min(10),
    })
    .unwrap_or(serde_json::Value::Null)
}

/// `$BACKFORM_DATA_DIR`, or the platform data directory.
pub fn default_data_dir() -> Result<PathBuf, SessionLogError> {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "backform")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or(SessionLogError::NoDataDir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coach::routine::EndReason;

    #[test]
    fn appends_one_json_line_per_record() {
        let dir = tempfile::tempdir().unwrap();
        let log = SessionLog::at(dir.path().join("nested/sessions.jsonl"));
        let record = ExerciseRecord {
            exercise: "pelvic-rock".into(),
            name: "Pelvic rocks".into(),
            end: EndReason::ItHurts,
            started_t_s: 1.0,
            duration_s: 12.5,
            reps_total: 4,
            sets_completed: 0,
            holds_completed: 0,
            report: serde_json::json!({"reps": 4}),
        };
        log.append_pain(PainMoment::BeforeSession, 6).unwrap();
        log.append_exercise(&record).unwrap();
        let text = std::fs::read_to_string(log.path()).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["kind"], "pain");
        assert_eq!(lines[0]["moment"], "before_session");
        assert_eq!(lines[0]["pain_0_to_10"], 6);
        assert_eq!(lines[1]["kind"], "exercise");
        assert_eq!(lines[1]["exercise"], "pelvic-rock");
        assert_eq!(lines[1]["end"], "it_hurts");
        assert_eq!(lines[1]["report"]["reps"], 4);
        assert_eq!(lines[0]["session_id"], lines[1]["session_id"]);
    }
}
