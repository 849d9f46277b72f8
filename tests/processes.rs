//! Several processes of the real binary on one register, as a busy HR
//! department runs them: a sender and a second sender, a long writer, a
//! reader that opens and closes the file, and `kill -9` in the middle.
//! Afterwards nothing is corrupt, nothing is lost, and no one gets a message
//! twice unless it is flagged a possible duplicate.

// Helpers of tests may panic: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use hrm_users::store::Reads as _;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use hrm_users::app::Session;
use hrm_users::domain::{DeliveryState, SettingKey};
use hrm_users::store::Store;
use support::{Register, SmtpServer, pending_user, smtp_settings};

fn hrm_users(db: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hrm-users"));
    command
        .arg("--db")
        .arg(db)
        .env("XDG_DATA_HOME", db.parent().unwrap())
        .env("LC_ALL", "C.UTF-8")
        .env_remove("HRM_USERS_SMTP_PASSWORD");
    command
}

fn run(db: &Path, args: &[&str]) -> Output {
    hrm_users(db).args(args).output().unwrap()
}

fn spawn(db: &Path, args: &[&str]) -> Child {
    hrm_users(db)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A register with the real clock, sending to `smtp` on one session.
fn register_for(smtp: &SmtpServer) -> (Register, Session) {
    let register = Register::new();
    let mut session = Session::new(Store::open(&register.path).unwrap());
    let mut settings = smtp_settings(&mut session, smtp, "http://127.0.0.1:9");
    settings.set(SettingKey::SmtpSessions, "1").unwrap();
    hrm_users::app::save_settings(&mut session, &settings).unwrap();
    (register, session)
}

fn add_pending(session: &mut Session, count: usize, prefix: &str) -> Vec<String> {
    (0..count)
        .map(|n| {
            let address = format!("{prefix}{n}@example.org");
            pending_user(session, &format!("{prefix}{n}"), "Anna", &address);
            address
        })
        .collect()
}

fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A script's SQLite (Python's module, as a backup script would use it):
/// opens the register, reads, closes.
fn outside_reader(path: &Path) {
    let script = "import sqlite3, sys\n\
                  c = sqlite3.connect(sys.argv[1])\n\
                  c.execute('SELECT count(*) FROM users').fetchall()\n\
                  c.close()\n";
    let status = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

fn integrity_ok(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let result: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(result, "ok");
}

#[test]
fn a_reader_opening_and_closing_the_register_leaves_a_live_writer_intact() {
    let smtp = SmtpServer::start();
    let (register, mut session) = register_for(&smtp);
    add_pending(&mut session, 3, "a");
    // A second connection in this process, as the window's worker and
    // endpoint have: opening it must not touch the file outside SQLite.
    let second = Store::open(&register.path).unwrap();
    add_pending(&mut session, 3, "b");
    let wal = register.path.with_file_name("register.db-wal");
    assert!(wal.exists());

    // Other programs open and close the register: this program's CLI and a
    // backup script's SQLite.
    for _ in 0..3 {
        let listed = run(&register.path, &["users", "list", "--json"]);
        assert!(listed.status.success(), "{}", text(&listed.stderr));
        outside_reader(&register.path);
    }
    // It must have seen this process's connections and left the WAL alone.
    assert!(
        wal.exists(),
        "another process checkpointed and deleted the WAL under live connections"
    );
    add_pending(&mut session, 3, "c");
    assert_eq!(second.count_users().unwrap(), 9);
    drop(second);
    drop(session);
    integrity_ok(&register.path);
}

#[test]
#[cfg(unix)]
fn a_fifo_as_the_register_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("register.db");
    support::make_fifo(&fifo);
    let started = Instant::now();
    let output = run(&fifo, &["users", "list"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("not an HRM Users register"));
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_second_sender_does_not_resend_a_live_senders_messages() {
    let smtp = SmtpServer::start();
    smtp.set_delay_ms(40);
    let (register, mut session) = register_for(&smtp);
    let bulk = add_pending(&mut session, 40, "bulk");
    let single = add_pending(&mut session, 1, "single");
    drop(session);
    let sender = spawn(
        &register.path,
        &["verify", "--all-pending", "--search", "bulk"],
    );
    wait_until("the first messages", Duration::from_mins(1), || {
        smtp.accepted().len() >= 3
    });
    // A second administrator verifies one user while the bulk send runs.
    let one = run(&register.path, &["verify", "--user", "single0"]);
    assert!(one.status.success(), "{}", text(&one.stderr));
    let output = sender.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let counts = smtp.per_recipient();
    for address in bulk.iter().chain(&single) {
        let got = counts.iter().find(|(to, _)| to.contains(address.as_str()));
        assert_eq!(got.map(|(_, n)| *n), Some(1), "{address}: {counts:?}");
    }
    assert_eq!(smtp.accepted().len(), 41);
}

#[test]
fn a_long_writer_does_not_starve_the_sender() {
    let smtp = SmtpServer::start();
    smtp.set_delay_ms(20);
    let (register, mut session) = register_for(&smtp);
    let addresses = add_pending(&mut session, 30, "u");
    drop(session);
    let sender = spawn(&register.path, &["verify", "--all-pending"]);
    wait_until("the first messages", Duration::from_mins(1), || {
        !smtp.accepted().is_empty()
    });
    // Another process holds the write lock for longer than the old busy
    // time-out (2 s), as a big import on a slow laptop does.
    let writer = rusqlite::Connection::open(&register.path).unwrap();
    writer.execute_batch("BEGIN IMMEDIATE").unwrap();
    std::thread::sleep(Duration::from_secs(4));
    writer.execute_batch("COMMIT").unwrap();
    drop(writer);
    let output = sender.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains("30 sent, 0 failed, 0 still queued"),
        "{}",
        text(&output.stdout)
    );
    assert_eq!(smtp.accepted().len(), addresses.len());
    let store = Store::open(&register.path).unwrap();
    assert_eq!(store.sending_count().unwrap(), 0);
    assert!(
        store
            .outbox(100)
            .unwrap()
            .iter()
            .all(|m| m.state == DeliveryState::Sent)
    );
}

#[test]
fn a_bulk_send_killed_half_way_is_finished_by_running_it_again() {
    let smtp = SmtpServer::start();
    smtp.set_delay_ms(25);
    let (register, mut session) = register_for(&smtp);
    let addresses = add_pending(&mut session, 60, "k");
    drop(session);
    let mut sender = spawn(&register.path, &["verify", "--all-pending"]);
    wait_until("a part of the send", Duration::from_mins(1), || {
        smtp.accepted().len() >= 10
    });
    sender.kill().unwrap();
    sender.wait().unwrap();
    let before = smtp.accepted().len();
    assert!(before < 60, "the send finished before the kill");

    let dry = run(&register.path, &["verify", "--all-pending", "--dry-run"]);
    let dry_out = text(&dry.stdout);
    assert!(
        dry_out.contains("already queued by an earlier send"),
        "{dry_out}"
    );

    let again = run(&register.path, &["verify", "--all-pending"]);
    let out = text(&again.stdout);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(out.contains("0 still queued"), "{out}");
    let counts = smtp.per_recipient();
    let store = Store::open(&register.path).unwrap();
    let flagged = store
        .outbox(1000)
        .unwrap()
        .iter()
        .filter(|m| m.possible_duplicate)
        .count();
    let mut twice = 0;
    for address in &addresses {
        let got = counts
            .iter()
            .find(|(to, _)| to.contains(address.as_str()))
            .map_or(0, |(_, n)| *n);
        assert!(got >= 1, "{address} got nothing: {out}");
        if got > 1 {
            twice += 1;
        }
    }
    assert!(
        twice <= flagged,
        "{twice} got two messages, {flagged} flagged"
    );
    assert!(flagged <= 1, "one session killed once: at most one flagged");
    assert_eq!(store.sending_count().unwrap(), 0);
    integrity_ok(&register.path);
}

/// Starts `serve` on a free loopback port with at most 1,024 open files (a
/// common default); returns it and its address.
fn start_serve(db: &Path) -> (Child, String) {
    start_serve_on(db, "127.0.0.1:0")
}

/// Starts `serve` on `bind`; returns it and the address it listens on.
fn start_serve_on(db: &Path, bind: &str) -> (Child, String) {
    let mut child = Command::new("sh")
        .args(["-c", "ulimit -n 1024 && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_hrm-users"))
        .arg("--db")
        .arg(db)
        .args(["serve", "--bind", bind])
        .env("XDG_DATA_HOME", db.parent().unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let address = support::served_address(&mut child);
    (child, address)
}

/// One whole request from `local` (an address of the loopback range).
fn health_from(local: &str, address: &str) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(format!("{local}:0").parse().unwrap()).unwrap();
        let mut stream = socket.connect(address.parse().unwrap()).await.unwrap();
        stream
            .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = String::new();
        tokio::time::timeout(Duration::from_secs(5), stream.read_to_string(&mut answer))
            .await
            .expect("the endpoint did not answer within 5 s")
            .unwrap();
        answer
    })
}

#[test]
#[cfg(target_os = "linux")]
fn idle_connections_with_unfinished_headers_do_not_make_the_endpoint_unreachable() {
    let register = Register::new();
    let (mut serve, address) = start_serve(&register.path);
    // 1,100 connections that start a request and never finish its headers.
    let mut idle = Vec::new();
    for _ in 0..1_100 {
        let Ok(mut stream) = std::net::TcpStream::connect(&address) else {
            continue;
        };
        let _ = std::io::Write::write_all(&mut stream, b"GET /health HTTP/1.1\r\nHost: x\r\n");
        idle.push(stream);
    }
    // An employee elsewhere opens a link meanwhile.
    let answer = health_from("127.0.0.2", &address);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop(idle);
    // Once the idle ones are gone, the same address is served again.
    std::thread::sleep(Duration::from_millis(300));
    let again = health_from("127.0.0.1", &address);
    assert!(again.starts_with("HTTP/1.1 200"), "{again}");
    serve.kill().unwrap();
    serve.wait().unwrap();
}

/// Slow clients from many addresses (each within its own cap, together
/// past the cap for everyone) hold connections with unfinished headers and
/// open new ones as theirs are closed: an employee's link is still answered
/// every time, because the oldest connection not being answered gives way.
#[test]
#[cfg(target_os = "linux")]
fn slow_clients_from_many_addresses_do_not_keep_an_employee_out() {
    let register = Register::new();
    let (mut serve, address) = start_serve(&register.path);
    let stop = Arc::new(AtomicBool::new(false));
    let slow: Vec<std::thread::JoinHandle<usize>> = (10..50)
        .map(|n| {
            let stop = Arc::clone(&stop);
            let address = address.clone();
            std::thread::Builder::new()
                .name(format!("slow-client-{n}"))
                .spawn(move || {
                    let local: std::net::SocketAddr = format!("127.0.0.{n}:0").parse().unwrap();
                    let target: std::net::SocketAddr = address.parse().unwrap();
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    // A connection from this address (non-blocking).
                    let connect = || {
                        runtime.block_on(async {
                            let socket = tokio::net::TcpSocket::new_v4()?;
                            socket.bind(local)?;
                            socket.connect(target).await?.into_std()
                        })
                    };
                    let mut held = std::collections::VecDeque::new();
                    let mut opened = 0;
                    while !stop.load(Ordering::SeqCst) {
                        // Up to 32 at a time (the cap for one address), one
                        // new one as soon as one was closed.
                        held.retain(|stream: &std::net::TcpStream| {
                            let mut byte = [0u8; 1];
                            !matches!(std::io::Read::read(&mut &*stream, &mut byte), Ok(0))
                        });
                        while held.len() < 32 {
                            let Ok(mut stream) = connect() else {
                                break;
                            };
                            let _ = std::io::Write::write_all(
                                &mut stream,
                                b"GET /health HTTP/1.1\r\nHost: x\r\n",
                            );
                            held.push_back(stream);
                            opened += 1;
                        }
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    opened
                })
                .unwrap()
        })
        .collect();
    // Let them fill the endpoint (40 addresses × 32 > 512).
    std::thread::sleep(Duration::from_secs(2));
    let answered = (0..48)
        .filter(|_| health_from("127.0.0.2", &address).starts_with("HTTP/1.1 200"))
        .count();
    stop.store(true, Ordering::SeqCst);
    let opened: usize = slow.into_iter().map(|t| t.join().unwrap()).sum();
    serve.kill().unwrap();
    serve.wait().unwrap();
    assert!(
        opened > 512,
        "the slow clients filled the endpoint ({opened} opened)"
    );
    assert_eq!(answered, 48, "the employee's requests answered");
}

#[test]
fn a_bulk_send_while_the_server_is_down_returns_and_says_what_waits() {
    let smtp = SmtpServer::start();
    let (register, mut session) = register_for(&smtp);
    add_pending(&mut session, 5, "d");
    // Nothing listens on the configured port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port().to_string();
    drop(closed);
    let mut settings = session.load_settings().unwrap();
    settings.set(SettingKey::SmtpPort, &port).unwrap();
    hrm_users::app::save_settings(&mut session, &settings).unwrap();
    drop(session);
    let started = Instant::now();
    let output = run(&register.path, &["verify", "--all-pending"]);
    let out = text(&output.stdout);
    // Not finished: exit 3 says messages still wait.
    assert_eq!(output.status.code(), Some(3), "{}", text(&output.stderr));
    assert!(out.contains("0 sent, 0 failed, 5 still queued"), "{out}");
    assert!(out.contains("wait for a retry"), "{out}");
    assert!(started.elapsed() < Duration::from_mins(1));
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A csv file of `rows` new users for the import.
fn import_file(dir: &Path, rows: usize) -> std::path::PathBuf {
    use std::fmt::Write as _;
    let csv = dir.join("import.csv");
    let mut text = String::from("User-ID;First name;Last name;Department\n");
    for n in 0..rows {
        let _ = writeln!(text, "imp{n};Import;Row {n};Finance");
    }
    std::fs::write(&csv, text).unwrap();
    csv
}

/// Work on threads beside the processes, until stopped.
struct Beside {
    stop: Arc<AtomicBool>,
    reader: std::thread::JoinHandle<usize>,
    confirming: std::thread::JoinHandle<Vec<String>>,
}

impl Beside {
    /// A reader that opens and closes the register in a loop, and employees
    /// who confirm every 25th link the server received through the endpoint.
    fn start(register: &Path, smtp: &SmtpServer) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let reader = {
            let stop = Arc::clone(&stop);
            let path = register.to_owned();
            std::thread::Builder::new()
                .name("outside-reader".into())
                .spawn(move || {
                    let mut rounds = 0;
                    while !stop.load(Ordering::SeqCst) {
                        outside_reader(&path);
                        rounds += 1;
                    }
                    rounds
                })
                .unwrap()
        };
        let confirming = {
            let stop = Arc::clone(&stop);
            let smtp = smtp.clone();
            std::thread::Builder::new()
                .name("employees".into())
                .spawn(move || confirm_links(&smtp, &stop))
                .unwrap()
        };
        Self {
            stop,
            reader,
            confirming,
        }
    }

    /// Stops both; the reader's rounds and the links confirmed.
    fn stop(self) -> (usize, Vec<String>) {
        self.stop.store(true, Ordering::SeqCst);
        (self.reader.join().unwrap(), self.confirming.join().unwrap())
    }
}

fn confirm_links(smtp: &SmtpServer, stop: &AtomicBool) -> Vec<String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_mins(1)))
        .build()
        .into();
    let mut confirmed = Vec::new();
    let mut looked = 0;
    while !stop.load(Ordering::SeqCst) {
        let accepted = smtp.accepted();
        for raw in accepted.iter().skip(looked).step_by(25) {
            let link = support::link_in(raw);
            if let Ok(response) = agent.post(&link).send_empty()
                && response.status() == 200
            {
                confirmed.push(link);
            }
        }
        looked = accepted.len();
        std::thread::sleep(Duration::from_millis(200));
    }
    confirmed
}

/// Messages beyond the first that each soak user received.
fn extra_messages(smtp: &SmtpServer, users: usize) -> usize {
    let counts = smtp.per_recipient();
    let mut extra = 0;
    for n in 0..users {
        let address = format!("<soak{n}@example.org>");
        let got: usize = counts
            .iter()
            .filter(|(to, _)| to.ends_with(&address))
            .map(|(_, c)| *c)
            .sum();
        assert!(got >= 1, "soak{n} got no message");
        extra += got - 1;
    }
    extra
}

/// The soak: `serve`, a bulk send of 3,000 users to a slow server that now
/// and then answers 451, a 100,000-row import, a reader opening and closing
/// the file in a loop, employees confirming links through the endpoint, and
/// `kill -9` of the sender twice. Sizes: `SOAK_USERS`, `SOAK_IMPORT_ROWS`.
#[test]
#[ignore = "soak test of a few minutes: run by .ci/run with --ignored"]
fn soak_several_processes_kills_and_a_big_import() {
    let users = env_number("SOAK_USERS", 3_000);
    let import_rows = env_number("SOAK_IMPORT_ROWS", 100_000);
    let smtp_sessions = 4;
    let started = Instant::now();
    let smtp = SmtpServer::start();
    smtp.set_delay_ms(3);
    smtp.refuse_every(97);
    let (register, mut session) = register_for(&smtp);
    let port = support::free_port();
    let mut settings = smtp_settings(&mut session, &smtp, &format!("http://127.0.0.1:{port}"));
    settings
        .set(SettingKey::SmtpSessions, &smtp_sessions.to_string())
        .unwrap();
    hrm_users::app::save_settings(&mut session, &settings).unwrap();
    support::seed_pending(&mut session, users, "soak");
    drop(session);
    let csv = import_file(register.dir.path(), import_rows);

    let (mut serve, _) = start_serve_on(&register.path, &format!("127.0.0.1:{port}"));
    let beside = Beside::start(&register.path, &smtp);
    let selection = ["verify", "--all-pending", "--search", "soak"];
    let mut kills = 0;
    let mut import = None;
    for kill_after in [users / 5, users / 2] {
        let mut sender = spawn(&register.path, &selection);
        wait_until("the sender's progress", Duration::from_mins(5), || {
            smtp.accepted().len() >= kill_after
        });
        // The import starts while a sender runs, and runs into the next one.
        import.get_or_insert_with(|| spawn(&register.path, &["import", csv.to_str().unwrap()]));
        sender.kill().unwrap();
        sender.wait().unwrap();
        kills += 1;
    }
    let last = run(&register.path, &selection);
    // Exit 3: some messages (every 97th is refused for now) wait for a
    // retry, which `serve` delivers.
    assert!(
        matches!(last.status.code(), Some(0 | 3)),
        "{:?}: {}",
        last.status,
        text(&last.stderr)
    );
    let imported = import.unwrap().wait_with_output().unwrap();
    assert!(
        // English (LC_ALL=C.UTF-8) groups digits: "100,000 created".
        text(&imported.stdout).contains(&format!(
            "{} created",
            hrm_users::i18n::Language::English.count(i64::try_from(import_rows).unwrap())
        )),
        "{}",
        text(&imported.stderr)
    );

    // serve's worker delivers what waits for a retry (a 451).
    let store = Store::open(&register.path).unwrap();
    wait_until("the outbox to empty", Duration::from_mins(4), || {
        store.queued_count().unwrap() == 0
    });
    std::thread::sleep(Duration::from_millis(500));
    let (reader_rounds, confirmed) = beside.stop();
    let workers = store.workers().unwrap().len();
    serve.kill().unwrap();
    serve.wait().unwrap();

    integrity_ok(&register.path);
    assert_eq!(
        workers, 1,
        "the killed senders' leases ended; serve's is left"
    );
    let twice = extra_messages(&smtp, users);
    let messages = store.outbox(1_000_000).unwrap();
    let flagged = messages.iter().filter(|m| m.possible_duplicate).count();
    assert!(twice <= flagged, "{twice} duplicates, {flagged} flagged");
    assert!(
        flagged <= kills * smtp_sessions,
        "{flagged} flagged for {kills} kills of {smtp_sessions} sessions"
    );
    let audit = store.audit_all().unwrap();
    let confirmations = audit
        .iter()
        .filter(|a| a.action == hrm_users::domain::AuditAction::LinkConfirmed)
        .count();
    assert_eq!(confirmations, confirmed.len());
    let connected = store
        .load_users()
        .unwrap()
        .iter()
        .filter(|u| u.connection.status() == hrm_users::domain::ConnectionStatus::Connected)
        .count();
    assert_eq!(connected, confirmed.len());
    assert_eq!(store.count_users().unwrap(), users + import_rows);
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "soak: {users} users, {import_rows} imported, {} messages accepted by the server, \
             {twice} duplicates, {flagged} flagged possible duplicate, {} confirmations, \
             {kills} kills, {reader_rounds} reader rounds, integrity ok, {:.1?} in all",
            smtp.accepted().len(),
            confirmed.len(),
            started.elapsed()
        );
    }
}

/// Cancel while a separate `serve` delivers: what that process had not begun
/// to hand over is never sent, not by it, nor by a new `serve` after it is
/// killed with -9; every user was sent at most one message, and the results
/// say which were not sent.
#[test]
fn cancel_stops_a_send_that_another_process_delivers() {
    use hrm_users::app::bulk::{
        BulkOutcome, BulkRequest, Follow, plan_verify_accounts, start_bulk,
    };
    let smtp = SmtpServer::start();
    smtp.set_delay_ms(40);
    let (register, mut session) = register_for(&smtp);
    add_pending(&mut session, 150, "c");
    let (mut serve, _) = start_serve(&register.path);
    let users = session.load_users().unwrap();
    let plan = plan_verify_accounts(&session, &users, false).unwrap();
    let job = start_bulk(BulkRequest {
        register: register.location.clone(),
        clock: session.clock.clone(),
        actor: "tester".into(),
        plan,
        send_again_to_recent: false,
        follow: Follow::UntilDelivered,
        notify: Box::new(|| {}),
        wake_worker: Box::new(|| {}),
        poll: Duration::from_millis(20),
    })
    .unwrap();
    wait_until("serve to deliver a few", Duration::from_mins(1), || {
        smtp.accepted().len() >= 5
    });
    job.cancel();
    wait_until("the send to finish", Duration::from_mins(1), || {
        job.progress().finished
    });
    let rows = job.wait().unwrap();
    let sent_rows = rows
        .iter()
        .filter(|r| r.outcome == BulkOutcome::Sent)
        .count();
    let not_sent = rows
        .iter()
        .filter(|r| r.outcome == BulkOutcome::NotSent)
        .count();
    assert_eq!(sent_rows + not_sent, 150, "every user: sent or not sent");
    assert!(not_sent > 0, "the cancel came before the end");

    // kill -9, a new serve, time for it to look: nothing more goes out.
    serve.kill().unwrap();
    serve.wait().unwrap();
    let (mut again, _) = start_serve(&register.path);
    std::thread::sleep(Duration::from_secs(3));
    again.kill().unwrap();
    again.wait().unwrap();
    assert_eq!(
        smtp.accepted().len(),
        sent_rows,
        "nothing sent after Cancel"
    );
    assert!(
        smtp.per_recipient().values().all(|n| *n == 1),
        "nobody got two"
    );
    let store = Store::open(&register.path).unwrap();
    assert_eq!(store.queued_count().unwrap(), 0);
    integrity_ok(&register.path);
}

/// Leavers with several processes: two `serve`s start at once on a register
/// whose 200 pending users' employment ended long ago, and one is killed
/// with kill -9 as soon as it listens. Every connection is removed exactly
/// once (one audit row per user, whichever process did it and whatever the
/// kill cut short), and the register is whole.
#[test]
fn two_serves_and_a_kill_remove_each_leavers_connection_once() {
    use hrm_users::domain::{AuditAction, ConnectionStatus, UserDraft, UserId};
    let smtp = SmtpServer::start();
    let (register, mut session) = register_for(&smtp);
    let leavers = add_pending(&mut session, 200, "leaver");
    for address in &leavers {
        let user_id = address.split('@').next().unwrap();
        let record = session
            .user_by_user_id(&UserId::parse(user_id).unwrap())
            .unwrap()
            .unwrap();
        let draft = UserDraft {
            employment_ends: "2020-01-31".into(),
            ..UserDraft::from_record(&record)
        };
        hrm_users::app::save_user(&mut session, Some(record.key), &draft).unwrap();
    }
    let (mut killed, _) = start_serve(&register.path);
    let (mut survivor, _) = start_serve(&register.path);
    killed.kill().unwrap();
    killed.wait().unwrap();
    let connected = |session: &Session| {
        session
            .load_users()
            .unwrap()
            .iter()
            .filter(|r| r.connection.status() != ConnectionStatus::None)
            .count()
    };
    wait_until("every leaver disconnected", Duration::from_secs(30), || {
        connected(&session) == 0
    });
    survivor.kill().unwrap();
    survivor.wait().unwrap();
    let mut removals: Vec<_> = session
        .audit_all()
        .unwrap()
        .into_iter()
        .filter(|e| e.action == AuditAction::LeaverConnectionRemoved)
        .map(|e| e.user_key)
        .collect();
    assert_eq!(removals.len(), 200, "one removal per leaver");
    removals.sort();
    removals.dedup();
    assert_eq!(removals.len(), 200, "nobody removed twice");
    assert!(smtp.accepted().is_empty(), "nothing sent to leavers");
    integrity_ok(&register.path);
}

/// The indexes migration 12 adds (finding the operator by login name).
fn login_indexes(path: &Path) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'users_by_%_login'",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

/// Makes the register at `path` look as version 11 left it: migration 12
/// not yet run.
fn back_to_version_11(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "DROP INDEX IF EXISTS users_by_alias_login;
         DROP INDEX IF EXISTS users_by_user_id_login;
         DROP INDEX IF EXISTS users_by_reference_login;
         DROP TABLE IF EXISTS idp_accounts;
         DROP INDEX IF EXISTS outbox_sending;
         DROP INDEX IF EXISTS outbox_waiting;
         DROP INDEX IF EXISTS outbox_due;
         CREATE INDEX outbox_due ON outbox(state, next_attempt_at_ms);
         PRAGMA user_version = 11;",
    )
    .unwrap();
}

fn schema_version(path: &Path) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

/// A register of the version before is migrated by the first program that
/// opens it: killed with -9 in the middle, the register is as it was or
/// migrated whole (never some indexes without the version, or the other
/// way round); three programs opening it at once all work, and it is
/// migrated once.
#[test]
fn a_register_of_the_version_before_is_migrated_whole_by_several_programs() {
    let register = Register::new();
    let made = run(&register.path, &["demo", "--users", "20000"]);
    assert!(made.status.success(), "{}", text(&made.stderr));
    let mut outcomes = Vec::new();
    for delay_ms in (0..=120).step_by(4) {
        back_to_version_11(&register.path);
        let mut opener = spawn(&register.path, &["users", "list", "--json"]);
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = opener.kill();
        opener.wait().unwrap();
        integrity_ok(&register.path);
        let (version, indexes) = (
            schema_version(&register.path),
            login_indexes(&register.path),
        );
        // Each migration is whole: 12 brings the three indexes, 13 a table.
        assert!(
            (version, indexes) == (11, 0) || (version >= 12 && indexes == 3),
            "killed after {delay_ms} ms: version {version} with {indexes} of the new indexes"
        );
        outcomes.push(version);
    }
    eprintln!("versions after each kill: {outcomes:?}");

    back_to_version_11(&register.path);
    let openers: Vec<Child> = (0..3)
        .map(|_| spawn(&register.path, &["users", "list", "--json"]))
        .collect();
    for opener in openers {
        let output = opener.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", text(&output.stderr));
        let users: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(users.as_array().map(Vec::len), Some(20000));
    }
    assert_eq!(
        schema_version(&register.path),
        hrm_users::store::latest_version()
    );
    assert_eq!(login_indexes(&register.path), 3);
    integrity_ok(&register.path);
}
