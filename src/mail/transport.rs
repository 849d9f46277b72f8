//! The two ways a message leaves: an `.eml` file in the outbox folder, or an
//! SMTP server through sessions that keep their connection.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lettre::Message;

use crate::domain::{Settings, TransportKind};

use super::smtp::{SmtpConfig, SmtpSession};

/// A ready transport: what every session of the worker sends through.
pub enum Transport {
    /// Writes `.eml` files into this folder.
    Folder(PathBuf),
    /// Sends to an SMTP server.
    Smtp(Arc<SmtpConfig>),
}

/// Why no transport could be made from the settings.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The outbox folder cannot be created.
    #[error(
        "{}",
        t!("mail-folder", path = .path.display().to_string(), error = .source.to_string())
    )]
    Folder {
        /// The folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The SMTP settings do not make a transport.
    #[error("{}", t!("mail-smtp-settings", detail = .0.as_str()))]
    Smtp(String),
}

/// Why a message was not delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendFailure {
    /// True when trying again later may work (4xx, time-out, refused connection).
    pub transient: bool,
    /// The server's words, or what went wrong on the way.
    pub reply: String,
    /// The message had gone out and no answer came back: the server may
    /// have it, so a retry may deliver it twice.
    pub answer_lost: bool,
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
                let path = settings.outbox_folder_beside(register);
                std::fs::create_dir_all(&path).map_err(|source| TransportError::Folder {
                    path: path.clone(),
                    source,
                })?;
                Ok(Self::Folder(path))
            }
            TransportKind::Smtp => {
                settings
                    .check()
                    .map_err(|e| TransportError::Smtp(e.to_string()))?;
                let config = SmtpConfig::new(settings, password).map_err(TransportError::Smtp)?;
                Ok(Self::Smtp(Arc::new(config)))
            }
        }
    }

    /// A session: for SMTP, one connection, opened on first use and kept.
    pub fn session(&self) -> Session {
        match self {
            Self::Folder(path) => Session::Folder(path.clone()),
            Self::Smtp(config) => Session::Smtp(Box::new(SmtpSession::new(Arc::clone(config)))),
        }
    }

    /// Delivers one message on a session of its own (the test email).
    pub fn send(&self, message: &Message) -> Result<String, SendFailure> {
        self.send_probing(message).0
    }

    /// [`Self::send`], also saying whether the SMTP server announced
    /// SMTPUTF8 (`None` for the folder, or when no connection was made).
    pub fn send_probing(&self, message: &Message) -> (Result<String, SendFailure>, Option<bool>) {
        let mut session = self.session();
        let result = session.send(message, &mut || true);
        let announced = match &session {
            Session::Smtp(smtp) => smtp.announces_smtputf8(),
            Session::Folder(..) => None,
        };
        (result, announced)
    }
}

/// One sending session.
pub enum Session {
    /// Writes into the outbox folder.
    Folder(PathBuf),
    /// One SMTP connection.
    Smtp(Box<SmtpSession>),
}

impl Session {
    /// Delivers one message; returns the server's answer (or the file written).
    pub fn send(
        &mut self,
        message: &Message,
        before_content: &mut dyn FnMut() -> bool,
    ) -> Result<String, SendFailure> {
        match self {
            Self::Folder(..) if !before_content() => Err(SendFailure {
                transient: true,
                reply: "not saved: the register could not record that it was being sent".to_owned(),
                answer_lost: false,
            }),
            Self::Folder(path) => write_whole(path, &message.formatted())
                .map(|file| format!("saved as {}", file.display()))
                .map_err(|e| SendFailure {
                    transient: true,
                    reply: format!("could not write to the outbox folder: {e}"),
                    answer_lost: false,
                }),
            Self::Smtp(session) => {
                session.send(message.envelope(), &message.formatted(), before_content)
            }
        }
    }
}

/// Writes one message into `folder` whole: into a hidden temporary file,
/// flushed to disk, then renamed to `<random>.eml`, so a full disk or a
/// crash never leaves an empty or half-written `.eml` behind.
fn write_whole(folder: &std::path::Path, content: &[u8]) -> std::io::Result<PathBuf> {
    use std::io::Write as _;
    let mut random = [0_u8; 16];
    getrandom::fill(&mut random).map_err(|e| std::io::Error::other(e.to_string()))?;
    let name = random
        .iter()
        .fold(String::with_capacity(32), |mut name, b| {
            use std::fmt::Write as _;
            let _ = write!(name, "{b:02x}");
            name
        });
    let temporary = folder.join(format!(".{name}.eml.partial"));
    let file = folder.join(format!("{name}.eml"));
    let written = std::fs::File::create(&temporary).and_then(|mut out| {
        out.write_all(content)?;
        out.sync_all()
    });
    if let Err(error) = written.and_then(|()| std::fs::rename(&temporary, &file)) {
        let _ = std::fs::remove_file(&temporary);
        return Err(error);
    }
    Ok(file)
}
