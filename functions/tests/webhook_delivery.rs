//! Issue 18: the webhook functions on moto with real event JSON. A DynamoDB Streams
//! batch of new change items reaches `webhook-fanout`, which queues one SQS message per
//! person with a webhook (none for a person without); `webhook-deliver` takes the SQS
//! event, delivers, and sends its message again delayed while a retry waits. A receiver
//! that fails twice and then succeeds gets the event exactly once, with the same id and
//! a valid signature on every try; a redelivered message sends nothing more. A change of
//! the tenant's feed wakes the tenant-wide webhooks, which send it as their maker reads it.

mod support;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use functions::Service;
use functions::webhooks::{SqsQueue, handle_stream, handle_tasks};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tm_service::context::AppContext;
use tm_service::handlers::webhooks::sign;
use tm_service::store::changes::{ChangeType, tenant_feed};
use tm_service::store::webhooks::{Webhook, WebhookScope, WebhookSecret, deliveries, save_webhook};
use tm_service::store::{Owner, StoredEntry, WriteOp};

const SECRET: &str = "whsec_moto";

#[derive(Default)]
struct Received {
    /// (event id, valid signature, answered status)
    requests: Vec<(String, bool, u16)>,
    script: Vec<u16>,
}

async fn receive(State(state): State<Arc<Mutex<Received>>>, headers: HeaderMap, body: String) -> StatusCode {
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let signature = header("temporal-mark-signature");
    let t: i64 = signature.split(',').find_map(|p| p.strip_prefix("t=")).and_then(|t| t.parse().ok()).unwrap_or(0);
    let valid = signature.split(',').any(|p| p.strip_prefix("v1=") == Some(sign(SECRET, t, &body).as_str()));
    let mut r = state.lock().unwrap();
    let status = if r.script.is_empty() { 200 } else { r.script.remove(0) };
    r.requests.push((header("temporal-mark-event-id"), valid, status));
    StatusCode::from_u16(status).unwrap()
}

async fn receiver(script: Vec<u16>) -> (String, Arc<Mutex<Received>>) {
    let state = Arc::new(Mutex::new(Received { requests: Vec::new(), script }));
    let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, state)
}

fn stream_record(pk: &str, sk: &str, sequence: u32) -> Value {
    json!({
        "eventID": format!("ev-{sequence}"),
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1764842400,
            "Keys": {"pk": {"S": pk}, "sk": {"S": sk}},
            "SequenceNumber": format!("{sequence:021}"),
            "SizeBytes": 120,
            "StreamViewType": "KEYS_ONLY"
        },
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026-12-04T00:00:00.000"
    })
}

/// A webhook `(id, tenant, user)` of `scope` for changes of type `events`, signed with
/// [`SECRET`], starting wherever the feed's end is when it is first delivered.
fn webhook(
    (id, tenant, user): (&str, &str, &str),
    scope: WebhookScope,
    url: String,
    events: ChangeType,
    at: chrono::DateTime<chrono::Utc>,
) -> Webhook {
    Webhook {
        id: id.into(),
        tenant: tenant.into(),
        user: user.into(),
        scope,
        url,
        events: vec![events],
        secrets: vec![WebhookSecret { value: SECRET.into(), created_at: at, retires_at: None }],
        created_at: at,
        cursor: None,
        pending: None,
        seen: Vec::new(),
        revision: 0,
    }
}

/// The SQS event Lambda hands the function for `messages`.
fn sqs_event(messages: &[aws_sdk_sqs::types::Message]) -> Value {
    let records: Vec<Value> = messages
        .iter()
        .map(|m| {
            json!({
                "messageId": m.message_id(),
                "receiptHandle": m.receipt_handle(),
                "body": m.body(),
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1764842400000",
                    "SenderId": "AIDAEXAMPLE", "ApproximateFirstReceiveTimestamp": "1764842400000"},
                "messageAttributes": {},
                "md5OfBody": m.md5_of_body(),
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:webhooks",
                "awsRegion": "us-east-1"
            })
        })
        .collect();
    json!({"Records": records})
}

async fn receive_messages(queue: &SqsQueue, wait: i32) -> Vec<aws_sdk_sqs::types::Message> {
    let out = queue
        .client
        .receive_message()
        .queue_url(&queue.queue_url)
        .max_number_of_messages(10)
        .wait_time_seconds(wait)
        .send()
        .await
        .unwrap();
    for m in out.messages() {
        queue
            .client
            .delete_message()
            .queue_url(&queue.queue_url)
            .receipt_handle(m.receipt_handle().unwrap())
            .send()
            .await
            .unwrap();
    }
    out.messages().to_vec()
}

#[tokio::test]
async fn stream_to_queue_to_receiver_with_retries_and_exactly_one_success() {
    let Some((name, store, objects)) = support::emulator_stores("tm-webhooks").await else { return };
    let mut ctx = AppContext::new(Arc::new(store), Arc::new(objects));
    ctx.webhooks.transport = Some(Arc::new(tm_outbound::HttpTransport::new(true)));
    ctx.webhooks.allow_loopback = true;
    ctx.webhooks.first_retry = Duration::from_millis(50);
    ctx.webhooks.attempts = 4;
    let service = Service::unscoped(ctx.clone());
    let config = aws_config::load_from_env().await;
    let client = aws_sdk_sqs::Client::new(&config);
    let queue_url = client.create_queue().queue_name(&name).send().await.unwrap().queue_url().unwrap().to_owned();
    let queue = SqsQueue { client, queue_url };

    let (url, state) = receiver(vec![500, 502]).await;
    let (viewer_url, viewer_state) = receiver(Vec::new()).await;

    let me = Owner::new("t-hooks", "hana").unwrap();
    let other = Owner::new("t-hooks", "nohook").unwrap();
    let at = (ctx.clock)();
    // Entries only: the share saved below is in the tenant's feed too, and DynamoDB's
    // feed end is a minute back (its settle window).
    let hook = webhook(("hook-1", "t-hooks", "hana"), WebhookScope::Person, url, ChangeType::EntryCreated, at);
    assert!(save_webhook(ctx.store.as_ref(), &hook, None).await.unwrap());
    // Vic views Hana's project P, and has a webhook too: he is told of her entries on it.
    let share = tm_core::domain::sharing::SharedProject {
        name: "P".into(),
        owner: "hana".into(),
        members: [("vic".to_owned(), tm_core::domain::sharing::Role::Viewer)].into(),
        former_members: Default::default(),
        revision: 0,
        updated_at: at,
    };
    assert!(tm_service::store::team::save_shared_project(ctx.store.as_ref(), "t-hooks", &share, None).await.unwrap());
    let mut viewer_hook = hook.clone();
    (viewer_hook.id, viewer_hook.user, viewer_hook.url) = ("hook-vic".into(), "vic".into(), viewer_url);
    assert!(save_webhook(ctx.store.as_ref(), &viewer_hook, None).await.unwrap());
    let entry = |id: &str| {
        WriteOp::PutEntry(StoredEntry {
            id: id.into(),
            entry: tm_core::domain::Entry {
                date: "2025-07-29".parse().unwrap(),
                start: tm_core::domain::ClockTime::parse("09:00").unwrap(),
                end: Some(tm_core::domain::ClockTime::parse("10:00").unwrap()),
                task: format!("Task {id}"),
                project: "P".into(),
                tags: Vec::new(),
                notes: Vec::new(),
            },
            created_at: at,
            updated_at: at,
        })
    };
    ctx.store.commit(&me, 0, vec![entry("mine")]).await.unwrap();
    ctx.store.commit(&other, 0, vec![entry("theirs")]).await.unwrap();

    // The stream batch, as Lambda receives it: the two change items' keys.
    let position = |owner: &Owner| {
        let ctx = ctx.clone();
        let owner = owner.clone();
        async move { ctx.store.changes(&owner, None, 10).await.unwrap().changes[0].position.clone() }
    };
    let event = json!({"Records": [
        stream_record(&me.partition(), &format!("CHG#{}", position(&me).await), 1),
        stream_record(&other.partition(), &format!("CHG#{}", position(&other).await), 2),
        stream_record(&me.partition(), "LOG#2025-2026", 3),
    ]});
    let answer = handle_stream(&service, &queue, event).await;
    assert!(answer.batch_item_failures.is_empty(), "{answer:?}");
    let messages = receive_messages(&queue, 1).await;
    let mut tasks: Vec<Value> = messages.iter().map(|m| serde_json::from_str(m.body().unwrap()).unwrap()).collect();
    tasks.sort_by_key(|t| t["user"].as_str().unwrap().to_owned());
    assert_eq!(
        tasks,
        [json!({"tenant": "t-hooks", "user": "hana"}), json!({"tenant": "t-hooks", "user": "vic"})],
        "a message for the author and for the colleague who reads her project; none for one without a webhook"
    );

    // The delivery function: a failure sends the message again, delayed; until it lands.
    let mut pending = messages;
    let mut rounds = 0;
    while !pending.is_empty() {
        rounds += 1;
        assert!(rounds <= 6, "delivered within a few rounds");
        let answer = handle_tasks(&service, &queue, sqs_event(&pending)).await;
        assert!(answer.batch_item_failures.is_empty(), "{answer:?}");
        pending = receive_messages(&queue, 3).await;
    }
    let requests = state.lock().unwrap().requests.clone();
    assert_eq!(requests.iter().map(|r| r.2).collect::<Vec<_>>(), [500, 502, 200], "{requests:?}");
    assert!(requests.iter().all(|r| r.0 == requests[0].0 && r.1), "the same id, signed, every time: {requests:?}");
    let viewer = viewer_state.lock().unwrap().requests.clone();
    assert_eq!(viewer.len(), 1, "Vic got Hana's entry on the shared project once: {viewer:?}");
    assert!(viewer[0].1 && viewer[0].2 == 200);
    let log = deliveries(ctx.store.as_ref(), &me, "hook-1", 10).await.unwrap();
    let outcomes: Vec<String> =
        log.iter().map(|d| serde_json::to_value(d.outcome).unwrap().as_str().unwrap().to_owned()).collect();
    assert_eq!(outcomes, ["delivered", "retrying", "retrying"]);

    // A redelivered message (SQS is at-least-once) sends nothing more.
    let again = json!({"Records": [{"messageId": "m-again", "receiptHandle": "r", "body": "{\"tenant\":\"t-hooks\",\"user\":\"hana\"}",
        "attributes": {}, "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:webhooks", "awsRegion": "us-east-1"}]});
    let answer = handle_tasks(&service, &queue, again).await;
    assert!(answer.batch_item_failures.is_empty());
    assert_eq!(state.lock().unwrap().requests.len(), 3, "exactly one success, no repeat");
    assert_eq!(viewer_state.lock().unwrap().requests.len(), 1);
    assert!(receive_messages(&queue, 0).await.is_empty(), "nothing waits");
}

#[tokio::test]
async fn a_tenant_feed_change_reaches_the_tenants_webhook_through_the_queue() {
    let Some((name, store, objects)) = support::emulator_stores("tm-tenant-hooks").await else { return };
    let mut ctx = AppContext::new(Arc::new(store), Arc::new(objects));
    ctx.webhooks.transport = Some(Arc::new(tm_outbound::HttpTransport::new(true)));
    ctx.webhooks.allow_loopback = true;
    let service = Service::unscoped(ctx.clone());
    let config = aws_config::load_from_env().await;
    let client = aws_sdk_sqs::Client::new(&config);
    let queue_url = client.create_queue().queue_name(&name).send().await.unwrap().queue_url().unwrap().to_owned();
    let queue = SqsQueue { client, queue_url };
    let (url, state) = receiver(Vec::new()).await;
    let at = (ctx.clock)();

    // Ada administers t-org and made a tenant-wide webhook for directory changes.
    let ada = Owner::new("t-org", "ada").unwrap();
    let mut admin = tm_service::store::DirectoryEntry::new(&ada, at);
    admin.admin = Some(true);
    assert!(tm_service::store::team::save_person(ctx.store.as_ref(), &admin, None).await.unwrap());
    let hook = webhook(("hook-org", "t-org", "ada"), WebhookScope::Tenant, url, ChangeType::PersonSaved, at);
    assert!(save_webhook(ctx.store.as_ref(), &hook, None).await.unwrap());
    // Bob joins: a change of the tenant's feed.
    let bob = Owner::new("t-org", "bob").unwrap();
    assert!(tm_service::store::team::register_user(ctx.store.as_ref(), &bob, at).await.unwrap());
    let feed = tenant_feed("t-org").unwrap();
    let changes = ctx.store.changes(&feed, None, 10).await.unwrap().changes;
    let joined = changes.last().unwrap().position.clone();
    let event = json!({"Records": [stream_record(&feed.partition(), &format!("CHG#{joined}"), 1)]});
    let answer = handle_stream(&service, &queue, event).await;
    assert!(answer.batch_item_failures.is_empty(), "{answer:?}");
    let messages = receive_messages(&queue, 1).await;
    let tasks: Vec<Value> = messages.iter().map(|m| serde_json::from_str(m.body().unwrap()).unwrap()).collect();
    assert_eq!(tasks, [json!({"tenant": "t-org", "user": ""})], "one task: the tenant's own webhooks");
    let answer = handle_tasks(&service, &queue, sqs_event(&messages)).await;
    assert!(answer.batch_item_failures.is_empty(), "{answer:?}");
    let requests = state.lock().unwrap().requests.clone();
    // Ada's own entry and Bob's both fall in the feed's settle window: both are sent, once.
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(requests.iter().all(|r| r.1 && r.2 == 200 && r.0.starts_with("tenant:")), "{requests:?}");
    assert_eq!(requests[1].0, format!("tenant:{joined}"));
    let log = deliveries(ctx.store.as_ref(), &feed, "hook-org", 10).await.unwrap();
    assert_eq!(log.len(), 2, "the delivery log is the webhook's, in the tenant's partition");

    // Once Ada is no administrator, it waits (and sends again when she is one).
    let read = tm_service::store::team::person(ctx.store.as_ref(), &ada).await.unwrap().unwrap();
    let mut demoted = read.clone();
    demoted.admin = Some(false);
    assert!(tm_service::store::team::save_person(ctx.store.as_ref(), &demoted, Some(read.revision)).await.unwrap());
    let cara = Owner::new("t-org", "cara").unwrap();
    assert!(tm_service::store::team::register_user(ctx.store.as_ref(), &cara, at).await.unwrap());
    let again = json!({"Records": [{"messageId": "m-org", "receiptHandle": "r", "body": "{\"tenant\":\"t-org\",\"user\":\"\"}",
        "attributes": {}, "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:webhooks", "awsRegion": "us-east-1"}]});
    assert!(handle_tasks(&service, &queue, again).await.batch_item_failures.is_empty());
    assert_eq!(state.lock().unwrap().requests.len(), 2, "nothing sent while its maker is no administrator");
}
