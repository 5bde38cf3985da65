//! Shared projects and their members, the team data reports read, and the audit trail
//! (docs/rules.md §9). Anything the caller may not see answers 404, like a missing thing.

use super::{AppContext, Caller};
use crate::http::routes::Matched;
use crate::http::{ApiError, ApiRequest, ApiResponse};
use crate::store::team::{
    AuditCursor, AuditRecord, append_audit, audit_records, is_registered, save_shared_project, shared_projects,
    tenant_users,
};
use crate::store::{EntryQuery, Owner, StoredEntry};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use futures::StreamExt;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use tm_core::domain::names::{project_key, project_ref};
use tm_core::domain::project::is_conventional;
use tm_core::domain::sharing::{MembershipRefusal, Role, SharedProject, Standing, check_membership_change};
use tm_core::domain::{Project, ProjectCatalog};

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

    /// `owner`'s shared project `name`.
    pub fn find(&self, owner: &str, name: &str) -> Option<&SharedProject> {
        self.shares.iter().find(|s| s.is(owner, name))
    }

    /// The colleague's shared project an entry's `OWNER/Name` reference names, and the
    /// user's standing on it (`None` when it names none, or one they have no standing on).
    pub fn named_by(&self, project: &str, user: &str) -> Option<(&SharedProject, Standing)> {
        let reference = project_ref(project);
        let share = self.find(reference.owner?, reference.name)?;
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
    caller.owner.colleague(user).map_err(|e| crate::store::StoreError::corrupt("user id", e.to_string()))
}

/// The owner's project metadata of a share (a share always has its owner's project;
/// if that went missing the defaults stand in).
async fn share_metadata(
    ctx: &AppContext,
    caller: &Caller,
    share: &SharedProject,
    catalogs: &mut BTreeMap<String, ProjectCatalog>,
) -> Result<Project, ApiError> {
    if !catalogs.contains_key(&share.owner) {
        let projects = ctx.store.projects(&owner_of(caller, &share.owner)?).await?;
        catalogs.insert(share.owner.clone(), ProjectCatalog::new(projects));
    }
    Ok(catalogs[&share.owner]
        .get(&share.name)
        .cloned()
        .unwrap_or_else(|| Project::auto_created(&share.name, share.updated_at.date_naive())))
}

/// The caller's own projects, and each colleague's project shared with them under its
/// `OWNER/Name` reference (with the owner's metadata). A member's own project of the
/// same name is a different project and stays as it is.
pub(crate) async fn catalog_with_shares(
    ctx: &AppContext,
    caller: &Caller,
    sharing: &Sharing,
) -> Result<ProjectCatalog, ApiError> {
    let mut catalog = ProjectCatalog::new(ctx.store.projects(&caller.owner).await?);
    let mut catalogs = BTreeMap::new();
    for (share, standing) in sharing.visible_to(caller.owner.user()) {
        if standing == Standing::Owner {
            continue;
        }
        let mut project = share_metadata(ctx, caller, share, &mut catalogs).await?;
        project.name = share.log_as();
        catalog.insert(project);
    }
    Ok(catalog)
}

/// What a `{name}` in a project route names, for the caller.
pub(crate) enum ProjectTarget {
    /// The caller's own project, and its share if they shared it.
    Own { project: Project, share: Option<SharedProject> },
    /// A colleague's project shared with the caller.
    Colleague { share: SharedProject, standing: Standing, project: Project },
}

impl ProjectTarget {
    pub fn share(&self) -> Option<&SharedProject> {
        match self {
            Self::Own { share, .. } => share.as_ref(),
            Self::Colleague { share, .. } => Some(share),
        }
    }

    /// The caller's standing (the owner of their own project).
    pub fn standing(&self) -> Standing {
        match self {
            Self::Own { .. } => Standing::Owner,
            Self::Colleague { standing, .. } => *standing,
        }
    }

    pub fn project(&self) -> &Project {
        match self {
            Self::Own { project, .. } | Self::Colleague { project, .. } => project,
        }
    }
}

/// Resolves `{name}` of a project route: `OWNER/Name` (or `?owner=ID`) names a
/// colleague's shared project; a plain name is the caller's own project, or else the one
/// project of that name shared with them (several: 409 asking for the owner).
pub(crate) async fn resolve_project(
    ctx: &AppContext,
    caller: &Caller,
    sharing: &Sharing,
    name: &str,
    owner_param: Option<&str>,
) -> Result<ProjectTarget, ApiError> {
    let reference = project_ref(name);
    let owner = match (reference.owner, owner_param.map(str::trim).filter(|o| !o.is_empty())) {
        (Some(a), Some(b)) if !a.eq_ignore_ascii_case(b) => {
            return Err(ApiError::bad_request(
                "invalid-owner",
                format!("{name:?} names the owner {a:?} but ?owner= says {b:?}; give the owner once"),
            ));
        }
        (a, b) => a.or(b),
    };
    let me = caller.owner.user();
    let own = |project: Project| ProjectTarget::Own { share: sharing.find(me, &project.name).cloned(), project };
    if owner.is_none_or(|o| o.eq_ignore_ascii_case(me)) {
        if let Some(project) = ProjectCatalog::new(ctx.store.projects(&caller.owner).await?).get(reference.name) {
            return Ok(own(project.clone()));
        }
        if owner.is_some() {
            return Err(not_visible(name));
        }
    }
    let candidates: Vec<(&SharedProject, Standing)> = sharing
        .visible_to(me)
        .filter(|(s, standing)| {
            *standing != Standing::Owner
                && owner.is_none_or(|o| s.owner.eq_ignore_ascii_case(o))
                && project_key(&s.name) == project_key(reference.name)
        })
        .collect();
    match candidates.as_slice() {
        [] => Err(not_visible(name)),
        [(share, standing)] => {
            let project = share_metadata(ctx, caller, share, &mut BTreeMap::new()).await?;
            Ok(ProjectTarget::Colleague { share: (*share).clone(), standing: *standing, project })
        }
        several => Err(ApiError::conflict(
            "ambiguous-project",
            format!(
                "{} colleagues share a project named {name:?} with you; name the one you mean as OWNER/Name or \
                 with ?owner=ID",
                several.len()
            ),
        )
        .with_details(json!({"logAs": several.iter().map(|(s, _)| s.log_as()).collect::<Vec<_>>()}))),
    }
}

/// Entries of several users, each with its user: what team reports are computed from.
/// A shared project's entries carry its label as their project (its name, or
/// `OWNER/Name` where the report has another project of that name).
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

/// Whose entries a team read covers.
#[derive(Clone, Copy)]
pub(crate) enum TeamScope<'a> {
    /// Every user of the tenant (tenant administrators, team summaries).
    Tenant,
    /// The shared projects the caller has a standing on.
    Visible,
    /// One shared project (its summary).
    Share(&'a SharedProject),
}

/// What a team read may see, dated `from..=to`. A shared project's entries are its
/// owner's entries of it and its members' entries naming it `OWNER/Name`, never a
/// member's entries of their own project of the same name. With `skip_corrupt` a user
/// whose data cannot be decoded is left out (and named) instead of failing the whole
/// read: a tenant summary should not wait for one user.
pub(crate) async fn team_data(
    ctx: &AppContext,
    caller: &Caller,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    scope: TeamScope<'_>,
    skip_corrupt: bool,
) -> Result<TeamData, ApiError> {
    let sharing = Sharing::load(ctx, caller.owner.tenant()).await?;
    let shares: Vec<&SharedProject> = match scope {
        TeamScope::Tenant => sharing.shares.iter().collect(),
        TeamScope::Visible => sharing.visible_to(caller.owner.user()).map(|(s, _)| s).collect(),
        TeamScope::Share(share) => vec![share],
    };
    // (user, project filter) reads, each done once.
    let mut reads: Vec<(String, Option<String>)> = Vec::new();
    match scope {
        TeamScope::Tenant => {
            let users = tenant_users(ctx.store.as_ref(), caller.owner.tenant()).await?;
            reads.extend(users.into_iter().map(|u| (u, None)));
        }
        TeamScope::Visible | TeamScope::Share(_) => {
            for share in &shares {
                for author in share.authors() {
                    let filter = if author == share.owner { share.name.clone() } else { share.log_as() };
                    let read = (author.to_owned(), Some(filter));
                    if !reads.contains(&read) {
                        reads.push(read);
                    }
                }
            }
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
    let mut stored: Vec<(String, StoredEntry)> = Vec::new();
    let mut skipped = Vec::new();
    for (user, read) in results {
        match read {
            Ok(entries) => stored.extend(entries),
            Err(e) if skip_corrupt && e.is_corrupt() => {
                tracing::error!(user = %user, error = %e, "left out of a team report: corrupt data");
                skipped.push(user);
            }
            Err(e) => return Err(e.into()),
        }
    }
    // Which shared project each entry belongs to, by identity.
    let share_of = |user: &str, project: &str| -> Option<usize> {
        let reference = project_ref(project);
        let (owner, by_member) = match reference.owner {
            Some(owner) => (owner, true),
            None => (user, false),
        };
        shares
            .iter()
            .position(|s| s.is(owner, reference.name) && (!by_member || s.authors().any(|a| a == user && a != s.owner)))
    };
    let belongs: Vec<Option<usize>> = stored.iter().map(|(u, s)| share_of(u, &s.entry.project)).collect();
    // Entries of a share the read was not for (a tenant read's other projects) stay
    // as their authors named them; in a project read everything belongs to a share.
    let private_keys: std::collections::BTreeSet<String> = stored
        .iter()
        .zip(&belongs)
        .filter(|(_, b)| b.is_none())
        .map(|((_, s), _)| project_key(&s.entry.project))
        .collect();
    let labels: Vec<String> = shares
        .iter()
        .map(|share| {
            let key = project_key(&share.name);
            let twin = shares.iter().any(|o| !std::ptr::eq(*o, *share) && project_key(&o.name) == key);
            if twin || private_keys.contains(&key) { share.log_as() } else { share.name.clone() }
        })
        .collect();
    let mut kept = Vec::with_capacity(stored.len());
    for ((user, mut entry), belongs) in stored.into_iter().zip(belongs) {
        match belongs {
            Some(i) => entry.entry.project = labels[i].clone(),
            // A project read keeps only what belongs to its shares.
            None if !matches!(scope, TeamScope::Tenant) => continue,
            None => {}
        }
        kept.push((user, entry));
    }
    // The shares' metadata under their labels first; a tenant read adds every user's
    // private projects (the shared ones come through their shares).
    let mut catalogs: BTreeMap<String, ProjectCatalog> = BTreeMap::new();
    let mut catalog = ProjectCatalog::default();
    for (share, label) in shares.iter().zip(&labels) {
        if skipped.contains(&share.owner) {
            continue;
        }
        let mut project = share_metadata(ctx, caller, share, &mut catalogs).await?;
        project.name = label.clone();
        catalog.insert(project);
    }
    if matches!(scope, TeamScope::Tenant) {
        for (user, _) in &reads {
            if skipped.contains(user) {
                continue;
            }
            if !catalogs.contains_key(user) {
                let projects = ctx.store.projects(&owner_of(caller, user)?).await?;
                catalogs.insert(user.clone(), ProjectCatalog::new(projects));
            }
            for p in catalogs[user].projects() {
                if sharing.find(user, &p.name).is_none() {
                    catalog.insert(p.clone());
                }
            }
        }
    }
    kept.sort_by(|a, b| (a.1.entry.date, a.1.entry.start, &a.0).cmp(&(b.1.entry.date, b.1.entry.start, &b.0)));
    Ok(TeamData { stored: kept, catalog, skipped })
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
    json!({"project": share.name, "owner": share.owner, "logAs": share.log_as(), "members": members})
}

/// The project of a members route: its `{name}` (and `?owner=`), resolved for the caller.
async fn member_target(
    ctx: &AppContext,
    caller: &Caller,
    matched: &Matched,
    req: &ApiRequest,
) -> Result<ProjectTarget, ApiError> {
    let sharing = Sharing::load(ctx, caller.owner.tenant()).await?;
    let name = matched.param("name").unwrap_or_default();
    resolve_project(ctx, caller, &sharing, name, req.query_one("owner")).await
}

/// The shared project for a membership change: the existing share, or a new one when
/// the caller's own project is not shared yet.
fn share_for_change(caller: &Caller, target: ProjectTarget) -> Result<(SharedProject, Option<u64>), ApiError> {
    let project = match target {
        ProjectTarget::Own { share: Some(share), .. } | ProjectTarget::Colleague { share, .. } => {
            let revision = share.revision;
            return Ok((share, Some(revision)));
        }
        ProjectTarget::Own { project, share: None } => project,
    };
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
        former_members: Default::default(),
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
        let (mut share, read) = share_for_change(caller, member_target(ctx, caller, matched, req).await?)?;
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
                    "no user {target:?} in your tenant's directory; members are users of your tenant, named by their \
                     user id (GET /v1/me shows it), who have signed up or made a change once (e.g. PATCH /v1/me)"
                ),
            ));
        }
        let before = share.members.insert(target.clone(), role);
        if before == Some(role) {
            return Ok(ApiResponse::json(200, &members_body(&share)));
        }
        share.former_members.remove(&target);
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
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let name = matched.param("name").unwrap_or_default();
    let target = matched.param("user").unwrap_or_default().trim().to_owned();
    for _ in 0..MAX_SHARE_ATTEMPTS {
        let resolved = member_target(ctx, caller, matched, req).await?;
        let Some(mut share) = resolved.share().cloned() else {
            return Err(ApiError::new(
                404,
                "not-a-member",
                format!("{name:?} is not shared; it has no members to remove"),
            ));
        };
        check_membership_change(&share, caller.owner.user(), &target, true).map_err(|r| refusal(name, r))?;
        let Some(before) = share.remove_member(&target) else {
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
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    match member_target(ctx, caller, matched, req).await? {
        ProjectTarget::Own { share: Some(share), .. } | ProjectTarget::Colleague { share, .. } => {
            Ok(ApiResponse::json(200, &members_body(&share)))
        }
        ProjectTarget::Own { project, share: None } => Ok(ApiResponse::json(
            200,
            &json!({
                "project": project.name,
                "owner": caller.owner.user(),
                "logAs": project.name,
                "members": [{"user": caller.owner.user(), "role": "owner"}],
            }),
        )),
    }
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
            Some(text) => tm_core::domain::calendar::parse_date(text.trim())
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
