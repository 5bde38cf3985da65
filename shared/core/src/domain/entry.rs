//! A logged time span and its JSON form.

use super::duration::{hours_2dp, span_minutes};
use super::time::{ClockTime, MINUTES_PER_DAY};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Default project of entries that name none (admin work).
pub const NON_PROJECT: &str = "Non-Project";
/// Conventional project for breaks; suppressed by default in fiscal-year and since reports.
pub const UNPRODUCTIVE: &str = "Unproductive";

/// One time span of one user. `end == None` is the running timer (`[ACTIVE]`).
/// An end earlier than the start crosses midnight; the entry belongs to its start date.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Entry {
    pub date: NaiveDate,
    pub start: ClockTime,
    pub end: Option<ClockTime>,
    pub task: String,
    pub project: String,
    pub tags: Vec<String>,
    /// Notes, one element per line (a log's `  - Notes:` lines).
    pub notes: Vec<String>,
}

impl Entry {
    pub fn is_active(&self) -> bool {
        self.end.is_none()
    }

    /// Whole minutes; `None` while running. Never zero for a valid entry.
    pub fn minutes(&self) -> Option<u32> {
        self.end.map(|end| span_minutes(self.start, end))
    }

    pub fn crosses_midnight(&self) -> bool {
        self.end.is_some_and(|end| end < self.start)
    }

    /// Absolute start in minutes since 0001-01-01, for ordering and overlap checks
    /// across days.
    pub fn start_abs(&self) -> i64 {
        i64::from(self.date.num_days_from_ce()) * i64::from(MINUTES_PER_DAY)
            + i64::from(self.start.minutes_since_midnight())
    }

    /// Absolute end; a running entry is open-ended (`None`).
    pub fn end_abs(&self) -> Option<i64> {
        self.minutes().map(|m| self.start_abs() + i64::from(m))
    }

    /// `09:00-10:30` or `13:00-[ACTIVE]`.
    pub fn range_label(&self) -> String {
        match self.end {
            Some(end) => format!("{}-{}", self.start, end),
            None => format!("{}-[ACTIVE]", self.start),
        }
    }

    /// Notes lines joined with line breaks; `None` when there are none.
    pub fn notes_text(&self) -> Option<String> {
        (!self.notes.is_empty()).then(|| self.notes.join("\n"))
    }

    pub fn to_json(&self) -> EntryJson {
        EntryJson::from(self)
    }
}

/// The JSON shape of an entry shared by the CLI, reports and the API.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EntryJson {
    pub date: NaiveDate,
    pub start_time: ClockTime,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub end_time: Option<ClockTime>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub minutes: Option<u32>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub hours: Option<f64>,
    pub task: String,
    pub project: String,
    pub tags: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub notes: Option<String>,
}

impl From<&Entry> for EntryJson {
    fn from(entry: &Entry) -> Self {
        let minutes = entry.minutes();
        Self {
            date: entry.date,
            start_time: entry.start,
            end_time: entry.end,
            minutes,
            hours: minutes.map(hours_2dp),
            task: entry.task.clone(),
            project: entry.project.clone(),
            tags: entry.tags.clone(),
            notes: entry.notes_text(),
        }
    }
}

impl From<EntryJson> for Entry {
    fn from(json: EntryJson) -> Self {
        Self {
            date: json.date,
            start: json.start_time,
            end: json.end_time,
            task: json.task,
            project: json.project,
            tags: json.tags,
            notes: json.notes.map(|n| n.lines().map(str::to_owned).collect()).unwrap_or_default(),
        }
    }
}

/// Canonical order: by date, then start.
pub fn sort_entries(entries: &mut [Entry]) {
    entries.sort_by_key(|e| (e.date, e.start));
}
