//! Test helpers shared by the integration tests: a real SMTP server on
//! loopback, registers in temporary files, a clock the test moves.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod link;
pub mod scim;

#[allow(unused_imports)] // Not every test binary asks for a port.
pub use scim::free_port;

use std::collections::VecDeque;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use hrm_users::app::Session;
use hrm_users::domain::{Clock, SettingKey, Settings, UserDraft, UserKey};
use hrm_users::store::{Location, Store};
use mailin_embedded::{Handler, Response, Server, SslConfig, response};

/// An SMTP server on 127.0.0.1 that keeps every accepted message and can be
/// told how to answer the next messages.
#[derive(Clone)]
pub struct SmtpServer {
    pub port: u16,
    accepted: Arc<Mutex<Vec<Vec<u8>>>>,
    script: Arc<Mutex<VecDeque<(u16, &'static str)>>>,
    current: Vec<u8>,
    /// Milliseconds each message waits before its answer.
    delay_ms: Arc<AtomicU64>,
    /// Every Nth message (0: none) is answered 451.
    refuse_every: Arc<AtomicU64>,
    /// Messages whose content arrived.
    seen: Arc<AtomicU64>,
}

impl Handler for SmtpServer {
    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        _to: &[String],
    ) -> Response {
        self.current.clear();
        response::START_DATA
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let delay = self.delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            std::thread::sleep(std::time::Duration::from_millis(delay));
        }
        let seen = self.seen.fetch_add(1, Ordering::SeqCst) + 1;
        let every = self.refuse_every.load(Ordering::SeqCst);
        if every > 0 && seen.is_multiple_of(every) {
            return Response::custom(451, "4.3.0 try again later".to_owned());
        }
        let scripted = self.script.lock().unwrap().pop_front();
        match scripted {
            Some((code, words)) if code >= 400 => Response::custom(code, words.to_owned()),
            _ => {
                self.accepted
                    .lock()
                    .unwrap()
                    .push(std::mem::take(&mut self.current));
                response::OK
            }
        }
    }
}

impl SmtpServer {
    /// Starts a server on a free loopback port.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handler = Self {
            port,
            accepted: Arc::default(),
            script: Arc::default(),
            current: Vec::new(),
            delay_ms: Arc::default(),
            refuse_every: Arc::default(),
            seen: Arc::default(),
        };
        let mut server = Server::new(handler.clone());
        server
            .with_name("test.smtp")
            .with_ssl(SslConfig::None)
            .unwrap()
            .with_num_threads(32)
            .with_tcp_listener(listener);
        std::thread::Builder::new()
            .name("test-smtp".into())
            .spawn(move || {
                let _ = server.serve();
            })
            .unwrap();
        handler
    }

    /// The next messages get these answers (then 250 again).
    pub fn answer_next(&self, answers: &[(u16, &'static str)]) {
        self.script.lock().unwrap().extend(answers.iter().copied());
    }

    /// Each message waits this long for its answer.
    pub fn set_delay_ms(&self, ms: u64) {
        self.delay_ms.store(ms, Ordering::SeqCst);
    }

    /// Every `n`th message is answered 451 (0: none).
    pub fn refuse_every(&self, n: u64) {
        self.refuse_every.store(n, Ordering::SeqCst);
    }

    /// How many accepted messages went to each recipient (by the To header).
    pub fn per_recipient(&self) -> std::collections::HashMap<String, usize> {
        let mut counts = std::collections::HashMap::new();
        for raw in self.accepted() {
            let parsed = mailparse::parse_mail(&raw).unwrap();
            let to = parsed
                .headers
                .iter()
                .find(|h| h.get_key_ref().eq_ignore_ascii_case("to"))
                .map(mailparse::MailHeader::get_value)
                .unwrap_or_default();
            *counts.entry(to).or_default() += 1;
        }
        counts
    }

    /// Every message the server accepted, raw.
    pub fn accepted(&self) -> Vec<Vec<u8>> {
        self.accepted.lock().unwrap().clone()
    }
}

/// A clock the test sets.
#[derive(Clone)]
pub struct TestClock(Arc<AtomicI64>);

impl TestClock {
    pub fn new() -> Self {
        Self(Arc::new(AtomicI64::new(1_800_000_000_000)))
    }

    pub fn clock(&self) -> Clock {
        let ms = Arc::clone(&self.0);
        Arc::new(move || jiff::Timestamp::from_millisecond(ms.load(Ordering::SeqCst)).unwrap())
    }

    pub fn advance_hours(&self, hours: i64) {
        self.0.fetch_add(hours * 3_600_000, Ordering::SeqCst);
    }
}

/// A register: an SQLite file in a temporary folder, or a fresh database on
/// the tests' private PostgreSQL cluster (with a temporary folder beside it
/// for outboxes and reports).
pub struct Register {
    pub dir: tempfile::TempDir,
    /// The SQLite file (for a shared register: where one would be).
    pub path: PathBuf,
    /// Where the register is.
    pub location: Location,
}

impl Register {
    /// An SQLite register file.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("register.db");
        drop(Store::open(&path).unwrap());
        let location = Location::File(path.clone());
        Self {
            dir,
            path,
            location,
        }
    }

    /// A shared register on PostgreSQL.
    pub fn postgres() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("register.db");
        let location = hrm_users::testing::fresh_database_or_panic();
        drop(Store::open(&location).unwrap());
        Self {
            dir,
            path,
            location,
        }
    }

    /// The `--db` argument for the CLI.
    pub fn db_arg(&self) -> String {
        match &self.location {
            Location::File(path) => path.display().to_string(),
            Location::Shared(shared) => shared.url().to_owned(),
        }
    }

    pub fn session(&self, clock: &TestClock) -> Session {
        let mut session = Session::new(Store::open(&self.location).unwrap());
        session.clock = clock.clock();
        session
    }
}

/// Settings that send through `smtp` with no encryption (loopback).
pub fn smtp_settings(session: &mut Session, smtp: &SmtpServer, public_base_url: &str) -> Settings {
    let mut settings = session.load_settings().unwrap();
    settings.set(SettingKey::Transport, "smtp").unwrap();
    settings.set(SettingKey::SmtpHost, "127.0.0.1").unwrap();
    settings
        .set(SettingKey::SmtpPort, &smtp.port.to_string())
        .unwrap();
    settings.set(SettingKey::SmtpSecurity, "none").unwrap();
    settings.set(SettingKey::SmtpTimeoutSecs, "5").unwrap();
    settings
        .set(SettingKey::PublicBaseUrl, public_base_url)
        .unwrap();
    settings
        .set(SettingKey::SenderAddress, "hr@company.se")
        .unwrap();
    hrm_users::app::save_settings(session, &settings).unwrap();
    settings
}

/// Saves the role `name` with `permissions`, each limited to `office`.
pub fn save_office_role(
    session: &mut Session,
    name: &str,
    office: &str,
    permissions: &[hrm_users::domain::roles::Permission],
) -> hrm_users::domain::roles::Role {
    use hrm_users::domain::roles::{Grant, RoleDraft, Scope};
    let grants = permissions
        .iter()
        .map(|&permission| Grant {
            permission,
            scope: Scope {
                departments: Vec::new(),
                offices: vec![office.into()],
            },
        })
        .collect();
    let draft = RoleDraft {
        name: name.into(),
        description: String::new(),
        grants,
    };
    hrm_users::app::roles::save_role(session, None, &draft).unwrap()
}

/// Adds an activated user with a pending Visma Connect address.
pub fn pending_user(session: &mut Session, user_id: &str, first: &str, address: &str) -> UserKey {
    let draft = UserDraft {
        user_id: user_id.into(),
        first_name: first.into(),
        last_name: "Testsson".into(),
        department: "HR".into(),
        visma_email: address.into(),
        visma_email_confirm: address.into(),
        ..UserDraft::new_user()
    };
    hrm_users::app::save_user(session, None, &draft)
        .unwrap()
        .key
}

/// Adds `users` activated users with a pending address
/// (`{prefix}{n}@example.org`), in one transaction.
pub fn seed_pending(session: &mut Session, users: usize, prefix: &str) {
    session
        .store_for_tests()
        .write(|tx| {
            for n in 0..users {
                let draft = UserDraft {
                    user_id: format!("{prefix}{n}"),
                    first_name: "Soak".into(),
                    last_name: format!("User {n}"),
                    visma_email: format!("{prefix}{n}@example.org"),
                    visma_email_confirm: format!("{prefix}{n}@example.org"),
                    ..UserDraft::new_user()
                };
                let valid = draft.validate().unwrap();
                let key = tx.insert_user(&valid.user, 0)?;
                let pending = hrm_users::domain::Connection::Unverified {
                    email: valid.visma_email.unwrap(),
                    sent_count: 0,
                    last_sent_at: None,
                };
                tx.add_connection(key, &pending, 0)?;
            }
            Ok::<_, hrm_users::store::StoreError>(())
        })
        .unwrap();
}

/// The plain-text part of a raw message.
pub fn text_part(raw: &[u8]) -> String {
    fn find(part: &mailparse::ParsedMail<'_>) -> Option<String> {
        if part.ctype.mimetype == "text/plain" {
            return part.get_body().ok();
        }
        part.subparts.iter().find_map(find)
    }
    find(&mailparse::parse_mail(raw).unwrap()).unwrap()
}

/// The verification link in a raw message.
pub fn link_in(raw: &[u8]) -> String {
    let text = text_part(raw);
    text.split_whitespace()
        .find(|w| w.contains("/verify/"))
        .unwrap()
        .trim_end_matches('.')
        .to_owned()
}

/// `session`'s register as the program has it once opened (the window
/// reads the settings and the operator itself).
pub fn opened(session: Session) -> hrm_users::app::OpenedRegister {
    let change_stamp = session.last_change_ms().unwrap();
    let users = session.load_users().unwrap();
    hrm_users::app::OpenedRegister {
        session,
        users,
        is_demo: false,
        change_stamp,
        damaged_users: 0,
        settings: None,
        operator: None,
    }
}

/// The window over `session`'s register, as the program shows it once the
/// register is open, with its first frame drawn.
pub fn window(session: Session) -> egui_kittest::Harness<'static, hrm_users::ui::HrmApp> {
    let mut harness = egui_kittest::Harness::builder()
        .with_size([1280.0, 900.0])
        .build_ui_state(
            |ui, app: &mut hrm_users::ui::HrmApp| app.ui(ui),
            hrm_users::ui::HrmApp::ready(opened(session)),
        );
    harness.run();
    harness
}

/// Asks the window to close, as its title bar's close button does.
pub fn request_close(harness: &mut egui_kittest::Harness<'_, hrm_users::ui::HrmApp>) {
    harness
        .input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
}

/// Types `text` over what the first text field named `label` holds.
pub fn retype(
    harness: &mut egui_kittest::Harness<'_, hrm_users::ui::HrmApp>,
    label: &str,
    text: &str,
) {
    use egui::accesskit::Role;
    use egui_kittest::kittest::Queryable as _;
    harness
        .get_all_by_role_and_label(Role::TextInput, label)
        .next()
        .unwrap_or_else(|| panic!("no text input {label}"))
        .click();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness
        .get_all_by_role_and_label(Role::TextInput, label)
        .next()
        .unwrap()
        .type_text(text);
    harness.step();
    // Background work may keep the window repainting: not a failure here.
    let _ = harness.run_ok();
}

/// Installs Debian's `packages` (apt-get, as root), updating the package
/// lists first only when an install without it fails; panics, naming
/// `what`, when they cannot be installed.
pub fn install_debian_packages(packages: &[&str], what: &str) {
    let install = |args: &[&str]| {
        std::process::Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend_from_slice(packages);
    if !install(&args) {
        assert!(install(&["update", "-qq"]), "apt-get update failed");
        assert!(
            install(&args),
            "{what} could not be installed ({packages:?})"
        );
    }
}

/// Steps the window, with real time passing for its background threads,
/// until a label containing `text` shows; panics after about six seconds.
pub fn wait_for(harness: &mut egui_kittest::Harness<'_, hrm_users::ui::HrmApp>, text: &str) {
    use egui_kittest::kittest::Queryable as _;
    for _ in 0..300 {
        harness.step();
        if harness.query_all_by_label_contains(text).next().is_some() {
            // Let the layout settle; a background job may keep repainting,
            // which is not a failure here.
            let _ = harness.run_ok();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("\"{text}\" never appeared");
}

/// Steps the window, with real time passing for its background threads,
/// until the form no longer waits for the register (*Loading…*,
/// *Saving…*, *Working…*) and the frames settle; panics after about six
/// seconds.
pub fn settle(harness: &mut egui_kittest::Harness<'_, hrm_users::ui::HrmApp>) {
    use egui_kittest::kittest::Queryable as _;
    // A click's work may show its words a frame or two after the click
    // (fast on an optimised build): quiet means three frames in a row.
    let mut quiet = 0;
    for _ in 0..300 {
        harness.step();
        let waiting = ["Loading…", "Saving…", "Working…"]
            .iter()
            .any(|text| harness.query_by_label(text).is_some());
        quiet = if waiting { 0 } else { quiet + 1 };
        if quiet == 3 {
            let _ = harness.run_ok();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("the form kept waiting for the register");
}

/// How many users the window's register holds.
pub fn users_in(harness: &egui_kittest::Harness<'_, hrm_users::ui::HrmApp>) -> usize {
    harness
        .state()
        .users_view()
        .unwrap()
        .session()
        .count_users()
        .unwrap()
}

/// The address `serve` listens on, read from the first line it prints.
pub fn served_address(child: &mut std::process::Child) -> String {
    use std::io::{BufRead as _, BufReader};
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    line.split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_owned()
}

/// Makes a FIFO (a named pipe) at `path`, as an attacker or a mistake would.
#[cfg(unix)]
pub fn make_fifo(path: &std::path::Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success());
}

/// Makes a `#[test]` on an SQLite register file and one on a shared register
/// on PostgreSQL for each named body (a `fn(Register)`): one test body, two
/// backends.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() {
                super::$name(super::support::Register::new());
            })*
        }
        mod postgres {
            $(#[test]
            fn $name() {
                super::$name(super::support::Register::postgres());
            })*
        }
    };
}
#[allow(unused_imports)]
pub use on_both_backends;

/// Makes `key` a System administrator as the register's state before a
/// test (written directly: the window's rule that the first one is the
/// person working is tested on its own).
pub fn make_system_administrator(session: &mut Session, key: UserKey) {
    arrange_role(session, key, "system_administrator");
}

/// Gives `key` the role `role` (beside their others) as the register's
/// state before a test, written directly: who may give what is tested on
/// its own.
pub fn arrange_role(session: &mut Session, key: UserKey, role: &str) {
    let mut held = session.roles_of(key).unwrap();
    held.retain(|a| a.role != role);
    held.push(hrm_users::domain::roles::Assignment::new(role));
    session
        .store_for_tests()
        .write(|tx| tx.set_roles(key, &held, 0))
        .unwrap();
}

/// Sets `key`'s roles to `assignments` as the register's state before a
/// test (written directly).
pub fn arrange_roles(
    session: &mut Session,
    key: UserKey,
    assignments: &[hrm_users::domain::roles::Assignment],
) {
    session
        .store_for_tests()
        .write(|tx| tx.set_roles(key, assignments, 0))
        .unwrap();
}

/// The real binary on `register` (`--db`), with its data folder in the
/// register's temporary folder, English output and no register or SMTP
/// password from the environment.
pub fn program(register: &Register) -> std::process::Command {
    program_at(register, &register.db_arg())
}

/// The real binary as [`program`], on the register at `db` (the same
/// register as another login, say).
pub fn program_at(register: &Register, db: &str) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_hrm-users"));
    command
        .arg("--db")
        .arg(db)
        .env("XDG_DATA_HOME", register.dir.path())
        .env_remove("HRM_USERS_SMTP_PASSWORD")
        .env_remove("HRM_USERS_DB")
        .env("LC_ALL", "C.UTF-8");
    command
}

/// libfaketime, to run a process of the real binary on a clock of its own
/// (`FAKETIME=+120s`): installed from Debian's `faketime` when missing and
/// this process may install packages.
pub fn faketime_library() -> PathBuf {
    let find = || {
        std::fs::read_dir("/usr/lib")
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|entry| entry.path().join("faketime/libfaketime.so.1"))
            .find(|path| path.is_file())
    };
    if let Some(found) = find() {
        return found;
    }
    let _ = std::process::Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", "faketime"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdout(std::process::Stdio::null())
        .status();
    find().expect("libfaketime is not installed and `apt-get install faketime` failed")
}

/// Waits (up to 30 s) until a statement of the shared register that
/// contains `statement` waits for a lock, as `watcher` (a session of its
/// own) sees it.
pub fn wait_until_waiting_for_a_lock(watcher: &mut postgres::Client, statement: &str) {
    let started = std::time::Instant::now();
    while watcher
        .query_opt(
            "SELECT 1 FROM pg_stat_activity
             WHERE wait_event_type = 'Lock' AND strpos(query, $1) > 0",
            &[&statement],
        )
        .unwrap()
        .is_none()
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "nothing waited for a lock in {statement}"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}
