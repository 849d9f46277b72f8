//! The workbook's sheets beside Employees/users: *Roles* (the roles
//! administrators make, one row per permission), *Authorisations* (users'
//! roles with their dates and limits) and *Audit of account code* (users'
//! rows). Their names and columns in English and Swedish, reading them, and
//! planning what an import sets against the register: a user named in a
//! sheet gets exactly the rows listed there (one row with only the User-ID:
//! none); a user not named keeps theirs.
//!
//! Here: reading the sheets and writing them for an export. Planning them
//! against the register is `plan`.

use std::collections::HashSet;

use jiff::civil::Date;

use super::account_codes::{AuditRight, dimension_id, parse_limit};
use super::import::RawTable;
use super::roles::{Assignment, Grant, Permission, Role, RoleDraft, Scope, place_list_text};
use super::template::normalize_header;

mod plan;

pub use plan::{AuthorisationPlan, KnownUser, Register, plan_authorisations};

/// A sheet of the workbook beside Employees/users.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExtraSheet {
    /// The roles administrators make.
    Roles,
    /// Users' roles.
    Authorisations,
    /// Users' *Audit of account code* rows.
    AuditOfAccountCode,
}

/// A sheet read from a file, with its name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NamedSheet {
    /// The sheet's name in the file.
    pub name: String,
    /// Its cells.
    pub table: RawTable,
}

impl ExtraSheet {
    /// The three, in the order the workbook has them.
    pub const ALL: [Self; 3] = [Self::Roles, Self::Authorisations, Self::AuditOfAccountCode];

    /// The sheet's name as the template and exports write it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Roles => "Roles",
            Self::Authorisations => "Authorisations",
            Self::AuditOfAccountCode => "Audit of account code",
        }
    }

    /// The sheet's name as the template and exports write it in
    /// `language` (either is read back, see [`Self::from_name`]).
    pub fn name_in(self, language: crate::i18n::Language) -> &'static str {
        match (language, self) {
            (crate::i18n::Language::English, _) => self.name(),
            (_, Self::Roles) => "Roller",
            (_, Self::Authorisations) => "Behörigheter",
            (_, Self::AuditOfAccountCode) => "Attest av kontering",
        }
    }

    fn other_names(self) -> &'static [&'static str] {
        match self {
            Self::Roles => &["roller"],
            Self::Authorisations => &["authorizations", "behörigheter"],
            Self::AuditOfAccountCode => &["attest av kontering", "audit of account codes"],
        }
    }

    /// The sheet a name in a file is (English or Swedish, any case).
    pub fn from_name(name: &str) -> Option<Self> {
        let wanted = normalize_header(name);
        Self::ALL.into_iter().find(|sheet| {
            normalize_header(sheet.name()) == wanted
                || sheet.other_names().iter().any(|n| *n == wanted)
        })
    }

    /// The columns: the header written first, then other names read, the
    /// Swedish header last.
    fn columns(self) -> &'static [&'static [&'static str]] {
        const USER_ID: &[&str] = &["User-ID", "user id", "användar-id"];
        const ROLE: &[&str] = &["Role", "roll"];
        const DEPARTMENTS: &[&str] = &["Departments", "avdelningar"];
        const OFFICES: &[&str] = &["Offices", "kontor"];
        match self {
            Self::Roles => &[
                ROLE,
                &["Name", "namn"],
                &["Description", "beskrivning"],
                &["Permission", "behörighet"],
                DEPARTMENTS,
                OFFICES,
            ],
            Self::Authorisations => &[
                USER_ID,
                ROLE,
                &["Valid from", "giltig från"],
                &["Valid to", "giltig till"],
                DEPARTMENTS,
                OFFICES,
            ],
            Self::AuditOfAccountCode => &[
                USER_ID,
                &["Account dimension", "dimension", "kontodimension"],
                &["From code", "code", "kod", "från kod"],
                &["To code", "till kod"],
                &["Amount limit", "beloppsgräns"],
            ],
        }
    }

    /// The headers the template writes.
    pub fn headers(self) -> Vec<&'static str> {
        self.columns().iter().map(|names| names[0]).collect()
    }

    /// The headers the template writes in `language` (either is read back).
    pub fn headers_in(self, language: crate::i18n::Language) -> Vec<String> {
        if language == crate::i18n::Language::English {
            return self.headers().into_iter().map(str::to_owned).collect();
        }
        self.columns()
            .iter()
            .map(|names| {
                // The last name each column has is its Swedish one, written
                // with a capital as a header.
                let swedish = names.last().copied().unwrap_or_default();
                let mut chars = swedish.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_uppercase().chain(chars).collect()
                })
            })
            .collect()
    }

    /// For each column, where the file has it.
    fn find_columns(self, table: &RawTable) -> Vec<Option<usize>> {
        self.columns()
            .iter()
            .map(|names| {
                table.headers.iter().position(|header| {
                    let header = normalize_header(header);
                    names.iter().any(|n| normalize_header(n) == header)
                })
            })
            .collect()
    }
}

/// Something in a sheet that is not imported, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetProblem {
    /// The sheet.
    pub sheet: ExtraSheet,
    /// The row (1 is the header).
    pub row: usize,
    /// What is wrong, and what is left as it was.
    pub message: String,
}

impl std::fmt::Display for SheetProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}",
            t!(
                "sheet-problem",
                sheet = self.sheet.name(),
                row = self.row,
                message = self.message.as_str()
            )
        )
    }
}

/// One user's rows in a sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRows<T> {
    /// The user's first row.
    pub row: usize,
    /// The User-ID as written.
    pub user_id: String,
    /// The rows (the role of an assignment is as written: id or name).
    pub rows: Vec<T>,
}

/// A role as the Roles sheet lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetRole {
    /// Its first row.
    pub row: usize,
    /// The Role column: the role's id.
    pub id: String,
    /// The rest.
    pub draft: RoleDraft,
}

/// What the three sheets hold, read but not yet checked against the
/// register.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedSheets {
    /// The sheets the file has.
    pub present: Vec<ExtraSheet>,
    /// Roles.
    pub roles: Vec<SheetRole>,
    /// Users' roles.
    pub assignments: Vec<UserRows<Assignment>>,
    /// Users' Audit of account code rows.
    pub audit_rights: Vec<UserRows<AuditRight>>,
    /// Rows that cannot be read.
    pub problems: Vec<SheetProblem>,
}

impl ParsedSheets {
    /// True when no sheet has a row.
    pub fn is_empty(&self) -> bool {
        self.roles.is_empty()
            && self.assignments.is_empty()
            && self.audit_rights.is_empty()
            && self.problems.is_empty()
    }
}

/// The permission a cell names: its code or its words in either language.
fn permission_named(cell: &str) -> Option<Permission> {
    let wanted = normalize_header(cell);
    Permission::ALL.into_iter().find(|p| {
        p.code() == wanted
            || crate::i18n::Language::ALL.into_iter().any(|language| {
                normalize_header(&crate::i18n::text(language, permission_key(*p), &[])) == wanted
            })
    })
}

fn permission_key(permission: Permission) -> &'static str {
    match permission {
        Permission::UsersRead => "permission-users-read",
        Permission::UsersEdit => "permission-users-edit",
        Permission::VerifyAccounts => "permission-verify-accounts",
        Permission::ImportExport => "permission-import-export",
        Permission::Settings => "permission-settings",
        Permission::Roles => "permission-roles",
    }
}

/// Reads the sheets of a workbook that are Roles, Authorisations or Audit
/// of account code (others are left alone).
pub fn parse_sheets(sheets: &[NamedSheet]) -> ParsedSheets {
    let mut parsed = ParsedSheets::default();
    let mut bad: HashSet<(ExtraSheet, String)> = HashSet::new();
    for sheet in sheets {
        let Some(kind) = ExtraSheet::from_name(&sheet.name) else {
            continue;
        };
        parsed.present.push(kind);
        let columns = kind.find_columns(&sheet.table);
        let required = match kind {
            ExtraSheet::Roles => [0, 3],
            ExtraSheet::Authorisations | ExtraSheet::AuditOfAccountCode => [0, 1],
        };
        if let Some(missing) = required.into_iter().find(|&i| columns[i].is_none()) {
            parsed.problems.push(SheetProblem {
                sheet: kind,
                row: 1,
                message: t!("sheet-missing-column", column = kind.columns()[missing][0]),
            });
            continue;
        }
        for (row, cells) in &sheet.table.rows {
            let cell = |i: usize| {
                columns[i]
                    .and_then(|c| cells.get(c))
                    .map_or("", |s| s.trim())
            };
            if (0..columns.len()).all(|i| cell(i).is_empty()) {
                continue;
            }
            let problem = match kind {
                ExtraSheet::Roles => read_role_row(&mut parsed, *row, &cell),
                ExtraSheet::Authorisations => read_assignment_row(&mut parsed, *row, &cell),
                ExtraSheet::AuditOfAccountCode => read_audit_row(&mut parsed, *row, &cell),
            };
            if let Err(message) = problem {
                bad.insert((kind, cell(0).to_owned()));
                parsed.problems.push(SheetProblem {
                    sheet: kind,
                    row: *row,
                    message,
                });
            }
        }
    }
    // A user (or role) with a row that cannot be read keeps what they have:
    // their other rows are dropped too, so no one is left with half a list.
    parsed
        .roles
        .retain(|r| !bad.contains(&(ExtraSheet::Roles, r.id.clone())));
    parsed
        .assignments
        .retain(|u| !bad.contains(&(ExtraSheet::Authorisations, u.user_id.clone())));
    parsed
        .audit_rights
        .retain(|u| !bad.contains(&(ExtraSheet::AuditOfAccountCode, u.user_id.clone())));
    parsed
}

fn read_role_row<'c>(
    parsed: &mut ParsedSheets,
    row: usize,
    cell: &dyn Fn(usize) -> &'c str,
) -> Result<(), String> {
    let id = cell(0);
    if id.is_empty() {
        return Err(t!("sheet-role-id-empty"));
    }
    let permission = permission_named(cell(3))
        .ok_or_else(|| t!("sheet-unknown-permission", permission = cell(3)))?;
    let index = parsed
        .roles
        .iter()
        .position(|r| r.id == id)
        .unwrap_or_else(|| {
            parsed.roles.push(SheetRole {
                row,
                id: id.to_owned(),
                draft: RoleDraft {
                    name: String::new(),
                    description: String::new(),
                    grants: Vec::new(),
                },
            });
            parsed.roles.len() - 1
        });
    let role = &mut parsed.roles[index];
    if role.draft.name.is_empty() {
        cell(1).clone_into(&mut role.draft.name);
    }
    if role.draft.description.is_empty() {
        cell(2).clone_into(&mut role.draft.description);
    }
    role.draft.grants.push(Grant {
        permission,
        scope: Scope::from_text(cell(4), cell(5)),
    });
    Ok(())
}

fn rows_of<'a, T>(
    list: &'a mut Vec<UserRows<T>>,
    row: usize,
    user_id: &str,
) -> &'a mut UserRows<T> {
    let index = list
        .iter()
        .position(|u| u.user_id == user_id)
        .unwrap_or_else(|| {
            list.push(UserRows {
                row,
                user_id: user_id.to_owned(),
                rows: Vec::new(),
            });
            list.len() - 1
        });
    &mut list[index]
}

fn read_date(cell: &str) -> Result<Option<Date>, String> {
    super::parse_date(cell).map_err(|e| e.to_string())
}

fn read_assignment_row<'c>(
    parsed: &mut ParsedSheets,
    row: usize,
    cell: &dyn Fn(usize) -> &'c str,
) -> Result<(), String> {
    let user_id = cell(0);
    if user_id.is_empty() {
        return Err(t!("import-user-id-empty"));
    }
    let entry = rows_of(&mut parsed.assignments, row, user_id);
    let role = cell(1);
    if role.is_empty() {
        // The User-ID alone: the user has no roles.
        return Ok(());
    }
    entry.rows.push(Assignment {
        role: role.to_owned(),
        valid_from: read_date(cell(2))?,
        valid_to: read_date(cell(3))?,
        scope: Scope::from_text(cell(4), cell(5)),
    });
    Ok(())
}

fn read_audit_row<'c>(
    parsed: &mut ParsedSheets,
    row: usize,
    cell: &dyn Fn(usize) -> &'c str,
) -> Result<(), String> {
    let user_id = cell(0);
    if user_id.is_empty() {
        return Err(t!("import-user-id-empty"));
    }
    let entry = rows_of(&mut parsed.audit_rights, row, user_id);
    if cell(1).is_empty() && cell(2).is_empty() {
        return Ok(());
    }
    let to = cell(3);
    entry.rows.push(AuditRight {
        dimension: dimension_id(cell(1)),
        from_code: cell(2).to_owned(),
        to_code: (!to.is_empty()).then(|| to.to_owned()),
        amount_limit: parse_limit(cell(4)).map_err(|e| e.to_string())?,
    });
    Ok(())
}

/// The rows of the three sheets as an export writes them: every role (one
/// row per permission; built-in roles too, which an import leaves alone),
/// and the exported users' roles and Audit of account code rows. Each
/// user's rows are whole, so the file imports back to the same register.
pub fn sheet_rows(
    roles: &[Role],
    assignments: &[(String, Vec<Assignment>)],
    audit_rights: &[(String, Vec<AuditRight>)],
) -> Vec<(ExtraSheet, Vec<Vec<String>>)> {
    let joined = |list: &[String]| place_list_text(list);
    let date = |d: Option<Date>| super::date_text(d);
    let role_rows = roles
        .iter()
        .flat_map(|role| {
            role.grants.iter().map(move |grant| {
                vec![
                    role.id.clone(),
                    role.name.clone(),
                    role.description.clone(),
                    grant.permission.code().to_owned(),
                    joined(&grant.scope.departments),
                    joined(&grant.scope.offices),
                ]
            })
        })
        .collect();
    let assignment_rows = assignments
        .iter()
        .flat_map(|(user_id, held)| {
            held.iter().map(move |a| {
                vec![
                    user_id.clone(),
                    a.role.clone(),
                    date(a.valid_from),
                    date(a.valid_to),
                    joined(&a.scope.departments),
                    joined(&a.scope.offices),
                ]
            })
        })
        .collect();
    let audit_rows = audit_rights
        .iter()
        .flat_map(|(user_id, rights)| {
            rights.iter().map(move |r| {
                vec![
                    user_id.clone(),
                    super::account_codes::dimension_label(&r.dimension),
                    r.from_code.clone(),
                    r.to_code.clone().unwrap_or_default(),
                    r.amount_limit.map(|n| n.to_string()).unwrap_or_default(),
                ]
            })
        })
        .collect();
    vec![
        (ExtraSheet::Roles, role_rows),
        (ExtraSheet::Authorisations, assignment_rows),
        (ExtraSheet::AuditOfAccountCode, audit_rows),
    ]
}

#[cfg(test)]
mod tests;
