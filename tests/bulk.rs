//! `Verify accounts` against a real SMTP server: the counts, exactly the right
//! addresses once each, a department filter, cancel, and a killed send re-run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;
use std::time::Duration;

use hrm_users::app::bulk::{
    BulkOutcome, BulkRequest, plan_verify_accounts, save_results_xlsx, start_bulk,
};
use hrm_users::app::outbox_worker::{OutboxWorker, WorkerOptions};
use hrm_users::app::{Session, save_user};
use hrm_users::domain::{SettingKey, SkipReason, UserDraft, UserFilter};
use support::{Register, SmtpServer, TestClock, pending_user, smtp_settings};

/// Each accepted message's To address, counted.
fn recipients(smtp: &SmtpServer) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for raw in smtp.accepted() {
        let parsed = mailparse::parse_mail(&raw).unwrap();
        let to =
            mailparse::MailHeaderMap::get_first_value(parsed.headers.as_slice(), "To").unwrap();
        let address = to
            .rsplit('<')
            .next()
            .unwrap()
            .trim_end_matches('>')
            .to_owned();
        *counts.entry(address).or_default() += 1;
    }
    counts
}

fn selection(session: &Session, filter: &UserFilter) -> Vec<hrm_users::domain::UserRecord> {
    let mut listing = hrm_users::domain::Listing::new(session.load_users().unwrap());
    listing.set_filter(filter.clone());
    listing.visible_records().cloned().collect()
}

/// Starts `Verify accounts` on everyone in the register, as the dialog's
/// `Send` does; `wake_worker` is told when messages are queued.
fn start_job(
    register: &Register,
    clock: &TestClock,
    session: &Session,
    filter: &UserFilter,
    wake_worker: Box<dyn Fn() + Send>,
) -> hrm_users::app::bulk::BulkJob {
    let plan = plan_verify_accounts(session, &selection(session, filter), false).unwrap();
    start_bulk(BulkRequest {
        register: register.location.clone(),
        clock: clock.clock(),
        actor: "tester".into(),
        plan,
        send_again_to_recent: false,
        follow: hrm_users::app::bulk::Follow::UntilDelivered,
        notify: Box::new(|| {}),
        wake_worker,
        poll: Duration::from_millis(20),
    })
    .unwrap()
}

fn run_bulk(
    register: &Register,
    clock: &TestClock,
    session: &Session,
    filter: &UserFilter,
) -> Vec<hrm_users::app::bulk::BulkResultRow> {
    let worker = OutboxWorker::open(&register.location, clock.clock(), WorkerOptions::default())
        .unwrap()
        .spawn()
        .unwrap();
    let job = start_job(register, clock, session, filter, worker.waker());
    let rows = job.wait().unwrap();
    // Let the worker deliver everything still queued (from earlier runs too).
    while session.queued_count().unwrap() > 0 {
        std::thread::sleep(Duration::from_millis(20));
    }
    worker.stop();
    rows
}

/// A register mixing every case; returns (register, clock, session, smtp).
fn mixed_on(register: Register) -> (Register, TestClock, Session, SmtpServer) {
    let clock = TestClock::new();
    let smtp = SmtpServer::start();
    let mut session = register.session(&clock);
    let mut settings = smtp_settings(&mut session, &smtp, "http://127.0.0.1:9");
    settings
        .set(SettingKey::VerifiedDomains, "company.se")
        .unwrap();
    hrm_users::app::save_settings(&mut session, &settings).unwrap();
    pending_user(&mut session, "1", "Ann", "ann@example.org");
    pending_user(&mut session, "2", "Bo", "bo@example.org");
    pending_user(&mut session, "3", "Cai", "cai@company.se"); // verified domain
    pending_user(&mut session, "4", "Dan", ""); // no address
    let eve = pending_user(&mut session, "5", "Eve", "eve@example.org");
    let record = session.user(eve).unwrap().unwrap();
    save_user(
        &mut session,
        Some(eve),
        &UserDraft {
            activated: false,
            ..UserDraft::from_record(&record)
        },
    )
    .unwrap(); // not activated
    let fia = pending_user(&mut session, "6", "Fia", "fia@example.org");
    hrm_users::app::verify_account(&mut session, fia).unwrap();
    OutboxWorker::open(&register.location, clock.clock(), WorkerOptions::default())
        .unwrap()
        .run_once()
        .unwrap(); // Fia was sent one just now
    let gus = pending_user(&mut session, "7", "Gus", "gus@company.se");
    hrm_users::app::verify_account(&mut session, gus).unwrap(); // connected by domain
    (register, clock, session, smtp)
}

fn the_counts_and_exactly_the_right_addresses_once_each(register: Register) {
    let (register, clock, session, smtp) = mixed_on(register);
    let plan = plan_verify_accounts(
        &session,
        &selection(&session, &UserFilter::default()),
        false,
    )
    .unwrap();
    assert_eq!(plan.counts.send, 2);
    assert_eq!(plan.counts.connect, 1);
    assert_eq!(plan.counts.skipped_for(SkipReason::NoAddress), 1);
    assert_eq!(plan.counts.skipped_for(SkipReason::NotActivated), 1);
    assert_eq!(plan.counts.skipped_for(SkipReason::RecentlySent), 1);
    assert_eq!(plan.counts.skipped_for(SkipReason::AlreadyConnected), 1);

    let rows = run_bulk(&register, &clock, &session, &UserFilter::default());
    let got = recipients(&smtp);
    assert_eq!(got.get("ann@example.org"), Some(&1));
    assert_eq!(got.get("bo@example.org"), Some(&1));
    assert_eq!(
        got.get("fia@example.org"),
        Some(&1),
        "only the earlier message"
    );
    assert_eq!(got.len(), 3, "nobody else: {got:?}");

    let outcome = |id: &str| rows.iter().find(|r| r.user_id == id).unwrap().clone();
    assert_eq!(outcome("1").outcome, BulkOutcome::Sent);
    assert!(outcome("1").details.starts_with("250"));
    assert_eq!(outcome("3").outcome, BulkOutcome::ConnectedAtOnce);
    assert_eq!(outcome("4").outcome, BulkOutcome::Skipped);
    assert_eq!(outcome("4").details, "no saved address");
    assert_eq!(outcome("5").details, "user not activated");
    assert_eq!(outcome("6").details, "sent a verification recently");
    assert_eq!(outcome("7").details, "already connected");

    let path = register.dir.path().join("results.xlsx");
    save_results_xlsx(&rows, &path).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() > 1000);
}

#[test]
fn a_department_filter_limits_the_send() {
    let register = Register::new();
    let clock = TestClock::new();
    let smtp = SmtpServer::start();
    let mut session = register.session(&clock);
    smtp_settings(&mut session, &smtp, "http://127.0.0.1:9");
    for (id, department) in [("1", "HR"), ("2", "Sales"), ("3", "HR"), ("4", "IT")] {
        let key = pending_user(&mut session, id, "X", &format!("user{id}@example.org"));
        let record = session.user(key).unwrap().unwrap();
        save_user(
            &mut session,
            Some(key),
            &UserDraft {
                department: department.into(),
                ..UserDraft::from_record(&record)
            },
        )
        .unwrap();
    }
    let hr = UserFilter {
        department: Some("HR".into()),
        ..UserFilter::default()
    };
    run_bulk(&register, &clock, &session, &hr);
    let got = recipients(&smtp);
    assert_eq!(got.len(), 2);
    assert!(got.contains_key("user1@example.org") && got.contains_key("user3@example.org"));
}

fn many_on(register: Register, n: usize) -> (Register, TestClock, Session, SmtpServer) {
    let clock = TestClock::new();
    let smtp = SmtpServer::start();
    let mut session = register.session(&clock);
    let mut settings = smtp_settings(&mut session, &smtp, "http://127.0.0.1:9");
    settings.set(SettingKey::SmtpSessions, "8").unwrap();
    hrm_users::app::save_settings(&mut session, &settings).unwrap();
    for i in 0..n {
        pending_user(
            &mut session,
            &format!("{}", i + 1),
            "X",
            &format!("user{i}@example.org"),
        );
    }
    (register, clock, session, smtp)
}

/// `Cancel` stops the send: nothing more is queued, and what no worker has
/// handed to the mail server is not sent; the results say so.
fn cancel_stops_the_send_before_the_mail_server(register: Register) {
    let (register, clock, session, smtp) = many_on(register, 1200);
    let job = start_job(
        &register,
        &clock,
        &session,
        &UserFilter::default(),
        Box::new(|| {}),
    );
    while job.progress().queued < 200 {
        std::thread::sleep(Duration::from_millis(5));
    }
    job.cancel();
    while job.progress().not_sent == 0 {
        std::thread::sleep(Duration::from_millis(5));
    }
    // A worker that runs after Cancel finds nothing of the send to deliver.
    let mut worker =
        OutboxWorker::open(&register.location, clock.clock(), WorkerOptions::default()).unwrap();
    let progress = loop {
        worker.run_once().unwrap();
        let progress = job.progress();
        if progress.finished {
            break progress;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(progress.cancelled);
    assert_eq!(progress.sent, 0);
    assert_eq!(progress.not_sent, progress.queued);
    let rows = job.wait().unwrap();
    let not_sent: Vec<_> = rows
        .iter()
        .filter(|r| r.outcome == BulkOutcome::NotSent)
        .collect();
    assert_eq!(not_sent.len(), 1200, "every user: not sent");
    assert!(
        not_sent.iter().all(|r| r.details.contains("cancelled")),
        "the results say why"
    );
    assert!(smtp.accepted().is_empty(), "nothing reached the server");
    assert_eq!(
        session.queued_count().unwrap(),
        0,
        "nothing left to send later"
    );
}

fn a_send_killed_halfway_and_run_again_sends_each_user_one_message(register: Register) {
    let (register, clock, session, smtp) = many_on(register, 600);
    // The first run queues part of the selection and "dies": its job and
    // worker are dropped with messages still queued.
    let job = start_job(
        &register,
        &clock,
        &session,
        &UserFilter::default(),
        Box::new(|| {}),
    );
    while job.progress().queued < 200 {
        std::thread::sleep(Duration::from_millis(5));
    }
    job.cancel();
    drop(job);
    let mut worker = OutboxWorker::open(
        &register.location,
        clock.clock(),
        WorkerOptions {
            batch: 50,
            ..WorkerOptions::default()
        },
    )
    .unwrap();
    worker.run_once().unwrap(); // some of them go out before the "crash"
    drop(worker);

    // Start again: the same selection, the same button.
    let rows = run_bulk(&register, &clock, &session, &UserFilter::default());
    let got = recipients(&smtp);
    assert_eq!(got.len(), 600, "everyone got a message");
    assert!(got.values().all(|n| *n == 1), "nobody got two");
    assert_eq!(rows.len(), 600);
}

/// On a shared register the server may break a deadlock between a bulk
/// send's queueing and another session (an outbox worker's group commit
/// changes the same waiting messages) by rolling the queueing back: the send
/// queues that chunk again, and each user still gets one message.
#[test]
fn a_chunk_rolled_back_to_break_a_deadlock_is_queued_again() {
    let (register, clock, session, smtp) = many_on(Register::postgres(), 50);
    // A first send queues everyone and is left before anything goes out.
    let first = start_job(
        &register,
        &clock,
        &session,
        &UserFilter::default(),
        Box::new(|| {}),
    );
    while first.progress().queued < 50 {
        std::thread::sleep(Duration::from_millis(5));
    }
    drop(first);
    let mut other = ::postgres::Client::connect(&register.db_arg(), ::postgres::NoTls).unwrap();
    // This session waits long before it looks for a deadlock: the send's,
    // which waits first, finds it and is the one rolled back.
    other.batch_execute("SET deadlock_timeout = '30s'").unwrap();
    let ids: Vec<i64> = other
        .query("SELECT id FROM outbox ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(ids.len(), 50);
    let mut watcher = ::postgres::Client::connect(&register.db_arg(), ::postgres::NoTls).unwrap();
    let mut tx = other.transaction().unwrap();
    let touch = "UPDATE outbox SET last_result = last_result WHERE id = $1";
    tx.execute(touch, &[&ids[49]]).unwrap();
    // The second send adopts the waiting messages and waits for the last.
    let second = start_job(
        &register,
        &clock,
        &session,
        &UserFilter::default(),
        Box::new(|| {}),
    );
    support::wait_until_waiting_for_a_lock(&mut watcher, "UPDATE outbox SET batch");
    // This session now wants the first message, which the send holds.
    tx.execute(touch, &[&ids[0]]).unwrap();
    tx.commit().unwrap();
    let worker = OutboxWorker::open(&register.location, clock.clock(), WorkerOptions::default())
        .unwrap()
        .spawn()
        .unwrap();
    worker.waker()();
    let rows = second.wait().expect("the send queues the chunk again");
    while session.queued_count().unwrap() > 0 {
        std::thread::sleep(Duration::from_millis(20));
    }
    worker.stop();
    assert_eq!(rows.len(), 50);
    let got = recipients(&smtp);
    assert_eq!(got.len(), 50, "everyone got a message");
    assert!(got.values().all(|n| *n == 1), "nobody got two");
}

/// The window hands a selection over by key: the users come back in that
/// order, as the register has them, without users deleted since.
#[test]
fn a_selection_handed_over_by_key_is_loaded_in_order() {
    let register = Register::new();
    let clock = TestClock::new();
    let mut session = register.session(&clock);
    let first = pending_user(&mut session, "1", "Ann", "ann@example.org");
    let second = pending_user(&mut session, "2", "Bo", "bo@example.org");
    let gone = hrm_users::domain::UserKey(999);
    let loaded = hrm_users::app::bulk::load_selection(&session, &[second, gone, first]).unwrap();
    let ids: Vec<&str> = loaded.iter().map(|r| r.user.user_id.as_str()).collect();
    assert_eq!(ids, ["2", "1"]);
}

support::on_both_backends!(
    the_counts_and_exactly_the_right_addresses_once_each,
    a_send_killed_halfway_and_run_again_sends_each_user_one_message,
    cancel_stops_the_send_before_the_mail_server,
);
