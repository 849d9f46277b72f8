//! Where the program keeps its files on this OS: the register and the logs.

use std::path::PathBuf;

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

/// The folder for log files (the data directory's `logs`).
pub fn log_dir() -> PathBuf {
    project_dirs().map_or_else(
        || PathBuf::from("logs"),
        |dirs| dirs.data_local_dir().join("logs"),
    )
}
