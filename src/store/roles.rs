//! Users' roles (the *Authorisations* tab): one row per user and role, with
//! the validity dates and the departments and offices it covers.

use super::db::{Param, RowRead, Sql as _, params};
use super::rows::{date_number, stored_date};
use super::{Store, StoreError, WriteTx, on_store, on_tx};
use crate::domain::UserKey;
use crate::domain::roles::{Assignment, Scope};

const SELECT: &str =
    "SELECT user_key, role, valid_from, valid_to, departments, offices FROM user_roles";

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn assignment_from_row(row: &dyn RowRead) -> Result<(UserKey, Assignment), StoreError> {
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

    /// Every user's roles.
    pub fn all_roles(&self) -> Result<Vec<(UserKey, Vec<Assignment>)>, StoreError> {
        let rows = on_store!(self, db => db.fetch(
            &format!("{SELECT} ORDER BY user_key, role"),
            &[],
            assignment_from_row,
        ))?;
        Ok(group(rows))
    }
}

impl WriteTx<'_> {
    /// Every user's roles, as this transaction sees them.
    pub fn all_roles(&self) -> Result<Vec<(UserKey, Vec<Assignment>)>, StoreError> {
        let rows = on_tx!(self, db => db.fetch(
            &format!("{SELECT} ORDER BY user_key, role"),
            &[],
            assignment_from_row,
        ))?;
        Ok(group(rows))
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
