//! Roles and users' authorisations: the roles a register has (the built-in
//! three and those administrators make), who holds them, making, changing
//! and deleting roles, and changing a user's roles under the rules of
//! `domain::roles`; every change with an audit row.

use jiff::{Timestamp, tz::TimeZone};

use crate::domain::roles::{
    Assignment, AssignmentError, BuiltinRole, Permission, Role, RoleDraft, RoleError,
    builtin_roles, check_role_change, check_within_givers_own, has_system_administrator,
    has_system_administrator_after, new_role_id,
};
use crate::domain::settings::SettingsRow;
use crate::domain::{AuditAction, AuditEntry, UserKey, UserRecord};
use crate::store::Reads as _;
use crate::store::StoreError;

use super::Session;

/// Why a user's roles were not changed.
#[derive(Debug, thiserror::Error)]
pub enum RolesError {
    /// The rules say no (dates, unknown role, the last System administrator).
    #[error(transparent)]
    Invalid(#[from] AssignmentError),
    /// The role cannot be saved or deleted (name, permissions, in use).
    #[error(transparent)]
    Role(#[from] RoleError),
    /// The operator's roles do not permit it.
    #[error(transparent)]
    Refused(#[from] super::operator::Refused),
    /// The user was deleted meanwhile.
    #[error("{}", t!("user-not-found"))]
    NotFound,
    /// The person working is no HRM user (no user's login field is their
    /// login), so no role can be given to them.
    #[error("{}", t!("roles-not-an-hrm-user", login = .0.as_str()))]
    NotAnHrmUser(String),
    /// `roles recover` by someone who does not own the register.
    #[error("{}", t!("roles-recover-not-owner"))]
    NotOwner,
    /// The register could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The register's roles: the built-in three, then those administrators
/// made, by name.
pub fn roles(session: &Session) -> Result<Vec<Role>, StoreError> {
    Ok(with_builtin(session.store.custom_roles()?))
}

/// The built-in roles, then `custom` (the roles administrators made).
pub(super) fn with_builtin(custom: Vec<Role>) -> Vec<Role> {
    let mut all = builtin_roles();
    all.extend(custom);
    all
}

pub(super) fn role_json(role: &Role) -> serde_json::Value {
    serde_json::json!({
        "id": role.id,
        "name": role.name,
        "description": role.description,
        "permissions": role.grants.iter().map(|g| serde_json::json!({
            "permission": g.permission.code(),
            "departments": g.scope.departments,
            "offices": g.scope.offices,
        })).collect::<Vec<_>>(),
    })
}

/// Checks the operator holds [`Permission::Roles`]; a refusal is audited.
fn require_roles(session: &mut Session) -> Result<(), RolesError> {
    match super::operator::require(session, Permission::Roles) {
        Ok(()) => Ok(()),
        Err(super::operator::RequireError::Refused(refused)) => Err(refused.into()),
        Err(super::operator::RequireError::Store(error)) => Err(error.into()),
    }
}

/// Saves a role from the role form: a new one when `id` is `None` (its id
/// made from the name), else the role `id` made by administrators
/// (built-in roles cannot be changed). Checked against the roles as the
/// write sees them, so two administrators cannot give two roles one name.
/// Returns the role as saved.
pub fn save_role(
    session: &mut Session,
    id: Option<&str>,
    draft: &RoleDraft,
) -> Result<Role, RolesError> {
    require_roles(session)?;
    if let Some(id) = id
        && builtin_roles().iter().any(|r| r.id == id)
    {
        return Err(RoleError::BuiltIn.into());
    }
    // What the role permits may be what the operator holds.
    super::operator::forget(session);
    session.write_audited(|tx, stamp| {
        let mut all = builtin_roles();
        all.extend(tx.custom_roles()?);
        let before = match id {
            Some(id) => Some(
                all.iter()
                    .find(|r| r.id == id)
                    .cloned()
                    .ok_or_else(|| RoleError::Unknown(id.to_owned()))?,
            ),
            None => None,
        };
        let new_id = match id {
            Some(id) => id.to_owned(),
            None => new_role_id(&draft.name, &all),
        };
        let others: Vec<Role> = all.into_iter().filter(|r| r.id != new_id).collect();
        let role = draft.check(&new_id, &others)?;
        if before.as_ref() == Some(&role) {
            return Ok(role);
        }
        tx.put_role(&role, stamp.now.as_millisecond())?;
        tx.append_audit(
            &stamp
                .entry(AuditAction::RoleSaved)
                .before(before.as_ref().map(|r| role_json(r).to_string()))
                .after(role_json(&role).to_string()),
        )?;
        Ok(role)
    })
}

/// Deletes a role administrators made. Refused for a built-in role and
/// while anyone holds it (checked in the write, so an assignment made
/// meanwhile in another window is seen).
pub fn delete_role(session: &mut Session, id: &str) -> Result<(), RolesError> {
    require_roles(session)?;
    if builtin_roles().iter().any(|r| r.id == id) {
        return Err(RoleError::BuiltIn.into());
    }
    session.write_audited(|tx, stamp| {
        let role = tx
            .custom_roles()?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| RoleError::Unknown(id.to_owned()))?;
        let holders = tx
            .all_roles()?
            .iter()
            .filter(|(_, held)| held.iter().any(|a| a.role == id))
            .count();
        if holders > 0 {
            return Err(RoleError::Assigned(holders).into());
        }
        tx.delete_role(id)?;
        tx.append_audit(
            &stamp
                .entry(AuditAction::RoleDeleted)
                .before(role_json(&role).to_string()),
        )?;
        Ok(())
    })
}

/// The calendar day of `now` on this computer.
pub fn day_of(now: Timestamp) -> jiff::civil::Date {
    now.to_zoned(TimeZone::system()).date()
}

/// The calendar day of `now` in the register's time zone (the setting
/// `time_zone`; this computer's when it is not set or not known here): one
/// day for every computer that works on the register.
pub fn day_in(settings: &crate::domain::Settings, now: Timestamp) -> jiff::civil::Date {
    let zone = settings.time_zone.trim();
    if zone.is_empty() {
        return day_of(now);
    }
    match TimeZone::get(zone) {
        Ok(zone) => now.to_zoned(zone).date(),
        Err(error) => {
            tracing::warn!(
                "the register's time zone is not known here ({error}); using this computer's"
            );
            day_of(now)
        }
    }
}

/// The users holding each of `roles` (in that order), with their
/// assignment, by User-ID: the roles read once, each holder once.
pub fn members_of(
    session: &Session,
    roles: &[Role],
) -> Result<Vec<Vec<(UserRecord, Assignment)>>, StoreError> {
    let mut members: Vec<Vec<(UserRecord, Assignment)>> = vec![Vec::new(); roles.len()];
    let held = session.store.all_roles()?;
    let keys: Vec<UserKey> = held.iter().map(|(key, _)| *key).collect();
    let records: std::collections::HashMap<UserKey, UserRecord> = session
        .store
        .users_by_keys(&keys)?
        .into_iter()
        .map(|record| (record.key, record))
        .collect();
    for (key, assignments) in held {
        let Some(record) = records.get(&key) else {
            continue;
        };
        for assignment in assignments {
            if let Some(index) = roles.iter().position(|r| r.id == assignment.role) {
                members[index].push((record.clone(), assignment));
            }
        }
    }
    for list in &mut members {
        list.sort_by(|(a, _), (b, _)| a.user.user_id.natural_cmp(&b.user.user_id));
    }
    Ok(members)
}

pub(super) fn describe(assignments: &[Assignment], roles: &[Role]) -> serde_json::Value {
    let date = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string());
    assignments
        .iter()
        .map(|a| {
            serde_json::json!({
                "role": a.role,
                "name": crate::domain::roles::name_among(roles, &a.role),
                "valid_from": date(a.valid_from),
                "valid_to": date(a.valid_to),
                "departments": a.scope.departments,
                "offices": a.scope.offices,
            })
        })
        .collect()
}

/// Sets a user's roles (one assignment per role; a later one for the same
/// role replaces an earlier). Refused when a date pair is reversed, a role
/// does not exist, the register would lose its last System administrator,
/// or the first System administrator would be someone other than the
/// operator (who would lose their rights at once); nothing is written then. An audit row keeps the roles
/// before and after.
// Owned, as the callers hand their assignments over; read by each try of
// the write.
#[allow(clippy::needless_pass_by_value)]
pub fn set_user_roles(
    session: &mut Session,
    key: UserKey,
    assignments: Vec<Assignment>,
) -> Result<(), RolesError> {
    let settings = session.store.load_settings()?;
    let current = super::operator::operator(session)?;
    let result = session.write_audited(|tx, stamp| {
        set_roles_in(
            tx,
            &settings,
            &current,
            key,
            &assignments,
            stamp.now,
            &stamp.actor,
        )
    });
    super::operator::forget(session);
    match result {
        Err(RolesError::Refused(refused)) => Err(RolesError::Refused(super::operator::audited(
            session, &current, refused,
        ))),
        other => other,
    }
}

/// Sets a user's roles inside the transaction `tx`, as [`set_user_roles`]
/// does, for `current` (the operator): for one use case that saves a whole
/// form at once.
pub(crate) fn set_roles_in(
    tx: &crate::store::WriteTx<'_>,
    settings: &crate::domain::Settings,
    current: &super::operator::Operator,
    key: UserKey,
    assignments: &[Assignment],
    now: Timestamp,
    actor: &str,
) -> Result<(), RolesError> {
    let mut wanted: Vec<Assignment> = Vec::new();
    for assignment in assignments {
        wanted.retain(|a| a.role != assignment.role);
        wanted.push(assignment.clone());
    }
    wanted.sort_by(|a, b| a.role.cmp(&b.role));
    let operator = current.user.as_ref().map(|record| record.key);
    // The roles as the write sees them: one deleted meanwhile is refused.
    let mut roles = builtin_roles();
    roles.extend(tx.custom_roles()?);
    for assignment in &wanted {
        assignment.check(&roles)?;
    }
    let record = tx.user(key)?.ok_or(RolesError::NotFound)?;
    let everyone = tx.all_roles()?;
    let before = everyone
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, a)| a.clone())
        .unwrap_or_default();
    if before == wanted {
        return Ok(());
    }
    // Roles are given with *Roles*, where the user is.
    current.may_for(
        Permission::Roles,
        &record.user.department,
        &record.user.office,
    )?;
    let day = day_in(settings, now);
    check_role_change(&everyone, Some(key), &wanted, day, operator)?;
    if has_system_administrator(&everyone, day) || settings.roles_in_force {
        // Nobody makes anyone more than they are themselves.
        let giver = operator
            .and_then(|me| everyone.iter().find(|(k, _)| *k == me))
            .map(|(_, held)| held.clone())
            .unwrap_or_default();
        check_within_givers_own(&roles, &giver, &before, &wanted, day)?;
    }
    tx.set_roles(key, &wanted, now.as_millisecond())?;
    if has_system_administrator_after(&everyone, key, &wanted, day) {
        // From the first System administrator on, roles stay in force.
        tx.set_setting(SettingsRow::RolesInForce, Some("true"))?;
    }
    tx.append_audit(
        &AuditEntry::new(now, actor, AuditAction::RolesChanged)
            .about(key, record.user.user_id.to_string())
            .before(serde_json::json!({ "roles": describe(&before, &roles) }).to_string())
            .after(serde_json::json!({ "roles": describe(&wanted, &roles) }).to_string()),
    )?;
    Ok(())
}

/// *Make me System administrator*: gives the operator the System
/// administrator role (keeping their other roles). This is how a register
/// gets its first one; once there is one, only someone with *Roles* may.
pub fn make_me_system_administrator(session: &mut Session) -> Result<UserRecord, RolesError> {
    require_roles(session)?;
    let field = session.store.load_settings()?.operator_field;
    let me = session
        .store
        .user_by_login(field, &session.login)?
        .ok_or_else(|| RolesError::NotAnHrmUser(session.login.clone()))?;
    let mut held = session
        .store
        .all_roles()?
        .into_iter()
        .find(|(key, _)| *key == me.key)
        .map(|(_, held)| held)
        .unwrap_or_default();
    held.push(Assignment::new(BuiltinRole::SystemAdministrator.code()));
    set_user_roles(session, me.key, held)?;
    Ok(me)
}

/// `roles recover LOGIN`: the way back when no one can change roles any
/// more (the last System administrator left, or a role ended). Only the
/// register's owner may (the OS account owning the file, or the database
/// role owning the tables); the user whose login field is `login` gets
/// System administrator from today, with no end, whatever the rules of the
/// window say. Audited with the owner as actor.
pub fn recover(session: &mut Session, login: &str) -> Result<UserRecord, RolesError> {
    if !session.store.is_register_owner()? {
        return Err(RolesError::NotOwner);
    }
    let field = session.store.load_settings()?.operator_field;
    let now = session.now();
    let actor = format!("{} (roles recover)", session.actor);
    let record = match session.store.user_by_login(field, login)? {
        Some(record) => record,
        // A fresh register, with no users yet: the first administrator's
        // user is made with the login as User-ID (and Alias user-ID),
        // audited. On a register with users, a login no one has is a typo.
        None if session.store.count_users()? == 0 => {
            add_first_administrator(session, field, login, &actor)?
        }
        None => return Err(RolesError::NotAnHrmUser(login.to_owned())),
    };
    session.store.write(|tx| {
        let mut roles = builtin_roles();
        roles.extend(tx.custom_roles()?);
        let before = tx
            .all_roles()?
            .into_iter()
            .find(|(key, _)| *key == record.key)
            .map(|(_, held)| held)
            .unwrap_or_default();
        let admin = BuiltinRole::SystemAdministrator.code();
        let mut after: Vec<Assignment> =
            before.iter().filter(|a| a.role != admin).cloned().collect();
        after.push(Assignment::new(admin));
        after.sort_by(|a, b| a.role.cmp(&b.role));
        tx.set_roles(record.key, &after, now.as_millisecond())?;
        tx.set_setting(SettingsRow::RolesInForce, Some("true"))?;
        tx.append_audit(
            &AuditEntry::new(now, actor, AuditAction::RolesChanged)
                .about(record.key, record.user.user_id.to_string())
                .before(serde_json::json!({ "roles": describe(&before, &roles) }).to_string())
                .after(serde_json::json!({ "roles": describe(&after, &roles) }).to_string()),
        )?;
        Ok::<_, RolesError>(())
    })?;
    super::operator::forget(session);
    Ok(record)
}

/// Makes the user `login` (User-ID, and Alias user-ID) for `roles recover`
/// on a register where no user has that login; only when the login field
/// is one of those two.
fn add_first_administrator(
    session: &mut Session,
    field: crate::domain::settings::OperatorField,
    login: &str,
    actor: &str,
) -> Result<UserRecord, RolesError> {
    use crate::domain::settings::OperatorField;
    let user_id = crate::domain::UserId::parse(login)
        .ok()
        .filter(|_| matches!(field, OperatorField::AliasUserId | OperatorField::UserId))
        .ok_or_else(|| RolesError::NotAnHrmUser(login.to_owned()))?;
    let user = crate::domain::User {
        alias_user_id: login.to_owned(),
        ..crate::domain::User::activated(user_id)
    };
    let now = session.now();
    let key = session.store.write(|tx| {
        let key = tx.insert_user(&user, now.as_millisecond())?;
        tx.append_audit(
            &AuditEntry::new(now, actor, AuditAction::UserCreated)
                .about(key, user.user_id.to_string()),
        )?;
        Ok::<_, RolesError>(key)
    })?;
    session
        .store
        .user(key)?
        .ok_or_else(|| RolesError::NotAnHrmUser(login.to_owned()))
}
