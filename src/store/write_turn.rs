//! Whose turn it is to write a register file, among the connections of one
//! process: writers wait in line and each hands the turn to the next.
//!
//! SQLite lets one writer in at a time and makes the others poll, sleeping
//! longer and longer (up to 100 ms) between tries. A writer that commits and
//! begins again at once (a bulk send queueing chunk after chunk) then keeps
//! the file to itself: the window's own connection, which waits 2 s, was
//! told the register is locked, and the outbox worker beside it claimed and
//! recorded little until every message was queued. With a turn, each commit
//! hands the file to the writer that waited longest. Writers in other
//! processes still meet SQLite's own lock, as before.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use super::error::StoreError;

/// One file's line of writers.
type Line = parking_lot::Mutex<()>;

/// The lines of the files this process has open, by their canonical path.
fn lines() -> &'static Mutex<HashMap<PathBuf, Weak<Line>>> {
    static LINES: OnceLock<Mutex<HashMap<PathBuf, Weak<Line>>>> = OnceLock::new();
    LINES.get_or_init(Mutex::default)
}

/// A connection's place in its file's line of writers.
pub(super) struct WriteTurn {
    line: Arc<Line>,
    /// How long a writer waits for its turn before the register is reported
    /// locked: the connection's busy timeout.
    wait: std::cell::Cell<Duration>,
}

impl WriteTurn {
    /// The line of the file at `path` (shared with every other connection
    /// of this process to the same file, however its path was written).
    pub(super) fn for_file(path: &Path, wait: Duration) -> Self {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        // A thread that panicked while holding the map left it whole (each
        // change is one insert or retain).
        let mut lines = lines()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let line = lines.get(&key).and_then(Weak::upgrade).unwrap_or_else(|| {
            let line = Arc::new(Line::new(()));
            lines.retain(|_, line| line.strong_count() > 0);
            lines.insert(key, Arc::downgrade(&line));
            line
        });
        Self {
            line,
            wait: std::cell::Cell::new(wait),
        }
    }

    /// Sets how long a writer waits for its turn.
    pub(super) fn set_wait(&self, wait: Duration) {
        self.wait.set(wait);
    }

    /// Waits for this connection's turn to write; [`StoreError::Locked`] when
    /// another writer of this process held the file for longer than the wait.
    pub(super) fn take(&self) -> Result<Turn<'_>, StoreError> {
        self.line
            .try_lock_for(self.wait.get())
            .map(|guard| Turn(Some(guard)))
            .ok_or(StoreError::Locked)
    }
}

/// A turn to write; when it ends (the transaction committed or rolled
/// back), the writer that waited longest goes next.
pub(super) struct Turn<'a>(Option<parking_lot::MutexGuard<'a, ()>>);

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        if let Some(guard) = self.0.take() {
            parking_lot::MutexGuard::unlock_fair(guard);
        }
    }
}
