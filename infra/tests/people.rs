//! A team forms on the local server as it would in AWS, with no operator: sign-up makes
//! a tenant, its admin invites a colleague, the colleague joins through the invitation
//! link, is added to a project by email, shows up by name in team reports, and is
//! disabled, enabled, promoted and removed. Then the permission matrix of the people
//! routes (admin, member, another tenant's admin, anonymous) with both token kinds.

mod support;

use serde_json::{Value, json};
use support::{Api, Reply, Server, call};

const PASSWORD: &str = "correct horse battery";

async fn post_json(base: &str, path: &str, body: &Value) -> Reply {
    call("POST", &format!("{base}{path}"), None, Some(&body.to_string()), &[("content-type", "application/json")]).await
}

/// Signs up as a person does (no tenant, no groups): (ID-token API, access-token API).
async fn sign_up<'a>(base: &'a str, email: &str, name: &str) -> (Api<'a>, Api<'a>) {
    let reply = post_json(base, "/local/signup", &json!({"username": email, "password": PASSWORD, "name": name})).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    tokens(base, &reply.json())
}

fn tokens<'a>(base: &'a str, tokens: &Value) -> (Api<'a>, Api<'a>) {
    let token = |kind: &str| tokens[kind].as_str().unwrap().to_owned();
    (Api { base, token: token("id_token") }, Api { base, token: token("access_token") })
}

async fn send(api: &Api<'_>, method: &str, path: &str, body: Option<Value>) -> Reply {
    let body = body.map(|b| b.to_string());
    call(
        method,
        &format!("{}{path}", api.base),
        Some(&api.token),
        body.as_deref(),
        &[("content-type", "application/json")],
    )
    .await
}

fn person<'a>(people: &'a Value, email: &str) -> &'a Value {
    people["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == email)
        .unwrap_or_else(|| panic!("{email} in {people}"))
}

#[tokio::test]
async fn a_team_forms_by_sign_up_and_invitation_and_its_admin_manages_people() {
    let server = Server::start_as_shipped("people-journey", &["--report-interval-minutes", "0"]);
    let base = server.base.as_str();

    // Sign-up takes no tenant: joining one is by invitation.
    let chosen =
        post_json(base, "/local/signup", &json!({"username": "mallory", "password": PASSWORD, "tenant": "acme"})).await;
    assert_eq!((chosen.status, chosen.code().as_str()), (400, "tenant-by-invitation"), "{}", chosen.text);
    assert!(chosen.text.contains("invite"), "{}", chosen.text);

    // Sign-up makes a tenant whose first user is its admin; both tokens are that caller.
    let (ada, ada_access) = sign_up(base, "ada@example.com", "Ada Lovelace").await;
    let me = ada.get("/v1/me").await.json();
    assert_eq!(me["isTenantAdmin"], true, "{me}");
    // The name they signed up with is what an app greets them by.
    assert_eq!((me["name"].as_str(), me["email"].as_str()), (Some("Ada Lovelace"), Some("ada@example.com")), "{me}");
    let tenant = me["tenant"].as_str().unwrap().to_owned();
    assert!(tenant.starts_with("t-"), "a generated tenant: {tenant}");
    let by_access = ada_access.get("/v1/me").await.json();
    assert_eq!((&by_access["user"], &by_access["tenant"]), (&me["user"], &me["tenant"]));
    let people = ada.get("/v1/users").await.json();
    assert_eq!(people["tenant"], tenant.as_str());
    let first = person(&people, "ada@example.com");
    assert_eq!(
        (&first["name"], &first["admin"], &first["status"]),
        (&json!("Ada Lovelace"), &json!(true), &json!("active"))
    );
    assert!(first["lastSeen"].is_string(), "signing up is being seen: {first}");

    // An invitation by email and name: a link to pass on, and an invited person.
    assert_eq!(
        send(&ada, "POST", "/v1/admin/users", Some(json!({"email": "not-an-email", "name": "X"}))).await.code(),
        "invalid-email"
    );
    assert_eq!(
        send(&ada, "POST", "/v1/admin/users", Some(json!({"email": "g@example.com"}))).await.status,
        400,
        "name required"
    );
    let invited =
        send(&ada, "POST", "/v1/admin/users", Some(json!({"email": "Grace@Example.com", "name": "Grace Hopper"})))
            .await;
    assert_eq!(invited.status, 201, "{}", invited.text);
    let invited = invited.json();
    assert_eq!((&invited["person"]["status"], &invited["invitation"]["sentBy"]), (&json!("invited"), &json!("link")));
    let grace_id = invited["person"]["id"].as_str().unwrap().to_owned();
    let link = invited["invitation"]["link"].as_str().unwrap().to_owned();
    assert!(link.starts_with(&format!("{base}/local/invitations/")), "{link}");
    assert_eq!(person(&ada.get("/v1/users").await.json(), "grace@example.com")["status"], "invited");

    // Nobody signs in as Grace before she sets her password through the link.
    let early = post_json(base, "/local/login", &json!({"username": "grace@example.com", "password": PASSWORD})).await;
    assert_eq!(early.status, 401);
    let page = call("GET", &link, None, None, &[]).await;
    assert!(page.status == 200 && page.text.contains("grace@example.com"), "{}", page.text);
    let weak =
        call("POST", &link, None, Some(r#"{"password": "short"}"#), &[("content-type", "application/json")]).await;
    assert_eq!(weak.code(), "weak-password");
    let accepted = call(
        "POST",
        &link,
        None,
        Some(&json!({"password": PASSWORD}).to_string()),
        &[("content-type", "application/json")],
    )
    .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    let used = call(
        "POST",
        &link,
        None,
        Some(&json!({"password": PASSWORD}).to_string()),
        &[("content-type", "application/json")],
    )
    .await;
    assert_eq!((used.status, used.code().as_str()), (410, "invitation-used"));
    // The page's answer (a browser's form) says so and leads to the app, on a phone too.
    let used_page = call(
        "POST",
        &link,
        None,
        Some(&format!("password={PASSWORD}")),
        &[("content-type", "application/x-www-form-urlencoded")],
    )
    .await;
    assert_eq!(used_page.status, 410, "{}", used_page.text);
    assert!(used_page.text.contains(r#"<a href="/">Open Temporal Mark</a>"#), "{}", used_page.text);
    assert!(page.text.contains(r#"name="viewport""#), "the join page scales on a phone: {}", page.text);
    let (grace, grace_access) = tokens(base, &accepted.json());

    // She lands in Ada's tenant, as a member, and is active now.
    let grace_me = grace.get("/v1/me").await.json();
    assert_eq!(
        (&grace_me["tenant"], &grace_me["user"], &grace_me["isTenantAdmin"]),
        (&json!(tenant), &json!(grace_id), &json!(false))
    );
    let listed = grace.get("/v1/users").await;
    assert_eq!(listed.status, 200, "every member reads the directory");
    let seen = person(&listed.json(), "grace@example.com").clone();
    assert_eq!((&seen["status"], &seen["name"]), (&json!("active"), &json!("Grace Hopper")));
    assert!(seen["lastSeen"].is_string());

    // Added to a project by email; members and team reports show her name.
    assert_eq!(ada.post("/v1/projects", r#"{"name": "Atlas"}"#).await.status, 201);
    let added =
        send(&ada, "PUT", "/v1/projects/Atlas/members/GRACE@example.com", Some(json!({"role": "contributor"}))).await;
    assert_eq!(added.status, 201, "{}", added.text);
    let nobody =
        send(&ada, "PUT", "/v1/projects/Atlas/members/nobody@example.com", Some(json!({"role": "viewer"}))).await;
    assert_eq!((nobody.status, nobody.code().as_str()), (404, "unknown-user"));
    assert!(nobody.text.contains("/v1/users"), "{}", nobody.text);
    let members = ada.get("/v1/projects/Atlas/members").await.json();
    let names: Vec<&str> = members["members"].as_array().unwrap().iter().filter_map(|m| m["name"].as_str()).collect();
    assert!(names.contains(&"Grace Hopper"), "{members}");
    let entry = json!({"date": "2026-11-10", "startTime": "09:00", "endTime": "10:30", "task": "Compiler work", "project": "Atlas"});
    assert_eq!(grace_access.post("/v1/entries", &entry.to_string()).await.status, 201, "the access token writes too");
    let report = ada.get("/v1/team/reports/range/2026-11-10/2026-11-10?groupBy=user").await;
    assert_eq!(report.status, 200, "{}", report.text);
    let group =
        report.json()["groups"].as_array().unwrap().iter().find(|g| g["key"] == grace_id.as_str()).cloned().unwrap();
    assert_eq!((&group["name"], &group["totalMinutes"]), (&json!("Grace Hopper"), &json!(90)));
    let markdown = ada.get("/v1/team/reports/range/2026-11-10/2026-11-10?groupBy=user&format=markdown").await.text;
    assert!(markdown.contains(&format!("Grace Hopper ({grace_id})")), "{markdown}");
    let csv = ada.get("/v1/team/reports/range/2026-11-10/2026-11-10?format=csv").await.text;
    assert!(csv.starts_with("user,userName,") && csv.contains(&format!("{grace_id},Grace Hopper,")), "{csv}");
    // The scheduled team summary of that week, too.
    let run = call("POST", &format!("{base}/local/reports/run?cadence=weekly&date=2026-11-10"), None, None, &[]).await;
    assert_eq!(run.status, 200, "{}", run.text);
    let summary = ada.get("/v1/reports/scheduled/team-weekly-2026-11-09?format=markdown").await;
    assert!(summary.text.contains(&format!("Grace Hopper ({grace_id})")), "{}", summary.text);

    // Disabled: her tokens stop at the next request, refresh and sign-in are refused.
    let refresh = accepted.json()["refresh_token"].as_str().unwrap().to_owned();
    let disabled = send(&ada, "PATCH", &format!("/v1/admin/users/{grace_id}"), Some(json!({"disabled": true}))).await;
    assert_eq!((disabled.status, &disabled.json()["status"]), (200, &json!("disabled")), "{}", disabled.text);
    for api in [&grace, &grace_access] {
        let refused = api.get("/v1/me").await;
        assert_eq!((refused.status, refused.code().as_str()), (403, "account-disabled"), "{}", refused.text);
    }
    let refreshed = call(
        "POST",
        &format!("{base}/oauth2/token"),
        None,
        Some(&format!("grant_type=refresh_token&client_id=tm-local-client&refresh_token={refresh}")),
        &[("content-type", "application/x-www-form-urlencoded")],
    )
    .await;
    assert_eq!(refreshed.status, 400, "refresh tokens are revoked at once: {}", refreshed.text);
    let login = post_json(base, "/local/login", &json!({"username": "grace@example.com", "password": PASSWORD})).await;
    assert_eq!((login.status, login.code().as_str()), (403, "account-disabled"));

    // Enabled again, she signs in; made an admin, her next request is an admin's.
    let enabled = send(&ada, "PATCH", &format!("/v1/admin/users/{grace_id}"), Some(json!({"disabled": false}))).await;
    assert_eq!(enabled.json()["status"], "active");
    let login = post_json(base, "/local/login", &json!({"username": "grace@example.com", "password": PASSWORD})).await;
    assert_eq!(login.status, 200, "{}", login.text);
    let (grace, _) = tokens(base, &login.json());
    assert_eq!(grace.get("/v1/me").await.json()["isTenantAdmin"], false);
    let renamed = send(
        &ada,
        "PATCH",
        &format!("/v1/admin/users/{grace_id}"),
        Some(json!({"admin": true, "name": "Rear Admiral Hopper"})),
    )
    .await;
    assert_eq!((&renamed.json()["admin"], &renamed.json()["name"]), (&json!(true), &json!("Rear Admiral Hopper")));
    assert_eq!(grace.get("/v1/me").await.json()["isTenantAdmin"], true, "the directory decides, not the old token");

    // The last admin stays: Ada cannot demote or remove herself while alone...
    let ada_id = me["user"].as_str().unwrap().to_owned();
    send(&ada, "PATCH", &format!("/v1/admin/users/{grace_id}"), Some(json!({"admin": false}))).await;
    for (method, body) in
        [("PATCH", Some(json!({"admin": false}))), ("PATCH", Some(json!({"disabled": true}))), ("DELETE", None)]
    {
        let refused = send(&ada, method, &format!("/v1/admin/users/{ada_id}"), body).await;
        assert_eq!((refused.status, refused.code().as_str()), (409, "last-admin"), "{method}: {}", refused.text);
    }
    assert_eq!(
        send(&ada, "PATCH", &format!("/v1/admin/users/{grace_id}"), Some(json!({}))).await.code(),
        "empty-patch"
    );

    // Removed: refused from then on, listed as removed, her hours still hers by name.
    let removed = send(&ada, "DELETE", &format!("/v1/admin/users/{grace_id}"), None).await;
    assert_eq!(removed.status, 204, "{}", removed.text);
    assert_eq!(grace.get("/v1/me").await.code(), "account-removed");
    assert_eq!(person(&ada.get("/v1/users").await.json(), "grace@example.com")["status"], "removed");
    let members = ada.get("/v1/projects/Atlas/members").await.json();
    assert!(!members.to_string().contains(&grace_id), "off the project's members: {members}");
    // The schedule makes no more reports for her: Ada's own and the team's only.
    let run = call("POST", &format!("{base}/local/reports/run?cadence=monthly&date=2026-11-10"), None, None, &[]).await;
    assert_eq!(run.json()["run"]["generated"], 2, "{}", run.text);
    let report = ada.get("/v1/team/reports/range/2026-11-10/2026-11-10?groupBy=user").await.json();
    assert!(report["groups"].as_array().unwrap().iter().any(|g| g["name"] == "Rear Admiral Hopper"), "{report}");
    let gone = post_json(base, "/local/login", &json!({"username": "grace@example.com", "password": PASSWORD})).await;
    assert_eq!(gone.status, 401);
    assert_eq!(
        send(&ada, "PATCH", &format!("/v1/admin/users/{grace_id}"), Some(json!({"name": "X"}))).await.code(),
        "removed"
    );

    // The audit trail names who did what to whom.
    let audit = ada.get("/v1/audit").await.json();
    let actions: Vec<&str> = audit["records"].as_array().unwrap().iter().filter_map(|r| r["action"].as_str()).collect();
    for action in ["user.invite", "user.update", "user.delete"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    assert!(audit.to_string().contains("Ada Lovelace"), "{audit}");
}

#[tokio::test]
async fn the_people_routes_permission_matrix_with_both_token_kinds() {
    let server = Server::start_as_shipped("people-matrix", &["--report-interval-minutes", "0"]);
    let base = server.base.as_str();
    let (admin_id, admin_access) = sign_up(base, "olga@acme.example", "Olga").await;
    let invited = send(&admin_id, "POST", "/v1/admin/users", Some(json!({"email": "mia@acme.example", "name": "Mia"})))
        .await
        .json();
    let mia = invited["person"]["id"].as_str().unwrap().to_owned();
    let link = invited["invitation"]["link"].as_str().unwrap().to_owned();
    let accepted = call(
        "POST",
        &link,
        None,
        Some(&json!({"password": PASSWORD}).to_string()),
        &[("content-type", "application/json")],
    )
    .await;
    let (member_id, member_access) = tokens(base, &accepted.json());
    let (other_id, other_access) = sign_up(base, "gus@globex.example", "Gus").await;

    let patch = format!("/v1/admin/users/{mia}");
    let invite = Some(json!({"email": "new@acme.example", "name": "New"}));
    let name = Some(json!({"name": "Mia M."}));
    // (who, their two tokens, method, path, body, expected status, expected code)
    type Case<'a> = (&'a str, [&'a Api<'a>; 2], &'a str, &'a str, Option<Value>, u16, &'a str);
    let cases: Vec<Case> = vec![
        ("member", [&member_id, &member_access], "GET", "/v1/users", None, 200, ""),
        ("member", [&member_id, &member_access], "POST", "/v1/admin/users", invite.clone(), 403, "admin-only"),
        ("member", [&member_id, &member_access], "PATCH", &patch, name.clone(), 403, "admin-only"),
        ("member", [&member_id, &member_access], "DELETE", &patch, None, 403, "admin-only"),
        ("other tenant's admin", [&other_id, &other_access], "PATCH", &patch, name.clone(), 404, "unknown-user"),
        ("other tenant's admin", [&other_id, &other_access], "DELETE", &patch, None, 404, "unknown-user"),
        ("admin", [&admin_id, &admin_access], "PATCH", &patch, name.clone(), 200, ""),
        ("admin", [&admin_id, &admin_access], "GET", "/v1/users", None, 200, ""),
    ];
    for (who, apis, method, path, body, status, code) in cases {
        for (kind, api) in ["id token", "access token"].iter().zip(apis) {
            let reply = send(api, method, path, body.clone()).await;
            assert_eq!(reply.status, status, "{who} ({kind}) {method} {path}: {}", reply.text);
            if !code.is_empty() {
                assert_eq!(reply.code(), code, "{who} ({kind}) {method} {path}");
            }
        }
    }
    // Another tenant's directory is not readable, and nobody unauthenticated gets in.
    let theirs = other_access.get("/v1/users").await.json();
    let emails: Vec<&str> = theirs["people"].as_array().unwrap().iter().filter_map(|p| p["email"].as_str()).collect();
    assert_eq!(emails, ["gus@globex.example"]);
    for (method, path) in
        [("GET", "/v1/users"), ("POST", "/v1/admin/users"), ("PATCH", patch.as_str()), ("DELETE", patch.as_str())]
    {
        let reply =
            call(method, &format!("{base}{path}"), None, Some("{}"), &[("content-type", "application/json")]).await;
        assert_eq!(reply.status, 401, "anonymous {method} {path}");
    }
    // The admin's change is in the admin's directory.
    let admin_view = admin_access.get("/v1/users").await.json();
    assert_eq!(person(&admin_view, "mia@acme.example")["name"], "Mia M.");
}

/// The hosted page offers sign-up: a new team, signed in straight back into the app.
#[tokio::test]
async fn the_hosted_page_signs_up_a_new_team_and_returns_a_code() {
    let server = Server::start_as_shipped("people-hosted", &["--report-interval-minutes", "0"]);
    let base = server.base.as_str();
    let (verifier, challenge) = tm_local::issuer::pkce_pair();
    let redirect = "http://127.0.0.1:9/callback";
    let query = format!(
        "response_type=code&client_id=tm-local-client&redirect_uri={redirect}&code_challenge={challenge}&code_challenge_method=S256&state=s1"
    );
    let login = call("GET", &format!("{base}/oauth2/authorize?{query}"), None, None, &[]).await;
    assert!(login.text.contains("/signup?"), "the sign-in page links to sign-up: {}", login.text);
    let page = call("GET", &format!("{base}/signup?{query}"), None, None, &[]).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains(r#"name="email""#) && page.text.contains(r#"name="name""#), "{}", page.text);
    let form = |password: &str| format!("{query}&name=Ada%20Lovelace&email=ada%40example.com&password={password}");
    let form_headers = [("content-type", "application/x-www-form-urlencoded")];
    let weak = call("POST", &format!("{base}/signup"), None, Some(&form("short")), &form_headers).await;
    assert_eq!(weak.status, 400);
    assert!(
        weak.text.contains("at least 8") && weak.text.contains("Ada Lovelace"),
        "kept what was typed: {}",
        weak.text
    );
    let made =
        call("POST", &format!("{base}/signup"), None, Some(&form("correct%20horse%20battery")), &form_headers).await;
    assert_eq!(made.status, 303, "{}", made.text);
    let location = made.headers["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(redirect) && location.ends_with("&state=s1"), "{location}");
    let code = location.split("code=").nth(1).unwrap().split('&').next().unwrap();
    let exchanged = call(
        "POST",
        &format!("{base}/oauth2/token"),
        None,
        Some(&format!(
            "grant_type=authorization_code&client_id=tm-local-client&code={code}&redirect_uri={redirect}&code_verifier={verifier}"
        )),
        &form_headers,
    )
    .await;
    assert_eq!(exchanged.status, 200, "{}", exchanged.text);
    let (ada, _) = tokens(base, &exchanged.json());
    let me = ada.get("/v1/me").await.json();
    assert_eq!(me["isTenantAdmin"], true);
    let people = ada.get("/v1/users").await.json();
    assert_eq!(person(&people, "ada@example.com")["name"], "Ada Lovelace");
    let taken =
        call("POST", &format!("{base}/signup"), None, Some(&form("correct%20horse%20battery")), &form_headers).await;
    assert_eq!(taken.status, 409, "{}", taken.text);
}

/// Every route answers an access token exactly as it answers the ID token of the same
/// person. Requests that change nothing (unknown ids, empty bodies) keep the two calls
/// comparable: each is sent once with each token, and neither is refused for the token.
#[tokio::test]
async fn every_route_takes_the_access_token_as_it_takes_the_id_token() {
    let server = Server::start_as_shipped("people-every-route", &["--report-interval-minutes", "0"]);
    let base = server.base.as_str();
    let (id, access) = sign_up(base, "tess@example.com", "Tess Tokens").await;
    let sample = |name: &str| match name {
        "fy" => "2025-2026",
        "date" | "start" | "end" => "2025-07-29",
        "month" => "2025-07",
        "name" => "No-Such-Project",
        "tag" => "no-such-tag",
        _ => "no-such-id",
    };
    let mut checked = 0;
    for route in tm_service::http::routes::ROUTES.iter().filter(|r| r.authorized) {
        let path: String = route
            .path
            .split('/')
            .map(|segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(param) => sample(param),
                None => segment,
            })
            .collect::<Vec<_>>()
            .join("/");
        let body = (route.method != "GET" && route.method != "DELETE").then(|| json!({}));
        let by_id = send(&id, route.method, &path, body.clone()).await;
        let by_access = send(&access, route.method, &path, body).await;
        assert_ne!(by_id.status, 401, "{} {path}: {}", route.method, by_id.text);
        // Some answers are files (the export's zip): compare error codes where there are.
        let code = |r: &Reply| {
            serde_json::from_slice::<Value>(&r.bytes).ok().and_then(|v| v["error"]["code"].as_str().map(str::to_owned))
        };
        assert_eq!(
            (by_access.status, code(&by_access)),
            (by_id.status, code(&by_id)),
            "{} {path}: access token {} / ID token {}",
            route.method,
            by_access.text,
            by_id.text
        );
        checked += 1;
    }
    assert!(checked >= 50, "{checked} routes");
}

/// An invitation link works once, for the account it was made for: sending the
/// invitation again replaces it, and a person removed and invited again gets a new
/// account the old link cannot reach.
#[tokio::test]
async fn an_invitation_link_is_for_one_account_once() {
    let server = Server::start_as_shipped("people-links", &["--report-interval-minutes", "0"]);
    let base = server.base.as_str();
    let (admin, _) = sign_up(base, "olga@links.example", "Olga").await;
    let invite = async |email: &str| {
        let reply = send(&admin, "POST", "/v1/admin/users", Some(json!({"email": email, "name": "Dan"}))).await;
        (reply.status, reply.json())
    };
    let accept = async |link: &str, content_type: &str| {
        call("POST", link, None, Some(&json!({"password": PASSWORD}).to_string()), &[("content-type", content_type)])
            .await
    };

    // Inviting someone who has not accepted yet sends a new link; the old one stops.
    let (status, first) = invite("dan@links.example").await;
    assert_eq!(status, 201);
    let (status, again) = invite("dan@links.example").await;
    assert_eq!((status, &again["person"]["id"]), (200, &first["person"]["id"]), "{again}");
    let (old, new) = (first["invitation"]["link"].as_str().unwrap(), again["invitation"]["link"].as_str().unwrap());
    assert_ne!(old, new);
    assert_eq!(call("GET", old, None, None, &[]).await.status, 404);
    assert_eq!(accept(old, "application/json").await.code(), "invitation-unknown");
    // curl -d labels JSON a form: it is still read as JSON and answers tokens.
    let accepted = accept(new, "application/x-www-form-urlencoded").await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    assert!(accepted.json()["id_token"].is_string());
    let (status, signed_in) = invite("dan@links.example").await;
    assert_eq!((status, signed_in["error"]["code"].as_str()), (409, Some("already-in-tenant")), "{signed_in}");

    // Removed before accepting, invited again: the first link reaches nothing.
    let (_, eve) = invite("eve@links.example").await;
    let eve_id = eve["person"]["id"].as_str().unwrap().to_owned();
    let stale = eve["invitation"]["link"].as_str().unwrap().to_owned();
    // Admin routes name people by email as well as by id.
    let renamed = send(&admin, "PATCH", "/v1/admin/users/eve@links.example", Some(json!({"name": "Eve E."}))).await;
    assert_eq!((renamed.status, &renamed.json()["id"]), (200, &json!(eve_id)), "{}", renamed.text);
    assert_eq!(send(&admin, "DELETE", &format!("/v1/admin/users/{eve_id}"), None).await.status, 204);
    assert_eq!(call("GET", &stale, None, None, &[]).await.status, 404, "a removed person's link");
    let (status, fresh) = invite("eve@links.example").await;
    assert_eq!(status, 201, "{fresh}");
    assert_ne!(fresh["person"]["id"], json!(eve_id), "a new account");
    assert_eq!(accept(&stale, "application/json").await.code(), "invitation-unknown");
    let joined = accept(fresh["invitation"]["link"].as_str().unwrap(), "application/json").await;
    assert_eq!(joined.status, 200, "{}", joined.text);
}
