//! Finds and reads this machine's `defaults.toml` (IT's presets) and
//! installs it for the whole program, once, at start.

use std::path::PathBuf;

use crate::domain::presets::{self, Presets};

/// Where the presets are read: IT's fixed place on this OS, or the file
/// `HRM_USERS_PRESETS` names to try presets out (which sets no security
/// setting: see [`install_machine_presets`]).
pub fn presets_path() -> PathBuf {
    tried_presets_path().unwrap_or_else(fixed_presets_path)
}

/// The file `HRM_USERS_PRESETS` names, if it names one.
fn tried_presets_path() -> Option<PathBuf> {
    std::env::var_os("HRM_USERS_PRESETS").map(PathBuf::from)
}

/// Where IT puts the presets on this OS (writable only by the machine's
/// administrators).
pub fn fixed_presets_path() -> PathBuf {
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

/// Reads the presets file and (on Windows) the MSI's properties, if there
/// are any, and installs them; the MSI's win where both fix a setting.
/// Returns what to tell the person when one is there but cannot be used
/// (it is then ignored whole, and the program runs as without it).
pub fn install_machine_presets() -> Option<String> {
    let (from_file, file_problem) = file_presets();
    let (from_msi, msi_problem) = match msi_presets() {
        Ok(found) => (found, None),
        Err(error) => (
            None,
            Some(format!("{error}; the MSI's settings are ignored.")),
        ),
    };
    let chosen = match (from_msi, from_file) {
        (Some(msi), Some(file)) => Some(msi.over(file)),
        (msi, file) => msi.or(file),
    };
    if let Some(chosen) = chosen {
        tracing::info!(
            "presets from {}: {} settings fixed",
            chosen.source,
            chosen.settings.len()
        );
        presets::install(chosen);
    }
    file_problem.or(msi_problem)
}

fn file_presets() -> (Option<Presets>, Option<String>) {
    let path = presets_path();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return (None, None),
        Err(error) => {
            return (
                None,
                Some(format!(
                    "{} cannot be read ({error}); it is ignored.",
                    path.display()
                )),
            );
        }
    };
    let parsed = match Presets::parse(&path.display().to_string(), &text) {
        Ok(parsed) => parsed,
        Err(error) => return (None, Some(format!("{error}; the file is ignored."))),
    };
    if tried_presets_path().is_none() {
        return (Some(parsed), None);
    }
    // Anyone can point the variable at a file of their own: who is who and
    // what needs proof are fixed only in the machine's own place.
    let (tried, dropped) = parsed.without_security();
    tracing::info!(
        "presets tried out from {} (HRM_USERS_PRESETS)",
        path.display()
    );
    let note = (!dropped.is_empty()).then(|| {
        let keys: Vec<&str> = dropped.iter().map(|key| key.name()).collect();
        format!(
            "{} is named by HRM_USERS_PRESETS to try presets out; security settings are not taken from it ({}). They can be fixed in {}.",
            path.display(),
            keys.join(", "),
            fixed_presets_path().display()
        )
    });
    (Some(tried), note)
}

/// Where the MSI keeps the properties it was given (`msiexec /i … PUBLIC_BASE_URL=…`).
pub const MSI_PRESETS_KEY: &str = r"HKEY_LOCAL_MACHINE\Software\HRM Users\Presets";

/// The settings the MSI was given, from the registry (Windows only; none
/// elsewhere, or when `HRM_USERS_PRESETS` names a file to try).
fn msi_presets() -> Result<Option<Presets>, presets::PresetsError> {
    if std::env::var_os("HRM_USERS_PRESETS").is_some() {
        return Ok(None);
    }
    let pairs = registry::preset_values();
    if pairs.is_empty() {
        return Ok(None);
    }
    Presets::from_pairs(MSI_PRESETS_KEY, &pairs).map(Some)
}

#[cfg(windows)]
mod registry {
    //! Reading `HKLM\Software\HRM Users\Presets` (REG_SZ values the MSI
    //! writes from its properties).

    use windows_sys::Win32::System::Registry::{
        HKEY_LOCAL_MACHINE, RRF_RT_REG_SZ, RRF_SUBKEY_WOW6464KEY, RegGetValueW,
    };

    fn wide(text: &str) -> Vec<u16> {
        text.encode_utf16().chain(std::iter::once(0)).collect()
    }

    fn value(name: &str) -> Option<String> {
        let subkey = wide(r"Software\HRM Users\Presets");
        let name = wide(name);
        let flags = RRF_RT_REG_SZ | RRF_SUBKEY_WOW6464KEY;
        let mut bytes: u32 = 0;
        // SAFETY: both strings are NUL-terminated UTF-16 that outlive the
        // call; a null data pointer asks only for the size.
        #[allow(unsafe_code)]
        let status = unsafe {
            RegGetValueW(
                HKEY_LOCAL_MACHINE,
                subkey.as_ptr(),
                name.as_ptr(),
                flags,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                &raw mut bytes,
            )
        };
        if status != 0 || bytes < 2 {
            return None;
        }
        let mut buffer = vec![0_u16; (bytes as usize).div_ceil(2)];
        let mut size = u32::try_from(buffer.len() * 2).ok()?;
        // SAFETY: `buffer` holds `size` bytes and outlives the call.
        #[allow(unsafe_code)]
        let status = unsafe {
            RegGetValueW(
                HKEY_LOCAL_MACHINE,
                subkey.as_ptr(),
                name.as_ptr(),
                flags,
                std::ptr::null_mut(),
                buffer.as_mut_ptr().cast(),
                &raw mut size,
            )
        };
        if status != 0 {
            return None;
        }
        let end = buffer.iter().position(|&c| c == 0).unwrap_or(buffer.len());
        Some(String::from_utf16_lossy(&buffer[..end]))
    }

    /// Every preset name with a value in the key.
    pub fn preset_values() -> Vec<(String, String)> {
        let names = ["register", "language"]
            .into_iter()
            .chain(crate::domain::SettingKey::ALL.map(crate::domain::SettingKey::name));
        names
            .filter_map(|name| value(name).map(|v| (name.to_owned(), v)))
            .collect()
    }
}

#[cfg(not(windows))]
mod registry {
    //! No registry here: the MSI is for Windows.

    /// None.
    pub fn preset_values() -> Vec<(String, String)> {
        Vec::new()
    }
}
