//! What an attacker tried (issue 11), against the real `tm-local` over HTTP: crafted
//! cursors, foreign redirect URIs, password guessing, and uploads that dodge the API's
//! rules. Each case failed before its fix. Also the sign-in link tm-local prints, which
//! a person opens as is (issue 12).

mod support;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use std::time::Instant;
use support::{Server, signup};

fn b64(value: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

#[tokio::test]
async fn crafted_cursors_are_refused_at_once() {
    let server = Server::start("abuse-cursors");
    let mallory = signup(&server.base, "mallory", Some("acme"), &[]).await;
    let (from, to) = ("2026-01-01", "2026-12-31");
    // The month inside the cursor once made one request walk every month since year 1.
    let crafted = [
        json!({"from": from, "to": to, "month": "0001-01-01", "after": "0001-01-01T00:00:00.000Z#x"}),
        json!({"from": from, "to": to, "month": "2026-03-01", "after": "2027-01-01T00:00:00.000Z#x"}),
        json!({"from": "2025-01-01", "to": to, "month": "2026-03-01", "after": "2026-03-02T00:00:00.000Z#x"}),
        json!({"month": "2026-03-01", "after": "2026-03-02T00:00:00.000Z#x"}),
    ];
    for cursor in crafted {
        let started = Instant::now();
        let reply = mallory.get(&format!("/v1/audit?from={from}&to={to}&cursor={}", b64(&cursor))).await;
        assert_eq!((reply.status, reply.code()), (400, "invalid-cursor".to_owned()), "{cursor}: {}", reply.text);
        assert!(started.elapsed().as_secs() < 5, "refused at once");
    }
    let good = json!({"from": from, "to": to, "month": "2026-03-01", "after": "2026-03-02T00:00:00.000Z#x"});
    let reply = mallory.get(&format!("/v1/audit?from={from}&to={to}&cursor={}", b64(&good))).await;
    assert_eq!(reply.status, 200, "a well-formed cursor of this listing: {}", reply.text);

    let entry_key = |key: &str| URL_SAFE_NO_PAD.encode(key);
    for key in ["E#", "E#2025-13-01T00:00#x", "E#2025-07-29T09:00#a#U#b", "TIMER", "PROFILE"] {
        let reply = mallory.get(&format!("/v1/entries?cursor={}", entry_key(key))).await;
        assert_eq!((reply.status, reply.code()), (400, "invalid-cursor".to_owned()), "{key}");
    }
    // A real entry key beyond the asked range is the end of the list, not an error.
    let beyond = entry_key("E#2030-01-01T09:00#3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b");
    let reply = mallory.get(&format!("/v1/entries?from=2025-01-01&to=2025-12-31&cursor={beyond}")).await;
    assert_eq!((reply.status, reply.json()["entries"].as_array().map(Vec::len)), (200, Some(0)), "{}", reply.text);
    let offset = URL_SAFE_NO_PAD.encode("offset:99999999999");
    mallory.post("/v1/projects", r#"{"name": "Atlas"}"#).await;
    let reply = mallory.get(&format!("/v1/projects/Atlas?cursor={offset}")).await;
    assert_eq!((reply.status, reply.code()), (400, "invalid-cursor".to_owned()), "{}", reply.text);
}

async fn form(base: &str, path: &str, body: &str) -> support::Reply {
    support::call(
        "POST",
        &format!("{base}{path}"),
        None,
        Some(body),
        &[("content-type", "application/x-www-form-urlencoded")],
    )
    .await
}

fn authorize_query(redirect: &str) -> String {
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    format!(
        "response_type=code&client_id=tm-local-client&redirect_uri={redirect}&code_challenge={challenge}&code_challenge_method=S256&state=s"
    )
}

#[tokio::test]
async fn the_hosted_login_sends_codes_only_to_registered_redirect_uris() {
    let server = Server::start_in(
        support::data_dir("abuse-redirects"),
        &["--redirect-uri", "https://app.example.com/callback,http://127.0.0.1/callback"],
    );
    signup(&server.base, "alice", None, &[]).await;
    let login =
        |redirect: &str| format!("{}&username=alice&password=correct%20horse%20battery", authorize_query(redirect));
    for evil in
        ["https://evil.example/callback", "https://app.example.com/callback/../x", "http://127.0.0.2:8/callback"]
    {
        let page = support::call(
            "GET",
            &format!("{}/oauth2/authorize?{}", server.base, authorize_query(evil)),
            None,
            None,
            &[],
        )
        .await;
        assert_eq!(page.status, 400, "{evil}");
        assert!(page.text.contains("not registered") && !page.text.contains("password"), "{}", page.text);
        let submitted = form(&server.base, "/oauth2/authorize", &login(evil)).await;
        assert_eq!(submitted.status, 400, "{evil}: {}", submitted.text);
        assert!(submitted.headers.get("location").is_none() && !submitted.text.contains("code="), "no code for {evil}");
    }
    for good in ["https://app.example.com/callback", "http://127.0.0.1:61234/callback"] {
        let submitted = form(&server.base, "/oauth2/authorize", &login(good)).await;
        assert_eq!(submitted.status, 303, "{good}: {}", submitted.text);
        assert!(submitted.headers["location"].to_str().unwrap().starts_with(&format!("{good}?code=")));
    }
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_username_and_per_address() {
    let server = Server::start("abuse-throttle");
    signup(&server.base, "alice", None, &[]).await;
    let login = |user: &str, password: &str| {
        let body = json!({"username": user, "password": password}).to_string();
        let url = format!("{}/local/login", server.base);
        async move { support::call("POST", &url, None, Some(&body), &[]).await }
    };
    for _ in 0..5 {
        assert_eq!(login("alice", "wrong-password").await.status, 401);
    }
    let locked = login("alice", "correct horse battery").await;
    assert_eq!((locked.status, locked.code()), (429, "too-many-attempts".to_owned()), "{}", locked.text);
    let wait: u64 = locked.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    tokio::time::sleep(std::time::Duration::from_secs(wait + 1)).await;
    assert_eq!(login("alice", "correct horse battery").await.status, 200, "the lock ends");

    // One address guessing across usernames is stopped as well: 20 failures from it,
    // alice's five included.
    for i in 0..15 {
        assert_eq!(login(&format!("nobody{i}"), "guess").await.status, 401, "attempt {i}");
    }
    let stopped = login("nobody-else", "guess").await;
    assert_eq!(stopped.status, 429, "{}", stopped.text);
    assert!(stopped.headers.get("retry-after").is_some());
}

#[tokio::test]
async fn an_unknown_username_costs_what_a_wrong_password_costs() {
    let server = Server::start("abuse-timing");
    signup(&server.base, "alice", None, &[]).await;
    let timed = |user: String| {
        let body = json!({"username": user, "password": "not-the-password"}).to_string();
        let url = format!("{}/local/login", server.base);
        async move {
            let started = Instant::now();
            let reply = support::call("POST", &url, None, Some(&body), &[]).await;
            assert_eq!(reply.status, 401);
            started.elapsed().as_secs_f64()
        }
    };
    // The fastest of each: what the work costs, without the machine's other load.
    let fastest = |v: Vec<f64>| v.into_iter().fold(f64::INFINITY, f64::min);
    // Four tries each (under the per-username lock), alternating.
    let (mut wrong, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..4 {
        wrong.push(timed("alice".into()).await);
        unknown.push(timed(format!("ghost{i}")).await);
    }
    let (wrong, unknown) = (fastest(wrong), fastest(unknown));
    // Before the fix an unknown name answered ~10x faster (no hash was checked).
    assert!(unknown > wrong / 3.0 && unknown < wrong * 3.0, "wrong password {wrong:.3} s, unknown user {unknown:.3} s");
}

/// An upload once stored a 4 MB task (the API's limit is 500 characters) and an entry
/// in the year 0000 that no route could fetch again; now every path refuses them alike.
#[tokio::test]
async fn uploads_are_held_to_the_api_rules() {
    let server = Server::start("abuse-uploads");
    let me = signup(&server.base, "uploader", None, &[]).await;
    let huge =
        format!("# Time Log 2025-2026\n\n### 2025-07-29\n\n- **09:00-10:00**: {} [[P]]\n", "x".repeat(4_000_000));
    let reply = me.put_markdown("/v1/logs/2025-2026", &huge).await;
    assert_eq!(reply.status, 422, "{}", &reply.text[..reply.text.len().min(300)]);
    assert_eq!(reply.json()["diagnostics"][0]["code"], "task-too-long");
    let zero = "# Time Log 2025-2026\n\n### 0000-07-01\n\n- **09:00-10:00**: Year zero [[P]]\n";
    let reply = me.put_markdown("/v1/logs/2025-2026", zero).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(reply.json()["diagnostics"][0]["code"], "invalid-date-header");
    let reply = me
        .post("/v1/entries", r#"{"date": "0000-07-01", "startTime": "09:00", "endTime": "10:00", "task": "Year zero"}"#)
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(reply.text.contains("1900-2999"), "{}", reply.text);
    let reply = me.get("/v1/logs/0000-0001").await;
    assert_eq!((reply.status, reply.code()), (400, "invalid-fiscal-year".to_owned()), "{}", reply.text);
    assert!(me.get("/v1/entries").await.json()["entries"].as_array().unwrap().is_empty(), "nothing was stored");
}

/// Issue 12: the login link tm-local prints works when opened: the login page, a code
/// at /callback, and tokens for the printed verifier.
#[tokio::test]
async fn the_printed_login_link_works_as_printed() {
    let server = Server::start("printed-login");
    signup(&server.base, "clicker", None, &[]).await;
    let printed = {
        let mut found = None;
        for _ in 0..50 {
            let lines = server.printed.lock().unwrap().clone();
            if lines.iter().any(|l| l.contains("its code_verifier")) {
                found = Some(lines);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        found.expect("the link and its verifier are printed")
    };
    let link = printed.iter().find_map(|l| l.split("open: ").nth(1)).unwrap().trim().to_owned();
    assert!(!link.ends_with("...") && !link.contains("&..."), "{link}");
    let verifier = printed.iter().find_map(|l| l.split("its code_verifier: ").nth(1)).unwrap();
    let verifier = verifier.split_whitespace().next().unwrap().to_owned();
    let page = support::call("GET", &link, None, None, &[]).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("name=\"password\""));
    let query = link.split_once('?').unwrap().1;
    let signed_in = form(
        &server.base,
        "/oauth2/authorize",
        &format!("{query}&username=clicker&password=correct%20horse%20battery"),
    )
    .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text);
    let callback = signed_in.headers["location"].to_str().unwrap().to_owned();
    assert!(callback.starts_with(&format!("{}/callback?code=", server.base)), "{callback}");
    let shown = support::call("GET", &callback, None, None, &[]).await;
    assert_eq!(shown.status, 200);
    let code = callback.split("code=").nth(1).unwrap().split('&').next().unwrap();
    assert!(shown.text.contains(code) && shown.text.contains("/oauth2/token"));
    let tokens = form(
        &server.base,
        "/oauth2/token",
        &format!("grant_type=authorization_code&client_id=tm-local-client&code={code}&redirect_uri={}/callback&code_verifier={verifier}", server.base),
    )
    .await;
    assert_eq!(tokens.status, 200, "{}", tokens.text);
    assert!(tokens.json()["id_token"].is_string());
}
