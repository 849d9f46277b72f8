//! The Employees/users spreadsheet with files other programs wrote
//! (`LibreOffice`: xlsx, ods, xls; csv in UTF-8 and Windows-1252), round trips
//! through export, and hostile files that must be refused with a clear message.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};

use hrm_users::app::import::{commit_import, plan_table_import};
use hrm_users::app::{Session, save_user};
use hrm_users::domain::import::{ImportPlan, RowAction};
use hrm_users::domain::{ConnectedBy, Connection, ConnectionStatus, Email, UserDraft, UserId};
use hrm_users::i18n::Language;
use hrm_users::sheet::{
    ExportFormat, Format, Limits, SheetError, export_users, read_table, read_table_bytes,
};
use support::{Register, TestClock};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Kalle (2) connected with the address the file gives him; Björn (15)
/// connected with a private address the file tries to replace.
fn register_on(register: Register) -> (Register, Session) {
    let clock = TestClock::new();
    let mut session = register.session(&clock);
    for (id, first, last, department, office, address) in [
        (
            "2",
            "Kalle",
            "Nyström",
            "HR",
            "Umeå",
            "kalle.nystrom@company.se",
        ),
        ("15", "Björn", "Åberg", "HR", "Malmö", "bjorn@private.se"),
    ] {
        let saved = save_user(
            &mut session,
            None,
            &UserDraft {
                user_id: id.into(),
                first_name: first.into(),
                last_name: last.into(),
                department: department.into(),
                office: office.into(),
                ..UserDraft::new_user()
            },
        )
        .unwrap();
        let connected = Connection::Connected {
            email: Email::parse(address).unwrap(),
            since: jiff::Timestamp::from_second(1_800_000_000).unwrap(),
            by: ConnectedBy::Link,
        };
        session
            .store_for_tests()
            .write(|tx| tx.set_connection(saved.key, &connected, 0))
            .unwrap();
    }
    (register, session)
}

fn check_fixture_plan(plan: &ImportPlan, format: &str) {
    let c = &plan.counts;
    assert_eq!(
        (c.create, c.update, c.unchanged, c.rejected, c.notes),
        (4, 1, 1, 0, 3),
        "{format}: {plan:#?}"
    );
    assert_eq!(plan.unknown_columns, ["Skostorlek"], "{format}");
    let row = |id: &str| {
        plan.rows
            .iter()
            .find(|r| r.user_id == id)
            .unwrap_or_else(|| panic!("{format}: no row {id}"))
    };
    assert_eq!(
        row("14").new_address().unwrap().as_str(),
        "anna.svensson@company.se",
        "{format}"
    );
    assert_eq!(row("14").user().unwrap().last_name, "Svensson");
    assert_eq!(
        row("16").user().unwrap().last_name,
        "Öztürk",
        "{format}: non-ASCII names"
    );
    assert!(!row("16").user().unwrap().activated, "{format}: Nej");
    assert!(
        row("16").notes[0]
            .to_string()
            .contains("not a valid address"),
        "{format}"
    );
    assert!(
        row("17").notes[0]
            .to_string()
            .contains("also given to user 14"),
        "{format}"
    );
    assert!(
        row("15").notes[0].to_string().contains("Already connected"),
        "{format}"
    );
    assert_eq!(row("15").action.status(), "update");
    assert!(
        row("15")
            .changes()
            .iter()
            .any(|c| c == "Department: HR → Ekonomi"),
        "{format}: {:?}",
        row("15").changes()
    );
    assert_eq!(row("2").action, RowAction::Unchanged, "{format}");
    assert_eq!(row("18").user().unwrap().department, "Försäljning");
}

fn files_written_by_libreoffice_and_excel_give_the_same_plan(register: Register) {
    let (_register, session) = register_on(register);
    for name in [
        "employees.xlsx",
        "employees.ods",
        "employees.xls",
        "employees.csv",
        "employees-1252.csv",
    ] {
        let table = read_table(&fixture(name), &Limits::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        check_fixture_plan(&plan_table_import(&session, &table).unwrap(), name);
    }
}

fn committing_backs_up_and_applies_every_row_in_one_go(register: Register) {
    let (register, mut session) = register_on(register);
    let table = read_table(&fixture("employees.xlsx"), &Limits::default()).unwrap();
    let imported = commit_import(&mut session, &table).unwrap();
    if register.location.is_shared() {
        assert!(imported.backup.is_none(), "the server's own backups apply");
    } else {
        let backup = imported.backup.unwrap();
        assert!(backup.exists());
        assert_eq!(
            Session::new(hrm_users::store::Store::open(&backup).unwrap())
                .count_users()
                .unwrap(),
            2
        );
    }
    assert_eq!(session.count_users().unwrap(), 6);
    let anna = session
        .user_by_user_id(&UserId::parse("14").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(
        anna.connection.status(),
        ConnectionStatus::Pending,
        "saved as pending; nothing sent"
    );
    assert_eq!(session.queued_count().unwrap(), 0);
    let bjorn = session
        .user_by_user_id(&UserId::parse("15").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(
        bjorn.connection.email().unwrap().as_str(),
        "bjorn@private.se",
        "a connected address stays"
    );
    assert_eq!(bjorn.user.department, "Ekonomi");

    // Importing again changes nothing and takes no backup.
    let again = commit_import(&mut session, &table).unwrap();
    assert_eq!(again.plan.counts.create + again.plan.counts.update, 0);
    assert!(again.backup.is_none());
    drop(register);
}

#[test]
fn only_the_last_five_backups_are_kept() {
    let (_register, mut session) = register_on(Register::new());
    for n in 0..7 {
        let table = hrm_users::domain::import::RawTable {
            sheets: Vec::new(),
            headers: vec!["User-ID".into(), "Office".into()],
            rows: vec![(2, vec!["2".into(), format!("Office {n}")])],
        };
        commit_import(&mut session, &table).unwrap();
    }
    let folder = session
        .location()
        .file()
        .unwrap()
        .parent()
        .unwrap()
        .to_owned();
    let backups = std::fs::read_dir(folder)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".backup-")
        })
        .count();
    assert_eq!(backups, 5);
}

fn export_then_import_changes_nothing(register: Register) {
    let (register, mut session) = register_on(register);
    let table = read_table(&fixture("employees.csv"), &Limits::default()).unwrap();
    commit_import(&mut session, &table).unwrap();
    // A name that looks like a formula.
    let record = session
        .user_by_user_id(&UserId::parse("18").unwrap())
        .unwrap()
        .unwrap();
    save_user(
        &mut session,
        Some(record.key),
        &UserDraft {
            last_name: "=HYPERLINK(\"http://x\")".into(),
            employment_ends: "2027-01-31".into(),
            ..UserDraft::from_record(&record)
        },
    )
    .unwrap();
    let users = session.load_users().unwrap();
    // In either language (the window's): the file reads back unchanged.
    for language in [Language::English, Language::Swedish] {
        let xlsx = register
            .dir
            .path()
            .join(format!("export-{language:?}.xlsx"));
        let mut told = Vec::new();
        export_users(
            &xlsx,
            ExportFormat::Xlsx,
            users.iter(),
            &[],
            language,
            |n| {
                told.push(n);
                true
            },
        )
        .unwrap();
        assert_eq!(
            told.last(),
            Some(&users.len()),
            "the progress hears of every row before the file is saved"
        );
        let back = read_table(&xlsx, &Limits::default()).unwrap();
        let first = if language == Language::Swedish {
            "Användar-ID"
        } else {
            "User-ID"
        };
        assert_eq!(back.headers[0], first);
        let plan = plan_table_import(&session, &back).unwrap();
        assert_eq!(
            plan.counts.create + plan.counts.update + plan.counts.rejected,
            0,
            "{language:?}: {plan:#?}"
        );
        assert!(
            back.rows
                .iter()
                .any(|(_, cells)| cells.contains(&"=HYPERLINK(\"http://x\")".to_owned())),
            "a formula comes back as text"
        );
    }

    let csv = register.dir.path().join("export.csv");
    export_users(
        &csv,
        ExportFormat::Csv,
        users.iter(),
        &[],
        Language::English,
        |_| true,
    )
    .unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
        "CSV quotes and prefixes formula-like text: {text}"
    );
}

#[test]
fn hostile_and_broken_files_are_refused_with_a_clear_message() {
    let limits = Limits::default();
    let xlsx = std::fs::read(fixture("employees.xlsx")).unwrap();
    let truncated = read_table_bytes(&xlsx[..xlsx.len() / 2], Format::Xlsx, &limits).unwrap_err();
    assert!(matches!(truncated, SheetError::Damaged(_)), "{truncated}");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    assert!(matches!(
        read_table_bytes(&png, Format::Xlsx, &limits),
        Err(SheetError::NotASpreadsheet(_))
    ));
    assert!(matches!(
        read_table_bytes(&png, Format::Csv, &limits),
        Err(SheetError::NotASpreadsheet(_))
    ));
    assert!(matches!(
        read_table_bytes(b"", Format::Csv, &limits),
        Err(SheetError::Empty)
    ));
    let xls = std::fs::read(fixture("employees.xls")).unwrap();
    assert!(matches!(
        read_table_bytes(&xls, Format::Xlsx, &limits),
        Err(SheetError::NotASpreadsheet(_))
    ));
    let small = Limits {
        max_unpacked_bytes: 2_000,
        ..Limits::default()
    };
    assert!(matches!(
        read_table_bytes(&xlsx, Format::Xlsx, &small),
        Err(SheetError::TooBig(_))
    ));
    let few_rows = Limits {
        max_rows: 3,
        ..Limits::default()
    };
    assert!(matches!(
        read_table_bytes(&xlsx, Format::Xlsx, &few_rows),
        Err(SheetError::TooBig(_))
    ));
    let unknown = read_table(Path::new("employees.pdf"), &limits).unwrap_err();
    assert!(unknown.to_string().contains("not a file type"));
}

/// A tiny xlsx that claims the largest sheet Excel allows and has one cell far
/// down: calamine#693's trap. It must be refused, not allocated.
#[test]
fn a_sheet_claiming_a_huge_size_is_refused_without_allocating_it() {
    use std::io::Write as _;
    let mut bytes = Vec::new();
    {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut bytes));
        let options = zip::write::SimpleFileOptions::default();
        let parts = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
            ),
            (
                "_rels/.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
            ),
            (
                "xl/workbook.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            ),
            (
                "xl/_rels/workbook.xml.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
            ),
            (
                "xl/worksheets/sheet1.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>User-ID</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c></row></sheetData></worksheet>"#,
            ),
        ];
        for (name, text) in parts {
            zip.start_file(name, options).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
    }
    assert!(bytes.len() < 3000);
    let error = read_table_bytes(&bytes, Format::Xlsx, &Limits::default()).unwrap_err();
    assert!(matches!(error, SheetError::TooBig(_)), "{error}");
}

/// Every byte of the fixture flipped in turn, and cut at many lengths: the
/// reader answers (usually an error) and never panics.
/// A small xlsx whose every row has one cell far to the right (2.5 MB
/// made 3.4 GB of empty cells): cells right of the last header are not
/// kept, and a file whose rows would still hold more cells than the limit
/// is refused, whatever few of them have a value.
#[test]
fn cells_far_to_the_right_do_not_fill_the_memory() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, headers: u16| {
        let path = dir.path().join(name);
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for column in 0..headers {
            let header = if column == 0 {
                "User-ID".to_owned()
            } else {
                format!("Column {column}")
            };
            sheet.write_string(0, column, &header).unwrap();
        }
        for row in 1..=500_u32 {
            sheet.write_string(row, 0, format!("u{row}")).unwrap();
            sheet.write_string(row, 250, "far").unwrap();
        }
        book.save(&path).unwrap();
        path
    };
    let limits = Limits {
        max_cells: 20_000,
        ..Limits::default()
    };
    // Two headers: the far cells belong to no column and are dropped.
    let table = read_table(&write("narrow.xlsx", 2), &limits).unwrap();
    assert_eq!(table.rows.len(), 500);
    assert!(
        table.rows.iter().all(|(_, cells)| cells.len() <= 2),
        "rows kept their far cells"
    );
    // 251 headers: each row would hold 251 cells, 125,500 in all.
    let refused = read_table(&write("wide.xlsx", 251), &limits).unwrap_err();
    assert!(
        matches!(&refused, SheetError::TooBig(why) if why.contains("20000 cells")),
        "{refused}"
    );
}

#[test]
fn damaged_bytes_never_panic() {
    let limits = Limits::default();
    for name in [
        "employees.xlsx",
        "employees.ods",
        "employees.xls",
        "employees.csv",
    ] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let format = Format::of(Path::new(name)).unwrap();
        let step = (bytes.len() / 97).max(1);
        for at in (0..bytes.len()).step_by(step) {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x5A;
            let _ = read_table_bytes(&damaged, format, &limits);
            let _ = read_table_bytes(&bytes[..at], format, &limits);
        }
    }
}

/// Found by the fuzzer: an xls whose container has a sector chain that loops
/// made calamine grow a buffer until the allocation failed (an abort).
#[test]
fn an_xls_with_a_looping_sector_chain_is_refused() {
    let error = read_table(&fixture("fuzz-fat-loop.xls"), &Limits::default()).unwrap_err();
    assert!(matches!(error, SheetError::Damaged(_)), "{error}");
}

/// calamine makes a dense grid from a sheet's first to its last cell: a real
/// 6 KB xls with two far-apart cells makes it allocate 500,000 cells (fuzzing
/// found a file that asked for 2 GB this way and aborted the program).
#[test]
fn an_xls_whose_cells_span_too_big_a_grid_is_refused_before_it_is_read() {
    let limits = Limits {
        max_cells: 100_000,
        ..Limits::default()
    };
    let error = read_table(&fixture("far-cells.xls"), &limits).unwrap_err();
    assert!(matches!(error, SheetError::TooBig(_)), "{error}");
    assert!(error.to_string().contains("100000 cells"), "{error}");
    // Within the limit, the same file reads.
    let table = read_table(&fixture("far-cells.xls"), &Limits::default()).unwrap();
    assert_eq!(table.headers.first().map(String::as_str), Some("User-ID"));
}

/// Found by fuzzing: 6.5 KB that made calamine ask for 2 GB and abort.
#[test]
fn the_fuzzers_two_gigabyte_xls_is_refused() {
    let error = read_table(&fixture("fuzz-oom-grid.xls"), &Limits::default()).unwrap_err();
    assert!(
        matches!(error, SheetError::Damaged(_) | SheetError::TooBig(_)),
        "{error}"
    );
}

/// Cancel while importing: the transaction rolls back, the register is as it
/// was, and the backup taken for it is removed.
fn a_cancelled_import_changes_nothing_and_leaves_no_backup(register: Register) {
    use hrm_users::app::import::{ImportError, commit_planned_with_progress};
    use hrm_users::app::progress::Progress;

    let (register, mut session) = register_on(register);
    let table = read_table(&fixture("employees.xlsx"), &Limits::default()).unwrap();
    let before = session.count_users().unwrap();
    let progress = Progress::default();
    progress.cancel();
    let error = commit_planned_with_progress(&mut session, &table, None, &progress).unwrap_err();
    assert!(matches!(error, ImportError::Cancelled), "{error}");
    assert_eq!(session.count_users().unwrap(), before);
    let folder = register.path.parent().unwrap();
    let backups = std::fs::read_dir(folder)
        .unwrap()
        .filter(|entry| {
            entry
                .as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().contains(".backup-"))
        })
        .count();
    assert_eq!(
        backups, 0,
        "no backup is left for an import that did nothing"
    );
}

/// Reading reports its rows and stops when told to.
#[test]
fn reading_reports_rows_and_can_be_cancelled() {
    let mut seen = Vec::new();
    let table = hrm_users::sheet::read_table_with_progress(
        &fixture("employees.csv"),
        &Limits::default(),
        &mut |rows| {
            seen.push(rows);
            true
        },
    )
    .unwrap();
    assert!(!table.rows.is_empty());
    assert_eq!(seen, vec![1], "the first row is reported");
    let error = hrm_users::sheet::read_table_with_progress(
        &fixture("employees.xlsx"),
        &Limits::default(),
        &mut |_| false,
    )
    .unwrap_err();
    assert!(matches!(error, SheetError::Cancelled), "{error}");
}

/// An xlsx saved with a password (encrypted, so a compound file, not a zip).
#[test]
fn a_password_protected_xlsx_says_so() {
    let error = read_table(&fixture("password.xlsx"), &Limits::default()).unwrap_err();
    assert!(matches!(error, SheetError::PasswordProtected), "{error}");
    assert!(error.to_string().contains("password"), "{error}");
}

/// Found by fuzzing: a damaged compound file named .xlsx made calamine's
/// password check ask for 4 GB and abort.
#[test]
fn the_fuzzers_four_gigabyte_xlsx_is_refused() {
    let error = read_table(&fixture("fuzz-oom-cfb.xlsx"), &Limits::default()).unwrap_err();
    assert!(matches!(error, SheetError::Damaged(_)), "{error}");
}

/// *Employment ends* from a spreadsheet: a real date cell under the Swedish
/// header, and text; a cell that is no date is a note and changes nothing.
fn employment_ends_is_read_from_date_cells_and_text(register: Register) {
    let (register, mut session) = register_on(register);
    let path = register.dir.path().join("leavers.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (column, header) in ["Användar-ID", "Förnamn", "Anställning upphör"]
        .iter()
        .enumerate()
    {
        sheet
            .write_string(0, u16::try_from(column).unwrap(), *header)
            .unwrap();
    }
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2027, 1, 31).unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("d mmm yyyy");
    sheet.write_string(1, 0, "2").unwrap();
    sheet
        .write_datetime_with_format(1, 2, &date, &format)
        .unwrap();
    sheet.write_string(2, 0, "15").unwrap();
    sheet.write_string(2, 2, "2027-02-28").unwrap();
    sheet.write_string(3, 0, "40").unwrap();
    sheet.write_string(3, 1, "Nora").unwrap();
    sheet.write_string(3, 2, "31/01/2027").unwrap();
    book.save(&path).unwrap();

    let table = read_table(&path, &Limits::default()).unwrap();
    let plan = plan_table_import(&session, &table).unwrap();
    let kalle = plan.rows.iter().find(|r| r.user_id == "2").unwrap();
    assert_eq!(kalle.action.status(), "update");
    assert!(
        kalle
            .changes()
            .iter()
            .any(|c| c.contains("Employment ends") && c.contains("2027-01-31")),
        "{:?}",
        kalle.changes()
    );
    let nora = plan.rows.iter().find(|r| r.user_id == "40").unwrap();
    assert!(
        nora.notes
            .iter()
            .any(|n| n.to_string().contains("31/01/2027")),
        "{:?}",
        nora.notes
    );
    commit_import(&mut session, &table).unwrap();
    let ends = |session: &Session, id: &str| {
        session
            .user_by_user_id(&UserId::parse(id).unwrap())
            .unwrap()
            .unwrap()
            .user
            .employment_ends
            .map(|d| d.to_string())
    };
    assert_eq!(ends(&session, "2").as_deref(), Some("2027-01-31"));
    assert_eq!(ends(&session, "15").as_deref(), Some("2027-02-28"));
    assert_eq!(ends(&session, "40"), None);
}

/// Another administrator adds a user the file would create after the dry
/// run: *Import* of that dry run plans again (the register's stamp moved),
/// so the row updates the user now there instead of failing as a second
/// user with the same User-ID.
fn an_import_plans_again_when_the_register_changed_since_its_dry_run(register: Register) {
    use hrm_users::app::import::{commit_planned, plan_with_stamp};
    use hrm_users::app::progress::Progress;

    let (register, mut session) = register_on(register);
    let table = read_table(&fixture("employees.csv"), &Limits::default()).unwrap();
    let (plan, stamp) = plan_with_stamp(&session, &table, &Progress::default()).unwrap();
    let anna = plan.rows.iter().find(|r| r.user_id == "14").unwrap();
    assert_eq!(anna.action.status(), "create");

    let mut colleague = register.session(&TestClock::new());
    save_user(
        &mut colleague,
        None,
        &UserDraft {
            user_id: "14".into(),
            first_name: "Annika".into(),
            last_name: "Svensson".into(),
            ..UserDraft::new_user()
        },
    )
    .unwrap();

    let imported = commit_planned(&mut session, &table, Some((plan.into(), stamp))).unwrap();
    let anna = imported
        .plan
        .rows
        .iter()
        .find(|r| r.user_id == "14")
        .unwrap();
    assert_eq!(anna.action.status(), "update", "{anna:?}");
    let users = session.load_users().unwrap();
    let annas: Vec<_> = users
        .iter()
        .filter(|u| u.user.user_id.as_str() == "14")
        .collect();
    assert_eq!(annas.len(), 1);
    assert_eq!(annas[0].user.first_name, "Anna");
}

support::on_both_backends!(
    employment_ends_is_read_from_date_cells_and_text,
    files_written_by_libreoffice_and_excel_give_the_same_plan,
    committing_backs_up_and_applies_every_row_in_one_go,
    export_then_import_changes_nothing,
    a_cancelled_import_changes_nothing_and_leaves_no_backup,
    an_import_plans_again_when_the_register_changed_since_its_dry_run,
);

/// An export tells its progress of the rows and then of saving the file,
/// and one cancelled before it saves writes nothing.
#[test]
fn an_export_reports_its_stages_and_a_cancelled_one_writes_nothing() {
    use hrm_users::app::export::export_users;
    use hrm_users::app::progress::{Progress, Stage};

    let (register, session) = register_on(Register::new());
    let users = session.load_users().unwrap();
    let file = register.dir.path().join("everyone.xlsx");
    let progress = Progress::default();
    assert!(export_users(session.location(), &file, &users, &progress).unwrap());
    assert_eq!(progress.now(), (Stage::Saving, users.len(), 0));
    assert!(file.is_file());

    let cancelled = register.dir.path().join("cancelled.csv");
    let progress = Progress::default();
    progress.cancel();
    assert!(!export_users(session.location(), &cancelled, &users, &progress).unwrap());
    assert!(!cancelled.exists(), "nothing is written");
}
