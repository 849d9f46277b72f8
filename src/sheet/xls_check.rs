//! A check of an xls workbook's sheets before calamine reads them: calamine
//! allocates every sheet as a dense grid from its lowest to its highest used
//! cell, and reserves room for as many cells as a sheet's DIMENSIONS record
//! claims. A 6 KB file with one cell at row 0 and one at row 60,000, column
//! 1,000 (found by fuzzing) made it allocate over 2 GB and abort the program;
//! an abort cannot be caught. So the workbook stream is scanned first, the
//! way calamine will read it, and a sheet whose grid would exceed the cell
//! limit is refused. It also tells an encrypted xlsx (a compound file, not a
//! zip) from other compound files.

use std::io::{Cursor, Read as _};

/// A rectangle of used cells.
#[derive(Default)]
struct Extent {
    rows: Option<(u32, u32)>,
    cols: Option<(u32, u32)>,
}

impl Extent {
    fn add(&mut self, row: u32, col: u32) {
        let widen = |span: &mut Option<(u32, u32)>, at: u32| {
            *span = Some(span.map_or((at, at), |(lo, hi)| (lo.min(at), hi.max(at))));
        };
        widen(&mut self.rows, row);
        widen(&mut self.cols, col);
    }

    /// Cells in the dense grid calamine makes of this rectangle.
    fn grid_cells(&self) -> u64 {
        match (self.rows, self.cols) {
            (Some((r0, r1)), Some((c0, c1))) => {
                u64::from(r1 - r0 + 1).saturating_mul(u64::from(c1 - c0 + 1))
            }
            _ => 0,
        }
    }
}

fn u16_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes(
        data.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

/// The records of a BIFF stream from `start`: (type, data).
fn records(stream: &[u8], start: usize) -> impl Iterator<Item = (u32, &[u8])> {
    let mut rest = stream.get(start..).unwrap_or_default();
    std::iter::from_fn(move || {
        let kind = u16_at(rest, 0)?;
        let len = u16_at(rest, 2)? as usize;
        let data = rest.get(4..4 + len)?;
        rest = &rest[4 + len..];
        Some((kind, data))
    })
}

/// The workbook stream (`Workbook`, or `Book` in older files).
fn workbook_stream(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| format!("its container is broken ({e})"))?;
    let name = ["/Workbook", "/Book"]
        .into_iter()
        .find(|name| file.is_stream(name))
        .ok_or_else(|| "it has no workbook stream".to_owned())?;
    let mut stream = file
        .open_stream(name)
        .map_err(|e| format!("its workbook stream is broken ({e})"))?;
    let mut data = Vec::new();
    stream
        .read_to_end(&mut data)
        .map_err(|e| format!("its workbook stream is broken ({e})"))?;
    Ok(data)
}

/// Whether an Office container holds an encrypted (password-protected) xlsx:
/// such files are a compound file with an `EncryptionInfo` stream.
pub fn is_encrypted_package(bytes: &[u8]) -> bool {
    cfb::CompoundFile::open(Cursor::new(bytes))
        .is_ok_and(|file| file.is_stream("/EncryptionInfo") && file.is_stream("/EncryptedPackage"))
}

/// Refuses a workbook with a sheet whose grid would exceed `max_cells`.
/// `Err(None)` is a sheet too big; `Err(Some(text))` a damaged file.
pub fn check(bytes: &[u8], max_cells: u64) -> Result<(), Option<String>> {
    let stream = workbook_stream(bytes).map_err(Some)?;
    // Sheets start where BOUNDSHEET records say; every such record anywhere
    // in the stream is followed (calamine follows those of the globals).
    let starts: Vec<usize> = records(&stream, 0)
        .filter(|(kind, _)| *kind == 0x0085)
        .filter_map(|(_, data)| u32_at(data, 0).map(|pos| pos as usize))
        .collect();
    for start in starts {
        if sheet_grid_cells(&stream, start) > max_cells {
            return Err(None);
        }
    }
    Ok(())
}

/// The most cells calamine would hold for the sheet at `start`: the room a
/// DIMENSIONS record reserves, or the dense grid of its cells and formulas.
fn sheet_grid_cells(stream: &[u8], start: usize) -> u64 {
    let mut extent = Extent::default();
    let mut reserved: u64 = 0;
    let mut seen_bof = false;
    let mut depth = 0_usize;
    let mut formula_at = None;
    for (kind, data) in records(stream, start) {
        if depth > 0 {
            match kind {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let cell = || Some((u16_at(data, 0)?, u16_at(data, 2)?));
        match kind {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x000A => break,
            0x0200 => reserved = reserved.max(dimension_cells(data)),
            // Number, Label, RString, BoolErr, Rk, LabelSst.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD => {
                if let Some((row, col)) = cell() {
                    extent.add(row, col);
                }
            }
            // Formula: its value and text sit at its cell; a String record
            // after it belongs to the same cell.
            0x0006 => {
                formula_at = cell();
                if let Some((row, col)) = formula_at {
                    extent.add(row, col);
                }
            }
            0x0207 => {
                let (row, col) = formula_at.unwrap_or((0, 0));
                extent.add(row, col);
            }
            // MulRk: a run of cells from the first column on.
            0x00BD => {
                if let Some((row, first)) = cell() {
                    let count = u32::try_from(data.len().saturating_sub(6) / 6).unwrap_or(0);
                    let last = u16_at(data, data.len().saturating_sub(2)).unwrap_or(first);
                    extent.add(row, first);
                    extent.add(row, last.max(first.saturating_add(count)));
                }
            }
            _ => {}
        }
    }
    reserved.max(extent.grid_cells())
}

/// The cells calamine reserves for a DIMENSIONS record (its arithmetic, which
/// wraps on a record whose last row is above its first).
fn dimension_cells(data: &[u8]) -> u64 {
    let parsed = match data.len() {
        10 => (|| {
            Some((
                u16_at(data, 0)?,
                u16_at(data, 2)?,
                u16_at(data, 4)?,
                u16_at(data, 6)?,
            ))
        })(),
        14 | 16 => (|| {
            Some((
                u32_at(data, 0)?,
                u32_at(data, 4)?,
                u16_at(data, 8)?,
                u16_at(data, 10)?,
            ))
        })(),
        _ => None,
    };
    let Some((first_row, end_row, mut first_col, end_col)) = parsed else {
        return 0;
    };
    if first_col > 0xFF || end_col < first_col {
        first_col = 0;
    }
    if end_row < 1 || end_col < 1 {
        return 0;
    }
    let rows = (end_row - 1).wrapping_sub(first_row).wrapping_add(1);
    let cols = (end_col - 1).wrapping_sub(first_col).wrapping_add(1);
    u64::from(rows).saturating_mul(u64::from(cols))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: u16, data: &[u8]) -> Vec<u8> {
        let mut bytes = kind.to_le_bytes().to_vec();
        bytes.extend(u16::try_from(data.len()).unwrap().to_le_bytes());
        bytes.extend(data);
        bytes
    }

    fn number(row: u16, col: u16) -> Vec<u8> {
        let mut data = row.to_le_bytes().to_vec();
        data.extend(col.to_le_bytes());
        data.extend([0; 10]);
        record(0x0203, &data)
    }

    #[test]
    fn a_sheet_counts_the_grid_between_its_far_cells() {
        let mut stream = record(0x0809, &[0; 16]);
        stream.extend(number(0, 0));
        stream.extend(number(59_999, 999));
        stream.extend(record(0x000A, &[]));
        assert_eq!(sheet_grid_cells(&stream, 0), 60_000 * 1_000);
    }

    #[test]
    fn nested_substreams_are_skipped_and_the_sheet_ends_at_its_eof() {
        let mut stream = record(0x0809, &[0; 16]);
        stream.extend(number(1, 1));
        stream.extend(record(0x0809, &[0; 16]));
        stream.extend(number(50_000, 200));
        stream.extend(record(0x000A, &[]));
        stream.extend(number(2, 3));
        stream.extend(record(0x000A, &[]));
        stream.extend(number(60_000, 250));
        assert_eq!(sheet_grid_cells(&stream, 0), 2 * 3);
    }

    #[test]
    fn dimensions_count_as_calamine_reserves_them() {
        let mut data = 0_u32.to_le_bytes().to_vec();
        data.extend(100_u32.to_le_bytes());
        data.extend(0_u16.to_le_bytes());
        data.extend(12_u16.to_le_bytes());
        data.extend([0, 0]);
        assert_eq!(dimension_cells(&data), 1_200);
        // A last row below the first wraps around: a huge reservation.
        let mut wrapped = 10_u32.to_le_bytes().to_vec();
        wrapped.extend(2_u32.to_le_bytes());
        wrapped.extend(0_u16.to_le_bytes());
        wrapped.extend(12_u16.to_le_bytes());
        wrapped.extend([0, 0]);
        assert!(dimension_cells(&wrapped) > 1_000_000_000);
    }
}
