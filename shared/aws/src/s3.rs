//! The S3 adapter of the object port: one bucket, versioning on, every user's objects
//! under `tenants/{tenant}/users/{user}/` (docs/architecture.md, Data).

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
use chrono::{DateTime, Utc};
use tm_service::store::objects::{
    ObjectStore, ObjectVersion, UPLOADS, check_key, check_prefix, object_key, user_prefix,
};
use tm_service::store::{Owner, StoreError};

fn sdk_fail<E: std::error::Error + 'static>(e: aws_sdk_s3::error::SdkError<E>) -> StoreError {
    StoreError::unavailable("S3", aws_sdk_s3::error::DisplayErrorContext(e).to_string())
}

fn to_chrono(t: Option<&aws_sdk_s3::primitives::DateTime>) -> DateTime<Utc> {
    t.and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos())).unwrap_or_default()
}

#[derive(Clone)]
pub struct S3ObjectStore {
    client: Client,
    bucket: String,
}

impl S3ObjectStore {
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        Self { client, bucket: bucket.into() }
    }

    /// A client from the environment; path-style addressing when `AWS_ENDPOINT_URL`
    /// points at an emulator (virtual-host names would not resolve there).
    pub async fn from_env(bucket: impl Into<String>) -> Self {
        let config = aws_config::load_from_env().await;
        let s3 = aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(std::env::var("AWS_ENDPOINT_URL").is_ok())
            .build();
        Self::new(Client::from_conf(s3), bucket)
    }

    /// Every version of every object under the bucket prefix `prefix` (full keys), with
    /// whether it is the latest; delete markers are left out.
    async fn versions_under(&self, prefix: &str) -> Result<Vec<(bool, ObjectVersion)>, StoreError> {
        let mut versions = Vec::new();
        let (mut key_marker, mut version_marker): (Option<String>, Option<String>) = (None, None);
        loop {
            let page = self
                .client
                .list_object_versions()
                .bucket(&self.bucket)
                .prefix(prefix)
                .set_key_marker(key_marker.take())
                .set_version_id_marker(version_marker.take())
                .send()
                .await
                .map_err(sdk_fail)?;
            for v in page.versions() {
                versions.push((
                    v.is_latest().unwrap_or(false),
                    ObjectVersion {
                        key: v.key().unwrap_or_default().to_owned(),
                        version_id: v.version_id().unwrap_or_default().to_owned(),
                        size: v.size().unwrap_or(0).max(0) as u64,
                        last_modified: to_chrono(v.last_modified()),
                    },
                ));
            }
            if page.is_truncated().unwrap_or(false) {
                key_marker = page.next_key_marker().map(str::to_owned);
                version_marker = page.next_version_id_marker().map(str::to_owned);
            } else {
                return Ok(versions);
            }
        }
    }

    /// Creates the bucket with versioning, for tests and emulators; in AWS the SAM
    /// template creates it.
    pub async fn create_bucket(&self) -> Result<(), StoreError> {
        self.client.create_bucket().bucket(&self.bucket).send().await.map_err(sdk_fail)?;
        self.client
            .put_bucket_versioning()
            .bucket(&self.bucket)
            .versioning_configuration(
                VersioningConfiguration::builder().status(BucketVersioningStatus::Enabled).build(),
            )
            .send()
            .await
            .map_err(sdk_fail)?;
        Ok(())
    }
}

#[async_trait]
impl ObjectStore for S3ObjectStore {
    async fn put_object(
        &self,
        owner: &Owner,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<String, StoreError> {
        check_key(key)?;
        let out = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(object_key(owner, key))
            .content_type(content_type)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(sdk_fail)?;
        out.version_id.ok_or_else(|| StoreError::misuse(format!("bucket {} has no versioning; enable it", self.bucket)))
    }

    async fn get_object(
        &self,
        owner: &Owner,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        check_key(key)?;
        let result = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(object_key(owner, key))
            .set_version_id(version_id.map(str::to_owned))
            .send()
            .await;
        match result {
            Ok(out) => Ok(Some(
                out.body
                    .collect()
                    .await
                    .map_err(|e| StoreError::unavailable("S3 (reading a body)", e))?
                    .into_bytes()
                    .to_vec(),
            )),
            Err(e) => {
                let missing = e.as_service_error().is_some_and(|se| se.is_no_such_key())
                    || e.raw_response().is_some_and(|r| matches!(r.status().as_u16(), 400 | 404));
                if missing { Ok(None) } else { Err(sdk_fail(e)) }
            }
        }
    }

    async fn list_objects(&self, owner: &Owner, prefix: &str) -> Result<Vec<ObjectVersion>, StoreError> {
        check_prefix(prefix)?;
        // Relative keys live in two places (uploads first, see `object_key`); one
        // ListObjectVersions pass per place gives each latest version with its id.
        let mut bases = Vec::new();
        if prefix.is_empty() || prefix.starts_with(UPLOADS) {
            bases.push((object_key(owner, UPLOADS), UPLOADS));
        }
        if !prefix.starts_with(UPLOADS) {
            bases.push((user_prefix(owner), ""));
        }
        let mut out = Vec::new();
        for (base, relative_base) in bases {
            let listing_prefix = format!("{base}{}", prefix.strip_prefix(relative_base).unwrap_or(prefix));
            for (latest, version) in self.versions_under(&listing_prefix).await? {
                let Some(rest) = version.key.strip_prefix(&base) else { continue };
                if latest && !rest.is_empty() {
                    out.push(ObjectVersion { key: format!("{relative_base}{rest}"), ..version });
                }
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    async fn list_versions(&self, owner: &Owner, key: &str) -> Result<Vec<ObjectVersion>, StoreError> {
        check_key(key)?;
        let full = object_key(owner, key);
        let mut versions: Vec<(bool, ObjectVersion)> = self
            .versions_under(&full)
            .await?
            .into_iter()
            .filter(|(_, v)| v.key == full)
            .map(|(latest, v)| (latest, ObjectVersion { key: key.to_owned(), ..v }))
            .collect();
        // Newest first: S3 lists a key's versions newest first; keep the latest on top
        // even if timestamps tie.
        versions.sort_by_key(|v| std::cmp::Reverse(v.0));
        Ok(versions.into_iter().map(|(_, v)| v).collect())
    }
    async fn presign_put(
        &self,
        owner: &Owner,
        key: &str,
        content_type: &str,
        expires_in: std::time::Duration,
    ) -> Result<String, StoreError> {
        check_key(key)?;
        let config = aws_sdk_s3::presigning::PresigningConfig::expires_in(expires_in)
            .map_err(|e| StoreError::misuse(format!("presigning: {e}")))?;
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(object_key(owner, key))
            .content_type(content_type)
            .presigned(config)
            .await
            .map_err(sdk_fail)?;
        Ok(request.uri().to_owned())
    }
}
