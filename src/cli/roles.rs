//! `roles list`, `roles show ROLE` and `users roles USER`: the roles, their
//! members, and a user's roles; `account-codes import/list`: the codes that
//! Audit of account code refers to. Lines or JSON (field names are stable).

use std::io::Write as _;
use std::process::ExitCode;

use serde::Serialize;

use crate::app::Session;
use crate::app::roles::{RolesError, members_of, roles, set_user_roles};
use crate::domain::roles::{Assignment, Permission, Role};
use crate::domain::{UserId, parse_date};

use super::Refused;

/// A role as `roles list --json` and `roles show --json` print it.
#[derive(Serialize)]
struct RoleJson {
    id: String,
    name: String,
    description: String,
    built_in: bool,
    permissions: Vec<PermissionJson>,
    members: usize,
}

#[derive(Serialize)]
struct PermissionJson {
    permission: &'static str,
    departments: Vec<String>,
    offices: Vec<String>,
}

/// One of a user's roles as JSON.
#[derive(Serialize)]
struct AssignmentJson {
    user_id: String,
    role: String,
    name: String,
    valid_from: Option<String>,
    valid_to: Option<String>,
    departments: Vec<String>,
    offices: Vec<String>,
}

impl AssignmentJson {
    fn new(user_id: &str, assignment: &Assignment, roles: &[Role]) -> Self {
        Self {
            user_id: user_id.to_owned(),
            role: assignment.role.clone(),
            name: crate::domain::roles::name_among(roles, &assignment.role),
            valid_from: assignment.valid_from.map(|d| d.to_string()),
            valid_to: assignment.valid_to.map(|d| d.to_string()),
            departments: assignment.scope.departments.clone(),
            offices: assignment.scope.offices.clone(),
        }
    }

    /// `HR administrator (hr_administrator), 2027-01-01 – 2027-12-31`.
    fn line(&self) -> String {
        let dates = match (&self.valid_from, &self.valid_to) {
            (None, None) => String::new(),
            (from, to) => format!(
                ", {} – {}",
                from.as_deref().unwrap_or(""),
                to.as_deref().unwrap_or("")
            ),
        };
        super::printable(&format!("{} ({}){dates}", self.name, self.role)).into_owned()
    }
}

fn role_json(role: &Role, members: usize) -> RoleJson {
    RoleJson {
        id: role.id.clone(),
        name: role.name.clone(),
        description: role.description.clone(),
        built_in: role.builtin.is_some(),
        permissions: role
            .grants
            .iter()
            .map(|g| PermissionJson {
                permission: g.permission.code(),
                departments: g.scope.departments.clone(),
                offices: g.scope.offices.clone(),
            })
            .collect(),
        members,
    }
}

fn write_json(value: &impl Serialize) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(ExitCode::SUCCESS)
}

/// `roles list`.
pub fn list(session: &Session, json: bool) -> anyhow::Result<ExitCode> {
    let all = roles(session)?;
    let members = members_of(session, &all)?;
    let roles: Vec<RoleJson> = all
        .iter()
        .zip(&members)
        .map(|(role, holders)| role_json(role, holders.len()))
        .collect();
    if json {
        return write_json(&roles);
    }
    let mut out = std::io::stdout().lock();
    for role in &roles {
        let permissions: Vec<String> = role
            .permissions
            .iter()
            .filter_map(|p| Permission::from_code(p.permission))
            .map(Permission::label)
            .collect();
        writeln!(
            out,
            "{} ({}): {}",
            role.name,
            role.id,
            t!("cli-role-members", count = role.members)
        )?;
        writeln!(out, "  {}", permissions.join(", "))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `roles show ROLE`.
pub fn show(session: &Session, id: &str, json: bool) -> anyhow::Result<ExitCode> {
    let all = roles(session)?;
    let wanted = crate::domain::roles::role_id_for(&all, id);
    let Some(role) = all.into_iter().find(|r| r.id == wanted) else {
        return Err(Refused(t!("assignment-unknown-role", role = id)).into());
    };
    let members = members_of(session, std::slice::from_ref(&role))?;
    let members: Vec<AssignmentJson> = members
        .iter()
        .flatten()
        .map(|(record, a)| {
            AssignmentJson::new(record.user.user_id.as_str(), a, std::slice::from_ref(&role))
        })
        .collect();
    if json {
        #[derive(Serialize)]
        struct Shown<'a> {
            #[serde(flatten)]
            role: RoleJson,
            holders: &'a [AssignmentJson],
        }
        return write_json(&Shown {
            role: role_json(&role, members.len()),
            holders: &members,
        });
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{} ({})", role.name, role.id)?;
    writeln!(out, "{}", role.description)?;
    for grant in &role.grants {
        writeln!(out, "  {}", grant.permission.label())?;
    }
    writeln!(out, "{}", t!("cli-role-members", count = members.len()))?;
    for member in &members {
        writeln!(
            out,
            "  {}: {}",
            super::printable(&member.user_id),
            member.line()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// What `users roles` changes.
pub struct Change<'a> {
    /// A role to give.
    pub add: Option<&'a str>,
    /// Its first day.
    pub from: Option<&'a str>,
    /// Its last day.
    pub to: Option<&'a str>,
    /// A role to take away.
    pub remove: Option<&'a str>,
}

/// `users roles USER [--add ROLE [--from D] [--to D]] [--remove ROLE]`.
pub fn user_roles(
    session: &mut Session,
    user_id: &str,
    change: &Change<'_>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let id = UserId::parse(user_id).map_err(|e| Refused(e.to_string()))?;
    let record = session
        .user_by_user_id(&id)?
        .ok_or_else(|| Refused(t!("cli-no-such-user", user_id = user_id)))?;
    let all = roles(session)?;
    let id_of = |text: &str| crate::domain::roles::role_id_for(&all, text);
    if change.add.is_some() || change.remove.is_some() {
        super::check_permission_for(session, Permission::Roles, &record)?;
        let date = |text: Option<&str>| {
            parse_date(text.unwrap_or_default()).map_err(|e| Refused(e.to_string()))
        };
        let mut assignments = session.roles_of(record.key)?;
        if let Some(role) = change.remove {
            let role = id_of(role);
            assignments.retain(|a| a.role != role);
        }
        if let Some(role) = change.add {
            assignments.push(Assignment {
                valid_from: date(change.from)?,
                valid_to: date(change.to)?,
                ..Assignment::new(&id_of(role))
            });
        }
        match set_user_roles(session, record.key, assignments) {
            Ok(()) => {}
            Err(RolesError::Store(error)) => return Err(error.into()),
            Err(refused) => return Err(Refused(refused.to_string()).into()),
        }
    }
    let held: Vec<AssignmentJson> = session
        .roles_of(record.key)?
        .iter()
        .map(|a| AssignmentJson::new(record.user.user_id.as_str(), a, &all))
        .collect();
    if json {
        return write_json(&held);
    }
    let mut out = std::io::stdout().lock();
    if held.is_empty() {
        writeln!(out, "{}", t!("cli-user-no-roles"))?;
    }
    for assignment in &held {
        writeln!(out, "{}", assignment.line())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `account-codes import FILE`.
pub fn import_codes(session: &mut Session, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    use crate::app::account_codes::{AccountCodesError, import_account_codes_file};
    match import_account_codes_file(session, file) {
        Ok(count) => super::users::say(&t!("cli-codes-imported", count = count)),
        Err(AccountCodesError::Store(error)) => Err(error.into()),
        Err(refused) => Err(Refused(refused.to_string()).into()),
    }
}

/// One code as `account-codes list --json` prints it.
#[derive(Serialize)]
struct CodeJson<'a> {
    dimension: &'a str,
    code: &'a str,
    name: &'a str,
}

/// `account-codes list`.
pub fn list_codes(session: &Session, json: bool) -> anyhow::Result<ExitCode> {
    let codes = session.account_codes()?;
    if json {
        let rows: Vec<CodeJson<'_>> = codes
            .iter()
            .map(|c| CodeJson {
                dimension: &c.dimension,
                code: &c.code,
                name: &c.name,
            })
            .collect();
        return write_json(&rows);
    }
    let mut out = std::io::stdout().lock();
    for code in &codes {
        writeln!(
            out,
            "{}",
            super::printable(&format!(
                "{}  {}  {}",
                crate::domain::account_codes::dimension_label(&code.dimension),
                code.code,
                code.name
            ))
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `roles recover LOGIN`: System administrator again for that login's user;
/// refused (exit 2) for anyone but the register's owner.
pub fn recover(session: &mut Session, login: &str) -> anyhow::Result<ExitCode> {
    match crate::app::roles::recover(session, login) {
        Ok(record) => {
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{}",
                t!(
                    "roles-recovered",
                    user_id = record.user.user_id.to_string(),
                    login = login
                )
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error @ (RolesError::NotOwner | RolesError::NotAnHrmUser(_))) => {
            Err(Refused(error.to_string()).into())
        }
        Err(error) => Err(error.into()),
    }
}
