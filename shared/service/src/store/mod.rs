//! Storage ports (small traits, one per need) and the records they store. The adapters
//! live in their own crates (`tm-embedded`: redb; `tm-aws`: DynamoDB and S3); nothing
//! above this layer knows which one runs.
//!
//! Every key starts with the tenant, then the user (docs/architecture.md, Data), so one
//! user's data is one partition. Writes that must respect an invariant over several
//! entries (no overlap, one timer, idempotency) use optimistic concurrency on a per-user
//! version: read a [`Snapshot`], validate, then [`EntryStore::commit`] with the version
//! read; a concurrent writer makes the commit fail with [`CommitError::Conflict`] and
//! the caller re-reads and re-validates. The same protocol maps onto a redb write
//! transaction (embedded) and onto DynamoDB `TransactWriteItems` with a condition on the
//! version item.

pub mod aggregates;
pub mod changes;
pub mod live;
pub mod model;
pub mod objects;
pub mod team;
pub mod webhooks;

pub use model::{
    EntryPage, EntryQuery, Guard, IngestSummary, LogState, LogTouch, Owner, Profile, Snapshot, StoredEntry,
    StoredResponse, TenantSettings, UploadKind, UploadRecord, UploadStatus, WriteOp,
};

use async_trait::async_trait;
use chrono::NaiveDate;
pub use team::{DirectoryEntry, DocCondition, DocStore, PersonStatus};
use tm_core::domain::Project;

/// The error a storage failure came from, kept for logs.
pub type ErrorSource = Box<dyn std::error::Error + Send + Sync>;

/// A failure of the storage itself, never of the client's input: handlers answer it
/// with a 5xx, and jobs decide by its kind whether a retry can help
/// ([`StoreError::is_retryable`]).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backing service or disk failed (network, I/O, a refused request).
    #[error("{what} is unavailable: {source}")]
    Unavailable { what: String, source: ErrorSource },
    /// Stored data that cannot be decoded.
    #[error("corrupt {what}: {source}")]
    Corrupt { what: String, source: ErrorSource },
    /// The user's data is being replaced by a large ingest applied in steps; readers
    /// wait instead of seeing half of it.
    #[error("a large ingest is being applied")]
    IngestInProgress,
    /// Too many concurrent changes or throttling; the same work gets through later.
    #[error("busy: {0}")]
    Busy(String),
    /// The store was asked for something it cannot do: a bug in the caller or a
    /// deployment mistake (e.g. a bucket without versioning).
    #[error("{0}")]
    Misuse(String),
}

impl StoreError {
    pub fn unavailable(what: impl Into<String>, source: impl Into<ErrorSource>) -> Self {
        Self::Unavailable { what: what.into(), source: source.into() }
    }

    pub fn corrupt(what: impl Into<String>, source: impl Into<ErrorSource>) -> Self {
        Self::Corrupt { what: what.into(), source: source.into() }
    }

    pub fn misuse(message: impl Into<String>) -> Self {
        Self::Misuse(message.into())
    }

    pub fn is_corrupt(&self) -> bool {
        matches!(self, Self::Corrupt { .. })
    }

    /// Whether doing the same again later can succeed: not for corrupt data or misuse.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable { .. } | Self::IngestInProgress | Self::Busy(_))
    }
}

#[derive(Debug)]
pub enum CommitError {
    /// The user's data changed since the snapshot; re-read and re-validate.
    Conflict,
    Store(StoreError),
}

impl From<StoreError> for CommitError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// A user's entries and running timer.
#[async_trait]
pub trait EntryStore: Send + Sync {
    /// The version, the entries dated `from..=to`, and the running timer.
    async fn snapshot(&self, owner: &Owner, from: NaiveDate, to: NaiveDate) -> Result<Snapshot, StoreError>;
    /// Applies every op at once if the version is still `expected_version`.
    async fn commit(&self, owner: &Owner, expected_version: u64, ops: Vec<WriteOp>) -> Result<(), CommitError>;
    /// What an entry write needs, read as cheaply as the store can: the entries dated
    /// `from..=to`, and the running timer when it is one of them. The snapshot's guard
    /// covers just those days, so writes elsewhere in the year do not conflict with it;
    /// `ingesting` is not read (the commit fails instead). By default a [`Self::snapshot`].
    async fn nearby(&self, owner: &Owner, from: NaiveDate, to: NaiveDate) -> Result<Snapshot, StoreError> {
        self.snapshot(owner, from, to).await
    }
    /// Applies every op at once if what `guard` covers is unchanged.
    async fn commit_guarded(&self, owner: &Owner, guard: &Guard, ops: Vec<WriteOp>) -> Result<(), CommitError> {
        match guard {
            Guard::Version(version) => self.commit(owner, *version, ops).await,
            Guard::Days { .. } => Err(CommitError::Store(StoreError::misuse("this store guards commits by version"))),
        }
    }
    async fn entry(&self, owner: &Owner, id: &str) -> Result<Option<StoredEntry>, StoreError>;
    /// Entries in (date, start) order, filtered and paged.
    async fn entries(&self, owner: &Owner, query: &EntryQuery) -> Result<EntryPage, StoreError>;
    async fn idempotent_response(&self, owner: &Owner, key: &str) -> Result<Option<StoredResponse>, StoreError>;
    /// The version of every month (`YYYY-MM`) whose entries ever changed.
    async fn month_versions(&self, owner: &Owner) -> Result<std::collections::BTreeMap<String, u64>, StoreError>;
    /// Applies an ingest's ops as one unit for readers. A store that can commit them in
    /// one transaction does so; DynamoDB (100 items per transaction) marks the user as
    /// ingesting (readers wait, writers conflict), applies bounded steps, and clears the
    /// mark in the last step. Calling it again for the same `upload_id` after a crash
    /// resumes (the caller re-plans against what is stored; the plan is a diff).
    async fn commit_ingest(
        &self,
        owner: &Owner,
        expected_version: u64,
        ops: Vec<WriteOp>,
        upload_id: &str,
    ) -> Result<(), CommitError>;
}

/// Fiscal-year log states and upload records.
#[async_trait]
pub trait LogStore: Send + Sync {
    async fn log_state(&self, owner: &Owner, fiscal_year: &str) -> Result<Option<LogState>, StoreError>;
    /// Every fiscal year with a log, oldest first.
    async fn log_states(&self, owner: &Owner) -> Result<Vec<LogState>, StoreError>;
    async fn upload(&self, owner: &Owner, id: &str) -> Result<Option<UploadRecord>, StoreError>;
    /// Writes an upload record outside an entry commit (created, rejected, conflict).
    async fn put_upload(&self, owner: &Owner, record: &UploadRecord) -> Result<(), StoreError>;
    /// Remembers an ingest that changed no entries as the log's last ingest.
    async fn touch_log(&self, owner: &Owner, touch: &LogTouch) -> Result<(), StoreError>;
}

/// What every request reads about its caller.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallerRecords {
    pub profile: Option<Profile>,
    pub tenant: Option<TenantSettings>,
    /// Their directory entry (status, admin standing, name).
    pub person: Option<team::DirectoryEntry>,
}

/// Per-user settings and per-tenant settings.
#[async_trait]
pub trait SettingsStore: DocStore {
    async fn profile(&self, owner: &Owner) -> Result<Option<Profile>, StoreError>;
    async fn put_profile(&self, owner: &Owner, profile: &Profile) -> Result<(), StoreError>;
    async fn tenant_settings(&self, tenant: &str) -> Result<Option<TenantSettings>, StoreError>;
    async fn put_tenant_settings(&self, tenant: &str, settings: &TenantSettings) -> Result<(), StoreError>;

    /// The caller's profile, their tenant's settings and their directory entry, which
    /// every request reads: one request where the store can batch them (DynamoDB's
    /// BatchGetItem).
    async fn caller_settings(&self, owner: &Owner) -> Result<CallerRecords, StoreError> {
        Ok(CallerRecords {
            profile: self.profile(owner).await?,
            tenant: self.tenant_settings(owner.tenant()).await?,
            person: team::person(self, owner).await?,
        })
    }
}

/// A user's projects (sharing inside a tenant comes with project membership).
#[async_trait]
pub trait ProjectStore: Send + Sync {
    async fn projects(&self, owner: &Owner) -> Result<Vec<Project>, StoreError>;
    /// Creates the project unless one with the same case-insensitive name exists;
    /// returns false when it existed.
    async fn create_project(&self, owner: &Owner, project: &Project) -> Result<bool, StoreError>;
    /// Replaces an existing project (same key); returns false when there is none.
    async fn replace_project(&self, owner: &Owner, project: &Project) -> Result<bool, StoreError>;
}

/// Everything the handlers need, as one object.
pub trait Store: EntryStore + SettingsStore + ProjectStore + LogStore + DocStore + changes::ChangeStore {}

impl<T: EntryStore + SettingsStore + ProjectStore + LogStore + DocStore + changes::ChangeStore> Store for T {}
