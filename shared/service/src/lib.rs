//! Temporal Mark's service: what happens on a request, on an upload and on the schedule,
//! over the core ([`tm_core`]). Modules, bottom up; each uses only those above it in
//! this list (a test, `tests/layers.rs`, holds them to it):
//! - [`store`]: the storage ports and the records they store (adapters: `tm-embedded`,
//!   `tm-aws`);
//! - [`auth`]: the principal from verified claims;
//! - [`error`]: what an application service fails with, by kind;
//! - [`context`]: the stores and clock of a process, the caller of a request;
//! - [`access`]: the tenant's access rules, project resolution, team data, the audit;
//! - [`feed`]: what a person's live channels carry (their changes, their colleagues' on shared projects);
//! - [`report_data`]: what a report is computed from;
//! - [`jobs`]: ingest, uploads, canonical logs, scheduled reports;
//! - [`http`]: the route table, the API's request, response and error types, and the
//!   one mapping of application errors to statuses;
//! - [`handlers`]: one handler per route;
//! - [`api`]: the axum router of the route table that serves them, locally and in
//!   each Lambda function.

pub mod access;
pub mod api;
pub mod auth;
pub mod context;
pub mod error;
pub mod feed;
pub mod handlers;
pub mod http;
pub mod jobs;
pub mod report_data;
pub mod store;
