//! The local server: the API's router (`tm_service::api`, every route of the table)
//! with the local issuer's pages beside it; tokens are verified here.

use crate::auth::JwtVerifier;
use crate::issuer::{CLIENT_ID, LocalIssuer, RedirectUris, Signup};
use crate::web::WebApp;
use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tm_embedded::EmbeddedStore;
use tm_service::api::{Edge, RouteName};
use tm_service::auth::Principal;
use tm_service::context::AppContext;
use tm_service::http::routes::{ROUTES, Route};
use tm_service::http::{ApiError, ApiResponse, MAX_FILE_BYTES};
use tm_service::jobs::scheduled::{Cadence, Period, run_here};
use tm_service::jobs::uploads::{ObjectCreated, on_object_created};
use tm_service::store::Owner;
use tm_service::store::objects::{ObjectStore, object_key};

pub struct AppState {
    pub ctx: AppContext,
    /// The embedded store behind `ctx` (presigned uploads are redeemed here).
    pub store: EmbeddedStore,
    pub verifier: JwtVerifier,
    pub issuer: Arc<LocalIssuer>,
    pub base_url: String,
    /// The web app's folder (`--web-dir`), served at `/` when it holds a build.
    pub web_dir: PathBuf,
}

/// Every route of the table, and the issuer's pages, S3's presigned PUT and the
/// scheduler's trigger as this server stands in for them.
pub fn router(state: Arc<AppState>) -> Router {
    let local = Router::new()
        .route("/local/signup", post(signup))
        .route("/local/login", post(login))
        .route("/local/invitations/{token}", get(invitation_page).post(accept_invitation))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/.well-known/openid-configuration", get(openid_configuration))
        .route("/oauth2/authorize", get(authorize_page).post(authorize_submit))
        .route("/signup", get(signup_page_get).post(signup_submit))
        .route("/oauth2/token", post(token))
        .route("/logout", get(logout));
    let web_app = WebApp::find(&state.web_dir);
    // The web app signs in at its /callback; without it, a page shows the code.
    let local = if web_app.is_none() { local.route("/callback", get(callback_page)) } else { local };
    let local = local
        .route_layer(axum::middleware::map_response(|r| named("local-issuer", r)))
        .route(
            "/local/uploads/{token}",
            put(presigned_upload).route_layer(axum::middleware::map_response(|r| named("local-upload", r))),
        )
        .route("/live", get(crate::live::live).route_layer(axum::middleware::map_response(|r| named("live", r))))
        .route(
            "/local/reports/run",
            post(run_reports).route_layer(axum::middleware::map_response(|r| named("local-reports-run", r))),
        )
        .with_state(state.clone());
    let routes: Vec<&'static Route> = ROUTES.iter().collect();
    let web = crate::web::router(web_app, &state.web_dir, CLIENT_ID);
    tm_service::api::router(&routes, state.ctx.clone(), Arc::new(LocalEdge(state)), local, Some(web))
}

/// The name a local page's requests are logged under.
async fn named(name: &'static str, mut response: Response) -> Response {
    response.extensions_mut().insert(RouteName(name));
    response
}

/// Here the server itself verifies the bearer token (the issuer's keys, and any
/// `--trust-issuer`).
struct LocalEdge(Arc<AppState>);

#[async_trait]
impl Edge for LocalEdge {
    async fn principal(&self, parts: &Parts) -> Result<Principal, ApiError> {
        authenticate(&self.0, &parts.headers).await
    }
}

/// A presigned PUT, as S3 would take it: the token names the user and key; the object
/// is stored, and the "object created" event runs the ingest (here, before answering).
async fn presigned_upload(
    State(state): State<Arc<AppState>>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    async {
        let presigned = state.store.presigned_put(&token).await.map_err(ApiError::from)?.ok_or_else(|| {
            ApiError::new(
                403,
                "access-denied",
                "this upload URL is unknown or expired; ask for a new one with POST /v1/logs/uploads",
            )
        })?;
        let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        if content_type.split(';').next().unwrap_or("").trim() != presigned.content_type {
            return Err(ApiError::new(
                403,
                "signature-mismatch",
                format!("this URL was signed for Content-Type: {}; send that header", presigned.content_type),
            ));
        }
        let bytes = axum::body::to_bytes(body, MAX_FILE_BYTES).await.map_err(|_| {
            ApiError::new(413, "entity-too-large", "the file is over 5 MB; split it into one file per fiscal year")
        })?;
        let owner = Owner::new(&presigned.tenant, &presigned.user)
            .map_err(|e| ApiError::new(403, "access-denied", e.to_string()))?;
        let size = bytes.len() as u64;
        let version = state.store.put_object(&owner, &presigned.key, bytes.to_vec(), &presigned.content_type).await?;
        let event = ObjectCreated {
            key: object_key(&owner, &presigned.key),
            size: Some(size),
            version_id: Some(version.clone()),
            sequencer: None,
        };
        if let Err(e) = on_object_created(&state.ctx, &event).await {
            // S3 would have stored the object all the same; the upload stays pending.
            tracing::error!(error = %e, "ingest after upload failed");
        }
        Ok::<_, ApiError>(
            Response::builder()
                .status(StatusCode::OK)
                .header("etag", format!("\"{version}\""))
                .body(Body::empty())
                .unwrap_or_else(|_| StatusCode::OK.into_response()),
        )
    }
    .await
    .unwrap_or_else(IntoResponse::into_response)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunReportsQuery {
    cadence: Option<String>,
    date: Option<String>,
}

/// The periods a local run covers: the given cadence's period holding `date` (default:
/// the one that ended last), or without a cadence the last ended week and month.
pub fn periods_to_run(
    cadence: Option<&str>,
    date: Option<&str>,
    today: chrono::NaiveDate,
) -> Result<Vec<Period>, ApiError> {
    let cadence =
        cadence.map(|c| c.parse::<Cadence>().map_err(|e| ApiError::bad_request("invalid-cadence", e))).transpose()?;
    let date = date
        .map(|d| {
            tm_core::domain::calendar::parse_date(d.trim()).map_err(|e| ApiError::bad_request("invalid-date", e.0))
        })
        .transpose()?;
    Ok(match (cadence, date) {
        (Some(c), Some(d)) => vec![Period::containing(c, d)],
        (Some(c), None) => vec![Period::last_ended(c, today)],
        (None, Some(_)) => {
            return Err(ApiError::bad_request(
                "missing-cadence",
                "a date needs a cadence: /local/reports/run?cadence=weekly&date=2026-11-16",
            ));
        }
        (None, None) => vec![Period::last_ended(Cadence::Weekly, today), Period::last_ended(Cadence::Monthly, today)],
    })
}

/// `POST /local/reports/run[?cadence=weekly|monthly][&date=YYYY-MM-DD]`: runs the
/// scheduled reports now, for every user and tenant (local only; what the schedule
/// does in AWS). Reports that exist are skipped, so it can be run again at will.
async fn run_reports(State(state): State<Arc<AppState>>, Query(q): Query<RunReportsQuery>) -> Response {
    async {
        let today = (state.ctx.clock)().date_naive();
        let periods = periods_to_run(q.cadence.as_deref(), q.date.as_deref(), today)?;
        let run = run_here(&state.ctx, &periods).await?;
        let listed: Vec<serde_json::Value> =
            periods.iter().map(|p| serde_json::json!({"cadence": p.cadence, "start": p.start, "end": p.end})).collect();
        Ok::<_, ApiError>(ApiResponse::json(200, &serde_json::json!({"periods": listed, "run": run})).into_response())
    }
    .await
    .unwrap_or_else(IntoResponse::into_response)
}

async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let header = headers.get("authorization").and_then(|v| v.to_str().ok()).ok_or_else(|| {
        ApiError::unauthorized("send a bearer token: Authorization: Bearer <id_token>; get one with POST /local/login")
    })?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer <token>`"))?;
    let claims = state.verifier.verify(token).await.map_err(|e| ApiError::unauthorized(e.0))?;
    Principal::from_claims(&claims).map_err(|e| ApiError::unauthorized(e.0))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignupBody {
    username: String,
    password: String,
    name: Option<String>,
    email: Option<String>,
    tenant: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    username: String,
    password: String,
}

fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8], example: &str) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request("invalid-json", format!("{e}; send e.g. {example}")))
}

async fn signup(State(state): State<Arc<AppState>>, body: bytes::Bytes) -> Response {
    let result = async {
        let b: SignupBody = parse_json(
            &body,
            r#"{"username": "ada", "password": "at-least-8-chars", "name": "Ada Lovelace", "email": "ada@example.com"}"#,
        )?;
        state
            .issuer
            .signup(Signup {
                username: b.username,
                password: b.password,
                name: b.name,
                email: b.email,
                tenant: b.tenant,
                groups: b.groups,
            })
            .await
    }
    .await;
    match result {
        Ok(tokens) => (StatusCode::CREATED, axum::Json(tokens)).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn login(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: bytes::Bytes,
) -> Response {
    let result = async {
        let b: LoginBody = parse_json(&body, r#"{"username": "me", "password": "..."}"#)?;
        state.issuer.login(&b.username, &b.password, &peer.ip().to_string()).await
    }
    .await;
    match result {
        Ok(tokens) => axum::Json(tokens).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /local/invitations/{token}`: the page an invitation link opens, where the
/// invited person sets their password (Cognito's forced change at first sign-in).
async fn invitation_page(State(state): State<Arc<AppState>>, Path(token): Path<String>) -> Response {
    match state.issuer.invitation(&token).await {
        Ok(username) => invitation_form(&username, None).into_response(),
        Err(e) => page(StatusCode::from_u16(e.status).unwrap_or(StatusCode::NOT_FOUND), "Invitation", &e.message),
    }
}

fn invitation_form(username: &str, message: Option<&str>) -> Html<String> {
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Join - Temporal Mark (local)</title>
<style>body{{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto}}label,input,button{{display:block;width:100%;margin:.4rem 0}}.error{{color:#b00020}}</style></head>
<body><h1>Temporal Mark</h1><p>You were invited as <strong>{}</strong>. Choose a password (at least 8 characters) to join your team.</p>
{}<form method="post"><label>Password <input name="password" type="password" autocomplete="new-password" minlength="8" required></label>
<button type="submit">Set password</button></form></body></html>"#,
        escape(username),
        message.map(|m| format!(r#"<p class="error" role="alert">{}</p>"#, escape(m))).unwrap_or_default(),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordBody {
    password: String,
}

/// `POST /local/invitations/{token}`: `{"password"}` as JSON answers the tokens (for
/// scripts); the page's form answers a page that sends the person to sign in.
async fn accept_invitation(
    State(state): State<Arc<AppState>>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: bytes::Bytes,
) -> Response {
    // The page's form; JSON from a script, also when curl -d labels it a form.
    let form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"))
        && !body.trim_ascii_start().starts_with(b"{");
    let password = if form {
        serde_urlencoded::from_bytes::<PasswordBody>(&body)
            .map_err(|e| ApiError::bad_request("invalid-form", format!("{e}; send password=...")))
    } else {
        parse_json::<PasswordBody>(&body, r#"{"password": "at-least-8-chars"}"#)
    };
    let result = match password {
        Ok(b) => state.issuer.accept_invitation(&token, &b.password).await,
        Err(e) => Err(e),
    };
    match (result, form) {
        (Ok(tokens), false) => axum::Json(tokens).into_response(),
        (Ok(_), true) => page(
            StatusCode::OK,
            "Welcome",
            "Your password is set. Sign in with your email address and this password on the sign-in page of the app.",
        ),
        (Err(e), false) => e.into_response(),
        (Err(e), true) if e.status == 400 => {
            let username = state.issuer.invitation(&token).await.unwrap_or_default();
            (StatusCode::BAD_REQUEST, invitation_form(&username, Some(&e.message))).into_response()
        }
        (Err(e), true) => {
            page(StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST), "Invitation", &e.message)
        }
    }
}

fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let html = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{} - Temporal Mark (local)</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem"><h1>{}</h1><p>{}</p>
<p><a href="/">Open Temporal Mark</a> (the web app, where you sign in)</p></body></html>"#,
        escape(title),
        escape(title),
        escape(message)
    );
    (status, Html(html)).into_response()
}

async fn jwks(State(state): State<Arc<AppState>>) -> Response {
    axum::Json(state.issuer.jwks()).into_response()
}

async fn openid_configuration(State(state): State<Arc<AppState>>) -> Response {
    let base = &state.base_url;
    axum::Json(serde_json::json!({
        "issuer": state.issuer.issuer,
        "authorization_endpoint": format!("{base}/oauth2/authorize"),
        "token_endpoint": format!("{base}/oauth2/token"),
        "jwks_uri": format!("{base}/.well-known/jwks.json"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
    .into_response()
}

#[derive(Deserialize, Default)]
struct AuthorizeParams {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    state: Option<String>,
    username: Option<String>,
    password: Option<String>,
    /// The sign-up form's fields.
    name: Option<String>,
    email: Option<String>,
    /// `login`: ask for the password even when the browser is signed in (OIDC).
    prompt: Option<String>,
}

impl AuthorizeParams {
    /// The OAuth parameters as a query string, to move between the sign-in and
    /// sign-up pages without losing them.
    fn oauth_query(&self) -> String {
        [
            ("response_type", &self.response_type),
            ("client_id", &self.client_id),
            ("redirect_uri", &self.redirect_uri),
            ("code_challenge", &self.code_challenge),
            ("code_challenge_method", &self.code_challenge_method),
            ("state", &self.state),
        ]
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", base64_free_urlencode(v))))
        .collect::<Vec<_>>()
        .join("&")
    }

    fn hidden_fields(&self) -> String {
        let hidden = |name: &str, value: &Option<String>| {
            format!(r#"<input type="hidden" name="{name}" value="{}">"#, escape(value.as_deref().unwrap_or("")))
        };
        [
            hidden("response_type", &self.response_type),
            hidden("client_id", &self.client_id),
            hidden("redirect_uri", &self.redirect_uri),
            hidden("code_challenge", &self.code_challenge),
            hidden("code_challenge_method", &self.code_challenge_method),
            hidden("state", &self.state),
        ]
        .concat()
    }
}

/// Checks the OAuth parameters; on success the redirect URI and challenge. As in
/// Cognito, only a redirect URI registered for the client may receive a code; any other
/// gets an error page and never a code.
fn check_authorize(p: &AuthorizeParams, redirects: &RedirectUris) -> Result<(String, String), String> {
    if p.client_id.as_deref() != Some(CLIENT_ID) {
        return Err(format!("client_id must be {CLIENT_ID}"));
    }
    let redirect = p.redirect_uri.clone().unwrap_or_default();
    if !redirects.allows(&redirect) {
        return Err(format!(
            "redirect_uri {redirect:?} is not registered for this client; registered: {} (start tm-local with \
             --redirect-uri to register another)",
            redirects.list().join(", ")
        ));
    }
    if p.response_type.as_deref() != Some("code") {
        return Err("response_type must be code".into());
    }
    if p.code_challenge_method.as_deref() != Some("S256") {
        return Err("PKCE is required: code_challenge_method=S256 and a code_challenge".into());
    }
    let challenge = p
        .code_challenge
        .clone()
        .filter(|c| (43..=128).contains(&c.len()))
        .ok_or("code_challenge must be 43-128 characters (base64url SHA-256)")?;
    Ok((redirect, challenge))
}

#[derive(Deserialize)]
struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
}

/// Where the hosted login sends a browser back with its code (the web app's callback
/// once it is served here): shows the code and how to exchange it.
async fn callback_page(State(state): State<Arc<AppState>>, Query(p): Query<CallbackParams>) -> Response {
    let Some(code) = p.code.filter(|c| !c.is_empty()) else {
        return error_page("no code came back: sign in through /oauth2/authorize first");
    };
    let base = &state.base_url;
    let page = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Signed in - Temporal Mark (local)</title></head>
<body style="font-family:system-ui,sans-serif;max-width:44rem;margin:4rem auto"><h1>Signed in</h1>
<p>Your authorization code (valid 5 minutes, once){}:</p><pre>{}</pre>
<p>Exchange it for tokens with the <code>code_verifier</code> that belongs to the link you opened:</p>
<pre>curl -s -X POST {}/oauth2/token -d grant_type=authorization_code -d client_id={CLIENT_ID}   -d code={} -d redirect_uri={}/callback -d code_verifier=VERIFIER</pre></body></html>"#,
        p.state.map(|s| format!(" for state {}", escape(&s))).unwrap_or_default(),
        escape(&code),
        escape(base),
        escape(&code),
        escape(base),
    );
    Html(page).into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const PAGE_STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}\
label,input,button{display:block;width:100%;margin:.4rem 0;box-sizing:border-box}input,button{padding:.5rem;font-size:1rem}\
.error{color:#b00020}";

fn login_page(p: &AuthorizeParams, message: Option<&str>) -> Html<String> {
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in - Temporal Mark (local)</title>
<style>{PAGE_STYLE}</style></head>
<body><main><h1>Temporal Mark</h1><p>Local sign-in (no AWS).</p>
{}<form method="post" action="/oauth2/authorize">
<label>Email or username <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
{}<button type="submit">Sign in</button></form>
<p>New here? <a href="/signup?{}">Create an account</a> (a new team, with you as its admin).</p></main></body></html>"#,
        message.map(|m| format!(r#"<p class="error" role="alert">{}</p>"#, escape(m))).unwrap_or_default(),
        p.hidden_fields(),
        escape(&p.oauth_query()),
    ))
}

fn signup_page(p: &AuthorizeParams, message: Option<&str>) -> Html<String> {
    let value = |v: &Option<String>| escape(v.as_deref().unwrap_or(""));
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign up - Temporal Mark (local)</title>
<style>{PAGE_STYLE}</style></head>
<body><main><h1>Temporal Mark</h1><p>Create an account: you get a new team and administer it; invite colleagues from the app.</p>
{}<form method="post" action="/signup">
<label>Your name <input name="name" autocomplete="name" value="{}" required></label>
<label>Email <input name="email" type="email" autocomplete="email" value="{}" required></label>
<label>Password (at least 8 characters) <input name="password" type="password" autocomplete="new-password" minlength="8" required></label>
{}<button type="submit">Create account</button></form>
<p>Have an account? <a href="/oauth2/authorize?{}">Sign in</a></p></main></body></html>"#,
        message.map(|m| format!(r#"<p class="error" role="alert">{}</p>"#, escape(m))).unwrap_or_default(),
        value(&p.name),
        value(&p.email),
        p.hidden_fields(),
        escape(&p.oauth_query()),
    ))
}

/// `GET /signup` (Cognito's hosted sign-up path): the sign-up form for the same client.
async fn signup_page_get(State(state): State<Arc<AppState>>, Query(p): Query<AuthorizeParams>) -> Response {
    match check_authorize(&p, &state.issuer.redirects) {
        Ok(_) => signup_page(&p, None).into_response(),
        Err(message) => error_page(&message),
    }
}

/// `POST /signup`: makes the account (a new tenant) and sends the browser back to the
/// app with a code, signed in.
async fn signup_submit(State(state): State<Arc<AppState>>, Form(p): Form<AuthorizeParams>) -> Response {
    let (redirect, challenge) = match check_authorize(&p, &state.issuer.redirects) {
        Ok(ok) => ok,
        Err(message) => return error_page(&message),
    };
    let email = p.email.clone().unwrap_or_default();
    let signup = Signup {
        username: email.trim().to_lowercase(),
        password: p.password.clone().unwrap_or_default(),
        name: p.name.clone(),
        email: Some(email),
        ..Signup::default()
    };
    match state.issuer.signup_for_code(signup, &redirect, &challenge).await {
        Ok(code) => signed_in_redirect(&state, &redirect, &code, p.state.as_deref()),
        Err(e) if e.code == "username-taken" => (
            StatusCode::CONFLICT,
            signup_page(&p, Some("An account with this email exists already: sign in instead (link below).")),
        )
            .into_response(),
        Err(e) => {
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
            (status, signup_page(&p, Some(&e.message))).into_response()
        }
    }
}

fn redirect_with_code(redirect: &str, code: &str, state: Option<&str>) -> Response {
    let separator = if redirect.contains('?') { '&' } else { '?' };
    let mut location = format!("{redirect}{separator}code={code}");
    if let Some(s) = state {
        location.push_str("&state=");
        location.push_str(&base64_free_urlencode(s));
    }
    Redirect::to(&location).into_response()
}

fn error_page(message: &str) -> Response {
    let page = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign-in error - Temporal Mark (local)</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto"><h1>Sign-in request refused</h1><p>{}</p>
<p>Start from the app's sign-in button, or from the hosted login link tm-local prints when it starts.</p></body></html>"#,
        escape(message)
    );
    (StatusCode::BAD_REQUEST, Html(page)).into_response()
}

async fn authorize_page(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(p): Query<AuthorizeParams>,
) -> Response {
    let (redirect, challenge) = match check_authorize(&p, &state.issuer.redirects) {
        Ok(ok) => ok,
        Err(message) => return error_page(&message),
    };
    // Signed in here already (as at Cognito's hosted UI): straight back with a code.
    if p.prompt.as_deref() != Some("login")
        && let Some(session) = session_cookie(&headers)
        && let Some(code) = state.issuer.code_for_session(&session, &redirect, &challenge)
    {
        return redirect_with_code(&redirect, &code, p.state.as_deref());
    }
    login_page(&p, None).into_response()
}

const SESSION_COOKIE: &str = "tm_login_session";

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// Back to the app with a code, and the browser remembered as signed in (HttpOnly: the
/// app's scripts never see it; the API takes bearer tokens only, never this cookie).
fn signed_in_redirect(state: &AppState, redirect: &str, code: &str, oauth_state: Option<&str>) -> Response {
    let mut response = redirect_with_code(redirect, code, oauth_state);
    if let Some(token) = state.issuer.start_session(code) {
        let cookie = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600");
        if let Ok(value) = axum::http::HeaderValue::from_str(&cookie) {
            response.headers_mut().append(axum::http::header::SET_COOKIE, value);
        }
    }
    response
}

#[derive(Deserialize)]
struct LogoutParams {
    client_id: Option<String>,
    logout_uri: Option<String>,
}

/// `GET /logout?client_id=…&logout_uri=…` (Cognito's): forgets the browser's sign-in and
/// sends it to `logout_uri`, which must be on the origin of a registered redirect URI.
async fn logout(State(state): State<Arc<AppState>>, headers: HeaderMap, Query(p): Query<LogoutParams>) -> Response {
    if p.client_id.as_deref() != Some(CLIENT_ID) {
        return error_page(&format!("client_id must be {CLIENT_ID}"));
    }
    let Some(target) = p.logout_uri.filter(|uri| logout_allowed(&state.issuer.redirects, uri)) else {
        return error_page("logout_uri must be a page of the app (the origin of a registered redirect URI)");
    };
    if let Some(session) = session_cookie(&headers) {
        state.issuer.end_session(&session);
    }
    let mut response = Redirect::to(&target).into_response();
    let gone = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    if let Ok(value) = axum::http::HeaderValue::from_str(&gone) {
        response.headers_mut().append(axum::http::header::SET_COOKIE, value);
    }
    response
}

fn logout_allowed(redirects: &RedirectUris, uri: &str) -> bool {
    let Ok(url) = url::Url::parse(uri) else { return false };
    matches!(url.scheme(), "http" | "https")
        && redirects.list().iter().filter_map(|r| url::Url::parse(r).ok()).any(|r| r.origin() == url.origin())
}

async fn authorize_submit(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(p): Form<AuthorizeParams>,
) -> Response {
    let (redirect, challenge) = match check_authorize(&p, &state.issuer.redirects) {
        Ok(ok) => ok,
        Err(message) => return error_page(&message),
    };
    let (username, password) = (p.username.clone().unwrap_or_default(), p.password.clone().unwrap_or_default());
    match state.issuer.authorize(&username, &password, &redirect, &challenge, &peer.ip().to_string()).await {
        Ok(code) => signed_in_redirect(&state, &redirect, &code, p.state.as_deref()),
        Err(e) => {
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNAUTHORIZED);
            let mut response = (status, login_page(&p, Some(&e.message))).into_response();
            if let Some(seconds) = e.retry_after_seconds() {
                response.headers_mut().insert("retry-after", axum::http::HeaderValue::from(seconds));
            }
            response
        }
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters kept).
fn base64_free_urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    code: Option<String>,
    redirect_uri: Option<String>,
    client_id: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, axum::Json(serde_json::json!({"error": error, "error_description": description}))).into_response()
}

async fn token(State(state): State<Arc<AppState>>, Form(f): Form<TokenForm>) -> Response {
    if f.client_id.as_deref() != Some(CLIENT_ID) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_client", &format!("client_id must be {CLIENT_ID}"));
    }
    let result = match f.grant_type.as_str() {
        "authorization_code" => match (&f.code, &f.redirect_uri, &f.code_verifier) {
            (Some(code), Some(redirect), Some(verifier)) => state.issuer.exchange(code, redirect, verifier).await,
            _ => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "code, redirect_uri and code_verifier are required",
                );
            }
        },
        "refresh_token" => match &f.refresh_token {
            Some(token) => state.issuer.refresh(token).await,
            None => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "refresh_token is required"),
        },
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "use authorization_code or refresh_token",
            );
        }
    };
    match result {
        Ok(tokens) => axum::Json(tokens).into_response(),
        Err(e) => oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", &e.message),
    }
}
