//! The Employees/users spreadsheet with 100,000 rows: import end to end (dry
//! run and commit) beside calamine's plain read of the same file plus a plain
//! prepared-statement insert of the same rows; export beside `rust_xlsxwriter`
//! writing the same cells plainly; the import's peak memory in its own process.
//!
//! `cargo bench --bench sheet_io`

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines
)]

use std::path::Path;
use std::time::{Duration, Instant};

use calamine::Reader as _;
use hrm_users::app::import::{commit_planned, plan_with_stamp};
use hrm_users::app::{Session, demo};
use hrm_users::domain::UserRecord;
use hrm_users::sheet::{ExportFormat, Limits, export_users, read_table, user_cells};
use hrm_users::store::Store;

const USERS: usize = 100_000;

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// In its own process: the whole import of `file` into an empty register at
/// `db`, as the window does it (read, dry run, commit of the dry run's plan).
fn import_child(file: &Path, db: &Path) {
    let mut session = Session::new(Store::open(db).unwrap());
    let table = read_table(file, &Limits::default()).unwrap();
    let (plan, stamp) = plan_with_stamp(
        &session,
        &table,
        &hrm_users::app::progress::Progress::default(),
    )
    .unwrap();
    assert_eq!(plan.counts.create, USERS);
    let imported = commit_planned(
        &mut session,
        &table,
        Some((std::sync::Arc::new(plan), stamp)),
    )
    .unwrap();
    assert_eq!(imported.plan.counts.create, USERS);
    println!("{:.0}", peak_mb());
}

fn plain_xlsx(path: &Path, users: &[UserRecord]) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, header) in (0_u16..).zip(hrm_users::domain::TemplateColumn::ALL) {
        sheet.write_string(0, column, header.header()).unwrap();
    }
    for (row, record) in (1_u32..).zip(users) {
        for (column, cell) in (0_u16..).zip(user_cells(record, hrm_users::i18n::Language::English))
        {
            if !cell.is_empty() {
                sheet.write_string(row, column, cell).unwrap();
            }
        }
    }
    workbook.save(path).unwrap();
}

fn plain_insert(db: &Path, rows: &[Vec<String>]) {
    let mut conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(
        "CREATE TABLE users (key INTEGER PRIMARY KEY, user_id TEXT NOT NULL UNIQUE, activated INTEGER,
         alias_user_id TEXT, signature TEXT, card_tag_id TEXT, external_reference TEXT, email TEXT,
         first_name TEXT, last_name TEXT, department TEXT, office TEXT, visma TEXT)",
    )
    .unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO users (user_id, alias_user_id, first_name, last_name, signature, card_tag_id,
                 external_reference, email, visma, department, office, activated)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )
            .unwrap();
        for row in rows {
            insert
                .execute(rusqlite::params_from_iter(row.iter().take(12)))
                .unwrap();
        }
    }
    tx.commit().unwrap();
}

/// The same rows inserted plainly into the register's own schema: a user, a
/// pending connection and an audit row each, as an import must write them.
/// Shows how much of the commit is SQLite's work and how much is ours.
fn plain_insert_register_schema(db: &Path, rows: &[Vec<String>]) {
    drop(Store::open(db).unwrap());
    let mut conn = rusqlite::Connection::open(db).unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut user = tx
            .prepare(
                "INSERT INTO users (user_id, alias_user_id, first_name, last_name, signature,
                 card_tag_id, external_reference, email, department, office, activated,
                 created_at_ms, updated_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, ?11, ?11)",
            )
            .unwrap();
        let mut connection = tx
            .prepare(
                "INSERT INTO connections (user_key, email, email_key, state, saved_at_ms)
                 VALUES (?1, ?2, ?2, 'unverified', 1)",
            )
            .unwrap();
        let mut audit = tx
            .prepare(
                "INSERT INTO audit (at_ms, actor, action, user_key, user_id, after)
                 VALUES (1, 'bench', 'user_created', ?1, ?2, ?3)",
            )
            .unwrap();
        for (stamp, row) in (1_i64..).zip(rows) {
            let cell = |i: usize| row.get(i).map_or("", String::as_str);
            user.execute(rusqlite::params![
                cell(0),
                cell(1),
                cell(2),
                cell(3),
                cell(4),
                cell(5),
                cell(6),
                cell(7),
                cell(9),
                cell(10),
                stamp
            ])
            .unwrap();
            let key = tx.last_insert_rowid();
            if !cell(8).is_empty() {
                connection.execute(rusqlite::params![key, cell(8)]).unwrap();
            }
            let after = format!(
                r#"{{"user_id":"{}","first_name":"{}","last_name":"{}","department":"{}","office":"{}","email":"{}","visma_connect":{{"state":"pending","email":"{}"}}}}"#,
                cell(0),
                cell(2),
                cell(3),
                cell(9),
                cell(10),
                cell(7),
                cell(8)
            );
            audit
                .execute(rusqlite::params![key, cell(0), after])
                .unwrap();
        }
    }
    tx.commit().unwrap();
}

fn main() {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("--import-child") {
        let file = args.next().unwrap();
        let db = args.next().unwrap();
        import_child(Path::new(&file), Path::new(&db));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("employees.xlsx");

    let source = dir.path().join("source.db");
    let mut session = Session::new(Store::open(&source).unwrap());
    let users = demo::create_demo_register(&mut session, USERS).unwrap();

    // Export: ours, then the same cells written plainly.
    let started = Instant::now();
    export_users(
        &file,
        ExportFormat::Xlsx,
        users.iter(),
        &[],
        hrm_users::i18n::Language::English,
        |_| true,
    )
    .unwrap();
    let ours_export = started.elapsed();
    let plain_file = dir.path().join("plain.xlsx");
    let started = Instant::now();
    plain_xlsx(&plain_file, &users);
    let plain_export = started.elapsed();

    // Baselines for the import: calamine's plain read, a plain insert.
    let started = Instant::now();
    let mut workbook = calamine::open_workbook_auto(&file).unwrap();
    let name = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&name).unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .skip(1)
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    let plain_read = started.elapsed();
    let started = Instant::now();
    plain_insert(&dir.path().join("plain.db"), &rows);
    let plain_write = started.elapsed();
    let started = Instant::now();
    plain_insert_register_schema(&dir.path().join("plain-register.db"), &rows);
    let plain_register_write = started.elapsed();

    // Ours: dry run and commit into an empty register.
    let target = dir.path().join("target.db");
    let mut session = Session::new(Store::open(&target).unwrap());
    let started = Instant::now();
    let table = read_table(&file, &Limits::default()).unwrap();
    let read = started.elapsed();
    let (plan, stamp) = plan_with_stamp(
        &session,
        &table,
        &hrm_users::app::progress::Progress::default(),
    )
    .unwrap();
    let dry_run = started.elapsed();
    let imported = commit_planned(
        &mut session,
        &table,
        Some((std::sync::Arc::new(plan), stamp)),
    )
    .unwrap();
    let total = started.elapsed();
    assert_eq!(imported.plan.counts.create, USERS);

    let child_db = dir.path().join("child.db");
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--import-child",
            file.to_str().unwrap(),
            child_db.to_str().unwrap(),
        ])
        .output()
        .unwrap();

    println!(
        "{USERS} rows, xlsx of {:.1} MB",
        std::fs::metadata(&file).unwrap().len() as f64 / 1e6
    );
    println!(
        "import end to end (dry run and commit): {:.2} s (read {:.2} s, dry run {:.2} s, commit {:.2} s)",
        secs(total),
        secs(read),
        secs(dry_run.saturating_sub(read)),
        secs(total.saturating_sub(dry_run))
    );
    // The fair baseline: the same file read plainly, and the same rows
    // inserted plainly into the register's own schema (a user, a pending
    // connection and an audit row each), which an import must write.
    let fair = plain_read + plain_register_write;
    println!(
        "  fair baseline: calamine plain read {:.2} s + plain insert into the register's schema {:.2} s = {:.2} s; ratio {:.2}  [goal <= 1.5]",
        secs(plain_read),
        secs(plain_register_write),
        secs(fair),
        secs(total) / secs(fair)
    );
    println!(
        "  (against a one-table insert, {:.2} s: ratio {:.2})",
        secs(plain_write),
        secs(total) / secs(plain_read + plain_write)
    );
    println!(
        "  peak memory of the import (own process): {} MB  [goal <= 300 MB]",
        String::from_utf8_lossy(&child.stdout).trim()
    );
    println!(
        "export: {:.2} s; rust_xlsxwriter plainly {:.2} s; ratio {:.2}  [goal <= 1.2]",
        secs(ours_export),
        secs(plain_export),
        secs(ours_export) / secs(plain_export)
    );
}
