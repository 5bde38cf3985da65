//! The identity port on Amazon Cognito's admin API (`aws-sdk-cognitoidentityprovider`):
//! invitations with `AdminCreateUser` (Cognito emails the temporary password; the first
//! sign-in must change it), tenant and name with `AdminUpdateUserAttributes`, admin
//! standing with the `admins` group, disable/enable with a global sign-out, and delete.
//! The pool's usernames are email addresses; a person is also found by their `sub`.

use async_trait::async_trait;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::types::{AttributeType, DeliveryMediumType, MessageActionType};
use tm_service::auth::principal::{TENANT_ADMIN_GROUP, TENANT_CLAIM};
use tm_service::auth::{IdentityError, IdentityProvider, Invitation, Invited};

/// Environment variable naming the user pool (set by the SAM template).
pub const USER_POOL_ENV: &str = "USER_POOL_ID";

#[derive(Clone, Debug)]
pub struct CognitoIdentity {
    client: Client,
    pool: String,
}

impl CognitoIdentity {
    pub fn new(client: Client, pool: impl Into<String>) -> Self {
        Self { client, pool: pool.into() }
    }
}

fn attribute(name: &str, value: &str) -> Result<AttributeType, IdentityError> {
    AttributeType::builder().name(name).value(value).build().map_err(|e| IdentityError::Invalid(e.to_string()))
}

/// Cognito's error codes as the port's errors; the message says which call failed.
fn pool_error<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    call: &str,
    error: SdkError<E, R>,
) -> IdentityError {
    let code = error.code().unwrap_or_default().to_owned();
    let message = format!("{call}: {}", error.message().map(str::to_owned).unwrap_or_else(|| format!("{error:?}")));
    match code.as_str() {
        "UsernameExistsException" | "AliasExistsException" => IdentityError::Exists(message),
        "UserNotFoundException" => IdentityError::NotFound(message),
        "InvalidParameterException" | "CodeDeliveryFailureException" | "InvalidPasswordException" => {
            IdentityError::Invalid(message)
        }
        // Throttling, permissions, limits: the service's, not the request's.
        _ => IdentityError::Unavailable(message),
    }
}

#[async_trait]
impl IdentityProvider for CognitoIdentity {
    async fn invite(&self, invitation: &Invitation) -> Result<Invited, IdentityError> {
        let created = self
            .client
            .admin_create_user()
            .user_pool_id(&self.pool)
            .username(&invitation.email)
            .user_attributes(attribute("email", &invitation.email)?)
            // The invitation goes to this address, so it is the person's own.
            .user_attributes(attribute("email_verified", "true")?)
            .user_attributes(attribute("name", &invitation.name)?)
            .user_attributes(attribute(TENANT_CLAIM, &invitation.tenant)?)
            .desired_delivery_mediums(DeliveryMediumType::Email)
            .send()
            .await
            .map_err(|e| pool_error("AdminCreateUser", e))?;
        let user =
            created.user().ok_or_else(|| IdentityError::Unavailable("AdminCreateUser returned no user".into()))?;
        let sub = user
            .attributes()
            .iter()
            .find(|a| a.name() == "sub")
            .and_then(|a| a.value())
            .ok_or_else(|| IdentityError::Unavailable("AdminCreateUser returned no sub".into()))?
            .to_owned();
        let username = user.username().unwrap_or(&invitation.email).to_owned();
        if invitation.admin {
            self.set_admin(&username, true).await?;
        }
        Ok(Invited { user: sub, username, link: None })
    }

    async fn resend_invitation(&self, username: &str) -> Result<Invited, IdentityError> {
        let resent = self
            .client
            .admin_create_user()
            .user_pool_id(&self.pool)
            .username(username)
            .message_action(MessageActionType::Resend)
            .desired_delivery_mediums(DeliveryMediumType::Email)
            .send()
            .await
            .map_err(|e| pool_error("AdminCreateUser (RESEND)", e))?;
        let user =
            resent.user().ok_or_else(|| IdentityError::Unavailable("AdminCreateUser returned no user".into()))?;
        let sub = user.attributes().iter().find(|a| a.name() == "sub").and_then(|a| a.value()).unwrap_or(username);
        Ok(Invited { user: sub.to_owned(), username: user.username().unwrap_or(username).to_owned(), link: None })
    }

    async fn assign_tenant(&self, username: &str, tenant: &str) -> Result<(), IdentityError> {
        self.client
            .admin_update_user_attributes()
            .user_pool_id(&self.pool)
            .username(username)
            .user_attributes(attribute(TENANT_CLAIM, tenant)?)
            .send()
            .await
            .map_err(|e| pool_error("AdminUpdateUserAttributes", e))?;
        Ok(())
    }

    async fn set_name(&self, username: &str, name: &str) -> Result<(), IdentityError> {
        self.client
            .admin_update_user_attributes()
            .user_pool_id(&self.pool)
            .username(username)
            .user_attributes(attribute("name", name)?)
            .send()
            .await
            .map_err(|e| pool_error("AdminUpdateUserAttributes", e))?;
        Ok(())
    }

    async fn set_admin(&self, username: &str, admin: bool) -> Result<(), IdentityError> {
        if admin {
            self.client
                .admin_add_user_to_group()
                .user_pool_id(&self.pool)
                .username(username)
                .group_name(TENANT_ADMIN_GROUP)
                .send()
                .await
                .map_err(|e| pool_error("AdminAddUserToGroup", e))?;
        } else {
            self.client
                .admin_remove_user_from_group()
                .user_pool_id(&self.pool)
                .username(username)
                .group_name(TENANT_ADMIN_GROUP)
                .send()
                .await
                .map_err(|e| pool_error("AdminRemoveUserFromGroup", e))?;
        }
        Ok(())
    }

    async fn set_disabled(&self, username: &str, disabled: bool) -> Result<(), IdentityError> {
        if disabled {
            // Signed out first: if disabling then fails, nobody holds a fresh refresh
            // token, and the admin retries.
            self.client
                .admin_user_global_sign_out()
                .user_pool_id(&self.pool)
                .username(username)
                .send()
                .await
                .map_err(|e| pool_error("AdminUserGlobalSignOut", e))?;
            self.client
                .admin_disable_user()
                .user_pool_id(&self.pool)
                .username(username)
                .send()
                .await
                .map_err(|e| pool_error("AdminDisableUser", e))?;
        } else {
            self.client
                .admin_enable_user()
                .user_pool_id(&self.pool)
                .username(username)
                .send()
                .await
                .map_err(|e| pool_error("AdminEnableUser", e))?;
        }
        Ok(())
    }

    async fn remove(&self, username: &str) -> Result<(), IdentityError> {
        self.client
            .admin_delete_user()
            .user_pool_id(&self.pool)
            .username(username)
            .send()
            .await
            .map_err(|e| pool_error("AdminDeleteUser", e))?;
        Ok(())
    }
}
