//! The caller's settings (`/v1/me`) and projects.

use super::Idempotency;
use super::body::{required, typed};
use crate::access::Sharing;
use crate::context::{AppContext, Caller};
use crate::http::answers::{ListedProject, MeAnswer, MemberStanding, MergeAnswer, ProjectAnswer, ProjectList, Shared};
use crate::http::bodies::{MergeRequest, ProjectFields, SettingsPatch};
use crate::http::routes::Matched;
use crate::http::{ApiError, ApiRequest, ApiResponse};
use crate::store::{CommitError, WriteOp};
use serde_json::json;
use tm_core::domain::calendar::{parse_date, parse_zone};
use tm_core::domain::names::{project_key, project_name_problem};
use tm_core::domain::project::is_conventional;
use tm_core::domain::tags::{dropped_tag_message, normalize_tags};
use tm_core::domain::validation::Issue;
use tm_core::domain::{Code, Project, ProjectStatus, Severity};

fn me_body(caller: &Caller) -> MeAnswer {
    MeAnswer {
        user: caller.principal.user().to_owned(),
        name: caller.person.as_ref().and_then(|p| p.name.clone()),
        email: caller.person.as_ref().and_then(|p| p.email.clone()),
        tenant: caller.principal.tenant().to_owned(),
        groups: caller.principal.groups.clone(),
        is_tenant_admin: caller.principal.is_tenant_admin(),
        time_zone: caller.profile.time_zone.clone(),
        suppressed_projects: caller.profile.suppressed_projects.clone(),
        fiscal_year_start_month: caller.tenant.fiscal_year_start_month,
        today: caller.today(),
    }
}

pub(crate) fn get_me(caller: &Caller) -> Result<ApiResponse, ApiError> {
    Ok(ApiResponse::json(200, &me_body(caller)))
}

pub(crate) async fn patch_me(ctx: &AppContext, caller: &Caller, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let body: SettingsPatch = typed(req)?;
    let mut profile = caller.profile.clone();
    if let Some(zone) = body.time_zone {
        parse_zone(zone.trim()).map_err(|e| ApiError::new(422, "invalid-time-zone", e.0))?;
        profile.time_zone = zone.trim().to_owned();
    }
    if let Some(list) = body.suppressed_projects {
        profile.suppressed_projects = list.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
    }
    let month = match body.fiscal_year_start_month {
        None => None,
        Some(m) => Some(u32::try_from(m).ok().filter(|m| (1..=12).contains(m)).ok_or_else(|| {
            ApiError::bad_request("invalid-field", "fiscalYearStartMonth must be a whole number from 1 to 12")
                .with_details(json!({"field": "fiscalYearStartMonth"}))
        })?),
    };
    let mut tenant = caller.tenant.clone();
    if let Some(month) = month {
        if !caller.principal.is_tenant_admin() {
            return Err(ApiError::forbidden(
                "fiscalYearStartMonth is a tenant setting; only tenant administrators may change it",
            ));
        }
        tenant.fiscal_year_start_month = month;
    }
    // Each write brings its change to the feed (`tenant.updated`, `settings.updated`) in
    // the same unit: only what changes is written.
    if tenant != caller.tenant {
        ctx.store.put_tenant_settings(caller.owner.tenant(), &tenant).await?;
    }
    if profile != caller.profile {
        ctx.store.put_profile(&caller.owner, &profile).await?;
    }
    let record = crate::access::audit_record(caller, caller.owner.user(), "settings.update", "me").change(
        Some(json!({"profile": caller.profile, "tenant": caller.tenant})),
        Some(json!({"profile": profile, "tenant": tenant})),
    );
    crate::access::audit(ctx, record).await;
    let updated = Caller {
        profile,
        tenant,
        principal: caller.principal.clone(),
        owner: caller.owner.clone(),
        calendar: caller.calendar,
        now: caller.now,
        at: caller.at,
        person: caller.person.clone(),
    };
    Ok(ApiResponse::json(200, &me_body(&updated)))
}

/// The caller's projects and the colleagues' projects shared with them. A shared one
/// says whose it is, the caller's role (`owner`, `admin`, `contributor`, `viewer`) and
/// `logAs`: what to write as an entry's project (or `[[...]]` in a log) to log on it.
pub(crate) async fn list_projects(
    ctx: &AppContext,
    caller: &Caller,
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    // Archived projects only when asked for (`?archived=true`: them too).
    let with_archived = match req.query_one("archived") {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError::bad_request("invalid-query", format!("archived {other:?} must be true or false")));
        }
    };
    let sharing = Sharing::load(ctx, caller.owner.tenant()).await?;
    let me = caller.owner.user();
    let shared = |share: &tm_core::domain::sharing::SharedProject, role: MemberStanding| Shared {
        owner: share.owner.clone(),
        role,
        members: share.members.len(),
        log_as: if share.owner == me { share.name.clone() } else { share.log_as() },
    };
    let mut listed: Vec<(String, String, ListedProject)> = Vec::new();
    for project in ctx.store.projects(&caller.owner).await?.into_iter().filter(|p| with_archived || !p.archived) {
        let share = sharing.find(me, &project.name).map(|share| shared(share, MemberStanding::Owner));
        listed.push((project_key(&project.name), String::new(), ListedProject { project, shared: share }));
    }
    let catalog = crate::access::catalog_with_shares(ctx, caller, &sharing).await?;
    for (share, standing) in sharing.visible_to(me).filter(|(s, _)| s.owner != me) {
        let Some(project) = catalog.get(&share.log_as()).filter(|p| with_archived || !p.archived) else { continue };
        let project = Project { name: share.name.clone(), ..project.clone() };
        let listing = ListedProject { project, shared: Some(shared(share, standing.into())) };
        listed.push((project_key(&share.name), share.owner.clone(), listing));
    }
    listed.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    Ok(ApiResponse::json(200, &ProjectList { projects: listed.into_iter().map(|(_, _, p)| p).collect() }))
}

/// Applies body fields to `project`, collecting every problem (422) and notice.
fn apply_project_fields(project: &mut Project, body: &ProjectFields, issues: &mut Vec<Issue>) {
    let mut issue = |field: &'static str, severity: Severity, code: Code, message: String| {
        issues.push(Issue { field, severity, code, message, conflicting_id: None });
    };
    if let Some(goals) = &body.departmental_goals {
        project.departmental_goals = goals.iter().map(|g| g.trim().to_owned()).filter(|g| !g.is_empty()).collect();
    }
    if let Some(directions) = &body.strategic_directions {
        project.strategic_directions =
            directions.iter().map(|g| g.trim().to_owned()).filter(|g| !g.is_empty()).collect();
    }
    if let Some(tags) = &body.tags {
        let normalized = normalize_tags(tags);
        for (original, tag) in &normalized.changed {
            issue("tags", Severity::Info, Code::TagNormalized, format!("tag {original:?} was normalised to {tag:?}"));
        }
        for original in &normalized.dropped {
            issue("tags", Severity::Warning, Code::TagDropped, dropped_tag_message(original));
        }
        project.tags = normalized.tags;
    }
    if let Some(status) = &body.status {
        match status.parse::<ProjectStatus>() {
            Ok(s) => project.status = s,
            Err(message) => issue("status", Severity::Error, Code::InvalidStatus, message),
        }
    }
    if let Some(start_date) = &body.start_date {
        project.start_date = match start_date {
            None => None,
            Some(text) => match parse_date(text.trim()) {
                Ok(d) => Some(d),
                Err(e) => {
                    issue("startDate", Severity::Error, Code::InvalidStartDate, e.0);
                    project.start_date
                }
            },
        };
    }
    if let Some(summary) = &body.summary {
        project.summary = summary.trim().to_owned();
    }
    if let Some(archived) = body.archived {
        project.archived = archived;
    }
}

fn reject_errors(issues: &[Issue]) -> Result<(), ApiError> {
    let problems: Vec<String> = issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| format!("{}: {}", i.field, i.message))
        .collect();
    if !problems.is_empty() {
        return Err(
            ApiError::new(422, "validation-failed", problems.join("; ")).with_details(json!({"issues": issues}))
        );
    }
    Ok(())
}

fn project_body(project: &Project, issues: &[Issue]) -> ProjectAnswer {
    ProjectAnswer {
        project: project.clone(),
        warnings: issues.iter().filter(|i| i.severity != Severity::Error).cloned().collect(),
    }
}

pub(crate) async fn create_project(
    ctx: &AppContext,
    caller: &Caller,
    req: &ApiRequest,
    idem: Option<&Idempotency>,
) -> Result<ApiResponse, ApiError> {
    let body: ProjectFields = typed(req)?;
    let name = required(body.name.clone(), "name")?.trim().to_owned();
    let mut issues = Vec::new();
    if let Some(problem) = project_name_problem(&name) {
        issues.push(Issue {
            field: "name",
            severity: Severity::Error,
            code: Code::InvalidProjectName,
            message: problem,
            conflicting_id: None,
        });
    }
    let mut project = Project {
        name,
        departmental_goals: vec![],
        strategic_directions: vec![],
        tags: vec![],
        status: ProjectStatus::Active,
        start_date: Some(caller.today()),
        summary: String::new(),
        archived: false,
    };
    apply_project_fields(&mut project, &body, &mut issues);
    reject_errors(&issues)?;
    // A colleague's project of the same name shared with the caller is theirs: this
    // one is the caller's own and stays private.
    if !ctx.store.create_project(&caller.owner, &project).await? {
        // A retry of an idempotent create may find its own first copy.
        if let Some(replayed) = match idem {
            Some(i) => i.replay(ctx, &caller.owner).await?,
            None => None,
        } {
            return Ok(replayed);
        }
        return Err(ApiError::conflict(
            "project-exists",
            format!(
                "a project named {:?} exists already (names ignore case); change it with PATCH /v1/projects/{{name}}",
                project.name
            ),
        ));
    }
    let record = crate::access::audit_record(caller, caller.owner.user(), "project.create", &project.name)
        .change(None, Some(serde_json::to_value(&project).expect("projects serialise")));
    crate::access::audit(ctx, record).await;
    let response = ApiResponse::json(201, &project_body(&project, &issues));
    if let Some(idem) = idem {
        remember(ctx, caller, idem, &response).await?;
    }
    Ok(response)
}

/// Stores the first response of an idempotent request that wrote outside an entry commit.
async fn remember(
    ctx: &AppContext,
    caller: &Caller,
    idem: &Idempotency,
    response: &ApiResponse,
) -> Result<(), ApiError> {
    for _ in 0..12 {
        let today = caller.today();
        let version = ctx.store.snapshot(&caller.owner, today, today).await?.version;
        let op = WriteOp::PutIdempotency { key: idem.key.clone(), response: idem.record(response) };
        match ctx.store.commit(&caller.owner, version, vec![op]).await {
            Ok(()) => return Ok(()),
            Err(CommitError::Conflict) => continue,
            Err(CommitError::Store(e)) => return Err(e.into()),
        }
    }
    Ok(())
}

pub(crate) async fn patch_project(
    ctx: &AppContext,
    caller: &Caller,
    matched: &Matched,
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let name = matched.param("name").unwrap_or_default();
    let body: ProjectFields = typed(req)?;
    let sharing = Sharing::load(ctx, caller.owner.tenant()).await?;
    // A shared project is edited where its owner keeps it, by the owner or an admin.
    let target = crate::access::resolve_project(ctx, caller, &sharing, name, req.query_one("owner")).await?;
    let standing = target.standing();
    if !standing.can_administer() {
        return Err(ApiError::forbidden(format!(
            "you are a {} of {:?}; only its owner and project admins edit it",
            standing.label(),
            target.project().name
        )));
    }
    let shared = target.share().cloned();
    let data_owner = match &shared {
        Some(share) => caller
            .owner
            .colleague(&share.owner)
            .map_err(|e| crate::store::StoreError::corrupt("user id", e.to_string()))?,
        None => caller.owner.clone(),
    };
    let catalog = tm_core::domain::ProjectCatalog::new(ctx.store.projects(&data_owner).await?);
    let mut project = target.project().clone();
    let before = project.clone();
    let mut issues = Vec::new();
    let mut renamed_from = None;
    if let Some(new_name) = &body.name {
        let new_name = new_name.trim().to_owned();
        if project_key(&new_name) != project_key(&project.name) {
            if let Some(problem) = project_name_problem(&new_name) {
                issues.push(Issue {
                    field: "name",
                    severity: Severity::Error,
                    code: Code::InvalidProjectName,
                    message: problem,
                    conflicting_id: None,
                });
            } else if is_conventional(&project.name) || is_conventional(&new_name) {
                return Err(ApiError::new(
                    422,
                    "conventional-project",
                    "Non-Project and Unproductive are built in: they cannot be renamed, and no project can take their names",
                ));
            } else if catalog.get(&new_name).is_some() {
                return Err(ApiError::conflict(
                    "project-exists",
                    format!("a project named {new_name:?} exists already (names ignore case); pick another name"),
                ));
            }
            if let Some(share) = &shared {
                return Err(ApiError::conflict(
                    "shared-project-rename",
                    format!(
                        "{:?} is shared; its members log time under this name. Remove the members first, then rename it",
                        share.name
                    ),
                ));
            }
            renamed_from = Some(project.name.clone());
        }
        project.name = new_name;
    }
    apply_project_fields(&mut project, &body, &mut issues);
    reject_errors(&issues)?;
    match renamed_from {
        // Every entry of the project moves to the new name, with the project item, as
        // one unit; the years' canonical logs are re-rendered.
        Some(old_name) => {
            let _moved = super::entries::rename_project(ctx, caller, &old_name, &project).await?;
            // The person's file of the project follows its name.
            if let Some(source) = crate::jobs::canonical::project_file(ctx, &caller.owner, &old_name).await? {
                let key = crate::jobs::canonical::project_file_key(&project.name);
                ctx.objects
                    .put_object(&caller.owner, &key, source.into_bytes(), crate::jobs::canonical::MARKDOWN)
                    .await?;
            }
        }
        None => {
            ctx.store.replace_project(&data_owner, &project).await?;
            let record = crate::access::audit_record(caller, data_owner.user(), "project.update", &project.name)
                .change(
                    Some(serde_json::to_value(&before).expect("projects serialise")),
                    Some(serde_json::to_value(&project).expect("projects serialise")),
                );
            crate::access::audit(ctx, record).await;
        }
    }
    Ok(ApiResponse::json(200, &project_body(&project, &issues)))
}

/// The caller's own, unshared project named by the route, for removing or merging it.
async fn own_unshared_project(ctx: &AppContext, caller: &Caller, name: &str, what: &str) -> Result<Project, ApiError> {
    // Built in whether or not anything was logged to them yet (their record is made then).
    if is_conventional(name) {
        return Err(ApiError::new(
            422,
            "conventional-project",
            format!("Non-Project and Unproductive are built in: they cannot be {what}"),
        ));
    }
    let project =
        tm_core::domain::ProjectCatalog::new(ctx.store.projects(&caller.owner).await?).get(name).cloned().ok_or_else(
            || ApiError::not_found(format!("no project of yours named {name:?}; list them with GET /v1/projects")),
        )?;
    let sharing = Sharing::load(ctx, caller.owner.tenant()).await?;
    if sharing.find(caller.owner.user(), &project.name).is_some_and(|s| !s.members.is_empty()) {
        return Err(ApiError::conflict(
            "shared-project",
            format!("{:?} is shared; its members log time on it. Remove the members first", project.name),
        ));
    }
    Ok(project)
}

/// `DELETE /v1/projects/{name}`: a project of the caller's with no entries (e.g. one a
/// typo made); one with entries is merged into another, or archived.
pub(crate) async fn delete_project(
    ctx: &AppContext,
    caller: &Caller,
    matched: &Matched,
) -> Result<ApiResponse, ApiError> {
    let name = matched.param("name").unwrap_or_default();
    let project = own_unshared_project(ctx, caller, name, "deleted").await?;
    let query = crate::store::EntryQuery { project: Some(project.name.clone()), limit: 1, ..Default::default() };
    let some = ctx.store.entries(&caller.owner, &query).await?;
    if let Some(first) = some.entries.first() {
        return Err(ApiError::conflict(
            "project-has-entries",
            format!(
                "{:?} has entries (the first on {}); merge it into another project with POST /v1/projects/{{name}}/merge \
                 {{\"into\": \"...\"}}, or archive it with PATCH {{\"archived\": true}}",
                project.name, first.entry.date
            ),
        ));
    }
    for _ in 0..12 {
        let today = caller.today();
        let version = ctx.store.snapshot(&caller.owner, today, today).await?.version;
        let record = crate::access::audit_record(caller, caller.owner.user(), "project.delete", &project.name)
            .change(Some(serde_json::to_value(&project).expect("projects serialise")), None);
        let ops = vec![WriteOp::DeleteProject(project.name.clone()), WriteOp::PutAudit(record)];
        match ctx.store.commit(&caller.owner, version, ops).await {
            Ok(()) => return Ok(ApiResponse::no_content()),
            Err(CommitError::Conflict) => continue,
            Err(CommitError::Store(e)) => return Err(e.into()),
        }
    }
    Err(ApiError::new(503, "busy", "too many concurrent changes to your data; retry in a moment"))
}

/// `POST /v1/projects/{name}/merge` with `{"into": NAME}`: every entry of the project
/// moves to the other one (of the caller's, or a conventional project) in one unit, the
/// logs follow, and the project goes.
pub(crate) async fn merge_project(
    ctx: &AppContext,
    caller: &Caller,
    matched: &Matched,
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let name = matched.param("name").unwrap_or_default();
    let body: MergeRequest = typed(req)?;
    let into_name = required(body.into, "into")?.trim().to_owned();
    let project = own_unshared_project(ctx, caller, name, "merged away").await?;
    if project_key(&into_name) == project_key(&project.name) {
        return Err(ApiError::new(422, "invalid-field", "into names the same project; name another one"));
    }
    let catalog = tm_core::domain::ProjectCatalog::new(ctx.store.projects(&caller.owner).await?);
    let into = match catalog.get(&into_name) {
        Some(p) => p.clone(),
        None if is_conventional(&into_name) => Project::auto_created(
            if project_key(&into_name) == project_key(tm_core::domain::NON_PROJECT) {
                tm_core::domain::NON_PROJECT
            } else {
                tm_core::domain::UNPRODUCTIVE
            },
            caller.today(),
        ),
        None => {
            return Err(ApiError::new(
                422,
                "unknown-project",
                format!("no project of yours named {into_name:?} to merge into; create it first or pick another"),
            )
            .with_details(
                json!({"suggestions": tm_core::domain::names::suggest_projects(&into_name, catalog.names())}),
            ));
        }
    };
    let moved =
        super::entries::move_project(ctx, caller, &project.name, super::entries::ProjectMove::Merge(&into)).await?;
    Ok(ApiResponse::json(
        200,
        &MergeAnswer { merged: project.name.clone(), into: into.name.clone(), entries_moved: moved },
    ))
}
