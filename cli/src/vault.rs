//! A folder of Markdown as the single-user tool kept it: `time-logs/*.md` and
//! `projects/*.md` (an Obsidian vault works as is).

use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use tm_core::domain::ClockTime;
use tm_core::domain::calendar::{FiscalCalendar, FiscalYear};
use tm_core::domain::diagnostic::{Diagnostic, has_errors};
use tm_core::domain::{Entry, ProjectCatalog};
use tm_core::markdown::document::normalized_diagnostics;
use tm_core::markdown::log::{
    ParsedLog, check_entries, check_log_file, create_referenced_projects, parse_document_lines,
};
use tm_core::markdown::parse_project_file;

/// A diagnostic with the file it was found in.
pub struct FileDiagnostic {
    pub file: PathBuf,
    pub diagnostic: Diagnostic,
}

impl std::fmt::Display for FileDiagnostic {
    /// `path:line: severity code: message`, as compilers print, so editors can jump.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = &self.diagnostic;
        write!(f, "{}:{}: {} {}: {}", self.file.display(), d.line, d.severity.as_str(), d.code, d.message)
    }
}

/// Several log files checked together: line checks per file, and overlaps and the
/// single running timer across all of them.
pub struct CheckedLogs {
    pub entries: Vec<Entry>,
    pub diagnostics: Vec<FileDiagnostic>,
}

pub fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// What the service's checks of a whole file need: the fiscal-year rule and now.
pub struct FileRules {
    pub calendar: FiscalCalendar,
    /// Now in the person's time zone.
    pub now: (NaiveDate, ClockTime),
}

/// The fiscal year a file's name names (`time-log-2025-2026.md`), as the service reads
/// it; `None` for other names.
fn fiscal_year_of_file(path: &Path, calendar: &FiscalCalendar) -> Option<Result<FiscalYear, String>> {
    let name = path.file_name()?.to_str()?;
    let label = name.strip_prefix("time-log-")?.strip_suffix(".md")?;
    Some(calendar.parse_label(label).map_err(|e| format!("{}: {e}", path.display())))
}

/// Checks log files with the service's rules (each file's lines, its fiscal year when
/// its name gives one, no end in the future; overlaps and the single running timer
/// across all of them); with `projects`, entries naming a project that has no file
/// there get a `project-created` info.
pub fn check_logs(
    paths: &[PathBuf],
    projects: Option<&mut ProjectCatalog>,
    rules: &FileRules,
) -> Result<CheckedLogs, String> {
    // A folder stands for the Markdown files in it (e.g. `tm check time-logs/`).
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            files.extend(markdown_files(path)?);
        } else {
            files.push(path.clone());
        }
    }
    let mut parsed: Vec<(PathBuf, ParsedLog)> = Vec::new();
    for file in &files {
        let text = read_text(file)?;
        let document = parse_document_lines(&text);
        // The upload report's infos for lines the service stores canonically.
        let normalized = normalized_diagnostics(&document);
        let mut log = document.log;
        let fiscal_year = fiscal_year_of_file(file, &rules.calendar).transpose()?;
        let whole_file = check_log_file(&log, fiscal_year.as_ref(), rules.now);
        log.diagnostics.extend(whole_file);
        log.diagnostics.extend(normalized);
        parsed.push((file.clone(), log));
    }
    let mut owners = Vec::new();
    let mut refs: Vec<&Entry> = Vec::new();
    let mut lines = Vec::new();
    for (index, (_, log)) in parsed.iter().enumerate() {
        for (entry, &line) in log.entries.iter().zip(&log.entry_lines) {
            owners.push(index);
            refs.push(entry);
            lines.push(line);
        }
    }
    let mut diagnostics: Vec<(usize, Diagnostic)> = Vec::new();
    for (i, d) in check_entries(&refs, &lines) {
        diagnostics.push((owners[i], d));
    }
    if let Some(catalog) = projects {
        for (i, d) in create_referenced_projects(&refs, &lines, catalog) {
            diagnostics.push((owners[i], d));
        }
    }
    drop(refs);
    // The entries move out of the parsed files (in the same order), never copied.
    let mut entries: Vec<Entry> = Vec::with_capacity(lines.len());
    for (index, (_, log)) in parsed.iter_mut().enumerate() {
        entries.append(&mut log.entries);
        diagnostics.extend(log.diagnostics.drain(..).map(|d| (index, d)));
    }
    diagnostics.sort_by_key(|(file, d)| (*file, d.line));
    Ok(CheckedLogs {
        entries,
        diagnostics: diagnostics
            .into_iter()
            .map(|(i, d)| FileDiagnostic { file: parsed[i].0.clone(), diagnostic: d })
            .collect(),
    })
}

/// The entries and projects of a vault. Refuses a vault with errors, since a report
/// over overlapping or unreadable entries would mislead.
pub struct Vault {
    pub entries: Vec<Entry>,
    pub projects: ProjectCatalog,
}

fn markdown_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// Project files of a `projects/` folder; errors are returned as printable lines.
pub fn load_projects(projects_dir: &Path) -> Result<(ProjectCatalog, Vec<String>), String> {
    let mut projects = ProjectCatalog::default();
    let mut problems = Vec::new();
    for file in markdown_files(projects_dir)? {
        let parsed = parse_project_file(&read_text(&file)?);
        if has_errors(&parsed.diagnostics) {
            problems.extend(
                parsed
                    .diagnostics
                    .into_iter()
                    .filter(Diagnostic::is_error)
                    .map(|d| FileDiagnostic { file: file.clone(), diagnostic: d }.to_string()),
            );
        } else if let Some(project) = parsed.project {
            projects.insert(project);
        }
    }
    Ok((projects, problems))
}

/// The vault's logs and projects. With a `period`, only the logs of the fiscal years
/// that period touches are read — and those of the days just before and after it, whose
/// entries can cross midnight into it — plus any log whose name names no fiscal year.
pub fn load_vault(dir: &Path, rules: &FileRules, period: Option<(NaiveDate, NaiveDate)>) -> Result<Vault, String> {
    let logs_dir = dir.join("time-logs");
    if !logs_dir.is_dir() {
        return Err(format!("{} has no time-logs/ folder; pass the vault folder with --dir", dir.display()));
    }
    let mut files = markdown_files(&logs_dir)?;
    if let Some((from, to)) = period {
        let from = from.pred_opt().unwrap_or(from);
        let to = to.succ_opt().unwrap_or(to);
        files.retain(|file| match fiscal_year_of_file(file, &rules.calendar) {
            Some(Ok(fy)) => fy.start() <= to && from <= fy.end(),
            _ => true,
        });
    }
    let checked = check_logs(&files, None, rules)?;
    let mut problems: Vec<String> =
        checked.diagnostics.iter().filter(|d| d.diagnostic.is_error()).map(ToString::to_string).collect();
    let projects_dir = dir.join("projects");
    let projects = if projects_dir.is_dir() {
        let (projects, project_problems) = load_projects(&projects_dir)?;
        problems.extend(project_problems);
        projects
    } else {
        ProjectCatalog::default()
    };
    if !problems.is_empty() {
        return Err(format!("the vault has errors; fix them first (`tm check` lists them):\n{}", problems.join("\n")));
    }
    Ok(Vault { entries: checked.entries, projects })
}
