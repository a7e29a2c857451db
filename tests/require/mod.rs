//! What a test does when something it needs is absent.
//!
//! Locally, a test whose `../shared` fixture, model or runtime is missing skips with a
//! line on stderr. Under `BACKFORM_REQUIRE_FIXTURES=1` — `.ci/run`, which always has
//! `../shared` beside it — the same absence fails the test, so CI can tell a skipped
//! judge from a passing one.
#![allow(dead_code)]

/// Whether absences are failures (`BACKFORM_REQUIRE_FIXTURES` set and not `0`).
pub fn required() -> bool {
    std::env::var("BACKFORM_REQUIRE_FIXTURES").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Skips (locally) or fails (under `BACKFORM_REQUIRE_FIXTURES`) because of `why`.
pub fn skip(why: impl std::fmt::Display) {
    assert!(!required(), "BACKFORM_REQUIRE_FIXTURES is set, yet {why}");
    eprintln!("skipping: {why}");
}
