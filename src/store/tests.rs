//! Store tests: opening files of every kind, migrations, and the audit row
//! that shares its change's transaction.

use super::db::Sql as _;
use super::*;
use crate::domain::settings::SettingsRow;
use crate::domain::{AuditAction, OutboxId, SettingKey, User, UserId};

fn user(id: &str) -> User {
    User {
        activated: true,
        user_id: UserId::parse(id).unwrap(),
        alias_user_id: String::new(),
        signature: "AS".into(),
        card_tag_id: String::new(),
        external_reference: String::new(),
        email: None,
        first_name: "Anna".into(),
        last_name: "Svensson".into(),
        department: "HR".into(),
        office: "Lund".into(),
        employment_ends: jiff::civil::Date::new(2027, 1, 31).ok(),
    }
}

fn audit(action: AuditAction, key: Option<UserKey>) -> AuditEntry {
    AuditEntry {
        at: Timestamp::UNIX_EPOCH,
        actor: "tester".into(),
        action,
        user_key: key,
        user_id: "14".into(),
        before: None,
        after: None,
    }
}

use jiff::Timestamp;

impl Store {
    fn sqlite(&self) -> &Connection {
        match &self.backend {
            Backend::Sqlite(conn) => conn,
            Backend::Postgres(_) => unreachable!("an SQLite test"),
        }
    }
}

#[test]
fn a_new_file_gets_the_latest_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("register.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.version().unwrap(), latest_version());
    assert_eq!(store.count_users().unwrap(), 0);
    let mode: String = store
        .sqlite()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let foreign_keys: i64 = store
        .sqlite()
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .unwrap();
    assert_eq!(foreign_keys, 1);
}

#[test]
fn an_older_file_is_migrated_and_keeps_its_users() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn, &path, 1).unwrap();
        conn.execute(
            "INSERT INTO users (user_id, activated, created_at_ms, updated_at_ms) VALUES ('14', 1, 0, 0)",
            [],
        )
        .unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, 1);
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.version().unwrap(), latest_version());
    let users = store.load_users().unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].user.user_id.as_str(), "14");
}

/// Migration 7 rebuilds SQLite's outbox (to allow the relink invitation):
/// every message, its owner and indexes stay; older tokens are
/// verification links.
#[test]
fn a_version_6_file_keeps_its_outbox_and_tokens_through_migration_7() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn, &path, 6).unwrap();
        conn.execute_batch(
            "INSERT INTO users (key, user_id, activated, created_at_ms, updated_at_ms)
                 VALUES (1, '14', 1, 0, 0);
             INSERT INTO outbox (message_id, kind, user_key, recipient, state,
                                 next_attempt_at_ms, created_at_ms, owner, handed_over)
                 VALUES ('<a@x>', 'verification', 1, 'anna@company.se', 'sending', 5, 4, 'w-1', 1),
                        ('<b@x>', 'password_reset', 1, 'anna@company.se', 'sent', 7, 6, NULL, 0);
             INSERT INTO link_tokens (hash, user_key, email_key, created_at_ms, expires_at_ms)
                 VALUES (x'0101010101010101010101010101010101010101010101010101010101010101',
                         1, 'anna@company.se', 0, 99);",
        )
        .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.version().unwrap(), latest_version());
    let rows: Vec<(String, String, String, Option<String>, i64)> = store
        .sqlite()
        .prepare("SELECT message_id, kind, state, owner, handed_over FROM outbox ORDER BY id")
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        rows,
        vec![
            (
                "<a@x>".into(),
                "verification".into(),
                "sending".into(),
                Some("w-1".into()),
                1
            ),
            (
                "<b@x>".into(),
                "password_reset".into(),
                "sent".into(),
                None,
                0
            ),
        ]
    );
    let indexes: i64 = store
        .sqlite()
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox'
             AND name IN ('outbox_due', 'outbox_by_user', 'outbox_by_owner', 'outbox_by_batch')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexes, 4);
    let token = store.token(&[1; 32]).unwrap().unwrap();
    assert_eq!(token.purpose, TokenPurpose::Verification);
    // The new kind is taken.
    store
        .write(|tx| {
            tx.queue_message(
                crate::domain::MessageKind::RelinkInvitation,
                Some(crate::domain::UserKey(1)),
                &crate::domain::Email::parse("anna@home.se").unwrap(),
                "<c@x>",
                Timestamp::UNIX_EPOCH,
            )
        })
        .unwrap();
}

#[test]
fn a_file_from_a_newer_version_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    drop(Store::open(&path).unwrap());
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", latest_version() + 1)
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let error = Store::open(&path).err().unwrap();
    assert!(matches!(error, StoreError::TooNew { .. }), "{error}");
    assert!(error.to_string().contains("newer version"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    std::fs::write(&path, b"Name;Email\nAnna;anna@company.se\n").unwrap();
    let error = Store::open(&path).err().unwrap();
    assert!(matches!(error, StoreError::NotADatabase { .. }), "{error}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"Name;Email\nAnna;anna@company.se\n"
    );
}

#[test]
fn a_damaged_database_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    drop(Store::open(&path).unwrap());
    // Keep SQLite's header, scribble over the schema page.
    let mut bytes = std::fs::read(&path).unwrap();
    for byte in bytes.iter_mut().skip(100).take(3000) {
        *byte = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let _ = std::fs::remove_file(dir.path().join("register.db-wal"));
    let error = Store::open(&path).err().unwrap();
    assert!(
        matches!(
            error,
            StoreError::Damaged { .. } | StoreError::NotADatabase { .. }
        ),
        "{error:?}"
    );
}

#[test]
fn another_programs_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE invoices (id INTEGER)")
            .unwrap();
    }
    let error = Store::open(&path).err().unwrap();
    assert!(
        matches!(error, StoreError::ForeignDatabase { .. }),
        "{error}"
    );
}

#[test]
fn a_locked_file_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    drop(Store::open(&path).unwrap());
    let holder = Connection::open(&path).unwrap();
    holder
        .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;")
        .unwrap();
    let error = Store::open(&path).err().unwrap();
    assert!(matches!(error, StoreError::Locked), "{error:?}");
    assert!(error.to_string().contains("locked"));
}

/// Runs each named test body (a `fn(Store)`) on a new SQLite register and on
/// a new database of the private PostgreSQL cluster.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() {
                super::$name(super::Store::open_in_memory().unwrap());
            })*
        }
        mod postgres {
            $(#[test]
            fn $name() {
                super::$name(super::Store::open(crate::testing::fresh_database_or_panic()).unwrap());
            })*
        }
    };
}

on_both_backends!(
    the_audit_row_commits_with_its_change,
    a_failed_change_leaves_no_audit_row,
    held_changes_land_whole_or_not_at_all_with_their_text_intact,
    a_large_change_with_a_taken_user_id_writes_nothing,
    the_audit_log_cannot_be_rewritten,
    two_users_cannot_share_a_visma_connect_address,
    users_round_trip_with_their_connection,
    users_are_read_by_their_keys_at_once,
    change_stamps_grow_and_find_changed_users,
    settings_round_trip,
    the_outbox_claims_each_message_once,
    a_lease_far_in_the_future_is_taken_for_run_out,
    a_damaged_row_is_left_out_and_never_stops_the_rest,
    db_status_tells_unusual_rows_from_damaged_ones,
    a_group_of_answers_is_recorded_as_one_call_per_answer_would,
    new_tokens_of_one_user_leave_only_the_latest_usable,
    a_group_commit_records_flags_counts_audits_and_marks_at_once,
    users_roles_round_trip_and_go_with_the_user,
    account_codes_and_audit_rights_round_trip,
    the_operator_is_found_by_the_field_the_setting_names,
);

fn the_operator_is_found_by_the_field_the_setting_names(mut store: Store) {
    use crate::domain::settings::OperatorField;
    let mut anna = user("anna_s");
    anna.alias_user_id = "ASV".into();
    anna.external_reference = "EMP-7".into();
    anna.email = Some(crate::domain::Email::parse("anna_s@company.se").unwrap());
    let mut other = user("2");
    // `_` is not a wildcard: "annaxs" must not be taken for "anna_s".
    other.email = Some(crate::domain::Email::parse("annaxs@company.se").unwrap());
    store
        .write(|tx| {
            tx.insert_user(&other, 0)?;
            tx.insert_user(&anna, 0)
        })
        .unwrap();
    let found = |store: &Store, field, login: &str| {
        store
            .user_by_login(field, login)
            .unwrap()
            .map(|r| r.user.user_id.to_string())
    };
    assert_eq!(
        found(&store, OperatorField::AliasUserId, "asv").as_deref(),
        Some("anna_s")
    );
    assert_eq!(
        found(&store, OperatorField::UserId, "ANNA_S").as_deref(),
        Some("anna_s")
    );
    assert_eq!(
        found(&store, OperatorField::ExternalReference, "emp-7").as_deref(),
        Some("anna_s")
    );
    assert_eq!(
        found(&store, OperatorField::EmailLocalPart, "anna_s").as_deref(),
        Some("anna_s")
    );
    assert_eq!(found(&store, OperatorField::EmailLocalPart, "anna"), None);
    assert_eq!(found(&store, OperatorField::AliasUserId, ""), None);
    // On a shared register the same users in one round trip, for every
    // field at once; a login with quotes and dollar quotes is only a value.
    for login in [
        "asv",
        "ANNA_S",
        "emp-7",
        "anna",
        "",
        "x' OR ''='",
        "$h$ OR true --",
    ] {
        if let Some(reads) = store.operator_reads_together(login).unwrap() {
            for (field, user) in reads.by_field {
                assert_eq!(
                    user.map(|r| r.user.user_id.to_string()),
                    found(&store, field, login),
                    "{field:?} {login:?}"
                );
            }
            assert_eq!(reads.settings, store.load_settings().unwrap());
            assert_eq!(reads.all_roles, store.all_roles().unwrap());
        }
    }
}

fn account_codes_and_audit_rights_round_trip(mut store: Store) {
    use crate::domain::account_codes::{AccountCode, AuditRight};
    let code = |code: &str, name: &str| AccountCode {
        dimension: "cost_centre".into(),
        code: code.into(),
        name: name.into(),
    };
    let anna = store.write(|tx| tx.insert_user(&user("1"), 0)).unwrap();
    store
        .write(|tx| {
            tx.upsert_account_code(&code("100", "Ekonomi"))?;
            tx.upsert_account_code(&code("200", "HR"))?;
            // Again, renamed.
            tx.upsert_account_code(&code("100", "Ekonomi och lön"))
        })
        .unwrap();
    assert_eq!(
        store.account_codes().unwrap(),
        vec![code("100", "Ekonomi och lön"), code("200", "HR")]
    );
    assert_eq!(
        store.account_dimensions().unwrap(),
        vec!["cost_centre".to_owned()]
    );
    let rights = vec![
        AuditRight {
            dimension: "cost_centre".into(),
            from_code: "100".into(),
            to_code: Some("200".into()),
            amount_limit: Some(50_000),
        },
        AuditRight {
            dimension: "project".into(),
            from_code: "P-7".into(),
            to_code: None,
            amount_limit: None,
        },
    ];
    store
        .write(|tx| tx.set_audit_rights(anna, &rights, 1))
        .unwrap();
    assert_eq!(store.audit_rights_of(anna).unwrap(), rights);
    store.write(|tx| tx.set_audit_rights(anna, &[], 2)).unwrap();
    assert!(store.audit_rights_of(anna).unwrap().is_empty());
}

fn users_roles_round_trip_and_go_with_the_user(mut store: Store) {
    use crate::domain::roles::{Assignment, Scope};
    let (anna, bo) = store
        .write(|tx| {
            Ok::<_, StoreError>((
                tx.insert_user(&user("1"), 0)?,
                tx.insert_user(&user("2"), 0)?,
            ))
        })
        .unwrap();
    let limited = Assignment {
        valid_from: jiff::civil::Date::new(2027, 1, 1).ok(),
        valid_to: jiff::civil::Date::new(2027, 12, 31).ok(),
        scope: Scope {
            departments: vec!["HR".into(), "Sales".into()],
            offices: vec!["Lund".into()],
        },
        ..Assignment::new("hr_administrator")
    };
    let admin = Assignment::new("system_administrator");
    store
        .write(|tx| {
            tx.set_roles(anna, &[limited.clone(), admin.clone()], 1)?;
            tx.set_roles(bo, std::slice::from_ref(&admin), 1)
        })
        .unwrap();
    assert_eq!(
        store.roles_of(anna).unwrap(),
        vec![limited.clone(), admin.clone()]
    );
    assert_eq!(
        store.all_roles().unwrap(),
        vec![(anna, vec![limited, admin.clone()]), (bo, vec![admin])]
    );
    // Replacing and deleting.
    store.write(|tx| tx.set_roles(anna, &[], 2)).unwrap();
    assert!(store.roles_of(anna).unwrap().is_empty());
    store.write(|tx| tx.delete_user(bo)).unwrap();
    assert!(store.all_roles().unwrap().is_empty());
}

fn the_audit_row_commits_with_its_change(mut store: Store) {
    let key = store
        .write(|tx| {
            let key = tx.insert_user(&user("14"), 0)?;
            tx.append_audit(&audit(AuditAction::UserCreated, Some(key)))?;
            Ok::<_, StoreError>(key)
        })
        .unwrap();
    assert_eq!(store.audit_for(key).unwrap().len(), 1);
}

fn a_failed_change_leaves_no_audit_row(mut store: Store) {
    store
        .write(|tx| tx.insert_user(&user("14"), 0).map(|_| ()))
        .unwrap();
    let result = store.write(|tx| {
        tx.append_audit(&audit(AuditAction::UserCreated, None))?;
        // The same User-ID again: the insert fails, the transaction rolls back.
        tx.insert_user(&user("14"), 0)
    });
    let error = result.err().unwrap();
    assert!(error.to_string().contains("User-ID 14 is already in use"));
    assert!(store.audit_all().unwrap().is_empty());
    assert_eq!(store.count_users().unwrap(), 1);
}

/// On PostgreSQL an update and its audit row are held and sent with the
/// commit, their values written into the statement: a taken User-ID still
/// fails the whole change by name, the connection works on after it, and
/// any text (quotes, dollar quotes, backslashes, NUL) lands as typed.
fn held_changes_land_whole_or_not_at_all_with_their_text_intact(mut store: Store) {
    let (anna, olle) = store
        .write(|tx| {
            Ok::<_, StoreError>((
                tx.insert_user(&user("14"), 0)?,
                tx.insert_user(&user("15"), 0)?,
            ))
        })
        .unwrap();
    let result = store.write(|tx| {
        let mut taken = user("14");
        taken.first_name = "Olle".into();
        tx.update_user(olle, &taken, 1)?;
        tx.append_audit(&audit(AuditAction::UserUpdated, Some(olle)))
    });
    let error = result.err().unwrap();
    assert!(
        error.to_string().contains("User-ID 14 is already in use"),
        "{error}"
    );
    assert!(store.audit_all().unwrap().is_empty());
    assert_eq!(store.user(olle).unwrap().unwrap().user.first_name, "Anna");
    for name in ["O'Brien $h$ $h1$ \\ end$h", "$", "tab\there"] {
        let mut typed = user("15");
        typed.first_name = name.into();
        store
            .write(|tx| {
                tx.update_user(olle, &typed, 2)?;
                tx.append_audit(&audit(AuditAction::UserUpdated, Some(olle)))
            })
            .unwrap_or_else(|e| panic!("{name:?}: {e}"));
        assert_eq!(store.user(olle).unwrap().unwrap().user.first_name, name);
    }
    // PostgreSQL stores no NUL: refused, as a parameter, with nothing
    // changed (it is never written into a statement's text).
    let mut nul = user("15");
    nul.first_name = "a\0b".into();
    match store.write(|tx| tx.update_user(olle, &nul, 3)) {
        Ok(()) => assert_eq!(store.user(olle).unwrap().unwrap().user.first_name, "a\0b"),
        Err(error) => {
            assert!(error.to_string().contains("0x00"), "{error}");
            assert_eq!(
                store.user(olle).unwrap().unwrap().user.first_name,
                "tab\there"
            );
        }
    }
    assert_eq!(store.audit_for(olle).unwrap().len(), 3);
    assert_eq!(
        store.user(anna).unwrap().unwrap().user.user_id.as_str(),
        "14"
    );
}

/// Many new users at once (on PostgreSQL sent by COPY): one taken User-ID
/// fails the whole change with the User-ID named, and nothing is written.
fn a_large_change_with_a_taken_user_id_writes_nothing(mut store: Store) {
    store
        .write(|tx| tx.insert_user(&user("1400"), 0).map(|_| ()))
        .unwrap();
    let result = store.write(|tx| {
        for n in 0..1_500 {
            let key = tx.insert_user(&user(&n.to_string()), 0)?;
            tx.append_audit(&audit(AuditAction::UserCreated, Some(key)))?;
        }
        Ok::<_, StoreError>(())
    });
    let error = result.err().unwrap();
    assert!(
        error.to_string().contains("User-ID 1400 is already in use"),
        "{error}"
    );
    assert_eq!(store.count_users().unwrap(), 1);
    assert!(store.audit_all().unwrap().is_empty());
    // And the same change without the taken User-ID goes in whole, with
    // change stamps that grow user by user.
    store
        .write(|tx| {
            for n in 0..1_500 {
                tx.insert_user(&user(&format!("x{n}")), 0)?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    assert_eq!(store.count_users().unwrap(), 1_501);
    assert_eq!(store.users_changed_since(0).unwrap().len(), 1_501);
    // Stamps 1 (the first user), then 2, 3, … 1501: one per user.
    assert_eq!(store.last_change_ms().unwrap(), 1_501);
}

fn the_audit_log_cannot_be_rewritten(mut store: Store) {
    store
        .write(|tx| tx.append_audit(&audit(AuditAction::UserCreated, None)))
        .unwrap();
    for sql in ["DELETE FROM audit", "UPDATE audit SET actor = 'x'"] {
        let error = on_store!(store, db => db.exec(sql, &[])).unwrap_err();
        assert!(format!("{error:?}").contains("append-only"), "{error:?}");
    }
    assert_eq!(store.audit_all().unwrap().len(), 1);
}

fn two_users_cannot_share_a_visma_connect_address(mut store: Store) {
    let pending = |address: &str| VismaConnection::Unverified {
        email: Email::parse(address).unwrap(),
        sent_count: 0,
        last_sent_at: None,
    };
    let error = store
        .write(|tx| {
            let a = tx.insert_user(&user("1"), 0)?;
            let b = tx.insert_user(&user("2"), 0)?;
            tx.set_connection(a, &pending("anna@company.se"), 0)?;
            tx.set_connection(b, &pending("ANNA@Company.se"), 0)
        })
        .err()
        .unwrap();
    assert!(
        error.to_string().contains("belongs to another user"),
        "{error}"
    );
    assert_eq!(store.count_users().unwrap(), 0);
}

fn users_round_trip_with_their_connection(mut store: Store) {
    let since = Timestamp::from_second(1_700_000_000).unwrap();
    let connected = VismaConnection::Connected {
        email: Email::parse("anna@company.se").unwrap(),
        since,
        by: ConnectedBy::VerifiedDomain,
    };
    let key = store
        .write(|tx| {
            let key = tx.insert_user(&user("14"), 0)?;
            tx.set_connection(key, &connected, 0)?;
            Ok::<_, StoreError>(key)
        })
        .unwrap();
    let record = store.user(key).unwrap().unwrap();
    assert_eq!(record.user, user("14"));
    assert_eq!(record.connection, connected);
}

use crate::domain::ConnectedBy;

fn users_are_read_by_their_keys_at_once(mut store: Store) {
    let keys = store
        .write(|tx| {
            Ok::<_, StoreError>([
                tx.insert_user(&user("1"), 0)?,
                tx.insert_user(&user("2"), 0)?,
                tx.insert_user(&user("3"), 0)?,
            ])
        })
        .unwrap();
    let gone = UserKey(keys[2].0 + 1000);
    let mut found: Vec<String> = store
        .users_by_keys(&[keys[2], gone, keys[0]])
        .unwrap()
        .into_iter()
        .map(|record| record.user.user_id.as_str().to_owned())
        .collect();
    found.sort();
    assert_eq!(found, ["1", "3"], "the two that exist, not the missing key");
    assert!(store.users_by_keys(&[]).unwrap().is_empty());
}

fn change_stamps_grow_and_find_changed_users(mut store: Store) {
    let (a, b) = store
        .write(|tx| {
            Ok::<_, StoreError>((
                tx.insert_user(&user("1"), 5)?,
                tx.insert_user(&user("2"), 5)?,
            ))
        })
        .unwrap();
    let stamp = store.last_change_ms().unwrap();
    assert!(
        stamp > 5,
        "two users in the same millisecond get growing stamps"
    );
    assert!(store.users_changed_since(stamp).unwrap().is_empty());
    store.write(|tx| tx.update_user(b, &user("2b"), 1)).unwrap();
    let changed = store.users_changed_since(stamp).unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].key, b);
    assert_ne!(changed[0].key, a);
    assert!(store.last_change_ms().unwrap() > stamp);
    // A later transaction's users (with a clock behind) are above
    // everything committed before it, each one found once.
    let before = store.last_change_ms().unwrap();
    let (c, d) = store
        .write(|tx| {
            Ok::<_, StoreError>((
                tx.insert_user(&user("3"), 1)?,
                tx.insert_user(&user("4"), 1)?,
            ))
        })
        .unwrap();
    let mut changed: Vec<UserKey> = store
        .users_changed_since(before)
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect();
    changed.sort_by_key(|k| k.0);
    assert_eq!(changed, vec![c, d]);
}

fn settings_round_trip(mut store: Store) {
    store
        .write(|tx| {
            tx.set_setting(SettingKey::SenderName, Some("HR"))?;
            tx.set_setting(SettingKey::SenderName, Some("Personalavdelningen"))?;
            tx.set_setting(SettingsRow::DemoRegister, Some("true"))?;
            tx.set_setting(SettingsRow::DemoRegister, None)
        })
        .unwrap();
    assert_eq!(
        store.setting(SettingKey::SenderName).unwrap().as_deref(),
        Some("Personalavdelningen")
    );
    assert_eq!(store.setting(SettingsRow::DemoRegister).unwrap(), None);
    assert_eq!(
        store.load_settings().unwrap().sender_name,
        "Personalavdelningen"
    );
}

/// Anna, unverified with four verifications queued, and Bo.
fn anna_with_four_queued(store: &mut Store, now: Timestamp) -> (UserKey, UserKey, Email) {
    use crate::domain::MessageKind;
    let anna = Email::parse("anna@company.se").unwrap();
    let unverified = VismaConnection::Unverified {
        email: anna.clone(),
        sent_count: 0,
        last_sent_at: None,
    };
    let (anna_key, bo_key) = store
        .write(|tx| {
            let anna_key = tx.insert_user(&user("1"), 0)?;
            tx.set_connection(anna_key, &unverified, 0)?;
            let bo_key = tx.insert_user(&user("2"), 0)?;
            for n in 0..4 {
                tx.queue_message(
                    MessageKind::Verification,
                    Some(anna_key),
                    &anna,
                    &format!("<{n}@x>"),
                    now,
                )?;
            }
            Ok::<_, StoreError>((anna_key, bo_key))
        })
        .unwrap();
    (anna_key, bo_key, anna)
}

fn a_group_of_answers_is_recorded_as_one_call_per_answer_would(mut store: Store) {
    use crate::domain::DeliveryState;
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let (anna_key, bo_key, anna) = anna_with_four_queued(&mut store, now);
    let lease = now + jiff::SignedDuration::from_secs(30);
    let claimed = store
        .write(|tx| tx.claim_due("w-1", now, lease, 10))
        .unwrap();
    let ids: Vec<OutboxId> = claimed.iter().map(|m| m.id).collect();
    assert_eq!(ids.len(), 4);
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "claimed in queue order: {ids:?}"
    );

    // Users by key: the unknown one is left out.
    let found = store.write(|tx| tx.users_by_keys(&[anna_key, bo_key, UserKey(999_999)]));
    assert_eq!(found.unwrap().len(), 2);

    // Answers: sent twice to the same user counts two; one queued again,
    // one failed and flagged.
    let retry = now + jiff::SignedDuration::from_mins(5);
    let answer = |id, state, result: &str, next, possible_duplicate| AnswerRecord {
        delivery: Delivery {
            id,
            state,
            result: result.into(),
            next_attempt_at: next,
            possible_duplicate,
        },
        delivered: state == DeliveryState::Sent,
        counts_for: (state == DeliveryState::Sent).then(|| (anna_key, anna.key().to_owned())),
        audit: None,
    };
    // Another worker records and marks nothing of w-1's messages.
    let marked = store
        .commit_outbox_group(
            "w-2",
            &[answer(
                ids[0],
                DeliveryState::Queued,
                "451 x",
                Some(retry),
                false,
            )],
            &ids[..3],
            now,
        )
        .unwrap();
    assert!(marked.is_empty());
    assert_eq!(
        store
            .outbox(10)
            .unwrap()
            .iter()
            .filter(|m| m.state == DeliveryState::Sending)
            .count(),
        4
    );
    let marked = store
        .commit_outbox_group(
            "w-1",
            &[
                answer(ids[0], DeliveryState::Sent, "250 first", None, false),
                answer(ids[1], DeliveryState::Sent, "250 second", None, false),
                answer(
                    ids[2],
                    DeliveryState::Queued,
                    "451 later",
                    Some(retry),
                    false,
                ),
                answer(ids[3], DeliveryState::Failed, "550 no", None, true),
            ],
            &[],
            now,
        )
        .unwrap();
    assert!(marked.is_empty());
    let messages = store.outbox(10).unwrap();
    let by_id = |id: OutboxId| messages.iter().find(|m| m.id == id).unwrap();
    assert_eq!(by_id(ids[0]).state, DeliveryState::Sent);
    assert_eq!(by_id(ids[0]).last_result.as_deref(), Some("250 first"));
    assert_eq!(by_id(ids[0]).sent_at, Some(now));
    assert_eq!(by_id(ids[2]).state, DeliveryState::Queued);
    assert_eq!(by_id(ids[2]).next_attempt_at, retry);
    assert_eq!(by_id(ids[3]).state, DeliveryState::Failed);
    assert!(by_id(ids[3]).possible_duplicate);
    assert!(!by_id(ids[0]).possible_duplicate);
    assert_eq!(
        store.user(anna_key).unwrap().unwrap().connection,
        VismaConnection::Unverified {
            email: anna.clone(),
            sent_count: 2,
            last_sent_at: Some(now),
        }
    );
}

fn a_group_commit_records_flags_counts_audits_and_marks_at_once(mut store: Store) {
    use crate::domain::{AuditAction, DeliveryState};
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let (anna_key, _, anna) = anna_with_four_queued(&mut store, now);
    let lease = now + jiff::SignedDuration::from_secs(30);
    let mine = store
        .write(|tx| tx.claim_due("w-1", now, lease, 3))
        .unwrap();
    let theirs = store
        .write(|tx| tx.claim_due("w-2", now, lease, 1))
        .unwrap();
    let (sent, failed, to_send) = (mine[0].id, mine[1].id, mine[2].id);
    let taken = theirs[0].id;
    let answer = |id, state, delivered, counts: bool, action: Option<AuditAction>| AnswerRecord {
        delivery: Delivery {
            id,
            state,
            result: format!("{id} answered"),
            next_attempt_at: None,
            possible_duplicate: false,
        },
        delivered,
        counts_for: counts.then(|| (anna_key, anna.key().to_owned())),
        audit: action.map(|action| audit(action, Some(anna_key))),
    };
    let marked = store
        .commit_outbox_group(
            "w-1",
            &[
                answer(
                    sent,
                    DeliveryState::Sent,
                    true,
                    true,
                    Some(AuditAction::MessageDelivered),
                ),
                answer(
                    failed,
                    DeliveryState::Failed,
                    false,
                    false,
                    Some(AuditAction::MessageFailed),
                ),
                // w-2 holds this one: w-1's answer is not recorded, only flagged.
                answer(
                    taken,
                    DeliveryState::Sent,
                    true,
                    true,
                    Some(AuditAction::MessageDelivered),
                ),
            ],
            &[to_send, taken],
            now,
        )
        .unwrap();
    assert_eq!(marked, [to_send], "only what w-1 holds is marked");
    let messages = store.outbox(10).unwrap();
    let by_id = |id: OutboxId| messages.iter().find(|m| m.id == id).unwrap();
    assert_eq!(by_id(sent).state, DeliveryState::Sent);
    assert_eq!(by_id(failed).state, DeliveryState::Failed);
    assert_eq!(
        by_id(taken).state,
        DeliveryState::Sending,
        "w-2 still holds it"
    );
    assert!(by_id(taken).possible_duplicate);
    assert!(!by_id(sent).possible_duplicate);
    assert_eq!(by_id(to_send).state, DeliveryState::Sending);
    assert!(matches!(
        store.user(anna_key).unwrap().unwrap().connection,
        VismaConnection::Unverified { sent_count: 1, .. }
    ));
    let actions: Vec<AuditAction> = store
        .audit_for(anna_key)
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect();
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert!(actions.contains(&AuditAction::MessageDelivered));
    assert!(actions.contains(&AuditAction::MessageFailed));
}

fn new_tokens_of_one_user_leave_only_the_latest_usable(mut store: Store) {
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let anna = Email::parse("anna@company.se").unwrap();
    let anna_key = store.write(|tx| tx.insert_user(&user("1"), 0)).unwrap();
    // Tokens: two new ones for the same user leave only the later usable,
    // and an older one is superseded.
    let token = |n: u8| NewToken {
        hash: [n; 32],
        key: anna_key,
        email_key: anna.key().to_owned(),
        expires_at: now + jiff::SignedDuration::from_hours(24),
        purpose: if n == 3 {
            TokenPurpose::Relink
        } else {
            TokenPurpose::Verification
        },
    };
    store.write(|tx| tx.issue_tokens(&[token(1)], now)).unwrap();
    let later = now + jiff::SignedDuration::from_secs(1);
    store
        .write(|tx| tx.issue_tokens(&[token(2), token(3)], later))
        .unwrap();
    let superseded = |n: u8| store.token(&[n; 32]).unwrap().unwrap().superseded_at;
    assert_eq!(superseded(1), Some(later));
    assert_eq!(superseded(2), Some(later));
    assert_eq!(superseded(3), None);
    // Each keeps its purpose (a relink invitation works only on its page).
    assert_eq!(
        store.token(&[3; 32]).unwrap().unwrap().purpose,
        TokenPurpose::Relink
    );
    assert_eq!(
        store.token(&[1; 32]).unwrap().unwrap().purpose,
        TokenPurpose::Verification
    );
}

fn the_outbox_claims_each_message_once(mut store: Store) {
    use crate::domain::{DeliveryState, MessageKind};
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let to = Email::parse("anna@company.se").unwrap();
    store
        .write(|tx| {
            for n in 0..3 {
                tx.queue_message(
                    MessageKind::Verification,
                    None,
                    &to,
                    &format!("<{n}@x>"),
                    now,
                )?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let lease = now + jiff::SignedDuration::from_secs(30);
    let first = store
        .write(|tx| tx.claim_due("w-1", now, lease, 2))
        .unwrap();
    let second = store
        .write(|tx| tx.claim_due("w-2", now, lease, 5))
        .unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(second.len(), 1);
    assert!(
        first
            .iter()
            .all(|m| m.state == DeliveryState::Sending && m.attempts == 1)
    );
    assert!(!first.iter().any(|m| m.id == second[0].id));
    assert!(
        store
            .write(|tx| tx.mark_handed_over(first[0].id, "w-1"))
            .unwrap()
    );
    assert!(
        !store
            .write(|tx| tx.mark_handed_over(first[0].id, "w-2"))
            .unwrap()
    );
    store
        .write(|tx| tx.record_delivery(first[0].id, DeliveryState::Sent, "250 ok", None, now))
        .unwrap();
    // w-1's lease runs out: its other message goes back, not flagged (never handed over).
    let later = lease + jiff::SignedDuration::from_secs(1);
    assert!(store.has_expired_leases(later).unwrap());
    let (taken, flagged) = store.write(|tx| tx.take_back_expired(later)).unwrap();
    assert_eq!((taken, flagged), (2, 0));
    assert_eq!(store.queued_count().unwrap(), 2);
    let messages = store.outbox(10).unwrap();
    assert_eq!(
        messages
            .iter()
            .filter(|m| m.state == DeliveryState::Sent)
            .count(),
        1
    );
}

#[test]
fn a_shared_register_database_with_other_tables_is_refused() {
    let location = crate::testing::fresh_database_or_panic();
    let Location::Shared(shared) = &location else {
        unreachable!()
    };
    let mut client = ::postgres::Client::connect(shared.url(), ::postgres::NoTls).unwrap();
    client
        .batch_execute("CREATE TABLE invoices (id BIGINT)")
        .unwrap();
    let error = Store::open(&location).err().unwrap();
    assert!(
        matches!(error, StoreError::ForeignDatabase { .. }),
        "{error}"
    );
    let tables: i64 = client
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 1, "nothing was created");
}

#[test]
fn a_shared_register_of_a_newer_version_is_refused() {
    let location = crate::testing::fresh_database_or_panic();
    let store = Store::open(&location).unwrap();
    assert_eq!(store.version().unwrap(), latest_version());
    on_store!(store, db => db.exec("UPDATE hrm_register SET version = version + 1", &[])).unwrap();
    let error = Store::open(&location).err().unwrap();
    assert!(matches!(error, StoreError::TooNew { .. }), "{error}");
}

#[test]
fn opening_an_up_to_date_shared_register_does_not_wait_for_a_writer() {
    let location = crate::testing::fresh_database_or_panic();
    let mut writer = Store::open(&location).unwrap();
    // A long writer elsewhere (an import) holds the register's write lock.
    let (started, holding) = std::sync::mpsc::channel();
    let (finish, done) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::Builder::new()
        .name("long-writer".into())
        .spawn(move || {
            writer
                .write(|_tx| {
                    started.send(()).unwrap();
                    done.recv().unwrap();
                    Ok::<_, StoreError>(())
                })
                .unwrap();
        })
        .unwrap();
    holding.recv().unwrap();
    let (opened, open) = std::sync::mpsc::channel();
    let opening = location.clone();
    std::thread::Builder::new()
        .name("opener".into())
        .spawn(move || {
            let _ = opened.send(Store::open(&opening).map(|s| s.count_users().unwrap()));
        })
        .unwrap();
    // Well within the 30 s lock wait: opening does not queue behind it.
    let result = open.recv_timeout(std::time::Duration::from_secs(10));
    finish.send(()).unwrap();
    holder.join().unwrap();
    assert_eq!(
        result
            .expect("opened while the writer held the lock")
            .unwrap(),
        0
    );
}

#[test]
fn two_programs_opening_a_new_shared_register_at_once_migrate_it_once() {
    let location = crate::testing::fresh_database_or_panic();
    let openers: Vec<_> = (0..4)
        .map(|_| {
            let location = location.clone();
            std::thread::Builder::new()
                .spawn(move || Store::open(&location).map(|s| s.version().unwrap()))
                .unwrap()
        })
        .collect();
    for opener in openers {
        assert_eq!(opener.join().unwrap().unwrap(), latest_version());
    }
}

#[test]
fn an_unreachable_server_is_a_clear_error() {
    let error = Store::open(Location::parse(
        "postgres://hr:secret@127.0.0.1:1/hrm?sslmode=disable&connect_timeout=2",
    ))
    .err()
    .unwrap();
    let text = error.to_string();
    assert!(matches!(error, StoreError::Unreachable { .. }), "{text}");
    assert!(text.contains("postgres://hr@127.0.0.1:1/hrm"), "{text}");
    assert!(!text.contains("secret"), "{text}");
}

/// A lease far ahead (a damaged row, a host whose clock is years off) does
/// not keep a message `sending` for ever: past the longest lease any worker
/// takes, it counts as run out.
fn a_lease_far_in_the_future_is_taken_for_run_out(mut store: Store) {
    use crate::domain::{DeliveryState, MessageKind};
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let to = Email::parse("anna@company.se").unwrap();
    store
        .write(|tx| tx.queue_message(MessageKind::Verification, None, &to, "<far@x>", now))
        .unwrap();
    let year_2286 = Timestamp::from_second(9_999_999_999).unwrap();
    let claimed = store
        .write(|tx| tx.claim_due("w-far", now, year_2286, 10))
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(store.needs_take_back(now, "w-other").unwrap());
    let (taken, _) = store.write(|tx| tx.take_back_expired(now)).unwrap();
    assert_eq!(taken, 1);
    let message = store.outbox(1).unwrap().pop().unwrap();
    assert_eq!(message.state, DeliveryState::Queued);
    // A live lease is left alone.
    let live = now + jiff::SignedDuration::from_secs(30);
    store
        .write(|tx| tx.claim_due("w-live", now, live, 10))
        .unwrap();
    let (taken, _) = store.write(|tx| tx.take_back_expired(now)).unwrap();
    assert_eq!(taken, 0);
}

/// One row the program cannot read (a recipient or a connection address
/// that is not an address, written by hand) is left out: the other users
/// still load, the other messages are still claimed, and the damaged
/// message fails with the reason instead of being claimed for ever.
/// On a shared register `db status` reads only the rows no plain pattern
/// vouches for: an unusual row the program reads is no damage, a damaged
/// one is (the counts as the program's own reading gives them).
fn db_status_tells_unusual_rows_from_damaged_ones(mut store: Store) {
    use crate::domain::{Connection, MessageKind, UserDraft};
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let to = Email::parse("anna@company.se").unwrap();
    // An international domain, capitals, a space in the User-ID, the 31st
    // of a month, a punycode domain.
    let unusual = UserDraft {
        user_id: "A 7".into(),
        first_name: "Ünal".into(),
        email: "Unal.Ozturk@Företaget.se".into(),
        employment_ends: "2027-01-31".into(),
        ..UserDraft::new_user()
    };
    let valid = unusual.validate().unwrap();
    store
        .write(|tx| {
            let key = tx.insert_user(&valid.user, 0)?;
            tx.add_connection(
                key,
                &Connection::Unverified {
                    email: Email::parse("klara.sjöberg@xn--fretaget-n4a.se").unwrap(),
                    sent_count: 0,
                    last_sent_at: None,
                },
                0,
            )?;
            tx.queue_message(MessageKind::Verification, Some(key), &to, "<a@x>", now)?;
            tx.queue_message(MessageKind::Verification, None, &to, "<b@x>", now)?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let damage = |store: &Store| {
        let status = store.status().unwrap();
        (status.damaged_users, status.damaged_messages)
    };
    assert_eq!(damage(&store), (0, 0));
    // A 30th of February; a one-letter top-level domain.
    on_store!(store, db => db.exec(
        "UPDATE users SET employment_ends = 20270230 WHERE user_id = 'A 7'",
        &[],
    ))
    .unwrap();
    on_store!(store, db => db.exec(
        "UPDATE outbox SET recipient = 'anna@company.s' WHERE message_id = '<b@x>'",
        &[],
    ))
    .unwrap();
    assert_eq!(damage(&store), (1, 1));
    assert_eq!(store.load_users().unwrap().len(), 0);
    assert_eq!(store.outbox(10).unwrap().len(), 1);
}

fn a_damaged_row_is_left_out_and_never_stops_the_rest(mut store: Store) {
    use crate::domain::{Connection, DeliveryState, MessageKind, UserDraft};
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let to = Email::parse("anna@company.se").unwrap();
    let mut keys = Vec::new();
    for (id, address) in [("1", "one@company.se"), ("2", "two@company.se")] {
        let draft = UserDraft {
            user_id: id.into(),
            first_name: "Test".into(),
            ..UserDraft::new_user()
        };
        let valid = draft.validate().unwrap();
        let key = store
            .write(|tx| {
                let key = tx.insert_user(&valid.user, 0)?;
                tx.add_connection(
                    key,
                    &Connection::Unverified {
                        email: Email::parse(address).unwrap(),
                        sent_count: 0,
                        last_sent_at: None,
                    },
                    0,
                )?;
                Ok::<_, StoreError>(key)
            })
            .unwrap();
        keys.push(key);
    }
    store
        .write(|tx| {
            tx.queue_message(MessageKind::Verification, None, &to, "<good@x>", now)?;
            tx.queue_message(MessageKind::Verification, None, &to, "<bad@x>", now)?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
    on_store!(store, db => db.exec(
        "UPDATE outbox SET recipient = 'not an address' WHERE message_id = '<bad@x>'",
        &[],
    ))
    .unwrap();
    on_store!(store, db => db.exec(
        "UPDATE connections SET email = 'broken' WHERE user_key = ?1",
        params![keys[0].0],
    ))
    .unwrap();

    let status = store.status().unwrap();
    assert_eq!(
        (status.damaged_users, status.damaged_messages),
        (1, 1),
        "db status counts the rows that cannot be read"
    );
    let users = store.load_users().unwrap();
    assert_eq!(users.len(), 1, "the readable user still loads");
    assert_eq!(users[0].key, keys[1]);
    assert_eq!(
        store.outbox(10).unwrap().len(),
        1,
        "the listing still works"
    );
    let lease = now + jiff::SignedDuration::from_secs(30);
    let claimed = store
        .write(|tx| tx.claim_due("w-1", now, lease, 10))
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].message_id, "<good@x>");
    let failed = on_store!(store, db => db.fetch_int(
        "SELECT count(*) FROM outbox WHERE state = 'failed' AND owner IS NULL",
        &[],
    ))
    .unwrap();
    assert_eq!(failed, 1, "the damaged message failed with the reason");
    let again = store
        .write(|tx| tx.claim_due("w-2", now, lease, 10))
        .unwrap();
    assert!(again.is_empty());
    assert_eq!(claimed[0].state, DeliveryState::Sending);
}
