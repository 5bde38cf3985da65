//! tm-local: every API route on one port, the embedded store, and a Cognito-like login.
//! The binary (`main.rs`) parses flags and starts [`server`]; the tests drive the same
//! pieces.

pub mod auth;
pub mod issuer;
pub mod live;
pub mod server;
pub mod web;
pub mod webhooks;
