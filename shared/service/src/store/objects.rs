//! The object port: files in the user's own prefix (raw uploads, canonical logs and their
//! versions, generated reports). In S3 the prefix is `tenants/{tenant}/users/{user}/`;
//! keys below it are relative and can never climb out of it. Uploads are the exception
//! in placement only: `uploads/...` lives at `uploads/tenants/{tenant}/users/{user}/...`,
//! because S3 event filters match a key's prefix, and only uploads may trigger ingest.

use super::{Owner, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A stored version of an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectVersion {
    pub key: String,
    pub version_id: String,
    pub size: u64,
    pub last_modified: DateTime<Utc>,
}

#[async_trait]
pub trait ObjectStore: Send + Sync {
    /// Writes a new version of `key`; returns its version id.
    async fn put_object(
        &self,
        owner: &Owner,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<String, StoreError>;
    /// The latest version, or the given one.
    async fn get_object(
        &self,
        owner: &Owner,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<Option<Vec<u8>>, StoreError>;
    /// The latest version of every key under `prefix`, in key order.
    async fn list_objects(&self, owner: &Owner, prefix: &str) -> Result<Vec<ObjectVersion>, StoreError>;
    /// Every version of `key`, newest first.
    async fn list_versions(&self, owner: &Owner, key: &str) -> Result<Vec<ObjectVersion>, StoreError>;
    /// A URL that lets its holder PUT one object at `key` (with this content type)
    /// until it expires, without other credentials.
    async fn presign_put(
        &self,
        owner: &Owner,
        key: &str,
        content_type: &str,
        expires_in: std::time::Duration,
    ) -> Result<String, StoreError>;
}

/// Relative keys under this prefix are uploads (the only keys that trigger ingest).
pub const UPLOADS: &str = "uploads/";

/// The bucket key of a user's relative `key`.
pub fn object_key(owner: &Owner, key: &str) -> String {
    match key.strip_prefix(UPLOADS) {
        Some(rest) => format!("{UPLOADS}{}{rest}", user_prefix(owner)),
        None => format!("{}{key}", user_prefix(owner)),
    }
}

/// The owner and relative key (`uploads/...`) of an upload's bucket key; `None` for any
/// key that is not one.
pub fn parse_upload_key(bucket_key: &str) -> Option<(Owner, String)> {
    let rest = bucket_key.strip_prefix("uploads/tenants/")?;
    let (tenant, rest) = rest.split_once("/users/")?;
    let (user, relative) = rest.split_once('/')?;
    check_key(relative).ok()?;
    Some((Owner::new(tenant, user).ok()?, format!("{UPLOADS}{relative}")))
}

/// The S3 prefix of a user's objects (`tenants/{tenant}/` for the tenant scope).
pub fn user_prefix(owner: &Owner) -> String {
    if owner.user().is_empty() {
        return format!("tenants/{}/", owner.tenant());
    }
    format!("tenants/{}/users/{}/", owner.tenant(), owner.user())
}

/// Refuses keys that are empty, absolute, climb (`..`), have empty or `.` segments, or
/// contain control characters, so a key cannot leave the user's prefix.
pub fn check_key(key: &str) -> Result<(), StoreError> {
    let bad = key.is_empty()
        || key.len() > 512
        || key.starts_with('/')
        || key.split('/').any(|segment| segment.is_empty() || segment == "." || segment == "..")
        || key.chars().any(char::is_control);
    if bad { Err(StoreError::misuse(format!("invalid object key {key:?}"))) } else { Ok(()) }
}

/// A prefix to list: empty (everything) or a key-like path ending in `/`.
pub fn check_prefix(prefix: &str) -> Result<(), StoreError> {
    if prefix.is_empty() { Ok(()) } else { check_key(prefix.trim_end_matches('/')) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_leave_the_prefix() {
        for good in ["logs/time-log-2025-2026.md", "uploads/2025/a b.md", "reports/weekly/2025-07-28.json"] {
            assert!(check_key(good).is_ok(), "{good}");
        }
        for bad in ["", "/etc/passwd", "../other/logs/x.md", "logs/../../x", "logs//x", "./x", "a\u{0}b"] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
        assert_eq!(user_prefix(&Owner::new("acme", "u1").unwrap()), "tenants/acme/users/u1/");
    }

    #[test]
    fn uploads_live_under_one_top_level_prefix_and_parse_back() {
        let owner = Owner::new("acme", "u1").unwrap();
        let key = object_key(&owner, "uploads/abc/time-log-2025-2026.md");
        assert_eq!(key, "uploads/tenants/acme/users/u1/abc/time-log-2025-2026.md");
        assert_eq!(parse_upload_key(&key), Some((owner.clone(), "uploads/abc/time-log-2025-2026.md".into())));
        assert_eq!(object_key(&owner, "logs/x.md"), "tenants/acme/users/u1/logs/x.md");
        for other in ["tenants/acme/users/u1/logs/x.md", "uploads/tenants/acme/users/u1/../x", "uploads/x.md"] {
            assert_eq!(parse_upload_key(other), None, "{other}");
        }
    }
}
