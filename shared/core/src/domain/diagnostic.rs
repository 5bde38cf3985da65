//! Findings about a log line or a request field: severity, stable code, message.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Stable, machine-readable codes. Clients match on these; never rename one.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    // Log structure
    InvalidDateHeader,
    EntryBeforeDateHeader,
    MalformedEntry,
    TimeNotPadded,
    OrphanNotes,
    EntryLikeText,
    MultipleActive,
    OutsideFiscalYear,
    TitleMismatch,
    FileTooLarge,
    InvalidEncoding,
    EmptyFile,
    // Dates and times
    InvalidDate,
    DateInFuture,
    DateOverAYearAgo,
    InvalidTime,
    ZeroDuration,
    OutsideWorkingHours,
    ShortDuration,
    LongDuration,
    CrossesMidnight,
    DurationOverADay,
    // Content
    EmptyTask,
    TaskTooLong,
    TaskHasLineBreak,
    ShortTask,
    InvalidProjectName,
    ProjectCreated,
    InvalidTags,
    TooManyTags,
    TagNormalized,
    TagDropped,
    NotesTooLong,
    // Relations to other entries
    Overlap,
    Adjacent,
    // Project files
    InvalidFrontmatter,
    MissingProjectName,
    InvalidStatus,
    InvalidStartDate,
    SharedProjectNotOwned,
    ViewerCannotLog,
    UnknownSharedProject,
    EntryNormalized,
    WouldDeleteMost,
    RangeTooLong,
    EndsInFuture,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidDateHeader => "invalid-date-header",
            Code::EntryBeforeDateHeader => "entry-before-date-header",
            Code::MalformedEntry => "malformed-entry",
            Code::TimeNotPadded => "time-not-padded",
            Code::OrphanNotes => "orphan-notes",
            Code::EntryLikeText => "entry-like-text",
            Code::MultipleActive => "multiple-active",
            Code::OutsideFiscalYear => "outside-fiscal-year",
            Code::TitleMismatch => "title-mismatch",
            Code::FileTooLarge => "file-too-large",
            Code::InvalidEncoding => "invalid-encoding",
            Code::EmptyFile => "empty-file",
            Code::InvalidDate => "invalid-date",
            Code::DateInFuture => "date-in-future",
            Code::DateOverAYearAgo => "date-over-a-year-ago",
            Code::InvalidTime => "invalid-time",
            Code::ZeroDuration => "zero-duration",
            Code::OutsideWorkingHours => "outside-working-hours",
            Code::ShortDuration => "short-duration",
            Code::LongDuration => "long-duration",
            Code::CrossesMidnight => "crosses-midnight",
            Code::DurationOverADay => "duration-over-a-day",
            Code::EmptyTask => "empty-task",
            Code::TaskTooLong => "task-too-long",
            Code::TaskHasLineBreak => "task-has-line-break",
            Code::ShortTask => "short-task",
            Code::InvalidProjectName => "invalid-project-name",
            Code::ProjectCreated => "project-created",
            Code::InvalidTags => "invalid-tags",
            Code::TooManyTags => "too-many-tags",
            Code::TagNormalized => "tag-normalized",
            Code::TagDropped => "tag-dropped",
            Code::NotesTooLong => "notes-too-long",
            Code::Overlap => "overlap",
            Code::Adjacent => "adjacent",
            Code::InvalidFrontmatter => "invalid-frontmatter",
            Code::MissingProjectName => "missing-project-name",
            Code::InvalidStatus => "invalid-status",
            Code::InvalidStartDate => "invalid-start-date",
            Code::SharedProjectNotOwned => "shared-project-not-owned",
            Code::ViewerCannotLog => "viewer-cannot-log",
            Code::UnknownSharedProject => "unknown-shared-project",
            Code::EntryNormalized => "entry-normalized",
            Code::WouldDeleteMost => "would-delete-most",
            Code::RangeTooLong => "range-too-long",
            Code::EndsInFuture => "ends-in-future",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A finding about one line of a Markdown file (1-based line numbers).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Diagnostic {
    pub line: usize,
    pub severity: Severity,
    pub code: Code,
    pub message: String,
}

impl Diagnostic {
    pub fn error(line: usize, code: Code, message: impl Into<String>) -> Self {
        Self { line, severity: Severity::Error, code, message: message.into() }
    }
    pub fn warning(line: usize, code: Code, message: impl Into<String>) -> Self {
        Self { line, severity: Severity::Warning, code, message: message.into() }
    }
    pub fn info(line: usize, code: Code, message: impl Into<String>) -> Self {
        Self { line, severity: Severity::Info, code, message: message.into() }
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// `line 14: error overlap: 10:00-11:30 overlaps 09:00-10:30 (Task 1) …`
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {} {}: {}", self.line, self.severity.as_str(), self.code, self.message)
    }
}

pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}
