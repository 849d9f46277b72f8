//! The outbox worker: takes due messages, makes their links, hands them to
//! the transport over parallel sessions, and records each server answer.
//!
//! A message is `sending` while it is with the server. If the program stops
//! before the answer is recorded, the next start queues it again flagged as a
//! possible duplicate: nothing is lost, and only a message whose answer was
//! lost can arrive twice. A message the server acknowledged is never resent.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use lettre::Message;

use crate::domain::message::TemplateValues;
use crate::domain::{
    AuditAction, AuditEntry, Clock, Connection, DeliveryState, MessageKind, OutboxMessage, Settings,
};
use crate::mail::{SendFailure, Session, Transport, compose, password};
use crate::store::{Store, StoreError, WriteTx};
use crate::verify::token::new_token;

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
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            retry_base: Duration::from_secs(30),
            retry_max: Duration::from_hours(1),
            max_attempts: 10,
            batch: 200,
            poll_interval: Duration::from_secs(2),
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
}

/// A message ready to hand over.
struct Ready {
    id: i64,
    kind: MessageKind,
    message: Message,
}

/// The worker: one register connection and one (pooled) transport.
pub struct OutboxWorker {
    store: Store,
    register: PathBuf,
    clock: Clock,
    options: WorkerOptions,
    transport: Option<(Settings, Option<String>, Transport)>,
    /// Sessions kept across rounds, so SMTP connections stay open.
    sessions: Vec<Session>,
    stopping: Arc<AtomicBool>,
}

impl OutboxWorker {
    /// A worker on its own connection to the register at `register`.
    pub fn open(register: &Path, clock: Clock, options: WorkerOptions) -> Result<Self, StoreError> {
        let mut store = Store::open(register)?;
        let requeued = store.requeue_interrupted()?;
        if requeued > 0 {
            tracing::warn!(
                requeued,
                "messages interrupted while sending were queued again"
            );
        }
        Ok(Self {
            store,
            register: register.to_owned(),
            clock,
            options,
            transport: None,
            sessions: Vec::new(),
            stopping: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Sends every message due now; returns how many were handled.
    pub fn run_once(&mut self) -> Result<usize, WorkerError> {
        let settings = self.store.load_settings()?;
        let now = (self.clock)();
        let claimed = self
            .store
            .write(|tx| tx.claim_due(now, self.options.batch))?;
        if claimed.is_empty() {
            return Ok(0);
        }
        let count = claimed.len();
        let ready = self
            .store
            .write(|tx| prepare(tx, &settings, claimed, now))?;
        let sessions = settings.smtp_sessions.max(1);
        let pause = pacing_pause(&settings);
        match current_transport(&mut self.transport, &self.register, &settings) {
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
                self.store.write(|tx| {
                    for item in &ready {
                        tx.record_delivery(
                            item.id,
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
        // Stopped early: what no session took goes back to the queue as it was.
        if !untouched.is_empty() {
            self.store.write(|tx| {
                for id in &untouched {
                    tx.unclaim(*id)?;
                }
                Ok::<_, StoreError>(())
            })?;
        }
        Ok(count)
    }

    /// Hands `ready` to the sessions in parallel and records the answers;
    /// returns the messages no session took (when stopping).
    fn send_all(&mut self, ready: Vec<Ready>, pause: Option<Duration>) -> Vec<i64> {
        let (results_tx, results_rx) = mpsc::channel::<Answer>();
        let queue = std::sync::Mutex::new(ready.into_iter());
        let sessions = self.sessions.len();
        let store = &mut self.store;
        let clock = &self.clock;
        let options = &self.options;
        let stopping = &*self.stopping;
        std::thread::scope(|scope| {
            for (n, session) in self.sessions.iter_mut().enumerate() {
                let results_tx = results_tx.clone();
                let queue = &queue;
                let spawned = std::thread::Builder::new()
                    .name(format!("smtp-session-{n}"))
                    .spawn_scoped(scope, move || {
                        loop {
                            if stopping.load(Ordering::SeqCst) {
                                break;
                            }
                            let next = queue.lock().ok().and_then(|mut q| q.next());
                            let Some(item) = next else { break };
                            let result = session.send(&item.message);
                            if results_tx.send((item.id, item.kind, result)).is_err() {
                                break;
                            }
                            if let Some(pause) = pause {
                                std::thread::sleep(pause * u32::try_from(sessions).unwrap_or(1));
                            }
                        }
                    });
                if let Err(error) = spawned {
                    tracing::error!("could not start an SMTP session thread: {error}");
                }
            }
            drop(results_tx);
            // Answers are recorded in small groups, one transaction each: a
            // transaction per message would make the register the bottleneck.
            let mut answers = Vec::with_capacity(RECORD_GROUP);
            loop {
                let next = results_rx.recv_timeout(Duration::from_millis(5));
                let closed = matches!(next, Err(mpsc::RecvTimeoutError::Disconnected));
                let idle = next.is_err();
                if let Ok(answer) = next {
                    answers.push(answer);
                }
                if answers.len() >= RECORD_GROUP || (!answers.is_empty() && idle) {
                    let group = std::mem::take(&mut answers);
                    if let Err(error) = record(store, clock, options, group) {
                        tracing::error!("recording deliveries failed: {error}");
                    }
                }
                if closed {
                    break;
                }
            }
        });
        queue
            .into_inner()
            .map(|rest| rest.map(|item| item.id).collect())
            .unwrap_or_default()
    }

    /// Runs on a named thread until the handle is dropped or stopped; `wake`
    /// makes it look at once.
    pub fn spawn(mut self) -> std::io::Result<WorkerHandle> {
        let (wake, woken) = mpsc::channel::<bool>();
        let stopping = Arc::clone(&self.stopping);
        let poll = self.options.poll_interval;
        let thread = std::thread::Builder::new()
            .name("outbox-worker".into())
            .spawn(move || {
                loop {
                    let handled = match self.run_once() {
                        Ok(n) => n,
                        Err(error) => {
                            tracing::warn!("outbox round failed: {error}");
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
            })?;
        Ok(WorkerHandle {
            wake,
            stopping,
            thread: Some(thread),
        })
    }
}

/// The worker's thread, to wake it or stop it.
pub struct WorkerHandle {
    wake: mpsc::Sender<bool>,
    stopping: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
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

/// Checks each claimed message is still wanted, makes verification links, and
/// builds the messages. What is no longer wanted is cancelled, with the reason.
fn prepare(
    tx: &WriteTx<'_>,
    settings: &Settings,
    claimed: Vec<OutboxMessage>,
    now: Timestamp,
) -> Result<Vec<Ready>, StoreError> {
    let mut ready = Vec::with_capacity(claimed.len());
    for message in claimed {
        let cancel = |reason: &str| {
            tx.record_delivery(message.id, DeliveryState::Cancelled, reason, None, now)
        };
        let Some(key) = message.user_key else {
            cancel("not sent: the user was deleted")?;
            continue;
        };
        let Some(record) = tx.user(key)? else {
            cancel("not sent: the user was deleted")?;
            continue;
        };
        let mut values = TemplateValues {
            name: record.user.display_name(),
            email: message.recipient.to_string(),
            login_url: settings.login_page_url.clone(),
            ..TemplateValues::default()
        };
        let (subject, body) = match message.kind {
            MessageKind::Verification => {
                let wanted = matches!(&record.connection,
                    Connection::Unverified { email, .. } if *email == message.recipient);
                if !wanted || !record.user.activated {
                    cancel(
                        "not sent: the address was changed, connected or deactivated meanwhile",
                    )?;
                    continue;
                }
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
                let expires =
                    now + SignedDuration::from_hours(i64::from(settings.link_lifetime_hours));
                tx.supersede_tokens(key, now)?;
                tx.insert_token(&token.hash, key, message.recipient.key(), now, expires)?;
                values.link = format!(
                    "{}/verify/{}",
                    settings.public_base_url.trim_end_matches('/'),
                    token.text
                );
                values.expires = format_local(expires);
                (&settings.verification_subject, &settings.verification_body)
            }
            MessageKind::PasswordReset => {
                let wanted = matches!(&record.connection,
                    Connection::Connected { email, .. } if *email == message.recipient);
                if !wanted {
                    cancel("not sent: the user is no longer connected with this address")?;
                    continue;
                }
                (&settings.reset_subject, &settings.reset_body)
            }
        };
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
                id: message.id,
                kind: message.kind,
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
    Ok(ready)
}

/// Answers recorded in one transaction at most.
const RECORD_GROUP: usize = 64;

/// One server answer.
type Answer = (i64, MessageKind, Result<String, SendFailure>);

/// Records server answers, each with its audit row, in one transaction.
fn record(
    store: &mut Store,
    clock: &Clock,
    options: &WorkerOptions,
    answers: Vec<Answer>,
) -> Result<(), StoreError> {
    let now = clock();
    store.write(|tx| {
        for (id, kind, result) in answers {
            record_one(tx, now, options, id, kind, result)?;
        }
        Ok(())
    })
}

fn record_one(
    tx: &WriteTx<'_>,
    now: Timestamp,
    options: &WorkerOptions,
    id: i64,
    kind: MessageKind,
    result: Result<String, SendFailure>,
) -> Result<(), StoreError> {
    let Some(message) = tx.message(id)? else {
        return Ok(());
    };
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
    match result {
        Ok(reply) => {
            tx.record_delivery(id, DeliveryState::Sent, &reply, None, now)?;
            if let (MessageKind::Verification, Some(key)) = (kind, message.user_key) {
                tx.count_verification_sent(key, message.recipient.key(), now)?;
            }
            tx.append_audit(&audit(AuditAction::MessageDelivered, &reply))?;
        }
        Err(failure) if failure.transient && message.attempts < options.max_attempts => {
            let factor = 2_u32.saturating_pow(message.attempts.saturating_sub(1));
            let pause = options
                .retry_base
                .saturating_mul(factor)
                .min(options.retry_max);
            let next = now + SignedDuration::try_from(pause).unwrap_or_default();
            tx.record_delivery(id, DeliveryState::Queued, &failure.reply, Some(next), now)?;
        }
        Err(failure) => {
            let words = if failure.transient {
                format!(
                    "gave up after {} tries: {}",
                    message.attempts, failure.reply
                )
            } else {
                failure.reply
            };
            tx.record_delivery(id, DeliveryState::Failed, &words, None, now)?;
            tx.append_audit(&audit(AuditAction::MessageFailed, &words))?;
        }
    }
    Ok(())
}
