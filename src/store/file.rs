//! A register file: opening it (a regular file this account owns, SQLite's
//! own, migrated under a write lock), its page cache and busy timeout.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::domain::location::Location;

use super::error::StoreError;
use super::migrations::{APPLICATION_ID, latest_version};
use super::write_turn::WriteTurn;
use super::{BUSY_TIMEOUT, Backend, Store};

/// How many prepared statements a register file's connection keeps.
const STATEMENT_CACHE: usize = 256;

impl Store {
    pub(super) fn open_file(path: &Path) -> Result<Self, StoreError> {
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

    pub(super) fn prepare(mut conn: Connection, path: &Path) -> Result<Self, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Every statement the program runs stays prepared: with rusqlite's
        // 16, a bulk send's queueing and delivery, which use more, parsed
        // their SQL again and again.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
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
        let turn = (path.as_os_str() != ":memory:")
            .then(|| Box::new(WriteTurn::for_file(path, BUSY_TIMEOUT)));
        // A register already up to date is opened without a write lock (a
        // busy writer would keep the open waiting); a migration waits for
        // its turn among this program's writers, then for SQLite's lock.
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version != latest_version() {
            let _turn = turn.as_deref().map(WriteTurn::take).transpose()?;
            migrate(&mut conn, path, latest_version())?;
        }
        Ok(Self {
            backend: Backend::Sqlite(conn),
            location: Location::File(path.to_owned()),
            key_lookups: false,
            turn,
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
        if let Some(turn) = &self.turn {
            turn.set_wait(timeout);
        }
        match &self.backend {
            Backend::Sqlite(conn) => conn.busy_timeout(timeout)?,
            Backend::Postgres(pg) => pg.client.borrow_mut().batch_execute(&format!(
                "SET lock_timeout = {}",
                timeout.as_millis().max(1)
            ))?,
        }
        Ok(())
    }
}

/// Refuses a path that is not a regular file (a FIFO would hang, a device
/// would be read for ever) before SQLite opens it.
///
/// It only asks for the file's metadata: the file itself is never opened
/// outside SQLite. On POSIX, closing any descriptor of a file drops every lock
/// the process holds on it, also those of SQLite's own connections; another
/// process could then checkpoint and delete the WAL under a live writer.
pub(super) fn check_regular_file(path: &Path) -> Result<(), StoreError> {
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
pub(super) fn check_ownership(conn: &Connection, path: &Path) -> Result<(), StoreError> {
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
pub(super) const NOTE_TIME_ZONE: &str = "INSERT INTO settings (key, value) SELECT 'time_zone', ?1
    WHERE NOT EXISTS (SELECT 1 FROM settings WHERE key = 'time_zone')";

/// This computer's time zone by its IANA name, if it has one.
pub(super) fn creator_time_zone() -> Option<String> {
    jiff::tz::TimeZone::system().iana_name().map(str::to_owned)
}

pub(super) fn migrate(conn: &mut Connection, path: &Path, target: i64) -> Result<(), StoreError> {
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
    for (number, sql) in (1..).zip(super::migrations::MIGRATIONS) {
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

/// True when the running process's account owns `path`: compared with the
/// owner of a file this process makes (no unsafe call needed).
#[cfg(unix)]
pub(super) fn owns_file(path: &Path) -> bool {
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
pub(super) fn owns_file(path: &Path) -> bool {
    std::fs::OpenOptions::new().write(true).open(path).is_ok()
}
