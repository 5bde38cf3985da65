//! Token verification where no API Gateway stands in front (the local server, tests):
//! the verifier and the local issuer's signing key, from `tm-tokens`. Never linked into
//! a Lambda function's HTTP routes (API Gateway verifies their tokens).

pub use tm_tokens::{JwtVerifier, TrustedIssuer, jwks, keys, token_cache, verifier};
