//! What lives beside the users' own partitions: the user directory, shared projects,
//! the audit trail and the index of generated reports. Each is a JSON document at a
//! (partition, sort key); the adapters implement only [`DocStore`], and the typed
//! functions here are written once for both.
//!
//! Keys (docs/architecture.md, Data):
//! - directory: `T#{tenant}` / `USER#{user}`, listed by the `byIndex` GSI as
//!   `DIRECTORY` / `T#{tenant}#U#{user}` — every user who signed up or made a change;
//!   team reports read a tenant's, the report scheduler pages the index;
//! - shared project: `T#{tenant}` / `SHARE#{owner}#{project key}`, members inside (one
//!   per owner and name: two colleagues may each share a project called Atlas);
//! - audit record: `T#{tenant}#AUDIT#{yyyy-mm}` / `{timestamp}#{id}`;
//! - generated report: `{user partition}` or `T#{tenant}` / `REPORT#{id}`.

use super::changes::{Change, ChangeStore, DocWrite, tenant_feed};
use super::{Owner, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tm_core::domain::names::project_key;
use tm_core::domain::sharing::SharedProject;

/// When a [`DocStore::put_doc`] may write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocCondition {
    Always,
    /// Only if no document is there.
    Absent,
    /// Only if the stored document's `revision` is this one.
    Revision(u64),
}

/// JSON documents by (partition, sort key).
#[async_trait]
pub trait DocStore: Send + Sync {
    async fn get_doc(&self, pk: &str, sk: &str) -> Result<Option<Value>, StoreError>;
    /// Writes `doc` if `condition` holds; false when it did not (nothing written).
    async fn put_doc(&self, pk: &str, sk: &str, doc: &Value, condition: DocCondition) -> Result<bool, StoreError>;
    /// Documents of `pk` with sort keys in `lo..=hi`, in order, starting after `after`;
    /// at most `limit`, and the sort key to continue after when there are more.
    async fn query_docs(
        &self,
        pk: &str,
        lo: &str,
        hi: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<(String, Value)>, Option<String>), StoreError>;
    /// [`DocStore::put_doc`], and lists the document in the store's one secondary index
    /// under (`index.0`, `index.1`), so a job can enumerate documents of many partitions
    /// without a Scan (DynamoDB: the `byIndex` GSI). The document stays in `pk`, so
    /// access scoped to a tenant's partitions can write it.
    async fn put_indexed_doc(
        &self,
        pk: &str,
        sk: &str,
        doc: &Value,
        condition: DocCondition,
        index: (&str, &str),
    ) -> Result<bool, StoreError>;
    /// Documents listed in the index under `index_pk` with index sort keys in `lo..=hi`,
    /// in order, after the opaque `after`; at most `limit`, and where to continue.
    async fn query_index(
        &self,
        index_pk: &str,
        lo: &str,
        hi: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Value>, Option<String>), StoreError>;
}

fn to_doc<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("documents serialise")
}

fn from_doc<T: DeserializeOwned>(value: Value) -> Result<T, StoreError> {
    serde_json::from_value(value).map_err(|e| StoreError::corrupt("document", e))
}

/// Every document of a sort-key range (pages followed).
async fn all_docs<T: DeserializeOwned>(
    store: &(impl DocStore + ?Sized),
    pk: &str,
    lo: &str,
    hi: &str,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let (docs, next) = store.query_docs(pk, lo, hi, after.as_deref(), 500).await?;
        for (_, doc) in docs {
            out.push(from_doc(doc)?);
        }
        match next {
            Some(n) => after = Some(n),
            None => return Ok(out),
        }
    }
}

/// The upper bound of a sort-key prefix.
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

// ---- directory -------------------------------------------------------------------

/// The directory's index partition: every user of every tenant, for the scheduler.
const DIRECTORY: &str = "DIRECTORY";

/// Where a person stands in their tenant (docs/teams.md, People).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PersonStatus {
    /// Signed up, or signed in since they were invited.
    #[default]
    Active,
    /// Invited; has not signed in yet.
    Invited,
    /// Refused at every request until an admin enables them again.
    Disabled,
    /// Removed by an admin: kept so their entries stay attributed to a name.
    Removed,
}

impl PersonStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Invited => "invited",
            Self::Disabled => "disabled",
            Self::Removed => "removed",
        }
    }
}

/// A person in their tenant's directory: written by sign-up (or an invitation), kept
/// up to date by the admin routes, read on every request for the person's status and
/// admin standing. Entries written before names were kept have only the first three
/// fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryEntry {
    pub tenant: String,
    pub user: String,
    pub since: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The sign-in name at the identity provider (Cognito's username), which its
    /// admin API is called with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// None for entries written before the directory kept it: the token's groups decide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin: Option<bool>,
    #[serde(default)]
    pub status: PersonStatus,
    /// The last time tokens were issued to them (sign-in or refresh).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<DateTime<Utc>>,
    #[serde(default)]
    pub revision: u64,
}

impl DirectoryEntry {
    /// A new person of `tenant`, active, with no name yet.
    pub fn new(owner: &Owner, at: DateTime<Utc>) -> Self {
        Self {
            tenant: owner.tenant().to_owned(),
            user: owner.user().to_owned(),
            since: at,
            name: None,
            email: None,
            username: None,
            admin: None,
            status: PersonStatus::Active,
            last_seen: None,
            revision: 0,
        }
    }

    /// The name to show: their display name, else their email, else their id.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().or(self.email.as_deref()).unwrap_or(&self.user)
    }

    pub fn is_admin(&self) -> bool {
        self.admin == Some(true)
    }

    /// Whether `handle` names them: their id, email or username (case-insensitive).
    pub fn answers_to(&self, handle: &str) -> bool {
        let handle = handle.trim();
        self.user == handle
            || self.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(handle))
            || self.username.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(handle))
    }
}

/// A user's directory document lives in their tenant's partition (`T#{tenant}` /
/// `USER#{user}`), where tenant-scoped access reaches it; the index lists it as
/// `DIRECTORY` / `T#{tenant}#U#{user}` for jobs that enumerate every tenant.
fn directory_doc_key(user: &str) -> String {
    format!("USER#{user}")
}

fn directory_index_key(owner: &Owner) -> String {
    format!("T#{}#U#{}", owner.tenant(), owner.user())
}

/// Records that `owner` uses the service (once; later calls write nothing). True when
/// this call added them.
pub async fn register_user(
    store: &(impl DocStore + ChangeStore + ?Sized),
    owner: &Owner,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    save_person(store, &DirectoryEntry::new(owner, at), None).await
}

/// Saves `person` if nobody changed them since revision `read` (`None`: they must be
/// new). False on a lost race (or when they exist already): re-read and retry. A new
/// person, or a change to what the directory shows of them (not the last sign-in), is
/// noted in the tenant's feed.
pub async fn save_person(
    store: &(impl DocStore + ChangeStore + ?Sized),
    person: &DirectoryEntry,
    read: Option<u64>,
) -> Result<bool, StoreError> {
    let owner = Owner::new(&person.tenant, &person.user).map_err(|e| StoreError::misuse(e.to_string()))?;
    let mut next = person.clone();
    next.revision = read.map_or(1, |r| r + 1);
    let condition = match read {
        // Entries written before revisions were kept read as 0 and have no field.
        Some(0) => DocCondition::Always,
        Some(r) => DocCondition::Revision(r),
        None => DocCondition::Absent,
    };
    let (pk, sk, index_sk) = (tenant_pk(owner.tenant()), directory_doc_key(owner.user()), directory_index_key(&owner));
    let doc = to_doc(&next);
    let write = DocWrite { pk: &pk, sk: &sk, doc: &doc, condition, index: Some((DIRECTORY, &index_sk)) };
    // What the directory shows of them changed (most saves are a sign-in's `lastSeen`):
    // the save and its note are one write.
    let before = match read {
        Some(_) => self::person(store, &owner).await?,
        None => None,
    };
    let shown = |p: &DirectoryEntry| (p.name.clone(), p.email.clone(), p.admin, p.status);
    if before.as_ref().is_some_and(|b| b.revision == next.revision - 1 && shown(b) == shown(person)) {
        return store.put_indexed_doc(&pk, &sk, &doc, condition, (DIRECTORY, &index_sk)).await;
    }
    store.put_doc_noting(write, &tenant_feed(&person.tenant)?, vec![Change::PersonSaved { person: next.clone() }]).await
}

/// `owner`'s directory entry, if they have one.
pub async fn person(store: &(impl DocStore + ?Sized), owner: &Owner) -> Result<Option<DirectoryEntry>, StoreError> {
    store.get_doc(&tenant_pk(owner.tenant()), &directory_doc_key(owner.user())).await?.map(from_doc).transpose()
}

/// A directory document as read elsewhere (the store's batched read of a caller).
pub fn person_from_doc(doc: Value) -> Result<DirectoryEntry, StoreError> {
    from_doc(doc)
}

/// Where a person's directory document is: (partition, sort key).
pub fn person_key(owner: &Owner) -> (String, String) {
    (tenant_pk(owner.tenant()), directory_doc_key(owner.user()))
}

/// Everyone in a tenant's directory, by id (one Query of the tenant's partition).
pub async fn tenant_people(store: &(impl DocStore + ?Sized), tenant: &str) -> Result<Vec<DirectoryEntry>, StoreError> {
    all_docs(store, &tenant_pk(tenant), "USER#", &prefix_end("USER#")).await
}

/// The display names of a tenant's people, by id (for reports, members and audit).
pub async fn display_names(
    store: &(impl DocStore + ?Sized),
    tenant: &str,
) -> Result<std::collections::BTreeMap<String, String>, StoreError> {
    Ok(tenant_people(store, tenant)
        .await?
        .into_iter()
        .filter(|p| p.name.is_some() || p.email.is_some())
        .map(|p| (p.user.clone(), p.display_name().to_owned()))
        .collect())
}

pub async fn is_registered(store: &(impl DocStore + ?Sized), owner: &Owner) -> Result<bool, StoreError> {
    Ok(store.get_doc(&tenant_pk(owner.tenant()), &directory_doc_key(owner.user())).await?.is_some())
}

/// The users of one tenant, by id (one Query of the tenant's partition).
pub async fn tenant_users(store: &(impl DocStore + ?Sized), tenant: &str) -> Result<Vec<String>, StoreError> {
    Ok(tenant_people(store, tenant).await?.into_iter().map(|e| e.user).collect())
}

/// One page of every user of every tenant, in (tenant, user) order; pass the returned
/// cursor to continue.
pub async fn directory_page(
    store: &(impl DocStore + ?Sized),
    after: Option<&str>,
    limit: usize,
) -> Result<(Vec<DirectoryEntry>, Option<String>), StoreError> {
    let (docs, next) = store.query_index(DIRECTORY, "T#", &prefix_end("T#"), after, limit).await?;
    let entries = docs.into_iter().map(from_doc).collect::<Result<_, _>>()?;
    Ok((entries, next))
}

/// The directory as it was kept before it moved into the tenants' partitions
/// (`DIRECTORY` / `T#{tenant}#U#{user}`), for a store to move on upgrade.
pub const LEGACY_DIRECTORY_PARTITION: &str = DIRECTORY;

// ---- shared projects -------------------------------------------------------------

fn share_key(owner: &str, name: &str) -> String {
    format!("SHARE#{owner}#{}", project_key(name))
}

fn tenant_pk(tenant: &str) -> String {
    format!("T#{tenant}")
}

/// `owner`'s shared project `name`, if they shared it.
pub async fn shared_project(
    store: &(impl DocStore + ?Sized),
    tenant: &str,
    owner: &str,
    name: &str,
) -> Result<Option<SharedProject>, StoreError> {
    if let Some(doc) = store.get_doc(&tenant_pk(tenant), &share_key(owner, name)).await? {
        return Ok(Some(from_doc(doc)?));
    }
    // Written before shares were keyed by owner (`SHARE#{project key}`): still theirs.
    let legacy = store.get_doc(&tenant_pk(tenant), &format!("SHARE#{}", project_key(name))).await?;
    Ok(legacy.map(from_doc::<SharedProject>).transpose()?.filter(|s| s.is(owner, name)))
}

/// Every shared project of a tenant (one per owner and name).
pub async fn shared_projects(store: &(impl DocStore + ?Sized), tenant: &str) -> Result<Vec<SharedProject>, StoreError> {
    let mut out: Vec<SharedProject> = Vec::new();
    let mut after = None;
    loop {
        let (docs, next) =
            store.query_docs(&tenant_pk(tenant), "SHARE#", &prefix_end("SHARE#"), after.as_deref(), 500).await?;
        for (sk, doc) in docs {
            let share: SharedProject = from_doc(doc)?;
            let current = sk == share_key(&share.owner, &share.name);
            match out.iter().position(|s| s.is(&share.owner, &share.name)) {
                // A document under the owner's key shadows a legacy one.
                Some(i) if current => out[i] = share,
                Some(_) => {}
                None => out.push(share),
            }
        }
        match next {
            Some(n) => after = Some(n),
            None => return Ok(out),
        }
    }
}

/// Saves `share` if nobody changed it since revision `read` (`None`: it must be new).
/// The saved document has the next revision. False on a lost race: re-read and retry.
/// Noted in the tenant's feed, for its owner and members, and those it removed.
pub async fn save_shared_project(
    store: &(impl DocStore + ChangeStore + ?Sized),
    tenant: &str,
    share: &SharedProject,
    read: Option<u64>,
) -> Result<bool, StoreError> {
    let mut next = share.clone();
    next.revision = read.map_or(1, |r| r + 1);
    let key = share_key(&share.owner, &share.name);
    let pk = tenant_pk(tenant);
    // A share read from its legacy key moves to the owner's key with its revision.
    let stored = match read {
        Some(_) => store.get_doc(&pk, &key).await?,
        None => None,
    };
    let condition = match (read, &stored) {
        (Some(r), Some(_)) => DocCondition::Revision(r),
        _ => DocCondition::Absent,
    };
    // Who it removes: the members of the record it replaces (also one under its legacy key).
    let before = match (&stored, read) {
        (Some(doc), _) => Some(from_doc::<SharedProject>(doc.clone())?),
        (None, Some(_)) => shared_project(store, tenant, &share.owner, &share.name).await?,
        (None, None) => None,
    };
    let removed: Vec<String> =
        before.map(|b| b.members.into_keys().filter(|m| !next.members.contains_key(m)).collect()).unwrap_or_default();
    let doc = to_doc(&next);
    let write = DocWrite { pk: &pk, sk: &key, doc: &doc, condition, index: None };
    store.put_doc_noting(write, &tenant_feed(tenant)?, vec![Change::ShareSaved { share: next, removed }]).await
}

// ---- audit -----------------------------------------------------------------------

/// One change: who made it, to whose data, what and when, with the state before and
/// after (absent for creations and deletions).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    pub id: String,
    pub at: DateTime<Utc>,
    pub tenant: String,
    /// The user who made the change.
    pub actor: String,
    /// The user whose data changed (the actor, or a project's owner or member).
    pub subject: String,
    /// `entry.create`, `entry.update`, `entry.delete`, `timer.start`, `timer.finish`,
    /// `project.create`, `project.update`, `project.rename`, `member.put`,
    /// `member.delete`, `upload.create`, `upload.ingest`, `settings.update`, …
    pub action: String,
    /// What changed: an entry id, a project name, an upload id, a setting.
    pub target: String,
    #[schema(required = true)]
    pub before: Option<Value>,
    #[schema(required = true)]
    pub after: Option<Value>,
    /// The actor's and subject's display names, filled in when records are listed
    /// (names change; records keep ids). Never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_name: Option<String>,
}

impl AuditRecord {
    pub fn new(owner: &Owner, actor: &str, action: &str, target: &str, at: DateTime<Utc>) -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            at,
            tenant: owner.tenant().to_owned(),
            actor: actor.to_owned(),
            subject: owner.user().to_owned(),
            action: action.to_owned(),
            target: target.to_owned(),
            before: None,
            after: None,
            actor_name: None,
            subject_name: None,
        }
    }

    pub fn change(mut self, before: Option<Value>, after: Option<Value>) -> Self {
        self.before = before;
        self.after = after;
        self
    }

    /// (partition, sort key): one partition per tenant and month; sort keys in time order.
    pub fn keys(&self) -> (String, String) {
        (
            audit_partition(&self.tenant, self.at.date_naive()),
            format!("{}#{}", self.at.format("%Y-%m-%dT%H:%M:%S%.3fZ"), self.id),
        )
    }

    pub fn to_doc(&self) -> Value {
        to_doc(self)
    }

    pub fn concerns(&self, user: &str) -> bool {
        self.actor == user || self.subject == user
    }
}

fn audit_partition(tenant: &str, day: NaiveDate) -> String {
    format!("T#{tenant}#AUDIT#{:04}-{:02}", day.year(), day.month())
}

pub async fn append_audit(store: &(impl DocStore + ?Sized), record: &AuditRecord) -> Result<(), StoreError> {
    let (pk, sk) = record.keys();
    store.put_doc(&pk, &sk, &record.to_doc(), DocCondition::Always).await?;
    Ok(())
}

/// Where an audit listing continues: the listing it belongs to (`from`, `to`), the month
/// partition and the last sort key read (none: the month's start).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditCursor {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub month: NaiveDate,
    #[serde(default)]
    pub after: Option<String>,
}

impl AuditCursor {
    /// True when the cursor continues the listing of `from..=to`: its month is one of
    /// that listing's partitions and its key a record key of that month inside the
    /// range. Anything else was not issued by us (a crafted month could otherwise make
    /// one request walk thousands of partitions).
    pub fn continues(&self, from: NaiveDate, to: NaiveDate) -> bool {
        let (first, last) = (from.with_day(1), to.with_day(1));
        let in_month = |sk: &str| {
            let date = sk.get(..10).and_then(|d| tm_core::domain::calendar::parse_date(d).ok());
            date.is_some_and(|d| d.with_day(1) == Some(self.month) && (from..=to).contains(&d))
        };
        let key_ok = |sk: &str| {
            sk.len() <= 200
                && in_month(sk)
                && sk.split_once('#').is_some_and(|(stamp, id)| {
                    stamp.len() == 24 && tm_core::domain::ids::is_valid_id(id) && stamp.ends_with('Z')
                })
        };
        self.from == from
            && self.to == to
            && self.month.day() == 1
            && Some(self.month) >= first
            && Some(self.month) <= last
            && self.after.as_deref().is_none_or(key_ok)
    }
}

/// At most this many records are read for one page of a filtered listing; a page can
/// then hold fewer than its limit and a cursor to go on (the work of one request stays
/// bounded however few of a tenant's records the caller may see).
pub const AUDIT_SCAN_BUDGET: usize = 2_000;

/// Audit records of a tenant dated `from..=to` (UTC), oldest first, those `visible`
/// keeps, at most `limit`; and where to continue. Reads at most [`AUDIT_SCAN_BUDGET`]
/// records (plus one page); `cursor` must have been checked with [`AuditCursor::continues`].
pub async fn audit_records(
    store: &(impl DocStore + ?Sized),
    tenant: &str,
    from: NaiveDate,
    to: NaiveDate,
    visible: impl Fn(&AuditRecord) -> bool,
    cursor: Option<AuditCursor>,
    limit: usize,
) -> Result<(Vec<AuditRecord>, Option<AuditCursor>), StoreError> {
    let (lo, hi) = (from.to_string(), format!("{to}~"));
    let mut month = cursor.as_ref().map_or(from.with_day(1).expect("day 1"), |c| c.month);
    let mut after = cursor.and_then(|c| c.after);
    let mut out = Vec::new();
    let mut scanned = 0usize;
    let resume = |month: NaiveDate, after: Option<String>| AuditCursor { from, to, month, after };
    while month <= to {
        let pk = audit_partition(tenant, month);
        loop {
            // The budget holds across pages and months: go on in the next request.
            if scanned >= AUDIT_SCAN_BUDGET {
                return Ok((out, Some(resume(month, after))));
            }
            // Records are filtered here, so read at least a page's worth at a time.
            let want = (limit - out.len()).max(100);
            let (docs, next) = store.query_docs(&pk, &lo, &hi, after.as_deref(), want).await?;
            for (sk, doc) in docs {
                let record: AuditRecord = from_doc(doc)?;
                scanned += 1;
                if visible(&record) {
                    out.push(record);
                    if out.len() == limit {
                        return Ok((out, Some(resume(month, Some(sk)))));
                    }
                }
                after = Some(sk);
            }
            if next.is_none() {
                break;
            }
        }
        after = None;
        month = month.checked_add_months(chrono::Months::new(1)).expect("month in range");
    }
    Ok((out, None))
}

// ---- generated reports -----------------------------------------------------------

/// Whose generated report: one user's, or a tenant's team summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportScope {
    User(Owner),
    Tenant(String),
}

impl ReportScope {
    fn partition(&self) -> String {
        match self {
            Self::User(owner) => owner.partition(),
            Self::Tenant(tenant) => tenant_pk(tenant),
        }
    }
}

/// A generated (scheduled) report: where its files are and what it covers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GeneratedReport {
    /// `{kind}-{period}`, e.g. `weekly-2026-11-16`, `monthly-2026-10`,
    /// `team-weekly-2026-11-16`: one per scope and period, which makes runs idempotent.
    pub id: String,
    /// `weekly`, `monthly`, `team-weekly` or `team-monthly`.
    pub kind: String,
    pub period: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// `user` or `tenant`.
    pub scope: String,
    pub total_minutes: i64,
    pub entry_count: usize,
    /// Object keys (relative to the scope's prefix) of the Markdown and JSON files.
    pub markdown_key: String,
    pub json_key: String,
    /// Team summaries: users left out because their data could not be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped_users: Vec<String>,
    /// The month versions it was built from (`YYYY-MM`, or `{user}/YYYY-MM` for a team
    /// summary): when one moves, the report is stale and the next run regenerates it.
    #[serde(default)]
    #[schema(required = true)]
    pub sources: std::collections::BTreeMap<String, u64>,
    pub generated_at: DateTime<Utc>,
}

fn report_key(id: &str) -> String {
    format!("REPORT#{id}")
}

pub async fn generated_report(
    store: &(impl DocStore + ?Sized),
    scope: &ReportScope,
    id: &str,
) -> Result<Option<GeneratedReport>, StoreError> {
    store.get_doc(&scope.partition(), &report_key(id)).await?.map(from_doc).transpose()
}

/// Records a generated report unless one with its id exists; false when it did. With
/// its `report.generated` change, in the feed of whom it is for (the person's; a team
/// summary the tenant's, whose administrators receive it).
pub async fn record_generated_report(
    store: &(impl DocStore + ChangeStore + ?Sized),
    scope: &ReportScope,
    report: &GeneratedReport,
) -> Result<bool, StoreError> {
    put_report(store, scope, report, DocCondition::Absent).await
}

/// Records a regenerated report in place of the stale one (noted as a new one is).
pub async fn replace_generated_report(
    store: &(impl DocStore + ChangeStore + ?Sized),
    scope: &ReportScope,
    report: &GeneratedReport,
) -> Result<(), StoreError> {
    put_report(store, scope, report, DocCondition::Always).await?;
    Ok(())
}

async fn put_report(
    store: &(impl DocStore + ChangeStore + ?Sized),
    scope: &ReportScope,
    report: &GeneratedReport,
    condition: DocCondition,
) -> Result<bool, StoreError> {
    let (pk, sk, doc) = (scope.partition(), report_key(&report.id), to_doc(report));
    let feed = match scope {
        ReportScope::User(owner) => owner.clone(),
        ReportScope::Tenant(tenant) => tenant_feed(tenant)?,
    };
    let write = DocWrite { pk: &pk, sk: &sk, doc: &doc, condition, index: None };
    store.put_doc_noting(write, &feed, vec![Change::ReportGenerated { report: report.clone() }]).await
}

/// Every generated report of a scope, by id.
pub async fn generated_reports(
    store: &(impl DocStore + ?Sized),
    scope: &ReportScope,
) -> Result<Vec<GeneratedReport>, StoreError> {
    all_docs(store, &scope.partition(), "REPORT#", &prefix_end("REPORT#")).await
}
