//! Entries and the running timer. Every write validates against a fresh snapshot of the
//! user's nearby entries and commits with the snapshot's version; a concurrent write
//! makes the commit fail, and the loop re-reads and re-validates, so "no overlap" and
//! "one timer" hold under concurrency.

use chrono::{DateTime, Utc};

use super::Idempotency;
use super::body::{required, typed};
use crate::context::{AppContext, Caller};
use crate::http::answers::{EntryAnswer, EntryPage, TimerAnswer};
use crate::http::bodies::{EntryPatch, NewEntry, TimerFinishBody, TimerStartBody};
use crate::http::routes::Matched;
use crate::http::{ApiError, ApiRequest, ApiResponse};
use crate::jobs::canonical::publish_after_write;
use crate::store::model::cursor;
use crate::store::{CommitError, EntryQuery, LogTouch, StoredEntry, WriteOp};
use chrono::Days;
use serde_json::{Value, json};
use tm_core::domain::calendar::FiscalYear;
use tm_core::domain::calendar::parse_date;
use tm_core::domain::diagnostic::{Code, Severity};
use tm_core::domain::entry::Entry;
use tm_core::domain::names::{own_view, project_key, project_ref, qualified_name};
use tm_core::domain::timer::{TimerFinish, TimerStart, finish_input, start_input};
use tm_core::domain::validation::{EntryInput, ExistingEntry, Issue, ValidationContext, validate_entry};
use tm_core::domain::{Project, tags::normalize_tag};

const MAX_ATTEMPTS: usize = 12;

/// The project an entry body names, as the caller's entry stores it: `projectOwner`
/// (a colleague's user id) with `project` names the colleague's shared project, as does
/// `project: "OWNER/Name"`; the caller's own id, or none, names their own project.
/// `project` is `None` when the body lacks it, `Some(None)` when it is `null`.
fn project_field(
    project: Option<Option<String>>,
    owner: Option<&str>,
    caller: &Caller,
) -> Result<Option<Option<String>>, ApiError> {
    let owner = owner.map(|o| o.trim().to_owned()).filter(|o| !o.is_empty());
    let Some(project) = project.or_else(|| owner.is_some().then_some(None)) else {
        return Ok(None);
    };
    let named = match (owner, project) {
        (Some(_), None) => {
            return Err(ApiError::bad_request(
                "missing-field",
                "projectOwner names whose shared project; give the project's name in project as well",
            ));
        }
        (Some(owner), Some(project)) => {
            if let Some(written) = project_ref(&project).owner.filter(|w| !w.eq_ignore_ascii_case(&owner)) {
                return Err(ApiError::bad_request(
                    "invalid-field",
                    format!("project names the owner {written:?} but projectOwner is {owner:?}; give the owner once"),
                ));
            }
            Some(qualified_name(&owner, project_ref(&project).name))
        }
        (None, project) => project,
    };
    Ok(Some(named.map(|p| own_view(&p, caller.owner.user()))))
}

/// An entry's JSON with the warnings and infos of the write that produced it.
pub(crate) fn entry_body(stored: &StoredEntry, issues: &[Issue]) -> EntryAnswer {
    let notices = issues.iter().filter(|i| i.severity != Severity::Error);
    let warnings = notices.map(|i| serde_json::to_value(i).expect("issues serialise")).collect();
    EntryAnswer { warnings: Some(warnings), ..EntryAnswer::from(stored) }
}

/// The log-state changes of replacing `before` by `after` (either may be absent): each
/// fiscal year touched gets its version bumped and its entry count adjusted, in the
/// same commit as the entry. Returns the years whose canonical logs to re-render.
fn log_touches(
    caller: &Caller,
    before: Option<&Entry>,
    after: Option<&Entry>,
    at: chrono::DateTime<chrono::Utc>,
    ops: &mut Vec<WriteOp>,
) -> Vec<FiscalYear> {
    let year_before = before.map(|e| caller.calendar.fiscal_year_of(e.date));
    let year_after = after.map(|e| caller.calendar.fiscal_year_of(e.date));
    let mut years: Vec<(FiscalYear, i64)> = Vec::new();
    if let Some(y) = year_before {
        years.push((y, -1));
    }
    if let Some(y) = year_after {
        match years.iter_mut().find(|(existing, _)| *existing == y) {
            Some((_, delta)) => *delta += 1,
            None => years.push((y, 1)),
        }
    }
    ops.extend(crate::store::model::month_touches(before.iter().chain(after.iter()).map(|e| e.date)));
    for (year, entry_delta) in &years {
        ops.push(WriteOp::TouchLog(LogTouch {
            fiscal_year: year.label(),
            bump: true,
            entry_delta: *entry_delta,
            last_upload: None,
            document_key: None,
            at,
        }));
    }
    years.into_iter().map(|(y, _)| y).collect()
}

/// An entry as the API shows it, for audit records and error details.
fn entry_json(stored: &StoredEntry) -> Value {
    serde_json::to_value(EntryAnswer::from(stored)).expect("entries serialise")
}

/// What a write does, decided again on every attempt from fresh data.
enum Change<'a> {
    Create(EntryInput),
    Patch { id: &'a str, body: &'a EntryPatch },
    Start(TimerStart),
    Finish(TimerFinish),
}

fn busy() -> ApiError {
    ApiError::new(503, "busy", "too many concurrent changes to your entries; retry in a moment")
}

fn ingesting() -> ApiError {
    crate::store::StoreError::IngestInProgress.into()
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("no entry {id:?}; list your entries with GET /v1/entries"))
}

/// Applies a patch body on top of a stored entry's fields.
fn merge(current: &StoredEntry, body: &EntryPatch, caller: &Caller) -> Result<EntryInput, ApiError> {
    let mut input = EntryInput::from_entry(&current.entry);
    if let Some(v) = &body.date {
        input.date = v.clone();
    }
    if let Some(v) = &body.start_time {
        input.start_time = v.clone();
    }
    if let Some(end) = &body.end_time {
        input.end_time = Some(end.clone().ok_or_else(|| {
            ApiError::bad_request(
                "invalid-field",
                "endTime cannot be removed; a running entry is started with POST /v1/timer/start",
            )
        })?);
    }
    if let Some(v) = &body.task {
        input.task = v.clone();
    }
    if let Some(project) = project_field(body.project.clone(), body.project_owner.as_deref(), caller)? {
        input.project = project;
    }
    if body.tags.is_some() {
        input.tags = body.tags.clone();
    }
    if let Some(notes) = &body.notes {
        input.notes = notes.clone();
    }
    Ok(input)
}

async fn apply(
    ctx: &AppContext,
    caller: &Caller,
    change: Change<'_>,
    idem: Option<&Idempotency>,
) -> Result<ApiResponse, ApiError> {
    let _serialised = ctx.lock_writes(&caller.owner).await;
    match attempt_writes(ctx, caller, change, idem).await {
        // A request retried with its Idempotency-Key can lose a race to its own first
        // copy and then see that copy as a conflict. The key's record is committed with
        // the entry, so looking again tells the two apart.
        Err(error) if error.status == 409 || error.status == 422 => match idem {
            Some(i) => Ok(i.replay(ctx, &caller.owner).await?.ok_or(error)?),
            None => Err(error),
        },
        other => other,
    }
}

/// A plain project name that is none of the caller's own projects but the name of
/// exactly one colleague's project shared with them means that one (as `OWNER/Name`):
/// people type the name they see. Their own project of that name always comes first, and
/// a name shared by several colleagues stays the caller's own (to be created).
fn shared_project_named(catalog: &tm_core::domain::ProjectCatalog, requested: Option<&str>) -> Option<String> {
    let requested = requested.map(str::trim).filter(|r| !r.is_empty())?;
    if project_ref(requested).owner.is_some()
        || catalog.get(requested).is_some()
        || tm_core::domain::project::is_conventional(requested)
    {
        return None;
    }
    let key = project_key(requested);
    let mut shared = catalog.names().filter(|n| {
        let r = project_ref(n);
        r.owner.is_some() && project_key(r.name) == key
    });
    match (shared.next(), shared.next()) {
        (Some(only), None) => Some(only.to_owned()),
        _ => None,
    }
}

async fn attempt_writes(
    ctx: &AppContext,
    caller: &Caller,
    change: Change<'_>,
    idem: Option<&Idempotency>,
) -> Result<ApiResponse, ApiError> {
    let store = &ctx.store;
    let owner = &caller.owner;
    let sharing = crate::access::Sharing::load(ctx, owner.tenant()).await?;
    for attempt in 0..MAX_ATTEMPTS {
        if attempt > 0 {
            if let Some(replayed) = match idem {
                Some(i) => i.replay(ctx, owner).await?,
                None => None,
            } {
                return Ok(replayed);
            }
            tokio::time::sleep(std::time::Duration::from_millis(2 * attempt as u64)).await;
        }
        let now = (ctx.clock)();
        // The entry this change replaces, and the raw input to validate.
        let (current, input) = match &change {
            Change::Create(input) => (None, input.clone()),
            Change::Patch { id, body } => {
                let current = store.entry(owner, id).await?.ok_or_else(|| not_found(id))?;
                let input = merge(&current, body, caller)?;
                (Some(current), input)
            }
            Change::Start(start) => (None, start_input(start, caller.now)),
            Change::Finish(finish) => {
                let today = caller.today();
                let timer = store.snapshot(owner, today, today).await?.timer.ok_or_else(|| {
                    ApiError::conflict("no-running-timer", "no timer is running; start one with POST /v1/timer/start")
                })?;
                let input = finish_input(&timer.entry, finish, caller.now).map_err(|issue| {
                    ApiError::new(422, "validation-failed", issue.message.clone())
                        .with_details(json!({"issues": [issue]}))
                })?;
                (Some(timer), input)
            }
        };
        let date = parse_date(input.date.trim()).unwrap_or(caller.today());
        let from = date.checked_sub_days(Days::new(1)).unwrap_or(date);
        let to = date.checked_add_days(Days::new(1)).unwrap_or(date);
        // First only the neighbourhood (on DynamoDB one Query, guarded by its days);
        // after a conflict the whole picture, guarded by the user's version, which also
        // tells an ingest in progress or a timer running on another day.
        let snapshot =
            if attempt == 0 { store.nearby(owner, from, to).await? } else { store.snapshot(owner, from, to).await? };
        if snapshot.ingesting.is_some() {
            return Err(ingesting());
        }
        match (&change, &snapshot.timer) {
            (Change::Start(_), Some(running)) => {
                return Err(ApiError::conflict(
                    "timer-running",
                    format!(
                        "a timer is already running since {} {} ({}); finish it first with POST /v1/timer/finish",
                        running.entry.date, running.entry.start, running.entry.task
                    ),
                )
                .with_details(json!({"running": entry_json(running)})));
            }
            (Change::Finish(_), running) if running.as_ref().map(|r| &r.id) != current.as_ref().map(|c| &c.id) => {
                continue;
            }
            _ => {}
        }
        let mut others: Vec<&StoredEntry> = snapshot.entries.iter().collect();
        if let Some(t) = &snapshot.timer
            && !others.iter().any(|e| e.id == t.id)
        {
            others.push(t);
        }
        let existing: Vec<ExistingEntry<'_>> =
            others.iter().map(|e| ExistingEntry { id: &e.id, entry: &e.entry }).collect();
        let mut catalog = crate::access::catalog_with_shares(ctx, caller, &sharing).await?;
        let mut input = input;
        if let Some(shared) = shared_project_named(&catalog, input.project.as_deref()) {
            input.project = Some(shared);
        }
        // An entry already on a colleague's project keeps it when it is finished or its
        // text changes, even after its author stopped being a contributor: it was
        // logged while they were (finishing a running timer must always be possible).
        let requested = input.project.as_deref().map(str::trim).filter(|p| !p.is_empty());
        let kept_project = current.as_ref().map(|c| &c.entry.project).filter(|p| {
            project_ref(p).owner.is_some()
                && requested.is_some_and(|r| project_key(r) == project_key(p))
                && catalog.get(p).is_none()
        });
        if let Some(project) = kept_project {
            catalog.insert(Project::auto_created(project, caller.today()));
        }
        let validation = ValidationContext {
            today: caller.today(),
            now: caller.now.1,
            existing: &existing,
            replacing: current.as_ref().map(|c| c.id.as_str()),
            projects: &catalog,
        };
        let validated = validate_entry(&input, &validation);
        let Some(entry) = validated.entry.clone() else {
            let issues = json!(validated.issues);
            if validated.only_conflicts() {
                let conflicting: Vec<Value> = validated
                    .errors()
                    .filter_map(|i| i.conflicting_id.as_deref())
                    .filter_map(|id| others.iter().find(|e| e.id == id))
                    .map(|e| entry_json(e))
                    .collect();
                let first = validated.errors().next().map(|i| i.message.clone()).unwrap_or_default();
                return Err(ApiError::conflict("overlap", first)
                    .with_details(json!({"issues": issues, "conflicting": conflicting})));
            }
            // The problems themselves, so a client that shows the message says what to fix.
            let problems: Vec<String> = validated.errors().map(|i| format!("{}: {}", i.field, i.message)).collect();
            return Err(
                ApiError::new(422, "validation-failed", problems.join("; ")).with_details(json!({"issues": issues}))
            );
        };
        // Only contributors (and admins) log time on a colleague's shared project; an
        // entry logged while one may still be finished, or have its text edited.
        let reference = project_ref(&entry.project);
        let may_log = sharing.named_by(&entry.project, owner.user()).is_some_and(|(_, s)| s.can_log_time());
        if let Some(project_owner) = reference.owner
            && !may_log
        {
            let same_time = current
                .as_ref()
                .is_some_and(|c| (c.entry.date, c.entry.start, c.entry.end) == (entry.date, entry.start, entry.end));
            let keeps = current.as_ref().is_some_and(|c| project_key(&c.entry.project) == project_key(&entry.project))
                && (matches!(change, Change::Finish(_)) || same_time);
            if !keeps {
                return Err(match sharing.named_by(&entry.project, owner.user()) {
                    Some((share, standing)) => ApiError::forbidden(format!(
                        "you are a {} of {}'s shared project {:?}; ask its owner or an admin to make you a contributor",
                        standing.label(),
                        share.owner,
                        share.name
                    )),
                    None => ApiError::forbidden(format!(
                        "you are no longer a member of {project_owner}'s shared project {:?}: its time stays as you logged \
                         it; edit the task, tags or notes, or move the entry to a project of yours",
                        reference.name
                    )),
                });
            }
        }
        let (id, created_at, status) = match &current {
            Some(c) => (c.id.clone(), c.created_at, 200),
            None => (uuid::Uuid::new_v4().to_string(), now, 201),
        };
        let stored = StoredEntry { id: id.clone(), entry, created_at, updated_at: now };
        let response = ApiResponse::json(status, &entry_body(&stored, &validated.issues));
        // The entry's previous place is known, so the store needs no read to move it.
        let mut ops = vec![WriteOp::PutEntryAt {
            stored: stored.clone(),
            previous_sort_key: current.as_ref().map(StoredEntry::sort_key),
            previous_project: current.as_ref().map(|c| c.entry.project.clone()),
        }];
        match &change {
            Change::Start(_) => ops.push(WriteOp::SetTimer(Some(id.clone()))),
            Change::Finish(_) => ops.push(WriteOp::SetTimer(None)),
            Change::Patch { .. }
                if snapshot.timer.as_ref().is_some_and(|t| t.id == id) && stored.entry.end.is_some() =>
            {
                ops.push(WriteOp::SetTimer(None))
            }
            _ => {}
        }
        if let Some(i) = idem {
            ops.push(WriteOp::PutIdempotency { key: i.key.clone(), response: i.record(&response) });
        }
        // Validated against the caller's own project as read: it must still be there.
        let own = project_ref(&stored.entry.project).owner.is_none();
        let creates = validated.issues.iter().any(|i| i.code == Code::ProjectCreated);
        if own && !creates && !tm_core::domain::project::is_conventional(&stored.entry.project) {
            ops.push(WriteOp::RequireProject(stored.entry.project.clone()));
        }
        let years = log_touches(caller, current.as_ref().map(|c| &c.entry), Some(&stored.entry), now, &mut ops);
        let action = match &change {
            Change::Create(_) => "entry.create",
            Change::Patch { .. } => "entry.update",
            Change::Start(_) => "timer.start",
            Change::Finish(_) => "timer.finish",
        };
        let record = crate::access::audit_record(caller, owner.user(), action, &id)
            .change(current.as_ref().map(entry_json), Some(entry_json(&stored)));
        ops.push(WriteOp::PutAudit(record));
        match store.commit_guarded(owner, &snapshot.guard, ops).await {
            Ok(()) => {
                if validated.issues.iter().any(|i| i.code == Code::ProjectCreated) {
                    store
                        .create_project(owner, &Project::auto_created(&stored.entry.project, stored.entry.date))
                        .await?;
                }
                publish_after_write(ctx, owner, &years).await;
                return Ok(response);
            }
            Err(CommitError::Conflict) => continue,
            Err(CommitError::Store(e)) => return Err(e.into()),
        }
    }
    Err(busy())
}

fn entry_input(body: NewEntry, caller: &Caller) -> Result<EntryInput, ApiError> {
    let end_time = body.end_time.ok_or_else(|| {
        ApiError::bad_request("missing-field", "endTime is required; to log a running entry use POST /v1/timer/start")
            .with_details(json!({"field": "endTime"}))
    })?;
    Ok(EntryInput {
        project: project_field(body.project.map(Some), body.project_owner.as_deref(), caller)?.flatten(),
        date: body.date.unwrap_or_else(|| caller.today().to_string()),
        start_time: required(body.start_time, "startTime")?,
        end_time: Some(end_time),
        task: required(body.task, "task")?,
        tags: body.tags,
        notes: body.notes,
    })
}

pub(crate) async fn create(
    ctx: &AppContext,
    caller: &Caller,
    req: &ApiRequest,
    idem: Option<&Idempotency>,
) -> Result<ApiResponse, ApiError> {
    let input = entry_input(typed::<NewEntry>(req)?, caller)?;
    apply(ctx, caller, Change::Create(input), idem).await
}

pub(crate) async fn patch(
    ctx: &AppContext,
    caller: &Caller,
    matched: &Matched,
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let id = matched.param("id").unwrap_or_default();
    let body: EntryPatch = typed(req)?;
    apply(ctx, caller, Change::Patch { id, body: &body }, None).await
}

pub(crate) async fn get(ctx: &AppContext, caller: &Caller, matched: &Matched) -> Result<ApiResponse, ApiError> {
    let id = matched.param("id").unwrap_or_default();
    let stored = ctx.store.entry(&caller.owner, id).await?.ok_or_else(|| not_found(id))?;
    Ok(ApiResponse::json(200, &EntryAnswer::from(&stored)))
}

pub(crate) async fn delete(ctx: &AppContext, caller: &Caller, matched: &Matched) -> Result<ApiResponse, ApiError> {
    let id = matched.param("id").unwrap_or_default();
    let _serialised = ctx.lock_writes(&caller.owner).await;
    for attempt in 0..MAX_ATTEMPTS {
        let stored = ctx.store.entry(&caller.owner, id).await?.ok_or_else(|| not_found(id))?;
        let day = stored.entry.date;
        let snapshot = if attempt == 0 {
            ctx.store.nearby(&caller.owner, day, day).await?
        } else {
            ctx.store.snapshot(&caller.owner, day, day).await?
        };
        if snapshot.ingesting.is_some() {
            return Err(ingesting());
        }
        let mut ops = vec![WriteOp::DeleteEntryAt {
            id: id.to_owned(),
            sort_key: stored.sort_key(),
            project: Some(stored.entry.project.clone()),
        }];
        if snapshot.timer.as_ref().is_some_and(|t| t.id == id) {
            ops.push(WriteOp::SetTimer(None));
        }
        let years = log_touches(caller, Some(&stored.entry), None, (ctx.clock)(), &mut ops);
        let record = crate::access::audit_record(caller, caller.owner.user(), "entry.delete", id)
            .change(Some(entry_json(&stored)), None);
        ops.push(WriteOp::PutAudit(record));
        match ctx.store.commit_guarded(&caller.owner, &snapshot.guard, ops).await {
            Ok(()) => {
                publish_after_write(ctx, &caller.owner, &years).await;
                return Ok(ApiResponse::no_content());
            }
            Err(CommitError::Conflict) => continue,
            Err(CommitError::Store(e)) => return Err(e.into()),
        }
    }
    Err(busy())
}

/// An RFC 3339 instant (`2026-12-01T09:30:00Z`, an offset, fractions of a second); a
/// bare date is taken as its midnight in UTC, so `updatedSince=2026-12-01` works too.
fn parse_instant(text: &str) -> Result<DateTime<Utc>, ApiError> {
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Ok(instant.with_timezone(&Utc));
    }
    if let Ok(day) = parse_date(text) {
        return Ok(day.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    Err(ApiError::bad_request(
        "invalid-instant",
        format!(
            "updatedSince {text:?} is not a time: give an RFC 3339 instant such as 2026-12-01T09:30:00Z \
             (the updatedAt of the newest entry you have), or a date"
        ),
    ))
}

pub(crate) async fn list(ctx: &AppContext, caller: &Caller, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let date = |name: &str| -> Result<Option<chrono::NaiveDate>, ApiError> {
        req.query_one(name)
            .map(|v| parse_date(v).map_err(|e| ApiError::bad_request("invalid-date", format!("{name}: {e}"))))
            .transpose()
    };
    let (from, to) = (date("from")?, date("to")?);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(ApiError::bad_request(
            "invalid-range",
            format!("from {f} is after to {t}; give the earlier date as from"),
        ));
    }
    let limit = match req.query_one("limit") {
        None => 50,
        Some(v) => v.parse::<usize>().ok().filter(|n| (1..=500).contains(n)).ok_or_else(|| {
            ApiError::bad_request("invalid-limit", format!("limit {v:?} must be a whole number from 1 to 500"))
        })?,
    };
    let cursor = match req.query_one("cursor") {
        None => None,
        Some(c) => Some(cursor::decode(c).map(|_| c.to_owned()).ok_or_else(|| {
            ApiError::bad_request(
                "invalid-cursor",
                "cursor is not one this API issued; pass nextCursor from the previous page unchanged",
            )
        })?),
    };
    let query = EntryQuery {
        from,
        to,
        project: req.query_one("project").map(str::to_owned),
        tag: req.query_one("tag").map(normalize_tag),
        updated_since: req.query_one("updatedSince").map(parse_instant).transpose()?,
        limit,
        cursor,
    };
    let page = ctx.store.entries(&caller.owner, &query).await?;
    let entries = page.entries.iter().map(EntryAnswer::from).collect();
    Ok(ApiResponse::json(200, &EntryPage { entries, next_cursor: page.next_cursor }))
}

pub(crate) async fn start_timer(
    ctx: &AppContext,
    caller: &Caller,
    req: &ApiRequest,
    idem: Option<&Idempotency>,
) -> Result<ApiResponse, ApiError> {
    let body: TimerStartBody = typed(req)?;
    let start = TimerStart {
        project: project_field(body.project.map(Some), body.project_owner.as_deref(), caller)?.flatten(),
        task: required(body.task, "task")?,
        tags: body.tags,
        notes: body.notes,
        date: body.date,
        start_time: body.start_time,
    };
    apply(ctx, caller, Change::Start(start), idem).await
}

pub(crate) async fn finish_timer(
    ctx: &AppContext,
    caller: &Caller,
    req: &ApiRequest,
    idem: Option<&Idempotency>,
) -> Result<ApiResponse, ApiError> {
    // An empty body is fine: finish now.
    let finish = if req.body.iter().all(u8::is_ascii_whitespace) {
        TimerFinish::default()
    } else {
        let body: TimerFinishBody = typed(req)?;
        TimerFinish { end_time: body.end_time, notes: body.notes }
    };
    apply(ctx, caller, Change::Finish(finish), idem).await
}

pub(crate) async fn get_timer(ctx: &AppContext, caller: &Caller) -> Result<ApiResponse, ApiError> {
    let today = caller.today();
    let timer = ctx.store.snapshot(&caller.owner, today, today).await?.timer;
    let elapsed = timer.as_ref().map(|t| {
        let now = i64::from(chrono::Datelike::num_days_from_ce(&caller.now.0)) * 1440
            + i64::from(caller.now.1.minutes_since_midnight());
        (now - t.entry.start_abs()).max(0)
    });
    Ok(ApiResponse::json(
        200,
        &TimerAnswer { running: timer.as_ref().map(EntryAnswer::from), elapsed_minutes: elapsed },
    ))
}

/// How a project's entries move to another name.
pub(crate) enum ProjectMove<'a> {
    /// The project takes a new name (and metadata): its item moves with its entries.
    Rename(&'a Project),
    /// Its entries join another project, and it goes.
    Merge(&'a Project),
}

/// Renames a project: every entry of `old_name` takes the new name, the project item
/// moves, and each touched year's log version is bumped — one unit (in steps behind
/// the ingest mark on DynamoDB when there are many entries). Then the logs re-render.
pub(crate) async fn rename_project(
    ctx: &AppContext,
    caller: &Caller,
    old_name: &str,
    renamed: &Project,
) -> Result<usize, ApiError> {
    move_project(ctx, caller, old_name, ProjectMove::Rename(renamed)).await
}

/// Moves every entry of `old_name` to another project (rename or merge), as one unit;
/// returns how many entries moved.
pub(crate) async fn move_project(
    ctx: &AppContext,
    caller: &Caller,
    old_name: &str,
    how: ProjectMove<'_>,
) -> Result<usize, ApiError> {
    let renamed = match how {
        ProjectMove::Rename(p) | ProjectMove::Merge(p) => p,
    };
    let owner = &caller.owner;
    let _serialised = ctx.lock_writes(owner).await;
    for _ in 0..MAX_ATTEMPTS {
        let today = caller.today();
        let snapshot = ctx.store.snapshot(owner, today, today).await?;
        if snapshot.ingesting.is_some() {
            return Err(ingesting());
        }
        let mut query = EntryQuery { project: Some(old_name.to_owned()), limit: 1000, ..Default::default() };
        let mut entries = Vec::new();
        loop {
            let page = ctx.store.entries(owner, &query).await?;
            entries.extend(page.entries);
            match page.next_cursor {
                Some(cursor) => query.cursor = Some(cursor),
                None => break,
            }
        }
        let now = (ctx.clock)();
        let moved_count = entries.len();
        let mut years: Vec<FiscalYear> = Vec::new();
        let mut ops = Vec::with_capacity(entries.len() + 16);
        ops.extend(crate::store::model::month_touches(entries.iter().map(|e| e.entry.date)));
        for stored in entries {
            let year = caller.calendar.fiscal_year_of(stored.entry.date);
            if !years.contains(&year) {
                years.push(year);
            }
            let previous_sort_key = Some(stored.sort_key());
            let previous_project = Some(stored.entry.project.clone());
            let mut moved = stored;
            moved.entry.project = renamed.name.clone();
            moved.updated_at = now;
            ops.push(WriteOp::PutEntryAt { stored: moved, previous_sort_key, previous_project });
        }
        for year in &years {
            ops.push(WriteOp::TouchLog(LogTouch {
                fiscal_year: year.label(),
                bump: true,
                entry_delta: 0,
                last_upload: None,
                document_key: None,
                at: now,
            }));
        }
        ops.push(WriteOp::DeleteProject(old_name.to_owned()));
        let (action, unit) = match how {
            ProjectMove::Rename(_) => {
                ops.push(WriteOp::PutProject(renamed.clone()));
                ("project.rename", "rename")
            }
            ProjectMove::Merge(_) => ("project.merge", "merge"),
        };
        let record = crate::access::audit_record(caller, owner.user(), action, &renamed.name).change(
            Some(json!({"name": old_name, "entries": moved_count})),
            Some(serde_json::to_value(renamed).expect("projects serialise")),
        );
        ops.push(WriteOp::PutAudit(record));
        // The same move retried (e.g. after a timeout) resumes its own unfinished unit.
        let unit = format!("{unit}:{}:{}", project_key(old_name), project_key(&renamed.name));
        match ctx.store.commit_ingest(owner, snapshot.version, ops, &unit).await {
            Ok(()) => {
                publish_after_write(ctx, owner, &years).await;
                return Ok(moved_count);
            }
            Err(CommitError::Conflict) => continue,
            Err(CommitError::Store(e)) => return Err(e.into()),
        }
    }
    Err(busy())
}
