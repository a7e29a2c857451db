//! What the coach says aloud: the lines for someone lying on the floor 2 m from the
//! laptop, who cannot read the screen.
//!
//! In flow each successive [`RoutineView`] the UI receives, with the monotonic time it
//! arrived (`now_s`); out flow the [`Utterance`]s to say now, in order. Pure: no threads,
//! no I/O, no clock of its own — [`crate::pipeline::speaker`] says them.
//!
//! Only changes are spoken, never a state: a stage, a prompt or a count that is the same
//! as in the previous view says nothing, and a new exercise's counters starting at zero
//! are taken as its baseline, not read out. What is said:
//! - the exercise's name when it comes up, "Set one." when it starts (and "Set two." when
//!   a rest ends), "Set one done. Rest thirty seconds." when a rest begins, "<name>
//!   done." when it is completed, and the end of the session;
//! - each rep counted, as a word (the number on the screen: see [`SpeechPlanner::count`]);
//! - a hold: "hold" as it starts, "three", "two", "one" as the last seconds go, "relax"
//!   when it is complete;
//! - the prompt the coach puts on screen (safety, form, camera), when a new one appears;
//! - traction's minute: when the clock starts and when it is up;
//! - "it hurts — stop": the same advice the stopped screen shows;
//! - the exercise waiting for the camera or the person, once per wait.
//!
//! The same prompt-like line (safety, prompt, camera) is never said twice within
//! [`REPEAT_S`]: the prompter's own rule, kept here too because the routine re-shows a
//! prompt the coach issued once (the time-up line while the camera is out) and the coach
//! may re-issue a prompt the person just heard. Counts and countdowns are exempt, since
//! "two" in one hold and "two" in the next are different news, and so are announcements,
//! which only a change of stage makes.

use std::collections::HashMap;
use std::mem::discriminant;

use serde::Serialize;

use super::routine::{EndReason, ExerciseState, PromptKind, RoutineView, Stage, Waiting};

/// The same line is not said again within this long (seconds).
pub const REPEAT_S: f64 = 8.0;

/// What an utterance is for: decides whether it may be dropped or interrupt another
/// (see [`crate::pipeline::speaker`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UtteranceKind {
    /// "It hurts — stop", time up: never dropped, interrupts anything else.
    Safety,
    /// A form prompt or information from the coach.
    Prompt,
    /// The camera or the person's place in the picture.
    Camera,
    /// A rep count.
    Count,
    /// A hold's "hold", "three", "two", "one", "relax".
    Countdown,
    /// Exercise, set and rest announcements.
    Announcement,
}

/// One line to say.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Utterance {
    pub text: String,
    pub kind: UtteranceKind,
    /// When it was planned (the planner's `now_s`).
    pub at_s: f64,
}

/// What the stopped screen says after "it hurts — stop" (`ui::session_view`'s heading,
/// its first line and the first two of `PROFESSIONAL_ADVICE`), in words that can be
/// said: the person pressed Esc from the floor and may not look up.
pub const STOPPED_HURTS_WORDS: &str = "Stopped. That's the right call. Lie or sit comfortably \
and breathe slowly. Don't push through pain. See a physiotherapist or doctor if the pain is \
sharp, spreads down your leg, comes with numbness or tingling, or if the spasms don't ease.";

/// Said when traction's clock runs out and the exercise has no time-up prompt of its own.
const TIME_UP_FALLBACK: &str = "That's the time. Lift your hips, take the block away and rest.";

/// A hold's last seconds, counted down aloud.
const COUNTDOWN_FROM: [u32; 3] = [3, 2, 1];

/// What the planner remembers of the previous view: only what a change is read from.
#[derive(Clone, Debug)]
struct Seen {
    /// Position in the plan and exercise id: a new key is a new exercise (or routine).
    key: Option<(usize, String)>,
    per_side: bool,
    stage: Stage,
    state: Option<ExerciseState>,
    waiting: Option<Waiting>,
    completed_len: usize,
}

/// Turns the stream of routine views into the lines to say.
#[derive(Debug, Default)]
pub struct SpeechPlanner {
    previous: Option<Seen>,
    /// When each debounced line was last said.
    said_at: HashMap<String, f64>,
    /// The view's time, while it is planned.
    now_s: f64,
}

impl SpeechPlanner {
    pub fn new() -> Self {
        Self::default()
    }

    /// The lines to say for `view`, which arrived at `now_s` (monotonic seconds), in the
    /// order to say them.
    pub fn plan(&mut self, view: &RoutineView, now_s: f64) -> Vec<Utterance> {
        self.now_s = now_s;
        self.said_at.retain(|_, at| now_s - *at < REPEAT_S);
        let key = view
            .exercise
            .as_ref()
            .map(|info| (view.position, info.id.clone()));
        let per_side = view
            .exercise
            .as_ref()
            .is_some_and(|info| info.prescription.per_side);
        let previous = self.previous.replace(Seen {
            key: key.clone(),
            per_side,
            stage: view.stage.clone(),
            state: view.state.clone(),
            waiting: view.waiting,
            completed_len: view.completed.len(),
        });
        let mut out = Vec::new();

        let new_exercise = previous.as_ref().is_none_or(|p| p.key != key);
        let stage_changed = new_exercise
            || previous
                .as_ref()
                .is_none_or(|p| discriminant(&p.stage) != discriminant(&view.stage));
        // Counters of the same exercise, before and now; `None` for a new one, whose
        // counters start from zero (or from what the previous coach left) and say nothing.
        let counters = match (previous.as_ref(), view.state.as_ref()) {
            (Some(prev), Some(state)) if !new_exercise => {
                prev.state.as_ref().map(|before| (before, state))
            }
            _ => None,
        };

        if new_exercise && let Some(prev) = &previous {
            self.exercise_done_lines(&mut out, prev, view);
        }
        if stage_changed && view.stage == Stage::StoppedHurts {
            self.push(&mut out, UtteranceKind::Safety, STOPPED_HURTS_WORDS);
        }
        if let Some((before, state)) = counters {
            self.hold_lines(&mut out, before, state);
            if state.reps_total > before.reps_total {
                let set_closed = state.sets_completed > before.sets_completed;
                if let Some(n) =
                    rep_number(before, Some(state), state.reps_total, per_side, set_closed)
                {
                    self.push(&mut out, UtteranceKind::Count, &count_text(n));
                }
            }
        }
        if stage_changed {
            self.stage_lines(&mut out, view, new_exercise, previous.is_some());
        }
        if let Some(waiting) = view.waiting
            && previous.as_ref().is_none_or(|p| p.waiting != Some(waiting))
        {
            self.push(
                &mut out,
                UtteranceKind::Camera,
                &waiting_text(waiting, view),
            );
        }
        if let Some(state) = &view.state {
            let before = counters.map(|(before, _)| before);
            self.prompt_lines(&mut out, before, state);
            self.traction_lines(&mut out, view, before, state);
        }
        out
    }

    /// Adds a line; a prompt-like one (safety, prompt, camera) only if the same text was
    /// not said within [`REPEAT_S`]. Counts and countdowns are always said, and so are
    /// announcements: they come only from a change of stage, so they never repeat by
    /// themselves, and "Set one." of the next exercise is news however soon it comes.
    fn push(&mut self, out: &mut Vec<Utterance>, kind: UtteranceKind, text: &str) {
        if matches!(
            kind,
            UtteranceKind::Safety | UtteranceKind::Prompt | UtteranceKind::Camera
        ) {
            if self
                .said_at
                .get(text)
                .is_some_and(|at| self.now_s - at < REPEAT_S)
            {
                return;
            }
            self.said_at.insert(text.to_string(), self.now_s);
        }
        out.push(Utterance {
            text: text.to_string(),
            kind,
            at_s: self.now_s,
        });
    }

    /// The exercise before this view was completed: its last rep (which closed its last
    /// set, so the routine moved on in the same frame and no view showed it) and its end.
    fn exercise_done_lines(&mut self, out: &mut Vec<Utterance>, prev: &Seen, view: &RoutineView) {
        if view.completed.len() <= prev.completed_len {
            return;
        }
        let Some(done) = view.completed.last() else {
            return;
        };
        if done.end != EndReason::Completed {
            return;
        }
        if let Some(before) = &prev.state
            && done.reps_total > before.reps_total
            && let Some(n) = rep_number(before, None, done.reps_total, prev.per_side, true)
        {
            self.push(out, UtteranceKind::Count, &count_text(n));
        }
        self.push(
            out,
            UtteranceKind::Announcement,
            &format!("{} done.", done.name),
        );
    }

    /// "hold" as a hold starts, "three", "two", "one" as its last seconds go, "relax" when
    /// it is complete.
    fn hold_lines(
        &mut self,
        out: &mut Vec<Utterance>,
        before: &ExerciseState,
        state: &ExerciseState,
    ) {
        if state.holds_completed > before.holds_completed {
            self.push(out, UtteranceKind::Countdown, "relax");
            return;
        }
        let Some(hold) = state
            .hold
            .as_ref()
            .filter(|h| h.counting && h.held_s < h.target_s)
        else {
            return;
        };
        let was = before.hold.as_ref();
        // Starts: counting from nothing, or a new rep's hold (its seconds start over). A
        // hold that resumes after the position slipped keeps its seconds and is not news.
        let starts =
            was.is_none_or(|w| (!w.counting && w.held_s <= 1e-9) || hold.held_s + 1e-9 < w.held_s);
        if starts {
            if hold.held_s < 1.0 {
                self.push(out, UtteranceKind::Countdown, "hold");
            }
            return;
        }
        let Some(was) = was.filter(|w| w.counting) else {
            return;
        };
        let left_before = was.target_s - was.held_s;
        let left_now = hold.target_s - hold.held_s;
        // Frames come at 10–30 a second; should several marks pass between two views,
        // only the latest is still true.
        if let Some(mark) = COUNTDOWN_FROM
            .iter()
            .rev()
            .find(|&&mark| left_before > f64::from(mark) && left_now <= f64::from(mark))
        {
            self.push(out, UtteranceKind::Countdown, &number_words(*mark));
        }
    }

    fn stage_lines(
        &mut self,
        out: &mut Vec<Utterance>,
        view: &RoutineView,
        new_exercise: bool,
        had_previous: bool,
    ) {
        let info = view.exercise.as_ref();
        if new_exercise
            && let Some(info) = info
            && matches!(view.stage, Stage::Preparing { .. } | Stage::Active)
        {
            self.push(out, UtteranceKind::Announcement, &format!("{}.", info.name));
        }
        match &view.stage {
            Stage::Active => {
                let timed = info.is_some_and(|info| info.prescription.time_limit_s.is_some());
                let text = if timed {
                    // What the screen says under the minute (session_view's progress).
                    "Go ahead. The clock starts when you are settled on the block.".to_string()
                } else {
                    format!("Set {}.", number_words(view.current_set))
                };
                self.push(out, UtteranceKind::Announcement, &text);
            }
            Stage::Resting {
                remaining_s,
                next_set,
            } => {
                let text = format!(
                    "Set {} done. Rest {} seconds.",
                    number_words(next_set.saturating_sub(1)),
                    number_words(remaining_s.round().max(0.0) as u32)
                );
                self.push(out, UtteranceKind::Announcement, &text);
            }
            Stage::Finished if had_previous => {
                self.push(
                    out,
                    UtteranceKind::Announcement,
                    "That's the end of the session. Well done.",
                );
            }
            Stage::Preparing { .. } | Stage::StoppedHurts | Stage::Finished => {}
        }
    }

    /// The coach's prompt, when a new one is on screen: another text, or the same text
    /// issued again (its count of prompts given rose).
    fn prompt_lines(
        &mut self,
        out: &mut Vec<Utterance>,
        before: Option<&ExerciseState>,
        state: &ExerciseState,
    ) {
        let Some(prompt) = &state.prompt else {
            return;
        };
        let is_new = before.is_none_or(|b| {
            b.prompt.as_ref().is_none_or(|old| old.text != prompt.text)
                || state.prompts_given > b.prompts_given
        });
        if !is_new {
            return;
        }
        let kind = match prompt.kind {
            PromptKind::Safety => UtteranceKind::Safety,
            PromptKind::Camera => UtteranceKind::Camera,
            PromptKind::Form | PromptKind::Info => UtteranceKind::Prompt,
        };
        self.push(out, kind, &prompt.text);
    }

    /// Traction's minute: when its clock starts, and when it is up.
    fn traction_lines(
        &mut self,
        out: &mut Vec<Utterance>,
        view: &RoutineView,
        before: Option<&ExerciseState>,
        state: &ExerciseState,
    ) {
        let (Some(clock), Some(was)) = (
            state.traction.as_ref(),
            before.and_then(|b| b.traction.as_ref()),
        ) else {
            return;
        };
        if clock.running && !was.running && clock.elapsed_s < 1.0 {
            self.push(
                out,
                UtteranceKind::Announcement,
                "You're settled. The minute starts now.",
            );
        }
        if was.elapsed_s < clock.limit_s && clock.elapsed_s >= clock.limit_s {
            // Usually also the coach's own over-time prompt, just said above: the
            // debounce keeps it to once, and this says it should the prompt not show.
            let text = view
                .exercise
                .as_ref()
                .and_then(|info| info.time_up_prompt.clone())
                .unwrap_or_else(|| TIME_UP_FALLBACK.to_string());
            self.push(out, UtteranceKind::Safety, &text);
        }
    }
}

/// The number to say for a rep that took the count from `before` to `total`: the number
/// the screen shows for it. Unsided exercises show the reps in the set; sided ones show
/// each side's count ("Left 3 of 5"), so the side's new count is said, not the set's
/// total, which would make the person hear "six" while the screen says 3 and 3.
///
/// The rep that completes a set closes it in the same frame, and the view then shows
/// the next set's zeros: that rep is worked out from the counts before it. For a sided
/// set, alternation (the rule the coach itself uses for a side it did not see) puts it
/// on the side with fewer reps, which makes that side's count ⌈(left + right + new) / 2⌉.
fn rep_number(
    before: &ExerciseState,
    now: Option<&ExerciseState>,
    total: u32,
    per_side: bool,
    set_closed: bool,
) -> Option<u32> {
    let added = total.saturating_sub(before.reps_total);
    // A set closed by a pause, then this rep opened the next: the view shows it.
    let shown_in_new_set =
        now.filter(|now| now.reps_in_set > 0 || now.reps_left + now.reps_right > 0);
    let n = match (per_side, set_closed, now) {
        (false, false, Some(now)) => now.reps_in_set,
        (true, false, Some(now)) => {
            let left_rose = now.reps_left > before.reps_left;
            let right_rose = now.reps_right > before.reps_right;
            match (left_rose, right_rose) {
                (true, false) => now.reps_left,
                (false, true) => now.reps_right,
                _ => now.reps_left.max(now.reps_right),
            }
        }
        (false, true, _) => match shown_in_new_set {
            Some(now) => now.reps_in_set,
            None => before.reps_in_set + added,
        },
        (true, true, _) => match shown_in_new_set {
            Some(now) => now.reps_left.max(now.reps_right),
            None => (before.reps_left + before.reps_right + added).div_ceil(2),
        },
        (_, false, None) => before.reps_in_set + added,
    };
    (n > 0).then_some(n)
}

fn waiting_text(waiting: Waiting, view: &RoutineView) -> String {
    match waiting {
        Waiting::Camera => {
            let timed = view
                .state
                .as_ref()
                .and_then(|s| s.traction.as_ref())
                .is_some_and(|clock| clock.running);
            // The banner's words (session_view), less the "reconnecting…" that means
            // nothing when heard.
            if timed {
                "The camera stopped. Your minute on the block keeps running.".to_string()
            } else {
                "The camera stopped. I'll carry on when it's back.".to_string()
            }
        }
        Waiting::PersonAway => "Paused. I'll carry on when I can see you again.".to_string(),
    }
}

/// A rep count as said: words up to twenty (short, and a synthesiser never reads them
/// as dates or codes), then digits, which every voice reads as numbers.
pub fn count_text(n: u32) -> String {
    if n <= 20 {
        number_words(n)
    } else {
        n.to_string()
    }
}

/// `n` in words up to 99 ("thirty", "forty-five"), digits beyond.
pub fn number_words(n: u32) -> String {
    const UNITS: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    match n {
        0..=19 => UNITS[n as usize].to_string(),
        20..=99 if n.is_multiple_of(10) => TENS[(n / 10) as usize].to_string(),
        20..=99 => format!("{}-{}", TENS[(n / 10) as usize], UNITS[(n % 10) as usize]),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    use crate::coach::routine::tests::info;
    use crate::coach::routine::{
        ACUTE_ROUTINE, CoachFactory, ExerciseCoach, ExerciseInfo, HoldProgress, PlanEntry, Prompt,
        Routine, RoutineCommand, RoutineConfig, RoutineError, TractionClock,
    };
    use crate::pose::Pose;

    /// Each exercise's coach state, set by the test; a new exercise's starts at zero, as
    /// a real coach's does.
    #[derive(Clone, Default)]
    struct States(Arc<Mutex<std::collections::HashMap<String, ExerciseState>>>);

    struct Scripted {
        id: String,
        states: States,
    }

    impl ExerciseCoach for Scripted {
        fn update(&mut self, _t_s: f64, _pose: Option<&Pose>) {}
        fn state(&self) -> ExerciseState {
            let states = self.states.0.lock().unwrap();
            states.get(&self.id).cloned().unwrap_or_default()
        }
        fn stop_hurts(&mut self, _t_s: f64) {}
        fn finish(&mut self, _t_s: f64) -> serde_json::Value {
            serde_json::Value::Null
        }
    }

    struct Factory(States);

    impl CoachFactory for Factory {
        fn info(&self, entry: &PlanEntry) -> Option<ExerciseInfo> {
            ACUTE_ROUTINE
                .contains(&entry.id.as_str())
                .then(|| info(&entry.id))
        }
        fn coach(&self, entry: &PlanEntry) -> Result<Box<dyn ExerciseCoach>, RoutineError> {
            Ok(Box::new(Scripted {
                id: entry.id.clone(),
                states: self.0.clone(),
            }))
        }
    }

    /// The real routine over scripted coaches, with the planner fed every view as the
    /// app would.
    struct Session {
        routine: Routine,
        states: States,
        planner: SpeechPlanner,
        t: f64,
        heard: Vec<(f64, UtteranceKind, String)>,
    }

    impl Session {
        fn new(config: RoutineConfig) -> Self {
            let states = States::default();
            let routine = Routine::acute(Box::new(Factory(states.clone())), config).unwrap();
            let mut session = Self {
                routine,
                states,
                planner: SpeechPlanner::new(),
                t: 0.0,
                heard: Vec::new(),
            };
            session.listen();
            session
        }

        fn listen(&mut self) {
            let view = self.routine.view();
            for u in self.planner.plan(&view, self.t) {
                assert_eq!(u.at_s, self.t);
                self.heard.push((u.at_s, u.kind, u.text));
            }
        }

        /// Changes the coach's state (seen from the next frame on).
        fn set(&mut self, f: impl FnOnce(&mut ExerciseState)) {
            let id = self.routine.view().exercise.unwrap().id;
            f(self.states.0.lock().unwrap().entry(id).or_default());
        }

        /// Frames at 10/s for `seconds`, each view planned as it comes.
        fn run(&mut self, seconds: f64) {
            let end = self.t + seconds;
            while self.t < end - 1e-9 {
                self.t += 0.1;
                self.routine.update(self.t, None);
                self.listen();
            }
        }

        /// One frame with the coach's state changed.
        fn frame(&mut self, f: impl FnOnce(&mut ExerciseState)) {
            self.set(f);
            self.run(0.1);
        }

        fn command(&mut self, command: RoutineCommand) {
            self.routine.command(command, self.t);
            self.listen();
        }

        /// What was said since the last call, as text.
        fn said(&mut self) -> Vec<String> {
            std::mem::take(&mut self.heard)
                .into_iter()
                .map(|(_, _, text)| text)
                .collect()
        }

        fn said_with_kinds(&mut self) -> Vec<(UtteranceKind, String)> {
            std::mem::take(&mut self.heard)
                .into_iter()
                .map(|(_, kind, text)| (kind, text))
                .collect()
        }
    }

    fn hold(held_s: f64, counting: bool) -> Option<HoldProgress> {
        Some(HoldProgress {
            held_s,
            target_s: 5.0,
            counting,
        })
    }

    fn prompt(kind: PromptKind, text: &str) -> Option<Prompt> {
        Some(Prompt {
            text: text.to_string(),
            kind,
        })
    }

    #[test]
    fn a_scripted_session_says_counts_a_hold_prompts_the_camera_and_it_hurts_in_order() {
        let mut s = Session::new(RoutineConfig::default());
        assert_eq!(s.said(), ["Name of pelvic-tilt."]);

        // Setting up: nothing to say until the readiness check starts the exercise.
        s.run(2.0);
        assert!(s.said().is_empty());
        s.set(|st| st.ready = true);
        s.run(1.5);
        assert_eq!(s.said(), ["Set one."]);

        // Two reps.
        s.frame(|st| {
            st.reps_total = 1;
            st.reps_in_set = 1;
        });
        s.run(1.0);
        s.frame(|st| {
            st.reps_total = 2;
            st.reps_in_set = 2;
        });
        assert_eq!(s.said(), ["one", "two"]);

        // A 5 s hold, seen every 0.1 s: "hold", the last three seconds, "relax".
        s.frame(|st| st.hold = hold(0.0, true));
        let mut held = 0.0;
        while held < 5.0 {
            held += 0.1;
            s.frame(|st| st.hold = hold(held, true));
        }
        s.frame(|st| {
            st.holds_completed = 1;
            st.hold = hold(5.1, true);
        });
        assert_eq!(
            s.said_with_kinds(),
            [
                (UtteranceKind::Countdown, "hold".to_string()),
                (UtteranceKind::Countdown, "three".to_string()),
                (UtteranceKind::Countdown, "two".to_string()),
                (UtteranceKind::Countdown, "one".to_string()),
                (UtteranceKind::Countdown, "relax".to_string()),
            ]
        );
        // Back down: the rep is counted; the hold that ended says nothing more.
        s.frame(|st| {
            st.hold = hold(0.0, false);
            st.reps_total = 3;
            st.reps_in_set = 3;
        });
        assert_eq!(s.said(), ["three"]);

        // A form fault's prompt, then the camera's.
        s.frame(|st| {
            st.prompt = prompt(PromptKind::Form, "Let the movement come from your pelvis");
            st.prompts_given = 1;
        });
        s.run(4.0);
        s.frame(|st| {
            st.prompt = prompt(
                PromptKind::Camera,
                "Move the camera so I can see your knees",
            );
            st.prompts_given = 2;
        });
        assert_eq!(
            s.said_with_kinds(),
            [
                (
                    UtteranceKind::Prompt,
                    "Let the movement come from your pelvis".to_string()
                ),
                (
                    UtteranceKind::Camera,
                    "Move the camera so I can see your knees".to_string()
                ),
            ]
        );

        // The camera goes out: said once however long it lasts.
        for _ in 0..30 {
            s.t += 0.1;
            s.routine.no_frames(s.t);
            s.listen();
        }
        assert_eq!(
            s.said(),
            ["The camera stopped. I'll carry on when it's back."]
        );
        s.run(1.0);

        // It hurts: the stopped screen's advice, as a safety line; nothing else.
        s.command(RoutineCommand::StopHurts);
        s.run(3.0);
        assert_eq!(
            s.said_with_kinds(),
            [(UtteranceKind::Safety, STOPPED_HURTS_WORDS.to_string())]
        );
    }

    #[test]
    fn the_spoken_stop_advice_is_what_the_stopped_screen_shows() {
        let advice = crate::ui::session_view::PROFESSIONAL_ADVICE;
        assert!(STOPPED_HURTS_WORDS.contains(
            "See a physiotherapist or doctor if the pain is sharp, spreads down your leg, \
             comes with numbness or tingling, or if the spasms don't ease."
        ));
        assert!(advice[1].starts_with("See a physiotherapist or doctor if the pain is sharp"));
        assert!(advice[1].contains("numbness or tingling"));
    }

    #[test]
    fn the_same_prompt_is_not_said_again_within_8_s_but_is_after() {
        let mut s = Session::new(RoutineConfig {
            skip_readiness: true,
            ..RoutineConfig::default()
        });
        s.said();
        let text = "Keep your hips on the floor";
        let show = |s: &mut Session, given: u32| {
            s.frame(|st| {
                st.prompt = prompt(PromptKind::Form, text);
                st.prompts_given = given;
            });
            let at = s.t;
            s.run(1.0);
            s.frame(|st| st.prompt = None);
            at
        };
        let first = show(&mut s, 1);
        s.run(4.0);
        // Issued again by the coach 5 s later: on screen, not said.
        show(&mut s, 2);
        s.run(2.0);
        // 9 s after the first time: said again.
        let third = show(&mut s, 3);
        let heard: Vec<(f64, String)> = std::mem::take(&mut s.heard)
            .into_iter()
            .map(|(at, _, text)| (at, text))
            .collect();
        assert_eq!(heard.len(), 2, "{heard:?}");
        assert!((heard[0].0 - first).abs() < 1e-9 && heard[0].1 == text);
        assert!((heard[1].0 - third).abs() < 1e-9 && heard[1].1 == text);
        assert!(third - first >= REPEAT_S);
    }

    #[test]
    fn a_set_ends_with_its_count_then_the_rest_and_the_next_set_is_announced() {
        let mut s = Session::new(RoutineConfig {
            skip_readiness: true,
            ..RoutineConfig::default()
        });
        assert_eq!(s.said(), ["Name of pelvic-tilt.", "Set one."]);
        s.frame(|st| {
            st.reps_total = 9;
            st.reps_in_set = 9;
        });
        s.said();
        // The tenth rep closes the set in the same frame: the view shows the next set's 0.
        s.frame(|st| {
            st.reps_total = 10;
            st.reps_in_set = 0;
            st.sets_completed = 1;
        });
        assert_eq!(s.said(), ["ten", "Set one done. Rest thirty seconds."]);
        s.run(29.0);
        assert!(s.said().is_empty(), "the rest is quiet");
        s.run(2.0);
        assert_eq!(s.said(), ["Set two."]);
    }

    #[test]
    fn the_last_rep_of_an_exercise_is_counted_and_the_next_exercise_starts_from_silence() {
        let mut s = Session::new(RoutineConfig {
            skip_readiness: true,
            ..RoutineConfig::default()
        });
        s.frame(|st| {
            st.sets_completed = 1;
            st.reps_total = 10;
        });
        s.command(RoutineCommand::Next); // skip the rest
        s.frame(|st| {
            st.reps_total = 19;
            st.reps_in_set = 9;
        });
        s.said();
        // The twentieth rep closes the last set: the routine moves on in that frame, and
        // the view shows the next exercise's counters, all zero.
        s.frame(|st| {
            st.reps_total = 20;
            st.reps_in_set = 0;
            st.sets_completed = 2;
        });
        assert_eq!(
            s.said(),
            [
                "ten",
                "Name of pelvic-tilt done.",
                "Name of controlled-rotation.",
                "Set one."
            ]
        );
        s.run(2.0);
        assert!(s.said().is_empty(), "old counters are not news");
    }

    #[test]
    fn sided_reps_say_the_sides_count_as_the_screen_shows_it() {
        let before = ExerciseState {
            reps_left: 2,
            reps_right: 1,
            reps_in_set: 3,
            reps_total: 3,
            ..ExerciseState::default()
        };
        let now = ExerciseState {
            reps_right: 2,
            reps_in_set: 4,
            reps_total: 4,
            ..before.clone()
        };
        assert_eq!(rep_number(&before, Some(&now), 4, true, false), Some(2));
        assert_eq!(rep_number(&before, Some(&now), 4, false, false), Some(4));
        // The fifth right rep closes a 5-a-side set: both sides show 0 again.
        let before = ExerciseState {
            reps_left: 5,
            reps_right: 4,
            reps_in_set: 9,
            reps_total: 9,
            ..ExerciseState::default()
        };
        let closed = ExerciseState {
            reps_total: 10,
            sets_completed: 1,
            ..ExerciseState::default()
        };
        assert_eq!(rep_number(&before, Some(&closed), 10, true, true), Some(5));
        assert_eq!(
            rep_number(&before, Some(&closed), 10, false, true),
            Some(10)
        );
    }

    #[test]
    fn traction_says_when_the_minute_starts_and_its_end_once() {
        let mut s = Session::new(RoutineConfig {
            skip_readiness: true,
            ..RoutineConfig::default()
        });
        for _ in 0..3 {
            s.command(RoutineCommand::Next);
        }
        assert_eq!(
            s.said().last().map(String::as_str),
            Some("Go ahead. The clock starts when you are settled on the block.")
        );
        let clock = |elapsed_s: f64, running: bool| {
            Some(TractionClock {
                elapsed_s,
                limit_s: 60.0,
                running,
            })
        };
        s.frame(|st| st.traction = clock(0.0, false));
        s.frame(|st| st.traction = clock(0.1, true));
        assert_eq!(s.said(), ["You're settled. The minute starts now."]);
        s.frame(|st| st.traction = clock(59.9, true));
        // The minute is up: the coach's safety prompt and the clock say the same thing.
        s.frame(|st| {
            st.traction = clock(60.0, true);
            st.prompt = prompt(PromptKind::Safety, "Time is up");
            st.prompts_given += 1;
        });
        s.frame(|st| st.traction = clock(60.5, true));
        assert_eq!(
            s.said_with_kinds(),
            [(UtteranceKind::Safety, "Time is up".to_string())]
        );
    }

    #[test]
    fn a_person_who_leaves_is_told_once_per_wait() {
        let mut s = Session::new(RoutineConfig {
            skip_readiness: true,
            ..RoutineConfig::default()
        });
        s.said();
        s.run(1.0);
        s.set(|st| st.away = true);
        s.run(3.0);
        assert_eq!(
            s.said_with_kinds(),
            [(
                UtteranceKind::Camera,
                "Paused. I'll carry on when I can see you again.".to_string()
            )]
        );
    }

    #[test]
    fn the_end_of_the_routine_is_said() {
        let mut s = Session::new(RoutineConfig {
            skip_readiness: true,
            ..RoutineConfig::default()
        });
        s.command(RoutineCommand::EndSession);
        assert_eq!(
            s.said().last().map(String::as_str),
            Some("That's the end of the session. Well done.")
        );
    }

    #[test]
    fn numbers_read_as_words() {
        assert_eq!(count_text(1), "one");
        assert_eq!(count_text(13), "thirteen");
        assert_eq!(count_text(20), "twenty");
        assert_eq!(count_text(21), "21");
        assert_eq!(number_words(30), "thirty");
        assert_eq!(number_words(45), "forty-five");
        assert_eq!(number_words(120), "120");
    }
}
