//! The Lambda side of the route table: API Gateway (HTTP API, payload 2.0) events in,
//! the shared handlers, responses out. Each binary in `src/bin/` is one route's function
//! and calls [`serve`] with its name from the route table.
//!
//! API Gateway's Cognito JWT authorizer has verified the token before the function
//! runs; the principal is built from `requestContext.authorizer.jwt.claims` only.

use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response, service_fn};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Instant;
use tm_aws::dynamo::DynamoStore;
use tm_aws::s3::S3ObjectStore;
use tm_service::auth::Principal;
use tm_service::context::AppContext;
use tm_service::handlers::handle;
use tm_service::http::routes::{Matched, Route, route_by_function};
use tm_service::http::{ApiError, ApiRequest, ApiResponse};

pub mod ingest;
pub mod reports;
pub mod tenant_access;

use tenant_access::TenantAccess;

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
    Ok(AppContext::new(
        Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(&config), table)),
        Arc::new(S3ObjectStore::new(aws_sdk_s3::Client::from_conf(s3), bucket)),
    ))
}

/// Runs the function for `function` (a name in the route table). Clients are built
/// once, before the first request.
pub async fn serve(function: &str) -> Result<(), lambda_http::Error> {
    init_tracing();
    let route = route_by_function(function).ok_or_else(|| format!("{function} is not in the route table"))?;
    let service = Service::from_env(function).await?;
    lambda_http::run(service_fn(move |event: Request| {
        let service = service.clone();
        async move { Ok::<_, std::convert::Infallible>(handle_event(&service, route, event).await) }
    }))
    .await
}

/// The claims API Gateway's JWT authorizer passed, if any.
fn claims(event: &Request) -> Option<Map<String, Value>> {
    match event.request_context_ref()? {
        RequestContext::ApiGatewayV2(context) => {
            let jwt = context.authorizer.as_ref()?.jwt.as_ref()?;
            Some(jwt.claims.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect())
        }
        _ => None,
    }
}

fn request_id(event: &Request) -> String {
    match event.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.request_id.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

/// One API Gateway event through the shared handler of `route`, with stores that reach
/// the caller's tenant only.
pub async fn handle_event(service: &Service, route: &'static Route, event: Request) -> Response<Body> {
    let started = Instant::now();
    let id = request_id(&event);
    let response = match to_api_request(route, &event, &id) {
        Err(error) => error.into_response(),
        Ok((matched, request)) => {
            let principal = match claims(&event) {
                Some(claims) => Principal::from_claims(&claims).map(Some).map_err(|e| ApiError::unauthorized(e.0)),
                None if route.authorized => Err(ApiError::unauthorized(
                    "no verified token reached the function; send Authorization: Bearer <id_token>",
                )),
                None => Ok(None),
            };
            let ctx = match &principal {
                Ok(Some(p)) => service.for_tenant(p.tenant()).await.map_err(ApiError::from),
                Ok(None) => Ok(service.ctx.clone()),
                Err(e) => Err(e.clone()),
            };
            match (principal, ctx) {
                (Ok(principal), Ok(ctx)) => handle(&ctx, &matched, &request, principal.as_ref()).await,
                (Err(error), _) | (_, Err(error)) => error.into_response(),
            }
        }
    };
    tracing::info!(
        request_id = %id,
        route = route.function,
        method = %event.method(),
        status = response.status,
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    to_lambda(response)
}

fn to_api_request(route: &'static Route, event: &Request, request_id: &str) -> Result<(Matched, ApiRequest), ApiError> {
    // Path parameters come from API Gateway, by the names in the route's template.
    let path_parameters = event.path_parameters();
    let params = route
        .path
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            path_parameters
                .first(name)
                .map(|value| (name_of(route, name), value.to_owned()))
                .ok_or_else(|| ApiError::bad_request("missing-path-parameter", format!("the path lacks {{{name}}}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // The query as sent (rawQueryString), parsed like the local server parses it, so
    // repeated parameters keep their order.
    let query = ApiRequest::parse_query(event.uri().query().unwrap_or(""));
    let request = ApiRequest {
        method: event.method().as_str().to_owned(),
        path: event.raw_http_path().to_owned(),
        query,
        headers: event
            .headers()
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect(),
        body: event.body().as_ref().to_vec(),
        request_id: request_id.to_owned(),
    };
    Ok((Matched { route, params }, request))
}

/// The `'static` name of a parameter in the route's template.
fn name_of(route: &'static Route, name: &str) -> &'static str {
    route
        .path
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .find(|n| *n == name)
        .unwrap_or("")
}

fn to_lambda(response: ApiResponse) -> Response<Body> {
    let mut builder = Response::builder().status(response.status);
    for (name, value) in &response.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let text = response.header("content-type").is_some_and(|ct| ct.starts_with("text/") || ct.contains("json"));
    let body = if response.body.is_empty() {
        Body::Empty
    } else if text {
        match String::from_utf8(response.body) {
            Ok(text) => Body::Text(text),
            Err(e) => Body::Binary(e.into_bytes()),
        }
    } else {
        // API Gateway base64-encodes binary bodies (exports are zip files).
        Body::Binary(response.body)
    };
    builder.body(body).unwrap_or_else(|_| Response::new(Body::Empty))
}
