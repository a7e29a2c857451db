//! Runs the app window the way `backform` (no subcommand) will, until main.rs calls
//! `ui::run_app` itself: `cargo run --example app -- --video clip.mp4 --exercise pelvic-rock`.

use std::path::PathBuf;

use backform::ui::{AppOptions, ModelVariant, SourceChoice, run_app};
use clap::Parser;

#[derive(Parser)]
struct Args {
    /// Camera index.
    #[arg(long, default_value_t = 0)]
    camera: u32,
    /// A video file instead of the camera, played at its own speed.
    #[arg(long)]
    video: Option<PathBuf>,
    /// One exercise instead of the routine.
    #[arg(long)]
    exercise: Option<String>,
    /// Replay recorded landmarks (JSONL) instead of running the pose model.
    #[arg(long)]
    landmarks: Option<PathBuf>,
    /// lite or full.
    #[arg(long, default_value = "full")]
    model: String,
    #[arg(long)]
    mute: bool,
    /// Start at once (no start screen, pain question or readiness check).
    #[arg(long)]
    autostart: bool,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let options = AppOptions {
        source: match args.video {
            Some(path) => SourceChoice::Video(path),
            None => SourceChoice::Camera(args.camera),
        },
        model: if args.model == "lite" {
            ModelVariant::Lite
        } else {
            ModelVariant::Full
        },
        exercise: args.exercise,
        mute: args.mute,
        autostart: args.autostart,
        landmarks: args.landmarks,
        ..AppOptions::default()
    };
    run_app(options)?;
    Ok(())
}
