//! The program's settings: mail transport, sender, the verification link and
//! endpoint, verified domains and message templates. Each has a key that
//! `config get/set` and the database use, and a parser that refuses bad values.
//!
//! Here: the settings and their choices. The keys are `keys`, a value as
//! text (`get`, `set` and the parsers) `values`, the emails' texts
//! `messages`.

use crate::i18n::Language;

use super::email::Email;

mod keys;
mod messages;
mod values;

use keys::server_answer;
pub use keys::{SettingError, SettingKey, SettingsRow};
pub use messages::{MessageTexts, default_relink, default_reset, default_verification};
pub use values::{MAX_SENDER_NAME_CHARS, MAX_SUBJECT_CHARS};

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
