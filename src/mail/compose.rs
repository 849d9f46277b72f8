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
