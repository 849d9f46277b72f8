//! One way to run SQL on either backend: parameters, rows and the few
//! differences of dialect, so each query of the store is written once.
//!
//! Queries are written in SQLite's dialect with numbered parameters (`?1`)
//! and `greatest(a, b)` for the larger of two values; for SQLite `greatest(`
//! becomes its scalar `max(`, for PostgreSQL `?N` becomes `$N`. Every integer
//! column is 64 bits on both (BIGINT on PostgreSQL), flags are 0 or 1.
//!
//! Here: parameters, rows, SQLite's runner and values written into SQL
//! text. PostgreSQL's runner is `pg_sql`.

use std::borrow::Cow;

use postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use super::StoreError;

mod pg_sql;

pub use pg_sql::{Execution, PgSql, StatementCache, TextResults};

/// A statement parameter.
#[derive(Clone, Copy, Debug)]
pub enum Param<'a> {
    /// SQL NULL.
    Null,
    /// A 64-bit integer (also flags: 0 or 1).
    Int(i64),
    /// Text.
    Text(&'a str),
    /// Bytes.
    Blob(&'a [u8]),
}

impl From<i64> for Param<'_> {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl From<crate::domain::OutboxId> for Param<'_> {
    fn from(value: crate::domain::OutboxId) -> Self {
        Self::Int(value.0)
    }
}

impl From<u32> for Param<'_> {
    fn from(value: u32) -> Self {
        Self::Int(i64::from(value))
    }
}

impl From<bool> for Param<'_> {
    fn from(value: bool) -> Self {
        Self::Int(i64::from(value))
    }
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(value: &'a str) -> Self {
        Self::Text(value)
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(value: &'a String) -> Self {
        Self::Text(value)
    }
}

impl<'a> From<&'a [u8]> for Param<'a> {
    fn from(value: &'a [u8]) -> Self {
        Self::Blob(value)
    }
}

impl<'a, T: Into<Param<'a>>> From<Option<T>> for Param<'a> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Into::into)
    }
}

/// `[p1, p2, …]` as parameters.
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        &[$($crate::store::db::Param::from($value)),*]
    };
}
pub(crate) use params;

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match *self {
            Self::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Self::Int(value) => ToSqlOutput::Borrowed(ValueRef::Integer(value)),
            Self::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
            Self::Blob(bytes) => ToSqlOutput::Borrowed(ValueRef::Blob(bytes)),
        })
    }
}

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match *self {
            Self::Null => Ok(IsNull::Yes),
            Self::Int(value) if *ty == Type::BOOL => (value != 0).to_sql(ty, out),
            Self::Int(value) if *ty == Type::INT4 => i32::try_from(value)?.to_sql(ty, out),
            Self::Int(value) => value.to_sql(ty, out),
            Self::Text(text) => text.to_sql(ty, out),
            Self::Blob(bytes) => bytes.to_sql(ty, out),
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A value read from a row, whatever its backend (for copying and checksums).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

impl Value {
    /// As a statement parameter.
    pub fn as_param(&self) -> Param<'_> {
        match self {
            Self::Null => Param::Null,
            Self::Int(value) => Param::Int(*value),
            Self::Text(text) => Param::Text(text),
            Self::Blob(bytes) => Param::Blob(bytes),
        }
    }
}

/// Column access on a row of either backend.
pub trait RowRead {
    /// An integer (or a flag, as 0 or 1).
    fn int(&self, column: usize) -> Result<i64, StoreError>;
    /// An integer or NULL.
    fn opt_int(&self, column: usize) -> Result<Option<i64>, StoreError>;
    /// A text.
    fn text(&self, column: usize) -> Result<String, StoreError>;
    /// A text or NULL.
    fn opt_text(&self, column: usize) -> Result<Option<String>, StoreError>;
    /// Any value.
    fn value(&self, column: usize) -> Result<Value, StoreError>;
    /// A flag (an integer 0 or 1, or a boolean).
    fn flag(&self, column: usize) -> Result<bool, StoreError> {
        Ok(self.int(column)? != 0)
    }
}

impl RowRead for rusqlite::Row<'_> {
    fn int(&self, column: usize) -> Result<i64, StoreError> {
        Ok(self.get(column)?)
    }
    fn opt_int(&self, column: usize) -> Result<Option<i64>, StoreError> {
        Ok(self.get(column)?)
    }
    fn text(&self, column: usize) -> Result<String, StoreError> {
        Ok(self.get(column)?)
    }
    fn opt_text(&self, column: usize) -> Result<Option<String>, StoreError> {
        Ok(self.get(column)?)
    }
    fn value(&self, column: usize) -> Result<Value, StoreError> {
        use rusqlite::types::ValueRef;
        Ok(match self.get_ref(column)? {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(value) => Value::Int(value),
            // The register stores no real numbers; keep one readable if found.
            ValueRef::Real(value) => Value::Text(value.to_string()),
            ValueRef::Text(text) => Value::Text(String::from_utf8_lossy(text).into_owned()),
            ValueRef::Blob(bytes) => Value::Blob(bytes.to_vec()),
        })
    }
}

impl RowRead for postgres::Row {
    fn int(&self, column: usize) -> Result<i64, StoreError> {
        self.opt_int(column)?
            .ok_or_else(|| StoreError::bad_value(column, "NULL where a number belongs"))
    }
    fn opt_int(&self, column: usize) -> Result<Option<i64>, StoreError> {
        let ty = self.columns().get(column).map(|c| c.type_().clone());
        Ok(match ty {
            Some(Type::BOOL) => self.try_get::<_, Option<bool>>(column)?.map(i64::from),
            Some(Type::INT4) => self.try_get::<_, Option<i32>>(column)?.map(i64::from),
            Some(Type::INT2) => self.try_get::<_, Option<i16>>(column)?.map(i64::from),
            _ => self.try_get::<_, Option<i64>>(column)?,
        })
    }
    fn text(&self, column: usize) -> Result<String, StoreError> {
        Ok(self.try_get(column)?)
    }
    fn opt_text(&self, column: usize) -> Result<Option<String>, StoreError> {
        Ok(self.try_get(column)?)
    }
    fn value(&self, column: usize) -> Result<Value, StoreError> {
        let ty = self.columns().get(column).map(|c| c.type_().clone());
        Ok(match ty {
            Some(Type::BYTEA) => self
                .try_get::<_, Option<Vec<u8>>>(column)?
                .map_or(Value::Null, Value::Blob),
            Some(Type::TEXT | Type::VARCHAR) => self
                .try_get::<_, Option<String>>(column)?
                .map_or(Value::Null, Value::Text),
            _ => self.opt_int(column)?.map_or(Value::Null, Value::Int),
        })
    }
}

/// Runs SQL: a connection or a transaction of either backend.
pub trait Sql {
    /// Runs a statement; returns how many rows it changed.
    fn exec(&self, sql: &str, params: &[Param<'_>]) -> Result<usize, StoreError>;

    /// Runs a query and maps every row.
    fn fetch<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        map: impl FnMut(&dyn RowRead) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError>;

    /// Runs several statements with no parameters.
    fn exec_batch(&self, sql: &str) -> Result<(), StoreError>;

    /// The last row of `sql` (statements with no parameters, asked once) as
    /// texts, in one round trip: on PostgreSQL not prepared first, which
    /// would cost a second one. `None` for a NULL; no row, an empty list.
    fn fetch_texts_once(&self, sql: &str) -> Result<Vec<Option<String>>, StoreError>;

    /// The first row, if any.
    fn fetch_opt<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        map: impl FnMut(&dyn RowRead) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        Ok(self.fetch(sql, params, map)?.into_iter().next())
    }

    /// The first column of the first row, as an integer (a count, a flag).
    fn fetch_int(&self, sql: &str, params: &[Param<'_>]) -> Result<i64, StoreError> {
        self.fetch_opt(sql, params, |row| row.int(0))?
            .ok_or_else(|| StoreError::bad_value(0, "a query for a number returned no row"))
    }
}

/// The query in SQLite's dialect.
fn sqlite_text(sql: &str) -> Cow<'_, str> {
    if sql.contains("greatest(") {
        Cow::Owned(sql.replace("greatest(", "max("))
    } else {
        Cow::Borrowed(sql)
    }
}

/// The query in PostgreSQL's dialect: `?N` becomes `$N`.
pub fn postgres_text(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

impl Sql for rusqlite::Connection {
    fn exec(&self, sql: &str, params: &[Param<'_>]) -> Result<usize, StoreError> {
        let mut statement = self.prepare_cached(&sqlite_text(sql))?;
        Ok(statement.execute(rusqlite::params_from_iter(params))?)
    }

    fn fetch<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        mut map: impl FnMut(&dyn RowRead) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let mut statement = self.prepare_cached(&sqlite_text(sql))?;
        let mut rows = statement.query(rusqlite::params_from_iter(params))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(map(row)?);
        }
        Ok(out)
    }

    fn exec_batch(&self, sql: &str) -> Result<(), StoreError> {
        Ok(self.execute_batch(sql)?)
    }

    fn fetch_texts_once(&self, sql: &str) -> Result<Vec<Option<String>>, StoreError> {
        let mut statement = self.prepare(&sqlite_text(sql))?;
        let width = statement.column_count();
        let mut rows = statement.query([])?;
        let mut last = Vec::new();
        while let Some(row) = rows.next()? {
            last = (0..width)
                .map(|i| {
                    row.get::<_, rusqlite::types::Value>(i)
                        .map(|value| match value {
                            rusqlite::types::Value::Null => None,
                            rusqlite::types::Value::Integer(n) => Some(n.to_string()),
                            rusqlite::types::Value::Real(x) => Some(x.to_string()),
                            rusqlite::types::Value::Text(text) => Some(text),
                            rusqlite::types::Value::Blob(bytes) => {
                                Some(String::from_utf8_lossy(&bytes).into_owned())
                            }
                        })
                })
                .collect::<Result<_, _>>()?;
        }
        Ok(last)
    }
}

/// The rows of query `index` of several sent together, to read with the
/// row mappers.
pub fn text_rows(results: &TextResults, index: usize) -> impl Iterator<Item = TextRow<'_>> {
    results
        .get(index)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(|row| TextRow(row))
}

/// `sql` with its parameters `?1`, `?2`, … written in as literals (see
/// `pg_tx::literal`), in one pass over the text, so nothing written in is
/// read again; `None` when a value cannot be written in (a text with NUL).
pub fn with_literal_params(sql: &str, params: &[Param<'_>]) -> Option<String> {
    let literals: Vec<String> = params
        .iter()
        // A space first: a dollar quote right after a name would join it.
        .map(|param| super::pg_tx::literal(param, None).map(|l| format!(" {l}")))
        .collect::<Option<_>>()?;
    Some(written_in(sql, &literals))
}

/// `sql` with its parameters `?1`, `?2`, … written in as the integers
/// `params`.
fn with_integers(sql: &str, params: &[i64]) -> String {
    let values: Vec<String> = params.iter().map(ToString::to_string).collect();
    written_in(sql, &values)
}

/// `sql` with each `?N` replaced by `values[N - 1]`, in one pass over the
/// text (nothing written in is read again, and `?1` never eats `?12`); a
/// `?` without a value stays.
fn written_in(sql: &str, values: &[String]) -> String {
    let mut out = String::with_capacity(sql.len() + values.iter().map(String::len).sum::<usize>());
    let mut rest = sql;
    while let Some(at) = rest.find('?') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let value = after[..digits]
            .parse::<usize>()
            .ok()
            .and_then(|n| values.get(n.checked_sub(1)?));
        if let Some(value) = value {
            out.push_str(value);
            rest = &after[digits..];
        } else {
            out.push('?');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// A row read as texts (see [`PgSql::fetch_texts_together`]).
pub struct TextRow<'a>(pub &'a [Option<String>]);

impl TextRow<'_> {
    fn cell(&self, column: usize) -> Result<Option<&str>, StoreError> {
        self.0
            .get(column)
            .map(Option::as_deref)
            .ok_or_else(|| StoreError::bad_value(column, "no such column"))
    }
}

impl RowRead for TextRow<'_> {
    fn int(&self, column: usize) -> Result<i64, StoreError> {
        self.opt_int(column)?
            .ok_or_else(|| StoreError::bad_value(column, "NULL where a number belongs"))
    }
    fn opt_int(&self, column: usize) -> Result<Option<i64>, StoreError> {
        match self.cell(column)? {
            None => Ok(None),
            Some("t") => Ok(Some(1)),
            Some("f") => Ok(Some(0)),
            Some(text) => text
                .parse()
                .map(Some)
                .map_err(|_| StoreError::bad_value(column, "not a number")),
        }
    }
    fn text(&self, column: usize) -> Result<String, StoreError> {
        self.opt_text(column)?
            .ok_or_else(|| StoreError::bad_value(column, "NULL where a text belongs"))
    }
    fn opt_text(&self, column: usize) -> Result<Option<String>, StoreError> {
        Ok(self.cell(column)?.map(str::to_owned))
    }
    fn value(&self, column: usize) -> Result<Value, StoreError> {
        Ok(self
            .cell(column)?
            .map_or(Value::Null, |text| Value::Text(text.to_owned())))
    }
}

/// Wraps a row mapping so that a row whose stored values cannot be read (a
/// damaged or hand-edited row) is left out instead of failing the whole
/// query: it comes back `None`, and the log names its table and key (the
/// first column), never its contents. Other errors still fail.
pub fn readable<T>(
    what: &'static str,
    map: impl Fn(&dyn RowRead) -> Result<T, StoreError>,
) -> impl FnMut(&dyn RowRead) -> Result<Option<T>, StoreError> {
    move |row| match map(row) {
        Ok(value) => Ok(Some(value)),
        Err(StoreError::Damaged { detail }) => {
            let key = row.int(0).unwrap_or(-1);
            tracing::warn!(
                what,
                key,
                "a row that cannot be read is left out ({detail}); see `hrm-users db status`"
            );
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests;
