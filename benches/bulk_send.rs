//! `Verify accounts` to 10,000 pending users, delivered to postfix's
//! `smtp-sink` on loopback, beside postfix's own load generator `smtp-source`
//! against the same sink with the same number of sessions, in one run. Also
//! the window's frame times while the send runs, and (on Linux) the CPU
//! each send cost per message in this process, the sink and the database
//! server.
//!
//! `benches/get-postfix.sh && cargo bench --bench bulk_send`

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::too_many_lines
)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use egui::{Pos2, RawInput, Rect, vec2};
use hrm_users::app::bulk::{BulkRequest, plan_verify_accounts, start_bulk};
use hrm_users::app::outbox_worker::{OutboxWorker, WorkerOptions};
use hrm_users::app::{Session, open_register, save_settings};
use hrm_users::domain::{Connection, Email, SettingKey, User, UserId};
use hrm_users::store::{Location, Store};
use hrm_users::ui::HrmApp;

const USERS: usize = 10_000;

fn postfix_root() -> PathBuf {
    std::env::var_os("POSTFIX_ROOT")
        .map_or_else(|| PathBuf::from("target/postfix/root"), PathBuf::from)
}

fn postfix_tool(root: &Path, name: &str) -> Command {
    let mut command = Command::new(root.join("usr/sbin").join(name));
    command.env("LD_LIBRARY_PATH", root.join("usr/lib/postfix"));
    command
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_sink(root: &Path, port: u16) -> Child {
    let mut command = postfix_tool(root, "smtp-sink");
    // smtp-sink refuses to run as root without a user to switch to.
    if std::env::var("USER").as_deref() == Ok("root") || is_root() {
        command.args(["-u", "nobody"]);
    }
    let mut child = command
        .args([&format!("127.0.0.1:{port}"), "1000"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("smtp-sink starts (run benches/get-postfix.sh first)");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return child;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("smtp-sink did not start listening");
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .is_some_and(|l| l.split_whitespace().nth(1) == Some("0"))
}

/// CPU time used, read from Linux's `/proc` (user and system time, in its
/// clock ticks of 10 ms); `None` elsewhere. It shows where a send's CPU goes
/// when the bench, the sink and the database server share this machine's
/// cores.
mod cpu {
    use std::time::Duration;

    /// Linux reports process times in ticks of `USER_HZ`, 100 a second on
    /// every architecture it runs on.
    const TICK: Duration = Duration::from_millis(10);

    /// The fields after a process's name in `/proc/PID/stat` (the name is
    /// in parentheses and may hold spaces).
    fn stat_fields(pid: u32) -> Option<Vec<u64>> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let after_name = &stat[stat.rfind(')')? + 2..];
        Some(
            after_name
                .split_whitespace()
                .map(|f| f.parse().unwrap_or(0))
                .collect(),
        )
    }

    /// A process's own CPU (all its threads, gone ones too); with
    /// `children`, also that of its children it has waited for.
    fn ticks(pid: u32, children: bool) -> Option<u64> {
        let f = stat_fields(pid)?;
        // Fields 14-17 of proc(5), counted from after the name: utime,
        // stime, cutime, cstime.
        let own = f.get(11)? + f.get(12)?;
        Some(if children {
            own + f.get(13)? + f.get(14)?
        } else {
            own
        })
    }

    /// This process.
    pub fn this_process() -> Option<Duration> {
        process(std::process::id())
    }

    /// A process on its own (the sink).
    pub fn process(pid: u32) -> Option<Duration> {
        ticks(pid, false).map(|t| TICK * u32::try_from(t).unwrap_or(u32::MAX))
    }

    /// A server and every process it started: the ones still running,
    /// and the ones that ended (counted in the server's children's time
    /// once it has waited for them), as PostgreSQL's postmaster and its
    /// backends.
    pub fn server_tree(pid: u32) -> Option<Duration> {
        let mut total = ticks(pid, true)?;
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let Some(child) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            // Field 4 of proc(5): the parent's pid.
            if stat_fields(child).and_then(|f| f.get(1).copied()) == Some(u64::from(pid)) {
                total += ticks(child, false).unwrap_or(0);
            }
        }
        Some(TICK * u32::try_from(total).unwrap_or(u32::MAX))
    }

    /// CPU used between two readings, per message, in microseconds.
    pub fn per_message(
        before: Option<Duration>,
        after: Option<Duration>,
        messages: usize,
    ) -> Option<f64> {
        Some(after?.saturating_sub(before?).as_secs_f64() * 1e6 / messages as f64)
    }
}

/// The process id of the PostgreSQL server behind `location` (the first
/// line of its data folder's `postmaster.pid`), when this user may read it.
fn postmaster_pid(location: &Location) -> Option<u32> {
    let Location::Shared(shared) = location else {
        return None;
    };
    let mut client = postgres::Client::connect(shared.url(), postgres::NoTls).ok()?;
    let data: String = client
        .query_one("SELECT current_setting('data_directory')", &[])
        .ok()?
        .get(0);
    let pid_file = std::fs::read_to_string(Path::new(&data).join("postmaster.pid")).ok()?;
    pid_file.lines().next()?.trim().parse().ok()
}

fn register_of_pending(location: &Location, port: u16, sessions: usize) -> Session {
    let mut session = Session::new(Store::open(location).unwrap());
    let users: Vec<(User, Connection)> = (0..USERS)
        .map(|n| {
            (
                User {
                    activated: true,
                    user_id: UserId::parse(&(n + 1).to_string()).unwrap(),
                    alias_user_id: String::new(),
                    signature: String::new(),
                    card_tag_id: String::new(),
                    external_reference: String::new(),
                    email: None,
                    first_name: "Test".into(),
                    last_name: format!("User {n}"),
                    department: "Bench".into(),
                    office: "Loopback".into(),
                    employment_ends: None,
                },
                Connection::Unverified {
                    email: Email::parse(&format!("user{n}@example.org")).unwrap(),
                    sent_count: 0,
                    last_sent_at: None,
                },
            )
        })
        .collect();
    session
        .store_for_tests()
        .write(|tx| tx.insert_many(&users, 0).map(|_| ()))
        .unwrap();
    let mut settings = session.load_settings().unwrap();
    for (key, value) in [
        (SettingKey::Transport, "smtp".to_owned()),
        (SettingKey::SmtpHost, "127.0.0.1".to_owned()),
        (SettingKey::SmtpPort, port.to_string()),
        (SettingKey::SmtpSecurity, "none".to_owned()),
        (SettingKey::SmtpSessions, sessions.to_string()),
        (SettingKey::MessagesPerMinute, "0".to_owned()),
        (SettingKey::SenderAddress, "hr@example.org".to_owned()),
    ] {
        settings.set(key, &value).unwrap();
    }
    save_settings(&mut session, &settings).unwrap();
    session
}

fn frame(ctx: &egui::Context, app: &mut HrmApp) -> Duration {
    let input = RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1280.0, 800.0))),
        ..RawInput::default()
    };
    let start = Instant::now();
    let output = ctx.run_ui(input, |ui| app.ui(ui));
    std::hint::black_box(ctx.tessellate(output.shapes, output.pixels_per_point));
    start.elapsed()
}

fn main() {
    let root = postfix_root();
    if !root.join("usr/sbin/smtp-sink").exists() {
        println!(
            "postfix tools not found in {}: run benches/get-postfix.sh first",
            root.display()
        );
        return;
    }
    let sessions: usize = std::env::var("SESSIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    let port = free_port();
    let mut sink = start_sink(&root, port);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    let session = register_of_pending(&(&path).into(), port, sessions);

    // The window on the same register, drawing frames while the send runs.
    let mut app = HrmApp::ready(open_register(Some(&(&path).into())).unwrap());
    let ctx = egui::Context::default();
    frame(&ctx, &mut app);

    let worker = OutboxWorker::open(
        &(&path).into(),
        session.clock.clone(),
        WorkerOptions::default(),
    )
    .unwrap()
    .spawn()
    .unwrap();
    let users = session.load_users().unwrap();
    let plan = plan_verify_accounts(&session, &users, false).unwrap();
    assert_eq!(plan.counts.send, USERS);
    let cpu_before = (cpu::this_process(), cpu::process(sink.id()));
    let started = Instant::now();
    let job = start_bulk(BulkRequest {
        register: path.clone().into(),
        clock: session.clock.clone(),
        actor: "bench".into(),
        plan,
        send_again_to_recent: false,
        follow: hrm_users::app::bulk::Follow::UntilDelivered,
        notify: Box::new(|| {}),
        wake_worker: worker.waker(),
        poll: Duration::from_millis(50),
    })
    .unwrap();
    let mut frames = Vec::new();
    let mut all_queued = None;
    while !job.progress().finished {
        frames.push(frame(&ctx, &mut app));
        if all_queued.is_none() && job.progress().queueing_done {
            all_queued = Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(16));
    }
    let ours = started.elapsed();
    let cpu_ours = cpu::per_message(cpu_before.0, cpu::this_process(), USERS);
    let cpu_sink = cpu::per_message(cpu_before.1, cpu::process(sink.id()), USERS);
    let progress = job.progress();
    drop(job);
    worker.stop();
    assert_eq!(
        progress.sent, USERS,
        "every message delivered: {progress:?}"
    );

    // The size of one of our messages, for smtp-source's message length.
    let settings = session.load_settings().unwrap();
    let values = hrm_users::domain::message::TemplateValues {
        name: "Test User 1".into(),
        email: "user1@example.org".into(),
        link: format!("{}/verify/{}", settings.public_base_url, "x".repeat(43)),
        expires: "2026-11-23 12:00 CET".into(),
        login_url: settings.login_page_url.clone(),
    };
    let sample = hrm_users::mail::compose(
        &settings,
        "Test User 1",
        &Email::parse("user1@example.org").unwrap(),
        &settings.verification_subject,
        &settings.verification_body,
        &values,
        "<x@example.org>",
    )
    .unwrap();
    let size = sample.formatted().len();
    let source_start = Instant::now();
    let status = postfix_tool(&root, "smtp-source")
        .args([
            "-s",
            &sessions.to_string(),
            "-m",
            &USERS.to_string(),
            "-l",
            &size.to_string(),
            "-f",
            "hr@example.org",
            "-t",
            "user@example.org",
            &format!("127.0.0.1:{port}"),
        ])
        .status()
        .unwrap();
    let theirs = source_start.elapsed();
    let _ = sink.kill();
    let _ = sink.wait();
    assert!(status.success());

    let rate = |d: Duration| USERS as f64 / d.as_secs_f64();
    frames.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("{USERS} pending users, {sessions} SMTP sessions, smtp-sink on loopback");
    println!(
        "Verify accounts, confirm to all delivered: {:.2} s = {:.0} messages/s",
        ours.as_secs_f64(),
        rate(ours)
    );
    println!(
        "  of which queueing all {USERS} messages (delivery running meanwhile): {:.2} s",
        all_queued.unwrap_or(ours).as_secs_f64()
    );
    if let (Some(ours), Some(sink)) = (cpu_ours, cpu_sink) {
        println!(
            "  CPU per message: this process (worker, the send, the window) {ours:.0} µs, smtp-sink {sink:.0} µs"
        );
    }
    println!(
        "smtp-source, same sink and sessions ({size}-byte messages): {:.2} s = {:.0} messages/s",
        theirs.as_secs_f64(),
        rate(theirs)
    );
    println!(
        "ratio: {:.2} of smtp-source's rate  [goal >= 0.5]",
        rate(ours) / rate(theirs)
    );
    println!(
        "window frames during the send: {} frames, median {:.2} ms, p99 {:.2} ms, max {:.2} ms  [goal < 16 ms]",
        frames.len(),
        ms(frames[frames.len() / 2]),
        ms(frames[frames.len() * 99 / 100]),
        ms(*frames.last().unwrap())
    );
    shared_register_rate(port_for_shared(&root), sessions, rate(ours));
}

fn port_for_shared(root: &Path) -> (Child, u16) {
    let port = free_port();
    (start_sink(root, port), port)
}

/// The same send on a shared register (PostgreSQL on loopback, the bench's
/// own private server) delivered by two workers at once, each with its own
/// connections and SMTP sessions, as two `serve` would; beside the SQLite
/// rate of one worker measured above.
fn shared_register_rate((mut sink, port): (Child, u16), sessions: usize, sqlite_rate: f64) {
    let Ok(location) = hrm_users::testing::fresh_database() else {
        println!("no PostgreSQL server programs: the shared-register send was not measured");
        return;
    };
    let session = register_of_pending(&location, port, sessions / 2);
    let workers: Vec<_> = (0..2)
        .map(|_| {
            OutboxWorker::open(&location, session.clock.clone(), WorkerOptions::default())
                .unwrap()
                .spawn()
                .unwrap()
        })
        .collect();
    let wakers: Vec<_> = workers
        .iter()
        .map(hrm_users::app::outbox_worker::WorkerHandle::waker)
        .collect();
    let users = session.load_users().unwrap();
    let plan = plan_verify_accounts(&session, &users, false).unwrap();
    let server = postmaster_pid(&location);
    let cpu_before = (
        cpu::this_process(),
        server.and_then(cpu::server_tree),
        cpu::process(sink.id()),
    );
    let started = Instant::now();
    let job = start_bulk(BulkRequest {
        register: location.clone(),
        clock: session.clock.clone(),
        actor: "bench".into(),
        plan,
        send_again_to_recent: false,
        follow: hrm_users::app::bulk::Follow::UntilDelivered,
        notify: Box::new(|| {}),
        wake_worker: Box::new(move || wakers.iter().for_each(|wake| wake())),
        poll: Duration::from_millis(50),
    })
    .unwrap();
    let mut all_queued = None;
    while !job.progress().finished {
        if all_queued.is_none() && job.progress().queueing_done {
            all_queued = Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = started.elapsed();
    let cpu_used = (
        cpu::per_message(cpu_before.0, cpu::this_process(), USERS),
        cpu::per_message(cpu_before.1, server.and_then(cpu::server_tree), USERS),
        cpu::per_message(cpu_before.2, cpu::process(sink.id()), USERS),
    );
    let progress = job.progress();
    drop(job);
    for worker in workers {
        worker.stop();
    }
    let _ = sink.kill();
    let _ = sink.wait();
    assert_eq!(
        progress.sent, USERS,
        "every message delivered: {progress:?}"
    );
    let rate = USERS as f64 / took.as_secs_f64();
    println!(
        "shared register (PostgreSQL), two workers with {} sessions each: {:.2} s = {rate:.0} messages/s, {:.2} of the single SQLite worker's rate  [goal >= 1.0]",
        sessions / 2,
        took.as_secs_f64(),
        rate / sqlite_rate
    );
    println!(
        "  of which queueing all {USERS} messages (delivery running meanwhile): {:.2} s",
        all_queued.unwrap_or(took).as_secs_f64()
    );
    if let (Some(ours), Some(server), Some(sink)) = cpu_used {
        // All three share this machine's cores: however the work is
        // spread, the send cannot end before their CPU time is spent.
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let least = (ours + server + sink) * USERS as f64 / 1e6 / cores as f64;
        println!(
            "  CPU per message: this process (two workers, the send) {ours:.0} µs, PostgreSQL server {server:.0} µs, smtp-sink {sink:.0} µs; on {cores} cores that CPU alone takes {least:.2} s = at most {:.2} of the SQLite worker's rate",
            USERS as f64 / least / sqlite_rate
        );
    }
}
