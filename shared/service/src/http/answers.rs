//! The API's typed answers: what each JSON route sends back, one type each, so the
//! handlers and the OpenAPI document share one definition. Reports are the engine's own
//! types (`tm_core::reports`), and stored records (uploads, audit records, generated
//! reports) are sent as stored. A field that is always
//! sent, even as `null`, is marked required, so a client may rely on it being there.

use crate::store::team::{AuditRecord, DirectoryEntry, GeneratedReport, PersonStatus};
use crate::store::{IngestSummary, StoredEntry, UploadKind, UploadRecord, UploadStatus};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tm_core::domain::sharing::{Role, Standing};
use tm_core::domain::time::ClockTime;
use tm_core::domain::validation::Issue;
use tm_core::domain::{Diagnostic, EntryJson, Project};
use tm_core::reports::engine::ProjectSummaryReport;
use utoipa::ToSchema;

/// A time entry as stored, with what its write noticed.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EntryAnswer {
    pub id: String,
    #[schema(value_type = String, format = Date, example = "2025-07-29")]
    pub date: NaiveDate,
    #[schema(value_type = String, example = "09:00")]
    pub start_time: ClockTime,
    /// `null` while the entry is the running timer.
    #[schema(value_type = Option<String>, required = true, example = "10:30")]
    pub end_time: Option<ClockTime>,
    #[schema(required = true)]
    pub minutes: Option<u32>,
    /// Minutes as hours, to two decimals.
    #[schema(required = true)]
    pub hours: Option<f64>,
    pub task: String,
    pub project: String,
    pub tags: Vec<String>,
    #[schema(required = true)]
    pub notes: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
    /// Warnings and notes of the write that answered (e.g. a tag normalised, a
    /// project created); only on writes.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub warnings: Option<Vec<serde_json::Value>>,
}

impl From<&StoredEntry> for EntryAnswer {
    fn from(stored: &StoredEntry) -> Self {
        let json = stored.entry.to_json();
        Self {
            id: stored.id.clone(),
            date: json.date,
            start_time: json.start_time,
            end_time: json.end_time,
            minutes: json.minutes,
            hours: json.hours,
            task: json.task,
            project: json.project,
            tags: json.tags,
            notes: json.notes,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
            warnings: None,
        }
    }
}

/// `GET /v1/entries`: one page, oldest first.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EntryPage {
    pub entries: Vec<EntryAnswer>,
    /// Pass as `cursor` for the next page; `null` on the last.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// `GET /v1/timer`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TimerAnswer {
    /// The running entry, or `null`.
    #[schema(required = true)]
    pub running: Option<EntryAnswer>,
    #[schema(required = true)]
    pub elapsed_minutes: Option<i64>,
}

/// `GET /health`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
}

/// `GET /v1/me`, `PATCH /v1/me`: who the caller is and their settings.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeAnswer {
    pub user: String,
    /// The name and e-mail the tenant's directory has for the caller (null when it has none).
    #[schema(required = true)]
    pub name: Option<String>,
    #[schema(required = true)]
    pub email: Option<String>,
    pub tenant: String,
    pub groups: Vec<String>,
    pub is_tenant_admin: bool,
    /// IANA time zone, e.g. `Europe/Berlin`: what "today" and "now" mean for the caller.
    pub time_zone: String,
    pub suppressed_projects: Vec<String>,
    /// The tenant's fiscal year starts on the first of this month (1-12).
    pub fiscal_year_start_month: u32,
    pub today: NaiveDate,
}

/// A project as written, with what the write noticed (`POST`/`PATCH /v1/projects`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProjectAnswer {
    #[serde(flatten)]
    pub project: Project,
    /// Warnings and notes (never errors: those answer 422).
    pub warnings: Vec<Issue>,
}

/// How a project in the list is shared.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Shared {
    pub owner: String,
    /// The caller's standing: the owner, or their role.
    pub role: MemberStanding,
    /// How many members besides the owner.
    pub members: usize,
    /// What to write as an entry's project (or `[[...]]` in a log) to log on it.
    pub log_as: String,
}

/// A project of `GET /v1/projects`: the caller's own, or a colleague's shared with them.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListedProject {
    #[serde(flatten)]
    pub project: Project,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared: Option<Shared>,
}

/// `GET /v1/projects`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectList {
    pub projects: Vec<ListedProject>,
}

/// `POST /v1/projects/{name}/merge`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MergeAnswer {
    pub merged: String,
    pub into: String,
    pub entries_moved: usize,
}

/// `GET /v1/projects/{name}` as JSON: the engine's summary and the cursor of the next
/// page of recent entries.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProjectSummaryAnswer {
    #[serde(flatten)]
    pub summary: ProjectSummaryReport,
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// One member of a shared project (the owner first, as `owner`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Member {
    pub user: String,
    /// Their display name from the tenant's directory (`null` when it has none).
    #[schema(required = true)]
    pub name: Option<String>,
    /// `owner`, or the member's role.
    pub role: MemberStanding,
}

/// The owner, or a member's role.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MemberStanding {
    Owner,
    Admin,
    Contributor,
    Viewer,
}

impl From<Standing> for MemberStanding {
    fn from(standing: Standing) -> Self {
        match standing {
            Standing::Owner => Self::Owner,
            Standing::Member(role) => role.into(),
        }
    }
}

impl From<Role> for MemberStanding {
    fn from(role: Role) -> Self {
        match role {
            Role::Admin => Self::Admin,
            Role::Contributor => Self::Contributor,
            Role::Viewer => Self::Viewer,
        }
    }
}

/// The members routes: a project's owner and members.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MembersAnswer {
    pub project: String,
    pub owner: String,
    pub log_as: String,
    pub members: Vec<Member>,
}

/// The headers the presigned PUT must carry.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadHeaders {
    #[serde(rename = "content-type")]
    pub content_type: &'static str,
}

/// `POST /v1/logs/uploads`: where to PUT the file, and where to read how it went.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadTicket {
    pub upload_id: String,
    /// A presigned URL: PUT the file there, with these headers, before `expiresAt`.
    pub url: String,
    /// `PUT`.
    pub method: &'static str,
    pub headers: UploadHeaders,
    pub max_bytes: usize,
    pub expires_at: DateTime<Utc>,
    pub kind: UploadKind,
    #[schema(required = true)]
    pub fiscal_year: Option<String>,
    #[schema(required = true)]
    pub project: Option<String>,
    #[schema(required = true)]
    pub base_version: Option<u64>,
    pub allow_deletes: bool,
    pub status: UploadStatus,
    /// `GET` it for the ingest report.
    pub status_url: String,
}

/// The failure of a rejected or conflicting upload, beside its report.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadFailure {
    /// `log-rejected` or `stale-base-version`.
    pub code: &'static str,
    #[schema(required = true)]
    pub message: Option<String>,
    pub details: UploadFailureDetails,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UploadFailureDetails {
    pub diagnostics: Vec<Diagnostic>,
}

/// An upload's report (`GET /v1/uploads/{id}`, `PUT /v1/logs/{fy}`, `PUT
/// /v1/projects/{name}`): 200 when applied or pending, 422 when rejected, 409 on a
/// stale `baseVersion` (then with `error` too).
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadReport {
    #[serde(flatten)]
    pub record: UploadRecord,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<UploadFailure>,
}

/// What an upload of a file would do (`POST /v1/logs/{fy}/check`); nothing is stored.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogCheck {
    pub fiscal_year: String,
    pub status: LogCheckStatus,
    /// The log's version now: the `baseVersion` an upload of this file should name.
    pub log_version: u64,
    /// What an upload would change (null when the file has errors).
    #[schema(required = true)]
    pub summary: Option<IngestSummary>,
    /// Every finding, by line, exactly as the upload's report would list them.
    pub diagnostics: Vec<Diagnostic>,
    #[schema(required = true)]
    pub message: Option<String>,
}

/// `ok`: an upload would be applied; `rejected`: the file has errors; `conflict`: the
/// file was edited from another version than the log's (an upload would be refused).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogCheckStatus {
    Ok,
    Rejected,
    Conflict,
}

/// The last ingest of a log.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LastIngest {
    pub upload_id: String,
    #[schema(required = true)]
    pub status: Option<UploadStatus>,
}

/// A fiscal year's log in `GET /v1/logs`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogSummary {
    pub fiscal_year: String,
    pub version: u64,
    pub entry_count: i64,
    #[schema(required = true)]
    pub last_ingest: Option<LastIngest>,
    pub updated_at: DateTime<Utc>,
    pub url: String,
}

/// `GET /v1/logs`: every fiscal year with a log, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogList {
    pub logs: Vec<LogSummary>,
}

/// A stored version of a log.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogVersion {
    pub version: u64,
    /// Bytes stored for this version (a patch holds only what changed since the version
    /// before); null while it is not published.
    #[schema(required = true)]
    pub size: Option<u64>,
    /// False for the current version until the publisher has stored it (reading it
    /// renders it on the spot).
    pub published: bool,
    pub created_at: DateTime<Utc>,
    pub url: String,
}

/// `GET /v1/logs/{fy}/versions`: newest first.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogVersions {
    pub fiscal_year: String,
    /// 0 while the year has no log.
    pub current_version: u64,
    pub versions: Vec<LogVersion>,
}

/// `GET /v1/audit`: one page of audit records, oldest first.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `tenant` for a tenant admin (every record), else `user` (the caller's).
    pub scope: &'static str,
    pub records: Vec<AuditRecord>,
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// Where a generated report's files are.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportLinks {
    pub json: String,
    pub markdown: String,
}

impl ReportLinks {
    pub fn of(id: &str) -> Self {
        Self {
            json: format!("/v1/reports/scheduled/{id}"),
            markdown: format!("/v1/reports/scheduled/{id}?format=markdown"),
        }
    }
}

/// A generated report in `GET /v1/reports/scheduled`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListedReport {
    #[serde(flatten)]
    pub report: GeneratedReport,
    pub links: ReportLinks,
    /// Its months changed since it was built; the next run of its period rebuilds it.
    pub stale: bool,
}

/// `GET /v1/reports/scheduled`: newest period first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduledReports {
    pub reports: Vec<ListedReport>,
}

/// The caller's settings in an export.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExportSettings {
    pub time_zone: String,
    pub suppressed_projects: Vec<String>,
}

/// A file of an export: a log or a project file, as Markdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportFile {
    pub name: String,
    pub content: String,
}

/// `GET /v1/export?format=json`: everything of the caller's, in one document.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Export {
    pub exported_at: DateTime<Utc>,
    pub user: String,
    pub tenant: String,
    pub settings: ExportSettings,
    pub fiscal_year_start_month: u32,
    pub entries: Vec<EntryJson>,
    pub projects: Vec<Project>,
    pub files: Vec<ExportFile>,
}

/// A person of the tenant's directory (`GET /v1/users` and the admin routes).
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    /// The user id (`sub`): what entries, members and audit records name them by.
    pub id: String,
    #[schema(required = true, example = "Ada Lovelace")]
    pub name: Option<String>,
    #[schema(required = true, example = "ada@example.com")]
    pub email: Option<String>,
    /// Administers the tenant: invites and manages people, sees team reports.
    pub admin: bool,
    /// `active`, `invited` (has not signed in yet), `disabled` or `removed`.
    pub status: PersonStatus,
    /// When tokens were last issued to them (sign-in or refresh); `null` if never.
    #[schema(required = true)]
    pub last_seen: Option<DateTime<Utc>>,
    /// When they joined the directory.
    pub since: DateTime<Utc>,
}

impl From<&DirectoryEntry> for Person {
    fn from(p: &DirectoryEntry) -> Self {
        Self {
            id: p.user.clone(),
            name: p.name.clone(),
            email: p.email.clone(),
            admin: p.is_admin(),
            status: p.status,
            last_seen: p.last_seen,
            since: p.since,
        }
    }
}

/// `GET /v1/users`: everyone in the caller's tenant, by name.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct People {
    pub tenant: String,
    pub people: Vec<Person>,
}

/// How an invitation reaches the person.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationDelivery {
    /// `email`: the user pool sent its invitation message (a temporary password, to be
    /// changed at first sign-in); `link`: pass `link` on (tm-local).
    pub sent_by: &'static str,
    /// Where the invited person sets their password (tm-local only; `null` in AWS).
    #[schema(required = true)]
    pub link: Option<String>,
}

/// `POST /v1/admin/users`: the invited person and how the invitation reaches them.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationAnswer {
    pub person: Person,
    pub invitation: InvitationDelivery,
}

/// The person's settings after a `settings.updated` change.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangedSettings {
    pub time_zone: String,
    pub suppressed_projects: Vec<String>,
}

/// The tenant's settings after a `tenant.updated` change.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangedTenant {
    pub fiscal_year_start_month: u32,
}

/// A shared project's record after a `share.saved` change: who may read it now. A
/// person it no longer lists was removed by this change (and receives no more of it).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangedShare {
    pub project: String,
    pub owner: String,
    /// How members name it in their entries.
    pub log_as: String,
    pub members: Vec<ShareMember>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShareMember {
    pub user: String,
    pub role: MemberStanding,
}

/// One change of the feed (`GET /v1/changes`), oldest first. Which fields are set
/// depends on `type`: `entry.created`/`entry.updated` carry `entry`; `entry.deleted`
/// and `timer.started` carry `entryId`; `project.saved` carries `project`;
/// `project.deleted` carries `projectName`; `upload.saved` carries `upload`;
/// `settings.updated` carries `settings`; `report.generated` carries `report`;
/// `tenant.updated` carries `tenant`; `person.saved` carries `person`; `share.saved`
/// carries `share`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangeAnswer {
    /// Unique and in feed order. A change near the present may be sent twice (docs/live.md):
    /// skip ids already applied.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: crate::store::changes::ChangeType,
    /// When the change was committed.
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
    /// Whose entry, when it is a colleague's on a project shared with you (their user id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<EntryAnswer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<Project>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload: Option<UploadRecord>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<ChangedSettings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<ListedReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<ChangedTenant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<Person>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<ChangedShare>,
}

impl From<crate::feed::FeedChange> for ChangeAnswer {
    fn from(c: crate::feed::FeedChange) -> Self {
        use crate::store::changes::Change;
        let kind = c.record.change.kind();
        let mut answer = Self {
            id: c.id,
            kind,
            at: c.record.at,
            user: c.author,
            entry_id: None,
            entry: None,
            project: None,
            project_name: None,
            upload: None,
            settings: None,
            report: None,
            tenant: None,
            person: None,
            share: None,
        };
        match c.record.change {
            Change::EntrySaved { entry, .. } => {
                answer.entry_id = Some(entry.id.clone());
                answer.entry = Some(EntryAnswer::from(&StoredEntry::from(entry)));
            }
            Change::EntryDeleted { id, .. } | Change::TimerStarted { id } => answer.entry_id = Some(id),
            Change::TimerStopped => {}
            Change::ProjectSaved { project } => {
                answer.project_name = Some(project.name.clone());
                answer.project = Some(project);
            }
            Change::ProjectDeleted { name } => answer.project_name = Some(name),
            Change::UploadSaved { upload } => answer.upload = Some(upload),
            Change::SettingsSaved { time_zone, suppressed_projects } => {
                answer.settings = Some(ChangedSettings { time_zone, suppressed_projects })
            }
            Change::ReportGenerated { report } => {
                let links = ReportLinks::of(&report.id);
                answer.report = Some(ListedReport { report, links, stale: false });
            }
            Change::TenantSaved { settings } => {
                answer.tenant = Some(ChangedTenant { fiscal_year_start_month: settings.fiscal_year_start_month })
            }
            Change::PersonSaved { person } => answer.person = Some(Person::from(&person)),
            Change::ShareSaved { share, .. } => {
                answer.share = Some(ChangedShare {
                    log_as: share.log_as(),
                    members: share
                        .members
                        .iter()
                        .map(|(user, role)| ShareMember { user: user.clone(), role: (*role).into() })
                        .collect(),
                    project: share.name,
                    owner: share.owner,
                })
            }
        }
        answer
    }
}

/// `GET /v1/changes`: a page of the feed and where to continue.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangePage {
    pub changes: Vec<ChangeAnswer>,
    /// Pass as `since` on the next read (always set: keep it, and poll with it later).
    pub cursor: String,
    /// More changes wait: read again with `cursor` at once.
    pub has_more: bool,
}

/// A webhook as listed (its secret is shown only when created or rotated).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookAnswer {
    pub id: String,
    pub url: String,
    /// The change types sent; empty: all.
    pub events: Vec<crate::store::changes::ChangeType>,
    /// `person`: the feed of the person who made it; `tenant`: the tenant's feed.
    pub scope: crate::store::webhooks::WebhookScope,
    /// The user id of who made it (a tenant-wide one sends as they read the tenant's feed,
    /// and pauses while they are not an active administrator).
    pub created_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    /// The event being tried again, if one is.
    #[schema(required = true)]
    pub retrying: Option<WebhookRetry>,
    /// The signing secret (`whsec_…`): only in the answer that created or rotated it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookRetry {
    pub event_id: String,
    pub attempts: u32,
    #[schema(value_type = String, format = DateTime)]
    pub next_attempt_at: DateTime<Utc>,
}

impl WebhookAnswer {
    pub fn of(hook: &crate::store::webhooks::Webhook, secret: Option<String>) -> Self {
        Self {
            id: hook.id.clone(),
            url: hook.url.clone(),
            events: hook.events.clone(),
            scope: hook.scope,
            created_by: hook.user.clone(),
            created_at: hook.created_at,
            retrying: hook.pending.as_ref().map(|p| WebhookRetry {
                event_id: p.position.clone(),
                attempts: p.attempts,
                next_attempt_at: p.next_attempt_at,
            }),
            secret,
        }
    }
}

/// `GET /v1/webhooks`.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub webhooks: Vec<WebhookAnswer>,
}

/// `GET /v1/webhooks/{id}/deliveries`: attempts, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    pub deliveries: Vec<crate::store::webhooks::DeliveryRecord>,
}
