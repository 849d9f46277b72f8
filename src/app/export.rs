//! Exporting users in the Employees/users template (xlsx with the sheets
//! Roles, Authorisations and Audit of account code; csv with the users
//! only) and writing the empty template: one rule for the window and the
//! command line on which file names are allowed.

use std::path::Path;

use crate::domain::UserRecord;
use crate::domain::authorisation_sheets::sheet_rows;
pub use crate::domain::template::ExportFormat;
use crate::sheet::WriteError;
use crate::store::Reads as _;
use crate::store::{Location, Store, StoreError};

use super::progress::{Progress, Stage};

/// Why an export or template was not written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The file name is not .xlsx or .csv.
    #[error("{}", t!("cli-export-type", path = .0.as_str()))]
    Type(String),
    /// The register could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The file could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// The format `path` asks for; refused unless `.xlsx` or `.csv`.
pub fn export_format(path: &Path) -> Result<ExportFormat, ExportError> {
    ExportFormat::for_file(path).ok_or_else(|| ExportError::Type(path.display().to_string()))
}

/// Writes `users` to `path`; an xlsx file also gets every role and these
/// users' roles and Audit of account code rows, read on a connection of
/// its own (the window runs this on a thread). `progress` hears the rows
/// written ([`Stage::Exporting`]), then that the file is being saved
/// ([`Stage::Saving`], which cannot be cancelled); false when cancelled
/// before that (nothing written).
pub fn export_users(
    register: &Location,
    path: &Path,
    users: &[UserRecord],
    progress: &Progress,
) -> Result<bool, ExportError> {
    let format = export_format(path)?;
    let extra = match format {
        ExportFormat::Xlsx => {
            let store = Store::open(register)?;
            authorisation_rows(&store, users)?
        }
        ExportFormat::Csv => Vec::new(),
    };
    let total = users.len();
    progress.start(Stage::Exporting, total);
    Ok(crate::sheet::export_users(
        path,
        format,
        users.iter(),
        &extra,
        crate::i18n::window_language(),
        |written| {
            if written == total {
                progress.start(Stage::Saving, 0);
            }
            progress.advance(written)
        },
    )?)
}

type SheetRows = Vec<(
    crate::domain::authorisation_sheets::ExtraSheet,
    Vec<Vec<String>>,
)>;

fn authorisation_rows(store: &Store, users: &[UserRecord]) -> Result<SheetRows, StoreError> {
    let mut roles = crate::domain::roles::builtin_roles();
    roles.extend(store.custom_roles()?);
    let user_ids: std::collections::HashMap<_, _> = users
        .iter()
        .map(|r| (r.key, r.user.user_id.to_string()))
        .collect();
    let assignments = by_user_id(&user_ids, store.all_roles()?);
    let audit_rights = by_user_id(&user_ids, store.all_audit_rights()?);
    Ok(sheet_rows(&roles, &assignments, &audit_rights))
}

/// The exported users' rows, by User-ID.
fn by_user_id<T>(
    user_ids: &std::collections::HashMap<crate::domain::UserKey, String>,
    list: Vec<(crate::domain::UserKey, T)>,
) -> Vec<(String, T)> {
    list.into_iter()
        .filter_map(|(key, rows)| user_ids.get(&key).map(|id| (id.clone(), rows)))
        .collect()
}

/// Writes the empty template (all four sheets with their headers) in the
/// language the window (or the CLI) speaks.
pub fn write_template(path: &Path) -> Result<(), ExportError> {
    Ok(crate::sheet::write_template(
        path,
        crate::i18n::window_language(),
    )?)
}

/// Writes an import's row report: the file's columns plus Status and
/// Message, as xlsx.
pub fn write_import_report(
    path: &Path,
    table: &crate::domain::import::RawTable,
    plan: &crate::domain::import::ImportPlan,
) -> Result<(), ExportError> {
    Ok(crate::sheet::write_report(path, table, plan)?)
}

/// Reads a spreadsheet's first sheet (and the sheets Roles, Authorisations,
/// Audit of account code) within the usual limits.
pub fn read_spreadsheet(
    path: &Path,
) -> Result<crate::domain::import::RawTable, crate::sheet::SheetError> {
    crate::sheet::read_table(path, &crate::sheet::Limits::default())
}
