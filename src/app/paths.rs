//! Where the program keeps its files on this OS: the register and the logs.

use std::path::PathBuf;

use crate::store::Location;

/// The OS's places for this program, if the OS has a home directory.
fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("com", "HRM Users", "hrm-users")
}

/// The default register file: `register.db` in the OS data directory
/// (e.g. `~/.local/share/hrm-users/` on Linux), or the working directory
/// when the OS names none.
pub fn default_database() -> PathBuf {
    project_dirs().map_or_else(
        || PathBuf::from("hrm-users.db"),
        |dirs| dirs.data_dir().join("register.db"),
    )
}

/// The file beside which the program keeps a register's folders (the
/// folder outbox, backups): the register's own file, or for a shared
/// register the default register's place in the OS data directory.
pub fn folder_anchor(location: &Location) -> PathBuf {
    match location {
        Location::File(path) => path.clone(),
        Location::Shared(_) => default_database(),
    }
}

/// The folder for log files (the data directory's `logs`).
pub fn log_dir() -> PathBuf {
    project_dirs().map_or_else(
        || PathBuf::from("logs"),
        |dirs| dirs.data_local_dir().join("logs"),
    )
}
