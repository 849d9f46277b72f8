//! Finds and reads this machine's `defaults.toml` (IT's presets) and
//! installs it for the whole program, once, at start.

use std::path::PathBuf;

use crate::domain::presets::{self, Presets};

/// Where IT puts the presets on this OS; `HRM_USERS_PRESETS` names another
/// file (tests, a trial).
pub fn presets_path() -> PathBuf {
    if let Some(path) = std::env::var_os("HRM_USERS_PRESETS") {
        return PathBuf::from(path);
    }
    if cfg!(windows) {
        let program_data = std::env::var_os("ProgramData")
            .map_or_else(|| PathBuf::from(r"C:\ProgramData"), PathBuf::from);
        program_data.join("HRM Users").join("defaults.toml")
    } else if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/HRM Users/defaults.toml")
    } else {
        PathBuf::from("/etc/hrm-users/defaults.toml")
    }
}

/// Reads the presets file, if there is one, and installs it. Returns what
/// to tell the person when a file is there but cannot be used (it is then
/// ignored whole, and the program runs as without it).
pub fn install_machine_presets() -> Option<String> {
    let path = presets_path();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return None,
        Err(error) => {
            return Some(format!(
                "{} cannot be read ({error}); it is ignored.",
                path.display()
            ));
        }
    };
    match Presets::parse(&path.display().to_string(), &text) {
        Ok(parsed) => {
            tracing::info!(
                "presets from {}: {} settings fixed",
                path.display(),
                parsed.settings.len()
            );
            presets::install(parsed);
            None
        }
        Err(error) => Some(format!("{error}; the file is ignored.")),
    }
}
