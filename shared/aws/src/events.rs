//! The Lambda events the functions receive, as `aws_lambda_events` types, turned into
//! the service's terms: SQS batches (and the partial-failure answer), S3 notifications
//! delivered through SQS, EventBridge schedules, and the table's change stream.

pub use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::s3::S3Event;
pub use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use serde_json::Value;
use tm_service::jobs::uploads::ObjectCreated;

/// The answer to an SQS batch that asks SQS to deliver these messages again (and no
/// others): the function's `batchItemFailures`.
pub fn batch_failures(message_ids: Vec<String>) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = message_ids
        .into_iter()
        .map(|id| {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            failure
        })
        .collect();
    response
}

/// The "object created" records of an S3 event notification (an SQS message body).
/// Other records (deletes) and S3's `s3:TestEvent` give none.
pub fn objects_created(body: &str) -> Result<Vec<ObjectCreated>, String> {
    let mut value: Value = serde_json::from_str(body).map_err(|e| format!("not JSON: {e}"))?;
    if value.get("Event").and_then(Value::as_str) == Some("s3:TestEvent") {
        return Ok(Vec::new());
    }
    // S3 always sends these two; the emulator the tests run on (moto) leaves them out.
    // Nothing here reads them, so their absence must not drop an upload.
    if let Some(records) = value.get_mut("Records").and_then(Value::as_array_mut) {
        for record in records.iter_mut().filter_map(Value::as_object_mut) {
            for field in ["userIdentity", "requestParameters"] {
                record.entry(field).or_insert_with(|| Value::Object(Default::default()));
            }
        }
    }
    let event: S3Event = serde_json::from_value(value).map_err(|e| format!("not an S3 event: {e}"))?;
    Ok(event
        .records
        .into_iter()
        .filter(|r| r.event_name.as_deref().is_some_and(|name| name.starts_with("ObjectCreated")))
        .filter_map(|r| {
            let object = r.s3.object;
            Some(ObjectCreated {
                // S3 event keys are URL-encoded, with spaces as '+'.
                key: percent_encoding::percent_decode_str(&object.key?.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned(),
                size: object.size.and_then(|size| u64::try_from(size).ok()),
                version_id: object.version_id.filter(|v| !v.is_empty() && v != "null"),
                sequencer: object.sequencer,
            })
        })
        .collect())
}

/// A batch of DynamoDB Streams records (the table's stream is `KEYS_ONLY`: each record
/// names the item that changed).
#[derive(Debug, serde::Deserialize)]
pub struct StreamEvent {
    #[serde(rename = "Records", default)]
    pub records: Vec<StreamRecord>,
}

#[derive(Debug, serde::Deserialize)]
pub struct StreamRecord {
    #[serde(rename = "eventName", default)]
    pub event_name: Option<String>,
    pub dynamodb: StreamChange,
}

#[derive(Debug, serde::Deserialize)]
pub struct StreamChange {
    #[serde(rename = "Keys", default)]
    pub keys: std::collections::HashMap<String, Value>,
    #[serde(rename = "SequenceNumber", default)]
    pub sequence_number: Option<String>,
}

/// A fiscal year's log item that changed (its version moved), from the stream.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangedLog {
    pub owner: tm_service::store::Owner,
    pub fiscal_year: String,
    /// The record's sequence number: what a partial failure names for redelivery.
    pub sequence_number: String,
}

/// The log items a stream batch changed (`LOG#{fy}` in a user's partition), in order;
/// other items, and removals, give none.
pub fn changed_logs(event: &StreamEvent) -> Vec<ChangedLog> {
    let key = |change: &StreamChange, name: &str| change.keys.get(name)?.get("S")?.as_str().map(str::to_owned);
    event
        .records
        .iter()
        .filter(|r| r.event_name.as_deref() != Some("REMOVE"))
        .filter_map(|r| {
            let fiscal_year = key(&r.dynamodb, "sk")?.strip_prefix("LOG#")?.to_owned();
            let owner = tm_service::store::Owner::of_partition(&key(&r.dynamodb, "pk")?)?;
            Some(ChangedLog { owner, fiscal_year, sequence_number: r.dynamodb.sequence_number.clone()? })
        })
        .collect()
}

/// A change item the stream saw inserted (`CHG#…` in a user's partition, or in the
/// tenant feed's, whose owner is the tenant's scope): whose, and the record's sequence
/// number.
#[derive(Clone, Debug, PartialEq)]
pub struct NewChange {
    pub owner: tm_service::store::Owner,
    pub sequence_number: String,
}

/// The changes feed items a stream batch inserted, in order.
pub fn new_changes(event: &StreamEvent) -> Vec<NewChange> {
    let key = |change: &StreamChange, name: &str| change.keys.get(name)?.get("S")?.as_str().map(str::to_owned);
    event
        .records
        .iter()
        .filter(|r| r.event_name.as_deref() == Some("INSERT"))
        .filter_map(|r| {
            key(&r.dynamodb, "sk")?.strip_prefix(tm_service::store::changes::CHANGE_PREFIX)?;
            let pk = key(&r.dynamodb, "pk")?;
            let owner = tm_service::store::Owner::of_partition(&pk).or_else(|| {
                let tenant = pk.strip_prefix("T#")?.strip_suffix("#U#")?;
                tm_service::store::changes::tenant_feed(tenant).ok()
            })?;
            Some(NewChange { owner, sequence_number: r.dynamodb.sequence_number.clone()? })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_events_give_decoded_created_keys_only() {
        let record = |name: &str, object: &str| {
            format!(
                r#"{{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2026-12-02T10:00:00.000Z","eventName":"{name}","userIdentity":{{"principalId":"AWS:X"}},"requestParameters":{{"sourceIPAddress":"10.0.0.1"}},"responseElements":{{}},"s3":{{"s3SchemaVersion":"1.0","bucket":{{"name":"b","arn":"arn:aws:s3:::b"}},"object":{object}}}}}"#
            )
        };
        let body = format!(
            r#"{{"Records":[{},{},{}]}}"#,
            record(
                "ObjectCreated:Put",
                r#"{"key":"uploads/tenants/t/users/u/x/time-log-2025-2026.md","size":12,"versionId":"v1","sequencer":"01"}"#
            ),
            record(
                "ObjectCreated:Put",
                r#"{"key":"uploads/tenants/t/users/u/y/projects%2FWebsite+Redesign.md","size":3,"sequencer":"02"}"#
            ),
            record("ObjectRemoved:Delete", r#"{"key":"k"}"#),
        );
        let created = objects_created(&body).unwrap();
        assert_eq!(created.len(), 2);
        assert_eq!(created[0].content_id().as_deref(), Some("v1"));
        assert_eq!(created[0].size, Some(12));
        assert_eq!(created[1].key, "uploads/tenants/t/users/u/y/projects/Website Redesign.md");
        assert_eq!((created[1].version_id.as_deref(), created[1].content_id().as_deref()), (None, Some("02")));
        assert!(objects_created(r#"{"Service":"Amazon S3","Event":"s3:TestEvent"}"#).unwrap().is_empty());
        assert!(objects_created("nope").unwrap_err().starts_with("not JSON"));
        assert!(
            objects_created(r#"{"Records":[{"eventName":"ObjectCreated:Put"}]}"#)
                .unwrap_err()
                .starts_with("not an S3 event")
        );
    }

    /// The emulator's notifications lack `userIdentity` and `requestParameters`.
    #[test]
    fn a_notification_without_the_fields_nothing_reads_is_still_read() {
        let body = r#"{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2026-12-02T10:00:00.000Z","eventName":"ObjectCreated:Put","s3":{"s3SchemaVersion":"1.0","configurationId":"c","bucket":{"name":"b","arn":"arn:aws:s3:::b"},"object":{"key":"uploads/a.md","size":5,"eTag":"e"}}}]}"#;
        assert_eq!(objects_created(body).unwrap()[0].key, "uploads/a.md");
    }

    #[test]
    fn batch_failures_name_the_messages_to_deliver_again() {
        let answer = serde_json::to_value(batch_failures(vec!["m-1".into()])).unwrap();
        assert_eq!(answer, serde_json::json!({"batchItemFailures": [{"itemIdentifier": "m-1"}]}));
        let none = serde_json::to_value(batch_failures(Vec::new())).unwrap();
        assert_eq!(none, serde_json::json!({"batchItemFailures": []}));
    }

    /// DynamoDB Streams' record shape (KEYS_ONLY), as the AWS documentation shows it.
    #[test]
    fn a_stream_batch_names_the_log_items_that_changed() {
        let record = |name: &str, pk: &str, sk: &str, seq: &str| {
            serde_json::json!({
                "eventID": "1", "eventName": name, "eventVersion": "1.1", "eventSource": "aws:dynamodb",
                "awsRegion": "eu-central-1",
                "dynamodb": {"ApproximateCreationDateTime": 1764669600.0, "Keys": {"pk": {"S": pk}, "sk": {"S": sk}},
                             "SequenceNumber": seq, "SizeBytes": 60, "StreamViewType": "KEYS_ONLY"},
                "eventSourceARN": "arn:aws:dynamodb:eu-central-1:123456789012:table/t/stream/2026-12-01T00:00:00.000"
            })
        };
        let event: StreamEvent = serde_json::from_value(serde_json::json!({"Records": [
            record("MODIFY", "T#acme#U#ann", "LOG#2025-2026", "100"),
            record("INSERT", "T#acme#U#ann", "E#2025-07-29T09:00#x", "101"),
            record("INSERT", "T#acme#U#bob", "LOG#2026-2027", "102"),
            record("REMOVE", "T#acme#U#bob", "LOG#2024-2025", "103"),
            record("MODIFY", "T#acme", "LOG#2025-2026", "104"),
        ]}))
        .unwrap();
        let changed: Vec<(String, String, String)> = changed_logs(&event)
            .into_iter()
            .map(|c| (c.owner.user().to_owned(), c.fiscal_year, c.sequence_number))
            .collect();
        assert_eq!(
            changed,
            vec![("ann".into(), "2025-2026".into(), "100".into()), ("bob".into(), "2026-2027".into(), "102".into())]
        );
    }
}
