//! JSON Web Key Sets, fetched over HTTP(S): Cognito's `/.well-known/jwks.json` (the
//! WebSocket authorizer), moto's Cognito or another local server (tests).

use jsonwebtoken::jwk::JwkSet;
use std::time::Duration;
use tm_service::auth::AuthError;

/// Fetches a JWKS document within 5 s. The URL comes from the deployment's own
/// configuration (never from a token), so any http(s) address is allowed.
pub async fn fetch_jwks(url: &str) -> Result<JwkSet, AuthError> {
    let parsed = reqwest::Url::parse(url).map_err(|_| AuthError(format!("JWKS URL {url:?} is not a URL")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(AuthError(format!("JWKS URL {url:?} must be http:// or https://")));
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .no_proxy()
        .build()
        .map_err(|e| AuthError(format!("cannot build the JWKS client: {e}")))?;
    let response = client.get(parsed).send().await.map_err(|e| {
        if e.is_timeout() {
            AuthError(format!("JWKS URL {url} did not answer within 5 s"))
        } else {
            AuthError(format!("cannot fetch JWKS from {url}: {e}"))
        }
    })?;
    if !response.status().is_success() {
        return Err(AuthError(format!("JWKS URL {url} answered {}", response.status())));
    }
    let body = response.bytes().await.map_err(|e| AuthError(format!("reading JWKS from {url}: {e}")))?;
    serde_json::from_slice(&body).map_err(|e| AuthError(format!("JWKS from {url} is not a key set: {e}")))
}
