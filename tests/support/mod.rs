//! Test support: the synthetic articulated body and camera (`body`), exercise
//! performances with ground truth (`scenarios`), and how a report is judged against
//! ground truth (`truth`) — the same rules for synthetic sequences and rendered clips.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod body;
pub mod scenarios;
pub mod truth;
