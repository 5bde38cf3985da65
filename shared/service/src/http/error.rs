//! Every failure as `{"error": {"code", "message", "details"}}` with the right status.
//! Client mistakes are 4xx; only a failing store or a bug is a 5xx.

use super::ApiResponse;
use crate::error::{AppError, Problem};
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

    /// A bug on the service's side (never the client's input, never the store's):
    /// logged, answered 500 `internal`.
    pub fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(error = %error, "internal error");
        Self::new(500, "internal", "the service failed to answer this request; it is logged, please report it")
    }

    /// How long a throttled client (429) should wait, for a `Retry-After` header.
    pub fn retry_after_seconds(&self) -> Option<u64> {
        (self.status == 429).then(|| self.details["retryAfterSeconds"].as_u64()).flatten()
    }

    pub fn into_api_response(self) -> ApiResponse {
        let body = json!({"error": {"code": self.code, "message": self.message, "details": self.details}});
        ApiResponse::json(self.status, &body)
    }
}

/// The one mapping of application failures to statuses. Of store failures, what a retry
/// can fix is a 503 (with what to do), what it cannot is a 500.
impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let answer = |status, Problem { code, message, details }| Self { status, code, message, details };
        match e {
            AppError::Invalid(p) => answer(400, p),
            AppError::Forbidden(p) => answer(403, p),
            AppError::NotFound(p) => answer(404, p),
            AppError::Conflict(p) => answer(409, p),
            AppError::Store(e) => Self::from(e),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::IngestInProgress => Self::new(
                503,
                "ingest-in-progress",
                "a large upload is being applied to your entries; retry in a few seconds",
            ),
            StoreError::Busy(reason) => {
                tracing::warn!(reason = %reason, "store busy");
                Self::new(503, "busy", "too many changes at once; retry in a moment")
            }
            StoreError::Unavailable { .. } => {
                tracing::error!(error = %e, "store failure");
                Self::new(503, "store-unavailable", "the data store is not available right now; retry in a moment")
            }
            StoreError::Corrupt { .. } | StoreError::Misuse(_) => Self::internal(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A retry can fix a 503 (and the code says which kind); corrupt data and bugs are
    /// a 500, and only the retryable kinds make a job deliver its message again.
    #[test]
    fn store_failures_map_by_kind() {
        let cases = [
            (StoreError::IngestInProgress, 503, "ingest-in-progress", true),
            (StoreError::Busy("throttled".into()), 503, "busy", true),
            (StoreError::unavailable("DynamoDB", "connection reset"), 503, "store-unavailable", true),
            (StoreError::corrupt("item", "expected a string"), 500, "internal", false),
            (StoreError::misuse("invalid object key"), 500, "internal", false),
        ];
        for (error, status, code, retryable) in cases {
            assert_eq!(error.is_retryable(), retryable, "{error}");
            let answer = ApiError::from(error);
            assert_eq!((answer.status, answer.code), (status, code));
            assert!(!answer.message.contains("connection reset"), "no internals in the answer: {}", answer.message);
        }
        let app = [
            (AppError::invalid("invalid-owner", "give the owner once"), 400, "invalid-owner"),
            (AppError::forbidden("viewers cannot log time"), 403, "forbidden"),
            (AppError::not_found("not-found", "no project named \"X\""), 404, "not-found"),
            (AppError::conflict("ambiguous-project", "two colleagues share X"), 409, "ambiguous-project"),
            (AppError::Store(StoreError::Busy("throttled".into())), 503, "busy"),
        ];
        for (error, status, code) in app {
            assert_eq!(error.is_retryable(), status == 503, "{error}");
            let answer = ApiError::from(error);
            assert_eq!((answer.status, answer.code), (status, code));
        }
        let details = AppError::conflict("ambiguous-project", "two").with_details(json!({"logAs": ["a/X"]}));
        assert_eq!(ApiError::from(details).details, json!({"logAs": ["a/X"]}), "details reach the answer");
        let corrupt = StoreError::corrupt("document SHARE#x", "missing field `owner`");
        assert_eq!(corrupt.to_string(), "corrupt document SHARE#x: missing field `owner`");
        assert!(std::error::Error::source(&corrupt).is_some(), "the cause is kept for logs");
    }
}
