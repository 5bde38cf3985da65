//! Token verification where no API Gateway stands in front (the local server, tests):
//! the checks API Gateway's Cognito JWT authorizer does, the JWKS it fetches, and the
//! signing key of the local issuer. Never linked into a Lambda function.

pub mod jwks;
pub mod keys;
pub mod token_cache;
pub mod verifier;

pub use verifier::{JwtVerifier, TrustedIssuer};
