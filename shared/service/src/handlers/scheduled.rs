//! `GET /v1/reports/scheduled[/{id}]`: the reports the schedule generated for the caller,
//! and for tenant administrators their tenant's team summaries.

use crate::context::{AppContext, Caller};
use crate::http::answers::{ListedReport, ReportLinks, ScheduledReports};
use crate::http::routes::Matched;
use crate::http::{ApiError, ApiRequest, ApiResponse};
use crate::store::Owner;
use crate::store::team::{GeneratedReport, ReportScope, generated_report, generated_reports};

fn scopes(caller: &Caller) -> Vec<(ReportScope, Owner)> {
    let mut scopes = vec![(ReportScope::User(caller.owner.clone()), caller.owner.clone())];
    if caller.principal.is_tenant_admin() {
        let tenant = caller.owner.tenant();
        let scope = Owner::tenant_scope(tenant).expect("the caller's tenant is a valid id");
        scopes.push((ReportScope::Tenant(tenant.to_owned()), scope));
    }
    scopes
}

fn listed(report: GeneratedReport, stale: bool) -> ListedReport {
    let links = ReportLinks::of(&report.id);
    ListedReport { report, links, stale }
}

pub(crate) async fn list(ctx: &AppContext, caller: &Caller) -> Result<ApiResponse, ApiError> {
    let mut reports = Vec::new();
    for (scope, _) in scopes(caller) {
        reports.extend(generated_reports(ctx.store.as_ref(), &scope).await?);
    }
    // Newest period first; a user's report before the team summary of the same period.
    reports.sort_by(|a, b| (b.start, &a.scope, &a.kind).cmp(&(a.start, &b.scope, &b.kind)));
    // A report whose months changed since it was built says so; the next run of its
    // period regenerates it.
    let stale = crate::jobs::scheduled::stale_reports(ctx, caller, &reports).await?;
    let reports = reports.into_iter().zip(stale).map(|(r, stale)| listed(r, stale)).collect();
    Ok(ApiResponse::json(200, &ScheduledReports { reports }))
}

pub(crate) async fn get(
    ctx: &AppContext,
    caller: &Caller,
    matched: &Matched,
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let id = matched.param("id").unwrap_or_default();
    let markdown = match req.query_one("format") {
        None => req.header("accept").is_some_and(|a| a.contains("text/markdown")),
        Some("json") => false,
        Some("markdown") => true,
        Some(other) => {
            return Err(ApiError::bad_request(
                "invalid-format",
                format!("format {other:?} is not available for generated reports; use json or markdown"),
            ));
        }
    };
    for (scope, owner) in scopes(caller) {
        let Some(report) = generated_report(ctx.store.as_ref(), &scope, id).await? else { continue };
        let key = if markdown { &report.markdown_key } else { &report.json_key };
        let body = ctx.objects.get_object(&owner, key, None).await?.ok_or_else(|| {
            ApiError::new(503, "report-file-missing", "the report's file is not readable right now; retry in a moment")
        })?;
        let content_type = if markdown { "text/markdown; charset=utf-8" } else { "application/json" };
        let stale = crate::jobs::scheduled::stale_reports(ctx, caller, std::slice::from_ref(&report)).await?[0];
        return Ok(ApiResponse { status: 200, headers: vec![("content-type".into(), content_type.into())], body }
            .with_header("x-report-id", &report.id)
            .with_header("x-report-stale", if stale { "true" } else { "false" }));
    }
    Err(ApiError::not_found(format!(
        "no generated report {id:?}; list yours with GET /v1/reports/scheduled (ids look like weekly-2026-11-16 or monthly-2026-11)"
    )))
}
