//! Versioned, resumable upgrades of a store file in place.
//!
//! The file records its schema version in the item `META`/`SCHEMA`. Opening a file
//! runs every step above that version, in order. A step that touches many items works
//! in batches, and each batch commits together with the key it reached, so a step
//! stopped half way (a crash, `kill -9`) resumes where it stopped and never rewrites an
//! item twice or loses one. Files written before versioning began are version 0.
//! Readers understand every format a step converts from, so nothing depends on a step
//! having finished. A file of a newer version than this build knows is refused, not
//! guessed at.

use crate::records::{decode_entry, encode_entry, is_legacy_entry};
use crate::{ITEMS, decode, encode, fail};
use redb::{Database, ReadableTable};
use serde::{Deserialize, Serialize};
use tm_service::store::StoreError;

const META: &str = "META";
const SCHEMA: &str = "SCHEMA";

/// The schema this build writes.
pub const SCHEMA_VERSION: u32 = 2;

/// Items rewritten per commit: a few milliseconds of work each.
pub const BATCH: usize = 1000;

/// The recorded state of the file's schema.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schema {
    /// Every step up to this version has finished.
    pub version: u32,
    /// The step after `version` has converted everything before this key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_after: Option<(String, String)>,
}

/// What a run of the migrations did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Migrated {
    pub from: u32,
    pub to: u32,
    /// Items rewritten by this run.
    pub rewritten: usize,
    /// False when the run stopped at its batch limit before the last step finished.
    pub finished: bool,
}

fn read_schema(db: &Database) -> Result<Schema, StoreError> {
    use redb::ReadableDatabase;
    let txn = db.begin_read().map_err(fail)?;
    let table = txn.open_table(ITEMS).map_err(fail)?;
    table.get((META, SCHEMA)).map_err(fail)?.map(|v| decode(v.value())).transpose().map(Option::unwrap_or_default)
}

/// Runs the steps after the file's version, `batch` items per commit, stopping after
/// `max_batches` commits when given (how the tests interrupt a migration).
pub fn run(db: &Database, batch: usize, max_batches: Option<usize>) -> Result<Migrated, StoreError> {
    let mut schema = read_schema(db)?;
    if schema.version > SCHEMA_VERSION {
        return Err(StoreError::unavailable(
            "the store file",
            format!(
                "it was written by a newer Temporal Mark (schema {}; this build knows up to {SCHEMA_VERSION}); \
                 run the newer tm-local, or restore a backup of the data folder",
                schema.version
            ),
        ));
    }
    let mut report = Migrated { from: schema.version, to: schema.version, rewritten: 0, finished: true };
    let mut batches = 0;
    while schema.version < SCHEMA_VERSION {
        if max_batches.is_some_and(|max| batches >= max) {
            report.finished = false;
            break;
        }
        batches += 1;
        let txn = db.begin_write().map_err(fail)?;
        {
            let mut items = txn.open_table(ITEMS).map_err(fail)?;
            let next = schema.version + 1;
            let reached = match next {
                1 => {
                    move_legacy_directory(&txn, &mut items)?;
                    None
                }
                2 => compact_entries(&mut items, schema.resume_after.as_ref(), batch, &mut report.rewritten)?,
                _ => unreachable!("a step for every version up to SCHEMA_VERSION"),
            };
            schema = match reached {
                Some(key) => Schema { version: schema.version, resume_after: Some(key) },
                None => Schema { version: next, resume_after: None },
            };
            items.insert((META, SCHEMA), encode(&schema)?.as_slice()).map_err(fail)?;
        }
        txn.commit().map_err(fail)?;
        report.to = schema.version;
    }
    Ok(report)
}

type Items<'t> = redb::Table<'t, (&'static str, &'static str), &'static [u8]>;

/// Step 1: directory entries written before the directory moved into the tenants'
/// partitions are moved to their tenant (`T#{tenant}`/`USER#{user}`), keeping an index
/// row at the old key.
fn move_legacy_directory(txn: &redb::WriteTransaction, items: &mut Items<'_>) -> Result<(), StoreError> {
    use tm_service::store::team::{DirectoryEntry, LEGACY_DIRECTORY_PARTITION as OLD};
    let mut index = txn.open_table(crate::INDEX).map_err(fail)?;
    let mut legacy: Vec<(String, Vec<u8>)> = Vec::new();
    for item in items.range((OLD, "")..=(OLD, "\u{10FFFF}")).map_err(fail)? {
        let (key, value) = item.map_err(fail)?;
        legacy.push((key.value().1.to_owned(), value.value().to_vec()));
    }
    for (sk, bytes) in legacy {
        let entry: DirectoryEntry = decode(&bytes)?;
        let (pk, user_sk) = (crate::tenant_partition(&entry.tenant), format!("USER#{}", entry.user));
        if items.get((pk.as_str(), user_sk.as_str())).map_err(fail)?.is_none() {
            items.insert((pk.as_str(), user_sk.as_str()), bytes.as_slice()).map_err(fail)?;
        }
        index.insert((OLD, sk.as_str()), encode(&(pk, user_sk))?.as_slice()).map_err(fail)?;
        items.remove((OLD, sk.as_str())).map_err(fail)?;
    }
    Ok(())
}

/// Step 2: entry items in the first (JSON) format are rewritten compact, in key order,
/// `batch` items looked at per commit. Returns the last key looked at, or `None` when
/// every item has been.
fn compact_entries(
    items: &mut Items<'_>,
    after: Option<&(String, String)>,
    batch: usize,
    rewritten: &mut usize,
) -> Result<Option<(String, String)>, StoreError> {
    let mut legacy: Vec<(String, String, Vec<u8>)> = Vec::new();
    let mut last: Option<(String, String)> = None;
    let mut seen = 0;
    {
        let range = match after {
            Some((pk, sk)) => items.range::<(&str, &str)>((
                std::ops::Bound::Excluded((pk.as_str(), sk.as_str())),
                std::ops::Bound::Unbounded,
            )),
            None => items.range::<(&str, &str)>(..),
        }
        .map_err(fail)?;
        for item in range {
            let (key, value) = item.map_err(fail)?;
            let (pk, sk) = key.value();
            if sk.starts_with("E#") && is_legacy_entry(value.value()) {
                legacy.push((pk.to_owned(), sk.to_owned(), value.value().to_vec()));
            }
            seen += 1;
            if seen == batch.max(1) {
                last = Some((pk.to_owned(), sk.to_owned()));
                break;
            }
        }
    }
    for (pk, sk, bytes) in legacy {
        let compact = encode_entry(&decode_entry(&bytes)?)?;
        items.insert((pk.as_str(), sk.as_str()), compact.as_slice()).map_err(fail)?;
        *rewritten += 1;
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EmbeddedStore;
    use crate::records::legacy_entry_bytes;
    use chrono::{DateTime, NaiveDate};
    use redb::ReadableDatabase;
    use tm_core::domain::{ClockTime, Entry};
    use tm_service::store::{EntryStore, Owner, StoredEntry, WriteOp};

    fn folder(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("tm-migrate-{name}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn entry(i: usize) -> StoredEntry {
        StoredEntry {
            id: format!("e{i:05}"),
            entry: Entry {
                date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new((i / 10) as u64),
                start: ClockTime::from_minutes((i % 10 * 60) as u32).unwrap(),
                end: ClockTime::from_minutes((i % 10 * 60 + 45) as u32),
                task: format!("Task {i}"),
                project: "P".into(),
                tags: vec!["t".into()],
                notes: vec![format!("  - note {i}")],
            },
            created_at: DateTime::from_timestamp_micros(1_767_225_600_000_000 + i as i64).unwrap(),
            updated_at: DateTime::from_timestamp_micros(1_767_225_600_000_000 + i as i64).unwrap(),
        }
    }

    /// The entry items of the file: (first format, total).
    fn formats(dir: &std::path::Path) -> (usize, usize) {
        let db = Database::create(dir.join("temporal-mark.redb")).unwrap();
        let txn = db.begin_read().unwrap();
        let table = txn.open_table(ITEMS).unwrap();
        let mut counts = (0, 0);
        for item in table.range::<(&str, &str)>(..).unwrap() {
            let (key, value) = item.unwrap();
            if key.value().1.starts_with("E#") {
                counts.0 += usize::from(is_legacy_entry(value.value()));
                counts.1 += 1;
            }
        }
        counts
    }

    /// Writes `n` entries for each of two users with today's code, then puts the file
    /// back the way the code before issue 14 left it: JSON entry records, no schema item.
    async fn folder_of_the_first_format(name: &str, n: usize) -> (std::path::PathBuf, Vec<(Owner, StoredEntry)>) {
        let dir = folder(name);
        let mut written = Vec::new();
        {
            let store = EmbeddedStore::open(&dir).unwrap();
            for user in ["ada", "grace"] {
                let owner = Owner::new("acme", user).unwrap();
                let entries: Vec<StoredEntry> = (0..n).map(entry).collect();
                let ops = entries.iter().cloned().map(WriteOp::PutEntry).collect();
                store.commit(&owner, 0, ops).await.unwrap();
                written.extend(entries.into_iter().map(|e| (owner.clone(), e)));
            }
        }
        let db = Database::create(dir.join("temporal-mark.redb")).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut table = txn.open_table(ITEMS).unwrap();
            let mut items = Vec::new();
            for item in table.range::<(&str, &str)>(..).unwrap() {
                let (key, value) = item.unwrap();
                let (pk, sk) = key.value();
                if sk.starts_with("E#") {
                    items.push((pk.to_owned(), sk.to_owned(), decode_entry(value.value()).unwrap()));
                }
            }
            for (pk, sk, stored) in items {
                table.insert((pk.as_str(), sk.as_str()), legacy_entry_bytes(&stored).as_slice()).unwrap();
            }
            table.remove((META, SCHEMA)).unwrap();
        }
        txn.commit().unwrap();
        (dir, written)
    }

    async fn assert_reads_back(dir: &std::path::Path, written: &[(Owner, StoredEntry)]) {
        let store = EmbeddedStore::open(dir).unwrap();
        for (owner, stored) in written {
            assert_eq!(store.entry(owner, &stored.id).await.unwrap().as_ref(), Some(stored));
        }
    }

    #[tokio::test]
    async fn opening_a_file_of_the_first_format_upgrades_every_entry_in_place() {
        let (dir, written) = folder_of_the_first_format("whole", 1500).await;
        assert_eq!(formats(&dir), (3000, 3000));
        {
            let store = EmbeddedStore::open(&dir).unwrap();
            assert_eq!(store.upgraded(), &Migrated { from: 0, to: SCHEMA_VERSION, rewritten: 3000, finished: true });
        }
        assert_eq!(formats(&dir), (0, 3000));
        assert_reads_back(&dir, &written).await;
        // Once: the next open finds nothing to do.
        let store = EmbeddedStore::open(&dir).unwrap();
        assert_eq!(
            store.upgraded(),
            &Migrated { from: SCHEMA_VERSION, to: SCHEMA_VERSION, rewritten: 0, finished: true }
        );
    }

    #[tokio::test]
    async fn a_migration_stopped_half_way_resumes_where_it_stopped() {
        let (dir, written) = folder_of_the_first_format("resume", 700).await;
        let path = dir.join("temporal-mark.redb");
        // Step 1, then two batches of 500 items of step 2; then stopped (the file is
        // closed as by a crash between commits).
        let first = run(&Database::create(&path).unwrap(), 500, Some(3)).unwrap();
        assert_eq!((first.from, first.to, first.finished), (0, 1, false));
        let (legacy, total) = formats(&dir);
        assert_eq!(total, 1400);
        assert_eq!(first.rewritten, total - legacy, "what it rewrote is what is compact now");
        assert!(legacy > 0 && first.rewritten > 0);
        // Half-upgraded, everything reads.
        {
            let db = Database::create(&path).unwrap();
            let schema = read_schema(&db).unwrap();
            assert_eq!(schema.version, 1);
            assert!(schema.resume_after.is_some());
        }
        let second = run(&Database::create(&path).unwrap(), 500, None).unwrap();
        assert_eq!((second.from, second.to, second.finished), (1, SCHEMA_VERSION, true));
        assert_eq!(first.rewritten + second.rewritten, 1400, "each item rewritten exactly once");
        assert_eq!(formats(&dir), (0, 1400));
        assert_reads_back(&dir, &written).await;
    }

    #[tokio::test]
    async fn a_file_of_a_newer_schema_is_refused_with_a_way_out() {
        let dir = folder("newer");
        drop(EmbeddedStore::open(&dir).unwrap());
        {
            let db = Database::create(dir.join("temporal-mark.redb")).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(ITEMS)
                .unwrap()
                .insert(
                    (META, SCHEMA),
                    encode(&Schema { version: SCHEMA_VERSION + 1, resume_after: None }).unwrap().as_slice(),
                )
                .unwrap();
            txn.commit().unwrap();
        }
        let Err(refused) = EmbeddedStore::open(&dir) else { panic!("a newer file must not open") };
        let message = refused.to_string();
        assert!(message.contains("newer Temporal Mark") && message.contains("backup"), "{message}");
    }
}
