//! Users' roles (the *Authorisations* tab): one row per user and role, with
//! the validity dates and the departments and offices it covers; and the
//! roles administrators make, with their permissions and limits.

use crate::domain::UserKey;
use crate::domain::roles::{Assignment, Grant, Permission, Role, Scope};

use super::db::{Param, RowRead, Sql as _, params};
use super::rows::{date_number, stored_date};
use super::{Store, StoreError, WriteTx, on_store, on_tx};

pub(super) const SELECT: &str =
    "SELECT user_key, role, valid_from, valid_to, departments, offices FROM user_roles";

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

pub(super) fn assignment_from_row(row: &dyn RowRead) -> Result<(UserKey, Assignment), StoreError> {
    let date = |column: usize| {
        row.opt_int(column)?
            .map(|n| stored_date(n, column))
            .transpose()
    };
    Ok((
        UserKey(row.int(0)?),
        Assignment {
            role: row.text(1)?,
            valid_from: date(2)?,
            valid_to: date(3)?,
            scope: Scope {
                departments: lines(&row.text(4)?),
                offices: lines(&row.text(5)?),
            },
        },
    ))
}

/// Every user's roles, by user (users without roles are left out).
pub(super) fn all_roles_in(
    db: &impl super::db::Sql,
) -> Result<Vec<(UserKey, Vec<Assignment>)>, StoreError> {
    Ok(group(db.fetch(
        &all_roles_sql(),
        &[],
        assignment_from_row,
    )?))
}

/// The query of every user's roles, in the order [`group`] needs.
fn all_roles_sql() -> String {
    format!("{SELECT} ORDER BY user_key, role")
}

/// Every user's roles from the texts of [`all_roles_sql`] sent with other
/// queries in one round trip.
fn all_roles_from_texts<'a>(
    rows: impl Iterator<Item = super::db::TextRow<'a>>,
) -> Result<Vec<(UserKey, Vec<Assignment>)>, StoreError> {
    Ok(group(
        rows.map(|row| assignment_from_row(&row))
            .collect::<Result<_, _>>()?,
    ))
}

/// Every user's roles, grouped by user (users without roles are left out).
fn group(rows: Vec<(UserKey, Assignment)>) -> Vec<(UserKey, Vec<Assignment>)> {
    let mut grouped: Vec<(UserKey, Vec<Assignment>)> = Vec::new();
    for (key, assignment) in rows {
        match grouped.last_mut() {
            Some((previous, held)) if *previous == key => held.push(assignment),
            _ => grouped.push((key, vec![assignment])),
        }
    }
    grouped
}

const ROLES: &str = "SELECT id, name, description FROM roles ORDER BY lower(name), id";
const GRANTS: &str =
    "SELECT role, permission, departments, offices FROM role_grants ORDER BY role, permission";

/// The stored roles with their grants (a permission this build does not
/// know is skipped, so a newer program's grants never widen an older one's).
pub(super) fn custom_roles_in(db: &impl super::db::Sql) -> Result<Vec<Role>, StoreError> {
    let roles = db.fetch(ROLES, &[], role_from_row)?;
    let grants = db.fetch(GRANTS, &[], grant_from_row)?;
    Ok(with_grants(roles, grants))
}

/// A row of [`ROLES`], its grants still to come.
fn role_from_row(row: &dyn RowRead) -> Result<Role, StoreError> {
    Ok(Role {
        id: row.text(0)?,
        name: row.text(1)?,
        description: row.text(2)?,
        builtin: None,
        grants: Vec::new(),
    })
}

/// A row of [`GRANTS`]: the role, the permission (`None`: one this build
/// does not know) and its limits.
type GrantRow = (String, Option<Permission>, Scope);

fn grant_from_row(row: &dyn RowRead) -> Result<GrantRow, StoreError> {
    Ok((
        row.text(0)?,
        Permission::from_code(&row.text(1)?),
        Scope {
            departments: lines(&row.text(2)?),
            offices: lines(&row.text(3)?),
        },
    ))
}

/// The roles with their known grants, each role's in permission order.
fn with_grants(mut roles: Vec<Role>, grants: Vec<GrantRow>) -> Vec<Role> {
    for (role, permission, scope) in grants {
        if let (Some(target), Some(permission)) =
            (roles.iter_mut().find(|r| r.id == role), permission)
        {
            target.grants.push(Grant { permission, scope });
        }
    }
    for role in &mut roles {
        role.grants.sort_by_key(|g| g.permission);
    }
    roles
}

/// What deciding who is working reads, in one round trip on a shared
/// register ([`Store::operator_reads_together`]).
pub struct OperatorReads {
    /// Every user's roles.
    pub all_roles: Vec<(UserKey, Vec<Assignment>)>,
    /// The settings (which field names the login, the register's day).
    pub settings: crate::domain::Settings,
    /// The roles administrators made.
    pub custom_roles: Vec<Role>,
    /// The user whose login field is the login, for each field the setting
    /// may name.
    pub by_field: Vec<(
        crate::domain::settings::OperatorField,
        Option<crate::domain::UserRecord>,
    )>,
}

impl Store {
    /// [`OperatorReads`] for `login` in one round trip on a shared register
    /// (the login written into the query as a literal); `None` from a
    /// register file, whose reads cost no round trips.
    pub fn operator_reads_together(
        &self,
        login: &str,
    ) -> Result<Option<OperatorReads>, StoreError> {
        use crate::domain::settings::OperatorField;
        let super::Backend::Postgres(pg) = &self.backend else {
            return Ok(None);
        };
        let login = login.trim();
        let mut queries = vec![
            all_roles_sql(),
            super::settings::SELECT_SETTINGS.to_owned(),
            ROLES.to_owned(),
            GRANTS.to_owned(),
        ];
        for field in OperatorField::ALL {
            let Some(query) = super::db::with_literal_params(
                &super::user_by_login_sql(field, true),
                params![login],
            ) else {
                // A login no query can hold (NUL): the reads one by one.
                return Ok(None);
            };
            queries.push(query);
        }
        let results = pg.sql().fetch_plain_together(queries)?;
        let rows = |index: usize| super::db::text_rows(&results, index);
        let all_roles = all_roles_from_texts(rows(0))?;
        let settings = super::settings::from_text_rows(rows(1))?;
        let custom_roles = with_grants(
            rows(2)
                .map(|row| role_from_row(&row))
                .collect::<Result<_, _>>()?,
            rows(3)
                .map(|row| grant_from_row(&row))
                .collect::<Result<_, _>>()?,
        );
        let mut by_field = Vec::new();
        for (index, field) in (4..).zip(OperatorField::ALL) {
            let user = rows(index)
                .map(|row| super::rows::record_from_row(&row))
                .next()
                .transpose()?;
            by_field.push((field, user));
        }
        Ok(Some(OperatorReads {
            all_roles,
            settings,
            custom_roles,
            by_field,
        }))
    }
}

/// What an import plans and commits by ([`Store::import_reads`]).
pub struct ImportReads {
    /// The newest change stamp of any user, and how many users there are:
    /// together they say whether the users changed since an import's dry
    /// run.
    pub change_and_count: (i64, usize),
    /// Every user's roles.
    pub all_roles: Vec<(UserKey, Vec<Assignment>)>,
    /// The settings.
    pub settings: crate::domain::Settings,
}

impl Store {
    /// [`ImportReads`]: in one round trip on a shared register (over a
    /// VPN each read is 30 ms an import waits), one by one in a file.
    pub fn import_reads(&self) -> Result<ImportReads, StoreError> {
        let pg = match &self.backend {
            super::Backend::Postgres(pg) => pg,
            super::Backend::Sqlite(conn) => {
                let found = conn.fetch(
                    super::CHANGE_AND_COUNT,
                    &[],
                    super::change_and_count_from_row,
                )?;
                return Ok(ImportReads {
                    change_and_count: found.first().copied().unwrap_or((0, 0)),
                    all_roles: super::Reads::all_roles(self)?,
                    settings: super::Reads::load_settings(self)?,
                });
            }
        };
        let results = pg.sql().fetch_plain_together(vec![
            super::CHANGE_AND_COUNT.to_owned(),
            all_roles_sql(),
            super::settings::SELECT_SETTINGS.to_owned(),
        ])?;
        let rows = |index: usize| super::db::text_rows(&results, index);
        let change_and_count = rows(0)
            .next()
            .map(|row| super::change_and_count_from_row(&row))
            .transpose()?
            .unwrap_or((0, 0));
        Ok(ImportReads {
            change_and_count,
            all_roles: all_roles_from_texts(rows(1))?,
            settings: super::settings::from_text_rows(rows(2))?,
        })
    }
}

impl Store {
    /// The user's roles, by role id.
    pub fn roles_of(&self, key: UserKey) -> Result<Vec<Assignment>, StoreError> {
        let rows = on_store!(self, db => db.fetch(
            &format!("{SELECT} WHERE user_key = ?1 ORDER BY role"),
            params![key.0],
            assignment_from_row,
        ))?;
        Ok(rows.into_iter().map(|(_, a)| a).collect())
    }
}

impl WriteTx<'_> {
    /// Writes a role made by administrators (new, or replacing the one with
    /// its id) with its grants.
    pub fn put_role(&self, role: &Role, now_ms: i64) -> Result<(), StoreError> {
        on_tx!(self, db => db.exec("DELETE FROM role_grants WHERE role = ?1", params![role.id.as_str()]))?;
        on_tx!(self, db => db.exec("DELETE FROM roles WHERE id = ?1", params![role.id.as_str()]))?;
        // Its holders are stamped changed, so open windows read again what
        // they may do.
        on_tx!(self, db => db.exec(
            "UPDATE users SET updated_at_ms =
                greatest(?2, coalesce((SELECT max(updated_at_ms) FROM users), 0) + 1)
             WHERE key IN (SELECT user_key FROM user_roles WHERE role = ?1)",
            params![role.id.as_str(), now_ms],
        ))?;
        on_tx!(self, db => db.exec(
            "INSERT INTO roles (id, name, description, updated_at_ms) VALUES (?1, ?2, ?3, ?4)",
            &[
                Param::Text(&role.id),
                Param::Text(&role.name),
                Param::Text(&role.description),
                Param::Int(now_ms),
            ],
        ))?;
        for grant in &role.grants {
            let departments = grant.scope.departments.join("\n");
            let offices = grant.scope.offices.join("\n");
            on_tx!(self, db => db.exec(
                "INSERT INTO role_grants (role, permission, departments, offices) VALUES (?1, ?2, ?3, ?4)",
                &[
                    Param::Text(&role.id),
                    Param::Text(grant.permission.code()),
                    Param::Text(&departments),
                    Param::Text(&offices),
                ],
            ))?;
        }
        Ok(())
    }

    /// Deletes a role administrators made, with its grants.
    pub fn delete_role(&self, id: &str) -> Result<(), StoreError> {
        on_tx!(self, db => db.exec("DELETE FROM role_grants WHERE role = ?1", params![id]))?;
        on_tx!(self, db => db.exec("DELETE FROM roles WHERE id = ?1", params![id]))?;
        Ok(())
    }

    /// Replaces the user's roles with `assignments` (one per role). The
    /// user is stamped changed, so open windows read who may do what again.
    pub fn set_roles(
        &self,
        key: UserKey,
        assignments: &[Assignment],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        on_tx!(self, db => db.exec("DELETE FROM user_roles WHERE user_key = ?1", params![key.0]))?;
        on_tx!(self, db => db.exec(
            "UPDATE users SET updated_at_ms =
                greatest(?2, coalesce((SELECT max(updated_at_ms) FROM users), 0) + 1) WHERE key = ?1",
            params![key.0, now_ms],
        ))?;
        for assignment in assignments {
            let date = |d: Option<jiff::civil::Date>| {
                d.map_or(Param::Null, |d| Param::Int(date_number(d)))
            };
            let departments = assignment.scope.departments.join("\n");
            let offices = assignment.scope.offices.join("\n");
            on_tx!(self, db => db.exec(
                "INSERT INTO user_roles (user_key, role, valid_from, valid_to, departments, offices)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                &[
                    Param::Int(key.0),
                    Param::Text(&assignment.role),
                    date(assignment.valid_from),
                    date(assignment.valid_to),
                    Param::Text(&departments),
                    Param::Text(&offices),
                ],
            ))?;
        }
        Ok(())
    }
}
