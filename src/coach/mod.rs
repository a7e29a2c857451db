//! Coaching: the routine around the exercises, and the session log.
//!
//! `routine` sequences exercises (order, readiness, rests, stops); `session_log` appends
//! what happened to a JSON-lines file.

pub mod routine;
pub mod session_log;
