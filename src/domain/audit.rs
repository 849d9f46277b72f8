//! Audit entries: who changed what, when, with the state before and after.

use jiff::Timestamp;

use super::user::UserKey;

/// What an audit entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditAction {
    /// A user was added to the register.
    UserCreated,
    /// A user's fields were changed.
    UserUpdated,
    /// A user was deleted.
    UserDeleted,
    /// A Visma Connect address was saved, pending verification.
    AddressSaved,
    /// A pending Visma Connect address was removed.
    AddressRemoved,
    /// A demo register was generated.
    RegisterGenerated,
    /// A verification message was queued.
    VerificationQueued,
    /// A message was delivered to the mail server.
    MessageDelivered,
    /// A message could not be delivered.
    MessageFailed,
    /// The employee confirmed the link: connected.
    LinkConfirmed,
    /// The address is in a verified domain: connected without a message.
    ConnectedByDomain,
    /// A password-reset message was queued.
    ResetQueued,
    /// The connection was deleted by an administrator.
    ConnectionDeleted,
    /// Settings were changed.
    SettingsChanged,
}

impl AuditAction {
    /// Every action, for parsing.
    pub const ALL: [Self; 14] = [
        Self::UserCreated,
        Self::UserUpdated,
        Self::UserDeleted,
        Self::AddressSaved,
        Self::AddressRemoved,
        Self::RegisterGenerated,
        Self::VerificationQueued,
        Self::MessageDelivered,
        Self::MessageFailed,
        Self::LinkConfirmed,
        Self::ConnectedByDomain,
        Self::ResetQueued,
        Self::ConnectionDeleted,
        Self::SettingsChanged,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::UserCreated => "user_created",
            Self::UserUpdated => "user_updated",
            Self::UserDeleted => "user_deleted",
            Self::AddressSaved => "address_saved",
            Self::AddressRemoved => "address_removed",
            Self::RegisterGenerated => "register_generated",
            Self::VerificationQueued => "verification_queued",
            Self::MessageDelivered => "message_delivered",
            Self::MessageFailed => "message_failed",
            Self::LinkConfirmed => "link_confirmed",
            Self::ConnectedByDomain => "connected_by_domain",
            Self::ResetQueued => "reset_queued",
            Self::ConnectionDeleted => "connection_deleted",
            Self::SettingsChanged => "settings_changed",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The words shown in History.
    pub fn label(self) -> &'static str {
        match self {
            Self::UserCreated => "User created",
            Self::UserUpdated => "User changed",
            Self::UserDeleted => "User deleted",
            Self::AddressSaved => "Address saved, pending verification",
            Self::AddressRemoved => "Pending address removed",
            Self::RegisterGenerated => "Demo register generated",
            Self::VerificationQueued => "Verification email queued",
            Self::MessageDelivered => "Email delivered to the mail server",
            Self::MessageFailed => "Email could not be delivered",
            Self::LinkConfirmed => "Link confirmed: connected",
            Self::ConnectedByDomain => "Connected at once: verified domain",
            Self::ResetQueued => "Password reset email queued",
            Self::ConnectionDeleted => "Connection deleted",
            Self::SettingsChanged => "Settings changed",
        }
    }
}

/// One row of the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// When.
    pub at: Timestamp,
    /// Who: the operating-system user of the administrator.
    pub actor: String,
    /// What.
    pub action: AuditAction,
    /// Which user, when it concerns one.
    pub user_key: Option<UserKey>,
    /// That user's User-ID at the time.
    pub user_id: String,
    /// The state before, as JSON, when there was one.
    pub before: Option<String>,
    /// The state after, as JSON, when there is one.
    pub after: Option<String>,
}
