//! The only code that speaks SQL: opening the register (an SQLite file,
//! refusing what is not ours, or a shared register on PostgreSQL),
//! migrations, typed queries and write transactions that carry their audit
//! row. Both backends offer the same API and the same rules.
//!
//! Here: [`Store`], a connection of either backend. A register file's
//! opening is `file`, a write transaction `write_tx`, the reads both offer
//! `reads`; each part of the register (outbox, roles, tokens, …) adds its
//! own methods in a module of its own.

mod account_codes;
mod batch;
pub(crate) mod db;
mod details;
mod error;
mod file;
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
mod write_turn;
mod write_tx;

use std::cell::RefCell;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

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

use crate::domain::settings::SettingsRow;
use crate::domain::{AuditEntry, UserId, UserKey, UserRecord};
use db::{Sql as _, params};

use file::{NOTE_TIME_ZONE, creator_time_zone, owns_file};
use write_turn::WriteTurn;
pub use write_tx::WriteTx;
use write_tx::{TxInner, rows_first, send_held};

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
    /// Statements are planned as key lookups (set again on a reconnect):
    /// [`Store::prefer_key_lookups`].
    key_lookups: bool,
    /// A register file's writers of this process, in line
    /// (`write_turn.rs`); none on a shared register or in memory.
    turn: Option<Box<write_turn::WriteTurn>>,
}

/// The session settings of [`Store::prefer_key_lookups`].
const KEY_LOOKUPS: &str = "SET enable_seqscan = off; SET enable_bitmapscan = off; \
    SET plan_cache_mode = force_generic_plan; SET jit = off";

/// The connection, by backend.
enum Backend {
    Sqlite(Connection),
    Postgres(Box<pg::PgConn>),
}

/// The newest change stamp of any user, and how many users there are.
const CHANGE_AND_COUNT: &str = "SELECT coalesce(max(updated_at_ms), 0), count(*) FROM users";

/// A row of [`CHANGE_AND_COUNT`].
fn change_and_count_from_row(row: &dyn db::RowRead) -> Result<(i64, usize), StoreError> {
    Ok((row.int(0)?, usize::try_from(row.int(1)?).unwrap_or(0)))
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
                key_lookups: false,
                turn: None,
            }),
        }
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
            if self.key_lookups {
                self.prefer_key_lookups()?;
            }
        }
        Ok(())
    }

    /// Has the server plan this connection's statements by index and keep
    /// their plans, now and after a reconnect: no sequential or bitmap scan
    /// while an index answers, one generic plan per statement, no JIT. For
    /// the outbox worker, whose statements each touch a few messages by key
    /// or the next due ones in order. Its plans are made while a bulk
    /// send's outbox is still nearly empty and kept as it fills: made so by
    /// the planner's own choice, the group commit scanned the whole outbox
    /// for each group of answers (1 to 2 ms a commit where the keys take
    /// 0.1 ms) and each claim sorted every due message. Without JIT: where
    /// a sequential scan is the only way (the small `workers` table), its
    /// forbidding cost made the server compile the statement, 150 ms each
    /// time. A register file plans by index already.
    pub fn prefer_key_lookups(&mut self) -> Result<(), StoreError> {
        self.key_lookups = true;
        if let Backend::Postgres(pg) = &self.backend {
            pg.client.borrow_mut().batch_execute(KEY_LOOKUPS)?;
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
        let shared = matches!(self.backend, Backend::Postgres(_));
        let sql = user_by_login_sql(field, shared);
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
                // Held until the transaction ends, then handed on.
                let _turn = self.turn.as_deref().map(WriteTurn::take).transpose()?;
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

/// The user whose login field `field` is `?1` (the first by key; none for
/// an empty login). On a shared register the key is found by the
/// register's own function (migration 17), through the lower-case
/// indexes even for a login the policies bind; the user is then read by
/// that key (an `InitPlan`'s value: a condition the policies let use the
/// index).
fn user_by_login_sql(field: crate::domain::settings::OperatorField, shared: bool) -> String {
    use crate::domain::settings::OperatorField;
    if shared {
        return format!(
            "{} WHERE u.key = (SELECT hrm_user_key_by_login('{}', ?1))",
            rows::SELECT_USERS,
            field.code()
        );
    }
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

#[cfg(test)]
mod tests;
