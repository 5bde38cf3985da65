//! JSON Web Key Sets: fetched over HTTP (moto's Cognito, another local server) or held
//! in process (the local issuer's own key).

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use jsonwebtoken::jwk::JwkSet;
use std::time::Duration;
use tm_service::auth::AuthError;

/// Fetches a JWKS document. Plain `http://` only: the in-process verifier serves the
/// local server and tests (moto, the local issuer); in AWS, API Gateway verifies tokens.
pub async fn fetch_jwks(url: &str) -> Result<JwkSet, AuthError> {
    let uri: hyper::Uri = url.parse().map_err(|_| AuthError(format!("JWKS URL {url:?} is not a URL")))?;
    if uri.scheme_str() != Some("http") {
        return Err(AuthError(format!(
            "JWKS URL {url:?}: only http:// is supported by the local verifier; in AWS the API Gateway authorizer verifies tokens"
        )));
    }
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let response = tokio::time::timeout(Duration::from_secs(5), client.get(uri))
        .await
        .map_err(|_| AuthError(format!("JWKS URL {url} did not answer within 5 s")))?
        .map_err(|e| AuthError(format!("cannot fetch JWKS from {url}: {e}")))?;
    if !response.status().is_success() {
        return Err(AuthError(format!("JWKS URL {url} answered {}", response.status())));
    }
    let body = response.into_body().collect().await.map_err(|e| AuthError(format!("reading JWKS from {url}: {e}")))?;
    serde_json::from_slice(&body.to_bytes()).map_err(|e| AuthError(format!("JWKS from {url} is not a key set: {e}")))
}
