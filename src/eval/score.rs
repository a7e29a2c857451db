//! The scoring rules of `backform eval`: one report against one clip's truth.
//!
//! In: a [`Truth`], the coach's [`Report`] and the [`Rules`] the exercise's spec implies;
//! out: a [`ClipScore`] — the columns of the accuracy table and whether the clip is
//! right. The tests call this same function; there is no second judge.
//!
//! - **reps**: each reported rep is matched one-to-one to the true rep it overlaps most
//!   (largest overlaps first). A true rep left over is *missed* (unless a merged rep
//!   covers it), a reported rep left over *phantom*, a reported rep covering at least
//!   40% of each of two true reps *merged*. Sides are checked where the view shows them
//!   ([`Rules::sides_shown`]); elsewhere only reps that claim a seen side are checked,
//!   and inferred ones are counted.
//! - **holds** (when the spec prescribes one): |reported − true plateau| ≤ 0.5 s.
//! - **traction**: the leg slides in order, each with its side and overlapping its true
//!   slide (±1 s: a slide eases in), and the timed hold within 0.5 s of the truth's.
//! - **faults**: each true span found by a report fault of its code overlapping it ±1 s;
//!   a reported fault or form prompt with no true fault of its code within ±1 s is
//!   *false* (`not-alternating` is information only and never judged).
//! - **not seen**: true reps mostly inside a `cannot_see` span, and camera prompts.
//! - **bad placement** clips are right when a camera prompt comes and nothing is counted
//!   or faulted.

use serde::Serialize;

use crate::coach::PromptKind;
use crate::coach::report::{Report, ReportRep};
use crate::exercises::{FaultCode, Side};

use super::truth::{Truth, TruthFault, TruthRep};

/// A hold within this long of the true plateau is right.
pub const HOLD_TOLERANCE_S: f64 = 0.5;
/// A fault within this long of a true span of its code is that fault.
pub const FAULT_SLACK_S: f64 = 1.0;
/// A reported rep covering this share of each of two true reps merged them.
pub const MERGE_SHARE: f64 = 0.4;
/// A true rep with more than this share inside cannot-see spans was not seen.
pub const NOT_SEEN_SHARE: f64 = 0.5;

/// What the exercise's spec says about how to judge it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rules {
    /// The spec prescribes a hold: judge each rep's hold.
    pub holds: bool,
    /// The camera view shows which side a rep goes to (rocks from the front).
    pub sides_shown: bool,
    /// A timed exercise with steps (traction): judge steps and the timed hold, not reps.
    pub timed: bool,
    /// The camera placement cannot work: right = a camera prompt and nothing counted.
    pub bad_placement: bool,
}

/// One clip's row of the accuracy table.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ClipScore {
    pub clip: String,
    pub exercise: String,
    pub subject: Option<String>,
    pub camera: String,
    pub variant: String,
    pub true_reps: usize,
    pub reported_reps: usize,
    pub matched: usize,
    pub missed: usize,
    pub phantom: usize,
    pub merged: usize,
    /// Matched reps whose side was checked, and how many of those were wrong.
    pub sides_checked: usize,
    pub sides_wrong: usize,
    /// Matched reps whose side the report marks as inferred (not checked).
    pub sides_inferred: usize,
    pub holds_checked: usize,
    /// Holds more than 0.5 s from the true plateau.
    pub holds_off: usize,
    /// The largest |reported − true plateau| (or timed hold error), seconds.
    pub hold_worst_s: Option<f64>,
    /// Traction: whether the leg slides came in order, with their sides.
    pub steps_right: Option<bool>,
    pub true_faults: usize,
    pub faults_found: usize,
    pub false_faults: usize,
    pub false_prompts: usize,
    pub not_seen_reps: usize,
    pub camera_prompts: usize,
    pub right: bool,
    /// Why it is wrong, one line per problem.
    pub why: Vec<String>,
}

fn overlap(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.1.min(b.1) - a.0.max(b.0)).max(0.0)
}

fn side_name(s: Option<Side>) -> &'static str {
    s.map_or("-", Side::as_str)
}

/// A clip's score with nothing measured: the report could not be made.
pub fn unscorable(truth: Option<&Truth>, clip: &str, reason: String) -> ClipScore {
    ClipScore {
        clip: clip.to_owned(),
        exercise: truth.map(|t| t.exercise.clone()).unwrap_or_default(),
        subject: truth.and_then(|t| t.subject.clone()),
        camera: truth.map(|t| t.camera.clone()).unwrap_or_default(),
        variant: truth.map(|t| t.variant.clone()).unwrap_or_default(),
        true_reps: truth.map_or(0, |t| t.reps.len()),
        right: false,
        why: vec![format!("cannot be scored: {reason}")],
        ..ClipScore::default()
    }
}

/// Scores `report` against `truth`.
pub fn score(truth: &Truth, report: &Report, rules: Rules) -> ClipScore {
    let mut s = ClipScore {
        clip: truth.stem.clone(),
        exercise: truth.exercise.clone(),
        subject: truth.subject.clone(),
        camera: truth.camera.clone(),
        variant: truth.variant.clone(),
        true_faults: truth.faults.len(),
        camera_prompts: report
            .prompts
            .iter()
            .filter(|p| p.kind == PromptKind::Camera)
            .count(),
        ..ClipScore::default()
    };
    if rules.bad_placement {
        s.true_reps = truth.reps.len();
        s.reported_reps = report.reps.len();
        s.false_faults = report.faults.len();
        if s.camera_prompts == 0 {
            s.why
                .push("no camera prompt from a placement that cannot work".into());
        }
        if report.counts.total > 0 || !report.reps.is_empty() {
            s.why.push(format!(
                "counted {} reps from a bad placement",
                report.counts.total
            ));
        }
        if !report.faults.is_empty() {
            s.why.push(format!(
                "flagged {} faults from a bad placement",
                report.faults.len()
            ));
        }
        s.right = s.why.is_empty();
        return s;
    }
    if rules.timed {
        score_timed(truth, report, &mut s);
    } else {
        score_reps(truth, report, rules, &mut s);
    }
    score_faults(truth, report, &mut s);
    s.not_seen_reps = truth
        .reps
        .iter()
        .filter(|t| {
            let inside: f64 = report
                .cannot_see
                .iter()
                .map(|c| overlap((t.start_s, t.end_s), (c.start_s, c.end_s)))
                .sum();
            inside > NOT_SEEN_SHARE * (t.end_s - t.start_s)
        })
        .count();
    if s.not_seen_reps > 0 {
        s.why.push(format!(
            "{} true reps inside cannot-see spans",
            s.not_seen_reps
        ));
    }
    if s.camera_prompts > 0 {
        let texts: Vec<&str> = report
            .prompts
            .iter()
            .filter(|p| p.kind == PromptKind::Camera)
            .map(|p| p.text.as_str())
            .collect();
        s.why
            .push(format!("camera prompts on a visible clip: {texts:?}"));
    }
    s.right = s.why.is_empty();
    s
}

fn score_reps(truth: &Truth, report: &Report, rules: Rules, s: &mut ClipScore) {
    let t_reps = &truth.reps;
    let r_reps = &report.reps;
    s.true_reps = t_reps.len();
    s.reported_reps = r_reps.len();
    let span = |r: &ReportRep| (r.start_s, r.end_s);
    let tspan = |t: &TruthRep| (t.start_s, t.end_s);
    let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
    for (ri, r) in r_reps.iter().enumerate() {
        for (ti, t) in t_reps.iter().enumerate() {
            let o = overlap(span(r), tspan(t));
            if o > 0.0 {
                pairs.push((ri, ti, o));
            }
        }
    }
    pairs.sort_by(|a, b| b.2.total_cmp(&a.2));
    let mut r_match: Vec<Option<usize>> = vec![None; r_reps.len()];
    let mut t_match: Vec<Option<usize>> = vec![None; t_reps.len()];
    for (ri, ti, _) in pairs {
        if r_match[ri].is_none() && t_match[ti].is_none() {
            r_match[ri] = Some(ti);
            t_match[ti] = Some(ri);
        }
    }
    // Merged: a reported rep covering ≥ 40% of two or more true reps.
    let mut merged_into = vec![false; t_reps.len()];
    for r in r_reps {
        let covered: Vec<usize> = t_reps
            .iter()
            .enumerate()
            .filter(|(_, t)| overlap(span(r), tspan(t)) >= MERGE_SHARE * (t.end_s - t.start_s))
            .map(|(i, _)| i)
            .collect();
        if covered.len() >= 2 {
            s.merged += 1;
            for i in &covered {
                merged_into[*i] = true;
            }
            s.why.push(format!(
                "merged: reported rep {:.1}-{:.1} s covers {} true reps",
                r.start_s,
                r.end_s,
                covered.len()
            ));
        }
    }
    for (ti, t) in t_reps.iter().enumerate() {
        if t_match[ti].is_none() && !merged_into[ti] {
            s.missed += 1;
            s.why.push(format!(
                "missed: true rep {} {:.1}-{:.1} s",
                side_name(t.side),
                t.start_s,
                t.end_s
            ));
        }
    }
    for (ri, r) in r_reps.iter().enumerate() {
        if r_match[ri].is_none() {
            s.phantom += 1;
            s.why.push(format!(
                "phantom: reported rep {:.1}-{:.1} s",
                r.start_s, r.end_s
            ));
        }
    }
    for (ri, r) in r_reps.iter().enumerate() {
        let Some(ti) = r_match[ri] else { continue };
        s.matched += 1;
        let Some(t) = t_reps.get(ti) else { continue };
        if t.side.is_some() {
            if rules.sides_shown || !r.side_inferred {
                s.sides_checked += 1;
                if r.side != t.side {
                    s.sides_wrong += 1;
                    s.why.push(format!(
                        "side: rep {:.1}-{:.1} s reported {} is {}",
                        t.start_s,
                        t.end_s,
                        side_name(r.side),
                        side_name(t.side)
                    ));
                }
            } else {
                s.sides_inferred += 1;
            }
        }
        if rules.holds {
            let Some(plateau) = t.plateau_s else {
                s.why.push(format!(
                    "hold: the truth has no signal for rep {:.1}-{:.1} s",
                    t.start_s, t.end_s
                ));
                continue;
            };
            let got = r.hold_s.unwrap_or(0.0);
            let err = (got - plateau).abs();
            s.holds_checked += 1;
            s.hold_worst_s = Some(s.hold_worst_s.map_or(err, |w: f64| w.max(err)));
            if err > HOLD_TOLERANCE_S {
                s.holds_off += 1;
                s.why.push(format!(
                    "hold: rep {:.1}-{:.1} s held {got:.2} s, true plateau {plateau:.2} s",
                    t.start_s, t.end_s
                ));
            }
        }
    }
}

fn score_timed(truth: &Truth, report: &Report, s: &mut ClipScore) {
    // The truth's reps are the leg slides; the person is on the block the whole clip.
    s.true_reps = 0;
    s.reported_reps = 0;
    let want = &truth.reps;
    let have = &report.steps;
    let mut right = want.len() == have.len();
    for (t, r) in want.iter().zip(have) {
        let near = overlap(
            (t.start_s - FAULT_SLACK_S, t.end_s + FAULT_SLACK_S),
            (r.start_s, r.end_s),
        ) > 0.0;
        right &= t.side == r.side && near;
    }
    s.steps_right = Some(right);
    if !right {
        let show = |v: Vec<String>| v.join(", ");
        s.why.push(format!(
            "steps: reported [{}], true [{}]",
            show(
                have.iter()
                    .map(|r| format!("{} {:.1}-{:.1}", side_name(r.side), r.start_s, r.end_s))
                    .collect()
            ),
            show(
                want.iter()
                    .map(|t| format!("{} {:.1}-{:.1}", side_name(t.side), t.start_s, t.end_s))
                    .collect()
            ),
        ));
    }
    let got: Vec<f64> = report.reps.iter().filter_map(|r| r.hold_s).collect();
    let hold = truth.timed_hold_s.unwrap_or(truth.duration_s);
    s.holds_checked = 1;
    match got.as_slice() {
        [h] => {
            let err = (h - hold).abs();
            s.hold_worst_s = Some(err);
            if err > HOLD_TOLERANCE_S {
                s.holds_off = 1;
                s.why.push(format!("timed hold {h:.2} s, true {hold:.2} s"));
            }
        }
        _ => {
            s.holds_off = 1;
            s.why.push(format!(
                "timed hold: reported {got:?}, true one of {hold:.2} s"
            ));
        }
    }
}

/// A reported span `[a, b]` of `code` is this true fault (same code, overlapping it ±1 s).
fn is_fault(t: &TruthFault, code: FaultCode, a: f64, b: f64) -> bool {
    t.code == code
        && overlap(
            (t.start_s - FAULT_SLACK_S, t.end_s + FAULT_SLACK_S),
            (a, b.max(a + 1e-6)),
        ) > 0.0
}

fn score_faults(truth: &Truth, report: &Report, s: &mut ClipScore) {
    let near =
        |code: FaultCode, a: f64, b: f64| truth.faults.iter().any(|t| is_fault(t, code, a, b));
    for t in &truth.faults {
        let found = report
            .faults
            .iter()
            .any(|f| is_fault(t, f.code, f.start_s, f.end_s));
        if found {
            s.faults_found += 1;
        } else {
            s.why.push(format!(
                "fault {} at {:.1}-{:.1} s not found",
                t.code, t.start_s, t.end_s
            ));
        }
    }
    for f in &report.faults {
        if f.code == FaultCode::NotAlternating || near(f.code, f.start_s, f.end_s) {
            continue;
        }
        s.false_faults += 1;
        s.why.push(format!(
            "false fault {} at {:.1}-{:.1} s",
            f.code, f.start_s, f.end_s
        ));
    }
    for p in &report.prompts {
        if p.kind != PromptKind::Form {
            continue;
        }
        let Some(code) = p.code else { continue };
        if code == FaultCode::NotAlternating || near(code, p.t, p.t) {
            continue;
        }
        s.false_prompts += 1;
        s.why
            .push(format!("false prompt {code} at {:.1} s: {:?}", p.t, p.text));
    }
}

#[cfg(test)]
mod tests {
    //! Each test starts from a report that matches its truth exactly (right) and adds one
    //! defect; the clip must turn wrong for that reason and no other.
    use super::*;
    use crate::coach::report::{CannotSeeReason, CannotSeeSpan, ReportFault, ReportPrompt};
    use crate::exercises::Counts;

    fn rep(start_s: f64, end_s: f64, plateau_s: f64) -> TruthRep {
        TruthRep {
            side: None,
            start_s,
            end_s,
            hold_s: Some(plateau_s - 0.4),
            plateau_s: Some(plateau_s),
        }
    }

    /// Three pelvic tilts, the second with a short hold.
    fn truth() -> Truth {
        Truth {
            stem: "pelvic_tilt__short_hold__test".into(),
            exercise: "pelvic-tilt".into(),
            variant: "short_hold".into(),
            camera: "side_floor".into(),
            subject: None,
            fps: 30.0,
            duration_s: 30.0,
            reps: vec![
                rep(2.0, 9.0, 5.5),
                rep(11.0, 15.0, 2.0),
                rep(18.0, 25.0, 5.5),
            ],
            faults: vec![TruthFault {
                code: FaultCode::HoldTooShort,
                start_s: 12.0,
                end_s: 14.0,
            }],
            timed_hold_s: None,
        }
    }

    fn report_of(truth: &Truth) -> Report {
        let reps: Vec<ReportRep> = truth
            .reps
            .iter()
            .map(|t| ReportRep {
                side: t.side,
                side_inferred: false,
                // A reported rep ends a little after the truth: not a defect.
                start_s: t.start_s + 0.2,
                end_s: t.end_s + 0.3,
                hold_s: t.plateau_s.map(|p| p - 0.2),
                range_deg: None,
                faults: vec![],
            })
            .collect();
        Report {
            prescribed: None,
            exercise: truth.exercise.clone(),
            duration_s: truth.duration_s,
            counts: Counts {
                left: 0,
                right: 0,
                total: reps.len() as u32,
            },
            reps,
            faults: truth
                .faults
                .iter()
                .map(|f| ReportFault {
                    code: f.code,
                    start_s: f.start_s + 0.3,
                    end_s: f.end_s + 0.5,
                    message: "Hold it a little longer".into(),
                })
                .collect(),
            prompts: vec![ReportPrompt {
                t: 14.5,
                text: "Hold it a little longer".into(),
                kind: PromptKind::Form,
                code: Some(FaultCode::HoldTooShort),
            }],
            cannot_see: vec![],
            sets: vec![],
            steps: vec![],
            notes: vec![],
        }
    }

    const RULES: Rules = Rules {
        holds: true,
        sides_shown: false,
        timed: false,
        bad_placement: false,
    };

    fn wrong_for(report: &Report, want: &str) -> ClipScore {
        let s = score(&truth(), report, RULES);
        assert!(!s.right, "a defective report scored right: {s:?}");
        assert!(
            s.why.iter().any(|w| w.contains(want)),
            "expected a '{want}' reason, got {:?}",
            s.why
        );
        s
    }

    #[test]
    fn an_exact_report_is_right() {
        let s = score(&truth(), &report_of(&truth()), RULES);
        assert!(s.right, "{:?}", s.why);
        assert_eq!((s.matched, s.faults_found, s.holds_checked), (3, 1, 3));
    }

    #[test]
    fn a_missed_rep_is_wrong() {
        let mut r = report_of(&truth());
        r.reps.remove(2);
        let s = wrong_for(&r, "missed");
        assert_eq!((s.missed, s.phantom, s.merged), (1, 0, 0));
    }

    #[test]
    fn a_phantom_rep_is_wrong() {
        let mut r = report_of(&truth());
        r.reps.push(ReportRep {
            side: None,
            side_inferred: false,
            start_s: 26.0,
            end_s: 29.0,
            hold_s: Some(1.0),
            range_deg: None,
            faults: vec![],
        });
        let s = wrong_for(&r, "phantom");
        assert_eq!((s.missed, s.phantom), (0, 1));
    }

    #[test]
    fn two_reps_counted_as_one_long_hold_are_merged() {
        let mut r = report_of(&truth());
        let second = r.reps.remove(1);
        r.reps[0].end_s = second.end_s;
        r.reps[0].hold_s = Some(12.0);
        let s = wrong_for(&r, "merged");
        assert_eq!((s.merged, s.missed), (1, 0));
    }

    #[test]
    fn an_end_lagging_into_the_next_rep_is_not_a_merge() {
        let mut r = report_of(&truth());
        // Ends 1.5 s into the 4 s second rep: 37% of it, under the 40% rule.
        r.reps[0].end_s = 12.5;
        let s = score(&truth(), &r, RULES);
        assert!(s.right, "{:?}", s.why);
    }

    #[test]
    fn a_fault_1_5_s_late_is_not_found_and_false() {
        let mut r = report_of(&truth());
        r.faults[0].start_s = 15.5;
        r.faults[0].end_s = 16.5;
        r.prompts[0].t = 16.6;
        let s = wrong_for(&r, "not found");
        assert_eq!((s.faults_found, s.false_faults, s.false_prompts), (0, 1, 1));
    }

    #[test]
    fn a_false_fault_is_wrong_even_on_a_clip_with_other_faults() {
        let mut r = report_of(&truth());
        r.faults.push(ReportFault {
            code: FaultCode::TooFast,
            start_s: 3.0,
            end_s: 4.0,
            message: "Slowly".into(),
        });
        let s = wrong_for(&r, "false fault too-fast");
        assert_eq!((s.faults_found, s.false_faults), (1, 1));
    }

    #[test]
    fn not_alternating_is_information_only() {
        let mut r = report_of(&truth());
        r.faults.push(ReportFault {
            code: FaultCode::NotAlternating,
            start_s: 3.0,
            end_s: 4.0,
            message: "info".into(),
        });
        assert!(score(&truth(), &r, RULES).right);
    }

    #[test]
    fn a_rep_inside_cannot_see_is_not_seen() {
        let mut r = report_of(&truth());
        r.cannot_see.push(CannotSeeSpan {
            start_s: 17.0,
            end_s: 26.0,
            reason: CannotSeeReason::MovementBelowNoise,
            noise: Some(0.5),
            expected: Some(0.3),
        });
        let s = wrong_for(&r, "cannot-see");
        assert_eq!(s.not_seen_reps, 1);
    }

    #[test]
    fn a_hold_off_by_more_than_half_a_second_is_wrong() {
        let mut r = report_of(&truth());
        r.reps[0].hold_s = Some(4.9);
        let s = wrong_for(&r, "hold");
        assert_eq!(s.holds_off, 1);
    }

    #[test]
    fn a_camera_prompt_on_a_visible_clip_is_wrong() {
        let mut r = report_of(&truth());
        r.prompts.push(ReportPrompt {
            t: 1.0,
            text: "Move the camera to your side".into(),
            kind: PromptKind::Camera,
            code: None,
        });
        wrong_for(&r, "camera prompts");
    }

    #[test]
    fn a_bad_placement_is_right_only_with_a_camera_prompt_and_nothing_counted() {
        let bad = Rules {
            bad_placement: true,
            ..RULES
        };
        let mut r = report_of(&truth());
        assert!(
            !score(&truth(), &r, bad).right,
            "counted from a bad placement"
        );
        r.reps.clear();
        r.counts.total = 0;
        r.faults.clear();
        r.prompts = vec![ReportPrompt {
            t: 1.0,
            text: "Move the camera to your side".into(),
            kind: PromptKind::Camera,
            code: None,
        }];
        assert!(score(&truth(), &r, bad).right);
        r.prompts.clear();
        assert!(!score(&truth(), &r, bad).right, "no camera prompt");
    }
}
