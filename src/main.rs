//! The `backform` command line: the app (default), `analyze`, `bench`, `exercises`.
//!
//! Parses arguments, opens output files, draws progress on stderr, and turns library
//! errors into one clear line and a non-zero exit. All the work is in the library.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use backform::capture::SourceSpec;
use backform::eval;
use backform::pipeline::analyze::{self, AnalyzeError, Poses};
use backform::pipeline::stats::Samples;
use backform::pose::jsonl::LandmarksLine;
use backform::pose::{ModelVariant, PoseConfig};
use backform::ui::{AppOptions, SourceChoice, run_app};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Parser)]
#[command(
    name = "backform",
    version,
    about = "Live coaching for low-back-pain exercises, on your own machine"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    app: AppArgs,
}

/// The app (no subcommand): the live coaching window.
#[derive(Args)]
struct AppArgs {
    /// Camera index to open (default 0).
    #[arg(long, value_name = "N", conflicts_with = "video")]
    camera: Option<u32>,
    /// A recording instead of the camera, played at its own speed as if live.
    #[arg(long, value_name = "FILE")]
    video: Option<PathBuf>,
    /// Coach one exercise (see `backform exercises`) instead of the whole routine.
    #[arg(long, value_name = "ID", conflicts_with = "routine")]
    exercise: Option<String>,
    /// A routine file (a physiotherapist's; see assets/routines/ for the format):
    /// "Start the routine" runs it.
    #[arg(long, value_name = "FILE")]
    routine: Option<PathBuf>,
    /// Landmark model: full (MediaPipe's default) or lite (faster); default: the
    /// settings' choice.
    #[arg(long)]
    model: Option<ModelVariant>,
    /// Start without the cue tones, for this run (M toggles them).
    #[arg(long)]
    mute: bool,
    /// Skip the start screen and readiness check (demos, screenshots).
    #[arg(long, hide = true)]
    autostart: bool,
    /// Replay landmarks recorded by `analyze --landmarks` instead of running the model.
    #[arg(long, hide = true, value_name = "FILE.jsonl")]
    landmarks: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the pose pipeline over every frame of a video (or a folder of images).
    Analyze(AnalyzeArgs),
    /// Time each stage of the pipeline on a video and print median and p95.
    Bench(BenchArgs),
    /// List the exercises backform coaches: ids, names, camera placement, prescription.
    Exercises,
    /// Score the coach on a folder of clips with ground truth; exit 1 if any is wrong.
    Eval(EvalArgs),
    /// The exercise history: import the session log, export it for a physiotherapist.
    #[command(subcommand)]
    History(HistoryCommand),
}

#[derive(Subcommand)]
enum HistoryCommand {
    /// Import the session log (sessions.jsonl) into the history database, once; the log
    /// then moves to sessions.jsonl.imported.
    Import {
        /// The log to import (default: sessions.jsonl in the data directory).
        #[arg(long, value_name = "FILE")]
        log: Option<PathBuf>,
        #[command(flatten)]
        db: HistoryDb,
    },
    /// Delete all kept data: the history, the session log and the recent videos list.
    /// Asks first on a terminal; scripts pass --yes (without it and without a terminal
    /// nothing is deleted).
    Delete {
        /// Delete without asking.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        db: HistoryDb,
    },
    /// Export the history: one row per rep (csv), every report (json), or FHIR R4 (fhir).
    Export {
        #[arg(long, value_enum)]
        format: backform::history::export::Format,
        /// The file to write.
        out: PathBuf,
        #[command(flatten)]
        db: HistoryDb,
    },
}

#[derive(Args)]
struct HistoryDb {
    /// The history database (default: history.sqlite3 in the data directory;
    /// BACKFORM_DATA_DIR moves that).
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,
}

impl HistoryDb {
    fn path(&self) -> anyhow::Result<PathBuf> {
        match &self.db {
            Some(path) => Ok(path.clone()),
            None => backform::history::Store::default_path().context(
                "no data directory for the history: set BACKFORM_DATA_DIR to a writable folder",
            ),
        }
    }

    fn open(&self) -> anyhow::Result<backform::history::Store> {
        Ok(backform::history::Store::open(&self.path()?)?)
    }
}

/// `backform history delete`: lists what would go, asks on a terminal (or takes --yes),
/// refuses otherwise.
fn delete_history(yes: bool, db: &HistoryDb) -> anyhow::Result<()> {
    use std::io::{BufRead, IsTerminal, Write};
    let data_dir = backform::coach::session_log::default_data_dir()?;
    let db = db.path()?;
    let files = backform::history::delete::kept_files(&data_dir, &db);
    if files.is_empty() {
        println!("nothing to delete: no history in {}", data_dir.display());
        return Ok(());
    }
    println!("This deletes, for good:");
    for f in &files {
        println!("  {}", f.display());
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            anyhow::bail!(
                "not deleting without a yes: run it in a terminal to be asked, or add --yes"
            );
        }
        print!("Delete all of it? Type yes to confirm: ");
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if answer.trim() != "yes" {
            println!("nothing deleted");
            return Ok(());
        }
    }
    let removed = backform::history::delete::delete_all(&data_dir, &db)?;
    println!("deleted {} files", removed.len());
    Ok(())
}

fn history_command(command: &HistoryCommand) -> anyhow::Result<()> {
    match command {
        HistoryCommand::Import { log, db } => {
            let log = match log {
                Some(log) => log.clone(),
                None => backform::coach::session_log::default_data_dir()?
                    .join(backform::coach::session_log::LOG_FILE_NAME),
            };
            if !log.exists() {
                println!("nothing to import: {} does not exist", log.display());
                return Ok(());
            }
            let mut store = db.open()?;
            let done = backform::history::import::import_session_log(&mut store, &log)?;
            println!(
                "imported {} exercise runs and {} pain ratings ({} already there, {} unreadable lines skipped)",
                done.runs_added, done.pain_added, done.already_there, done.unreadable
            );
            Ok(())
        }
        HistoryCommand::Delete { yes, db } => delete_history(*yes, db),
        HistoryCommand::Export { format, out, db } => {
            let store = db.open()?;
            backform::history::export::export(&store, *format, out)?;
            println!("wrote {}", out.display());
            Ok(())
        }
    }
}

#[derive(Args, Clone)]
struct ModelArgs {
    /// Landmark model: full (MediaPipe's default) or lite (faster).
    #[arg(long, default_value = "full")]
    model: ModelVariant,
    /// ONNX Runtime intra-op threads per model.
    #[arg(long, default_value_t = PoseConfig::default().intra_threads)]
    threads: usize,
    /// Stamp frames 1/30 s apart whatever the clip's rate, as MediaPipe's Python API
    /// does: reproduces its smoothing exactly, for comparisons with its output.
    #[arg(long)]
    mediapipe_timing: bool,
}

impl ModelArgs {
    fn pose_config(&self) -> PoseConfig {
        let base = if self.mediapipe_timing {
            PoseConfig::mediapipe_reference()
        } else {
            PoseConfig::default()
        };
        PoseConfig {
            variant: self.model,
            intra_threads: self.threads.max(1),
            ..base
        }
    }
}

#[derive(Args)]
struct AnalyzeArgs {
    /// A video file, or a folder of images played in name order.
    video: PathBuf,
    /// Write one JSON line of landmarks per frame here (`-` for stdout).
    #[arg(long, value_name = "OUT.jsonl")]
    landmarks: Option<PathBuf>,
    /// Coach this exercise (see `backform exercises`) and write its report with --report.
    #[arg(long, value_name = "ID")]
    exercise: Option<String>,
    /// Write the exercise report (JSON) here (`-` for stdout); needs --exercise.
    #[arg(long, value_name = "OUT.json", requires = "exercise")]
    report: Option<PathBuf>,
    /// Replay these landmarks (written by --landmarks) instead of running the model.
    #[arg(long, value_name = "FILE.jsonl", conflicts_with = "landmarks")]
    from_landmarks: Option<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
}

#[derive(Args)]
struct EvalArgs {
    /// A folder of clips: every `X.mp4` with its ground truth `X.json` (not subfolders).
    folder: PathBuf,
    /// Also write the scores as JSON here (`-` for stdout).
    #[arg(long, value_name = "OUT.json")]
    json: Option<PathBuf>,
    /// Replay `DIR/X.jsonl` landmarks instead of running the model (for tuning).
    #[arg(long, value_name = "DIR")]
    from_landmarks: Option<PathBuf>,
    /// A title for the tables (default: the folder's name).
    #[arg(long)]
    title: Option<String>,
    /// Write the tables as Markdown here instead of printing them.
    #[arg(long, value_name = "OUT.md")]
    markdown: Option<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
}

#[derive(Args)]
struct BenchArgs {
    /// A video file, or a folder of images.
    video: PathBuf,
    /// Stop after this many frames.
    #[arg(long)]
    frames: Option<u64>,
    /// Also coach this exercise on every frame and time that stage (ids: `backform
    /// exercises`).
    #[arg(long)]
    exercise: Option<String>,
    #[command(flatten)]
    model: ModelArgs,
}

fn main() -> ExitCode {
    quiet_native_logs();
    let cli = Cli::parse();
    init_logging();
    let outcome = match cli.command {
        Some(Command::Analyze(args)) => analyze_command(&args),
        Some(Command::Bench(args)) => bench_command(&args),
        Some(Command::Exercises) => exercises_command(),
        Some(Command::Eval(args)) => eval_command(&args),
        Some(Command::History(command)) => history_command(&command),
        None => app_command(cli.app),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("backform: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// OpenCV and FFmpeg print their own warnings ("moov atom not found", "can't open
/// camera by index") beside our one clear error: keep them quiet unless asked for.
fn quiet_native_logs() {
    // FFmpeg's level is read when the first file opens, so the variable still works.
    if std::env::var_os("OPENCV_FFMPEG_LOGLEVEL").is_none() {
        // SAFETY: called first thing in main, before any thread exists.
        unsafe { std::env::set_var("OPENCV_FFMPEG_LOGLEVEL", "-8") };
    }
    backform::capture::quiet_opencv_logs();
}

/// Logs go to stderr (stdout may carry JSON); `RUST_LOG` overrides the default level.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// A file, or stdout for `-`.
fn create_output(path: &Path) -> anyhow::Result<Box<dyn Write>> {
    if path == Path::new("-") {
        return Ok(Box::new(BufWriter::new(std::io::stdout().lock())));
    }
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    Ok(Box::new(BufWriter::new(file)))
}

fn progress_bar(frames: Option<u64>) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(frames, indicatif::ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{spinner} {pos}/{len} frames [{elapsed_precise}] {per_sec} {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

fn analyze_command(args: &AnalyzeArgs) -> anyhow::Result<()> {
    if args.landmarks.is_none() && args.report.is_none() {
        anyhow::bail!(
            "nothing to write: give --landmarks OUT.jsonl and/or --exercise ID --report OUT.json (- for stdout)"
        );
    }
    if args.landmarks.as_deref() == Some(Path::new("-"))
        && args.report.as_deref() == Some(Path::new("-"))
    {
        anyhow::bail!(
            "--landmarks and --report cannot both go to stdout: write one of them to a file"
        );
    }
    let spec = SourceSpec::from_path(&args.video);
    let poses = match &args.from_landmarks {
        Some(path) => Poses::Replay(path.clone()),
        None => Poses::Model(args.model.pose_config()),
    };
    let mut landmarks_out = args.landmarks.as_deref().map(create_output).transpose()?;
    let mut bar: Option<ProgressBar> = None;
    let started = Instant::now();
    let coached = analyze::coach_clip(&spec, &poses, args.exercise.as_deref(), |frame, info| {
        let bar = bar.get_or_insert_with(|| {
            tracing::info!("analyzing {}", analyze::describe(info));
            progress_bar(info.frame_count)
        });
        if let Some(out) = landmarks_out.as_mut() {
            LandmarksLine::from_pose(frame.index, frame.timestamp_s, frame.pose)
                .write_to(out)
                .map_err(|e| AnalyzeError::Output(e.to_string()))?;
        }
        bar.inc(1);
        Ok(())
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    // Whatever was analysed is written even when the input failed part-way.
    if let Some(mut out) = landmarks_out {
        out.flush().context("cannot write the landmarks")?;
    }
    if let (Some(report), Some(path)) = (coached.report.as_ref(), args.report.as_deref()) {
        let mut out = create_output(path)?;
        let json = report.to_json().context("cannot encode the report")?;
        writeln!(out, "{json}")
            .and_then(|()| out.flush())
            .with_context(|| format!("cannot write the report to {}", path.display()))?;
    }
    if let Some(err) = coached.error {
        return Err(err.into());
    }
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        "{} frames in {seconds:.2} s ({:.1} frames/s)",
        coached.frames,
        coached.frames as f64 / seconds.max(1e-9)
    );
    Ok(())
}

/// `eval` found clips the coach got wrong: exit 1 after printing the tables.
#[derive(Debug, thiserror::Error)]
#[error("{wrong} of {total} clips wrong")]
struct SomeClipsWrong {
    wrong: usize,
    total: usize,
}

fn eval_command(args: &EvalArgs) -> anyhow::Result<()> {
    let poses = match &args.from_landmarks {
        Some(dir) => eval::PoseInput::Replay(dir.clone()),
        None => eval::PoseInput::Model(args.model.pose_config()),
    };
    let clips = eval::find_clips(&args.folder)?;
    let bar = ProgressBar::with_draw_target(
        Some(clips.len() as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} clips [{elapsed}] {msg}")
    {
        bar.set_style(style);
    }
    let scores: Vec<eval::ClipScore> = clips
        .iter()
        .map(|clip| {
            bar.set_message(clip.stem.clone());
            let score = eval::evaluate_clip(clip, &poses);
            bar.inc(1);
            score
        })
        .collect();
    bar.finish_and_clear();
    let title = args.title.clone().unwrap_or_else(|| {
        args.folder.file_name().map_or_else(
            || args.folder.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    });
    let tables = eval::table::markdown(&title, &scores);
    match &args.markdown {
        Some(path) => std::fs::write(path, &tables)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{tables}"),
    }
    if let Some(path) = &args.json {
        let mut out = create_output(path)?;
        serde_json::to_writer_pretty(&mut out, &scores).context("cannot encode the scores")?;
        writeln!(out)
            .and_then(|()| out.flush())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let wrong = scores.iter().filter(|s| !s.right).count();
    if wrong > 0 {
        return Err(SomeClipsWrong {
            wrong,
            total: scores.len(),
        }
        .into());
    }
    Ok(())
}

fn app_command(args: AppArgs) -> anyhow::Result<()> {
    // Given flags win for this run; what is not given comes from the settings file.
    let source = match (args.video, args.camera) {
        (Some(path), _) => Some(SourceChoice::Video(path)),
        (None, Some(index)) => Some(SourceChoice::Camera(index)),
        (None, None) => None,
    };
    // A bad file stops here, with what to fix, before any window opens.
    let routine = args
        .routine
        .as_deref()
        .map(backform::coach::plan::RoutinePlan::load)
        .transpose()?;
    run_app(AppOptions {
        source,
        model: args.model,
        exercise: args.exercise,
        routine,
        mute: args.mute,
        autostart: args.autostart,
        landmarks: args.landmarks,
        ..AppOptions::default()
    })?;
    Ok(())
}

fn exercises_command() -> anyhow::Result<()> {
    let catalog = backform::exercises::spec::catalog()?;
    let mut out = std::io::stdout().lock();
    for spec in catalog {
        writeln!(out, "{}  —  {}", spec.id, spec.name)?;
        writeln!(out, "  camera:       {}", spec.placement)?;
        writeln!(out, "  prescription: {}", spec.prescription.summary)?;
        writeln!(out)?;
    }
    writeln!(out, "Routines (`--routine FILE` for your own):")?;
    for plan in backform::coach::plan::RoutinePlan::built_in() {
        writeln!(out, "  {}: {}", plan.name, plan.ids().join(" → "))?;
        if !plan.notes.is_empty() {
            writeln!(out, "    {}", plan.notes)?;
        }
    }
    Ok(())
}

fn bench_command(args: &BenchArgs) -> anyhow::Result<()> {
    let spec = SourceSpec::from_path(&args.video);
    let mut coach = args
        .exercise
        .as_deref()
        .map(backform::coach::Coach::new)
        .transpose()?;
    let config = PoseConfig {
        // As `analyze` would: the tilt's belly cue runs the segmentation head.
        segmentation: coach
            .as_ref()
            .is_some_and(backform::coach::Coach::reads_belly_cue),
        ..args.model.pose_config()
    };
    let (mut prefetch, mut estimator) = analyze::open(&spec, config.clone())?;
    let info = prefetch.info().clone();
    let mut decode = Samples::default();
    let mut preprocess = Samples::default();
    let mut detector = Samples::default();
    let mut landmark = Samples::default();
    let mut postprocess = Samples::default();
    let mut pose_tracking = Samples::default();
    let mut whole = Samples::default();
    let mut coaching = Samples::default();
    let mut silhouette = Samples::default();
    let mut pelvis_flow = Samples::default();
    let mut found = 0u64;
    let bar = progress_bar(args.frames.or(info.frame_count));
    let started = Instant::now();
    let frames = analyze::run(&mut prefetch, &mut estimator, args.frames, |frame| {
        let mut coach_time = std::time::Duration::ZERO;
        if let Some(c) = coach.as_mut() {
            let t0 = Instant::now();
            let _ = c.update(frame.timestamp_s, frame.pose);
            coach_time = t0.elapsed();
            coaching.push(coach_time);
        }
        let t = frame.timings;
        decode.push(frame.decode_time);
        preprocess.push(t.preprocess);
        if t.detector_ran {
            detector.push(t.detector);
        } else {
            pose_tracking.push(t.total());
        }
        landmark.push(t.landmark);
        postprocess.push(t.postprocess);
        if config.segmentation {
            silhouette.push(t.silhouette);
            pelvis_flow.push(t.pelvis_flow);
        }
        whole.push(frame.decode_time + t.total() + coach_time);
        found += u64::from(frame.pose.is_some());
        bar.inc(1);
        Ok(())
    })?;
    bar.finish_and_clear();
    let wall = started.elapsed();

    println!(
        "backform bench: {}\nmodel {}{}, {} intra-op thread(s) per model\n",
        analyze::describe(&info),
        config.variant.name(),
        if config.segmentation {
            " with its segmentation head (the belly outline) and the pelvis's optical flow"
        } else {
            ""
        },
        config.intra_threads
    );
    println!(
        "{:<34} {:>9} {:>9} {:>7}",
        "stage", "median ms", "p95 ms", "frames"
    );
    let rows = [
        ("decode (own thread)", &decode),
        ("preprocess (warps)", &preprocess),
        ("detector (when it ran)", &detector),
        ("landmark model", &landmark),
        ("postprocess", &postprocess),
        ("  of which the belly outline", &silhouette),
        ("  of which the pelvis's flow", &pelvis_flow),
        ("pose, tracking frames", &pose_tracking),
        ("coach (kinematics + exercise)", &coaching),
        ("whole frame (decode+pose+coach)", &whole),
    ];
    for (name, samples) in rows {
        let show = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |ms| format!("{ms:.2}"));
        println!(
            "{name:<34} {:>9} {:>9} {:>7}",
            show(samples.median_ms()),
            show(samples.p95_ms()),
            samples.len()
        );
    }
    println!(
        "\n{frames} frames in {:.2} s: {:.1} frames/s (decoding overlaps inference)",
        wall.as_secs_f64(),
        frames as f64 / wall.as_secs_f64().max(1e-9)
    );
    println!(
        "detector ran on {} of {frames} frames; a pose was found in {found}",
        detector.len()
    );
    Ok(())
}
