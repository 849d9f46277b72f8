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
