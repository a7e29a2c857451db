//! The camera picture: one texture, created on the first frame and updated in place.
//!
//! In flow the worker's frames (RGB, shared); out flows the picture drawn to fit the
//! space it is given, optionally mirrored, and the screen rectangle it covers (so the
//! skeleton overlay lands on the body).

use std::sync::Arc;

use egui::{Color32, ColorImage, Rect, TextureHandle, TextureOptions, pos2};

use crate::capture::Frame;

/// Holds the camera texture between frames.
#[derive(Default)]
pub struct CameraView {
    texture: Option<TextureHandle>,
    /// The frame now in the texture: a new upload only when the worker sends another.
    shown: Option<Arc<Frame>>,
    /// Texture uploads so far (tests check that a frame is uploaded once).
    pub uploads: u64,
}

impl CameraView {
    /// Puts `frame` into the texture unless it is already there.
    pub fn update(&mut self, ctx: &egui::Context, frame: &Arc<Frame>) {
        if self
            .shown
            .as_ref()
            .is_some_and(|shown| Arc::ptr_eq(shown, frame))
        {
            return;
        }
        let size = [frame.width as usize, frame.height as usize];
        if frame.rgb.len() != size[0] * size[1] * 3 {
            tracing::warn!(
                width = frame.width,
                height = frame.height,
                bytes = frame.rgb.len(),
                "frame has the wrong size; not shown"
            );
            return;
        }
        let image = ColorImage::from_rgb(size, &frame.rgb);
        match &mut self.texture {
            Some(texture) => texture.set(image, TextureOptions::LINEAR),
            None => self.texture = Some(ctx.load_texture("camera", image, TextureOptions::LINEAR)),
        }
        self.uploads += 1;
        self.shown = Some(Arc::clone(frame));
    }

    pub fn has_picture(&self) -> bool {
        self.texture.is_some()
    }

    /// The frame's size in pixels, if one is shown.
    pub fn frame_size(&self) -> Option<egui::Vec2> {
        self.shown
            .as_ref()
            .map(|f| egui::vec2(f.width as f32, f.height as f32))
    }

    /// Draws the picture centred in `area`, keeping its aspect ratio; returns where it went.
    pub fn camera_ui(&self, ui: &mut egui::Ui, area: Rect, mirrored: bool) -> Option<Rect> {
        let texture = self.texture.as_ref()?;
        let size = self.frame_size()?;
        let rect = fit_rect(area, size);
        let uv = if mirrored {
            Rect::from_min_max(pos2(1.0, 0.0), pos2(0.0, 1.0))
        } else {
            Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0))
        };
        ui.painter().image(texture.id(), rect, uv, Color32::WHITE);
        Some(rect)
    }
}

/// The largest rectangle of `content`'s aspect ratio centred in `area`.
pub fn fit_rect(area: Rect, content: egui::Vec2) -> Rect {
    if content.x <= 0.0 || content.y <= 0.0 {
        return area;
    }
    let scale = (area.width() / content.x).min(area.height() / content.y);
    Rect::from_center_size(area.center(), content * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_keeps_the_aspect_ratio_and_centres() {
        let area = Rect::from_min_size(pos2(0.0, 0.0), egui::vec2(800.0, 400.0));
        let rect = fit_rect(area, egui::vec2(640.0, 480.0));
        assert!((rect.width() / rect.height() - 640.0 / 480.0).abs() < 1e-4);
        assert_eq!(rect.height(), 400.0);
        assert_eq!(rect.center(), area.center());
    }
}
