//! Writing the template, exports of users and import reports. Every cell is
//! written as text, so a value that looks like a formula (`=`, `+`, `-`, `@`,
//! tab, carriage return, line feed: OWASP's CSV-injection list) stays text.

use std::path::Path;

use rust_xlsxwriter::{Format as CellFormat, Workbook, XlsxError};

use crate::domain::authorisation_sheets::ExtraSheet;
use crate::domain::import::{ImportPlan, RawTable};
use crate::domain::{Email, TemplateColumn, UserRecord};
use crate::i18n::Language;

/// The sheet name of the template in `language` (a `/` is not allowed in
/// sheet names; the first sheet is read whatever its name).
fn users_sheet_name(language: Language) -> &'static str {
    match language {
        Language::English => "Employees-users",
        Language::Swedish => "Anställda-användare",
    }
}

pub use crate::domain::template::ExportFormat;

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The workbook writer.
    #[error("{}", t!("sheet-write-xlsx", error = .0.to_string()))]
    Xlsx(#[from] XlsxError),
    /// The file system.
    #[error("{}", t!("sheet-write-file", error = .0.to_string()))]
    Io(#[from] std::io::Error),
    /// The CSV writer.
    #[error("{}", t!("sheet-write-file", error = .0.to_string()))]
    Csv(#[from] csv::Error),
}

/// The template's cells of one user, in column order, in `language`
/// (*User is activated* says Yes/No or Ja/Nej; both are read back).
pub fn user_cells(record: &UserRecord, language: Language) -> [String; 13] {
    TemplateColumn::ALL.map(|column| {
        if column == TemplateColumn::Activated && language == Language::Swedish {
            return if record.user.activated { "Ja" } else { "Nej" }.to_owned();
        }
        column.user_text(&record.user).unwrap_or_else(|| {
            record
                .connection
                .email()
                .map(Email::to_string)
                .unwrap_or_default()
        })
    })
}

fn header_format() -> CellFormat {
    CellFormat::new().set_bold()
}

fn new_sheet(
    workbook: &mut Workbook,
    headers: &[&str],
    language: Language,
) -> Result<(), XlsxError> {
    new_named_sheet(workbook, users_sheet_name(language), headers)
}

fn new_named_sheet(
    workbook: &mut Workbook,
    name: &str,
    headers: &[impl AsRef<str>],
) -> Result<(), XlsxError> {
    let sheet = workbook.add_worksheet();
    sheet.set_name(name)?;
    let bold = header_format();
    for (column, header) in (0_u16..).zip(headers) {
        sheet.write_string_with_format(0, column, header.as_ref(), &bold)?;
        sheet.set_column_width(column, 18)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Writes an empty template in `language`: Employees/users, then the
/// sheets Roles, Authorisations and Audit of account code with their
/// headers (a file in either language is read back).
pub fn write_template(path: &Path, language: Language) -> Result<(), WriteError> {
    let mut workbook = Workbook::new();
    new_sheet(
        &mut workbook,
        &TemplateColumn::ALL.map(|c| c.header_in(language)),
        language,
    )?;
    write_extra_sheets(&mut workbook, &[], language)?;
    workbook.save(path)?;
    Ok(())
}

/// Adds the sheets Roles, Authorisations and Audit of account code with
/// `rows` (by sheet; a sheet not given gets its headers only).
fn write_extra_sheets(
    workbook: &mut Workbook,
    rows: &[(ExtraSheet, Vec<Vec<String>>)],
    language: Language,
) -> Result<(), XlsxError> {
    for (index, kind) in (1..).zip(ExtraSheet::ALL) {
        new_named_sheet(workbook, kind.name_in(language), &kind.headers_in(language))?;
        let sheet = workbook.worksheet_from_index(index)?;
        let Some((_, cells)) = rows.iter().find(|(k, _)| *k == kind) else {
            continue;
        };
        for (row, cells) in (1_u32..).zip(cells) {
            for (column, cell) in (0_u16..).zip(cells) {
                if !cell.is_empty() {
                    sheet.write_string(row, column, cell)?;
                }
            }
        }
    }
    Ok(())
}

/// Writes users in the template, as xlsx (with the sheets `extra`: Roles,
/// Authorisations, Audit of account code) or csv (users only). `progress`
/// is told the number of rows written now and then, and all of them once
/// more before the file is saved; returning false stops the export (and
/// nothing is written).
pub fn export_users<'a>(
    path: &Path,
    format: ExportFormat,
    users: impl ExactSizeIterator<Item = &'a UserRecord>,
    extra: &[(ExtraSheet, Vec<Vec<String>>)],
    language: Language,
    mut progress: impl FnMut(usize) -> bool,
) -> Result<bool, WriteError> {
    let headers = TemplateColumn::ALL.map(|c| c.header_in(language));
    let total = users.len();
    match format {
        ExportFormat::Xlsx => {
            let mut workbook = Workbook::new();
            new_sheet(&mut workbook, &headers, language)?;
            let sheet = workbook.worksheet_from_index(0)?;
            for (index, record) in users.enumerate() {
                let row = u32::try_from(index + 1).unwrap_or(u32::MAX);
                for (column, cell) in (0_u16..).zip(user_cells(record, language)) {
                    if !cell.is_empty() {
                        sheet.write_string(row, column, cell)?;
                    }
                }
                if index % 5000 == 0 && !progress(index) {
                    return Ok(false);
                }
            }
            write_extra_sheets(&mut workbook, extra, language)?;
            if !progress(total) {
                return Ok(false);
            }
            workbook.save(path)?;
        }
        ExportFormat::Csv => {
            let mut out = Vec::with_capacity(users.len() * 120);
            out.extend_from_slice(b"\xEF\xBB\xBF");
            let mut writer = csv::WriterBuilder::new()
                .delimiter(b';')
                .quote_style(csv::QuoteStyle::Always)
                .from_writer(&mut out);
            writer.write_record(headers)?;
            for (index, record) in users.enumerate() {
                writer.write_record(
                    user_cells(record, language)
                        .iter()
                        .map(|c| csv_safe(c).into_owned()),
                )?;
                if index % 5000 == 0 && !progress(index) {
                    return Ok(false);
                }
            }
            writer.flush()?;
            drop(writer);
            if !progress(total) {
                return Ok(false);
            }
            std::fs::write(path, out)?;
        }
    }
    Ok(true)
}

/// The first characters that make a spreadsheet take a cell for a formula.
const FORMULA_STARTS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\n'];

/// True when a cell needs the protection: it starts with a formula
/// character, after any `'` already in front of it. A value that itself
/// starts with `'` and a formula character is protected too, so that the
/// import, which takes exactly one `'` off such a cell, gives it back as it was.
fn needs_protection(cell: &str) -> bool {
    cell.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// A cell a spreadsheet would take for a formula gets a leading `'` (OWASP).
pub fn csv_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if needs_protection(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Undoes exactly what [`csv_safe`] adds: `csv_unprotect(csv_safe(x)) == x`
/// for every `x`. Used on every cell of an imported csv file.
pub fn csv_unprotect(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_protection(rest) => rest,
        _ => cell,
    }
}

/// The import report: the file's own columns, then Status and Message per row.
pub fn write_report(path: &Path, table: &RawTable, plan: &ImportPlan) -> Result<(), WriteError> {
    let mut headers: Vec<&str> = table.headers.iter().map(String::as_str).collect();
    headers.push("Status");
    headers.push("Message");
    let mut workbook = Workbook::new();
    // The report keeps the codes scripts read (Status: create, update, …).
    new_sheet(&mut workbook, &headers, Language::English)?;
    let sheet = workbook.worksheet_from_index(0)?;
    let by_row: std::collections::HashMap<usize, &crate::domain::import::RowPlan> =
        plan.rows.iter().map(|r| (r.row, r)).collect();
    let status_column = u16::try_from(table.headers.len()).unwrap_or(u16::MAX - 1);
    sheet.set_column_width(status_column + 1, 60)?;
    for (line, (row_number, cells)) in (1_u32..).zip(&table.rows) {
        for (column, cell) in (0_u16..).zip(cells) {
            if !cell.is_empty() {
                sheet.write_string(line, column, cell)?;
            }
        }
        if let Some(plan_row) = by_row.get(row_number) {
            sheet.write_string(line, status_column, plan_row.action.status())?;
            sheet.write_string(line, status_column + 1, plan_row.message())?;
        }
    }
    workbook.save(path)?;
    Ok(())
}

#[cfg(test)]
mod csv_protection_tests {
    use super::*;

    #[test]
    fn protection_round_trips_exactly() {
        for value in [
            "+bob@company.se",
            "-1",
            "=SUM(A1)",
            "@x",
            "'+already",
            "''=two",
            "'plain",
            "plain",
            "",
            "'",
            "\tx",
        ] {
            assert_eq!(csv_unprotect(&csv_safe(value)), value, "{value:?}");
        }
        assert_eq!(csv_safe("+bob@company.se"), "'+bob@company.se");
        assert_eq!(csv_safe("'plain"), "'plain");
    }
}
