//! Store tests of the outbox and its links, on both backends: group commits,
//! tokens, claims, leases, and damaged rows that never stop the rest.

use jiff::Timestamp;

use crate::domain::{Email, OutboxId};
use crate::store::db::Sql as _;
use crate::store::*;

use super::*;

/// Anna, unverified with four verifications queued, and Bo.
fn anna_with_four_queued(store: &mut Store, now: Timestamp) -> (UserKey, UserKey, Email) {
    use crate::domain::MessageKind;
    let anna = Email::parse("anna@company.se").unwrap();
    let unverified = VismaConnection::Unverified {
        email: anna.clone(),
        sent_count: 0,
        last_sent_at: None,
    };
    let (anna_key, bo_key) = store
        .write(|tx| {
            let anna_key = tx.insert_user(&user("1"), 0)?;
            tx.set_connection(anna_key, &unverified, 0)?;
            let bo_key = tx.insert_user(&user("2"), 0)?;
            for n in 0..4 {
                tx.queue_message(
                    MessageKind::Verification,
                    Some(anna_key),
                    &anna,
                    &format!("<{n}@x>"),
                    now,
                )?;
            }
            Ok::<_, StoreError>((anna_key, bo_key))
        })
        .unwrap();
    (anna_key, bo_key, anna)
}

fn a_group_of_answers_is_recorded_as_one_call_per_answer_would(mut store: Store) {
    use crate::domain::DeliveryState;
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let (anna_key, bo_key, anna) = anna_with_four_queued(&mut store, now);
    let lease = now + jiff::SignedDuration::from_secs(30);
    let claimed = store
        .write(|tx| tx.claim_due("w-1", now, lease, 10))
        .unwrap();
    let ids: Vec<OutboxId> = claimed.iter().map(|m| m.id).collect();
    assert_eq!(ids.len(), 4);
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "claimed in queue order: {ids:?}"
    );

    // Users by key: the unknown one is left out.
    let found = store.write(|tx| tx.users_by_keys(&[anna_key, bo_key, UserKey(999_999)]));
    assert_eq!(found.unwrap().len(), 2);

    // Answers: sent twice to the same user counts two; one queued again,
    // one failed and flagged.
    let retry = now + jiff::SignedDuration::from_mins(5);
    let answer = |id, state, result: &str, next, possible_duplicate| AnswerRecord {
        delivery: Delivery {
            id,
            state,
            result: result.into(),
            next_attempt_at: next,
            possible_duplicate,
        },
        delivered: state == DeliveryState::Sent,
        counts_for: (state == DeliveryState::Sent).then(|| (anna_key, anna.key().to_owned())),
        audit: None,
    };
    // Another worker records and marks nothing of w-1's messages.
    let marked = store
        .commit_outbox_group(
            "w-2",
            &[answer(
                ids[0],
                DeliveryState::Queued,
                "451 x",
                Some(retry),
                false,
            )],
            &ids[..3],
            now,
        )
        .unwrap();
    assert!(marked.is_empty());
    assert_eq!(
        store
            .outbox(10)
            .unwrap()
            .iter()
            .filter(|m| m.state == DeliveryState::Sending)
            .count(),
        4
    );
    let marked = store
        .commit_outbox_group(
            "w-1",
            &[
                answer(ids[0], DeliveryState::Sent, "250 first", None, false),
                answer(ids[1], DeliveryState::Sent, "250 second", None, false),
                answer(
                    ids[2],
                    DeliveryState::Queued,
                    "451 later",
                    Some(retry),
                    false,
                ),
                answer(ids[3], DeliveryState::Failed, "550 no", None, true),
            ],
            &[],
            now,
        )
        .unwrap();
    assert!(marked.is_empty());
    let messages = store.outbox(10).unwrap();
    let by_id = |id: OutboxId| messages.iter().find(|m| m.id == id).unwrap();
    assert_eq!(by_id(ids[0]).state, DeliveryState::Sent);
    assert_eq!(by_id(ids[0]).last_result.as_deref(), Some("250 first"));
    assert_eq!(by_id(ids[0]).sent_at, Some(now));
    assert_eq!(by_id(ids[2]).state, DeliveryState::Queued);
    assert_eq!(by_id(ids[2]).next_attempt_at, retry);
    assert_eq!(by_id(ids[3]).state, DeliveryState::Failed);
    assert!(by_id(ids[3]).possible_duplicate);
    assert!(!by_id(ids[0]).possible_duplicate);
    assert_eq!(
        store.user(anna_key).unwrap().unwrap().connection,
        VismaConnection::Unverified {
            email: anna.clone(),
            sent_count: 2,
            last_sent_at: Some(now),
        }
    );
}

fn a_group_commit_records_flags_counts_audits_and_marks_at_once(mut store: Store) {
    use crate::domain::{AuditAction, DeliveryState};
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let (anna_key, _, anna) = anna_with_four_queued(&mut store, now);
    let lease = now + jiff::SignedDuration::from_secs(30);
    let mine = store
        .write(|tx| tx.claim_due("w-1", now, lease, 3))
        .unwrap();
    let theirs = store
        .write(|tx| tx.claim_due("w-2", now, lease, 1))
        .unwrap();
    let (sent, failed, to_send) = (mine[0].id, mine[1].id, mine[2].id);
    let taken = theirs[0].id;
    let answer = |id, state, delivered, counts: bool, action: Option<AuditAction>| AnswerRecord {
        delivery: Delivery {
            id,
            state,
            result: format!("{id} answered"),
            next_attempt_at: None,
            possible_duplicate: false,
        },
        delivered,
        counts_for: counts.then(|| (anna_key, anna.key().to_owned())),
        audit: action.map(|action| audit(action, Some(anna_key))),
    };
    let marked = store
        .commit_outbox_group(
            "w-1",
            &[
                answer(
                    sent,
                    DeliveryState::Sent,
                    true,
                    true,
                    Some(AuditAction::MessageDelivered),
                ),
                answer(
                    failed,
                    DeliveryState::Failed,
                    false,
                    false,
                    Some(AuditAction::MessageFailed),
                ),
                // w-2 holds this one: w-1's answer is not recorded, only flagged.
                answer(
                    taken,
                    DeliveryState::Sent,
                    true,
                    true,
                    Some(AuditAction::MessageDelivered),
                ),
            ],
            &[to_send, taken],
            now,
        )
        .unwrap();
    assert_eq!(marked, [to_send], "only what w-1 holds is marked");
    let messages = store.outbox(10).unwrap();
    let by_id = |id: OutboxId| messages.iter().find(|m| m.id == id).unwrap();
    assert_eq!(by_id(sent).state, DeliveryState::Sent);
    assert_eq!(by_id(failed).state, DeliveryState::Failed);
    assert_eq!(
        by_id(taken).state,
        DeliveryState::Sending,
        "w-2 still holds it"
    );
    assert!(by_id(taken).possible_duplicate);
    assert!(!by_id(sent).possible_duplicate);
    assert_eq!(by_id(to_send).state, DeliveryState::Sending);
    assert!(matches!(
        store.user(anna_key).unwrap().unwrap().connection,
        VismaConnection::Unverified { sent_count: 1, .. }
    ));
    let actions: Vec<AuditAction> = store
        .audit_for(anna_key)
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect();
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert!(actions.contains(&AuditAction::MessageDelivered));
    assert!(actions.contains(&AuditAction::MessageFailed));
}

fn new_tokens_of_one_user_leave_only_the_latest_usable(mut store: Store) {
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let anna = Email::parse("anna@company.se").unwrap();
    let anna_key = store.write(|tx| tx.insert_user(&user("1"), 0)).unwrap();
    // Tokens: two new ones for the same user leave only the later usable,
    // and an older one is superseded.
    let token = |n: u8| NewToken {
        hash: [n; 32],
        key: anna_key,
        email_key: anna.key().to_owned(),
        expires_at: now + jiff::SignedDuration::from_hours(24),
        purpose: if n == 3 {
            TokenPurpose::Relink
        } else {
            TokenPurpose::Verification
        },
    };
    store.write(|tx| tx.issue_tokens(&[token(1)], now)).unwrap();
    let later = now + jiff::SignedDuration::from_secs(1);
    store
        .write(|tx| tx.issue_tokens(&[token(2), token(3)], later))
        .unwrap();
    let superseded = |n: u8| store.token(&[n; 32]).unwrap().unwrap().superseded_at;
    assert_eq!(superseded(1), Some(later));
    assert_eq!(superseded(2), Some(later));
    assert_eq!(superseded(3), None);
    // Each keeps its purpose (a relink invitation works only on its page).
    assert_eq!(
        store.token(&[3; 32]).unwrap().unwrap().purpose,
        TokenPurpose::Relink
    );
    assert_eq!(
        store.token(&[1; 32]).unwrap().unwrap().purpose,
        TokenPurpose::Verification
    );
}

fn the_outbox_claims_each_message_once(mut store: Store) {
    use crate::domain::{DeliveryState, MessageKind};
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let to = Email::parse("anna@company.se").unwrap();
    store
        .write(|tx| {
            for n in 0..3 {
                tx.queue_message(
                    MessageKind::Verification,
                    None,
                    &to,
                    &format!("<{n}@x>"),
                    now,
                )?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let lease = now + jiff::SignedDuration::from_secs(30);
    let first = store
        .write(|tx| tx.claim_due("w-1", now, lease, 2))
        .unwrap();
    let second = store
        .write(|tx| tx.claim_due("w-2", now, lease, 5))
        .unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(second.len(), 1);
    assert!(
        first
            .iter()
            .all(|m| m.state == DeliveryState::Sending && m.attempts == 1)
    );
    assert!(!first.iter().any(|m| m.id == second[0].id));
    assert!(
        store
            .write(|tx| tx.mark_handed_over(first[0].id, "w-1"))
            .unwrap()
    );
    assert!(
        !store
            .write(|tx| tx.mark_handed_over(first[0].id, "w-2"))
            .unwrap()
    );
    store
        .write(|tx| tx.record_delivery(first[0].id, DeliveryState::Sent, "250 ok", None, now))
        .unwrap();
    // w-1's lease runs out: its other message goes back, not flagged (never handed over).
    let later = lease + jiff::SignedDuration::from_secs(1);
    assert!(store.has_expired_leases(later).unwrap());
    let (taken, flagged) = store.write(|tx| tx.take_back_expired(later)).unwrap();
    assert_eq!((taken, flagged), (2, 0));
    assert_eq!(store.queued_count().unwrap(), 2);
    let messages = store.outbox(10).unwrap();
    assert_eq!(
        messages
            .iter()
            .filter(|m| m.state == DeliveryState::Sent)
            .count(),
        1
    );
}

/// A lease far ahead (a damaged row, a host whose clock is years off) does
/// not keep a message `sending` for ever: past the longest lease any worker
/// takes, it counts as run out.
fn a_lease_far_in_the_future_is_taken_for_run_out(mut store: Store) {
    use crate::domain::{DeliveryState, MessageKind};
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let to = Email::parse("anna@company.se").unwrap();
    store
        .write(|tx| tx.queue_message(MessageKind::Verification, None, &to, "<far@x>", now))
        .unwrap();
    let year_2286 = Timestamp::from_second(9_999_999_999).unwrap();
    let claimed = store
        .write(|tx| tx.claim_due("w-far", now, year_2286, 10))
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(store.needs_take_back(now, "w-other").unwrap());
    let (taken, _) = store.write(|tx| tx.take_back_expired(now)).unwrap();
    assert_eq!(taken, 1);
    let message = store.outbox(1).unwrap().pop().unwrap();
    assert_eq!(message.state, DeliveryState::Queued);
    // A live lease is left alone.
    let live = now + jiff::SignedDuration::from_secs(30);
    store
        .write(|tx| tx.claim_due("w-live", now, live, 10))
        .unwrap();
    let (taken, _) = store.write(|tx| tx.take_back_expired(now)).unwrap();
    assert_eq!(taken, 0);
}

/// One row the program cannot read (a recipient or a connection address
/// that is not an address, written by hand) is left out: the other users
/// still load, the other messages are still claimed, and the damaged
/// message fails with the reason instead of being claimed for ever.
/// On a shared register `db status` reads only the rows no plain pattern
/// vouches for: an unusual row the program reads is no damage, a damaged
/// one is (the counts as the program's own reading gives them).
fn db_status_tells_unusual_rows_from_damaged_ones(mut store: Store) {
    use crate::domain::{Connection, MessageKind, UserDraft};
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let to = Email::parse("anna@company.se").unwrap();
    // An international domain, capitals, a space in the User-ID, the 31st
    // of a month, a punycode domain.
    let unusual = UserDraft {
        user_id: "A 7".into(),
        first_name: "Ünal".into(),
        email: "Unal.Ozturk@Företaget.se".into(),
        employment_ends: "2027-01-31".into(),
        ..UserDraft::new_user()
    };
    let valid = unusual.validate().unwrap();
    store
        .write(|tx| {
            let key = tx.insert_user(&valid.user, 0)?;
            tx.add_connection(
                key,
                &Connection::Unverified {
                    email: Email::parse("klara.sjöberg@xn--fretaget-n4a.se").unwrap(),
                    sent_count: 0,
                    last_sent_at: None,
                },
                0,
            )?;
            tx.queue_message(MessageKind::Verification, Some(key), &to, "<a@x>", now)?;
            tx.queue_message(MessageKind::Verification, None, &to, "<b@x>", now)?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let damage = |store: &Store| {
        let status = store.status().unwrap();
        (status.damaged_users, status.damaged_messages)
    };
    assert_eq!(damage(&store), (0, 0));
    // A 30th of February; a one-letter top-level domain.
    on_store!(store, db => db.exec(
        "UPDATE users SET employment_ends = 20270230 WHERE user_id = 'A 7'",
        &[],
    ))
    .unwrap();
    on_store!(store, db => db.exec(
        "UPDATE outbox SET recipient = 'anna@company.s' WHERE message_id = '<b@x>'",
        &[],
    ))
    .unwrap();
    assert_eq!(damage(&store), (1, 1));
    assert_eq!(store.load_users().unwrap().len(), 0);
    assert_eq!(store.outbox(10).unwrap().len(), 1);
    // A user whose own row is plain, and whose connection's address is not.
    let plain = UserDraft {
        user_id: "B8".into(),
        ..UserDraft::new_user()
    }
    .validate()
    .unwrap();
    store
        .write(|tx| {
            let key = tx.insert_user(&plain.user, 0)?;
            let email = Email::parse("bo@company.se").unwrap();
            let pending = Connection::Unverified {
                email,
                sent_count: 0,
                last_sent_at: None,
            };
            tx.add_connection(key, &pending, 0)
        })
        .unwrap();
    assert_eq!(damage(&store), (1, 1));
    on_store!(store, db => db.exec(
        "UPDATE connections SET email = 'bo@company.s' WHERE email = 'bo@company.se'",
        &[],
    ))
    .unwrap();
    assert_eq!(damage(&store), (2, 1));
}

fn a_damaged_row_is_left_out_and_never_stops_the_rest(mut store: Store) {
    use crate::domain::{Connection, DeliveryState, MessageKind, UserDraft};
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let to = Email::parse("anna@company.se").unwrap();
    let mut keys = Vec::new();
    for (id, address) in [("1", "one@company.se"), ("2", "two@company.se")] {
        let draft = UserDraft {
            user_id: id.into(),
            first_name: "Test".into(),
            ..UserDraft::new_user()
        };
        let valid = draft.validate().unwrap();
        let key = store
            .write(|tx| {
                let key = tx.insert_user(&valid.user, 0)?;
                tx.add_connection(
                    key,
                    &Connection::Unverified {
                        email: Email::parse(address).unwrap(),
                        sent_count: 0,
                        last_sent_at: None,
                    },
                    0,
                )?;
                Ok::<_, StoreError>(key)
            })
            .unwrap();
        keys.push(key);
    }
    store
        .write(|tx| {
            tx.queue_message(MessageKind::Verification, None, &to, "<good@x>", now)?;
            tx.queue_message(MessageKind::Verification, None, &to, "<bad@x>", now)?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
    on_store!(store, db => db.exec(
        "UPDATE outbox SET recipient = 'not an address' WHERE message_id = '<bad@x>'",
        &[],
    ))
    .unwrap();
    on_store!(store, db => db.exec(
        "UPDATE connections SET email = 'broken' WHERE user_key = ?1",
        params![keys[0].0],
    ))
    .unwrap();

    let status = store.status().unwrap();
    assert_eq!(
        (status.damaged_users, status.damaged_messages),
        (1, 1),
        "db status counts the rows that cannot be read"
    );
    let users = store.load_users().unwrap();
    assert_eq!(users.len(), 1, "the readable user still loads");
    assert_eq!(users[0].key, keys[1]);
    assert_eq!(
        store.outbox(10).unwrap().len(),
        1,
        "the listing still works"
    );
    let lease = now + jiff::SignedDuration::from_secs(30);
    let claimed = store
        .write(|tx| tx.claim_due("w-1", now, lease, 10))
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].message_id, "<good@x>");
    let failed = on_store!(store, db => db.fetch_int(
        "SELECT count(*) FROM outbox WHERE state = 'failed' AND owner IS NULL",
        &[],
    ))
    .unwrap();
    assert_eq!(failed, 1, "the damaged message failed with the reason");
    let again = store
        .write(|tx| tx.claim_due("w-2", now, lease, 10))
        .unwrap();
    assert!(again.is_empty());
    assert_eq!(claimed[0].state, DeliveryState::Sending);
}

on_both_backends!(
    the_outbox_claims_each_message_once,
    a_lease_far_in_the_future_is_taken_for_run_out,
    a_damaged_row_is_left_out_and_never_stops_the_rest,
    db_status_tells_unusual_rows_from_damaged_ones,
    a_group_of_answers_is_recorded_as_one_call_per_answer_would,
    new_tokens_of_one_user_leave_only_the_latest_usable,
    a_group_commit_records_flags_counts_audits_and_marks_at_once,
);
