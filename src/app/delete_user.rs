//! Delete a user from the register, with an audit row that keeps what was deleted.

use crate::domain::{AuditAction, AuditEntry, UserKey};

use super::SaveUserError;
use super::Session;
use super::snapshot::snapshot;

/// Deletes the user and their connection. A user already gone is `NotFound`.
pub fn delete_user(session: &mut Session, key: UserKey) -> Result<(), SaveUserError> {
    let now = session.now();
    let actor = session.actor.clone();
    session.store.write(|tx| {
        let record = tx.user(key)?.ok_or(SaveUserError::NotFound)?;
        tx.delete_user(key)?;
        tx.append_audit(&AuditEntry {
            at: now,
            actor,
            action: AuditAction::UserDeleted,
            user_key: Some(key),
            user_id: record.user.user_id.to_string(),
            before: Some(snapshot(&record.user, &record.connection)),
            after: None,
        })?;
        Ok(())
    })
}
