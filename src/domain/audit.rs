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
    /// Preparation phase: an invitation to redo the link was queued.
    RelinkInvitationQueued,
    /// The employee entered a new address on *Security and login*.
    RelinkRequested,
    /// The employee asked for a new link from an expired or replaced one.
    NewLinkRequested,
    /// Days after *Employment ends*: the connection was removed.
    LeaverConnectionRemoved,
    /// The user's roles (Authorisations) were changed.
    RolesChanged,
    /// The operator tried what their roles do not permit.
    AccessRefused,
    /// The user's *Audit of account code* rows were changed.
    AuditRightsChanged,
    /// Account codes were imported.
    AccountCodesImported,
    /// A role was made or changed.
    RoleSaved,
    /// A role was deleted.
    RoleDeleted,
    /// The identity provider took a push (the account made, changed or closed).
    IdpPushed,
    /// The identity provider refused a push, or it was given up.
    IdpFailed,
}

impl AuditAction {
    /// Every action, for parsing.
    pub const ALL: [Self; 26] = [
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
        Self::RelinkInvitationQueued,
        Self::RelinkRequested,
        Self::NewLinkRequested,
        Self::LeaverConnectionRemoved,
        Self::RolesChanged,
        Self::AccessRefused,
        Self::AuditRightsChanged,
        Self::AccountCodesImported,
        Self::RoleSaved,
        Self::RoleDeleted,
        Self::IdpPushed,
        Self::IdpFailed,
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
            Self::RelinkInvitationQueued => "relink_invitation_queued",
            Self::RelinkRequested => "relink_requested",
            Self::NewLinkRequested => "new_link_requested",
            Self::LeaverConnectionRemoved => "leaver_connection_removed",
            Self::RolesChanged => "roles_changed",
            Self::AccessRefused => "access_refused",
            Self::AuditRightsChanged => "audit_rights_changed",
            Self::AccountCodesImported => "account_codes_imported",
            Self::RoleSaved => "role_saved",
            Self::RoleDeleted => "role_deleted",
            Self::IdpPushed => "idp_pushed",
            Self::IdpFailed => "idp_failed",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The words shown in History.
    pub fn label(self) -> String {
        match self {
            Self::UserCreated => t!("audit-user-created"),
            Self::UserUpdated => t!("audit-user-updated"),
            Self::UserDeleted => t!("audit-user-deleted"),
            Self::AddressSaved => t!("audit-address-saved"),
            Self::AddressRemoved => t!("audit-address-removed"),
            Self::RegisterGenerated => t!("audit-register-generated"),
            Self::VerificationQueued => t!("audit-verification-queued"),
            Self::MessageDelivered => t!("audit-message-delivered"),
            Self::MessageFailed => t!("audit-message-failed"),
            Self::LinkConfirmed => t!("audit-link-confirmed"),
            Self::ConnectedByDomain => t!("audit-connected-by-domain"),
            Self::ResetQueued => t!("audit-reset-queued"),
            Self::ConnectionDeleted => t!("audit-connection-deleted"),
            Self::SettingsChanged => t!("audit-settings-changed"),
            Self::RelinkInvitationQueued => t!("audit-relink-invitation-queued"),
            Self::RelinkRequested => t!("audit-relink-requested"),
            Self::NewLinkRequested => t!("audit-new-link-requested"),
            Self::LeaverConnectionRemoved => t!("audit-leaver-connection-removed"),
            Self::RolesChanged => t!("audit-roles-changed"),
            Self::AccessRefused => t!("audit-access-refused"),
            Self::AuditRightsChanged => t!("audit-audit-rights-changed"),
            Self::AccountCodesImported => t!("audit-account-codes-imported"),
            Self::RoleSaved => t!("audit-role-saved"),
            Self::RoleDeleted => t!("audit-role-deleted"),
            Self::IdpPushed => t!("audit-idp-pushed"),
            Self::IdpFailed => t!("audit-idp-failed"),
        }
    }
}

impl AuditEntry {
    /// A row of `action` by `actor` at `at`, about no user, with nothing
    /// before or after: add them with [`Self::about`], [`Self::before`]
    /// and [`Self::after`].
    pub fn new(at: Timestamp, actor: impl Into<String>, action: AuditAction) -> Self {
        Self {
            at,
            actor: actor.into(),
            action,
            user_key: None,
            user_id: String::new(),
            before: None,
            after: None,
        }
    }

    /// About the user `key`, whose User-ID is `user_id`.
    #[must_use]
    pub fn about(mut self, key: UserKey, user_id: impl Into<String>) -> Self {
        self.user_key = Some(key);
        self.user_id = user_id.into();
        self
    }

    /// About `record`'s user when there is one (a refusal of someone who is
    /// no HRM user, a role that is nobody's yet: about no user).
    #[must_use]
    pub fn about_user(self, record: Option<&super::UserRecord>) -> Self {
        match record {
            Some(record) => self.about(record.key, record.user.user_id.to_string()),
            None => self,
        }
    }

    /// About the user with `key`, whose User-ID is not at hand (the outbox
    /// worker's answers: the message names only its user's key).
    #[must_use]
    pub fn about_key(mut self, key: Option<UserKey>) -> Self {
        self.user_key = key;
        self
    }

    /// With the state before (JSON), when there was one.
    #[must_use]
    pub fn before(mut self, before: impl Into<Option<String>>) -> Self {
        self.before = before.into();
        self
    }

    /// With the state after (JSON), when there is one.
    #[must_use]
    pub fn after(mut self, after: impl Into<Option<String>>) -> Self {
        self.after = after.into();
        self
    }

    /// The row as History shows it: the action, with what it concerned
    /// where the row records it (which address a deleted connection had;
    /// that a delivery only saved the email to the outbox folder).
    pub fn describe(&self) -> String {
        let json = |text: &Option<String>| {
            text.as_deref()
                .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        };
        match self.action {
            AuditAction::MessageDelivered => {
                let after = json(&self.after);
                let field = |name: &str| {
                    after
                        .as_ref()
                        .and_then(|a| a.get(name))
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_owned)
                };
                let folder = field("result").is_some_and(|r| r.starts_with("saved as "));
                match (field("to"), folder) {
                    (Some(to), true) => t!("audit-saved-in-folder-to", to = to),
                    (None, true) => t!("audit-saved-in-folder"),
                    (Some(to), false) => t!("audit-delivered-to", to = to),
                    (None, false) => self.action.label(),
                }
            }
            AuditAction::ConnectionDeleted => {
                let address = json(&self.before).and_then(|before| {
                    before
                        .get("visma_connect")
                        .and_then(|c| c.get("email"))
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_owned)
                });
                match address {
                    Some(address) => t!("audit-connection-deleted-address", address = address),
                    None => self.action.label(),
                }
            }
            AuditAction::AccessRefused => {
                let permission = json(&self.after).and_then(|after| {
                    after
                        .get("permission")?
                        .as_str()
                        .and_then(super::roles::Permission::from_code)
                });
                match permission {
                    Some(permission) => t!(
                        "audit-access-refused-permission",
                        permission = permission.label()
                    ),
                    None => self.action.label(),
                }
            }
            AuditAction::RolesChanged => {
                let names: Option<Vec<String>> = json(&self.after).and_then(|after| {
                    after.get("roles")?.as_array().map(|roles| {
                        roles
                            .iter()
                            .filter_map(|r| {
                                r.get("name")
                                    .and_then(serde_json::Value::as_str)
                                    .map(str::to_owned)
                                    .or_else(|| {
                                        r.get("role")?.as_str().map(super::roles::role_name)
                                    })
                            })
                            .collect()
                    })
                });
                match names {
                    Some(names) if names.is_empty() => t!("audit-roles-none"),
                    Some(names) => t!("audit-roles-now", roles = names.join(", ")),
                    None => self.action.label(),
                }
            }
            AuditAction::LeaverConnectionRemoved => {
                let before = json(&self.before);
                let field = |path: &[&str]| {
                    let mut value = before.as_ref()?;
                    for step in path {
                        value = value.get(step)?;
                    }
                    value.as_str().map(str::to_owned)
                };
                match (
                    field(&["visma_connect", "email"]),
                    field(&["employment_ends"]),
                ) {
                    (Some(address), Some(ended)) => t!(
                        "audit-leaver-connection-removed-details",
                        address = address,
                        ended = ended
                    ),
                    _ => self.action.label(),
                }
            }
            _ => self.action.label(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: AuditAction, before: Option<&str>, after: Option<&str>) -> AuditEntry {
        AuditEntry {
            at: Timestamp::UNIX_EPOCH,
            actor: "hr".into(),
            action,
            user_key: None,
            user_id: "14".into(),
            before: before.map(str::to_owned),
            after: after.map(str::to_owned),
        }
    }

    #[test]
    fn history_says_which_address_and_whether_the_email_only_went_to_a_folder() {
        let deleted = entry(
            AuditAction::ConnectionDeleted,
            Some(r#"{"visma_connect":{"state":"connected","email":"anna@company.se"}}"#),
            None,
        );
        assert_eq!(deleted.describe(), "Connection deleted (anna@company.se)");
        let saved = entry(
            AuditAction::MessageDelivered,
            None,
            Some(r#"{"to":"a***@company.se","result":"saved as /tmp/outbox/x.eml"}"#),
        );
        assert_eq!(
            saved.describe(),
            "Email to a***@company.se saved in the outbox folder (not sent: the folder transport)"
        );
        let sent = entry(
            AuditAction::MessageDelivered,
            None,
            Some(r#"{"to":"a***@company.se","result":"250 2.0.0 Ok"}"#),
        );
        assert_eq!(
            sent.describe(),
            "Email to a***@company.se delivered to the mail server"
        );
    }

    #[test]
    fn a_row_names_its_user_when_there_is_one() {
        let record = crate::domain::UserRecord {
            key: UserKey(7),
            user: crate::domain::User {
                activated: true,
                user_id: crate::domain::UserId::parse("14").unwrap(),
                alias_user_id: String::new(),
                signature: String::new(),
                card_tag_id: String::new(),
                external_reference: String::new(),
                email: None,
                first_name: "Sara".into(),
                last_name: "Lind".into(),
                department: String::new(),
                office: String::new(),
                employment_ends: None,
            },
            connection: crate::domain::Connection::None,
        };
        let about = AuditEntry::new(Timestamp::UNIX_EPOCH, "hr", AuditAction::AccessRefused)
            .about_user(Some(&record))
            .after("{}".to_owned());
        assert_eq!(
            (about.user_key, about.user_id.as_str()),
            (Some(UserKey(7)), "14")
        );
        assert_eq!(about.after.as_deref(), Some("{}"));
        let nobody = AuditEntry::new(Timestamp::UNIX_EPOCH, "hr", AuditAction::AccessRefused)
            .about_user(None);
        assert_eq!((nobody.user_key, nobody.user_id.as_str()), (None, ""));
        let by_key = AuditEntry::new(
            Timestamp::UNIX_EPOCH,
            "worker",
            AuditAction::MessageDelivered,
        )
        .about_key(Some(UserKey(3)));
        assert_eq!(
            (by_key.user_key, by_key.user_id.as_str()),
            (Some(UserKey(3)), "")
        );
    }
}
