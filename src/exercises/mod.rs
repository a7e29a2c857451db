//! Exercises: per-exercise kinematic checks, rep and hold counting, fault spans.
//!
//! In flow [`BodyFrame`]s (one per video frame, or `None` when no pose was found) with
//! the [`PartVisibility`] of that frame; out flow [`ExerciseEvent`]s (rep counted, hold
//! progress, fault started/ended, leg-slide steps), an [`ExerciseState`] snapshot and, at
//! the end, an [`ExerciseRecord`] the coach turns into the report. One module per
//! exercise behind the [`Exercise`] trait; [`counter`] holds the shared rep/hold state
//! machine, [`faults`] the debounced fault spans, [`reps`] the shared engine of the three
//! rep-based exercises, [`spec`] the TOML data every threshold and prompt comes from.
//! Nothing here decides prompts' timing or wording order; that is the coach's job.

pub mod arm_lift;
pub mod back_block_traction;
pub mod bridge;
pub mod controlled_rotation;
pub mod counter;
pub mod faults;
pub mod lying_twist;
pub mod mini_squat;
pub mod pelvic_rock;
pub mod pelvic_tilt;
pub mod reps;
pub mod seated_twist;
pub mod spec;
pub mod standing_childs_pose;
pub mod standing_side_bend;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use crate::kinematics::Side;
use crate::kinematics::geometry::median;
use crate::kinematics::{BodyFrame, BodyPart, PartVisibility, Posture, SideNeed, View};
pub use spec::{ExerciseSpec, SpecError};

/// The stable fault codes of EXERCISES.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultCode {
    HoldTooShort,
    Crunch,
    HipsLift,
    TooFast,
    RangeTooLarge,
    ShouldersLift,
    NotAlternating,
    ShouldersSway,
    ShouldersTilt,
    NoPelvisMovement,
    BlockTooHigh,
    BothLegsTogether,
    OverTime,
    HipsTooLow,
    BackArching,
    PelvisTurns,
    LeanSideways,
    TooDeep,
    TrunkLeansForward,
    HeelsLift,
    KneesCaveIn,
    NotSideways,
    HipsShift,
    ArmNotReaching,
    KneesLocked,
    HipsNotBack,
    BackRounding,
    StraightLegBends,
}

impl FaultCode {
    /// Every code.
    pub const ALL: [FaultCode; 28] = [
        FaultCode::HoldTooShort,
        FaultCode::Crunch,
        FaultCode::HipsLift,
        FaultCode::TooFast,
        FaultCode::RangeTooLarge,
        FaultCode::ShouldersLift,
        FaultCode::NotAlternating,
        FaultCode::ShouldersSway,
        FaultCode::ShouldersTilt,
        FaultCode::NoPelvisMovement,
        FaultCode::BlockTooHigh,
        FaultCode::BothLegsTogether,
        FaultCode::OverTime,
        FaultCode::HipsTooLow,
        FaultCode::BackArching,
        FaultCode::PelvisTurns,
        FaultCode::LeanSideways,
        FaultCode::TooDeep,
        FaultCode::TrunkLeansForward,
        FaultCode::HeelsLift,
        FaultCode::KneesCaveIn,
        FaultCode::NotSideways,
        FaultCode::HipsShift,
        FaultCode::ArmNotReaching,
        FaultCode::KneesLocked,
        FaultCode::HipsNotBack,
        FaultCode::BackRounding,
        FaultCode::StraightLegBends,
    ];

    /// The code as written in reports, e.g. `hold-too-short`.
    pub fn as_str(self) -> &'static str {
        match self {
            FaultCode::HoldTooShort => "hold-too-short",
            FaultCode::Crunch => "crunch",
            FaultCode::HipsLift => "hips-lift",
            FaultCode::TooFast => "too-fast",
            FaultCode::RangeTooLarge => "range-too-large",
            FaultCode::ShouldersLift => "shoulders-lift",
            FaultCode::NotAlternating => "not-alternating",
            FaultCode::ShouldersSway => "shoulders-sway",
            FaultCode::ShouldersTilt => "shoulders-tilt",
            FaultCode::NoPelvisMovement => "no-pelvis-movement",
            FaultCode::BlockTooHigh => "block-too-high",
            FaultCode::BothLegsTogether => "both-legs-together",
            FaultCode::OverTime => "over-time",
            FaultCode::HipsTooLow => "hips-too-low",
            FaultCode::BackArching => "back-arching",
            FaultCode::PelvisTurns => "pelvis-turns",
            FaultCode::LeanSideways => "lean-sideways",
            FaultCode::TooDeep => "too-deep",
            FaultCode::TrunkLeansForward => "trunk-leans-forward",
            FaultCode::HeelsLift => "heels-lift",
            FaultCode::KneesCaveIn => "knees-cave-in",
            FaultCode::NotSideways => "not-sideways",
            FaultCode::HipsShift => "hips-shift",
            FaultCode::ArmNotReaching => "arm-not-reaching",
            FaultCode::KneesLocked => "knees-locked",
            FaultCode::HipsNotBack => "hips-not-back",
            FaultCode::BackRounding => "back-rounding",
            FaultCode::StraightLegBends => "straight-leg-bends",
        }
    }

    /// Whether the person is told about it (`not-alternating` is information only).
    pub fn is_prompted(self) -> bool {
        self != FaultCode::NotAlternating
    }

    /// Safety faults are prompted before anything else.
    pub fn is_safety(self) -> bool {
        self == FaultCode::OverTime
    }

    /// Faults of the position itself: while one is active a hold does not count.
    pub fn spoils_position(self) -> bool {
        matches!(
            self,
            FaultCode::Crunch
                | FaultCode::HipsLift
                | FaultCode::ShouldersLift
                | FaultCode::ShouldersSway
                | FaultCode::ShouldersTilt
                | FaultCode::RangeTooLarge
                | FaultCode::BackArching
                | FaultCode::PelvisTurns
                | FaultCode::LeanSideways
                | FaultCode::NotSideways
                | FaultCode::HipsShift
                | FaultCode::ArmNotReaching
                | FaultCode::KneesLocked
                | FaultCode::HipsNotBack
                | FaultCode::BackRounding
                | FaultCode::StraightLegBends
        )
    }
}

impl fmt::Display for FaultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown fault code string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fault code {0:?}")]
pub struct UnknownFaultCode(pub String);

impl FromStr for FaultCode {
    type Err = UnknownFaultCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FaultCode::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownFaultCode(s.to_owned()))
    }
}

/// Reps so far, per side and in total.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub left: u32,
    pub right: u32,
    pub total: u32,
}

impl Counts {
    /// Adds one rep on `side` (or unsided).
    pub fn add(&mut self, side: Option<Side>) {
        self.total += 1;
        match side {
            Some(Side::Left) => self.left += 1,
            Some(Side::Right) => self.right += 1,
            None => {}
        }
    }
}

/// One counted rep, as the report lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct RepRecord {
    pub side: Option<Side>,
    /// The side was not seen but inferred from the prescribed alternation.
    pub side_inferred: bool,
    pub set: u32,
    /// Number within its set, from 1.
    pub number: u32,
    pub start_s: f64,
    pub end_s: f64,
    /// The plateau at the rep's peak, seconds (`None` for exercises without holds).
    pub hold_s: Option<f64>,
    /// How far the rep went, degrees of the exercise's movement (`None` where the
    /// signal is not an angle of the body).
    pub range_deg: Option<f64>,
    pub faults: Vec<FaultCode>,
}

/// A fault as observed: its span in video time.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultSpan {
    pub code: FaultCode,
    pub start_s: f64,
    pub end_s: f64,
}

/// A set: its reps and when it ran.
#[derive(Clone, Debug, PartialEq)]
pub struct SetRecord {
    pub number: u32,
    pub start_s: f64,
    pub end_s: f64,
    pub reps: u32,
}

/// A step that is not a rep (traction's leg slides, and raising the arms overhead).
#[derive(Clone, Debug, PartialEq)]
pub struct StepRecord {
    /// Which leg, or `None` for both legs at once or the arms.
    pub side: Option<Side>,
    pub start_s: f64,
    pub end_s: f64,
    pub what: String,
}

/// Everything an exercise observed, for the report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExerciseRecord {
    pub reps: Vec<RepRecord>,
    pub counts: Counts,
    pub faults: Vec<FaultSpan>,
    pub sets: Vec<SetRecord>,
    pub steps: Vec<StepRecord>,
    pub notes: Vec<String>,
    /// Nothing counted from this time on stood out of what the signal's rest does by
    /// itself: its reps were withdrawn, and the span is one it could not see.
    pub unseen_since: Option<f64>,
}

/// Hold progress the UI can draw.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HoldState {
    /// Correct-position seconds held in the current rep.
    pub held_s: f64,
    pub target_s: f64,
    /// The hold is counting right now (at the plateau, position correct).
    pub counting: bool,
}

impl HoldState {
    /// Progress 0..=1 toward the target.
    pub fn progress(&self) -> f64 {
        if self.target_s <= 0.0 {
            return 0.0;
        }
        (self.held_s / self.target_s).clamp(0.0, 1.0)
    }
}

/// The traction timer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimerState {
    /// On the block and settled.
    pub running: bool,
    pub elapsed_s: f64,
    pub limit_s: f64,
}

/// A snapshot the UI draws without deciding anything.
#[derive(Clone, Debug, PartialEq)]
pub struct ExerciseState {
    pub counts: Counts,
    /// Current set, from 1.
    pub set: u32,
    pub reps_in_set: u32,
    /// Reps per set (all sides).
    pub reps_target: u32,
    pub reps_per_side_target: u32,
    pub hold: Option<HoldState>,
    pub timer: Option<TimerState>,
    pub active_faults: Vec<FaultCode>,
    /// Landmarks the current checks read (for highlighting).
    pub check_landmarks: Vec<usize>,
    /// Landmarks involved in the active faults.
    pub fault_landmarks: Vec<usize>,
    /// The movement is too small against the landmark noise from this placement.
    pub signal_below_noise: bool,
    /// While below the noise: since when the movement has not been seen (a span the
    /// signal's rest, measured later, shows it could not have resolved either).
    pub unseen_since: Option<f64>,
    /// The signal's rest noise or drift, the larger (signal units; what a movement must
    /// clear to be seen).
    pub signal_noise: f64,
    /// The last frame showed what the exercise counts or times from (its signal's
    /// landmarks were seen).
    pub signal_seen: bool,
    /// A rep is under way.
    pub in_rep: bool,
    /// The movement signal's current excursion from rest and the start threshold, in
    /// the exercise's signal unit (for a live gauge; `None` before calibration).
    pub movement: Option<f64>,
    pub movement_threshold: f64,
}

/// What an exercise reports as it goes.
#[derive(Clone, Debug, PartialEq)]
pub enum ExerciseEvent {
    /// A movement started that may become a rep.
    RepStarted {
        t_s: f64,
    },
    /// A rep was counted (with any faults it had).
    RepCounted {
        side: Option<Side>,
        set: u32,
        number: u32,
        rep: RepRecord,
    },
    /// A movement was too small or short to be a rep (fidget, jitter).
    RepDiscarded {
        t_s: f64,
    },
    /// Correct-position hold time in the current rep.
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
    /// A step of a timed exercise (a leg slide).
    StepCompleted(StepRecord),
    /// The timed hold began (traction settled on the block).
    TimerStarted {
        t_s: f64,
    },
    /// The timed hold ended (off the block).
    TimerStopped {
        t_s: f64,
        elapsed_s: f64,
    },
    /// Something worth a line in the report (e.g. arms overhead).
    Note {
        text: String,
    },
}

/// What an exercise needs from the camera and the person before it can start.
#[derive(Clone, Debug, PartialEq)]
pub struct Requirements {
    pub posture: Posture,
    pub view: View,
    /// Another view the exercise also works from (its checks then differ).
    pub other_view: Option<View>,
    /// Postures the classifier may call a frame mid-exercise besides those that may
    /// start it (a standing child's pose folds the trunk level, which reads as lying) —
    /// such frames are still judged.
    pub passes_through: Vec<Posture>,
    /// Parts that must be seen, and how (near side enough, or both sides).
    pub parts: Vec<(BodyPart, SideNeed)>,
    /// The exercise reads the belly's silhouette edge ([`BodyFrame::belly_height_torso`]):
    /// the pose stage must compute it (it costs the segmentation head's time).
    pub belly_cue: bool,
}

impl Requirements {
    /// Whether a pose classified as `posture` may start the exercise. From the front a
    /// person sitting high and one standing look alike in the picture (rendered standing
    /// bodies read hip-to-ankle 1.37–1.78 torso lengths, seated ones 1.36–1.75): a
    /// standing exercise takes either, and its own starting check decides.
    pub fn accepts_posture(&self, posture: Posture) -> bool {
        posture == self.posture
            || (self.posture == Posture::Standing && posture == Posture::Sitting)
    }

    /// Lying on the back, camera beside: shoulders, hips, knees and ankles, the near side
    /// enough (the lying exercises share this, so they cannot drift apart).
    pub fn lying_side_view() -> Self {
        Self {
            posture: Posture::Lying,
            view: View::Side,
            other_view: None,
            passes_through: Vec::new(),
            parts: vec![
                (BodyPart::Shoulders, SideNeed::Either),
                (BodyPart::Hips, SideNeed::Either),
                (BodyPart::Knees, SideNeed::Either),
                (BodyPart::Ankles, SideNeed::Either),
            ],
            belly_cue: false,
        }
    }
}

/// Lying on the back with the knees bent up (the starting position of the lying exercises
/// but traction): the knees off the hip–ankle line by a good part of a torso length.
pub fn knees_bent_up(frame: &BodyFrame) -> bool {
    frame.knee_height_torso > 0.25
}

/// The median of `measure` over resting frames (`(t_s, frame)`), 0 when there are none.
pub fn rest_median(rest: &[(f64, BodyFrame)], measure: impl Fn(&BodyFrame) -> f64) -> f64 {
    median(&rest.iter().map(|(_, b)| measure(b)).collect::<Vec<_>>()).unwrap_or(0.0)
}

/// One exercise's checks and counting. Frames arrive after calibration, in time order.
pub trait Exercise: Send {
    /// The spec this exercise runs with.
    fn spec(&self) -> &ExerciseSpec;
    /// Posture, view and body parts it needs.
    fn requirements(&self) -> Requirements;
    /// Whether a (provisionally measured) frame is in the starting position; the error
    /// says what to change.
    fn check_start(&self, frame: &BodyFrame) -> Result<(), String>;
    /// Takes resting baselines from still frames of the starting position
    /// (`(t_s, frame)`, at least a few); `since_s` is when the person was first seen in
    /// the starting position (a timed hold already under way started then).
    fn calibrate(&mut self, since_s: f64, rest: &[(f64, BodyFrame)]);
    /// One video frame (`None`: no pose found).
    fn update(
        &mut self,
        t_s: f64,
        frame: Option<&BodyFrame>,
        seen: &PartVisibility,
    ) -> Vec<ExerciseEvent>;
    /// The UI's snapshot.
    fn state(&self) -> ExerciseState;
    /// The picture changed under the person at `t_s` (a cut, a zoom, a moved camera):
    /// drop what cannot be judged across it; [`calibrate`](Self::calibrate) follows once
    /// the person is seen still again. Counts, holds and timers so far stay.
    fn new_view(&mut self, t_s: f64) -> Vec<ExerciseEvent> {
        let _ = t_s;
        Vec::new()
    }
    /// Closes whatever is open at `t_s` (faults still active end here).
    fn finish(&mut self, t_s: f64) -> Vec<ExerciseEvent>;
    /// Everything observed, for the report.
    fn record(&self) -> ExerciseRecord;
}

/// Every fault code an exercise can raise (for spec validation).
pub fn faults_of(id: &str) -> &'static [FaultCode] {
    match id {
        "pelvic-tilt" => pelvic_tilt::FAULTS,
        "controlled-rotation" => controlled_rotation::FAULTS,
        "pelvic-rock" => pelvic_rock::FAULTS,
        "back-block-traction" => back_block_traction::FAULTS,
        "bridge" => bridge::FAULTS,
        "seated-twist" => seated_twist::FAULTS,
        "mini-squat" => mini_squat::FAULTS,
        "standing-side-bend" => standing_side_bend::FAULTS,
        "back-rotation-stretch" => controlled_rotation::STRETCH_FAULTS,
        "lying-twist" => lying_twist::FAULTS,
        "standing-childs-pose" => standing_childs_pose::FAULTS,
        _ => &[],
    }
}

/// Validates a spec against its exercise: numbers, prompts for every prompted fault, and
/// that its `[checks]` parse.
pub fn validate_spec(spec: &ExerciseSpec) -> Result<(), SpecError> {
    spec.validate(&spec.id, faults_of(&spec.id))?;
    create_from_spec(spec.clone()).map(|_| ())
}

/// Builds an exercise from an already loaded spec.
pub fn create_from_spec(spec: ExerciseSpec) -> Result<Box<dyn Exercise>, SpecError> {
    spec.validate(&spec.id, faults_of(&spec.id))?;
    Ok(match spec.id.as_str() {
        "pelvic-tilt" => Box::new(pelvic_tilt::PelvicTilt::new(spec)?),
        "controlled-rotation" | "back-rotation-stretch" => {
            Box::new(controlled_rotation::ControlledRotation::new(spec)?)
        }
        "pelvic-rock" => Box::new(pelvic_rock::PelvicRock::new(spec)?),
        "back-block-traction" => Box::new(back_block_traction::BackBlockTraction::new(spec)?),
        "bridge" => Box::new(bridge::Bridge::new(spec)?),
        "seated-twist" => Box::new(seated_twist::SeatedTwist::new(spec)?),
        "mini-squat" => Box::new(mini_squat::MiniSquat::new(spec)?),
        "standing-side-bend" => Box::new(standing_side_bend::StandingSideBend::new(spec)?),
        "lying-twist" => Box::new(lying_twist::LyingTwist::new(spec)?),
        "standing-childs-pose" => Box::new(standing_childs_pose::StandingChildsPose::new(spec)?),
        other => return Err(SpecError::UnknownExercise(other.to_owned())),
    })
}

/// Builds an exercise from its embedded spec.
pub fn create(id: &str) -> Result<Box<dyn Exercise>, SpecError> {
    create_from_spec(spec::load(id)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_codes_round_trip_as_strings_and_json() {
        for code in FaultCode::ALL {
            assert_eq!(code.as_str().parse::<FaultCode>().unwrap(), code);
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
        assert!("bridging".parse::<FaultCode>().is_err());
        assert!(!FaultCode::NotAlternating.is_prompted());
    }

    #[test]
    fn every_exercise_builds_from_its_embedded_spec() {
        for id in spec::IDS {
            let ex = create(id).unwrap();
            assert_eq!(ex.spec().id, id);
        }
        assert!(create("yoga").is_err());
    }
}
