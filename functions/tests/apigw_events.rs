//! The Lambda functions' handlers with API Gateway HTTP API (payload 2.0) events, as
//! API Gateway sends them after its JWT authorizer, against DynamoDB on moto.

mod support;

use lambda_http::Body;
use serde_json::{Value, json};
use std::sync::Arc;
use tm_service::context::AppContext;
use tm_service::http::routes::route_by_function;

struct Event<'a> {
    function: &'a str,
    method: &'a str,
    path: &'a str,
    path_parameters: Value,
    query: Value,
    body: Option<String>,
    claims: Option<Value>,
}

fn event(e: &Event<'_>) -> lambda_http::Request {
    let mut context = json!({
        "accountId": "123456789012", "apiId": "api", "domainName": "api.example.com", "domainPrefix": "api",
        "http": {"method": e.method, "path": e.path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "test"},
        "requestId": "req-1", "routeKey": format!("{} {}", e.method, e.path), "stage": "$default",
        "time": "28/Nov/2026:10:00:00 +0000", "timeEpoch": 1_795_000_000_000u64,
    });
    if let Some(claims) = &e.claims {
        context["authorizer"] = json!({"jwt": {"claims": claims, "scopes": null}});
    }
    let raw_query: Vec<String> = e
        .query
        .as_object()
        .map(|q| q.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default())).collect())
        .unwrap_or_default();
    // JSON bodies, and Markdown files for the upload routes.
    let content_type = match &e.body {
        Some(b) if !b.trim_start().starts_with('{') => "text/markdown",
        _ => "application/json",
    };
    let mut raw = json!({
        "version": "2.0", "routeKey": format!("{} {}", e.method, e.path), "rawPath": e.path, "rawQueryString": raw_query.join("&"),
        "headers": {"content-type": content_type}, "requestContext": context, "isBase64Encoded": false,
        "pathParameters": e.path_parameters, "queryStringParameters": e.query,
    });
    if let Some(body) = &e.body {
        raw["body"] = json!(body);
    }
    lambda_http::request::from_str(&raw.to_string()).expect("a valid API Gateway v2 event")
}

async fn call(ctx: &AppContext, e: Event<'_>) -> (u16, Value) {
    let route = route_by_function(e.function).expect("a function of the route table");
    let response = functions::handle_event(&functions::Service::unscoped(ctx.clone()), route, event(&e)).await;
    let status = response.status().as_u16();
    let text = match response.body() {
        Body::Text(t) => t.clone(),
        Body::Binary(b) => String::from_utf8_lossy(b).into_owned(),
        Body::Empty => String::new(),
        _ => String::new(),
    };
    (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) })
}

/// Claims as API Gateway passes them: every value a string, arrays flattened.
fn claims(sub: &str, tenant: &str, groups: &str) -> Option<Value> {
    Some(json!({"sub": sub, "custom:tenant_id": tenant, "cognito:groups": groups, "token_use": "id", "aud": "client"}))
}

async fn context() -> Option<AppContext> {
    let (_, store, objects) = support::emulator_stores("tm-functions").await?;
    Some(AppContext::new(Arc::new(store), Arc::new(objects)))
}

fn none() -> Value {
    Value::Null
}

#[tokio::test]
async fn handlers_work_through_api_gateway_events_on_dynamodb() {
    let Some(ctx) = context().await else { return };
    let alice = claims("alice-sub", "acme", "[admins team]");
    let post = |body: &str, who: Option<Value>| Event {
        function: "entries-create",
        method: "POST",
        path: "/v1/entries",
        path_parameters: none(),
        query: none(),
        body: Some(body.to_owned()),
        claims: who,
    };
    let (status, created) = call(&ctx, post(r#"{"date": "2025-07-29", "startTime": "09:00", "endTime": "10:30", "task": "Wrote the parser", "project": "Temporal Mark"}"#, alice.clone())).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();

    let (status, conflict) = call(
        &ctx,
        post(
            r#"{"date": "2025-07-29", "startTime": "10:00", "endTime": "11:00", "task": "Overlapping"}"#,
            alice.clone(),
        ),
    )
    .await;
    assert_eq!((status, conflict["error"]["details"]["conflicting"][0]["id"].as_str()), (409, Some(id.as_str())));

    let (status, _) = call(&ctx, post(r#"{"task": 1}"#, alice.clone())).await;
    assert_eq!(status, 400);
    let (status, body) = call(&ctx, post("{}", None)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("unauthorized")));

    let get = |function: &'static str, path: &'static str, params: Value, query: Value, who: Option<Value>| Event {
        function,
        method: "GET",
        path,
        path_parameters: params,
        query,
        body: None,
        claims: who,
    };
    let (status, daily) =
        call(&ctx, get("daily-get", "/v1/daily/2025-07-29", json!({"date": "2025-07-29"}), none(), alice.clone()))
            .await;
    assert_eq!((status, daily["totalMinutes"].as_u64()), (200, Some(90)));
    let (status, fy) = call(
        &ctx,
        get(
            "reports-fiscal-year",
            "/v1/reports/fiscal-year/2025-2026",
            json!({"fy": "2025-2026"}),
            json!({"groupBy": "project"}),
            alice.clone(),
        ),
    )
    .await;
    assert_eq!((status, fy["groups"][0]["key"].as_str()), (200, Some("Temporal Mark")));
    let (status, one) = call(&ctx, get("entries-get", "/v1/entries/x", json!({"id": id}), none(), alice.clone())).await;
    assert_eq!((status, one["task"].as_str()), (200, Some("Wrote the parser")));

    // Another user of the tenant and a user of another tenant: not found, nothing leaks.
    for other in [claims("bob-sub", "acme", "[]"), claims("carol-sub", "globex", "")] {
        let (status, _) =
            call(&ctx, get("entries-get", "/v1/entries/x", json!({"id": id}), none(), other.clone())).await;
        assert_eq!(status, 404);
        let (_, daily) =
            call(&ctx, get("daily-get", "/v1/daily/2025-07-29", json!({"date": "2025-07-29"}), none(), other.clone()))
                .await;
        assert_eq!(daily["entries"], json!([]));
    }

    // The flattened groups claim makes Alice a tenant admin.
    let (status, me) = call(
        &ctx,
        Event {
            function: "me-patch",
            method: "PATCH",
            path: "/v1/me",
            path_parameters: none(),
            query: none(),
            body: Some(r#"{"fiscalYearStartMonth": 1}"#.into()),
            claims: alice.clone(),
        },
    )
    .await;
    assert_eq!(
        (status, me["fiscalYearStartMonth"].as_u64(), me["isTenantAdmin"].as_bool()),
        (200, Some(1), Some(true))
    );
    let (status, _) = call(&ctx, get("health", "/health", none(), none(), None)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn concurrent_timer_starts_on_dynamodb_give_exactly_one() {
    let Some(ctx) = context().await else { return };
    let starts = (0..20).map(|i| {
        let ctx = ctx.clone();
        async move {
            call(
                &ctx,
                Event {
                    function: "timer-start",
                    method: "POST",
                    path: "/v1/timer/start",
                    path_parameters: Value::Null,
                    query: Value::Null,
                    body: Some(format!(r#"{{"task": "Timer {i}", "date": "2025-07-29", "startTime": "09:00"}}"#)),
                    claims: claims("racer", "acme", ""),
                },
            )
            .await
            .0
        }
    });
    let statuses: Vec<u16> = futures_join(starts).await;
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 19, "{statuses:?}");
}

async fn futures_join<F: std::future::Future<Output = u16> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<u16> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

/// The one binary knows every function the template deploys: each route's, each job's.
#[test]
fn every_route_and_job_has_an_entry_point() {
    for route in tm_service::http::routes::ROUTES {
        let entry = functions::entry_point(route.function);
        assert!(
            matches!(entry, Some(functions::EntryPoint::Route(r)) if r.function == route.function),
            "{}",
            route.function
        );
    }
    for (job, _) in tm_service::http::routes::JOBS {
        assert!(
            matches!(functions::entry_point(job), Some(e) if !matches!(e, functions::EntryPoint::Route(_))),
            "{job}"
        );
    }
    assert!(functions::entry_point("entries-creat").is_none());
}

/// A mistyped `TM_FUNCTION` stops the function at once and says what it may be.
#[tokio::test]
async fn an_unknown_function_name_stops_with_the_names_it_could_be() {
    let error = functions::run("entries-craete").await.unwrap_err().to_string();
    assert!(error.contains("\"entries-craete\" is neither"), "{error}");
    assert!(error.contains("entries-create") && error.contains("report-worker"), "{error}");
}

/// Every route of the table once, through its Lambda handler, on DynamoDB, with the
/// claims of an ID token.
#[tokio::test]
async fn every_route_works_on_dynamodb() {
    every_route_with(claims("every-route", "acme", "[]")).await;
}

/// The same with the claims of an access token: the tenant the pre-token-generation
/// trigger adds, and the API's scope among others.
#[tokio::test]
async fn every_route_works_on_dynamodb_with_an_access_token() {
    let access = json!({"sub": "every-route", "custom:tenant_id": "acme", "cognito:groups": "[]",
                        "token_use": "access", "client_id": "client", "scope": "openid email tm/api"});
    every_route_with(Some(access)).await;
}

async fn every_route_with(who: Option<Value>) {
    let Some(ctx) = context().await else { return };
    let ev = |function: &'static str,
              method: &'static str,
              path: &'static str,
              params: Value,
              query: Value,
              body: Option<&str>| Event {
        function,
        method,
        path,
        path_parameters: params,
        query,
        body: body.map(str::to_owned),
        claims: who.clone(),
    };
    let mut seen = std::collections::BTreeSet::new();
    let mut run = async |e: Event<'_>, want: u16| {
        seen.insert(e.function.to_owned());
        let (status, body) = call(&ctx, e).await;
        assert_eq!(status, want, "{body}");
        body
    };
    run(ev("health", "GET", "/health", none(), none(), None), 200).await;
    let openapi = run(ev("openapi-get", "GET", "/openapi.json", none(), none(), None), 200).await;
    assert_eq!(openapi["openapi"], "3.1.0", "the document, from the function");
    run(ev("me-get", "GET", "/v1/me", none(), none(), None), 200).await;
    run(ev("me-patch", "PATCH", "/v1/me", none(), none(), Some(r#"{"timeZone": "Europe/Berlin"}"#)), 200).await;
    let created = run(
        ev("entries-create", "POST", "/v1/entries", none(), none(), Some(r#"{"date": "2025-07-29", "startTime": "09:00", "endTime": "10:00", "task": "First entry", "project": "Website", "tags": ["ui"]}"#)),
        201,
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let list = run(ev("entries-list", "GET", "/v1/entries", none(), json!({"project": "website"}), None), 200).await;
    assert_eq!(list["entries"].as_array().unwrap().len(), 1);
    run(ev("entries-get", "GET", "/v1/entries/x", json!({"id": id}), none(), None), 200).await;
    let patched = run(
        ev("entries-patch", "PATCH", "/v1/entries/x", json!({"id": id}), none(), Some(r#"{"endTime": "10:30"}"#)),
        200,
    )
    .await;
    assert_eq!(patched["minutes"], 90);
    // The changes feed, from DynamoDB: the entry created, then updated, with its state.
    let feed = run(ev("changes-list", "GET", "/v1/changes", none(), json!({"limit": "1000"}), None), 200).await;
    let mine: Vec<&Value> = feed["changes"].as_array().unwrap().iter().filter(|c| c["entryId"] == json!(id)).collect();
    assert_eq!(
        mine.iter().map(|c| c["type"].as_str().unwrap()).collect::<Vec<_>>(),
        ["entry.created", "entry.updated"]
    );
    assert_eq!(mine[1]["entry"]["minutes"], 90);
    run(
        ev(
            "timer-start",
            "POST",
            "/v1/timer/start",
            none(),
            none(),
            Some(r#"{"task": "Timed work", "date": "2025-07-30", "startTime": "09:00"}"#),
        ),
        201,
    )
    .await;
    let timer = run(ev("timer-get", "GET", "/v1/timer", none(), none(), None), 200).await;
    assert_eq!(timer["running"]["task"], "Timed work");
    run(ev("timer-finish", "POST", "/v1/timer/finish", none(), none(), Some(r#"{"endTime": "11:00"}"#)), 200).await;
    let daily =
        run(ev("daily-get", "GET", "/v1/daily/2025-07-30", json!({"date": "2025-07-30"}), none(), None), 200).await;
    assert_eq!(daily["totalMinutes"], 120);
    run(
        ev(
            "projects-create",
            "POST",
            "/v1/projects",
            none(),
            none(),
            Some(r#"{"name": "Research", "departmentalGoals": ["Technology"]}"#),
        ),
        201,
    )
    .await;
    let projects = run(ev("projects-list", "GET", "/v1/projects", none(), none(), None), 200).await;
    let names: Vec<&str> =
        projects["projects"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Research", "Website"], "Website was created by its first entry; Non-Project always exists");
    run(
        ev(
            "projects-patch",
            "PATCH",
            "/v1/projects/x",
            json!({"name": "Website"}),
            none(),
            Some(r#"{"summary": "The site"}"#),
        ),
        200,
    )
    .await;
    let summary = run(ev("projects-get", "GET", "/v1/projects/x", json!({"name": "website"}), none(), None), 200).await;
    assert_eq!(
        (summary["totalMinutes"].as_u64(), summary["project"]["summary"].as_str()),
        (Some(90), Some("The site"))
    );
    let tag = run(ev("tags-get", "GET", "/v1/tags/x", json!({"tag": "ui"}), none(), None), 200).await;
    assert_eq!(tag["entryCount"], 1);
    let fy = run(
        ev("reports-fiscal-year", "GET", "/v1/reports/fiscal-year/x", json!({"fy": "2025-2026"}), none(), None),
        200,
    )
    .await;
    assert_eq!(fy["summary"]["totalMinutes"], 210);
    let range = run(
        ev(
            "reports-range",
            "GET",
            "/v1/reports/range/x/y",
            json!({"start": "2025-07-29", "end": "2025-07-29"}),
            none(),
            None,
        ),
        200,
    )
    .await;
    assert_eq!(range["summary"]["totalMinutes"], 90);
    run(
        ev(
            "reports-weekly",
            "GET",
            "/v1/reports/weekly/x",
            json!({"date": "2025-07-29"}),
            json!({"format": "csv"}),
            None,
        ),
        200,
    )
    .await;
    run(ev("reports-weekly-current", "GET", "/v1/reports/weekly", none(), none(), None), 200).await;
    run(
        ev(
            "reports-monthly",
            "GET",
            "/v1/reports/monthly/x",
            json!({"month": "2025-07"}),
            json!({"format": "markdown"}),
            None,
        ),
        200,
    )
    .await;
    run(ev("reports-monthly-current", "GET", "/v1/reports/monthly", none(), none(), None), 200).await;
    let since = run(ev("reports-since", "GET", "/v1/reports/since", none(), json!({"text": "first"}), None), 200).await;
    assert_eq!(since["summary"]["totalMinutes"], 120);
    run(ev("entries-delete", "DELETE", "/v1/entries/x", json!({"id": id}), none(), None), 204).await;
    run(ev("entries-get", "GET", "/v1/entries/x", json!({"id": id}), none(), None), 404).await;

    // Logs: every API write above re-rendered the year's canonical log.
    let logs = run(ev("logs-list", "GET", "/v1/logs", none(), none(), None), 200).await;
    assert_eq!(
        (logs["logs"][0]["fiscalYear"].as_str(), logs["logs"][0]["entryCount"].as_i64()),
        (Some("2025-2026"), Some(1))
    );
    let log = run(ev("logs-get", "GET", "/v1/logs/x", json!({"fy": "2025-2026"}), none(), None), 200).await;
    assert!(log.as_str().unwrap().contains("- **09:00-11:00**: Timed work [[Non-Project]]"), "{log}");
    let versions =
        run(ev("logs-versions", "GET", "/v1/logs/x/versions", json!({"fy": "2025-2026"}), none(), None), 200).await;
    let current = versions["currentVersion"].as_u64().unwrap();
    assert_eq!(versions["versions"][0]["version"].as_u64(), Some(current));
    let text = "# Time Log 2025-2026\n\n## July 2025\n\n### 2025-07-31\n\n- **09:00-10:00**: Uploaded [[Website]]\n";
    let report = run(
        ev(
            "logs-put",
            "PUT",
            "/v1/logs/x",
            json!({"fy": "2025-2026"}),
            json!({"baseVersion": current.to_string(), "allowDeletes": "true"}),
            Some(text),
        ),
        200,
    )
    .await;
    assert_eq!((report["status"].as_str(), report["summary"]["deleted"].as_u64()), (Some("applied"), Some(1)));
    // The dry-run check of an edit: what an upload would do, nothing stored.
    let edited = text.replace("Uploaded", "Uploaded again");
    let checked = run(
        ev("logs-check", "POST", "/v1/logs/x/check", json!({"fy": "2025-2026"}), none(), Some(edited.as_str())),
        200,
    )
    .await;
    assert_eq!((checked["status"].as_str(), checked["summary"]["updated"].as_u64()), (Some("ok"), Some(1)));
    let unchanged = run(ev("logs-get", "GET", "/v1/logs/x", json!({"fy": "2025-2026"}), none(), None), 200).await;
    assert!(unchanged.as_str().unwrap().contains("Uploaded [[Website]]"), "{unchanged}");
    let upload = run(ev("uploads-get", "GET", "/v1/uploads/x", json!({"id": report["id"]}), none(), None), 200).await;
    assert_eq!(upload["status"], "applied");
    let project_file = "---\nproject: Website\ndepartmentalGoal: Technology\n---\n\n## Summary\n\nThe site.\n";
    let project = run(
        ev("projects-put-file", "PUT", "/v1/projects/x", json!({"name": "Website"}), none(), Some(project_file)),
        200,
    )
    .await;
    assert_eq!(project["summary"]["updated"], 1, "{project}");
    let presigned = run(
        ev(
            "logs-upload-create",
            "POST",
            "/v1/logs/uploads",
            none(),
            none(),
            Some(r#"{"fileName": "time-log-2025-2026.md"}"#),
        ),
        201,
    )
    .await;
    assert!(presigned["url"].as_str().unwrap().contains("uploads/tenants/acme/users/every-route/"), "{presigned}");
    let export = run(ev("export", "GET", "/v1/export", none(), json!({"format": "json"}), None), 200).await;
    assert_eq!(export["entries"][0]["task"], "Uploaded");
    // A rename moves the project's entries and bumps the log.
    run(
        ev(
            "projects-patch",
            "PATCH",
            "/v1/projects/x",
            json!({"name": "website"}),
            none(),
            Some(r#"{"name": "Site"}"#),
        ),
        200,
    )
    .await;
    let log = run(ev("logs-get", "GET", "/v1/logs/x", json!({"fy": "2025-2026"}), none(), None), 200).await;
    assert!(log.as_str().unwrap().contains("- **09:00-10:00**: Uploaded [[Site]]"), "{log}");
    run(ev("projects-get", "GET", "/v1/projects/x", json!({"name": "website"}), none(), None), 404).await;

    // Teams: a colleague (registered by their first request) shares the project.
    let mate = claims("mate", "acme", "[]");
    let as_mate = |function: &'static str, method: &'static str, path: &'static str, body: Option<&str>| Event {
        function,
        method,
        path,
        path_parameters: none(),
        query: none(),
        body: body.map(str::to_owned),
        claims: mate.clone(),
    };
    // A first write enters the colleague in the tenant's directory (reads never write).
    assert_eq!(call(&ctx, as_mate("me-patch", "PATCH", "/v1/me", Some("{}"))).await.0, 200);
    let member = json!({"name": "Site", "user": "mate"});
    let listed = run(
        ev(
            "members-put",
            "PUT",
            "/v1/projects/x/members/y",
            member.clone(),
            none(),
            Some(r#"{"role": "contributor"}"#),
        ),
        201,
    )
    .await;
    assert_eq!(listed["members"].as_array().unwrap().len(), 2, "{listed}");
    let mates_entry = r#"{"date": "2025-07-30", "startTime": "09:00", "endTime": "10:00", "task": "Pairing", "project": "every-route/site"}"#;
    assert_eq!(call(&ctx, as_mate("entries-create", "POST", "/v1/entries", Some(mates_entry))).await.0, 201);
    let members =
        run(ev("members-list", "GET", "/v1/projects/x/members", json!({"name": "site"}), none(), None), 200).await;
    assert_eq!(members["owner"], "every-route");
    let by_user = json!({"groupBy": "user"});
    let team_fy = run(
        ev(
            "team-reports-fiscal-year",
            "GET",
            "/v1/team/reports/fiscal-year/x",
            json!({"fy": "2025-2026"}),
            by_user.clone(),
            None,
        ),
        200,
    )
    .await;
    let users: Vec<&str> = team_fy["groups"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap()).collect();
    assert_eq!(users, vec!["every-route", "mate"], "{team_fy}");
    let week = json!({"date": "2025-07-29"});
    let range = json!({"start": "2025-07-29", "end": "2025-07-30"});
    for (function, path, params, query) in [
        ("team-reports-range", "/v1/team/reports/range/x/y", range, by_user.clone()),
        ("team-reports-weekly", "/v1/team/reports/weekly/x", week, by_user.clone()),
        ("team-reports-weekly-current", "/v1/team/reports/weekly", none(), by_user.clone()),
        ("team-reports-monthly", "/v1/team/reports/monthly/x", json!({"month": "2025-07"}), by_user.clone()),
        ("team-reports-monthly-current", "/v1/team/reports/monthly", none(), by_user.clone()),
        ("team-reports-since", "/v1/team/reports/since", none(), json!({"text": "Pairing", "groupBy": "user"})),
    ] {
        let report = run(ev(function, "GET", path, params, query, None), 200).await;
        assert!(report["summary"].is_object(), "{function}: {report}");
    }
    run(ev("members-delete", "DELETE", "/v1/projects/x/members/y", member, none(), None), 204).await;
    let audit = run(ev("audit-list", "GET", "/v1/audit", none(), none(), None), 200).await;
    let actions: Vec<&str> =
        audit["records"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    for expected in ["entry.create", "member.put", "member.delete", "project.rename", "upload.ingest"] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    // A generated report, as the worker makes it, listed and fetched through the routes.
    let task = tm_service::jobs::scheduled::ReportTask {
        tenant: "acme".into(),
        user: Some("every-route".into()),
        cadence: tm_service::jobs::scheduled::Cadence::Weekly,
        start: "2025-07-28".parse().unwrap(),
    };
    let outcome = tm_service::jobs::scheduled::run_task(&ctx, &task).await.unwrap();
    assert!(matches!(outcome, tm_service::jobs::scheduled::Outcome::Generated(_)), "{outcome:?}");
    let reports = run(ev("reports-scheduled-list", "GET", "/v1/reports/scheduled", none(), none(), None), 200).await;
    assert_eq!(reports["reports"][0]["id"], "weekly-2025-07-28");
    // The monthly run writes July's aggregate; the fiscal-year report reads it and is unchanged.
    let fy_params = json!({"fy": "2025-2026"});
    let before =
        run(ev("reports-fiscal-year", "GET", "/v1/reports/fiscal-year/x", fy_params.clone(), none(), None), 200).await;
    let monthly =
        tm_service::jobs::scheduled::ReportTask { cadence: tm_service::jobs::scheduled::Cadence::Monthly, ..task };
    tm_service::jobs::scheduled::run_task(&ctx, &monthly).await.unwrap();
    let me = tm_service::store::Owner::new("acme", "every-route").unwrap();
    let july =
        tm_service::store::aggregates::month_aggregates(ctx.store.as_ref(), &me, "2025-07", "2025-07").await.unwrap();
    let versions = tm_service::store::EntryStore::month_versions(ctx.store.as_ref(), &me).await.unwrap();
    assert_eq!(july.len(), 1);
    assert_eq!(Some(&july[0].month_version), versions.get("2025-07"), "current, so the report uses it");
    let after = run(ev("reports-fiscal-year", "GET", "/v1/reports/fiscal-year/x", fy_params, none(), None), 200).await;
    assert_eq!(after, before, "the same report from the aggregate");

    let weekly = run(
        ev("reports-scheduled-get", "GET", "/v1/reports/scheduled/x", json!({"id": "weekly-2025-07-28"}), none(), None),
        200,
    )
    .await;
    assert_eq!(weekly["period"]["start"], "2025-07-28");

    // A typo's project: merged into the right one, then the empty one deleted.
    let typo =
        r#"{"date": "2025-07-20", "startTime": "09:00", "endTime": "10:00", "task": "Typo work", "project": "Sitte"}"#;
    run(ev("entries-create", "POST", "/v1/entries", none(), none(), Some(typo)), 201).await;
    let refused =
        run(ev("projects-delete", "DELETE", "/v1/projects/x", json!({"name": "Sitte"}), none(), None), 409).await;
    assert_eq!(refused["error"]["code"], "project-has-entries");
    let merged = run(
        ev(
            "projects-merge",
            "POST",
            "/v1/projects/x/merge",
            json!({"name": "Sitte"}),
            none(),
            Some(r#"{"into": "Site"}"#),
        ),
        200,
    )
    .await;
    assert_eq!((merged["into"].as_str(), merged["entriesMoved"].as_u64()), (Some("Site"), Some(1)));
    run(ev("projects-create", "POST", "/v1/projects", none(), none(), Some(r#"{"name": "Empty One"}"#)), 201).await;
    run(ev("projects-delete", "DELETE", "/v1/projects/x", json!({"name": "Empty One"}), none(), None), 204).await;

    // People: every member reads the directory; only tenant admins manage it (the
    // admin routes with a user pool: tests/cognito_triggers.rs).
    let people = run(ev("users-list", "GET", "/v1/users", none(), none(), None), 200).await;
    assert!(people["people"].as_array().unwrap().iter().any(|p| p["id"] == "every-route"), "{people}");
    let invite = r#"{"email": "new@example.com", "name": "New Person"}"#;
    let refused = run(ev("admin-users-invite", "POST", "/v1/admin/users", none(), none(), Some(invite)), 403).await;
    assert_eq!(refused["error"]["code"], "admin-only");
    let someone = json!({"id": "every-route"});
    run(ev("admin-users-patch", "PATCH", "/v1/admin/users/x", someone.clone(), none(), Some(r#"{"name": "X"}"#)), 403)
        .await;
    run(ev("admin-users-delete", "DELETE", "/v1/admin/users/x", someone, none(), None), 403).await;

    // Webhooks: this deployment sends none yet, and says so instead of taking one.
    let hook = r#"{"url": "https://93.184.216.34/hook"}"#;
    let refused = run(ev("webhooks-create", "POST", "/v1/webhooks", none(), none(), Some(hook)), 503).await;
    assert_eq!(refused["error"]["code"], "webhooks-unavailable");
    let hooks = run(ev("webhooks-list", "GET", "/v1/webhooks", none(), none(), None), 200).await;
    assert_eq!(hooks["webhooks"], json!([]));
    let unknown = json!({"id": "no-such-hook"});
    run(ev("webhooks-deliveries", "GET", "/v1/webhooks/x/deliveries", unknown.clone(), none(), None), 404).await;
    run(ev("webhooks-ping", "POST", "/v1/webhooks/x/ping", unknown.clone(), none(), Some("{}")), 503).await;
    run(ev("webhooks-rotate-secret", "POST", "/v1/webhooks/x/secret", unknown.clone(), none(), Some("{}")), 404).await;
    run(ev("webhooks-delete", "DELETE", "/v1/webhooks/x", unknown, none(), None), 404).await;

    let all: std::collections::BTreeSet<String> =
        tm_service::http::routes::ROUTES.iter().map(|r| r.function.to_owned()).collect();
    assert_eq!(seen, all, "every route was exercised");
}

/// Issue 11: claims are held to the same rules as verified tokens. A group named
/// `team,admins` does not make its holder a tenant admin, ids that could nest into
/// another user's keys are refused, and an access token (no tenant) is refused with a
/// message naming the ID token, instead of putting its holder in a tenant of their own.
#[tokio::test]
async fn claims_that_could_cross_a_boundary_are_refused() {
    let Some(ctx) = context().await else { return };
    let patch = |who: Option<Value>| Event {
        function: "me-patch",
        method: "PATCH",
        path: "/v1/me",
        path_parameters: none(),
        query: none(),
        body: Some(r#"{"fiscalYearStartMonth": 1}"#.to_owned()),
        claims: who,
    };
    let (status, body) = call(&ctx, patch(claims("mallory", "acme", "[team,admins]"))).await;
    assert_eq!(status, 401, "a comma inside one group name grants nothing: {body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("team,admins"), "{body}");
    let (status, _) = call(&ctx, patch(claims("mallory", "acme", "[team admins]"))).await;
    assert_eq!(status, 200, "two groups, one of them admins");
    let (status, _) = call(&ctx, patch(claims("mallory", "acme", "[team]"))).await;
    assert_eq!(status, 403, "not an admin");

    let get = |who: Option<Value>| Event {
        function: "reports-scheduled-list",
        method: "GET",
        path: "/v1/reports/scheduled",
        path_parameters: none(),
        query: none(),
        body: None,
        claims: who,
    };
    for (sub, tenant) in [("mallory", "acme#U#victim"), ("x#PROFILE", "acme"), ("../victim", "acme")] {
        let (status, body) = call(&ctx, get(claims(sub, tenant, "[]"))).await;
        assert_eq!(status, 401, "{sub} / {tenant}: {body}");
    }
    let access =
        Some(json!({"sub": "alice-sub", "client_id": "client", "token_use": "access", "cognito:groups": "[]"}));
    let (status, body) = call(&ctx, get(access)).await;
    assert_eq!(status, 401, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("ID token"), "{body}");
}

/// Issue 11: read routes are read-only. A user never seen before calls every GET route
/// of the table (their first request ever), and the store records no write at all, so
/// in AWS the GET functions' tenant credentials can be read-only.
#[tokio::test]
async fn read_routes_write_nothing() {
    let Some((_, store, objects)) = support::emulator_stores("tm-read-only").await else { return };
    let store = Arc::new(store);
    let ctx = AppContext::new(store.clone(), Arc::new(objects));
    let value = |name: &str| match name {
        "date" | "start" | "end" => "2025-07-29",
        "fy" => "2025-2026",
        "month" => "2025-07",
        "name" => "Atlas",
        "tag" => "dev",
        _ => "x",
    };
    let before = store.write_counts();
    for route in tm_service::http::routes::ROUTES.iter().filter(|r| r.method == "GET") {
        let params: serde_json::Map<String, Value> = route
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| (name.to_owned(), json!(value(name))))
            .collect();
        let path =
            params.iter().fold(route.path.to_owned(), |p, (k, v)| p.replace(&format!("{{{k}}}"), v.as_str().unwrap()));
        let event = Event {
            function: route.function,
            method: "GET",
            path: &path,
            path_parameters: Value::Object(params),
            query: if route.function.ends_with("since") { json!({"text": "x"}) } else { none() },
            body: None,
            claims: claims("first-time-reader", "readers", "[admins]"),
        };
        let (status, body) = call(&ctx, event).await;
        assert!(status < 500, "{} answered {status}: {body}", route.function);
        assert_eq!(store.write_counts(), before, "{} wrote to the table", route.function);
    }
}

/// Issue 11: with the template's tenant role configured, a function serves each tenant
/// through credentials assumed for that tenant (moto's STS issues them; it does not
/// enforce policies, which the template and session-policy tests check): one
/// AssumeRole per tenant, then cached in the warm container.
#[tokio::test]
async fn each_tenant_is_served_with_its_own_assumed_credentials() {
    let Some((name, store, objects)) = support::emulator_stores("tm-scoped").await else { return };
    let config = aws_config::load_from_env().await;
    let grants = functions::tenant_access::Grants::parse(
        "dynamodb:GetItem+dynamodb:Query+dynamodb:PutItem+dynamodb:UpdateItem+dynamodb:DeleteItem+dynamodb:ConditionCheckItem=table s3:PutObject=tenants/*/users/*/logs/*",
    )
    .unwrap();
    let access = functions::tenant_access::TenantAccess::new(
        &config,
        "entries-create",
        "arn:aws:iam::123456789012:role/tenant-access".into(),
        (name.clone(), format!("arn:aws:dynamodb:us-east-1:123456789012:table/{name}")),
        (name.clone(), format!("arn:aws:s3:::{name}")),
        grants,
    );
    let access = Arc::new(access);
    let service =
        functions::Service { ctx: AppContext::new(Arc::new(store), Arc::new(objects)), tenants: Some(access.clone()) };
    let route = route_by_function("entries-create").unwrap();
    let post = |who: Option<Value>, date: &str| Event {
        function: "entries-create",
        method: "POST",
        path: "/v1/entries",
        path_parameters: none(),
        query: none(),
        body: Some(format!(r#"{{"date": "{date}", "startTime": "09:00", "endTime": "10:00", "task": "Scoped work"}}"#)),
        claims: who,
    };
    for date in ["2025-07-21", "2025-07-22", "2025-07-23"] {
        let response =
            functions::handle_event(&service, route, event(&post(claims("alice", "acme", "[]"), date))).await;
        assert_eq!(response.status().as_u16(), 201, "{:?}", response.body());
    }
    assert_eq!(access.assumed(), 1, "one AssumeRole for acme, then the cached credentials");
    let response =
        functions::handle_event(&service, route, event(&post(claims("bob", "globex", "[]"), "2025-07-21"))).await;
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(access.assumed(), 2, "another tenant, other credentials");
    // The entries landed where the function's own store reads them.
    let alice = tm_service::store::Owner::new("acme", "alice").unwrap();
    let query = tm_service::store::EntryQuery { limit: 10, ..Default::default() };
    assert_eq!(service.ctx.store.entries(&alice, &query).await.unwrap().entries.len(), 3);
}

/// A profile written before the directory moved into the tenant's partition has no
/// `inDirectory`: the user's next write enters them in the directory again, so they can
/// still be added to projects and get scheduled reports (nothing is migrated by hand).
#[tokio::test]
async fn users_from_before_the_directory_moved_are_registered_by_their_next_write() {
    let Some((_, store, objects)) = support::emulator_stores("tm-legacy-profile").await else { return };
    let store = Arc::new(store);
    let ctx = AppContext::new(store.clone(), Arc::new(objects));
    let old = tm_service::store::Owner::new("acme", "old-timer").unwrap();
    use tm_service::store::SettingsStore;
    let legacy: tm_service::store::Profile =
        serde_json::from_value(json!({"timeZone": "UTC", "suppressedProjects": []})).unwrap();
    store.put_profile(&old, &legacy).await.unwrap();
    let who = claims("old-timer", "acme", "[]");
    let event = |function: &'static str, method: &'static str, body: Option<&str>| Event {
        function,
        method,
        path: "/v1/me",
        path_parameters: none(),
        query: none(),
        body: body.map(str::to_owned),
        claims: who.clone(),
    };
    assert_eq!(call(&ctx, event("me-get", "GET", None)).await.0, 200);
    assert!(!tm_service::store::team::is_registered(store.as_ref(), &old).await.unwrap(), "a read writes nothing");
    assert_eq!(call(&ctx, event("me-patch", "PATCH", Some("{}"))).await.0, 200);
    assert!(tm_service::store::team::is_registered(store.as_ref(), &old).await.unwrap());
    let (users, _) = tm_service::store::team::directory_page(store.as_ref(), None, 100).await.unwrap();
    assert!(users.iter().any(|u| u.user == "old-timer"), "and the scheduler finds them");
}

/// API Gateway hands the function the path already decoded, so a project called
/// `Café Déjà Vu` arrives as `/v1/projects/Café Déjà Vu`: the function takes the name
/// from API Gateway's path parameters, and answers with API Gateway's request id.
#[tokio::test]
async fn decoded_paths_and_api_gateway_request_ids_reach_the_route() {
    let Some(ctx) = context().await else { return };
    let who = claims("slash-sub", "acme", "[]");
    let name = "Café Déjà Vu";
    let body = format!(
        r#"{{"date": "2025-07-29", "startTime": "09:00", "endTime": "10:30", "task": "Racks", "project": "{name}"}}"#
    );
    let post = Event {
        function: "entries-create",
        method: "POST",
        path: "/v1/entries",
        path_parameters: none(),
        query: none(),
        body: Some(body),
        claims: who.clone(),
    };
    assert_eq!(call(&ctx, post).await.0, 201);
    let get = Event {
        function: "projects-get",
        method: "GET",
        path: "/v1/projects/Café Déjà Vu",
        path_parameters: json!({"name": name}),
        query: none(),
        body: None,
        claims: who,
    };
    let route = route_by_function("projects-get").unwrap();
    let response = functions::handle_event(&functions::Service::unscoped(ctx.clone()), route, event(&get)).await;
    assert_eq!(response.headers()["x-request-id"], "req-1", "API Gateway's request id");
    let Body::Text(text) = response.body() else { panic!("a JSON body") };
    let summary: Value = serde_json::from_str(text).unwrap();
    assert_eq!((response.status().as_u16(), summary["totalMinutes"].as_u64()), (200, Some(90)), "{summary}");
}
