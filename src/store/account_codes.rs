//! The register's account codes and users' *Audit of account code* rows.

use crate::domain::UserKey;
use crate::domain::account_codes::{AccountCode, AuditRight};

use super::db::{Param, RowRead, Sql, params};
use super::{Store, StoreError, WriteTx, on_store, on_tx};

fn code_from_row(row: &dyn RowRead) -> Result<AccountCode, StoreError> {
    Ok(AccountCode {
        dimension: row.text(0)?,
        code: row.text(1)?,
        name: row.text(2)?,
    })
}

pub(super) fn right_from_row(row: &dyn RowRead) -> Result<AuditRight, StoreError> {
    right_from_columns(row, 0)
}

/// A row's four columns from `at` on.
fn right_from_columns(row: &dyn RowRead, at: usize) -> Result<AuditRight, StoreError> {
    Ok(AuditRight {
        dimension: row.text(at)?,
        from_code: row.text(at + 1)?,
        to_code: row.opt_text(at + 2)?,
        amount_limit: row
            .opt_int(at + 3)?
            .map(|n| u64::try_from(n).map_err(|_| StoreError::bad_value(at + 3, n)))
            .transpose()?,
    })
}

const CODES: &str = "SELECT dimension, code, name FROM account_codes ORDER BY dimension, code";
pub(super) const RIGHTS: &str =
    "SELECT dimension, from_code, to_code, amount_limit FROM user_audit_rights
    WHERE user_key = ?1 ORDER BY position";

/// Every account code of every dimension.
pub(super) fn codes_in(db: &impl Sql) -> Result<Vec<AccountCode>, StoreError> {
    db.fetch(CODES, &[], code_from_row)
}

/// The user's *Audit of account code* rows, in order.
pub(super) fn rights_in(db: &impl Sql, key: UserKey) -> Result<Vec<AuditRight>, StoreError> {
    db.fetch(RIGHTS, params![key.0], right_from_row)
}

impl Store {
    /// The dimensions that have codes in the register.
    pub fn account_dimensions(&self) -> Result<Vec<String>, StoreError> {
        on_store!(self, db => db.fetch(
            "SELECT DISTINCT dimension FROM account_codes ORDER BY dimension",
            &[],
            |r| r.text(0),
        ))
    }

    /// Everyone's *Audit of account code* rows, by user (users without
    /// rows are left out).
    pub fn all_audit_rights(&self) -> Result<Vec<(UserKey, Vec<AuditRight>)>, StoreError> {
        let rows = on_store!(self, db => db.fetch(
            "SELECT user_key, dimension, from_code, to_code, amount_limit FROM user_audit_rights
             ORDER BY user_key, position",
            &[],
            |row| Ok((UserKey(row.int(0)?), right_from_columns(row, 1)?)),
        ))?;
        let mut grouped: Vec<(UserKey, Vec<AuditRight>)> = Vec::new();
        for (key, right) in rows {
            match grouped.last_mut() {
                Some((previous, held)) if *previous == key => held.push(right),
                _ => grouped.push((key, vec![right])),
            }
        }
        Ok(grouped)
    }
}

impl WriteTx<'_> {
    /// Adds a code, or renames it when the dimension has it already.
    pub fn upsert_account_code(&self, code: &AccountCode) -> Result<(), StoreError> {
        on_tx!(self, db => db.exec(
            "INSERT INTO account_codes (dimension, code, name) VALUES (?1, ?2, ?3)
             ON CONFLICT (dimension, code) DO UPDATE SET name = excluded.name",
            params![code.dimension.as_str(), code.code.as_str(), code.name.as_str()],
        ))?;
        Ok(())
    }

    /// Replaces the user's rows; the user is stamped changed.
    pub fn set_audit_rights(
        &self,
        key: UserKey,
        rights: &[AuditRight],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        on_tx!(self, db => db.exec("DELETE FROM user_audit_rights WHERE user_key = ?1", params![key.0]))?;
        on_tx!(self, db => db.exec(
            "UPDATE users SET updated_at_ms =
                greatest(?2, coalesce((SELECT max(updated_at_ms) FROM users), 0) + 1) WHERE key = ?1",
            params![key.0, now_ms],
        ))?;
        for (position, right) in (0_i64..).zip(rights) {
            let limit = right
                .amount_limit
                .and_then(|n| i64::try_from(n).ok())
                .map_or(Param::Null, Param::Int);
            on_tx!(self, db => db.exec(
                "INSERT INTO user_audit_rights
                     (user_key, position, dimension, from_code, to_code, amount_limit)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                &[
                    Param::Int(key.0),
                    Param::Int(position),
                    Param::Text(&right.dimension),
                    Param::Text(&right.from_code),
                    right.to_code.as_deref().map_or(Param::Null, Param::Text),
                    limit,
                ],
            ))?;
        }
        Ok(())
    }
}
