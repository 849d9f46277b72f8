//! Import and Export in the window: type the file, read the dry run, import,
//! and see the new users in the list without a restart; export the selection.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use hrm_users::ui::HrmApp;
use support::{Register, TestClock, pending_user, users_in, wait_for, window};

fn harness(register: &Register) -> Harness<'static, HrmApp> {
    let mut session = register.session(&TestClock::new());
    pending_user(&mut session, "500", "Existing", "existing@company.se");
    window(session)
}

fn type_file(harness: &mut Harness<'_, HrmApp>, path: &str) {
    harness
        .get_by_role_and_label(Role::TextInput, "File")
        .click();
    harness.run();
    // Over the name offered (Export and Download template offer one).
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "File")
        .type_text(path);
    harness.run();
}

/// Opens Import and types the path of the six-employee fixture.
fn import_with_the_fixture_typed(harness: &mut Harness<'static, HrmApp>) {
    harness
        .get_all_by_role_and_label(Role::Button, "Import")
        .next()
        .unwrap()
        .click();
    harness.run();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/employees.xlsx");
    type_file(harness, fixture.to_str().unwrap());
}

#[test]
fn import_shows_the_dry_run_then_imports_and_the_list_follows() {
    let register = Register::new();
    let mut harness = harness(&register);
    import_with_the_fixture_typed(&mut harness);
    harness.get_by_label("Read file").click();
    wait_for(&mut harness, "To create: 6 · To update: 0");
    assert!(
        harness
            .query_by_label("Ignored columns (not in the template): Skostorlek")
            .is_some()
    );
    assert_eq!(users_in(&harness), 1, "a dry run changes nothing");

    harness.get_by_label("Import 6 users").click();
    wait_for(&mut harness, "Imported: 6 created, 0 updated.");
    // The row report stays, to read and save, after the import too.
    assert!(harness.query_by_label("What changes, and why").is_some());
    // Save report… asks where (a dated name in Documents is offered), and
    // writes only once a place is chosen.
    harness.get_by_label("Save report…").click();
    harness.run();
    let offered = harness
        .get_by_role_and_label(Role::TextInput, "File")
        .accesskit_node()
        .value()
        .unwrap_or_default();
    assert!(offered.contains("import-report-"), "{offered}");
    let report = register.dir.path().join("chosen-report.xlsx");
    harness
        .get_by_role_and_label(Role::TextInput, "File")
        .focus();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness
        .get_by_role_and_label(Role::TextInput, "File")
        .type_text(report.to_str().unwrap());
    harness.run();
    assert!(!report.exists());
    harness
        .get_by_role_and_label(Role::Button, "Save file")
        .click();
    wait_for(&mut harness, "Saved to");
    assert!(report.is_file(), "the report is where it was asked to go");
    wait_for(&mut harness, "7 of 7 users");
    assert!(
        harness.query_by_label("Zeynep Öztürk").is_some(),
        "the new users are in the list"
    );

    // The same file again: every row unchanged; "Changes only" (on by
    // default) hides them, and turned off shows them.
    harness.key_press(egui::Key::Escape);
    harness.run();
    import_with_the_fixture_typed(&mut harness);
    harness.get_by_label("Read file").click();
    wait_for(&mut harness, "To create: 0 · To update: 0 · Unchanged: 6");
    // Only the unchanged rows that carry a note are listed at first.
    let unchanged_hidden = harness.query_all_by_label("unchanged").count();
    harness
        .get_by_label("Changes only (hide unchanged rows without notes)")
        .click();
    harness.run();
    let unchanged_all = harness.query_all_by_label("unchanged").count();
    assert!(unchanged_all >= 3, "{unchanged_all}");
    assert!(
        unchanged_hidden < unchanged_all,
        "{unchanged_hidden} of {unchanged_all}"
    );
}

#[test]
fn a_file_that_is_not_a_spreadsheet_is_refused_in_words() {
    let register = Register::new();
    let mut harness = harness(&register);
    let bogus = register.dir.path().join("notes.xlsx");
    std::fs::write(&bogus, "not a workbook").unwrap();
    harness.get_by_label("Import").click();
    harness.run();
    type_file(&mut harness, bogus.to_str().unwrap());
    harness.get_by_label("Read file").click();
    wait_for(
        &mut harness,
        "Nothing was imported. The file is not a spreadsheet",
    );
    assert_eq!(users_in(&harness), 1);
    // The File field stays, with the path, to fix and read again.
    let field = harness.get_by_role_and_label(Role::TextInput, "File");
    assert_eq!(
        field.accesskit_node().value().as_deref(),
        Some(bogus.to_str().unwrap())
    );
    assert!(harness.query_by_label("Read file").is_some());
}

#[test]
fn export_writes_the_selection() {
    let register = Register::new();
    let mut harness = harness(&register);
    harness.get_by_label("Export").click();
    harness.run();
    assert!(
        harness
            .query_by_label("The current selection (1 user)")
            .is_some()
    );
    let out = register.dir.path().join("out.csv");
    type_file(&mut harness, out.to_str().unwrap());
    harness
        .get_all_by_role_and_label(Role::Button, "Export")
        .last()
        .unwrap()
        .click();
    wait_for(&mut harness, "Exported 1 user to");
    // The result stays in the Export window: the only "Import" is the
    // toolbar's button, not the window's title; the window is the dialog
    // named Export.
    assert_eq!(harness.query_all_by_label("Import").count(), 1);
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Export")
            .is_some()
    );
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Import")
            .is_none()
    );
    let text = std::fs::read_to_string(out).unwrap();
    assert!(text.contains("existing@company.se"));
}

/// The window takes the same file names as `hrm-users export`: a name that
/// is neither .xlsx nor .csv is refused at the field, and nothing is written.
#[test]
fn export_refuses_a_name_that_is_not_xlsx_or_csv() {
    let register = Register::new();
    let mut harness = harness(&register);
    harness.get_by_label("Export").click();
    harness.run();
    let out = register.dir.path().join("out.ods");
    type_file(&mut harness, out.to_str().unwrap());
    harness
        .get_all_by_role_and_label(Role::Button, "Export")
        .last()
        .unwrap()
        .click();
    harness.run();
    assert!(
        harness
            .query_by_label_contains("must end in .xlsx or .csv")
            .is_some()
    );
    assert!(!out.exists());
}

/// `Import account codes…` on a user's Audit of account code tab reads a
/// spreadsheet of codes on a thread and says how many came in; a file
/// without the Code column is refused and changes nothing.
#[test]
fn account_codes_are_imported_from_the_audit_of_account_code_tab() {
    let register = Register::new();
    let mut harness = harness(&register);
    harness.get_by_label("Existing Testsson").click();
    harness.run();
    harness
        .get_by_role_and_label(Role::Tab, "Audit of account code")
        .click();
    harness.run();
    harness.get_by_label("Import account codes…").click();
    harness.run();
    let bad = register.dir.path().join("bad-codes.csv");
    std::fs::write(&bad, "Dimension;Namn\nProjekt;Alfa\n").unwrap();
    type_file(&mut harness, bad.to_str().unwrap());
    harness.get_by_label("Import codes").click();
    wait_for(&mut harness, "The file has no column Code");
    let session = register.session(&TestClock::new());
    assert!(session.account_codes().unwrap().is_empty());
    drop(session);

    harness.get_by_label("Existing Testsson").click();
    harness.run();
    harness.get_by_label("Import account codes…").click();
    harness.run();
    let codes = register.dir.path().join("codes.csv");
    std::fs::write(
        &codes,
        "Dimension;Kod;Namn\nKostnadsställe;100;Ekonomi\nKostnadsställe;200;HR\nProjekt;P1;Alfa\n",
    )
    .unwrap();
    type_file(&mut harness, codes.to_str().unwrap());
    harness.get_by_label("Import codes").click();
    wait_for(&mut harness, "3 account codes imported.");
    let session = register.session(&TestClock::new());
    assert_eq!(session.account_codes().unwrap().len(), 3);
}

/// Export and Download template offer a file in the Documents (or home)
/// folder with a name, not an empty path.
#[test]
fn export_and_template_offer_a_named_file() {
    let register = support::Register::new();
    let mut session = register.session(&support::TestClock::new());
    support::pending_user(&mut session, "1", "Ann", "ann@example.org");
    let mut harness = support::window(session);
    for (button, name) in [
        ("Export", "users-"),
        ("Download template", "Employees-users template.xlsx"),
    ] {
        harness.get_by_label(button).click();
        harness.run();
        let offered = harness
            .query_all_by_role(egui::accesskit::Role::TextInput)
            .filter_map(|input| input.value())
            .find(|value| value.contains(name));
        let offered = offered.unwrap_or_else(|| panic!("{button} offers no named file"));
        assert!(
            std::path::Path::new(&offered).is_absolute() && !offered.contains('\u{2068}'),
            "{offered:?}"
        );
        harness.key_press(egui::Key::Escape);
        harness.run();
    }
}

/// Enter in the import's path field reads the file, as *Read file* does.
#[test]
fn enter_in_the_import_path_reads_the_file() {
    let register = Register::new();
    let mut harness = harness(&register);
    import_with_the_fixture_typed(&mut harness);
    harness.key_press(egui::Key::Enter);
    wait_for(&mut harness, "To create: 6 · To update: 0");
}
