//! What can go wrong with the register file, in words an administrator can act on.

use std::path::PathBuf;

/// An error of the register file or of a query.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file exists but is not an SQLite database at all.
    #[error("{} is not an HRM Users register (it is not an SQLite database). Choose another file; this one was left untouched.", path.display())]
    NotADatabase {
        /// The file.
        path: PathBuf,
    },
    /// An SQLite database of some other program.
    #[error("{} is an SQLite database of another program, not an HRM Users register. Choose another file; this one was left untouched.", path.display())]
    ForeignDatabase {
        /// The file.
        path: PathBuf,
    },
    /// Written by a newer version of the program.
    #[error("{} was written by a newer version of HRM Users (register version {found}, this program knows up to {supported}). Update the program; the file was left untouched.", path.display())]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// Another program holds a lock on the file.
    #[error(
        "The register is locked by another program. Close the other program (or wait for it to finish) and try again."
    )]
    Locked,
    /// SQLite found the file damaged.
    #[error(
        "The register file is damaged ({detail}). Restore it from a backup; nothing was changed."
    )]
    Damaged {
        /// SQLite's words.
        detail: String,
    },
    /// The file or its folder cannot be read or written.
    #[error("Cannot open the register at {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A User-ID or address that must be unique is taken.
    #[error("{0}")]
    Conflict(String),
    /// Any other SQLite error.
    #[error("The register could not be read or written: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match error.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Self::Locked,
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => Self::Damaged {
                detail: error.to_string(),
            },
            _ => Self::Sqlite(error),
        }
    }
}
