//! Save a user from the form: validate, check what must be unique, write the
//! user, their pending address and the audit rows in one transaction.

use crate::domain::{
    AuditAction, AuditEntry, Connection, Field, FieldErrors, UserDraft, UserKey, UserRecord,
};
use crate::store::StoreError;

use super::Session;
use super::snapshot::snapshot;

/// Why a user was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveUserError {
    /// The form has errors; each is shown at its field.
    #[error("The user was not saved: correct the fields marked in red.")]
    Invalid(FieldErrors),
    /// The user was deleted meanwhile (by another window or a script).
    #[error("This user no longer exists in the register; it may have been deleted elsewhere.")]
    NotFound,
    /// The register could not be written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Saves `draft` as a new user (`key` is `None`) or over an existing one.
///
/// A Visma Connect address is saved as pending verification; a connected
/// user's address is not changed here (that takes `Delete connection`).
/// Nothing is written when nothing changed.
pub fn save_user(
    session: &mut Session,
    key: Option<UserKey>,
    draft: &UserDraft,
) -> Result<UserRecord, SaveUserError> {
    let valid = draft.validate().map_err(SaveUserError::Invalid)?;
    let now = session.now();
    let now_ms = now.as_millisecond();
    let actor = session.actor.clone();
    session.store.write(|tx| {
        let before = match key {
            Some(key) => Some(tx.user(key)?.ok_or(SaveUserError::NotFound)?),
            None => None,
        };
        let mut errors = FieldErrors::new();
        if let Some(owner) = tx.user_id_owner(&valid.user.user_id)?
            && Some(owner) != key
        {
            errors.insert(
                Field::UserId,
                format!(
                    "User-ID {} is already used by another user.",
                    valid.user.user_id
                ),
            );
        }
        let old_connection = before
            .as_ref()
            .map(|b| b.connection.clone())
            .unwrap_or_default();
        let connection = match (&old_connection, valid.visma_email) {
            (Connection::Connected { .. }, _) => old_connection.clone(),
            (_, None) => Connection::None,
            (Connection::Unverified { email: old, .. }, Some(email)) if *old == email => {
                old_connection.clone()
            }
            (_, Some(email)) => {
                if let Some((owner, owner_id)) = tx.email_owner(&email)?
                    && Some(owner) != key
                {
                    errors.insert(
                        Field::VismaEmail,
                        format!("This address already belongs to user {owner_id}."),
                    );
                }
                Connection::Unverified {
                    email,
                    sent_count: 0,
                    last_sent_at: None,
                }
            }
        };
        if !errors.is_empty() {
            return Err(SaveUserError::Invalid(errors));
        }

        let entry = |action, key, before: Option<String>, after: String| AuditEntry {
            at: now,
            actor: actor.clone(),
            action,
            user_key: Some(key),
            user_id: valid.user.user_id.to_string(),
            before,
            after: Some(after),
        };
        let after_json = snapshot(&valid.user, &connection);
        let key = match &before {
            None => {
                let key = tx.insert_user(&valid.user, now_ms)?;
                tx.append_audit(&entry(
                    AuditAction::UserCreated,
                    key,
                    None,
                    after_json.clone(),
                ))?;
                key
            }
            Some(before) => {
                if before.user != valid.user {
                    tx.update_user(before.key, &valid.user, now_ms)?;
                    let before_json = snapshot(&before.user, &before.connection);
                    tx.append_audit(&entry(
                        AuditAction::UserUpdated,
                        before.key,
                        Some(before_json),
                        after_json.clone(),
                    ))?;
                }
                before.key
            }
        };
        if connection != old_connection {
            tx.set_connection(key, &connection, now_ms)?;
            let action = if connection == Connection::None {
                AuditAction::AddressRemoved
            } else {
                AuditAction::AddressSaved
            };
            let before_json = before.as_ref().map(|b| snapshot(&b.user, &b.connection));
            tx.append_audit(&entry(action, key, before_json, after_json))?;
        }
        let saved = tx.user(key)?.ok_or(SaveUserError::NotFound)?;
        Ok(saved)
    })
}
