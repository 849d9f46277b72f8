//! `import`, `export` and `template`: the Employees/users spreadsheet.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use crate::app::Session;
use crate::app::export::{read_spreadsheet, write_import_report};
use crate::app::import::{commit_import, plan_table_import};
use crate::domain::import::{ImportPlan, RowAction};
use crate::domain::{Listing, UserFilter};

use super::Refused;

fn print_counts(out: &mut impl std::io::Write, plan: &ImportPlan) -> std::io::Result<()> {
    let c = &plan.counts;
    writeln!(
        out,
        "{}",
        t!(
            "cli-import-counts",
            create = c.create,
            update = c.update,
            unchanged = c.unchanged,
            rejected = c.rejected,
            notes = c.notes
        )
    )?;
    for line in plan.authorisations.lines() {
        writeln!(out, "{}", super::printable(&line))?;
    }
    if !plan.unknown_columns.is_empty() {
        writeln!(
            out,
            "{}",
            t!(
                "cli-import-ignored",
                columns = super::printable(&plan.unknown_columns.join(", "))
            )
        )?;
    }
    for row in &plan.rows {
        if row.action != RowAction::Unchanged || !row.notes.is_empty() {
            writeln!(
                out,
                "row {}  {}  {}  {}",
                row.row,
                super::printable(&row.user_id),
                row.action.status(),
                super::printable(&row.message())
            )?;
        }
    }
    Ok(())
}

/// `import FILE [--dry-run] [--report REPORT.xlsx]`.
pub fn import(
    session: &mut Session,
    file: &Path,
    dry_run: bool,
    report: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let table = read_spreadsheet(file).map_err(|e| Refused(e.to_string()))?;
    let plan = if dry_run {
        plan_table_import(session, &table).map(std::sync::Arc::new)
    } else {
        commit_import(session, &table).map(|imported| imported.plan)
    }
    .map_err(|e| match e {
        crate::app::import::ImportError::Header(h) => anyhow::Error::new(Refused(h.to_string())),
        other => anyhow::Error::new(other),
    })?;
    let mut out = std::io::stdout().lock();
    print_counts(&mut out, &plan)?;
    if let Some(report) = report {
        write_import_report(report, &table, &plan)?;
        writeln!(
            out,
            "{}",
            t!("cli-report-written", path = report.display().to_string())
        )?;
    }
    let changes = plan.changes();
    if dry_run {
        writeln!(
            out,
            "{}",
            crate::app::import::backup_note(session.location())
        )?;
        writeln!(out, "{}", t!("cli-dry-run-imported"))?;
        return Ok(ExitCode::SUCCESS);
    }
    if changes == 0 && plan.counts.rejected > 0 {
        out.flush()?;
        return Err(Refused(t!("cli-all-rejected")).into());
    }
    writeln!(
        out,
        "{}",
        t!(
            "import-done",
            created = plan.counts.create,
            updated = plan.counts.update
        )
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `export FILE` (xlsx or csv by extension) with the selection options.
pub fn export(session: &Session, file: &Path, filter: &UserFilter) -> anyhow::Result<ExitCode> {
    use crate::app::export::{ExportError, export_format, export_users};
    export_format(file).map_err(|e| Refused(e.to_string()))?;
    let mut listing = Listing::new(session.load_users()?);
    listing.set_filter(filter.clone());
    let users: Vec<_> = listing.visible_records().cloned().collect();
    match export_users(
        session.location(),
        file,
        &users,
        &crate::app::progress::Progress::default(),
    ) {
        Ok(_) => {}
        Err(ExportError::Type(path)) => {
            return Err(Refused(t!("cli-export-type", path = path)).into());
        }
        Err(error) => return Err(error.into()),
    }
    super::users::say(&t!(
        "export-done",
        users = t!("users-count", count = listing.visible_len()),
        path = file.display().to_string()
    ))
}

/// `template FILE`: an empty template.
pub fn template(file: &Path) -> anyhow::Result<ExitCode> {
    crate::app::export::write_template(file)?;
    super::users::say(&t!(
        "cli-template-written",
        path = file.display().to_string()
    ))
}
