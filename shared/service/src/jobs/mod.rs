//! Jobs: log ingest, canonical logs and scheduled reports.

pub mod canonical;
pub mod ingest;
pub mod patch;
pub mod publisher;
pub mod scheduled;
pub mod sign_in;
pub mod uploads;
