//! Faults a shared register meets in a real office: the PostgreSQL server
//! restarts (`pg_ctl stop -m immediate`, then started again) under `serve`
//! and a CLI bulk send. Separate processes of the real binary on a cluster of
//! the test's own, so the restart touches no other test.

// Helpers of tests may panic: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hrm_users::app::Session;
use hrm_users::domain::{DeliveryState, SettingKey};
use hrm_users::store::Store;
use hrm_users::testing::RestartableCluster;
use support::{Register, SmtpServer, smtp_settings};

fn hrm_users(register: &Register) -> Command {
    support::program(register)
}

fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `/health` of the `serve` at `address`: its status and body.
fn health(address: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    match agent.get(&format!("http://{address}/health")).call() {
        Ok(mut response) => (
            response.status().as_u16(),
            response.body_mut().read_to_string().unwrap_or_default(),
        ),
        Err(error) => (0, error.to_string()),
    }
}

fn start_serve(register: &Register, log: &std::path::Path) -> (Child, String) {
    let mut child = hrm_users(register)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    let address = support::served_address(&mut child);
    (child, address)
}

/// Every `{prefix}{n}@example.org` got its message, and every second copy
/// is flagged; returns how many second copies there were.
fn each_got_theirs(smtp: &SmtpServer, session: &Session, prefix: &str, users: usize) -> usize {
    let mut counts = HashMap::<String, usize>::new();
    for (to, n) in smtp.per_recipient() {
        let address = to
            .rsplit_once('<')
            .map_or(to.as_str(), |(_, rest)| rest.trim_end_matches('>'));
        *counts.entry(address.to_owned()).or_default() += n;
    }
    let messages: Vec<_> = session
        .outbox(users * 2)
        .unwrap()
        .into_iter()
        .filter(|m| m.recipient.as_str().starts_with(prefix))
        .collect();
    assert!(messages.iter().all(|m| m.state == DeliveryState::Sent));
    let mut duplicates = 0;
    for n in 0..users {
        let address = format!("{prefix}{n}@example.org");
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
    duplicates
}

/// The finished process's output, read on a thread (it is larger than a
/// pipe holds), within `limit`: a process that never finishes fails the test.
fn output_within(child: Child, limit: Duration) -> std::process::Output {
    let (done, output) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("sender-output".into())
        .spawn(move || done.send(child.wait_with_output().unwrap()))
        .unwrap();
    output
        .recv_timeout(limit)
        .expect("the process finishes in time")
}

/// A register of `users` pending employees (User-IDs from `prefix`) whose
/// mail goes to a real SMTP server answering each message after 3 ms, over
/// four sessions: a send takes long enough to be cut in the middle.
fn pending_behind_a_slow_server(
    register: &Register,
    users: usize,
    prefix: &str,
) -> (SmtpServer, Session) {
    let smtp = SmtpServer::start();
    smtp.set_delay_ms(3);
    let mut session = Session::new(Store::open(&register.location).unwrap());
    let mut settings = smtp_settings(&mut session, &smtp, "http://127.0.0.1:9");
    settings.set(SettingKey::SmtpSessions, "4").unwrap();
    hrm_users::app::save_settings(&mut session, &settings).unwrap();
    support::seed_pending(&mut session, users, prefix);
    (smtp, session)
}

/// The CLI summary's four numbers: sent, failed, still queued, other.
fn summary(stdout: &str) -> Option<[usize; 4]> {
    let line = stdout.lines().find(|l| l.contains(" sent, "))?;
    // Numbers are grouped ("2,000").
    let numbers: Vec<usize> = line
        .replace(',', "")
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    numbers.try_into().ok()
}

/// The database stops at once in the middle of a bulk send of 2,000 with
/// `serve` and the CLI delivering, and comes back 20 s later: `/health`
/// says 503 while it is gone, delivery resumes within 5 s of its return,
/// every employee gets their message (a second copy only flagged), and the
/// CLI sender's summary and exit code say what really happened.
#[test]
fn delivery_resumes_after_the_database_restarts() {
    const USERS: usize = 2_000;
    let cluster = RestartableCluster::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let register = Register {
        path: dir.path().join("register.db"),
        location: cluster.location(),
        dir,
    };
    let (smtp, session) = pending_behind_a_slow_server(&register, USERS, "restart");
    drop(session);

    let log = register.dir.path().join("serve.log");
    let (mut serve, address) = start_serve(&register, &log);
    assert_eq!(health(&address).0, 200);
    let sender = hrm_users(&register)
        .args(["verify", "--all-pending"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until("the first 300 messages", Duration::from_mins(2), || {
        smtp.accepted().len() >= 300
    });
    cluster.stop_immediately().unwrap();
    let stopped = Instant::now();
    wait_until("/health to say 503", Duration::from_secs(10), || {
        health(&address).0 == 503
    });
    let during = smtp.accepted().len();
    std::thread::sleep(Duration::from_secs(20).saturating_sub(stopped.elapsed()));
    cluster.start_again().unwrap();
    let restarted = Instant::now();
    wait_until(
        "delivery to resume within 5 s of the restart",
        Duration::from_secs(5),
        || smtp.accepted().len() > during,
    );
    let resumed = restarted.elapsed();
    wait_until("/health to say ok again", Duration::from_secs(5), || {
        health(&address).0 == 200
    });

    let output = output_within(sender, Duration::from_mins(3));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let [sent, failed, waiting, other] = summary(&stdout)
        .unwrap_or_else(|| panic!("no summary from the sender:\n{stdout}\n{stderr}"));
    let mut session = Session::new(Store::open(&register.location).unwrap());
    wait_until("every message delivered", Duration::from_mins(3), || {
        let messages = session.outbox(USERS * 2).unwrap();
        messages.len() == USERS && messages.iter().all(|m| m.state == DeliveryState::Sent)
    });
    // Well past the lease `serve` held when the database went away, it is
    // still healthy and still delivers what is queued next.
    support::seed_pending(&mut session, 1, "later");
    std::thread::sleep(Duration::from_secs(40).saturating_sub(restarted.elapsed()));
    let (status, body) = health(&address);
    assert_eq!(status, 200, "{body}");
    let later = session
        .user_by_user_id(&hrm_users::domain::UserId::parse("later0").unwrap())
        .unwrap()
        .unwrap();
    hrm_users::app::verify_account(&mut session, later.key).unwrap();
    wait_until(
        "serve to deliver a new message",
        Duration::from_secs(10),
        || {
            smtp.per_recipient()
                .iter()
                .any(|(to, _)| to.contains("later0@example.org"))
        },
    );
    let log = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = serve.kill();
    let _ = serve.wait();
    let duplicates = each_got_theirs(&smtp, &session, "restart", USERS);
    // The summary accounts for every user it was asked to verify, and a
    // send that could not finish says so in its exit code.
    assert_eq!(sent + failed + waiting + other, USERS, "{stdout}\n{stderr}");
    assert_eq!(failed, 0, "{stdout}");
    let expected_exit = if waiting > 0 { 3 } else { 0 };
    assert_eq!(
        output.status.code(),
        Some(expected_exit),
        "{stdout}\n{stderr}"
    );
    eprintln!(
        "restart: {during} delivered before, resumed {resumed:?} after the restart, \
         {duplicates} duplicates (all flagged); sender: {sent} sent, {waiting} still queued, \
         exit {:?}",
        output.status.code()
    );
    // Two workers (serve's and the sender's), four SMTP sessions each.
    assert!(duplicates <= 8, "{duplicates} duplicates");
    assert!(
        !log.contains("lease had run out"),
        "serve kept its lease through the restart:\n{log}"
    );
}

/// A full disk under the folder transport: each message is written whole
/// or not at all (no empty or half-written `.eml` is left behind), the ones
/// written count as sent, and the rest wait for a retry. Needs root to
/// mount a small tmpfs; says so and passes where it cannot.
#[test]
fn a_full_disk_leaves_no_half_written_message() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    std::fs::create_dir_all(&outbox).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=48k", "tmpfs"])
        .arg(&outbox)
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        eprintln!("skipped: no small tmpfs could be mounted (needs root)");
        return;
    }
    let unmount = || {
        let _ = Command::new("umount").arg(&outbox).status();
    };
    let register = Register {
        path: dir.path().join("register.db"),
        location: hrm_users::store::Location::File(dir.path().join("register.db")),
        dir,
    };
    let mut session = Session::new(Store::open(&register.location).unwrap());
    let mut settings = session.load_settings().unwrap();
    settings
        .set(SettingKey::OutboxFolder, &outbox.display().to_string())
        .unwrap();
    hrm_users::app::save_settings(&mut session, &settings).unwrap();
    support::seed_pending(&mut session, 100, "full");
    for n in 0..100 {
        let key = session
            .user_by_user_id(&hrm_users::domain::UserId::parse(&format!("full{n}")).unwrap())
            .unwrap()
            .unwrap()
            .key;
        hrm_users::app::verify_account(&mut session, key).unwrap();
    }
    let mut worker = hrm_users::app::outbox_worker::OutboxWorker::open(
        &register.location,
        session.clock.clone(),
        hrm_users::app::outbox_worker::WorkerOptions::default(),
    )
    .unwrap();
    worker.run_once().unwrap();
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let sent = session
        .outbox(200)
        .unwrap()
        .iter()
        .filter(|m| m.state == DeliveryState::Sent)
        .count();
    let left_over: Vec<_> = files
        .iter()
        .filter(|f| f.extension().is_none_or(|e| e != "eml"))
        .collect();
    let broken: Vec<_> = files
        .iter()
        .filter(|f| {
            let raw = std::fs::read(f).unwrap_or_default();
            !support::text_part(&raw).contains("/verify/")
        })
        .collect();
    unmount();
    assert!(
        sent > 0 && sent < 100,
        "the disk filled up part way: {sent} sent"
    );
    assert!(left_over.is_empty(), "temporary files left: {left_over:?}");
    assert!(broken.is_empty(), "half-written messages: {broken:?}");
    assert_eq!(files.len(), sent, "one whole file per message sent");
    let waiting = session
        .outbox(200)
        .unwrap()
        .iter()
        .filter(|m| m.state == DeliveryState::Queued)
        .count();
    assert_eq!(sent + waiting, 100, "the rest wait for a retry");
}

/// On a shared register, `verify --all-pending` is killed with -9 half way
/// while `serve` delivers, and run again. The second send adopts the first
/// one's waiting messages while `serve`'s worker records the answers for
/// the same messages (the two could deadlock, and the send then ended with
/// "locked by another program"): it finishes with exit code 0 and nothing
/// failed, and every employee has their message (a second copy only
/// flagged).
#[test]
fn a_bulk_send_killed_and_run_again_beside_serve_finishes() {
    const USERS: usize = 600;
    let register = Register::postgres();
    let (smtp, session) = pending_behind_a_slow_server(&register, USERS, "again");

    let log = register.dir.path().join("serve.log");
    let (mut serve, _) = start_serve(&register, &log);
    let send = || {
        hrm_users(&register)
            .args(["verify", "--all-pending"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut first = send();
    wait_until("the first 100 messages", Duration::from_mins(2), || {
        smtp.accepted().len() >= 100
    });
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(
        smtp.accepted().len() < USERS,
        "the send finished before the kill"
    );

    let output = output_within(send(), Duration::from_mins(3));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let [_, failed, _, _] = summary(&stdout)
        .unwrap_or_else(|| panic!("no summary from the sender:\n{stdout}\n{stderr}"));
    assert_eq!(failed, 0, "{stdout}");
    wait_until("every message delivered", Duration::from_mins(3), || {
        let messages = session.outbox(USERS * 2).unwrap();
        messages.len() == USERS && messages.iter().all(|m| m.state == DeliveryState::Sent)
    });
    each_got_theirs(&smtp, &session, "again", USERS);
    serve.kill().unwrap();
    serve.wait().unwrap();
}
