//! Scheduled reports on the emulator (moto), as AWS runs them: the scheduler fans out
//! one SQS message per user and tenant, the worker consumes them in batches. 500 users,
//! one with corrupt data: everyone else gets a report, the broken one's message is the
//! only failure (SQS would retry it, then dead-letter it); a second run of the same
//! period writes nothing.

mod support;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, NaiveDate, Utc};
use functions::reports::{SqsSink, handle_schedule, handle_tasks};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use tm_core::domain::{ClockTime, Entry};
use tm_service::context::AppContext;
use tm_service::store::team::{ReportScope, generated_report, register_user};
use tm_service::store::{EntryStore, Owner, Profile, SettingsStore, StoredEntry, WriteOp};

const TENANTS: usize = 5;
const USERS_PER_TENANT: usize = 100;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Drains the queue through the worker, 10 messages per batch as the event source
/// mapping would; returns the bodies of the messages the worker reported failed.
async fn drain(ctx: &AppContext, sqs: &aws_sdk_sqs::Client, queue_url: &str) -> Vec<Value> {
    let mut failed = Vec::new();
    let mut empty = 0;
    while empty < 2 {
        let out = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .visibility_timeout(300)
            .send()
            .await
            .unwrap();
        let messages = out.messages();
        if messages.is_empty() {
            empty += 1;
            continue;
        }
        let records: Vec<Value> = messages
            .iter()
            .map(|m| json!({"messageId": m.message_id(), "body": m.body(), "eventSource": "aws:sqs"}))
            .collect();
        let answer = serde_json::to_value(
            handle_tasks(&functions::Service::unscoped(ctx.clone()), json!({"Records": records})).await,
        )
        .unwrap();
        let failures: HashSet<String> = answer["batchItemFailures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["itemIdentifier"].as_str().unwrap().to_owned())
            .collect();
        for m in messages {
            if failures.contains(m.message_id().unwrap()) {
                failed.push(serde_json::from_str(m.body().unwrap()).unwrap());
            }
            // A failed task is recorded and removed too: left in the queue it would come
            // back into a later drain once its visibility timeout ends (on a slow machine,
            // within this test), where it would count as a new failure.
            sqs.delete_message().queue_url(queue_url).receipt_handle(m.receipt_handle().unwrap()).send().await.unwrap();
        }
    }
    failed
}

#[tokio::test]
async fn five_hundred_users_get_their_weekly_report_despite_one_broken_user_and_a_rerun_writes_nothing() {
    let Some((name, store, objects)) = support::emulator_stores("tm-scheduled").await else { return };
    let config = aws_config::load_from_env().await;
    let sqs = aws_sdk_sqs::Client::new(&config);
    let queue_url = sqs.create_queue().queue_name(&name).send().await.unwrap().queue_url.unwrap();
    let dynamodb = aws_sdk_dynamodb::Client::new(&config);
    let objects = Arc::new(objects);
    let mut ctx = AppContext::new(Arc::new(store.clone()), objects.clone());
    // Monday 30 November 2026, 15:00 UTC: the week of 23–29 November is due.
    let now: DateTime<Utc> = "2026-11-30T15:00:00Z".parse().unwrap();
    ctx.clock = Arc::new(move || now);

    // 500 users in 5 tenants; every 10th logged time last week; one user is broken.
    let mut owners = Vec::new();
    for t in 0..TENANTS {
        for u in 0..USERS_PER_TENANT {
            let owner = Owner::new(&format!("tenant-{t}"), &format!("user-{t}-{u:03}")).unwrap();
            register_user(&store, &owner, now).await.unwrap();
            store.put_profile(&owner, &Profile::default()).await.unwrap();
            if u % 10 == 0 {
                let entry = Entry {
                    date: day("2026-11-24"),
                    start: ClockTime::parse("09:00").unwrap(),
                    end: Some(ClockTime::parse("10:30").unwrap()),
                    task: format!("Planning for {}", owner.user()),
                    project: "Atlas".into(),
                    tags: vec![],
                    notes: vec![],
                };
                let stored = StoredEntry { id: format!("e-{}", owner.user()), entry, created_at: now, updated_at: now };
                store.commit(&owner, 0, vec![WriteOp::PutEntry(stored)]).await.unwrap();
            }
            owners.push(owner);
        }
    }
    let broken = owners[251].clone();
    dynamodb
        .put_item()
        .table_name(&name)
        .item("pk", AttributeValue::S(broken.partition()))
        .item("sk", AttributeValue::S("E#2026-11-25T09:00#garbage".into()))
        .item("date", AttributeValue::S("not a date".into()))
        .send()
        .await
        .unwrap();

    let started = std::time::Instant::now();
    let mut sink = SqsSink { client: sqs.clone(), queue_url: queue_url.clone() };
    // The event EventBridge sends for the template's `Schedule` (no input set).
    let schedule = json!({
        "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "detail-type": "Scheduled Event",
        "source": "aws.events", "account": "123456789012", "time": "2026-11-30T01:05:00Z", "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/ReportSchedulerWeekly"], "detail": {}
    });
    let fan_out = handle_schedule(&ctx, &mut sink, schedule).await.unwrap();
    assert_eq!((fan_out.users, fan_out.tenants, fan_out.tasks), (500, 5, 505));
    let failed = drain(&ctx, &sqs, &queue_url).await;
    eprintln!("first run: {:?} for 505 tasks", started.elapsed());
    assert_eq!(
        failed,
        vec![json!({"tenant": broken.tenant(), "user": broken.user(), "cadence": "weekly", "start": "2026-11-23"})],
        "only the broken user's task failed"
    );

    let id = "weekly-2026-11-23";
    for owner in &owners {
        let found = generated_report(&store, &ReportScope::User(owner.clone()), id).await.unwrap();
        if *owner == broken {
            assert!(found.is_none());
            continue;
        }
        let report = found.unwrap_or_else(|| panic!("{} has no report", owner.user()));
        let expected = if owner.user().ends_with('0') { 90 } else { 0 };
        assert_eq!((report.total_minutes, report.start, report.end), (expected, day("2026-11-23"), day("2026-11-29")));
    }
    let sample = &owners[0];
    let markdown = objects_text(&objects, sample, "reports/weekly/2026-11-23.md").await;
    assert!(markdown.contains("Atlas") && markdown.contains("1.5"), "{markdown}");
    for t in 0..TENANTS {
        let scope = ReportScope::Tenant(format!("tenant-{t}"));
        let summary = generated_report(&store, &scope, "team-weekly-2026-11-23").await.unwrap().expect("team summary");
        assert_eq!(summary.entry_count, 10, "ten users logged in tenant-{t}");
        assert_eq!(summary.skipped_users, if t == 2 { vec![broken.user().to_owned()] } else { vec![] });
    }

    // The same period again: every report exists, nothing is written.
    let writes = store.write_counts();
    handle_schedule(&ctx, &mut sink, json!({"cadence": "weekly", "date": "2026-11-25"})).await.unwrap();
    let failed_again = drain(&ctx, &sqs, &queue_url).await;
    assert_eq!(failed_again.len(), 1, "the broken user fails again, nobody else runs");
    assert_eq!(store.write_counts(), writes, "a second run writes nothing to the table");
    use tm_service::store::objects::ObjectStore;
    let versions = objects.list_versions(sample, "reports/weekly/2026-11-23.json").await.unwrap();
    assert_eq!(versions.len(), 1, "nor to the bucket");
}

async fn objects_text(objects: &tm_aws::s3::S3ObjectStore, owner: &Owner, key: &str) -> String {
    use tm_service::store::objects::ObjectStore;
    String::from_utf8(objects.get_object(owner, key, None).await.unwrap().unwrap()).unwrap()
}
