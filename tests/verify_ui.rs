//! The connection section of the form as an administrator uses it: verify
//! by typing and clicking, watch the delivery and the confirmation arrive
//! without a restart, reset and delete a connection, and edit Settings.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use hrm_users::app::outbox_worker::{OutboxWorker, WorkerOptions};
use hrm_users::domain::SettingKey;
use hrm_users::ui::HrmApp;
use support::{Register, TestClock, pending_user, window};

struct Rig {
    register: Register,
    clock: TestClock,
    harness: Harness<'static, HrmApp>,
}

impl Rig {
    /// A register with Maja (no address) and Erik (pending), default (folder) transport.
    fn new(verified_domains: &str) -> Self {
        let register = Register::new();
        let clock = TestClock::new();
        let mut session = register.session(&clock);
        let mut settings = session.load_settings().unwrap();
        settings
            .set(SettingKey::VerifiedDomains, verified_domains)
            .unwrap();
        hrm_users::app::save_settings(&mut session, &settings).unwrap();
        pending_user(&mut session, "16", "Maja", "");
        pending_user(&mut session, "15", "Erik", "erik@company.se");
        let harness = window(session);
        Self {
            register,
            clock,
            harness,
        }
    }

    fn click(&mut self, label: &str) {
        self.harness.get_by_label(label).scroll_to_me();
        self.harness.run();
        self.harness.get_by_label(label).click();
        self.harness.run();
    }

    fn type_into(&mut self, label: &str, nth: usize, text: &str) {
        self.harness
            .get_all_by_role_and_label(Role::TextInput, label)
            .nth(nth)
            .unwrap()
            .scroll_to_me();
        self.harness.run();
        self.harness
            .get_all_by_role_and_label(Role::TextInput, label)
            .nth(nth)
            .unwrap()
            .click();
        self.harness.run();
        self.harness
            .get_all_by_role_and_label(Role::TextInput, label)
            .nth(nth)
            .unwrap()
            .type_text(text);
        self.harness.run();
    }

    /// Lets the view's change check run (it looks a few times a second).
    fn let_time_pass(&mut self) {
        for _ in 0..3 {
            self.harness.step();
        }
        self.harness.run();
    }

    fn deliver(&self) -> usize {
        OutboxWorker::open(
            &self.register.location,
            self.clock.clock(),
            WorkerOptions::default(),
        )
        .unwrap()
        .run_once()
        .unwrap()
    }

    fn has(&self, text: &str) -> bool {
        self.harness
            .query_all_by_label_contains(text)
            .next()
            .is_some()
    }
}

#[test]
fn verify_account_queues_then_reads_sent_once_delivered() {
    let mut rig = Rig::new("");
    rig.click("Maja Testsson");
    rig.type_into("Email", 1, "maja.berg@company.se");
    rig.type_into("Confirm email", 0, "maja.berg@company.se");
    rig.click("Verify account");
    assert!(rig.has("Verification email queued for maja.berg@company.se."));
    assert!(rig.has("Verification email to maja.berg@company.se is queued"));

    assert_eq!(rig.deliver(), 1);
    rig.let_time_pass();
    assert!(
        rig.has("Verification email sent to maja.berg@company.se on"),
        "the form follows the delivery"
    );
    assert!(rig.has("(link valid until"));
    assert!(rig.harness.query_by_label("Send again").is_some());
    let outbox = rig.register.dir.path().join("outbox");
    let files: Vec<_> = std::fs::read_dir(outbox).unwrap().collect();
    assert_eq!(files.len(), 1, "one .eml in the outbox folder");
}

/// With the mail server down, the form says the message waits to be sent
/// again, and the status line says the same (in red, "Error:"), not the
/// green "queued" it said a moment before.
#[test]
fn the_status_line_says_what_the_form_says_when_the_server_is_down() {
    let mut rig = Rig::new("");
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut session = rig.register.session(&rig.clock);
    let mut settings = session.load_settings().unwrap();
    for (key, value) in [
        (SettingKey::Transport, "smtp".to_owned()),
        (SettingKey::SmtpHost, "127.0.0.1".to_owned()),
        (SettingKey::SmtpPort, closed.to_string()),
    ] {
        settings.set(key, &value).unwrap();
    }
    hrm_users::app::save_settings(&mut session, &settings).unwrap();
    rig.click("Maja Testsson");
    rig.type_into("Email", 1, "maja.berg@company.se");
    rig.type_into("Confirm email", 0, "maja.berg@company.se");
    rig.click("Verify account");
    assert!(rig.has("Verification email queued for maja.berg@company.se."));

    // The worker tries; the server does not answer.
    rig.deliver();
    rig.let_time_pass();
    let waiting = "Verification email to maja.berg@company.se is waiting to be sent again";
    assert_eq!(
        rig.harness.query_all_by_label_contains(waiting).count(),
        2,
        "the form and the status line say it"
    );
    assert!(rig.has("Error:"));
    assert!(!rig.has("Verification email queued for"));
}

#[test]
fn the_open_form_turns_green_when_the_employee_confirms() {
    let mut rig = Rig::new("");
    rig.click("Erik Testsson");
    rig.click("Verify account");
    rig.deliver();
    let outbox = rig.register.dir.path().join("outbox");
    let eml = std::fs::read_dir(outbox)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let link = support::link_in(&std::fs::read(eml).unwrap());
    let token = link.rsplit('/').next().unwrap();
    // The employee confirms through another connection, as the endpoint does.
    let mut other = rig.register.session(&rig.clock);
    hrm_users::app::confirm_link(&mut other, token).unwrap();

    rig.let_time_pass();
    assert!(
        rig.harness.query_by_label("Verified").is_some(),
        "green check mark"
    );
    assert!(rig.harness.query_by_label("Confirm email").is_none());
    assert!(rig.harness.query_by_label("Reset password").is_some());
}

#[test]
fn a_verified_domain_connects_at_once() {
    let mut rig = Rig::new("company.se");
    rig.click("Maja Testsson");
    rig.type_into("Email", 1, "maja@company.se");
    rig.type_into("Confirm email", 0, "maja@company.se");
    rig.click("Verify account");
    assert!(rig.has("is in a verified domain: connected at once, no email sent."));
    assert!(rig.harness.query_by_label("Verified").is_some());
    assert_eq!(rig.deliver(), 0, "nothing to send");
}

#[test]
fn delete_connection_asks_then_brings_the_address_fields_back() {
    let mut rig = Rig::new("company.se");
    rig.click("Erik Testsson");
    rig.click("Verify account");
    assert!(rig.harness.query_by_label("Verified").is_some());

    rig.click("Delete connection");
    assert!(rig.has("Delete the Visma Connect connection of 15 Erik Testsson?"));
    rig.click("Cancel");
    assert!(rig.harness.query_by_label("Verified").is_some());

    rig.click("Delete connection");
    rig.click("Yes, delete the connection");
    assert!(rig.harness.query_by_label("Verified").is_none());
    assert!(rig.harness.query_by_label("Confirm email").is_some());
    assert!(rig.has(&hrm_users::ui::not_connected_warning()));
}

/// Settings › Visma Connect › Preparation, then Delete connection: the
/// status says the employee is invited (to their Email), and the form
/// follows the invitation as it goes out.
#[test]
fn in_the_preparation_phase_delete_connection_invites_the_employee() {
    let mut rig = Rig::new("company.se");
    rig.click("Settings");
    assert!(rig.has("Preparation: Delete connection also emails the user"));
    rig.click("Preparation");
    rig.click("Save settings");
    assert!(rig.has("Settings saved."));
    rig.harness.key_press(egui::Key::Escape);
    rig.harness.run();

    rig.click("Erik Testsson");
    rig.type_into("Email", 0, "erik.home@example.org");
    rig.click("Save");
    rig.click("Verify account");
    assert!(rig.harness.query_by_label("Verified").is_some());
    rig.click("Delete connection");
    assert!(
        rig.has("an invitation to link again on My profile › Security and login goes to erik.home@example.org."),
        "the question says who will be invited"
    );
    rig.click("Yes, delete the connection");
    assert!(rig.has(
        "Preparation phase: an invitation to link again on My profile › Security and login is queued to erik.home@example.org."
    ));
    assert_eq!(rig.deliver(), 1);
    rig.let_time_pass();
    assert!(
        rig.has("Invitation to link again"),
        "the form shows the invitation's delivery"
    );
    rig.click("History");
    assert!(rig.has("Invitation to link again queued (preparation phase)"));
}

/// Employment ends takes a date as YYYY-MM-DD; anything else is a field
/// error and nothing is saved.
#[test]
fn employment_ends_is_a_date_or_a_field_error() {
    let mut rig = Rig::new("");
    rig.click("Erik Testsson");
    rig.type_into("Employment ends", 0, "31/01/2027");
    rig.click("Save");
    assert!(rig.has("Enter a date as YYYY-MM-DD, such as 2027-01-31."));
    let stored = |rig: &Rig| {
        let session = rig.harness.state().users_view().unwrap().session();
        let erik = hrm_users::domain::UserId::parse("15").unwrap();
        session
            .user_by_user_id(&erik)
            .unwrap()
            .unwrap()
            .user
            .employment_ends
    };
    assert_eq!(stored(&rig), None);
    // Select what is there and type over it.
    rig.harness
        .get_by_role_and_label(Role::TextInput, "Employment ends")
        .click();
    rig.harness.run();
    rig.harness
        .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    rig.harness
        .get_by_role_and_label(Role::TextInput, "Employment ends")
        .type_text("2027-01-31");
    rig.harness.run();
    rig.click("Save");
    assert!(!rig.has("Enter a date as YYYY-MM-DD"));
    assert_eq!(
        stored(&rig).map(|d| d.to_string()).as_deref(),
        Some("2027-01-31")
    );
}

#[test]
fn reset_password_queues_the_reset_email() {
    let mut rig = Rig::new("company.se");
    rig.click("Erik Testsson");
    rig.click("Verify account");
    rig.click("Reset password");
    assert!(rig.has("Password reset email queued for erik@company.se."));
    assert_eq!(rig.deliver(), 1);
}

#[test]
fn history_lists_what_happened() {
    let mut rig = Rig::new("");
    rig.click("Erik Testsson");
    rig.click("Verify account");
    rig.deliver();
    rig.let_time_pass();
    rig.click("History");
    // The folder transport only saves the email: History says so.
    assert!(rig.has("saved in the outbox folder (not sent: the folder transport)"));
    assert!(!rig.has("delivered to the mail server"));
    assert!(rig.has("Verification email queued"));
    assert!(rig.has("User created"));
}

#[test]
fn settings_refuse_a_bad_value_and_save_a_good_one() {
    let mut rig = Rig::new("");
    rig.click("Settings");
    // The field holds "24"; typing after it makes "249999", more than 30 days.
    rig.type_into("Link valid for (hours)", 0, "9999");
    rig.click("Save settings");
    assert!(rig.has("Not saved: correct the settings that say what is wrong (in red)."));
    assert!(rig.has("expected a whole number from 1 to 720"));
    let stored = |rig: &Rig| {
        rig.harness
            .state()
            .users_view()
            .unwrap()
            .session()
            .load_settings()
            .unwrap()
    };
    assert_eq!(stored(&rig).link_lifetime_hours, 24);

    // Back to "24" and a longer link: "48".
    rig.harness
        .get_all_by_role_and_label(Role::TextInput, "Link valid for (hours)")
        .next()
        .unwrap()
        .click();
    rig.harness.run();
    for _ in 0..6 {
        rig.harness.key_press(egui::Key::Backspace);
        rig.harness.run();
    }
    rig.type_into("Link valid for (hours)", 0, "48");
    rig.click("Save settings");
    assert!(rig.has("Settings saved."));
    assert_eq!(stored(&rig).link_lifetime_hours, 48);
}

#[test]
fn settings_that_cannot_be_read_are_not_overwritten_with_defaults() {
    let mut rig = Rig::new("company.se");
    // The settings become unreadable (a damaged or foreign change to the file).
    {
        let conn = rusqlite::Connection::open(&rig.register.path).unwrap();
        conn.execute_batch("ALTER TABLE settings RENAME TO settings_elsewhere")
            .unwrap();
    }
    rig.click("Settings");
    assert!(rig.has("The settings could not be read"));
    let save = rig.harness.get_by_label("Save settings");
    assert!(
        egui_kittest::kittest::NodeT::accesskit_node(&save).is_disabled(),
        "Save must be off"
    );
    save.click();
    rig.harness.run();
    let conn = rusqlite::Connection::open(&rig.register.path).unwrap();
    let domains: String = conn
        .query_row(
            "SELECT value FROM settings_elsewhere WHERE key = 'verified_domains'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(domains, "company.se");
}
