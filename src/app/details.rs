//! What the form shows beyond the user's fields: the last message, the live
//! link's expiry and the History of the user's audit rows.

use jiff::Timestamp;

use crate::domain::{AuditEntry, OutboxMessage, UserKey};
use crate::store::Reads as _;
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
    /// The user's *Audit of account code* rows.
    pub audit_rights: Vec<crate::domain::account_codes::AuditRight>,
    /// The account dimensions to offer: the built-in ones and those with
    /// codes in the register.
    pub dimensions: Vec<String>,
    /// The user's account at the identity provider, while provisioning is
    /// on (`None` when it is off or the register has no account for them).
    pub idp: Option<crate::domain::idp::IdpAccount>,
}

/// The built-in account dimensions and those with codes in the register.
pub fn dimensions(session: &Session) -> Result<Vec<String>, StoreError> {
    Ok(with_builtin(session.store.account_dimensions()?))
}

/// The built-in dimensions, then those of `in_register` not among them.
fn with_builtin(in_register: Vec<String>) -> Vec<String> {
    let mut all: Vec<String> = crate::domain::account_codes::BUILTIN_DIMENSIONS
        .iter()
        .map(|d| (*d).to_owned())
        .collect();
    for dimension in in_register {
        if !all.contains(&dimension) {
            all.push(dimension);
        }
    }
    all
}

/// Reads the details of one user (seven small queries; eight for a user
/// with an account in the identity provider).
pub fn user_details(session: &Session, key: UserKey) -> Result<UserDetails, StoreError> {
    // A shared register answers all of it in one round trip.
    if let Some(read) = session
        .store
        .user_details_together(key, HISTORY_ROWS, session.now())?
    {
        let dimensions = with_builtin(read.dimensions);
        return Ok(UserDetails {
            last_message: read.last_message,
            link_expires: read.link_expires,
            history: read.history,
            roles: read.roles,
            audit_rights: read.audit_rights,
            dimensions,
            idp: read.idp.filter(|_| read.settings.idp.is_on()),
        });
    }
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
        audit_rights: session.store.audit_rights_of(key)?,
        dimensions: dimensions(session)?,
        // The settings are read only for a user the provider has an account
        // row for (rows exist only where provisioning was ever on).
        idp: match session.store.idp_account(key)? {
            Some(account) if session.store.load_settings()?.idp.is_on() => Some(account),
            _ => None,
        },
    })
}
