//! The settings panel on the start screen: sound, voice (on/off, rate, volume), mirror,
//! camera number, pose model and text size.
//!
//! In flows the app's read-only view (the current [`Settings`]); out flow
//! [`SettingsChange`]s, which the app applies and saves (`crate::settings`). Every
//! control has a visible label, so a screen reader names it and tests find it by name.

use egui::{RichText, Ui};

use crate::settings::{Mirror, Model, Settings, TEXT_SCALES};

use super::action::{Action, AppView};
use super::theme;

/// One setting changed by the user.
#[derive(Clone, Debug, PartialEq)]
pub enum SettingsChange {
    Sound(bool),
    Voice(bool),
    VoiceRate(f32),
    VoiceVolume(f32),
    Mirror(Mirror),
    CameraIndex(u32),
    Model(Model),
    TextScale(f32),
}

impl SettingsChange {
    /// The settings with this change made.
    pub fn apply(&self, settings: &mut Settings) {
        match *self {
            Self::Sound(on) => settings.sound = on,
            Self::Voice(on) => settings.voice = on,
            Self::VoiceRate(rate) => settings.voice_rate = rate.clamp(0.5, 2.0),
            Self::VoiceVolume(volume) => settings.voice_volume = volume.clamp(0.0, 1.0),
            Self::Mirror(mirror) => settings.mirror = mirror,
            Self::CameraIndex(index) => settings.camera_index = index.min(9),
            Self::Model(model) => settings.model = model,
            Self::TextScale(scale) => settings.text_scale = scale,
        }
    }
}

const LABEL_SIZE: f32 = 22.0;

fn heading(ui: &mut Ui, text: &str) {
    ui.add_space(6.0);
    ui.label(RichText::new(text).size(LABEL_SIZE).color(theme::ACCENT));
}

/// The panel, in the start screen's right-hand area.
pub fn settings_ui(view: &AppView, ui: &mut Ui, actions: &mut Vec<Action>) {
    let s = view.settings;
    let mut change = |c: SettingsChange| actions.push(Action::ChangeSetting(c));
    egui::Frame::NONE
        .fill(theme::PANEL)
        .inner_margin(16.0)
        .corner_radius(8.0)
        .show(ui, |ui| {
            ui.set_min_size(ui.available_size());
            // Big enough to hit from arm's length.
            ui.spacing_mut().icon_width = 26.0;
            ui.spacing_mut().icon_width_inner = 16.0;
            ui.spacing_mut().slider_width = 260.0;
            egui::ScrollArea::vertical().show(ui, |ui| {
                ui.label(
                    RichText::new("Changes are saved at once and kept for next time.")
                        .size(18.0)
                        .color(theme::TEXT_DIM),
                );

                heading(ui, "Sound");
                let mut sound = s.sound;
                if ui
                    .checkbox(
                        &mut sound,
                        RichText::new("Sound on (M): tones, and the voice if on").size(20.0),
                    )
                    .changed()
                {
                    change(SettingsChange::Sound(sound));
                }
                let mut voice = s.voice;
                let voice_label = if view.voice_available {
                    "Speak the coaching aloud"
                } else {
                    "Speak the coaching aloud (no speech service found: tones only)"
                };
                if ui
                    .checkbox(&mut voice, RichText::new(voice_label).size(20.0))
                    .changed()
                {
                    change(SettingsChange::Voice(voice));
                }
                ui.add_enabled_ui(s.voice, |ui| {
                    let mut rate = s.voice_rate;
                    if ui
                        .add(
                            egui::Slider::new(&mut rate, 0.5..=2.0)
                                .step_by(0.25)
                                .text(RichText::new("Speaking rate").size(20.0)),
                        )
                        .changed()
                    {
                        change(SettingsChange::VoiceRate(rate));
                    }
                    let mut volume = s.voice_volume;
                    if ui
                        .add(
                            egui::Slider::new(&mut volume, 0.0..=1.0)
                                .step_by(0.1)
                                .text(RichText::new("Voice volume").size(20.0)),
                        )
                        .changed()
                    {
                        change(SettingsChange::VoiceVolume(volume));
                    }
                });

                heading(ui, "Picture");
                ui.horizontal(|ui| {
                    ui.label(RichText::new("Mirror the picture:").size(20.0));
                    for (mirror, text) in [
                        (Mirror::Auto, "For front views"),
                        (Mirror::On, "Always"),
                        (Mirror::Off, "Never"),
                    ] {
                        if ui
                            .selectable_label(s.mirror == mirror, RichText::new(text).size(20.0))
                            .clicked()
                        {
                            change(SettingsChange::Mirror(mirror));
                        }
                    }
                });
                ui.horizontal(|ui| {
                    let mut index = s.camera_index;
                    ui.label(RichText::new("Camera number").size(20.0));
                    if ui
                        .add(egui::DragValue::new(&mut index).range(0..=9).speed(0.05))
                        .on_hover_text("0 is the built-in camera, 1 the next one plugged in")
                        .changed()
                    {
                        change(SettingsChange::CameraIndex(index));
                    }
                });
                ui.horizontal(|ui| {
                    ui.label(RichText::new("Pose model:").size(20.0));
                    for (model, text) in [
                        (Model::Full, "Full (more accurate)"),
                        (Model::Lite, "Lite (for slower computers)"),
                    ] {
                        if ui
                            .selectable_label(s.model == model, RichText::new(text).size(20.0))
                            .clicked()
                        {
                            change(SettingsChange::Model(model));
                        }
                    }
                });

                heading(ui, "Text size");
                ui.horizontal(|ui| {
                    for scale in TEXT_SCALES {
                        let text = format!("{:.0}%", scale * 100.0);
                        if ui
                            .selectable_label(
                                (s.text_scale - scale).abs() < 0.01,
                                RichText::new(text).size(20.0),
                            )
                            .clicked()
                        {
                            change(SettingsChange::TextScale(scale));
                        }
                    }
                });
            });
        });
}
