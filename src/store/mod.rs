//! The only code that speaks SQL: opening the register (an SQLite file,
//! refusing what is not ours, or a shared register on PostgreSQL),
//! migrations, typed queries and write transactions that carry their audit
//! row. Both backends offer the same API and the same rules.

mod account_codes;
mod batch;
pub(crate) mod db;
mod details;
mod error;
mod idp;
mod migrations;
mod outbox;
mod pg;
mod pg_tx;
mod reads;
mod roles;
mod rows;
pub use rows::date_number;
mod settings;
mod tokens;
pub mod transfer;

use std::cell::RefCell;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use crate::domain::location::{Location, SharedRegister};
pub use details::DetailsRead;
pub use error::StoreError;
pub use idp::{IdpClaim, IdpOutcome, IdpRecord, IdpSyncRecord};
pub use migrations::{APPLICATION_ID, latest_version};
pub use outbox::{AnswerRecord, BatchCounts, Delivery, NewMessage, WorkerRow};
pub use pg::remember_password as remember_shared_password;
pub use reads::{Reader, Reads};
pub use tokens::NewToken;
pub use tokens::{LinkToken, TokenPurpose};

use crate::domain::Settings;
use crate::domain::settings::SettingsRow;
use crate::domain::{
    AuditEntry, Connection as VismaConnection, Email, User, UserId, UserKey, UserRecord,
};
use db::{Sql as _, StatementCache, params};

/// How long a statement waits for another writer before giving up. The
/// longest transaction the program runs is an import's commit (about a second
/// for 100,000 rows here, several on a slow laptop); a background writer (the
/// outbox worker, the endpoint, a CLI command) waits that out. The window's
/// own connection waits less (`set_busy_timeout`), so a frame never hangs.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// An open register: an SQLite file or a shared register on PostgreSQL.
pub struct Store {
    backend: Backend,
    location: Location,
}

/// The connection, by backend.
enum Backend {
    Sqlite(Connection),
    Postgres(Box<pg::PgConn>),
}

/// Runs `$body` with `$db` bound to the store's SQL runner, whatever the
/// backend: the body is written once and compiled for each.
macro_rules! on_store {
    ($store:expr, $db:ident => $body:expr) => {
        match &$store.backend {
            $crate::store::Backend::Sqlite(conn) => {
                let $db = conn;
                $body
            }
            $crate::store::Backend::Postgres(pg) => {
                let $db = &pg.sql();
                $body
            }
        }
    };
}
pub(crate) use on_store;

/// Like [`on_store`], for a write transaction.
macro_rules! on_tx {
    ($tx:expr, $db:ident => $body:expr) => {
        match &$tx.inner {
            $crate::store::TxInner::Sqlite(tx) => {
                let $db: &rusqlite::Connection = tx;
                $body
            }
            $crate::store::TxInner::Postgres {
                tx,
                cache,
                batch,
                held,
            } => {
                let $db = &$crate::store::db::PgSql::new(tx, cache);
                // What the transaction holds goes first.
                $crate::store::send_held($db, held, batch)?;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

impl Store {
    /// Opens (or creates) the register at `location` and brings its schema up
    /// to date. A file that is not a register, is damaged, locked or newer
    /// than this program is refused and left untouched; so is a PostgreSQL
    /// database that holds other tables.
    pub fn open(location: impl Into<Location>) -> Result<Self, StoreError> {
        let location = location.into();
        match &location {
            Location::File(path) => Self::open_file(path),
            Location::Shared(shared) => Ok(Self {
                backend: Backend::Postgres(Box::new(pg::open(shared)?)),
                location,
            }),
        }
    }

    fn open_file(path: &Path) -> Result<Self, StoreError> {
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
        Self::prepare(conn, path)
    }

    /// A register that lives in memory only, for tests and benchmarks.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::prepare(Connection::open_in_memory()?, Path::new(":memory:"))
    }

    fn prepare(mut conn: Connection, path: &Path) -> Result<Self, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        check_ownership(&conn, path)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Statement journals (each statement of a transaction keeps the
        // pages it may have to undo, as foreign keys can abort it) stay in
        // memory instead of spilling to a temporary file: an import of
        // 100,000 users spent a quarter of its time writing them there.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        if path.as_os_str() != ":memory:" {
            let mode: String =
                conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                tracing::warn!(mode, "the register could not switch to WAL");
            }
            conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        migrate(&mut conn, path, latest_version())?;
        Ok(Self {
            backend: Backend::Sqlite(conn),
            location: Location::File(path.to_owned()),
        })
    }

    /// Lets this connection keep up to `mib` MiB of the file's pages in memory
    /// (SQLite's default is 2 MiB). A big transaction then writes each page
    /// once at commit instead of spilling pages half way. The server manages
    /// its own memory for a shared register.
    pub fn set_page_cache_mib(&self, mib: u32) -> Result<(), StoreError> {
        if let Backend::Sqlite(conn) = &self.backend {
            conn.pragma_update(None, "cache_size", -i64::from(mib) * 1024)?;
        }
        Ok(())
    }

    /// How long this connection waits for another writer before it reports
    /// the register as locked.
    pub fn set_busy_timeout(&self, timeout: Duration) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => conn.busy_timeout(timeout)?,
            Backend::Postgres(pg) => pg.client.borrow_mut().batch_execute(&format!(
                "SET lock_timeout = {}",
                timeout.as_millis().max(1)
            ))?,
        }
        Ok(())
    }

    /// Where this register lives.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// True once a shared register's connection is lost (the server went
    /// away or the link broke): it answers nothing more, and a new one is
    /// to be opened. A register file's connection never is.
    pub fn is_closed(&self) -> bool {
        match &self.backend {
            Backend::Sqlite(_) => false,
            Backend::Postgres(pg) => pg.client.borrow().is_closed(),
        }
    }

    /// The file this register lives in; `None` for a shared register.
    pub fn file(&self) -> Option<&Path> {
        self.location.file()
    }

    /// Grants the group roles `hrm_admins` and `hrm_serve` what they may
    /// touch (`migrations::GRANTS`), for roles made after the register was
    /// migrated: the owner's `db grant`. Nothing on a register file.
    pub fn grant_group_roles(&mut self) -> Result<(), StoreError> {
        if matches!(self.backend, Backend::Sqlite(_)) {
            return Err(StoreError::Unsupported(
                "A register file has no database logins: whoever may write the file may change anything in it.".into(),
            ));
        }
        self.write(|tx| on_tx!(tx, db => db.exec_batch(migrations::GRANTS)))
    }

    /// The database server's clock (milliseconds since 1970), or `None` for
    /// a register file, which has no server: the clock leases are judged
    /// by when several hosts share a register.
    pub fn server_clock_ms(&self) -> Result<Option<i64>, StoreError> {
        match &self.backend {
            Backend::Sqlite(_) => Ok(None),
            Backend::Postgres(_) => on_store!(self, db => db.fetch_int(
                "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint",
                &[],
            ))
            .map(Some),
        }
    }

    /// The database login this program works as on a shared register (the
    /// session user: the operator is the HRM user whose login field it is,
    /// and the audit log names it); `None` for a file.
    pub fn database_role(&self) -> Option<&str> {
        match &self.backend {
            Backend::Sqlite(_) => None,
            Backend::Postgres(pg) => Some(&pg.role),
        }
    }

    /// True when this program works as the register's owner: on a shared
    /// register, a database role that owns its tables (or a member of that
    /// role, or a superuser); for a file, the operating-system account that
    /// owns the file (on Windows, whoever may write it: the file's
    /// permissions are the boundary there).
    pub fn is_register_owner(&self) -> Result<bool, StoreError> {
        match (&self.backend, &self.location) {
            (Backend::Postgres(_), _) => Ok(on_store!(self, db => db.fetch_int(
                "SELECT CASE WHEN pg_has_role(current_user,
                     (SELECT relowner FROM pg_class WHERE oid = 'users'::regclass), 'USAGE')
                 THEN 1 ELSE 0 END",
                &[],
            ))? == 1),
            (Backend::Sqlite(_), Location::File(path)) => Ok(owns_file(path)),
            (Backend::Sqlite(_), Location::Shared(_)) => Ok(false),
        }
    }

    /// The schema version of the register.
    pub fn version(&self) -> Result<i64, StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => {
                Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
            }
            Backend::Postgres(pg) => pg::version(pg),
        }
    }

    /// Connects anew when the connection to a shared register was lost (the
    /// server restarted, the network dropped); nothing for a file.
    pub fn reconnect_if_lost(&mut self) -> Result<(), StoreError> {
        if let (Backend::Postgres(pg), Location::Shared(shared)) = (&self.backend, &self.location)
            && pg.client.borrow().is_closed()
        {
            tracing::info!("reconnecting to the shared register");
            self.backend = Backend::Postgres(Box::new(pg::open(shared)?));
        }
        Ok(())
    }

    /// True when the register answers (a cheap query).
    pub fn is_reachable(&self) -> bool {
        on_store!(self, db => db.fetch_int("SELECT 1", &[])).is_ok()
    }

    /// The users whose keys lie in `from..=to` (a part of the register
    /// loaded on a connection of its own).
    pub fn load_users_in_key_range(
        &self,
        from: i64,
        to: i64,
    ) -> Result<Vec<UserRecord>, StoreError> {
        on_store!(self, db => rows::load_users_in_key_range(db, from, to))
    }

    /// How many user rows the register holds (readable or not), and the
    /// lowest and highest key (`None` when it holds none), in one statement.
    pub fn users_at_a_glance(&self) -> Result<(usize, Option<(i64, i64)>), StoreError> {
        let glance = on_store!(self, db => db.fetch_opt(
            "SELECT count(*), min(key), max(key) FROM users",
            &[],
            |r| Ok((r.int(0)?, r.opt_int(1)?.zip(r.opt_int(2)?))),
        ))?;
        let (count, bounds) = glance.unwrap_or((0, None));
        Ok((usize::try_from(count).unwrap_or(0), bounds))
    }

    /// How many users the register holds.
    pub fn count_users(&self) -> Result<usize, StoreError> {
        let count = on_store!(self, db => db.fetch_int("SELECT count(*) FROM users", &[]))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// How many users with a connection have an *Employment ends* on or
    /// before `last_day` (`20270131`): a cheap look before any write.
    pub fn count_connected_leavers(&self, last_day: i64) -> Result<usize, StoreError> {
        let count = on_store!(self, db => db.fetch_int(
            "SELECT count(*) FROM users u JOIN connections c ON c.user_key = u.key
             WHERE u.employment_ends <= ?1",
            params![last_day],
        ))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// One user by User-ID.
    pub fn user_by_user_id(&self, user_id: &UserId) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!("{} WHERE u.user_id = ?1", rows::SELECT_USERS);
        on_store!(self, db => db.fetch_opt(&sql, params![user_id.as_str()], rows::record_from_row))
    }

    /// The first user (by key) whose `field` is `login`, without regard to
    /// case (for the Email, its part before the @): the person at the
    /// window, by their login name.
    pub fn user_by_login(
        &self,
        field: crate::domain::settings::OperatorField,
        login: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        let sql = user_by_login_sql(field);
        on_store!(self, db => db.fetch_opt(&sql, params![login.trim()], rows::record_from_row))
    }

    /// Copies the whole register file to `path` with SQLite's online backup
    /// API. A shared register is backed up by its server's own backups.
    pub fn backup_to(&self, path: &Path) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => conn
                .backup(
                    rusqlite::MAIN_DB,
                    path,
                    None::<fn(rusqlite::backup::Progress)>,
                )
                .map_err(StoreError::from),
            Backend::Postgres(_) => Err(StoreError::Unsupported(
                "A shared register is backed up by its PostgreSQL server's own backups; the program makes no file copy of it.".into(),
            )),
        }
    }

    /// A number that changes whenever another connection commits a change
    /// to the users: SQLite's `data_version`, or on PostgreSQL a count of the
    /// change notifications received (the first call starts listening).
    /// Cheap to ask every frame: neither asks the server.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => {
                Ok(conn.pragma_query_value(None, "data_version", |r| r.get(0))?)
            }
            Backend::Postgres(pg) => pg.changes(),
        }
    }

    /// Users changed after the change stamp `since_ms` (by this or another
    /// connection); stamps only grow, see [`Self::last_change_ms`].
    pub fn users_changed_since(&self, since_ms: i64) -> Result<Vec<UserRecord>, StoreError> {
        let sql = format!("{} WHERE u.updated_at_ms > ?1", rows::SELECT_USERS);
        on_store!(self, db => db.fetch(&sql, params![since_ms], rows::record_from_row))
    }

    /// The newest change time of any user, in milliseconds.
    pub fn last_change_ms(&self) -> Result<i64, StoreError> {
        on_store!(self, db => db.fetch_int("SELECT coalesce(max(updated_at_ms), 0) FROM users", &[]))
    }

    /// The audit rows of one user, newest first.
    pub fn audit_for(&self, key: UserKey) -> Result<Vec<AuditEntry>, StoreError> {
        on_store!(self, db => rows::audit_for(db, key))
    }

    /// Every audit row, oldest first.
    pub fn audit_all(&self) -> Result<Vec<AuditEntry>, StoreError> {
        on_store!(self, db => rows::audit_all(db))
    }

    /// A stored setting, if set.
    pub fn setting(&self, row: impl Into<SettingsRow>) -> Result<Option<String>, StoreError> {
        on_store!(self, db => db.fetch_opt(
            "SELECT value FROM settings WHERE key = ?1",
            params![row.into().name()],
            |r| r.text(0),
        ))
    }

    /// Runs `change` in one write transaction: committed when it returns
    /// `Ok`, rolled back (audit rows included) when it returns `Err`. Writers
    /// follow each other on both backends (SQLite's immediate transaction, a
    /// PostgreSQL advisory lock), so change stamps grow in commit order.
    pub fn write<T, E: From<StoreError>>(
        &mut self,
        change: impl FnOnce(&WriteTx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.write_with(true, change)
    }

    /// Like [`Self::write`], for the outbox worker's changes, which stamp no
    /// user (claims, hand-over marks, answers, leases, links, audit rows): on
    /// PostgreSQL they skip the register's write lock and rely on row locks
    /// (claims skip rows another worker holds), so several workers and the
    /// people at the windows do not wait for each other. On SQLite the same
    /// as `write`.
    pub fn write_outbox<T, E: From<StoreError>>(
        &mut self,
        change: impl FnOnce(&WriteTx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.write_with(false, change)
    }

    fn write_with<T, E: From<StoreError>>(
        &mut self,
        register_lock: bool,
        change: impl FnOnce(&WriteTx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        match &mut self.backend {
            Backend::Sqlite(conn) => {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(StoreError::from)?;
                let write = WriteTx {
                    inner: TxInner::Sqlite(tx),
                    last_stamp: std::cell::Cell::new(None),
                };
                let value = change(&write)?;
                let TxInner::Sqlite(tx) = write.inner else {
                    unreachable!("made as SQLite above")
                };
                tx.commit().map_err(StoreError::from)?;
                Ok(value)
            }
            Backend::Postgres(pg) => {
                let write = WriteTx {
                    inner: TxInner::Postgres {
                        tx: &pg.client,
                        cache: &pg.cache,
                        batch: RefCell::default(),
                        held: pg_tx::Held::begin(&pg.client, &pg.cache, register_lock),
                    },
                    last_stamp: std::cell::Cell::new(None),
                };
                let value = change(&write)?;
                let TxInner::Postgres {
                    tx,
                    cache,
                    batch,
                    held,
                } = &write.inner
                else {
                    unreachable!("made as PostgreSQL above")
                };
                let db = db::PgSql::new(tx, cache);
                // Held rows go with the commit when they are few, else first.
                rows_first(&db, held, batch)?;
                held.commit(&db)?;
                Ok(value)
            }
        }
    }
}

/// Sends what a PostgreSQL transaction holds (its start, held changes,
/// held rows) before a statement that needs an answer: one round trip for
/// all of it when the rows are few.
pub(crate) fn send_held(
    db: &db::PgSql<'_, postgres::Client>,
    held: &pg_tx::Held<'_>,
    batch: &RefCell<batch::InsertBatch>,
) -> Result<(), StoreError> {
    hold_written(db, held, batch);
    held.send(db)?;
    batch::flush(db, batch).map_err(|e| held.map_error(e))
}

/// Held rows go with the held statements when they are few; else what is
/// held is sent now, rows last (so later statements come after them).
fn rows_first(
    db: &db::PgSql<'_, postgres::Client>,
    held: &pg_tx::Held<'_>,
    batch: &RefCell<batch::InsertBatch>,
) -> Result<(), StoreError> {
    hold_written(db, held, batch);
    if batch.borrow().is_empty() {
        Ok(())
    } else {
        send_held(db, held, batch)
    }
}

/// Moves the held rows, when few, into the held statements (in order:
/// every held statement was held before them).
fn hold_written(
    db: &db::PgSql<'_, postgres::Client>,
    held: &pg_tx::Held<'_>,
    batch: &RefCell<batch::InsertBatch>,
) {
    if let Some(executions) = batch.borrow_mut().take_written(db) {
        held.hold_written(executions);
    }
}

/// A write transaction: typed changes that commit together.
pub struct WriteTx<'a> {
    inner: TxInner<'a>,
    /// On SQLite, the change stamp given to the last user this transaction
    /// inserted (see [`WriteTx::insert_user`]).
    last_stamp: std::cell::Cell<Option<i64>>,
}

/// The transaction, by backend.
// One per transaction, on the stack while it runs: its size is no cost.
#[allow(clippy::large_enum_variant)]
enum TxInner<'a> {
    Sqlite(rusqlite::Transaction<'a>),
    Postgres {
        /// The connection, in the transaction `held` began.
        tx: &'a RefCell<postgres::Client>,
        cache: &'a RefCell<StatementCache>,
        batch: RefCell<batch::InsertBatch>,
        held: pg_tx::Held<'a>,
    },
}

impl WriteTx<'_> {
    /// True on a shared register.
    fn is_postgres(&self) -> bool {
        matches!(self.inner, TxInner::Postgres { .. })
    }

    /// On a shared register: the connection, what the transaction holds,
    /// and its held rows; `None` on SQLite.
    fn postgres_parts(
        &self,
    ) -> Option<(
        db::PgSql<'_, postgres::Client>,
        &pg_tx::Held<'_>,
        &RefCell<batch::InsertBatch>,
    )> {
        match &self.inner {
            TxInner::Sqlite(_) => None,
            TxInner::Postgres {
                tx,
                cache,
                batch,
                held,
            } => Some((db::PgSql::new(tx, cache), held, batch)),
        }
    }

    /// On a shared register, runs `f` on the transaction (after what it
    /// holds to insert), for statements with array parameters; `None` on
    /// SQLite, where a loop of single statements costs no round trips.
    fn on_postgres<T>(
        &self,
        f: impl FnOnce(&db::PgSql<'_, postgres::Client>) -> Result<T, StoreError>,
    ) -> Option<Result<T, StoreError>> {
        let (db, held, batch) = self.postgres_parts()?;
        Some(send_held(&db, held, batch).and_then(|()| f(&db)))
    }

    /// On a shared register, runs `queries` in one round trip after what
    /// the transaction holds (its start and lock, held changes): each
    /// query's rows as texts (read them with `db::TextRow`). `None` on
    /// SQLite, whose reads cost no round trips.
    pub(crate) fn fetch_with_held(
        &self,
        queries: &[(&str, &[db::Param<'_>])],
    ) -> Option<Result<db::TextResults, StoreError>> {
        let (db, held, batch) = self.postgres_parts()?;
        let run = || {
            rows_first(&db, held, batch)?;
            let mut executions = Vec::with_capacity(queries.len());
            for (sql, params) in queries {
                // Only integers and texts without NUL are asked here.
                let Some(execution) = db.execute_text(sql, params) else {
                    db.forget_unsent(&executions);
                    return Err(StoreError::bad_value(
                        0,
                        "a value that cannot be written into a query",
                    ));
                };
                executions.push(execution);
            }
            // The held statements, then these queries' PREPAREs (when new on
            // this connection), then the queries, whose rows are read.
            let mut outgoing = held.take();
            let mut reads = Vec::with_capacity(executions.len());
            for execution in executions {
                if let Some(prepare) = execution.prepare {
                    outgoing.statements.push(prepare);
                    outgoing.carried.push(execution.sql);
                }
                reads.push((execution.execute, Vec::new()));
            }
            let result = db.fetch_texts_after(outgoing.statements.clone(), &reads);
            held.settle(&db, &outgoing, result)
        };
        Some(run())
    }

    /// On a shared register, holds a change whose answer nobody reads, to
    /// go with the next round trip (the commit, at the latest); `conflict`
    /// says what a constraint refusal of it means. `false` on SQLite (run
    /// it there: no round trips), and when it had to go at once.
    pub(crate) fn hold(
        &self,
        sql: &str,
        params: &[db::Param<'_>],
        conflict: impl FnOnce() -> Option<String>,
    ) -> Result<bool, StoreError> {
        let Some((db, held, batch)) = self.postgres_parts() else {
            return Ok(false);
        };
        // Held rows were held first: they go first.
        rows_first(&db, held, batch)?;
        Ok(held.hold(&db, sql, params, conflict()))
    }

    /// One user by key and the settings, as this transaction sees them. On
    /// a shared register in one round trip with what the transaction holds
    /// (its start and lock: a Save's reads cost no round trip of their
    /// own); on a register file the settings are `None` (read them when
    /// needed, which costs no round trip there).
    pub fn user_and_settings(
        &self,
        key: UserKey,
    ) -> Result<(Option<UserRecord>, Option<Settings>), StoreError> {
        let user_sql = format!("{} WHERE u.key = ?1", rows::SELECT_USERS);
        let Some(results) = self.fetch_with_held(&[
            (&user_sql, params![key.0]),
            (settings::SELECT_SETTINGS, &[]),
        ]) else {
            return Ok((self.user(key)?, None));
        };
        let results = results?;
        let user = db::text_rows(&results, 0)
            .map(|row| rows::record_from_row(&row))
            .next()
            .transpose()?;
        let settings = settings::from_text_rows(db::text_rows(&results, 1))?;
        Ok((user, Some(settings)))
    }

    /// The newest audit row of one user, as this transaction sees it.
    pub fn last_audit_for(&self, key: UserKey) -> Result<Option<AuditEntry>, StoreError> {
        Ok(on_tx!(self, db => rows::audit_for(db, key))?
            .into_iter()
            .next())
    }

    /// The user that holds this User-ID, if any.
    pub fn user_id_owner(&self, user_id: &UserId) -> Result<Option<UserKey>, StoreError> {
        on_tx!(self, db => db.fetch_opt(
            "SELECT key FROM users WHERE user_id = ?1",
            params![user_id.as_str()],
            |r| r.int(0).map(UserKey),
        ))
    }

    /// Users with a connection (pending or connected) whose *Employment
    /// ends* is on or before `last_day` (a date as `20270131`).
    pub fn connected_leavers(&self, last_day: i64) -> Result<Vec<UserKey>, StoreError> {
        on_tx!(self, db => db.fetch(
            "SELECT u.key FROM users u JOIN connections c ON c.user_key = u.key
             WHERE u.employment_ends <= ?1 ORDER BY u.key",
            params![last_day],
            |r| r.int(0).map(UserKey),
        ))
    }

    /// The user whose Visma Connect address this is, if any, with their User-ID.
    pub fn email_owner(&self, email: &Email) -> Result<Option<(UserKey, String)>, StoreError> {
        on_tx!(self, db => db.fetch_opt(
            "SELECT c.user_key, u.user_id FROM connections c JOIN users u ON u.key = c.user_key
             WHERE c.email_key = ?1",
            params![email.key()],
            |r| Ok((UserKey(r.int(0)?), r.text(1)?)),
        ))
    }

    /// Adds a user; the User-ID must be free. On PostgreSQL the row is held
    /// and sent with the next statement or the commit (see `batch`).
    pub fn insert_user(&self, user: &User, now_ms: i64) -> Result<UserKey, StoreError> {
        if let TxInner::Postgres {
            tx, cache, batch, ..
        } = &self.inner
        {
            let db = db::PgSql::new(tx, cache);
            let key = batch.borrow_mut().next_user_key(&db)?;
            batch
                .borrow_mut()
                .user(key, &rows::user_params(user, now_ms, now_ms));
            return Ok(UserKey(key));
        }
        let TxInner::Sqlite(tx) = &self.inner else {
            unreachable!("PostgreSQL returned above")
        };
        // Every stamp of a transaction is above every stamp committed before
        // it (the write lock is held), and the transaction lands whole: so
        // the register's newest stamp is read once, and each user inserted
        // after it takes the next one (an import of 100,000 users read it
        // 100,000 times).
        let newest = if let Some(last) = self.last_stamp.get() {
            last
        } else {
            tx.prepare_cached("SELECT coalesce(max(updated_at_ms), 0) FROM users")?
                .query_row([], |row| row.get(0))?
        };
        let stamp = (newest + 1).max(now_ms);
        let db: &rusqlite::Connection = tx;
        db.exec(
            rows::INSERT_USER_AT,
            &rows::user_params(user, stamp, now_ms),
        )
        .map_err(|e| conflict_or(e, user))?;
        self.last_stamp.set(Some(stamp));
        Ok(UserKey(tx.last_insert_rowid()))
    }

    /// Replaces a user's fields.
    pub fn update_user(&self, key: UserKey, user: &User, now_ms: i64) -> Result<(), StoreError> {
        let params = rows::user_params(user, now_ms, key.0);
        if self.hold(rows::UPDATE_USER, &params, || Some(user_id_taken(user)))? {
            return Ok(());
        }
        on_tx!(self, db => db.exec(rows::UPDATE_USER, &rows::user_params(user, now_ms, key.0)))
            .map_err(|e| conflict_or(e, user))?;
        Ok(())
    }

    /// Deletes a user and their connection.
    pub fn delete_user(&self, key: UserKey) -> Result<(), StoreError> {
        on_tx!(self, db => db.exec("DELETE FROM users WHERE key = ?1", params![key.0]))?;
        Ok(())
    }

    /// Sets a user's Visma Connect connection; `None` removes it.
    pub fn set_connection(
        &self,
        key: UserKey,
        connection: &VismaConnection,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        on_tx!(self, db => db.exec("DELETE FROM connections WHERE user_key = ?1", params![key.0]))?;
        // Mark the user changed, so open windows pick the new state up.
        on_tx!(self, db => db.exec(
            "UPDATE users SET updated_at_ms =
                greatest(?2, coalesce((SELECT max(updated_at_ms) FROM users), 0) + 1) WHERE key = ?1",
            params![key.0, now_ms],
        ))?;
        on_tx!(self, db => rows::insert_connection(db, key, connection, now_ms)).map_err(|e| {
            match connection.email() {
                Some(email) if e.is_constraint_violation() => StoreError::Conflict(format!(
                    "The Visma Connect address {} belongs to another user.",
                    email.masked()
                )),
                _ => e,
            }
        })
    }

    /// Stores a setting; `None` removes it.
    pub fn set_setting(
        &self,
        row: impl Into<SettingsRow>,
        value: Option<&str>,
    ) -> Result<(), StoreError> {
        let key = row.into().name();
        match value {
            Some(value) => on_tx!(self, db => db.exec(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            ))?,
            None => {
                on_tx!(self, db => db.exec("DELETE FROM settings WHERE key = ?1", params![key]))?
            }
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
        if let TxInner::Postgres { batch, .. } = &self.inner {
            if let Some(params) = rows::connection_params(key, connection, now_ms) {
                batch.borrow_mut().connection(&params);
            }
            return Ok(());
        }
        on_tx!(self, db => rows::insert_connection(db, key, connection, now_ms))
    }

    /// Appends an audit row (on PostgreSQL held like a new user).
    pub fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        if let TxInner::Postgres { batch, .. } = &self.inner {
            batch.borrow_mut().audit(&rows::audit_params(entry));
            return Ok(());
        }
        on_tx!(self, db => rows::insert_audit(db, entry))
    }

    /// Adds many users in this transaction; returns their keys.
    pub fn insert_many(
        &self,
        users: &[(User, VismaConnection)],
        now_ms: i64,
    ) -> Result<Vec<UserKey>, StoreError> {
        let mut keys = Vec::with_capacity(users.len());
        for (user, connection) in users {
            let key = self.insert_user(user, now_ms)?;
            self.add_connection(key, connection, now_ms)?;
            keys.push(key);
        }
        Ok(keys)
    }
}

/// A constraint failure on insert or update of a user means the User-ID is taken.
fn conflict_or(error: StoreError, user: &User) -> StoreError {
    if error.is_constraint_violation() {
        StoreError::Conflict(user_id_taken(user))
    } else {
        error
    }
}

/// The user whose login field `field` is `?1` (the first by key; none for
/// an empty login).
fn user_by_login_sql(field: crate::domain::settings::OperatorField) -> String {
    use crate::domain::settings::OperatorField;
    let condition = match field {
        OperatorField::AliasUserId => "lower(u.alias_user_id) = lower(?1)",
        OperatorField::UserId => "lower(u.user_id) = lower(?1)",
        OperatorField::ExternalReference => "lower(u.external_reference) = lower(?1)",
        OperatorField::EmailLocalPart => {
            "lower(substr(u.email, 1, length(?1) + 1)) = lower(?1) || '@'"
        }
    };
    format!(
        "{} WHERE {condition} AND ?1 <> '' ORDER BY u.key LIMIT 1",
        rows::SELECT_USERS
    )
}

/// What a refused unique User-ID means.
fn user_id_taken(user: &User) -> String {
    format!("User-ID {} is already in use.", user.user_id)
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
            register: path.display().to_string(),
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
                register: path.display().to_string(),
            },
            _ => e.into(),
        })?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    let ours =
        application_id == APPLICATION_ID || (application_id == 0 && version == 0 && tables == 0);
    if !ours {
        return Err(StoreError::ForeignDatabase {
            register: path.display().to_string(),
        });
    }
    if version > latest_version() {
        return Err(StoreError::TooNew {
            register: path.display().to_string(),
            found: version,
            supported: latest_version(),
        });
    }
    Ok(())
}

/// Applies the migrations after the file's version, up to `target`, in one
/// transaction.
/// Notes the register's time zone when it has none: the zone of the
/// computer that makes the register (or brings it to this version), so that
/// every computer judges a role's day alike from then on.
const NOTE_TIME_ZONE: &str = "INSERT INTO settings (key, value) SELECT 'time_zone', ?1
    WHERE NOT EXISTS (SELECT 1 FROM settings WHERE key = 'time_zone')";

/// This computer's time zone by its IANA name, if it has one.
fn creator_time_zone() -> Option<String> {
    jiff::tz::TimeZone::system().iana_name().map(str::to_owned)
}

fn migrate(conn: &mut Connection, path: &Path, target: i64) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > latest_version() {
        return Err(StoreError::TooNew {
            register: path.display().to_string(),
            found: version,
            supported: latest_version(),
        });
    }
    if version >= target {
        return Ok(());
    }
    for (number, sql) in (1..).zip(migrations::MIGRATIONS) {
        if number > version && number <= target {
            tx.execute_batch(sql.sqlite)?;
            tracing::info!(version = number, "register migrated");
        }
    }
    // (Steps to an older version, for tests, may have no settings table.)
    if target == latest_version()
        && let Some(zone) = creator_time_zone()
    {
        tx.execute(NOTE_TIME_ZONE, [zone])?;
    }
    tx.pragma_update(None, "user_version", target)?;
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests;

/// True when the running process's account owns `path`: compared with the
/// owner of a file this process makes (no unsafe call needed).
#[cfg(unix)]
fn owns_file(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    let probe = std::env::temp_dir().join(format!(".hrm-users-owner-{}", std::process::id()));
    let mine = std::fs::File::create(&probe)
        .and_then(|file| file.metadata())
        .map(|m| m.uid());
    let _ = std::fs::remove_file(&probe);
    match (mine, std::fs::metadata(path)) {
        (Ok(mine), Ok(register)) => register.uid() == mine,
        _ => false,
    }
}

/// On Windows, whoever may write the file owns what is in it.
#[cfg(not(unix))]
fn owns_file(path: &Path) -> bool {
    std::fs::OpenOptions::new().write(true).open(path).is_ok()
}
