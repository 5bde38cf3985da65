//! The real-time channel in AWS (docs/live.md, Real time in AWS): an API Gateway
//! WebSocket API whose routes are these functions.
//! - `live-authorizer`: the `$connect` route's REQUEST authorizer. It verifies the
//!   Cognito token in `?token=` as the HTTP API's JWT authorizer does (tm-tokens) and
//!   passes its claims, never the token, to the connection's routes.
//! - `live-connect`: opens the person's live session as tm-local's `/live` does (the
//!   same refusals), and saves it in the connection's document (`store::live`).
//! - `live-ready`: the `ready` route (`{"action":"ready"}`): answers where the
//!   connection stands (API Gateway cannot send while `$connect` runs); clients also
//!   send it to keep an idle connection open (API Gateway closes one after 10 minutes).
//! - `live-disconnect`: marks the connection gone.
//! - `live-fanout`: the table's stream of changes feed items → each reader of the
//!   author (`feed::readers_of`) → their connections: the session resumes from its
//!   document, reads what is new and visible to that person (the same rule as
//!   `GET /v1/changes`), posts it through the management API and saves how far it got.
//!   A gone connection is forgotten; one whose person may no longer read, or whose token
//!   expired, is closed and forgotten.
//!
//! Two fan-outs of one connection at once may both send a change: messages carry
//! change ids, and clients skip one they have seen (at least once, never a gap).

use crate::Service;
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;
use tm_aws::events::{SqsBatchResponse, StreamEvent, batch_failures, new_changes};
use tm_service::auth::Principal;
use tm_service::context::AppContext;
use tm_service::handlers::live::{LiveMessage, LiveSession};
use tm_service::http::ApiError;
use tm_service::store::live::{Connection, connection, connections, forget_connection, save_connection};
use tm_service::store::{Owner, StoreError};
use tm_tokens::{JwtVerifier, TrustedIssuer};

/// The token's issuer (`https://cognito-idp.{region}.amazonaws.com/{pool}`).
pub const ISSUER_ENV: &str = "TOKEN_ISSUER";
/// The app client id: the ID token's `aud`, the access token's `client_id`.
pub const AUDIENCE_ENV: &str = "TOKEN_AUDIENCE";
/// Where the issuer's keys are, when not at `{issuer}/.well-known/jwks.json` (tests).
pub const JWKS_ENV: &str = "TOKEN_JWKS_URL";
/// The management API's endpoint: `https://{api}.execute-api.{region}.amazonaws.com/{stage}`.
pub const ENDPOINT_ENV: &str = "LIVE_ENDPOINT";
/// API Gateway's limit on a WebSocket message is 128 KiB; messages stay below this.
pub const MAX_MESSAGE_BYTES: usize = 96 * 1024;

// ------------------------------------------------------------------ authorizer

/// A WebSocket REQUEST authorizer's event (the fields read).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizerRequest {
    pub method_arn: String,
    #[serde(default)]
    pub query_string_parameters: Option<HashMap<String, String>>,
}

/// The token verifier from the environment.
pub fn verifier_from_env() -> Result<JwtVerifier, String> {
    let issuer = std::env::var(ISSUER_ENV).map_err(|_| format!("{ISSUER_ENV} is not set"))?;
    let audience = std::env::var(AUDIENCE_ENV).map_err(|_| format!("{AUDIENCE_ENV} is not set"))?;
    let jwks = std::env::var(JWKS_ENV).unwrap_or_else(|_| format!("{issuer}/.well-known/jwks.json"));
    Ok(JwtVerifier::new(vec![TrustedIssuer { issuer, jwks_url: Some(jwks), audiences: vec![audience] }]))
}

fn policy(principal_id: &str, effect: &str, method_arn: &str) -> Value {
    json!({
        "principalId": principal_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": method_arn}],
        },
    })
}

/// Allow with the claims as context (`claims`: their JSON), or Deny (API Gateway
/// answers 403). Only what makes the principal is kept, so the context stays small.
pub async fn authorize(verifier: &JwtVerifier, event: Value) -> Value {
    let started = Instant::now();
    let Ok(request) = serde_json::from_value::<AuthorizerRequest>(event) else {
        tracing::warn!(route = "$connect", status = 403, "live authorizer: not an authorizer event");
        return policy("anonymous", "Deny", "*");
    };
    let token = request.query_string_parameters.as_ref().and_then(|q| q.get("token")).cloned().unwrap_or_default();
    let verified = match verifier.verify(&token).await {
        Ok(claims) => Principal::from_claims(&claims).map(|p| (p, claims)),
        Err(e) => Err(e),
    };
    let duration_ms = started.elapsed().as_millis() as u64;
    match verified {
        Ok((principal, claims)) => {
            const KEPT: [&str; 7] = ["sub", "custom:tenant_id", "cognito:groups", "token_use", "scope", "exp", "iss"];
            let kept: Map<String, Value> = claims.into_iter().filter(|(k, _)| KEPT.contains(&k.as_str())).collect();
            tracing::info!(route = "$connect", status = 200, tenant = %principal.tenant(), duration_ms, "live authorizer");
            let mut answer = policy(principal.user(), "Allow", &request.method_arn);
            answer["context"] = json!({"claims": Value::Object(kept).to_string()});
            answer
        }
        Err(e) => {
            tracing::info!(route = "$connect", status = 403, reason = %e.0, duration_ms, "live authorizer refused");
            policy("anonymous", "Deny", &request.method_arn)
        }
    }
}

// ------------------------------------------------------------------ routes

/// A WebSocket route's event (the fields read).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteEvent {
    pub request_context: RouteContext,
    #[serde(default)]
    pub query_string_parameters: Option<HashMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteContext {
    pub connection_id: String,
    #[serde(default)]
    pub route_key: Option<String>,
    #[serde(default)]
    pub request_id: Option<String>,
    /// What the authorizer passed (on every route of the connection).
    #[serde(default)]
    pub authorizer: Option<Map<String, Value>>,
}

impl RouteEvent {
    fn claims(&self) -> Result<Map<String, Value>, ApiError> {
        let refused =
            || ApiError::unauthorized("no verified token reached the function; connect with ?token=<id_token>");
        let text = self.request_context.authorizer.as_ref().and_then(|a| a.get("claims")).and_then(Value::as_str);
        serde_json::from_str(text.ok_or_else(refused)?).map_err(|_| refused())
    }

    fn principal(&self) -> Result<(Principal, Map<String, Value>), ApiError> {
        let claims = self.claims()?;
        let principal = Principal::from_claims(&claims).map_err(|e| ApiError::unauthorized(e.0))?;
        Ok((principal, claims))
    }
}

fn answer(status: u16, body: String) -> Value {
    json!({"statusCode": status, "body": body})
}

fn refusal(e: ApiError) -> Value {
    let status = e.status;
    let body = String::from_utf8_lossy(&e.into_api_response().body).into_owned();
    answer(status, body)
}

/// One route event through `work`, logged as one line (request id, route, status,
/// duration), answered as API Gateway expects (`statusCode`, `body`).
async fn route<F, Fut>(event: Value, work: F) -> Value
where
    F: FnOnce(RouteEvent) -> Fut,
    Fut: std::future::Future<Output = Result<Value, ApiError>>,
{
    let started = Instant::now();
    let event: RouteEvent = match serde_json::from_value(event) {
        Ok(event) => event,
        Err(e) => {
            tracing::error!(error = %e, "not a WebSocket route event");
            return refusal(ApiError::bad_request("invalid-event", "not an API Gateway WebSocket event"));
        }
    };
    let (route, request_id) =
        (event.request_context.route_key.clone().unwrap_or_default(), event.request_context.request_id.clone());
    let answer = work(event).await.unwrap_or_else(refusal);
    let status = answer["statusCode"].as_u64().unwrap_or(500);
    let duration_ms = started.elapsed().as_millis() as u64;
    tracing::info!(request_id = request_id.as_deref().unwrap_or("-"), route = %route, status, duration_ms, "live");
    answer
}

/// `$connect`: the same checks as a request (a disabled person, a bad `since` are
/// refused: the client sees the handshake fail with the status), then the session's
/// document, expiring with the token.
pub async fn connect(service: &Service, event: Value) -> Value {
    route(event, |event| async move {
        let (principal, claims) = event.principal()?;
        let ctx = service.for_tenant(principal.tenant()).await?;
        let since = event.query_string_parameters.as_ref().and_then(|q| q.get("since")).map(String::as_str);
        let session = LiveSession::open(&ctx, &principal, since).await?;
        let expires_at = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
        let now = (ctx.clock)();
        let owner = principal.owner();
        let record = Connection {
            id: event.request_context.connection_id.clone(),
            tenant: owner.tenant().to_owned(),
            user: owner.user().to_owned(),
            claims,
            state: session.state(),
            connected_at: now,
            expires_at,
            revision: 0,
        };
        if !save_connection(ctx.store.as_ref(), &record, None).await? {
            return Err(ApiError::new(409, "connection-exists", "this connection id is open already; connect again"));
        }
        Ok(answer(200, String::new()))
    })
    .await
}

/// `ready`: the connection's cursor (`{"type":"ready","cursor":…}`), sent back by the
/// route's response.
pub async fn ready(service: &Service, event: Value) -> Value {
    route(event, |event| async move {
        let (principal, _) = event.principal()?;
        let ctx = service.for_tenant(principal.tenant()).await?;
        let id = &event.request_context.connection_id;
        let open = connection(ctx.store.as_ref(), &principal.owner(), id).await?.ok_or_else(|| {
            ApiError::new(410, "connection-gone", "this connection was closed; connect again with your last cursor")
        })?;
        let session = LiveSession::resume(principal, &open.state)?;
        Ok(answer(200, session.ready().to_json()))
    })
    .await
}

/// `$disconnect`: the connection's document becomes a marker that expires.
pub async fn disconnect(service: &Service, event: Value) -> Value {
    route(event, |event| async move {
        let (principal, _) = event.principal()?;
        let ctx = service.for_tenant(principal.tenant()).await?;
        let now = (ctx.clock)();
        forget_connection(ctx.store.as_ref(), &principal.owner(), &event.request_context.connection_id, now).await?;
        Ok(answer(200, String::new()))
    })
    .await
}

// ------------------------------------------------------------------ fan-out

/// Why a post did not reach its connection.
#[derive(Debug)]
pub enum PostError {
    /// The connection is closed (API Gateway's 410).
    Gone,
    /// Anything else: tried again with the stream batch.
    Failed(String),
}

/// Where messages go: API Gateway's management API (tests look at them instead).
#[async_trait]
pub trait ConnectionPoster: Send + Sync {
    async fn post(&self, connection_id: &str, message: &str) -> Result<(), PostError>;
    /// Closes a connection from the server's side.
    async fn close(&self, connection_id: &str) -> Result<(), PostError>;
}

pub struct ManagementApi {
    pub client: aws_sdk_apigatewaymanagement::Client,
}

impl ManagementApi {
    pub async fn from_env() -> Result<Self, lambda_http::Error> {
        let endpoint = std::env::var(ENDPOINT_ENV).map_err(|_| format!("{ENDPOINT_ENV} is not set"))?;
        let config = aws_config::load_from_env().await;
        let conf = aws_sdk_apigatewaymanagement::config::Builder::from(&config).endpoint_url(endpoint).build();
        Ok(Self { client: aws_sdk_apigatewaymanagement::Client::from_conf(conf) })
    }
}

#[async_trait]
impl ConnectionPoster for ManagementApi {
    async fn post(&self, connection_id: &str, message: &str) -> Result<(), PostError> {
        use aws_sdk_apigatewaymanagement::operation::post_to_connection::PostToConnectionError;
        let data = aws_sdk_apigatewaymanagement::primitives::Blob::new(message.as_bytes());
        match self.client.post_to_connection().connection_id(connection_id).data(data).send().await {
            Ok(_) => Ok(()),
            Err(e) if matches!(e.as_service_error(), Some(PostToConnectionError::GoneException(_))) => {
                Err(PostError::Gone)
            }
            Err(e) => Err(PostError::Failed(aws_sdk_apigatewaymanagement::error::DisplayErrorContext(e).to_string())),
        }
    }

    async fn close(&self, connection_id: &str) -> Result<(), PostError> {
        use aws_sdk_apigatewaymanagement::operation::delete_connection::DeleteConnectionError;
        match self.client.delete_connection().connection_id(connection_id).send().await {
            Ok(_) => Ok(()),
            Err(e) if matches!(e.as_service_error(), Some(DeleteConnectionError::GoneException(_))) => Ok(()),
            Err(e) => Err(PostError::Failed(aws_sdk_apigatewaymanagement::error::DisplayErrorContext(e).to_string())),
        }
    }
}

/// `message` as messages below [`MAX_MESSAGE_BYTES`]: a batch too big for one is split
/// (an ingest of a whole year). Every part but the last carries `before`, the cursor the
/// batch started from, so a client that reconnects after a part resumes without a gap
/// (and skips, by id, what it already had).
pub fn split_message(message: LiveMessage, before: &str) -> Vec<String> {
    let text = message.to_json();
    let LiveMessage::Changes { changes, cursor } = message else { return vec![text] };
    if text.len() <= MAX_MESSAGE_BYTES || changes.len() <= 1 {
        return vec![text];
    }
    let mut parts = Vec::new();
    let mut part = Vec::new();
    let mut size = 0;
    for change in changes {
        let bytes = serde_json::to_string(&change).map(|t| t.len()).unwrap_or(0) + 1;
        if !part.is_empty() && size + bytes > MAX_MESSAGE_BYTES - 1024 {
            parts.push(std::mem::take(&mut part));
            size = 0;
        }
        size += bytes;
        part.push(change);
    }
    parts.push(part);
    let last = parts.len() - 1;
    parts
        .into_iter()
        .enumerate()
        .map(|(i, changes)| {
            let cursor = if i == last { cursor.clone() } else { before.to_owned() };
            LiveMessage::Changes { changes, cursor }.to_json()
        })
        .collect()
}

/// What happened to one connection in a fan-out.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Sent(usize),
    Nothing,
    Forgotten,
}

/// Sends `open` what is new for it; its document follows.
async fn follow(ctx: &AppContext, poster: &dyn ConnectionPoster, open: Connection) -> Result<Outcome, StoreError> {
    let owner = open.owner()?;
    let now = (ctx.clock)();
    let forget = |reason: &'static str| {
        let id = open.id.clone();
        let owner = owner.clone();
        async move {
            tracing::info!(connection_id = %id, reason, "live: closing a connection");
            if let Err(PostError::Failed(e)) = poster.close(&id).await {
                tracing::warn!(connection_id = %id, error = %e, "live: the connection could not be closed");
            }
            forget_connection(ctx.store.as_ref(), &owner, &id, now).await.map(|_| Outcome::Forgotten)
        }
    };
    if open.expires_at <= now.timestamp() {
        return forget("the token expired").await;
    }
    let Ok(principal) = Principal::from_claims(&open.claims) else { return forget("unreadable claims").await };
    let Ok(mut session) = LiveSession::resume(principal, &open.state) else {
        return forget("unreadable state").await;
    };
    let before = open.state.cursor.clone();
    let message = match session.next(ctx).await {
        Ok(Some(message)) => message,
        Ok(None) => return Ok(Outcome::Nothing),
        Err(e) if e.status == 401 || e.status == 403 => return forget("the person may no longer read").await,
        Err(e) => return Err(StoreError::unavailable("the changes feed", format!("{}: {}", e.code, e.message))),
    };
    let parts = split_message(message, &before);
    for part in &parts {
        match poster.post(&open.id, part).await {
            Ok(()) => {}
            Err(PostError::Gone) => {
                forget_connection(ctx.store.as_ref(), &owner, &open.id, now).await?;
                return Ok(Outcome::Forgotten);
            }
            Err(PostError::Failed(e)) => return Err(StoreError::unavailable("API Gateway's management API", e)),
        }
    }
    let read = open.revision;
    let next = Connection { state: session.state(), ..open };
    // A lost race: another fan-out moved it on (or it closed); its save stands.
    save_connection(ctx.store.as_ref(), &next, Some(read)).await?;
    Ok(Outcome::Sent(parts.len()))
}

/// One stream batch: every reader of the batch's authors is sent what is new on each
/// of their connections, once per batch. Answers the sequence numbers to deliver again
/// (an author whose readers could not all be served).
pub async fn fan_out(service: &Service, poster: &dyn ConnectionPoster, event: Value) -> SqsBatchResponse {
    let event: StreamEvent = match serde_json::from_value(event) {
        Ok(event) => event,
        Err(e) => {
            tracing::error!(error = %e, "not a DynamoDB stream event; nothing to do");
            return batch_failures(Vec::new());
        }
    };
    let mut authors: BTreeMap<(String, String), (Owner, Vec<String>)> = BTreeMap::new();
    for change in new_changes(&event) {
        let key = (change.owner.tenant().to_owned(), change.owner.user().to_owned());
        authors.entry(key).or_insert_with(|| (change.owner.clone(), Vec::new())).1.push(change.sequence_number);
    }
    let mut failures = Vec::new();
    let mut served: BTreeSet<(String, String)> = BTreeSet::new();
    for (_, (author, sequences)) in authors {
        let started = Instant::now();
        let outcome = async {
            let ctx = service.for_tenant(author.tenant()).await?;
            let readers = tm_service::feed::readers_of(&ctx, &author).await.map_err(|e| match e {
                tm_service::error::AppError::Store(e) => e,
                other => StoreError::misuse(other.to_string()),
            })?;
            let (mut sent, mut closed) = (0, 0);
            for reader in readers {
                let key = (reader.tenant().to_owned(), reader.user().to_owned());
                if served.contains(&key) {
                    continue;
                }
                for open in connections(ctx.store.as_ref(), &reader).await? {
                    match follow(&ctx, poster, open).await? {
                        Outcome::Sent(n) => sent += n,
                        Outcome::Forgotten => closed += 1,
                        Outcome::Nothing => {}
                    }
                }
                served.insert(key);
            }
            Ok::<_, StoreError>((sent, closed))
        }
        .await;
        let duration_ms = started.elapsed().as_millis() as u64;
        match outcome {
            Ok((sent, closed)) => tracing::info!(
                tenant = %author.tenant(), changes = sequences.len(), sent, closed, duration_ms, "live fan-out"
            ),
            Err(e) => {
                tracing::error!(tenant = %author.tenant(), error = %e, duration_ms, "live fan-out failed; will retry");
                failures.extend(sequences);
            }
        }
    }
    batch_failures(failures)
}

// ------------------------------------------------------------------ event loops

pub async fn serve_authorizer() -> Result<(), lambda_http::Error> {
    crate::init_tracing();
    let verifier = std::sync::Arc::new(verifier_from_env()?);
    lambda_http::lambda_runtime::run(lambda_http::service_fn(move |event: lambda_http::LambdaEvent<Value>| {
        let verifier = verifier.clone();
        async move { Ok::<_, lambda_http::Error>(authorize(&verifier, event.payload).await) }
    }))
    .await
}

/// Which of the connection routes a function serves.
#[derive(Clone, Copy, Debug)]
pub enum LiveRoute {
    Connect,
    Ready,
    Disconnect,
}

pub async fn serve_route(which: LiveRoute, function: &'static str) -> Result<(), lambda_http::Error> {
    crate::init_tracing();
    let service = Service::from_env(function).await?;
    lambda_http::lambda_runtime::run(lambda_http::service_fn(move |event: lambda_http::LambdaEvent<Value>| {
        let service = service.clone();
        async move {
            let answer = match which {
                LiveRoute::Connect => connect(&service, event.payload).await,
                LiveRoute::Ready => ready(&service, event.payload).await,
                LiveRoute::Disconnect => disconnect(&service, event.payload).await,
            };
            Ok::<_, lambda_http::Error>(answer)
        }
    }))
    .await
}

pub async fn serve_fanout() -> Result<(), lambda_http::Error> {
    crate::init_tracing();
    let service = Service::from_env("live-fanout").await?;
    let poster = std::sync::Arc::new(ManagementApi::from_env().await?);
    lambda_http::lambda_runtime::run(lambda_http::service_fn(move |event: lambda_http::LambdaEvent<Value>| {
        let (service, poster) = (service.clone(), poster.clone());
        async move { Ok::<_, lambda_http::Error>(fan_out(&service, poster.as_ref(), event.payload).await) }
    }))
    .await
}
