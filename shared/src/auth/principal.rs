//! The principal comes from verified token claims only: user = `sub`, tenant =
//! `custom:tenant_id` (or the user's own id), groups = `cognito:groups`.

use super::AuthError;
use crate::store::Owner;
use serde_json::{Map, Value};

/// Group whose members administer their tenant (Cognito group name).
pub const TENANT_ADMIN_GROUP: &str = "admins";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub user: String,
    pub tenant: String,
    pub groups: Vec<String>,
}

impl Principal {
    /// From a claims object, as API Gateway's JWT authorizer passes it or as our own
    /// verifier returns it. API Gateway flattens arrays to strings such as `[a b]`;
    /// both forms are read.
    pub fn from_claims(claims: &Map<String, Value>) -> Result<Self, AuthError> {
        let text = |key: &str| claims.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
        let user = text("sub").ok_or_else(|| AuthError("the token has no subject (sub); log in again".into()))?;
        let tenant = text("custom:tenant_id").unwrap_or(user);
        let groups = match claims.get("cognito:groups") {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
            Some(Value::String(flat)) => flat
                .trim_matches(|c| c == '[' || c == ']')
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|g| !g.is_empty())
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        };
        Ok(Self { user: user.to_owned(), tenant: tenant.to_owned(), groups })
    }

    pub fn owner(&self) -> Owner {
        Owner { tenant: self.tenant.clone(), user: self.user.clone() }
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

    #[test]
    fn tenant_defaults_to_the_user_and_groups_come_in_both_forms() {
        let p = Principal::from_claims(&claims(json!({"sub": "u1", "cognito:groups": ["admins", "x"]}))).unwrap();
        assert_eq!((p.user.as_str(), p.tenant.as_str(), p.is_tenant_admin()), ("u1", "u1", true));
        let flat = Principal::from_claims(&claims(
            json!({"sub": "u2", "custom:tenant_id": "acme", "cognito:groups": "[admins team]"}),
        ))
        .unwrap();
        assert_eq!(
            (flat.tenant.as_str(), flat.groups.clone()),
            ("acme", vec!["admins".to_string(), "team".to_string()])
        );
        assert!(Principal::from_claims(&claims(json!({"custom:tenant_id": "acme"}))).is_err());
    }
}
