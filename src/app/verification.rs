//! The connection's use cases: verify an account (or connect it at once by
//! verified domain), confirm a link, send a password reset, delete a
//! connection. Each is one transaction with its audit row and, where a
//! message must go out, its outbox row: no message is sent from here.
//!
//! Here: verifying, resetting and deleting connections. A link, checked
//! and confirmed, is `links`.

use jiff::Timestamp;

use crate::domain::{
    AuditAction, AuditEntry, ConnectedBy, Connection, Email, MessageKind, SkipReason, UserKey,
    UserRecord, VerifyDecision, VismaConnectPhase, verify_decision,
};
use crate::store::Reads as _;
use crate::store::{NewMessage, StoreError, WriteTx};

use super::Session;
use super::link_token::random_hex;
use super::snapshot::snapshot;

mod links;

pub(crate) use links::working_token;
pub use links::{ConfirmError, LinkError, confirm_link, inspect_link};

/// What a verification did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyOutcome {
    /// A verification email to this address is queued.
    Queued(Email),
    /// Connected at once: the address is in a verified domain.
    ConnectedByDomain(Email),
}

/// Why a connection action did nothing.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    /// The rules say no (already connected, no address, not activated).
    #[error("{}", .0.sentence())]
    Refused(SkipReason),
    /// The action needs a connected user.
    #[error("{}", t!("user-not-connected"))]
    NotConnected,
    /// The user was deleted meanwhile.
    #[error("{}", t!("user-not-found"))]
    NotFound,
    /// No random Message-ID could be made.
    #[error("{0}")]
    Random(String),
    /// The operator's roles do not permit it for this user (audited).
    #[error(transparent)]
    Denied(#[from] super::operator::Refused),
    /// The register could not be written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The operator's check for a connection action on `key`'s user, inside
/// its transaction: *Users view: edit* where the user is.
fn may_change(
    tx: &WriteTx<'_>,
    operator: &super::operator::Operator,
    key: UserKey,
) -> Result<UserRecord, ConnectionError> {
    let record = tx.user(key)?.ok_or(ConnectionError::NotFound)?;
    may_change_record(operator, &record)?;
    Ok(record)
}

/// Refuses unless the operator may change `record` where the user is.
fn may_change_record(
    operator: &super::operator::Operator,
    record: &UserRecord,
) -> Result<(), ConnectionError> {
    operator.may_for(
        crate::domain::roles::Permission::UsersEdit,
        &record.user.department,
        &record.user.office,
    )?;
    Ok(())
}

/// A connection action's result, with a refusal written to the audit log.
fn audited<T>(
    session: &mut Session,
    operator: &super::operator::Operator,
    result: Result<T, ConnectionError>,
) -> Result<T, ConnectionError> {
    match result {
        Err(ConnectionError::Denied(refused)) => Err(ConnectionError::Denied(
            super::operator::audited(session, operator, refused),
        )),
        other => other,
    }
}

pub(crate) fn entry(
    session_actor: &str,
    now: Timestamp,
    action: AuditAction,
    record: &UserRecord,
    after: Option<String>,
) -> AuditEntry {
    AuditEntry::new(now, session_actor, action)
        .about(record.key, record.user.user_id.to_string())
        .before(snapshot(&record.user, &record.connection))
        .after(after)
}

/// A new Message-ID in the sender's domain.
pub fn new_message_id(sender: &Email) -> Result<String, ConnectionError> {
    let random = random_hex(16).map_err(|e| ConnectionError::Random(e.to_string()))?;
    Ok(format!("<{random}@{}>", sender.ascii_domain()))
}

/// Verifies one user inside a transaction: queues the email, or connects at
/// once by verified domain. Older links die and older queued verifications
/// are cancelled. `resend_guard` as in [`verify_decision`].
pub fn verify_in(
    tx: &WriteTx<'_>,
    settings: &crate::domain::Settings,
    actor: &str,
    key: UserKey,
    now: Timestamp,
    resend_guard: Option<Timestamp>,
    batch: Option<&str>,
) -> Result<VerifyOutcome, ConnectionError> {
    let record = tx.user(key)?.ok_or(ConnectionError::NotFound)?;
    verify_record_in(tx, settings, actor, &record, now, resend_guard, batch)
}

/// [`verify_in`] for the user `record` as just read in this transaction.
fn verify_record_in(
    tx: &WriteTx<'_>,
    settings: &crate::domain::Settings,
    actor: &str,
    record: &UserRecord,
    now: Timestamp,
    resend_guard: Option<Timestamp>,
    batch: Option<&str>,
) -> Result<VerifyOutcome, ConnectionError> {
    let key = record.key;
    match verify_decision(
        record,
        settings,
        resend_guard,
        super::roles::day_in(settings, now),
    ) {
        VerifyDecision::Skip(reason) => Err(ConnectionError::Refused(reason)),
        VerifyDecision::ConnectByDomain(email) => {
            let connected = Connection::Connected {
                email: email.clone(),
                since: now,
                by: ConnectedBy::VerifiedDomain,
            };
            tx.supersede_tokens(key, now)?;
            tx.cancel_queued(
                key,
                MessageKind::Verification,
                "not sent: connected by verified domain",
            )?;
            tx.set_connection(key, &connected, now.as_millisecond())?;
            super::idp::mark(tx, settings, key, now)?;
            tx.append_audit(&entry(
                actor,
                now,
                AuditAction::ConnectedByDomain,
                record,
                Some(snapshot(&record.user, &connected)),
            ))?;
            Ok(VerifyOutcome::ConnectedByDomain(email))
        }
        VerifyDecision::Send(email) => {
            tx.supersede_tokens(key, now)?;
            tx.cancel_queued(
                key,
                MessageKind::Verification,
                "not sent: a newer verification replaced it",
            )?;
            let message_id = new_message_id(&settings.sender_address)?;
            let id = tx.queue_message(
                MessageKind::Verification,
                Some(key),
                &email,
                &message_id,
                now,
            )?;
            if let Some(batch) = batch {
                tx.set_message_batch(id, batch)?;
            }
            tx.append_audit(&entry(
                actor,
                now,
                AuditAction::VerificationQueued,
                record,
                Some(
                    serde_json::json!({ "message_id": message_id, "to": email.masked() })
                        .to_string(),
                ),
            ))?;
            Ok(VerifyOutcome::Queued(email))
        }
    }
}

/// What [`verify_many_in`] did for one user.
pub type UserOutcome = (UserKey, Result<VerifyOutcome, ConnectionError>);

/// What [`verify_many_in`] did for the users of one part of a bulk send.
#[derive(Debug, Default)]
pub struct ManyOutcomes {
    /// Users whose earlier verification still waited (a send stopped half
    /// way): put into this send as it is, never a second message.
    pub adopted: Vec<UserKey>,
    /// Every other user, with what was done.
    pub outcomes: Vec<UserOutcome>,
}

/// Verifies many users of one bulk send inside a transaction, as
/// [`verify_in`] would one by one, with each kind of write made once for
/// all of them (on a shared register a few statements instead of several
/// per user). A verification that still waits to go out is adopted into
/// `batch` instead of being replaced. Users in `keys` that no longer exist
/// are `NotFound`.
pub fn verify_many_in(
    tx: &WriteTx<'_>,
    settings: &crate::domain::Settings,
    actor: &str,
    keys: &[UserKey],
    now: Timestamp,
    resend_guard: Option<Timestamp>,
    batch: &str,
) -> Result<ManyOutcomes, ConnectionError> {
    let adopted = tx.adopt_waiting_verifications(keys, batch)?;
    // Adopted in this transaction, which holds the register's write lock
    // (no other verification can be queued meanwhile): none of the others
    // has one waiting, so none is cancelled for the new one (the statement
    // that would look cost a scan of every queued message on a shared
    // register).
    let keys: Vec<UserKey> = keys
        .iter()
        .copied()
        .filter(|key| !adopted.contains(key))
        .collect();
    let records: std::collections::HashMap<UserKey, UserRecord> = tx
        .users_by_keys(&keys)?
        .into_iter()
        .map(|record| (record.key, record))
        .collect();
    let mut outcomes = Vec::with_capacity(keys.len());
    let today = super::roles::day_in(settings, now);
    let mut sends: Vec<(&UserRecord, Email, String)> = Vec::new();
    for &key in &keys {
        let Some(record) = records.get(&key) else {
            outcomes.push((key, Err(ConnectionError::NotFound)));
            continue;
        };
        match verify_decision(record, settings, resend_guard, today) {
            VerifyDecision::Skip(reason) => {
                outcomes.push((key, Err(ConnectionError::Refused(reason))));
            }
            // One by one, each with the record read above; on a shared
            // register its writes go with the batch's next round trip.
            VerifyDecision::ConnectByDomain(_) => {
                let outcome =
                    verify_record_in(tx, settings, actor, record, now, resend_guard, Some(batch));
                if let Err(ConnectionError::Store(error)) = outcome {
                    return Err(error.into());
                }
                outcomes.push((key, outcome));
            }
            VerifyDecision::Send(email) => {
                let message_id = new_message_id(&settings.sender_address)?;
                sends.push((record, email, message_id));
            }
        }
    }
    let sending: Vec<UserKey> = sends.iter().map(|(record, _, _)| record.key).collect();
    tx.supersede_tokens_of(&sending, now)?;
    let messages: Vec<NewMessage<'_>> = sends
        .iter()
        .map(|(record, email, message_id)| NewMessage {
            kind: MessageKind::Verification,
            user_key: record.key,
            recipient: email,
            message_id,
        })
        .collect();
    tx.queue_batch_messages(&messages, batch, now)?;
    for (record, email, message_id) in sends {
        tx.append_audit(&entry(
            actor,
            now,
            AuditAction::VerificationQueued,
            record,
            Some(serde_json::json!({ "message_id": message_id, "to": email.masked() }).to_string()),
        ))?;
        outcomes.push((record.key, Ok(VerifyOutcome::Queued(email))));
    }
    Ok(ManyOutcomes { adopted, outcomes })
}

/// A user who is deactivated can no longer be connected: their live links
/// die and a verification still queued is not sent. Called by every write
/// that can change `activated` (the form, an import).
pub(crate) fn end_links_of_deactivated(
    tx: &WriteTx<'_>,
    key: UserKey,
    before: Option<&UserRecord>,
    after: &crate::domain::User,
    now: Timestamp,
) -> Result<(), StoreError> {
    if before.is_some_and(|b| b.user.activated) && !after.activated {
        tx.supersede_tokens(key, now)?;
        tx.cancel_queued(
            key,
            MessageKind::Verification,
            "not sent: the user was deactivated",
        )?;
    }
    Ok(())
}

/// `Verify account` / `Send again` for one user.
pub fn verify_account(
    session: &mut Session,
    key: UserKey,
) -> Result<VerifyOutcome, ConnectionError> {
    let operator = super::operator::operator(session)?;
    let result = session.write_audited(|tx, stamp| {
        // The user as the check read them, and the settings as this
        // transaction sees them (on a shared register, one round trip).
        let (record, settings) = tx.user_and_settings(key)?;
        let record = record.ok_or(ConnectionError::NotFound)?;
        may_change_record(&operator, &record)?;
        let settings = match settings {
            Some(settings) => settings,
            None => tx.load_settings()?,
        };
        verify_record_in(tx, &settings, &stamp.actor, &record, stamp.now, None, None)
    });
    audited(session, &operator, result)
}

/// `Reset password`: queues the reset message for a connected user.
pub fn reset_password(session: &mut Session, key: UserKey) -> Result<Email, ConnectionError> {
    let settings = session.store.load_settings()?;
    let operator = super::operator::operator(session)?;
    let result = session.write_audited(|tx, stamp| {
        may_change(tx, &operator, key)?;
        let record = tx.user(key)?.ok_or(ConnectionError::NotFound)?;
        let Connection::Connected { email, .. } = &record.connection else {
            return Err(ConnectionError::NotConnected);
        };
        let message_id = new_message_id(&settings.sender_address)?;
        tx.queue_message(
            MessageKind::PasswordReset,
            Some(key),
            email,
            &message_id,
            stamp.now,
        )?;
        tx.append_audit(&entry(
            &stamp.actor,
            stamp.now,
            AuditAction::ResetQueued,
            &record,
            Some(serde_json::json!({ "message_id": message_id, "to": email.masked() }).to_string()),
        ))?;
        Ok(email.clone())
    });
    audited(session, &operator, result)
}

/// Whether *Delete connection* invited the employee to link again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RelinkInvitation {
    /// Live phase (or nothing was deleted, or the user is deactivated): the
    /// administrator enters the new address.
    NotSent,
    /// Preparation phase: the invitation to *Security and login* is queued
    /// to the user's General Email.
    Queued(Email),
    /// Preparation phase, but the user has no General Email: the
    /// administrator must enter the new address.
    NoEmail,
}

/// What *Delete connection* did.
#[derive(Clone, Debug)]
pub struct DeletedConnection {
    /// The user as they are now.
    pub record: UserRecord,
    /// Whether the employee was invited to link again.
    pub invitation: RelinkInvitation,
}

/// `Delete connection`: the user is no longer connected, links die, queued
/// messages are cancelled, and a new address can be entered. In the
/// preparation phase the employee is also invited (by their General Email)
/// to redo the link themselves.
pub fn delete_connection(
    session: &mut Session,
    key: UserKey,
) -> Result<DeletedConnection, ConnectionError> {
    let settings = session.store.load_settings()?;
    let operator = super::operator::operator(session)?;
    let result = session.write_audited(|tx, stamp| {
        may_change(tx, &operator, key)?;
        let record = tx.user(key)?.ok_or(ConnectionError::NotFound)?;
        if record.connection == Connection::None {
            return Ok(DeletedConnection {
                record,
                invitation: RelinkInvitation::NotSent,
            });
        }
        remove_connection_in(
            tx,
            &settings,
            key,
            stamp.now,
            "not sent: the connection was deleted",
        )?;
        tx.append_audit(&entry(
            &stamp.actor,
            stamp.now,
            AuditAction::ConnectionDeleted,
            &record,
            Some(snapshot(&record.user, &Connection::None)),
        ))?;
        let invitation = if settings.visma_connect_phase != VismaConnectPhase::Preparation
            || !record.user.activated
        {
            RelinkInvitation::NotSent
        } else if let Some(email) = &record.user.email {
            queue_relink_invitation(tx, &settings, &stamp.actor, &record, email, stamp.now)?;
            RelinkInvitation::Queued(email.clone())
        } else {
            RelinkInvitation::NoEmail
        };
        Ok(DeletedConnection {
            record: tx.user(key)?.ok_or(ConnectionError::NotFound)?,
            invitation,
        })
    });
    audited(session, &operator, result)
}

/// Ends a user's connection inside a transaction: links die, messages still
/// queued for it are cancelled with `reason`, and the user has no address.
pub(crate) fn remove_connection_in(
    tx: &WriteTx<'_>,
    settings: &crate::domain::Settings,
    key: UserKey,
    now: Timestamp,
    reason: &str,
) -> Result<(), StoreError> {
    // Marked while the user is still connected: the account is to be closed.
    super::idp::mark(tx, settings, key, now)?;
    tx.supersede_tokens(key, now)?;
    for kind in [
        MessageKind::Verification,
        MessageKind::PasswordReset,
        MessageKind::RelinkInvitation,
    ] {
        tx.cancel_queued(key, kind, reason)?;
    }
    tx.set_connection(key, &Connection::None, now.as_millisecond())
}

/// Queues the preparation phase's invitation to redo the link (an older
/// one still waiting is cancelled), with its audit row.
pub(crate) fn queue_relink_invitation(
    tx: &WriteTx<'_>,
    settings: &crate::domain::Settings,
    actor: &str,
    record: &UserRecord,
    email: &Email,
    now: Timestamp,
) -> Result<(), ConnectionError> {
    tx.cancel_queued(
        record.key,
        MessageKind::RelinkInvitation,
        "not sent: a newer invitation replaced it",
    )?;
    let message_id = new_message_id(&settings.sender_address)?;
    tx.queue_message(
        MessageKind::RelinkInvitation,
        Some(record.key),
        email,
        &message_id,
        now,
    )?;
    tx.append_audit(&entry(
        actor,
        now,
        AuditAction::RelinkInvitationQueued,
        record,
        Some(serde_json::json!({ "message_id": message_id, "to": email.masked() }).to_string()),
    ))?;
    Ok(())
}

/// Saves the settings with an audit row naming each changed setting with
/// its value before and after. Nothing is written when nothing changed.
pub fn save_settings(
    session: &mut Session,
    settings: &crate::domain::Settings,
) -> Result<(), super::SettingsSaveError> {
    super::operator::check(session, crate::domain::roles::Permission::Settings, None)?;
    // The login field or the register's day may change.
    super::operator::forget(session);
    session.write_audited(|tx, stamp| {
        let old = tx.load_settings()?;
        // Only what changed, and never what this machine's presets fix.
        let written = tx.save_settings(&old, settings)?;
        if written.is_empty() {
            return Ok(());
        }
        let mut before = serde_json::Map::new();
        let mut after = serde_json::Map::new();
        for key in written {
            before.insert(key.name().to_owned(), old.get(key).into());
            after.insert(key.name().to_owned(), settings.get(key).into());
        }
        tx.append_audit(
            &stamp
                .entry(AuditAction::SettingsChanged)
                .before(serde_json::Value::Object(before).to_string())
                .after(serde_json::Value::Object(after).to_string()),
        )
    })?;
    Ok(())
}
