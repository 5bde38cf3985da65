//! Webhooks (docs/live.md, Webhooks): `POST/GET /v1/webhooks`, `DELETE /v1/webhooks/{id}`,
//! the delivery log, a test ping and secret rotation; and the delivery itself, which a
//! worker runs for each webhook (tm-local: a task woken by every write). Each event is a
//! change of the person's feed — what they could read through the API, never more; a
//! tenant-wide webhook's, of the tenant's feed as the administrator who made it reads it —
//! signed with HMAC-SHA256 over `{timestamp}.{body}`, tried again with back-off until it
//! is delivered or dead-lettered, one event at a time, in feed order.

use crate::context::{AppContext, Caller};
use crate::feed::{FeedChange, FeedCursor, Reader, visible_changes};
use crate::http::answers::{ChangeAnswer, DeliveryList, WebhookAnswer, WebhookList};
use crate::http::bodies::NewWebhook;
use crate::http::routes::Matched;
use crate::http::{ApiError, ApiRequest, ApiResponse};
use crate::store::changes::{ChangeType, tenant_feed};
use crate::store::webhooks::{
    self, DeliveryOutcome, DeliveryRecord, PendingDelivery, Webhook, WebhookScope, WebhookSecret, forbidden_address,
};
use crate::store::{PersonStatus, StoreError};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Webhooks one person may have (and a tenant, of tenant-wide ones).
const MAX_WEBHOOKS: usize = 20;
/// How long a rotated-out secret still signs.
const OLD_SECRET_SIGNS_FOR: chrono::TimeDelta = chrono::TimeDelta::hours(24);
/// The header with the timestamp and signatures.
pub const SIGNATURE_HEADER: &str = "Temporal-Mark-Signature";

/// `v1=` of a delivery: hex HMAC-SHA256 of `{timestamp}.{body}` under `secret`.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// The signature header's value: `t={timestamp},v1={signature}` with one `v1` per
/// signing secret (two for a day after a rotation).
pub fn signature_header(secrets: &[&str], timestamp: i64, body: &str) -> String {
    let mut value = format!("t={timestamp}");
    for secret in secrets {
        value.push_str(&format!(",v1={}", sign(secret, timestamp, body)));
    }
    value
}

fn new_secret() -> String {
    format!("whsec_{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

fn unprocessable(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(422, code, message)
}

/// An `https://` URL whose host resolves only to public addresses (server-side request
/// forgery: no loopback, private, link-local or metadata address); `http://` only to
/// loopback, where the server allows loopback at all.
pub async fn check_url(text: &str, allow_loopback: bool) -> Result<url::Url, ApiError> {
    let how = "give an absolute https:// URL, e.g. https://hooks.example.com/temporal-mark";
    if text.len() > 2000 {
        return Err(unprocessable("invalid-url", format!("the URL has {} characters; at most 2000", text.len())));
    }
    let url = url::Url::parse(text.trim()).map_err(|e| unprocessable("invalid-url", format!("{e}: {how}")))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(unprocessable("invalid-url", format!("{} URLs cannot receive webhooks: {how}", url.scheme())));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(unprocessable(
            "invalid-url",
            "the URL carries credentials (user:password@); verify deliveries by their signature instead",
        ));
    }
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| unprocessable("invalid-url", how))?;
    let port = url.port_or_known_default().unwrap_or(443);
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<std::net::IpAddr> = match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => {
            let looked_up =
                tokio::time::timeout(std::time::Duration::from_secs(5), tokio::net::lookup_host((bare, port)))
                    .await
                    .map_err(|_| unprocessable("unresolvable-url", format!("{host} did not resolve within 5 s")))?
                    .map_err(|e| {
                        unprocessable("unresolvable-url", format!("{host} does not resolve ({e}); check the name"))
                    })?;
            looked_up.map(|a| a.ip()).collect()
        }
    };
    if addresses.is_empty() {
        return Err(unprocessable("unresolvable-url", format!("{host} has no address")));
    }
    for ip in &addresses {
        if let Some(why) = forbidden_address(*ip, allow_loopback) {
            let local = if ip.is_loopback() {
                " (to try webhooks with a receiver on your own machine, run tm-local with --allow-loopback-webhooks)"
            } else {
                ""
            };
            return Err(unprocessable(
                "unsafe-url",
                format!("{host} resolves to {ip}, {why}: webhooks are only sent to public addresses{local}"),
            ));
        }
    }
    if url.scheme() == "http" && !(allow_loopback && addresses.iter().all(|ip| ip.is_loopback())) {
        return Err(unprocessable(
            "insecure-url",
            format!("deliveries are signed but not secret: use https://{host}…"),
        ));
    }
    Ok(url)
}

fn parse_scope(value: Option<&str>) -> Result<WebhookScope, ApiError> {
    match value.map(str::trim) {
        None | Some("person") => Ok(WebhookScope::Person),
        Some("tenant") => Ok(WebhookScope::Tenant),
        Some(other) => Err(unprocessable(
            "invalid-scope",
            format!("scope {other:?} is not one; use person (your own changes) or tenant (administrators)"),
        )),
    }
}

fn parse_events(value: Option<serde_json::Value>, scope: WebhookScope) -> Result<Vec<ChangeType>, ApiError> {
    let Some(value) = value.filter(|v| !v.is_null()) else { return Ok(Vec::new()) };
    let offered: &[ChangeType] = match scope {
        WebhookScope::Person => &ChangeType::ALL,
        WebhookScope::Tenant => &ChangeType::TENANT,
    };
    let known = || offered.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ");
    let list = value.as_array().ok_or_else(|| {
        unprocessable("invalid-events", format!("events must be a list of change types: {}", known()))
    })?;
    let mut events = Vec::new();
    for item in list {
        let kind: ChangeType = serde_json::from_value(item.clone()).map_err(|_| {
            unprocessable("unknown-event", format!("{item} is not a change type; choose from {}", known()))
        })?;
        if !offered.contains(&kind) {
            return Err(unprocessable(
                "event-not-in-scope",
                format!("a tenant-wide webhook sends the tenant's changes only; choose from {}", known()),
            ));
        }
        if !events.contains(&kind) {
            events.push(kind);
        }
    }
    Ok(events)
}

fn require_transport(ctx: &AppContext) -> Result<(), ApiError> {
    if ctx.webhooks.transport.is_none() {
        return Err(ApiError::new(
            503,
            "webhooks-unavailable",
            "this deployment does not send webhooks yet; poll GET /v1/changes instead",
        ));
    }
    Ok(())
}

/// Where the caller's webhooks live: their partition, and for an administrator the
/// tenant's (tenant-wide webhooks, whoever of them made one).
fn partitions(caller: &Caller) -> Result<Vec<crate::store::Owner>, StoreError> {
    let mut owners = vec![caller.owner.clone()];
    if caller.principal.is_tenant_admin() {
        owners.push(tenant_feed(caller.owner.tenant())?);
    }
    Ok(owners)
}

async fn find(ctx: &AppContext, caller: &Caller, matched: &Matched) -> Result<Webhook, ApiError> {
    let id = matched.param("id").unwrap_or_default();
    if tm_core::domain::ids::is_valid_id(id) {
        for owner in partitions(caller)? {
            if let Some(hook) = webhooks::webhook(ctx.store.as_ref(), &owner, id).await? {
                return Ok(hook);
            }
        }
    }
    Err(ApiError::not_found(format!("no webhook {id:?}; GET /v1/webhooks lists yours")))
}

/// A tenant-wide webhook sends while the directory says its maker administers the
/// tenant. An entry written before the directory kept that (the token's groups decide)
/// takes the token's word now.
async fn record_admin_standing(ctx: &AppContext, caller: &Caller) -> Result<(), ApiError> {
    let store = ctx.store.as_ref();
    for _ in 0..3 {
        let Some(person) = crate::store::team::person(store, &caller.owner).await? else { break };
        if person.admin.is_some() {
            return Ok(());
        }
        let read = person.revision;
        let admin = crate::store::DirectoryEntry { admin: Some(true), ..person };
        if crate::store::team::save_person(store, &admin, Some(read)).await? {
            return Ok(());
        }
    }
    Err(ApiError::conflict("busy", "your directory entry kept changing; try again"))
}

/// `POST /v1/webhooks`: 201 with the secret (shown this once).
pub(crate) async fn create(ctx: &AppContext, caller: &Caller, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    require_transport(ctx)?;
    let body: NewWebhook = crate::handlers::body::typed(req)?;
    let url = body.url.filter(|u| !u.trim().is_empty()).ok_or_else(|| {
        ApiError::bad_request("missing-field", "url is required: the https:// address that receives the events")
    })?;
    let scope = parse_scope(body.scope.as_deref())?;
    if scope == WebhookScope::Tenant && !caller.principal.is_tenant_admin() {
        return Err(ApiError::new(
            403,
            "admin-only",
            "only an administrator of your tenant makes tenant-wide webhooks; leave scope out for one of your own",
        ));
    }
    let url = check_url(&url, ctx.webhooks.allow_loopback).await?;
    let events = parse_events(body.events, scope)?;
    if scope == WebhookScope::Tenant {
        record_admin_standing(ctx, caller).await?;
    }
    let store = ctx.store.as_ref();
    let (home, whose) = match scope {
        WebhookScope::Person => (caller.owner.clone(), "you have"),
        WebhookScope::Tenant => (tenant_feed(caller.owner.tenant())?, "your tenant has"),
    };
    if webhooks::webhooks(store, &home).await?.len() >= MAX_WEBHOOKS {
        return Err(ApiError::conflict(
            "too-many-webhooks",
            format!("{whose} {MAX_WEBHOOKS} webhooks of this scope, the most there may be; delete one first"),
        ));
    }
    // From now on: the feed's end is where the webhook starts.
    let end = match scope {
        WebhookScope::Person => crate::feed::end_of(ctx, &caller.owner).await?,
        // The tenant's feed alone: its own and shared projects' ends are not read.
        WebhookScope::Tenant => FeedCursor { tenant: Some(ctx.store.feed_end(&home).await?), ..FeedCursor::default() },
    };
    let cursor = Some(end.encode());
    let secret = new_secret();
    let hook = Webhook {
        id: uuid::Uuid::new_v4().to_string(),
        tenant: caller.owner.tenant().to_owned(),
        user: caller.owner.user().to_owned(),
        scope,
        url: url.to_string(),
        events,
        secrets: vec![WebhookSecret { value: secret.clone(), created_at: caller.at, retires_at: None }],
        created_at: caller.at,
        cursor,
        pending: None,
        seen: Vec::new(),
        revision: 0,
    };
    webhooks::save_webhook(store, &hook, None).await?;
    let mut saved = hook;
    saved.revision = 1;
    Ok(ApiResponse::json(201, &WebhookAnswer::of(&saved, Some(secret))))
}

pub(crate) async fn list(ctx: &AppContext, caller: &Caller) -> Result<ApiResponse, ApiError> {
    let mut hooks = Vec::new();
    for owner in partitions(caller)? {
        hooks.extend(webhooks::webhooks(ctx.store.as_ref(), &owner).await?);
    }
    Ok(ApiResponse::json(200, &WebhookList { webhooks: hooks.iter().map(|h| WebhookAnswer::of(h, None)).collect() }))
}

pub(crate) async fn delete(ctx: &AppContext, caller: &Caller, matched: &Matched) -> Result<ApiResponse, ApiError> {
    for _ in 0..5 {
        let hook = find(ctx, caller, matched).await?;
        if webhooks::delete_webhook(ctx.store.as_ref(), &hook).await? {
            return Ok(ApiResponse::no_content());
        }
    }
    Err(ApiError::conflict("busy", "the webhook kept changing while it was being deleted; try again"))
}

pub(crate) async fn deliveries(
    ctx: &AppContext,
    caller: &Caller,
    matched: &Matched,
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let hook = find(ctx, caller, matched).await?;
    let limit = match req.query_one("limit") {
        None => 50,
        Some(v) => v.parse::<usize>().ok().filter(|n| (1..=500).contains(n)).ok_or_else(|| {
            ApiError::bad_request("invalid-limit", format!("limit {v:?} must be a whole number from 1 to 500"))
        })?,
    };
    let deliveries = webhooks::deliveries(ctx.store.as_ref(), &hook.owner()?, &hook.id, limit).await?;
    Ok(ApiResponse::json(200, &DeliveryList { deliveries }))
}

/// `POST /v1/webhooks/{id}/secret`: a new secret; the old one keeps signing for a day, so
/// a receiver can switch without missing an event.
pub(crate) async fn rotate(ctx: &AppContext, caller: &Caller, matched: &Matched) -> Result<ApiResponse, ApiError> {
    for _ in 0..5 {
        let mut hook = find(ctx, caller, matched).await?;
        let read = hook.revision;
        let secret = new_secret();
        let now = caller.at;
        // Two at most: the new one, and the one it replaces (an earlier rotated-out
        // secret stops signing now).
        hook.secrets.retain(|s| s.retires_at.is_none());
        for old in hook.secrets.iter_mut().filter(|s| s.retires_at.is_none()) {
            old.retires_at = Some(now + OLD_SECRET_SIGNS_FOR);
        }
        hook.secrets.push(WebhookSecret { value: secret.clone(), created_at: now, retires_at: None });
        if webhooks::save_webhook(ctx.store.as_ref(), &hook, Some(read)).await? {
            hook.revision = read + 1;
            return Ok(ApiResponse::json(200, &WebhookAnswer::of(&hook, Some(secret))));
        }
    }
    Err(ApiError::conflict("busy", "the webhook kept changing; try again"))
}

/// `POST /v1/webhooks/{id}/ping`: one `webhook.ping` event sent now (not retried); the
/// attempt is the answer and goes to the delivery log.
pub(crate) async fn ping(ctx: &AppContext, caller: &Caller, matched: &Matched) -> Result<ApiResponse, ApiError> {
    require_transport(ctx)?;
    let hook = find(ctx, caller, matched).await?;
    let at = (ctx.clock)();
    let event_id = format!("ping-{}", uuid::Uuid::new_v4());
    let body = serde_json::json!({"id": event_id, "type": "webhook.ping", "at": at, "webhookId": hook.id}).to_string();
    let record = send(ctx, &hook, &event_id, "webhook.ping", &body, 1, true).await?;
    Ok(ApiResponse::json(200, &record))
}

/// One attempt: signs, posts, records. `last`: a failure is final (dead-lettered).
async fn send(
    ctx: &AppContext,
    hook: &Webhook,
    event_id: &str,
    event_type: &str,
    body: &str,
    attempt: u32,
    last: bool,
) -> Result<DeliveryRecord, StoreError> {
    let transport = ctx.webhooks.transport.clone().ok_or_else(|| StoreError::misuse("no webhook transport"))?;
    let attempted_at = (ctx.clock)();
    let timestamp = Utc::now().timestamp();
    let headers = vec![
        ("content-type".to_owned(), "application/json".to_owned()),
        ("user-agent".to_owned(), "TemporalMark-Webhooks/1".to_owned()),
        ("temporal-mark-event-id".to_owned(), event_id.to_owned()),
        ("temporal-mark-event-type".to_owned(), event_type.to_owned()),
        (SIGNATURE_HEADER.to_ascii_lowercase(), signature_header(&hook.signing_secrets(attempted_at), timestamp, body)),
    ];
    let started = std::time::Instant::now();
    let answer = transport.post(&hook.url, &headers, body).await;
    let duration_ms = started.elapsed().as_millis() as u64;
    let (status, error) = match answer {
        Ok(status) if (200..300).contains(&status) => (Some(status), None),
        Ok(status) => (Some(status), Some(format!("the receiver answered {status}"))),
        Err(e) => (None, Some(e)),
    };
    let outcome = match (&error, last) {
        (None, _) => DeliveryOutcome::Delivered,
        (Some(_), true) => DeliveryOutcome::DeadLettered,
        (Some(_), false) => DeliveryOutcome::Retrying,
    };
    let record = DeliveryRecord {
        webhook_id: hook.id.clone(),
        event_id: event_id.to_owned(),
        event_type: event_type.to_owned(),
        attempt,
        attempted_at,
        status,
        error,
        outcome,
        duration_ms,
    };
    webhooks::record_delivery(ctx.store.as_ref(), &hook.owner()?, &record).await?;
    Ok(record)
}

/// Moves `cursor` past a handled change where the page has settled it; else remembers
/// its id (at most the last 1 000), so a later read that returns it again skips it.
fn handled(cursor: &mut FeedCursor, seen: &mut Vec<String>, change: &FeedChange, page: &FeedCursor) {
    if page.covers(change) {
        cursor.advance(change);
    } else {
        seen.push(change.id.clone());
        if seen.len() > 1000 {
            seen.remove(0);
        }
    }
}

/// The body of a change's delivery.
fn event_body(hook: &Webhook, change: FeedChange) -> (String, String, String) {
    let answer = ChangeAnswer::from(change);
    let (id, kind) = (answer.id.clone(), serde_json::to_value(answer.kind).expect("types serialise"));
    let kind = kind.as_str().unwrap_or_default().to_owned();
    let body =
        serde_json::json!({"id": answer.id, "type": kind, "at": answer.at, "webhookId": hook.id, "change": answer});
    (id, kind, body.to_string())
}

/// Delivers what is due for one webhook, in feed order, one event at a time; returns
/// when to come back for a retry (`None`: nothing waits). A lost race with another
/// worker (or a delete) ends the round: the next one re-reads.
pub async fn deliver_due(ctx: &AppContext, mut hook: Webhook) -> Result<Option<DateTime<Utc>>, StoreError> {
    if ctx.webhooks.transport.is_none() {
        return Ok(None);
    }
    let creator = hook.creator()?;
    // A person who was disabled or removed can read nothing through the API: their
    // webhooks send nothing either (they resume if the person is enabled again). A
    // tenant-wide webhook also waits while its maker is no administrator.
    let person = crate::store::team::person(ctx.store.as_ref(), &creator).await?;
    let status = person.as_ref().map(|p| p.status);
    if matches!(status, Some(PersonStatus::Disabled | PersonStatus::Removed)) {
        return Ok(None);
    }
    let tenant_wide = hook.scope == WebhookScope::Tenant;
    let admin = person.as_ref().and_then(|p| p.admin);
    if tenant_wide && admin != Some(true) {
        return Ok(None);
    }
    // By the directory's standing (making a tenant-wide webhook wrote it there).
    let reader = Reader { tenant_only: tenant_wide, ..Reader::person(&creator, admin == Some(true), person.as_ref()) };
    for _ in 0..200 {
        let now = (ctx.clock)();
        if let Some(p) = &hook.pending
            && p.next_attempt_at > now
        {
            return Ok(Some(p.next_attempt_at));
        }
        // The next wanted change after the cursor (the pending one, if one is).
        let mut cursor = hook.cursor.as_deref().and_then(FeedCursor::decode).unwrap_or_default();
        let page = visible_changes(ctx, reader, &cursor, 50).await.map_err(|e| match e {
            crate::error::AppError::Store(e) => e,
            other => StoreError::misuse(other.to_string()),
        })?;
        let mut next = None;
        let mut skipped = false;
        for change in page.changes {
            if hook.seen.contains(&change.id) {
                continue;
            }
            if hook.wants(change.record.change.kind()) {
                next = Some(change);
                break;
            }
            handled(&mut cursor, &mut hook.seen, &change, &page.cursor);
            skipped = true;
        }
        let read = hook.revision;
        let Some(change) = next else {
            // Everything read was delivered or not wanted: the page's cursor holds.
            cursor.settle(&page.cursor);
            hook.seen.retain(|id| !cursor.done_with(id));
            let settled = Some(cursor.encode());
            if settled != hook.cursor || skipped {
                hook.cursor = settled;
                hook.pending = None;
                if !webhooks::save_webhook(ctx.store.as_ref(), &hook, Some(read)).await? {
                    return Ok(None);
                }
                hook.revision = read + 1;
                if page.has_more {
                    continue;
                }
            }
            return Ok(None);
        };
        let event_id = change.id.clone();
        let attempt = match &hook.pending {
            Some(p) if p.position == event_id => p.attempts + 1,
            _ => 1,
        };
        let last = attempt >= ctx.webhooks.attempts.max(1);
        let mut after = cursor.clone();
        let mut seen = hook.seen.clone();
        handled(&mut after, &mut seen, &change, &page.cursor);
        let (event_id, kind, body) = event_body(&hook, change);
        let record = send(ctx, &hook, &event_id, &kind, &body, attempt, last).await?;
        if record.outcome == DeliveryOutcome::Retrying {
            let wait = ctx.webhooks.first_retry * 4u32.saturating_pow(attempt - 1);
            let wait = chrono::TimeDelta::from_std(wait).unwrap_or(chrono::TimeDelta::hours(1));
            hook.cursor = Some(cursor.encode());
            hook.pending =
                Some(PendingDelivery { position: event_id, attempts: attempt, next_attempt_at: (ctx.clock)() + wait });
        } else {
            hook.cursor = Some(after.encode());
            hook.seen = seen;
            hook.pending = None;
        }
        if !webhooks::save_webhook(ctx.store.as_ref(), &hook, Some(read)).await? {
            return Ok(None);
        }
        hook.revision = read + 1;
    }
    Ok(Some((ctx.clock)()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_documented_hmac() {
        // echo -n '1733300000.{"id":"1"}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            sign("whsec_test", 1733300000, r#"{"id":"1"}"#),
            "a5fcae63e824c01ffde21d07306f7e7bb88faf941b86c22a16cb7244bae3b731"
        );
        let header = signature_header(&["new", "old"], 17, "{}");
        assert_eq!(header, format!("t=17,v1={},v1={}", sign("new", 17, "{}"), sign("old", 17, "{}")));
    }
}
