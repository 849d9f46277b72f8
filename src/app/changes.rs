//! What other programs changed in the register since a window last looked
//! (the endpoint's confirmations, another administrator's edits, the
//! worker's deliveries): a cheap check, then the changed users.

use super::Session;
use crate::domain::UserRecord;

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
        let version = session.store.data_version().ok()?;
        if version == self.data_version {
            return None;
        }
        self.data_version = version;
        // The newest stamp first: a change committed in between is read
        // again next time rather than missed.
        let newest = session.store.last_change_ms().unwrap_or(self.change_ms);
        let changed = session.store.users_changed_since(self.change_ms).ok()?;
        self.change_ms = self.change_ms.max(newest);
        Some(changed)
    }
}
