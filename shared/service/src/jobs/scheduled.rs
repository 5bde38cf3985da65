//! Scheduled reports (issue 5): every Monday each user's weekly report of the week just
//! ended, on the 1st the monthly report of the month just ended, and per tenant the team
//! summary of the same periods, stored as Markdown and JSON under the user's or tenant's
//! `reports/` prefix and indexed for `GET /v1/reports/scheduled`.
//!
//! Fan-out: a scheduler reads the user directory page by page and sends one
//! [`ReportTask`] per user and per tenant to a queue ([`TaskSink`]); a worker runs each
//! task on its own ([`run_task`]), so one user's failure never stops the others (its
//! message is retried and then dead-lettered). A task is idempotent: its report id is
//! fixed by scope and period, and a recorded report is never produced again, so a run
//! can be repeated or resumed at will and writes nothing for what is done.
//!
//! "Just ended" is in the user's time zone: a task for a period that has not ended where
//! the user lives yet does nothing ([`Outcome::NotEnded`]); the hourly schedule on the
//! day after sends it again later.

use crate::auth::principal::Principal;
use crate::context::{AppContext, Caller};
use crate::error::AppError;
use crate::store::aggregates::{Bucket, MonthAggregate, buckets_of, month_aggregates, put_month_aggregate};
use crate::store::team::{
    GeneratedReport, PersonStatus, ReportScope, directory_page, generated_report, record_generated_report,
    replace_generated_report,
};
use crate::store::{Owner, Profile, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use tm_core::domain::calendar::{FiscalCalendar, Month, local_now, week_of};
use tm_core::reports::engine::ReportEntry;
use tm_core::reports::{Format, GroupBy, Report, ReportOptions, monthly_report, weekly_report};

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cadence {
    Weekly,
    Monthly,
}

impl Cadence {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
        }
    }
}

impl std::str::FromStr for Cadence {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "weekly" => Ok(Self::Weekly),
            "monthly" => Ok(Self::Monthly),
            _ => Err(format!("cadence {s:?} is not one of weekly, monthly")),
        }
    }
}

/// A reporting period: a Monday-to-Sunday week or a calendar month.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Period {
    pub cadence: Cadence,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    pub fn containing(cadence: Cadence, day: NaiveDate) -> Self {
        let (start, end) = match cadence {
            Cadence::Weekly => week_of(day),
            Cadence::Monthly => (Month::of(day).first_day(), Month::of(day).last_day()),
        };
        Self { cadence, start, end }
    }

    /// The last period that ended before `today`.
    pub fn last_ended(cadence: Cadence, today: NaiveDate) -> Self {
        let current = Self::containing(cadence, today);
        Self::containing(cadence, current.start - Days::new(1))
    }

    /// `2026-11-16` (the week's Monday) or `2026-11`.
    pub fn label(&self) -> String {
        match self.cadence {
            Cadence::Weekly => self.start.to_string(),
            Cadence::Monthly => Month::of(self.start).to_string(),
        }
    }

    /// `weekly-2026-11-16`, `monthly-2026-11`, `team-weekly-…`, `team-monthly-…`.
    pub fn report_id(&self, team: bool) -> String {
        format!("{}{}-{}", if team { "team-" } else { "" }, self.cadence.as_str(), self.label())
    }
}

/// The periods a scheduled run at `now` produces: the week just ended on Mondays and
/// the month just ended on the 1st (UTC days; each user's own zone decides in the task).
pub fn due_periods(now: DateTime<Utc>) -> Vec<Period> {
    let today = now.date_naive();
    let mut due = Vec::new();
    if today.weekday() == Weekday::Mon {
        due.push(Period::last_ended(Cadence::Weekly, today));
    }
    if today.day() == 1 {
        due.push(Period::last_ended(Cadence::Monthly, today));
    }
    due
}

/// One unit of work: one user's report, or one tenant's team summary, for a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportTask {
    pub tenant: String,
    /// `None`: the tenant's team summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    pub cadence: Cadence,
    /// The period's first day.
    pub start: NaiveDate,
}

impl ReportTask {
    pub fn period(&self) -> Period {
        Period::containing(self.cadence, self.start)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Generated(Box<GeneratedReport>),
    /// The report exists; nothing was written.
    AlreadyGenerated,
    /// The period has not ended in the user's time zone; nothing was written.
    NotEnded,
}

/// The tenant summary waits until the period has ended everywhere (UTC−12).
const LATEST_ZONE_HOURS: i64 = 12;

/// Runs one task: produces its report unless it exists or its period has not ended.
pub async fn run_task(ctx: &AppContext, task: &ReportTask) -> Result<Outcome, StoreError> {
    let period = task.period();
    let now = (ctx.clock)();
    let (caller, scope, team) = match &task.user {
        Some(user) => {
            let owner =
                Owner::new(&task.tenant, user).map_err(|e| StoreError::corrupt("report task", e.to_string()))?;
            let principal = Principal::for_job(owner);
            let caller = Caller::for_principal(ctx, principal, crate::context::Access::Read).await?;
            if caller.today() <= period.end {
                return Ok(Outcome::NotEnded);
            }
            let scope = ReportScope::User(caller.owner.clone());
            (caller, scope, false)
        }
        None => {
            if (now - Duration::hours(LATEST_ZONE_HOURS)).date_naive() <= period.end {
                return Ok(Outcome::NotEnded);
            }
            (tenant_caller(ctx, &task.tenant, now).await?, ReportScope::Tenant(task.tenant.clone()), true)
        }
    };
    let id = period.report_id(team);
    // The versions of the months it covers, read before its entries: a change after
    // this makes the report stale, and a later run regenerates it.
    let sources = report_sources(ctx, &caller, &period, team).await?;
    let existing = generated_report(ctx.store.as_ref(), &scope, &id).await?;
    if existing.as_ref().is_some_and(|r| r.sources == sources) {
        return Ok(Outcome::AlreadyGenerated);
    }
    // The month's version before its entries are read: an aggregate built now is used
    // only while no change has happened since (see store::aggregates).
    let month_versions = match (period.cadence, team) {
        (Cadence::Monthly, false) => Some(ctx.store.month_versions(&caller.owner).await?),
        _ => None,
    };
    let (markdown, json, summary, skipped_users, buckets) = render(ctx, &caller, &period, team).await?;
    if let Some(versions) = &month_versions {
        let month_version = versions.get(&period.label()).copied().unwrap_or(0);
        let aggregate = MonthAggregate { month: period.label(), month_version, buckets };
        put_month_aggregate(ctx.store.as_ref(), &caller.owner, &aggregate).await?;
        refresh_earlier_aggregates(ctx, &caller, &period, versions).await?;
    }
    let folder = format!("reports/{}{}", if team { "team-" } else { "" }, period.cadence.as_str());
    let markdown_key = format!("{folder}/{}.md", period.label());
    let json_key = format!("{folder}/{}.json", period.label());
    ctx.objects.put_object(&caller.owner, &markdown_key, markdown.into_bytes(), "text/markdown; charset=utf-8").await?;
    ctx.objects.put_object(&caller.owner, &json_key, json.into_bytes(), "application/json").await?;
    let report = GeneratedReport {
        id,
        kind: format!("{}{}", if team { "team-" } else { "" }, period.cadence.as_str()),
        period: period.label(),
        start: period.start,
        end: period.end,
        scope: if team { "tenant" } else { "user" }.into(),
        total_minutes: summary.0 as i64,
        entry_count: summary.1,
        markdown_key,
        json_key,
        skipped_users,
        sources,
        generated_at: now,
    };
    if existing.is_some() {
        // Stale: this one replaces it (a concurrent regeneration writes the same).
        replace_generated_report(ctx.store.as_ref(), &scope, &report).await?;
    } else if !record_generated_report(ctx.store.as_ref(), &scope, &report).await? {
        // A concurrent run of the same task recorded it first: same content.
        return Ok(Outcome::AlreadyGenerated);
    }
    Ok(Outcome::Generated(Box::new(report)))
}

/// The months (`YYYY-MM`) a period touches.
fn months_of(period: &Period) -> Vec<String> {
    let mut months = vec![Month::of(period.start).to_string()];
    let last = Month::of(period.end).to_string();
    if last != months[0] {
        months.push(last);
    }
    months
}

/// The month versions a report of `period` is built from: the caller's months, or for a
/// team summary every tenant user's (`{user}/YYYY-MM`).
pub async fn report_sources(
    ctx: &AppContext,
    caller: &Caller,
    period: &Period,
    team: bool,
) -> Result<std::collections::BTreeMap<String, u64>, StoreError> {
    let months = months_of(period);
    let mut sources = std::collections::BTreeMap::new();
    let owners: Vec<Owner> = if team {
        let users = crate::store::team::tenant_users(ctx.store.as_ref(), caller.owner.tenant()).await?;
        users.iter().filter_map(|u| caller.owner.colleague(u).ok()).collect()
    } else {
        vec![caller.owner.clone()]
    };
    for owner in owners {
        let versions = ctx.store.month_versions(&owner).await?;
        for month in &months {
            if let Some(v) = versions.get(month) {
                let key = if team { format!("{}/{month}", owner.user()) } else { month.clone() };
                sources.insert(key, *v);
            }
        }
    }
    Ok(sources)
}

/// Which generated reports are stale (their months changed since they were built),
/// reading each user's month versions once.
pub async fn stale_reports(
    ctx: &AppContext,
    caller: &Caller,
    reports: &[GeneratedReport],
) -> Result<Vec<bool>, StoreError> {
    let mut versions: std::collections::HashMap<String, std::collections::BTreeMap<String, u64>> = Default::default();
    let team_users = if reports.iter().any(|r| r.scope == "tenant") {
        crate::store::team::tenant_users(ctx.store.as_ref(), caller.owner.tenant()).await?
    } else {
        Vec::new()
    };
    let mut out = Vec::with_capacity(reports.len());
    for report in reports {
        let cadence = if report.kind.ends_with("weekly") { Cadence::Weekly } else { Cadence::Monthly };
        let months = months_of(&Period::containing(cadence, report.start));
        let team = report.scope == "tenant";
        let users: Vec<&str> =
            if team { team_users.iter().map(String::as_str).collect() } else { vec![caller.owner.user()] };
        let mut current = std::collections::BTreeMap::new();
        for user in users {
            if !versions.contains_key(user) {
                let Ok(owner) = caller.owner.colleague(user) else { continue };
                versions.insert(user.to_owned(), ctx.store.month_versions(&owner).await?);
            }
            for month in &months {
                if let Some(v) = versions[user].get(month) {
                    current.insert(if team { format!("{user}/{month}") } else { month.clone() }, *v);
                }
            }
        }
        out.push(current != report.sources);
    }
    Ok(out)
}

/// Rebuilds the aggregates of the fiscal year's earlier months that are missing or
/// stale (their month changed since), so a month edited after its run is cheap again
/// from the next monthly run on.
async fn refresh_earlier_aggregates(
    ctx: &AppContext,
    caller: &Caller,
    period: &Period,
    versions: &std::collections::BTreeMap<String, u64>,
) -> Result<(), StoreError> {
    let fy = caller.calendar.fiscal_year_of(period.start);
    let first = Month::of(fy.start());
    let existing = month_aggregates(ctx.store.as_ref(), &caller.owner, &first.to_string(), &period.label()).await?;
    let mut month = first;
    while month.first_day() < period.start {
        let label = month.to_string();
        let version = versions.get(&label).copied().unwrap_or(0);
        if !existing.iter().any(|a| a.month == label && a.month_version == version) {
            let owner = caller.owner.clone();
            let entries =
                crate::access::entries_of(ctx, owner, Some(month.first_day()), Some(month.last_day()), None).await?;
            let aggregate = MonthAggregate {
                month: label,
                month_version: version,
                buckets: buckets_of(entries.iter().map(|(_, e)| e)),
            };
            put_month_aggregate(ctx.store.as_ref(), &caller.owner, &aggregate).await?;
        }
        month = Month::of(month.last_day() + Days::new(1));
    }
    Ok(())
}

/// A caller standing for a whole tenant: tenant scope (objects under
/// `tenants/{tenant}/`), tenant-admin reach, default settings.
async fn tenant_caller(ctx: &AppContext, tenant: &str, at: DateTime<Utc>) -> Result<Caller, StoreError> {
    let scope = Owner::tenant_scope(tenant).map_err(|e| StoreError::corrupt("report task", e.to_string()))?;
    let settings = ctx.store.tenant_settings(tenant).await?.unwrap_or_default();
    let calendar = FiscalCalendar::new(settings.fiscal_year_start_month).unwrap_or_default();
    Ok(Caller {
        principal: Principal::for_tenant_job(scope.clone()),
        owner: scope,
        profile: Profile::default(),
        tenant: settings,
        calendar,
        now: local_now(chrono_tz::UTC, at),
        at,
        person: None,
    })
}

/// The report's Markdown and JSON, and its (minutes, entries).
async fn render(
    ctx: &AppContext,
    caller: &Caller,
    period: &Period,
    team: bool,
) -> Result<(String, String, (u64, usize), Vec<String>, Vec<Bucket>), StoreError> {
    // The store's failure keeps its kind (a job retries what can succeed later); the
    // job's own request is never the client's mistake, so any other kind is a bug.
    let fail = |e: AppError| match e {
        AppError::Store(e) => e,
        other => StoreError::misuse(format!("loading the report's data: {other}")),
    };
    let data = if team {
        crate::report_data::Loaded::team(
            ctx,
            caller,
            Some(period.start),
            Some(period.end),
            crate::access::TeamScope::Tenant,
            true,
        )
        .await
        .map_err(fail)?
    } else {
        crate::report_data::Loaded::new(ctx, caller, Some(period.start), Some(period.end), None).await.map_err(fail)?
    };
    let rows: Vec<ReportEntry<'_>> = data.rows();
    let src = data.source(&rows, &caller.profile.suppressed_projects);
    let options = ReportOptions { group_by: team.then_some(GroupBy::User), ..Default::default() };
    let mut report = match period.cadence {
        Cadence::Weekly => weekly_report(period.start, &src, &options),
        Cadence::Monthly => monthly_report(Month::of(period.start), &src, &options),
    }
    .map_err(|e| StoreError::misuse(format!("report: {e}")))?;
    if team {
        report.name_users(&crate::store::team::display_names(ctx.store.as_ref(), caller.owner.tenant()).await?);
    }
    let totals = (report.summary.total_minutes, report.summary.total_entries);
    let report = Report::Period(report);
    let mut markdown = report.render(Format::Markdown);
    let mut json = report.render(Format::Json);
    if !data.skipped.is_empty() {
        // Said in the files too, so nobody reads a partial summary as complete.
        markdown.push_str(&format!(
            "\n> Incomplete: the data of {} user(s) could not be read: {}\n",
            data.skipped.len(),
            data.skipped.join(", ")
        ));
        if let Ok(mut value) = serde_json::from_str::<serde_json::Value>(&json) {
            value["skippedUsers"] = serde_json::json!(data.skipped);
            json = value.to_string();
        }
    }
    Ok((markdown, json, totals, data.skipped.clone(), buckets_of(data.stored())))
}

/// Where fan-out sends tasks (an SQS queue in AWS).
#[async_trait]
pub trait TaskSink: Send {
    /// Sends up to 10 tasks.
    async fn send(&mut self, tasks: Vec<ReportTask>) -> Result<(), StoreError>;
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FanOut {
    pub users: usize,
    pub tenants: usize,
    pub tasks: usize,
}

/// Sends one task per user and per tenant for each period, reading the directory page by
/// page (memory stays bounded by the number of tenants).
pub async fn fan_out(ctx: &AppContext, periods: &[Period], sink: &mut dyn TaskSink) -> Result<FanOut, StoreError> {
    let mut summary = FanOut::default();
    let mut tenants = BTreeSet::new();
    let mut after: Option<String> = None;
    loop {
        let (users, next) = directory_page(ctx.store.as_ref(), after.as_deref(), 500).await?;
        let mut batch = Vec::new();
        for entry in &users {
            tenants.insert(entry.tenant.clone());
            // Nobody reads a removed person's reports, and an invited one has no data yet.
            if matches!(entry.status, PersonStatus::Removed | PersonStatus::Invited) {
                continue;
            }
            summary.users += 1;
            for period in periods {
                batch.push(ReportTask {
                    tenant: entry.tenant.clone(),
                    user: Some(entry.user.clone()),
                    cadence: period.cadence,
                    start: period.start,
                });
            }
        }
        for chunk in batch.chunks(10) {
            sink.send(chunk.to_vec()).await?;
            summary.tasks += chunk.len();
        }
        match next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let tenant_tasks: Vec<ReportTask> = tenants
        .iter()
        .flat_map(|t| {
            periods.iter().map(|p| ReportTask { tenant: t.clone(), user: None, cadence: p.cadence, start: p.start })
        })
        .collect();
    for chunk in tenant_tasks.chunks(10) {
        sink.send(chunk.to_vec()).await?;
        summary.tasks += chunk.len();
    }
    summary.tenants = tenants.len();
    Ok(summary)
}

/// The outcome of running tasks in this process (the local server has no queue).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalRun {
    pub generated: usize,
    pub already_generated: usize,
    pub not_ended: usize,
    pub failed: Vec<String>,
}

/// Runs every task of `periods` here: fan-out into memory, then each task; a failing
/// task is reported and the others go on.
pub async fn run_here(ctx: &AppContext, periods: &[Period]) -> Result<LocalRun, StoreError> {
    struct Collect(Vec<ReportTask>);
    #[async_trait]
    impl TaskSink for Collect {
        async fn send(&mut self, tasks: Vec<ReportTask>) -> Result<(), StoreError> {
            self.0.extend(tasks);
            Ok(())
        }
    }
    let mut tasks = Collect(Vec::new());
    fan_out(ctx, periods, &mut tasks).await?;
    let mut run = LocalRun::default();
    for task in &tasks.0 {
        match run_task(ctx, task).await {
            Ok(Outcome::Generated(_)) => run.generated += 1,
            Ok(Outcome::AlreadyGenerated) => run.already_generated += 1,
            Ok(Outcome::NotEnded) => run.not_ended += 1,
            Err(e) => {
                tracing::error!(tenant = %task.tenant, user = ?task.user, error = %e, "scheduled report failed");
                run.failed.push(format!("{}/{}", task.tenant, task.user.as_deref().unwrap_or("(tenant)")));
            }
        }
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_just_ended_and_when_they_are_due() {
        let w = Period::last_ended(Cadence::Weekly, day("2026-11-30"));
        assert_eq!(
            (w.start, w.end, w.report_id(false)),
            (day("2026-11-23"), day("2026-11-29"), "weekly-2026-11-23".into())
        );
        let m = Period::last_ended(Cadence::Monthly, day("2026-03-01"));
        assert_eq!(
            (m.start, m.end, m.report_id(true)),
            (day("2026-02-01"), day("2026-02-28"), "team-monthly-2026-02".into())
        );
        let monday_first: DateTime<Utc> = "2027-02-01T05:00:00Z".parse().unwrap();
        assert_eq!(due_periods(monday_first).len(), 2);
        let tuesday: DateTime<Utc> = "2026-12-01T05:00:00Z".parse().unwrap();
        assert_eq!(due_periods(tuesday), vec![Period::last_ended(Cadence::Monthly, day("2026-12-01"))]);
        let task = ReportTask { tenant: "t".into(), user: None, cadence: Cadence::Weekly, start: day("2026-11-23") };
        let text = serde_json::to_string(&task).unwrap();
        assert_eq!(text, r#"{"tenant":"t","cadence":"weekly","start":"2026-11-23"}"#);
        assert_eq!(serde_json::from_str::<ReportTask>(&text).unwrap(), task);
    }
}
