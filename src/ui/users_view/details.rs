//! A user's details (History, roles, audit rows, the last message) read
//! off the UI thread on a shared register: the form opens at once from the
//! list and says it is loading, and the window keeps painting whatever
//! the network does. A register file's few indexed reads stay on the UI
//! thread.

use std::sync::{Arc, Mutex};

use crate::app::{self, Session, UserDetails};
use crate::domain::UserKey;

use super::super::tasks::Task;

/// After this long without an answer, the register counts as not answering.
const NOT_ANSWERING_AFTER: std::time::Duration = std::time::Duration::from_secs(3);

/// Reads details on a session of its own, kept between reads.
pub(super) struct DetailsLoader {
    /// The reading session, opened at the first read (and again after the
    /// connection was lost).
    reader: Arc<Mutex<Option<Session>>>,
    /// The read under way, for which user, since when.
    task: Option<(UserKey, Task<UserDetails>, std::time::Instant)>,
    /// The window, to wake when a read is done.
    pub(super) ctx: egui::Context,
}

impl DetailsLoader {
    pub(super) fn new() -> Self {
        Self {
            reader: Arc::default(),
            task: None,
            ctx: egui::Context::default(),
        }
    }

    /// Starts reading `key`'s details (a read for another user is dropped
    /// when it ends).
    pub(super) fn start(&mut self, session: &Session, key: UserKey) {
        let reader = Arc::clone(&self.reader);
        let reopen = session.reopener();
        let task = Task::spawn(&self.ctx, "user-details", move |_| {
            let mut held = reader
                .lock()
                .map_err(|_| t!("task-failed", task = "user-details"))?;
            if held.is_none() {
                *held = Some(reopen().map_err(|e| e.to_string())?);
            }
            let Some(session) = held.as_ref() else {
                return Err(t!("task-failed", task = "user-details"));
            };
            app::user_details(session, key).map_err(|error| {
                if error.is_connection_lost() {
                    *held = None;
                }
                error.to_string()
            })
        });
        self.task = Some((key, task, std::time::Instant::now()));
    }

    /// How long the read under way has waited for the register, once that
    /// is longer than a moment (the window then says the register is not
    /// answering).
    pub(super) fn waiting_long(&self) -> Option<std::time::Duration> {
        let (_, task, since) = self.task.as_ref()?;
        let waited = since.elapsed();
        (task.result().is_none() && waited >= NOT_ANSWERING_AFTER).then_some(waited)
    }

    /// The details of `key`, once read (or why they could not be).
    pub(super) fn take(&mut self, key: UserKey) -> Option<Result<UserDetails, String>> {
        let (for_key, task, _) = self.task.as_mut()?;
        let result = task.take_result()?;
        let for_key = *for_key;
        self.task = None;
        (for_key == key).then_some(result)
    }
}
