//! The ingest function: S3 "object created" notifications for `uploads/`, delivered
//! through SQS (with a dead-letter queue), each record ingested by the shared job.
//!
//! Why SQS between S3 and the function: failed ingests are retried with back-off and
//! end in the dead-letter queue instead of being lost; bursts are smoothed by the
//! queue's batching; and a poison file cannot block other users' uploads, because a
//! batch reports only its failed messages (`batchItemFailures`) for redelivery.

use crate::Service;
use serde_json::Value;
use tm_aws::events::{SqsBatchResponse, SqsEvent, batch_failures, objects_created};
use tm_service::jobs::uploads::on_object_created;
use tm_service::store::objects::parse_upload_key;

/// The SQS event of an invocation, or `None` (logged) for anything else: such an
/// invocation has nothing to retry.
pub fn sqs_event(event: Value) -> Option<SqsEvent> {
    serde_json::from_value(event).map_err(|e| tracing::error!(error = %e, "not an SQS event; nothing to do")).ok()
}

/// Handles one SQS batch; answers the ids of messages to deliver again. A file that
/// cannot be ingested is not a failure (its report says why); only a storage failure
/// is, so only that is delivered again.
pub async fn handle_sqs(service: &Service, event: Value) -> SqsBatchResponse {
    let Some(event) = sqs_event(event) else { return batch_failures(Vec::new()) };
    let mut failures = Vec::new();
    for message in event.records {
        let message_id = message.message_id.unwrap_or_default();
        let created = match objects_created(message.body.as_deref().unwrap_or_default()) {
            Ok(created) => created,
            Err(e) => {
                // Retrying would not change it: log and drop.
                tracing::warn!(message_id = %message_id, error = %e, "ignored a message that is not an S3 event");
                continue;
            }
        };
        for object in &created {
            // The upload's tenant, from its key: the ingest reaches that tenant only.
            let ctx = match parse_upload_key(&object.key) {
                Some((owner, _)) => service.for_tenant(owner.tenant()).await,
                None => Ok(service.ctx.clone()),
            };
            let outcome = match ctx {
                Ok(ctx) => on_object_created(&ctx, object).await,
                Err(e) => Err(e),
            };
            match outcome {
                Ok(Some(record)) => tracing::info!(
                    message_id = %message_id,
                    upload = %record.id,
                    status = ?record.status,
                    "ingested"
                ),
                Ok(None) => {}
                Err(e) => {
                    // An upload is never dropped: a failure no retry can fix (corrupt
                    // data, a bug) still goes to the dead-letter queue, where its alarm
                    // shows it; it is only logged as such.
                    let retry = if e.is_retryable() {
                        "will retry"
                    } else {
                        "will not succeed on retry; dead-lettered after its attempts"
                    };
                    tracing::error!(message_id = %message_id, error = %e, retry, "ingest failed");
                    failures.push(message_id.clone());
                    break;
                }
            }
        }
    }
    batch_failures(failures)
}

/// Runs the ingest function under the Lambda runtime.
pub async fn serve_ingest() -> Result<(), lambda_http::Error> {
    crate::init_tracing();
    let service = Service::from_env("ingest-upload").await?;
    lambda_http::lambda_runtime::run(lambda_http::service_fn(move |event: lambda_http::LambdaEvent<Value>| {
        let service = service.clone();
        async move { Ok::<_, lambda_http::Error>(handle_sqs(&service, event.payload).await) }
    }))
    .await
}
