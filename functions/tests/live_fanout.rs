//! Issue 18: the real-time channel in AWS, on moto with API Gateway's and DynamoDB
//! Streams' event JSON. The authorizer allows a valid Cognito-style token (keys from a
//! JWKS endpoint) and denies an expired one or one for another app; `$connect` saves
//! the connection, `ready` answers its cursor; a stream batch of new change items
//! reaches the fan-out, which posts each change to the connections of the people who
//! may read it (the author, a colleague viewing her shared project; not another
//! tenant), never twice, forgets a gone connection, closes an expired one and one whose
//! person was disabled; `$disconnect` forgets a connection.

mod support;

use async_trait::async_trait;
use functions::Service;
use functions::live::{ConnectionPoster, PostError, authorize, connect, disconnect, fan_out, ready};
use serde_json::{Map, Value, json};
use std::sync::{Arc, Mutex};
use tm_service::context::AppContext;
use tm_service::store::live::connections;
use tm_service::store::team::{PersonStatus, person, register_user, save_person};
use tm_service::store::{Owner, StoredEntry, WriteOp};
use tm_tokens::keys::SigningKey;
use tm_tokens::{JwtVerifier, TrustedIssuer};

const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_live";
const CLIENT: &str = "live-app-client";

/// What the fan-out posted and closed; connections listed in `gone` answer 410.
#[derive(Default)]
struct Posted {
    messages: Mutex<Vec<(String, Value)>>,
    closed: Mutex<Vec<String>>,
    gone: Vec<String>,
}

#[async_trait]
impl ConnectionPoster for Posted {
    async fn post(&self, connection_id: &str, message: &str) -> Result<(), PostError> {
        if self.gone.iter().any(|g| g == connection_id) {
            return Err(PostError::Gone);
        }
        self.messages.lock().unwrap().push((connection_id.to_owned(), serde_json::from_str(message).unwrap()));
        Ok(())
    }

    async fn close(&self, connection_id: &str) -> Result<(), PostError> {
        self.closed.lock().unwrap().push(connection_id.to_owned());
        Ok(())
    }
}

impl Posted {
    fn take(&self) -> Vec<(String, Value)> {
        let mut all = std::mem::take(&mut *self.messages.lock().unwrap());
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }
}

fn claims(tenant: &str, user: &str, exp: i64) -> Map<String, Value> {
    let value = json!({"sub": user, "custom:tenant_id": tenant, "token_use": "id", "aud": CLIENT, "iss": ISSUER,
        "exp": exp, "iat": exp - 3600, "cognito:groups": ["admins"]});
    value.as_object().unwrap().clone()
}

/// A WebSocket route's event as API Gateway sends it, with the authorizer's context.
fn route_event(route: &str, connection: &str, claims: &Map<String, Value>, query: Value) -> Value {
    let event_type = match route {
        "$connect" => "CONNECT",
        "$disconnect" => "DISCONNECT",
        _ => "MESSAGE",
    };
    json!({
        "requestContext": {
            "routeKey": route,
            "eventType": event_type,
            "extendedRequestId": "abc=",
            "requestTime": "04/Dec/2026:12:00:00 +0000",
            "messageDirection": "IN",
            "stage": "live",
            "connectedAt": 1764849600000u64,
            "requestTimeEpoch": 1764849600000u64,
            "identity": {"sourceIp": "192.0.2.1"},
            "requestId": format!("req-{connection}-{route}"),
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
            "connectionId": connection,
            "apiId": "abc123",
            "authorizer": {"principalId": claims["sub"], "claims": Value::Object(claims.clone()).to_string(),
                "integrationLatency": 12}
        },
        "queryStringParameters": query,
        "isBase64Encoded": false,
        "body": if route == "ready" { json!("{\"action\":\"ready\"}") } else { Value::Null },
    })
}

fn stream_record(pk: &str, sk: &str, sequence: u32) -> Value {
    json!({
        "eventID": format!("ev-{sequence}"),
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1764849600,
            "Keys": {"pk": {"S": pk}, "sk": {"S": sk}},
            "SequenceNumber": format!("{sequence:021}"),
            "SizeBytes": 120,
            "StreamViewType": "KEYS_ONLY"
        },
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026-12-04T00:00:00.000"
    })
}

fn entry(id: &str, project: &str, at: chrono::DateTime<chrono::Utc>) -> WriteOp {
    WriteOp::PutEntry(StoredEntry {
        id: id.into(),
        entry: tm_core::domain::Entry {
            date: "2026-12-04".parse().unwrap(),
            start: tm_core::domain::ClockTime::parse("09:00").unwrap(),
            end: Some(tm_core::domain::ClockTime::parse("10:00").unwrap()),
            task: format!("Task {id}"),
            project: project.into(),
            tags: Vec::new(),
            notes: Vec::new(),
        },
        created_at: at,
        updated_at: at,
    })
}

/// The stream batch that a commit of `owner`'s made: its newest change item.
async fn batch(ctx: &AppContext, writes: &[(&Owner, u32)]) -> Value {
    let mut records = Vec::new();
    for (owner, sequence) in writes {
        let mut after = None;
        let mut last = None;
        loop {
            let page = ctx.store.changes(owner, after.as_deref(), 100).await.unwrap();
            last = page.changes.last().map(|c| c.position.clone()).or(last);
            if !page.has_more {
                break;
            }
            after = page.cursor;
        }
        records.push(stream_record(&owner.partition(), &format!("CHG#{}", last.unwrap()), *sequence));
    }
    json!({"Records": records})
}

/// The entries a message's changes name.
fn ids(message: &Value) -> Vec<String> {
    message["changes"].as_array().unwrap().iter().filter_map(|c| c["entryId"].as_str().map(str::to_owned)).collect()
}

/// The types of a message's changes from the tenant's feed.
fn tenant_types(message: &Value) -> Vec<String> {
    let changes = message["changes"].as_array().unwrap().iter();
    let tenant = changes.filter(|c| c["id"].as_str().is_some_and(|id| id.starts_with("tenant:")));
    let mut types: Vec<String> = tenant.map(|c| c["type"].as_str().unwrap().to_owned()).collect();
    types.sort();
    types
}

#[tokio::test]
async fn the_authorizer_allows_a_valid_token_and_denies_others() {
    let (key, _) = SigningKey::generate("live-key").unwrap();
    let jwks = serde_json::to_string(&key.jwks()).unwrap();
    let app = axum::Router::new().route("/.well-known/jwks.json", axum::routing::get(move || async move { jwks }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/.well-known/jwks.json", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let verifier = JwtVerifier::new(vec![TrustedIssuer {
        issuer: ISSUER.into(),
        jwks_url: Some(url),
        audiences: vec![CLIENT.into()],
    }]);
    let arn = "arn:aws:execute-api:us-east-1:123456789012:abc123/live/$connect";
    let request = |token: String| {
        json!({"type": "REQUEST", "methodArn": arn, "headers": {"Host": "abc123.execute-api.us-east-1.amazonaws.com"},
            "queryStringParameters": {"token": token}, "stageVariables": {},
            "requestContext": {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": "c-1", "apiId": "abc123"}})
    };
    let now = chrono::Utc::now().timestamp();

    let allowed = authorize(&verifier, request(key.sign(&claims("t-live", "hana", now + 3600)))).await;
    assert_eq!(allowed["principalId"], "hana");
    let statement = &allowed["policyDocument"]["Statement"][0];
    assert_eq!((statement["Effect"].as_str(), statement["Resource"].as_str()), (Some("Allow"), Some(arn)));
    let passed: Map<String, Value> = serde_json::from_str(allowed["context"]["claims"].as_str().unwrap()).unwrap();
    assert_eq!(passed["custom:tenant_id"], "t-live");
    assert!(passed.get("aud").is_none(), "only what makes the principal is passed on");
    assert!(!allowed.to_string().contains(&key.sign(&claims("t-live", "hana", now + 3600))), "no token in the context");

    let mut other_app = claims("t-live", "hana", now + 3600);
    other_app.insert("aud".into(), json!("someone-else"));
    let (forged, _) = SigningKey::generate("live-key").unwrap();
    for (why, token) in [
        ("expired", key.sign(&claims("t-live", "hana", now - 600))),
        ("another app's", key.sign(&other_app)),
        ("signed by another key", forged.sign(&claims("t-live", "hana", now + 3600))),
        ("not a token", "not-a-jwt".to_owned()),
    ] {
        let denied = authorize(&verifier, request(token)).await;
        assert_eq!(denied["policyDocument"]["Statement"][0]["Effect"], "Deny", "{why}");
        assert!(denied.get("context").is_none(), "{why}");
    }
    let denied = authorize(&verifier, json!({"not": "an authorizer event"})).await;
    assert_eq!(denied["policyDocument"]["Statement"][0]["Effect"], "Deny");
}

#[tokio::test]
async fn changes_reach_exactly_the_connections_of_the_people_who_may_read_them() {
    let Some((_, store, objects)) = support::emulator_stores("tm-live").await else { return };
    let ctx = AppContext::new(Arc::new(store), Arc::new(objects));
    let service = Service::unscoped(ctx.clone());
    let at = (ctx.clock)();
    let exp = at.timestamp() + 3600;
    let hana = Owner::new("t-live", "hana").unwrap();
    let vic = Owner::new("t-live", "vic").unwrap();
    let dora = Owner::new("t-live", "dora").unwrap();
    let zed = Owner::new("t-other", "zed").unwrap();
    for owner in [&hana, &vic, &dora, &zed] {
        register_user(ctx.store.as_ref(), owner, at).await.unwrap();
    }
    // Vic and Dora view Hana's project P.
    let share = tm_core::domain::sharing::SharedProject {
        name: "P".into(),
        owner: "hana".into(),
        members: [
            ("vic".to_owned(), tm_core::domain::sharing::Role::Viewer),
            ("dora".to_owned(), tm_core::domain::sharing::Role::Viewer),
        ]
        .into(),
        former_members: Default::default(),
        revision: 0,
        updated_at: at,
    };
    assert!(tm_service::store::team::save_shared_project(ctx.store.as_ref(), "t-live", &share, None).await.unwrap());

    // Connections: Hana twice (one of them will be gone), Vic, Dora, Zed, and Vic with
    // a token that expires before the fan-out.
    let people = [
        ("c-hana", &hana, exp),
        ("c-hana-gone", &hana, exp),
        ("c-vic", &vic, exp),
        ("c-dora", &dora, exp),
        ("c-zed", &zed, exp),
        ("c-vic-expired", &vic, at.timestamp() + 1),
    ];
    for (id, owner, exp) in people {
        let answer =
            connect(&service, route_event("$connect", id, &claims(owner.tenant(), owner.user(), exp), json!({}))).await;
        assert_eq!(answer["statusCode"], 200, "{id}: {answer}");
    }
    // A bad cursor is refused as a request's would be; no connection is kept.
    let refused = connect(
        &service,
        route_event("$connect", "c-bad", &claims("t-live", "vic", exp), json!({"since": "not-a-cursor"})),
    )
    .await;
    assert_eq!(refused["statusCode"], 400);
    assert!(refused["body"].as_str().unwrap().contains("invalid-cursor"), "{refused}");
    // No verified claims: refused.
    let mut anonymous = route_event("$connect", "c-anon", &claims("t-live", "vic", exp), json!({}));
    anonymous["requestContext"]["authorizer"] = Value::Null;
    assert_eq!(connect(&service, anonymous).await["statusCode"], 401);

    let ready_answer = ready(&service, route_event("ready", "c-vic", &claims("t-live", "vic", exp), json!(null))).await;
    assert_eq!(ready_answer["statusCode"], 200);
    let message: Value = serde_json::from_str(ready_answer["body"].as_str().unwrap()).unwrap();
    assert_eq!(message["type"], "ready");
    assert!(message["cursor"].as_str().is_some_and(|c| !c.is_empty()));

    // Hana logs an hour on P, another on her private Q; Zed, in another tenant, on his P.
    ctx.store.commit(&hana, 0, vec![entry("on-p", "P", at), entry("private", "Q", at)]).await.unwrap();
    ctx.store.commit(&zed, 0, vec![entry("zeds", "P", at)]).await.unwrap();
    // Dora is disabled before the fan-out runs: she stops receiving, and is closed.
    let mut disabled = person(ctx.store.as_ref(), &dora).await.unwrap().unwrap();
    let read = disabled.revision;
    disabled.status = PersonStatus::Disabled;
    assert!(save_person(ctx.store.as_ref(), &disabled, Some(read)).await.unwrap());
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await; // c-vic-expired's token expires

    let poster = Posted { gone: vec!["c-hana-gone".into()], ..Default::default() };
    let event = batch(&ctx, &[(&hana, 1), (&zed, 2)]).await;
    let answer = fan_out(&service, &poster, event.clone()).await;
    assert!(answer.batch_item_failures.is_empty(), "{answer:?}");
    let posted = poster.take();
    let by_connection: Vec<(&str, Vec<String>)> = posted.iter().map(|(c, m)| (c.as_str(), ids(m))).collect();
    let mut hanas = vec!["on-p".to_owned(), "private".to_owned()];
    hanas.sort();
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(
        by_connection.iter().map(|(c, v)| (*c, sorted(v.clone()))).collect::<Vec<_>>(),
        vec![("c-hana", hanas), ("c-vic", vec!["on-p".to_owned()]), ("c-zed", vec!["zeds".to_owned()])],
        "the author gets both, the viewer of P only P's, the other tenant only his own; nothing to Dora"
    );
    // The tenant's records (in DynamoDB's settle window, so all of them): four people
    // joined t-live and one was disabled, P was shared; Zed's tenant has him alone.
    let tenant_of = |id: &str| tenant_types(&posted.iter().find(|(c, _)| c == id).unwrap().1);
    let t_live = ["person.saved", "person.saved", "person.saved", "person.saved", "share.saved"];
    assert_eq!(
        (tenant_of("c-hana"), tenant_of("c-vic")),
        (t_live.map(String::from).to_vec(), t_live.map(String::from).to_vec())
    );
    assert_eq!(tenant_of("c-zed"), ["person.saved"], "only his own tenant's");
    for (_, message) in &posted {
        assert_eq!(message["type"], "changes");
        assert!(message["cursor"].as_str().is_some());
    }
    let vic_changes = posted.iter().find(|(c, _)| c == "c-vic").unwrap().1["changes"].as_array().unwrap().clone();
    let vic_change = vic_changes.iter().find(|c| c["entryId"] == "on-p").unwrap();
    assert_eq!(vic_change["user"], "hana", "a colleague's change names its author");
    let mut closed = poster.closed.lock().unwrap().clone();
    closed.sort();
    assert_eq!(closed, ["c-dora", "c-vic-expired"], "the disabled person's and the expired token's are closed");
    let open: Vec<String> = connections(ctx.store.as_ref(), &hana).await.unwrap().into_iter().map(|c| c.id).collect();
    assert_eq!(open, ["c-hana"], "the gone connection is forgotten");
    assert!(connections(ctx.store.as_ref(), &dora).await.unwrap().is_empty());

    // The same batch again (Lambda retries) and a later one send nothing twice.
    assert!(fan_out(&service, &poster, event).await.batch_item_failures.is_empty());
    assert!(poster.take().is_empty(), "a change is posted once per connection");
    ctx.store.commit(&hana, 1, vec![entry("later", "P", at)]).await.unwrap();
    assert!(fan_out(&service, &poster, batch(&ctx, &[(&hana, 3)]).await).await.batch_item_failures.is_empty());
    let later: Vec<(String, Vec<String>)> = poster.take().into_iter().map(|(c, m)| (c, ids(&m))).collect();
    assert_eq!(
        later,
        [("c-hana".to_owned(), vec!["later".to_owned()]), ("c-vic".to_owned(), vec!["later".to_owned()])]
    );

    // $disconnect forgets it: nothing more is posted there.
    let gone =
        disconnect(&service, route_event("$disconnect", "c-vic", &claims("t-live", "vic", exp), json!(null))).await;
    assert_eq!(gone["statusCode"], 200);
    assert!(connections(ctx.store.as_ref(), &vic).await.unwrap().is_empty());
    let after = ready(&service, route_event("ready", "c-vic", &claims("t-live", "vic", exp), json!(null))).await;
    assert_eq!(after["statusCode"], 410);
}
