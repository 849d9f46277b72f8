//! The Users view as an administrator uses it: typing, clicking and reading
//! what the window shows, found by label and role.

// Helpers of tests may panic: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use hrm_users::app::{OpenedRegister, Session, save_user};
use hrm_users::domain::{ConnectionStatus, SettingKey, UserDraft};
use hrm_users::store::Store;
use hrm_users::ui::HrmApp;
use support::users_in;

/// A register with three users: one connected, one pending, one without address.
fn register() -> OpenedRegister {
    let mut session = Session::new(Store::open_in_memory().unwrap());
    let draft = |id: &str, first: &str, last: &str, department: &str, email: &str| UserDraft {
        user_id: id.into(),
        first_name: first.into(),
        last_name: last.into(),
        department: department.into(),
        office: "Lund".into(),
        visma_email: email.into(),
        visma_email_confirm: email.into(),
        ..UserDraft::new_user()
    };
    save_user(
        &mut session,
        None,
        &draft("14", "Anna", "Svensson", "HR", "anna.svensson@company.se"),
    )
    .unwrap();
    save_user(
        &mut session,
        None,
        &draft("15", "Erik", "Lind", "Sales", "erik.lind@company.se"),
    )
    .unwrap();
    save_user(
        &mut session,
        None,
        &draft("16", "Maja", "Berg", "Sales", ""),
    )
    .unwrap();
    connect(&mut session, "14");
    let change_stamp = session.last_change_ms().unwrap();
    let users = session.load_users().unwrap();
    OpenedRegister {
        session,
        users,
        is_demo: false,
        change_stamp,
        damaged_users: 0,
        settings: None,
        operator: None,
    }
}

/// Marks a user connected, as the verification link will.
fn connect(session: &mut Session, user_id: &str) {
    use hrm_users::domain::{ConnectedBy, Connection, UserId};
    let record = session
        .user_by_user_id(&UserId::parse(user_id).unwrap())
        .unwrap()
        .unwrap();
    let email = record.connection.email().unwrap().clone();
    session
        .store_for_tests()
        .write(|tx| {
            tx.set_connection(
                record.key,
                &Connection::Connected {
                    email,
                    since: jiff::Timestamp::now(),
                    by: ConnectedBy::Link,
                },
                0,
            )
        })
        .unwrap();
}

/// Saves these settings in the register before the window opens.
fn set_settings(opened: &mut OpenedRegister, values: &[(SettingKey, &str)]) {
    let mut settings = opened.session.load_settings().unwrap();
    for (key, value) in values {
        settings.set(*key, value).unwrap();
    }
    hrm_users::app::save_settings(&mut opened.session, &settings).unwrap();
}

fn harness(opened: OpenedRegister) -> Harness<'static, HrmApp> {
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut HrmApp| app.ui(ui), HrmApp::ready(opened));
    harness.run();
    harness
}

/// The window with the outbox worker and endpoint beside it, as the
/// program runs it.
fn harness_with_services(opened: OpenedRegister) -> Harness<'static, HrmApp> {
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(
            |ui, app: &mut HrmApp| app.ui(ui),
            HrmApp::ready_with_services(opened, hrm_users::web::start_listening),
        );
    harness.run();
    harness
}

/// Clicks a text input and types into it.
fn type_into(harness: &mut Harness<'_, HrmApp>, label: &str, nth: usize, text: &str) {
    harness
        .get_all_by_role_and_label(Role::TextInput, label)
        .nth(nth)
        .unwrap_or_else(|| panic!("no text input {label} #{nth}"))
        .click();
    harness.run();
    harness
        .get_all_by_role_and_label(Role::TextInput, label)
        .nth(nth)
        .unwrap()
        .type_text(text);
    harness.run();
}

fn click(harness: &mut Harness<'_, HrmApp>, label: &str) {
    harness.get_by_label(label).click();
    harness.run();
}

fn click_button(harness: &mut Harness<'_, HrmApp>, label: &str) {
    harness.get_by_role_and_label(Role::Button, label).click();
    harness.run();
}

/// Opens one of the form's tabs (General, Authorisations, Audit of account
/// code), as a screen reader reaches them: by role Tab.
fn click_tab(harness: &mut Harness<'_, HrmApp>, label: &str) {
    harness.get_by_role_and_label(Role::Tab, label).click();
    harness.run();
}

#[test]
fn a_new_user_is_typed_saved_and_found_in_the_list() {
    let mut harness = harness(register());
    click(&mut harness, "+ New");
    type_into(&mut harness, "User-ID *", 0, "100");
    type_into(&mut harness, "First name", 0, "Nils");
    type_into(&mut harness, "Last name", 0, "Holm");
    // The second "Email" is the one in Connection to Visma Connect.
    type_into(&mut harness, "Email", 1, "nils.holm@company.se");
    type_into(&mut harness, "Confirm email", 0, "nils.holm@company.se");
    click(&mut harness, "Save");

    assert!(
        harness
            .query_by_label("Saved user 100 Nils Holm.")
            .is_some()
    );
    assert!(harness.query_by_label("4 of 4 users").is_some());
    assert!(
        harness.query_by_label("Nils Holm").is_some(),
        "the new user is in the list"
    );
    let view = harness.state().users_view().unwrap();
    let saved = view
        .listing()
        .visible_records()
        .find(|r| r.user.user_id.as_str() == "100")
        .unwrap();
    assert_eq!(saved.connection.status(), ConnectionStatus::Pending);
    assert_eq!(users_in(&harness), 4);
}

#[test]
fn a_mismatched_confirmation_shows_an_error_and_saves_nothing() {
    let mut harness = harness(register());
    click(&mut harness, "+ New");
    type_into(&mut harness, "User-ID *", 0, "101");
    type_into(&mut harness, "Email", 1, "nils.holm@company.se");
    type_into(&mut harness, "Confirm email", 0, "nils.hollm@company.se");
    click(&mut harness, "Save");

    assert!(
        harness
            .query_by_label("The confirmation does not match the email address.")
            .is_some()
    );
    assert_eq!(users_in(&harness), 3);
    assert!(harness.query_by_label("3 of 3 users").is_some());
}

#[test]
fn an_address_of_another_user_is_refused_at_the_field() {
    let mut harness = harness(register());
    click(&mut harness, "Maja Berg");
    type_into(&mut harness, "Email", 1, "Erik.Lind@company.se");
    type_into(&mut harness, "Confirm email", 0, "erik.lind@company.se");
    click(&mut harness, "Save");
    assert!(
        harness
            .query_by_label("This address already belongs to user 15.")
            .is_some()
    );
}

#[test]
fn search_narrows_the_list_and_the_count() {
    let mut harness = harness(register());
    assert!(harness.query_by_label("3 of 3 users").is_some());
    type_into(&mut harness, "Search", 0, "lind");
    assert!(harness.query_by_label("1 of 3 users (filtered)").is_some());
    assert!(harness.query_by_label("Erik Lind").is_some());
    assert!(harness.query_by_label("Anna Svensson").is_none());
}

#[test]
fn search_finds_departments_and_offices_as_the_list_shows_them() {
    let mut harness = harness(register());
    type_into(&mut harness, "Search", 0, "sales");
    assert!(harness.query_by_label("2 of 3 users (filtered)").is_some());
    assert!(harness.query_by_label("Anna Svensson").is_none());
    // Every user is in Lund.
    drop(harness);
    let mut harness = self::harness(register());
    type_into(&mut harness, "Search", 0, "LUND");
    assert!(harness.query_by_label("3 of 3 users (filtered)").is_some());
}

#[test]
fn the_department_filter_narrows_the_list() {
    let mut harness = harness(register());
    click(&mut harness, "Filter");
    harness
        .get_by_role_and_label(Role::ComboBox, "Department")
        .click();
    harness.run();
    click_button(&mut harness, "Sales");
    assert!(harness.query_by_label("2 of 3 users (filtered)").is_some());
    assert!(harness.query_by_label("Anna Svensson").is_none());
}

#[test]
fn each_filter_label_stands_just_before_its_own_drop_down() {
    let mut harness = harness(register());
    click(&mut harness, "Filter");
    for name in ["Department", "Office", "Visma Connect", "Activated"] {
        let combo = harness.get_by_role_and_label(Role::ComboBox, name).rect();
        let label = harness
            .get_all_by_role_and_label(Role::Label, name)
            .map(|node| node.rect())
            .find(|label| label.min.y < combo.max.y && combo.min.y < label.max.y)
            .unwrap_or_else(|| panic!("a label {name} on the drop-down's row"));
        assert!(
            label.max.x <= combo.min.x && combo.min.x - label.max.x < 24.0,
            "{name}: the label ({label:?}) is right before its drop-down ({combo:?})"
        );
    }
}

#[test]
fn a_connected_user_shows_the_check_mark_and_no_address_fields() {
    let mut harness = harness(register());
    click(&mut harness, "Anna Svensson");
    assert!(
        harness.query_by_label("Verified").is_some(),
        "the green check mark"
    );
    assert!(harness.query_by_label("anna.svensson@company.se").is_some());
    assert!(harness.query_by_label("Confirm email").is_none());
    assert!(
        harness
            .query_by_label_contains("User is not connected to Visma Connect")
            .is_none()
    );
}

#[test]
fn a_user_without_connection_shows_the_warning() {
    let mut harness = harness(register());
    click(&mut harness, "Maja Berg");
    assert!(
        harness
            .query_by_label(&hrm_users::ui::not_connected_warning())
            .is_some()
    );
    assert!(harness.query_by_label("Confirm email").is_some());
}

#[test]
fn unsaved_changes_are_asked_about_before_leaving() {
    let mut harness = harness(register());
    click(&mut harness, "Maja Berg");
    type_into(&mut harness, "Last name", 0, "-Lund");
    click(&mut harness, "Erik Lind");
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Unsaved changes")
            .is_some()
    );
    // Still on Maja's form.
    assert_eq!(
        harness
            .get_all_by_role_and_label(Role::TextInput, "Last name")
            .next()
            .unwrap()
            .value()
            .as_deref(),
        Some("Berg-Lund")
    );
    click(&mut harness, "Save changes");
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Unsaved changes")
            .is_none()
    );
    assert!(
        harness.query_by_label("15 Erik Lind").is_some(),
        "Erik's form is open"
    );
    assert!(
        harness.query_by_label("Maja Berg-Lund").is_some(),
        "the change was saved"
    );
}

/// Enter answers a question with its default button: Save changes.
#[test]
fn enter_answers_the_unsaved_changes_question_with_save() {
    let mut harness = harness(register());
    click(&mut harness, "Maja Berg");
    type_into(&mut harness, "Last name", 0, "-Lund");
    click(&mut harness, "Erik Lind");
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Unsaved changes")
            .is_some()
    );
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Unsaved changes")
            .is_none()
    );
    assert!(harness.query_by_label("Maja Berg-Lund").is_some(), "saved");
}

/// Enter in a question that would delete presses Cancel: nothing is deleted.
#[test]
fn enter_in_the_delete_question_deletes_nothing() {
    let mut harness = harness(register());
    click(&mut harness, "Maja Berg");
    click_button(&mut harness, "Delete");
    let question = "The connection to Visma Connect is removed too";
    assert!(harness.query_by_label_contains(question).is_some());
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert!(
        harness.query_by_label_contains(question).is_none(),
        "answered"
    );
    assert!(harness.query_by_label("Maja Berg").is_some(), "still there");
}

/// A user with no name is titled by the User-ID once ("9100", not
/// "9100 9100").
#[test]
fn a_user_without_a_name_is_titled_by_the_user_id_once() {
    let mut harness = harness(register());
    click(&mut harness, "+ New");
    type_into(&mut harness, "User-ID *", 0, "9100");
    click_button(&mut harness, "Save");
    assert!(harness.query_by_label("9100 9100").is_none());
    // In the list and as the form's title.
    assert!(harness.query_all_by_label("9100").count() >= 2);
}

#[test]
fn discarding_unsaved_changes_keeps_the_stored_user() {
    let mut harness = harness(register());
    click(&mut harness, "Maja Berg");
    type_into(&mut harness, "Last name", 0, "-Lund");
    click(&mut harness, "+ New");
    click(&mut harness, "Discard changes");
    assert!(harness.query_by_label("New user").is_some());
    assert!(harness.query_by_label("Maja Berg").is_some());
    assert!(harness.query_by_label("Maja Berg-Lund").is_none());
}

#[test]
fn delete_asks_naming_the_user_then_deletes() {
    let mut harness = harness(register());
    click(&mut harness, "Erik Lind");
    click(&mut harness, "Delete");
    assert!(
        harness
            .query_by_label_contains("Delete user 15 Erik Lind?")
            .is_some()
    );
    click(&mut harness, "Cancel");
    assert_eq!(users_in(&harness), 3);
    click(&mut harness, "Delete");
    click_button(&mut harness, "Delete user");
    assert_eq!(users_in(&harness), 2);
    assert!(harness.query_by_label("Erik Lind").is_none());
    assert!(harness.query_by_label("2 of 2 users").is_some());
}

#[test]
fn arrow_keys_move_through_the_list() {
    let mut harness = harness(register());
    harness.key_press(egui::Key::ArrowDown);
    harness.run();
    assert!(harness.query_by_label("14 Anna Svensson").is_some());
    harness.key_press(egui::Key::ArrowDown);
    harness.run();
    assert!(harness.query_by_label("15 Erik Lind").is_some());
    harness.key_press(egui::Key::ArrowUp);
    harness.run();
    assert!(harness.query_by_label("14 Anna Svensson").is_some());
}

#[test]
fn clicking_a_header_sorts_by_it() {
    let mut harness = harness(register());
    click(&mut harness, "Name");
    let view = harness.state().users_view().unwrap();
    let names: Vec<&str> = view
        .listing()
        .visible_records()
        .map(|r| r.user.last_name.as_str())
        .collect();
    assert_eq!(names, ["Berg", "Lind", "Svensson"]);
    click(&mut harness, "Name");
    let view = harness.state().users_view().unwrap();
    let names: Vec<&str> = view
        .listing()
        .visible_records()
        .map(|r| r.user.last_name.as_str())
        .collect();
    assert_eq!(names, ["Svensson", "Lind", "Berg"]);
}

#[test]
fn ctrl_s_saves_the_form() {
    let mut harness = harness(register());
    click(&mut harness, "Maja Berg");
    type_into(&mut harness, "Office", 0, " Syd");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    harness.run();
    assert!(harness.query_by_label("Saved user 16 Maja Berg.").is_some());
    let view = harness.state().users_view().unwrap();
    let maja = view
        .listing()
        .visible_records()
        .find(|r| r.user.user_id.as_str() == "16")
        .unwrap();
    assert_eq!(maja.user.office, "Lund Syd");
}

#[test]
fn about_shows_the_version_and_where_the_register_and_logs_are() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("people.db");
    let session = Session::new(Store::open(&path).unwrap());
    let mut harness = harness(OpenedRegister {
        users: Vec::new(),
        session,
        is_demo: false,
        change_stamp: 0,
        damaged_users: 0,
        settings: None,
        operator: None,
    });
    click_button(&mut harness, "About");
    assert!(
        harness
            .query_by_label(&format!("Version {}", env!("CARGO_PKG_VERSION")))
            .is_some()
    );
    // The status bar shows it too.
    assert_eq!(
        harness
            .query_all_by_label(&path.display().to_string())
            .count(),
        2,
        "the register's path is shown"
    );
    let outbox = dir.path().join("outbox").display().to_string();
    assert!(
        harness.query_by_label(&outbox).is_some(),
        "the folder outbox beside the register is shown"
    );
    assert!(harness.query_by_label("Logs").is_some());
    assert!(
        harness
            .query_by_label("Licence: MIT OR Apache-2.0")
            .is_some()
    );
    click_button(&mut harness, "Close");
    assert!(
        harness.query_by_label("Logs").is_none(),
        "Close closes About"
    );
}

/// A register large enough to be read on two connections comes back whole:
/// every user once, as a single read would give them.
#[allow(clippy::needless_pass_by_value)]
fn a_large_register_opens_with_every_user_once(register: support::Register) {
    let mut session = Session::new(Store::open(&register.location).unwrap());
    let made = hrm_users::app::demo::create_demo_register(&mut session, 6_001).unwrap();
    drop(session);
    let opened = hrm_users::app::open_register(Some(&register.location)).unwrap();
    let mut keys: Vec<i64> = opened.users.iter().map(|u| u.key.0).collect();
    keys.sort_unstable();
    let mut expected: Vec<i64> = made.iter().map(|u| u.key.0).collect();
    expected.sort_unstable();
    assert_eq!(keys, expected);
    let single = opened.session.load_users().unwrap();
    let by_key: std::collections::HashMap<i64, &hrm_users::domain::UserRecord> =
        single.iter().map(|u| (u.key.0, u)).collect();
    assert!(opened.users.iter().all(|u| by_key[&u.key.0] == u));
}

support::on_both_backends!(a_large_register_opens_with_every_user_once);

fn press(harness: &mut Harness<'_, HrmApp>, key: egui::Key) {
    harness.key_press(key);
    harness.run();
}

#[test]
fn escape_closes_each_dialog_and_changes_nothing() {
    let mut harness = harness(register());
    click(&mut harness, "Erik Lind");
    click(&mut harness, "Delete");
    assert!(harness.query_by_label_contains("Delete user 15").is_some());
    press(&mut harness, egui::Key::Escape);
    assert!(harness.query_by_label_contains("Delete user 15").is_none());
    assert_eq!(users_in(&harness), 3);

    click(&mut harness, "Anna Svensson");
    click_button(&mut harness, "Delete connection");
    assert!(
        harness
            .query_by_label_contains("Delete the Visma Connect")
            .is_some()
    );
    press(&mut harness, egui::Key::Escape);
    assert!(
        harness
            .query_by_label_contains("Delete the Visma Connect")
            .is_none()
    );
    assert!(
        harness.query_by_label("Verified").is_some(),
        "Anna is still connected"
    );
    click(&mut harness, "Erik Lind");

    type_into(&mut harness, "First name", 0, "s");
    click(&mut harness, "Maja Berg");
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Unsaved changes")
            .is_some()
    );
    press(&mut harness, egui::Key::Escape);
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Unsaved changes")
            .is_none()
    );
    assert!(
        harness.query_by_label("15 Erik Lind").is_some(),
        "still on Erik's form"
    );
    click(&mut harness, "Maja Berg");
    click(&mut harness, "Discard changes");
    assert!(harness.query_by_label("16 Maja Berg").is_some());

    click_button(&mut harness, "Settings");
    assert!(harness.query_by_label("Save settings").is_some());
    press(&mut harness, egui::Key::Escape);
    assert!(harness.query_by_label("Save settings").is_none());
    // Verify accounts' dialog: tests/bulk_ui.rs (it counts on a register file).
}

#[test]
fn enter_in_confirm_email_presses_verify_account() {
    let mut harness = harness(register());
    click(&mut harness, "Maja Berg");
    type_into(&mut harness, "Email", 1, "maja.berg@company.se");
    type_into(&mut harness, "Confirm email", 0, "maja.berg@company.se");
    press(&mut harness, egui::Key::Enter);
    let view = harness.state().users_view().unwrap();
    let maja = view
        .listing()
        .visible_records()
        .find(|r| r.user.user_id.as_str() == "16")
        .unwrap();
    assert_eq!(maja.connection.status(), ConnectionStatus::Pending);
    assert!(
        harness
            .query_by_label("Verification email queued for maja.berg@company.se.")
            .is_some(),
        "the status bar names the queued message"
    );
}

#[test]
fn ctrl_n_puts_the_cursor_in_user_id() {
    let mut harness = harness(register());
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    harness.run();
    harness.run();
    let focused = harness
        .get_by_role_and_label(Role::TextInput, "User-ID *")
        .is_focused();
    assert!(focused, "User-ID has the keyboard");
}

#[test]
fn down_from_the_search_box_and_page_keys_move_through_the_list() {
    let mut harness = harness(register());
    type_into(&mut harness, "Search", 0, "a");
    press(&mut harness, egui::Key::ArrowDown);
    assert!(harness.query_by_label("14 Anna Svensson").is_some());
    press(&mut harness, egui::Key::End);
    assert!(harness.query_by_label("16 Maja Berg").is_some());
    press(&mut harness, egui::Key::Home);
    assert!(harness.query_by_label("14 Anna Svensson").is_some());
    press(&mut harness, egui::Key::PageDown);
    assert!(
        harness.query_by_label("16 Maja Berg").is_some(),
        "a page is more than the three users"
    );
    press(&mut harness, egui::Key::PageUp);
    assert!(harness.query_by_label("14 Anna Svensson").is_some());
}

#[test]
fn the_general_email_is_offered_for_visma_connect_and_nothing_is_saved_until_asked() {
    let mut harness = harness(register());
    click(&mut harness, "Maja Berg");
    assert!(harness.query_by_label("Use this address").is_none());
    type_into(&mut harness, "Email", 0, "maja.berg@company.se");
    click_button(&mut harness, "Use this address");
    let status = |harness: &Harness<'_, HrmApp>| {
        let store = harness.state().users_view().unwrap().session();
        let maja = store
            .user_by_user_id(&hrm_users::domain::UserId::parse("16").unwrap())
            .unwrap()
            .unwrap();
        maja.connection.status()
    };
    assert_eq!(
        status(&harness),
        ConnectionStatus::None,
        "nothing saved yet"
    );
    assert!(
        harness.query_by_label("Use this address").is_none(),
        "both fields are filled, so the offer is gone"
    );
    click(&mut harness, "Save");
    assert_eq!(status(&harness), ConnectionStatus::Pending);
    let view = harness.state().users_view().unwrap();
    let maja = view
        .listing()
        .visible_records()
        .find(|r| r.user.user_id.as_str() == "16")
        .unwrap();
    assert_eq!(
        maja.connection
            .email()
            .map(hrm_users::domain::Email::as_str),
        Some("maja.berg@company.se")
    );
}

#[test]
fn an_address_the_mail_server_cannot_take_is_warned_about_at_the_field() {
    let mut opened = register();
    set_settings(
        &mut opened,
        &[
            (SettingKey::Transport, "smtp"),
            (SettingKey::SmtpHost, "mail.company.se"),
            (SettingKey::SmtpPort, "587"),
            (SettingKey::Smtputf8Checked, "mail.company.se:587 no"),
        ],
    );
    let mut harness = harness(opened);
    click(&mut harness, "Maja Berg");
    type_into(&mut harness, "Email", 1, "klara.sjöberg@företaget.se");
    assert!(
        harness
            .query_by_label(&hrm_users::ui::smtputf8_warning())
            .is_some()
    );
    // The same name in plain letters is fine.
    harness
        .get_all_by_role_and_label(Role::TextInput, "Email")
        .nth(1)
        .unwrap()
        .click();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness
        .get_all_by_role_and_label(Role::TextInput, "Email")
        .nth(1)
        .unwrap()
        .type_text("klara.sjoberg@foretaget.se");
    harness.run();
    assert!(
        harness
            .query_by_label(&hrm_users::ui::smtputf8_warning())
            .is_none()
    );
}

#[test]
fn the_status_bar_speaks_only_of_the_user_shown() {
    let mut harness = harness(register());
    click(&mut harness, "Maja Berg");
    type_into(&mut harness, "Email", 1, "maja.berg@company.se");
    type_into(&mut harness, "Confirm email", 0, "maja.berg@company.se");
    click_button(&mut harness, "Verify account");
    let queued = "Verification email queued for maja.berg@company.se.";
    assert!(harness.query_by_label(queued).is_some());
    click(&mut harness, "Erik Lind");
    assert!(
        harness.query_by_label(queued).is_none(),
        "Maja's message went with Maja's form"
    );
}

#[test]
fn the_form_fields_line_up_and_use_the_room_the_panel_has() {
    let mut harness = harness(register());
    click(&mut harness, "Maja Berg");
    let input = |harness: &Harness<'_, HrmApp>, label: &str, nth: usize| {
        harness
            .get_all_by_role_and_label(Role::TextInput, label)
            .nth(nth)
            .unwrap()
            .rect()
    };
    let first_name = input(&harness, "First name", 0);
    let visma_email = input(&harness, "Email", 1);
    let confirm = input(&harness, "Confirm email", 0);
    assert!(
        (first_name.min.x - visma_email.min.x).abs() < 1.0,
        "General and Connection fields start at the same x: {first_name:?} {visma_email:?}"
    );
    assert!((visma_email.width() - confirm.width()).abs() < 1.0);
    // The fields reach the panel's right edge (the window is 1280 wide),
    // and nothing runs past it.
    assert!(
        first_name.max.x > 1280.0 - 40.0,
        "the field uses the room the panel has: {first_name:?}"
    );
    let verify = harness.get_by_label("Verify account").rect();
    assert!(
        confirm.max.x <= 1280.0 && verify.max.x <= 1280.0,
        "{confirm:?} {verify:?}"
    );
}

#[test]
fn closing_with_emails_still_waiting_asks_first() {
    let mut opened = register();
    // The endpoint on a free port; emails to a server that is not there,
    // so a queued one stays waiting.
    set_settings(
        &mut opened,
        &[
            (SettingKey::BindAddress, "127.0.0.1:0"),
            (SettingKey::Transport, "smtp"),
            (SettingKey::SmtpHost, "127.0.0.1"),
            (SettingKey::SmtpPort, "9"),
            (SettingKey::SmtpSecurity, "none"),
        ],
    );
    let mut harness = harness_with_services(opened);
    click(&mut harness, "Erik Lind");
    click_button(&mut harness, "Verify account");
    let close = |harness: &mut Harness<'_, HrmApp>| {
        support::request_close(harness);
        harness.run();
    };
    close(&mut harness);
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Emails still waiting")
            .is_some()
    );
    click_button(&mut harness, "Keep the window open");
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Emails still waiting")
            .is_none()
    );
    close(&mut harness);
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Emails still waiting")
            .is_some()
    );
    press(&mut harness, egui::Key::Escape);
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Emails still waiting")
            .is_none()
    );
}

#[test]
fn the_theme_is_chosen_in_settings_and_applies_at_once() {
    let mut harness = harness(register());
    click_button(&mut harness, "Settings");
    click(&mut harness, "Dark");
    assert_eq!(harness.ctx.theme(), egui::Theme::Dark);
    click(&mut harness, "Light");
    assert_eq!(harness.ctx.theme(), egui::Theme::Light);
    assert_eq!(
        harness.ctx.options(|o| o.theme_preference),
        egui::ThemePreference::Light
    );
}

/// Question 1 of the help articles with the keyboard alone: find the user,
/// enter the address twice, verify.
#[test]
fn question_one_with_the_keyboard_alone() {
    let mut harness = harness(register());
    let type_text = |harness: &mut Harness<'_, HrmApp>, text: &str| {
        harness
            .input_mut()
            .events
            .push(egui::Event::Text(text.to_owned()));
        harness.run();
    };
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    harness.run();
    type_text(&mut harness, "Maja");
    assert!(harness.query_by_label("1 of 3 users (filtered)").is_some());
    press(&mut harness, egui::Key::ArrowDown);
    assert!(
        harness.query_by_label("16 Maja Berg").is_some(),
        "the form opened"
    );
    // Enter goes into the form, at the Visma Connect Email.
    press(&mut harness, egui::Key::Enter);
    type_text(&mut harness, "maja.berg@company.se");
    press(&mut harness, egui::Key::Tab);
    type_text(&mut harness, "maja.berg@company.se");
    // Enter in Confirm email presses Verify account.
    press(&mut harness, egui::Key::Enter);
    harness.run();
    assert!(
        harness
            .query_by_label("Verification email queued for maja.berg@company.se.")
            .is_some()
    );
}

/// Ctrl+F and the letters typed right after it, in one frame's input (a
/// fast typist, a paste): the search box has them all; and the arrow key
/// pressed with the next letters moves the selection in that same frame.
#[test]
fn what_is_typed_with_ctrl_f_lands_in_the_search_box() {
    use egui_kittest::kittest::NodeT as _;
    let mut harness = harness(register());
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    harness.event(egui::Event::Text("Maja".to_owned()));
    harness.step();
    let typed = harness
        .get_all_by_role_and_label(Role::TextInput, "Search")
        .next()
        .unwrap()
        .accesskit_node()
        .value()
        .unwrap_or_default();
    assert_eq!(typed, "Maja", "the letters typed with Ctrl+F");
    harness.run();
    assert!(harness.query_by_label("1 of 3 users (filtered)").is_some());
    press(&mut harness, egui::Key::ArrowDown);
    assert!(harness.query_by_label("16 Maja Berg").is_some());
}

/// At 800×600 with a form open, the list keeps the Visma Connect column in
/// view, the form fits its half, and the toolbar's buttons do not overlap.
#[test]
fn at_800_by_600_the_list_and_the_form_share_the_width() {
    let mut harness = Harness::builder()
        .with_size([800.0, 600.0])
        .build_ui_state(|ui, app: &mut HrmApp| app.ui(ui), HrmApp::ready(register()));
    harness.run();
    click(&mut harness, "Maja Berg");
    let header = harness
        .get_all_by_label("Visma Connect")
        .map(|n| n.rect())
        .min_by(|a, b| a.min.y.total_cmp(&b.min.y))
        .unwrap();
    let user_id = harness
        .get_by_role_and_label(Role::TextInput, "User-ID *")
        .rect();
    assert!(header.max.x <= user_id.min.x, "{header:?} {user_id:?}");
    let verify = harness.get_by_label("Verify account").rect();
    assert!(verify.max.x <= 800.0, "{verify:?}");
    let buttons: Vec<egui::Rect> = [
        "+ New",
        "Verify accounts",
        "Import",
        "Export",
        "Filter",
        "Settings",
        "About",
    ]
    .into_iter()
    .map(|label| harness.get_by_role_and_label(Role::Button, label).rect())
    .collect();
    for (i, a) in buttons.iter().enumerate() {
        for b in &buttons[i + 1..] {
            assert!(!a.intersects(*b), "toolbar buttons overlap: {a:?} {b:?}");
        }
        assert!(a.max.x <= 800.0, "{a:?}");
    }
}

/// Closing hides the window at once (stopping the endpoint and worker then
/// happens out of sight, not in a window gone black); a close that asks
/// first keeps it shown.
#[test]
fn closing_hides_the_window_at_once() {
    let mut harness = harness(register());
    let commands_after_close = |harness: &mut Harness<'_, HrmApp>| {
        support::request_close(harness);
        harness.step();
        harness.output().viewport_output[&egui::ViewportId::ROOT]
            .commands
            .clone()
    };
    // Unsaved changes: the close is cancelled and the window stays.
    click(&mut harness, "Erik Lind");
    type_into(&mut harness, "First name", 0, "x");
    let commands = commands_after_close(&mut harness);
    assert!(commands.contains(&egui::ViewportCommand::CancelClose));
    assert!(!commands.contains(&egui::ViewportCommand::Visible(false)));
    harness.run();
    click_button(&mut harness, "Discard changes");
    let commands = commands_after_close(&mut harness);
    assert!(
        commands.contains(&egui::ViewportCommand::Visible(false)),
        "{commands:?}"
    );
    assert!(!commands.contains(&egui::ViewportCommand::CancelClose));
}

/// Tab goes through the form in reading order: down the General fields,
/// then the Connection fields and Verify account.
#[test]
fn tab_follows_the_reading_order_of_the_form() {
    use egui_kittest::kittest::NodeT as _;
    let mut harness = harness(register());
    click(&mut harness, "Maja Berg");
    harness
        .get_by_role_and_label(Role::TextInput, "User-ID *")
        .focus();
    harness.run();
    let mut order = Vec::new();
    for _ in 0..13 {
        press(&mut harness, egui::Key::Tab);
        let focused = harness
            .query_by(
                #[allow(clippy::redundant_closure_for_method_calls)]
                // the method is not general over lifetimes
                |n| n.is_focused(),
            )
            .and_then(|n| n.accesskit_node().label())
            .unwrap_or_default();
        order.push(focused);
    }
    assert_eq!(
        order,
        [
            "Alias user-ID",
            "Signature",
            "Card-/Tag-ID",
            "External reference",
            "Email",
            "First name",
            "Last name",
            "Department",
            "Office",
            "Employment ends",
            "Email",
            "Confirm email",
            "Verify account",
        ]
    );
}

/// Typing into the Visma Connect Email of a user whose General Email is
/// offered: the offer goes away at the first letter, and the cursor stays
/// in the field for the rest (it used to jump out mid-word).
#[test]
fn typing_where_the_email_is_offered_keeps_the_cursor_in_the_field() {
    use egui_kittest::kittest::NodeT as _;
    let mut session = Session::new(Store::open_in_memory().unwrap());
    let draft = UserDraft {
        user_id: "20".into(),
        first_name: "Klara".into(),
        last_name: "Ek".into(),
        email: "klara.ek@company.se".into(),
        ..UserDraft::new_user()
    };
    save_user(&mut session, None, &draft).unwrap();
    let change_stamp = session.last_change_ms().unwrap();
    let users = session.load_users().unwrap();
    let mut harness = harness(OpenedRegister {
        session,
        users,
        is_demo: false,
        change_stamp,
        damaged_users: 0,
        settings: None,
        operator: None,
    });
    click(&mut harness, "Klara Ek");
    assert!(harness.query_by_label("Use this address").is_some());
    press(&mut harness, egui::Key::Enter);
    for letter in "k.ek@company.se".chars() {
        harness
            .input_mut()
            .events
            .push(egui::Event::Text(letter.to_string()));
        harness.run();
    }
    assert!(harness.query_by_label("Use this address").is_none());
    let typed = harness
        .get_all_by_role_and_label(Role::TextInput, "Email")
        .nth(1)
        .unwrap()
        .accesskit_node()
        .value()
        .unwrap_or_default();
    assert_eq!(typed, "k.ek@company.se");
}

/// The roles of user `user_id` as stored.
fn stored_roles(harness: &Harness<'_, HrmApp>, user_id: &str) -> Vec<(String, Option<String>)> {
    let session = harness.state().users_view().unwrap().session();
    let record = session
        .user_by_user_id(&hrm_users::domain::UserId::parse(user_id).unwrap())
        .unwrap()
        .unwrap();
    session
        .roles_of(record.key)
        .unwrap()
        .into_iter()
        .map(|a| (a.role, a.valid_to.map(|d| d.to_string())))
        .collect()
}

/// Authorisations: a role is added with a last day and saved with Save,
/// as the General fields are; History says so.
#[test]
fn the_authorisations_tab_adds_a_role_and_save_stores_it() {
    let mut harness = harness(register());
    click(&mut harness, "Erik Lind");
    click_tab(&mut harness, "Authorisations");
    assert!(harness.query_by_label("No roles.").is_some());
    harness
        .get_by_role_and_label(Role::ComboBox, "Add role")
        .click();
    harness.run();
    click(&mut harness, "HR administrator");
    type_into(&mut harness, "Valid to", 0, "2027-12-31");
    let save = harness.get_by_role_and_label(Role::Button, "Save");
    assert!(
        !egui_kittest::kittest::NodeT::accesskit_node(&save).is_disabled(),
        "an added role is an unsaved change"
    );
    click_button(&mut harness, "Save");
    assert_eq!(
        stored_roles(&harness, "15"),
        [("hr_administrator".to_owned(), Some("2027-12-31".to_owned()))]
    );
    click_tab(&mut harness, "General");
    harness.get_by_label("History").click();
    harness.run();
    assert!(
        harness
            .query_by_label_contains("Roles changed; now: HR administrator")
            .is_some()
    );
}

/// The last System administrator stays: the form's Save is one whole, so
/// a refused role saves nothing, not even the General fields changed with
/// it; the window says why at the Authorisations tab, and everything stays
/// as edited to be corrected.
#[test]
fn the_last_system_administrator_cannot_be_removed_in_the_window() {
    let mut opened = register();
    let anna = opened
        .session
        .user_by_user_id(&hrm_users::domain::UserId::parse("14").unwrap())
        .unwrap()
        .unwrap();
    // Anna is the one at the window (her Alias user-ID is the login name).
    save_user(
        &mut opened.session,
        Some(anna.key),
        &UserDraft {
            alias_user_id: "anna".into(),
            ..UserDraft::from_record(&anna)
        },
    )
    .unwrap();
    support::make_system_administrator(&mut opened.session, anna.key);
    opened.session.login = "anna".into();
    opened.users = opened.session.load_users().unwrap();
    let mut harness = harness(opened);
    click(&mut harness, "Anna Svensson");
    type_into(&mut harness, "Last name", 0, "-Berg");
    click_tab(&mut harness, "Authorisations");
    assert!(harness.query_by_label("System administrator").is_some());
    click_button(&mut harness, "Remove");
    click_button(&mut harness, "Save");
    // First the question: she would lose her own rights.
    assert!(
        harness
            .query_by_label_contains("After this Save you will no longer have: Roles, Settings")
            .is_some()
    );
    click_button(&mut harness, "Save anyway");
    assert!(
        harness
            .query_by_label_contains(
                "Nothing was saved: The register must keep a System administrator"
            )
            .is_some()
    );
    assert_eq!(
        stored_roles(&harness, "14"),
        [("system_administrator".to_owned(), None)]
    );
    let session = harness.state().users_view().unwrap().session();
    let stored = session
        .user_by_user_id(&hrm_users::domain::UserId::parse("14").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(stored.user.last_name, anna.user.last_name);
    // The form still holds the edit, to be corrected and saved again.
    assert!(harness.query_by_label("System administrator").is_none());
}

/// A Save that takes the operator's own Roles and Settings asks first and
/// says what they will lose; Cancel saves nothing, Save anyway saves.
#[test]
fn taking_ones_own_rights_asks_first() {
    let mut opened = register();
    let user = |session: &Session, id: &str| {
        session
            .user_by_user_id(&hrm_users::domain::UserId::parse(id).unwrap())
            .unwrap()
            .unwrap()
    };
    let (anna, erik) = (user(&opened.session, "14"), user(&opened.session, "15"));
    save_user(
        &mut opened.session,
        Some(anna.key),
        &UserDraft {
            alias_user_id: "anna".into(),
            ..UserDraft::from_record(&anna)
        },
    )
    .unwrap();
    support::make_system_administrator(&mut opened.session, anna.key);
    support::make_system_administrator(&mut opened.session, erik.key);
    opened.session.login = "anna".into();
    opened.users = opened.session.load_users().unwrap();
    let mut harness = harness(opened);
    click(&mut harness, "Anna Svensson");
    click_tab(&mut harness, "Authorisations");
    click_button(&mut harness, "Remove");
    click_button(&mut harness, "Save");
    let question = "After this Save you will no longer have: Roles, Settings";
    assert!(harness.query_by_label_contains(question).is_some());
    click_button(&mut harness, "Cancel");
    assert!(harness.query_by_label_contains(question).is_none());
    assert_eq!(
        stored_roles(&harness, "14"),
        [("system_administrator".to_owned(), None)],
        "Cancel saved nothing"
    );
    click_button(&mut harness, "Save");
    click_button(&mut harness, "Save anyway");
    assert!(stored_roles(&harness, "14").is_empty(), "saved");
}

/// Go to roles from a user's form: the Roles view with that user's roles
/// marked and listed as members; Escape closes it.
#[test]
fn go_to_roles_shows_the_roles_with_the_users_marked() {
    let mut harness = harness(register());
    click(&mut harness, "Erik Lind");
    click_tab(&mut harness, "Authorisations");
    harness
        .get_by_role_and_label(Role::ComboBox, "Add role")
        .click();
    harness.run();
    click(&mut harness, "Read only");
    click_button(&mut harness, "Save");
    click_button(&mut harness, "Go to roles");
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Users/Authorities › Roles")
            .is_some()
    );
    assert!(
        harness
            .query_by_label("Underlined: the roles of 15 Erik Lind.")
            .is_some()
    );
    assert!(harness.query_by_label("Read only (1)").is_some());
    assert!(harness.query_by_label("System administrator (0)").is_some());
    assert_eq!(
        harness.query_all_by_label("15 Erik Lind").count(),
        2,
        "the form's heading and the role's member"
    );
    click(&mut harness, "System administrator (0)");
    assert!(harness.query_by_label("0 members").is_some());
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Users/Authorities › Roles")
            .is_none()
    );
}

/// A role is made on the role form, given on a user's Authorisations tab,
/// then refused deletion while held; a built-in role is copied; Escape
/// keeps a role form with unsaved changes open.
#[test]
fn a_role_is_made_given_copied_and_not_deleted_while_held() {
    let mut harness = harness(register());
    click_button(&mut harness, "Go to roles");
    click_button(&mut harness, "New role");
    type_into(&mut harness, "Name", 0, "HR Lund");
    // Unsaved: Escape does not close the window.
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Users/Authorities › Roles")
            .is_some()
    );
    harness
        .get_by_role_and_label(Role::CheckBox, "Users view: edit")
        .click();
    harness.run();
    type_into(&mut harness, "Offices", 1, "Lund, Malmö");
    click_button(&mut harness, "Save role");
    assert!(
        harness
            .query_by_label("The role HR Lund is saved.")
            .is_some()
    );
    assert!(harness.query_by_label("HR Lund (0)").is_some());
    // Saved, Escape closes; the new role is offered on the user's form.
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Users/Authorities › Roles")
            .is_none()
    );
    click(&mut harness, "Erik Lind");
    click_tab(&mut harness, "Authorisations");
    harness
        .get_by_role_and_label(Role::ComboBox, "Add role")
        .click();
    harness.run();
    click(&mut harness, "HR Lund");
    click_button(&mut harness, "Save");
    click_button(&mut harness, "Go to roles");
    assert!(harness.query_by_label("HR Lund (1)").is_some());
    // The form shows the limits as saved.
    let offices: Vec<String> = harness
        .get_all_by_role_and_label(Role::TextInput, "Offices")
        .map(|node| node.value().unwrap_or_default())
        .collect();
    assert!(offices.contains(&"Lund, Malmö".to_owned()), "{offices:?}");
    click_button(&mut harness, "Delete role");
    click_button(&mut harness, "Yes, delete it");
    assert!(
        harness
            .query_by_label("One user holds the role: take it away from them first.")
            .is_some()
    );
    assert!(harness.query_by_label("HR Lund (1)").is_some());
    // A built-in role is copied under a new name.
    click(&mut harness, "Read only (0)");
    click_button(&mut harness, "Copy");
    click_button(&mut harness, "Save role");
    assert!(harness.query_by_label("Copy of Read only (0)").is_some());
}

/// Once someone is System administrator, a read-only operator (Erik, whose
/// Alias user-ID is the login name) finds every changing button off, with
/// the missing permission in words; without an administrator the window
/// says everyone may do everything.
#[test]
fn a_read_only_operator_finds_the_changing_buttons_off_with_the_reason() {
    use egui_kittest::kittest::NodeT as _;
    let open_as = |login: &str, roles: &[(&str, &str)]| {
        let mut opened = register();
        let key = |session: &Session, id: &str| {
            session
                .user_by_user_id(&hrm_users::domain::UserId::parse(id).unwrap())
                .unwrap()
                .unwrap()
        };
        let erik = key(&opened.session, "15");
        save_user(
            &mut opened.session,
            Some(erik.key),
            &UserDraft {
                alias_user_id: "erik".into(),
                ..UserDraft::from_record(&erik)
            },
        )
        .unwrap();
        for (id, role) in roles {
            let user = key(&opened.session, id);
            support::arrange_role(&mut opened.session, user.key, role);
        }
        opened.session.login = login.into();
        opened.users = opened.session.load_users().unwrap();
        harness(opened)
    };
    let banner = "No one is System administrator yet, so everyone may do everything.";
    let disabled = |harness: &Harness<'_, HrmApp>, label: &str| {
        harness
            .get_by_role_and_label(Role::Button, label)
            .accesskit_node()
            .is_disabled()
    };

    let everyone = open_as("erik", &[("15", "read_only")]);
    assert!(everyone.query_by_label_contains(banner).is_some());
    assert!(!disabled(&everyone, "+ New"));

    let mut reader = open_as(
        "erik",
        &[("14", "system_administrator"), ("15", "read_only")],
    );
    assert!(reader.query_by_label_contains(banner).is_none());
    for label in ["+ New", "Verify accounts", "Import", "Export", "Settings"] {
        assert!(disabled(&reader, label), "{label} is off for a reader");
    }
    click(&mut reader, "Maja Berg");
    assert!(
        reader
            .query_by_label_contains(
                "You (erik, user 15) do not have the permission Users view: edit."
            )
            .is_some()
    );
    assert!(
        reader
            .get_by_role_and_label(Role::TextInput, "User-ID *")
            .accesskit_node()
            .is_disabled(),
        "the fields cannot be changed"
    );
    // Ctrl+N does nothing either.
    reader.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    reader.run();
    assert!(reader.query_by_label("New user").is_none());

    // The administrator (Anna logs in as "anna", her Alias user-ID is
    // empty): not a user the register knows, so nothing is permitted.
    let stranger = open_as("anna", &[("14", "system_administrator")]);
    assert!(disabled(&stranger, "+ New"));
}

/// Audit of account code: a row typed and saved with Save; a reversed
/// range is refused with the row's number and nothing stored.
#[test]
fn audit_of_account_code_rows_are_checked_and_saved_with_the_form() {
    use egui_kittest::kittest::NodeT as _;
    let mut harness = harness(register());
    click(&mut harness, "Erik Lind");
    click_tab(&mut harness, "Audit of account code");
    assert!(harness.query_by_label("Nothing to audit.").is_some());
    click_button(&mut harness, "Add row");
    assert!(
        harness
            .query_by_role_and_label(Role::ComboBox, "Account dimension")
            .is_some()
    );
    type_into(&mut harness, "Code (from)", 0, "300");
    type_into(&mut harness, "To code", 0, "90");
    type_into(&mut harness, "Amount limit", 0, "10 000");
    click_button(&mut harness, "Save");
    assert!(
        harness
            .query_by_label("Row 1: The range 300–90 ends before it starts.")
            .is_some()
    );
    let stored = |harness: &Harness<'_, HrmApp>| {
        let session = harness.state().users_view().unwrap().session();
        let erik = session
            .user_by_user_id(&hrm_users::domain::UserId::parse("15").unwrap())
            .unwrap()
            .unwrap();
        session.audit_rights_of(erik.key).unwrap()
    };
    assert!(stored(&harness).is_empty());

    harness
        .get_by_role_and_label(Role::TextInput, "To code")
        .click();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness
        .get_by_role_and_label(Role::TextInput, "To code")
        .type_text("900");
    harness.run();
    click_button(&mut harness, "Save");
    let rights = stored(&harness);
    assert_eq!(rights.len(), 1);
    assert_eq!(
        (
            rights[0].dimension.as_str(),
            rights[0].from_code.as_str(),
            rights[0].to_code.as_deref(),
            rights[0].amount_limit
        ),
        ("cost_centre", "300", Some("900"), Some(10_000))
    );
    // Read again from the register, the limit is as it was typed.
    click(&mut harness, "Anna Svensson");
    click(&mut harness, "Erik Lind");
    click_tab(&mut harness, "Audit of account code");
    let limit = harness.get_by_role_and_label(Role::TextInput, "Amount limit");
    assert_eq!(limit.accesskit_node().value().as_deref(), Some("10 000"));
}

/// A role limited to a department: the operator (Erik, HR administrator for
/// HR only) may change Anna in HR, not Maja in Sales, and cannot move Anna
/// to Sales either.
#[test]
fn a_role_limited_to_a_department_covers_only_its_users() {
    use egui_kittest::kittest::NodeT as _;
    use hrm_users::domain::roles::{Assignment, Scope};
    let mut opened = register();
    let user = |session: &Session, id: &str| {
        session
            .user_by_user_id(&hrm_users::domain::UserId::parse(id).unwrap())
            .unwrap()
            .unwrap()
    };
    let (anna, erik) = (user(&opened.session, "14"), user(&opened.session, "15"));
    save_user(
        &mut opened.session,
        Some(erik.key),
        &UserDraft {
            alias_user_id: "erik".into(),
            ..UserDraft::from_record(&erik)
        },
    )
    .unwrap();
    support::make_system_administrator(&mut opened.session, anna.key);
    support::arrange_roles(
        &mut opened.session,
        erik.key,
        &[Assignment {
            scope: Scope {
                departments: vec!["HR".into()],
                offices: Vec::new(),
            },
            ..Assignment::new("hr_administrator")
        }],
    );
    opened.session.login = "erik".into();
    opened.users = opened.session.load_users().unwrap();
    let mut harness = harness(opened);
    let field_off = |harness: &Harness<'_, HrmApp>| {
        harness
            .get_by_role_and_label(Role::TextInput, "User-ID *")
            .accesskit_node()
            .is_disabled()
    };
    click(&mut harness, "Maja Berg");
    assert!(field_off(&harness), "Sales is outside Erik's role");
    assert!(
        harness
            .query_by_label_contains("only for other departments or offices, not for Sales / Lund")
            .is_some()
    );
    click(&mut harness, "Anna Svensson");
    assert!(!field_off(&harness), "HR is inside");
    // Moving Anna to Sales is outside the role: nothing is saved.
    support::retype(&mut harness, "Department", "Sales");
    click_button(&mut harness, "Save");
    let session = harness.state().users_view().unwrap().session();
    let stored = session.user(anna.key).unwrap().unwrap();
    assert_eq!(stored.user.department, "HR");
}

/// A user row that cannot be read (damaged, or edited by hand) is left out
/// of the list and the window says so in words, with where to look; the
/// rest of the register works as usual.
#[test]
fn a_user_row_that_cannot_be_read_is_named_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    {
        let mut session = Session::new(Store::open(&path).unwrap());
        support::pending_user(&mut session, "14", "Sara", "sara@example.org");
        support::pending_user(&mut session, "15", "Olle", "olle@example.org");
    }
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute(
        "UPDATE connections SET email = 'broken' WHERE user_key = (SELECT key FROM users WHERE user_id = '15')",
        [],
    )
    .unwrap();
    drop(raw);
    let opened =
        hrm_users::app::open_register(Some(&hrm_users::app::Location::from(&path))).unwrap();
    assert_eq!(opened.damaged_users, 1);
    let harness = harness(opened);
    assert!(
        harness
            .query_by_label_contains("One user in the register cannot be read")
            .is_some()
    );
    let listed = harness.state().users_view().unwrap().listing().total();
    assert_eq!(listed, 1, "Sara is listed");
    assert!(harness.query_all_by_label_contains("Sara").next().is_some());
}

/// The list's sort is remembered with the window: chosen once, the next
/// window (egui's memory, which eframe keeps between runs) opens sorted so.
#[test]
fn the_lists_sort_is_remembered_with_the_window() {
    let mut first = harness(register());
    first
        .get_all_by_role_and_label(Role::Button, "Name")
        .next()
        .unwrap()
        .click();
    first.run();
    let memory_id = egui::Id::unique("hrm-users-list-sort");
    let remembered = first
        .ctx
        .data_mut(|d| d.get_persisted::<(usize, bool)>(memory_id))
        .expect("the sort is remembered");
    let mut second = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut HrmApp| app.ui(ui), HrmApp::ready(register()));
    second
        .ctx
        .data_mut(|d| d.insert_persisted(memory_id, remembered));
    second.run();
    let sort = second.state().users_view().unwrap().listing().sort();
    assert_eq!(sort.column, hrm_users::domain::Column::Name);
}

/// A part beside the window that cannot run is said in the status line for
/// as long as it cannot, and no longer once Settings give it what it needs
/// (the endpoint's address was taken; a free one is saved).
#[test]
fn a_service_problem_is_shown_while_it_lasts() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let mut opened = register();
    set_settings(&mut opened, &[(SettingKey::BindAddress, address.as_str())]);
    let mut harness = harness_with_services(opened);
    // Said, and still said after another message came and went.
    assert!(
        harness
            .query_by_label_contains("cannot listen on")
            .is_some()
    );
    harness
        .get_by_role_and_label(Role::Button, "Settings")
        .click();
    harness.run();
    let field = harness
        .get_all_by_role_and_label(Role::TextInput, "Bind address")
        .next();
    let Some(field) = field else {
        panic!("no Bind address field");
    };
    field.scroll_to_me();
    harness.run();
    support::retype(&mut harness, "Bind address", "127.0.0.1:0");
    harness
        .get_by_role_and_label(Role::Button, "Save settings")
        .click();
    harness.run();
    assert!(
        harness
            .query_by_label_contains("cannot listen on")
            .is_none(),
        "the problem is gone with its cause"
    );
    drop(taken);
}
