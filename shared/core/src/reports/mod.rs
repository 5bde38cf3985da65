//! Reports (docs/rules.md §8): one engine, four output formats.

pub mod engine;
pub mod format;
pub mod options;
pub mod spreadsheet;

pub use engine::{
    DailyReport, Page, PeriodKind, PeriodReport, ProjectSummaryReport, ReportEntry, ReportError, ReportSource,
    TagSummaryReport, daily_report, fiscal_year_report, monthly_report, project_summary, range_report, since_report,
    tag_summary, weekly_report,
};
pub use format::Report;
pub use options::{Format, GroupBy, ReportOptions, SortBy, TopTasks};
