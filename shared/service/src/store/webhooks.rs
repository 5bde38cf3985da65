//! Webhooks and their delivery log, as documents in the person's partition — a
//! tenant-wide webhook's in the tenant feed's (`changes::tenant_feed`) — (docs/live.md,
//! Webhooks):
//! - webhook: `{user partition}` / `WEBHOOK#{id}`, listed in the index under
//!   `WEBHOOKS` / `{tenant}#{user}#{id}` so the delivery worker finds every one;
//! - delivery attempt: `{user partition}` / `WHD#{webhook}#{i64::MAX − attempted at in µs}#{attempt}`
//!   (newest first, so listing the latest reads only them).

use super::changes::{ChangeType, tenant_feed};
use super::team::{DocCondition, DocStore};
use super::{Owner, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The index partition that lists every webhook.
pub const WEBHOOK_INDEX: &str = "WEBHOOKS";

/// A signing secret; after a rotation the old one signs too until it retires.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookSecret {
    pub value: String,
    pub created_at: DateTime<Utc>,
    pub retires_at: Option<DateTime<Utc>>,
}

/// The change being delivered and how often it was tried.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingDelivery {
    pub position: String,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
}

/// Whose changes a webhook sends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WebhookScope {
    /// The person's feed: what they read through the API.
    #[default]
    Person,
    /// The tenant's feed (its settings, directory, shared projects, team reports) as the
    /// administrator who made it reads it; any administrator of the tenant manages it.
    Tenant,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub id: String,
    pub tenant: String,
    /// Who made it: whose feed it sends, or for a tenant-wide one whose reading of the
    /// tenant's feed.
    pub user: String,
    #[serde(default, skip_serializing_if = "is_person")]
    pub scope: WebhookScope,
    pub url: String,
    /// The change types sent; empty: all.
    pub events: Vec<ChangeType>,
    pub secrets: Vec<WebhookSecret>,
    pub created_at: DateTime<Utc>,
    /// Every change up to this feed position has been delivered or dead-lettered.
    pub cursor: Option<String>,
    pub pending: Option<PendingDelivery>,
    /// Changes past `cursor` already handled: a store whose cursor waits for recent
    /// commits to settle (DynamoDB) returns them again, and they are not sent twice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen: Vec<String>,
    #[serde(default)]
    pub revision: u64,
}

fn is_person(scope: &WebhookScope) -> bool {
    *scope == WebhookScope::Person
}

impl Webhook {
    /// The partition it lives in (and its delivery log): its person's, or the tenant feed's.
    pub fn owner(&self) -> Result<Owner, StoreError> {
        match self.scope {
            WebhookScope::Person => {
                Owner::new(&self.tenant, &self.user).map_err(|e| StoreError::corrupt("webhook", e.to_string()))
            }
            WebhookScope::Tenant => tenant_feed(&self.tenant),
        }
    }

    /// The person whose reading it sends.
    pub fn creator(&self) -> Result<Owner, StoreError> {
        Owner::new(&self.tenant, &self.user).map_err(|e| StoreError::corrupt("webhook", e.to_string()))
    }

    pub fn wants(&self, kind: ChangeType) -> bool {
        self.events.is_empty() || self.events.contains(&kind)
    }

    /// The secrets that sign now: the newest first, then any not yet retired.
    pub fn signing_secrets(&self, now: DateTime<Utc>) -> Vec<&str> {
        let mut live: Vec<&WebhookSecret> =
            self.secrets.iter().filter(|s| s.retires_at.is_none_or(|r| r > now)).collect();
        live.sort_by_key(|s| std::cmp::Reverse(s.created_at));
        live.into_iter().map(|s| s.value.as_str()).collect()
    }
}

/// What one delivery attempt did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryOutcome {
    /// The receiver answered 2xx.
    Delivered,
    /// It failed; it is tried again later.
    Retrying,
    /// It failed the last try: kept here, and the webhook moves on.
    DeadLettered,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRecord {
    pub webhook_id: String,
    /// The event's id (the change's id, or `ping-…`): the same on every attempt.
    pub event_id: String,
    pub event_type: String,
    pub attempt: u32,
    #[schema(value_type = String, format = DateTime)]
    pub attempted_at: DateTime<Utc>,
    /// The receiver's status, when it answered.
    pub status: Option<u16>,
    /// Why it failed, when it did (connection refused, timeout, a non-2xx status).
    pub error: Option<String>,
    pub outcome: DeliveryOutcome,
    pub duration_ms: u64,
}

fn webhook_key(id: &str) -> String {
    format!("WEBHOOK#{id}")
}

fn index_key(owner: &Owner, id: &str) -> String {
    format!("{}#{}#{id}", owner.tenant(), owner.user())
}

fn to_doc<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("documents serialise")
}

fn from_doc<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, StoreError> {
    serde_json::from_value(value).map_err(|e| StoreError::corrupt("webhook document", e))
}

/// A webhook of `owner`'s (a deleted one's marker is none).
pub async fn webhook(store: &(impl DocStore + ?Sized), owner: &Owner, id: &str) -> Result<Option<Webhook>, StoreError> {
    let doc = store.get_doc(&owner.partition(), &webhook_key(id)).await?;
    doc.filter(|d| d.get("deleted").and_then(serde_json::Value::as_bool) != Some(true)).map(from_doc).transpose()
}

/// A person's webhooks, oldest first. Deleted ones are gone (their delivery log stays).
pub async fn webhooks(store: &(impl DocStore + ?Sized), owner: &Owner) -> Result<Vec<Webhook>, StoreError> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let (docs, next) =
            store.query_docs(&owner.partition(), "WEBHOOK#", "WEBHOOK#\u{10FFFF}", after.as_deref(), 100).await?;
        for (_, doc) in docs {
            if doc.get("deleted").and_then(serde_json::Value::as_bool) != Some(true) {
                out.push(from_doc::<Webhook>(doc)?);
            }
        }
        match next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    out.sort_by_key(|w| w.created_at);
    Ok(out)
}

/// Saves `hook` if nobody changed it since revision `read` (`None`: it must be new); false
/// on a lost race. Listed in the index, for the delivery worker.
pub async fn save_webhook(
    store: &(impl DocStore + ?Sized),
    hook: &Webhook,
    read: Option<u64>,
) -> Result<bool, StoreError> {
    let owner = hook.owner()?;
    let mut next = hook.clone();
    next.revision = read.map_or(1, |r| r + 1);
    let condition = read.map_or(DocCondition::Absent, DocCondition::Revision);
    store
        .put_indexed_doc(
            &owner.partition(),
            &webhook_key(&hook.id),
            &to_doc(&next),
            condition,
            (WEBHOOK_INDEX, &index_key(&owner, &hook.id)),
        )
        .await
}

/// Deletes a webhook: its document becomes a marker (documents are not removed; the
/// index keeps pointing at it, and the worker skips it).
pub async fn delete_webhook(store: &(impl DocStore + ?Sized), hook: &Webhook) -> Result<bool, StoreError> {
    let owner = hook.owner()?;
    let marker = serde_json::json!({"id": hook.id, "tenant": hook.tenant, "user": hook.user, "deleted": true,
        "revision": hook.revision + 1});
    store
        .put_indexed_doc(
            &owner.partition(),
            &webhook_key(&hook.id),
            &marker,
            DocCondition::Revision(hook.revision),
            (WEBHOOK_INDEX, &index_key(&owner, &hook.id)),
        )
        .await
}

/// Every live webhook of every person, a page at a time (the worker's round).
pub async fn webhook_page(
    store: &(impl DocStore + ?Sized),
    after: Option<&str>,
    limit: usize,
) -> Result<(Vec<Webhook>, Option<String>), StoreError> {
    let (docs, next) = store.query_index(WEBHOOK_INDEX, "", "\u{10FFFF}", after, limit).await?;
    let hooks = docs
        .into_iter()
        .filter(|d| d.get("deleted").and_then(serde_json::Value::as_bool) != Some(true))
        .map(from_doc)
        .collect::<Result<_, _>>()?;
    Ok((hooks, next))
}

pub async fn record_delivery(
    store: &(impl DocStore + ?Sized),
    owner: &Owner,
    record: &DeliveryRecord,
) -> Result<(), StoreError> {
    let newest_first = i64::MAX - record.attempted_at.timestamp_micros();
    let sk = format!("WHD#{}#{newest_first:019}#{:04}", record.webhook_id, 9999u32.saturating_sub(record.attempt));
    store.put_doc(&owner.partition(), &sk, &to_doc(record), DocCondition::Always).await?;
    Ok(())
}

/// A webhook's delivery attempts, newest first, at most `limit`.
pub async fn deliveries(
    store: &(impl DocStore + ?Sized),
    owner: &Owner,
    webhook_id: &str,
    limit: usize,
) -> Result<Vec<DeliveryRecord>, StoreError> {
    let prefix = format!("WHD#{webhook_id}#");
    let (docs, _) = store
        .query_docs(&owner.partition(), &prefix, &format!("{prefix}\u{10FFFF}"), None, limit.clamp(1, 500))
        .await?;
    docs.into_iter().map(|(_, doc)| from_doc::<DeliveryRecord>(doc)).collect()
}

/// Where deliveries go out (the outbound port; adapters: tm-local's and the delivery
/// function's HTTP clients). An adapter must refuse to connect to an address that
/// [`forbidden_address`] names, whatever the name resolved to at registration (DNS
/// rebinding), and must not follow redirects.
#[async_trait::async_trait]
pub trait WebhookTransport: Send + Sync {
    /// POSTs `body` to `url`: the receiver's status, or why there is none.
    async fn post(&self, url: &str, headers: &[(String, String)], body: &str) -> Result<u16, String>;
}

/// Why a webhook may not be sent to `ip` (server-side request forgery), if it may not:
/// loopback, private, link-local (the cloud metadata service at 169.254.169.254 and
/// fd00:ec2::254), shared, multicast and reserved addresses. Loopback passes only with
/// `allow_loopback` (tm-local's `--allow-loopback-webhooks`, for tests).
pub fn forbidden_address(ip: std::net::IpAddr, allow_loopback: bool) -> Option<&'static str> {
    use std::net::IpAddr;
    let v4 = |ip: std::net::Ipv4Addr| -> Option<&'static str> {
        let [a, b, ..] = ip.octets();
        if ip.is_loopback() {
            (!allow_loopback).then_some("a loopback address")
        } else if ip.is_private() {
            Some("a private address")
        } else if ip.is_link_local() {
            Some("a link-local address (the metadata service lives there)")
        } else if a == 100 && (64..128).contains(&b) {
            Some("a shared (carrier-grade NAT) address")
        } else if (a == 198 && (18..20).contains(&b)) || (a == 192 && b == 0 && ip.octets()[2] == 0) {
            Some("a reserved (benchmarking or protocol) address")
        } else if ip.is_unspecified() || a == 0 || ip.is_broadcast() || ip.is_multicast() || a >= 240 {
            Some("a reserved address")
        } else {
            None
        }
    };
    match ip {
        IpAddr::V4(ip) => v4(ip),
        IpAddr::V6(ip) => {
            if let Some(mapped) = ip.to_ipv4_mapped() {
                return v4(mapped);
            }
            let segments = ip.segments();
            let first = segments[0];
            // NAT64 (64:ff9b::/96, 64:ff9b:1::/48), 6to4 (2002::/16) and IPv4-compatible
            // (::/96) addresses reach IPv4 hosts: judged by the IPv4 address inside.
            let embedded =
                |hi: u16, lo: u16| std::net::Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
            if (first == 0x64 && segments[1] == 0xff9b) || first == 0x2002 || segments[..6] == [0; 6] {
                let inner = if first == 0x2002 {
                    embedded(segments[1], segments[2])
                } else {
                    embedded(segments[6], segments[7])
                };
                if !ip.is_loopback() && !ip.is_unspecified() {
                    return v4(inner).or(if first == 0x64 && segments[1] == 0xff9b && segments[2] == 1 {
                        Some("a NAT64 local-use address")
                    } else {
                        None
                    });
                }
            }
            if ip.is_loopback() {
                (!allow_loopback).then_some("a loopback address")
            } else if ip.is_unspecified() || ip.is_multicast() {
                Some("a reserved address")
            } else if first & 0xfe00 == 0xfc00 {
                Some("a private (unique local) address")
            } else if first & 0xffc0 == 0xfe80 || first & 0xffc0 == 0xfec0 {
                Some("a link-local or site-local address")
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::forbidden_address;

    #[test]
    fn internal_addresses_are_refused_and_loopback_only_when_allowed() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "64:ff9b::a9fe:a9fe",
            "2002:a9fe:a9fe::1",
            "::10.0.0.1",
            "198.18.0.1",
            "192.0.0.8",
            "fec0::1",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "255.255.255.255",
            "224.0.0.1",
        ] {
            assert!(forbidden_address(ip.parse().unwrap(), false).is_some(), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "172.32.0.1", "100.128.0.1"] {
            assert_eq!(forbidden_address(ip.parse().unwrap(), false), None, "{ip}");
        }
        assert_eq!(forbidden_address("127.0.0.1".parse().unwrap(), true), None);
        assert_eq!(forbidden_address("::1".parse().unwrap(), true), None);
        assert!(forbidden_address("10.0.0.1".parse().unwrap(), true).is_some(), "only loopback is allowed");
    }
}
