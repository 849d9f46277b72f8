//! The two ways a message leaves: an `.eml` file in the outbox folder, or an
//! SMTP server through one pooled lettre transport.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{FileTransport, Message, SmtpTransport, Transport as _};

use crate::domain::{Settings, SmtpSecurity, TransportKind};

/// A ready transport.
pub enum Transport {
    /// Writes `.eml` files into this folder.
    Folder(FileTransport, PathBuf),
    /// Sends through an SMTP server.
    Smtp(Box<SmtpTransport>),
}

/// Why no transport could be made from the settings.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The outbox folder cannot be created.
    #[error("The outbox folder {} cannot be created: {source}", path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The SMTP settings do not make a transport.
    #[error("The SMTP settings are not usable: {0}")]
    Smtp(String),
}

/// Why a message was not delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendFailure {
    /// True when trying again later may work (4xx, time-out, refused connection).
    pub transient: bool,
    /// The server's words, or what went wrong on the way.
    pub reply: String,
}

/// The outbox folder the settings name, or `outbox` beside the register.
pub fn outbox_folder(settings: &Settings, register: &Path) -> PathBuf {
    if settings.outbox_folder.trim().is_empty() {
        register
            .parent()
            .map_or_else(|| PathBuf::from("outbox"), |dir| dir.join("outbox"))
    } else {
        PathBuf::from(settings.outbox_folder.trim())
    }
}

impl Transport {
    /// The transport the settings describe. `password` is used when an SMTP
    /// user is set.
    pub fn from_settings(
        settings: &Settings,
        register: &Path,
        password: Option<&str>,
    ) -> Result<Self, TransportError> {
        match settings.transport {
            TransportKind::Folder => {
                let path = outbox_folder(settings, register);
                std::fs::create_dir_all(&path).map_err(|source| TransportError::Folder {
                    path: path.clone(),
                    source,
                })?;
                Ok(Self::Folder(FileTransport::new(&path), path))
            }
            TransportKind::Smtp => {
                settings
                    .check()
                    .map_err(|e| TransportError::Smtp(e.to_string()))?;
                let host = settings.smtp_host.as_str();
                let builder = match settings.smtp_security {
                    SmtpSecurity::StartTls => SmtpTransport::starttls_relay(host),
                    SmtpSecurity::Tls => SmtpTransport::relay(host),
                    SmtpSecurity::None => Ok(SmtpTransport::builder_dangerous(host)),
                }
                .map_err(|e| TransportError::Smtp(e.to_string()))?;
                let mut builder = builder
                    .port(settings.smtp_port)
                    .timeout(Some(Duration::from_secs(settings.smtp_timeout_secs)))
                    .pool_config(
                        PoolConfig::new()
                            .max_size(u32::try_from(settings.smtp_sessions).unwrap_or(1))
                            .idle_timeout(Duration::from_secs(30)),
                    );
                if !settings.smtp_user.is_empty() {
                    let Some(password) = password else {
                        return Err(TransportError::Smtp(format!(
                            "no password for SMTP user {}: enter it in Settings, or set {}",
                            settings.smtp_user,
                            super::password::PASSWORD_ENV
                        )));
                    };
                    builder = builder.credentials(Credentials::new(
                        settings.smtp_user.clone(),
                        password.to_owned(),
                    ));
                }
                Ok(Self::Smtp(Box::new(builder.build())))
            }
        }
    }

    /// Delivers one message; returns the server's answer (or the file written).
    pub fn send(&self, message: &Message) -> Result<String, SendFailure> {
        match self {
            Self::Folder(transport, path) => transport
                .send(message)
                .map(|id| format!("saved as {}", path.join(format!("{id}.eml")).display()))
                .map_err(|e| SendFailure {
                    transient: true,
                    reply: format!("could not write to the outbox folder: {e}"),
                }),
            Self::Smtp(transport) => match transport.send(message) {
                Ok(response) => {
                    let words: Vec<&str> = response.message().collect();
                    Ok(format!("{} {}", response.code(), words.join(" ")))
                }
                Err(error) => Err(SendFailure {
                    transient: !error.is_permanent(),
                    reply: smtp_error_words(&error),
                }),
            },
        }
    }
}

/// The server's code and words, or what failed on the way.
fn smtp_error_words(error: &lettre::transport::smtp::Error) -> String {
    if error.is_timeout() {
        return "the server did not answer in time".to_owned();
    }
    match (error.status(), std::error::Error::source(error)) {
        (Some(code), Some(words)) => format!("{code} {words}"),
        _ => error.to_string(),
    }
}
