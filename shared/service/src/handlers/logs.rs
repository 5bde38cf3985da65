//! Markdown logs (docs/rules.md §10): uploads (presigned and direct), canonical logs and their
//! versions, upload reports, and the export of everything.

use super::body::{required, typed};
use crate::context::{AppContext, Caller};
use crate::http::MAX_FILE_BYTES;
use crate::http::answers::{
    Export, ExportFile, ExportSettings, LastIngest, LogCheck, LogCheckStatus, LogList, LogSummary, LogVersion,
    LogVersions, UploadFailure, UploadFailureDetails, UploadHeaders, UploadReport, UploadTicket,
};
use crate::http::bodies::UploadRequest;
use crate::http::routes::Matched;
use crate::http::{ApiError, ApiRequest, ApiResponse};
use crate::jobs::canonical::{MARKDOWN, log_versions, published_log, render_current};
use crate::jobs::uploads::{FileName, UPLOAD_URL_SECONDS, classify_file_name, ingest_upload, new_upload};
use crate::store::{EntryQuery, IngestSummary, UploadRecord, UploadStatus};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write as _;
use tm_core::domain::calendar::FiscalYear;
use tm_core::domain::entry::Entry;
use tm_core::markdown::project_file::render_project_file;

fn fiscal_year(caller: &Caller, matched: &Matched) -> Result<FiscalYear, ApiError> {
    let label = matched.param("fy").unwrap_or_default();
    caller.calendar.parse_label(label).map_err(|e| {
        ApiError::bad_request("invalid-fiscal-year", format!("{e}; fiscal years are written like 2025-2026"))
    })
}

/// `POST /v1/logs/uploads`: a presigned PUT for the caller's own uploads prefix.
pub(crate) async fn create_upload(
    ctx: &AppContext,
    caller: &Caller,
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let body: UploadRequest = typed(req)?;
    let file_name = required(body.file_name, "fileName")?;
    let file = classify_file_name(&file_name, &caller.calendar)
        .map_err(|message| ApiError::bad_request("invalid-file-name", message))?;
    let base_version = body.base_version;
    let allow_deletes = body.allow_deletes.unwrap_or(false);
    let now = (ctx.clock)();
    let expires_at = now + chrono::Duration::seconds(UPLOAD_URL_SECONDS as i64);
    let mut record = new_upload(&file, &file_name, base_version, now, Some(expires_at));
    record.allow_deletes = allow_deletes;
    let url = ctx
        .objects
        .presign_put(&caller.owner, &record.key, "text/markdown", std::time::Duration::from_secs(UPLOAD_URL_SECONDS))
        .await?;
    ctx.store.put_upload(&caller.owner, &record).await?;
    let audit = crate::access::audit_record(caller, caller.owner.user(), "upload.create", &record.id).change(
        None,
        Some(json!({"fileName": record.file_name, "key": record.key, "baseVersion": record.base_version})),
    );
    crate::access::audit(ctx, audit).await;
    Ok(ApiResponse::json(
        201,
        &UploadTicket {
            upload_id: record.id.clone(),
            url,
            method: "PUT",
            headers: UploadHeaders { content_type: "text/markdown" },
            max_bytes: MAX_FILE_BYTES,
            expires_at,
            kind: record.kind,
            fiscal_year: record.fiscal_year.clone(),
            project: record.project.clone(),
            base_version: record.base_version,
            allow_deletes: record.allow_deletes,
            status: record.status,
            status_url: format!("/v1/uploads/{}", record.id),
        },
    ))
}

/// The report of an upload, with the status that says how it went.
fn report_response(record: &UploadRecord) -> ApiResponse {
    let (status, error) = match record.status {
        UploadStatus::Applied | UploadStatus::Pending => (200, None),
        UploadStatus::Rejected => (422, Some("log-rejected")),
        UploadStatus::Conflict => (409, Some("stale-base-version")),
    };
    let error = error.map(|code| UploadFailure {
        code,
        message: record.message.clone(),
        details: UploadFailureDetails { diagnostics: record.diagnostics.clone() },
    });
    ApiResponse::json(status, &UploadReport { record: record.clone(), error })
}

fn check_markdown_body(req: &ApiRequest) -> Result<(), ApiError> {
    if let Some(ct) = req.header("content-type") {
        let ct = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        let ok = ["", "text/markdown", "text/x-markdown", "text/plain", "application/octet-stream"].contains(&ct.as_str())
            // curl --data-binary sends this by default
            || ct == "application/x-www-form-urlencoded";
        if !ok {
            return Err(ApiError::new(
                415,
                "unsupported-media-type",
                format!("send the file's Markdown as Content-Type: text/markdown, not {ct}"),
            ));
        }
    }
    // The size is the route's body limit (`file_route`), checked before any handler.
    Ok(())
}

/// The base version a direct upload names: `?baseVersion=N` or `If-Match: "N"`.
fn base_version(req: &ApiRequest) -> Result<Option<u64>, ApiError> {
    let text = req
        .query_one("baseVersion")
        .map(str::to_owned)
        .or_else(|| req.header("if-match").map(|v| v.trim().trim_start_matches("W/").trim_matches('"').to_owned()));
    text.map(|t| {
        t.trim().parse::<u64>().map_err(|_| {
            ApiError::bad_request(
                "invalid-base-version",
                format!("baseVersion {t:?} must be a whole number: the x-log-version of the log you edited"),
            )
        })
    })
    .transpose()
}

/// `?allowDeletes=true`: the person means to take most of a year's entries away.
fn allow_deletes(req: &ApiRequest) -> Result<bool, ApiError> {
    match req.query_one("allowDeletes").map(str::trim) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => {
            Err(ApiError::bad_request("invalid-query", format!("allowDeletes {other:?} must be true or false")))
        }
    }
}

async fn ingest_direct(
    ctx: &AppContext,
    caller: &Caller,
    req: &ApiRequest,
    file: FileName,
    file_name: String,
) -> Result<ApiResponse, ApiError> {
    check_markdown_body(req)?;
    let allow_deletes = allow_deletes(req)?;
    let mut record = new_upload(&file, &file_name, base_version(req)?, (ctx.clock)(), None);
    record.allow_deletes = allow_deletes;
    // Kept raw, outside uploads/ so storing it does not trigger a second ingest.
    record.key = record.key.replacen("uploads/", "received/", 1);
    ctx.objects.put_object(&caller.owner, &record.key, req.body.clone(), MARKDOWN).await?;
    ctx.store.put_upload(&caller.owner, &record).await?;
    let record = ingest_upload(ctx, caller, record, &req.body).await.map_err(ApiError::from)?;
    Ok(report_response(&record))
}

/// `PUT /v1/logs/{fy}`: a log, ingested now; the answer is the ingest report.
pub(crate) async fn put_log(
    ctx: &AppContext,
    caller: &Caller,
    matched: &Matched,
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let fy = fiscal_year(caller, matched)?;
    let file_name = format!("time-log-{}.md", fy.label());
    let file = classify_file_name(&file_name, &caller.calendar)
        .map_err(|message| ApiError::bad_request("invalid-fiscal-year", message))?;
    ingest_direct(ctx, caller, req, file, file_name).await
}

/// `POST /v1/logs/{fy}/check`: the report an upload of this file would get (status,
/// what it would change, every diagnostic by line), with nothing stored: a person's
/// editor checks as they type, and saves only a file that would be applied.
pub(crate) async fn check_log(
    ctx: &AppContext,
    caller: &Caller,
    matched: &Matched,
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let fy = fiscal_year(caller, matched)?;
    check_markdown_body(req)?;
    let allow_deletes = allow_deletes(req)?;
    let base = base_version(req)?;
    let (plan, log_version) = crate::jobs::ingest::check_log(ctx, caller, &fy, allow_deletes, &req.body).await?;
    let label = fy.label();
    let errors = plan.diagnostics.iter().filter(|d| d.is_error()).count();
    let summary = IngestSummary {
        unchanged: plan.unchanged,
        updated: plan.updates.len(),
        inserted: plan.inserts.len(),
        deleted: plan.deletes.len(),
    };
    let (status, summary, message) = if errors > 0 {
        let what = if errors == 1 { "1 error".to_owned() } else { format!("{errors} errors") };
        (
            LogCheckStatus::Rejected,
            None,
            Some(format!("{what}: an upload of this file would change nothing; fix the lines the diagnostics name")),
        )
    } else if let Some(base) = base.filter(|&b| b != log_version) {
        (
            LogCheckStatus::Conflict,
            Some(summary),
            Some(format!(
                "the log of {label} is at version {log_version}, but this file was edited from version {base}; \
                 an upload would be refused: download the current log (GET /v1/logs/{label}), merge your edits, \
                 and upload with baseVersion {log_version}"
            )),
        )
    } else {
        (LogCheckStatus::Ok, Some(summary), None)
    };
    let answer = LogCheck { fiscal_year: label, status, log_version, summary, diagnostics: plan.diagnostics, message };
    Ok(ApiResponse::json(200, &answer))
}

/// `PUT /v1/projects/{name}`: a project file (frontmatter + summary), ingested now.
pub(crate) async fn put_project_file(
    ctx: &AppContext,
    caller: &Caller,
    matched: &Matched,
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let name = matched.param("name").unwrap_or_default();
    let file_name = format!("projects/{name}.md");
    let file = classify_file_name(&file_name, &caller.calendar)
        .map_err(|message| ApiError::bad_request("invalid-project-name", message))?;
    ingest_direct(ctx, caller, req, file, file_name).await
}

/// `GET /v1/uploads/{id}`.
pub(crate) async fn get_upload(ctx: &AppContext, caller: &Caller, matched: &Matched) -> Result<ApiResponse, ApiError> {
    let id = matched.param("id").unwrap_or_default();
    let record = ctx
        .store
        .upload(&caller.owner, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no upload {id:?}; start one with POST /v1/logs/uploads")))?;
    // A status query is not an error even when the upload failed.
    Ok(ApiResponse::json(200, &record))
}

/// `GET /v1/logs`: each fiscal year with a log.
pub(crate) async fn list_logs(ctx: &AppContext, caller: &Caller) -> Result<ApiResponse, ApiError> {
    let logs = ctx
        .store
        .log_states(&caller.owner)
        .await?
        .into_iter()
        .map(|s| LogSummary {
            last_ingest: s.last_upload_id.map(|upload_id| LastIngest { upload_id, status: s.last_ingest_status }),
            url: format!("/v1/logs/{}", s.fiscal_year),
            fiscal_year: s.fiscal_year,
            version: s.version,
            entry_count: s.entry_count,
            updated_at: s.updated_at,
        })
        .collect();
    Ok(ApiResponse::json(200, &LogList { logs }))
}

fn markdown_response(fy: &FiscalYear, version: u64, text: Vec<u8>) -> ApiResponse {
    ApiResponse { status: 200, headers: vec![("content-type".into(), MARKDOWN.into())], body: text }
        .with_header("x-log-version", &version.to_string())
        .with_header("etag", &format!("\"{version}\""))
        .with_header("content-disposition", &format!("inline; filename=\"time-log-{}.md\"", fy.label()))
}

/// `GET /v1/logs/{fy}[?version=N]`: the canonical Markdown.
pub(crate) async fn get_log(
    ctx: &AppContext,
    caller: &Caller,
    matched: &Matched,
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let fy = fiscal_year(caller, matched)?;
    let label = fy.label();
    if let Some(v) = req.query_one("version") {
        let version = v.trim().parse::<u64>().map_err(|_| {
            ApiError::bad_request(
                "invalid-version",
                format!("version {v:?} must be a whole number; see GET /v1/logs/{label}/versions"),
            )
        })?;
        if let Some(text) = published_log(ctx, &caller.owner, &label, version).await? {
            return Ok(markdown_response(&fy, version, text));
        }
        // The current version before its publisher ran is rendered now; a version that
        // was followed by another before it was published was never stored (versions are
        // kept per publish, docs/ingest.md).
        let current = ctx.store.log_state(&caller.owner, &label).await?.map_or(0, |s| s.version);
        if version > 0
            && version == current
            && let Some((rendered, text)) = render_current(ctx, &caller.owner, &fy).await?
            && rendered == version
        {
            return Ok(markdown_response(&fy, version, text.into_bytes()));
        }
        let why = if version > 0 && version < current { " (it was replaced before it was published)" } else { "" };
        return Err(ApiError::not_found(format!(
            "log {label} has no version {version}{why}; see GET /v1/logs/{label}/versions"
        )));
    }
    let state = ctx.store.log_state(&caller.owner, &label).await?.ok_or_else(|| {
        ApiError::not_found(format!("no log for {label} yet; add entries or upload one with PUT /v1/logs/{label}"))
    })?;
    if state.version > 0
        && let Some(text) = published_log(ctx, &caller.owner, &label, state.version).await?
    {
        return Ok(markdown_response(&fy, state.version, text));
    }
    // Not published yet (a writer stopped after its commit, or lost a race): render now;
    // the next write stores it.
    let (version, text) = render_current(ctx, &caller.owner, &fy)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| ApiError::new(503, "busy", "your entries are changing quickly; retry in a moment"))?;
    Ok(markdown_response(&fy, version, text.into_bytes()))
}

/// `GET /v1/logs/{fy}/versions`: every stored version, newest first.
pub(crate) async fn list_versions(
    ctx: &AppContext,
    caller: &Caller,
    matched: &Matched,
) -> Result<ApiResponse, ApiError> {
    let fy = fiscal_year(caller, matched)?;
    let label = fy.label();
    let state = ctx.store.log_state(&caller.owner, &label).await?;
    let current_version = state.as_ref().map_or(0, |s| s.version);
    let published = log_versions(ctx, &caller.owner, &label).await?;
    let url = |version: u64| format!("/v1/logs/{label}?version={version}");
    let mut versions: Vec<LogVersion> = Vec::with_capacity(published.len() + 1);
    // The current version is listed before its publisher has run: it reads like any other.
    if let Some(state) = state.filter(|s| s.version > 0 && published.first().is_none_or(|p| p.version < s.version)) {
        versions.push(LogVersion {
            version: state.version,
            size: None,
            published: false,
            created_at: state.updated_at,
            url: url(state.version),
        });
    }
    versions.extend(published.into_iter().map(|p| LogVersion {
        version: p.version,
        size: Some(p.object.size),
        published: true,
        created_at: p.object.last_modified,
        url: url(p.version),
    }));
    Ok(ApiResponse::json(200, &LogVersions { fiscal_year: label, current_version, versions }))
}

/// Every entry of the caller, in (date, start) order.
async fn all_entries(ctx: &AppContext, caller: &Caller) -> Result<Vec<Entry>, ApiError> {
    let mut query = EntryQuery { limit: 1000, ..Default::default() };
    let mut entries = Vec::new();
    loop {
        let page = ctx.store.entries(&caller.owner, &query).await.map_err(ApiError::from)?;
        entries.extend(page.entries.into_iter().map(|s| s.entry));
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(cursor),
            None => return Ok(entries),
        }
    }
}

/// A project's file name in an export (a `/` in a name would make a folder).
fn project_file_name(name: &str) -> String {
    format!("projects/{}.md", name.replace('/', "-"))
}

/// `GET /v1/export?format=markdown|csv|json`.
pub(crate) async fn export(ctx: &AppContext, caller: &Caller, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let format = req.query_one("format").unwrap_or("markdown");
    if !["markdown", "csv", "json"].contains(&format) {
        return Err(ApiError::bad_request(
            "invalid-format",
            format!("format {format:?} is not one of markdown (a zip of logs and project files), csv, json"),
        ));
    }
    let entries = all_entries(ctx, caller).await?;
    let mut projects = ctx.store.projects(&caller.owner).await?;
    projects.sort_by_key(|p| tm_core::domain::names::project_key(&p.name));
    let mut years: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for entry in entries.iter() {
        years.entry(caller.calendar.fiscal_year_of(entry.date).label()).or_default().push(entry.clone());
    }
    // Each year as the person's document (a year they uploaded keeps its prose, even
    // with no entries left).
    let states: BTreeMap<String, crate::store::LogState> =
        ctx.store.log_states(&caller.owner).await?.into_iter().map(|s| (s.fiscal_year.clone(), s)).collect();
    for (label, state) in &states {
        if state.document_key.is_some() {
            years.entry(label.clone()).or_default();
        }
    }
    let mut logs: Vec<(String, String)> = Vec::with_capacity(years.len());
    for (label, entries) in &years {
        let base = crate::jobs::canonical::person_document(ctx, &caller.owner, states.get(label)).await?;
        logs.push((
            format!("time-log-{label}.md"),
            tm_core::markdown::document::render_document(&base, label, entries),
        ));
    }
    let mut project_files: Vec<(String, String)> = Vec::with_capacity(projects.len());
    for p in &projects {
        let text = match crate::jobs::canonical::project_file(ctx, &caller.owner, &p.name).await? {
            Some(source) => tm_core::markdown::project_file::render_project_file_over(&source, p),
            None => render_project_file(p),
        };
        project_files.push((project_file_name(&p.name), text));
    }
    match format {
        "json" => {
            let body = Export {
                exported_at: (ctx.clock)(),
                user: caller.principal.user().to_owned(),
                tenant: caller.principal.tenant().to_owned(),
                settings: ExportSettings {
                    time_zone: caller.profile.time_zone.clone(),
                    suppressed_projects: caller.profile.suppressed_projects.clone(),
                },
                fiscal_year_start_month: caller.tenant.fiscal_year_start_month,
                entries: entries.iter().map(Entry::to_json).collect(),
                projects,
                files: logs
                    .iter()
                    .chain(&project_files)
                    .map(|(name, content)| ExportFile { name: name.clone(), content: content.clone() })
                    .collect(),
            };
            Ok(ApiResponse::json(200, &body)
                .with_header("content-disposition", "attachment; filename=\"temporal-mark-export.json\""))
        }
        "csv" => {
            let mut writer = tm_core::reports::spreadsheet::CsvWriter::new();
            writer.row(["date", "startTime", "endTime", "task", "project", "tags", "notes"]);
            for e in &entries {
                let end = e.end.map_or_else(|| "[ACTIVE]".to_owned(), |t| t.to_string());
                writer.row([
                    e.date.to_string(),
                    e.start.to_string(),
                    end,
                    e.task.clone(),
                    e.project.clone(),
                    e.tags.join(", "),
                    e.notes.join("\n"),
                ]);
            }
            let body = writer.finish().into_bytes();
            Ok(ApiResponse {
                status: 200,
                headers: vec![("content-type".into(), "text/csv; charset=utf-8".into())],
                body,
            }
            .with_header("content-disposition", "attachment; filename=\"temporal-mark-entries.csv\""))
        }
        _ => {
            let zip = zip_files(logs.iter().chain(&project_files)).map_err(ApiError::internal)?;
            Ok(ApiResponse { status: 200, headers: vec![("content-type".into(), "application/zip".into())], body: zip }
                .with_header("content-disposition", "attachment; filename=\"temporal-mark-export.zip\""))
        }
    }
}

fn zip_files<'a>(files: impl Iterator<Item = &'a (String, String)>) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in files {
        zip.start_file(name.as_str(), options).map_err(|e| e.to_string())?;
        zip.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    }
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}
