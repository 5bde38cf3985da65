//! RS256 signing keys and their public JWKS, for the local issuer and for tests.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::Serialize;

pub struct SigningKey {
    pub kid: String,
    encoding: EncodingKey,
    public: RsaPublicKey,
}

impl SigningKey {
    /// From a PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8 (`BEGIN PRIVATE KEY`) PEM.
    pub fn from_pem(pem: &str, kid: &str) -> Result<Self, String> {
        let private = RsaPrivateKey::from_pkcs1_pem(pem)
            .or_else(|_| RsaPrivateKey::from_pkcs8_pem(pem))
            .map_err(|e| format!("not an RSA private key: {e}"))?;
        let pkcs1 = private.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF).map_err(|e| e.to_string())?;
        let encoding = EncodingKey::from_rsa_pem(pkcs1.as_bytes()).map_err(|e| e.to_string())?;
        Ok(Self { kid: kid.to_owned(), encoding, public: private.to_public_key() })
    }

    /// A new 2048-bit key and its PKCS#1 PEM (to persist it), searched for on every core.
    pub fn generate(kid: &str) -> Result<(Self, String), String> {
        Self::generate_with(kid, std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4))
    }

    /// Finding the primes takes a random time (from a fifth of a second to several
    /// seconds on one core), so `searchers` threads search at once and the first key
    /// found is taken: that cuts the wait, its long tail most. The others finish in the
    /// background and are dropped.
    pub fn generate_with(kid: &str, searchers: usize) -> Result<(Self, String), String> {
        let (found, first) = std::sync::mpsc::channel();
        for _ in 0..searchers.max(1) {
            let found = found.clone();
            std::thread::spawn(move || {
                let _ = found.send(RsaPrivateKey::new(&mut rand::thread_rng(), 2048));
            });
        }
        drop(found);
        let private = first.recv().map_err(|e| e.to_string())?.map_err(|e| e.to_string())?;
        let pem = private.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF).map_err(|e| e.to_string())?.to_string();
        Ok((Self::from_pem(&pem, kid)?, pem))
    }

    /// A signed RS256 JWT of `claims`, with this key's `kid`.
    pub fn sign<T: Serialize>(&self, claims: &T) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).expect("RS256 signing with a valid key cannot fail")
    }

    /// The public key set to publish at `.well-known/jwks.json`.
    pub fn jwks(&self) -> JwkSet {
        let b64 = |bytes: Vec<u8>| URL_SAFE_NO_PAD.encode(bytes);
        let jwk = serde_json::json!({
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
            "n": b64(self.public.n().to_bytes_be()), "e": b64(self.public.e().to_bytes_be()),
        });
        serde_json::from_value(serde_json::json!({ "keys": [jwk] })).expect("a well-formed RSA JWK")
    }
}
