//! Who may be sent what: the rules the `Verify account` button, bulk
//! verification and the CLI share.

use jiff::{SignedDuration, Timestamp};

use super::connection::Connection;
use super::email::Email;
use super::settings::Settings;
use super::user::UserRecord;

/// What a verification request does for one user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyDecision {
    /// Send a verification email to this address.
    Send(Email),
    /// The address is in a verified domain: connect at once, send nothing.
    ConnectByDomain(Email),
    /// Nothing is sent, for this reason.
    Skip(SkipReason),
}

/// Why a user is not sent a verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipReason {
    /// Already connected to Visma Connect.
    AlreadyConnected,
    /// No Visma Connect address saved.
    NoAddress,
    /// The user is not activated.
    NotActivated,
    /// A verification went out less than the resend interval ago.
    RecentlySent,
    /// The user's *Employment ends* has passed.
    EmploymentEnded,
    /// The user is outside the departments and offices where the
    /// operator's roles permit *Verify accounts*.
    OutsideLimits,
}

impl SkipReason {
    /// The words a person reads.
    pub fn label(self) -> String {
        match self {
            Self::AlreadyConnected => t!("skip-already-connected"),
            Self::NoAddress => t!("skip-no-address"),
            Self::NotActivated => t!("skip-not-activated"),
            Self::RecentlySent => t!("skip-recently-sent"),
            Self::EmploymentEnded => t!("skip-employment-ended"),
            Self::OutsideLimits => t!("skip-outside-limits"),
        }
    }

    /// A full sentence for one user, for the form and the CLI.
    pub fn sentence(self) -> String {
        match self {
            Self::AlreadyConnected => t!("skip-already-connected.sentence"),
            Self::NoAddress => t!("skip-no-address.sentence"),
            Self::NotActivated => t!("skip-not-activated.sentence"),
            Self::RecentlySent => t!("skip-recently-sent.sentence"),
            Self::EmploymentEnded => t!("skip-employment-ended.sentence"),
            Self::OutsideLimits => t!("skip-outside-limits.sentence"),
        }
    }
}

/// Whether the form offers *Send again* for a pending address: once the
/// newest verification email to it has reached an end (sent, failed or not
/// sent), or, when the outbox holds none, once one was ever sent. Not while
/// one still waits to go out: a second would only queue behind it.
pub fn offers_send_again(
    newest_message: Option<super::outbox::DeliveryState>,
    sent_count: u32,
) -> bool {
    use super::outbox::DeliveryState;
    match newest_message {
        Some(state) => matches!(
            state,
            DeliveryState::Sent | DeliveryState::Failed | DeliveryState::Cancelled
        ),
        None => sent_count > 0,
    }
}

/// Decides for one user. `resend_guard` is `Some(now)` for bulk sends, which
/// skip users sent a verification within the resend interval; a single
/// `Verify account` or `Send again` passes `None`. `today` (the computer's
/// calendar day): a user whose *Employment ends* is before it is not sent.
pub fn verify_decision(
    record: &UserRecord,
    settings: &Settings,
    resend_guard: Option<Timestamp>,
    today: jiff::civil::Date,
) -> VerifyDecision {
    let email = match &record.connection {
        Connection::Connected { .. } => return VerifyDecision::Skip(SkipReason::AlreadyConnected),
        Connection::None => return VerifyDecision::Skip(SkipReason::NoAddress),
        Connection::Unverified {
            email,
            last_sent_at,
            ..
        } => {
            if let (Some(now), Some(last)) = (resend_guard, last_sent_at) {
                let interval = SignedDuration::from_mins(i64::from(settings.resend_after_minutes));
                if now.duration_since(*last) < interval {
                    return VerifyDecision::Skip(SkipReason::RecentlySent);
                }
            }
            email
        }
    };
    if !record.user.activated {
        return VerifyDecision::Skip(SkipReason::NotActivated);
    }
    if record.user.employment_ends.is_some_and(|last| last < today) {
        return VerifyDecision::Skip(SkipReason::EmploymentEnded);
    }
    if settings.is_verified_domain(email) {
        VerifyDecision::ConnectByDomain(email.clone())
    } else {
        VerifyDecision::Send(email.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::connection::test_pending as pending;
    use crate::domain::user::test_record;
    use crate::domain::{ConnectedBy, SettingKey};

    /// A day long before anyone's employment ends in these tests.
    fn decide(
        record: &UserRecord,
        settings: &Settings,
        guard: Option<Timestamp>,
    ) -> VerifyDecision {
        verify_decision(record, settings, guard, jiff::civil::date(2026, 1, 1))
    }

    fn record(activated: bool, connection: Connection) -> UserRecord {
        let mut record = test_record(1, "14");
        record.user.activated = activated;
        record.user.first_name = "Anna".into();
        record.user.last_name = "Svensson".into();
        record.connection = connection;
        record
    }

    #[test]
    fn only_activated_users_with_a_pending_address_are_sent() {
        let settings = Settings::default();
        let address = Email::parse("anna@company.se").unwrap();
        assert_eq!(
            decide(
                &record(true, pending("anna@company.se", None)),
                &settings,
                None
            ),
            VerifyDecision::Send(address.clone())
        );
        assert_eq!(
            decide(
                &record(false, pending("anna@company.se", None)),
                &settings,
                None
            ),
            VerifyDecision::Skip(SkipReason::NotActivated)
        );
        assert_eq!(
            decide(&record(true, Connection::None), &settings, None),
            VerifyDecision::Skip(SkipReason::NoAddress)
        );
        let connected = Connection::Connected {
            email: address,
            since: Timestamp::UNIX_EPOCH,
            by: ConnectedBy::Link,
        };
        assert_eq!(
            decide(&record(true, connected), &settings, None),
            VerifyDecision::Skip(SkipReason::AlreadyConnected)
        );
    }

    #[test]
    fn a_verified_domain_connects_without_a_message() {
        let mut settings = Settings::default();
        settings
            .set(SettingKey::VerifiedDomains, "company.se")
            .unwrap();
        assert!(matches!(
            decide(
                &record(true, pending("anna@Company.se", None)),
                &settings,
                None
            ),
            VerifyDecision::ConnectByDomain(_)
        ));
    }

    #[test]
    fn bulk_sends_skip_the_recently_sent() {
        let settings = Settings::default();
        let sent = Timestamp::from_second(1_800_000_000).unwrap();
        let record = record(true, pending("anna@company.se", Some(sent)));
        let soon = sent + SignedDuration::from_mins(9);
        let later = sent + SignedDuration::from_mins(11);
        assert_eq!(
            decide(&record, &settings, Some(soon)),
            VerifyDecision::Skip(SkipReason::RecentlySent)
        );
        assert!(matches!(
            decide(&record, &settings, Some(later)),
            VerifyDecision::Send(_)
        ));
        assert!(matches!(
            decide(&record, &settings, None),
            VerifyDecision::Send(_)
        ));
    }

    #[test]
    fn send_again_is_offered_once_the_last_email_has_ended() {
        use crate::domain::outbox::DeliveryState;
        assert!(offers_send_again(Some(DeliveryState::Sent), 1));
        assert!(offers_send_again(Some(DeliveryState::Failed), 1));
        assert!(offers_send_again(Some(DeliveryState::Cancelled), 1));
        assert!(!offers_send_again(Some(DeliveryState::Queued), 1));
        assert!(!offers_send_again(Some(DeliveryState::Sending), 1));
        assert!(
            offers_send_again(None, 2),
            "sent earlier, no longer in the outbox"
        );
        assert!(
            !offers_send_again(None, 0),
            "never sent: Verify account, not Send again"
        );
    }

    #[test]
    fn a_user_whose_employment_has_ended_is_not_sent() {
        let settings = Settings::default();
        let mut record = record(true, pending("anna@company.se", None));
        record.user.employment_ends = Some(jiff::civil::date(2027, 1, 31));
        let on = |day| verify_decision(&record, &settings, None, day);
        assert!(matches!(
            on(jiff::civil::date(2027, 1, 31)),
            VerifyDecision::Send(_)
        ));
        assert_eq!(
            on(jiff::civil::date(2027, 2, 1)),
            VerifyDecision::Skip(SkipReason::EmploymentEnded)
        );
    }
}
