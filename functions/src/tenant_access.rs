//! Tenant-scoped credentials, as in AWS's SaaS reference architectures: a function's own
//! role holds no data permission. For each tenant it serves, the function assumes
//! `TenantAccessRole` with a session policy that allows only its own grants
//! (`TENANT_GRANTS` in the template) on that tenant's keys — DynamoDB items whose
//! partition key is `T#{tenant}` or starts with `T#{tenant}#` (`dynamodb:LeadingKeys`)
//! and objects under `tenants/{tenant}/` and `uploads/tenants/{tenant}/`. A bug that builds
//! a key of another tenant is then refused by IAM, not only by code.
//!
//! The credentials are cached per tenant in the warm container and renewed 20 minutes
//! before they expire (an hour, the most role chaining allows), so a presigned upload URL
//! (15 minutes) never outlives the credentials that signed it. Cost: one `AssumeRole` per
//! tenant per container and hour (docs/deploy.md).

use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};
use tm_aws::dynamo::DynamoStore;
use tm_aws::s3::S3ObjectStore;
use tm_service::context::AppContext;
use tm_service::store::StoreError;

/// The environment variables the template sets.
pub const ROLE_ENV: &str = "TENANT_ROLE_ARN";
pub const GRANTS_ENV: &str = "TENANT_GRANTS";
pub const TABLE_ARN_ENV: &str = "TABLE_ARN";
pub const BUCKET_ARN_ENV: &str = "BUCKET_ARN";

/// Session policies may hold at most 2048 characters.
pub const MAX_SESSION_POLICY_CHARS: usize = 2048;
const SESSION_SECONDS: i32 = 3600;
const RENEW_BEFORE: Duration = Duration::from_secs(20 * 60);

/// What one function may do, for any one tenant: `ACTION[+ACTION...]=WHERE` items, where
/// WHERE is `table`, an object-key pattern whose tenant is the `*` after `tenants/`
/// (`tenants/*/users/*/logs/*`, `uploads/tenants/*/users/*/*`), or `list:` and such a
/// pattern for listing under it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grants {
    pub table: Vec<String>,
    pub objects: Vec<(Vec<String>, String)>,
    pub listing: Vec<(Vec<String>, String)>,
}

/// Where a pattern's tenant goes: the first `*` after the leading `tenants/` or
/// `uploads/tenants/`.
fn tenant_slot(pattern: &str) -> Option<(&'static str, &str)> {
    ["tenants/*", "uploads/tenants/*"]
        .into_iter()
        .find_map(|head| pattern.strip_prefix(head).map(|rest| (head.trim_end_matches('*'), rest)))
        .filter(|(_, rest)| rest.is_empty() || rest.starts_with('/'))
}

impl Grants {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut grants = Self::default();
        for item in text.split_whitespace() {
            let (actions, place) =
                item.split_once('=').ok_or_else(|| format!("grant {item:?} is not ACTION[+ACTION]=WHERE"))?;
            let actions: Vec<String> = actions.split('+').map(str::to_owned).collect();
            if actions.iter().any(|a| a.is_empty() || a.contains('*') || !a.contains(':')) {
                return Err(format!("grant {item:?} names no exact action"));
            }
            if place == "table" {
                if !actions.iter().all(|a| a.starts_with("dynamodb:")) {
                    return Err(format!("grant {item:?}: only dynamodb actions apply to the table"));
                }
                grants.table.extend(actions);
                continue;
            }
            let (list, pattern) = match place.strip_prefix("list:") {
                Some(pattern) => (true, pattern),
                None => (false, place),
            };
            if tenant_slot(pattern).is_none() || !actions.iter().all(|a| a.starts_with("s3:")) {
                return Err(format!("grant {item:?}: s3 actions under tenants/*/ or uploads/tenants/*/ only"));
            }
            let target = if list { &mut grants.listing } else { &mut grants.objects };
            target.push((actions, pattern.to_owned()));
        }
        Ok(grants)
    }

    /// Every action granted, for checks against the role's ceiling.
    pub fn actions(&self) -> impl Iterator<Item = &str> {
        self.table
            .iter()
            .chain(self.objects.iter().flat_map(|(a, _)| a))
            .chain(self.listing.iter().flat_map(|(a, _)| a))
            .map(String::as_str)
    }

    /// The session policy for `tenant`: these grants, on that tenant's keys only.
    pub fn session_policy(&self, tenant: &str, table_arn: &str, bucket_arn: &str) -> Value {
        let mine = |pattern: &str| {
            let (head, rest) = tenant_slot(pattern).expect("patterns were checked when parsed");
            format!("{head}{tenant}{rest}")
        };
        let mut statements = Vec::new();
        if !self.table.is_empty() {
            statements.push(json!({
                "Effect": "Allow",
                "Action": self.table,
                "Resource": table_arn,
                "Condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [format!("T#{tenant}"), format!("T#{tenant}#*")]}},
            }));
        }
        for (actions, pattern) in &self.objects {
            statements.push(json!({
                "Effect": "Allow",
                "Action": actions,
                "Resource": format!("{bucket_arn}/{}", mine(pattern)),
            }));
        }
        for (actions, pattern) in &self.listing {
            statements.push(json!({
                "Effect": "Allow",
                "Action": actions,
                "Resource": bucket_arn,
                "Condition": {"StringLike": {"s3:prefix": mine(pattern)}},
            }));
        }
        json!({"Version": "2012-10-17", "Statement": statements})
    }
}

/// What the environment configures.
#[derive(Debug, PartialEq)]
pub struct Setup {
    pub role_arn: String,
    pub table: (String, String),
    pub bucket: (String, String),
    pub grants: Grants,
}

impl Setup {
    /// `None` when tenant access is not configured for this function.
    pub fn read(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let (Some(role_arn), Some(grants)) = (var(ROLE_ENV), var(GRANTS_ENV)) else { return Ok(None) };
        let need = |name: &str| var(name).ok_or_else(|| format!("{name} is not set (needed with {ROLE_ENV})"));
        Ok(Some(Self {
            role_arn,
            table: (need(crate::TABLE_ENV)?, need(TABLE_ARN_ENV)?),
            bucket: (need(crate::BUCKET_ENV)?, need(BUCKET_ARN_ENV)?),
            grants: Grants::parse(&grants)?,
        }))
    }
}

#[derive(Clone)]
struct Scoped {
    store: Arc<DynamoStore>,
    objects: Arc<S3ObjectStore>,
    renew_at: SystemTime,
}

/// Hands out stores whose credentials reach one tenant only.
pub struct TenantAccess {
    sts: aws_sdk_sts::Client,
    config: aws_config::SdkConfig,
    role_arn: String,
    table: String,
    bucket: String,
    table_arn: String,
    bucket_arn: String,
    grants: Grants,
    function: String,
    cache: tokio::sync::Mutex<HashMap<String, Scoped>>,
    assumed: AtomicU64,
}

impl TenantAccess {
    /// From the template's environment; `None` without `TENANT_ROLE_ARN` (tests on the
    /// emulator and anything not deployed by the template use the function's own
    /// credentials) or without `TENANT_GRANTS` (a function that touches no data, such
    /// as `health`: its role has none either).
    pub fn from_env(config: &aws_config::SdkConfig, function: &str) -> Result<Option<Self>, String> {
        let Some(setup) = Setup::read(|name| std::env::var(name).ok())? else { return Ok(None) };
        Ok(Some(Self::new(config, function, setup.role_arn, setup.table, setup.bucket, setup.grants)))
    }

    pub fn new(
        config: &aws_config::SdkConfig,
        function: &str,
        role_arn: String,
        (table, table_arn): (String, String),
        (bucket, bucket_arn): (String, String),
        grants: Grants,
    ) -> Self {
        Self {
            sts: aws_sdk_sts::Client::new(config),
            config: config.clone(),
            role_arn,
            table,
            bucket,
            table_arn,
            bucket_arn,
            grants,
            function: function.to_owned(),
            cache: tokio::sync::Mutex::new(HashMap::new()),
            assumed: AtomicU64::new(0),
        }
    }

    /// How many times a role was assumed (one per tenant per credential lifetime).
    pub fn assumed(&self) -> u64 {
        self.assumed.load(Ordering::Relaxed)
    }

    /// `base` with stores that reach `tenant` only.
    pub async fn context(&self, base: &AppContext, tenant: &str) -> Result<AppContext, StoreError> {
        // A tenant with `*`, `/` or `#` would widen the policy: only plain ids get one.
        if !tm_core::domain::ids::is_valid_id(tenant) {
            return Err(StoreError::corrupt(format!("tenant id {tenant:?}"), "no credentials for it"));
        }
        if let Some(scoped) = self.cache.lock().await.get(tenant).filter(|s| SystemTime::now() < s.renew_at) {
            return Ok(base.with_stores(scoped.store.clone(), scoped.objects.clone()));
        }
        let scoped = self.assume(tenant).await?;
        let mut cache = self.cache.lock().await;
        if cache.len() > 1000 {
            cache.retain(|_, s| SystemTime::now() < s.renew_at);
        }
        cache.insert(tenant.to_owned(), scoped.clone());
        Ok(base.with_stores(scoped.store, scoped.objects))
    }

    async fn assume(&self, tenant: &str) -> Result<Scoped, StoreError> {
        let policy = self.grants.session_policy(tenant, &self.table_arn, &self.bucket_arn).to_string();
        // Session names allow [\w+=,.@-], 2-64 characters; ids are [A-Za-z0-9_-].
        let session: String = format!("{}-{tenant}", self.function).chars().take(64).collect();
        let out = self
            .sts
            .assume_role()
            .role_arn(&self.role_arn)
            .role_session_name(session)
            .policy(policy)
            .duration_seconds(SESSION_SECONDS)
            .send()
            .await
            .map_err(|e| StoreError::unavailable("STS", aws_sdk_sts::error::DisplayErrorContext(e).to_string()))?;
        self.assumed.fetch_add(1, Ordering::Relaxed);
        let issued = out.credentials.ok_or_else(|| StoreError::unavailable("STS", "no credentials returned"))?;
        let expires = SystemTime::try_from(issued.expiration).unwrap_or_else(|_| SystemTime::now());
        let credentials = aws_sdk_dynamodb::config::Credentials::new(
            issued.access_key_id,
            issued.secret_access_key,
            Some(issued.session_token),
            Some(expires),
            "tenant-access",
        );
        let dynamo = aws_sdk_dynamodb::config::Builder::from(&self.config).credentials_provider(credentials.clone());
        let s3 = aws_sdk_s3::config::Builder::from(&self.config)
            .credentials_provider(credentials)
            .force_path_style(std::env::var("AWS_ENDPOINT_URL").is_ok());
        Ok(Scoped {
            store: Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::from_conf(dynamo.build()), self.table.clone())),
            objects: Arc::new(S3ObjectStore::new(aws_sdk_s3::Client::from_conf(s3.build()), self.bucket.clone())),
            renew_at: expires.checked_sub(RENEW_BEFORE).unwrap_or(expires),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_policy_reaches_one_tenant_with_the_functions_grants_only() {
        let grants = Grants::parse(
            "dynamodb:GetItem+dynamodb:Query=table s3:PutObject=tenants/*/users/*/logs/* \
             s3:GetObject+s3:GetObjectVersion=uploads/tenants/*/users/*/* s3:ListBucket=list:tenants/*/users/*/logs/*",
        )
        .unwrap();
        let policy = grants.session_policy("acme", "arn:aws:dynamodb:eu-west-1:1:table/t", "arn:aws:s3:::b");
        let statements = policy["Statement"].as_array().unwrap();
        assert_eq!(statements[0]["Action"], json!(["dynamodb:GetItem", "dynamodb:Query"]));
        assert_eq!(
            statements[0]["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"],
            json!(["T#acme", "T#acme#*"])
        );
        assert_eq!(statements[1]["Resource"], "arn:aws:s3:::b/tenants/acme/users/*/logs/*");
        assert_eq!(statements[2]["Resource"], "arn:aws:s3:::b/uploads/tenants/acme/users/*/*");
        assert_eq!(statements[3]["Condition"]["StringLike"]["s3:prefix"], "tenants/acme/users/*/logs/*");
        assert!(!policy.to_string().contains("tenants/*"), "no other tenant: {policy}");
    }

    #[test]
    fn a_function_without_grants_needs_no_tenant_access() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
        };
        // `health` gets the template's globals but no grants: it must start.
        let health = env(&[(ROLE_ENV, "arn:aws:iam::1:role/r"), ("TABLE_NAME", "t"), (TABLE_ARN_ENV, "a")]);
        assert_eq!(Setup::read(health), Ok(None));
        let incomplete = env(&[(ROLE_ENV, "arn:aws:iam::1:role/r"), (GRANTS_ENV, "dynamodb:GetItem=table")]);
        assert!(Setup::read(incomplete).unwrap_err().contains("TABLE_NAME"));
        let full = env(&[
            (ROLE_ENV, "arn:aws:iam::1:role/r"),
            (GRANTS_ENV, "dynamodb:GetItem=table"),
            ("TABLE_NAME", "t"),
            (TABLE_ARN_ENV, "arn:t"),
            ("BUCKET_NAME", "b"),
            (BUCKET_ARN_ENV, "arn:b"),
        ]);
        assert_eq!(Setup::read(full).unwrap().unwrap().grants.table, vec!["dynamodb:GetItem"]);
        assert_eq!(Setup::read(env(&[])), Ok(None), "not deployed by the template");
    }

    #[test]
    fn grants_must_be_exact_and_inside_a_tenant() {
        for bad in [
            "dynamodb:*=table",
            "s3:GetObject=logs/*",
            "s3:GetObject=tenants/acme-*",
            "dynamodb:GetItem",
            "s3:PutObject=table",
        ] {
            assert!(Grants::parse(bad).is_err(), "{bad}");
        }
        assert!(Grants::parse("").unwrap().actions().next().is_none());
    }
}
