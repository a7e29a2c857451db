//! Ground truth for a synthetic exercise sequence, judged by `backform eval`'s own
//! scorer (`backform::eval::score`, the rules the rendered clips are held to): reps
//! matched one-to-one (missed, phantom, merged), sides where the view shows them, holds
//! within 0.5 s of the plateau (the time within 10% of the peak) where the spec
//! prescribes one, every fault found (±1 s), no false fault or form prompt, no rep inside
//! a cannot-see span; traction by its steps and timed hold. On top, one property of the
//! coach: no prompt repeated within 8 s.

use backform::coach::Report;
use backform::eval::score::score;
use backform::eval::truth as eval;
use backform::exercises::{FaultCode, Side};

#[derive(Clone, Debug, PartialEq)]
pub struct TruthRep {
    pub side: Option<Side>,
    pub start_s: f64,
    pub end_s: f64,
    /// The plateau: the time within 10% of the rep's peak.
    pub hold_s: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TruthFault {
    pub code: FaultCode,
    pub start_s: f64,
    pub end_s: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TruthStep {
    pub side: Option<Side>,
    pub start_s: f64,
    pub end_s: f64,
}

/// What really happened in a sequence.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Truth {
    pub exercise: String,
    pub duration_s: f64,
    pub reps: Vec<TruthRep>,
    pub faults: Vec<TruthFault>,
    /// Timed exercises: the settled hold's length.
    pub timed_hold_s: Option<f64>,
    /// Timed exercises: leg slides.
    pub steps: Vec<TruthStep>,
    /// The camera placement cannot work: expect this camera prompt and nothing counted.
    pub expect_camera_prompt: Option<String>,
}

impl Truth {
    /// The same truth in the scorer's terms.
    fn for_eval(&self) -> eval::Truth {
        let reps = if self.timed_hold_s.is_some() {
            self.steps
                .iter()
                .map(|s| eval::TruthRep {
                    side: s.side,
                    start_s: s.start_s,
                    end_s: s.end_s,
                    hold_s: None,
                    plateau_s: None,
                })
                .collect()
        } else {
            self.reps
                .iter()
                .map(|r| eval::TruthRep {
                    side: r.side,
                    start_s: r.start_s,
                    end_s: r.end_s,
                    hold_s: r.hold_s,
                    plateau_s: r.hold_s,
                })
                .collect()
        };
        eval::Truth {
            stem: self.exercise.clone(),
            exercise: self.exercise.clone(),
            fps: 30.0,
            duration_s: self.duration_s,
            reps,
            faults: self
                .faults
                .iter()
                .map(|f| eval::TruthFault {
                    code: f.code,
                    start_s: f.start_s,
                    end_s: f.end_s,
                })
                .collect(),
            timed_hold_s: self.timed_hold_s,
            ..eval::Truth::default()
        }
    }
}

/// A judged report: what matched, what did not.
#[derive(Debug, Default)]
pub struct Verdict {
    pub lines: Vec<String>,
    pub failures: Vec<String>,
}

impl Verdict {
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }
}

fn side_name(s: Option<Side>) -> &'static str {
    s.map_or("-", |s| s.as_str())
}

/// The same prompt is never repeated within this long.
pub const PROMPT_REPEAT_S: f64 = 8.0;

/// Judges `report` against `truth` with `backform eval`'s scorer.
pub fn judge(truth: &Truth, report: &Report) -> Verdict {
    let mut v = Verdict::default();
    // Prompts: one text never twice within 8 s.
    for (i, p) in report.prompts.iter().enumerate() {
        if let Some(q) = report
            .prompts
            .get(i + 1..)
            .and_then(|rest| rest.iter().find(|q| q.text == p.text))
            && q.t - p.t < PROMPT_REPEAT_S - 1e-6
        {
            v.failures.push(format!(
                "prompt {:?} repeated after {:.1} s",
                p.text,
                q.t - p.t
            ));
        }
    }
    if let Some(text) = &truth.expect_camera_prompt
        && !report.prompts.iter().any(|p| &p.text == text)
    {
        v.failures.push(format!("no camera prompt {text:?}"));
    }
    let rules =
        match backform::eval::rules_for(&truth.exercise, truth.expect_camera_prompt.is_some()) {
            Ok(rules) => rules,
            Err(e) => {
                v.failures
                    .push(format!("no rules for {}: {e}", truth.exercise));
                return v;
            }
        };
    let s = score(&truth.for_eval(), report, rules);
    // The row `backform eval` would print for this sequence.
    v.lines.push(backform::eval::table::markdown(
        &truth.exercise,
        std::slice::from_ref(&s),
    ));
    v.failures.extend(s.why.iter().cloned());
    v
}
