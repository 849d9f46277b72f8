//! Delete a user from the register, with an audit row that keeps what was deleted.

use crate::domain::{AuditAction, UserDraft, UserKey};
use crate::store::Reads as _;

use super::SaveUserError;
use super::Session;
use super::snapshot::snapshot;

/// Deletes the user and their connection. A user already gone is `NotFound`.
pub fn delete_user(session: &mut Session, key: UserKey) -> Result<(), SaveUserError> {
    delete(session, key, None)
}

/// Deletes the user whose fields were `base` when the form was opened:
/// refused with [`SaveUserError::ChangedElsewhere`] when someone has changed
/// the user since, so the administrator is asked again.
pub fn delete_user_seen(
    session: &mut Session,
    key: UserKey,
    base: &UserDraft,
) -> Result<(), SaveUserError> {
    delete(session, key, Some(base))
}

fn delete(
    session: &mut Session,
    key: UserKey,
    base: Option<&UserDraft>,
) -> Result<(), SaveUserError> {
    let current = super::operator::operator(session)?;
    let deleted = session.write_audited(|tx, stamp| {
        let record = tx.user(key)?.ok_or(SaveUserError::NotFound)?;
        current.may_for(
            crate::domain::roles::Permission::UsersEdit,
            &record.user.department,
            &record.user.office,
        )?;
        if let Some(base) = base {
            super::save_user::check_unchanged(tx, &record, base, None)?;
        }
        // Marked before the user goes: their account is to be closed.
        super::idp::mark(tx, &tx.load_settings()?, key, stamp.now)?;
        tx.delete_user(key)?;
        tx.append_audit(
            &stamp
                .entry(AuditAction::UserDeleted)
                .about(key, record.user.user_id.to_string())
                .before(snapshot(&record.user, &record.connection)),
        )?;
        Ok(())
    });
    match deleted {
        Err(SaveUserError::Refused(refused)) => Err(SaveUserError::Refused(
            super::operator::audited(session, &current, refused),
        )),
        Ok(()) => {
            // The user may have been who is working.
            super::operator::forget(session);
            Ok(())
        }
        Err(error) => Err(error),
    }
}
