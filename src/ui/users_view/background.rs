//! The Users view's reads and writes off the UI thread on a shared
//! register: a user's details when the form opens, the form's work
//! (`form_work`), the users another program changed, the form read again
//! after such a change, the operator's rights, and the emails still
//! waiting when the window is asked to close. They run one at a time on a session of their
//! own, so the window keeps painting whatever the network does, and say
//! when the register has not answered for a while. A register file's few
//! indexed reads and its writes stay on the UI thread.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::app::operator::Operator;
use crate::app::{self, ChangeWatch, ChangesRead, Session, UserDetails};
use crate::domain::UserKey;

use super::super::tasks::Task;
use super::form_work::{self, Done, Job, Reread};

/// After this long without an answer, the register counts as not answering.
const NOT_ANSWERING_AFTER: Duration = Duration::from_secs(2);

/// The session of the work off the UI thread, opened at the first use (and
/// again after its connection was lost).
type Reader = Arc<Mutex<Option<Session>>>;

/// Work under way off the UI thread, and its session.
pub(super) struct Background {
    reader: Reader,
    /// The details being read, for which user, since when.
    details: Option<(UserKey, Task<UserDetails>, Instant)>,
    /// The form's work under way, since when.
    job: Option<(Task<Done>, Instant)>,
    /// The form being read again after another program's change.
    refresh: Option<(UserKey, Task<Reread>, Instant)>,
    /// The operator being read again.
    operator: Option<(Task<Operator>, Instant)>,
    /// The users other programs changed, being read.
    changes: Option<(Task<ChangesRead>, Instant)>,
    /// The emails still waiting, counted when the window is asked to close.
    waiting: Option<(Task<usize>, Instant)>,
    /// The window, to wake when work is done.
    pub(super) ctx: egui::Context,
}

/// Runs `work` as task `name` on `reader`'s session, opening it first when
/// there is none or its connection was lost.
fn on_reader<T: Send + 'static>(
    ctx: &egui::Context,
    reader: &Reader,
    session: &Session,
    name: &'static str,
    work: impl FnOnce(&mut Session) -> Result<T, String> + Send + 'static,
) -> Task<T> {
    let reader = Arc::clone(reader);
    let reopen = session.reopener();
    Task::spawn(ctx, name, move |_| {
        // Work that panicked left the session in doubt: open a new one.
        let mut held = reader.lock().unwrap_or_else(|poisoned| {
            let mut held = poisoned.into_inner();
            *held = None;
            held
        });
        if held.as_ref().is_some_and(Session::is_closed) {
            *held = None;
        }
        if held.is_none() {
            *held = Some(reopen().map_err(|e| e.to_string())?);
        }
        match held.as_mut() {
            Some(session) => work(session),
            None => Err(t!("task-failed", task = name)),
        }
    })
}

impl Background {
    pub(super) fn new() -> Self {
        Self {
            reader: Arc::default(),
            details: None,
            job: None,
            refresh: None,
            operator: None,
            changes: None,
            waiting: None,
            ctx: egui::Context::default(),
        }
    }

    /// Starts reading `key`'s details (a read for another user is dropped
    /// when it ends).
    pub(super) fn start_details(&mut self, session: &Session, key: UserKey) {
        let task = on_reader(&self.ctx, &self.reader, session, "user-details", move |s| {
            app::user_details(s, key).map_err(|error| error.to_string())
        });
        self.details = Some((key, task, Instant::now()));
    }

    /// The details of `key`, once read (or why they could not be).
    pub(super) fn take_details(&mut self, key: UserKey) -> Option<Result<UserDetails, String>> {
        let (for_key, task, _) = self.details.as_mut()?;
        let result = task.take_result()?;
        let for_key = *for_key;
        self.details = None;
        (for_key == key).then_some(result)
    }

    /// Starts the form's `job`; false (and nothing started) while one is
    /// under way: a second click does not start a second Save.
    pub(super) fn start_job(&mut self, session: &Session, job: Job) -> bool {
        if self.job_running() {
            return false;
        }
        let task = on_reader(&self.ctx, &self.reader, session, "form-work", move |s| {
            Ok(form_work::run(s, job))
        });
        self.job = Some((task, Instant::now()));
        true
    }

    /// True while the form's work is under way.
    pub(super) fn job_running(&self) -> bool {
        self.job.is_some()
    }

    /// What the form's work did, once it is done (an error: the work could
    /// not run at all, e.g. the register could not be reached).
    pub(super) fn take_job(&mut self) -> Option<Result<Done, String>> {
        let (task, _) = self.job.as_mut()?;
        let result = task.take_result()?;
        self.job = None;
        Some(result)
    }

    /// Starts reading `key` and their details again (another program
    /// changed them).
    pub(super) fn start_refresh(&mut self, session: &Session, key: UserKey) {
        let task = on_reader(&self.ctx, &self.reader, session, "form-refresh", move |s| {
            Ok(match s.user(key) {
                Ok(Some(record)) => {
                    let details = app::user_details(s, key).unwrap_or_default();
                    Some((record, details))
                }
                _ => None,
            })
        });
        self.refresh = Some((key, task, Instant::now()));
    }

    /// The user read again, once read.
    pub(super) fn take_refresh(&mut self) -> Option<(UserKey, Reread)> {
        let (key, task, _) = self.refresh.as_mut()?;
        let result = task.take_result()?;
        let key = *key;
        self.refresh = None;
        Some((key, result.ok().flatten()))
    }

    /// Starts reading the operator's rights again.
    pub(super) fn start_operator(&mut self, session: &Session) {
        let task = on_reader(&self.ctx, &self.reader, session, "operator", |s| {
            app::operator::operator(s).map_err(|error| error.to_string())
        });
        self.operator = Some((task, Instant::now()));
    }

    /// The operator read again, once read (kept as they were when the read failed).
    pub(super) fn take_operator(&mut self) -> Option<Operator> {
        let (task, _) = self.operator.as_mut()?;
        let result = task.take_result()?;
        self.operator = None;
        result.ok()
    }

    /// Starts reading the users changed after the stamp `since_ms`; false
    /// (and nothing started) while a read is under way.
    pub(super) fn start_changes(&mut self, session: &Session, since_ms: i64) -> bool {
        if self.changes.is_some() {
            return false;
        }
        let task = on_reader(&self.ctx, &self.reader, session, "changes", move |s| {
            ChangeWatch::read_since(s, since_ms).map_err(|error| error.to_string())
        });
        self.changes = Some((task, Instant::now()));
        true
    }

    /// True while the changed users are being read.
    pub(super) fn changes_running(&self) -> bool {
        self.changes.is_some()
    }

    /// The changed users, once read (or why they could not be).
    pub(super) fn take_changes(&mut self) -> Option<Result<ChangesRead, String>> {
        let (task, _) = self.changes.as_mut()?;
        let result = task.take_result()?;
        self.changes = None;
        Some(result)
    }

    /// Starts counting the emails still waiting to be sent (the window was
    /// asked to close); nothing new while a count is under way.
    pub(super) fn start_waiting_count(&mut self, session: &Session) {
        if self.waiting.is_some() {
            return;
        }
        let task = on_reader(&self.ctx, &self.reader, session, "waiting-count", |s| {
            s.queued_count().map_err(|error| error.to_string())
        });
        self.waiting = Some((task, Instant::now()));
    }

    /// The emails still waiting, once counted (an error: the count could not
    /// be made).
    pub(super) fn take_waiting_count(&mut self) -> Option<Result<usize, String>> {
        let (task, _) = self.waiting.as_mut()?;
        let result = task.take_result()?;
        self.waiting = None;
        Some(result)
    }

    /// How long the oldest work under way has waited for the register, once
    /// that is longer than a moment (the window then says the register is
    /// not answering).
    pub(super) fn waiting_long(&self) -> Option<Duration> {
        let waiting = |done: bool, since: Instant| (!done).then(|| since.elapsed());
        [
            self.details
                .as_ref()
                .and_then(|(_, t, since)| waiting(t.result().is_some(), *since)),
            self.job
                .as_ref()
                .and_then(|(t, since)| waiting(t.result().is_some(), *since)),
            self.refresh
                .as_ref()
                .and_then(|(_, t, since)| waiting(t.result().is_some(), *since)),
            self.operator
                .as_ref()
                .and_then(|(t, since)| waiting(t.result().is_some(), *since)),
            self.changes
                .as_ref()
                .and_then(|(t, since)| waiting(t.result().is_some(), *since)),
            self.waiting
                .as_ref()
                .and_then(|(t, since)| waiting(t.result().is_some(), *since)),
        ]
        .into_iter()
        .flatten()
        .max()
        .filter(|waited| *waited >= NOT_ANSWERING_AFTER)
    }
}
