//! The Employees/users spreadsheet on disk: reading xlsx, xlsm, xls and ods
//! (calamine) and csv, with every limit checked before anything big is
//! loaded; writing the template, exports and import reports (`rust_xlsxwriter`).

mod cfb_check;
mod read;
mod write;
mod xls_check;

pub use read::{
    Limits, RowProgress, SheetError, read_table, read_table_bytes, read_table_with_progress,
};
pub use write::{
    ExportFormat, WriteError, csv_safe, export_users, user_cells, write_report, write_template,
};

/// A spreadsheet format, by file extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Excel workbook.
    Xlsx,
    /// Excel workbook with macros (read only).
    Xlsm,
    /// Excel 97–2003 workbook (read only).
    Xls,
    /// OpenDocument spreadsheet (read only).
    Ods,
    /// Comma-, semicolon- or tab-separated text.
    Csv,
}

impl Format {
    /// The format a file name's extension names.
    pub fn of(path: &std::path::Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_lowercase();
        match extension.as_str() {
            "xlsx" => Some(Self::Xlsx),
            "xlsm" => Some(Self::Xlsm),
            "xls" => Some(Self::Xls),
            "ods" => Some(Self::Ods),
            "csv" | "txt" | "tsv" => Some(Self::Csv),
            _ => None,
        }
    }
}
