//! The accuracy tables as Markdown: one row per clip, then one per exercise.
//!
//! In: a title and [`ClipScore`]s; out: text for a terminal or `docs/accuracy.md`.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::ClipScore;

fn opt_s(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.2}"))
}

fn sides(s: &ClipScore) -> String {
    match (s.sides_checked, s.sides_inferred) {
        (0, 0) => "-".into(),
        (0, i) => format!("{i} inferred"),
        (c, 0) => format!("{}/{c}", c - s.sides_wrong),
        (c, i) => format!("{}/{c}, {i} inferred", c - s.sides_wrong),
    }
}

/// The per-clip table and the per-exercise summary under a `## title` heading.
pub fn markdown(title: &str, scores: &[ClipScore]) -> String {
    let mut out = String::new();
    let right = scores.iter().filter(|s| s.right).count();
    let _ = writeln!(out, "## {title}: {right} of {} clips right\n", scores.len());
    let _ = writeln!(
        out,
        "| clip | reps true/got | matched | missed | phantom | merged | sides | holds off (worst s) | steps | faults found | false faults | false prompts | not seen | camera prompts | right |"
    );
    let _ = writeln!(out, "|{}", "---|".repeat(15));
    for s in scores {
        let steps = s
            .steps_right
            .map_or("-", |ok| if ok { "right" } else { "wrong" });
        let _ = writeln!(
            out,
            "| {} | {}/{} | {} | {} | {} | {} | {} | {}/{} ({}) | {steps} | {}/{} | {} | {} | {} | {} | {} |",
            s.clip,
            s.true_reps,
            s.reported_reps,
            s.matched,
            s.missed,
            s.phantom,
            s.merged,
            sides(s),
            s.holds_off,
            s.holds_checked,
            opt_s(s.hold_worst_s),
            s.faults_found,
            s.true_faults,
            s.false_faults,
            s.false_prompts,
            s.not_seen_reps,
            s.camera_prompts,
            if s.right { "yes" } else { "**no**" },
        );
    }
    let _ = writeln!(out, "\nPer exercise:\n");
    let _ = writeln!(
        out,
        "| exercise | clips right | reps true | matched | missed | phantom | merged | faults found | false faults+prompts | not seen | camera prompts |"
    );
    let _ = writeln!(out, "|{}", "---|".repeat(11));
    let mut by_exercise: BTreeMap<&str, Vec<&ClipScore>> = BTreeMap::new();
    for s in scores {
        by_exercise.entry(s.exercise.as_str()).or_default().push(s);
    }
    for (exercise, rows) in &by_exercise {
        let sum = |f: fn(&ClipScore) -> usize| rows.iter().map(|s| f(s)).sum::<usize>();
        let _ = writeln!(
            out,
            "| {exercise} | {}/{} | {} | {} | {} | {} | {} | {}/{} | {} | {} | {} |",
            rows.iter().filter(|s| s.right).count(),
            rows.len(),
            sum(|s| s.true_reps),
            sum(|s| s.matched),
            sum(|s| s.missed),
            sum(|s| s.phantom),
            sum(|s| s.merged),
            sum(|s| s.faults_found),
            sum(|s| s.true_faults),
            sum(|s| s.false_faults + s.false_prompts),
            sum(|s| s.not_seen_reps),
            sum(|s| s.camera_prompts),
        );
    }
    let wrong: Vec<&ClipScore> = scores.iter().filter(|s| !s.right).collect();
    if !wrong.is_empty() {
        let _ = writeln!(out, "\nWhy the wrong clips are wrong:\n");
        for s in wrong {
            let _ = writeln!(out, "- `{}`: {}", s.clip, s.why.join("; "));
        }
    }
    out.push('\n');
    out
}
