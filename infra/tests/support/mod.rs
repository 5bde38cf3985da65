//! Runs the real `tm-local` binary on a free port with its own data folder, and talks
//! to it over HTTP.

#![allow(dead_code)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub struct Server {
    child: Option<Child>,
    pub base: String,
    pub data: PathBuf,
    /// What the server printed on stdout so far.
    pub printed: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

pub fn data_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tm-local-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

impl Server {
    pub fn start(name: &str) -> Self {
        Self::start_in(data_dir(name), &[])
    }

    /// Starts on a free port; waits for the "listening on" line (at most 30 s). Sign-up
    /// may name its tenant and groups here (`--signup-chooses-tenant`), so tests build
    /// tenants without invitations.
    pub fn start_in(data: PathBuf, extra: &[&str]) -> Self {
        Self::spawn(data, extra, true)
    }

    /// Starts as a person runs it: sign-up makes a tenant, colleagues are invited.
    pub fn start_as_shipped(name: &str, extra: &[&str]) -> Self {
        Self::spawn(data_dir(name), extra, false)
    }

    fn spawn(data: PathBuf, extra: &[&str], signup_chooses_tenant: bool) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tm-local"))
            .args(["--port", "0", "--data-dir"])
            .arg(&data)
            .args(extra)
            .env("TM_SIGNUP_CHOOSES_TENANT", signup_chooses_tenant.to_string())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("tm-local starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let printed = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let lines = printed.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("tm-local listening on ") {
                    let _ = tx.send(url.to_owned());
                }
                lines.lock().unwrap().push(line);
            }
        });
        let base = rx.recv_timeout(Duration::from_secs(30)).expect("tm-local printed its URL");
        Self { child: Some(child), base, data, printed }
    }

    /// Sends a signal and waits (at most 10 s) for the exit status.
    pub fn signal(mut self, signal: &str) -> std::process::ExitStatus {
        let mut child = self.child.take().unwrap();
        Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
        for _ in 0..100 {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        panic!("tm-local did not stop on {signal}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub text: String,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_default().to_owned()
    }
}

pub async fn call(method: &str, url: &str, token: Option<&str>, body: Option<&str>, headers: &[(&str, &str)]) -> Reply {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut builder = hyper::Request::builder().method(method).uri(url);
    if let Some(t) = token {
        builder = builder.header("authorization", format!("Bearer {t}"));
    }
    if body.is_some() && !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-type")) {
        builder = builder.header("content-type", "application/json");
    }
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder.body(Full::new(Bytes::from(body.unwrap_or_default().to_owned()))).unwrap();
    let response = tokio::time::timeout(Duration::from_secs(30), client.request(request))
        .await
        .expect("answer within 30 s")
        .expect("HTTP works");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply { status, headers, text: String::from_utf8_lossy(&bytes).into_owned(), bytes: bytes.to_vec() }
}

pub struct Api<'a> {
    pub base: &'a str,
    pub token: String,
}

impl Api<'_> {
    pub async fn get(&self, path: &str) -> Reply {
        call("GET", &format!("{}{path}", self.base), Some(&self.token), None, &[]).await
    }
    pub async fn post(&self, path: &str, body: &str) -> Reply {
        call("POST", &format!("{}{path}", self.base), Some(&self.token), Some(body), &[]).await
    }
    pub async fn patch(&self, path: &str, body: &str) -> Reply {
        call("PATCH", &format!("{}{path}", self.base), Some(&self.token), Some(body), &[]).await
    }
    /// Sends a Markdown file.
    pub async fn put_markdown(&self, path: &str, text: &str) -> Reply {
        call(
            "PUT",
            &format!("{}{path}", self.base),
            Some(&self.token),
            Some(text),
            &[("content-type", "text/markdown")],
        )
        .await
    }
    /// Posts a Markdown file (the dry-run check of a log).
    pub async fn post_markdown(&self, path: &str, text: &str) -> Reply {
        call(
            "POST",
            &format!("{}{path}", self.base),
            Some(&self.token),
            Some(text),
            &[("content-type", "text/markdown")],
        )
        .await
    }
    pub async fn delete(&self, path: &str) -> Reply {
        call("DELETE", &format!("{}{path}", self.base), Some(&self.token), None, &[]).await
    }
}

/// Signs up (tenant and groups optional) and returns the ID token.
pub async fn signup<'a>(base: &'a str, username: &str, tenant: Option<&str>, groups: &[&str]) -> Api<'a> {
    let body = serde_json::json!({"username": username, "password": "correct horse battery", "tenant": tenant, "groups": groups});
    let reply = call("POST", &format!("{base}/local/signup"), None, Some(&body.to_string()), &[]).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    Api { base, token: reply.json()["id_token"].as_str().unwrap().to_owned() }
}

/// The `tm` binary of this workspace, built (or brought up to date) once per test run:
/// `cargo test -p tm-local` alone does not rebuild it.
pub fn tm_binary() -> std::path::PathBuf {
    static BUILT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let built = std::process::Command::new(env!("CARGO")).args(["build", "-q", "-p", "tm"]).status().unwrap();
            assert!(built.success(), "cargo build -p tm");
            std::path::Path::new(env!("CARGO_BIN_EXE_tm-local")).with_file_name("tm")
        })
        .clone()
}

pub struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// What `--json` printed.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.stdout, self.stderr))
    }
}

/// Runs `tm` with `config` as its config folder and `stdin` as its input.
pub fn tm(config: &std::path::Path, args: &[&str], stdin: &str) -> Run {
    let mut child = std::process::Command::new(tm_binary())
        .args(args)
        .env("TM_CONFIG_DIR", config)
        .env_remove("TM_PROFILE")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The `/live` WebSocket of `server` (issue 18).
pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect(server: &Server, query: &str) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    let url = format!("{}/live?{query}", server.base.replace("http://", "ws://"));
    tokio_tungstenite::connect_async(url).await.map(|(socket, _)| socket)
}

/// The next text message (within `within`), as JSON; `None` when the socket closed.
pub async fn next_message(
    socket: &mut Socket,
    within: std::time::Duration,
) -> Option<Result<serde_json::Value, (u16, String)>> {
    use futures::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    loop {
        let message = tokio::time::timeout(within, socket.next()).await.expect("a message in time")?;
        match message.expect("the socket works") {
            Message::Text(text) => return Some(Ok(serde_json::from_str(&text).unwrap())),
            Message::Close(frame) => {
                return Some(Err(frame
                    .map(|f| (u16::from(f.code), f.reason.to_string()))
                    .unwrap_or((1005, String::new()))));
            }
            _ => continue,
        }
    }
}
