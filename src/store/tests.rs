//! Store tests: opening files of every kind, migrations, and the audit row
//! that shares its change's transaction.

use super::*;
use crate::domain::{AuditAction, User, UserId};

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

#[test]
fn a_new_file_gets_the_latest_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("register.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.version().unwrap(), latest_version());
    assert_eq!(store.count_users().unwrap(), 0);
    let mode: String = store
        .conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let foreign_keys: i64 = store
        .conn
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

#[test]
fn the_audit_row_commits_with_its_change() {
    let mut store = Store::open_in_memory().unwrap();
    let key = store
        .write(|tx| {
            let key = tx.insert_user(&user("14"), 0)?;
            tx.append_audit(&audit(AuditAction::UserCreated, Some(key)))?;
            Ok::<_, StoreError>(key)
        })
        .unwrap();
    assert_eq!(store.audit_for(key).unwrap().len(), 1);
}

#[test]
fn a_failed_change_leaves_no_audit_row() {
    let mut store = Store::open_in_memory().unwrap();
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

#[test]
fn the_audit_log_cannot_be_rewritten() {
    let mut store = Store::open_in_memory().unwrap();
    store
        .write(|tx| tx.append_audit(&audit(AuditAction::UserCreated, None)))
        .unwrap();
    let error = store.conn.execute("DELETE FROM audit", []).unwrap_err();
    assert!(error.to_string().contains("append-only"));
    let error = store
        .conn
        .execute("UPDATE audit SET actor = 'x'", [])
        .unwrap_err();
    assert!(error.to_string().contains("append-only"));
}

#[test]
fn two_users_cannot_share_a_visma_connect_address() {
    let mut store = Store::open_in_memory().unwrap();
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

#[test]
fn users_round_trip_with_their_connection() {
    let mut store = Store::open_in_memory().unwrap();
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
