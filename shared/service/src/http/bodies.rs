//! The API's JSON request bodies, one type per route that takes one. Handlers receive
//! these (parsed by `handlers::body`); the OpenAPI document describes them from the
//! same definitions, so the contract and the code cannot drift.
//!
//! Every field is optional to serde: which ones a route requires is checked by its
//! handler, so a missing field is a `missing-field` answer that names it. `null` counts
//! as absent, except where a PATCH clears a value with it (`Option<Option<_>>`).

use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

/// A present field, even when `null` (so `Option<Option<T>>` tells absent from null).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// `POST /v1/entries`: a finished entry (a running one starts with the timer).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewEntry {
    /// `YYYY-MM-DD`; today in the caller's time zone when left out.
    #[schema(example = "2025-07-29", pattern = r"^\d{4}-\d{2}-\d{2}$")]
    pub date: Option<String>,
    /// `HH:MM`, 24-hour.
    #[schema(required = true, example = "09:00", pattern = r"^([01]\d|2[0-3]):[0-5]\d$")]
    pub start_time: Option<String>,
    /// `HH:MM`, after `startTime` (the entry may not cross midnight).
    #[schema(required = true, example = "10:30", pattern = r"^([01]\d|2[0-3]):[0-5]\d$")]
    pub end_time: Option<String>,
    #[schema(required = true, example = "Wrote the parser")]
    pub task: Option<String>,
    /// A project name, or `OWNER/Name` for a colleague's shared project.
    #[schema(example = "Temporal Mark")]
    pub project: Option<String>,
    /// The user id of the colleague whose shared project `project` names.
    pub project_owner: Option<String>,
    /// Tags; normalised to lower-case kebab-case.
    #[schema(value_type = Option<Vec<String>>)]
    pub tags: Option<serde_json::Value>,
    pub notes: Option<String>,
}

/// `PATCH /v1/entries/{id}`: the fields to change; `project`, `tags` and `notes` are
/// cleared with `null`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EntryPatch {
    #[schema(pattern = r"^\d{4}-\d{2}-\d{2}$")]
    pub date: Option<String>,
    #[schema(pattern = r"^([01]\d|2[0-3]):[0-5]\d$")]
    pub start_time: Option<String>,
    /// Cannot be removed (`null` is refused).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, pattern = r"^([01]\d|2[0-3]):[0-5]\d$")]
    pub end_time: Option<Option<String>>,
    pub task: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub project: Option<Option<String>>,
    pub project_owner: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<String>>)]
    pub tags: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

/// `POST /v1/timer/start`: starts now unless `date`/`startTime` say otherwise.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TimerStartBody {
    #[schema(required = true, example = "Backend work")]
    pub task: Option<String>,
    pub project: Option<String>,
    pub project_owner: Option<String>,
    #[schema(value_type = Option<Vec<String>>)]
    pub tags: Option<serde_json::Value>,
    pub notes: Option<String>,
    #[schema(pattern = r"^\d{4}-\d{2}-\d{2}$")]
    pub date: Option<String>,
    #[schema(pattern = r"^([01]\d|2[0-3]):[0-5]\d$")]
    pub start_time: Option<String>,
}

/// `POST /v1/timer/finish` (the body may be left out: finish now).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TimerFinishBody {
    /// `HH:MM`; now when left out.
    #[schema(pattern = r"^([01]\d|2[0-3]):[0-5]\d$")]
    pub end_time: Option<String>,
    /// Appended to the entry's notes.
    pub notes: Option<String>,
}

/// `POST /v1/logs/uploads`: a presigned URL for one log or project file.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UploadRequest {
    /// `time-tracking-YYYY-YYYY.md` (a fiscal year's log) or a project file name.
    #[schema(required = true, example = "time-tracking-2025-2026.md")]
    pub file_name: Option<String>,
    /// The log version the file was edited from (`x-log-version` of `GET /v1/logs/{fy}`).
    #[schema(minimum = 0)]
    pub base_version: Option<u64>,
    /// Lets the upload remove entries the service has and the file lacks.
    pub allow_deletes: Option<bool>,
}

/// `PATCH /v1/me`: the caller's settings (the fiscal year's start month is the
/// tenant's, for tenant admins only).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SettingsPatch {
    /// An IANA time zone, e.g. `Europe/Berlin`.
    pub time_zone: Option<String>,
    /// Projects left out of reports unless asked for.
    pub suppressed_projects: Option<Vec<String>>,
    #[schema(minimum = 1, maximum = 12)]
    pub fiscal_year_start_month: Option<u64>,
}

/// `POST /v1/projects` (`name` required) and `PATCH /v1/projects/{name}` (any field;
/// `name` renames, `startDate: null` clears).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProjectFields {
    #[schema(example = "Website Redesign")]
    pub name: Option<String>,
    pub departmental_goals: Option<Vec<String>>,
    pub strategic_directions: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
    /// `Active`, `Completed`, `On Hold` or `Cancelled` (any case).
    pub status: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub start_date: Option<Option<String>>,
    pub summary: Option<String>,
    pub archived: Option<bool>,
}

/// `POST /v1/projects/{name}/merge`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MergeRequest {
    /// The project that takes the entries.
    #[schema(required = true, example = "Website Redesign")]
    pub into: Option<String>,
}

/// `PUT /v1/projects/{name}/members/{user}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MemberRole {
    /// `viewer` (reads its reports), `contributor` (also logs time to it) or `admin`
    /// (also manages it).
    #[schema(required = true, example = "contributor")]
    pub role: Option<String>,
}

/// `POST /v1/admin/users`: whom to invite into the caller's tenant.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewPerson {
    /// Where the invitation goes; also what they sign in with.
    #[schema(required = true, example = "ada@example.com")]
    pub email: Option<String>,
    #[schema(required = true, example = "Ada Lovelace")]
    pub name: Option<String>,
    /// Make them a tenant admin too (default false).
    pub admin: Option<bool>,
}

/// `PATCH /v1/admin/users/{id}`: what to change (at least one field).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PersonPatch {
    #[schema(example = "Ada King")]
    pub name: Option<String>,
    pub admin: Option<bool>,
    /// True refuses their tokens from their next request and revokes their refresh
    /// tokens; false lets them in again.
    pub disabled: Option<bool>,
}

/// `POST /v1/webhooks`: where to send which changes.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewWebhook {
    /// An `https://` URL on the public internet (loopback `http://` only where the
    /// server allows it for tests).
    #[schema(required = true, example = "https://hooks.example.com/temporal-mark")]
    pub url: Option<String>,
    /// The change types to send (`entry.created`, `timer.started`, …); all when left out.
    #[schema(value_type = Option<Vec<String>>)]
    pub events: Option<serde_json::Value>,
    /// `person` (the default): the caller's own feed. `tenant` (tenant administrators):
    /// the tenant's feed — `tenant.updated`, `person.saved`, `report.generated` (team
    /// summaries) and `share.saved` of the projects the caller stands on.
    #[schema(example = "person")]
    pub scope: Option<String>,
}
