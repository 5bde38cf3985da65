//! The time-log Markdown format (docs/rules.md §1): parser with line diagnostics, cross-entry
//! checks, and the canonical renderer.

use crate::domain::calendar::month_name;
use crate::domain::diagnostic::{Code, Diagnostic};
use crate::domain::duration::overlapping_pairs;
use crate::domain::entry::{Entry, NON_PROJECT, sort_entries};
use crate::domain::names::project_ref_problem;
use crate::domain::tags::{dropped_tag_message, normalize_tags};
use crate::domain::time::{ClockTime, TimeError};
use crate::domain::validation::{notes_line_error, range_error, task_error, too_many_tags};
use chrono::{Datelike, NaiveDate};
use std::fmt::Write as _;

/// What a log file holds: its entries (each with its 1-based line) and every finding.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedLog {
    /// Text of the first `# ` heading, e.g. `Time Log 2025-2026`.
    pub title: Option<String>,
    /// Entries that parsed without a line-level error, in file order.
    pub entries: Vec<Entry>,
    /// `entry_lines[i]` is the line of `entries[i]`.
    pub entry_lines: Vec<usize>,
    /// Sorted by line.
    pub diagnostics: Vec<Diagnostic>,
}

impl ParsedLog {
    pub fn has_errors(&self) -> bool {
        crate::domain::diagnostic::has_errors(&self.diagnostics)
    }
}

/// Parses a log and checks its entries against each other (overlaps, duplicates, more
/// than one `[ACTIVE]`).
pub fn parse_log(text: &str) -> ParsedLog {
    let mut log = parse_log_lines(text);
    check_parsed(&mut log);
    log
}

/// Adds the cross-entry checks to a log parsed line by line.
fn check_parsed(log: &mut ParsedLog) {
    let refs: Vec<&Entry> = log.entries.iter().collect();
    let found = check_entries(&refs, &log.entry_lines);
    log.diagnostics.extend(found.into_iter().map(|(_, d)| d));
    log.diagnostics.sort_by_key(|d| d.line);
}

/// How a line ended in the file: every kind is a line break (docs/rules.md §1).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// The last line, without a line break.
    None,
    Lf,
    CrLf,
    Cr,
}

impl Ending {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "",
            Self::Lf => "\n",
            Self::CrLf => "\r\n",
            Self::Cr => "\r",
        }
    }
}

/// What a line of a log is, for keeping the person's document around its entries.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// Anything that is not an entry, its notes, or a heading the format reads: prose,
    /// frontmatter, callouts, lists, comments, code, blank lines. Kept byte for byte.
    Text,
    /// A heading (`#` to `######`), other than the ones below.
    Heading(u8),
    /// The first `# ` heading.
    Title,
    /// `## July 2025`.
    Month(i32, u32),
    /// `### 2025-07-29`.
    Day(NaiveDate),
    /// The entry line of `entries[i]`.
    Entry(usize),
    /// A notes line of `entries[i]`.
    Notes(usize),
}

/// One line of a log: where its text is in the file, how it ended, what it is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct DocLine {
    pub start: usize,
    pub end: usize,
    pub ending: Ending,
    pub kind: LineKind,
}

/// A log as a document: its parse and every line, classified.
#[derive(Clone, Debug)]
pub struct LogDocument<'a> {
    pub text: &'a str,
    pub log: ParsedLog,
    pub lines: Vec<DocLine>,
}

impl LogDocument<'_> {
    pub fn line_text(&self, line: &DocLine) -> &str {
        &self.text[line.start..line.end]
    }
}

/// Parses a log as a document (see [`LogDocument`]), with the cross-entry checks.
pub fn parse_document(text: &str) -> LogDocument<'_> {
    let mut document = parse_document_lines(text);
    check_parsed(&mut document.log);
    document
}

/// [`parse_document`] without the checks that relate entries to each other (for
/// checking several files together).
pub fn parse_document_lines(text: &str) -> LogDocument<'_> {
    // About one line per 40 bytes in real logs.
    let mut lines = Vec::with_capacity(text.len() / 40);
    let log = parse_internal(text, Some(&mut lines));
    LogDocument { text, log, lines }
}

/// What the service checks of a whole log file beyond its lines (the same in `tm
/// check`): entries outside the file's fiscal year (when it names one), a title that
/// names another year, and entries that end in the future (`now` is the person's local
/// date and minute).
pub fn check_log_file(
    log: &ParsedLog,
    fiscal_year: Option<&crate::domain::FiscalYear>,
    now: (NaiveDate, ClockTime),
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    if let Some(fy) = fiscal_year {
        let expected = format!("Time Log {}", fy.label());
        if let Some(title) = log.title.as_deref().filter(|t| *t != expected) {
            found.push(Diagnostic::warning(
                1,
                Code::TitleMismatch,
                format!("the title is {title:?} but this is the log of {}; check it is the right file", fy.label()),
            ));
        }
    }
    for (entry, &line) in log.entries.iter().zip(&log.entry_lines) {
        if let Some(fy) = fiscal_year.filter(|fy| !fy.contains(entry.date)) {
            found.push(Diagnostic::error(
                line,
                Code::OutsideFiscalYear,
                format!(
                    "entry dated {} is outside fiscal year {} ({} to {}); move it to the log of its own year",
                    entry.date,
                    fy.label(),
                    fy.start(),
                    fy.end()
                ),
            ));
        }
        if let Some((code, message)) = crate::domain::validation::future_end_error(entry, now) {
            found.push(Diagnostic::error(line, code, message));
        }
    }
    found
}

/// Where the parser is, relative to the last date header.
enum Section {
    BeforeFirstHeader,
    Date(NaiveDate),
    /// Under a header that is not a calendar date; its entries are skipped.
    InvalidHeader,
}

/// Lines of `text` with their endings: LF, CRLF and CR alike (and a mix); a leading
/// byte-order mark is not part of the first line.
pub fn split_lines(text: &str) -> impl Iterator<Item = (usize, &str, Ending)> {
    let mut at = if text.starts_with('\u{feff}') { 3 } else { 0 };
    std::iter::from_fn(move || {
        if at >= text.len() {
            return None;
        }
        let start = at;
        let rest = &text.as_bytes()[start..];
        // memchr finds line ends a word at a time; this loop is the parser's hot path.
        match memchr::memchr2(b'\n', b'\r', rest) {
            Some(i) => {
                let (ending, width) = match (rest[i], rest.get(i + 1)) {
                    (b'\r', Some(b'\n')) => (Ending::CrLf, 2),
                    (b'\r', _) => (Ending::Cr, 1),
                    _ => (Ending::Lf, 1),
                };
                at = start + i + width;
                Some((start, &text[start..start + i], ending))
            }
            None => {
                at = text.len();
                Some((start, &text[start..], Ending::None))
            }
        }
    })
}

/// A heading's level (`#` count) when `line` is a Markdown ATX heading.
fn heading_level(line: &str) -> Option<u8> {
    let hashes = line.bytes().take_while(|b| *b == b'#').count();
    ((1..=6).contains(&hashes) && (line.len() == hashes || line.as_bytes()[hashes] == b' ')).then_some(hashes as u8)
}

/// `## July 2025` as (year, month).
fn month_heading(rest: &str) -> Option<(i32, u32)> {
    let (name, year) = rest.trim().split_once(' ')?;
    let month = (1..=12).find(|m| month_name(*m).eq_ignore_ascii_case(name.trim()))?;
    let year: i32 = year.trim().parse().ok().filter(|y: &i32| (1000..=9999).contains(y))?;
    Some((year, month))
}

/// Regions whose lines are never read as entries or headings: YAML frontmatter at the
/// top, fenced code blocks, HTML comments.
#[derive(PartialEq)]
enum Opaque {
    No,
    Frontmatter,
    Fence(char),
    Comment,
}

/// Parses line by line, without checks that relate entries to each other.
pub fn parse_log_lines(text: &str) -> ParsedLog {
    parse_internal(text, None)
}

fn parse_internal(text: &str, mut lines_out: Option<&mut Vec<DocLine>>) -> ParsedLog {
    // About one entry per 80 bytes in real logs; sizing up front avoids regrowth.
    let estimate = text.len() / 80;
    let mut log = ParsedLog {
        entries: Vec::with_capacity(estimate),
        entry_lines: Vec::with_capacity(estimate),
        ..Default::default()
    };
    let mut section = Section::BeforeFirstHeader;
    // The entry that a notes line directly below would belong to. `Some(None)`: the
    // line above was an entry line that had an error.
    let mut notes_target: Option<Option<usize>> = None;
    let mut opaque = Opaque::No;
    let push = |out: &mut Option<&mut Vec<DocLine>>, start: usize, line: &str, ending: Ending, kind: LineKind| {
        if let Some(out) = out.as_deref_mut() {
            out.push(DocLine { start, end: start + line.len(), ending, kind });
        }
    };
    for (index, (start, line, ending)) in split_lines(text).enumerate() {
        let line_no = index + 1;
        // Opaque regions first: nothing inside them is an entry.
        let trimmed = line.trim_start();
        match opaque {
            Opaque::Frontmatter => {
                if matches!(line.trim_end(), "---" | "...") {
                    opaque = Opaque::No;
                }
                push(&mut lines_out, start, line, ending, LineKind::Text);
                continue;
            }
            Opaque::Fence(mark) => {
                if trimmed.starts_with(&format!("{mark}{mark}{mark}")) {
                    opaque = Opaque::No;
                }
                push(&mut lines_out, start, line, ending, LineKind::Text);
                continue;
            }
            Opaque::Comment => {
                if line.contains("-->") {
                    opaque = Opaque::No;
                }
                push(&mut lines_out, start, line, ending, LineKind::Text);
                continue;
            }
            Opaque::No => {}
        }
        if index == 0 && line.trim_end() == "---" {
            opaque = Opaque::Frontmatter;
            push(&mut lines_out, start, line, ending, LineKind::Text);
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            opaque = Opaque::Fence(trimmed.chars().next().unwrap_or('`'));
            notes_target = None;
            push(&mut lines_out, start, line, ending, LineKind::Text);
            continue;
        }
        if let Some(comment) = trimmed.strip_prefix("<!--") {
            if !comment.contains("-->") {
                opaque = Opaque::Comment;
            }
            notes_target = None;
            push(&mut lines_out, start, line, ending, LineKind::Text);
            continue;
        }
        if let Some(level) = heading_level(line) {
            notes_target = None;
            let rest = &line[level as usize..];
            let kind = match level {
                3 if rest.trim_start().starts_with(|c: char| c.is_ascii_digit()) => {
                    section = parse_date_header(rest.trim(), line_no, &mut log.diagnostics);
                    match section {
                        Section::Date(date) => LineKind::Day(date),
                        _ => LineKind::Heading(3),
                    }
                }
                1 if log.title.is_none() => {
                    log.title = Some(rest.trim().to_owned());
                    LineKind::Title
                }
                2 => match month_heading(rest) {
                    Some((year, month)) => LineKind::Month(year, month),
                    None => LineKind::Heading(2),
                },
                _ => LineKind::Heading(level),
            };
            push(&mut lines_out, start, line, ending, kind);
            continue;
        }
        if line.starts_with("- **") && line[4..].starts_with(|c: char| c.is_ascii_digit()) {
            let parsed = parse_entry_line(line, line_no, &mut log.diagnostics);
            let placed = match (&section, parsed) {
                (_, None) => None,
                (Section::Date(date), Some(mut entry)) => {
                    entry.date = *date;
                    log.entries.push(entry);
                    log.entry_lines.push(line_no);
                    Some(log.entries.len() - 1)
                }
                (Section::BeforeFirstHeader, Some(_)) => {
                    log.diagnostics.push(Diagnostic::error(
                        line_no,
                        Code::EntryBeforeDateHeader,
                        "entry line before the first date header; add a `### YYYY-MM-DD` line above it",
                    ));
                    None
                }
                (Section::InvalidHeader, Some(_)) => None,
            };
            notes_target = Some(placed);
            push(&mut lines_out, start, line, ending, placed.map_or(LineKind::Text, LineKind::Entry));
            continue;
        }
        if let Some(text) = trimmed.strip_prefix("- Notes:") {
            // Any indentation of spaces or tabs under an entry makes a notes line.
            let indented = line.len() > trimmed.len();
            match (indented, notes_target) {
                (true, Some(target)) => {
                    let mut kind = LineKind::Text;
                    if let Some(i) = target {
                        let text = text.trim();
                        let number = log.entries[i].notes.len() + 1;
                        if let Some((code, message)) = notes_line_error(number, text) {
                            // The entry cannot be stored as written: refuse it whole.
                            log.diagnostics.push(Diagnostic::error(line_no, code, message));
                            log.entries.remove(i);
                            log.entry_lines.remove(i);
                            if let Some(out) = lines_out.as_deref_mut() {
                                for l in out
                                    .iter_mut()
                                    .filter(|l| matches!(l.kind, LineKind::Entry(e) | LineKind::Notes(e) if e == i))
                                {
                                    l.kind = LineKind::Text;
                                }
                            }
                            notes_target = Some(None);
                        } else {
                            if !text.is_empty() {
                                log.entries[i].notes.push(text.to_owned());
                            }
                            kind = LineKind::Notes(i);
                        }
                    }
                    push(&mut lines_out, start, line, ending, kind);
                }
                _ => {
                    log.diagnostics.push(Diagnostic::warning(
                        line_no,
                        Code::OrphanNotes,
                        "notes line is not directly under an entry line, so it is kept as text and is not a note; \
                         indent it right below its entry",
                    ));
                    notes_target = None;
                    push(&mut lines_out, start, line, ending, LineKind::Text);
                }
            }
            continue;
        }
        notes_target = None;
        if matches!(section, Section::Date(_)) && looks_like_entry(line) {
            log.diagnostics.push(Diagnostic::warning(
                line_no,
                Code::EntryLikeText,
                format!("this line looks like an entry but is kept as text and counts no time; {ENTRY_FORM}"),
            ));
        }
        push(&mut lines_out, start, line, ending, LineKind::Text);
    }
    log
}

/// A list item under a day that starts with a time range (`- 09:00-10:30 Task`,
/// `* **9:00 - 10:00**`) but not in the entry form: other tools and hand edits write
/// these, and counting them as nothing without a word would lose hours quietly.
fn looks_like_entry(line: &str) -> bool {
    let Some(rest) = line.trim_start().strip_prefix(['-', '*', '+']) else { return false };
    let rest = rest.trim_start().trim_start_matches('*').trim_start();
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&digits) || rest.as_bytes().get(digits) != Some(&b':') {
        return false;
    }
    let after = &rest[digits + 1..];
    let minutes = after.bytes().take_while(u8::is_ascii_digit).count();
    minutes == 2 && after[2..].trim_start().trim_start_matches('*').trim_start().starts_with(['-', '–'])
}

fn parse_date_header(text: &str, line_no: usize, diagnostics: &mut Vec<Diagnostic>) -> Section {
    match crate::domain::calendar::parse_date(text) {
        Ok(date) => Section::Date(date),
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                line_no,
                Code::InvalidDateHeader,
                format!("date header `### {text}`: {e}; entries below it are skipped until it is fixed"),
            ));
            Section::InvalidHeader
        }
    }
}

const ENTRY_FORM: &str = "write entries as `- **09:00-10:30**: Task [[Project]] [tag, tag]`";

fn time_problem(text: &str, error: TimeError) -> String {
    match error {
        TimeError::NotHhMm => format!("time {text:?} is not HH:MM; {ENTRY_FORM}"),
        TimeError::OutOfRange => format!("time {text:?} is out of range; hours are 00-23 and minutes 00-59"),
    }
}

/// Parses `- **START-END**: BODY`; the date is set by the caller. Pushes diagnostics and
/// returns `None` on any line-level error.
fn parse_entry_line(line: &str, line_no: usize, diagnostics: &mut Vec<Diagnostic>) -> Option<Entry> {
    let rest = &line[4..];
    let Some(close) = memchr::memmem::find(rest.as_bytes(), b"**:") else {
        diagnostics.push(Diagnostic::error(
            line_no,
            Code::MalformedEntry,
            format!("entry line is not closed by `**:`; {ENTRY_FORM}"),
        ));
        return None;
    };
    let (range, body) = (&rest[..close], &rest[close + 3..]);
    let Some((start_text, end_text)) = range.split_once('-') else {
        diagnostics.push(Diagnostic::error(
            line_no,
            Code::MalformedEntry,
            format!("time range {range:?} has no '-'; {ENTRY_FORM}"),
        ));
        return None;
    };
    let mut ok = true;
    let mut padded = true;
    let mut time = |text: &str| match ClockTime::parse_lenient(text) {
        Ok((t, was_padded)) => {
            padded &= was_padded;
            Some(t)
        }
        Err(e) => {
            diagnostics.push(Diagnostic::error(line_no, Code::InvalidTime, time_problem(text, e)));
            ok = false;
            None
        }
    };
    let start = time(start_text);
    let end = if end_text == "[ACTIVE]" { Some(None) } else { time(end_text).map(Some) };
    let (Some(start), Some(end)) = (start, end) else { return None };
    if !padded {
        let end_label = end.map_or_else(|| "[ACTIVE]".to_owned(), |t| t.to_string());
        diagnostics.push(Diagnostic::warning(
            line_no,
            Code::TimeNotPadded,
            format!("time written without a leading zero; read as: - **{start}-{end_label}**:{body}"),
        ));
    }
    if end == Some(start) {
        diagnostics.push(Diagnostic::error(
            line_no,
            Code::ZeroDuration,
            format!("end equals start ({start}-{start}); use a later end time, or an earlier one for an entry that crosses midnight"),
        ));
        ok = false;
    } else if let Some((code, message)) = end.and_then(|end| range_error(start, end)) {
        diagnostics.push(Diagnostic::error(line_no, code, message));
        ok = false;
    }
    let parts = split_body(body.trim());
    let project = parts.project.map(str::trim).unwrap_or(NON_PROJECT);
    if let Some(problem) = project_ref_problem(project) {
        diagnostics.push(Diagnostic::error(line_no, Code::InvalidProjectName, problem));
        ok = false;
    }
    let task = match (parts.task, parts.project) {
        ("", Some(p)) => p.trim(),
        (task, _) => task,
    };
    // The API's rules for the task, so an uploaded entry can be edited like any other.
    if task.is_empty() {
        diagnostics.push(Diagnostic::error(line_no, Code::EmptyTask, format!("entry has no task; {ENTRY_FORM}")));
        ok = false;
    } else if let Some((code, message)) = task_error(task) {
        diagnostics.push(Diagnostic::error(line_no, code, message));
        ok = false;
    }
    let mut tags = Vec::new();
    if let Some(list) = parts.tags {
        let normalized = normalize_tags(list.split(','));
        for (original, tag) in &normalized.changed {
            diagnostics.push(Diagnostic::info(
                line_no,
                Code::TagNormalized,
                format!("tag {original:?} is read as {tag:?}"),
            ));
        }
        for original in &normalized.dropped {
            diagnostics.push(Diagnostic::warning(line_no, Code::TagDropped, dropped_tag_message(original)));
        }
        tags = normalized.tags;
        if let Some(message) = too_many_tags(tags.len()) {
            diagnostics.push(Diagnostic::warning(line_no, Code::TooManyTags, message));
        }
    }
    let notes = parts.inline_notes.map(|n| vec![n.to_owned()]).unwrap_or_default();
    if let Some((code, message)) = notes.first().and_then(|n| notes_line_error(1, n)) {
        diagnostics.push(Diagnostic::error(line_no, code, message));
        ok = false;
    }
    ok.then(|| Entry {
        date: NaiveDate::MIN,
        start,
        end,
        task: task.to_owned(),
        project: project.to_owned(),
        tags,
        notes,
    })
}

/// The parts of an entry body, as slices of it.
#[derive(Debug, PartialEq, Eq)]
pub struct BodyParts<'a> {
    pub task: &'a str,
    pub project: Option<&'a str>,
    pub tags: Option<&'a str>,
    pub inline_notes: Option<&'a str>,
}

/// Splits `TASK [[PROJECT]] [TAGS] - NOTES`, deciding from the end of the line: the tag
/// list is the last single-bracket group if it ends the body (before inline notes) and
/// follows whitespace; the project is the `[[...]]` group just before it. Inline notes
/// are recognised only after such a group, and only when the body does not itself end
/// with a bracket; brackets and dashes inside the task are ordinary text.
pub fn split_body(body: &str) -> BodyParts<'_> {
    let body = body.trim();
    if !body.ends_with(']') {
        let mut from = 0;
        while let Some(pos) = body[from..].find(" - ").map(|p| p + from) {
            let head = body[..pos].trim_end();
            let parts = split_groups(head);
            if parts.project.is_some() || parts.tags.is_some() {
                let notes = body[pos + 3..].trim();
                return BodyParts { inline_notes: (!notes.is_empty()).then_some(notes), ..parts };
            }
            from = pos + 3;
        }
    }
    split_groups(body)
}

fn split_groups(body: &str) -> BodyParts<'_> {
    let mut head = body;
    let mut tags = None;
    if head.ends_with(']')
        && !head.ends_with("]]")
        && let Some(open) = head.rfind('[')
    {
        let inner = &head[open + 1..head.len() - 1];
        let after_space = head[..open].ends_with(char::is_whitespace);
        if after_space && !inner.contains(']') {
            tags = Some(inner);
            head = head[..open].trim_end();
        }
    }
    let mut project = None;
    if head.ends_with("]]") {
        let inner_end = head.len() - 2;
        if let Some(open) = memchr::memmem::rfind(&head.as_bytes()[..inner_end], b"[[") {
            let inner = &head[open + 2..inner_end];
            if !inner.contains(['[', ']']) {
                project = Some(inner);
                head = head[..open].trim_end();
            }
        }
    }
    BodyParts { task: head.trim(), project, tags, inline_notes: None }
}

/// Cross-entry checks: overlaps (an exact duplicate is one) and more than one running
/// entry. `lines[i]` is the line of `entries[i]`. Returns (entry index, diagnostic).
pub fn check_entries(entries: &[&Entry], lines: &[usize]) -> Vec<(usize, Diagnostic)> {
    let mut found = Vec::new();
    // `09:00-10:30 (Task 1), line 13 of 2025-07-29`: the wording of docs/rules.md §4 first, then where.
    let describe = |i: usize| {
        let e = entries[i];
        format!("{} ({}), line {} of {}", e.range_label(), e.task, lines[i], e.date)
    };
    for (a, b) in overlapping_pairs(entries) {
        let duplicate = entries[a] == entries[b];
        for (this, other) in [(a, b), (b, a)] {
            let what = if duplicate { "duplicates" } else { "overlaps" };
            found.push((
                this,
                Diagnostic::error(
                    lines[this],
                    crate::domain::diagnostic::Code::Overlap,
                    format!("{} {what} {}; change or remove one of them", entries[this].range_label(), describe(other)),
                ),
            ));
        }
    }
    let active: Vec<usize> = (0..entries.len()).filter(|&i| entries[i].is_active()).collect();
    if active.len() > 1 {
        for &i in &active {
            let others: Vec<String> =
                active.iter().filter(|&&j| j != i).map(|&j| format!("line {}", lines[j])).collect();
            found.push((
                i,
                Diagnostic::error(
                    lines[i],
                    Code::MultipleActive,
                    format!("more than one [ACTIVE] entry (also {}); at most one timer runs, so give all but one an end time", others.join(", ")),
                ),
            ));
        }
    }
    found
}

/// Adds to `catalog` every project the entries reference but it lacks (docs/rules.md §2: status
/// Active, start date = first entry's date, goals and directions General) and returns a
/// `project-created` info at the first line that names each one.
pub fn create_referenced_projects(
    entries: &[&Entry],
    lines: &[usize],
    catalog: &mut crate::domain::ProjectCatalog,
) -> Vec<(usize, Diagnostic)> {
    let created = catalog.add_missing_from(entries.iter().copied());
    created
        .into_iter()
        .filter_map(|name| {
            let key = crate::domain::names::project_key(&name);
            let first = (0..entries.len()).find(|&i| crate::domain::names::project_key(&entries[i].project) == key)?;
            let message = format!(
                "project {name:?} has no project file; it is created with status Active, start date {}, goal and direction General; add a project file to describe it",
                entries[first].date
            );
            Some((first, Diagnostic::info(lines[first], Code::ProjectCreated, message)))
        })
        .collect()
}

/// The canonical log of `entries` (any order) titled `# Time Log {fy_label}`.
pub fn render_log(fy_label: &str, entries: &[Entry]) -> String {
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by_key(|e| (e.date, e.start));
    let mut out = String::with_capacity(64 + entries.len() * 96);
    let _ = writeln!(out, "# Time Log {fy_label}");
    let mut month = None;
    let mut day = None;
    for entry in sorted {
        let this_month = (entry.date.year(), entry.date.month());
        if month != Some(this_month) {
            let _ = write!(out, "\n## {} {}\n", month_name(this_month.1), this_month.0);
            month = Some(this_month);
        }
        if day != Some(entry.date) {
            let _ = write!(out, "\n### {}\n\n", entry.date);
            day = Some(entry.date);
        }
        render_entry_line(&mut out, entry);
    }
    out
}

/// One entry line plus its notes lines, each ending in a newline.
pub fn render_entry_line(out: &mut String, entry: &Entry) {
    write_entry_line(out, entry);
    out.push('\n');
    for note in &entry.notes {
        let _ = writeln!(out, "  - Notes: {note}");
    }
}

/// The canonical entry line, without its notes or a line break:
/// `- **09:00-10:30**: Task [[Project]] [tag, tag]`.
pub fn write_entry_line(out: &mut String, entry: &Entry) {
    out.push_str("- **");
    entry.start.push_to(out);
    out.push('-');
    match entry.end {
        Some(end) => end.push_to(out),
        None => out.push_str("[ACTIVE]"),
    }
    out.push_str("**: ");
    out.push_str(&entry.task);
    out.push_str(" [[");
    out.push_str(&entry.project);
    out.push_str("]]");
    if let Some((first, rest)) = entry.tags.split_first() {
        out.push_str(" [");
        out.push_str(first);
        for tag in rest {
            out.push_str(", ");
            out.push_str(tag);
        }
        out.push(']');
    }
}

/// Entries in canonical order, for comparing parsed and rendered sets.
pub fn canonical_order(mut entries: Vec<Entry>) -> Vec<Entry> {
    sort_entries(&mut entries);
    entries
}
