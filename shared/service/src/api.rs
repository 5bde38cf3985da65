//! The one HTTP stack: an axum [`Router`] built from the route table. The local server
//! serves it over TCP with every route; each Lambda function serves it through
//! `lambda_http` with its own route only. What differs between the two — who names the
//! request, who verified the token, whose credentials reach the tenant's data — is an
//! [`Edge`]; everything else is written once, here:
//! - the edge layer: request id (in and out), a tracing span, one JSON log line per
//!   request (request id, route, method, path, status, duration; never tokens or entry
//!   text), JSON answers for unknown paths and methods;
//! - per route: the body limit (413 with what to do), then the route's handler.

use crate::auth::Principal;
use crate::context::AppContext;
use crate::handlers::handle;
use crate::http::routes::{Matched, Route};
use crate::http::{ApiError, ApiRequest, ApiResponse, MAX_BODY_BYTES};
use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::extract::{RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use std::sync::Arc;
use std::time::Instant;
use tracing::Instrument;

/// What the front door of a deployment does before a request reaches the router.
#[async_trait]
pub trait Edge: Send + Sync + 'static {
    /// Puts back what the front door changed before routing. API Gateway hands over
    /// the path already decoded (a `/` in a project name would split it), so the Lambda
    /// edge rebuilds it from the route and API Gateway's path parameters.
    fn restore_path(&self, _parts: &Parts) -> Option<Uri> {
        None
    }

    /// The id the front door gave the request (API Gateway's `requestId`), if any.
    fn request_id(&self, _parts: &Parts) -> Option<String> {
        None
    }

    /// The caller of a route that needs a token: verified here (local) or already
    /// verified by the front door (API Gateway's JWT authorizer).
    async fn principal(&self, parts: &Parts) -> Result<Principal, ApiError>;

    /// The stores a request of `principal` works on (in AWS: credentials that reach
    /// only the caller's tenant).
    async fn context(&self, base: &AppContext, principal: &Principal) -> Result<AppContext, ApiError> {
        let _ = principal;
        Ok(base.clone())
    }
}

struct Api {
    ctx: AppContext,
    edge: Arc<dyn Edge>,
}

/// The route a response answered, for the request log (`-` for no route).
#[derive(Clone, Copy, Debug)]
pub struct RouteName(pub &'static str);

/// The request id every layer and handler sees (also sent back as `x-request-id`).
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// The API: `routes` of the table (all of them locally, one in a Lambda function),
/// plus `extra` routes of the deployment (the local issuer's pages), behind the edge
/// layer. `extra` routes answer with their own bodies but share the request id and log.
/// `fallback` answers what no route matches (tm-local: the web app); without it, a JSON
/// 404 that names the path.
pub fn router(
    routes: &[&'static Route],
    ctx: AppContext,
    edge: Arc<dyn Edge>,
    extra: Router,
    fallback: Option<Router>,
) -> Router {
    let api = Arc::new(Api { ctx, edge });
    let mut inner = Router::new();
    for &route in routes {
        let filter = Method::from_bytes(route.method.as_bytes())
            .ok()
            .and_then(|m| MethodFilter::try_from(m).ok())
            .expect("the route table names standard methods");
        let handler = move |State(api): State<Arc<Api>>, params: RawPathParams, request: Request| {
            serve_route(api, route, params, request)
        };
        inner = inner.route(
            route.path,
            on(filter, handler).route_layer(middleware::from_fn(move |request, next| limit_body(route, request, next))),
        );
    }
    let inner = inner.with_state(api.clone()).merge(extra);
    let inner = match fallback {
        Some(fallback) => inner.fallback_service(fallback),
        None => inner.fallback(no_route),
    };
    Router::new().fallback_service(inner).layer(middleware::from_fn_with_state(api, edge_layer))
}

/// Request id, span and log line around everything; JSON for a method the path lacks.
async fn edge_layer(State(api): State<Arc<Api>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let (mut parts, body) = request.into_parts();
    if let Some(uri) = api.edge.restore_path(&parts) {
        parts.uri = uri;
    }
    if let Some(uri) = without_trailing_slash(&parts.uri) {
        parts.uri = uri;
    }
    let id = api
        .edge
        .request_id(&parts)
        .or_else(|| {
            let sent = parts.headers.get("x-request-id")?.to_str().ok()?;
            (!sent.is_empty() && sent.len() <= 128).then(|| sent.to_owned())
        })
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    parts.extensions.insert(RequestId(id.clone()));
    let method = parts.method.clone();
    let path = parts.uri.path().to_owned();
    let span = tracing::info_span!("request", request_id = %id, method = %method);
    let mut response = next.run(Request::from_parts(parts, body)).instrument(span).await;
    if response.status() == StatusCode::METHOD_NOT_ALLOWED && response.extensions().get::<RouteName>().is_none() {
        response = method_not_allowed(&path, response);
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    let route = response.extensions().get::<RouteName>().map_or("-", |r| r.0);
    tracing::info!(
        request_id = %id,
        route,
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// `/v1/reports/weekly/` is `/v1/reports/weekly`.
fn without_trailing_slash(uri: &Uri) -> Option<Uri> {
    let path = uri.path();
    if path.len() <= 1 || !path.ends_with('/') {
        return None;
    }
    let trimmed = path.trim_end_matches('/');
    let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
    let rebuilt = match uri.query() {
        Some(query) => format!("{trimmed}?{query}"),
        None => trimmed.to_owned(),
    };
    rebuilt.parse().ok()
}

/// The router's bare 405 as the API's JSON error; axum has set `Allow`.
fn method_not_allowed(path: &str, bare: Response) -> Response {
    let allowed: Vec<&str> = bare
        .headers()
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(',').map(str::trim).filter(|m| !m.is_empty()).collect())
        .unwrap_or_default();
    let allow = allowed.join(", ");
    let mut response = ApiError::new(405, "method-not-allowed", format!("{path} supports {allow}")).into_response();
    if let Ok(value) = HeaderValue::from_str(&allow) {
        response.headers_mut().insert("allow", value);
    }
    response
}

/// The JSON 404 of a path no route has.
pub async fn no_route(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    ApiError::not_found(format!("no route {method} {path}; see the README's API overview")).into_response()
}

/// Reads the body up to the route's limit; a larger one is a 413 that says what to do.
async fn limit_body(route: &'static Route, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, route.max_body).await {
        Ok(bytes) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(_) => {
            let message = if route.max_body > MAX_BODY_BYTES {
                "the file is over 5 MB; split it into one file per fiscal year"
            } else {
                "the request body is over 1 MB; send less data per request"
            };
            named(route, ApiError::new(413, "payload-too-large", message).into_response())
        }
    }
}

fn named(route: &'static Route, mut response: Response) -> Response {
    response.extensions_mut().insert(RouteName(route.function));
    response
}

#[tracing::instrument(name = "route", skip_all, fields(route = route.function))]
async fn serve_route(api: Arc<Api>, route: &'static Route, params: RawPathParams, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    // The body limit layer has read it already; this takes the bytes it kept.
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let matched = Matched {
        route,
        params: params
            .iter()
            .filter_map(|(name, value)| Some((template_name(route, name)?, value.to_owned())))
            .collect(),
    };
    let answer = async {
        let principal = if route.authorized { Some(api.edge.principal(&parts).await?) } else { None };
        let ctx = match &principal {
            Some(principal) => api.edge.context(&api.ctx, principal).await?,
            None => api.ctx.clone(),
        };
        let request = api_request(&parts, body.to_vec());
        Ok::<_, ApiError>(handle(&ctx, &matched, &request, principal.as_ref()).await)
    };
    let response = match answer.await {
        Ok(response) => response.into_response(),
        Err(error) => error.into_response(),
    };
    named(route, response)
}

/// The `'static` name of a parameter in the route's template.
fn template_name(route: &'static Route, name: &str) -> Option<&'static str> {
    route.path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).find(|n| *n == name)
}

fn api_request(parts: &Parts, body: Vec<u8>) -> ApiRequest {
    ApiRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: ApiRequest::parse_query(parts.uri.query().unwrap_or("")),
        headers: parts
            .headers
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect(),
        body,
        request_id: parts.extensions.get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default(),
    }
}

impl IntoResponse for ApiResponse {
    fn into_response(self) -> Response {
        let mut builder = Response::builder().status(self.status);
        for (name, value) in &self.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        builder.body(Body::from(self.body)).unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
    }
}

/// An error as JSON; a 429 also says when to retry (`Retry-After`).
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = self.retry_after_seconds();
        let mut response = self.into_api_response().into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert("retry-after", HeaderValue::from(seconds));
        }
        response
    }
}
