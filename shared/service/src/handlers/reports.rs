//! Daily, project, tag and period reports over the caller's stored entries.

use crate::access::TeamScope;
use crate::context::{AppContext, Caller};
use crate::http::routes::{Handler, Matched};
use crate::http::{ApiError, ApiRequest, ApiResponse};
use crate::report_data::Loaded;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use serde_json::json;
use tm_core::domain::calendar::{Month, parse_date};
use tm_core::domain::tags::normalize_tag;
use tm_core::reports::engine::{Page, ReportError};
use tm_core::reports::options::parse_suppress;
use tm_core::reports::{
    Format, GroupBy, Report, ReportOptions, SortBy, TopTasks, daily_report, fiscal_year_report, monthly_report,
    project_summary, range_report, since_report, tag_summary, weekly_report,
};

/// `format` wins over `Accept`; JSON by default.
fn format_of(req: &ApiRequest) -> Result<Format, ApiError> {
    match req.query_one("format") {
        Some(f) => f
            .parse()
            .map_err(|e: tm_core::reports::options::OptionError| ApiError::bad_request("invalid-format", e.message)),
        None => Ok(req.header("accept").and_then(Format::from_accept).unwrap_or_default()),
    }
}

fn options_of(req: &ApiRequest) -> Result<ReportOptions, ApiError> {
    let invalid = |e: tm_core::reports::options::OptionError| ApiError::bad_request("invalid-option", e.message);
    Ok(ReportOptions {
        group_by: req.query_one("groupBy").map(str::parse::<GroupBy>).transpose().map_err(invalid)?,
        sort: req.query_one("sort").map(str::parse::<SortBy>).transpose().map_err(invalid)?.unwrap_or_default(),
        top_tasks: req
            .query_one("topTasks")
            .map(str::parse::<TopTasks>)
            .transpose()
            .map_err(invalid)?
            .unwrap_or_default(),
        suppress: (!req.query_all("suppress").is_empty()).then(|| parse_suppress(req.query_all("suppress"))),
    })
}

fn report_error(e: ReportError) -> ApiError {
    match e {
        ReportError::UnknownProject { ref suggestions, .. } => {
            let suggestions = suggestions.clone();
            ApiError::new(404, "unknown-project", e.to_string()).with_details(json!({"suggestions": suggestions}))
        }
        other => ApiError::bad_request(other.code(), other.to_string()),
    }
}

fn respond(report: &Report<'_>, format: Format) -> ApiResponse {
    ApiResponse::text(200, format.content_type(), report.render(format))
}

fn date_param(matched: &Matched, name: &str) -> Result<NaiveDate, ApiError> {
    let text = matched.param(name).unwrap_or_default();
    parse_date(text).map_err(|e| ApiError::bad_request("invalid-date", e.0))
}

pub(crate) async fn daily(
    ctx: &AppContext,
    caller: &Caller,
    matched: &Matched,
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let format = format_of(req)?;
    let date = date_param(matched, "date")?;
    let data = Loaded::new(ctx, caller, Some(date), Some(date), None).await?;
    let rows = data.rows();
    let src = data.source(&rows, &caller.profile.suppressed_projects);
    Ok(respond(&Report::Daily(daily_report(date, &src)), format))
}

pub(crate) async fn period(
    ctx: &AppContext,
    caller: &Caller,
    matched: &Matched,
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let format = format_of(req)?;
    let options = options_of(req)?;
    enum Kind {
        FiscalYear(tm_core::domain::FiscalYear),
        Range(NaiveDate, NaiveDate),
        Weekly(NaiveDate),
        Monthly(Month),
        Since(String),
    }
    let team = matches!(
        matched.route.handler,
        Handler::TeamFiscalYearReport
            | Handler::TeamRangeReport
            | Handler::TeamWeeklyReport
            | Handler::TeamMonthlyReport
            | Handler::TeamSinceReport
    );
    let kind = match matched.route.handler {
        Handler::FiscalYearReport | Handler::TeamFiscalYearReport => Kind::FiscalYear(
            caller
                .calendar
                .parse_label(matched.param("fy").unwrap_or_default())
                .map_err(|e| ApiError::bad_request("invalid-fiscal-year", e.0))?,
        ),
        Handler::RangeReport | Handler::TeamRangeReport => {
            Kind::Range(date_param(matched, "start")?, date_param(matched, "end")?)
        }
        Handler::WeeklyReport | Handler::TeamWeeklyReport => Kind::Weekly(match matched.param("date") {
            Some(_) => date_param(matched, "date")?,
            None => caller.today(),
        }),
        Handler::MonthlyReport | Handler::TeamMonthlyReport => Kind::Monthly(match matched.param("month") {
            Some(m) => Month::parse(m).map_err(|e| ApiError::bad_request("invalid-month", e.0))?,
            None => Month::of(caller.today()),
        }),
        _ => Kind::Since(
            req.query_one("text")
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "missing-text",
                        "give the task text to search for: /v1/reports/since?text=deploy",
                    )
                })?
                .to_owned(),
        ),
    };
    let (from, to) = match &kind {
        Kind::FiscalYear(fy) => (Some(fy.start()), Some(fy.end())),
        Kind::Range(s, e) => (Some(*s), Some(*e)),
        Kind::Weekly(d) => {
            let (s, e) = tm_core::domain::calendar::week_of(*d);
            (Some(s), Some(e))
        }
        Kind::Monthly(m) => (Some(m.first_day()), Some(m.last_day())),
        Kind::Since(_) => (None, None),
    };
    let data = match &kind {
        _ if team => {
            let scope = if caller.principal.is_tenant_admin() { TeamScope::Tenant } else { TeamScope::Visible };
            Loaded::team(ctx, caller, from, to, scope, false).await?
        }
        // The CSV lists every entry, so only the other formats use monthly aggregates.
        Kind::FiscalYear(fy) if format != Format::Csv => Loaded::fiscal_year(ctx, caller, fy).await?,
        _ => Loaded::new(ctx, caller, from, to, None).await?,
    };
    let rows = data.rows();
    let src = data.source(&rows, &caller.profile.suppressed_projects);
    let mut report = match kind {
        Kind::FiscalYear(fy) => fiscal_year_report(&fy, &src, &options),
        Kind::Range(s, e) => range_report(s, e, &src, &options),
        Kind::Weekly(d) => weekly_report(d, &src, &options),
        Kind::Monthly(m) => monthly_report(m, &src, &options),
        Kind::Since(text) => since_report(&text, &src, &options),
    }
    .map_err(report_error)?;
    if team {
        report.name_users(&crate::store::team::display_names(ctx.store.as_ref(), caller.owner.tenant()).await?);
    }
    let response = respond(&Report::Period(report), format);
    // How the fiscal year was read: months from aggregates (the rest from entries).
    Ok(match data.aggregated_months {
        Some(n) => response.with_header("x-aggregated-months", &n.to_string()),
        None => response,
    })
}

/// The furthest a project summary's recent entries can be paged.
const MAX_OFFSET: usize = 1_000_000;

fn offset_cursor(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn parse_offset_cursor(cursor: &str) -> Option<usize> {
    if cursor.len() > 40 {
        return None;
    }
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    text.strip_prefix("offset:")?.parse().ok()
}

pub(crate) async fn project(
    ctx: &AppContext,
    caller: &Caller,
    matched: &Matched,
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let format = format_of(req)?;
    let name = matched.param("name").unwrap_or_default();
    let limit = match req.query_one("limit") {
        None => 10,
        Some(v) => v.parse::<usize>().ok().filter(|n| (1..=100).contains(n)).ok_or_else(|| {
            ApiError::bad_request("invalid-limit", format!("limit {v:?} must be a whole number from 1 to 100"))
        })?,
    };
    let offset = match req.query_one("cursor") {
        None => 0,
        Some(c) => parse_offset_cursor(c).filter(|o| *o <= MAX_OFFSET).ok_or_else(|| {
            ApiError::bad_request(
                "invalid-cursor",
                "cursor is not one this API issued; pass nextCursor from the previous page unchanged",
            )
        })?,
    };
    // A shared project shows what everyone logged on it; a private one the caller's own.
    let sharing = crate::access::Sharing::load(ctx, caller.owner.tenant()).await?;
    let target = crate::access::resolve_project(ctx, caller, &sharing, name, req.query_one("owner")).await;
    let (data, name) = match target {
        Ok(target) => match target.share() {
            Some(share) => {
                (Loaded::team(ctx, caller, None, None, TeamScope::Share(share), false).await?, share.name.clone())
            }
            None => {
                let name = target.project().name.clone();
                (Loaded::new(ctx, caller, None, None, Some(&name)).await?, name)
            }
        },
        // No project of that name: the engine answers with suggestions from the
        // caller's catalog (a project referenced by entries only is still found there).
        Err(crate::error::AppError::NotFound(_)) => {
            (Loaded::new(ctx, caller, None, None, Some(name)).await?, name.to_owned())
        }
        Err(e) => return Err(e.into()),
    };
    let rows = data.rows();
    let src = data.source(&rows, &caller.profile.suppressed_projects);
    let summary = project_summary(&name, &src, Page { offset, limit }).map_err(report_error)?;
    if format == Format::Json {
        let next_cursor = summary.next_offset.map(offset_cursor);
        return Ok(ApiResponse::json(200, &crate::http::answers::ProjectSummaryAnswer { summary, next_cursor }));
    }
    Ok(respond(&Report::Project(summary), format))
}

pub(crate) async fn tag(
    ctx: &AppContext,
    caller: &Caller,
    matched: &Matched,
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let format = format_of(req)?;
    let tag = normalize_tag(matched.param("tag").unwrap_or_default());
    let data = Loaded::new(ctx, caller, None, None, None).await?;
    let rows = data.rows();
    let src = data.source(&rows, &caller.profile.suppressed_projects);
    let report = tag_summary(&tag, &src).map_err(report_error)?;
    Ok(respond(&Report::Tag(report), format))
}
