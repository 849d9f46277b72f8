//! The real window read and driven through the accessibility interface
//! alone, as Orca does on Linux (AT-SPI; AccessKit gives the same tree to
//! NVDA and Narrator through UI Automation and to VoiceOver): under Xvfb,
//! in a D-Bus session of its own with the AT-SPI bus, a Python script
//! (`tests/atspi/verify_account.py`, pyatspi) chooses a user's row in the
//! users table, sets the two address fields, presses *Verify account* and
//! reads what the window says. Debian's `xvfb`, `at-spi2-core`,
//! `python3-pyatspi` and `dbus-x11`, installed when missing (`.ci/run`
//! installs them first).

#![allow(clippy::unwrap_used, clippy::expect_used)]
#![cfg(target_os = "linux")]

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use hrm_users::app::{Session, save_settings, save_user};
use hrm_users::domain::{SettingKey, UserDraft};
use support::{Register, TestClock};

/// The system's Python, which has Debian's pyatspi (not a pyenv's).
const PYTHON: &str = "/usr/bin/python3";

/// Installs what the test needs from Debian's packages, when missing.
fn accessibility_tools() {
    let present = Path::new("/usr/libexec/at-spi-bus-launcher").exists()
        && Command::new("which")
            .args(["Xvfb", "dbus-run-session", "busctl"])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
        && Command::new(PYTHON)
            .args(["-c", "import pyatspi"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if present {
        return;
    }
    support::install_debian_packages(
        &["xvfb", "at-spi2-core", "python3-pyatspi", "dbus-x11"],
        "the accessibility tools",
    );
}

/// A display number no X server uses.
fn free_display() -> u32 {
    (200..400)
        .map(|n| n + std::process::id() % 97)
        .find(|n| !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists())
        .unwrap()
}

#[test]
fn verify_account_through_the_accessibility_interface_alone() {
    accessibility_tools();
    let register = Register::new();
    let mut session: Session = register.session(&TestClock::new());
    save_user(
        &mut session,
        None,
        &UserDraft {
            user_id: "3".into(),
            first_name: "Jonas".into(),
            last_name: "Persson".into(),
            department: "Production".into(),
            ..UserDraft::new_user()
        },
    )
    .unwrap();
    // The endpoint beside the window on a port of its own.
    let mut settings = session.load_settings().unwrap();
    settings
        .set(SettingKey::BindAddress, "127.0.0.1:0")
        .unwrap();
    save_settings(&mut session, &settings).unwrap();
    drop(session);

    // What a screen reader user meets, written where it can be read after
    // the test (and checked below).
    let dump = Path::new(env!("CARGO_TARGET_TMPDIR")).join("atspi-tree.txt");
    let display = free_display();
    let mut xvfb = Command::new("Xvfb")
        .args([&format!(":{display}"), "-screen", "0", "1280x900x24"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(1));
    let home = register.dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/atspi/verify_account.py");
    // One D-Bus session: the AT-SPI bus, both flags that wake AccessKit,
    // the program, then the script.
    let session_script = format!(
        "/usr/libexec/at-spi-bus-launcher --launch-immediately & sleep 1; \
         busctl --user set-property org.a11y.Bus /org/a11y/bus org.a11y.Status IsEnabled b true; \
         busctl --user set-property org.a11y.Bus /org/a11y/bus org.a11y.Status ScreenReaderEnabled b true; \
         \"$PROGRAM\" --db \"$REGISTER\" & program=$!; \
         {PYTHON} \"$SCRIPT\" '3, Jonas Persson' jonas.persson@example.org \
           'Verification email queued for jonas.persson@example.org|Verification email sent to jonas.persson@example.org' \
           \"$DUMP\"; \
         status=$?; \
         kill $program; wait $program 2>/dev/null; exit $status"
    );
    let output = Command::new("timeout")
        .args([
            "120",
            "dbus-run-session",
            "--",
            "bash",
            "-c",
            &session_script,
        ])
        .env("PROGRAM", env!("CARGO_BIN_EXE_hrm-users"))
        .env("REGISTER", &register.path)
        .env("SCRIPT", script)
        .env("DUMP", &dump)
        .env("DISPLAY", format!(":{display}"))
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("LC_ALL", "C.UTF-8")
        .output()
        .unwrap();
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && said.contains("SAID:"),
        "the script did not get through:\n{said}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    tree_reads_as_needed(&dump);
    // And the register holds what the window did: the address pending,
    // one verification message to it (queued or delivered already).
    let session = register.session(&TestClock::new());
    let user = session
        .user_by_user_id(&hrm_users::domain::UserId::parse("3").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(
        user.connection.email().map(ToString::to_string).as_deref(),
        Some("jonas.persson@example.org")
    );
    let messages = session.outbox(10).unwrap();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(
        messages[0].recipient.to_string(),
        "jonas.persson@example.org"
    );
}

/// The dump of the list, the form and the Verify accounts dialog holds what
/// a screen reader user needs: the table with the chosen row, the tabs, the
/// headings, the required field, the modal dialog with its counts and
/// buttons (one disabled, saying why in its name).
fn tree_reads_as_needed(dump: &Path) {
    let tree = std::fs::read_to_string(dump).unwrap();
    for key_line in [
        "table 'Users'",
        "table row '3, Jonas Persson, Production, Pending, Yes' [selected]",
        "table cell",
        "page tab 'General' [selected",
        "heading 'Connection to Visma Connect'",
        "entry 'User-ID *'",
        "dialog 'Verify accounts' [modal]",
        "label 'skipped — sent a verification less than 10 minutes ago'",
        "push button 'Nothing to send' [disabled]",
        "push button 'Cancel'",
    ] {
        assert!(
            tree.contains(key_line),
            "the tree lacks \"{key_line}\":\n{tree}"
        );
    }
}
