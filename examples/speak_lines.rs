//! Says a scripted list of coaching lines through the real voice (`Speaker::system`:
//! speech-dispatcher through tts) and prints when each was handed over, so a recording
//! or the daemon's log can be lined up against it (`docs/speech.md`).
//!
//!     cargo run --example speak_lines -- [--gap SECONDS] [--rate X] [--volume V]
//!
//! Without a working speech daemon it prints the one warning the app would log and
//! exits cleanly: that is the check that the app then falls back to its tones.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use backform::coach::speech::{Utterance, UtteranceKind};
use backform::pipeline::speaker::Speaker;

/// What a stretch of a session sounds like: an announcement, counts, a hold's countdown,
/// a form prompt, a camera line and the it-hurts advice.
const SCRIPT: [(UtteranceKind, &str); 9] = [
    (UtteranceKind::Announcement, "Pelvic tilt. Set one."),
    (UtteranceKind::Count, "one"),
    (UtteranceKind::Countdown, "hold"),
    (UtteranceKind::Countdown, "three"),
    (UtteranceKind::Countdown, "relax"),
    (UtteranceKind::Count, "two"),
    (
        UtteranceKind::Prompt,
        "Let the movement come from your pelvis",
    ),
    (
        UtteranceKind::Camera,
        "The camera stopped. I'll carry on when it's back.",
    ),
    (
        UtteranceKind::Safety,
        "Stopping now. Rest in a comfortable position.",
    ),
];

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut gap_s = 3.0;
    let mut rate = 1.0;
    let mut volume = 1.0;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().and_then(|v| v.parse::<f32>().ok());
        match (arg.as_str(), value) {
            ("--gap", Some(v)) => gap_s = v,
            ("--rate", Some(v)) => rate = v,
            ("--volume", Some(v)) => volume = v,
            _ => {
                eprintln!("usage: speak_lines [--gap SECONDS] [--rate X] [--volume V]");
                std::process::exit(2);
            }
        }
    }

    let started = Instant::now();
    let speaker = Speaker::system(rate, volume);
    let up = speaker.wait_until_started(Duration::from_secs(15));
    println!(
        "voice {} after {:.3} s",
        if up { "ready" } else { "unavailable" },
        started.elapsed().as_secs_f64()
    );
    if !up {
        return;
    }
    let t0 = Instant::now();
    for (kind, text) in SCRIPT {
        speaker.say(Utterance {
            text: text.to_string(),
            kind,
            at_s: t0.elapsed().as_secs_f64(),
        });
        let epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        println!(
            "sent t={:7.3}s epoch={epoch:.3} {kind:?}: {text}",
            t0.elapsed().as_secs_f64()
        );
        std::thread::sleep(Duration::from_secs_f32(gap_s.max(0.0)));
    }
    // Let the last line finish before the speaker (and its connection) goes.
    std::thread::sleep(Duration::from_secs(4));
}
