//! Jobs: log ingest, canonical logs (and, later, scheduled reports).

pub mod canonical;
pub mod ingest;
pub mod uploads;
