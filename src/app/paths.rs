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

/// The demo register's own file, beside the default register: made-up users
/// never go into a real register.
pub fn demo_database() -> PathBuf {
    default_database().with_file_name("demo-register.db")
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

/// The file that remembers this OS user's registers, newest first (file
/// paths and URLs without passwords), in the OS config directory.
fn recent_file() -> Option<PathBuf> {
    project_dirs().map(|dirs| dirs.config_dir().join("recent-registers.txt"))
}

/// How many registers the Register menu remembers.
pub const RECENT_KEPT: usize = 8;

/// This OS user's registers, the last used first.
pub fn recent_registers() -> Vec<Location> {
    let Some(text) = recent_file().and_then(|file| std::fs::read_to_string(file).ok()) else {
        return Vec::new();
    };
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(Location::parse)
        .collect()
}

/// Puts `location` first among the recent registers (without any password).
pub fn remember_register(location: &Location) -> std::io::Result<()> {
    let Some(file) = recent_file() else {
        return Ok(());
    };
    let shown = location.to_string();
    let mut lines = vec![shown.clone()];
    lines.extend(
        recent_registers()
            .iter()
            .map(ToString::to_string)
            .filter(|line| *line != shown)
            .take(RECENT_KEPT - 1),
    );
    if let Some(folder) = file.parent() {
        std::fs::create_dir_all(folder)?;
    }
    std::fs::write(file, lines.join("\n") + "\n")
}

/// The folder for log files (the data directory's `logs`).
pub fn log_dir() -> PathBuf {
    project_dirs().map_or_else(
        || PathBuf::from("logs"),
        |dirs| dirs.data_local_dir().join("logs"),
    )
}
