//! The window in Swedish: chosen in Settings, applied at once to the
//! toolbar, the list, the form and the dialogs, and back to English.
//! (Its own test binary: the window's language is one per process.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use support::{Register, TestClock, pending_user, wait_for, window};

#[test]
fn swedish_is_chosen_in_settings_and_the_whole_window_follows() {
    let register = Register::new();
    let clock = TestClock::new();
    let mut session = register.session(&clock);
    pending_user(&mut session, "1", "Ann", "ann@example.org");
    pending_user(&mut session, "2", "Bo", "bo@example.org");
    let mut harness = window(session);
    assert!(harness.query_by_label("Verify accounts").is_some());

    choose_swedish_in_settings(&mut harness);

    for label in [
        "Verifiera konton",
        "Användare/Behörigheter > Användare",
        "+ Ny",
        "2 av 2 användare",
        "Användar-ID",
        "Aktiverad",
    ] {
        assert!(harness.query_by_label(label).is_some(), "{label}");
    }
    assert!(harness.query_by_label("Verify accounts").is_none());

    harness.get_by_label("Ann Testsson").click();
    harness.run();
    for label in [
        "Koppling till Visma Connect",
        "Bekräfta e-post",
        "Verifiera konto",
        "Användaren är aktiverad",
    ] {
        assert!(harness.query_by_label(label).is_some(), "{label}");
    }
    assert_no_english_is_spoken(&harness, "the list and the form");
    assert!(
        harness
            .query_by_role_and_label(Role::Splitter, "Bredd på kolumnen Namn")
            .is_some()
    );

    harness.get_by_label("Verifiera konton").click();
    wait_for(&mut harness, "i urvalet:");
    assert!(harness.query_by_label("2 användare i urvalet:").is_some());
    assert!(
        harness
            .query_by_label("får ett verifieringsmeddelande")
            .is_some()
    );
    assert!(
        harness
            .query_by_label("Skicka 2 verifieringsmeddelanden")
            .is_some()
    );
    assert_no_english_is_spoken(&harness, "Verify accounts");
    harness.get_by_label("Avbryt").click();
    harness.run();

    // A field's error, and what the register keeps in English (a History
    // row's actor), are said in Swedish.
    harness.get_by_label("+ Ny").click();
    harness.run();
    for (label, text) in [("Användar-ID *", "2"), ("Förnamn", "Cia")] {
        harness
            .get_by_role_and_label(Role::TextInput, label)
            .click();
        harness.run();
        harness
            .get_by_role_and_label(Role::TextInput, label)
            .type_text(text);
        harness.run();
    }
    harness.get_by_role_and_label(Role::Button, "Spara").click();
    harness.run();
    assert!(
        harness
            .query_by_label("Användar-ID 2 används redan av en annan användare.")
            .is_some()
    );
    assert_eq!(hrm_users::i18n::stored_words("outbox worker"), "utkorgen");
    assert_eq!(
        hrm_users::i18n::stored_words("not sent: the user was deleted"),
        "inte skickat: användaren togs bort"
    );
    harness.key_press(egui::Key::Escape);
    harness.run();
    if let Some(discard) = harness.query_by_label("Förkasta ändringarna") {
        discard.click();
        harness.run();
    }

    back_to_english(&mut harness);
}

/// Settings, English: the window is English again.
fn back_to_english(harness: &mut egui_kittest::Harness<'_, hrm_users::ui::HrmApp>) {
    harness
        .get_by_role_and_label(Role::Button, "Inställningar")
        .click();
    harness.run();
    harness.get_all_by_label("English").next().unwrap().click();
    harness.run();
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(harness.query_by_label("Verify accounts").is_some());
    assert!(harness.query_by_label("2 of 2 users").is_some());
}

/// Everything a screen reader would say (every node's name and value) is
/// free of the English words of the window: egui's own names included.
fn assert_no_english_is_spoken(
    harness: &egui_kittest::Harness<'_, hrm_users::ui::HrmApp>,
    place: &str,
) {
    const ENGLISH: [&str; 35] = [
        "the",
        "of",
        "and",
        "resize",
        "width",
        "panel",
        "column",
        "save",
        "cancel",
        "delete",
        "settings",
        "search",
        "users",
        "user",
        "name",
        "department",
        "office",
        "pending",
        "yes",
        "no",
        "send",
        "verify",
        "new",
        "about",
        "history",
        "connection",
        "general",
        "scroll",
        "email",
        "messages",
        "selection",
        "close",
        "window",
        "hide",
        "show",
    ];
    let spoken: Vec<String> = harness
        .query_all_by(|_| true)
        .flat_map(|node| {
            let node = node.accesskit_node();
            [node.label(), node.value()]
        })
        .flatten()
        // Addresses typed into the settings are data, not the window's words.
        .filter(|said| !said.contains('@') && !said.contains("://"))
        .collect();
    for said in &spoken {
        // Placeholders of the email templates ({name}) are what one types.
        let mut words = String::new();
        let mut in_placeholder = false;
        for c in said.chars() {
            match c {
                '{' => in_placeholder = true,
                '}' => in_placeholder = false,
                c if !in_placeholder => words.push(c),
                _ => {}
            }
        }
        for word in words.split(|c: char| !c.is_alphabetic()) {
            assert!(
                !ENGLISH.contains(&word.to_lowercase().as_str()),
                "{place}: English \"{word}\" in \"{said}\""
            );
        }
    }
}

/// Settings, Svenska: the Settings window turns Swedish where it stands.
fn choose_swedish_in_settings(harness: &mut egui_kittest::Harness<'_, hrm_users::ui::HrmApp>) {
    harness
        .get_by_role_and_label(Role::Button, "Settings")
        .click();
    harness.run();
    // Where the window's top edge is (the only window open).
    let settings_at = |harness: &egui_kittest::Harness<'_, hrm_users::ui::HrmApp>, edge| {
        let bounds = harness
            .get_by_role_and_label(Role::Splitter, edge)
            .accesskit_node()
            .bounding_box()
            .expect("the Settings window is on the screen");
        (bounds.x0.round(), bounds.y0.round())
    };
    let before = settings_at(harness, "Top edge of the window");
    // The first Svenska is the window's language (the second, the emails').
    harness.get_all_by_label("Svenska").next().unwrap().click();
    harness.run();
    harness.run();
    assert_eq!(
        settings_at(harness, "Fönstrets övre kant"),
        before,
        "the Settings window stays where it was"
    );
    assert!(harness.query_all_by_label("Inställningar").count() >= 2);
    assert!(harness.query_by_label("Spara inställningar").is_some());
    assert_no_english_is_spoken(harness, "Settings");
    harness.key_press(egui::Key::Escape);
    harness.run();
}
