//! IT's presets (`defaults.toml`): a fresh install takes the register and the
//! settings they name; the settings are locked in the window and refused by
//! `config set`; a bad file is said and ignored. (Its own test binary: the
//! presets are installed once per process.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::{Command, Output};

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT as _, Queryable as _};

fn hrm_users(home: &Path, presets: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hrm-users"))
        .args(args)
        .env_remove("HRM_USERS_DB")
        .env("HRM_USERS_PRESETS", presets)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("LC_ALL", "C.UTF-8")
        .output()
        .unwrap()
}

#[test]
fn a_fresh_install_takes_the_presets_and_config_set_refuses_them() {
    let dir = tempfile::tempdir().unwrap();
    let register = dir.path().join("company-register.db");
    let presets = dir.path().join("defaults.toml");
    std::fs::write(
        &presets,
        format!(
            "register = '{}'\ntransport = \"smtp\"\nsmtp_host = \"smtp.company.se\"\nsmtp_port = 465\nsmtp_security = \"tls\"\npublic_base_url = \"https://hrm.company.se\"\nverified_domains = [\"company.se\"]\noperator_field = \"external_reference\"\n",
            register.display()
        ),
    )
    .unwrap();
    let host = hrm_users(dir.path(), &presets, &["config", "get", "smtp_host"]);
    assert!(host.status.success(), "{host:?}");
    assert_eq!(
        String::from_utf8_lossy(&host.stdout).trim(),
        "smtp.company.se"
    );
    assert!(register.is_file(), "the preset register was opened");
    // The variable names a file to try out: it cannot say who is who or
    // what needs no proof, and the program says so.
    assert!(
        String::from_utf8_lossy(&host.stderr)
            .contains("security settings are not taken from it (operator_field, verified_domains)"),
        "{host:?}"
    );
    for (key, default) in [
        ("operator_field", "alias_user_id"),
        ("verified_domains", ""),
    ] {
        let value = hrm_users(dir.path(), &presets, &["config", "get", key]);
        assert_eq!(
            String::from_utf8_lossy(&value.stdout).trim(),
            default,
            "{key}"
        );
    }
    let url = hrm_users(dir.path(), &presets, &["config", "get", "public_base_url"]);
    assert_eq!(
        String::from_utf8_lossy(&url.stdout).trim(),
        "https://hrm.company.se"
    );
    let refused = hrm_users(
        dir.path(),
        &presets,
        &["config", "set", "smtp_host", "other.se"],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("fixed on this computer"),
        "{refused:?}"
    );
    // A setting IT left open can still be set.
    let open = hrm_users(
        dir.path(),
        &presets,
        &["config", "set", "sender_name", "HR"],
    );
    assert!(open.status.success(), "{open:?}");

    // A bad file is said and ignored whole: the program runs as without it.
    std::fs::write(&presets, "smtp_port = 0\nsmtp_host = \"x.se\"\n").unwrap();
    let ignored = hrm_users(
        dir.path(),
        &presets,
        &[
            "--db",
            register.to_str().unwrap(),
            "config",
            "get",
            "smtp_host",
        ],
    );
    assert!(ignored.status.success());
    assert!(
        String::from_utf8_lossy(&ignored.stderr).contains("smtp_port"),
        "{ignored:?}"
    );
    assert_ne!(String::from_utf8_lossy(&ignored.stdout).trim(), "x.se");
}

#[test]
fn settings_fixed_by_it_are_locked_in_the_window() {
    let presets = hrm_users::domain::presets::Presets::parse(
        "/etc/hrm-users/defaults.toml",
        "transport = \"smtp\"\nsmtp_host = \"smtp.company.se\"\n",
    )
    .unwrap();
    hrm_users::domain::presets::install(presets);
    let register = support::Register::new();
    let clock = support::TestClock::new();
    let session = register.session(&clock);
    assert_eq!(
        session.load_settings().unwrap().smtp_host,
        "smtp.company.se"
    );
    let mut harness = support::window(session);
    harness
        .get_by_role_and_label(Role::Button, "Settings")
        .click();
    harness.run();
    assert!(
        harness
            .query_by_label_contains("Set by your IT administrator for this computer")
            .is_some()
    );
    let host = harness.get_by_role_and_label(Role::TextInput, "SMTP host");
    assert!(host.accesskit_node().is_disabled(), "SMTP host is locked");
    let port = harness.get_by_role_and_label(Role::TextInput, "Port");
    assert!(!port.accesskit_node().is_disabled(), "Port is not");
}

/// Presets stay on their machine: a desktop whose presets fix `smtp_host`
/// saves another setting into a register it shares; a machine without
/// presets still reads the register's own `smtp_host`, not the preset.
#[test]
fn a_machines_presets_are_not_written_into_a_shared_register() {
    let dir = tempfile::tempdir().unwrap();
    let register = dir.path().join("shared.db");
    let register_arg = register.display().to_string();
    let presets = dir.path().join("defaults.toml");
    std::fs::write(&presets, "smtp_host = \"smtp.branch-office.se\"\n").unwrap();
    let none = dir.path().join("no-presets.toml");
    let on_b = |args: &[&str]| {
        let mut all = vec!["--db", register_arg.as_str()];
        all.extend_from_slice(args);
        hrm_users(dir.path(), &none, &all)
    };
    let set_b = on_b(&["config", "set", "smtp_host", "smtp.head-office.se"]);
    assert!(set_b.status.success(), "{set_b:?}");
    let on_a = |args: &[&str]| {
        let mut all = vec!["--db", register_arg.as_str()];
        all.extend_from_slice(args);
        hrm_users(dir.path(), &presets, &all)
    };
    let seen_by_a = on_a(&["config", "get", "smtp_host"]);
    assert_eq!(
        String::from_utf8_lossy(&seen_by_a.stdout).trim(),
        "smtp.branch-office.se",
        "machine A sees its preset"
    );
    let set_a = on_a(&["config", "set", "sender_name", "HR Branch"]);
    assert!(set_a.status.success(), "{set_a:?}");
    let seen_by_b = on_b(&["config", "get", "smtp_host"]);
    assert_eq!(
        String::from_utf8_lossy(&seen_by_b.stdout).trim(),
        "smtp.head-office.se",
        "machine B keeps the register's value"
    );
    let name = on_b(&["config", "get", "sender_name"]);
    assert_eq!(String::from_utf8_lossy(&name.stdout).trim(), "HR Branch");
}
