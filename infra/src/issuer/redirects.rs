//! Where the local hosted login may send a browser back with a code: only to redirect
//! URIs registered for the client, compared as Cognito compares them (the whole URI,
//! exactly), with RFC 8252's one exception: a registered loopback IP literal without a
//! port (`http://127.0.0.1/callback`) matches any port, for native apps such as `tm`
//! that listen on a free port.

use url::Url;

/// The registered redirect URIs of the local app client.
#[derive(Clone, Debug)]
pub struct RedirectUris {
    registered: Vec<Url>,
}

/// Redirect URIs registered by default: the web app on this server, and the loopback
/// callback of native clients on any port (RFC 8252 §7.3).
pub fn default_redirect_uris(base_url: &str) -> Vec<String> {
    vec![
        format!("{}/callback", base_url.trim_end_matches('/')),
        "http://127.0.0.1/callback".to_owned(),
        "http://[::1]/callback".to_owned(),
    ]
}

fn is_loopback_literal(url: &Url) -> bool {
    matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
        || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
}

impl RedirectUris {
    /// Parses the registered URIs; each must be an absolute http(s) URL without a
    /// fragment or user part.
    pub fn new(uris: &[String]) -> Result<Self, String> {
        let mut registered = Vec::new();
        for text in uris {
            let url = Url::parse(text.trim()).map_err(|e| format!("redirect URI {text:?} is not a URL: {e}"))?;
            if !matches!(url.scheme(), "http" | "https") || url.fragment().is_some() || !url.username().is_empty() {
                return Err(format!("redirect URI {text:?} must be an http(s) URL without a fragment or user"));
            }
            registered.push(url);
        }
        Ok(Self { registered })
    }

    /// True when `candidate` may receive a code.
    pub fn allows(&self, candidate: &str) -> bool {
        let Ok(url) = Url::parse(candidate) else { return false };
        if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
            return false;
        }
        self.registered.iter().any(|r| {
            if *r == url {
                return true;
            }
            // RFC 8252 §7.3: a loopback IP literal registered without a port takes any.
            r.port().is_none() && is_loopback_literal(r) && {
                let mut any_port = url.clone();
                any_port.set_port(None).is_ok() && any_port == *r
            }
        })
    }

    pub fn list(&self) -> Vec<String> {
        self.registered.iter().map(Url::to_string).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_registered_uris_and_loopback_ports_are_allowed() {
        let uris = RedirectUris::new(&default_redirect_uris("http://127.0.0.1:8080")).unwrap();
        for ok in [
            "http://127.0.0.1:8080/callback",
            "http://127.0.0.1:53682/callback",
            "http://127.0.0.1/callback",
            "http://[::1]:4000/callback",
        ] {
            assert!(uris.allows(ok), "{ok}");
        }
        for bad in [
            "https://evil.example/callback",
            "http://127.0.0.1:8080/callback/../steal",
            "http://127.0.0.1:8080/other",
            "http://localhost.evil.example:8080/callback",
            "http://127.0.0.1@evil.example/callback",
            "http://127.0.0.1:8080/callback#x",
            "http://127.0.0.2:9/callback",
            "javascript:alert(1)",
            "not a url",
        ] {
            assert!(!uris.allows(bad), "{bad}");
        }
        let custom = RedirectUris::new(&["https://app.example.com/callback".to_owned()]).unwrap();
        assert!(custom.allows("https://app.example.com/callback"));
        assert!(!custom.allows("https://app.example.com:8443/callback"), "a port only for loopback literals");
        assert!(RedirectUris::new(&["ftp://x/y".to_owned()]).is_err());
    }
}
