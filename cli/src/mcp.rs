//! `tm mcp`: a Model Context Protocol server over stdio, so an assistant can track time
//! and read reports as the profile's account. Each tool makes one or a few requests to
//! the service with the profile's token (the blocking client, on tokio's blocking pool,
//! one request at a time); a refusal comes back as a tool error with the service's
//! message, never as the end of the server. Only the protocol is written to stdout.

use crate::{remote, track};
use chrono::NaiveDate;
use rmcp::handler::server::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, ServiceExt as _, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use tm_core::domain::calendar::{FiscalCalendar, Month, parse_date};

/// What a tool answers: text for the model, or the reason it could not.
type Answer = Result<String, String>;

const DAY_FORMS: &str = "today, yesterday, -2d, mon…sun or YYYY-MM-DD";

// ---- parameters ---------------------------------------------------------------------

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StartTimer {
    /// What is being worked on, e.g. "Write the guide".
    task: String,
    /// The project's name; a colleague's shared project as OWNER/Name (list_projects
    /// shows it as shared.logAs).
    project: Option<String>,
    /// Tags, e.g. ["writing"] (normalised to lower-case kebab-case).
    #[serde(default)]
    tags: Vec<String>,
    /// Started at HH:MM (24-hour) today in the account's time zone; default: now.
    at: Option<String>,
    /// Notes on the entry.
    notes: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StopTimer {
    /// Stopped at HH:MM (24-hour) in the account's time zone; default: now.
    at: Option<String>,
    /// Notes appended to the entry's notes.
    notes: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddEntry {
    /// The day: today (default), yesterday, -2d, mon…sun (the latest one) or YYYY-MM-DD.
    date: Option<String>,
    /// Start, HH:MM (24-hour).
    start: String,
    /// End, HH:MM (24-hour), after the start (an entry does not cross midnight).
    end: String,
    /// What was done.
    task: String,
    /// The project's name (OWNER/Name for a colleague's shared project).
    project: Option<String>,
    /// Tags, e.g. ["review"].
    #[serde(default)]
    tags: Vec<String>,
    /// Notes on the entry.
    notes: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EditEntry {
    /// The entry's id (from list_entries, search_entries or a write's answer).
    id: String,
    /// A new day: today, yesterday, -2d, mon…sun or YYYY-MM-DD.
    date: Option<String>,
    /// A new start, HH:MM.
    start: Option<String>,
    /// A new end, HH:MM.
    end: Option<String>,
    /// A new task.
    task: Option<String>,
    /// A new project; "" takes the entry off its project.
    project: Option<String>,
    /// The new tags (they replace the old ones); [] removes them all.
    tags: Option<Vec<String>>,
    /// New notes (they replace the old ones); "" removes them.
    notes: Option<String>,
}

/// A tool without parameters (anything given is refused, not ignored).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoParameters {}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryId {
    /// The entry's id (from list_entries, search_entries or a write's answer).
    id: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListEntries {
    /// From this day (today, yesterday, -7d, mon…sun, YYYY-MM-DD); default: today.
    from: Option<String>,
    /// To this day, inclusive; default: the same as from.
    to: Option<String>,
    /// Only this project's entries.
    project: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchEntries {
    /// Text to find in the task, notes, project or tags (case-insensitive).
    text: String,
    /// From this day (today, yesterday, -7d, mon…sun, YYYY-MM-DD); default: the first
    /// day of the current fiscal year.
    from: Option<String>,
    /// To this day, inclusive; default: the last day of the current fiscal year.
    to: Option<String>,
}

/// How a report is written.
#[derive(Debug, Default, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    #[default]
    Markdown,
    Text,
    Json,
}

impl ReportFormat {
    fn as_str(self) -> &'static str {
        match self {
            Self::Markdown => "markdown",
            Self::Text => "text",
            Self::Json => "json",
        }
    }
}

/// How a period report groups its projects.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum GroupBy {
    Project,
    DepartmentalGoal,
    StrategicDirection,
    Tag,
    None,
}

impl GroupBy {
    fn as_str(self) -> &'static str {
        match self {
            Self::Project => "project",
            Self::DepartmentalGoal => "departmentalGoal",
            Self::StrategicDirection => "strategicDirection",
            Self::Tag => "tag",
            Self::None => "none",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DayReport {
    /// The day: today (default), yesterday, -2d, mon…sun or YYYY-MM-DD.
    date: Option<String>,
    /// markdown (default), text or json.
    #[serde(default)]
    format: ReportFormat,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeekReport {
    /// A day in the Monday–Sunday week (today, yesterday, -7d, mon…sun, YYYY-MM-DD);
    /// default: this week.
    date: Option<String>,
    /// markdown (default), text or json.
    #[serde(default)]
    format: ReportFormat,
    /// project (default), departmentalGoal, strategicDirection, tag or none.
    group_by: Option<GroupBy>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MonthReport {
    /// YYYY-MM, or a day inside the month (YYYY-MM-DD, today, yesterday, -30d);
    /// default: this month.
    month: Option<String>,
    /// markdown (default), text or json.
    #[serde(default)]
    format: ReportFormat,
    /// project (default), departmentalGoal, strategicDirection, tag or none.
    group_by: Option<GroupBy>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FiscalYearReport {
    /// The fiscal year as YYYY-YYYY, e.g. 2025-2026; default: the current one.
    fy: Option<String>,
    /// markdown (default), text or json.
    #[serde(default)]
    format: ReportFormat,
    /// project (default), departmentalGoal, strategicDirection, tag or none.
    group_by: Option<GroupBy>,
}

// ---- the server ---------------------------------------------------------------------

/// The tools, as the profile's account.
#[derive(Clone)]
pub struct Tracker {
    profile: Arc<str>,
    /// One request at a time: a session's refresh rewrites the credentials file.
    one_at_a_time: Arc<Mutex<()>>,
    tool_router: ToolRouter<Self>,
}

impl Tracker {
    pub fn new(profile: &str) -> Self {
        Self { profile: profile.into(), one_at_a_time: Arc::default(), tool_router: Self::tool_router() }
    }

    /// Runs `work` with the profile's session (refreshed when needed) on the blocking
    /// pool: the HTTP client blocks.
    async fn with_session<T, F>(&self, work: F) -> Result<T, String>
    where
        T: Send + 'static,
        F: FnOnce(&remote::Session) -> Result<T, String> + Send + 'static,
    {
        let (profile, lock) = (self.profile.clone(), self.one_at_a_time.clone());
        tokio::task::spawn_blocking(move || {
            let _turn = lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let session = remote::session(&profile).map_err(|e| e.0)?;
            work(&session)
        })
        .await
        .map_err(|e| format!("the request to the service failed: {e}"))?
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

fn send(session: &remote::Session, method: reqwest::Method, path: &str, body: Option<&Value>) -> Result<Value, String> {
    remote::call(session, method, path, body).map_err(|e| e.0)
}

/// `HH:MM` for the service, or a message naming the parameter.
fn hh_mm(name: &str, text: &str) -> Result<String, String> {
    track::clock(text).map_err(|_| format!("{name} {text:?}: give a time as HH:MM (24-hour), e.g. 09:15"))
}

/// A day as a person says it; `today` is the service's, asked for only when needed.
fn day(session: &remote::Session, text: &str) -> Result<NaiveDate, String> {
    match parse_date(text.trim()) {
        Ok(date) => Ok(date),
        Err(_) => track::relative_day(text, track::service_today(session)?),
    }
}

/// The service's today for the account and the fiscal year it is in.
fn today_and_fiscal_year(session: &remote::Session) -> Result<(NaiveDate, tm_core::domain::FiscalYear), String> {
    let me = remote::get_json(session, "/v1/me").map_err(|e| e.0)?;
    let today =
        me["today"].as_str().and_then(|d| parse_date(d).ok()).ok_or("the service did not say what day it is")?;
    let start_month = me["fiscalYearStartMonth"].as_u64().and_then(|m| u32::try_from(m).ok()).unwrap_or(7);
    let calendar = FiscalCalendar::new(start_month).map_err(|e| e.0)?;
    Ok((today, calendar.fiscal_year_of(today)))
}

/// Entries with their count and total time.
fn entry_list(entries: Vec<Value>, mut extra: Value) -> String {
    let minutes: i64 = entries.iter().map(|e| e["minutes"].as_i64().unwrap_or(0)).sum();
    extra["count"] = entries.len().into();
    extra["totalMinutes"] = minutes.into();
    extra["total"] = track::h_mm(minutes).into();
    extra["entries"] = entries.into();
    pretty(&extra)
}

/// Whether the entry's task, notes, project or a tag contains `needle` (lower-case).
fn mentions(entry: &Value, needle: &str) -> bool {
    let has = |v: &Value| v.as_str().is_some_and(|t| t.to_lowercase().contains(needle));
    has(&entry["task"])
        || has(&entry["notes"])
        || has(&entry["project"])
        || entry["tags"].as_array().is_some_and(|tags| tags.iter().any(has))
}

/// A report's query: its format and grouping.
fn report_query(format: ReportFormat, group_by: Option<GroupBy>) -> String {
    let mut query = format!("?format={}", format.as_str());
    if let Some(group_by) = group_by {
        query.push_str(&format!("&groupBy={}", group_by.as_str()));
    }
    query
}

fn report(session: &remote::Session, path: &str) -> Answer {
    remote::get_text(session, path).map_err(|e| e.0)
}

/// A required text that is not blank.
fn given<'a>(name: &str, text: &'a str) -> Result<&'a str, String> {
    let text = text.trim();
    if text.is_empty() { Err(format!("give the {name}; it is empty")) } else { Ok(text) }
}

#[tool_router]
impl Tracker {
    #[tool(
        description = "Start the timer on a task (now, or at a time today). Refused while a timer is running: stop_timer or cancel_timer it first. Answers the running entry as JSON.",
        annotations(title = "Start the timer", read_only_hint = false, destructive_hint = false)
    )]
    async fn start_timer(&self, Parameters(p): Parameters<StartTimer>) -> Answer {
        let mut body = json!({"task": p.task});
        if let Some(project) = p.project {
            body["project"] = project.into();
        }
        if !p.tags.is_empty() {
            body["tags"] = p.tags.into();
        }
        if let Some(at) = &p.at {
            body["startTime"] = hh_mm("at", at)?.into();
        }
        if let Some(notes) = p.notes {
            body["notes"] = notes.into();
        }
        self.with_session(move |s| Ok(pretty(&send(s, reqwest::Method::POST, "/v1/timer/start", Some(&body))?))).await
    }

    #[tool(
        description = "Stop the running timer (now, or at a time). Answers the finished entry as JSON, with its minutes.",
        annotations(title = "Stop the timer", read_only_hint = false, destructive_hint = false)
    )]
    async fn stop_timer(&self, Parameters(p): Parameters<StopTimer>) -> Answer {
        let mut body = json!({});
        if let Some(at) = &p.at {
            body["endTime"] = hh_mm("at", at)?.into();
        }
        if let Some(notes) = p.notes {
            body["notes"] = notes.into();
        }
        self.with_session(move |s| Ok(pretty(&send(s, reqwest::Method::POST, "/v1/timer/finish", Some(&body))?))).await
    }

    #[tool(
        description = "The running timer, if any: {\"running\": entry or null, \"elapsedMinutes\"}.",
        annotations(title = "Timer status", read_only_hint = true)
    )]
    async fn timer_status(&self, _: Parameters<NoParameters>) -> Answer {
        self.with_session(|s| Ok(pretty(&remote::get_json(s, "/v1/timer").map_err(|e| e.0)?))).await
    }

    #[tool(
        description = "Throw the running timer away: its entry is deleted, no time is logged. Answers the cancelled entry.",
        annotations(title = "Cancel the timer", read_only_hint = false, destructive_hint = true)
    )]
    async fn cancel_timer(&self, _: Parameters<NoParameters>) -> Answer {
        self.with_session(|s| {
            let timer = remote::get_json(s, "/v1/timer").map_err(|e| e.0)?;
            let Some(id) = timer["running"]["id"].as_str() else {
                return Err("no timer running: nothing to cancel".into());
            };
            send(s, reqwest::Method::DELETE, &format!("/v1/entries/{}", remote::encode(id)), None)?;
            Ok(pretty(&json!({"cancelled": timer["running"]})))
        })
        .await
    }

    #[tool(
        description = "Log a finished piece of work: a day, a start and end time (HH:MM), a task, and optionally a project, tags and notes. Refused when it overlaps another entry (the message names it). Answers the entry as JSON with its id and any warnings.",
        annotations(title = "Add an entry", read_only_hint = false, destructive_hint = false)
    )]
    async fn add_entry(&self, Parameters(p): Parameters<AddEntry>) -> Answer {
        let (start, end) = (hh_mm("start", &p.start)?, hh_mm("end", &p.end)?);
        let mut body = json!({"startTime": start, "endTime": end, "task": p.task});
        if let Some(project) = p.project {
            body["project"] = project.into();
        }
        if !p.tags.is_empty() {
            body["tags"] = p.tags.into();
        }
        if let Some(notes) = p.notes {
            body["notes"] = notes.into();
        }
        self.with_session(move |s| {
            if let Some(date) = &p.date {
                body["date"] = day(s, date)?.to_string().into();
            }
            Ok(pretty(&send(s, reqwest::Method::POST, "/v1/entries", Some(&body))?))
        })
        .await
    }

    #[tool(
        description = "Change an entry by id: any of its day, start, end, task, project, tags or notes (only the ones given change). Answers the changed entry as JSON.",
        annotations(title = "Edit an entry", read_only_hint = false, destructive_hint = true)
    )]
    async fn edit_entry(&self, Parameters(p): Parameters<EditEntry>) -> Answer {
        let id = given("entry's id", &p.id)?.to_owned();
        let mut body = json!({});
        if let Some(start) = &p.start {
            body["startTime"] = hh_mm("start", start)?.into();
        }
        if let Some(end) = &p.end {
            body["endTime"] = hh_mm("end", end)?.into();
        }
        if let Some(task) = p.task {
            body["task"] = task.into();
        }
        let blank_is_null = |text: String| if text.trim().is_empty() { Value::Null } else { text.into() };
        if let Some(project) = p.project {
            body["project"] = blank_is_null(project);
        }
        if let Some(tags) = p.tags {
            body["tags"] = if tags.is_empty() { Value::Null } else { tags.into() };
        }
        if let Some(notes) = p.notes {
            body["notes"] = blank_is_null(notes);
        }
        if p.date.is_none() && body.as_object().is_some_and(serde_json::Map::is_empty) {
            return Err("give at least one field to change: date, start, end, task, project, tags or notes".into());
        }
        self.with_session(move |s| {
            if let Some(date) = &p.date {
                body["date"] = day(s, date)?.to_string().into();
            }
            let path = format!("/v1/entries/{}", remote::encode(&id));
            Ok(pretty(&send(s, reqwest::Method::PATCH, &path, Some(&body))?))
        })
        .await
    }

    #[tool(
        description = "Delete an entry by id (it cannot be undone).",
        annotations(title = "Delete an entry", read_only_hint = false, destructive_hint = true)
    )]
    async fn delete_entry(&self, Parameters(p): Parameters<EntryId>) -> Answer {
        let id = given("entry's id", &p.id)?.to_owned();
        self.with_session(move |s| {
            send(s, reqwest::Method::DELETE, &format!("/v1/entries/{}", remote::encode(&id)), None)?;
            Ok(pretty(&json!({"deleted": id})))
        })
        .await
    }

    #[tool(
        description = "The entries of a day or a range of days (default: today), optionally of one project, as JSON: {from, to, count, totalMinutes, total (h:mm), entries: [{id, date, startTime, endTime, minutes, task, project, tags, notes}]}.",
        annotations(title = "List entries", read_only_hint = true)
    )]
    async fn list_entries(&self, Parameters(p): Parameters<ListEntries>) -> Answer {
        self.with_session(move |s| {
            let from = day(s, p.from.as_deref().unwrap_or("today"))?;
            let to = match &p.to {
                Some(to) => day(s, to)?,
                None => from,
            };
            let entries = crate::track::entries_between(s, from, to, p.project.as_deref())?;
            Ok(entry_list(entries, json!({"from": from.to_string(), "to": to.to_string()})))
        })
        .await
    }

    #[tool(
        description = "Find entries whose task, notes, project or tags contain a text (case-insensitive), over a range of days (default: the current fiscal year). Answers JSON like list_entries, with the text searched for.",
        annotations(title = "Search entries", read_only_hint = true)
    )]
    async fn search_entries(&self, Parameters(p): Parameters<SearchEntries>) -> Answer {
        let needle = given("text to search for", &p.text)?.to_lowercase();
        self.with_session(move |s| {
            let (from, to) = match (&p.from, &p.to) {
                (Some(from), Some(to)) => (day(s, from)?, day(s, to)?),
                _ => {
                    let (_, fiscal_year) = today_and_fiscal_year(s)?;
                    let from = p.from.as_deref().map(|d| day(s, d)).transpose()?.unwrap_or(fiscal_year.start());
                    let to = p.to.as_deref().map(|d| day(s, d)).transpose()?.unwrap_or(fiscal_year.end());
                    (from, to)
                }
            };
            let found: Vec<Value> = crate::track::entries_between(s, from, to, None)?
                .into_iter()
                .filter(|e| mentions(e, &needle))
                .collect();
            Ok(entry_list(found, json!({"text": p.text, "from": from.to_string(), "to": to.to_string()})))
        })
        .await
    }

    #[tool(
        description = "The daily report of today (or another day): its entries, the gaps between them and the totals. Markdown by default.",
        annotations(title = "Today's report", read_only_hint = true)
    )]
    async fn today_report(&self, Parameters(p): Parameters<DayReport>) -> Answer {
        self.with_session(move |s| {
            let date = day(s, p.date.as_deref().unwrap_or("today"))?;
            report(s, &format!("/v1/daily/{date}{}", report_query(p.format, None)))
        })
        .await
    }

    #[tool(
        description = "The report of a Monday–Sunday week (default: this week): time by project with the top tasks. Markdown by default.",
        annotations(title = "Week report", read_only_hint = true)
    )]
    async fn week_report(&self, Parameters(p): Parameters<WeekReport>) -> Answer {
        self.with_session(move |s| {
            let query = report_query(p.format, p.group_by);
            match &p.date {
                Some(date) => report(s, &format!("/v1/reports/weekly/{}{query}", day(s, date)?)),
                None => report(s, &format!("/v1/reports/weekly{query}")),
            }
        })
        .await
    }

    #[tool(
        description = "The report of a month (default: this month): time by project with the top tasks. Markdown by default.",
        annotations(title = "Month report", read_only_hint = true)
    )]
    async fn month_report(&self, Parameters(p): Parameters<MonthReport>) -> Answer {
        self.with_session(move |s| {
            let query = report_query(p.format, p.group_by);
            let Some(text) = p.month.as_deref().map(str::trim) else {
                return report(s, &format!("/v1/reports/monthly{query}"));
            };
            let month = match Month::parse(text) {
                Ok(month) => month,
                Err(_) => Month::of(track::relative_day(text, track::service_today(s)?).map_err(|_| {
                    format!("month {text:?}: give YYYY-MM (e.g. 2025-07) or a day in it ({DAY_FORMS})")
                })?),
            };
            report(s, &format!("/v1/reports/monthly/{month}{query}"))
        })
        .await
    }

    #[tool(
        description = "The report of a fiscal year (default: the current one, as the account's fiscal-year start month says): time by project with the top tasks; Unproductive left out. Markdown by default.",
        annotations(title = "Fiscal-year report", read_only_hint = true)
    )]
    async fn fiscal_year_report(&self, Parameters(p): Parameters<FiscalYearReport>) -> Answer {
        self.with_session(move |s| {
            let label = match p.fy.as_deref().map(str::trim) {
                Some(fy) => fy.to_owned(),
                None => today_and_fiscal_year(s)?.1.label(),
            };
            let query = report_query(p.format, p.group_by);
            report(s, &format!("/v1/reports/fiscal-year/{}{query}", remote::encode(&label)))
        })
        .await
    }

    #[tool(
        description = "The projects time can be logged on, as JSON: your own, and colleagues' shared with you (their shared.logAs is what to give as an entry's project).",
        annotations(title = "List projects", read_only_hint = true)
    )]
    async fn list_projects(&self, _: Parameters<NoParameters>) -> Answer {
        self.with_session(|s| Ok(pretty(&remote::get_json(s, "/v1/projects").map_err(|e| e.0)?))).await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Tracker {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new("temporal-mark", env!("CARGO_PKG_VERSION")).with_title("Temporal Mark"),
            )
            .with_instructions(format!(
                "Temporal Mark time tracking, as the account signed in with `tm login` (profile {:?}). \
                 Times are HH:MM (24-hour) in the account's time zone; days are {DAY_FORMS}, relative \
                 to the account's today. For work going on now use start_timer and stop_timer; for \
                 work already done, add_entry. list_entries and search_entries give entries as JSON \
                 with the ids edit_entry and delete_entry take; the reports are Markdown unless \
                 format says otherwise. A refusal is the service's message (an overlap names the \
                 entry in the way): change the input rather than repeat the same call.",
                &*self.profile
            ))
    }
}

/// `tm mcp`: serves the tools on stdin/stdout until the client closes stdin.
pub fn serve(profile: &str) -> Result<ExitCode, String> {
    match remote::Credentials::load().map(|c| c.profiles.get(profile).map(|s| (s.username.clone(), s.url.clone()))) {
        Ok(Some((username, url))) => eprintln!("tm mcp: serving profile {profile} ({username} at {url}) on stdio"),
        Ok(None) => eprintln!(
            "tm mcp: profile {profile} is not signed in; every tool will say so until you sign in with tm login"
        ),
        Err(e) => eprintln!("tm mcp: {e}"),
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the MCP server: {e}"))?;
    let served = runtime.block_on(async {
        let running = Tracker::new(profile)
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| format!("the MCP session did not start: {e}"))?;
        running.waiting().await.map_err(|e| format!("the MCP server stopped: {e}"))
    });
    // A read of stdin still pending cannot be cancelled: do not wait for it.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    served.map(|_| ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searching_looks_at_task_notes_project_and_tags_in_any_case() {
        let entry = json!({"task": "Wrote the Guide", "notes": "about MCP", "project": "Docs", "tags": ["writing"]});
        for needle in ["guide", "mcp", "docs", "writ", "wrote the"] {
            assert!(mentions(&entry, needle), "{needle}");
        }
        assert!(!mentions(&entry, "review"));
        assert!(!mentions(&json!({"task": "x", "notes": null, "project": null, "tags": []}), "null"));
    }

    #[test]
    fn report_queries_name_the_format_and_the_grouping() {
        assert_eq!(report_query(ReportFormat::default(), None), "?format=markdown");
        assert_eq!(
            report_query(ReportFormat::Json, Some(GroupBy::DepartmentalGoal)),
            "?format=json&groupBy=departmentalGoal"
        );
        assert!(hh_mm("start", "9:5").unwrap_err().contains("start \"9:5\": give a time as HH:MM"));
        assert_eq!(hh_mm("end", "9:05").unwrap(), "09:05");
        assert!(given("text", "  ").is_err());
    }

    #[test]
    fn every_tool_has_a_description_and_an_object_schema() {
        let tools = Tracker::new("default").tool_router.list_all();
        let mut names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "add_entry",
                "cancel_timer",
                "delete_entry",
                "edit_entry",
                "fiscal_year_report",
                "list_entries",
                "list_projects",
                "month_report",
                "search_entries",
                "start_timer",
                "stop_timer",
                "timer_status",
                "today_report",
                "week_report"
            ]
        );
        for tool in &tools {
            assert!(tool.description.as_deref().is_some_and(|d| d.len() > 20), "{}", tool.name);
            assert_eq!(tool.input_schema.get("type").and_then(Value::as_str), Some("object"), "{}", tool.name);
        }
        let add = tools.iter().find(|t| t.name == "add_entry").unwrap();
        let required: Vec<&str> =
            add.input_schema["required"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        assert_eq!(required, ["start", "end", "task"]);
    }
}
