//! The user pool's trigger functions with Cognito's own event JSON (the shapes of the
//! Cognito developer guide's post-confirmation and pre-token-generation V2 examples),
//! and the Cognito adapter of the identity port against moto's Cognito.

mod support;

use aws_lambda_events::event::cognito::CognitoEventUserPoolsPreTokenGenV2;
use functions::Service;
use functions::triggers::{handle_post_confirmation, handle_pre_token};
use serde_json::{Value, json};
use std::sync::Mutex;
use tm_aws::cognito::CognitoIdentity;
use tm_service::auth::{IdentityError, IdentityProvider, Invitation, Invited};
use tm_service::jobs::sign_in::EmailDomains;
use tm_service::store::team::{person, save_person};
use tm_service::store::{Owner, PersonStatus};

/// Records what the trigger asked of the pool.
#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

#[async_trait::async_trait]
impl IdentityProvider for Recorder {
    async fn invite(&self, _: &Invitation) -> Result<Invited, IdentityError> {
        unreachable!("triggers invite nobody")
    }
    async fn resend_invitation(&self, _: &str) -> Result<Invited, IdentityError> {
        unreachable!("triggers invite nobody")
    }
    async fn assign_tenant(&self, username: &str, tenant: &str) -> Result<(), IdentityError> {
        self.0.lock().unwrap().push(format!("tenant {username} {tenant}"));
        Ok(())
    }
    async fn set_name(&self, _: &str, _: &str) -> Result<(), IdentityError> {
        unreachable!()
    }
    async fn set_admin(&self, username: &str, admin: bool) -> Result<(), IdentityError> {
        self.0.lock().unwrap().push(format!("admin {username} {admin}"));
        Ok(())
    }
    async fn set_disabled(&self, _: &str, _: bool) -> Result<(), IdentityError> {
        unreachable!()
    }
    async fn remove(&self, _: &str) -> Result<(), IdentityError> {
        unreachable!()
    }
}

fn service(name: &str) -> Service {
    let dir = std::env::temp_dir().join(format!("tm-triggers-{name}-{}", uuid::Uuid::new_v4()));
    Service::unscoped(tm_embedded::EmbeddedStore::open(&dir).unwrap().context())
}

fn confirmed(sub: &str, email: &str, extra: Value) -> Value {
    let mut attributes = json!({
        "sub": sub, "email_verified": "true", "cognito:user_status": "CONFIRMED",
        "name": "Ada Lovelace", "email": email,
    });
    for (k, v) in extra.as_object().unwrap() {
        attributes[k] = v.clone();
    }
    json!({
        "version": "1", "region": "us-east-1", "userPoolId": "us-east-1_EXAMPLE", "userName": sub,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "1example23456789"},
        "triggerSource": "PostConfirmation_ConfirmSignUp",
        "request": {"userAttributes": attributes},
        "response": {}
    })
}

fn token_event(sub: &str, tenant: &str, source: &str) -> Value {
    json!({
        "version": "2", "triggerSource": source, "region": "us-east-1", "userPoolId": "us-east-1_EXAMPLE",
        "userName": sub,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "1example23456789"},
        "request": {
            "userAttributes": {"sub": sub, "cognito:user_status": "CONFIRMED", "email": "ada@example.com",
                               "email_verified": "true", "custom:tenant_id": tenant},
            "groupConfiguration": {"groupsToOverride": ["admins"], "iamRolesToOverride": [], "preferredRole": null},
            "scopes": ["openid", "email", "aws.cognito.signin.user.admin"]
        },
        "response": {"claimsAndScopeOverrideDetails": null}
    })
}

#[tokio::test]
async fn a_confirmed_sign_up_gets_a_new_tenant_as_its_admin_and_an_invited_person_keeps_theirs() {
    let service = service("signup");
    let pool = Recorder::default();
    let domains = EmailDomains::parse("example.org=acme").unwrap();
    let event = confirmed("4b1f-ada", "Ada@Example.com", json!({}));
    let answered = handle_post_confirmation(&service, &pool, &domains, event.clone()).await.unwrap();
    assert_eq!(answered, event, "Cognito gets its event back unchanged");
    let calls = pool.0.lock().unwrap().clone();
    let tenant = calls[0].strip_prefix("tenant 4b1f-ada ").expect("a tenant set with AdminUpdateUserAttributes");
    assert!(tenant.starts_with("t-"), "{tenant}");
    assert_eq!(calls[1], "admin 4b1f-ada true", "the first user administers the tenant");
    // Cognito retries a trigger that runs long: the retry makes the same tenant.
    let retry = Recorder::default();
    handle_post_confirmation(&service, &retry, &domains, event.clone()).await.unwrap();
    assert_eq!(retry.0.lock().unwrap()[0], calls[0], "the same tenant again");
    let entry = person(service.ctx.store.as_ref(), &Owner::new(tenant, "4b1f-ada").unwrap()).await.unwrap().unwrap();
    assert_eq!(
        (entry.name.as_deref(), entry.email.as_deref(), entry.admin, entry.status),
        (Some("Ada Lovelace"), Some("ada@example.com"), Some(true), PersonStatus::Active)
    );

    // Invited (AdminCreateUser set the tenant): nothing changes in the pool.
    let pool = Recorder::default();
    let invited = confirmed("9c2e-grace", "grace@example.com", json!({"custom:tenant_id": "acme"}));
    handle_post_confirmation(&service, &pool, &domains, invited).await.unwrap();
    assert!(pool.0.lock().unwrap().is_empty());
    assert!(person(service.ctx.store.as_ref(), &Owner::new("acme", "9c2e-grace").unwrap()).await.unwrap().is_some());

    // A federated person of a configured domain joins that tenant as a member; the
    // same domain signing up with a password does not (anyone can claim an address).
    let pool = Recorder::default();
    let federated = confirmed(
        "fed-1",
        "lin@example.org",
        json!({"identities": r#"[{"providerName":"Corporate","providerType":"OIDC","userId":"123"}]"#,
               "cognito:user_status": "EXTERNAL_PROVIDER"}),
    );
    let mut federated = federated;
    federated["userName"] = json!("Corporate_123");
    handle_post_confirmation(&service, &pool, &domains, federated).await.unwrap();
    assert_eq!(pool.0.lock().unwrap().clone(), ["tenant Corporate_123 acme"]);
    let lin = person(service.ctx.store.as_ref(), &Owner::new("acme", "fed-1").unwrap()).await.unwrap().unwrap();
    assert_eq!((lin.admin, lin.username.as_deref()), (Some(false), Some("Corporate_123")));
    // An address the provider did not verify maps to no tenant.
    let pool = Recorder::default();
    let mut unverified = confirmed(
        "fed-2",
        "mal@example.org",
        json!({"identities": r#"[{"providerName":"Corporate"}]"#, "email_verified": "false"}),
    );
    unverified["userName"] = json!("Corporate_456");
    handle_post_confirmation(&service, &pool, &domains, unverified).await.unwrap();
    assert!(!pool.0.lock().unwrap()[0].ends_with(" acme"), "{:?}", pool.0.lock().unwrap());
    let pool = Recorder::default();
    handle_post_confirmation(&service, &pool, &domains, confirmed("pw-1", "eve@example.org", json!({}))).await.unwrap();
    assert!(!pool.0.lock().unwrap()[0].ends_with(" acme"), "a password sign-up gets a tenant of its own");

    // A password reset is a confirmation too, and changes nothing.
    let pool = Recorder::default();
    let mut reset = confirmed("4b1f-ada", "ada@example.com", json!({}));
    reset["triggerSource"] = json!("PostConfirmation_ConfirmForgotPassword");
    handle_post_confirmation(&service, &pool, &domains, reset).await.unwrap();
    assert!(pool.0.lock().unwrap().is_empty());
    assert!(EmailDomains::parse("example.org").is_err() && EmailDomains::parse("x.org=a#b").is_err());
}

#[tokio::test]
async fn tokens_carry_the_tenant_and_scope_and_are_refused_to_disabled_people() {
    let service = service("pre-token");
    let store = service.ctx.store.as_ref();
    let owner = Owner::new("acme", "u-1").unwrap();
    let mut entry = tm_service::store::DirectoryEntry::new(&owner, chrono::Utc::now());
    entry.status = PersonStatus::Invited;
    save_person(store, &entry, None).await.unwrap();

    let answered =
        handle_pre_token(&service, token_event("u-1", "acme", "TokenGeneration_Authentication")).await.unwrap();
    // The answer is what Cognito's V2 model reads (aws_lambda_events' types).
    let typed: CognitoEventUserPoolsPreTokenGenV2 = serde_json::from_value(answered.clone()).unwrap();
    let access = typed.response.claims_and_scope_override_details.unwrap().access_token_generation.unwrap();
    assert_eq!(access.claims_to_add_or_override.get("custom:tenant_id"), Some(&json!("acme")));
    assert_eq!(access.scopes_to_add, ["tm/api"]);
    assert_eq!(answered["request"], token_event("u-1", "acme", "x")["request"], "the request is kept");
    let seen = person(store, &owner).await.unwrap().unwrap();
    assert_eq!(seen.status, PersonStatus::Active, "the first sign-in of an invited person");
    assert!(seen.last_seen.is_some());

    // Disabled or removed: no tokens, on sign-in or refresh.
    for status in [PersonStatus::Disabled, PersonStatus::Removed] {
        let mut now = person(store, &owner).await.unwrap().unwrap();
        let read = now.revision;
        now.status = status;
        assert!(save_person(store, &now, Some(read)).await.unwrap());
        for source in ["TokenGeneration_Authentication", "TokenGeneration_RefreshTokens"] {
            let refused = handle_pre_token(&service, token_event("u-1", "acme", source)).await.unwrap_err();
            assert!(refused.to_string().contains("account"), "{refused}");
        }
    }
    // Someone not in a tenant yet gets their tokens unchanged (the API says why it
    // refuses them).
    let mut no_tenant = token_event("u-2", "acme", "TokenGeneration_Authentication");
    no_tenant["request"]["userAttributes"].as_object_mut().unwrap().remove("custom:tenant_id");
    assert_eq!(handle_pre_token(&service, no_tenant.clone()).await.unwrap(), no_tenant);
}

/// The Cognito adapter on moto: invitations with the tenant attribute, groups, disable
/// and enable with a global sign-out, attribute updates and deletion.
#[tokio::test]
async fn the_cognito_adapter_manages_people_in_a_user_pool() {
    if support::emulator_stores("tm-cognito").await.is_none() {
        return;
    }
    use aws_sdk_cognitoidentityprovider::types::{AttributeDataType, SchemaAttributeType};
    let client = aws_sdk_cognitoidentityprovider::Client::new(&aws_config::load_from_env().await);
    let pool = client
        .create_user_pool()
        .pool_name(format!("tm-{}", uuid::Uuid::new_v4()))
        .schema(
            SchemaAttributeType::builder()
                .name("tenant_id")
                .attribute_data_type(AttributeDataType::String)
                .mutable(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    client.create_group().user_pool_id(&pool_id).group_name("admins").send().await.unwrap();
    let identity = CognitoIdentity::new(client.clone(), &pool_id);
    let attributes = |username: String| {
        let (client, pool_id) = (client.clone(), pool_id.clone());
        async move {
            let user = client.admin_get_user().user_pool_id(&pool_id).username(&username).send().await.unwrap();
            let map: std::collections::BTreeMap<String, String> = user
                .user_attributes()
                .iter()
                .map(|a| (a.name().to_owned(), a.value().unwrap_or_default().to_owned()))
                .collect();
            (map, user.enabled())
        }
    };
    let groups = |username: String| {
        let (client, pool_id) = (client.clone(), pool_id.clone());
        async move {
            let listed =
                client.admin_list_groups_for_user().user_pool_id(&pool_id).username(&username).send().await.unwrap();
            listed.groups().iter().filter_map(|g| g.group_name().map(str::to_owned)).collect::<Vec<_>>()
        }
    };

    let invitation = Invitation {
        tenant: "acme".into(),
        email: "grace@example.com".into(),
        name: "Grace Hopper".into(),
        admin: true,
    };
    let invited = identity.invite(&invitation).await.unwrap();
    assert!(invited.link.is_none(), "Cognito sends its own invitation message");
    let (attrs, enabled) = attributes(invited.username.clone()).await;
    assert_eq!(attrs.get("custom:tenant_id").map(String::as_str), Some("acme"));
    assert_eq!(attrs.get("name").map(String::as_str), Some("Grace Hopper"));
    assert_eq!(attrs.get("sub"), Some(&invited.user));
    assert!(enabled);
    assert_eq!(groups(invited.username.clone()).await, ["admins"]);
    assert!(matches!(identity.invite(&invitation).await, Err(IdentityError::Exists(_))), "the same email twice");

    identity.set_admin(&invited.username, false).await.unwrap();
    assert!(groups(invited.username.clone()).await.is_empty());
    identity.set_name(&invited.username, "Rear Admiral Hopper").await.unwrap();
    identity.assign_tenant(&invited.username, "globex").await.unwrap();
    let (attrs, _) = attributes(invited.username.clone()).await;
    assert_eq!((attrs["name"].as_str(), attrs["custom:tenant_id"].as_str()), ("Rear Admiral Hopper", "globex"));
    identity.set_disabled(&invited.username, true).await.unwrap();
    assert!(!attributes(invited.username.clone()).await.1);
    identity.set_disabled(&invited.username, false).await.unwrap();
    assert!(attributes(invited.username.clone()).await.1);
    identity.remove(&invited.username).await.unwrap();
    assert!(matches!(identity.remove(&invited.username).await, Err(IdentityError::NotFound(_))));
    assert!(matches!(identity.set_admin("nobody@example.com", true).await, Err(IdentityError::NotFound(_))));
}

/// An API Gateway (HTTP API, payload 2.0) event after the JWT authorizer.
fn api_event(method: &str, path: &str, params: Value, body: Option<Value>, claims: &Value) -> lambda_http::Request {
    let raw = json!({
        "version": "2.0", "routeKey": format!("{method} {path}"), "rawPath": path, "rawQueryString": "",
        "headers": {"content-type": "application/json"}, "isBase64Encoded": false, "pathParameters": params,
        "requestContext": {
            "accountId": "123456789012", "apiId": "api", "domainName": "api.example.com", "domainPrefix": "api",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "test"},
            "requestId": "req-people", "routeKey": format!("{method} {path}"), "stage": "$default",
            "time": "03/Dec/2026:10:00:00 +0000", "timeEpoch": 1_796_292_000_000u64,
            "authorizer": {"jwt": {"claims": claims, "scopes": null}},
        },
        "body": body.map(|b| b.to_string()),
    });
    lambda_http::request::from_str(&raw.to_string()).unwrap()
}

/// The admin routes as Lambda functions, with DynamoDB and the Cognito adapter on moto:
/// an invitation makes the account in the pool with the tenant, disabling disables it
/// there, deleting deletes it; the directory follows.
#[tokio::test]
async fn the_admin_routes_manage_people_in_the_pool_through_api_gateway_events() {
    let Some((_, store, objects)) = support::emulator_stores("tm-people").await else { return };
    let client = aws_sdk_cognitoidentityprovider::Client::new(&aws_config::load_from_env().await);
    let pool = client.create_user_pool().pool_name(format!("tm-{}", uuid::Uuid::new_v4())).send().await.unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    client.create_group().user_pool_id(&pool_id).group_name("admins").send().await.unwrap();
    let mut ctx = tm_service::context::AppContext::new(std::sync::Arc::new(store), std::sync::Arc::new(objects));
    ctx.identity = Some(std::sync::Arc::new(CognitoIdentity::new(client.clone(), &pool_id)));
    let service = Service::unscoped(ctx);
    // As in AWS: the admin's directory entry came from the post-confirmation trigger.
    let mut admin =
        tm_service::store::DirectoryEntry::new(&Owner::new("acme", "admin-sub").unwrap(), chrono::Utc::now());
    admin.admin = Some(true);
    admin.name = Some("Olga Admin".into());
    save_person(service.ctx.store.as_ref(), &admin, None).await.unwrap();
    let claims =
        json!({"sub": "admin-sub", "custom:tenant_id": "acme", "cognito:groups": "[admins]", "token_use": "id"});
    let call = async |function: &str, method: &str, path: &str, params: Value, body: Option<Value>| {
        let route = tm_service::http::routes::route_by_function(function).unwrap();
        let response = functions::handle_event(&service, route, api_event(method, path, params, body, &claims)).await;
        let status = response.status().as_u16();
        let text = match response.body() {
            lambda_http::Body::Text(t) => t.clone(),
            _ => String::new(),
        };
        (status, serde_json::from_str::<Value>(&text).unwrap_or(Value::Null))
    };

    let (status, invited) = call(
        "admin-users-invite",
        "POST",
        "/v1/admin/users",
        json!(null),
        Some(json!({"email": "grace@example.com", "name": "Grace Hopper"})),
    )
    .await;
    assert_eq!(status, 201, "{invited}");
    assert_eq!(invited["invitation"]["sentBy"], "email", "Cognito sends the invitation");
    let grace = invited["person"]["id"].as_str().unwrap().to_owned();
    let user = client.admin_get_user().user_pool_id(&pool_id).username("grace@example.com").send().await.unwrap();
    let tenant = user.user_attributes().iter().find(|a| a.name() == "custom:tenant_id").and_then(|a| a.value());
    assert_eq!(tenant, Some("acme"));

    let (status, people) = call("users-list", "GET", "/v1/users", json!(null), None).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = people["people"].as_array().unwrap().iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(names, ["Grace Hopper", "Olga Admin"]);

    let path = format!("/v1/admin/users/{grace}");
    let (status, disabled) =
        call("admin-users-patch", "PATCH", &path, json!({"id": grace}), Some(json!({"disabled": true}))).await;
    assert_eq!((status, &disabled["status"]), (200, &json!("disabled")), "{disabled}");
    let user = client.admin_get_user().user_pool_id(&pool_id).username("grace@example.com").send().await.unwrap();
    assert!(!user.enabled(), "disabled in the pool too");
    let (status, last) = call(
        "admin-users-patch",
        "PATCH",
        "/v1/admin/users/x",
        json!({"id": "admin-sub"}),
        Some(json!({"admin": false})),
    )
    .await;
    assert_eq!((status, &last["error"]["code"]), (409, &json!("last-admin")));

    let (status, _) = call("admin-users-delete", "DELETE", &path, json!({"id": grace}), None).await;
    assert_eq!(status, 204);
    let gone = client.admin_get_user().user_pool_id(&pool_id).username("grace@example.com").send().await;
    assert!(gone.is_err(), "deleted from the pool");
    let grace_now = person(service.ctx.store.as_ref(), &Owner::new("acme", &grace).unwrap()).await.unwrap().unwrap();
    assert_eq!(grace_now.status, PersonStatus::Removed, "kept in the directory, so her entries keep a name");
}
