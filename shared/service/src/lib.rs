//! Temporal Mark's service: what happens on a request, on an upload and on the schedule,
//! over the core ([`tm_core`]). Layers, bottom up:
//! - [`store`]: the storage ports (and, for now, their adapters);
//! - [`auth`]: the verified principal;
//! - [`jobs`], [`handlers`]: ingest, uploads, canonical logs, scheduled reports, and the
//!   API's handlers;
//! - [`http`]: the route table and the API's request, response and error types.

pub mod auth;
pub mod handlers;
pub mod http;
pub mod jobs;
pub mod store;
