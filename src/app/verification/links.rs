//! An employee's link: whether it still works (never saying whether an
//! account or address exists), and confirming it, which connects the account.

use jiff::Timestamp;

use crate::app::Session;
use crate::app::link_token::hash_token;
use crate::app::snapshot::snapshot;
use crate::domain::{AuditAction, AuditEntry, ConnectedBy, Connection, Email, UserRecord};
use crate::store::Reads as _;
use crate::store::{LinkToken, StoreError, TokenPurpose};

/// Why a link does not work. The words never tell whether an account or
/// address exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// No such link.
    #[error("This link is not valid. Check that you opened the whole link from the email.")]
    Unknown,
    /// Past its lifetime.
    #[error("This link has expired. Ask your HR administrator to send a new verification email.")]
    Expired,
    /// Already confirmed.
    #[error("This link has already been used. If you cannot log in, ask your HR administrator.")]
    Used,
    /// A newer link, a new address or a deleted connection replaced it.
    #[error("This link has been replaced by a newer one. Use the link in the most recent email.")]
    Superseded,
}

/// The stored token when it still works at `now` for `purpose`: known, of
/// that purpose, unused, not replaced and not expired.
pub(crate) fn working_token(
    token: Option<LinkToken>,
    purpose: TokenPurpose,
    now: Timestamp,
) -> Result<LinkToken, LinkError> {
    let token = token
        .filter(|t| t.purpose == purpose)
        .ok_or(LinkError::Unknown)?;
    if token.used_at.is_some() {
        return Err(LinkError::Used);
    }
    if token.superseded_at.is_some() {
        return Err(LinkError::Superseded);
    }
    if token.expires_at <= now {
        return Err(LinkError::Expired);
    }
    Ok(token)
}

pub(super) fn check_token(
    token: Option<LinkToken>,
    pending: Option<&UserRecord>,
    now: Timestamp,
) -> Result<Email, LinkError> {
    let token = working_token(token, TokenPurpose::Verification, now)?;
    match pending {
        // A deactivated user cannot be connected, whatever link they hold.
        Some(record) if !record.user.activated => Err(LinkError::Superseded),
        Some(UserRecord {
            connection: Connection::Unverified { email, .. },
            ..
        }) if email.key() == token.email_key => Ok(email.clone()),
        _ => Err(LinkError::Superseded),
    }
}

/// What a link would confirm, without changing anything (mail scanners open
/// links): the masked address.
pub fn inspect_link(session: &Session, token: &str) -> Result<String, LinkError> {
    let hash = hash_token(token).ok_or(LinkError::Unknown)?;
    // A link or a user that cannot be read is a link that does not work.
    let (stored, record) = session
        .store
        .token_and_user(&hash)
        .map_err(|_| LinkError::Unknown)?;
    check_token(stored, record.as_ref(), session.now()).map(|email| email.masked())
}

/// What confirming did, or why it could not.
#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    /// The link does not work.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The register could not be written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Confirms a link: the user becomes connected. Returns the masked address.
pub fn confirm_link(session: &mut Session, token: &str) -> Result<String, ConfirmError> {
    let hash = hash_token(token).ok_or(LinkError::Unknown)?;
    let now = session.now();
    session.store.write(|tx| {
        let (stored, record) = tx.token_and_user(&hash)?;
        let email = check_token(stored, record.as_ref(), now)?;
        let Some(record) = record else {
            return Err(LinkError::Unknown.into());
        };
        let connected = Connection::Connected {
            email: email.clone(),
            since: now,
            by: ConnectedBy::Link,
        };
        tx.use_token(&hash, now)?;
        tx.supersede_tokens(record.key, now)?;
        tx.set_connection(record.key, &connected, now.as_millisecond())?;
        crate::app::idp::mark(tx, &tx.load_settings()?, record.key, now)?;
        tx.append_audit(
            &AuditEntry::new(
                now,
                "employee (verification link)",
                AuditAction::LinkConfirmed,
            )
            .about(record.key, record.user.user_id.to_string())
            .before(snapshot(&record.user, &record.connection))
            .after(snapshot(&record.user, &connected)),
        )?;
        Ok(email.masked())
    })
}
