//! Putting messages in the outbox: one, a bulk send's at once, and taking
//! them out again (a cancelled batch, a user's queued ones, a verification
//! adopted by a bulk send).

use jiff::Timestamp;

use crate::domain::{Email, MessageKind, OutboxId, UserKey};
use crate::store::db::{Sql, params};
use crate::store::{StoreError, WriteTx, on_tx};

use super::NewMessage;

impl WriteTx<'_> {
    /// Queues a message; returns its row id.
    pub fn queue_message(
        &self,
        kind: MessageKind,
        user_key: Option<UserKey>,
        recipient: &Email,
        message_id: &str,
        now: Timestamp,
    ) -> Result<OutboxId, StoreError> {
        const QUEUE: &str = "INSERT INTO outbox (message_id, kind, user_key, recipient, state,
                next_attempt_at_ms, created_at_ms)
             VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?5) RETURNING id";
        let params = params![
            message_id,
            kind.code(),
            user_key.map(|k| k.0),
            recipient.as_str(),
            now.as_millisecond()
        ];
        // On a shared register with what the transaction holds (the
        // cancelled messages and links before it): one round trip.
        if let Some(results) = self.fetch_with_held(&[(QUEUE, params)]) {
            let results = results?;
            let row = results.first().and_then(|rows| rows.first());
            return row
                .ok_or_else(|| StoreError::bad_value(0, "queueing a message returned no id"))
                .and_then(|row| crate::store::db::RowRead::int(&crate::store::db::TextRow(row), 0))
                .map(OutboxId);
        }
        on_tx!(self, db => db.fetch_int(QUEUE, params)).map(OutboxId)
    }

    /// Queues verification messages of one bulk send in one statement on a
    /// shared register; returns their ids in the order given.
    pub fn queue_batch_messages(
        &self,
        messages: &[NewMessage<'_>],
        batch: &str,
        now: Timestamp,
    ) -> Result<Vec<OutboxId>, StoreError> {
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let order: Vec<i64> = (0..messages.len())
            .map(|i| i64::try_from(i).unwrap_or(i64::MAX))
            .collect();
        let message_ids: Vec<&str> = messages.iter().map(|m| m.message_id).collect();
        let kinds: Vec<&str> = messages.iter().map(|m| m.kind.code()).collect();
        let keys: Vec<i64> = messages.iter().map(|m| m.user_key.0).collect();
        let recipients: Vec<&str> = messages.iter().map(|m| m.recipient.as_str()).collect();
        let now_ms = now.as_millisecond();
        if let Some(ids) = self.on_postgres(|db| {
            let mut rows = db.fetch_typed(
                "INSERT INTO outbox (message_id, kind, user_key, recipient, state,
                     next_attempt_at_ms, created_at_ms, batch)
                 SELECT message_id, kind, user_key, recipient, 'queued', ?6, ?6, ?7
                 FROM unnest(?1::bigint[], ?2::text[], ?3::text[], ?4::bigint[], ?5::text[])
                     AS v(n, message_id, kind, user_key, recipient)
                 ORDER BY n
                 RETURNING id, message_id",
                &[
                    &order,
                    &message_ids,
                    &kinds,
                    &keys,
                    &recipients,
                    &now_ms,
                    &batch,
                ],
                |r| Ok((OutboxId(r.int(0)?), r.text(1)?)),
            )?;
            // Ids in the order given, whatever order the rows came back in.
            let position: std::collections::HashMap<&str, usize> = message_ids
                .iter()
                .enumerate()
                .map(|(i, m)| (*m, i))
                .collect();
            rows.sort_by_key(|(_, message_id)| position.get(message_id.as_str()).copied());
            Ok(rows.into_iter().map(|(id, _)| id).collect())
        }) {
            return ids;
        }
        let mut ids = Vec::with_capacity(messages.len());
        for message in messages {
            let id = self.queue_message(
                message.kind,
                Some(message.user_key),
                message.recipient,
                message.message_id,
                now,
            )?;
            self.set_message_batch(id, batch)?;
            ids.push(id);
        }
        Ok(ids)
    }

    /// Cancels the messages of one bulk send not yet handed to a mail server:
    /// queued ones, and claimed ones whose content has not begun to go out
    /// (their worker's hand-over mark then fails, so it sends nothing).
    pub fn cancel_batch(&self, batch: &str, reason: &str) -> Result<usize, StoreError> {
        on_tx!(self, db => db.exec(
            "UPDATE outbox SET state = 'cancelled', last_result = ?2,
                owner = NULL, lease_until_ms = NULL
             WHERE batch = ?1
                 AND (state = 'queued' OR (state = 'sending' AND handed_over = 0))",
            params![batch, reason],
        ))
    }

    /// When a message of this kind was last queued for the user (whatever
    /// became of it), if ever: what the employee's *Send me a new link* is
    /// rate-limited by.
    pub fn last_queued_at(
        &self,
        key: UserKey,
        kind: MessageKind,
    ) -> Result<Option<Timestamp>, StoreError> {
        let latest = on_tx!(self, db => db.fetch_opt(
            "SELECT MAX(created_at_ms) FROM outbox WHERE user_key = ?1 AND kind = ?2",
            params![key.0, kind.code()],
            |r| r.opt_int(0),
        ))?;
        Ok(latest
            .flatten()
            .and_then(|ms| Timestamp::from_millisecond(ms).ok()))
    }

    /// [`Self::adopt_waiting_verification`] for many users in one
    /// statement; returns those who had one waiting.
    pub fn adopt_waiting_verifications(
        &self,
        keys: &[UserKey],
        batch: &str,
    ) -> Result<Vec<UserKey>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let raw: Vec<i64> = keys.iter().map(|k| k.0).collect();
        if let Some(adopted) = self.on_postgres(|db| {
            db.fetch_typed(ADOPT_WAITING, &[&raw, &batch], |r| Ok(UserKey(r.int(0)?)))
        }) {
            let mut adopted = adopted?;
            adopted.sort_unstable_by_key(|k| k.0);
            adopted.dedup();
            return Ok(adopted);
        }
        let mut adopted = Vec::new();
        for &key in keys {
            if self.adopt_waiting_verification(key, batch)? {
                adopted.push(key);
            }
        }
        Ok(adopted)
    }
}

/// On a shared register: puts the verifications that still wait for the
/// users `?1` into the bulk send `?2`, read through `outbox_waiting`. The
/// rows are locked in the order of their keys, the order in which an outbox
/// worker's group commit changes the same messages, so the two do not
/// deadlock (a lock taken in the order of the index would).
pub(crate) const ADOPT_WAITING: &str = "UPDATE outbox SET batch = ?2
     FROM (SELECT id FROM outbox WHERE user_key = ANY(?1) AND kind = 'verification'
           AND state IN ('queued', 'sending') ORDER BY id FOR UPDATE) AS waiting
     WHERE outbox.id = waiting.id AND outbox.kind = 'verification'
       AND outbox.state IN ('queued', 'sending')
     RETURNING outbox.user_key";

impl WriteTx<'_> {
    /// Puts a user's verification that still waits to go out (queued, or
    /// being sent) into the bulk send `batch`, so that send follows its
    /// delivery instead of making a second message. False when there is none.
    pub fn adopt_waiting_verification(
        &self,
        key: UserKey,
        batch: &str,
    ) -> Result<bool, StoreError> {
        let changed = on_tx!(self, db => db.exec(
            "UPDATE outbox SET batch = ?2 WHERE user_key = ?1 AND kind = 'verification'
             AND state IN ('queued', 'sending')",
            params![key.0, batch],
        ))?;
        Ok(changed > 0)
    }
}
