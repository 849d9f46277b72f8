//! Rows a PostgreSQL transaction inserts without reading anything back (new
//! users, their pending address, audit rows), held and sent with one binary
//! COPY per table: an import of 100,000 users costs a handful of round trips
//! to the server instead of 300,000. New users get their keys from the table's
//! own sequence up front. Anything else the transaction runs, and its commit,
//! sends what is held first, so every read sees every write.

use std::cell::RefCell;

use super::StoreError;

use super::db::{Execution, Param, PgSql, Sql, Value};

/// Keys taken from the users' sequence the first time a transaction needs
/// one; each later time twice as many, up to [`MOST_KEYS_AT_ONCE`]. A Save
/// of one new user leaves few keys unused; an import of 100,000 users asks
/// about a dozen times (each a round trip: over a VPN, 0.3 s, not 3 s).
const FIRST_KEYS_AT_ONCE: i64 = 16;

/// The most keys taken at a time.
const MOST_KEYS_AT_ONCE: i64 = 32_768;

/// The most keys taken at once for a transaction that said how many users
/// it adds (`WriteTx::expect_new_users`): an import of a million is
/// several round trips, not a single statement of a million rows.
const MOST_EXPECTED_KEYS: i64 = 262_144;

/// The held rows of one transaction, per table.
#[derive(Default)]
pub struct InsertBatch {
    users: HeldRows,
    connections: HeldRows,
    audit: HeldRows,
    free_keys: Vec<i64>,
    /// How many keys the sequence gave last time (0: none yet).
    keys_taken: i64,
    /// How many keys the transaction said it will need (0: not said).
    keys_expected: i64,
}

/// The users' columns, with the key first and the change stamp as the
/// insert of one user computes it.
const USER_COLUMNS: &str = "key, user_id, activated, alias_user_id, signature, card_tag_id,
    external_reference, email, first_name, last_name, department, office, updated_at_ms,
    created_at_ms, employment_ends";
const CONNECTION_COLUMNS: &str = "user_key, email, email_key, state, sent_count,
    last_sent_at_ms, connected_at_ms, connected_by, saved_at_ms";
const AUDIT_COLUMNS: &str = "at_ms, actor, action, user_key, user_id, before, after";

fn owned(params: &[Param<'_>]) -> Vec<Value> {
    params
        .iter()
        .map(|p| match *p {
            Param::Null => Value::Null,
            Param::Int(n) => Value::Int(n),
            Param::Text(t) => Value::Text(t.to_owned()),
            Param::Blob(b) => Value::Blob(b.to_vec()),
        })
        .collect()
}

impl InsertBatch {
    /// A key for a new user, from the sequence of `users.key`.
    pub fn next_user_key(&mut self, db: &impl Sql) -> Result<i64, StoreError> {
        if self.free_keys.is_empty() {
            let wanted = if self.keys_taken == 0 {
                self.keys_expected
                    .clamp(FIRST_KEYS_AT_ONCE, MOST_EXPECTED_KEYS)
            } else {
                (self.keys_taken * 2).min(MOST_KEYS_AT_ONCE)
            };
            self.keys_taken = wanted;
            let mut keys = db.fetch(
                // The sequence's name looked up once, not once per key
                // (which cost 2.7 µs a key: a quarter second an import).
                "WITH seq AS MATERIALIZED
                     (SELECT pg_get_serial_sequence('users', 'key')::regclass AS name)
                 SELECT nextval(seq.name) FROM seq, generate_series(1, ?1)",
                &[Param::Int(wanted)],
                |row| row.int(0),
            )?;
            keys.reverse();
            self.free_keys = keys;
        }
        self.free_keys
            .pop()
            .ok_or_else(|| StoreError::bad_value(0, "the users' sequence gave no key"))
    }

    /// Takes the first keys, when they are needed, for `count` users at
    /// once (up to [`MOST_EXPECTED_KEYS`]).
    pub fn expect_keys(&mut self, count: usize) {
        self.keys_expected = i64::try_from(count).unwrap_or(MOST_EXPECTED_KEYS);
    }

    /// Holds a new user: `key` then the 14 parameters of an insert.
    pub fn user(&mut self, key: i64, params: &[Param<'_>]) {
        let mut row = Vec::with_capacity(params.len() + 1);
        row.push(Param::Int(key));
        row.extend_from_slice(params);
        self.users.hold(&row, USER_TYPES, Some(STAMP_COLUMN));
    }

    /// Holds a connection row (the 9 columns of its insert).
    pub fn connection(&mut self, params: &[Param<'_>]) {
        self.connections.hold(params, CONNECTION_TYPES, None);
    }

    /// Holds an audit row (the 7 columns of its insert).
    pub fn audit(&mut self, params: &[Param<'_>]) {
        self.audit.hold(params, AUDIT_TYPES, None);
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.users.len() + self.connections.len() + self.audit.len() == 0
    }

    /// The held rows as executions of single-row inserts prepared on the
    /// connection, their values written in, taken out of the batch, to go
    /// in one round trip with other statements (a Save's audit row with
    /// its commit); `None` (nothing taken) when there are more than a few
    /// or a value cannot be written in.
    pub fn take_written(&mut self, db: &PgSql<'_, postgres::Client>) -> Option<Vec<Execution>> {
        let held = self.users.len() + self.connections.len() + self.audit.len();
        if held == 0 || held > WRITTEN_AT_MOST {
            return None;
        }
        // (So few rows are all still values: rows are encoded from
        // `COPY_FROM` on.)
        let numbered = |count: usize| {
            (1..=count)
                .map(|n| format!("?{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // A user's change stamp as single inserts make it: the time, but
        // above every stamp already written (each row sees the one before).
        let users_sql = format!(
            "INSERT INTO users ({USER_COLUMNS}) VALUES ({}, \
             greatest(?13, (SELECT coalesce(max(updated_at_ms), 0) + 1 FROM users)), ?14, ?15)",
            numbered(12)
        );
        let mut statements = Vec::with_capacity(held);
        for (sql, rows) in [
            (users_sql, &self.users.values),
            (
                format!(
                    "INSERT INTO connections ({CONNECTION_COLUMNS}) VALUES ({})",
                    numbered(CONNECTION_TYPES.len())
                ),
                &self.connections.values,
            ),
            (
                format!(
                    "INSERT INTO audit ({AUDIT_COLUMNS}) VALUES ({})",
                    numbered(AUDIT_TYPES.len())
                ),
                &self.audit.values,
            ),
        ] {
            for row in rows {
                let params: Vec<Param<'_>> = row.iter().map(Value::as_param).collect();
                if let Some(execution) = db.execute_text(&sql, &params) {
                    statements.push(execution);
                } else {
                    db.forget_unsent(&statements);
                    return None;
                }
            }
        }
        self.users = HeldRows::default();
        self.connections = HeldRows::default();
        self.audit = HeldRows::default();
        Some(statements)
    }
}

/// The most held rows written into a statement's text (beyond, they go
/// as array parameters or by COPY).
const WRITTEN_AT_MOST: usize = 64;

/// What every COPY of the held rows needs to know, asked once (over a VPN,
/// each question is a round trip; `write_tx::send_held` sends it with the
/// transaction's held statements): the stamp above every user's, and
/// whether the policies bind this login (see `copy_rows`).
pub const COPY_FACTS: &str = "SELECT (SELECT coalesce(max(updated_at_ms), 0) + 1 FROM users),
     CASE WHEN row_security_active('users') OR row_security_active('connections')
          OR row_security_active('audit') THEN 1 ELSE 0 END";

/// The answer to [`COPY_FACTS`]: the base of new users' stamps, and whether
/// the policies bind this login.
#[derive(Clone, Copy)]
pub struct CopyFacts {
    base: i64,
    bound: bool,
}

impl CopyFacts {
    /// For a batch that copies nothing: no COPY reads these.
    pub const NOT_ASKED: Self = Self {
        base: 1,
        bound: false,
    };

    /// The facts in `row`, an answer to [`COPY_FACTS`].
    pub fn from_row(row: &dyn super::db::RowRead) -> Result<Self, StoreError> {
        Ok(Self {
            base: row.int(0)?,
            bound: row.int(1)? == 1,
        })
    }
}

impl InsertBatch {
    /// True when a table's held rows go by COPY (see [`COPY_FACTS`]).
    pub fn copies(&self) -> bool {
        [&self.users, &self.connections, &self.audit]
            .iter()
            .any(|rows| rows.encoded.is_some())
    }
}

/// Sends every held row: users first (the others refer to them), each
/// table as one binary COPY; `facts` the answer to [`COPY_FACTS`] when
/// [`InsertBatch::copies`] (else [`CopyFacts::NOT_ASKED`]).
pub fn flush<C: postgres::GenericClient>(
    db: &PgSql<'_, C>,
    batch: &RefCell<InsertBatch>,
    facts: CopyFacts,
) -> Result<(), StoreError> {
    if batch.borrow().is_empty() {
        return Ok(());
    }
    let CopyFacts { base, bound } = facts;
    let (users, connections, audit) = {
        let mut held = batch.borrow_mut();
        (
            std::mem::take(&mut held.users),
            std::mem::take(&mut held.connections),
            std::mem::take(&mut held.audit),
        )
    };
    if let Some(mut encoded) = users.encoded {
        // Each user's change stamp as single inserts make them: the time,
        // but above every stamp already written, and growing row by row.
        // (Writers hold the register's write lock: the highest stamp stays.)
        encoded.raise_stamps(base);
        copy_rows(db, "users", USER_COLUMNS, &encoded, bound).map_err(taken_user_id)?;
    } else if !users.values.is_empty() {
        // The same stamps, computed by the server in the one statement.
        let users_sql = format!(
            "INSERT INTO users ({USER_COLUMNS})
             SELECT c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12,
                 greatest(c13, (SELECT coalesce(max(updated_at_ms), 0) + 1 FROM users)) + n - 1,
                 c14, c15
             FROM unnest({}) WITH ORDINALITY
                 AS t(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, n)",
            casts(USER_TYPES)
        );
        exec_columns(db, &users_sql, USER_TYPES, &users.values).map_err(taken_user_id)?;
    }
    insert_rows(
        db,
        ("connections", CONNECTION_COLUMNS, CONNECTION_TYPES),
        connections,
        bound,
    )?;
    insert_rows(db, ("audit", AUDIT_COLUMNS, AUDIT_TYPES), audit, bound)?;
    Ok(())
}

/// From this many rows a table's held rows go by COPY; fewer go as one
/// INSERT (a COPY costs an extra round trip, which a few rows do not repay).
const COPY_FROM: usize = 1_000;

/// Sends held rows to `table` (with its `columns` of `types`): by COPY
/// when there are many (`bound`: as `copy_rows` says), else as one
/// `INSERT … SELECT FROM unnest(…)` with an array parameter per column.
fn insert_rows<C: postgres::GenericClient>(
    db: &PgSql<'_, C>,
    (table, columns, types): (&str, &str, &str),
    rows: HeldRows,
    bound: bool,
) -> Result<(), StoreError> {
    if let Some(encoded) = rows.encoded {
        return copy_rows(db, table, columns, &encoded, bound);
    }
    if rows.values.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO {table} ({columns}) SELECT * FROM unnest({})",
        casts(types)
    );
    exec_columns(db, &sql, types, &rows.values)
}

/// Where the change stamp is in a held user's row (after the key).
const STAMP_COLUMN: usize = 12;

/// Column types: `i` a BIGINT, `t` a TEXT.
const USER_TYPES: &str = "ititttttttttiii";
const CONNECTION_TYPES: &str = "itttiiiti";
const AUDIT_TYPES: &str = "ittittt";

/// Streams encoded rows into `table` with a binary COPY, one round of
/// messages for all of them: no statement to parse, no arrays to build.
/// PostgreSQL takes no COPY into a table whose row-level security binds
/// this login (`bound`: an administrator's own, not the owner): the rows
/// are then copied into a temporary table of the transaction, and
/// inserted from it in one statement, each row checked by the policies.
fn copy_rows<C: postgres::GenericClient>(
    db: &PgSql<'_, C>,
    table: &str,
    columns: &str,
    rows: &CopyRows,
    bound: bool,
) -> Result<(), StoreError> {
    if let Some(column) = rows.misfit {
        return Err(StoreError::bad_value(
            column,
            format!("a held row of {table} does not fit its column"),
        ));
    }
    let columns = columns.split_whitespace().collect::<Vec<_>>().join(" ");
    if bound {
        let staging = format!("hrm_staging_{table}");
        db.exec_batch(&format!(
            "CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS
                 SELECT {columns} FROM {table} WITH NO DATA"
        ))?;
        db.copy_in_encoded(
            &format!("COPY {staging} ({columns}) FROM STDIN (FORMAT binary)"),
            &rows.bytes,
        )?;
        db.exec_batch(&format!(
            "INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging}; DROP TABLE {staging}"
        ))?;
        return Ok(());
    }
    db.copy_in_encoded(
        &format!("COPY {table} ({columns}) FROM STDIN (FORMAT binary)"),
        &rows.bytes,
    )?;
    Ok(())
}

/// The held rows of one table: as values while there are few (they may go
/// written into a statement, or as array parameters), and encoded for a
/// binary COPY from [`COPY_FROM`] rows on: one buffer, not a value of its
/// own for each column of each row (an import of 100,000 users held nearly
/// three million, built them one by one and took 0.2 s to free them).
#[derive(Default)]
struct HeldRows {
    values: Vec<Vec<Value>>,
    encoded: Option<CopyRows>,
}

impl HeldRows {
    fn len(&self) -> usize {
        self.values.len() + self.encoded.as_ref().map_or(0, |e| e.count)
    }

    /// Holds one row of columns of `types`; `stamp` is the change stamp's
    /// column, to be raised at the flush (users).
    fn hold(&mut self, row: &[Param<'_>], types: &str, stamp: Option<usize>) {
        if self.encoded.is_none() && self.values.len() + 1 < COPY_FROM {
            self.values.push(owned(row));
            return;
        }
        let encoded = self.encoded.get_or_insert_with(|| {
            let mut encoded = CopyRows::default();
            for held in std::mem::take(&mut self.values) {
                let params: Vec<Param<'_>> = held.iter().map(Value::as_param).collect();
                encoded.push(&params, types, stamp);
            }
            encoded
        });
        encoded.push(row, types, stamp);
    }
}

/// Rows in PostgreSQL's binary COPY format (their tuples, without the
/// stream's header and trailer).
#[derive(Default)]
struct CopyRows {
    bytes: Vec<u8>,
    count: usize,
    /// Where each row's change stamp (its 8 bytes) is, when it has one.
    stamps: Vec<usize>,
    /// The first column whose value did not fit its type (a program error,
    /// refused at the flush rather than sent).
    misfit: Option<usize>,
}

impl CopyRows {
    /// Encodes one row of columns of `types` (`i` a BIGINT, `t` a TEXT);
    /// `stamp` is the column of the change stamp to note.
    fn push(&mut self, row: &[Param<'_>], types: &str, stamp: Option<usize>) {
        if row.len() != types.len() {
            self.misfit.get_or_insert(row.len().min(types.len()));
        }
        // A table has a handful of columns: the count fits.
        let columns = i16::try_from(types.len()).unwrap_or(i16::MAX);
        self.bytes.extend_from_slice(&columns.to_be_bytes());
        for (column, (param, kind)) in row.iter().zip(types.chars()).enumerate() {
            match (*param, kind) {
                (Param::Null, _) => {
                    if stamp == Some(column) {
                        // No stamp to raise; the row still counts.
                        self.stamps.push(usize::MAX);
                    }
                    self.bytes.extend_from_slice(&(-1_i32).to_be_bytes());
                }
                (Param::Int(n), 'i') => {
                    self.bytes.extend_from_slice(&8_i32.to_be_bytes());
                    if stamp == Some(column) {
                        self.stamps.push(self.bytes.len());
                    }
                    self.bytes.extend_from_slice(&n.to_be_bytes());
                }
                (Param::Text(text), 't') if i32::try_from(text.len()).is_ok() => {
                    let length = i32::try_from(text.len()).unwrap_or(i32::MAX);
                    self.bytes.extend_from_slice(&length.to_be_bytes());
                    self.bytes.extend_from_slice(text.as_bytes());
                }
                _ => {
                    self.misfit.get_or_insert(column);
                    self.bytes.extend_from_slice(&(-1_i32).to_be_bytes());
                }
            }
        }
        self.count += 1;
    }

    /// Raises the n-th row's change stamp to at least `base + n`, as single
    /// inserts would have made them: above every stamp already written,
    /// growing row by row.
    fn raise_stamps(&mut self, base: i64) {
        for (n, &at) in (0_i64..).zip(&self.stamps) {
            let Some(field) = at
                .checked_add(8)
                .and_then(|end| self.bytes.get_mut(at..end))
            else {
                continue;
            };
            let mut stamp = [0_u8; 8];
            stamp.copy_from_slice(field);
            let raised = i64::from_be_bytes(stamp).max(base) + n;
            field.copy_from_slice(&raised.to_be_bytes());
        }
    }
}

/// A unique User-ID refused, named as the server names it; any other
/// error as it is.
pub fn named_taken_user_id(error: StoreError) -> StoreError {
    if error.is_constraint_violation() && error.to_string().contains("Key (user_id)=(") {
        taken_user_id(error)
    } else {
        error
    }
}

/// A unique User-ID refused: named as the server names it.
fn taken_user_id(error: StoreError) -> StoreError {
    if !error.is_constraint_violation() {
        return error;
    }
    let words = error.to_string();
    let user_id = words
        .split_once("Key (user_id)=(")
        .and_then(|(_, rest)| rest.split_once(") already exists"))
        .map(|(id, _)| id.to_owned());
    StoreError::Conflict(match user_id {
        Some(id) => format!("User-ID {id} is already in use."),
        None => "A User-ID in this change is already in use.".into(),
    })
}
/// `$1::bigint[], $2::text[], …` for the types.
fn casts(types: &str) -> String {
    types
        .chars()
        .enumerate()
        .map(|(i, t)| format!("${}::{}[]", i + 1, if t == 'i' { "bigint" } else { "text" }))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs `sql` with one array parameter per column of `rows`.
fn exec_columns<C: postgres::GenericClient>(
    db: &PgSql<'_, C>,
    sql: &str,
    types: &str,
    rows: &[Vec<Value>],
) -> Result<(), StoreError> {
    let mut columns: Vec<Box<dyn postgres::types::ToSql + Sync>> = Vec::new();
    for (index, kind) in types.chars().enumerate() {
        if kind == 'i' {
            let values: Vec<Option<i64>> = rows
                .iter()
                .map(|row| match row.get(index) {
                    Some(Value::Int(n)) => Some(*n),
                    _ => None,
                })
                .collect();
            columns.push(Box::new(values));
        } else {
            let values: Vec<Option<String>> = rows
                .iter()
                .map(|row| match row.get(index) {
                    Some(Value::Text(text)) => Some(text.clone()),
                    _ => None,
                })
                .collect();
            columns.push(Box::new(values));
        }
    }
    let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
        columns.iter().map(AsRef::as_ref).collect();
    db.exec_typed(sql, &params)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_encoded_as_postgresql_reads_a_binary_copy() {
        let mut rows = CopyRows::default();
        rows.push(&[Param::Int(7), Param::Text("Å"), Param::Null], "itt", None);
        let mut expected = vec![0, 3];
        expected.extend_from_slice(&[0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 7]);
        expected.extend_from_slice(&[0, 0, 0, 2, 0xc3, 0x85]);
        expected.extend_from_slice(&[0xff, 0xff, 0xff, 0xff]);
        assert_eq!(rows.bytes, expected);
        assert_eq!((rows.count, rows.misfit), (1, None));
    }

    #[test]
    fn stamps_are_raised_above_the_base_growing_row_by_row() {
        let mut rows = CopyRows::default();
        for stamp in [Param::Int(5), Param::Null, Param::Int(500)] {
            rows.push(&[Param::Text("u"), stamp], "ti", Some(1));
        }
        rows.raise_stamps(100);
        let stamp_at = |row: usize| {
            let at = rows.stamps[row];
            i64::from_be_bytes(rows.bytes[at..at + 8].try_into().unwrap())
        };
        // The first row rises to the base; the one without a stamp keeps
        // its place in the count; the third was above already, plus two.
        assert_eq!((stamp_at(0), stamp_at(2)), (100, 502));
        assert_eq!(rows.stamps[1], usize::MAX);
    }

    #[test]
    fn a_value_that_does_not_fit_its_column_is_noted_not_sent() {
        let mut rows = CopyRows::default();
        rows.push(&[Param::Int(1), Param::Int(2)], "it", None);
        assert_eq!(rows.misfit, Some(1));
        let mut short = CopyRows::default();
        short.push(&[Param::Int(1)], "it", None);
        assert_eq!(short.misfit, Some(1));
    }
}
