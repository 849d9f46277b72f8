//! The program's settings: mail transport, sender, the verification link and
//! endpoint, verified domains and message templates. Each has a key that
//! `config get/set` and the database use, and a parser that refuses bad values.

use std::fmt;

use super::email::{Email, parse_domain_name};
use crate::i18n::Language;

/// The environment variable the SMTP password is read from when no
/// keyring is at hand (a server, a container).
pub const SMTP_PASSWORD_ENV: &str = "HRM_USERS_SMTP_PASSWORD";

/// How messages leave the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportKind {
    /// Each message is written as an `.eml` file into the outbox folder.
    Folder,
    /// Each message is sent to an SMTP server.
    Smtp,
}

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: allowed for localhost only.
    None,
}

/// Every setting, with its default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Name in the From header.
    pub sender_name: String,
    /// Address in the From header.
    pub sender_address: Email,
    /// Folder or SMTP.
    pub transport: TransportKind,
    /// Where the folder transport writes `.eml` files; empty: `outbox` beside the register.
    pub outbox_folder: String,
    /// SMTP server host.
    pub smtp_host: String,
    /// SMTP server port.
    pub smtp_port: u16,
    /// SMTP security.
    pub smtp_security: SmtpSecurity,
    /// SMTP user name; empty for no authentication.
    pub smtp_user: String,
    /// Seconds to wait for the SMTP server.
    pub smtp_timeout_secs: u64,
    /// Parallel SMTP sessions for sending.
    pub smtp_sessions: usize,
    /// Messages per minute at most; 0 for no limit.
    pub messages_per_minute: u32,
    /// Minutes within which a user is not sent another verification by bulk sends.
    pub resend_after_minutes: u32,
    /// The address the link in a message starts with, e.g. `https://hrm.company.se`.
    pub public_base_url: String,
    /// True when the window runs the verification endpoint.
    pub endpoint_enabled: bool,
    /// Address and port the endpoint listens on.
    pub bind_address: String,
    /// Who delivers queued email: every open window and `serve`, or only `serve`.
    pub delivered_by: DeliveredBy,
    /// Reverse proxies in front of `serve`, whose `X-Forwarded-For` names
    /// the employee's address; from anyone else the header is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// How long a verification link stays valid, in hours.
    pub link_lifetime_hours: u32,
    /// Domains whose addresses connect at once, without a message (ASCII form).
    pub verified_domains: Vec<String>,
    /// The Visma Connect login page, where "Forgot your password?" is.
    pub login_page_url: String,
    /// The language of the emails and of the employee's pages (default
    /// Swedish). A template left at a language's default text goes out in
    /// this language's default text.
    pub message_language: Language,
    /// Subject of the verification message.
    pub verification_subject: String,
    /// Body of the verification message.
    pub verification_body: String,
    /// Subject of the password-reset message.
    pub reset_subject: String,
    /// Body of the password-reset message.
    pub reset_body: String,
    /// What *Send test email* found: `host:port yes` when that SMTP server
    /// announces SMTPUTF8 (addresses with letters outside ASCII before the
    /// @), `host:port no` when it does not; empty before any test.
    pub smtputf8_checked: String,
    /// The Visma Connect phase: in *Preparation*, deleting a connection
    /// also invites the employee to link again themselves.
    pub visma_connect_phase: VismaConnectPhase,
    /// Days after *Employment ends* when the Visma Connect connection is
    /// removed (0: on that day).
    pub remove_connection_after_days: u32,
    /// The user field that holds each administrator's login name: who is
    /// working is the user whose field equals it.
    pub operator_field: OperatorField,
    /// Pushing connections to the identity provider (Settings › Identity provider).
    pub idp: super::idp::IdpSettings,
    /// Someone has held System administrator: roles are in force for good
    /// (the register's mark, not a setting anyone sets).
    pub roles_in_force: bool,
    /// The time zone (IANA name) whose calendar day decides whether a role
    /// is valid and whose employment has ended: one day for the whole
    /// register, whatever each computer's zone. Empty: this computer's.
    pub time_zone: String,
}

/// The user field the login name is looked up in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OperatorField {
    /// *Alias user-ID* (the default).
    #[default]
    AliasUserId,
    /// *User-ID*.
    UserId,
    /// *Email*, compared with the login name before the @.
    EmailLocalPart,
    /// *External reference*.
    ExternalReference,
}

impl OperatorField {
    /// Every field, in the order Settings lists them.
    pub const ALL: [Self; 4] = [
        Self::AliasUserId,
        Self::UserId,
        Self::EmailLocalPart,
        Self::ExternalReference,
    ];

    /// The stored word.
    pub fn code(self) -> &'static str {
        match self {
            Self::AliasUserId => "alias_user_id",
            Self::UserId => "user_id",
            Self::EmailLocalPart => "email",
            Self::ExternalReference => "external_reference",
        }
    }

    /// Parses the stored word.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The login name `user` is found by through this field (lower case;
    /// for the Email, the part before the @).
    pub fn value_of(self, user: &super::User) -> String {
        let value = match self {
            Self::AliasUserId => user.alias_user_id.clone(),
            Self::UserId => user.user_id.to_string(),
            Self::ExternalReference => user.external_reference.clone(),
            Self::EmailLocalPart => user
                .email
                .as_ref()
                .and_then(|e| {
                    e.as_str()
                        .split_once('@')
                        .map(|(local, _)| local.to_owned())
                })
                .unwrap_or_default(),
        };
        value.trim().to_lowercase()
    }
}

/// Where the organisation is in its move to Visma Connect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VismaConnectPhase {
    /// Employees are being connected: an employee whose connection was
    /// deleted is invited to redo the link on *My profile › Security and
    /// login*.
    Preparation,
    /// In use: the administrator enters and verifies a new address.
    #[default]
    Live,
}

impl VismaConnectPhase {
    /// The stored word: `preparation` or `live`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Preparation => "preparation",
            Self::Live => "live",
        }
    }

    /// Parses the stored word.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Preparation, Self::Live]
            .into_iter()
            .find(|p| p.code() == code)
    }
}

/// Who delivers the outbox of a register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveredBy {
    /// Every open window and every `serve` (a single desktop's register).
    EveryWindow,
    /// Only `serve` (a shared register with an always-on server).
    ServeOnly,
}

impl DeliveredBy {
    /// The stored word: `every_window` or `serve_only`.
    pub fn code(self) -> &'static str {
        match self {
            Self::EveryWindow => "every_window",
            Self::ServeOnly => "serve_only",
        }
    }

    /// Parses the stored word.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::EveryWindow, Self::ServeOnly]
            .into_iter()
            .find(|d| d.code() == code)
    }
}

/// A message's subject and body, with `{name}`-style placeholders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageTexts {
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
}

/// The placeholders, as the Fluent default texts receive them.
fn placeholder_args() -> [(&'static str, crate::i18n::Arg); 5] {
    use crate::i18n::Arg;
    [
        ("name", Arg::from("{name}")),
        ("email", Arg::from("{email}")),
        ("link", Arg::from("{link}")),
        ("expires", Arg::from("{expires}")),
        ("login_url", Arg::from("{login_url}")),
    ]
}

/// The default verification email of a language (from `assets/i18n`).
pub fn default_verification(language: Language) -> MessageTexts {
    let args = placeholder_args();
    MessageTexts {
        subject: crate::i18n::text(language, "email-verification.subject", &args),
        body: crate::i18n::text(language, "email-verification", &args),
    }
}

/// The default password-reset email of a language.
pub fn default_reset(language: Language) -> MessageTexts {
    let args = placeholder_args();
    MessageTexts {
        subject: crate::i18n::text(language, "email-password-reset.subject", &args),
        body: crate::i18n::text(language, "email-password-reset", &args),
    }
}

/// The relink invitation of a language (from `assets/i18n`).
pub fn default_relink(language: Language) -> MessageTexts {
    let args = placeholder_args();
    MessageTexts {
        subject: crate::i18n::text(language, "email-relink-invitation.subject", &args),
        body: crate::i18n::text(language, "email-relink-invitation", &args),
    }
}

/// `stored`, unless it is some language's default text: then `wanted`'s.
fn resolve(stored: &str, defaults: impl Fn(Language) -> String, wanted: Language) -> String {
    // Stored defaults of earlier versions end in a line break; Fluent's do not.
    if Language::ALL
        .iter()
        .any(|l| defaults(*l).trim_end() == stored.trim_end())
    {
        defaults(wanted)
    } else {
        stored.to_owned()
    }
}

impl Default for Settings {
    fn default() -> Self {
        let verification = default_verification(Language::Swedish);
        let reset = default_reset(Language::Swedish);
        Self {
            sender_name: "HRM".into(),
            // A fixed, valid address: parsing it cannot fail.
            sender_address: Email::parse("no-reply@hrm.example.com")
                .unwrap_or_else(|_| unreachable_default()),
            transport: TransportKind::Folder,
            outbox_folder: String::new(),
            smtp_host: "localhost".into(),
            smtp_port: 587,
            smtp_security: SmtpSecurity::StartTls,
            smtp_user: String::new(),
            smtp_timeout_secs: 30,
            smtp_sessions: 4,
            messages_per_minute: 0,
            resend_after_minutes: 10,
            public_base_url: "http://127.0.0.1:8480".into(),
            endpoint_enabled: true,
            bind_address: "127.0.0.1:8480".into(),
            delivered_by: DeliveredBy::EveryWindow,
            trusted_proxies: Vec::new(),
            link_lifetime_hours: 24,
            verified_domains: Vec::new(),
            login_page_url: "https://connect.visma.com/".into(),
            message_language: Language::Swedish,
            verification_subject: verification.subject,
            verification_body: verification.body,
            reset_subject: reset.subject,
            reset_body: reset.body,
            smtputf8_checked: String::new(),
            visma_connect_phase: VismaConnectPhase::Live,
            remove_connection_after_days: 5,
            operator_field: OperatorField::AliasUserId,
            idp: super::idp::IdpSettings::default(),
            roles_in_force: false,
            time_zone: String::new(),
        }
    }
}

#[allow(clippy::panic)]
fn unreachable_default() -> Email {
    // "no-reply@hrm.example.com" is a valid address; this is never called.
    panic!("the default sender address is valid")
}

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
fn server_answer(key: SettingKey, value: &str) -> Result<String, SettingError> {
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

/// Comma-, semicolon-, space- or line-separated domain names (ASCII form),
/// each once.
fn domain_list(key: SettingKey, value: &str) -> Result<Vec<String>, SettingError> {
    let mut domains = Vec::new();
    for part in value
        .split([',', '\n', ';', ' '])
        .filter(|p| !p.trim().is_empty())
    {
        // Said of the domain itself: the person typed no @.
        let domain = parse_domain_name(part).map_err(|_| SettingError {
            key: key.name(),
            message: t!("setting-error-domain", domain = part.trim()),
        })?;
        if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    Ok(domains)
}

/// Comma-, space- or line-separated IP addresses, each once.
fn ip_list(key: SettingKey, value: &str) -> Result<Vec<std::net::IpAddr>, SettingError> {
    let mut ips = Vec::new();
    for part in value
        .split([',', ' ', '\n'])
        .filter(|p| !p.trim().is_empty())
    {
        let ip = part
            .trim()
            .parse::<std::net::IpAddr>()
            .map_err(|_| SettingError {
                key: key.name(),
                message: t!("setting-error-ip", value = part.trim()),
            })?;
        if !ips.contains(&ip) {
            ips.push(ip);
        }
    }
    Ok(ips)
}

fn number<T>(
    key: SettingKey,
    value: &str,
    range: std::ops::RangeInclusive<u64>,
) -> Result<T, SettingError>
where
    T: TryFrom<u64>,
{
    let err = || SettingError {
        key: key.name(),
        message: t!(
            "setting-error-number",
            low = range.start().to_string(),
            high = range.end().to_string()
        ),
    };
    let n: u64 = value.trim().parse().map_err(|_| err())?;
    if !range.contains(&n) {
        return Err(err());
    }
    T::try_from(n).map_err(|_| err())
}

fn url(key: SettingKey, value: &str) -> Result<String, SettingError> {
    let value = value.trim();
    let valid = (value.starts_with("https://") || value.starts_with("http://"))
        && value
            .split("://")
            .nth(1)
            .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace));
    if valid {
        Ok(value.to_owned())
    } else {
        Err(SettingError {
            key: key.name(),
            message: t!("setting-error-url"),
        })
    }
}

fn text(key: SettingKey, value: &str, required: bool) -> Result<String, SettingError> {
    if required && value.trim().is_empty() {
        return Err(SettingError {
            key: key.name(),
            message: t!("setting-error-empty"),
        });
    }
    Ok(value.to_owned())
}

/// Empty, or a time zone's IANA name (`Europe/Stockholm`, `UTC`).
fn time_zone(key: SettingKey, value: &str) -> Result<String, SettingError> {
    let zone = value.trim();
    let named = zone.is_empty()
        || (zone.contains('/') || zone == "UTC")
            && zone
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c));
    if named {
        Ok(zone.to_owned())
    } else {
        Err(SettingError {
            key: key.name(),
            message: t!("setting-error-time-zone"),
        })
    }
}

/// A required value that goes into a mail header: no line breaks or other
/// control characters (they would end the header, or let a value add headers).
fn one_line(key: SettingKey, value: &str) -> Result<String, SettingError> {
    let value = text(key, value, true)?;
    if value.chars().any(char::is_control) {
        return Err(SettingError {
            key: key.name(),
            message: t!("setting-error-one-line"),
        });
    }
    // A header line carries at most 998 characters (RFC 5322); encoded,
    // a letter outside ASCII takes up to 12. Longer values were accepted and
    // then every email failed ("500 Line too long").
    let most = if key == SettingKey::SenderName {
        MAX_SENDER_NAME_CHARS
    } else {
        MAX_SUBJECT_CHARS
    };
    if value.trim().chars().count() > most {
        return Err(SettingError {
            key: key.name(),
            message: t!("setting-error-too-long", most = most.to_string()),
        });
    }
    Ok(value)
}

/// The longest sender name the From header carries on one line.
pub const MAX_SENDER_NAME_CHARS: usize = 78;
/// The longest subject (the Subject header is folded over lines).
pub const MAX_SUBJECT_CHARS: usize = 250;

impl Settings {
    /// The folder the folder transport writes into for the register at
    /// `register`: the setting, or `outbox` beside the register.
    pub fn outbox_folder_beside(&self, register: &std::path::Path) -> std::path::PathBuf {
        if self.outbox_folder.trim().is_empty() {
            register.parent().map_or_else(
                || std::path::PathBuf::from("outbox"),
                |dir| dir.join("outbox"),
            )
        } else {
            std::path::PathBuf::from(self.outbox_folder.trim())
        }
    }

    /// The verification email as it goes out: the stored template, or the
    /// message language's default when the template is left at a default.
    pub fn verification_texts(&self) -> MessageTexts {
        let language = self.message_language;
        MessageTexts {
            subject: resolve(
                &self.verification_subject,
                |l| default_verification(l).subject,
                language,
            ),
            body: resolve(
                &self.verification_body,
                |l| default_verification(l).body,
                language,
            ),
        }
    }

    /// The password-reset email as it goes out (see [`Self::verification_texts`]).
    pub fn reset_texts(&self) -> MessageTexts {
        let language = self.message_language;
        MessageTexts {
            subject: resolve(&self.reset_subject, |l| default_reset(l).subject, language),
            body: resolve(&self.reset_body, |l| default_reset(l).body, language),
        }
    }

    /// The relink invitation of the preparation phase, in the message
    /// language (not editable: it only points to *Security and login*).
    pub fn relink_texts(&self) -> MessageTexts {
        default_relink(self.message_language)
    }

    /// Sets the language of emails and pages; templates left at a default
    /// text take the new language's.
    pub fn set_message_language(&mut self, language: Language) {
        self.message_language = language;
        let verification = self.verification_texts();
        let reset = self.reset_texts();
        self.verification_subject = verification.subject;
        self.verification_body = verification.body;
        self.reset_subject = reset.subject;
        self.reset_body = reset.body;
    }

    /// The value of a setting, as `config get` prints it.
    pub fn get(&self, key: SettingKey) -> String {
        match key {
            SettingKey::SenderName => self.sender_name.clone(),
            SettingKey::SenderAddress => self.sender_address.to_string(),
            SettingKey::Transport => match self.transport {
                TransportKind::Folder => "folder".into(),
                TransportKind::Smtp => "smtp".into(),
            },
            SettingKey::OutboxFolder => self.outbox_folder.clone(),
            SettingKey::SmtpHost => self.smtp_host.clone(),
            SettingKey::SmtpPort => self.smtp_port.to_string(),
            SettingKey::SmtpSecurity => match self.smtp_security {
                SmtpSecurity::StartTls => "starttls".into(),
                SmtpSecurity::Tls => "tls".into(),
                SmtpSecurity::None => "none".into(),
            },
            SettingKey::SmtpUser => self.smtp_user.clone(),
            SettingKey::SmtpTimeoutSecs => self.smtp_timeout_secs.to_string(),
            SettingKey::SmtpSessions => self.smtp_sessions.to_string(),
            SettingKey::MessagesPerMinute => self.messages_per_minute.to_string(),
            SettingKey::ResendAfterMinutes => self.resend_after_minutes.to_string(),
            SettingKey::PublicBaseUrl => self.public_base_url.clone(),
            SettingKey::EndpointEnabled => self.endpoint_enabled.to_string(),
            SettingKey::BindAddress => self.bind_address.clone(),
            SettingKey::DeliveredBy => self.delivered_by.code().into(),
            SettingKey::TrustedProxies => self
                .trusted_proxies
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
            SettingKey::LinkLifetimeHours => self.link_lifetime_hours.to_string(),
            SettingKey::VerifiedDomains => self.verified_domains.join(","),
            SettingKey::LoginPageUrl => self.login_page_url.clone(),
            SettingKey::MessageLanguage => self.message_language.code().into(),
            SettingKey::VerificationSubject => self.verification_subject.clone(),
            SettingKey::VerificationBody => self.verification_body.clone(),
            SettingKey::ResetSubject => self.reset_subject.clone(),
            SettingKey::ResetBody => self.reset_body.clone(),
            SettingKey::Smtputf8Checked => self.smtputf8_checked.clone(),
            SettingKey::VismaConnectPhase => self.visma_connect_phase.code().into(),
            SettingKey::RemoveConnectionAfterDays => self.remove_connection_after_days.to_string(),
            SettingKey::OperatorField => self.operator_field.code().into(),
            SettingKey::TimeZone => self.time_zone.clone(),
            SettingKey::IdpProvisioning
            | SettingKey::ScimBaseUrl
            | SettingKey::ScimTokenUrl
            | SettingKey::ScimClientId
            | SettingKey::IdpOnDisconnect => self.idp.get(key).unwrap_or_default(),
        }
    }

    /// Sets a setting from text, refusing a bad value and changing nothing then.
    pub fn set(&mut self, key: SettingKey, value: &str) -> Result<(), SettingError> {
        if self.idp.set(key, value)? {
            return Ok(());
        }
        let bad = |message: &str| SettingError {
            key: key.name(),
            message: message.to_owned(),
        };
        let one_of = |values: &str| bad(&t!("setting-error-one-of", values = values));
        match key {
            SettingKey::SenderName => one_line(key, value)?
                .trim()
                .clone_into(&mut self.sender_name),
            SettingKey::SenderAddress => {
                self.sender_address = Email::parse(value).map_err(|e| bad(&e.to_string()))?;
            }
            SettingKey::Transport => {
                self.transport = match value.trim() {
                    "folder" => TransportKind::Folder,
                    "smtp" => TransportKind::Smtp,
                    _ => return Err(one_of("folder, smtp")),
                };
            }
            SettingKey::OutboxFolder => value.trim().clone_into(&mut self.outbox_folder),
            SettingKey::SmtpHost => {
                let host = value.trim();
                if host.is_empty() || host.contains(char::is_whitespace) || host.contains('/') {
                    return Err(bad(&t!("setting-error-host")));
                }
                host.clone_into(&mut self.smtp_host);
            }
            SettingKey::SmtpPort => self.smtp_port = number(key, value, 1..=65535)?,
            SettingKey::SmtpSecurity => {
                self.smtp_security = match value.trim() {
                    "starttls" => SmtpSecurity::StartTls,
                    "tls" => SmtpSecurity::Tls,
                    "none" => SmtpSecurity::None,
                    _ => return Err(one_of("starttls, tls, none")),
                };
            }
            SettingKey::SmtpUser => value.trim().clone_into(&mut self.smtp_user),
            SettingKey::SmtpTimeoutSecs => self.smtp_timeout_secs = number(key, value, 1..=600)?,
            SettingKey::SmtpSessions => self.smtp_sessions = number(key, value, 1..=64)?,
            SettingKey::MessagesPerMinute => {
                self.messages_per_minute = number(key, value, 0..=1_000_000)?;
            }
            SettingKey::ResendAfterMinutes => {
                self.resend_after_minutes = number(key, value, 0..=100_000)?;
            }
            SettingKey::PublicBaseUrl => self.public_base_url = url(key, value)?,
            SettingKey::EndpointEnabled => {
                self.endpoint_enabled = match value.trim() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(one_of("true, false")),
                };
            }
            SettingKey::BindAddress => {
                let address = value.trim();
                if address.parse::<std::net::SocketAddr>().is_err() {
                    return Err(bad(&t!("setting-error-bind")));
                }
                address.clone_into(&mut self.bind_address);
            }
            SettingKey::DeliveredBy => {
                self.delivered_by = DeliveredBy::from_code(value.trim())
                    .ok_or_else(|| one_of("every_window, serve_only"))?;
            }
            SettingKey::TrustedProxies => self.trusted_proxies = ip_list(key, value)?,
            SettingKey::LinkLifetimeHours => {
                self.link_lifetime_hours = number(key, value, 1..=24 * 30)?;
            }
            SettingKey::VerifiedDomains => self.verified_domains = domain_list(key, value)?,
            SettingKey::LoginPageUrl => self.login_page_url = url(key, value)?,
            SettingKey::MessageLanguage => {
                let language = Language::from_code(value).ok_or_else(|| one_of("sv, en"))?;
                self.set_message_language(language);
            }
            SettingKey::VerificationSubject => {
                self.verification_subject = one_line(key, value)?;
            }
            SettingKey::VerificationBody => self.verification_body = text(key, value, true)?,
            SettingKey::ResetSubject => self.reset_subject = one_line(key, value)?,
            SettingKey::ResetBody => self.reset_body = text(key, value, true)?,
            SettingKey::Smtputf8Checked => self.smtputf8_checked = server_answer(key, value)?,
            SettingKey::RemoveConnectionAfterDays => {
                self.remove_connection_after_days = number(key, value, 0..=365)?;
            }
            SettingKey::OperatorField => {
                self.operator_field = OperatorField::from_code(value.trim())
                    .ok_or_else(|| one_of("alias_user_id, user_id, email, external_reference"))?;
            }
            SettingKey::VismaConnectPhase => {
                self.visma_connect_phase = VismaConnectPhase::from_code(value.trim())
                    .ok_or_else(|| one_of("preparation, live"))?;
            }
            SettingKey::TimeZone => self.time_zone = time_zone(key, value)?,
            // Set by `IdpSettings::set` above.
            _ => {}
        }
        Ok(())
    }

    /// The SMTP server messages go to, as `host:port`; `None` for the folder.
    pub fn smtp_server(&self) -> Option<String> {
        (self.transport == TransportKind::Smtp)
            .then(|| format!("{}:{}", self.smtp_host.trim(), self.smtp_port))
    }

    /// Notes what *Send test email* found about the configured server.
    pub fn note_smtputf8(&mut self, announced: bool) {
        if let Some(server) = self.smtp_server() {
            let answer = if announced { "yes" } else { "no" };
            self.smtputf8_checked = format!("{server} {answer}");
        }
    }

    /// True when *Send test email* found that the SMTP server configured now
    /// does not announce SMTPUTF8: an address with letters outside ASCII
    /// before the @ cannot be sent through it.
    pub fn server_lacks_smtputf8(&self) -> bool {
        match (self.smtp_server(), self.smtputf8_checked.rsplit_once(' ')) {
            (Some(server), Some((checked, "no"))) => server == checked,
            _ => false,
        }
    }

    /// Checks the settings together: SMTP without encryption only to this machine.
    pub fn check(&self) -> Result<(), SettingError> {
        let local = matches!(
            self.smtp_host.as_str(),
            "localhost" | "127.0.0.1" | "::1" | "[::1]"
        );
        if self.transport == TransportKind::Smtp
            && self.smtp_security == SmtpSecurity::None
            && !local
        {
            return Err(SettingError {
                key: SettingKey::SmtpSecurity.name(),
                message:
                    "none (no encryption) is allowed only for localhost; choose starttls or tls"
                        .into(),
            });
        }
        Ok(())
    }

    /// A warning when the endpoint listens on `bind` for other machines while
    /// the links in emails point to this machine (`public_base_url` on
    /// 127.0.0.1 or localhost): employees elsewhere would reach nothing.
    pub fn unreachable_links_warning(&self, bind: &str) -> Option<String> {
        let listens_outside = bind
            .parse::<std::net::SocketAddr>()
            .is_ok_and(|address| !address.ip().is_loopback());
        let after_scheme = self
            .public_base_url
            .split_once("://")
            .map_or(self.public_base_url.as_str(), |(_, rest)| rest);
        let authority = after_scheme.split('/').next().unwrap_or_default();
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => authority.split(':').next().unwrap_or_default(),
        };
        let links_here = host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        (listens_outside && links_here).then(|| {
            format!(
                "the endpoint listens on {bind} for other machines, but links in emails start with {}, which only this machine can open. Set public_base_url to the address employees reach, for example: hrm-users config set public_base_url https://hrm.company.se",
                self.public_base_url
            )
        })
    }

    /// True when the address's domain is a verified domain.
    pub fn is_verified_domain(&self, email: &Email) -> bool {
        self.verified_domains
            .iter()
            .any(|d| d == email.ascii_domain())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_left_at_a_default_follow_the_message_language() {
        let mut settings = Settings::default();
        assert_eq!(settings.message_language, Language::Swedish);
        assert!(
            settings
                .verification_texts()
                .body
                .starts_with("Hej {name},")
        );
        // A register of an earlier version stored the English default,
        // ending in a line break: it is a default, not an edit.
        let old_english = format!("{}\n", default_verification(Language::English).body);
        settings
            .set(SettingKey::VerificationBody, &old_english)
            .unwrap();
        assert!(
            settings
                .verification_texts()
                .body
                .starts_with("Hej {name},")
        );
        settings.set(SettingKey::MessageLanguage, "en").unwrap();
        assert!(settings.verification_body.starts_with("Hello {name},"));
        assert_eq!(
            settings.reset_texts().subject,
            "Set a new password for Visma Connect"
        );
        // An edited template is kept in either language.
        settings.set(SettingKey::ResetBody, "Hej {name}!").unwrap();
        settings.set(SettingKey::MessageLanguage, "sv").unwrap();
        assert_eq!(settings.reset_texts().body, "Hej {name}!");
        assert!(settings.set(SettingKey::MessageLanguage, "fi").is_err());
        assert_eq!(settings.get(SettingKey::MessageLanguage), "sv");
    }

    #[test]
    fn links_to_this_machine_while_listening_for_others_are_warned_about() {
        let mut settings = Settings::default();
        assert!(
            settings
                .unreachable_links_warning("0.0.0.0:8480")
                .is_some_and(|w| w.contains("127.0.0.1"))
        );
        assert!(
            settings
                .unreachable_links_warning("127.0.0.1:8480")
                .is_none()
        );
        settings
            .set(SettingKey::PublicBaseUrl, "https://hrm.company.se")
            .unwrap();
        assert!(settings.unreachable_links_warning("0.0.0.0:8480").is_none());
        settings
            .set(SettingKey::PublicBaseUrl, "http://localhost:8480/")
            .unwrap();
        assert!(settings.unreachable_links_warning("[::]:8480").is_some());
    }

    #[test]
    fn every_key_round_trips_through_get_and_set() {
        let defaults = Settings::default();
        for key in SettingKey::ALL {
            let mut settings = Settings::default();
            settings.set(key, &defaults.get(key)).unwrap();
            assert_eq!(settings, defaults, "{key}");
            assert_eq!(SettingKey::from_name(key.name()), Some(key));
        }
    }

    #[test]
    fn bad_values_are_refused_with_the_key_named() {
        let mut settings = Settings::default();
        let error = settings.set(SettingKey::SmtpPort, "70000").unwrap_err();
        assert_eq!(error.key, "smtp_port");
        assert!(settings.set(SettingKey::Transport, "pigeon").is_err());
        assert!(
            settings
                .set(SettingKey::PublicBaseUrl, "hrm.company.se")
                .is_err()
        );
        assert!(settings.set(SettingKey::BindAddress, "everywhere").is_err());
        assert!(
            settings
                .set(SettingKey::VerifiedDomains, "company.se, not a domain!")
                .is_err()
        );
        assert_eq!(settings, Settings::default());
    }

    #[test]
    fn verified_domains_are_validated_and_matched_in_ascii() {
        let mut settings = Settings::default();
        settings
            .set(SettingKey::VerifiedDomains, "Company.se, bjärred.se")
            .unwrap();
        assert_eq!(
            settings.verified_domains,
            ["company.se", "xn--bjrred-cua.se"]
        );
        assert!(settings.is_verified_domain(&Email::parse("anna@COMPANY.se").unwrap()));
        assert!(settings.is_verified_domain(&Email::parse("anna@bjärred.se").unwrap()));
        assert!(!settings.is_verified_domain(&Email::parse("anna@gmail.com").unwrap()));
    }

    #[test]
    fn unencrypted_smtp_is_for_localhost_only() {
        let mut settings = Settings::default();
        settings.set(SettingKey::Transport, "smtp").unwrap();
        settings.set(SettingKey::SmtpSecurity, "none").unwrap();
        assert!(settings.check().is_ok());
        settings
            .set(SettingKey::SmtpHost, "smtp.company.se")
            .unwrap();
        assert!(settings.check().is_err());
    }
}

#[cfg(test)]
mod shared_register_tests {
    use super::*;

    #[test]
    fn delivery_and_proxies_round_trip_and_bad_values_are_refused() {
        let mut settings = Settings::default();
        assert_eq!(settings.delivered_by, DeliveredBy::EveryWindow);
        settings.set(SettingKey::DeliveredBy, "serve_only").unwrap();
        assert_eq!(settings.get(SettingKey::DeliveredBy), "serve_only");
        assert!(settings.set(SettingKey::DeliveredBy, "nobody").is_err());
        settings
            .set(SettingKey::TrustedProxies, "10.0.0.5, ::1,10.0.0.5")
            .unwrap();
        assert_eq!(settings.get(SettingKey::TrustedProxies), "10.0.0.5,::1");
        let error = settings
            .set(SettingKey::TrustedProxies, "proxy.company.se")
            .unwrap_err();
        assert!(error.message.contains("not an IP address"));
        assert_eq!(settings.trusted_proxies.len(), 2, "unchanged");
    }
}

#[cfg(test)]
mod smtputf8_tests {
    use super::*;

    #[test]
    fn what_the_test_email_found_counts_only_for_the_server_configured_now() {
        let mut settings = Settings::default();
        settings.set(SettingKey::Transport, "smtp").unwrap();
        settings
            .set(SettingKey::SmtpHost, "mail.company.se")
            .unwrap();
        settings.set(SettingKey::SmtpPort, "587").unwrap();
        assert!(!settings.server_lacks_smtputf8(), "not tested yet");
        settings.note_smtputf8(false);
        assert_eq!(
            settings.get(SettingKey::Smtputf8Checked),
            "mail.company.se:587 no"
        );
        assert!(settings.server_lacks_smtputf8());
        settings
            .set(SettingKey::SmtpHost, "relay.company.se")
            .unwrap();
        assert!(!settings.server_lacks_smtputf8(), "another server");
        settings.note_smtputf8(true);
        assert!(!settings.server_lacks_smtputf8());
        assert!(settings.set(SettingKey::Smtputf8Checked, "maybe").is_err());
        assert!(settings.set(SettingKey::Smtputf8Checked, "").is_ok());
    }
}
