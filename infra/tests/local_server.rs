//! End to end over real HTTP against the `tm-local` binary, with tokens from its local
//! issuer: every route, isolation between users and tenants, token forgeries,
//! concurrency, bad input, idempotency, the hosted login, durability and shutdown.

mod support;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use support::{Api, Server, call, signup};
use tm_local::auth::keys::SigningKey;

fn entry(date: &str, start: &str, end: &str, task: &str, project: &str) -> String {
    json!({"date": date, "startTime": start, "endTime": end, "task": task, "project": project, "tags": ["Dev Work"]})
        .to_string()
}

#[tokio::test]
async fn health_is_open_and_everything_else_needs_a_token() {
    let server = Server::start("open");
    let health = call("GET", &format!("{}/health", server.base), None, None, &[]).await;
    assert_eq!((health.status, health.json()["status"].clone()), (200, json!("ok")));
    for (method, path) in
        [("GET", "/v1/me"), ("GET", "/v1/entries"), ("POST", "/v1/timer/start"), ("GET", "/v1/reports/weekly")]
    {
        let r = call(method, &format!("{}{path}", server.base), None, None, &[]).await;
        assert_eq!((r.status, r.code()), (401, "unauthorized".to_owned()), "{method} {path}");
    }
    let missing = call("GET", &format!("{}/v1/nothing", server.base), None, None, &[]).await;
    assert_eq!(missing.status, 404);
    let wrong_method = call("PUT", &format!("{}/v1/entries/x", server.base), None, None, &[]).await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.headers["allow"], "GET, HEAD, PATCH, DELETE");
}

#[tokio::test]
async fn every_route_works_for_one_user() {
    let server = Server::start("routes");
    let me = signup(&server.base, "alice", Some("acme"), &[]).await;

    let profile = me.get("/v1/me").await.json();
    assert_eq!((profile["tenant"].as_str(), profile["timeZone"].as_str()), (Some("acme"), Some("UTC")));
    let patched =
        me.patch("/v1/me", r#"{"timeZone": "Europe/Berlin", "suppressedProjects": ["Unproductive", "Admin"]}"#).await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.json()["timeZone"], "Europe/Berlin");

    let created =
        me.post("/v1/entries", &entry("2025-07-29", "09:00", "10:30", "Wrote the parser", "Temporal Mark")).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let e = created.json();
    for field in [
        "id",
        "date",
        "startTime",
        "endTime",
        "minutes",
        "hours",
        "task",
        "project",
        "tags",
        "notes",
        "createdAt",
        "updatedAt",
    ] {
        assert!(e.get(field).is_some(), "entry JSON has {field}: {e}");
    }
    assert_eq!((e["minutes"].as_u64(), e["tags"].clone()), (Some(90), json!(["dev-work"])));
    let codes: Vec<&str> = e["warnings"].as_array().unwrap().iter().map(|w| w["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"project-created") && codes.contains(&"tag-normalized"), "{codes:?}");
    let id = e["id"].as_str().unwrap().to_owned();

    assert_eq!(me.get(&format!("/v1/entries/{id}")).await.json()["task"], "Wrote the parser");
    let moved = me.patch(&format!("/v1/entries/{id}"), r#"{"startTime": "08:30", "notes": "moved earlier"}"#).await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!((moved.json()["startTime"].as_str(), moved.json()["minutes"].as_u64()), (Some("08:30"), Some(120)));

    for (start, end) in [("11:00", "12:00"), ("13:00", "14:00"), ("14:00", "15:00")] {
        assert_eq!(
            me.post("/v1/entries", &entry("2025-07-30", start, end, "Reviewed changes", "Website")).await.status,
            201
        );
    }
    let page1 = me.get("/v1/entries?limit=2").await.json();
    assert_eq!(page1["entries"].as_array().unwrap().len(), 2);
    let cursor = page1["nextCursor"].as_str().unwrap().to_owned();
    let page2 = me.get(&format!("/v1/entries?limit=2&cursor={cursor}")).await.json();
    assert_eq!(page2["entries"].as_array().unwrap().len(), 2);
    assert_eq!(page2["nextCursor"], Value::Null);
    assert_eq!(me.get("/v1/entries?project=website").await.json()["entries"].as_array().unwrap().len(), 3);
    assert_eq!(
        me.get("/v1/entries?from=2025-07-30&to=2025-07-30").await.json()["entries"].as_array().unwrap().len(),
        3
    );

    let started = me
        .post(
            "/v1/timer/start",
            r#"{"task": "Backend work", "project": "Website", "date": "2025-07-31", "startTime": "09:00"}"#,
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.text);
    assert_eq!(started.json()["endTime"], Value::Null);
    assert_eq!(me.get("/v1/timer").await.json()["running"]["task"], "Backend work");
    let finished = me.post("/v1/timer/finish", r#"{"endTime": "11:00", "notes": "shipped"}"#).await;
    assert_eq!(finished.status, 200, "{}", finished.text);
    assert_eq!(
        (finished.json()["minutes"].as_u64(), finished.json()["task"].as_str()),
        (Some(120), Some("Backend work"))
    );
    assert_eq!(me.get("/v1/timer").await.json()["running"], Value::Null);

    let daily = me.get("/v1/daily/2025-07-30").await.json();
    assert_eq!((daily["totalMinutes"].as_u64(), daily["gapMinutes"].as_u64()), (Some(180), Some(60)));
    assert_eq!(daily["gaps"][0], json!({"start": "12:00", "end": "13:00", "minutes": 60}));
    // Each listed entry carries its id, so a client edits what the day shows.
    let listed = me.get("/v1/entries?from=2025-07-30&to=2025-07-30").await.json();
    let ids = |v: &Value, key: &str| -> Vec<String> {
        v[key].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect()
    };
    let (mut in_day, mut in_list) = (ids(&daily, "entries"), ids(&listed, "entries"));
    in_day.sort();
    in_list.sort();
    assert_eq!(in_day, in_list);

    let projects = me.get("/v1/projects").await.json();
    let names: Vec<&str> =
        projects["projects"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Temporal Mark", "Website"]);
    let new_project = me
        .post(
            "/v1/projects",
            r#"{"name": "Security Project", "departmentalGoals": ["Operations"], "status": "On Hold"}"#,
        )
        .await;
    assert_eq!(new_project.status, 201, "{}", new_project.text);
    assert_eq!(me.post("/v1/projects", r#"{"name": "security project"}"#).await.status, 409);
    let edited = me
        .patch(
            "/v1/projects/Website",
            r#"{"departmentalGoals": ["Marketing", "Technology"], "summary": "The new site"}"#,
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    let summary = me.get("/v1/projects/website").await.json();
    assert_eq!((summary["totalMinutes"].as_u64(), summary["entryCount"].as_u64()), (Some(300), Some(4)));
    assert_eq!(summary["project"]["summary"], "The new site");
    assert_eq!(me.get("/v1/projects/Websit").await.json()["error"]["details"]["suggestions"], json!(["Website"]));

    let tag = me.get("/v1/tags/Dev%20Work").await.json();
    assert_eq!(tag["tag"], "dev-work");

    let fy = me.get("/v1/reports/fiscal-year/2025-2026").await.json();
    assert_eq!((fy["kind"].as_str(), fy["summary"]["totalMinutes"].as_u64()), (Some("fiscal-year"), Some(420)));
    let keys: Vec<&str> = fy["groups"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap()).collect();
    assert_eq!(keys, vec!["General", "Marketing", "Technology"]);
    let range = me.get("/v1/reports/range/2025-07-30/2025-07-31?groupBy=none&topTasks=all").await.json();
    assert_eq!(range["summary"]["totalMinutes"], 300);
    assert_eq!(
        me.get("/v1/reports/weekly/2025-07-29").await.json()["period"],
        json!({"start": "2025-07-28", "end": "2025-08-03"})
    );
    assert_eq!(me.get("/v1/reports/monthly/2025-07").await.json()["summary"]["totalEntries"], 5);
    assert_eq!(me.get("/v1/reports/weekly").await.status, 200);
    assert_eq!(me.get("/v1/reports/monthly").await.status, 200);
    let since = me.get("/v1/reports/since?text=parser").await.json();
    assert_eq!(
        (since["lastOccurrence"]["task"].as_str(), since["summary"]["totalMinutes"].as_u64()),
        (Some("Wrote the parser"), Some(300))
    );

    let csv = call(
        "GET",
        &format!("{}/v1/reports/monthly/2025-07", server.base),
        Some(&me.token),
        None,
        &[("accept", "text/csv")],
    )
    .await;
    assert!(csv.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(csv.text.starts_with("date,startTime,endTime,minutes,hours,project,task,tags,notes"), "{}", csv.text);
    let md = me.get("/v1/reports/fiscal-year/2025-2026?format=markdown").await;
    assert!(md.text.starts_with("# Fiscal year 2025-2026"), "{}", md.text);
    let bad_format = me.get("/v1/reports/fiscal-year/2025-2026?format=pdf").await;
    assert_eq!((bad_format.status, bad_format.code()), (400, "invalid-format".to_owned()));
    assert!(bad_format.json()["error"]["message"].as_str().unwrap().contains("json, markdown, csv, text"));

    assert_eq!(me.delete(&format!("/v1/entries/{id}")).await.status, 204);
    assert_eq!(me.get(&format!("/v1/entries/{id}")).await.status, 404);
}

#[tokio::test]
async fn updated_since_lists_what_changed_after_a_client_last_looked() {
    let server = Server::start("updated-since");
    let me = signup(&server.base, "uma", Some("acme"), &[]).await;
    let first = me.post("/v1/entries", &entry("2025-07-28", "09:00", "10:00", "Old work", "P")).await.json();
    let second = me.post("/v1/entries", &entry("2025-07-29", "09:00", "10:00", "More work", "P")).await.json();
    let seen = second["updatedAt"].as_str().unwrap().to_owned();
    let ids = |page: serde_json::Value| -> Vec<String> {
        page["entries"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect()
    };
    let since = |at: &str| format!("/v1/entries?updatedSince={}", at.replace('+', "%2B"));
    // The newest updatedAt a client has is included: seen again, never missed.
    assert_eq!(ids(me.get(&since(&seen)).await.json()), vec![second["id"].as_str().unwrap()]);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let edited =
        me.patch(&format!("/v1/entries/{}", first["id"].as_str().unwrap()), r#"{"task": "Old work, redone"}"#).await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    let after_edit = edited.json()["updatedAt"].as_str().unwrap().to_owned();
    assert_eq!(ids(me.get(&since(&after_edit)).await.json()), vec![first["id"].as_str().unwrap()]);
    let both = ids(me.get(&since(&seen)).await.json());
    assert_eq!(both.len(), 2, "{both:?}");
    assert_eq!(ids(me.get("/v1/entries?updatedSince=2025-01-01").await.json()).len(), 2, "a date is its midnight UTC");
    assert!(ids(me.get("/v1/entries?updatedSince=2999-01-01T00:00:00Z").await.json()).is_empty());
}

#[tokio::test]
async fn users_and_tenants_see_none_of_each_others_data() {
    let server = Server::start("isolation");
    let alice = signup(&server.base, "alice", Some("acme"), &[]).await;
    let bob = signup(&server.base, "bob", Some("acme"), &[]).await;
    let carol = signup(&server.base, "carol", Some("globex"), &[]).await;

    let id = alice
        .post("/v1/entries", &entry("2025-07-29", "09:00", "10:00", "Secret plan", "Skunkworks"))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        alice
            .post("/v1/timer/start", r#"{"task": "Secret timer", "date": "2025-07-29", "startTime": "11:00"}"#)
            .await
            .status,
        201
    );
    alice.patch("/v1/me", r#"{"timeZone": "Asia/Tokyo"}"#).await;

    for other in [&bob, &carol] {
        assert_eq!(other.get(&format!("/v1/entries/{id}")).await.status, 404);
        assert_eq!(other.patch(&format!("/v1/entries/{id}"), r#"{"task": "Hijacked"}"#).await.status, 404);
        assert_eq!(other.delete(&format!("/v1/entries/{id}")).await.status, 404);
        assert!(other.get("/v1/entries").await.json()["entries"].as_array().unwrap().is_empty());
        assert_eq!(other.get("/v1/timer").await.json()["running"], Value::Null);
        assert_eq!(other.post("/v1/timer/finish", "{}").await.status, 409, "no timer of theirs");
        assert_eq!(other.get("/v1/daily/2025-07-29").await.json()["entries"], json!([]));
        assert!(other.get("/v1/projects").await.json()["projects"].as_array().unwrap().is_empty());
        assert_eq!(other.get("/v1/projects/Skunkworks").await.status, 404);
        assert_eq!(other.patch("/v1/projects/Skunkworks", r#"{"summary": "x"}"#).await.status, 404);
        assert_eq!(other.get("/v1/tags/dev-work").await.json()["entryCount"], 0);
        assert_eq!(other.get("/v1/reports/fiscal-year/2025-2026").await.json()["summary"]["totalMinutes"], 0);
        assert_eq!(other.get("/v1/reports/since?text=secret").await.json()["lastOccurrence"], Value::Null);
        for report in
            ["/v1/reports/range/2025-07-01/2025-07-31", "/v1/reports/weekly/2025-07-29", "/v1/reports/monthly/2025-07"]
        {
            assert_eq!(other.get(report).await.json()["summary"]["totalEntries"], 0, "{report}");
        }
        assert!(
            other.get("/v1/entries?project=Skunkworks&from=2025-01-01").await.json()["entries"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        let csv = call(
            "GET",
            &format!("{}/v1/reports/monthly/2025-07", server.base),
            Some(&other.token),
            None,
            &[("accept", "text/csv")],
        )
        .await;
        assert_eq!(csv.text.lines().count(), 1, "only the CSV header: {}", csv.text);
        // A project of the same name is theirs alone.
        assert_eq!(other.post("/v1/projects", r#"{"name": "Skunkworks"}"#).await.status, 201);
        assert_eq!(other.get("/v1/me").await.json()["timeZone"], "UTC");
        // Their own timer is independent of Alice's.
        assert_eq!(
            other
                .post("/v1/timer/start", r#"{"task": "My own work", "date": "2025-07-29", "startTime": "11:00"}"#)
                .await
                .status,
            201
        );
    }
    assert_eq!(alice.get(&format!("/v1/entries/{id}")).await.json()["task"], "Secret plan");
    assert_eq!(alice.get("/v1/projects/Skunkworks").await.json()["entryCount"], 1, "Alice's project is untouched");

    // Same-named projects across users (issue 11): each user's Skunkworks is their own;
    // naming Alice's by its owner finds nothing she has not shared.
    let alice_id = alice.get("/v1/me").await.json()["user"].as_str().unwrap().to_owned();
    for other in [&bob, &carol] {
        let logged =
            other.post("/v1/entries", &entry("2025-07-28", "13:00", "14:00", "My skunkworks", "skunkworks")).await;
        assert_eq!(logged.status, 201, "{}", logged.text);
        let summary = other.get("/v1/projects/Skunkworks").await.json();
        assert_eq!(summary["entryCount"], 1, "{summary}");
        assert!(!summary.to_string().contains("Secret plan"));
        let by_owner = entry("2025-07-28", "14:00", "15:00", "Sneaking in", &format!("{alice_id}/Skunkworks"));
        let refused = other.post("/v1/entries", &by_owner).await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert!(refused.text.contains("unknown-shared-project"), "{}", refused.text);
        for path in [
            format!("/v1/projects/{alice_id}%2FSkunkworks"),
            format!("/v1/projects/Skunkworks/members?owner={alice_id}"),
        ] {
            assert_eq!(other.get(&path).await.status, 404, "{path}");
        }
        let team = other.get("/v1/team/reports/range/2025-07-01/2025-07-31").await.json();
        assert_eq!(team["summary"]["totalEntries"], 0, "{team}");
    }
    assert_eq!(alice.get("/v1/projects/Skunkworks").await.json()["entryCount"], 1, "and hers still has one");
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[tokio::test]
async fn forged_expired_and_foreign_tokens_are_refused() {
    let server = Server::start("tokens");
    let me = signup(&server.base, "alice", None, &[]).await;
    assert_eq!(me.get("/v1/me").await.status, 200);
    let pem = std::fs::read_to_string(server.data.join("local-issuer-key.pem")).unwrap();
    let real = SigningKey::from_pem(&pem, "local-1").unwrap();
    let fixture = |n: u8| {
        std::fs::read_to_string(format!("{}/../tests/fixtures/keys/test-rsa-{n}.pem", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
    };
    let forger = SigningKey::from_pem(&fixture(2), "local-1").unwrap();
    let claims = |patch: Value| {
        let mut c = json!({"iss": server.base, "sub": "victim", "custom:tenant_id": "acme", "aud": "tm-local-client", "token_use": "id", "exp": now() + 600, "iat": now()});
        for (k, v) in patch.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    };
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
    let alg_none = format!("{}.{}.", part(&json!({"alg": "none", "kid": "local-1"})), part(&claims(json!({}))));
    let public_pem =
        std::fs::read(format!("{}/../tests/fixtures/keys/test-rsa-1.pub.pem", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut hs_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    hs_header.kid = Some("local-1".into());
    let hs256 =
        jsonwebtoken::encode(&hs_header, &claims(json!({})), &jsonwebtoken::EncodingKey::from_secret(&public_pem))
            .unwrap();
    let cases = [
        ("forged signature", forger.sign(&claims(json!({})))),
        ("alg none", alg_none),
        ("HS256 with a public key", hs256),
        ("expired", real.sign(&claims(json!({"exp": now() - 600})))),
        ("wrong issuer", real.sign(&claims(json!({"iss": "http://127.0.0.1:1/other"})))),
        ("wrong audience", real.sign(&claims(json!({"aud": "someone-else"})))),
        ("tampered payload", {
            let mut parts: Vec<String> = me.token.split('.').map(str::to_owned).collect();
            parts[1] = part(&claims(json!({"sub": "victim"})));
            parts.join(".")
        }),
    ];
    for (what, token) in cases {
        let r = call("GET", &format!("{}/v1/me", server.base), Some(&token), None, &[]).await;
        assert_eq!((r.status, r.code()), (401, "unauthorized".to_owned()), "{what}: {}", r.text);
    }
    // Signed properly by the real key, the same claims are accepted: the cases above
    // failed for the reason they name.
    assert_eq!(
        call("GET", &format!("{}/v1/me", server.base), Some(&real.sign(&claims(json!({})))), None, &[]).await.status,
        200
    );
}

#[tokio::test]
async fn concurrent_timer_starts_and_overlapping_adds_store_exactly_one() {
    let server = Server::start("concurrency");
    let me = signup(&server.base, "racer", None, &[]).await;
    let starts = (0..20).map(|i| {
        me.post(
            "/v1/timer/start",
            Box::leak(
                format!(r#"{{"task": "Timer {i}", "date": "2025-07-29", "startTime": "09:00"}}"#).into_boxed_str(),
            ),
        )
    });
    let statuses: Vec<u16> = futures::future::join_all(starts).await.iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 19, "{statuses:?}");

    let adds = (0..20).map(|i| {
        me.post(
            "/v1/entries",
            Box::leak(entry("2025-07-28", "10:00", "11:00", &format!("Parallel {i}"), "P").into_boxed_str()),
        )
    });
    let statuses: Vec<u16> = futures::future::join_all(adds).await.iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 19, "{statuses:?}");
    assert_eq!(
        me.get("/v1/entries?from=2025-07-28&to=2025-07-28").await.json()["entries"].as_array().unwrap().len(),
        1
    );
}

#[tokio::test]
async fn bad_input_gets_the_right_4xx_and_stores_nothing() {
    let server = Server::start("bad-input");
    let me = signup(&server.base, "careful", None, &[]).await;
    let cases: Vec<(&str, String, u16, &str)> = vec![
        ("not JSON", "{date: 2025".into(), 400, "invalid-json"),
        ("not an object", "[1, 2]".into(), 400, "invalid-json"),
        ("empty", "".into(), 400, "invalid-json"),
        (
            "task is a number",
            r#"{"date": "2025-07-29", "startTime": "09:00", "endTime": "10:00", "task": 42}"#.into(),
            400,
            "invalid-field",
        ),
        (
            "unknown field",
            r#"{"date": "2025-07-29", "start_time": "09:00", "endTime": "10:00", "task": "x"}"#.into(),
            400,
            "unknown-field",
        ),
        (
            "missing startTime",
            r#"{"date": "2025-07-29", "endTime": "10:00", "task": "Something"}"#.into(),
            400,
            "missing-field",
        ),
        (
            "impossible date",
            r#"{"date": "2025-02-30", "startTime": "09:00", "endTime": "10:00", "task": "Something"}"#.into(),
            422,
            "validation-failed",
        ),
        (
            "time out of range",
            r#"{"date": "2025-07-29", "startTime": "25:00", "endTime": "10:00", "task": "Something"}"#.into(),
            422,
            "validation-failed",
        ),
        (
            "tags not a list",
            r#"{"date": "2025-07-29", "startTime": "09:00", "endTime": "10:00", "task": "Something", "tags": "x"}"#
                .into(),
            422,
            "validation-failed",
        ),
        ("huge body", format!(r#"{{"task": "{}"}}"#, "x".repeat(2 * 1024 * 1024)), 413, "payload-too-large"),
    ];
    for (what, body, status, code) in cases {
        let r = me.post("/v1/entries", &body).await;
        assert_eq!((r.status, r.code()), (status, code.to_owned()), "{what}: {}", &r.text[..r.text.len().min(300)]);
        assert!(!r.json()["error"]["message"].as_str().unwrap().is_empty());
    }
    let every = me
        .post("/v1/entries", r#"{"date": "2025-13-01", "startTime": "9", "endTime": "10:00", "task": ""}"#)
        .await
        .json();
    assert_eq!(every["error"]["details"]["issues"].as_array().unwrap().len(), 3, "every problem at once");
    assert!(me.get("/v1/entries").await.json()["entries"].as_array().unwrap().is_empty(), "nothing stored");
    assert_eq!(me.get("/v1/daily/2025-7-29").await.status, 400);
    assert_eq!(me.get("/v1/reports/fiscal-year/2025-2027").await.code(), "invalid-fiscal-year");
    assert_eq!(me.get("/v1/reports/range/2025-08-01/2025-07-01").await.status, 400);
    assert_eq!(me.get("/v1/reports/monthly/2025-13").await.status, 400);
    assert_eq!(me.get("/v1/reports/since").await.status, 400);
    assert_eq!(me.get("/v1/entries?limit=0").await.status, 400);
    assert_eq!(me.get("/v1/entries?cursor=forged").await.code(), "invalid-cursor");
    let bad_instant = me.get("/v1/entries?updatedSince=yesterday").await;
    assert_eq!((bad_instant.status, bad_instant.code()), (400, "invalid-instant".to_owned()));
    assert!(bad_instant.json()["error"]["message"].as_str().unwrap().contains("RFC 3339"));
    assert_eq!(me.get("/v1/reports/weekly?groupBy=colour").await.code(), "invalid-option");
    assert_eq!(me.patch("/v1/me", r#"{"timeZone": "Mars/Base"}"#).await.status, 422);
    // Who signs up is their new tenant's admin, and may set the tenant's fiscal year,
    // but not to a month that does not exist.
    assert_eq!(me.patch("/v1/me", r#"{"fiscalYearStartMonth": 13}"#).await.status, 400, "no 13th month");
    // A query parameter the route does not read is refused, not ignored: `?form=csv`
    // once answered the whole report as JSON.
    let typo = me.get("/v1/reports/weekly?form=csv").await;
    assert_eq!((typo.status, typo.code()), (400, "unknown-parameter".to_owned()), "{}", typo.text);
    assert!(typo.json()["error"]["message"].as_str().unwrap().contains(r#"did you mean "format"?"#), "{}", typo.text);
    assert_eq!(typo.json()["error"]["details"]["parameter"], "form");
    let none = me.get("/v1/me?verbose=1").await;
    assert!(none.json()["error"]["message"].as_str().unwrap().contains("this route takes none"), "{}", none.text);
    let listed = me.get("/v1/entries?page=2").await.json();
    assert!(
        listed["error"]["message"].as_str().unwrap().contains("from, to, project, tag, updatedSince, limit, cursor"),
        "{listed}"
    );
    let deleted = me.post("/v1/entries?dryRun=true", &entry("2025-07-29", "11:00", "12:00", "Not stored", "P")).await;
    assert_eq!(deleted.status, 400, "refused before anything is written");
    assert!(me.get("/v1/entries").await.json()["entries"].as_array().unwrap().is_empty());
    let fine = me.get("/v1/reports/weekly?format=csv&suppress=A&suppress=B&groupBy=tag").await;
    assert_eq!(fine.status, 200, "{}", fine.text);
}

#[tokio::test]
async fn idempotency_key_replays_the_first_response() {
    let server = Server::start("idempotency");
    let me = signup(&server.base, "retrier", None, &[]).await;
    let body = entry("2025-07-29", "09:00", "10:00", "Only once", "P");
    let url = format!("{}/v1/entries", server.base);
    let first = call("POST", &url, Some(&me.token), Some(&body), &[("idempotency-key", "key-1")]).await;
    let again = call("POST", &url, Some(&me.token), Some(&body), &[("idempotency-key", "key-1")]).await;
    assert_eq!((first.status, again.status), (201, 201));
    assert_eq!(first.json()["id"], again.json()["id"]);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    let other = call(
        "POST",
        &url,
        Some(&me.token),
        Some(&entry("2025-07-30", "09:00", "10:00", "Other", "P")),
        &[("idempotency-key", "key-1")],
    )
    .await;
    assert_eq!((other.status, other.code()), (422, "idempotency-key-reused".to_owned()));
    assert_eq!(me.get("/v1/entries").await.json()["entries"].as_array().unwrap().len(), 1);
    // Concurrent retries of one request: one entry, identical answers.
    let retries = (0..8).map(|_| {
        call(
            "POST",
            &url,
            Some(&me.token),
            Some(Box::leak(entry("2025-07-31", "09:00", "10:00", "Burst", "P").into_boxed_str())),
            &[("idempotency-key", "key-2")],
        )
    });
    let replies = futures::future::join_all(retries).await;
    let ids: std::collections::HashSet<String> =
        replies.iter().map(|r| r.json()["id"].as_str().unwrap_or_default().to_owned()).collect();
    assert_eq!(ids.len(), 1, "{:?}", replies.iter().map(|r| (r.status, r.text.clone())).collect::<Vec<_>>());
    assert_eq!(me.get("/v1/entries").await.json()["entries"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn tenant_admins_change_the_fiscal_year_start() {
    let server = Server::start("tenant-admin");
    let admin = signup(&server.base, "boss", Some("acme"), &["admins"]).await;
    let member = signup(&server.base, "worker", Some("acme"), &[]).await;
    let r = admin.patch("/v1/me", r#"{"fiscalYearStartMonth": 1}"#).await;
    assert_eq!((r.status, r.json()["fiscalYearStartMonth"].as_u64()), (200, Some(1)));
    assert_eq!(member.get("/v1/me").await.json()["fiscalYearStartMonth"], 1, "a tenant setting");
    assert_eq!(member.get("/v1/reports/fiscal-year/2025-2025").await.status, 200);
    assert_eq!(member.get("/v1/reports/fiscal-year/2025-2026").await.status, 400);
}

fn pkce() -> (String, String) {
    let verifier = "a-verifier-that-is-long-enough-for-pkce-0123456789".to_owned();
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

#[tokio::test]
async fn hosted_login_with_pkce_and_refresh() {
    let server = Server::start("hosted");
    signup(&server.base, "alice", None, &[]).await;
    let (verifier, challenge) = pkce();
    let redirect = "http://127.0.0.1:9/callback";
    let query = format!(
        "response_type=code&client_id=tm-local-client&redirect_uri={redirect}&code_challenge={challenge}&code_challenge_method=S256&state=xyz"
    );
    let page = call("GET", &format!("{}/oauth2/authorize?{query}", server.base), None, None, &[]).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("<form") && page.text.contains("password"));
    let no_pkce = call(
        "GET",
        &format!(
            "{}/oauth2/authorize?response_type=code&client_id=tm-local-client&redirect_uri={redirect}",
            server.base
        ),
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(no_pkce.status, 400);

    let form = |extra: &str| format!("{query}&username=alice&password={extra}");
    let wrong = form_post(&server.base, "/oauth2/authorize", &form("wrong-password")).await;
    assert_eq!(wrong.status, 401);
    let ok = form_post(&server.base, "/oauth2/authorize", &form("correct%20horse%20battery")).await;
    assert_eq!(ok.status, 303, "{}", ok.text);
    let location = ok.headers["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(redirect) && location.ends_with("&state=xyz"), "{location}");
    let code = location.split("code=").nth(1).unwrap().split('&').next().unwrap().to_owned();

    let bad = form_post(&server.base, "/oauth2/token", &format!("grant_type=authorization_code&client_id=tm-local-client&code={code}&redirect_uri={redirect}&code_verifier=wrong-verifier-wrong-verifier-wrong-verifier")).await;
    assert_eq!(bad.status, 400);
    // The code was used up by the failed attempt: log in again.
    let ok = form_post(&server.base, "/oauth2/authorize", &form("correct%20horse%20battery")).await;
    let location = ok.headers["location"].to_str().unwrap().to_owned();
    let code = location.split("code=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    let tokens = form_post(&server.base, "/oauth2/token", &format!("grant_type=authorization_code&client_id=tm-local-client&code={code}&redirect_uri={redirect}&code_verifier={verifier}")).await;
    assert_eq!(tokens.status, 200, "{}", tokens.text);
    let tokens = tokens.json();
    let id_token = tokens["id_token"].as_str().unwrap();
    let by_id = Api { base: &server.base, token: id_token.to_owned() }.get("/v1/me").await;
    assert_eq!(by_id.status, 200);
    // The access token carries the tenant and the API's scope: the same caller.
    let access = tokens["access_token"].as_str().unwrap();
    let by_access = Api { base: &server.base, token: access.to_owned() }.get("/v1/me").await;
    assert_eq!(by_access.status, 200, "{}", by_access.text);
    for field in ["user", "tenant", "isTenantAdmin"] {
        assert_eq!(by_access.json()[field], by_id.json()[field], "{field}");
    }

    let refreshed = form_post(
        &server.base,
        "/oauth2/token",
        &format!(
            "grant_type=refresh_token&client_id=tm-local-client&refresh_token={}",
            tokens["refresh_token"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    assert_eq!(
        Api { base: &server.base, token: refreshed.json()["id_token"].as_str().unwrap().to_owned() }
            .get("/v1/me")
            .await
            .status,
        200
    );
    let jwks = call("GET", &format!("{}/.well-known/jwks.json", server.base), None, None, &[]).await.json();
    assert_eq!(jwks["keys"][0]["alg"], "RS256");
}

/// POSTs an HTML form (application/x-www-form-urlencoded).
async fn form_post(base: &str, path: &str, body: &str) -> support::Reply {
    use bytes::Bytes;
    use http_body_util::{BodyExt, Full};
    let client =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http::<Full<Bytes>>();
    let request = hyper::Request::builder()
        .method("POST")
        .uri(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(body.to_owned())))
        .unwrap();
    let response = client.request(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes().to_vec();
    support::Reply { status, headers, text: String::from_utf8_lossy(&bytes).into_owned(), bytes }
}

#[tokio::test]
async fn acknowledged_writes_survive_kill_9_and_sigterm_stops_cleanly() {
    let data = support::data_dir("durable");
    let server = Server::start_in(data.clone(), &[]);
    let me = signup(&server.base, "durable", None, &[]).await;
    let id = me.post("/v1/entries", &entry("2025-07-29", "09:00", "10:00", "Kept", "P")).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let status = server.signal("-KILL");
    assert!(!status.success());

    let server = Server::start_in(data, &[]);
    let login = call(
        "POST",
        &format!("{}/local/login", server.base),
        None,
        Some(r#"{"username": "durable", "password": "correct horse battery"}"#),
        &[],
    )
    .await;
    assert_eq!(login.status, 200, "the user survived too: {}", login.text);
    let me = Api { base: &server.base, token: login.json()["id_token"].as_str().unwrap().to_owned() };
    assert_eq!(me.get(&format!("/v1/entries/{id}")).await.json()["task"], "Kept");
    let status = server.signal("-TERM");
    assert!(status.success(), "SIGTERM is a clean stop: {status:?}");
}

#[tokio::test]
async fn deleting_or_ending_the_running_entry_clears_the_timer() {
    let server = Server::start("timer-edits");
    let me = signup(&server.base, "timekeeper", None, &[]).await;
    let start = r#"{"task": "Running work", "date": "2025-07-29", "startTime": "09:00"}"#;
    let id = me.post("/v1/timer/start", start).await.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(me.delete(&format!("/v1/entries/{id}")).await.status, 204);
    assert_eq!(me.get("/v1/timer").await.json()["running"], Value::Null);
    assert_eq!(me.post("/v1/timer/start", start).await.status, 201, "a new timer may start");

    let id = me.get("/v1/timer").await.json()["running"]["id"].as_str().unwrap().to_owned();
    let ended = me.patch(&format!("/v1/entries/{id}"), r#"{"endTime": "10:15"}"#).await;
    assert_eq!((ended.status, ended.json()["minutes"].as_u64()), (200, Some(75)));
    assert_eq!(me.get("/v1/timer").await.json()["running"], Value::Null);
    assert_eq!(me.post("/v1/timer/finish", "").await.code(), "no-running-timer");
    let blank = me.patch(&format!("/v1/entries/{id}"), r#"{"endTime": null}"#).await;
    assert_eq!(blank.status, 400, "an entry cannot be made running again by PATCH: {}", blank.text);
}

#[tokio::test]
async fn the_readme_flow_works_as_written() {
    let server = Server::start("readme");
    // Exactly the README's requests: username "me", and curl's -d default content type.
    let body = r#"{"username": "me", "password": "change-me-please"}"#;
    let signup = curl_post(&server.base, "/local/signup", body, None).await;
    assert_eq!(signup.status, 201, "{}", signup.text);
    let login = curl_post(&server.base, "/local/login", body, None).await;
    let token = login.json()["id_token"].as_str().unwrap().to_owned();
    let entry = r#"{"date": "2025-07-29", "startTime": "09:00", "endTime": "10:30", "task": "Wrote the parser", "project": "Temporal Mark", "tags": ["dev"]}"#;
    let created = curl_post(&server.base, "/v1/entries", entry, Some(&token)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let me = Api { base: &server.base, token };
    let daily = me.get("/v1/daily/2025-07-29?format=text").await;
    assert!(daily.text.starts_with("2025-07-29: 1.5 h logged"), "{}", daily.text);
    assert_eq!(me.get("/v1/reports/fiscal-year/2025-2026").await.status, 200);
}

/// A POST as `curl -d` sends it: Content-Type application/x-www-form-urlencoded.
async fn curl_post(base: &str, path: &str, body: &str, token: Option<&str>) -> support::Reply {
    use bytes::Bytes;
    use http_body_util::{BodyExt, Full};
    let client =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut builder = hyper::Request::builder()
        .method("POST")
        .uri(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(t) = token {
        builder = builder.header("authorization", format!("Bearer {t}"));
    }
    let response = client.request(builder.body(Full::new(Bytes::from(body.to_owned()))).unwrap()).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes().to_vec();
    support::Reply { status, headers, text: String::from_utf8_lossy(&bytes).into_owned(), bytes }
}

/// tm-local keeps reads decoded between requests; each one must still see every write
/// acknowledged before it: settings, projects, entries, shares and the audit.
#[tokio::test]
async fn every_read_sees_the_writes_acknowledged_before_it() {
    let server = Server::start("read-after-write");
    let ann = signup(&server.base, "ann-raw", Some("raw"), &["admins"]).await;
    let bob = signup(&server.base, "bob-raw", Some("raw"), &[]).await;
    let bob_id = bob.get("/v1/me").await.json()["user"].as_str().unwrap().to_owned();
    for round in 0..3 {
        let zone = ["Europe/Berlin", "Asia/Tokyo", "America/Chicago"][round];
        assert_eq!(ann.get("/v1/me").await.status, 200);
        assert_eq!(ann.patch("/v1/me", &json!({"timeZone": zone}).to_string()).await.status, 200);
        assert_eq!(ann.get("/v1/me").await.json()["timeZone"], zone);

        let name = format!("Project {round}");
        let before = ann.get("/v1/projects").await.json();
        assert_eq!(ann.post("/v1/projects", &json!({"name": name}).to_string()).await.status, 201);
        let after = ann.get("/v1/projects").await.json();
        assert_eq!(after["projects"].as_array().unwrap().len(), before["projects"].as_array().unwrap().len() + 1);

        let day = format!("2025-08-{:02}", round + 4);
        let listed = |v: &Value| v["entries"].as_array().unwrap().len();
        let before = listed(&ann.get(&format!("/v1/entries?from={day}&to={day}")).await.json());
        assert_eq!(ann.post("/v1/entries", &entry(&day, "09:00", "10:00", "Work", &name)).await.status, 201);
        assert_eq!(listed(&ann.get(&format!("/v1/entries?from={day}&to={day}")).await.json()), before + 1);
        let daily = ann.get(&format!("/v1/daily/{day}")).await.json();
        assert_eq!(daily["entries"].as_array().unwrap().len(), 1, "{daily}");

        let audit = |v: &Value| v["records"].as_array().unwrap().len();
        let before = audit(&ann.get("/v1/audit").await.json());
        assert_eq!(ann.post("/v1/entries", &entry(&day, "11:00", "12:00", "More", &name)).await.status, 201);
        assert_eq!(audit(&ann.get("/v1/audit").await.json()), before + 1, "the audit shows the write");

        let path = format!("/v1/projects/{}/members/{bob_id}", name.replace(' ', "%20"));
        let members = format!("/v1/projects/{}/members", name.replace(' ', "%20"));
        assert_eq!(ann.get(&members).await.status, 200);
        let put = call(
            "PUT",
            &format!("{}{path}", server.base),
            Some(&ann.token),
            Some(r#"{"role": "viewer"}"#),
            &[("content-type", "application/json")],
        )
        .await;
        assert!(put.status == 200 || put.status == 201, "{}", put.text);
        let shared = ann.get(&members).await.json();
        assert!(shared.to_string().contains(&bob_id), "{shared}");
        let seen = bob.get("/v1/projects").await.json();
        assert!(seen.to_string().contains(&name), "bob sees the share at once: {seen}");
    }
}

/// A data folder written before the compact entry records (issue 14) is upgraded in
/// place when today's tm-local opens it, once, and every entry answers as before.
#[tokio::test]
async fn a_data_folder_written_before_issue_14_is_upgraded_in_place_and_keeps_everything() {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data-before-issue-14");
    let data = support::data_dir("before-issue-14");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(fixture.join("temporal-mark.redb"), data.join("temporal-mark.redb")).unwrap();
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture.join("entries.json")).unwrap()).unwrap();
    // Stored timestamps are kept to the microsecond: the nanoseconds the old build
    // answered are cut, nothing else changes.
    let to_micros = |mut entry: Value| {
        for field in ["createdAt", "updatedAt"] {
            let at: chrono::DateTime<chrono::Utc> = entry[field].as_str().unwrap().parse().unwrap();
            entry[field] = json!(chrono::SubsecRound::trunc_subsecs(at, 6));
        }
        entry
    };
    for start in 0..2 {
        let server = Server::start_in(data.clone(), &[]);
        let upgraded = server.printed.lock().unwrap().iter().any(|l| l.contains("upgraded the data folder"));
        assert_eq!(upgraded, start == 0, "upgraded once, on the first start: {:?}", server.printed.lock().unwrap());
        for user in ["ada", "grace"] {
            let login = call(
                "POST",
                &format!("{}/local/login", server.base),
                None,
                Some(&format!(r#"{{"username": "{user}", "password": "change-me-please"}}"#)),
                &[],
            )
            .await;
            assert_eq!(login.status, 200, "{user} can still sign in: {}", login.text);
            let me = Api { base: &server.base, token: login.json()["id_token"].as_str().unwrap().to_owned() };
            let mut answered = me.get("/v1/entries?from=2026-01-01").await.json()["entries"].clone();
            // Less what this test wrote on an earlier start.
            answered.as_array_mut().unwrap().retain(|e| !e["task"].as_str().unwrap().starts_with("New "));
            let want: Vec<Value> = expected[user].as_array().unwrap().iter().cloned().map(to_micros).collect();
            assert_eq!(answered, Value::Array(want), "{user}'s entries");
        }
        let grace = call(
            "POST",
            &format!("{}/local/login", server.base),
            None,
            Some(r#"{"username": "grace", "password": "change-me-please"}"#),
            &[],
        )
        .await;
        let grace = Api { base: &server.base, token: grace.json()["id_token"].as_str().unwrap().to_owned() };
        assert_eq!(grace.get("/v1/timer").await.json()["running"]["task"], "Running timer", "the timer still runs");
        // And the upgraded folder takes new writes.
        let written = grace
            .post("/v1/entries", &entry(&format!("2026-11-2{start}"), "10:00", "11:00", &format!("New {start}"), "P"))
            .await;
        assert_eq!(written.status, 201, "{}", written.text);
        server.signal("-TERM");
    }
}

/// Issue 17: the web app at `/`, served as CloudFront serves it: files as they are (its
/// hashed assets cached for good), `index.html` for the app's own pages and its sign-in
/// callback, `/config.json`, security headers; the API's paths stay the API's.
#[tokio::test]
async fn the_web_app_is_served_at_the_root_with_its_pages_config_and_headers() {
    let dist = support::data_dir("web-dist");
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    let index = "<!doctype html><html><head><script type=\"module\" src=\"/assets/index-4f2a.js\"></script></head><body><div id=\"root\"></div></body></html>";
    std::fs::write(dist.join("index.html"), index).unwrap();
    std::fs::write(dist.join("assets/index-4f2a.js"), "console.log('app')").unwrap();
    let server = Server::start_in(support::data_dir("web-served"), &["--web-dir", dist.to_str().unwrap()]);
    let base = &server.base;
    for page in ["/", "/today", "/reports/fiscal-year", "/callback?code=abc&state=xyz"] {
        let reply = call("GET", &format!("{base}{page}"), None, None, &[]).await;
        assert_eq!((reply.status, reply.text.as_str()), (200, index), "{page}");
        let csp = reply.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(reply.headers["cache-control"], "no-cache", "{page}: a new build is seen at once");
        assert_eq!(reply.headers["referrer-policy"], "no-referrer");
        assert_eq!(reply.headers["x-content-type-options"], "nosniff");
    }
    let script = call("GET", &format!("{base}/assets/index-4f2a.js"), None, None, &[]).await;
    assert_eq!((script.status, script.text.as_str()), (200, "console.log('app')"));
    assert!(script.headers["content-type"].to_str().unwrap().contains("javascript"));
    assert_eq!(script.headers["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(call("GET", &format!("{base}/assets/gone-1234.js"), None, None, &[]).await.status, 404);
    assert_eq!(call("GET", &format!("{base}/../Cargo.toml"), None, None, &[]).await.status, 404);
    let config = call("GET", &format!("{base}/config.json"), None, None, &[]).await.json();
    assert_eq!(config, json!({"apiUrl": "", "authUrl": "", "clientId": "tm-local-client", "liveUrl": ""}));
    // The API's own paths answer as the API does, never with the app.
    let no_route = call("GET", &format!("{base}/v1/nothing-here"), None, None, &[]).await;
    assert_eq!((no_route.status, no_route.code()), (404, "not-found".to_owned()));
    assert_eq!(call("GET", &format!("{base}/v1/me"), None, None, &[]).await.status, 401);
    assert_eq!(call("POST", &format!("{base}/today"), None, Some("{}"), &[]).await.code(), "not-found");
    assert_eq!(call("GET", &format!("{base}/health"), None, None, &[]).await.status, 200);

    // Without a build, a page says how to make one, and /callback shows the code as before.
    let bare = Server::start_in(support::data_dir("web-missing"), &["--web-dir", "/nonexistent/web/dist"]);
    let missing = call("GET", &format!("{}/", bare.base), None, None, &[]).await;
    assert_eq!(missing.status, 503);
    assert!(missing.text.contains("npm --prefix web ci &amp;&amp; npm --prefix web run build"), "{}", missing.text);
    let callback = call("GET", &format!("{}/callback?code=abc", bare.base), None, None, &[]).await;
    assert!(callback.status == 200 && callback.text.contains("abc"), "{}", callback.text);
}

/// As at Cognito's hosted UI, a browser that signed in stays signed in there for an
/// hour: an app that lost its tokens (a reload) gets a code without the password, until
/// `/logout` ends it; `prompt=login` asks again.
#[tokio::test]
async fn the_hosted_login_remembers_a_signed_in_browser_until_logout() {
    let server = Server::start("hosted-session");
    signup(&server.base, "alice", None, &[]).await;
    let (verifier, challenge) = pkce();
    let redirect = format!("{}/callback", server.base);
    let query = format!(
        "response_type=code&client_id=tm-local-client&redirect_uri={redirect}&code_challenge={challenge}&code_challenge_method=S256&state=s1"
    );
    let signed_in = form_post(
        &server.base,
        "/oauth2/authorize",
        &format!("{query}&username=alice&password=correct%20horse%20battery"),
    )
    .await;
    assert_eq!(signed_in.status, 303);
    let set_cookie = signed_in.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let authorize = |extra: &'static str, cookie: Option<String>| {
        let url = format!("{}/oauth2/authorize?{query}{extra}", server.base);
        async move {
            let headers: Vec<(&str, &str)> = cookie.as_deref().map(|c| vec![("cookie", c)]).unwrap_or_default();
            call("GET", &url, None, None, &headers).await
        }
    };
    // Again, with the cookie: straight back with a code that works.
    let again = authorize("", Some(cookie.clone())).await;
    assert_eq!(again.status, 303, "{}", again.text);
    let location = again.headers["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&format!("{redirect}?code=")) && location.ends_with("&state=s1"), "{location}");
    let code = location.split("code=").nth(1).unwrap().split('&').next().unwrap();
    let tokens = form_post(&server.base, "/oauth2/token", &format!("grant_type=authorization_code&client_id=tm-local-client&code={code}&redirect_uri={redirect}&code_verifier={verifier}")).await;
    assert_eq!(tokens.status, 200, "{}", tokens.text);
    // Without it, or with prompt=login, the password is asked for.
    assert_eq!(authorize("", None).await.status, 200);
    assert!(authorize("&prompt=login", Some(cookie.clone())).await.text.contains("password"));
    // Logout: only back to the app's own origin; then the cookie is worth nothing.
    let elsewhere = call(
        "GET",
        &format!("{}/logout?client_id=tm-local-client&logout_uri=https://evil.example/", server.base),
        None,
        None,
        &[("cookie", &cookie)],
    )
    .await;
    assert_eq!(elsewhere.status, 400);
    let out = call(
        "GET",
        &format!("{}/logout?client_id=tm-local-client&logout_uri={}/signed-out", server.base, server.base),
        None,
        None,
        &[("cookie", &cookie)],
    )
    .await;
    assert_eq!(out.status, 303);
    assert_eq!(out.headers["location"].to_str().unwrap(), format!("{}/signed-out", server.base));
    assert!(out.headers["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    let after = authorize("", Some(cookie)).await;
    assert_eq!(after.status, 200, "signed out: the login page again");
}
