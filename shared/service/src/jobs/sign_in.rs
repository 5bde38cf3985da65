//! What happens around a sign-in, as the user pool's triggers call it (Cognito's
//! post-confirmation and pre-token-generation V2 triggers in AWS; tm-local's issuer does
//! the same inline): sign-up makes a tenant, and every token issued first checks the
//! person's directory status. Events are Cognito's JSON, answered with the same event
//! and its `response` filled in, as Cognito expects; fields this code does not know
//! are kept.

use crate::auth::principal::{API_SCOPE, TENANT_CLAIM};
use crate::auth::{IdentityError, IdentityProvider};
use crate::context::AppContext;
use crate::store::team::{DirectoryEntry, PersonStatus, person, save_person};
use crate::store::{Owner, StoreError};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt;

/// Why a trigger failed; Cognito then refuses the sign-up or sign-in and shows the
/// message.
#[derive(Debug)]
pub enum TriggerError {
    /// The event is not one this trigger understands.
    Event(String),
    /// The person may not have tokens (disabled or removed).
    Refused(String),
    Store(StoreError),
    Identity(IdentityError),
}

impl fmt::Display for TriggerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Event(m) | Self::Refused(m) => f.write_str(m),
            Self::Store(e) => write!(f, "the directory could not be read or written: {e}"),
            Self::Identity(e) => write!(f, "the user pool refused: {e}"),
        }
    }
}

impl std::error::Error for TriggerError {}

impl From<StoreError> for TriggerError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<IdentityError> for TriggerError {
    fn from(e: IdentityError) -> Self {
        Self::Identity(e)
    }
}

/// Email domains whose federated users join an existing tenant (`example.com=acme`),
/// as the operator configures them (`TENANT_EMAIL_DOMAINS`, docs/deploy.md).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmailDomains(BTreeMap<String, String>);

impl EmailDomains {
    /// `domain=tenant` pairs separated by commas or spaces.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut map = BTreeMap::new();
        for pair in text.split([',', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
            let (domain, tenant) =
                pair.split_once('=').ok_or_else(|| format!("{pair:?} is not DOMAIN=TENANT (e.g. example.com=acme)"))?;
            let (domain, tenant) = (domain.trim().to_lowercase(), tenant.trim());
            if !domain.contains('.') || !tm_core::domain::ids::is_valid_id(tenant) {
                return Err(format!("{pair:?}: give an email domain and a tenant id (letters, digits, '_', '-')"));
            }
            map.insert(domain, tenant.to_owned());
        }
        Ok(Self(map))
    }

    /// The tenant of `email`'s domain, if one is configured.
    pub fn tenant_of(&self, email: &str) -> Option<&str> {
        let domain = email.rsplit_once('@')?.1.trim().to_lowercase();
        self.0.get(&domain).map(String::as_str)
    }
}

/// The tenant a sign-up makes: short, valid as a key part, and named after the
/// person's `sub` (itself random), so a retried trigger (Cognito retries one that runs
/// long) makes the same tenant, not a second one.
pub fn sign_up_tenant_id(sub: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(format!("tm-tenant:{sub}").as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("t-{hex}")
}

fn text<'a>(event: &'a Value, pointer: &str) -> Option<&'a str> {
    event.pointer(pointer).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

fn attribute<'a>(event: &'a Value, name: &str) -> Option<&'a str> {
    text(event, &format!("/request/userAttributes/{}", name.replace('~', "~0").replace('/', "~1")))
}

/// Federated users carry their provider in `identities` (a JSON array as text).
fn is_federated(event: &Value) -> bool {
    attribute(event, "identities").is_some()
        || text(event, "/request/userAttributes/cognito:user_status") == Some("EXTERNAL_PROVIDER")
}

/// The post-confirmation trigger: a confirmed sign-up gets a tenant. A person who has
/// one already (invited: `AdminCreateUser` set it) keeps it. A federated person whose
/// email domain is configured joins that tenant as a member; anyone else gets a new
/// tenant and is its admin. Either way they enter the tenant's directory with their
/// name and email. Password resets (`PostConfirmation_ConfirmForgotPassword`) change
/// nothing.
pub async fn post_confirmation(
    ctx_for: impl AsyncFn(&str) -> Result<AppContext, StoreError>,
    identity: &dyn IdentityProvider,
    domains: &EmailDomains,
    event: Value,
    at: DateTime<Utc>,
) -> Result<Value, TriggerError> {
    if text(&event, "/triggerSource") == Some("PostConfirmation_ConfirmForgotPassword") {
        return Ok(event);
    }
    let sub = attribute(&event, "sub")
        .ok_or_else(|| TriggerError::Event("the event has no request.userAttributes.sub".into()))?;
    let username = text(&event, "/userName").unwrap_or(sub);
    let email = attribute(&event, "email").map(str::to_lowercase);
    let (tenant, admin, assign) = match attribute(&event, TENANT_CLAIM) {
        Some(tenant) => (tenant.to_owned(), None, false),
        // Only an address the provider says it verified maps to a tenant.
        None => match email
            .as_deref()
            .filter(|_| is_federated(&event) && attribute(&event, "email_verified") == Some("true"))
            .and_then(|e| domains.tenant_of(e))
        {
            Some(tenant) => (tenant.to_owned(), Some(false), true),
            None => (sign_up_tenant_id(sub), Some(true), true),
        },
    };
    let owner = Owner::new(&tenant, sub).map_err(|e| TriggerError::Event(e.to_string()))?;
    // The directory entry first: it decides admin standing, so a failure between the
    // pool calls below leaves an admin who can still act, and a retry finds it.
    let ctx = ctx_for(&tenant).await?;
    if person(ctx.store.as_ref(), &owner).await?.is_none() {
        let mut entry = DirectoryEntry::new(&owner, at);
        entry.name = attribute(&event, "name").map(str::to_owned);
        entry.email = email;
        entry.username = Some(username.to_owned());
        entry.admin = admin;
        save_person(ctx.store.as_ref(), &entry, None).await?;
    }
    if assign {
        identity.assign_tenant(username, &tenant).await?;
        if admin == Some(true) {
            identity.set_admin(username, true).await?;
        }
    }
    tracing::info!(tenant = %tenant, user = %sub, new_tenant = admin == Some(true), "sign-up confirmed");
    Ok(event)
}

/// The pre-token-generation trigger (V2): refuses tokens to a disabled or removed
/// person, marks an invited person active at their first sign-in and records when
/// each was last seen, and puts the tenant and the API's scope into the access token
/// so either token works with the API.
pub async fn pre_token_generation(
    ctx_for: impl AsyncFn(&str) -> Result<AppContext, StoreError>,
    mut event: Value,
    at: DateTime<Utc>,
) -> Result<Value, TriggerError> {
    let Some(tenant) = attribute(&event, TENANT_CLAIM).map(str::to_owned) else {
        // Not in a tenant yet (the post-confirmation trigger has not run): the API
        // refuses these tokens with a message that says so.
        return Ok(event);
    };
    let sub = attribute(&event, "sub")
        .ok_or_else(|| TriggerError::Event("the event has no request.userAttributes.sub".into()))?;
    let owner = Owner::new(&tenant, sub).map_err(|e| TriggerError::Event(e.to_string()))?;
    let ctx = ctx_for(&tenant).await?;
    for _ in 0..3 {
        let Some(mut entry) = person(ctx.store.as_ref(), &owner).await? else { break };
        match entry.status {
            PersonStatus::Disabled => {
                return Err(TriggerError::Refused(
                    "your account is disabled; ask an administrator of your tenant".into(),
                ));
            }
            PersonStatus::Removed => {
                return Err(TriggerError::Refused("your account was removed from its tenant".into()));
            }
            PersonStatus::Invited => entry.status = PersonStatus::Active,
            PersonStatus::Active => {}
        }
        let read = entry.revision;
        entry.last_seen = Some(at);
        if save_person(ctx.store.as_ref(), &entry, Some(read)).await? {
            break;
        }
    }
    // The groups go back as they came (an override with the same groups changes
    // nothing; the directory decides admin standing at each request anyway).
    let groups = event.pointer("/request/groupConfiguration").cloned().unwrap_or_else(|| json!({}));
    event["response"] = json!({
        "claimsAndScopeOverrideDetails": {
            "groupOverrideDetails": groups,
            "idTokenGeneration": null,
            "accessTokenGeneration": {
                "claimsToAddOrOverride": {TENANT_CLAIM: tenant},
                "claimsToSuppress": [],
                "scopesToAdd": [API_SCOPE],
                "scopesToSuppress": [],
            }
        }
    });
    Ok(event)
}
