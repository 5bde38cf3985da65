//! The identity port: what the service asks of the user pool that signs people in
//! (Cognito's admin API in AWS, tm-local's issuer locally). The directory in the table
//! is the service's own record of people; the pool is where they sign in. Admin routes
//! change both, the pool first: a person the pool refuses is not recorded as changed.

use async_trait::async_trait;
use std::fmt;

/// An invitation to join a tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    pub tenant: String,
    pub email: String,
    pub name: String,
    pub admin: bool,
}

/// The account an invitation made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invited {
    /// The user id (`sub`) their tokens will carry.
    pub user: String,
    /// What the pool's admin API calls them.
    pub username: String,
    /// Where they set their password, when the pool does not send the invitation
    /// itself (locally). Cognito emails its invitation message instead.
    pub link: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdentityError {
    /// An account with this email exists already (in this or another tenant).
    Exists(String),
    /// The pool has no such account.
    NotFound(String),
    /// The pool refused the input (e.g. an email it cannot use).
    Invalid(String),
    /// The pool could not be reached or refused the service (permissions, throttling).
    Unavailable(String),
}

impl fmt::Display for IdentityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exists(m) | Self::NotFound(m) | Self::Invalid(m) | Self::Unavailable(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for IdentityError {}

/// The user pool's admin operations, by the pool's username.
#[async_trait]
pub trait IdentityProvider: Send + Sync {
    /// Makes an account in `invitation.tenant` with a temporary password that must be
    /// changed at first sign-in, and sends (or returns) the invitation.
    async fn invite(&self, invitation: &Invitation) -> Result<Invited, IdentityError>;
    /// Sends the invitation of an account that has not signed in yet again (a new
    /// temporary password or link; the old one stops working).
    async fn resend_invitation(&self, username: &str) -> Result<Invited, IdentityError>;
    /// Puts an existing account into a tenant (sign-up: the post-confirmation trigger).
    async fn assign_tenant(&self, username: &str, tenant: &str) -> Result<(), IdentityError>;
    async fn set_name(&self, username: &str, name: &str) -> Result<(), IdentityError>;
    /// Adds to or removes from the `admins` group.
    async fn set_admin(&self, username: &str, admin: bool) -> Result<(), IdentityError>;
    /// Disables (and signs out everywhere: refresh tokens stop working at once) or
    /// enables an account.
    async fn set_disabled(&self, username: &str, disabled: bool) -> Result<(), IdentityError>;
    /// Deletes the account (their entries stay in the table).
    async fn remove(&self, username: &str) -> Result<(), IdentityError>;
}
