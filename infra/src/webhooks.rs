//! Webhooks from tm-local: the HTTP client deliveries go out through, and the worker
//! that sends them (docs/live.md, Webhooks). The client resolves names itself and
//! refuses forbidden addresses at connect time, so a name that resolved to a public
//! address at registration cannot be pointed at an internal one later (DNS rebinding);
//! it follows no redirects and gives up after 10 s.

use async_trait::async_trait;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tm_embedded::EmbeddedStore;
use tm_service::context::AppContext;
use tm_service::handlers::webhooks::deliver_due;
use tm_service::store::webhooks::{WebhookTransport, forbidden_address, webhook_page};

/// A resolver that drops every address webhooks may not reach.
struct PublicOnly {
    allow_loopback: bool,
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_loopback = self.allow_loopback;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> =
                all.iter().copied().filter(|a| forbidden_address(a.ip(), allow_loopback).is_none()).collect();
            if allowed.is_empty() {
                return Err(format!("{host} resolves only to addresses webhooks may not reach").into());
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

pub struct HttpTransport {
    client: reqwest::Client,
    allow_loopback: bool,
}

impl HttpTransport {
    pub fn new(allow_loopback: bool) -> Self {
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(PublicOnly { allow_loopback }))
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .expect("the webhook client builds");
        Self { client, allow_loopback }
    }
}

#[async_trait]
impl WebhookTransport for HttpTransport {
    async fn post(&self, url: &str, headers: &[(String, String)], body: &str) -> Result<u16, String> {
        // An address in the URL is not resolved, so it is checked here.
        let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
        if let Some(url::Host::Ipv4(ip)) = parsed.host() {
            if let Some(why) = forbidden_address(ip.into(), self.allow_loopback) {
                return Err(format!("{ip} is {why}"));
            }
        } else if let Some(url::Host::Ipv6(ip)) = parsed.host()
            && let Some(why) = forbidden_address(ip.into(), self.allow_loopback)
        {
            return Err(format!("{ip} is {why}"));
        }
        let mut request = self.client.post(parsed).body(body.to_owned());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        match request.send().await {
            Ok(response) => Ok(response.status().as_u16()),
            Err(e) if e.is_timeout() => Err("no answer within 10 s".to_owned()),
            Err(e) if e.is_connect() => Err(format!("could not connect: {}", root_cause(&e))),
            Err(e) => Err(root_cause(&e)),
        }
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Delivers every webhook's due events whenever something was written, and at the
/// earliest retry time; never returns.
pub async fn run_worker(ctx: AppContext, store: EmbeddedStore) {
    let mut writes = store.writes();
    loop {
        let mut wake: Option<chrono::DateTime<chrono::Utc>> = None;
        let mut after: Option<String> = None;
        loop {
            let (hooks, next) = match webhook_page(ctx.store.as_ref(), after.as_deref(), 100).await {
                Ok(page) => page,
                Err(e) => {
                    tracing::warn!(error = %e, "webhooks: could not list them; trying again soon");
                    wake = Some(chrono::Utc::now() + chrono::TimeDelta::seconds(5));
                    break;
                }
            };
            for hook in hooks {
                let id = hook.id.clone();
                match deliver_due(&ctx, hook).await {
                    Ok(Some(at)) => wake = Some(wake.map_or(at, |w| w.min(at))),
                    Ok(None) => {}
                    Err(e) => tracing::warn!(webhook = %id, error = %e, "webhooks: a delivery round failed"),
                }
            }
            match next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        let wait = wake
            .map(|at| (at - chrono::Utc::now()).to_std().unwrap_or(Duration::ZERO))
            .unwrap_or(Duration::from_secs(300));
        tokio::select! {
            changed = writes.changed() => if changed.is_err() { return },
            _ = tokio::time::sleep(wait) => {}
        }
    }
}
