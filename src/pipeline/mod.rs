//! The only module that spawns threads: it drives capture → pose → exercises → coach.
//!
//! `prefetch` decodes files ahead of inference for `analyze` and `bench`; `stats`
//! summarises per-stage timings.

pub mod analyze;
pub mod prefetch;
pub mod stats;
