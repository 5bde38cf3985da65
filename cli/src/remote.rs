//! `tm` as the service's client: signed-in profiles and their tokens. A profile names a
//! deployment and an account (`--profile` / `TM_PROFILE`, default `default`); its
//! tokens live in the user's config folder (`$TM_CONFIG_DIR`, else
//! `$XDG_CONFIG_HOME/temporal-mark`, else `~/.config/temporal-mark`), in
//! `credentials.json`, readable by its owner only, written whole or not at all. The ID
//! token is refreshed silently with the refresh token a minute before it expires.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The app client of tm-local's issuer (`--client-id` names a Cognito app client).
pub const LOCAL_CLIENT_ID: &str = "tm-local-client";
/// Refresh this long before the ID token expires.
const REFRESH_MARGIN_SECONDS: u64 = 60;
const TIMEOUT: Duration = Duration::from_secs(30);

/// One signed-in account at one deployment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub url: String,
    pub client_id: String,
    pub username: String,
    pub id_token: String,
    pub access_token: String,
    pub refresh_token: String,
    /// When the ID token expires (seconds since the Unix epoch).
    pub expires_at: u64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Credentials {
    pub profiles: BTreeMap<String, Session>,
}

/// What went wrong, said so a person knows what to do.
#[derive(Debug)]
pub struct Failure(pub String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

pub fn config_dir() -> Result<PathBuf, Failure> {
    if let Some(dir) = std::env::var_os("TM_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("temporal-mark"));
    }
    std::env::var_os("HOME")
        .filter(|d| !d.is_empty())
        .map(|home| PathBuf::from(home).join(".config").join("temporal-mark"))
        .ok_or_else(|| Failure("no config folder: set HOME, XDG_CONFIG_HOME or TM_CONFIG_DIR".into()))
}

impl Credentials {
    fn path() -> Result<PathBuf, Failure> {
        Ok(config_dir()?.join("credentials.json"))
    }

    pub fn load() -> Result<Self, Failure> {
        let path = Self::path()?;
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                Failure(format!("{} is damaged ({e}); delete it and sign in again with tm login", path.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(Failure(format!("cannot read {}: {e}", path.display()))),
        }
    }

    /// Writes the file readable by its owner only from the first byte, through a
    /// temporary file that is then renamed: never half written.
    pub fn save(&self) -> Result<(), Failure> {
        let path = Self::path()?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let fail = |e: std::io::Error| Failure(format!("cannot write {}: {e}", path.display()));
        std::fs::create_dir_all(dir).map_err(fail)?;
        let partial = path.with_extension("json.partial");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        {
            use std::io::Write as _;
            let mut file = options.open(&partial).map_err(fail)?;
            let text = serde_json::to_string_pretty(self).expect("credentials serialise");
            file.write_all(text.as_bytes()).map_err(fail)?;
            file.sync_all().map_err(fail)?;
        }
        std::fs::rename(&partial, &path).map_err(fail)
    }
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(TIMEOUT)
        .user_agent(concat!("tm/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("an HTTP client with rustls")
}

fn unreachable(url: &str, e: &reqwest::Error) -> Failure {
    Failure(format!("cannot reach {url}: {e}; is the service running there? (tm-local: cargo run -p tm-local)"))
}

/// The service's error message (`{"error": {"code", "message"}}`, or OAuth's
/// `error_description`), else the status.
fn service_error(status: reqwest::StatusCode, body: &str) -> Failure {
    let parsed: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let message = parsed["error"]["message"]
        .as_str()
        .or(parsed["error_description"].as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("the service answered {status}"));
    match parsed["error"]["code"].as_str() {
        Some(code) => Failure(format!("{message} ({code})")),
        None => Failure(message),
    }
}

fn tokens_into(session: &mut Session, tokens: &Value) -> Result<(), Failure> {
    let text = |key: &str| tokens[key].as_str().map(str::to_owned);
    session.id_token = text("id_token").ok_or_else(|| Failure("the sign-in answered no id_token".into()))?;
    session.access_token = text("access_token").unwrap_or_default();
    if let Some(refresh) = text("refresh_token").filter(|r| !r.is_empty()) {
        session.refresh_token = refresh;
    }
    session.expires_at = now() + tokens["expires_in"].as_u64().unwrap_or(3600);
    Ok(())
}

/// Signs in with a username and password (tm-local's `POST /local/login`).
pub fn login(url: &str, client_id: &str, username: &str, password: &str) -> Result<Session, Failure> {
    let url = url.trim_end_matches('/').to_owned();
    let answer = client()
        .post(format!("{url}/local/login"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .map_err(|e| unreachable(&url, &e))?;
    let status = answer.status();
    let body = answer.text().unwrap_or_default();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Err(Failure(format!(
            "{url} has no password sign-in (/local/login): --username works with tm-local; a deployment in AWS \
             signs in through its hosted page, which tm login does not open yet"
        )));
    }
    if !status.is_success() {
        return Err(service_error(status, &body));
    }
    let tokens: Value =
        serde_json::from_str(&body).map_err(|e| Failure(format!("the sign-in answered no JSON: {e}")))?;
    let mut session = Session {
        url,
        client_id: client_id.to_owned(),
        username: username.to_owned(),
        id_token: String::new(),
        access_token: String::new(),
        refresh_token: String::new(),
        expires_at: 0,
    };
    tokens_into(&mut session, &tokens)?;
    Ok(session)
}

/// New ID and access tokens from the refresh token (the OAuth refresh grant).
fn refresh(session: &mut Session) -> Result<(), Failure> {
    let answer = client()
        .post(format!("{}/oauth2/token", session.url))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", session.client_id.as_str()),
            ("refresh_token", session.refresh_token.as_str()),
        ])
        .send()
        .map_err(|e| unreachable(&session.url, &e))?;
    let status = answer.status();
    let body = answer.text().unwrap_or_default();
    if !status.is_success() {
        let why = service_error(status, &body);
        return Err(Failure(format!("your session ended ({why}); sign in again with tm login")));
    }
    let tokens: Value =
        serde_json::from_str(&body).map_err(|e| Failure(format!("the refresh answered no JSON: {e}")))?;
    tokens_into(session, &tokens)
}

/// The profile's session with a current ID token (refreshed and saved when it was
/// about to expire).
pub fn session(profile: &str) -> Result<Session, Failure> {
    let mut credentials = Credentials::load()?;
    let Some(session) = credentials.profiles.get_mut(profile) else {
        return Err(Failure(format!(
            "not signed in (profile {profile:?}); sign in with: tm --profile {profile} login --url URL --username NAME"
        )));
    };
    if session.expires_at <= now() + REFRESH_MARGIN_SECONDS {
        refresh(session)?;
        let fresh = session.clone();
        credentials.save()?;
        return Ok(fresh);
    }
    Ok(session.clone())
}

/// `GET path` as the profile's account: the JSON answer.
pub fn get_json(session: &Session, path: &str) -> Result<Value, Failure> {
    let answer = client()
        .get(format!("{}{path}", session.url))
        .bearer_auth(&session.id_token)
        .send()
        .map_err(|e| unreachable(&session.url, &e))?;
    let status = answer.status();
    let body = answer.text().unwrap_or_default();
    if !status.is_success() {
        return Err(service_error(status, &body));
    }
    serde_json::from_str(&body).map_err(|e| Failure(format!("{path} answered no JSON: {e}")))
}
