//! The scheduled-report functions. `report-scheduler` runs on EventBridge schedules
//! (hourly on Mondays and on the 1st, UTC) and sends one message per user and per tenant
//! to the report queue; `report-worker` consumes them, one report each. Why a queue: a
//! run over many thousands of users never has to fit in one invocation, messages are
//! retried with back-off, and a user whose report keeps failing ends in the dead-letter
//! queue (with an alarm) while everyone else gets theirs.

use crate::ingest::sqs_event;
use async_trait::async_trait;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use serde::Deserialize;
use serde_json::Value;
#[cfg(test)]
use serde_json::json;
use tm_aws::events::{EventBridgeEvent, SqsBatchResponse, batch_failures};
use tm_service::context::AppContext;
use tm_service::jobs::scheduled::{
    Cadence, FanOut, Outcome, Period, ReportTask, TaskSink, due_periods, fan_out, run_task,
};
use tm_service::store::StoreError;

/// Sends tasks to the report queue, 10 per `SendMessageBatch`.
pub struct SqsSink {
    pub client: aws_sdk_sqs::Client,
    pub queue_url: String,
}

#[async_trait]
impl TaskSink for SqsSink {
    async fn send(&mut self, tasks: Vec<ReportTask>) -> Result<(), StoreError> {
        let fail = |e: String| StoreError::unavailable("SQS", e);
        let mut pending: Vec<SendMessageBatchRequestEntry> = Vec::with_capacity(tasks.len());
        for (i, task) in tasks.iter().enumerate() {
            let body = serde_json::to_string(task).map_err(|e| fail(e.to_string()))?;
            pending.push(
                SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(body)
                    .build()
                    .map_err(|e| fail(e.to_string()))?,
            );
        }
        for attempt in 0..5u32 {
            let out = self
                .client
                .send_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(pending.clone()))
                .send()
                .await
                .map_err(|e| fail(aws_sdk_sqs::error::DisplayErrorContext(e).to_string()))?;
            let failed: Vec<String> = out.failed.iter().map(|f| f.id.clone()).collect();
            if failed.is_empty() {
                return Ok(());
            }
            pending.retain(|e| failed.contains(&e.id));
            tokio::time::sleep(std::time::Duration::from_millis(100 << attempt)).await;
        }
        Err(fail(format!("{} messages were not accepted after 5 attempts", pending.len())))
    }
}

/// A manual re-run: `{"cadence": "weekly", "date": "2026-11-16"}` runs the period holding
/// that date again (already generated, current reports are skipped); `{"cadence":
/// "monthly"}` the last ended one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunRequest {
    cadence: Option<Cadence>,
    date: Option<chrono::NaiveDate>,
}

/// What invokes the scheduler: an EventBridge schedule (the periods due now), or a
/// manual re-run.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum SchedulerEvent {
    Schedule(Box<EventBridgeEvent>),
    Rerun(RunRequest),
}

/// The periods an invocation asks for.
pub fn periods_for(event: &Value, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<Period>, String> {
    let event: SchedulerEvent = serde_json::from_value(event.clone()).map_err(|_| {
        "neither an EventBridge schedule nor a re-run; re-run a period with {\"cadence\": \"weekly\" or \"monthly\", \"date\": \"2026-11-16\"}".to_owned()
    })?;
    let request = match event {
        SchedulerEvent::Schedule(schedule) => {
            tracing::info!(rules = ?schedule.resources, at = ?schedule.time, "scheduled run");
            return Ok(due_periods(now));
        }
        SchedulerEvent::Rerun(request) => request,
    };
    match (request.cadence, request.date) {
        (Some(cadence), Some(date)) => Ok(vec![Period::containing(cadence, date)]),
        (Some(cadence), None) => Ok(vec![Period::last_ended(cadence, now.date_naive())]),
        (None, Some(_)) => Err("a date needs a cadence: {\"cadence\": \"weekly\", \"date\": \"2026-11-16\"}".into()),
        (None, None) => Ok(due_periods(now)),
    }
}

/// One scheduler invocation: fan out the due periods' tasks.
pub async fn handle_schedule(ctx: &AppContext, sink: &mut dyn TaskSink, event: Value) -> Result<FanOut, StoreError> {
    let periods = periods_for(&event, (ctx.clock)()).map_err(StoreError::Misuse)?;
    let summary = fan_out(ctx, &periods, sink).await?;
    tracing::info!(
        periods = periods.len(),
        users = summary.users,
        tenants = summary.tenants,
        tasks = summary.tasks,
        "fan-out done"
    );
    Ok(summary)
}

/// One worker batch: each message is one task, run with access to its tenant only;
/// only failed ones are delivered again.
pub async fn handle_tasks(service: &crate::Service, event: Value) -> SqsBatchResponse {
    let Some(event) = sqs_event(event) else { return batch_failures(Vec::new()) };
    let mut failures = Vec::new();
    for message in event.records {
        let message_id = message.message_id.unwrap_or_default();
        let task: ReportTask = match serde_json::from_str(message.body.as_deref().unwrap_or_default()) {
            Ok(task) => task,
            Err(e) => {
                tracing::warn!(message_id = %message_id, error = %e, "ignored a message that is not a report task");
                continue;
            }
        };
        let outcome = match service.for_tenant(&task.tenant).await {
            Ok(ctx) => run_task(&ctx, &task).await,
            Err(e) => Err(e),
        };
        match outcome {
            Ok(outcome) => {
                let outcome = match outcome {
                    Outcome::Generated(_) => "generated",
                    Outcome::AlreadyGenerated => "already-generated",
                    Outcome::NotEnded => "not-ended",
                };
                tracing::info!(message_id = %message_id, tenant = %task.tenant, user = ?task.user, outcome, "report task");
            }
            Err(e) => {
                // Every failure is delivered again, so one that no retry can fix (corrupt
                // data) ends in the dead-letter queue and its alarm; the log says which.
                let retry = if e.is_retryable() {
                    "will retry"
                } else {
                    "will not succeed on retry; dead-lettered after its attempts"
                };
                tracing::error!(message_id = %message_id, tenant = %task.tenant, user = ?task.user, error = %e, retry, "report task failed");
                failures.push(message_id.clone());
            }
        }
    }
    batch_failures(failures)
}

pub async fn serve_scheduler() -> Result<(), lambda_http::Error> {
    crate::init_tracing();
    let ctx = crate::context_from_env().await?;
    let queue_url = std::env::var("REPORT_QUEUE_URL").map_err(|_| "REPORT_QUEUE_URL is not set")?;
    let config = aws_config::load_from_env().await;
    let client = aws_sdk_sqs::Client::new(&config);
    lambda_http::lambda_runtime::run(lambda_http::service_fn(move |event: lambda_http::LambdaEvent<Value>| {
        let ctx = ctx.clone();
        let mut sink = SqsSink { client: client.clone(), queue_url: queue_url.clone() };
        async move {
            let summary = handle_schedule(&ctx, &mut sink, event.payload).await?;
            Ok::<_, lambda_http::Error>(serde_json::to_value(summary)?)
        }
    }))
    .await
}

pub async fn serve_worker() -> Result<(), lambda_http::Error> {
    crate::init_tracing();
    let service = crate::Service::from_env("report-worker").await?;
    lambda_http::lambda_runtime::run(lambda_http::service_fn(move |event: lambda_http::LambdaEvent<Value>| {
        let service = service.clone();
        async move { Ok::<_, lambda_http::Error>(handle_tasks(&service, event.payload).await) }
    }))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheduled_events_run_the_due_periods_and_bad_manual_requests_are_refused() {
        let monday: chrono::DateTime<chrono::Utc> = "2026-11-30T00:05:00Z".parse().unwrap();
        let scheduled = json!({"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}});
        assert_eq!(periods_for(&scheduled, monday).unwrap(), due_periods(monday));
        let manual = periods_for(&json!({"cadence": "monthly", "date": "2026-10-05"}), monday).unwrap();
        assert_eq!(manual[0].report_id(false), "monthly-2026-10");
        assert!(periods_for(&json!({"cadence": "daily"}), monday).unwrap_err().contains("re-run a period"));
        assert!(periods_for(&json!({"date": "2026-10-05"}), monday).is_err());
        assert!(periods_for(&json!({"cadence": "weekly", "date": "last week"}), monday).is_err());
        // A misspelt re-run is refused, not taken for a schedule that runs everything due.
        assert!(periods_for(&json!({"cadance": "weekly"}), monday).unwrap_err().contains("re-run a period"));
        assert_eq!(periods_for(&json!({}), monday).unwrap(), due_periods(monday), "an empty payload is a plain run");
    }
}
