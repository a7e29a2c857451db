//! The synthetic standing body (`support::body::Standing`) and its two camera placements:
//! every pose the standing exercises need stays in the picture from both, upright reads
//! as standing, and each joint parameter moves the skeleton the way its documentation says.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod support;

use backform::exercises::Side;
use backform::kinematics::view::{Posture, View, classify};
use backform::pose::index::*;
use support::body::{Shape, Skeleton, Standing, V3, bodies, project, v3};
use support::scenarios::Placement;

const PLACEMENTS: [Placement; 2] = [Placement::SideStanding, Placement::FrontStanding];

fn mini_squat() -> Standing {
    Standing {
        hip_drop_m: 0.10,
        hips_back_m: 0.06,
        trunk_lean_deg: 10.0,
        ..Standing::default()
    }
}

fn side_bend_reach() -> Standing {
    Standing {
        side_bend_deg: 25.0,
        reach: Some((Side::Right, 160.0)),
        ..Standing::default()
    }
}

fn childs_pose() -> Standing {
    Standing {
        hands_on: Some(v3(0.0, -0.75, 0.85)),
        hips_back_m: 0.3,
        hip_drop_m: 0.05,
        trunk_lean_deg: 80.0,
        ..Standing::default()
    }
}

fn mid(sk: &Skeleton, a: usize, b: usize) -> V3 {
    sk[a].add(sk[b]).scale(0.5)
}

fn dist(a: V3, b: V3) -> f64 {
    a.sub(b).norm()
}

/// 180° − the hip-knee-ankle angle, degrees.
fn knee_flexion(sk: &Skeleton, hip: usize, knee: usize, ankle: usize) -> f64 {
    let (a, b) = (sk[hip].sub(sk[knee]).unit(), sk[ankle].sub(sk[knee]).unit());
    180.0 - a.dot(b).clamp(-1.0, 1.0).acos().to_degrees()
}

/// The landmarks outside the 640×480 picture, by index.
fn outside(sk: &Skeleton, placement: Placement) -> Vec<(usize, f32, f32)> {
    let pose = project(sk, &placement.camera());
    pose.landmarks
        .iter()
        .enumerate()
        .filter(|(_, l)| !(0.0..=640.0).contains(&l.x_px) || !(0.0..=480.0).contains(&l.y_px))
        .map(|(i, l)| (i, l.x_px, l.y_px))
        .collect()
}

/// Whether a body's legs are long enough, next to its torso, for the classifier's
/// standing test (ankles more than 1.6 torso lengths below the hips, `STANDING_ANKLE_DROP`
/// in src/kinematics/view.rs).
fn legs_read_as_standing(shape: &Shape) -> bool {
    0.995 * (shape.thigh + shape.shank) / shape.torso > 1.6
}

#[test]
fn every_pose_stays_in_the_picture_from_both_placements() {
    let poses = [
        ("upright", Standing::default()),
        ("mini squat", mini_squat()),
        ("side bend 25 with the right arm at 160", side_bend_reach()),
        ("standing child's pose", childs_pose()),
    ];
    let mut failures = Vec::new();
    for (body, shape) in bodies() {
        for (name, pose) in &poses {
            let sk = pose.skeleton(&shape);
            for placement in PLACEMENTS {
                let pose = project(&sk, &placement.camera());
                let (mut lo, mut hi) = ((f32::MAX, f32::MAX), (f32::MIN, f32::MIN));
                for l in &pose.landmarks {
                    lo = (lo.0.min(l.x_px), lo.1.min(l.y_px));
                    hi = (hi.0.max(l.x_px), hi.1.max(l.y_px));
                }
                eprintln!(
                    "{body}, {name} [{placement:?}]: x {:.0}..{:.0}, y {:.0}..{:.0}",
                    lo.0, hi.0, lo.1, hi.1
                );
                let out = outside(&sk, placement);
                if !out.is_empty() {
                    failures.push(format!("{body}, {name}, {placement:?}: {out:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn upright_reads_as_standing_from_the_side_and_the_front() {
    let mut failures = Vec::new();
    for (body, shape) in bodies() {
        let sk = Standing::default().skeleton(&shape);
        for (placement, view) in [
            (Placement::SideStanding, View::Side),
            (Placement::FrontStanding, View::Front),
        ] {
            let est = classify(&project(&sk, &placement.camera()));
            eprintln!("{body} upright [{placement:?}]: {est:?}");
            // The classifier's standing test needs ankles 1.6 torso lengths below the
            // hips: the "long torso, short legs" body's are 1.36 (0.995 × 0.75 / 0.55),
            // so it reads as sitting however it stands. Its view must still be right.
            let posture = if legs_read_as_standing(&shape) {
                Posture::Standing
            } else {
                est.posture
            };
            if (est.posture, est.view) != (posture, view) {
                failures.push(format!(
                    "{body} [{placement:?}]: {:?} {:?}, want {posture:?} {view:?}",
                    est.posture, est.view
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Not a requirement: what the classifier makes of a standing child's pose (trunk
/// nearly horizontal, hands on a table in front). Every body, at the time of writing:
/// `SideStanding` reads Lying/Side (trunk 80° from the image's vertical, across the
/// picture); `FrontStanding` reads Unknown/Unknown, `too_small` — the trunk points at the
/// camera, so the torso is foreshortened below 5% of the image height.
#[test]
fn childs_pose_classification_is_reported() {
    for (body, shape) in bodies() {
        let sk = childs_pose().skeleton(&shape);
        let support = childs_pose().hands_on.unwrap_or_default();
        let short = dist(sk[LEFT_WRIST], support.add(v3(0.2, 0.0, 0.0)));
        eprintln!("{body} child's pose: hands {short:.3} m short of the support");
        for placement in PLACEMENTS {
            let est = classify(&project(&sk, &placement.camera()));
            eprintln!(
                "{body} child's pose [{placement:?}]: {:?} {:?} (trunk {:.0}° from vertical, \
                 torso {:.1} px, too small {})",
                est.posture, est.view, est.trunk_from_vertical_deg, est.torso_px, est.too_small
            );
        }
    }
}

#[test]
fn segment_lengths_are_preserved() {
    let poses = [
        Standing::default(),
        mini_squat(),
        side_bend_reach(),
        Standing {
            hip_drop_m: 0.3,
            hips_back_m: 0.15,
            hip_shift_m: -0.08,
            trunk_lean_deg: 45.0,
            side_bend_deg: -15.0,
            back_round_deg: 30.0,
            heel_lift_m: 0.05,
            reach: Some((Side::Left, 120.0)),
            ..Standing::default()
        },
        // Hands on a support within every body's reach (a counter in front).
        Standing {
            hands_on: Some(v3(0.0, -0.3, 1.05)),
            ..Standing::default()
        },
    ];
    for (body, shape) in bodies() {
        for (k, pose) in poses.iter().enumerate() {
            let sk = pose.skeleton(&shape);
            let checks = [
                (LEFT_HIP, LEFT_KNEE, shape.thigh),
                (RIGHT_HIP, RIGHT_KNEE, shape.thigh),
                (LEFT_KNEE, LEFT_ANKLE, shape.shank),
                (RIGHT_KNEE, RIGHT_ANKLE, shape.shank),
                (LEFT_SHOULDER, LEFT_ELBOW, shape.upper_arm),
                (RIGHT_SHOULDER, RIGHT_ELBOW, shape.upper_arm),
                (LEFT_ELBOW, LEFT_WRIST, shape.forearm),
                (RIGHT_ELBOW, RIGHT_WRIST, shape.forearm),
            ];
            for (a, b, want) in checks {
                let got = dist(sk[a], sk[b]);
                assert!(
                    (got - want).abs() < 1e-3,
                    "{body}, pose {k}: {a}–{b} is {got:.4} m, want {want:.4}"
                );
            }
            if let Some(support) = pose.hands_on {
                for (wrist, dx) in [(LEFT_WRIST, 0.2), (RIGHT_WRIST, -0.2)] {
                    let d = dist(sk[wrist], support.add(v3(dx, 0.0, 0.0)));
                    assert!(d < 1e-3, "{body}: hand {d:.4} m off the support");
                }
            }
        }
    }
}

#[test]
fn hip_drop_lowers_the_hips_and_a_mini_squat_bends_the_knees() {
    for (body, shape) in bodies() {
        let up = Standing::default().skeleton(&shape);
        let hip_up = mid(&up, LEFT_HIP, RIGHT_HIP);
        assert!((hip_up.z - Standing::upright_hip_z(&shape)).abs() < 1e-9);
        for drop in [0.05, 0.1, 0.2] {
            let sk = Standing {
                hip_drop_m: drop,
                ..Standing::default()
            }
            .skeleton(&shape);
            let hip = mid(&sk, LEFT_HIP, RIGHT_HIP);
            assert!(
                (hip_up.z - hip.z - drop).abs() < 1e-9,
                "{body}, drop {drop}"
            );
            // Knees in front of the hip–ankle line, feet where they were.
            assert!(sk[LEFT_KNEE].y < sk[LEFT_ANKLE].y.min(sk[LEFT_HIP].y));
            assert_eq!(sk[LEFT_FOOT_INDEX], up[LEFT_FOOT_INDEX]);
        }
    }
    let shape = Shape::adult(1.0);
    let flexion = |pose: Standing| {
        let sk = pose.skeleton(&shape);
        knee_flexion(&sk, LEFT_HIP, LEFT_KNEE, LEFT_ANKLE)
    };
    let upright = flexion(Standing::default());
    let squat = flexion(Standing {
        hip_drop_m: 0.085,
        hips_back_m: 0.05,
        ..Standing::default()
    });
    eprintln!("average body knee flexion: upright {upright:.1}°, mini squat {squat:.1}°");
    // Upright, the hips at 0.995 of the leg's length above the ankles already bend the
    // knees 11.4°; a 0.085 m drop with the hips 0.05 m back bends them 51.9° in all
    // (40.5° more). Even perfectly straight legs would reach 50.6°: a 9.6% shorter
    // hip–ankle distance is a 50° knee. The 25–50° band holds for the bend beyond upright.
    assert!((10.0..13.0).contains(&upright), "upright {upright:.1}°");
    assert!(
        (25.0..50.0).contains(&(squat - upright)),
        "squat {squat:.1}°"
    );
    assert!((25.0..55.0).contains(&squat), "squat {squat:.1}°");
}

/// The hip → shoulder midpoint line's angles from vertical toward +X and toward −Y.
fn trunk_angles(sk: &Skeleton) -> (f64, f64) {
    let d = mid(sk, LEFT_SHOULDER, RIGHT_SHOULDER).sub(mid(sk, LEFT_HIP, RIGHT_HIP));
    (d.x.atan2(d.z).to_degrees(), (-d.y).atan2(d.z).to_degrees())
}

#[test]
fn side_bend_and_lean_turn_the_trunk() {
    for (body, shape) in bodies() {
        let bent = Standing {
            side_bend_deg: 20.0,
            ..Standing::default()
        }
        .skeleton(&shape);
        let (toward_left, forward) = trunk_angles(&bent);
        assert!(
            (toward_left - 20.0).abs() < 0.5,
            "{body}: {toward_left:.2}°"
        );
        assert!(forward.abs() < 0.5, "{body}: {forward:.2}°");
        let leaning = Standing {
            trunk_lean_deg: 30.0,
            ..Standing::default()
        }
        .skeleton(&shape);
        let (toward_left, forward) = trunk_angles(&leaning);
        assert!((forward - 30.0).abs() < 0.5, "{body}: {forward:.2}°");
        assert!(toward_left.abs() < 0.5, "{body}: {toward_left:.2}°");
        // Rounding the back brings the shoulders down and forward and drops the head more.
        let rounded = Standing {
            trunk_lean_deg: 30.0,
            back_round_deg: 30.0,
            ..Standing::default()
        }
        .skeleton(&shape);
        let (sh, sh_r) = (
            mid(&leaning, LEFT_SHOULDER, RIGHT_SHOULDER),
            mid(&rounded, LEFT_SHOULDER, RIGHT_SHOULDER),
        );
        assert!(sh_r.z < sh.z && sh_r.y < sh.y, "{body}");
        assert!(sh.z - sh_r.z < leaning[NOSE].z - rounded[NOSE].z, "{body}");
        // A hip shift moves everything above the feet sideways.
        let shifted = Standing {
            hip_shift_m: 0.07,
            ..Standing::default()
        }
        .skeleton(&shape);
        let up = Standing::default().skeleton(&shape);
        for i in [NOSE, LEFT_SHOULDER, RIGHT_WRIST, LEFT_HIP] {
            assert!((shifted[i].x - up[i].x - 0.07).abs() < 1e-9, "{body}: {i}");
        }
        assert_eq!(shifted[LEFT_ANKLE], up[LEFT_ANKLE]);
    }
}

#[test]
fn heel_lift_turns_the_feet_about_the_toes() {
    for (body, shape) in bodies() {
        let up = Standing::default().skeleton(&shape);
        let sk = Standing {
            heel_lift_m: 0.04,
            ..Standing::default()
        }
        .skeleton(&shape);
        for (heel, toe, ankle) in [
            (LEFT_HEEL, LEFT_FOOT_INDEX, LEFT_ANKLE),
            (RIGHT_HEEL, RIGHT_FOOT_INDEX, RIGHT_ANKLE),
        ] {
            assert!((sk[heel].z - up[heel].z - 0.04).abs() < 1e-9, "{body}");
            assert_eq!(sk[toe], up[toe], "{body}");
            let rise = sk[ankle].z - up[ankle].z;
            assert!(
                (0.028..0.036).contains(&rise),
                "{body}: ankle rise {rise:.4}"
            );
            assert!(
                (dist(sk[heel], sk[toe]) - dist(up[heel], up[toe])).abs() < 1e-9,
                "{body}: the foot is rigid"
            );
        }
        let rise = sk[LEFT_ANKLE].z - up[LEFT_ANKLE].z;
        for i in [LEFT_HIP, LEFT_SHOULDER, NOSE] {
            assert!((sk[i].z - up[i].z - rise).abs() < 1e-9, "{body}: {i}");
        }
    }
}

#[test]
fn knees_cave_in_toward_the_midline() {
    for (body, shape) in bodies() {
        let up = Standing::default().skeleton(&shape);
        let sk = Standing {
            knees_in_m: 0.05,
            ..Standing::default()
        }
        .skeleton(&shape);
        for knee in [LEFT_KNEE, RIGHT_KNEE] {
            let moved = up[knee].x.abs() - sk[knee].x.abs();
            assert!((moved - 0.05).abs() < 1e-9, "{body}: {moved:.4}");
            assert!((sk[knee].y - up[knee].y).abs() < 1e-9);
            assert!((sk[knee].z - up[knee].z).abs() < 1e-9);
        }
        for i in [LEFT_HIP, RIGHT_HIP, LEFT_ANKLE, RIGHT_ANKLE] {
            assert_eq!(sk[i], up[i]);
        }
    }
}

#[test]
fn a_reach_raises_that_arm_above_the_head() {
    for (body, shape) in bodies() {
        let sk = Standing {
            reach: Some((Side::Left, 170.0)),
            ..Standing::default()
        }
        .skeleton(&shape);
        assert!(
            sk[LEFT_WRIST].z > sk[NOSE].z + 0.1,
            "{body}: wrist {:.3}, nose {:.3}",
            sk[LEFT_WRIST].z,
            sk[NOSE].z
        );
        // The other arm hangs.
        assert!(sk[RIGHT_WRIST].z < sk[RIGHT_SHOULDER].z - 0.5 * shape.upper_arm);
        // In the trunk's frame: with a side bend the raised arm leans over with it.
        let bent = side_bend_reach().skeleton(&shape);
        assert!(bent[RIGHT_WRIST].z > bent[NOSE].z, "{body}");
        assert!(
            bent[RIGHT_WRIST].x > bent[RIGHT_SHOULDER].x,
            "{body}: the right arm reaches over toward the left"
        );
    }
}
