//! Log uploads on moto, the way AWS runs them: a presigned URL from the API, a real HTTP
//! PUT to S3, the S3 notification delivered to SQS, and the ingest function handling the
//! SQS batch; plus direct uploads, rejections, stale base versions, a 10 000-entry log
//! and an export re-imported by a fresh user.

mod support;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use lambda_http::Body;
use serde_json::{Value, json};
use std::io::Read as _;
use std::sync::Arc;
use std::time::Duration;
use tm_aws::dynamo::DynamoStore;
use tm_core::domain::calendar::FiscalCalendar;
use tm_core::markdown::render_log;
use tm_service::context::AppContext;
use tm_service::http::routes::route_by_function;
use tm_service::jobs::uploads::{ObjectCreated, on_object_created};
use tm_service::store::UploadStatus;
use tm_testkit::generator::generate_entries;

const FIXTURE: &str = include_str!("../../tests/fixtures/vault/time-logs/time-log-2025-2026.md");

struct Setup {
    ctx: AppContext,
    store: DynamoStore,
    table: String,
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
}

async fn setup() -> Option<Setup> {
    let (name, store, objects) = support::emulator_stores("tm-uploads").await?;

    // uploads/ → SQS, as the template wires it.
    let config = aws_config::load_from_env().await;
    let sqs = aws_sdk_sqs::Client::new(&config);
    let queue_url = sqs.create_queue().queue_name(&name).send().await.unwrap().queue_url.unwrap();
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap();
    let queue_arn = attributes.attributes.unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn].clone();
    use aws_sdk_s3::types::{
        Event, FilterRule, FilterRuleName, NotificationConfiguration, NotificationConfigurationFilter,
        QueueConfiguration, S3KeyFilter,
    };
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&config).force_path_style(true).build());
    let filter = NotificationConfigurationFilter::builder()
        .key(
            S3KeyFilter::builder()
                .filter_rules(FilterRule::builder().name(FilterRuleName::Prefix).value("uploads/").build())
                .build(),
        )
        .build();
    s3.put_bucket_notification_configuration()
        .bucket(&name)
        .notification_configuration(
            NotificationConfiguration::builder()
                .queue_configurations(
                    QueueConfiguration::builder()
                        .queue_arn(queue_arn)
                        .events(Event::S3ObjectCreated)
                        .filter(filter)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let ctx = AppContext::new(Arc::new(store.clone()), Arc::new(objects));
    Some(Setup { ctx, store, table: name, sqs, queue_url })
}

fn claims(sub: &str) -> Value {
    json!({"sub": sub, "custom:tenant_id": "acme", "cognito:groups": "[]", "token_use": "id", "aud": "client"})
}

/// One API Gateway v2 event through the function of `function`.
async fn api(
    ctx: &AppContext,
    who: &str,
    function: &str,
    method: &str,
    params: Value,
    query: &str,
    body: Option<&str>,
) -> (u16, Vec<u8>) {
    let route = route_by_function(function).unwrap();
    let content_type =
        if body.is_some_and(|b| b.trim_start().starts_with('{')) { "application/json" } else { "text/markdown" };
    let raw = json!({
        "version": "2.0", "routeKey": format!("{method} {}", route.path), "rawPath": route.path, "rawQueryString": query,
        "headers": {"content-type": content_type},
        "requestContext": {
            "accountId": "123456789012", "apiId": "api", "domainName": "api.example.com", "domainPrefix": "api",
            "http": {"method": method, "path": route.path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "test"},
            "requestId": "req", "routeKey": format!("{method} {}", route.path), "stage": "$default",
            "time": "28/Nov/2026:10:00:00 +0000", "timeEpoch": 1_795_000_000_000u64,
            "authorizer": {"jwt": {"claims": claims(who), "scopes": null}},
        },
        "isBase64Encoded": false, "pathParameters": params, "body": body,
    });
    let event = lambda_http::request::from_str(&raw.to_string()).unwrap();
    let response = functions::handle_event(&functions::Service::unscoped(ctx.clone()), route, event).await;
    let status = response.status().as_u16();
    let bytes = match response.body() {
        Body::Text(t) => t.as_bytes().to_vec(),
        Body::Binary(b) => b.clone(),
        _ => Vec::new(),
    };
    (status, bytes)
}

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

async fn http_put(url: &str, content_type: &str, body: &str) -> u16 {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let request = hyper::Request::builder()
        .method("PUT")
        .uri(url)
        .header("content-type", content_type)
        .body(Full::new(Bytes::from(body.to_owned())))
        .unwrap();
    let response = tokio::time::timeout(Duration::from_secs(30), client.request(request)).await.unwrap().unwrap();
    let status = response.status().as_u16();
    let _ = response.into_body().collect().await;
    status
}

/// The SQS messages S3 delivered (waits up to 10 s for at least one), as the Lambda
/// event the SQS event source would pass.
async fn receive_sqs_event(setup: &Setup) -> Value {
    for _ in 0..20 {
        let out = setup
            .sqs
            .receive_message()
            .queue_url(&setup.queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        let records: Vec<Value> = out
            .messages()
            .iter()
            .map(|m| json!({"messageId": m.message_id(), "receiptHandle": m.receipt_handle(), "body": m.body(), "eventSource": "aws:sqs"}))
            .collect();
        if !records.is_empty() {
            return json!({"Records": records});
        }
    }
    panic!("no S3 notification reached the queue");
}

async fn fy_report(ctx: &AppContext, who: &str) -> Value {
    let (status, body) =
        api(ctx, who, "reports-fiscal-year", "GET", json!({"fy": "2025-2026"}), "groupBy=project", None).await;
    assert_eq!(status, 200);
    json_of(&body)
}

#[tokio::test]
async fn presigned_upload_is_ingested_from_the_real_s3_event_once() {
    let Some(setup) = setup().await else { return };
    let ctx = &setup.ctx;
    let (status, body) = api(
        ctx,
        "alice",
        "logs-upload-create",
        "POST",
        json!({}),
        "",
        Some(r#"{"fileName": "time-log-2025-2026.md"}"#),
    )
    .await;
    assert_eq!(status, 201);
    let upload = json_of(&body);
    let id = upload["uploadId"].as_str().unwrap().to_owned();
    assert_eq!((upload["status"].as_str(), upload["maxBytes"].as_u64()), (Some("pending"), Some(5 * 1024 * 1024)));

    // The file goes straight to S3 with the presigned URL.
    assert_eq!(http_put(upload["url"].as_str().unwrap(), "text/markdown", FIXTURE).await, 200);
    let event = receive_sqs_event(&setup).await;
    let answer = functions::ingest::handle_sqs(&functions::Service::unscoped(ctx.clone()), event.clone()).await;
    assert_eq!(serde_json::to_value(answer).unwrap(), json!({"batchItemFailures": []}));

    let (_, body) = api(ctx, "alice", "uploads-get", "GET", json!({"id": id}), "", None).await;
    let report = json_of(&body);
    assert_eq!(
        (report["status"].as_str(), report["summary"]["inserted"].as_u64()),
        (Some("applied"), Some(10)),
        "{report}"
    );
    let (status, log) = api(ctx, "alice", "logs-get", "GET", json!({"fy": "2025-2026"}), "", None).await;
    assert_eq!(status, 200);
    assert_eq!(String::from_utf8(log).unwrap(), FIXTURE, "the hand-written log downloads unchanged");
    let before = fy_report(ctx, "alice").await;
    assert_eq!(before["summary"]["totalMinutes"], 960);

    // The same event again: the same state, nothing written.
    let writes = setup.store.write_counts();
    let answer = functions::ingest::handle_sqs(&functions::Service::unscoped(ctx.clone()), event).await;
    assert_eq!(serde_json::to_value(answer).unwrap(), json!({"batchItemFailures": []}));
    assert_eq!(setup.store.write_counts(), writes, "a redelivered event writes nothing");
    let (_, body) = api(ctx, "alice", "uploads-get", "GET", json!({"id": id}), "", None).await;
    assert_eq!(json_of(&body), report);

    // Someone else's key, or a key outside uploads/, is ignored.
    for key in [
        format!("uploads/tenants/acme/users/bob/{id}/time-log-2025-2026.md"),
        "tenants/acme/users/alice/logs/time-log-2025-2026/v00000001.md".to_owned(),
    ] {
        let event = ObjectCreated { key, size: Some(10), version_id: None, sequencer: Some("1".into()) };
        assert_eq!(on_object_created(ctx, &event).await.unwrap(), None);
    }
    assert_eq!(setup.store.write_counts(), writes);
    assert_eq!(fy_report(ctx, "alice").await, before);

    // An object over 5 MB is refused from the event's size, without reading it.
    let (_, body) = api(
        ctx,
        "alice",
        "logs-upload-create",
        "POST",
        json!({}),
        "",
        Some(r#"{"fileName": "time-log-2025-2026.md"}"#),
    )
    .await;
    let big = json_of(&body);
    let key = format!("uploads/tenants/acme/users/alice/{}/time-log-2025-2026.md", big["uploadId"].as_str().unwrap());
    let event = ObjectCreated { key, size: Some(6 * 1024 * 1024), version_id: None, sequencer: Some("2".into()) };
    let record = on_object_created(ctx, &event).await.unwrap().unwrap();
    assert_eq!((record.status, record.diagnostics[0].code.as_str()), (UploadStatus::Rejected, "file-too-large"));
    assert_eq!(fy_report(ctx, "alice").await, before);
}

#[tokio::test]
async fn rejected_and_stale_uploads_change_nothing() {
    let Some(setup) = setup().await else { return };
    let ctx = &setup.ctx;
    let fy = json!({"fy": "2025-2026"});
    let (status, body) = api(ctx, "carol", "logs-put", "PUT", fy.clone(), "", Some(FIXTURE)).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(json_of(&body)["logVersion"], 1);
    let before = fy_report(ctx, "carol").await;

    // Every error of a broken file, with its line; nothing changes.
    let broken = FIXTURE
        .replace("### 2025-07-29", "### 2025-02-30")
        .replace("- **12:00-12:45**: Lunch", "- **11:30-12:45**: Lunch")
        .replace("- **09:00-12:00**: Built", "- **25:00-12:00**: Built");
    let (status, body) = api(ctx, "carol", "logs-put", "PUT", fy.clone(), "", Some(&broken)).await;
    let report = json_of(&body);
    assert_eq!((status, report["status"].as_str()), (422, Some("rejected")), "{report}");
    let codes: Vec<(u64, &str)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| (d["line"].as_u64().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert!(codes.contains(&(13, "invalid-date-header")), "{codes:?}");
    assert!(codes.contains(&(9, "overlap")) && codes.contains(&(10, "overlap")), "{codes:?}");
    assert!(codes.iter().any(|(line, _)| *line == 26), "{codes:?}");
    assert_eq!(report["error"]["code"], "log-rejected");
    assert_eq!(fy_report(ctx, "carol").await, before);

    // An API write moves the log to version 2; a file edited from version 1 is stale.
    let (status, _) = api(
        ctx,
        "carol",
        "entries-create",
        "POST",
        json!({}),
        "",
        Some(r#"{"date": "2025-08-05", "startTime": "09:00", "endTime": "10:00", "task": "Added through the API"}"#),
    )
    .await;
    assert_eq!(status, 201);
    let edited = FIXTURE.replace("Designed landing page", "Designed the landing page");
    let (status, body) = api(ctx, "carol", "logs-put", "PUT", fy.clone(), "baseVersion=1", Some(&edited)).await;
    let report = json_of(&body);
    assert_eq!((status, report["status"].as_str(), report["logVersion"].as_u64()), (409, Some("conflict"), Some(2)));
    let (_, log) = api(ctx, "carol", "logs-get", "GET", fy.clone(), "", None).await;
    assert!(String::from_utf8(log).unwrap().contains("Added through the API"), "the API entry survived");

    // Through a presigned upload the same: the report says conflict.
    let (_, body) = api(
        ctx,
        "carol",
        "logs-upload-create",
        "POST",
        json!({}),
        "",
        Some(r#"{"fileName": "time-log-2025-2026.md", "baseVersion": 1}"#),
    )
    .await;
    let upload = json_of(&body);
    assert_eq!(http_put(upload["url"].as_str().unwrap(), "text/markdown", &edited).await, 200);
    functions::ingest::handle_sqs(&functions::Service::unscoped(ctx.clone()), receive_sqs_event(&setup).await).await;
    let (_, body) = api(ctx, "carol", "uploads-get", "GET", json!({"id": upload["uploadId"]}), "", None).await;
    assert_eq!(json_of(&body)["status"], "conflict");
    let (_, body) = api(ctx, "carol", "logs-list", "GET", json!({}), "", None).await;
    let logs = json_of(&body);
    assert_eq!(logs["logs"][0]["lastIngest"]["status"], "conflict");
    assert_eq!(logs["logs"][0]["entryCount"], 11);

    // Every version stays retrievable.
    let (_, v1) = api(ctx, "carol", "logs-get", "GET", fy.clone(), "version=1", None).await;
    assert_eq!(String::from_utf8(v1).unwrap(), FIXTURE);
}

#[tokio::test]
async fn a_ten_thousand_entry_log_ingests_atomically_and_a_one_line_change_writes_one_entry() {
    let Some(setup) = setup().await else { return };
    let ctx = &setup.ctx;
    let fy = FiscalCalendar::default().parse_label("2025-2026").unwrap();
    let entries = generate_entries(7, &fy, 10_000);
    let text = render_log("2025-2026", &entries);
    let params = json!({"fy": "2025-2026"});
    let (status, body) = api(ctx, "dave", "logs-put", "PUT", params.clone(), "", Some(&text)).await;
    let report = json_of(&body);
    assert_eq!((status, report["summary"]["inserted"].as_u64()), (200, Some(10_000)), "{}", report["message"]);
    let (_, log) = api(ctx, "dave", "logs-get", "GET", params.clone(), "", None).await;
    assert_eq!(String::from_utf8(log).unwrap(), text);

    // One changed line: one entry rewritten, in one transaction.
    let line = text.lines().find(|l| l.starts_with("- **")).unwrap();
    let changed = text.replacen(line, &line.replacen("**: ", "**: Revised ", 1), 1);
    let writes = setup.store.write_counts();
    let (status, body) = api(ctx, "dave", "logs-put", "PUT", params.clone(), "baseVersion=1", Some(&changed)).await;
    let report = json_of(&body);
    assert_eq!((status, report["summary"]["updated"].as_u64(), report["logVersion"].as_u64()), (200, Some(1), Some(2)));
    let (requests, items) = setup.store.write_counts();
    // The upload's pending record with its change to the feed (one transaction), then
    // one transaction: entry, id pointer, its day's marker, version, log state, month
    // version, upload record, audit record, and the feed's two changes (entry, upload).
    assert_eq!(requests - writes.0, 2, "one transaction after the upload record");
    assert!(items - writes.1 <= 12, "about one entry written: {} items", items - writes.1);
    let (_, log) = api(ctx, "dave", "logs-get", "GET", params, "", None).await;
    assert_eq!(String::from_utf8(log).unwrap(), changed);
}

#[tokio::test]
async fn an_export_re_imported_by_a_fresh_user_gives_identical_reports() {
    let Some(setup) = setup().await else { return };
    let ctx = &setup.ctx;
    let project_file = include_str!("../../tests/fixtures/vault/projects/website-redesign.md");
    let (status, body) =
        api(ctx, "erin", "projects-put-file", "PUT", json!({"name": "Website Redesign"}), "", Some(project_file)).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let (status, _) = api(ctx, "erin", "logs-put", "PUT", json!({"fy": "2025-2026"}), "", Some(FIXTURE)).await;
    assert_eq!(status, 200);
    let (status, zip) = api(ctx, "erin", "export", "GET", json!({}), "format=markdown", None).await;
    assert_eq!(status, 200);

    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        files.push((file.name().unwrap().into_owned(), text));
    }
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"time-log-2025-2026.md") && names.contains(&"projects/Website Redesign.md"), "{names:?}");
    // Project files first (they carry goals), then logs, as `tm` users would upload a vault.
    files.sort_by_key(|(name, _)| !name.starts_with("projects/"));
    for (name, text) in &files {
        let (status, body) = match name.strip_prefix("projects/").and_then(|n| n.strip_suffix(".md")) {
            Some(project) => {
                api(ctx, "frank", "projects-put-file", "PUT", json!({"name": project}), "", Some(text)).await
            }
            None => {
                let fy = name.trim_start_matches("time-log-").trim_end_matches(".md");
                api(ctx, "frank", "logs-put", "PUT", json!({"fy": fy}), "", Some(text)).await
            }
        };
        assert_eq!(status, 200, "{name}: {}", String::from_utf8_lossy(&body));
    }
    assert_eq!(fy_report(ctx, "frank").await, fy_report(ctx, "erin").await);
    let (_, original) = api(ctx, "erin", "projects-list", "GET", json!({}), "", None).await;
    let (_, imported) = api(ctx, "frank", "projects-list", "GET", json!({}), "", None).await;
    assert_eq!(json_of(&imported), json_of(&original));
}

#[tokio::test]
async fn a_large_ingest_in_progress_holds_off_readers_and_writers_until_done_or_abandoned() {
    let Some(setup) = setup().await else { return };
    let ctx = &setup.ctx;
    let entry = r#"{"date": "2025-08-05", "startTime": "09:00", "endTime": "10:00", "task": "Planning"}"#;
    assert_eq!(api(ctx, "hana", "entries-create", "POST", json!({}), "", Some(entry)).await.0, 201);

    // A large ingest has marked the user (as step 1 of a batched apply does).
    let config = aws_config::load_from_env().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&config);
    use aws_sdk_dynamodb::types::AttributeValue;
    let mark = |since: i64| {
        dynamo
            .update_item()
            .table_name(&setup.table)
            .key("pk", AttributeValue::S("T#acme#U#hana".into()))
            .key("sk", AttributeValue::S("VERSION".into()))
            .update_expression("SET ingesting = :u, ingestingSince = :s")
            .expression_attribute_values(":u", AttributeValue::S("some-upload".into()))
            .expression_attribute_values(":s", AttributeValue::N(since.to_string()))
            .send()
    };
    let now = chrono::Utc::now().timestamp();
    mark(now).await.unwrap();
    let other = r#"{"date": "2025-08-06", "startTime": "09:00", "endTime": "10:00", "task": "Review"}"#;
    let (status, body) = api(ctx, "hana", "entries-create", "POST", json!({}), "", Some(other)).await;
    assert_eq!((status, json_of(&body)["error"]["code"].as_str()), (503, Some("ingest-in-progress")));
    let (status, _) = api(ctx, "hana", "entries-list", "GET", json!({}), "", None).await;
    assert_eq!(status, 503, "no half-applied list");
    let (status, _) = api(ctx, "hana", "daily-get", "GET", json!({"date": "2025-08-05"}), "", None).await;
    assert_eq!(status, 503, "no half-applied report");

    // Abandoned (every retry failed, 15 minutes passed): the user can write again, and
    // the write clears the mark.
    mark(now - 16 * 60).await.unwrap();
    let (status, _) = api(ctx, "hana", "entries-create", "POST", json!({}), "", Some(other)).await;
    assert_eq!(status, 201);
    let item = dynamo
        .get_item()
        .table_name(&setup.table)
        .key("pk", AttributeValue::S("T#acme#U#hana".into()))
        .key("sk", AttributeValue::S("VERSION".into()))
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    assert!(!item.contains_key("ingesting"), "{item:?}");
    let (status, body) = api(ctx, "hana", "entries-list", "GET", json!({}), "", None).await;
    assert_eq!((status, json_of(&body)["entries"].as_array().map(Vec::len)), (200, Some(2)));
}

/// A DynamoDB Streams record (KEYS_ONLY) of a user's item, as the stream delivers it.
fn stream_record(user: &str, sk: &str, sequence: u32) -> Value {
    json!({
        "eventID": format!("e{sequence}"), "eventName": "MODIFY", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {"Keys": {"pk": {"S": format!("T#acme#U#{user}")}, "sk": {"S": sk}},
                     "SequenceNumber": sequence.to_string(), "SizeBytes": 50, "StreamViewType": "KEYS_ONLY"},
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-12-02T00:00:00.000"
    })
}

#[tokio::test]
async fn entry_writes_answer_without_rendering_and_one_stream_batch_publishes_the_year_once() {
    let Some(mut setup) = setup().await else { return };
    setup.ctx.publishing = tm_service::context::Publishing::Stream;
    let ctx = &setup.ctx;
    let fy = json!({"fy": "2025-2026"});
    let (status, _) = api(ctx, "fay", "logs-put", "PUT", fy.clone(), "", Some(FIXTURE)).await;
    assert_eq!(status, 200, "an upload publishes its own version at once");
    let mut records = Vec::new();
    for (n, day) in (11..=13).enumerate() {
        let body =
            format!(r#"{{"date": "2025-08-{day}", "startTime": "09:00", "endTime": "09:30", "task": "Standup"}}"#);
        let (status, answer) = api(ctx, "fay", "entries-create", "POST", json!({}), "", Some(&body)).await;
        assert_eq!(status, 201, "{}", json_of(&answer));
        records.push(stream_record("fay", "LOG#2025-2026", 10 + 2 * n as u32));
        records.push(stream_record("fay", &format!("E#2025-08-{day}T09:00#x"), 11 + 2 * n as u32));
    }
    let listed = |body: &[u8]| -> Vec<(u64, bool)> {
        let all = json_of(body)["versions"].as_array().unwrap().clone();
        all.iter().map(|v| (v["version"].as_u64().unwrap(), v["published"].as_bool().unwrap())).collect()
    };
    let (_, before) = api(ctx, "fay", "logs-versions", "GET", fy.clone(), "", None).await;
    assert_eq!(listed(&before), vec![(4, false), (1, true)], "the writes rendered nothing");
    let (_, rendered) = api(ctx, "fay", "logs-get", "GET", fy.clone(), "", None).await;
    assert!(String::from_utf8_lossy(&rendered).contains("### 2025-08-13"), "a read renders the current version");

    let service = functions::Service::unscoped(ctx.clone());
    let memory = functions::publisher::Memory::default();
    let event = json!({"Records": records});
    let answer = serde_json::to_value(functions::publisher::handle_stream(&service, &memory, event.clone()).await);
    assert_eq!(answer.unwrap(), json!({"batchItemFailures": []}));
    let (_, after) = api(ctx, "fay", "logs-versions", "GET", fy.clone(), "", None).await;
    assert_eq!(listed(&after), vec![(4, true), (1, true)], "one publish for the batch");
    assert!(json_of(&after)["versions"][0]["size"].as_u64().unwrap() < 1000, "a patch: {}", json_of(&after));
    let (_, v4) = api(ctx, "fay", "logs-get", "GET", fy.clone(), "version=4", None).await;
    assert_eq!(v4, rendered);
    // A redelivered batch stores nothing new.
    functions::publisher::handle_stream(&service, &memory, event).await;
    let (_, again) = api(ctx, "fay", "logs-versions", "GET", fy, "", None).await;
    assert_eq!(listed(&again), listed(&after));
}
