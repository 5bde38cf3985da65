//! Published logs (docs/rules.md §10): after a change of a fiscal year's entries, the year's
//! log — the person's document (their last upload, `logs/time-log-{fy}/source-{id}.md`)
//! holding the year's entries, see [`tm_core::markdown::document`] — is rendered and
//! published under its log version, so every published version stays retrievable.
//!
//! Off the request path: an entry write commits and answers; the publisher (see
//! [`crate::context::Publishing`]) renders once for a burst of writes, so versions are
//! kept per publish, not per write. A version is stored as a line patch against the
//! previous published one (`v{version:08}.patch`, see [`super::patch`]), with a full
//! copy (`v{version:08}.md`) first and then every [`FULL_EVERY`] versions or when the
//! change is most of the text; publishing costs what changed, not the year.
//!
//! Concurrent writers: the log item's version moves in the same transaction as the
//! entries. A publisher reads the version, the year's entries, and the version again;
//! only when both reads agree does it render, and it stores the text under that
//! version's own key. Two publishers can therefore never store different text under one
//! version, and a slower one cannot overwrite a newer log with an older one. A reader
//! that finds the current version unpublished (the publisher has not run yet, or a
//! function stopped after its commit) renders it on the spot, without storing it (read
//! routes never write).

use crate::context::{AppContext, Publishing};
use crate::store::objects::ObjectVersion;
use crate::store::{LogState, Owner, StoreError};
use chrono::Days;
use tm_core::domain::calendar::FiscalYear;
use tm_core::domain::entry::Entry;
use tm_core::markdown::document::render_document;

pub const MARKDOWN: &str = "text/markdown; charset=utf-8";
const PATCH: &str = "text/plain; charset=utf-8";

/// How many versions at most are stored as patches after a full copy.
pub const FULL_EVERY: usize = 32;

/// How a published version is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    Full,
    Patch,
}

/// The object key of one version of a fiscal year's canonical log, stored in full.
pub fn log_version_key(fiscal_year: &str, version: u64) -> String {
    format!("{}v{version:08}.md", log_versions_prefix(fiscal_year))
}

/// The object key of one version stored as a patch against an earlier one.
pub fn log_patch_key(fiscal_year: &str, version: u64) -> String {
    format!("{}v{version:08}.patch", log_versions_prefix(fiscal_year))
}

pub fn log_versions_prefix(fiscal_year: &str) -> String {
    format!("logs/time-log-{fiscal_year}/")
}

/// The version a stored key names, and how it is stored.
pub fn version_of_key(key: &str) -> Option<(u64, Stored)> {
    let name = key.rsplit('/').next()?.strip_prefix('v')?;
    let (number, stored) = match name.strip_suffix(".md") {
        Some(n) => (n, Stored::Full),
        None => (name.strip_suffix(".patch")?, Stored::Patch),
    };
    Some((number.parse().ok()?, stored))
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

/// Renders and stores the current version of the year's log (nothing when it is
/// published already); returns the version and text (`None` when concurrent writes kept
/// moving it: the next publish stores it, and a reader renders it meanwhile).
pub async fn publish_log(
    ctx: &AppContext,
    owner: &Owner,
    fiscal_year: &FiscalYear,
) -> Result<Option<(u64, String)>, StoreError> {
    Ok(publish_log_after(ctx, owner, fiscal_year, None).await?.map(|p| (p.version, p.text)))
}

/// A version a publisher stored, kept so that the next publish of the year diffs
/// against it without reading it back.
#[derive(Clone, Debug)]
pub struct Published {
    pub version: u64,
    pub text: String,
    /// Patches since the last full copy.
    chain: usize,
}

/// [`publish_log`], given what this publisher stored last for the year.
pub async fn publish_log_after(
    ctx: &AppContext,
    owner: &Owner,
    fiscal_year: &FiscalYear,
    last: Option<Published>,
) -> Result<Option<Published>, StoreError> {
    let Some((version, text)) = render_current(ctx, owner, fiscal_year).await? else { return Ok(None) };
    if version == 0 {
        return Ok(Some(Published { version, text, chain: FULL_EVERY }));
    }
    let label = fiscal_year.label();
    let versions = log_versions(ctx, owner, &label).await?;
    if let Some(done) = versions.iter().find(|v| v.version == version) {
        let chain = if done.stored == Stored::Full { 0 } else { FULL_EVERY };
        return Ok(Some(Published { version, text, chain }));
    }
    let previous = match (versions.iter().find(|v| v.version < version), last) {
        (Some(p), Some(last)) if last.version == p.version => Some(last),
        // A previous version that cannot be rebuilt must not stop publishing: the
        // new version is then stored in full.
        (Some(p), _) => match version_text(ctx, owner, &label, p.version, &versions).await {
            Ok(text) => text.map(|(text, chain)| Published { version: p.version, text, chain }),
            Err(e) if e.is_corrupt() => {
                tracing::error!(error = %e, fiscal_year = %label, "an earlier log version is unreadable; storing this one in full");
                None
            }
            Err(e) => return Err(e),
        },
        (None, _) => None,
    };
    let patch = previous
        .filter(|p| p.chain + 1 < FULL_EVERY)
        .map(|p| (super::patch::diff(p.version, &p.text, &text), p.chain + 1))
        .filter(|(patch, _)| patch.len() < text.len() / 2);
    let (key, body, content_type, chain) = match patch {
        Some((patch, chain)) => (log_patch_key(&label, version), patch.into_bytes(), PATCH, chain),
        None => (log_version_key(&label, version), text.clone().into_bytes(), MARKDOWN, 0),
    };
    ctx.objects.put_object(owner, &key, body, content_type).await?;
    Ok(Some(Published { version, text, chain }))
}

/// After an entry write: hands the changed years to the context's publisher, or
/// publishes them at once ([`Publishing::Inline`]).
pub async fn publish_after_write(ctx: &AppContext, owner: &Owner, years: &[FiscalYear]) {
    match &ctx.publishing {
        Publishing::Inline => publish_now(ctx, owner, years).await,
        Publishing::Queue(queue) => years.iter().for_each(|year| queue.push(owner, year)),
        Publishing::Stream => {}
    }
}

/// Publishes every year in `years` (deduplicated) now, logging rather than failing: the
/// entries are committed already, and a reader renders a missing version.
pub async fn publish_now(ctx: &AppContext, owner: &Owner, years: &[FiscalYear]) {
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

/// One published version of a year's log.
#[derive(Clone, Debug)]
pub struct PublishedVersion {
    pub version: u64,
    pub stored: Stored,
    pub object: ObjectVersion,
}

/// The text of one published version of a year's log, `None` if it is not published.
/// The year's keys are listed first: without `s3:ListBucket` on a missing key S3
/// answers 403, not 404, and a reader's credentials list only under the logs prefix.
pub async fn published_log(
    ctx: &AppContext,
    owner: &Owner,
    fiscal_year: &str,
    version: u64,
) -> Result<Option<Vec<u8>>, StoreError> {
    let versions = log_versions(ctx, owner, fiscal_year).await?;
    Ok(version_text(ctx, owner, fiscal_year, version, &versions).await?.map(|(text, _)| text.into_bytes()))
}

/// The text of `version` and how many patches it took to build it from a full copy.
async fn version_text(
    ctx: &AppContext,
    owner: &Owner,
    fiscal_year: &str,
    version: u64,
    versions: &[PublishedVersion],
) -> Result<Option<(String, usize)>, StoreError> {
    let corrupt = |what: String| StoreError::corrupt(format!("log {fiscal_year} version {version}"), what);
    // Walk back to a full copy, then apply the patches forward.
    let mut patches: Vec<String> = Vec::new();
    let mut wanted = version;
    let full = loop {
        let Some(found) = versions.iter().find(|v| v.version == wanted) else {
            return if patches.is_empty() { Ok(None) } else { Err(corrupt(format!("the base {wanted} is missing"))) };
        };
        let Some(bytes) = ctx.objects.get_object(owner, &found.object.key, None).await? else {
            return if patches.is_empty() { Ok(None) } else { Err(corrupt(format!("the base {wanted} is missing"))) };
        };
        let text = String::from_utf8(bytes).map_err(|e| corrupt(e.to_string()))?;
        if found.stored == Stored::Full {
            break text;
        }
        let base = super::patch::base_of(&text).map_err(|e| corrupt(e.to_string()))?;
        if base >= wanted || patches.len() > 4 * FULL_EVERY {
            return Err(corrupt(format!("a patch of version {wanted} names the base {base}")));
        }
        patches.push(text);
        wanted = base;
    };
    let chain = patches.len();
    let mut text = full;
    for patch in patches.iter().rev() {
        text = super::patch::apply(patch, &text).map_err(|e| corrupt(e.to_string()))?;
    }
    Ok(Some((text, chain)))
}

/// The published versions of a year's log, newest first.
pub async fn log_versions(
    ctx: &AppContext,
    owner: &Owner,
    fiscal_year: &str,
) -> Result<Vec<PublishedVersion>, StoreError> {
    let mut versions: Vec<PublishedVersion> = ctx
        .objects
        .list_objects(owner, &log_versions_prefix(fiscal_year))
        .await?
        .into_iter()
        .filter_map(|object| {
            let (version, stored) = version_of_key(&object.key)?;
            Some(PublishedVersion { version, stored, object })
        })
        .collect();
    versions.sort_by_key(|v| std::cmp::Reverse(v.version));
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
        assert_eq!(version_of_key("logs/time-log-2025-2026/v00000007.md"), Some((7, Stored::Full)));
        assert_eq!(version_of_key(&log_patch_key("2025-2026", 8)), Some((8, Stored::Patch)));
        assert_eq!(version_of_key("logs/time-log-2025-2026/notes.md"), None);
        assert!(log_version_key("2025-2026", 9) < log_version_key("2025-2026", 10));
    }
}
