//! `Import`, `Export` and `Download template`: a file chosen with the
//! system's dialog (run off the UI thread) or typed, the import's dry run with
//! its rows, the commit, and exports; reading, checking, importing and
//! exporting show a progress bar and `Cancel`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::{Label, RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::file_chooser::{Chooser, FileFilter};
use crate::app::Location;
use crate::app::Session;
use crate::app::export::write_import_report;
use crate::app::import::{self, Imported, RegisterStamp, commit_planned_with_progress};
use crate::app::progress::{Progress, Stage};
use crate::domain::import::{ImportPlan, RawTable};
use crate::domain::{Listing, UserRecord};

use super::file_chooser::SaveAs;
use super::format::file_stamp;
use super::format::{ERROR_RED, GREEN, users};
use super::tasks::{Task, progress_ui};

/// What the sheet window is doing.
pub enum SheetView {
    /// Choosing the file to import.
    ChooseImport(Chooser),
    /// Reading the file and planning the import.
    Reading(Task<ReadAndPlan>, PathBuf),
    /// The dry run, waiting for `Import`.
    Preview {
        /// The file's table.
        table: Arc<RawTable>,
        /// What importing would do.
        plan: Arc<ImportPlan>,
        /// The register when the plan was made.
        stamp: RegisterStamp,
        /// `Save report…`: where the report goes, and where it went.
        report: SaveAs,
    },
    /// Committing (the file's table kept for the report afterwards).
    Committing(Task<Imported>, Arc<RawTable>),
    /// Imported: what was done, with the row report still there to read
    /// and save.
    Imported {
        /// "Imported: N created, M updated."
        summary: String,
        /// The file's table.
        table: Arc<RawTable>,
        /// What the import did, row by row.
        plan: Arc<ImportPlan>,
        /// `Save report…`: where the report goes, and where it went.
        report: SaveAs,
    },
    /// Choosing where to export, and what.
    ChooseExport {
        /// The file.
        chooser: Chooser,
        /// Everyone rather than the selection.
        everyone: bool,
    },
    /// Exporting.
    Exporting(Task<String>),
    /// Choosing where to write the empty template.
    ChooseTemplate(Chooser),
    /// Writing a file.
    Writing(Task<String>),
    /// Choosing a spreadsheet of account codes (Dimension, Code, Name).
    ChooseCodes(Chooser),
    /// Importing account codes.
    ImportingCodes(Task<String>),
    /// A result to read, in the window of the flow it ends (its title).
    Finished(&'static str, Result<String, String>),
}

/// The window's title in each flow (a text key): its result is shown under
/// the same one.
const IMPORT: &str = "toolbar-import";
const EXPORT: &str = "toolbar-export";
const TEMPLATE: &str = "toolbar-template";
const CODES: &str = "codes-import-title";

/// The spreadsheets the import reads and the export writes.
const SPREADSHEETS: FileFilter = (
    "xlsx, xlsm, xls, ods, csv",
    &["xlsx", "xlsm", "xls", "ods", "csv"],
);

/// A file read and its dry run, with the register's stamp at that moment.
type ReadAndPlan = (Arc<RawTable>, Arc<ImportPlan>, RegisterStamp);

fn read_and_plan(
    register: &Location,
    file: &Path,
    progress: &Progress,
) -> Result<ReadAndPlan, String> {
    let dry_run = import::read_and_plan(register, file, progress).map_err(|e| e.to_string())?;
    Ok((
        Arc::new(dry_run.table),
        Arc::new(dry_run.plan),
        dry_run.stamp,
    ))
}

/// Draws the sheet window; returns false when it should close.
pub fn sheet_ui(
    ctx: &egui::Context,
    view: &mut SheetView,
    session: &Session,
    listing: &Listing,
) -> bool {
    let mut open = true;
    let mut next = None;
    let title = match view {
        SheetView::ChooseExport { .. } | SheetView::Exporting(_) => EXPORT,
        SheetView::ChooseTemplate(_) | SheetView::Writing(_) => TEMPLATE,
        SheetView::ChooseCodes(_) | SheetView::ImportingCodes(_) => CODES,
        SheetView::Finished(title, _) => title,
        _ => IMPORT,
    };
    let name = crate::i18n::text(crate::i18n::window_language(), title, &[]);
    egui::Window::new(name.as_str())
        .id(egui::Id::unique("sheet_window"))
        .title_bar(false)
        .default_size([720.0, 460.0])
        .show(ctx, |ui| {
            super::a11y::window_title_ui(ui, &name, &mut open);
            next = contents_ui(ui, view, session, listing);
        });
    if let Some(next) = next {
        *view = next;
    }
    open
}

// One short arm per state of the window; splitting them apart would scatter one flow.
#[allow(clippy::too_many_lines)]
fn contents_ui(
    ui: &mut Ui,
    view: &mut SheetView,
    session: &Session,
    listing: &Listing,
) -> Option<SheetView> {
    let register = session.location().clone();
    match view {
        SheetView::ChooseImport(chooser) => {
            ui.label(t!("import-choose"));
            // Enter in the path field reads the file, as the button does.
            let entered = chooser.ui(ui, false, "", SPREADSHEETS);
            let file = chooser.chosen();
            let read = ui
                .add_enabled(file.is_some(), egui::Button::new(t!("import-read")))
                .clicked();
            if (read || entered) && file.is_some() {
                let file = file?;
                let reading = file.clone();
                return Some(SheetView::Reading(
                    Task::spawn(ui.ctx(), "import-read", move |progress| {
                        read_and_plan(&register, &reading, progress)
                    }),
                    file,
                ));
            }
            None
        }
        SheetView::Reading(task, file) => {
            progress_ui(ui, task.progress());
            let cancel = ui.button(t!("cancel")).clicked();
            match task.result() {
                _ if cancel => {
                    task.cancel();
                    Some(SheetView::ChooseImport(Chooser::default()))
                }
                Some(Ok((table, plan, stamp))) => Some(SheetView::Preview {
                    table: Arc::clone(table),
                    plan: Arc::clone(plan),
                    stamp: *stamp,
                    report: SaveAs::default(),
                }),
                // The File field stays, with the path and why it was refused.
                Some(Err(error)) => Some(SheetView::ChooseImport(Chooser::refused(
                    file,
                    t!("import-nothing", error = error),
                ))),
                None => None,
            }
        }
        SheetView::Preview {
            table,
            plan,
            stamp,
            report,
        } => preview_ui(ui, table, plan, *stamp, report, &register),
        SheetView::Committing(task, table) => {
            let progress = task.progress();
            ui.label(if register.is_shared() {
                t!("import-committing-shared")
            } else {
                t!("import-committing")
            });
            progress_ui(ui, progress);
            if ui
                .add_enabled(!progress.is_cancelled(), egui::Button::new(t!("cancel")))
                .on_hover_text(t!("import-cancel-hint"))
                .clicked()
            {
                progress.cancel();
            }
            task.result().map(|result| match result {
                Ok(imported) => SheetView::Imported {
                    summary: match &imported.backup {
                        Some(backup) => t!(
                            "import-done-backup",
                            created = imported.plan.counts.create,
                            updated = imported.plan.counts.update,
                            backup = backup.display().to_string()
                        ),
                        None => t!(
                            "import-done",
                            created = imported.plan.counts.create,
                            updated = imported.plan.counts.update
                        ),
                    },
                    table: Arc::clone(table),
                    plan: Arc::clone(&imported.plan),
                    report: SaveAs::default(),
                },
                Err(_) if progress.is_cancelled() => {
                    SheetView::Finished(IMPORT, Err(t!("import-cancelled")))
                }
                Err(error) => {
                    SheetView::Finished(IMPORT, Err(t!("import-nothing", error = error.clone())))
                }
            })
        }
        SheetView::Imported {
            summary,
            table,
            plan,
            report,
        } => {
            ui.label(RichText::new(summary.as_str()).color(GREEN));
            for line in plan.authorisations.lines() {
                ui.label(line);
            }
            ui.horizontal(|ui| {
                save_report_ui(ui, table, plan, report);
            });
            ui.separator();
            rows_ui(ui, plan);
            None
        }
        SheetView::ChooseExport {
            chooser,
            everyone: all,
        } => export_choice_ui(ui, chooser, all, listing, session.location()),
        SheetView::Exporting(task) => {
            progress_ui(ui, task.progress());
            // Once the file is being saved, it is saved whole: no Cancel.
            let saving = task.progress().now().0 == Stage::Saving;
            if ui
                .add_enabled(!saving, egui::Button::new(t!("cancel")))
                .clicked()
            {
                task.cancel();
            }
            task.result()
                .map(|result| SheetView::Finished(EXPORT, result.clone()))
        }
        SheetView::ChooseTemplate(chooser) => {
            ui.label(t!("template-text"));
            chooser.ui(ui, true, "employees-users-template.xlsx", SPREADSHEETS);
            let file = chooser.chosen();
            if ui
                .add_enabled(file.is_some(), egui::Button::new(t!("template-save")))
                .clicked()
            {
                let file = file?;
                return Some(SheetView::Writing(Task::spawn(
                    ui.ctx(),
                    "template",
                    move |_| {
                        crate::app::export::write_template(&file)
                            .map(|()| t!("template-saved", path = file.display().to_string()))
                            .map_err(|e| e.to_string())
                    },
                )));
            }
            None
        }
        SheetView::ChooseCodes(chooser) => codes_choice_ui(ui, chooser, session),
        SheetView::ImportingCodes(task) => {
            ui.spinner();
            task.result()
                .map(|result| SheetView::Finished(CODES, result.clone()))
        }
        SheetView::Writing(task) => {
            ui.spinner();
            task.result()
                .map(|result| SheetView::Finished(TEMPLATE, result.clone()))
        }
        SheetView::Finished(_, result) => {
            match result {
                Ok(text) => ui.label(RichText::new(text.as_str()).color(GREEN)),
                Err(text) => ui.label(RichText::new(text.as_str()).color(ERROR_RED)),
            };
            None
        }
    }
}

/// Which spreadsheet of account codes; starts their import on a thread.
fn codes_choice_ui(ui: &mut Ui, chooser: &mut Chooser, session: &Session) -> Option<SheetView> {
    ui.label(t!("codes-import-text"));
    chooser.ui(ui, false, "account-codes.xlsx", SPREADSHEETS);
    let file = chooser.chosen();
    if !ui
        .add_enabled(file.is_some(), egui::Button::new(t!("codes-import-button")))
        .clicked()
    {
        return None;
    }
    let file = file?;
    let reopen = session.reopener();
    Some(SheetView::ImportingCodes(Task::spawn(
        ui.ctx(),
        "account-codes",
        move |_| {
            let mut session = reopen().map_err(|e| e.to_string())?;
            crate::app::account_codes::import_account_codes_file(&mut session, &file)
                .map(|count| t!("cli-codes-imported", count = count))
                .map_err(|e| e.to_string())
        },
    )))
}

/// What to export and where; starts the export.
fn export_choice_ui(
    ui: &mut Ui,
    chooser: &mut Chooser,
    all: &mut bool,
    listing: &Listing,
    register: &Location,
) -> Option<SheetView> {
    ui.radio_value(
        all,
        false,
        t!("export-selection", users = users(listing.visible_len())),
    );
    ui.radio_value(
        all,
        true,
        t!("export-everyone", users = users(listing.total())),
    );
    ui.weak(t!("export-type-note"));
    chooser.ui(ui, true, "employees-users.xlsx", SPREADSHEETS);
    let file = chooser.chosen();
    if ui
        .add_enabled(file.is_some(), egui::Button::new(t!("toolbar-export")))
        .clicked()
    {
        let file = file?;
        // The same rule as `hrm-users export`: .xlsx or .csv, else said.
        if let Err(refused) = crate::app::export::export_format(&file) {
            *chooser = Chooser::refused(&file, refused.to_string());
            return None;
        }
        let users: Vec<UserRecord> = if *all {
            listing.all_records().to_vec()
        } else {
            listing.visible_records().cloned().collect()
        };
        let register = register.clone();
        let total = users.len();
        let task = Task::spawn(ui.ctx(), "export", move |progress| {
            let finished = crate::app::export::export_users(&register, &file, &users, progress)
                .map_err(|e| e.to_string())?;
            if finished {
                Ok(t!(
                    "export-done",
                    users = super::format::users(total),
                    path = file.display().to_string()
                ))
            } else {
                Err(t!("export-cancelled"))
            }
        });
        return Some(SheetView::Exporting(task));
    }
    None
}

fn preview_ui(
    ui: &mut Ui,
    table: &Arc<RawTable>,
    plan: &Arc<ImportPlan>,
    stamp: RegisterStamp,
    report: &mut SaveAs,
    register: &Location,
) -> Option<SheetView> {
    let c = &plan.counts;
    ui.label(
        RichText::new(t!(
            "import-counts",
            create = c.create,
            update = c.update,
            unchanged = c.unchanged,
            rejected = c.rejected,
            notes = c.notes
        ))
        .strong(),
    );
    for (index, line) in plan.authorisations.lines().into_iter().enumerate() {
        if index == 0 {
            ui.label(RichText::new(line).strong());
        } else {
            ui.label(RichText::new(line).color(ERROR_RED));
        }
    }
    if !plan.unknown_columns.is_empty() {
        ui.label(t!(
            "import-ignored-columns",
            columns = plan.unknown_columns.join(", ")
        ));
    }
    ui.weak(t!("import-pending-note"));
    ui.weak(import::backup_note(register));
    let mut next = None;
    ui.horizontal(|ui| {
        let changes = plan.changes();
        let label = if plan.authorisations.is_empty() {
            t!("import-button", count = changes)
        } else {
            t!("import-button-changes", count = changes)
        };
        if ui
            .add_enabled(changes > 0, egui::Button::new(label))
            .clicked()
        {
            let register = register.clone();
            let table = Arc::clone(table);
            let plan = Arc::clone(plan);
            let kept = Arc::clone(&table);
            next = Some(SheetView::Committing(
                Task::spawn(ui.ctx(), "import-commit", move |progress| {
                    let mut session = Session::open(&register).map_err(|e| e.to_string())?;
                    commit_planned_with_progress(
                        &mut session,
                        &table,
                        Some((plan, stamp)),
                        progress,
                    )
                    .map_err(|e| e.to_string())
                }),
                kept,
            ));
        }
        save_report_ui(ui, table, plan, report);
    });
    ui.separator();
    rows_ui(ui, plan);
    next
}

/// `Save report` and where the report went, before and after the import.
fn save_report_ui(ui: &mut Ui, table: &Arc<RawTable>, plan: &Arc<ImportPlan>, report: &mut SaveAs) {
    let (table, plan) = (Arc::clone(table), Arc::clone(plan));
    report.ui(
        ui,
        &t!("import-save-report"),
        &t!(
            "file-import-report-name",
            stamp = file_stamp(jiff::Timestamp::now())
        ),
        ("Excel", &["xlsx"]),
        move |path| {
            write_import_report(path, &table, &plan)
                .map_err(|e| t!("not-saved", error = e.to_string()))
        },
    );
}

fn rows_ui(ui: &mut Ui, plan: &ImportPlan) {
    // "Changes only" hides rows that change nothing and say nothing; the
    // choice is kept while the window is open.
    let id = ui.scope_id().with("import_changes_only");
    // On by default: a re-import lists what changes, not 100,000 unchanged rows.
    let mut changes_only = ui.data_mut(|d| *d.get_temp_mut_or(id, true));
    ui.checkbox(&mut changes_only, t!("import-changes-only"));
    ui.data_mut(|d| d.insert_temp(id, changes_only));
    let rows: Vec<&crate::domain::import::RowPlan> = plan
        .rows
        .iter()
        .filter(|r| !changes_only || r.changes_or_notes())
        .collect();
    TableBuilder::new(ui)
        .id_salt("import_rows")
        .striped(true)
        .column(Column::initial(50.0))
        .column(Column::initial(80.0).clip(true))
        .column(Column::initial(80.0))
        .column(Column::remainder().clip(true))
        .header(20.0, |mut header| {
            for title in [
                t!("import-column-row"),
                t!("column-user-id"),
                t!("import-column-status"),
                t!("import-column-what"),
            ] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(20.0, rows.len(), |mut row| {
                let Some(plan_row) = rows.get(row.index()) else {
                    return;
                };
                let message = plan_row.message();
                let status = plan_row.action.status_label();
                for text in [
                    plan_row.row.to_string().as_str(),
                    plan_row.user_id.as_str(),
                    status.as_str(),
                ] {
                    row.col(|ui| {
                        ui.add(Label::new(text).truncate());
                    });
                }
                // A long note is cut to the column: the whole of it on hover.
                row.col(|ui| {
                    let label = ui.add(
                        Label::new(message.as_str())
                            .truncate()
                            .show_tooltip_when_elided(false),
                    );
                    if !message.is_empty() {
                        label.on_hover_text(message.as_str());
                    }
                });
            });
        });
}
