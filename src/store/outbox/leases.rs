//! The workers that deliver the outbox and their leases: registering,
//! renewing and ending one, and taking back what a gone worker held.

use jiff::Timestamp;

use crate::store::db::{Sql, params};
use crate::store::{StoreError, WriteTx, on_tx};

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

impl WriteTx<'_> {
    /// Registers a worker with its lease.
    pub fn register_worker(&self, worker: &WorkerRow) -> Result<(), StoreError> {
        on_tx!(self, db => db.exec(
            "INSERT INTO workers (id, pid, host, started_at_ms, heartbeat_at_ms, lease_until_ms)
             VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
            params![
                &worker.id,
                worker.pid,
                &worker.host,
                worker.started_at.as_millisecond(),
                worker.lease_until.as_millisecond()
            ],
        ))?;
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
        let found = on_tx!(self, db => db.exec(
            "UPDATE workers SET heartbeat_at_ms = ?2, lease_until_ms = ?3 WHERE id = ?1",
            params![worker, now.as_millisecond(), lease_until.as_millisecond()],
        ))?;
        on_tx!(self, db => db.exec(
            "UPDATE outbox SET lease_until_ms = ?2 WHERE owner = ?1 AND state = 'sending'",
            params![worker, lease_until.as_millisecond()],
        ))?;
        self.renew_idp_lease(worker, lease_until)?;
        Ok(found == 1)
    }

    /// Ends a worker's lease now (it stopped, or its process is gone).
    pub fn end_lease(&self, worker: &str) -> Result<(), StoreError> {
        on_tx!(self, db => db.exec("DELETE FROM workers WHERE id = ?1", params![worker]))?;
        on_tx!(self, db => db.exec(
            "UPDATE outbox SET lease_until_ms = 0 WHERE owner = ?1 AND state = 'sending'",
            params![worker],
        ))?;
        self.take_back_own_idp(worker)?;
        Ok(())
    }

    /// Takes back messages whose owner's lease ran out: queued again, and
    /// flagged as possible duplicates only if their content had gone to the
    /// server. Messages of live workers are left alone. Returns how many
    /// were taken back and how many of them were flagged.
    pub fn take_back_expired(&self, now: Timestamp) -> Result<(usize, usize), StoreError> {
        let (now, horizon) = lease_bounds(now);
        let flagged = on_tx!(self, db => db.exec(
            "UPDATE outbox SET state = 'queued', possible_duplicate = 1, owner = NULL,
                lease_until_ms = NULL, handed_over = 0
             WHERE state = 'sending' AND handed_over = 1
               AND (lease_until_ms IS NULL OR lease_until_ms <= ?1 OR lease_until_ms > ?2)",
            params![now, horizon],
        ))?;
        let untouched = on_tx!(self, db => db.exec(
            "UPDATE outbox SET state = 'queued', attempts = greatest(attempts - 1, 0), owner = NULL,
                lease_until_ms = NULL
             WHERE state = 'sending' AND handed_over = 0
               AND (lease_until_ms IS NULL OR lease_until_ms <= ?1 OR lease_until_ms > ?2)",
            params![now, horizon],
        ))?;
        on_tx!(self, db => db.exec("DELETE FROM workers WHERE lease_until_ms <= ?1 OR lease_until_ms > ?2",
            params![now, horizon]))?;
        Ok((flagged + untouched, flagged))
    }

    /// Takes back the messages `owner` still holds between its rounds (a
    /// round broke off before their answers were recorded): queued again,
    /// flagged as possible duplicates only if their content had gone to the
    /// server. Returns how many were taken back and how many were flagged.
    pub fn take_back_own(&self, owner: &str) -> Result<(usize, usize), StoreError> {
        let flagged = on_tx!(self, db => db.exec(
            "UPDATE outbox SET state = 'queued', possible_duplicate = 1, owner = NULL,
                lease_until_ms = NULL, handed_over = 0
             WHERE state = 'sending' AND owner = ?1 AND handed_over = 1",
            params![owner],
        ))?;
        let untouched = on_tx!(self, db => db.exec(
            "UPDATE outbox SET state = 'queued', attempts = greatest(attempts - 1, 0), owner = NULL,
                lease_until_ms = NULL
             WHERE state = 'sending' AND owner = ?1 AND handed_over = 0",
            params![owner],
        ))?;
        Ok((flagged + untouched, flagged))
    }
}

/// The longest lease any worker takes: a lease further ahead than this
/// (a damaged row, a host whose clock is far off) counts as run out.
pub const LONGEST_LEASE: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);

/// `now` and the horizon past which a lease counts as run out, in ms.
pub(in crate::store) fn lease_bounds(now: Timestamp) -> (i64, i64) {
    (now.as_millisecond(), (now + LONGEST_LEASE).as_millisecond())
}
