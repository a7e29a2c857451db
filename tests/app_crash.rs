//! The app as a user runs it, killed without warning: every rep it announced is in the
//! history. Runs `backform --video CLIP --exercise pelvic-rock --autostart --mute` in an
//! Xvfb screen with the real pose model, follows the "rep counted" lines it logs on
//! stderr, SIGKILLs it 0.5 s after the third, reopens the store and finds reps 1…3 with
//! their sides, times and faults; then `backform history export --format csv` lists them.

#![allow(clippy::expect_used, clippy::unwrap_used)] // helpers outside #[test] fns

mod require;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Reps to wait for before the kill.
const K: usize = 3;

/// One "rep counted" line: `number`, `side`, `end_s`, `faults` (comma-separated).
#[derive(Debug, Clone, PartialEq)]
struct Announced {
    number: u32,
    side: String,
    end_s: f64,
    faults: String,
}

/// Parses tracing's `key=value` fields (colours stripped) of a "rep counted" line.
fn announced(line: &str) -> Option<Announced> {
    let plain: String = {
        let mut out = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    };
    if !plain.contains("rep counted") {
        return None;
    }
    let field = |key: &str| {
        let start = plain.find(&format!(" {key}="))? + key.len() + 2;
        let rest = &plain[start..];
        Some(rest.split(' ').next().unwrap_or_default().to_string())
    };
    Some(Announced {
        number: field("number")?.parse().ok()?,
        side: field("side")?,
        end_s: field("end_s")?.parse().ok()?,
        faults: field("faults").unwrap_or_default(),
    })
}

struct Xvfb(Child);

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An Xvfb screen on a free display number.
fn xvfb() -> Option<(Xvfb, String)> {
    for n in 0..20 {
        let display = 140 + (std::process::id() % 50) + n * 50;
        if Path::new(&format!("/tmp/.X11-unix/X{display}")).exists() {
            continue;
        }
        let Ok(child) = Command::new("Xvfb")
            .args([
                format!(":{display}"),
                "-screen".into(),
                "0".into(),
                "1280x720x24".into(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        else {
            return None;
        };
        let server = Xvfb(child);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if Path::new(&format!("/tmp/.X11-unix/X{display}")).exists() {
                return Some((server, format!(":{display}")));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    None
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/exercises/pelvic_rock__shoulder_sway__front_seated.mp4")
}

#[test]
fn reps_announced_before_a_sigkill_are_all_in_the_history() {
    let clip = fixture();
    if !clip.exists() {
        require::skip(format!("{} is absent", clip.display()));
        return;
    }
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    if !models.join("pose_landmark_full.onnx").exists() {
        require::skip("the pose models are absent");
        return;
    }
    let Some((_screen, display)) = xvfb() else {
        require::skip("Xvfb is not installed (make test installs it)");
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let mut app = Command::new(env!("CARGO_BIN_EXE_backform"))
        .args([
            "--video",
            clip.to_str().unwrap(),
            "--exercise",
            "pelvic-rock",
            "--autostart",
            "--mute",
        ])
        .env("DISPLAY", &display)
        .env("BACKFORM_DATA_DIR", data.path())
        .env("BACKFORM_CONFIG_DIR", data.path().join("config"))
        .env("BACKFORM_MODELS", &models)
        // AccessKit is on: the app must start with no D-Bus session bus, as CI has none.
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("RUST_LOG", "warn,backform::history=info")
        .env("NO_COLOR", "1")
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the app starts");
    let stderr = app.stderr.take().unwrap();
    let (lines_tx, lines_rx) = mpsc::sync_channel(1024);
    std::thread::Builder::new()
        .name("app-stderr".into())
        .spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        })
        .unwrap();
    let mut reps = Vec::new();
    let mut log = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while reps.len() < K && Instant::now() < deadline {
        match lines_rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                if let Some(rep) = announced(&line) {
                    reps.push(rep);
                }
                log.push(line);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Ok(Some(status)) = app.try_wait() {
                    panic!("the app exited early ({status}):\n{}", log.join("\n"));
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    if reps.len() < K {
        let _ = app.kill();
        panic!(
            "only {} rep(s) announced within the time:\n{}",
            reps.len(),
            log.join("\n")
        );
    }
    std::thread::sleep(Duration::from_millis(500));
    app.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix: no chance to clean up
    app.wait().unwrap();

    let numbers: Vec<u32> = reps.iter().map(|r| r.number).collect();
    assert_eq!(numbers, (1..=K as u32).collect::<Vec<_>>());
    let store = backform::history::Store::open(&data.path().join("history.sqlite3")).unwrap();
    let rows = store.rep_rows().unwrap();
    assert!(rows.len() >= K, "{rows:?}");
    for (row, rep) in rows.iter().zip(&reps) {
        assert_eq!(row.exercise, "pelvic-rock");
        assert_eq!(row.end_reason, "in_progress", "cut off: still under way");
        assert_eq!(row.rep, rep.number);
        assert_eq!(row.side.as_deref(), Some(rep.side.as_str()));
        assert!((row.end_s - rep.end_s).abs() < 1e-6, "{row:?} vs {rep:?}");
        assert!(row.start_s < row.end_s);
        assert_eq!(row.faults, rep.faults.replace(',', " "));
    }
    // This clip sways its shoulders: the faults are what the app announced, not empty.
    assert!(
        reps.iter().any(|r| !r.faults.is_empty()),
        "a fault among {reps:?}"
    );
    drop(store);

    let csv = data.path().join("export.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_backform"))
        .args([
            "history",
            "export",
            "--format",
            "csv",
            csv.to_str().unwrap(),
        ])
        .env("BACKFORM_DATA_DIR", data.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(records.len() >= K);
    for (record, rep) in records.iter().zip(&reps) {
        assert_eq!(&record[column("side")], rep.side.as_str());
        assert_eq!(&record[column("exercise")], "pelvic-rock");
    }
}
