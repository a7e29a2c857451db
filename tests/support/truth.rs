//! Ground truth for a synthetic exercise sequence and the rules a report is judged by:
//! exact counts per side, holds within `backform eval`'s tolerance of the plateau (the
//! time within 10% of the peak, as EXERCISES.md scores holds), every fault flagged within
//! 1 s of its onset, nothing flagged that is not there, no prompt repeated within 8 s.
//! (Rendered clips are judged by `backform::eval` itself.)

use backform::coach::Report;
use backform::exercises::{FaultCode, Side};

/// How close a detected hold must be: the project's own rule (`backform eval`).
pub const HOLD_TOLERANCE_S: f64 = backform::eval::score::HOLD_TOLERANCE_S;
/// How close a detected fault's onset must be.
pub const ONSET_TOLERANCE_S: f64 = 1.0;

#[derive(Clone, Debug, PartialEq)]
pub struct TruthRep {
    pub side: Option<Side>,
    pub start_s: f64,
    pub end_s: f64,
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

/// Judges `report` against `truth`.
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
    if let Some(text) = &truth.expect_camera_prompt {
        let prompted = report.prompts.iter().any(|p| &p.text == text);
        v.lines.push(format!(
            "bad placement: counts {} faults {} prompts {:?}",
            report.counts.total,
            report.faults.len(),
            report
                .prompts
                .iter()
                .map(|p| p.text.as_str())
                .collect::<Vec<_>>()
        ));
        if !prompted {
            v.failures.push(format!("no camera prompt {text:?}"));
        }
        if report.counts.total > 0 || !report.reps.is_empty() {
            v.failures.push(format!(
                "counted {} reps from a bad placement",
                report.counts.total
            ));
        }
        if !report.faults.is_empty() {
            v.failures.push(format!(
                "flagged {} faults from a bad placement",
                report.faults.len()
            ));
        }
        return v;
    }

    match truth.timed_hold_s {
        Some(hold) => {
            let got: Vec<f64> = report.reps.iter().filter_map(|r| r.hold_s).collect();
            v.lines
                .push(format!("timed hold: truth {hold:.2} s, got {got:?}"));
            match got.as_slice() {
                [h] if (h - hold).abs() <= HOLD_TOLERANCE_S => {}
                _ => v
                    .failures
                    .push(format!("timed hold {got:?} != {hold:.2} s")),
            }
            let want: Vec<Option<Side>> = truth.steps.iter().map(|s| s.side).collect();
            let have: Vec<Option<Side>> = report.steps.iter().map(|s| s.side).collect();
            v.lines.push(format!(
                "steps: truth {:?} got {:?}",
                want.iter().map(|s| side_name(*s)).collect::<Vec<_>>(),
                report
                    .steps
                    .iter()
                    .map(|s| format!("{} {:.1}-{:.1}", side_name(s.side), s.start_s, s.end_s))
                    .collect::<Vec<_>>()
            ));
            if want != have {
                v.failures.push(format!("steps {have:?} != {want:?}"));
            }
        }
        None => {
            let count =
                |side: Option<Side>| truth.reps.iter().filter(|r| r.side == side).count() as u32;
            let (tl, tr, tt) = (
                count(Some(Side::Left)),
                count(Some(Side::Right)),
                truth.reps.len() as u32,
            );
            let c = report.counts;
            v.lines.push(format!(
                "counts: truth L{tl} R{tr} total {tt}; got L{} R{} total {}",
                c.left, c.right, c.total
            ));
            let sided = truth.reps.iter().any(|r| r.side.is_some());
            if c.total != tt || (sided && (c.left != tl || c.right != tr)) {
                v.failures.push(format!(
                    "counts L{} R{} total {} != L{tl} R{tr} total {tt}",
                    c.left, c.right, c.total
                ));
            }
            // Holds: pair each true rep with the reported rep overlapping it most.
            for (i, t) in truth.reps.iter().enumerate() {
                let best = report
                    .reps
                    .iter()
                    .map(|r| {
                        (
                            r,
                            (r.end_s.min(t.end_s) - r.start_s.max(t.start_s)).max(0.0),
                        )
                    })
                    .filter(|(_, o)| *o > 0.0)
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .map(|(r, _)| r);
                let Some(r) = best else {
                    v.failures.push(format!(
                        "rep {i} ({:.1}-{:.1} s) not found",
                        t.start_s, t.end_s
                    ));
                    continue;
                };
                if let (Some(th), Some(rh)) = (t.hold_s, r.hold_s) {
                    let line = format!(
                        "rep {i} {} {:.2}-{:.2}: hold truth {th:.2} got {rh:.2} (side {})",
                        side_name(t.side),
                        t.start_s,
                        t.end_s,
                        side_name(r.side)
                    );
                    if (th - rh).abs() > HOLD_TOLERANCE_S {
                        v.failures.push(line.clone());
                    }
                    v.lines.push(line);
                }
            }
        }
    }

    // Faults: every true span flagged near its onset; nothing flagged that is not there.
    for t in &truth.faults {
        let hit = report.faults.iter().find(|f| {
            f.code == t.code
                && (f.start_s - t.start_s).abs() <= ONSET_TOLERANCE_S
                && f.start_s <= t.end_s + ONSET_TOLERANCE_S
        });
        match hit {
            Some(f) => v.lines.push(format!(
                "fault {} truth {:.2}-{:.2} got {:.2}-{:.2} (onset {:+.2} s)",
                t.code,
                t.start_s,
                t.end_s,
                f.start_s,
                f.end_s,
                f.start_s - t.start_s
            )),
            None => v.failures.push(format!(
                "fault {} at {:.2}-{:.2} s not flagged within 1 s",
                t.code, t.start_s, t.end_s
            )),
        }
    }
    for f in &report.faults {
        let real = truth.faults.iter().any(|t| {
            t.code == f.code
                && f.start_s <= t.end_s + ONSET_TOLERANCE_S
                && f.end_s >= t.start_s - ONSET_TOLERANCE_S
        });
        if !real {
            v.failures.push(format!(
                "false fault {} at {:.2}-{:.2} s",
                f.code, f.start_s, f.end_s
            ));
        }
    }
    v
}
