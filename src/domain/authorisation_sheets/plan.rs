//! Planning the authorisation sheets against the register: each row's user
//! found by User-ID, roles and *Audit of account code* rows checked and
//! made the changes an import writes.

use jiff::civil::Date;

use crate::domain::account_codes::{AccountCode, AuditRight};
use crate::domain::roles::{
    Assignment, Role, check_role_change, check_within_givers_own, role_id_for,
};
use crate::domain::user::UserKey;

use super::{ExtraSheet, ParsedSheets, SheetProblem, UserRows};

/// A user as planning needs them: their key (none while the same import
/// creates them) and where they work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownUser {
    /// The key, once stored.
    pub key: Option<UserKey>,
    /// Department.
    pub department: String,
    /// Office.
    pub office: String,
}

/// What planning checks the sheets against.
pub struct Register<'a> {
    /// Every role there is.
    pub roles: &'a [Role],
    /// Everyone's roles now.
    pub everyone: &'a [(UserKey, Vec<Assignment>)],
    /// The register's account codes.
    pub codes: &'a [AccountCode],
    /// The day the System administrator rule is judged on.
    pub day: Date,
    /// The HRM user importing, if they are one (only they may become the
    /// first System administrator).
    pub operator: Option<UserKey>,
    /// While roles are in force, the importer's own roles: nobody gives
    /// more than they hold. `None` while everyone may do everything.
    pub giver: Option<&'a [Assignment]>,
    /// A user by User-ID (as the import leaves them).
    pub user: &'a dyn Fn(&str) -> Option<KnownUser>,
    /// Whether the operator may change authorisations of a user in this
    /// department and office (why not, when not).
    pub may_change: &'a dyn Fn(&str, &str) -> Result<(), String>,
}

/// What an import sets beside the users.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthorisationPlan {
    /// Roles to write (new or changed).
    pub roles: Vec<Role>,
    /// Users whose roles become these.
    pub assignments: Vec<(String, Vec<Assignment>)>,
    /// Users whose Audit of account code rows become these.
    pub audit_rights: Vec<(String, Vec<AuditRight>)>,
    /// What is not imported, and why.
    pub problems: Vec<SheetProblem>,
}

impl AuthorisationPlan {
    /// True when it sets nothing and has nothing to say.
    pub fn is_empty(&self) -> bool {
        self.roles.is_empty()
            && self.assignments.is_empty()
            && self.audit_rights.is_empty()
            && self.problems.is_empty()
    }

    /// The lines a dry run and a finished import show.
    pub fn lines(&self) -> Vec<String> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut lines = vec![t!(
            "sheet-authorisations-summary",
            roles = self.roles.len(),
            assignments = self.assignments.len(),
            audit = self.audit_rights.len()
        )];
        lines.extend(self.problems.iter().map(ToString::to_string));
        lines
    }
}

/// Plans the sheets: which roles are written (built-in roles in the sheet
/// are left as they are), which users' roles and rows are set. A user whose
/// rows name an unknown user or role, break a rule (dates, ranges, codes,
/// the last System administrator) or lie outside the operator's limits
/// keeps what they have, and the reason is listed.
pub fn plan_authorisations(parsed: &ParsedSheets, register: &Register<'_>) -> AuthorisationPlan {
    let mut plan = AuthorisationPlan {
        problems: parsed.problems.clone(),
        ..AuthorisationPlan::default()
    };
    let mut roles: Vec<Role> = register.roles.to_vec();
    for sheet_role in &parsed.roles {
        let existing = roles.iter().find(|r| r.id == sheet_role.id).cloned();
        if existing.as_ref().is_some_and(|r| r.builtin.is_some()) {
            continue;
        }
        let others: Vec<Role> = roles
            .iter()
            .filter(|r| r.id != sheet_role.id)
            .cloned()
            .collect();
        match sheet_role.draft.check(&sheet_role.id, &others) {
            Ok(role) if existing.as_ref() == Some(&role) => {}
            Ok(role) => {
                roles.retain(|r| r.id != role.id);
                roles.push(role.clone());
                plan.roles.push(role);
            }
            Err(error) => plan.problems.push(SheetProblem {
                sheet: ExtraSheet::Roles,
                row: sheet_role.row,
                message: error.to_string(),
            }),
        }
    }
    let mut everyone = register.everyone.to_vec();
    for user_rows in &parsed.assignments {
        match plan_assignments(user_rows, register, &roles, &everyone) {
            Ok(Some((key, wanted))) => {
                if let Some(key) = key {
                    everyone.retain(|(k, _)| *k != key);
                    everyone.push((key, wanted.clone()));
                }
                plan.assignments.push((user_rows.user_id.clone(), wanted));
            }
            Ok(None) => {}
            Err(message) => plan.problems.push(SheetProblem {
                sheet: ExtraSheet::Authorisations,
                row: user_rows.row,
                message,
            }),
        }
    }
    for user_rows in &parsed.audit_rights {
        match plan_audit_rights(user_rows, register) {
            Ok(()) => plan
                .audit_rights
                .push((user_rows.user_id.clone(), user_rows.rows.clone())),
            Err(message) => plan.problems.push(SheetProblem {
                sheet: ExtraSheet::AuditOfAccountCode,
                row: user_rows.row,
                message,
            }),
        }
    }
    plan.problems.sort_by_key(|p| (p.sheet, p.row));
    plan
}

pub(super) fn known_user(user_rows_id: &str, register: &Register<'_>) -> Result<KnownUser, String> {
    let user = (register.user)(user_rows_id)
        .ok_or_else(|| t!("sheet-unknown-user", user_id = user_rows_id))?;
    (register.may_change)(&user.department, &user.office)?;
    Ok(user)
}

/// A user's key (none while the import creates them) and roles to set.
pub(super) type NewRoles = (Option<UserKey>, Vec<Assignment>);

/// The user's roles as the sheet sets them; `None` when they are as now.
pub(super) fn plan_assignments(
    user_rows: &UserRows<Assignment>,
    register: &Register<'_>,
    roles: &[Role],
    everyone: &[(UserKey, Vec<Assignment>)],
) -> Result<Option<NewRoles>, String> {
    let user = known_user(&user_rows.user_id, register)?;
    let mut wanted: Vec<Assignment> = Vec::new();
    for row in &user_rows.rows {
        let assignment = Assignment {
            role: role_id_for(roles, &row.role),
            ..row.clone()
        };
        assignment.check(roles).map_err(|e| e.to_string())?;
        wanted.retain(|a| a.role != assignment.role);
        wanted.push(assignment);
    }
    wanted.sort_by(|a, b| a.role.cmp(&b.role));
    let held_now = user
        .key
        .and_then(|key| everyone.iter().find(|(k, _)| *k == key))
        .map(|(_, a)| a.as_slice())
        .unwrap_or_default();
    if let Some(giver) = register.giver {
        check_within_givers_own(roles, giver, held_now, &wanted, register.day)
            .map_err(|e| e.to_string())?;
    }
    let Some(key) = user.key else {
        check_role_change(everyone, None, &wanted, register.day, register.operator)
            .map_err(|e| e.to_string())?;
        return Ok((!wanted.is_empty()).then_some((None, wanted)));
    };
    let now = everyone
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, a)| a.as_slice())
        .unwrap_or_default();
    if now == wanted.as_slice() {
        return Ok(None);
    }
    check_role_change(
        everyone,
        Some(key),
        &wanted,
        register.day,
        register.operator,
    )
    .map_err(|e| e.to_string())?;
    Ok(Some((Some(key), wanted)))
}

pub(super) fn plan_audit_rights(
    user_rows: &UserRows<AuditRight>,
    register: &Register<'_>,
) -> Result<(), String> {
    known_user(&user_rows.user_id, register)?;
    for right in &user_rows.rows {
        right.check(register.codes).map_err(|e| e.to_string())?;
    }
    Ok(())
}
