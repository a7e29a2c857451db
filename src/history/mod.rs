//! The history: every exercise run, its reps, faults, prompts and "cannot see" spans, and
//! the pain ratings, kept in SQLite so they outlast the session.
//!
//! In flow runs as they happen (a run's start, each rep, a hold's progress, then the
//! finished record) from `pipeline::history_writer`, which owns the thread and calls
//! `store`; and session-log lines through `import` (an older install's `sessions.jsonl`,
//! or the writer's own fallback file). Out flow exports for a physiotherapist (`export`,
//! `fhir`), what the history screen and the session summary show (`progress`), and
//! `delete` removes all of it on the person's word. `store` owns the database: schema,
//! migrations, and the rules that keep a newer database safe from an older app. Only
//! `coach`'s record types come in; nothing here knows threads or the UI.

pub mod delete;
pub mod export;
pub mod fhir;
pub mod import;
pub mod progress;
pub mod store;

pub use store::{Store, StoreError};
