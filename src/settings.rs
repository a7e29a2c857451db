//! What the app remembers between runs: sound, voice, mirror, camera, model, the last
//! plan, text size and window size, in a small TOML file in the config directory
//! (`~/.config/backform/settings.toml`; `BACKFORM_CONFIG_DIR` overrides the folder).
//!
//! In flows the file (read once at start) and the settings panel's changes; out flows
//! the file, rewritten whole on each change. A missing file is the defaults; a bad or
//! unreadable one is ignored with one log line and never stops the app. Command-line
//! flags win for their run and are never written here: `main.rs` keeps them apart.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::pose::ModelVariant;

/// Overrides the config folder (tests, portable installs).
pub const CONFIG_DIR_ENV: &str = "BACKFORM_CONFIG_DIR";
pub const FILE_NAME: &str = "settings.toml";

/// Text sizes the app offers: larger text for reading from the floor.
pub const TEXT_SCALES: [f32; 3] = [1.0, 1.25, 1.5];

/// Mirror the picture: the exercise's own choice (front views mirrored), or always, or never.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mirror {
    #[default]
    Auto,
    On,
    Off,
}

impl Mirror {
    /// The override this choice makes, if any.
    pub fn forced(self) -> Option<bool> {
        match self {
            Self::Auto => None,
            Self::On => Some(true),
            Self::Off => Some(false),
        }
    }
}

/// The landmark model, as the file names it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    #[default]
    Full,
    Lite,
}

impl From<Model> for ModelVariant {
    fn from(model: Model) -> Self {
        match model {
            Model::Full => ModelVariant::Full,
            Model::Lite => ModelVariant::Lite,
        }
    }
}

impl From<ModelVariant> for Model {
    fn from(model: ModelVariant) -> Self {
        match model {
            ModelVariant::Full => Model::Full,
            ModelVariant::Lite => Model::Lite,
        }
    }
}

/// The remembered settings. Every field has a default, so an older file with fewer
/// fields still loads, and fields a newer backform added are ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The cue tones (rep tick, hold chime, fault tone).
    pub sound: bool,
    /// Spoken coaching.
    pub voice: bool,
    /// Speaking rate: 1.0 is the voice's normal rate (0.5–2.0).
    pub voice_rate: f32,
    /// 0.0–1.0.
    pub voice_volume: f32,
    pub mirror: Mirror,
    pub camera_index: u32,
    pub model: Model,
    /// "routine", or the id of the one exercise chosen last time.
    pub last_plan: Option<String>,
    /// One of [`TEXT_SCALES`].
    pub text_scale: f32,
    /// The window's inner size in points, when it last closed.
    pub window_size: Option<[f32; 2]>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            sound: true,
            voice: true,
            voice_rate: 1.0,
            voice_volume: 1.0,
            mirror: Mirror::Auto,
            camera_index: 0,
            model: Model::Full,
            last_plan: None,
            text_scale: 1.0,
            window_size: None,
        }
    }
}

impl Settings {
    /// Values outside their ranges (a hand-edited file) brought back inside them.
    fn clamped(mut self) -> Self {
        self.voice_rate = clamp_or(self.voice_rate, 0.5, 2.0, 1.0);
        self.voice_volume = clamp_or(self.voice_volume, 0.0, 1.0, 1.0);
        self.text_scale = TEXT_SCALES
            .into_iter()
            .min_by(|a, b| {
                (a - self.text_scale)
                    .abs()
                    .total_cmp(&(b - self.text_scale).abs())
            })
            .unwrap_or(1.0);
        self.camera_index = self.camera_index.min(9);
        self.window_size = self
            .window_size
            .filter(|[w, h]| w.is_finite() && h.is_finite() && *w >= 400.0 && *h >= 300.0)
            .map(|[w, h]| [w.min(8192.0), h.min(8192.0)]);
        self
    }
}

fn clamp_or(value: f32, low: f32, high: f32, fallback: f32) -> f32 {
    if value.is_finite() {
        value.clamp(low, high)
    } else {
        fallback
    }
}

/// The folder settings live in: `BACKFORM_CONFIG_DIR`, else the platform's config folder.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "backform").map(|dirs| dirs.config_dir().to_path_buf())
}

/// The settings file and what was read from it.
#[derive(Clone, Debug)]
pub struct SettingsFile {
    /// `None`: nowhere to keep settings (no home folder); they last for this run only.
    pub path: Option<PathBuf>,
    pub settings: Settings,
}

impl SettingsFile {
    /// Reads `dir/settings.toml` (`None`: [`config_dir`]). Never fails: a missing file
    /// gives the defaults, a bad one the defaults and a log line.
    pub fn load(dir: Option<&Path>) -> Self {
        let path = dir
            .map(Path::to_path_buf)
            .or_else(config_dir)
            .map(|d| d.join(FILE_NAME));
        let settings = match &path {
            Some(path) => read(path),
            None => {
                tracing::warn!(
                    "no config folder (set {CONFIG_DIR_ENV}): settings last for this run only"
                );
                Settings::default()
            }
        };
        Self { path, settings }
    }

    /// Writes the settings whole (to a temporary file renamed over the old one, so a
    /// crash mid-write leaves the old file). A failure is logged and returned.
    pub fn save(&self) -> Result<(), String> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let text = toml::to_string_pretty(&self.settings).map_err(|e| e.to_string())?;
        let written = (|| {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = path.with_extension("toml.tmp");
            std::fs::write(
                &tmp,
                format!("# backform's settings; the app rewrites this file.\n{text}"),
            )?;
            std::fs::rename(&tmp, path)
        })();
        written.map_err(|e| {
            let message = format!("cannot save settings to {}: {e}", path.display());
            tracing::warn!("{message}");
            message
        })
    }
}

fn read(path: &Path) -> Settings {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Settings::default(),
        Err(e) => {
            tracing::warn!("ignoring the settings in {}: {e}", path.display());
            return Settings::default();
        }
    };
    match toml::from_str::<Settings>(&text) {
        Ok(settings) => settings.clamped(),
        Err(e) => {
            tracing::warn!(
                "ignoring the settings in {} (using the defaults): {}",
                path.display(),
                e.message()
            );
            Settings::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_survive_a_save_and_a_load() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = SettingsFile::load(Some(dir.path()));
        assert_eq!(file.settings, Settings::default(), "no file: the defaults");
        file.settings = Settings {
            sound: false,
            voice: false,
            voice_rate: 1.5,
            voice_volume: 0.4,
            mirror: Mirror::Off,
            camera_index: 2,
            model: Model::Lite,
            last_plan: Some("pelvic-rock".into()),
            text_scale: 1.25,
            window_size: Some([1400.0, 900.0]),
        };
        file.save().unwrap();
        let again = SettingsFile::load(Some(dir.path()));
        assert_eq!(again.settings, file.settings);
    }

    #[test]
    fn a_bad_file_gives_the_defaults_and_an_old_one_keeps_what_it_has() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "sound = \"very loud\"\n[[").unwrap();
        assert_eq!(
            SettingsFile::load(Some(dir.path())).settings,
            Settings::default()
        );

        // An older file: fewer fields, one this version no longer knows.
        std::fs::write(
            dir.path().join(FILE_NAME),
            "sound = false\nbeeps_per_rep = 3\ntext_scale = 1.4\nvoice_rate = 9.0\n",
        )
        .unwrap();
        let old = SettingsFile::load(Some(dir.path())).settings;
        assert!(!old.sound);
        assert_eq!(
            old.text_scale, 1.5,
            "a scale between the offered ones snaps to the nearest"
        );
        assert_eq!(old.voice_rate, 2.0, "out of range: clamped");
        assert!(old.voice, "missing fields take their defaults");
    }

    #[test]
    fn an_unwritable_folder_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("not-a-folder");
        std::fs::write(&blocker, b"x").unwrap();
        let file = SettingsFile::load(Some(&blocker));
        assert_eq!(file.settings, Settings::default());
        assert!(file.save().is_err());
    }
}
