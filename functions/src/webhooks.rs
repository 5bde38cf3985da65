//! The webhook functions (docs/live.md, Webhooks). `webhook-fanout` reads the table's
//! stream: for each person with a new change who has a webhook, one message on the
//! webhook queue. `webhook-deliver` takes those messages and delivers what is due for
//! each of the person's webhooks (`tm_service::handlers::webhooks::deliver_due`: one
//! event at a time, in feed order, signed). A webhook waiting for a retry sends its
//! person's message again, delayed until then (SQS delays at most 15 minutes; a longer
//! wait comes back early and waits again). A message whose work fails — the store
//! unavailable, say — is received again and dead-lettered after its fifth receive.
//!
//! Two messages of one person handled at once may both send an event before either
//! records it: receivers deduplicate by `temporal-mark-event-id` (at-least-once).

use crate::Service;
use crate::ingest::sqs_event;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use tm_aws::events::{SqsBatchResponse, StreamEvent, batch_failures, new_changes};
use tm_service::handlers::webhooks::deliver_due;
use tm_service::store::webhooks::webhooks;
use tm_service::store::{Owner, StoreError};

/// Environment variable naming the webhook queue.
pub const WEBHOOK_QUEUE_ENV: &str = "WEBHOOK_QUEUE_URL";
/// The longest delay SQS gives a message.
const MAX_DELAY_SECONDS: i64 = 900;

/// "Deliver what is due for this person's webhooks."
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookTask {
    pub tenant: String,
    pub user: String,
}

/// Where tasks go (SQS; tests may look at them).
#[async_trait]
pub trait TaskQueue: Send + Sync {
    async fn send(&self, task: &WebhookTask, delay_seconds: i32) -> Result<(), StoreError>;
}

pub struct SqsQueue {
    pub client: aws_sdk_sqs::Client,
    pub queue_url: String,
}

#[async_trait]
impl TaskQueue for SqsQueue {
    async fn send(&self, task: &WebhookTask, delay_seconds: i32) -> Result<(), StoreError> {
        let body = serde_json::to_string(task).map_err(|e| StoreError::misuse(e.to_string()))?;
        self.client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .delay_seconds(delay_seconds)
            .send()
            .await
            .map_err(|e| StoreError::unavailable("SQS", aws_sdk_sqs::error::DisplayErrorContext(e).to_string()))?;
        Ok(())
    }
}

/// One stream batch: a task for each person with a new change and a webhook; answers
/// the sequence numbers to deliver again (those whose person could not be looked at).
pub async fn handle_stream(service: &Service, queue: &dyn TaskQueue, event: Value) -> SqsBatchResponse {
    let event: StreamEvent = match serde_json::from_value(event) {
        Ok(event) => event,
        Err(e) => {
            tracing::error!(error = %e, "not a DynamoDB stream event; nothing to do");
            return batch_failures(Vec::new());
        }
    };
    let mut by_owner: BTreeMap<(String, String), (Owner, Vec<String>)> = BTreeMap::new();
    for change in new_changes(&event) {
        let key = (change.owner.tenant().to_owned(), change.owner.user().to_owned());
        by_owner.entry(key).or_insert_with(|| (change.owner.clone(), Vec::new())).1.push(change.sequence_number);
    }
    let mut failures = Vec::new();
    // One task per reader per batch, however many of the batch's authors they read.
    let mut queued: std::collections::HashSet<Owner> = std::collections::HashSet::new();
    for (_, (owner, sequences)) in by_owner {
        let outcome = async {
            let ctx = service.for_tenant(owner.tenant()).await?;
            // The author's webhooks, and those of colleagues who read the author's
            // entries on projects shared with them.
            let readers = tm_service::feed::readers_of(&ctx, &owner).await.map_err(|e| match e {
                tm_service::error::AppError::Store(e) => e,
                other => StoreError::misuse(other.to_string()),
            })?;
            let mut sent = 0;
            for reader in readers {
                if queued.contains(&reader) || webhooks(ctx.store.as_ref(), &reader).await?.is_empty() {
                    continue;
                }
                let task = WebhookTask { tenant: reader.tenant().to_owned(), user: reader.user().to_owned() };
                queue.send(&task, 0).await?;
                queued.insert(reader);
                sent += 1;
            }
            Ok::<_, StoreError>(sent)
        }
        .await;
        match outcome {
            Ok(sent) => tracing::info!(tenant = %owner.tenant(), changes = sequences.len(), sent, "webhook fan-out"),
            Err(e) => {
                tracing::error!(tenant = %owner.tenant(), error = %e, "webhook fan-out failed; will retry");
                failures.extend(sequences);
            }
        }
    }
    batch_failures(failures)
}

/// One queue batch: each message delivers what is due for one person's webhooks; only
/// failed messages are received again.
pub async fn handle_tasks(service: &Service, queue: &dyn TaskQueue, event: Value) -> SqsBatchResponse {
    let Some(event) = sqs_event(event) else { return batch_failures(Vec::new()) };
    let mut failures = Vec::new();
    for message in event.records {
        let message_id = message.message_id.unwrap_or_default();
        let task: WebhookTask = match serde_json::from_str(message.body.as_deref().unwrap_or_default()) {
            Ok(task) => task,
            Err(e) => {
                tracing::warn!(message_id = %message_id, error = %e, "ignored a message that is not a webhook task");
                continue;
            }
        };
        let outcome = async {
            // No user: the tenant's own webhooks (tenant-wide ones, in its feed's partition).
            let owner = if task.user.is_empty() {
                tm_service::store::changes::tenant_feed(&task.tenant)?
            } else {
                Owner::new(&task.tenant, &task.user).map_err(|e| StoreError::misuse(e.to_string()))?
            };
            let ctx = service.for_tenant(owner.tenant()).await?;
            let mut next: Option<chrono::DateTime<chrono::Utc>> = None;
            for hook in webhooks(ctx.store.as_ref(), &owner).await? {
                if let Some(at) = deliver_due(&ctx, hook).await? {
                    next = Some(next.map_or(at, |n| n.min(at)));
                }
            }
            if let Some(at) = next {
                let wait = (at - (ctx.clock)()).num_milliseconds().max(0);
                let delay = (wait + 999) / 1000;
                queue.send(&task, delay.min(MAX_DELAY_SECONDS) as i32).await?;
            }
            Ok::<_, StoreError>(next)
        }
        .await;
        match outcome {
            Ok(next) => {
                tracing::info!(message_id = %message_id, tenant = %task.tenant, retry_at = ?next, "webhook deliveries")
            }
            Err(e) => {
                tracing::error!(message_id = %message_id, tenant = %task.tenant, error = %e, "webhook deliveries failed");
                failures.push(message_id);
            }
        }
    }
    batch_failures(failures)
}

async fn queue_from_env() -> Result<SqsQueue, lambda_http::Error> {
    let queue_url = std::env::var(WEBHOOK_QUEUE_ENV).map_err(|_| format!("{WEBHOOK_QUEUE_ENV} is not set"))?;
    let config = aws_config::load_from_env().await;
    Ok(SqsQueue { client: aws_sdk_sqs::Client::new(&config), queue_url })
}

pub async fn serve_fanout() -> Result<(), lambda_http::Error> {
    crate::init_tracing();
    let service = Service::from_env("webhook-fanout").await?;
    let queue = std::sync::Arc::new(queue_from_env().await?);
    lambda_http::lambda_runtime::run(lambda_http::service_fn(move |event: lambda_http::LambdaEvent<Value>| {
        let (service, queue) = (service.clone(), queue.clone());
        async move { Ok::<_, lambda_http::Error>(handle_stream(&service, queue.as_ref(), event.payload).await) }
    }))
    .await
}

pub async fn serve_deliver() -> Result<(), lambda_http::Error> {
    crate::init_tracing();
    let service = Service::from_env("webhook-deliver").await?;
    let queue = std::sync::Arc::new(queue_from_env().await?);
    lambda_http::lambda_runtime::run(lambda_http::service_fn(move |event: lambda_http::LambdaEvent<Value>| {
        let (service, queue) = (service.clone(), queue.clone());
        async move { Ok::<_, lambda_http::Error>(handle_tasks(&service, queue.as_ref(), event.payload).await) }
    }))
    .await
}
