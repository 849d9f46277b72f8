//! The register as a whole, for the administrator who runs it: its counts
//! (`db status`) and copying it between a file and a shared register
//! (`db copy`), with both sides compared table by table.

pub use crate::domain::register_report::{CopyReport, Status, TableSum};
use crate::store::Store;

use super::Location;

/// Why a register could not be copied. Nothing was changed in the source,
/// and a target file this copy made is removed again.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// Source and target are the same register.
    #[error("{}", t!("cli-copy-same"))]
    Same,
    /// The target file exists already.
    #[error("{} exists; db copy writes only into a new file or an empty database.", .0.display())]
    TargetExists(std::path::PathBuf),
    /// A shared register is copied only by the database login that owns it.
    #[error("{}", t!("cli-copy-not-owner", login = .0.as_str()))]
    NotOwner(String),
    /// Opening either side, or the copy itself, failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Grants the group roles `hrm_admins` and `hrm_serve` what they may touch
/// on the shared register at `location` (run by its owner after making the
/// roles; the policies narrow it to each login's roles).
pub fn grant_group_roles(location: &Location) -> Result<(), crate::store::StoreError> {
    let mut store = Store::open(location)?;
    if !store.is_register_owner()? {
        return Err(crate::store::StoreError::Refused(t!(
            "cli-grant-not-owner",
            login = store.database_role().unwrap_or_default()
        )));
    }
    store.grant_group_roles()
}

/// The counts of the register at `location`.
pub fn register_status(location: &Location) -> Result<Status, crate::store::StoreError> {
    Store::open(location)?.status()
}

/// Copies the whole register at `from` into the new file or empty database
/// at `to` and compares both sides.
pub fn copy_register(from: &Location, to: &Location) -> Result<CopyReport, CopyError> {
    if from == to {
        return Err(CopyError::Same);
    }
    if let Location::File(path) = to
        && path.exists()
    {
        return Err(CopyError::TargetExists(path.clone()));
    }
    let source = Store::open(from)?;
    // A copy reads everything: on a shared register only its owner does
    // (another login would copy what its roles let it read, unaudited).
    if matches!(from, Location::Shared(_)) && !source.is_register_owner()? {
        return Err(CopyError::NotOwner(
            source.database_role().unwrap_or_default().to_owned(),
        ));
    }
    let mut target = Store::open(to)?;
    match crate::store::transfer::copy_register(&source, &mut target) {
        Ok(report) => Ok(report),
        Err(error) => {
            // A file this copy made and could not fill is removed again.
            if let Location::File(path) = to {
                drop(target);
                remove_new_file(path);
            }
            Err(error.into())
        }
    }
}

fn remove_new_file(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(name));
    }
}
