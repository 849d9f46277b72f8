//! What a face may read from the register through its [`Session`]: the
//! queries the views, the CLI and the endpoint show. Writes go through the
//! use cases, which keep the audit log; the store itself stays private to `app`.

use std::path::PathBuf;

use crate::domain::account_codes::{AccountCode, AuditRight};
use crate::domain::roles::Assignment;
use crate::domain::{AuditEntry, OutboxMessage, Settings, UserId, UserKey, UserRecord};
use crate::store::Reads as _;
use crate::store::StoreError;

use super::{Location, Session};

impl Session {
    /// Where the register lives.
    pub fn location(&self) -> &Location {
        self.store.location()
    }

    /// The register's settings.
    pub fn load_settings(&self) -> Result<Settings, StoreError> {
        self.store.load_settings()
    }

    /// Every user with their connection, in no particular order.
    pub fn load_users(&self) -> Result<Vec<UserRecord>, StoreError> {
        self.store.load_users()
    }

    /// One user, by key.
    pub fn user(&self, key: UserKey) -> Result<Option<UserRecord>, StoreError> {
        self.store.user(key)
    }

    /// One user, by User ID.
    pub fn user_by_user_id(&self, user_id: &UserId) -> Result<Option<UserRecord>, StoreError> {
        self.store.user_by_user_id(user_id)
    }

    /// How many users the register holds.
    pub fn count_users(&self) -> Result<usize, StoreError> {
        self.store.count_users()
    }

    /// Messages waiting in the outbox (queued or being sent).
    pub fn queued_count(&self) -> Result<usize, StoreError> {
        self.store.queued_count()
    }

    /// Messages being handed to the mail server right now.
    pub fn sending_count(&self) -> Result<usize, StoreError> {
        self.store.sending_count()
    }

    /// The newest messages of the outbox first, at most `limit`.
    pub fn outbox(&self, limit: usize) -> Result<Vec<OutboxMessage>, StoreError> {
        self.store.outbox(limit)
    }

    /// The newest message to one user.
    pub fn last_message_for(&self, key: UserKey) -> Result<Option<OutboxMessage>, StoreError> {
        self.store.last_message_for(key)
    }

    /// The roles one user holds.
    pub fn roles_of(&self, key: UserKey) -> Result<Vec<Assignment>, StoreError> {
        self.store.roles_of(key)
    }

    /// The account codes known to the register.
    pub fn account_codes(&self) -> Result<Vec<AccountCode>, StoreError> {
        self.store.account_codes()
    }

    /// One user's rights to audit account codes.
    pub fn audit_rights_of(&self, key: UserKey) -> Result<Vec<AuditRight>, StoreError> {
        self.store.audit_rights_of(key)
    }

    /// One user's audit log, newest first.
    pub fn audit_for(&self, key: UserKey) -> Result<Vec<AuditEntry>, StoreError> {
        self.store.audit_for(key)
    }

    /// The whole audit log, oldest first.
    pub fn audit_all(&self) -> Result<Vec<AuditEntry>, StoreError> {
        self.store.audit_all()
    }

    /// The newest change time of any user, in milliseconds.
    pub fn last_change_ms(&self) -> Result<i64, StoreError> {
        self.store.last_change_ms()
    }

    /// True when the register answers (a cheap query).
    pub fn is_reachable(&self) -> bool {
        self.store.is_reachable()
    }

    /// Connects anew when the connection to a shared register was lost;
    /// nothing for a file.
    pub fn reconnect_if_lost(&mut self) -> Result<(), StoreError> {
        self.store.reconnect_if_lost()
    }

    /// The folder outbox's folder for this register: the setting, or
    /// `outbox` beside the register file.
    pub fn outbox_folder(&self, settings: &Settings) -> PathBuf {
        settings.outbox_folder_beside(&super::paths::folder_anchor(self.location()))
    }
}
