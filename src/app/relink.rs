//! The employee's own pages on the endpoint: *My profile › Security and
//! login* (the preparation phase's relink, opened from the invitation), and
//! *Send me a new link* from an expired or replaced link. Each is one
//! transaction with its audit row; nothing here says whose an address is or
//! whether an account exists.

use jiff::{SignedDuration, Timestamp};

use crate::domain::{
    AuditAction, Connection, Email, MessageKind, UserRecord, VismaConnectPhase, verify_decision,
};
use crate::store::Reads as _;
use crate::store::{LinkToken, StoreError, TokenPurpose, WriteTx};

use super::Session;
use super::link_token::hash_token;
use super::snapshot::snapshot;
use super::verification::{
    ConnectionError, LinkError, VerifyOutcome, entry, queue_relink_invitation, verify_in,
    working_token,
};

/// Who the audit log names for what the employee does on *Security and login*.
pub const SELF_SERVICE_ACTOR: &str = "employee (Security and login)";
/// Who the audit log names for *Send me a new link*.
pub const NEW_LINK_ACTOR: &str = "employee (new link request)";

/// How often an employee can have a new link sent: once per this span.
pub const NEW_LINK_EVERY: SignedDuration = SignedDuration::from_mins(10);

/// Why the address on *Security and login* was not taken. The words never
/// say whose an address is.
#[derive(Debug, thiserror::Error)]
pub enum RelinkError {
    /// The invitation link does not work (the page shows why).
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The address is not a valid email address.
    #[error("the address is not valid")]
    InvalidAddress,
    /// The two fields differ.
    #[error("the two addresses differ")]
    NotTheSame,
    /// Another user holds this address.
    #[error("the address cannot be used")]
    Taken,
    /// The register could not be written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ConnectionError> for RelinkError {
    fn from(error: ConnectionError) -> Self {
        match error {
            ConnectionError::Store(error) => Self::Store(error),
            // The user was deleted, deactivated or connected meanwhile.
            _ => Self::Link(LinkError::Superseded),
        }
    }
}

/// A relink token's user, when the invitation still works: unused, not
/// replaced, not expired, and the user still active and without connection.
fn check_invitation(
    token: Option<LinkToken>,
    record: Option<UserRecord>,
    now: Timestamp,
) -> Result<UserRecord, LinkError> {
    working_token(token, TokenPurpose::Relink, now)?;
    match record {
        Some(record) if record.user.activated && record.connection == Connection::None => {
            Ok(record)
        }
        _ => Err(LinkError::Superseded),
    }
}

/// Whether an invitation link opens *Security and login*, without changing
/// anything.
pub fn inspect_invitation(session: &Session, token: &str) -> Result<(), LinkError> {
    let hash = hash_token(token).ok_or(LinkError::Unknown)?;
    // A link or a user that cannot be read is a link that does not work.
    let (stored, record) = session
        .store
        .token_and_user(&hash)
        .map_err(|_| LinkError::Unknown)?;
    check_invitation(stored, record, session.now()).map(|_| ())
}

/// The employee entered a new address twice on *Security and login*: the
/// invitation is used up, the address is saved pending verification and
/// the verification email is queued. The address is always proven by a
/// message to it, also in a verified domain (an employee typing a
/// colleague's address must not connect at once). An address another user
/// holds gets the very same answer and also uses the invitation up, but
/// nothing is saved or sent (audited): the page never tells a taken
/// address from a free one, and each try costs an invitation. An address
/// that is invalid or differs from its confirmation changes nothing and
/// leaves the invitation usable.
pub fn relink_by_employee(
    session: &mut Session,
    token: &str,
    address: &str,
    confirmation: &str,
) -> Result<VerifyOutcome, RelinkError> {
    let hash = hash_token(token).ok_or(LinkError::Unknown)?;
    let settings = session.store.load_settings()?;
    let now = session.now();
    session.store.write(|tx| {
        let (stored, record) = tx.token_and_user(&hash)?;
        let record = check_invitation(stored, record, now)?;
        let email = Email::parse(address).map_err(|_| RelinkError::InvalidAddress)?;
        if Email::parse(confirmation).map_or(true, |c| c.key() != email.key()) {
            return Err(RelinkError::NotTheSame);
        }
        if tx
            .email_owner(&email)?
            .is_some_and(|(owner, _)| owner != record.key)
        {
            tx.use_token(&hash, now)?;
            tx.append_audit(&entry(
                SELF_SERVICE_ACTOR,
                now,
                AuditAction::RelinkRequested,
                &record,
                Some(
                    serde_json::json!({
                        "to": email.masked(),
                        "result": "not saved: another user has this address",
                    })
                    .to_string(),
                ),
            ))?;
            return Ok(VerifyOutcome::Queued(email));
        }
        let pending = Connection::Unverified {
            email: email.clone(),
            sent_count: 0,
            last_sent_at: None,
        };
        tx.use_token(&hash, now)?;
        tx.set_connection(record.key, &pending, now.as_millisecond())
            .map_err(|error| match error {
                // Someone saved the address for another user a moment ago.
                StoreError::Conflict(_) => RelinkError::Taken,
                other => RelinkError::Store(other),
            })?;
        tx.append_audit(&entry(
            SELF_SERVICE_ACTOR,
            now,
            AuditAction::RelinkRequested,
            &record,
            Some(snapshot(&record.user, &pending)),
        ))?;
        // Proven by a message to it, whatever its domain.
        let mut proof = settings.clone();
        proof.verified_domains.clear();
        Ok(verify_in(
            tx,
            &proof,
            SELF_SERVICE_ACTOR,
            record.key,
            now,
            None,
            None,
        )?)
    })
}

/// What *Send me a new link* did. The page shows the same words for all of
/// them: whether an account exists is never told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewLinkAnswer {
    /// A new verification email (or relink invitation) is queued.
    Queued,
    /// One was queued less than [`NEW_LINK_EVERY`] ago: nothing more.
    TooSoon,
    /// The link is unknown, still valid, used, or its user no longer waits
    /// for this address: nothing to send.
    Nothing,
}

/// *Send me a new link* from an expired or replaced link: queues a new
/// verification to the same pending address (for an invitation, a new
/// invitation to the same General Email), at most once per
/// [`NEW_LINK_EVERY`] per user.
pub fn request_new_link(session: &mut Session, token: &str) -> Result<NewLinkAnswer, StoreError> {
    let Some(hash) = hash_token(token) else {
        return Ok(NewLinkAnswer::Nothing);
    };
    let settings = session.store.load_settings()?;
    let now = session.now();
    session.store.write(|tx| {
        let Some(stored) = tx.token(&hash)? else {
            return Ok(NewLinkAnswer::Nothing);
        };
        let dead = stored.superseded_at.is_some() || stored.expires_at <= now;
        let Some(record) = tx.user(stored.user_key)? else {
            return Ok(NewLinkAnswer::Nothing);
        };
        if stored.used_at.is_some() || !dead || !record.user.activated {
            return Ok(NewLinkAnswer::Nothing);
        }
        match stored.purpose {
            TokenPurpose::Verification => new_verification(tx, &settings, &stored, &record, now),
            TokenPurpose::Relink => new_invitation(tx, &settings, &stored, &record, now),
        }
    })
}

fn too_soon(
    tx: &WriteTx<'_>,
    record: &UserRecord,
    kind: MessageKind,
    now: Timestamp,
) -> Result<bool, StoreError> {
    Ok(tx
        .last_queued_at(record.key, kind)?
        .is_some_and(|at| now.duration_since(at) < NEW_LINK_EVERY))
}

fn new_verification(
    tx: &WriteTx<'_>,
    settings: &crate::domain::Settings,
    stored: &LinkToken,
    record: &UserRecord,
    now: Timestamp,
) -> Result<NewLinkAnswer, StoreError> {
    let same_address = matches!(&record.connection,
        Connection::Unverified { email, .. } if email.key() == stored.email_key);
    if !same_address {
        return Ok(NewLinkAnswer::Nothing);
    }
    if !matches!(
        verify_decision(record, settings, None, super::roles::day_in(settings, now)),
        crate::domain::VerifyDecision::Send(_)
    ) {
        return Ok(NewLinkAnswer::Nothing);
    }
    send_new_link(tx, record, MessageKind::Verification, now, || {
        verify_in(tx, settings, NEW_LINK_ACTOR, record.key, now, None, None).map(|_| ())
    })
}

/// Queues the new link with `queue` unless one of `kind` went out less than
/// [`NEW_LINK_EVERY`] ago; the request is an audit row.
fn send_new_link(
    tx: &WriteTx<'_>,
    record: &UserRecord,
    kind: MessageKind,
    now: Timestamp,
    queue: impl FnOnce() -> Result<(), ConnectionError>,
) -> Result<NewLinkAnswer, StoreError> {
    if too_soon(tx, record, kind, now)? {
        return Ok(NewLinkAnswer::TooSoon);
    }
    tx.append_audit(&entry(
        NEW_LINK_ACTOR,
        now,
        AuditAction::NewLinkRequested,
        record,
        None,
    ))?;
    match queue() {
        Ok(()) => Ok(NewLinkAnswer::Queued),
        Err(ConnectionError::Store(error)) => Err(error),
        Err(_) => Ok(NewLinkAnswer::Nothing),
    }
}

fn new_invitation(
    tx: &WriteTx<'_>,
    settings: &crate::domain::Settings,
    stored: &LinkToken,
    record: &UserRecord,
    now: Timestamp,
) -> Result<NewLinkAnswer, StoreError> {
    let same_address = record
        .user
        .email
        .as_ref()
        .filter(|email| email.key() == stored.email_key);
    let Some(email) = same_address else {
        return Ok(NewLinkAnswer::Nothing);
    };
    if record.connection != Connection::None
        || settings.visma_connect_phase != VismaConnectPhase::Preparation
    {
        return Ok(NewLinkAnswer::Nothing);
    }
    send_new_link(tx, record, MessageKind::RelinkInvitation, now, || {
        queue_relink_invitation(tx, settings, NEW_LINK_ACTOR, record, email, now)
    })
}
