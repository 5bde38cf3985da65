//! `tm` as the service's client against tm-local: signing in per profile (password on
//! standard input), the credentials file readable by its owner only, silent refresh,
//! several accounts side by side, signing out, and the service's refusals as messages.

mod support;

use serde_json::{Value, json};
use std::process::{Command, Stdio};
use support::{Server, call, tm, tm_binary};

async fn sign_up(base: &str, email: &str) -> Value {
    let body = json!({"username": email, "password": "correct horse battery", "name": email});
    let reply = call("POST", &format!("{base}/local/signup"), None, Some(&body.to_string()), &[]).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()
}

/// Signs up and moves the account to a zone where it is past noon, so entries of the
/// morning "today" have passed at any hour the tests run; answers that day.
async fn sign_up_past_noon(base: &str, email: &str) -> chrono::NaiveDate {
    let tokens = sign_up(base, email).await;
    let api = support::Api { base, token: tokens["id_token"].as_str().unwrap().to_owned() };
    let now = chrono::Utc::now();
    // UTC+12 is past noon whenever UTC is before 11:00.
    let (zone, offset) = if chrono::Timelike::hour(&now) >= 11 { ("UTC", 0) } else { ("Etc/GMT-12", 12) };
    let set = api.patch("/v1/me", &json!({ "timeZone": zone }).to_string()).await;
    assert_eq!(set.status, 200, "{}", set.text);
    (now + chrono::Duration::hours(offset)).date_naive()
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
    let local_today = sign_up_past_noon(base, "ada@example.com").await;
    assert!(tm(&config, &["login", "--url", base, "--username", "ada@example.com"], "correct horse battery\n").ok);
    let yesterday = (local_today - chrono::Duration::days(1)).to_string();

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

    // Edited: new times and task, the tags cleared, notes added; the service's refusal
    // (an overlap) is its message; an edit of nothing says what can be changed.
    let id = entry["id"].as_str().unwrap();
    let edited = tm(
        &config,
        &["edit", id, "--task", "Reviewed the draft", "--span", "08:30-10:00", "--no-tags", "-n", "with Bob", "--json"],
        "",
    );
    assert!(edited.ok, "{}", edited.stderr);
    let edited: Value = serde_json::from_str(&edited.stdout).unwrap();
    assert_eq!(
        (edited["task"].as_str(), edited["startTime"].as_str(), edited["endTime"].as_str(), edited["notes"].as_str()),
        (Some("Reviewed the draft"), Some("08:30"), Some("10:00"), Some("with Bob"))
    );
    assert_eq!((edited["project"].as_str(), edited["tags"].as_array().map(Vec::len)), (Some("Docs"), Some(0)));
    let clash = tm(&config, &["edit", id, "--end", "11:30"], "");
    assert!(!clash.ok && clash.stderr.contains("overlaps 11:00-11:45"), "{}", clash.stderr);
    let moved = tm(&config, &["edit", id, "--date", "today", "-p", ""], "");
    assert!(moved.ok && moved.stdout.contains("edited Reviewed the draft"), "{} {}", moved.stdout, moved.stderr);
    let nothing = tm(&config, &["edit", id], "");
    assert!(!nothing.ok && nothing.stderr.contains("nothing to change"), "{}", nothing.stderr);
    assert!(tm(&config, &["edit", id, "--date", "today", "-p", "Docs"], "").ok);

    let removed = tm(&config, &["rm", id], "");
    assert!(removed.ok && removed.stdout.contains("deleted"), "{}", removed.stderr);
    let gone = tm(&config, &["rm", id], "");
    assert!(!gone.ok && gone.stderr.contains("not-found"), "{}", gone.stderr);
}

/// Reports from the service: today's, this week's, a range as JSON with the offline
/// report's options, and the team's hours by person for a tenant admin.
#[tokio::test]
async fn tm_reads_reports_from_the_service() {
    let server = Server::start_as_shipped("tm-client-reports", &["--report-interval-minutes", "0"]);
    let base = server.base.as_str();
    let config = support::data_dir("tm-client-reports-config");
    let local_today = sign_up_past_noon(base, "ada@example.com").await;
    assert!(tm(&config, &["login", "--url", base, "--username", "ada@example.com"], "correct horse battery\n").ok);
    let not_yet = tm(&config, &["today"], "");
    assert!(not_yet.ok && not_yet.stdout.contains("0.0 h logged"), "{} {}", not_yet.stdout, not_yet.stderr);
    for (span, task, project) in
        [("00:00-00:30", "Plan the day", "Docs"), ("00:30-01:15", "Write", "Docs"), ("01:15-01:30", "Mail", "Admin")]
    {
        let added = tm(&config, &["add", span, task, "-p", project, "-t", "focus"], "");
        assert!(added.ok, "{}", added.stderr);
    }
    let today = tm(&config, &["today"], "");
    assert!(
        today.ok && today.stdout.contains("1.5 h logged") && today.stdout.contains("Write [[Docs]]"),
        "{}",
        today.stdout
    );
    let week = tm(&config, &["week", "--format", "markdown"], "");
    assert!(week.ok && week.stdout.starts_with("# Week of") && week.stdout.contains("## Docs"), "{}", week.stdout);
    let month = tm(&config, &["month", "--format", "csv"], "");
    assert!(month.ok && month.stdout.lines().count() == 4, "a header and three entries: {}", month.stdout);

    let day = local_today.to_string();
    let range = tm(
        &config,
        &["report", "range", &day, "today", "--remote", "--format", "json", "--group-by", "tag", "--top-tasks", "1"],
        "",
    );
    assert!(range.ok, "{}", range.stderr);
    let range: Value = serde_json::from_str(&range.stdout).unwrap();
    assert_eq!((range["groupBy"].as_str(), range["summary"]["totalMinutes"].as_u64()), (Some("tag"), Some(90)));
    assert_eq!(range["groups"][0]["projects"][0]["topTasks"].as_array().map(Vec::len), Some(1));
    let bad = tm(&config, &["report", "range", &day, &day, "--remote", "--sort", "sideways"], "");
    assert!(
        !bad.ok && bad.stderr.contains("invalid-option") && bad.stderr.contains("hours, alpha, date"),
        "the service's refusal: {}",
        bad.stderr
    );

    let team = tm(&config, &["report", "range", &day, &day, "--team", "--group-by", "user", "--format", "text"], "");
    assert!(team.ok && team.stdout.contains("ada@example.com"), "{} {}", team.stdout, team.stderr);
    let team_tag = tm(&config, &["report", "tag", "focus", "--team"], "");
    assert!(!team_tag.ok && team_tag.stderr.contains("no team form"), "{}", team_tag.stderr);
    let offline = tm(&config, &["today", "--dir", config.to_str().unwrap()], "");
    assert!(!offline.ok && offline.stderr.contains("no time-logs/ folder"), "--dir reads a folder: {}", offline.stderr);
}
