//! A local token issuer that mimics Amazon Cognito closely enough for the API and its
//! clients: RS256 ID and access tokens with Cognito's claims, a JWKS, a hosted login
//! page (authorization code with PKCE), refresh tokens, and for scripts
//! `POST /local/signup` and `POST /local/login`. For local use only: anyone who can
//! reach it can sign up, in any tenant and group.

mod redirects;
mod throttle;

pub use redirects::{RedirectUris, default_redirect_uris};

use crate::auth::TrustedIssuer;
use crate::auth::keys::SigningKey;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tm_embedded::EmbeddedStore;
use tm_service::http::ApiError;

/// The app client id of the local hosted login and of `/local/login`.
pub const CLIENT_ID: &str = "tm-local-client";
/// ID and access tokens live an hour, as Cognito's do by default.
pub const TOKEN_SECONDS: u64 = 3600;
const CODE_LIFETIME: Duration = Duration::from_secs(300);
const USERS: &str = "LOCAL#USERS";
const REFRESH: &str = "LOCAL#REFRESH";

#[derive(Clone, Debug, Serialize, Deserialize)]
struct LocalUser {
    sub: String,
    username: String,
    password_hash: String,
    tenant: Option<String>,
    groups: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct RefreshRecord {
    sub: String,
    username: String,
}

struct PendingCode {
    username: String,
    redirect_uri: String,
    challenge: String,
    expires: Instant,
}

#[derive(Debug, Serialize)]
pub struct Tokens {
    pub id_token: String,
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
    pub token_type: &'static str,
}

pub struct LocalIssuer {
    pub issuer: String,
    /// Where the hosted login may send a code.
    pub redirects: RedirectUris,
    key: SigningKey,
    store: EmbeddedStore,
    codes: Mutex<HashMap<String, PendingCode>>,
    throttle: throttle::Throttle,
    /// A hash of a random password: an unknown username is checked against it, so it
    /// costs what a wrong password costs and timing does not tell who has an account.
    decoy_hash: String,
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A PKCE (S256) verifier and its challenge.
pub fn pkce_pair() -> (String, String) {
    let verifier = random_token();
    let challenge = sha256_b64(&verifier);
    (verifier, challenge)
}

fn sha256_b64(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(text.as_bytes()))
}

fn now_seconds() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut rand::thread_rng());
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::new(500, "internal", e.to_string()))
}

fn bad_request_group(name: &str) -> ApiError {
    bad("invalid-group", format!("group {name:?} must be 1-128 characters without spaces, brackets, commas or quotes"))
}

fn bad(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::bad_request(code, message)
}

/// Writes the key readable by its owner only from the first byte, and whole or not at
/// all: it goes to a temporary file that is then renamed, so a crash never leaves a
/// half-written key that would stop the next start.
fn keep_private(path: &Path, pem: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let partial = path.with_extension("pem.partial");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&partial)?;
    file.write_all(pem.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&partial, path)
}

impl LocalIssuer {
    /// Loads the signing key from the data folder, or makes and keeps one, so tokens
    /// stay valid across restarts.
    pub fn open(
        store: EmbeddedStore,
        data_dir: &Path,
        issuer: String,
        redirects: RedirectUris,
    ) -> Result<Self, String> {
        let path = data_dir.join("local-issuer-key.pem");
        let key = match std::fs::read_to_string(&path) {
            Ok(pem) => SigningKey::from_pem(&pem, "local-1")?,
            Err(_) => {
                let (key, pem) = SigningKey::generate("local-1")?;
                keep_private(&path, &pem).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                key
            }
        };
        let decoy_hash = hash_password(&random_token()).map_err(|e| e.message)?;
        Ok(Self {
            issuer,
            redirects,
            key,
            store,
            codes: Mutex::new(HashMap::new()),
            throttle: throttle::Throttle::default(),
            decoy_hash,
        })
    }

    pub fn jwks(&self) -> jsonwebtoken::jwk::JwkSet {
        self.key.jwks()
    }

    pub fn trusted(&self) -> TrustedIssuer {
        TrustedIssuer { issuer: self.issuer.clone(), jwks_url: None, audiences: vec![CLIENT_ID.to_owned()] }
    }

    pub async fn signup(
        &self,
        username: &str,
        password: &str,
        tenant: Option<String>,
        groups: Vec<String>,
    ) -> Result<Tokens, ApiError> {
        let username = username.trim();
        if !(1..=128).contains(&username.len())
            || !username.bytes().all(|b| b.is_ascii_alphanumeric() || b"._@+-".contains(&b))
        {
            return Err(bad(
                "invalid-username",
                "username must be 1-128 characters of letters, digits, '.', '_', '@', '+', '-'",
            ));
        }
        if password.chars().count() < 8 {
            return Err(bad("weak-password", "password must have at least 8 characters"));
        }
        if let Some(t) = &tenant
            && (t.is_empty() || t.len() > 64 || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b)))
        {
            return Err(bad("invalid-tenant", "tenant must be 1-64 characters of letters, digits, '_', '-'"));
        }
        if let Some(bad) = groups.iter().find(|g| !tm_service::auth::principal::is_unambiguous_group(g)) {
            return Err(bad_request_group(bad));
        }
        let owned = password.to_owned();
        let password_hash = tokio::task::spawn_blocking(move || hash_password(&owned))
            .await
            .map_err(|e| ApiError::new(500, "internal", e.to_string()))??;
        let user = LocalUser {
            sub: uuid::Uuid::new_v4().to_string(),
            username: username.to_owned(),
            password_hash,
            tenant,
            groups,
        };
        if !self.store.put_item_if_absent(USERS, &username.to_lowercase(), &user).await? {
            return Err(ApiError::conflict(
                "username-taken",
                format!("username {username:?} is taken; log in with POST /local/login or pick another"),
            ));
        }
        // Sign-up enters the user in their tenant's directory (Cognito's sign-up trigger
        // will in AWS), so colleagues can add them to projects before they write anything.
        let owner = tm_service::store::Owner::new(user.tenant.as_deref().unwrap_or(&user.sub), &user.sub)
            .map_err(|e| bad("invalid-tenant", e.to_string()))?;
        tm_service::store::team::register_user(&self.store, &owner, chrono::Utc::now()).await?;
        self.mint(&user).await
    }

    /// Checks a sign-in from `address`: throttled per username and per address (429
    /// with the seconds to wait), and as slow for an unknown username as for a wrong
    /// password.
    async fn check_password(&self, username: &str, password: &str, address: &str) -> Result<LocalUser, ApiError> {
        if let Err(wait) = self.throttle.begin(username, address, Instant::now()) {
            let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
            return Err(ApiError::new(
                429,
                "too-many-attempts",
                format!("too many failed sign-ins; wait {seconds} s before trying again"),
            )
            .with_details(serde_json::json!({"retryAfterSeconds": seconds})));
        }
        let found: Option<LocalUser> = self.store.get_item(USERS, &username.trim().to_lowercase()).await?;
        let hash_text = found.as_ref().map_or(self.decoy_hash.clone(), |u| u.password_hash.clone());
        let password = password.to_owned();
        // Argon2 is deliberately slow: off the async threads.
        let verified = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash_text)
                .map(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        match found.filter(|_| verified) {
            Some(user) => {
                self.throttle.succeeded(username, address);
                Ok(user)
            }
            None => Err(ApiError::unauthorized("wrong username or password")),
        }
    }

    pub async fn login(&self, username: &str, password: &str, address: &str) -> Result<Tokens, ApiError> {
        let user = self.check_password(username, password, address).await?;
        self.mint(&user).await
    }

    /// Cognito's refresh grant: new ID and access tokens, the same refresh token.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Tokens, ApiError> {
        let invalid = || ApiError::unauthorized("the refresh token is not valid; log in again");
        let record: RefreshRecord =
            self.store.get_item(REFRESH, &sha256_b64(refresh_token)).await?.ok_or_else(invalid)?;
        let user: LocalUser = self.store.get_item(USERS, &record.username.to_lowercase()).await?.ok_or_else(invalid)?;
        let mut tokens = self.sign(&user);
        tokens.refresh_token = refresh_token.to_owned();
        Ok(tokens)
    }

    /// Checks the login form and returns a one-time authorization code.
    pub async fn authorize(
        &self,
        username: &str,
        password: &str,
        redirect_uri: &str,
        challenge: &str,
        address: &str,
    ) -> Result<String, ApiError> {
        if !self.redirects.allows(redirect_uri) {
            return Err(bad("invalid_request", "redirect_uri is not registered for this client"));
        }
        let user = self.check_password(username, password, address).await?;
        let code = random_token();
        let mut codes = self.codes.lock().expect("code table lock");
        codes.retain(|_, c| c.expires > Instant::now());
        codes.insert(
            code.clone(),
            PendingCode {
                username: user.username,
                redirect_uri: redirect_uri.to_owned(),
                challenge: challenge.to_owned(),
                expires: Instant::now() + CODE_LIFETIME,
            },
        );
        Ok(code)
    }

    /// The code grant with PKCE (S256): the verifier must hash to the challenge.
    pub async fn exchange(&self, code: &str, redirect_uri: &str, verifier: &str) -> Result<Tokens, ApiError> {
        let pending = self.codes.lock().expect("code table lock").remove(code);
        let pending = pending
            .filter(|p| p.expires > Instant::now())
            .ok_or_else(|| bad("invalid_grant", "the code is unknown, used or expired"))?;
        if pending.redirect_uri != redirect_uri {
            return Err(bad("invalid_grant", "redirect_uri differs from the one the code was issued for"));
        }
        if sha256_b64(verifier) != pending.challenge {
            return Err(bad("invalid_grant", "code_verifier does not match the code_challenge (PKCE S256)"));
        }
        let user: LocalUser = self
            .store
            .get_item(USERS, &pending.username.to_lowercase())
            .await?
            .ok_or_else(|| bad("invalid_grant", "the user is gone"))?;
        self.mint(&user).await
    }

    async fn mint(&self, user: &LocalUser) -> Result<Tokens, ApiError> {
        let mut tokens = self.sign(user);
        let refresh = random_token();
        self.store
            .put_item(
                REFRESH,
                &sha256_b64(&refresh),
                &RefreshRecord { sub: user.sub.clone(), username: user.username.clone() },
            )
            .await?;
        tokens.refresh_token = refresh;
        Ok(tokens)
    }

    /// ID and access tokens with Cognito's claims. As in Cognito, custom attributes
    /// (the tenant) are in the ID token only: send the ID token to the API (an access
    /// token is refused for want of a tenant). A user who signed up without a tenant
    /// has one of their own, named by their id.
    fn sign(&self, user: &LocalUser) -> Tokens {
        let now = now_seconds();
        let tenant = user.tenant.as_deref().unwrap_or(&user.sub);
        let id = serde_json::json!({
            "iss": self.issuer, "sub": user.sub, "aud": CLIENT_ID, "token_use": "id",
            "cognito:username": user.username, "cognito:groups": user.groups, "custom:tenant_id": tenant,
            "iat": now, "auth_time": now, "exp": now + TOKEN_SECONDS, "jti": uuid::Uuid::new_v4().to_string(),
        });
        let access = serde_json::json!({
            "iss": self.issuer, "sub": user.sub, "client_id": CLIENT_ID, "token_use": "access",
            "username": user.username, "cognito:groups": user.groups, "scope": "openid profile",
            "iat": now, "auth_time": now, "exp": now + TOKEN_SECONDS, "jti": uuid::Uuid::new_v4().to_string(),
        });
        Tokens {
            id_token: self.key.sign(&id),
            access_token: self.key.sign(&access),
            refresh_token: String::new(),
            expires_in: TOKEN_SECONDS,
            token_type: "Bearer",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key file is its owner's only, whole, and nothing is left beside it.
    #[test]
    fn the_signing_key_is_kept_private_and_whole() {
        let dir = std::env::temp_dir().join(format!("tm-key-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("local-issuer-key.pem");
        let (_, pem) = SigningKey::generate("local-1").unwrap();
        keep_private(&path, &pem).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), pem);
        assert!(SigningKey::from_pem(&pem, "local-1").is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["local-issuer-key.pem"], "no partial file left");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
