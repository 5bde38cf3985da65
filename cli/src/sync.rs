//! A folder of logs and project files kept in step with the service (`tm sync DIR`), and
//! a single-user folder moved into an account (`tm migrate DIR`).
//!
//! The folder is a vault as the single-user tool kept it: `time-logs/time-log-YYYY-YYYY.md`
//! and `projects/NAME.md`. `DIR/.tm-sync.json` remembers, per file, what the folder and
//! the service last agreed on (a log's version and the file's SHA-256), so a run knows
//! which side changed:
//!
//! - changed here only: pushed with `baseVersion`, so an API change made meanwhile is a
//!   conflict, never an overwrite; then the service's document (entry lines canonical)
//!   is written back;
//! - changed on the service only: pulled (the file here was not touched since);
//! - changed on both: the file here stays as it is, and the service's version is
//!   written beside it in `DIR/conflicts/`; once that copy is deleted (merged by hand),
//!   the next run pushes the file here over the version it was merged from.
//!
//! A file is written through a temporary file and a rename, and only when it still has
//! the content it had when the run read it (an editor saving meanwhile wins). One run at
//! a time (`DIR/.tm-sync.lock`), so cron and an editor plugin may both start it.

use crate::remote::{self, Answer, Body, Session};
use crate::{print_json, vault};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Digest as _;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tm_core::domain::calendar::{FiscalCalendar, parse_zone};
use tm_core::domain::diagnostic::Severity;
use tm_core::domain::names::project_key;

const STATE_FILE: &str = ".tm-sync.json";
const LOCK_FILE: &str = ".tm-sync.lock";
const CONFLICTS: &str = "conflicts";
/// A lock older than this is left over from a run that was killed.
const STALE_LOCK: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// What the folder and the service last agreed on.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct State {
    url: String,
    user: String,
    #[serde(default)]
    logs: BTreeMap<String, LogState>,
    #[serde(default)]
    projects: BTreeMap<String, FileState>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LogState {
    version: u64,
    sha256: String,
    /// The service's version written beside the file, waiting to be merged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    conflict: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileState {
    sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    conflict: Option<String>,
}

fn sha256(text: &str) -> String {
    sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

impl State {
    fn load(dir: &Path) -> Result<Option<Self>, String> {
        let path = dir.join(STATE_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
                format!(
                    "{} is damaged ({e}); move it away and run tm sync again (files that differ then come out as conflicts)",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    fn save(&self, dir: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).expect("sync state serialises") + "\n";
        write_atomically(&dir.join(STATE_FILE), &text)
    }
}

/// Writes `text` to `path` through a temporary file and a rename: never half written.
fn write_atomically(path: &Path, text: &str) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let partial = path.with_file_name(format!(".{name}.tm-partial"));
    std::fs::write(&partial, text).map_err(fail)?;
    std::fs::rename(&partial, path).map_err(fail)
}

/// Replaces a file of the folder with the service's text, unless it changed since this
/// run read it (`expected`: its hash then, `None` when it did not exist).
fn replace_file(path: &Path, expected: Option<&str>, text: &str) -> Result<(), String> {
    let now = std::fs::read_to_string(path).ok().map(|t| sha256(&t));
    if now.as_deref() != expected {
        return Err(format!("{} changed while tm sync ran; run it again", path.display()));
    }
    write_atomically(path, text)
}

/// One run of sync at a time per folder.
struct Lock(PathBuf);

impl Lock {
    fn take(dir: &Path) -> Result<Self, String> {
        let path = dir.join(LOCK_FILE);
        for _ in 0..2 {
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    use std::io::Write as _;
                    let _ = writeln!(file, "{}", std::process::id());
                    return Ok(Self(path));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let age = std::fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .unwrap_or_default();
                    if age < STALE_LOCK {
                        return Err(format!(
                            "another tm sync of {} is running (lock {}); try again later",
                            dir.display(),
                            path.display()
                        ));
                    }
                    let _ = std::fs::remove_file(&path);
                }
                Err(e) => return Err(format!("cannot lock {}: {e}", path.display())),
            }
        }
        Err(format!("cannot lock {}", path.display()))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// What a run did to one file, for the person (text) and for scripts (`--json`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Outcome {
    file: String,
    /// pushed, pulled, unchanged, conflict, refused, restored, waiting (an unmerged
    /// conflict), skipped
    action: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    diagnostics: Vec<Value>,
}

impl Outcome {
    fn new(file: &str, action: &'static str, message: impl Into<String>) -> Self {
        Self { file: file.to_owned(), action, message: message.into(), diagnostics: Vec::new() }
    }

    fn is_problem(&self) -> bool {
        matches!(self.action, "conflict" | "refused" | "waiting")
    }
}

/// The project a project file names (its frontmatter's `name`), else its file name.
fn project_name(file_name: &str, text: &str) -> String {
    tm_core::markdown::parse_project_file(text)
        .project
        .map(|p| p.name)
        .unwrap_or_else(|| file_name.strip_suffix(".md").unwrap_or(file_name).to_owned())
}

fn log_path(label: &str) -> String {
    format!("time-logs/time-log-{label}.md")
}

/// The fiscal year a log file's name gives (`time-log-2025-2026.md`).
fn label_of(name: &str, calendar: &FiscalCalendar) -> Option<String> {
    let label = name.strip_prefix("time-log-")?.strip_suffix(".md")?;
    calendar.parse_label(label).ok().map(|fy| fy.label())
}

fn markdown_names(dir: &Path) -> Result<Vec<String>, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", dir.display())),
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|n| n.ends_with(".md") && !n.starts_with('.'))
        .collect();
    names.sort();
    Ok(names)
}

/// The account's settings that decide how files are read.
struct Account {
    user: String,
    calendar: FiscalCalendar,
    zone: chrono_tz::Tz,
}

fn account(session: &Session) -> Result<Account, String> {
    let me = remote::get_json(session, "/v1/me").map_err(|e| e.0)?;
    let month = me["fiscalYearStartMonth"].as_u64().unwrap_or(7) as u32;
    Ok(Account {
        user: me["user"].as_str().unwrap_or_default().to_owned(),
        calendar: FiscalCalendar::new(month).map_err(|e| e.0)?,
        zone: parse_zone(me["timeZone"].as_str().unwrap_or("UTC")).map_err(|e| e.0)?,
    })
}

/// The service's versions of the logs (`GET /v1/logs`).
fn service_logs(session: &Session) -> Result<BTreeMap<String, u64>, String> {
    let list = remote::get_json(session, "/v1/logs").map_err(|e| e.0)?;
    Ok(list["logs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| Some((l["fiscalYear"].as_str()?.to_owned(), l["version"].as_u64()?)))
        .collect())
}

/// The service's document of a year and its version.
fn download_log(session: &Session, label: &str) -> Result<(String, u64), String> {
    let answer =
        remote::send(session, reqwest::Method::GET, &format!("/v1/logs/{label}"), Body::Empty).map_err(|e| e.0)?;
    if let Some(refusal) = answer.refusal() {
        return Err(refusal.0);
    }
    let version = answer.log_version.ok_or_else(|| format!("the log {label} came without its version"))?;
    Ok((answer.text, version))
}

/// The service's project files by file name (`projects/NAME.md`), from the export.
fn service_projects(session: &Session) -> Result<BTreeMap<String, String>, String> {
    let export = remote::get_json(session, "/v1/export?format=json").map_err(|e| e.0)?;
    Ok(export["files"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| {
            let name = f["name"].as_str()?.strip_prefix("projects/")?;
            Some((name.to_owned(), f["content"].as_str()?.to_owned()))
        })
        .collect())
}

/// An upload's report as an outcome: what the service said and every diagnostic with
/// its line in the file.
fn refused(file: &str, answer: &Answer) -> Outcome {
    let report = answer.json();
    let mut message = report["error"]["message"]
        .as_str()
        .or(report["message"].as_str())
        .map(str::to_owned)
        .or_else(|| answer.refusal().map(|r| r.0))
        .unwrap_or_else(|| format!("the service answered {}", answer.status));
    let diagnostics: Vec<Value> =
        report["diagnostics"].as_array().into_iter().flatten().filter(|d| d["severity"] == "error").cloned().collect();
    if diagnostics.iter().any(|d| d["code"] == "would-delete-most") {
        message = "the file would delete most of the year's entries (a broken or wrong file?); nothing was changed. \
                   If that is what you mean, run it again with --allow-deletes"
            .to_owned();
    }
    Outcome { file: file.to_owned(), action: "refused", message, diagnostics }
}

fn upload_path(label: &str, base: Option<u64>, allow_deletes: bool) -> String {
    let mut path = format!("/v1/logs/{label}");
    let mut query = Vec::new();
    if let Some(base) = base {
        query.push(format!("baseVersion={base}"));
    }
    if allow_deletes {
        query.push("allowDeletes=true".to_owned());
    }
    if !query.is_empty() {
        path = format!("{path}?{}", query.join("&"));
    }
    path
}

pub struct SyncOptions {
    pub dry_run: bool,
    pub allow_deletes: bool,
    pub json: bool,
}

/// `tm sync DIR`.
pub fn sync(profile: &str, dir: &Path, options: &SyncOptions) -> Result<ExitCode, String> {
    if dir.exists() && !dir.is_dir() {
        return Err(format!(
            "{} is not a folder; give the vault folder (it holds time-logs/ and projects/)",
            dir.display()
        ));
    }
    let session = remote::session(profile).map_err(|e| e.0)?;
    let account = account(&session)?;
    if !dir.exists() && !options.dry_run {
        // A new folder to sync into: everything comes down.
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let _lock = if options.dry_run { None } else { Some(Lock::take(dir)?) };
    let mut state = match State::load(dir)? {
        Some(state) if state.user != account.user || state.url != session.url => {
            return Err(format!(
                "{} was synced with another account ({} at {}); sync it with that profile, or move {STATE_FILE} away to start over",
                dir.display(),
                state.user,
                state.url
            ));
        }
        Some(state) => state,
        None => State { url: session.url.clone(), user: account.user.clone(), ..State::default() },
    };
    let mut outcomes = Vec::new();
    let mut run = Run { session: &session, dir, options, outcomes: &mut outcomes };
    run.projects(&mut state)?;
    run.logs(&mut state, &account)?;
    if !options.dry_run {
        state.save(dir)?;
    }
    let problems = outcomes.iter().filter(|o| o.is_problem()).count();
    if options.json {
        print_json(
            &serde_json::json!({"dir": dir.display().to_string(), "dryRun": options.dry_run, "files": outcomes}),
        );
    } else {
        for o in &outcomes {
            if o.action == "unchanged" {
                continue;
            }
            let verb = if options.dry_run { format!("would be {}", o.action) } else { o.action.to_owned() };
            println!("{:<10} {}: {}", verb, o.file, o.message);
            for d in &o.diagnostics {
                println!(
                    "  {}:{}: {} {}: {}",
                    o.file,
                    d["line"],
                    d["severity"].as_str().unwrap_or("error"),
                    d["code"].as_str().unwrap_or("?"),
                    d["message"].as_str().unwrap_or("")
                );
            }
        }
        let unchanged = outcomes.iter().filter(|o| o.action == "unchanged").count();
        println!(
            "{} files: {} changed, {unchanged} already in step, {problems} need you{}",
            outcomes.len(),
            outcomes.len() - unchanged - problems,
            if options.dry_run { " (dry run: nothing was changed)" } else { "" }
        );
    }
    Ok(if problems == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

struct Run<'a> {
    session: &'a Session,
    dir: &'a Path,
    options: &'a SyncOptions,
    outcomes: &'a mut Vec<Outcome>,
}

impl Run<'_> {
    fn conflict_copy(&self, name: &str, tag: &str) -> (String, PathBuf) {
        let stem = name.strip_suffix(".md").unwrap_or(name);
        let relative = format!("{CONFLICTS}/{stem}.{tag}.md");
        let path = self.dir.join(&relative);
        (relative, path)
    }

    fn projects(&mut self, state: &mut State) -> Result<(), String> {
        let here_dir = self.dir.join("projects");
        // Files are matched by the project they name, not by file name: the folder may
        // call it `website-redesign.md` where the service says `Website Redesign.md`.
        let mut here: BTreeMap<String, (String, String)> = BTreeMap::new();
        for name in markdown_names(&here_dir)? {
            let text = vault::read_text(&here_dir.join(&name))?;
            here.insert(project_key(&project_name(&name, &text)), (name, text));
        }
        let there: BTreeMap<String, (String, String)> = service_projects(self.session)?
            .into_iter()
            .map(|(name, text)| (project_key(&project_name(&name, &text)), (name, text)))
            .collect();
        let keys: BTreeSet<&String> = here.keys().chain(there.keys()).collect();
        for key in keys {
            let mine = here.get(key);
            let theirs = there.get(key);
            let file_name = mine.or(theirs).map(|(n, _)| n.clone()).unwrap_or_default();
            let name = project_name(&file_name, &mine.or(theirs).map(|(_, t)| t.clone()).unwrap_or_default());
            let file = format!("projects/{file_name}");
            let path = here_dir.join(&file_name);
            let known = state.projects.get(&name).cloned();
            let outcome =
                self.project(&name, &file, &path, mine.map(|(_, t)| t), theirs.map(|(_, t)| t), known, state)?;
            self.outcomes.push(outcome);
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn project(
        &mut self,
        name: &str,
        file: &str,
        path: &Path,
        mine: Option<&String>,
        theirs: Option<&String>,
        known: Option<FileState>,
        state: &mut State,
    ) -> Result<Outcome, String> {
        let agreed = |hash: String| FileState { sha256: hash, conflict: None };
        let mine_hash = mine.map(|t| sha256(t));
        let theirs_hash = theirs.map(|t| sha256(t));
        if let Some(copy) = known.as_ref().and_then(|k| k.conflict.clone())
            && self.dir.join(&copy).exists()
        {
            return Ok(Outcome::new(file, "waiting", format!("merge {copy} into {file}, then delete {copy}")));
        }
        let resolved = known.as_ref().is_some_and(|k| k.conflict.is_some());
        let changed_here = mine_hash.is_some() && (resolved || mine_hash.as_ref() != known.as_ref().map(|k| &k.sha256));
        let changed_there = theirs_hash.is_some()
            && known.as_ref().is_none_or(|k| k.conflict.is_some() || Some(&k.sha256) != theirs_hash.as_ref());
        if mine_hash == theirs_hash {
            if let Some(hash) = mine_hash {
                state.projects.insert(name.to_owned(), agreed(hash));
            }
            return Ok(Outcome::new(file, "unchanged", "in step"));
        }
        match (mine, theirs) {
            (Some(text), _) if changed_here && (!changed_there || resolved || theirs.is_none()) => {
                if self.options.dry_run {
                    return Ok(Outcome::new(file, "pushed", "changed here"));
                }
                let answer = remote::send(
                    self.session,
                    reqwest::Method::PUT,
                    &format!("/v1/projects/{}", remote::encode(name)),
                    Body::Markdown(text),
                )
                .map_err(|e| e.0)?;
                if !answer.status.is_success() {
                    return Ok(refused(file, &answer));
                }
                state.projects.insert(name.to_owned(), agreed(sha256(text)));
                Ok(Outcome::new(file, "pushed", "changed here"))
            }
            (Some(_), Some(service)) if changed_here && changed_there => {
                let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("project.md");
                let (copy, copy_path) = self.conflict_copy(file_name, "service");
                if !self.options.dry_run {
                    write_atomically(&copy_path, service)?;
                    let hash = mine_hash.clone().unwrap_or_default();
                    state.projects.insert(name.to_owned(), FileState { sha256: hash, conflict: Some(copy.clone()) });
                }
                Ok(Outcome::new(
                    file,
                    "conflict",
                    format!(
                        "changed here and on the service: yours is untouched, the service's is in {copy}; merge it into {file}, delete {copy}, run tm sync again"
                    ),
                ))
            }
            (_, Some(service)) => {
                let (action, why) = match (mine, &known) {
                    (Some(_), _) => ("pulled", "changed on the service"),
                    (None, None) => ("pulled", "new on the service"),
                    (None, Some(_)) => ("restored", "deleted here, kept on the service"),
                };
                if !self.options.dry_run {
                    replace_file(path, mine_hash.as_deref(), service)?;
                    state.projects.insert(name.to_owned(), agreed(sha256(service)));
                }
                Ok(Outcome::new(file, action, why))
            }
            _ => Ok(Outcome::new(file, "unchanged", "in step")),
        }
    }

    fn logs(&mut self, state: &mut State, account: &Account) -> Result<(), String> {
        let here_dir = self.dir.join("time-logs");
        let mut here: BTreeMap<String, (String, String)> = BTreeMap::new();
        for name in markdown_names(&here_dir)? {
            match label_of(&name, &account.calendar) {
                Some(label) => {
                    let text = vault::read_text(&here_dir.join(&name))?;
                    here.insert(label, (name, text));
                }
                None => self.outcomes.push(Outcome::new(
                    &format!("time-logs/{name}"),
                    "skipped",
                    "not a fiscal year's log: name it time-log-YYYY-YYYY.md to sync it",
                )),
            }
        }
        let there = service_logs(self.session)?;
        let labels: BTreeSet<&String> = here.keys().chain(there.keys()).collect();
        for label in labels {
            let outcome =
                self.log(label, here.get(label).map(|(_, t)| t.as_str()), there.get(label).copied(), state)?;
            self.outcomes.push(outcome);
        }
        Ok(())
    }

    fn log(
        &mut self,
        label: &str,
        mine: Option<&str>,
        there: Option<u64>,
        state: &mut State,
    ) -> Result<Outcome, String> {
        let file = log_path(label);
        let path = self.dir.join(&file);
        let known = state.logs.get(label).cloned();
        let mine_hash = mine.map(sha256);
        if let Some(copy) = known.as_ref().and_then(|k| k.conflict.clone())
            && self.dir.join(&copy).exists()
        {
            return Ok(Outcome::new(&file, "waiting", format!("merge {copy} into {file}, then delete {copy}")));
        }
        let resolved = known.as_ref().is_some_and(|k| k.conflict.is_some());
        let changed_here = mine.is_some() && (resolved || mine_hash.as_ref() != known.as_ref().map(|k| &k.sha256));
        let changed_there = match (there, &known) {
            (Some(version), Some(k)) => version != k.version,
            (Some(_), None) => true,
            (None, _) => false,
        };
        match (mine, there) {
            (Some(text), _) if changed_here && !(changed_there && known.is_none() && there.is_some()) => {
                // Pushed over the version this file was edited from (0: the service had
                // no log of the year yet); a later change there makes it a conflict.
                let base = known.as_ref().map_or(0, |k| k.version);
                self.push_log(label, &file, &path, text, base, state)
            }
            (Some(text), Some(version)) if changed_there && known.is_none() => {
                // Both have the year and this folder never synced it: the same document
                // is agreement, anything else is for the person to merge.
                let (service, version) = {
                    let (service, downloaded) = download_log(self.session, label)?;
                    (service, downloaded.max(version))
                };
                if service == text {
                    state.logs.insert(label.to_owned(), LogState { version, sha256: sha256(text), conflict: None });
                    return Ok(Outcome::new(&file, "unchanged", "in step"));
                }
                self.log_conflict(label, &file, text, &service, version, state)
            }
            (_, Some(_)) if changed_there || mine.is_none() => {
                let (service, version) = download_log(self.session, label)?;
                let (action, why) = match (mine, &known) {
                    (Some(_), _) => ("pulled", "changed on the service"),
                    (None, None) => ("pulled", "new on the service"),
                    (None, Some(_)) => (
                        "restored",
                        "deleted here, kept on the service (delete entries with tm rm, or upload the year without them)",
                    ),
                };
                if !self.options.dry_run {
                    replace_file(&path, mine_hash.as_deref(), &service)?;
                    state.logs.insert(label.to_owned(), LogState { version, sha256: sha256(&service), conflict: None });
                }
                Ok(Outcome::new(&file, action, format!("{why}; version {version}")))
            }
            _ => Ok(Outcome::new(&file, "unchanged", "in step")),
        }
    }

    fn push_log(
        &mut self,
        label: &str,
        file: &str,
        path: &Path,
        text: &str,
        base: u64,
        state: &mut State,
    ) -> Result<Outcome, String> {
        if self.options.dry_run {
            return Ok(Outcome::new(file, "pushed", format!("changed here (over version {base})")));
        }
        let answer = remote::send(
            self.session,
            reqwest::Method::PUT,
            &upload_path(label, Some(base), self.options.allow_deletes),
            Body::Markdown(text),
        )
        .map_err(|e| e.0)?;
        if answer.status == reqwest::StatusCode::CONFLICT {
            let (service, version) = download_log(self.session, label)?;
            return self.log_conflict(label, file, text, &service, version, state);
        }
        if !answer.status.is_success() {
            return Ok(refused(file, &answer));
        }
        let report = answer.json();
        // The service keeps the document with its entry lines canonical: write that back
        // so the folder and the service agree byte for byte.
        let (service, version) = download_log(self.session, label)?;
        let mut message = format!("version {version}");
        if let Some(summary) = report["summary"].as_object() {
            let count = |k: &str| summary.get(k).and_then(Value::as_u64).unwrap_or(0);
            message = format!(
                "{} added, {} changed, {} deleted; version {version}",
                count("inserted"),
                count("updated"),
                count("deleted")
            );
        }
        if service != text {
            replace_file(path, Some(&sha256(text)), &service)?;
            message.push_str("; entry lines written back as the service keeps them");
        }
        state.logs.insert(label.to_owned(), LogState { version, sha256: sha256(&service), conflict: None });
        Ok(Outcome::new(file, "pushed", message))
    }

    fn log_conflict(
        &mut self,
        label: &str,
        file: &str,
        mine: &str,
        service: &str,
        version: u64,
        state: &mut State,
    ) -> Result<Outcome, String> {
        let name = format!("time-log-{label}.md");
        let (copy, copy_path) = self.conflict_copy(&name, &format!("service-v{version}"));
        if !self.options.dry_run {
            write_atomically(&copy_path, service)?;
            state
                .logs
                .insert(label.to_owned(), LogState { version, sha256: sha256(mine), conflict: Some(copy.clone()) });
        }
        Ok(Outcome::new(
            file,
            "conflict",
            format!(
                "changed here and on the service: yours is untouched, the service's version {version} is in {copy}; \
                 merge it into {file}, delete {copy}, run tm sync again"
            ),
        ))
    }
}

/// Offline and service totals of a fiscal year, for the migration's summary.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct YearSummary {
    fiscal_year: String,
    file: String,
    entries: usize,
    hours: f64,
    service_entries: Option<u64>,
    service_hours: Option<f64>,
    matches: bool,
}

pub struct MigrateOptions {
    pub dry_run: bool,
    pub allow_deletes: bool,
    pub json: bool,
}

/// `tm migrate DIR`: checks the whole folder with the service's rules, then uploads its
/// project files and logs, then compares the service's fiscal-year totals with the
/// folder's. Re-running it uploads the same files again, which changes nothing.
pub fn migrate(profile: &str, dir: &Path, options: &MigrateOptions) -> Result<ExitCode, String> {
    let session = remote::session(profile).map_err(|e| e.0)?;
    let account = account(&session)?;
    let logs_dir = dir.join("time-logs");
    if !logs_dir.is_dir() {
        return Err(format!(
            "{} has no time-logs/ folder: give the single-user Temporal Mark folder (it holds time-logs/ and projects/)",
            dir.display()
        ));
    }
    let mut problems: Vec<String> = Vec::new();
    let mut logs: Vec<(String, PathBuf)> = Vec::new();
    for name in markdown_names(&logs_dir)? {
        match label_of(&name, &account.calendar) {
            Some(label) => logs.push((label, logs_dir.join(&name))),
            None => problems.push(format!(
                "{}:1: error file-name: a log is one fiscal year's file named time-log-YYYY-YYYY.md (fiscal years start in month {} for this account)",
                logs_dir.join(&name).display(),
                account.calendar.start_month()
            )),
        }
    }
    let projects_dir = dir.join("projects");
    let (mut catalog, project_problems) =
        if projects_dir.is_dir() { vault::load_projects(&projects_dir)? } else { (Default::default(), Vec::new()) };
    problems.extend(project_problems);
    let rules = vault::FileRules {
        calendar: account.calendar,
        now: tm_core::domain::calendar::local_now(account.zone, Utc::now()),
    };
    let paths: Vec<PathBuf> = logs.iter().map(|(_, p)| p.clone()).collect();
    let checked = vault::check_logs(&paths, Some(&mut catalog), &rules)?;
    problems.extend(checked.diagnostics.iter().filter(|d| d.diagnostic.is_error()).map(|d| d.to_string()));
    // Warnings do not stop a migration, but a person moving years of logs should see
    // them (a line in another entry form counts no time).
    for warning in checked.diagnostics.iter().filter(|d| d.diagnostic.severity == Severity::Warning) {
        eprintln!("{warning}");
    }
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("{p}");
        }
        return Err(format!(
            "{} in {}; nothing was uploaded. Fix them (tm check {} --projects {} shows them too) and run tm migrate again",
            match problems.len() {
                1 => "1 problem".to_owned(),
                n => format!("{n} problems"),
            },
            dir.display(),
            logs_dir.display(),
            projects_dir.display()
        ));
    }
    let project_files: Vec<String> = markdown_names(&projects_dir)?;
    // What the folder holds per fiscal year, to compare with the service afterwards.
    let mut local: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    for entry in &checked.entries {
        let totals = local.entry(account.calendar.fiscal_year_of(entry.date).label()).or_default();
        totals.0 += 1;
        totals.1 += u64::from(entry.minutes().unwrap_or(0));
    }
    let total_files = project_files.len() + logs.len();
    if options.dry_run {
        let years: Vec<Value> = local
            .iter()
            .map(|(fy, (n, m))| serde_json::json!({"fiscalYear": fy, "entries": n, "hours": *m as f64 / 60.0}))
            .collect();
        if options.json {
            print_json(&serde_json::json!({"dryRun": true, "files": total_files, "years": years}));
        } else {
            println!(
                "checked {} and {} ({}): no errors; tm migrate {} without --dry-run uploads them",
                crate::plural(project_files.len(), "project file", "project files"),
                crate::plural(logs.len(), "log", "logs"),
                crate::plural(checked.entries.len(), "entry", "entries"),
                dir.display()
            );
            for (fy, (n, m)) in &local {
                println!("  {fy}: {}, {}", crate::plural(*n, "entry", "entries"), crate::track::h_mm(*m as i64));
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let bar = if options.json || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(total_files as u64)
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} files  {msg}")
            .expect("a valid progress template"),
    );
    let mut state = State::load(dir)?.filter(|s| s.user == account.user && s.url == session.url).unwrap_or(State {
        url: session.url.clone(),
        user: account.user.clone(),
        ..State::default()
    });
    let mut refusals: Vec<Outcome> = Vec::new();
    for name in &project_files {
        bar.set_message(format!("projects/{name}"));
        let text = vault::read_text(&projects_dir.join(name))?;
        let project = project_name(name, &text);
        let answer = remote::send(
            &session,
            reqwest::Method::PUT,
            &format!("/v1/projects/{}", remote::encode(&project)),
            Body::Markdown(&text),
        )
        .map_err(|e| e.0)?;
        if answer.status.is_success() {
            state.projects.insert(project, FileState { sha256: sha256(&text), conflict: None });
        } else {
            refusals.push(refused(&format!("projects/{name}"), &answer));
        }
        bar.inc(1);
    }
    for (label, path) in &logs {
        let file = format!("time-logs/{}", path.file_name().and_then(|n| n.to_str()).unwrap_or_default());
        bar.set_message(file.clone());
        let text = vault::read_text(path)?;
        let answer = remote::send(
            &session,
            reqwest::Method::PUT,
            &upload_path(label, None, options.allow_deletes),
            Body::Markdown(&text),
        )
        .map_err(|e| e.0)?;
        if answer.status.is_success() {
            let version = answer.json()["logVersion"].as_u64().unwrap_or(0);
            state.logs.insert(label.clone(), LogState { version, sha256: sha256(&text), conflict: None });
        } else {
            refusals.push(refused(&file, &answer));
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    state.save(dir)?;
    let mut years = Vec::new();
    for (label, path) in &logs {
        let (entries, minutes) = local.get(label).copied().unwrap_or_default();
        let report = remote::get_json(&session, &format!("/v1/reports/fiscal-year/{label}?suppress=")).ok();
        let service_entries = report.as_ref().and_then(|r| r["summary"]["totalEntries"].as_u64());
        let service_minutes = report.as_ref().and_then(|r| r["summary"]["totalMinutes"].as_u64());
        years.push(YearSummary {
            fiscal_year: label.clone(),
            file: path.display().to_string(),
            entries,
            hours: minutes as f64 / 60.0,
            service_entries,
            service_hours: service_minutes.map(|m| m as f64 / 60.0),
            matches: service_entries == Some(entries as u64) && service_minutes == Some(minutes),
        });
    }
    let all_match = years.iter().all(|y| y.matches);
    if options.json {
        print_json(&serde_json::json!({
            "files": total_files,
            "projects": project_files.len(),
            "logs": logs.len(),
            "entries": checked.entries.len(),
            "years": years,
            "refused": refusals,
            "matches": all_match,
        }));
    } else {
        for r in &refusals {
            println!("refused    {}: {}", r.file, r.message);
            for d in &r.diagnostics {
                println!("  {}:{}: {}", r.file, d["line"], d["message"].as_str().unwrap_or(""));
            }
        }
        println!(
            "migrated {} and {} ({}) from {}",
            crate::plural(
                project_files.len() - refusals.iter().filter(|r| r.file.starts_with("projects/")).count(),
                "project file",
                "project files"
            ),
            crate::plural(
                logs.len() - refusals.iter().filter(|r| r.file.starts_with("time-logs/")).count(),
                "log",
                "logs"
            ),
            crate::plural(checked.entries.len(), "entry", "entries"),
            dir.display()
        );
        for y in &years {
            let service = match (y.service_entries, y.service_hours) {
                (Some(n), Some(h)) => format!(
                    "service {}, {}",
                    crate::plural(n as usize, "entry", "entries"),
                    crate::track::h_mm((h * 60.0).round() as i64)
                ),
                _ => "service: no report".to_owned(),
            };
            println!(
                "  {}: {}, {}  |  {service}  {}",
                y.fiscal_year,
                crate::plural(y.entries, "entry", "entries"),
                crate::track::h_mm((y.hours * 60.0).round() as i64),
                if y.matches { "✓ matches" } else { "✗ differs" }
            );
        }
        println!("from now on, tm sync {} keeps the folder and the service in step", dir.display());
    }
    Ok(if refusals.is_empty() && all_match { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
