//! How the worker's health is judged for `/health`: rounds that keep failing,
//! and a lease that is not renewed.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long rounds may keep failing, or the lease go unrenewed, before the
/// worker counts as not delivering (`/health` then answers 503).
pub(super) const UNHEALTHY_AFTER: Duration = Duration::from_secs(5);

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
    pub(super) state: Mutex<HealthState>,
}

#[derive(Debug)]
pub(super) struct HealthState {
    pub(super) running: bool,
    pub(super) rounds_failing_since: Option<Instant>,
    pub(super) lease_failing_since: Option<Instant>,
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

    pub(super) fn round_ended(&self, ok: bool) {
        failing_since(&mut self.lock().rounds_failing_since, ok);
    }

    pub(super) fn lease_renewed(&self, ok: bool) {
        failing_since(&mut self.lock().lease_failing_since, ok);
    }

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, HealthState> {
        // The state is a few plain fields: a panic elsewhere leaves it whole.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Notes an attempt in `since`: cleared when it went through, else set to
/// the first failure of the run of failures.
pub(super) fn failing_since(since: &mut Option<Instant>, ok: bool) {
    *since = if ok {
        None
    } else {
        since.or_else(|| Some(Instant::now()))
    };
}
