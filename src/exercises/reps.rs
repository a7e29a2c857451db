//! The engine shared by the rep-based exercises (tilts, rotations, rocks).
//!
//! In flow, per frame, the exercise's movement signal (already gated on visibility) after
//! the exercise has fed its instantaneous fault checks into [`RepEngine::faults`]; out
//! flow [`ExerciseEvent`]s: rep started/counted/discarded, hold progress and completion
//! (counted only while no position fault is active), rep-level faults (`hold-too-short`,
//! `too-fast`, `not-alternating`) and set completion. It keeps the reps, counts and sets
//! for the report.
//!
//! Sides: an exercise with sides says which side a positive signal means and how large
//! an excursion must be before its sign is trusted. A rep whose sign is not trusted takes
//! its side from the prescribed alternation (first side first, then alternating within
//! a set), and the report says so.

use super::counter::{CounterConfig, CounterEvent, RepCounter, RepMeasure, SetTracker};
use super::faults::FaultTracker;
use super::spec::{ExerciseSpec, SpecError};
use super::{
    Counts, ExerciseEvent, ExerciseRecord, ExerciseState, FaultCode, HoldState, RepRecord,
    SetRecord, Side,
};

/// How a signed signal maps to sides.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SideRule {
    /// The side a positive excursion means.
    pub positive: Side,
    /// Peak excursion (signal units) needed to trust the sign.
    pub min_peak: f64,
    /// The prescribed alternation starts here.
    pub first: Side,
}

#[derive(Clone, Debug)]
struct CurrentRep {
    correct_hold_s: f64,
    /// Correct hold time when the current plateau began (restored if it is cancelled).
    at_plateau_start: f64,
    hold_completed: bool,
    last_progress_s: f64,
    /// The largest range the exercise noted during this rep ([`RepEngine::note_range_deg`]).
    range_deg: Option<f64>,
}

/// Shared counting, holds, sides and sets for a rep-based exercise.
#[derive(Clone, Debug)]
pub struct RepEngine {
    pub counter: RepCounter,
    pub faults: FaultTracker,
    sets: SetTracker,
    hold_min_s: f64,
    report_hold: bool,
    min_movement_s: f64,
    sides: Option<SideRule>,
    /// Judge holds and movement speed (off when the signal is below its noise: the
    /// measures are then guesses).
    rep_checks: bool,
    reps: Vec<RepRecord>,
    counts: Counts,
    current: Option<CurrentRep>,
    last_t: Option<f64>,
    inferred_sides: u32,
    /// The last frame's signal was measured.
    signal_seen: bool,
    /// The signal is the movement's angle in degrees: each rep's peak is its range.
    range_in_degrees: bool,
    /// Alternation is judged from this rep on (a new view drops the rep under way, so
    /// the one before it says nothing about the next one's side).
    alternation_from: usize,
    /// Another cue's reps of the same movement, with the hold and pace it timed
    /// ([`RepEngine::set_held_elsewhere`]).
    held_elsewhere: Vec<Reading>,
    /// Each counted rep's movement out and back, seconds, in `reps`' order (what
    /// [`RepEngine::holds`] lends another cue).
    paces: Vec<(Option<f64>, Option<f64>)>,
    /// A rep the same way as the last, beginning where it ended, is more of it
    /// ([`RepEngine::merging_abutting`]).
    merge_abutting: bool,
    /// Every rep was withdrawn as unseen from this time on ([`RepEngine::unsee_all`]).
    unseen_since: Option<f64>,
}

/// A rep that begins within this long of the last one's end has not come back to rest
/// between them (the counter backdates a start to where the signal last rested).
const ABUTTING_S: f64 = 0.05;

/// How often hold progress is reported while holding.
const HOLD_PROGRESS_EVERY_S: f64 = 0.25;

impl RepEngine {
    /// An engine for `spec`'s counter and prescription.
    pub fn new(
        spec: &ExerciseSpec,
        signed: bool,
        sides: Option<SideRule>,
    ) -> Result<Self, SpecError> {
        let counter = spec.counter.clone().ok_or_else(|| SpecError::Invalid {
            id: spec.id.clone(),
            problem: "a rep-counted exercise needs a [counter] table".into(),
        })?;
        Ok(Self {
            report_hold: counter.report_hold || spec.prescription.hold_min_s > 0.0,
            min_movement_s: counter.min_movement_s,
            counter: RepCounter::new(CounterConfig {
                spec: counter,
                signed,
            }),
            faults: FaultTracker::default(),
            sets: SetTracker::new(
                spec.prescription.reps_per_set,
                spec.prescription.set_pause_s,
            ),
            hold_min_s: spec.prescription.hold_min_s,
            sides,
            rep_checks: true,
            reps: Vec::new(),
            counts: Counts::default(),
            current: None,
            last_t: None,
            inferred_sides: 0,
            signal_seen: false,
            alternation_from: 0,
            range_in_degrees: false,
            held_elsewhere: Vec::new(),
            paces: Vec::new(),
            merge_abutting: false,
            unseen_since: None,
        })
    }

    /// Takes a rep that begins where the last one ended, the same (measured) way, for
    /// more of that one: for a signal whose rest wanders nearly as far as its start
    /// threshold, a held movement dips under it and out again, which is no new rep.
    pub fn merging_abutting(mut self) -> Self {
        self.merge_abutting = true;
        self
    }

    /// Reports each rep's peak as its range in degrees (the signal is the movement's
    /// own angle).
    pub fn with_range_in_degrees(mut self) -> Self {
        self.range_in_degrees = true;
        self
    }

    /// Switches [`RepEngine::with_range_in_degrees`] for the reps to come (a view whose
    /// signal is not the angle notes it instead).
    pub fn set_range_in_degrees(&mut self, on: bool) {
        self.range_in_degrees = on;
    }

    /// Notes the movement's range in degrees at this frame, for an exercise whose counted
    /// signal is not itself that angle: each rep reports the largest noted while it ran.
    pub fn note_range_deg(&mut self, deg: f64) {
        if let Some(cur) = self.current.as_mut() {
            cur.range_deg = Some(cur.range_deg.map_or(deg.abs(), |r| r.max(deg.abs())));
        }
    }

    /// A frame in which the exercise's signal is not seen: its position checks `codes`
    /// cannot be judged either.
    pub fn unseen(&mut self, t_s: f64, codes: &[FaultCode]) -> Vec<ExerciseEvent> {
        let mut events = Vec::new();
        for &code in codes {
            events.extend(self.faults.observe(t_s, code, None, &[]));
        }
        events.extend(self.step(t_s, None));
        events
    }

    /// One frame: `signal` is `None` when its landmarks are not seen.
    pub fn step(&mut self, t_s: f64, signal: Option<f64>) -> Vec<ExerciseEvent> {
        let dt = self.last_t.map_or(0.0, |l| (t_s - l).max(0.0));
        self.last_t = Some(t_s);
        self.signal_seen = signal.is_some();
        let counted = self.counter.update(t_s, signal);
        let mut events = self.absorb(counted);
        events.extend(self.hold_step(t_s, dt));
        events
    }

    /// The picture changed under the person: the rep under way is dropped (see
    /// [`RepCounter::new_view`]); faults still open end here.
    pub fn new_view(&mut self, t_s: f64) -> Vec<ExerciseEvent> {
        let counted = self.counter.new_view(t_s);
        let mut events = self.absorb(counted);
        self.alternation_from = self.reps.len();
        events.extend(self.faults.close_all(t_s));
        self.last_t = None;
        events
    }

    /// Turns the counter's events into the exercise's.
    fn absorb(&mut self, counted: Vec<CounterEvent>) -> Vec<ExerciseEvent> {
        let mut events = Vec::new();
        for ev in counted {
            match ev {
                CounterEvent::RepStarted { t_s, .. } => {
                    self.current = Some(CurrentRep {
                        correct_hold_s: 0.0,
                        at_plateau_start: 0.0,
                        hold_completed: false,
                        last_progress_s: f64::NEG_INFINITY,
                        range_deg: None,
                    });
                    events.push(ExerciseEvent::RepStarted { t_s });
                }
                CounterEvent::HoldStarted { .. } => {
                    if let Some(cur) = self.current.as_mut() {
                        cur.at_plateau_start = cur.correct_hold_s;
                    }
                }
                CounterEvent::HoldCancelled { .. } => {
                    if let Some(cur) = self.current.as_mut() {
                        cur.correct_hold_s = cur.at_plateau_start;
                    }
                }
                CounterEvent::HoldEnded { .. } => {}
                CounterEvent::RepCompleted(m) => {
                    events.extend(self.complete(m));
                    self.current = None;
                }
                CounterEvent::RepDiscarded { t_s } => {
                    self.current = None;
                    events.push(ExerciseEvent::RepDiscarded { t_s });
                }
            }
        }
        events
    }

    /// Hold progress while the plateau lasts.
    fn hold_step(&mut self, t_s: f64, dt: f64) -> Vec<ExerciseEvent> {
        let mut events = Vec::new();
        let holding = self.signal_seen
            && self.counter.plateau_since().is_some()
            && !self.faults.position_spoiled();
        if let Some(cur) = self.current.as_mut()
            && holding
        {
            cur.correct_hold_s += dt;
            if self.hold_min_s > 0.0 {
                if t_s - cur.last_progress_s >= HOLD_PROGRESS_EVERY_S {
                    cur.last_progress_s = t_s;
                    events.push(ExerciseEvent::HoldProgress {
                        held_s: cur.correct_hold_s,
                        target_s: self.hold_min_s,
                    });
                }
                if !cur.hold_completed && cur.correct_hold_s >= self.hold_min_s {
                    cur.hold_completed = true;
                    events.push(ExerciseEvent::HoldCompleted {
                        held_s: cur.correct_hold_s,
                        t_s,
                    });
                }
            }
        }
        if let Some(done) = self.sets.tick(t_s) {
            events.push(ExerciseEvent::SetCompleted {
                set: done.set,
                reps: done.reps,
                t_s,
            });
        }
        events
    }

    fn side_of(&mut self, m: &RepMeasure) -> (Option<Side>, bool, Option<Side>) {
        let Some(rule) = self.sides else {
            return (None, false, None);
        };
        let measured = (m.peak >= rule.min_peak).then(|| {
            if m.sign > 0.0 {
                rule.positive
            } else {
                rule.positive.opposite()
            }
        });
        let (set, reps_in_set) = self.sets.current();
        let previous = self
            .reps
            .last()
            .filter(|r| r.set == set && reps_in_set > 0)
            .and_then(|r| r.side);
        match measured {
            Some(side) => (Some(side), false, measured),
            None => {
                self.inferred_sides += 1;
                (
                    Some(previous.map_or(rule.first, Side::opposite)),
                    true,
                    None,
                )
            }
        }
    }

    fn complete(&mut self, mut m: RepMeasure) -> Vec<ExerciseEvent> {
        let mut events = Vec::new();
        let (side, inferred, measured) = self.side_of(&m);
        let mut faults = self.faults.codes_between(m.start_s, m.end_s);
        // (Not necessarily the last one recorded: a rep held back until rest was proven
        // is recorded late.)
        let abutting = |r: &&mut RepRecord| {
            !r.side_inferred && r.side == measured && (m.start_s - r.end_s).abs() <= ABUTTING_S
        };
        if self.merge_abutting
            && measured.is_some()
            && let Some(last) = self.reps.iter_mut().rev().find(abutting)
        {
            last.end_s = m.end_s;
            let range = if self.range_in_degrees {
                Some(m.peak.abs())
            } else {
                self.current.as_ref().and_then(|c| c.range_deg)
            };
            last.range_deg = match (last.range_deg, range) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            last.hold_s = last.hold_s.map(|h| h.max(m.hold_s));
            last.faults.append(&mut faults);
            last.faults.sort_unstable();
            last.faults.dedup();
            return events;
        }

        // not-alternating: two measured reps in a row on the same side (information only).
        let (set_now, reps_in_set) = self.sets.current();
        if let (Some(now), Some(prev)) = (measured, self.reps.last())
            && self.reps.len() > self.alternation_from
            && reps_in_set > 0
            && prev.set == set_now
            && !prev.side_inferred
            && prev.side == Some(now)
        {
            events.extend(
                self.faults
                    .record(FaultCode::NotAlternating, m.start_s, m.end_s),
            );
            faults.push(FaultCode::NotAlternating);
        }

        let position_faulted = faults.iter().any(|c| c.spoils_position());
        // Two readings of one plateau: each one's own noise can only break it, so the
        // longer hold is the person's (the other cue's rep that overlaps this one most).
        // A reading that also spans a rep counted before this one never came back to
        // rest between them (the picture's, after a bridge): its hold is several
        // plateaus', not this one's. And no hold outlasts the rep that holds it.
        let one_plateau = |r: &&Reading| {
            !self
                .reps
                .iter()
                .any(|c| r.start_s < c.end_s && c.start_s < r.end_s)
        };
        let elsewhere = self
            .held_elsewhere
            .iter()
            .filter(|r| r.start_s < m.end_s && m.start_s < r.end_s)
            .filter(one_plateau)
            .max_by(|x, y| overlap_s(x, &m).total_cmp(&overlap_s(y, &m)))
            .copied();
        if let Some(other) = elsewhere {
            m.hold_s = m.hold_s.max(other.hold_s.min(m.end_s - m.start_s));
        }
        if self.rep_checks
            && self.hold_min_s > 0.0
            && m.hold_s < self.hold_min_s
            && !position_faulted
        {
            let (a, b) = match (m.hold_spans.first(), m.hold_spans.last()) {
                (Some(first), Some(last)) => (first.0, last.1),
                _ => (m.peak_s, m.peak_s),
            };
            events.extend(self.faults.record(FaultCode::HoldTooShort, a, b));
            faults.push(FaultCode::HoldTooShort);
        }
        // A faulted position moves the signal's own landmarks (a crunch lifts the
        // shoulders the trunk angle is read from): its timing is the fault's, not the
        // movement's, and the fault's prompt is the one that matters.
        if self.rep_checks && self.min_movement_s > 0.0 && !position_faulted {
            // Likewise its pace: a noisy reading crosses its 10% and 90% levels early or
            // late, so one reading's quick phase is said only if the other cue, where it
            // timed the same phase, found it quick too.
            let slow = |d: Option<f64>| d.is_some_and(|d| d >= self.min_movement_s);
            let quick = |own: Option<f64>, other: Option<f64>| {
                own.is_some_and(|d| d < self.min_movement_s) && !slow(other)
            };
            let fast_out = quick(m.out_s, elsewhere.and_then(|r| r.out_s));
            let fast_back = quick(m.back_s, elsewhere.and_then(|r| r.back_s));
            if fast_out || fast_back {
                // A property of the rep: its span is the rep's.
                events.extend(self.faults.record(FaultCode::TooFast, m.start_s, m.end_s));
                faults.push(FaultCode::TooFast);
            }
        }
        faults.sort_unstable();
        faults.dedup();

        let (set, number, done) = self.sets.on_rep(m.start_s, m.end_s);
        self.counts.add(side);
        let rep = RepRecord {
            side,
            side_inferred: inferred,
            set,
            number,
            start_s: m.start_s,
            end_s: m.end_s,
            hold_s: self.report_hold.then_some(m.hold_s),
            range_deg: if self.range_in_degrees {
                Some(m.peak.abs())
            } else {
                self.current.as_ref().and_then(|c| c.range_deg)
            },
            faults,
        };
        self.reps.push(rep.clone());
        self.paces.push((m.out_s, m.back_s));
        events.push(ExerciseEvent::RepCounted {
            side,
            set,
            number,
            rep,
        });
        if let Some(done) = done {
            events.push(ExerciseEvent::SetCompleted {
                set: done.set,
                reps: done.reps,
                t_s: m.end_s,
            });
        }
        events
    }

    /// Ends the exercise: drops a rep under way, closes faults and the open set.
    pub fn finish(&mut self, t_s: f64) -> Vec<ExerciseEvent> {
        let mut events = Vec::new();
        let was_active = self.counter.in_rep();
        let reps = self.counter.finish(t_s);
        if reps.is_empty() && was_active {
            events.push(ExerciseEvent::RepDiscarded { t_s });
        }
        for m in reps {
            events.extend(self.complete(m));
        }
        if self.counter.saw_nothing() && !self.reps.is_empty() {
            self.unsee_all();
        } else if !self.counter.can_see() {
            // Rest seen only at the end (`RepCounter::finish`) says the same of the
            // stillness before it.
            self.unseen_since = self.unseen_since.or(self.counter.blind_since());
        }
        self.current = None;
        events.extend(self.faults.close_all(t_s));
        if let Some(done) = self.sets.finish() {
            events.push(ExerciseEvent::SetCompleted {
                set: done.set,
                reps: done.reps,
                t_s,
            });
        }
        events
    }

    /// Drops every rep counted and what was judged on them: the signal's rest, seen
    /// since, wandered as far as any of them went (`RepCounter::saw_nothing`), so they
    /// cannot be told from drift. Faults of the position (read from other landmarks)
    /// stay.
    fn unsee_all(&mut self) {
        tracing::info!(
            reps = self.reps.len(),
            "nothing counted stood out of the signal's rest: no reps were seen"
        );
        for rep in std::mem::take(&mut self.reps) {
            for code in [
                FaultCode::HoldTooShort,
                FaultCode::TooFast,
                FaultCode::NotAlternating,
            ] {
                self.faults.withdraw(code, rep.start_s, rep.end_s);
            }
        }
        self.paces.clear();
        self.counts = Counts::default();
        self.sets.reset();
        self.inferred_sides = 0;
        self.unseen_since = self.counter.first_t();
    }

    /// Turns the hold and speed judgements on or off (off when the movement signal is
    /// below its noise: a too-short hold or a too-fast movement would be a guess).
    pub fn set_rep_checks(&mut self, on: bool) {
        self.rep_checks = on;
    }

    /// The reps an independent cue of the same movement counted, with the hold and pace
    /// it timed. A rep overlapping one reports the longer of the two holds, and is
    /// `hold-too-short` only if that is (a short hold is said only when no cue saw a
    /// full one); it is `too-fast` only if that cue, where it timed the same phase,
    /// found it quick too.
    pub fn set_held_elsewhere(&mut self, spans: impl IntoIterator<Item = Reading>) {
        // Called every frame: the buffer is reused.
        self.held_elsewhere.clear();
        self.held_elsewhere.extend(spans);
        // A rep counted while the other reading was still out lent at most the plateau
        // seen so far, within its own span (its reading may have lost the rep early).
        // Once that reading has come back, over this rep alone, its hold is one plateau
        // whole: the report takes the longer (with the span that held it), and a short
        // hold said at the rep's end (the prompt is past) leaves the record if this one is
        // long enough.
        for r in self.held_elsewhere.iter().filter(|r| r.closed) {
            let mut over = self
                .reps
                .iter_mut()
                .filter(|c| r.start_s < c.end_s && c.start_s < r.end_s);
            let (Some(rep), None) = (over.next(), over.next()) else {
                continue;
            };
            let Some(held) = rep.hold_s.as_mut() else {
                continue;
            };
            if r.hold_s > *held {
                *held = r.hold_s;
                // The span that held it: the rep as the reading that saw it whole has it.
                rep.start_s = rep.start_s.min(r.start_s);
                rep.end_s = rep.end_s.max(r.end_s);
            }
            if self.hold_min_s > 0.0
                && *held >= self.hold_min_s
                && rep.faults.contains(&FaultCode::HoldTooShort)
            {
                rep.faults.retain(|c| *c != FaultCode::HoldTooShort);
                self.faults
                    .withdraw(FaultCode::HoldTooShort, rep.start_s, rep.end_s);
            }
        }
    }

    /// This engine's reps (measured, or still under way or closing at `t_s`: the plateau
    /// held so far, its pace not yet timed) with their holds and paces: what
    /// [`RepEngine::set_held_elsewhere`] takes.
    pub fn holds(&self, t_s: f64) -> impl Iterator<Item = Reading> + '_ {
        let closing = self.counter.closing_measure().map(|m| Reading {
            start_s: m.start_s,
            end_s: m.end_s,
            hold_s: m.hold_s,
            out_s: m.out_s,
            back_s: m.back_s,
            closed: true,
        });
        // Under way: the longer of the live timer's plateau and the after-the-fact
        // measure of the samples so far (either can only have broken it).
        let live = self
            .counter
            .current_hold(t_s)
            .filter(|_| self.counter.in_rep())
            .map(|(since, held)| {
                let measured = self.counter.active_measure(t_s);
                Reading {
                    start_s: measured.as_ref().map_or(since, |m| m.start_s),
                    end_s: t_s,
                    hold_s: measured.map_or(held, |m| m.hold_s.max(held)),
                    out_s: None,
                    back_s: None,
                    closed: false,
                }
            });
        self.reps
            .iter()
            .zip(&self.paces)
            .filter_map(|(r, &(out_s, back_s))| {
                r.hold_s.map(|hold_s| Reading {
                    start_s: r.start_s,
                    end_s: r.end_s,
                    hold_s,
                    out_s,
                    back_s,
                    closed: true,
                })
            })
            .chain(closing)
            .chain(live)
    }

    /// Counted reps.
    pub fn reps(&self) -> &[RepRecord] {
        &self.reps
    }

    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// (current set, reps in it).
    pub fn set_progress(&self) -> (u32, u32) {
        self.sets.current()
    }

    /// Finished sets.
    pub fn set_records(&self) -> Vec<SetRecord> {
        self.sets
            .done()
            .iter()
            .map(|d| SetRecord {
                number: d.set,
                start_s: d.start_s,
                end_s: d.end_s,
                reps: d.reps,
            })
            .collect()
    }

    /// Hold progress of the rep under way (exercises with a prescribed hold).
    pub fn hold_state(&self) -> Option<HoldState> {
        (self.hold_min_s > 0.0).then(|| HoldState {
            held_s: self.current.as_ref().map_or(0.0, |c| c.correct_hold_s),
            target_s: self.hold_min_s,
            counting: self.current.is_some()
                && self.counter.plateau_since().is_some()
                && !self.faults.position_spoiled(),
        })
    }

    /// The UI's snapshot, the same shape for every rep-based exercise; what differs
    /// between them is passed in: the per-side target (0 when unsided), the hold (if
    /// any), whether the signal is below its noise, and the landmarks the checks read
    /// (sorted and deduplicated here).
    pub fn exercise_state(
        &self,
        spec: &ExerciseSpec,
        reps_per_side_target: u32,
        hold: Option<HoldState>,
        signal_below_noise: bool,
        check_landmarks: impl IntoIterator<Item = usize>,
    ) -> ExerciseState {
        let (set, reps_in_set) = self.set_progress();
        let mut check_landmarks: Vec<usize> = check_landmarks.into_iter().collect();
        check_landmarks.sort_unstable();
        check_landmarks.dedup();
        ExerciseState {
            counts: self.counts(),
            set,
            reps_in_set,
            reps_target: spec.prescription.reps_per_set,
            reps_per_side_target,
            hold,
            timer: None,
            active_faults: self.faults.active(),
            check_landmarks,
            fault_landmarks: self.faults.active_landmarks(),
            signal_below_noise,
            unseen_since: signal_below_noise
                .then(|| self.counter.blind_since())
                .flatten(),
            signal_noise: self.counter.rest_wander().max(self.counter.noise()),
            signal_seen: self.signal_seen,
            in_rep: self.counter.in_rep(),
            movement: self.counter.excursion(),
            movement_threshold: self.counter.start_threshold(),
        }
    }

    /// Everything observed, for the report, with the exercise's own `notes`.
    pub fn record(&self, notes: Vec<String>) -> ExerciseRecord {
        ExerciseRecord {
            reps: self.reps().to_vec(),
            counts: self.counts(),
            faults: self.faults.spans().to_vec(),
            sets: self.set_records(),
            steps: Vec::new(),
            notes,
            unseen_since: self.unseen_since,
        }
    }

    /// A line for the report when sides were inferred.
    pub fn side_note(&self) -> Option<String> {
        (self.inferred_sides > 0).then(|| {
            format!(
                "sides inferred from alternation for {} of {} reps (the side could not be seen)",
                self.inferred_sides,
                self.reps.len()
            )
        })
    }
}

/// The [`Exercise`](super::Exercise) methods every exercise counted by one [`RepEngine`]
/// (in `self.engine`, its spec in `self.spec`) implements the same way: its spec, a new
/// view, the finish, and the record with the note on sides inferred from alternation.
/// Used inside `impl Exercise for …`.
macro_rules! rep_engine_bookkeeping {
    () => {
        fn spec(&self) -> &$crate::exercises::ExerciseSpec {
            &self.spec
        }

        fn new_view(&mut self, t_s: f64) -> Vec<$crate::exercises::ExerciseEvent> {
            self.engine.new_view(t_s)
        }

        fn finish(&mut self, t_s: f64) -> Vec<$crate::exercises::ExerciseEvent> {
            self.engine.finish(t_s)
        }

        fn record(&self) -> $crate::exercises::ExerciseRecord {
            self.engine
                .record(self.engine.side_note().into_iter().collect())
        }
    };
}
pub(crate) use rep_engine_bookkeeping;

/// Another cue's reading of one rep: its span, the plateau it held and, once it has
/// come back, how long it took out and back (seconds).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reading {
    pub start_s: f64,
    pub end_s: f64,
    pub hold_s: f64,
    pub out_s: Option<f64>,
    pub back_s: Option<f64>,
    /// The reading has come back to rest: its rep is whole.
    pub closed: bool,
}

/// How long another cue's reading overlaps a measured rep, seconds.
fn overlap_s(r: &Reading, m: &RepMeasure) -> f64 {
    (r.end_s.min(m.end_s) - r.start_s.max(m.start_s)).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercises::counter::tests::rep_shape;
    use crate::exercises::spec;

    /// The knees' turn in degrees, counted as the rotation counts it in the background:
    /// a drop left, then one right held 6 s whose reading dips under the end threshold
    /// mid-hold (its rest wanders nearly as far as its start), then one left again.
    fn knees_engine(merging: bool) -> Vec<(Option<Side>, f64, f64)> {
        let mut spec = spec::load("controlled-rotation").expect("built-in spec");
        let counter = spec.counter.as_mut().expect("a counter");
        (counter.start, counter.end) = (8.0, 4.0);
        let rule = SideRule {
            positive: Side::Left,
            min_peak: 8.0,
            first: Side::Left,
        };
        let mut engine = RepEngine::new(&spec, true, Some(rule)).expect("engine");
        if merging {
            engine = engine.merging_abutting();
        }
        engine
            .counter
            .calibrate(&(0..30).map(|i| (i as f64 / 30.0, 0.0)).collect::<Vec<_>>());
        let signal = |t: f64| {
            let dip = 18.0 * (-((t - 9.0) / 0.25).powi(2)).exp();
            rep_shape(t, 2.0, 1.0, 1.0, 40.0) - rep_shape(t, 6.0, 1.0, 6.0, 20.0)
                + dip
                + rep_shape(t, 16.0, 1.0, 1.0, 40.0)
        };
        for i in 30..(22 * 30) {
            let t = i as f64 / 30.0;
            engine.step(t, Some(signal(t)));
        }
        engine.finish(22.0);
        engine
            .reps()
            .iter()
            .map(|r| (r.side, r.start_s, r.end_s))
            .collect()
    }

    /// The pelvic tilt's engine, calibrated on a second of rest at 0.
    fn tilt_engine() -> RepEngine {
        let spec = spec::load("pelvic-tilt").expect("built-in spec");
        let mut engine = RepEngine::new(&spec, false, None).expect("engine");
        engine
            .counter
            .calibrate(&(0..30).map(|i| (i as f64 / 30.0, 0.0)).collect::<Vec<_>>());
        engine
    }

    /// Two tilts held 6 s, 10 s apart, counted on a signal of 2 (units) with the
    /// holds' 10% band ~6.3 s; a second reading reports `elsewhere(t)` every frame.
    fn tilt_holds(elsewhere: impl Fn(f64) -> Vec<(f64, f64, f64)>) -> Vec<f64> {
        let mut engine = tilt_engine();
        for i in 30..(24 * 30) {
            let t = i as f64 / 30.0;
            engine.set_held_elsewhere(elsewhere(t).into_iter().map(|(start_s, end_s, hold_s)| {
                Reading {
                    start_s,
                    end_s,
                    hold_s,
                    out_s: None,
                    back_s: None,
                    closed: false,
                }
            }));
            let x = rep_shape(t, 2.0, 1.0, 6.0, 2.0) + rep_shape(t, 12.0, 1.0, 6.0, 2.0);
            engine.step(t, Some(x));
        }
        engine.finish(24.0);
        engine.reps().iter().filter_map(|r| r.hold_s).collect()
    }

    #[test]
    fn a_reading_that_never_came_back_between_two_tilts_lends_neither_its_hold() {
        let own = tilt_holds(|_| Vec::new());
        assert_eq!(own.len(), 2, "{own:?}");
        // The picture after a bridge: out of rest from the first tilt on, its live hold
        // growing through both (16 s by the second one's end). At the first tilt's end
        // it is one plateau as far as anyone can tell; by the second it is two.
        let spanning = tilt_holds(|t| (t > 2.5).then_some((2.5, t, t - 3.0)).into_iter().collect());
        assert!(spanning[0] < 8.0, "{spanning:?}");
        assert!(
            (spanning[1] - own[1]).abs() < 0.5,
            "own {own:?}, with the spanning reading {spanning:?}"
        );
        // A reading of the second tilt alone that held longer is still taken, but never
        // for longer than the rep.
        let second = tilt_holds(|t| (t > 12.5).then_some((12.5, t, 30.0)).into_iter().collect());
        assert!((second[0] - own[0]).abs() < 1e-9, "{second:?}");
        assert!(
            second[1] > own[1] + 0.5 && second[1] < 9.0,
            "{second:?} against {own:?}"
        );
    }

    /// The trunk line loses a 6 s hold after 2 s and its rep closes; the picture holds on
    /// and comes back at 9.5 s. Counted while the picture was still out, the rep had
    /// only the plateau seen so far (within its own span): a short hold. Once the
    /// picture's reading is whole, its hold and span are the record's and the short hold
    /// goes.
    #[test]
    fn a_hold_the_other_reading_finishes_later_replaces_a_short_one() {
        let run = |picture_closes: bool| {
            let mut engine = tilt_engine();
            for i in 30..(14 * 30) {
                let t = i as f64 / 30.0;
                let reading = (t > 2.2).then(|| Reading {
                    start_s: 2.0,
                    end_s: t.min(9.5),
                    hold_s: (t.min(9.5) - 3.0).clamp(0.0, 6.0),
                    out_s: None,
                    back_s: None,
                    closed: picture_closes && t >= 9.5,
                });
                engine.set_held_elsewhere(reading);
                engine.step(t, Some(rep_shape(t, 2.0, 1.0, 2.0, 2.0)));
            }
            engine.finish(14.0);
            let reps = engine.reps().to_vec();
            assert_eq!(reps.len(), 1, "{reps:?}");
            let spans = engine.record(Vec::new()).faults;
            let short = spans.iter().any(|f| f.code == FaultCode::HoldTooShort);
            (reps[0].clone(), short)
        };
        let (rep, short) = run(false);
        assert!(rep.hold_s.is_some_and(|h| h < 5.0) && short, "{rep:?}");
        assert!(rep.faults.contains(&FaultCode::HoldTooShort) && rep.end_s < 8.0);
        let (rep, short) = run(true);
        assert!(
            rep.hold_s.is_some_and(|h| (h - 6.0).abs() < 1e-9),
            "{rep:?}"
        );
        assert!(
            !rep.faults.contains(&FaultCode::HoldTooShort) && !short,
            "{rep:?}"
        );
        // The span that held it: the picture's, whole.
        assert!(
            rep.start_s <= 2.0 + 1e-9 && rep.end_s >= 9.5 - 1e-9,
            "{rep:?}"
        );
    }

    /// One tilt moved out and back in 0.25 s each and held 6 s, with another cue's
    /// reading of it (if any) from its start on: the faults of the rep counted.
    fn quick_tilt_faults(other: Option<(f64, f64)>) -> Vec<FaultCode> {
        let mut engine = tilt_engine();
        for i in 30..(12 * 30) {
            let t = i as f64 / 30.0;
            let reading = other.filter(|_| t > 2.2).map(|(out_s, back_s)| Reading {
                start_s: 1.9,
                end_s: t.min(8.8),
                hold_s: 6.0,
                out_s: Some(out_s),
                back_s: Some(back_s),
                closed: t >= 8.8,
            });
            engine.set_held_elsewhere(reading);
            engine.step(t, Some(rep_shape(t, 2.0, 0.25, 6.0, 2.0)));
        }
        engine.finish(12.0);
        let reps = engine.reps();
        assert_eq!(reps.len(), 1, "{reps:?}");
        reps[0].faults.clone()
    }

    #[test]
    fn a_quick_phase_is_too_fast_only_if_the_other_reading_found_it_quick_too() {
        let alone = quick_tilt_faults(None);
        assert!(alone.contains(&FaultCode::TooFast), "{alone:?}");
        let both_quick = quick_tilt_faults(Some((0.3, 0.3)));
        assert!(both_quick.contains(&FaultCode::TooFast), "{both_quick:?}");
        // The other cue timed both phases slow: this reading's quick edges were its noise.
        let other_slow = quick_tilt_faults(Some((1.0, 1.0)));
        assert!(!other_slow.contains(&FaultCode::TooFast), "{other_slow:?}");
        // Only the way back slow elsewhere: the way out is still quick by both.
        let out_quick = quick_tilt_faults(Some((0.3, 1.0)));
        assert!(out_quick.contains(&FaultCode::TooFast), "{out_quick:?}");
    }

    #[test]
    fn a_held_drop_that_dips_under_the_end_threshold_is_one_rep_when_merging() {
        let split = knees_engine(false);
        let sides: Vec<_> = split.iter().map(|r| r.0).collect();
        // Unmerged, the dip splits the right drop into two reps, back to back.
        assert_eq!(
            sides,
            [
                Some(Side::Left),
                Some(Side::Right),
                Some(Side::Right),
                Some(Side::Left)
            ],
            "{split:?}"
        );
        assert!((split[2].1 - split[1].2).abs() <= ABUTTING_S, "{split:?}");
        let merged = knees_engine(true);
        let sides: Vec<_> = merged.iter().map(|r| r.0).collect();
        assert_eq!(
            sides,
            [Some(Side::Left), Some(Side::Right), Some(Side::Left)],
            "{merged:?}"
        );
        // The one right drop spans both pieces.
        assert_eq!((merged[1].1, merged[1].2), (split[1].1, split[2].2));
    }
}
