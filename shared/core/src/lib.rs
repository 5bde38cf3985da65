//! Temporal Mark's core, what every client and the service share. Layers, bottom up:
//! - [`domain`]: entries, projects, calendar, durations, tags, validation;
//! - [`markdown`]: the time log as a document (parser, renderer) and project files;
//! - [`reports`]: one report engine, four output formats.
//!
//! No I/O and no async: the CLI links this and nothing of the service.

pub mod domain;
pub mod markdown;
pub mod reports;
