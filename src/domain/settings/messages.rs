//! The emails' texts: the stored templates, and each language's default
//! when a template is left at a default.

use crate::i18n::Language;

use super::Settings;

/// A message's subject and body, with `{name}`-style placeholders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageTexts {
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
}

/// The placeholders, as the Fluent default texts receive them.
pub(super) fn placeholder_args() -> [(&'static str, crate::i18n::Arg); 5] {
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
pub(super) fn resolve(
    stored: &str,
    defaults: impl Fn(Language) -> String,
    wanted: Language,
) -> String {
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

impl Settings {
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
}
