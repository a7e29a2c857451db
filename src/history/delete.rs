//! Deleting everything backform has kept about a person: the history database (with
//! SQLite's WAL and shared-memory files), the session log in both its forms, and the
//! recently opened videos list. In: the data directory and the database's path; out: the
//! files removed. Asking first is the caller's job (`backform history delete`).

use std::path::{Path, PathBuf};

use crate::coach::session_log::{LOG_FILE_NAME, RECENT_VIDEOS_FILE_NAME, UNSAVED_FILE_NAME};

/// A file that exists and could not be removed.
#[derive(Debug, thiserror::Error)]
#[error("cannot delete {path}: {reason}")]
pub struct DeleteError {
    pub path: PathBuf,
    pub reason: String,
}

/// Every file the history and the app keep in `data_dir`, with `db` (the database may
/// live elsewhere); only those that exist.
pub fn kept_files(data_dir: &Path, db: &Path) -> Vec<PathBuf> {
    let with_suffix = |suffix: &str| {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let imported = format!("{LOG_FILE_NAME}.imported");
    let unsaved_imported = format!("{UNSAVED_FILE_NAME}.imported");
    [
        db.to_path_buf(),
        with_suffix("-wal"),
        with_suffix("-shm"),
        data_dir.join(LOG_FILE_NAME),
        data_dir.join(imported),
        data_dir.join(UNSAVED_FILE_NAME),
        data_dir.join(unsaved_imported),
        data_dir.join(RECENT_VIDEOS_FILE_NAME),
    ]
    .into_iter()
    .filter(|p| p.exists())
    .collect()
}

/// Removes [`kept_files`]; returns what was removed. Nothing else in the folder is
/// touched. On a failure the files already removed stay removed and the error names the
/// one that was not.
pub fn delete_all(data_dir: &Path, db: &Path) -> Result<Vec<PathBuf>, DeleteError> {
    let files = kept_files(data_dir, db);
    for path in &files {
        std::fs::remove_file(path).map_err(|e| DeleteError {
            path: path.clone(),
            reason: e.to_string(),
        })?;
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_kept_goes_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("history.sqlite3");
        {
            let store = crate::history::Store::open(&db).unwrap();
            assert_eq!(
                store.schema_version().unwrap(),
                crate::history::store::SCHEMA_VERSION
            );
        }
        for name in [
            LOG_FILE_NAME,
            "sessions.jsonl.imported",
            UNSAVED_FILE_NAME,
            "history-unsaved.jsonl.imported",
            RECENT_VIDEOS_FILE_NAME,
            "my-notes.txt",
        ] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        let removed = delete_all(dir.path(), &db).unwrap();
        assert!(removed.contains(&db));
        assert!(!db.exists());
        for name in [
            LOG_FILE_NAME,
            "sessions.jsonl.imported",
            UNSAVED_FILE_NAME,
            "history-unsaved.jsonl.imported",
            RECENT_VIDEOS_FILE_NAME,
        ] {
            assert!(!dir.path().join(name).exists(), "{name} is still there");
        }
        assert!(dir.path().join("my-notes.txt").exists());
        // Nothing left to delete the second time.
        assert!(delete_all(dir.path(), &db).unwrap().is_empty());
    }
}
