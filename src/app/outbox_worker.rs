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

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use lettre::Message;

use super::link_token::{new_token, random_hex};
use crate::domain::message::TemplateValues;
use crate::domain::outbox::{AfterFailure, RetryRule};
use crate::domain::{
    AuditAction, AuditEntry, Clock, Connection, DeliveryState, MessageKind, OutboxId,
    OutboxMessage, Settings, UserKey, UserRecord,
};
use crate::mail::{SendFailure, Session, Transport, compose, password};
use crate::scim::ScimClient;
use crate::store::{
    AnswerRecord, Delivery, Location, NewToken, Store, StoreError, TokenPurpose, WorkerRow, WriteTx,
};

use super::format_local;

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

/// How long rounds may keep failing, or the lease go unrenewed, before the
/// worker counts as not delivering (`/health` then answers 503).
const UNHEALTHY_AFTER: Duration = Duration::from_secs(5);

/// What keeps a running worker from delivering, as `/health` says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerProblem {
    /// The worker's thread has ended.
    Stopped,
    /// Its rounds keep failing (the register or the transport).
    RoundsFailing,
    /// Its lease cannot be renewed: other workers will take its messages.
    LeaseNotRenewed,
}

impl WorkerProblem {
    /// The sentence `/health` answers with (for monitors: English).
    pub fn sentence(self) -> &'static str {
        match self {
            Self::Stopped => "the outbox worker has stopped: queued email is not delivered",
            Self::RoundsFailing => {
                "the outbox worker's rounds keep failing: queued email is not delivered"
            }
            Self::LeaseNotRenewed => {
                "the outbox worker cannot renew its lease: queued email is not delivered"
            }
        }
    }
}

/// How a running worker is doing, shared with `/health`: whether its thread
/// runs, and since when its rounds or lease renewals have failed.
#[derive(Debug)]
pub struct WorkerHealth {
    state: Mutex<HealthState>,
}

#[derive(Debug)]
struct HealthState {
    running: bool,
    rounds_failing_since: Option<Instant>,
    lease_failing_since: Option<Instant>,
}

impl WorkerHealth {
    /// A running worker with nothing failing.
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(HealthState {
                running: true,
                rounds_failing_since: None,
                lease_failing_since: None,
            }),
        })
    }

    /// What keeps the worker from delivering now, if anything.
    pub fn problem(&self) -> Option<WorkerProblem> {
        let state = self.lock();
        let lasting =
            |since: Option<Instant>| since.is_some_and(|t| t.elapsed() >= UNHEALTHY_AFTER);
        if !state.running {
            Some(WorkerProblem::Stopped)
        } else if lasting(state.rounds_failing_since) {
            Some(WorkerProblem::RoundsFailing)
        } else if lasting(state.lease_failing_since) {
            Some(WorkerProblem::LeaseNotRenewed)
        } else {
            None
        }
    }

    /// True while the worker's thread runs.
    pub fn is_running(&self) -> bool {
        self.lock().running
    }

    /// Marks the worker's thread as ended.
    pub fn set_stopped(&self) {
        self.lock().running = false;
    }

    fn round_ended(&self, ok: bool) {
        failing_since(&mut self.lock().rounds_failing_since, ok);
    }

    fn lease_renewed(&self, ok: bool) {
        failing_since(&mut self.lock().lease_failing_since, ok);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HealthState> {
        // The state is a few plain fields: a panic elsewhere leaves it whole.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Notes an attempt in `since`: cleared when it went through, else set to
/// the first failure of the run of failures.
fn failing_since(since: &mut Option<Instant>, ok: bool) {
    *since = if ok {
        None
    } else {
        since.or_else(|| Some(Instant::now()))
    };
}

/// A message ready to hand over.
struct Ready {
    /// The outbox row as claimed (this worker holds it).
    claimed: OutboxMessage,
    message: Message,
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

/// Identity provider pushes claimed at once.
const IDP_BATCH: usize = 200;
/// Parallel requests to the identity provider.
const IDP_PARALLEL: usize = 8;

/// The SCIM client for the current identity provider settings, made anew
/// when they change (the token is read again then).
fn current_scim<'a>(
    cached: &'a mut Option<(crate::domain::idp::IdpSettings, ScimClient)>,
    settings: &crate::domain::idp::IdpSettings,
) -> Result<&'a ScimClient, crate::scim::ScimSetupError> {
    if !matches!(cached, Some((s, _)) if s == settings) {
        *cached = None;
        *cached = Some((settings.clone(), ScimClient::from_settings(settings)?));
    }
    cached
        .as_ref()
        .map(|(_, client)| client)
        .ok_or(crate::scim::ScimSetupError::Off)
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

    /// Applies the leaver rule when due, pushes the identity provider's
    /// accounts that wait, then sends every message due now; returns how
    /// many messages and pushes were handled.
    pub fn run_once(&mut self) -> Result<usize, WorkerError> {
        self.lock_store().reconnect_if_lost()?;
        self.take_back_from_the_gone()?;
        let now = (self.clock)();
        self.apply_leaver_rule_when_due(now);
        let lease_until = now + lease_span(&self.options);
        let settings = self.lock_store().load_settings()?;
        let pushed = self.push_accounts(&settings, now, lease_until)?;
        let claimed = self
            .lock_store()
            .write_outbox(|tx| tx.claim_due(&self.id, now, lease_until, self.options.batch))?;
        if claimed.is_empty() {
            return Ok(pushed);
        }
        let count = claimed.len();
        let ready = self
            .lock_store()
            .write_outbox(|tx| prepare(tx, &settings, claimed, now))?;
        let sessions = settings.smtp_sessions.max(1);
        let pause = pacing_pause(&settings);
        match current_transport(
            &mut self.transport,
            &super::paths::folder_anchor(&self.register),
            &settings,
        ) {
            Ok((transport, rebuilt)) => {
                if rebuilt || self.sessions.len() != sessions {
                    self.sessions = (0..sessions).map(|_| transport.session()).collect();
                }
            }
            Err(error) => {
                // Nothing was handed over: queue them again for a later round.
                let reply = error.to_string();
                let retry =
                    now + SignedDuration::try_from(self.options.retry_base).unwrap_or_default();
                self.lock_store().write_outbox(|tx| {
                    for item in &ready {
                        tx.record_delivery(
                            item.claimed.id,
                            DeliveryState::Queued,
                            &reply,
                            Some(retry),
                            now,
                        )?;
                    }
                    Ok::<_, StoreError>(())
                })?;
                return Err(error);
            }
        }
        let untouched = self.send_all(ready, pause);
        let count = count + pushed;
        // Stopped early: what no session took goes back to the queue as it was.
        if !untouched.is_empty() {
            self.lock_store().write_outbox(|tx| {
                for id in &untouched {
                    tx.unclaim(*id)?;
                }
                Ok::<_, StoreError>(())
            })?;
        }
        Ok(count)
    }

    /// Pushes up to [`IDP_BATCH`] accounts that wait for the identity
    /// provider, over parallel requests, and records the answers (only
    /// while this worker still holds them). Nothing while provisioning is
    /// off; a missing token is logged and the pushes wait.
    fn push_accounts(
        &mut self,
        settings: &Settings,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<usize, WorkerError> {
        if !settings.idp.is_on() || !self.lock_store().has_due_idp_push(now)? {
            return Ok(0);
        }
        if let Err(error) = current_scim(&mut self.scim, &settings.idp) {
            tracing::warn!("identity provider pushes wait: {error}");
            return Ok(0);
        }
        let Some((_, client)) = &self.scim else {
            return Ok(0);
        };
        let claims = self
            .lock_store()
            .write_outbox(|tx| tx.claim_idp_due(&self.id, now, lease_until, IDP_BATCH))?;
        if claims.is_empty() {
            return Ok(0);
        }
        let keys: Vec<UserKey> = claims.iter().map(|c| c.account.user_key).collect();
        let users: HashMap<UserKey, UserRecord> = self
            .lock_store()
            .users_by_keys(&keys)?
            .into_iter()
            .map(|record| (record.key, record))
            .collect();
        let records = super::idp::push_all(
            client,
            &claims,
            &users,
            settings.idp.on_disconnect,
            IDP_PARALLEL,
            &self.clock,
        );
        let recorded_at = (self.clock)();
        with_retry(&self.stopping, || {
            lock(&self.store)
                .write_outbox(|tx| tx.record_idp_results(&self.id, &records, recorded_at))
        })?;
        Ok(claims.len())
    }

    /// Hands `ready` to the sessions in parallel. A session hands in the
    /// server's answer to record, and asks for the next message to be marked
    /// handed over just before its content goes out, waiting until that is
    /// committed. This thread commits what all sessions handed in meanwhile
    /// in one transaction, in order (a group commit): so when a mark is
    /// confirmed, the session's previous answer is recorded, and no session
    /// ever has more than one message whose content went out unrecorded.
    /// Returns the messages no session took (when stopping).
    fn send_all(&mut self, ready: Vec<Ready>, pause: Option<Duration>) -> Vec<OutboxId> {
        let queue = Mutex::new(ready.into_iter());
        let sessions = self.sessions.len();
        let recorder = Recorder {
            store: &self.store,
            owner: &self.id,
            clock: &self.clock,
            options: &self.options,
            stopping: &self.stopping,
        };
        let stopping = &*self.stopping;
        let (steps, asked) = mpsc::channel::<(Step, Option<mpsc::Sender<bool>>)>();
        std::thread::scope(|scope| {
            for (n, session) in self.sessions.iter_mut().enumerate() {
                let queue = &queue;
                let steps = steps.clone();
                let spawned = std::thread::Builder::new()
                    .name(format!("smtp-session-{n}"))
                    .spawn_scoped(scope, move || {
                        let (reply, replied) = mpsc::channel::<bool>();
                        let ask = |step: Step| {
                            steps.send((step, Some(reply.clone()))).is_ok()
                                && replied.recv().unwrap_or(false)
                        };
                        loop {
                            if stopping.load(Ordering::SeqCst) {
                                break;
                            }
                            let next = queue.lock().ok().and_then(|mut q| q.next());
                            let Some(item) = next else { break };
                            let mut mark = || ask(Step::HandOver(item.claimed.id));
                            let result = session.send(&item.message, &mut mark);
                            // Recorded before this session's next mark is
                            // confirmed; meanwhile it starts the next message.
                            let _ =
                                steps.send((Step::Record((Box::new(item.claimed), result)), None));
                            if let Some(pause) = pause {
                                std::thread::sleep(pause * u32::try_from(sessions).unwrap_or(1));
                            }
                        }
                    });
                if let Err(error) = spawned {
                    tracing::error!("could not start an SMTP session thread: {error}");
                }
            }
            drop(steps);
            recorder.commit_steps(&asked);
        });
        queue
            .into_inner()
            .map(|rest| rest.map(|item| item.claimed.id).collect())
            .unwrap_or_default()
    }

    /// Runs on a named thread until the handle is dropped or stopped; `wake`
    /// makes it look at once.
    pub fn spawn(mut self) -> std::io::Result<WorkerHandle> {
        let (wake, woken) = mpsc::channel::<bool>();
        let stopping = Arc::clone(&self.stopping);
        let poll = self.options.poll_interval;
        let health = WorkerHealth::new();
        let heartbeat = self.spawn_heartbeat(Arc::clone(&health))?;
        let watched = Arc::clone(&health);
        let thread = std::thread::Builder::new()
            .name("outbox-worker".into())
            .spawn(move || {
                // Marked stopped however the thread ends.
                let _running = StoppedOnDrop(Arc::clone(&watched));
                loop {
                    // A round that panics (a bug, a library's assertion) must
                    // not end delivery for good: it is logged, and the next
                    // round starts after the usual pause.
                    let round =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run_once()));
                    let handled = match round {
                        Ok(Ok(n)) => {
                            watched.round_ended(true);
                            n
                        }
                        Ok(Err(error)) => {
                            watched.round_ended(false);
                            tracing::warn!("outbox round failed: {error}");
                            0
                        }
                        Err(_) => {
                            watched.round_ended(false);
                            tracing::error!("an outbox round failed unexpectedly; trying again");
                            self.sessions.clear();
                            0
                        }
                    };
                    if self.stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    if handled > 0 {
                        continue;
                    }
                    match woken.recv_timeout(poll) {
                        Ok(true) | Err(mpsc::RecvTimeoutError::Timeout) => {}
                        Ok(false) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
                    }
                }
                // Dropping the worker gives up its lease.
            })?;
        Ok(WorkerHandle {
            health,
            wake,
            stopping,
            thread: Some(thread),
            heartbeat: Some(heartbeat),
        })
    }

    /// Renews this worker's lease (and its messages') a few times per lease,
    /// on a thread and connection of its own, so a long send never lets it
    /// run out. A lost connection is made anew (the server restarted); a
    /// failed renewal is tried again each second; a worker taken for dead
    /// while it could not renew registers itself again.
    fn spawn_heartbeat(
        &self,
        health: Arc<WorkerHealth>,
    ) -> std::io::Result<std::thread::JoinHandle<()>> {
        let store = Store::open(&self.register).map_err(std::io::Error::other)?;
        let row = WorkerRow {
            id: self.id.clone(),
            pid: i64::from(std::process::id()),
            host: host_name(),
            started_at: (self.clock)(),
            heartbeat_at: (self.clock)(),
            lease_until: (self.clock)(),
        };
        let clock = self.clock.clone();
        let server_clock = self.server_clock.clone();
        let lease = self.options.lease;
        let stopping = Arc::clone(&self.stopping);
        std::thread::Builder::new()
            .name("outbox-heartbeat".into())
            .spawn(move || {
                let mut store = store;
                let every = (lease / 4).max(Duration::from_millis(50));
                let retry = Duration::from_secs(1).min(every);
                let mut last = Instant::now();
                let mut failing = false;
                while !stopping.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(50).min(every));
                    if last.elapsed() < if failing { retry } else { every } {
                        continue;
                    }
                    last = Instant::now();
                    let renewed = renew_or_register(&mut store, &row, &clock, lease, &stopping);
                    failing = renewed.is_err();
                    if !failing {
                        server_clock.measure(&store);
                    }
                    health.lease_renewed(!failing);
                    if let Err(error) = renewed {
                        tracing::warn!("renewing the outbox lease failed: {error}");
                    }
                }
            })
    }

    /// Gives up the lease at a clean stop: what this worker still holds goes
    /// back to the queue at once (flagged only if its content had gone out).
    fn retire(&self) {
        let now = (self.clock)();
        let retired = self.lock_store().write_outbox(|tx| {
            tx.end_lease(&self.id)?;
            tx.take_back_expired(now)
        });
        if let Err(error) = retired {
            tracing::warn!("the outbox worker could not give up its lease: {error}");
        }
    }
}

/// Renews the lease of `worker`; registers it again when its row is gone
/// (taken for dead while the register could not be reached: its messages
/// were taken back, so it holds none now). Connects anew first when the
/// connection was lost.
fn renew_or_register(
    store: &mut Store,
    worker: &WorkerRow,
    clock: &Clock,
    lease: Duration,
    stopping: &AtomicBool,
) -> Result<(), StoreError> {
    store.reconnect_if_lost()?;
    let now = clock();
    let until = now + SignedDuration::try_from(lease).unwrap_or_default();
    let renewed = store.write_outbox(|tx| tx.renew_lease(&worker.id, now, until))?;
    if renewed || stopping.load(Ordering::SeqCst) {
        // Not renewed while stopping: the worker gave its lease up.
        return Ok(());
    }
    tracing::warn!(
        "this outbox worker's lease had run out and its messages were taken back; it registers again"
    );
    let row = WorkerRow {
        heartbeat_at: now,
        lease_until: until,
        ..worker.clone()
    };
    store.write_outbox(|tx| tx.register_worker(&row))
}

/// Marks the worker stopped when dropped (also when its thread unwinds).
struct StoppedOnDrop(Arc<WorkerHealth>);

impl Drop for StoppedOnDrop {
    fn drop(&mut self) {
        self.0.set_stopped();
    }
}

impl Drop for OutboxWorker {
    fn drop(&mut self) {
        self.retire();
    }
}

/// The lease as a span of time.
fn lease_span(options: &WorkerOptions) -> SignedDuration {
    SignedDuration::try_from(options.lease).unwrap_or(SignedDuration::from_secs(30))
}

/// This machine's name, as worker rows record it.
fn host_name() -> String {
    whoami::fallible::hostname().unwrap_or_else(|_| "unknown host".to_owned())
}

/// False only when the process is known to be gone (Linux: no `/proc/PID`).
/// Elsewhere the lease decides.
fn process_alive(pid: i64) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
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
            Err(StoreError::Locked)
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

/// The worker's thread, to wake it or stop it.
pub struct WorkerHandle {
    health: Arc<WorkerHealth>,
    wake: mpsc::Sender<bool>,
    stopping: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    heartbeat: Option<std::thread::JoinHandle<()>>,
}

impl WorkerHandle {
    /// Makes the worker look for due messages now.
    pub fn wake(&self) {
        let _ = self.wake.send(true);
    }

    /// A function that wakes the worker, for other threads.
    pub fn waker(&self) -> Box<dyn Fn() + Send + 'static> {
        let wake = self.wake.clone();
        Box::new(move || {
            let _ = wake.send(true);
        })
    }

    /// Stops the worker after the messages its sessions are on, and waits for
    /// it; messages not yet handed over stay queued.
    pub fn stop(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        let _ = self.wake.send(false);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if let Some(heartbeat) = self.heartbeat.take() {
            let _ = heartbeat.join();
        }
    }

    /// How the worker is doing: whether it runs, and whether its rounds
    /// and lease renewals go through.
    pub fn health(&self) -> Arc<WorkerHealth> {
        Arc::clone(&self.health)
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// The transport for the current settings, made anew when they (or the
/// password) change.
fn current_transport<'a>(
    cached: &'a mut Option<(Settings, Option<String>, Transport)>,
    register: &Path,
    settings: &Settings,
) -> Result<(&'a Transport, bool), WorkerError> {
    let password = if settings.smtp_user.is_empty() {
        None
    } else {
        password::smtp_password(&settings.smtp_host, &settings.smtp_user)
    };
    let current = matches!(cached, Some((s, p, _)) if s == settings && *p == password);
    if !current {
        let transport = Transport::from_settings(settings, register, password.as_deref())?;
        *cached = Some((settings.clone(), password, transport));
    }
    match cached {
        Some((_, _, transport)) => Ok((transport, !current)),
        None => unreachable_transport(),
    }
}

#[allow(clippy::panic)]
fn unreachable_transport() -> ! {
    // `transport()` stores one just before reading it.
    panic!("the transport was just made")
}

/// The pause between two messages that keeps to the messages-per-minute cap.
fn pacing_pause(settings: &Settings) -> Option<Duration> {
    (settings.messages_per_minute > 0)
        .then(|| Duration::from_secs_f64(60.0 / f64::from(settings.messages_per_minute)))
}

/// Whether a claimed message is still wanted (the reason to cancel it when
/// not), and the link it carries, if any.
fn still_wanted(
    message: &OutboxMessage,
    record: &UserRecord,
) -> Result<Option<TokenPurpose>, &'static str> {
    match message.kind {
        MessageKind::Verification => {
            let wanted = matches!(&record.connection,
                Connection::Unverified { email, .. } if *email == message.recipient);
            if wanted && record.user.activated {
                Ok(Some(TokenPurpose::Verification))
            } else {
                Err("not sent: the address was changed, connected or deactivated meanwhile")
            }
        }
        MessageKind::PasswordReset => {
            let wanted = matches!(&record.connection,
                Connection::Connected { email, .. } if *email == message.recipient);
            if wanted {
                Ok(None)
            } else {
                Err("not sent: the user is no longer connected with this address")
            }
        }
        MessageKind::RelinkInvitation => {
            let wanted = record.connection == Connection::None
                && record.user.activated
                && record.user.email.as_ref() == Some(&message.recipient);
            if wanted {
                Ok(Some(TokenPurpose::Relink))
            } else {
                Err(
                    "not sent: the user was connected, deactivated or their Email changed meanwhile",
                )
            }
        }
    }
}

/// Checks each claimed message is still wanted, makes their links, and
/// builds the messages. What is no longer wanted is cancelled, with the reason.
fn prepare(
    tx: &WriteTx<'_>,
    settings: &Settings,
    claimed: Vec<OutboxMessage>,
    now: Timestamp,
) -> Result<Vec<Ready>, StoreError> {
    let mut ready = Vec::with_capacity(claimed.len());
    let keys: Vec<UserKey> = claimed.iter().filter_map(|m| m.user_key).collect();
    let records: HashMap<UserKey, UserRecord> = tx
        .users_by_keys(&keys)?
        .into_iter()
        .map(|record| (record.key, record))
        .collect();
    // Stored together after the loop, in the same transaction: before any
    // of these messages goes out.
    let mut tokens = Vec::new();
    let verification = settings.verification_texts();
    let reset = settings.reset_texts();
    let relink = settings.relink_texts();
    for message in claimed {
        let cancel = |reason: &str| {
            tx.record_delivery(message.id, DeliveryState::Cancelled, reason, None, now)
        };
        let Some(key) = message.user_key else {
            cancel("not sent: the user was deleted")?;
            continue;
        };
        let Some(record) = records.get(&key) else {
            cancel("not sent: the user was deleted")?;
            continue;
        };
        let mut values = TemplateValues {
            name: record.user.display_name(),
            email: message.recipient.to_string(),
            login_url: settings.login_page_url.clone(),
            ..TemplateValues::default()
        };
        let purpose = match still_wanted(&message, record) {
            Ok(purpose) => purpose,
            Err(reason) => {
                cancel(reason)?;
                continue;
            }
        };
        if let Some(purpose) = purpose {
            let Ok(token) = new_token() else {
                tx.record_delivery(
                    message.id,
                    DeliveryState::Queued,
                    "no random token could be made",
                    None,
                    now,
                )?;
                continue;
            };
            let expires = now + SignedDuration::from_hours(i64::from(settings.link_lifetime_hours));
            tokens.push(NewToken {
                hash: token.hash,
                key,
                email_key: message.recipient.key().to_owned(),
                expires_at: expires,
                purpose,
            });
            let page = match purpose {
                TokenPurpose::Verification => "verify",
                TokenPurpose::Relink => "relink",
            };
            values.link = format!(
                "{}/{page}/{}",
                settings.public_base_url.trim_end_matches('/'),
                token.text
            );
            values.expires = format_local(expires);
        }
        let texts = match message.kind {
            MessageKind::Verification => &verification,
            MessageKind::PasswordReset => &reset,
            MessageKind::RelinkInvitation => &relink,
        };
        let (subject, body) = (&texts.subject, &texts.body);
        match compose(
            settings,
            &record.user.display_name(),
            &message.recipient,
            subject,
            body,
            &values,
            &message.message_id,
        ) {
            Ok(built) => ready.push(Ready {
                claimed: message,
                message: built,
            }),
            Err(error) => {
                tx.record_delivery(
                    message.id,
                    DeliveryState::Failed,
                    &error.to_string(),
                    None,
                    now,
                )?;
            }
        }
    }
    tx.issue_tokens(&tokens, now)?;
    Ok(ready)
}

/// What the thread that records the sessions' steps needs.
struct Recorder<'a> {
    store: &'a Mutex<Store>,
    owner: &'a str,
    clock: &'a Clock,
    options: &'a WorkerOptions,
    stopping: &'a AtomicBool,
}

impl Recorder<'_> {
    /// Commits the sessions' steps in groups until every session is done,
    /// and tells each session whether its step went through.
    fn commit_steps(&self, asked: &mpsc::Receiver<(Step, Option<mpsc::Sender<bool>>)>) {
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
        }
    }
}

/// One server answer.
type Answer = (Box<OutboxMessage>, Result<String, SendFailure>);

/// What a session asks the register to record.
enum Step {
    /// The message's content is about to go out.
    HandOver(OutboxId),
    /// The server's answer to it.
    Record(Answer),
}

/// What recording one server answer writes: the message's new state, its
/// verification count and audit row (the store writes them only while this
/// worker still holds the message), and the duplicate flag.
fn answer_record(now: Timestamp, options: &WorkerOptions, answer: &Answer) -> AnswerRecord {
    let (message, result) = answer;
    let kind = message.kind;
    let audit = |action, words: &str| AuditEntry {
        at: now,
        actor: WORKER_ACTOR.to_owned(),
        action,
        user_key: message.user_key,
        user_id: String::new(),
        before: None,
        after: Some(
            serde_json::json!({
                "message_id": message.message_id,
                "kind": kind.code(),
                "to": message.recipient.masked(),
                "result": words,
            })
            .to_string(),
        ),
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
