//! Import and export of the Employees/users spreadsheet. An import is a dry
//! run first (what would change, row by row); committing takes a backup of
//! the register and then applies every row in one transaction, planned again
//! inside it so it acts on the register as it is at that moment.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::domain::authorisation_sheets::parse_sheets;
use crate::domain::import::{
    ColumnMap, HeaderError, ImportPlan, RawTable, RegisterIndex, RowAction, plan_import,
    plan_import_with_progress,
};
use crate::domain::roles::Permission;
use crate::domain::{AuditAction, AuditEntry, Connection, MessageKind};
use crate::store::Reads as _;
use crate::store::{Location, Store, StoreError};

use super::Session;
use super::import_sheets::{Snapshot, apply, plan_sheets};
use super::progress::{Progress, Stage};
use super::snapshot::snapshot;
use super::verification::end_links_of_deactivated;

/// Backups kept beside the register.
pub const BACKUPS_KEPT: usize = 5;

/// Why an import did nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The header row does not make a template.
    #[error(transparent)]
    Header(#[from] HeaderError),
    /// The register.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The backup before the import.
    #[error("{}", t!("import-backup-failed", error = .0.to_string()))]
    Backup(#[from] BackupError),
    /// The file could not be read.
    #[error(transparent)]
    Sheet(#[from] crate::sheet::SheetError),
    /// Stopped by the administrator; nothing was imported.
    #[error("{}", t!("import-cancelled"))]
    Cancelled,
    /// The operator's roles do not permit importing (audited).
    #[error(transparent)]
    Refused(#[from] super::operator::Refused),
}

impl From<super::operator::RequireError> for ImportError {
    fn from(error: super::operator::RequireError) -> Self {
        match error {
            super::operator::RequireError::Refused(refused) => Self::Refused(refused),
            super::operator::RequireError::Store(error) => Self::Store(error),
        }
    }
}

/// A file read and its dry run, with the register's stamp at that moment.
#[derive(Debug)]
pub struct DryRun {
    /// The file's table.
    pub table: RawTable,
    /// What importing it would do.
    pub plan: ImportPlan,
    /// The register when the plan was made.
    pub stamp: RegisterStamp,
}

/// Reads `file` and makes its dry run against the register at `register`,
/// on a connection of its own (the window runs this on a thread), telling
/// `progress` how far it is and stopping when it is cancelled.
pub fn read_and_plan(
    register: &Location,
    file: &Path,
    progress: &Progress,
) -> Result<DryRun, ImportError> {
    progress.start(Stage::Reading, 0);
    let table = crate::sheet::read_table_with_progress(
        file,
        &crate::sheet::Limits::default(),
        &mut |rows| progress.advance(rows),
    )?;
    let session = Session::new(Store::open(register)?);
    let (plan, stamp) = plan_with_stamp(&session, &table, progress)?;
    Ok(DryRun { table, plan, stamp })
}

/// The dry run: what importing `table` would do now.
pub fn plan_table_import(session: &Session, table: &RawTable) -> Result<ImportPlan, ImportError> {
    plan_with_stamp(session, table, &Progress::default()).map(|(plan, _)| plan)
}

/// The dry run of `table` and the register's stamp it was made against
/// (the import plans again when the users changed since), reporting to
/// `progress` and stopping when it is cancelled. The stamp, the roles and
/// the settings are read together (one round trip on a shared register)
/// before the users, so a change made after them shows in the stamp.
pub fn plan_with_stamp(
    session: &Session,
    table: &RawTable,
    progress: &Progress,
) -> Result<(ImportPlan, RegisterStamp), ImportError> {
    let map = ColumnMap::new(&table.headers)?;
    let reads = session.store.import_reads()?;
    let users = session.store.load_users()?;
    let operator = super::operator::operator(session)?;
    let login = LoginRule::read(&reads.all_roles, &reads.settings);
    progress.start(Stage::Checking, table.rows.len());
    let index = RegisterIndex::new(&users);
    let mut plan =
        plan_import_with_progress(table, &map, &index, &mut |done| progress.advance(done))
            .ok_or(ImportError::Cancelled)?;
    within_limits(&mut plan, &index, &operator, &login);
    if !table.sheets.is_empty() {
        let parsed = parse_sheets(&table.sheets);
        let snapshot = Snapshot {
            users: &users,
            pending: Some(&plan),
            custom_roles: session.store.custom_roles()?,
            everyone: reads.all_roles,
            codes: session.store.account_codes()?,
            day: super::roles::day_in(&reads.settings, session.now()),
        };
        plan.authorisations = plan_sheets(&parsed, &snapshot, &operator);
    }
    Ok((plan, reads.change_and_count.into()))
}

/// Writes one row that creates or changes a user (others do nothing), with
/// its pending address and its audit row.
fn write_row(
    tx: &crate::store::WriteTx<'_>,
    action: &RowAction,
    now: jiff::Timestamp,
    actor: &str,
    idp_on: bool,
) -> Result<(), StoreError> {
    let now_ms = now.as_millisecond();
    let (user, new_address) = match action {
        RowAction::Create { user, new_address }
        | RowAction::Update {
            user, new_address, ..
        } => (user, new_address),
        RowAction::Unchanged | RowAction::Rejected(_) => return Ok(()),
    };
    let pending = new_address.clone().map(|email| Connection::Unverified {
        email,
        sent_count: 0,
        last_sent_at: None,
    });
    let (key, audit_action, before) = match action {
        RowAction::Update { key, .. } => {
            let before = tx.user(*key)?;
            tx.update_user(*key, user, now_ms)?;
            end_links_of_deactivated(tx, *key, before.as_ref(), user, now)?;
            (*key, AuditAction::UserUpdated, before)
        }
        _ => (
            tx.insert_user(user, now_ms)?,
            AuditAction::UserCreated,
            None,
        ),
    };
    if let Some(pending) = &pending {
        save_pending_address(
            tx,
            key,
            pending,
            audit_action == AuditAction::UserCreated,
            now,
        )?;
    }
    // A connected user's name, User-ID, activation or address changed: the
    // identity provider's account follows.
    if idp_on
        && before
            .as_ref()
            .is_some_and(|b| matches!(b.connection, Connection::Connected { .. }))
    {
        tx.mark_idp_push(key, now)?;
    }
    let connection = pending
        .or_else(|| before.as_ref().map(|b| b.connection.clone()))
        .unwrap_or_default();
    tx.append_audit(
        &AuditEntry::new(now, actor, audit_action)
            .about(key, user.user_id.to_string())
            .before(before.map(|b| snapshot(&b.user, &b.connection)))
            .after(snapshot(user, &connection)),
    )
}

/// The sheets beside Employees/users, planned on the users as the rows
/// left them and written in the same transaction.
fn import_sheets_in(
    tx: &crate::store::WriteTx<'_>,
    table: &RawTable,
    operator: &super::operator::Operator,
    now: jiff::Timestamp,
    actor: &str,
) -> Result<crate::domain::authorisation_sheets::AuthorisationPlan, StoreError> {
    let parsed = parse_sheets(&table.sheets);
    // Sheets with no rows (an export's, with no roles given) change
    // nothing: the register is not read again for them.
    if parsed.is_empty() {
        return Ok(crate::domain::authorisation_sheets::AuthorisationPlan::default());
    }
    let users = tx.load_users()?;
    let snapshot = Snapshot {
        users: &users,
        pending: None,
        custom_roles: tx.custom_roles()?,
        everyone: tx.all_roles()?,
        codes: tx.account_codes()?,
        day: super::roles::day_in(&tx.load_settings()?, now),
    };
    let sheets = plan_sheets(&parsed, &snapshot, operator);
    apply(tx, &sheets, &users, now, actor)?;
    Ok(sheets)
}

/// Saves a row's new pending address; for an existing user, older links and
/// queued verifications die.
fn save_pending_address(
    tx: &crate::store::WriteTx<'_>,
    key: crate::domain::UserKey,
    pending: &Connection,
    created: bool,
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    let now_ms = now.as_millisecond();
    if created {
        return tx.add_connection(key, pending, now_ms);
    }
    tx.supersede_tokens(key, now)?;
    tx.cancel_queued(
        key,
        MessageKind::Verification,
        "not sent: the address was changed by an import",
    )?;
    tx.set_connection(key, pending, now_ms)
}

/// A role limited to departments or offices imports only there: other rows
/// are rejected with the reason.
fn within_limits(
    plan: &mut ImportPlan,
    index: &RegisterIndex<'_>,
    operator: &super::operator::Operator,
    login: &LoginRule,
) {
    plan.reject_where(index, &|department, office| {
        operator
            .may_for(Permission::UsersEdit, department, office)
            .map_err(|refused| refused.sentence)
    });
    if let Err(refused) = operator.may(Permission::Roles) {
        plan.reject_login_field_changes(index, &login.holders, login.field, &refused.sentence);
    }
    if login.idp_on {
        plan.note_identity_provider(index);
    }
}

/// Who holds a role, and the field that names who is working: a row may
/// change that field of a role holder only with the permission *Roles*.
pub(super) struct LoginRule {
    holders: std::collections::HashSet<crate::domain::UserKey>,
    field: crate::domain::settings::OperatorField,
    /// Provisioning is on: rows of connected users say the account follows.
    idp_on: bool,
}

impl LoginRule {
    fn read(
        everyone: &[(
            crate::domain::UserKey,
            Vec<crate::domain::roles::Assignment>,
        )],
        settings: &crate::domain::Settings,
    ) -> Self {
        Self {
            holders: everyone
                .iter()
                .filter(|(_, held)| !held.is_empty())
                .map(|(key, _)| *key)
                .collect(),
            field: settings.operator_field,
            idp_on: settings.idp.is_on(),
        }
    }
}

/// What a committed import did.
#[derive(Debug)]
pub struct Imported {
    /// The plan as applied.
    pub plan: Arc<ImportPlan>,
    /// The backup taken first, if anything was to change.
    pub backup: Option<PathBuf>,
}

/// What the register looked like when a dry run was made: if it still looks
/// so at commit, the dry run's plan is applied as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegisterStamp {
    last_change_ms: i64,
    users: usize,
}

impl From<(i64, usize)> for RegisterStamp {
    /// The stamp of the newest change stamp of any user and the users'
    /// count (`ImportReads::change_and_count`).
    fn from((last_change_ms, users): (i64, usize)) -> Self {
        Self {
            last_change_ms,
            users,
        }
    }
}

/// Commits the import of `table`: a backup, then every row in one transaction.
/// Nothing is written when no row creates or changes a user.
pub fn commit_import(session: &mut Session, table: &RawTable) -> Result<Imported, ImportError> {
    commit_planned(session, table, None)
}

/// Commits a dry run's `plan` made at `stamp`; if the register changed since,
/// the rows are planned again inside the transaction.
pub fn commit_planned(
    session: &mut Session,
    table: &RawTable,
    planned: Option<(Arc<ImportPlan>, RegisterStamp)>,
) -> Result<Imported, ImportError> {
    commit_planned_with_progress(session, table, planned, &Progress::default())
}

/// [`commit_planned`], reporting the rows written to `progress`. Cancelling
/// rolls the whole transaction back: nothing is imported.
pub fn commit_planned_with_progress(
    session: &mut Session,
    table: &RawTable,
    planned: Option<(Arc<ImportPlan>, RegisterStamp)>,
    progress: &Progress,
) -> Result<Imported, ImportError> {
    let map = ColumnMap::new(&table.headers)?;
    if table.rows.is_empty() && table.sheets.is_empty() {
        return Ok(Imported {
            plan: Arc::default(),
            backup: None,
        });
    }
    // An import needs *Import and export*; each row is then held to the
    // operator's limits (`within_limits`).
    super::operator::check(
        session,
        crate::domain::roles::Permission::ImportExport,
        None,
    )?;
    let backup = backup_before_import(&session.store)?;
    // 16 MiB of pages: enough that an import of 100,000 users no longer spills
    // pages half way (measured: 64 MiB was no faster and cost 50 MB).
    session.store.set_page_cache_mib(16)?;
    // The register's stamp and its settings in one round trip on a shared
    // register (over a VPN, each read is 30 ms the import waits).
    let reads = session.store.import_reads()?;
    let unchanged_since = match planned {
        Some((plan, stamp)) if stamp == RegisterStamp::from(reads.change_and_count) => Some(plan),
        _ => None,
    };
    let operator = super::operator::operator(session)?;
    let settings = reads.settings;
    let idp_on = settings.idp.is_on();
    let written = session.write_audited_once(|tx, stamp| {
        let plan = if let Some(plan) = unchanged_since {
            plan
        } else {
            let users = tx.load_users()?;
            let index = RegisterIndex::new(&users);
            let mut plan = plan_import(table, &map, &index);
            let login = LoginRule::read(&tx.all_roles()?, &settings);
            within_limits(&mut plan, &index, &operator, &login);
            Arc::new(plan)
        };
        progress.start(Stage::Importing, plan.rows.len());
        tx.expect_new_users(plan.counts.create);
        for (index, row) in plan.rows.iter().enumerate() {
            if index % 1024 == 0 && !progress.advance(index) {
                return Err(ImportError::Cancelled);
            }
            write_row(tx, &row.action, stamp.now, &stamp.actor, idp_on)?;
        }
        if table.sheets.is_empty() {
            return Ok::<_, ImportError>(plan);
        }
        let authorisations = import_sheets_in(tx, table, &operator, stamp.now, &stamp.actor)?;
        if authorisations == crate::domain::authorisation_sheets::AuthorisationPlan::default() {
            // Sheets with no rows: the plan stands as it is (not copied).
            return Ok(plan);
        }
        let mut plan = ImportPlan::clone(&plan);
        plan.authorisations = authorisations;
        Ok(Arc::new(plan))
    });
    // Rows and sheets may have changed login fields or roles.
    super::operator::forget(session);
    let plan = match written {
        Ok(plan) => plan,
        Err(error) => {
            if matches!(error, ImportError::Cancelled)
                && let Some(backup) = &backup
            {
                // The register is as it was: the backup is not needed.
                if let Err(error) = std::fs::remove_file(backup) {
                    tracing::warn!("an unneeded backup could not be removed: {error}");
                }
            }
            return Err(error);
        }
    };
    if plan.changes() == 0 {
        // Nothing changed: the backup is not needed.
        if let Some(backup) = &backup
            && let Err(error) = std::fs::remove_file(backup)
        {
            tracing::warn!("an unneeded backup could not be removed: {error}");
        }
        return Ok(Imported { plan, backup: None });
    }
    Ok(Imported { plan, backup })
}

/// What happens to the register's backup when importing into it, as the
/// dry run says it: a file is copied first; a shared register relies on its
/// server's own backups.
pub fn backup_note(register: &Location) -> String {
    if register.is_shared() {
        t!("import-backup-shared")
    } else {
        t!("import-backup-file")
    }
}

/// A file register is copied first; a shared register is covered by its
/// server's own backups (the dry run says so).
fn backup_before_import(store: &Store) -> Result<Option<PathBuf>, ImportError> {
    match store.file() {
        Some(_) => Ok(Some(backup_register(store)?)),
        None => Ok(None),
    }
}

/// Why no backup was made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// A shared register is backed up by its server.
    #[error("a shared register is backed up by its server")]
    Shared,
    /// The register file's path has no folder.
    #[error("the register has no folder")]
    NoFolder,
    /// The copy failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Copies the register with SQLite's backup API to
/// `<name>.backup-<time>.db` beside it, keeping the newest [`BACKUPS_KEPT`].
pub fn backup_register(store: &Store) -> Result<PathBuf, BackupError> {
    let Some(register) = store.file() else {
        return Err(BackupError::Shared);
    };
    let Some(folder) = register.parent() else {
        return Err(BackupError::NoFolder);
    };
    let stem = register.file_stem().map_or_else(
        || "register".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%d-%H%M%S%.3f")
        .to_string();
    let path = folder.join(format!("{stem}.backup-{stamp}.db"));
    store.backup_to(&path)?;
    prune_backups(folder, &stem);
    Ok(path)
}

fn prune_backups(folder: &Path, stem: &str) {
    let prefix = format!("{stem}.backup-");
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let mut backups: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix))
                && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("db"))
        })
        .collect();
    backups.sort();
    let excess = backups.len().saturating_sub(BACKUPS_KEPT);
    for old in backups.into_iter().take(excess) {
        if let Err(error) = std::fs::remove_file(&old) {
            tracing::warn!("an old backup could not be removed: {error}");
        }
    }
}
