//! Checking a new, changed or finished entry against the user's other entries
//! (docs/rules.md §5). Every finding is returned at once; errors mean nothing may be stored.

use super::calendar::parse_date;
use super::diagnostic::{Code, Severity};
use super::duration::{minutes_apart, overlaps};
use super::entry::{Entry, NON_PROJECT};
use super::names::{ProjectRef, project_ref, project_ref_problem};
use super::project::{ProjectCatalog, is_conventional};
use super::tags::{dropped_tag_message, normalize_tags};
use super::time::{ClockTime, TimeError};
use chrono::{Months, NaiveDate};
use serde::Serialize;

pub const MAX_TASK_CHARS: usize = 500;
pub const MAX_NOTES_LINE_CHARS: usize = 1000;
pub const MAX_TAGS: usize = 10;
/// Entries closer than this (but not touching) get an `adjacent` warning.
pub const ADJACENT_MINUTES: i64 = 15;

/// The longest span one entry may have. Longer ones are almost always a reversed range
/// (`15:00-14:00` read as 23 hours).
pub const MAX_ENTRY_MINUTES: u32 = 16 * 60;

/// Why a time range is refused as too long, on every path: the message suggests the
/// swapped range.
pub fn range_error(start: ClockTime, end: ClockTime) -> Option<(Code, String)> {
    let minutes = super::duration::span_minutes(start, end);
    (minutes > MAX_ENTRY_MINUTES).then(|| {
        (
            Code::RangeTooLong,
            format!(
                "{start}-{end} lasts {} h {:02} min, over the 16-hour limit of one entry; if you meant {end}-{start}, \
                 swap the times (a longer span is several entries)",
                minutes / 60,
                minutes % 60
            ),
        )
    })
}

/// Why an entry is refused for ending in the future: more than a minute after `now`
/// (the person's local date and minute), on every path. A running entry has no end.
pub fn future_end_error(entry: &Entry, now: (NaiveDate, ClockTime)) -> Option<(Code, String)> {
    let now_abs =
        i64::from(chrono::Datelike::num_days_from_ce(&now.0)) * 1440 + i64::from(now.1.minutes_since_midnight());
    let end = entry.end_abs()?;
    (end > now_abs + 1).then(|| {
        let end_time = entry.end.map(|t| t.to_string()).unwrap_or_default();
        (
            Code::EndsInFuture,
            format!(
                "the entry ends at {end_time} on {}, after now ({} {}) in your time zone; log time once it has passed, \
                 or start a timer",
                if entry.crosses_midnight() { entry.date.succ_opt().unwrap_or(entry.date) } else { entry.date },
                now.0,
                now.1
            ),
        )
    })
}

/// Why a task is refused, on every path that stores one (API, upload, import), so
/// whatever is stored can be read, edited, exported and imported again.
pub fn task_error(task: &str) -> Option<(Code, String)> {
    let task = task.trim();
    if task.is_empty() {
        return Some((Code::EmptyTask, "task is empty; describe what you worked on".into()));
    }
    if task.contains(['\n', '\r']) {
        return Some((
            Code::TaskHasLineBreak,
            "task contains a line break; keep it on one line and put details in notes".into(),
        ));
    }
    let chars = task.chars().count();
    (chars > MAX_TASK_CHARS).then(|| {
        (
            Code::TaskTooLong,
            format!("task has {chars} characters; shorten it to at most {MAX_TASK_CHARS} and move details to notes"),
        )
    })
}

/// Why a notes line (1-based `number` of the entry's notes) is refused, on every path.
pub fn notes_line_error(number: usize, line: &str) -> Option<(Code, String)> {
    let chars = line.chars().count();
    (chars > MAX_NOTES_LINE_CHARS).then(|| {
        (
            Code::NotesTooLong,
            format!(
                "notes line {number} has {chars} characters; split it into lines of at most {MAX_NOTES_LINE_CHARS}"
            ),
        )
    })
}

/// The warning for a tag list longer than [`MAX_TAGS`], on every path.
pub fn too_many_tags(count: usize) -> Option<String> {
    (count > MAX_TAGS).then(|| format!("{count} tags given; more than {MAX_TAGS} makes reports hard to read"))
}

/// An entry as a client sends it: raw text, so that every problem can be reported.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EntryInput {
    pub date: String,
    pub start_time: String,
    /// `None` for a running timer.
    pub end_time: Option<String>,
    pub task: String,
    pub project: Option<String>,
    /// Must be a JSON list of strings when present.
    pub tags: Option<serde_json::Value>,
    pub notes: Option<String>,
}

impl EntryInput {
    /// The raw form of a stored entry, to apply a change or a finish on top of.
    pub fn from_entry(entry: &Entry) -> Self {
        Self {
            date: entry.date.to_string(),
            start_time: entry.start.to_string(),
            end_time: entry.end.map(|t| t.to_string()),
            task: entry.task.clone(),
            project: Some(entry.project.clone()),
            tags: Some(serde_json::Value::from(entry.tags.clone())),
            notes: entry.notes_text(),
        }
    }
}

/// Another stored entry of the same user, with its id.
#[derive(Clone, Copy, Debug)]
pub struct ExistingEntry<'a> {
    pub id: &'a str,
    pub entry: &'a Entry,
}

pub struct ValidationContext<'a> {
    /// Today in the user's time zone.
    pub today: NaiveDate,
    /// The minute now in the user's time zone (an entry may not end after it).
    pub now: ClockTime,
    /// The user's entries near the candidate (at least the day before to the day after).
    pub existing: &'a [ExistingEntry<'a>],
    /// Id of the entry being changed or finished, so it does not conflict with itself.
    pub replacing: Option<&'a str>,
    pub projects: &'a ProjectCatalog,
}

/// One finding about one field of the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Issue {
    pub field: &'static str,
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    /// For `overlap` and `adjacent`: the id of the other entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicting_id: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Validated {
    /// The normalised entry, present when there is no error.
    pub entry: Option<Entry>,
    pub issues: Vec<Issue>,
}

impl Validated {
    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.severity == Severity::Error)
    }

    /// True when the only errors are overlaps (an HTTP 409 rather than a 422).
    pub fn only_conflicts(&self) -> bool {
        let mut errors = self.errors().peekable();
        errors.peek().is_some() && errors.all(|i| i.code == Code::Overlap)
    }
}

struct Findings(Vec<Issue>);

impl Findings {
    fn push(&mut self, field: &'static str, severity: Severity, code: Code, message: String) {
        self.0.push(Issue { field, severity, code, message, conflicting_id: None });
    }
    fn error(&mut self, field: &'static str, code: Code, message: String) {
        self.push(field, Severity::Error, code, message);
    }
    fn warning(&mut self, field: &'static str, code: Code, message: String) {
        self.push(field, Severity::Warning, code, message);
    }
    fn info(&mut self, field: &'static str, code: Code, message: String) {
        self.push(field, Severity::Info, code, message);
    }
}

fn check_time(findings: &mut Findings, field: &'static str, text: &str) -> Option<ClockTime> {
    match ClockTime::parse(text.trim()) {
        Ok(time) => Some(time),
        Err(TimeError::NotHhMm) => {
            findings.error(field, Code::InvalidTime, format!("{field} {text:?} is not HH:MM; write e.g. 09:30"));
            None
        }
        Err(TimeError::OutOfRange) => {
            findings.error(
                field,
                Code::InvalidTime,
                format!("{field} {text:?} is out of range; hours are 00-23 and minutes 00-59"),
            );
            None
        }
    }
}

pub fn validate_entry(input: &EntryInput, ctx: &ValidationContext<'_>) -> Validated {
    let mut f = Findings(Vec::new());

    // date
    let date = match parse_date(input.date.trim()) {
        Ok(date) => {
            if date > ctx.today {
                f.warning(
                    "date",
                    Code::DateInFuture,
                    format!("date {date} is after today ({}); check the date", ctx.today),
                );
            } else if ctx.today.checked_sub_months(Months::new(12)).is_some_and(|limit| date < limit) {
                f.warning(
                    "date",
                    Code::DateOverAYearAgo,
                    format!("date {date} is more than a year ago; check the year"),
                );
            }
            Some(date)
        }
        Err(e) => {
            f.error("date", Code::InvalidDate, e.0);
            None
        }
    };

    // start / end
    let start = check_time(&mut f, "startTime", &input.start_time);
    let end = input.end_time.as_deref().map(|t| check_time(&mut f, "endTime", t));
    let working_hours = |t: ClockTime| (6 * 60..=22 * 60).contains(&t.minutes_since_midnight());
    for (field, time) in [("startTime", start), ("endTime", end.flatten())] {
        if let Some(time) = time
            && !working_hours(time)
        {
            f.warning(
                field,
                Code::OutsideWorkingHours,
                format!("{field} {time} is outside 06:00-22:00; check it is right"),
            );
        }
    }

    // duration
    if let (Some(start), Some(Some(end))) = (start, end) {
        if start == end {
            f.error(
                "endTime",
                Code::ZeroDuration,
                format!("endTime must differ from startTime (got {start}-{end}); use a later end time"),
            );
        } else if let Some((code, message)) = range_error(start, end) {
            f.error("endTime", code, message);
        } else {
            let minutes = super::duration::span_minutes(start, end);
            if end < start {
                f.warning(
                    "endTime",
                    Code::CrossesMidnight,
                    format!(
                        "endTime is before startTime (got {start}-{end}), so the entry crosses midnight and lasts {minutes} minutes until {end} the next day; if you meant the same day, use a time after {start}"
                    ),
                );
            }
            if minutes < 15 {
                f.warning(
                    "endTime",
                    Code::ShortDuration,
                    format!(
                        "the entry lasts only {minutes} minute{} (under 15); check the times",
                        if minutes == 1 { "" } else { "s" }
                    ),
                );
            }
            if minutes > 8 * 60 {
                f.warning(
                    "endTime",
                    Code::LongDuration,
                    format!("the entry lasts {minutes} minutes (over 8 hours); check the times or split it"),
                );
            }
        }
    }

    // task
    let task = input.task.trim();
    if let Some((code, message)) = task_error(task) {
        f.error("task", code, message);
    } else if task.chars().count() < 5 {
        f.warning(
            "task",
            Code::ShortTask,
            format!("task {task:?} is under 5 characters; a longer description helps reports"),
        );
    }

    // project
    let requested = input.project.as_deref().map(str::trim).filter(|p| !p.is_empty()).unwrap_or(NON_PROJECT);
    let mut project = requested.to_owned();
    if let Some(problem) = project_ref_problem(requested) {
        f.error("project", Code::InvalidProjectName, problem);
    } else if let Some(existing) = ctx.projects.get(requested) {
        project = existing.name.clone();
    } else if let ProjectRef { owner: Some(owner), name } = project_ref(requested) {
        // A colleague's project is never created by naming it: it must be shared.
        f.error(
            "project",
            Code::UnknownSharedProject,
            format!(
                "{owner} shares no project named {name:?} with you; GET /v1/projects lists the shared projects you \
                 can log on (shared.logAs), or give just the name for a project of your own"
            ),
        );
    } else if !is_conventional(requested) {
        f.info(
            "project",
            Code::ProjectCreated,
            format!("project {requested:?} does not exist yet; it will be created"),
        );
    }

    // tags
    let mut tags = Vec::new();
    match &input.tags {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::Array(items)) if items.iter().all(serde_json::Value::is_string) => {
            let normalized = normalize_tags(items.iter().filter_map(serde_json::Value::as_str));
            for (original, tag) in &normalized.changed {
                f.info("tags", Code::TagNormalized, format!("tag {original:?} was normalised to {tag:?}"));
            }
            for original in &normalized.dropped {
                f.warning("tags", Code::TagDropped, dropped_tag_message(original));
            }
            if let Some(message) = too_many_tags(normalized.tags.len()) {
                f.warning("tags", Code::TooManyTags, message);
            }
            tags = normalized.tags;
        }
        Some(_) => {
            f.error("tags", Code::InvalidTags, "tags must be a list of strings, e.g. [\"docs\", \"bug-fix\"]".into())
        }
    }

    // notes: one element per non-empty line
    let notes: Vec<String> = input
        .notes
        .as_deref()
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    for (i, line) in notes.iter().enumerate() {
        if let Some((code, message)) = notes_line_error(i + 1, line) {
            f.error("notes", code, message);
        }
    }

    let candidate = match (date, start, end) {
        (Some(date), Some(start), None | Some(Some(_))) => {
            Some(Entry { date, start, end: end.flatten(), task: task.to_owned(), project, tags, notes })
        }
        _ => None,
    };

    if let Some((code, message)) = candidate.as_ref().and_then(|c| future_end_error(c, (ctx.today, ctx.now))) {
        f.error("endTime", code, message);
    }

    // relations to the user's other entries
    if let Some(candidate) = candidate.as_ref().filter(|c| c.end != Some(c.start)) {
        for other in ctx.existing.iter().filter(|o| Some(o.id) != ctx.replacing) {
            if overlaps(candidate, other.entry) {
                f.0.push(Issue {
                    field: "startTime",
                    severity: Severity::Error,
                    code: Code::Overlap,
                    message: format!(
                        "{} on {} overlaps {} on {} ({}); change the times so they do not overlap",
                        candidate.range_label(),
                        candidate.date,
                        other.entry.range_label(),
                        other.entry.date,
                        other.entry.task
                    ),
                    conflicting_id: Some(other.id.to_owned()),
                });
            } else if minutes_apart(candidate, other.entry).is_some_and(|m| m > 0 && m < ADJACENT_MINUTES) {
                f.0.push(Issue {
                    field: "startTime",
                    severity: Severity::Warning,
                    code: Code::Adjacent,
                    message: format!(
                        "{} is less than {ADJACENT_MINUTES} minutes from {} on {} ({}); join them if they are one piece of work",
                        candidate.range_label(),
                        other.entry.range_label(),
                        other.entry.date,
                        other.entry.task
                    ),
                    conflicting_id: Some(other.id.to_owned()),
                });
            }
        }
    }

    let has_error = f.0.iter().any(|i| i.severity == Severity::Error);
    Validated { entry: if has_error { None } else { candidate }, issues: f.0 }
}
