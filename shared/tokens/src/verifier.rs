//! In-process token verification, the same checks API Gateway's JWT authorizer makes:
//! RS256 only, key by `kid` from a cached JWKS, issuer, audience (ID tokens) or
//! client id (access tokens), expiry and not-before, token use.

use crate::jwks::fetch_jwks;
use crate::token_cache::TokenCache;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tm_service::auth::AuthError;
use tokio::sync::RwLock;

/// An issuer whose tokens are accepted.
#[derive(Clone, Debug)]
pub struct TrustedIssuer {
    /// Exact `iss` claim, e.g. `https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc`.
    pub issuer: String,
    /// Where its keys are; `None` when they are given in process.
    pub jwks_url: Option<String>,
    /// App client ids: `aud` of ID tokens, `client_id` of access tokens.
    pub audiences: Vec<String>,
}

struct IssuerKeys {
    trusted: TrustedIssuer,
    keys: RwLock<KeyCache>,
}

#[derive(Default)]
struct KeyCache {
    by_kid: HashMap<String, DecodingKey>,
    fetched_at: Option<Instant>,
}

/// Unknown `kid`s trigger a refetch at most this often (key rotation without letting
/// forged `kid`s hammer the JWKS endpoint).
const REFETCH_AFTER: Duration = Duration::from_secs(60);
/// Clock skew allowed on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 30;

pub struct JwtVerifier {
    issuers: Vec<IssuerKeys>,
    verified: TokenCache,
}

fn epoch_seconds() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn keys_of(set: &JwkSet) -> HashMap<String, DecodingKey> {
    set.keys.iter().filter_map(|jwk| Some((jwk.common.key_id.clone()?, DecodingKey::from_jwk(jwk).ok()?))).collect()
}

fn unauthorized(message: impl Into<String>) -> AuthError {
    AuthError(message.into())
}

/// The `iss` of a token before verification, only to choose which keys to verify with.
fn unverified_issuer(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: Map<String, Value> = serde_json::from_slice(&bytes).ok()?;
    claims.get("iss")?.as_str().map(str::to_owned)
}

impl JwtVerifier {
    pub fn new(issuers: Vec<TrustedIssuer>) -> Self {
        Self {
            issuers: issuers.into_iter().map(|trusted| IssuerKeys { trusted, keys: RwLock::default() }).collect(),
            verified: TokenCache::default(),
        }
    }

    /// Trusts `issuer` with keys given in process (the local issuer's own key set).
    pub async fn add_static(&mut self, trusted: TrustedIssuer, set: &JwkSet) {
        let cache = KeyCache { by_kid: keys_of(set), fetched_at: Some(Instant::now()) };
        self.issuers.push(IssuerKeys { trusted, keys: RwLock::new(cache) });
    }

    async fn key(&self, issuer: &IssuerKeys, kid: &str) -> Result<DecodingKey, AuthError> {
        if let Some(key) = issuer.keys.read().await.by_kid.get(kid) {
            return Ok(key.clone());
        }
        let Some(url) = issuer.trusted.jwks_url.as_deref() else {
            return Err(unauthorized("the token's signing key (kid) is unknown; log in again"));
        };
        let mut cache = issuer.keys.write().await;
        let stale = cache.fetched_at.is_none_or(|at| at.elapsed() >= REFETCH_AFTER);
        if stale && !cache.by_kid.contains_key(kid) {
            let set = fetch_jwks(url).await?;
            cache.by_kid = keys_of(&set);
            cache.fetched_at = Some(Instant::now());
            // A key may have been withdrawn: tokens it signed must not outlive it here.
            self.verified.clear();
        }
        cache
            .by_kid
            .get(kid)
            .cloned()
            .ok_or_else(|| unauthorized("the token's signing key (kid) is unknown; log in again"))
    }

    /// The claims of a valid token. A token verified before is answered from the cache
    /// until its `exp` (plus the allowed skew): its signature and claims cannot have
    /// changed, only the clock, and expiry is checked again on every use.
    pub async fn verify(&self, token: &str) -> Result<Map<String, Value>, AuthError> {
        let now = epoch_seconds();
        if let Some(claims) = self.verified.get(token, now) {
            return Ok(claims);
        }
        let claims = self.verify_signed(token).await?;
        // `exp` is required and was checked; a token without a numeric one is not kept.
        if let Some(exp) = claims.get("exp").and_then(Value::as_u64) {
            self.verified.put(token, &claims, exp.saturating_add(LEEWAY_SECONDS), now);
        }
        Ok(claims)
    }

    async fn verify_signed(&self, token: &str) -> Result<Map<String, Value>, AuthError> {
        let header = decode_header(token).map_err(|_| unauthorized("the bearer token is not a JWT; log in again"))?;
        if header.alg != Algorithm::RS256 {
            return Err(unauthorized(format!("tokens must be signed with RS256, not {:?}", header.alg)));
        }
        let kid = header.kid.ok_or_else(|| unauthorized("the token has no key id (kid); log in again"))?;
        let iss =
            unverified_issuer(token).ok_or_else(|| unauthorized("the token has no issuer (iss); log in again"))?;
        let issuer = self.issuers.iter().find(|i| i.trusted.issuer == iss).ok_or_else(|| {
            unauthorized("the token was issued by an issuer this service does not trust; log in again")
        })?;
        let key = self.key(issuer, &kid).await?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[issuer.trusted.issuer.as_str()]);
        validation.validate_aud = false; // checked below: access tokens carry client_id
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        let data = decode::<Map<String, Value>>(token, &key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            unauthorized(match e.kind() {
                ErrorKind::ExpiredSignature => "the token has expired; log in again or refresh it".to_owned(),
                ErrorKind::ImmatureSignature => "the token is not valid yet (nbf); check the clock".to_owned(),
                ErrorKind::InvalidIssuer => "the token's issuer is not trusted".to_owned(),
                ErrorKind::InvalidSignature => "the token's signature is invalid; log in again".to_owned(),
                _ => format!("the token is invalid ({e}); log in again"),
            })
        })?;
        let claims = data.claims;
        let client = match claims.get("token_use").and_then(Value::as_str) {
            Some("id") => match claims.get("aud") {
                Some(Value::String(aud)) => Some(aud.clone()),
                Some(Value::Array(auds)) => auds
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|a| issuer.trusted.audiences.iter().any(|t| t == a))
                    .map(str::to_owned),
                _ => None,
            },
            Some("access") => claims.get("client_id").and_then(Value::as_str).map(str::to_owned),
            _ => {
                return Err(unauthorized(
                    "the token is neither an ID nor an access token (token_use); send one of those",
                ));
            }
        };
        match client {
            Some(c) if issuer.trusted.audiences.contains(&c) => Ok(claims),
            _ => Err(unauthorized("the token was issued for another application (audience); log in through this one")),
        }
    }
}
