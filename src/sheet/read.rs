//! Reading a spreadsheet into a [`RawTable`]. Hostile files are expected:
//! sizes are checked before loading (a 2 KB xlsx can claim a sheet of
//! billions of cells, calamine#693, and a zip can inflate a thousandfold), so
//! xlsx sheets are streamed cell by cell and never allocated from the size
//! they claim.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use calamine::{Data, DataRef, Reader as _, Xlsx};

use super::Format;
use crate::domain::authorisation_sheets::{ExtraSheet, NamedSheet};
use crate::domain::import::RawTable;

/// How much a file may hold.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Bytes of the file.
    pub max_file_bytes: u64,
    /// Bytes of all parts of a zip-based file, unpacked.
    pub max_unpacked_bytes: u64,
    /// Rows, the header included.
    pub max_rows: usize,
    /// Cells with a value.
    pub max_cells: usize,
    /// Columns.
    pub max_columns: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 256 * 1024 * 1024,
            max_unpacked_bytes: 1024 * 1024 * 1024,
            max_rows: 1_000_000,
            max_cells: 20_000_000,
            max_columns: 256,
        }
    }
}

/// Why a file cannot be imported. Nothing is imported from it.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    /// The extension is not one the program reads.
    #[error("{}", t!("sheet-unknown-type", detail = .0.as_str()))]
    UnknownType(String),
    /// The file cannot be read.
    #[error("{}", t!("sheet-io", detail = .0.as_str()))]
    Io(String),
    /// Not a spreadsheet at all.
    #[error("{}", t!("sheet-not-a-spreadsheet", detail = .0.as_str()))]
    NotASpreadsheet(String),
    /// Password-protected.
    #[error("{}", t!("sheet-password"))]
    PasswordProtected,
    /// Damaged or truncated.
    #[error("{}", t!("sheet-damaged", detail = .0.as_str()))]
    Damaged(String),
    /// Over a limit.
    #[error("{}", t!("sheet-too-big", detail = .0.as_str()))]
    TooBig(String),
    /// No rows at all.
    #[error("{}", t!("sheet-empty"))]
    Empty,
    /// Stopped by the administrator.
    #[error("{}", t!("sheet-cancelled"))]
    Cancelled,
}

/// Told the number of rows read now and then; returns false to stop reading.
pub type RowProgress<'a> = &'a mut dyn FnMut(usize) -> bool;

/// Rows between two progress reports.
const PROGRESS_EVERY: usize = 1024;

fn report(progress: &mut dyn FnMut(usize) -> bool, rows: usize) -> Result<(), SheetError> {
    if rows % PROGRESS_EVERY == 1 && !progress(rows) {
        return Err(SheetError::Cancelled);
    }
    Ok(())
}

/// Reads the first sheet of the file at `path`.
pub fn read_table(path: &Path, limits: &Limits) -> Result<RawTable, SheetError> {
    read_table_with_progress(path, limits, &mut |_| true)
}

/// [`read_table`], telling `progress` how many rows are read now and then;
/// when it returns false, reading stops with [`SheetError::Cancelled`].
pub fn read_table_with_progress(
    path: &Path,
    limits: &Limits,
    progress: RowProgress<'_>,
) -> Result<RawTable, SheetError> {
    let format = Format::of(path).ok_or_else(|| {
        SheetError::UnknownType(
            path.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        )
    })?;
    // Only a regular file (a link to one is followed): a FIFO would hang the
    // read, a device such as /dev/zero would never end.
    let meta = std::fs::metadata(path).map_err(|e| SheetError::Io(e.to_string()))?;
    if !meta.is_file() {
        return Err(SheetError::Io(
            "it is not a regular file (a folder, device or pipe); choose a spreadsheet file".into(),
        ));
    }
    let too_big = |size: u64| {
        SheetError::TooBig(format!(
            "{} MB, more than {} MB",
            size / 1_048_576,
            limits.max_file_bytes / 1_048_576
        ))
    };
    if meta.len() > limits.max_file_bytes {
        return Err(too_big(meta.len()));
    }
    // The limit applies to the bytes actually read too: a file that grows
    // while it is read stops at the limit.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    std::fs::File::open(path)
        .and_then(|file| {
            std::io::Read::read_to_end(
                &mut std::io::Read::take(file, limits.max_file_bytes + 1),
                &mut bytes,
            )
        })
        .map_err(|e| SheetError::Io(e.to_string()))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(too_big(bytes.len() as u64));
    }
    guarded(|| read_unguarded(&bytes, format, limits, progress))
}

/// Reads the first sheet of a file's bytes.
///
/// calamine can panic on some damaged files (a slice index in its xls
/// container reader); such a panic is caught here and reported as a damaged
/// file, so no input takes the program down.
pub fn read_table_bytes(
    bytes: &[u8],
    format: Format,
    limits: &Limits,
) -> Result<RawTable, SheetError> {
    guarded(|| read_unguarded(bytes, format, limits, &mut |_| true))
}

/// Runs a read, turning a reader's panic into a damaged-file message.
fn guarded(read: impl FnOnce() -> Result<RawTable, SheetError>) -> Result<RawTable, SheetError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|_| {
        Err(SheetError::Damaged(
            "the reader could not make sense of its contents".into(),
        ))
    })
}

fn read_unguarded(
    bytes: &[u8],
    format: Format,
    limits: &Limits,
    progress: &mut dyn FnMut(usize) -> bool,
) -> Result<RawTable, SheetError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(SheetError::TooBig("the file is larger than allowed".into()));
    }
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let is_cfb = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    let rows = match format {
        Format::Csv => {
            if is_zip || is_cfb || bytes.contains(&0) {
                return Err(SheetError::NotASpreadsheet(
                    "it is a binary file, not text".into(),
                ));
            }
            read_csv(bytes, limits, progress)?
        }
        Format::Xlsx | Format::Xlsm => {
            if is_cfb {
                // An Office file that is not a zip: an encrypted workbook, or
                // an old .xls renamed. Told apart here, without calamine's
                // container reader (a damaged container made it abort).
                super::cfb_check::check(bytes).map_err(SheetError::Damaged)?;
                return Err(if super::xls_check::is_encrypted_package(bytes) {
                    SheetError::PasswordProtected
                } else {
                    SheetError::NotASpreadsheet(
                        "not an xlsx workbook; an xls file saved under another name?".into(),
                    )
                });
            }
            if !is_zip {
                return Err(SheetError::NotASpreadsheet("not an xlsx workbook".into()));
            }
            check_zip(bytes, limits)?;
            // The workbook is opened once for the first sheet and the others
            // (its shared strings are a good part of the reading).
            let (rows, sheets) = read_xlsx(bytes, limits, progress)?;
            let mut table = into_table(rows)?;
            table.sheets = sheets;
            return Ok(table);
        }
        Format::Ods => {
            if !is_zip {
                return Err(SheetError::NotASpreadsheet("not an ods spreadsheet".into()));
            }
            check_zip(bytes, limits)?;
            let mut workbook =
                calamine::Ods::new(Cursor::new(bytes)).map_err(|e| calamine_error(&e.into()))?;
            let range = first_range(&mut workbook)?;
            range_rows(&range, limits, progress)?
        }
        Format::Xls => {
            if !is_cfb {
                return Err(SheetError::NotASpreadsheet("not an xls workbook".into()));
            }
            super::cfb_check::check(bytes).map_err(SheetError::Damaged)?;
            let max_cells = u64::try_from(limits.max_cells).unwrap_or(u64::MAX);
            super::xls_check::check(bytes, max_cells).map_err(|e| match e {
                Some(damaged) => SheetError::Damaged(damaged),
                None => SheetError::TooBig(format!("a sheet spans more than {max_cells} cells")),
            })?;
            let mut workbook =
                calamine::Xls::new(Cursor::new(bytes)).map_err(|e| calamine_error(&e.into()))?;
            let range = first_range(&mut workbook)?;
            range_rows(&range, limits, progress)?
        }
    };
    let mut table = into_table(rows)?;
    if !matches!(format, Format::Csv) {
        table.sheets = extra_sheets(bytes, limits)?;
    }
    Ok(table)
}

/// The workbook's sheets after the first that are Roles, Authorisations or
/// Audit of account code (by name, English or Swedish); empty ones are left
/// out. The same limits apply as to the first sheet.
fn extra_sheets(bytes: &[u8], limits: &Limits) -> Result<Vec<NamedSheet>, SheetError> {
    let mut workbook =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| calamine_error(&e))?;
    extra_sheets_in(&mut workbook, limits)
}

/// [`extra_sheets`] of a workbook already open.
fn extra_sheets_in<RS, R>(workbook: &mut R, limits: &Limits) -> Result<Vec<NamedSheet>, SheetError>
where
    RS: std::io::Read + std::io::Seek,
    R: calamine::Reader<RS>,
    R::Error: Into<calamine::Error>,
{
    let names: Vec<String> = workbook
        .sheet_names()
        .into_iter()
        .skip(1)
        .filter(|name| ExtraSheet::from_name(name).is_some())
        .collect();
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| calamine_error(&e.into()))?;
        let rows = range_rows(&range, limits, &mut |_| true)?;
        match into_table(rows) {
            Ok(table) => sheets.push(NamedSheet { name, table }),
            Err(SheetError::Empty) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(sheets)
}

fn calamine_error(error: &calamine::Error) -> SheetError {
    let text = error.to_string();
    if text.to_lowercase().contains("password") {
        SheetError::PasswordProtected
    } else {
        SheetError::Damaged(text)
    }
}

/// Refuses a zip whose parts unpack to more than the limit, or that is damaged.
fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), SheetError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| SheetError::Damaged(format!("the zip container is broken ({e})")))?;
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|e| SheetError::Damaged(format!("the zip container is broken ({e})")))?;
        total = total.saturating_add(entry.size());
        if total > limits.max_unpacked_bytes {
            return Err(SheetError::TooBig(format!(
                "it unpacks to more than {} MB",
                limits.max_unpacked_bytes / 1_048_576
            )));
        }
    }
    Ok(())
}

fn first_range<R: calamine::Reader<Cursor<B>>, B: AsRef<[u8]>>(
    workbook: &mut R,
) -> Result<calamine::Range<Data>, SheetError>
where
    R::Error: Into<calamine::Error>,
{
    let Some(name) = workbook.sheet_names().first().cloned() else {
        return Err(SheetError::Empty);
    };
    workbook
        .worksheet_range(&name)
        .map_err(|e| calamine_error(&e.into()))
}

/// Text of a cell: whole numbers without ".0" (User-ID 14 stored as a number).
fn number_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        value.to_string()
    }
}

fn data_text(data: &Data) -> String {
    match data {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "true" } else { "false" }.to_owned(),
        Data::DateTime(d) => date_time_text(d),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// A date cell as a person reads it: `2027-01-31`, with the time when it
/// has one; a duration stays its number.
fn date_time_text(cell: &calamine::ExcelDateTime) -> String {
    if !cell.is_datetime() {
        return cell.to_string();
    }
    let (year, month, day, hour, minute, second, _) = cell.to_ymd_hms_milli();
    if (hour, minute, second) == (0, 0, 0) {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}")
    }
}

fn data_ref_text(data: &DataRef<'_>) -> String {
    match data {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::Bool(b) => if *b { "true" } else { "false" }.to_owned(),
        DataRef::DateTime(d) => date_time_text(d),
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

/// Rows with their 0-based row index in the sheet.
type Rows = Vec<(usize, Vec<String>)>;

/// The first sheet's rows, and the other sheets the program reads.
fn read_xlsx(
    bytes: &[u8],
    limits: &Limits,
    progress: &mut dyn FnMut(usize) -> bool,
) -> Result<(Rows, Vec<NamedSheet>), SheetError> {
    let mut workbook: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| calamine_error(&e.into()))?;
    let Some(name) = workbook.sheet_names().first().cloned() else {
        return Err(SheetError::Empty);
    };
    let mut reader = workbook
        .worksheet_cells_reader(&name)
        .map_err(|e| calamine_error(&e.into()))?;
    let mut rows = RowsInOrder::default();
    let mut cells = 0_usize;
    // Every cell a row holds counts, the empty ones a far cell makes it
    // hold too: a small file of rows with one cell far to the right would
    // otherwise fill the memory with empty cells (2.5 MB made 3.4 GB).
    let mut slots = 0_usize;
    // Once the first row (the headers) is over, cells right of its last
    // header belong to no column and are not kept.
    let mut header: Option<(usize, usize)> = None;
    while let Some(cell) = reader.next_cell().map_err(|e| calamine_error(&e.into()))? {
        let (row, column) = cell.get_position();
        let (row, column) = (row as usize, column as usize);
        let text = data_ref_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        cells += 1;
        check_limits(row, column, cells, limits)?;
        if header.is_none()
            && let Some((first, headers)) = rows.first()
            && row > first
        {
            header = Some((first, headers));
        }
        if header.is_some_and(|(first, width)| row > first && column >= width) {
            continue;
        }
        let known_rows = rows.len();
        let cells_of_row = rows.cells_of(row);
        if cells_of_row.len() <= column {
            slots += column + 1 - cells_of_row.len();
            if slots > limits.max_cells {
                return Err(SheetError::TooBig(format!(
                    "more than {} cells",
                    limits.max_cells
                )));
            }
            cells_of_row.resize(column + 1, String::new());
        }
        cells_of_row[column] = text;
        if rows.len() > limits.max_rows {
            return Err(too_many_rows(limits));
        }
        if rows.len() > known_rows {
            report(progress, rows.len())?;
        }
    }
    drop(reader);
    let sheets = extra_sheets_in(&mut workbook, limits)?;
    Ok((rows.into_rows(), sheets))
}

/// A sheet's rows as its cells arrive. A sheet is written row by row, so
/// each cell is most often in the last row or a new one after it: a list
/// then, with no search. A cell of an earlier row (a file written out of
/// order) turns it into an ordered map, so no order of cells costs more
/// than a search each.
enum RowsInOrder {
    /// Every row so far came after the one before.
    Listed(Rows),
    /// Some row came out of order.
    Mapped(BTreeMap<usize, Vec<String>>),
}

impl Default for RowsInOrder {
    fn default() -> Self {
        Self::Listed(Vec::new())
    }
}

impl RowsInOrder {
    /// How many rows have cells.
    fn len(&self) -> usize {
        match self {
            Self::Listed(rows) => rows.len(),
            Self::Mapped(rows) => rows.len(),
        }
    }

    /// The first row's index and how many cells it holds.
    fn first(&self) -> Option<(usize, usize)> {
        match self {
            Self::Listed(rows) => rows.first().map(|(row, cells)| (*row, cells.len())),
            Self::Mapped(rows) => rows
                .first_key_value()
                .map(|(row, cells)| (*row, cells.len())),
        }
    }

    /// The cells of row `row`, a new row when it has none yet.
    fn cells_of(&mut self, row: usize) -> &mut Vec<String> {
        if let Self::Listed(rows) = self
            && rows.last().is_some_and(|(last, _)| *last > row)
        {
            *self = Self::Mapped(std::mem::take(rows).into_iter().collect());
        }
        match self {
            Self::Listed(rows) => {
                if rows.last().is_none_or(|(last, _)| *last < row) {
                    rows.push((row, Vec::new()));
                }
                // Just pushed, or the last row is this one.
                let last = rows.len() - 1;
                &mut rows[last].1
            }
            Self::Mapped(rows) => rows.entry(row).or_default(),
        }
    }

    /// The rows in the sheet's order.
    fn into_rows(self) -> Rows {
        match self {
            Self::Listed(rows) => rows,
            Self::Mapped(rows) => rows.into_iter().collect(),
        }
    }
}

fn too_many_rows(limits: &Limits) -> SheetError {
    SheetError::TooBig(format!("more than {} rows", limits.max_rows))
}

fn check_limits(
    row: usize,
    column: usize,
    cells: usize,
    limits: &Limits,
) -> Result<(), SheetError> {
    if row >= limits.max_rows {
        return Err(too_many_rows(limits));
    }
    if column >= limits.max_columns {
        return Err(SheetError::TooBig(format!(
            "more than {} columns",
            limits.max_columns
        )));
    }
    if cells > limits.max_cells {
        return Err(SheetError::TooBig(format!(
            "more than {} cells",
            limits.max_cells
        )));
    }
    Ok(())
}

fn range_rows(
    range: &calamine::Range<Data>,
    limits: &Limits,
    progress: &mut dyn FnMut(usize) -> bool,
) -> Result<Rows, SheetError> {
    let (top, left) = range.start().unwrap_or((0, 0));
    let (height, width) = range.get_size();
    if height > limits.max_rows {
        return Err(too_many_rows(limits));
    }
    if left as usize + width > limits.max_columns {
        return Err(SheetError::TooBig(format!(
            "more than {} columns",
            limits.max_columns
        )));
    }
    let mut rows = Vec::new();
    let mut cells = 0_usize;
    for (index, row) in range.rows().enumerate() {
        let mut texts = vec![String::new(); left as usize];
        texts.extend(row.iter().map(data_text));
        cells += texts.iter().filter(|t| !t.is_empty()).count();
        if cells > limits.max_cells {
            return Err(SheetError::TooBig(format!(
                "more than {} cells",
                limits.max_cells
            )));
        }
        if texts.iter().any(|t| !t.is_empty()) {
            rows.push((top as usize + index, texts));
        }
        report(progress, index + 1)?;
    }
    Ok(rows)
}

/// Text in UTF-8 (with or without BOM), else Windows-1252 as Excel writes it in Sweden.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

/// The separator of the header line: the most frequent of `;`, `,` and tab outside quotes.
fn detect_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    let mut quoted = false;
    let mut counts = [(b';', 0), (b',', 0), (b'\t', 0)];
    for byte in header.bytes() {
        if byte == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (delimiter, count) in &mut counts {
                if byte == *delimiter {
                    *count += 1;
                }
            }
        }
    }
    counts
        .iter()
        .max_by_key(|(_, count)| *count)
        .map_or(b',', |(d, _)| *d)
}

fn read_csv(
    bytes: &[u8],
    limits: &Limits,
    progress: &mut dyn FnMut(usize) -> bool,
) -> Result<Rows, SheetError> {
    let text = decode(bytes);
    let delimiter = detect_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut cells = 0_usize;
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| SheetError::Damaged(format!("line {}: {e}", index + 1)))?;
        if record.len() > limits.max_columns {
            return Err(SheetError::TooBig(format!(
                "more than {} columns",
                limits.max_columns
            )));
        }
        let texts: Vec<String> = record
            .iter()
            .map(|cell| super::write::csv_unprotect(cell).to_owned())
            .collect();
        cells += texts.iter().filter(|t| !t.is_empty()).count();
        check_limits(index, 0, cells, limits)?;
        if texts.iter().any(|t| !t.trim().is_empty()) {
            rows.push((index, texts));
        }
        report(progress, index + 1)?;
    }
    Ok(rows)
}

/// The first non-empty row is the header; row numbers become 1-based.
fn into_table(rows: Rows) -> Result<RawTable, SheetError> {
    let mut rows = rows.into_iter();
    let Some((_, headers)) = rows.next() else {
        return Err(SheetError::Empty);
    };
    Ok(RawTable {
        sheets: Vec::new(),
        headers,
        rows: rows.map(|(index, cells)| (index + 1, cells)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::RowsInOrder;

    fn fill(cells: &[(usize, &str)]) -> RowsInOrder {
        let mut rows = RowsInOrder::default();
        for (row, text) in cells {
            rows.cells_of(*row).push((*text).to_owned());
        }
        rows
    }

    #[test]
    fn rows_in_order_stay_a_list_with_each_cell_in_its_row() {
        let rows = fill(&[
            (0, "User-ID"),
            (0, "Name"),
            (1, "u1"),
            (1, "Anna"),
            (4, "u4"),
        ]);
        assert!(matches!(rows, RowsInOrder::Listed(_)));
        assert_eq!(rows.first(), Some((0, 2)));
        assert_eq!(
            rows.into_rows(),
            vec![
                (0, vec!["User-ID".to_owned(), "Name".to_owned()]),
                (1, vec!["u1".to_owned(), "Anna".to_owned()]),
                (4, vec!["u4".to_owned()]),
            ]
        );
    }

    #[test]
    fn a_row_out_of_order_joins_its_row_and_the_rows_come_out_sorted() {
        let rows = fill(&[(2, "b"), (3, "c"), (0, "header"), (2, "b2"), (1, "a")]);
        assert!(matches!(rows, RowsInOrder::Mapped(_)));
        assert_eq!(rows.len(), 4);
        assert_eq!(rows.first(), Some((0, 1)));
        assert_eq!(
            rows.into_rows(),
            vec![
                (0, vec!["header".to_owned()]),
                (1, vec!["a".to_owned()]),
                (2, vec!["b".to_owned(), "b2".to_owned()]),
                (3, vec!["c".to_owned()]),
            ]
        );
    }
}
