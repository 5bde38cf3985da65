//! Transport-neutral requests and responses: the Lambda adapter and the local server
//! both translate to these, so the handlers are one piece of code.

pub mod answers;
pub mod bodies;
pub mod error;
pub mod openapi;
pub mod routes;

pub use error::ApiError;

use serde::Serialize;

/// Bodies above this are refused with 413 (docs/rules.md §10: 1 MB).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub use crate::jobs::ingest::MAX_FILE_BYTES;

#[derive(Clone, Debug, Default)]
pub struct ApiRequest {
    /// Upper-case method.
    pub method: String,
    pub path: String,
    /// Decoded query parameters, in order (repeats allowed).
    pub query: Vec<(String, String)>,
    /// Lower-case header names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub request_id: String,
}

impl ApiRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The last value of a query parameter (a repeated scalar takes the last).
    pub fn query_one(&self, name: &str) -> Option<&str> {
        self.query.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn query_all(&self, name: &str) -> Vec<&str> {
        self.query.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect()
    }

    /// Parses `a=1&b=x%20y` (as the local server receives it).
    pub fn parse_query(raw: &str) -> Vec<(String, String)> {
        raw.split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                let decode = |s: &str| {
                    percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
                };
                (decode(k), decode(v))
            })
            .collect()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ApiResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl ApiResponse {
    pub fn json<T: Serialize>(status: u16, value: &T) -> Self {
        let body = serde_json::to_vec(value).expect("response bodies serialise");
        Self { status, headers: vec![("content-type".into(), "application/json".into())], body }
    }

    pub fn text(status: u16, content_type: &str, body: String) -> Self {
        Self { status, headers: vec![("content-type".into(), content_type.into())], body: body.into_bytes() }
    }

    pub fn no_content() -> Self {
        Self { status: 204, headers: Vec::new(), body: Vec::new() }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}
