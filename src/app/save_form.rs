//! The user form's *Save*: the General fields, the *Authorisations* and the
//! *Audit of account code* rows in one transaction, so all of it lands or
//! none (a refusal, a clash or a crash between the parts leaves the user as
//! they were).

use crate::domain::account_codes::AuditRight;
use crate::domain::roles::Assignment;
use crate::domain::{UserDraft, UserKey, UserRecord};
use crate::store::StoreError;

use super::Session;
use super::account_codes::AccountCodesError;
use super::roles::RolesError;
use super::save_user::SaveUserError;

/// What the form saves besides its General fields: each `None` when that
/// tab was not changed.
#[derive(Clone, Debug, Default)]
pub struct FormTabs {
    /// The *Authorisations* tab's roles.
    pub roles: Option<Vec<Assignment>>,
    /// The *Audit of account code* tab's rows.
    pub audit_rights: Option<Vec<AuditRight>>,
}

/// Why the form was not saved; nothing of it was written.
#[derive(Debug, thiserror::Error)]
pub enum FormSaveError {
    /// The General fields (invalid, changed elsewhere, refused, …).
    #[error(transparent)]
    User(#[from] SaveUserError),
    /// The roles.
    #[error(transparent)]
    Roles(#[from] RolesError),
    /// The *Audit of account code* rows.
    #[error(transparent)]
    AuditRights(#[from] AccountCodesError),
}

impl From<StoreError> for FormSaveError {
    fn from(error: StoreError) -> Self {
        Self::User(SaveUserError::Store(error))
    }
}

impl FormSaveError {
    /// The operator's refusal in it, if that is what stopped the save.
    fn refusal(&mut self) -> Option<&mut super::operator::Refused> {
        match self {
            Self::User(SaveUserError::Refused(refused))
            | Self::Roles(RolesError::Refused(refused))
            | Self::AuditRights(AccountCodesError::Refused(refused)) => Some(refused),
            _ => None,
        }
    }
}

/// Saves the form: `draft` as a new user (`key` `None`) or over the user
/// `key` whose fields were `base` when the form was opened (`None`: save
/// whatever changed since), with the tabs that changed, in one transaction.
pub fn save_user_form(
    session: &mut Session,
    key: Option<UserKey>,
    draft: &UserDraft,
    base: Option<&UserDraft>,
    tabs: FormTabs,
) -> Result<UserRecord, FormSaveError> {
    let current = super::operator::operator(session)?;
    let FormTabs {
        roles,
        audit_rights,
    } = tabs;
    let settings = match roles {
        Some(_) => Some(session.load_settings()?),
        None => None,
    };
    let result = session.write_audited(|tx, stamp| {
        let (saved, login_changed) =
            super::save_user::save_in(tx, stamp.now, &stamp.actor, key, draft, base, &current)?;
        if let (Some(roles), Some(settings)) = (&roles, &settings) {
            super::roles::set_roles_in(
                tx,
                settings,
                &current,
                saved.key,
                roles,
                stamp.now,
                &stamp.actor,
            )?;
        }
        if let Some(rights) = &audit_rights {
            super::account_codes::set_audit_rights_in(
                tx,
                &current,
                saved.key,
                rights,
                stamp.now,
                &stamp.actor,
            )?;
        }
        // Roles and rows change neither the fields nor the connection.
        Ok::<_, FormSaveError>((saved, login_changed))
    });
    match result {
        Ok((saved, login_changed)) => {
            if login_changed || settings.is_some() {
                super::operator::forget(session);
            }
            Ok(saved)
        }
        Err(mut error) => {
            if let Some(refused) = error.refusal() {
                *refused = super::operator::audited(session, &current, refused.clone());
            }
            Err(error)
        }
    }
}
