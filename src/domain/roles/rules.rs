//! The rules of giving roles: what a role permits for a user, that the
//! register keeps a System administrator, and that nobody gives more than
//! they hold themselves.

use jiff::civil::Date;

use crate::domain::user::UserKey;

use super::{Assignment, AssignmentError, BuiltinRole, Permission, Role, Scope};

/// True when the assignments give `permission` on `day` for a user in this
/// department and office (`None`: anywhere at all): a role that permits it
/// there, assigned for that day and covering that place.
pub fn permits(
    roles: &[Role],
    assignments: &[Assignment],
    permission: Permission,
    target: Option<(&str, &str)>,
    day: Date,
) -> bool {
    assignments
        .iter()
        .filter(|a| a.is_valid_on(day))
        .any(|assignment| {
            let Some(role) = roles.iter().find(|r| r.id == assignment.role) else {
                return false;
            };
            role.permits(permission, target)
                && target
                    .is_none_or(|(department, office)| assignment.scope.covers(department, office))
        })
}

/// True when someone holds the System administrator role on `day` (until
/// then, everyone may do everything).
pub fn has_system_administrator(everyone: &[(UserKey, Vec<Assignment>)], day: Date) -> bool {
    everyone.iter().any(|(_, assignments)| {
        assignments
            .iter()
            .any(|a| a.role == BuiltinRole::SystemAdministrator.code() && a.is_valid_on(day))
    })
}

/// True when someone holds System administrator on `day` once `user`'s
/// roles are `after`.
pub fn has_system_administrator_after(
    everyone: &[(UserKey, Vec<Assignment>)],
    user: UserKey,
    after: &[Assignment],
    day: Date,
) -> bool {
    let changed: Vec<(UserKey, Vec<Assignment>)> = everyone
        .iter()
        .filter(|(key, _)| *key != user)
        .cloned()
        .chain(std::iter::once((user, after.to_vec())))
        .collect();
    has_system_administrator(&changed, day)
}

/// Refuses a change of `user`'s roles to `after` that would take the last
/// System administrator away (on `day`) from a register that has one.
pub fn check_keeps_a_system_administrator(
    everyone: &[(UserKey, Vec<Assignment>)],
    user: UserKey,
    after: &[Assignment],
    day: Date,
) -> Result<(), AssignmentError> {
    if !has_system_administrator(everyone, day) {
        return Ok(());
    }
    if has_system_administrator_after(everyone, user, after, day) {
        Ok(())
    } else {
        Err(AssignmentError::LastSystemAdministrator)
    }
}

/// The rules for changing `user`'s roles to `after`, made by `operator`
/// (the HRM user at the window or command line, if they are one), judged on
/// `day`: the register keeps its last System administrator, and the first
/// System administrator is someone giving the role to themselves, so no one
/// locks themselves out by giving it to another first. `user` is `None` for
/// a user not yet saved.
pub fn check_role_change(
    everyone: &[(UserKey, Vec<Assignment>)],
    user: Option<UserKey>,
    after: &[Assignment],
    day: Date,
    operator: Option<UserKey>,
) -> Result<(), AssignmentError> {
    if has_system_administrator(everyone, day) {
        return match user {
            Some(user) => check_keeps_a_system_administrator(everyone, user, after, day),
            None => Ok(()),
        };
    }
    let makes_one = after
        .iter()
        .any(|a| a.role == BuiltinRole::SystemAdministrator.code() && a.is_valid_on(day));
    if makes_one && (user.is_none() || user != operator) {
        return Err(AssignmentError::FirstAdministratorNotYou);
    }
    Ok(())
}

/// Where the holder of `assignments` has `permission` on `day`: one scope
/// per role that gives it (the role's limits within the assignment's).
pub(super) fn held_scopes(
    roles: &[Role],
    assignments: &[Assignment],
    permission: Permission,
    day: Date,
) -> Vec<Scope> {
    assignments
        .iter()
        .filter(|a| a.is_valid_on(day))
        .filter_map(|a| roles.iter().find(|r| r.id == a.role).map(|r| (a, r)))
        .flat_map(|(assignment, role)| {
            role.grants
                .iter()
                .filter(move |g| g.permission.includes(permission))
                .map(move |g| g.scope.within(&assignment.scope))
        })
        .collect()
}

/// Refuses giving `after` (a user's roles, of which `before` they hold
/// already) when a new or changed assignment gives a permission the giver
/// (`giver`'s assignments) does not hold as widely themselves, within
/// their own limits. The System administrator gives anything.
pub fn check_within_givers_own(
    roles: &[Role],
    giver: &[Assignment],
    before: &[Assignment],
    after: &[Assignment],
    day: Date,
) -> Result<(), AssignmentError> {
    let is_admin = giver
        .iter()
        .any(|a| a.role == BuiltinRole::SystemAdministrator.code() && a.is_valid_on(day));
    if is_admin {
        return Ok(());
    }
    for assignment in after.iter().filter(|a| !before.contains(a)) {
        let Some(role) = roles.iter().find(|r| r.id == assignment.role) else {
            continue;
        };
        for grant in &role.grants {
            let granted = grant.scope.within(&assignment.scope);
            let held = held_scopes(roles, giver, grant.permission, day);
            if !held.iter().any(|scope| scope.contains(&granted)) {
                return Err(AssignmentError::BeyondYourOwn {
                    role: role.name.clone(),
                    permission: grant.permission,
                });
            }
        }
    }
    Ok(())
}
