//! Connecting to a shared register on PostgreSQL: the URL's options, the
//! password (from the URL, `PGPASSWORD` or the `.pgpass` file, as libpq
//! finds it), TLS through rustls, and the register's own table of version
//! and application id.
//!
//! Here: the URL, opening and migrating. The password's sources are
//! `credentials`, TLS `tls`.

use std::cell::RefCell;
use std::path::PathBuf;
use std::str::FromStr as _;
use std::time::Duration;

use fallible_iterator::FallibleIterator as _;
use postgres::config::SslMode;
use postgres::{Client, Config};

use super::SharedRegister;
use super::db::{Sql as _, StatementCache};
use super::{APPLICATION_ID, StoreError, migrations};

mod credentials;
mod tls;

pub use credentials::remember_password;
use credentials::{find_password, keyring_entry};
use tls::{Tls, tls_connector};

/// The lock every write transaction takes first: writers to one register
/// follow each other, as on SQLite, so change stamps grow in commit order.
pub const WRITE_LOCK: i64 = 0x4852_4d55_0001;

/// An open connection to a shared register.
pub struct PgConn {
    /// The client.
    pub client: RefCell<Client>,
    /// Its prepared statements.
    pub cache: RefCell<StatementCache>,
    /// Notifications seen so far (the change counter of the window).
    pub changes_seen: std::cell::Cell<i64>,
    /// True once this connection listens for change notifications.
    pub listening: std::cell::Cell<bool>,
    /// When the socket was last read for notifications with a wait.
    pub drained_at: std::cell::Cell<Option<std::time::Instant>>,
    /// The database login this connection works as (the session user).
    pub role: String,
    /// The server process of this connection: its own notifications (of
    /// its own commits) are not others' changes.
    pub backend_pid: i32,
}

/// The URL split into what tokio-postgres reads and what this module does.
fn parse(url: &str) -> Result<(Config, Tls, Option<PathBuf>), StoreError> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let mut tls = Tls::Unverified;
    let mut mode = SslMode::Prefer;
    let mut root_cert = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => {
                (tls, mode) = match value {
                    "disable" => (Tls::Disable, SslMode::Disable),
                    "allow" | "prefer" => (Tls::Unverified, SslMode::Prefer),
                    "require" => (Tls::Unverified, SslMode::Require),
                    "verify-ca" | "verify-full" => (Tls::Verified, SslMode::Require),
                    other => {
                        return Err(StoreError::BadLocation(format!(
                            "sslmode={other} is not known; use disable, prefer, require, verify-ca or verify-full"
                        )));
                    }
                };
            }
            "sslrootcert" => root_cert = Some(PathBuf::from(percent_decode(value))),
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let mut config = Config::from_str(&url)
        .map_err(|e| StoreError::BadLocation(format!("the URL is not valid: {e}")))?;
    config.ssl_mode(mode);
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    // A link that stops answering without a reset (a Wi-Fi drop, a VPN
    // reconnect, a failover) is noticed within about 15 s instead of the
    // operating system's many minutes: keepalives probe an idle connection,
    // and unacknowledged data gives up after the user timeout. A URL's own
    // values win.
    if config.get_keepalives_idle() == Duration::from_hours(2) {
        config.keepalives(true);
        config.keepalives_idle(Duration::from_secs(5));
        config.keepalives_interval(Duration::from_secs(2));
        config.keepalives_retries(3);
    }
    if config.get_tcp_user_timeout().is_none() {
        config.tcp_user_timeout(Duration::from_secs(15));
    }
    if config.get_application_name().is_none() {
        config.application_name("hrm-users");
    }
    if config.get_user().is_none() {
        config.user(&std::env::var("PGUSER").unwrap_or_else(|_| whoami::username()));
    }
    Ok((config, tls, root_cert))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// True when the server refused the login for want of a (right) password.
fn wants_password(error: &postgres::Error) -> bool {
    let words = super::error::postgres_words(error);
    error.code() == Some(&postgres::error::SqlState::INVALID_PASSWORD) || words.contains("password")
}

fn connect(config: &Config, tls: Option<&rustls::ClientConfig>) -> Result<Client, postgres::Error> {
    match tls {
        None => config.connect(postgres::NoTls),
        Some(rustls) => config.connect(tokio_postgres_rustls::MakeRustlsConnect::new(
            rustls.clone(),
        )),
    }
}

/// Connects to the shared register, checks that the database is a register
/// (or empty) of a version this program knows, and migrates it. The password
/// is the URL's, `PGPASSWORD`'s or the password file's; when the server asks
/// for one and none of these has it, the OS keyring's.
pub fn open(shared: &SharedRegister) -> Result<PgConn, StoreError> {
    let (mut config, tls, root_cert) = parse(shared.url())?;
    // A CA file that cannot be read is said before anything is tried.
    let rustls = (tls != Tls::Disable)
        .then(|| tls_connector(tls, root_cert.as_ref()))
        .transpose()?;
    let from_url = config.get_password().is_some();
    if !from_url && let Some(password) = find_password(&config) {
        config.password(password);
    }
    let unreachable = |e: &postgres::Error| StoreError::Unreachable {
        register: shared.to_string(),
        detail: super::error::postgres_words(e),
    };
    let client = match connect(&config, rustls.as_ref()) {
        Ok(client) => client,
        Err(error) if !from_url && wants_password(&error) => {
            let stored = keyring_entry(&config).and_then(|e| e.get_password());
            let Ok(password) = stored else {
                return Err(unreachable(&error));
            };
            config.password(password);
            connect(&config, rustls.as_ref()).map_err(|e| unreachable(&e))?
        }
        Err(error) => return Err(unreachable(&error)),
    };
    let conn = PgConn {
        client: RefCell::new(client),
        cache: RefCell::new(StatementCache::default()),
        changes_seen: std::cell::Cell::new(0),
        listening: std::cell::Cell::new(false),
        drained_at: std::cell::Cell::new(None),
        role: String::new(),
        backend_pid: 0,
    };
    // Each round trip costs a slow link's delay: the session's settings,
    // who this is and the register's version come in one; only a database
    // without the register (its first open) asks again, and the migration's
    // transaction comes only when the register is not up to date.
    //
    // A login the policies bind stages an import's rows in a temporary
    // table (`batch::copy_rows`). With the default 8 MB of buffers for
    // temporary tables, 100,000 users' audit rows (about 50 MB) went to
    // disk and were read back: the audit's insert from them took 0.85 s,
    // in memory 0.45 s. The cap is what a session may use, taken only as
    // its temporary tables need it (and only before its first one).
    let settings = vec![
        "SET lock_timeout = '30s'".to_owned(),
        "SET client_min_messages = warning".to_owned(),
        "SET temp_buffers = '128MB'".to_owned(),
    ];
    let together = conn.sql().fetch_texts_after(
        settings.clone(),
        &[
            (FACTS.to_owned(), Vec::new()),
            (
                "SELECT application_id, version FROM hrm_register".to_owned(),
                Vec::new(),
            ),
        ],
    );
    let (facts, found) = match together {
        Ok(results) => {
            let first = |i: usize| {
                results
                    .get(i)
                    .and_then(|rows| rows.first())
                    .cloned()
                    .unwrap_or_default()
            };
            (first(0), first(1))
        }
        // No register table yet (or another's database): one by one.
        Err(error) if error.is_undefined_table() => {
            let facts = conn
                .sql()
                .fetch_texts_after(settings, &[(FACTS.to_owned(), Vec::new())])?;
            (
                facts
                    .first()
                    .and_then(|rows| rows.first())
                    .cloned()
                    .unwrap_or_default(),
                Vec::new(),
            )
        }
        Err(error) => return Err(error),
    };
    let fact = |i: usize| facts.get(i).cloned().flatten().unwrap_or_default();
    let up_to_date = fact(2) == "t" && {
        let number = |i: usize| {
            found
                .get(i)
                .cloned()
                .flatten()
                .and_then(|t| t.parse::<i64>().ok())
        };
        number(0) == Some(i64::from(APPLICATION_ID))
            && number(1) == Some(migrations::latest_version())
    };
    if !up_to_date {
        migrate(&conn, shared, migrations::latest_version())?;
    }
    Ok(PgConn {
        role: fact(0),
        backend_pid: fact(1).parse().unwrap_or(0),
        ..conn
    })
}

/// Who the session is, its backend, and whether the register is there.
const FACTS: &str = "SELECT session_user::text, pg_backend_pid(),
    to_regclass('hrm_register') IS NOT NULL";

/// The register's version, or `None` for an empty database. A database with
/// tables but no register table belongs to something else.
fn register_version(
    db: &impl super::db::Sql,
    shared: &SharedRegister,
) -> Result<Option<i64>, StoreError> {
    // One statement, one snapshot: another program committing the first
    // migration between two separate counts made an empty database look
    // like someone else's (seen with four programs opening at once).
    let (meta, tables) = db
        .fetch_opt(
            "SELECT count(*) FILTER (WHERE table_name = 'hrm_register'), count(*)
             FROM information_schema.tables WHERE table_schema = current_schema()",
            &[],
            |row| Ok((row.int(0)?, row.int(1)?)),
        )?
        .unwrap_or((0, 0));
    if meta == 0 {
        return if tables == 0 {
            Ok(None)
        } else {
            Err(StoreError::ForeignDatabase {
                register: shared.to_string(),
            })
        };
    }
    let (application_id, version) = db
        .fetch_opt(
            "SELECT application_id, version FROM hrm_register",
            &[],
            |row| Ok((row.int(0)?, row.int(1)?)),
        )?
        .unwrap_or((0, 0));
    if application_id != i64::from(APPLICATION_ID) {
        return Err(StoreError::ForeignDatabase {
            register: shared.to_string(),
        });
    }
    Ok(Some(version))
}

/// Brings the schema to `target` in one transaction, under the write lock so
/// that two programs starting at once do not both migrate.
pub fn migrate(conn: &PgConn, shared: &SharedRegister, target: i64) -> Result<(), StoreError> {
    let mut client = conn.client.borrow_mut();
    let tx = RefCell::new(client.transaction()?);
    {
        let db = super::db::PgSql::new(&tx, &conn.cache);
        migrate_in(&db, shared, target)?;
    }
    tx.into_inner().commit()?;
    Ok(())
}

fn migrate_in(
    db: &super::db::PgSql<'_, postgres::Transaction<'_>>,
    shared: &SharedRegister,
    target: i64,
) -> Result<(), StoreError> {
    // Up to date (every open but the first after an update): nothing to
    // wait for, so a program opening the register does not queue behind a
    // long writer (an import elsewhere) for the write lock.
    if let Some(current) = register_version(db, shared)?
        && current == target
    {
        return Ok(());
    }
    db.exec(
        "SELECT pg_advisory_xact_lock(?1)",
        super::db::params![WRITE_LOCK],
    )?;
    let version = register_version(db, shared)?;
    let current = version.unwrap_or(0);
    if current > migrations::latest_version() {
        return Err(StoreError::TooNew {
            register: shared.to_string(),
            found: current,
            supported: migrations::latest_version(),
        });
    }
    if current >= target {
        return Ok(());
    }
    if version.is_none() {
        db.exec_batch(
            "CREATE TABLE hrm_register (application_id BIGINT NOT NULL, version BIGINT NOT NULL);",
        )?;
        db.exec(
            "INSERT INTO hrm_register (application_id, version) VALUES (?1, 0)",
            super::db::params![i64::from(APPLICATION_ID)],
        )?;
    }
    for (number, migration) in (1..).zip(migrations::MIGRATIONS) {
        if number > current && number <= target {
            db.exec_batch(migration.postgres)?;
            tracing::info!(version = number, "shared register migrated");
        }
    }
    if target == migrations::latest_version()
        && let Some(zone) = super::creator_time_zone()
    {
        db.exec(super::NOTE_TIME_ZONE, super::db::params![zone.as_str()])?;
    }
    if target >= 14 {
        db.exec_batch(migrations::GRANTS)?;
    }
    db.exec(
        "UPDATE hrm_register SET version = ?1",
        super::db::params![target],
    )?;
    Ok(())
}

/// The schema version of the shared register.
pub fn version(conn: &PgConn) -> Result<i64, StoreError> {
    conn.sql()
        .fetch_texts_once("SELECT version FROM hrm_register")?
        .first()
        .cloned()
        .flatten()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| StoreError::bad_value(0, "the register's version is not a number"))
}

/// How often an idle connection is read for other programs' changes (see
/// [`PgConn::changes`]): a change elsewhere is seen within this.
const DRAIN_EVERY: Duration = Duration::from_millis(200);

impl PgConn {
    /// SQL on the connection itself (outside a transaction).
    pub fn sql(&self) -> super::db::PgSql<'_, Client> {
        super::db::PgSql::new(&self.client, &self.cache)
    }

    /// How many change notifications of the users this connection has
    /// received from other connections (as SQLite's `data_version`, its own
    /// commits do not count); the first call starts listening. Reads what
    /// the server has already sent, without a round trip. Every round trip
    /// reads what came before its answer; a connection left idle is read
    /// with a wait of up to a millisecond (the runtime's timer tick: a poll
    /// without it never reads the socket), at most every [`DRAIN_EVERY`],
    /// so a run of use cases does not wait before each.
    pub fn changes(&self) -> Result<i64, StoreError> {
        let mut client = self.client.borrow_mut();
        if !self.listening.get() {
            client.batch_execute("LISTEN hrm_users_changed")?;
            self.listening.set(true);
        }
        let mut seen = self.changes_seen.get();
        let mut notifications = client.notifications();
        let now = std::time::Instant::now();
        let drain = self
            .drained_at
            .get()
            .is_none_or(|at| now.duration_since(at) >= DRAIN_EVERY);
        let mut count = |notification: postgres::Notification| {
            if notification.process_id() != self.backend_pid {
                seen += 1;
            }
        };
        if drain {
            self.drained_at.set(Some(now));
            let mut pending = notifications.timeout_iter(Duration::ZERO);
            while let Some(notification) = pending.next()? {
                count(notification);
            }
        } else {
            let mut pending = notifications.iter();
            while let Some(notification) = pending.next()? {
                count(notification);
            }
        }
        self.changes_seen.set(seen);
        Ok(seen)
    }
}

#[cfg(test)]
mod tests;
