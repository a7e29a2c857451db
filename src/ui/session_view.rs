//! The exercise screen: camera and skeleton, the prompt line, counters, hold ring,
//! traction countdown, rest, and the controls that are always one click away.
//!
//! In flows the app's read-only [`AppView`] (routine view, pose, timings); out flow
//! [`Action`]s (pause, next, start now, "it hurts — stop", mirror, sound). Nothing here
//! decides anything about reps or starts: it shows the routine's view.

use egui::{Align, Align2, Button, Color32, Layout, RichText, Stroke, Ui, pos2, vec2};

use crate::coach::routine::{
    ExerciseInfo, ExerciseState, HoldProgress, PromptKind, RoutineCommand, RoutineView, Stage,
    TractionClock,
};

use super::action::{Action, AppView, Plan};
use super::source_picker::SourcePicker;
use super::{overlay, source_picker, theme};

/// When to see a professional: the seed's advice and EXERCISES.md's safety list (sharp
/// pain, pain down the leg, numbness, spasms that do not ease), plus the usual red flags
/// that need help at once, which neither source spells out but no back-pain app should
/// leave unsaid.
pub const PROFESSIONAL_ADVICE: [&str; 4] = [
    "Gentle, controlled movement is the goal — don't push through pain.",
    "See a physiotherapist or doctor if the pain is sharp, spreads down your leg, comes with numbness or tingling, or if the spasms don't ease with these gentle exercises.",
    "Get help straight away if you notice numbness around the groin, trouble controlling your bladder or bowels, or weakness in your legs.",
    "backform is not medical advice.",
];

/// The whole session screen.
pub fn session_ui(
    app: &AppView,
    picker: &mut SourcePicker,
    ui: &mut Ui,
    actions: &mut Vec<Action>,
) {
    let view = app.routine;
    egui::Panel::top("session_top")
        .frame(egui::Frame::NONE.inner_margin(egui::Margin::symmetric(4, 6)))
        .show(ui, |ui| top_bar_ui(app, ui, view, actions));
    egui::Panel::bottom("session_controls")
        .frame(egui::Frame::NONE.inner_margin(egui::Margin::symmetric(4, 8)))
        .show(ui, |ui| controls_ui(app, ui, view, actions));
    let Some(view) = view else {
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| {
                camera_area_ui(app, picker, ui, None, actions);
            });
        return;
    };
    if view.stage == Stage::StoppedHurts {
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| stopped_ui(app, ui, view, actions));
        return;
    }
    egui::Panel::bottom("session_prompt")
        .frame(egui::Frame::NONE.inner_margin(egui::Margin::symmetric(8, 6)))
        .show(ui, |ui| prompt_ui(ui, view));
    // Wider while preparing: the how-to text should fit without scrolling; the picture
    // matters more once the exercise runs.
    let side_width = if matches!(view.stage, Stage::Preparing { .. }) {
        540.0
    } else {
        410.0
    };
    egui::Panel::right("session_side")
        .exact_size(side_width)
        .resizable(false)
        .frame(
            egui::Frame::NONE
                .fill(theme::PANEL)
                .inner_margin(16.0)
                .corner_radius(8.0),
        )
        .show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| match &view.stage {
                Stage::Preparing { .. } => preparing_ui(app, ui, view, actions),
                _ => progress_ui(ui, view),
            });
        });
    egui::CentralPanel::default()
        .frame(egui::Frame::NONE.inner_margin(egui::Margin {
            right: 12,
            ..Default::default()
        }))
        .show(ui, |ui| {
            camera_area_ui(app, picker, ui, Some(view), actions);
        });
}

fn top_bar_ui(app: &AppView, ui: &mut Ui, view: Option<&RoutineView>, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        match view.and_then(|v| v.exercise.as_ref().map(|e| (v, e))) {
            Some((view, exercise)) => {
                ui.heading(&exercise.name);
                if view.plan_len > 1 {
                    ui.label(
                        RichText::new(format!(
                            "Exercise {} of {}",
                            view.position + 1,
                            view.plan_len
                        ))
                        .color(theme::TEXT_DIM),
                    );
                }
                if view.paused {
                    ui.label(RichText::new("Paused").color(theme::WARNING).strong());
                }
            }
            None => {
                ui.heading("backform");
            }
        }
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            stats_ui(app, ui);
            let mut mirrored = app.mirrored;
            if ui
                .checkbox(&mut mirrored, RichText::new("Mirror").size(18.0))
                .changed()
            {
                actions.push(Action::SetMirror(mirrored));
            }
        });
    });
}

/// Frames/s and latency, small, in the corner.
fn stats_ui(app: &AppView, ui: &mut Ui) {
    let ui_ms = app.ui_frame_ms;
    let text = match app.snapshot {
        Some(snapshot) => format!(
            "{:.0} fps · {:.0} ms · UI {:.1} ms",
            snapshot.stats.processed_fps, snapshot.stats.latency_median_ms, ui_ms
        ),
        None => format!("UI {ui_ms:.1} ms"),
    };
    ui.label(RichText::new(text).size(15.0).color(theme::TEXT_DIM))
        .on_hover_text(
            "Frames analysed per second · time from camera to screen · time to draw the window",
        );
}

fn big_button(text: &str, fill: Color32) -> Button<'static> {
    Button::new(
        RichText::new(text.to_string())
            .size(26.0)
            .color(Color32::WHITE),
    )
    .fill(fill)
    .min_size(vec2(180.0, 58.0))
    .corner_radius(10.0)
}

fn controls_ui(app: &AppView, ui: &mut Ui, view: Option<&RoutineView>, actions: &mut Vec<Action>) {
    let paused = view.is_some_and(|v| v.paused);
    let stage = view.map(|v| v.stage.clone());
    ui.horizontal(|ui| {
        let under_way = matches!(
            stage,
            Some(Stage::Preparing { .. } | Stage::Active | Stage::Resting { .. })
        );
        // Fixed widths and a fixed order, so Pause, Next and Sound stay where the hand
        // (or mouse) expects them whatever the stage and the labels say.
        let steady = vec2(220.0, 58.0);
        if under_way {
            let pause_text = if paused {
                "Resume (Space)"
            } else {
                "Pause (Space)"
            };
            if ui
                .add(big_button(pause_text, theme::PANEL).min_size(steady))
                .clicked()
            {
                actions.push(Action::Routine(RoutineCommand::TogglePause));
            }
            let next_text = match stage {
                Some(Stage::Resting { .. }) => "Skip the rest (N)",
                _ => "Next (N)",
            };
            if ui
                .add(big_button(next_text, theme::PANEL).min_size(steady))
                .clicked()
            {
                actions.push(Action::Routine(RoutineCommand::Next));
            }
        }
        let mute_text = if app.muted {
            "Sound off (M)"
        } else {
            "Sound on (M)"
        };
        if ui
            .add(big_button(mute_text, theme::PANEL).min_size(vec2(200.0, 58.0)))
            .clicked()
        {
            actions.push(Action::ToggleMute);
        }
        if matches!(stage, Some(Stage::Preparing { .. }))
            && ui
                .add(big_button("Start now", theme::GOOD.gamma_multiply(0.6)))
                .clicked()
        {
            actions.push(Action::Routine(RoutineCommand::StartNow));
        }
        if under_way {
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                let stop =
                    big_button("It hurts — stop (Esc)", theme::STOP).min_size(vec2(340.0, 58.0));
                if ui.add(stop).clicked() {
                    actions.push(Action::Routine(RoutineCommand::StopHurts));
                }
            });
        }
    });
}

fn prompt_colour(kind: PromptKind) -> Color32 {
    match kind {
        PromptKind::Safety => theme::STOP,
        PromptKind::Form => theme::WARNING,
        PromptKind::Camera => theme::ACCENT,
        PromptKind::Info => theme::TEXT,
    }
}

/// The one large, calm prompt line.
fn prompt_ui(ui: &mut Ui, view: &RoutineView) {
    let state = view.state.as_ref();
    let (text, colour) = match (&view.stage, state.and_then(|s| s.prompt.as_ref())) {
        (_, _) if view.paused => (
            "Paused — press Space when you're ready".to_string(),
            theme::TEXT,
        ),
        (Stage::Resting { .. }, _) => ("Rest. Breathe slowly.".to_string(), theme::TEXT),
        (Stage::Active, Some(prompt)) => (prompt.text.clone(), prompt_colour(prompt.kind)),
        (Stage::Preparing { .. }, _) => match state {
            Some(s) if s.ready => ("Good — hold still, starting…".to_string(), theme::GOOD),
            Some(s) => (
                s.readiness_hint
                    .clone()
                    .unwrap_or_else(|| "Get into the starting position".to_string()),
                theme::ACCENT,
            ),
            None => ("Get into the starting position".to_string(), theme::ACCENT),
        },
        (Stage::Active, None) => {
            let timed = view
                .exercise
                .as_ref()
                .is_some_and(|e| e.prescription.time_limit_s.is_some());
            let text = if timed {
                "Relax and breathe slowly."
            } else {
                // Every exercise's, the strengthening ones too: "relieving" is the acute
                // routine's word.
                "Slowly, in a range that feels comfortable."
            };
            (text.to_string(), theme::TEXT_DIM)
        }
        _ => (String::new(), theme::TEXT),
    };
    let line = ui.add_sized(
        vec2(ui.available_width(), 56.0),
        egui::Label::new(RichText::new(text).font(theme::prompt_font()).color(colour)).wrap(),
    );
    // A polite live region: a screen reader reads each new prompt when it is done
    // speaking, without being asked to and without cutting itself off.
    ui.ctx().accesskit_node_builder(line.id, |node| {
        node.set_live(egui::accesskit::Live::Polite);
    });
}

/// The camera picture with the skeleton, or the "open a video" picker when there is none.
fn camera_area_ui(
    app: &AppView,
    picker: &mut SourcePicker,
    ui: &mut Ui,
    view: Option<&RoutineView>,
    actions: &mut Vec<Action>,
) {
    let area = ui.available_rect_before_wrap();
    if !app.camera.has_picture() {
        if let Some(reason) = &app.source_unavailable {
            source_picker::no_source_ui(app, picker, ui, reason, actions);
        } else {
            ui.painter().rect_filled(area, 8.0, theme::PANEL);
            let text = match app.snapshot.map(|s| &s.source) {
                Some(crate::pipeline::SourceStatus::Lost { .. }) => {
                    "The camera stopped. Reconnecting…"
                }
                _ => "Starting the camera…",
            };
            ui.painter().text(
                area.center(),
                Align2::CENTER_CENTER,
                text,
                theme::figure_font(),
                theme::TEXT_DIM,
            );
        }
        return;
    }
    let mirrored = app.mirrored;
    let Some(image_rect) = app.camera.camera_ui(ui, area, mirrored) else {
        return;
    };
    let resting = matches!(view.map(|v| &v.stage), Some(Stage::Resting { .. }));
    if let Some(snapshot) = app.snapshot
        && let Some(pose) = &snapshot.pose
        && !resting
    {
        // No skeleton while resting: nothing is being checked, and it would only clutter.
        let state = view.and_then(|v| v.state.as_ref());
        let used = state.map_or(&[][..], |s| &s.landmarks_used[..]);
        let faulted = state.map_or(&[][..], |s| &s.landmarks_faulted[..]);
        overlay::skeleton_ui(ui, pose, image_rect, mirrored, used, faulted);
    }
    if let Some(Stage::Resting {
        remaining_s,
        next_set,
    }) = view.map(|v| &v.stage)
    {
        let sets = view
            .and_then(|v| v.exercise.as_ref())
            .map_or(1, |e| e.prescription.sets);
        rest_overlay_ui(ui, image_rect, *remaining_s, *next_set, sets);
    }
    // The banner last, so nothing covers it.
    if let Some(snapshot) = app.snapshot {
        let timed = view
            .and_then(|v| v.state.as_ref())
            .and_then(|s| s.traction.as_ref())
            .is_some_and(|clock| clock.running);
        let banner = match (&snapshot.source, view.and_then(|v| v.waiting)) {
            (
                crate::pipeline::SourceStatus::Lost { .. }
                | crate::pipeline::SourceStatus::Reconnecting { .. },
                _,
            ) => Some(if timed {
                "The camera stopped. Reconnecting… Your minute on the block keeps running."
                    .to_string()
            } else {
                "The camera stopped. Paused until it is back — reconnecting…".to_string()
            }),
            (crate::pipeline::SourceStatus::Ended { .. }, _) => {
                Some("The video has ended.".to_string())
            }
            (_, Some(crate::coach::routine::Waiting::PersonAway)) => {
                Some("Paused — I'll carry on when I can see you again.".to_string())
            }
            // A history that cannot be written is said, calmly; coaching goes on.
            _ => snapshot.problem.clone().or_else(|| {
                snapshot
                    .history
                    .as_ref()
                    .and_then(|history| history.problem.clone())
            }),
        };
        if let Some(banner) = app.launch_error.map(str::to_string).or(banner) {
            banner_ui(ui, image_rect, banner);
        }
    }
}

/// A short message in the picture's top-left corner.
fn banner_ui(ui: &Ui, image_rect: egui::Rect, text: String) {
    let pos = image_rect.left_top() + vec2(12.0, 12.0);
    let galley = ui.painter().layout(
        text,
        egui::FontId::proportional(18.0),
        theme::TEXT,
        image_rect.width() - 24.0,
    );
    let rect = egui::Rect::from_min_size(pos, galley.size()).expand(6.0);
    ui.painter()
        .rect_filled(rect, 6.0, Color32::from_black_alpha(180));
    ui.painter().galley(pos, galley, theme::TEXT);
}

/// The rest countdown over a dimmed picture.
fn rest_overlay_ui(ui: &Ui, image_rect: egui::Rect, remaining_s: f64, next_set: u32, sets: u32) {
    let painter = ui.painter_at(image_rect);
    painter.rect_filled(image_rect, 0.0, Color32::from_black_alpha(170));
    let c = image_rect.center();
    painter.text(
        c - vec2(0.0, 60.0),
        Align2::CENTER_CENTER,
        "Rest",
        theme::counter_font(),
        theme::TEXT,
    );
    painter.text(
        c + vec2(0.0, 10.0),
        Align2::CENTER_CENTER,
        clock_text(remaining_s),
        theme::counter_font(),
        theme::GOOD,
    );
    painter.text(
        c + vec2(0.0, 80.0),
        Align2::CENTER_CENTER,
        format!("Next: set {next_set} of {sets}"),
        theme::figure_font(),
        theme::TEXT_DIM,
    );
}

/// `m:ss`, rounded up so a countdown shows 0:01 until it is really over.
pub fn clock_text(seconds: f64) -> String {
    let total = seconds.max(0.0).ceil() as u64;
    format!("{}:{:02}", total / 60, total % 60)
}

/// After this long without the starting position, the exercise may be the wrong one
/// (a video of another exercise, a person who cannot get into this position): offer
/// the others rather than wait for ever.
pub const NOT_READY_OFFER_AFTER_S: f64 = 30.0;

/// "I haven't seen the starting position yet": choose another exercise, or keep waiting.
fn not_ready_offer_ui(
    app: &AppView,
    ui: &mut Ui,
    exercise: &ExerciseInfo,
    actions: &mut Vec<Action>,
) {
    if app
        .preparing_for_s
        .is_none_or(|waited| waited < NOT_READY_OFFER_AFTER_S)
    {
        return;
    }
    egui::Frame::NONE
        .fill(theme::BACKGROUND)
        .inner_margin(10.0)
        .corner_radius(8.0)
        .show(ui, |ui| {
            ui.label(
                RichText::new(format!(
                    "I haven't seen the starting position for {} yet. Doing another exercise?",
                    exercise.name.to_lowercase()
                ))
                .size(20.0),
            );
            ui.horizontal_wrapped(|ui| {
                for other in app.exercises.iter().filter(|e| e.id != exercise.id) {
                    if ui.button(RichText::new(&other.name).size(20.0)).clicked() {
                        actions.push(Action::SwitchTo(Plan::Single(other.id.clone())));
                    }
                }
            });
        });
    ui.add_space(6.0);
}

/// Before an exercise: how to do it, where the camera goes, and the readiness check.
fn preparing_ui(app: &AppView, ui: &mut Ui, view: &RoutineView, actions: &mut Vec<Action>) {
    let Some(exercise) = &view.exercise else {
        return;
    };
    not_ready_offer_ui(app, ui, exercise, actions);
    ui.label(RichText::new("Next up").color(theme::TEXT_DIM));
    ui.heading(&exercise.name);
    // The readiness check first: it is what starts the exercise, so it must never
    // scroll out of view below the how-to text.
    if let Stage::Preparing {
        ready_for_s,
        ready_needed_s,
    } = view.stage
    {
        let fraction = if ready_needed_s > 0.0 {
            (ready_for_s / ready_needed_s).clamp(0.0, 1.0)
        } else {
            1.0
        };
        let ready = view.state.as_ref().is_some_and(|s| s.ready);
        let text = if ready {
            "Ready — hold still"
        } else {
            "Starts when I see you in position"
        };
        ui.add(
            egui::ProgressBar::new(fraction as f32)
                .text(RichText::new(text).size(18.0))
                .fill(if ready {
                    theme::GOOD
                } else {
                    theme::BACKGROUND
                }),
        );
    }
    ui.add_space(6.0);
    ui.label(
        RichText::new("Where to put the camera")
            .strong()
            .color(theme::ACCENT),
    );
    ui.label(RichText::new(&exercise.camera_placement).size(20.0));
    ui.add_space(6.0);
    ui.label(RichText::new("How to do it").strong().color(theme::ACCENT));
    for (i, step) in exercise.how_to.iter().enumerate() {
        ui.label(RichText::new(format!("{}. {step}", i + 1)).size(20.0));
    }
    ui.label(
        RichText::new(prescription_text(exercise))
            .size(20.0)
            .color(theme::TEXT_DIM),
    );
    for tip in &exercise.tips {
        ui.label(RichText::new(tip).italics().color(theme::TEXT_DIM));
    }
}

fn prescription_text(exercise: &ExerciseInfo) -> String {
    let p = &exercise.prescription;
    if let Some(limit_s) = p.time_limit_s {
        return format!(
            "Up to {} — I'll tell you when to stop.",
            clock_text(limit_s)
        );
    }
    let per = if p.per_side { " each side" } else { "" };
    let hold = p
        .hold_s
        .map(|s| format!(", hold {s:.0} s each"))
        .unwrap_or_default();
    format!("{} sets of {}{per}{hold}.", p.sets, p.reps_per_set)
}

/// During an exercise: reps per side, set, hold ring, traction countdown.
fn progress_ui(ui: &mut Ui, view: &RoutineView) {
    let Some(exercise) = &view.exercise else {
        return;
    };
    let default_state = ExerciseState::default();
    let state = view.state.as_ref().unwrap_or(&default_state);
    let p = &exercise.prescription;
    if let Stage::Resting {
        remaining_s,
        next_set,
    } = view.stage
    {
        ui.label(
            RichText::new(format!("Rest {}", clock_text(remaining_s)))
                .font(theme::counter_font())
                .color(theme::GOOD),
        );
        ui.label(
            RichText::new(format!("Then set {next_set} of {}", p.sets)).font(theme::figure_font()),
        );
        return;
    }
    if p.time_limit_s.is_none() {
        ui.label(
            RichText::new(format!(
                "Set {} of {}",
                view.current_set.min(p.sets.max(1)),
                p.sets
            ))
            .font(theme::figure_font()),
        );
        if p.per_side {
            for (side, reps) in [("Left", state.reps_left), ("Right", state.reps_right)] {
                ui.horizontal(|ui| {
                    ui.label(
                        RichText::new(side)
                            .font(theme::figure_font())
                            .color(theme::TEXT_DIM),
                    );
                    ui.label(RichText::new(format!("{reps}")).font(theme::counter_font()));
                    ui.label(
                        RichText::new(format!("of {}", p.reps_per_set))
                            .font(theme::figure_font())
                            .color(theme::TEXT_DIM),
                    );
                });
            }
        } else {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new("Reps")
                        .font(theme::figure_font())
                        .color(theme::TEXT_DIM),
                );
                ui.label(
                    RichText::new(format!("{}", state.reps_in_set)).font(theme::counter_font()),
                );
                ui.label(
                    RichText::new(format!("of {}", p.reps_per_set))
                        .font(theme::figure_font())
                        .color(theme::TEXT_DIM),
                );
            });
        }
    }
    if let Some(hold) = &state.hold {
        hold_ring_ui(ui, hold);
    } else if let Some(target_s) = p.hold_s {
        hold_ring_ui(
            ui,
            &HoldProgress {
                held_s: 0.0,
                target_s,
                counting: false,
            },
        );
    }
    if let Some(clock) = &state.traction {
        traction_ui(ui, clock);
    } else if let Some(limit_s) = p.time_limit_s {
        // The clock starts once the person is settled on the block: show the whole
        // minute until then, so the screen says what is coming.
        traction_ui(
            ui,
            &TractionClock {
                elapsed_s: 0.0,
                limit_s,
                running: false,
            },
        );
        ui.label(
            RichText::new("The clock starts when you are settled on the block.")
                .size(19.0)
                .color(theme::TEXT_DIM),
        );
    }
    if !state.active_faults.is_empty() {
        ui.add_space(8.0);
        for fault in &state.active_faults {
            ui.label(
                RichText::new(fault_text(fault))
                    .size(20.0)
                    .color(theme::WARNING),
            );
        }
    }
    // The seed's tips stay in view: the how-to screen may have passed quickly.
    if !exercise.tips.is_empty() {
        ui.add_space(12.0);
        for tip in &exercise.tips {
            ui.label(
                RichText::new(tip)
                    .size(19.0)
                    .italics()
                    .color(theme::TEXT_DIM),
            );
        }
    }
    if let Some(next) = &view.next_exercise_name {
        ui.add_space(12.0);
        ui.label(RichText::new(format!("Then: {next}")).color(theme::TEXT_DIM));
    }
}

/// A fault code as words: `shoulders-tilt` → "Shoulders tilt".
pub fn fault_text(code: &str) -> String {
    let words = code.replace('-', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A ring that fills towards the hold's target, in green only while the hold counts.
fn hold_ring_ui(ui: &mut Ui, hold: &HoldProgress) {
    let size = 150.0;
    let (rect, response) = ui.allocate_exact_size(
        vec2(ui.available_width(), size + 10.0),
        egui::Sense::hover(),
    );
    // The ring is only paint: give it a label for screen readers (and UI tests).
    let label = format!(
        "Hold {:.0} of {:.0} s{}",
        hold.held_s.floor(),
        hold.target_s,
        if hold.counting { ", counting" } else { "" }
    );
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, label.clone()));
    let painter = ui.painter_at(rect);
    let centre = pos2(rect.left() + size / 2.0 + 10.0, rect.center().y);
    let radius = size / 2.0 - 8.0;
    painter.circle_stroke(centre, radius, Stroke::new(12.0, theme::BACKGROUND));
    let fraction = if hold.target_s > 0.0 {
        (hold.held_s / hold.target_s).clamp(0.0, 1.0)
    } else {
        0.0
    } as f32;
    let colour = if hold.counting {
        theme::GOOD
    } else {
        theme::TEXT_DIM
    };
    if fraction > 0.0 {
        let steps = (64.0 * fraction).ceil().max(2.0) as usize;
        let points: Vec<egui::Pos2> = (0..=steps)
            .map(|i| {
                let angle = -std::f32::consts::FRAC_PI_2
                    + std::f32::consts::TAU * fraction * i as f32 / steps as f32;
                centre + radius * vec2(angle.cos(), angle.sin())
            })
            .collect();
        painter.add(egui::Shape::line(points, Stroke::new(12.0, colour)));
    }
    painter.text(
        centre,
        Align2::CENTER_CENTER,
        format!("{:.0}", hold.held_s.floor()),
        theme::figure_font(),
        theme::TEXT,
    );
    // Short: it sits beside the ring in a 410-px panel at a size readable from 2 m.
    let caption = if hold.counting { "Holding" } else { "Hold" };
    painter.text(
        pos2(centre.x + radius + 24.0, centre.y - 14.0),
        Align2::LEFT_CENTER,
        caption,
        egui::FontId::proportional(22.0),
        colour,
    );
    painter.text(
        pos2(centre.x + radius + 24.0, centre.y + 16.0),
        Align2::LEFT_CENTER,
        // A target of 2.5 s reads as such, not rounded to 2.
        format!(
            "{:.0} of {} s",
            hold.held_s.floor(),
            (hold.target_s * 10.0).round() / 10.0
        ),
        egui::FontId::proportional(22.0),
        theme::TEXT_DIM,
    );
}

/// Traction: a minute counting down, then a firm stop.
fn traction_ui(ui: &mut Ui, clock: &TractionClock) {
    let remaining_s = clock.limit_s - clock.elapsed_s;
    if remaining_s > 0.0 {
        ui.label(
            RichText::new("Time left")
                .font(theme::figure_font())
                .color(theme::TEXT_DIM),
        );
        ui.label(RichText::new(clock_text(remaining_s)).font(theme::counter_font()));
        let fraction = (clock.elapsed_s / clock.limit_s.max(1.0)).clamp(0.0, 1.0) as f32;
        ui.add(egui::ProgressBar::new(fraction).fill(theme::GOOD));
    } else {
        ui.label(
            RichText::new("Stop")
                .font(theme::counter_font())
                .color(theme::STOP)
                .strong(),
        );
        ui.label(
            RichText::new("That's a minute. Lift your hips, take the block away and rest.")
                .font(theme::figure_font())
                .color(theme::TEXT),
        );
    }
}

/// After "it hurts — stop": kind words and when to see a professional.
fn stopped_ui(app: &AppView, ui: &mut Ui, view: &RoutineView, actions: &mut Vec<Action>) {
    // Scrolls rather than hides the buttons on a small window or with large text.
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| stopped_body(app, ui, view, actions));
}

fn stopped_body(app: &AppView, ui: &mut Ui, view: &RoutineView, actions: &mut Vec<Action>) {
    ui.vertical_centered(|ui| {
        ui.add_space(12.0);
        ui.label(RichText::new("Stopped. That's the right call.").font(theme::prompt_font()));
        ui.add_space(8.0);
        ui.label("Lie or sit comfortably and breathe slowly. I've noted it in your session log.");
        ui.add_space(10.0);
        match app.pain_after_stop {
            Some(pain) => {
                ui.label(format!("Noted: your pain is {pain} of 10."));
            }
            None => {
                ui.label(
                    RichText::new(
                        "How much does it hurt now? 0 is no pain, 10 the worst. Optional.",
                    )
                    .color(theme::TEXT_DIM),
                );
            }
        }
    });
    if app.pain_after_stop.is_none()
        && let Some(pain) = super::pain::pain_buttons(ui, 56.0, 40.0, 22.0)
    {
        actions.push(Action::AnswerPain(
            crate::coach::session_log::PainMoment::AfterStop,
            Some(pain),
        ));
    }
    ui.add_space(10.0);
    egui::Frame::NONE
        .fill(theme::PANEL)
        .inner_margin(20.0)
        .corner_radius(8.0)
        .show(ui, |ui| {
            ui.label(
                RichText::new("When to see a professional")
                    .heading()
                    .color(theme::ACCENT),
            );
            for line in PROFESSIONAL_ADVICE {
                ui.label(line);
            }
        });
    ui.add_space(10.0);
    ui.horizontal(|ui| {
        if let Some(next) = &view.next_exercise_name
            && ui
                .add(big_button(
                    &format!("Try the next one: {next}"),
                    theme::PANEL,
                ))
                .clicked()
        {
            actions.push(Action::Routine(RoutineCommand::Next));
        }
        if ui
            .add(big_button("End the session", theme::PANEL))
            .clicked()
        {
            actions.push(Action::Routine(RoutineCommand::EndSession));
        }
    });
}
