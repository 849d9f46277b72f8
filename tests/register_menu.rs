//! The *Register* menu as an administrator uses it: a new register file, and
//! connecting to a shared register on PostgreSQL, from the open window.

// Helpers of tests may panic: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use hrm_users::store::{Location, Store};
use hrm_users::ui::HrmApp;
use support::{Register, TestClock, pending_user, users_in, wait_for};

fn click(harness: &mut Harness<'_, HrmApp>, label: &str) {
    harness.get_by_label(label).click();
    harness.run();
}

fn type_into(harness: &mut Harness<'_, HrmApp>, label: &str, text: &str) {
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .click();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .type_text(text);
    harness.run();
}

fn window_on_a_file_with_two_users() -> (Register, Harness<'static, HrmApp>) {
    let register = Register::new();
    let mut session = register.session(&TestClock::new());
    pending_user(&mut session, "14", "Anna", "anna@example.org");
    pending_user(&mut session, "15", "Erik", "erik@example.org");
    let harness = support::window(session);
    (register, harness)
}

#[test]
fn a_new_register_from_the_menu_opens_empty_and_leaves_the_old_one_as_it_was() {
    let (register, mut harness) = window_on_a_file_with_two_users();
    assert_eq!(users_in(&harness), 2);
    let new = register.dir.path().join("second.db");
    click(&mut harness, "Register");
    click(&mut harness, "New register…");
    type_into(&mut harness, "File", new.to_str().unwrap());
    // The register opens on a thread, with a spinner meanwhile.
    harness.get_by_label("Create").click();
    wait_for(&mut harness, new.to_str().unwrap());
    assert_eq!(users_in(&harness), 0);
    assert!(new.is_file());
    let old = Store::open(&register.path).unwrap();
    assert_eq!(old.count_users().unwrap(), 2);
}

#[test]
fn creating_over_an_existing_file_is_refused_at_the_dialog() {
    let (register, mut harness) = window_on_a_file_with_two_users();
    click(&mut harness, "Register");
    click(&mut harness, "New register…");
    type_into(&mut harness, "File", register.path.to_str().unwrap());
    click(&mut harness, "Create");
    assert!(
        harness
            .query_all_by_label_contains("exists already")
            .next()
            .is_some()
    );
    assert_eq!(users_in(&harness), 2, "still the same register");
}

#[test]
fn connecting_to_a_shared_register_shows_its_users() {
    let shared = Register::postgres();
    let mut session = shared.session(&TestClock::new());
    pending_user(&mut session, "30", "Sara", "sara@example.org");
    drop(session);
    let (_file, mut harness) = window_on_a_file_with_two_users();
    click(&mut harness, "Register");
    click(&mut harness, "Connect to a shared register…");
    let Location::Shared(url) = &shared.location else {
        unreachable!()
    };
    let field = harness.get_by_role_and_label(Role::TextInput, "URL");
    field.click();
    harness.run();
    // Replace the example URL with the test server's.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "URL")
        .type_text(url.url());
    harness.run();
    harness.get_by_label("Connect").click();
    wait_for(&mut harness, "Sara Testsson");
    assert_eq!(users_in(&harness), 1);
    assert!(
        harness
            .query_all_by_label_contains(&url.to_string())
            .next()
            .is_some(),
        "the status bar names the shared register"
    );
}

/// With nothing configured, the first start opens the demo in a file of its
/// own; once a real default register exists, that is opened instead. Run in
/// a child process of this test binary with its own data directory.
#[test]
fn the_first_start_opens_the_demo_in_its_own_file() {
    if std::env::var_os("HRM_TEST_FIRST_START").is_some() {
        let opened = hrm_users::app::open_register(None).unwrap();
        println!(
            "OPENED demo={} users={} at {}",
            opened.is_demo,
            opened.users.len(),
            opened.session.location()
        );
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let start = || {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "the_first_start_opens_the_demo_in_its_own_file",
                "--nocapture",
            ])
            .env("HRM_TEST_FIRST_START", "1")
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", &data)
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.lines()
            .find(|l| l.starts_with("OPENED"))
            .unwrap_or_else(|| panic!("no OPENED line in {text}"))
            .to_owned()
    };
    let first = start();
    assert!(first.starts_with("OPENED demo=true users=300"), "{first}");
    assert!(first.ends_with("demo-register.db"), "{first}");
    let real = data.join("hrm-users").join("register.db");
    assert!(!real.exists(), "no made-up user went into a real register");

    // A real default register: opened from then on, the demo left alone.
    drop(Store::open(&real).unwrap());
    let second = start();
    assert!(second.starts_with("OPENED demo=false users=0"), "{second}");
    assert!(second.ends_with("register.db") && !second.ends_with("demo-register.db"));
}
