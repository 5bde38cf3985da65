//! The data a report is computed from: the stored entries (the caller's, or for team
//! reports those the access rules let the caller see, docs/rules.md §9), the months
//! read from their aggregates, and the projects the entries name.

use crate::context::{AppContext, Caller};
use crate::error::AppError;
use crate::store::StoredEntry;
use crate::store::aggregates::month_aggregates;
use chrono::NaiveDate;
use tm_core::domain::ProjectCatalog;
use tm_core::domain::calendar::Month;
use tm_core::domain::{Entry, FiscalYear};
use tm_core::reports::engine::{Merged, ReportEntry, ReportSource};

/// The stored entries a report is computed from, each with its user (the caller's own,
/// or for team reports those the caller may see), and the projects they refer to.
pub(crate) struct Loaded {
    pub(crate) stored: Vec<(String, StoredEntry)>,
    /// Months read from their aggregates: rows that stand for several entries.
    pub(crate) merged: Vec<(String, Entry, Merged)>,
    pub(crate) catalog: ProjectCatalog,
    pub(crate) team: bool,
    /// Team data only: users left out (see [`crate::access::team_data`]).
    pub skipped: Vec<String>,
    /// Fiscal years only: how many months came from their aggregates.
    pub(crate) aggregated_months: Option<usize>,
}

impl Loaded {
    pub(crate) async fn new(
        ctx: &AppContext,
        caller: &Caller,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        project: Option<&str>,
    ) -> Result<Self, AppError> {
        let stored = crate::access::entries_of(ctx, caller.owner.clone(), from, to, project.map(str::to_owned)).await?;
        Ok(Self {
            stored,
            merged: Vec::new(),
            catalog: crate::access::catalog(ctx, caller).await?,
            team: false,
            skipped: Vec::new(),
            aggregated_months: None,
        })
    }

    /// Team data: see [`crate::access::team_data`].
    pub(crate) async fn team(
        ctx: &AppContext,
        caller: &Caller,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        scope: crate::access::TeamScope<'_>,
        skip_corrupt: bool,
    ) -> Result<Self, AppError> {
        let data = crate::access::team_data(ctx, caller, from, to, scope, skip_corrupt).await?;
        Ok(Self {
            stored: data.stored,
            merged: Vec::new(),
            catalog: data.catalog,
            team: true,
            skipped: data.skipped,
            aggregated_months: None,
        })
    }

    /// The caller's fiscal year for its report: each month from its aggregate while
    /// that is current (see [`crate::store::aggregates`]), the other months' entries
    /// read as usual.
    pub(crate) async fn fiscal_year(ctx: &AppContext, caller: &Caller, fy: &FiscalYear) -> Result<Self, AppError> {
        let mut months = Vec::new();
        let mut month = Month::of(fy.start());
        while month.first_day() <= fy.end() {
            months.push(month);
            month = Month::of(month.last_day() + chrono::Days::new(1));
        }
        let versions = ctx.store.month_versions(&caller.owner).await?;
        let (first, last) = (months[0].to_string(), months[months.len() - 1].to_string());
        let aggregates = month_aggregates(ctx.store.as_ref(), &caller.owner, &first, &last).await?;
        let mut merged = Vec::new();
        let mut covered = std::collections::HashSet::new();
        for aggregate in aggregates {
            if versions.get(&aggregate.month).copied().unwrap_or(0) != aggregate.month_version {
                continue;
            }
            covered.insert(aggregate.month.clone());
            for bucket in aggregate.buckets {
                merged.push((caller.owner.user().to_owned(), bucket.representative(), bucket.merged));
            }
        }
        // The other months, as runs of consecutive months (one paged query each).
        let mut stored = Vec::new();
        let mut run: Option<(NaiveDate, NaiveDate)> = None;
        for month in months.iter().map(Some).chain([None]) {
            match month.filter(|m| !covered.contains(&m.to_string())) {
                Some(m) => run = Some((run.map_or(m.first_day(), |r| r.0), m.last_day())),
                None => {
                    if let Some((from, to)) = run.take() {
                        stored.extend(
                            crate::access::entries_of(ctx, caller.owner.clone(), Some(from), Some(to), None).await?,
                        );
                    }
                }
            }
        }
        Ok(Self {
            stored,
            merged,
            catalog: crate::access::catalog(ctx, caller).await?,
            team: false,
            skipped: Vec::new(),
            aggregated_months: Some(covered.len()),
        })
    }

    /// The caller's own stored entries that were read (not those of aggregated months).
    pub(crate) fn stored(&self) -> impl Iterator<Item = &StoredEntry> {
        self.stored.iter().map(|(_, s)| s)
    }

    pub(crate) fn rows(&self) -> Vec<ReportEntry<'_>> {
        let merged = self.merged.iter().map(|(user, entry, m)| ReportEntry { user, entry, merged: Some(m), id: None });
        self.stored.iter().map(|(user, s)| ReportEntry::new(user, &s.entry).with_id(&s.id)).chain(merged).collect()
    }

    pub(crate) fn source<'a>(&'a self, rows: &'a [ReportEntry<'a>], suppressed: &'a [String]) -> ReportSource<'a> {
        ReportSource { entries: rows, projects: &self.catalog, default_suppressed: suppressed, team: self.team }
    }
}
