//! Every failure as `{"error": {"code", "message", "details"}}` with the right status.
//! Client mistakes are 4xx; only a failing store or a bug is a 5xx.

use super::ApiResponse;
use crate::store::StoreError;
use serde_json::{Value, json};

#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub details: Value,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), details: Value::Null }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "not-found", message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(409, code, message)
    }

    pub fn into_response(self) -> ApiResponse {
        let body = json!({"error": {"code": self.code, "message": self.message, "details": self.details}});
        ApiResponse::json(self.status, &body)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        if e.is_ingest_in_progress() {
            return Self::new(
                503,
                "ingest-in-progress",
                "a large upload is being applied to your entries; retry in a few seconds",
            );
        }
        tracing::error!(error = %e, "store failure");
        Self::new(503, "store-unavailable", "the data store is not available right now; retry in a moment")
    }
}
