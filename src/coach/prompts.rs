//! One prompt at a time: priority, debounce and display time.
//!
//! In flow candidate prompts offered during a frame (safety, form or camera, each with
//! its text); out flows at most one newly issued [`Prompt`] per frame and the prompt on
//! screen now. Rules: a higher-priority prompt (safety → form → camera) replaces the one
//! showing; otherwise a new prompt waits until the current one has been shown for
//! `show_s`; a candidate that cannot be issued within `stale_s` of being offered, or a
//! form prompt whose fault ended while it waited, is dropped (the moment passed); the
//! same text is never issued again within `repeat_s`.
//! Every issued prompt is logged for the report.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::exercises::FaultCode;

/// Prompt priority classes, highest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PromptKind {
    /// Over time, "it hurts": always first.
    Safety,
    /// A form fault the person can fix.
    Form,
    /// The camera or the person's place in the picture.
    Camera,
}

/// A prompt the person hears or sees.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prompt {
    pub text: String,
    pub kind: PromptKind,
    /// The fault it corrects (form and safety prompts from a fault check).
    pub code: Option<FaultCode>,
    /// When it was issued (video time).
    pub t_s: f64,
}

/// The one-at-a-time prompt scheduler.
#[derive(Clone, Debug)]
pub struct Prompter {
    repeat_s: f64,
    show_s: f64,
    stale_s: f64,
    current: Option<Prompt>,
    /// Offered, not yet issued.
    pending: Vec<Pending>,
    last_issued: HashMap<String, f64>,
    log: Vec<Prompt>,
}

/// A prompt offered and not yet issued.
#[derive(Clone, Debug)]
struct Pending {
    kind: PromptKind,
    text: String,
    code: Option<FaultCode>,
    offered_s: f64,
}

/// The same prompt is not repeated within this long.
pub const REPEAT_S: f64 = 8.0;
/// A prompt stays on screen at least this long unless something more urgent comes.
pub const SHOW_S: f64 = 4.0;
/// An offered prompt that could not be issued within this long is dropped.
pub const STALE_S: f64 = 3.0;

impl Default for Prompter {
    fn default() -> Self {
        Self::new(REPEAT_S, SHOW_S, STALE_S)
    }
}

impl Prompter {
    /// A scheduler with the given timings.
    pub fn new(repeat_s: f64, show_s: f64, stale_s: f64) -> Self {
        Self {
            repeat_s,
            show_s,
            stale_s,
            current: None,
            pending: Vec::new(),
            last_issued: HashMap::new(),
            log: Vec::new(),
        }
    }

    /// Offers a prompt this frame (offering the same one again just keeps it fresh).
    pub fn offer(&mut self, kind: PromptKind, text: &str, t_s: f64) {
        self.offer_for(kind, text, None, t_s);
    }

    /// Offers the prompt that corrects fault `code`.
    pub fn offer_for(&mut self, kind: PromptKind, text: &str, code: Option<FaultCode>, t_s: f64) {
        if text.is_empty() {
            return;
        }
        if let Some(p) = self.pending.iter_mut().find(|p| p.text == text) {
            p.kind = p.kind.min(kind);
            p.offered_s = t_s;
            p.code = p.code.or(code);
        } else {
            self.pending.push(Pending {
                kind,
                text: text.to_owned(),
                code,
                offered_s: t_s,
            });
        }
    }

    /// Drops a form prompt for fault `code` that is still waiting: the fault has ended.
    /// Safety prompts are never withdrawn.
    pub fn withdraw(&mut self, code: FaultCode) {
        self.pending
            .retain(|p| p.kind == PromptKind::Safety || p.code != Some(code));
    }

    /// Picks what to show at `t_s`; returns a prompt if one was issued now.
    pub fn tick(&mut self, t_s: f64) -> Option<Prompt> {
        let stale = self.stale_s;
        let repeat = self.repeat_s;
        let last = &self.last_issued;
        self.pending.retain(|p| {
            t_s - p.offered_s <= stale && last.get(&p.text).is_none_or(|said| t_s - said >= repeat)
        });
        if self
            .current
            .as_ref()
            .is_some_and(|c| t_s - c.t_s >= self.show_s)
        {
            self.current = None;
        }
        let best = self
            .pending
            .iter()
            .enumerate()
            .min_by(|a, b| {
                a.1.kind
                    .cmp(&b.1.kind)
                    .then(a.1.offered_s.total_cmp(&b.1.offered_s))
            })
            .map(|(i, p)| (i, p.kind));
        let (index, kind) = best?;
        let may_replace = match &self.current {
            None => true,
            Some(c) => kind < c.kind,
        };
        if !may_replace {
            return None;
        }
        let Pending { text, code, .. } = self.pending.remove(index);
        let prompt = Prompt {
            text,
            kind,
            code,
            t_s,
        };
        self.last_issued.insert(prompt.text.clone(), t_s);
        self.current = Some(prompt.clone());
        self.log.push(prompt.clone());
        tracing::debug!(t_s, text = %prompt.text, "prompt");
        Some(prompt)
    }

    /// The prompt on screen now.
    pub fn current(&self) -> Option<&Prompt> {
        self.current.as_ref()
    }

    /// Takes the current prompt off the screen (e.g. the exercise ended).
    pub fn clear(&mut self) {
        self.current = None;
        self.pending.clear();
    }

    /// Whether `text` was issued at or after `since`.
    pub fn said_since(&self, text: &str, since: f64) -> bool {
        self.log.iter().any(|p| p.text == text && p.t_s >= since)
    }

    /// Issues `text` as the exercise ends at `t_s`, unless it was already said since
    /// `since`: what was only known once it was over (it could not see the movement
    /// after all) is still said, once.
    pub fn say_at_end(&mut self, kind: PromptKind, text: &str, since: f64, t_s: f64) {
        if text.is_empty() || self.said_since(text, since) {
            return;
        }
        self.log.push(Prompt {
            text: text.to_owned(),
            kind,
            code: None,
            t_s,
        });
    }

    /// Every prompt issued so far.
    pub fn log(&self) -> &[Prompt] {
        &self.log
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safety_beats_form_beats_camera() {
        let mut p = Prompter::default();
        p.offer(PromptKind::Camera, "I can't see your knees", 0.0);
        p.offer(PromptKind::Form, "Keep it small", 0.0);
        p.offer(PromptKind::Safety, "That's a minute", 0.0);
        assert_eq!(p.tick(0.0).unwrap().text, "That's a minute");
        // The others wait for the safety prompt's display time, then come in order.
        assert!(p.tick(1.0).is_none());
        p.offer(PromptKind::Form, "Keep it small", 2.0);
        p.offer(PromptKind::Camera, "I can't see your knees", 2.0);
        assert_eq!(p.tick(4.0).unwrap().text, "Keep it small");
    }

    #[test]
    fn the_same_prompt_waits_eight_seconds() {
        let mut p = Prompter::default();
        p.offer(PromptKind::Form, "Slowly", 0.0);
        assert!(p.tick(0.0).is_some());
        for t in [1.0, 5.0, 7.9] {
            p.offer(PromptKind::Form, "Slowly", t);
            assert!(p.tick(t).is_none(), "at {t}");
        }
        p.offer(PromptKind::Form, "Slowly", 8.0);
        assert!(p.tick(8.0).is_some());
        assert_eq!(p.log().len(), 2);
    }

    #[test]
    fn a_more_urgent_prompt_replaces_the_current_one() {
        let mut p = Prompter::default();
        p.offer(PromptKind::Camera, "Move the camera closer", 0.0);
        p.tick(0.0);
        p.offer(PromptKind::Form, "Keep your upper body still", 0.5);
        assert_eq!(p.tick(0.5).unwrap().kind, PromptKind::Form);
        assert_eq!(p.current().unwrap().text, "Keep your upper body still");
    }

    #[test]
    fn a_form_prompt_whose_fault_ended_while_waiting_is_not_said() {
        let mut p = Prompter::default();
        p.offer_for(
            PromptKind::Form,
            "Keep still",
            Some(FaultCode::ShouldersTilt),
            0.0,
        );
        assert!(p.tick(0.0).is_some());
        p.offer_for(
            PromptKind::Form,
            "From the pelvis",
            Some(FaultCode::ShouldersSway),
            1.0,
        );
        p.offer_for(PromptKind::Form, "Slowly", Some(FaultCode::TooFast), 1.0);
        assert!(p.tick(2.0).is_none(), "the first is still showing");
        p.withdraw(FaultCode::ShouldersSway);
        let next = p.tick(4.0).expect("the other one waits its turn");
        assert_eq!(next.code, Some(FaultCode::TooFast));
        assert!(p.tick(8.5).is_none(), "the withdrawn one never comes");
    }

    #[test]
    fn stale_offers_are_dropped() {
        let mut p = Prompter::default();
        p.offer(PromptKind::Safety, "Stop", 0.0);
        p.tick(0.0);
        p.offer(PromptKind::Form, "Old news", 0.1);
        assert!(p.tick(4.5).is_none(), "offered 4.4 s ago: stale");
    }
}
