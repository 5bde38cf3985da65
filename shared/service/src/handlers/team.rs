//! Route handlers for shared projects' members and the audit trail; the rules they
//! apply are in [`crate::access`].

use crate::access::{ProjectTarget, Sharing, audit, audit_record, not_visible, resolve_project};
use crate::context::{AppContext, Caller};
use crate::http::answers::{AuditPage, Member, MemberStanding, MembersAnswer};
use crate::http::routes::Matched;
use crate::http::{ApiError, ApiRequest, ApiResponse};
use crate::store::team::{
    AuditCursor, DirectoryEntry, PersonStatus, audit_records, display_names, person, save_shared_project, tenant_people,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use serde_json::json;
use std::collections::BTreeMap;
use tm_core::domain::project::is_conventional;
use tm_core::domain::sharing::{MembershipRefusal, Role, SharedProject, check_membership_change};

// ---- members ---------------------------------------------------------------------

fn refusal(name: &str, refusal: MembershipRefusal) -> ApiError {
    match refusal {
        MembershipRefusal::NotVisible => not_visible(name).into(),
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

type Names = BTreeMap<String, String>;

fn member(user: &str, role: MemberStanding, names: &Names) -> Member {
    Member { user: user.to_owned(), name: names.get(user).cloned(), role }
}

fn members_body(share: &SharedProject, names: &Names) -> MembersAnswer {
    let mut members = vec![member(&share.owner, MemberStanding::Owner, names)];
    members.extend(share.members.iter().map(|(u, r)| member(u, (*r).into(), names)));
    MembersAnswer { project: share.name.clone(), owner: share.owner.clone(), log_as: share.log_as(), members }
}

async fn names(ctx: &AppContext, caller: &Caller) -> Result<Names, ApiError> {
    Ok(display_names(ctx.store.as_ref(), caller.owner.tenant()).await?)
}

/// The colleague a members route names: by user id, email or username. `removed`
/// people may still be taken off a project, never put on one.
async fn colleague(ctx: &AppContext, caller: &Caller, handle: &str, removed: bool) -> Result<String, ApiError> {
    let usable = |p: &DirectoryEntry| removed || p.status != PersonStatus::Removed;
    if let Ok(owner) = caller.owner.colleague(handle)
        && let Some(found) = person(ctx.store.as_ref(), &owner).await?
    {
        if usable(&found) {
            return Ok(found.user);
        }
    } else {
        let people = tenant_people(ctx.store.as_ref(), caller.owner.tenant()).await?;
        let mut matching: Vec<&DirectoryEntry> = people.iter().filter(|p| usable(p) && p.answers_to(handle)).collect();
        // An email removed once and invited again: the current person.
        if matching.len() > 1 {
            matching.retain(|p| p.status != PersonStatus::Removed);
        }
        if let [one] = matching.as_slice() {
            return Ok(one.user.clone());
        }
    }
    if removed {
        // Not in the directory at all: the share may still name them (legacy members).
        return Ok(handle.to_owned());
    }
    Err(ApiError::new(
        404,
        "unknown-user",
        format!(
            "no one in your tenant is called {handle:?}; name a colleague by their user id, email or username \
             (GET /v1/users lists them), or invite them first (POST /v1/admin/users)"
        ),
    ))
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
    Ok(resolve_project(ctx, caller, &sharing, name, req.query_one("owner")).await?)
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
    let handle = matched.param("user").unwrap_or_default().trim().to_owned();
    let body: crate::http::bodies::MemberRole = super::body::typed(req)?;
    let role: Role = super::body::required(body.role, "role")?
        .parse()
        .map_err(|message: String| ApiError::new(422, "invalid-role", message))?;
    for _ in 0..MAX_SHARE_ATTEMPTS {
        let (mut share, read) = share_for_change(caller, member_target(ctx, caller, matched, req).await?)?;
        // Checked before the colleague is looked up: no one learns who is in the
        // directory from a project they may not change.
        check_membership_change(&share, caller.owner.user(), &handle, false).map_err(|r| refusal(name, r))?;
        let target = colleague(ctx, caller, &handle, false).await?;
        check_membership_change(&share, caller.owner.user(), &target, false).map_err(|r| refusal(name, r))?;
        let before = share.members.insert(target.clone(), role);
        if before == Some(role) {
            return Ok(ApiResponse::json(200, &members_body(&share, &names(ctx, caller).await?)));
        }
        share.former_members.remove(&target);
        share.updated_at = caller.at;
        if save_shared_project(ctx.store.as_ref(), caller.owner.tenant(), &share, read).await? {
            let record = audit_record(caller, &target, "member.put", &share.name)
                .change(before.map(|r| json!({"role": r})), Some(json!({"role": role, "owner": share.owner})));
            audit(ctx, record).await;
            share.revision = read.map_or(1, |r| r + 1);
            let body = members_body(&share, &names(ctx, caller).await?);
            return Ok(ApiResponse::json(if before.is_some() { 200 } else { 201 }, &body));
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
    let handle = matched.param("user").unwrap_or_default().trim().to_owned();
    let mut target = handle.clone();
    for attempt in 0..MAX_SHARE_ATTEMPTS {
        let resolved = member_target(ctx, caller, matched, req).await?;
        if attempt == 0 && resolved.share().is_some_and(|s| !s.members.contains_key(&handle)) {
            target = colleague(ctx, caller, &handle, true).await?;
        }
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
            Ok(ApiResponse::json(200, &members_body(&share, &names(ctx, caller).await?)))
        }
        ProjectTarget::Own { project, share: None } => Ok(ApiResponse::json(
            200,
            &MembersAnswer {
                log_as: project.name.clone(),
                project: project.name,
                owner: caller.owner.user().to_owned(),
                members: vec![member(caller.owner.user(), MemberStanding::Owner, &names(ctx, caller).await?)],
            },
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
    let (mut records, next) = audit_records(
        ctx.store.as_ref(),
        caller.owner.tenant(),
        from,
        to,
        |r| whole_tenant || r.concerns(&user),
        cursor,
        limit,
    )
    .await?;
    let names = names(ctx, caller).await?;
    for record in &mut records {
        record.actor_name = names.get(&record.actor).cloned();
        record.subject_name = names.get(&record.subject).cloned();
    }
    Ok(ApiResponse::json(
        200,
        &AuditPage {
            from,
            to,
            scope: if whole_tenant { "tenant" } else { "user" },
            records,
            next_cursor: next.as_ref().map(audit_cursor),
        },
    ))
}
