//! The tenant's people: the directory every member may read, and the admin routes that
//! invite, change and remove people (docs/teams.md, People). Each admin change goes to
//! the user pool first (the identity port) and then to the directory, so the directory
//! never claims a change the pool refused.

use crate::access::{audit, audit_record};
use crate::auth::{IdentityError, IdentityProvider, Invitation};
use crate::context::{AppContext, Caller};
use crate::http::answers::{InvitationAnswer, InvitationDelivery, People, Person};
use crate::http::bodies::{NewPerson, PersonPatch};
use crate::http::routes::Matched;
use crate::http::{ApiError, ApiRequest, ApiResponse};
use crate::store::team::{
    DirectoryEntry, PersonStatus, person, save_person, save_shared_project, shared_project, shared_projects,
    tenant_people,
};
use serde_json::json;
use std::sync::Arc;

const MAX_SAVE_ATTEMPTS: usize = 8;

/// `GET /v1/users`: the caller's tenant's directory, by name.
pub(crate) async fn list(ctx: &AppContext, caller: &Caller) -> Result<ApiResponse, ApiError> {
    let mut people: Vec<Person> =
        tenant_people(ctx.store.as_ref(), caller.owner.tenant()).await?.iter().map(Person::from).collect();
    people.sort_by(|a, b| {
        let key = |p: &Person| p.name.clone().or(p.email.clone()).unwrap_or_else(|| p.id.clone()).to_lowercase();
        key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
    });
    Ok(ApiResponse::json(200, &People { tenant: caller.owner.tenant().to_owned(), people }))
}

fn admin_only(caller: &Caller) -> Result<(), ApiError> {
    if caller.principal.is_tenant_admin() {
        Ok(())
    } else {
        Err(ApiError::new(
            403,
            "admin-only",
            "only an administrator of your tenant manages people; GET /v1/users shows who they are",
        ))
    }
}

fn identity(ctx: &AppContext) -> Result<&Arc<dyn IdentityProvider>, ApiError> {
    ctx.identity.as_ref().ok_or_else(|| {
        ApiError::new(
            503,
            "identity-unavailable",
            "this deployment has no user pool configured for people management (USER_POOL_ID); see docs/deploy.md",
        )
    })
}

fn pool_error(e: IdentityError) -> ApiError {
    match e {
        IdentityError::Exists(m) => ApiError::conflict(
            "email-taken",
            format!(
                "{m}: the address belongs to another team's account (a person is in one team); they can be \
                 invited once an admin of that team removes them"
            ),
        ),
        IdentityError::NotFound(m) => ApiError::new(404, "unknown-user", m),
        IdentityError::Invalid(m) => ApiError::new(422, "refused-by-user-pool", m),
        IdentityError::Unavailable(m) => {
            tracing::error!(error = %m, "the user pool failed");
            ApiError::new(503, "identity-unavailable", "the user pool did not answer; retry in a moment")
        }
    }
}

/// A display name: 1-100 characters, no control characters.
pub fn check_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if (1..=100).contains(&name.chars().count()) && !name.chars().any(char::is_control) {
        Ok(name.to_owned())
    } else {
        Err(ApiError::new(422, "invalid-name", "name must be 1-100 characters without control characters"))
    }
}

/// An address the pool can send to: one `@`, a dotted domain, no spaces, at most 254.
pub fn check_email(email: &str) -> Result<String, ApiError> {
    let email = email.trim();
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.split('.').count() >= 2
                && domain.split('.').all(|part| !part.is_empty())
        });
    if valid {
        Ok(email.to_lowercase())
    } else {
        Err(ApiError::new(422, "invalid-email", format!("{email:?} is not an email address like ada@example.com")))
    }
}

/// `POST /v1/admin/users` `{"email", "name", "admin"?}`: makes the account in the user
/// pool with the tenant set (an invitation with a temporary password) and enters them
/// in the directory as `invited`.
pub(crate) async fn invite(ctx: &AppContext, caller: &Caller, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    admin_only(caller)?;
    let body: NewPerson = super::body::typed(req)?;
    let email = check_email(&super::body::required(body.email, "email")?)?;
    let name = check_name(&super::body::required(body.name, "name")?)?;
    let admin = body.admin.unwrap_or(false);
    let pool = identity(ctx)?;
    let tenant = caller.owner.tenant();
    let people = tenant_people(ctx.store.as_ref(), tenant).await?;
    if let Some(there) =
        people.iter().find(|p| p.status != PersonStatus::Removed && p.email.as_deref() == Some(email.as_str()))
    {
        // Inviting someone who has not accepted yet sends the invitation again.
        if there.status == PersonStatus::Invited {
            return resend(ctx, caller, pool, there).await;
        }
        return Err(ApiError::conflict(
            "already-in-tenant",
            format!(
                "{email} is already in your tenant ({}, {}); GET /v1/users lists everyone",
                there.display_name(),
                there.status.label()
            ),
        )
        .with_details(json!({"id": there.user})));
    }
    let invitation = Invitation { tenant: tenant.to_owned(), email: email.clone(), name: name.clone(), admin };
    let invited = pool.invite(&invitation).await.map_err(pool_error)?;
    let owner = caller.owner.colleague(&invited.user).map_err(|e| ApiError::new(500, "internal", e.to_string()))?;
    let mut entry = DirectoryEntry::new(&owner, caller.at);
    entry.name = Some(name);
    entry.email = Some(email);
    entry.username = Some(invited.username.clone());
    entry.admin = Some(admin);
    entry.status = PersonStatus::Invited;
    if !save_person(ctx.store.as_ref(), &entry, None).await? {
        return Err(ApiError::conflict("already-in-tenant", "this account is already in the directory"));
    }
    let record = audit_record(caller, &entry.user, "user.invite", &entry.user)
        .change(None, Some(json!({"name": entry.name, "email": entry.email, "admin": admin})));
    audit(ctx, record).await;
    Ok(ApiResponse::json(201, &invitation_answer(&entry, invited)))
}

/// How an invitation went out: by the pool's email, or (locally, with no mail server)
/// as a link the admin passes on, which is also logged.
fn invitation_answer(person: &DirectoryEntry, invited: crate::auth::Invited) -> InvitationAnswer {
    if let Some(link) = &invited.link {
        tracing::info!(user = %person.user, link = %link, "invitation link");
    }
    let sent_by = if invited.link.is_some() { "link" } else { "email" };
    InvitationAnswer { person: Person::from(person), invitation: InvitationDelivery { sent_by, link: invited.link } }
}

/// A new invitation (temporary password or link) for someone invited who has not
/// signed in yet; the earlier one stops working. 200 with the same answer as an
/// invitation.
async fn resend(
    ctx: &AppContext,
    caller: &Caller,
    pool: &Arc<dyn IdentityProvider>,
    person: &DirectoryEntry,
) -> Result<ApiResponse, ApiError> {
    let invited = pool.resend_invitation(username(person)).await.map_err(pool_error)?;
    audit(ctx, audit_record(caller, &person.user, "user.reinvite", &person.user)).await;
    Ok(ApiResponse::json(200, &invitation_answer(person, invited)))
}

/// The person a `{id}` route names, in the caller's tenant.
async fn target(ctx: &AppContext, caller: &Caller, matched: &Matched) -> Result<DirectoryEntry, ApiError> {
    let id = matched.param("id").unwrap_or_default().trim();
    let unknown = || {
        ApiError::new(
            404,
            "unknown-user",
            format!("no one in your tenant has the id, email or username {id:?}; GET /v1/users lists everyone"),
        )
    };
    if let Ok(owner) = caller.owner.colleague(id)
        && let Some(found) = person(ctx.store.as_ref(), &owner).await?
    {
        return Ok(found);
    }
    // By email or username, as project members are named.
    let mut named: Vec<DirectoryEntry> = tenant_people(ctx.store.as_ref(), caller.owner.tenant())
        .await?
        .into_iter()
        .filter(|p| p.answers_to(id))
        .collect();
    // An email removed once and invited again names the current person.
    named.sort_by_key(|p| p.status == PersonStatus::Removed);
    named.into_iter().next().ok_or_else(unknown)
}

/// Refuses a change that would leave the tenant without an active administrator.
async fn keep_an_admin(ctx: &AppContext, caller: &Caller, target: &DirectoryEntry) -> Result<(), ApiError> {
    let counts = |p: &DirectoryEntry| p.is_admin() && matches!(p.status, PersonStatus::Active | PersonStatus::Invited);
    let others = tenant_people(ctx.store.as_ref(), caller.owner.tenant())
        .await?
        .iter()
        .any(|p| p.user != target.user && p.is_admin() && p.status == PersonStatus::Active);
    if counts(target) && !others {
        return Err(ApiError::conflict(
            "last-admin",
            "this is your tenant's last active administrator; make someone else an admin first",
        ));
    }
    Ok(())
}

fn username(p: &DirectoryEntry) -> &str {
    p.username.as_deref().unwrap_or(&p.user)
}

/// `PATCH /v1/admin/users/{id}` `{"name"?, "admin"?, "disabled"?}`.
pub(crate) async fn update(
    ctx: &AppContext,
    caller: &Caller,
    matched: &Matched,
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    admin_only(caller)?;
    let patch: PersonPatch = super::body::typed(req)?;
    if patch.name.is_none() && patch.admin.is_none() && patch.disabled.is_none() {
        return Err(ApiError::bad_request("empty-patch", "send at least one of name, admin, disabled"));
    }
    let name = patch.name.as_deref().map(check_name).transpose()?;
    let pool = identity(ctx)?;
    for _ in 0..MAX_SAVE_ATTEMPTS {
        let before = target(ctx, caller, matched).await?;
        if before.status == PersonStatus::Removed {
            return Err(ApiError::conflict(
                "removed",
                format!("{} was removed from your tenant; invite them again instead", before.display_name()),
            ));
        }
        let mut after = before.clone();
        if let Some(name) = &name {
            after.name = Some(name.clone());
        }
        if let Some(admin) = patch.admin {
            after.admin = Some(admin);
        }
        match patch.disabled {
            Some(true) => after.status = PersonStatus::Disabled,
            Some(false) if before.status == PersonStatus::Disabled => {
                after.status = if before.last_seen.is_some() { PersonStatus::Active } else { PersonStatus::Invited }
            }
            _ => {}
        }
        let demoted = before.is_admin() && (!after.is_admin() || after.status == PersonStatus::Disabled);
        if demoted {
            keep_an_admin(ctx, caller, &before).await?;
        }
        if after == before {
            return Ok(ApiResponse::json(200, &Person::from(&after)));
        }
        let login = username(&before);
        if after.name != before.name
            && let Some(name) = &after.name
        {
            pool.set_name(login, name).await.map_err(pool_error)?;
        }
        if after.is_admin() != before.is_admin() {
            pool.set_admin(login, after.is_admin()).await.map_err(pool_error)?;
        }
        if (after.status == PersonStatus::Disabled) != (before.status == PersonStatus::Disabled) {
            pool.set_disabled(login, after.status == PersonStatus::Disabled).await.map_err(pool_error)?;
        }
        if save_person(ctx.store.as_ref(), &after, Some(before.revision)).await? {
            let record = audit_record(caller, &after.user, "user.update", &after.user).change(
                Some(json!({"name": before.name, "admin": before.is_admin(), "status": before.status})),
                Some(json!({"name": after.name, "admin": after.is_admin(), "status": after.status})),
            );
            audit(ctx, record).await;
            after.revision = before.revision + 1;
            return Ok(ApiResponse::json(200, &Person::from(&after)));
        }
    }
    Err(ApiError::new(503, "busy", "this person was changed concurrently; retry in a moment"))
}

/// `DELETE /v1/admin/users/{id}`: deletes the account from the user pool; the
/// directory keeps them as `removed`, so their entries stay attributed to a name (an
/// admin exports them first with the team reports or their own export).
pub(crate) async fn remove(ctx: &AppContext, caller: &Caller, matched: &Matched) -> Result<ApiResponse, ApiError> {
    admin_only(caller)?;
    let pool = identity(ctx)?;
    for _ in 0..MAX_SAVE_ATTEMPTS {
        let before = target(ctx, caller, matched).await?;
        if before.status == PersonStatus::Removed {
            return Ok(ApiResponse::no_content());
        }
        keep_an_admin(ctx, caller, &before).await?;
        match pool.remove(username(&before)).await {
            Ok(()) | Err(IdentityError::NotFound(_)) => {}
            Err(e) => return Err(pool_error(e)),
        }
        let mut after = before.clone();
        after.status = PersonStatus::Removed;
        after.admin = Some(false);
        if save_person(ctx.store.as_ref(), &after, Some(before.revision)).await? {
            let record = audit_record(caller, &after.user, "user.delete", &after.user)
                .change(Some(json!({"name": before.name, "email": before.email, "admin": before.is_admin()})), None);
            audit(ctx, record).await;
            leave_projects(ctx, caller, &after.user).await?;
            return Ok(ApiResponse::no_content());
        }
    }
    Err(ApiError::new(503, "busy", "this person was changed concurrently; retry in a moment"))
}

/// Takes a removed person off every shared project of the tenant. As when a member
/// leaves, what they logged on a project while a member still counts in its reports.
async fn leave_projects(ctx: &AppContext, caller: &Caller, user: &str) -> Result<(), ApiError> {
    let tenant = caller.owner.tenant();
    for share in shared_projects(ctx.store.as_ref(), tenant).await? {
        if !share.members.contains_key(user) {
            continue;
        }
        let (owner, name) = (share.owner.clone(), share.name.clone());
        let mut current = Some(share);
        for _ in 0..MAX_SAVE_ATTEMPTS {
            let Some(mut share) = current.take() else { break };
            let Some(role) = share.remove_member(user) else { break };
            let read = share.revision;
            share.updated_at = caller.at;
            if save_shared_project(ctx.store.as_ref(), tenant, &share, Some(read)).await? {
                let record = audit_record(caller, user, "member.delete", &name)
                    .change(Some(json!({"role": role, "owner": owner})), None);
                audit(ctx, record).await;
                break;
            }
            current = shared_project(ctx.store.as_ref(), tenant, &owner, &name).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_names_are_checked() {
        assert_eq!(check_email(" Ada@Example.com ").unwrap(), "ada@example.com");
        for bad in ["ada", "ada@", "@example.com", "ada@example", "ada@@example.com", "a da@example.com", "ada@.com"] {
            assert_eq!(check_email(bad).unwrap_err().code, "invalid-email", "{bad}");
        }
        assert_eq!(check_name("  Ada  ").unwrap(), "Ada");
        assert!(check_name("").is_err());
        assert!(check_name("a\u{7}b").is_err());
        assert!(check_name(&"x".repeat(101)).is_err());
    }
}
