//! Fault spans: debounced on/off tracking of each fault code over time.
//!
//! In flows, per frame and fault code, whether the fault's condition holds (`Some(true)`),
//! does not (`Some(false)`), or cannot be judged because its landmarks are not seen
//! (`None`); out flow `FaultStarted`/`FaultEnded` events and the closed spans for the
//! report. A fault starts once its condition has held for `on_s` (its span is backdated
//! to when the condition first held) and ends once it has been clear for `off_s`, so one
//! jittery frame neither raises nor clears it. A fault whose landmarks go unseen ends at
//! the last moment it was seen; it never starts unseen.

use std::collections::BTreeMap;

use super::{ExerciseEvent, FaultCode, FaultSpan};

#[derive(Clone, Debug, Default)]
struct FaultState {
    /// Since when the condition has held (not yet a fault).
    pending_since: Option<f64>,
    /// Active since (backdated).
    active_since: Option<f64>,
    /// Since when an active fault's condition has been clear or unseen.
    clear_since: Option<f64>,
    landmarks: Vec<usize>,
}

/// Debounced fault tracking for one exercise.
#[derive(Clone, Debug)]
pub struct FaultTracker {
    on_s: f64,
    off_s: f64,
    states: BTreeMap<FaultCode, FaultState>,
    spans: Vec<FaultSpan>,
}

/// How long a condition must hold before it is a fault.
pub const DEFAULT_ON_S: f64 = 0.2;
/// How long it must be clear before the fault ends.
pub const DEFAULT_OFF_S: f64 = 0.5;

impl Default for FaultTracker {
    fn default() -> Self {
        Self::new(DEFAULT_ON_S, DEFAULT_OFF_S)
    }
}

impl FaultTracker {
    /// A tracker with the given debounce times.
    pub fn new(on_s: f64, off_s: f64) -> Self {
        Self {
            on_s,
            off_s,
            states: BTreeMap::new(),
            spans: Vec::new(),
        }
    }

    /// Feeds one frame's verdict on `code`; `landmarks` are those the check reads.
    pub fn observe(
        &mut self,
        t_s: f64,
        code: FaultCode,
        condition: Option<bool>,
        landmarks: &[usize],
    ) -> Vec<ExerciseEvent> {
        let mut events = Vec::new();
        let state = self.states.entry(code).or_default();
        state.landmarks = landmarks.to_vec();
        match (state.active_since, condition) {
            (None, Some(true)) => {
                let since = *state.pending_since.get_or_insert(t_s);
                if t_s - since >= self.on_s {
                    state.active_since = Some(since);
                    state.pending_since = None;
                    state.clear_since = None;
                    events.push(ExerciseEvent::FaultStarted { code, t_s: since });
                }
            }
            (None, _) => state.pending_since = None,
            (Some(_), Some(true)) => state.clear_since = None,
            (Some(since), _) => {
                let clear = *state.clear_since.get_or_insert(t_s);
                if t_s - clear >= self.off_s {
                    state.active_since = None;
                    state.clear_since = None;
                    self.spans.push(FaultSpan {
                        code,
                        start_s: since,
                        end_s: clear,
                    });
                    events.push(ExerciseEvent::FaultEnded { code, t_s: clear });
                }
            }
        }
        events
    }

    /// Records a fault judged after the fact over a known span (e.g. `hold-too-short`
    /// at the end of a rep): it starts and ends at once.
    pub fn record(&mut self, code: FaultCode, start_s: f64, end_s: f64) -> Vec<ExerciseEvent> {
        self.spans.push(FaultSpan {
            code,
            start_s,
            end_s,
        });
        vec![
            ExerciseEvent::FaultStarted { code, t_s: start_s },
            ExerciseEvent::FaultEnded { code, t_s: end_s },
        ]
    }

    /// Withdraws the after-the-fact `code` spans within `[start_s, end_s]`: a later,
    /// fuller measure showed the fault was not there.
    pub fn withdraw(&mut self, code: FaultCode, start_s: f64, end_s: f64) {
        self.spans
            .retain(|s| !(s.code == code && s.start_s >= start_s && s.end_s <= end_s));
    }

    /// Starts a fault now without debounce (a limit crossed, e.g. `over-time`).
    pub fn force_start(
        &mut self,
        code: FaultCode,
        t_s: f64,
        landmarks: &[usize],
    ) -> Vec<ExerciseEvent> {
        let state = self.states.entry(code).or_default();
        state.landmarks = landmarks.to_vec();
        if state.active_since.is_some() {
            return Vec::new();
        }
        state.active_since = Some(t_s);
        state.pending_since = None;
        state.clear_since = None;
        vec![ExerciseEvent::FaultStarted { code, t_s }]
    }

    /// Ends every active fault at `t_s` (end of the exercise).
    pub fn close_all(&mut self, t_s: f64) -> Vec<ExerciseEvent> {
        let mut events = Vec::new();
        for (&code, state) in &mut self.states {
            if let Some(since) = state.active_since.take() {
                let end = state.clear_since.take().unwrap_or(t_s).max(since);
                self.spans.push(FaultSpan {
                    code,
                    start_s: since,
                    end_s: end,
                });
                events.push(ExerciseEvent::FaultEnded { code, t_s: end });
            }
            state.pending_since = None;
        }
        events
    }

    /// Whether `code` is active now.
    pub fn is_active(&self, code: FaultCode) -> bool {
        self.states
            .get(&code)
            .is_some_and(|s| s.active_since.is_some())
    }

    /// Active fault codes.
    pub fn active(&self) -> Vec<FaultCode> {
        self.states
            .iter()
            .filter(|(_, s)| s.active_since.is_some())
            .map(|(&c, _)| c)
            .collect()
    }

    /// Landmarks of the active faults.
    pub fn active_landmarks(&self) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .states
            .values()
            .filter(|s| s.active_since.is_some())
            .flat_map(|s| s.landmarks.iter().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether any fault that spoils the position is active.
    pub fn position_spoiled(&self) -> bool {
        self.active().into_iter().any(FaultCode::spoils_position)
    }

    /// Codes whose spans (closed, or still active) overlap `[start_s, end_s]`.
    pub fn codes_between(&self, start_s: f64, end_s: f64) -> Vec<FaultCode> {
        let mut out: Vec<FaultCode> = self
            .spans
            .iter()
            .filter(|s| s.start_s <= end_s && s.end_s >= start_s)
            .map(|s| s.code)
            .chain(
                self.states
                    .iter()
                    .filter(|(_, s)| s.active_since.is_some_and(|a| a <= end_s))
                    .map(|(&c, _)| c),
            )
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Closed spans so far, in the order they closed.
    pub fn spans(&self) -> &[FaultSpan] {
        &self.spans
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(
        tracker: &mut FaultTracker,
        from: f64,
        to: f64,
        cond: Option<bool>,
    ) -> Vec<ExerciseEvent> {
        let mut events = Vec::new();
        let mut t = from;
        while t < to - 1e-9 {
            events.extend(tracker.observe(t, FaultCode::Crunch, cond, &[11]));
            t += 1.0 / 30.0;
        }
        events
    }

    #[test]
    fn a_single_frame_raises_nothing_and_a_held_condition_is_backdated() {
        let mut f = FaultTracker::default();
        assert!(feed(&mut f, 0.0, 0.04, Some(true)).is_empty());
        feed(&mut f, 0.04, 1.0, Some(false));
        assert!(!f.is_active(FaultCode::Crunch));
        let events = feed(&mut f, 1.0, 2.0, Some(true));
        assert!(
            matches!(events.first(), Some(ExerciseEvent::FaultStarted { t_s, .. }) if (*t_s - 1.0).abs() < 1e-6)
        );
        assert_eq!(f.active_landmarks(), vec![11]);
    }

    #[test]
    fn ends_after_being_clear_and_spans_are_recorded() {
        let mut f = FaultTracker::default();
        feed(&mut f, 0.0, 2.0, Some(true));
        feed(&mut f, 2.0, 2.2, Some(false));
        assert!(f.is_active(FaultCode::Crunch), "a short clear keeps it");
        feed(&mut f, 2.2, 3.0, Some(false));
        assert!(!f.is_active(FaultCode::Crunch));
        let span = &f.spans()[0];
        assert!((span.start_s - 0.0).abs() < 1e-6 && (span.end_s - 2.0).abs() < 0.05);
        assert_eq!(f.codes_between(1.0, 1.5), vec![FaultCode::Crunch]);
        assert!(f.codes_between(3.0, 4.0).is_empty());
    }

    #[test]
    fn unseen_never_starts_and_ends_an_active_fault() {
        let mut f = FaultTracker::default();
        feed(&mut f, 0.0, 1.0, None);
        assert!(!f.is_active(FaultCode::Crunch));
        feed(&mut f, 1.0, 2.0, Some(true));
        feed(&mut f, 2.0, 3.0, None);
        assert!(!f.is_active(FaultCode::Crunch));
    }

    #[test]
    fn close_all_ends_active_faults_at_the_end() {
        let mut f = FaultTracker::default();
        feed(&mut f, 0.0, 1.0, Some(true));
        let events = f.close_all(5.0);
        assert_eq!(events.len(), 1);
        assert_eq!(f.spans()[0].end_s, 5.0);
    }
}
