//! Account codes and *Audit of account code*: importing the register's
//! codes from a spreadsheet, and changing a user's rows under the rules of
//! `domain::account_codes`, with an audit row.

use crate::domain::account_codes::{
    AccountCode, AuditRight, AuditRightError, CodesFileError, codes_from_table,
};
use crate::domain::import::RawTable;
use crate::domain::{AuditAction, AuditEntry, UserKey};
use crate::store::Reads as _;
use crate::store::StoreError;

use super::Session;

/// Why a file of codes or a user's rows were not saved.
#[derive(Debug, thiserror::Error)]
pub enum AccountCodesError {
    /// The file could not be read (missing, damaged, too big).
    #[error(transparent)]
    Sheet(#[from] crate::sheet::SheetError),
    /// The file lacks a column or a cell.
    #[error(transparent)]
    File(#[from] CodesFileError),
    /// A row of the user's is wrong (with its number, from 1).
    #[error("{}", t!("audit-right-row", row = *.0, error = .1.to_string()))]
    Row(usize, AuditRightError),
    /// The user was deleted meanwhile.
    #[error("{}", t!("user-not-found"))]
    NotFound,
    /// The operator's roles do not permit it (audited).
    #[error(transparent)]
    Refused(#[from] super::operator::Refused),
    /// The register could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<super::operator::RequireError> for AccountCodesError {
    fn from(error: super::operator::RequireError) -> Self {
        match error {
            super::operator::RequireError::Refused(refused) => Self::Refused(refused),
            super::operator::RequireError::Store(error) => Self::Store(error),
        }
    }
}

/// Adds the file's codes to the register (a code already there is renamed
/// as the file names it), all in one transaction with an audit row.
/// Returns how many rows the file had.
pub fn import_account_codes(
    session: &mut Session,
    table: &RawTable,
) -> Result<usize, AccountCodesError> {
    let codes = codes_from_table(table)?;
    super::operator::check(
        session,
        crate::domain::roles::Permission::ImportExport,
        None,
    )?;
    session.write_audited(|tx, stamp| {
        for code in &codes {
            tx.upsert_account_code(code)?;
        }
        tx.append_audit(
            &stamp
                .entry(AuditAction::AccountCodesImported)
                .after(serde_json::json!({ "codes": codes.len() }).to_string()),
        )?;
        Ok::<_, AccountCodesError>(())
    })?;
    Ok(codes.len())
}

/// Reads a spreadsheet of codes (with the import's size checks) and adds
/// its codes as [`import_account_codes`] does.
pub fn import_account_codes_file(
    session: &mut Session,
    file: &std::path::Path,
) -> Result<usize, AccountCodesError> {
    let table = crate::sheet::read_table(file, &crate::sheet::Limits::default())?;
    import_account_codes(session, &table)
}

pub(super) fn describe(rights: &[AuditRight]) -> serde_json::Value {
    rights
        .iter()
        .map(|r| {
            serde_json::json!({
                "dimension": r.dimension,
                "from_code": r.from_code,
                "to_code": r.to_code,
                "amount_limit": r.amount_limit,
            })
        })
        .collect()
}

/// Replaces a user's *Audit of account code* rows after checking each
/// against the register's codes; nothing is written when one is wrong.
pub fn set_audit_rights(
    session: &mut Session,
    key: UserKey,
    rights: &[AuditRight],
) -> Result<(), AccountCodesError> {
    let current = super::operator::operator(session)?;
    let result = session.write_audited(|tx, stamp| {
        set_audit_rights_in(tx, &current, key, rights, stamp.now, &stamp.actor)
    });
    match result {
        Err(AccountCodesError::Refused(refused)) => Err(AccountCodesError::Refused(
            super::operator::audited(session, &current, refused),
        )),
        other => other,
    }
}

/// Replaces a user's rows inside the transaction `tx`, as
/// [`set_audit_rights`] does, for `current` (the operator): for one use
/// case that saves a whole form at once.
pub(crate) fn set_audit_rights_in(
    tx: &crate::store::WriteTx<'_>,
    current: &super::operator::Operator,
    key: UserKey,
    rights: &[AuditRight],
    now: jiff::Timestamp,
    actor: &str,
) -> Result<(), AccountCodesError> {
    let record = tx.user(key)?.ok_or(AccountCodesError::NotFound)?;
    let codes: Vec<AccountCode> = tx.account_codes()?;
    for (index, right) in rights.iter().enumerate() {
        right
            .check(&codes)
            .map_err(|e| AccountCodesError::Row(index + 1, e))?;
    }
    let before = tx.audit_rights_of(key)?;
    if before == rights {
        return Ok(());
    }
    // Changed with *Roles*, where the user is.
    current.may_for(
        crate::domain::roles::Permission::Roles,
        &record.user.department,
        &record.user.office,
    )?;
    tx.set_audit_rights(key, rights, now.as_millisecond())?;
    tx.append_audit(
        &AuditEntry::new(now, actor, AuditAction::AuditRightsChanged)
            .about(key, record.user.user_id.to_string())
            .before(serde_json::json!({ "audit_rights": describe(&before) }).to_string())
            .after(serde_json::json!({ "audit_rights": describe(rights) }).to_string()),
    )?;
    Ok(())
}
