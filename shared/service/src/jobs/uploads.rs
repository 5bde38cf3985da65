//! Uploads: naming the file, the upload record, and the "object created" event that
//! starts an ingest (S3 through SQS in AWS; the local server's presigned PUT locally).

use super::ingest::MAX_FILE_BYTES;
use super::ingest::{finish_rejected, ingest_log, ingest_project, too_large};
use crate::auth::Principal;
use crate::context::{AppContext, Caller};
use crate::store::objects::{UPLOADS, parse_upload_key};
use crate::store::{Owner, StoreError, UploadKind, UploadRecord, UploadStatus};
use chrono::{DateTime, Utc};
use tm_core::domain::calendar::FiscalCalendar;

/// How long a presigned upload URL works.
pub const UPLOAD_URL_SECONDS: u64 = 15 * 60;

/// What a file name says the file is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileName {
    pub kind: UploadKind,
    /// The name kept in the object key (no folders).
    pub base_name: String,
    pub fiscal_year: Option<String>,
    pub project: Option<String>,
}

/// `time-log-2025-2026.md` (any folder) is a log; `projects/Name.md` or `Name.md` is a
/// project file. Anything else is refused with a message that says the two forms.
pub fn classify_file_name(name: &str, calendar: &FiscalCalendar) -> Result<FileName, String> {
    let hint = "name the file time-log-YYYY-YYYY.md (a fiscal year's log) or projects/NAME.md (a project file)";
    let name = name.trim();
    let base = name.rsplit('/').next().unwrap_or(name);
    if base.is_empty() || name.len() > 200 || name.chars().any(char::is_control) || base.starts_with('.') {
        return Err(format!("file name {name:?} is not usable; {hint}"));
    }
    let Some(stem) = base.strip_suffix(".md") else {
        return Err(format!("file name {name:?} does not end in .md; {hint}"));
    };
    if let Some(label) = stem.strip_prefix("time-log-") {
        let fy = calendar.parse_label(label).map_err(|e| format!("file name {name:?}: {e}; {hint}"))?;
        return Ok(FileName {
            kind: UploadKind::Log,
            base_name: base.to_owned(),
            fiscal_year: Some(fy.label()),
            project: None,
        });
    }
    if let Some(problem) = tm_core::domain::names::project_name_problem(stem) {
        return Err(format!("file name {name:?}: {problem}; {hint}"));
    }
    Ok(FileName {
        kind: UploadKind::Project,
        base_name: base.to_owned(),
        fiscal_year: None,
        project: Some(stem.into()),
    })
}

/// A new pending upload of `file`, stored at `uploads/{id}/{base name}`.
pub fn new_upload(
    file: &FileName,
    file_name: &str,
    base_version: Option<u64>,
    now: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
) -> UploadRecord {
    let id = uuid::Uuid::new_v4().to_string();
    UploadRecord {
        key: format!("{UPLOADS}{id}/{}", file.base_name),
        id,
        kind: file.kind,
        file_name: file_name.trim().to_owned(),
        fiscal_year: file.fiscal_year.clone(),
        project: file.project.clone(),
        base_version,
        allow_deletes: false,
        status: UploadStatus::Pending,
        diagnostics: Vec::new(),
        summary: None,
        log_version: None,
        source_version: None,
        message: None,
        created_at: now,
        expires_at,
        finished_at: None,
    }
}

/// Ingests `bytes` for a pending record (a log or a project file).
pub(crate) async fn ingest_upload(
    ctx: &AppContext,
    caller: &Caller,
    record: UploadRecord,
    bytes: &[u8],
) -> Result<UploadRecord, StoreError> {
    match record.kind {
        UploadKind::Log => ingest_log(ctx, caller, record, bytes).await,
        UploadKind::Project => ingest_project(ctx, caller, record, bytes).await,
    }
}

/// One "object created" notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectCreated {
    /// The bucket key, decoded.
    pub key: String,
    pub size: Option<u64>,
    /// The object version (buckets with versioning).
    pub version_id: Option<String>,
    /// S3's ordering token of the event: names the content when there is no version.
    pub sequencer: Option<String>,
}

impl ObjectCreated {
    /// Which content the event is about, so a redelivered event is recognised.
    pub fn content_id(&self) -> Option<String> {
        self.version_id.clone().or_else(|| self.sequencer.clone())
    }
}

/// Handles one created object: only an upload key whose upload record exists in the
/// same user's data is ingested; anything else is logged and ignored. The same event
/// again returns the stored outcome and writes nothing.
pub async fn on_object_created(ctx: &AppContext, event: &ObjectCreated) -> Result<Option<UploadRecord>, StoreError> {
    let Some((owner, key)) = parse_upload_key(&event.key) else {
        tracing::warn!(key = %event.key, "ignored: not a key under uploads/tenants/{{tenant}}/users/{{user}}/");
        return Ok(None);
    };
    let id = key.trim_start_matches(UPLOADS).split('/').next().unwrap_or_default().to_owned();
    let record = match ctx.store.upload(&owner, &id).await? {
        Some(record) if record.key == key => record,
        _ => {
            tracing::warn!(
                key = %event.key,
                "ignored: no upload with this key in this user's data (uploads start with POST /v1/logs/uploads)"
            );
            return Ok(None);
        }
    };
    if record.status != UploadStatus::Pending && record.source_version == event.content_id() {
        tracing::info!(upload = %record.id, "already ingested; nothing to do");
        return Ok(Some(record));
    }
    let record = UploadRecord {
        status: UploadStatus::Pending,
        diagnostics: Vec::new(),
        summary: None,
        message: None,
        log_version: None,
        finished_at: None,
        source_version: event.content_id(),
        ..record
    };
    if let Some(size) = event.size.filter(|size| *size > MAX_FILE_BYTES as u64) {
        // Refused from the event's size, without reading the object.
        let rejected = finish_rejected(ctx, &owner, record, vec![too_large(size)], (ctx.clock)()).await?;
        return Ok(Some(rejected));
    }
    let Some(bytes) = ctx.objects.get_object(&owner, &key, event.version_id.as_deref()).await? else {
        tracing::warn!(upload = %record.id, "ignored: the uploaded object is gone");
        return Ok(None);
    };
    let caller = Caller::for_principal(ctx, job_principal(&owner), crate::context::Access::Write).await?;
    Ok(Some(ingest_upload(ctx, &caller, record, &bytes).await?))
}

/// The principal a job acts as: the owner of the data, no groups.
pub fn job_principal(owner: &Owner) -> Principal {
    Principal::for_job(owner.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_say_what_a_file_is() {
        let calendar = FiscalCalendar::default();
        let log = classify_file_name("vault/time-log-2025-2026.md", &calendar).unwrap();
        assert_eq!((log.kind, log.fiscal_year.as_deref()), (UploadKind::Log, Some("2025-2026")));
        assert_eq!(log.base_name, "time-log-2025-2026.md");
        let project = classify_file_name("projects/Website Redesign.md", &calendar).unwrap();
        assert_eq!((project.kind, project.project.as_deref()), (UploadKind::Project, Some("Website Redesign")));
        for bad in ["", "notes.txt", "time-log-2025-2027.md", ".md", "time-log-2025.md"] {
            let message = classify_file_name(bad, &calendar).unwrap_err();
            assert!(message.contains("time-log-YYYY-YYYY.md"), "{bad}: {message}");
        }
    }
}
