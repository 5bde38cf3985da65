//! tm-local trusting moto's Cognito: real RS256 ID and access tokens from a user pool,
//! verified against the pool's JWKS (fetched over HTTP from moto).

mod support;

use serde_json::{Value, json};
use support::{Api, Server, call};

/// One Cognito API call (AWS JSON 1.1; moto does not check signatures).
async fn cognito(endpoint: &str, target: &str, body: Value) -> Value {
    let reply = call(
        "POST",
        &format!("{endpoint}/"),
        None,
        Some(&body.to_string()),
        &[
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", &format!("AWSCognitoIdentityProviderService.{target}")),
            ("authorization", "AWS4-HMAC-SHA256 Credential=test/20261128/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0"),
        ],
    )
    .await;
    assert_eq!(reply.status, 200, "{target}: {}", reply.text);
    reply.json()
}

struct Pool {
    id: String,
    client: String,
}

async fn pool(endpoint: &str, name: &str) -> Pool {
    let created = cognito(
        endpoint,
        "CreateUserPool",
        json!({"PoolName": name, "Schema": [{"Name": "tenant_id", "AttributeDataType": "String", "Mutable": true}]}),
    )
    .await;
    let id = created["UserPool"]["Id"].as_str().unwrap().to_owned();
    let client = cognito(
        endpoint,
        "CreateUserPoolClient",
        json!({"UserPoolId": id, "ClientName": "tm", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    cognito(endpoint, "CreateGroup", json!({"UserPoolId": id, "GroupName": "admins"})).await;
    Pool { id, client }
}

/// (ID token, access token) of a new user.
async fn user(endpoint: &str, pool: &Pool, name: &str, tenant: &str, admin: bool) -> (String, String) {
    cognito(
        endpoint,
        "AdminCreateUser",
        json!({"UserPoolId": pool.id, "Username": name, "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "custom:tenant_id", "Value": tenant}, {"Name": "email", "Value": format!("{name}@example.com")}]}),
    )
    .await;
    cognito(
        endpoint,
        "AdminSetUserPassword",
        json!({"UserPoolId": pool.id, "Username": name, "Password": "Correct-Horse-9", "Permanent": true}),
    )
    .await;
    if admin {
        cognito(
            endpoint,
            "AdminAddUserToGroup",
            json!({"UserPoolId": pool.id, "Username": name, "GroupName": "admins"}),
        )
        .await;
    }
    let auth = cognito(
        endpoint,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": pool.client, "AuthParameters": {"USERNAME": name, "PASSWORD": "Correct-Horse-9"}}),
    )
    .await;
    let result = &auth["AuthenticationResult"];
    (result["IdToken"].as_str().unwrap().to_owned(), result["AccessToken"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn moto_cognito_tokens_work_and_foreign_pools_do_not() {
    let Ok(endpoint) = std::env::var("AWS_ENDPOINT_URL") else {
        assert!(
            std::env::var("TM_REQUIRE_EMULATOR").is_err(),
            "TM_REQUIRE_EMULATOR is set but AWS_ENDPOINT_URL is not"
        );
        eprintln!("skipped: no AWS_ENDPOINT_URL; run ./infra/test.sh to test against moto");
        return;
    };
    let suffix =
        format!("{:x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos());
    let trusted = pool(&endpoint, &format!("tm-trusted-{suffix}")).await;
    let foreign = pool(&endpoint, &format!("tm-foreign-{suffix}")).await;
    let issuer = format!("https://cognito-idp.us-east-1.amazonaws.com/{}", trusted.id);
    let trust = format!("{issuer},{endpoint}/{}/.well-known/jwks.json,{}", trusted.id, trusted.client);
    let server = Server::start_in(support::data_dir("moto-cognito"), &["--trust-issuer", &trust]);

    let (alice_id, alice_access) = user(&endpoint, &trusted, "alice", "acme", true).await;
    let (bob_id, _) = user(&endpoint, &trusted, "bob", "acme", false).await;
    let (carol_id, _) = user(&endpoint, &trusted, "carol", "globex", false).await;
    let (mallory_id, _) = user(&endpoint, &foreign, "mallory", "acme", true).await;

    let alice = Api { base: &server.base, token: alice_id.clone() };
    let me = alice.get("/v1/me").await;
    assert_eq!(me.status, 200, "{}", me.text);
    let me = me.json();
    assert_eq!((me["tenant"].as_str(), me["isTenantAdmin"].as_bool()), (Some("acme"), Some(true)));
    // Cognito's access token verifies (client_id, no aud) but carries no tenant: refused,
    // with a message naming the ID token (issue 11), never a tenant of its own.
    let by_access = Api { base: &server.base, token: alice_access }.get("/v1/me").await;
    assert_eq!(by_access.status, 401, "{}", by_access.text);
    assert!(by_access.text.contains("ID token"), "{}", by_access.text);

    let created = alice
        .post(
            "/v1/entries",
            r#"{"date": "2025-07-29", "startTime": "09:00", "endTime": "10:00", "task": "Cognito-authenticated work"}"#,
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    for token in [bob_id, carol_id] {
        let other = Api { base: &server.base, token };
        assert_eq!(other.get(&format!("/v1/entries/{id}")).await.status, 404);
        assert!(other.get("/v1/entries").await.json()["entries"].as_array().unwrap().is_empty());
    }
    assert_eq!(alice.patch("/v1/me", r#"{"fiscalYearStartMonth": 1}"#).await.status, 200, "admins group claim");

    let foreign = Api { base: &server.base, token: mallory_id }.get("/v1/me").await;
    assert_eq!((foreign.status, foreign.code()), (401, "unauthorized".to_owned()), "an untrusted pool");
    let mut tampered: Vec<String> = alice_id.split('.').map(str::to_owned).collect();
    tampered[2] = tampered[2].chars().rev().collect();
    let tampered = Api { base: &server.base, token: tampered.join(".") }.get("/v1/me").await;
    assert_eq!(tampered.status, 401);
}
