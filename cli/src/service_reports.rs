//! Reports from the service (`tm today`, `tm week`, `tm month`, `tm report … --remote`,
//! `--team`): the same kinds, options and formats as the offline reports, read from the
//! signed-in account, so they include what was tracked anywhere (the web app, the API,
//! other devices) and, with `--team`, colleagues' hours on shared projects.

use crate::track::{relative_day, service_today};
use crate::{ReportArgs, ReportKind, remote};
use std::process::ExitCode;

/// The options the service's period reports take, as query parameters.
fn query(args: &ReportArgs, period: bool) -> String {
    let mut query = vec![format!("format={}", remote::encode(&args.format))];
    if period {
        let options = [("groupBy", &args.group_by), ("sort", &args.sort), ("topTasks", &args.top_tasks)];
        for (name, value) in options {
            if let Some(value) = value {
                query.push(format!("{name}={}", remote::encode(value)));
            }
        }
        if !args.suppress.is_empty() {
            query.push(format!("suppress={}", remote::encode(&args.suppress.join(","))));
        }
    }
    query.join("&")
}

/// The route of a report kind; `team` for everyone's hours on the projects the caller
/// shares (tenant admins: the whole tenant).
fn route(kind: &ReportKind, team: bool, session: &remote::Session) -> Result<(String, bool), String> {
    let scope = if team { "/v1/team/reports" } else { "/v1/reports" };
    let day = |text: &str| -> Result<String, String> { Ok(relative_day(text, service_today(session)?)?.to_string()) };
    let optional = |value: &Option<String>| value.as_deref().map(remote::encode);
    let not_team = |what: &str| {
        Err(format!("a {what} report has no team form: a shared project's summary already holds everyone's hours"))
    };
    Ok(match kind {
        ReportKind::Daily { date } if team => {
            let day = day(date)?;
            (format!("{scope}/range/{day}/{day}"), true)
        }
        ReportKind::Daily { date } => (format!("/v1/daily/{}", day(date)?), false),
        ReportKind::Project { .. } if team => return not_team("project"),
        ReportKind::Project { name, limit } => (format!("/v1/projects/{}?limit={limit}", remote::encode(name)), false),
        ReportKind::Tag { .. } if team => return not_team("tag"),
        ReportKind::Tag { tag } => (format!("/v1/tags/{}", remote::encode(tag)), false),
        ReportKind::FiscalYear { fy } => (format!("{scope}/fiscal-year/{}", remote::encode(fy)), true),
        ReportKind::Range { start, end } => (format!("{scope}/range/{}/{}", day(start)?, day(end)?), true),
        ReportKind::Weekly { date } => match date {
            Some(date) => (format!("{scope}/weekly/{}", day(date)?), true),
            None => (format!("{scope}/weekly"), true),
        },
        ReportKind::Monthly { month } => match optional(month) {
            Some(month) => (format!("{scope}/monthly/{month}"), true),
            None => (format!("{scope}/monthly"), true),
        },
        ReportKind::Since { text } => (format!("{scope}/since?text={}", remote::encode(text)), true),
    })
}

/// Prints a report of the profile's account (or its team) as the service renders it.
pub fn report(profile: &str, kind: &ReportKind, args: &ReportArgs) -> Result<ExitCode, String> {
    let session = remote::session(profile).map_err(|e| e.0)?;
    let (path, period) = route(kind, args.team, &session)?;
    let separator = if path.contains('?') { '&' } else { '?' };
    let text = remote::get_text(&session, &format!("{path}{separator}{}", query(args, period))).map_err(|e| e.0)?;
    print!("{text}");
    if !text.ends_with('\n') {
        println!();
    }
    Ok(ExitCode::SUCCESS)
}
