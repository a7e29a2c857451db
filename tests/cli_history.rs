//! `backform history` end to end through the binary: a real `analyze` report of a fixture
//! clip, logged as the app logs it, imported, and exported for a physiotherapist.

#![allow(clippy::expect_used, clippy::unwrap_used)] // helpers outside #[test] fns

mod require;
use std::path::Path;
use std::process::Command;

fn backform(args: &[&str], data_dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_backform"))
        .args(args)
        .env("BACKFORM_DATA_DIR", data_dir)
        .output()
        .expect("the binary runs")
}

/// `backform history export --format FORMAT OUT`, which must succeed.
fn export(format: &str, out: &Path, data_dir: &Path) {
    let out = backform(
        &[
            "history",
            "export",
            "--format",
            format,
            out.to_str().unwrap(),
        ],
        data_dir,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_analyzed_session_is_imported_and_exported_one_row_per_rep() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/exercises");
    let clip = fixtures.join("pelvic_rock__shoulder_sway__front_seated.mp4");
    let landmarks = fixtures.join("reference/pelvic_rock__shoulder_sway__front_seated.jsonl");
    if !clip.exists() || !landmarks.exists() {
        require::skip("the pelvic rock fixture is absent");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = backform(
        &[
            "analyze",
            clip.to_str().unwrap(),
            "--exercise",
            "pelvic-rock",
            "--from-landmarks",
            landmarks.to_str().unwrap(),
            "--report",
            "-",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reps = report["reps"].as_array().unwrap().len();
    assert!(reps >= 10, "{reps} reps");
    // The session log's two kinds of line, as the app writes them.
    let log = [
        serde_json::json!({"kind": "pain", "unix_time_s": 1_796_256_000.0, "session_id": "s1",
            "moment": "before_session", "pain_0_to_10": 5}),
        serde_json::json!({"kind": "exercise", "unix_time_s": 1_796_256_100.0, "session_id": "s1",
            "exercise": "pelvic-rock", "name": "Pelvic rocks", "end": "completed",
            "started_t_s": 0.0, "duration_s": 60.0, "reps_total": reps, "sets_completed": 1,
            "holds_completed": 0, "report": report}),
    ]
    .iter()
    .map(|v| v.to_string() + "\n")
    .collect::<String>();
    std::fs::write(dir.path().join("sessions.jsonl"), log).unwrap();

    let out = backform(&["history", "import"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("imported 1 exercise runs and 1 pain"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(dir.path().join("sessions.jsonl.imported").exists());

    let csv_path = dir.path().join("reps.csv");
    export("csv", &csv_path, dir.path());
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), reps);
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    for (row, rep) in rows.iter().zip(report["reps"].as_array().unwrap()) {
        assert_eq!(&row[column("date")], "2026-12-03");
        assert_eq!(&row[column("exercise")], "pelvic-rock");
        assert_eq!(&row[column("side")], rep["side"].as_str().unwrap_or(""));
        let start: f64 = row[column("start_s")].parse().unwrap();
        assert!((start - rep["start_s"].as_f64().unwrap()).abs() < 1e-6);
        assert_eq!(&row[column("pain_before")], "5");
    }

    // Beside it, one row per session: what was done and the pain around it.
    let mut sessions = csv::Reader::from_path(dir.path().join("reps.sessions.csv")).unwrap();
    let session_header = sessions.headers().unwrap().clone();
    let session_rows: Vec<csv::StringRecord> = sessions.records().map(Result::unwrap).collect();
    assert_eq!(session_rows.len(), 1);
    let session = |name: &str| {
        let k = session_header.iter().position(|h| h == name).unwrap();
        session_rows[0][k].to_string()
    };
    assert_eq!(session("exercises"), "pelvic-rock");
    assert_eq!(session("reps_done"), reps.to_string());
    assert_eq!(session("pain_before"), "5");
    assert_eq!(session("date"), "2026-12-03");

    // The same history for a clinic's systems: FHIR R4, the fault spans counted per code.
    let fhir_path = dir.path().join("history.fhir.json");
    export("fhir", &fhir_path, dir.path());
    let bundle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&fhir_path).unwrap()).unwrap();
    assert_eq!(bundle["type"], "collection");
    let resources: Vec<&serde_json::Value> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .collect();
    let coded = |code: &str| -> Vec<&serde_json::Value> {
        resources
            .iter()
            .copied()
            .filter(|r| r["code"]["coding"][0]["code"] == code)
            .collect()
    };
    assert_eq!(coded("72514-3").len(), 1, "one pain rating");
    assert_eq!(coded("72514-3")[0]["valueQuantity"]["value"], 5.0);
    let reps_obs = coded("reps-completed");
    assert_eq!(reps_obs[0]["valueQuantity"]["value"], reps as f64);
    let spans = report["faults"].as_array().map_or(0, Vec::len);
    let counted: f64 = coded("form-fault")
        .iter()
        .filter_map(|o| o["valueQuantity"]["value"].as_f64())
        .sum();
    assert_eq!(counted, spans as f64, "every fault span counted once");
    // Faults on reps travel with them.
    let faulted = rows
        .iter()
        .filter(|r| r[column("faults")].contains("shoulders-sway"))
        .count();
    assert!(faulted > 0, "no rep carries its shoulders-sway");
}

#[test]
fn exporting_to_an_unwritable_place_or_format_fails_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "x").unwrap();
    let target = blocker.join("out.csv");
    let out = backform(
        &[
            "history",
            "export",
            "--format",
            "csv",
            target.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("out.csv"), "{err}");
    let out = backform(&["history", "export", "--format", "xml", "x"], dir.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("xml"));
}

#[test]
fn delete_asks_or_takes_yes_and_never_deletes_silently() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "sessions.jsonl",
        "sessions.jsonl.imported",
        "recent_videos.json",
    ] {
        std::fs::write(dir.path().join(name), "{}\n").unwrap();
    }
    std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
    // The test's stdin is not a terminal: without --yes nothing goes.
    let out = backform(&["history", "delete"], dir.path());
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--yes"), "{err}");
    assert!(dir.path().join("sessions.jsonl").exists());

    let out = backform(&["history", "delete", "--yes"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in [
        "sessions.jsonl",
        "sessions.jsonl.imported",
        "recent_videos.json",
    ] {
        assert!(!dir.path().join(name).exists(), "{name} is still there");
    }
    assert!(dir.path().join("keep.txt").exists());
    let out = backform(&["history", "delete", "--yes"], dir.path());
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing to delete"));
}
