//! What the form shows beyond the user's fields: the last message, the live
//! link's expiry and the History of the user's audit rows.

use jiff::Timestamp;

use crate::domain::{AuditEntry, OutboxMessage, UserKey};
use crate::store::StoreError;

use super::Session;

/// How many History rows the form shows.
pub const HISTORY_ROWS: usize = 100;

/// The form's extra facts about one user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserDetails {
    /// The newest message to the user, if any.
    pub last_message: Option<OutboxMessage>,
    /// When the newest working link expires, if one works.
    pub link_expires: Option<Timestamp>,
    /// The user's audit rows, newest first.
    pub history: Vec<AuditEntry>,
    /// The user's roles (the Authorisations tab).
    pub roles: Vec<crate::domain::roles::Assignment>,
}

/// Reads the details of one user (four indexed queries).
pub fn user_details(session: &Session, key: UserKey) -> Result<UserDetails, StoreError> {
    let mut history = session.store.audit_for(key)?;
    history.truncate(HISTORY_ROWS);
    Ok(UserDetails {
        last_message: session.store.last_message_for(key)?,
        link_expires: session
            .store
            .live_token_for(key, session.now())?
            .map(|t| t.expires_at),
        history,
        roles: session.store.roles_of(key)?,
    })
}
