//! A shared register on PostgreSQL, used as several HR desktops and a
//! server use it: separate processes of the real binary on one database
//! (`serve` on several machines, a bulk send, `kill -9` in the middle), and
//! moving a register between an SQLite file and PostgreSQL with `db copy`.

// Helpers of tests may panic: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use hrm_users::store::Reads as _;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use hrm_users::app::Session;
use hrm_users::domain::{DeliveryState, SettingKey};
use hrm_users::store::Store;
use support::{Register, SmtpServer, smtp_settings};

fn hrm_users(register: &Register) -> Command {
    support::program(register)
}

fn run(register: &Register, args: &[&str]) -> Output {
    hrm_users(register).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json(output: &Output) -> serde_json::Value {
    assert!(output.status.success(), "{}", text(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `hrm-users db copy FROM TO --json`, run from `register`'s folder.
fn db_copy(register: &Register, from: &str, to: &str) -> Output {
    hrm_users(register)
        .args(["db", "copy", from, to, "--json"])
        .output()
        .unwrap()
}

#[test]
fn db_copy_moves_a_file_register_to_postgres_and_back_unchanged() {
    let file = Register::new();
    let made = run(&file, &["demo", "--users", "300"]);
    assert!(made.status.success(), "{}", text(&made.stderr));
    // Links, outbox rows and audit rows too: one verification through the folder outbox.
    let verified = run(&file, &["verify", "--all-pending", "--search", "Lund"]);
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    // Roles too, two for one user (a table keyed by two columns); no
    // System administrator, as the test's OS user is no HRM user.
    for (user, role) in [
        ("1", "hr_administrator"),
        ("1", "read_only"),
        ("2", "hr_administrator"),
    ] {
        let given = run(
            &file,
            &["users", "roles", user, "--add", role, "--to", "2027-12-31"],
        );
        assert!(given.status.success(), "{}", text(&given.stderr));
    }
    let users_before = json(&run(&file, &["users", "list", "--json"]));

    let shared = Register::postgres();
    // `shared` is already a register (empty); copy into it.
    let report = json(&db_copy(&file, &file.db_arg(), &shared.db_arg()));
    assert_eq!(report["matches"], true, "{report}");
    let tables: Vec<_> = report["target"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["table"].as_str().unwrap().to_owned(),
                t["rows"].as_u64().unwrap(),
            )
        })
        .collect();
    for table in [
        "settings",
        "users",
        "connections",
        "link_tokens",
        "outbox",
        "audit",
        "user_roles",
    ] {
        assert!(
            tables.iter().any(|(name, rows)| name == table && *rows > 0),
            "{table} copied with rows: {tables:?}"
        );
    }
    assert!(
        !report.to_string().contains("password"),
        "no secret is printed"
    );
    assert_eq!(
        json(&run(&shared, &["users", "list", "--json"])),
        users_before
    );
    // The import's dry run says whose backups apply.
    let csv = file.dir.path().join("new.csv");
    std::fs::write(&csv, "User-ID;First name\nimp1;Ivar\n").unwrap();
    let dry = run(&shared, &["import", csv.to_str().unwrap(), "--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    assert!(
        text(&dry.stdout).contains("the PostgreSQL server's own backups apply"),
        "{}",
        text(&dry.stdout)
    );
    let status = json(&run(&shared, &["db", "status", "--json"]));
    assert_eq!(status["backend"], "postgresql");
    assert_eq!(status["users"], 300);
    assert_eq!(status["schema_version"], hrm_users::store::latest_version());

    // The shared register works: a new user gets the next key.
    let mut session = Session::new(Store::open(&shared.location).unwrap());
    support::pending_user(&mut session, "new-1", "Nora", "nora@example.org");
    let audit = session.audit_all().unwrap();
    let actor = &audit.last().unwrap().actor;
    assert!(
        actor.contains("database role postgres") || actor == "postgres",
        "the audit log names the OS user and the database role: {actor}"
    );
    drop(session);

    // And back into a new file: every table as on the shared register.
    let back = file.dir.path().join("back.db");
    let report = json(&db_copy(&shared, &shared.db_arg(), back.to_str().unwrap()));
    assert_eq!(report["matches"], true, "{report}");
    let file_back = Register {
        dir: tempfile::tempdir().unwrap(),
        path: back.clone(),
        location: hrm_users::store::Location::File(back),
    };
    let users_back = json(&run(&file_back, &["users", "list", "--json"]));
    assert_eq!(users_back.as_array().unwrap().len(), 301);
}

#[test]
fn db_copy_into_a_register_that_holds_anything_changes_nothing() {
    let file = Register::new();
    assert!(run(&file, &["demo", "--users", "20"]).status.success());
    let shared = Register::postgres();
    let mut session = Session::new(Store::open(&shared.location).unwrap());
    support::pending_user(&mut session, "1", "Anna", "anna@example.org");
    drop(session);
    let refused = db_copy(&file, &file.db_arg(), &shared.db_arg());
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    assert!(
        text(&refused.stderr).contains("not empty"),
        "{}",
        text(&refused.stderr)
    );
    let status = json(&run(&shared, &["db", "status", "--json"]));
    assert_eq!(status["users"], 1);
    // An existing file as the target is refused too, untouched.
    let existing = file.dir.path().join("existing.db");
    std::fs::write(&existing, b"keep me").unwrap();
    let refused = db_copy(&shared, &shared.db_arg(), existing.to_str().unwrap());
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(std::fs::read(&existing).unwrap(), b"keep me");
}

/// `serve` on a port of its own, delivering the outbox beside it.
fn start_serve(register: &Register) -> Child {
    let mut child = hrm_users(register)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    support::served_address(&mut child);
    child
}

/// Four workers on one shared register (three `serve`, one bulk send)
/// drain 5,000 messages; one `serve` is killed with `kill -9` in the middle.
/// Every employee gets the message; a second copy exists only where the
/// killed worker had begun handing it over, and is flagged.
#[test]
fn four_workers_deliver_each_message_once_and_a_killed_ones_messages_are_finished_by_the_others() {
    const USERS: usize = 5_000;
    let smtp = SmtpServer::start();
    smtp.set_delay_ms(1);
    let shared = Register::postgres();
    let mut session = Session::new(Store::open(&shared.location).unwrap());
    let mut settings = smtp_settings(&mut session, &smtp, "http://127.0.0.1:9");
    settings.set(SettingKey::SmtpSessions, "4").unwrap();
    hrm_users::app::save_settings(&mut session, &settings).unwrap();
    support::seed_pending(&mut session, USERS, "drain");

    let mut serves: Vec<Child> = (0..3).map(|_| start_serve(&shared)).collect();
    let sender = hrm_users(&shared)
        .args(["verify", "--all-pending"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until(
        "the first thousand messages",
        Duration::from_mins(3),
        || smtp.accepted().len() >= 1_000,
    );
    let mut killed = serves.remove(0);
    Command::new("kill")
        .args(["-9", &killed.id().to_string()])
        .status()
        .unwrap();
    let _ = killed.wait();
    let output = sender.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    wait_until("every message delivered", Duration::from_mins(5), || {
        session.queued_count().unwrap() == 0
    });
    for mut serve in serves {
        let _ = serve.kill();
        let _ = serve.wait();
    }

    let mut counts = std::collections::HashMap::<String, usize>::new();
    for (to, n) in smtp.per_recipient() {
        let address = to
            .rsplit_once('<')
            .map_or(to.as_str(), |(_, rest)| rest.trim_end_matches('>'));
        *counts.entry(address.to_owned()).or_default() += n;
    }
    let messages = session.outbox(USERS * 2).unwrap();
    let mut duplicates = 0;
    for n in 0..USERS {
        let address = format!("drain{n}@example.org");
        let got = counts.get(&address).copied().unwrap_or(0);
        assert!(got >= 1, "{address} got nothing");
        if got > 1 {
            duplicates += got - 1;
            let flagged = messages
                .iter()
                .any(|m| m.recipient.as_str() == address && m.possible_duplicate);
            assert!(flagged, "{address} got {got} copies and none is flagged");
        }
    }
    assert!(
        duplicates <= 4,
        "at most one per SMTP session of the killed worker: {duplicates}"
    );
    assert!(messages.iter().all(|m| m.state == DeliveryState::Sent));
    eprintln!(
        "4 workers, {USERS} messages, {} accepted, {duplicates} duplicates (all flagged)",
        smtp.accepted().len()
    );
}

/// Two `serve`s on hosts whose clocks differ by two minutes deliver each
/// message once: leases follow the database server's clock, so neither
/// takes the other's live messages for abandoned.
#[test]
fn two_serves_whose_clocks_differ_by_two_minutes_send_each_message_once() {
    const USERS: usize = 120;
    let smtp = SmtpServer::start();
    smtp.set_delay_ms(150);
    let shared = Register::postgres();
    let mut session = Session::new(Store::open(&shared.location).unwrap());
    let mut settings = smtp_settings(&mut session, &smtp, "http://127.0.0.1:9");
    settings.set(SettingKey::SmtpSessions, "2").unwrap();
    hrm_users::app::save_settings(&mut session, &settings).unwrap();
    support::seed_pending(&mut session, USERS, "clock");
    let on_time = start_serve(&shared);
    let mut ahead = hrm_users(&shared);
    ahead
        .env("LD_PRELOAD", support::faketime_library())
        .env("FAKETIME", "+120s")
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1");
    let mut ahead = ahead
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    support::served_address(&mut ahead);
    // Queued as the window's Verify account does; the two serves deliver.
    for record in session.load_users().unwrap() {
        hrm_users::app::verify_account(&mut session, record.key).unwrap();
    }
    wait_until("every message delivered", Duration::from_mins(3), || {
        session.queued_count().unwrap() == 0
    });
    for mut serve in [on_time, ahead] {
        let _ = serve.kill();
        let _ = serve.wait();
    }
    let messages = session.outbox(USERS * 2).unwrap();
    let taken_back = messages.iter().filter(|m| m.possible_duplicate).count();
    let copies: usize = smtp.per_recipient().values().sum();
    assert_eq!(
        (copies, taken_back),
        (USERS, 0),
        "messages accepted for {USERS} employees, and messages taken from a live serve"
    );
}

/// `/health` says when the register behind `serve` cannot be reached, so a
/// load balancer or monitor takes the server out of rotation.
#[test]
fn health_answers_503_once_the_shared_register_is_gone() {
    let shared = Register::postgres();
    let mut serve = hrm_users(&shared)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let address = support::served_address(&mut serve);
    let health = || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = agent
            .get(&format!("http://{address}/health"))
            .call()
            .unwrap();
        (
            response.status().as_u16(),
            response.body_mut().read_to_string().unwrap(),
        )
    };
    assert_eq!(health().0, 200);
    // The database goes away under the running server.
    let hrm_users::store::Location::Shared(url) = &shared.location else {
        unreachable!()
    };
    let (base, _) = url.url().split_once('?').unwrap();
    let (server, database) = base.rsplit_once('/').unwrap();
    let mut admin = postgres::Client::connect(
        &format!("{server}/postgres?sslmode=disable"),
        postgres::NoTls,
    )
    .unwrap();
    admin
        .batch_execute(&format!("DROP DATABASE {database} WITH (FORCE)"))
        .unwrap();
    let (status, body) = health();
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("register cannot be reached"), "{body}");
    let _ = serve.kill();
    let _ = serve.wait();
}

/// The README's set-up, step by step on the tests' server: an owner role
/// that migrates and copies, a login of their own for an administrator (in
/// `hrm_admins`) who can do the work but cannot rewrite the audit log, and
/// `roles recover` as the owner's way to make the first System
/// administrator.
#[test]
fn the_readmes_logins_work_and_keep_the_audit_log_append_only() {
    let scratch = Register::postgres();
    let hrm_users::store::Location::Shared(url) = &scratch.location else {
        unreachable!()
    };
    let (base, _) = url.url().split_once('?').unwrap();
    let (server, _) = base.rsplit_once('/').unwrap();
    let server = server.replace("postgres@", "");
    let suffix = format!("{}_{}", std::process::id(), line!());
    let (owner, sara, database) = (
        format!("hrm_owner_{suffix}"),
        format!("sara_{suffix}"),
        format!("hrm_{suffix}"),
    );
    let url_as = |role: &str| {
        format!(
            "{}/{database}?sslmode=disable",
            server.replace("postgres://", &format!("postgres://{role}@"))
        )
    };
    let mut admin = postgres::Client::connect(
        &url_as("postgres").replace(&database, "postgres"),
        postgres::NoTls,
    )
    .unwrap();
    // The group roles are the cluster's; another test may have made them.
    admin
        .batch_execute(&format!(
            "CREATE ROLE {owner} LOGIN;
             DO $$ BEGIN CREATE ROLE hrm_admins NOLOGIN; EXCEPTION WHEN others THEN NULL; END $$;
             DO $$ BEGIN CREATE ROLE hrm_serve NOLOGIN; EXCEPTION WHEN others THEN NULL; END $$;"
        ))
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {database} OWNER {owner}"))
        .unwrap();
    let mut in_database = postgres::Client::connect(&url_as("postgres"), postgres::NoTls).unwrap();
    in_database
        .batch_execute(&format!(
            "REVOKE ALL ON SCHEMA public FROM PUBLIC;
             GRANT USAGE ON SCHEMA public TO hrm_admins, hrm_serve;
             CREATE ROLE {sara} LOGIN IN ROLE hrm_admins;"
        ))
        .unwrap();
    // The owner moves a desktop's register in (and so makes the tables and
    // grants the group roles), then makes Sara the first System
    // administrator; Sara herself may not.
    let file = Register::new();
    assert!(run(&file, &["demo", "--users", "30"]).status.success());
    let copied = db_copy(&file, &file.db_arg(), &url_as(&owner));
    assert!(copied.status.success(), "{}", text(&copied.stderr));
    let by_role = |role: &str| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hrm-users"));
        command
            .args(["--db", &url_as(role), "roles", "recover", &sara])
            .env("XDG_DATA_HOME", file.dir.path())
            .env("LC_ALL", "C.UTF-8");
        command.output().unwrap()
    };
    // Sara is one of the desktop's users; her Alias user-ID is her login.
    let mut as_owner =
        Session::new(Store::open(hrm_users::store::Location::parse(&url_as(&owner))).unwrap());
    let first = as_owner
        .user_by_user_id(&hrm_users::domain::UserId::parse("1").unwrap())
        .unwrap()
        .unwrap();
    let draft = hrm_users::domain::UserDraft {
        alias_user_id: sara.clone(),
        ..hrm_users::domain::UserDraft::from_record(&first)
    };
    hrm_users::app::save_user(&mut as_owner, Some(first.key), &draft).unwrap();
    let refused = by_role(&sara);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    assert!(
        text(&refused.stderr).contains("Only the register's owner"),
        "{}",
        text(&refused.stderr)
    );
    let recovered = by_role(&owner);
    assert!(recovered.status.success(), "{}", text(&recovered.stderr));
    assert!(text(&recovered.stdout).contains("is System administrator again"));

    // A window as Sara: reads, saves, audits.
    let mut session =
        Session::new(Store::open(hrm_users::store::Location::parse(&url_as(&sara))).unwrap());
    assert_eq!(session.login, sara);
    assert_eq!(session.count_users().unwrap(), 30);
    support::pending_user(&mut session, "new-1", "Nora", "nora@example.org");
    assert_eq!(session.count_users().unwrap(), 31);
    let me = session
        .user_by_user_id(&hrm_users::domain::UserId::parse("1").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(
        session.roles_of(me.key).unwrap()[0].role,
        "system_administrator"
    );
    // It cannot rewrite history, by permission (beside the trigger).
    let mut as_sara = postgres::Client::connect(&url_as(&sara), postgres::NoTls).unwrap();
    let words = |e: postgres::Error| e.as_db_error().unwrap().message().to_owned();
    let error = words(as_sara.batch_execute("DELETE FROM audit").unwrap_err());
    assert!(error.contains("permission denied"), "{error}");
    let error = words(as_sara.batch_execute("DROP TABLE users").unwrap_err());
    assert!(error.contains("must be owner"), "{error}");
}

/// Two administrators at two desktops import, at the same moment, files that
/// give the same Visma Connect address to two different users: exactly one
/// user gets it; the other import says whose it is and leaves it out.
#[test]
fn two_imports_giving_one_address_to_two_users_at_once_apply_it_once() {
    let shared = Register::postgres();
    let mut session = shared.session(&support::TestClock::new());
    for id in ["1", "2"] {
        hrm_users::app::save_user(
            &mut session,
            None,
            &hrm_users::domain::UserDraft {
                user_id: id.into(),
                first_name: "Test".into(),
                ..hrm_users::domain::UserDraft::new_user()
            },
        )
        .unwrap();
    }
    let files: Vec<_> = ["1", "2"]
        .iter()
        .map(|id| {
            let file = shared.dir.path().join(format!("from-{id}.csv"));
            std::fs::write(
                &file,
                format!("User-ID;Email Visma Connect\n{id};shared@example.org\n"),
            )
            .unwrap();
            file
        })
        .collect();
    let imports: Vec<Child> = files
        .iter()
        .map(|file| {
            hrm_users(&shared)
                .args(["import", file.to_str().unwrap()])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<Output> = imports
        .into_iter()
        .map(|child| child.wait_with_output().unwrap())
        .collect();
    for output in &outputs {
        assert!(output.status.success(), "{}", text(&output.stderr));
    }
    let users = json(&run(&shared, &["users", "list", "--json"]));
    let holders: Vec<_> = users
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["connection_email"] == "shared@example.org")
        .collect();
    assert_eq!(holders.len(), 1, "{users}");
    let said: String = outputs.iter().map(|o| text(&o.stdout)).collect();
    assert!(said.contains("belongs to user"), "{said}");
}

/// Two administrators, at two desktops at the same moment, each take the
/// System administrator role from one of the last two holders: one change
/// is made and the other is refused with exit 2, so the register always
/// keeps one. Run several times, on a register file and on PostgreSQL.
fn two_removals_of_the_last_two_system_administrators_leave_one(shared: &Register) {
    use hrm_users::app::roles::{save_role, set_user_roles};
    use hrm_users::domain::roles::{Assignment, Grant, Permission, RoleDraft, Scope};
    let mut session = shared.session(&support::TestClock::new());
    let mut keys = Vec::new();
    let login = session.login.clone();
    for id in ["1", "2", "3"] {
        let record = hrm_users::app::save_user(
            &mut session,
            None,
            &hrm_users::domain::UserDraft {
                user_id: id.into(),
                first_name: "Test".into(),
                alias_user_id: if id == "3" {
                    login.clone()
                } else {
                    String::new()
                },
                ..hrm_users::domain::UserDraft::new_user()
            },
        )
        .unwrap();
        keys.push(record.key);
    }
    // The operator (user 3) may change roles without being an administrator.
    let grant = |permission| Grant {
        permission,
        scope: Scope::everything(),
    };
    save_role(
        &mut session,
        None,
        &RoleDraft {
            name: "Role keeper".into(),
            description: String::new(),
            grants: vec![grant(Permission::UsersRead), grant(Permission::Roles)],
        },
    )
    .unwrap();
    set_user_roles(&mut session, keys[2], vec![Assignment::new("role_keeper")]).unwrap();
    for round in 0..4 {
        for key in &keys[..2] {
            support::make_system_administrator(&mut session, *key);
        }
        let removals: Vec<Child> = ["1", "2"]
            .iter()
            .map(|id| {
                hrm_users(shared)
                    .args(["users", "roles", id, "--remove", "system_administrator"])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outputs: Vec<Output> = removals
            .into_iter()
            .map(|child| child.wait_with_output().unwrap())
            .collect();
        let codes: Vec<Option<i32>> = outputs.iter().map(|o| o.status.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [Some(0), Some(2)], "round {round}: {codes:?}");
        let refused = outputs.iter().find(|o| o.status.code() == Some(2)).unwrap();
        assert!(
            text(&refused.stderr).contains("must keep a System administrator"),
            "{}",
            text(&refused.stderr)
        );
        let holders = session
            .store_for_tests()
            .all_roles()
            .unwrap()
            .into_iter()
            .filter(|(_, held)| held.iter().any(|a| a.role == "system_administrator"))
            .count();
        assert_eq!(holders, 1, "round {round}");
    }
}

#[test]
fn two_removals_of_the_last_two_system_administrators_leave_one_in_a_file() {
    two_removals_of_the_last_two_system_administrators_leave_one(&Register::new());
}

#[test]
fn two_removals_of_the_last_two_system_administrators_leave_one_on_postgres() {
    two_removals_of_the_last_two_system_administrators_leave_one(&Register::postgres());
}

/// The window keeps painting while the shared register does not answer:
/// with the link held (a Wi-Fi drop, a VPN reconnecting), clicking a user
/// opens the form at once, saying it is loading; its History comes when
/// traffic flows again.
#[test]
fn opening_a_user_while_the_register_does_not_answer_never_stops_the_window() {
    use egui::accesskit::Role;
    use egui_kittest::kittest::Queryable as _;
    let shared = Register::postgres();
    let mut session = shared.session(&support::TestClock::new());
    support::pending_user(&mut session, "14", "Sara", "sara@example.org");
    drop(session);
    let url = shared.db_arg();
    let link = support::link::CountingLink::to_server_of(&url);
    let through = hrm_users::store::Location::parse(&link.url_through(&url));
    let mut harness = support::window(Session::open(&through).unwrap());
    link.hold(true);
    // Were a frame to wait for the register, it would wait this long.
    let link = std::sync::Arc::new(link);
    let safety = std::sync::Arc::clone(&link);
    std::thread::Builder::new()
        .name("link-release".into())
        .spawn(move || {
            std::thread::sleep(Duration::from_secs(5));
            safety.hold(false);
        })
        .unwrap();
    let started = std::time::Instant::now();
    harness
        .get_all_by_label_contains("Sara")
        .next()
        .unwrap()
        .click();
    ten_frames_without_waiting(&mut harness, started);
    assert!(harness.query_by_label("Loading…").is_some());
    // Held for longer than a moment, the window says so in words.
    says_not_answering_within_2_s(&mut harness);
    assert!(
        harness
            .query_all_by_role_and_label(Role::TextInput, "First name")
            .next()
            .is_some()
    );
    link.hold(false);
    steps_until_loaded(&mut harness, Instant::now(), Duration::from_secs(10));
    // The History read off the UI thread is in the form.
    harness.get_by_label("History").click();
    support::wait_for(&mut harness, "Address saved");
}

/// The window on `shared` through a counting link of its own (which can
/// hold all traffic, as a Wi-Fi drop does).
fn window_through_link(
    shared: &Register,
) -> (
    std::sync::Arc<support::link::CountingLink>,
    egui_kittest::Harness<'static, hrm_users::ui::HrmApp>,
) {
    let url = shared.db_arg();
    let link = std::sync::Arc::new(support::link::CountingLink::to_server_of(&url));
    let through = hrm_users::store::Location::parse(&link.url_through(&url));
    let harness = support::window(Session::open(&through).unwrap());
    (link, harness)
}

/// Draws frames until nothing says *Loading…* any more, failing when that
/// takes past `limit` from `since`.
fn steps_until_loaded(
    harness: &mut egui_kittest::Harness<'static, hrm_users::ui::HrmApp>,
    since: Instant,
    limit: Duration,
) {
    use egui_kittest::kittest::Queryable as _;
    while harness.query_by_label("Loading…").is_some() {
        assert!(since.elapsed() < limit, "what was loading never came");
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Draws ten frames and checks that none of them waited for the register
/// (all ten within 2 s of `started`, the click that began the work).
fn ten_frames_without_waiting(
    harness: &mut egui_kittest::Harness<'static, hrm_users::ui::HrmApp>,
    started: std::time::Instant,
) {
    for _ in 0..10 {
        harness.step();
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the frames waited for the register"
    );
}

/// Held for longer than a moment, the window says so in words.
fn says_not_answering_within_2_s(
    harness: &mut egui_kittest::Harness<'static, hrm_users::ui::HrmApp>,
) {
    use egui_kittest::kittest::Queryable as _;
    std::thread::sleep(Duration::from_millis(2_100));
    harness.step();
    assert!(
        harness
            .query_by_label_contains("The shared register has not answered for 2 s")
            .is_some()
    );
}

/// Holds all traffic through `link` for `long`, then lets it flow.
fn hold_for(link: &std::sync::Arc<support::link::CountingLink>, long: Duration) {
    link.hold(true);
    let release = std::sync::Arc::clone(link);
    std::thread::Builder::new()
        .name("link-release".into())
        .spawn(move || {
            std::thread::sleep(long);
            release.hold(false);
        })
        .unwrap();
}

/// Saving and *Verify account* while the shared register does not answer:
/// the form says *Saving…* and the window keeps painting; a click on
/// another user meanwhile is taken once the Save landed; a second Save is
/// not started; after the hold the saved user is there once, and Verify
/// account queues its message once.
#[test]
fn saving_while_the_register_does_not_answer_never_stops_the_window() {
    use egui::accesskit::Role;
    use egui_kittest::kittest::Queryable as _;
    let shared = Register::postgres();
    let mut session = shared.session(&support::TestClock::new());
    let sara = support::pending_user(&mut session, "14", "Sara", "sara@example.org");
    support::pending_user(&mut session, "15", "Olle", "olle@example.org");
    let (link, mut harness) = window_through_link(&shared);
    harness
        .get_all_by_label_contains("Sara")
        .next()
        .unwrap()
        .click();
    let opened = std::time::Instant::now();
    while harness.query_by_label("Loading…").is_some()
        || opened.elapsed() < Duration::from_millis(300)
    {
        assert!(
            opened.elapsed() < Duration::from_secs(10),
            "the details never came"
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    support::retype(&mut harness, "First name", "Sarah");

    hold_for(&link, Duration::from_secs(8));
    let started = std::time::Instant::now();
    harness.get_by_role_and_label(Role::Button, "Save").click();
    for _ in 0..10 {
        harness.step();
    }
    // Ctrl+S again and a click on Olle while it saves.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    harness
        .get_all_by_label_contains("Olle")
        .next()
        .unwrap()
        .click();
    ten_frames_without_waiting(&mut harness, started);
    assert!(harness.query_by_label("Saving…").is_some());
    says_not_answering_within_2_s(&mut harness);
    link.hold(false);
    support::wait_for(&mut harness, "Saved user 14 Sarah");
    // The click on Olle was taken once the Save landed.
    support::wait_for(&mut harness, "15 Olle Testsson");
    let reader = shared.session(&support::TestClock::new());
    let saved = reader.user(sara).unwrap().unwrap();
    assert_eq!(saved.user.first_name, "Sarah");
    let updates = hrm_users::app::user_details(&reader, sara)
        .unwrap()
        .history
        .iter()
        .filter(|entry| entry.action == hrm_users::domain::AuditAction::UserUpdated)
        .count();
    assert_eq!(updates, 1, "one Save, not two");

    // Verify account for Olle with the link held: Working…, then the
    // message queued once.
    hold_for(&link, Duration::from_secs(4));
    let started = std::time::Instant::now();
    harness
        .get_by_role_and_label(Role::Button, "Verify account")
        .click();
    ten_frames_without_waiting(&mut harness, started);
    assert!(harness.query_by_label("Working…").is_some());
    support::wait_for(&mut harness, "queued");
    let queued = reader.queued_count().unwrap();
    assert_eq!(queued, 1, "Olle's message, once");
}

/// *Save settings* while the shared register does not answer: the window
/// keeps painting and says it saves; once traffic flows the settings are
/// saved, once.
#[test]
fn saving_settings_while_the_register_does_not_answer_never_stops_the_window() {
    use egui::accesskit::Role;
    use egui_kittest::kittest::Queryable as _;
    let shared = Register::postgres();
    drop(shared.session(&support::TestClock::new()));
    let (link, mut harness) = window_through_link(&shared);
    harness
        .get_by_role_and_label(Role::Button, "Settings")
        .click();
    // The stored settings are read off the UI thread.
    support::wait_for(&mut harness, "Sender name");
    support::retype(&mut harness, "Sender name", "HR at Company");
    hold_for(&link, Duration::from_secs(4));
    let started = std::time::Instant::now();
    harness
        .get_by_role_and_label(Role::Button, "Save settings")
        .click();
    ten_frames_without_waiting(&mut harness, started);
    assert!(harness.query_by_label("Saving…").is_some());
    support::wait_for(&mut harness, "Settings saved.");
    let saved = shared
        .session(&support::TestClock::new())
        .load_settings()
        .unwrap();
    assert_eq!(saved.sender_name, "HR at Company");
}

/// Opening Settings and Roles, and *Make me System administrator*, while
/// the shared register does not answer: the window keeps painting and says
/// it reads or works; once traffic flows the settings and roles are there
/// and the operator is System administrator.
#[test]
fn settings_roles_and_make_me_system_administrator_never_stop_the_window() {
    use egui::accesskit::Role;
    use egui_kittest::kittest::Queryable as _;
    let shared = Register::postgres();
    let (link, mut harness) = window_through_link(&shared);
    // The person working is a user of the register (their Alias user-ID is
    // their login), and no one is System administrator yet.
    let login = harness
        .state()
        .users_view()
        .unwrap()
        .session()
        .login
        .clone();
    let mut session = shared.session(&support::TestClock::new());
    let key = support::pending_user(&mut session, "14", "Sara", "sara@example.org");
    let record = session.user(key).unwrap().unwrap();
    let mut draft = hrm_users::domain::UserDraft::from_record(&record);
    draft.alias_user_id = login;
    hrm_users::app::save_user(&mut session, Some(key), &draft).unwrap();
    support::wait_for(&mut harness, "Sara Testsson");

    hold_for(&link, Duration::from_secs(4));
    let started = std::time::Instant::now();
    harness
        .get_by_role_and_label(Role::Button, "Settings")
        .click();
    ten_frames_without_waiting(&mut harness, started);
    assert!(harness.query_by_label("Reading the settings…").is_some());
    support::wait_for(&mut harness, "Sender name");
    harness.key_press(egui::Key::Escape);
    harness.step();

    hold_for(&link, Duration::from_secs(4));
    let started = std::time::Instant::now();
    harness
        .get_by_role_and_label(Role::Button, "Go to roles")
        .click();
    ten_frames_without_waiting(&mut harness, started);
    assert!(harness.query_by_label("Working…").is_some());
    support::wait_for(&mut harness, "HR administrator");
    harness.key_press(egui::Key::Escape);
    harness.step();

    hold_for(&link, Duration::from_secs(4));
    let started = std::time::Instant::now();
    harness
        .get_by_role_and_label(Role::Button, "Make me System administrator")
        .click();
    ten_frames_without_waiting(&mut harness, started);
    support::wait_for(&mut harness, "are now System administrator");
    let session = shared.session(&support::TestClock::new());
    let roles = session.roles_of(key).unwrap();
    assert!(roles.iter().any(|a| a.role == "system_administrator"));
}

/// *Users/Authorities › Roles*: saving a new role while the shared
/// register does not answer keeps the window painting and says it works;
/// once traffic flows the role is saved.
#[test]
fn saving_a_role_while_the_register_does_not_answer_never_stops_the_window() {
    use egui::accesskit::Role;
    use egui_kittest::kittest::Queryable as _;
    let shared = Register::postgres();
    drop(shared.session(&support::TestClock::new()));
    let (link, mut harness) = window_through_link(&shared);
    harness
        .get_by_role_and_label(Role::Button, "Go to roles")
        .click();
    // The roles are read off the UI thread: wait for them.
    support::wait_for(&mut harness, "HR administrator");
    harness
        .get_by_role_and_label(Role::Button, "New role")
        .click();
    harness.step();
    let _ = harness.run_ok();
    support::retype(&mut harness, "Name", "Payroll");
    // One permission, the first the form offers.
    harness
        .get_by_role_and_label(Role::Dialog, "Users/Authorities › Roles")
        .get_all_by_role(Role::CheckBox)
        .next()
        .unwrap()
        .click();
    harness.run();
    hold_for(&link, Duration::from_secs(4));
    let started = std::time::Instant::now();
    harness
        .get_by_role_and_label(Role::Button, "Save role")
        .click();
    ten_frames_without_waiting(&mut harness, started);
    assert!(harness.query_by_label("Working…").is_some());
    support::wait_for(&mut harness, "The role Payroll is saved.");
    let roles = hrm_users::app::roles::roles(&shared.session(&support::TestClock::new())).unwrap();
    assert!(roles.iter().any(|r| r.name == "Payroll"));
}

/// Closing the window while emails still wait, on a shared register that
/// does not answer: the waiting emails are counted off the UI thread (the
/// window keeps painting and has not closed), and once the register
/// answers the question comes.
#[test]
fn closing_with_emails_waiting_counts_them_without_stopping_the_window() {
    use egui::accesskit::Role;
    use egui_kittest::kittest::Queryable as _;
    let shared = Register::postgres();
    let mut session = shared.session(&support::TestClock::new());
    let mut settings = session.load_settings().unwrap();
    // The endpoint on a free port; emails to a server that is not there,
    // so the queued one stays waiting.
    for (key, value) in [
        (SettingKey::BindAddress, "127.0.0.1:0"),
        (SettingKey::Transport, "smtp"),
        (SettingKey::SmtpHost, "127.0.0.1"),
        (SettingKey::SmtpPort, "9"),
        (SettingKey::SmtpSecurity, "none"),
    ] {
        settings.set(key, value).unwrap();
    }
    hrm_users::app::save_settings(&mut session, &settings).unwrap();
    let sara = support::pending_user(&mut session, "14", "Sara", "sara@example.org");
    hrm_users::app::verify_account(&mut session, sara).unwrap();
    let url = shared.db_arg();
    let link = std::sync::Arc::new(support::link::CountingLink::to_server_of(&url));
    let through =
        Session::open(&hrm_users::store::Location::parse(&link.url_through(&url))).unwrap();
    let opened = support::opened(through);
    let mut harness = egui_kittest::Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(
            |ui, app: &mut hrm_users::ui::HrmApp| app.ui(ui),
            hrm_users::ui::HrmApp::ready_with_services(opened, hrm_users::web::start_listening),
        );
    support::wait_for(&mut harness, "Sara Testsson");

    hold_for(&link, Duration::from_secs(4));
    let started = Instant::now();
    support::request_close(&mut harness);
    ten_frames_without_waiting(&mut harness, started);
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Emails still waiting")
            .is_none(),
        "no question before the count"
    );
    assert!(harness.query_by_label("Sara Testsson").is_some());
    support::wait_for(&mut harness, "Keep the window open");
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Emails still waiting")
            .is_some()
    );
}

/// The window's first frame on a shared register that stopped answering
/// right after it was opened: what the window needs before it draws (the
/// settings, who is working, listening for changes) came with the users,
/// so the first frames come at once and the list is there.
#[test]
fn the_first_frames_never_wait_for_the_register() {
    use egui_kittest::kittest::Queryable as _;
    let shared = Register::postgres();
    let mut session = shared.session(&support::TestClock::new());
    support::pending_user(&mut session, "14", "Sara", "sara@example.org");
    let url = shared.db_arg();
    let link = std::sync::Arc::new(support::link::CountingLink::to_server_of(&url));
    let through = hrm_users::store::Location::parse(&link.url_through(&url));
    let opened = hrm_users::app::open_register(Some(&through)).unwrap();
    assert!(opened.settings.is_some() && opened.operator.is_some());
    hold_for(&link, Duration::from_secs(4));
    let started = Instant::now();
    let mut harness = egui_kittest::Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(
            |ui, app: &mut hrm_users::ui::HrmApp| app.ui(ui),
            hrm_users::ui::HrmApp::ready(opened),
        );
    ten_frames_without_waiting(&mut harness, started);
    assert!(harness.query_by_label("Sara Testsson").is_some());
}

/// About on a shared register that does not answer: the window opens at
/// once and says the folder outbox is loading (it comes from the settings),
/// then shows it once the register answers.
#[test]
fn about_never_waits_for_the_register() {
    use egui::accesskit::Role;
    use egui_kittest::kittest::Queryable as _;
    let shared = Register::postgres();
    let (link, mut harness) = window_through_link(&shared);
    hold_for(&link, Duration::from_secs(4));
    let started = Instant::now();
    harness.get_by_role_and_label(Role::Button, "About").click();
    ten_frames_without_waiting(&mut harness, started);
    assert!(harness.query_by_label("Loading…").is_some());
    steps_until_loaded(&mut harness, started, Duration::from_secs(30));
    assert!(
        harness
            .query_all_by_label_contains(&format!("{}outbox", std::path::MAIN_SEPARATOR))
            .next()
            .is_some(),
        "About shows the folder outbox"
    );
}

/// The counts a bulk connect leaves, read with a connection of its own:
/// users connected, `connected_by_domain` audit rows, and users whose
/// connection and audit rows disagree (connected without exactly one such
/// row, or such a row for a user not connected).
fn connect_state(register: &Register) -> (i64, i64, i64) {
    three_counts(
        register,
        "SELECT
                 (SELECT count(*) FROM connections WHERE state = 'connected'),
                 (SELECT count(*) FROM audit WHERE action = 'connected_by_domain'),
                 (SELECT count(*) FROM users u
                  WHERE (SELECT count(*) FROM audit a
                         WHERE a.user_key = u.key AND a.action = 'connected_by_domain')
                        <> CASE WHEN EXISTS (SELECT 1 FROM connections c
                                             WHERE c.user_key = u.key AND c.state = 'connected')
                                THEN 1 ELSE 0 END)",
        &[],
    )
}

/// Three numbers `sql` reads from `register` with `params`, on a
/// connection of its own.
fn three_counts(
    register: &Register,
    sql: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
) -> (i64, i64, i64) {
    let mut client = postgres::Client::connect(&register.db_arg(), postgres::NoTls).unwrap();
    let row = client.query_one(sql, params).unwrap();
    (row.get(0), row.get(1), row.get(2))
}

/// *Verify accounts* of users in a verified domain killed with `kill -9`
/// while a transaction is on its way (the link to the server held): each
/// user is connected with their audit row, or still pending without one;
/// running it again connects the rest, each once.
#[test]
fn a_bulk_connect_killed_in_the_middle_leaves_each_user_whole() {
    const USERS: i64 = 1_000;
    let register = Register::postgres();
    let mut session = register.session(&support::TestClock::new());
    support::seed_pending(&mut session, 1_000, "kd");
    drop(session);
    let set = run(
        &register,
        &["config", "set", "verified_domains", "example.org"],
    );
    assert!(set.status.success(), "{set:?}");
    let link = support::link::CountingLink::to_server_of(&register.db_arg());
    let mut connecting: Child =
        support::program_at(&register, &link.url_through(&register.db_arg()))
            .args(["verify", "--all-pending"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
    wait_until("a first part connected", Duration::from_mins(2), || {
        connect_state(&register).0 > 0
    });
    // The rest is held on its way to the server; the program dies there.
    link.hold(true);
    std::thread::sleep(Duration::from_millis(300));
    Command::new("kill")
        .args(["-9", &connecting.id().to_string()])
        .status()
        .unwrap();
    let _ = connecting.wait();
    link.hold(false);
    let (connected, audited, disagreeing) = connect_state(&register);
    eprintln!("killed with {connected} of {USERS} connected");
    assert!(connected < USERS, "the connect finished before the kill");
    assert_eq!((audited, disagreeing), (connected, 0));

    let again = run(&register, &["verify", "--all-pending"]);
    assert!(again.status.success(), "{again:?}");
    assert_eq!(connect_state(&register), (USERS, USERS, 0));
}

/// Sets a shared register back to version 20: the owner's functions search
/// the session's temporary tables first, everyone may create objects in the
/// schema (migration 21 undone), connections' users are kept by a foreign
/// key (22 undone), and the policies check each new row's place (23 undone).
const BACK_TO_VERSION_20: &str = r#"DO $$
    DECLARE definer regprocedure;
    BEGIN
        FOR definer IN SELECT p.oid::regprocedure FROM pg_proc p
            WHERE p.pronamespace = current_schema()::regnamespace AND p.prosecdef LOOP
            EXECUTE format('ALTER FUNCTION %s SET search_path = "$user", public', definer);
        END LOOP;
    END $$;
    GRANT CREATE ON SCHEMA public TO PUBLIC;
    DROP TRIGGER IF EXISTS users_in_places ON users;
    DROP TRIGGER IF EXISTS connections_in_places ON connections;
    DROP FUNCTION IF EXISTS hrm_users_in_places(), hrm_connections_in_places();
    ALTER POLICY users_add ON users
        WITH CHECK ((SELECT hrm_may_everywhere('{users_edit,import_export}'))
                    OR hrm_within((SELECT hrm_limits('{users_edit,import_export}')),
                                  department, office));
    ALTER POLICY connections_add ON connections
        WITH CHECK ((SELECT hrm_is_serve())
            OR (SELECT hrm_may_everywhere('{users_edit,verify_accounts,import_export}'))
            OR EXISTS (SELECT 1 FROM users u WHERE u.key = user_key
                AND hrm_within((SELECT hrm_limits('{users_edit,verify_accounts,import_export}')),
                               u.department, u.office)));
    DROP TRIGGER IF EXISTS connections_have_users ON connections;
    DROP TRIGGER IF EXISTS connections_user_stays ON connections;
    DROP TRIGGER IF EXISTS users_key_stays ON users;
    DROP TRIGGER IF EXISTS users_take_their_connections ON users;
    DROP TRIGGER IF EXISTS users_truncated_take_connections ON users;
    DROP FUNCTION IF EXISTS hrm_connections_have_users(), hrm_key_stays(),
        hrm_connections_follow_users();
    ALTER TABLE connections DROP CONSTRAINT IF EXISTS connections_user_key_fkey;
    ALTER TABLE connections ADD CONSTRAINT connections_user_key_fkey
        FOREIGN KEY (user_key) REFERENCES users(key) ON DELETE CASCADE;
    UPDATE hrm_register SET version = 20;"#;

/// The register's version, how many of the functions, the schema, the
/// foreign key, the triggers and the policies are as migrations 21 to 23
/// leave them, and of how many.
const MIGRATED_STATE: &str = "SELECT (SELECT version FROM hrm_register),
            (SELECT count(*) FILTER (WHERE array_to_string(p.proconfig, ' ')
                                           LIKE '%search_path=public, pg_temp%')
             FROM pg_proc p
             WHERE p.pronamespace = current_schema()::regnamespace AND p.prosecdef)
            + CASE WHEN has_schema_privilege('public', 'public', 'CREATE')
                   THEN 0 ELSE 1 END
            + (SELECT count(*) FROM pg_trigger
               WHERE tgname IN ('connections_have_users', 'connections_user_stays',
                                'users_key_stays', 'users_take_their_connections',
                                'users_truncated_take_connections',
                                'users_in_places', 'connections_in_places'))
            + (SELECT count(*) FROM pg_policy
               WHERE polname IN ('users_add', 'connections_add')
                 AND pg_get_expr(polwithcheck, polrelid) NOT LIKE '%hrm_within%')
            + (SELECT CASE WHEN count(*) = 0 THEN 1 ELSE 0 END FROM pg_constraint
               WHERE conname = 'connections_user_key_fkey'),
            (SELECT count(*) FROM pg_proc p
             WHERE p.pronamespace = current_schema()::regnamespace AND p.prosecdef) + 11";

/// A shared register of three versions before (20: its functions that run
/// with the owner's rights still searched a session's temporary tables
/// first, everyone could create objects in its schema, a foreign key
/// checked each connection's user, and the policies each new row's place)
/// is migrated whole by the first program that opens it: killed with -9 in
/// the middle, the register is as it was or migrated whole, its version to
/// match; three programs opening it at once all work, and it is migrated
/// once.
#[test]
fn a_shared_register_of_the_version_before_is_migrated_whole_by_several_programs() {
    let register = Register::postgres();
    support::seed_pending(
        &mut register.session(&support::TestClock::new()),
        500,
        "mig",
    );
    let mut owner = postgres::Client::connect(&register.db_arg(), postgres::NoTls).unwrap();
    let mut back_to_version_20 = || owner.batch_execute(BACK_TO_VERSION_20).unwrap();
    let latest = hrm_users::store::latest_version();
    let mut outcomes = Vec::new();
    for delay_ms in (0..=150).step_by(10) {
        back_to_version_20();
        let mut opener = hrm_users(&register)
            .args(["users", "list", "--json"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = opener.kill();
        opener.wait().unwrap();
        let (version, migrated, all) = three_counts(&register, MIGRATED_STATE, &[]);
        assert!(
            (version == 20 && migrated == 0) || (version == latest && migrated == all),
            "killed after {delay_ms} ms: version {version}, {migrated} of {all} as migrations 21 to 23 leave them"
        );
        outcomes.push(version);
    }
    eprintln!("versions after each kill: {outcomes:?}");

    back_to_version_20();
    let openers: Vec<Child> = (0..3)
        .map(|_| {
            hrm_users(&register)
                .args(["users", "list", "--json"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for opener in openers {
        let users = json(&opener.wait_with_output().unwrap());
        assert_eq!(users.as_array().map(Vec::len), Some(500));
    }
    let (version, migrated, all) = three_counts(&register, MIGRATED_STATE, &[]);
    assert_eq!((version, migrated), (latest, all));
}

/// Users with User-IDs starting `prefix`, those with a connection, and the
/// connections of the whole register that name no user.
fn imported_state(register: &Register, prefix: &str) -> (i64, i64, i64) {
    three_counts(
        register,
        "SELECT
                 (SELECT count(*) FROM users WHERE user_id LIKE $1 || '%'),
                 (SELECT count(*) FROM users u JOIN connections c ON c.user_key = u.key
                  WHERE u.user_id LIKE $1 || '%'),
                 (SELECT count(*) FROM connections c
                  WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.key = c.user_key))",
        &[&prefix],
    )
}

/// Two administrators import new users with their addresses into a shared
/// register at the same moment, and one import is killed with -9 while it
/// writes (migration 22 checks each statement's connections against their
/// users instead of a foreign key per row): the finished import's users
/// each have their connection, the killed one's are all there or none, no
/// connection is left without its user, and the killed import run again
/// brings its users whole.
#[test]
fn two_imports_at_once_one_killed_leave_every_connection_with_its_user() {
    use std::fmt::Write as _;
    const ROWS: i64 = 10_000;
    let register = Register::postgres();
    let file = |prefix: &str| {
        let path = register.dir.path().join(format!("{prefix}.csv"));
        let mut rows = String::from("User-ID;Email Visma Connect\n");
        for n in 0..ROWS {
            writeln!(rows, "{prefix}{n};{prefix}{n}@example.org").unwrap();
        }
        std::fs::write(&path, rows).unwrap();
        path
    };
    let import = |path: &std::path::Path| {
        hrm_users(&register)
            .args(["import", path.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // A session of its own that sees what the imports' sessions run.
    let mut watcher = postgres::Client::connect(&register.db_arg(), postgres::NoTls).unwrap();
    let mut writing = |table: &str| -> bool {
        watcher
            .query_opt(
                "SELECT 1 FROM pg_stat_activity
                 WHERE state = 'active' AND query LIKE 'COPY ' || $1 || ' %'",
                &[&table],
            )
            .unwrap()
            .is_some()
    };
    let mut outcomes = Vec::new();
    for (round, (table, after_ms)) in [
        ("users", 0),
        ("connections", 0),
        ("connections", 20),
        ("audit", 0),
        ("audit", 30),
    ]
    .into_iter()
    .enumerate()
    {
        let (killed, kept) = (format!("killed{round}x"), format!("kept{round}x"));
        let (killed_file, kept_file) = (file(&killed), file(&kept));
        // Killed while it writes `table` (or a little after), while the
        // other import reads and plans beside it and then waits for the
        // register's write lock, which the kill lets go. (An import that
        // ends before the table is seen is left to finish.)
        let mut cut = import(&killed_file);
        while !writing(table) && cut.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_millis(1));
        }
        let finishing = import(&kept_file);
        std::thread::sleep(Duration::from_millis(after_ms));
        let _ = cut.kill();
        let _ = cut.wait();
        let finished = finishing.wait_with_output().unwrap();
        assert!(finished.status.success(), "{}", text(&finished.stderr));
        assert_eq!(imported_state(&register, &kept), (ROWS, ROWS, 0));
        let (users, connected, orphans) = imported_state(&register, &killed);
        assert!(
            users == connected && (users == 0 || users == ROWS) && orphans == 0,
            "killed {after_ms} ms into writing {table}: {users} users, {connected} connected, {orphans} connections without a user"
        );
        outcomes.push((table, after_ms, users));
        let again = run(&register, &["import", killed_file.to_str().unwrap()]);
        assert!(again.status.success(), "{}", text(&again.stderr));
        assert_eq!(imported_state(&register, &killed), (ROWS, ROWS, 0));
    }
    eprintln!("table being written, ms after, and users of the killed import: {outcomes:?}");
}

/// A Save that crosses another program's write on a shared register, which
/// the server settles by rolling the Save back (a deadlock), is made again
/// and goes through: the user is saved once, with one audit row, and the
/// administrator is not told the register was locked.
#[test]
fn a_save_rolled_back_to_break_a_deadlock_is_made_again() {
    let register = Register::postgres();
    let clock = support::TestClock::new();
    let mut session = register.session(&clock);
    let key = support::pending_user(&mut session, "1", "Ann", "ann@example.org");
    let record = session.user(key).unwrap().unwrap();
    let connect = || postgres::Client::connect(&register.db_arg(), postgres::NoTls).unwrap();
    let (mut other, mut watcher) = (connect(), connect());
    // This session waits long before it looks for a deadlock: the Save's,
    // which waits first, finds it and is the one rolled back.
    other.batch_execute("SET deadlock_timeout = '30s'").unwrap();
    let mut tx = other.transaction().unwrap();
    tx.execute("SELECT 1 FROM users WHERE key = $1 FOR UPDATE", &[&key.0])
        .unwrap();
    let saving = std::thread::Builder::new()
        .name("save".into())
        .spawn(move || {
            let mut draft = hrm_users::domain::UserDraft::from_record(&record);
            draft.first_name = "Anna".into();
            hrm_users::app::save_user(&mut session, Some(key), &draft)
                .map(|_| ())
                .map_err(|error| error.to_string())
        })
        .unwrap();
    // The Save holds the register's write lock and waits for the user's row.
    support::wait_until_waiting_for_a_lock(&mut watcher, "UPDATE users");
    // This session now wants the write lock the Save holds.
    tx.query(
        "SELECT pg_advisory_xact_lock((classid::bigint << 32) | objid::bigint)
         FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()",
        &[],
    )
    .unwrap();
    tx.commit().unwrap();
    assert_eq!(saving.join().unwrap(), Ok(()));
    let first_name: String = watcher
        .query_one("SELECT first_name FROM users WHERE key = $1", &[&key.0])
        .unwrap()
        .get(0);
    assert_eq!(first_name, "Anna");
    let audited: i64 = watcher
        .query_one(
            "SELECT count(*) FROM audit WHERE user_key = $1 AND action = 'user_updated'",
            &[&key.0],
        )
        .unwrap()
        .get(0);
    assert_eq!(audited, 1, "one audit row for the one change");
}
