//! The user's account in the identity provider (Visma Connect, Entra ID,
//! Keycloak, any SCIM 2.0 server): the provisioning settings, the account's
//! state as the register keeps it, what the account should be for a user
//! (active while connected, closed otherwise) and the SCIM resource that
//! says so (RFC 7643), and the retry rule of the pushes.

use std::time::Duration;

use super::settings::{SettingError, SettingKey};
use super::{Connection, UserKey, UserRecord};

/// Whether connections are pushed to an identity provider.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IdpProvisioning {
    /// Nothing leaves the register (the default).
    #[default]
    Off,
    /// Accounts are created, changed and closed over SCIM 2.0.
    Scim,
}

impl IdpProvisioning {
    /// The stored word: `off` or `scim`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Scim => "scim",
        }
    }
}

/// What happens to the account when the connection goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnDisconnect {
    /// `active = false`: the account stays, and can come back (the default).
    #[default]
    Deactivate,
    /// The account is deleted at the provider.
    Delete,
}

impl OnDisconnect {
    /// The stored word: `deactivate` or `delete`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Deactivate => "deactivate",
            Self::Delete => "delete",
        }
    }
}

/// The identity provider settings (Settings › Identity provider). The
/// bearer token and the client secret are never here: they live in the
/// keyring or the environment, like the SMTP password.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdpSettings {
    /// Off or SCIM.
    pub provisioning: IdpProvisioning,
    /// The SCIM endpoint, e.g. `https://connect.visma.com/scim/v2`.
    pub scim_base_url: String,
    /// OAuth 2.0 token endpoint for client credentials; empty: a bearer token.
    pub scim_token_url: String,
    /// OAuth 2.0 client id (with `scim_token_url`).
    pub scim_client_id: String,
    /// Deactivate or delete the account when the connection goes.
    pub on_disconnect: OnDisconnect,
}

impl IdpSettings {
    /// True when pushes are made.
    pub fn is_on(&self) -> bool {
        self.provisioning == IdpProvisioning::Scim && !self.scim_base_url.trim().is_empty()
    }

    /// The value of one of the identity provider's keys; `None` for others.
    pub fn get(&self, key: SettingKey) -> Option<String> {
        Some(match key {
            SettingKey::IdpProvisioning => self.provisioning.code().into(),
            SettingKey::ScimBaseUrl => self.scim_base_url.clone(),
            SettingKey::ScimTokenUrl => self.scim_token_url.clone(),
            SettingKey::ScimClientId => self.scim_client_id.clone(),
            SettingKey::IdpOnDisconnect => self.on_disconnect.code().into(),
            _ => return None,
        })
    }

    /// Sets one of the identity provider's keys; `Ok(false)` for others.
    pub fn set(&mut self, key: SettingKey, value: &str) -> Result<bool, SettingError> {
        let bad = |message: &str| SettingError {
            key: key.name(),
            message: message.into(),
        };
        match key {
            SettingKey::IdpProvisioning => {
                self.provisioning = match value.trim() {
                    "off" => IdpProvisioning::Off,
                    "scim" => IdpProvisioning::Scim,
                    _ => return Err(bad("expected off or scim")),
                };
            }
            SettingKey::ScimBaseUrl => {
                self.scim_base_url = optional_url(value).ok_or_else(|| {
                    bad("expected empty, or the SCIM endpoint starting with https:// (or http://)")
                })?;
            }
            SettingKey::ScimTokenUrl => {
                self.scim_token_url = optional_url(value).ok_or_else(|| {
                    bad("expected empty, or the token endpoint starting with https:// (or http://)")
                })?;
            }
            SettingKey::ScimClientId => {
                let id = value.trim();
                if id.chars().any(|c| c.is_control() || c.is_whitespace()) {
                    return Err(bad("expected a client id without spaces"));
                }
                id.clone_into(&mut self.scim_client_id);
            }
            SettingKey::IdpOnDisconnect => {
                self.on_disconnect = match value.trim() {
                    "deactivate" => OnDisconnect::Deactivate,
                    "delete" => OnDisconnect::Delete,
                    _ => return Err(bad("expected deactivate or delete")),
                };
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Empty, or an `http(s)://` address without spaces (the trailing `/` cut).
fn optional_url(value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        return Some(String::new());
    }
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))?;
    (!rest.is_empty() && !rest.contains(char::is_whitespace) && !rest.contains(char::is_control))
        .then(|| value.trim_end_matches('/').to_owned())
}

/// The account's state as the register knows it (`users list --json`'s
/// `idp_state`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IdpState {
    /// No account was made (or provisioning is off).
    #[default]
    None,
    /// A push waits to be delivered.
    Waiting,
    /// The account exists and is active.
    Active,
    /// The account was deactivated (or deleted) when the connection went.
    Deactivated,
    /// The last push failed for good; *Try again* queues it anew.
    Failed,
}

impl IdpState {
    /// The stored and printed word.
    pub fn code(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Waiting => "waiting",
            Self::Active => "active",
            Self::Deactivated => "deactivated",
            Self::Failed => "failed",
        }
    }

    /// Parses the stored word.
    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::None,
            Self::Waiting,
            Self::Active,
            Self::Deactivated,
            Self::Failed,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    /// Every state, in the order `idp status` counts them.
    pub const ALL: [Self; 5] = [
        Self::None,
        Self::Waiting,
        Self::Active,
        Self::Deactivated,
        Self::Failed,
    ];
}

/// The state in words ("active", "waiting to be sent", …).
pub fn state_label(state: IdpState) -> String {
    match state {
        IdpState::None => t!("idp-state-none"),
        IdpState::Waiting => t!("idp-state-waiting"),
        IdpState::Active => t!("idp-state-active"),
        IdpState::Deactivated => t!("idp-state-deactivated"),
        IdpState::Failed => t!("idp-state-failed"),
    }
}

/// A user's account at the provider, as the register keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdpAccount {
    /// The HRM user (kept after the user is deleted, until the account is closed).
    pub user_key: UserKey,
    /// The User-ID the account was last pushed with (its `externalId`).
    pub external_id: String,
    /// The provider's id of the account, once known.
    pub idp_id: Option<String>,
    /// Where it stands: `Waiting` while a push is wanted and not failed.
    pub state: IdpState,
    /// Tries of the push that waits.
    pub attempts: u32,
    /// The server's last answer, in its words.
    pub last_result: String,
    /// When the state last changed (active since …).
    pub since: Option<jiff::Timestamp>,
}

/// What the account should be, from the user as the register has them now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Desired {
    /// Exists and is active with these attributes (the user is connected).
    Active(ScimUser),
    /// Closed: deactivated or deleted (no connection, not activated, or the
    /// user deleted).
    Closed,
}

/// The attributes pushed for a connected user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScimUser {
    /// `userName`: the Visma Connect address.
    pub user_name: String,
    /// `externalId`: the User-ID.
    pub external_id: String,
    /// `name.givenName`.
    pub given_name: String,
    /// `name.familyName`.
    pub family_name: String,
}

impl ScimUser {
    /// The SCIM User resource (RFC 7643 §4.1) for a create or a replace.
    pub fn resource(&self) -> serde_json::Value {
        serde_json::json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": self.user_name,
            "externalId": self.external_id,
            "name": { "givenName": self.given_name, "familyName": self.family_name },
            "emails": [{ "value": self.user_name, "type": "work", "primary": true }],
            "active": true,
        })
    }

    /// A PATCH (RFC 7644 §3.5.2) that makes an existing account this one.
    pub fn patch(&self) -> serde_json::Value {
        patch_op(&serde_json::json!({
            "userName": self.user_name,
            "externalId": self.external_id,
            "name": { "givenName": self.given_name, "familyName": self.family_name },
            "emails": [{ "value": self.user_name, "type": "work", "primary": true }],
            "active": true,
        }))
    }

    /// True when the provider's resource already says what this one does.
    pub fn matches(&self, resource: &serde_json::Value) -> bool {
        let text = |pointer: &str| {
            resource
                .pointer(pointer)
                .and_then(serde_json::Value::as_str)
        };
        text("/userName").is_some_and(|u| u.eq_ignore_ascii_case(&self.user_name))
            && text("/externalId") == Some(self.external_id.as_str())
            && text("/name/givenName").unwrap_or("") == self.given_name
            && text("/name/familyName").unwrap_or("") == self.family_name
            && resource
                .pointer("/active")
                .and_then(serde_json::Value::as_bool)
                != Some(false)
    }
}

/// The PATCH that deactivates an account.
pub fn deactivate_patch() -> serde_json::Value {
    patch_op(&serde_json::json!({ "active": false }))
}

fn patch_op(value: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": "replace", "value": value }],
    })
}

/// What `record`'s account should be: active while the user is activated
/// and connected, closed otherwise (and when the user is gone).
pub fn desired(record: Option<&UserRecord>) -> Desired {
    match record {
        Some(record) if record.user.activated => match &record.connection {
            Connection::Connected { email, .. } => Desired::Active(ScimUser {
                user_name: email.to_string(),
                external_id: record.user.user_id.to_string(),
                given_name: record.user.first_name.clone(),
                family_name: record.user.last_name.clone(),
            }),
            _ => Desired::Closed,
        },
        _ => Desired::Closed,
    }
}

/// The pause before try number `attempts + 1` of a push: `base` doubled
/// per try, at most `max`; a server's `Retry-After` wins when longer.
pub fn retry_pause(
    attempts: u32,
    base: Duration,
    max: Duration,
    retry_after: Option<Duration>,
) -> Duration {
    let factor = 2_u32.saturating_pow(attempts.saturating_sub(1));
    let backoff = base.saturating_mul(factor).min(max);
    retry_after.map_or(backoff, |asked| {
        asked.max(backoff).min(Duration::from_hours(24))
    })
}

/// Escapes a value for a SCIM filter string (`userName eq "…"`).
pub fn filter_value(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn settings_parse_and_refuse() {
        let mut idp = IdpSettings::default();
        assert!(!idp.is_on());
        assert!(idp.set(SettingKey::IdpProvisioning, "scim").unwrap());
        assert!(!idp.is_on(), "no endpoint yet");
        idp.set(
            SettingKey::ScimBaseUrl,
            " https://connect.example.com/scim/v2/ ",
        )
        .unwrap();
        assert_eq!(idp.scim_base_url, "https://connect.example.com/scim/v2");
        assert!(idp.is_on());
        assert!(idp.set(SettingKey::ScimBaseUrl, "ftp://x").is_err());
        assert!(idp.set(SettingKey::IdpProvisioning, "ldap").is_err());
        assert!(idp.set(SettingKey::IdpOnDisconnect, "delete").is_ok());
        assert_eq!(idp.get(SettingKey::IdpOnDisconnect).unwrap(), "delete");
        assert!(!idp.set(SettingKey::SmtpHost, "x").unwrap());
    }

    #[test]
    fn backoff_doubles_and_honours_retry_after() {
        let base = Duration::from_secs(10);
        let max = Duration::from_mins(5);
        assert_eq!(retry_pause(1, base, max, None), base);
        assert_eq!(retry_pause(3, base, max, None), Duration::from_secs(40));
        assert_eq!(retry_pause(30, base, max, None), max);
        assert_eq!(
            retry_pause(1, base, max, Some(Duration::from_mins(2))),
            Duration::from_mins(2)
        );
        assert_eq!(
            retry_pause(1, base, max, Some(Duration::from_secs(1))),
            base
        );
    }

    #[test]
    fn a_filter_value_cannot_end_the_string() {
        assert_eq!(filter_value(r#"a"b\c"#), r#"a\"b\\c"#);
    }

    #[test]
    fn a_resource_matches_when_the_provider_says_the_same() {
        let user = ScimUser {
            user_name: "anna@example.org".into(),
            external_id: "14".into(),
            given_name: "Anna".into(),
            family_name: "Lind".into(),
        };
        let mut resource = user.resource();
        assert!(user.matches(&resource));
        resource["active"] = serde_json::Value::Bool(false);
        assert!(!user.matches(&resource));
        resource["active"] = serde_json::Value::Bool(true);
        resource["userName"] = "ANNA@example.org".into();
        assert!(user.matches(&resource), "user names compare without case");
        resource["name"]["familyName"] = "Berg".into();
        assert!(!user.matches(&resource));
    }
}
