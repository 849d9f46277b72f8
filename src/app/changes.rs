//! What other programs changed in the register since a window last looked
//! (the endpoint's confirmations, another administrator's edits, the
//! worker's deliveries): a cheap check, then the changed users.

use super::Session;
use crate::domain::UserRecord;
use crate::store::StoreError;

/// Where a window's view of the register stands.
#[derive(Clone, Copy, Debug, Default)]
pub struct ChangeWatch {
    /// The database's data version last seen (changes by other connections).
    data_version: i64,
    /// The newest change stamp whose users were read.
    change_ms: i64,
}

impl ChangeWatch {
    /// Starts watching from a view read at `change_stamp` (read before the
    /// users, so a change made while they were read is picked up).
    pub fn from(session: &Session, change_stamp: i64) -> Self {
        Self {
            data_version: session.store.data_version().unwrap_or(0),
            change_ms: change_stamp,
        }
    }

    /// The users changed since the last look, or `None` when nothing
    /// changed (one indexed query when idle). Read errors count as no
    /// change: the next look tries again.
    pub fn changes(&mut self, session: &Session) -> Option<Vec<UserRecord>> {
        if !self.changed(session) {
            return None;
        }
        let read = Self::read_since(session, self.change_ms).ok()?;
        Some(self.take(read))
    }

    /// True when other programs changed the register since the last look:
    /// the cheap check alone (on PostgreSQL the notifications already
    /// received, no round trip), for a window that reads the changed users
    /// elsewhere ([`Self::read_since`], [`Self::take`]).
    pub fn changed(&mut self, session: &Session) -> bool {
        match session.store.data_version() {
            Ok(version) if version != self.data_version => {
                self.data_version = version;
                true
            }
            _ => false,
        }
    }

    /// A read of the changed users failed: the next look reads them again
    /// (rather than waiting for another change).
    pub fn read_failed(&mut self) {
        self.data_version = i64::MIN;
    }

    /// The change stamp whose users were read last: what to read since.
    pub fn since(&self) -> i64 {
        self.change_ms
    }

    /// The users changed after the stamp `since_ms`, and the newest stamp
    /// (read first: a change committed in between is read again next time
    /// rather than missed). Runs on any session of the register.
    pub fn read_since(session: &Session, since_ms: i64) -> Result<ChangesRead, StoreError> {
        let newest = session.store.last_change_ms().unwrap_or(since_ms);
        let users = session.store.users_changed_since(since_ms)?;
        Ok(ChangesRead { users, newest })
    }

    /// Takes a read of the changed users: later looks read since it.
    pub fn take(&mut self, read: ChangesRead) -> Vec<UserRecord> {
        self.change_ms = self.change_ms.max(read.newest);
        read.users
    }
}

/// The changed users read, and the newest change stamp when they were.
#[derive(Debug)]
pub struct ChangesRead {
    users: Vec<UserRecord>,
    newest: i64,
}
