//! Planning the ingest of one fiscal year's log (docs/rules.md §10): parse and validate the whole
//! file, then compute the smallest change that makes the user's entries of that year
//! exactly the file's. Pure: storage applies the plan as one unit.
//!
//! Diff-based: entries equal to a stored one keep their id and are not written; a
//! changed line becomes one update of the stored entry at the same date and start (or,
//! failing that, the next unmatched one of that date); only what is left is inserted or
//! deleted. Re-uploading a log with one changed line therefore writes one entry.

use super::canonical::{day_before, person_document, publish_now};
use crate::context::{AppContext, Caller};
use crate::store::{
    CommitError, IngestSummary, LogTouch, Owner, StoreError, StoredEntry, UploadKind, UploadRecord, UploadStatus,
    WriteOp,
};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use tm_core::domain::ProjectCatalog;
use tm_core::domain::calendar::FiscalYear;
use tm_core::domain::diagnostic::{Code, Diagnostic, has_errors};
use tm_core::domain::duration::overlaps;
use tm_core::domain::entry::Entry;
use tm_core::domain::names::{own_view, project_key, project_ref};
use tm_core::markdown::document::normalized_diagnostics;
use tm_core::markdown::log::{check_log_file, parse_document};
use tm_core::markdown::project_file::parse_project_file;

/// What applying a log changes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IngestPlan {
    /// Every finding, by line; any error means nothing may change.
    pub diagnostics: Vec<Diagnostic>,
    pub unchanged: usize,
    /// Stored entries rewritten in place (same id).
    pub updates: Vec<StoredEntry>,
    pub inserts: Vec<StoredEntry>,
    /// Ids of stored entries the file no longer has.
    pub deletes: Vec<String>,
    /// The running timer after the ingest, when this log decides it: `Some(Some(id))`
    /// the file's `[ACTIVE]` entry, `Some(None)` no timer, `None` leave it.
    pub timer: Option<Option<String>>,
}

impl IngestPlan {
    pub fn is_rejected(&self) -> bool {
        has_errors(&self.diagnostics)
    }

    /// Entries written (updates + inserts) plus entries deleted.
    pub fn writes(&self) -> usize {
        self.updates.len() + self.inserts.len() + self.deletes.len()
    }
}

/// What the plan is computed against.
pub struct IngestContext<'a> {
    pub fiscal_year: &'a FiscalYear,
    /// The user's stored entries dated inside the fiscal year.
    pub current: &'a [StoredEntry],
    /// Stored entries of other years that could touch this one: those dated the day
    /// before the year starts (a midnight crossing into it), the day after it ends (its
    /// last day's crossing reaches them), and the running timer, if any.
    pub neighbours: &'a [StoredEntry],
    /// The user's running timer, wherever it is.
    pub running_timer: Option<&'a StoredEntry>,
    pub now: DateTime<Utc>,
    /// The uploader's user id: `OWNER/Name` with their own id is just their project.
    pub user: &'a str,
    /// Colleagues' projects shared with the uploader, by the key of their `OWNER/Name`,
    /// with whether the uploader may log on them. A new or changed entry naming a
    /// colleague's project must name one they may log on, as the API requires; an entry
    /// stored before is kept as it is (a former member's past time stays theirs).
    pub colleague_shares: &'a HashMap<String, bool>,
    /// The person allows deleting more than half of the year's entries.
    pub allow_deletes: bool,
    /// Now in the person's time zone: no entry may end after it.
    pub local_now: (chrono::NaiveDate, tm_core::domain::ClockTime),
}

pub fn plan_ingest(text: &str, ctx: &IngestContext<'_>, mut new_id: impl FnMut(&Entry) -> String) -> IngestPlan {
    let mut document = parse_document(text);
    for entry in &mut document.log.entries {
        if project_ref(&entry.project).owner.is_some() {
            entry.project = own_view(&entry.project, ctx.user);
        }
    }
    // Entry lines are stored canonically; the report says which ones that changed.
    let normalized = normalized_diagnostics(&document);
    let mut log = document.log;
    let mut diagnostics = std::mem::take(&mut log.diagnostics);
    diagnostics.extend(normalized);
    let fy = ctx.fiscal_year;
    let stored_before: std::collections::HashSet<&Entry> = ctx.current.iter().map(|s| &s.entry).collect();

    // What `tm check` checks of a whole file too.
    diagnostics.extend(check_log_file(&log, Some(fy), ctx.local_now));
    for (entry, &line) in log.entries.iter().zip(&log.entry_lines) {
        let reference = project_ref(&entry.project);
        if let Some(owner) = reference.owner
            && !stored_before.contains(entry)
        {
            match ctx.colleague_shares.get(&project_key(&entry.project)) {
                Some(true) => {}
                Some(false) => diagnostics.push(Diagnostic::error(
                    line,
                    Code::ViewerCannotLog,
                    format!(
                        "you are a viewer of {owner}'s shared project {:?}; log time on it once its owner or an admin makes you a contributor, or move this entry to a project of yours",
                        reference.name
                    ),
                )),
                None => diagnostics.push(Diagnostic::error(
                    line,
                    Code::UnknownSharedProject,
                    format!(
                        "{:?} names no project {owner} shares with you; GET /v1/projects lists the shared projects you can log on (shared.logAs), or write [[{}]] for a project of your own",
                        entry.project.trim(),
                        reference.name
                    ),
                )),
            }
        }
        for other in ctx.neighbours.iter().filter(|n| !fy.contains(n.entry.date)) {
            if overlaps(entry, &other.entry) {
                diagnostics.push(Diagnostic::error(
                    line,
                    Code::Overlap,
                    format!(
                        "{} overlaps {} ({}) on {} in another fiscal year's log; change one of them",
                        entry.range_label(),
                        other.entry.range_label(),
                        other.entry.task,
                        other.entry.date
                    ),
                ));
            }
        }
        let timer_elsewhere = ctx.running_timer.filter(|t| !fy.contains(t.entry.date));
        if entry.is_active()
            && let Some(timer) = timer_elsewhere
        {
            diagnostics.push(Diagnostic::error(
                line,
                Code::MultipleActive,
                format!(
                    "a timer is already running since {} {} ({}) in another fiscal year; finish it before logging [ACTIVE] here",
                    timer.entry.date, timer.entry.start, timer.entry.task
                ),
            ));
        }
    }
    diagnostics.sort_by_key(|d| d.line);
    if has_errors(&diagnostics) {
        return IngestPlan { diagnostics, ..Default::default() };
    }

    let mut plan = IngestPlan { diagnostics, ..Default::default() };
    // Stored entries not yet matched, by exact content, then by (date, start).
    let mut by_content: HashMap<&Entry, Vec<usize>> = HashMap::new();
    for (i, stored) in ctx.current.iter().enumerate() {
        by_content.entry(&stored.entry).or_default().push(i);
    }
    let mut matched = vec![false; ctx.current.len()];
    let mut unmatched_incoming: Vec<&Entry> = Vec::new();
    let mut kept: Vec<(usize, &Entry)> = Vec::new();
    for entry in &log.entries {
        match by_content.get_mut(entry).and_then(Vec::pop) {
            Some(i) => {
                matched[i] = true;
                kept.push((i, entry));
            }
            None => unmatched_incoming.push(entry),
        }
    }
    plan.unchanged = kept.len();
    let mut by_slot: HashMap<(chrono::NaiveDate, tm_core::domain::ClockTime), Vec<usize>> = HashMap::new();
    let mut by_day: HashMap<chrono::NaiveDate, Vec<usize>> = HashMap::new();
    for (i, stored) in ctx.current.iter().enumerate().rev() {
        if !matched[i] {
            by_slot.entry((stored.entry.date, stored.entry.start)).or_default().push(i);
            by_day.entry(stored.entry.date).or_default().push(i);
        }
    }
    for entry in unmatched_incoming {
        let target = first_unmatched(by_slot.get_mut(&(entry.date, entry.start)), &mut matched)
            .or_else(|| first_unmatched(by_day.get_mut(&entry.date), &mut matched));
        match target {
            Some(i) => {
                let old = &ctx.current[i];
                plan.updates.push(StoredEntry {
                    id: old.id.clone(),
                    entry: entry.clone(),
                    created_at: old.created_at,
                    updated_at: ctx.now,
                });
            }
            None => plan.inserts.push(StoredEntry {
                id: new_id(entry),
                entry: entry.clone(),
                created_at: ctx.now,
                updated_at: ctx.now,
            }),
        }
    }
    plan.deletes = ctx.current.iter().zip(&matched).filter(|(_, m)| !**m).map(|(s, _)| s.id.clone()).collect();
    // The safety net: a file that would take most of the year away is far more often a
    // wrong file or a broken save than a wish.
    let (deleted, stored) = (plan.deletes.len(), ctx.current.len());
    if !ctx.allow_deletes && deleted > 0 && (deleted * 2 > stored || deleted == stored) {
        let found = log.entries.len();
        plan.diagnostics.push(Diagnostic::error(
            1,
            Code::WouldDeleteMost,
            format!(
                "this file would delete {deleted} of the {stored} entries of {} (it has {found}); nothing was changed. \
                 If it is the right file, upload it again with allowDeletes (?allowDeletes=true, or \
                 \"allowDeletes\": true when asking for an upload URL)",
                fy.label()
            ),
        ));
        plan.diagnostics.sort_by_key(|d| d.line);
        return IngestPlan { diagnostics: plan.diagnostics, ..Default::default() };
    }

    // The timer: the file's [ACTIVE] entry, or none if the timer was in this year.
    let active_id = kept
        .iter()
        .find(|(_, e)| e.is_active())
        .map(|(i, _)| ctx.current[*i].id.clone())
        .or_else(|| plan.updates.iter().chain(&plan.inserts).find(|s| s.entry.is_active()).map(|s| s.id.clone()));
    let timer_here = ctx.running_timer.is_some_and(|t| fy.contains(t.entry.date));
    plan.timer = match (active_id, timer_here) {
        (Some(id), _) => Some(Some(id)),
        (None, true) => Some(None),
        (None, false) => None,
    };
    plan
}

/// Takes the first candidate not matched yet, marking it matched.
fn first_unmatched(candidates: Option<&mut Vec<usize>>, matched: &mut [bool]) -> Option<usize> {
    let candidates = candidates?;
    while let Some(i) = candidates.pop() {
        if !matched[i] {
            matched[i] = true;
            return Some(i);
        }
    }
    None
}

/// The largest log or project file accepted (a direct PUT and a presigned upload alike).
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

/// The diagnostic that refuses a file of `size` bytes (over [`MAX_FILE_BYTES`]).
pub fn too_large(size: u64) -> Diagnostic {
    Diagnostic::error(
        1,
        Code::FileTooLarge,
        format!(
            "the file is {size} bytes; the limit is {MAX_FILE_BYTES} (5 MB): split it into one file per fiscal year"
        ),
    )
}

/// A file's text, or the diagnostic that refuses it (empty, too large, not UTF-8).
pub fn file_text(bytes: &[u8]) -> Result<&str, Diagnostic> {
    // An empty file would delete the whole year; far more often it is a failed save.
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Diagnostic::error(
            1,
            Code::EmptyFile,
            "the file is empty; upload the log's Markdown (to clear a year, upload a log with only its title)",
        ));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
        Diagnostic::error(line, Code::InvalidEncoding, "the file is not UTF-8 text; save it as UTF-8 and upload again")
    })
}

/// Ingests a log file for the upload `record` (status pending) and returns the record
/// with its outcome, stored. Applied changes, the log state and the record are one
/// unit ([`crate::store::EntryStore::commit_ingest`]); a rejected or conflicting file
/// changes no entry.
pub(crate) async fn ingest_log(
    ctx: &AppContext,
    caller: &Caller,
    mut record: UploadRecord,
    bytes: &[u8],
) -> Result<UploadRecord, StoreError> {
    let owner = &caller.owner;
    let now = (ctx.clock)();
    let label = record.fiscal_year.clone().unwrap_or_default();
    let text = match file_text(bytes) {
        Ok(text) => text,
        Err(diagnostic) => return finish_rejected(ctx, owner, record, vec![diagnostic], now).await,
    };
    let colleague_shares = colleague_shares(ctx, owner).await?;
    let fiscal_year = match caller.calendar.parse_label(&label) {
        Ok(fy) => fy,
        Err(e) => {
            let diagnostic = Diagnostic::error(1, Code::OutsideFiscalYear, e.0);
            return finish_rejected(ctx, owner, record, vec![diagnostic], now).await;
        }
    };
    for attempt in 0..12u64 {
        if attempt > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(5 * attempt)).await;
        }
        let snapshot = year_snapshot(ctx, owner, &fiscal_year).await?;
        if snapshot.ingesting.as_deref().is_some_and(|other| other != record.id) {
            return Err(StoreError::IngestInProgress);
        }
        let state = ctx.store.log_state(owner, &label).await?;
        let log_version = state.as_ref().map_or(0, |s| s.version);
        if let Some(base) = record.base_version
            && base != log_version
            && snapshot.ingesting.is_none()
        {
            record.status = UploadStatus::Conflict;
            record.log_version = Some(log_version);
            record.message = Some(format!(
                "the log of {label} is at version {log_version}, but this file was edited from version {base}; \
                 download the current log (GET /v1/logs/{label}), merge your edits, and upload it with baseVersion {log_version}"
            ));
            return finish(ctx, owner, record, now).await;
        }
        let (current, neighbours) = split_year(&snapshot, &fiscal_year);
        let context = IngestContext {
            allow_deletes: record.allow_deletes,
            local_now: caller.now,
            fiscal_year: &fiscal_year,
            current: &current,
            neighbours: &neighbours,
            running_timer: snapshot.timer.as_ref(),
            now,
            user: owner.user(),
            colleague_shares: &colleague_shares,
        };
        let plan = plan_ingest(text, &context, |entry| entry_id_for_upload(&record.id, entry));
        if plan.is_rejected() {
            return finish_rejected(ctx, owner, record, plan.diagnostics, now).await;
        }
        let sort_keys: HashMap<&str, String> = current.iter().map(|s| (s.id.as_str(), s.sort_key())).collect();
        let projects: HashMap<&str, &str> = current.iter().map(|s| (s.id.as_str(), s.entry.project.as_str())).collect();
        let mut ops = Vec::with_capacity(plan.writes() + 3);
        for stored in &plan.updates {
            ops.push(WriteOp::PutEntryAt {
                stored: stored.clone(),
                previous_sort_key: sort_keys.get(stored.id.as_str()).cloned(),
                previous_project: projects.get(stored.id.as_str()).map(|p| p.to_string()),
            });
        }
        for stored in &plan.inserts {
            ops.push(WriteOp::PutEntryAt { stored: stored.clone(), previous_sort_key: None, previous_project: None });
        }
        for id in &plan.deletes {
            let sort_key = sort_keys.get(id.as_str()).cloned().unwrap_or_default();
            let project = projects.get(id.as_str()).map(|p| p.to_string());
            ops.push(WriteOp::DeleteEntryAt { id: id.clone(), sort_key, project });
        }
        // Months whose entries change (an update's old and new date both count).
        let current_dates: HashMap<&str, chrono::NaiveDate> =
            current.iter().map(|s| (s.id.as_str(), s.entry.date)).collect();
        let changed_dates = plan
            .updates
            .iter()
            .chain(&plan.inserts)
            .map(|s| s.entry.date)
            .chain(plan.updates.iter().filter_map(|s| current_dates.get(s.id.as_str()).copied()))
            .chain(plan.deletes.iter().filter_map(|id| current_dates.get(id.as_str()).copied()));
        ops.extend(crate::store::model::month_touches(changed_dates));
        let timer_now = snapshot.timer.as_ref().map(|t| t.id.clone());
        let timer_changes = plan.timer.as_ref().is_some_and(|t| *t != timer_now);
        if let Some(timer) = plan.timer.clone().filter(|_| timer_changes) {
            ops.push(WriteOp::SetTimer(timer));
        }
        // The file is the year's document now (its prose, headings, comments): kept as
        // it came, before the commit that points the year at it.
        let document_changed = person_document(ctx, owner, state.as_ref()).await?.as_bytes() != text.as_bytes();
        let document_key = if document_changed {
            let key = super::canonical::document_key(&label, &record.id);
            ctx.objects.put_object(owner, &key, text.as_bytes().to_vec(), super::canonical::MARKDOWN).await?;
            Some(key)
        } else {
            None
        };
        let changed = plan.writes() > 0 || timer_changes || document_changed;
        let new_version = log_version + u64::from(changed);
        record.status = UploadStatus::Applied;
        record.diagnostics = plan.diagnostics.clone();
        record.summary = Some(IngestSummary {
            unchanged: plan.unchanged,
            updated: plan.updates.len(),
            inserted: plan.inserts.len(),
            deleted: plan.deletes.len(),
        });
        record.log_version = Some(new_version);
        record.finished_at = Some(now);
        ops.push(WriteOp::TouchLog(LogTouch {
            fiscal_year: label.clone(),
            bump: changed,
            entry_delta: plan.inserts.len() as i64 - plan.deletes.len() as i64,
            last_upload: Some((record.id.clone(), UploadStatus::Applied)),
            document_key,
            at: now,
        }));
        ops.push(WriteOp::PutUpload(record.clone()));
        if changed {
            // One record per ingest (a year can be thousands of entries): the file, the
            // counts and the log versions before and after.
            let audit =
                crate::store::team::AuditRecord::new(owner, caller.owner.user(), "upload.ingest", &record.id, now)
                    .change(
                        Some(serde_json::json!({"fiscalYear": label, "logVersion": log_version})),
                        Some(serde_json::json!({
                            "fiscalYear": label,
                            "logVersion": new_version,
                            "fileName": record.file_name,
                            "summary": record.summary,
                        })),
                    );
            ops.push(WriteOp::PutAudit(audit));
        }
        match ctx.store.commit_ingest(owner, snapshot.version, ops, &record.id).await {
            Ok(()) => {
                let entries: Vec<&Entry> = plan.updates.iter().chain(&plan.inserts).map(|s| &s.entry).collect();
                create_missing_projects(ctx, caller, &entries).await?;
                if changed {
                    publish_now(ctx, owner, std::slice::from_ref(&fiscal_year)).await;
                }
                return Ok(record);
            }
            Err(CommitError::Conflict) => continue,
            Err(CommitError::Store(e)) => return Err(e),
        }
    }
    Err(StoreError::Busy("too many concurrent changes while ingesting; the upload will be retried".into()))
}

/// Colleagues' projects shared with the person, keyed as an entry names them, with
/// whether they may log on each.
async fn colleague_shares(ctx: &AppContext, owner: &Owner) -> Result<HashMap<String, bool>, StoreError> {
    Ok(crate::store::team::shared_projects(ctx.store.as_ref(), owner.tenant())
        .await?
        .into_iter()
        .filter(|share| share.owner != owner.user())
        .filter_map(|share| Some((project_key(&share.log_as()), share.standing(owner.user())?.can_log_time())))
        .collect())
}

/// The entries an ingest of `fiscal_year` is planned against: the year's, the day before
/// it (a midnight crossing into it) and the day after (its last day's crossing reaches
/// the next year's first entries).
async fn year_snapshot(
    ctx: &AppContext,
    owner: &Owner,
    fiscal_year: &FiscalYear,
) -> Result<crate::store::Snapshot, StoreError> {
    let day_after = fiscal_year.end().succ_opt().unwrap_or(fiscal_year.end());
    ctx.store.snapshot(owner, day_before(fiscal_year), day_after).await
}

/// The year's own entries, and its neighbours with the running timer when it is elsewhere.
fn split_year(snapshot: &crate::store::Snapshot, fiscal_year: &FiscalYear) -> (Vec<StoredEntry>, Vec<StoredEntry>) {
    let (current, mut neighbours): (Vec<StoredEntry>, Vec<StoredEntry>) =
        snapshot.entries.iter().cloned().partition(|s| fiscal_year.contains(s.entry.date));
    if let Some(timer) = snapshot.timer.as_ref().filter(|t| !fiscal_year.contains(t.entry.date)) {
        neighbours.push(timer.clone());
    }
    (current, neighbours)
}

/// What uploading `bytes` as `fiscal_year`'s log would do, planned exactly as the ingest
/// plans it and stored nowhere (`POST /v1/logs/{fy}/check`: an editor's diagnostics as
/// the person types). Returns the plan and the log's current version.
pub(crate) async fn check_log(
    ctx: &AppContext,
    caller: &Caller,
    fiscal_year: &FiscalYear,
    allow_deletes: bool,
    bytes: &[u8],
) -> Result<(IngestPlan, u64), StoreError> {
    let owner = &caller.owner;
    let log_version = ctx.store.log_state(owner, &fiscal_year.label()).await?.map_or(0, |s| s.version);
    let text = match file_text(bytes) {
        Ok(text) => text,
        Err(diagnostic) => {
            return Ok((IngestPlan { diagnostics: vec![diagnostic], ..IngestPlan::default() }, log_version));
        }
    };
    let colleague_shares = colleague_shares(ctx, owner).await?;
    let snapshot = year_snapshot(ctx, owner, fiscal_year).await?;
    let (current, neighbours) = split_year(&snapshot, fiscal_year);
    let context = IngestContext {
        allow_deletes,
        local_now: caller.now,
        fiscal_year,
        current: &current,
        neighbours: &neighbours,
        running_timer: snapshot.timer.as_ref(),
        now: (ctx.clock)(),
        user: owner.user(),
        colleague_shares: &colleague_shares,
    };
    let plan = plan_ingest(text, &context, |entry| entry_id_for_upload("check", entry));
    Ok((plan, log_version))
}

/// The id of an entry an upload inserts: derived from the upload and the entry's slot
/// (a valid log has one entry per date and start), so a resumed or duplicated run of the
/// same upload writes the same items instead of duplicates.
pub fn entry_id_for_upload(upload_id: &str, entry: &Entry) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{upload_id}\n{}\n{}", entry.date, entry.start).as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_sha1_bytes(bytes).into_uuid().to_string()
}

/// Creates the projects the entries name that the user does not have yet (docs/rules.md §2
/// defaults), as an API write would; a colleague's shared project is theirs, not created.
async fn create_missing_projects(ctx: &AppContext, caller: &Caller, entries: &[&Entry]) -> Result<(), StoreError> {
    let mut catalog = ProjectCatalog::new(ctx.store.projects(&caller.owner).await?);
    let own = entries.iter().copied().filter(|e| project_ref(&e.project).owner.is_none());
    for name in catalog.add_missing_from(own) {
        if let Some(project) = catalog.get(&name) {
            ctx.store.create_project(&caller.owner, project).await?;
        }
    }
    Ok(())
}

pub(crate) async fn finish_rejected(
    ctx: &AppContext,
    owner: &Owner,
    mut record: UploadRecord,
    mut diagnostics: Vec<Diagnostic>,
    now: DateTime<Utc>,
) -> Result<UploadRecord, StoreError> {
    diagnostics.sort_by_key(|d| d.line);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    record.status = UploadStatus::Rejected;
    record.message = Some(format!("the file has {errors} error(s); nothing was changed. Fix them and upload again"));
    record.diagnostics = diagnostics;
    finish(ctx, owner, record, now).await
}

/// Stores a record that changed no entries, and notes it as the log's last ingest.
async fn finish(
    ctx: &AppContext,
    owner: &Owner,
    mut record: UploadRecord,
    now: DateTime<Utc>,
) -> Result<UploadRecord, StoreError> {
    record.finished_at = Some(now);
    ctx.store.put_upload(owner, &record).await?;
    if let Some(fy) = record.fiscal_year.clone().filter(|_| record.kind == UploadKind::Log) {
        let touch = LogTouch {
            fiscal_year: fy,
            bump: false,
            entry_delta: 0,
            last_upload: Some((record.id.clone(), record.status)),
            document_key: None,
            at: now,
        };
        ctx.store.touch_log(owner, &touch).await?;
    }
    Ok(record)
}

/// Ingests a project file: its frontmatter creates the project or replaces its
/// metadata; any error changes nothing.
pub(crate) async fn ingest_project(
    ctx: &AppContext,
    caller: &Caller,
    mut record: UploadRecord,
    bytes: &[u8],
) -> Result<UploadRecord, StoreError> {
    let owner = &caller.owner;
    let now = (ctx.clock)();
    let text = match file_text(bytes) {
        Ok(text) => text,
        Err(diagnostic) => return finish_rejected(ctx, owner, record, vec![diagnostic], now).await,
    };
    let parsed = parse_project_file(text);
    let Some(project) = parsed.project.filter(|_| !has_errors(&parsed.diagnostics)) else {
        return finish_rejected(ctx, owner, record, parsed.diagnostics, now).await;
    };
    if let Some(named) = record.project.as_deref()
        && project_key(named) != project_key(&project.name)
    {
        let diagnostic = Diagnostic::error(
            1,
            Code::InvalidFrontmatter,
            format!(
                "the file names project {:?} but was uploaded as {named:?}; upload it as {:?}",
                project.name, project.name
            ),
        );
        return finish_rejected(ctx, owner, record, vec![diagnostic], now).await;
    }
    // A project file is always the uploader's own project (a colleague's shared project
    // of the same name is theirs and unaffected; its admins edit it with PATCH). The file
    // itself is kept: its other keys and its body come back in exports.
    let key = super::canonical::project_file_key(&project.name);
    ctx.objects.put_object(owner, &key, text.as_bytes().to_vec(), super::canonical::MARKDOWN).await?;
    let existing = ProjectCatalog::new(ctx.store.projects(owner).await?).get(&project.name).cloned();
    let mut summary = IngestSummary::default();
    match &existing {
        Some(current) if *current == project => summary.unchanged = 1,
        Some(_) => {
            ctx.store.replace_project(owner, &project).await?;
            summary.updated = 1;
        }
        None => {
            if !ctx.store.create_project(owner, &project).await? {
                ctx.store.replace_project(owner, &project).await?;
            }
            summary.inserted = 1;
        }
    }
    if summary.unchanged == 0 {
        let audit =
            crate::store::team::AuditRecord::new(owner, caller.owner.user(), "project.upload", &project.name, now)
                .change(
                    existing.map(|p| serde_json::to_value(p).expect("projects serialise")),
                    Some(serde_json::to_value(&project).expect("projects serialise")),
                );
        if let Err(e) = crate::store::team::append_audit(ctx.store.as_ref(), &audit).await {
            tracing::error!(error = %e, "audit record not written");
        }
    }
    record.project = Some(project.name.clone());
    record.status = UploadStatus::Applied;
    record.diagnostics = parsed.diagnostics;
    record.summary = Some(summary);
    finish(ctx, owner, record, now).await
}
