//! A setting's value as text: `Settings::get` and `Settings::set` (each value
//! checked by its parser: addresses, domains, numbers, URLs, time zones,
//! one-line texts).

use crate::domain::email::{Email, parse_domain_name};
use crate::i18n::Language;

use super::{
    DeliveredBy, OperatorField, SettingError, SettingKey, Settings, SmtpSecurity, TransportKind,
    VismaConnectPhase, server_answer,
};

/// Comma-, semicolon-, space- or line-separated domain names (ASCII form),
/// each once.
pub(super) fn domain_list(key: SettingKey, value: &str) -> Result<Vec<String>, SettingError> {
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
pub(super) fn ip_list(key: SettingKey, value: &str) -> Result<Vec<std::net::IpAddr>, SettingError> {
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

pub(super) fn number<T>(
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

pub(super) fn url(key: SettingKey, value: &str) -> Result<String, SettingError> {
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

pub(super) fn text(key: SettingKey, value: &str, required: bool) -> Result<String, SettingError> {
    if required && value.trim().is_empty() {
        return Err(SettingError {
            key: key.name(),
            message: t!("setting-error-empty"),
        });
    }
    Ok(value.to_owned())
}

/// Empty, or a time zone's IANA name (`Europe/Stockholm`, `UTC`).
pub(super) fn time_zone(key: SettingKey, value: &str) -> Result<String, SettingError> {
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
pub(super) fn one_line(key: SettingKey, value: &str) -> Result<String, SettingError> {
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
}
