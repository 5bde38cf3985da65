//! Monthly aggregates: one item per user and month (`AGG#{YYYY-MM}`) holding the
//! month's finished entries merged by (project, task, tags) — minutes, count, dates —
//! which is all a fiscal-year report needs of them (not the CSV listing). The monthly
//! scheduled run writes the month just ended; a fiscal-year report then reads at most
//! twelve items instead of every entry of the year.
//!
//! An aggregate records the month's version ([`crate::store::WriteOp::TouchMonth`],
//! bumped in the same transaction as every change of the month's entries) from before
//! its entries were read; it is used only while that version is still current, so an
//! edit of an old month, an upload or a rename makes the report read that month's
//! entries again until the next aggregate. A stale aggregate is never wrong, only unused.

use super::team::{DocCondition, DocStore};
use super::{Owner, StoreError, StoredEntry};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tm_core::domain::Entry;
use tm_core::reports::engine::Merged;

/// The entries of one month with the same project, task and tags.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub project: String,
    pub task: String,
    pub tags: Vec<String>,
    #[serde(flatten)]
    pub merged: Merged,
}

impl Bucket {
    /// An entry standing for the bucket (project, task, tags, first date), for the
    /// report engine; it counts as [`Bucket::merged`].
    pub fn representative(&self) -> Entry {
        let first = self.merged.dates.first().copied().unwrap_or_default();
        Entry {
            date: first,
            start: tm_core::domain::ClockTime::MIDNIGHT,
            // Finished: the engine counts only finished entries; minutes come from `merged`.
            end: Some(tm_core::domain::ClockTime::MIDNIGHT),
            task: self.task.clone(),
            project: self.project.clone(),
            tags: self.tags.clone(),
            notes: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MonthAggregate {
    /// `YYYY-MM`.
    pub month: String,
    /// The month's version the aggregate was built from.
    pub month_version: u64,
    pub buckets: Vec<Bucket>,
}

/// Merges the finished entries (of one month) into buckets, in a stable order.
pub fn buckets_of<'a>(entries: impl IntoIterator<Item = &'a StoredEntry>) -> Vec<Bucket> {
    let mut by_key: BTreeMap<(&str, &str, Vec<String>), Merged> = BTreeMap::new();
    for stored in entries {
        let entry = &stored.entry;
        let Some(minutes) = entry.minutes() else { continue };
        let merged = by_key
            .entry((entry.project.as_str(), entry.task.as_str(), entry.tags.clone()))
            .or_insert(Merged { count: 0, minutes: 0, dates: Vec::new() });
        merged.count += 1;
        merged.minutes += u64::from(minutes);
        if !merged.dates.contains(&entry.date) {
            merged.dates.push(entry.date);
        }
    }
    by_key
        .into_iter()
        .map(|((project, task, tags), mut merged)| {
            merged.dates.sort();
            Bucket { project: project.to_owned(), task: task.to_owned(), tags, merged }
        })
        .collect()
}

fn key(month: &str) -> String {
    format!("AGG#{month}")
}

pub async fn put_month_aggregate(
    store: &(impl DocStore + ?Sized),
    owner: &Owner,
    aggregate: &MonthAggregate,
) -> Result<(), StoreError> {
    let doc = serde_json::to_value(aggregate).expect("aggregates serialise");
    store.put_doc(&owner.partition(), &key(&aggregate.month), &doc, DocCondition::Always).await?;
    Ok(())
}

/// The aggregates of months `first..=last` (`YYYY-MM`) that exist.
pub async fn month_aggregates(
    store: &(impl DocStore + ?Sized),
    owner: &Owner,
    first: &str,
    last: &str,
) -> Result<Vec<MonthAggregate>, StoreError> {
    let (docs, _) = store.query_docs(&owner.partition(), &key(first), &key(last), None, 12).await?;
    let mut out = Vec::with_capacity(docs.len());
    for (_, doc) in docs {
        out.push(serde_json::from_value(doc).map_err(|e| StoreError::corrupt("aggregate", e))?);
    }
    Ok(out)
}
