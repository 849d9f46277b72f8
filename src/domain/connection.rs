//! A user's connection to Visma Connect and its three states.

use jiff::Timestamp;

use super::email::Email;

/// How a connection came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectedBy {
    /// The employee confirmed the link in the verification email.
    Link,
    /// The address is in a verified domain: connected at once, no message.
    VerifiedDomain,
}

/// The connection of one user to Visma Connect.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Connection {
    /// No Visma Connect address saved.
    #[default]
    None,
    /// An address saved, verification pending.
    Unverified {
        /// The saved address.
        email: Email,
        /// How many verification messages have gone out for this address.
        sent_count: u32,
        /// When the last one went out.
        last_sent_at: Option<Timestamp>,
    },
    /// Verified: the user logs in with Visma Connect.
    Connected {
        /// The verified address.
        email: Email,
        /// Since when.
        since: Timestamp,
        /// By link or by verified domain.
        by: ConnectedBy,
    },
}

/// The three states, without their data: for filters, columns and the CLI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConnectionStatus {
    /// No address.
    None,
    /// Address saved, pending verification.
    Pending,
    /// Connected.
    Connected,
}

impl ConnectionStatus {
    /// All states in display order.
    pub const ALL: [Self; 3] = [Self::None, Self::Pending, Self::Connected];

    /// The word shown in the list: Not connected / Pending / Connected.
    pub fn label(self) -> String {
        match self {
            Self::None => t!("status-not-connected"),
            Self::Pending => t!("status-pending"),
            Self::Connected => t!("status-connected"),
        }
    }

    /// The word scripts use: `none`, `pending`, `connected`.
    pub fn code(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Pending => "pending",
            Self::Connected => "connected",
        }
    }

    /// Parses a script's word (see [`Self::code`]).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

impl Connection {
    /// The state without its data.
    pub fn status(&self) -> ConnectionStatus {
        match self {
            Self::None => ConnectionStatus::None,
            Self::Unverified { .. } => ConnectionStatus::Pending,
            Self::Connected { .. } => ConnectionStatus::Connected,
        }
    }

    /// The Visma Connect address, pending or connected.
    pub fn email(&self) -> Option<&Email> {
        match self {
            Self::None => None,
            Self::Unverified { email, .. } | Self::Connected { email, .. } => Some(email),
        }
    }

    /// True when connected.
    pub fn is_connected(&self) -> bool {
        matches!(self, Self::Connected { .. })
    }
}

/// A pending connection for tests: sent once at `last_sent_at`, or never.
#[cfg(test)]
pub(crate) fn test_pending(address: &str, last_sent_at: Option<jiff::Timestamp>) -> Connection {
    Connection::Unverified {
        email: Email::parse(address).expect("a test address is valid"),
        sent_count: u32::from(last_sent_at.is_some()),
        last_sent_at,
    }
}
