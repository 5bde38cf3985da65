//! `tm` as the service's client against tm-local: signing in per profile (password on
//! standard input), the credentials file readable by its owner only, silent refresh,
//! several accounts side by side, signing out, and the service's refusals as messages.

mod support;

use serde_json::{Value, json};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use support::{Server, call};

/// The `tm` binary of this workspace (built beside tm-local; built here when a run of
/// this package alone has not built it).
fn tm_binary() -> PathBuf {
    let beside = Path::new(env!("CARGO_BIN_EXE_tm-local")).with_file_name("tm");
    if !beside.exists() {
        let built = Command::new(env!("CARGO")).args(["build", "-q", "-p", "tm"]).status().unwrap();
        assert!(built.success(), "cargo build -p tm");
    }
    beside
}

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn tm(config: &Path, args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(tm_binary())
        .args(args)
        .env("TM_CONFIG_DIR", config)
        .env_remove("TM_PROFILE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

async fn sign_up(base: &str, email: &str) -> Value {
    let body = json!({"username": email, "password": "correct horse battery", "name": email});
    let reply = call("POST", &format!("{base}/local/signup"), None, Some(&body.to_string()), &[]).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()
}

#[tokio::test]
async fn tm_signs_in_per_profile_refreshes_silently_and_signs_out() {
    let server = Server::start_as_shipped("tm-client", &["--report-interval-minutes", "0"]);
    let base = server.base.as_str();
    let config = support::data_dir("tm-client-config");
    sign_up(base, "ada@example.com").await;
    sign_up(base, "bob@example.com").await;

    // Not signed in yet: says how to sign in.
    let none = tm(&config, &["whoami"], "");
    assert!(!none.ok && none.stderr.contains("tm --profile default login"), "{}", none.stderr);
    // A wrong password is the service's message; nothing is stored.
    let wrong = tm(&config, &["login", "--url", base, "--username", "ada@example.com"], "nope\n");
    assert!(!wrong.ok && wrong.stderr.contains("wrong username or password"), "{}", wrong.stderr);
    assert!(!config.join("credentials.json").exists());
    let empty = tm(&config, &["login", "--url", base, "--username", "ada@example.com"], "");
    assert!(!empty.ok && empty.stderr.contains("standard input"), "{}", empty.stderr);

    // Two accounts side by side.
    let ada = tm(&config, &["login", "--url", base, "--username", "ada@example.com"], "correct horse battery\n");
    assert!(ada.ok && ada.stdout.contains("signed in to") && ada.stdout.contains("ada@example.com"), "{}", ada.stderr);
    let bob = tm(
        &config,
        &["--profile", "bob", "login", "--url", base, "--username", "bob@example.com", "--json"],
        "correct horse battery\n",
    );
    assert!(bob.ok, "{}", bob.stderr);
    let bob_tenant = serde_json::from_str::<Value>(&bob.stdout).unwrap()["me"]["tenant"].clone();
    let whoami = |profile: &str| {
        let run = tm(&config, &["--profile", profile, "whoami", "--json"], "");
        assert!(run.ok, "{}", run.stderr);
        serde_json::from_str::<Value>(&run.stdout).unwrap()
    };
    let ada_me = whoami("default");
    assert_eq!(
        (ada_me["username"].as_str(), ada_me["me"]["isTenantAdmin"].as_bool()),
        (Some("ada@example.com"), Some(true))
    );
    assert_eq!(whoami("bob")["me"]["tenant"], bob_tenant);
    assert_ne!(ada_me["me"]["tenant"], bob_tenant, "each sign-up its own tenant");
    let text = tm(&config, &["whoami"], "");
    assert!(text.stdout.contains("in tenant") && text.stdout.contains("tenant admin"), "{}", text.stdout);

    // The tokens are the owner's only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(config.join("credentials.json")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // An expired ID token is refreshed silently (and saved): the stored one is garbage.
    let path = config.join("credentials.json");
    let mut stored: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    stored["profiles"]["default"]["idToken"] = json!("expired.garbage.token");
    stored["profiles"]["default"]["expiresAt"] = json!(0);
    std::fs::write(&path, stored.to_string()).unwrap();
    assert_eq!(whoami("default")["me"]["user"], ada_me["me"]["user"]);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_ne!(saved["profiles"]["default"]["idToken"], "expired.garbage.token");
    // A refresh token the service refuses: sign in again, says so.
    stored["profiles"]["default"]["refreshToken"] = json!("revoked");
    std::fs::write(&path, stored.to_string()).unwrap();
    let ended = tm(&config, &["whoami"], "");
    assert!(!ended.ok && ended.stderr.contains("sign in again"), "{}", ended.stderr);

    // Signing out forgets one profile only.
    let out = tm(&config, &["logout"], "");
    assert!(out.ok && out.stdout.contains("signed out"), "{}", out.stdout);
    assert!(!tm(&config, &["whoami"], "").ok);
    assert_eq!(whoami("bob")["me"]["tenant"], bob_tenant);
    let again = tm(&config, &["logout"], "");
    assert!(again.ok && again.stdout.contains("was not signed in"), "{}", again.stdout);

    // A browser sign-in nobody finishes gives up with a message.
    let waited = tm(&config, &["login", "--url", base, "--no-browser", "--timeout", "1"], "");
    assert!(!waited.ok && waited.stderr.contains("no sign-in within 1 s"), "{}", waited.stderr);
    // Nothing listening: says where it tried.
    let nowhere = tm(&config, &["login", "--url", "http://127.0.0.1:9", "--username", "x"], "pw\n");
    assert!(!nowhere.ok && nowhere.stderr.contains("cannot reach http://127.0.0.1:9"), "{}", nowhere.stderr);
}

/// Without `--username`, `tm login` prints the hosted login's link (PKCE, a loopback
/// redirect) and waits; the test plays the browser: it opens the link, signs in on
/// the page and follows the redirect back to `tm`, which exchanges the code.
#[tokio::test]
async fn tm_signs_in_through_the_hosted_page_with_pkce_on_a_loopback_port() {
    use std::io::BufRead as _;
    let server = Server::start_as_shipped("tm-client-browser", &["--report-interval-minutes", "0"]);
    let base = server.base.clone();
    let config = support::data_dir("tm-client-browser-config");
    sign_up(&base, "ada@example.com").await;
    let mut child = Command::new(tm_binary())
        .args(["login", "--url", &base, "--no-browser", "--timeout", "60"])
        .env("TM_CONFIG_DIR", &config)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let link = stderr
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.trim().starts_with("http").then(|| l.trim().to_owned()))
        .expect("tm prints the link");
    assert!(
        link.starts_with(&format!("{base}/oauth2/authorize?")) && link.contains("code_challenge_method=S256"),
        "{link}"
    );
    assert!(link.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A"), "a loopback redirect: {link}");

    // The browser: the page, the form, the redirect back to tm.
    let page = call("GET", &link, None, None, &[]).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let query = link.split_once('?').unwrap().1;
    let form = format!("{query}&username=ada%40example.com&password=correct%20horse%20battery");
    let signed_in = call(
        "POST",
        &format!("{base}/oauth2/authorize"),
        None,
        Some(&form),
        &[("content-type", "application/x-www-form-urlencoded")],
    )
    .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text);
    let back = signed_in.headers["location"].to_str().unwrap().to_owned();
    assert!(back.starts_with("http://127.0.0.1:") && back.contains("code="), "{back}");
    let landed = call("GET", &back, None, None, &[]).await;
    assert!(landed.status == 200 && landed.text.contains("Signed in"), "{}", landed.text);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && stdout.contains("as ada@example.com"), "{stdout}");

    let who = tm(&config, &["whoami", "--json"], "");
    assert!(who.ok, "{}", who.stderr);
    let who: Value = serde_json::from_str(&who.stdout).unwrap();
    assert_eq!((who["username"].as_str(), who["me"]["isTenantAdmin"].as_bool()), (Some("ada@example.com"), Some(true)));
}

/// The timer from the terminal: start (project, tags, a start time), status, a second
/// start refused with the service's message, stop, cancel.
#[tokio::test]
async fn tm_starts_stops_and_cancels_the_timer_on_the_service() {
    let server = Server::start_as_shipped("tm-client-timer", &["--report-interval-minutes", "0"]);
    let base = server.base.as_str();
    let config = support::data_dir("tm-client-timer-config");
    let tokens = sign_up(base, "ada@example.com").await;
    assert!(tm(&config, &["login", "--url", base, "--username", "ada@example.com"], "correct horse battery\n").ok);
    let api = support::Api { base, token: tokens["id_token"].as_str().unwrap().to_owned() };

    let idle = tm(&config, &["status"], "");
    assert!(idle.ok && idle.stdout.contains("no timer running"), "{}", idle.stdout);
    let bad = tm(&config, &["start", "Docs", "--at", "9:5"], "");
    assert!(!bad.ok && bad.stderr.contains("HH:MM"), "{}", bad.stderr);
    // Two minutes ago (today, in the account's zone, UTC by default).
    let now = chrono::Utc::now();
    let earlier = now - chrono::Duration::minutes(2);
    let at =
        if earlier.date_naive() == now.date_naive() { earlier.format("%H:%M").to_string() } else { "00:00".into() };
    let started = tm(&config, &["start", "Write the guide", "-p", "Docs", "-t", "writing", "--at", &at], "");
    assert!(
        started.ok && started.stdout.contains("started Write the guide [Docs] #writing at"),
        "{} {}",
        started.stdout,
        started.stderr
    );
    let status = tm(&config, &["status"], "");
    assert!(status.stdout.contains("running: Write the guide [Docs]"), "{}", status.stdout);
    let json = tm(&config, &["status", "--json"], "");
    let timer: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(timer["running"]["startTime"], at.as_str());
    let again = tm(&config, &["start", "Something else"], "");
    assert!(!again.ok && again.stderr.contains("timer-running"), "{}", again.stderr);

    let stopped = tm(&config, &["stop", "--json"], "");
    assert!(stopped.ok, "{}", stopped.stderr);
    let entry: Value = serde_json::from_str(&stopped.stdout).unwrap();
    assert_eq!((entry["project"].as_str(), entry["tags"][0].as_str()), (Some("Docs"), Some("writing")));
    let listed = api.get("/v1/entries").await.json();
    assert_eq!(listed["entries"][0]["id"], entry["id"], "the entry is on the service");
    let nothing = tm(&config, &["stop"], "");
    assert!(!nothing.ok && nothing.stderr.contains("no-running-timer"), "{}", nothing.stderr);

    assert!(tm(&config, &["start", "Oops"], "").ok);
    let cancelled = tm(&config, &["cancel"], "");
    assert!(cancelled.ok && cancelled.stdout.contains("cancelled Oops"), "{}", cancelled.stdout);
    assert_eq!(api.get("/v1/entries").await.json()["entries"].as_array().unwrap().len(), 1, "only the stopped one");
    let none = tm(&config, &["cancel"], "");
    assert!(!none.ok && none.stderr.contains("nothing to cancel"), "{}", none.stderr);
}

/// Entries from the terminal: add with a relative day, list a range, delete.
#[tokio::test]
async fn tm_adds_lists_and_removes_entries() {
    let server = Server::start_as_shipped("tm-client-entries", &["--report-interval-minutes", "0"]);
    let base = server.base.as_str();
    let config = support::data_dir("tm-client-entries-config");
    sign_up(base, "ada@example.com").await;
    assert!(tm(&config, &["login", "--url", base, "--username", "ada@example.com"], "correct horse battery\n").ok);
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive().to_string();

    let added = tm(&config, &["add", "09:00-10:30", "Review", "-p", "Docs", "--date", "yesterday", "--json"], "");
    assert!(added.ok, "{}", added.stderr);
    let entry: Value = serde_json::from_str(&added.stdout).unwrap();
    assert_eq!((entry["date"].as_str(), entry["minutes"].as_i64()), (Some(yesterday.as_str()), Some(90)));
    let text = tm(&config, &["add", "11:00-11:45", "Call", "--date", "-1d"], "");
    assert!(text.ok && text.stdout.contains("added Call") && text.stdout.contains("(0:45)"), "{}", text.stdout);
    let overlap = tm(&config, &["add", "10:00-11:00", "Overlap", "--date", "yesterday"], "");
    assert!(!overlap.ok && overlap.stderr.contains("overlaps 09:00-10:30"), "{}", overlap.stderr);
    let bad = tm(&config, &["add", "9-10", "Bad"], "");
    assert!(!bad.ok && bad.stderr.contains("HH:MM-HH:MM"), "{}", bad.stderr);

    let listed = tm(&config, &["ls", "--from", "-7d", "--to", "today"], "");
    assert!(listed.ok && listed.stdout.contains("total 2:15 in 2 entries"), "{}", listed.stdout);
    let docs = tm(&config, &["ls", "--from", "yesterday", "-p", "Docs", "--json"], "");
    let docs: Value = serde_json::from_str(&docs.stdout).unwrap();
    assert_eq!(docs["entries"].as_array().unwrap().len(), 1);
    assert!(tm(&config, &["ls"], "").stdout.contains("no entries"), "today has none");

    let id = entry["id"].as_str().unwrap();
    let removed = tm(&config, &["rm", id], "");
    assert!(removed.ok && removed.stdout.contains("deleted"), "{}", removed.stderr);
    let gone = tm(&config, &["rm", id], "");
    assert!(!gone.ok && gone.stderr.contains("not-found"), "{}", gone.stderr);
}
