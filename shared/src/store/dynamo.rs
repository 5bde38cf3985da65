//! The DynamoDB adapter: one table, partition key `pk`, sort key `sk`, the same items as
//! the embedded store (ARCHITECTURE.md, Data). Reads are Queries and GetItems on one
//! partition (no Scan); a commit is one `TransactWriteItems` whose first item is the
//! condition on the user's version item, so "validate, then write" is atomic.

use super::model::{EntryRecord, cursor};
use super::{
    CommitError, EntryPage, EntryQuery, EntryStore, Owner, Profile, ProjectStore, SettingsStore, Snapshot, StoreError,
    StoredEntry, StoredResponse, TenantSettings, WriteOp,
};
use crate::domain::Project;
use crate::domain::names::project_key;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, Delete, KeySchemaElement, KeyType, Put, ScalarAttributeType,
    TransactWriteItem, Update,
};
use chrono::NaiveDate;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;

type Item = HashMap<String, AttributeValue>;

/// DynamoDB allows 100 items in one transaction.
pub const MAX_TRANSACTION_ITEMS: usize = 100;
/// Idempotency records expire after a day (the table's TTL attribute `expiresAt`).
const IDEMPOTENCY_SECONDS: i64 = 24 * 3600;

fn fail(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

/// Full error text of an SDK error (its Display is only "service error").
fn sdk_fail<E: std::error::Error + 'static>(e: aws_sdk_dynamodb::error::SdkError<E>) -> StoreError {
    StoreError(format!("dynamodb: {}", aws_sdk_dynamodb::error::DisplayErrorContext(e)))
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
    serde_dynamo::from_item(item).map_err(|e| StoreError(format!("corrupt item: {e}")))
}

fn tenant_partition(tenant: &str) -> String {
    format!("T#{tenant}")
}

fn pointer_key(id: &str) -> String {
    format!("EID#{id}")
}

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
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
            .send()
            .await
            .map_err(sdk_fail)?;
        Ok(())
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
        Ok(out.item)
    }

    async fn get<T: DeserializeOwned>(&self, pk: &str, sk: &str) -> Result<Option<T>, StoreError> {
        self.get_raw(pk, sk).await?.map(from_item).transpose()
    }

    async fn get_attr(&self, pk: &str, sk: &str, attr: &str) -> Result<Option<AttributeValue>, StoreError> {
        Ok(self.get_raw(pk, sk).await?.and_then(|mut item| item.remove(attr)))
    }

    async fn put<T: Serialize>(&self, pk: &str, sk: &str, value: &T) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(pk, sk, value)?))
            .send()
            .await
            .map_err(sdk_fail)?;
        Ok(())
    }

    /// Items of `pk` with sort keys `lo..=hi`, starting after `after`, one page.
    async fn query_page(
        &self,
        pk: &str,
        lo: &str,
        hi: &str,
        after: Option<&str>,
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
            .set_exclusive_start_key(after.map(|a| key(pk, a)))
            .send()
            .await
            .map_err(sdk_fail)?;
        let next = out.last_evaluated_key.as_ref().and_then(|k| k.get("sk")).and_then(|v| v.as_s().ok()).cloned();
        Ok((out.items.unwrap_or_default(), next))
    }

    async fn query_all(&self, pk: &str, lo: &str, hi: &str) -> Result<Vec<Item>, StoreError> {
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let (items, next) = self.query_page(pk, lo, hi, after.as_deref()).await?;
            all.extend(items);
            match next {
                Some(n) => after = Some(n),
                None => return Ok(all),
            }
        }
    }

    async fn version(&self, pk: &str) -> Result<u64, StoreError> {
        match self.get_attr(pk, "VERSION", "version").await? {
            None => Ok(0),
            Some(AttributeValue::N(n)) => n.parse().map_err(fail),
            Some(other) => Err(StoreError(format!("corrupt version item: {other:?}"))),
        }
    }

    async fn pointer(&self, pk: &str, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self.get_attr(pk, &pointer_key(id), "target").await?.and_then(|v| v.as_s().ok().cloned()))
    }
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

#[async_trait]
impl EntryStore for DynamoStore {
    async fn snapshot(&self, owner: &Owner, from: NaiveDate, to: NaiveDate) -> Result<Snapshot, StoreError> {
        let pk = owner.partition();
        // The version first: a write after it makes a commit with this version fail.
        let version = self.version(&pk).await?;
        let (lo, hi) = date_bounds(Some(from), Some(to));
        let entries = self
            .query_all(&pk, &lo, &hi)
            .await?
            .into_iter()
            .map(|item| from_item::<EntryRecord>(item).map(StoredEntry::from))
            .collect::<Result<Vec<_>, _>>()?;
        let timer = match self.get_attr(&pk, "TIMER", "id").await?.and_then(|v| v.as_s().ok().cloned()) {
            Some(id) => self.entry(owner, &id).await?,
            None => None,
        };
        Ok(Snapshot { version, entries, timer })
    }

    async fn commit(&self, owner: &Owner, expected_version: u64, ops: Vec<WriteOp>) -> Result<(), CommitError> {
        let pk = owner.partition();
        let table = self.table.as_str();
        let next = (expected_version + 1).to_string();
        let version_item = if expected_version == 0 {
            let item = HashMap::from([
                ("pk".to_owned(), s(&pk)),
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
                        .set_key(Some(key(&pk, "VERSION")))
                        .update_expression("SET #v = :next")
                        .condition_expression("#v = :expected")
                        .expression_attribute_names("#v", "version")
                        .expression_attribute_values(":next", AttributeValue::N(next))
                        .expression_attribute_values(":expected", AttributeValue::N(expected_version.to_string()))
                        .build()
                        .map_err(fail)?,
                )
                .build()
        };
        let mut items = vec![version_item];
        for op in ops {
            match op {
                WriteOp::PutEntry(stored) => {
                    let sk = stored.sort_key();
                    // The version condition makes this read safe: if the pointer changed
                    // since, the transaction fails and the caller retries.
                    if let Some(old) = self.pointer(&pk, &stored.id).await?
                        && old != sk
                    {
                        items.push(delete(&pk, &old, table)?);
                    }
                    items.push(put(to_item(&pk, &sk, &EntryRecord::from(&stored))?, table)?);
                    let mut pointer = key(&pk, &pointer_key(&stored.id));
                    pointer.insert("target".into(), s(&sk));
                    items.push(put(pointer, table)?);
                }
                WriteOp::DeleteEntry { id } => {
                    if let Some(old) = self.pointer(&pk, &id).await? {
                        items.push(delete(&pk, &old, table)?);
                    }
                    items.push(delete(&pk, &pointer_key(&id), table)?);
                }
                WriteOp::SetTimer(Some(id)) => {
                    let mut item = key(&pk, "TIMER");
                    item.insert("id".into(), s(&id));
                    items.push(put(item, table)?);
                }
                WriteOp::SetTimer(None) => items.push(delete(&pk, "TIMER", table)?),
                WriteOp::PutIdempotency { key: k, response } => {
                    let mut item = to_item(&pk, &format!("IDEMP#{k}"), &response)?;
                    let expires = chrono::Utc::now().timestamp() + IDEMPOTENCY_SECONDS;
                    item.insert("expiresAt".into(), AttributeValue::N(expires.to_string()));
                    items.push(put(item, table)?);
                }
            }
        }
        if items.len() > MAX_TRANSACTION_ITEMS {
            return Err(CommitError::Store(StoreError(format!(
                "one change touches {} items; DynamoDB transactions allow {MAX_TRANSACTION_ITEMS}",
                items.len()
            ))));
        }
        match self.client.transact_write_items().set_transact_items(Some(items)).send().await {
            Ok(_) => Ok(()),
            Err(e) => {
                use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
                // Cancelled because the version moved (its condition failed) or because a
                // concurrent transaction touched the same items: re-read and retry.
                let retry = match e.as_service_error() {
                    Some(TransactWriteItemsError::TransactionCanceledException(t)) => {
                        let codes: Vec<&str> = t.cancellation_reasons().iter().filter_map(|r| r.code()).collect();
                        codes.first() == Some(&"ConditionalCheckFailed") || codes.contains(&"TransactionConflict")
                    }
                    Some(TransactWriteItemsError::TransactionInProgressException(_)) => true,
                    _ => false,
                };
                if retry { Err(CommitError::Conflict) } else { Err(CommitError::Store(sdk_fail(e))) }
            }
        }
    }

    async fn entry(&self, owner: &Owner, id: &str) -> Result<Option<StoredEntry>, StoreError> {
        let pk = owner.partition();
        let Some(sk) = self.pointer(&pk, id).await? else { return Ok(None) };
        Ok(self.get::<EntryRecord>(&pk, &sk).await?.map(StoredEntry::from))
    }

    async fn entries(&self, owner: &Owner, query: &EntryQuery) -> Result<EntryPage, StoreError> {
        let pk = owner.partition();
        let (lo, hi) = date_bounds(query.from, query.to);
        let project = query.project.as_deref().map(project_key);
        let mut after: Option<String> = query.cursor.as_deref().and_then(cursor::decode);
        let mut entries: Vec<StoredEntry> = Vec::new();
        loop {
            let (items, next) = self.query_page(&pk, &lo, &hi, after.as_deref()).await?;
            for item in items {
                let stored = StoredEntry::from(from_item::<EntryRecord>(item)?);
                let wanted = project.as_ref().is_none_or(|p| project_key(&stored.entry.project) == *p)
                    && query.tag.as_ref().is_none_or(|t| stored.entry.tags.contains(t));
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
}

#[async_trait]
impl SettingsStore for DynamoStore {
    async fn profile(&self, owner: &Owner) -> Result<Option<Profile>, StoreError> {
        self.get(&owner.partition(), "PROFILE").await
    }

    async fn put_profile(&self, owner: &Owner, profile: &Profile) -> Result<(), StoreError> {
        self.put(&owner.partition(), "PROFILE", profile).await
    }

    async fn tenant_settings(&self, tenant: &str) -> Result<Option<TenantSettings>, StoreError> {
        self.get(&tenant_partition(tenant), "SETTINGS").await
    }

    async fn put_tenant_settings(&self, tenant: &str, settings: &TenantSettings) -> Result<(), StoreError> {
        self.put(&tenant_partition(tenant), "SETTINGS", settings).await
    }
}

fn project_sort_key(name: &str) -> String {
    format!("P#{}", project_key(name))
}

impl DynamoStore {
    async fn conditional_put_project(
        &self,
        owner: &Owner,
        project: &Project,
        condition: &str,
    ) -> Result<bool, StoreError> {
        let item = to_item(&owner.partition(), &project_sort_key(&project.name), project)?;
        match self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|se| se.is_conditional_check_failed_exception()) => Ok(false),
            Err(e) => Err(sdk_fail(e)),
        }
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
