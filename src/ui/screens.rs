//! The screens around a session: start (choose the routine or one exercise, the camera
//! preview, the not-medical-advice line), the optional pain question before and after,
//! and the summary.
//!
//! In flows the app's read-only [`AppView`]; out flow [`Action`]s (plan, pain ratings,
//! history, settings), which the app applies.

use egui::{Button, Color32, RichText, Ui, vec2};

use crate::coach::plan::RoutinePlan;
use crate::coach::routine::EndReason;
use crate::coach::session_log::PainMoment;

use super::action::{Action, AppView, Plan};
use super::source_picker::SourcePicker;
use super::{camera_view, settings_panel, source_picker, theme};

/// Shown on the start screen, always.
pub const NOT_MEDICAL_ADVICE: &str = "backform is not medical advice and does not replace a physiotherapist or doctor. \
Move gently, in a range that feels relieving — never push through pain.";

fn choice_button(text: &str, width: f32) -> Button<'static> {
    Button::new(RichText::new(text.to_string()).size(26.0))
        .min_size(vec2(width, 60.0))
        .corner_radius(10.0)
}

/// The start screen's field for a physiotherapist's routine file: the typed path, and
/// why the last one could not be used.
#[derive(Clone, Debug, Default)]
pub struct RoutineField {
    pub path: String,
    pub error: Option<String>,
}

impl RoutineField {
    /// Reads the typed file: its plan, or the reason kept to show under the field.
    fn open(&mut self) -> Option<RoutinePlan> {
        let path = self.path.trim();
        if path.is_empty() {
            self.error = Some("Type the path of a routine file (.toml) first".into());
            return None;
        }
        match RoutinePlan::load(std::path::Path::new(path)) {
            Ok(plan) => {
                self.error = None;
                Some(plan)
            }
            Err(err) => {
                tracing::warn!("{err}");
                self.error = Some(err.to_string());
                None
            }
        }
    }
}

/// The exercise names of a routine, in order, for the line under its button.
fn routine_line(view: &AppView, plan: &RoutinePlan) -> String {
    let names: Vec<String> = plan
        .exercises
        .iter()
        .map(|entry| {
            view.exercises
                .iter()
                .find(|info| info.id == entry.id)
                .map_or(entry.id.clone(), |info| info.name.to_lowercase())
        })
        .collect();
    let mut line = names.join(", ");
    if let Some(first) = line.get(..1) {
        line = first.to_uppercase() + line.get(1..).unwrap_or("");
    }
    if plan.notes.is_empty() {
        line
    } else {
        format!("{line}. {}", plan.notes)
    }
}

/// Choose what to do; the camera preview beside it.
pub fn start_ui(
    view: &AppView,
    picker: &mut SourcePicker,
    routine_field: &mut RoutineField,
    ui: &mut Ui,
    actions: &mut Vec<Action>,
) {
    egui::Panel::bottom("start_disclaimer")
        .frame(egui::Frame::NONE.inner_margin(8.0))
        .show(ui, |ui| {
            ui.label(
                RichText::new(NOT_MEDICAL_ADVICE)
                    .size(18.0)
                    .color(theme::TEXT_DIM),
            );
        });
    // Narrower, and scrolling, when large text leaves less room.
    let column = (ui.available_width() * 0.4).clamp(320.0, 470.0);
    let button_width = column - 50.0;
    let last = view.settings.last_plan.as_deref();
    egui::Panel::left("start_choices")
        .exact_size(column)
        .resizable(false)
        .frame(egui::Frame::NONE.inner_margin(8.0))
        .show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                ui.heading("Gentle exercises for a sore lower back");
                ui.label(
                    RichText::new(
                        "I'll watch through the camera and guide you, one exercise at a time.",
                    )
                    .color(theme::TEXT_DIM),
                );
                ui.add_space(12.0);
                // A video that names its exercise (a sidecar file) is coached as that one.
                let default = view
                    .routines
                    .first()
                    .cloned()
                    .unwrap_or_else(RoutinePlan::acute);
                // (A routine the person brought, `--routine FILE`, is run as it is.)
                let video_shows = view
                    .video_exercise
                    .filter(|_| default.is_acute())
                    .and_then(|id| view.exercises.iter().find(|e| e.id == id));
                let default_plan = Plan::Routine(default.clone());
                let (start_text, under) = match video_shows {
                    Some(info) => (
                        format!("Start {}", info.name.to_lowercase()),
                        "The video shows this exercise".to_string(),
                    ),
                    None if default.is_acute() => (
                        "Start the routine".to_string(),
                        routine_line(view, &default),
                    ),
                    None => (
                        format!("Start {}", default.name),
                        routine_line(view, &default),
                    ),
                };
                let start = Button::new(RichText::new(start_text).size(30.0).color(Color32::WHITE))
                    .fill(theme::GOOD.gamma_multiply(0.7))
                    .min_size(vec2(button_width, 72.0))
                    .corner_radius(10.0)
                    .selected(last == Some(default_plan.remembered_as().as_str()));
                if ui.add(start).clicked() {
                    actions.push(Action::ChoosePlan(default_plan));
                }
                ui.label(RichText::new(under).size(17.0).color(theme::TEXT_DIM));
                if video_shows.is_none() {
                    for routine in view.routines.iter().skip(1) {
                        let plan = Plan::Routine(routine.clone());
                        ui.add_space(6.0);
                        let button = choice_button(&routine.name, button_width)
                            .selected(last == Some(plan.remembered_as().as_str()));
                        if ui.add(button).clicked() {
                            actions.push(Action::ChoosePlan(plan));
                        }
                        ui.label(
                            RichText::new(routine_line(view, routine))
                                .size(17.0)
                                .color(theme::TEXT_DIM),
                        );
                    }
                }
                ui.add_space(12.0);
                ui.label(RichText::new("Or one exercise:").color(theme::TEXT_DIM));
                // Two to a row (eleven in one column would push the rest off the
                // screen), made row by row so Tab reads them in order.
                let spacing = ui.spacing().item_spacing.x;
                let half = (button_width - spacing) / 2.0;
                egui::Grid::new("exercises")
                    .num_columns(2)
                    .spacing(vec2(spacing, 6.0))
                    .show(ui, |ui| {
                        for (k, info) in view.exercises.iter().enumerate() {
                            // The one chosen last time is marked.
                            let button = Button::new(RichText::new(info.name.clone()).size(19.0))
                                .min_size(vec2(half, 44.0))
                                .corner_radius(10.0)
                                .selected(last == Some(info.id.as_str()));
                            if ui.add(button).clicked() {
                                actions.push(Action::ChoosePlan(Plan::Single(info.id.clone())));
                            }
                            if k % 2 == 1 {
                                ui.end_row();
                            }
                        }
                    });
                ui.add_space(12.0);
                let caption = ui.label(
                    RichText::new("Or a routine file from your physio:").color(theme::TEXT_DIM),
                );
                ui.horizontal(|ui| {
                    let field = egui::TextEdit::singleline(&mut routine_field.path)
                        .hint_text("/path/to/routine.toml")
                        .desired_width(button_width - 90.0);
                    let typed = ui.add(field).labelled_by(caption.id);
                    let enter = typed.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    if (ui.button(RichText::new("Open").size(20.0)).clicked() || enter)
                        && let Some(plan) = routine_field.open()
                    {
                        actions.push(Action::ChoosePlan(Plan::Routine(plan)));
                    }
                });
                if let Some(error) = &routine_field.error {
                    ui.label(RichText::new(error).size(17.0).color(theme::WARNING));
                }
                ui.add_space(12.0);
                let demo = Button::new(RichText::new("Play the demo").size(22.0))
                    .min_size(vec2(button_width, 48.0))
                    .corner_radius(10.0);
                if ui
                    .add_enabled(view.demo_available, demo)
                    .on_hover_text("The whole routine on bundled videos, to see how it works")
                    .clicked()
                {
                    actions.push(Action::PlayDemo);
                }
            });
        });
    egui::CentralPanel::default()
        .frame(egui::Frame::NONE.inner_margin(8.0))
        .show(ui, |ui| {
            // Top right, above the preview: the left column is full at 720 px. Added
            // left to right, so Tab reaches them in reading order.
            ui.horizontal(|ui| {
                const BUTTON: egui::Vec2 = vec2(160.0, 48.0);
                let spacing = ui.spacing().item_spacing.x;
                ui.add_space((ui.available_width() - 2.0 * BUTTON.x - spacing).max(0.0));
                let settings = Button::new(RichText::new("Settings").size(24.0))
                    .min_size(BUTTON)
                    .corner_radius(10.0)
                    .selected(view.settings_open);
                if ui.add(settings).clicked() {
                    actions.push(Action::ShowSettings(!view.settings_open));
                }
                let history = Button::new(RichText::new("History").size(24.0))
                    .min_size(BUTTON)
                    .corner_radius(10.0);
                if ui.add(history).clicked() {
                    actions.push(Action::OpenHistory);
                }
            });
            if view.settings_open {
                settings_panel::settings_ui(view, ui, actions);
            } else {
                preview_ui(view, picker, ui, actions);
            }
        });
}

/// The camera picture without a skeleton, so the user can check the camera sees them;
/// or the "open a video instead" screen when there is no camera.
fn preview_ui(view: &AppView, picker: &mut SourcePicker, ui: &mut Ui, actions: &mut Vec<Action>) {
    let area = ui.available_rect_before_wrap();
    if view.camera.has_picture() {
        if let Some(size) = view.camera.frame_size() {
            let rect = camera_view::fit_rect(area, size);
            view.camera.camera_ui(ui, rect, view.mirrored);
        }
        return;
    }
    if let Some(reason) = &view.source_unavailable {
        source_picker::no_source_ui(view, picker, ui, reason, actions);
        return;
    }
    ui.painter().rect_filled(area, 8.0, theme::PANEL);
    ui.painter().text(
        area.center(),
        egui::Align2::CENTER_CENTER,
        "Starting the camera…",
        theme::figure_font(),
        theme::TEXT_DIM,
    );
}

/// "How is your pain?" with eleven big buttons and a skip.
pub fn pain_ui(ui: &mut Ui, moment: PainMoment, actions: &mut Vec<Action>) {
    ui.vertical_centered(|ui| {
        ui.add_space(60.0);
        let question = match moment {
            PainMoment::BeforeSession => "How is your back pain right now?",
            PainMoment::AfterSession | PainMoment::AfterStop => "How is your back pain now?",
        };
        ui.label(RichText::new(question).font(theme::prompt_font()));
        ui.label(
            RichText::new("0 is no pain, 10 is the worst you can imagine. This is optional.")
                .color(theme::TEXT_DIM),
        );
        ui.add_space(30.0);
    });
    let mut answer = super::pain::pain_buttons(ui, 88.0, 80.0, 32.0).map(Some);
    ui.add_space(30.0);
    ui.vertical_centered(|ui| {
        if ui
            .add(Button::new(RichText::new("Skip").size(26.0)).min_size(vec2(200.0, 56.0)))
            .clicked()
        {
            answer = Some(None);
        }
        // Before the session, changing one's mind is one click away.
        if moment == PainMoment::BeforeSession {
            ui.add_space(12.0);
            if ui
                .add(Button::new(RichText::new("Back").size(22.0)).min_size(vec2(160.0, 48.0)))
                .clicked()
            {
                actions.push(Action::BackToStart);
            }
        }
    });
    if let Some(pain) = answer {
        actions.push(Action::AnswerPain(moment, pain));
    }
}

/// What was done, the main thing to work on, and the pain before and after: from the
/// store when this session's runs are there, else from the routine's own counts.
pub fn summary_ui(view: &AppView, ui: &mut Ui, actions: &mut Vec<Action>) {
    let completed = view.routine.map_or(&[][..], |r| &r.completed[..]);
    let stored = view.stored_session;
    let stopped = match stored {
        Some(session) => session.runs.iter().any(|r| r.end_reason == "it_hurts"),
        None => completed.iter().any(|e| e.end == EndReason::ItHurts),
    };
    // The buttons stay in view under a summary that scrolls (a bottom panel here would
    // size itself from the frame before and overflow the window).
    const BUTTONS_HEIGHT: f32 = 84.0;
    let scroll_height = (ui.available_height() - BUTTONS_HEIGHT).max(100.0);
    egui::ScrollArea::vertical()
        .max_height(scroll_height)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            ui.heading(if stopped {
                "Thank you for listening to your body"
            } else {
                "Well done for looking after your back"
            });
            ui.add_space(10.0);
            match stored {
                Some(session) => stored_summary_ui(session, ui),
                None => routine_summary_ui(completed, view.is_demo, ui),
            }
            ui.add_space(10.0);
            if let Some(pain) = super::history_view::pain_words(view.pain_before, view.pain_after) {
                ui.label(format!("Your {pain}"));
            }
            if let Some(history) = view.snapshot.and_then(|s| s.history.as_ref()) {
                let line = match (&history.problem, &history.fallback) {
                    (Some(problem), _) => problem.clone(),
                    (None, Some(fallback)) => {
                        format!("Kept in {fallback} until the history can take it")
                    }
                    (None, None) => format!("Saved to {}", history.db_path),
                };
                ui.label(RichText::new(line).size(18.0).color(theme::TEXT_DIM));
            }
            ui.add_space(10.0);
            egui::Frame::NONE
                .fill(theme::PANEL)
                .inner_margin(16.0)
                .corner_radius(8.0)
                .show(ui, |ui| {
                    for line in super::session_view::PROFESSIONAL_ADVICE {
                        ui.label(RichText::new(line).size(19.0));
                    }
                });
        });
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        if ui.add(choice_button("Back to the start", 420.0)).clicked() {
            actions.push(Action::BackToStart);
        }
        if ui.add(choice_button("History", 420.0)).clicked() {
            actions.push(Action::OpenHistory);
        }
    });
}

/// The session as stored: each exercise done against its prescription, with holds, and
/// the fault on the most reps with its prompt.
fn stored_summary_ui(session: &crate::history::progress::SessionFacts, ui: &mut Ui) {
    ui.label(RichText::new("What you did").size(26.0).strong());
    for run in &session.runs {
        let mut line = format!("{}: {}", run.name, run.done_vs_prescribed());
        let mut holds: Vec<f64> = run.holds_s().collect();
        if !holds.is_empty() {
            holds.sort_by(f64::total_cmp);
            let longest = holds.last().copied().unwrap_or_default();
            line += &format!(", longest hold {longest:.1} s");
        }
        if !run.end_words().is_empty() {
            line += &format!(" ({})", run.end_words());
        }
        ui.label(line);
        // Reps it could not see were not counted: say why, in its own words.
        if let Some(said) = &run.unseen {
            ui.label(RichText::new(format!("Not counted: “{said}”")).color(theme::TEXT_DIM));
        }
    }
    ui.add_space(10.0);
    egui::Frame::NONE
        .fill(theme::PANEL)
        .inner_margin(16.0)
        .corner_radius(8.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(
                RichText::new("The main thing to work on")
                    .size(22.0)
                    .color(theme::TEXT_DIM),
            );
            match crate::history::progress::main_thing(&session.runs) {
                Some(focus) => {
                    ui.label(
                        RichText::new(format!("“{}”", focus.prompt))
                            .font(theme::figure_font())
                            .color(theme::WARNING),
                    );
                    let what = if focus.reps == 1 { "rep" } else { "reps" };
                    ui.label(
                        RichText::new(format!("{}: on {} {what}", focus.exercise_name, focus.reps))
                            .color(theme::TEXT_DIM),
                    );
                }
                None => {
                    ui.label("Nothing stood out: your form was steady.");
                }
            }
        });
}

/// "1 rep", "3 reps".
fn counted(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What the routine itself counted, when the store has nothing of this session.
fn routine_summary_ui(
    completed: &[crate::coach::routine::CompletedExercise],
    demo: bool,
    ui: &mut Ui,
) {
    if demo {
        ui.label(RichText::new("What the coach counted in the demo clips").color(theme::TEXT_DIM));
    }
    for exercise in completed {
        let reps = counted(exercise.reps_total, "rep", "reps");
        let how = match exercise.end {
            EndReason::Completed => format!(
                "{reps}, {}",
                counted(exercise.sets_completed, "set", "sets")
            ),
            // In the demo each exercise ends with its clip.
            EndReason::Skipped if demo => format!("{reps}, to the end of its clip"),
            EndReason::Skipped => format!("skipped after {reps}"),
            EndReason::ItHurts => "stopped because it hurt".to_string(),
            EndReason::SessionEnded => format!("{reps}, session ended"),
        };
        ui.label(format!("{} — {how}", exercise.name));
    }
    if completed.is_empty() {
        ui.label(RichText::new("No exercise was recorded this time.").color(theme::TEXT_DIM));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A typed routine file opens, or its problem is kept to show under the field (the
    /// start screen stays usable).
    #[test]
    fn the_routine_field_opens_a_file_or_keeps_why_not() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.toml");
        std::fs::write(
            &good,
            "name = \"Mine\"\n[[exercise]]\nid = \"pelvic-rock\"\n",
        )
        .unwrap();
        let bad = dir.path().join("bad.toml");
        std::fs::write(
            &bad,
            "name = \"Mine\"\n[[exercise]]\nid = \"pelvic-rock\"\nsets = 9\n",
        )
        .unwrap();

        let mut field = RoutineField::default();
        assert!(field.open().is_none());
        assert!(field.error.is_some());

        field.path = bad.display().to_string();
        assert!(field.open().is_none());
        let why = field.error.clone().unwrap();
        assert!(
            why.contains("bad.toml") && why.contains("sets") && why.contains("1–3"),
            "{why}"
        );

        field.path = format!("  {}  ", good.display());
        assert_eq!(field.open().map(|p| p.name), Some("Mine".to_string()));
        assert_eq!(field.error, None);
    }
}
