//! Save a user from the form: validate, check what must be unique, write the
//! user, their pending address and the audit rows in one transaction.

use jiff::Timestamp;

use crate::domain::{
    AuditAction, AuditEntry, Connection, Field, FieldErrors, UserDraft, UserKey, UserRecord,
    overwritten_fields,
};
use crate::store::Reads as _;
use crate::store::{StoreError, WriteTx};

use super::Session;
use super::snapshot::snapshot;
use super::verification::end_links_of_deactivated;

/// Why a user was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveUserError {
    /// The form has errors; each is shown at its field.
    #[error("{}", t!("save-invalid"))]
    Invalid(FieldErrors),
    /// The user was deleted meanwhile (by another window or a script).
    #[error("{}", t!("user-not-found"))]
    NotFound,
    /// Someone else changed the user while the form was open; saving (or
    /// deleting) would undo their change. Nothing was written.
    #[error("{0}")]
    ChangedElsewhere(ChangedElsewhere),
    /// The operator may not: the field that names who is working changes
    /// for a user who holds a role, and they lack the permission *Roles*.
    #[error(transparent)]
    Refused(#[from] super::operator::Refused),
    /// The register could not be written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who changed a user while a form was open, when, and which fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangedElsewhere {
    /// The administrator (or program) of the newest change.
    pub by: String,
    /// When.
    pub at: Timestamp,
    /// The labels of the fields your save would overwrite (empty for a delete).
    pub fields: Vec<&'static str>,
}

impl std::fmt::Display for ChangedElsewhere {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let when = super::format_local(self.at);
        if self.fields.is_empty() {
            f.write_str(&t!("changed-elsewhere", by = &self.by, when = when))
        } else {
            f.write_str(&t!(
                "changed-elsewhere-fields",
                by = &self.by,
                fields = self.fields.join(", "),
                when = when
            ))
        }
    }
}

/// Refuses the change when the user as stored now differs from `base` (the
/// form as it was loaded) in a way `mine` would undo; `mine` is `None` for a
/// delete, where any change counts.
pub(super) fn check_unchanged(
    tx: &WriteTx<'_>,
    current: &UserRecord,
    base: &UserDraft,
    mine: Option<&UserDraft>,
) -> Result<(), SaveUserError> {
    let now = UserDraft::from_record(current);
    let fields = match mine {
        Some(mine) => {
            let connected = matches!(current.connection, Connection::Connected { .. });
            let fields = overwritten_fields(base, &now, mine, connected);
            if fields.is_empty() {
                return Ok(());
            }
            fields
        }
        None if now == *base => return Ok(()),
        None => Vec::new(),
    };
    let (by, at) = tx.last_audit_for(current.key)?.map_or_else(
        || ("Someone".to_owned(), Timestamp::UNIX_EPOCH),
        |entry| (entry.actor, entry.at),
    );
    Err(SaveUserError::ChangedElsewhere(ChangedElsewhere {
        by,
        at,
        fields,
    }))
}

/// Saves the form of a stored user whose fields were `base` when it was
/// opened: refused with [`SaveUserError::ChangedElsewhere`] when someone else
/// has since changed a field this save would overwrite. [`save_user`] is
/// *Save anyway*.
pub fn save_user_over(
    session: &mut Session,
    key: UserKey,
    base: &UserDraft,
    draft: &UserDraft,
) -> Result<UserRecord, SaveUserError> {
    save(session, Some(key), draft, Some(base))
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
    save(session, key, draft, None)
}

/// The connection the save leaves, once the User-ID and the address are
/// known to be free (every clash at its field).
fn checked_connection(
    tx: &WriteTx<'_>,
    key: Option<UserKey>,
    valid: &crate::domain::ValidDraft,
    before: Option<&UserRecord>,
) -> Result<Connection, SaveUserError> {
    let old_connection = &before.map(|b| b.connection.clone()).unwrap_or_default();
    let mut errors = FieldErrors::new();
    // A User-ID the user keeps is theirs: asked only when it is new.
    let keeps_user_id = before.is_some_and(|b| b.user.user_id == valid.user.user_id);
    if !keeps_user_id
        && let Some(owner) = tx.user_id_owner(&valid.user.user_id)?
        && Some(owner) != key
    {
        errors.insert(
            Field::UserId,
            t!("user-id-taken", user_id = valid.user.user_id.to_string()),
        );
    }
    let connection = match (old_connection, &valid.visma_email) {
        (Connection::Connected { .. }, _) => old_connection.clone(),
        (_, None) => Connection::None,
        (Connection::Unverified { email: old, .. }, Some(email)) if old == email => {
            old_connection.clone()
        }
        (_, Some(email)) => {
            if let Some((owner, owner_id)) = tx.email_owner(email)?
                && Some(owner) != key
            {
                errors.insert(
                    Field::VismaEmail,
                    t!("address-taken", user_id = owner_id.clone()),
                );
            }
            Connection::Unverified {
                email: email.clone(),
                sent_count: 0,
                last_sent_at: None,
            }
        }
    };
    if errors.is_empty() {
        Ok(connection)
    } else {
        Err(SaveUserError::Invalid(errors))
    }
}

/// True when `before` → `after` changes any field that may name who is
/// working (whichever `operator_field` says): only then do the roles and
/// the setting need a look.
fn may_change_login(before: &crate::domain::User, after: &crate::domain::User) -> bool {
    use crate::domain::settings::OperatorField;
    OperatorField::ALL
        .into_iter()
        .any(|field| field.value_of(before) != field.value_of(after))
}

fn save(
    session: &mut Session,
    key: Option<UserKey>,
    draft: &UserDraft,
    base: Option<&UserDraft>,
) -> Result<UserRecord, SaveUserError> {
    // Who is working, as last read (no round trip while nothing changed).
    let current = super::operator::operator(session)?;
    match save_as(session, key, draft, base, &current) {
        Err(SaveUserError::Refused(refused)) => Err(SaveUserError::Refused(
            super::operator::audited(session, &current, refused),
        )),
        Ok((saved, login_changed)) => {
            if login_changed {
                super::operator::forget(session);
            }
            Ok(saved)
        }
        Err(error) => Err(error),
    }
}

/// Saves as [`save`] for the operator `operator`: the saved user and
/// whether a field that may name who is working changed.
fn save_as(
    session: &mut Session,
    key: Option<UserKey>,
    draft: &UserDraft,
    base: Option<&UserDraft>,
    operator: &super::operator::Operator,
) -> Result<(UserRecord, bool), SaveUserError> {
    session
        .write_audited(|tx, stamp| save_in(tx, stamp.now, &stamp.actor, key, draft, base, operator))
}

/// Refuses unless `operator` may save `before` as `after`; whether a field
/// that may name who is working changes.
fn may_save(
    tx: &WriteTx<'_>,
    operator: &super::operator::Operator,
    before: Option<&UserRecord>,
    after: &crate::domain::User,
    settings: impl FnOnce() -> Result<crate::domain::Settings, crate::store::StoreError>,
) -> Result<bool, SaveUserError> {
    use crate::domain::roles::Permission;
    // Users are changed with *Users view: edit*, where the user is and
    // where they go.
    if let Some(before) = before {
        operator.may_for(
            Permission::UsersEdit,
            &before.user.department,
            &before.user.office,
        )?;
    }
    operator.may_for(Permission::UsersEdit, &after.department, &after.office)?;
    // Who is an administrator changes only with *Roles*: the login
    // field of a user who holds a role.
    let login_changed = before.is_some_and(|before| may_change_login(&before.user, after));
    if let Some(before) = before.filter(|_| login_changed) {
        let field = settings()?.operator_field;
        let holder = tx
            .all_roles()?
            .iter()
            .any(|(k, held)| *k == before.key && !held.is_empty());
        if holder && field.value_of(&before.user) != field.value_of(after) {
            operator.may(Permission::Roles)?;
        }
    }
    Ok(login_changed)
}

/// Saves `draft` inside the transaction `tx`, as [`save`] does: the form's
/// General fields, for one use case that saves the whole form at once.
pub(crate) fn save_in(
    tx: &WriteTx<'_>,
    now: jiff::Timestamp,
    actor: &str,
    key: Option<UserKey>,
    draft: &UserDraft,
    base: Option<&UserDraft>,
    operator: &super::operator::Operator,
) -> Result<(UserRecord, bool), SaveUserError> {
    let valid = draft.validate().map_err(SaveUserError::Invalid)?;
    let now_ms = now.as_millisecond();
    // The user and (on a shared register, in the same round trip) the
    // settings, which say who is an administrator and whether the
    // identity provider follows the change.
    let (before, read_settings) = match key {
        Some(key) => {
            let (user, settings) = tx.user_and_settings(key)?;
            (Some(user.ok_or(SaveUserError::NotFound)?), settings)
        }
        None => (None, None),
    };
    let settings = || match &read_settings {
        Some(settings) => Ok(settings.clone()),
        None => tx.load_settings(),
    };
    let login_changed = may_save(tx, operator, before.as_ref(), &valid.user, settings)?;
    if let (Some(current), Some(base)) = (&before, base) {
        check_unchanged(tx, current, base, Some(draft))?;
    }
    let old_connection = before
        .as_ref()
        .map(|b| b.connection.clone())
        .unwrap_or_default();
    let connection = checked_connection(tx, key, &valid, before.as_ref())?;

    let entry = |action, key, before: Option<String>, after: String| {
        AuditEntry::new(now, actor, action)
            .about(key, valid.user.user_id.to_string())
            .before(before)
            .after(after)
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
                if matches!(before.connection, Connection::Connected { .. }) {
                    super::idp::mark(tx, &settings()?, before.key, now)?;
                }
                end_links_of_deactivated(tx, before.key, Some(before), &valid.user, now)?;
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
    // The user as written (not read back: a round trip fewer).
    let saved = UserRecord {
        key,
        user: valid.user.clone(),
        connection,
    };
    Ok((saved, login_changed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AuditAction, ConnectedBy, ConnectionStatus};
    use crate::store::Store;

    fn session() -> Session {
        Session::new(Store::open_in_memory().unwrap())
    }

    fn anna(address: &str) -> UserDraft {
        UserDraft {
            user_id: "14".into(),
            first_name: "Anna".into(),
            last_name: "Svensson".into(),
            visma_email: address.into(),
            visma_email_confirm: address.into(),
            ..UserDraft::new_user()
        }
    }

    fn actions(session: &Session, key: UserKey) -> Vec<AuditAction> {
        let mut actions: Vec<_> = session
            .store
            .audit_for(key)
            .unwrap()
            .iter()
            .map(|e| e.action)
            .collect();
        actions.reverse();
        actions
    }

    #[test]
    fn a_new_user_with_an_address_is_pending_and_audited() {
        let mut session = session();
        let saved = save_user(&mut session, None, &anna("anna@company.se")).unwrap();
        assert_eq!(saved.connection.status(), ConnectionStatus::Pending);
        assert_eq!(
            actions(&session, saved.key),
            [AuditAction::UserCreated, AuditAction::AddressSaved]
        );
        let entry = &session.store.audit_for(saved.key).unwrap()[0];
        assert_eq!(entry.actor, session.actor);
        assert!(
            entry
                .after
                .as_deref()
                .unwrap()
                .contains("\"state\":\"pending\"")
        );
    }

    #[test]
    fn saving_unchanged_writes_nothing() {
        let mut session = session();
        let saved = save_user(&mut session, None, &anna("anna@company.se")).unwrap();
        let again = save_user(
            &mut session,
            Some(saved.key),
            &UserDraft::from_record(&saved),
        )
        .unwrap();
        assert_eq!(again, saved);
        assert_eq!(actions(&session, saved.key).len(), 2);
    }

    #[test]
    fn clearing_a_pending_address_removes_it() {
        let mut session = session();
        let saved = save_user(&mut session, None, &anna("anna@company.se")).unwrap();
        let cleared = save_user(&mut session, Some(saved.key), &anna("")).unwrap();
        assert_eq!(cleared.connection, Connection::None);
        assert_eq!(
            actions(&session, saved.key).last(),
            Some(&AuditAction::AddressRemoved)
        );
    }

    #[test]
    fn a_connected_address_is_not_changed_by_the_form() {
        let mut session = session();
        let saved = save_user(&mut session, None, &anna("anna@company.se")).unwrap();
        let connected = Connection::Connected {
            email: saved.connection.email().unwrap().clone(),
            since: jiff::Timestamp::from_second(1_800_000_000).unwrap(),
            by: ConnectedBy::Link,
        };
        session
            .store
            .write(|tx| tx.set_connection(saved.key, &connected, 0))
            .unwrap();
        let draft = UserDraft {
            office: "Lund".into(),
            ..anna("")
        };
        let after = save_user(&mut session, Some(saved.key), &draft).unwrap();
        assert_eq!(after.connection, connected);
        assert_eq!(after.user.office, "Lund");
    }

    #[test]
    fn a_taken_user_id_or_address_is_an_error_at_its_field() {
        let mut session = session();
        save_user(&mut session, None, &anna("anna@company.se")).unwrap();
        let other = UserDraft {
            user_id: "14".into(),
            ..anna("ANNA@company.se")
        };
        let Err(SaveUserError::Invalid(errors)) = save_user(&mut session, None, &other) else {
            panic!("expected field errors");
        };
        assert!(errors[&Field::UserId].contains("already used"));
        assert!(errors[&Field::VismaEmail].contains("already belongs to user 14"));
        assert_eq!(session.store.count_users().unwrap(), 1);
    }

    #[test]
    fn a_user_deleted_meanwhile_is_not_found() {
        let mut session = session();
        let saved = save_user(&mut session, None, &anna("")).unwrap();
        super::super::delete_user(&mut session, saved.key).unwrap();
        assert!(matches!(
            save_user(&mut session, Some(saved.key), &anna("")),
            Err(SaveUserError::NotFound)
        ));
        let log = session.store.audit_all().unwrap();
        assert_eq!(log.last().unwrap().action, AuditAction::UserDeleted);
        assert!(
            log.last()
                .unwrap()
                .before
                .as_deref()
                .unwrap()
                .contains("Svensson")
        );
    }
}
