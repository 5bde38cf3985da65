//! How long opening a data folder of the first entry format takes (the upgrade to the
//! compact records, docs/architecture.md): `cargo run --release -p tm-embedded
//! --example migrate_bench [ENTRIES…]` (default 10000 100000).

use chrono::{DateTime, NaiveDate};
use redb::{Database, ReadableTable, TableDefinition};
use std::time::Instant;
use tm_core::domain::{ClockTime, Entry};
use tm_embedded::{EmbeddedStore, decode_entry_record, encode_entry_record, legacy_entry_bytes};
use tm_service::store::{EntryStore, Owner, StoredEntry, WriteOp};

const ITEMS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("items");

fn entry(i: usize) -> StoredEntry {
    StoredEntry {
        id: format!("{i:08}-0000-4000-8000-000000000000"),
        entry: Entry {
            date: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Days::new((i / 12) as u64),
            start: ClockTime::from_minutes((i % 12 * 60 + 360) as u32).unwrap(),
            end: ClockTime::from_minutes((i % 12 * 60 + 405) as u32),
            task: format!("Review of the [[Q{}]] plan with the team", i % 4 + 1),
            project: "Platform Operations".into(),
            tags: vec!["review".into(), "planning".into()],
            notes: if i.is_multiple_of(3) { vec!["  - follow up on the open questions".into()] } else { vec![] },
        },
        created_at: DateTime::from_timestamp_micros(1_700_000_000_000_000 + i as i64).unwrap(),
        updated_at: DateTime::from_timestamp_micros(1_700_000_000_000_000 + i as i64).unwrap(),
    }
}

#[tokio::main]
async fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().expect("a number of entries")).collect();
    let sizes = if sizes.is_empty() { vec![10_000, 100_000] } else { sizes };
    // Decoding alone, the work of every uncached read: the first format against the compact one.
    let entries: Vec<StoredEntry> = (0..10_000).map(entry).collect();
    for (name, records) in [
        ("JSON (first format)", entries.iter().map(legacy_entry_bytes).collect::<Vec<_>>()),
        ("compact", entries.iter().map(|e| encode_entry_record(e).unwrap()).collect()),
    ] {
        let bytes: usize = records.iter().map(Vec::len).sum();
        let mut best = f64::MAX;
        for _ in 0..20 {
            let started = Instant::now();
            for record in &records {
                std::hint::black_box(decode_entry_record(record).unwrap());
            }
            best = best.min(started.elapsed().as_secs_f64());
        }
        println!(
            "decode 10000 {name}: {:.2} ms (best of 20), {:.0} bytes per record",
            best * 1000.0,
            bytes as f64 / 1e4
        );
    }
    for n in sizes {
        let dir = std::env::temp_dir().join(format!("tm-migrate-bench-{n}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let owner = Owner::new("acme", "ada").unwrap();
        {
            let store = EmbeddedStore::open(&dir).unwrap();
            for chunk in (0..n).collect::<Vec<_>>().chunks(5_000) {
                let version = store.snapshot(&owner, NaiveDate::MIN, NaiveDate::MIN).await.unwrap().version;
                let ops = chunk.iter().map(|&i| WriteOp::PutEntry(entry(i))).collect();
                store.commit(&owner, version, ops).await.unwrap();
            }
        }
        // Back to the first format: JSON entry records, no schema item.
        {
            let db = Database::create(dir.join("temporal-mark.redb")).unwrap();
            let txn = db.begin_write().unwrap();
            {
                let mut table = txn.open_table(ITEMS).unwrap();
                let keys: Vec<(String, String)> = table
                    .range::<(&str, &str)>(..)
                    .unwrap()
                    .map(|item| {
                        let (k, _) = item.unwrap();
                        (k.value().0.to_owned(), k.value().1.to_owned())
                    })
                    .filter(|(_, sk)| sk.starts_with("E#"))
                    .collect();
                for (pk, sk) in &keys {
                    let id = sk.rsplit('#').next().unwrap();
                    let index: usize = id[..8].parse().unwrap();
                    table.insert((pk.as_str(), sk.as_str()), legacy_entry_bytes(&entry(index)).as_slice()).unwrap();
                }
                table.remove(("META", "SCHEMA")).unwrap();
            }
            txn.commit().unwrap();
        }
        let bytes_before = std::fs::metadata(dir.join("temporal-mark.redb")).unwrap().len();
        let started = Instant::now();
        let store = EmbeddedStore::open(&dir).unwrap();
        let took = started.elapsed();
        let upgraded = store.upgraded().clone();
        drop(store);
        let bytes_after = std::fs::metadata(dir.join("temporal-mark.redb")).unwrap().len();
        println!(
            "{n} entries: upgraded {} -> {} in {:.0} ms ({} rewritten, {:.0} entries/s); file {:.1} MB -> {:.1} MB",
            upgraded.from,
            upgraded.to,
            took.as_secs_f64() * 1000.0,
            upgraded.rewritten,
            upgraded.rewritten as f64 / took.as_secs_f64(),
            bytes_before as f64 / 1e6,
            bytes_after as f64 / 1e6,
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
