//! Colours and text sizes: calm, high contrast, readable from 2 m away.
//!
//! Everything the app draws takes its colours from here, so the palette stays small:
//! a dark background, off-white text, one accent for the joints a check uses, amber
//! for faults, a soft green for "counting", and a clear (not alarming) red for stop.

use egui::{Color32, FontFamily, FontId, TextStyle};

pub const BACKGROUND: Color32 = Color32::from_rgb(24, 28, 33);
pub const PANEL: Color32 = Color32::from_rgb(33, 38, 45);
pub const TEXT: Color32 = Color32::from_rgb(235, 237, 240);
pub const TEXT_DIM: Color32 = Color32::from_rgb(160, 168, 178);
/// Joints the current check looks at.
pub const ACCENT: Color32 = Color32::from_rgb(92, 192, 235);
/// Joints at fault, and form prompts.
pub const WARNING: Color32 = Color32::from_rgb(242, 169, 59);
/// A hold that is counting; a rep that counted.
pub const GOOD: Color32 = Color32::from_rgb(108, 192, 112);
/// "It hurts — stop" and the firm stop at the end of traction.
pub const STOP: Color32 = Color32::from_rgb(200, 72, 72);
/// Skeleton lines and joints nobody is checking.
pub const SKELETON: Color32 = Color32::from_rgba_premultiplied(220, 220, 220, 200);

/// The large prompt line.
pub fn prompt_font() -> FontId {
    FontId::new(40.0, FontFamily::Proportional)
}

/// Rep counts and countdowns.
pub fn counter_font() -> FontId {
    FontId::new(64.0, FontFamily::Proportional)
}

/// The hold ring's seconds and other mid-size figures.
pub fn figure_font() -> FontId {
    FontId::new(30.0, FontFamily::Proportional)
}

/// Sets large default text sizes and the dark, calm visuals.
pub fn apply(ctx: &egui::Context) {
    ctx.set_visuals(egui::Visuals::dark());
    ctx.all_styles_mut(|style| {
        style.text_styles = [
            (
                TextStyle::Heading,
                FontId::new(34.0, FontFamily::Proportional),
            ),
            (TextStyle::Body, FontId::new(22.0, FontFamily::Proportional)),
            (
                TextStyle::Button,
                FontId::new(24.0, FontFamily::Proportional),
            ),
            (
                TextStyle::Small,
                FontId::new(16.0, FontFamily::Proportional),
            ),
            (
                TextStyle::Monospace,
                FontId::new(18.0, FontFamily::Monospace),
            ),
        ]
        .into();
        style.spacing.button_padding = egui::vec2(16.0, 10.0);
        style.spacing.item_spacing = egui::vec2(12.0, 10.0);
        style.visuals.panel_fill = BACKGROUND;
        style.visuals.window_fill = PANEL;
        style.visuals.override_text_color = Some(TEXT);
    });
}
