//! `tm import`: other trackers' exports read into a neutral list of entries, and what
//! could not be mapped, said per row. Reading is pure (no network; `run` posts).
//!
//! # Mapping rules
//!
//! | | task | project | tags | notes |
//! |---|---|---|---|---|
//! | Toggl Track detailed CSV | `Description`, else `Task`, else `Project` | `Project` | `Tags` (comma-separated), `Client`, `billable` when `Billable` is yes | the description's further lines; `Task: …` when it is not the task |
//! | Clockify detailed CSV | `Description`, else `Task`, else `Project` | `Project` | `Tags`, `Client`, `billable` | as Toggl |
//! | Harvest time report CSV | `Notes` (first line), else `Task` | `Project` | `Client`, `Task`, `billable` when `Billable?` is yes | the further lines of `Notes` |
//! | Timewarrior `timew export` | `annotation` (first line), else the first tag | with `--project-prefix P`, the tag `P…` (else none) | the other tags | the annotation's further lines |
//!
//! - A client is a tag (so `tm report tag` reports by client); a Toggl or Clockify task
//!   is a piece of a project, kept as a `Task: …` notes line; a Harvest task is a kind
//!   of work shared by projects (Design, Meetings), so it is a tag.
//! - Tags are normalised like everywhere else (`normalize_tag`); one that normalises to
//!   nothing valid is dropped and reported, the entry is imported without it.
//! - Times are wall-clock times of the exporting person (Toggl, Clockify); Timewarrior's
//!   UTC instants are converted to the given zone. Seconds are rounded to the nearest
//!   minute (30 s up). An entry ending after midnight crosses it and belongs to its
//!   start date (docs/rules.md §1).
//! - Harvest exports hours, not times: each day's entries are placed back to back from
//!   `--day-starts` (09:00) in the file's order; the import says so.
//! - Not imported, and reported with the row: shorter than a minute after rounding,
//!   longer than one entry may be (16 hours; a day or more can never be one entry),
//!   ending before it starts, a missing or unreadable required value (named by its
//!   column), no text for the task, a running Timewarrior interval (no `end`).
//! - A file without the format's columns is an error naming the expected columns.
//!   Columns are found by name (any order, any case; unknown ones are ignored).

mod clockify;
mod harvest;
mod run;
mod table;
mod timewarrior;
mod toggl;

pub use clockify::clockify;
pub use harvest::harvest;
pub use run::{ImportArgs, run};
pub use timewarrior::timewarrior;
pub use toggl::toggl;

use chrono::{NaiveDate, NaiveDateTime, Timelike as _};
use std::collections::BTreeMap;
use tm_core::domain::entry::NON_PROJECT;
use tm_core::domain::tags::{dropped_tag_message, is_valid_tag, normalize_tag};
use tm_core::domain::validation::MAX_ENTRY_MINUTES;

/// The trackers `tm import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Toggl,
    Clockify,
    Harvest,
    Timewarrior,
}

/// How Clockify's numeric dates are ordered (`01/02/2026`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DateOrder {
    /// Month first, Clockify's default (`01/15/2026`).
    Mdy,
    /// Day first (`15/01/2026`).
    Dmy,
}

/// One entry as the service takes it, with the row of the file it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapped {
    /// The line of a CSV file (the header is line 1), or the 1-based position of a
    /// Timewarrior interval.
    pub row: usize,
    pub date: NaiveDate,
    /// `HH:MM`
    pub start: String,
    /// `HH:MM`; earlier than `start` when the entry crosses midnight.
    pub end: String,
    pub minutes: u32,
    pub task: String,
    pub project: Option<String>,
    pub tags: Vec<String>,
    pub notes: Vec<String>,
}

/// Something of a row the import leaves out, and why, for a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remark {
    pub row: usize,
    pub reason: String,
}

/// What a file reads as.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Import {
    pub entries: Vec<Mapped>,
    /// Rows that give no entry.
    pub unmapped: Vec<Remark>,
    /// Parts of imported rows left out (tags that are not valid tags).
    pub dropped: Vec<Remark>,
    /// How the whole file was mapped, when a person should know (Harvest's times).
    pub remarks: Vec<String>,
}

impl Import {
    /// The word for a row of this format in messages.
    pub fn row_word(format: Format) -> &'static str {
        if format == Format::Timewarrior { "interval" } else { "line" }
    }

    /// Minutes per project (Non-Project for none), by name.
    pub fn minutes_by_project(&self) -> BTreeMap<&str, u32> {
        let mut totals = BTreeMap::new();
        for e in &self.entries {
            *totals.entry(e.project.as_deref().unwrap_or(NON_PROJECT)).or_insert(0) += e.minutes;
        }
        totals
    }

    /// The first and last day with an entry.
    pub fn date_range(&self) -> Option<(NaiveDate, NaiveDate)> {
        let first = self.entries.iter().map(|e| e.date).min()?;
        let last = self.entries.iter().map(|e| e.date).max()?;
        Some((first, last))
    }

    fn unmapped(&mut self, row: usize, reason: impl Into<String>) {
        self.unmapped.push(Remark { row, reason: reason.into() });
    }
}

/// The entry's text so far: task, project, tags, notes.
#[derive(Default)]
struct Text {
    task: Option<String>,
    project: Option<String>,
    tags: Vec<String>,
    notes: Vec<String>,
}

impl Text {
    /// The first line of `text` as the task (when there is none yet), its other lines
    /// as notes. Whitespace runs become one space.
    fn task_from(&mut self, text: &str) -> bool {
        let mut lines = lines_of(text).into_iter();
        let Some(first) = lines.next() else { return false };
        if self.task.is_some() {
            return false;
        }
        self.task = Some(first);
        self.notes.extend(lines);
        true
    }

    /// Normalised tags added; `column` names where a dropped one came from.
    fn add_tag(&mut self, raw: &str, column: &str, row: usize, import: &mut Import) {
        let raw = raw.trim();
        if raw.is_empty() {
            return;
        }
        let tag = normalize_tag(raw);
        if !is_valid_tag(&tag) {
            import.dropped.push(Remark { row, reason: format!("{column}: {}", dropped_tag_message(raw)) });
        } else if !self.tags.contains(&tag) {
            self.tags.push(tag);
        }
    }

    fn into_entry(self, row: usize, span: Span) -> Option<Mapped> {
        Some(Mapped {
            row,
            date: span.date,
            start: span.start,
            end: span.end,
            minutes: span.minutes,
            task: self.task?,
            project: self.project,
            tags: self.tags,
            notes: self.notes,
        })
    }
}

/// The non-empty lines of `text`, trimmed, whitespace runs made one space.
fn lines_of(text: &str) -> Vec<String> {
    text.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|l| !l.is_empty()).collect()
}

/// `yes`, `true`, `1` (any case) as a spreadsheet says "billable".
fn is_yes(text: &str) -> bool {
    matches!(text.trim().to_ascii_lowercase().as_str(), "yes" | "true" | "1" | "y")
}

/// A time span as the service takes it.
#[derive(Debug, PartialEq, Eq)]
struct Span {
    date: NaiveDate,
    start: String,
    end: String,
    minutes: u32,
}

/// The instant rounded to the nearest minute (30 seconds up).
fn to_minute(at: NaiveDateTime) -> NaiveDateTime {
    let whole = at.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(at);
    if at.second() >= 30 { whole + chrono::Duration::minutes(1) } else { whole }
}

/// `start`-`end` (wall clock) as one entry of the start's day, or why it cannot be one.
fn span(start: NaiveDateTime, end: NaiveDateTime) -> Result<Span, String> {
    let (start, end) = (to_minute(start), to_minute(end));
    let minutes = (end - start).num_minutes();
    let clock = |t: NaiveDateTime| t.format("%H:%M").to_string();
    let label = if start.date() == end.date() {
        format!("{} {}-{}", start.date(), clock(start), clock(end))
    } else {
        format!("{} {} to {} {}", start.date(), clock(start), end.date(), clock(end))
    };
    if minutes < 0 {
        return Err(format!("it ends before it starts ({label})"));
    }
    if minutes < 1 {
        return Err(format!("it lasts less than a minute after rounding to minutes ({label})"));
    }
    if minutes > i64::from(MAX_ENTRY_MINUTES) {
        return Err(format!(
            "it lasts {} h {:02} min ({label}); one entry spans at most {} hours, so split it in the tracker and export again",
            minutes / 60,
            minutes % 60,
            MAX_ENTRY_MINUTES / 60
        ));
    }
    Ok(Span { date: start.date(), start: clock(start), end: clock(end), minutes: minutes as u32 })
}

/// A clock time as trackers write it: `9:05`, `09:05:30`, `9:05 AM`, `09:05:30 pm`;
/// (hour, minute, second) on the 24-hour clock.
fn parse_clock(text: &str) -> Option<(u32, u32, u32)> {
    let t = text.trim().to_ascii_lowercase();
    let (digits, half) = if let Some(rest) = t.strip_suffix("am") {
        (rest.trim_end(), Some(false))
    } else if let Some(rest) = t.strip_suffix("pm") {
        (rest.trim_end(), Some(true))
    } else {
        (t.as_str(), None)
    };
    let parts: Vec<&str> = digits.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let number = |p: &str, max_len: usize| -> Option<u32> {
        (!p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit())).then(|| p.parse().ok())?
    };
    let hour = number(parts[0], 2)?;
    let minute = number(parts[1], 2).filter(|m| *m < 60 && parts[1].len() == 2)?;
    let second = match parts.get(2) {
        Some(s) => number(s, 2).filter(|s| *s < 60)?,
        None => 0,
    };
    let hour = match half {
        None if hour < 24 => hour,
        Some(pm) if (1..=12).contains(&hour) => hour % 12 + if pm { 12 } else { 0 },
        _ => return None,
    };
    Some((hour, minute, second))
}

/// `YYYY-MM-DD`.
fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    (t.len() == 10).then(|| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())?
}

/// A date and a clock time, or why not: `what` names the columns.
fn date_time(
    date: &str,
    time: &str,
    columns: (&str, &str),
    read_date: &dyn Fn(&str) -> Option<NaiveDate>,
    date_shape: &str,
) -> Result<NaiveDateTime, String> {
    let day = read_date(date).ok_or_else(|| format!("{} {date:?} is not a date ({date_shape})", columns.0))?;
    let (h, m, s) = parse_clock(time)
        .ok_or_else(|| format!("{} {time:?} is not a time (HH:MM, HH:MM:SS, or with AM/PM)", columns.1))?;
    day.and_hms_opt(h, m, s).ok_or_else(|| format!("{} {time:?} is not a time", columns.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn clock_times_in_12_and_24_hours() {
        assert_eq!(parse_clock("09:00"), Some((9, 0, 0)));
        assert_eq!(parse_clock("9:05:31"), Some((9, 5, 31)));
        assert_eq!(parse_clock("09:00:00 AM"), Some((9, 0, 0)));
        assert_eq!(parse_clock("12:15 am"), Some((0, 15, 0)));
        assert_eq!(parse_clock("12:15 PM"), Some((12, 15, 0)));
        assert_eq!(parse_clock("11:59:59PM"), Some((23, 59, 59)));
        for bad in ["", "9", "9:5", "24:00", "13:00 PM", "0:30 AM", "09:60", "09:00:60", "nine", "09:00:00:00"] {
            assert_eq!(parse_clock(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn spans_round_to_minutes_cross_midnight_and_refuse_what_one_entry_cannot_be() {
        let s = span(at("2026-01-15 09:00:29"), at("2026-01-15 10:29:30")).unwrap();
        assert_eq!((s.start.as_str(), s.end.as_str(), s.minutes), ("09:00", "10:30", 90));
        let night = span(at("2026-01-15 23:30:00"), at("2026-01-16 00:45:10")).unwrap();
        assert_eq!(
            (night.date.to_string(), night.start, night.end),
            ("2026-01-15".into(), "23:30".into(), "00:45".into())
        );
        // 23:59:45 rounds into the next day: the entry is that day's.
        let late = span(at("2026-01-15 23:59:45"), at("2026-01-16 00:10:00")).unwrap();
        assert_eq!(late.date.to_string(), "2026-01-16");
        assert!(span(at("2026-01-15 09:00:10"), at("2026-01-15 09:00:25")).unwrap_err().contains("less than a minute"));
        assert!(span(at("2026-01-15 10:00:00"), at("2026-01-15 09:00:00")).unwrap_err().contains("ends before"));
        let long = span(at("2026-01-15 09:00:00"), at("2026-01-16 10:00:00")).unwrap_err();
        assert!(long.contains("25 h 00 min") && long.contains("16 hours"), "{long}");
        assert!(span(at("2026-01-15 06:00:00"), at("2026-01-15 22:00:00")).is_ok(), "16 hours is allowed");
        assert!(span(at("2026-01-15 06:00:00"), at("2026-01-15 22:01:00")).is_err());
    }

    #[test]
    fn text_makes_a_task_of_the_first_line_and_notes_of_the_rest() {
        let mut text = Text::default();
        assert!(!text.task_from("  \n "));
        assert!(text.task_from("  Review   the\tspec \n\n second  line "));
        assert!(!text.task_from("ignored: there is a task"));
        assert_eq!(text.task.as_deref(), Some("Review the spec"));
        assert_eq!(text.notes, ["second line"]);
        let mut import = Import::default();
        for raw in ["UI Design", "ui-design", "C#", " "] {
            text.add_tag(raw, "Tags", 7, &mut import);
        }
        assert_eq!(text.tags, ["ui-design"]);
        assert_eq!(import.dropped.len(), 1);
        assert!(import.dropped[0].reason.starts_with("Tags: tag \"C#\" was dropped"), "{:?}", import.dropped);
        assert_eq!(import.dropped[0].row, 7);
    }
}
