//! Verified tokens, remembered until they expire: the same bearer token comes with
//! every request of a session, and checking its RS256 signature again was most of a
//! small read's cost. Keyed by the token's SHA-256 (the token itself is not kept), and
//! bounded: a full cache first drops what has expired, then forgets everything rather
//! than grow.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;

/// How many verified tokens are kept at most (a few MB of claims).
pub const CAPACITY: usize = 10_000;

struct Verified {
    claims: Map<String, Value>,
    /// Seconds since the epoch after which the token is refused (its `exp` plus the
    /// clock skew the verifier allows).
    refuse_after: u64,
}

#[derive(Default)]
pub struct TokenCache {
    tokens: Mutex<HashMap<[u8; 32], Verified>>,
}

fn key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl TokenCache {
    /// The claims of a token verified before and not expired at `now` (epoch seconds).
    pub fn get(&self, token: &str, now: u64) -> Option<Map<String, Value>> {
        let tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        tokens.get(&key(token)).filter(|v| now <= v.refuse_after).map(|v| v.claims.clone())
    }

    /// Remembers a token just verified, until `refuse_after` (epoch seconds).
    pub fn put(&self, token: &str, claims: &Map<String, Value>, refuse_after: u64, now: u64) {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        if tokens.len() >= CAPACITY {
            tokens.retain(|_, v| now <= v.refuse_after);
            if tokens.len() >= CAPACITY {
                tokens.clear();
            }
        }
        tokens.insert(key(token), Verified { claims: claims.clone(), refuse_after });
    }

    /// Forgets every token (the issuer's keys changed).
    pub fn clear(&self) {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(sub: &str) -> Map<String, Value> {
        json!({"sub": sub}).as_object().unwrap().clone()
    }

    #[test]
    fn a_token_is_served_until_it_expires_and_only_that_token() {
        let cache = TokenCache::default();
        cache.put("token-a", &claims("a"), 1_000, 900);
        assert_eq!(cache.get("token-a", 950).unwrap()["sub"], "a");
        assert_eq!(cache.get("token-a", 1_000).unwrap()["sub"], "a", "valid through its last second");
        assert!(cache.get("token-a", 1_001).is_none(), "an expired token is verified again (and refused)");
        assert!(cache.get("token-b", 950).is_none());
        assert!(cache.get("token-a.", 950).is_none(), "a changed token is another key");
    }

    #[test]
    fn a_full_cache_drops_the_expired_first_and_never_grows_past_its_bound() {
        let cache = TokenCache::default();
        for i in 0..CAPACITY {
            // Every other token has expired by time 500.
            let refuse_after = if i % 2 == 0 { 400 } else { 2_000 };
            cache.put(&format!("t{i}"), &claims("x"), refuse_after, 100);
        }
        assert_eq!(cache.len(), CAPACITY);
        cache.put("fresh", &claims("fresh"), 2_000, 500);
        assert_eq!(cache.len(), CAPACITY / 2 + 1, "the expired half went, the live half stayed");
        assert!(cache.get("t1", 500).is_some() && cache.get("fresh", 500).is_some());
        for i in 0..CAPACITY {
            cache.put(&format!("u{i}"), &claims("x"), 2_000, 500);
        }
        assert!(cache.len() <= CAPACITY);
    }
}
