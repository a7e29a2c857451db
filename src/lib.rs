//! backform: watches a person doing low-back-pain exercises and coaches them.
//!
//! Data flows one way, and each module depends only on those before it:
//! `capture` (frames) → `pose` (33 BlazePose landmarks) → `kinematics` (angles,
//! lines, view) → `exercises` (reps, holds, faults) → `coach` (prompts, report)
//! → `ui` (egui window). `pipeline` owns the worker thread that drives the chain.
//! `bundle` (where the runtime library, the models and the demo clip are installed)
//! stands outside the chain: `pose` and `ui` ask it.

pub mod bundle;
pub mod capture;
pub mod coach;
pub mod eval;
pub mod exercises;
pub mod history;
pub mod kinematics;
pub mod pipeline;
pub mod pose;
pub mod settings;
pub mod ui;
