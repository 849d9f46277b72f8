//! The import's sheets beside Employees/users (Roles, Authorisations, Audit
//! of account code): planned against the register with the operator's
//! rights, and written in the import's transaction with an audit row per
//! change. They need the permission Roles; without it they are listed as
//! not imported.

use std::collections::HashMap;

use jiff::Timestamp;

use crate::domain::authorisation_sheets::{
    AuthorisationPlan, KnownUser, ParsedSheets, Register, SheetProblem, plan_authorisations,
};
use crate::domain::import::{ImportPlan, RowAction};
use crate::domain::roles::{Permission, builtin_roles};
use crate::domain::{AuditAction, AuditEntry, UserRecord};
use crate::store::Reads as _;
use crate::store::{StoreError, WriteTx};

use super::operator::Operator;

/// What planning reads from the register (from a session or inside the
/// import's transaction).
pub(super) struct Snapshot<'a> {
    /// Every user (after the users sheet, when inside the transaction).
    pub users: &'a [UserRecord],
    /// The users sheet's plan, when its rows are not written yet.
    pub pending: Option<&'a ImportPlan>,
    /// The roles administrators made.
    pub custom_roles: Vec<crate::domain::roles::Role>,
    /// Everyone's roles.
    pub everyone: Vec<(
        crate::domain::UserKey,
        Vec<crate::domain::roles::Assignment>,
    )>,
    /// The account codes.
    pub codes: Vec<crate::domain::account_codes::AccountCode>,
    /// Today.
    pub day: jiff::civil::Date,
}

/// Plans the sheets for `operator`.
pub(super) fn plan_sheets(
    parsed: &ParsedSheets,
    snapshot: &Snapshot<'_>,
    operator: &Operator,
) -> AuthorisationPlan {
    if parsed.is_empty() {
        return AuthorisationPlan::default();
    }
    if let Err(refused) = operator.may(Permission::Roles) {
        return AuthorisationPlan {
            problems: parsed
                .present
                .iter()
                .map(|&sheet| SheetProblem {
                    sheet,
                    row: 1,
                    message: t!(
                        "sheet-authorisations-refused",
                        sheet = sheet.name(),
                        reason = refused.sentence.as_str()
                    ),
                })
                .collect(),
            ..AuthorisationPlan::default()
        };
    }
    let mut known: HashMap<String, KnownUser> = snapshot
        .users
        .iter()
        .map(|r| {
            (
                r.user.user_id.to_string(),
                KnownUser {
                    key: Some(r.key),
                    department: r.user.department.clone(),
                    office: r.user.office.clone(),
                },
            )
        })
        .collect();
    for row in snapshot.pending.iter().flat_map(|p| &p.rows) {
        if let Some(user) = row.user() {
            let key = match &row.action {
                RowAction::Update { key, .. } => Some(*key),
                _ => None,
            };
            known.insert(
                user.user_id.to_string(),
                KnownUser {
                    key,
                    department: user.department.clone(),
                    office: user.office.clone(),
                },
            );
        }
    }
    let mut roles = builtin_roles();
    roles.extend(snapshot.custom_roles.iter().cloned());
    let find = |user_id: &str| known.get(user_id.trim()).cloned();
    let may_change = |department: &str, office: &str| {
        operator
            .may_for(Permission::Roles, department, office)
            .map_err(|refused| refused.sentence)
    };
    plan_authorisations(
        parsed,
        &Register {
            roles: &roles,
            everyone: &snapshot.everyone,
            codes: &snapshot.codes,
            day: snapshot.day,
            operator: operator.user.as_ref().map(|u| u.key),
            giver: operator.enforced.then_some(operator.assignments.as_slice()),
            user: &find,
            may_change: &may_change,
        },
    )
}

/// Writes the plan in the import's transaction, with an audit row for each
/// role saved and each user whose roles or rows change.
pub(super) fn apply(
    tx: &WriteTx<'_>,
    plan: &AuthorisationPlan,
    users: &[UserRecord],
    now: Timestamp,
    actor: &str,
) -> Result<(), StoreError> {
    let now_ms = now.as_millisecond();
    let audit = |action, record: Option<&UserRecord>, before: Option<String>, after: String| {
        tx.append_audit(
            &AuditEntry::new(now, actor, action)
                .about_user(record)
                .before(before)
                .after(after),
        )
    };
    let existing = tx.custom_roles()?;
    for role in &plan.roles {
        tx.put_role(role, now_ms)?;
        let before = existing.iter().find(|r| r.id == role.id);
        audit(
            AuditAction::RoleSaved,
            None,
            before.map(|r| super::roles::role_json(r).to_string()),
            super::roles::role_json(role).to_string(),
        )?;
    }
    let by_user_id: HashMap<String, &UserRecord> = users
        .iter()
        .map(|r| (r.user.user_id.to_string(), r))
        .collect();
    let mut roles = builtin_roles();
    roles.extend(tx.custom_roles()?);
    let everyone = tx.all_roles()?;
    for (user_id, wanted) in &plan.assignments {
        let Some(record) = by_user_id.get(user_id.trim()) else {
            continue;
        };
        let before = everyone
            .iter()
            .find(|(key, _)| *key == record.key)
            .map(|(_, held)| held.clone())
            .unwrap_or_default();
        if &before == wanted {
            continue;
        }
        tx.set_roles(record.key, wanted, now_ms)?;
        audit(
            AuditAction::RolesChanged,
            Some(record),
            Some(
                serde_json::json!({ "roles": super::roles::describe(&before, &roles) }).to_string(),
            ),
            serde_json::json!({ "roles": super::roles::describe(wanted, &roles) }).to_string(),
        )?;
    }
    if !plan.assignments.is_empty()
        && crate::domain::roles::has_system_administrator(
            &tx.all_roles()?,
            super::roles::day_in(&tx.load_settings()?, now),
        )
    {
        // From the first System administrator on, roles stay in force.
        tx.set_setting(
            crate::domain::settings::SettingsRow::RolesInForce,
            Some("true"),
        )?;
    }
    for (user_id, rights) in &plan.audit_rights {
        let Some(record) = by_user_id.get(user_id.trim()) else {
            continue;
        };
        let before = tx.audit_rights_of(record.key)?;
        if &before == rights {
            continue;
        }
        tx.set_audit_rights(record.key, rights, now_ms)?;
        audit(
            AuditAction::AuditRightsChanged,
            Some(record),
            Some(
                serde_json::json!({ "audit_rights": super::account_codes::describe(&before) })
                    .to_string(),
            ),
            serde_json::json!({ "audit_rights": super::account_codes::describe(rights) })
                .to_string(),
        )?;
    }
    Ok(())
}
