//! What a screen reader is told (issue 24): the window's name, and that
//! each modal and window of the seed flows is a dialog with its title,
//! holding its own controls. Found by role and name, as a screen reader
//! user finds them; a test fails when a dialog loses its name.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use support::{Register, TestClock, pending_user, wait_for, window};

#[test]
fn the_window_and_its_dialogs_have_names() {
    let register = Register::new();
    let mut session = register.session(&TestClock::new());
    pending_user(&mut session, "1", "Ann", "ann@example.org");
    let mut harness = window(session);
    assert_eq!(
        harness.root().accesskit_node().label().as_deref(),
        Some("HRM Users")
    );

    // Verify accounts: a modal dialog named by its title, with its buttons.
    harness.get_by_label("Verify accounts").click();
    wait_for(&mut harness, "in the selection:");
    let dialog = harness.get_by_role_and_label(Role::Dialog, "Verify accounts");
    assert!(dialog.accesskit_node().is_modal());
    assert!(
        dialog.query_by_label("Cancel").is_some(),
        "Cancel is in the dialog"
    );
    dialog.get_by_label("Cancel").click();
    harness.run();
    assert!(harness.query_by_role(Role::Dialog).is_none());

    // Settings and About: windows beside the list, named as their titles.
    harness.get_by_label("Settings").click();
    harness.run();
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Settings")
            .is_some()
    );
    harness.get_by_label("About").click();
    harness.run();
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "About HRM Users")
            .is_some()
    );
}

#[test]
fn drop_downs_say_their_value() {
    let register = Register::new();
    let mut session = register.session(&TestClock::new());
    pending_user(&mut session, "1", "Ann", "ann@example.org");
    let mut harness = window(session);
    harness.get_by_label("Filter").click();
    harness.run();
    let department = harness.get_by_role_and_label(Role::ComboBox, "Department");
    assert_eq!(department.accesskit_node().value().as_deref(), Some("All"));
    let status = harness.get_by_role_and_label(Role::ComboBox, "Visma Connect");
    assert_eq!(status.accesskit_node().value().as_deref(), Some("All"));
}

/// A field's error is tied to its field (invalid, described by the error),
/// and the status line is a polite live region that says its colour in
/// words.
#[test]
fn errors_are_tied_to_their_fields_and_the_status_is_announced() {
    let register = Register::new();
    let session = register.session(&TestClock::new());
    let mut harness = window(session);
    harness.get_by_label("+ New").click();
    harness.run();
    let first_name = harness.get_by_role_and_label(Role::TextInput, "First name");
    first_name.click();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "First name")
        .type_text("Nils");
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Save").click();
    harness.run();
    let input = harness.get_by_role_and_label(Role::TextInput, "User-ID *");
    let data = input.accesskit_node().data().clone();
    assert_eq!(data.invalid(), Some(egui::accesskit::Invalid::True));
    assert_eq!(data.described_by().len(), 1, "described by its error");
    let live: Vec<String> = harness
        .query_all_by(|node| node.data().live() == Some(egui::accesskit::Live::Polite))
        .map(|node| {
            let node = node.accesskit_node();
            node.label().or_else(|| node.value()).unwrap_or_default()
        })
        .collect();
    assert!(
        live.iter()
            .any(|said| said.contains("correct the fields that say what is wrong")),
        "the status line is a live region: {live:?}"
    );
    assert!(harness.query_by_label("Error:").is_some());
}

/// The form's structure as a screen reader walks it: its tabs are tabs in a
/// tab list with the shown one selected, its sections are headings (so the
/// two Email fields can be told apart by the section they are in), User-ID
/// is required, and History says whether it is open.
#[test]
fn the_forms_tabs_headings_and_required_field_are_said() {
    let register = Register::new();
    let mut session = register.session(&TestClock::new());
    pending_user(&mut session, "1", "Ann", "ann@example.org");
    let mut harness = window(session);
    harness
        .get_all_by_label_contains("Ann")
        .next()
        .unwrap()
        .click();
    harness.run();
    assert!(harness.query_by_role(Role::TabList).is_some());
    let general = harness.get_by_role_and_label(Role::Tab, "General");
    assert_eq!(general.accesskit_node().data().is_selected(), Some(true));
    let roles = harness.get_by_role_and_label(Role::Tab, "Authorisations");
    assert_eq!(roles.accesskit_node().data().is_selected(), Some(false));
    for section in ["General", "Connection to Visma Connect"] {
        assert!(
            harness
                .query_by_role_and_label(Role::Heading, section)
                .is_some(),
            "{section} is a heading"
        );
    }
    let user_id = harness.get_by_role_and_label(Role::TextInput, "User-ID *");
    assert!(user_id.accesskit_node().data().is_required());
    let history = harness.get_by_label("History");
    assert_eq!(history.accesskit_node().data().is_expanded(), Some(false));
    harness
        .get_by_role_and_label(Role::Tab, "Authorisations")
        .click();
    harness.run();
    let roles = harness.get_by_role_and_label(Role::Tab, "Authorisations");
    assert_eq!(roles.accesskit_node().data().is_selected(), Some(true));
}
