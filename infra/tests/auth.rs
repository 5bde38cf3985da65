//! Token verification as API Gateway's JWT authorizer does it, and the principal.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use tm_local::auth::keys::SigningKey;
use tm_local::auth::{JwtVerifier, TrustedIssuer};
use tm_service::auth::Principal;

const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test";
const CLIENT: &str = "client-123";

fn key(n: u8) -> SigningKey {
    let pem =
        std::fs::read_to_string(format!("{}/../tests/fixtures/keys/test-rsa-{n}.pem", env!("CARGO_MANIFEST_DIR")))
            .unwrap();
    SigningKey::from_pem(&pem, "kid-1").unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn id_claims() -> Value {
    json!({"iss": ISSUER, "sub": "user-1", "aud": CLIENT, "token_use": "id", "exp": now() + 3600, "iat": now(),
           "custom:tenant_id": "acme", "cognito:groups": ["admins"]})
}

async fn verifier() -> JwtVerifier {
    let mut v = JwtVerifier::new(vec![]);
    v.add_static(
        TrustedIssuer { issuer: ISSUER.into(), jwks_url: None, audiences: vec![CLIENT.into()] },
        &key(1).jwks(),
    )
    .await;
    v
}

fn unsigned(header: Value, claims: &Value, signature: &str) -> String {
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
    format!("{}.{}.{signature}", part(&header), part(claims))
}

#[tokio::test]
async fn id_and_access_tokens_verify_and_give_the_principal() {
    let v = verifier().await;
    let claims = v.verify(&key(1).sign(&id_claims())).await.unwrap();
    let p = Principal::from_claims(&claims).unwrap();
    assert_eq!((p.user(), p.tenant(), p.is_tenant_admin()), ("user-1", "acme", true));

    let access = json!({"iss": ISSUER, "sub": "user-1", "client_id": CLIENT, "token_use": "access", "exp": now() + 3600,
                        "scope": "aws.cognito.signin.user.admin"});
    let claims = v.verify(&key(1).sign(&access)).await.unwrap();
    // Issue 11: an access token carries no tenant, so it is refused instead of putting
    // its holder in a tenant of their own; the message names the ID token.
    let refused = Principal::from_claims(&claims).unwrap_err();
    assert!(refused.0.contains("ID token"), "{refused}");
    // With the tenant (pre-token generation) but without the API's scope: refused.
    let mut with_tenant = access.clone();
    with_tenant["custom:tenant_id"] = json!("acme");
    let claims = v.verify(&key(1).sign(&with_tenant)).await.unwrap();
    assert!(Principal::from_claims(&claims).unwrap_err().0.contains("tm/api"));
    // With both, the access token resolves to the ID token's tenant and user.
    with_tenant["scope"] = json!("openid profile tm/api");
    let claims = v.verify(&key(1).sign(&with_tenant)).await.unwrap();
    assert_eq!(Principal::from_claims(&claims).unwrap().owner(), p.owner());
}

#[tokio::test]
async fn every_forgery_and_mismatch_is_refused() {
    let v = verifier().await;
    let good = id_claims();
    let with = |patch: Value| {
        let mut c = good.clone();
        for (k, val) in patch.as_object().unwrap() {
            c[k] = val.clone();
        }
        c
    };
    let cases: Vec<(&str, String)> = vec![
        ("forged signature", key(2).sign(&good)),
        ("expired", key(1).sign(&with(json!({"exp": now() - 3600})))),
        ("not yet valid", key(1).sign(&with(json!({"nbf": now() + 3600})))),
        ("wrong issuer", key(1).sign(&with(json!({"iss": "https://evil.example/pool"})))),
        ("wrong audience", key(1).sign(&with(json!({"aud": "other-client"})))),
        ("no token use", key(1).sign(&with(json!({"token_use": "refresh"})))),
        ("alg none", unsigned(json!({"alg": "none", "typ": "JWT", "kid": "kid-1"}), &good, "")),
        ("garbage", "not.a.jwt".into()),
    ];
    for (what, token) in cases {
        assert!(v.verify(&token).await.is_err(), "{what} must be refused");
    }

    // HS256 signed with the RSA public key as the HMAC secret (the classic confusion).
    let public_pem =
        std::fs::read(format!("{}/../tests/fixtures/keys/test-rsa-1.pub.pem", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some("kid-1".into());
    let hs = jsonwebtoken::encode(&header, &good, &jsonwebtoken::EncodingKey::from_secret(&public_pem)).unwrap();
    let err = v.verify(&hs).await.unwrap_err();
    assert!(err.0.contains("RS256"), "{err}");

    // An unknown kid with no JWKS URL to refresh from.
    let pem = std::fs::read_to_string(format!("{}/../tests/fixtures/keys/test-rsa-1.pem", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    let other_kid = SigningKey::from_pem(&pem, "kid-9").unwrap();
    assert!(v.verify(&other_kid.sign(&good)).await.unwrap_err().0.contains("kid"));
}

#[tokio::test]
async fn expired_tokens_say_how_to_recover() {
    let v = verifier().await;
    let mut c = id_claims();
    c["exp"] = json!(now() - 120);
    let err = v.verify(&key(1).sign(&c)).await.unwrap_err();
    assert!(err.0.contains("expired"), "{err}");
}

/// A token verified once is accepted again from the cache, but the cache never lets a
/// forgery through: the same claims with another signature, or signed by another key,
/// are still refused after the genuine token was accepted.
#[tokio::test]
async fn a_cached_token_is_accepted_again_and_forgeries_of_it_still_are_not() {
    let v = verifier().await;
    let claims = id_claims();
    let token = key(1).sign(&claims);
    let first = v.verify(&token).await.unwrap();
    assert_eq!(v.verify(&token).await.unwrap(), first);
    let (signed, _) = token.rsplit_once('.').unwrap();
    assert!(v.verify(&format!("{signed}.AAAA")).await.is_err(), "another signature");
    assert!(v.verify(&key(2).sign(&claims)).await.is_err(), "another key");
}
