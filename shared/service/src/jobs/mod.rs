//! Jobs: log ingest, canonical logs and scheduled reports.

pub mod canonical;
pub mod ingest;
pub mod patch;
pub mod publisher;
pub mod scheduled;
pub mod uploads;
