//! One report engine over entries and projects given as input (no I/O). Every period
//! report (fiscal year, range, weekly, monthly, since, team) shares one structure.

use super::options::{GroupBy, OptionError, ReportOptions, SortBy};
use crate::domain::calendar::{FiscalYear, Month, week_of};
use crate::domain::duration::{Gap, day_gaps, hours_2dp};
use crate::domain::entry::{Entry, EntryJson};
use crate::domain::names::{project_key, suggest_projects};
use crate::domain::project::{Project, ProjectCatalog, ProjectStatus};
use crate::domain::tags::{is_valid_tag, normalize_tag};
use crate::domain::time::ClockTime;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

/// Group of entries whose project has no goal/direction, or untagged entries.
pub const UNCATEGORIZED: &str = "Uncategorized";
/// The single group of `groupBy=none`.
pub const ALL: &str = "All";

/// One entry with the user it belongs to (team reports mix users).
#[derive(Clone, Copy, Debug)]
pub struct ReportEntry<'a> {
    pub user: &'a str,
    pub entry: &'a Entry,
    /// Set when the row stands for several finished entries of one month with the same
    /// project, task and tags (a monthly aggregate): `entry` carries those, `merged`
    /// their count, minutes and dates. Period reports count it as those entries.
    pub merged: Option<&'a Merged>,
    /// The stored entry's id, when the entry is one (the service's reports): listed
    /// entries carry it, so a client can edit what a report shows.
    pub id: Option<&'a str>,
}

impl<'a> ReportEntry<'a> {
    pub fn new(user: &'a str, entry: &'a Entry) -> Self {
        Self { user, entry, merged: None, id: None }
    }

    pub fn with_id(mut self, id: &'a str) -> Self {
        self.id = Some(id);
        self
    }
}

/// Several entries counted as one row (see [`ReportEntry::merged`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Merged {
    pub count: usize,
    pub minutes: u64,
    pub dates: Vec<NaiveDate>,
}

/// What a report is computed from.
#[derive(Clone, Copy)]
pub struct ReportSource<'a> {
    pub entries: &'a [ReportEntry<'a>],
    /// Known projects; referenced but unknown ones are treated as created implicitly.
    pub projects: &'a ProjectCatalog,
    /// The user's default suppressed projects (by default Unproductive, docs/rules.md §8), applied to
    /// fiscal-year and since reports when no `suppress` is given.
    pub default_suppressed: &'a [String],
    /// Team reports allow `groupBy=user` and show each entry's user.
    pub team: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportError {
    InvalidOption(OptionError),
    InvalidRange(String),
    InvalidTag(String),
    UnknownProject { name: String, suggestions: Vec<String> },
}

impl ReportError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidOption(_) => "invalid-option",
            Self::InvalidRange(_) => "invalid-range",
            Self::InvalidTag(_) => "invalid-tag",
            Self::UnknownProject { .. } => "unknown-project",
        }
    }
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidOption(e) => f.write_str(&e.message),
            Self::InvalidRange(m) | Self::InvalidTag(m) => f.write_str(m),
            Self::UnknownProject { name, suggestions } if suggestions.is_empty() => {
                write!(f, "no project named {name:?}; check the name")
            }
            Self::UnknownProject { name, suggestions } => {
                write!(
                    f,
                    "no project named {name:?}; did you mean {}?",
                    suggestions.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ")
                )
            }
        }
    }
}

impl std::error::Error for ReportError {}

impl From<OptionError> for ReportError {
    fn from(e: OptionError) -> Self {
        Self::InvalidOption(e)
    }
}

#[derive(Copy, Clone, PartialEq, Eq, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum PeriodKind {
    FiscalYear,
    Range,
    Weekly,
    Monthly,
    Since,
}

impl PeriodKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FiscalYear => "fiscal-year",
            Self::Range => "range",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
            Self::Since => "since",
        }
    }

    /// Fiscal-year reports group by departmental goal, as the single-user tool did;
    /// the others by project.
    pub fn default_group_by(self) -> GroupBy {
        match self {
            Self::FiscalYear => GroupBy::DepartmentalGoal,
            _ => GroupBy::Project,
        }
    }

    fn suppresses_by_default(self) -> bool {
        matches!(self, Self::FiscalYear | Self::Since)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub total_minutes: u64,
    pub total_hours: f64,
    pub total_entries: usize,
    pub project_count: usize,
    pub days_with_entries: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TopTask {
    pub task: String,
    pub minutes: u64,
    pub hours: f64,
    pub count: usize,
    pub dates: Vec<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProjectBlock {
    pub name: String,
    pub total_minutes: u64,
    pub total_hours: f64,
    /// Percent of the report total (after suppression), 1 decimal.
    pub share: f64,
    pub entry_count: usize,
    pub description: String,
    pub status: ProjectStatus,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub start_date: Option<NaiveDate>,
    pub departmental_goals: Vec<String>,
    pub strategic_directions: Vec<String>,
    pub top_tasks: Vec<TopTask>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub key: String,
    /// The person's display name when the report is grouped by user (team reports).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub total_minutes: u64,
    pub total_hours: f64,
    /// Percent of the report total (after suppression), 1 decimal.
    pub share: f64,
    pub projects: Vec<ProjectBlock>,
}

/// An entry that a period report counted, for the CSV output.
#[derive(Clone, Debug)]
pub struct PeriodRow<'a> {
    pub user: &'a str,
    pub entry: &'a Entry,
    /// Index into [`PeriodReport::row_projects`].
    pub project: usize,
}

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PeriodReport<'a> {
    pub kind: PeriodKind,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub team: bool,
    /// e.g. `2025-2026` or `2025-07`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The dates covered; `null` for a since report whose text matches no finished
    /// entry (there is no period to speak of).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub period: Option<Period>,
    pub group_by: GroupBy,
    pub sort: SortBy,
    /// Projects left out, as given or by default.
    pub suppressed: Vec<String>,
    /// True when an entry counts in several groups, so group totals add up to more than
    /// the report total.
    pub groups_overlap: bool,
    pub summary: Summary,
    pub groups: Vec<Group>,
    /// Since reports: the text searched for and the entry found (null when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_occurrence: Option<Option<EntryJson>>,
    /// The counted entries and their projects, for the CSV output.
    #[serde(skip)]
    pub rows: Vec<PeriodRow<'a>>,
    #[serde(skip)]
    pub row_projects: Vec<Project>,
    /// Display names of the report's users (team reports), for the CSV's `userName`.
    #[serde(skip)]
    pub user_names: BTreeMap<String, String>,
}

impl PeriodReport<'_> {
    /// Puts names next to user ids: on `groupBy=user` groups and in the CSV rows.
    /// People without a name in `names` keep their id alone.
    pub fn name_users(&mut self, names: &BTreeMap<String, String>) {
        if self.group_by == GroupBy::User {
            for group in &mut self.groups {
                group.name = names.get(&group.key).cloned();
            }
        }
        self.user_names =
            self.rows.iter().filter_map(|r| Some((r.user.to_owned(), names.get(r.user)?.clone()))).collect();
    }

    /// How a group is headed: `Name (id)` for a named person, else the key.
    pub fn group_heading(group: &Group) -> String {
        match &group.name {
            Some(name) => format!("{name} ({})", group.key),
            None => group.key.clone(),
        }
    }
}

/// Percent with 1 decimal, rounding halves up, from exact minutes.
pub fn share_percent(part: u64, total: u64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    let tenths = (part * 2000 + total) / (2 * total);
    tenths as f64 / 10.0
}

fn hours(minutes: u64) -> f64 {
    hours_2dp(u32::try_from(minutes).unwrap_or(u32::MAX))
}

/// Catalog with every referenced project present (implicit ones as auto-created).
fn complete_catalog<'a, I: IntoIterator<Item = &'a Entry>>(projects: &ProjectCatalog, entries: I) -> ProjectCatalog {
    let mut catalog = projects.clone();
    catalog.add_missing_from(entries);
    catalog
}

/// The groups an entry counts in. Shared by the engine and the CSV output.
pub fn group_keys<'k>(group_by: GroupBy, user: &'k str, entry: &'k Entry, project: &'k Project) -> Vec<&'k str> {
    let or_uncategorized = |values: &'k [String]| {
        if values.is_empty() { vec![UNCATEGORIZED] } else { values.iter().map(String::as_str).collect() }
    };
    match group_by {
        GroupBy::Project => vec![project.name.as_str()],
        GroupBy::DepartmentalGoal => or_uncategorized(&project.departmental_goals),
        GroupBy::StrategicDirection => or_uncategorized(&project.strategic_directions),
        GroupBy::Tag => or_uncategorized(&entry.tags),
        GroupBy::User => vec![user],
        GroupBy::None => vec![ALL],
    }
}

#[derive(Default)]
struct TaskAcc {
    minutes: u64,
    count: usize,
    dates: BTreeSet<NaiveDate>,
}

#[derive(Default)]
struct ProjectAcc<'a> {
    minutes: u64,
    count: usize,
    tasks: HashMap<&'a str, TaskAcc>,
}

struct PeriodSpec {
    kind: PeriodKind,
    label: Option<String>,
    period: Option<Period>,
}

fn build_period<'a>(
    spec: PeriodSpec,
    selected: Vec<&'a ReportEntry<'a>>,
    src: &ReportSource<'a>,
    opts: &ReportOptions,
) -> Result<PeriodReport<'a>, ReportError> {
    let group_by = opts.group_by.unwrap_or(spec.kind.default_group_by());
    if group_by == GroupBy::User && !src.team {
        return Err(OptionError {
            option: "groupBy",
            message: "groupBy=user is only available in team reports; use project, departmentalGoal, strategicDirection, tag or none".into(),
        }
        .into());
    }
    let suppressed: Vec<String> = match &opts.suppress {
        Some(list) => list.clone(),
        None if spec.kind.suppresses_by_default() => src.default_suppressed.to_vec(),
        None => Vec::new(),
    };
    let suppressed_keys: HashSet<String> = suppressed.iter().map(|s| project_key(s)).collect();
    let finished: Vec<&ReportEntry<'a>> = selected.into_iter().filter(|r| r.entry.end.is_some()).collect();
    let catalog = complete_catalog(src.projects, finished.iter().map(|r| r.entry));

    // Each distinct project spelling is resolved once: to a slot (one per project) and
    // whether it is suppressed. Entries repeat a handful of spellings thousands of times.
    let mut slot_projects: Vec<&Project> = Vec::new();
    let mut slot_by_key: HashMap<String, usize> = HashMap::new();
    let mut by_spelling: HashMap<&'a str, Option<usize>> = HashMap::new();
    let mut total: u64 = 0;
    let mut days = HashSet::new();
    let mut used_slots = HashSet::new();
    let mut groups_overlap = false;
    let mut group_index: HashMap<&str, usize> = HashMap::new();
    let mut group_accs: Vec<(&str, HashMap<usize, ProjectAcc<'a>>)> = Vec::new();
    let mut rows = Vec::with_capacity(finished.len());
    let mut entry_total = 0usize;
    for row in finished {
        let resolved = *by_spelling.entry(row.entry.project.as_str()).or_insert_with(|| {
            let key = project_key(&row.entry.project);
            if suppressed_keys.contains(&key) {
                return None;
            }
            let next = slot_projects.len();
            let slot = *slot_by_key.entry(key).or_insert(next);
            if slot == next {
                slot_projects.push(catalog.get(&row.entry.project).expect("catalog completed above"));
            }
            Some(slot)
        });
        let Some(slot) = resolved else { continue };
        let (minutes, count) = match row.merged {
            Some(m) => (m.minutes, m.count),
            None => (u64::from(row.entry.minutes().unwrap_or(0)), 1),
        };
        total += minutes;
        entry_total += count;
        match row.merged {
            Some(m) => days.extend(m.dates.iter().copied()),
            None => {
                days.insert(row.entry.date);
            }
        }
        used_slots.insert(slot);
        let keys = group_keys(group_by, row.user, row.entry, slot_projects[slot]);
        groups_overlap |= keys.len() > 1;
        for key in keys {
            let index = *group_index.entry(key).or_insert_with(|| {
                group_accs.push((key, HashMap::new()));
                group_accs.len() - 1
            });
            let acc = group_accs[index].1.entry(slot).or_default();
            acc.minutes += minutes;
            acc.count += count;
            let task = acc.tasks.entry(row.entry.task.as_str()).or_default();
            task.minutes += minutes;
            task.count += count;
            match row.merged {
                Some(m) => task.dates.extend(m.dates.iter().copied()),
                None => {
                    task.dates.insert(row.entry.date);
                }
            }
        }
        // Merged rows have no single entry to list (the CSV output never uses them).
        if row.merged.is_none() {
            rows.push(PeriodRow { user: row.user, entry: row.entry, project: slot });
        }
    }
    group_accs.sort_by(|a, b| a.0.to_lowercase().cmp(&b.0.to_lowercase()).then(a.0.cmp(b.0)));

    let mut groups: Vec<Group> = group_accs
        .into_iter()
        .map(|(key, projects)| {
            let mut blocks: Vec<ProjectBlock> = projects
                .into_iter()
                .map(|(slot, acc)| {
                    let project = slot_projects[slot];
                    let mut tasks: Vec<(&str, TaskAcc)> = acc.tasks.into_iter().collect();
                    tasks.sort_by(|a, b| {
                        b.1.minutes.cmp(&a.1.minutes).then(b.1.count.cmp(&a.1.count)).then(a.0.cmp(b.0))
                    });
                    ProjectBlock {
                        name: project.name.clone(),
                        total_minutes: acc.minutes,
                        total_hours: hours(acc.minutes),
                        share: share_percent(acc.minutes, total),
                        entry_count: acc.count,
                        description: project.summary.clone(),
                        status: project.status,
                        start_date: project.start_date,
                        departmental_goals: project.departmental_goals.clone(),
                        strategic_directions: project.strategic_directions.clone(),
                        top_tasks: tasks
                            .into_iter()
                            .take(opts.top_tasks.limit())
                            .map(|(task, t)| TopTask {
                                task: task.to_owned(),
                                minutes: t.minutes,
                                hours: hours(t.minutes),
                                count: t.count,
                                dates: t.dates.into_iter().collect(),
                            })
                            .collect(),
                    }
                })
                .collect();
            sort_projects(&mut blocks, opts.sort);
            let minutes = blocks.iter().map(|b| b.total_minutes).sum();
            Group {
                key: key.to_owned(),
                name: None,
                total_minutes: minutes,
                total_hours: hours(minutes),
                share: share_percent(minutes, total),
                projects: blocks,
            }
        })
        .collect();
    if group_by == GroupBy::Project {
        // A project group is its project, so `sort` orders the groups too (a since
        // report lists projects by hours). Other group keys stay in key order.
        let mut firsts: Vec<ProjectBlock> = groups.iter().map(|g| g.projects[0].clone()).collect();
        sort_projects(&mut firsts, opts.sort);
        groups.sort_by_key(|g| firsts.iter().position(|p| p.name == g.projects[0].name));
    }

    Ok(PeriodReport {
        kind: spec.kind,
        team: src.team,
        label: spec.label,
        period: spec.period,
        group_by,
        sort: opts.sort,
        suppressed,
        groups_overlap,
        summary: Summary {
            total_minutes: total,
            total_hours: hours(total),
            total_entries: entry_total,
            project_count: used_slots.len(),
            days_with_entries: days.len(),
        },
        groups,
        text: None,
        last_occurrence: None,
        row_projects: slot_projects.into_iter().cloned().collect(),
        user_names: BTreeMap::new(),
        rows,
    })
}

fn sort_projects(blocks: &mut [ProjectBlock], sort: SortBy) {
    let by_name = |a: &ProjectBlock, b: &ProjectBlock| {
        a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.name.cmp(&b.name))
    };
    match sort {
        SortBy::Hours => blocks.sort_by(|a, b| b.total_minutes.cmp(&a.total_minutes).then_with(|| by_name(a, b))),
        SortBy::Alpha => blocks.sort_by(by_name),
        SortBy::Date => blocks.sort_by(|a, b| {
            // Projects without a start date go last.
            (a.start_date.is_none(), a.start_date)
                .cmp(&(b.start_date.is_none(), b.start_date))
                .then_with(|| by_name(a, b))
        }),
    }
}

fn in_dates<'a>(src: &ReportSource<'a>, start: NaiveDate, end: NaiveDate) -> Vec<&'a ReportEntry<'a>> {
    src.entries.iter().filter(|r| (start..=end).contains(&r.entry.date)).collect()
}

pub fn fiscal_year_report<'a>(
    fy: &FiscalYear,
    src: &ReportSource<'a>,
    opts: &ReportOptions,
) -> Result<PeriodReport<'a>, ReportError> {
    let period = Period { start: fy.start(), end: fy.end() };
    let spec = PeriodSpec { kind: PeriodKind::FiscalYear, label: Some(fy.label()), period: Some(period) };
    build_period(spec, in_dates(src, period.start, period.end), src, opts)
}

/// Inclusive range; start after end is refused.
pub fn range_report<'a>(
    start: NaiveDate,
    end: NaiveDate,
    src: &ReportSource<'a>,
    opts: &ReportOptions,
) -> Result<PeriodReport<'a>, ReportError> {
    if start > end {
        return Err(ReportError::InvalidRange(format!(
            "range start {start} is after its end {end}; give the earlier date first"
        )));
    }
    let spec = PeriodSpec { kind: PeriodKind::Range, label: None, period: Some(Period { start, end }) };
    build_period(spec, in_dates(src, start, end), src, opts)
}

/// The Monday–Sunday week containing `date`.
pub fn weekly_report<'a>(
    date: NaiveDate,
    src: &ReportSource<'a>,
    opts: &ReportOptions,
) -> Result<PeriodReport<'a>, ReportError> {
    let (start, end) = week_of(date);
    let spec = PeriodSpec { kind: PeriodKind::Weekly, label: None, period: Some(Period { start, end }) };
    build_period(spec, in_dates(src, start, end), src, opts)
}

pub fn monthly_report<'a>(
    month: Month,
    src: &ReportSource<'a>,
    opts: &ReportOptions,
) -> Result<PeriodReport<'a>, ReportError> {
    let (start, end) = (month.first_day(), month.last_day());
    let spec =
        PeriodSpec { kind: PeriodKind::Monthly, label: Some(month.to_string()), period: Some(Period { start, end }) };
    build_period(spec, in_dates(src, start, end), src, opts)
}

/// The most recent entry whose task contains `text` (case-insensitive, literal), then
/// every entry starting at or after its end.
pub fn since_report<'a>(
    text: &str,
    src: &ReportSource<'a>,
    opts: &ReportOptions,
) -> Result<PeriodReport<'a>, ReportError> {
    let needle = text.trim().to_lowercase();
    if needle.is_empty() {
        return Err(ReportError::InvalidOption(OptionError {
            option: "text",
            message: "since needs a text to search for in tasks, e.g. text=deploy".into(),
        }));
    }
    let last = src
        .entries
        .iter()
        .filter(|r| r.entry.task.to_lowercase().contains(&needle))
        .max_by_key(|r| (r.entry.start_abs(), r.entry.end_abs()));
    let (selected, period) = match last.and_then(|l| l.entry.end_abs().map(|end| (l, end))) {
        Some((last, end)) => {
            let after: Vec<&ReportEntry<'a>> = src.entries.iter().filter(|r| r.entry.start_abs() >= end).collect();
            let until = after.iter().map(|r| r.entry.date).max().unwrap_or(last.entry.date);
            (after, Some(Period { start: last.entry.date, end: until }))
        }
        // The match is still running: nothing comes after it yet.
        _ if last.is_some() => {
            let day = last.map(|l| l.entry.date).unwrap_or_default();
            (Vec::new(), Some(Period { start: day, end: day }))
        }
        // No match: no period.
        _ => (Vec::new(), None),
    };
    let spec = PeriodSpec { kind: PeriodKind::Since, label: None, period };
    let mut report = build_period(spec, selected, src, opts)?;
    report.text = Some(text.trim().to_owned());
    report.last_occurrence = Some(last.map(|l| l.entry.to_json()));
    Ok(report)
}

/// An entry in a report listing; `user` only in team reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ListedEntry {
    /// The entry's id (reports from the service; not offline ones).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(flatten)]
    pub entry: EntryJson,
}

fn listed(src: &ReportSource<'_>, r: &ReportEntry<'_>) -> ListedEntry {
    // A team's view names people, not their entries' ids: only the owner edits those.
    let id = r.id.filter(|_| !src.team).map(str::to_owned);
    ListedEntry { id, user: src.team.then(|| r.user.to_owned()), entry: r.entry.to_json() }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DailyReport {
    pub kind: &'static str,
    pub date: NaiveDate,
    pub entries: Vec<ListedEntry>,
    pub gaps: Vec<Gap>,
    pub total_minutes: u64,
    pub total_hours: f64,
    pub gap_minutes: u64,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub first_start: Option<ClockTime>,
    /// Latest end of a finished entry (the next day's time for a midnight crossing).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_end: Option<ClockTime>,
}

pub fn daily_report(date: NaiveDate, src: &ReportSource<'_>) -> DailyReport {
    let mut day: Vec<&ReportEntry<'_>> = src.entries.iter().filter(|r| r.entry.date == date).collect();
    day.sort_by_key(|r| (r.entry.start, r.user));
    let refs: Vec<&Entry> = day.iter().map(|r| r.entry).collect();
    let gaps = day_gaps(&refs);
    let total: u64 = refs.iter().filter_map(|e| e.minutes()).map(u64::from).sum();
    let gap_minutes = gaps.iter().map(|g| u64::from(g.minutes)).sum();
    let last_end = refs.iter().filter_map(|e| e.end_abs().map(|end| (end, e.end))).max().and_then(|(_, end)| end);
    DailyReport {
        kind: "daily",
        date,
        entries: day.iter().map(|r| listed(src, r)).collect(),
        gaps,
        total_minutes: total,
        total_hours: hours(total),
        gap_minutes,
        first_start: refs.first().map(|e| e.start),
        last_end,
    }
}

/// Which slice of a listing to return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub offset: usize,
    pub limit: usize,
}

impl Default for Page {
    fn default() -> Self {
        Self { offset: 0, limit: 10 }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TagHours {
    pub tag: String,
    pub minutes: u64,
    pub hours: f64,
    pub entry_count: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProjectSummaryReport {
    pub kind: &'static str,
    pub project: Project,
    pub total_minutes: u64,
    pub total_hours: f64,
    pub entry_count: usize,
    /// Average finished entry, whole minutes.
    pub average_minutes: u64,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub first_date: Option<NaiveDate>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_date: Option<NaiveDate>,
    /// Newest first, paged.
    pub recent_entries: Vec<ListedEntry>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub next_offset: Option<usize>,
    pub hours_by_tag: Vec<TagHours>,
    pub untagged_minutes: u64,
}

pub fn project_summary(name: &str, src: &ReportSource<'_>, page: Page) -> Result<ProjectSummaryReport, ReportError> {
    let key = project_key(name);
    let mut entries: Vec<&ReportEntry<'_>> =
        src.entries.iter().filter(|r| project_key(&r.entry.project) == key).collect();
    let catalog = complete_catalog(src.projects, entries.iter().map(|r| r.entry));
    let Some(project) = catalog.get(name).cloned() else {
        let known: Vec<&str> = catalog.names().collect();
        return Err(ReportError::UnknownProject {
            name: name.trim().to_owned(),
            suggestions: suggest_projects(name, known),
        });
    };
    entries.sort_by_key(|r| std::cmp::Reverse((r.entry.start_abs(), r.user)));
    let finished: Vec<&Entry> = entries.iter().map(|r| r.entry).filter(|e| e.end.is_some()).collect();
    let total: u64 = finished.iter().filter_map(|e| e.minutes()).map(u64::from).sum();
    let mut tags: BTreeMap<&str, (u64, usize)> = BTreeMap::new();
    let mut untagged = 0;
    for e in &finished {
        let m = u64::from(e.minutes().unwrap_or(0));
        if e.tags.is_empty() {
            untagged += m;
        }
        for t in &e.tags {
            let slot = tags.entry(t.as_str()).or_default();
            slot.0 += m;
            slot.1 += 1;
        }
    }
    let mut hours_by_tag: Vec<TagHours> = tags
        .into_iter()
        .map(|(tag, (minutes, count))| TagHours {
            tag: tag.to_owned(),
            minutes,
            hours: hours(minutes),
            entry_count: count,
        })
        .collect();
    hours_by_tag.sort_by(|a, b| b.minutes.cmp(&a.minutes).then(a.tag.cmp(&b.tag)));
    let end = page.offset.saturating_add(page.limit).min(entries.len());
    let start = page.offset.min(end);
    Ok(ProjectSummaryReport {
        kind: "project",
        project,
        total_minutes: total,
        total_hours: hours(total),
        entry_count: entries.len(),
        average_minutes: if finished.is_empty() {
            0
        } else {
            (total * 2 + finished.len() as u64) / (2 * finished.len() as u64)
        },
        first_date: entries.iter().map(|r| r.entry.date).min(),
        last_date: entries.iter().map(|r| r.entry.date).max(),
        recent_entries: entries[start..end].iter().map(|r| listed(src, r)).collect(),
        next_offset: (end < entries.len()).then_some(end),
        hours_by_tag,
        untagged_minutes: untagged,
    })
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProjectHours {
    pub name: String,
    pub minutes: u64,
    pub hours: f64,
    pub share: f64,
    pub entry_count: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TagSummaryReport {
    pub kind: &'static str,
    pub tag: String,
    pub total_minutes: u64,
    pub total_hours: f64,
    pub entry_count: usize,
    /// Chronological.
    pub entries: Vec<ListedEntry>,
    pub projects: Vec<ProjectHours>,
}

pub fn tag_summary(tag: &str, src: &ReportSource<'_>) -> Result<TagSummaryReport, ReportError> {
    let tag = normalize_tag(tag);
    if !is_valid_tag(&tag) {
        return Err(ReportError::InvalidTag(format!(
            "{tag:?} is not a valid tag; tags are 2-30 characters of a-z, 0-9 and single dashes, e.g. bug-fix"
        )));
    }
    let mut entries: Vec<&ReportEntry<'_>> = src.entries.iter().filter(|r| r.entry.tags.contains(&tag)).collect();
    entries.sort_by_key(|r| (r.entry.start_abs(), r.user));
    let catalog = complete_catalog(src.projects, entries.iter().map(|r| r.entry));
    let total: u64 = entries.iter().filter_map(|r| r.entry.minutes()).map(u64::from).sum();
    let mut per_project: HashMap<String, (u64, usize)> = HashMap::new();
    for r in &entries {
        let slot = per_project.entry(catalog.display_name(&r.entry.project).to_owned()).or_default();
        slot.0 += u64::from(r.entry.minutes().unwrap_or(0));
        slot.1 += 1;
    }
    let mut projects: Vec<ProjectHours> = per_project
        .into_iter()
        .map(|(name, (minutes, count))| ProjectHours {
            name,
            minutes,
            hours: hours(minutes),
            share: share_percent(minutes, total),
            entry_count: count,
        })
        .collect();
    projects.sort_by(|a, b| b.minutes.cmp(&a.minutes).then(a.name.cmp(&b.name)));
    Ok(TagSummaryReport {
        kind: "tag",
        tag,
        total_minutes: total,
        total_hours: hours(total),
        entry_count: entries.len(),
        entries: entries.iter().map(|r| listed(src, r)).collect(),
        projects,
    })
}
