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
    // Its title row is a heading and a Close button, which closes it.
    let settings = harness.get_by_role_and_label(Role::Dialog, "Settings");
    assert!(
        settings
            .query_by_role_and_label(Role::Heading, "Settings")
            .is_some()
    );
    settings
        .get_by_role_and_label(Role::Button, "Close")
        .click();
    harness.run();
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Settings")
            .is_none()
    );
    harness.get_by_label("Settings").click();
    harness.run();
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

/// The users list is a table to a screen reader: its rows are named by
/// their cells, the chosen one is selected, the list is one Tab stop (not
/// one per cell), and the arrow keys move the choice with the focus, so
/// each row is spoken as it is reached.
#[test]
fn the_users_list_is_a_table_with_one_tab_stop() {
    let register = Register::new();
    let mut session = register.session(&TestClock::new());
    pending_user(&mut session, "14", "Sara", "sara@example.org");
    pending_user(&mut session, "15", "Olle", "olle@example.org");
    pending_user(&mut session, "16", "Ines", "ines@example.org");
    let mut harness = window(session);
    let table = harness.get_by_role_and_label(Role::Table, "Users");
    assert_eq!(
        table.accesskit_node().data().row_count(),
        Some(4),
        "a header and three users"
    );
    let row = "14, Sara Testsson, HR, Pending, Yes";
    assert!(
        harness.query_by_role_and_label(Role::Row, row).is_some(),
        "a row is named by its cells"
    );
    let cells = harness
        .get_by_role_and_label(Role::Row, row)
        .query_all_by_role(Role::Cell)
        .count();
    assert!(cells >= 5, "the row holds its cells: {cells}");

    // Tab from the search box reaches the list (past the sort buttons of
    // its headers) in a few presses, not thousands: one stop, the row.
    harness.get_by_label("Search").click();
    harness.run();
    let focused_row = |harness: &egui_kittest::Harness<'_, hrm_users::ui::HrmApp>| {
        harness
            .query_all_by_role(Role::Row)
            .find(egui_kittest::Node::is_focused)
            .map(|r| r.accesskit_node().label().unwrap_or_default())
    };
    let mut presses = 0;
    while focused_row(&harness).is_none() {
        presses += 1;
        assert!(presses <= 20, "Tab never reached the list");
        harness.key_press(egui::Key::Tab);
        harness.run();
    }
    assert_eq!(
        focused_row(&harness).as_deref(),
        Some(row),
        "the list's one Tab stop"
    );
    harness.key_press(egui::Key::Tab);
    harness.run();
    assert!(
        harness
            .query_all_by_role(Role::Row)
            .all(|r| !r.is_focused()),
        "the next Tab leaves the list (no stop per cell)"
    );

    // Back into the list; Down chooses the next user and takes the focus
    // with it: the row is selected and spoken.
    harness.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::Tab);
    harness.run();
    assert_eq!(focused_row(&harness).as_deref(), Some(row));
    // The first Down chooses the first user, the next one the user after.
    for _ in 0..2 {
        harness.key_press(egui::Key::ArrowDown);
        harness.run();
    }
    harness.run();
    let next = "15, Olle Testsson, HR, Pending, Yes";
    let olle = harness.get_by_role_and_label(Role::Row, next);
    assert!(
        olle.accesskit_node().is_selected() == Some(true),
        "the chosen row is selected"
    );
    assert!(olle.is_focused(), "the focus follows the choice");
}

/// A question takes the focus when it opens (to its default button, so a
/// screen reader says the dialog and the button) and gives it back where
/// it was when it closes.
#[test]
fn a_question_takes_the_focus_and_gives_it_back() {
    let register = Register::new();
    let mut session = register.session(&TestClock::new());
    pending_user(&mut session, "14", "Sara", "sara@example.org");
    let mut harness = window(session);
    harness
        .get_by_role_and_label(Role::Row, "14, Sara Testsson, HR, Pending, Yes")
        .click();
    harness.run();
    harness
        .get_by_role_and_label(Role::Button, "Delete")
        .focus();
    harness.run();
    harness.key_press(egui::Key::Enter);
    harness.run();
    let dialog = harness.get_by_role_and_label(Role::Dialog, "Delete user");
    // Deleting is not the default: the focus is on Cancel.
    let focused = dialog
        .query_all_by_role(Role::Button)
        .find(egui_kittest::Node::is_focused)
        .map(|b| b.accesskit_node().label().unwrap_or_default());
    assert_eq!(
        focused.as_deref(),
        Some("Cancel"),
        "the focus moved into the question"
    );
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(harness.query_by_role(Role::Dialog).is_none());
    assert!(
        harness
            .get_by_role_and_label(Role::Button, "Delete")
            .is_focused(),
        "the focus is back on Delete"
    );
}

/// Every control the keyboard or a screen reader can reach has a role and a
/// name; the borders between the columns are splitters named after their
/// column, and Tab passes over them (a key does nothing to them), from the
/// list straight to the toolbar and back.
#[test]
fn every_control_has_a_name_and_tab_passes_over_column_borders() {
    let register = Register::new();
    let mut session = register.session(&TestClock::new());
    pending_user(&mut session, "14", "Sara", "sara@example.org");
    let mut harness = window(session);
    harness.run();
    let unnamed: Vec<String> = harness
        .query_all_by(|node| {
            node.data().supports_action(egui::accesskit::Action::Focus)
                && (node.role() == Role::Unknown || node.label().is_none_or(|l| l.is_empty()))
        })
        .map(|node| format!("{:?}", node.accesskit_node().role()))
        .collect();
    assert!(unnamed.is_empty(), "unnamed controls: {unnamed:?}");
    for column in ["User-ID", "Name", "Visma Connect"] {
        let name = format!("Width of the {column} column");
        assert!(
            harness
                .query_by_role_and_label(Role::Splitter, &name)
                .is_some(),
            "{name}"
        );
    }

    let focused = |harness: &egui_kittest::Harness<'_, hrm_users::ui::HrmApp>| {
        harness
            .query_all_by(|_| true)
            .find(egui_kittest::Node::is_focused)
            .map(|node| node.accesskit_node().label().unwrap_or_default())
    };
    let row = "14, Sara Testsson, HR, Pending, Yes";
    harness.get_by_role_and_label(Role::Row, row).focus();
    harness.run();
    harness.key_press(egui::Key::Tab);
    harness.run();
    assert_eq!(
        focused(&harness).as_deref(),
        Some("+ New"),
        "Tab from the list"
    );
    harness.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::Tab);
    harness.run();
    assert_eq!(
        focused(&harness).as_deref(),
        Some(row),
        "Shift+Tab back to it"
    );
}
