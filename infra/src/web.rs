//! The web app (`web/`, built into `web/dist`) served at `/`, as CloudFront serves it in
//! AWS: its files as they are, `index.html` for the app's own paths (its routes live in
//! the browser), the app's runtime configuration at `/config.json`, and the same
//! security headers. What no route matches under `/v1/` or `/local/` stays the API's
//! JSON 404.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tm_service::api::RouteName;
use tower::ServiceExt as _;
use tower_http::services::{ServeDir, ServeFile};

/// Only the app's own origin: scripts, styles and API calls (the hosted login is a page
/// the browser navigates to, not a request). Styles set through the DOM (React's
/// `style`) are not inline styles in the CSP sense.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; \
    form-action 'self'; frame-ancestors 'none'";

/// The built app, when `dir` holds one.
#[derive(Clone, Debug)]
pub struct WebApp {
    dir: PathBuf,
}

impl WebApp {
    pub fn find(dir: &Path) -> Option<Self> {
        dir.join("index.html").is_file().then(|| Self { dir: dir.to_owned() })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

struct Served {
    app: Option<WebApp>,
    config: serde_json::Value,
    /// Where the app would be, for the page that says how to build it.
    looked_in: PathBuf,
}

/// `/config.json` and the app; `client_id` is the hosted login's app client.
pub fn router(app: Option<WebApp>, looked_in: &Path, client_id: &str) -> Router {
    // Empty URLs: the API and the hosted login are this origin.
    // `liveUrl` "": the real-time channel is this server's `/live` (src/live.rs).
    let config = serde_json::json!({"apiUrl": "", "authUrl": "", "clientId": client_id, "liveUrl": ""});
    let state = Arc::new(Served { app, config, looked_in: looked_in.to_owned() });
    Router::new().route("/config.json", get(config_json)).fallback(serve).with_state(state)
}

async fn config_json(State(state): State<Arc<Served>>) -> Response {
    let mut response = axum::Json(state.config.clone()).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    named(response)
}

/// A path whose last segment names a file (`/assets/index-3f2a.js`, `/favicon.svg`), as
/// opposed to one of the app's pages (`/`, `/today`, `/callback`).
fn names_a_file(path: &str) -> bool {
    path.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

async fn serve(State(state): State<Arc<Served>>, request: Request) -> Response {
    let (method, uri) = (request.method().clone(), request.uri().clone());
    let path = uri.path();
    let api_path = ["/v1", "/local"].iter().any(|p| path == *p || path.starts_with(&format!("{p}/")));
    if api_path || !(method == Method::GET || method == Method::HEAD) {
        return tm_service::api::no_route(method, uri).await;
    }
    let Some(app) = &state.app else {
        return named(not_built(&state.looked_in, path));
    };
    let response = if names_a_file(path) {
        match ServeDir::new(&app.dir).oneshot(request).await {
            Ok(response) => response.map(Body::new),
            Err(never) => match never {},
        }
    } else {
        match ServeFile::new(app.dir.join("index.html")).oneshot(request).await {
            Ok(response) => response.map(Body::new),
            Err(never) => match never {},
        }
    };
    named(with_headers(response, path))
}

fn with_headers(mut response: Response, path: &str) -> Response {
    let headers = response.headers_mut();
    // Vite names every file under assets/ by its content: it never changes.
    let cache = if path.starts_with("/assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // The callback's URL carries the authorization code: never send it on.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    response
}

fn named(mut response: Response) -> Response {
    response.extensions_mut().insert(RouteName("web-app"));
    response
}

fn not_built(looked_in: &Path, path: &str) -> Response {
    if names_a_file(path) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let page = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Temporal Mark (local): the web app is not built</title></head>
<body style="font-family:system-ui,sans-serif;max-width:44rem;margin:4rem auto;padding:0 1rem"><h1>The web app is not built</h1>
<p>This server found no <code>index.html</code> in <code>{}</code>. The README's first command, <code>./infra/local.sh</code>, builds it and starts this server; or build it yourself and restart:</p>
<pre>npm --prefix web ci &amp;&amp; npm --prefix web run build</pre>
<p>The API works without it: <a href="/openapi.json">/openapi.json</a>.</p></body></html>"#,
        looked_in.display().to_string().replace('&', "&amp;").replace('<', "&lt;")
    );
    (StatusCode::SERVICE_UNAVAILABLE, Html(page)).into_response()
}
