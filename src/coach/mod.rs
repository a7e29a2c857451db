//! The coach: runs one exercise over a stream of poses and decides what to say.
//!
//! In flow `(t_s, Option<&Pose>)` — every video or camera frame, `None` when no person
//! was found; out flow [`Event`]s (ready, rep counted, hold progress/completed, fault
//! started/ended, set completed, traction timer, prompts), a [`CoachState`] the UI draws
//! without deciding anything, and at the end a [`Report`]. The app (live) and `backform
//! analyze` (files) drive the same [`Coach`], so a report shows the very prompts the app
//! would have given.
//!
//! Phases: **waiting** — each pose is checked against the exercise's posture, camera
//! view, needed body parts and starting position; the first failing check is the
//! readiness message (and, when it persists, a camera or set-up prompt). Once the person
//! holds the starting position still for a moment the body axes and resting baselines
//! are calibrated and the exercise **runs**: frames go to the exercise; a frame whose view
//! no longer fits (the camera moved, the person got up, tracking broke) is not judged, and
//! if that lasts, a camera prompt says what to fix. A jump of the body's scale or place
//! between frames that holds (a cut, a zoom, a knocked camera) is a **new view**: the rep
//! under way is dropped, the same camera angle keeps its axes and resting levels at the
//! new scale, another angle calibrates afresh. **Finished** after [`Coach::finish`]
//! or [`Coach::stop_hurts`].
//!
//! Prompts come one at a time through [`prompts::Prompter`]: safety (`over-time`, "it
//! hurts") first, then form faults, then camera prompts; never the same one within 8 s.
//! Form prompts only come from checks whose landmarks were seen. That the movement is
//! below what its signal shows is said once per span it lasts (calmly: not every 8 s),
//! or, when only the end showed it, once at the end.
//!
//! Around the coach: [`routine`] sequences exercises for the app (order, readiness →
//! start, rests, stops), [`session_log`] appends what happened to a JSON-lines file, and
//! [`speech`] turns the routine's views into the lines said aloud (what is said; the
//! pipeline's `speaker` says them).

pub mod plan;
pub mod prompts;
pub mod report;
pub mod routine;
pub mod session_log;
pub mod speech;

use std::collections::VecDeque;

use crate::exercises::{
    self, Counts, Exercise, ExerciseEvent, ExerciseSpec, FaultCode, HoldState, Requirements, Side,
    SpecError, TimerState,
};
use crate::kinematics::visibility::DEFAULT_VISIBILITY_MIN;
use crate::kinematics::{
    BodyAxes, BodyFrame, BodyPart, PartVisibility, Posture, SideNeed, View, ViewEstimate, classify,
    provisional_axes,
};
use crate::pose::Pose;

pub use prompts::{Prompt, PromptKind};
pub use report::Report;

/// Trouble creating a coach.
#[derive(Debug, thiserror::Error)]
pub enum CoachError {
    #[error(transparent)]
    Spec(#[from] SpecError),
}

/// Where the coach is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for the person to be seen in the starting position.
    Waiting,
    /// Counting and checking.
    Running,
    Finished,
}

/// Whether the exercise can start, and if not, what to fix.
#[derive(Clone, Debug, PartialEq)]
pub struct Readiness {
    pub ready: bool,
    pub message: Option<String>,
}

/// Why the exercise stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The person pressed "it hurts — stop".
    Hurts,
}

/// What the coach reports as frames go by.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// Calibrated in the starting position: counting starts.
    Ready {
        t_s: f64,
    },
    RepCounted {
        side: Option<Side>,
        /// The side was not seen but taken from the prescribed alternation.
        side_inferred: bool,
        set: u32,
        number: u32,
        start_s: f64,
        t_s: f64,
        hold_s: Option<f64>,
        faults: Vec<FaultCode>,
    },
    HoldProgress {
        held_s: f64,
        target_s: f64,
    },
    HoldCompleted {
        held_s: f64,
        t_s: f64,
    },
    FaultStarted {
        code: FaultCode,
        t_s: f64,
    },
    FaultEnded {
        code: FaultCode,
        t_s: f64,
    },
    SetCompleted {
        set: u32,
        reps: u32,
        t_s: f64,
    },
    /// Traction: settled on the block, the clock runs from `t_s`.
    TimerStarted {
        t_s: f64,
    },
    TimerStopped {
        t_s: f64,
        elapsed_s: f64,
    },
    /// Traction: a leg slide (`side` `None`: both legs at once).
    Step {
        side: Option<Side>,
        start_s: f64,
        end_s: f64,
    },
    /// A prompt was issued.
    Prompt(Prompt),
    /// The exercise ended early.
    Stopped {
        t_s: f64,
        reason: StopReason,
    },
}

/// Everything the UI draws.
#[derive(Clone, Debug, PartialEq)]
pub struct CoachState {
    pub exercise_id: String,
    pub name: String,
    pub phase: Phase,
    pub readiness: Readiness,
    pub counts: Counts,
    /// Current set (from 1) and the prescribed range of sets.
    pub set: u32,
    pub sets_min: u32,
    pub sets_max: u32,
    pub reps_in_set: u32,
    /// Reps per set, all sides; and per side (0 when unsided).
    pub reps_target: u32,
    pub reps_per_side_target: u32,
    /// Hold progress (exercises with a hold).
    pub hold: Option<HoldState>,
    /// Traction's timer.
    pub timer: Option<TimerState>,
    pub active_faults: Vec<FaultCode>,
    /// The prompt on screen, if any.
    pub prompt: Option<Prompt>,
    /// Landmarks the checks read, and those in active faults (for highlighting).
    pub check_landmarks: Vec<usize>,
    pub fault_landmarks: Vec<usize>,
    /// The person pressed "it hurts — stop".
    pub stopped_hurts: bool,
    /// The movement signal's excursion from rest and its start threshold, in the
    /// exercise's signal unit (a live gauge; `None` before calibration).
    pub movement: Option<f64>,
    pub movement_threshold: f64,
}

/// How long the starting position must be held still to calibrate.
const CALIBRATION_S: f64 = 0.4;
/// Largest movement (torso lengths) of the shoulder, hip, knee and ankle midpoints while
/// "still".
const STILL_TORSO: f64 = 0.03;
/// Poses kept while waiting.
const WAIT_WINDOW_S: f64 = 3.0;
/// A problem must last this long before it becomes a camera/set-up prompt.
const PROBLEM_PROMPT_AFTER_S: f64 = 1.0;
/// Recent readiness verdicts considered for the camera advice.
const ADVICE_WINDOW_S: f64 = 3.0;
/// Share of recent frames with a usable body seen from the wrong place that makes "move
/// the camera" the advice.
const WRONG_VIEW_SHARE: f64 = 0.2;
/// A body lost within this long of being seen from the wrong place still gets the
/// wrong-view advice.
const WRONG_VIEW_MEMORY_S: f64 = 10.0;
/// Frames lost for up to this long while waiting keep the starting position's window.
const MAX_WAIT_GAP_S: f64 = 0.5;
/// Torso-length ratio to the calibrated one outside which a frame is not judged.
const SCALE_RANGE: (f64, f64) = (0.6, 1.6);
/// Between one frame and the next, the torso's image length changing by more than this
/// factor, or its centre moving more than `VIEW_JUMP_TORSO` torso lengths, is the
/// picture changing under the person (a cut, a zoom, a knocked camera): no exercise
/// moves a body that fast. MediaPipe's frame-to-frame jitter is a few percent.
const VIEW_JUMP_SCALE: f64 = 1.25;
const VIEW_JUMP_TORSO: f64 = 0.5;
/// The changed picture must hold this long to be a new view (a one-frame misplacement
/// by the tracker is not).
const VIEW_JUMP_CONFIRM_S: f64 = 0.3;
/// A new view whose trunk points within this many degrees of the old one is the same
/// camera zoomed or panned: the axes keep their directions and take the new scale. More
/// than this is another camera angle: calibrate afresh.
const VIEW_SAME_ANGLE_DEG: f64 = 10.0;
/// An upright person seen from the other side of the side/front divide (turned to face
/// the camera, or the camera moved round without the picture jumping) this long is a new
/// view. The classifier's upright views do not flicker: MediaPipe on the rendered clips
/// reads shoulder-or-hip width over the torso at most 0.12 side-on, at least 0.55 from
/// the front (through squats, side bends and 35° twists), against its divide at 0.3.
const VIEW_TURN_CONFIRM_S: f64 = 1.0;

/// Why a frame is not (yet) usable, in the order the advice prefers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Problem {
    WrongView,
    NoPerson,
    TooFar,
    CannotSee(crate::kinematics::BodyPart),
    Posture,
    StartPosition,
    HoldStill,
}

/// Where the body is in the image: its shoulder–hip centre and torso length, pixels.
#[derive(Clone, Copy, Debug)]
struct Place {
    centre: crate::kinematics::Vec2,
    torso_px: f64,
    /// Hips → shoulders, unit length.
    trunk_dir: crate::kinematics::Vec2,
}

impl Place {
    fn of(pose: &Pose) -> Option<Place> {
        use crate::kinematics::view::mid;
        use crate::pose::index::*;
        if pose.landmarks.len() <= RIGHT_HIP {
            return None;
        }
        let shoulders = mid(pose, LEFT_SHOULDER, RIGHT_SHOULDER);
        let hips = mid(pose, LEFT_HIP, RIGHT_HIP);
        let torso_px = crate::kinematics::Vec2::distance(shoulders, hips);
        if torso_px <= 1.0 {
            return None;
        }
        Some(Place {
            centre: crate::kinematics::Vec2::midpoint(shoulders, hips),
            torso_px,
            trunk_dir: (shoulders - hips).normalized()?,
        })
    }

    /// Too far from `other` in scale or place for the body to have moved there.
    fn jumped_from(&self, other: &Place) -> bool {
        let ratio = self.torso_px / other.torso_px;
        let moved = crate::kinematics::Vec2::distance(self.centre, other.centre)
            / self.torso_px.min(other.torso_px);
        !(1.0 / VIEW_JUMP_SCALE..=VIEW_JUMP_SCALE).contains(&ratio) || moved > VIEW_JUMP_TORSO
    }
}

/// Runs one exercise over a stream of poses.
pub struct Coach {
    spec: ExerciseSpec,
    exercise: Box<dyn Exercise>,
    requirements: Requirements,
    phase: Phase,
    readiness: Readiness,
    /// Poses in the starting position since `ready_since` (waiting phase).
    window: VecDeque<(f64, Pose)>,
    ready_since: Option<f64>,
    axes: Option<BodyAxes>,
    estimate: Option<ViewEstimate>,
    /// Recent problems (t, problem) for the advice.
    problems: VecDeque<(f64, Option<Problem>)>,
    problem_since: Option<(Problem, f64)>,
    /// When the body was last seen from the wrong place.
    last_wrong_view_s: Option<f64>,
    prompter: prompts::Prompter,
    first_t: Option<f64>,
    last_t: f64,
    stopped: Option<StopReason>,
    notes: Vec<String>,
    /// Spans where the movement could not be seen (closed), and the open one.
    cannot_see: Vec<report::CannotSeeSpan>,
    blind: Option<report::CannotSeeSpan>,
    /// Body parts hidden or the view lost while running: since when, and the span once
    /// it has lasted (`PROBLEM_PROMPT_AFTER_S`).
    hidden: Option<(report::CannotSeeReason, f64)>,
    hidden_span: Option<report::CannotSeeSpan>,
    /// Where the body was in the last judged frame (running).
    place: Option<Place>,
    /// A changed picture not yet confirmed as a new view: since when, and where.
    jump: Option<(f64, Place)>,
    /// An upright person seen in the other view (side/front) since when, not yet
    /// confirmed as turned.
    turn: Option<f64>,
}

impl Coach {
    /// A coach for the exercise with this id (`pelvic-tilt`, `controlled-rotation`,
    /// `pelvic-rock`, `back-block-traction`).
    pub fn new(exercise_id: &str) -> Result<Coach, CoachError> {
        Self::from_spec(exercises::spec::load(exercise_id)?)
    }

    /// A coach for an exercise whose spec a routine has prescribed
    /// ([`ExerciseSpec::prescribed`](exercises::spec::ExerciseSpec::prescribed)).
    pub fn from_spec(spec: exercises::ExerciseSpec) -> Result<Coach, CoachError> {
        let exercise = exercises::create_from_spec(spec)?;
        let spec = exercise.spec().clone();
        let requirements = exercise.requirements();
        Ok(Coach {
            spec,
            exercise,
            requirements,
            phase: Phase::Waiting,
            readiness: Readiness {
                ready: false,
                message: None,
            },
            window: VecDeque::new(),
            ready_since: None,
            axes: None,
            estimate: None,
            problems: VecDeque::new(),
            problem_since: None,
            last_wrong_view_s: None,
            prompter: prompts::Prompter::default(),
            first_t: None,
            last_t: 0.0,
            stopped: None,
            notes: Vec::new(),
            cannot_see: Vec::new(),
            blind: None,
            hidden: None,
            hidden_span: None,
            place: None,
            jump: None,
            turn: None,
        })
    }

    /// Whether the exercise reads the belly's silhouette edge, so the pose stage must
    /// compute it ([`crate::pose::PoseConfig::segmentation`]).
    pub fn reads_belly_cue(&self) -> bool {
        self.requirements.belly_cue
    }

    /// The exercise's spec.
    pub fn spec(&self) -> &ExerciseSpec {
        &self.spec
    }

    /// One frame at video/capture time `t_s` (`None`: no person found).
    pub fn update(&mut self, t_s: f64, pose: Option<&Pose>) -> Vec<Event> {
        if self.phase == Phase::Finished {
            return Vec::new();
        }
        self.first_t.get_or_insert(t_s);
        self.last_t = t_s;
        let mut events = match self.phase {
            Phase::Waiting => self.wait(t_s, pose),
            Phase::Running => self.run(t_s, pose),
            Phase::Finished => Vec::new(),
        };
        if let Some(p) = self.prompter.tick(t_s) {
            events.push(Event::Prompt(p));
        }
        events
    }

    /// "It hurts — stop": ends the exercise now; the report records it.
    pub fn stop_hurts(&mut self, t_s: f64) -> Vec<Event> {
        if self.phase == Phase::Finished {
            return Vec::new();
        }
        let mut events = self.close(t_s);
        self.stopped = Some(StopReason::Hurts);
        self.notes
            .push(format!("stopped: it hurts (at {t_s:.1} s)"));
        self.prompter.clear();
        let text = self.spec.stop_prompt.clone();
        self.prompter.offer(PromptKind::Safety, &text, t_s);
        if let Some(p) = self.prompter.tick(t_s) {
            events.push(Event::Prompt(p));
        }
        events.push(Event::Stopped {
            t_s,
            reason: StopReason::Hurts,
        });
        events
    }

    /// Ends the exercise at `t_s` (the end of the video, or the user moved on) and
    /// returns the report.
    pub fn finish(&mut self, t_s: f64) -> Report {
        self.finish_with_events(t_s).0
    }

    /// [`Coach::finish`], with the events of closing it: a rep or set that completes as
    /// the exercise ends is in the report, and its event tells whoever keeps counts.
    pub fn finish_with_events(&mut self, t_s: f64) -> (Report, Vec<Event>) {
        let events = if self.phase == Phase::Finished {
            Vec::new()
        } else {
            self.close(t_s)
        };
        let start = self.first_t.unwrap_or(0.0);
        let mut notes = self.notes.clone();
        if self.axes.is_none() {
            let why = self
                .readiness
                .message
                .clone()
                .unwrap_or_else(|| self.spec.camera.no_person.clone());
            notes.push(format!("the exercise never started: {why}"));
        }
        let record = self.exercise.record();
        if let Some(since) = record.unseen_since {
            let text = self.spec.camera.signal_below_noise.clone();
            self.prompter
                .say_at_end(PromptKind::Camera, &text, since, t_s);
        }
        let mut report = Report::build(
            &self.spec,
            (t_s - start).max(0.0),
            &record,
            self.prompter.log(),
            &notes,
        );
        report.cannot_see.clone_from(&self.cannot_see);
        if let Some(since) = record.unseen_since {
            widen_unseen(&mut report.cannot_see, since, t_s);
        }
        report
            .cannot_see
            .sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        (report, events)
    }

    /// The UI's snapshot.
    pub fn state(&self) -> CoachState {
        let ex = self.exercise.state();
        CoachState {
            exercise_id: self.spec.id.clone(),
            name: self.spec.name.clone(),
            phase: self.phase,
            readiness: self.readiness.clone(),
            counts: ex.counts,
            set: ex.set,
            sets_min: self.spec.prescription.sets_min,
            sets_max: self.spec.prescription.sets_max,
            reps_in_set: ex.reps_in_set,
            reps_target: ex.reps_target,
            reps_per_side_target: ex.reps_per_side_target,
            hold: ex.hold,
            timer: ex.timer,
            active_faults: ex.active_faults,
            prompt: self.prompter.current().cloned(),
            check_landmarks: ex.check_landmarks,
            fault_landmarks: ex.fault_landmarks,
            stopped_hurts: self.stopped == Some(StopReason::Hurts),
            movement: ex.movement,
            movement_threshold: ex.movement_threshold,
        }
    }

    /// The body axes fixed at calibration, once running.
    pub fn axes(&self) -> Option<&BodyAxes> {
        self.axes.as_ref()
    }

    fn close(&mut self, t_s: f64) -> Vec<Event> {
        self.track_blindness(t_s, None, None);
        self.track_hidden(t_s, None, true);
        let exercise_events = self.exercise.finish(t_s);
        self.phase = Phase::Finished;
        let mut events = Vec::new();
        for ev in exercise_events {
            events.extend(self.translate(ev, t_s));
        }
        events
    }

    // ---- waiting ----

    /// Checks one pose against the requirements; on success returns the view estimate.
    fn assess(&self, pose: &Pose) -> Result<ViewEstimate, Problem> {
        let est = classify(pose);
        if est.too_small {
            return Err(Problem::TooFar);
        }
        let req = &self.requirements;
        if !req.accepts_posture(est.posture) {
            // Seen end-on is a camera matter whatever the posture looks like; anything
            // else is the person's position.
            return Err(if est.view == View::End {
                Problem::WrongView
            } else {
                Problem::Posture
            });
        }
        if est.view != req.view && Some(est.view) != req.other_view {
            return Err(Problem::WrongView);
        }
        let Some((_, axes)) = provisional_axes(pose) else {
            return Err(Problem::WrongView);
        };
        let seen = PartVisibility::of(pose, axes.labels_swapped);
        if let Some(part) = seen.first_missing(&req.parts, DEFAULT_VISIBILITY_MIN) {
            return Err(Problem::CannotSee(part));
        }
        let frame = BodyFrame::new(pose, &axes);
        self.exercise
            .check_start(&frame)
            .map_err(|_| Problem::StartPosition)?;
        Ok(est)
    }

    fn wait(&mut self, t_s: f64, pose: Option<&Pose>) -> Vec<Event> {
        let verdict = match pose {
            None => Err(Problem::NoPerson),
            Some(p) => self.assess(p),
        };
        match (verdict, pose) {
            (Ok(est), Some(pose)) => {
                self.ready_since.get_or_insert(t_s);
                self.window.push_back((t_s, pose.clone()));
                while self
                    .window
                    .front()
                    .is_some_and(|(t, _)| t_s - t > WAIT_WINDOW_S)
                {
                    self.window.pop_front();
                }
                if let Some(events) = self.try_calibrate(t_s, est) {
                    self.note_problem(t_s, None);
                    return events;
                }
                self.note_problem(t_s, Some(Problem::HoldStill));
            }
            (Err(Problem::NoPerson), None)
                if self
                    .window
                    .back()
                    .is_some_and(|(last, _)| t_s - last <= MAX_WAIT_GAP_S) =>
            {
                // A dropped frame or two does not undo the starting position.
            }
            (Err(problem), _) => {
                self.window.clear();
                self.ready_since = None;
                self.note_problem(t_s, Some(problem));
            }
            (Ok(_), None) => {}
        }
        Vec::new()
    }

    /// Calibrates once the last `CALIBRATION_S` of the window are still.
    fn try_calibrate(&mut self, t_s: f64, est: ViewEstimate) -> Option<Vec<Event>> {
        let first_t = self.window.front()?.0;
        if t_s - first_t < CALIBRATION_S - 1e-6 {
            return None;
        }
        let tail: Vec<&(f64, Pose)> = self
            .window
            .iter()
            .filter(|(t, _)| t_s - t <= CALIBRATION_S + 1e-6)
            .collect();
        let poses: Vec<&Pose> = tail.iter().map(|(_, p)| p).collect();
        if !is_still(&poses, &self.requirements.parts) {
            return None;
        }
        let axes = BodyAxes::calibrate(&poses, &est).ok()?;
        let rest: Vec<(f64, BodyFrame)> = tail
            .iter()
            .map(|(t, p)| (*t, BodyFrame::new(p, &axes)))
            .collect();
        let since = self.ready_since.unwrap_or(first_t);
        self.exercise.calibrate(since, &rest);
        tracing::info!(
            exercise = %self.spec.id,
            t_s,
            view = ?axes.view,
            near_side = ?axes.near_side,
            labels_swapped = axes.labels_swapped,
            elevation_deg = axes.elevation_deg,
            "calibrated in the starting position"
        );
        self.axes = Some(axes);
        self.estimate = Some(est);
        self.phase = Phase::Running;
        self.window.clear();
        self.readiness = Readiness {
            ready: true,
            message: None,
        };
        self.problem_since = None;
        Some(vec![Event::Ready { t_s }])
    }

    /// Records this frame's problem, updates the readiness message and offers the
    /// advice as a prompt once the problem has lasted.
    fn note_problem(&mut self, t_s: f64, problem: Option<Problem>) {
        if problem == Some(Problem::WrongView) {
            self.last_wrong_view_s = Some(t_s);
        }
        self.problems.push_back((t_s, problem));
        while self
            .problems
            .front()
            .is_some_and(|(t, _)| t_s - t > ADVICE_WINDOW_S)
        {
            self.problems.pop_front();
        }
        let Some(problem) = problem else {
            self.problem_since = None;
            return;
        };
        let advice = self.advice(problem);
        let message = self.problem_text(advice);
        if self.phase == Phase::Waiting {
            self.readiness = Readiness {
                ready: false,
                message: Some(message.clone()),
            };
        }
        let since = match self.problem_since {
            Some((p, since)) if p == advice => since,
            _ => {
                self.problem_since = Some((advice, t_s));
                t_s
            }
        };
        if t_s - since >= PROBLEM_PROMPT_AFTER_S {
            // Set-up and camera advice share the lowest priority.
            self.prompter.offer(PromptKind::Camera, &message, t_s);
        }
    }

    /// The advice for recent frames: a wrong camera view seen often enough wins (from the
    /// feet end BlazePose flickers between no body, a tiny one and a jumbled one).
    fn advice(&self, current: Problem) -> Problem {
        // Among frames where a body was found at a usable size: a tiny or missing body
        // says nothing about where the camera is (from the feet end, BlazePose's "tiny
        // body" is usually a misdetection, not a person far away).
        let judged = self
            .problems
            .iter()
            .filter(|(_, p)| !matches!(p, Some(Problem::NoPerson | Problem::TooFar)))
            .count();
        let wrong_view = self
            .problems
            .iter()
            .filter(|(_, p)| *p == Some(Problem::WrongView))
            .count();
        // A body lost or shrunk to nothing soon after being seen from the wrong place is
        // the same problem.
        let lost_after_wrong_view = matches!(current, Problem::NoPerson | Problem::TooFar)
            && self
                .last_wrong_view_s
                .zip(self.problems.back().map(|(t, _)| *t))
                .is_some_and(|(seen, now)| now - seen <= WRONG_VIEW_MEMORY_S);
        if lost_after_wrong_view
            || (judged > 0 && wrong_view as f64 / judged as f64 >= WRONG_VIEW_SHARE)
        {
            Problem::WrongView
        } else {
            current
        }
    }

    fn problem_text(&self, problem: Problem) -> String {
        let cam = &self.spec.camera;
        match problem {
            Problem::WrongView => cam.wrong_view.clone(),
            Problem::NoPerson => cam.no_person.clone(),
            Problem::TooFar => cam.too_far.clone(),
            Problem::CannotSee(part) => cam.cannot_see_part.replace("{part}", part.name()),
            Problem::Posture | Problem::StartPosition => self.spec.start_position_prompt.clone(),
            Problem::HoldStill => cam.hold_still.clone(),
        }
    }

    // ---- running ----

    fn run(&mut self, t_s: f64, pose: Option<&Pose>) -> Vec<Event> {
        let Some(axes) = self.axes else {
            return Vec::new();
        };
        let (pose, new_view) = self.follow_place(t_s, pose);
        if let Some((since, before, after)) = new_view {
            return self.start_new_view(since, before, after);
        }
        if let Some((since, from, to)) = self.follow_turn(t_s, pose, &axes) {
            return self.start_turned_view(since, from, to);
        }
        let pose = pose.filter(|_| self.turn.is_none());
        // Judge a frame only if it still shows the calibrated view.
        let usable = pose.and_then(|p| {
            let est = classify(p);
            // A standing person leaning toward the camera foreshortens the torso until it
            // looks end-on: their movement, not a moved camera (which `follow_place` sees).
            let leaning_at_camera =
                est.view == View::End && self.requirements.posture == Posture::Standing;
            let same_view = !est.too_small
                && (est.view != View::End || leaning_at_camera)
                && (est.posture == axes.posture
                    || est.posture == Posture::Unknown
                    || leaning_at_camera
                    || self.requirements.accepts_posture(est.posture)
                    || self.requirements.passes_through.contains(&est.posture));
            let frame = BodyFrame::new(p, &axes);
            let scale_ok = (SCALE_RANGE.0..=SCALE_RANGE.1).contains(&frame.torso_ratio);
            (same_view && scale_ok).then(|| (PartVisibility::of(p, axes.labels_swapped), frame))
        });
        let problem = match (&usable, pose) {
            (_, None) => Some(Problem::NoPerson),
            (None, Some(_)) => Some(Problem::WrongView),
            (Some((seen, _)), Some(_)) => seen
                .first_missing(&self.requirements.parts, DEFAULT_VISIBILITY_MIN)
                .map(Problem::CannotSee),
        };
        self.note_problem(t_s, problem);

        let exercise_events = match &usable {
            Some((seen, frame)) => self.exercise.update(t_s, Some(frame), seen),
            None => self.exercise.update(t_s, None, &PartVisibility::none()),
        };
        let mut events = Vec::new();
        for ev in exercise_events {
            events.extend(self.translate(ev, t_s));
        }
        let state = self.exercise.state();
        // Safety faults keep prompting while they last.
        for code in &state.active_faults {
            if code.is_safety()
                && let Some(text) = self.spec.prompt(*code)
            {
                self.prompter
                    .offer_for(PromptKind::Safety, text, Some(*code), t_s);
            }
        }
        // Said once per span it cannot see, calmly: offered until it is said, not again.
        if state.signal_below_noise {
            let text = self.spec.camera.signal_below_noise.clone();
            let since = self.blind.as_ref().map_or(t_s, |b| b.start_s);
            if !self.prompter.said_since(&text, since) {
                self.prompter.offer(PromptKind::Camera, &text, t_s);
            }
        }
        self.track_hidden(t_s, problem, state.signal_seen);
        // A rep counted now, standing out of the noise, shows the movement from its start.
        let seen_from = events
            .iter()
            .filter_map(|e| match e {
                Event::RepCounted { start_s, .. } => Some(*start_s),
                _ => None,
            })
            .reduce(f64::min);
        self.track_blindness(t_s, Some(&state), seen_from);
        events
    }

    /// Follows where the body is between frames. A frame from a changed picture is not
    /// judged (returned as no pose); once the change has held `VIEW_JUMP_CONFIRM_S`, its
    /// start and the places before and after are returned: a new view.
    fn follow_place<'p>(
        &mut self,
        t_s: f64,
        pose: Option<&'p Pose>,
    ) -> (Option<&'p Pose>, Option<(f64, Place, Place)>) {
        let Some(now) = pose.and_then(Place::of) else {
            return (pose, None);
        };
        let Some(before) = self.place else {
            self.place = Some(now);
            return (pose, None);
        };
        if !now.jumped_from(&before) {
            // Back where it was: whatever jumped was the tracker, for a frame or two.
            self.jump = None;
            self.place = Some(now);
            return (pose, None);
        }
        match self.jump {
            Some((since, first)) if !now.jumped_from(&first) => {
                if t_s - since >= VIEW_JUMP_CONFIRM_S - 1e-6 {
                    self.jump = None;
                    self.place = Some(now);
                    return (None, Some((since, before, now)));
                }
            }
            _ => self.jump = Some((t_s, now)),
        }
        (None, None)
    }

    /// Follows an upright person's view between side and front: while the other one
    /// lasts (`self.turn`), frames are not judged — the calibrated measures mean nothing
    /// there; once it has held `VIEW_TURN_CONFIRM_S`, its start and the views before and
    /// after are returned.
    fn follow_turn(
        &mut self,
        t_s: f64,
        pose: Option<&Pose>,
        axes: &BodyAxes,
    ) -> Option<(f64, View, View)> {
        let upright = |p: Posture| matches!(p, Posture::Standing | Posture::Sitting);
        let other = pose.map(classify).filter(|est| {
            !est.too_small
                && upright(est.posture)
                && upright(axes.posture)
                && matches!(
                    (axes.view, est.view),
                    (View::Side, View::Front) | (View::Front, View::Side)
                )
        });
        let Some(est) = other else {
            self.turn = None;
            return None;
        };
        let since = *self.turn.get_or_insert(t_s);
        (t_s - since >= VIEW_TURN_CONFIRM_S - 1e-6).then(|| {
            self.turn = None;
            (since, axes.view, est.view)
        })
    }

    /// The person turned (or the camera went round them) from `from` to `to` at
    /// `since_s`: nothing counts across it, and they are calibrated afresh in the new
    /// view — or asked for the camera the exercise needs.
    fn start_turned_view(&mut self, since_s: f64, from: View, to: View) -> Vec<Event> {
        let mut events = Vec::new();
        for ev in self.exercise.new_view(since_s) {
            events.extend(self.translate(ev, since_s));
        }
        self.track_blindness(since_s, None, None);
        tracing::info!(t_s = since_s, ?from, ?to, "turned view");
        self.notes.push(format!(
            "the camera saw you from the {} instead of the {} from {since_s:.1} s: \
             calibrated again, nothing counted across it",
            to.name(),
            from.name()
        ));
        self.wait_again();
        events
    }

    /// Back to waiting for the starting position, to calibrate afresh.
    fn wait_again(&mut self) {
        self.phase = Phase::Waiting;
        self.window.clear();
        self.ready_since = None;
        self.place = None;
        self.turn = None;
        self.readiness = Readiness {
            ready: false,
            message: None,
        };
    }

    /// The picture changed under the person at `since_s` (`before` → `after`). The rep
    /// under way is dropped: nothing counts across the change. A zoom or pan keeps the
    /// axes' directions and the exercise's resting levels — they are body-relative
    /// (torso lengths, angles against the body's floor line), and the person may well be
    /// mid-rep, where neither can be learned again — and takes the new scale. Another
    /// camera angle means calibrating afresh once the person is seen still again.
    fn start_new_view(&mut self, since_s: f64, before: Place, after: Place) -> Vec<Event> {
        let mut events = Vec::new();
        for ev in self.exercise.new_view(since_s) {
            events.extend(self.translate(ev, since_s));
        }
        self.track_blindness(since_s, None, None);
        let turned_deg = before
            .trunk_dir
            .dot(after.trunk_dir)
            .clamp(-1.0, 1.0)
            .acos()
            .to_degrees();
        tracing::info!(t_s = since_s, turned_deg, "new view");
        self.notes.push(format!(
            "the picture changed at {since_s:.1} s (a cut, zoom or moved camera): \
             calibrated again, nothing counted across it"
        ));
        match self.axes.as_mut() {
            Some(axes) if turned_deg <= VIEW_SAME_ANGLE_DEG => {
                axes.scale_px *= after.torso_px / before.torso_px;
            }
            _ => self.wait_again(),
        }
        events
    }

    /// Opens a cannot-see span once the parts the checks need have been hidden (or the
    /// person out of the picture, or the view lost) for `PROBLEM_PROMPT_AFTER_S` — the
    /// same moment the camera prompt comes — and closes it when they are back. A dropped
    /// frame or two is not a span.
    /// `signal_seen`: the exercise still measured its movement this frame.
    fn track_hidden(&mut self, t_s: f64, problem: Option<Problem>, signal_seen: bool) {
        use report::CannotSeeReason as Why;
        // A hidden part that only a form check needs pauses that check (its prompt says
        // so); the movement is still counted, so it is not a span of not seeing it.
        let reason = match problem {
            Some(Problem::NoPerson) => Some(Why::PartsHidden),
            Some(Problem::CannotSee(_)) if !signal_seen => Some(Why::PartsHidden),
            Some(Problem::WrongView) => Some(Why::WrongView),
            _ => None,
        };
        let same = matches!((self.hidden, reason), (Some((a, _)), Some(b)) if a == b);
        if !same {
            if let Some(mut span) = self.hidden_span.take() {
                span.end_s = t_s;
                self.cannot_see.push(span);
            }
            self.hidden = reason.map(|r| (r, t_s));
            return;
        }
        let Some((why, since)) = self.hidden else {
            return;
        };
        match self.hidden_span.as_mut() {
            Some(span) => span.end_s = t_s,
            None if t_s - since >= PROBLEM_PROMPT_AFTER_S - 1e-6 => {
                self.hidden_span = Some(report::CannotSeeSpan {
                    start_s: since,
                    end_s: t_s,
                    reason: why,
                    noise: None,
                    expected: None,
                });
            }
            None => {}
        }
    }

    /// Opens a cannot-see span when the movement goes below what the signal can show,
    /// and closes it when it comes back (or the exercise ends).
    /// `state`: this frame's exercise state (`None`: closing, the span ends);
    /// `seen_from`: the start of a rep counted this frame (the span ends there).
    fn track_blindness(
        &mut self,
        t_s: f64,
        state: Option<&exercises::ExerciseState>,
        seen_from: Option<f64>,
    ) {
        match (state.filter(|s| s.signal_below_noise), self.blind.as_mut()) {
            (Some(state), None) => {
                // What rest showed only now says the same of the stillness before it,
                // back to the last movement seen (not into a span already reported).
                let after = self
                    .cannot_see
                    .iter()
                    .map(|c| c.end_s)
                    .fold(f64::NEG_INFINITY, f64::max);
                let start_s = state.unseen_since.map_or(t_s, |s| s.max(after).min(t_s));
                self.blind = Some(report::CannotSeeSpan {
                    start_s,
                    end_s: t_s,
                    reason: report::CannotSeeReason::MovementBelowNoise,
                    noise: Some(state.signal_noise),
                    expected: Some(state.movement_threshold),
                });
            }
            (Some(state), Some(span)) => {
                span.end_s = t_s;
                span.noise = Some(span.noise.unwrap_or(0.0).max(state.signal_noise));
            }
            (None, Some(_)) => {
                if let Some(mut span) = self.blind.take() {
                    span.end_s = seen_from
                        .filter(|s| *s > span.start_s)
                        .map_or(t_s, |s| s.min(t_s));
                    self.cannot_see.push(span);
                }
            }
            (None, None) => {}
        }
    }

    /// Turns an exercise event into coach events, offering prompts for faults.
    fn translate(&mut self, ev: ExerciseEvent, t_now: f64) -> Vec<Event> {
        match ev {
            ExerciseEvent::RepStarted { .. } | ExerciseEvent::RepDiscarded { .. } => Vec::new(),
            ExerciseEvent::RepCounted {
                side,
                set,
                number,
                rep,
            } => vec![Event::RepCounted {
                side,
                side_inferred: rep.side_inferred,
                set,
                number,
                start_s: rep.start_s,
                t_s: rep.end_s,
                hold_s: rep.hold_s,
                faults: rep.faults,
            }],
            ExerciseEvent::HoldProgress { held_s, target_s } => {
                vec![Event::HoldProgress { held_s, target_s }]
            }
            ExerciseEvent::HoldCompleted { held_s, t_s } => {
                vec![Event::HoldCompleted { held_s, t_s }]
            }
            ExerciseEvent::FaultStarted { code, t_s } => {
                if code.is_prompted()
                    && self.phase != Phase::Finished
                    && let Some(text) = self.spec.prompt(code).map(str::to_owned)
                {
                    let kind = if code.is_safety() {
                        PromptKind::Safety
                    } else {
                        PromptKind::Form
                    };
                    self.prompter.offer_for(kind, &text, Some(code), t_now);
                }
                vec![Event::FaultStarted { code, t_s }]
            }
            ExerciseEvent::FaultEnded { code, t_s } => {
                // Corrected before it could be said: saying it now would be about the past.
                self.prompter.withdraw(code);
                vec![Event::FaultEnded { code, t_s }]
            }
            ExerciseEvent::SetCompleted { set, reps, t_s } => {
                vec![Event::SetCompleted { set, reps, t_s }]
            }
            ExerciseEvent::StepCompleted(step) => vec![Event::Step {
                side: step.side,
                start_s: step.start_s,
                end_s: step.end_s,
            }],
            ExerciseEvent::TimerStarted { t_s } => vec![Event::TimerStarted { t_s }],
            ExerciseEvent::TimerStopped { t_s, elapsed_s } => {
                vec![Event::TimerStopped { t_s, elapsed_s }]
            }
            ExerciseEvent::Note { text } => {
                self.notes.push(text);
                Vec::new()
            }
        }
    }
}

/// The movement was not seen from `since` to `end_s` after all (its reps withdrawn): the
/// movement-below-noise spans there become one, carrying the largest noise measured.
fn widen_unseen(spans: &mut Vec<report::CannotSeeSpan>, since: f64, end_s: f64) {
    use report::CannotSeeReason::MovementBelowNoise;
    let (inside, mut kept): (Vec<_>, Vec<_>) = std::mem::take(spans)
        .into_iter()
        .partition(|c| c.reason == MovementBelowNoise && c.end_s >= since);
    let most =
        |f: fn(&report::CannotSeeSpan) -> Option<f64>| inside.iter().filter_map(f).reduce(f64::max);
    kept.push(report::CannotSeeSpan {
        start_s: since,
        end_s: inside.iter().map(|c| c.end_s).fold(end_s, f64::max),
        reason: MovementBelowNoise,
        noise: most(|c| c.noise),
        expected: most(|c| c.expected),
    });
    kept.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    *spans = kept;
}

/// Whether the parts the exercise reads stayed within `STILL_TORSO` torso lengths (each
/// part's midpoint of left and right). Only those parts: a seated person's knees, seen
/// end-on from the front, flicker by a tenth of a torso in BlazePose's output while the
/// person sits still, and a rock never reads them.
fn is_still(poses: &[&Pose], parts: &[(BodyPart, SideNeed)]) -> bool {
    use crate::kinematics::Vec2;
    let Some(first) = poses.first() else {
        return false;
    };
    // The part's first landmark on each side, averaged (no allocation: this runs on every
    // frame of the readiness wait).
    let mid = |p: &Pose, part: BodyPart| -> Vec2 {
        let (sum, n) = [Side::Left, Side::Right]
            .iter()
            .filter_map(|&side| part.landmarks(side).first())
            .filter_map(|&i| p.landmarks.get(i))
            .fold((Vec2::default(), 0.0), |(acc, n), l| {
                (
                    acc + Vec2::new(f64::from(l.x_px), f64::from(l.y_px)),
                    n + 1.0,
                )
            });
        sum * (1.0 / f64::max(n, 1.0))
    };
    let torso =
        Vec2::distance(mid(first, BodyPart::Shoulders), mid(first, BodyPart::Hips)).max(1.0);
    // The trunk always: its length is the scale the rest levels are measured in.
    let trunk = [BodyPart::Shoulders, BodyPart::Hips];
    trunk
        .iter()
        .chain(parts.iter().map(|(part, _)| part))
        .all(|&part| {
            let points: Vec<Vec2> = poses.iter().map(|p| mid(p, part)).collect();
            let n = points.len() as f64;
            let mean = points.iter().fold(Vec2::default(), |acc, p| acc + *p) * (1.0 / n);
            points
                .iter()
                .all(|p| Vec2::distance(*p, mean) <= STILL_TORSO * torso)
        })
}

/// Runs a whole sequence through a fresh coach: what `backform analyze` does with the
/// frames of a file. `end_s` is the video's end (its duration).
pub fn analyze<'a>(
    exercise_id: &str,
    frames: impl IntoIterator<Item = (f64, Option<&'a Pose>)>,
    end_s: f64,
) -> Result<(Report, Vec<Event>), CoachError> {
    let mut coach = Coach::new(exercise_id)?;
    let mut events = Vec::new();
    for (t, pose) in frames {
        events.extend(coach.update(t, pose));
    }
    let report = coach.finish(end_s);
    Ok((report, events))
}
