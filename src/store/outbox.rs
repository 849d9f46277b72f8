//! The outbox: queueing messages, claiming due ones for the worker, and
//! recording each server answer.
//!
//! Here: reading the outbox, claiming and recording. Putting messages in
//! and taking them out is `queue`, the workers and their leases `leases`.

use jiff::Timestamp;

use crate::domain::{
    AuditEntry, DeliveryState, Email, MessageKind, OutboxId, OutboxMessage, UserKey,
};

use super::db::{Param, RowRead, Sql, params};
use super::{Store, StoreError, WriteTx, on_store, on_tx};

mod leases;
pub(super) mod queue;

pub use leases::WorkerRow;
pub(super) use leases::lease_bounds;

const COLUMNS: &str = "id, message_id, kind, user_key, recipient, state, attempts,
        next_attempt_at_ms, last_result, possible_duplicate, created_at_ms, sent_at_ms";

pub(super) const SELECT: &str = "SELECT id, message_id, kind, user_key, recipient, state, attempts,
        next_attempt_at_ms, last_result, possible_duplicate, created_at_ms, sent_at_ms
    FROM outbox";

/// A server answer to record: the message's new state.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// The message.
    pub id: OutboxId,
    /// Sent, queued again or failed.
    pub state: DeliveryState,
    /// The server's answer, or why it failed.
    pub result: String,
    /// When to try again, for a message queued again.
    pub next_attempt_at: Option<Timestamp>,
    /// The content went out and the answer was lost: the server may have it.
    pub possible_duplicate: bool,
}

/// A server answer with what follows from it once it is recorded.
#[derive(Clone, Debug)]
pub struct AnswerRecord {
    /// The message's new state.
    pub delivery: Delivery,
    /// The server took the message: if another worker holds it by now (this
    /// worker's lease ran out), it is flagged as a possible duplicate.
    pub delivered: bool,
    /// A verification went out: this user's count of them grows (the key
    /// and the address key).
    pub counts_for: Option<(UserKey, String)>,
    /// The audit row of the outcome.
    pub audit: Option<AuditEntry>,
}

/// One group commit of the outbox worker on a shared register: answers
/// recorded, taken-back messages flagged, verification counts, audit rows
/// and hand-over marks, all in one statement (atomic without a transaction).
pub(super) const GROUP_COMMIT: &str = "WITH v AS (
    SELECT * FROM unnest(?1::bigint[], ?2::text[], ?3::text[], ?4::bigint[], ?5::bigint[],
        ?6::bigint[], ?7::bigint[], ?8::text[], ?9::bigint[], ?10::text[], ?11::text[],
        ?12::bigint[], ?13::text[], ?14::text[], ?15::text[]) WITH ORDINALITY
    AS v(id, state, result, next_ms, duplicate, delivered, count_key, count_email,
        a_at, a_actor, a_action, a_user_key, a_user_id, a_before, a_after, ord)
),
recorded AS (
    UPDATE outbox SET state = v.state, last_result = v.result,
        next_attempt_at_ms = coalesce(v.next_ms, outbox.next_attempt_at_ms),
        sent_at_ms = CASE WHEN v.state = 'sent' THEN ?16 ELSE outbox.sent_at_ms END,
        possible_duplicate = greatest(outbox.possible_duplicate, v.duplicate),
        owner = NULL, lease_until_ms = NULL, handed_over = 0
    -- The owner is compared with IS NOT DISTINCT FROM, which no index
    -- answers, so each message is found by its key: with `owner = …` the
    -- planner, on statistics a bulk send has outrun, walked every message
    -- the worker ever held through outbox_by_owner (dead entries too).
    FROM v WHERE outbox.id = v.id AND outbox.owner IS NOT DISTINCT FROM ?17
    RETURNING outbox.id
),
taken_back AS (
    UPDATE outbox SET possible_duplicate = 1
    FROM v WHERE outbox.id = v.id AND v.delivered = 1
        AND outbox.owner IS DISTINCT FROM ?17
),
counted AS (
    UPDATE connections SET sent_count = sent_count + c.times, last_sent_at_ms = ?16
    FROM (SELECT v.count_key, v.count_email, count(*) AS times
          FROM v JOIN recorded r ON r.id = v.id
          WHERE v.count_key IS NOT NULL
          GROUP BY v.count_key, v.count_email) AS c
    WHERE connections.user_key = c.count_key AND connections.email_key = c.count_email
        AND connections.state = 'unverified'
),
audited AS (
    INSERT INTO audit (at_ms, actor, action, user_key, user_id, before, after)
    SELECT v.a_at, v.a_actor, v.a_action, v.a_user_key, v.a_user_id, v.a_before, v.a_after
    FROM v JOIN recorded r ON r.id = v.id
    WHERE v.a_action IS NOT NULL
    ORDER BY v.ord
),
marked AS (
    -- Joined by key, not `id = ANY(…)`, and the owner and state compared
    -- as no index can answer (as in `recorded`): on statistics a bulk send
    -- has outrun, the planner otherwise scanned every message the worker
    -- holds or held (outbox_by_owner and outbox_sending together), 1.7 ms
    -- of a 2.3 ms commit.
    UPDATE outbox SET handed_over = 1
    FROM unnest(?18::bigint[]) AS m(id)
    WHERE outbox.id = m.id AND outbox.owner IS NOT DISTINCT FROM ?17
        AND outbox.state IS NOT DISTINCT FROM 'sending'
    RETURNING outbox.id
)
SELECT id FROM marked";

/// Where the messages of one bulk send stand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchCounts {
    /// Accepted by the mail server.
    pub sent: usize,
    /// Refused, or given up on.
    pub failed: usize,
    /// Queued or being sent.
    pub waiting: usize,
    /// Not sent: cancelled (by Cancel, or by a later change).
    pub cancelled: usize,
}

/// A message to queue for a user.
#[derive(Clone, Copy, Debug)]
pub struct NewMessage<'a> {
    /// Verification or password reset.
    pub kind: MessageKind,
    /// The user it is for.
    pub user_key: UserKey,
    /// Where it goes.
    pub recipient: &'a Email,
    /// Its `Message-ID` header.
    pub message_id: &'a str,
}

fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

pub(super) fn message_from_row(row: &dyn RowRead) -> Result<OutboxMessage, StoreError> {
    let kind = row.text(2)?;
    let recipient = row.text(4)?;
    let state = row.text(5)?;
    Ok(OutboxMessage {
        id: OutboxId(row.int(0)?),
        message_id: row.text(1)?,
        kind: MessageKind::from_code(&kind).ok_or_else(|| StoreError::bad_value(2, &kind))?,
        user_key: row.opt_int(3)?.map(UserKey),
        recipient: Email::parse(&recipient).map_err(|e| StoreError::bad_value(4, e))?,
        state: DeliveryState::from_code(&state).ok_or_else(|| StoreError::bad_value(5, &state))?,
        attempts: u32::try_from(row.int(6)?).unwrap_or(u32::MAX),
        next_attempt_at: timestamp(row.int(7)?),
        last_result: row.opt_text(8)?,
        possible_duplicate: row.flag(9)?,
        created_at: timestamp(row.int(10)?),
        sent_at: row.opt_int(11)?.map(timestamp),
    })
}

fn query(db: &impl Sql, sql: &str, params: &[Param<'_>]) -> Result<Vec<OutboxMessage>, StoreError> {
    // A damaged message row is left out (and named in the log): it never
    // stops the listing or the delivery of the others.
    Ok(db
        .fetch(sql, params, super::db::readable("outbox", message_from_row))?
        .into_iter()
        .flatten()
        .collect())
}

fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

impl Store {
    /// Records `answers` and marks `handing_over` handed over, as one atomic
    /// change; returns the messages marked (those `owner` still holds). On a
    /// shared register this is one statement, one round trip: the worker's
    /// SMTP sessions wait for it before each message's content goes out.
    pub fn commit_outbox_group(
        &mut self,
        owner: &str,
        answers: &[AnswerRecord],
        handing_over: &[OutboxId],
        now: Timestamp,
    ) -> Result<Vec<OutboxId>, StoreError> {
        if answers.is_empty() && handing_over.is_empty() {
            return Ok(Vec::new());
        }
        if let super::Backend::Postgres(pg) = &self.backend {
            return group_commit_on_postgres(&pg.sql(), owner, answers, handing_over, now);
        }
        // SQLite: one transaction of single statements (no round trips).
        self.write_outbox(|tx| {
            for answer in answers {
                let delivery = &answer.delivery;
                if tx.message_owner(delivery.id)?.as_deref() != Some(owner) {
                    // Taken back meanwhile: its new owner records its own try.
                    if answer.delivered {
                        tx.flag_possible_duplicate(delivery.id)?;
                    }
                    continue;
                }
                if delivery.possible_duplicate {
                    tx.flag_possible_duplicate(delivery.id)?;
                }
                tx.record_delivery(
                    delivery.id,
                    delivery.state,
                    &delivery.result,
                    delivery.next_attempt_at,
                    now,
                )?;
                if let Some((key, email_key)) = &answer.counts_for {
                    tx.count_verification_sent(*key, email_key, now)?;
                }
                if let Some(audit) = &answer.audit {
                    tx.append_audit(audit)?;
                }
            }
            let mut marked = Vec::with_capacity(handing_over.len());
            for &id in handing_over {
                if tx.mark_handed_over(id, owner)? {
                    marked.push(id);
                }
            }
            Ok(marked)
        })
    }

    /// The newest messages first, at most `limit`.
    pub fn outbox(&self, limit: usize) -> Result<Vec<OutboxMessage>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        on_store!(self, db => query(db, &format!("{SELECT} ORDER BY id DESC LIMIT ?1"), params![limit]))
    }

    /// One user's newest message, if any.
    pub fn last_message_for(&self, key: UserKey) -> Result<Option<OutboxMessage>, StoreError> {
        let sql = format!("{SELECT} WHERE user_key = ?1 ORDER BY id DESC LIMIT 1");
        Ok(on_store!(self, db => query(db, &sql, params![key.0]))?.pop())
    }

    /// The registered workers, oldest first.
    pub fn workers(&self) -> Result<Vec<WorkerRow>, StoreError> {
        on_store!(self, db => db.fetch(
            "SELECT id, pid, host, started_at_ms, heartbeat_at_ms, lease_until_ms
             FROM workers ORDER BY started_at_ms, id",
            &[],
            |r| {
                Ok(WorkerRow {
                    id: r.text(0)?,
                    pid: r.int(1)?,
                    host: r.text(2)?,
                    started_at: timestamp(r.int(3)?),
                    heartbeat_at: timestamp(r.int(4)?),
                    lease_until: timestamp(r.int(5)?),
                })
            },
        ))
    }

    /// Users with a verification that still waits to go out (queued or being sent).
    pub fn users_with_waiting_verification(
        &self,
    ) -> Result<std::collections::HashSet<UserKey>, StoreError> {
        let keys = on_store!(self, db => db.fetch(
            "SELECT DISTINCT user_key FROM outbox WHERE kind = 'verification'
             AND state IN ('queued', 'sending') AND user_key IS NOT NULL",
            &[],
            |r| r.int(0).map(UserKey),
        ))?;
        Ok(keys.into_iter().collect())
    }

    /// Messages of one bulk send that are being sent or due now: zero once
    /// every one was tried and what is left waits for a later retry.
    pub fn batch_due_count(&self, batch: &str, now: Timestamp) -> Result<usize, StoreError> {
        on_store!(self, db => db.fetch_int(
            "SELECT count(*) FROM outbox WHERE batch = ?1
             AND (state = 'sending' OR (state = 'queued' AND next_attempt_at_ms <= ?2))",
            params![batch, now.as_millisecond()],
        ))
        .map(count)
    }

    /// True when some message being sent is held under a lease that has run
    /// out, or some worker's lease has: a cheap read before taking them back.
    pub fn has_expired_leases(&self, now: Timestamp) -> Result<bool, StoreError> {
        on_store!(self, db => db.fetch_int(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE state = 'sending'
                    AND (lease_until_ms IS NULL OR lease_until_ms <= ?1))
                 OR EXISTS (SELECT 1 FROM workers WHERE lease_until_ms <= ?1)",
            params![now.as_millisecond()],
        ))
        .map(|found| found != 0)
    }

    /// True when something is to be taken back: a message or worker whose
    /// lease ran out, or a message `own` still holds although its round is
    /// over (the round broke off: the register went away mid-send). A cheap
    /// read before [`WriteTx::take_back_own`] and [`WriteTx::take_back_expired`].
    pub fn needs_take_back(&self, now: Timestamp, own: &str) -> Result<bool, StoreError> {
        on_store!(self, db => db.fetch_int(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE state = 'sending'
                    AND (lease_until_ms IS NULL OR lease_until_ms <= ?1 OR lease_until_ms > ?3
                         OR owner = ?2))
                 OR EXISTS (SELECT 1 FROM workers WHERE lease_until_ms <= ?1 OR lease_until_ms > ?3)
                 OR EXISTS (SELECT 1 FROM idp_accounts WHERE owner IS NOT NULL
                    AND (lease_until_ms IS NULL OR lease_until_ms <= ?1 OR lease_until_ms > ?3
                         OR owner = ?2))",
            params![lease_bounds(now).0, own, lease_bounds(now).1],
        ))
        .map(|found| found != 0)
    }

    /// How many messages are being sent (claimed by a worker).
    pub fn sending_count(&self) -> Result<usize, StoreError> {
        on_store!(self, db => db.fetch_int(
            "SELECT count(*) FROM outbox WHERE state = 'sending'",
            &[],
        ))
        .map(count)
    }

    /// The messages of one bulk send.
    pub fn batch_messages(&self, batch: &str) -> Result<Vec<OutboxMessage>, StoreError> {
        on_store!(self, db => query(db, &format!("{SELECT} WHERE batch = ?1 ORDER BY id"), params![batch]))
    }

    /// Sent, failed, still waiting and cancelled messages of one bulk send.
    pub fn batch_counts(&self, batch: &str) -> Result<BatchCounts, StoreError> {
        let counts = on_store!(self, db => db.fetch_opt(
            "SELECT count(*) FILTER (WHERE state = 'sent'),
                    count(*) FILTER (WHERE state = 'failed'),
                    count(*) FILTER (WHERE state IN ('queued', 'sending')),
                    count(*) FILTER (WHERE state = 'cancelled')
             FROM outbox WHERE batch = ?1",
            params![batch],
            |r| Ok(BatchCounts {
                sent: count(r.int(0)?),
                failed: count(r.int(1)?),
                waiting: count(r.int(2)?),
                cancelled: count(r.int(3)?),
            }),
        ))?;
        Ok(counts.unwrap_or_default())
    }

    /// How many messages wait to be sent.
    pub fn queued_count(&self) -> Result<usize, StoreError> {
        on_store!(self, db => db.fetch_int(
            "SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')",
            &[],
        ))
        .map(count)
    }
}

impl WriteTx<'_> {
    /// Takes up to `limit` due messages for sending: each becomes `sending`
    /// with one more attempt counted, owned by `owner` until `lease_until`.
    /// On PostgreSQL rows another worker is claiming are skipped, not waited for.
    pub fn claim_due(
        &self,
        owner: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let lock = if self.is_postgres() {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        // One statement takes them all: the claim is as quick for 200 as for one.
        let claim = claim_sql(lock);
        let rows = on_tx!(self, db => db.fetch(
            &claim,
            params![now.as_millisecond(), limit, owner, lease_until.as_millisecond()],
            super::db::readable("outbox", message_from_row),
        ))?;
        let damaged = rows.iter().any(Option::is_none);
        let mut claimed: Vec<OutboxMessage> = rows.into_iter().flatten().collect();
        if damaged {
            // A row that cannot be read fails at once with the reason, so it
            // is never claimed again and never holds up the others.
            let readable: Vec<i64> = claimed.iter().map(|m| m.id.0).collect();
            let list = readable
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let keep = if list.is_empty() {
                String::new()
            } else {
                format!(" AND id NOT IN ({list})")
            };
            on_tx!(self, db => db.exec(
                &format!(
                    "UPDATE outbox SET state = 'failed', owner = NULL, lease_until_ms = NULL,
                        last_result = 'not sent: the stored message is damaged and cannot be read'
                     WHERE owner = ?1 AND state = 'sending'{keep}"
                ),
                params![owner],
            ))?;
        }
        claimed.sort_by_key(|m| (m.next_attempt_at, m.id));
        Ok(claimed)
    }

    /// Records the outcome of a try; the message has no owner any more.
    pub fn record_delivery(
        &self,
        id: OutboxId,
        state: DeliveryState,
        result: &str,
        next_attempt_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        on_tx!(self, db => db.exec(
            "UPDATE outbox SET state = ?2, last_result = ?3,
                next_attempt_at_ms = coalesce(?4, next_attempt_at_ms),
                sent_at_ms = CASE WHEN ?2 = 'sent' THEN ?5 ELSE sent_at_ms END,
                owner = NULL, lease_until_ms = NULL, handed_over = 0
             WHERE id = ?1",
            params![
                id,
                state.code(),
                result,
                next_attempt_at.map(Timestamp::as_millisecond),
                now.as_millisecond()
            ],
        ))?;
        Ok(())
    }

    /// Cancels a user's queued messages of one kind (a newer one replaces them).
    pub fn cancel_queued(
        &self,
        key: UserKey,
        kind: MessageKind,
        reason: &str,
    ) -> Result<(), StoreError> {
        let params = params![key.0, kind.code(), reason];
        // Nothing is read back: on a shared register it goes with the next
        // round trip.
        if !self.hold(CANCEL_QUEUED, params, || None)? {
            on_tx!(self, db => db.exec(CANCEL_QUEUED, params))?;
        }
        Ok(())
    }

    /// Puts a claimed message that was never handed over back in the queue,
    /// as it was.
    pub fn unclaim(&self, id: OutboxId) -> Result<(), StoreError> {
        on_tx!(self, db => db.exec(
            "UPDATE outbox SET state = 'queued', attempts = greatest(attempts - 1, 0),
                owner = NULL, lease_until_ms = NULL, handed_over = 0
             WHERE id = ?1 AND state = 'sending' AND handed_over = 0",
            params![id],
        ))?;
        Ok(())
    }

    /// Tags a message with the bulk send it belongs to.
    pub fn set_message_batch(&self, id: OutboxId, batch: &str) -> Result<(), StoreError> {
        on_tx!(self, db => db.exec(
            "UPDATE outbox SET batch = ?2 WHERE id = ?1",
            params![id, batch],
        ))?;
        Ok(())
    }

    /// The worker that holds a message being sent, if any.
    pub fn message_owner(&self, id: OutboxId) -> Result<Option<String>, StoreError> {
        Ok(on_tx!(self, db => db.fetch_opt(
            "SELECT owner FROM outbox WHERE id = ?1",
            params![id],
            |r| r.opt_text(0),
        ))?
        .flatten())
    }

    /// Flags a message whose server answer was lost: the server may have it.
    pub fn flag_possible_duplicate(&self, id: OutboxId) -> Result<(), StoreError> {
        on_tx!(self, db => db.exec(
            "UPDATE outbox SET possible_duplicate = 1 WHERE id = ?1",
            params![id],
        ))?;
        Ok(())
    }

    /// Notes that the message's content is about to go to the server (DATA
    /// was accepted). False when `owner` no longer holds it (its lease ran
    /// out and another worker took it back): then it must not be sent.
    pub fn mark_handed_over(&self, id: OutboxId, owner: &str) -> Result<bool, StoreError> {
        let changed = on_tx!(self, db => db.exec(
            "UPDATE outbox SET handed_over = 1
             WHERE id = ?1 AND owner = ?2 AND state = 'sending'",
            params![id, owner],
        ))?;
        Ok(changed == 1)
    }

    /// One message by row id, as this transaction sees it.
    pub fn message(&self, id: OutboxId) -> Result<Option<OutboxMessage>, StoreError> {
        Ok(on_tx!(self, db => query(db, &format!("{SELECT} WHERE id = ?1"), params![id]))?.pop())
    }
}

/// [`Store::commit_outbox_group`] on a shared register: [`GROUP_COMMIT`].
fn group_commit_on_postgres(
    db: &super::db::PgSql<'_, postgres::Client>,
    owner: &str,
    answers: &[AnswerRecord],
    handing_over: &[OutboxId],
    now: Timestamp,
) -> Result<Vec<OutboxId>, StoreError> {
    let column = |f: &dyn Fn(&AnswerRecord) -> Option<i64>| -> Vec<Option<i64>> {
        answers.iter().map(f).collect()
    };
    let text = |f: &dyn Fn(&AnswerRecord) -> Option<&str>| -> Vec<Option<&str>> {
        answers.iter().map(f).collect()
    };
    let ids = column(&|a| Some(a.delivery.id.0));
    let handing_over: Vec<i64> = handing_over.iter().map(|id| id.0).collect();
    let states = text(&|a| Some(a.delivery.state.code()));
    let results = text(&|a| Some(a.delivery.result.as_str()));
    let next = column(&|a| a.delivery.next_attempt_at.map(Timestamp::as_millisecond));
    let duplicate = column(&|a| Some(i64::from(a.delivery.possible_duplicate)));
    let delivered = column(&|a| Some(i64::from(a.delivered)));
    let count_key = column(&|a| a.counts_for.as_ref().map(|(k, _)| k.0));
    let count_email = text(&|a| a.counts_for.as_ref().map(|(_, e)| e.as_str()));
    let at = column(&|a| a.audit.as_ref().map(|e| e.at.as_millisecond()));
    let actor = text(&|a| a.audit.as_ref().map(|e| e.actor.as_str()));
    let action = text(&|a| a.audit.as_ref().map(|e| e.action.code()));
    let user_key = column(&|a| a.audit.as_ref().and_then(|e| e.user_key.map(|k| k.0)));
    let user_id = text(&|a| a.audit.as_ref().map(|e| e.user_id.as_str()));
    let before = text(&|a| a.audit.as_ref().and_then(|e| e.before.as_deref()));
    let after = text(&|a| a.audit.as_ref().and_then(|e| e.after.as_deref()));
    let now_ms = now.as_millisecond();
    db.fetch_typed(
        GROUP_COMMIT,
        &[
            &ids,
            &states,
            &results,
            &next,
            &duplicate,
            &delivered,
            &count_key,
            &count_email,
            &at,
            &actor,
            &action,
            &user_key,
            &user_id,
            &before,
            &after,
            &now_ms,
            &owner,
            &handing_over,
        ],
        |r| r.int(0).map(OutboxId),
    )
}

/// The claim of [`WriteTx::claim_due`]: due messages `?1`, at most `?2`,
/// for owner `?3` until `?4`, read in order through `outbox_due`.
pub(crate) fn claim_sql(lock: &str) -> String {
    format!(
        "UPDATE outbox SET state = 'sending', attempts = attempts + 1, owner = ?3,
            lease_until_ms = ?4, handed_over = 0
         WHERE id IN (SELECT id FROM outbox
             WHERE state = 'queued' AND next_attempt_at_ms <= ?1
             ORDER BY next_attempt_at_ms, id LIMIT ?2{lock})
         RETURNING {COLUMNS}"
    )
}

/// Cancels a user's queued messages of one kind, with the reason.
const CANCEL_QUEUED: &str = "UPDATE outbox SET state = 'cancelled', last_result = ?3
     WHERE user_key = ?1 AND kind = ?2 AND state = 'queued'";
