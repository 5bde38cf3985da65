//! The log as the person's document (docs/rules.md §10): what they wrote is kept, in place, byte
//! for byte — frontmatter, prose, callouts, lists, comments, headings, blank lines, line
//! endings — and only the lines of the entries that changed are touched:
//!
//! - an entry still there is written canonically where it was (its line and notes);
//! - an entry that is gone loses its lines (its day heading stays);
//! - a new entry goes into its day in time order, with a new day heading (and month
//!   heading, when the document uses them) where missing, in date order.
//!
//! A stored entry is matched to a line of the document by its content, else by its
//! date and start (an edit of the task keeps its place; a move goes to its new day).
//! An empty document renders canonically ([`super::log::render_log`]).

use super::log::{DocLine, Ending, LineKind, LogDocument, parse_document_lines, render_log, write_entry_line};
use crate::domain::calendar::month_name;
use crate::domain::diagnostic::{Code, Diagnostic};
use crate::domain::entry::Entry;
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, HashMap};

/// The lines of one entry as written canonically: the entry line, then its notes.
pub fn entry_lines(entry: &Entry) -> Vec<String> {
    let mut line = String::new();
    write_entry_line(&mut line, entry);
    let mut out = vec![line];
    out.extend(entry.notes.iter().map(|n| format!("  - Notes: {n}")));
    out
}

/// The line ending most lines of the document use (LF for a document without any).
fn dominant_ending(lines: &[DocLine]) -> Ending {
    let mut counts = [0usize; 3];
    for line in lines {
        match line.ending {
            Ending::Lf => counts[0] += 1,
            Ending::CrLf => counts[1] += 1,
            Ending::Cr => counts[2] += 1,
            Ending::None => {}
        }
    }
    match counts.iter().enumerate().max_by_key(|(i, c)| (**c, std::cmp::Reverse(*i))) {
        Some((1, c)) if *c > 0 => Ending::CrLf,
        Some((2, c)) if *c > 0 => Ending::Cr,
        _ => Ending::Lf,
    }
}

/// Lines of a document whose entry or notes text is not canonical, with the canonical
/// text they are stored as (the upload report lists them).
pub fn normalized_lines(doc: &LogDocument<'_>) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut rendered: HashMap<usize, Vec<String>> = HashMap::new();
    let mut notes_seen: HashMap<usize, usize> = HashMap::new();
    for (index, line) in doc.lines.iter().enumerate() {
        let (entry, offset) = match line.kind {
            LineKind::Entry(e) => (e, 0),
            LineKind::Notes(e) => {
                let seen = notes_seen.entry(e).or_default();
                *seen += 1;
                (e, *seen)
            }
            _ => continue,
        };
        let canonical = rendered.entry(entry).or_insert_with(|| entry_lines(&doc.log.entries[entry]));
        // An empty notes line adds no note, so it has no canonical line: it goes.
        let want = canonical.get(offset).map(String::as_str).unwrap_or("");
        if doc.line_text(line) != want {
            out.push((index + 1, want.to_owned()));
        }
    }
    out
}

/// [`normalized_lines`] as the infos an upload report (and `tm check`) gives.
pub fn normalized_diagnostics(doc: &LogDocument<'_>) -> Vec<Diagnostic> {
    normalized_lines(doc)
        .into_iter()
        .map(|(line, text)| {
            let shown =
                if text.is_empty() { "removed (an empty note)".to_owned() } else { format!("stored as: {text}") };
            Diagnostic::info(line, Code::EntryNormalized, format!("this line is {shown}"))
        })
        .collect()
}

/// A day the document has no heading for, with its new entries.
type NewDay<'a> = (NaiveDate, Vec<&'a Entry>);

/// What to put into the output besides the document's own lines.
#[derive(Default)]
struct Inserts {
    /// Lines to write just before a line of the document.
    before: BTreeMap<usize, Vec<String>>,
    at_end: Vec<String>,
}

impl Inserts {
    fn add(&mut self, at: Option<usize>, lines: Vec<String>) {
        match at {
            Some(i) => self.before.entry(i).or_default().extend(lines),
            None => self.at_end.extend(lines),
        }
    }
}

fn is_blank(doc: &LogDocument<'_>, i: usize) -> bool {
    doc.lines.get(i).is_some_and(|l| doc.line_text(l).trim().is_empty())
}

/// The index of the first line after `from` that is a heading of level `max_level` or
/// less (a section's end), if any.
fn section_end(lines: &[DocLine], from: usize, max_level: u8) -> Option<usize> {
    lines.iter().enumerate().skip(from + 1).find_map(|(i, l)| {
        let level = match l.kind {
            LineKind::Title => 1,
            LineKind::Month(..) => 2,
            LineKind::Day(_) => 3,
            LineKind::Heading(level) => level,
            _ => return None,
        };
        (level <= max_level).then_some(i)
    })
}

/// The document `base` with its entries made `entries` (any order).
pub fn render_document(base: &str, fy_label: &str, entries: &[Entry]) -> String {
    if base.trim().is_empty() {
        return render_log(fy_label, entries);
    }
    // Only the lines' kinds matter here, not how the entries relate to each other.
    let doc = parse_document_lines(base);
    let ending = dominant_ending(&doc.lines);
    let mut targets: Vec<&Entry> = entries.iter().collect();
    targets.sort_by_key(|e| (e.date, e.start));

    // Which stored entry each entry of the document is now (content, then slot). Equal
    // content means an equal slot, so both passes look in the slot's list only.
    let mut assigned: Vec<Option<usize>> = vec![None; doc.log.entries.len()];
    let mut used = vec![false; targets.len()];
    // `targets` is sorted by slot: a slot's targets are contiguous from its first.
    let mut first_of_slot: HashMap<(NaiveDate, crate::domain::ClockTime), usize> =
        HashMap::with_capacity(targets.len());
    for (t, e) in targets.iter().enumerate().rev() {
        first_of_slot.insert((e.date, e.start), t);
    }
    for pass_by_content in [true, false] {
        for (i, e) in doc.log.entries.iter().enumerate() {
            if assigned[i].is_some() {
                continue;
            }
            let Some(&first) = first_of_slot.get(&(e.date, e.start)) else { continue };
            let slot = (first..targets.len()).take_while(|&t| (targets[t].date, targets[t].start) == (e.date, e.start));
            if let Some(t) = slot.into_iter().find(|&t| !used[t] && (!pass_by_content || targets[t] == e)) {
                assigned[i] = Some(t);
                used[t] = true;
            }
        }
    }

    // Where each new entry goes.
    let mut inserts = Inserts::default();
    let entry_line_of: Vec<usize> = {
        let mut v = vec![0; doc.log.entries.len()];
        for (index, line) in doc.lines.iter().enumerate() {
            if let LineKind::Entry(e) = line.kind {
                v[e] = index;
            }
        }
        v
    };
    // The last line (entry or its notes) of each entry block.
    let block_end = |e: usize| {
        let mut end = entry_line_of[e];
        while doc.lines.get(end + 1).is_some_and(|l| l.kind == LineKind::Notes(e)) {
            end += 1;
        }
        end
    };
    // A document with days but no month headings gets none; one with neither (a title
    // and prose only) is laid out canonically.
    let uses_months = doc.lines.iter().any(|l| matches!(l.kind, LineKind::Month(..)))
        || !doc.lines.iter().any(|l| matches!(l.kind, LineKind::Day(_)));
    let mut new_by_date: BTreeMap<NaiveDate, Vec<&Entry>> = BTreeMap::new();
    for (t, e) in targets.iter().enumerate() {
        if !used[t] {
            new_by_date.entry(e.date).or_default().push(e);
        }
    }
    let mut missing_days: BTreeMap<(i32, u32), Vec<NewDay<'_>>> = BTreeMap::new();
    for (date, news) in new_by_date {
        let day = doc.lines.iter().position(|l| l.kind == LineKind::Day(date));
        match day {
            Some(h) => {
                let end = section_end(&doc.lines, h, 3).unwrap_or(doc.lines.len());
                // The entries that stay in this day, in the document's order, with the
                // start they will have.
                let staying: Vec<(usize, crate::domain::ClockTime)> = (0..doc.log.entries.len())
                    .filter(|&e| (h..end).contains(&entry_line_of[e]))
                    .filter_map(|e| assigned[e].map(|t| (e, targets[t].start)))
                    .collect();
                for entry in news {
                    let lines = entry_lines(entry);
                    match staying.iter().find(|(_, start)| *start > entry.start) {
                        Some((e, _)) => inserts.add(Some(entry_line_of[*e]), lines),
                        None => match staying.last() {
                            Some((e, _)) => {
                                inserts.add(Some(block_end(*e) + 1).filter(|i| *i < doc.lines.len()), lines)
                            }
                            None => {
                                // An empty day: right under its heading and blank line.
                                let at = if is_blank(&doc, h + 1) { h + 2 } else { h + 1 };
                                let mut lines = lines;
                                if !is_blank(&doc, h + 1) {
                                    lines.insert(0, String::new());
                                }
                                if at < doc.lines.len() && !is_blank(&doc, at) {
                                    lines.push(String::new());
                                }
                                inserts.add(Some(at).filter(|i| *i < doc.lines.len()), lines);
                            }
                        },
                    }
                }
            }
            None => missing_days.entry((date.year(), date.month())).or_default().push((date, news)),
        }
    }
    // Days without a heading: in their month, before its first later day, else at its end;
    // a month without a heading is made, with all its new days, before the later months.
    for (month, days) in missing_days {
        let day_block = |date: NaiveDate, news: &[&Entry]| {
            let mut block = vec![format!("### {date}"), String::new()];
            for entry in news {
                block.extend(entry_lines(entry));
            }
            block
        };
        let month_line = doc.lines.iter().position(|l| l.kind == LineKind::Month(month.0, month.1));
        let (from, until) = match (uses_months, month_line) {
            (true, Some(m)) => (m, section_end(&doc.lines, m, 2).unwrap_or(doc.lines.len())),
            (true, None) => {
                // Before the first later month, else where the last month's section ends
                // (not after a closing section such as "## Notes").
                let later =
                    doc.lines.iter().position(|l| matches!(l.kind, LineKind::Month(y, mo) if (y, mo) > month)).or_else(
                        || {
                            let last = doc.lines.iter().rposition(|l| matches!(l.kind, LineKind::Month(..)))?;
                            section_end(&doc.lines, last, 2)
                        },
                    );
                let mut lines = vec![format!("## {} {}", month_name(month.1), month.0)];
                for (date, news) in &days {
                    lines.push(String::new());
                    lines.extend(day_block(*date, news));
                }
                place_block(&doc, &mut inserts, later, lines);
                continue;
            }
            (false, _) => (0, doc.lines.len()),
        };
        for (date, news) in days {
            let later_day = (from..until).find(|&i| matches!(doc.lines[i].kind, LineKind::Day(d) if d > date));
            let at = later_day.or((until < doc.lines.len()).then_some(until));
            place_block(&doc, &mut inserts, at, day_block(date, &news));
        }
    }

    // Write it out: the document's lines, its entries as they are now, and the inserts.
    let mut out = LineWriter::new(base.len() + 256, ending);
    // A byte-order mark is not part of the first line, but it is part of the file.
    if base.starts_with('\u{feff}') {
        out.text.push('\u{feff}');
    }
    let mut notes_written: Vec<usize> = vec![0; doc.log.entries.len()];
    for (index, line) in doc.lines.iter().enumerate() {
        if let Some(lines) = inserts.before.get(&index) {
            for l in lines {
                out.line(l, ending);
            }
        }
        let has_more_notes = |e: usize| doc.lines.get(index + 1).is_some_and(|l| l.kind == LineKind::Notes(e));
        match line.kind {
            LineKind::Entry(e) => {
                if let Some(t) = assigned[e] {
                    let entry = targets[t];
                    out.start_line();
                    write_entry_line(&mut out.text, entry);
                    out.end_line(line.ending);
                    // Notes the entry gained go right after its other lines.
                    if !has_more_notes(e) {
                        for note in &entry.notes {
                            out.notes_line(note, ending);
                        }
                    }
                }
            }
            LineKind::Notes(e) => {
                if let Some(t) = assigned[e] {
                    let notes = &targets[t].notes;
                    let n = notes_written[e];
                    notes_written[e] += 1;
                    if let Some(note) = notes.get(n) {
                        out.notes_line(note, line.ending);
                    }
                    if !has_more_notes(e) {
                        for note in notes.iter().skip(n + 1) {
                            out.notes_line(note, ending);
                        }
                    }
                }
            }
            _ => out.line(doc.line_text(line), line.ending),
        }
    }
    for l in &inserts.at_end {
        out.line(l, ending);
    }
    let mut text = out.finish();
    // A document that ended with a line break still does.
    if doc.lines.last().is_some_and(|l| l.ending != Ending::None) && !text.ends_with(['\n', '\r']) {
        text.push_str(ending.as_str());
    }
    text
}

/// Writes lines with their endings straight into the output. A line that had no ending
/// (the file's last) gets the document's ending when more follows.
struct LineWriter {
    text: String,
    ending: Ending,
    /// The ending of the line written last, not yet written.
    pending: Option<Ending>,
}

impl LineWriter {
    fn new(capacity: usize, ending: Ending) -> Self {
        LineWriter { text: String::with_capacity(capacity), ending, pending: None }
    }

    fn start_line(&mut self) {
        if let Some(previous) = self.pending.take() {
            let end = if previous == Ending::None { self.ending } else { previous };
            self.text.push_str(end.as_str());
        }
    }

    fn end_line(&mut self, ending: Ending) {
        self.pending = Some(ending);
    }

    fn line(&mut self, text: &str, ending: Ending) {
        self.start_line();
        self.text.push_str(text);
        self.end_line(ending);
    }

    fn notes_line(&mut self, note: &str, ending: Ending) {
        self.start_line();
        self.text.push_str("  - Notes: ");
        self.text.push_str(note);
        self.end_line(ending);
    }

    fn finish(mut self) -> String {
        if let Some(last) = self.pending.take() {
            self.text.push_str(last.as_str());
        }
        self.text
    }
}

/// Places a block that starts with a heading before line `at` (or at the end), with a
/// blank line before and after it as the format wants.
fn place_block(doc: &LogDocument<'_>, inserts: &mut Inserts, at: Option<usize>, mut block: Vec<String>) {
    let previous_blank = match at {
        Some(0) => true,
        Some(i) => is_blank(doc, i - 1),
        None => doc.lines.last().is_none_or(|l| doc.line_text(l).trim().is_empty()) && !inserts.at_end.is_empty(),
    };
    let previous_is_insert = match at {
        Some(i) => inserts.before.get(&i).is_some_and(|v| v.last().is_some_and(String::is_empty)),
        None => inserts.at_end.last().is_some_and(String::is_empty),
    };
    if !previous_blank && !previous_is_insert {
        block.insert(0, String::new());
    }
    if at.is_some() {
        block.push(String::new());
    }
    inserts.add(at, block);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::log::{parse_document, parse_log};

    const DOC: &str = "---\ntags: [work]\n---\n# Time Log 2025-2026\n\nSome prose about my week.\n\n## July 2025\n\n> [!note] A callout\n\n### 2025-07-29\n\n- **09:00-10:00**: First [[P]]\n  - Notes: one\n- [ ] a task item\n- **11:00-12:00**: Second [[P]]\n\n<!-- a comment -->\n";

    fn entries_of(text: &str) -> Vec<Entry> {
        parse_log(text).entries
    }

    #[test]
    fn unchanged_entries_give_back_the_document_byte_for_byte() {
        assert_eq!(render_document(DOC, "2025-2026", &entries_of(DOC)), DOC);
        let crlf = DOC.replace('\n', "\r\n");
        assert_eq!(render_document(&crlf, "2025-2026", &entries_of(&crlf)), crlf);
        let cr = DOC.replace('\n', "\r");
        assert_eq!(render_document(&cr, "2025-2026", &entries_of(&cr)), cr);
    }

    #[test]
    fn an_added_entry_is_one_line_in_its_day_in_time_order() {
        let mut entries = entries_of(DOC);
        let mut middle = entries[0].clone();
        middle.start = crate::domain::ClockTime::parse("10:00").unwrap();
        middle.end = Some(crate::domain::ClockTime::parse("10:30").unwrap());
        middle.task = "Middle".into();
        middle.notes.clear();
        entries.push(middle);
        let out = render_document(DOC, "2025-2026", &entries);
        assert_eq!(out, DOC.replace("- [ ] a task item\n", "- [ ] a task item\n- **10:00-10:30**: Middle [[P]]\n"));
    }

    #[test]
    fn a_new_day_and_month_are_made_in_date_order() {
        let mut entries = entries_of(DOC);
        let mut august = entries[1].clone();
        august.date = "2025-08-04".parse().unwrap();
        entries.push(august);
        let out = render_document(DOC, "2025-2026", &entries);
        assert!(
            out.ends_with(
                "<!-- a comment -->\n\n## August 2025\n\n### 2025-08-04\n\n- **11:00-12:00**: Second [[P]]\n"
            ),
            "{out}"
        );
        let mut earlier = entries_of(DOC);
        let mut day = earlier[0].clone();
        day.date = "2025-07-28".parse().unwrap();
        earlier.push(day);
        let out = render_document(DOC, "2025-2026", &earlier);
        assert!(out.contains("> [!note] A callout\n\n### 2025-07-28\n\n- **09:00-10:00**: First [[P]]\n  - Notes: one\n\n### 2025-07-29\n"), "{out}");
    }

    #[test]
    fn edits_and_deletes_touch_only_their_lines() {
        let mut entries = entries_of(DOC);
        entries[1].task = "Second, renamed".into();
        entries.remove(0);
        let out = render_document(DOC, "2025-2026", &entries);
        assert_eq!(
            out,
            DOC.replace("- **09:00-10:00**: First [[P]]\n  - Notes: one\n", "")
                .replace("Second [[P]]", "Second, renamed [[P]]")
        );
    }

    #[test]
    fn normalised_lines_are_reported() {
        let text = "# Time Log 2025-2026\n\n### 2025-07-29\n\n- **9:00-10:00**: Spaced   out  [[P]]   [Bug]\n\t- Notes: tabbed\n";
        let doc = parse_document(text);
        let found = normalized_lines(&doc);
        assert_eq!(
            found,
            vec![(5, "- **09:00-10:00**: Spaced   out [[P]] [bug]".to_owned()), (6, "  - Notes: tabbed".to_owned())]
        );
    }
}
