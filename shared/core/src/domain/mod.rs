//! Entries, projects, calendar, durations, tags, names and validation: pure functions
//! and plain types, no I/O.

pub mod calendar;
pub mod diagnostic;
pub mod duration;
pub mod entry;
pub mod ids;
pub mod names;
pub mod project;
pub mod sharing;
pub mod tags;
pub mod time;
pub mod timer;
pub mod validation;

pub use calendar::{FiscalCalendar, FiscalYear, Month};
pub use diagnostic::{Code, Diagnostic, Severity};
pub use entry::{Entry, EntryJson, NON_PROJECT, UNPRODUCTIVE};
pub use project::{Project, ProjectCatalog, ProjectStatus};
pub use time::ClockTime;
