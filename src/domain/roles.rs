//! Roles and authorisations (*Users/Authorities › Roles*): what a role
//! permits per view and function, each grant optionally limited to
//! departments and offices; a user's roles with their validity dates and
//! limits; and the rules that decide what an operator may do. The three
//! built-in roles live here, in code: they cannot be changed or deleted.
//!
//! Here: permissions, scopes, roles and assignments. The rules of giving
//! them are `rules`.

use jiff::civil::Date;

mod rules;

pub use rules::{
    check_keeps_a_system_administrator, check_role_change, check_within_givers_own,
    has_system_administrator, has_system_administrator_after, permits,
};

/// A view or function a role can permit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    /// The Users view: see users.
    UsersRead,
    /// The Users view: add, change and delete users and their connection.
    UsersEdit,
    /// *Verify accounts* (many users at once).
    VerifyAccounts,
    /// Import and export the Employees/users spreadsheet.
    ImportExport,
    /// The register's settings.
    Settings,
    /// Roles and users' authorisations.
    Roles,
}

impl Permission {
    /// Every permission, in the order the role form shows them.
    pub const ALL: [Self; 6] = [
        Self::UsersRead,
        Self::UsersEdit,
        Self::VerifyAccounts,
        Self::ImportExport,
        Self::Settings,
        Self::Roles,
    ];

    /// The word scripts use.
    pub fn code(self) -> &'static str {
        match self {
            Self::UsersRead => "users_read",
            Self::UsersEdit => "users_edit",
            Self::VerifyAccounts => "verify_accounts",
            Self::ImportExport => "import_export",
            Self::Settings => "settings",
            Self::Roles => "roles",
        }
    }

    /// The permission with this word.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }

    /// The words the window and the CLI show.
    pub fn label(self) -> String {
        match self {
            Self::UsersRead => t!("permission-users-read"),
            Self::UsersEdit => t!("permission-users-edit"),
            Self::VerifyAccounts => t!("permission-verify-accounts"),
            Self::ImportExport => t!("permission-import-export"),
            Self::Settings => t!("permission-settings"),
            Self::Roles => t!("permission-roles"),
        }
    }

    /// True when holding `self` also gives `wanted` (editing users includes
    /// seeing them).
    fn includes(self, wanted: Self) -> bool {
        self == wanted || (self == Self::UsersEdit && wanted == Self::UsersRead)
    }
}

/// Which departments and offices something covers; an empty list is all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// Departments covered (all when empty).
    pub departments: Vec<String>,
    /// Offices covered (all when empty).
    pub offices: Vec<String>,
}

impl Scope {
    /// Covers every department and office.
    pub fn everything() -> Self {
        Self::default()
    }

    /// True for a user in this department and office (compared without
    /// regard to case or surrounding spaces).
    pub fn covers(&self, department: &str, office: &str) -> bool {
        let listed = |list: &[String], value: &str| {
            list.is_empty()
                || list
                    .iter()
                    .any(|item| item.trim().eq_ignore_ascii_case(value.trim()))
        };
        listed(&self.departments, department) && listed(&self.offices, office)
    }

    /// True when everything `other` covers, this covers too.
    pub fn contains(&self, other: &Scope) -> bool {
        let within = |outer: &[String], inner: &[String]| {
            outer.is_empty()
                || (!inner.is_empty()
                    && inner.iter().all(|i| {
                        outer
                            .iter()
                            .any(|o| o.trim().eq_ignore_ascii_case(i.trim()))
                    }))
        };
        within(&self.departments, &other.departments) && within(&self.offices, &other.offices)
    }

    /// Where both this and `other` cover (an empty list is all).
    #[must_use]
    pub fn within(&self, other: &Scope) -> Scope {
        let meet = |a: &[String], b: &[String]| -> Vec<String> {
            match (a.is_empty(), b.is_empty()) {
                (true, _) => b.to_vec(),
                (_, true) => a.to_vec(),
                _ => a
                    .iter()
                    .filter(|x| b.iter().any(|y| y.trim().eq_ignore_ascii_case(x.trim())))
                    .cloned()
                    .collect(),
            }
        };
        Scope {
            departments: meet(&self.departments, &other.departments),
            offices: meet(&self.offices, &other.offices),
        }
    }

    /// True when it covers every department and office.
    pub fn is_everything(&self) -> bool {
        self.departments.is_empty() && self.offices.is_empty()
    }

    /// Departments and offices as a person types them (the form, the role
    /// form, a workbook cell): separated by commas, semicolons or new lines,
    /// blanks dropped.
    pub fn from_text(departments: &str, offices: &str) -> Self {
        Self {
            departments: place_list(departments),
            offices: place_list(offices),
        }
    }
}

/// A list of departments or offices as typed (see [`Scope::from_text`]).
pub fn place_list(text: &str) -> Vec<String> {
    text.split([',', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A list of departments or offices as the form and the workbook write it
/// ("Lund, Malmö"); [`place_list`] reads it back.
pub fn place_list_text(list: &[String]) -> String {
    list.join(", ")
}

/// One permission of a role, with its limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// What it permits.
    pub permission: Permission,
    /// Where.
    pub scope: Scope,
}

/// The roles every register has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BuiltinRole {
    /// Everything, everywhere.
    SystemAdministrator,
    /// The Users view, Verify accounts, Import and export.
    HrAdministrator,
    /// Sees users, changes nothing.
    ReadOnly,
}

impl BuiltinRole {
    /// The three, in the order lists show them.
    pub const ALL: [Self; 3] = [
        Self::SystemAdministrator,
        Self::HrAdministrator,
        Self::ReadOnly,
    ];

    /// The role's id as stored and as scripts name it.
    pub fn code(self) -> &'static str {
        match self {
            Self::SystemAdministrator => "system_administrator",
            Self::HrAdministrator => "hr_administrator",
            Self::ReadOnly => "read_only",
        }
    }

    /// The role as a [`Role`].
    pub fn role(self) -> Role {
        let grants = |permissions: &[Permission]| {
            permissions
                .iter()
                .map(|&permission| Grant {
                    permission,
                    scope: Scope::everything(),
                })
                .collect()
        };
        let (name, description, permissions): (String, String, &[Permission]) = match self {
            Self::SystemAdministrator => (
                t!("role-system-administrator"),
                t!("role-system-administrator.description"),
                &Permission::ALL,
            ),
            Self::HrAdministrator => (
                t!("role-hr-administrator"),
                t!("role-hr-administrator.description"),
                &[
                    Permission::UsersEdit,
                    Permission::VerifyAccounts,
                    Permission::ImportExport,
                ],
            ),
            Self::ReadOnly => (
                t!("role-read-only"),
                t!("role-read-only.description"),
                &[Permission::UsersRead],
            ),
        };
        Role {
            id: self.code().to_owned(),
            name,
            description,
            builtin: Some(self),
            grants: grants(permissions),
        }
    }
}

/// A role: its id (a built-in role's code), name, description and grants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    /// Stable id.
    pub id: String,
    /// Name, shown in lists.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Which built-in role it is, if it is one.
    pub builtin: Option<BuiltinRole>,
    /// What it permits.
    pub grants: Vec<Grant>,
}

impl Role {
    /// True when the role permits `permission` for a user in this
    /// department and office (`None`: anywhere at all).
    pub fn permits(&self, permission: Permission, target: Option<(&str, &str)>) -> bool {
        self.grants.iter().any(|grant| {
            grant.permission.includes(permission)
                && target.is_none_or(|(department, office)| grant.scope.covers(department, office))
        })
    }
}

/// A role as the role form edits it: name, description, and for each
/// permission whether it is given and its limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleDraft {
    /// Name, as typed.
    pub name: String,
    /// Description, as typed.
    pub description: String,
    /// The permissions given, with their limits.
    pub grants: Vec<Grant>,
}

/// Why a role cannot be saved or deleted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RoleError {
    /// The name is empty.
    #[error("{}", t!("role-name-missing"))]
    NameMissing,
    /// The name is longer than [`ROLE_NAME_MAX`] characters.
    #[error("{}", t!("role-name-too-long", max = ROLE_NAME_MAX))]
    NameTooLong,
    /// Another role has this name (case does not count).
    #[error("{}", t!("role-name-taken", name = .0.as_str()))]
    NameTaken(String),
    /// No permission is given.
    #[error("{}", t!("role-no-permission"))]
    NoPermission,
    /// Built-in roles are part of the program.
    #[error("{}", t!("role-built-in"))]
    BuiltIn,
    /// Users hold the role.
    #[error("{}", t!("role-assigned", count = *.0))]
    Assigned(usize),
    /// No role has this id.
    #[error("{}", t!("assignment-unknown-role", role = .0.as_str()))]
    Unknown(String),
}

/// The longest role name.
pub const ROLE_NAME_MAX: usize = 80;

impl RoleDraft {
    /// The draft of an existing role, for editing or copying.
    pub fn of(role: &Role) -> Self {
        Self {
            name: role.name.clone(),
            description: role.description.clone(),
            grants: role.grants.clone(),
        }
    }

    /// Checks the draft and makes it the role `id`: a name (trimmed, not
    /// empty, at most [`ROLE_NAME_MAX`] characters, not another role's in
    /// any case), at least one permission, each permission once (the last
    /// wins), limits trimmed with blanks dropped. `others`: every role but
    /// the one being edited.
    pub fn check(&self, id: &str, others: &[Role]) -> Result<Role, RoleError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(RoleError::NameMissing);
        }
        if name.chars().count() > ROLE_NAME_MAX {
            return Err(RoleError::NameTooLong);
        }
        let lowered = name.to_lowercase();
        if let Some(other) = others.iter().find(|r| {
            r.name.to_lowercase() == lowered
                || r.id == lowered
                || builtin_names(r).contains(&lowered)
        }) {
            return Err(RoleError::NameTaken(other.name.clone()));
        }
        let mut grants: Vec<Grant> = Vec::new();
        for grant in &self.grants {
            let clean = |list: &[String]| -> Vec<String> {
                list.iter()
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            };
            grants.retain(|g| g.permission != grant.permission);
            grants.push(Grant {
                permission: grant.permission,
                scope: Scope {
                    departments: clean(&grant.scope.departments),
                    offices: clean(&grant.scope.offices),
                },
            });
        }
        if grants.is_empty() {
            return Err(RoleError::NoPermission);
        }
        grants.sort_by_key(|g| g.permission);
        Ok(Role {
            id: id.to_owned(),
            name: name.to_owned(),
            description: self.description.trim().to_owned(),
            builtin: None,
            grants,
        })
    }
}

/// A built-in role's names in both languages, lowercased (a custom role may
/// not take either); empty for other roles.
fn builtin_names(role: &Role) -> Vec<String> {
    if role.builtin.is_none() {
        return Vec::new();
    }
    let key = match role.builtin {
        Some(BuiltinRole::SystemAdministrator) => "role-system-administrator",
        Some(BuiltinRole::HrAdministrator) => "role-hr-administrator",
        _ => "role-read-only",
    };
    crate::i18n::Language::ALL
        .into_iter()
        .map(|language| crate::i18n::text(language, key, &[]).to_lowercase())
        .collect()
}

/// A new role's id from its name: lowercase letters, digits and `_`
/// (`HR Lund` → `hr_lund`), numbered when taken (`hr_lund_2`).
pub fn new_role_id(name: &str, existing: &[Role]) -> String {
    let mut base = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_alphanumeric() {
            base.push(c);
        } else if !base.ends_with('_') && !base.is_empty() {
            base.push('_');
        }
    }
    let base = base.trim_end_matches('_');
    let base = if base.is_empty() { "role" } else { base };
    let taken = |id: &str| existing.iter().any(|r| r.id == id);
    if !taken(base) {
        return base.to_owned();
    }
    // One of the first existing.len() + 2 numbers is free.
    (2..existing.len() + 3)
        .map(|n| format!("{base}_{n}"))
        .find(|id| !taken(id))
        .unwrap_or_else(|| base.to_owned())
}

/// The id of the role a script names by id or by name (case does not
/// count); the text itself when no role matches, so the check names it.
pub fn role_id_for(roles: &[Role], text: &str) -> String {
    let wanted = text.trim();
    roles
        .iter()
        .find(|r| r.id == wanted)
        .or_else(|| {
            let lowered = wanted.to_lowercase();
            roles.iter().find(|r| r.name.to_lowercase() == lowered)
        })
        .map_or_else(|| wanted.to_owned(), |r| r.id.clone())
}

/// The name of the role `id` among `roles` (the id itself when none has it).
pub fn name_among(roles: &[Role], id: &str) -> String {
    roles
        .iter()
        .find(|r| r.id == id)
        .map_or_else(|| role_name(id), |r| r.name.clone())
}

/// A role's name by its id (the id itself when no role has it).
pub fn role_name(id: &str) -> String {
    BuiltinRole::ALL
        .into_iter()
        .find(|b| b.code() == id)
        .map_or_else(|| id.to_owned(), |b| b.role().name)
}

/// The roles every register starts with.
pub fn builtin_roles() -> Vec<Role> {
    BuiltinRole::ALL
        .into_iter()
        .map(BuiltinRole::role)
        .collect()
}

/// One of a user's roles on the *Authorisations* tab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// The role's id.
    pub role: String,
    /// First day it applies (none: from always).
    pub valid_from: Option<Date>,
    /// Last day it applies (none: until further notice).
    pub valid_to: Option<Date>,
    /// Where it applies, within what the role itself allows.
    pub scope: Scope,
}

/// Why an assignment cannot be saved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AssignmentError {
    /// Valid to is before valid from.
    #[error("{}", t!("assignment-dates-reversed"))]
    DatesReversed,
    /// No role has this id.
    #[error("{}", t!("assignment-unknown-role", role = .0.as_str()))]
    UnknownRole(String),
    /// The change would leave the register without a System administrator.
    #[error("{}", t!("assignment-last-system-administrator"))]
    LastSystemAdministrator,
    /// No one is System administrator yet and the change gives the role to
    /// someone other than the person making it: they would lock themselves
    /// out at once.
    #[error("{}", t!("assignment-first-administrator-not-you"))]
    FirstAdministratorNotYou,
    /// The role gives a permission (or gives it further) than the person
    /// giving it holds: nobody makes anyone more than they are themselves.
    #[error("{}", t!("assignment-beyond-your-own", role = .role.as_str(), permission = .permission.label()))]
    BeyondYourOwn {
        /// The role's name.
        role: String,
        /// The permission given beyond the giver's own.
        permission: Permission,
    },
}

impl Assignment {
    /// The role from today on, everywhere the role allows.
    pub fn new(role: &str) -> Self {
        Self {
            role: role.to_owned(),
            valid_from: None,
            valid_to: None,
            scope: Scope::everything(),
        }
    }

    /// True on `day` (both ends included).
    pub fn is_valid_on(&self, day: Date) -> bool {
        self.valid_from.is_none_or(|from| from <= day) && self.valid_to.is_none_or(|to| day <= to)
    }

    /// Checks the dates are in order and the role exists.
    pub fn check(&self, roles: &[Role]) -> Result<(), AssignmentError> {
        if let (Some(from), Some(to)) = (self.valid_from, self.valid_to)
            && to < from
        {
            return Err(AssignmentError::DatesReversed);
        }
        if !roles.iter().any(|r| r.id == self.role) {
            return Err(AssignmentError::UnknownRole(self.role.clone()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
