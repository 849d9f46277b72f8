//! The recorder: one thread that commits what every SMTP session handed in
//! (marks and answers) in one transaction per group, in order.

use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, mpsc};

use jiff::{SignedDuration, Timestamp};

use crate::domain::outbox::AfterFailure;
use crate::domain::{
    AuditAction, AuditEntry, Clock, DeliveryState, MessageKind, OutboxId, OutboxMessage,
};
use crate::mail::SendFailure;
use crate::store::{AnswerRecord, Delivery, Store};

use super::{WORKER_ACTOR, WorkerOptions, lock, with_retry};

/// What the thread that records the sessions' steps needs.
pub(super) struct Recorder<'a> {
    pub(super) store: &'a Mutex<Store>,
    pub(super) owner: &'a str,
    pub(super) clock: &'a Clock,
    pub(super) options: &'a WorkerOptions,
    pub(super) stopping: &'a AtomicBool,
}

impl Recorder<'_> {
    /// Commits the sessions' steps in groups until every session is done,
    /// and tells each session whether its step went through. After each
    /// group, `after_group` is told whether a group could not be written
    /// (the round's feed is topped up there).
    pub(super) fn commit_steps(
        &self,
        asked: &mpsc::Receiver<(Step, Option<mpsc::Sender<bool>>)>,
        after_group: &mut dyn FnMut(bool),
    ) {
        // Once a group could not be written, no further content goes out in
        // this round: an unrecorded answer must stay the session's only one.
        let mut failed = false;
        while let Ok(first) = asked.recv() {
            let mut group = vec![first];
            group.extend(asked.try_iter());
            let now = (self.clock)();
            let handing_over: Vec<OutboxId> = group
                .iter()
                .filter_map(|(step, _)| match step {
                    Step::HandOver(id) if !failed => Some(*id),
                    _ => None,
                })
                .collect();
            let answers: Vec<AnswerRecord> = group
                .iter()
                .filter_map(|(step, _)| match step {
                    Step::Record(answer) => Some(answer_record(now, self.options, answer)),
                    Step::HandOver(_) => None,
                })
                .collect();
            // The whole group at once: on a shared register one statement.
            let committed = with_retry(self.stopping, || {
                lock(self.store).commit_outbox_group(self.owner, &answers, &handing_over, now)
            })
            .map(|marked| {
                group
                    .iter()
                    .map(|(step, _)| match step {
                        Step::HandOver(id) => marked.contains(id),
                        Step::Record(_) => true,
                    })
                    .collect::<Vec<bool>>()
            });
            let answers = committed.unwrap_or_else(|error| {
                // Nothing of the group was written: no content goes out for
                // a hand-over; an unrecorded answer stays `sending` under
                // this worker's lease and is taken back (flagged) after it.
                tracing::error!("recording deliveries failed: {error}");
                failed = true;
                vec![false; group.len()]
            });
            for ((_, reply), answer) in group.into_iter().zip(answers) {
                if let Some(reply) = reply {
                    let _ = reply.send(answer);
                }
            }
            after_group(failed);
        }
    }
}

/// One server answer.
pub(super) type Answer = (Box<OutboxMessage>, Result<String, SendFailure>);

/// What a session asks the register to record.
pub(super) enum Step {
    /// The message's content is about to go out.
    HandOver(OutboxId),
    /// The server's answer to it.
    Record(Answer),
}

/// What recording one server answer writes: the message's new state, its
/// verification count and audit row (the store writes them only while this
/// worker still holds the message), and the duplicate flag.
pub(super) fn answer_record(
    now: Timestamp,
    options: &WorkerOptions,
    answer: &Answer,
) -> AnswerRecord {
    let (message, result) = answer;
    let kind = message.kind;
    let audit = |action, words: &str| {
        AuditEntry::new(now, WORKER_ACTOR, action)
            .about_key(message.user_key)
            .after(
                serde_json::json!({
                    "message_id": message.message_id,
                    "kind": kind.code(),
                    "to": message.recipient.masked(),
                    "result": words,
                })
                .to_string(),
            )
    };
    // The content went out and the answer did not come back: the next try
    // may deliver it a second time.
    let possible_duplicate = matches!(&result, Err(failure) if failure.answer_lost);
    let delivery = |state, result: &str, next_attempt_at| Delivery {
        id: message.id,
        state,
        result: result.to_owned(),
        next_attempt_at,
        possible_duplicate,
    };
    match result {
        Ok(reply) => AnswerRecord {
            delivery: delivery(DeliveryState::Sent, reply, None),
            delivered: true,
            counts_for: match (kind, message.user_key) {
                (MessageKind::Verification, Some(key)) => {
                    Some((key, message.recipient.key().to_owned()))
                }
                _ => None,
            },
            audit: Some(audit(AuditAction::MessageDelivered, reply)),
        },
        Err(failure) => {
            if let AfterFailure::RetryIn(pause) = options
                .retry_rule()
                .after_failure(message.attempts, failure.transient)
            {
                let next = now + SignedDuration::try_from(pause).unwrap_or_default();
                return AnswerRecord {
                    delivery: delivery(DeliveryState::Queued, &failure.reply, Some(next)),
                    delivered: false,
                    counts_for: None,
                    audit: None,
                };
            }
            let words = if failure.transient {
                format!(
                    "gave up after {} tries: {}",
                    message.attempts, failure.reply
                )
            } else {
                failure.reply.clone()
            };
            AnswerRecord {
                delivery: delivery(DeliveryState::Failed, &words, None),
                delivered: false,
                counts_for: None,
                audit: Some(audit(AuditAction::MessageFailed, &words)),
            }
        }
    }
}
