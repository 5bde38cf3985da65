//! What the changes feed costs on the embedded store (docs/live.md, docs/benchmarks.md):
//! `cargo run --release -p tm-embedded --example feed_bench [CHANGES]` (default 10000).
//! Commits one entry each (the change item is written in the same transaction), then
//! reads the whole feed in pages of 1000 and replays it, then reads the last change only
//! (what a live connection does after each write), and a person's whole view
//! (`feed::visible_changes`: their feed, the tenant's, the shared projects).

use chrono::{DateTime, NaiveDate};
use std::collections::HashMap;
use std::time::Instant;
use tm_core::domain::{ClockTime, Entry};
use tm_embedded::EmbeddedStore;
use tm_service::store::changes::{Change, ChangeStore};
use tm_service::store::{EntryStore, Owner, StoredEntry, WriteOp};

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
    let n: usize = std::env::args().nth(1).map(|a| a.parse().expect("a number of changes")).unwrap_or(10_000);
    let dir = std::env::temp_dir().join(format!("tm-feed-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = EmbeddedStore::open(&dir).unwrap();
    let me = Owner::new("bench", "feed").unwrap();

    let started = Instant::now();
    for i in 0..n {
        store
            .commit(
                &me,
                i as u64,
                vec![WriteOp::PutEntryAt { stored: entry(i), previous_sort_key: None, previous_project: None }],
            )
            .await
            .unwrap();
    }
    let writes = started.elapsed();

    let started = Instant::now();
    let (mut cursor, mut replica, mut pages) = (None, HashMap::new(), 0);
    loop {
        let page = store.changes(&me, cursor.as_deref(), 1000).await.unwrap();
        pages += 1;
        for c in page.changes {
            if let Change::EntrySaved { entry, .. } = c.record.change {
                replica.insert(entry.id.clone(), entry);
            }
        }
        cursor = page.cursor;
        if !page.has_more {
            break;
        }
    }
    let replay = started.elapsed();
    assert_eq!(replica.len(), n);

    // A live connection after one more write: the changes after its cursor.
    store
        .commit(
            &me,
            n as u64,
            vec![WriteOp::PutEntryAt { stored: entry(n), previous_sort_key: None, previous_project: None }],
        )
        .await
        .unwrap();
    let started = Instant::now();
    let rounds = 1000;
    for _ in 0..rounds {
        let page = store.changes(&me, cursor.as_deref(), 100).await.unwrap();
        assert_eq!(page.changes.len(), 1);
    }
    let tail = started.elapsed() / rounds;
    // What a live connection or webhook reads: the person's whole view (their own feed,
    // the tenant's, the tenant's shared projects), after a write to each feed.
    let ctx = store.context();
    let person = tm_service::store::DirectoryEntry::new(&me, DateTime::from_timestamp(1_600_000_000, 0).unwrap());
    assert!(tm_service::store::team::save_person(&store, &person, None).await.unwrap());
    let reader = tm_service::feed::Reader::person(&me, false, Some(&person));
    let mut view = tm_service::feed::FeedCursor { own: cursor.clone(), ..Default::default() };
    view.tenant = Some("00000000000000000000".into());
    let started = Instant::now();
    for _ in 0..rounds {
        let page = tm_service::feed::visible_changes(&ctx, reader, &view, 100).await.unwrap();
        assert_eq!(page.changes.len(), 2, "the entry and the person joining");
    }
    let whole = started.elapsed() / rounds;
    let size = std::fs::metadata(dir.join("temporal-mark.redb")).map(|m| m.len()).unwrap_or(0);
    println!(
        "{n} single-entry commits (each with its change item): {:.2?} ({:.0} commits/s, one fsync each)",
        writes,
        n as f64 / writes.as_secs_f64()
    );
    println!(
        "replaying the feed from the start: {:.2?} in {pages} pages of 1000 ({:.0} changes/s)",
        replay,
        n as f64 / replay.as_secs_f64()
    );
    println!("reading the one new change after a cursor: {:.1?} per read", tail);
    println!("a person's whole view after a write to their feed and one to the tenant's: {:.1?} per read", whole);
    println!("store file: {:.1} MiB", size as f64 / 1048576.0);
    let _ = std::fs::remove_dir_all(&dir);
}
