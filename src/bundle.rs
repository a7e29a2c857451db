//! Where backform's bundled files are: the ONNX Runtime library, the pose models and the
//! demo clip. The one place that knows how an installed, a user-local and a developer's
//! copy of backform are laid out on disk.
//!
//! In flow the process's facts ([`Layout::current`]: the environment overrides, the
//! running binary's folder, the source tree it was built from, `$HOME`); out flow ordered
//! lists of folders ([`Layout::places`]) and the first one holding a named file
//! ([`Layout::find`], or [`NotFound`] listing every folder tried). Nothing here opens or
//! loads a file; `pose::model` picks the runtime library out of a folder and loads it.
//!
//! The order, for each kind of file:
//! 1. its environment variable ([`Bundled::env_var`]): a deliberate choice, so it is the
//!    only place searched;
//! 2. beside the binary: `<exe dir>/` (`make install` puts everything in
//!    `~/.local/lib/backform/`), `<exe dir>/../lib/backform` and
//!    `<exe dir>/../share/backform/` (the Debian package's `/usr/bin` → `/usr/lib/backform`,
//!    `/usr/share/backform`);
//! 3. the source tree the Makefile fills (`.ort/`, `models/`, `assets/demo/`), found by
//!    walking up from the binary (`target/release/backform`) and from the working
//!    directory to a `Cargo.toml` whose package is `backform`;
//! 4. the system places: `/usr/lib/backform`, `/usr/share/backform/…`,
//!    `~/.local/lib/backform/…` (and, for the runtime, the system library folders and
//!    `LD_LIBRARY_PATH`);
//! 5. last, for developers whose target folder is outside the tree (`CARGO_TARGET_DIR`),
//!    the source tree this binary was compiled from, if it is still there.
//!
//! User data (the history) lives elsewhere (`coach::session_log`); nothing bundled is ever
//! put in `~/.local/share/backform`.

use std::path::{Component, Path, PathBuf};

/// Env var naming the ONNX Runtime library (a file, or a folder holding it).
pub const RUNTIME_ENV_VAR: &str = "BACKFORM_ORT_LIB";
/// Env var naming the folder that holds the `.onnx` models.
pub const MODELS_ENV_VAR: &str = "BACKFORM_MODELS";
/// Env var naming the folder that holds the demo clip.
pub const DEMO_ENV_VAR: &str = "BACKFORM_DEMO_DIR";
/// The clip "Play the demo clip" opens, inside the demo folder.
pub const DEMO_CLIP: &str = "pelvic-rock.mp4";
/// The package's name: the folder under `lib/` and `share/` that holds its files.
const PACKAGE: &str = "backform";

/// A kind of file backform ships beside its binary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bundled {
    /// `libonnxruntime.so.<version>` (loaded at run time by `ort`).
    Runtime,
    /// The BlazePose `.onnx` files.
    Models,
    /// The demo clip(s).
    Demo,
}

impl Bundled {
    /// The environment variable that overrides the search.
    pub fn env_var(self) -> &'static str {
        match self {
            Self::Runtime => RUNTIME_ENV_VAR,
            Self::Models => MODELS_ENV_VAR,
            Self::Demo => DEMO_ENV_VAR,
        }
    }

    /// The folder inside the source tree that the Makefile (or git) fills.
    fn in_source_tree(self) -> &'static str {
        match self {
            Self::Runtime => ".ort",
            Self::Models => "models",
            Self::Demo => "assets/demo",
        }
    }

    /// What the error messages call it.
    fn describe(self) -> &'static str {
        match self {
            Self::Runtime => "the ONNX Runtime library",
            Self::Models => "the pose models",
            Self::Demo => "the demo clip",
        }
    }
}

/// No searched folder holds the file: names it and every folder tried, in order.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file} ({what}) not found (looked in: {}); set {env_var} to the folder that holds it", join(.searched))]
pub struct NotFound {
    pub file: String,
    pub what: &'static str,
    pub env_var: &'static str,
    pub searched: Vec<PathBuf>,
}

/// Places joined for a message: `a, b, c`.
pub fn join(places: &[PathBuf]) -> String {
    places
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The facts the search depends on. [`Layout::current`] reads them from the process;
/// tests build one around temporary folders.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// The environment overrides that are set (non-empty), by kind.
    pub overrides: Vec<(Bundled, PathBuf)>,
    /// The folder of the running binary, symlinks resolved (`~/.local/bin/backform` →
    /// `~/.local/lib/backform`).
    pub exe_dir: Option<PathBuf>,
    /// Source trees found by walking up from the binary, then from the working directory.
    pub source_trees: Vec<PathBuf>,
    /// `$HOME`, for `~/.local/lib/backform`.
    pub home: Option<PathBuf>,
    /// `LD_LIBRARY_PATH`'s folders (the runtime's last resort, as the dynamic loader's).
    pub library_path: Vec<PathBuf>,
    /// The source tree this binary was compiled from, when it still holds backform.
    pub build_tree: Option<PathBuf>,
}

impl Layout {
    /// The running process's layout.
    pub fn current() -> Self {
        let overrides = [Bundled::Runtime, Bundled::Models, Bundled::Demo]
            .into_iter()
            .filter_map(|kind| {
                std::env::var_os(kind.env_var())
                    .filter(|v| !v.is_empty())
                    .map(|v| (kind, PathBuf::from(v)))
            })
            .collect();
        let exe_dir = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(Path::to_path_buf));
        let mut source_trees = Vec::new();
        let cwd = std::env::current_dir().ok();
        for start in exe_dir.iter().chain(cwd.iter()) {
            if let Some(tree) = source_tree_above(start)
                && !source_trees.contains(&tree)
            {
                source_trees.push(tree);
            }
        }
        let build_tree = Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")))
            .filter(|dir| is_backform_tree(dir) && !source_trees.contains(dir));
        Self {
            overrides,
            exe_dir,
            source_trees,
            home: std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from),
            library_path: std::env::var_os("LD_LIBRARY_PATH")
                .map(|paths| {
                    std::env::split_paths(&paths)
                        .filter(|p| !p.as_os_str().is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            build_tree,
        }
    }

    /// Where to look for `kind`, in search order, without duplicates.
    pub fn places(&self, kind: Bundled) -> Vec<PathBuf> {
        if let Some((_, path)) = self.overrides.iter().find(|(k, _)| *k == kind) {
            // A deliberate choice is final: never fall back to some other copy silently.
            return vec![path.clone()];
        }
        let mut places = Vec::new();
        if let Some(exe) = &self.exe_dir {
            match kind {
                Bundled::Runtime => {
                    places.push(exe.clone());
                    places.push(exe.join("../lib").join(PACKAGE));
                }
                Bundled::Models | Bundled::Demo => {
                    let leaf = leaf(kind);
                    places.push(exe.join(leaf));
                    places.push(exe.join("../share").join(PACKAGE).join(leaf));
                }
            }
        }
        for tree in &self.source_trees {
            places.push(tree.join(kind.in_source_tree()));
        }
        match kind {
            Bundled::Runtime => places.push(Path::new("/usr/lib").join(PACKAGE)),
            Bundled::Models | Bundled::Demo => {
                places.push(Path::new("/usr/share").join(PACKAGE).join(leaf(kind)));
            }
        }
        if let Some(home) = &self.home {
            let user_lib = home.join(".local/lib").join(PACKAGE);
            places.push(match kind {
                Bundled::Runtime => user_lib,
                Bundled::Models | Bundled::Demo => user_lib.join(leaf(kind)),
            });
        }
        if kind == Bundled::Runtime {
            // A runtime installed system-wide (e.g. by hand) also does.
            for dir in [
                "/usr/lib",
                "/usr/local/lib",
                "/usr/lib/x86_64-linux-gnu",
                "/usr/lib64",
            ] {
                places.push(PathBuf::from(dir));
            }
            places.extend(self.library_path.iter().cloned());
        }
        if let Some(tree) = &self.build_tree {
            places.push(tree.join(kind.in_source_tree()));
        }
        let mut unique: Vec<PathBuf> = Vec::with_capacity(places.len());
        for place in places.iter().map(|p| tidy(p)) {
            if !unique.contains(&place) {
                unique.push(place);
            }
        }
        unique
    }

    /// The first place holding `file` (a plain file name, e.g. `pose_detection.onnx`).
    pub fn find(&self, kind: Bundled, file: &str) -> Result<PathBuf, NotFound> {
        let places = self.places(kind);
        places
            .iter()
            .map(|dir| dir.join(file))
            .find(|path| path.is_file())
            .ok_or_else(|| NotFound {
                file: file.to_string(),
                what: kind.describe(),
                env_var: kind.env_var(),
                searched: places,
            })
    }
}

/// The folder's name beside the binary and under `share/backform/` (the runtime library
/// has none: it sits in the binary's folder or `lib/backform/` itself).
fn leaf(kind: Bundled) -> &'static str {
    match kind {
        Bundled::Runtime => "",
        Bundled::Models => "models",
        Bundled::Demo => "demo",
    }
}

/// [`Layout::places`] for this process.
pub fn places(kind: Bundled) -> Vec<PathBuf> {
    Layout::current().places(kind)
}

/// [`Layout::find`] for this process.
pub fn find(kind: Bundled, file: &str) -> Result<PathBuf, NotFound> {
    Layout::current().find(kind, file)
}

/// The demo clip "Play the demo clip" opens.
pub fn demo_clip() -> Result<PathBuf, NotFound> {
    find(Bundled::Demo, DEMO_CLIP)
}

/// The nearest folder at or above `start` whose `Cargo.toml` is backform's.
pub fn source_tree_above(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| is_backform_tree(dir))
        .map(Path::to_path_buf)
}

/// Whether `dir` holds backform's own `Cargo.toml` (not some other crate's, nor a
/// workspace that merely contains it).
fn is_backform_tree(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("Cargo.toml")) else {
        return false;
    };
    text.parse::<toml::Table>().is_ok_and(|manifest| {
        manifest
            .get("package")
            .and_then(|package| package.get("name"))
            .and_then(|name| name.as_str())
            == Some(PACKAGE)
    })
}

/// `a/b/../c` → `a/c` without touching the disk: the binary's folder is already
/// resolved, and messages read better without `..`.
fn tidy(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake machine in a temporary folder: `root/usr/bin/backform`'s layout, a home and a
    /// source tree, with nothing from the real process.
    struct Machine {
        root: tempfile::TempDir,
    }

    impl Machine {
        fn new() -> Self {
            Self {
                root: tempfile::tempdir().unwrap(),
            }
        }

        fn path(&self, relative: &str) -> PathBuf {
            self.root.path().join(relative)
        }

        fn touch(&self, relative: &str) -> PathBuf {
            let path = self.path(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, b"").unwrap();
            path
        }

        fn source_tree(&self, relative: &str) -> PathBuf {
            let tree = self.path(relative);
            std::fs::create_dir_all(&tree).unwrap();
            std::fs::write(
                tree.join("Cargo.toml"),
                "[package]\nname = \"backform\"\nversion = \"0.1.0\"\n",
            )
            .unwrap();
            tree
        }
    }

    #[test]
    fn the_installed_layout_comes_before_the_source_tree_and_the_system() {
        let m = Machine::new();
        let layout = Layout {
            exe_dir: Some(m.path("usr/bin")),
            source_trees: vec![m.path("src/backform")],
            home: Some(m.path("home/ann")),
            ..Layout::default()
        };
        assert_eq!(
            layout.places(Bundled::Models),
            vec![
                m.path("usr/bin/models"),
                m.path("usr/share/backform/models"),
                m.path("src/backform/models"),
                PathBuf::from("/usr/share/backform/models"),
                m.path("home/ann/.local/lib/backform/models"),
            ]
        );
        assert_eq!(
            layout.places(Bundled::Demo)[..3],
            [
                m.path("usr/bin/demo"),
                m.path("usr/share/backform/demo"),
                m.path("src/backform/assets/demo"),
            ]
        );
        let runtime = layout.places(Bundled::Runtime);
        assert_eq!(
            runtime[..5],
            [
                m.path("usr/bin"),
                m.path("usr/lib/backform"),
                m.path("src/backform/.ort"),
                PathBuf::from("/usr/lib/backform"),
                m.path("home/ann/.local/lib/backform"),
            ]
        );
    }

    #[test]
    fn the_first_place_holding_the_file_wins() {
        let m = Machine::new();
        let tree = m.source_tree("src/backform");
        let layout = Layout {
            exe_dir: Some(m.path("usr/bin")),
            source_trees: vec![tree],
            ..Layout::default()
        };
        // Only the source tree has it: found there.
        let in_tree = m.touch("src/backform/models/pose_detection.onnx");
        assert_eq!(
            layout.find(Bundled::Models, "pose_detection.onnx"),
            Ok(in_tree)
        );
        // Installed beside the binary too: the installed copy wins.
        let installed = m.touch("usr/share/backform/models/pose_detection.onnx");
        assert_eq!(
            layout.find(Bundled::Models, "pose_detection.onnx"),
            Ok(installed)
        );
        let beside = m.touch("usr/bin/models/pose_detection.onnx");
        assert_eq!(
            layout.find(Bundled::Models, "pose_detection.onnx"),
            Ok(beside)
        );
    }

    #[test]
    fn make_install_layout_is_found_through_the_binary_folder() {
        // ~/.local/bin/backform is a symlink; the process sees the resolved
        // ~/.local/lib/backform/backform, whose folder holds everything.
        let m = Machine::new();
        let exe_dir = m.path("home/ann/.local/lib/backform");
        let layout = Layout {
            exe_dir: Some(exe_dir.clone()),
            home: Some(m.path("home/ann")),
            ..Layout::default()
        };
        let clip = m.touch("home/ann/.local/lib/backform/demo/pelvic-rock.mp4");
        assert_eq!(layout.find(Bundled::Demo, DEMO_CLIP), Ok(clip));
        assert_eq!(layout.places(Bundled::Runtime)[0], exe_dir);
        let model = m.touch("home/ann/.local/lib/backform/models/pose_detection.onnx");
        assert_eq!(
            layout.find(Bundled::Models, "pose_detection.onnx"),
            Ok(model)
        );
    }

    #[test]
    fn an_environment_override_is_the_only_place_searched() {
        let m = Machine::new();
        m.touch("usr/bin/demo/pelvic-rock.mp4");
        let layout = Layout {
            overrides: vec![(Bundled::Demo, m.path("elsewhere"))],
            exe_dir: Some(m.path("usr/bin")),
            ..Layout::default()
        };
        assert_eq!(layout.places(Bundled::Demo), vec![m.path("elsewhere")]);
        let err = layout.find(Bundled::Demo, DEMO_CLIP).unwrap_err();
        assert_eq!(err.searched, vec![m.path("elsewhere")]);
        // The other kinds are not affected.
        assert_eq!(layout.places(Bundled::Models)[0], m.path("usr/bin/models"));
    }

    #[test]
    fn not_found_lists_every_place_and_the_variable() {
        let m = Machine::new();
        let layout = Layout {
            exe_dir: Some(m.path("usr/bin")),
            ..Layout::default()
        };
        let err = layout.find(Bundled::Demo, DEMO_CLIP).unwrap_err();
        let text = err.to_string();
        for place in layout.places(Bundled::Demo) {
            assert!(text.contains(&place.display().to_string()), "{text}");
        }
        assert!(
            text.contains(DEMO_CLIP) && text.contains(DEMO_ENV_VAR),
            "{text}"
        );
    }

    #[test]
    fn the_source_tree_is_found_above_the_binary_and_only_if_it_is_backform() {
        let m = Machine::new();
        let tree = m.source_tree("work/backform");
        std::fs::create_dir_all(m.path("work/backform/target/release")).unwrap();
        assert_eq!(
            source_tree_above(&m.path("work/backform/target/release")),
            Some(tree)
        );
        // Another crate's manifest is not ours.
        let other = m.path("work/other");
        std::fs::create_dir_all(other.join("target")).unwrap();
        std::fs::write(other.join("Cargo.toml"), "[package]\nname = \"other\"\n").unwrap();
        assert_eq!(source_tree_above(&other.join("target")), None);
    }

    #[test]
    fn runtime_places_end_with_the_system_library_folders() {
        let layout = Layout {
            library_path: vec![PathBuf::from("/opt/ort/lib")],
            build_tree: Some(PathBuf::from("/src/backform")),
            ..Layout::default()
        };
        let places = layout.places(Bundled::Runtime);
        assert_eq!(places[0], PathBuf::from("/usr/lib/backform"));
        assert!(places.contains(&PathBuf::from("/usr/lib/x86_64-linux-gnu")));
        assert_eq!(
            places[places.len() - 2..],
            [
                PathBuf::from("/opt/ort/lib"),
                PathBuf::from("/src/backform/.ort")
            ]
        );
    }

    #[test]
    fn paths_are_tidied_and_duplicates_dropped() {
        // /usr/bin's ../share/backform/models is the system folder: listed once.
        let layout = Layout {
            exe_dir: Some(PathBuf::from("/usr/bin")),
            ..Layout::default()
        };
        assert_eq!(
            layout.places(Bundled::Models),
            vec![
                PathBuf::from("/usr/bin/models"),
                PathBuf::from("/usr/share/backform/models"),
            ]
        );
    }
}
