//! Roles and users' authorisations: the roles a register has (the built-in
//! three for now), who holds them, and changing a user's roles under the
//! rules of `domain::roles`, with an audit row.

use jiff::{Timestamp, tz::TimeZone};

use crate::domain::roles::{
    Assignment, AssignmentError, Role, builtin_roles, check_keeps_a_system_administrator,
};
use crate::domain::{AuditAction, AuditEntry, UserKey, UserRecord};
use crate::store::StoreError;

use super::Session;

/// Why a user's roles were not changed.
#[derive(Debug, thiserror::Error)]
pub enum RolesError {
    /// The rules say no (dates, unknown role, the last System administrator).
    #[error(transparent)]
    Invalid(#[from] AssignmentError),
    /// The user was deleted meanwhile.
    #[error("{}", t!("user-not-found"))]
    NotFound,
    /// The register could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The register's roles.
pub fn roles() -> Vec<Role> {
    builtin_roles()
}

/// The calendar day of `now` on this computer.
pub fn day_of(now: Timestamp) -> jiff::civil::Date {
    now.to_zoned(TimeZone::system()).date()
}

/// The users holding each of `roles` (in that order), with their
/// assignment, by User-ID: the roles read once, each holder once.
pub fn members_of(
    session: &Session,
    roles: &[Role],
) -> Result<Vec<Vec<(UserRecord, Assignment)>>, StoreError> {
    let mut members: Vec<Vec<(UserRecord, Assignment)>> = vec![Vec::new(); roles.len()];
    for (key, assignments) in session.store.all_roles()? {
        let Some(record) = session.store.user(key)? else {
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

fn describe(assignments: &[Assignment]) -> serde_json::Value {
    let date = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string());
    assignments
        .iter()
        .map(|a| {
            serde_json::json!({
                "role": a.role,
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
/// does not exist, or the register would lose its last System
/// administrator; nothing is written then. An audit row keeps the roles
/// before and after.
pub fn set_user_roles(
    session: &mut Session,
    key: UserKey,
    assignments: Vec<Assignment>,
) -> Result<(), RolesError> {
    let roles = roles();
    let mut wanted: Vec<Assignment> = Vec::new();
    for assignment in assignments {
        assignment.check(&roles)?;
        wanted.retain(|a| a.role != assignment.role);
        wanted.push(assignment);
    }
    wanted.sort_by(|a, b| a.role.cmp(&b.role));
    let now = session.now();
    let actor = session.actor.clone();
    session.store.write(|tx| {
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
        check_keeps_a_system_administrator(&everyone, key, &wanted, day_of(now))?;
        tx.set_roles(key, &wanted, now.as_millisecond())?;
        tx.append_audit(&AuditEntry {
            at: now,
            actor,
            action: AuditAction::RolesChanged,
            user_key: Some(key),
            user_id: record.user.user_id.to_string(),
            before: Some(serde_json::json!({ "roles": describe(&before) }).to_string()),
            after: Some(serde_json::json!({ "roles": describe(&wanted) }).to_string()),
        })?;
        Ok(())
    })
}
