//! "No camera found — open a video instead": a calm screen in place of an error dialog.
//!
//! In flows the reason the camera failed and the app's read-only view; out flow
//! [`Action`]s: the bundled demo (one click), the system's file dialog, a path typed or
//! picked from a plain folder listing, a recently opened file, or the camera again. The
//! listing is pure egui, so it works where no native dialog can open (Xvfb, minimal
//! desktops). The picker owns its own widget state ([`SourcePicker`]).

use std::path::{Path, PathBuf};

use egui::{Button, RichText, Ui, vec2};

use crate::coach::session_log::default_data_dir;

use super::action::{Action, AppView};
use super::{SourceChoice, theme};

/// File name of the recent-videos list in the data directory.
const RECENT_FILE: &str = crate::coach::session_log::RECENT_VIDEOS_FILE_NAME;
const RECENT_MAX: usize = 5;
/// Extensions the folder listing shows.
pub const VIDEO_EXTENSIONS: [&str; 6] = ["mp4", "mov", "avi", "mkv", "webm", "m4v"];

/// The picker's state between frames.
pub struct SourcePicker {
    pub path_text: String,
    pub recent: Vec<PathBuf>,
    /// Why the last path did not open.
    pub error: Option<String>,
    /// The camera "Try camera" opens.
    pub camera_index: u32,
    /// Where the recent list is kept; `None` keeps it in memory only (tests).
    recent_store: Option<PathBuf>,
    /// The folder last listed and what was in it: listed again only when the folder
    /// shown changes, not on every frame.
    listing: Option<(PathBuf, Vec<PathBuf>)>,
    /// The in-window folder listing shows: asked for, or the system dialog could not open.
    pub show_listing: bool,
}

impl SourcePicker {
    /// A picker whose recent list lives in `data_dir` (else the platform data directory).
    pub fn new(data_dir: Option<&Path>) -> Self {
        let dir = data_dir
            .map(Path::to_path_buf)
            .or_else(|| default_data_dir().ok());
        let recent_store = dir.map(|dir| dir.join(RECENT_FILE));
        let recent = recent_store.as_deref().map(load_recent).unwrap_or_default();
        let path_text = std::env::current_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        Self {
            path_text,
            recent,
            error: None,
            camera_index: 0,
            recent_store,
            listing: None,
            show_listing: false,
        }
    }

    /// Puts `path` first in the recent list (and saves the list).
    pub fn remember(&mut self, path: &Path) {
        self.recent.retain(|p| p != path);
        self.recent.insert(0, path.to_path_buf());
        self.recent.truncate(RECENT_MAX);
        if let Some(store) = &self.recent_store {
            let saved = serde_json::to_string(&self.recent)
                .map_err(std::io::Error::from)
                .and_then(|text| {
                    if let Some(dir) = store.parent() {
                        std::fs::create_dir_all(dir)?;
                    }
                    std::fs::write(store, text)
                });
            if let Err(err) = saved {
                tracing::warn!(
                    "cannot save the recent videos list to {}: {err}",
                    store.display()
                );
            }
        }
    }
}

fn load_recent(path: &Path) -> Vec<PathBuf> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str::<Vec<PathBuf>>(&text).ok())
        .map(|list| list.into_iter().filter(|p| p.is_file()).collect())
        .unwrap_or_default()
}

fn is_video(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| VIDEO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Sub-folders and video files of `dir`, folders first, each sorted by name.
pub fn folder_entries(dir: &Path) -> Vec<PathBuf> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut folders = Vec::new();
    let mut videos = Vec::new();
    for entry in read.flatten() {
        let path = entry.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            folders.push(path);
        } else if is_video(&path) {
            videos.push(path);
        }
    }
    folders.sort();
    videos.sort();
    folders.extend(videos);
    folders
}

impl SourcePicker {
    /// The folder's entries, listed once per folder shown.
    fn entries(&mut self, folder: &Path) -> &[PathBuf] {
        if self
            .listing
            .as_ref()
            .is_none_or(|(listed, _)| listed != folder)
        {
            self.listing = Some((folder.to_path_buf(), folder_entries(folder)));
        }
        self.listing.as_ref().map_or(&[], |(_, entries)| entries)
    }

    /// Lists the folder again next frame (after a file dialog, a new recording).
    pub fn refresh(&mut self) {
        self.listing = None;
    }

    /// Where a file dialog starts: the folder typed, else the last video's.
    pub fn start_folder(&self) -> Option<PathBuf> {
        let typed = PathBuf::from(self.path_text.trim());
        if typed.is_dir() {
            return Some(typed);
        }
        self.recent
            .first()
            .and_then(|p| p.parent())
            .map(Path::to_path_buf)
    }
}

/// The screen shown where the camera picture would be.
pub fn no_source_ui(
    view: &AppView,
    picker: &mut SourcePicker,
    ui: &mut Ui,
    reason: &str,
    actions: &mut Vec<Action>,
) {
    egui::Frame::NONE
        .fill(theme::PANEL)
        .inner_margin(20.0)
        .corner_radius(8.0)
        .show(ui, |ui| {
            ui.set_min_size(ui.available_size());
            let camera = matches!(view.source, SourceChoice::Camera(_));
            ui.heading(if camera {
                "No camera found"
            } else {
                "This video did not open"
            });
            ui.label(RichText::new(reason).size(16.0).color(theme::TEXT_DIM));
            ui.add_space(8.0);
            ui.label("You can follow along with a video instead:");
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                let demo_button = Button::new(RichText::new("Play the demo").size(24.0))
                    .min_size(vec2(200.0, 52.0));
                if ui
                    .add_enabled(view.demo_available, demo_button)
                    .on_hover_text("All four exercises on bundled clips, one set each")
                    .clicked()
                {
                    actions.push(Action::PlayDemo);
                }
                let open_button = Button::new(RichText::new("Open a video…").size(20.0))
                    .min_size(vec2(160.0, 52.0));
                if ui.add(open_button).clicked() {
                    actions.push(Action::ChooseVideoFile);
                }
                let camera_button =
                    Button::new(RichText::new("Try camera").size(20.0)).min_size(vec2(140.0, 52.0));
                if ui.add(camera_button).clicked() {
                    actions.push(Action::Launch(SourceChoice::Camera(picker.camera_index)));
                }
                ui.add(
                    egui::DragValue::new(&mut picker.camera_index)
                        .range(0..=9)
                        .speed(0.05),
                )
                .on_hover_text("Camera number: 0 is the built-in one, 1 the next plugged in");
            });
            if let Some(error) = &picker.error {
                ui.label(RichText::new(error).color(theme::WARNING));
            }
            if !picker.recent.is_empty() {
                ui.add_space(8.0);
                ui.label(RichText::new("Recent").color(theme::TEXT_DIM));
                for path in &picker.recent {
                    let name = path.file_name().map_or_else(
                        || path.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    );
                    if ui
                        .button(name)
                        .on_hover_text(path.display().to_string())
                        .clicked()
                    {
                        actions.push(Action::OpenVideo(path.clone()));
                    }
                }
            }
            ui.add_space(8.0);
            if !picker.show_listing {
                if ui.button("Choose in this window instead…").clicked() {
                    picker.show_listing = true;
                }
                return;
            }
            listing_ui(picker, ui, actions);
        });
}

/// A typed path and a plain folder listing: works where no system dialog opens.
fn listing_ui(picker: &mut SourcePicker, ui: &mut Ui, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        ui.label("File or folder:");
        let field = egui::TextEdit::singleline(&mut picker.path_text)
            .desired_width(ui.available_width() - 110.0);
        let response = ui.add(field);
        let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Open").clicked() || enter {
            let path = PathBuf::from(picker.path_text.trim());
            if !path.is_dir() {
                actions.push(Action::OpenVideo(path));
            }
        }
    });
    let folder = {
        let typed = PathBuf::from(picker.path_text.trim());
        if typed.is_dir() {
            typed
        } else {
            typed.parent().map(Path::to_path_buf).unwrap_or_default()
        }
    };
    ui.label(
        RichText::new(format!("In {}", folder.display()))
            .size(16.0)
            .color(theme::TEXT_DIM),
    );
    egui::ScrollArea::vertical()
        .max_height(ui.available_height())
        .show(ui, |ui| {
            let mut go_to = None;
            if let Some(parent) = folder.parent()
                && ui.button("Up one folder").clicked()
            {
                go_to = Some(parent.to_path_buf());
            }
            for entry in picker.entries(&folder) {
                let name = entry
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                // Folders are listed first and named with a trailing slash: no
                // `is_dir` call per entry per frame.
                if !is_video(entry) {
                    if ui.button(format!("{name}/")).clicked() {
                        go_to = Some(entry.clone());
                    }
                } else if ui.button(format!("Play {name}")).clicked() {
                    actions.push(Action::OpenVideo(entry.clone()));
                }
            }
            if let Some(folder) = go_to {
                picker.path_text = folder.display().to_string();
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_listing_shows_folders_then_videos_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("clips")).unwrap();
        std::fs::create_dir(dir.path().join(".hidden")).unwrap();
        for name in ["b.mp4", "a.MOV", "notes.txt"] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let names: Vec<String> = folder_entries(dir.path())
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["clips", "a.MOV", "b.mp4"]);
    }
}
