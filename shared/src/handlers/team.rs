//! Shared projects and their members, the team data reports read, and the audit trail
//! (SPEC §9). Anything the caller may not see answers 404, like a missing thing.

use super::{AppContext, Caller};
use crate::domain::names::project_key;
use crate::domain::project::is_conventional;
use crate::domain::sharing::{MembershipRefusal, Role, SharedProject, Standing, check_membership_change};
use crate::domain::{Project, ProjectCatalog};
use crate::http::routes::Matched;
use crate::http::{ApiError, ApiRequest, ApiResponse};
use crate::store::team::{
    AuditCursor, AuditRecord, append_audit, audit_records, is_registered, save_shared_project, shared_project,
    shared_projects, tenant_users,
};
use crate::store::{EntryQuery, Owner, StoredEntry};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use futures::StreamExt;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// How many users' entries a team read fetches at once.
const READ_CONCURRENCY: usize = 16;

/// The tenant's shared projects, as one caller sees them.
pub(crate) struct Sharing {
    pub shares: Vec<SharedProject>,
}

impl Sharing {
    pub async fn load(ctx: &AppContext, tenant: &str) -> Result<Self, ApiError> {
        Ok(Self { shares: shared_projects(ctx.store.as_ref(), tenant).await? })
    }

    pub fn get(&self, name: &str) -> Option<&SharedProject> {
        let key = project_key(name);
        self.shares.iter().find(|s| project_key(&s.name) == key)
    }

    /// The shared project `name` and the user's standing on it, if they have one.
    pub fn standing(&self, name: &str, user: &str) -> Option<(&SharedProject, Standing)> {
        let share = self.get(name)?;
        Some((share, share.standing(user)?))
    }

    /// Shared projects the user has a standing on.
    pub fn visible_to<'a>(&'a self, user: &'a str) -> impl Iterator<Item = (&'a SharedProject, Standing)> + 'a {
        self.shares.iter().filter_map(move |s| Some((s, s.standing(user)?)))
    }
}

/// A colleague of the caller named by a stored id (a share's owner or member, a
/// directory entry); one that is not a valid id is corrupt data.
fn owner_of(caller: &Caller, user: &str) -> Result<Owner, crate::store::StoreError> {
    caller.owner.colleague(user).map_err(|e| crate::store::StoreError(format!("corrupt id: {e}")))
}

/// A user's own project named `name` (names ignore case).
async fn own_project(ctx: &AppContext, owner: &Owner, name: &str) -> Result<Option<Project>, ApiError> {
    Ok(ProjectCatalog::new(ctx.store.projects(owner).await?).get(name).cloned())
}

/// The shared projects' metadata, as their owners keep it; `catalogs` holds owners'
/// projects already read, the others are read here, each owner once.
async fn shares_metadata(
    ctx: &AppContext,
    caller: &Caller,
    shares: &[&SharedProject],
    catalogs: &mut BTreeMap<String, ProjectCatalog>,
) -> Result<Vec<Project>, ApiError> {
    let mut out = Vec::new();
    for share in shares {
        if !catalogs.contains_key(&share.owner) {
            let projects = ctx.store.projects(&owner_of(caller, &share.owner)?).await?;
            catalogs.insert(share.owner.clone(), ProjectCatalog::new(projects));
        }
        out.extend(catalogs[&share.owner].get(&share.name).cloned());
    }
    Ok(out)
}

/// The caller's projects and the projects shared with them (the shared project's
/// metadata wins over a private project of the same name).
pub(crate) async fn catalog_with_shares(
    ctx: &AppContext,
    caller: &Caller,
    sharing: &Sharing,
) -> Result<ProjectCatalog, ApiError> {
    let others: Vec<&SharedProject> = sharing
        .visible_to(caller.owner.user())
        .filter(|(_, standing)| *standing != Standing::Owner)
        .map(|(share, _)| share)
        .collect();
    let shared = shares_metadata(ctx, caller, &others, &mut BTreeMap::new()).await?;
    let mut catalog = ProjectCatalog::new(shared);
    for project in ctx.store.projects(&caller.owner).await? {
        catalog.insert(project);
    }
    Ok(catalog)
}

/// Entries of several users, each with its user: what team reports are computed from.
pub(crate) struct TeamData {
    pub stored: Vec<(String, StoredEntry)>,
    pub catalog: ProjectCatalog,
    /// Users left out because their stored data is corrupt (only when asked to skip them).
    pub skipped: Vec<String>,
}

/// One user's entries, each with the user.
pub(crate) type UserEntries = Vec<(String, StoredEntry)>;

pub(crate) async fn entries_of(
    ctx: &AppContext,
    owner: Owner,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    project: Option<String>,
) -> Result<UserEntries, crate::store::StoreError> {
    let mut query = EntryQuery { from, to, project, limit: 1000, ..Default::default() };
    let mut out = Vec::new();
    loop {
        let page = ctx.store.entries(&owner, &query).await?;
        out.extend(page.entries.into_iter().map(|e| (owner.user().to_owned(), e)));
        match page.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => return Ok(out),
        }
    }
}

/// What the caller may see in team reports, dated `from..=to`: a tenant administrator
/// every user of the tenant; anyone else the entries of the projects they have a
/// standing on, by the users who log time on them. `project` narrows to one project.
/// With `skip_corrupt` a user whose data cannot be decoded is left out (and named)
/// instead of failing the whole read: a tenant summary should not wait for one user.
pub(crate) async fn team_data(
    ctx: &AppContext,
    caller: &Caller,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    project: Option<&str>,
    whole_tenant: bool,
    skip_corrupt: bool,
) -> Result<TeamData, ApiError> {
    let sharing = Sharing::load(ctx, caller.owner.tenant()).await?;
    // (user, project filter) reads.
    let mut reads: Vec<(String, Option<String>)> = Vec::new();
    let mut visible: Vec<&SharedProject> = Vec::new();
    if whole_tenant {
        visible.extend(&sharing.shares);
        let users = tenant_users(ctx.store.as_ref(), caller.owner.tenant()).await?;
        reads.extend(users.into_iter().map(|u| (u, project.map(str::to_owned))));
    } else {
        for (share, _) in sharing.visible_to(caller.owner.user()) {
            if project.is_some_and(|p| project_key(p) != project_key(&share.name)) {
                continue;
            }
            visible.push(share);
            reads.extend(share.loggers().map(|u| (u.to_owned(), Some(share.name.clone()))));
        }
    }
    let results: Vec<(String, Result<UserEntries, crate::store::StoreError>)> = futures::stream::iter(reads.clone())
        .map(|(user, filter)| async move {
            let read = match owner_of(caller, &user) {
                Ok(owner) => entries_of(ctx, owner, from, to, filter).await,
                Err(e) => Err(e),
            };
            (user, read)
        })
        .buffered(READ_CONCURRENCY)
        .collect()
        .await;
    let mut per_user = Vec::with_capacity(results.len());
    let mut skipped = Vec::new();
    for (user, read) in results {
        match read {
            Ok(entries) => per_user.push(entries),
            Err(e) if skip_corrupt && e.is_corrupt() => {
                tracing::error!(user = %user, error = %e, "left out of a team report: corrupt data");
                skipped.push(user);
            }
            Err(e) => return Err(e.into()),
        }
    }
    // Every project of a tenant-wide read's users (each read once); shared projects'
    // metadata first, so it wins over a private project of the same name.
    let mut catalogs: BTreeMap<String, ProjectCatalog> = BTreeMap::new();
    if whole_tenant {
        for (user, _) in &reads {
            if !skipped.contains(user) && !catalogs.contains_key(user) {
                let projects = ctx.store.projects(&owner_of(caller, user)?).await?;
                catalogs.insert(user.clone(), ProjectCatalog::new(projects));
            }
        }
        // A skipped owner's shared projects are left out with their entries.
        visible.retain(|share| catalogs.contains_key(&share.owner));
    }
    let mut catalog = ProjectCatalog::new(shares_metadata(ctx, caller, &visible, &mut catalogs).await?);
    if whole_tenant {
        for user_catalog in catalogs.values() {
            for p in user_catalog.projects() {
                catalog.insert(p.clone());
            }
        }
    }
    let mut stored: Vec<(String, StoredEntry)> = per_user.into_iter().flatten().collect();
    stored.sort_by(|a, b| (a.1.entry.date, a.1.entry.start, &a.0).cmp(&(b.1.entry.date, b.1.entry.start, &b.0)));
    Ok(TeamData { stored, catalog, skipped })
}

/// Records a change made outside an entry commit. The change is already stored, so a
/// failing audit write is logged, not turned into an error the client would retry.
pub(crate) async fn audit(ctx: &AppContext, record: AuditRecord) {
    if let Err(e) = append_audit(ctx.store.as_ref(), &record).await {
        tracing::error!(error = %e, action = %record.action, "audit record not written");
    }
}

pub(crate) fn audit_record(caller: &Caller, subject: &str, action: &str, target: &str) -> AuditRecord {
    let mut record = AuditRecord::new(&caller.owner, caller.owner.user(), action, target, caller.at);
    record.subject = subject.to_owned();
    record
}

// ---- members ---------------------------------------------------------------------

fn not_visible(name: &str) -> ApiError {
    ApiError::not_found(format!("no project named {name:?}; list them with GET /v1/projects"))
}

fn refusal(name: &str, refusal: MembershipRefusal) -> ApiError {
    match refusal {
        MembershipRefusal::NotVisible => not_visible(name),
        MembershipRefusal::NotAdmin(standing) => ApiError::forbidden(format!(
            "you are a {} of {name:?}; only its owner and project admins change members",
            standing.label()
        )),
        MembershipRefusal::Owner => ApiError::conflict(
            "owner-not-member",
            format!("the owner of {name:?} has every right and cannot be given a role or removed"),
        ),
    }
}

fn members_body(share: &SharedProject) -> Value {
    let mut members = vec![json!({"user": share.owner, "role": "owner"})];
    members.extend(share.members.iter().map(|(u, r)| json!({"user": u, "role": r})));
    json!({"project": share.name, "owner": share.owner, "members": members})
}

/// The shared project `name` for a membership change: the existing share, or a new one
/// when the caller owns a private project of that name.
async fn share_for_change(
    ctx: &AppContext,
    caller: &Caller,
    name: &str,
) -> Result<(SharedProject, Option<u64>), ApiError> {
    if let Some(share) = shared_project(ctx.store.as_ref(), caller.owner.tenant(), name).await? {
        let revision = share.revision;
        return Ok((share, Some(revision)));
    }
    let project = own_project(ctx, &caller.owner, name).await?.ok_or_else(|| not_visible(name))?;
    if is_conventional(&project.name) {
        return Err(ApiError::new(
            422,
            "conventional-project",
            "Non-Project and Unproductive are every user's own; they cannot be shared",
        ));
    }
    let share = SharedProject {
        name: project.name,
        owner: caller.owner.user().to_owned(),
        members: BTreeMap::new(),
        revision: 0,
        updated_at: caller.at,
    };
    Ok((share, None))
}

const MAX_SHARE_ATTEMPTS: usize = 8;

/// `PUT /v1/projects/{name}/members/{user}` with `{"role": ...}`.
pub(crate) async fn put_member(
    ctx: &AppContext,
    caller: &Caller,
    matched: &Matched,
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let name = matched.param("name").unwrap_or_default();
    let target = matched.param("user").unwrap_or_default().trim().to_owned();
    let body = super::JsonBody::parse(req, &["role"])?;
    let role: Role =
        body.required_string("role")?.parse().map_err(|message: String| ApiError::new(422, "invalid-role", message))?;
    for _ in 0..MAX_SHARE_ATTEMPTS {
        let (mut share, read) = share_for_change(ctx, caller, name).await?;
        check_membership_change(&share, caller.owner.user(), &target, false).map_err(|r| refusal(name, r))?;
        let member = caller.owner.colleague(&target).ok();
        let registered = match &member {
            Some(member) => is_registered(ctx.store.as_ref(), member).await?,
            None => false,
        };
        if !registered {
            return Err(ApiError::new(
                404,
                "unknown-user",
                format!(
                    "no user {target:?} in your tenant has signed in yet; members are users of your tenant, named by \
                     their user id (GET /v1/me shows it), and must sign in once before they can be added"
                ),
            ));
        }
        let before = share.members.insert(target.clone(), role);
        if before == Some(role) {
            return Ok(ApiResponse::json(200, &members_body(&share)));
        }
        share.updated_at = caller.at;
        if save_shared_project(ctx.store.as_ref(), caller.owner.tenant(), &share, read).await? {
            let record = audit_record(caller, &target, "member.put", &share.name)
                .change(before.map(|r| json!({"role": r})), Some(json!({"role": role, "owner": share.owner})));
            audit(ctx, record).await;
            share.revision = read.map_or(1, |r| r + 1);
            return Ok(ApiResponse::json(if before.is_some() { 200 } else { 201 }, &members_body(&share)));
        }
    }
    Err(ApiError::new(503, "busy", "the project's members changed concurrently; retry in a moment"))
}

/// `DELETE /v1/projects/{name}/members/{user}`.
pub(crate) async fn delete_member(
    ctx: &AppContext,
    caller: &Caller,
    matched: &Matched,
) -> Result<ApiResponse, ApiError> {
    let name = matched.param("name").unwrap_or_default();
    let target = matched.param("user").unwrap_or_default().trim().to_owned();
    for _ in 0..MAX_SHARE_ATTEMPTS {
        let Some(mut share) = shared_project(ctx.store.as_ref(), caller.owner.tenant(), name).await? else {
            return Err(not_visible(name));
        };
        check_membership_change(&share, caller.owner.user(), &target, true).map_err(|r| refusal(name, r))?;
        let Some(before) = share.members.remove(&target) else {
            return Err(ApiError::new(
                404,
                "not-a-member",
                format!("{target:?} is not a member of {name:?}; see GET /v1/projects/{{name}}/members"),
            ));
        };
        let read = share.revision;
        share.updated_at = caller.at;
        if save_shared_project(ctx.store.as_ref(), caller.owner.tenant(), &share, Some(read)).await? {
            let record = audit_record(caller, &target, "member.delete", &share.name)
                .change(Some(json!({"role": before, "owner": share.owner})), None);
            audit(ctx, record).await;
            return Ok(ApiResponse::no_content());
        }
    }
    Err(ApiError::new(503, "busy", "the project's members changed concurrently; retry in a moment"))
}

/// `GET /v1/projects/{name}/members`: for anyone with a standing on it; a private
/// project of the caller lists only its owner.
pub(crate) async fn list_members(
    ctx: &AppContext,
    caller: &Caller,
    matched: &Matched,
) -> Result<ApiResponse, ApiError> {
    let name = matched.param("name").unwrap_or_default();
    if let Some(share) = shared_project(ctx.store.as_ref(), caller.owner.tenant(), name).await?
        && share.standing(caller.owner.user()).is_some()
    {
        return Ok(ApiResponse::json(200, &members_body(&share)));
    }
    let project = own_project(ctx, &caller.owner, name).await?.ok_or_else(|| not_visible(name))?;
    Ok(ApiResponse::json(
        200,
        &json!({"project": project.name, "owner": caller.owner.user(), "members": [{"user": caller.owner.user(), "role": "owner"}]}),
    ))
}

// ---- audit -----------------------------------------------------------------------

fn audit_cursor(cursor: &AuditCursor) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(cursor).expect("cursors serialise"))
}

fn parse_audit_cursor(text: &str) -> Option<AuditCursor> {
    if text.len() > 600 {
        return None;
    }
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(text).ok()?).ok()
}

/// `GET /v1/audit?from&to[&limit][&cursor]`: the caller's own changes and changes to
/// their data; a tenant administrator's covers the tenant.
pub(crate) async fn list_audit(ctx: &AppContext, caller: &Caller, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let date = |name: &str, default: NaiveDate| -> Result<NaiveDate, ApiError> {
        match req.query_one(name) {
            None => Ok(default),
            Some(text) => crate::domain::calendar::parse_date(text.trim())
                .map_err(|e| ApiError::bad_request("invalid-date", format!("{name}: {}", e.0))),
        }
    };
    let today = caller.at.date_naive();
    let to = date("to", today)?;
    let from = date("from", to - chrono::Days::new(30))?;
    if from > to {
        return Err(ApiError::bad_request("invalid-range", format!("from {from} is after to {to}; swap them")));
    }
    if (to - from).num_days() > 366 {
        return Err(ApiError::bad_request("invalid-range", "ask for at most 366 days at a time (from..to)"));
    }
    let limit = match req.query_one("limit") {
        None => 100,
        Some(v) => v.parse::<usize>().ok().filter(|n| (1..=1000).contains(n)).ok_or_else(|| {
            ApiError::bad_request("invalid-limit", format!("limit {v:?} must be a whole number from 1 to 1000"))
        })?,
    };
    let cursor = req
        .query_one("cursor")
        .map(|c| {
            parse_audit_cursor(c).filter(|c| c.continues(from, to)).ok_or_else(|| {
                ApiError::bad_request(
                    "invalid-cursor",
                    "cursor is not one this API issued for this from/to; pass nextCursor from the previous page \
                     unchanged, with the same from and to",
                )
            })
        })
        .transpose()?;
    let whole_tenant = caller.principal.is_tenant_admin();
    let user = caller.owner.user().to_owned();
    let (records, next) = audit_records(
        ctx.store.as_ref(),
        caller.owner.tenant(),
        from,
        to,
        |r| whole_tenant || r.concerns(&user),
        cursor,
        limit,
    )
    .await?;
    Ok(ApiResponse::json(
        200,
        &json!({
            "from": from,
            "to": to,
            "scope": if whole_tenant { "tenant" } else { "user" },
            "records": records,
            "nextCursor": next.as_ref().map(audit_cursor),
        }),
    ))
}
