//! Jobs: log ingest (and, later, scheduled reports).

pub mod ingest;
