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
/// A whole request, answer included (a fiscal-year upload of a large log takes seconds).
const TIMEOUT: Duration = Duration::from_secs(30);
/// A service that does not even accept the connection is down; say so soon.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

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
    /// Where the hosted login and token endpoint are, when not at `url` (Cognito's
    /// domain, `https://PREFIX.auth.REGION.amazoncognito.com`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_url: Option<String>,
}

impl Session {
    /// A session of `username` from a token answer (`id_token`, `access_token`,
    /// `refresh_token`, `expires_in`).
    fn signed_in(
        url: String,
        client_id: &str,
        username: &str,
        auth_url: Option<String>,
        tokens: &Value,
    ) -> Result<Self, Failure> {
        let mut session = Self {
            url,
            client_id: client_id.to_owned(),
            username: username.to_owned(),
            id_token: String::new(),
            access_token: String::new(),
            refresh_token: String::new(),
            expires_at: 0,
            auth_url,
        };
        tokens_into(&mut session, tokens)?;
        Ok(session)
    }

    fn token_endpoint(&self) -> String {
        format!("{}/oauth2/token", self.auth_url.as_deref().unwrap_or(&self.url))
    }
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
        .connect_timeout(CONNECT_TIMEOUT)
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

/// A JSON answer (`null` for an empty one), or the service's refusal as a message.
fn json_answer(answer: reqwest::blocking::Response, what: &str) -> Result<Value, Failure> {
    let status = answer.status();
    let text = answer.text().unwrap_or_default();
    if !status.is_success() {
        return Err(service_error(status, &text));
    }
    if text.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&text).map_err(|e| Failure(format!("{what} answered no JSON: {e}")))
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
    if answer.status() == reqwest::StatusCode::NOT_FOUND {
        return Err(Failure(format!(
            "{url} has no password sign-in (/local/login): --username works with tm-local; sign in to a \
             deployment in AWS through its hosted page: tm login --url API_URL --auth-url HOSTED_LOGIN_URL \
             --client-id CLIENT_ID (without --username)"
        )));
    }
    let tokens = json_answer(answer, "the sign-in")?;
    Session::signed_in(url, client_id, username, None, &tokens)
}

/// New ID and access tokens from the refresh token (the OAuth refresh grant).
fn refresh(session: &mut Session) -> Result<(), Failure> {
    let answer = client()
        .post(session.token_endpoint())
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", session.client_id.as_str()),
            ("refresh_token", session.refresh_token.as_str()),
        ])
        .send()
        .map_err(|e| unreachable(&session.url, &e))?;
    let tokens = json_answer(answer, "the refresh")
        .map_err(|why| Failure(format!("your session ended ({why}); sign in again with tm login")))?;
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
    call(session, reqwest::Method::GET, path, None)
}

/// What a request carries.
pub enum Body<'a> {
    Empty,
    Json(&'a Value),
    /// A log or project file, as written.
    Markdown(&'a str),
}

/// An answer as it came: status, text and the log version header.
pub struct Answer {
    pub status: reqwest::StatusCode,
    pub text: String,
    /// `x-log-version`, on log downloads.
    pub log_version: Option<u64>,
}

impl Answer {
    /// The JSON of the answer (`null` when there is none).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    /// The service's refusal as a message, when it refused.
    pub fn refusal(&self) -> Option<Failure> {
        (!self.status.is_success()).then(|| service_error(self.status, &self.text))
    }
}

/// Tries of one request: the service says 503 when a retry will get through (a busy
/// store, an ingest in progress), and a connection may drop on the way.
const TRIES: u32 = 4;

fn retry_later(status: reqwest::StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// A request as the profile's account, retried with back-off (0.5 s, 1 s, 2 s) while
/// the service asks for it or cannot be reached. A write carries one `Idempotency-Key`
/// for all its tries, so a retry after a lost answer is not applied twice.
pub fn send(session: &Session, method: reqwest::Method, path: &str, body: Body<'_>) -> Result<Answer, Failure> {
    let key = (method != reqwest::Method::GET).then(|| random_b64(18));
    let client = client();
    let mut delay = Duration::from_millis(500);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut request =
            client.request(method.clone(), format!("{}{path}", session.url)).bearer_auth(&session.id_token);
        if let Some(key) = &key {
            request = request.header("idempotency-key", key);
        }
        request = match body {
            Body::Empty => request,
            Body::Json(value) => request.json(value),
            Body::Markdown(text) => request.header("content-type", "text/markdown").body(text.to_owned()),
        };
        match request.send() {
            Ok(answer) if attempt < TRIES && retry_later(answer.status()) => {}
            Ok(answer) => {
                let status = answer.status();
                let log_version = answer
                    .headers()
                    .get("x-log-version")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim_matches('"').parse().ok());
                let text = answer.text().map_err(|e| unreachable(&session.url, &e))?;
                return Ok(Answer { status, text, log_version });
            }
            Err(e) if attempt < TRIES && (e.is_connect() || e.is_timeout() || e.is_request()) => {}
            Err(e) => return Err(unreachable(&session.url, &e)),
        }
        std::thread::sleep(delay);
        delay *= 2;
    }
}

/// A request as the profile's account; the JSON answer (`null` for 204), or the
/// service's refusal as a message.
pub fn call(session: &Session, method: reqwest::Method, path: &str, body: Option<&Value>) -> Result<Value, Failure> {
    let answer = send(session, method, path, body.map_or(Body::Empty, Body::Json))?;
    if let Some(refusal) = answer.refusal() {
        return Err(refusal);
    }
    if answer.text.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&answer.text).map_err(|e| Failure(format!("{path} answered no JSON: {e}")))
}

/// `GET path` as text (a report in `format=text|markdown|csv`, a log).
pub fn get_text(session: &Session, path: &str) -> Result<String, Failure> {
    let answer = send(session, reqwest::Method::GET, path, Body::Empty)?;
    match answer.refusal() {
        Some(refusal) => Err(refusal),
        None => Ok(answer.text),
    }
}

// ---- sign-in through the hosted page ------------------------------------------------

fn random_b64(bytes: usize) -> String {
    use base64::Engine as _;
    use rand::RngCore as _;
    let mut buffer = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buffer);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buffer)
}

fn challenge_of(verifier: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()))
}

/// RFC 3986 unreserved characters kept, everything else percent-encoded (query
/// values and path segments).
pub fn encode(value: &str) -> String {
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

fn decode(value: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push(high * 16 + low);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Who an ID token names, for showing (its email, else its username); the token was
/// verified by the service that issued it, this only reads it.
fn token_username(id_token: &str) -> Option<String> {
    use base64::Engine as _;
    let payload = id_token.split('.').nth(1)?;
    let claims: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    claims["email"].as_str().or(claims["cognito:username"].as_str()).map(str::to_owned)
}

/// The query parameters of a request line's target (`/callback?code=…&state=…`).
fn query_of(target: &str) -> BTreeMap<String, String> {
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn answer_browser(stream: &mut std::net::TcpStream, status: &str, message: &str) {
    use std::io::Write as _;
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Temporal Mark</title></head>\
         <body style=\"font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto\"><h1>Temporal Mark</h1><p>{message}</p></body></html>"
    );
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
        page.len()
    );
}

/// Waits for the hosted login to send the browser back to `listener` with a code for
/// `state`; the code.
fn wait_for_code(listener: &std::net::TcpListener, state: &str, timeout: Duration) -> Result<String, Failure> {
    use std::io::BufRead as _;
    let deadline = std::time::Instant::now() + timeout;
    listener.set_nonblocking(true).map_err(|e| Failure(format!("cannot wait for the sign-in: {e}")))?;
    loop {
        match listener.accept() {
            Ok((mut stream, _)) => {
                let _ = stream.set_nonblocking(false);
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut line = String::new();
                if std::io::BufReader::new(&stream).read_line(&mut line).is_err() {
                    continue;
                }
                let target = line.split_whitespace().nth(1).unwrap_or("");
                if !target.starts_with("/callback") {
                    answer_browser(
                        &mut stream,
                        "404 Not Found",
                        "Nothing here: tm waits for the sign-in at /callback.",
                    );
                    continue;
                }
                let params = query_of(target);
                if let Some(error) = params.get("error") {
                    let why = params.get("error_description").cloned().unwrap_or_else(|| error.clone());
                    answer_browser(&mut stream, "400 Bad Request", &format!("Sign-in failed: {why}"));
                    return Err(Failure(format!("the sign-in failed: {why}")));
                }
                if params.get("state").map(String::as_str) != Some(state) {
                    // Not the answer to this sign-in (a stale tab): keep waiting.
                    answer_browser(
                        &mut stream,
                        "400 Bad Request",
                        "This sign-in link is not the one tm is waiting for.",
                    );
                    continue;
                }
                let Some(code) = params.get("code").filter(|c| !c.is_empty()) else {
                    answer_browser(&mut stream, "400 Bad Request", "The sign-in came back without a code.");
                    return Err(Failure("the sign-in came back without a code".into()));
                };
                answer_browser(&mut stream, "200 OK", "Signed in. You can close this tab and go back to the terminal.");
                return Ok(code.clone());
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if std::time::Instant::now() >= deadline {
                    return Err(Failure(format!("no sign-in within {} s; run tm login again", timeout.as_secs())));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => return Err(Failure(format!("cannot wait for the sign-in: {e}"))),
        }
    }
}

/// Signs in through the hosted login (authorization code with PKCE, RFC 7636), with
/// the browser sent back to a loopback port of this machine (RFC 8252): prints the
/// link (and opens a browser when it can), waits for the code, exchanges it.
pub fn login_in_browser(
    url: &str,
    auth_url: Option<&str>,
    client_id: &str,
    open_browser: bool,
    timeout: Duration,
    port: u16,
) -> Result<Session, Failure> {
    let url = url.trim_end_matches('/').to_owned();
    let auth = auth_url.map(|a| a.trim_end_matches('/').to_owned()).unwrap_or_else(|| url.clone());
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
        Failure(format!("cannot listen on 127.0.0.1:{port} for the sign-in: {e}; pick another --callback-port"))
    })?;
    let port = listener.local_addr().map_err(|e| Failure(e.to_string()))?.port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let (verifier, state) = (random_b64(48), random_b64(16));
    let link = format!(
        "{auth}/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}&code_challenge={}&code_challenge_method=S256&state={state}&scope={}",
        encode(client_id),
        encode(&redirect),
        challenge_of(&verifier),
        encode("openid email profile tm/api"),
    );
    eprintln!("Open this link to sign in (tm waits {} s):\n  {link}", timeout.as_secs());
    if open_browser {
        let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
        let _ = std::process::Command::new(opener)
            .arg(&link)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }
    let code = wait_for_code(&listener, &state, timeout)?;
    let answer = client()
        .post(format!("{auth}/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("code", code.as_str()),
            ("redirect_uri", redirect.as_str()),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .map_err(|e| unreachable(&auth, &e))?;
    let tokens = json_answer(answer, "the token endpoint")?;
    let username = token_username(tokens["id_token"].as_str().unwrap_or_default()).unwrap_or_default();
    Session::signed_in(url, client_id, &username, auth_url.map(|_| auth), &tokens)
}
