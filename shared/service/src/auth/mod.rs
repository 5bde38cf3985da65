//! Identity: the principal (user, tenant, groups) from claims a verifier has already
//! checked (API Gateway's JWT authorizer in AWS; tm-local's verifier locally), and the
//! port to the user pool that signs people in.

pub mod identity;
pub mod principal;

pub use identity::{IdentityError, IdentityProvider, Invitation, Invited};
pub use principal::Principal;

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
