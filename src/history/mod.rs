//! The history: every exercise run, its reps, faults, prompts and "cannot see" spans, and
//! the pain ratings, kept in SQLite so they outlast the session.
//!
//! In flow finished-exercise records (today from the JSON-lines session log, through
//! `import`); out flow exports for a physiotherapist (`export`, `fhir`), and `delete`
//! removes all of it on the person's word; `progress` reads what the history screen and
//! the session summary show. `store` owns the
//! database: schema, migrations, and the rules that keep a newer database safe from an
//! older app. Only `coach`'s record types come in; nothing here knows threads or the UI.

pub mod delete;
pub mod export;
pub mod fhir;
pub mod import;
pub mod progress;
pub mod store;

pub use store::{Store, StoreError};
