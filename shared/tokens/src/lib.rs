//! Token verification where the code itself checks a bearer token: tm-local (no API
//! Gateway in front) and the WebSocket API's `$connect` authorizer in AWS (API Gateway's
//! JWT authorizer serves HTTP APIs only). The checks are those of API Gateway's Cognito
//! JWT authorizer; the JWKS is fetched and cached; `keys` signs tokens for the local
//! issuer and tests.

pub mod jwks;
pub mod keys;
pub mod token_cache;
pub mod verifier;

pub use verifier::{JwtVerifier, TrustedIssuer};
