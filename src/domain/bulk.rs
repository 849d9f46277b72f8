//! Bulk verification's plan: for every user of the selection, what `Verify
//! accounts` will do, and the counts the confirmation dialog shows.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::rules::{SkipReason, VerifyDecision, verify_decision};
use super::settings::Settings;
use super::user::{UserKey, UserRecord};

/// The counts of a plan, as the dialog and `verify --all-pending --dry-run` show them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BulkCounts {
    /// Users who will be sent a verification email.
    pub send: usize,
    /// Users who will connect at once (verified domain).
    pub connect: usize,
    /// Users skipped, by reason.
    pub skipped: BTreeMap<SkipReason, usize>,
    /// Of those to be sent one, users whose verification an earlier send
    /// already queued (after a crash, say): that message is delivered, no
    /// second one is made.
    pub already_queued: usize,
    /// Of those skipped for having no saved address, users whose General
    /// Email could be used as their Visma Connect address.
    pub email_only: usize,
}

impl BulkCounts {
    /// Everyone in the plan.
    pub fn total(&self) -> usize {
        self.send + self.connect + self.skipped.values().sum::<usize>()
    }

    /// Users skipped for this reason.
    pub fn skipped_for(&self, reason: SkipReason) -> usize {
        self.skipped.get(&reason).copied().unwrap_or(0)
    }

    /// The lines the confirmation shows, in its order, with their counts.
    /// Addresses are parsed and unique in the register, so "invalid or
    /// shared" is always 0; it is shown so the administrator sees it checked.
    pub fn lines(&self, resend_after_minutes: u32) -> Vec<(String, usize)> {
        let mut lines = vec![(t!("bulk-line-send"), self.send)];
        if self.already_queued > 0 {
            lines.push((t!("bulk-line-already-queued"), self.already_queued));
        }
        lines.extend([
            (t!("bulk-line-connect"), self.connect),
            (
                t!("bulk-line-skipped-connected"),
                self.skipped_for(SkipReason::AlreadyConnected),
            ),
            (
                t!("bulk-line-skipped-no-address"),
                self.skipped_for(SkipReason::NoAddress),
            ),
            (t!("bulk-line-skipped-invalid"), 0),
            (
                t!("bulk-line-skipped-not-activated"),
                self.skipped_for(SkipReason::NotActivated),
            ),
            (
                t!("bulk-line-skipped-recent", minutes = resend_after_minutes),
                self.skipped_for(SkipReason::RecentlySent),
            ),
        ]);
        let leavers = self.skipped_for(SkipReason::EmploymentEnded);
        if leavers > 0 {
            lines.push((t!("bulk-line-skipped-employment-ended"), leavers));
        }
        let outside = self.skipped_for(SkipReason::OutsideLimits);
        if outside > 0 {
            lines.push((t!("bulk-line-skipped-outside-limits"), outside));
        }
        lines
    }
}

/// What will happen to each user of a selection.
#[derive(Clone, Debug, Default)]
pub struct BulkPlan {
    /// Users in selection order, with the decision for each.
    pub entries: Vec<(UserKey, VerifyDecision)>,
    /// The counts.
    pub counts: BulkCounts,
}

impl BulkPlan {
    /// Adds users skipped before planning (outside the operator's limits).
    pub fn skip_also(&mut self, keys: impl IntoIterator<Item = UserKey>, reason: SkipReason) {
        for key in keys {
            *self.counts.skipped.entry(reason).or_default() += 1;
            self.entries.push((key, VerifyDecision::Skip(reason)));
        }
    }

    /// Users who get a message or connect at once, in selection order.
    pub fn to_verify(&self) -> impl Iterator<Item = UserKey> + '_ {
        self.entries
            .iter()
            .filter(|(_, d)| !matches!(d, VerifyDecision::Skip(_)))
            .map(|(key, _)| *key)
    }
}

/// Plans `Verify accounts` for a selection. Users sent a verification within
/// the resend interval are skipped unless `send_again_to_recent`; users in
/// `already_queued` (a verification of theirs still waits in the outbox) are
/// counted as such.
pub fn plan_bulk<'a, S: std::hash::BuildHasher>(
    selection: impl IntoIterator<Item = &'a UserRecord>,
    settings: &Settings,
    now: Timestamp,
    today: jiff::civil::Date,
    send_again_to_recent: bool,
    already_queued: &std::collections::HashSet<UserKey, S>,
) -> BulkPlan {
    let guard = (!send_again_to_recent).then_some(now);
    let mut plan = BulkPlan::default();
    for record in selection {
        let decision = verify_decision(record, settings, guard, today);
        match &decision {
            VerifyDecision::Send(_) => {
                plan.counts.send += 1;
                if already_queued.contains(&record.key) {
                    plan.counts.already_queued += 1;
                }
            }
            VerifyDecision::ConnectByDomain(_) => plan.counts.connect += 1,
            VerifyDecision::Skip(reason) => {
                *plan.counts.skipped.entry(*reason).or_default() += 1;
                if *reason == SkipReason::NoAddress && record.user.email.is_some() {
                    plan.counts.email_only += 1;
                }
            }
        }
        plan.entries.push((record.key, decision));
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::connection::test_pending as pending;
    use crate::domain::user::test_record;
    use crate::domain::{ConnectedBy, Connection, Email, SettingKey};

    fn user(key: i64, activated: bool, connection: Connection) -> UserRecord {
        let mut record = test_record(key, &key.to_string());
        record.user.activated = activated;
        record.connection = connection;
        record
    }

    #[test]
    fn a_mixed_selection_is_counted_by_what_will_happen() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let mut settings = Settings::default();
        settings
            .set(SettingKey::VerifiedDomains, "company.se")
            .unwrap();
        let mut email_only = user(8, true, Connection::None);
        email_only.user.email = Some(Email::parse("h@example.org").unwrap());
        let users = [
            user(1, true, pending("a@example.org", None)),
            user(2, true, pending("b@example.org", None)),
            user(3, true, pending("c@company.se", None)),
            user(4, true, Connection::None),
            email_only,
            user(5, false, pending("e@example.org", None)),
            user(6, true, pending("f@example.org", Some(now))),
            user(
                7,
                true,
                Connection::Connected {
                    email: Email::parse("g@example.org").unwrap(),
                    since: now,
                    by: ConnectedBy::Link,
                },
            ),
        ];
        let waiting = std::collections::HashSet::from([UserKey(2)]);
        let plan = plan_bulk(
            &users,
            &settings,
            now,
            jiff::civil::date(2026, 1, 1),
            false,
            &waiting,
        );
        assert_eq!(plan.counts.send, 2);
        assert_eq!(plan.counts.connect, 1);
        assert_eq!(plan.counts.skipped_for(SkipReason::NoAddress), 2);
        assert_eq!(plan.counts.email_only, 1, "user 8 has an Email to offer");
        assert_eq!(plan.counts.skipped_for(SkipReason::NotActivated), 1);
        assert_eq!(plan.counts.skipped_for(SkipReason::RecentlySent), 1);
        assert_eq!(plan.counts.skipped_for(SkipReason::AlreadyConnected), 1);
        assert_eq!(plan.counts.total(), 8);
        assert_eq!(plan.counts.already_queued, 1);
        assert!(plan.counts.lines(10)[1].0.contains("already queued"));
        assert_eq!(
            plan.to_verify().collect::<Vec<_>>(),
            [UserKey(1), UserKey(2), UserKey(3)]
        );

        let again = plan_bulk(
            &users,
            &settings,
            now,
            jiff::civil::date(2026, 1, 1),
            true,
            &waiting,
        );
        assert_eq!(again.counts.send, 3, "send again to recently sent");
    }
}
