//! The SQLite store: schema v2, migrations from any older version, and the writes and
//! reads the importer and exporters need.
//!
//! Opened with WAL journaling, `synchronous=FULL` (a session's record must survive a power
//! cut; the write rate is tiny) and a busy timeout. A database whose schema is newer than
//! this app knows is opened read-only and never rewritten.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::Serialize;

/// The schema this code writes.
pub const SCHEMA_VERSION: i64 = 3;
/// The database's file name in the data directory.
pub const FILE_NAME: &str = "history.sqlite3";

/// How long a write waits for another connection's lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

/// v0 → v1: sessions, runs with their prescription, reps, fault spans, prompts, pain.
const V1: &str = "
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    started_unix_s REAL NOT NULL
);
CREATE TABLE exercise_runs (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    exercise TEXT NOT NULL,
    name TEXT NOT NULL,
    end_reason TEXT NOT NULL,
    ended_unix_s REAL NOT NULL,
    started_t_s REAL NOT NULL,
    duration_s REAL NOT NULL,
    reps_total INTEGER NOT NULL,
    sets_completed INTEGER NOT NULL,
    holds_completed INTEGER NOT NULL,
    prescribed_reps_per_set INTEGER,
    prescribed_sets INTEGER,
    prescribed_hold_s REAL,
    report_json TEXT NOT NULL,
    UNIQUE (session_id, exercise, started_t_s)
);
CREATE TABLE reps (
    run_id INTEGER NOT NULL REFERENCES exercise_runs(id),
    number INTEGER NOT NULL,
    side TEXT,
    side_inferred INTEGER NOT NULL,
    start_s REAL NOT NULL,
    end_s REAL NOT NULL,
    hold_s REAL,
    faults TEXT NOT NULL
);
CREATE TABLE fault_spans (
    run_id INTEGER NOT NULL REFERENCES exercise_runs(id),
    code TEXT NOT NULL,
    start_s REAL NOT NULL,
    end_s REAL NOT NULL
);
CREATE TABLE prompts (
    run_id INTEGER NOT NULL REFERENCES exercise_runs(id),
    t_s REAL NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL
);
CREATE TABLE pain (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    unix_s REAL NOT NULL,
    moment TEXT NOT NULL,
    score INTEGER NOT NULL,
    UNIQUE (session_id, moment, unix_s)
);
";

/// v1 → v2: the spans the coach could not judge ("Coach any body").
const V2: &str = "
CREATE TABLE cannot_see (
    run_id INTEGER NOT NULL REFERENCES exercise_runs(id),
    start_s REAL NOT NULL,
    end_s REAL NOT NULL,
    reason TEXT NOT NULL
);
";

/// v2 → v3: runs written as they happen. A run under way has `end_reason` `in_progress`
/// and the timed hold's progress in `held_s`; a rep is kept once per number. Each run
/// also keeps the app version and pose model that counted it (unknown for older runs).
const V3: &str = "
ALTER TABLE exercise_runs ADD COLUMN held_s REAL;
ALTER TABLE exercise_runs ADD COLUMN app_version TEXT;
ALTER TABLE exercise_runs ADD COLUMN model TEXT;
CREATE UNIQUE INDEX reps_of_run ON reps (run_id, number);
";

/// Each migration takes the schema from its index to its index + 1.
const MIGRATIONS: [&str; 3] = [V1, V2, V3];

/// The end reason of a run still under way (or cut off by a crash, until the next start).
pub const IN_PROGRESS: &str = "in_progress";
/// The end reason of a run that was under way when the app last stopped without ending it.
pub const INTERRUPTED: &str = "interrupted";

/// Trouble with the history database. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the history {path}: {reason}")]
    Open { path: PathBuf, reason: String },
    #[error("the history {path} could not be written: {reason}")]
    Write { path: PathBuf, reason: String },
    #[error(
        "the history {path} was made by a newer backform (schema {found}, this one knows {SCHEMA_VERSION}): it is read-only here"
    )]
    Newer { path: PathBuf, found: i64 },
}

/// One rep as stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RepInput {
    pub side: Option<String>,
    pub side_inferred: bool,
    pub start_s: f64,
    pub end_s: f64,
    pub hold_s: Option<f64>,
    pub faults: Vec<String>,
}

/// A span: a fault, or a stretch not judged (with its reason).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpanInput {
    pub label: String,
    pub start_s: f64,
    pub end_s: f64,
}

/// A prompt the coach gave.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PromptInput {
    pub t_s: f64,
    pub text: String,
    pub kind: String,
}

/// What was prescribed when the exercise was done.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Prescribed {
    pub reps_per_set: Option<u32>,
    pub sets: Option<u32>,
    pub hold_s: Option<f64>,
}

/// One exercise run, ready to store.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunInput {
    pub session_id: String,
    pub ended_unix_s: f64,
    pub exercise: String,
    pub name: String,
    pub end_reason: String,
    pub started_t_s: f64,
    pub duration_s: f64,
    pub reps_total: u32,
    pub sets_completed: u32,
    pub holds_completed: u32,
    pub prescribed: Prescribed,
    pub reps: Vec<RepInput>,
    pub faults: Vec<SpanInput>,
    pub prompts: Vec<PromptInput>,
    pub cannot_see: Vec<SpanInput>,
    pub report_json: String,
    /// What counted it: backform's version and the pose model (`None`: not known).
    pub counted_by: CountedBy,
}

/// The app version and pose model behind a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CountedBy {
    pub app_version: Option<String>,
    pub model: Option<String>,
}

/// Which run a live write belongs to.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunRef {
    pub session_id: String,
    pub exercise: String,
    /// Seconds on the source's clock when the exercise started.
    pub started_t_s: f64,
}

/// A pain rating, 0–10.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PainInput {
    pub session_id: String,
    pub unix_s: f64,
    pub moment: String,
    pub score: u8,
}

/// The history database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
}

impl Store {
    /// `$BACKFORM_DATA_DIR/history.sqlite3`, or the platform data directory's.
    pub fn default_path() -> Option<PathBuf> {
        crate::coach::session_log::default_data_dir()
            .ok()
            .map(|dir| dir.join(FILE_NAME))
    }

    /// Opens (creating it and its folder if needed) and migrates to [`SCHEMA_VERSION`].
    /// A newer database opens read-only, with a warning.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let open_error = |reason: String| StoreError::Open {
            path: path.to_path_buf(),
            reason,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| open_error(e.to_string()))?;
        }
        let conn = Connection::open(path).map_err(|e| open_error(e.to_string()))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| open_error(e.to_string()))?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| open_error(e.to_string()))?;
        if version > SCHEMA_VERSION {
            drop(conn);
            let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
                .map_err(|e| open_error(e.to_string()))?;
            tracing::warn!(
                "{}",
                StoreError::Newer {
                    path: path.to_path_buf(),
                    found: version,
                }
            );
            return Ok(Store {
                conn,
                path: path.to_path_buf(),
                read_only: true,
            });
        }
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
        )
        .map_err(|e| open_error(e.to_string()))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            read_only: false,
        };
        store.migrate(version)?;
        Ok(store)
    }

    /// Caps the database at `pages` pages: writes past it fail as on a full disk (tests).
    pub fn set_max_page_count(&mut self, pages: u64) -> Result<(), StoreError> {
        self.conn
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))
            .map_err(|e| write_error(&self.path, e))
    }

    /// The connection, for read queries that live beside the store (`progress`).
    pub(crate) fn connection(&self) -> &rusqlite::Connection {
        &self.conn
    }

    /// Whether this database is newer than the app and so never written.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The schema version on disk.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| write_error(&self.path, e))
    }

    /// Each step in its own transaction, with the version it reaches.
    fn migrate(&mut self, from: i64) -> Result<(), StoreError> {
        for (step, sql) in MIGRATIONS.iter().enumerate() {
            let reaches = step as i64 + 1;
            if reaches <= from {
                continue;
            }
            let tx = self
                .conn
                .transaction()
                .map_err(|e| write_error(&self.path, e))?;
            tx.execute_batch(sql)
                .and_then(|()| tx.pragma_update(None, "user_version", reaches))
                .and_then(|()| tx.commit())
                .map_err(|e| {
                    write_error(&self.path, format!("migrating to schema {reaches}: {e}"))
                })?;
        }
        Ok(())
    }

    fn writable(&self) -> Result<(), StoreError> {
        if self.read_only {
            let found = self.schema_version().unwrap_or(SCHEMA_VERSION + 1);
            return Err(StoreError::Newer {
                path: self.path.clone(),
                found,
            });
        }
        Ok(())
    }

    fn ensure_session(tx: &rusqlite::Transaction, id: &str, unix_s: f64) -> rusqlite::Result<()> {
        tx.execute(
            "INSERT INTO sessions (id, started_unix_s) VALUES (?1, ?2)
             ON CONFLICT (id) DO UPDATE SET started_unix_s = MIN(started_unix_s, ?2)",
            params![id, unix_s],
        )
        .map(|_| ())
    }

    /// Stores one run with everything in it, in one transaction. `false` when that run
    /// (same session, exercise and start) is already there.
    pub fn insert_run(&mut self, run: &RunInput) -> Result<bool, StoreError> {
        self.writable()?;
        let error = |e: rusqlite::Error| write_error(&self.path, e);
        let tx = self.conn.transaction().map_err(error)?;
        let exists: Option<(i64, String)> = tx
            .query_row(
                "SELECT id, end_reason FROM exercise_runs WHERE session_id = ?1 AND exercise = ?2 AND started_t_s = ?3",
                params![run.session_id, run.exercise, run.started_t_s],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(error)?;
        match exists {
            Some((_, end)) if end != IN_PROGRESS => return Ok(false),
            // Written as it happened: the finished record replaces it whole.
            Some((id, _)) => {
                for table in ["reps", "fault_spans", "cannot_see", "prompts"] {
                    tx.execute(&format!("DELETE FROM {table} WHERE run_id = ?1"), [id])
                        .map_err(error)?;
                }
                tx.execute("DELETE FROM exercise_runs WHERE id = ?1", [id])
                    .map_err(error)?;
            }
            None => {}
        }
        Self::ensure_session(&tx, &run.session_id, run.ended_unix_s - run.duration_s)
            .map_err(error)?;
        tx.execute(
            "INSERT INTO exercise_runs (session_id, exercise, name, end_reason, ended_unix_s,
                 started_t_s, duration_s, reps_total, sets_completed, holds_completed,
                 prescribed_reps_per_set, prescribed_sets, prescribed_hold_s, report_json,
                 app_version, model)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            params![
                run.session_id,
                run.exercise,
                run.name,
                run.end_reason,
                run.ended_unix_s,
                run.started_t_s,
                run.duration_s,
                run.reps_total,
                run.sets_completed,
                run.holds_completed,
                run.prescribed.reps_per_set,
                run.prescribed.sets,
                run.prescribed.hold_s,
                run.report_json,
                run.counted_by.app_version,
                run.counted_by.model,
            ],
        )
        .map_err(error)?;
        let run_id = tx.last_insert_rowid();
        for (i, rep) in run.reps.iter().enumerate() {
            tx.execute(
                "INSERT INTO reps (run_id, number, side, side_inferred, start_s, end_s, hold_s, faults)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    run_id,
                    i as i64 + 1,
                    rep.side,
                    rep.side_inferred,
                    rep.start_s,
                    rep.end_s,
                    rep.hold_s,
                    rep.faults.join(" "),
                ],
            )
            .map_err(error)?;
        }
        for span in &run.faults {
            tx.execute(
                "INSERT INTO fault_spans (run_id, code, start_s, end_s) VALUES (?1, ?2, ?3, ?4)",
                params![run_id, span.label, span.start_s, span.end_s],
            )
            .map_err(error)?;
        }
        for span in &run.cannot_see {
            tx.execute(
                "INSERT INTO cannot_see (run_id, start_s, end_s, reason) VALUES (?1, ?2, ?3, ?4)",
                params![run_id, span.start_s, span.end_s, span.label],
            )
            .map_err(error)?;
        }
        for prompt in &run.prompts {
            tx.execute(
                "INSERT INTO prompts (run_id, t_s, text, kind) VALUES (?1, ?2, ?3, ?4)",
                params![run_id, prompt.t_s, prompt.text, prompt.kind],
            )
            .map_err(error)?;
        }
        tx.commit().map_err(error)?;
        Ok(true)
    }

    /// Opens a run as it starts (`in_progress`); nothing when it is already there.
    pub fn begin_run(
        &mut self,
        run: &RunRef,
        name: &str,
        unix_s: f64,
        prescribed: Prescribed,
        counted_by: &CountedBy,
    ) -> Result<(), StoreError> {
        self.writable()?;
        let error = |e: rusqlite::Error| write_error(&self.path, e);
        let tx = self.conn.transaction().map_err(error)?;
        Self::ensure_session(&tx, &run.session_id, unix_s).map_err(error)?;
        tx.execute(
            "INSERT OR IGNORE INTO exercise_runs (session_id, exercise, name, end_reason,
                 ended_unix_s, started_t_s, duration_s, reps_total, sets_completed,
                 holds_completed, prescribed_reps_per_set, prescribed_sets, prescribed_hold_s,
                 report_json, app_version, model)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 0, 0, 0, ?7, ?8, ?9, 'null', ?10, ?11)",
            params![
                run.session_id,
                run.exercise,
                name,
                IN_PROGRESS,
                unix_s,
                run.started_t_s,
                prescribed.reps_per_set,
                prescribed.sets,
                prescribed.hold_s,
                counted_by.app_version,
                counted_by.model,
            ],
        )
        .map_err(error)?;
        tx.commit().map_err(error)
    }

    /// The id of `run` while it is under way; its duration runs on to `unix_s`.
    fn live_run(
        tx: &rusqlite::Transaction,
        run: &RunRef,
        unix_s: f64,
    ) -> rusqlite::Result<Option<i64>> {
        let id: Option<i64> = tx
            .query_row(
                "SELECT id FROM exercise_runs WHERE session_id = ?1 AND exercise = ?2
                 AND started_t_s = ?3 AND end_reason = ?4",
                params![run.session_id, run.exercise, run.started_t_s, IN_PROGRESS],
                |row| row.get(0),
            )
            .optional()?;
        if let Some(id) = id {
            tx.execute(
                "UPDATE exercise_runs SET duration_s = duration_s + MAX(0, ?2 - ended_unix_s),
                     ended_unix_s = MAX(ended_unix_s, ?2) WHERE id = ?1",
                params![id, unix_s],
            )?;
        }
        Ok(id)
    }

    /// Keeps rep `number` (over the run, from 1) of a run under way. `false` when the run
    /// is not under way (already finished: its record has the rep).
    pub fn add_rep(
        &mut self,
        run: &RunRef,
        number: u32,
        rep: &RepInput,
        unix_s: f64,
    ) -> Result<bool, StoreError> {
        self.writable()?;
        let error = |e: rusqlite::Error| write_error(&self.path, e);
        let tx = self.conn.transaction().map_err(error)?;
        let Some(id) = Self::live_run(&tx, run, unix_s).map_err(error)? else {
            return Ok(false);
        };
        tx.execute(
            "INSERT OR REPLACE INTO reps (run_id, number, side, side_inferred, start_s, end_s, hold_s, faults)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id,
                number,
                rep.side,
                rep.side_inferred,
                rep.start_s,
                rep.end_s,
                rep.hold_s,
                rep.faults.join(" "),
            ],
        )
        .map_err(error)?;
        tx.execute(
            "UPDATE exercise_runs SET reps_total = MAX(reps_total, ?2) WHERE id = ?1",
            params![id, number],
        )
        .map_err(error)?;
        tx.commit().map_err(error)?;
        Ok(true)
    }

    /// Keeps a timed hold's progress of a run under way. `false` when it is not under way.
    pub fn hold_progress(
        &mut self,
        run: &RunRef,
        held_s: f64,
        unix_s: f64,
    ) -> Result<bool, StoreError> {
        self.writable()?;
        let error = |e: rusqlite::Error| write_error(&self.path, e);
        let tx = self.conn.transaction().map_err(error)?;
        let Some(id) = Self::live_run(&tx, run, unix_s).map_err(error)? else {
            return Ok(false);
        };
        tx.execute(
            "UPDATE exercise_runs SET held_s = ?2 WHERE id = ?1",
            params![id, held_s],
        )
        .map_err(error)?;
        tx.commit().map_err(error)?;
        Ok(true)
    }

    /// Marks runs left `in_progress` by an app that stopped without ending them (a crash,
    /// a power cut) as `interrupted`, except `current_session`'s. Returns how many.
    pub fn close_interrupted(&mut self, current_session: &str) -> Result<usize, StoreError> {
        self.writable()?;
        self.conn
            .execute(
                "UPDATE exercise_runs SET end_reason = ?1 WHERE end_reason = ?2 AND session_id != ?3",
                params![INTERRUPTED, IN_PROGRESS, current_session],
            )
            .map_err(|e| write_error(&self.path, e))
    }

    /// Stores a pain rating; `false` when it is already there.
    pub fn insert_pain(&mut self, pain: &PainInput) -> Result<bool, StoreError> {
        self.writable()?;
        let error = |e: rusqlite::Error| write_error(&self.path, e);
        let tx = self.conn.transaction().map_err(error)?;
        Self::ensure_session(&tx, &pain.session_id, pain.unix_s).map_err(error)?;
        let added = tx
            .execute(
                "INSERT OR IGNORE INTO pain (session_id, unix_s, moment, score) VALUES (?1, ?2, ?3, ?4)",
                params![pain.session_id, pain.unix_s, pain.moment, pain.score],
            )
            .map_err(error)?;
        tx.commit().map_err(error)?;
        Ok(added > 0)
    }

    /// Every rep, oldest first, with its run and session (the CSV export's rows).
    pub fn rep_rows(&self) -> Result<Vec<RepRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.id, s.started_unix_s, r.exercise, r.name, r.end_reason,
                        r.prescribed_reps_per_set, r.prescribed_sets, r.prescribed_hold_s,
                        p.number, p.side, p.side_inferred, p.start_s, p.end_s, p.hold_s, p.faults,
                        (SELECT score FROM pain WHERE session_id = s.id AND moment = 'before_session' ORDER BY unix_s LIMIT 1),
                        (SELECT score FROM pain WHERE session_id = s.id AND moment = 'after_session' ORDER BY unix_s DESC LIMIT 1)
                 FROM reps p JOIN exercise_runs r ON p.run_id = r.id JOIN sessions s ON r.session_id = s.id
                 ORDER BY s.started_unix_s, r.started_t_s, p.number",
            )
            .map_err(|e| write_error(&self.path, e))?;
        let rows = stmt
            .query_map([], |row| {
                Ok(RepRow {
                    session_id: row.get(0)?,
                    session_started_unix_s: row.get(1)?,
                    exercise: row.get(2)?,
                    exercise_name: row.get(3)?,
                    end_reason: row.get(4)?,
                    prescribed_reps_per_set: row.get(5)?,
                    prescribed_sets: row.get(6)?,
                    prescribed_hold_s: row.get(7)?,
                    rep: row.get(8)?,
                    side: row.get(9)?,
                    side_inferred: row.get(10)?,
                    start_s: row.get(11)?,
                    end_s: row.get(12)?,
                    hold_s: row.get(13)?,
                    faults: row.get(14)?,
                    pain_before: row.get(15)?,
                    pain_after: row.get(16)?,
                })
            })
            .map_err(|e| write_error(&self.path, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| write_error(&self.path, e))
    }

    /// Every session with what was done in it and its pain ratings, oldest first (the
    /// CSV export's sessions file).
    pub fn session_rows(&self) -> Result<Vec<SessionRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.id, s.started_unix_s, COUNT(r.id),
                        COALESCE(GROUP_CONCAT(r.exercise, ' '), ''),
                        COALESCE(SUM(r.reps_total), 0),
                        SUM(r.prescribed_reps_per_set * COALESCE(r.prescribed_sets, 1)),
                        COALESCE(SUM(r.holds_completed), 0),
                        COALESCE(SUM(r.end_reason = 'it_hurts'), 0),
                        (SELECT score FROM pain WHERE session_id = s.id AND moment = 'before_session' ORDER BY unix_s LIMIT 1),
                        (SELECT score FROM pain WHERE session_id = s.id AND moment = 'after_session' ORDER BY unix_s DESC LIMIT 1),
                        (SELECT score FROM pain WHERE session_id = s.id AND moment = 'after_stop' ORDER BY unix_s DESC LIMIT 1)
                 FROM sessions s LEFT JOIN exercise_runs r ON r.session_id = s.id
                 GROUP BY s.id ORDER BY s.started_unix_s, s.id",
            )
            .map_err(|e| write_error(&self.path, e))?;
        let rows = stmt
            .query_map([], |row| {
                Ok(SessionRow {
                    session_id: row.get(0)?,
                    started_unix_s: row.get(1)?,
                    exercises_done: row.get(2)?,
                    exercises: row.get(3)?,
                    reps_done: row.get(4)?,
                    reps_prescribed: row.get(5)?,
                    holds_completed: row.get(6)?,
                    stopped_because_it_hurt: row.get(7)?,
                    pain_before: row.get(8)?,
                    pain_after: row.get(9)?,
                    pain_after_stop: row.get(10)?,
                })
            })
            .map_err(|e| write_error(&self.path, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| write_error(&self.path, e))
    }

    /// Every run's totals and fault counts, oldest first (the FHIR export).
    pub fn run_summaries(&self) -> Result<Vec<RunSummary>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT r.id, r.session_id, r.exercise, r.name, r.end_reason, r.ended_unix_s,
                        r.duration_s, r.reps_total, r.holds_completed, r.app_version, r.model
                 FROM exercise_runs r ORDER BY r.ended_unix_s, r.id",
            )
            .map_err(|e| write_error(&self.path, e))?;
        let runs = stmt
            .query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    RunSummary {
                        session_id: row.get(1)?,
                        exercise: row.get(2)?,
                        name: row.get(3)?,
                        end_reason: row.get(4)?,
                        ended_unix_s: row.get(5)?,
                        duration_s: row.get(6)?,
                        reps_total: row.get(7)?,
                        holds_completed: row.get(8)?,
                        faults: Vec::new(),
                        counted_by: CountedBy {
                            app_version: row.get(9)?,
                            model: row.get(10)?,
                        },
                    },
                ))
            })
            .map_err(|e| write_error(&self.path, e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| write_error(&self.path, e))?;
        let mut faults = self
            .conn
            .prepare(
                "SELECT code, COUNT(*) FROM fault_spans WHERE run_id = ?1
                 GROUP BY code ORDER BY code",
            )
            .map_err(|e| write_error(&self.path, e))?;
        runs.into_iter()
            .map(|(id, mut run)| {
                run.faults = faults
                    .query_map([id], |row| Ok((row.get(0)?, row.get(1)?)))
                    .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                    .map_err(|e| write_error(&self.path, e))?;
                Ok(run)
            })
            .collect()
    }

    /// Every pain rating, oldest first.
    pub fn pains(&self) -> Result<Vec<PainInput>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT session_id, unix_s, moment, score FROM pain ORDER BY unix_s")
            .map_err(|e| write_error(&self.path, e))?;
        let rows = stmt
            .query_map([], |row| {
                Ok(PainInput {
                    session_id: row.get(0)?,
                    unix_s: row.get(1)?,
                    moment: row.get(2)?,
                    score: row.get(3)?,
                })
            })
            .map_err(|e| write_error(&self.path, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| write_error(&self.path, e))
    }

    /// Every run's stored report JSON with its session, oldest first (the JSON export).
    pub fn runs(&self) -> Result<Vec<(String, f64, serde_json::Value)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT r.session_id, r.ended_unix_s, r.report_json FROM exercise_runs r
                 ORDER BY r.ended_unix_s, r.id",
            )
            .map_err(|e| write_error(&self.path, e))?;
        let rows = stmt
            .query_map([], |row| {
                let text: String = row.get(2)?;
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
                ))
            })
            .map_err(|e| write_error(&self.path, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| write_error(&self.path, e))
    }
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// One session's row of the sessions export.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct SessionRow {
    pub session_id: String,
    pub started_unix_s: f64,
    pub exercises_done: u32,
    /// The exercises' ids, space-separated, in the order done.
    pub exercises: String,
    pub reps_done: u32,
    /// Reps per set × sets over the runs that prescribe reps (empty when none do).
    pub reps_prescribed: Option<u32>,
    pub holds_completed: u32,
    /// Runs ended by "it hurts — stop".
    pub stopped_because_it_hurt: u32,
    pub pain_before: Option<u8>,
    pub pain_after: Option<u8>,
    pub pain_after_stop: Option<u8>,
}

/// One run's totals (the FHIR export).
#[derive(Clone, Debug, PartialEq)]
pub struct RunSummary {
    pub session_id: String,
    pub exercise: String,
    pub name: String,
    pub end_reason: String,
    pub ended_unix_s: f64,
    pub duration_s: f64,
    pub reps_total: u32,
    pub holds_completed: u32,
    /// Fault code and how many spans of it the run had.
    pub faults: Vec<(String, u32)>,
    pub counted_by: CountedBy,
}

/// One row of the per-rep export.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct RepRow {
    pub session_id: String,
    pub session_started_unix_s: f64,
    pub exercise: String,
    pub exercise_name: String,
    pub end_reason: String,
    pub prescribed_reps_per_set: Option<u32>,
    pub prescribed_sets: Option<u32>,
    pub prescribed_hold_s: Option<f64>,
    pub rep: u32,
    pub side: Option<String>,
    pub side_inferred: bool,
    pub start_s: f64,
    pub end_s: f64,
    pub hold_s: Option<f64>,
    pub faults: String,
    pub pain_before: Option<u8>,
    pub pain_after: Option<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(session: &str, started: f64) -> RunInput {
        RunInput {
            session_id: session.into(),
            ended_unix_s: 1_700_000_100.0,
            exercise: "pelvic-rock".into(),
            name: "Pelvic rocks".into(),
            end_reason: "completed".into(),
            started_t_s: started,
            duration_s: 60.0,
            reps_total: 2,
            sets_completed: 0,
            holds_completed: 0,
            prescribed: Prescribed {
                reps_per_set: Some(20),
                sets: Some(2),
                hold_s: None,
            },
            reps: vec![
                RepInput {
                    side: Some("left".into()),
                    side_inferred: false,
                    start_s: 1.0,
                    end_s: 2.5,
                    hold_s: None,
                    faults: vec![],
                },
                RepInput {
                    side: Some("right".into()),
                    side_inferred: false,
                    start_s: 3.0,
                    end_s: 4.5,
                    hold_s: None,
                    faults: vec!["shoulders-sway".into()],
                },
            ],
            faults: vec![SpanInput {
                label: "shoulders-sway".into(),
                start_s: 3.1,
                end_s: 4.2,
            }],
            prompts: vec![],
            cannot_see: vec![SpanInput {
                label: "parts-hidden".into(),
                start_s: 10.0,
                end_s: 12.0,
            }],
            report_json: "{}".into(),
            counted_by: CountedBy {
                app_version: Some("0.1.0".into()),
                model: Some("full".into()),
            },
        }
    }

    #[test]
    fn a_run_is_stored_once_with_its_reps() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("h.sqlite3")).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert!(store.insert_run(&run("s1", 5.0)).unwrap());
        assert!(!store.insert_run(&run("s1", 5.0)).unwrap());
        let rows = store.rep_rows().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].side.as_deref(), Some("right"));
        assert_eq!(rows[1].faults, "shoulders-sway");
        assert_eq!(rows[0].prescribed_reps_per_set, Some(20));
    }

    #[test]
    fn a_run_kept_as_it_happens_is_replaced_by_its_finished_record() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("h.sqlite3")).unwrap();
        let finished = run("s1", 5.0);
        let key = RunRef {
            session_id: "s1".into(),
            exercise: finished.exercise.clone(),
            started_t_s: 5.0,
        };
        store
            .begin_run(
                &key,
                "Pelvic rocks",
                1_700_000_000.0,
                finished.prescribed,
                &finished.counted_by,
            )
            .unwrap();
        assert!(
            store
                .add_rep(&key, 1, &finished.reps[0], 1_700_000_003.0)
                .unwrap()
        );
        assert!(store.hold_progress(&key, 5.0, 1_700_000_010.0).unwrap());
        let live = store.run_summaries().unwrap();
        assert_eq!(live.len(), 1);
        assert_eq!(live[0].end_reason, IN_PROGRESS);
        assert_eq!(live[0].reps_total, 1);
        assert!((live[0].duration_s - 10.0).abs() < 1e-9, "{live:?}");
        assert_eq!(store.rep_rows().unwrap()[0].side.as_deref(), Some("left"));

        // The finished record replaces the live one whole; once finished, it stays.
        assert!(store.insert_run(&finished).unwrap());
        assert!(!store.insert_run(&finished).unwrap());
        assert!(
            !store
                .add_rep(&key, 3, &finished.reps[1], 1_700_000_200.0)
                .unwrap()
        );
        let runs = store.run_summaries().unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].end_reason, "completed");
        assert_eq!(store.rep_rows().unwrap().len(), 2);
    }

    #[test]
    fn a_run_cut_off_by_a_crash_is_kept_as_interrupted_at_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("h.sqlite3")).unwrap();
        let key = |session: &str| RunRef {
            session_id: session.into(),
            exercise: "pelvic-tilt".into(),
            started_t_s: 1.0,
        };
        for session in ["old", "now"] {
            store
                .begin_run(
                    &key(session),
                    "Pelvic tilts",
                    1.0,
                    Prescribed::default(),
                    &CountedBy::default(),
                )
                .unwrap();
        }
        assert_eq!(store.close_interrupted("now").unwrap(), 1);
        let ends: Vec<_> = store
            .run_summaries()
            .unwrap()
            .into_iter()
            .map(|r| (r.session_id, r.end_reason))
            .collect();
        assert!(
            ends.contains(&("old".into(), INTERRUPTED.into())),
            "{ends:?}"
        );
        assert!(
            ends.contains(&("now".into(), IN_PROGRESS.into())),
            "{ends:?}"
        );
    }

    /// `tests/data/history-v1.sqlite3`: what the v1 code made, v1 schema and v1 rows.
    const V1_FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/history-v1.sqlite3");

    /// Rows the v1 fixture holds, per table.
    const V1_ROWS: [(&str, i64); 6] = [
        ("sessions", 2),
        ("exercise_runs", 3),
        ("reps", 7),
        ("fault_spans", 2),
        ("prompts", 2),
        ("pain", 3),
    ];

    /// Writes the v1 fixture with the v1 schema and v1 statements. Run once, by hand:
    /// `cargo test --lib make_v1_fixture -- --ignored`.
    #[test]
    #[ignore = "writes tests/data/history-v1.sqlite3"]
    fn make_v1_fixture() {
        let _ = std::fs::remove_file(V1_FIXTURE);
        let conn = Connection::open(V1_FIXTURE).unwrap();
        conn.execute_batch(V1).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO sessions VALUES ('1764000000', 1764000000.0), ('1764600000', 1764600000.0);
             INSERT INTO exercise_runs VALUES
               (1, '1764000000', 'pelvic-tilt', 'Pelvic tilts', 'completed', 1764000200.0, 1.5, 190.0, 20, 2, 14, 10, 2, 5.0, '{\"reps\": []}'),
               (2, '1764000000', 'pelvic-rock', 'Pelvic rocks', 'it_hurts', 1764000400.0, 200.0, 40.0, 4, 0, 0, 10, 2, NULL, '{}'),
               (3, '1764600000', 'controlled-rotation', 'Controlled rotations', 'skipped', 1764600100.0, 3.0, 60.0, 1, 0, 0, 10, 2, NULL, '{}');
             INSERT INTO reps VALUES
               (1, 1, NULL, 0, 2.0, 9.0, 5.2, ''),
               (1, 2, NULL, 0, 11.0, 18.5, 4.1, 'hold-too-short'),
               (2, 1, 'left', 0, 201.0, 202.5, NULL, ''),
               (2, 2, 'right', 0, 203.0, 204.4, NULL, 'shoulders-sway'),
               (2, 3, 'left', 1, 205.0, 206.5, NULL, ''),
               (2, 4, 'right', 0, 207.0, 208.5, NULL, 'shoulders-sway shoulders-tilt'),
               (3, 1, 'left', 0, 4.0, 8.0, NULL, '');
             INSERT INTO fault_spans VALUES (2, 'shoulders-sway', 203.2, 204.0), (2, 'shoulders-tilt', 207.1, 208.0);
             INSERT INTO prompts VALUES (1, 17.0, 'Hold a little longer', 'form'), (2, 203.5, 'Keep your shoulders level', 'form');
             INSERT INTO pain VALUES ('1764000000', 1764000001.0, 'before_session', 6),
               ('1764000000', 1764000401.0, 'after_stop', 7), ('1764600000', 1764600001.0, 'before_session', 4);",
        )
        .unwrap();
        for (table, rows) in V1_ROWS {
            let n: i64 = conn
                .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
                .unwrap();
            assert_eq!(n, rows, "{table}");
        }
    }

    #[test]
    fn the_committed_v1_database_opens_upgraded_with_every_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.sqlite3");
        std::fs::copy(V1_FIXTURE, &path).unwrap();
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        for (table, rows) in V1_ROWS {
            let n: i64 = store
                .conn
                .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
                .unwrap();
            assert_eq!(n, rows, "{table}");
        }
        let reps = store.rep_rows().unwrap();
        assert_eq!(reps.len(), 7);
        let rock: Vec<_> = reps
            .iter()
            .filter(|r| r.exercise == "pelvic-rock")
            .collect();
        assert_eq!(rock[3].faults, "shoulders-sway shoulders-tilt");
        assert!(rock[2].side_inferred);
        assert_eq!(rock[0].pain_before, Some(6));
        let sessions = store.session_rows().unwrap();
        assert_eq!(sessions[0].pain_after_stop, Some(7));
        assert_eq!(sessions[0].reps_done, 24);
        // The upgraded database takes the new kinds of write.
        let key = RunRef {
            session_id: "1764600000".into(),
            exercise: "pelvic-tilt".into(),
            started_t_s: 70.0,
        };
        store
            .begin_run(
                &key,
                "Pelvic tilts",
                1_764_600_200.0,
                Prescribed::default(),
                &CountedBy::default(),
            )
            .unwrap();
        assert!(store.hold_progress(&key, 5.0, 1_764_600_205.0).unwrap());
        assert_eq!(store.close_interrupted("later").unwrap(), 1);
    }

    #[test]
    fn a_v1_database_is_upgraded_with_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        {
            // What the v1 code made: its schema and a session.
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(V1).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute(
                "INSERT INTO sessions (id, started_unix_s) VALUES ('old', 1.0)",
                [],
            )
            .unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert!(store.insert_run(&run("old", 0.0)).unwrap());
        let sessions: i64 = store
            .conn
            .query_row("SELECT COUNT(*) FROM sessions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sessions, 1);
    }

    #[test]
    fn a_newer_database_is_read_only_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let mut store = Store::open(&path).unwrap();
        assert!(store.is_read_only());
        let err = store.insert_run(&run("s", 0.0)).unwrap_err();
        assert!(matches!(err, StoreError::Newer { .. }), "{err}");
        drop(store);
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn an_unwritable_place_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, "x").unwrap();
        let err = Store::open(&file.join("h.sqlite3")).err().unwrap();
        assert!(err.to_string().contains("a-file"), "{err}");
    }
}
