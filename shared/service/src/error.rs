//! What an application service can fail with, by kind. The HTTP layer maps each kind to
//! a status once (`http::error`), and jobs decide by kind whether a retry can help;
//! nothing below the HTTP edge knows about statuses.

use crate::store::StoreError;
use serde_json::Value;

/// A failure the caller can act on: a stable machine-readable code, a message that says
/// how to fix it, and details for clients (suggestions, the candidates of an ambiguous
/// name).
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub code: &'static str,
    pub message: String,
    pub details: Value,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is malformed or contradicts itself.
    #[error("{}: {}", .0.code, .0.message)]
    Invalid(Problem),
    /// The request is well-formed, but what it names does not exist for this caller
    /// (someone else's data that the caller may not see is also not found).
    #[error("{}: {}", .0.code, .0.message)]
    NotFound(Problem),
    /// The caller may see the thing but may not do this to it.
    #[error("{}: {}", .0.code, .0.message)]
    Forbidden(Problem),
    /// The request conflicts with the stored data or names more than one thing.
    #[error("{}: {}", .0.code, .0.message)]
    Conflict(Problem),
    /// The store itself failed; its kind says whether a retry can help.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn problem(code: &'static str, message: impl Into<String>) -> Problem {
    Problem { code, message: message.into(), details: Value::Null }
}

impl AppError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid(problem(code, message))
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::NotFound(problem(code, message))
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(problem("forbidden", message))
    }

    /// Forbidden, with a code that says why.
    pub fn refused(code: &'static str, message: impl Into<String>) -> Self {
        Self::Forbidden(problem(code, message))
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict(problem(code, message))
    }

    pub fn with_details(mut self, details: Value) -> Self {
        if let Self::Invalid(p) | Self::NotFound(p) | Self::Forbidden(p) | Self::Conflict(p) = &mut self {
            p.details = details;
        }
        self
    }

    /// Whether doing the same again later can succeed (only a store failure of a
    /// retryable kind): a job delivers its message again for these and drops the rest.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Store(e) if e.is_retryable())
    }
}
