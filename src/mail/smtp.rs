//! SMTP sessions over lettre's `SmtpConnection`, one connection per session,
//! kept open across messages.
//!
//! Why not lettre's `SmtpTransport`: lettre 0.11.23 writes a message's body
//! and its closing `.` in two writes and never sets `TCP_NODELAY`, so every
//! message waits about 40 ms on the server's delayed ACK (about 23 messages a
//! second per connection). Here lettre still speaks the protocol (connect,
//! EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, reply parsing); only the body and
//! its terminator go out in one write.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Quit, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::{Error, response::Response};

use super::SendFailure;

use crate::domain::{Settings, SmtpSecurity};

/// How to reach and log in to the SMTP server.
pub struct SmtpConfig {
    host: String,
    port: u16,
    security: SmtpSecurity,
    timeout: Duration,
    tls: Option<TlsParameters>,
    credentials: Option<Credentials>,
    hello: ClientId,
}

impl SmtpConfig {
    /// The server the settings name; `password` when a user is set.
    pub fn new(settings: &Settings, password: Option<&str>) -> Result<Self, String> {
        let tls = match settings.smtp_security {
            SmtpSecurity::None => None,
            SmtpSecurity::StartTls | SmtpSecurity::Tls => Some(
                TlsParameters::new(settings.smtp_host.clone())
                    .map_err(|e| format!("TLS cannot be set up: {e}"))?,
            ),
        };
        let credentials = if settings.smtp_user.is_empty() {
            None
        } else {
            let Some(password) = password else {
                return Err(format!(
                    "no password for SMTP user {}: enter it in Settings, or set {}",
                    settings.smtp_user,
                    super::password::PASSWORD_ENV
                ));
            };
            Some(Credentials::new(
                settings.smtp_user.clone(),
                password.to_owned(),
            ))
        };
        Ok(Self {
            host: settings.smtp_host.clone(),
            port: settings.smtp_port,
            security: settings.smtp_security,
            timeout: Duration::from_secs(settings.smtp_timeout_secs),
            tls,
            credentials,
            hello: ClientId::default(),
        })
    }
}

/// The message body, dot-stuffed, with the closing `.`: written in one go.
struct DotStuffed<'a>(&'a str);

impl fmt::Display for DotStuffed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut start_of_line = true;
        for line in self.0.split_inclusive('\n') {
            if start_of_line && line.starts_with('.') {
                f.write_str(".")?;
            }
            f.write_str(line)?;
            start_of_line = line.ends_with('\n');
        }
        if !self.0.ends_with("\r\n") {
            f.write_str("\r\n")?;
        }
        f.write_str(".\r\n")
    }
}

/// Why a send failed, and whether a fresh connection may be tried at once
/// (nothing of the message was accepted and the connection itself failed).
struct Failed {
    failure: SendFailure,
    retry_on_new_connection: bool,
}

impl Failed {
    fn before_message(error: &Error, timeout: Duration) -> Self {
        Self {
            failure: failure(error, timeout),
            retry_on_new_connection: error.status().is_none(),
        }
    }

    fn during_message(error: &Error, timeout: Duration) -> Self {
        Self {
            failure: failure(error, timeout),
            retry_on_new_connection: false,
        }
    }

    /// The content went out and no answer came back (a time-out, a dropped
    /// connection): the server may have accepted it.
    fn answer_lost(error: &Error, timeout: Duration) -> Self {
        let mut failed = Self::during_message(error, timeout);
        failed.failure.answer_lost = error.status().is_none();
        failed
    }

    fn plain(transient: bool, reply: &str) -> Self {
        Self {
            failure: SendFailure {
                transient,
                reply: reply.to_owned(),
                answer_lost: false,
            },
            retry_on_new_connection: false,
        }
    }
}

/// True when the error, or one of its causes, is a read or write that ran
/// out of time (lettre reports a socket time-out as "Resource temporarily
/// unavailable" on Linux, `WouldBlock`).
fn timed_out(error: &Error) -> bool {
    if error.is_timeout() {
        return true;
    }
    let mut cause = std::error::Error::source(error);
    while let Some(current) = cause {
        if let Some(io) = current.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            )
        {
            return true;
        }
        cause = current.source();
    }
    false
}

/// The server's code and words, or what failed on the way.
pub fn failure(error: &Error, timeout: Duration) -> SendFailure {
    let reply = if timed_out(error) {
        format!(
            "the server did not answer within {} s",
            timeout.as_secs().max(1)
        )
    } else {
        match (error.status(), std::error::Error::source(error)) {
            (Some(code), Some(words)) => format!("{code} {words}"),
            _ => error.to_string(),
        }
    };
    SendFailure {
        transient: !error.is_permanent(),
        reply,
        answer_lost: false,
    }
}

fn reply_words(response: &Response) -> String {
    let words: Vec<&str> = response.message().collect();
    format!("{} {}", response.code(), words.join(" "))
}

/// One SMTP session: a connection opened on first use and kept.
pub struct SmtpSession {
    config: Arc<SmtpConfig>,
    connection: Option<SmtpConnection>,
}

impl SmtpSession {
    /// A session that connects on its first message.
    pub fn new(config: Arc<SmtpConfig>) -> Self {
        Self {
            config,
            connection: None,
        }
    }

    fn connect(&self) -> Result<SmtpConnection, Failed> {
        let config = &self.config;
        let timeout = config.timeout;
        let wrapped = match config.security {
            SmtpSecurity::Tls => config.tls.as_ref(),
            SmtpSecurity::StartTls | SmtpSecurity::None => None,
        };
        let mut connection = SmtpConnection::connect(
            (config.host.as_str(), config.port),
            Some(config.timeout),
            &config.hello,
            wrapped,
            None,
        )
        .map_err(|e| Failed::before_message(&e, timeout))?;
        if let (SmtpSecurity::StartTls, Some(tls)) = (config.security, &config.tls) {
            // A server that does not offer STARTTLS is refused: no silent plaintext.
            if !connection.can_starttls() {
                connection.abort();
                return Err(Failed::plain(
                    true,
                    "the server does not offer STARTTLS; choose TLS, or check the port",
                ));
            }
            connection
                .starttls(tls, &config.hello)
                .map_err(|e| Failed::before_message(&e, timeout))?;
        }
        if let Some(credentials) = &config.credentials {
            connection
                .auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .map_err(|e| {
                    Failed::plain(
                        true,
                        &format!("login refused: {}", failure(&e, timeout).reply),
                    )
                })?;
        }
        Ok(connection)
    }

    /// Sends one message; returns the server's reply to it. `before_content`
    /// is called once the server has accepted DATA, just before the message
    /// itself goes out; when it returns false the message is not sent.
    pub fn send(
        &mut self,
        envelope: &Envelope,
        raw: &[u8],
        before_content: &mut dyn FnMut() -> bool,
    ) -> Result<String, SendFailure> {
        let reused = self.connection.is_some();
        match self.try_send(envelope, raw, before_content) {
            Ok(reply) => Ok(reply),
            // A kept connection the server closed meanwhile: one fresh try,
            // safe because nothing of this message was accepted.
            Err(failed) if reused && failed.retry_on_new_connection => {
                self.connection = None;
                self.try_send(envelope, raw, before_content)
                    .map_err(|f| f.failure)
            }
            Err(failed) => {
                if failed.failure.transient {
                    self.connection = None;
                }
                Err(failed.failure)
            }
        }
    }

    fn try_send(
        &mut self,
        envelope: &Envelope,
        raw: &[u8],
        before_content: &mut dyn FnMut() -> bool,
    ) -> Result<String, Failed> {
        let timeout = self.config.timeout;
        if self
            .connection
            .as_ref()
            .is_none_or(SmtpConnection::has_broken)
        {
            self.connection = Some(self.connect()?);
        }
        let Some(connection) = self.connection.as_mut() else {
            return Err(Failed::plain(true, "no connection to the server"));
        };
        let mut parameters = Vec::new();
        if !raw.is_ascii() {
            if !connection
                .server_info()
                .supports_feature(Extension::EightBitMime)
            {
                return Err(Failed::plain(
                    false,
                    "the message has 8-bit text and the server does not accept 8BITMIME",
                ));
            }
            parameters.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let not_ascii = |a: &lettre::Address| !AsRef::<str>::as_ref(a).is_ascii();
        let needs_smtputf8 =
            envelope.from().is_some_and(not_ascii) || envelope.to().iter().any(not_ascii);
        if needs_smtputf8 {
            if !connection
                .server_info()
                .supports_feature(Extension::SmtpUtfEight)
            {
                return Err(Failed::plain(
                    false,
                    "the address has letters outside ASCII before the @, and the mail server \
                     does not accept such addresses (it does not announce SMTPUTF8)",
                ));
            }
            parameters.push(MailParameter::SmtpUtfEight);
        }
        let refused = |connection: &mut SmtpConnection, error: &Error| {
            // The server refused a command: start the next message cleanly.
            if error.status().is_some() {
                let _ = connection.command(Rset);
            }
        };
        if let Err(error) = connection.command(Mail::new(envelope.from().cloned(), parameters)) {
            refused(connection, &error);
            return Err(Failed::before_message(&error, timeout));
        }
        for to in envelope.to() {
            if let Err(error) = connection.command(Rcpt::new(to.clone(), vec![])) {
                refused(connection, &error);
                return Err(Failed::during_message(&error, timeout));
            }
        }
        if let Err(error) = connection.command(Data) {
            refused(connection, &error);
            return Err(Failed::during_message(&error, timeout));
        }
        if !before_content() {
            // The server waits for the content: drop the connection so it
            // discards the transaction.
            connection.abort();
            self.connection = None;
            return Err(Failed::plain(
                true,
                "not sent: the register could not record that it was being sent",
            ));
        }
        let result = match std::str::from_utf8(raw) {
            Ok(text) => connection.command(DotStuffed(text)),
            Err(_) => connection.message(raw),
        };
        result
            .map(|response| reply_words(&response))
            .map_err(|e| Failed::answer_lost(&e, timeout))
    }
}

impl SmtpSession {
    /// Whether the server this session is connected to announces SMTPUTF8;
    /// `None` before a connection was made.
    pub fn announces_smtputf8(&self) -> Option<bool> {
        self.connection
            .as_ref()
            .map(|c| c.server_info().supports_feature(Extension::SmtpUtfEight))
    }
}

impl Drop for SmtpSession {
    fn drop(&mut self) {
        if let Some(mut connection) = self.connection.take() {
            let _ = connection.command(Quit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_stuffing_doubles_leading_dots_and_ends_the_message() {
        let body = "Subject: x\r\n\r\n.hidden\r\nline\r\n..two\r\nend.";
        assert_eq!(
            DotStuffed(body).to_string(),
            "Subject: x\r\n\r\n..hidden\r\nline\r\n...two\r\nend.\r\n.\r\n"
        );
    }
}
