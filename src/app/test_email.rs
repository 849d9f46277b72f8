//! `Send test email`: one message straight through the configured transport,
//! reporting the server's exact answer. Not queued: the answer is the point.

use std::path::Path;

use crate::domain::message::TemplateValues;
use crate::domain::{Email, SettingKey, Settings};
use crate::mail::{Transport, compose, password};
use crate::store::Reads as _;

use super::Session;
use super::verification::new_message_id;

/// The environment variable the SMTP password may come from when no
/// keyring is at hand (a server, a container).
pub use crate::domain::settings::SMTP_PASSWORD_ENV;

/// What *Send test email* found.
#[derive(Clone, Debug)]
pub struct TestEmailReport {
    /// The server's answer, or what went wrong.
    pub result: Result<String, String>,
    /// For an SMTP server that answered: the value of `smtputf8_checked`
    /// (`host:port yes|no`) to remember.
    pub smtputf8_checked: Option<String>,
}

/// Sends a test message to `to`: the server's answer, or what went wrong,
/// and whether the server announced SMTPUTF8.
pub fn send_test_email(settings: &Settings, register: &Path, to: &Email) -> TestEmailReport {
    let secret = if settings.smtp_user.is_empty() {
        None
    } else {
        password::smtp_password(&settings.smtp_host, &settings.smtp_user)
    };
    let failed = |error: String| TestEmailReport {
        result: Err(error),
        smtputf8_checked: None,
    };
    let transport = match Transport::from_settings(settings, register, secret.as_deref()) {
        Ok(transport) => transport,
        Err(error) => return failed(error.to_string()),
    };
    let message_id = match new_message_id(&settings.sender_address) {
        Ok(id) => id,
        Err(error) => return failed(error.to_string()),
    };
    let message = match compose(
        settings,
        "",
        to,
        &tl!(settings.message_language, "test-email-subject"),
        &tl!(settings.message_language, "test-email-body"),
        &TemplateValues::default(),
        &message_id,
    ) {
        Ok(message) => message,
        Err(error) => return failed(error.to_string()),
    };
    let (result, announced) = transport.send_probing(&message);
    let smtputf8_checked = announced.map(|announced| {
        let mut noted = settings.clone();
        noted.note_smtputf8(announced);
        noted.smtputf8_checked
    });
    TestEmailReport {
        result: result.map_err(|failure| failure.reply),
        smtputf8_checked,
    }
}

/// Why settings (or the SMTP password) were not saved.
#[derive(Debug, thiserror::Error)]
pub enum SettingsSaveError {
    /// The OS keyring refused the password; nothing was saved.
    #[error(transparent)]
    Password(#[from] password::KeyringError),
    /// A value the setting does not take.
    #[error(transparent)]
    Invalid(#[from] crate::domain::settings::SettingError),
    /// The operator's roles do not permit changing settings (audited).
    #[error(transparent)]
    Refused(#[from] super::operator::Refused),
    /// The register could not be read or written.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl From<super::operator::RequireError> for SettingsSaveError {
    fn from(error: super::operator::RequireError) -> Self {
        match error {
            super::operator::RequireError::Refused(refused) => Self::Refused(refused),
            super::operator::RequireError::Store(error) => Self::Store(error),
        }
    }
}

/// Remembers in the register what *Send test email* found about the SMTP
/// server (`smtputf8_checked`), so the user form can warn at an address
/// the server cannot take.
pub fn remember_smtputf8(session: &mut Session, checked: &str) -> Result<(), SettingsSaveError> {
    let mut stored = session.store.load_settings()?;
    stored.set(SettingKey::Smtputf8Checked, checked)?;
    if stored.smtputf8_checked == checked {
        super::save_settings(session, &stored)?;
    }
    Ok(())
}

/// Stores the SMTP password in the OS keyring.
pub fn store_smtp_password(settings: &Settings, secret: &str) -> Result<(), SettingsSaveError> {
    Ok(password::store_smtp_password(
        &settings.smtp_host,
        &settings.smtp_user,
        secret,
    )?)
}

/// *Save settings*: the SMTP password (when one was typed and SMTP is
/// chosen) into the keyring first, then the settings; a password that
/// cannot be stored saves nothing.
pub fn save_settings_and_password(
    session: &mut super::Session,
    settings: &Settings,
    password: &str,
) -> Result<(), SettingsSaveError> {
    if !password.is_empty() && settings.transport == crate::domain::TransportKind::Smtp {
        store_smtp_password(settings, password)?;
    }
    super::save_settings(session, settings)
}
