//! Fuzzes the import of spreadsheet bytes: reading (xlsx, ods, xls, csv) and,
//! when a table comes out, planning its import. Nothing may panic or abort.
//!
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run import_bytes` (from the project folder).

#![no_main]

use hrm_users::domain::import::{ColumnMap, RegisterIndex, plan_import};
use hrm_users::sheet::{Format, Limits, read_table_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The program contains a reader's panics on damaged files (they become
    // "damaged file" messages); libFuzzer's hook would abort on them instead.
    // Whatever still aborts or escapes is a finding.
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let format = match selector % 4 {
        0 => Format::Xlsx,
        1 => Format::Csv,
        2 => Format::Ods,
        _ => Format::Xls,
    };
    let limits = Limits {
        max_rows: 10_000,
        max_cells: 100_000,
        max_unpacked_bytes: 16 * 1024 * 1024,
        ..Limits::default()
    };
    if let Ok(table) = read_table_bytes(bytes, format, &limits)
        && let Ok(map) = ColumnMap::new(&table.headers)
    {
        let _ = plan_import(&table, &map, &RegisterIndex::new(&[]));
    }
});
