//! The tenant's access rules (docs/rules.md §9): which projects a caller sees (their
//! own and those shared with them), how a project name in a request resolves, the team
//! data a report may read, and the audit trail every change leaves. Anything the caller
//! may not see answers 404, like a missing thing.

use crate::context::{AppContext, Caller};
use crate::error::AppError;
use crate::store::team::{AuditRecord, append_audit, shared_projects, tenant_users};
use crate::store::{EntryQuery, Owner, StoredEntry};
use chrono::NaiveDate;
use futures::StreamExt;
use serde_json::json;
use std::collections::BTreeMap;
use tm_core::domain::names::{project_key, project_ref};
use tm_core::domain::sharing::{SharedProject, Standing};
use tm_core::domain::{Project, ProjectCatalog};

/// How many users' entries a team read fetches at once.
const READ_CONCURRENCY: usize = 16;

/// The tenant's shared projects, as one caller sees them.
pub(crate) struct Sharing {
    pub shares: Vec<SharedProject>,
}

impl Sharing {
    pub async fn load(ctx: &AppContext, tenant: &str) -> Result<Self, AppError> {
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
) -> Result<Project, AppError> {
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
) -> Result<ProjectCatalog, AppError> {
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
) -> Result<ProjectTarget, AppError> {
    let reference = project_ref(name);
    let owner = match (reference.owner, owner_param.map(str::trim).filter(|o| !o.is_empty())) {
        (Some(a), Some(b)) if !a.eq_ignore_ascii_case(b) => {
            return Err(AppError::invalid(
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
        several => Err(AppError::conflict(
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
) -> Result<TeamData, AppError> {
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

/// The caller's projects and those shared with them.
pub(crate) async fn catalog(ctx: &AppContext, caller: &Caller) -> Result<ProjectCatalog, AppError> {
    let sharing = Sharing::load(ctx, caller.owner.tenant()).await?;
    catalog_with_shares(ctx, caller, &sharing).await
}

pub(crate) fn not_visible(name: &str) -> AppError {
    AppError::not_found("not-found", format!("no project named {name:?}; list them with GET /v1/projects"))
}
