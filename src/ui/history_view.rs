//! The History screen: a 7 days / 6 weeks toggle, one chart per exercise (reps done
//! against the prescription, reps with a fault, holds) and one of pain before and after,
//! then the sessions by day, newest first; an export (CSV, JSON, FHIR) and "delete all
//! my data" with a confirmation.
//!
//! In flows the history, read from the store once when the screen opens (and again after
//! a delete): `history::progress` does the arithmetic, this only draws. Out flow the
//! export file and the deletion, through `history::export` and `history::delete`. A
//! missing or empty history is a calm "No sessions yet"; one that cannot be read is one
//! line saying why.

use std::path::{Path, PathBuf};

use egui::{Button, Color32, RichText, Ui, vec2};
use egui_plot::{
    AxisHints, Bar, BarChart, GridInput, GridMark, HLine, Line, LineStyle, MarkerShape, Plot,
    Points,
};

use crate::history::export::Format;
use crate::history::progress::{self, ExerciseSeries, History, PainPoint, SessionFacts, Window};
use crate::history::store::{FILE_NAME, Store};

use super::action::Action;
use super::theme;

/// Shown when there is nothing to chart.
pub const NO_SESSIONS: &str = "No sessions yet";

/// Chart sizes: two charts side by side in a 1280-px window.
const CHART_HEIGHT: f32 = 200.0;
/// Smaller than 18 px is hard to read from the mat.
const SMALL_TEXT: f32 = 18.0;

/// What was read from the store.
#[derive(Clone, Debug)]
pub enum Loaded {
    /// No database, or one with no session in it.
    Empty,
    /// The store could not be opened or read: the one line to show.
    Failed(String),
    Ready(History),
}

/// The data directory the app uses: the one it was given, else the platform's.
pub fn data_dir(given: Option<&Path>) -> Option<PathBuf> {
    given
        .map(Path::to_path_buf)
        .or_else(|| crate::coach::session_log::default_data_dir().ok())
}

/// Reads the history in `data_dir` without creating anything: a missing database is an
/// empty history, not a new file.
pub fn load(data_dir: Option<&Path>) -> Loaded {
    let Some(dir) = data_dir else {
        return Loaded::Failed(
            "There is no data folder for the history: set BACKFORM_DATA_DIR to a folder.".into(),
        );
    };
    let db = dir.join(FILE_NAME);
    if !db.exists() {
        return Loaded::Empty;
    }
    let history = Store::open(&db)
        .map_err(|e| e.to_string())
        .and_then(|store| History::load(&store).map_err(|e| e.to_string()));
    match history {
        Ok(h) if h.is_empty() => Loaded::Empty,
        Ok(h) => Loaded::Ready(h),
        Err(reason) => Loaded::Failed(reason),
    }
}

fn now_unix_s() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The History screen's state.
pub struct HistoryView {
    data_dir: Option<PathBuf>,
    pub loaded: Loaded,
    today: i64,
    pub window: Window,
    export_format: Format,
    export_path: String,
    /// The last export's outcome: `Ok` what was written, `Err` why not.
    export_result: Option<Result<String, String>>,
    confirm_delete: bool,
    delete_result: Option<Result<String, String>>,
}

fn extension(format: Format) -> &'static str {
    match format {
        Format::Csv => ".csv",
        Format::Json => ".json",
        Format::Fhir => ".fhir.json",
    }
}

impl HistoryView {
    /// Reads the history in `data_dir` (else the platform data directory).
    pub fn open(given_data_dir: Option<&Path>) -> Self {
        let data_dir = data_dir(given_data_dir);
        let export_path = directories::UserDirs::new()
            .map(|d| d.home_dir().to_path_buf())
            .or_else(|| data_dir.clone())
            .unwrap_or_default()
            .join("backform-history.csv");
        Self {
            loaded: load(data_dir.as_deref()),
            data_dir,
            today: progress::day_of(now_unix_s()),
            window: Window::Days7,
            export_format: Format::Csv,
            export_path: export_path.display().to_string(),
            export_result: None,
            confirm_delete: false,
            delete_result: None,
        }
    }

    fn reload(&mut self) {
        self.loaded = load(self.data_dir.as_deref());
        self.today = progress::day_of(now_unix_s());
    }

    /// Follows the format in the path's ending, unless the person typed their own.
    fn set_format(&mut self, format: Format) {
        let old = extension(self.export_format);
        if let Some(stem) = self.export_path.strip_suffix(old) {
            self.export_path = format!("{stem}{}", extension(format));
        }
        self.export_format = format;
    }

    fn export(&mut self) {
        let out = PathBuf::from(self.export_path.trim());
        let result = match self.data_dir.as_ref().map(|d| d.join(FILE_NAME)) {
            Some(db) if db.exists() => Store::open(&db)
                .map_err(|e| e.to_string())
                .and_then(|store| {
                    crate::history::export::export(&store, self.export_format, &out)
                        .map_err(|e| e.to_string())
                })
                .map(|()| match self.export_format {
                    Format::Csv => format!(
                        "Saved {} and {}",
                        out.display(),
                        crate::history::export::sessions_path(&out).display()
                    ),
                    _ => format!("Saved {}", out.display()),
                }),
            _ => Err("Nothing to export yet: no session has been stored.".into()),
        };
        self.export_result = Some(result);
    }

    fn delete_all(&mut self) {
        let Some(dir) = self.data_dir.clone() else {
            return;
        };
        let result = crate::history::delete::delete_all(&dir, &dir.join(FILE_NAME))
            .map(|removed| match removed.len() {
                0 => "There was nothing to delete.".to_string(),
                1 => "Deleted 1 file.".to_string(),
                n => format!("Deleted {n} files."),
            })
            .map_err(|e| e.to_string());
        self.delete_result = Some(result);
        self.export_result = None;
        self.reload();
    }

    fn kept_files(&self) -> Vec<PathBuf> {
        self.data_dir
            .as_ref()
            .map(|dir| crate::history::delete::kept_files(dir, &dir.join(FILE_NAME)))
            .unwrap_or_default()
    }
}

/// The whole screen.
pub fn history_ui(view: &mut HistoryView, ui: &mut Ui, actions: &mut Vec<Action>) {
    let mut back = false;
    let mut forget_recent = false;
    {
        ui.horizontal(|ui| {
            let back_button =
                Button::new(RichText::new("Back").size(24.0)).min_size(vec2(120.0, 48.0));
            if ui.add(back_button).clicked() {
                back = true;
            }
            ui.heading("Your history");
            ui.add_space(24.0);
            for (window, text) in [
                (Window::Days7, "Last 7 days"),
                (Window::Weeks6, "Last 6 weeks"),
            ] {
                ui.selectable_value(&mut view.window, window, RichText::new(text).size(24.0));
            }
        });
        ui.add_space(6.0);
        // The export and delete rows stay in view under what scrolls (a bottom panel
        // here would size itself from the frame before and overflow the window).
        const BOTTOM_HEIGHT: f32 = 110.0;
        let body_height = (ui.available_height() - BOTTOM_HEIGHT).max(100.0);
        egui::ScrollArea::vertical()
            .max_height(body_height)
            .auto_shrink(false)
            .show(ui, |ui| match &view.loaded {
                Loaded::Empty => empty_ui(ui),
                Loaded::Failed(reason) => {
                    ui.add_space(40.0);
                    ui.label(RichText::new(reason.as_str()).color(theme::WARNING));
                }
                Loaded::Ready(history) => {
                    charts_ui(history, view.window, view.today, ui);
                    ui.add_space(16.0);
                    sessions_ui(history, ui);
                }
            });
        ui.add_space(6.0);
        export_and_delete_ui(view, ui);
        if view.confirm_delete {
            forget_recent = confirm_delete_ui(view, ui.ctx());
        }
    }
    if forget_recent {
        actions.push(Action::ForgetRecentVideos);
    }
    if back {
        actions.push(Action::CloseHistory);
    }
}

fn empty_ui(ui: &mut Ui) {
    ui.vertical_centered(|ui| {
        ui.add_space(80.0);
        ui.label(RichText::new(NO_SESSIONS).font(theme::prompt_font()));
        ui.label(
            RichText::new("Your exercises will show here after your first session.")
                .color(theme::TEXT_DIM),
        );
    });
}

/// One colour key line above a chart (in words, so nothing sits on the bars).
fn key_ui(ui: &mut Ui, keys: &[(Color32, &str)]) {
    ui.horizontal(|ui| {
        for (color, text) in keys {
            // A painted swatch: the default fonts have no square glyph.
            let (rect, _) = ui.allocate_exact_size(vec2(18.0, 18.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 3.0, *color);
            ui.label(RichText::new(*text).size(SMALL_TEXT).color(theme::TEXT_DIM));
        }
    });
}

/// Grid lines at 1, 2 or 5 × 10ⁿ, about four to a chart, never finer than whole
/// numbers (every value charted is a count, seconds or a 0–10 score). egui_plot's own
/// spacer steps by tens, which leaves a 0–8 s chart with one label.
fn whole_number_grid(input: GridInput) -> Vec<GridMark> {
    let (low, high) = input.bounds;
    let rough = ((high - low) / 4.0).max(1.0);
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&s| s >= rough)
        .unwrap_or(10.0 * magnitude);
    let first = (low / step).ceil() as i64;
    let last = (high / step).floor() as i64;
    (first..=last)
        .map(|k| GridMark {
            value: k as f64 * step,
            step_size: step,
        })
        .collect()
}

/// The day's or week's name under an integer tick; nothing between.
fn tick_label(mark: GridMark, starts: &[i64], window: Window) -> String {
    let i = mark.value.round();
    if (mark.value - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    starts
        .get(i as usize)
        .map(|&start| window.label(start))
        .unwrap_or_default()
}

/// A fixed (no zoom, no drag) chart with one labelled tick per day or week.
fn chart(id: String, window: Window, today: i64, y_label: &str, width: f32) -> Plot<'static> {
    let starts = window.starts(today);
    let count = starts.len();
    Plot::new(id)
        .width(width)
        .height(CHART_HEIGHT)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_x(false)
        .show_y(false)
        .include_x(-0.6)
        .include_x(count as f64 - 0.4)
        .include_y(0.0)
        .custom_x_axes(vec![
            AxisHints::new_x()
                .label(window.unit())
                .tick_label_font(egui::FontId::proportional(SMALL_TEXT))
                .formatter(move |mark, _| tick_label(mark, &starts, window)),
        ])
        .y_axis_label(y_label.to_string())
        .y_grid_spacer(whole_number_grid)
        .x_grid_spacer(move |_| {
            (0..count)
                .map(|i| GridMark {
                    value: i as f64,
                    step_size: 1.0,
                })
                .collect()
        })
        .y_axis_formatter(|mark, _| {
            if (mark.value - mark.value.round()).abs() < 1e-6 {
                format!("{:.0}", mark.value)
            } else {
                String::new()
            }
        })
}

/// One chart, drawn when its place in the grid comes.
type ChartCell<'a> = Box<dyn FnOnce(&mut Ui) + 'a>;

fn charts_ui(history: &History, window: Window, today: i64, ui: &mut Ui) {
    let series = history.series(window, today);
    let pain = history.pain(window, today);
    let spacing = ui.spacing().item_spacing.x;
    let width = ((ui.available_width() - spacing) / 2.0).floor() - 24.0;
    if series.is_empty() && pain.is_empty() {
        ui.label(
            RichText::new(match window {
                Window::Days7 => "No exercise in the last 7 days.",
                Window::Weeks6 => "No exercise in the last 6 weeks.",
            })
            .color(theme::TEXT_DIM),
        );
    }
    // Two charts a row: pain, then each exercise's reps and its holds (when it has any).
    let mut cells: Vec<ChartCell<'_>> = Vec::new();
    if !pain.is_empty() {
        cells.push(Box::new(move |ui| {
            pain_chart(&pain, window, today, width, ui)
        }));
    }
    for s in &series {
        cells.push(Box::new(move |ui| reps_chart(s, window, today, width, ui)));
        if s.has_holds() {
            cells.push(Box::new(move |ui| holds_chart(s, window, today, width, ui)));
        }
    }
    let mut cells = cells.into_iter();
    while let Some(first) = cells.next() {
        let second = cells.next();
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| first(ui));
            ui.add_space(24.0);
            if let Some(second) = second {
                ui.vertical(|ui| second(ui));
            }
        });
        ui.add_space(12.0);
    }
}

/// Bars filled in their colour (egui_plot's default fill is faint on the dark theme).
fn solid(bar: Bar, color: Color32) -> Bar {
    bar.fill(color.gamma_multiply(0.85))
        .stroke(egui::Stroke::new(1.0, color))
}

fn chart_title(ui: &mut Ui, text: &str) {
    ui.label(RichText::new(text).size(26.0).strong());
}

fn reps_chart(s: &ExerciseSeries, window: Window, today: i64, width: f32, ui: &mut Ui) {
    chart_title(ui, &format!("{}: reps", s.name));
    let prescribed = s.buckets.iter().any(|b| b.reps_prescribed.is_some());
    let mut keys = vec![(theme::ACCENT, "done"), (theme::WARNING, "with a fault")];
    if prescribed {
        keys.push((theme::TEXT, "prescribed"));
    }
    key_ui(ui, &keys);
    let done: Vec<Bar> = s
        .buckets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            solid(
                Bar::new(i as f64 - 0.15, f64::from(b.reps_done)).width(0.3),
                theme::ACCENT,
            )
        })
        .collect();
    let faulty: Vec<Bar> = s
        .buckets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            solid(
                Bar::new(i as f64 + 0.15, f64::from(b.faulty_reps)).width(0.3),
                theme::WARNING,
            )
        })
        .collect();
    let target: Vec<[f64; 2]> = s
        .buckets
        .iter()
        .enumerate()
        .filter_map(|(i, b)| Some([i as f64, f64::from(b.reps_prescribed?)]))
        .collect();
    let top = s
        .buckets
        .iter()
        .map(|b| b.reps_done.max(b.reps_prescribed.unwrap_or(0)))
        .max()
        .unwrap_or(0)
        .max(4);
    chart(
        format!("reps-{}-{window:?}", s.exercise),
        window,
        today,
        "reps",
        width,
    )
    .include_y(f64::from(top) * 1.1)
    .show(ui, |plot| {
        plot.bar_chart(BarChart::new("done", done).color(theme::ACCENT));
        plot.bar_chart(BarChart::new("with a fault", faulty).color(theme::WARNING));
        if !target.is_empty() {
            plot.points(
                Points::new("prescribed", target)
                    .shape(MarkerShape::Diamond)
                    .radius(7.0)
                    .filled(true)
                    .color(theme::TEXT),
            );
        }
    });
}

fn holds_chart(s: &ExerciseSeries, window: Window, today: i64, width: f32, ui: &mut Ui) {
    chart_title(ui, &format!("{}: holds", s.name));
    let mut keys = vec![(theme::GOOD, "middle hold (median)")];
    if s.hold_prescribed_s.is_some() {
        keys.push((theme::TEXT, "prescribed"));
    }
    key_ui(ui, &keys);
    let bars: Vec<Bar> = s
        .buckets
        .iter()
        .enumerate()
        .filter_map(|(i, b)| {
            Some(solid(
                Bar::new(i as f64, b.hold_median_s?).width(0.5),
                theme::GOOD,
            ))
        })
        .collect();
    let top = s
        .buckets
        .iter()
        .filter_map(|b| b.hold_median_s)
        .fold(s.hold_prescribed_s.unwrap_or(0.0), f64::max)
        .max(5.0);
    chart(
        format!("holds-{}-{window:?}", s.exercise),
        window,
        today,
        "seconds held",
        width,
    )
    .include_y(top * 1.15)
    .show(ui, |plot| {
        plot.bar_chart(BarChart::new("middle hold", bars).color(theme::GOOD));
        if let Some(target) = s.hold_prescribed_s {
            plot.hline(
                HLine::new("prescribed", target)
                    .color(theme::TEXT)
                    .style(LineStyle::dashed_loose())
                    .width(2.0),
            );
        }
    });
}

fn pain_chart(points: &[PainPoint], window: Window, today: i64, width: f32, ui: &mut Ui) {
    chart_title(ui, "Pain before and after");
    key_ui(ui, &[(theme::WARNING, "before"), (theme::GOOD, "after")]);
    let x = |p: &PainPoint| p.bucket as f64 + (p.within - 0.5) * 0.7;
    let before: Vec<[f64; 2]> = points
        .iter()
        .filter_map(|p| Some([x(p), f64::from(p.before?)]))
        .collect();
    let after: Vec<[f64; 2]> = points
        .iter()
        .filter_map(|p| Some([x(p), f64::from(p.after?)]))
        .collect();
    chart(
        format!("pain-{window:?}"),
        window,
        today,
        "pain 0–10",
        width,
    )
    .include_y(10.5)
    .show(ui, |plot| {
        // A thin line from before to after shows which way it went.
        for (i, p) in points.iter().enumerate() {
            if let (Some(b), Some(a)) = (p.before, p.after) {
                plot.line(
                    Line::new(
                        format!("change {i}"),
                        vec![[x(p), f64::from(b)], [x(p), f64::from(a)]],
                    )
                    .color(theme::TEXT_DIM)
                    .width(2.0),
                );
            }
        }
        plot.points(
            Points::new("before", before)
                .shape(MarkerShape::Circle)
                .radius(7.0)
                .filled(true)
                .color(theme::WARNING),
        );
        plot.points(
            Points::new("after", after)
                .shape(MarkerShape::Circle)
                .radius(7.0)
                .filled(true)
                .color(theme::GOOD),
        );
    });
}

/// "08:14 UTC".
fn time_of_day(unix_s: f64) -> String {
    let of_day = (unix_s.floor() as i64).rem_euclid(86_400);
    format!("{:02}:{:02} UTC", of_day / 3600, of_day % 3600 / 60)
}

/// "pain 6 before, 4 after (out of 10)", "pain before: 6 out of 10", or nothing.
pub fn pain_words(before: Option<u8>, after: Option<u8>) -> Option<String> {
    match (before, after) {
        (Some(b), Some(a)) => Some(format!("pain {b} before, {a} after (out of 10)")),
        (Some(b), None) => Some(format!("pain before: {b} out of 10")),
        (None, Some(a)) => Some(format!("pain after: {a} out of 10")),
        (None, None) => None,
    }
}

fn sessions_ui(history: &History, ui: &mut Ui) {
    ui.heading("Sessions by day");
    for day in history.days() {
        ui.add_space(8.0);
        ui.label(
            RichText::new(progress::long_date(day.day))
                .size(26.0)
                .strong(),
        );
        for session in &day.sessions {
            session_ui(session, ui);
        }
    }
}

fn session_ui(session: &SessionFacts, ui: &mut Ui) {
    egui::Frame::NONE
        .fill(theme::PANEL)
        .inner_margin(10.0)
        .corner_radius(8.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            let mut head = time_of_day(session.started_unix_s);
            if let Some(pain) = pain_words(session.pain_before, session.pain_after) {
                head += &format!(" · {pain}");
            }
            ui.label(RichText::new(head).color(theme::TEXT_DIM));
            if session.runs.is_empty() {
                ui.label("No exercise recorded");
            }
            for run in &session.runs {
                let mut line = format!("{}: {}", run.name, run.done_vs_prescribed());
                if !run.end_words().is_empty() {
                    line += &format!(" ({})", run.end_words());
                }
                ui.label(line);
            }
        });
}

fn export_and_delete_ui(view: &mut HistoryView, ui: &mut Ui) {
    ui.horizontal(|ui| {
        ui.label("Export for your physiotherapist:");
        let mut format = view.export_format;
        for (f, text) in [
            (Format::Csv, "CSV"),
            (Format::Json, "JSON"),
            (Format::Fhir, "FHIR"),
        ] {
            ui.selectable_value(&mut format, f, text);
        }
        if format != view.export_format {
            view.set_format(format);
        }
        ui.add(
            egui::TextEdit::singleline(&mut view.export_path)
                .desired_width(360.0)
                .font(egui::TextStyle::Body),
        );
        if ui.button("Export").clicked() {
            view.export();
        }
    });
    ui.horizontal(|ui| {
        let delete = Button::new(RichText::new("Delete all my data…").color(Color32::WHITE))
            .fill(theme::STOP.gamma_multiply(0.8));
        if ui.add(delete).clicked() {
            view.confirm_delete = true;
            view.delete_result = None;
        }
        let line = view.delete_result.as_ref().or(view.export_result.as_ref());
        match line {
            Some(Ok(text)) => {
                ui.label(RichText::new(text).color(theme::GOOD));
            }
            Some(Err(text)) => {
                ui.label(RichText::new(text).color(theme::WARNING));
            }
            None => {}
        }
    });
}

/// The confirmation; `true` when the data was deleted (the app forgets its recent list).
fn confirm_delete_ui(view: &mut HistoryView, ctx: &egui::Context) -> bool {
    let files = view.kept_files();
    let mut confirmed = false;
    let mut cancelled = false;
    let modal = egui::Modal::new(egui::Id::unique("confirm_delete")).show(ctx, |ui| {
        ui.set_max_width(760.0);
        ui.heading("Delete all your data?");
        if files.is_empty() {
            ui.label("backform keeps nothing about you in its data folder right now.");
        } else {
            ui.label("This removes, for good:");
            for f in &files {
                ui.label(RichText::new(f.display().to_string()).size(SMALL_TEXT));
            }
        }
        // `delete` knows no settings file: the app keeps no settings yet.
        let mut settings = false;
        ui.add_enabled(
            false,
            egui::Checkbox::new(&mut settings, "Also delete my settings"),
        );
        ui.label(
            RichText::new("backform keeps no settings yet, so there are none to delete.")
                .size(SMALL_TEXT)
                .color(theme::TEXT_DIM),
        );
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            let confirm = Button::new(RichText::new("Delete everything").color(Color32::WHITE))
                .fill(theme::STOP);
            if ui.add_enabled(!files.is_empty(), confirm).clicked() {
                confirmed = true;
            }
            if ui.button("Cancel").clicked() {
                cancelled = true;
            }
        });
    });
    // Escape or a click beside the box is a cancel.
    cancelled |= modal.should_close();
    if confirmed {
        view.delete_all();
    }
    if confirmed || cancelled {
        view.confirm_delete = false;
    }
    confirmed
}
