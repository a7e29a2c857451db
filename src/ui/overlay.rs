//! The skeleton over the camera picture.
//!
//! In flow a pose (landmarks in image pixels), the picture's screen rectangle and the
//! landmark indices the current check uses and faults; out flow lines and dots: the
//! body in a quiet colour, the joints the check uses in the accent colour, and the ones
//! at fault in the warning colour, larger. Landmarks the model is unsure of are left out.

use egui::{Pos2, Rect, Stroke, pos2};

use crate::pose::{LANDMARK_COUNT, Pose, SKELETON_EDGES};

use super::theme;

/// Below this visibility a landmark is not drawn: a guessed joint on screen misleads.
pub const MIN_VISIBILITY: f32 = 0.5;

/// Where landmark `index` lands on screen, if it is visible enough.
pub fn landmark_on_screen(
    pose: &Pose,
    index: usize,
    image_rect: Rect,
    mirrored: bool,
) -> Option<Pos2> {
    let landmark = pose.landmarks.get(index)?;
    if landmark.visibility < MIN_VISIBILITY || pose.image_width == 0 || pose.image_height == 0 {
        return None;
    }
    let mut u = landmark.x_px / pose.image_width as f32;
    let v = landmark.y_px / pose.image_height as f32;
    if mirrored {
        u = 1.0 - u;
    }
    Some(pos2(
        image_rect.left() + u * image_rect.width(),
        image_rect.top() + v * image_rect.height(),
    ))
}

/// Draws the skeleton. Face points other than the nose are skipped: at 2 m they are a
/// blur of dots that says nothing about the exercise.
pub fn skeleton_ui(
    ui: &egui::Ui,
    pose: &Pose,
    image_rect: Rect,
    mirrored: bool,
    used: &[usize],
    faulted: &[usize],
) {
    let painter = ui.painter_at(image_rect);
    let scale = (image_rect.height() / 480.0).clamp(0.6, 2.0);
    let points: Vec<Option<Pos2>> = (0..LANDMARK_COUNT)
        .map(|i| landmark_on_screen(pose, i, image_rect, mirrored))
        .collect();
    let is_face = |i: usize| (1..=10).contains(&i);
    for &(a, b) in &SKELETON_EDGES {
        if is_face(a) || is_face(b) {
            continue;
        }
        let (Some(Some(pa)), Some(Some(pb))) = (points.get(a), points.get(b)) else {
            continue;
        };
        let colour = if faulted.contains(&a) && faulted.contains(&b) {
            theme::WARNING
        } else if used.contains(&a) && used.contains(&b) {
            theme::ACCENT
        } else {
            theme::SKELETON
        };
        painter.line_segment([*pa, *pb], Stroke::new(3.0 * scale, colour));
    }
    for (i, point) in points.iter().enumerate() {
        let Some(point) = point else { continue };
        if is_face(i) {
            continue;
        }
        let (radius, colour) = if faulted.contains(&i) {
            (9.0, theme::WARNING)
        } else if used.contains(&i) {
            (7.0, theme::ACCENT)
        } else {
            (4.0, theme::SKELETON)
        };
        painter.circle(
            *point,
            radius * scale,
            colour,
            Stroke::new(1.5, theme::BACKGROUND),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::{Landmark, Roi};

    fn pose_with(index: usize, x_px: f32, y_px: f32, visibility: f32) -> Pose {
        let mut landmarks = [Landmark::default(); LANDMARK_COUNT];
        landmarks[index] = Landmark {
            x_px,
            y_px,
            z: 0.0,
            visibility,
            presence: 1.0,
        };
        Pose {
            landmarks,
            world: None,
            score: 1.0,
            roi: Roi::default(),
            image_width: 640,
            image_height: 480,
            belly_height_torso: None,
            pelvis_turn_deg: None,
        }
    }

    #[test]
    fn landmarks_map_into_the_picture_and_mirror() {
        let rect = Rect::from_min_size(pos2(100.0, 50.0), egui::vec2(320.0, 240.0));
        let pose = pose_with(23, 160.0, 240.0, 0.9);
        assert_eq!(
            landmark_on_screen(&pose, 23, rect, false),
            Some(pos2(180.0, 170.0))
        );
        assert_eq!(
            landmark_on_screen(&pose, 23, rect, true),
            Some(pos2(340.0, 170.0))
        );
    }

    #[test]
    fn unsure_landmarks_are_not_drawn() {
        let rect = Rect::from_min_size(pos2(0.0, 0.0), egui::vec2(640.0, 480.0));
        let pose = pose_with(23, 10.0, 10.0, 0.2);
        assert_eq!(landmark_on_screen(&pose, 23, rect, false), None);
    }
}
