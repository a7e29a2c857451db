//! What the history screen and the end-of-session summary show, read from the store:
//! sessions by day with each run's reps done against the prescription, per-exercise
//! series over the last 7 days or 6 weeks (reps, holds, reps with faults), pain before
//! and after, and a session's "main thing to work on".
//!
//! In flows a [`Store`] (read only, through its connection); out flow plain values.
//! [`History::load`] reads everything once (the database is small: one person's
//! sessions); the rest is pure arithmetic on what it read, so it is tested without egui.
//!
//! Days are UTC calendar days, from the Unix seconds by plain arithmetic: the crate has
//! no time-zone library (no chrono or time), and the CSV export's `date` is UTC too, so a
//! session sits on the same day on screen and in the export.

use rusqlite::OptionalExtension;
use std::collections::BTreeMap;

use super::store::Store;
use crate::exercises::FaultCode;

/// Seconds in a day.
const DAY_S: f64 = 86_400.0;

/// Trouble reading the history.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the history: {0}")]
pub struct ReadError(#[from] rusqlite::Error);

/// A day number: days since 1970-01-01 (UTC).
pub fn day_of(unix_s: f64) -> i64 {
    (unix_s / DAY_S).floor() as i64
}

/// Year, month (1–12) and day (1–31) of a day number (Howard Hinnant's civil_from_days).
pub fn civil(day: i64) -> (i64, u32, u32) {
    let days = day + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m as u32, d as u32)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// 0 for Monday … 6 for Sunday (1970-01-01 was a Thursday).
pub fn weekday(day: i64) -> usize {
    (day + 3).rem_euclid(7) as usize
}

/// "3 Mar": a day in a chart's axis.
pub fn short_date(day: i64) -> String {
    let (_, m, d) = civil(day);
    format!("{d} {}", MONTHS[(m as usize).saturating_sub(1) % 12])
}

/// "Tuesday 3 March 2026"-style heading, shortened: "Tue 3 Mar 2026".
pub fn long_date(day: i64) -> String {
    let (y, _, _) = civil(day);
    format!("{} {} {y}", WEEKDAYS[weekday(day)], short_date(day))
}

/// One rep as the charts need it.
#[derive(Clone, Debug, PartialEq)]
pub struct RepFacts {
    pub hold_s: Option<f64>,
    pub faults: Vec<String>,
}

/// One exercise run with its reps.
#[derive(Clone, Debug, PartialEq)]
pub struct RunFacts {
    pub session_id: String,
    pub exercise: String,
    pub name: String,
    pub end_reason: String,
    pub ended_unix_s: f64,
    pub reps_done: u32,
    pub sets_completed: u32,
    pub holds_completed: u32,
    /// Reps per set × sets (sets default to one), when the exercise prescribes reps.
    pub reps_prescribed: Option<u32>,
    pub sets_prescribed: Option<u32>,
    pub hold_prescribed_s: Option<f64>,
    pub reps: Vec<RepFacts>,
    /// Fault spans by code (faults that are not on a rep, e.g. traction's block).
    pub fault_spans: Vec<String>,
    /// When the coach could not see the movement (a `movement-below-noise` span): what
    /// it said about the camera from then on, the last of it.
    pub unseen: Option<String>,
}

impl RunFacts {
    /// The holds the reps reached, seconds.
    pub fn holds_s(&self) -> impl Iterator<Item = f64> + '_ {
        self.reps.iter().filter_map(|r| r.hold_s)
    }

    /// Reps with at least one fault.
    pub fn faulty_reps(&self) -> u32 {
        self.reps.iter().filter(|r| !r.faults.is_empty()).count() as u32
    }

    /// "12 of 40 reps", "12 reps" (nothing prescribed), with sets and holds when there
    /// are any: the "done vs prescribed" line.
    pub fn done_vs_prescribed(&self) -> String {
        let mut text = match self.reps_prescribed {
            Some(p) => format!("{} of {p} reps", self.reps_done),
            None => format!("{} reps", self.reps_done),
        };
        if self.sets_completed > 0 || self.sets_prescribed.is_some_and(|s| s > 1) {
            match self.sets_prescribed {
                Some(p) => text += &format!(", {} of {p} sets", self.sets_completed),
                None => text += &format!(", {} sets", self.sets_completed),
            }
        }
        if self.hold_prescribed_s.is_some() || self.holds_completed > 0 {
            // Only a hold kept in good form for its time counts: say so, or "0 holds"
            // beside a long hold reads as a mistake.
            let holds = if self.holds_completed == 1 {
                "good hold"
            } else {
                "good holds"
            };
            text += &format!(", {} {holds}", self.holds_completed);
            if let Some(target) = self.hold_prescribed_s {
                text += &format!(" of {target:.0} s");
            }
        }
        text
    }

    /// How the run ended, in words (empty for a completed run).
    pub fn end_words(&self) -> &'static str {
        match self.end_reason.as_str() {
            "skipped" => "skipped",
            "it_hurts" => "stopped because it hurt",
            "session_ended" => "session ended",
            "interrupted" => "cut off when backform stopped",
            "in_progress" => "under way",
            _ => "",
        }
    }
}

/// One session: its runs in the order done and its pain ratings.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionFacts {
    pub session_id: String,
    pub started_unix_s: f64,
    pub runs: Vec<RunFacts>,
    pub pain_before: Option<u8>,
    pub pain_after: Option<u8>,
}

impl SessionFacts {
    pub fn day(&self) -> i64 {
        day_of(self.started_unix_s)
    }
}

/// Sessions of one day, in the order done.
#[derive(Clone, Debug, PartialEq)]
pub struct Day {
    pub day: i64,
    pub sessions: Vec<SessionFacts>,
}

/// The chart's time window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    /// One point per day, the last 7 days with today.
    Days7,
    /// One point per week, the last 6 weeks (7-day spans ending today).
    Weeks6,
}

impl Window {
    /// How many buckets, and how many days each holds.
    fn shape(self) -> (i64, i64) {
        match self {
            Window::Days7 => (7, 1),
            Window::Weeks6 => (6, 7),
        }
    }

    /// The buckets' first days, oldest first, the last one ending on `today`.
    pub fn starts(self, today: i64) -> Vec<i64> {
        let (count, width) = self.shape();
        (0..count)
            .map(|i| today - (count - i) * width + 1)
            .collect()
    }

    /// Which bucket `day` falls in, if any.
    pub fn bucket(self, today: i64, day: i64) -> Option<usize> {
        let (count, width) = self.shape();
        let back = today - day;
        (0..count * width)
            .contains(&back)
            .then(|| (count - 1 - back / width) as usize)
    }

    /// The axis label of a bucket starting on `start`: "Tue 3" for days, "3 Mar" (the
    /// week's first day) for weeks.
    pub fn label(self, start: i64) -> String {
        match self {
            Window::Days7 => {
                let (_, _, d) = civil(start);
                format!("{} {d}", WEEKDAYS[weekday(start)])
            }
            Window::Weeks6 => short_date(start),
        }
    }

    /// The x axis's name.
    pub fn unit(self) -> &'static str {
        match self {
            Window::Days7 => "day",
            Window::Weeks6 => "week starting",
        }
    }
}

/// One bucket (a day or a week) of one exercise.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bucket {
    pub reps_done: u32,
    /// Summed over the runs that prescribe reps; `None` when none did.
    pub reps_prescribed: Option<u32>,
    pub hold_median_s: Option<f64>,
    pub hold_mean_s: Option<f64>,
    pub faulty_reps: u32,
    pub runs: u32,
}

/// One exercise over the window: one bucket per day or week, oldest first.
#[derive(Clone, Debug, PartialEq)]
pub struct ExerciseSeries {
    pub exercise: String,
    pub name: String,
    pub hold_prescribed_s: Option<f64>,
    pub buckets: Vec<Bucket>,
}

impl ExerciseSeries {
    pub fn has_holds(&self) -> bool {
        self.hold_prescribed_s.is_some() || self.buckets.iter().any(|b| b.hold_median_s.is_some())
    }
}

/// A session's pain ratings, placed in the window.
#[derive(Clone, Debug, PartialEq)]
pub struct PainPoint {
    pub bucket: usize,
    /// Where in the bucket (0–1), so sessions of one week do not sit on each other.
    pub within: f64,
    pub before: Option<u8>,
    pub after: Option<u8>,
}

/// The main thing to work on: the fault on the most reps, with the prompt the coach
/// gives for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Focus {
    pub exercise_name: String,
    pub code: String,
    pub prompt: String,
    /// Reps with this fault (or, for faults not on a rep, spans of it).
    pub reps: u32,
}

/// Everything stored, read once.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Oldest first.
    pub sessions: Vec<SessionFacts>,
}

impl History {
    /// Reads every session, run, rep and pain rating.
    pub fn load(store: &Store) -> Result<History, ReadError> {
        let conn = store.connection();
        let mut sessions: Vec<SessionFacts> = conn
            .prepare(
                "SELECT s.id, s.started_unix_s,
                    (SELECT score FROM pain WHERE session_id = s.id AND moment = 'before_session' ORDER BY unix_s LIMIT 1),
                    (SELECT score FROM pain WHERE session_id = s.id AND moment = 'after_session' ORDER BY unix_s DESC LIMIT 1)
                 FROM sessions s ORDER BY s.started_unix_s, s.id",
            )?
            .query_map([], |row| {
                Ok(SessionFacts {
                    session_id: row.get(0)?,
                    started_unix_s: row.get(1)?,
                    runs: Vec::new(),
                    pain_before: row.get(2)?,
                    pain_after: row.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut runs: Vec<(i64, RunFacts)> = conn
            .prepare(
                "SELECT id, session_id, exercise, name, end_reason, ended_unix_s, reps_total,
                    sets_completed, holds_completed, prescribed_reps_per_set, prescribed_sets,
                    prescribed_hold_s
                 FROM exercise_runs ORDER BY ended_unix_s, id",
            )?
            .query_map([], |row| {
                let per_set: Option<u32> = row.get(9)?;
                let sets: Option<u32> = row.get(10)?;
                Ok((
                    row.get(0)?,
                    RunFacts {
                        session_id: row.get(1)?,
                        exercise: row.get(2)?,
                        name: row.get(3)?,
                        end_reason: row.get(4)?,
                        ended_unix_s: row.get(5)?,
                        reps_done: row.get(6)?,
                        sets_completed: row.get(7)?,
                        holds_completed: row.get(8)?,
                        // As the sessions export counts it (`Store::session_rows`).
                        reps_prescribed: per_set.map(|n| n * sets.unwrap_or(1)),
                        sets_prescribed: sets,
                        hold_prescribed_s: row.get(11)?,
                        reps: Vec::new(),
                        fault_spans: Vec::new(),
                        unseen: None,
                    },
                ))
            })?
            .collect::<Result<_, _>>()?;
        let index: BTreeMap<i64, usize> = runs
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (*id, i))
            .collect();
        let mut reps =
            conn.prepare("SELECT run_id, hold_s, faults FROM reps ORDER BY run_id, number")?;
        let rep_rows = reps.query_map([], |row| {
            let faults: String = row.get(2)?;
            Ok((
                row.get::<_, i64>(0)?,
                RepFacts {
                    hold_s: row.get(1)?,
                    faults: faults.split_whitespace().map(str::to_string).collect(),
                },
            ))
        })?;
        for rep in rep_rows {
            let (run_id, rep) = rep?;
            if let Some(&i) = index.get(&run_id) {
                runs[i].1.reps.push(rep);
            }
        }
        let mut spans =
            conn.prepare("SELECT run_id, code FROM fault_spans ORDER BY run_id, start_s")?;
        let span_rows = spans.query_map([], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
        })?;
        for span in span_rows {
            let (run_id, code) = span?;
            if let Some(&i) = index.get(&run_id) {
                runs[i].1.fault_spans.push(code);
            }
        }
        let mut blind = conn.prepare(
            "SELECT run_id, MIN(start_s) FROM cannot_see WHERE reason = 'movement-below-noise'
             GROUP BY run_id",
        )?;
        let blind_rows: Vec<(i64, f64)> = blind
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut said = conn.prepare(
            "SELECT text FROM prompts WHERE run_id = ?1 AND kind = 'camera' AND t_s >= ?2
             ORDER BY t_s DESC LIMIT 1",
        )?;
        for (run_id, since) in blind_rows {
            if let Some(&i) = index.get(&run_id) {
                runs[i].1.unseen = said
                    .query_row(rusqlite::params![run_id, since], |row| row.get(0))
                    .optional()?;
            }
        }
        let by_id: BTreeMap<String, usize> = sessions
            .iter()
            .enumerate()
            .map(|(i, s)| (s.session_id.clone(), i))
            .collect();
        for (_, run) in runs {
            if let Some(&i) = by_id.get(&run.session_id) {
                sessions[i].runs.push(run);
            }
        }
        Ok(History { sessions })
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// Sessions grouped by day, newest day first (sessions within a day in order).
    pub fn days(&self) -> Vec<Day> {
        let mut days: Vec<Day> = Vec::new();
        for session in self.sessions.iter().rev() {
            match days.last_mut() {
                Some(last) if last.day == session.day() => last.sessions.insert(0, session.clone()),
                _ => days.push(Day {
                    day: session.day(),
                    sessions: vec![session.clone()],
                }),
            }
        }
        days
    }

    /// The newest session, by start.
    pub fn newest(&self) -> Option<&SessionFacts> {
        self.sessions
            .iter()
            .max_by(|a, b| a.started_unix_s.total_cmp(&b.started_unix_s))
    }

    /// The newest session's runs that ended at or after `since_unix_s` (one app run can
    /// hold several routines: the summary shows this one's); `None` when there are none.
    pub fn session_since(&self, since_unix_s: f64) -> Option<SessionFacts> {
        let newest = self.newest()?;
        let runs: Vec<RunFacts> = newest
            .runs
            .iter()
            .filter(|r| r.ended_unix_s >= since_unix_s)
            .cloned()
            .collect();
        (!runs.is_empty()).then(|| SessionFacts {
            runs,
            ..newest.clone()
        })
    }

    /// The exercises done in the window, in the order first done, each with one bucket
    /// per day or week ending `today`.
    pub fn series(&self, window: Window, today: i64) -> Vec<ExerciseSeries> {
        let starts = window.starts(today);
        let mut series: Vec<ExerciseSeries> = Vec::new();
        let mut holds: Vec<Vec<Vec<f64>>> = Vec::new();
        for run in self.sessions.iter().flat_map(|s| &s.runs) {
            let Some(b) = window.bucket(today, day_of(run.ended_unix_s)) else {
                continue;
            };
            let i = match series.iter().position(|s| s.exercise == run.exercise) {
                Some(i) => i,
                None => {
                    series.push(ExerciseSeries {
                        exercise: run.exercise.clone(),
                        name: run.name.clone(),
                        hold_prescribed_s: None,
                        buckets: vec![Bucket::default(); starts.len()],
                    });
                    holds.push(vec![Vec::new(); starts.len()]);
                    series.len() - 1
                }
            };
            let s = &mut series[i];
            if run.hold_prescribed_s.is_some() {
                s.hold_prescribed_s = run.hold_prescribed_s;
            }
            let bucket = &mut s.buckets[b];
            bucket.runs += 1;
            bucket.reps_done += run.reps_done;
            if let Some(p) = run.reps_prescribed {
                bucket.reps_prescribed = Some(bucket.reps_prescribed.unwrap_or(0) + p);
            }
            bucket.faulty_reps += run.faulty_reps();
            holds[i][b].extend(run.holds_s());
        }
        for (s, holds) in series.iter_mut().zip(holds) {
            for (bucket, mut h) in s.buckets.iter_mut().zip(holds) {
                bucket.hold_mean_s =
                    (!h.is_empty()).then(|| h.iter().sum::<f64>() / h.len() as f64);
                bucket.hold_median_s = median(&mut h);
            }
        }
        series
    }

    /// Each session in the window with a pain rating, placed in its bucket.
    pub fn pain(&self, window: Window, today: i64) -> Vec<PainPoint> {
        let (_, width) = window.shape();
        let starts = window.starts(today);
        self.sessions
            .iter()
            .filter(|s| s.pain_before.is_some() || s.pain_after.is_some())
            .filter_map(|s| {
                let bucket = window.bucket(today, s.day())?;
                let into_s = s.started_unix_s - starts[bucket] as f64 * DAY_S;
                Some(PainPoint {
                    bucket,
                    within: (into_s / (width as f64 * DAY_S)).clamp(0.0, 1.0),
                    before: s.pain_before,
                    after: s.pain_after,
                })
            })
            .collect()
    }
}

/// The middle value (mean of the two middle ones for an even count).
fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

/// The fault on the most reps over `runs`, with its prompt from the exercise's spec.
/// Only faults the coach prompts for count (a fault with no prompt, like
/// `not-alternating`, is information, not something to work on). Runs without a fault
/// on any rep fall back to their fault spans (traction has no reps). Ties go to the
/// exercise done first, then the code's name.
pub fn main_thing(runs: &[RunFacts]) -> Option<Focus> {
    let mut counts: Vec<(usize, String, u32)> = Vec::new();
    let mut add = |order: usize, code: &str| match counts
        .iter_mut()
        .find(|(o, c, _)| *o == order && c == code)
    {
        Some(entry) => entry.2 += 1,
        None => counts.push((order, code.to_string(), 1)),
    };
    for (order, run) in runs.iter().enumerate() {
        let on_reps = run.reps.iter().any(|r| !r.faults.is_empty());
        if on_reps {
            for rep in &run.reps {
                // A rep with the same code twice counts once.
                let mut codes: Vec<&String> = rep.faults.iter().collect();
                codes.sort();
                codes.dedup();
                for code in codes {
                    add(order, code);
                }
            }
        } else {
            for code in &run.fault_spans {
                add(order, code);
            }
        }
    }
    let mut candidates: Vec<(usize, Focus)> = counts
        .into_iter()
        .filter_map(|(order, code, reps)| {
            let run = runs.get(order)?;
            let fault: FaultCode = code.parse().ok()?;
            let spec = crate::exercises::spec::load(&run.exercise).ok()?;
            let prompt = spec.prompt(fault)?.to_string();
            Some((
                order,
                Focus {
                    exercise_name: run.name.clone(),
                    code,
                    prompt,
                    reps,
                },
            ))
        })
        .collect();
    candidates.sort_by(|(oa, a), (ob, b)| {
        b.reps
            .cmp(&a.reps)
            .then(oa.cmp(ob))
            .then_with(|| a.code.cmp(&b.code))
    });
    candidates.into_iter().next().map(|(_, focus)| focus)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::store::{PainInput, Prescribed, RepInput, RunInput, SpanInput};

    /// 2026-03-02 00:00 UTC, a Monday.
    const MONDAY: f64 = 1_772_409_600.0;

    fn rep(hold_s: Option<f64>, faults: &[&str]) -> RepInput {
        RepInput {
            side: None,
            side_inferred: false,
            start_s: 0.0,
            end_s: 1.0,
            hold_s,
            faults: faults.iter().map(|f| f.to_string()).collect(),
        }
    }

    fn tilt_run(session: &str, ended: f64, reps: Vec<RepInput>) -> RunInput {
        RunInput {
            session_id: session.into(),
            ended_unix_s: ended,
            exercise: "pelvic-tilt".into(),
            name: "Pelvic tilts".into(),
            end_reason: "completed".into(),
            started_t_s: ended,
            duration_s: 120.0,
            reps_total: reps.len() as u32,
            sets_completed: 1,
            holds_completed: reps.iter().filter(|r| r.hold_s >= Some(5.0)).count() as u32,
            prescribed: Prescribed {
                reps_per_set: Some(10),
                sets: Some(2),
                hold_s: Some(5.0),
            },
            reps,
            faults: vec![],
            prompts: vec![],
            cannot_see: vec![],
            report_json: "{}".into(),
            counted_by: crate::history::store::CountedBy::default(),
        }
    }

    fn traction_run(session: &str, ended: f64) -> RunInput {
        RunInput {
            session_id: session.into(),
            ended_unix_s: ended,
            exercise: "back-block-traction".into(),
            name: "Back block traction".into(),
            end_reason: "it_hurts".into(),
            started_t_s: ended,
            duration_s: 40.0,
            reps_total: 0,
            sets_completed: 0,
            holds_completed: 0,
            prescribed: Prescribed::default(),
            reps: vec![],
            faults: vec![SpanInput {
                label: "block-too-high".into(),
                start_s: 3.0,
                end_s: 9.0,
            }],
            prompts: vec![],
            cannot_see: vec![],
            report_json: "{}".into(),
            counted_by: crate::history::store::CountedBy::default(),
        }
    }

    fn pain(session: &str, unix_s: f64, moment: &str, score: u8) -> PainInput {
        PainInput {
            session_id: session.into(),
            unix_s,
            moment: moment.into(),
            score,
        }
    }

    /// Three sessions: Monday morning and evening, and 10 days later.
    fn filled() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("history.sqlite3")).unwrap();
        let morning = MONDAY + 8.0 * 3600.0;
        store
            .insert_pain(&pain("a", morning, "before_session", 6))
            .unwrap();
        store
            .insert_run(&tilt_run(
                "a",
                morning + 300.0,
                vec![
                    rep(Some(5.5), &[]),
                    rep(Some(3.0), &["hold-too-short"]),
                    rep(Some(6.5), &["crunch", "hold-too-short"]),
                    rep(Some(2.0), &["hold-too-short"]),
                ],
            ))
            .unwrap();
        store
            .insert_run(&traction_run("a", morning + 600.0))
            .unwrap();
        store
            .insert_pain(&pain("a", morning + 700.0, "after_session", 4))
            .unwrap();
        let evening = MONDAY + 19.0 * 3600.0;
        store
            .insert_run(&tilt_run(
                "b",
                evening,
                vec![rep(Some(8.0), &["crunch"]), rep(Some(7.0), &[])],
            ))
            .unwrap();
        let later = MONDAY + 10.0 * DAY_S + 9.0 * 3600.0;
        store
            .insert_pain(&pain("c", later - 600.0, "before_session", 3))
            .unwrap();
        store
            .insert_run(&tilt_run("c", later, vec![rep(Some(9.0), &[])]))
            .unwrap();
        (dir, store)
    }

    #[test]
    fn days_are_utc_calendar_days_with_their_names() {
        let monday = day_of(MONDAY);
        assert_eq!(civil(monday), (2026, 3, 2));
        assert_eq!(weekday(monday), 0);
        assert_eq!(long_date(monday + 6), "Sun 8 Mar 2026");
        assert_eq!(day_of(MONDAY - 1.0), monday - 1);
        assert_eq!(Window::Days7.label(monday + 1), "Tue 3");
        assert_eq!(Window::Weeks6.label(monday), "2 Mar");
    }

    #[test]
    fn windows_put_days_in_buckets_ending_today() {
        let today = day_of(MONDAY) + 13;
        assert_eq!(
            Window::Days7.starts(today),
            (today - 6..=today).collect::<Vec<_>>()
        );
        assert_eq!(Window::Days7.bucket(today, today), Some(6));
        assert_eq!(Window::Days7.bucket(today, today - 6), Some(0));
        assert_eq!(Window::Days7.bucket(today, today - 7), None);
        assert_eq!(Window::Days7.bucket(today, today + 1), None);
        let weeks = Window::Weeks6.starts(today);
        assert_eq!(weeks.len(), 6);
        assert_eq!(weeks[5], today - 6);
        assert_eq!(weeks[0], today - 41);
        assert_eq!(Window::Weeks6.bucket(today, today - 7), Some(4));
        assert_eq!(Window::Weeks6.bucket(today, today - 41), Some(0));
        assert_eq!(Window::Weeks6.bucket(today, today - 42), None);
    }

    #[test]
    fn a_run_it_could_not_see_keeps_what_it_said_about_the_camera() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("h.sqlite3")).unwrap();
        let prompt = |t_s: f64, text: &str| crate::history::store::PromptInput {
            t_s,
            text: text.into(),
            kind: "camera".into(),
        };
        let span = |label: &str, start_s: f64| SpanInput {
            label: label.into(),
            start_s,
            end_s: 40.0,
        };
        // Tilts it could not see from 4 s (known only at the end, said then), after an
        // earlier camera prompt about something else.
        let mut unseen = tilt_run("a", MONDAY, vec![]);
        unseen.prompts = vec![
            prompt(1.0, "Move the camera closer"),
            prompt(40.0, "I can't see the tilt from here"),
        ];
        unseen.cannot_see = vec![span("movement-below-noise", 4.0)];
        store.insert_run(&unseen).unwrap();
        // Legs hidden for a while: not the movement unseen.
        let mut hidden = traction_run("a", MONDAY + 60.0);
        hidden.prompts = vec![prompt(12.0, "I can't see your legs")];
        hidden.cannot_see = vec![span("parts-hidden", 10.0)];
        store.insert_run(&hidden).unwrap();
        let history = History::load(&store).unwrap();
        let runs = &history.days()[0].sessions[0].runs;
        assert_eq!(
            runs.iter().map(|r| r.unseen.as_deref()).collect::<Vec<_>>(),
            vec![Some("I can't see the tilt from here"), None]
        );
    }

    #[test]
    fn sessions_group_by_day_newest_first_with_done_vs_prescribed() {
        let (_dir, store) = filled();
        let history = History::load(&store).unwrap();
        let days = history.days();
        assert_eq!(
            days.iter().map(|d| d.day).collect::<Vec<_>>(),
            vec![day_of(MONDAY) + 10, day_of(MONDAY)]
        );
        let monday = &days[1];
        assert_eq!(
            monday
                .sessions
                .iter()
                .map(|s| s.session_id.as_str())
                .collect::<Vec<_>>(),
            vec!["a", "b"]
        );
        let a = &monday.sessions[0];
        assert_eq!((a.pain_before, a.pain_after), (Some(6), Some(4)));
        assert_eq!(a.runs.len(), 2);
        let tilt = &a.runs[0];
        assert_eq!(tilt.reps_prescribed, Some(20));
        assert_eq!(
            tilt.done_vs_prescribed(),
            "4 of 20 reps, 1 of 2 sets, 2 good holds of 5 s"
        );
        let traction = &a.runs[1];
        assert_eq!(traction.reps_prescribed, None);
        assert_eq!(traction.end_words(), "stopped because it hurt");
        assert_eq!(traction.fault_spans, vec!["block-too-high".to_string()]);
        assert_eq!(history.newest().unwrap().session_id, "c");
        let later = MONDAY + 10.0 * DAY_S + 9.0 * 3600.0;
        let c = history.session_since(later - 60.0).unwrap();
        assert_eq!((c.runs.len(), c.pain_before), (1, Some(3)));
        assert_eq!(history.session_since(later + 1.0), None);
    }

    #[test]
    fn series_sum_reps_take_hold_medians_and_count_faulty_reps() {
        let (_dir, store) = filled();
        let history = History::load(&store).unwrap();
        let today = day_of(MONDAY) + 10;
        // 7 days: only the last session is in.
        let days = history.series(Window::Days7, today);
        assert_eq!(days.len(), 1);
        assert_eq!(days[0].buckets[6].reps_done, 1);
        assert_eq!(days[0].buckets[6].reps_prescribed, Some(20));
        assert_eq!(days[0].buckets[0], Bucket::default());
        // 6 weeks: Monday's two sessions share a week.
        let weeks = history.series(Window::Weeks6, today);
        assert_eq!(
            weeks
                .iter()
                .map(|s| s.exercise.as_str())
                .collect::<Vec<_>>(),
            vec!["pelvic-tilt", "back-block-traction"]
        );
        let tilt = &weeks[0];
        assert_eq!(tilt.hold_prescribed_s, Some(5.0));
        assert!(tilt.has_holds());
        // Monday is 10 days before today: the second-to-last week (today-13 … today-7).
        let week = &tilt.buckets[4];
        assert_eq!(week.runs, 2);
        assert_eq!(week.reps_done, 6);
        assert_eq!(week.reps_prescribed, Some(40));
        assert_eq!(week.faulty_reps, 4);
        // Holds 5.5, 3, 6.5, 2, 8, 7: median (5.5 + 6.5) / 2, mean 32 / 6.
        assert_eq!(week.hold_median_s, Some(6.0));
        assert!((week.hold_mean_s.unwrap() - 32.0 / 6.0).abs() < 1e-9);
        assert_eq!(tilt.buckets[5].hold_median_s, Some(9.0));
        let traction = &weeks[1];
        assert_eq!(traction.buckets[4].reps_prescribed, None);
        assert!(!traction.has_holds());
    }

    #[test]
    fn pain_points_sit_in_their_bucket() {
        let (_dir, store) = filled();
        let history = History::load(&store).unwrap();
        let today = day_of(MONDAY) + 10;
        let points = history.pain(Window::Weeks6, today);
        assert_eq!(points.len(), 2);
        assert_eq!(
            (points[0].bucket, points[0].before, points[0].after),
            (4, Some(6), Some(4))
        );
        assert_eq!(
            (points[1].bucket, points[1].before, points[1].after),
            (5, Some(3), None)
        );
        assert!((0.0..=1.0).contains(&points[0].within));
        assert!(
            history
                .pain(Window::Days7, today)
                .iter()
                .all(|p| p.bucket == 6)
        );
    }

    #[test]
    fn the_main_thing_is_the_fault_on_the_most_reps_with_its_prompt() {
        let (_dir, store) = filled();
        let history = History::load(&store).unwrap();
        let a = &history.sessions[0];
        let focus = main_thing(&a.runs).unwrap();
        assert_eq!(focus.code, "hold-too-short");
        assert_eq!(focus.reps, 3);
        assert_eq!(focus.exercise_name, "Pelvic tilts");
        assert_eq!(focus.prompt, "Hold the tilt for 5 seconds");
        // Traction alone: its span.
        let traction = main_thing(&a.runs[1..]).unwrap();
        assert_eq!(traction.code, "block-too-high");
        assert!(traction.prompt.contains("sacrum"), "{}", traction.prompt);
        // A clean session has nothing to work on.
        assert_eq!(main_thing(&history.sessions[2].runs), None);
    }

    #[test]
    fn an_empty_store_is_an_empty_history() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("h.sqlite3")).unwrap();
        let history = History::load(&store).unwrap();
        assert!(history.is_empty());
        assert!(history.days().is_empty());
        assert!(history.series(Window::Weeks6, 20_000).is_empty());
        assert_eq!(main_thing(&[]), None);
    }
}
