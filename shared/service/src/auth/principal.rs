//! The principal comes from verified token claims only: user = `sub`, tenant =
//! `custom:tenant_id`, groups = `cognito:groups`. An ID token carries the tenant as a
//! user attribute; an access token carries it because the pre-token-generation trigger
//! puts it there, and must have been granted the API's scope. A token without a tenant,
//! or whose ids could nest into another key space, is refused (see [`tm_core::domain::ids`]).

use super::AuthError;
use crate::store::Owner;
use serde_json::{Map, Value};
use tm_core::domain::ids::check_id;

/// Group whose members administer their tenant (Cognito group name).
pub const TENANT_ADMIN_GROUP: &str = "admins";
/// The claim that names the caller's tenant.
pub const TENANT_CLAIM: &str = "custom:tenant_id";
/// The scope an access token needs (the user pool's resource server `tm`, scope `api`).
pub const API_SCOPE: &str = "tm/api";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    owner: Owner,
    pub groups: Vec<String>,
}

/// A group name that reads the same in every form a claim can take: no whitespace, no
/// brackets, commas or quotes (API Gateway flattens `["a","b"]` to `[a b]`), 1-128 chars.
pub fn is_unambiguous_group(name: &str) -> bool {
    (1..=128).contains(&name.chars().count())
        && name.chars().all(|c| !c.is_whitespace() && !c.is_control() && !matches!(c, '[' | ']' | ',' | '"' | '\''))
}

fn group_list(claim: Option<&Value>) -> Result<Vec<String>, AuthError> {
    let names: Vec<String> = match claim {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| AuthError("cognito:groups must list strings".into())))
            .collect::<Result<_, _>>()?,
        // API Gateway's flattened array: exactly `[a b c]`, names separated by one space.
        Some(Value::String(flat)) if flat.is_empty() => Vec::new(),
        Some(Value::String(flat)) => match flat.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            Some("") => Vec::new(),
            Some(inner) => inner.split(' ').map(str::to_owned).collect(),
            None => vec![flat.clone()],
        },
        Some(_) => return Err(AuthError("cognito:groups must be a list of group names".into())),
    };
    match names.iter().find(|n| !is_unambiguous_group(n)) {
        Some(bad) => Err(AuthError(format!(
            "the token's group {bad:?} cannot be read unambiguously (no spaces, brackets, commas or quotes); \
             an administrator must rename it"
        ))),
        None => Ok(names),
    }
}

impl Principal {
    /// From a claims object, as API Gateway's JWT authorizer passes it (arrays flattened
    /// to `[a b]`) or as our own verifier returns it (JSON arrays).
    pub fn from_claims(claims: &Map<String, Value>) -> Result<Self, AuthError> {
        let text = |key: &str| claims.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
        let user = text("sub").ok_or_else(|| AuthError("the token has no subject (sub); log in again".into()))?;
        let access = text("token_use") == Some("access");
        if access && !text("scope").unwrap_or_default().split(' ').any(|s| s == API_SCOPE) {
            return Err(AuthError(format!(
                "this access token was not granted the scope {API_SCOPE}; sign in asking for scope=openid {API_SCOPE}, \
                 or send the ID token"
            )));
        }
        let tenant = text(TENANT_CLAIM).ok_or_else(|| {
            AuthError(if access {
                "this access token carries no tenant (custom:tenant_id): the user pool's pre-token-generation \
                 trigger adds it; until it runs, send the ID token (Authorization: Bearer <id_token>)"
                    .into()
            } else {
                "the token carries no tenant (custom:tenant_id): if you just signed up, sign in again (sign-up gives \
                 you a tenant); otherwise ask an administrator of your team to invite you"
                    .into()
            })
        })?;
        let user = check_id("user", user).map_err(|e| AuthError(e.to_string()))?;
        let tenant = check_id("tenant", tenant).map_err(|e| AuthError(e.to_string()))?;
        let owner = Owner::new(tenant, user).map_err(|e| AuthError(e.to_string()))?;
        Ok(Self { owner, groups: group_list(claims.get("cognito:groups"))? })
    }

    /// A job acting for a user it read from its own trusted input (no groups).
    pub fn for_job(owner: Owner) -> Self {
        Self { owner, groups: Vec::new() }
    }

    /// A job standing for a whole tenant (team summaries): tenant scope, admin reach.
    pub fn for_tenant_job(tenant_scope: Owner) -> Self {
        Self { owner: tenant_scope, groups: vec![TENANT_ADMIN_GROUP.to_owned()] }
    }

    /// The same principal with the tenant-admin standing the directory records (it
    /// wins over the token's groups, which lag a change by up to the token's lifetime).
    pub fn with_admin(mut self, admin: bool) -> Self {
        self.groups.retain(|g| g != TENANT_ADMIN_GROUP);
        if admin {
            self.groups.push(TENANT_ADMIN_GROUP.to_owned());
        }
        self
    }

    pub fn owner(&self) -> Owner {
        self.owner.clone()
    }

    pub fn user(&self) -> &str {
        self.owner.user()
    }

    pub fn tenant(&self) -> &str {
        self.owner.tenant()
    }

    pub fn is_tenant_admin(&self) -> bool {
        self.groups.iter().any(|g| g == TENANT_ADMIN_GROUP)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn principal(v: Value) -> Result<Principal, AuthError> {
        Principal::from_claims(&claims(v))
    }

    #[test]
    fn groups_come_as_arrays_or_flattened() {
        let p = principal(json!({"sub": "u1", "custom:tenant_id": "acme", "cognito:groups": ["admins", "x"]})).unwrap();
        assert_eq!((p.user(), p.tenant(), p.is_tenant_admin()), ("u1", "acme", true));
        let flat =
            principal(json!({"sub": "u2", "custom:tenant_id": "acme", "cognito:groups": "[admins team]"})).unwrap();
        assert_eq!(flat.groups, vec!["admins".to_string(), "team".to_string()]);
        let none = principal(json!({"sub": "u2", "custom:tenant_id": "acme", "cognito:groups": "[]"})).unwrap();
        assert!(none.groups.is_empty());
        assert!(principal(json!({"custom:tenant_id": "acme"})).is_err());
    }

    #[test]
    fn a_group_named_with_a_comma_grants_nothing_it_does_not_say() {
        // API Gateway flattens ["team,admins"] to "[team,admins]": one group, not admins.
        let err = principal(json!({"sub": "u1", "custom:tenant_id": "acme", "cognito:groups": "[team,admins]"}));
        assert!(err.unwrap_err().0.contains("team,admins"));
        let err = principal(json!({"sub": "u1", "custom:tenant_id": "acme", "cognito:groups": ["team,admins"]}));
        assert!(err.is_err());
        let err = principal(json!({"sub": "u1", "custom:tenant_id": "acme", "cognito:groups": ["x] [admins"]}));
        assert!(err.is_err());
        // Two spaces would make an empty name: refused rather than guessed.
        assert!(principal(json!({"sub": "u1", "custom:tenant_id": "acme", "cognito:groups": "[a  admins]"})).is_err());
    }

    #[test]
    fn a_token_without_a_tenant_is_refused_and_the_access_token_message_names_the_id_token() {
        let access = principal(json!({"sub": "u1", "token_use": "access", "scope": "tm/api"})).unwrap_err();
        assert!(access.0.contains("ID token"), "{}", access.0);
        let id = principal(json!({"sub": "u1", "token_use": "id"})).unwrap_err();
        assert!(id.0.contains("custom:tenant_id"), "{}", id.0);
    }

    #[test]
    fn an_access_token_needs_the_api_scope_and_resolves_to_the_id_tokens_tenant() {
        let id = principal(json!({"sub": "u1", "token_use": "id", "custom:tenant_id": "acme"})).unwrap();
        let access = json!({"sub": "u1", "token_use": "access", "custom:tenant_id": "acme", "scope": "openid tm/api"});
        assert_eq!(principal(access).unwrap().owner(), id.owner());
        let unscoped =
            json!({"sub": "u1", "token_use": "access", "custom:tenant_id": "acme", "scope": "openid tm/apix"});
        assert!(principal(unscoped).unwrap_err().0.contains("tm/api"));
        assert!(principal(json!({"sub": "u1", "token_use": "access", "custom:tenant_id": "acme"})).is_err());
    }

    #[test]
    fn the_directory_decides_admin_standing() {
        let admin = principal(json!({"sub": "u1", "custom:tenant_id": "acme", "cognito:groups": ["admins", "x"]}));
        let demoted = admin.unwrap().with_admin(false);
        assert!(!demoted.is_tenant_admin());
        assert_eq!(demoted.groups, ["x"]);
        assert!(demoted.with_admin(true).is_tenant_admin());
    }

    #[test]
    fn ids_that_could_nest_into_other_keys_are_refused() {
        for (sub, tenant) in [("u1", "acme#U#victim"), ("u1/../x", "acme"), ("u 1", "acme"), ("u1", "a/b")] {
            assert!(principal(json!({"sub": sub, "custom:tenant_id": tenant})).is_err(), "{sub} {tenant}");
        }
        assert!(principal(json!({"sub": "x".repeat(129), "custom:tenant_id": "acme"})).is_err());
    }
}
