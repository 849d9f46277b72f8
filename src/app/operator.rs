//! Who is working, and what they may do. The operator is the HRM user whose
//! *Alias user-ID* (or the field the setting `operator_field` names) is the
//! operating-system login name. Until someone holds
//! the System administrator role everyone may do everything (the window says
//! so); from then on each operator may do only what their roles permit, and
//! every refusal is written to the audit log.

use crate::domain::roles::{Assignment, Permission, Role, has_system_administrator, permits};
use crate::domain::{AuditAction, UserRecord};
use crate::store::Reads as _;
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

/// The operator as a session last read them: valid while no other program
/// changed the register, this session changed nothing that says who is
/// who ([`forget`]), and for at most [`OPERATOR_FRESH_FOR`], so a use case
/// checks its permission without a round trip each time.
#[derive(Clone, Debug)]
pub(crate) struct OperatorSeen {
    operator: Operator,
    data_version: i64,
    at: jiff::Timestamp,
}

/// How long an operator read stays good when nothing changed (roles end at
/// midnight; settings changed elsewhere do not stamp the users).
const OPERATOR_FRESH_FOR: jiff::SignedDuration = jiff::SignedDuration::from_secs(60);

/// Who the operator is and what they hold: read again (a few indexed
/// queries) when the register changed since the session last read it.
pub fn operator(session: &Session) -> Result<Operator, StoreError> {
    let data_version = session.store.data_version()?;
    let now = session.now();
    if let Some(seen) = session.operator_seen.borrow().as_ref()
        && seen.data_version == data_version
        && now >= seen.at
        && now.duration_since(seen.at) < OPERATOR_FRESH_FOR
    {
        return Ok(seen.operator.clone());
    }
    let operator = read_operator(session)?;
    *session.operator_seen.borrow_mut() = Some(Box::new(OperatorSeen {
        operator: operator.clone(),
        data_version,
        at: now,
    }));
    Ok(operator)
}

/// Checks, inside a use case, that the operator may do `permission` (for a
/// user in `place`, a department and office, when given); a refusal is
/// audited and returned. The window and the CLI only mirror this.
pub(crate) fn check(
    session: &mut Session,
    permission: Permission,
    place: Option<(&str, &str)>,
) -> Result<(), RequireError> {
    let current = operator(session)?;
    let verdict = match place {
        Some((department, office)) => current.may_for(permission, department, office),
        None => current.may(permission),
    };
    match verdict {
        Ok(()) => Ok(()),
        Err(refused) => refuse(session, &current, refused),
    }
}

fn read_operator(session: &Session) -> Result<Operator, StoreError> {
    // On a shared register in one round trip (it was five).
    let (everyone, settings, custom_roles, user) =
        if let Some(reads) = session.store.operator_reads_together(&session.login)? {
            let field = reads.settings.operator_field;
            let user = reads
                .by_field
                .into_iter()
                .find(|(f, _)| *f == field)
                .and_then(|(_, user)| user);
            (reads.all_roles, reads.settings, reads.custom_roles, user)
        } else {
            let settings = session.store.load_settings()?;
            let user = session
                .store
                .user_by_login(settings.operator_field, &session.login)?;
            (
                session.store.all_roles()?,
                settings,
                session.store.custom_roles()?,
                user,
            )
        };
    let day = super::roles::day_in(&settings, session.now());
    // Once someone was System administrator, roles stay in force even when
    // no one holds the role today (an ended role; `roles recover` helps).
    let enforced = has_system_administrator(&everyone, day) || settings.roles_in_force;
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
        roles: super::roles::with_builtin(custom_roles),
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

/// Writes the audit row of a refusal a use case found inside its own
/// transaction (which was rolled back), and gives the refusal back.
pub(crate) fn audited(session: &mut Session, current: &Operator, refused: Refused) -> Refused {
    match refuse(session, current, refused.clone()) {
        Err(RequireError::Store(error)) => {
            tracing::warn!("a refusal could not be written to the audit log: {error}");
        }
        Ok(()) | Err(RequireError::Refused(_)) => {}
    }
    refused
}

/// Forgets the operator read last, after a change that may change who is
/// working or what they hold (roles, settings, login fields).
pub(crate) fn forget(session: &Session) {
    *session.operator_seen.borrow_mut() = None;
}

fn refuse(session: &mut Session, current: &Operator, refused: Refused) -> Result<(), RequireError> {
    let permission = refused.permission;
    session.write_audited(|tx, stamp| {
        tx.append_audit(
            &stamp
                .entry(AuditAction::AccessRefused)
                .about_user(current.user.as_ref())
                .after(serde_json::json!({ "permission": permission.code() }).to_string()),
        )
    })?;
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
