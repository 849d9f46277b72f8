//! Builds a message from its template, with a plain-text and an HTML part.

use lettre::Message;
use lettre::message::{Mailbox, MultiPart};

use crate::domain::message::{TemplateValues, header_text, html_from_text, render};
use crate::domain::{Email, Settings};

/// Why a message could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// An address lettre does not accept (it is stricter about some forms).
    #[error("The address {0} cannot be used in a message header.")]
    Address(String),
    /// lettre refused the message.
    #[error("The message could not be built: {0}")]
    Build(#[from] lettre::error::Error),
}

fn mailbox(name: &str, email: &Email) -> Result<Mailbox, ComposeError> {
    let address = email
        .for_transport()
        .parse()
        .map_err(|_| ComposeError::Address(email.masked()))?;
    let name = header_text(name.trim());
    Ok(Mailbox::new((!name.is_empty()).then_some(name), address))
}

/// A message from `subject` and `body` templates to `recipient`.
pub fn compose(
    settings: &Settings,
    recipient_name: &str,
    recipient: &Email,
    subject: &str,
    body: &str,
    values: &TemplateValues,
    message_id: &str,
) -> Result<Message, ComposeError> {
    let text = render(body, values);
    let html = html_from_text(&text);
    let message = Message::builder()
        .from(mailbox(&settings.sender_name, &settings.sender_address)?)
        .to(mailbox(recipient_name, recipient)?)
        .subject(header_text(&render(subject, values)))
        .message_id(Some(message_id.to_owned()))
        .multipart(MultiPart::alternative_plain_html(text, html))?;
    Ok(message)
}

#[cfg(test)]
mod line_limit_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::domain::settings::{MAX_SENDER_NAME_CHARS, MAX_SUBJECT_CHARS, SettingKey};

    /// The longest sender name and subject the settings accept, in ASCII
    /// and in letters outside it, make no line over SMTP's 998 octets.
    #[test]
    fn the_longest_accepted_headers_fit_smtp_lines() {
        for letter in ["a", "ö"] {
            let mut settings = Settings::default();
            settings
                .set(
                    SettingKey::SenderName,
                    &letter.repeat(MAX_SENDER_NAME_CHARS),
                )
                .unwrap();
            assert!(
                settings
                    .set(
                        SettingKey::SenderName,
                        &letter.repeat(MAX_SENDER_NAME_CHARS + 1)
                    )
                    .is_err()
            );
            let subject = format!("{} ", letter.repeat(9)).repeat(MAX_SUBJECT_CHARS / 10);
            settings
                .set(SettingKey::VerificationSubject, subject.trim())
                .unwrap();
            let to = Email::parse("anna@example.org").unwrap();
            let message = compose(
                &settings,
                "Anna",
                &to,
                &settings.verification_subject,
                "Hej {name}",
                &TemplateValues::default(),
                "<x@example.org>",
            )
            .unwrap();
            let raw = message.formatted();
            let longest = raw.split(|b| *b == b'\n').map(<[u8]>::len).max().unwrap();
            assert!(longest <= 998, "a line of {longest} octets ({letter})");
        }
    }
}
