//! `Verify accounts`: the plan for a selection, and the background job that
//! queues its messages in small transactions and follows their delivery.
//!
//! Queueing goes through the same rule as `Verify account` (`verify_many_in`), so
//! re-running a send is safe: users sent a verification within the resend
//! interval are left alone, and a user whose verification still waits (an
//! earlier send stopped half way) has that message adopted and followed,
//! never a second one made.
//!
//! Here: planning and running the job. Its results are `results`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::domain::{BulkPlan, Clock, SkipReason, UserKey, UserRecord, plan_bulk};
use crate::store::Reads as _;
use crate::store::{Location, Store, StoreError};

use super::Session;
use super::link_token::random_hex;
use super::verification::{ConnectionError, VerifyOutcome, verify_many_in};

mod results;

use results::results;
pub use results::save_results_xlsx;

/// Users queued in one transaction.
const CHUNK: usize = 200;

/// How long a bulk send waits for a shared register that went away (a
/// restart, a dropped link) before it gives up and says so.
const OUTAGE_LIMIT: Duration = Duration::from_mins(2);

/// Runs `work` on `store`; while the register cannot be reached, connects
/// anew and tries again with growing pauses, for up to [`OUTAGE_LIMIT`]. A
/// write cut off in the middle is tried whole again: queueing adopts what an
/// earlier try queued, so nothing is queued twice.
///
/// A write the register rolled back for a lock is tried again the same way:
/// on a shared register a chunk's adoption and an outbox worker's group
/// commit both change messages of an earlier send, and the server may break
/// a deadlock between them by rolling the chunk back; on a file, another
/// program's long write outlasted the wait for the lock.
fn through_outages<T>(
    store: &mut Store,
    mut work: impl FnMut(&mut Store) -> Result<T, BulkError>,
) -> Result<T, BulkError> {
    let started = std::time::Instant::now();
    let mut pause = Duration::from_millis(100);
    loop {
        let result = store
            .reconnect_if_lost()
            .map_err(BulkError::from)
            .and_then(|()| work(store));
        match result {
            Err(error) if error.is_lock_conflict() && started.elapsed() < OUTAGE_LIMIT => {
                tracing::info!("a write of the bulk send waited on a lock; trying again: {error}");
                std::thread::sleep(pause / 4);
                pause = (pause * 2).min(Duration::from_secs(2));
            }
            Err(error) if error.is_connection_lost() && started.elapsed() < OUTAGE_LIMIT => {
                tracing::warn!("the register cannot be reached; trying again: {error}");
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_secs(2));
            }
            other => return other,
        }
    }
}

/// The users with `keys` as the register has them now, in the order of
/// `keys` (users deleted since are left out): a selection handed over by key.
pub fn load_selection(session: &Session, keys: &[UserKey]) -> Result<Vec<UserRecord>, StoreError> {
    let mut by_key: HashMap<UserKey, UserRecord> = session
        .store
        .load_users()?
        .into_iter()
        .map(|record| (record.key, record))
        .collect();
    Ok(keys.iter().filter_map(|key| by_key.remove(key)).collect())
}

/// Plans `Verify accounts` for a selection with the stored settings. Users
/// outside the departments and offices where the operator's roles permit
/// Verify accounts are skipped, with that reason.
pub fn plan_verify_accounts<'a>(
    session: &Session,
    selection: impl IntoIterator<Item = &'a UserRecord>,
    send_again_to_recent: bool,
) -> Result<BulkPlan, StoreError> {
    let settings = session.store.load_settings()?;
    let already_queued = session.store.users_with_waiting_verification()?;
    let operator = super::operator::operator(session)?;
    let (inside, outside): (Vec<&UserRecord>, Vec<&UserRecord>) =
        selection.into_iter().partition(|record| {
            operator
                .may_for(
                    crate::domain::roles::Permission::VerifyAccounts,
                    &record.user.department,
                    &record.user.office,
                )
                .is_ok()
        });
    let mut plan = plan_bulk(
        inside,
        &settings,
        session.now(),
        super::roles::day_in(&settings, session.now()),
        send_again_to_recent,
        &already_queued,
    );
    plan.skip_also(
        outside.iter().map(|record| record.key),
        crate::domain::SkipReason::OutsideLimits,
    );
    Ok(plan)
}

/// Where a bulk send stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BulkProgress {
    /// Users the plan verifies (message or verified domain).
    pub planned: usize,
    /// Messages queued so far (adopted ones included).
    pub queued: usize,
    /// Of them, messages an earlier send had queued that this one follows.
    pub adopted: usize,
    /// Users connected at once.
    pub connected: usize,
    /// Users whose state changed since the plan, so nothing was done.
    pub skipped_now: usize,
    /// Messages the server accepted.
    pub sent: usize,
    /// Messages that failed.
    pub failed: usize,
    /// Messages not sent: cancelled by `Cancel` before they were handed to
    /// the mail server (or by a later change of the user).
    pub not_sent: usize,
    /// Messages still waiting to be delivered.
    pub waiting: usize,
    /// Queueing has stopped (all queued, or cancelled).
    pub queueing_done: bool,
    /// `Cancel` was pressed: nothing more is queued, and what was not yet
    /// handed to the mail server is not sent.
    pub cancelled: bool,
    /// Nothing is left to follow: every queued message was sent or failed.
    pub finished: bool,
    /// Why the job stopped early, if it did.
    pub error: Option<String>,
}

impl BulkProgress {
    /// Planned users not yet queued, plus queued messages not yet delivered.
    pub fn remaining(&self) -> usize {
        let unqueued = if self.queueing_done {
            0
        } else {
            self.planned
                .saturating_sub(self.queued + self.connected + self.skipped_now)
        };
        unqueued + self.waiting
    }
}

/// What happened to one user of the selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BulkOutcome {
    /// The server accepted the verification email.
    Sent,
    /// It could not be delivered.
    Failed,
    /// Still waiting to be delivered (retrying, or the send was left early).
    Waiting,
    /// Connected at once: verified domain.
    ConnectedAtOnce,
    /// Nothing sent, for the reason in the details.
    Skipped,
    /// Not sent: the send was cancelled before it was queued or handed to
    /// the mail server (or a later change of the user cancelled it).
    NotSent,
}

impl BulkOutcome {
    /// The word in the results.
    pub fn label(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Waiting => "waiting",
            Self::ConnectedAtOnce => "connected at once",
            Self::Skipped => "skipped",
            Self::NotSent => "not sent (cancelled)",
        }
    }
}

/// One row of the results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkResultRow {
    /// User-ID.
    pub user_id: String,
    /// Name.
    pub name: String,
    /// The Visma Connect address, if any.
    pub email: String,
    /// What happened.
    pub outcome: BulkOutcome,
    /// The server's words, or the reason for skipping.
    pub details: String,
    /// The server may have received it twice (an answer was lost in a crash).
    pub possible_duplicate: bool,
}

/// A running (or finished) bulk send.
pub struct BulkJob {
    progress: Arc<Mutex<BulkProgress>>,
    results: Arc<Mutex<Option<Vec<BulkResultRow>>>>,
    cancel: Arc<AtomicBool>,
    leave: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// What the job tells the face when something changed.
pub type Notify = Box<dyn Fn() + Send + 'static>;

impl BulkJob {
    /// Where it stands now.
    pub fn progress(&self) -> BulkProgress {
        self.progress.lock().map(|p| p.clone()).unwrap_or_default()
    }

    /// The per-user results, once finished.
    pub fn results(&self) -> Option<Vec<BulkResultRow>> {
        self.results.lock().ok().and_then(|r| r.clone())
    }

    /// Stops the send: nothing more is queued, and the messages not yet
    /// handed to the mail server are not sent (those already handed over
    /// are followed until the server has answered).
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    /// True once `Cancel` was pressed (before the job has said so itself).
    pub fn is_cancelling(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }

    /// Waits until the job has finished: the per-user results, or why it
    /// stopped before it could tell them (the register was gone too long).
    pub fn wait(mut self) -> Result<Vec<BulkResultRow>, String> {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if let Some(error) = self.progress().error {
            return Err(error);
        }
        self.results()
            .ok_or_else(|| "the bulk send ended without results".to_owned())
    }
}

impl Drop for BulkJob {
    fn drop(&mut self) {
        // A dropped job stops queueing and following; the worker still
        // delivers what is queued. `leave` goes first: a job that sees the
        // stop also sees that it is leaving, not cancelling.
        self.leave.store(true, Ordering::SeqCst);
        self.cancel.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// How long a bulk send follows its messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Follow {
    /// Until every message was sent or failed (the window, whose worker keeps
    /// retrying).
    UntilDelivered,
    /// Until every message was tried once: what waits for a retry (the server
    /// is down, say) is reported as still queued (a CLI send).
    FirstRound,
}

/// Everything the job thread needs.
pub struct BulkRequest {
    /// The register.
    pub register: Location,
    /// The clock.
    pub clock: Clock,
    /// Who, for the audit log.
    pub actor: String,
    /// The plan the administrator confirmed.
    pub plan: BulkPlan,
    /// Whether users sent recently are sent again.
    pub send_again_to_recent: bool,
    /// How long to follow the deliveries.
    pub follow: Follow,
    /// Called after each step, e.g. to repaint the window.
    pub notify: Notify,
    /// Called when messages were queued, to wake the outbox worker.
    pub wake_worker: Notify,
    /// How often deliveries are looked at.
    pub poll: Duration,
}

/// Starts a bulk send on a background thread.
pub fn start_bulk(request: BulkRequest) -> std::io::Result<BulkJob> {
    let progress = Arc::new(Mutex::new(BulkProgress {
        planned: request.plan.counts.send + request.plan.counts.connect,
        ..BulkProgress::default()
    }));
    let results = Arc::new(Mutex::new(None));
    let cancel = Arc::new(AtomicBool::new(false));
    let leave = Arc::new(AtomicBool::new(false));
    let (p, r, c, l) = (
        Arc::clone(&progress),
        Arc::clone(&results),
        Arc::clone(&cancel),
        Arc::clone(&leave),
    );
    let thread = std::thread::Builder::new()
        .name("bulk-verify".into())
        .spawn(move || {
            let outcome = run(&request, &p, &c, &l);
            let rows = match outcome {
                Ok(rows) => rows,
                Err(error) => {
                    if let Ok(mut progress) = p.lock() {
                        progress.error = Some(error.to_string());
                    }
                    Vec::new()
                }
            };
            if let Ok(mut results) = r.lock() {
                *results = Some(rows);
            }
            if let Ok(mut progress) = p.lock() {
                progress.queueing_done = true;
                progress.finished = true;
            }
            (request.notify)();
        })?;
    Ok(BulkJob {
        progress,
        results,
        cancel,
        leave,
        thread: Some(thread),
    })
}

fn update(progress: &Mutex<BulkProgress>, change: impl FnOnce(&mut BulkProgress)) {
    if let Ok(mut p) = progress.lock() {
        change(&mut p);
    }
}

/// What happened to one user while queueing.
enum Queued {
    Message,
    /// An earlier send's message that still waited: followed, not made again.
    Adopted,
    Connected,
    Skipped(SkipReason),
}

fn run(
    request: &BulkRequest,
    progress: &Mutex<BulkProgress>,
    cancel: &AtomicBool,
    leave: &AtomicBool,
) -> Result<Vec<BulkResultRow>, BulkError> {
    let mut store = Store::open(&request.register)?;
    let settings = store.load_settings()?;
    let batch = format!(
        "bulk-{}",
        random_hex(8).map_err(|e| BulkError::Other(e.to_string()))?
    );
    let mut queued: HashMap<UserKey, Queued> = HashMap::new();
    let keys: Vec<UserKey> = request.plan.to_verify().collect();
    let guard_now = || (request.clock)();
    for chunk in keys.chunks(CHUNK) {
        if cancel.load(Ordering::SeqCst) {
            update(progress, |p| p.cancelled = true);
            break;
        }
        let now = guard_now();
        let guard = (!request.send_again_to_recent).then_some(now);
        let done = through_outages(&mut store, |store| {
            Ok(store.write(|tx| {
                // A verification that still waits (an earlier send stopped half
                // way) is delivered as it is: never a second one.
                let many =
                    verify_many_in(tx, &settings, &request.actor, chunk, now, guard, &batch)?;
                let mut done: Vec<(UserKey, Queued)> = many
                    .adopted
                    .iter()
                    .map(|&key| (key, Queued::Adopted))
                    .collect();
                for (key, outcome) in many.outcomes {
                    let queued = match outcome {
                        Ok(VerifyOutcome::Queued(_)) => Queued::Message,
                        Ok(VerifyOutcome::ConnectedByDomain(_)) => Queued::Connected,
                        Err(ConnectionError::Refused(reason)) => Queued::Skipped(reason),
                        Err(ConnectionError::NotFound) => Queued::Skipped(SkipReason::NoAddress),
                        Err(other) => return Err(other),
                    };
                    done.push((key, queued));
                }
                Ok(done)
            })?)
        })?;
        update(progress, |p| {
            for (_, outcome) in &done {
                match outcome {
                    Queued::Message => p.queued += 1,
                    Queued::Adopted => {
                        p.queued += 1;
                        p.adopted += 1;
                    }
                    Queued::Connected => p.connected += 1,
                    Queued::Skipped(_) => p.skipped_now += 1,
                }
            }
        });
        queued.extend(done);
        (request.wake_worker)();
        (request.notify)();
    }
    update(progress, |p| p.queueing_done = true);
    // Follow the deliveries until nothing waits (or the job is dropped).
    let mut batch_cancelled = false;
    loop {
        if !batch_cancelled && cancel.load(Ordering::SeqCst) && !leave.load(Ordering::SeqCst) {
            // Cancel: what no worker has begun to hand over is not sent.
            through_outages(&mut store, |store| {
                Ok(
                    store
                        .write(|tx| tx.cancel_batch(&batch, "not sent: the send was cancelled"))?,
                )
            })?;
            batch_cancelled = true;
            update(progress, |p| p.cancelled = true);
        }
        let counts = through_outages(&mut store, |store| Ok(store.batch_counts(&batch)?))?;
        update(progress, |p| {
            p.sent = counts.sent;
            p.failed = counts.failed;
            p.not_sent = counts.cancelled;
            p.waiting = counts.waiting;
        });
        (request.notify)();
        if counts.waiting == 0 || leave.load(Ordering::SeqCst) {
            break;
        }
        if request.follow == Follow::FirstRound
            && through_outages(&mut store, |store| {
                Ok(store.batch_due_count(&batch, (request.clock)())?)
            })? == 0
        {
            break;
        }
        std::thread::sleep(request.poll);
    }
    through_outages(&mut store, |store| {
        results(store, &request.plan, &queued, &batch)
    })
}

/// Why a bulk send stopped.
#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    /// The register.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A use case.
    #[error(transparent)]
    Connection(#[from] ConnectionError),
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

impl BulkError {
    /// True when the register could not be reached (try again later).
    pub fn is_connection_lost(&self) -> bool {
        match self {
            Self::Store(error) | Self::Connection(ConnectionError::Store(error)) => {
                error.is_connection_lost()
            }
            _ => false,
        }
    }

    /// True when the register rolled the write back for a lock (a deadlock
    /// the server broke, a lock wait that ran out): it can be tried again.
    pub fn is_lock_conflict(&self) -> bool {
        matches!(
            self,
            Self::Store(StoreError::Locked | StoreError::Crossed)
                | Self::Connection(ConnectionError::Store(
                    StoreError::Locked | StoreError::Crossed
                ))
        )
    }
}

/// For `Verify accounts`' choice "use their Email": saves each selected
/// user's General Email as their Visma Connect address (pending
/// verification), as the form's *Use this address* and Save would, with the
/// same checks and audit. Sends nothing. Returns the selection as it is now
/// and how many addresses were refused (taken by another user, say).
pub fn use_general_emails(
    session: &mut Session,
    selection: Vec<UserRecord>,
) -> (Vec<UserRecord>, usize) {
    let mut refused = 0;
    let selection = selection
        .into_iter()
        .map(|record| {
            let Some(email) = record.user.email.clone() else {
                return record;
            };
            if !matches!(record.connection, crate::domain::Connection::None) {
                return record;
            }
            let mut draft = crate::domain::UserDraft::from_record(&record);
            draft.visma_email = email.to_string();
            draft.visma_email_confirm = email.to_string();
            super::save_user(session, Some(record.key), &draft).unwrap_or_else(|_| {
                refused += 1;
                record
            })
        })
        .collect();
    (selection, refused)
}
