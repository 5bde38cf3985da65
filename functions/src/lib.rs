//! The Lambda side of the one HTTP stack. One binary (`src/bin/bootstrap.rs`) is every
//! function: deployed once per route and job, it reads which from `TM_FUNCTION`. A
//! route's function serves the API's router (`tm_service::api`) with that route only,
//! through `lambda_http` (API Gateway HTTP API events, payload 2.0); a job's runs the
//! job's event loop.
//!
//! API Gateway's Cognito JWT authorizer has verified the token before the function
//! runs; the principal is built from `requestContext.authorizer.jwt.claims` only.

use async_trait::async_trait;
use axum::Router;
use axum::http::Uri;
use axum::http::request::Parts;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Map, Value};
use std::sync::Arc;
use tm_aws::dynamo::DynamoStore;
use tm_aws::s3::S3ObjectStore;
use tm_service::api::Edge;
use tm_service::auth::Principal;
use tm_service::context::{AppContext, Publishing};
use tm_service::http::ApiError;
use tm_service::http::routes::{JOBS, ROUTES, Route, route_by_function};
use tower::ServiceExt;

pub mod ingest;
pub mod live;
pub mod migrator;
pub mod publisher;
pub mod reports;
pub mod tenant_access;
pub mod triggers;
pub mod webhooks;

use tenant_access::TenantAccess;

/// Environment variable naming the function: a route's function name or a job's.
pub const FUNCTION_ENV: &str = "TM_FUNCTION";
/// Environment variable naming the DynamoDB table (set by the SAM template).
pub const TABLE_ENV: &str = "TABLE_NAME";
/// Environment variable naming the S3 bucket of logs and uploads.
pub const BUCKET_ENV: &str = "BUCKET_NAME";

/// JSON log lines, one per request (CloudWatch stamps each line, so no time).
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .without_time()
        .init();
}

/// A function's context and, when deployed by the template, its tenant-scoped access.
#[derive(Clone)]
pub struct Service {
    pub ctx: AppContext,
    pub tenants: Option<Arc<TenantAccess>>,
}

impl Service {
    /// With the function's own credentials for every tenant (tests on the emulator).
    pub fn unscoped(ctx: AppContext) -> Self {
        Self { ctx, tenants: None }
    }

    /// From the environment: the stores, and tenant-scoped access when
    /// `TENANT_ROLE_ARN` is set (see [`tenant_access`]).
    pub async fn from_env(function: &str) -> Result<Self, lambda_http::Error> {
        let ctx = context_from_env().await?;
        let config = aws_config::load_from_env().await;
        let tenants = TenantAccess::from_env(&config, function)?.map(Arc::new);
        Ok(Self { ctx, tenants })
    }

    /// The context for work on `tenant`'s data.
    pub async fn for_tenant(&self, tenant: &str) -> Result<AppContext, tm_service::store::StoreError> {
        match &self.tenants {
            Some(access) => access.context(&self.ctx, tenant).await,
            None => Ok(self.ctx.clone()),
        }
    }
}

/// The store and object store from the environment (`TABLE_NAME`, `BUCKET_NAME`).
pub async fn context_from_env() -> Result<AppContext, lambda_http::Error> {
    let table = std::env::var(TABLE_ENV).map_err(|_| format!("{TABLE_ENV} is not set"))?;
    let bucket = std::env::var(BUCKET_ENV).map_err(|_| format!("{BUCKET_ENV} is not set"))?;
    let config = aws_config::load_from_env().await;
    let s3 =
        aws_sdk_s3::config::Builder::from(&config).force_path_style(std::env::var("AWS_ENDPOINT_URL").is_ok()).build();
    let mut ctx = AppContext::new(
        Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(&config), table)),
        Arc::new(S3ObjectStore::new(aws_sdk_s3::Client::from_conf(s3), bucket)),
    );
    // Webhooks go out through the client that refuses internal addresses (never loopback here).
    ctx.webhooks.transport = Some(Arc::new(tm_outbound::HttpTransport::new(false)));
    // The admin routes manage people in the user pool the template names.
    if let Ok(pool) = std::env::var(tm_aws::cognito::USER_POOL_ENV) {
        let client = aws_sdk_cognitoidentityprovider::Client::new(&config);
        ctx.identity = Some(Arc::new(tm_aws::cognito::CognitoIdentity::new(client, pool)));
    }
    Ok(ctx)
}

/// What a function name runs.
#[derive(Clone, Copy, Debug)]
pub enum EntryPoint {
    Route(&'static Route),
    IngestUpload,
    LogPublisher,
    ReportScheduler,
    ReportWorker,
    SchemaMigrator,
    CognitoPostConfirmation,
    CognitoPreToken,
    WebhookFanout,
    WebhookDeliver,
    LiveAuthorizer,
    LiveConnect,
    LiveReady,
    LiveDisconnect,
    LiveFanout,
}

/// The entry point of `function`, if it is a route's or a job's (`JOBS`).
pub fn entry_point(function: &str) -> Option<EntryPoint> {
    match function {
        "ingest-upload" => Some(EntryPoint::IngestUpload),
        "log-publisher" => Some(EntryPoint::LogPublisher),
        "report-scheduler" => Some(EntryPoint::ReportScheduler),
        "report-worker" => Some(EntryPoint::ReportWorker),
        "schema-migrator" => Some(EntryPoint::SchemaMigrator),
        "cognito-post-confirmation" => Some(EntryPoint::CognitoPostConfirmation),
        "cognito-pre-token" => Some(EntryPoint::CognitoPreToken),
        "webhook-fanout" => Some(EntryPoint::WebhookFanout),
        "webhook-deliver" => Some(EntryPoint::WebhookDeliver),
        "live-authorizer" => Some(EntryPoint::LiveAuthorizer),
        "live-connect" => Some(EntryPoint::LiveConnect),
        "live-ready" => Some(EntryPoint::LiveReady),
        "live-disconnect" => Some(EntryPoint::LiveDisconnect),
        "live-fanout" => Some(EntryPoint::LiveFanout),
        _ => route_by_function(function).map(EntryPoint::Route),
    }
}

/// Runs the function `function` names until the runtime stops it. Each loop is boxed:
/// together their futures nest too deep for the compiler to lay out.
pub async fn run(function: &str) -> Result<(), lambda_http::Error> {
    let event_loop: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), lambda_http::Error>>>> =
        match entry_point(function) {
            Some(EntryPoint::Route(route)) => Box::pin(serve(route.function)),
            Some(EntryPoint::IngestUpload) => Box::pin(ingest::serve_ingest()),
            Some(EntryPoint::LogPublisher) => Box::pin(publisher::serve_publisher()),
            Some(EntryPoint::ReportScheduler) => Box::pin(reports::serve_scheduler()),
            Some(EntryPoint::ReportWorker) => Box::pin(reports::serve_worker()),
            Some(EntryPoint::SchemaMigrator) => Box::pin(migrator::serve_migrator()),
            Some(EntryPoint::CognitoPostConfirmation) => Box::pin(triggers::serve_post_confirmation()),
            Some(EntryPoint::CognitoPreToken) => Box::pin(triggers::serve_pre_token()),
            Some(EntryPoint::WebhookFanout) => Box::pin(webhooks::serve_fanout()),
            Some(EntryPoint::WebhookDeliver) => Box::pin(webhooks::serve_deliver()),
            Some(EntryPoint::LiveAuthorizer) => Box::pin(live::serve_authorizer()),
            Some(EntryPoint::LiveConnect) => Box::pin(live::serve_route(live::LiveRoute::Connect, "live-connect")),
            Some(EntryPoint::LiveReady) => Box::pin(live::serve_route(live::LiveRoute::Ready, "live-ready")),
            Some(EntryPoint::LiveDisconnect) => {
                Box::pin(live::serve_route(live::LiveRoute::Disconnect, "live-disconnect"))
            }
            Some(EntryPoint::LiveFanout) => Box::pin(live::serve_fanout()),
            None => {
                let known: Vec<&str> =
                    ROUTES.iter().map(|r| r.function).chain(JOBS.iter().map(|(name, _)| *name)).collect();
                return Err(format!(
                    "{function:?} is neither a route's function nor a job; one of: {}",
                    known.join(", ")
                )
                .into());
            }
        };
    event_loop.await
}

/// Runs the function for `function` (a name in the route table). Clients are built
/// once, before the first request.
pub async fn serve(function: &str) -> Result<(), lambda_http::Error> {
    init_tracing();
    let route = route_by_function(function).ok_or_else(|| format!("{function} is not in the route table"))?;
    let mut service = Service::from_env(function).await?;
    // The log-publisher function publishes the logs an entry write changed, from the
    // table's stream: a write answers without rendering its year.
    service.ctx.publishing = Publishing::Stream;
    lambda_http::run(app(&service, route)).await
}

/// The API's router with `route` only, behind API Gateway.
pub fn app(service: &Service, route: &'static Route) -> Router {
    let edge = ApiGateway { route, service: service.clone() };
    tm_service::api::router(&[route], service.ctx.clone(), Arc::new(edge), Router::new(), None)
}

/// One API Gateway event through the function's router, answered as the runtime
/// answers it (text or base64 binary by content type).
pub async fn handle_event(service: &Service, route: &'static Route, event: Request) -> Response<Body> {
    let response = app(service, route).oneshot(event).await.unwrap_or_else(|never| match never {});
    lambda_http::IntoResponse::into_response(response).await
}

/// What API Gateway (HTTP API, JWT authorizer) has done before the function runs.
struct ApiGateway {
    route: &'static Route,
    service: Service,
}

/// What a path segment must encode: everything but RFC 3986's unreserved characters
/// and sub-delimiters.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

#[async_trait]
impl Edge for ApiGateway {
    /// API Gateway decodes the path before the function sees it, so a `%2F` in a
    /// project name would split it; its path parameters are the decoded values of the
    /// route's segments, and the route is known: the path is rebuilt from those.
    fn restore_path(&self, parts: &Parts) -> Option<Uri> {
        let given = parts.path_parameters();
        let mut path = String::new();
        for segment in self.route.path.split('/').skip(1) {
            path.push('/');
            match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => path.extend(utf8_percent_encode(given.first(name)?, SEGMENT)),
                None => path.push_str(segment),
            }
        }
        let rebuilt = match parts.uri.query() {
            Some(query) => format!("{path}?{query}"),
            None => path,
        };
        rebuilt.parse().ok()
    }

    fn request_id(&self, parts: &Parts) -> Option<String> {
        match parts.request_context_ref()? {
            RequestContext::ApiGatewayV2(context) => context.request_id.clone(),
            _ => None,
        }
    }

    async fn principal(&self, parts: &Parts) -> Result<Principal, ApiError> {
        let claims = claims(parts).ok_or_else(|| {
            ApiError::unauthorized("no verified token reached the function; send Authorization: Bearer <id_token>")
        })?;
        Principal::from_claims(&claims).map_err(|e| ApiError::unauthorized(e.0))
    }

    /// Credentials that reach only the caller's tenant (see [`tenant_access`]).
    async fn context(&self, _base: &AppContext, principal: &Principal) -> Result<AppContext, ApiError> {
        Ok(self.service.for_tenant(principal.tenant()).await?)
    }
}

/// The claims API Gateway's JWT authorizer passed, if any.
fn claims(parts: &Parts) -> Option<Map<String, Value>> {
    match parts.request_context_ref()? {
        RequestContext::ApiGatewayV2(context) => {
            let jwt = context.authorizer.as_ref()?.jwt.as_ref()?;
            Some(jwt.claims.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect())
        }
        _ => None,
    }
}
