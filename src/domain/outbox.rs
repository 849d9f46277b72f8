//! Messages in the outbox and their delivery states.

use jiff::Timestamp;

use super::email::Email;
use super::user::UserKey;

/// What a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// The verification email with the link.
    Verification,
    /// The password-reset email.
    PasswordReset,
    /// In the preparation phase, after the connection was deleted: the
    /// invitation to redo the link on *My profile › Security and login*.
    RelinkInvitation,
}

impl MessageKind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Verification => "verification",
            Self::PasswordReset => "password_reset",
            Self::RelinkInvitation => "relink_invitation",
        }
    }

    /// Every kind.
    pub const ALL: [Self; 3] = [
        Self::Verification,
        Self::PasswordReset,
        Self::RelinkInvitation,
    ];

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Where a message is on its way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryState {
    /// Waiting for the worker (first try or a retry).
    Queued,
    /// Handed to the server; its answer not yet recorded.
    Sending,
    /// The server accepted it.
    Sent,
    /// The server refused it for good, or retries ran out.
    Failed,
    /// No longer to be sent: the address changed, was connected or deleted.
    Cancelled,
}

impl DeliveryState {
    /// The stored code, also what scripts read.
    pub fn code(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Every state.
    pub const ALL: [Self; 5] = [
        Self::Queued,
        Self::Sending,
        Self::Sent,
        Self::Failed,
        Self::Cancelled,
    ];

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The register's own key of a message in the outbox (its row).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutboxId(pub i64);

impl std::fmt::Display for OutboxId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A message in the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxMessage {
    /// Row id.
    pub id: OutboxId,
    /// The Message-ID header, unique per message and kept across retries.
    pub message_id: String,
    /// What it is.
    pub kind: MessageKind,
    /// For whom (gone if the user was deleted).
    pub user_key: Option<UserKey>,
    /// To which address.
    pub recipient: Email,
    /// Where it is.
    pub state: DeliveryState,
    /// How many times it was handed to the server.
    pub attempts: u32,
    /// When the next try is due.
    pub next_attempt_at: Timestamp,
    /// The server's last answer, or why it was not sent.
    pub last_result: Option<String>,
    /// A try was interrupted after handing it over: the server may have it twice.
    pub possible_duplicate: bool,
    /// When it was queued.
    pub created_at: Timestamp,
    /// When the server accepted it.
    pub sent_at: Option<Timestamp>,
}

/// What follows a delivery attempt that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterFailure {
    /// Queued again, to be tried after this pause.
    RetryIn(std::time::Duration),
    /// Failed for good.
    GiveUp,
}

/// When a failed delivery is tried again: a transient failure (the server
/// busy, the connection lost) after `base`, doubled for each attempt
/// after the first and at most `max`, until `max_attempts` attempts were
/// made; a permanent one (the address refused) never.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryRule {
    /// Pause before the first retry.
    pub base: std::time::Duration,
    /// Longest pause between retries.
    pub max: std::time::Duration,
    /// Attempts before a transient failure counts as failed.
    pub max_attempts: u32,
}

impl RetryRule {
    /// What follows the failure of attempt number `attempts` (1 for the
    /// first), `transient` or not.
    pub fn after_failure(&self, attempts: u32, transient: bool) -> AfterFailure {
        if !transient || attempts >= self.max_attempts {
            return AfterFailure::GiveUp;
        }
        let factor = 2_u32.saturating_pow(attempts.saturating_sub(1));
        AfterFailure::RetryIn(self.base.saturating_mul(factor).min(self.max))
    }
}

#[cfg(test)]
mod retry_tests {
    use super::*;
    use std::time::Duration;

    const RULE: RetryRule = RetryRule {
        base: Duration::from_secs(30),
        max: Duration::from_hours(1),
        max_attempts: 10,
    };

    #[test]
    fn a_transient_failure_is_tried_again_after_a_pause_that_doubles_up_to_the_longest() {
        let pauses: Vec<AfterFailure> = (1..=9).map(|n| RULE.after_failure(n, true)).collect();
        let secs = |s| AfterFailure::RetryIn(Duration::from_secs(s));
        assert_eq!(
            pauses,
            [
                secs(30),
                secs(60),
                secs(120),
                secs(240),
                secs(480),
                secs(960),
                secs(1920),
                secs(3600),
                secs(3600)
            ]
        );
    }

    #[test]
    fn the_last_attempt_and_a_permanent_failure_give_up() {
        assert_eq!(RULE.after_failure(10, true), AfterFailure::GiveUp);
        assert_eq!(RULE.after_failure(1, false), AfterFailure::GiveUp);
        // A count no rule expects (a hand-edited row) neither overflows nor
        // retries for ever.
        assert_eq!(RULE.after_failure(u32::MAX, true), AfterFailure::GiveUp);
        let endless = RetryRule {
            max_attempts: u32::MAX,
            ..RULE
        };
        assert_eq!(
            endless.after_failure(200, true),
            AfterFailure::RetryIn(Duration::from_hours(1))
        );
        assert_eq!(
            RULE.after_failure(0, true),
            AfterFailure::RetryIn(Duration::from_secs(30))
        );
    }
}
