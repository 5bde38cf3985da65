//! The DynamoDB adapter: one table, partition key `pk`, sort key `sk`, the same items as
//! the embedded store (docs/architecture.md, Data). Reads are Queries and GetItems on one
//! partition (no Scan); a commit is one `TransactWriteItems` whose first item is the
//! condition on the user's version item, so "validate, then write" is atomic.

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConditionCheck, Delete, KeySchemaElement, KeyType, Put,
    ScalarAttributeType, TransactWriteItem, Update,
};
use chrono::NaiveDate;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use tm_core::domain::Project;
use tm_core::domain::names::project_key;
use tm_service::store::changes::{
    self, CHANGE_PREFIX, Change, ChangePage, ChangeRecord, ChangeStore, DocWrite, PositionedChange,
};
use tm_service::store::model::{EntryRecord, cursor};
use tm_service::store::{
    CallerRecords, CommitError, DocCondition, DocStore, EntryPage, EntryQuery, EntryStore, Guard, LogState, LogStore,
    LogTouch, Owner, Profile, ProjectStore, SettingsStore, Snapshot, StoreError, StoredEntry, StoredResponse,
    TenantSettings, UploadRecord, WriteOp,
};

type Item = HashMap<String, AttributeValue>;

/// The table's one global secondary index (`gpk`/`gsk`, all attributes): documents a
/// job enumerates across partitions, e.g. the user directory.
pub const INDEX_NAME: &str = "byIndex";

/// DynamoDB allows 100 items in one transaction.
pub const MAX_TRANSACTION_ITEMS: usize = 100;
/// A large ingest's mark that has not been cleared after this long is abandoned.
pub const ABANDONED_AFTER_SECONDS: i64 = 15 * 60;
/// The condition "no ingest is running" (no mark, or an abandoned one).
const NOT_INGESTING: &str = "(attribute_not_exists(ingesting) OR ingestingSince < :abandoned)";

fn abandoned_before() -> AttributeValue {
    AttributeValue::N((chrono::Utc::now().timestamp() - ABANDONED_AFTER_SECONDS).to_string())
}

/// Idempotency records expire after a day (the table's TTL attribute `expiresAt`).
const IDEMPOTENCY_SECONDS: i64 = 24 * 3600;

/// A request this adapter built wrongly (a builder or encoding failure): a bug.
fn fail(e: impl std::fmt::Display) -> StoreError {
    StoreError::misuse(format!("dynamodb request: {e}"))
}

/// Full error text of an SDK error (its Display is only "service error").
fn sdk_fail<E: std::error::Error + 'static>(e: aws_sdk_dynamodb::error::SdkError<E>) -> StoreError {
    StoreError::unavailable("DynamoDB", aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string())
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

fn key(pk: &str, sk: &str) -> Item {
    HashMap::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), s(sk))])
}

fn to_item<T: Serialize>(pk: &str, sk: &str, value: &T) -> Result<Item, StoreError> {
    let mut item: Item = serde_dynamo::to_item(value).map_err(fail)?;
    item.extend(key(pk, sk));
    Ok(item)
}

fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| StoreError::corrupt("item", e))
}

fn tenant_partition(tenant: &str) -> String {
    format!("T#{tenant}")
}

fn pointer_key(id: &str) -> String {
    format!("EID#{id}")
}

/// Requests this store sent, and the items they returned and wrote: what a change
/// costs on DynamoDB (benchmarks and tests count them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestCounts {
    pub get_item: u64,
    pub batch_get_item: u64,
    pub query: u64,
    pub items_returned: u64,
    pub transact_write_items: u64,
    /// PutItem, UpdateItem and BatchWriteItem requests.
    pub other_writes: u64,
    pub items_written: u64,
}

#[derive(Debug, Default)]
struct Counters {
    get_item: std::sync::atomic::AtomicU64,
    batch_get_item: std::sync::atomic::AtomicU64,
    query: std::sync::atomic::AtomicU64,
    items_returned: std::sync::atomic::AtomicU64,
    transact_write_items: std::sync::atomic::AtomicU64,
    other_writes: std::sync::atomic::AtomicU64,
    items_written: std::sync::atomic::AtomicU64,
}

fn bump(counter: &std::sync::atomic::AtomicU64, by: u64) {
    counter.fetch_add(by, std::sync::atomic::Ordering::Relaxed);
}

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    counters: std::sync::Arc<Counters>,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into(), counters: Default::default() }
    }

    /// Everything sent so far.
    pub fn request_counts(&self) -> RequestCounts {
        let load = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
        let c = &self.counters;
        RequestCounts {
            get_item: load(&c.get_item),
            batch_get_item: load(&c.batch_get_item),
            query: load(&c.query),
            items_returned: load(&c.items_returned),
            transact_write_items: load(&c.transact_write_items),
            other_writes: load(&c.other_writes),
            items_written: load(&c.items_written),
        }
    }

    /// A client from the environment (`AWS_ENDPOINT_URL` points it at an emulator).
    pub async fn from_env(table: impl Into<String>) -> Self {
        let config = aws_config::load_from_env().await;
        Self::new(Client::new(&config), table)
    }

    /// Creates the table (on-demand, `pk`/`sk`) for tests and local emulators; in AWS
    /// the SAM template creates it.
    pub async fn create_table(&self) -> Result<(), StoreError> {
        let attribute = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(fail)
        };
        let schema = |name: &str, kind: KeyType| {
            KeySchemaElement::builder().attribute_name(name).key_type(kind).build().map_err(fail)
        };
        self.client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attribute("pk")?)
            .attribute_definitions(attribute("sk")?)
            .key_schema(schema("pk", KeyType::Hash)?)
            .key_schema(schema("sk", KeyType::Range)?)
            .attribute_definitions(attribute("gpk")?)
            .attribute_definitions(attribute("gsk")?)
            .global_secondary_indexes(
                aws_sdk_dynamodb::types::GlobalSecondaryIndex::builder()
                    .index_name(INDEX_NAME)
                    .key_schema(schema("gpk", KeyType::Hash)?)
                    .key_schema(schema("gsk", KeyType::Range)?)
                    .projection(
                        aws_sdk_dynamodb::types::Projection::builder()
                            .projection_type(aws_sdk_dynamodb::types::ProjectionType::All)
                            .build(),
                    )
                    .build()
                    .map_err(fail)?,
            )
            .send()
            .await
            .map_err(sdk_fail)?;
        Ok(())
    }

    /// Writes a document item if `condition` holds; false when it did not.
    async fn put_doc_item(&self, item: Item, condition: DocCondition) -> Result<bool, StoreError> {
        bump(&self.counters.other_writes, 1);
        bump(&self.counters.items_written, 1);
        let mut request = self.client.put_item().table_name(&self.table).set_item(Some(item));
        request = match condition {
            DocCondition::Always => request,
            DocCondition::Absent => request.condition_expression("attribute_not_exists(pk)"),
            DocCondition::Revision(r) => request
                .condition_expression("revision = :r")
                .expression_attribute_values(":r", AttributeValue::N(r.to_string())),
        };
        match request.send().await {
            Ok(_) => Ok(true),
            Err(e) => {
                use aws_sdk_dynamodb::operation::put_item::PutItemError;
                if matches!(e.as_service_error(), Some(PutItemError::ConditionalCheckFailedException(_))) {
                    Ok(false)
                } else {
                    Err(sdk_fail(e))
                }
            }
        }
    }

    /// One item, strongly consistent.
    async fn get_raw(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_fail)?;
        bump(&self.counters.get_item, 1);
        bump(&self.counters.items_returned, u64::from(out.item.is_some()));
        Ok(out.item)
    }

    async fn get<T: DeserializeOwned>(&self, pk: &str, sk: &str) -> Result<Option<T>, StoreError> {
        self.get_raw(pk, sk).await?.map(from_item).transpose()
    }

    async fn get_attr(&self, pk: &str, sk: &str, attr: &str) -> Result<Option<AttributeValue>, StoreError> {
        Ok(self.get_raw(pk, sk).await?.and_then(|mut item| item.remove(attr)))
    }

    /// Items of `pk` with sort keys `lo..=hi`, starting after `after`, one page (of at
    /// most `limit` items, or DynamoDB's 1 MB).
    async fn query_page(
        &self,
        pk: &str,
        lo: &str,
        hi: &str,
        after: Option<&str>,
        limit: Option<i32>,
    ) -> Result<(Vec<Item>, Option<String>), StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND sk BETWEEN :lo AND :hi")
            .expression_attribute_values(":pk", s(pk))
            .expression_attribute_values(":lo", s(lo))
            .expression_attribute_values(":hi", s(hi))
            .consistent_read(true)
            .set_limit(limit)
            .set_exclusive_start_key(after.map(|a| key(pk, a)))
            .send()
            .await
            .map_err(sdk_fail)?;
        bump(&self.counters.query, 1);
        bump(&self.counters.items_returned, out.items().len() as u64);
        let next = out.last_evaluated_key.as_ref().and_then(|k| k.get("sk")).and_then(|v| v.as_s().ok()).cloned();
        Ok((out.items.unwrap_or_default(), next))
    }

    async fn query_all(&self, pk: &str, lo: &str, hi: &str) -> Result<Vec<Item>, StoreError> {
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let (items, next) = self.query_page(pk, lo, hi, after.as_deref(), None).await?;
            all.extend(items);
            match next {
                Some(n) => after = Some(n),
                None => return Ok(all),
            }
        }
    }

    /// The user's version and the upload being ingested in steps, if any.
    /// A mark older than [`ABANDONED_AFTER_SECONDS`] is abandoned (every retry of its
    /// run failed) and counts as absent, so the user is never locked out for good.
    async fn version(&self, pk: &str) -> Result<(u64, Option<String>), StoreError> {
        let Some(mut item) = self.get_raw(pk, "VERSION").await? else { return Ok((0, None)) };
        let since: i64 = item.remove("ingestingSince").and_then(|v| v.as_n().ok()?.parse().ok()).unwrap_or(0);
        let fresh = since > chrono::Utc::now().timestamp() - ABANDONED_AFTER_SECONDS;
        let ingesting = item.remove("ingesting").and_then(|v| v.as_s().ok().cloned()).filter(|_| fresh);
        match item.remove("version") {
            None => Ok((0, ingesting)),
            Some(AttributeValue::N(n)) => {
                Ok((n.parse().map_err(|e| StoreError::corrupt("version item", e))?, ingesting))
            }
            Some(other) => Err(StoreError::corrupt("version item", format!("{other:?}"))),
        }
    }

    /// The transaction items of a commit's ops (a PutEntry/DeleteEntry reads the id
    /// pointer), and the days whose entries they change. `dates` has the day of every
    /// entry the commit puts (also those of other steps of an ingest). A running entry
    /// put without a timer op is the timer's: its item gets the entry's day again
    /// (`guarded`: only if it still names that entry).
    async fn ops_items(
        &self,
        pk: &str,
        ops: Vec<WriteOp>,
        guarded: bool,
        dates: &HashMap<String, NaiveDate>,
        timer_op_elsewhere: bool,
    ) -> Result<(Vec<TransactWriteItem>, BTreeSet<String>), StoreError> {
        let sets_timer = timer_op_elsewhere || ops.iter().any(|op| matches!(op, WriteOp::SetTimer(_)));
        let running = ops.iter().find_map(|op| match op {
            WriteOp::PutEntry(stored) | WriteOp::PutEntryAt { stored, .. } if stored.entry.end.is_none() => {
                Some((stored.id.clone(), stored.entry.date))
            }
            _ => None,
        });
        let mut items = Vec::new();
        let mut days = BTreeSet::new();
        for op in ops {
            items.extend(self.op_items(pk, op, dates, guarded, &mut days).await?);
        }
        if let Some((id, date)) = running.filter(|_| !sets_timer) {
            let mut item = key(pk, "TIMER");
            item.insert("id".into(), s(&id));
            item.insert("date".into(), s(&date.to_string()));
            let mut timer = Put::builder().table_name(&self.table).set_item(Some(item));
            if guarded {
                timer = timer.condition_expression("id = :id").expression_attribute_values(":id", s(&id));
            }
            items.push(TransactWriteItem::builder().put(timer.build().map_err(fail)?).build());
        }
        Ok((items, days))
    }

    /// The transaction items of one op; adds the days whose entries it changes.
    async fn op_items(
        &self,
        pk: &str,
        op: WriteOp,
        dates: &HashMap<String, NaiveDate>,
        timer_must_be_free: bool,
        days: &mut BTreeSet<String>,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let table = self.table.as_str();
        let mut items = Vec::new();
        let mut day_of = |sk: &str| days.extend(day_of_sort_key(sk).map(str::to_owned));
        match op {
            WriteOp::PutEntry(stored) => {
                // The version condition makes this read safe: if the pointer changed
                // since, the transaction fails and the caller retries.
                let previous_sort_key = self.pointer(pk, &stored.id).await?;
                previous_sort_key.iter().for_each(|sk| day_of(sk));
                day_of(&stored.sort_key());
                items.extend(put_entry_items(pk, &stored, previous_sort_key.as_deref(), table)?);
            }
            WriteOp::PutEntryAt { stored, previous_sort_key, .. } => {
                previous_sort_key.iter().for_each(|sk| day_of(sk));
                day_of(&stored.sort_key());
                items.extend(put_entry_items(pk, &stored, previous_sort_key.as_deref(), table)?);
            }
            WriteOp::DeleteEntry { id } => {
                if let Some(old) = self.pointer(pk, &id).await? {
                    day_of(&old);
                    items.push(delete(pk, &old, table)?);
                    items.push(delete_pointer(pk, &id, &old, table)?);
                }
            }
            WriteOp::DeleteEntryAt { id, sort_key, .. } => {
                day_of(&sort_key);
                items.push(delete(pk, &sort_key, table)?);
                items.push(delete_pointer(pk, &id, &sort_key, table)?);
            }
            WriteOp::SetTimer(Some(id)) => {
                let mut item = key(pk, "TIMER");
                if let Some(date) = dates.get(&id) {
                    item.insert("date".into(), s(&date.to_string()));
                }
                item.insert("id".into(), s(&id));
                let mut timer = Put::builder().table_name(table).set_item(Some(item));
                if timer_must_be_free {
                    timer = timer.condition_expression("attribute_not_exists(id)");
                }
                items.push(TransactWriteItem::builder().put(timer.build().map_err(fail)?).build());
            }
            WriteOp::SetTimer(None) => items.push(delete(pk, "TIMER", table)?),
            WriteOp::PutIdempotency { key: k, response } => {
                let mut item = to_item(pk, &format!("IDEMP#{k}"), &response)?;
                let expires = chrono::Utc::now().timestamp() + IDEMPOTENCY_SECONDS;
                item.insert("expiresAt".into(), AttributeValue::N(expires.to_string()));
                items.push(put(item, table)?);
            }
            WriteOp::TouchLog(touch) => items.push(touch_log_item(pk, &touch, table)?),
            WriteOp::PutUpload(record) => items.push(put(to_item(pk, &upload_key(&record.id), &record)?, table)?),
            WriteOp::PutProject(project) => {
                items.push(put(to_item(pk, &project_sort_key(&project.name), &project)?, table)?)
            }
            WriteOp::DeleteProject(name) => items.push(delete(pk, &project_sort_key(&name), table)?),
            WriteOp::PutAudit(record) => {
                let (audit_pk, audit_sk) = record.keys();
                items.push(put(doc_item(&audit_pk, &audit_sk, &record.to_doc()), table)?);
            }
            WriteOp::TouchMonth(month) => items.push(
                TransactWriteItem::builder()
                    .update(
                        Update::builder()
                            .table_name(table)
                            .set_key(Some(key(pk, &format!("MONTH#{month}"))))
                            .update_expression("ADD #v :one")
                            .expression_attribute_names("#v", "version")
                            .expression_attribute_values(":one", AttributeValue::N("1".into()))
                            .build()
                            .map_err(fail)?,
                    )
                    .build(),
            ),
            WriteOp::RequireProject(name) => items.push(
                TransactWriteItem::builder()
                    .condition_check(
                        ConditionCheck::builder()
                            .table_name(table)
                            .set_key(Some(key(pk, &project_sort_key(&name))))
                            .condition_expression("attribute_exists(pk)")
                            .build()
                            .map_err(fail)?,
                    )
                    .build(),
            ),
        }
        Ok(items)
    }

    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), CommitError> {
        bump(&self.counters.transact_write_items, 1);
        bump(&self.counters.items_written, items.len() as u64);
        match self.client.transact_write_items().set_transact_items(Some(items)).send().await {
            Ok(_) => Ok(()),
            Err(e) => {
                use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
                // Cancelled because the version moved (its condition failed) or because a
                // concurrent transaction touched the same items: re-read and retry.
                let retry = match e.as_service_error() {
                    Some(TransactWriteItemsError::TransactionCanceledException(t)) => {
                        let codes: Vec<&str> = t.cancellation_reasons().iter().filter_map(|r| r.code()).collect();
                        codes.contains(&"ConditionalCheckFailed") || codes.contains(&"TransactionConflict")
                    }
                    Some(TransactWriteItemsError::TransactionInProgressException(_)) => true,
                    _ => false,
                };
                if retry { Err(CommitError::Conflict) } else { Err(CommitError::Store(sdk_fail(e))) }
            }
        }
    }

    /// The first item of every commit: the user's version moves from `expected` to
    /// `expected + 1`, only if no large ingest is being applied.
    fn version_item(&self, pk: &str, expected_version: u64) -> Result<TransactWriteItem, StoreError> {
        let table = self.table.as_str();
        let next = (expected_version + 1).to_string();
        Ok(if expected_version == 0 {
            let item = HashMap::from([
                ("pk".to_owned(), s(pk)),
                ("sk".to_owned(), s("VERSION")),
                ("version".to_owned(), AttributeValue::N(next)),
            ]);
            TransactWriteItem::builder()
                .put(
                    Put::builder()
                        .table_name(table)
                        .set_item(Some(item))
                        .condition_expression("attribute_not_exists(pk)")
                        .build()
                        .map_err(fail)?,
                )
                .build()
        } else {
            TransactWriteItem::builder()
                .update(
                    Update::builder()
                        .table_name(table)
                        .set_key(Some(key(pk, "VERSION")))
                        .update_expression("SET #v = :next REMOVE ingesting, ingestingSince")
                        .condition_expression(format!("#v = :expected AND {NOT_INGESTING}"))
                        .expression_attribute_values(":abandoned", abandoned_before())
                        .expression_attribute_names("#v", "version")
                        .expression_attribute_values(":next", AttributeValue::N(next))
                        .expression_attribute_values(":expected", AttributeValue::N(expected_version.to_string()))
                        .build()
                        .map_err(fail)?,
                )
                .build()
        })
    }

    /// Writes puts and deletes in BatchWriteItem requests of 25, retrying what
    /// DynamoDB leaves unprocessed (with back-off).
    async fn batch_write(&self, items: Vec<TransactWriteItem>) -> Result<(), StoreError> {
        use aws_sdk_dynamodb::types::{DeleteRequest, PutRequest, WriteRequest};
        let mut requests = Vec::with_capacity(items.len());
        for item in items {
            let request = if let Some(put) = item.put {
                WriteRequest::builder()
                    .put_request(PutRequest::builder().set_item(Some(put.item)).build().map_err(fail)?)
            } else if let Some(delete) = item.delete {
                WriteRequest::builder()
                    .delete_request(DeleteRequest::builder().set_key(Some(delete.key)).build().map_err(fail)?)
            } else {
                return Err(StoreError::misuse("only puts and deletes can be batched"));
            };
            requests.push(request.build());
        }
        for chunk in requests.chunks(25) {
            let mut pending = chunk.to_vec();
            for attempt in 0..10u32 {
                bump(&self.counters.other_writes, 1);
                bump(&self.counters.items_written, pending.len() as u64);
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .map_err(sdk_fail)?;
                pending = out.unprocessed_items.and_then(|mut u| u.remove(&self.table)).unwrap_or_default();
                if pending.is_empty() {
                    break;
                }
                if attempt == 9 {
                    return Err(StoreError::Busy("DynamoDB kept throttling the ingest; it will be resumed".into()));
                }
                tokio::time::sleep(std::time::Duration::from_millis(50 << attempt.min(5))).await;
            }
        }
        Ok(())
    }

    /// Write requests and items written so far (benchmarks report them).
    pub fn write_counts(&self) -> (u64, u64) {
        let counts = self.request_counts();
        (counts.transact_write_items + counts.other_writes, counts.items_written)
    }

    async fn pointer(&self, pk: &str, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self.get_attr(pk, &pointer_key(id), "target").await?.and_then(|v| v.as_s().ok().cloned()))
    }
}

/// How long after its commit time a change may still become visible: a bound on one
/// `TransactWriteItems` call, stamped just before it is sent (the SDK's standard retry
/// mode makes at most 3 attempts with back-off under 20 s; a route function times out
/// after 29 s). The feed's cursor never passes `now − CHANGE_SETTLE`.
pub const CHANGE_SETTLE: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// The feed's items of one commit (docs/live.md). Positions are the commit time in
/// microseconds, the commit's own id, and the change's place in it: the feed is in
/// commit-time order, and two commits of one instant never interleave.
fn change_items(pk: &str, changes: Vec<Change>, table: &str) -> Result<Vec<TransactWriteItem>, StoreError> {
    let at = chrono::Utc::now();
    let commit = uuid::Uuid::new_v4();
    changes
        .into_iter()
        .enumerate()
        .map(|(i, change)| {
            let sk = format!("{CHANGE_PREFIX}{:017}#{commit}#{i:06}", at.timestamp_micros());
            put(to_item(pk, &sk, &ChangeRecord { at, change })?, table)
        })
        .collect()
}

/// A day's marker item `E#{date}`: it sorts just before the day's entries, so one Query
/// of some days' entries returns their markers too. Every commit that changes an entry
/// of the day gives the marker a new `stamp`; a commit guarded by days
/// ([`Guard::Days`]) checks the stamps it read, so a write elsewhere in the year never
/// conflicts with it. (A day written before markers existed has none: "never written"
/// until its next change, which is as safe.)
fn day_marker_key(day: &str) -> String {
    format!("E#{day}")
}

fn is_day_marker(item: &Item) -> bool {
    item.get("sk").and_then(|v| v.as_s().ok()).is_some_and(|sk| sk.len() == "E#2025-07-29".len())
}

/// The day of every entry the ops put, by id.
fn entry_dates(ops: &[WriteOp]) -> HashMap<String, NaiveDate> {
    ops.iter()
        .filter_map(|op| match op {
            WriteOp::PutEntry(stored) | WriteOp::PutEntryAt { stored, .. } => {
                Some((stored.id.clone(), stored.entry.date))
            }
            _ => None,
        })
        .collect()
}

/// Whether the ops write the timer's item (a timer op, or a running entry).
fn touches_timer(ops: &[WriteOp]) -> bool {
    ops.iter().any(|op| match op {
        WriteOp::SetTimer(_) => true,
        WriteOp::PutEntry(stored) | WriteOp::PutEntryAt { stored, .. } => stored.entry.end.is_none(),
        _ => false,
    })
}

/// The day (`YYYY-MM-DD`) of an entry's sort key `E#{date}T{time}#{id}`.
fn day_of_sort_key(sort_key: &str) -> Option<&str> {
    sort_key.strip_prefix("E#")?.get(..10)
}

/// The marker of `day` with a new stamp, written only if it still has `seen` when
/// `checked`.
fn stamp_marker(
    pk: &str,
    day: &str,
    table: &str,
    checked: Option<&Option<String>>,
) -> Result<TransactWriteItem, StoreError> {
    let mut item = key(pk, &day_marker_key(day));
    item.insert("stamp".into(), s(&uuid::Uuid::new_v4().to_string()));
    let mut marker = Put::builder().table_name(table).set_item(Some(item));
    match checked {
        Some(Some(seen)) => {
            marker = marker.condition_expression("stamp = :seen").expression_attribute_values(":seen", s(seen))
        }
        Some(None) => marker = marker.condition_expression("attribute_not_exists(stamp)"),
        None => {}
    }
    Ok(TransactWriteItem::builder().put(marker.build().map_err(fail)?).build())
}

/// A check that `day`'s marker still has the stamp `seen`.
fn check_marker(pk: &str, day: &str, table: &str, seen: &Option<String>) -> Result<TransactWriteItem, StoreError> {
    let check = ConditionCheck::builder().table_name(table).set_key(Some(key(pk, &day_marker_key(day))));
    let check = match seen {
        Some(seen) => check.condition_expression("stamp = :seen").expression_attribute_values(":seen", s(seen)),
        None => check.condition_expression("attribute_not_exists(stamp)"),
    };
    Ok(TransactWriteItem::builder().condition_check(check.build().map_err(fail)?).build())
}

fn date_bounds(from: Option<NaiveDate>, to: Option<NaiveDate>) -> (String, String) {
    (
        from.map_or_else(|| "E#".to_owned(), |f| format!("E#{f}")),
        to.map_or_else(|| "E#~".to_owned(), |t| format!("E#{t}T~")),
    )
}

fn put(item: Item, table: &str) -> Result<TransactWriteItem, StoreError> {
    Ok(TransactWriteItem::builder()
        .put(Put::builder().table_name(table).set_item(Some(item)).build().map_err(fail)?)
        .build())
}

fn delete(pk: &str, sk: &str, table: &str) -> Result<TransactWriteItem, StoreError> {
    Ok(TransactWriteItem::builder()
        .delete(Delete::builder().table_name(table).set_key(Some(key(pk, sk))).build().map_err(fail)?)
        .build())
}

/// A document item: the JSON as one string attribute (`doc`), plus its `revision` as a
/// number when it has one, for conditional writes, and its `expiresAt` (epoch seconds)
/// as the table's TTL attribute when it has one (live connections).
fn doc_item(pk: &str, sk: &str, doc: &serde_json::Value) -> Item {
    let mut item = key(pk, sk);
    item.insert("doc".into(), s(&doc.to_string()));
    for attribute in ["revision", "expiresAt"] {
        if let Some(number) = doc.get(attribute).and_then(serde_json::Value::as_u64) {
            item.insert(attribute.into(), AttributeValue::N(number.to_string()));
        }
    }
    item
}

fn doc_of(mut item: Item) -> Result<(String, serde_json::Value), StoreError> {
    let sk = item.remove("sk").and_then(|v| v.as_s().ok().cloned()).unwrap_or_default();
    let text = item.remove("doc").and_then(|v| v.as_s().ok().cloned());
    let doc = text
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| StoreError::corrupt(format!("document {sk}"), e))?
        .ok_or_else(|| StoreError::corrupt(format!("document {sk}"), "no doc attribute"))?;
    Ok((sk, doc))
}

#[async_trait]
impl DocStore for DynamoStore {
    async fn get_doc(&self, pk: &str, sk: &str) -> Result<Option<serde_json::Value>, StoreError> {
        self.get_raw(pk, sk).await?.map(|item| doc_of(item).map(|(_, d)| d)).transpose()
    }

    async fn put_doc(
        &self,
        pk: &str,
        sk: &str,
        doc: &serde_json::Value,
        condition: DocCondition,
    ) -> Result<bool, StoreError> {
        self.put_doc_item(doc_item(pk, sk, doc), condition).await
    }

    async fn put_indexed_doc(
        &self,
        pk: &str,
        sk: &str,
        doc: &serde_json::Value,
        condition: DocCondition,
        index: (&str, &str),
    ) -> Result<bool, StoreError> {
        let mut item = doc_item(pk, sk, doc);
        item.insert("gpk".into(), s(index.0));
        item.insert("gsk".into(), s(index.1));
        self.put_doc_item(item, condition).await
    }

    async fn query_index(
        &self,
        index_pk: &str,
        lo: &str,
        hi: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<serde_json::Value>, Option<String>), StoreError> {
        // A GSI page resumes from the item's table key and index key together.
        let start: Option<Item> = match after {
            None => None,
            Some(text) => {
                let keys: HashMap<String, String> =
                    serde_json::from_str(text).map_err(|e| StoreError::misuse(format!("index cursor: {e}")))?;
                Some(keys.into_iter().map(|(k, v)| (k, AttributeValue::S(v))).collect())
            }
        };
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(INDEX_NAME)
            .key_condition_expression("gpk = :p AND gsk BETWEEN :lo AND :hi")
            .expression_attribute_values(":p", s(index_pk))
            .expression_attribute_values(":lo", s(lo))
            .expression_attribute_values(":hi", s(hi))
            .limit(limit.clamp(1, 1000) as i32)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(sdk_fail)?;
        bump(&self.counters.query, 1);
        bump(&self.counters.items_returned, out.items().len() as u64);
        let next = out.last_evaluated_key.map(|k| {
            let keys: HashMap<String, String> =
                k.into_iter().filter_map(|(name, v)| Some((name, v.as_s().ok()?.clone()))).collect();
            serde_json::to_string(&keys).expect("keys serialise")
        });
        let docs =
            out.items.unwrap_or_default().into_iter().map(|i| doc_of(i).map(|(_, d)| d)).collect::<Result<_, _>>()?;
        Ok((docs, next))
    }

    async fn query_docs(
        &self,
        pk: &str,
        lo: &str,
        hi: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<(String, serde_json::Value)>, Option<String>), StoreError> {
        let (items, next) = self.query_page(pk, lo, hi, after, Some(limit.clamp(1, 1000) as i32)).await?;
        let docs = items.into_iter().map(doc_of).collect::<Result<_, _>>()?;
        Ok((docs, next))
    }
}

fn upload_key(id: &str) -> String {
    format!("UPLOAD#{id}")
}

fn log_key(fiscal_year: &str) -> String {
    format!("LOG#{fiscal_year}")
}

/// The entry item and its id pointer, deleting the item at its previous sort key.
fn put_entry_items(
    pk: &str,
    stored: &StoredEntry,
    previous_sort_key: Option<&str>,
    table: &str,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let sk = stored.sort_key();
    let mut items = Vec::with_capacity(3);
    if let Some(old) = previous_sort_key.filter(|old| *old != sk) {
        items.push(delete(pk, old, table)?);
    }
    items.push(put(to_item(pk, &sk, &EntryRecord::from(stored))?, table)?);
    // The entry is still where the writer read it (or new): a concurrent move or delete
    // makes this write a conflict instead of leaving a copy behind. (Batched ingest
    // steps drop the condition; the ingest mark guards them.)
    let mut pointer = key(pk, &pointer_key(&stored.id));
    pointer.insert("target".into(), s(&sk));
    let pointer = Put::builder().table_name(table).set_item(Some(pointer));
    let pointer = match previous_sort_key {
        Some(old) => {
            pointer.condition_expression("target = :previous").expression_attribute_values(":previous", s(old))
        }
        None => pointer.condition_expression("attribute_not_exists(pk)"),
    };
    items.push(TransactWriteItem::builder().put(pointer.build().map_err(fail)?).build());
    Ok(items)
}

/// Deletes an entry's id pointer, only if it still points at `sort_key`.
fn delete_pointer(pk: &str, id: &str, sort_key: &str, table: &str) -> Result<TransactWriteItem, StoreError> {
    let delete = Delete::builder()
        .table_name(table)
        .set_key(Some(key(pk, &pointer_key(id))))
        .condition_expression("target = :at")
        .expression_attribute_values(":at", s(sort_key))
        .build()
        .map_err(fail)?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// One update of the log item: version +1 (when bumped), entry count +delta, last ingest.
fn touch_log_item(pk: &str, touch: &LogTouch, table: &str) -> Result<TransactWriteItem, StoreError> {
    let mut expression = String::from(
        "SET fiscalYear = :fy, updatedAt = :at, #ver = if_not_exists(#ver, :zero) + :bump, \
         entryCount = if_not_exists(entryCount, :zero) + :delta",
    );
    let mut update = Update::builder()
        .table_name(table)
        .set_key(Some(key(pk, &log_key(&touch.fiscal_year))))
        .expression_attribute_names("#ver", "version")
        .expression_attribute_values(":fy", s(&touch.fiscal_year))
        .expression_attribute_values(":at", s(&touch.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)))
        .expression_attribute_values(":zero", AttributeValue::N("0".into()))
        .expression_attribute_values(":bump", AttributeValue::N(if touch.bump { "1" } else { "0" }.into()))
        .expression_attribute_values(":delta", AttributeValue::N(touch.entry_delta.to_string()));
    if let Some((id, status)) = &touch.last_upload {
        expression.push_str(", lastUploadId = :upload, lastIngestStatus = :status");
        let status = serde_json::to_value(status).map_err(fail)?;
        update = update
            .expression_attribute_values(":upload", s(id))
            .expression_attribute_values(":status", s(status.as_str().unwrap_or_default()));
    }
    if let Some(document) = &touch.document_key {
        expression.push_str(", documentKey = :doc");
        update = update.expression_attribute_values(":doc", s(document));
    }
    Ok(TransactWriteItem::builder().update(update.update_expression(expression).build().map_err(fail)?).build())
}

#[async_trait]
impl EntryStore for DynamoStore {
    async fn snapshot(&self, owner: &Owner, from: NaiveDate, to: NaiveDate) -> Result<Snapshot, StoreError> {
        let pk = owner.partition();
        // The version first: a write after it makes a commit with this version fail.
        let (version, ingesting) = self.version(&pk).await?;
        let (lo, hi) = date_bounds(Some(from), Some(to));
        let entries = self
            .query_all(&pk, &lo, &hi)
            .await?
            .into_iter()
            .filter(|item| !is_day_marker(item))
            .map(|item| from_item::<EntryRecord>(item).map(StoredEntry::from))
            .collect::<Result<Vec<_>, _>>()?;
        let timer = match self.get_attr(&pk, "TIMER", "id").await?.and_then(|v| v.as_s().ok().cloned()) {
            Some(id) => self.entry(owner, &id).await?,
            None => None,
        };
        Ok(Snapshot { version, entries, timer, ingesting, guard: Guard::Version(version) })
    }

    /// One Query: the days' markers and entries (see [`day_marker_key`]).
    async fn nearby(&self, owner: &Owner, from: NaiveDate, to: NaiveDate) -> Result<Snapshot, StoreError> {
        let pk = owner.partition();
        let (lo, hi) = date_bounds(Some(from), Some(to));
        let mut stamps: BTreeMap<NaiveDate, Option<String>> =
            from.iter_days().take_while(|d| *d <= to).map(|d| (d, None)).collect();
        let mut entries = Vec::new();
        for mut item in self.query_all(&pk, &lo, &hi).await? {
            if is_day_marker(&item) {
                let day =
                    item.get("sk").and_then(|v| v.as_s().ok()).and_then(|sk| day_of_sort_key(sk)).map(str::to_owned);
                if let Some(day) = day.and_then(|d| d.parse::<NaiveDate>().ok()) {
                    stamps.insert(day, item.remove("stamp").and_then(|v| v.as_s().ok().cloned()));
                }
                continue;
            }
            entries.push(StoredEntry::from(from_item::<EntryRecord>(item)?));
        }
        let timer = entries.iter().find(|e| e.entry.end.is_none()).cloned();
        let guard = Guard::Days { from, to, stamps: stamps.into_iter().collect() };
        Ok(Snapshot { version: 0, entries, timer, ingesting: None, guard })
    }

    async fn commit_guarded(&self, owner: &Owner, guard: &Guard, ops: Vec<WriteOp>) -> Result<(), CommitError> {
        let (from, to, stamps) = match guard {
            Guard::Version(version) => return self.commit(owner, *version, ops).await,
            Guard::Days { from, to, stamps } => (from, to, stamps),
        };
        let pk = owner.partition();
        let table = self.table.as_str();
        let sets_timer = touches_timer(&ops);
        let dates = entry_dates(&ops);
        let feed = changes::changes_of(&ops);
        let (op_items, days) = self.ops_items(&pk, ops, true, &dates, false).await?;
        // The user's version still moves (an ingest planned before this write then
        // fails its check), but only if no large ingest is being applied.
        let version = Update::builder()
            .table_name(table)
            .set_key(Some(key(&pk, "VERSION")))
            .update_expression("SET #v = if_not_exists(#v, :zero) + :one REMOVE ingesting, ingestingSince")
            .condition_expression(NOT_INGESTING)
            .expression_attribute_values(":abandoned", abandoned_before())
            .expression_attribute_names("#v", "version")
            .expression_attribute_values(":zero", AttributeValue::N("0".into()))
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .build()
            .map_err(fail)?;
        let mut items = vec![TransactWriteItem::builder().update(version).build()];
        if !sets_timer {
            // A timer running on another day would be an entry this write never saw.
            let check = ConditionCheck::builder()
                .table_name(table)
                .set_key(Some(key(&pk, "TIMER")))
                .condition_expression("attribute_not_exists(id) OR (#d BETWEEN :from AND :to)")
                .expression_attribute_names("#d", "date")
                .expression_attribute_values(":from", s(&from.to_string()))
                .expression_attribute_values(":to", s(&to.to_string()))
                .build()
                .map_err(fail)?;
            items.push(TransactWriteItem::builder().condition_check(check).build());
        }
        for (day, seen) in stamps {
            let day = day.to_string();
            items.push(if days.contains(&day) {
                stamp_marker(&pk, &day, table, Some(seen))?
            } else {
                check_marker(&pk, &day, table, seen)?
            });
        }
        for day in days.iter().filter(|d| !stamps.iter().any(|(g, _)| g.to_string() == **d)) {
            items.push(stamp_marker(&pk, day, table, None)?);
        }
        items.extend(op_items);
        // Stamped last, just before the transaction is sent (see CHANGE_SETTLE).
        items.extend(change_items(&pk, feed, table)?);
        if items.len() > MAX_TRANSACTION_ITEMS {
            return Err(CommitError::Store(StoreError::Misuse(format!(
                "one change touches {} items; DynamoDB transactions allow {MAX_TRANSACTION_ITEMS}",
                items.len()
            ))));
        }
        self.transact(items).await
    }

    async fn commit(&self, owner: &Owner, expected_version: u64, ops: Vec<WriteOp>) -> Result<(), CommitError> {
        let pk = owner.partition();
        let table = self.table.as_str();
        let version_item = self.version_item(&pk, expected_version)?;
        let mut items = vec![version_item];
        let dates = entry_dates(&ops);
        let feed = changes::changes_of(&ops);
        let (op_items, days) = self.ops_items(&pk, ops, false, &dates, false).await?;
        items.extend(op_items);
        for day in &days {
            items.push(stamp_marker(&pk, day, table, None)?);
        }
        // Stamped last, just before the transaction is sent (see CHANGE_SETTLE).
        items.extend(change_items(&pk, feed, table)?);
        if items.len() > MAX_TRANSACTION_ITEMS {
            return Err(CommitError::Store(StoreError::Misuse(format!(
                "one change touches {} items; DynamoDB transactions allow {MAX_TRANSACTION_ITEMS}",
                items.len()
            ))));
        }
        self.transact(items).await
    }

    async fn commit_ingest(
        &self,
        owner: &Owner,
        expected_version: u64,
        ops: Vec<WriteOp>,
        upload_id: &str,
    ) -> Result<(), CommitError> {
        let pk = owner.partition();
        let table = self.table.as_str();
        let (current, ingesting) = self.version(&pk).await?;
        let resuming = ingesting.as_deref() == Some(upload_id);
        if current != expected_version || (ingesting.is_some() && !resuming) {
            return Err(CommitError::Conflict);
        }
        let dates = entry_dates(&ops);
        let sets_timer = ops.iter().any(|op| matches!(op, WriteOp::SetTimer(_)));
        // Entry ops go in bounded steps; the rest (timer, log state, upload record) in
        // the last step, with clearing the mark.
        let (entry_ops, final_ops): (Vec<WriteOp>, Vec<WriteOp>) = ops.into_iter().partition(|op| {
            matches!(
                op,
                WriteOp::PutEntry(_)
                    | WriteOp::PutEntryAt { .. }
                    | WriteOp::DeleteEntry { .. }
                    | WriteOp::DeleteEntryAt { .. }
            )
        });
        let (entry_changes, final_changes) = (changes::changes_of(&entry_ops), changes::changes_of(&final_ops));
        let (mut entry_items, days) = self.ops_items(&pk, entry_ops, false, &dates, sets_timer).await?;
        for day in &days {
            entry_items.push(stamp_marker(&pk, day, table, None)?);
        }
        let (mut final_items, _) = self.ops_items(&pk, final_ops, false, &dates, false).await?;
        let feed_len = entry_changes.len() + final_changes.len();
        if !resuming && entry_items.len() + final_items.len() + feed_len < MAX_TRANSACTION_ITEMS {
            // Small enough for one transaction: the ordinary commit.
            let version_item = self.version_item(&pk, expected_version)?;
            let mut items = vec![version_item];
            items.extend(entry_items);
            items.extend(final_items);
            let mut all = entry_changes;
            all.extend(final_changes);
            items.extend(change_items(&pk, all, table)?);
            return self.transact(items).await;
        }
        if !resuming {
            // Step 1: mark the user as ingesting this upload (readers wait, writers
            // conflict) and bump the version so snapshots taken before fail to commit.
            let mark = Update::builder()
                .table_name(table)
                .set_key(Some(key(&pk, "VERSION")))
                .update_expression("SET #v = :next, ingesting = :upload, ingestingSince = :now")
                .condition_expression(if expected_version == 0 {
                    format!("attribute_not_exists(#v) AND {NOT_INGESTING}")
                } else {
                    format!("#v = :expected AND {NOT_INGESTING}")
                })
                .expression_attribute_values(":abandoned", abandoned_before())
                .expression_attribute_values(":now", AttributeValue::N(chrono::Utc::now().timestamp().to_string()))
                .expression_attribute_names("#v", "version")
                .expression_attribute_values(":next", AttributeValue::N((expected_version + 1).to_string()))
                .expression_attribute_values(":upload", s(upload_id));
            let mark = if expected_version == 0 {
                mark
            } else {
                mark.expression_attribute_values(":expected", AttributeValue::N(expected_version.to_string()))
            };
            self.transact(vec![TransactWriteItem::builder().update(mark.build().map_err(fail)?).build()]).await?;
        }
        // Steps: the entry items in batches. They need no transaction: while the mark
        // stands, every other commit of this user fails its version condition, readers
        // wait, and a crashed run is resumed by re-planning (ids of new entries are
        // derived from the upload and the entry, so two runs write the same items).
        // BatchWriteItem also costs half the write units of a transaction.
        // The feed's items go first and are stamped now, after the mark: a reader of the
        // feed waits while the mark stands, and its cursor (settled before the mark)
        // stays before them. A resumed run re-plans and lists what it still changes.
        let mut batch = change_items(&pk, entry_changes, table)?;
        batch.extend(entry_items);
        self.batch_write(batch).await?;
        // The last step: timer, log state, upload record, and clearing the mark, as one.
        let clear = Update::builder()
            .table_name(table)
            .set_key(Some(key(&pk, "VERSION")))
            .update_expression("SET #v = #v + :one REMOVE ingesting, ingestingSince")
            .condition_expression("ingesting = :upload")
            .expression_attribute_names("#v", "version")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":upload", s(upload_id))
            .build()
            .map_err(fail)?;
        final_items.push(TransactWriteItem::builder().update(clear).build());
        final_items.extend(change_items(&pk, final_changes, table)?);
        self.transact(final_items).await?;
        Ok(())
    }

    async fn entry(&self, owner: &Owner, id: &str) -> Result<Option<StoredEntry>, StoreError> {
        let pk = owner.partition();
        let Some(sk) = self.pointer(&pk, id).await? else { return Ok(None) };
        Ok(self.get::<EntryRecord>(&pk, &sk).await?.map(StoredEntry::from))
    }

    async fn entries(&self, owner: &Owner, query: &EntryQuery) -> Result<EntryPage, StoreError> {
        let pk = owner.partition();
        // Half of a large ingest must not show in a list or a report.
        if self.version(&pk).await?.1.is_some() {
            return Err(StoreError::IngestInProgress);
        }
        let (lo, hi) = date_bounds(query.from, query.to);
        let project = query.project.as_deref().map(project_key);
        let mut after: Option<String> = match query.cursor.as_deref() {
            None => None,
            // A cursor that is not one fails rather than silently starting over.
            Some(text) => Some(cursor::decode(text).ok_or_else(|| StoreError::misuse("invalid entry cursor"))?),
        };
        // A start key outside the range would be refused by DynamoDB: before the range
        // it starts at the range, after it the page is empty.
        match &after {
            Some(a) if *a < lo => after = None,
            Some(a) if *a > hi => return Ok(EntryPage { entries: Vec::new(), next_cursor: None }),
            _ => {}
        }
        let mut entries: Vec<StoredEntry> = Vec::new();
        loop {
            let (items, next) = self.query_page(&pk, &lo, &hi, after.as_deref(), None).await?;
            for item in items.into_iter().filter(|item| !is_day_marker(item)) {
                let stored = StoredEntry::from(from_item::<EntryRecord>(item)?);
                let wanted = project.as_ref().is_none_or(|p| project_key(&stored.entry.project) == *p)
                    && query.tag.as_ref().is_none_or(|t| stored.entry.tags.contains(t))
                    && query.updated_since.is_none_or(|since| stored.updated_at >= since);
                if !wanted {
                    continue;
                }
                if entries.len() == query.limit {
                    let next_cursor = entries.last().map(|e| cursor::encode(&e.sort_key()));
                    return Ok(EntryPage { entries, next_cursor });
                }
                entries.push(stored);
            }
            match next {
                Some(n) => after = Some(n),
                None => return Ok(EntryPage { entries, next_cursor: None }),
            }
        }
    }

    async fn idempotent_response(&self, owner: &Owner, key: &str) -> Result<Option<StoredResponse>, StoreError> {
        self.get(&owner.partition(), &format!("IDEMP#{key}")).await
    }

    async fn month_versions(&self, owner: &Owner) -> Result<std::collections::BTreeMap<String, u64>, StoreError> {
        let mut versions = std::collections::BTreeMap::new();
        for mut item in self.query_all(&owner.partition(), "MONTH#", "MONTH#~").await? {
            let month = item.remove("sk").and_then(|v| v.as_s().ok().cloned()).unwrap_or_default();
            let version = item.remove("version").and_then(|v| v.as_n().ok()?.parse().ok()).unwrap_or(0);
            versions.insert(month.trim_start_matches("MONTH#").to_owned(), version);
        }
        Ok(versions)
    }
}

#[async_trait]
impl SettingsStore for DynamoStore {
    async fn profile(&self, owner: &Owner) -> Result<Option<Profile>, StoreError> {
        self.get(&owner.partition(), "PROFILE").await
    }

    /// With its `settings.updated` change, in one transaction.
    async fn put_profile(&self, owner: &Owner, profile: &Profile) -> Result<(), StoreError> {
        let pk = owner.partition();
        let item = to_item(&pk, "PROFILE", profile)?;
        self.put_noting(item, None, None, &pk, vec![changes::settings_saved(profile)]).await.map(|_| ())
    }

    async fn tenant_settings(&self, tenant: &str) -> Result<Option<TenantSettings>, StoreError> {
        self.get(&tenant_partition(tenant), "SETTINGS").await
    }

    /// With its `tenant.updated` change in the tenant's feed, in one transaction.
    async fn put_tenant_settings(&self, tenant: &str, settings: &TenantSettings) -> Result<(), StoreError> {
        let item = to_item(&tenant_partition(tenant), "SETTINGS", settings)?;
        let feed = changes::tenant_feed(tenant)?.partition();
        let change = Change::TenantSaved { settings: settings.clone() };
        self.put_noting(item, None, None, &feed, vec![change]).await.map(|_| ())
    }

    /// One strongly consistent BatchGetItem for the three items; keys DynamoDB leaves
    /// unprocessed (throttling) are read one by one.
    async fn caller_settings(&self, owner: &Owner) -> Result<CallerRecords, StoreError> {
        let (person_pk, person_sk) = tm_service::store::team::person_key(owner);
        let (profile_key, settings_key, person_key) = (
            key(&owner.partition(), "PROFILE"),
            key(&tenant_partition(owner.tenant()), "SETTINGS"),
            key(&person_pk, &person_sk),
        );
        let keys = aws_sdk_dynamodb::types::KeysAndAttributes::builder()
            .set_keys(Some(vec![profile_key.clone(), settings_key.clone(), person_key.clone()]))
            .consistent_read(true)
            .build()
            .map_err(fail)?;
        let out = self.client.batch_get_item().request_items(&self.table, keys).send().await.map_err(sdk_fail)?;
        bump(&self.counters.batch_get_item, 1);
        let mut found = out.responses.unwrap_or_default().remove(&self.table).unwrap_or_default();
        bump(&self.counters.items_returned, found.len() as u64);
        let unprocessed =
            out.unprocessed_keys.and_then(|mut u| u.remove(&self.table)).map(|k| k.keys).unwrap_or_default();
        for missed in unprocessed {
            let (pk, sk) = (missed.get("pk").and_then(|v| v.as_s().ok()), missed.get("sk").and_then(|v| v.as_s().ok()));
            if let (Some(pk), Some(sk)) = (pk, sk)
                && let Some(item) = self.get_raw(pk, sk).await?
            {
                found.push(item);
            }
        }
        let mut take = |wanted: &Item| {
            found
                .iter()
                .position(|item| item.get("pk") == wanted.get("pk") && item.get("sk") == wanted.get("sk"))
                .map(|at| found.swap_remove(at))
        };
        let profile = take(&profile_key).map(from_item).transpose()?;
        let tenant = take(&settings_key).map(from_item).transpose()?;
        let person = take(&person_key)
            .map(|item| doc_of(item).and_then(|(_, doc)| tm_service::store::team::person_from_doc(doc)))
            .transpose()?;
        Ok(CallerRecords { profile, tenant, person })
    }
}

fn project_sort_key(name: &str) -> String {
    format!("P#{}", project_key(name))
}

impl DynamoStore {
    /// Puts `item` if `condition` holds, with its change to the feed, in one
    /// transaction; false when the condition did not hold.
    async fn put_with_change(&self, item: Item, condition: Option<&str>, change: Change) -> Result<bool, StoreError> {
        let pk = item.get("pk").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
        self.put_noting(item, condition, None, &pk, vec![change]).await
    }

    /// Puts `item` (if `condition` holds, with `values` for it) and appends `changes` to
    /// the feed of partition `feed`, in one transaction. False when the condition does
    /// not hold; a transaction that only collided with another is tried again.
    async fn put_noting(
        &self,
        item: Item,
        condition: Option<&str>,
        values: Option<(&str, AttributeValue)>,
        feed: &str,
        changes: Vec<Change>,
    ) -> Result<bool, StoreError> {
        let pk = item.get("pk").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
        let sk = item.get("sk").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
        for attempt in 0..4u32 {
            let mut put = Put::builder().table_name(&self.table).set_item(Some(item.clone()));
            if let Some(condition) = condition {
                put = put.condition_expression(condition);
            }
            if let Some((name, value)) = &values {
                put = put.expression_attribute_values(*name, value.clone());
            }
            let mut items = vec![TransactWriteItem::builder().put(put.build().map_err(fail)?).build()];
            items.extend(change_items(feed, changes.clone(), &self.table)?);
            match self.transact(items).await {
                Ok(()) => return Ok(true),
                Err(CommitError::Store(e)) => return Err(e),
                Err(CommitError::Conflict) => {
                    // The condition failed, or another transaction held the item: which?
                    let current = self.get_raw(&pk, &sk).await?;
                    let holds = match (condition, &values) {
                        (Some(c), _) if c.starts_with("attribute_not_exists") => current.is_none(),
                        (Some(_), Some((_, expected))) => {
                            current.as_ref().and_then(|i| i.get("revision")) == Some(expected)
                        }
                        (Some(_), None) => current.is_some(),
                        (None, _) => true,
                    };
                    if !holds {
                        return Ok(false);
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
                }
            }
        }
        Err(StoreError::Busy("concurrent writes kept conflicting; try again".into()))
    }

    async fn conditional_put_project(
        &self,
        owner: &Owner,
        project: &Project,
        condition: &str,
    ) -> Result<bool, StoreError> {
        let item = to_item(&owner.partition(), &project_sort_key(&project.name), project)?;
        self.put_with_change(item, Some(condition), Change::ProjectSaved { project: project.clone() }).await
    }
}

#[async_trait]
impl ChangeStore for DynamoStore {
    /// The settled horizon: no read at all; reading from it gives the last minute too.
    async fn feed_end(&self, _owner: &Owner) -> Result<String, StoreError> {
        Ok(format!("{:017}", (chrono::Utc::now() - CHANGE_SETTLE).timestamp_micros()))
    }

    /// Positions start with commit times: none is later than now (a transaction is
    /// stamped just before it is sent), with the settle window's margin for clocks.
    async fn issued_up_to(&self, _owner: &Owner) -> Result<String, StoreError> {
        Ok(format!("{:017}", (chrono::Utc::now() + CHANGE_SETTLE).timestamp_micros()))
    }

    /// Positions are commit times (plus the commit's id): a commit may become visible up
    /// to [`CHANGE_SETTLE`] after its time, so the cursor stops at `now − CHANGE_SETTLE`
    /// while later changes are returned too (and again on the next read).
    async fn changes(&self, owner: &Owner, after: Option<&str>, limit: usize) -> Result<ChangePage, StoreError> {
        let pk = owner.partition();
        let horizon = format!("{:017}", (chrono::Utc::now() - CHANGE_SETTLE).timestamp_micros());
        // A large ingest being applied: wait with the other readers (its changes are
        // stamped after the mark, so no cursor handed out before it passes them).
        if self.version(&pk).await?.1.is_some() {
            return Err(StoreError::IngestInProgress);
        }
        let limit = limit.clamp(1, 1000);
        let start = after.map(|a| format!("{CHANGE_PREFIX}{a}"));
        let (items, next) = self
            .query_page(&pk, CHANGE_PREFIX, &format!("{CHANGE_PREFIX}~"), start.as_deref(), Some(limit as i32))
            .await?;
        let mut changes = Vec::with_capacity(items.len());
        for mut item in items {
            let position = item
                .remove("sk")
                .and_then(|v| v.as_s().ok().cloned())
                .and_then(|sk| sk.strip_prefix(CHANGE_PREFIX).map(str::to_owned))
                .ok_or_else(|| StoreError::corrupt("change item", "no sort key"))?;
            changes.push(PositionedChange { position, record: from_item(item)? });
        }
        let has_more = next.is_some();
        let cursor = if has_more {
            // The page stopped early: continue after its last settled change, or — when a
            // whole page is younger than the horizon (a burst right after a large ingest)
            // — after its last change, rather than read the same page again.
            let settled = changes.iter().rev().map(|c| &c.position).find(|p| p.as_str() <= horizon.as_str());
            settled.or(changes.last().map(|c| &c.position)).cloned()
        } else {
            // Everything after `after` was read: what is at or before the horizon is final.
            Some(after.map(str::to_owned).filter(|a| *a > horizon).unwrap_or(horizon))
        };
        Ok(ChangePage { changes, cursor, has_more })
    }

    async fn put_doc_noting(
        &self,
        write: DocWrite<'_>,
        feed: &Owner,
        changes: Vec<Change>,
    ) -> Result<bool, StoreError> {
        let mut item = doc_item(write.pk, write.sk, write.doc);
        if let Some((gpk, gsk)) = write.index {
            item.insert("gpk".into(), s(gpk));
            item.insert("gsk".into(), s(gsk));
        }
        bump(&self.counters.other_writes, 1);
        let (condition, values) = match write.condition {
            DocCondition::Always => (None, None),
            DocCondition::Absent => (Some("attribute_not_exists(pk)"), None),
            DocCondition::Revision(r) => (Some("revision = :r"), Some((":r", AttributeValue::N(r.to_string())))),
        };
        self.put_noting(item, condition, values, &feed.partition(), changes).await
    }
}

#[async_trait]
impl ProjectStore for DynamoStore {
    async fn projects(&self, owner: &Owner) -> Result<Vec<Project>, StoreError> {
        self.query_all(&owner.partition(), "P#", "P#\u{10FFFF}").await?.into_iter().map(from_item).collect()
    }

    async fn create_project(&self, owner: &Owner, project: &Project) -> Result<bool, StoreError> {
        self.conditional_put_project(owner, project, "attribute_not_exists(pk)").await
    }

    async fn replace_project(&self, owner: &Owner, project: &Project) -> Result<bool, StoreError> {
        self.conditional_put_project(owner, project, "attribute_exists(pk)").await
    }
}

#[async_trait]
impl LogStore for DynamoStore {
    async fn log_state(&self, owner: &Owner, fiscal_year: &str) -> Result<Option<LogState>, StoreError> {
        self.get(&owner.partition(), &log_key(fiscal_year)).await
    }

    async fn log_states(&self, owner: &Owner) -> Result<Vec<LogState>, StoreError> {
        self.query_all(&owner.partition(), "LOG#", "LOG#~").await?.into_iter().map(from_item).collect()
    }

    async fn upload(&self, owner: &Owner, id: &str) -> Result<Option<UploadRecord>, StoreError> {
        self.get(&owner.partition(), &upload_key(id)).await
    }

    async fn put_upload(&self, owner: &Owner, record: &UploadRecord) -> Result<(), StoreError> {
        let item = to_item(&owner.partition(), &upload_key(&record.id), record)?;
        self.put_with_change(item, None, Change::UploadSaved { upload: record.clone() }).await.map(drop)
    }

    async fn touch_log(&self, owner: &Owner, touch: &LogTouch) -> Result<(), StoreError> {
        let item = touch_log_item(&owner.partition(), touch, &self.table)?;
        let update = item.update.ok_or_else(|| StoreError::misuse("log update missing"))?;
        bump(&self.counters.other_writes, 1);
        bump(&self.counters.items_written, 1);
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(update.key))
            .update_expression(update.update_expression)
            .set_expression_attribute_names(update.expression_attribute_names)
            .set_expression_attribute_values(update.expression_attribute_values)
            .send()
            .await
            .map_err(sdk_fail)?;
        Ok(())
    }
}
