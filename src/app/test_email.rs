//! `Send test email`: one message straight through the configured transport,
//! reporting the server's exact answer. Not queued: the answer is the point.

use std::path::Path;

use crate::domain::message::TemplateValues;
use crate::domain::{Email, Settings};
use crate::mail::{Transport, compose, password};

use super::verification::new_message_id;

/// Sends a test message to `to`; returns the server's answer, or what went wrong.
pub fn send_test_email(settings: &Settings, register: &Path, to: &Email) -> Result<String, String> {
    let secret = if settings.smtp_user.is_empty() {
        None
    } else {
        password::smtp_password(&settings.smtp_host, &settings.smtp_user)
    };
    let transport = Transport::from_settings(settings, register, secret.as_deref())
        .map_err(|e| e.to_string())?;
    let message_id = new_message_id(&settings.sender_address).map_err(|e| e.to_string())?;
    let message = compose(
        settings,
        "",
        to,
        "HRM Users test email",
        "This is a test email from HRM Users. If you read this, verification emails can be sent with these settings.",
        &TemplateValues::default(),
        &message_id,
    )
    .map_err(|e| e.to_string())?;
    transport.send(&message).map_err(|failure| failure.reply)
}

/// Stores the SMTP password in the OS keyring.
pub fn store_smtp_password(settings: &Settings, secret: &str) -> Result<(), String> {
    password::store_smtp_password(&settings.smtp_host, &settings.smtp_user, secret)
        .map_err(|e| e.to_string())
}
