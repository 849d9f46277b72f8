//! Who is working, and what they may do. The operator is the HRM user whose
//! *Alias user-ID* (or the field the setting `operator_field` names) is the
//! operating-system login name. Until someone holds
//! the System administrator role everyone may do everything (the window says
//! so); from then on each operator may do only what their roles permit, and
//! every refusal is written to the audit log.

use crate::domain::roles::{Assignment, Permission, Role, has_system_administrator, permits};
use crate::domain::{AuditAction, AuditEntry, UserRecord};
use crate::store::StoreError;

use super::Session;

/// The person at the window or the command line, as the register knows them.
#[derive(Clone, Debug, Default)]
pub struct Operator {
    /// The login name.
    pub login: String,
    /// The HRM user with that Alias user-ID, if any.
    pub user: Option<UserRecord>,
    /// Their roles.
    pub assignments: Vec<Assignment>,
    /// False while no one holds System administrator: everything is allowed.
    pub enforced: bool,
    /// The day the roles are judged on.
    pub day: Option<jiff::civil::Date>,
    /// The register's roles, read once (a frame asks several times).
    pub roles: Vec<Role>,
}

/// An action the operator may not take, with the sentence that says why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{sentence}")]
pub struct Refused {
    /// What was missing.
    pub permission: Permission,
    /// "You (anna) do not have the permission Verify accounts."
    pub sentence: String,
}

impl Operator {
    /// Whether the operator may do what `permission` covers, anywhere.
    pub fn may(&self, permission: Permission) -> Result<(), Refused> {
        self.may_at(permission, None)
    }

    /// Whether the operator may do what `permission` covers for a user in
    /// this department and office (their roles' and assignments' limits).
    pub fn may_for(
        &self,
        permission: Permission,
        department: &str,
        office: &str,
    ) -> Result<(), Refused> {
        self.may_at(permission, None)?;
        self.may_at(permission, Some((department, office)))
    }

    /// Whether the operator may save a user's form: edit users where the
    /// user is saved (department, office), and, when the user's roles or
    /// audit rows changed, change authorisations.
    pub fn may_save_user(
        &self,
        department: &str,
        office: &str,
        authorisations_changed: bool,
    ) -> Result<(), Refused> {
        self.may_for(Permission::UsersEdit, department, office)?;
        if authorisations_changed {
            self.may(Permission::Roles)?;
        }
        Ok(())
    }

    /// The permissions *Roles* and *Settings* the operator holds now and
    /// would no longer hold were the roles of `user` (the form's) `after`:
    /// a change of one's own roles is asked about first. Nothing for
    /// another user, nor while roles are not in force.
    pub fn rights_lost_with(
        &self,
        user: Option<crate::domain::UserKey>,
        after: &[crate::domain::roles::Assignment],
    ) -> Vec<Permission> {
        let mine = user.is_some() && user == self.user.as_ref().map(|u| u.key);
        let Some(day) = self.day.filter(|_| self.enforced && mine) else {
            return Vec::new();
        };
        [Permission::Roles, Permission::Settings]
            .into_iter()
            .filter(|p| {
                permits(&self.roles, &self.assignments, *p, None, day)
                    && !permits(&self.roles, after, *p, None, day)
            })
            .collect()
    }

    fn may_at(&self, permission: Permission, target: Option<(&str, &str)>) -> Result<(), Refused> {
        if !self.enforced {
            return Ok(());
        }
        let allowed = self
            .day
            .is_some_and(|day| permits(&self.roles, &self.assignments, permission, target, day));
        if allowed {
            return Ok(());
        }
        if let Some((department, office)) = target {
            return Err(Refused {
                permission,
                sentence: t!(
                    "operator-outside-limits",
                    login = self.login.as_str(),
                    permission = permission.label(),
                    department = department,
                    office = office
                ),
            });
        }
        let sentence = match &self.user {
            Some(user) => t!(
                "operator-missing-permission",
                login = self.login.as_str(),
                permission = permission.label(),
                user_id = user.user.user_id.to_string()
            ),
            None => t!(
                "operator-not-a-user",
                login = self.login.as_str(),
                permission = permission.label()
            ),
        };
        Err(Refused {
            permission,
            sentence,
        })
    }
}

/// Reads who the operator is and what they hold (two indexed queries).
pub fn operator(session: &Session) -> Result<Operator, StoreError> {
    let everyone = session.store.all_roles()?;
    let settings = session.store.load_settings()?;
    let day = super::roles::day_in(&settings, session.now());
    // Once someone was System administrator, roles stay in force even when
    // no one holds the role today (an ended role; `roles recover` helps).
    let enforced = has_system_administrator(&everyone, day) || settings.roles_in_force;
    let field = settings.operator_field;
    let user = session.store.user_by_login(field, &session.login)?;
    let assignments = user
        .as_ref()
        .and_then(|u| everyone.iter().find(|(key, _)| *key == u.key))
        .map(|(_, list)| list.clone())
        .unwrap_or_default();
    Ok(Operator {
        login: session.login.clone(),
        user,
        assignments,
        enforced,
        day: Some(day),
        roles: super::roles::roles(session)?,
    })
}

/// Checks the operator may do `permission`; a refusal is written to the
/// audit log (and the History of the operator's own user) and returned.
pub fn require(session: &mut Session, permission: Permission) -> Result<(), RequireError> {
    let current = operator(session)?;
    let Err(refused) = current.may(permission) else {
        return Ok(());
    };
    refuse(session, &current, refused)
}

/// Checks the operator may do `permission` for `target` (within their
/// roles' department and office limits); a refusal is audited and returned.
pub fn require_for(
    session: &mut Session,
    permission: Permission,
    target: &UserRecord,
) -> Result<(), RequireError> {
    let current = operator(session)?;
    let Err(refused) = current.may_for(permission, &target.user.department, &target.user.office)
    else {
        return Ok(());
    };
    refuse(session, &current, refused)
}

fn refuse(session: &mut Session, current: &Operator, refused: Refused) -> Result<(), RequireError> {
    let permission = refused.permission;
    let now = session.now();
    let actor = session.actor.clone();
    let entry = AuditEntry {
        at: now,
        actor,
        action: AuditAction::AccessRefused,
        user_key: current.user.as_ref().map(|u| u.key),
        user_id: current
            .user
            .as_ref()
            .map(|u| u.user.user_id.to_string())
            .unwrap_or_default(),
        before: None,
        after: Some(serde_json::json!({ "permission": permission.code() }).to_string()),
    };
    session.store.write(|tx| tx.append_audit(&entry))?;
    Err(RequireError::Refused(refused))
}

/// What [`require`] can end in.
#[derive(Debug, thiserror::Error)]
pub enum RequireError {
    /// The operator may not.
    #[error(transparent)]
    Refused(#[from] Refused),
    /// The register could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
}
