//! The embedded durable store for running without AWS: one redb file under a data
//! folder. redb commits are ACID and fsync'd before `commit` returns, so an
//! acknowledged write survives `kill -9`. Items mirror the DynamoDB design
//! (partition key, sort key → JSON), so both adapters follow one contract.

use async_trait::async_trait;
use chrono::NaiveDate;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::Path;
use std::sync::Arc;
use tm_core::domain::Project;
use tm_core::domain::names::project_key;
use tm_service::store::changes::{
    self, CHANGE_PREFIX, Change, ChangePage, ChangeRecord, ChangeStore, PositionedChange,
};
use tm_service::store::model::cursor;

pub mod migrate;
mod records;
use records::{decode_entry, encode_entry};
/// The entry record codec, for the benchmark and tools that build data folders.
#[doc(hidden)]
pub use records::{decode_entry as decode_entry_record, encode_entry as encode_entry_record, legacy_entry_bytes};
use tm_service::store::objects::{ObjectStore, ObjectVersion, check_key, check_prefix, object_key, user_prefix};
use tm_service::store::{
    CommitError, DocCondition, DocStore, EntryPage, EntryQuery, EntryStore, LogState, LogStore, LogTouch, Owner,
    Profile, ProjectStore, SettingsStore, Snapshot, StoreError, StoredEntry, StoredResponse, TenantSettings,
    UploadRecord, WriteOp,
};

const ITEMS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("items");
/// Object bodies by (user prefix + key, version number); metadata is in ITEMS.
const OBJECTS: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("objects");
/// The secondary index of [`DocStore::put_indexed_doc`]: (index pk, index sk) → the
/// item's (pk, sk) as JSON, as DynamoDB's GSI would list it.
const INDEX: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("index");

const VERSION: &str = "VERSION";
const TIMER: &str = "TIMER";
const PROFILE: &str = "PROFILE";
const SETTINGS: &str = "SETTINGS";
/// The number of the partition's last change (the feed's positions count up from 1).
const CHANGE_SEQ: &str = "CHGSEQ";
/// The kind of cached entry pages.
const ENTRIES: &str = "E#";

fn fail(e: impl std::fmt::Display) -> StoreError {
    StoreError::unavailable("the embedded store", e.to_string())
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(fail)
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::corrupt("item", e))
}

fn pointer_key(id: &str) -> String {
    format!("EID#{id}")
}

fn tenant_partition(tenant: &str) -> String {
    format!("T#{tenant}")
}

#[derive(Clone)]
pub struct EmbeddedStore {
    db: Arc<Database>,
    /// Where presigned upload URLs point (the local server's address).
    upload_base: Option<String>,
    cache: Arc<ReadCache>,
    committer: Arc<GroupCommitter>,
    /// What opening the file upgraded ([`migrate`]).
    upgraded: migrate::Migrated,
}

/// Decoded reads kept between requests: profiles, tenant settings, projects and shared
/// projects, which every request reads again. This process is the store file's only
/// writer (redb locks the file), so a read can only go stale when a write of its
/// partition commits here, and every such write renews a generation: the partition's
/// (any write of it), or one kind's (an entry commit that creates a project renews the
/// projects only). A read remembers the generations from before it read; a write in
/// between makes it a miss.
#[derive(Default)]
struct ReadCache {
    /// Counts the writes that committed: the local server's live connections wait on it.
    written: Written,
    generations: std::sync::Mutex<std::collections::HashMap<(String, Option<String>), u64>>,
    /// What the kept reads weigh together (an entry page weighs its entries).
    weight: std::sync::atomic::AtomicUsize,
    #[allow(clippy::type_complexity)]
    items: std::sync::Mutex<
        std::collections::HashMap<(String, String), ((u64, u64), Arc<dyn std::any::Any + Send + Sync>)>,
    >,
}

/// A counter of committed writes that tasks can wait on.
struct Written(tokio::sync::watch::Sender<u64>);

impl Default for Written {
    fn default() -> Self {
        Self(tokio::sync::watch::Sender::new(0))
    }
}

/// How much is kept at most — reads, or entries in entry pages — before everything is
/// dropped and read again.
const CACHED_WEIGHT: usize = 200_000;

/// The kind of a cached read: its sort key or prefix (`docs …` for document queries).
fn kind_of(what: &str) -> &str {
    what.split(' ').next().unwrap_or(what)
}

impl ReadCache {
    fn generation(&self, pk: &str, what: &str) -> (u64, u64) {
        let generations = self.generations.lock().expect("cache generations");
        let of = |kind: Option<&str>| generations.get(&(pk.to_owned(), kind.map(str::to_owned))).copied().unwrap_or(0);
        (of(None), of(Some(kind_of(what))))
    }

    /// Every cached read of `pk` is stale.
    fn renew(&self, pk: &str) {
        *self.generations.lock().expect("cache generations").entry((pk.to_owned(), None)).or_insert(0) += 1;
        self.written.0.send_modify(|n| *n += 1);
    }

    /// Cached reads of `pk` of one kind are stale.
    fn renew_kind(&self, pk: &str, kind: &str) {
        let mut generations = self.generations.lock().expect("cache generations");
        *generations.entry((pk.to_owned(), Some(kind.to_owned()))).or_insert(0) += 1;
        self.written.0.send_modify(|n| *n += 1);
    }

    fn get<T: Clone + 'static>(&self, pk: &str, what: &str) -> Option<T> {
        let current = self.generation(pk, what);
        let items = self.items.lock().expect("cache items");
        let (generation, value) = items.get(&(pk.to_owned(), what.to_owned()))?;
        (*generation == current).then(|| value.downcast_ref::<T>().cloned()).flatten()
    }

    fn put<T: Send + Sync + 'static>(&self, pk: &str, what: &str, generation: (u64, u64), value: T, weight: usize) {
        use std::sync::atomic::Ordering::Relaxed;
        let mut items = self.items.lock().expect("cache items");
        if self.weight.fetch_add(weight.max(1), Relaxed) + weight > CACHED_WEIGHT {
            items.clear();
            self.weight.store(weight.max(1), Relaxed);
        }
        items.insert((pk.to_owned(), what.to_owned()), (generation, Arc::new(value)));
    }
}

/// A presigned PUT of the local server: whose object, where, until when.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresignedPut {
    pub tenant: String,
    pub user: String,
    pub key: String,
    pub content_type: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

const PRESIGNED: &str = "LOCAL#PRESIGNED";

type ItemTable<'t> = redb::Table<'t, (&'static str, &'static str), &'static [u8]>;

fn table_get<T: DeserializeOwned>(table: &ItemTable<'_>, pk: &str, sk: &str) -> Result<Option<T>, StoreError> {
    table.get((pk, sk)).map_err(fail)?.map(|v| decode(v.value())).transpose()
}

fn table_put<T: Serialize>(table: &mut ItemTable<'_>, pk: &str, sk: &str, value: &T) -> Result<(), StoreError> {
    table.insert((pk, sk), encode(value)?.as_slice()).map_err(fail)?;
    Ok(())
}

/// Writes an entry item and its id pointer, removing the item at its old sort key.
fn put_entry(table: &mut ItemTable<'_>, pk: &str, stored: &StoredEntry) -> Result<(), StoreError> {
    let pointer = pointer_key(&stored.id);
    let old: Option<String> = table_get(table, pk, &pointer)?;
    let sk = stored.sort_key();
    if let Some(old) = old.filter(|old| *old != sk) {
        table.remove((pk, old.as_str())).map_err(fail)?;
    }
    table.insert((pk, sk.as_str()), encode_entry(stored)?.as_slice()).map_err(fail)?;
    table_put(table, pk, &pointer, &sk)
}

fn delete_entry(table: &mut ItemTable<'_>, pk: &str, id: &str) -> Result<(), StoreError> {
    let pointer = pointer_key(id);
    if let Some(old) = table_get::<String>(table, pk, &pointer)? {
        table.remove((pk, old.as_str())).map_err(fail)?;
    }
    table.remove((pk, pointer.as_str())).map_err(fail)?;
    Ok(())
}

fn log_key(fiscal_year: &str) -> String {
    format!("LOG#{fiscal_year}")
}

/// Appends `changes` to the partition's feed in the write transaction of the change
/// itself. Write transactions are serialised, so the numbers are the commit order.
fn append_changes(table: &mut ItemTable<'_>, pk: &str, changes: Vec<Change>) -> Result<(), StoreError> {
    if changes.is_empty() {
        return Ok(());
    }
    let mut seq: u64 = table_get(table, pk, CHANGE_SEQ)?.unwrap_or(0);
    let at = chrono::Utc::now();
    for change in changes {
        seq += 1;
        table_put(table, pk, &format!("{CHANGE_PREFIX}{seq:020}"), &ChangeRecord { at, change })?;
    }
    table_put(table, pk, CHANGE_SEQ, &seq)
}

fn upload_key(id: &str) -> String {
    format!("UPLOAD#{id}")
}

impl EmbeddedStore {
    /// A service context on this store alone (it holds the items and the objects).
    pub fn context(&self) -> tm_service::context::AppContext {
        tm_service::context::AppContext::new(Arc::new(self.clone()), Arc::new(self.clone()))
    }
}

impl EmbeddedStore {
    /// Opens (or creates) `dir/temporal-mark.redb`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::unavailable(format!("the data folder {}", dir.display()), e))?;
        let path = dir.join("temporal-mark.redb");
        let db = Database::create(&path)
            .map_err(|e| StoreError::unavailable(format!("the store file {}", path.display()), e))?;
        let txn = db.begin_write().map_err(fail)?;
        txn.open_table(ITEMS).map_err(fail)?;
        txn.open_table(OBJECTS).map_err(fail)?;
        txn.open_table(INDEX).map_err(fail)?;
        txn.commit().map_err(fail)?;
        let upgraded = migrate::run(&db, migrate::BATCH, None)?;
        let db = Arc::new(db);
        let cache: Arc<ReadCache> = Arc::default();
        let committer = Arc::new(GroupCommitter::start(Arc::downgrade(&db), cache.clone()));
        Ok(Self { db, upload_base: None, cache, committer, upgraded })
    }

    /// Changes whenever a write has committed (any partition): a live connection waits on
    /// it and then reads its person's feed, instead of polling.
    pub fn writes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.cache.written.0.subscribe()
    }

    /// What opening the store file upgraded: `from == to` when it was already current.
    pub fn upgraded(&self) -> &migrate::Migrated {
        &self.upgraded
    }

    /// The same store, presigning upload URLs under `base_url` (`{base}/local/uploads/{token}`).
    pub fn with_upload_base(mut self, base_url: &str) -> Self {
        self.upload_base = Some(base_url.trim_end_matches('/').to_owned());
        self
    }

    /// The presigned PUT behind `token`, if it exists and has not expired.
    pub async fn presigned_put(&self, token: &str) -> Result<Option<PresignedPut>, StoreError> {
        let found: Option<PresignedPut> = self.get_item(PRESIGNED, token).await?;
        Ok(found.filter(|p| p.expires_at > chrono::Utc::now()))
    }

    /// Reads an item of a partition outside the user data (the local issuer's users and
    /// refresh tokens live under `LOCAL#...`).
    pub async fn get_item<T: DeserializeOwned + Send + 'static>(
        &self,
        pk: &str,
        sk: &str,
    ) -> Result<Option<T>, StoreError> {
        let (pk, sk) = (pk.to_owned(), sk.to_owned());
        self.blocking(move |db| Self::get(db, &pk, &sk)).await
    }

    /// Writes an item unless one exists; true when written.
    pub async fn put_item_if_absent<T: Serialize>(&self, pk: &str, sk: &str, value: &T) -> Result<bool, StoreError> {
        self.write_if(pk, sk, encode(value)?, false, None).await
    }

    /// Writes `bytes` at (pk, sk) only if an item exists there (`must_exist`) or does not
    /// (`!must_exist`), in one write transaction with its `change` to the feed; true when
    /// written.
    async fn write_if(
        &self,
        pk: &str,
        sk: &str,
        bytes: Vec<u8>,
        must_exist: bool,
        change: Option<Change>,
    ) -> Result<bool, StoreError> {
        let (key, pk, sk) = (pk, pk.to_owned(), sk.to_owned());
        self.writing(key, move |db| {
            let txn = db.begin_write().map_err(fail)?;
            let written = {
                let mut table = txn.open_table(ITEMS).map_err(fail)?;
                let exists = table.get((pk.as_str(), sk.as_str())).map_err(fail)?.is_some();
                if exists == must_exist {
                    table.insert((pk.as_str(), sk.as_str()), bytes.as_slice()).map_err(fail)?;
                    append_changes(&mut table, &pk, change.into_iter().collect())?;
                }
                exists == must_exist
            };
            txn.commit().map_err(fail)?;
            Ok(written)
        })
        .await
    }

    /// Writes (or replaces) an item.
    pub async fn put_item<T: Serialize>(&self, pk: &str, sk: &str, value: &T) -> Result<(), StoreError> {
        let (key, pk, sk, bytes) = (pk, pk.to_owned(), sk.to_owned(), encode(value)?);
        self.writing(key, move |db| {
            let txn = db.begin_write().map_err(fail)?;
            {
                let mut table = txn.open_table(ITEMS).map_err(fail)?;
                table.insert((pk.as_str(), sk.as_str()), bytes.as_slice()).map_err(fail)?;
            }
            txn.commit().map_err(fail)
        })
        .await
    }

    /// Writes a document if `condition` holds, and lists it in the index when given,
    /// in one transaction; false when the condition did not hold.
    async fn write_doc(
        &self,
        pk: &str,
        sk: &str,
        doc: &serde_json::Value,
        condition: DocCondition,
        index: Option<(&str, &str)>,
        notes: Option<(String, Vec<Change>)>,
    ) -> Result<bool, StoreError> {
        let (key, pk, sk, bytes) = (pk, pk.to_owned(), sk.to_owned(), encode(doc)?);
        let index = index.map(|(ipk, isk)| (ipk.to_owned(), isk.to_owned()));
        self.writing(key, move |db| {
            let txn = db.begin_write().map_err(fail)?;
            let written = {
                let mut table = txn.open_table(ITEMS).map_err(fail)?;
                let current: Option<serde_json::Value> = table_get(&table, &pk, &sk)?;
                let holds = match condition {
                    DocCondition::Always => true,
                    DocCondition::Absent => current.is_none(),
                    DocCondition::Revision(r) => {
                        current.as_ref().and_then(|c| c.get("revision")).and_then(serde_json::Value::as_u64) == Some(r)
                    }
                };
                if holds {
                    table.insert((pk.as_str(), sk.as_str()), bytes.as_slice()).map_err(fail)?;
                    if let Some((index_pk, index_sk)) = &index {
                        let mut listed = txn.open_table(INDEX).map_err(fail)?;
                        let target = encode(&(pk.as_str(), sk.as_str()))?;
                        listed.insert((index_pk.as_str(), index_sk.as_str()), target.as_slice()).map_err(fail)?;
                    }
                    if let Some((feed, changes)) = notes {
                        append_changes(&mut table, &feed, changes)?;
                    }
                }
                holds
            };
            txn.commit().map_err(fail)?;
            Ok(written)
        })
        .await
    }

    /// Runs blocking redb work off the async executor.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Database) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || work(&db)).await.map_err(fail)?
    }

    /// Blocking work that writes `pk`: afterwards, cached reads of `pk` are stale.
    async fn writing<T: Send + 'static>(
        &self,
        pk: &str,
        work: impl FnOnce(&Database) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        // Renewed in the blocking work itself: it runs to its end even when the request
        // that started it is gone, and then its readers must not see the old value.
        let (cache, pk) = (self.cache.clone(), pk.to_owned());
        self.blocking(move |db| {
            let result = work(db);
            cache.renew(&pk);
            result
        })
        .await
    }

    /// A read kept in the [`ReadCache`] under (`pk`, `what`) until `pk` is written.
    async fn cached<T: Clone + Send + Sync + 'static>(
        &self,
        pk: String,
        what: &str,
        read: impl FnOnce(&Database, &str) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.cached_weighing(pk, what, |_| 1, read).await
    }

    /// [`Self::cached`] for reads whose size varies (`weigh` says how much one keeps).
    async fn cached_weighing<T: Clone + Send + Sync + 'static>(
        &self,
        pk: String,
        what: &str,
        weigh: impl Fn(&T) -> usize,
        read: impl FnOnce(&Database, &str) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        if let Some(hit) = self.cache.get::<T>(&pk, what) {
            return Ok(hit);
        }
        let generation = self.cache.generation(&pk, what);
        let key = pk.clone();
        let value = self.blocking(move |db| read(db, &key)).await?;
        self.cache.put(&pk, what, generation, value.clone(), weigh(&value));
        Ok(value)
    }

    fn get<T: DeserializeOwned>(db: &Database, pk: &str, sk: &str) -> Result<Option<T>, StoreError> {
        let txn = db.begin_read().map_err(fail)?;
        let table = txn.open_table(ITEMS).map_err(fail)?;
        table.get((pk, sk)).map_err(fail)?.map(|v| decode(v.value())).transpose()
    }

    /// Items of `pk` with sort keys in `from..=to`, in order.
    fn range<T: DeserializeOwned>(
        db: &Database,
        pk: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, T)>, StoreError> {
        let txn = db.begin_read().map_err(fail)?;
        let table = txn.open_table(ITEMS).map_err(fail)?;
        let mut out = Vec::new();
        for item in table.range((pk, from)..=(pk, to)).map_err(fail)? {
            let (key, value) = item.map_err(fail)?;
            out.push((key.value().1.to_owned(), decode(value.value())?));
        }
        Ok(out)
    }
}

/// Applies one commit's ops inside a write transaction if the user's version is still
/// `expected_version` (redb serialises write transactions, so check-then-write is atomic).
fn apply_commit(
    txn: &redb::WriteTransaction,
    pk: &str,
    expected_version: u64,
    ops: Vec<WriteOp>,
) -> Result<(), CommitError> {
    let mut table = txn.open_table(ITEMS).map_err(fail)?;
    let version: u64 = table.get((pk, VERSION)).map_err(fail)?.map(|v| decode(v.value())).transpose()?.unwrap_or(0);
    if version != expected_version {
        return Err(CommitError::Conflict);
    }
    // Every check before any write: a commit that fails one must leave nothing behind
    // in the group's shared transaction.
    for op in &ops {
        if let WriteOp::RequireProject(name) = op
            && table.get((pk, project_sort_key(name).as_str())).map_err(fail)?.is_none()
        {
            return Err(CommitError::Conflict);
        }
    }
    let changes = changes::changes_of(&ops);
    let pk = pk.to_owned();
    for op in ops {
        match op {
            WriteOp::PutEntry(stored) | WriteOp::PutEntryAt { stored, .. } => put_entry(&mut table, &pk, &stored)?,
            WriteOp::DeleteEntry { id } | WriteOp::DeleteEntryAt { id, .. } => delete_entry(&mut table, &pk, &id)?,
            WriteOp::SetTimer(Some(id)) => table_put(&mut table, &pk, TIMER, &id)?,
            WriteOp::SetTimer(None) => {
                table.remove((pk.as_str(), TIMER)).map_err(fail)?;
            }
            WriteOp::PutIdempotency { key, response } => {
                table_put(&mut table, &pk, &format!("IDEMP#{key}"), &response)?
            }
            WriteOp::TouchLog(touch) => {
                let sk = log_key(&touch.fiscal_year);
                let state = LogState::apply(table_get(&table, &pk, &sk)?, &touch);
                table_put(&mut table, &pk, &sk, &state)?;
            }
            WriteOp::PutUpload(record) => table_put(&mut table, &pk, &upload_key(&record.id), &record)?,
            WriteOp::PutProject(project) => table_put(&mut table, &pk, &project_sort_key(&project.name), &project)?,
            WriteOp::DeleteProject(name) => {
                table.remove((pk.as_str(), project_sort_key(&name).as_str())).map_err(fail)?;
            }
            WriteOp::PutAudit(record) => {
                let (audit_pk, audit_sk) = record.keys();
                table_put(&mut table, &audit_pk, &audit_sk, &record.to_doc())?
            }
            WriteOp::TouchMonth(month) => {
                let sk = format!("MONTH#{month}");
                let version: u64 = table_get(&table, &pk, &sk)?.unwrap_or(0);
                table_put(&mut table, &pk, &sk, &(version + 1))?
            }
            WriteOp::RequireProject(_) => {} // checked above
        }
    }
    append_changes(&mut table, &pk, changes)?;
    table.insert((pk.as_str(), VERSION), encode(&(expected_version + 1))?.as_slice()).map_err(fail)?;
    Ok(())
}

/// A commit waiting for the group committer.
struct PendingCommit {
    pk: String,
    expected_version: u64,
    ops: Vec<WriteOp>,
    /// The cached reads the commit makes stale: a partition, or one kind of it.
    renew: Vec<(String, Option<&'static str>)>,
    done: tokio::sync::oneshot::Sender<Result<(), CommitError>>,
}

/// Group commit: entry commits of concurrent requests share one write transaction and
/// so one fsync. A thread takes every commit that is waiting, applies each in turn
/// (each checks its own version, so later ones see earlier ones), and commits them
/// together; each is acknowledged only once the group is durable. If applying one
/// fails (corrupt data), the group is dropped and each commit is retried on its own,
/// so one bad commit never fails the others.
struct GroupCommitter {
    queue: std::sync::Mutex<std::sync::mpsc::Sender<PendingCommit>>,
}

/// At most this many commits share one transaction.
const GROUP_MAX: usize = 256;

impl GroupCommitter {
    fn start(db: std::sync::Weak<Database>, cache: Arc<ReadCache>) -> Self {
        let (queue, waiting) = std::sync::mpsc::channel::<PendingCommit>();
        std::thread::Builder::new()
            .name("tm-group-commit".into())
            .spawn(move || {
                while let Ok(first) = waiting.recv() {
                    let mut group = vec![first];
                    while group.len() < GROUP_MAX {
                        match waiting.try_recv() {
                            Ok(next) => group.push(next),
                            Err(_) => break,
                        }
                    }
                    let Some(db) = db.upgrade() else { break };
                    let renew: Vec<(String, Option<&'static str>)> =
                        group.iter().flat_map(|p| p.renew.iter().cloned()).collect();
                    let answers = Self::commit_group(&db, group);
                    for (pk, kind) in renew {
                        match kind {
                            Some(kind) => cache.renew_kind(&pk, kind),
                            None => cache.renew(&pk),
                        }
                    }
                    // Let go of the database before anyone hears back: a caller that
                    // then closes and reopens it must find it closed.
                    drop(db);
                    for (done, outcome) in answers {
                        let _ = done.send(outcome);
                    }
                }
            })
            .expect("the group commit thread starts");
        Self { queue: std::sync::Mutex::new(queue) }
    }

    #[allow(clippy::type_complexity)]
    fn commit_group(
        db: &Database,
        group: Vec<PendingCommit>,
    ) -> Vec<(tokio::sync::oneshot::Sender<Result<(), CommitError>>, Result<(), CommitError>)> {
        let together = (|| -> Result<Vec<Result<(), CommitError>>, StoreError> {
            let txn = db.begin_write().map_err(fail)?;
            let mut outcomes = Vec::with_capacity(group.len());
            for pending in &group {
                match apply_commit(&txn, &pending.pk, pending.expected_version, pending.ops.clone()) {
                    Ok(()) => outcomes.push(Ok(())),
                    Err(CommitError::Conflict) => outcomes.push(Err(CommitError::Conflict)),
                    Err(CommitError::Store(e)) => return Err(e),
                }
            }
            txn.commit().map_err(fail)?;
            Ok(outcomes)
        })();
        match together {
            Ok(outcomes) => group.into_iter().map(|p| p.done).zip(outcomes).collect(),
            Err(_) => group
                .into_iter()
                .map(|pending| {
                    let alone = (|| -> Result<(), CommitError> {
                        let txn = db.begin_write().map_err(fail)?;
                        apply_commit(&txn, &pending.pk, pending.expected_version, pending.ops)?;
                        txn.commit().map_err(fail)?;
                        Ok(())
                    })();
                    (pending.done, alone)
                })
                .collect(),
        }
    }

    async fn commit(
        &self,
        pk: String,
        expected_version: u64,
        ops: Vec<WriteOp>,
        renew: Vec<(String, Option<&'static str>)>,
    ) -> Result<(), CommitError> {
        let (done, outcome) = tokio::sync::oneshot::channel();
        let pending = PendingCommit { pk, expected_version, ops, renew, done };
        self.queue
            .lock()
            .expect("group commit queue")
            .send(pending)
            .map_err(|_| CommitError::Store(StoreError::misuse("the store is closed")))?;
        outcome.await.map_err(|_| CommitError::Store(StoreError::misuse("the group commit thread stopped")))?
    }
}

/// Sort-key bounds of the entries dated `from..=to`.
fn date_bounds(from: NaiveDate, to: NaiveDate) -> (String, String) {
    (format!("E#{from}"), format!("E#{to}T~"))
}

#[async_trait]
impl EntryStore for EmbeddedStore {
    async fn snapshot(&self, owner: &Owner, from: NaiveDate, to: NaiveDate) -> Result<Snapshot, StoreError> {
        let pk = owner.partition();
        self.blocking(move |db| {
            // One read transaction, so the version matches the entries read.
            let txn = db.begin_read().map_err(fail)?;
            let table = txn.open_table(ITEMS).map_err(fail)?;
            let version: u64 =
                table.get((pk.as_str(), VERSION)).map_err(fail)?.map(|v| decode(v.value())).transpose()?.unwrap_or(0);
            let (lo, hi) = date_bounds(from, to);
            let mut entries = Vec::new();
            for item in table.range((pk.as_str(), lo.as_str())..=(pk.as_str(), hi.as_str())).map_err(fail)? {
                let (_, value) = item.map_err(fail)?;
                entries.push(decode_entry(value.value())?);
            }
            let timer = match table
                .get((pk.as_str(), TIMER))
                .map_err(fail)?
                .map(|v| decode::<String>(v.value()))
                .transpose()?
            {
                None => None,
                Some(id) => {
                    let sk: Option<String> = table
                        .get((pk.as_str(), pointer_key(&id).as_str()))
                        .map_err(fail)?
                        .map(|v| decode(v.value()))
                        .transpose()?;
                    match sk {
                        Some(sk) => table
                            .get((pk.as_str(), sk.as_str()))
                            .map_err(fail)?
                            .map(|v| decode_entry(v.value()))
                            .transpose()?,
                        None => None,
                    }
                }
            };
            Ok(Snapshot { version, entries, timer, ingesting: None, guard: tm_service::store::Guard::Version(version) })
        })
        .await
    }

    async fn commit(&self, owner: &Owner, expected_version: u64, ops: Vec<WriteOp>) -> Result<(), CommitError> {
        // Of what is cached, an entry commit changes entries, projects when it creates or
        // moves one, and the audit records it adds.
        let projects = ops.iter().any(|op| matches!(op, WriteOp::PutProject(_) | WriteOp::DeleteProject(_)));
        // Audit records live in their tenant's audit partitions, listed like documents.
        let audits: Vec<String> = ops
            .iter()
            .filter_map(|op| match op {
                WriteOp::PutAudit(record) => Some(record.keys().0),
                _ => None,
            })
            .collect();
        let pk = owner.partition();
        let mut renew: Vec<(String, Option<&'static str>)> = audits.into_iter().map(|a| (a, None)).collect();
        renew.push((pk.clone(), Some(ENTRIES)));
        if projects {
            renew.push((pk.clone(), Some("P#")));
        }
        // The committer renews them once the commit is durable, before anyone hears back.
        self.committer.commit(pk, expected_version, ops, renew).await
    }

    async fn entry(&self, owner: &Owner, id: &str) -> Result<Option<StoredEntry>, StoreError> {
        let (pk, pointer) = (owner.partition(), pointer_key(id));
        self.blocking(move |db| {
            // One read transaction for the pointer and the item it points at.
            let txn = db.begin_read().map_err(fail)?;
            let table = txn.open_table(ITEMS).map_err(fail)?;
            let Some(sk) = table
                .get((pk.as_str(), pointer.as_str()))
                .map_err(fail)?
                .map(|v| decode::<String>(v.value()))
                .transpose()?
            else {
                return Ok(None);
            };
            table.get((pk.as_str(), sk.as_str())).map_err(fail)?.map(|v| decode_entry(v.value())).transpose()
        })
        .await
    }

    /// Pages are kept decoded (the [`ReadCache`]) until an entry of the user changes:
    /// reports read the same months again and again.
    async fn entries(&self, owner: &Owner, query: &EntryQuery) -> Result<EntryPage, StoreError> {
        let what = format!("{ENTRIES} {query:?}");
        let query = query.clone();
        self.cached_weighing(
            owner.partition(),
            &what,
            |page: &EntryPage| page.entries.len(),
            move |db, pk| {
                // Open ends are the bounds of every entry key (chrono's MIN/MAX dates do not
                // format as YYYY-MM-DD).
                let mut lo = query.from.map_or_else(|| "E#".to_owned(), |from| format!("E#{from}"));
                let hi = query.to.map_or_else(|| "E#~".to_owned(), |to| format!("E#{to}T~"));
                if let Some(text) = query.cursor.as_deref() {
                    // Strictly after the last key of the previous page; a cursor that is
                    // not one fails rather than silently starting over.
                    let after = cursor::decode(text).ok_or_else(|| StoreError::misuse("invalid entry cursor"))?;
                    lo = lo.max(format!("{after}\u{0}"));
                }
                if lo > hi {
                    return Ok(EntryPage { entries: Vec::new(), next_cursor: None });
                }
                let project = query.project.as_deref().map(project_key);
                let txn = db.begin_read().map_err(fail)?;
                let table = txn.open_table(ITEMS).map_err(fail)?;
                let mut entries = Vec::new();
                let mut next_cursor = None;
                for item in table.range((pk, lo.as_str())..=(pk, hi.as_str())).map_err(fail)? {
                    let (_, value) = item.map_err(fail)?;
                    let stored = decode_entry(value.value())?;
                    let wanted = project.as_ref().is_none_or(|p| project_key(&stored.entry.project) == *p)
                        && query.tag.as_ref().is_none_or(|t| stored.entry.tags.contains(t))
                        && query.updated_since.is_none_or(|since| stored.updated_at >= since);
                    if !wanted {
                        continue;
                    }
                    if entries.len() == query.limit {
                        next_cursor = entries.last().map(|e: &StoredEntry| cursor::encode(&e.sort_key()));
                        break;
                    }
                    entries.push(stored);
                }
                Ok(EntryPage { entries, next_cursor })
            },
        )
        .await
    }

    async fn idempotent_response(&self, owner: &Owner, key: &str) -> Result<Option<StoredResponse>, StoreError> {
        let (pk, sk) = (owner.partition(), format!("IDEMP#{key}"));
        self.blocking(move |db| Self::get(db, &pk, &sk)).await
    }

    async fn month_versions(&self, owner: &Owner) -> Result<std::collections::BTreeMap<String, u64>, StoreError> {
        let pk = owner.partition();
        self.blocking(move |db| {
            Ok(Self::range::<u64>(db, &pk, "MONTH#", "MONTH#~")?
                .into_iter()
                .map(|(sk, v)| (sk.trim_start_matches("MONTH#").to_owned(), v))
                .collect())
        })
        .await
    }

    /// redb has no size limit on a transaction: an ingest is one commit.
    async fn commit_ingest(
        &self,
        owner: &Owner,
        expected_version: u64,
        ops: Vec<WriteOp>,
        _upload_id: &str,
    ) -> Result<(), CommitError> {
        self.commit(owner, expected_version, ops).await
    }
}

#[async_trait]
impl LogStore for EmbeddedStore {
    async fn log_state(&self, owner: &Owner, fiscal_year: &str) -> Result<Option<LogState>, StoreError> {
        let (pk, sk) = (owner.partition(), log_key(fiscal_year));
        self.blocking(move |db| Self::get(db, &pk, &sk)).await
    }

    async fn log_states(&self, owner: &Owner) -> Result<Vec<LogState>, StoreError> {
        let pk = owner.partition();
        self.blocking(move |db| {
            Ok(Self::range::<LogState>(db, &pk, "LOG#", "LOG#~")?.into_iter().map(|(_, s)| s).collect())
        })
        .await
    }

    async fn upload(&self, owner: &Owner, id: &str) -> Result<Option<UploadRecord>, StoreError> {
        let (pk, sk) = (owner.partition(), upload_key(id));
        self.blocking(move |db| Self::get(db, &pk, &sk)).await
    }

    async fn put_upload(&self, owner: &Owner, record: &UploadRecord) -> Result<(), StoreError> {
        let (pk, record) = (owner.partition(), record.clone());
        self.writing(&owner.partition(), move |db| {
            let txn = db.begin_write().map_err(fail)?;
            {
                let mut table = txn.open_table(ITEMS).map_err(fail)?;
                table_put(&mut table, &pk, &upload_key(&record.id), &record)?;
                append_changes(&mut table, &pk, vec![Change::UploadSaved { upload: record }])?;
            }
            txn.commit().map_err(fail)
        })
        .await
    }

    async fn touch_log(&self, owner: &Owner, touch: &LogTouch) -> Result<(), StoreError> {
        let (pk, touch) = (owner.partition(), touch.clone());
        self.writing(&owner.partition(), move |db| {
            let txn = db.begin_write().map_err(fail)?;
            {
                let mut table = txn.open_table(ITEMS).map_err(fail)?;
                let sk = log_key(&touch.fiscal_year);
                let state = LogState::apply(table_get(&table, &pk, &sk)?, &touch);
                table_put(&mut table, &pk, &sk, &state)?;
            }
            txn.commit().map_err(fail)
        })
        .await
    }
}

#[async_trait]
impl SettingsStore for EmbeddedStore {
    async fn profile(&self, owner: &Owner) -> Result<Option<Profile>, StoreError> {
        self.cached(owner.partition(), PROFILE, |db, pk| Self::get(db, pk, PROFILE)).await
    }

    async fn put_profile(&self, owner: &Owner, profile: &Profile) -> Result<(), StoreError> {
        let (pk, profile) = (owner.partition(), profile.clone());
        self.writing(&owner.partition(), move |db| {
            let txn = db.begin_write().map_err(fail)?;
            {
                let mut table = txn.open_table(ITEMS).map_err(fail)?;
                table_put(&mut table, &pk, PROFILE, &profile)?;
                append_changes(&mut table, &pk, vec![changes::settings_saved(&profile)])?;
            }
            txn.commit().map_err(fail)
        })
        .await
    }

    async fn tenant_settings(&self, tenant: &str) -> Result<Option<TenantSettings>, StoreError> {
        self.cached(tenant_partition(tenant), SETTINGS, |db, pk| Self::get(db, pk, SETTINGS)).await
    }

    async fn put_tenant_settings(&self, tenant: &str, settings: &TenantSettings) -> Result<(), StoreError> {
        let (pk, settings) = (tenant_partition(tenant), settings.clone());
        let feed = changes::tenant_feed(tenant)?.partition();
        self.writing(&tenant_partition(tenant), move |db| {
            let txn = db.begin_write().map_err(fail)?;
            {
                let mut table = txn.open_table(ITEMS).map_err(fail)?;
                table_put(&mut table, &pk, SETTINGS, &settings)?;
                append_changes(&mut table, &feed, vec![Change::TenantSaved { settings }])?;
            }
            txn.commit().map_err(fail)
        })
        .await
    }
}

#[async_trait]
impl DocStore for EmbeddedStore {
    /// Kept like profiles: every request reads its caller's directory entry.
    async fn get_doc(&self, pk: &str, sk: &str) -> Result<Option<serde_json::Value>, StoreError> {
        let sk = sk.to_owned();
        self.cached(pk.to_owned(), &format!("doc#{sk}"), move |db, pk| Self::get(db, pk, &sk)).await
    }

    async fn put_doc(
        &self,
        pk: &str,
        sk: &str,
        doc: &serde_json::Value,
        condition: DocCondition,
    ) -> Result<bool, StoreError> {
        self.write_doc(pk, sk, doc, condition, None, None).await
    }

    async fn put_indexed_doc(
        &self,
        pk: &str,
        sk: &str,
        doc: &serde_json::Value,
        condition: DocCondition,
        index: (&str, &str),
    ) -> Result<bool, StoreError> {
        self.write_doc(pk, sk, doc, condition, Some(index), None).await
    }

    async fn query_index(
        &self,
        index_pk: &str,
        lo: &str,
        hi: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<serde_json::Value>, Option<String>), StoreError> {
        let (index_pk, lo, hi, after) = (index_pk.to_owned(), lo.to_owned(), hi.to_owned(), after.map(str::to_owned));
        self.blocking(move |db| {
            let txn = db.begin_read().map_err(fail)?;
            let index = txn.open_table(INDEX).map_err(fail)?;
            let items = txn.open_table(ITEMS).map_err(fail)?;
            let mut out = Vec::new();
            let mut last: Option<String> = None;
            for entry in
                index.range((index_pk.as_str(), lo.as_str())..=(index_pk.as_str(), hi.as_str())).map_err(fail)?
            {
                let (key, value) = entry.map_err(fail)?;
                let index_sk = key.value().1.to_owned();
                if after.as_ref().is_some_and(|a| index_sk.as_str() <= a.as_str()) {
                    continue;
                }
                if out.len() == limit.max(1) {
                    return Ok((out, last));
                }
                let (pk, sk): (String, String) = decode(value.value())?;
                if let Some(doc) = items.get((pk.as_str(), sk.as_str())).map_err(fail)? {
                    out.push(decode(doc.value())?);
                }
                last = Some(index_sk);
            }
            Ok((out, None))
        })
        .await
    }

    async fn query_docs(
        &self,
        pk: &str,
        lo: &str,
        hi: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<(String, serde_json::Value)>, Option<String>), StoreError> {
        let what = format!("docs {lo} {hi} {after:?} {limit}");
        let (lo, hi, after) = (lo.to_owned(), hi.to_owned(), after.map(str::to_owned));
        self.cached(pk.to_owned(), &what, move |db, pk| {
            let txn = db.begin_read().map_err(fail)?;
            let table = txn.open_table(ITEMS).map_err(fail)?;
            let mut out = Vec::new();
            let start = after.clone().filter(|a| *a > lo).unwrap_or(lo);
            for item in table.range((pk, start.as_str())..=(pk, hi.as_str())).map_err(fail)? {
                let (key, value) = item.map_err(fail)?;
                let sk = key.value().1.to_owned();
                if after.as_ref().is_some_and(|a| sk.as_str() <= a.as_str()) {
                    continue;
                }
                if out.len() == limit.max(1) {
                    let last = out.last().map(|(k, _): &(String, serde_json::Value)| k.clone());
                    return Ok((out, last));
                }
                out.push((sk, decode(value.value())?));
            }
            Ok((out, None))
        })
        .await
    }
}

fn project_sort_key(name: &str) -> String {
    format!("P#{}", project_key(name))
}

#[async_trait]
impl ProjectStore for EmbeddedStore {
    async fn projects(&self, owner: &Owner) -> Result<Vec<Project>, StoreError> {
        self.cached(owner.partition(), "P#", |db, pk| {
            Ok(Self::range::<Project>(db, pk, "P#", "P#\u{10FFFF}")?.into_iter().map(|(_, p)| p).collect())
        })
        .await
    }

    async fn create_project(&self, owner: &Owner, project: &Project) -> Result<bool, StoreError> {
        let change = Change::ProjectSaved { project: project.clone() };
        self.write_if(&owner.partition(), &project_sort_key(&project.name), encode(project)?, false, Some(change)).await
    }

    async fn replace_project(&self, owner: &Owner, project: &Project) -> Result<bool, StoreError> {
        let change = Change::ProjectSaved { project: project.clone() };
        self.write_if(&owner.partition(), &project_sort_key(&project.name), encode(project)?, true, Some(change)).await
    }
}

#[async_trait]
impl ChangeStore for EmbeddedStore {
    async fn feed_end(&self, owner: &Owner) -> Result<String, StoreError> {
        let pk = owner.partition();
        let seq: u64 = self.blocking(move |db| Self::get(db, &pk, CHANGE_SEQ)).await?.unwrap_or(0);
        Ok(format!("{seq:020}"))
    }

    async fn issued_up_to(&self, owner: &Owner) -> Result<String, StoreError> {
        self.feed_end(owner).await
    }

    /// Positions are exact here (numbered in commit order): the cursor is the last one read.
    async fn changes(&self, owner: &Owner, after: Option<&str>, limit: usize) -> Result<ChangePage, StoreError> {
        let pk = owner.partition();
        let lo = format!("{CHANGE_PREFIX}{}", after.unwrap_or(""));
        let limit = limit.max(1);
        let after = after.map(str::to_owned);
        self.blocking(move |db| {
            let txn = db.begin_read().map_err(fail)?;
            let table = txn.open_table(ITEMS).map_err(fail)?;
            let hi = format!("{CHANGE_PREFIX}~");
            let mut changes = Vec::new();
            let mut has_more = false;
            for item in table.range((pk.as_str(), lo.as_str())..=(pk.as_str(), hi.as_str())).map_err(fail)? {
                let (key, value) = item.map_err(fail)?;
                let position = key.value().1.strip_prefix(CHANGE_PREFIX).unwrap_or_default().to_owned();
                if Some(&position) == after.as_ref() {
                    continue;
                }
                if changes.len() == limit {
                    has_more = true;
                    break;
                }
                changes.push(PositionedChange { position, record: decode(value.value())? });
            }
            let cursor = changes.last().map(|c| c.position.clone()).or(after);
            Ok(ChangePage { changes, cursor, has_more })
        })
        .await
    }

    async fn put_doc_noting(
        &self,
        write: changes::DocWrite<'_>,
        feed: &Owner,
        changes: Vec<Change>,
    ) -> Result<bool, StoreError> {
        self.write_doc(write.pk, write.sk, write.doc, write.condition, write.index, Some((feed.partition(), changes)))
            .await
    }
}

/// Metadata of one stored object version (item `OBJ#{prefix}` / `{key}#{version:020}`).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct ObjectMeta {
    key: String,
    version: u64,
    size: u64,
    content_type: String,
    last_modified: chrono::DateTime<chrono::Utc>,
}

impl ObjectMeta {
    fn to_version(&self) -> ObjectVersion {
        ObjectVersion {
            key: self.key.clone(),
            version_id: self.version.to_string(),
            size: self.size,
            last_modified: self.last_modified,
        }
    }
}

fn objects_partition(owner: &Owner) -> String {
    format!("OBJ#{}", user_prefix(owner))
}

/// Sort key of a version: `{key}\u{1}{version:020}` keeps a key's versions together and
/// in order (`\u{1}` sorts before every character a key may contain).
fn object_sort_key(key: &str, version: u64) -> String {
    format!("{key}\u{1}{version:020}")
}

#[async_trait]
impl ObjectStore for EmbeddedStore {
    async fn put_object(
        &self,
        owner: &Owner,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<String, StoreError> {
        check_key(key)?;
        let (pk, key, content_type) = (objects_partition(owner), key.to_owned(), content_type.to_owned());
        let body_key = object_key(owner, &key);
        self.writing(&objects_partition(owner), move |db| {
            let txn = db.begin_write().map_err(fail)?;
            let version = {
                let mut items = txn.open_table(ITEMS).map_err(fail)?;
                let lo = object_sort_key(&key, 0);
                let hi = object_sort_key(&key, u64::MAX);
                let version = match items
                    .range((pk.as_str(), lo.as_str())..=(pk.as_str(), hi.as_str()))
                    .map_err(fail)?
                    .next_back()
                {
                    Some(item) => decode::<ObjectMeta>(item.map_err(fail)?.1.value())?.version + 1,
                    None => 1,
                };
                let meta = ObjectMeta {
                    key: key.clone(),
                    version,
                    size: body.len() as u64,
                    content_type,
                    last_modified: chrono::Utc::now(),
                };
                items
                    .insert((pk.as_str(), object_sort_key(&key, version).as_str()), encode(&meta)?.as_slice())
                    .map_err(fail)?;
                let mut bodies = txn.open_table(OBJECTS).map_err(fail)?;
                bodies.insert((body_key.as_str(), version), body.as_slice()).map_err(fail)?;
                version
            };
            txn.commit().map_err(fail)?;
            Ok(version.to_string())
        })
        .await
    }

    async fn get_object(
        &self,
        owner: &Owner,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        check_key(key)?;
        let version = match version_id {
            Some(v) => match v.parse::<u64>() {
                Ok(n) => Some(n),
                Err(_) => return Ok(None),
            },
            None => self.list_versions(owner, key).await?.first().and_then(|v| v.version_id.parse().ok()),
        };
        let Some(version) = version else { return Ok(None) };
        let body_key = object_key(owner, key);
        self.blocking(move |db| {
            let txn = db.begin_read().map_err(fail)?;
            let bodies = txn.open_table(OBJECTS).map_err(fail)?;
            Ok(bodies.get((body_key.as_str(), version)).map_err(fail)?.map(|v| v.value().to_vec()))
        })
        .await
    }

    async fn list_objects(&self, owner: &Owner, prefix: &str) -> Result<Vec<ObjectVersion>, StoreError> {
        check_prefix(prefix)?;
        let (pk, prefix) = (objects_partition(owner), prefix.to_owned());
        self.blocking(move |db| {
            let all = Self::range::<ObjectMeta>(db, &pk, &prefix, &format!("{prefix}\u{10FFFF}"))?;
            let mut latest: Vec<ObjectVersion> = Vec::new();
            for (_, meta) in all {
                match latest.last_mut() {
                    Some(last) if last.key == meta.key => *last = meta.to_version(),
                    _ => latest.push(meta.to_version()),
                }
            }
            Ok(latest)
        })
        .await
    }

    async fn list_versions(&self, owner: &Owner, key: &str) -> Result<Vec<ObjectVersion>, StoreError> {
        check_key(key)?;
        let (pk, key) = (objects_partition(owner), key.to_owned());
        self.blocking(move |db| {
            let all = Self::range::<ObjectMeta>(db, &pk, &object_sort_key(&key, 0), &object_sort_key(&key, u64::MAX))?;
            Ok(all.into_iter().rev().map(|(_, m)| m.to_version()).collect())
        })
        .await
    }

    async fn presign_put(
        &self,
        owner: &Owner,
        key: &str,
        content_type: &str,
        expires_in: std::time::Duration,
    ) -> Result<String, StoreError> {
        check_key(key)?;
        let base = self
            .upload_base
            .clone()
            .ok_or_else(|| StoreError::misuse("this embedded store has no upload address; start it via tm-local"))?;
        let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        let presigned = PresignedPut {
            tenant: owner.tenant().to_owned(),
            user: owner.user().to_owned(),
            key: key.to_owned(),
            content_type: content_type.to_owned(),
            expires_at: chrono::Utc::now() + chrono::Duration::from_std(expires_in).map_err(fail)?,
        };
        self.put_item(PRESIGNED, &token, &presigned).await?;
        Ok(format!("{base}/local/uploads/{token}"))
    }
}
