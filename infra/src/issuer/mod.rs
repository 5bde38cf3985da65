//! A local token issuer that mimics Amazon Cognito closely enough for the API and its
//! clients: RS256 ID and access tokens with Cognito's claims, a JWKS, a hosted login
//! page (authorization code with PKCE), refresh tokens, and for scripts
//! `POST /local/signup` and `POST /local/login`. Sign-up makes a new tenant with the
//! person as its admin, as the post-confirmation trigger does in AWS; colleagues join
//! by invitation (the identity port, [`tm_service::auth::IdentityProvider`]): the link
//! an invitation returns sets their password. For local use only.

mod redirects;
mod throttle;

pub use redirects::{RedirectUris, default_redirect_uris};

use crate::auth::TrustedIssuer;
use crate::auth::keys::SigningKey;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use async_trait::async_trait;
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
use tm_service::auth::principal::{API_SCOPE, TENANT_ADMIN_GROUP};
use tm_service::auth::{IdentityError, IdentityProvider, Invitation, Invited};
use tm_service::handlers::people::{check_email, check_name};
use tm_service::http::ApiError;
use tm_service::jobs::sign_in::sign_up_tenant_id;
use tm_service::store::team::{person, save_person};
use tm_service::store::{DirectoryEntry, Owner, PersonStatus, StoreError};

/// The app client id of the local hosted login and of `/local/login`.
pub const CLIENT_ID: &str = "tm-local-client";
/// ID and access tokens live an hour, as Cognito's do by default.
pub const TOKEN_SECONDS: u64 = 3600;
const CODE_LIFETIME: Duration = Duration::from_secs(300);
/// How long the hosted login remembers a signed-in browser (Cognito: one hour).
const SESSION_LIFETIME: Duration = Duration::from_secs(3600);
/// An invitation link can be used for a week, as Cognito's temporary passwords.
const INVITATION_SECONDS: u64 = 7 * 24 * 3600;
const USERS: &str = "LOCAL#USERS";
const SUBS: &str = "LOCAL#SUBS";
const REFRESH: &str = "LOCAL#REFRESH";
const INVITATIONS: &str = "LOCAL#INVITATIONS";

#[derive(Clone, Debug, Serialize, Deserialize)]
struct LocalUser {
    sub: String,
    username: String,
    /// Empty while an invitation is open: no password verifies against it.
    password_hash: String,
    tenant: Option<String>,
    groups: Vec<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    disabled: bool,
    /// Deleted by an admin: cannot sign in; the username can be invited again.
    #[serde(default)]
    removed: bool,
    /// Refresh tokens issued before this time (ms since the epoch) are refused
    /// (Cognito's global sign-out).
    #[serde(default)]
    signed_out_at_ms: u64,
    /// The hash of the one invitation token that works for this account (a resent
    /// invitation replaces it; accepting clears it).
    #[serde(default)]
    invitation: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct RefreshRecord {
    sub: String,
    username: String,
    #[serde(default)]
    issued_at_ms: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct InvitationRecord {
    username: String,
    expires_at: u64,
    used: bool,
}

/// What `POST /local/signup` asks for.
#[derive(Clone, Debug, Default)]
pub struct Signup {
    pub username: String,
    pub password: String,
    pub name: Option<String>,
    pub email: Option<String>,
    /// Only with `--signup-chooses-tenant` (tests and scripts): join this tenant.
    pub tenant: Option<String>,
    /// Only with `--signup-chooses-tenant`: these groups instead of `admins`.
    pub groups: Vec<String>,
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
    /// Browsers signed in at the hosted login, by a hash of their cookie: the username
    /// and until when. Cognito keeps such a session for an hour, so an app that lost
    /// its tokens (a reload) gets a new code without the password.
    sessions: Mutex<HashMap<String, (String, Instant)>>,
    throttle: throttle::Throttle,
    /// A hash of a random password: an unknown username is checked against it, so it
    /// costs what a wrong password costs and timing does not tell who has an account.
    decoy_hash: String,
    /// Whether sign-up may name its tenant and groups (`--signup-chooses-tenant`, for
    /// tests and scripts that build several tenants); otherwise sign-up makes a tenant.
    pub signup_chooses_tenant: bool,
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
    now_ms() / 1000
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
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
            sessions: Mutex::new(HashMap::new()),
            throttle: throttle::Throttle::default(),
            decoy_hash,
            signup_chooses_tenant: false,
        })
    }

    pub fn jwks(&self) -> jsonwebtoken::jwk::JwkSet {
        self.key.jwks()
    }

    pub fn trusted(&self) -> TrustedIssuer {
        TrustedIssuer { issuer: self.issuer.clone(), jwks_url: None, audiences: vec![CLIENT_ID.to_owned()] }
    }

    /// Makes an account. Without `--signup-chooses-tenant` it is a new tenant's first
    /// user and admin; with it, the tenant and groups the request names (none: a new
    /// tenant as well).
    pub async fn signup(&self, signup: Signup) -> Result<Tokens, ApiError> {
        let user = self.create_account(signup).await?;
        self.mint(&user).await
    }

    /// The hosted page's sign-up: the account, and a code for the app that sent the
    /// person there (as Cognito's hosted sign-up does after confirmation).
    pub async fn signup_for_code(
        &self,
        signup: Signup,
        redirect_uri: &str,
        challenge: &str,
    ) -> Result<String, ApiError> {
        if !self.redirects.allows(redirect_uri) {
            return Err(bad("invalid_request", "redirect_uri is not registered for this client"));
        }
        let user = self.create_account(signup).await?;
        self.seen(&user).await?;
        Ok(self.issue_code(user.username, redirect_uri, challenge))
    }

    async fn create_account(&self, signup: Signup) -> Result<LocalUser, ApiError> {
        let username = signup.username.trim();
        if !(1..=128).contains(&username.len())
            || !username.bytes().all(|b| b.is_ascii_alphanumeric() || b"._@+-".contains(&b))
        {
            return Err(bad(
                "invalid-username",
                "username must be 1-128 characters of letters, digits, '.', '_', '@', '+', '-'",
            ));
        }
        check_password_strength(&signup.password)?;
        if (signup.tenant.is_some() || !signup.groups.is_empty()) && !self.signup_chooses_tenant {
            return Err(bad(
                "tenant-by-invitation",
                "sign-up makes a new tenant with you as its admin, so it takes no tenant or groups; to join an \
                 existing tenant, ask one of its admins to invite you (POST /v1/admin/users)",
            ));
        }
        if let Some(t) = &signup.tenant
            && (t.is_empty() || t.len() > 64 || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b)))
        {
            return Err(bad("invalid-tenant", "tenant must be 1-64 characters of letters, digits, '_', '-'"));
        }
        if let Some(bad) = signup.groups.iter().find(|g| !tm_service::auth::principal::is_unambiguous_group(g)) {
            return Err(bad_request_group(bad));
        }
        let name = signup.name.as_deref().map(check_name).transpose()?;
        let email = signup
            .email
            .as_deref()
            .map(check_email)
            .transpose()?
            .or_else(|| username.contains('@').then(|| username.to_lowercase()));
        // A new tenant is named as the post-confirmation trigger names it in AWS.
        let sub = uuid::Uuid::new_v4().to_string();
        let (tenant, groups) = match signup.tenant {
            Some(tenant) => (tenant, signup.groups),
            None if signup.groups.is_empty() => (sign_up_tenant_id(&sub), vec![TENANT_ADMIN_GROUP.to_owned()]),
            None => (sign_up_tenant_id(&sub), signup.groups),
        };
        let password_hash = hash_slowly(&signup.password).await?;
        let user = LocalUser {
            sub,
            username: username.to_owned(),
            password_hash,
            tenant: Some(tenant),
            groups,
            name,
            email,
            disabled: false,
            removed: false,
            signed_out_at_ms: 0,
            invitation: None,
        };
        let taken = || {
            ApiError::conflict(
                "username-taken",
                format!("username {username:?} is taken; log in with POST /local/login or pick another"),
            )
        };
        match self.store.get_item::<LocalUser>(USERS, &username.to_lowercase()).await? {
            Some(existing) if !existing.removed => return Err(taken()),
            Some(_) => self.store.put_item(USERS, &username.to_lowercase(), &user).await?,
            None if self.store.put_item_if_absent(USERS, &username.to_lowercase(), &user).await? => {}
            None => return Err(taken()),
        }
        self.store.put_item(SUBS, &user.sub, &user.username).await?;
        // As the post-confirmation trigger in AWS: the person enters their tenant's
        // directory with their name, so colleagues see them before they write anything.
        let owner = user_owner(&user)?;
        let mut person = DirectoryEntry::new(&owner, chrono::Utc::now());
        person.name = user.name.clone();
        person.email = user.email.clone();
        person.username = Some(user.username.clone());
        person.admin = Some(user.groups.iter().any(|g| g == TENANT_ADMIN_GROUP));
        save_person(&self.store, &person, None).await?;
        Ok(user)
    }

    /// `GET /local/invitations/{token}`: whom an open invitation is for.
    pub async fn invitation(&self, token: &str) -> Result<String, ApiError> {
        Ok(self.open_invitation(token).await?.2.username)
    }

    /// The open invitation `token` names and its account: only the account's latest
    /// invitation, unused, unexpired, of an account that was not removed.
    async fn open_invitation(&self, token: &str) -> Result<(String, InvitationRecord, LocalUser), ApiError> {
        let key = sha256_b64(token);
        let record: Option<InvitationRecord> = self.store.get_item(INVITATIONS, &key).await?;
        let unknown = || {
            ApiError::new(
                404,
                "invitation-unknown",
                "this invitation link is unknown, expired or replaced by a newer one; ask an admin of your team to \
                 send the invitation again (inviting the same email again sends a new link)",
            )
        };
        let Some(record) = record else { return Err(unknown()) };
        if record.used {
            return Err(ApiError::new(
                410,
                "invitation-used",
                "this invitation was used already; sign in with your email and the password you chose",
            ));
        }
        let user = self.user_by_handle(&record.username).await?.ok_or_else(unknown)?;
        if record.expires_at <= now_seconds() || user.invitation.as_deref() != Some(key.as_str()) {
            return Err(unknown());
        }
        Ok((key, record, user))
    }

    /// Accepts an invitation: sets the password (once) and signs the person in.
    pub async fn accept_invitation(&self, token: &str, password: &str) -> Result<Tokens, ApiError> {
        let (key, mut record, mut user) = self.open_invitation(token).await?;
        if user.disabled {
            return Err(disabled());
        }
        check_password_strength(password)?;
        user.password_hash = hash_slowly(password).await?;
        user.invitation = None;
        record.used = true;
        self.store.put_item(INVITATIONS, &key, &record).await?;
        self.store.put_item(USERS, &user.username.to_lowercase(), &user).await?;
        self.mint(&user).await
    }

    /// A new invitation token for `user`, replacing any earlier one.
    async fn new_invitation(&self, user: &mut LocalUser) -> Result<String, StoreError> {
        let token = random_token();
        let record = InvitationRecord {
            username: user.username.clone(),
            expires_at: now_seconds() + INVITATION_SECONDS,
            used: false,
        };
        self.store.put_item(INVITATIONS, &sha256_b64(&token), &record).await?;
        user.invitation = Some(sha256_b64(&token));
        Ok(format!("{}/local/invitations/{token}", self.issuer))
    }

    async fn user_by_handle(&self, handle: &str) -> Result<Option<LocalUser>, StoreError> {
        let handle = handle.trim();
        if let Some(user) = self.store.get_item::<LocalUser>(USERS, &handle.to_lowercase()).await? {
            return Ok(Some(user).filter(|u| !u.removed));
        }
        let Some(username) = self.store.get_item::<String>(SUBS, handle).await? else { return Ok(None) };
        Ok(self.store.get_item::<LocalUser>(USERS, &username.to_lowercase()).await?.filter(|u| !u.removed))
    }

    /// Changes an account as the identity port asks.
    async fn change_user(&self, handle: &str, change: impl FnOnce(&mut LocalUser)) -> Result<(), IdentityError> {
        let unavailable = |e: StoreError| IdentityError::Unavailable(e.to_string());
        let mut user = self
            .user_by_handle(handle)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| IdentityError::NotFound(format!("no account {handle:?} in the local user pool")))?;
        change(&mut user);
        self.store.put_item(USERS, &user.username.to_lowercase(), &user).await.map_err(unavailable)
    }

    /// Tokens were issued to them: an invited person has signed in (active now), and
    /// the directory shows when they were last seen.
    async fn seen(&self, user: &LocalUser) -> Result<(), ApiError> {
        let owner = user_owner(user)?;
        for _ in 0..3 {
            let Some(mut person) = person(&self.store, &owner).await? else { return Ok(()) };
            let read = person.revision;
            if person.status == PersonStatus::Invited {
                person.status = PersonStatus::Active;
            }
            person.last_seen = Some(chrono::Utc::now());
            if save_person(&self.store, &person, Some(read)).await? {
                return Ok(());
            }
        }
        Ok(())
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
        match found.filter(|u| verified && !u.removed) {
            Some(user) if user.disabled => Err(disabled()),
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
        // Another account under a username used again after a removal, or a refresh
        // token from before a global sign-out, is no longer valid.
        if user.sub != record.sub || user.removed || record.issued_at_ms < user.signed_out_at_ms {
            return Err(invalid());
        }
        if user.disabled {
            return Err(disabled());
        }
        self.seen(&user).await?;
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
        Ok(self.issue_code(user.username, redirect_uri, challenge))
    }

    fn issue_code(&self, username: String, redirect_uri: &str, challenge: &str) -> String {
        let code = random_token();
        let mut codes = self.codes.lock().expect("code table lock");
        codes.retain(|_, c| c.expires > Instant::now());
        codes.insert(
            code.clone(),
            PendingCode {
                username,
                redirect_uri: redirect_uri.to_owned(),
                challenge: challenge.to_owned(),
                expires: Instant::now() + CODE_LIFETIME,
            },
        );
        code
    }

    /// A hosted-login session for whoever a just-issued code is for; the cookie's value.
    pub fn start_session(&self, code: &str) -> Option<String> {
        let username = self.codes.lock().expect("code table lock").get(code)?.username.clone();
        let token = random_token();
        let mut sessions = self.sessions.lock().expect("session table lock");
        sessions.retain(|_, (_, expires)| *expires > Instant::now());
        sessions.insert(sha256_b64(&token), (username, Instant::now() + SESSION_LIFETIME));
        Some(token)
    }

    /// A code for the browser holding this session cookie, if it is still signed in (a
    /// disabled or removed person is refused when the code is exchanged).
    pub fn code_for_session(&self, token: &str, redirect_uri: &str, challenge: &str) -> Option<String> {
        if !self.redirects.allows(redirect_uri) {
            return None;
        }
        let username = {
            let sessions = self.sessions.lock().expect("session table lock");
            let (username, expires) = sessions.get(&sha256_b64(token))?;
            (*expires > Instant::now()).then(|| username.clone())?
        };
        Some(self.issue_code(username, redirect_uri, challenge))
    }

    pub fn end_session(&self, token: &str) {
        self.sessions.lock().expect("session table lock").remove(&sha256_b64(token));
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
            .filter(|u: &LocalUser| !u.removed)
            .ok_or_else(|| bad("invalid_grant", "the user is gone"))?;
        if user.disabled {
            return Err(disabled());
        }
        self.mint(&user).await
    }

    async fn mint(&self, user: &LocalUser) -> Result<Tokens, ApiError> {
        self.seen(user).await?;
        let mut tokens = self.sign(user);
        let refresh = random_token();
        self.store
            .put_item(
                REFRESH,
                &sha256_b64(&refresh),
                &RefreshRecord { sub: user.sub.clone(), username: user.username.clone(), issued_at_ms: now_ms() },
            )
            .await?;
        tokens.refresh_token = refresh;
        Ok(tokens)
    }

    /// ID and access tokens with Cognito's claims. The access token carries the tenant
    /// and the API's scope, as the pre-token-generation trigger and the resource server
    /// make Cognito's do: either token works with the API. Accounts made before sign-up
    /// made tenants have one of their own, named by their id.
    fn sign(&self, user: &LocalUser) -> Tokens {
        let now = now_seconds();
        let tenant = user.tenant.as_deref().unwrap_or(&user.sub);
        let mut id = serde_json::json!({
            "iss": self.issuer, "sub": user.sub, "aud": CLIENT_ID, "token_use": "id",
            "cognito:username": user.username, "cognito:groups": user.groups, "custom:tenant_id": tenant,
            "iat": now, "auth_time": now, "exp": now + TOKEN_SECONDS, "jti": uuid::Uuid::new_v4().to_string(),
        });
        if let Some(name) = &user.name {
            id["name"] = name.clone().into();
        }
        if let Some(email) = &user.email {
            id["email"] = email.clone().into();
            id["email_verified"] = true.into();
        }
        let access = serde_json::json!({
            "iss": self.issuer, "sub": user.sub, "client_id": CLIENT_ID, "token_use": "access",
            "username": user.username, "cognito:groups": user.groups, "scope": format!("openid profile {API_SCOPE}"),
            "custom:tenant_id": tenant,
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

fn disabled() -> ApiError {
    ApiError::new(403, "account-disabled", "your account is disabled; ask an administrator of your tenant to enable it")
}

fn check_password_strength(password: &str) -> Result<(), ApiError> {
    if password.chars().count() < 8 {
        return Err(bad("weak-password", "password must have at least 8 characters"));
    }
    Ok(())
}

/// Argon2 is deliberately slow: off the async threads.
async fn hash_slowly(password: &str) -> Result<String, ApiError> {
    let owned = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&owned))
        .await
        .map_err(|e| ApiError::new(500, "internal", e.to_string()))?
}

fn user_owner(user: &LocalUser) -> Result<Owner, ApiError> {
    Owner::new(user.tenant.as_deref().unwrap_or(&user.sub), &user.sub).map_err(|e| bad("invalid-tenant", e.to_string()))
}

/// The local user pool behind the admin routes, as Cognito's admin API is in AWS.
#[async_trait]
impl IdentityProvider for LocalIssuer {
    async fn invite(&self, invitation: &Invitation) -> Result<Invited, IdentityError> {
        let unavailable = |e: StoreError| IdentityError::Unavailable(e.to_string());
        let username = invitation.email.trim().to_lowercase();
        if let Some(existing) = self.store.get_item::<LocalUser>(USERS, &username).await.map_err(unavailable)?
            && !existing.removed
        {
            return Err(IdentityError::Exists(format!("an account with the email {username} exists already")));
        }
        let mut user = LocalUser {
            sub: uuid::Uuid::new_v4().to_string(),
            username: username.clone(),
            password_hash: String::new(),
            tenant: Some(invitation.tenant.clone()),
            groups: if invitation.admin { vec![TENANT_ADMIN_GROUP.to_owned()] } else { vec![] },
            name: Some(invitation.name.clone()),
            email: Some(username.clone()),
            disabled: false,
            removed: false,
            signed_out_at_ms: 0,
            invitation: None,
        };
        let link = self.new_invitation(&mut user).await.map_err(unavailable)?;
        self.store.put_item(USERS, &username, &user).await.map_err(unavailable)?;
        self.store.put_item(SUBS, &user.sub, &username).await.map_err(unavailable)?;
        Ok(Invited { user: user.sub, username, link: Some(link) })
    }

    async fn resend_invitation(&self, username: &str) -> Result<Invited, IdentityError> {
        let unavailable = |e: StoreError| IdentityError::Unavailable(e.to_string());
        let mut user = self
            .user_by_handle(username)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| IdentityError::NotFound(format!("no account {username:?} in the local user pool")))?;
        if user.invitation.is_none() {
            return Err(IdentityError::Invalid(format!("{username} has set a password already; they sign in")));
        }
        let link = self.new_invitation(&mut user).await.map_err(unavailable)?;
        self.store.put_item(USERS, &user.username.to_lowercase(), &user).await.map_err(unavailable)?;
        Ok(Invited { user: user.sub, username: user.username, link: Some(link) })
    }

    async fn assign_tenant(&self, username: &str, tenant: &str) -> Result<(), IdentityError> {
        let tenant = tenant.to_owned();
        self.change_user(username, |u| u.tenant = Some(tenant)).await
    }

    async fn set_name(&self, username: &str, name: &str) -> Result<(), IdentityError> {
        let name = name.to_owned();
        self.change_user(username, |u| u.name = Some(name)).await
    }

    async fn set_admin(&self, username: &str, admin: bool) -> Result<(), IdentityError> {
        self.change_user(username, |u| {
            u.groups.retain(|g| g != TENANT_ADMIN_GROUP);
            if admin {
                u.groups.push(TENANT_ADMIN_GROUP.to_owned());
            }
        })
        .await
    }

    async fn set_disabled(&self, username: &str, disabled: bool) -> Result<(), IdentityError> {
        self.change_user(username, |u| {
            u.disabled = disabled;
            if disabled {
                u.signed_out_at_ms = now_ms();
            }
        })
        .await
    }

    async fn remove(&self, username: &str) -> Result<(), IdentityError> {
        self.change_user(username, |u| {
            u.removed = true;
            u.invitation = None;
            u.signed_out_at_ms = now_ms();
        })
        .await
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
