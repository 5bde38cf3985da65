//! Temporal Mark's shared library. Layers, bottom up:
//! - [`domain`]: entries, projects, calendar, durations, tags, validation (no I/O);
//! - [`markdown`]: the time-log parser and canonical renderer, project files;
//! - [`reports`]: one report engine, four output formats;
//! - [`generator`]: deterministic realistic logs for tests and benchmarks.

pub mod auth;
pub mod domain;
pub mod generator;
pub mod handlers;
pub mod http;
pub mod jobs;
pub mod markdown;
pub mod reports;
pub mod store;
