//! The outbox: queueing messages, claiming due ones for the worker, and
//! recording each server answer.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension as _, Row, params};

use super::{Store, StoreError, WriteTx};
use crate::domain::{DeliveryState, Email, MessageKind, OutboxMessage, UserKey};

const SELECT: &str = "SELECT id, message_id, kind, user_key, recipient, state, attempts,
        next_attempt_at_ms, last_result, possible_duplicate, created_at_ms, sent_at_ms
    FROM outbox";

/// A worker that delivers the outbox: its process and lease.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerRow {
    /// Random id, also the owner of the messages it sends.
    pub id: String,
    /// The process id.
    pub pid: i64,
    /// The host the process runs on.
    pub host: String,
    /// When it started.
    pub started_at: Timestamp,
    /// Its last heartbeat.
    pub heartbeat_at: Timestamp,
    /// Until when it is taken for alive without another heartbeat.
    pub lease_until: Timestamp,
}

fn conversion(column: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, message.into())
}

fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn message_from_row(row: &Row<'_>) -> rusqlite::Result<OutboxMessage> {
    let kind: String = row.get(2)?;
    let recipient: String = row.get(4)?;
    let state: String = row.get(5)?;
    Ok(OutboxMessage {
        id: row.get(0)?,
        message_id: row.get(1)?,
        kind: MessageKind::from_code(&kind).ok_or_else(|| conversion(2, kind.clone()))?,
        user_key: row.get::<_, Option<i64>>(3)?.map(UserKey),
        recipient: Email::parse(&recipient).map_err(|e| conversion(4, e.to_string()))?,
        state: DeliveryState::from_code(&state).ok_or_else(|| conversion(5, state.clone()))?,
        attempts: row.get(6)?,
        next_attempt_at: timestamp(row.get(7)?),
        last_result: row.get(8)?,
        possible_duplicate: row.get(9)?,
        created_at: timestamp(row.get(10)?),
        sent_at: row.get::<_, Option<i64>>(11)?.map(timestamp),
    })
}

fn query(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let mut statement = conn.prepare_cached(sql)?;
    let rows = statement
        .query_map(params, message_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

impl Store {
    /// The newest messages first, at most `limit`.
    pub fn outbox(&self, limit: usize) -> Result<Vec<OutboxMessage>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        query(
            &self.conn,
            &format!("{SELECT} ORDER BY id DESC LIMIT ?1"),
            [limit],
        )
    }

    /// One user's newest message, if any.
    pub fn last_message_for(&self, key: UserKey) -> Result<Option<OutboxMessage>, StoreError> {
        Ok(query(
            &self.conn,
            &format!("{SELECT} WHERE user_key = ?1 ORDER BY id DESC LIMIT 1"),
            [key.0],
        )?
        .pop())
    }

    /// The registered workers, oldest first.
    pub fn workers(&self) -> Result<Vec<WorkerRow>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT id, pid, host, started_at_ms, heartbeat_at_ms, lease_until_ms
             FROM workers ORDER BY started_at_ms, id",
        )?;
        let rows = statement
            .query_map([], |r| {
                Ok(WorkerRow {
                    id: r.get(0)?,
                    pid: r.get(1)?,
                    host: r.get(2)?,
                    started_at: timestamp(r.get(3)?),
                    heartbeat_at: timestamp(r.get(4)?),
                    lease_until: timestamp(r.get(5)?),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Users with a verification that still waits to go out (queued or being sent).
    pub fn users_with_waiting_verification(
        &self,
    ) -> Result<std::collections::HashSet<UserKey>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT DISTINCT user_key FROM outbox WHERE kind = 'verification'
             AND state IN ('queued', 'sending') AND user_key IS NOT NULL",
        )?;
        let keys = statement
            .query_map([], |r| r.get(0).map(UserKey))?
            .collect::<Result<_, _>>()?;
        Ok(keys)
    }

    /// Messages of one bulk send that are being sent or due now: zero once
    /// every one was tried and what is left waits for a later retry.
    pub fn batch_due_count(&self, batch: &str, now: Timestamp) -> Result<usize, StoreError> {
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM outbox WHERE batch = ?1
             AND (state = 'sending' OR (state = 'queued' AND next_attempt_at_ms <= ?2))",
            params![batch, now.as_millisecond()],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// True when some message being sent is held under a lease that has run
    /// out, or some worker's lease has: a cheap read before taking them back.
    pub fn has_expired_leases(&self, now: Timestamp) -> Result<bool, StoreError> {
        let now = now.as_millisecond();
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE state = 'sending'
                    AND (lease_until_ms IS NULL OR lease_until_ms <= ?1))
                 OR EXISTS (SELECT 1 FROM workers WHERE lease_until_ms <= ?1)",
            [now],
            |r| r.get(0),
        )?)
    }

    /// How many messages are being sent (claimed by a worker).
    pub fn sending_count(&self) -> Result<usize, StoreError> {
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM outbox WHERE state = 'sending'",
            [],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// The messages of one bulk send.
    pub fn batch_messages(&self, batch: &str) -> Result<Vec<OutboxMessage>, StoreError> {
        query(
            &self.conn,
            &format!("{SELECT} WHERE batch = ?1 ORDER BY id"),
            [batch],
        )
    }

    /// Sent, failed (or cancelled) and still waiting messages of one bulk send.
    pub fn batch_counts(&self, batch: &str) -> Result<(usize, usize, usize), StoreError> {
        let (sent, failed, waiting): (i64, i64, i64) = self.conn.query_row(
            "SELECT count(*) FILTER (WHERE state = 'sent'),
                    count(*) FILTER (WHERE state IN ('failed', 'cancelled')),
                    count(*) FILTER (WHERE state IN ('queued', 'sending'))
             FROM outbox WHERE batch = ?1",
            [batch],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let count = |n: i64| usize::try_from(n).unwrap_or(0);
        Ok((count(sent), count(failed), count(waiting)))
    }

    /// How many messages wait to be sent.
    pub fn queued_count(&self) -> Result<usize, StoreError> {
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')",
            [],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(count).unwrap_or(0))
    }
}

impl WriteTx<'_> {
    /// Queues a message; returns its row id.
    pub fn queue_message(
        &self,
        kind: MessageKind,
        user_key: Option<UserKey>,
        recipient: &Email,
        message_id: &str,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO outbox (message_id, kind, user_key, recipient, state,
                    next_attempt_at_ms, created_at_ms)
                 VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?5)",
            )?
            .execute(params![
                message_id,
                kind.code(),
                user_key.map(|k| k.0),
                recipient.as_str(),
                now.as_millisecond()
            ])?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Takes up to `limit` due messages for sending: each becomes `sending`
    /// with one more attempt counted, owned by `owner` until `lease_until`.
    pub fn claim_due(
        &self,
        owner: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let due = query(
            &self.tx,
            &format!(
                "{SELECT} WHERE state = 'queued' AND next_attempt_at_ms <= ?1 ORDER BY next_attempt_at_ms, id LIMIT ?2"
            ),
            params![now.as_millisecond(), limit],
        )?;
        let mut claim = self.tx.prepare_cached(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1, owner = ?2,
                lease_until_ms = ?3, handed_over = 0
             WHERE id = ?1",
        )?;
        for message in &due {
            claim.execute(params![message.id, owner, lease_until.as_millisecond()])?;
        }
        Ok(due
            .into_iter()
            .map(|m| OutboxMessage {
                state: DeliveryState::Sending,
                attempts: m.attempts + 1,
                ..m
            })
            .collect())
    }

    /// Records the outcome of a try; the message has no owner any more.
    pub fn record_delivery(
        &self,
        id: i64,
        state: DeliveryState,
        result: &str,
        next_attempt_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE outbox SET state = ?2, last_result = ?3,
                    next_attempt_at_ms = coalesce(?4, next_attempt_at_ms),
                    sent_at_ms = CASE WHEN ?2 = 'sent' THEN ?5 ELSE sent_at_ms END,
                    owner = NULL, lease_until_ms = NULL, handed_over = 0
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                state.code(),
                result,
                next_attempt_at.map(Timestamp::as_millisecond),
                now.as_millisecond()
            ])?;
        Ok(())
    }

    /// Cancels a user's queued messages of one kind (a newer one replaces them).
    pub fn cancel_queued(
        &self,
        key: UserKey,
        kind: MessageKind,
        reason: &str,
    ) -> Result<usize, StoreError> {
        Ok(self
            .tx
            .prepare_cached(
                "UPDATE outbox SET state = 'cancelled', last_result = ?3
                 WHERE user_key = ?1 AND kind = ?2 AND state = 'queued'",
            )?
            .execute(params![key.0, kind.code(), reason])?)
    }

    /// Puts a claimed message that was never handed over back in the queue,
    /// as it was.
    pub fn unclaim(&self, id: i64) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE outbox SET state = 'queued', attempts = max(attempts - 1, 0),
                owner = NULL, lease_until_ms = NULL, handed_over = 0
             WHERE id = ?1 AND state = 'sending' AND handed_over = 0",
            [id],
        )?;
        Ok(())
    }

    /// Tags a message with the bulk send it belongs to.
    pub fn set_message_batch(&self, id: i64, batch: &str) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE outbox SET batch = ?2 WHERE id = ?1",
            params![id, batch],
        )?;
        Ok(())
    }

    /// The worker that holds a message being sent, if any.
    pub fn message_owner(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .tx
            .query_row("SELECT owner FROM outbox WHERE id = ?1", [id], |r| r.get(0))
            .optional()?
            .flatten())
    }

    /// Flags a message whose server answer was lost: the server may have it.
    pub fn flag_possible_duplicate(&self, id: i64) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE outbox SET possible_duplicate = 1 WHERE id = ?1",
            [id],
        )?;
        Ok(())
    }

    /// Notes that the message's content is about to go to the server (DATA
    /// was accepted). False when `owner` no longer holds it (its lease ran
    /// out and another worker took it back): then it must not be sent.
    pub fn mark_handed_over(&self, id: i64, owner: &str) -> Result<bool, StoreError> {
        let changed = self
            .tx
            .prepare_cached(
                "UPDATE outbox SET handed_over = 1
                 WHERE id = ?1 AND owner = ?2 AND state = 'sending'",
            )?
            .execute(params![id, owner])?;
        Ok(changed == 1)
    }

    /// Registers a worker with its lease.
    pub fn register_worker(&self, worker: &WorkerRow) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO workers (id, pid, host, started_at_ms, heartbeat_at_ms, lease_until_ms)
             VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
            params![
                worker.id,
                worker.pid,
                worker.host,
                worker.started_at.as_millisecond(),
                worker.lease_until.as_millisecond()
            ],
        )?;
        Ok(())
    }

    /// Renews a worker's lease and that of every message it is sending.
    /// False when the worker's row is gone (it was taken for dead).
    pub fn renew_lease(
        &self,
        worker: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<bool, StoreError> {
        let found = self
            .tx
            .prepare_cached(
                "UPDATE workers SET heartbeat_at_ms = ?2, lease_until_ms = ?3 WHERE id = ?1",
            )?
            .execute(params![
                worker,
                now.as_millisecond(),
                lease_until.as_millisecond()
            ])?;
        self.tx
            .prepare_cached(
                "UPDATE outbox SET lease_until_ms = ?2 WHERE owner = ?1 AND state = 'sending'",
            )?
            .execute(params![worker, lease_until.as_millisecond()])?;
        Ok(found == 1)
    }

    /// Ends a worker's lease now (it stopped, or its process is gone).
    pub fn end_lease(&self, worker: &str) -> Result<(), StoreError> {
        self.tx
            .execute("DELETE FROM workers WHERE id = ?1", [worker])?;
        self.tx.execute(
            "UPDATE outbox SET lease_until_ms = 0 WHERE owner = ?1 AND state = 'sending'",
            [worker],
        )?;
        Ok(())
    }

    /// Takes back messages whose owner's lease ran out: queued again, and
    /// flagged as possible duplicates only if their content had gone to the
    /// server. Messages of live workers are left alone. Returns how many
    /// were taken back and how many of them were flagged.
    pub fn take_back_expired(&self, now: Timestamp) -> Result<(usize, usize), StoreError> {
        let now = now.as_millisecond();
        let flagged = self.tx.execute(
            "UPDATE outbox SET state = 'queued', possible_duplicate = 1, owner = NULL,
                lease_until_ms = NULL, handed_over = 0
             WHERE state = 'sending' AND handed_over = 1
               AND (lease_until_ms IS NULL OR lease_until_ms <= ?1)",
            [now],
        )?;
        let untouched = self.tx.execute(
            "UPDATE outbox SET state = 'queued', attempts = max(attempts - 1, 0), owner = NULL,
                lease_until_ms = NULL
             WHERE state = 'sending' AND handed_over = 0
               AND (lease_until_ms IS NULL OR lease_until_ms <= ?1)",
            [now],
        )?;
        self.tx
            .execute("DELETE FROM workers WHERE lease_until_ms <= ?1", [now])?;
        Ok((flagged + untouched, flagged))
    }

    /// Puts a user's verification that still waits to go out (queued, or
    /// being sent) into the bulk send `batch`, so that send follows its
    /// delivery instead of making a second message. False when there is none.
    pub fn adopt_waiting_verification(
        &self,
        key: UserKey,
        batch: &str,
    ) -> Result<bool, StoreError> {
        let changed = self
            .tx
            .prepare_cached(
                "UPDATE outbox SET batch = ?2 WHERE user_key = ?1 AND kind = 'verification'
                 AND state IN ('queued', 'sending')",
            )?
            .execute(params![key.0, batch])?;
        Ok(changed > 0)
    }

    /// One message by row id, as this transaction sees it.
    pub fn message(&self, id: i64) -> Result<Option<OutboxMessage>, StoreError> {
        Ok(self
            .tx
            .query_row(&format!("{SELECT} WHERE id = ?1"), [id], message_from_row)
            .optional()?)
    }
}
