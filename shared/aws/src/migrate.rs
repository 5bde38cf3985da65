//! Versioned, resumable upgrades of the DynamoDB table in place (the counterpart of
//! tm-embedded's `migrate`).
//!
//! The table records its schema in the item `META`/`SCHEMA`: `version` (every step up
//! to it has finished) and, while a step runs, `resumeAfter` (the scan key it reached).
//! A step scans in pages and saves its key after each one, so a run stopped at any point
//! (a Lambda timeout, a throttled call) resumes there. Readers understand every format a
//! step converts from, so the service keeps working while a step runs; each rewrite is
//! conditioned on the item still holding what was read, so a concurrent write of the
//! service always wins and a deleted item is never brought back.
//!
//! Steps: 1, entry timestamps from RFC 3339 text to microseconds since the Unix epoch
//! (numbers; issue 14).

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;
use std::time::Instant;
use tm_service::store::StoreError;

/// The schema this build writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Items evaluated per scan page.
pub const PAGE: i32 = 500;

const META: &str = "META";
const SCHEMA: &str = "SCHEMA";

type Item = HashMap<String, AttributeValue>;

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Migrated {
    pub from: u32,
    pub to: u32,
    /// Items rewritten by this run.
    pub rewritten: usize,
    /// Items a concurrent write had already replaced or deleted (left as they are).
    pub skipped: usize,
    /// False when the run stopped (page limit, deadline) before the last step finished.
    pub finished: bool,
}

/// When a run stops: after `pages` scan pages, or at `deadline` (checked between pages).
#[derive(Clone, Copy, Debug, Default)]
pub struct Limits {
    pub pages: Option<usize>,
    pub deadline: Option<Instant>,
}

fn unavailable<E: std::error::Error + 'static>(e: aws_sdk_dynamodb::error::SdkError<E>) -> StoreError {
    StoreError::unavailable("DynamoDB", aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string())
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

fn schema_key() -> Item {
    HashMap::from([("pk".to_owned(), s(META)), ("sk".to_owned(), s(SCHEMA))])
}

/// The recorded schema: (version, resume key).
async fn read_schema(client: &Client, table: &str) -> Result<(u32, Option<Item>), StoreError> {
    let found = client
        .get_item()
        .table_name(table)
        .set_key(Some(schema_key()))
        .consistent_read(true)
        .send()
        .await
        .map_err(unavailable)?;
    let Some(item) = found.item else { return Ok((0, None)) };
    let version = item
        .get("version")
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| StoreError::corrupt("the table's schema item", "no version number"))?;
    let resume = item.get("resumeAfter").and_then(|v| v.as_m().ok()).cloned();
    Ok((version, resume))
}

async fn write_schema(client: &Client, table: &str, version: u32, resume: Option<Item>) -> Result<(), StoreError> {
    let mut item = schema_key();
    item.insert("version".into(), AttributeValue::N(version.to_string()));
    if let Some(key) = resume {
        item.insert("resumeAfter".into(), AttributeValue::M(key));
    }
    client.put_item().table_name(table).set_item(Some(item)).send().await.map_err(unavailable)?;
    Ok(())
}

/// Runs the steps after the table's version until done or `limits` stop it.
pub async fn run(client: &Client, table: &str, limits: Limits) -> Result<Migrated, StoreError> {
    let (mut version, mut resume) = read_schema(client, table).await?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::unavailable(
            "the table",
            format!(
                "it was upgraded by a newer Temporal Mark (schema {version}; this build knows up to \
                 {SCHEMA_VERSION}); deploy the newer build"
            ),
        ));
    }
    let mut report = Migrated { from: version, to: version, finished: true, ..Default::default() };
    let mut pages = 0;
    while version < SCHEMA_VERSION {
        let stop = limits.pages.is_some_and(|max| pages >= max)
            || limits.deadline.is_some_and(|deadline| Instant::now() >= deadline);
        if stop {
            report.finished = false;
            break;
        }
        pages += 1;
        let next = version + 1;
        let reached = match next {
            1 => compact_entry_timestamps(client, table, resume.take(), &mut report).await?,
            _ => unreachable!("a step for every version up to SCHEMA_VERSION"),
        };
        match reached {
            Some(key) => resume = Some(key),
            None => version = next,
        }
        write_schema(client, table, version, resume.clone()).await?;
        report.to = version;
    }
    Ok(report)
}

/// Step 1, one scan page: entry items whose timestamps are text get them as numbers.
/// Returns the page's last key, or `None` after the last page.
async fn compact_entry_timestamps(
    client: &Client,
    table: &str,
    after: Option<Item>,
    report: &mut Migrated,
) -> Result<Option<Item>, StoreError> {
    let page = client
        .scan()
        .table_name(table)
        .limit(PAGE)
        .set_exclusive_start_key(after)
        .filter_expression("begins_with(sk, :entry) AND attribute_type(createdAt, :text)")
        .expression_attribute_values(":entry", s("E#"))
        .expression_attribute_values(":text", s("S"))
        .send()
        .await
        .map_err(unavailable)?;
    for item in page.items.unwrap_or_default() {
        let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
        let (Some(created), Some(updated)) = (text("createdAt"), text("updatedAt")) else { continue };
        let micros = |at: &str| {
            chrono::DateTime::parse_from_rfc3339(at)
                .map(|at| at.timestamp_micros().to_string())
                .map_err(|e| StoreError::corrupt("an entry item", format!("timestamp {at:?}: {e}")))
        };
        let key: Item = ["pk", "sk"].iter().filter_map(|k| Some(((*k).to_owned(), item.get(*k)?.clone()))).collect();
        let sent = client
            .update_item()
            .table_name(table)
            .set_key(Some(key))
            .update_expression("SET createdAt = :c, updatedAt = :u")
            .condition_expression("createdAt = :oldc AND updatedAt = :oldu")
            .expression_attribute_values(":c", AttributeValue::N(micros(&created)?))
            .expression_attribute_values(":u", AttributeValue::N(micros(&updated)?))
            .expression_attribute_values(":oldc", s(&created))
            .expression_attribute_values(":oldu", s(&updated))
            .send()
            .await;
        match sent {
            Ok(_) => report.rewritten += 1,
            Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                report.skipped += 1
            }
            Err(e) => return Err(unavailable(e)),
        }
    }
    Ok(page.last_evaluated_key.filter(|key| !key.is_empty()))
}
