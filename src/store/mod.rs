//! The only code that speaks SQL: opening the register file (refusing what is
//! not ours), migrations, typed queries and write transactions that carry
//! their audit row.

mod error;
mod migrations;
mod outbox;
mod rows;
mod settings;
mod tokens;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension as _, Transaction, TransactionBehavior};

pub use error::StoreError;
pub use migrations::{APPLICATION_ID, latest_version};
pub use outbox::WorkerRow;
pub use tokens::LinkToken;

use crate::domain::{
    AuditEntry, Connection as VismaConnection, Email, User, UserId, UserKey, UserRecord,
};

/// How long a statement waits for another writer before giving up. The
/// longest transaction the program runs is an import's commit (about a second
/// for 100,000 rows here, several on a slow laptop); a background writer (the
/// outbox worker, the endpoint, a CLI command) waits that out. The window's
/// own connection waits less (`set_busy_timeout`), so a frame never hangs.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// An open register file.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (or creates) the register at `path` and brings its schema up to
    /// date. A file that is not a register, is damaged, locked or newer than
    /// this program is refused and left untouched.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        check_regular_file(path)?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
                path: path.to_owned(),
                source,
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags)?;
        Self::prepare(conn, path.to_owned())
    }

    /// A register that lives in memory only, for tests and benchmarks.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::prepare(Connection::open_in_memory()?, PathBuf::from(":memory:"))
    }

    fn prepare(mut conn: Connection, path: PathBuf) -> Result<Self, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        check_ownership(&conn, &path)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        if path.as_os_str() != ":memory:" {
            let mode: String =
                conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                tracing::warn!(mode, "the register could not switch to WAL");
            }
            conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        migrate(&mut conn, &path, latest_version())?;
        Ok(Self { conn, path })
    }

    /// Lets this connection keep up to `mib` MiB of the file's pages in memory
    /// (SQLite's default is 2 MiB). A big transaction then writes each page
    /// once at commit instead of spilling pages half way.
    pub fn set_page_cache_mib(&self, mib: u32) -> Result<(), StoreError> {
        self.conn
            .pragma_update(None, "cache_size", -i64::from(mib) * 1024)?;
        Ok(())
    }

    /// How long this connection waits for another writer before it reports
    /// the register as locked.
    pub fn set_busy_timeout(&self, timeout: Duration) -> Result<(), StoreError> {
        self.conn.busy_timeout(timeout)?;
        Ok(())
    }

    /// The file this register lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the file.
    pub fn version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Every user with their connection, in no particular order.
    pub fn load_users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let mut statement = self.conn.prepare(rows::SELECT_USERS)?;
        let records = statement
            .query_map([], rows::record_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(records)
    }

    /// How many users the register holds.
    pub fn count_users(&self) -> Result<usize, StoreError> {
        let count: i64 = self
            .conn
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// One user by key.
    pub fn user(&self, key: UserKey) -> Result<Option<UserRecord>, StoreError> {
        rows::user_by_key(&self.conn, key)
    }

    /// One user by User-ID.
    pub fn user_by_user_id(&self, user_id: &UserId) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!("{} WHERE u.user_id = ?1", rows::SELECT_USERS);
        Ok(self
            .conn
            .query_row(&sql, [user_id.as_str()], rows::record_from_row)
            .optional()?)
    }

    /// Copies the whole register to `path` with SQLite's online backup API.
    pub fn backup_to(&self, path: &Path) -> Result<(), StoreError> {
        self.conn
            .backup(
                rusqlite::MAIN_DB,
                path,
                None::<fn(rusqlite::backup::Progress)>,
            )
            .map_err(StoreError::from)
    }

    /// A number that changes whenever another connection commits a change
    /// (SQLite's `data_version`): cheap to ask every frame.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "data_version", |r| r.get(0))?)
    }

    /// Users changed after the change stamp `since_ms` (by this or another
    /// connection); stamps only grow, see [`Self::last_change_ms`].
    pub fn users_changed_since(&self, since_ms: i64) -> Result<Vec<UserRecord>, StoreError> {
        let sql = format!("{} WHERE u.updated_at_ms > ?1", rows::SELECT_USERS);
        let mut statement = self.conn.prepare_cached(&sql)?;
        let records = statement
            .query_map([since_ms], rows::record_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(records)
    }

    /// The newest change time of any user, in milliseconds.
    pub fn last_change_ms(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT coalesce(max(updated_at_ms), 0) FROM users",
            [],
            |r| r.get(0),
        )?)
    }

    /// The audit rows of one user, newest first.
    pub fn audit_for(&self, key: UserKey) -> Result<Vec<AuditEntry>, StoreError> {
        rows::audit_for(&self.conn, key)
    }

    /// Every audit row, oldest first.
    pub fn audit_all(&self) -> Result<Vec<AuditEntry>, StoreError> {
        rows::audit_all(&self.conn)
    }

    /// A stored setting, if set.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Runs `change` in one immediate transaction: committed when it returns
    /// `Ok`, rolled back (audit rows included) when it returns `Err`.
    pub fn write<T, E: From<StoreError>>(
        &mut self,
        change: impl FnOnce(&WriteTx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let write = WriteTx { tx };
        let value = change(&write)?;
        write.tx.commit().map_err(StoreError::from)?;
        Ok(value)
    }
}

/// A write transaction: typed changes that commit together.
pub struct WriteTx<'a> {
    tx: Transaction<'a>,
}

impl WriteTx<'_> {
    /// One user by key, as this transaction sees it.
    pub fn user(&self, key: UserKey) -> Result<Option<UserRecord>, StoreError> {
        rows::user_by_key(&self.tx, key)
    }

    /// Every user, as this transaction sees them.
    pub fn load_users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let mut statement = self.tx.prepare(rows::SELECT_USERS)?;
        let records = statement
            .query_map([], rows::record_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(records)
    }

    /// The user that holds this User-ID, if any.
    pub fn user_id_owner(&self, user_id: &UserId) -> Result<Option<UserKey>, StoreError> {
        Ok(self
            .tx
            .query_row(
                "SELECT key FROM users WHERE user_id = ?1",
                [user_id.as_str()],
                |r| r.get(0).map(UserKey),
            )
            .optional()?)
    }

    /// The user whose Visma Connect address this is, if any, with their User-ID.
    pub fn email_owner(&self, email: &Email) -> Result<Option<(UserKey, String)>, StoreError> {
        Ok(self
            .tx
            .query_row(
                "SELECT c.user_key, u.user_id FROM connections c JOIN users u ON u.key = c.user_key
                 WHERE c.email_key = ?1",
                [email.key()],
                |r| Ok((UserKey(r.get(0)?), r.get(1)?)),
            )
            .optional()?)
    }

    /// Adds a user; the User-ID must be free.
    pub fn insert_user(&self, user: &User, now_ms: i64) -> Result<UserKey, StoreError> {
        let mut statement = self.tx.prepare_cached(rows::INSERT_USER)?;
        statement
            .execute(rows::user_params(user, now_ms, now_ms))
            .map_err(|e| conflict_or(e, user))?;
        Ok(UserKey(self.tx.last_insert_rowid()))
    }

    /// Replaces a user's fields.
    pub fn update_user(&self, key: UserKey, user: &User, now_ms: i64) -> Result<(), StoreError> {
        let mut statement = self.tx.prepare_cached(rows::UPDATE_USER)?;
        statement
            .execute(rows::user_params(user, now_ms, key.0))
            .map_err(|e| conflict_or(e, user))?;
        Ok(())
    }

    /// Deletes a user and their connection.
    pub fn delete_user(&self, key: UserKey) -> Result<(), StoreError> {
        self.tx
            .execute("DELETE FROM users WHERE key = ?1", [key.0])?;
        Ok(())
    }

    /// Sets a user's Visma Connect connection; `None` removes it.
    pub fn set_connection(
        &self,
        key: UserKey,
        connection: &VismaConnection,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("DELETE FROM connections WHERE user_key = ?1")?
            .execute([key.0])?;
        // Mark the user changed, so open windows pick the new state up.
        self.tx
            .prepare_cached(
                "UPDATE users SET updated_at_ms =
                max(?2, coalesce((SELECT max(updated_at_ms) FROM users), 0) + 1) WHERE key = ?1",
            )?
            .execute([key.0, now_ms])?;
        rows::insert_connection(&self.tx, key, connection, now_ms).map_err(|e| {
            match (StoreError::from(e), connection.email()) {
                (StoreError::Sqlite(e), Some(email))
                    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) =>
                {
                    StoreError::Conflict(format!(
                        "The Visma Connect address {} belongs to another user.",
                        email.masked()
                    ))
                }
                (other, _) => other,
            }
        })
    }

    /// Stores a setting; `None` removes it.
    pub fn set_setting(&self, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        match value {
            Some(value) => self.tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )?,
            None => self
                .tx
                .execute("DELETE FROM settings WHERE key = ?1", [key])?,
        };
        Ok(())
    }

    /// Gives a user who has none a connection (a new user's pending address).
    pub fn add_connection(
        &self,
        key: UserKey,
        connection: &VismaConnection,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        rows::insert_connection(&self.tx, key, connection, now_ms).map_err(StoreError::from)
    }

    /// Appends an audit row.
    pub fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        rows::insert_audit(&self.tx, entry)
    }

    /// Adds many users in this transaction with one prepared statement each
    /// for users and connections; returns their keys.
    pub fn insert_many(
        &self,
        users: &[(User, VismaConnection)],
        now_ms: i64,
    ) -> Result<Vec<UserKey>, StoreError> {
        let mut keys = Vec::with_capacity(users.len());
        let mut insert = self.tx.prepare_cached(rows::INSERT_USER)?;
        for (user, connection) in users {
            insert
                .execute(rows::user_params(user, now_ms, now_ms))
                .map_err(|e| conflict_or(e, user))?;
            let key = UserKey(self.tx.last_insert_rowid());
            rows::insert_connection(&self.tx, key, connection, now_ms)?;
            keys.push(key);
        }
        Ok(keys)
    }
}

/// A unique-constraint failure on insert or update means the User-ID is taken.
fn conflict_or(error: rusqlite::Error, user: &User) -> StoreError {
    if error.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
        StoreError::Conflict(format!("User-ID {} is already in use.", user.user_id))
    } else {
        error.into()
    }
}

/// Refuses a path that is not a regular file (a FIFO would hang, a device
/// would be read for ever) before SQLite opens it.
///
/// It only asks for the file's metadata: the file itself is never opened
/// outside SQLite. On POSIX, closing any descriptor of a file drops every lock
/// the process holds on it, also those of SQLite's own connections; another
/// process could then checkpoint and delete the WAL under a live writer.
fn check_regular_file(path: &Path) -> Result<(), StoreError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => Ok(()),
        Ok(_) => Err(StoreError::NotADatabase {
            path: path.to_owned(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(StoreError::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Refuses an SQLite file that belongs to another program or a newer version.
fn check_ownership(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    // The first read of the header: SQLite says "not a database" for a file
    // that does not start with its header (it writes nothing to find out).
    let application_id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotADatabase {
                path: path.to_owned(),
            },
            _ => e.into(),
        })?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    let ours =
        application_id == APPLICATION_ID || (application_id == 0 && version == 0 && tables == 0);
    if !ours {
        return Err(StoreError::ForeignDatabase {
            path: path.to_owned(),
        });
    }
    if version > latest_version() {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found: version,
            supported: latest_version(),
        });
    }
    Ok(())
}

/// Applies the migrations after the file's version, up to `target`, in one
/// transaction.
fn migrate(conn: &mut Connection, path: &Path, target: i64) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > latest_version() {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found: version,
            supported: latest_version(),
        });
    }
    if version >= target {
        return Ok(());
    }
    for (number, sql) in (1..).zip(migrations::MIGRATIONS) {
        if number > version && number <= target {
            tx.execute_batch(sql)?;
            tracing::info!(version = number, "register migrated");
        }
    }
    tx.pragma_update(None, "user_version", target)?;
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests;
