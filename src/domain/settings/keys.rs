//! The settings' names: every key `config get`/`config set` and the register's
//! rows know, which are security settings, and the error that names a key.

use std::fmt;

/// A row of the register's settings table: a setting the administrator
/// changes, or a mark the program keeps there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingsRow {
    /// A setting of [`Settings`].
    Setting(SettingKey),
    /// Set on a register the demo generator made.
    DemoRegister,
    /// Set once someone held System administrator: roles stay in force
    /// (an ended last role does not open the register to everyone).
    RolesInForce,
}

impl SettingsRow {
    /// The row's key in the table.
    pub fn name(self) -> &'static str {
        match self {
            Self::Setting(key) => key.name(),
            Self::DemoRegister => "demo_register",
            Self::RolesInForce => "roles_in_force",
        }
    }
}

impl From<SettingKey> for SettingsRow {
    fn from(key: SettingKey) -> Self {
        Self::Setting(key)
    }
}

/// A setting's key, as `config get/set` and the database name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingKey {
    /// `sender_name`
    SenderName,
    /// `sender_address`
    SenderAddress,
    /// `transport`: `folder` or `smtp`
    Transport,
    /// `outbox_folder`
    OutboxFolder,
    /// `smtp_host`
    SmtpHost,
    /// `smtp_port`
    SmtpPort,
    /// `smtp_security`: `starttls`, `tls` or `none`
    SmtpSecurity,
    /// `smtp_user`
    SmtpUser,
    /// `smtp_timeout_secs`
    SmtpTimeoutSecs,
    /// `smtp_sessions`
    SmtpSessions,
    /// `messages_per_minute`
    MessagesPerMinute,
    /// `resend_after_minutes`
    ResendAfterMinutes,
    /// `public_base_url`
    PublicBaseUrl,
    /// `endpoint_enabled`
    EndpointEnabled,
    /// `bind_address`
    BindAddress,
    /// `delivered_by`: `every_window` or `serve_only`
    DeliveredBy,
    /// `trusted_proxies`: comma-separated IP addresses
    TrustedProxies,
    /// `link_lifetime_hours`
    LinkLifetimeHours,
    /// `verified_domains`: comma-separated
    VerifiedDomains,
    /// `login_page_url`
    LoginPageUrl,
    /// `message_language`: `sv` or `en`
    MessageLanguage,
    /// `verification_subject`
    VerificationSubject,
    /// `verification_body`
    VerificationBody,
    /// `reset_subject`
    ResetSubject,
    /// `reset_body`
    ResetBody,
    /// `smtputf8_checked`: `host:port yes|no`, written by *Send test email*
    Smtputf8Checked,
    /// `visma_connect_phase`: `preparation` or `live`
    VismaConnectPhase,
    /// `remove_connection_after_days`: days after *Employment ends*
    RemoveConnectionAfterDays,
    /// `operator_field`: `alias_user_id`, `user_id`, `email` or `external_reference`
    OperatorField,
    /// `idp_provisioning`: `off` or `scim`
    IdpProvisioning,
    /// `scim_base_url`: the provider's SCIM endpoint
    ScimBaseUrl,
    /// `scim_token_url`: OAuth 2.0 token endpoint (client credentials)
    ScimTokenUrl,
    /// `scim_client_id`: OAuth 2.0 client id
    ScimClientId,
    /// `idp_on_disconnect`: `deactivate` or `delete`
    IdpOnDisconnect,
    /// `time_zone`: the register's time zone (IANA name)
    TimeZone,
}

/// A `smtputf8_checked` value: empty, or `host:port yes|no`.
pub(super) fn server_answer(key: SettingKey, value: &str) -> Result<String, SettingError> {
    let value = value.trim();
    let well_formed = value.is_empty()
        || value.rsplit_once(' ').is_some_and(|(server, answer)| {
            !server.is_empty()
                && !server.contains(char::is_whitespace)
                && matches!(answer, "yes" | "no")
        });
    if well_formed {
        Ok(value.to_owned())
    } else {
        Err(SettingError {
            key: key.name(),
            message: t!("setting-error-smtputf8-checked"),
        })
    }
}

/// Why a setting's value was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct SettingError {
    /// The key.
    pub key: &'static str,
    /// What is wrong, and what is expected.
    pub message: String,
}

impl SettingKey {
    /// Every key, in the order `config list` prints them.
    pub const ALL: [Self; 35] = [
        Self::SenderName,
        Self::SenderAddress,
        Self::Transport,
        Self::OutboxFolder,
        Self::SmtpHost,
        Self::SmtpPort,
        Self::SmtpSecurity,
        Self::SmtpUser,
        Self::SmtpTimeoutSecs,
        Self::SmtpSessions,
        Self::MessagesPerMinute,
        Self::ResendAfterMinutes,
        Self::PublicBaseUrl,
        Self::EndpointEnabled,
        Self::BindAddress,
        Self::DeliveredBy,
        Self::TrustedProxies,
        Self::LinkLifetimeHours,
        Self::VerifiedDomains,
        Self::LoginPageUrl,
        Self::MessageLanguage,
        Self::VerificationSubject,
        Self::VerificationBody,
        Self::ResetSubject,
        Self::ResetBody,
        Self::Smtputf8Checked,
        Self::VismaConnectPhase,
        Self::RemoveConnectionAfterDays,
        Self::OperatorField,
        Self::IdpProvisioning,
        Self::ScimBaseUrl,
        Self::ScimTokenUrl,
        Self::ScimClientId,
        Self::IdpOnDisconnect,
        Self::TimeZone,
    ];

    /// The key's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::SenderName => "sender_name",
            Self::SenderAddress => "sender_address",
            Self::Transport => "transport",
            Self::OutboxFolder => "outbox_folder",
            Self::SmtpHost => "smtp_host",
            Self::SmtpPort => "smtp_port",
            Self::SmtpSecurity => "smtp_security",
            Self::SmtpUser => "smtp_user",
            Self::SmtpTimeoutSecs => "smtp_timeout_secs",
            Self::SmtpSessions => "smtp_sessions",
            Self::MessagesPerMinute => "messages_per_minute",
            Self::ResendAfterMinutes => "resend_after_minutes",
            Self::PublicBaseUrl => "public_base_url",
            Self::EndpointEnabled => "endpoint_enabled",
            Self::BindAddress => "bind_address",
            Self::DeliveredBy => "delivered_by",
            Self::TrustedProxies => "trusted_proxies",
            Self::LinkLifetimeHours => "link_lifetime_hours",
            Self::VerifiedDomains => "verified_domains",
            Self::LoginPageUrl => "login_page_url",
            Self::MessageLanguage => "message_language",
            Self::VerificationSubject => "verification_subject",
            Self::VerificationBody => "verification_body",
            Self::ResetSubject => "reset_subject",
            Self::ResetBody => "reset_body",
            Self::Smtputf8Checked => "smtputf8_checked",
            Self::VismaConnectPhase => "visma_connect_phase",
            Self::RemoveConnectionAfterDays => "remove_connection_after_days",
            Self::OperatorField => "operator_field",
            Self::IdpProvisioning => "idp_provisioning",
            Self::ScimBaseUrl => "scim_base_url",
            Self::ScimTokenUrl => "scim_token_url",
            Self::ScimClientId => "scim_client_id",
            Self::IdpOnDisconnect => "idp_on_disconnect",
            Self::TimeZone => "time_zone",
        }
    }

    /// The key with this name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// True for a setting that decides who is who, what needs proof or
    /// where accounts are sent: the login field, the register's day, the
    /// verified domains, the identity provider and the trusted proxies.
    /// Presets from a file a person points to (`HRM_USERS_PRESETS`) never
    /// set one.
    pub fn is_security(self) -> bool {
        matches!(
            self,
            Self::OperatorField
                | Self::TimeZone
                | Self::VerifiedDomains
                | Self::TrustedProxies
                | Self::IdpProvisioning
                | Self::ScimBaseUrl
                | Self::ScimTokenUrl
                | Self::ScimClientId
                | Self::IdpOnDisconnect
        )
    }
}

impl fmt::Display for SettingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
