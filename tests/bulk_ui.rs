//! `Verify accounts` in the window: the dialog's counts, the progress, and
//! the results with the reasons users were skipped.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use hrm_users::app::outbox_worker::{OutboxWorker, WorkerOptions};
use hrm_users::ui::HrmApp;
use support::{Register, TestClock, pending_user, wait_for, window};

#[test]
fn the_dialog_counts_the_progress_moves_and_the_results_give_reasons() {
    let register = Register::new();
    let clock = TestClock::new();
    let mut session = register.session(&clock);
    pending_user(&mut session, "1", "Ann", "ann@example.org");
    pending_user(&mut session, "2", "Bo", "bo@example.org");
    pending_user(&mut session, "3", "Dan", "");
    let mut harness = window(session);

    harness.get_by_label("Verify accounts").click();
    wait_for(&mut harness, "in the selection:");
    assert!(
        harness
            .query_by_label("3 users in the selection:")
            .is_some()
    );
    assert!(
        harness
            .query_by_label("will be sent a verification email")
            .is_some()
    );
    assert!(
        harness
            .query_by_label("skipped — no saved address")
            .is_some()
    );
    harness.get_by_label("Send 2 verification emails").click();
    // The send runs on its own thread and repaints as it moves: wait for the
    // progress rather than for the window to settle.
    wait_for(&mut harness, "Sending verification emails");

    // Wait until both are queued (the job runs on its own thread), then deliver.
    let delivered = deliver_until_the_results_show(&mut harness, &register, &clock);
    assert_eq!(delivered, 2);
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Verify accounts: results")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("Sent 2 · Failed 0")
            .is_some()
    );
    assert_eq!(harness.query_all_by_label("sent").count(), 2);
    assert!(harness.query_by_label("skipped").is_some());
    assert!(harness.query_by_label("no saved address").is_some());
}

/// From the keyboard alone, the focus follows the dialog through its
/// stages (so a screen reader says each one): the send button of the
/// confirmation (Enter sends), Cancel while sending, the results' first
/// button; closing the results gives the focus back to Verify accounts.
#[test]
fn the_focus_follows_verify_accounts_through_its_stages_and_comes_back() {
    use egui_kittest::kittest::NodeT as _;
    let register = Register::new();
    let clock = TestClock::new();
    let mut session = register.session(&clock);
    pending_user(&mut session, "1", "Ann", "ann@example.org");
    let mut harness = window(session);
    let focused = |harness: &Harness<'_, HrmApp>| {
        harness
            .query_all_by(|_| true)
            .find(egui_kittest::Node::is_focused)
            .map(|node| node.accesskit_node().label().unwrap_or_default())
    };
    harness
        .get_by_role_and_label(Role::Button, "Verify accounts")
        .focus();
    harness.run();
    harness.key_press(egui::Key::Enter);
    wait_for(&mut harness, "in the selection:");
    harness.run();
    assert_eq!(
        focused(&harness).as_deref(),
        Some("Send 1 verification email")
    );
    harness.key_press(egui::Key::Enter);
    wait_for(&mut harness, "Sending verification emails");
    harness.step();
    assert_eq!(focused(&harness).as_deref(), Some("Cancel"));

    deliver_until_the_results_show(&mut harness, &register, &clock);
    harness.step();
    assert_eq!(focused(&harness).as_deref(), Some("Save as xlsx…"));
    // The results' column borders are named, and not in the Tab order.
    assert!(
        harness
            .query_by_role_and_label(Role::Splitter, "Width of the Result column")
            .is_some()
    );
    let unnamed: Vec<String> = harness
        .query_all_by(|node| {
            node.role() == Role::Unknown
                && node.data().supports_action(egui::accesskit::Action::Focus)
        })
        .map(|node| {
            let n = node.accesskit_node();
            let mut chain = Vec::new();
            let mut at = n.parent();
            while let Some(p) = at {
                chain.push(format!("{:?}:{:?}", p.role(), p.label()));
                at = p.parent();
            }
            format!("{:?} {:?}", n.bounding_box(), chain)
        })
        .collect();
    assert!(unnamed.is_empty(), "unnamed controls: {unnamed:?}");
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Verify accounts: results")
            .is_none()
    );
    assert_eq!(
        focused(&harness).as_deref(),
        Some("Verify accounts"),
        "the focus is back where it was"
    );
}

/// Runs an outbox worker, a round at a time, while the window steps, until
/// the results window shows (the send runs on its own thread and waits for
/// the deliveries); how many messages the worker handled.
fn deliver_until_the_results_show(
    harness: &mut Harness<'static, HrmApp>,
    register: &Register,
    clock: &TestClock,
) -> usize {
    let mut worker =
        OutboxWorker::open(&register.location, clock.clock(), WorkerOptions::default()).unwrap();
    let mut delivered = 0;
    for _ in 0..200 {
        delivered += worker.run_once().unwrap();
        harness.step();
        if harness
            .query_by_role_and_label(Role::Dialog, "Verify accounts: results")
            .is_some()
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    delivered
}

/// The confirmation for one pending user, open.
fn dialog_for_one_pending_user() -> (Register, Harness<'static, HrmApp>) {
    let register = Register::new();
    let clock = TestClock::new();
    let mut session = register.session(&clock);
    pending_user(&mut session, "1", "Ann", "ann@example.org");
    let mut harness = window(session);
    harness.get_by_label("Verify accounts").click();
    wait_for(&mut harness, "in the selection:");
    assert!(harness.query_by_label("1 user in the selection:").is_some());
    (register, harness)
}

/// `Cancel` and Escape both close the confirmation; nothing is queued.
#[test]
fn cancel_or_escape_in_the_dialog_sends_nothing() {
    let by_cancel = |harness: &mut Harness<'static, HrmApp>| harness.get_by_label("Cancel").click();
    let by_escape = |harness: &mut Harness<'static, HrmApp>| harness.key_press(egui::Key::Escape);
    for close in [
        &by_cancel as &dyn Fn(&mut Harness<'static, HrmApp>),
        &by_escape,
    ] {
        let (_register, mut harness) = dialog_for_one_pending_user();
        close(&mut harness);
        harness.run();
        assert!(
            harness
                .query_by_label_contains("in the selection:")
                .is_none()
        );
        assert!(
            harness
                .query_by_label("Sending verification emails")
                .is_none()
        );
        let session = harness.state().users_view().unwrap().session();
        assert_eq!(session.queued_count().unwrap(), 0);
    }
}

/// An operator whose role lets them verify accounts only in Lund: the
/// dialog sends to the Lund user and says why the Malmö user is skipped.
#[test]
fn the_dialog_skips_users_outside_the_operators_offices() {
    use hrm_users::domain::UserDraft;
    use hrm_users::domain::roles::{Assignment, Permission};
    let register = Register::new();
    let clock = TestClock::new();
    let mut session = register.session(&clock);
    let mut keys = Vec::new();
    for (id, office, alias, email) in [
        ("1", "Lund", "", "ann@example.org"),
        ("2", "Malmö", "", "bo@example.org"),
        ("3", "Lund", "boss", ""),
        ("4", "Lund", "hrlund", ""),
    ] {
        let draft = UserDraft {
            user_id: id.into(),
            first_name: format!("User {id}"),
            last_name: office.into(),
            office: office.into(),
            alias_user_id: alias.into(),
            visma_email: email.into(),
            visma_email_confirm: email.into(),
            ..UserDraft::new_user()
        };
        keys.push(
            hrm_users::app::save_user(&mut session, None, &draft)
                .unwrap()
                .key,
        );
    }
    let role = support::save_office_role(
        &mut session,
        "HR Lund",
        "Lund",
        &[Permission::UsersEdit, Permission::VerifyAccounts],
    );
    // The first System administrator gives the role to themselves.
    session.login = "boss".into();
    for (key, role) in [
        (keys[2], "system_administrator"),
        (keys[3], role.id.as_str()),
    ] {
        hrm_users::app::roles::set_user_roles(&mut session, key, vec![Assignment::new(role)])
            .unwrap();
    }
    session.login = "hrlund".into();
    let mut harness = window(session);

    harness.get_by_label("Verify accounts").click();
    wait_for(&mut harness, "in the selection:");
    assert!(
        harness
            .query_by_label_contains("outside your departments and offices")
            .is_some(),
        "the Malmö user is skipped with the reason"
    );
    assert!(
        harness
            .query_by_label("Send 1 verification email")
            .is_some(),
        "only the Lund user is sent to"
    );
}

#[test]
fn cancel_while_sending_says_so_and_the_results_count_what_was_not_sent() {
    let register = Register::new();
    let clock = TestClock::new();
    let mut session = register.session(&clock);
    for n in 0..30 {
        pending_user(
            &mut session,
            &(n + 1).to_string(),
            "User",
            &format!("user{n}@example.org"),
        );
    }
    let mut harness = window(session);
    harness.get_by_label("Verify accounts").click();
    wait_for(&mut harness, "in the selection:");
    harness.get_by_label("Send 30 verification emails").click();
    wait_for(&mut harness, "Sending verification emails");
    // No worker runs in this window: nothing is handed over before Cancel.
    harness.get_by_label("Cancel").click();
    // The frame that takes the click, then the one that shows its effect.
    harness.step();
    harness.step();
    assert!(
        harness.query_by_label_contains("Cancelling").is_some(),
        "the window shows that it is cancelling"
    );
    wait_for(&mut harness, "Verify accounts: results");
    assert!(
        harness
            .query_by_label_contains(
                "Sent 0 · Failed 0 · Connected at once 0 · Skipped 0 · Not sent 30"
            )
            .is_some()
    );
    let view = harness.state().users_view().unwrap();
    assert_eq!(view.session().queued_count().unwrap(), 0);
}

/// Users with a General Email and no Visma Connect address are counted, and
/// their Email is used only when the administrator chooses it; nothing is
/// sent until Send.
#[test]
fn users_with_only_an_email_are_offered_and_their_email_used_on_request() {
    let register = Register::new();
    let clock = TestClock::new();
    let mut session = register.session(&clock);
    pending_user(&mut session, "1", "Ann", "ann@example.org");
    for (id, email) in [("2", "bo@example.org"), ("3", "ann@example.org")] {
        let draft = hrm_users::domain::UserDraft {
            user_id: id.into(),
            first_name: "Only".into(),
            last_name: "Email".into(),
            email: email.into(),
            ..hrm_users::domain::UserDraft::new_user()
        };
        hrm_users::app::save_user(&mut session, None, &draft).unwrap();
    }
    let mut harness = window(session);
    harness.get_by_label("Verify accounts").click();
    wait_for(&mut harness, "in the selection:");
    assert!(
        harness
            .query_by_label("2 users have an Email but no Visma Connect address.")
            .is_some()
    );
    assert!(
        harness
            .query_by_label("Send 1 verification email")
            .is_some()
    );
    harness
        .get_by_label("Use their Email as their Visma Connect address")
        .click();
    // User 3's Email is Ann's Visma Connect address: refused, still skipped.
    wait_for(&mut harness, "Send 2 verification emails");
    assert!(
        harness
            .query_by_label_contains("1 Email could not be used")
            .is_some()
    );
    let store = harness.state().users_view().unwrap().session();
    assert_eq!(store.queued_count().unwrap(), 0, "nothing is sent yet");
    let bo = store
        .load_users()
        .unwrap()
        .into_iter()
        .find(|r| r.user.user_id.to_string() == "2")
        .unwrap();
    assert_eq!(
        bo.connection.status(),
        hrm_users::domain::ConnectionStatus::Pending
    );
}

/// With only users in a verified domain to verify, the button names what it
/// will do (connect them at once), not "Send 0 verification emails".
#[test]
fn the_button_names_what_it_will_do() {
    let register = Register::new();
    let clock = TestClock::new();
    let mut session = register.session(&clock);
    let mut settings = session.load_settings().unwrap();
    settings
        .set(
            hrm_users::domain::SettingKey::VerifiedDomains,
            "example.org",
        )
        .unwrap();
    hrm_users::app::save_settings(&mut session, &settings).unwrap();
    pending_user(&mut session, "1", "Ann", "ann@example.org");
    pending_user(&mut session, "2", "Bo", "bo@example.org");
    let mut harness = window(session);
    harness.get_by_label("Verify accounts").click();
    wait_for(&mut harness, "in the selection:");
    assert!(
        harness
            .query_by_label("Send 0 verification emails")
            .is_none()
    );
    harness.get_by_label("Connect 2 at once").click();
    wait_for(&mut harness, "Verify accounts: results");
    assert_eq!(
        harness
            .query_all_by_label_contains("connected at once")
            .count(),
        2,
        "both connected"
    );
}
