//! The webhook client (the [`WebhookTransport`] adapter) of tm-local and of the AWS
//! delivery function (docs/live.md, Webhooks). It resolves names itself and refuses
//! forbidden addresses at connect time, so a name that resolved to a public address at
//! registration cannot be pointed at an internal one later (DNS rebinding); it follows
//! no redirects and gives up after 10 s.

use async_trait::async_trait;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tm_service::store::webhooks::{WebhookTransport, forbidden_address};

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

/// Sends deliveries over HTTPS (or loopback HTTP, where allowed).
pub struct HttpTransport {
    client: reqwest::Client,
    allow_loopback: bool,
}

impl HttpTransport {
    pub fn new(allow_loopback: bool) -> Self {
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(PublicOnly { allow_loopback }))
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve the name itself, past the resolver above.
            .no_proxy()
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
