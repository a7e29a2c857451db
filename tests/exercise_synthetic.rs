//! The coach on synthetic performances: an articulated body driven through each
//! exercise — correct, and with each of its faults — filmed from two plausible camera
//! placements, with BlazePose-like jitter, drift, noisy depth and dropped frames.
//! Judged like the rendered clips: exact counts per side, holds within 0.3 s, every
//! fault within 1 s of its onset, no fault on correct performances.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod support;

use backform::coach;
use support::body::NoiseSpec;
use support::body::Shape;
use support::body::bodies;
use support::scenarios::{
    BridgeVariant, ChildsPoseVariant, LyingTwistVariant, Placement, RockVariant, RotationVariant,
    Scenario, SideBendVariant, SquatVariant, StretchVariant, TiltVariant, TractionVariant,
    TwistVariant, back_block_traction, back_block_traction_on, back_rotation_stretch,
    back_rotation_stretch_on, bridge, bridge_on, childs_pose, childs_pose_on, controlled_rotation,
    controlled_rotation_on, lying_twist, lying_twist_on, mini_squat, mini_squat_on, pelvic_rock,
    pelvic_rock_on, pelvic_tilt, pelvic_tilt_on, seated_twist, seated_twist_on, side_bend,
    side_bend_on,
};
use support::truth::judge;

/// Runs one scenario through one placement and returns its failures (printing the verdict).
/// Runs `frames` of `scenario` through a fresh coach, as `backform analyze` would.
fn analyze_frames(
    scenario: &Scenario,
    frames: &[(f64, Option<backform::pose::Pose>)],
) -> backform::coach::Report {
    coach::analyze(
        &scenario.truth.exercise,
        frames.iter().map(|(t, p)| (*t, p.as_ref())),
        scenario.truth.duration_s,
    )
    .unwrap()
    .0
}

fn check(scenario: &Scenario, placement: Placement, noise: NoiseSpec, seed: u64) -> Vec<String> {
    let frames = scenario.frames(placement, noise, seed);
    let (report, _) = coach::analyze(
        &scenario.truth.exercise,
        frames.iter().map(|(t, p)| (*t, p.as_ref())),
        scenario.truth.duration_s,
    )
    .unwrap();
    let verdict = judge(&scenario.truth, &report);
    eprintln!("== {} [{placement:?}]", scenario.name);
    for line in &verdict.lines {
        eprintln!("   {line}");
    }
    for f in &verdict.failures {
        eprintln!("   FAIL {f}");
    }
    if !report.notes.is_empty() {
        eprintln!("   notes: {:?}", report.notes);
    }
    verdict
        .failures
        .iter()
        .map(|f| format!("{} [{placement:?}]: {f}", scenario.name))
        .collect()
}

/// The twist is read from depth, whose raw jitter `typical` sets at 4 px a frame,
/// unfiltered (a turn of 35° moves it ~45 px): ±5° of turn frame to frame. MediaPipe
/// filters depth with its landmarks (0.04 px frame to frame at rest on the rendered
/// twists, with a slow wander of up to 5 px): for the exercise read from depth, 1 px of
/// raw jitter is nearer that. The others keep the harsher depth.
fn depth_as_filtered(scenario: &Scenario, noise: NoiseSpec) -> NoiseSpec {
    if scenario.truth.exercise == "seated-twist" {
        NoiseSpec {
            depth_px: noise.depth_px.min(1.0),
            ..noise
        }
    } else {
        noise
    }
}

fn run_all(scenarios: Vec<Scenario>, placements: &[Placement]) {
    let mut failures = Vec::new();
    for (i, s) in scenarios.iter().enumerate() {
        for (j, &p) in placements.iter().enumerate() {
            let noise = depth_as_filtered(s, NoiseSpec::typical());
            failures.extend(check(s, p, noise, 1000 + 10 * i as u64 + j as u64));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// A laptop on the floor may stand on either side of the person: every lying
/// exercise, each variant, filmed from the body's right side (the renders and the other
/// tests all see its left), including drops the pelvis does not roll for one way.
#[test]
fn lying_exercises_from_the_other_side() {
    let mut failures = Vec::new();
    let mut scenarios: Vec<Scenario> = [
        TiltVariant::Good,
        TiltVariant::HoldTooShort,
        TiltVariant::Crunch,
        TiltVariant::HipsLift,
        TiltVariant::TooFast,
    ]
    .map(pelvic_tilt)
    .into();
    scenarios.extend(
        [
            RotationVariant::Good,
            RotationVariant::RangeTooLarge,
            RotationVariant::ShouldersLift,
            RotationVariant::NotAlternating,
        ]
        .map(controlled_rotation),
    );
    scenarios.extend(
        [
            TractionVariant::Good,
            TractionVariant::BlockTooHigh,
            TractionVariant::BothLegsTogether,
        ]
        .map(back_block_traction),
    );
    scenarios
        .extend([StretchVariant::Good, StretchVariant::HoldTooShort].map(back_rotation_stretch));
    scenarios
        .extend([LyingTwistVariant::Good, LyingTwistVariant::StraightLegBends].map(lying_twist));
    scenarios.push(support::scenarios::controlled_rotation_rolling(
        RotationVariant::Good,
        support::body::Shape::adult(1.0),
        25.0,
        0.0,
    ));
    for (i, s) in scenarios.iter().enumerate() {
        failures.extend(check(
            s,
            Placement::SideFloorRight,
            NoiseSpec::typical(),
            900 + i as u64,
        ));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Webcams run at 15 fps in dim rooms and at 60 on good ones: every exercise, a good
/// performance and one with a fault, from its usual placement, at both rates. (Not
/// `too-fast` at 15 fps: a 0.25 s tilt spans four frames there, and the landmark filter's
/// lag stretches one in four such tilts past the limit — caught at 30 and 60 fps.)
#[test]
fn every_exercise_at_15_and_60_frames_per_second() {
    let fast = pelvic_tilt(TiltVariant::TooFast);
    let frames = fast.frames_at(Placement::SideFloor, NoiseSpec::typical(), 1299, 60.0);
    let verdict = judge(&fast.truth, &analyze_frames(&fast, &frames));
    assert!(verdict.ok(), "too fast at 60 fps: {:?}", verdict.failures);
    let scenarios = [
        (pelvic_tilt(TiltVariant::Good), Placement::SideFloor),
        (pelvic_tilt(TiltVariant::HoldTooShort), Placement::SideFloor),
        (
            controlled_rotation(RotationVariant::Good),
            Placement::SideFloor,
        ),
        (
            controlled_rotation(RotationVariant::RangeTooLarge),
            Placement::SideFloor,
        ),
        (pelvic_rock(RockVariant::Good), Placement::FrontChest),
        (
            pelvic_rock(RockVariant::ShouldersSway),
            Placement::FrontChest,
        ),
        (
            back_block_traction(TractionVariant::Good),
            Placement::SideFloor,
        ),
        (
            back_block_traction(TractionVariant::BothLegsTogether),
            Placement::SideFloor,
        ),
        (mini_squat(SquatVariant::Good), Placement::SideStanding),
        (mini_squat(SquatVariant::TooDeep), Placement::SideStanding),
        (side_bend(SideBendVariant::Good), Placement::FrontStanding),
        (
            side_bend(SideBendVariant::ArmNotReaching),
            Placement::FrontStanding,
        ),
        (
            childs_pose(ChildsPoseVariant::Good),
            Placement::SideStanding,
        ),
        (
            childs_pose(ChildsPoseVariant::HipsNotBack),
            Placement::SideStanding,
        ),
        (
            back_rotation_stretch(StretchVariant::Good),
            Placement::SideFloor,
        ),
        (
            back_rotation_stretch(StretchVariant::HoldTooShort),
            Placement::SideFloor,
        ),
        (lying_twist(LyingTwistVariant::Good), Placement::SideFloor),
        (
            lying_twist(LyingTwistVariant::StraightLegBends),
            Placement::SideFloor,
        ),
    ];
    let mut failures = Vec::new();
    for (i, (s, placement)) in scenarios.iter().enumerate() {
        for fps in [15.0, 60.0] {
            let frames = s.frames_at(*placement, NoiseSpec::typical(), 1300 + i as u64, fps);
            let report = analyze_frames(s, &frames);
            let verdict = judge(&s.truth, &report);
            failures.extend(
                verdict
                    .failures
                    .into_iter()
                    .map(|f| format!("{} at {fps} fps: {f}", s.name)),
            );
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The camera nearer or farther than the placements, and a laptop's wide lens brought
/// close: the person is read relative to their own size in the picture.
#[test]
fn every_exercise_near_far_and_through_a_wide_lens() {
    use support::body::{Camera, v3};
    let lying = |distance: f64, fov_deg: f64| {
        let mut cam = Camera::orbit(v3(-0.15, 0.0, 0.2), distance, 0.0, 7.0);
        cam.focal_px = (f64::from(cam.height) / 2.0) / (fov_deg / 2.0).to_radians().tan();
        cam
    };
    let seated = |distance: f64, fov_deg: f64| {
        let mut cam = Camera::orbit(v3(0.0, -0.2, 0.75), distance, 0.0, 5.0);
        cam.focal_px = (f64::from(cam.height) / 2.0) / (fov_deg / 2.0).to_radians().tan();
        cam
    };
    // (distance m, vertical field of view °): far, near, a 70° webcam lens up close.
    let views = [(4.2, 45.0), (2.1, 45.0), (1.6, 70.0)];
    let mut failures = Vec::new();
    for (v, &(distance, fov)) in views.iter().enumerate() {
        let scenarios = [
            (pelvic_tilt(TiltVariant::Good), lying(distance, fov)),
            (pelvic_tilt(TiltVariant::Crunch), lying(distance, fov)),
            (
                controlled_rotation(RotationVariant::Good),
                lying(distance, fov),
            ),
            (
                controlled_rotation(RotationVariant::RangeTooLarge),
                lying(distance, fov),
            ),
            (pelvic_rock(RockVariant::Good), seated(distance, fov)),
            (
                pelvic_rock(RockVariant::ShouldersTilt),
                seated(distance, fov),
            ),
            (
                back_block_traction(TractionVariant::Good),
                lying(distance, fov),
            ),
            (
                back_block_traction(TractionVariant::BlockTooHigh),
                lying(distance, fov),
            ),
        ];
        for (i, (s, cam)) in scenarios.iter().enumerate() {
            let seed = 1400 + 10 * v as u64 + i as u64;
            let frames = s.frames_through(cam, NoiseSpec::typical(), seed, 30.0);
            let report = analyze_frames(s, &frames);
            let verdict = judge(&s.truth, &report);
            failures.extend(
                verdict
                    .failures
                    .into_iter()
                    .map(|f| format!("{} at {distance} m, {fov}°: {f}", s.name)),
            );
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// A dim room's webcam: two pixels of jitter on every landmark, more than the traction
/// settle band's 0.02 torso lengths on a small or far body. A person lying still on the
/// block is still timed, on every body, from the floor and from above.
#[test]
fn traction_is_timed_through_a_jittery_picture() {
    let mut failures = Vec::new();
    for (b, (body, shape)) in bodies().into_iter().enumerate() {
        let scenario = back_block_traction_on(TractionVariant::Good, shape);
        for (p, placement) in [Placement::SideFloor, Placement::SideAbove]
            .into_iter()
            .enumerate()
        {
            let seed = 7400 + 10 * b as u64 + p as u64;
            let frames = scenario.frames(placement, NoiseSpec::poor(), seed);
            let report = analyze_frames(&scenario, &frames);
            let holds: Vec<f64> = report.reps.iter().filter_map(|r| r.hold_s).collect();
            let want = scenario
                .truth
                .timed_hold_s
                .unwrap_or(scenario.truth.duration_s);
            if !matches!(holds.as_slice(), [h] if (h - want).abs() <= 0.5) {
                failures.push(format!(
                    "{body} {placement:?}: timed {holds:?}, true {want:.1} s"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn pelvic_tilt_synthetic() {
    let scenarios = [
        TiltVariant::Good,
        TiltVariant::HoldTooShort,
        TiltVariant::Crunch,
        TiltVariant::HipsLift,
        TiltVariant::TooFast,
    ]
    .map(pelvic_tilt);
    run_all(
        scenarios.into(),
        &[Placement::SideFloor, Placement::SideAbove],
    );
}

/// Bridges, each fault, from floor level and from 30° above.
#[test]
fn bridge_synthetic() {
    let scenarios = [
        BridgeVariant::Good,
        BridgeVariant::TooLow,
        BridgeVariant::Arching,
        BridgeVariant::TooFast,
        BridgeVariant::HoldTooShort,
    ]
    .map(bridge);
    run_all(
        scenarios.into(),
        &[Placement::SideFloor, Placement::SideAbove],
    );
}

/// Seated twists, each fault, from in front at chest height and from higher and 20° off
/// to one side.
#[test]
fn seated_twist_synthetic() {
    let scenarios = [
        TwistVariant::Good,
        TwistVariant::PelvisTurns,
        TwistVariant::LeanSideways,
        TwistVariant::TooFast,
        TwistVariant::HoldTooShort,
    ]
    .map(seated_twist);
    run_all(
        scenarios.into(),
        &[Placement::FrontChest, Placement::FrontAboveOffAxis],
    );
}

/// Mini squats from beside and in front, each fault from where it shows: the trunk and
/// heels from the side (level and from above), the knees caving in from the front
/// (square on and off to one side).
#[test]
fn mini_squat_synthetic() {
    let side = [Placement::SideStanding, Placement::SideStandingHigh];
    let front = [Placement::FrontStanding, Placement::FrontStandingOffAxis];
    let mut failures = Vec::new();
    for (i, (variant, placements)) in [
        (
            SquatVariant::Good,
            [Placement::SideStanding, Placement::FrontStanding],
        ),
        (
            SquatVariant::TooDeep,
            [Placement::SideStanding, Placement::FrontStanding],
        ),
        (
            SquatVariant::TooFast,
            [Placement::SideStanding, Placement::FrontStanding],
        ),
        (
            SquatVariant::Good,
            [Placement::SideStandingHigh, Placement::FrontStandingOffAxis],
        ),
        // Squats one after another with no pause standing: each one counts (one that
        // starts straight after the last came back is a rep, not that one's wobble).
        (
            SquatVariant::NoPause,
            [Placement::SideStanding, Placement::FrontStanding],
        ),
        (SquatVariant::TrunkLeansForward, side),
        (SquatVariant::HeelsLift, side),
        (SquatVariant::KneesCaveIn, front),
    ]
    .into_iter()
    .enumerate()
    {
        let s = mini_squat(variant);
        for (j, p) in placements.into_iter().enumerate() {
            failures.extend(check(
                &s,
                p,
                NoiseSpec::typical(),
                2000 + 10 * i as u64 + j as u64,
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Standing side bends, each fault, from in front and from higher and 20° off to one
/// side; leaning forward instead of sideways from in front and from higher square on
/// (from 20° off to one side a forward lean shows partly as a sideways turn, and one way
/// it is not seen: standing-side-bend.toml).
#[test]
fn standing_side_bend_synthetic() {
    let scenarios = [
        SideBendVariant::Good,
        SideBendVariant::HipsShift,
        SideBendVariant::ArmNotReaching,
        SideBendVariant::TooFast,
        SideBendVariant::HoldTooShort,
    ]
    .map(side_bend);
    run_all(
        scenarios.into(),
        &[Placement::FrontStanding, Placement::FrontStandingOffAxis],
    );
    run_all(
        vec![side_bend(SideBendVariant::NotSideways)],
        &[Placement::FrontStanding, Placement::FrontStandingHigh],
    );
}

/// Standing child's pose, each fault, from beside at hip height and from above.
#[test]
fn standing_childs_pose_synthetic() {
    let scenarios = [
        ChildsPoseVariant::Good,
        ChildsPoseVariant::KneesLocked,
        ChildsPoseVariant::HipsNotBack,
        ChildsPoseVariant::BackRounding,
        ChildsPoseVariant::TooFast,
        ChildsPoseVariant::HoldTooShort,
    ]
    .map(childs_pose);
    run_all(
        scenarios.into(),
        &[Placement::SideStanding, Placement::SideStandingHigh],
    );
}

/// Back rotation stretches, each fault, from floor level and from 30° above.
#[test]
fn back_rotation_stretch_synthetic() {
    let scenarios = [
        StretchVariant::Good,
        StretchVariant::ShouldersLift,
        StretchVariant::TooFast,
        StretchVariant::HoldTooShort,
    ]
    .map(back_rotation_stretch);
    run_all(
        scenarios.into(),
        &[Placement::SideFloor, Placement::SideAbove],
    );
}

/// Lying twists, each fault, from floor level and from 30° above.
#[test]
fn lying_twist_synthetic() {
    let scenarios = [
        LyingTwistVariant::Good,
        LyingTwistVariant::ShouldersLift,
        LyingTwistVariant::StraightLegBends,
        LyingTwistVariant::TooFast,
        LyingTwistVariant::HoldTooShort,
    ]
    .map(lying_twist);
    run_all(
        scenarios.into(),
        &[Placement::SideFloor, Placement::SideAbove],
    );
}

#[test]
fn controlled_rotation_synthetic() {
    let scenarios = [
        RotationVariant::Good,
        RotationVariant::RangeTooLarge,
        RotationVariant::ShouldersLift,
        RotationVariant::NotAlternating,
    ]
    .map(controlled_rotation);
    run_all(
        scenarios.into(),
        &[Placement::SideFloor, Placement::SideAbove],
    );
}

/// From 30° above, a drop away from the camera shows no lower knees until past 60°: the
/// report says that side's too-far drops may have gone unflagged, and from floor level
/// it says nothing of the kind.
#[test]
fn a_raised_camera_says_too_far_drops_away_from_it_may_go_unflagged() {
    let s = controlled_rotation(RotationVariant::RangeTooLarge);
    let blind = |placement| {
        let frames = s.frames(placement, NoiseSpec::typical(), 11);
        analyze_frames(&s, &frames)
            .notes
            .into_iter()
            .find(|n| n.contains("may not have been flagged"))
    };
    let above = blind(Placement::SideAbove);
    assert!(
        above
            .as_deref()
            .is_some_and(|n| n.contains("to your right") && n.contains("floor level")),
        "from 30° above: {above:?}"
    );
    assert_eq!(blind(Placement::SideFloor), None, "from floor level");
}

/// From 30° above, a 25° drop away from the camera is under what the knees' height can
/// show: its rep reports no range rather than a wrong one, while the drops toward the
/// camera, and every drop from floor level, report theirs.
#[test]
fn a_raised_camera_reports_no_range_for_drops_away_from_it() {
    use backform::exercises::Side;
    let s = controlled_rotation(RotationVariant::Good);
    let ranges = |placement| {
        let frames = s.frames(placement, NoiseSpec::typical(), 12);
        analyze_frames(&s, &frames)
            .reps
            .into_iter()
            .map(|r| (r.side, r.range_deg))
            .collect::<Vec<_>>()
    };
    let above = ranges(Placement::SideAbove);
    assert!(above.len() >= 8, "from 30° above: {above:?}");
    for (side, range) in &above {
        match side {
            Some(Side::Right) => assert_eq!(*range, None, "away, from 30° above: {above:?}"),
            _ => assert!(range.is_some(), "toward, from 30° above: {above:?}"),
        }
    }
    let floor = ranges(Placement::SideFloor);
    assert!(
        floor.len() >= 8 && floor.iter().all(|(_, r)| r.is_some()),
        "{floor:?}"
    );
}

#[test]
fn controlled_rotation_from_the_feet_asks_to_move_the_camera() {
    let spec = backform::exercises::spec::load("controlled-rotation").unwrap();
    let mut failures = Vec::new();
    for variant in [RotationVariant::Good, RotationVariant::RangeTooLarge] {
        let mut s = controlled_rotation(variant);
        s.truth.expect_camera_prompt = Some(spec.camera.wrong_view.clone());
        failures.extend(check(&s, Placement::FeetEnd, NoiseSpec::typical(), 7));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The new exercises filmed from where they cannot be judged: a bridge, a back rotation
/// stretch and a lying twist from the feet end, a seated twist and a standing side bend
/// from the side. Each asks for its camera and counts nothing.
#[test]
fn the_new_exercises_from_the_wrong_place_ask_to_move_the_camera() {
    let mut failures = Vec::new();
    let mut bridge = bridge(BridgeVariant::Good);
    bridge.truth.expect_camera_prompt = Some(
        backform::exercises::spec::load("bridge")
            .unwrap()
            .camera
            .wrong_view,
    );
    failures.extend(check(&bridge, Placement::FeetEnd, NoiseSpec::typical(), 8));
    let mut twist = seated_twist(TwistVariant::Good);
    twist.truth.expect_camera_prompt = Some(
        backform::exercises::spec::load("seated-twist")
            .unwrap()
            .camera
            .wrong_view,
    );
    let wrong_place = |mut s: Scenario, id: &str| {
        s.truth.expect_camera_prompt = Some(
            backform::exercises::spec::load(id)
                .unwrap()
                .camera
                .wrong_view,
        );
        s
    };
    for (i, (scenario, placement)) in [
        (
            wrong_place(side_bend(SideBendVariant::Good), "standing-side-bend"),
            Placement::SideStanding,
        ),
        (
            wrong_place(
                back_rotation_stretch(StretchVariant::Good),
                "back-rotation-stretch",
            ),
            Placement::FeetEnd,
        ),
        (
            wrong_place(lying_twist(LyingTwistVariant::Good), "lying-twist"),
            Placement::FeetEnd,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        failures.extend(check(
            &scenario,
            placement,
            NoiseSpec::typical(),
            20 + i as u64,
        ));
    }
    // Beside the chair at chest height.
    let side = support::body::Camera::orbit(support::body::v3(0.0, -0.2, 0.75), 2.5, 90.0, 5.0);
    let frames = twist.frames_through(&side, NoiseSpec::typical(), 9, 30.0);
    let report = analyze_frames(&twist, &frames);
    let verdict = support::truth::judge(&twist.truth, &report);
    failures.extend(
        verdict
            .failures
            .iter()
            .map(|f| format!("twist from the side: {f}")),
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn pelvic_rock_synthetic() {
    let scenarios = [
        RockVariant::Good,
        RockVariant::ShouldersSway,
        RockVariant::ShouldersTilt,
        RockVariant::NoPelvisMovement,
    ]
    .map(pelvic_rock);
    run_all(
        scenarios.into(),
        &[Placement::FrontChest, Placement::FrontAboveOffAxis],
    );
}

/// A first rock under half the size of the rest (easing in, under the start threshold)
/// is a rep: the rock the other way shows it was one, on every body and from both
/// placements.
#[test]
fn a_small_first_rock_counts_on_every_body() {
    let mut failures = Vec::new();
    for (b, (body, shape)) in bodies().into_iter().enumerate() {
        let scenario = pelvic_rock_on(RockVariant::SmallFirstRock, shape);
        for (j, placement) in [Placement::FrontChest, Placement::FrontAboveOffAxis]
            .into_iter()
            .enumerate()
        {
            for seed in [7, 8] {
                failures.extend(
                    check(
                        &scenario,
                        placement,
                        NoiseSpec::typical(),
                        5000 + 100 * b as u64 + 10 * j as u64 + seed,
                    )
                    .into_iter()
                    .map(|f| format!("{body}: {f}")),
                );
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Rocks read the way MediaPipe shows them from the front: the hip line tilting at a
/// fifth of the pelvis, and the ankle points, though the feet stay put, following the
/// hips sideways by two thirds (as they did on the varied C-s104 filmed from the other
/// side). Every rock still counts, on every body, and the good ones raise no sway.
#[test]
fn rocks_count_when_the_ankle_points_follow_the_hips() {
    use backform::pose::index::{LEFT_ANKLE, LEFT_HIP, RIGHT_ANKLE, RIGHT_HIP};
    let mut failures = Vec::new();
    for (b, (body, shape)) in bodies().into_iter().enumerate() {
        for variant in [RockVariant::Good, RockVariant::ShouldersSway] {
            let scenario = pelvic_rock_on(variant, shape);
            for (j, placement) in [Placement::FrontChest, Placement::FrontAboveOffAxis]
                .into_iter()
                .enumerate()
            {
                let rest_hip_x = std::cell::Cell::new(None);
                let seed = 7400 + 10 * b as u64 + j as u64;
                let frames =
                    scenario.frames_with(placement, NoiseSpec::typical(), seed, |_, pose| {
                        let lm = &mut pose.landmarks;
                        let (l, r) = (lm[LEFT_HIP], lm[RIGHT_HIP]);
                        let mid_y = (l.y_px + r.y_px) / 2.0;
                        lm[LEFT_HIP].y_px = mid_y + 0.2 * (l.y_px - mid_y);
                        lm[RIGHT_HIP].y_px = mid_y + 0.2 * (r.y_px - mid_y);
                        let hip_x = (l.x_px + r.x_px) / 2.0;
                        let rest = rest_hip_x.get().unwrap_or(hip_x);
                        rest_hip_x.set(Some(rest));
                        for a in [LEFT_ANKLE, RIGHT_ANKLE] {
                            lm[a].x_px += 2.0 / 3.0 * (hip_x - rest);
                        }
                    });
                let verdict = judge(&scenario.truth, &analyze_frames(&scenario, &frames));
                failures.extend(
                    verdict
                        .failures
                        .into_iter()
                        .map(|f| format!("{body} {variant:?} {placement:?}: {f}")),
                );
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn back_block_traction_synthetic() {
    let scenarios = [
        TractionVariant::Good,
        TractionVariant::BlockTooHigh,
        TractionVariant::BothLegsTogether,
        TractionVariant::OverTime,
        TractionVariant::SettlesLater,
        TractionVariant::FarLegEchoes,
        TractionVariant::FarLegFollows,
        TractionVariant::HipsDipAsALegSetsOff,
    ]
    .map(back_block_traction);
    run_all(
        scenarios.into(),
        &[Placement::SideFloor, Placement::SideAbove],
    );
}

/// Every exercise, correct and with its faults, on five bodies of different ratios
/// (leg to torso, shoulder to hip width, trunk depth, size), from both placements of each.
/// Traction runs on each body with the average trunk depth for its size: the block's
/// verdict across trunk depths is an open gap (`the_block_is_judged_across_trunk_depths`).
fn five_bodies_failures(noise: NoiseSpec, seed_base: u64) -> Vec<String> {
    let mut failures = Vec::new();
    for (b, (body, shape)) in bodies().into_iter().enumerate() {
        let lying = [Placement::SideFloor, Placement::SideAbove];
        let seated = [Placement::FrontChest, Placement::FrontAboveOffAxis];
        let mut cases: Vec<(Scenario, [Placement; 2])> = Vec::new();
        for v in [
            TiltVariant::Good,
            TiltVariant::HoldTooShort,
            TiltVariant::Crunch,
        ] {
            cases.push((pelvic_tilt_on(v, shape), lying));
        }
        for v in [RotationVariant::Good, RotationVariant::RangeTooLarge] {
            cases.push((controlled_rotation_on(v, shape), lying));
        }
        for v in [
            BridgeVariant::Good,
            BridgeVariant::TooLow,
            BridgeVariant::Arching,
        ] {
            cases.push((bridge_on(v, shape), lying));
        }
        for v in [
            TwistVariant::Good,
            TwistVariant::PelvisTurns,
            TwistVariant::LeanSideways,
        ] {
            cases.push((seated_twist_on(v, shape), seated));
        }
        for v in [
            RockVariant::Good,
            RockVariant::ShouldersSway,
            RockVariant::ShouldersTilt,
        ] {
            cases.push((pelvic_rock_on(v, shape), seated));
        }
        let standing_side = [Placement::SideStanding, Placement::SideStandingHigh];
        let standing_front = [Placement::FrontStanding, Placement::FrontStandingOffAxis];
        for v in [SquatVariant::Good, SquatVariant::TooDeep] {
            cases.push((
                mini_squat_on(v, shape),
                [Placement::SideStanding, Placement::FrontStanding],
            ));
        }
        cases.push((
            mini_squat_on(SquatVariant::TrunkLeansForward, shape),
            standing_side,
        ));
        for v in [
            SideBendVariant::Good,
            SideBendVariant::HipsShift,
            SideBendVariant::ArmNotReaching,
        ] {
            cases.push((side_bend_on(v, shape), standing_front));
        }
        for v in [
            ChildsPoseVariant::Good,
            ChildsPoseVariant::KneesLocked,
            ChildsPoseVariant::HipsNotBack,
        ] {
            cases.push((childs_pose_on(v, shape), standing_side));
        }
        for v in [StretchVariant::Good, StretchVariant::HoldTooShort] {
            cases.push((back_rotation_stretch_on(v, shape), lying));
        }
        for v in [LyingTwistVariant::Good, LyingTwistVariant::StraightLegBends] {
            cases.push((lying_twist_on(v, shape), lying));
        }
        // The body's size is in its arms, which no body of `bodies()` reshapes.
        let adult = Shape::adult(1.0);
        let average_depth = Shape {
            trunk_depth: adult.trunk_depth * shape.forearm / adult.forearm,
            ..shape
        };
        for v in [
            TractionVariant::Good,
            TractionVariant::BlockTooHigh,
            TractionVariant::BothLegsTogether,
        ] {
            cases.push((back_block_traction_on(v, average_depth), lying));
        }
        for (i, (scenario, placements)) in cases.iter().enumerate() {
            for (j, &placement) in placements.iter().enumerate() {
                let seed = seed_base + 100 * b as u64 + 10 * i as u64 + j as u64;
                failures.extend(
                    check(
                        scenario,
                        placement,
                        depth_as_filtered(scenario, noise),
                        seed,
                    )
                    .into_iter()
                    .map(|f| format!("{body}: {f}")),
                );
            }
        }
    }
    failures
}

#[test]
#[ignore = "open gap: the block's height is read as the hips above the shoulder–ankle line in body sizes, which a deeper trunk lowers (its shoulders ride higher): on a 0.27 m trunk a lumbar block passes, on a 0.17 m one a sacrum block from 30° above is called too high (varied C-s105 is the rendered case)"]
fn the_block_is_judged_across_trunk_depths() {
    let mut failures = Vec::new();
    for (b, (body, shape)) in bodies().into_iter().enumerate() {
        for (i, v) in [TractionVariant::Good, TractionVariant::BlockTooHigh]
            .into_iter()
            .enumerate()
        {
            let scenario = back_block_traction_on(v, shape);
            for (j, placement) in [Placement::SideFloor, Placement::SideAbove]
                .into_iter()
                .enumerate()
            {
                let seed = 9000 + 100 * b as u64 + 10 * i as u64 + j as u64;
                failures.extend(
                    check(&scenario, placement, NoiseSpec::typical(), seed)
                        .into_iter()
                        .map(|f| format!("{body}: {f}")),
                );
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn every_exercise_on_five_bodies_of_different_ratios() {
    let failures = five_bodies_failures(NoiseSpec::typical(), 5000);
    assert!(
        failures.is_empty(),
        "{} failures: {failures:#?}",
        failures.len()
    );
}

#[test]
#[ignore = "open gap: with NoiseSpec::poor the tilt and the rock lose reps and holds on every body (about 300 scorer lines over 5 bodies) without always saying they cannot see"]
fn every_exercise_on_five_bodies_with_a_poor_picture() {
    let failures = five_bodies_failures(NoiseSpec::poor(), 7000);
    assert!(
        failures.is_empty(),
        "{} failures: {failures:#?}",
        failures.len()
    );
}

#[test]
fn a_tilt_under_the_drift_is_cannot_see_never_reps_or_a_merged_hold() {
    // The real person's landmarks (clinic footage, floor-level side view): smoothed jitter
    // 0.03 px, the hip drifting 0.5–1.8 px within seconds; their tilts moved the
    // landmarks less than that. Here the tilts are a tenth of the synthetic body's, and
    // nothing else (no outline, no pelvis turn) is read.
    //
    // Right: nothing counted, said once it is known, and both tilts inside the span
    // reported as not seen (what rest showed later says the same of the stillness
    // before it). A ratchet over 24 seeds and both cameras: the drift is an
    // Ornstein–Uhlenbeck wander of 0.28° of trunk angle with a 3 s time constant, and
    // in 16 s of clip little rest is seen on its own: rest is measured only after the
    // landmarks' 3 s of start-up and 3 s after each movement, and a first tilt at 4 s
    // and a second within 3 s of it leave only the clip's last seconds. On a few seeds
    // that rest wanders less than half as far as drift and tilt together go: those
    // still count drift with a tilt: 3 of 48 runs wrong (11 before the counter measured the rest a clip
    // ends on and weighed a rep against the drift its rise gives time for; 48 of 48
    // before the running check read rest's wander either way and dated what it showed
    // back, 21 of them counting drift).
    let drift = measured_drift();
    let scenario = support::scenarios::pelvic_tilt_faint(0.1);
    let spec = backform::exercises::spec::load("pelvic-tilt").unwrap();
    let mut wrong = Vec::new();
    for seed in 1..=24 {
        for placement in [Placement::SideFloor, Placement::SideAbove] {
            let frames = scenario.frames(placement, drift, seed);
            let report = analyze_frames(&scenario, &frames);
            let name = format!("seed {seed} {placement:?}");
            let mut failures = Vec::new();
            if !report.reps.is_empty() {
                failures.push(format!("counted {:?}", report.reps));
            }
            if report.cannot_see.is_empty() {
                failures.push("no cannot-see span".to_string());
            }
            let said = report
                .prompts
                .iter()
                .any(|p| p.text == spec.camera.signal_below_noise);
            if !said {
                failures.push("never said it cannot see the tilt".to_string());
            }
            // Both true tilts lie inside what was declared unseen.
            for rep in &scenario.truth.reps {
                let inside = report
                    .cannot_see
                    .iter()
                    .any(|c| c.start_s <= rep.start_s && c.end_s >= rep.end_s);
                if !inside {
                    failures.push(format!(
                        "tilt {:.1}-{:.1} s not inside {:?}",
                        rep.start_s, rep.end_s, report.cannot_see
                    ));
                }
            }
            // A rep counted inside a span said unseen contradicts it.
            let contradicted = report.reps.iter().any(|r| {
                report
                    .cannot_see
                    .iter()
                    .any(|c| c.start_s <= r.start_s && c.end_s >= r.end_s)
            });
            if contradicted {
                failures.push("a rep counted inside a cannot-see span".to_string());
            }
            if !failures.is_empty() {
                wrong.push(format!("{name}: {failures:?}"));
            }
        }
    }
    assert!(wrong.len() <= 3, "{} of 48 wrong: {wrong:#?}", wrong.len());
}

/// The app's coach (what the routine drives) on the same sub-noise tilts, held 6 s:
/// where it withdraws every rep at the end (it could not see the tilt after all), the
/// sets and holds it completed live with them go too (a long pause after a rep closes a
/// set), and the report says that it could not see the tilt.
#[test]
fn the_app_takes_back_the_sets_and_holds_of_tilts_it_could_not_see() {
    use backform::coach::plan::PlanEntry;
    use backform::coach::routine::CoachFactory;
    use backform::pipeline::engine::BuiltinExercises;
    let drift = measured_drift();
    let scenario = support::scenarios::pelvic_tilt_faint_held(0.1, 6.0);
    let spec = backform::exercises::spec::load("pelvic-tilt").unwrap();
    let entry = PlanEntry::of("pelvic-tilt");
    let mut withdrawn = 0;
    for seed in 1..=24 {
        let frames = scenario.frames(Placement::SideFloor, drift, seed);
        let mut coach = BuiltinExercises.coach(&entry).unwrap();
        let mut live = (0, 0, 0);
        for (t, pose) in &frames {
            coach.update(*t, pose.as_ref());
            let s = coach.state();
            live = (s.reps_total, s.sets_completed, s.holds_completed);
        }
        let report = coach.finish(scenario.truth.duration_s);
        let reps = report["reps"].as_array().map_or(0, Vec::len);
        if reps > 0 || live.0 == 0 {
            continue;
        }
        let after = coach.state();
        assert_eq!(
            (
                after.reps_total,
                after.sets_completed,
                after.holds_completed
            ),
            (0, 0, 0),
            "seed {seed}: counted {live:?} live"
        );
        let said = report["prompts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["text"] == spec.camera.signal_below_noise.as_str())
            .count();
        assert!(said >= 1, "seed {seed}: {report}");
        if live.1 > 0 || live.2 > 0 {
            withdrawn += 1;
        }
    }
    assert!(
        withdrawn > 0,
        "no run completed a set or a hold live and was withdrawn"
    );
}

/// The drift a real person's landmarks showed at rest (clinic footage): the hip
/// wandering 0.5–1.8 px within seconds, 0.005 torso lengths at most — 0.55 px on this
/// body's ~111 px torso — with smoothed jitter of 0.03 px.
fn measured_drift() -> NoiseSpec {
    NoiseSpec {
        jitter_px: 0.03,
        drift_px: 0.55,
        drift_tau_s: 3.0,
        ..NoiseSpec::typical()
    }
}

/// Each case's starting position held without moving, through both its placements, at
/// typical and poor landmark noise and at the measured drift: what was counted or
/// faulted.
fn still_failures(cases: Vec<(Scenario, [Placement; 2], f64)>) -> Vec<String> {
    still_failures_with(cases, &["typical", "poor", "drift"])
}

/// [`still_failures`] with only the named noise levels.
fn still_failures_with(
    cases: Vec<(Scenario, [Placement; 2], f64)>,
    levels: &[&str],
) -> Vec<String> {
    let mut failures = Vec::new();
    for (i, (scenario, placements, duration_s)) in cases.into_iter().enumerate() {
        let exercise = scenario.truth.exercise.clone();
        let still = scenario.held_still(duration_s);
        for placement in placements {
            for (k, (label, noise)) in [
                ("typical", NoiseSpec::typical()),
                ("poor", NoiseSpec::poor()),
                ("drift", measured_drift()),
            ]
            .into_iter()
            .enumerate()
            .filter(|(_, (label, _))| levels.contains(label))
            {
                let frames = still.frames(placement, noise, 7000 + 10 * i as u64 + k as u64);
                let (report, _) = coach::analyze(
                    &exercise,
                    frames.iter().map(|(t, p)| (*t, p.as_ref())),
                    duration_s,
                )
                .unwrap();
                let name = format!("{} [{placement:?}, {label}]", still.name);
                let counted: Vec<_> = if exercise == "back-block-traction" {
                    report.steps.iter().map(|s| s.start_s).collect()
                } else {
                    report.reps.iter().map(|r| r.start_s).collect()
                };
                if !counted.is_empty() {
                    failures.push(format!("{name}: counted at {counted:?}"));
                }
                let faults: Vec<_> = report
                    .faults
                    .iter()
                    .filter(|f| f.code != backform::exercises::FaultCode::NoPelvisMovement)
                    .map(|f| (f.code, f.start_s))
                    .collect();
                if !faults.is_empty() {
                    failures.push(format!("{name}: faults {faults:?}"));
                }
            }
        }
    }
    failures
}

#[test]
fn a_person_lying_or_sitting_still_for_a_minute_gets_no_rep_and_no_fault() {
    let failures = still_failures(vec![
        (
            pelvic_tilt(TiltVariant::Good),
            [Placement::SideFloor, Placement::SideAbove],
            60.0,
        ),
        (
            pelvic_rock(RockVariant::Good),
            [Placement::FrontChest, Placement::FrontAboveOffAxis],
            60.0,
        ),
        (
            bridge(BridgeVariant::Good),
            [Placement::SideFloor, Placement::SideAbove],
            60.0,
        ),
        (
            seated_twist(TwistVariant::Good),
            [Placement::FrontChest, Placement::FrontAboveOffAxis],
            60.0,
        ),
        (
            mini_squat(SquatVariant::Good),
            [Placement::SideStanding, Placement::FrontStanding],
            60.0,
        ),
        (
            side_bend(SideBendVariant::Good),
            [Placement::FrontStanding, Placement::FrontStandingOffAxis],
            60.0,
        ),
        (
            childs_pose(ChildsPoseVariant::Good),
            [Placement::SideStanding, Placement::SideStandingHigh],
            60.0,
        ),
        // Traction is timed: its safety limit is one minute on the block.
        (
            back_block_traction(TractionVariant::Good),
            [Placement::SideFloor, Placement::SideAbove],
            55.0,
        ),
    ]);
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The stretch and the lying twist count the pelvis's roll as the rotation does, from a
/// start three times the rotation's: still, on a clear picture and under the measured
/// drift, nothing (a poor picture is the open gap below).
#[test]
fn a_person_lying_still_for_a_minute_gets_no_stretch_or_twist() {
    let lying = [Placement::SideFloor, Placement::SideAbove];
    let failures = still_failures_with(
        vec![
            (back_rotation_stretch(StretchVariant::Good), lying, 60.0),
            (lying_twist(LyingTwistVariant::Good), lying, 60.0),
        ],
        &["typical", "drift"],
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
#[ignore = "open gap: the hip-roll signal of a rotation is as small as poor-picture noise and the measured drift; a still person still gets 2-8 phantom rotations a minute, and on a poor picture (2 px of raw jitter, which the landmark filter slows into a ±0.03 torso-length wander the calibration's frame-to-frame estimate misses) one phantom stretch or lying twist just after calibration"]
fn a_person_lying_still_for_a_minute_gets_no_rotation() {
    let lying = [Placement::SideFloor, Placement::SideAbove];
    let mut failures = still_failures(vec![(
        controlled_rotation(RotationVariant::Good),
        lying,
        60.0,
    )]);
    failures.extend(still_failures_with(
        vec![
            (back_rotation_stretch(StretchVariant::Good), lying, 60.0),
            (lying_twist(LyingTwistVariant::Good), lying, 60.0),
        ],
        &["poor"],
    ));
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The belly's outline over its chord as the segmentation mask reads it (the pelvic
/// tilt's second cue, docs/tilt-cue.md), one value per 30 fps frame: 0.025 torso lengths
/// at rest, sinking 0.010 × `share` of the way through each move, with the frame-to-frame
/// noise (0.0007) and slow wander (0.001 over ~3 s) seen on the rendered clips. The body
/// model has no outline of its own: this stands in for the mask.
fn belly_outline(
    moves: &[support::scenarios::Move],
    share: f64,
    duration_s: f64,
    seed: u64,
) -> Vec<f64> {
    belly_outline_left(moves, share, 0.0, duration_s, seed)
}

/// [`belly_outline`] that, once the first move has reached its peak, never comes back
/// past `left` of a move: the outline from a raised camera on some rendered bodies
/// (N-s1721, O-s1730), which returns half-way after a tilt and rests there.
fn belly_outline_left(
    moves: &[support::scenarios::Move],
    share: f64,
    left: f64,
    duration_s: f64,
    seed: u64,
) -> Vec<f64> {
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let unit = Normal::new(0.0, 1.0).unwrap();
    let fps = support::scenarios::FPS;
    let decay: f64 = (-1.0 / fps / 3.0).exp();
    let mut wander = 0.0;
    (0..=(duration_s * fps).round() as usize)
        .map(|i| {
            let t = i as f64 / fps;
            wander = decay * wander + 0.001 * (1.0 - decay * decay).sqrt() * unit.sample(&mut rng);
            let peak = moves
                .iter()
                .map(|m| m.amplitude)
                .fold(0.0, f64::max)
                .max(1e-9);
            let peaked = moves.first().is_some_and(|m| t >= m.start_s + m.out_s);
            let floor = if peaked { left } else { 0.0 };
            let through = (support::scenarios::sum(moves, t) / peak).max(floor);
            0.025 - 0.010 * share * through + wander + 0.0007 * unit.sample(&mut rng)
        })
        .collect()
}

/// Frames of `scenario` with the belly outline attached.
fn with_belly(
    scenario: &Scenario,
    placement: Placement,
    noise: NoiseSpec,
    seed: u64,
    belly: &[f64],
) -> Vec<(f64, Option<backform::pose::Pose>)> {
    with_picture(scenario, placement, noise, seed, belly, &[])
}

/// The pelvis's turn in the picture as optical flow reads it (`pose::pelvis_flow`, the
/// pelvic tilt's third cue), one value per 30 fps frame: 0 at rest, falling 0.8° × `share`
/// of the way through each move, with frame-to-frame noise (0.06°) and slow wander (0.05°
/// over ~3 s) at the rendered clips' worst clean-copy levels. The body model has no
/// picture: this stands in for the flow.
fn pelvis_turn(
    moves: &[support::scenarios::Move],
    share: f64,
    duration_s: f64,
    seed: u64,
) -> Vec<f64> {
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let unit = Normal::new(0.0, 1.0).unwrap();
    let fps = support::scenarios::FPS;
    let decay: f64 = (-1.0 / fps / 3.0).exp();
    let peak = moves
        .iter()
        .map(|m| m.amplitude)
        .fold(0.0, f64::max)
        .max(1e-9);
    let mut wander = 0.0;
    (0..=(duration_s * fps).round() as usize)
        .map(|i| {
            let t = i as f64 / fps;
            wander = decay * wander + 0.05 * (1.0 - decay * decay).sqrt() * unit.sample(&mut rng);
            let through = support::scenarios::sum(moves, t) / peak;
            -0.8 * share * through + wander + 0.06 * unit.sample(&mut rng)
        })
        .collect()
}

/// Frames of `scenario` with the outline and the pelvis's turn attached.
fn with_picture(
    scenario: &Scenario,
    placement: Placement,
    noise: NoiseSpec,
    seed: u64,
    belly: &[f64],
    turn: &[f64],
) -> Vec<(f64, Option<backform::pose::Pose>)> {
    scenario.frames_with(placement, noise, seed, |t, pose| {
        let i = (t * support::scenarios::FPS).round() as usize;
        pose.belly_height_torso = belly.get(i).map(|&b| b as f32);
        pose.pelvis_turn_deg = turn.get(i).map(|&b| b as f32);
    })
}

#[test]
fn tilts_neither_the_landmarks_nor_the_outline_resolve_are_counted_from_the_pelvis_turn() {
    // The landmarks move a tenth of the tilt under the measured drift and the outline is
    // not read (its edge beyond the crop, or under a hand); the picture still turns.
    // (An outline that is read, quiet at rest but blind to the tilt, takes up to half the
    // signal by the resolution weighting and can hide it: docs/tilt-cue.md.)
    let moves = support::scenarios::pelvic_tilt_faint_moves(0.1);
    let scenario = support::scenarios::pelvic_tilt_faint(0.1);
    let mut failures = Vec::new();
    for seed in 1..=4 {
        for placement in [Placement::SideFloor, Placement::SideAbove] {
            let turn = pelvis_turn(&moves, 1.0, scenario.truth.duration_s, 900 + seed);
            let frames = with_picture(&scenario, placement, measured_drift(), seed, &[], &turn);
            let report = analyze_frames(&scenario, &frames);
            let verdict = judge(&scenario.truth, &report);
            if !verdict.ok() {
                failures.push(format!("seed {seed} {placement:?}: {:?}", verdict.failures));
            }
        }
    }
    // Every tilt and its short hold is found on every seed. At this noise (the rendered
    // clips' worst), one seed's second hold reads 1.3 s against 1.9 s from both cameras:
    // a ratchet of 6 of 8 right, and nothing but a hold's length wrong.
    let counting: Vec<_> = failures
        .iter()
        .filter(|f| !f.contains("hold: rep"))
        .collect();
    assert!(counting.is_empty(), "{failures:#?}");
    assert!(failures.len() <= 2, "{failures:#?}");
}

#[test]
fn tilts_the_landmarks_cannot_resolve_are_counted_from_the_belly_outline() {
    // The real person's case: the landmarks move a tenth of the synthetic body's tilt
    // under the measured drift, while the outline shows the whole tilt.
    let moves = support::scenarios::pelvic_tilt_faint_moves(0.1);
    let scenario = support::scenarios::pelvic_tilt_faint(0.1);
    let mut failures = Vec::new();
    for seed in 1..=4 {
        for placement in [Placement::SideFloor, Placement::SideAbove] {
            let belly = belly_outline(&moves, 1.0, scenario.truth.duration_s, 100 + seed);
            let frames = with_belly(&scenario, placement, measured_drift(), seed, &belly);
            let report = analyze_frames(&scenario, &frames);
            let verdict = judge(&scenario.truth, &report);
            if !verdict.ok() {
                failures.push(format!("seed {seed} {placement:?}: {:?}", verdict.failures));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn drops_the_pelvis_does_not_roll_for_are_counted_from_the_knees() {
    // Rendered body D from a floor-level side camera: MediaPipe rolled its pelvis for
    // drops to the left (toward the camera) but hardly at all for drops to the right,
    // and half the reps went uncounted. Here the pelvis does not roll at all to the
    // right: every drop counts, each on its side, on every body.
    let mut failures = Vec::new();
    for (b, (body, shape)) in bodies().into_iter().enumerate() {
        let scenario = support::scenarios::controlled_rotation_rolling(
            RotationVariant::Good,
            shape,
            25.0,
            0.0,
        );
        for (p, placement) in [Placement::SideFloor, Placement::SideAbove]
            .into_iter()
            .enumerate()
        {
            let seed = 7100 + 10 * b as u64 + p as u64;
            failures.extend(
                check(&scenario, placement, NoiseSpec::typical(), seed)
                    .into_iter()
                    .map(|f| format!("{body}: {f}")),
            );
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_wide_drop_away_from_a_raised_camera_is_too_large() {
    // From 30° above, knees dropping away from the camera first rise in the picture and
    // are back at their resting height at 60°: only a drop past that shows by height.
    // BlazePose's depth barely says it (here: none at all, the knees' z flattened to the
    // hips'). 75° drops to both sides are each too large; 25° drops never are.
    let mut failures = Vec::new();
    for (b, (body, shape)) in bodies().into_iter().enumerate() {
        for (drop, variant) in [
            (75.0, RotationVariant::RangeTooLarge),
            (25.0, RotationVariant::Good),
        ] {
            let scenario = support::scenarios::controlled_rotation_dropping(variant, shape, drop);
            let seed = 7000 + 10 * b as u64 + drop as u64;
            let frames = scenario.frames_with(
                Placement::SideAbove,
                NoiseSpec::typical(),
                seed,
                |_, pose| {
                    use backform::pose::index::{LEFT_KNEE, RIGHT_KNEE};
                    for k in [LEFT_KNEE, RIGHT_KNEE] {
                        if let Some(lm) = pose.landmarks.get_mut(k) {
                            lm.z = 0.0;
                        }
                    }
                },
            );
            let report = analyze_frames(&scenario, &frames);
            let verdict = judge(&scenario.truth, &report);
            failures.extend(
                verdict
                    .failures
                    .into_iter()
                    .map(|f| format!("{body} {drop}°: {f}")),
            );
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn tilts_whose_outline_comes_back_half_way_count_apart() {
    // The landmarks show a tenth of the tilts; the outline shows them, but comes back
    // only half-way after the first and rests there, 1.3 s, before the second rises
    // from that level (the outline from a raised camera on some rendered bodies, whose
    // tilts it shows at 1.5–2× the floor-level 0.01 torso lengths: N-s1721's read
    // ~1.05 where the outline's counter starts at 0.28). Right: both tilts counted,
    // apart, with their short holds.
    //
    // An open gap, held as a ratchet: right on 4 of the 8 runs (none without the
    // outline's `settled_return`). A fall to exactly half the peak is the rule's own
    // threshold, and with the outline's noise it misses it on some seeds (one merged
    // hold); on others the second tilt, half a tilt above the new rest, stays under
    // the outline counter's start (a missed tilt).
    let moves = support::scenarios::pelvic_tilt_faint_moves(0.1);
    let scenario = support::scenarios::pelvic_tilt_faint(0.1);
    let mut wrong = Vec::new();
    let mut right = 0;
    for seed in 1..=4 {
        for placement in [Placement::SideFloor, Placement::SideAbove] {
            let belly = belly_outline_left(&moves, 1.5, 0.5, scenario.truth.duration_s, 700 + seed);
            let frames = with_belly(&scenario, placement, NoiseSpec::typical(), seed, &belly);
            let report = analyze_frames(&scenario, &frames);
            let verdict = judge(&scenario.truth, &report);
            if verdict.ok() {
                right += 1;
            } else {
                wrong.push(format!("seed {seed} {placement:?}: {:?}", verdict.failures));
            }
        }
    }
    assert!(right >= 4, "{right} of 8 right: {wrong:#?}");
}

#[test]
fn a_hold_the_outline_saw_in_full_is_not_called_short() {
    // Good 6 s holds; the trunk line gets half way with the movement out and creeps the
    // rest 1.5–3.5 s later (a webcam's noise breaks its plateau like this). The trunk line
    // alone measures ~3 s holds and calls them short. The outline follows the real tilts and sees full holds:
    // then no `hold-too-short` is said, and the three tilts still count.
    let moves = support::scenarios::pelvic_tilt_wandering_moves();
    let scenario = support::scenarios::pelvic_tilt_wandering_hold();
    let short = |report: &backform::coach::Report| {
        report
            .faults
            .iter()
            .filter(|f| f.code == backform::exercises::FaultCode::HoldTooShort)
            .count()
    };
    let mut failures = Vec::new();
    let mut trunk_alone_short = 0;
    for seed in 1..=3 {
        for placement in [Placement::SideFloor, Placement::SideAbove] {
            let belly = belly_outline(&moves, 1.0, scenario.truth.duration_s, 600 + seed);
            let frames = with_belly(&scenario, placement, NoiseSpec::typical(), seed, &belly);
            let report = analyze_frames(&scenario, &frames);
            // The hold reported is the one the outline saw, not the trunk line's.
            let full = report
                .reps
                .iter()
                .all(|r| r.hold_s.is_some_and(|h| h >= 5.0));
            if short(&report) > 0 || report.reps.len() != 3 || !full {
                failures.push(format!(
                    "seed {seed} {placement:?}: reps {:?} faults {:?}",
                    report.reps, report.faults
                ));
            }
            let landmarks_only = scenario.frames(placement, NoiseSpec::typical(), seed);
            trunk_alone_short += short(&analyze_frames(&scenario, &landmarks_only));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // The case is the hard one: without the outline the trunk line does call them short.
    assert!(
        trunk_alone_short >= 6,
        "trunk line alone: {trunk_alone_short} short holds"
    );
}

#[test]
fn a_trunk_line_that_never_comes_back_does_not_merge_two_tilts() {
    // The trunk line drifts off during the first tilt and stays at half a tilt: alone it
    // holds one "tilt" across both (a merged hold on every seed). The outline saw two
    // come and go, and the trunk's one rep across both is given up for them. Never a
    // merged hold; a tilt may still be lost where the outline-weighted signal, which
    // carries a share of the stuck trunk line, does not come back either (seed 1 from
    // the floor; from 0.55 of a tilt it can merge too: the limit of this rule).
    let moves = support::scenarios::pelvic_tilt_stuck_moves();
    let scenario = support::scenarios::pelvic_tilt_stuck(0.5);
    let mut failures = Vec::new();
    let mut counted = 0;
    for seed in 1..=4 {
        for placement in [Placement::SideFloor, Placement::SideAbove] {
            let belly = belly_outline(&moves, 1.0, scenario.truth.duration_s, 400 + seed);
            let frames = with_belly(&scenario, placement, NoiseSpec::typical(), seed, &belly);
            let report = analyze_frames(&scenario, &frames);
            let verdict = judge(&scenario.truth, &report);
            if verdict.failures.iter().any(|f| f.contains("merged")) {
                failures.push(format!("seed {seed} {placement:?}: {:?}", verdict.failures));
            }
            counted += report.reps.len();
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // Both tilts on all but one of the eight runs.
    assert!(counted >= 15, "{counted} of 16 tilts counted");
}

#[test]
fn a_trunk_line_away_for_half_a_minute_is_no_tilt() {
    // The trunk line moves off by a tilt and stays 28 s: without a limit on a rep's
    // length the report showed one tilt held 28 s. Past 20 s it is the resting level
    // moving: nothing is counted. With a flat outline, counting goes on from it; with
    // none, backform says it cannot see the tilt.
    let scenario = support::scenarios::pelvic_tilt_level_moves(28.0);
    let mut failures = Vec::new();
    for seed in 1..=3 {
        for placement in [Placement::SideFloor, Placement::SideAbove] {
            let belly = belly_outline(&[], 0.0, scenario.truth.duration_s, 500 + seed);
            let with_outline = with_belly(&scenario, placement, NoiseSpec::typical(), seed, &belly);
            let report = analyze_frames(&scenario, &with_outline);
            if !report.reps.is_empty() {
                failures.push(format!("seed {seed} {placement:?}: reps {:?}", report.reps));
            }
            let landmarks_only = scenario.frames(placement, NoiseSpec::typical(), seed);
            let report = analyze_frames(&scenario, &landmarks_only);
            let blind = report
                .cannot_see
                .iter()
                .any(|s| s.reason == backform::coach::report::CannotSeeReason::MovementBelowNoise);
            if !report.reps.is_empty() || !blind {
                failures.push(format!(
                    "seed {seed} {placement:?}, no outline: reps {:?}, cannot see {:?}",
                    report.reps, report.cannot_see
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_still_person_or_a_faint_picture_never_becomes_tilts() {
    let mut failures = Vec::new();
    let still = pelvic_tilt(TiltVariant::Good).held_still(60.0);
    let faint = support::scenarios::pelvic_tilt_faint(0.1);
    let moves = support::scenarios::pelvic_tilt_faint_moves(0.1);
    for seed in 1..=3 {
        for placement in [Placement::SideFloor, Placement::SideAbove] {
            // Lying still: the outline and the pelvis's turn only wander.
            let belly = belly_outline(&[], 0.0, 60.0, 200 + seed);
            let turn = pelvis_turn(&[], 0.0, 60.0, 1100 + seed);
            let frames = with_picture(&still, placement, measured_drift(), seed, &belly, &turn);
            let (report, _) = coach::analyze(
                "pelvic-tilt",
                frames.iter().map(|(t, p)| (*t, p.as_ref())),
                60.0,
            )
            .unwrap();
            if !report.reps.is_empty() || !report.faults.is_empty() {
                failures.push(format!(
                    "still, seed {seed} {placement:?}: reps {:?} faults {:?}",
                    report.reps, report.faults
                ));
            }
            // Tilts under every cue's noise: a tenth of the outline's sink and the turn too.
            let belly = belly_outline(&moves, 0.1, faint.truth.duration_s, 300 + seed);
            let turn = pelvis_turn(&moves, 0.1, faint.truth.duration_s, 1300 + seed);
            let frames = with_picture(&faint, placement, measured_drift(), seed, &belly, &turn);
            let (report, _) = coach::analyze(
                "pelvic-tilt",
                frames.iter().map(|(t, p)| (*t, p.as_ref())),
                faint.truth.duration_s,
            )
            .unwrap();
            if !report.reps.is_empty() {
                failures.push(format!(
                    "faint, seed {seed} {placement:?}: reps {:?}",
                    report.reps
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Each bridge's range in the report is the trunk's turn in degrees — what the
/// range-of-motion work will build on — from the floor and from above.
#[test]
fn a_bridges_range_is_reported_in_degrees() {
    let scenario = bridge(BridgeVariant::Good);
    let shape = scenario.shape;
    let lift = support::scenarios::bridge_in_line_lift_m(&shape);
    // The true turn of the hips→shoulders line in the body's side plane.
    let turn = |hip_lift_m: f64| {
        let sk = support::body::Lying {
            hip_lift_m,
            ..support::body::Lying::default()
        }
        .skeleton(&shape);
        use backform::pose::index::*;
        let mid = |a: usize, b: usize| sk[a].add(sk[b]).scale(0.5);
        let d = mid(LEFT_SHOULDER, RIGHT_SHOULDER).sub(mid(LEFT_HIP, RIGHT_HIP));
        d.z.atan2(d.x).to_degrees()
    };
    let truth_deg = turn(0.0) - turn(lift);
    for placement in [Placement::SideFloor, Placement::SideAbove] {
        let frames = scenario.frames(placement, NoiseSpec::typical(), 31);
        let report = analyze_frames(&scenario, &frames);
        assert_eq!(report.reps.len(), 4, "{placement:?}");
        for rep in &report.reps {
            let got = rep.range_deg.unwrap();
            assert!(
                (got - truth_deg).abs() < 0.15 * truth_deg,
                "{placement:?}: range {got:.1}° for a {truth_deg:.1}° turn"
            );
        }
    }
}

/// Each new exercise's reps report their range in degrees of the body's own movement:
/// the knees' bend from standing (mini squat), the trunk's sideways bend (side bend), the
/// trunk's fold (child's pose), the knees' drop (rotation stretch), each within 15% of
/// the synthetic body's true angle, from two placements. (The lying twist's range is the
/// crossing thigh's turn read from BlazePose's depth: reported, not held to a number.)
#[test]
fn the_new_exercises_report_each_reps_range_in_degrees() {
    use backform::pose::index::*;
    use support::body::{Standing, V3};
    let angle = |a: V3, b: V3, c: V3| {
        let (u, v) = (a.sub(b), c.sub(b));
        (u.dot(v) / (u.norm() * v.norm())).acos().to_degrees()
    };
    let squat = mini_squat(SquatVariant::Good);
    let shape = squat.shape;
    let bend =
        |sk: &support::body::Skeleton| 180.0 - angle(sk[LEFT_HIP], sk[LEFT_KNEE], sk[LEFT_ANKLE]);
    let leg = shape.thigh + shape.shank;
    let bottom_deg = bend(
        &Standing {
            hip_drop_m: 0.10 * leg,
            hips_back_m: 0.06 * leg,
            trunk_lean_deg: 8.0,
            ..Standing::default()
        }
        .skeleton(&shape),
    );
    let squat_deg = bottom_deg - bend(&Standing::default().skeleton(&shape));
    let cases = [
        (
            squat,
            [Placement::SideStanding, Placement::SideStandingHigh],
            squat_deg,
        ),
        // From the front: the bend at the bottom, taking standing knees as straight (this
        // body stands with them bent 11.5°: mini_squat.rs).
        (
            mini_squat(SquatVariant::Good),
            [Placement::FrontStanding, Placement::FrontStandingOffAxis],
            bottom_deg,
        ),
        (
            side_bend(SideBendVariant::Good),
            [Placement::FrontStanding, Placement::FrontStandingOffAxis],
            22.0,
        ),
        (
            childs_pose(ChildsPoseVariant::Good),
            [Placement::SideStanding, Placement::SideStandingHigh],
            80.0,
        ),
        (
            back_rotation_stretch(StretchVariant::Good),
            [Placement::SideFloor, Placement::SideAbove],
            55.0,
        ),
    ];
    let mut failures = Vec::new();
    for (i, (scenario, placements, truth_deg)) in cases.iter().enumerate() {
        for placement in placements {
            let frames = scenario.frames(*placement, NoiseSpec::typical(), 40 + i as u64);
            let report = analyze_frames(scenario, &frames);
            if report.reps.len() != scenario.truth.reps.len() {
                failures.push(format!(
                    "{} [{placement:?}]: {} reps",
                    scenario.name,
                    report.reps.len()
                ));
            }
            for rep in &report.reps {
                match rep.range_deg {
                    Some(got) if (got - truth_deg).abs() < 0.15 * truth_deg => {}
                    got => failures.push(format!(
                        "{} [{placement:?}]: range {got:?} for {truth_deg:.1}°",
                        scenario.name
                    )),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// `scenario` filmed from `before` until the rest after its second rep, then from
/// `after` (returns that moment and the frames): the two standing placements aim at the
/// same point from about the same distance, so the body stays where it was in the
/// picture — a person turning on the spot, or a camera carried round them, that no jump
/// gives away.
fn turned_frames(
    scenario: &Scenario,
    before: Placement,
    after: Placement,
    seed: u64,
) -> (f64, Vec<(f64, Option<backform::pose::Pose>)>) {
    let switch_s = scenario.truth.reps[1].end_s + 0.3;
    let a = scenario.frames(before, NoiseSpec::typical(), seed);
    let b = scenario.frames(after, NoiseSpec::typical(), seed + 1);
    let frames = a
        .into_iter()
        .zip(b)
        .map(|(x, y)| if x.0 < switch_s { x } else { y })
        .collect();
    (switch_s, frames)
}

/// A person doing mini squats side-on who turns to face the camera between two squats
/// is calibrated again from the front: the squats before and those after the new
/// calibration are counted (each with its range), none across the turn. Judged with the
/// side view's measures, a squat seen from the front reads almost no knee bend.
#[test]
fn a_person_who_turns_to_face_the_camera_is_calibrated_again() {
    let mut failures = Vec::new();
    for (name, shape) in bodies() {
        let s = mini_squat_on(SquatVariant::Good, shape);
        let reps = &s.truth.reps;
        let (switch_s, frames) =
            turned_frames(&s, Placement::SideStanding, Placement::FrontStanding, 7000);
        let report = analyze_frames(&s, &frames);
        let starts: Vec<f64> = report.reps.iter().map(|r| r.start_s).collect();
        // Calibrating again takes the turn's second and a still moment after it: the
        // third squat may start before that; the fourth and fifth may not be missed.
        let expected: Vec<&support::truth::TruthRep> = reps
            .iter()
            .filter(|r| r.end_s < switch_s || r.start_s > switch_s + 2.5)
            .collect();
        for t in &expected {
            if !report
                .reps
                .iter()
                .any(|r| r.start_s < t.end_s && r.end_s > t.start_s)
            {
                failures.push(format!(
                    "{name}: squat {:.1}-{:.1} s not counted (reps start at {starts:.1?})",
                    t.start_s, t.end_s
                ));
            }
        }
        if report.reps.len() > reps.len() {
            failures.push(format!("{name}: {} reps for 5 squats", report.reps.len()));
        }
        if let Some(r) = report
            .reps
            .iter()
            .find(|r| r.start_s < switch_s && r.end_s > switch_s)
        {
            failures.push(format!("{name}: a rep across the turn, {r:?}"));
        }
        if let Some(r) = report
            .reps
            .iter()
            .find(|r| r.range_deg.is_none_or(|d| !(25.0..80.0).contains(&d)))
        {
            failures.push(format!(
                "{name}: range {:?} for a ~50° squat; all {:?}",
                r.range_deg,
                report
                    .reps
                    .iter()
                    .map(|r| (r.start_s, r.range_deg))
                    .collect::<Vec<_>>()
            ));
        }
        if !report.notes.iter().any(|n| n.contains("from the front")) {
            failures.push(format!("{name}: no note of the turn in {:?}", report.notes));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// A side bend needs the camera in front: a person who turns side-on is asked for it
/// and nothing more is counted.
#[test]
fn a_side_bend_turned_side_on_asks_for_the_camera_in_front() {
    let s = side_bend(SideBendVariant::Good);
    let (switch_s, frames) =
        turned_frames(&s, Placement::FrontStanding, Placement::SideStanding, 7100);
    let report = analyze_frames(&s, &frames);
    let wrong_view = backform::exercises::spec::load("standing-side-bend")
        .unwrap()
        .camera
        .wrong_view;
    assert!(
        report
            .prompts
            .iter()
            .any(|p| p.t > switch_s && p.text == wrong_view),
        "no camera prompt after the turn: {:?}",
        report.prompts
    );
    assert_eq!(
        report.reps.iter().filter(|r| r.start_s < switch_s).count(),
        2,
        "{:?}",
        report.reps
    );
    assert!(
        report.reps.iter().all(|r| r.end_s < switch_s),
        "counted after turning side-on: {:?}",
        report.reps
    );
}

/// A person seated facing the camera, twisting, who picked a standing exercise from the
/// front: their thighs point at the camera, however straight the legs look in the
/// picture, so they are asked to stand and nothing is counted or faulted.
#[test]
fn a_seated_person_is_asked_to_stand_for_a_standing_exercise_from_the_front() {
    let mut failures = Vec::new();
    for (i, (name, shape)) in bodies().into_iter().enumerate() {
        let s = seated_twist_on(TwistVariant::Good, shape);
        for id in ["mini-squat", "standing-side-bend"] {
            let frames = s.frames(Placement::FrontChest, NoiseSpec::typical(), 7200 + i as u64);
            let (report, _) = coach::analyze(
                id,
                frames.iter().map(|(t, p)| (*t, p.as_ref())),
                s.truth.duration_s,
            )
            .unwrap();
            let stand = backform::exercises::spec::load(id)
                .unwrap()
                .start_position_prompt;
            if !report.reps.is_empty() || !report.faults.is_empty() {
                failures.push(format!(
                    "{name}, {id}: {} reps, faults {:?}",
                    report.reps.len(),
                    report.faults.iter().map(|f| f.code).collect::<Vec<_>>()
                ));
            }
            if !report.prompts.iter().any(|p| p.text == stand) {
                failures.push(format!("{name}, {id}: never asked to stand"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// A person facing the camera who steps back after calibrating (the picture shrinks by an
/// eighth), or nearer, gets each squat counted and no phantom or too-deep one: the body
/// scaling as a whole, legs and frontal widths alike, is a step, and the standing length
/// is taken again.
#[test]
fn a_step_back_or_forward_from_the_front_is_no_squat() {
    use support::body::{Camera, Noise, project};
    use support::scenarios::STANDING_TARGET;
    let mut failures = Vec::new();
    for (i, (name, shape)) in bodies().into_iter().enumerate() {
        for step_m in [0.5, -0.4] {
            let s = mini_squat_on(SquatVariant::Good, shape);
            // 3.4 m away, stepping between 0.8 and 1.8 s (calibrated before).
            let distance = |t: f64| 3.4 + step_m * ((t - 0.8).clamp(0.0, 1.0));
            let mut noise = Noise::new(NoiseSpec::typical(), 7300 + i as u64);
            let n = (s.truth.duration_s * 30.0) as usize;
            let frames: Vec<(f64, Option<backform::pose::Pose>)> = (0..n)
                .map(|k| {
                    let t = k as f64 / 30.0;
                    let cam = Camera::orbit(STANDING_TARGET, distance(t), 0.0, 2.0);
                    (t, noise.apply(project(&s.pose_at(t), &cam), 1.0 / 30.0))
                })
                .collect();
            let report = analyze_frames(&s, &frames);
            let verdict = support::truth::judge(&s.truth, &report);
            failures.extend(
                verdict
                    .failures
                    .iter()
                    .map(|f| format!("{name}, step {step_m} m: {f}")),
            );
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_hold_the_picture_saw_longer_is_reported_at_its_length() {
    // Good 6 s holds whose trunk line gets half way with the movement out and creeps the
    // rest a moment later: its plateau starts late but still lasts the prescribed 5 s, so
    // no `hold-too-short` is at stake, only the hold's length. The outline follows the
    // real tilts; the hold reported is the longer reading's, within the eval's 0.5 s.
    let moves = support::scenarios::pelvic_tilt_wandering_moves();
    let scenario = support::scenarios::pelvic_tilt_wandering_hold_by(0.5, 0.6);
    let off = |report: &backform::coach::Report| {
        report
            .reps
            .iter()
            .filter(|r| r.hold_s.is_none_or(|h| (h - 6.0).abs() > 0.5))
            .count()
    };
    let mut failures = Vec::new();
    let mut trunk_alone_off = 0;
    for seed in 1..=3 {
        for placement in [Placement::SideFloor, Placement::SideAbove] {
            let belly = belly_outline(&moves, 1.0, scenario.truth.duration_s, 650 + seed);
            let frames = with_belly(&scenario, placement, NoiseSpec::typical(), seed, &belly);
            let report = analyze_frames(&scenario, &frames);
            let holds: Vec<_> = report.reps.iter().map(|r| r.hold_s).collect();
            if off(&report) > 0 || report.reps.len() != 3 {
                failures.push(format!("seed {seed} {placement:?}: holds {holds:?}"));
            }
            let landmarks_only = scenario.frames(placement, NoiseSpec::typical(), seed);
            trunk_alone_off += off(&analyze_frames(&scenario, &landmarks_only));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // The case is the hard one: the trunk line alone times them short.
    assert!(
        trunk_alone_off >= 6,
        "trunk line alone: {trunk_alone_off} holds off"
    );
}
