//! How an entry item is encoded in the store file.
//!
//! Entries are the one item read in bulk (a report reads a year of them), so they are
//! kept compact: numbers where the first format (JSON, before issue 14) kept text that
//! every read parsed again — the day as days since 0001-01-01, clock times in minutes
//! since midnight, timestamps in microseconds since the Unix epoch — encoded with
//! postcard behind a one-byte format tag. JSON records still read (they begin with `{`),
//! so a store file is readable before, during and after its migration
//! ([`crate::migrate`]).

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tm_core::domain::{ClockTime, Entry};
use tm_service::store::model::EntryRecord;
use tm_service::store::{StoreError, StoredEntry};

/// The first byte of a compact entry record. A JSON record begins with `{` (0x7B).
const COMPACT: u8 = 0x02;
const JSON: u8 = b'{';

/// The compact record. postcard encodes fields in order, without names: never reorder
/// them; a new field needs a new format tag.
#[derive(Serialize, Deserialize)]
struct CompactEntry<'a> {
    #[serde(borrow)]
    id: &'a str,
    day: i32,
    start: u16,
    end: Option<u16>,
    task: &'a str,
    project: &'a str,
    tags: Vec<&'a str>,
    notes: Vec<&'a str>,
    created_us: i64,
    updated_us: i64,
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt("entry item", e.to_string())
}

fn micros(at: &DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

fn from_micros(us: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(us).ok_or_else(|| corrupt(format!("timestamp {us} µs is out of range")))
}

/// The bytes of an entry item.
pub fn encode_entry(stored: &StoredEntry) -> Result<Vec<u8>, StoreError> {
    let e = &stored.entry;
    let record = CompactEntry {
        id: &stored.id,
        day: e.date.num_days_from_ce(),
        start: e.start.minutes_since_midnight() as u16,
        end: e.end.map(|t| t.minutes_since_midnight() as u16),
        task: &e.task,
        project: &e.project,
        tags: e.tags.iter().map(String::as_str).collect(),
        notes: e.notes.iter().map(String::as_str).collect(),
        created_us: micros(&stored.created_at),
        updated_us: micros(&stored.updated_at),
    };
    let mut bytes = Vec::with_capacity(64 + e.task.len() + e.project.len());
    bytes.push(COMPACT);
    postcard::to_io(&record, &mut bytes).map_err(|e| StoreError::misuse(format!("encoding an entry: {e}")))?;
    Ok(bytes)
}

/// An entry item in either format.
pub fn decode_entry(bytes: &[u8]) -> Result<StoredEntry, StoreError> {
    match bytes.first() {
        Some(&COMPACT) => {
            let r: CompactEntry<'_> = postcard::from_bytes(&bytes[1..]).map_err(corrupt)?;
            let clock = |m: u16| ClockTime::from_minutes(u32::from(m)).ok_or_else(|| corrupt(format!("minute {m}")));
            Ok(StoredEntry {
                id: r.id.to_owned(),
                entry: Entry {
                    date: NaiveDate::from_num_days_from_ce_opt(r.day)
                        .ok_or_else(|| corrupt(format!("day {}", r.day)))?,
                    start: clock(r.start)?,
                    end: r.end.map(clock).transpose()?,
                    task: r.task.to_owned(),
                    project: r.project.to_owned(),
                    tags: r.tags.into_iter().map(str::to_owned).collect(),
                    notes: r.notes.into_iter().map(str::to_owned).collect(),
                },
                created_at: from_micros(r.created_us)?,
                updated_at: from_micros(r.updated_us)?,
            })
        }
        Some(&JSON) => serde_json::from_slice::<EntryRecord>(bytes).map(StoredEntry::from).map_err(corrupt),
        Some(other) => Err(corrupt(format!("unknown record format {other:#04x}"))),
        None => Err(corrupt("empty record")),
    }
}

/// Whether an entry item is still in the first (JSON) format.
pub(crate) fn is_legacy_entry(bytes: &[u8]) -> bool {
    bytes.first() == Some(&JSON)
}

/// The first format, as today's code no longer writes it: for migration tests and tools
/// that must produce a data folder of before issue 14.
#[doc(hidden)]
pub fn legacy_entry_bytes(stored: &StoredEntry) -> Vec<u8> {
    let mut record = serde_json::to_value(EntryRecord::from(stored)).expect("an entry record always serialises");
    // The first format kept chrono's RFC 3339 text.
    record["createdAt"] = serde_json::json!(stored.created_at);
    record["updatedAt"] = serde_json::json!(stored.updated_at);
    serde_json::to_vec(&record).expect("a JSON value always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(notes: Vec<String>, end: Option<ClockTime>) -> StoredEntry {
        StoredEntry {
            id: "0b7f6a7e-8a4e-4c59-9a53-0d6f3b1f0c11".into(),
            entry: Entry {
                date: NaiveDate::from_ymd_opt(2026, 2, 28).unwrap(),
                start: ClockTime::new(23, 45).unwrap(),
                end,
                task: "Review [[Q3 plan]] — ünïcode".into(),
                project: "Platform Ops".into(),
                tags: vec!["review".into(), "ops".into()],
                notes,
            },
            created_at: DateTime::from_timestamp_micros(1_772_236_800_123_456).unwrap(),
            updated_at: DateTime::from_timestamp_micros(1_772_240_400_000_001).unwrap(),
        }
    }

    #[test]
    fn a_compact_record_reads_back_the_entry_it_was_made_of() {
        for stored in [
            sample(vec![], None),
            sample(vec!["  - first".into(), "".into(), "    indented".into()], ClockTime::new(23, 59)),
        ] {
            let bytes = encode_entry(&stored).unwrap();
            assert_eq!(bytes[0], COMPACT);
            assert_eq!(decode_entry(&bytes).unwrap(), stored);
            // Smaller than the JSON record it replaces.
            assert!(bytes.len() * 2 < legacy_entry_bytes(&stored).len(), "{} bytes", bytes.len());
        }
    }

    #[test]
    fn a_record_of_the_first_format_still_reads() {
        let stored = sample(vec!["note".into()], ClockTime::new(23, 50));
        let bytes = legacy_entry_bytes(&stored);
        assert!(is_legacy_entry(&bytes));
        assert_eq!(decode_entry(&bytes).unwrap(), stored);
    }

    #[test]
    fn a_damaged_record_is_an_error_not_a_panic() {
        let bytes = encode_entry(&sample(vec![], None)).unwrap();
        for cut in 0..bytes.len() {
            assert!(decode_entry(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        assert!(decode_entry(&[0x09, 1, 2]).is_err());
        assert!(decode_entry(b"{not json").is_err());
    }
}
