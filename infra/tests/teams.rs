//! Teams on the local server: the permission matrix over every route that touches
//! projects, team reports and the audit trail (owner, project admin, contributor,
//! viewer, non-member, another tenant's user, tenant admin), and the scheduled reports.

mod support;

use chrono::{Datelike, Days, NaiveDate, Utc};
use serde_json::Value;
use support::{Api, Reply, Server, call, data_dir, signup};

async fn put_json(api: &Api<'_>, path: &str, body: &str) -> Reply {
    call("PUT", &format!("{}{path}", api.base), Some(&api.token), Some(body), &[("content-type", "application/json")])
        .await
}

async fn user_id(api: &Api<'_>) -> String {
    let me = api.get("/v1/me").await;
    assert_eq!(me.status, 200, "{}", me.text);
    me.json()["user"].as_str().unwrap().to_owned()
}

/// A day in the week two weeks back (ended everywhere, whatever the hour).
fn two_weeks_back() -> NaiveDate {
    let today = Utc::now().date_naive();
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday())) - Days::new(14);
    monday + Days::new(1)
}

async fn log(api: &Api<'_>, day: NaiveDate, start: &str, end: &str, task: &str, project: &str) -> Reply {
    let body = serde_json::json!({"date": day, "startTime": start, "endTime": end, "task": task, "project": project});
    api.post("/v1/entries", &body.to_string()).await
}

fn users_in(report: &Value) -> Vec<String> {
    let mut users: Vec<String> =
        report["groups"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap().to_owned()).collect();
    users.sort();
    users
}

struct Team<'a> {
    owner: Api<'a>,
    admin: Api<'a>,
    contributor: Api<'a>,
    viewer: Api<'a>,
    outsider: Api<'a>,
    tenant_admin: Api<'a>,
    other_tenant: Api<'a>,
    ids: std::collections::HashMap<&'static str, String>,
}

async fn team(base: &str) -> Team<'_> {
    let owner = signup(base, "olga", Some("acme"), &[]).await;
    let admin = signup(base, "ada", Some("acme"), &[]).await;
    let contributor = signup(base, "carl", Some("acme"), &[]).await;
    let viewer = signup(base, "vera", Some("acme"), &[]).await;
    let outsider = signup(base, "nina", Some("acme"), &[]).await;
    let tenant_admin = signup(base, "tom", Some("acme"), &["admins"]).await;
    let other_tenant = signup(base, "gus", Some("globex"), &[]).await;
    let mut ids = std::collections::HashMap::new();
    for (name, api) in [
        ("owner", &owner),
        ("admin", &admin),
        ("contributor", &contributor),
        ("viewer", &viewer),
        ("outsider", &outsider),
        ("tenant_admin", &tenant_admin),
        ("other_tenant", &other_tenant),
    ] {
        ids.insert(name, user_id(api).await);
    }
    Team { owner, admin, contributor, viewer, outsider, tenant_admin, other_tenant, ids }
}

#[tokio::test]
async fn the_permission_matrix_of_shared_projects_team_reports_and_audit() {
    let server = Server::start_in(data_dir("teams-matrix"), &["--report-interval-minutes", "0"]);
    let t = team(&server.base).await;
    let id = |who: &str| t.ids[who].clone();
    let day = two_weeks_back();

    // The owner's project, shared with a role each.
    let created = t.owner.post("/v1/projects", r#"{"name": "Atlas", "departmentalGoals": ["Growth"]}"#).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(log(&t.owner, day, "09:00", "10:00", "Atlas kickoff", "Atlas").await.status, 201);
    assert_eq!(log(&t.owner, day, "10:00", "11:00", "Private planning", "Secret").await.status, 201);
    for (who, role) in [("admin", "admin"), ("contributor", "contributor"), ("viewer", "viewer")] {
        let path = format!("/v1/projects/Atlas/members/{}", id(who));
        let put = put_json(&t.owner, &path, &format!(r#"{{"role": "{role}"}}"#)).await;
        assert_eq!(put.status, 201, "{who}: {}", put.text);
    }
    let again =
        put_json(&t.owner, &format!("/v1/projects/Atlas/members/{}", id("viewer")), r#"{"role": "viewer"}"#).await;
    assert_eq!(again.status, 200, "setting the same role again changes nothing");

    // PUT members: who may add whom.
    let add = |who: &'static str| format!("/v1/projects/Atlas/members/{}", id(who));
    let cases: [(&Api, String, &str, u16, &str); 9] = [
        (&t.owner, add("other_tenant"), r#"{"role": "viewer"}"#, 404, "unknown-user"),
        (&t.owner, "/v1/projects/Atlas/members/nobody-at-all".into(), r#"{"role": "viewer"}"#, 404, "unknown-user"),
        (&t.owner, add("outsider"), r#"{"role": "owner"}"#, 422, "invalid-role"),
        (&t.owner, add("owner"), r#"{"role": "viewer"}"#, 409, "owner-not-member"),
        (&t.contributor, add("outsider"), r#"{"role": "viewer"}"#, 403, "forbidden"),
        (&t.viewer, add("viewer"), r#"{"role": "admin"}"#, 403, "forbidden"),
        (&t.outsider, add("outsider"), r#"{"role": "viewer"}"#, 404, "not-found"),
        (&t.tenant_admin, add("outsider"), r#"{"role": "viewer"}"#, 404, "not-found"),
        (&t.other_tenant, add("other_tenant"), r#"{"role": "viewer"}"#, 404, "not-found"),
    ];
    for (api, path, body, status, code) in cases {
        let reply = put_json(api, &path, body).await;
        assert_eq!((reply.status, reply.code().as_str()), (status, code), "PUT {path} {body}: {}", reply.text);
    }
    // A project admin adds and removes; nobody removes the owner; a member may leave.
    assert_eq!(put_json(&t.admin, &add("outsider"), r#"{"role": "viewer"}"#).await.status, 201);
    assert_eq!(t.admin.delete(&add("outsider")).await.status, 204);
    assert_eq!(t.admin.delete(&add("outsider")).await.code(), "not-a-member");
    for api in [&t.admin, &t.contributor] {
        assert_eq!(api.delete(&add("owner")).await.code(), "owner-not-member");
    }
    assert_eq!(t.contributor.delete(&add("viewer")).await.status, 403);
    assert_eq!(t.viewer.delete(&add("viewer")).await.status, 204, "a viewer leaves");
    assert_eq!(put_json(&t.owner, &add("viewer"), r#"{"role": "viewer"}"#).await.status, 201);
    assert_eq!(t.outsider.delete(&add("viewer")).await.status, 404);
    assert_eq!(t.owner.delete("/v1/projects/Nothing/members/x").await.status, 404);

    // GET members: every standing sees them; nobody else learns the project exists.
    for api in [&t.owner, &t.admin, &t.contributor, &t.viewer] {
        let members = api.get("/v1/projects/Atlas/members").await;
        assert_eq!(members.status, 200, "{}", members.text);
        let listed = members.json()["members"].as_array().unwrap().len();
        assert_eq!(listed, 4, "owner + 3 members");
    }
    for api in [&t.outsider, &t.tenant_admin, &t.other_tenant] {
        assert_eq!(api.get("/v1/projects/Atlas/members").await.status, 404);
    }

    // Logging time on Olga's Atlas (named OWNER/Name, or with projectOwner):
    // contributors yes, viewers no; a non-member's "Atlas" is their own.
    let olga_atlas = format!("{}/atlas", id("owner"));
    assert_eq!(log(&t.contributor, day, "13:00", "14:30", "Atlas API", &olga_atlas).await.status, 201);
    let by_owner_field = serde_json::json!({"date": day, "startTime": "15:00", "endTime": "15:30", "task": "Atlas review",
                                            "project": "Atlas", "projectOwner": id("owner")});
    let admin_entry = t.admin.post("/v1/entries", &by_owner_field.to_string()).await;
    assert_eq!(admin_entry.status, 201, "{}", admin_entry.text);
    assert_eq!(admin_entry.json()["project"], format!("{}/Atlas", id("owner")), "stored as the owner spells it");
    let refused = log(&t.viewer, day, "09:00", "10:00", "Sneaky", &olga_atlas).await;
    assert_eq!((refused.status, refused.code().as_str()), (403, "forbidden"), "{}", refused.text);
    assert_eq!(log(&t.viewer, day, "09:00", "10:00", "Reading", "Reviews").await.status, 201);
    // The plain name people see means the shared project when they have none of their own.
    let plain = log(&t.contributor, day, "16:00", "16:30", "Atlas by its name", "atlas").await;
    assert_eq!(plain.status, 201, "{}", plain.text);
    assert_eq!(plain.json()["project"], format!("{}/Atlas", id("owner")), "{}", plain.text);
    let plain_id = plain.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(t.contributor.delete(&format!("/v1/entries/{plain_id}")).await.status, 204);
    let viewer_plain = log(&t.viewer, day, "11:00", "11:30", "Atlas by its name", "Atlas").await;
    assert_eq!((viewer_plain.status, viewer_plain.code().as_str()), (403, "forbidden"), "{}", viewer_plain.text);
    // ... nor through an uploaded log: the whole file is refused, with the line.
    let month = day.format("%B %Y");
    let viewer_log = format!(
        "# Time Log {fy}\n\n## {month}\n\n### {day}\n\n- **09:00-10:00**: Reading [[Reviews]]\n- **10:00-11:00**: Sneaky [[{owner}/Atlas]]\n",
        fy = fiscal_year_of(day),
        owner = id("owner"),
    );
    let refused = t.viewer.put_markdown(&format!("/v1/logs/{}", fiscal_year_of(day)), &viewer_log).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    let diagnostic = &refused.json()["diagnostics"][0];
    assert_eq!((diagnostic["code"].as_str(), diagnostic["line"].as_u64()), (Some("viewer-cannot-log"), Some(8)));
    assert_eq!(log(&t.outsider, day, "09:00", "11:00", "Own work", "Nina-Stuff").await.status, 201);
    assert_eq!(log(&t.other_tenant, day, "09:00", "12:00", "Globex work", "Atlas").await.status, 201);

    // Project routes.
    for (api, status) in [
        (&t.owner, 200),
        (&t.admin, 200),
        (&t.contributor, 200),
        (&t.viewer, 200),
        (&t.outsider, 404),
        (&t.tenant_admin, 404),
    ] {
        let summary = api.get("/v1/projects/Atlas").await;
        assert_eq!(summary.status, status, "{}", summary.text);
        if status == 200 {
            assert_eq!(summary.json()["entryCount"].as_u64(), Some(3), "every logger's entries: {}", summary.text);
        }
    }
    let globex = t.other_tenant.get("/v1/projects/Atlas").await;
    assert_eq!(globex.json()["entryCount"].as_u64(), Some(1), "another tenant's Atlas is another project");
    for (api, status) in [
        (&t.owner, 200),
        (&t.admin, 200),
        (&t.contributor, 403),
        (&t.viewer, 403),
        (&t.outsider, 404),
        (&t.tenant_admin, 404),
    ] {
        let patched = api.patch("/v1/projects/Atlas", r#"{"summary": "The Atlas programme"}"#).await;
        assert_eq!(patched.status, status, "{}", patched.text);
    }
    let listed = t.contributor.get("/v1/projects").await.json();
    let atlas = listed["projects"].as_array().unwrap().iter().find(|p| p["name"] == "Atlas").unwrap().clone();
    assert_eq!(
        (atlas["summary"].as_str(), atlas["shared"]["role"].as_str()),
        (Some("The Atlas programme"), Some("contributor"))
    );
    assert_eq!(atlas["shared"]["logAs"], format!("{}/Atlas", id("owner")), "what to log it as");
    assert_eq!(t.owner.patch("/v1/projects/Atlas", r#"{"name": "Atlas 2"}"#).await.code(), "shared-project-rename");

    // Team reports: members see the shared project's entries of everyone who logs on
    // it, nothing else; the tenant admin sees the tenant; nobody sees another tenant.
    let range = format!("/v1/team/reports/range/{day}/{day}?groupBy=user");
    let mut members_view = vec![id("owner"), id("admin"), id("contributor")];
    members_view.sort();
    for api in [&t.owner, &t.admin, &t.contributor, &t.viewer] {
        let report = api.get(&range).await;
        assert_eq!(report.status, 200, "{}", report.text);
        let report = report.json();
        assert_eq!(report["summary"]["totalEntries"].as_u64(), Some(3), "{report}");
        assert_eq!(users_in(&report), members_view);
        let text = report.to_string();
        assert!(!text.contains("Secret") && !text.contains("Private planning") && !text.contains("Reading"));
    }
    for api in [&t.outsider, &t.other_tenant] {
        let report = api.get(&range).await.json();
        assert_eq!(report["summary"]["totalEntries"].as_u64(), Some(0), "no shared projects: {report}");
    }
    let tenant = t.tenant_admin.get(&range).await.json();
    assert_eq!(tenant["summary"]["totalEntries"].as_u64(), Some(6), "the whole tenant, not Globex: {tenant}");
    assert!(!tenant.to_string().contains("Globex work"));
    for path in [
        format!("/v1/team/reports/weekly/{day}"),
        format!("/v1/team/reports/monthly/{}", &day.to_string()[..7]),
        "/v1/team/reports/since?text=kickoff".to_owned(),
        format!("/v1/team/reports/fiscal-year/{}", fiscal_year_of(day)),
    ] {
        let report = t.viewer.get(&format!("{path}{}groupBy=user", if path.contains('?') { '&' } else { '?' })).await;
        assert_eq!(report.status, 200, "{path}: {}", report.text);
        assert!(!report.text.contains("Secret"), "{path}");
    }
    let csv = t.owner.get(&format!("/v1/team/reports/range/{day}/{day}?format=csv")).await;
    assert!(csv.text.lines().next().unwrap().contains("user"), "{}", csv.text);
    assert_eq!(t.owner.get(&format!("/v1/reports/range/{day}/{day}?groupBy=user")).await.code(), "invalid-option");
    let own = t.contributor.get(&format!("/v1/reports/range/{day}/{day}")).await.json();
    assert_eq!(own["summary"]["totalEntries"].as_u64(), Some(1), "personal reports stay personal");

    // Audit: who, what, when, before and after; own changes, or the tenant's for admins.
    let audit = t.owner.get("/v1/audit").await;
    assert_eq!(audit.status, 200, "{}", audit.text);
    let records = audit.json()["records"].as_array().unwrap().clone();
    let actions: Vec<&str> = records.iter().map(|r| r["action"].as_str().unwrap()).collect();
    for expected in ["project.create", "entry.create", "member.put", "project.update"] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    let updates: Vec<&Value> = records.iter().filter(|r| r["action"] == "project.update").collect();
    let by_owner = updates.iter().find(|r| r["actor"] == id("owner").as_str()).expect("the owner's edit");
    assert_eq!(
        (by_owner["before"]["summary"].as_str(), by_owner["after"]["summary"].as_str()),
        (Some(""), Some("The Atlas programme"))
    );
    let by_admin = updates.iter().find(|r| r["actor"] == id("admin").as_str());
    assert_eq!(by_admin.expect("the admin's edit shows in the owner's audit")["subject"], id("owner").as_str());
    assert!(records.iter().all(|r| r["actor"] == id("owner").as_str() || r["subject"] == id("owner").as_str()));
    let carl = t.contributor.get("/v1/audit").await.json();
    let carl_records = carl["records"].as_array().unwrap();
    assert!(carl_records.iter().any(|r| r["action"] == "member.put" && r["subject"] == id("contributor").as_str()));
    assert!(
        carl_records
            .iter()
            .all(|r| r["actor"] == id("contributor").as_str() || r["subject"] == id("contributor").as_str())
    );
    let whole = t.tenant_admin.get("/v1/audit?limit=1000").await.json();
    assert_eq!(whole["scope"], "tenant");
    let whole_records = whole["records"].as_array().unwrap();
    assert!(whole_records.iter().any(|r| r["actor"] == id("outsider").as_str()));
    assert!(whole_records.iter().all(|r| r["tenant"] == "acme"));
    let gus = t.other_tenant.get("/v1/audit").await.json();
    assert!(gus["records"].as_array().unwrap().iter().all(|r| r["actor"] == id("other_tenant").as_str()));
    let page = t.tenant_admin.get("/v1/audit?limit=2").await.json();
    assert_eq!(page["records"].as_array().unwrap().len(), 2);
    let next = page["nextCursor"].as_str().expect("more pages");
    let second = t.tenant_admin.get(&format!("/v1/audit?limit=2&cursor={next}")).await.json();
    assert_ne!(second["records"][0]["id"], page["records"][0]["id"]);
    assert_eq!(t.owner.get("/v1/audit?from=2026-02-01&to=2026-01-01").await.code(), "invalid-range");
    assert_eq!(t.owner.get("/v1/audit?cursor=nope").await.code(), "invalid-cursor");
    assert_eq!(t.owner.get("/v1/audit?from=yesterday").await.code(), "invalid-date");
}

fn fiscal_year_of(day: NaiveDate) -> String {
    let start = if day.month() >= 7 { day.year() } else { day.year() - 1 };
    format!("{start}-{}", start + 1)
}

#[tokio::test]
async fn scheduled_reports_run_on_demand_and_on_the_local_schedule_once_per_period() {
    let data = data_dir("teams-scheduled");
    let server = Server::start_in(data.clone(), &["--report-interval-minutes", "0"]);
    let base = server.base.clone();
    let t = team(&base).await;
    let day = two_weeks_back();
    assert_eq!(log(&t.owner, day, "09:00", "10:30", "Atlas kickoff", "Atlas").await.status, 201);
    assert_eq!(log(&t.outsider, day, "09:00", "10:00", "Own work", "Nina-Stuff").await.status, 201);
    assert_eq!(
        t.contributor.patch("/v1/me", r#"{"timeZone": "Pacific/Kiritimati"}"#).await.status,
        200,
        "a user far ahead of UTC"
    );

    let run = call("POST", &format!("{base}/local/reports/run?cadence=weekly&date={day}"), None, None, &[]).await;
    assert_eq!(run.status, 200, "{}", run.text);
    let run = run.json();
    assert_eq!(run["run"]["generated"].as_u64(), Some(7 + 2), "7 users, 2 tenants: {run}");
    assert_eq!(run["run"]["failed"].as_array().unwrap().len(), 0);
    let again =
        call("POST", &format!("{base}/local/reports/run?cadence=weekly&date={day}"), None, None, &[]).await.json();
    assert_eq!((again["run"]["generated"].as_u64(), again["run"]["alreadyGenerated"].as_u64()), (Some(0), Some(9)));
    let bad = call("POST", &format!("{base}/local/reports/run?date={day}"), None, None, &[]).await;
    assert_eq!((bad.status, bad.code().as_str()), (400, "missing-cadence"));
    let bad = call("POST", &format!("{base}/local/reports/run?cadence=daily"), None, None, &[]).await;
    assert_eq!((bad.status, bad.code().as_str()), (400, "invalid-cadence"));

    let monday = day - Days::new(1);
    let id = format!("weekly-{monday}");
    let listed = t.owner.get("/v1/reports/scheduled").await.json();
    let ids: Vec<&str> = listed["reports"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![id.as_str()], "a user sees their own reports only");
    let json = t.owner.get(&format!("/v1/reports/scheduled/{id}")).await;
    assert_eq!(json.status, 200, "{}", json.text);
    let json = json.json();
    assert_eq!(
        (json["summary"]["totalMinutes"].as_u64(), json["period"]["start"].as_str()),
        (Some(90), Some(monday.to_string().as_str()))
    );
    let markdown = t.owner.get(&format!("/v1/reports/scheduled/{id}?format=markdown")).await;
    assert!(markdown.headers["content-type"].to_str().unwrap().starts_with("text/markdown"));
    assert!(markdown.text.contains("Atlas"), "{}", markdown.text);
    assert!(!t.outsider.get(&format!("/v1/reports/scheduled/{id}?format=markdown")).await.text.contains("Atlas"));
    assert_eq!(t.owner.get(&format!("/v1/reports/scheduled/{id}?format=pdf")).await.code(), "invalid-format");
    assert_eq!(t.owner.get("/v1/reports/scheduled/weekly-1999-01-04").await.status, 404);

    // The team summary: for tenant admins only.
    let team_id = format!("team-weekly-{monday}");
    let admin_list = t.tenant_admin.get("/v1/reports/scheduled").await.json();
    assert!(admin_list["reports"].as_array().unwrap().iter().any(|r| r["id"] == team_id.as_str()));
    let summary = t.tenant_admin.get(&format!("/v1/reports/scheduled/{team_id}")).await.json();
    assert_eq!((summary["summary"]["totalEntries"].as_u64(), summary["groupBy"].as_str()), (Some(2), Some("user")));
    assert_eq!(t.owner.get(&format!("/v1/reports/scheduled/{team_id}")).await.status, 404);
    assert_eq!(t.other_tenant.get(&format!("/v1/reports/scheduled/{team_id}")).await.status, 404);

    // Issue 12: a report whose week changes says it is stale, and the next run of its
    // period regenerates it (the owner's and the team summary; nobody else's).
    let fresh = t.owner.get("/v1/reports/scheduled").await.json();
    assert_eq!(fresh["reports"][0]["stale"], false);
    assert_eq!(log(&t.owner, day, "14:00", "15:00", "Late addition", "Atlas").await.status, 201);
    let listed = t.owner.get("/v1/reports/scheduled").await.json();
    assert_eq!(listed["reports"][0]["stale"], true, "{listed}");
    let one = t.owner.get(&format!("/v1/reports/scheduled/{id}")).await;
    assert_eq!(one.headers["x-report-stale"], "true");
    let rerun =
        call("POST", &format!("{base}/local/reports/run?cadence=weekly&date={day}"), None, None, &[]).await.json();
    assert_eq!(
        (rerun["run"]["generated"].as_u64(), rerun["run"]["alreadyGenerated"].as_u64()),
        (Some(2), Some(7)),
        "{rerun}"
    );
    let regenerated = t.owner.get(&format!("/v1/reports/scheduled/{id}")).await;
    assert_eq!(regenerated.headers["x-report-stale"], "false");
    assert_eq!(regenerated.json()["summary"]["totalMinutes"].as_u64(), Some(150));
    drop(server);

    // The schedule itself: a server started with it runs at once (and then every N
    // minutes) for the last ended week and month.
    let scheduled = Server::start_in(data, &["--report-interval-minutes", "60"]);
    // Tokens name the issuer's address, which changed with the port: log in again.
    let login = call(
        "POST",
        &format!("{}/local/login", scheduled.base),
        None,
        Some(r#"{"username": "olga", "password": "correct horse battery"}"#),
        &[],
    )
    .await;
    assert_eq!(login.status, 200, "{}", login.text);
    let api = Api { base: &scheduled.base, token: login.json()["id_token"].as_str().unwrap().to_owned() };
    let mut found = Vec::new();
    for _ in 0..100 {
        let listed = api.get("/v1/reports/scheduled").await.json();
        found = listed["reports"].as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap().to_owned()).collect();
        if found.len() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    found.sort();
    assert_eq!(found, vec!["monthly", "weekly", "weekly"], "last week's and last month's appeared");
}

fn groups_of(report: &Value) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["projects"].as_array().unwrap().iter())
        .map(|p| (p["name"].as_str().unwrap().to_owned(), p["totalMinutes"].as_u64().unwrap()))
        .collect();
    out.sort();
    out
}

/// Issue 11: sharing by name leaked private entries. A shared project is its owner's,
/// by identity: only entries logged to it (`OWNER/Name`) while a member count; a
/// member's own project of the same name stays theirs and private, and being added to
/// a project changes nothing about what they can do with their own.
#[tokio::test]
async fn sharing_is_by_identity_never_by_name() {
    let server = Server::start_in(data_dir("teams-identity"), &["--report-interval-minutes", "0"]);
    let base = server.base.as_str();
    let carl = signup(base, "carl", Some("acme"), &[]).await;
    let mallory = signup(base, "mallory", Some("acme"), &[]).await;
    let olga = signup(base, "olga", Some("acme"), &[]).await;
    let vera = signup(base, "vera", Some("acme"), &[]).await;
    let tom = signup(base, "tom", Some("acme"), &["admins"]).await;
    let (carl_id, mallory_id, olga_id, vera_id) =
        (user_id(&carl).await, user_id(&mallory).await, user_id(&olga).await, user_id(&vera).await);
    user_id(&tom).await;
    let day = two_weeks_back();
    let fy = fiscal_year_of(day);
    let range = format!("/v1/team/reports/range/{day}/{day}");

    // Carl's private project, with a confidential note, before anything is shared.
    assert_eq!(carl.post("/v1/projects", r#"{"name": "Payroll"}"#).await.status, 201);
    let secret = serde_json::json!({"date": day, "startTime": "09:00", "endTime": "10:00", "task": "Salary review",
                                    "project": "Payroll", "notes": "confidential: raises for the team"});
    assert_eq!(carl.post("/v1/entries", &secret.to_string()).await.status, 201);

    // Mallory names a project the same (another case) and adds Carl to it.
    assert_eq!(mallory.post("/v1/projects", r#"{"name": "PAYROLL"}"#).await.status, 201);
    let member = |user: &str| format!("/v1/projects/PAYROLL/members/{user}");
    assert_eq!(put_json(&mallory, &member(&carl_id), r#"{"role": "contributor"}"#).await.status, 201);
    let report = mallory.get(&format!("{range}?groupBy=user")).await;
    assert_eq!(report.status, 200, "{}", report.text);
    assert_eq!(report.json()["summary"]["totalEntries"], 0, "Carl's own Payroll is not Mallory's: {}", report.text);
    assert!(!report.text.contains("confidential") && !report.text.contains("Salary review"));
    let summary = mallory.get("/v1/projects/PAYROLL?limit=100").await;
    assert_eq!(summary.json()["entryCount"], 0, "{}", summary.text);
    assert!(!summary.text.contains("confidential"));
    let csv = mallory.get(&format!("{range}?format=csv")).await;
    assert!(!csv.text.contains("Salary"), "{}", csv.text);

    // Made a viewer of Mallory's project, Carl still logs on his own, and his unchanged
    // log uploads again.
    assert_eq!(put_json(&mallory, &member(&carl_id), r#"{"role": "viewer"}"#).await.status, 200);
    let own = serde_json::json!({"date": day, "startTime": "10:00", "endTime": "11:00", "task": "Payroll run", "project": "payroll"});
    let own = carl.post("/v1/entries", &own.to_string()).await;
    assert_eq!(own.status, 201, "his own project: {}", own.text);
    let carl_log = carl.get(&format!("/v1/logs/{fy}")).await.text;
    let again = carl.put_markdown(&format!("/v1/logs/{fy}"), &carl_log).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(carl.get("/v1/projects/Payroll").await.json()["entryCount"], 2, "Carl's Payroll is his");

    // Logging on Mallory's project is explicit: OWNER/Name in the API or the log.
    let qualified = format!("{mallory_id}/PAYROLL");
    let viewer_try = log(&carl, day, "11:00", "11:30", "Shared work", &qualified).await;
    assert_eq!(viewer_try.status, 403, "a viewer does not log: {}", viewer_try.text);
    assert_eq!(put_json(&mallory, &member(&carl_id), r#"{"role": "contributor"}"#).await.status, 200);
    assert_eq!(log(&carl, day, "11:00", "11:30", "Shared work", &qualified).await.status, 201);
    let carl_log = carl.get(&format!("/v1/logs/{fy}")).await.text;
    assert!(carl_log.contains(&format!("Shared work [[{mallory_id}/PAYROLL]]")), "{carl_log}");
    let with_upload = carl_log.replace(
        "- **11:00-11:30**",
        &format!("- **08:00-08:30**: Uploaded shared work [[{mallory_id}/payroll]]\n- **11:00-11:30**"),
    );
    let uploaded = carl.put_markdown(&format!("/v1/logs/{fy}"), &with_upload).await;
    assert_eq!(uploaded.status, 200, "{}", uploaded.text);
    let report = mallory.get(&range).await.json();
    assert_eq!(groups_of(&report), vec![("PAYROLL".to_owned(), 60)], "{report}");
    assert!(!report.to_string().contains("confidential"));

    // A timer Carl runs on Mallory's project can be finished after he leaves.
    let timer =
        serde_json::json!({"task": "Late shared work", "project": qualified, "date": day, "startTime": "16:00"});
    assert_eq!(carl.post("/v1/timer/start", &timer.to_string()).await.status, 201);

    // Removed, Carl keeps what he logged while a member (it still counts for Mallory),
    // may upload his log unchanged, and may not log anew on her project.
    assert_eq!(mallory.delete(&member(&carl_id)).await.status, 204);
    let finished = carl.post("/v1/timer/finish", &serde_json::json!({"endTime": "16:30"}).to_string()).await;
    assert_eq!(finished.status, 200, "{}", finished.text);
    let finished_id = finished.json()["id"].as_str().unwrap().to_owned();
    let renotes = carl.patch(&format!("/v1/entries/{finished_id}"), r#"{"notes": "wrapped up"}"#).await;
    assert_eq!(renotes.status, 200, "its text may change: {}", renotes.text);
    let longer = carl.patch(&format!("/v1/entries/{finished_id}"), r#"{"endTime": "17:30"}"#).await;
    assert_eq!(longer.status, 403, "its time may not grow: {}", longer.text);
    assert_eq!(carl.delete(&format!("/v1/entries/{finished_id}")).await.status, 204, "and it may go");
    assert_eq!(groups_of(&mallory.get(&range).await.json()), vec![("PAYROLL".to_owned(), 60)]);
    let carl_log = carl.get(&format!("/v1/logs/{fy}")).await.text;
    assert_eq!(carl.put_markdown(&format!("/v1/logs/{fy}"), &carl_log).await.status, 200);
    let anew = log(&carl, day, "12:00", "12:30", "More", &qualified).await;
    assert_eq!((anew.status, anew.code().as_str()), (422, "validation-failed"), "{}", anew.text);
    assert!(anew.text.contains("unknown-shared-project"), "{}", anew.text);
    let in_log = carl_log
        .replace("- **11:00-11:30**", &format!("- **12:00-12:30**: Sneaked in [[{qualified}]]\n- **11:00-11:30**"));
    let refused = carl.put_markdown(&format!("/v1/logs/{fy}"), &in_log).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.json()["diagnostics"][0]["code"], "unknown-shared-project");

    // The owner of a name can share it although a colleague shared one so named first.
    assert_eq!(mallory.post("/v1/projects", r#"{"name": "Atlas"}"#).await.status, 201);
    assert_eq!(olga.post("/v1/projects", r#"{"name": "atlas"}"#).await.status, 201);
    assert_eq!(
        put_json(&mallory, &format!("/v1/projects/Atlas/members/{vera_id}"), r#"{"role": "viewer"}"#).await.status,
        201
    );
    let second = put_json(&olga, &format!("/v1/projects/atlas/members/{vera_id}"), r#"{"role": "viewer"}"#).await;
    assert_eq!(second.status, 201, "{}", second.text);
    assert_eq!(log(&olga, day, "13:00", "14:00", "Olga's Atlas", "atlas").await.status, 201);
    assert_eq!(log(&mallory, day, "13:00", "13:30", "Mallory's Atlas", "Atlas").await.status, 201);
    // Vera sees both, told apart by owner.
    let ambiguous = vera.get("/v1/projects/Atlas").await;
    assert_eq!((ambiguous.status, ambiguous.code().as_str()), (409, "ambiguous-project"), "{}", ambiguous.text);
    let olgas = vera.get(&format!("/v1/projects/Atlas?owner={olga_id}")).await.json();
    assert_eq!((olgas["entryCount"].as_u64(), olgas["totalMinutes"].as_u64()), (Some(1), Some(60)), "{olgas}");
    let report = vera.get(&range).await.json();
    assert_eq!(
        groups_of(&report),
        {
            let mut v = vec![(format!("{olga_id}/atlas"), 60), (format!("{mallory_id}/Atlas"), 30)];
            v.sort();
            v
        },
        "{report}"
    );

    // The tenant administrator sees everything, with Carl's Payroll and Mallory's apart.
    let whole = tom.get(&range).await.json();
    let names: Vec<String> = groups_of(&whole).into_iter().map(|(n, _)| n).collect();
    assert!(names.contains(&"Payroll".to_owned()) && names.contains(&format!("{mallory_id}/PAYROLL")), "{names:?}");
}
