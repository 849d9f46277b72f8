//! The outbox worker: takes due messages, makes their links, hands them to
//! the transport over parallel sessions, and records each server answer.
//!
//! Every worker (a window, `serve`, a CLI send) registers itself with a lease
//! that a heartbeat thread renews. A claimed message is `sending`, owned by
//! its worker under that lease; just before its content goes to the server
//! the message is marked handed over, and the server's answer is recorded
//! before the session takes the next one. Only messages whose owner's lease
//! ran out (or whose owner's process is gone from this host) are taken back;
//! they are flagged a possible duplicate only when their content had gone
//! out. So nothing is lost, a live worker's messages are never sent by
//! another, and after a crash at most one message per SMTP session can
//! arrive twice, flagged.
//!
//! Here: the worker, its options and opening it. Its parts: `life` (its
//! thread, heartbeat and handle), `round` (one round, claim to hand-over),
//! `feed` (the messages the round's sessions take, topped up as they send),
//! `recorder` (the group commit of the sessions' answers) and `health`
//! (what `/health` says of it).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};

use super::link_token::random_hex;
use crate::domain::outbox::RetryRule;
use crate::domain::{Clock, Settings};
use crate::mail::{Session, Transport};
use crate::scim::ScimClient;
use crate::store::{Location, Store, StoreError, WorkerRow};

mod feed;
mod health;
mod life;
mod recorder;
mod round;

pub use health::{WorkerHealth, WorkerProblem};
pub use life::WorkerHandle;
use life::{host_name, lease_span, process_alive};
use recorder::{Recorder, Step};

/// Who the audit log names for what the worker does.
pub const WORKER_ACTOR: &str = "outbox worker";

/// How the worker retries and batches.
#[derive(Clone, Debug)]
pub struct WorkerOptions {
    /// Pause before the first retry; doubled for each further one.
    pub retry_base: Duration,
    /// Longest pause between retries.
    pub retry_max: Duration,
    /// Tries before a transient failure counts as failed.
    pub max_attempts: u32,
    /// Messages taken at once.
    pub batch: usize,
    /// How often the worker looks for due messages when not woken.
    pub poll_interval: Duration,
    /// How long a worker is taken for alive without a heartbeat; its
    /// messages are taken back only after that.
    pub lease: Duration,
}

impl WorkerOptions {
    /// When a failed delivery is tried again.
    pub fn retry_rule(&self) -> RetryRule {
        RetryRule {
            base: self.retry_base,
            max: self.retry_max,
            max_attempts: self.max_attempts,
        }
    }
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            retry_base: Duration::from_secs(30),
            retry_max: Duration::from_hours(1),
            max_attempts: 10,
            batch: 200,
            poll_interval: Duration::from_secs(2),
            lease: Duration::from_secs(30),
        }
    }
}

/// Why a round of the worker stopped.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The register could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The transport could not be made from the settings.
    #[error(transparent)]
    Transport(#[from] crate::mail::TransportError),
    /// No random worker id could be made.
    #[error("The outbox worker could not start: {0}")]
    Random(String),
}

/// The worker: one register connection and one (pooled) transport.
pub struct OutboxWorker {
    /// Shared with the session threads, which record their own answers.
    store: Arc<Mutex<Store>>,
    /// This worker's id: the owner of the messages it claims.
    id: String,
    register: Location,
    clock: Clock,
    /// Keeps `clock` in step with the database server's.
    server_clock: super::server_clock::ServerClock,
    options: WorkerOptions,
    transport: Option<(Settings, Option<String>, Transport)>,
    /// Sessions kept across rounds, so SMTP connections stay open.
    sessions: Vec<Session>,
    stopping: Arc<AtomicBool>,
    /// When this worker last applied the leaver rule.
    leavers_checked_at: Option<Timestamp>,
    /// The SCIM client, kept while the identity provider settings stay.
    scim: Option<(crate::domain::idp::IdpSettings, ScimClient)>,
}

/// How often a worker applies the leaver rule (also once when it starts).
const LEAVERS_EVERY: SignedDuration = SignedDuration::from_mins(10);

impl OutboxWorker {
    /// A worker on its own connection to the register at `register`,
    /// registered with its lease. Messages of workers that are gone are
    /// taken back.
    pub fn open(
        register: &Location,
        clock: Clock,
        options: WorkerOptions,
    ) -> Result<Self, WorkerError> {
        let mut store = Store::open(register)?;
        store.prefer_key_lookups()?;
        // Leases are judged by the database server's clock, so hosts whose
        // clocks differ agree on when one runs out.
        let server_clock = super::server_clock::ServerClock::new(clock);
        server_clock.measure(&store);
        let clock = server_clock.clock();
        let now = clock();
        let id = random_hex(8).map_err(|e| WorkerError::Random(e.to_string()))?;
        let row = WorkerRow {
            id: format!("w-{id}"),
            pid: i64::from(std::process::id()),
            host: host_name(),
            started_at: now,
            heartbeat_at: now,
            lease_until: now + lease_span(&options),
        };
        store.write_outbox(|tx| tx.register_worker(&row))?;
        let worker = Self {
            store: Arc::new(Mutex::new(store)),
            id: row.id,
            register: register.clone(),
            clock,
            server_clock,
            options,
            transport: None,
            sessions: Vec::new(),
            stopping: Arc::new(AtomicBool::new(false)),
            leavers_checked_at: None,
            scim: None,
        };
        worker.take_back_from_the_gone()?;
        Ok(worker)
    }

    /// This worker's id, the owner named on the messages it sends.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn lock_store(&self) -> std::sync::MutexGuard<'_, Store> {
        lock(&self.store)
    }

    /// Ends the leases of workers whose process is gone from this host, then
    /// takes back every message whose lease ran out, and what this worker
    /// still holds from a round that broke off (between rounds it holds
    /// nothing; its heartbeat would otherwise keep such messages its own).
    fn take_back_from_the_gone(&self) -> Result<(), StoreError> {
        let mut store = self.lock_store();
        let host = host_name();
        let gone: Vec<String> = store
            .workers()?
            .into_iter()
            .filter(|w| w.id != self.id && w.host == host && !process_alive(w.pid))
            .map(|w| w.id)
            .collect();
        let now = (self.clock)();
        if gone.is_empty() && !store.needs_take_back(now, &self.id)? {
            // Nothing to take back: no write, so idle workers leave the
            // register (and the windows watching it) alone.
            return Ok(());
        }
        let (taken, flagged) = store.write_outbox(|tx| {
            for id in &gone {
                tx.end_lease(id)?;
            }
            let (own, own_flagged) = tx.take_back_own(&self.id)?;
            tx.take_back_own_idp(&self.id)?;
            tx.take_back_expired_idp(now)?;
            let (expired, expired_flagged) = tx.take_back_expired(now)?;
            Ok::<_, StoreError>((own + expired, own_flagged + expired_flagged))
        })?;
        if taken > 0 {
            tracing::warn!(
                taken,
                flagged,
                "messages of a worker that stopped were queued again (flagged: possible duplicate)"
            );
        }
        Ok(())
    }

    /// Removes the connections of leavers when the last look is 10 minutes
    /// old (or there was none). A failure is logged: delivery goes on.
    fn apply_leaver_rule_when_due(&mut self, now: Timestamp) {
        if self
            .leavers_checked_at
            .is_some_and(|at| now.duration_since(at) < LEAVERS_EVERY)
        {
            return;
        }
        self.leavers_checked_at = Some(now);
        match super::leavers::remove_leavers_connections(&mut self.lock_store(), now) {
            Ok(removed) if !removed.is_empty() => tracing::info!(
                users = removed.len(),
                "connections of leavers removed (employment ended)"
            ),
            Ok(_) => {}
            Err(error) => tracing::warn!("the leaver rule could not run: {error}"),
        }
    }
}

fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    // A thread that panicked while holding the lock left no transaction
    // open (it rolls back when dropped): the connection is still good.
    store
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Retries a write while the register is locked by a long writer (an import
/// in another process), with growing pauses, until it goes through, the
/// worker stops, or ten minutes pass.
fn with_retry<T>(
    stopping: &AtomicBool,
    mut write: impl FnMut() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(20);
    loop {
        match write() {
            Err(StoreError::Locked | StoreError::Crossed)
                if started.elapsed() < Duration::from_mins(10)
                    && !stopping.load(Ordering::SeqCst) =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_secs(1));
            }
            other => return other,
        }
    }
}
