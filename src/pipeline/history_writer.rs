//! The history writer: the thread that keeps the SQLite store, so the frame loop never
//! waits on it.
//!
//! In flow the routine's live events, finished exercises and pain ratings: the worker
//! hands them to a [`HistoryFeed`], which turns them into [`HistoryRecord`]s and passes
//! them on through a bounded channel with `try_send` (a full channel leaves the record in
//! the feed's overflow, sent with the next one). The writer thread commits each record in
//! its own transaction as soon as it arrives. Out flows a [`HistoryStatus`] that the
//! worker puts in every snapshot.
//!
//! When the store cannot be written (locked past its busy timeout, disk full, path
//! unwritable, made by a newer app) the records wait in memory, in order, and are tried
//! again every [`RETRY`] and with each new record; the status says so in one line. At
//! exit, what is still unsaved goes to `history-unsaved.jsonl` (the session log's format)
//! in the data folder, or else the temporary folder, and the next start imports it:
//! nothing finished is dropped silently.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::coach::routine::{ExerciseRecord, LiveEvent, Progress, RunKey};
use crate::coach::session_log::{self, LOG_FILE_NAME, PainMoment, SessionLog, UNSAVED_FILE_NAME};
use crate::history::import::{import_session_log, pain_of, prescribed_now, run_of};
use crate::history::store::{CountedBy, RepInput, RunRef, Store};

/// Records the worker may queue before the writer takes them; more wait in the feed.
const CHANNEL: usize = 256;
/// How often records that could not be written are tried again.
pub const RETRY: Duration = Duration::from_secs(1);
/// How long the app waits at exit for the writer's last writes (a locked database waits
/// for its busy timeout first).
const EXIT_WAIT: Duration = Duration::from_secs(6);

/// Where the history goes.
#[derive(Clone, Debug)]
pub struct HistoryConfig {
    pub db_path: PathBuf,
    /// Holds the session log to import and the fallback file.
    pub data_dir: PathBuf,
    pub session_id: String,
    /// Caps the database at this many pages, as a full disk would (tests).
    pub max_page_count: Option<u64>,
    /// The pose model counting ("full", "lite", "replayed landmarks"), kept with each run.
    pub model: Option<String>,
}

impl HistoryConfig {
    /// The store in `data_dir`, else `$BACKFORM_DATA_DIR` or the platform data folder,
    /// for a new session.
    pub fn in_data_dir(data_dir: Option<&Path>) -> Result<Self, session_log::SessionLogError> {
        let data_dir = match data_dir {
            Some(dir) => dir.to_path_buf(),
            None => session_log::default_data_dir()?,
        };
        Ok(Self {
            db_path: data_dir.join(crate::history::store::FILE_NAME),
            data_dir,
            session_id: format!("{}", session_log::now_unix_s() as u64),
            max_page_count: None,
            model: None,
        })
    }
}

/// One write for the store.
#[derive(Clone, Debug, PartialEq)]
pub enum HistoryRecord {
    RunStarted {
        run: RunRef,
        name: String,
        unix_s: f64,
        counted_by: CountedBy,
    },
    /// Rep `number` of the run (over its sets, from 1).
    Rep {
        run: RunRef,
        number: u32,
        rep: RepInput,
        unix_s: f64,
    },
    Hold {
        run: RunRef,
        held_s: f64,
        unix_s: f64,
    },
    /// A session-log `exercise` line: the run as it ended, superseding its live records.
    RunFinished(Value),
    /// A session-log `pain` line.
    Pain(Value),
}

/// What the UI shows about the history.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HistoryStatus {
    pub db_path: String,
    pub session_id: String,
    /// Records committed this session.
    pub saved: u64,
    /// Records waiting in memory for the store.
    pub unsaved: usize,
    /// Why records are waiting, in one line for the person.
    pub problem: Option<String>,
    /// Where records unsaved at exit were written.
    pub fallback: Option<String>,
}

/// The worker's side: turns what the routine reports into records; never blocks.
pub struct HistoryFeed {
    session_id: String,
    data_dir: PathBuf,
    counted_by: CountedBy,
    sender: SyncSender<HistoryRecord>,
    overflow: VecDeque<HistoryRecord>,
    status: Arc<Mutex<HistoryStatus>>,
    /// Reps kept of the run under way (the store numbers reps over the run).
    reps_in_run: u32,
}

/// The writer thread. [`HistoryWriter::finish`] (or dropping it) waits for its last writes.
pub struct HistoryWriter {
    thread: Option<JoinHandle<()>>,
    status: Arc<Mutex<HistoryStatus>>,
}

/// Starts the writer thread.
pub fn spawn(config: HistoryConfig) -> std::io::Result<(HistoryFeed, HistoryWriter)> {
    let (sender, receiver) = sync_channel(CHANNEL);
    let status = Arc::new(Mutex::new(HistoryStatus {
        db_path: config.db_path.display().to_string(),
        session_id: config.session_id.clone(),
        ..HistoryStatus::default()
    }));
    let session_id = config.session_id.clone();
    let counted_by = CountedBy {
        app_version: Some(env!("CARGO_PKG_VERSION").to_string()),
        model: config.model.clone(),
    };
    let data_dir = config.data_dir.clone();
    let thread = {
        let status = Arc::clone(&status);
        std::thread::Builder::new()
            .name("backform-history".into())
            .spawn(move || WriterLoop::new(config, status).run(&receiver))?
    };
    Ok((
        HistoryFeed {
            session_id,
            data_dir,
            counted_by,
            sender,
            overflow: VecDeque::new(),
            status: Arc::clone(&status),
            reps_in_run: 0,
        },
        HistoryWriter {
            thread: Some(thread),
            status,
        },
    ))
}

fn lock(status: &Mutex<HistoryStatus>) -> std::sync::MutexGuard<'_, HistoryStatus> {
    status
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl HistoryFeed {
    pub fn status(&self) -> HistoryStatus {
        let mut status = lock(&self.status).clone();
        status.unsaved += self.overflow.len();
        status
    }

    fn run_ref(&self, run: &RunKey) -> RunRef {
        RunRef {
            session_id: self.session_id.clone(),
            exercise: run.exercise.clone(),
            started_t_s: run.started_t_s,
        }
    }

    /// What the routine reported since it was last asked.
    pub fn live(&mut self, events: Vec<LiveEvent>) {
        for event in events {
            let unix_s = session_log::now_unix_s();
            let record = match event {
                LiveEvent::Started { run, name } => {
                    self.reps_in_run = 0;
                    HistoryRecord::RunStarted {
                        run: self.run_ref(&run),
                        name,
                        unix_s,
                        counted_by: self.counted_by.clone(),
                    }
                }
                LiveEvent::Progress {
                    run,
                    progress: Progress::Rep(rep),
                } => {
                    self.reps_in_run += 1;
                    let side = rep.side.and_then(|side| {
                        serde_json::to_value(side)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                    });
                    // The line an outside observer (and the crash test) follows.
                    tracing::info!(
                        target: "backform::history",
                        exercise = %run.exercise,
                        number = self.reps_in_run,
                        side = %side.as_deref().unwrap_or("none"),
                        end_s = rep.end_s,
                        faults = %rep.faults.join(","),
                        "rep counted"
                    );
                    HistoryRecord::Rep {
                        run: self.run_ref(&run),
                        number: self.reps_in_run,
                        rep: RepInput {
                            side,
                            side_inferred: rep.side_inferred,
                            start_s: rep.start_s,
                            end_s: rep.end_s,
                            hold_s: rep.hold_s,
                            faults: rep.faults,
                        },
                        unix_s,
                    }
                }
                LiveEvent::Progress {
                    run,
                    progress: Progress::Hold { held_s },
                } => HistoryRecord::Hold {
                    run: self.run_ref(&run),
                    held_s,
                    unix_s,
                },
            };
            self.send(record);
        }
    }

    /// An exercise that ended.
    pub fn finished(&mut self, record: &ExerciseRecord) {
        let mut line =
            session_log::exercise_line(&self.session_id, session_log::now_unix_s(), record);
        if let Some(fields) = line.as_object_mut() {
            fields.insert("app_version".into(), json!(self.counted_by.app_version));
            fields.insert("model".into(), json!(self.counted_by.model));
        }
        self.send(HistoryRecord::RunFinished(line));
    }

    /// A pain rating.
    pub fn pain(&mut self, moment: PainMoment, pain_0_to_10: u8) {
        let line = session_log::pain_line(
            &self.session_id,
            session_log::now_unix_s(),
            moment,
            pain_0_to_10,
        );
        self.send(HistoryRecord::Pain(line));
    }

    /// Sends without waiting: what the channel cannot take now waits here, in order.
    pub fn send(&mut self, record: HistoryRecord) {
        self.overflow.push_back(record);
        self.flush();
    }

    /// Passes the records waiting here on to the writer, as far as the channel allows.
    pub fn flush(&mut self) {
        while let Some(record) = self.overflow.pop_front() {
            match self.sender.try_send(record) {
                Ok(()) => {}
                Err(TrySendError::Full(record)) => {
                    self.overflow.push_front(record);
                    return;
                }
                Err(TrySendError::Disconnected(record)) => {
                    // The writer died: keep the record where the next start finds it.
                    self.overflow.push_front(record);
                    let records: Vec<_> = self.overflow.drain(..).collect();
                    let fallback =
                        write_fallback(&fallback_dirs(&self.data_dir), &self.session_id, records);
                    lock(&self.status).problem = Some(
                        "The history stopped; your records are kept in a file for next time."
                            .into(),
                    );
                    if let Err(err) = fallback {
                        tracing::error!("{err}");
                    }
                    return;
                }
            }
        }
    }
}

impl HistoryWriter {
    pub fn status(&self) -> HistoryStatus {
        lock(&self.status).clone()
    }

    /// Waits (a few seconds at most) for the writer to commit what it has, once every
    /// [`HistoryFeed`] is gone; returns the final status.
    pub fn finish(mut self) -> HistoryStatus {
        self.wait();
        self.status()
    }

    fn wait(&mut self) {
        let Some(thread) = self.thread.take() else {
            return;
        };
        let deadline = Instant::now() + EXIT_WAIT;
        while !thread.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        if thread.is_finished() {
            if thread.join().is_err() {
                tracing::error!("the history writer panicked");
            }
        } else {
            tracing::warn!("the history writer did not finish within {EXIT_WAIT:?}");
        }
    }
}

impl Drop for HistoryWriter {
    fn drop(&mut self) {
        self.wait();
    }
}

struct WriterLoop {
    config: HistoryConfig,
    status: Arc<Mutex<HistoryStatus>>,
    store: Option<Store>,
    pending: VecDeque<HistoryRecord>,
    last_attempt: Option<Instant>,
}

impl WriterLoop {
    fn new(config: HistoryConfig, status: Arc<Mutex<HistoryStatus>>) -> Self {
        Self {
            config,
            status,
            store: None,
            pending: VecDeque::new(),
            last_attempt: None,
        }
    }

    fn run(mut self, receiver: &Receiver<HistoryRecord>) {
        // Open (and import what older runs left) before the first record arrives.
        self.write_pending();
        loop {
            let wait = if self.pending.is_empty() && self.store.is_some() {
                Duration::from_secs(3600)
            } else {
                RETRY
            };
            match receiver.recv_timeout(wait) {
                Ok(record) => {
                    self.pending.push_back(record);
                    while let Ok(record) = receiver.try_recv() {
                        self.pending.push_back(record);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            self.write_pending();
        }
        self.last_attempt = None;
        self.write_pending();
        self.exit();
    }

    /// Opens the store if needed, then commits the waiting records in order, each in its
    /// own transaction, until one fails.
    fn write_pending(&mut self) {
        // A failing store is not hammered: one try per `RETRY` however fast records come.
        if self.problem().is_some() && self.last_attempt.is_some_and(|last| last.elapsed() < RETRY)
        {
            self.publish();
            return;
        }
        self.last_attempt = Some(Instant::now());
        if self.store.is_some() && !self.config.db_path.exists() {
            // Deleted under us ("delete all my data"): start a new one, not an unlinked file.
            tracing::info!("the history was deleted; starting a new one");
            self.store = None;
        }
        if self.store.is_none() {
            match self.open() {
                Ok(store) => self.store = Some(store),
                Err(err) => {
                    self.set_problem(&err);
                    return;
                }
            }
        }
        let Some(store) = self.store.as_mut() else {
            return;
        };
        while let Some(record) = self.pending.front() {
            match write(store, record) {
                Ok(()) => {
                    self.pending.pop_front();
                    lock(&self.status).saved += 1;
                }
                Err(err) => {
                    let message = err.to_string();
                    self.set_problem(&message);
                    return;
                }
            }
        }
        if self.problem().is_some() {
            tracing::info!("the history is being saved again");
        }
        lock(&self.status).problem = None;
        self.publish();
    }

    fn open(&self) -> Result<Store, String> {
        let mut store = Store::open(&self.config.db_path).map_err(|e| e.to_string())?;
        if store.is_read_only() {
            return Err(format!(
                "the history {} was made by a newer backform and is read-only here",
                self.config.db_path.display()
            ));
        }
        if let Some(pages) = self.config.max_page_count {
            store.set_max_page_count(pages).map_err(|e| e.to_string())?;
        }
        match store.close_interrupted(&self.config.session_id) {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                "{n} exercise(s) cut off when backform last stopped are kept as interrupted"
            ),
            Err(err) => return Err(err.to_string()),
        }
        for name in [LOG_FILE_NAME, UNSAVED_FILE_NAME] {
            let log = self.config.data_dir.join(name);
            if log.exists() {
                match import_session_log(&mut store, &log) {
                    Ok(summary) => tracing::info!(
                        "imported {}: {} exercise(s), {} pain rating(s)",
                        log.display(),
                        summary.runs_added,
                        summary.pain_added
                    ),
                    Err(err) => tracing::warn!("{err}"),
                }
            }
        }
        Ok(store)
    }

    fn problem(&self) -> Option<String> {
        lock(&self.status).problem.clone()
    }

    fn set_problem(&mut self, reason: &str) {
        let line = format!(
            "Your progress is not being saved right now ({reason}). It is kept and will be saved when possible."
        );
        let mut status = lock(&self.status);
        if status.problem.as_deref() != Some(line.as_str()) {
            tracing::warn!("{line}");
            status.problem = Some(line);
        }
        status.unsaved = self.pending.len();
    }

    fn publish(&self) {
        lock(&self.status).unsaved = self.pending.len();
    }

    /// Whatever could not be saved goes to the fallback file, and the status says where.
    fn exit(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let count = self.pending.len();
        let records: Vec<_> = self.pending.drain(..).collect();
        match write_fallback(
            &fallback_dirs(&self.config.data_dir),
            &self.config.session_id,
            records,
        ) {
            Ok(path) => {
                tracing::error!(
                    "{count} history record(s) could not be saved; they are in {} and will be added the next time backform starts",
                    path.display()
                );
                let mut status = lock(&self.status);
                status.fallback = Some(path.display().to_string());
                status.unsaved = 0;
            }
            Err(err) => tracing::error!("{err}"),
        }
    }
}

fn write(store: &mut Store, record: &HistoryRecord) -> Result<(), crate::history::StoreError> {
    match record {
        HistoryRecord::RunStarted {
            run,
            name,
            unix_s,
            counted_by,
        } => store.begin_run(
            run,
            name,
            *unix_s,
            prescribed_now(&run.exercise),
            counted_by,
        ),
        HistoryRecord::Rep {
            run,
            number,
            rep,
            unix_s,
        } => store.add_rep(run, *number, rep, *unix_s).map(drop),
        HistoryRecord::Hold {
            run,
            held_s,
            unix_s,
        } => store.hold_progress(run, *held_s, *unix_s).map(drop),
        HistoryRecord::RunFinished(line) => store.insert_run(&run_of(line)).map(drop),
        HistoryRecord::Pain(line) => match pain_of(line) {
            Some(pain) => store.insert_pain(&pain).map(drop),
            None => Ok(()),
        },
    }
}

/// The data folder, then the temporary folder (whose file the next start does not
/// import: the exit message names it).
fn fallback_dirs(data_dir: &Path) -> Vec<PathBuf> {
    vec![
        data_dir.to_path_buf(),
        std::env::temp_dir().join("backform"),
    ]
}

/// Writes `records` as session-log lines to the first folder that takes them. A run
/// whose finished line is among them needs nothing else; one without (cut off) becomes
/// an `interrupted` line with the reps that were waiting.
fn write_fallback(
    dirs: &[PathBuf],
    session_id: &str,
    records: Vec<HistoryRecord>,
) -> Result<PathBuf, String> {
    let lines = fallback_lines(records);
    let mut errors = Vec::new();
    for dir in dirs {
        let log = SessionLog::for_session(dir.join(UNSAVED_FILE_NAME), session_id);
        match lines.iter().try_for_each(|line| log.append(line)) {
            Ok(()) => return Ok(log.path().to_path_buf()),
            Err(err) => errors.push(err.to_string()),
        }
    }
    Err(format!("history records were lost: {}", errors.join("; ")))
}

fn fallback_lines(records: Vec<HistoryRecord>) -> Vec<Value> {
    let key = |line: &Value| {
        (
            line["session_id"].as_str().unwrap_or_default().to_string(),
            line["exercise"].as_str().unwrap_or_default().to_string(),
            line["started_t_s"].as_f64().unwrap_or_default().to_bits(),
        )
    };
    let finished: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            HistoryRecord::RunFinished(line) => Some(key(line)),
            _ => None,
        })
        .collect();
    let mut lines = Vec::new();
    let mut cut_off: Vec<(RunRef, String, f64, Vec<RepInput>)> = Vec::new();
    for record in records {
        let run = match &record {
            HistoryRecord::RunStarted { run, .. }
            | HistoryRecord::Rep { run, .. }
            | HistoryRecord::Hold { run, .. } => run.clone(),
            HistoryRecord::RunFinished(line) | HistoryRecord::Pain(line) => {
                lines.push(line.clone());
                continue;
            }
        };
        let run_key = (
            run.session_id.clone(),
            run.exercise.clone(),
            run.started_t_s.to_bits(),
        );
        if finished.contains(&run_key) {
            continue;
        }
        let at = match cut_off.iter().position(|(r, ..)| *r == run) {
            Some(at) => at,
            None => {
                cut_off.push((run, String::new(), 0.0, Vec::new()));
                cut_off.len() - 1
            }
        };
        let entry = &mut cut_off[at];
        match record {
            HistoryRecord::RunStarted { name, unix_s, .. } => {
                entry.1 = name;
                entry.2 = unix_s;
            }
            HistoryRecord::Rep { rep, unix_s, .. } => {
                entry.2 = entry.2.max(unix_s);
                entry.3.push(rep);
            }
            HistoryRecord::Hold { unix_s, .. } => entry.2 = entry.2.max(unix_s),
            HistoryRecord::RunFinished(_) | HistoryRecord::Pain(_) => {}
        }
    }
    for (run, name, unix_s, reps) in cut_off {
        lines.push(json!({
            "kind": "exercise",
            "unix_time_s": unix_s,
            "session_id": run.session_id,
            "exercise": run.exercise,
            "name": name,
            "end": crate::history::store::INTERRUPTED,
            "started_t_s": run.started_t_s,
            "duration_s": 0.0,
            "reps_total": reps.len(),
            "sets_completed": 0,
            "holds_completed": 0,
            "report": {"reps": reps},
        }));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coach::routine::{EndReason, LiveRep, Side};

    fn config(dir: &Path) -> HistoryConfig {
        HistoryConfig {
            db_path: dir.join("history.sqlite3"),
            data_dir: dir.to_path_buf(),
            session_id: "s1".into(),
            max_page_count: None,
            model: Some("full".into()),
        }
    }

    fn key() -> RunKey {
        RunKey {
            exercise: "pelvic-rock".into(),
            started_t_s: 2.0,
        }
    }

    fn rep(n: u32, side: Side) -> LiveEvent {
        LiveEvent::Progress {
            run: key(),
            progress: Progress::Rep(LiveRep {
                side: Some(side),
                side_inferred: false,
                set: 1,
                number: n,
                start_s: f64::from(n) * 2.0,
                end_s: f64::from(n) * 2.0 + 1.5,
                hold_s: None,
                faults: if n == 2 {
                    vec!["shoulders-sway".into()]
                } else {
                    vec![]
                },
            }),
        }
    }

    fn started() -> LiveEvent {
        LiveEvent::Started {
            run: key(),
            name: "Pelvic rocks".into(),
        }
    }

    fn finished(reps: u32) -> ExerciseRecord {
        ExerciseRecord {
            exercise: "pelvic-rock".into(),
            name: "Pelvic rocks".into(),
            end: EndReason::SessionEnded,
            started_t_s: 2.0,
            duration_s: 30.0,
            reps_total: reps,
            sets_completed: 0,
            holds_completed: 0,
            report: json!({"reps": (1..=reps).map(|n| json!({
                "side": "left", "start_s": f64::from(n), "end_s": f64::from(n) + 1.0,
                "hold_s": null, "faults": []})).collect::<Vec<_>>()}),
        }
    }

    /// Polls the store until `done` holds (the writer commits within moments).
    fn eventually(path: &Path, done: impl Fn(&Store) -> bool) -> bool {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(3) {
            if let Ok(store) = Store::open(path)
                && done(&store)
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    #[test]
    fn each_rep_is_in_the_store_moments_after_it_is_counted() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let (mut feed, writer) = spawn(config.clone()).unwrap();
        feed.live(vec![started(), rep(1, Side::Left)]);
        assert!(eventually(&config.db_path, |s| s
            .rep_rows()
            .is_ok_and(|r| r.len() == 1)));
        feed.live(vec![rep(2, Side::Right)]);
        assert!(eventually(&config.db_path, |s| s
            .rep_rows()
            .is_ok_and(|r| r.len() == 2)));
        let store = Store::open(&config.db_path).unwrap();
        let rows = store.rep_rows().unwrap();
        assert_eq!(rows[1].side.as_deref(), Some("right"));
        assert_eq!(rows[1].faults, "shoulders-sway");
        assert_eq!(rows[1].end_reason, "in_progress");
        feed.finished(&finished(3));
        feed.pain(PainMoment::AfterSession, 2);
        drop(feed);
        let status = writer.finish();
        assert_eq!(status.unsaved, 0);
        assert_eq!(status.problem, None);
        let runs = store.run_summaries().unwrap();
        assert_eq!(runs.len(), 1, "{runs:?}");
        assert_eq!(runs[0].end_reason, "session_ended");
        assert_eq!(runs[0].counted_by.model.as_deref(), Some("full"));
        assert_eq!(
            runs[0].counted_by.app_version.as_deref(),
            Some(env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(store.rep_rows().unwrap().len(), 3);
        assert_eq!(store.pains().unwrap()[0].score, 2);
    }

    #[test]
    fn a_history_deleted_while_the_app_runs_is_started_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let (mut feed, writer) = spawn(config.clone()).unwrap();
        feed.pain(PainMoment::BeforeSession, 4);
        assert!(eventually(&config.db_path, |s| s
            .pains()
            .is_ok_and(|p| p.len() == 1)));
        let removed = crate::history::delete::delete_all(dir.path(), &config.db_path).unwrap();
        assert!(removed.contains(&config.db_path));
        feed.pain(PainMoment::AfterSession, 2);
        drop(feed);
        writer.finish();
        let pains = Store::open(&config.db_path).unwrap().pains().unwrap();
        assert_eq!(pains.len(), 1, "only what came after the delete: {pains:?}");
        assert_eq!(pains[0].score, 2);
    }

    /// Waits until the status satisfies `done`.
    fn status_when(writer: &HistoryWriter, done: impl Fn(&HistoryStatus) -> bool) -> HistoryStatus {
        let started = Instant::now();
        loop {
            let status = writer.status();
            if done(&status) || started.elapsed() > Duration::from_secs(8) {
                return status;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn a_locked_store_keeps_the_records_and_writes_them_once_it_is_free() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let (mut feed, writer) = spawn(config.clone()).unwrap();
        feed.live(vec![started()]);
        assert!(eventually(&config.db_path, |s| s
            .run_summaries()
            .is_ok_and(|r| r.len() == 1)));
        // Another program holds the database past the busy timeout.
        let other = rusqlite::Connection::open(&config.db_path).unwrap();
        other.execute_batch("BEGIN EXCLUSIVE").unwrap();
        feed.live(vec![rep(1, Side::Left)]);
        let status = status_when(&writer, |s| s.problem.is_some());
        let problem = status.problem.expect("the lock is reported");
        assert!(problem.contains("not being saved"), "{problem}");
        assert!(problem.contains("locked"), "{problem}");
        assert_eq!(status.unsaved, 1);
        other.execute_batch("COMMIT").unwrap();
        drop(other);
        // Tried again within a second or so, without any new record to prompt it.
        let status = status_when(&writer, |s| s.problem.is_none() && s.unsaved == 0);
        assert_eq!((status.problem, status.unsaved), (None, 0));
        assert_eq!(
            Store::open(&config.db_path)
                .unwrap()
                .rep_rows()
                .unwrap()
                .len(),
            1
        );
        drop(feed);
        assert_eq!(writer.finish().fallback, None);
    }

    #[test]
    fn a_full_disk_is_said_and_what_could_not_be_saved_is_set_aside_and_imported_next_time() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = config(dir.path());
        // The database may not grow: as on a full disk.
        config.max_page_count = Some(1);
        let (mut feed, writer) = spawn(config.clone()).unwrap();
        let mut record = finished(3);
        // A report as large as a long exercise's: it needs new pages.
        record.report["notes"] = json!(vec!["a long note about the exercise"; 2000]);
        feed.finished(&record);
        feed.pain(PainMoment::AfterSession, 3);
        let status = status_when(&writer, |s| s.problem.is_some());
        let problem = status.problem.expect("the full disk is reported");
        assert!(problem.contains("full"), "{problem}");
        drop(feed);
        let status = writer.finish();
        let fallback = PathBuf::from(status.fallback.expect("the unsaved records are set aside"));
        assert_eq!(fallback, dir.path().join(UNSAVED_FILE_NAME));
        assert_eq!(
            std::fs::read_to_string(&fallback).unwrap().lines().count(),
            2
        );

        // Room again: the next start takes them in.
        config.max_page_count = None;
        config.session_id = "s2".into();
        let (feed, writer) = spawn(config.clone()).unwrap();
        assert!(eventually(&config.db_path, |s| s
            .rep_rows()
            .is_ok_and(|r| r.len() == 3)));
        drop(feed);
        writer.finish();
        let store = Store::open(&config.db_path).unwrap();
        assert_eq!(
            store.run_summaries().unwrap()[0].end_reason,
            "session_ended"
        );
        assert_eq!(store.pains().unwrap()[0].score, 3);
        assert!(!fallback.exists());
    }

    #[test]
    fn an_unwritable_path_is_said_in_one_line_and_nothing_is_lost() {
        let dir = tempfile::tempdir().unwrap();
        // A folder cannot be made under a regular file, even by root.
        let file = dir.path().join("not-a-folder");
        std::fs::write(&file, "x").unwrap();
        let data_dir = dir.path().join("data");
        let config = HistoryConfig {
            db_path: file.join("history.sqlite3"),
            data_dir: data_dir.clone(),
            session_id: "s1".into(),
            max_page_count: None,
            model: None,
        };
        let (mut feed, writer) = spawn(config).unwrap();
        feed.live(vec![started(), rep(1, Side::Left), rep(2, Side::Right)]);
        let status = status_when(&writer, |s| s.problem.is_some());
        let problem = status.problem.expect("the unwritable path is reported");
        assert!(problem.contains("not-a-folder"), "{problem}");
        assert_eq!(problem.lines().count(), 1);
        // Cut off without its finished record: still kept, as an interrupted run.
        drop(feed);
        let status = writer.finish();
        let fallback = PathBuf::from(status.fallback.unwrap());
        assert_eq!(fallback, data_dir.join(UNSAVED_FILE_NAME));
        let lines: Vec<Value> = std::fs::read_to_string(&fallback)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["end"], "interrupted");
        assert_eq!(lines[0]["report"]["reps"].as_array().unwrap().len(), 2);
        assert_eq!(lines[0]["report"]["reps"][1]["side"], "right");
    }
}
