//! Identity: the verified principal (user, tenant, groups) and, where no API Gateway
//! stands in front (local server, tests), the JWT verification it would have done.

pub mod jwks;
pub mod keys;
pub mod principal;
pub mod verifier;

pub use principal::Principal;
pub use verifier::{JwtVerifier, TrustedIssuer};

use std::fmt;

/// Why a request is not authenticated (always a 401; the message says what to do).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthError(pub String);

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AuthError {}
