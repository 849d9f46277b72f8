//! What can go wrong with the register, in words an administrator can act on.

use std::path::PathBuf;

/// An error of the register or of a query.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file exists but is not an SQLite database at all.
    #[error("{}", t!("store-not-a-database", register = .register.as_str()))]
    NotADatabase {
        /// The file, as shown.
        register: String,
    },
    /// A database of some other program.
    #[error("{}", t!("store-foreign-database", register = .register.as_str()))]
    ForeignDatabase {
        /// The register, as shown.
        register: String,
    },
    /// Written by a newer version of the program.
    #[error(
        "{}",
        t!(
            "store-too-new",
            register = .register.as_str(),
            found = .found.to_string(),
            supported = .supported.to_string()
        )
    )]
    TooNew {
        /// The register, as shown.
        register: String,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// Another program holds a lock on the register.
    #[error("{}", t!("store-locked"))]
    Locked,
    /// The shared register rolled the write back: it crossed another
    /// program's write at the same moment (a deadlock the server broke, or
    /// a serialisation failure). Tried again whole, it goes through.
    #[error("{}", t!("store-crossed"))]
    Crossed,
    /// The database found the register damaged.
    #[error("{}", t!("store-damaged", detail = .detail.as_str()))]
    Damaged {
        /// The database's words.
        detail: String,
    },
    /// The file or its folder cannot be read or written.
    #[error(
        "{}",
        t!(
            "store-io",
            path = .path.display().to_string(),
            error = .source.to_string()
        )
    )]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The shared register's URL or its TLS options are wrong.
    #[error("{}", t!("store-bad-location", detail = .0.as_str()))]
    BadLocation(String),
    /// The PostgreSQL server cannot be reached or refused the login.
    #[error(
        "{}",
        t!("store-unreachable", register = .register.as_str(), detail = .detail.as_str())
    )]
    Unreachable {
        /// The register, without its password.
        register: String,
        /// The client's words.
        detail: String,
    },
    /// Only an SQLite register file can do this.
    #[error("{0}")]
    Unsupported(String),
    /// A User-ID or address that must be unique is taken.
    #[error("{0}")]
    Conflict(String),
    /// The shared register refused the change: this database login's roles
    /// do not permit it (PostgreSQL's row-level security or a guard).
    #[error("{}", t!("store-refused", detail = .0.as_str()))]
    Refused(String),
    /// Any other SQLite error.
    #[error("{}", t!("store-sqlite", error = .0.to_string()))]
    Sqlite(rusqlite::Error),
    /// Any other PostgreSQL error.
    #[error("{}", t!("store-postgres", error = postgres_words(.0)))]
    Postgres(postgres::Error),
}

/// The server's own words for an error (the client's `Display` says only
/// "db error"), or the client's with its cause.
pub fn postgres_words(error: &postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_owned(),
        };
    }
    match std::error::Error::source(error) {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
    }
}

impl StoreError {
    /// A stored value that does not fit its column's type or rule.
    pub fn bad_value(column: usize, detail: impl std::fmt::Display) -> Self {
        Self::Damaged {
            detail: format!("column {column}: {detail}"),
        }
    }

    /// True when the register could not be reached or the connection to it
    /// was lost (a restart, a broken link): trying again later may succeed.
    pub fn is_connection_lost(&self) -> bool {
        matches!(self, Self::Unreachable { .. })
    }

    /// True when a constraint of the schema refused the change (a unique
    /// User-ID or address, a foreign key, a check), on either backend.
    pub fn is_constraint_violation(&self) -> bool {
        match self {
            Self::Sqlite(e) => {
                e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation)
            }
            Self::Postgres(e) => e.code().is_some_and(|code| code.code().starts_with("23")),
            _ => false,
        }
    }
}

impl StoreError {
    /// True when the server said a table named in the query does not exist
    /// (a database without the register yet).
    pub fn is_undefined_table(&self) -> bool {
        matches!(self, Self::Postgres(e) if e.code() == Some(&postgres::error::SqlState::UNDEFINED_TABLE))
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match error.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Self::Locked,
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => Self::Damaged {
                detail: error.to_string(),
            },
            _ => match error {
                rusqlite::Error::FromSqlConversionFailure(column, _, detail) => {
                    Self::bad_value(column, detail)
                }
                error => Self::Sqlite(error),
            },
        }
    }
}

impl From<postgres::Error> for StoreError {
    fn from(error: postgres::Error) -> Self {
        use postgres::error::SqlState;
        match error.code() {
            // A lock wait that ran out: the transaction was rolled back.
            Some(code) if *code == SqlState::LOCK_NOT_AVAILABLE => Self::Locked,
            // A deadlock the server broke by rolling this transaction back:
            // tried again at once, it goes through.
            Some(code)
                if *code == SqlState::T_R_DEADLOCK_DETECTED
                    || *code == SqlState::T_R_SERIALIZATION_FAILURE =>
            {
                Self::Crossed
            }
            // Row-level security, a guard, or a table this login has no
            // grant on.
            Some(code) if *code == SqlState::INSUFFICIENT_PRIVILEGE => {
                Self::Refused(postgres_words(&error))
            }
            Some(code)
                if *code == SqlState::DATA_CORRUPTED || *code == SqlState::INDEX_CORRUPTED =>
            {
                Self::Damaged {
                    detail: error.to_string(),
                }
            }
            // The server is shutting down or restarting, or the link broke.
            Some(code) if code.code().starts_with("57P") || code.code().starts_with("08") => {
                Self::Unreachable {
                    register: "the shared register".into(),
                    detail: postgres_words(&error),
                }
            }
            // "error communicating with the server": the link broke (a reset
            // by a restarting server, a dropped network).
            None if std::error::Error::source(&error)
                .is_some_and(<dyn std::error::Error>::is::<std::io::Error>) =>
            {
                Self::Unreachable {
                    register: "the shared register".into(),
                    detail: postgres_words(&error),
                }
            }
            _ if error.is_closed() => Self::Unreachable {
                register: "the shared register".into(),
                detail: "the connection was closed".into(),
            },
            _ => Self::Postgres(error),
        }
    }
}
