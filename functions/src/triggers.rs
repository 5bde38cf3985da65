//! The user pool's trigger functions: `cognito-post-confirmation` (sign-up makes a
//! tenant) and `cognito-pre-token` (pre-token generation V2: status check, the tenant
//! and the API's scope in the access token). The logic is
//! [`tm_service::jobs::sign_in`]; here are Cognito's event loop and the pool's client.

use crate::Service;
use serde_json::Value;
use std::sync::Arc;
use tm_aws::cognito::CognitoIdentity;
use tm_service::auth::IdentityProvider;
use tm_service::jobs::sign_in::{EmailDomains, post_confirmation, pre_token_generation};

/// The operator's email-domain → tenant mapping for federated users (docs/deploy.md).
pub const EMAIL_DOMAINS_ENV: &str = "TENANT_EMAIL_DOMAINS";

/// One post-confirmation event. `identity` is the pool's admin API (built from the
/// event's `userPoolId` when none is given).
pub async fn handle_post_confirmation(
    service: &Service,
    identity: &dyn IdentityProvider,
    domains: &EmailDomains,
    event: Value,
) -> Result<Value, lambda_http::Error> {
    let at = (service.ctx.clock)();
    post_confirmation(async |tenant: &str| service.for_tenant(tenant).await, identity, domains, event, at)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "post-confirmation failed");
            lambda_http::Error::from(e.to_string())
        })
}

pub async fn handle_pre_token(service: &Service, event: Value) -> Result<Value, lambda_http::Error> {
    let at = (service.ctx.clock)();
    pre_token_generation(async |tenant: &str| service.for_tenant(tenant).await, event, at).await.map_err(|e| {
        tracing::warn!(error = %e, "pre-token generation refused");
        lambda_http::Error::from(e.to_string())
    })
}

pub async fn serve_post_confirmation() -> Result<(), lambda_http::Error> {
    crate::init_tracing();
    let service = Arc::new(Service::from_env("cognito-post-confirmation").await?);
    let domains = EmailDomains::parse(&std::env::var(EMAIL_DOMAINS_ENV).unwrap_or_default())
        .map_err(|e| format!("{EMAIL_DOMAINS_ENV}: {e}"))?;
    let client = aws_sdk_cognitoidentityprovider::Client::new(&aws_config::load_from_env().await);
    lambda_http::lambda_runtime::run(lambda_http::service_fn(move |event: lambda_http::LambdaEvent<Value>| {
        let (service, domains, client) = (service.clone(), domains.clone(), client.clone());
        async move {
            // The pool is the event's: the function needs no pool id of its own, which
            // would make the pool and its trigger depend on each other in the template.
            let pool = event.payload.get("userPoolId").and_then(Value::as_str).unwrap_or_default().to_owned();
            let identity = CognitoIdentity::new(client, pool);
            handle_post_confirmation(&service, &identity, &domains, event.payload).await
        }
    }))
    .await
}

pub async fn serve_pre_token() -> Result<(), lambda_http::Error> {
    crate::init_tracing();
    let service = Arc::new(Service::from_env("cognito-pre-token").await?);
    lambda_http::lambda_runtime::run(lambda_http::service_fn(move |event: lambda_http::LambdaEvent<Value>| {
        let service = service.clone();
        async move { handle_pre_token(&service, event.payload).await }
    }))
    .await
}
