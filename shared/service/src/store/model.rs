//! What the stores keep: stored entries with ids and timestamps, settings, write ops.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tm_core::domain::ids::{InvalidId, check_id};
use tm_core::domain::{ClockTime, Entry};

/// Whose data: the tenant and the user, both from a verified token only. Built only from
/// valid ids ([`tm_core::domain::ids`]), so every key made from it stays in its own space.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Owner {
    tenant: String,
    user: String,
}

impl Owner {
    pub fn new(tenant: &str, user: &str) -> Result<Self, InvalidId> {
        Ok(Self { tenant: check_id("tenant", tenant)?.to_owned(), user: check_id("user", user)?.to_owned() })
    }

    /// Another user of the same tenant.
    pub fn colleague(&self, user: &str) -> Result<Self, InvalidId> {
        Ok(Self { tenant: self.tenant.clone(), user: check_id("user", user)?.to_owned() })
    }

    /// The tenant itself, as the owner of tenant-wide files (team summaries): objects
    /// under `tenants/{tenant}/`. No user id is empty, so it never names a user.
    pub fn tenant_scope(tenant: &str) -> Result<Self, InvalidId> {
        Ok(Self { tenant: check_id("tenant", tenant)?.to_owned(), user: String::new() })
    }

    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    /// The partition key of the user's items.
    pub fn partition(&self) -> String {
        format!("T#{}#U#{}", self.tenant, self.user)
    }

    /// The owner a user's partition key names (`None` for any other partition).
    pub fn of_partition(partition: &str) -> Option<Self> {
        let (tenant, user) = partition.strip_prefix("T#")?.split_once("#U#")?;
        Self::new(tenant, user).ok()
    }
}

/// An entry as stored: the domain entry plus identity and timestamps.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEntry {
    pub id: String,
    pub entry: Entry,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl StoredEntry {
    /// Sort key of the entry item: date-range queries read a BETWEEN on it.
    pub fn sort_key(&self) -> String {
        entry_sort_key(self.entry.date, self.entry.start, &self.id)
    }
}

pub fn entry_sort_key(date: NaiveDate, start: ClockTime, id: &str) -> String {
    format!("E#{date}T{start}#{id}")
}

/// Storage record of an entry (a serde shape independent of the API's). Its timestamps
/// are microseconds since the Unix epoch (a DynamoDB number: no RFC 3339 parsing on
/// every read); records written before issue 14 hold RFC 3339 text and still read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryRecord {
    pub id: String,
    pub date: NaiveDate,
    pub start_time: ClockTime,
    pub end_time: Option<ClockTime>,
    pub task: String,
    pub project: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub note_lines: Vec<String>,
    #[serde(with = "stamp")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "stamp")]
    pub updated_at: DateTime<Utc>,
}

/// A stored timestamp: written as microseconds since the Unix epoch, read from those or
/// from the RFC 3339 text of the first format.
pub mod stamp {
    use chrono::{DateTime, Utc};
    use serde::{Deserializer, Serializer, de};

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(at.timestamp_micros())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
        struct Stamp;
        impl de::Visitor<'_> for Stamp {
            type Value = DateTime<Utc>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("microseconds since the Unix epoch, or an RFC 3339 timestamp")
            }
            fn visit_i64<E: de::Error>(self, us: i64) -> Result<Self::Value, E> {
                DateTime::from_timestamp_micros(us)
                    .ok_or_else(|| E::custom(format!("timestamp {us} µs is out of range")))
            }
            fn visit_u64<E: de::Error>(self, us: u64) -> Result<Self::Value, E> {
                self.visit_i64(i64::try_from(us).map_err(E::custom)?)
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
                DateTime::parse_from_rfc3339(text).map(|at| at.with_timezone(&Utc)).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Stamp)
    }
}

impl From<&StoredEntry> for EntryRecord {
    fn from(s: &StoredEntry) -> Self {
        Self {
            id: s.id.clone(),
            date: s.entry.date,
            start_time: s.entry.start,
            end_time: s.entry.end,
            task: s.entry.task.clone(),
            project: s.entry.project.clone(),
            tags: s.entry.tags.clone(),
            note_lines: s.entry.notes.clone(),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

impl From<EntryRecord> for StoredEntry {
    fn from(r: EntryRecord) -> Self {
        Self {
            id: r.id,
            entry: Entry {
                date: r.date,
                start: r.start_time,
                end: r.end_time,
                task: r.task,
                project: r.project,
                tags: r.tags,
                notes: r.note_lines,
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A user's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub time_zone: String,
    pub suppressed_projects: Vec<String>,
    /// Kept for profiles written when this flag marked registration; the directory
    /// entry itself is now read with the profile on every request.
    #[serde(default)]
    pub in_directory: bool,
}

impl Default for Profile {
    fn default() -> Self {
        Self {
            time_zone: "UTC".into(),
            suppressed_projects: vec![tm_core::domain::UNPRODUCTIVE.into()],
            in_directory: false,
        }
    }
}

/// A tenant's settings; only tenant admins change them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantSettings {
    pub fiscal_year_start_month: u32,
}

impl Default for TenantSettings {
    fn default() -> Self {
        Self { fiscal_year_start_month: 7 }
    }
}

/// The first response to a POST with an `Idempotency-Key`, replayed on retries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
    /// Hash of the first request's body, so a different request under the same key is
    /// refused instead of answered with another request's response.
    pub request_hash: String,
}

/// One change inside an atomic commit.
#[derive(Clone, Debug, PartialEq)]
pub enum WriteOp {
    /// Insert or replace by id (moving the item when date or start changed).
    PutEntry(StoredEntry),
    DeleteEntry {
        id: String,
    },
    /// Point the user's running timer at an entry, or clear it.
    SetTimer(Option<String>),
    PutIdempotency {
        key: String,
        response: StoredResponse,
    },
    /// Insert or replace an entry whose previous sort key the caller already knows
    /// (`None`: a new entry), so the store needs no read (ingest writes thousands).
    PutEntryAt {
        stored: StoredEntry,
        previous_sort_key: Option<String>,
        /// The entry's project before this write (`None`: new, or not known), so the
        /// changes feed can tell colleagues an entry left a project shared with them.
        previous_project: Option<String>,
    },
    /// Delete an entry at a known sort key.
    DeleteEntryAt {
        id: String,
        sort_key: String,
        /// The deleted entry's project, for the changes feed (as above).
        project: Option<String>,
    },
    /// A fiscal year's log changed: bump its version (when `bump`), adjust its entry
    /// count, and remember the last ingest.
    TouchLog(LogTouch),
    /// Record an upload's outcome in the same unit as the entries it changed, so a
    /// redelivered event sees it and writes nothing.
    PutUpload(UploadRecord),
    /// Create or replace a project (by its case-insensitive name).
    PutProject(tm_core::domain::Project),
    /// Remove a project (a rename moves it to its new name in the same unit).
    DeleteProject(String),
    /// The audit record of this change, written in the same unit as the change.
    PutAudit(super::team::AuditRecord),
    /// Entries of this month (`YYYY-MM`) changed: bump its version, which tells a
    /// monthly aggregate built before from one still true.
    TouchMonth(String),
    /// The commit holds only while the user's project of this name still exists (an
    /// entry validated against it must not land after a concurrent delete or merge).
    RequireProject(String),
}

/// The month key (`YYYY-MM`) of a date, as [`WriteOp::TouchMonth`] and aggregates use it.
pub fn month_key(date: NaiveDate) -> String {
    tm_core::domain::Month::of(date).to_string()
}

/// The [`WriteOp::TouchMonth`] ops for the months of `dates`, each once.
pub fn month_touches(dates: impl IntoIterator<Item = NaiveDate>) -> Vec<WriteOp> {
    let months: std::collections::BTreeSet<String> = dates.into_iter().map(month_key).collect();
    months.into_iter().map(WriteOp::TouchMonth).collect()
}

/// What [`WriteOp::TouchLog`] changes on the log item `LOG#{fy}`.
#[derive(Clone, Debug, PartialEq)]
pub struct LogTouch {
    pub fiscal_year: String,
    pub bump: bool,
    pub entry_delta: i64,
    pub last_upload: Option<(String, UploadStatus)>,
    /// A new person's document for the year (an upload's text, stored at this key).
    pub document_key: Option<String>,
    pub at: DateTime<Utc>,
}

/// One fiscal year's log: its version (bumped by every change of its entries), entry
/// count and last ingest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogState {
    pub fiscal_year: String,
    #[serde(default)]
    pub version: u64,
    #[serde(default)]
    pub entry_count: i64,
    #[serde(default)]
    pub last_upload_id: Option<String>,
    #[serde(default)]
    pub last_ingest_status: Option<UploadStatus>,
    /// Where the person's document of the year is (the text of their last upload): the
    /// log is that document with the stored entries in it. None: no upload, the log is
    /// rendered canonically.
    #[serde(default)]
    pub document_key: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl LogState {
    pub fn apply(current: Option<LogState>, touch: &LogTouch) -> LogState {
        let mut state = current.unwrap_or(LogState {
            fiscal_year: touch.fiscal_year.clone(),
            version: 0,
            entry_count: 0,
            last_upload_id: None,
            last_ingest_status: None,
            document_key: None,
            updated_at: touch.at,
        });
        if touch.bump {
            state.version += 1;
        }
        state.entry_count += touch.entry_delta;
        if let Some((id, status)) = &touch.last_upload {
            state.last_upload_id = Some(id.clone());
            state.last_ingest_status = Some(*status);
        }
        if let Some(key) = &touch.document_key {
            state.document_key = Some(key.clone());
        }
        state.updated_at = touch.at;
        state
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum UploadStatus {
    /// Waiting for the file (presigned upload) or for ingest.
    Pending,
    Applied,
    /// The file has errors; nothing changed.
    Rejected,
    /// `baseVersion` was stale; nothing changed.
    Conflict,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum UploadKind {
    Log,
    Project,
}

/// What an ingest changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IngestSummary {
    pub unchanged: usize,
    pub updated: usize,
    pub inserted: usize,
    pub deleted: usize,
}

/// An upload and its ingest report (`GET /v1/uploads/{id}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadRecord {
    pub id: String,
    pub kind: UploadKind,
    pub file_name: String,
    /// The object key under the user's uploads (`uploads/{id}/{file}`).
    pub key: String,
    /// For logs: the fiscal year the file name names.
    #[schema(required = true)]
    pub fiscal_year: Option<String>,
    /// For projects: the project name the file name names.
    #[schema(required = true)]
    pub project: Option<String>,
    #[schema(required = true)]
    pub base_version: Option<u64>,
    /// The person allows this upload to delete more than half of the year's entries.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_deletes: bool,
    pub status: UploadStatus,
    #[serde(default)]
    #[schema(required = true)]
    pub diagnostics: Vec<tm_core::domain::Diagnostic>,
    #[schema(required = true)]
    pub summary: Option<IngestSummary>,
    /// The log version after the ingest (logs only).
    #[schema(required = true)]
    pub log_version: Option<u64>,
    /// The stored object version ingested, so a redelivered event is recognised.
    #[schema(required = true)]
    pub source_version: Option<String>,
    #[schema(required = true)]
    pub message: Option<String>,
    pub created_at: DateTime<Utc>,
    #[schema(required = true)]
    pub expires_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub finished_at: Option<DateTime<Utc>>,
}

/// What a write is validated against.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub version: u64,
    pub entries: Vec<StoredEntry>,
    pub timer: Option<StoredEntry>,
    /// An ingest being applied in steps (DynamoDB, large files): its upload id.
    pub ingesting: Option<String>,
    /// What a commit of a write validated against this snapshot checks.
    pub guard: Guard,
}

/// What a commit checks still holds since its snapshot was read.
#[derive(Clone, Debug, PartialEq)]
pub enum Guard {
    /// Nothing of the user's changed: their version is still this.
    Version(u64),
    /// Nothing changed on the days `from..=to` (each day's stamp as read, `None` for a
    /// day never written), no timer runs outside them, and no large ingest is being
    /// applied. What [`super::EntryStore::nearby`] reads on DynamoDB: one Query.
    Days { from: NaiveDate, to: NaiveDate, stamps: Vec<(NaiveDate, Option<String>)> },
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct EntryQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Case-insensitive project name.
    pub project: Option<String>,
    /// A normalised tag.
    pub tag: Option<String>,
    /// Only entries whose `updated_at` is at or after this instant: a client polling
    /// for changes passes the newest `updatedAt` it saw, and sees that entry again
    /// rather than miss another one written in the same instant.
    pub updated_since: Option<DateTime<Utc>>,
    pub limit: usize,
    /// Opaque: from a previous page's `next_cursor`.
    pub cursor: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EntryPage {
    pub entries: Vec<StoredEntry>,
    pub next_cursor: Option<String>,
}

/// Opaque cursors: the last sort key, base64url-encoded so clients do not build them.
pub mod cursor {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    pub fn encode(sort_key: &str) -> String {
        URL_SAFE_NO_PAD.encode(sort_key)
    }

    /// `None` for anything that is not a cursor we issued: it must be an entry sort key
    /// `E#{date}T{HH:MM}#{id}` with a real date, time and id, so a crafted cursor can
    /// neither leave the entry range nor make the store do unbounded work. (Any calendar
    /// date: an entry stored before dates were limited to 1900–2999 still pages.)
    pub fn decode(cursor: &str) -> Option<String> {
        if cursor.len() > 400 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
        let key = String::from_utf8(bytes).ok()?;
        let rest = key.strip_prefix("E#")?;
        let (date, rest) = rest.split_once('T')?;
        let (time, id) = rest.split_once('#')?;
        (date.len() == 10).then_some(())?;
        chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
        tm_core::domain::ClockTime::parse(time).ok()?;
        tm_core::domain::ids::is_valid_id(id).then_some(key)
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn only_well_formed_entry_keys_are_cursors() {
            let good = super::encode("E#2025-07-29T09:00#3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b");
            assert!(super::decode(&good).is_some());
            assert!(super::decode(&super::encode("E#0000-01-01T09:00#x")).is_some(), "an old entry still pages");
            for bad in ["E#", "E#2025-02-30T09:00#x", "E#2025-07-29T25:00#x", "E#2025-07-29T09:00#a#b", "TIMER"] {
                assert_eq!(super::decode(&super::encode(bad)), None, "{bad}");
            }
            assert_eq!(super::decode("!!!"), None);
        }
    }
}
