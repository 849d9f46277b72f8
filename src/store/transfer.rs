//! Moving a register between backends (`db copy`): every table copied into
//! an empty target in one transaction, then counted and checksummed on both
//! sides; and the counts `db status` prints.

use sha2::{Digest as _, Sha256};

use crate::store::Reads as _;

use super::db::{Param, Sql, Value};
use super::{Backend, Store, StoreError, on_store, on_tx};

/// The tables of a register with their columns, in the order a copy fills
/// them (a table after those it refers to). The first column is the key.
/// Workers are not copied: their leases belong to processes on the old one.
const TABLES: &[(&str, &[&str])] = &[
    ("settings", &["key", "value"]),
    (
        "users",
        &[
            "key",
            "user_id",
            "activated",
            "alias_user_id",
            "signature",
            "card_tag_id",
            "external_reference",
            "email",
            "first_name",
            "last_name",
            "department",
            "office",
            "created_at_ms",
            "updated_at_ms",
            "employment_ends",
        ],
    ),
    (
        "connections",
        &[
            "user_key",
            "email",
            "email_key",
            "state",
            "sent_count",
            "last_sent_at_ms",
            "connected_at_ms",
            "connected_by",
            "saved_at_ms",
        ],
    ),
    (
        "link_tokens",
        &[
            "hash",
            "user_key",
            "email_key",
            "created_at_ms",
            "expires_at_ms",
            "used_at_ms",
            "superseded_at_ms",
            "purpose",
        ],
    ),
    (
        "outbox",
        &[
            "id",
            "message_id",
            "kind",
            "user_key",
            "recipient",
            "state",
            "attempts",
            "next_attempt_at_ms",
            "last_result",
            "possible_duplicate",
            "batch",
            "created_at_ms",
            "sent_at_ms",
            "owner",
            "lease_until_ms",
            "handed_over",
        ],
    ),
    (
        "audit",
        &[
            "id", "at_ms", "actor", "action", "user_key", "user_id", "before", "after",
        ],
    ),
    (
        "user_roles",
        &[
            "user_key",
            "role",
            "valid_from",
            "valid_to",
            "departments",
            "offices",
        ],
    ),
    ("account_codes", &["dimension", "code", "name"]),
    ("roles", &["id", "name", "description", "updated_at_ms"]),
    (
        "role_grants",
        &["role", "permission", "departments", "offices"],
    ),
    (
        "user_audit_rights",
        &[
            "user_key",
            "position",
            "dimension",
            "from_code",
            "to_code",
            "amount_limit",
        ],
    ),
    // Without a worker's claim: a copy holds no lease.
    (
        "idp_accounts",
        &[
            "user_key",
            "external_id",
            "idp_id",
            "account",
            "wanted",
            "pushed",
            "failed",
            "attempts",
            "next_attempt_at_ms",
            "last_result",
            "since_ms",
        ],
    ),
];

/// Tables whose key PostgreSQL numbers itself: after a copy its counter
/// must continue after the copied keys.
const NUMBERED: &[(&str, &str)] = &[("users", "key"), ("outbox", "id"), ("audit", "id")];

/// Rows per INSERT statement while copying.
const ROWS_PER_INSERT: usize = 500;

pub use crate::domain::register_report::{CopyReport, Status, TableSum};

fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// The register's counts (`db status`), each table read once.
const COUNTS: &str = "SELECT (SELECT count(*) FROM users), c.connected, c.unverified,
        o.waiting, o.total, (SELECT count(*) FROM audit), (SELECT count(*) FROM workers)
    FROM (SELECT count(*) FILTER (WHERE state = 'connected') AS connected,
                 count(*) FILTER (WHERE state = 'unverified') AS unverified
          FROM connections) AS c,
         (SELECT count(*) FILTER (WHERE state IN ('queued', 'sending')) AS waiting,
                 count(*) AS total
          FROM outbox) AS o";

/// The users a shared register holds whose rows the program may not be
/// able to read (`db status` reads only these, not all 100,000): every
/// row the SQL cannot vouch for, found through the partial indexes of
/// migration 15. A subset of what the program reads, so none it cannot
/// read is left out. Each is then read by its key (`OFFSET 0` keeps the
/// planner from joining every user instead: it cannot tell how few rows
/// the indexes hold, and guesses half).
pub(super) fn users_in_doubt() -> String {
    use super::migrations::{CONNECTION_IN_DOUBT, USER_IN_DOUBT};
    format!(
        "SELECT row.* FROM (SELECT key FROM users WHERE {USER_IN_DOUBT}
             UNION SELECT user_key FROM connections WHERE {CONNECTION_IN_DOUBT}) AS doubt,
         LATERAL ({} WHERE u.key = doubt.key OFFSET 0) AS row",
        super::rows::SELECT_USERS,
    )
}

/// The messages whose rows the program may not be able to read (see
/// [`users_in_doubt`]).
pub(super) fn messages_in_doubt() -> String {
    format!(
        "SELECT row.* FROM (SELECT id FROM outbox WHERE {}) AS doubt,
         LATERAL ({} WHERE id = doubt.id OFFSET 0) AS row",
        super::migrations::MESSAGE_IN_DOUBT,
        super::outbox::SELECT,
    )
}

/// [`Store::status`] of a shared register in one round trip: the counts,
/// the version, and only the rows the SQL cannot vouch for, read by the
/// program to tell which are damaged.
fn status_together(
    db: &super::db::PgSql<'_, postgres::Client>,
    location: &super::Location,
) -> Result<Status, StoreError> {
    let results = db.fetch_plain_together(vec![
        COUNTS.to_owned(),
        "SELECT version FROM hrm_register".to_owned(),
        users_in_doubt(),
        messages_in_doubt(),
    ])?;
    let rows = |index: usize| super::db::text_rows(&results, index);
    let first = |index: usize| -> Result<Vec<i64>, StoreError> {
        let row = rows(index)
            .next()
            .ok_or_else(|| StoreError::bad_value(0, "a count query returned no row"))?;
        (0..row.0.len())
            .map(|i| super::db::RowRead::int(&row, i))
            .collect()
    };
    let counts = first(0)?;
    let at = |i: usize| {
        counts
            .get(i)
            .copied()
            .map(count)
            .ok_or_else(|| StoreError::bad_value(i, "a count is missing"))
    };
    // Only a damaged row is left out; any other error fails, as a load does.
    let damaged = |outcome: Result<(), StoreError>| match outcome {
        Ok(()) => Ok(false),
        Err(StoreError::Damaged { .. }) => Ok(true),
        Err(error) => Err(error),
    };
    let mut damaged_users = 0;
    for row in rows(2) {
        damaged_users += usize::from(damaged(super::rows::record_from_row(&row).map(|_| ()))?);
    }
    let mut damaged_messages = 0;
    for row in rows(3) {
        damaged_messages +=
            usize::from(damaged(super::outbox::message_from_row(&row).map(|_| ()))?);
    }
    status_of(
        location,
        first(1)?.first().copied().unwrap_or(0),
        &at,
        (damaged_users, damaged_messages),
    )
}

/// The status of the register at `location` from its version, the counts
/// of [`COUNTS`] by column, and the damaged users and messages.
fn status_of(
    location: &super::Location,
    schema_version: i64,
    at: &dyn Fn(usize) -> Result<usize, StoreError>,
    (damaged_users, damaged_messages): (usize, usize),
) -> Result<Status, StoreError> {
    Ok(Status {
        backend: location.backend_name().to_owned(),
        location: location.to_string(),
        schema_version,
        users: at(0)?,
        connected: at(1)?,
        pending: at(2)?,
        outbox_waiting: at(3)?,
        outbox_messages: at(4)?,
        audit_rows: at(5)?,
        workers: at(6)?,
        damaged_users,
        damaged_messages,
    })
}

impl Store {
    /// The register's backend, version and counts.
    pub fn status(&self) -> Result<Status, StoreError> {
        if let Backend::Postgres(pg) = &self.backend {
            return status_together(&pg.sql(), &self.location);
        }
        // One statement (a register file's reads cost no round trips).
        let counts = on_store!(self, db => db.fetch_texts_once(COUNTS))?;
        let at = |i: usize| -> Result<usize, StoreError> {
            counts
                .get(i)
                .and_then(Option::as_deref)
                .and_then(|text| text.parse::<i64>().ok())
                .map(count)
                .ok_or_else(|| StoreError::bad_value(i, "a count that is not a number"))
        };
        // Every row read once: those left out as unreadable are counted.
        let users = at(0)?;
        let messages = at(4)?;
        let damaged_users = users.saturating_sub(self.load_users()?.len());
        let damaged_messages = messages.saturating_sub(self.outbox(usize::MAX)?.len());
        status_of(
            &self.location,
            self.version()?,
            &at,
            (damaged_users, damaged_messages),
        )
    }

    /// Every table's rows and checksum.
    pub fn table_sums(&self) -> Result<Vec<TableSum>, StoreError> {
        TABLES
            .iter()
            .map(|(table, columns)| {
                let rows = on_store!(self, db => read_table(db, table, columns))?;
                Ok(sum(table, &rows))
            })
            .collect()
    }

    /// True when the register holds nothing at all (a new file or database;
    /// the time zone it noted when it was made does not count).
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        for (table, _) in TABLES {
            let noted = if *table == "settings" {
                " WHERE key <> 'time_zone'"
            } else {
                ""
            };
            let rows = on_store!(self, db => db.fetch_int(
                &format!("SELECT count(*) FROM {table}{noted}"),
                &[],
            ))?;
            if rows > 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// A table's rows, sorted by key (bytewise, so both backends agree whatever
/// their collation).
fn read_table(db: &impl Sql, table: &str, columns: &[&str]) -> Result<Vec<Vec<Value>>, StoreError> {
    let sql = format!("SELECT {} FROM {table}", columns.join(", "));
    let mut rows = db.fetch(&sql, &[], |row| {
        (0..columns.len())
            .map(|i| row.value(i))
            .collect::<Result<Vec<_>, _>>()
    })?;
    // By the key, then the other columns: a table keyed by two columns
    // (a user's roles) orders the same on both sides.
    rows.sort();
    Ok(rows)
}

fn sum(table: &str, rows: &[Vec<Value>]) -> TableSum {
    let mut hash = Sha256::new();
    for row in rows {
        for value in row {
            match value {
                Value::Null => hash.update([0]),
                Value::Int(n) => {
                    hash.update([1]);
                    hash.update(n.to_le_bytes());
                }
                Value::Text(text) => {
                    hash.update([2]);
                    hash.update((text.len() as u64).to_le_bytes());
                    hash.update(text.as_bytes());
                }
                Value::Blob(bytes) => {
                    hash.update([3]);
                    hash.update((bytes.len() as u64).to_le_bytes());
                    hash.update(bytes);
                }
            }
        }
        hash.update([0xff]);
    }
    TableSum {
        table: table.to_owned(),
        rows: rows.len(),
        sha256: hash.finalize().iter().fold(String::new(), |mut hex, b| {
            use std::fmt::Write as _;
            let _ = write!(hex, "{b:02x}");
            hex
        }),
    }
}

/// Copies every table of `source` into `target`, which must be empty, in
/// one transaction of the target; then sums both sides. Nothing is written
/// to the target when it holds anything or when any row fails.
pub fn copy_register(source: &Store, target: &mut Store) -> Result<CopyReport, StoreError> {
    if !target.is_empty()? {
        return Err(StoreError::Unsupported(format!(
            "{} is not empty; copy into a new file or an empty database. Nothing was changed.",
            target.location()
        )));
    }
    if source.version()? != target.version()? {
        return Err(StoreError::Unsupported(
            "The two registers have different schema versions; open both with this program first."
                .into(),
        ));
    }
    let mut tables = Vec::with_capacity(TABLES.len());
    for (table, columns) in TABLES {
        tables.push(on_store!(source, db => read_table(db, table, columns))?);
    }
    let is_postgres = matches!(target.backend, Backend::Postgres(_));
    target.write(|tx| {
        // The copy brings the source's own time zone (if it noted one).
        on_tx!(tx, db => db.exec("DELETE FROM settings WHERE key = 'time_zone'", &[]))?;
        for ((table, columns), rows) in TABLES.iter().zip(&tables) {
            for chunk in rows.chunks(ROWS_PER_INSERT) {
                let sql = insert_sql(table, columns, chunk.len());
                let params: Vec<Param<'_>> = chunk.iter().flatten().map(Value::as_param).collect();
                on_tx!(tx, db => db.exec(&sql, &params))?;
            }
        }
        if is_postgres {
            for (table, key) in NUMBERED {
                on_tx!(tx, db => db.fetch_int(
                    &format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', '{key}'),
                            coalesce((SELECT max({key}) FROM {table}), 0) + 1, false)"
                    ),
                    &[],
                ))?;
            }
        }
        Ok::<_, StoreError>(())
    })?;
    if is_postgres {
        // The planner's statistics of the filled tables, now rather than at
        // autovacuum's next look: the policies' lookups (who is working)
        // and the first opens are planned on them.
        on_store!(target, db => db.exec_batch("ANALYZE"))?;
    }
    let source_sums = tables
        .iter()
        .zip(TABLES)
        .map(|(rows, (table, _))| sum(table, rows))
        .collect();
    drop(tables);
    Ok(CopyReport {
        source: source_sums,
        target: target.table_sums()?,
    })
}

/// `INSERT INTO table (columns) VALUES (?1, …), (…)` for `rows` rows.
fn insert_sql(table: &str, columns: &[&str], rows: usize) -> String {
    let width = columns.len();
    let values: Vec<String> = (0..rows)
        .map(|row| {
            let params: Vec<String> = (1..=width)
                .map(|c| format!("?{}", row * width + c))
                .collect();
            format!("({})", params.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO {table} ({}) VALUES {}",
        columns.join(", "),
        values.join(", ")
    )
}
