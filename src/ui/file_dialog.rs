//! The system's "open a video" dialog (rfd), on a thread of its own so the window keeps
//! drawing while it is open.
//!
//! In flows a request (the folder to start in); out flows what the person chose, a
//! cancel, or "cannot open here", after which the app shows its own in-window picker
//! (`source_picker`). On Linux the backend is GTK3, chosen on purpose: the portal
//! backend needs an xdg-desktop-portal service over a D-Bus session, which Xvfb, CI
//! and many minimal desktops lack, while GTK3 needs only the display the window
//! already has. GTK cannot start without one, and rfd then waits for ever, so no
//! display means no native dialog; `BACKFORM_NO_NATIVE_DIALOG=1` forces the in-window
//! picker too.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, TryRecvError, sync_channel};
use std::time::{Duration, Instant};

use super::source_picker::VIDEO_EXTENSIONS;

/// Forces the in-window picker (a desktop whose dialogs misbehave; tests).
pub const NO_NATIVE_DIALOG_ENV: &str = "BACKFORM_NO_NATIVE_DIALOG";

/// A dialog that answers this fast was never shown: no person cancels that quickly.
const NEVER_SHOWN_WITHIN: Duration = Duration::from_millis(250);

/// How a dialog ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Picked(PathBuf),
    Cancelled,
    /// It could not open here: use the in-window picker. The reason is for the log.
    Unavailable(String),
}

/// A dialog open on its own thread.
pub struct NativeDialog {
    answer: Receiver<Option<PathBuf>>,
    opened: Instant,
}

impl NativeDialog {
    /// Opens the dialog in `start_dir`, or says why it cannot open here.
    pub fn open(start_dir: Option<&Path>) -> Result<Self, String> {
        if std::env::var_os(NO_NATIVE_DIALOG_ENV).is_some_and(|v| !v.is_empty() && v != "0") {
            return Err(format!("{NO_NATIVE_DIALOG_ENV} is set"));
        }
        if cfg!(target_os = "linux")
            && std::env::var_os("DISPLAY").is_none()
            && std::env::var_os("WAYLAND_DISPLAY").is_none()
        {
            return Err("no display for a GTK dialog".into());
        }
        let mut dialog = rfd::FileDialog::new()
            .set_title("Open a video")
            .add_filter("Videos", &VIDEO_EXTENSIONS);
        if let Some(dir) = start_dir.filter(|d| d.is_dir()) {
            dialog = dialog.set_directory(dir);
        }
        // One answer per dialog.
        let (tx, answer) = sync_channel(1);
        std::thread::Builder::new()
            .name("file-dialog".into())
            .spawn(move || {
                let _ = tx.send(dialog.pick_file());
            })
            .map_err(|e| format!("cannot start the dialog's thread: {e}"))?;
        Ok(Self {
            answer,
            opened: Instant::now(),
        })
    }

    /// The outcome, once the dialog has closed.
    pub fn poll(&self) -> Option<Outcome> {
        match self.answer.try_recv() {
            Ok(Some(path)) => Some(Outcome::Picked(path)),
            Ok(None) if self.opened.elapsed() < NEVER_SHOWN_WITHIN => Some(Outcome::Unavailable(
                "the dialog closed before it could be seen".into(),
            )),
            Ok(None) => Some(Outcome::Cancelled),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                Some(Outcome::Unavailable("the dialog's thread stopped".into()))
            }
        }
    }
}
