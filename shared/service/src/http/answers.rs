//! The API's typed answers: what the entry and timer routes send back, one type each,
//! so the handlers and the OpenAPI document share one definition. A field that is always
//! sent, even as `null`, is marked required, so a client may rely on it being there.

use crate::store::StoredEntry;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tm_core::domain::time::ClockTime;
use utoipa::ToSchema;

/// A time entry as stored, with what its write noticed.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EntryAnswer {
    pub id: String,
    #[schema(value_type = String, format = Date, example = "2025-07-29")]
    pub date: NaiveDate,
    #[schema(value_type = String, example = "09:00")]
    pub start_time: ClockTime,
    /// `null` while the entry is the running timer.
    #[schema(value_type = Option<String>, required = true, example = "10:30")]
    pub end_time: Option<ClockTime>,
    #[schema(required = true)]
    pub minutes: Option<u32>,
    /// Minutes as hours, to two decimals.
    #[schema(required = true)]
    pub hours: Option<f64>,
    pub task: String,
    pub project: String,
    pub tags: Vec<String>,
    #[schema(required = true)]
    pub notes: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
    /// Warnings and notes of the write that answered (e.g. a tag normalised, a
    /// project created); only on writes.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub warnings: Option<Vec<serde_json::Value>>,
}

impl From<&StoredEntry> for EntryAnswer {
    fn from(stored: &StoredEntry) -> Self {
        let json = stored.entry.to_json();
        Self {
            id: stored.id.clone(),
            date: json.date,
            start_time: json.start_time,
            end_time: json.end_time,
            minutes: json.minutes,
            hours: json.hours,
            task: json.task,
            project: json.project,
            tags: json.tags,
            notes: json.notes,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
            warnings: None,
        }
    }
}

/// `GET /v1/entries`: one page, oldest first.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EntryPage {
    pub entries: Vec<EntryAnswer>,
    /// Pass as `cursor` for the next page; `null` on the last.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// `GET /v1/timer`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TimerAnswer {
    /// The running entry, or `null`.
    #[schema(required = true)]
    pub running: Option<EntryAnswer>,
    #[schema(required = true)]
    pub elapsed_minutes: Option<i64>,
}
