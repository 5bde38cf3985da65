//! Planning the ingest of one fiscal year's log (SPEC §10): parse and validate the whole
//! file, then compute the smallest change that makes the user's entries of that year
//! exactly the file's. Pure: storage applies the plan as one unit.
//!
//! Diff-based: entries equal to a stored one keep their id and are not written; a
//! changed line becomes one update of the stored entry at the same date and start (or,
//! failing that, the next unmatched one of that date); only what is left is inserted or
//! deleted. Re-uploading a log with one changed line therefore writes one entry.

use crate::domain::calendar::FiscalYear;
use crate::domain::diagnostic::{Code, Diagnostic, has_errors};
use crate::domain::duration::overlaps;
use crate::domain::entry::Entry;
use crate::markdown::log::parse_log;
use crate::store::StoredEntry;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// What applying a log changes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IngestPlan {
    /// Every finding, by line; any error means nothing may change.
    pub diagnostics: Vec<Diagnostic>,
    pub unchanged: usize,
    /// Stored entries rewritten in place (same id).
    pub updates: Vec<StoredEntry>,
    pub inserts: Vec<StoredEntry>,
    /// Ids of stored entries the file no longer has.
    pub deletes: Vec<String>,
    /// The running timer after the ingest, when this log decides it: `Some(Some(id))`
    /// the file's `[ACTIVE]` entry, `Some(None)` no timer, `None` leave it.
    pub timer: Option<Option<String>>,
}

impl IngestPlan {
    pub fn is_rejected(&self) -> bool {
        has_errors(&self.diagnostics)
    }

    /// Entries written (updates + inserts) plus entries deleted.
    pub fn writes(&self) -> usize {
        self.updates.len() + self.inserts.len() + self.deletes.len()
    }
}

/// What the plan is computed against.
pub struct IngestContext<'a> {
    pub fiscal_year: &'a FiscalYear,
    /// The user's stored entries dated inside the fiscal year.
    pub current: &'a [StoredEntry],
    /// Stored entries of other years that could touch this one: those dated the day
    /// before the year starts (a midnight crossing) and the running timer, if any.
    pub neighbours: &'a [StoredEntry],
    /// The user's running timer, wherever it is.
    pub running_timer: Option<&'a StoredEntry>,
    pub now: DateTime<Utc>,
}

pub fn plan_ingest(text: &str, ctx: &IngestContext<'_>, mut new_id: impl FnMut() -> String) -> IngestPlan {
    let log = parse_log(text);
    let mut diagnostics = log.diagnostics;
    let fy = ctx.fiscal_year;

    let expected_title = format!("Time Log {}", fy.label());
    if let Some(title) = log.title.as_deref().filter(|t| *t != expected_title) {
        diagnostics.push(Diagnostic::warning(
            1,
            Code::TitleMismatch,
            format!(
                "the title is {title:?} but this is the log of {}; it will read \"# {expected_title}\"",
                fy.label()
            ),
        ));
    }
    for (entry, &line) in log.entries.iter().zip(&log.entry_lines) {
        if !fy.contains(entry.date) {
            diagnostics.push(Diagnostic::error(
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
        for other in ctx.neighbours.iter().filter(|n| !fy.contains(n.entry.date)) {
            if overlaps(entry, &other.entry) {
                diagnostics.push(Diagnostic::error(
                    line,
                    Code::Overlap,
                    format!(
                        "{} overlaps {} ({}) on {} in another fiscal year's log; change one of them",
                        entry.range_label(),
                        other.entry.range_label(),
                        other.entry.task,
                        other.entry.date
                    ),
                ));
            }
        }
        let timer_elsewhere = ctx.running_timer.filter(|t| !fy.contains(t.entry.date));
        if entry.is_active()
            && let Some(timer) = timer_elsewhere
        {
            diagnostics.push(Diagnostic::error(
                line,
                Code::MultipleActive,
                format!(
                    "a timer is already running since {} {} ({}) in another fiscal year; finish it before logging [ACTIVE] here",
                    timer.entry.date, timer.entry.start, timer.entry.task
                ),
            ));
        }
    }
    diagnostics.sort_by_key(|d| d.line);
    if has_errors(&diagnostics) {
        return IngestPlan { diagnostics, ..Default::default() };
    }

    let mut plan = IngestPlan { diagnostics, ..Default::default() };
    // Stored entries not yet matched, by exact content, then by (date, start).
    let mut by_content: HashMap<&Entry, Vec<usize>> = HashMap::new();
    for (i, stored) in ctx.current.iter().enumerate() {
        by_content.entry(&stored.entry).or_default().push(i);
    }
    let mut matched = vec![false; ctx.current.len()];
    let mut unmatched_incoming: Vec<&Entry> = Vec::new();
    let mut kept: Vec<(usize, &Entry)> = Vec::new();
    for entry in &log.entries {
        match by_content.get_mut(entry).and_then(Vec::pop) {
            Some(i) => {
                matched[i] = true;
                kept.push((i, entry));
            }
            None => unmatched_incoming.push(entry),
        }
    }
    plan.unchanged = kept.len();
    let mut by_slot: HashMap<(chrono::NaiveDate, crate::domain::ClockTime), Vec<usize>> = HashMap::new();
    let mut by_day: HashMap<chrono::NaiveDate, Vec<usize>> = HashMap::new();
    for (i, stored) in ctx.current.iter().enumerate().rev() {
        if !matched[i] {
            by_slot.entry((stored.entry.date, stored.entry.start)).or_default().push(i);
            by_day.entry(stored.entry.date).or_default().push(i);
        }
    }
    for entry in unmatched_incoming {
        let target = first_unmatched(by_slot.get_mut(&(entry.date, entry.start)), &mut matched)
            .or_else(|| first_unmatched(by_day.get_mut(&entry.date), &mut matched));
        match target {
            Some(i) => {
                let old = &ctx.current[i];
                plan.updates.push(StoredEntry {
                    id: old.id.clone(),
                    entry: entry.clone(),
                    created_at: old.created_at,
                    updated_at: ctx.now,
                });
            }
            None => plan.inserts.push(StoredEntry {
                id: new_id(),
                entry: entry.clone(),
                created_at: ctx.now,
                updated_at: ctx.now,
            }),
        }
    }
    plan.deletes = ctx.current.iter().zip(&matched).filter(|(_, m)| !**m).map(|(s, _)| s.id.clone()).collect();

    // The timer: the file's [ACTIVE] entry, or none if the timer was in this year.
    let active_id = kept
        .iter()
        .find(|(_, e)| e.is_active())
        .map(|(i, _)| ctx.current[*i].id.clone())
        .or_else(|| plan.updates.iter().chain(&plan.inserts).find(|s| s.entry.is_active()).map(|s| s.id.clone()));
    let timer_here = ctx.running_timer.is_some_and(|t| fy.contains(t.entry.date));
    plan.timer = match (active_id, timer_here) {
        (Some(id), _) => Some(Some(id)),
        (None, true) => Some(None),
        (None, false) => None,
    };
    plan
}

/// Takes the first candidate not matched yet, marking it matched.
fn first_unmatched(candidates: Option<&mut Vec<usize>>, matched: &mut [bool]) -> Option<usize> {
    let candidates = candidates?;
    while let Some(i) = candidates.pop() {
        if !matched[i] {
            matched[i] = true;
            return Some(i);
        }
    }
    None
}
