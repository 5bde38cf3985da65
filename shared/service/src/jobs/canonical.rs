//! Published logs (docs/rules.md §10): after every change of a fiscal year's entries, the year's
//! log — the person's document (their last upload, `logs/time-log-{fy}/source-{id}.md`)
//! holding the year's entries, see [`tm_core::markdown::document`] — is rendered and
//! stored as an immutable object per log version, `logs/time-log-{fy}/v{version:08}.md`,
//! so every published version stays retrievable.
//!
//! Concurrent writers: the log item's version moves in the same transaction as the
//! entries. A publisher reads the version, the year's entries, and the version again;
//! only when both reads agree does it render, and it stores the text under that
//! version's own key. Two writers can therefore never store different text under one
//! version, and a slower writer cannot overwrite a newer log with an older one. A
//! version whose publisher lost the race (a newer write landed first) is published by
//! the newer writer's render, and a reader that finds the current version unpublished
//! (e.g. a function that stopped after its commit) renders it on the spot, without
//! storing it (read routes never write).

use crate::context::AppContext;
use crate::store::objects::ObjectVersion;
use crate::store::{LogState, Owner, StoreError};
use chrono::Days;
use tm_core::domain::calendar::FiscalYear;
use tm_core::domain::entry::Entry;
use tm_core::markdown::document::render_document;

pub const MARKDOWN: &str = "text/markdown; charset=utf-8";

/// The object key of one version of a fiscal year's canonical log.
pub fn log_version_key(fiscal_year: &str, version: u64) -> String {
    format!("{}v{version:08}.md", log_versions_prefix(fiscal_year))
}

pub fn log_versions_prefix(fiscal_year: &str) -> String {
    format!("logs/time-log-{fiscal_year}/")
}

/// The version a stored key names.
pub fn version_of_key(key: &str) -> Option<u64> {
    key.rsplit('/').next()?.strip_prefix('v')?.strip_suffix(".md")?.parse().ok()
}

/// A year read consistently: its log state and entries (the version did not move while
/// the entries were read).
pub struct Year {
    pub state: Option<LogState>,
    pub entries: Vec<Entry>,
}

impl Year {
    pub fn version(&self) -> u64 {
        self.state.as_ref().map_or(0, |s| s.version)
    }
}

/// The year's entries and log state, read consistently; `None` after repeated
/// interference.
pub async fn consistent_year(
    ctx: &AppContext,
    owner: &Owner,
    fiscal_year: &FiscalYear,
) -> Result<Option<Year>, StoreError> {
    let label = fiscal_year.label();
    for _ in 0..8 {
        let before = ctx.store.log_state(owner, &label).await?.map_or(0, |s| s.version);
        let snapshot = ctx.store.snapshot(owner, fiscal_year.start(), fiscal_year.end()).await?;
        let after = ctx.store.log_state(owner, &label).await?;
        if before == after.as_ref().map_or(0, |s| s.version) && snapshot.ingesting.is_none() {
            return Ok(Some(Year { state: after, entries: snapshot.entries.into_iter().map(|s| s.entry).collect() }));
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    Ok(None)
}

/// The object key of the person's own file of a project (its unknown frontmatter keys
/// and its body are kept, see `render_project_file_over`).
pub fn project_file_key(name: &str) -> String {
    format!("project-files/{}.md", tm_core::domain::names::project_key(name))
}

/// The person's file of a project, if they uploaded one.
pub async fn project_file(ctx: &AppContext, owner: &Owner, name: &str) -> Result<Option<String>, StoreError> {
    Ok(ctx.objects.get_object(owner, &project_file_key(name), None).await?.and_then(|b| String::from_utf8(b).ok()))
}

/// The object key where an upload's text is kept as the year's document.
pub fn document_key(fiscal_year: &str, upload_id: &str) -> String {
    format!("{}source-{upload_id}.md", log_versions_prefix(fiscal_year))
}

/// The person's document of a year (their last upload's text), empty when there is
/// none: the log is then rendered canonically.
pub async fn person_document(ctx: &AppContext, owner: &Owner, state: Option<&LogState>) -> Result<String, StoreError> {
    let Some(key) = state.and_then(|s| s.document_key.as_deref()) else { return Ok(String::new()) };
    match ctx.objects.get_object(owner, key, None).await? {
        Some(bytes) => {
            Ok(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
        }
        None => {
            tracing::error!(key, "the year's document is missing; the log is rendered from its entries alone");
            Ok(String::new())
        }
    }
}

/// The year's log as the person's document holding the year's entries.
pub async fn render_year(
    ctx: &AppContext,
    owner: &Owner,
    fiscal_year: &FiscalYear,
    year: &Year,
) -> Result<String, StoreError> {
    let base = person_document(ctx, owner, year.state.as_ref()).await?;
    Ok(render_document(&base, &fiscal_year.label(), &year.entries))
}

/// Renders the current version of the year's log without storing it (what a reader
/// gets when the version is not published yet: read routes never write).
pub async fn render_current(
    ctx: &AppContext,
    owner: &Owner,
    fiscal_year: &FiscalYear,
) -> Result<Option<(u64, String)>, StoreError> {
    let Some(year) = consistent_year(ctx, owner, fiscal_year).await? else { return Ok(None) };
    Ok(Some((year.version(), render_year(ctx, owner, fiscal_year, &year).await?)))
}

/// Renders and stores the current version of the year's log; returns the version and
/// text published (`None` when concurrent writes kept moving it: the next write
/// publishes, and a reader renders it meanwhile).
pub async fn publish_log(
    ctx: &AppContext,
    owner: &Owner,
    fiscal_year: &FiscalYear,
) -> Result<Option<(u64, String)>, StoreError> {
    let Some((version, text)) = render_current(ctx, owner, fiscal_year).await? else { return Ok(None) };
    if version > 0 {
        ctx.objects
            .put_object(owner, &log_version_key(&fiscal_year.label(), version), text.clone().into_bytes(), MARKDOWN)
            .await?;
    }
    Ok(Some((version, text)))
}

/// Publishes every year in `years` (deduplicated), logging rather than failing: the
/// entries are committed already, and a reader repairs a missing version. Inline, not
/// in the background: a Lambda is frozen once it has answered.
pub async fn publish_after_write(ctx: &AppContext, owner: &Owner, years: &[FiscalYear]) {
    let mut done: Vec<String> = Vec::new();
    for year in years {
        if done.contains(&year.label()) {
            continue;
        }
        done.push(year.label());
        if let Err(e) = publish_log(ctx, owner, year).await {
            tracing::warn!(error = %e, fiscal_year = %year.label(), "canonical log not published; a read will render it");
        }
    }
}

/// The text of one published version of a year's log, `None` if it is not published.
/// The key is listed first: without `s3:ListBucket` on a missing key S3 answers 403,
/// not 404, and a reader's credentials list only under the logs prefix.
pub async fn published_log(
    ctx: &AppContext,
    owner: &Owner,
    fiscal_year: &str,
    version: u64,
) -> Result<Option<Vec<u8>>, StoreError> {
    let key = log_version_key(fiscal_year, version);
    if !ctx.objects.list_objects(owner, &key).await?.iter().any(|o| o.key == key) {
        return Ok(None);
    }
    ctx.objects.get_object(owner, &key, None).await
}

/// The stored versions of a year's log, newest first.
pub async fn log_versions(
    ctx: &AppContext,
    owner: &Owner,
    fiscal_year: &str,
) -> Result<Vec<(u64, ObjectVersion)>, StoreError> {
    let mut versions: Vec<(u64, ObjectVersion)> = ctx
        .objects
        .list_objects(owner, &log_versions_prefix(fiscal_year))
        .await?
        .into_iter()
        .filter_map(|o| Some((version_of_key(&o.key)?, o)))
        .collect();
    versions.sort_by_key(|(v, _)| std::cmp::Reverse(*v));
    Ok(versions)
}

/// The first day before a year whose entries can reach into it (midnight crossing).
pub fn day_before(fiscal_year: &FiscalYear) -> chrono::NaiveDate {
    fiscal_year.start().checked_sub_days(Days::new(1)).unwrap_or(fiscal_year.start())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_keys_sort_and_parse_back() {
        assert_eq!(log_version_key("2025-2026", 7), "logs/time-log-2025-2026/v00000007.md");
        assert_eq!(version_of_key("logs/time-log-2025-2026/v00000007.md"), Some(7));
        assert_eq!(version_of_key("logs/time-log-2025-2026/notes.md"), None);
        assert!(log_version_key("2025-2026", 9) < log_version_key("2025-2026", 10));
    }
}
