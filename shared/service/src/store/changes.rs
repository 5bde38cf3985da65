//! The changes feed (`GET /v1/changes`): every change to a person's data, in commit
//! order, written by the store adapters in the same unit as the change itself, so the
//! feed lists a change exactly when it happened (docs/live.md).
//!
//! Positions are the sort keys of the change items in the user's partition
//! (`CHG#{position}`): the embedded store numbers them (its writes are serialised, so the
//! numbers are the commit order); DynamoDB orders them by commit time, and its reader
//! hands out a cursor no later than a settled horizon (see [`ChangePage::cursor`]).

use super::model::{EntryRecord, StoredEntry, TenantSettings, UploadRecord, WriteOp};
use super::team::{DirectoryEntry, GeneratedReport};
use super::{Owner, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tm_core::domain::Project;
use tm_core::domain::sharing::SharedProject;

/// The sort-key prefix of change items.
pub const CHANGE_PREFIX: &str = "CHG#";

/// What one change did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Change {
    /// An entry was created or replaced: its state after the change, and its project
    /// before it when the write knew it.
    EntrySaved {
        entry: EntryRecord,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous_project: Option<String>,
    },
    /// An entry was deleted (a tombstone), with its project when the write knew it.
    EntryDeleted {
        id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        project: Option<String>,
    },
    /// The running timer now points at this entry.
    TimerStarted { id: String },
    /// No timer runs any more (finished, cancelled or deleted).
    TimerStopped,
    /// A project was created or replaced.
    ProjectSaved { project: Project },
    /// A project was removed (deleted, merged, or renamed away from this name).
    ProjectDeleted { name: String },
    /// An upload's record changed (created, applied, rejected, conflict…).
    UploadSaved { upload: UploadRecord },
    /// The person's settings changed.
    SettingsSaved { time_zone: String, suppressed_projects: Vec<String> },
    /// The schedule generated a report: the person's own, or (in the tenant's feed) a
    /// team summary.
    ReportGenerated { report: GeneratedReport },
    // What follows is written to the tenant's feed ([`tenant_feed`]); who of the tenant
    // receives each is decided when it is read (`feed::visible_changes`).
    /// The tenant's settings changed.
    TenantSaved { settings: TenantSettings },
    /// Someone joined the directory, or their name, address, admin role or status changed.
    PersonSaved { person: DirectoryEntry },
    /// A shared project's record changed (its members and their roles). `removed`: the
    /// members it removed, who learn of it (and then receive no more of the project).
    ShareSaved {
        share: SharedProject,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        removed: Vec<String>,
    },
}

/// A change as stored: when it was committed, and what it did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeRecord {
    #[serde(with = "super::model::stamp")]
    pub at: DateTime<Utc>,
    pub change: Change,
}

/// A change read back from the feed, with its position (also its id).
#[derive(Clone, Debug, PartialEq)]
pub struct PositionedChange {
    pub position: String,
    pub record: ChangeRecord,
}

/// One read of the feed.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangePage {
    pub changes: Vec<PositionedChange>,
    /// Where the next read continues. Every change at or before it has been returned
    /// (now or before) and none can still appear there. A store whose positions are
    /// commit times (DynamoDB) may also return changes after it — ones whose
    /// neighbourhood has not settled yet — which the next read returns again; a client
    /// skips positions it has applied.
    pub cursor: Option<String>,
    /// The read stopped at its limit: read again from `cursor` at once.
    pub has_more: bool,
}

/// The feed of a user's partition.
#[async_trait]
pub trait ChangeStore: Send + Sync {
    /// Changes after `after` (a cursor from a previous page; `None`: from the start), at
    /// most `limit`.
    async fn changes(&self, owner: &Owner, after: Option<&str>, limit: usize) -> Result<ChangePage, StoreError>;
    /// A cursor at the feed's end, cheaply: reading from it gives what changes from now
    /// on (on a store with a settle window, also the changes of that window).
    async fn feed_end(&self, owner: &Owner) -> Result<String, StoreError>;
    /// A bound on every position of `owner`'s feed written or handed out so far: a
    /// cursor past it was not issued (made up, or of another store), and reading from it
    /// would silently skip what comes.
    async fn issued_up_to(&self, owner: &Owner) -> Result<String, StoreError>;
    /// Writes a document as `DocStore::put_doc`/`put_indexed_doc` do and appends
    /// `changes` to `feed` in the same unit (one redb transaction, one DynamoDB
    /// `TransactWriteItems`): both, or — a condition that does not hold — neither. For
    /// records no entry commit writes: the directory, shared projects, generated reports.
    async fn put_doc_noting(&self, write: DocWrite<'_>, feed: &Owner, changes: Vec<Change>)
    -> Result<bool, StoreError>;
}

/// One document write (see [`ChangeStore::put_doc_noting`]).
pub struct DocWrite<'a> {
    pub pk: &'a str,
    pub sk: &'a str,
    pub doc: &'a serde_json::Value,
    pub condition: super::team::DocCondition,
    /// Also listed in the index under (index pk, index sk).
    pub index: Option<(&'a str, &'a str)>,
}

/// The change a saved profile is (the settings a person sees of it).
pub fn settings_saved(profile: &super::model::Profile) -> Change {
    Change::SettingsSaved {
        time_zone: profile.time_zone.clone(),
        suppressed_projects: profile.suppressed_projects.clone(),
    }
}

/// The feed of a tenant's own records (settings, directory, shared projects, team
/// reports): the partition of the tenant's scope (`T#{tenant}#U#`), beside its people's.
pub fn tenant_feed(tenant: &str) -> Result<Owner, StoreError> {
    Owner::tenant_scope(tenant).map_err(|e| StoreError::misuse(e.to_string()))
}

/// The changes a commit of `ops` makes, in the order of its ops.
pub fn changes_of(ops: &[WriteOp]) -> Vec<Change> {
    ops.iter()
        .filter_map(|op| match op {
            WriteOp::PutEntry(stored) => {
                Some(Change::EntrySaved { entry: EntryRecord::from(stored), previous_project: None })
            }
            WriteOp::PutEntryAt { stored, previous_project, .. } => Some(Change::EntrySaved {
                entry: EntryRecord::from(stored),
                previous_project: previous_project.clone(),
            }),
            WriteOp::DeleteEntry { id } => Some(Change::EntryDeleted { id: id.clone(), project: None }),
            WriteOp::DeleteEntryAt { id, project, .. } => {
                Some(Change::EntryDeleted { id: id.clone(), project: project.clone() })
            }
            WriteOp::SetTimer(Some(id)) => Some(Change::TimerStarted { id: id.clone() }),
            WriteOp::SetTimer(None) => Some(Change::TimerStopped),
            WriteOp::PutUpload(upload) => Some(Change::UploadSaved { upload: upload.clone() }),
            WriteOp::PutProject(project) => Some(Change::ProjectSaved { project: project.clone() }),
            WriteOp::DeleteProject(name) => Some(Change::ProjectDeleted { name: name.clone() }),
            WriteOp::PutIdempotency { .. }
            | WriteOp::TouchLog(_)
            | WriteOp::PutAudit(_)
            | WriteOp::TouchMonth(_)
            | WriteOp::RequireProject(_) => None,
        })
        .collect()
}

/// The feed's name of a change, as clients and webhook filters see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum ChangeType {
    #[serde(rename = "entry.created")]
    EntryCreated,
    #[serde(rename = "entry.updated")]
    EntryUpdated,
    #[serde(rename = "entry.deleted")]
    EntryDeleted,
    #[serde(rename = "timer.started")]
    TimerStarted,
    #[serde(rename = "timer.stopped")]
    TimerStopped,
    #[serde(rename = "project.saved")]
    ProjectSaved,
    #[serde(rename = "project.deleted")]
    ProjectDeleted,
    #[serde(rename = "upload.saved")]
    UploadSaved,
    #[serde(rename = "settings.updated")]
    SettingsUpdated,
    #[serde(rename = "report.generated")]
    ReportGenerated,
    #[serde(rename = "tenant.updated")]
    TenantUpdated,
    #[serde(rename = "person.saved")]
    PersonSaved,
    #[serde(rename = "share.saved")]
    ShareSaved,
}

impl ChangeType {
    /// Every type, as webhook filters name them.
    pub const ALL: [ChangeType; 13] = [
        ChangeType::EntryCreated,
        ChangeType::EntryUpdated,
        ChangeType::EntryDeleted,
        ChangeType::TimerStarted,
        ChangeType::TimerStopped,
        ChangeType::ProjectSaved,
        ChangeType::ProjectDeleted,
        ChangeType::UploadSaved,
        ChangeType::SettingsUpdated,
        ChangeType::ReportGenerated,
        ChangeType::TenantUpdated,
        ChangeType::PersonSaved,
        ChangeType::ShareSaved,
    ];

    /// The types of the tenant's feed: what a tenant-wide webhook can send.
    pub const TENANT: [ChangeType; 4] =
        [ChangeType::ReportGenerated, ChangeType::TenantUpdated, ChangeType::PersonSaved, ChangeType::ShareSaved];

    pub fn name(self) -> &'static str {
        match self {
            ChangeType::EntryCreated => "entry.created",
            ChangeType::EntryUpdated => "entry.updated",
            ChangeType::EntryDeleted => "entry.deleted",
            ChangeType::TimerStarted => "timer.started",
            ChangeType::TimerStopped => "timer.stopped",
            ChangeType::ProjectSaved => "project.saved",
            ChangeType::ProjectDeleted => "project.deleted",
            ChangeType::UploadSaved => "upload.saved",
            ChangeType::SettingsUpdated => "settings.updated",
            ChangeType::ReportGenerated => "report.generated",
            ChangeType::TenantUpdated => "tenant.updated",
            ChangeType::PersonSaved => "person.saved",
            ChangeType::ShareSaved => "share.saved",
        }
    }
}

impl Change {
    pub fn kind(&self) -> ChangeType {
        match self {
            // A created entry has never been updated: both stamps are its creation.
            Change::EntrySaved { entry, .. } if entry.created_at == entry.updated_at => ChangeType::EntryCreated,
            Change::EntrySaved { .. } => ChangeType::EntryUpdated,
            Change::EntryDeleted { .. } => ChangeType::EntryDeleted,
            Change::TimerStarted { .. } => ChangeType::TimerStarted,
            Change::TimerStopped => ChangeType::TimerStopped,
            Change::ProjectSaved { .. } => ChangeType::ProjectSaved,
            Change::ProjectDeleted { .. } => ChangeType::ProjectDeleted,
            Change::UploadSaved { .. } => ChangeType::UploadSaved,
            Change::SettingsSaved { .. } => ChangeType::SettingsUpdated,
            Change::ReportGenerated { .. } => ChangeType::ReportGenerated,
            Change::TenantSaved { .. } => ChangeType::TenantUpdated,
            Change::PersonSaved { .. } => ChangeType::PersonSaved,
            Change::ShareSaved { .. } => ChangeType::ShareSaved,
        }
    }

    /// The stored entry of an `EntrySaved`.
    pub fn entry(&self) -> Option<StoredEntry> {
        match self {
            Change::EntrySaved { entry, .. } => Some(StoredEntry::from(entry.clone())),
            _ => None,
        }
    }
}

/// Opaque feed cursors: a position, base64url-encoded so clients do not build them.
pub mod cursor {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    pub fn encode(position: &str) -> String {
        URL_SAFE_NO_PAD.encode(position)
    }

    /// `None` for anything that is not a position we issued: digits, `-` and `#` only
    /// (both stores' positions), so a crafted cursor cannot leave the change range.
    pub fn decode(cursor: &str) -> Option<String> {
        if cursor.is_empty() || cursor.len() > 200 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
        let position = String::from_utf8(bytes).ok()?;
        let well_formed = !position.is_empty()
            && position.chars().all(|c| c.is_ascii_hexdigit() || c == '-' || c == '#')
            && position.starts_with(|c: char| c.is_ascii_digit());
        well_formed.then_some(position)
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn only_positions_are_cursors() {
            for good in ["00000000000000000042", "0001733300000000000#3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b#0003"] {
                assert_eq!(super::decode(&super::encode(good)).as_deref(), Some(good));
            }
            for bad in ["", "E#2025", "CHG#1", "1\u{10FFFF}", "~"] {
                assert_eq!(super::decode(&super::encode(bad)), None, "{bad:?}");
            }
            assert_eq!(super::decode("!!!"), None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::model::StoredResponse;

    #[test]
    fn a_commit_lists_what_it_changed_and_not_its_bookkeeping() {
        let ops = vec![
            WriteOp::DeleteEntry { id: "a".into() },
            WriteOp::SetTimer(None),
            WriteOp::PutIdempotency {
                key: "k".into(),
                response: StoredResponse { status: 200, body: String::new(), request_hash: String::new() },
            },
            WriteOp::TouchMonth("2026-12".into()),
            WriteOp::DeleteProject("Old".into()),
        ];
        let kinds: Vec<ChangeType> = changes_of(&ops).iter().map(Change::kind).collect();
        assert_eq!(kinds, [ChangeType::EntryDeleted, ChangeType::TimerStopped, ChangeType::ProjectDeleted]);
    }

    #[test]
    fn every_type_has_its_wire_name() {
        for kind in ChangeType::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
        }
    }
}
