//! The 0–10 pain buttons, shared by the pain questions (before and after a session) and
//! the "it hurts — stop" screen. Draws; returns the score clicked.

use egui::{Button, RichText, Ui, vec2};

/// Eleven buttons, 0 to 10, centred on one row, each `width` × `height` with text of
/// `text_size`; the score clicked this frame, if any.
pub fn pain_buttons(ui: &mut Ui, width: f32, height: f32, text_size: f32) -> Option<u8> {
    let mut answer = None;
    let spacing = ui.spacing().item_spacing.x;
    let row_width = 11.0 * width + 10.0 * spacing;
    ui.horizontal(|ui| {
        ui.add_space(((ui.available_width() - row_width) / 2.0).max(0.0));
        for pain in 0..=10u8 {
            let button = Button::new(RichText::new(pain.to_string()).size(text_size))
                .min_size(vec2(width, height));
            if ui.add(button).clicked() {
                answer = Some(pain);
            }
        }
    });
    answer
}
