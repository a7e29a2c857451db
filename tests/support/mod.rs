//! Test support: ground truth and how reports are judged against it (`truth`), and the
//! synthetic articulated body that generates pose sequences (`body`, `scenarios`).
#![allow(dead_code)]

pub mod truth;
