//! Words the register keeps in English (an outbox message's answer, a
//! History row's actor), said in the window's language when shown: the
//! rows stay as written, for the CLI and old registers alike.

use super::{Arg, text, window_language};

/// The program's own stored phrases and the keys that say them.
const STORED: &[(&str, &str)] = &[
    (
        "not sent: connected by verified domain",
        "stored-not-sent-verified-domain",
    ),
    (
        "not sent: a newer verification replaced it",
        "stored-not-sent-newer-verification",
    ),
    (
        "not sent: the user was deactivated",
        "stored-not-sent-deactivated",
    ),
    (
        "not sent: the connection was deleted",
        "stored-not-sent-connection-deleted",
    ),
    (
        "not sent: a newer invitation replaced it",
        "stored-not-sent-newer-invitation",
    ),
    (
        "not sent: the address was changed, connected or deactivated meanwhile",
        "stored-not-sent-changed-meanwhile",
    ),
    (
        "not sent: the user is no longer connected with this address",
        "stored-not-sent-no-longer-connected",
    ),
    (
        "not sent: the user was connected, deactivated or their Email changed meanwhile",
        "stored-not-sent-user-changed-meanwhile",
    ),
    (
        "not sent: the user was deleted",
        "stored-not-sent-user-deleted",
    ),
    (
        "not sent: the user's employment has ended",
        "stored-not-sent-employment-ended",
    ),
    (
        "not sent: the send was cancelled",
        "stored-not-sent-cancelled",
    ),
    (
        "not sent: the address was changed by an import",
        "stored-not-sent-import",
    ),
    (
        "not sent: the register could not record that it was being sent",
        "stored-not-sent-not-recorded",
    ),
    ("outbox worker", "stored-actor-outbox-worker"),
    ("employee (verification link)", "stored-actor-employee-link"),
    (
        "employee (Security and login)",
        "stored-actor-employee-relink",
    ),
    (
        "employee (new link request)",
        "stored-actor-employee-new-link",
    ),
    ("leaver rule", "stored-actor-leaver-rule"),
    ("identity provider push", "stored-actor-idp-push"),
];

/// `stored` in the window's language when it is one of the program's own
/// stored phrases ("not sent: the user was deleted", "outbox worker",
/// "saved as PATH"); anything else (a server's answer, a person's name) as
/// it is.
pub fn stored_words(stored: &str) -> String {
    if let Some((_, key)) = STORED.iter().find(|(english, _)| *english == stored) {
        return text(window_language(), key, &[]);
    }
    if let Some(path) = stored.strip_prefix("saved as ") {
        return text(
            window_language(),
            "stored-saved-as",
            &[("path", Arg::from(path))],
        );
    }
    stored.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;

    #[test]
    fn every_stored_phrase_has_its_words_in_both_languages() {
        for language in Language::ALL {
            for (english, key) in STORED {
                let said = text(language, key, &[]);
                assert_ne!(said, *key, "{key} is missing in {language:?}");
                if language == Language::English {
                    assert_eq!(said, *english);
                }
            }
        }
    }
}
