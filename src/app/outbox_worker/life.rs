//! The worker's life: its thread, the heartbeat that renews its lease, the
//! handle that wakes or stops it, and giving the lease up at a clean stop.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use jiff::SignedDuration;

use crate::domain::Clock;
use crate::store::{Store, StoreError, WorkerRow};

use super::{OutboxWorker, WorkerHealth, WorkerOptions};

impl OutboxWorker {
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
    pub(super) fn spawn_heartbeat(
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
    pub(super) fn retire(&self) {
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
pub(super) fn renew_or_register(
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
pub(super) struct StoppedOnDrop(Arc<WorkerHealth>);

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
pub(super) fn lease_span(options: &WorkerOptions) -> SignedDuration {
    SignedDuration::try_from(options.lease).unwrap_or(SignedDuration::from_secs(30))
}

/// This machine's name, as worker rows record it.
pub(super) fn host_name() -> String {
    whoami::fallible::hostname().unwrap_or_else(|_| "unknown host".to_owned())
}

/// False only when the process is known to be gone (Linux: no `/proc/PID`).
/// Elsewhere the lease decides.
pub(super) fn process_alive(pid: i64) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

/// The worker's thread, to wake it or stop it.
pub struct WorkerHandle {
    pub(super) health: Arc<WorkerHealth>,
    pub(super) wake: mpsc::Sender<bool>,
    pub(super) stopping: Arc<AtomicBool>,
    pub(super) thread: Option<std::thread::JoinHandle<()>>,
    pub(super) heartbeat: Option<std::thread::JoinHandle<()>>,
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

    pub(super) fn stop_and_join(&mut self) {
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
