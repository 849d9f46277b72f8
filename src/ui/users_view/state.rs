//! The register the Users view works on, apart from how it is drawn: the
//! session, the services beside it, who is working, what other programs
//! changed and the list of users. Every part of the view draws from it.

use crate::app::services::Services;
use crate::app::{self, Session};
use crate::domain::Listing;
use crate::domain::roles::Permission;

/// The register and who is working on it.
pub(super) struct RegisterState {
    pub(super) session: Session,
    /// The users, filtered and sorted as the list shows them.
    pub(super) listing: Listing,
    /// The demo register (said in a banner).
    pub(super) is_demo: bool,
    /// User rows the register holds that could not be read when it was
    /// opened (left out of the list).
    pub(super) damaged_users: usize,
    /// The outbox worker and endpoint beside the window (none in tests).
    pub(super) services: Option<Services>,
    /// Who is working and what their roles permit (read again on changes).
    pub(super) operator: app::operator::Operator,
    /// What other programs changed since the last look.
    pub(super) changes: app::ChangeWatch,
    /// When (in egui's seconds) to look for changes next.
    pub(super) next_poll_secs: f64,
}

impl RegisterState {
    /// Why the operator may not do what `permission` covers; `None` when they may.
    pub(super) fn refusal(&self, permission: Permission) -> Option<String> {
        self.operator.may(permission).err().map(|r| r.sentence)
    }
}
