//! The connection reaches the identity provider: end to end over real
//! SMTP, HTTP and SCIM (python-scim's `scim2-server`, behind a proxy that
//! can inject faults), on both backends: the link confirmed makes an active
//! account, a verified domain activates at once, Delete connection, a
//! deactivated user and a leaver deactivate it, a change of name is
//! pushed, an account made before is linked, faults are retried without a
//! second account, failures show the server's words, and `idp sync`
//! repairs exactly what was changed at the server.

// Helpers of tests may panic: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Each body owns the register it is given.
#![allow(clippy::needless_pass_by_value)]
// The token reaches the in-process worker through the environment, set
// once before any test reads it.
#![allow(unsafe_code)]

mod support;

use std::sync::Once;
use std::time::Duration;

use hrm_users::app::idp::{account, accounts, sync, try_again};
use hrm_users::app::outbox_worker::{OutboxWorker, WorkerOptions};
use hrm_users::app::{Session, VerifyOutcome, delete_connection, save_user, verify_account};
use hrm_users::domain::idp::IdpState;
use hrm_users::domain::{AuditAction, SettingKey, UserDraft, UserKey};
use hrm_users::web::start_endpoint;
use support::scim::{Fault, ScimServer, TOKEN};
use support::{Register, SmtpServer, TestClock, link_in, pending_user, smtp_settings};

static TOKEN_SET: Once = Once::new();

fn set_token() {
    TOKEN_SET.call_once(|| {
        // SAFETY: set once, before any test of this binary reads it (every
        // test calls this first, and `Once` makes the others wait).
        unsafe { std::env::set_var(hrm_users::scim::TOKEN_ENV, TOKEN) };
    });
}

/// A register with SMTP, the endpoint, provisioning on against a fresh
/// SCIM server, and a worker.
struct Rig {
    register: Register,
    clock: TestClock,
    smtp: SmtpServer,
    endpoint: hrm_users::web::Endpoint,
    scim: ScimServer,
    session: Session,
    worker: OutboxWorker,
}

impl Rig {
    fn on(register: Register) -> Self {
        set_token();
        let clock = TestClock::new();
        let smtp = SmtpServer::start();
        let scim = ScimServer::start();
        let endpoint = start_endpoint(&register.location, "127.0.0.1:0", clock.clock()).unwrap();
        let mut session = register.session(&clock);
        let mut settings = smtp_settings(
            &mut session,
            &smtp,
            &format!("http://{}", endpoint.address()),
        );
        settings.set(SettingKey::IdpProvisioning, "scim").unwrap();
        settings
            .set(SettingKey::ScimBaseUrl, &scim.base_url())
            .unwrap();
        settings
            .set(SettingKey::VerifiedDomains, "domain.example")
            .unwrap();
        hrm_users::app::save_settings(&mut session, &settings).unwrap();
        let worker = OutboxWorker::open(
            &register.location,
            clock.clock(),
            WorkerOptions {
                retry_base: Duration::from_mins(1),
                ..WorkerOptions::default()
            },
        )
        .unwrap();
        Self {
            register,
            clock,
            smtp,
            endpoint,
            scim,
            session,
            worker,
        }
    }

    fn state(&self, key: UserKey) -> IdpState {
        account(&self.session, key)
            .unwrap()
            .map_or(IdpState::None, |a| a.state)
    }

    /// A user connected at once by the verified domain.
    fn connected(&mut self, user_id: &str, first: &str) -> UserKey {
        let address = format!("{}@domain.example", first.to_lowercase());
        let key = pending_user(&mut self.session, user_id, first, &address);
        let outcome = verify_account(&mut self.session, key).unwrap();
        assert!(matches!(outcome, VerifyOutcome::ConnectedByDomain(_)));
        key
    }

    fn one_account(&self, external_id: &str) -> serde_json::Value {
        let found = self.scim.users_with_external_id(external_id);
        assert_eq!(
            found.len(),
            1,
            "exactly one account for {external_id}: {found:?}"
        );
        found.into_iter().next().unwrap()
    }

    fn edit(&mut self, key: UserKey, change: impl FnOnce(&mut UserDraft)) {
        let record = self.session.user(key).unwrap().unwrap();
        let mut draft = UserDraft::from_record(&record);
        change(&mut draft);
        save_user(&mut self.session, Some(key), &draft).unwrap();
    }
}

fn post(url: &str) -> u16 {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    agent.post(url).send_empty().unwrap().status().as_u16()
}

/// Verify → the employee confirms the link → the account exists and is
/// active with the right attributes; a new name is pushed to it; Delete
/// connection deactivates it; History has a row per push.
fn the_link_confirmed_makes_an_active_account_that_follows_the_user(register: Register) {
    let mut rig = Rig::on(register);
    let key = pending_user(&mut rig.session, "14", "Anna", "anna.svensson@company.se");
    verify_account(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    assert_eq!(rig.state(key), IdpState::None, "nothing before the link");
    assert!(rig.scim.users().is_empty());
    let link = link_in(&rig.smtp.accepted()[0]);
    assert_eq!(post(&link), 200);
    assert_eq!(rig.state(key), IdpState::Waiting);
    rig.worker.run_once().unwrap();

    let made = rig.one_account("14");
    assert_eq!(made["userName"], "anna.svensson@company.se");
    assert_eq!(made["active"], true);
    assert_eq!(made["name"]["givenName"], "Anna");
    assert_eq!(made["name"]["familyName"], "Testsson");
    assert_eq!(made["emails"][0]["value"], "anna.svensson@company.se");
    assert_eq!(made["emails"][0]["primary"], true);
    let kept = account(&rig.session, key).unwrap().unwrap();
    assert_eq!(kept.state, IdpState::Active);
    assert_eq!(kept.idp_id.as_deref(), made["id"].as_str());

    rig.edit(key, |d| d.last_name = "Lindqvist".into());
    assert_eq!(rig.state(key), IdpState::Waiting);
    rig.worker.run_once().unwrap();
    let renamed = rig.one_account("14");
    assert_eq!(renamed["name"]["familyName"], "Lindqvist");
    assert_eq!(renamed["id"], made["id"]);

    delete_connection(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    let closed = rig.one_account("14");
    assert_eq!(closed["active"], false);
    assert_eq!(rig.state(key), IdpState::Deactivated);
    let pushes = rig
        .session
        .audit_for(key)
        .unwrap()
        .iter()
        .filter(|e| e.action == AuditAction::IdpPushed)
        .count();
    assert_eq!(pushes, 3, "made, changed, deactivated");
}

/// A verified domain connects and activates at once; deactivating the
/// user deactivates the account; activating them again brings it back
/// (the same account); deleting the user deactivates it.
fn a_verified_domain_activates_at_once_and_the_user_s_activation_follows(register: Register) {
    let mut rig = Rig::on(register);
    let key = rig.connected("20", "Bo");
    rig.worker.run_once().unwrap();
    let made = rig.one_account("20");
    assert_eq!(made["userName"], "bo@domain.example");
    assert_eq!(made["active"], true);

    rig.edit(key, |d| d.activated = false);
    rig.worker.run_once().unwrap();
    assert_eq!(rig.one_account("20")["active"], false);

    rig.edit(key, |d| d.activated = true);
    rig.worker.run_once().unwrap();
    let back = rig.one_account("20");
    assert_eq!(back["active"], true);
    assert_eq!(back["id"], made["id"]);

    hrm_users::app::delete_user(&mut rig.session, key).unwrap();
    rig.worker.run_once().unwrap();
    assert_eq!(rig.one_account("20")["active"], false);
}

/// An account made at the provider before (same externalId) is linked,
/// not made a second time; so is one found by its address.
fn an_account_made_before_is_linked_not_duplicated(register: Register) {
    let mut rig = Rig::on(register);
    let before = serde_json::json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "someone.else@domain.example",
        "externalId": "30",
        "active": false,
    });
    assert_eq!(rig.scim.direct("POST", "/Users", Some(&before)), 201);
    let by_name = serde_json::json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "dan@domain.example",
    });
    assert_eq!(rig.scim.direct("POST", "/Users", Some(&by_name)), 201);
    let cia = rig.connected("30", "Cia");
    let dan = rig.connected("31", "Dan");
    rig.worker.run_once().unwrap();
    let linked = rig.one_account("30");
    assert_eq!(linked["userName"], "cia@domain.example");
    assert_eq!(linked["active"], true);
    assert_eq!(rig.one_account("31")["userName"], "dan@domain.example");
    assert_eq!(rig.scim.users().len(), 2, "no second account");
    assert_eq!(rig.state(cia), IdpState::Active);
    assert_eq!(rig.state(dan), IdpState::Active);
    let posts = rig
        .scim
        .requests()
        .iter()
        .filter(|r| r.starts_with("POST"))
        .count();
    assert_eq!(posts, 0, "nothing was made: {:?}", rig.scim.requests());
}

/// The server down, answering 429 with Retry-After, 500, or closing the
/// connection after it made the account: retried, and exactly one account.
/// A refusal it explains is shown with its words until *Try again*.
fn faults_are_retried_without_a_second_account(register: Register) {
    let mut rig = Rig::on(register);
    rig.scim.set_up(false);
    let anna = rig.connected("40", "Anna");
    rig.worker.run_once().unwrap();
    let waiting = account(&rig.session, anna).unwrap().unwrap();
    assert_eq!(waiting.state, IdpState::Waiting);
    assert!(!waiting.last_result.is_empty(), "the reason is kept");
    rig.scim.set_up(true);
    rig.worker.run_once().unwrap();
    assert_eq!(rig.state(anna), IdpState::Waiting, "not before the pause");
    rig.clock.advance_hours(1);
    rig.worker.run_once().unwrap();
    assert_eq!(rig.state(anna), IdpState::Active);

    // 429 with Retry-After of two hours, then 500: each waits, then goes.
    rig.scim.inject([Fault::Answer(429, Some(7_200))]);
    let bo = rig.connected("41", "Bo");
    rig.worker.run_once().unwrap();
    assert!(
        account(&rig.session, bo)
            .unwrap()
            .unwrap()
            .last_result
            .contains("429")
    );
    rig.clock.advance_hours(1);
    rig.worker.run_once().unwrap();
    assert_eq!(rig.state(bo), IdpState::Waiting, "Retry-After is honoured");
    rig.scim.inject([Fault::Answer(500, None)]);
    rig.clock.advance_hours(2);
    rig.worker.run_once().unwrap();
    assert_eq!(rig.state(bo), IdpState::Waiting);
    rig.clock.advance_hours(2);
    rig.worker.run_once().unwrap();
    assert_eq!(rig.state(bo), IdpState::Active);
    rig.one_account("41");

    // The account is made, and the answer is lost on the way back.
    rig.scim
        .inject([Fault::Pass, Fault::Pass, Fault::ForwardThenDrop]);
    let cia = rig.connected("42", "Cia");
    rig.worker.run_once().unwrap();
    assert_eq!(rig.state(cia), IdpState::Active);
    rig.one_account("42");

    // A refusal: failed with the server's words, until Try again.
    rig.scim
        .inject([Fault::Pass, Fault::Pass, Fault::Answer(400, None)]);
    let dan = rig.connected("43", "Dan");
    rig.worker.run_once().unwrap();
    let failed = account(&rig.session, dan).unwrap().unwrap();
    assert_eq!(failed.state, IdpState::Failed);
    assert!(
        failed.last_result.contains("injected fault 400"),
        "{failed:?}"
    );
    assert!(
        rig.session
            .audit_for(dan)
            .unwrap()
            .iter()
            .any(|e| e.action == AuditAction::IdpFailed)
    );
    rig.worker.run_once().unwrap();
    assert_eq!(rig.state(dan), IdpState::Failed, "not retried by itself");
    assert!(try_again(&mut rig.session, dan).unwrap());
    rig.worker.run_once().unwrap();
    assert_eq!(rig.state(dan), IdpState::Active);
    assert_eq!(rig.scim.users().len(), 4);
}

/// `idp sync` after accounts were deleted, changed or deactivated at the
/// server repairs exactly those; a second sync finds nothing.
fn idp_sync_repairs_exactly_what_changed_at_the_server(register: Register) {
    let mut rig = Rig::on(register);
    let keys: Vec<UserKey> = ["Anna", "Bo", "Cia", "Dan"]
        .iter()
        .enumerate()
        .map(|(n, name)| rig.connected(&format!("5{n}"), name))
        .collect();
    rig.worker.run_once().unwrap();
    assert_eq!(rig.scim.users().len(), 4);
    let id =
        |rig: &Rig, external: &str| rig.one_account(external)["id"].as_str().unwrap().to_owned();
    let gone = id(&rig, "50");
    assert_eq!(
        rig.scim.direct("DELETE", &format!("/Users/{gone}"), None),
        204
    );
    let renamed = id(&rig, "51");
    let patch = |value: serde_json::Value| {
        serde_json::json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{ "op": "replace", "value": value }],
        })
    };
    let status = rig.scim.direct(
        "PATCH",
        &format!("/Users/{renamed}"),
        Some(&patch(
            serde_json::json!({ "name": { "givenName": "Bob", "familyName": "X" } }),
        )),
    );
    assert!(status < 300, "{status}");
    let off = id(&rig, "52");
    let status = rig.scim.direct(
        "PATCH",
        &format!("/Users/{off}"),
        Some(&patch(serde_json::json!({ "active": false }))),
    );
    assert!(status < 300, "{status}");

    let dry = sync(&mut rig.session, true, 4).unwrap();
    let planned: Vec<(String, &str)> = dry
        .lines
        .iter()
        .map(|l| (l.user_id.clone(), l.action.code()))
        .collect();
    assert_eq!(
        planned,
        [
            ("50".to_owned(), "create"),
            ("51".to_owned(), "update"),
            ("52".to_owned(), "update")
        ]
    );
    assert_eq!(dry.unchanged, 1);
    assert!(dry.lines.iter().all(|l| l.result.is_none()));
    assert_eq!(
        rig.scim.users_with_external_id("50").len(),
        0,
        "a dry run changes nothing"
    );

    let done = sync(&mut rig.session, false, 4).unwrap();
    assert!(
        done.lines.iter().all(|l| matches!(l.result, Some(Ok(_)))),
        "{done:?}"
    );
    for (n, name) in ["Anna", "Bo", "Cia", "Dan"].iter().enumerate() {
        let account = rig.one_account(&format!("5{n}"));
        assert_eq!(account["active"], true);
        assert_eq!(account["name"]["givenName"], *name);
    }
    assert_eq!(rig.scim.users().len(), 4);
    for key in keys {
        assert_eq!(rig.state(key), IdpState::Active);
    }
    let again = sync(&mut rig.session, false, 4).unwrap();
    assert!(again.lines.is_empty(), "{again:?}");
    assert_eq!(again.unchanged, 4);
    assert_eq!(accounts(&rig.session).unwrap().len(), 4);
    drop(rig.endpoint);
    drop(rig.register);
}

/// *Verify accounts* from the CLI for users in the verified domain: each
/// line says they were connected at once and where their account at the
/// identity provider stands (the results read those accounts together:
/// waiting to be sent, as the worker makes them after); the worker then
/// makes each account once, active.
fn a_bulk_connect_says_where_each_account_stands(register: Register) {
    let mut rig = Rig::on(register);
    for (id, first) in [("31", "Cai"), ("32", "Dag"), ("33", "Eva")] {
        pending_user(
            &mut rig.session,
            id,
            first,
            &format!("{}@domain.example", first.to_lowercase()),
        );
    }
    let out = hrm_users(&rig.register)
        .env("LC_ALL", "C.UTF-8")
        .args(["verify", "--all-pending"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let printed = String::from_utf8_lossy(&out.stdout);
    for address in [
        "cai@domain.example",
        "dag@domain.example",
        "eva@domain.example",
    ] {
        let line = printed
            .lines()
            .find(|line| line.contains(address))
            .unwrap_or_else(|| panic!("no line for {address}: {printed}"));
        // Made by the worker, after the results: waiting, not none.
        assert!(
            line.contains("verified domain; account in the identity provider: waiting to be sent"),
            "{line}"
        );
    }
    rig.worker.run_once().unwrap();
    for id in ["31", "32", "33"] {
        assert_eq!(rig.one_account(id)["active"], true);
    }
}

support::on_both_backends!(
    a_bulk_connect_says_where_each_account_stands,
    the_link_confirmed_makes_an_active_account_that_follows_the_user,
    a_verified_domain_activates_at_once_and_the_user_s_activation_follows,
    an_account_made_before_is_linked_not_duplicated,
    faults_are_retried_without_a_second_account,
    idp_sync_repairs_exactly_what_changed_at_the_server,
);

fn hrm_users(register: &Register) -> std::process::Command {
    let mut command = support::program(register);
    command.env(hrm_users::scim::TOKEN_ENV, TOKEN);
    command
}

fn json_of(output: &std::process::Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Two `serve`s and a CLI send push 400 accounts on one shared register;
/// one `serve` is killed with -9 in the middle: every user ends with
/// exactly one active account. Then the CLI: `idp status`, `users
/// disconnect` (the account is deactivated by `serve`), `users
/// reset-password`, and `idp sync` finding nothing to repair.
#[test]
fn two_serves_and_a_kill_make_each_account_exactly_once() {
    const USERS: usize = 400;
    set_token();
    let scim = ScimServer::start();
    let shared = Register::postgres();
    let mut session = Session::new(hrm_users::store::Store::open(&shared.location).unwrap());
    let mut settings = session.load_settings().unwrap();
    settings.set(SettingKey::IdpProvisioning, "scim").unwrap();
    settings
        .set(SettingKey::ScimBaseUrl, &scim.base_url())
        .unwrap();
    settings
        .set(SettingKey::VerifiedDomains, "example.org")
        .unwrap();
    hrm_users::app::save_settings(&mut session, &settings).unwrap();
    support::seed_pending(&mut session, USERS, "p");

    let serve = || {
        let mut child = hrm_users(&shared)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        support::served_address(&mut child);
        child
    };
    let mut first = serve();
    let mut second = serve();
    let sent = hrm_users(&shared)
        .args(["verify", "--all-pending"])
        .output()
        .unwrap();
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    // Verify accounts' results say where each account stands.
    assert!(
        String::from_utf8_lossy(&sent.stdout).contains("account in the identity provider: "),
        "{}",
        String::from_utf8_lossy(&sent.stdout)
    );
    let started = std::time::Instant::now();
    while scim.users().len() < 60 {
        assert!(started.elapsed() < Duration::from_mins(2), "no pushes");
        std::thread::sleep(Duration::from_millis(20));
    }
    first.kill().unwrap();
    first.wait().unwrap();
    let active = |session: &Session| {
        accounts(session)
            .unwrap()
            .iter()
            .filter(|a| a.state == IdpState::Active)
            .count()
    };
    while active(&session) < USERS {
        assert!(
            started.elapsed() < Duration::from_mins(4),
            "{} of {USERS} active",
            active(&session)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let users = scim.users();
    assert_eq!(users.len(), USERS, "one account each, none twice");
    let mut ids: Vec<&str> = users
        .iter()
        .filter_map(|u| u["externalId"].as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), USERS);

    the_cli_follows_the_accounts(&shared, &scim, USERS);
    second.kill().unwrap();
    second.wait().unwrap();
}

/// `idp status`, `users disconnect` (the account is deactivated by a
/// running `serve`), `users reset-password` and `idp sync` on a register
/// whose `users` connected users all have an active account.
fn the_cli_follows_the_accounts(shared: &Register, scim: &ScimServer, users: usize) {
    let started = std::time::Instant::now();
    let status = json_of(
        &hrm_users(shared)
            .args(["idp", "status", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(status["provisioning"], "scim");
    assert_eq!(status["counts"]["active"], users);
    assert_eq!(status["supports"]["patch"], true);

    let disconnected = hrm_users(shared)
        .args(["users", "disconnect", "p0"])
        .output()
        .unwrap();
    assert!(
        disconnected.status.success(),
        "{}",
        String::from_utf8_lossy(&disconnected.stderr)
    );
    let again = hrm_users(shared)
        .args(["users", "disconnect", "p0"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2), "no connection left to delete");
    let reset = hrm_users(shared)
        .args(["users", "reset-password", "p1"])
        .output()
        .unwrap();
    assert!(
        reset.status.success(),
        "{}",
        String::from_utf8_lossy(&reset.stderr)
    );
    assert!(String::from_utf8_lossy(&reset.stdout).contains("password reset"));
    let not_connected = hrm_users(shared)
        .args(["users", "reset-password", "p0"])
        .output()
        .unwrap();
    assert_eq!(not_connected.status.code(), Some(2));
    while scim.users_with_external_id("p0")[0]["active"] != false {
        assert!(
            started.elapsed() < Duration::from_mins(5),
            "p0 still active"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let listed = json_of(
        &hrm_users(shared)
            .args(["users", "list", "--json"])
            .output()
            .unwrap(),
    );
    let p0 = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["user_id"] == "p0")
        .unwrap();
    assert_eq!(p0["idp_state"], "deactivated");
    assert!(p0["idp_id"].is_string());

    // An import renames a connected user: the report says the account
    // follows, and `serve` pushes the new name.
    let csv = shared.dir.path().join("users.csv");
    let exported = hrm_users(shared)
        .args(["export", csv.to_str().unwrap(), "--search", "p2"])
        .output()
        .unwrap();
    assert!(exported.status.success(), "{exported:?}");
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, text.replace("\"User 2\"", "\"Renamed\"")).unwrap();
    let imported = hrm_users(shared)
        .args(["import", csv.to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&imported.stdout);
    assert!(imported.status.success(), "{said}");
    assert!(
        said.contains("account in the identity provider follows"),
        "{said}"
    );
    while scim.users_with_external_id("p2")[0]["name"]["familyName"] != "Renamed" {
        assert!(
            started.elapsed() < Duration::from_mins(2),
            "p2 not renamed at the provider"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let synced = json_of(
        &hrm_users(shared)
            .args(["idp", "sync", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(
        synced["differences"].as_array().map(Vec::len),
        Some(0),
        "{synced}"
    );
    assert_eq!(synced["unchanged"], users - 1);
}

fn has(harness: &egui_kittest::Harness<'_, hrm_users::ui::HrmApp>, text: &str) -> bool {
    use egui_kittest::kittest::Queryable as _;
    harness.query_all_by_label_contains(text).next().is_some()
}

/// The window follows the account: a refused push shows the server's words
/// and *Try again*; pressed, the push waits, and once delivered the form
/// reads *active since …* without the button.
#[test]
fn the_form_shows_the_account_and_try_again_sends_it_anew() {
    use egui_kittest::kittest::Queryable as _;
    let mut rig = Rig::on(Register::new());
    rig.scim
        .inject([Fault::Pass, Fault::Pass, Fault::Answer(400, None)]);
    let key = rig.connected("60", "Eva");
    rig.worker.run_once().unwrap();
    assert_eq!(rig.state(key), IdpState::Failed);

    let session = rig.register.session(&rig.clock);
    let mut harness = support::window(session);
    harness.get_by_label("Eva Testsson").click();
    harness.run();
    assert!(has(
        &harness,
        "Account in the identity provider: failed: the server said 400: injected fault 400"
    ));
    harness.get_by_label("Try again").click();
    harness.run();
    assert!(has(
        &harness,
        "The account is sent to the identity provider again."
    ));
    assert!(has(
        &harness,
        "Account in the identity provider: waiting to be sent"
    ));
    rig.worker.run_once().unwrap();
    for _ in 0..3 {
        harness.step();
    }
    harness.run();
    assert!(
        has(&harness, "Account in the identity provider: active since"),
        "the form follows the push"
    );
    assert!(harness.query_by_label("Try again").is_none());
    rig.one_account("60");
}

/// Settings › Identity provider, found by role and name as a screen reader
/// would: provisioning turned on, the endpoint typed, *Test connection*
/// says what the server supports, *Save settings* keeps it, and *Sync now*
/// makes the connected user's account.
#[test]
fn settings_test_the_connection_and_sync_now() {
    use egui::accesskit::Role;
    use egui_kittest::kittest::Queryable as _;
    set_token();
    let scim = ScimServer::start();
    let register = Register::new();
    let clock = TestClock::new();
    let mut session = register.session(&clock);
    let mut settings = session.load_settings().unwrap();
    settings
        .set(SettingKey::VerifiedDomains, "domain.example")
        .unwrap();
    hrm_users::app::save_settings(&mut session, &settings).unwrap();
    let key = pending_user(&mut session, "70", "Fia", "fia@domain.example");
    verify_account(&mut session, key).unwrap();
    let mut harness = support::window(session);
    harness
        .get_by_role_and_label(Role::Button, "Settings")
        .click();
    harness.run();
    // The section is below the fold of the settings' scroll area.
    harness
        .get_by_role_and_label(Role::RadioButton, "SCIM 2.0")
        .scroll_to_me();
    harness.run();
    harness
        .get_by_role_and_label(Role::RadioButton, "SCIM 2.0")
        .click();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "SCIM endpoint")
        .click();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "SCIM endpoint")
        .type_text(&scim.base_url());
    harness.run();
    // The token field is named, and its value hidden, for a screen reader.
    harness.get_by_role_and_label(Role::PasswordInput, "Token or client secret");
    harness
        .get_by_role_and_label(Role::Button, "Test connection")
        .click();
    support::wait_for(&mut harness, "The server answers. PATCH: yes");
    harness
        .get_by_role_and_label(Role::Button, "Save settings")
        .click();
    harness.run();
    harness
        .get_by_role_and_label(Role::Button, "Sync now")
        .click();
    support::wait_for(&mut harness, "Differences: 1");
    let made = scim.users_with_external_id("70");
    assert_eq!(made.len(), 1);
    assert_eq!(made[0]["active"], true);
}
