//! The command line as a script uses it: real files, real exit codes, JSON
//! with stable field names.

// Helpers of tests may panic: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::{Command, Output};

fn hrm_users(db: &Path, args: &[&str]) -> Output {
    hrm_users_in(db, args, "C.UTF-8")
}

/// The program with the OS language `locale` (`LC_ALL`).
fn hrm_users_in(db: &Path, args: &[&str], locale: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hrm-users"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("XDG_DATA_HOME", db.parent().unwrap())
        .env("LC_ALL", locale)
        .output()
        .unwrap()
}

/// A setting refused is said in the OS language (as in the Swedish
/// window's Settings): the verified domains' error was half English and
/// spoke of an @ no one typed.
#[test]
fn a_refused_setting_is_said_in_swedish_on_a_swedish_system() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    assert!(hrm_users(&db, &["demo", "--users", "1"]).status.success());
    let refused = hrm_users_in(
        &db,
        &["config", "set", "verified_domains", "företaget"],
        "sv_SE.UTF-8",
    );
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("företaget är inget domännamn"), "{said}");
    assert!(!said.contains('@'), "{said}");
    let refused = hrm_users_in(
        &db,
        &["config", "set", "smtp_port", "nittio"],
        "sv_SE.UTF-8",
    );
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("ska vara ett heltal från 1 till 65535"),
        "{said}"
    );
}

/// On a Swedish system the command line speaks Swedish; its JSON does not
/// change.
#[test]
fn the_command_line_speaks_the_os_language() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    let made = hrm_users_in(&db, &["demo", "--users", "1200"], "sv_SE.UTF-8");
    assert!(made.status.success(), "{made:?}");
    let said = String::from_utf8_lossy(&made.stdout);
    assert!(
        said.contains("Skapade ett demoregister med 1\u{a0}200 användare"),
        "{said}"
    );
    let english = hrm_users_in(&db, &["db", "status"], "en_GB.UTF-8");
    assert!(String::from_utf8_lossy(&english.stdout).contains("Users:"));
    let swedish = hrm_users_in(&db, &["db", "status"], "sv_SE.UTF-8");
    let status = String::from_utf8_lossy(&swedish.stdout);
    assert!(status.contains("Användare:"), "{status}");
    assert!(status.contains("1\u{a0}200"), "{status}");
    let refused = hrm_users_in(&db, &["verify", "--user", "nobody"], "sv_SE.UTF-8");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("Det finns ingen användare med Användar-ID nobody."),
        "{refused:?}"
    );
    let json_sv = hrm_users_in(&db, &["db", "status", "--json"], "sv_SE.UTF-8");
    let json_en = hrm_users_in(&db, &["db", "status", "--json"], "C.UTF-8");
    assert_eq!(json_sv.stdout, json_en.stdout, "JSON is the same in both");
}

fn json(output: &Output) -> Vec<serde_json::Value> {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn demo_then_list_with_filters() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    let made = hrm_users(&db, &["demo", "--users", "500"]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert!(String::from_utf8_lossy(&made.stdout).contains("500 users"));

    let everyone = json(&hrm_users(&db, &["users", "list", "--json"]));
    assert_eq!(everyone.len(), 500);
    let first = &everyone[0];
    for field in [
        "user_id",
        "first_name",
        "last_name",
        "department",
        "office",
        "email",
        "activated",
        "connection_status",
        "connection_email",
        "employment_ends",
    ] {
        assert!(first.get(field).is_some(), "field {field} missing: {first}");
    }
    assert_eq!(first["user_id"], "1");

    let pending = json(&hrm_users(
        &db,
        &["users", "list", "--json", "--status", "pending"],
    ));
    assert!(!pending.is_empty() && pending.len() < 500);
    assert!(pending.iter().all(|u| u["connection_status"] == "pending"));

    let sales_inactive = json(&hrm_users(
        &db,
        &[
            "users",
            "list",
            "--json",
            "--department",
            "Sales",
            "--activated",
            "false",
        ],
    ));
    assert!(
        sales_inactive
            .iter()
            .all(|u| u["department"] == "Sales" && u["activated"] == false)
    );

    let search = json(&hrm_users(
        &db,
        &["users", "list", "--json", "--search", "SVENSSON"],
    ));
    assert!(!search.is_empty());
    assert!(search.iter().all(|u| {
        u["last_name"] == "Svensson"
            || u["first_name"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("svensson")
    }));

    let table = hrm_users(&db, &["users", "list", "--office", "Oslo"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with("USER-ID"));
    assert!(text.trim_end().ends_with("of 500 users"));
}

#[test]
fn the_same_demo_size_makes_the_same_register() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    hrm_users(&a, &["demo", "--users", "200"]);
    hrm_users(&b, &["demo", "--users", "200"]);
    let list = |db| hrm_users(db, &["users", "list", "--json"]).stdout;
    assert_eq!(list(&a), list(&b));
}

#[test]
fn a_file_that_is_not_a_register_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("notes.txt");
    std::fs::write(&db, "not a database at all, just some notes").unwrap();
    let output = hrm_users(&db, &["users", "list"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not an HRM Users register"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1);
    assert_eq!(
        std::fs::read_to_string(&db).unwrap(),
        "not a database at all, just some notes"
    );
}

#[test]
fn demo_refuses_a_register_that_holds_users() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    hrm_users(&db, &["demo", "--users", "10"]);
    let again = hrm_users(&db, &["demo", "--users", "10"]);
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(
        json(&hrm_users(&db, &["users", "list", "--json"])).len(),
        10
    );
}

#[test]
fn a_bad_option_value_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    let output = hrm_users(&db, &["users", "list", "--status", "verified"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn config_get_set_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    let set = hrm_users(
        &db,
        &[
            "config",
            "set",
            "verified_domains",
            "company.se, bjärred.se",
        ],
    );
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let get = hrm_users(&db, &["config", "get", "verified_domains"]);
    assert_eq!(
        String::from_utf8_lossy(&get.stdout).trim(),
        "company.se,xn--bjrred-cua.se"
    );

    let bad = hrm_users(&db, &["config", "set", "smtp_port", "99999"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("smtp_port"));
    let password = hrm_users(&db, &["config", "set", "smtp_password", "secret"]);
    assert_eq!(password.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&password.stderr).contains("keyring"));
    let unknown = hrm_users(&db, &["config", "get", "colour"]);
    assert_eq!(unknown.status.code(), Some(2));

    let list = hrm_users(&db, &["config", "list", "--json"]);
    let map: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(map["smtp_port"], "587");
    assert_eq!(map["transport"], "folder");
}

#[test]
fn verify_a_user_into_the_outbox_folder() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    hrm_users(&db, &["demo", "--users", "40"]);
    let users = json(&hrm_users(
        &db,
        &[
            "users",
            "list",
            "--json",
            "--status",
            "pending",
            "--activated",
            "true",
        ],
    ));
    let pending = users[0]["user_id"].as_str().unwrap().to_owned();

    let verified = hrm_users(&db, &["verify", "--user", &pending]);
    let said = String::from_utf8_lossy(&verified.stdout);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    assert!(said.contains("Queued a verification email"), "{said}");
    assert!(said.contains("Delivered: saved as"), "{said}");
    let emls = std::fs::read_dir(dir.path().join("outbox"))
        .unwrap()
        .count();
    assert_eq!(emls, 1);

    let outbox = json(&hrm_users(&db, &["outbox", "--json"]));
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0]["state"], "sent");
    assert_eq!(outbox[0]["kind"], "verification");

    let connected = json(&hrm_users(
        &db,
        &["users", "list", "--json", "--status", "connected"],
    ));
    let id = connected[0]["user_id"].as_str().unwrap();
    let refused = hrm_users(&db, &["verify", "--user", id]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already connected"));
    let missing = hrm_users(&db, &["verify", "--user", "no-such-user"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn serve_answers_on_the_bind_address() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    hrm_users(&db, &["demo", "--users", "5"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_hrm-users"))
        .args([
            "--db",
            db.to_str().unwrap(),
            "serve",
            "--bind",
            "127.0.0.1:0",
        ])
        .env("XDG_DATA_HOME", dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let address = support::served_address(&mut child);
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    std::io::Write::write_all(
        &mut stream,
        b"GET /verify/unknown HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut stream, &mut answer).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    assert!(
        answer
            .to_lowercase()
            .contains("referrer-policy: no-referrer")
    );
}

#[test]
fn verify_all_pending_counts_then_sends_to_the_selection() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    hrm_users(&db, &["demo", "--users", "120"]);
    let dry = hrm_users(
        &db,
        &[
            "verify",
            "--all-pending",
            "--department",
            "Sales",
            "--dry-run",
        ],
    );
    let said = String::from_utf8_lossy(&dry.stdout).to_string();
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(said.contains("skipped — already connected:"), "{said}");
    assert!(said.contains("Dry run: nothing was sent."));
    assert!(!dir.path().join("outbox").exists());
    let will_send: usize = said
        .lines()
        .find(|l| l.contains("will be sent a verification email"))
        .and_then(|l| l.rsplit(": ").next())
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(will_send > 0);

    let sent = hrm_users(&db, &["verify", "--all-pending", "--department", "Sales"]);
    let said = String::from_utf8_lossy(&sent.stdout).to_string();
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    assert!(
        said.contains(&format!("{will_send} sent, 0 failed")),
        "{said}"
    );
    let files = std::fs::read_dir(dir.path().join("outbox"))
        .unwrap()
        .count();
    assert_eq!(files, will_send);

    // Right away again: everyone was just sent one, so nobody gets another.
    let again = hrm_users(&db, &["verify", "--all-pending", "--department", "Sales"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 sent, 0 failed"));
    assert_eq!(
        std::fs::read_dir(dir.path().join("outbox"))
            .unwrap()
            .count(),
        will_send
    );
}

#[test]
fn template_import_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    let template = dir.path().join("template.xlsx");
    let made = hrm_users(&db, &["template", template.to_str().unwrap()]);
    assert!(made.status.success());
    assert!(!db.exists(), "writing a template makes no register");
    let table =
        hrm_users::sheet::read_table(&template, &hrm_users::sheet::Limits::default()).unwrap();
    assert_eq!(table.headers[0], "User-ID");
    assert_eq!(table.headers[8], "Email Visma Connect");

    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/employees.xlsx");
    let report = dir.path().join("report.xlsx");
    let dry = hrm_users(
        &db,
        &[
            "import",
            fixture.to_str().unwrap(),
            "--dry-run",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    let said = String::from_utf8_lossy(&dry.stdout).to_string();
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(
        said.contains("to create: 6, to update: 0, unchanged: 0, rejected rows: 0, notes: 2"),
        "{said}"
    );
    assert!(said.contains("ignored columns (not in the template): Skostorlek"));
    assert!(said.contains("Dry run: nothing was imported."));
    assert_eq!(json(&hrm_users(&db, &["users", "list", "--json"])).len(), 0);
    let report_table =
        hrm_users::sheet::read_table(&report, &hrm_users::sheet::Limits::default()).unwrap();
    assert_eq!(report_table.headers.last().unwrap(), "Message");

    let committed = hrm_users(&db, &["import", fixture.to_str().unwrap()]);
    assert!(committed.status.success());
    assert!(String::from_utf8_lossy(&committed.stdout).contains("Imported: 6 created, 0 updated."));
    let pending = json(&hrm_users(
        &db,
        &["users", "list", "--json", "--status", "pending"],
    ));
    assert_eq!(
        pending.len(),
        3,
        "14, 15 and 2 got their addresses; 16 invalid, 17 taken"
    );

    let export = dir.path().join("it.csv");
    let exported = hrm_users(
        &db,
        &["export", export.to_str().unwrap(), "--department", "IT"],
    );
    assert!(String::from_utf8_lossy(&exported.stdout).contains("Exported 2 users"));
    let text = std::fs::read_to_string(&export).unwrap();
    assert!(text.contains("Öztürk") && text.contains("Lindqvist") && !text.contains("Svensson"));

    let bogus = dir.path().join("bogus.xlsx");
    std::fs::write(&bogus, "this is not a workbook").unwrap();
    let refused = hrm_users(&db, &["import", bogus.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not a spreadsheet"));
    let no_id = dir.path().join("no-id.csv");
    std::fs::write(&no_id, "Name;Email\nAnna;anna@company.se\n").unwrap();
    let refused = hrm_users(&db, &["import", no_id.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("no User-ID column"));
}

/// `hrm-users-cli` (the console build scripts call on Windows) is the same
/// program: the same output and the same exit codes.
#[test]
fn the_console_twin_answers_like_the_program() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    assert!(hrm_users(&db, &["demo", "--users", "5"]).status.success());
    let twin = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hrm-users-cli"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("XDG_DATA_HOME", dir.path())
            .output()
            .unwrap()
    };
    let listed = twin(&["users", "list", "--json"]);
    assert_eq!(
        json(&listed),
        json(&hrm_users(&db, &["users", "list", "--json"]))
    );
    assert_eq!(json(&listed).len(), 5);
    let refused = twin(&["import", "/no/such/file.xlsx"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("cannot be read"));
}

#[test]
fn a_csv_export_imported_unchanged_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    {
        let mut session = hrm_users::app::Session::new(hrm_users::store::Store::open(&db).unwrap());
        let draft = hrm_users::domain::UserDraft {
            user_id: "7".into(),
            first_name: "=Bob".into(),
            last_name: "'+Quoted".into(),
            email: "+bob@company.se".into(),
            card_tag_id: "-1".into(),
            ..hrm_users::domain::UserDraft::new_user()
        };
        hrm_users::app::save_user(&mut session, None, &draft).unwrap();
    }
    let csv = dir.path().join("users.csv");
    assert!(
        hrm_users(&db, &["export", csv.to_str().unwrap()])
            .status
            .success()
    );
    let written = std::fs::read_to_string(&csv).unwrap();
    assert!(written.contains("'+bob@company.se"), "protected: {written}");
    let dry = hrm_users(&db, &["import", csv.to_str().unwrap(), "--dry-run"]);
    let said = String::from_utf8_lossy(&dry.stdout);
    assert!(
        said.contains("to create: 0, to update: 0, unchanged: 1"),
        "{said}"
    );
}

#[test]
#[cfg(unix)]
fn an_import_of_a_device_or_pipe_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    let link = dir.path().join("zero.csv");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
    let fifo = dir.path().join("pipe.csv");
    support::make_fifo(&fifo);
    for file in [&link, &fifo] {
        let started = std::time::Instant::now();
        let output = hrm_users(&db, &["import", file.to_str().unwrap(), "--dry-run"]);
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("not a regular file"),
            "{output:?}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }
}

#[test]
fn a_line_break_in_the_sender_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    let output = hrm_users(&db, &["config", "set", "sender_name", "HRM\nBcc: x@y.se"]);
    assert_eq!(output.status.code(), Some(2));
    let get = hrm_users(&db, &["config", "get", "sender_name"]);
    assert_eq!(String::from_utf8_lossy(&get.stdout).trim(), "HRM");
}

#[test]
fn a_settings_change_is_audited_with_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    let set = hrm_users(&db, &["config", "set", "verified_domains", "company.se"]);
    assert!(set.status.success());
    let store = hrm_users::store::Store::open(&db).unwrap();
    let audit = store.audit_all().unwrap();
    let last = audit.last().unwrap();
    assert_eq!(last.action, hrm_users::domain::AuditAction::SettingsChanged);
    let before: serde_json::Value = serde_json::from_str(last.before.as_deref().unwrap()).unwrap();
    let after: serde_json::Value = serde_json::from_str(last.after.as_deref().unwrap()).unwrap();
    assert_eq!(before, serde_json::json!({ "verified_domains": "" }));
    assert_eq!(
        after,
        serde_json::json!({ "verified_domains": "company.se" })
    );
}

#[test]
fn a_closed_output_ends_the_list_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    assert!(
        hrm_users(&db, &["demo", "--users", "3000"])
            .status
            .success()
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_hrm-users"))
        .args(["--db", db.to_str().unwrap(), "users", "list"])
        .env("XDG_DATA_HOME", dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // `| head -1`: read one line, then close the pipe.
    let mut first = [0_u8; 16];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn control_characters_from_cells_are_shown_not_obeyed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    drop(hrm_users::store::Store::open(&db).unwrap());
    {
        // As another program (or an older version) could have written it.
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute(
            "INSERT INTO users (user_id, activated, first_name, created_at_ms, updated_at_ms)
             VALUES ('7', 1, ?1, 0, 0)",
            ["\u{1b}[2JRed"],
        )
        .unwrap();
    }
    // A spreadsheet cell with an escape sequence, refused by the import.
    let csv = dir.path().join("users.csv");
    std::fs::write(&csv, "User-ID;Email Visma Connect\n8;\u{1b}[2Jx@y\n").unwrap();
    let dry = hrm_users(&db, &["import", csv.to_str().unwrap(), "--dry-run"]);
    assert!(
        !dry.stdout.contains(&0x1b),
        "{}",
        String::from_utf8_lossy(&dry.stdout)
    );
    let listed = hrm_users(&db, &["users", "list"]);
    assert!(listed.status.success());
    assert!(!listed.stdout.contains(&0x1b));
    assert!(String::from_utf8_lossy(&listed.stdout).contains("\\u{1b}[2JRed"));
    // JSON keeps the value, escaped by JSON's own rules.
    let users = json(&hrm_users(&db, &["users", "list", "--json"]));
    assert_eq!(users[0]["first_name"], "\u{1b}[2JRed");
}

#[test]
fn a_register_damaged_inside_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    assert!(
        hrm_users(&db, &["demo", "--users", "2000"])
            .status
            .success()
    );
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let mut bytes = std::fs::read(&db).unwrap();
    assert!(bytes.len() > 40 * 4096);
    for byte in &mut bytes[20 * 4096..30 * 4096] {
        *byte = 0x5a;
    }
    std::fs::write(&db, &bytes).unwrap();
    let listed = hrm_users(&db, &["users", "list"]);
    assert_eq!(
        listed.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    assert!(String::from_utf8_lossy(&listed.stderr).contains("damaged"));
}

#[test]
fn serve_for_other_machines_with_links_to_this_one_warns() {
    use std::io::{BufRead as _, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_hrm-users"))
        .args(["--db", db.to_str().unwrap(), "serve", "--bind", "0.0.0.0:0"])
        .env("XDG_DATA_HOME", dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(line.contains("warning"), "{line}");
    assert!(line.contains("public_base_url"), "{line}");
}

#[test]
fn an_import_that_deactivates_a_user_cancels_their_waiting_verification() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    let key = {
        let mut session = hrm_users::app::Session::new(hrm_users::store::Store::open(&db).unwrap());
        let key = support::pending_user(&mut session, "14", "Anna", "anna@example.org");
        hrm_users::app::verify_account(&mut session, key).unwrap();
        key
    };
    let csv = dir.path().join("users.csv");
    std::fs::write(&csv, "User-ID;User is activated\n14;no\n").unwrap();
    let imported = hrm_users(&db, &["import", csv.to_str().unwrap()]);
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let store = hrm_users::store::Store::open(&db).unwrap();
    let message = store.last_message_for(key).unwrap().unwrap();
    assert_eq!(message.state, hrm_users::domain::DeliveryState::Cancelled);
    assert!(
        message.last_result.unwrap().contains("deactivated"),
        "the reason is said"
    );
}

/// Roles from the command line: the built-in roles with their members, a
/// user's roles given and taken with dates, and the refusals (reversed
/// dates, an unknown role, the last System administrator) with exit 2 and
/// nothing changed. Every change is in the user's History (audit log).
#[test]
fn roles_are_listed_given_and_taken_and_the_rules_refuse_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    assert!(hrm_users(&db, &["demo", "--users", "5"]).status.success());

    let roles = json(&hrm_users(&db, &["roles", "list", "--json"]));
    let ids: Vec<&str> = roles.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["system_administrator", "hr_administrator", "read_only"]
    );
    assert!(
        roles
            .iter()
            .all(|r| r["members"] == 0 && r["built_in"] == true)
    );

    // The person running the commands is user 1: their Alias user-ID is
    // the OS login name.
    set_alias(&db, "1", &login());
    let given = hrm_users(
        &db,
        &["users", "roles", "1", "--add", "system_administrator"],
    );
    assert!(
        given.status.success(),
        "{}",
        String::from_utf8_lossy(&given.stderr)
    );
    let dated = json(&hrm_users(
        &db,
        &[
            "users",
            "roles",
            "2",
            "--add",
            "hr_administrator",
            "--from",
            "2027-01-01",
            "--to",
            "2027-12-31",
            "--json",
        ],
    ));
    assert_eq!(dated.len(), 1);
    assert_eq!(dated[0]["role"], "hr_administrator");
    assert_eq!(dated[0]["valid_from"], "2027-01-01");
    assert_eq!(dated[0]["valid_to"], "2027-12-31");

    assert_role_changes_are_refused(&db);
    let unknown = hrm_users(&db, &["roles", "show", "nobody"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("There is no role nobody."));
    let admins = hrm_users(&db, &["roles", "show", "system_administrator", "--json"]);
    let admins: serde_json::Value = serde_json::from_slice(&admins.stdout).unwrap();
    assert_eq!(admins["members"], 1);
    assert_eq!(admins["holders"][0]["user_id"], "1");
    let second = json(&hrm_users(&db, &["users", "roles", "2", "--json"]));
    assert_eq!(second.len(), 1, "the refused changes left user 2 as it was");

    // A second administrator: now the first may go.
    assert!(
        hrm_users(
            &db,
            &["users", "roles", "2", "--add", "system_administrator"]
        )
        .status
        .success()
    );
    let taken = hrm_users(
        &db,
        &["users", "roles", "1", "--remove", "system_administrator"],
    );
    assert!(
        taken.status.success(),
        "{}",
        String::from_utf8_lossy(&taken.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&taken.stdout).trim(), "No roles.");

    let store = hrm_users::store::Store::open(&db).unwrap();
    let user = store
        .user_by_user_id(&hrm_users::domain::UserId::parse("1").unwrap())
        .unwrap()
        .unwrap();
    let history: Vec<String> = store
        .audit_for(user.key)
        .unwrap()
        .iter()
        .filter(|e| e.action == hrm_users::domain::AuditAction::RolesChanged)
        .map(hrm_users::domain::AuditEntry::describe)
        .collect();
    assert_eq!(
        history,
        [
            "Roles changed; now none",
            "Roles changed; now: System administrator"
        ]
    );
}

/// The refusals of `users roles`: exit 2, the reason, nothing changed.
fn assert_role_changes_are_refused(db: &Path) {
    for (args, words) in [
        (
            vec![
                "users",
                "roles",
                "2",
                "--add",
                "read_only",
                "--from",
                "2027-02-01",
                "--to",
                "2027-01-01",
            ],
            "Valid to is before Valid from.",
        ),
        (
            vec!["users", "roles", "2", "--add", "owner"],
            "There is no role owner.",
        ),
        (
            vec!["users", "roles", "1", "--remove", "system_administrator"],
            "must keep a System administrator",
        ),
        (
            vec![
                "users",
                "roles",
                "1",
                "--add",
                "read_only",
                "--from",
                "someday",
            ],
            "YYYY-MM-DD",
        ),
    ] {
        let refused = hrm_users(db, &args);
        assert_eq!(refused.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains(words),
            "{args:?}: {}",
            String::from_utf8_lossy(&refused.stderr)
        );
    }
}

/// The OS login name, as the program reads it.
fn login() -> String {
    let store = hrm_users::store::Store::open_in_memory().unwrap();
    hrm_users::app::Session::new(store).login
}

/// A user of the register by User-ID.
fn user_record(session: &hrm_users::app::Session, user_id: &str) -> hrm_users::domain::UserRecord {
    session
        .user_by_user_id(&hrm_users::domain::UserId::parse(user_id).unwrap())
        .unwrap()
        .unwrap()
}

/// Sets a user's Alias user-ID in the register file, as the state before a
/// test (written directly: who may change it is tested on its own).
fn set_alias(db: &Path, user_id: &str, alias: &str) {
    let mut session = hrm_users::app::Session::new(hrm_users::store::Store::open(db).unwrap());
    let record = user_record(&session, user_id);
    let mut user = record.user.clone();
    user.alias_user_id = alias.into();
    session
        .store_for_tests()
        .write(|tx| tx.update_user(record.key, &user, 0))
        .unwrap();
}

/// Gives a user one role as the state before a test (who may give what is
/// tested on its own).
fn give_role(db: &Path, user_id: &str, role: &str) {
    let mut session = hrm_users::app::Session::new(hrm_users::store::Store::open(db).unwrap());
    let record = user_record(&session, user_id);
    support::arrange_role(&mut session, record.key, role);
}

/// Once a System administrator exists, the command line allows each
/// operator only what their roles permit: a reader may list but not change
/// (exit 2 with the missing permission in words, nothing changed), a login
/// the register does not know may do nothing, and every refusal is in the
/// audit log.
#[test]
fn the_command_line_refuses_what_the_operators_roles_do_not_permit() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    assert!(hrm_users(&db, &["demo", "--users", "5"]).status.success());
    set_alias(&db, "1", &login());
    give_role(&db, "1", "system_administrator");
    assert!(
        hrm_users(&db, &["config", "set", "sender_name", "HR"])
            .status
            .success()
    );

    // The login is now user 2's, a reader.
    set_alias(&db, "1", "someone-else");
    set_alias(&db, "2", &login());
    give_role(&db, "2", "read_only");
    assert!(
        hrm_users(&db, &["users", "list", "--json"])
            .status
            .success(),
        "a reader may list"
    );
    for args in [
        vec!["config", "set", "sender_name", "Mallory"],
        vec!["verify", "--all-pending", "--dry-run"],
        vec!["users", "roles", "2", "--add", "system_administrator"],
    ] {
        let refused = hrm_users(&db, &args);
        assert_eq!(refused.status.code(), Some(2), "{args:?}");
        let words = String::from_utf8_lossy(&refused.stderr);
        assert!(
            words.contains("do not have the permission"),
            "{args:?}: {words}"
        );
    }
    let sender = hrm_users(&db, &["config", "get", "sender_name"]);
    assert!(
        String::from_utf8_lossy(&sender.stdout).contains("HR"),
        "unchanged"
    );

    // A login the register does not know.
    set_alias(&db, "2", "");
    let stranger = hrm_users(&db, &["users", "list"]);
    assert_eq!(stranger.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&stranger.stderr).contains("are not an HRM user"));

    let store = hrm_users::store::Store::open(&db).unwrap();
    let refusals = store
        .audit_all()
        .unwrap()
        .into_iter()
        .filter(|e| e.action == hrm_users::domain::AuditAction::AccessRefused)
        .count();
    assert_eq!(refusals, 4);
}

/// Sets a user's department, office and a pending Visma Connect address.
fn set_place(db: &Path, user_id: &str, office: &str) {
    let mut session = hrm_users::app::Session::new(hrm_users::store::Store::open(db).unwrap());
    let record = user_record(&session, user_id);
    let address = format!("user{user_id}@example.org");
    hrm_users::app::save_user(
        &mut session,
        Some(record.key),
        &hrm_users::domain::UserDraft {
            office: office.into(),
            activated: true,
            visma_email: address.clone(),
            visma_email_confirm: address,
            ..hrm_users::domain::UserDraft::from_record(&record)
        },
    )
    .unwrap();
}

/// A role limited to one office: the operator may verify, import and
/// change only users there. Elsewhere `verify --user` is refused with exit 2,
/// `verify --all-pending` skips them with the reason, and an import rejects
/// their rows (and a row moving a user there), changing nothing of theirs.
#[test]
fn a_role_limited_to_one_office_verifies_and_imports_only_there() {
    use hrm_users::domain::roles::Permission;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    assert!(hrm_users(&db, &["demo", "--users", "5"]).status.success());
    set_alias(&db, "1", &login());
    give_role(&db, "1", "system_administrator");
    let mut session = hrm_users::app::Session::new(hrm_users::store::Store::open(&db).unwrap());
    support::save_office_role(
        &mut session,
        "HR Lund",
        "Lund",
        &[
            Permission::UsersEdit,
            Permission::VerifyAccounts,
            Permission::ImportExport,
        ],
    );
    drop(session);
    set_place(&db, "2", "Lund");
    set_place(&db, "3", "Malmö");
    set_place(&db, "4", "Lund");
    // From now on the login is user 4's, who holds HR Lund.
    give_role(&db, "4", "hr_lund");
    set_alias(&db, "1", "someone-else");
    set_alias(&db, "4", &login());

    let refused = hrm_users(&db, &["verify", "--user", "3"]);
    assert_eq!(refused.status.code(), Some(2));
    let words = String::from_utf8_lossy(&refused.stderr);
    assert!(
        words.contains("only for other departments or offices"),
        "{words}"
    );
    let planned = hrm_users(&db, &["verify", "--all-pending", "--dry-run"]);
    let lines = String::from_utf8_lossy(&planned.stdout);
    assert!(
        lines.contains("Skipped: outside your departments and offices: "),
        "{lines}"
    );

    let csv = dir.path().join("users.csv");
    std::fs::write(
        &csv,
        "User-ID;Last name;Office\n2;Lundberg;Lund\n3;Malmberg;Malmö\n5;Flyttad;Lund\n",
    )
    .unwrap();
    let imported = hrm_users(&db, &["import", csv.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&imported.stdout);
    assert!(imported.status.success(), "{said}");
    let session = hrm_users::app::Session::new(hrm_users::store::Store::open(&db).unwrap());
    assert_eq!(user_record(&session, "2").user.last_name, "Lundberg");
    assert_ne!(user_record(&session, "3").user.last_name, "Malmberg");
    // User 5 is not in Lund: moving them there is not this operator's to do.
    assert_ne!(user_record(&session, "5").user.last_name, "Flyttad");
    assert!(
        said.contains("only for other departments or offices"),
        "{said}"
    );
}

/// Account codes from a spreadsheet: imported (a code again takes the
/// newer name), listed as JSON, and a file without the Code column refused
/// with exit 2 and nothing imported.
#[test]
fn account_codes_are_imported_from_a_spreadsheet_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    let csv = dir.path().join("codes.csv");
    std::fs::write(
        &csv,
        "Dimension;Kod;Namn\nKostnadsställe;100;Ekonomi\nKostnadsställe;200;HR\nRegion;N;Norr\nKostnadsställe;100;Ekonomi och lön\n",
    )
    .unwrap();
    let imported = hrm_users(&db, &["account-codes", "import", csv.to_str().unwrap()]);
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    assert!(String::from_utf8_lossy(&imported.stdout).contains("4 account codes imported."));
    let codes = json(&hrm_users(&db, &["account-codes", "list", "--json"]));
    let rows: Vec<(String, String, String)> = codes
        .iter()
        .map(|c| {
            (
                c["dimension"].as_str().unwrap().to_owned(),
                c["code"].as_str().unwrap().to_owned(),
                c["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("Region".into(), "N".into(), "Norr".into()),
            ("cost_centre".into(), "100".into(), "Ekonomi och lön".into()),
            ("cost_centre".into(), "200".into(), "HR".into()),
        ]
    );
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "Dimension;Namn\nProjekt;X\n").unwrap();
    let refused = hrm_users(&db, &["account-codes", "import", bad.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("no column Code"));
    assert_eq!(
        json(&hrm_users(&db, &["account-codes", "list", "--json"])).len(),
        3
    );
}

/// The workbook carries roles, authorisations and Audit of account code
/// rows: exported from one register (sheets Roles, Authorisations, Audit of
/// account code beside Employees-users) and imported into another, they
/// come back the same. A sheet row naming a role that does not exist is
/// listed with its sheet and row, and that user keeps their roles while
/// the others are set.
#[test]
fn roles_authorisations_and_audit_rows_travel_in_the_workbook() {
    use calamine::Reader as _;
    use hrm_users::domain::account_codes::AuditRight;
    use hrm_users::domain::roles::{Assignment, Grant, Permission, RoleDraft, Scope};
    let dir = tempfile::tempdir().unwrap();
    let from = dir.path().join("from.db");
    let to = dir.path().join("to.db");
    assert!(hrm_users(&from, &["demo", "--users", "5"]).status.success());
    let mut session = hrm_users::app::Session::new(hrm_users::store::Store::open(&from).unwrap());
    hrm_users::app::roles::save_role(
        &mut session,
        None,
        &RoleDraft {
            name: "HR Lund".into(),
            description: "HR in Lund".into(),
            grants: vec![Grant {
                permission: Permission::UsersEdit,
                scope: Scope {
                    departments: Vec::new(),
                    offices: vec!["Lund".into(), "Malmö".into()],
                },
            }],
        },
    )
    .unwrap();
    let two = user_record(&session, "2");
    let held = vec![
        Assignment {
            valid_from: "2027-01-01".parse().ok(),
            valid_to: "2027-12-31".parse().ok(),
            scope: Scope {
                departments: vec!["HR".into()],
                offices: Vec::new(),
            },
            ..Assignment::new("hr_lund")
        },
        Assignment::new("read_only"),
    ];
    hrm_users::app::roles::set_user_roles(&mut session, two.key, held.clone()).unwrap();
    let rights = vec![AuditRight {
        dimension: "cost_centre".into(),
        from_code: "100".into(),
        to_code: Some("200".into()),
        amount_limit: Some(10_000),
    }];
    hrm_users::app::account_codes::set_audit_rights(&mut session, two.key, &rights).unwrap();
    drop(session);

    let file = dir.path().join("users.xlsx");
    let exported = hrm_users(&from, &["export", file.to_str().unwrap()]);
    assert!(
        exported.status.success(),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    let workbook: calamine::Xlsx<_> = calamine::open_workbook(&file).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        [
            "Employees-users",
            "Roles",
            "Authorisations",
            "Audit of account code"
        ]
    );

    let imported = hrm_users(&to, &["import", file.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&imported.stdout);
    assert!(imported.status.success(), "{said}");
    assert!(
        said.contains("Authorisations: 1 roles saved, 1 users' roles set, 1 users' Audit of account code rows set"),
        "{said}"
    );
    let session = hrm_users::app::Session::new(hrm_users::store::Store::open(&to).unwrap());
    let two = user_record(&session, "2");
    assert_eq!(session.roles_of(two.key).unwrap(), held);
    assert_eq!(session.audit_rights_of(two.key).unwrap(), rights);
    let roles = hrm_users::app::roles::roles(&session).unwrap();
    let lund = roles.iter().find(|r| r.id == "hr_lund").unwrap();
    assert_eq!(lund.name, "HR Lund");
    assert_eq!(lund.grants[0].scope.offices, ["Lund", "Malmö"]);
    drop(session);
}

/// A sheet row naming a role that does not exist is listed with its sheet
/// and row; that user keeps their roles while the others are set.
#[test]
fn a_sheet_row_naming_no_role_is_listed_and_the_others_are_set() {
    use hrm_users::domain::roles::Assignment;
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("to.db");
    assert!(hrm_users(&to, &["demo", "--users", "5"]).status.success());
    let bad = dir.path().join("roles.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet()
        .set_name("Employees-users")
        .unwrap()
        .write_string(0, 0, "User-ID")
        .unwrap();
    let sheet = book.add_worksheet().set_name("Behörigheter").unwrap();
    for (row, cells) in (0_u32..).zip([
        ["Användar-ID", "Roll"],
        ["3", "no_such_role"],
        ["4", "Read only"],
    ]) {
        for (column, cell) in (0_u16..).zip(cells) {
            sheet.write_string(row, column, cell).unwrap();
        }
    }
    book.save(&bad).unwrap();
    let imported = hrm_users(&to, &["import", bad.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&imported.stdout);
    assert!(imported.status.success(), "{said}");
    assert!(said.contains("Authorisations, row 2: "), "{said}");
    assert!(said.contains("no_such_role"), "{said}");
    let session = hrm_users::app::Session::new(hrm_users::store::Store::open(&to).unwrap());
    assert!(
        session
            .roles_of(user_record(&session, "3").key)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        session.roles_of(user_record(&session, "4").key).unwrap(),
        [Assignment::new("read_only")]
    );
}

/// A command that reads refuses a register path where there is none (exit
/// 2) and makes no register there; `demo` makes one.
#[test]
fn a_reading_command_does_not_make_a_register_where_there_is_none() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new/folder/r.db");
    for args in [
        &["users", "list"][..],
        &["outbox"][..],
        &["config", "get", "sender_name"][..],
        &["idp", "status"][..],
    ] {
        let output = hrm_users(&db, args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("There is no register at"),
            "{output:?}"
        );
    }
    // (The log folder lives under XDG_DATA_HOME, which this test puts there.)
    assert!(!db.exists(), "no register was made");
    assert!(hrm_users(&db, &["demo", "--users", "3"]).status.success());
    assert!(hrm_users(&db, &["users", "list"]).status.success());
}

/// Escalation, tried as an attacker would: an administrator whose role has
/// *Roles* only for the Lund office cannot give System administrator (or
/// any role giving more than they hold) to a Lund user they then control;
/// they may give their own role there. Refused with exit 2, nothing changed.
#[test]
fn nobody_gives_a_role_with_more_than_they_hold() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    assert!(hrm_users(&db, &["demo", "--users", "5"]).status.success());
    let mut session = hrm_users::app::Session::new(hrm_users::store::Store::open(&db).unwrap());
    let lund = support::save_office_role(
        &mut session,
        "Lund roles",
        "Lund",
        &[
            hrm_users::domain::roles::Permission::Roles,
            hrm_users::domain::roles::Permission::UsersEdit,
        ],
    );
    // User 1 is the System administrator; user 2 holds the Lund role and is
    // the one at the command line; user 3 works in Lund.
    let admin = user_record(&session, "1").key;
    let mut lund_user = user_record(&session, "3");
    lund_user.user.office = "Lund".into();
    hrm_users::app::save_user(
        &mut session,
        Some(lund_user.key),
        &hrm_users::domain::UserDraft::from_record(&lund_user),
    )
    .unwrap();
    support::make_system_administrator(&mut session, admin);
    let giver = user_record(&session, "2").key;
    support::arrange_role(&mut session, giver, &lund.id);
    drop(session);
    set_alias(&db, "2", &login());

    let refused = hrm_users(
        &db,
        &["users", "roles", "3", "--add", "system_administrator"],
    );
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("beyond what you hold yourself"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let widened = hrm_users(&db, &["users", "roles", "3", "--add", "hr_administrator"]);
    assert_eq!(widened.status.code(), Some(2), "{widened:?}");
    let held = json(&hrm_users(&db, &["users", "roles", "3", "--json"]));
    assert!(held.is_empty(), "nothing was given: {held:?}");

    let own = hrm_users(&db, &["users", "roles", "3", "--add", &lund.id]);
    assert!(
        own.status.success(),
        "{}",
        String::from_utf8_lossy(&own.stderr)
    );
}

/// Escalation, tried as an attacker would: an HR administrator without
/// *Roles* imports a spreadsheet that gives the System administrator's
/// Alias user-ID their own login name (to become them). The row is
/// rejected with the reason and the register keeps its administrator;
/// their own rows still import.
#[test]
fn an_import_cannot_take_over_an_administrators_login() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    assert!(hrm_users(&db, &["demo", "--users", "5"]).status.success());
    set_alias(&db, "1", "the-admin");
    give_role(&db, "1", "system_administrator");
    give_role(&db, "2", "hr_administrator");
    set_alias(&db, "2", &login());
    let csv = dir.path().join("users.csv");
    assert!(
        hrm_users(&db, &["export", csv.to_str().unwrap()])
            .status
            .success()
    );
    // The export's csv: semicolons, as a Swedish spreadsheet program reads it.
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(&csv)
        .unwrap();
    let headers = reader.headers().unwrap().clone();
    let alias = headers.iter().position(|h| h == "Alias user-ID").unwrap();
    let last_name = headers.iter().position(|h| h == "Last name").unwrap();
    let mut rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_path(&csv)
        .unwrap();
    writer.write_record(&headers).unwrap();
    for row in &mut rows {
        let mut cells: Vec<String> = row.iter().map(str::to_owned).collect();
        match &cells[0][..] {
            "1" => cells[alias] = login(),
            "3" => cells[last_name] = "Renamed".into(),
            _ => {}
        }
        writer.write_record(&cells).unwrap();
    }
    writer.flush().unwrap();
    drop(writer);

    let imported = hrm_users(&db, &["import", csv.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&imported.stdout).into_owned();
    assert!(
        imported.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    assert!(
        out.contains("Roles"),
        "the rejection names the missing permission: {out}"
    );
    let session = hrm_users::app::Session::new(hrm_users::store::Store::open(&db).unwrap());
    assert_eq!(user_record(&session, "1").user.alias_user_id, "the-admin");
    assert_eq!(user_record(&session, "3").user.last_name, "Renamed");
    let grant = hrm_users(
        &db,
        &["users", "roles", "2", "--add", "system_administrator"],
    );
    assert_eq!(grant.status.code(), Some(2), "{grant:?}");
}

/// The day a role is valid is judged in the register's time zone, not each
/// computer's: an administrator whose role ends today (in the register's
/// zone, UTC−12) keeps it on a computer 26 hours ahead (UTC+14), where it
/// would otherwise have ended a day early — or, the other way round, an
/// ended role would live on a day longer.
#[test]
fn a_roles_day_is_the_registers_not_the_computers() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    assert!(hrm_users(&db, &["demo", "--users", "3"]).status.success());
    assert!(
        hrm_users(&db, &["config", "set", "time_zone", "Etc/GMT+12"])
            .status
            .success()
    );
    let today_there = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Etc/GMT+12").unwrap())
        .date();
    set_alias(&db, "1", &login());
    let mut session = hrm_users::app::Session::new(hrm_users::store::Store::open(&db).unwrap());
    let key = user_record(&session, "1").key;
    support::arrange_roles(
        &mut session,
        key,
        &[hrm_users::domain::roles::Assignment {
            valid_to: Some(today_there),
            ..hrm_users::domain::roles::Assignment::new("system_administrator")
        }],
    );
    session
        .store_for_tests()
        .write(|tx| {
            tx.set_setting(
                hrm_users::domain::settings::SettingsRow::RolesInForce,
                Some("true"),
            )
        })
        .unwrap();
    drop(session);
    let far_ahead = Command::new(env!("CARGO_BIN_EXE_hrm-users"))
        .arg("--db")
        .arg(&db)
        .args(["config", "set", "sender_name", "HR"])
        .env("XDG_DATA_HOME", dir.path())
        .env("LC_ALL", "C.UTF-8")
        .env("TZ", "Etc/GMT-14")
        .output()
        .unwrap();
    assert!(
        far_ahead.status.success(),
        "the role is valid today in the register's zone: {}",
        String::from_utf8_lossy(&far_ahead.stderr)
    );
}
