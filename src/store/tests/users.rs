//! Store tests of users and what goes with them, on both backends: the
//! operator's lookup, roles, account codes, the audit row in its change's
//! transaction, held changes, change stamps, settings.

use jiff::Timestamp;

use crate::domain::ConnectedBy;
use crate::domain::settings::SettingsRow;
use crate::domain::{AuditAction, SettingKey};
use crate::store::db::Sql as _;
use crate::store::*;

use super::*;

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

/// A change of many new users (on PostgreSQL, more than go by single
/// statements: the first rows held as values, the rest encoded for a COPY)
/// lands whole: each user with their pending address and audit row, the
/// stamps growing in key order above every stamp committed before, even
/// with a clock far behind.
fn a_change_of_many_users_lands_whole_with_growing_stamps(mut store: Store) {
    const MANY: usize = 2_500;
    store
        .write(|tx| tx.insert_user(&user("early"), 9_000_000_000_000))
        .unwrap();
    let before = store.last_change_ms().unwrap();
    let keys = store
        .write(|tx| {
            let mut keys = Vec::new();
            for n in 0..MANY {
                let key = tx.insert_user(&user(&format!("u{n}")), 1)?;
                let address = Email::parse(&format!("user.{n}@company.se")).unwrap();
                let pending = VismaConnection::Unverified {
                    email: address,
                    sent_count: 0,
                    last_sent_at: None,
                };
                tx.add_connection(key, &pending, 1)?;
                tx.append_audit(&audit(AuditAction::UserCreated, Some(key)))?;
                keys.push(key);
            }
            Ok::<_, StoreError>(keys)
        })
        .unwrap();
    let mut changed = store.users_changed_since(before).unwrap();
    assert_eq!(changed.len(), MANY);
    changed.sort_by_key(|record| record.key.0);
    assert_eq!(
        changed.iter().map(|record| record.key).collect::<Vec<_>>(),
        keys
    );
    for (n, record) in changed.iter().enumerate() {
        assert_eq!(record.user.user_id.to_string(), format!("u{n}"));
        assert_eq!(
            record.connection.email().map(Email::as_str),
            Some(format!("user.{n}@company.se").as_str())
        );
    }
    let stamps = on_store!(store, db => db.fetch(
        "SELECT updated_at_ms FROM users WHERE key >= ?1 ORDER BY key",
        params![keys[0].0],
        |row| row.int(0)
    ))
    .unwrap();
    assert_eq!(stamps.len(), MANY);
    assert!(stamps[0] > before, "above what was committed before");
    assert!(stamps.windows(2).all(|pair| pair[0] < pair[1]), "growing");
    assert_eq!(store.audit_for(keys[MANY - 1]).unwrap().len(), 1);
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

/// What an import plans and commits by, read together (one round trip on
/// PostgreSQL, as texts), is what the reads one by one read: a role with
/// dates and limits, another user's role, a changed setting, the stamp.
/// (The window's import applies its dry run's plan, and the plan refuses a
/// row that changes a role holder's login field by these roles.)
fn an_imports_reads_together_are_the_reads_one_by_one(mut store: Store) {
    use crate::domain::roles::{Assignment, Scope};
    let (anna, _) = store
        .write(|tx| {
            let anna = tx.insert_user(&user("1"), 5)?;
            let bo = tx.insert_user(&user("2"), 7)?;
            let limited = Assignment {
                valid_to: jiff::civil::Date::new(2031, 1, 31).ok(),
                scope: Scope {
                    departments: vec!["HR".into()],
                    offices: vec!["Lund".into(), "Umeå".into()],
                },
                ..Assignment::new("hr_administrator")
            };
            tx.set_roles(anna, &[limited], 1)?;
            tx.set_roles(bo, &[Assignment::new("system_administrator")], 1)?;
            tx.set_setting(SettingKey::SenderName, Some("Personalavdelningen"))?;
            Ok::<_, StoreError>((anna, bo))
        })
        .unwrap();
    let together = store.import_reads().unwrap();
    assert_eq!(together.all_roles.len(), 2);
    assert_eq!(together.all_roles, store.all_roles().unwrap());
    assert_eq!(together.all_roles[0].0, anna);
    assert_eq!(together.settings, store.load_settings().unwrap());
    assert_eq!(together.settings.sender_name, "Personalavdelningen");
    assert_eq!(
        together.change_and_count,
        (store.last_change_ms().unwrap(), 2)
    );
}

/// The identity provider's accounts of some users are read together: those
/// asked for that have one, each once, whatever the keys' order or repeats.
fn identity_provider_accounts_are_read_by_their_keys_at_once(mut store: Store) {
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let keys = store
        .write(|tx| {
            let mut keys = Vec::new();
            for (id, address) in [("1", "a@company.se"), ("2", "b@company.se"), ("3", "")] {
                let key = tx.insert_user(&user(id), 0)?;
                if !address.is_empty() {
                    let connected = VismaConnection::Connected {
                        email: Email::parse(address).unwrap(),
                        since: now,
                        by: ConnectedBy::VerifiedDomain,
                    };
                    tx.set_connection(key, &connected, 0)?;
                    tx.mark_idp_push(key, now)?;
                }
                keys.push(key);
            }
            Ok::<_, StoreError>(keys)
        })
        .unwrap();
    assert!(store.idp_accounts_of(&[]).unwrap().is_empty());
    let mut found: Vec<(i64, String)> = store
        .idp_accounts_of(&[keys[2], keys[1], keys[0], keys[1], UserKey(999_999)])
        .unwrap()
        .into_iter()
        .map(|account| (account.user_key.0, account.external_id))
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![(keys[0].0, "1".to_owned()), (keys[1].0, "2".to_owned())]
    );
}

on_both_backends!(
    a_change_of_many_users_lands_whole_with_growing_stamps,
    an_imports_reads_together_are_the_reads_one_by_one,
    identity_provider_accounts_are_read_by_their_keys_at_once,
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
    users_roles_round_trip_and_go_with_the_user,
    account_codes_and_audit_rights_round_trip,
    the_operator_is_found_by_the_field_the_setting_names,
);
