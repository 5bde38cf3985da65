//! `tm`: the Temporal Mark tool. Offline, it checks, renders and reports on a folder of
//! Markdown logs, so the single-user workflow keeps working and a log can be checked
//! (e.g. in a git pre-commit hook) before it is uploaded. As the service's client it
//! signs in (`tm login`, per `--profile`) and says who it is signed in as.

mod import;
mod mcp;
mod remote;
mod service_reports;
mod sync;
mod track;
mod vault;

use chrono::{NaiveDate, Utc};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use std::io::Write as _;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tm_core::domain::calendar::{FiscalCalendar, Month, parse_zone, today_in};
use tm_core::domain::diagnostic::Severity;
use tm_core::domain::tags::{dropped_tag_message, is_valid_tag, normalize_tag};
use tm_core::domain::{EntryJson, UNPRODUCTIVE};
use tm_core::markdown::parse_log;
use tm_core::reports::engine::{Page, ReportEntry, ReportSource};
use tm_core::reports::options::parse_suppress;
use tm_core::reports::{
    Format, GroupBy, Report, ReportOptions, SortBy, TopTasks, daily_report, fiscal_year_report, monthly_report,
    project_summary, range_report, since_report, tag_summary, weekly_report,
};

#[derive(Parser)]
#[command(name = "tm", version, about = "Temporal Mark: check, render and report on Markdown time logs")]
struct Cli {
    /// The signed-in account to use (several accounts or deployments side by side).
    #[arg(long, global = true, env = "TM_PROFILE", default_value = "default")]
    profile: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check log files (a folder means its .md files); exit status 1 when any has an error.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print {"entries": [...], "diagnostics": [...]} instead of text.
        #[arg(long)]
        json: bool,
        /// A projects/ folder: entries naming a project without a file there get a
        /// project-created info.
        #[arg(long)]
        projects: Option<PathBuf>,
        /// IANA time zone for "now" (no entry may end after it).
        #[arg(long, env = "TM_TIMEZONE", default_value = "UTC")]
        tz: String,
        /// The month fiscal years start in (a file named time-log-YYYY-YYYY.md holds
        /// only that year's entries).
        #[arg(long, env = "TM_FY_START_MONTH", default_value_t = 7)]
        fy_start_month: u32,
    },
    /// Print the canonical form of a log.
    Render {
        file: PathBuf,
        /// Fiscal-year label for the title (default: from the file's title or entries).
        #[arg(long)]
        fy: Option<String>,
        #[arg(long, env = "TM_FY_START_MONTH", default_value_t = 7)]
        fy_start_month: u32,
    },
    /// Report on a vault (`time-logs/` and `projects/` under --dir).
    Report {
        #[command(subcommand)]
        kind: ReportKind,
        #[command(flatten)]
        args: ReportArgs,
    },
    /// Today's report: from the service, or from a folder with --dir.
    Today {
        #[command(flatten)]
        args: ReportArgs,
    },
    /// This week's report (Monday to Sunday), or the week of DATE.
    Week {
        /// A day of the week (today, yesterday, -7d, mon…sun, YYYY-MM-DD).
        #[arg(allow_hyphen_values = true)]
        date: Option<String>,
        #[command(flatten)]
        args: ReportArgs,
    },
    /// This month's report, or MONTH's (YYYY-MM).
    Month {
        month: Option<String>,
        #[command(flatten)]
        args: ReportArgs,
    },
    /// Tag utilities.
    Tag {
        #[command(subcommand)]
        command: TagCommand,
    },
    /// Sign in to the service through its hosted login in a browser (or, with --username,
    /// the password on standard input) and keep the profile's tokens in your config
    /// folder, readable by you only.
    Login {
        /// The service's URL (tm-local: http://127.0.0.1:8080).
        #[arg(long, env = "TM_URL", default_value = "http://127.0.0.1:8080")]
        url: String,
        /// Sign in with this username or email and the password on standard input
        /// (tm-local only, for scripts). Without it, `tm` prints the hosted login's
        /// link (and opens a browser when it can) and waits for the sign-in.
        #[arg(long)]
        username: Option<String>,
        /// Where the hosted login is, when not at --url (Cognito:
        /// https://PREFIX.auth.REGION.amazoncognito.com).
        #[arg(long, env = "TM_AUTH_URL")]
        auth_url: Option<String>,
        /// The app client (Cognito: the stack's UserPoolClientId output).
        #[arg(long, env = "TM_CLIENT_ID", default_value = remote::LOCAL_CLIENT_ID)]
        client_id: String,
        /// Only print the link; do not try to open a browser.
        #[arg(long)]
        no_browser: bool,
        /// How long to wait for the sign-in in the browser, in seconds.
        #[arg(long, default_value_t = 300)]
        timeout: u64,
        /// The loopback port the browser comes back to (0: any free one; Cognito needs
        /// the exact callback URL registered, e.g. http://127.0.0.1:53682/callback).
        #[arg(long, default_value_t = 0)]
        callback_port: u16,
        #[arg(long)]
        json: bool,
    },
    /// Forget the profile's tokens.
    Logout {
        #[arg(long)]
        json: bool,
    },
    /// Who the profile is signed in as: user, tenant, admin standing, service.
    Whoami {
        #[arg(long)]
        json: bool,
    },
    /// Start the timer on the service: `tm start "task" -p Project -t tag --at 09:15`.
    Start {
        task: String,
        #[arg(short, long)]
        project: Option<String>,
        /// A tag (repeatable).
        #[arg(short, long = "tag")]
        tags: Vec<String>,
        /// Started at HH:MM today (default: now, in your time zone on the service).
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Stop the running timer (at HH:MM with --at; default now).
    Stop {
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The running timer and how long it has run.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Throw the running timer away (its entry is deleted).
    Cancel {
        #[arg(long)]
        json: bool,
    },
    /// Add a finished entry: `tm add 09:00-10:30 "task" -p Project --date yesterday`.
    Add {
        /// HH:MM-HH:MM
        span: String,
        task: String,
        #[arg(short, long)]
        project: Option<String>,
        #[arg(short, long = "tag")]
        tags: Vec<String>,
        #[arg(short, long)]
        notes: Option<String>,
        /// today (default), yesterday, -2d, mon…sun (the last one), or YYYY-MM-DD.
        #[arg(long, default_value = "today", allow_hyphen_values = true)]
        date: String,
        #[arg(long)]
        json: bool,
    },
    /// Change an entry: `tm edit ID --task "…" --span 09:00-10:15 -p Project`.
    Edit {
        /// The entry's id (`tm ls` shows it).
        id: String,
        /// The new task text.
        #[arg(long)]
        task: Option<String>,
        /// The project ("" removes it).
        #[arg(short, long)]
        project: Option<String>,
        /// The tags, replacing the entry's (repeatable).
        #[arg(short, long = "tag")]
        tags: Vec<String>,
        /// Remove every tag.
        #[arg(long, conflicts_with = "tags")]
        no_tags: bool,
        /// The notes ("" removes them).
        #[arg(short, long)]
        notes: Option<String>,
        /// Move it to this day (today, yesterday, -2d, mon…sun, YYYY-MM-DD).
        #[arg(long, allow_hyphen_values = true)]
        date: Option<String>,
        /// Both times, HH:MM-HH:MM.
        #[arg(long, conflicts_with_all = ["start", "end"])]
        span: Option<String>,
        /// The new start, HH:MM (the end stays).
        #[arg(long)]
        start: Option<String>,
        /// The new end, HH:MM (the start stays).
        #[arg(long)]
        end: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List entries on the service (default: today).
    Ls {
        /// From this day (today, yesterday, -7d, mon, YYYY-MM-DD).
        #[arg(long, default_value = "today", allow_hyphen_values = true)]
        from: String,
        /// To this day (default: the same as --from).
        #[arg(long, allow_hyphen_values = true)]
        to: Option<String>,
        #[arg(short, long)]
        project: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Keep a folder of logs and project files and the service in step: push what
    /// changed here, pull what changed there; a file changed on both sides stays as it
    /// is and the service's version goes beside it, in DIR/conflicts/. Exit status 1
    /// when a file needs you (a conflict, or an upload the service refused).
    Sync {
        /// The vault folder (time-logs/, projects/); its .tm-sync.json remembers versions.
        dir: PathBuf,
        /// Show what would change; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Let an upload delete most of a year's entries (refused otherwise, as a
        /// broken or wrong file would).
        #[arg(long)]
        allow_deletes: bool,
        #[arg(long)]
        json: bool,
    },
    /// Move a single-user Temporal Mark folder (time-logs/*.md, projects/*.md) into the
    /// signed-in account: checks everything first (nothing is uploaded while any file
    /// has an error), uploads, and compares the service's totals with the folder's.
    /// Running it again changes nothing.
    Migrate {
        dir: PathBuf,
        /// Check and summarise only.
        #[arg(long)]
        dry_run: bool,
        /// Let a log replace a year the account already holds even where that deletes
        /// most of its entries.
        #[arg(long)]
        allow_deletes: bool,
        #[arg(long)]
        json: bool,
    },
    /// Delete an entry by id.
    Rm {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Import another tracker's export: `tm import toggl report.csv --dry-run`
    /// (toggl, clockify, harvest or timewarrior); prints what it maps and what it
    /// cannot, then posts each entry (entries already there are not added twice).
    Import(import::ImportArgs),
    /// A Model Context Protocol server on stdin/stdout: tools for an assistant to track
    /// time and read reports as the profile's account.
    Mcp,
}

#[derive(Subcommand)]
enum TagCommand {
    /// Print each text as a normalised tag (exit 1 if any is not a valid tag).
    Normalize {
        #[arg(required = true)]
        texts: Vec<String>,
    },
}

#[derive(Subcommand)]
enum ReportKind {
    /// One day: entries, gaps, totals (today, yesterday, -2d, mon…sun, YYYY-MM-DD).
    Daily {
        #[arg(allow_hyphen_values = true)]
        date: String,
    },
    /// A project's summary (all time).
    Project {
        name: String,
        /// How many recent entries to list.
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Entries with a tag, by project.
    Tag { tag: String },
    /// A fiscal year, e.g. 2025-2026.
    FiscalYear { fy: String },
    /// An inclusive date range.
    Range {
        #[arg(allow_hyphen_values = true)]
        start: String,
        #[arg(allow_hyphen_values = true)]
        end: String,
    },
    /// The Monday-Sunday week of DATE (default: today).
    Weekly {
        #[arg(allow_hyphen_values = true)]
        date: Option<String>,
    },
    /// A month, YYYY-MM or a date inside it (default: this month).
    Monthly { month: Option<String> },
    /// Everything since the last entry whose task contains TEXT.
    Since { text: String },
}

#[derive(Args)]
struct ReportArgs {
    /// The vault folder holding time-logs/ and projects/ (`tm report`: the current
    /// folder by default; `tm today|week|month`: the service unless this is given).
    #[arg(long, global = true)]
    dir: Option<PathBuf>,
    /// Read the report from the service (the signed-in --profile) instead of a folder.
    #[arg(long, global = true, conflicts_with = "dir")]
    remote: bool,
    /// Everyone's hours on the shared projects you have a role on (tenant admins: the
    /// whole tenant), from the service; `--group-by user` splits them by person.
    #[arg(long, global = true, conflicts_with = "dir")]
    team: bool,
    /// project, departmentalGoal, strategicDirection, tag, none (team reports: also user).
    #[arg(long, global = true)]
    group_by: Option<String>,
    /// hours, alpha or date.
    #[arg(long, global = true)]
    sort: Option<String>,
    /// Top tasks per project: a number (0 = none) or all.
    #[arg(long, global = true)]
    top_tasks: Option<String>,
    /// Projects to leave out (comma-separated or repeated); an empty value leaves out
    /// nothing. Default for fiscal-year and since: Unproductive.
    #[arg(long, global = true)]
    suppress: Vec<String>,
    /// json, markdown, csv or text.
    #[arg(long, global = true, default_value = "text")]
    format: String,
    /// IANA time zone for "today".
    #[arg(long, global = true, env = "TM_TIMEZONE", default_value = "UTC")]
    tz: String,
    #[arg(long, global = true, env = "TM_FY_START_MONTH", default_value_t = 7)]
    fy_start_month: u32,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { files, json, projects, tz, fy_start_month } => {
            file_rules(&tz, fy_start_month).and_then(|rules| check(&files, json, projects.as_deref(), &rules))
        }
        Command::Render { file, fy, fy_start_month } => render(&file, fy.as_deref(), fy_start_month),
        Command::Report { kind, args } if args.remote || args.team => {
            service_reports::report(&cli.profile, &kind, &args)
        }
        Command::Report { kind, args } => report(kind, &args),
        Command::Today { args } => report_here_or_there(&cli.profile, ReportKind::Daily { date: "today".into() }, args),
        Command::Week { date, args } => report_here_or_there(&cli.profile, ReportKind::Weekly { date }, args),
        Command::Month { month, args } => report_here_or_there(&cli.profile, ReportKind::Monthly { month }, args),
        Command::Tag { command: TagCommand::Normalize { texts } } => Ok(normalize_tags(&texts)),
        Command::Login { url, username, auth_url, client_id, no_browser, timeout, callback_port, json } => {
            let how = match username {
                Some(name) => SignIn::Password(name),
                None => SignIn::Browser {
                    auth_url,
                    open: !no_browser,
                    timeout: std::time::Duration::from_secs(timeout),
                    port: callback_port,
                },
            };
            login(&cli.profile, &url, how, &client_id, json)
        }
        Command::Logout { json } => logout(&cli.profile, json),
        Command::Whoami { json } => whoami(&cli.profile, json),
        Command::Start { task, project, tags, at, json } => {
            track::timer_start(&cli.profile, &task, project.as_deref(), &tags, at.as_deref(), json)
        }
        Command::Stop { at, json } => track::timer_stop(&cli.profile, at.as_deref(), json),
        Command::Status { json } => track::timer_status(&cli.profile, json),
        Command::Cancel { json } => track::timer_cancel(&cli.profile, json),
        Command::Add { span, task, project, tags, notes, date, json } => {
            let details =
                track::Details { task: &task, project: project.as_deref(), tags: &tags, notes: notes.as_deref() };
            track::add_entry(&cli.profile, &span, &details, &date, json)
        }
        Command::Edit { id, task, project, tags, no_tags, notes, date, span, start, end, json } => {
            let (start, end) = match span.as_deref().map(track::span).transpose() {
                Ok(Some((start, end))) => (Some(start), Some(end)),
                Ok(None) => (start, end),
                Err(e) => return fail(e),
            };
            let changes = track::Changes { task, project, tags, clear_tags: no_tags, notes, date, start, end };
            track::edit_entry(&cli.profile, &id, changes, json)
        }
        Command::Ls { from, to, project, json } => {
            track::list_entries(&cli.profile, &from, to.as_deref(), project.as_deref(), json)
        }
        Command::Sync { dir, dry_run, allow_deletes, json } => {
            sync::sync(&cli.profile, &dir, &sync::SyncOptions { dry_run, allow_deletes, json })
        }
        Command::Migrate { dir, dry_run, allow_deletes, json } => {
            sync::migrate(&cli.profile, &dir, &sync::MigrateOptions { dry_run, allow_deletes, json })
        }
        Command::Rm { id, json } => track::remove_entry(&cli.profile, &id, json),
        Command::Import(args) => import::run(&cli.profile, &args),
        Command::Mcp => mcp::serve(&cli.profile),
    };
    result.unwrap_or_else(fail)
}

fn fail(message: String) -> ExitCode {
    eprintln!("tm: {message}");
    ExitCode::FAILURE
}

fn read_password() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err("give the password on standard input, e.g.: echo \"$PASSWORD\" | tm login --username NAME".into());
    }
    Ok(password)
}

/// `1 entry`, `2 entries`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn print_json(value: &serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(value).expect("JSON serialises"));
}

enum SignIn {
    Password(String),
    Browser { auth_url: Option<String>, open: bool, timeout: std::time::Duration, port: u16 },
}

fn login(profile: &str, url: &str, how: SignIn, client_id: &str, json: bool) -> Result<ExitCode, String> {
    let session = match how {
        SignIn::Password(username) => {
            let password = read_password()?;
            remote::login(url, client_id, &username, &password).map_err(|e| e.0)?
        }
        SignIn::Browser { auth_url, open, timeout, port } => {
            remote::login_in_browser(url, auth_url.as_deref(), client_id, open, timeout, port).map_err(|e| e.0)?
        }
    };
    let me = remote::get_json(&session, "/v1/me").map_err(|e| e.0)?;
    let mut credentials = remote::Credentials::load().map_err(|e| e.0)?;
    credentials.profiles.insert(profile.to_owned(), session.clone());
    credentials.save().map_err(|e| e.0)?;
    if json {
        print_json(&serde_json::json!({"profile": profile, "url": session.url, "me": me}));
    } else {
        println!(
            "signed in to {} as {} (profile {profile}, tenant {})",
            session.url,
            session.username,
            me["tenant"].as_str().unwrap_or("?")
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn logout(profile: &str, json: bool) -> Result<ExitCode, String> {
    let mut credentials = remote::Credentials::load().map_err(|e| e.0)?;
    let removed = credentials.profiles.remove(profile);
    if removed.is_some() {
        credentials.save().map_err(|e| e.0)?;
    }
    if json {
        print_json(&serde_json::json!({"profile": profile, "signedOut": removed.is_some()}));
    } else if let Some(session) = &removed {
        println!("signed out of {} (profile {profile})", session.url);
    } else {
        println!("profile {profile} was not signed in");
    }
    Ok(ExitCode::SUCCESS)
}

fn whoami(profile: &str, json: bool) -> Result<ExitCode, String> {
    let session = remote::session(profile).map_err(|e| e.0)?;
    let me = remote::get_json(&session, "/v1/me").map_err(|e| e.0)?;
    if json {
        print_json(
            &serde_json::json!({"profile": profile, "url": session.url, "username": session.username, "me": me}),
        );
    } else {
        let admin = if me["isTenantAdmin"] == true { ", tenant admin" } else { "" };
        println!(
            "{} (user {}) in tenant {}{admin}\nservice: {}  profile: {profile}",
            session.username,
            me["user"].as_str().unwrap_or("?"),
            me["tenant"].as_str().unwrap_or("?"),
            session.url
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `tm check --json`, written as it is serialised: each entry becomes JSON one at a time.
#[derive(Serialize)]
struct CheckJson<'a> {
    entries: EntriesJson<'a>,
    diagnostics: Vec<DiagnosticJson>,
}

struct EntriesJson<'a>(&'a [tm_core::domain::Entry]);

impl Serialize for EntriesJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(EntryJson::from))
    }
}

#[derive(Serialize)]
struct DiagnosticJson {
    file: String,
    line: usize,
    severity: Severity,
    code: &'static str,
    message: String,
}

/// The service's whole-file rules for a time zone and fiscal-year start.
fn file_rules(tz: &str, fy_start_month: u32) -> Result<vault::FileRules, String> {
    let zone = parse_zone(tz).map_err(|e| e.0)?;
    let calendar = FiscalCalendar::new(fy_start_month).map_err(|e| e.0)?;
    Ok(vault::FileRules { calendar, now: tm_core::domain::calendar::local_now(zone, Utc::now()) })
}

fn check(
    files: &[PathBuf],
    json: bool,
    projects_dir: Option<&Path>,
    rules: &vault::FileRules,
) -> Result<ExitCode, String> {
    let mut catalog = match projects_dir {
        Some(dir) => {
            let (catalog, problems) = vault::load_projects(dir)?;
            if !problems.is_empty() {
                return Err(format!("project files have errors:\n{}", problems.join("\n")));
            }
            Some(catalog)
        }
        None => None,
    };
    let checked = vault::check_logs(files, catalog.as_mut(), rules)?;
    let errors = checked.diagnostics.iter().filter(|d| d.diagnostic.is_error()).count();
    if json {
        let out = CheckJson {
            entries: EntriesJson(&checked.entries),
            diagnostics: checked
                .diagnostics
                .iter()
                .map(|d| DiagnosticJson {
                    file: d.file.display().to_string(),
                    line: d.diagnostic.line,
                    severity: d.diagnostic.severity,
                    code: d.diagnostic.code.as_str(),
                    message: d.diagnostic.message.clone(),
                })
                .collect(),
        };
        let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        let written = serde_json::to_writer_pretty(&mut stdout, &out)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(stdout))
            .and_then(|()| stdout.flush());
        if let Err(e) = written {
            // A reader that stopped early (`| head`) is not an error of the check.
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                return Err(format!("cannot write the report: {e}"));
            }
        }
    } else {
        for d in &checked.diagnostics {
            println!("{d}");
        }
        let warnings = checked.diagnostics.iter().filter(|d| d.diagnostic.severity == Severity::Warning).count();
        println!("{} entries, {errors} errors, {warnings} warnings", checked.entries.len());
    }
    Ok(if errors > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn render(file: &Path, fy: Option<&str>, fy_start_month: u32) -> Result<ExitCode, String> {
    let calendar = FiscalCalendar::new(fy_start_month).map_err(|e| e.0)?;
    let text = vault::read_text(file)?;
    let log = parse_log(&text);
    if log.has_errors() {
        for d in log.diagnostics.iter().filter(|d| d.is_error()) {
            eprintln!("{}:{d}", file.display());
        }
        return Err(format!("{} has errors; fix them before rendering (nothing was printed)", file.display()));
    }
    let from_title = log
        .title
        .as_deref()
        .and_then(|t| t.strip_prefix("Time Log "))
        .and_then(|label| calendar.parse_label(label.trim()).ok());
    let fiscal_year = match fy {
        Some(label) => calendar.parse_label(label).map_err(|e| e.0)?,
        None => from_title
            .or_else(|| log.entries.iter().map(|e| e.date).min().map(|d| calendar.fiscal_year_of(d)))
            .ok_or("cannot tell the fiscal year of an empty log; pass --fy YYYY-YYYY")?,
    };
    // The person's document with its entry lines made canonical; everything else stays.
    print!("{}", tm_core::markdown::document::render_document(&text, &fiscal_year.label(), &log.entries));
    Ok(ExitCode::SUCCESS)
}

fn normalize_tags(texts: &[String]) -> ExitCode {
    let mut ok = true;
    for text in texts {
        let tag = normalize_tag(text);
        if is_valid_tag(&tag) {
            println!("{tag}");
        } else {
            eprintln!("tm: {}", dropped_tag_message(text));
            ok = false;
        }
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// `tm today|week|month`: from a folder when --dir names one, else from the service.
fn report_here_or_there(profile: &str, kind: ReportKind, args: ReportArgs) -> Result<ExitCode, String> {
    if args.dir.is_some() { report(kind, &args) } else { service_reports::report(profile, &kind, &args) }
}

fn report(kind: ReportKind, args: &ReportArgs) -> Result<ExitCode, String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let format: Format = args.format.parse().map_err(|e| err(&e))?;
    let options = ReportOptions {
        group_by: args.group_by.as_deref().map(str::parse::<GroupBy>).transpose().map_err(|e| err(&e))?,
        sort: args.sort.as_deref().map(str::parse::<SortBy>).transpose().map_err(|e| err(&e))?.unwrap_or_default(),
        top_tasks: args
            .top_tasks
            .as_deref()
            .map(str::parse::<TopTasks>)
            .transpose()
            .map_err(|e| err(&e))?
            .unwrap_or_default(),
        suppress: (!args.suppress.is_empty()).then(|| parse_suppress(args.suppress.iter().map(String::as_str))),
    };
    let calendar = FiscalCalendar::new(args.fy_start_month).map_err(|e| e.0)?;
    let zone = parse_zone(&args.tz).map_err(|e| e.0)?;
    let today = || today_in(zone, Utc::now());
    let date = |text: &str| -> Result<NaiveDate, String> { track::relative_day(text, today()) };

    // The days the report covers, so only their fiscal years' files are read.
    let period = match &kind {
        ReportKind::Daily { date: d } => Some((date(d)?, date(d)?)),
        ReportKind::FiscalYear { fy } => calendar.parse_label(fy).ok().map(|fy| (fy.start(), fy.end())),
        ReportKind::Range { start, end } => Some((date(start)?, date(end)?)),
        ReportKind::Weekly { date: d } => {
            let day = d.as_deref().map(date).transpose()?.unwrap_or_else(today);
            Some((day - chrono::Days::new(7), day + chrono::Days::new(7)))
        }
        ReportKind::Monthly { month } => {
            let month = month.as_deref().map(Month::parse).transpose().map_err(|e| e.0)?.unwrap_or(Month::of(today()));
            Some((month.first_day(), month.last_day()))
        }
        ReportKind::Project { .. } | ReportKind::Tag { .. } | ReportKind::Since { .. } => None,
    };
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let vault = vault::load_vault(&dir, &file_rules(&args.tz, args.fy_start_month)?, period)?;
    let rows: Vec<ReportEntry<'_>> = vault.entries.iter().map(|entry| ReportEntry::new("me", entry)).collect();
    let default_suppressed = [UNPRODUCTIVE.to_owned()];
    let src = ReportSource {
        entries: &rows,
        projects: &vault.projects,
        default_suppressed: &default_suppressed,
        team: false,
    };
    let report = match kind {
        ReportKind::Daily { date: d } => Report::Daily(daily_report(date(&d)?, &src)),
        ReportKind::Project { name, limit } => {
            Report::Project(project_summary(&name, &src, Page { offset: 0, limit }).map_err(|e| err(&e))?)
        }
        ReportKind::Tag { tag } => Report::Tag(tag_summary(&tag, &src).map_err(|e| err(&e))?),
        ReportKind::FiscalYear { fy } => {
            let fy = calendar.parse_label(&fy).map_err(|e| e.0)?;
            Report::Period(fiscal_year_report(&fy, &src, &options).map_err(|e| err(&e))?)
        }
        ReportKind::Range { start, end } => {
            Report::Period(range_report(date(&start)?, date(&end)?, &src, &options).map_err(|e| err(&e))?)
        }
        ReportKind::Weekly { date: d } => {
            let day = d.as_deref().map(date).transpose()?.unwrap_or_else(today);
            Report::Period(weekly_report(day, &src, &options).map_err(|e| err(&e))?)
        }
        ReportKind::Monthly { month } => {
            let month = match month {
                Some(text) => Month::parse(&text).map_err(|e| e.0)?,
                None => Month::of(today()),
            };
            Report::Period(monthly_report(month, &src, &options).map_err(|e| err(&e))?)
        }
        ReportKind::Since { text } => Report::Period(since_report(&text, &src, &options).map_err(|e| err(&e))?),
    };
    print!("{}", report.render(format));
    Ok(ExitCode::SUCCESS)
}
