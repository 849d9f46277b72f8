//! Store tests: opening files of every kind, migrations, and the audit row
//! that shares its change's transaction.

use crate::domain::{AuditAction, Connection as VismaConnection, Email, User, UserId};

use super::db::Sql as _;
use super::file::migrate;
use super::*;

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

/// A writer that commits and begins again at once (a bulk send queueing
/// chunk after chunk) does not keep a register file from another writer of
/// the same program (the window's own connection, which waits 2 s; here a
/// quarter of a second): the other's change goes in between two of its
/// transactions. With SQLite's polling alone, the other writer's tries
/// rarely met the moment between two transactions, and it was told the
/// register is locked.
#[test]
fn a_writer_that_begins_again_at_once_lets_the_programs_other_writers_in() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    let mut busy = Store::open(&path).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (stop, written) = (Arc::clone(&stop), Arc::clone(&written));
        std::thread::Builder::new()
            .name("busy-writer".into())
            .spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    busy.write(|_| {
                        std::thread::sleep(Duration::from_millis(5));
                        Ok::<_, StoreError>(())
                    })
                    .unwrap();
                    written.fetch_add(1, Ordering::SeqCst);
                }
            })
            .unwrap()
    };
    while written.load(Ordering::SeqCst) < 3 {
        std::thread::sleep(Duration::from_millis(1));
    }
    let mut other = Store::open(&path).unwrap();
    other.set_busy_timeout(Duration::from_millis(250)).unwrap();
    let outcomes: Vec<Result<(), StoreError>> = (0..40)
        .map(|_| other.write(|_| Ok::<_, StoreError>(())))
        .collect();
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    for outcome in outcomes {
        assert!(outcome.is_ok(), "{outcome:?}");
    }
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

mod outbox;
mod users;

/// A new shared register at the latest version, and a connection to it as
/// its owner for what the program would never write.
fn new_shared_register() -> ::postgres::Client {
    let location = crate::testing::fresh_database_or_panic();
    drop(Store::open(&location).unwrap());
    let Location::Shared(shared) = &location else {
        unreachable!()
    };
    ::postgres::Client::connect(shared.url(), ::postgres::NoTls).unwrap()
}

/// PostgreSQL's plan for `statement`, its lines joined.
fn explain(client: &mut ::postgres::Client, statement: &str) -> String {
    client
        .query(&format!("EXPLAIN {statement}"), &[])
        .unwrap()
        .iter()
        .map(|row| row.get::<_, String>(0))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A bulk send's statements are planned once, on a shared register often
/// while the outbox is still empty: then too, adopting the messages that
/// still wait reads them by user and a claim reads the due ones in order
/// (with one index on the state, each batch of 200 users read every queued
/// message, and each claim sorted them all). Adopting sorts only the
/// messages of its users, to lock them in the order of their keys.
#[test]
fn an_outbox_planned_empty_is_read_by_user_and_in_order() {
    let mut client = new_shared_register();
    client
        .batch_execute("SET plan_cache_mode = force_generic_plan")
        .unwrap();
    for (sql, types, index, sorts) in [
        (
            super::outbox::queue::ADOPT_WAITING.to_owned(),
            "bigint[], text",
            "outbox_waiting",
            true,
        ),
        (
            super::outbox::claim_sql(" FOR UPDATE SKIP LOCKED"),
            "bigint, bigint, text, bigint",
            "outbox_due",
            false,
        ),
    ] {
        client
            .batch_execute(&format!(
                "DEALLOCATE ALL; PREPARE planned({types}) AS {}",
                super::db::postgres_text(&sql)
            ))
            .unwrap();
        let arguments = if types.starts_with("bigint[]") {
            "'{1, 2, 3}', 'bulk'"
        } else {
            "0, 200, 'w', 0"
        };
        let plan = explain(&mut client, &format!("EXECUTE planned({arguments})"));
        assert!(plan.contains(index), "{index} is not used:\n{plan}");
        assert_eq!(plan.contains("Sort"), sorts, "{plan}");
        assert!(!plan.contains("Seq Scan"), "{plan}");
    }
}

/// The outbox worker's connection plans by key (`Store::prefer_key_lookups`):
/// a bulk send's group commit is planned once, while the outbox is still
/// nearly empty, and that plan is kept as the outbox fills. Planned so, it
/// still finds each message by its key; left to the planner, it scanned
/// the whole outbox for each group of answers.
#[test]
fn the_workers_group_commit_finds_each_message_by_its_key() {
    let location = crate::testing::fresh_database_or_panic();
    let mut store = Store::open(&location).unwrap();
    store.prefer_key_lookups().unwrap();
    let Backend::Postgres(pg) = &store.backend else {
        unreachable!("a shared register")
    };
    let mut client = pg.client.borrow_mut();
    // The first messages of a send, queued and counted by the server.
    client
        .batch_execute(
            "INSERT INTO users (user_id, activated, created_at_ms, updated_at_ms)
                 SELECT n::text, 1, 0, 0 FROM generate_series(1, 4) AS n;
             INSERT INTO outbox (message_id, kind, user_key, recipient, state,
                                 next_attempt_at_ms, created_at_ms)
                 SELECT '<' || key || '@x>', 'verification', key, key || '@example.org',
                        'queued', 0, 0 FROM users;
             ANALYZE",
        )
        .unwrap();
    client
        .batch_execute(&format!(
            "PREPARE planned(bigint[], text[], text[], bigint[], bigint[], bigint[], bigint[], \
             text[], bigint[], text[], text[], bigint[], text[], text[], text[], bigint, text, \
             bigint[]) AS {}",
            super::db::postgres_text(super::outbox::GROUP_COMMIT)
        ))
        .unwrap();
    let plan = explain(
        &mut client,
        "EXECUTE planned('{1, 2}', '{sent, sent}', '{250 ok, 250 ok}', '{NULL, NULL}', \
         '{0, 0}', '{1, 1}', '{1, 2}', '{a@example.org, b@example.org}', '{5, 5}', \
         '{w, w}', '{message_delivered, message_delivered}', '{1, 2}', '{1, 2}', \
         '{NULL, NULL}', '{NULL, NULL}', 5, 'w-1', '{3, 4}')",
    );
    assert!(!plan.contains("Seq Scan on outbox"), "{plan}");
    assert!(!plan.contains("Bitmap"), "{plan}");
    assert_eq!(
        plan.matches("Index Scan using outbox_pkey").count(),
        3,
        "answers, messages taken back and hand-overs found by key:\n{plan}"
    );
}

/// A worker's connection made anew (the server restarted, the link broke)
/// plans by key again, as the one it replaced.
#[test]
fn a_workers_connection_made_anew_still_plans_by_key() {
    let location = crate::testing::fresh_database_or_panic();
    let mut store = Store::open(&location).unwrap();
    store.prefer_key_lookups().unwrap();
    let setting = |store: &Store| {
        let Backend::Postgres(pg) = &store.backend else {
            unreachable!("a shared register")
        };
        let row = pg.client.borrow_mut().query_one("SHOW enable_seqscan", &[]);
        (pg.backend_pid, row.map(|row| row.get::<_, String>(0)))
    };
    let (pid, before) = setting(&store);
    assert_eq!(before.unwrap(), "off");
    let Location::Shared(shared) = &location else {
        unreachable!()
    };
    let mut owner = ::postgres::Client::connect(shared.url(), ::postgres::NoTls).unwrap();
    owner
        .execute("SELECT pg_terminate_backend($1)", &[&pid])
        .unwrap();
    assert!(!store.is_reachable());
    store.reconnect_if_lost().unwrap();
    let (new_pid, after) = setting(&store);
    assert_ne!(new_pid, pid, "a new connection");
    assert_eq!(after.unwrap(), "off");
}

/// On a shared register a login is found through its field's hash index
/// (migration 19), by the lookup and by the policies' `hrm_operator`,
/// whichever login field is set, and finds the right user. Among 100,000
/// users: with `min(key)` the planner walked every user in key order
/// instead of reading the partial index.
#[test]
fn a_login_is_found_through_its_hash_index() {
    let mut client = new_shared_register();
    client
        .batch_execute(
            "INSERT INTO users (user_id, activated, alias_user_id, external_reference,
                                created_at_ms, updated_at_ms)
                 SELECT 'U' || n, 1, CASE WHEN n % 10 = 0 THEN 'Alias' || n ELSE '' END,
                        CASE WHEN n % 3 = 0 THEN 'Ref' || n ELSE '' END, 0, 0
                 FROM generate_series(1, 100000) AS n;
             UPDATE users SET alias_user_id = 'POSTGRES', external_reference = 'postgres',
                              user_id = 'Postgres'
                 WHERE user_id = 'U1500';
             ANALYZE",
        )
        .unwrap();
    let wanted: i64 = client
        .query_one("SELECT key FROM users WHERE user_id = 'Postgres'", &[])
        .unwrap()
        .get(0);
    // Each field's lookup, in another case than stored, finds user U2970.
    for (field, index, login) in [
        ("alias_user_id", "users_by_alias_login", "alias2970"),
        ("user_id", "users_by_user_id_login", "u2970"),
        ("external_reference", "users_by_reference_login", "REF2970"),
    ] {
        let definition: String = client
            .query_one(
                "SELECT indexdef FROM pg_indexes WHERE indexname = $1",
                &[&index],
            )
            .unwrap()
            .get(0);
        assert!(definition.contains("USING hash"), "{definition}");
        let mut tx = client.transaction().unwrap();
        tx.execute(
            "INSERT INTO settings (key, value) VALUES ('operator_field', $1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&field],
        )
        .unwrap();
        let row = tx
            .query_one(
                "SELECT hrm_user_key_by_login($1, $2),
                        (SELECT key FROM users WHERE user_id = 'U2970'),
                        hrm_operator()",
                &[&field, &login],
            )
            .unwrap();
        let (found, expected, operator): (Option<i64>, i64, Option<i64>) =
            (row.get(0), row.get(1), row.get(2));
        assert_eq!(found, Some(expected), "{field}");
        assert_eq!(operator, Some(wanted), "{field}");
        let scans: i64 = tx
            .query_one(
                "SELECT pg_stat_get_xact_numscans($1::text::regclass)",
                &[&index],
            )
            .unwrap()
            .get(0);
        assert!(scans >= 2, "{index} was scanned {scans} times");
        tx.commit().unwrap();
    }
}

/// Every function of a shared register that runs with the owner's rights
/// searches the session's temporary tables last (migration 21): a later
/// migration that replaced one with `SET search_path FROM CURRENT` would
/// let a login's temporary `users` or `user_roles` decide who is working.
#[test]
fn the_owners_functions_search_temporary_tables_last() {
    let mut client = new_shared_register();
    let rows = client
        .query(
            "SELECT p.proname, coalesce(array_to_string(p.proconfig, ' '), '')
             FROM pg_proc p
             WHERE p.pronamespace = current_schema()::regnamespace AND p.prosecdef
             ORDER BY 1",
            &[],
        )
        .unwrap();
    let functions: Vec<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert!(functions.len() >= 15, "{functions:?}");
    for (name, config) in &functions {
        assert!(
            config.contains("search_path=public, pg_temp"),
            "{name}: {config}"
        );
    }
    let create: bool = client
        .query_one(
            "SELECT has_schema_privilege('public', current_schema(), 'CREATE')",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(
        !create,
        "everyone may create objects in the register's schema"
    );
}

/// The register's rule for one department or office list (as stored, one
/// name per line) and a place: a blank list covers every place, names are
/// compared trimmed of spaces and in lower case (the test's names keep to
/// letters whose lower case every collation agrees on).
fn list_covers(list: &str, place: &str) -> bool {
    let normal = |name: &str| name.trim_matches(' ').to_lowercase();
    let items: Vec<String> = list.split('\n').map(normal).collect();
    items.join("\n").is_empty() || items.contains(&normal(place))
}

/// The department lists of roles the pattern test tries, as stored.
const ROLE_LISTS: [&str; 9] = [
    "",
    "  ",
    "lund",
    " LUND \nmalmö",
    "R&D (Lund)\na.b",
    "a*\n[x]\n\\",
    "\n",
    "lund\n",
    "ärende|öst",
];

/// The departments the pattern test tries.
const PLACES: [&str; 18] = [
    "lund",
    " Lund ",
    "LUND\tx",
    "malmö",
    "MALMö",
    "r&d (lund)",
    "aXb",
    "a.b",
    "a*",
    "aa",
    "[x]",
    "x",
    "\\",
    "",
    "lund\nmalmö",
    "\tlund",
    "ärende|öst",
    "ärende",
];

/// On a shared register a limited administrator's rows are checked against
/// one pattern per grant (migration 20), by an expression the policies
/// hold, not a function call per row; and the patterns keep the rules:
/// every listed name is a name, not a pattern (`a.b` is not `aXb`, `a*` is
/// not `aa`), a role's list and the assignment's both apply, a blank list
/// covers all, and a place with a tab or a new line in it is never taken
/// for another.
#[test]
fn a_limited_administrators_places_are_matched_as_names() {
    let mut client = new_shared_register();
    let offices = ["lund", "MALMö", "", "x\tlund"];
    let (departments, offices): (Vec<String>, Vec<String>) = PLACES
        .iter()
        .flat_map(|d| {
            offices
                .iter()
                .map(move |o| ((*d).to_owned(), (*o).to_owned()))
        })
        .unzip();
    let mut checked = 0;
    for role_departments in ROLE_LISTS {
        for held_departments in ["", "lund\nr&d (lund)\n[x]"] {
            for role_offices in ["", "malmö\nLund"] {
                for held_offices in ["", " lund"] {
                    let row = client
                        .query_one(
                            "SELECT array_agg(hrm_within(ARRAY[hrm_grant_pattern($1, $2, $3, $4)],
                                                         d, o) ORDER BY n)
                             FROM unnest($5::text[], $6::text[]) WITH ORDINALITY AS t (d, o, n)",
                            &[
                                &role_departments,
                                &role_offices,
                                &held_departments,
                                &held_offices,
                                &departments,
                                &offices,
                            ],
                        )
                        .unwrap();
                    let within: Vec<bool> = row.get(0);
                    for ((department, office), within) in
                        departments.iter().zip(&offices).zip(within)
                    {
                        let expected = list_covers(role_departments, department)
                            && list_covers(held_departments, department)
                            && list_covers(role_offices, office)
                            && list_covers(held_offices, office);
                        assert_eq!(
                            within, expected,
                            "{department:?} in {office:?} under {role_departments:?}/{held_departments:?}, {role_offices:?}/{held_offices:?}"
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert_eq!(checked, 9 * 8 * 18 * 4);
    // Several grants: any one covers; none: nothing is covered.
    let row = client
        .query_one(
            "SELECT hrm_within(ARRAY[hrm_grant_pattern('lund', '', '', ''),
                                     hrm_grant_pattern('', 'malmö', '', '')], 'Växjö', 'Malmö'),
                    hrm_within(ARRAY[hrm_grant_pattern('lund', '', '', ''),
                                     hrm_grant_pattern('', 'malmö', '', '')], 'Växjö', 'Lund'),
                    hrm_within('{}', 'lund', 'lund')",
            &[],
        )
        .unwrap();
    assert_eq!(
        (
            row.get::<_, bool>(0),
            row.get::<_, bool>(1),
            row.get::<_, bool>(2)
        ),
        (true, false, false)
    );
    // The policy holds the expression itself: no call per row.
    let plan = explain(
        &mut client,
        "(VERBOSE) SELECT count(*) FROM users
             WHERE hrm_within((SELECT hrm_limits('{users_edit}')), department, office)",
    );
    assert!(!plan.contains("hrm_within"), "{plan}");
    assert!(plan.contains("~ ANY"), "{plan}");
}

/// `db status` on a shared register finds the rows it cannot vouch for
/// through the partial indexes of migration 15, not by a pattern over every
/// row (0.15 s of 100,000 users), and the indexes' rules are the program's.
#[test]
fn db_status_reads_the_rows_in_doubt_through_their_indexes() {
    use crate::domain::{DeliveryState, MessageKind};
    let mut client = new_shared_register();
    client
        .batch_execute(
            "INSERT INTO users (user_id, activated, email, created_at_ms, updated_at_ms)
                 SELECT n::text, 1, 'user' || n || '@company.se', 0, 0
                 FROM generate_series(1, 2000) AS n;
             INSERT INTO connections (user_key, email, email_key, state, saved_at_ms)
                 SELECT key, email, email, 'unverified', 0 FROM users;
             INSERT INTO outbox (message_id, kind, user_key, recipient, state,
                                 next_attempt_at_ms, created_at_ms)
                 SELECT '<' || key || '@x>', 'verification', key, email, 'sent', 0, 0 FROM users;
             ANALYZE",
        )
        .unwrap();
    for (query, indexes) in [
        (
            super::transfer::users_in_doubt(),
            &["users_in_doubt", "connections_in_doubt"][..],
        ),
        (
            super::transfer::messages_in_doubt(),
            &["outbox_in_doubt"][..],
        ),
    ] {
        let plan = explain(&mut client, &query);
        for index in indexes {
            assert!(plan.contains(index), "{index} is not used:\n{plan}");
        }
        assert!(!plan.contains("Seq Scan"), "{plan}");
    }
    // The kinds, states and limits the indexes know are the program's.
    let codes = |codes: Vec<&str>| format!("('{}')", codes.join("', '"));
    let message = super::migrations::MESSAGE_IN_DOUBT;
    assert!(message.contains(&codes(MessageKind::ALL.iter().map(|k| k.code()).collect())));
    assert!(message.contains(&codes(
        DeliveryState::ALL.iter().map(|s| s.code()).collect()
    )));
    let limit = format!("<= {})", crate::domain::email::MAX_LOCAL_OCTETS);
    assert!(message.contains(&limit));
    assert!(super::migrations::CONNECTION_IN_DOUBT.contains(&limit));
    let user = super::migrations::USER_IN_DOUBT;
    assert!(user.contains(&limit));
    assert!(user.contains(&format!(
        "char_length(user_id) <= {}",
        crate::domain::user::MAX_USER_ID_CHARS
    )));
}

/// The SQLSTATE of a failed statement ("" if it has none).
fn sql_state(error: &::postgres::Error) -> String {
    error
        .code()
        .map(|code| code.code().to_owned())
        .unwrap_or_default()
}

/// A new shared register at the latest version, and its URL (to connect
/// to it as its owner more than once).
fn new_shared_register_url() -> String {
    let location = crate::testing::fresh_database_or_panic();
    drop(Store::open(&location).unwrap());
    let Location::Shared(shared) = &location else {
        unreachable!()
    };
    shared.url().to_owned()
}

/// Writes user `key` (User-ID the key) as the owner would.
fn add_user(client: &mut impl ::postgres::GenericClient, key: i64) {
    client
        .execute(
            "INSERT INTO users (key, user_id, activated, created_at_ms, updated_at_ms)
             VALUES ($1, $1::bigint::text, 1, 0, 0)",
            &[&key],
        )
        .unwrap();
}

/// Adds a connection for user `key` (its address made of the key).
fn add_connection(
    client: &mut impl ::postgres::GenericClient,
    key: i64,
) -> Result<u64, ::postgres::Error> {
    client.execute(
        "INSERT INTO connections (user_key, email, email_key, state, saved_at_ms)
         VALUES ($1, 'a' || $1::bigint || '@company.se', 'a' || $1::bigint || '@company.se',
                 'unverified', 0)",
        &[&key],
    )
}

/// How many connections user `key` has.
fn connections_of(client: &mut ::postgres::Client, key: i64) -> i64 {
    client
        .query_one(
            "SELECT count(*) FROM connections WHERE user_key = $1",
            &[&key],
        )
        .unwrap()
        .get(0)
}

/// On a shared register a connection's user is checked once per statement
/// by migration 22's triggers (a foreign key checked and locked each row:
/// half an import's connections): a connection still needs its user, goes
/// when its user goes, and neither key changes; a user the same
/// transaction made is not locked.
#[test]
fn a_connection_needs_its_user_and_goes_with_it() {
    let mut owner =
        ::postgres::Client::connect(&new_shared_register_url(), ::postgres::NoTls).unwrap();

    // No connection without its user, alone or among others.
    add_user(&mut owner, 1);
    let error = add_connection(&mut owner, 99).unwrap_err();
    assert_eq!(sql_state(&error), "23503", "{error:?}");
    let error = owner
        .batch_execute(
            "INSERT INTO connections (user_key, email, email_key, state, saved_at_ms)
             VALUES (1, 'a@company.se', 'a@company.se', 'unverified', 0),
                    (98, 'b@company.se', 'b@company.se', 'unverified', 0)",
        )
        .unwrap_err();
    assert_eq!(sql_state(&error), "23503", "{error:?}");
    assert_eq!(connections_of(&mut owner, 1), 0);

    // Users and their connections made in one transaction, as an import
    // makes them: there, and the users not locked (no xmax written).
    let mut tx = owner.transaction().unwrap();
    for key in 10..20 {
        add_user(&mut tx, key);
    }
    tx.batch_execute(
        "INSERT INTO connections (user_key, email, email_key, state, saved_at_ms)
         SELECT key, key || '@company.se', key || '@company.se', 'unverified', 0
         FROM users WHERE key >= 10",
    )
    .unwrap();
    tx.commit().unwrap();
    let row = owner
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE xmax <> '0') FROM users WHERE key >= 10",
            &[],
        )
        .unwrap();
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (10, 0));

    // A user's key and a connection's user stay.
    add_connection(&mut owner, 1).unwrap();
    for change in [
        "UPDATE users SET key = 1000 WHERE key = 11",
        "UPDATE connections SET user_key = 11 WHERE user_key = 1",
    ] {
        let error = owner.batch_execute(change).unwrap_err();
        assert_eq!(sql_state(&error), "23503", "{change}: {error:?}");
    }

    // Removing users takes their connections (also several at once).
    owner
        .batch_execute("DELETE FROM users WHERE key IN (1, 12, 13)")
        .unwrap();
    for key in [1, 12, 13] {
        assert_eq!(connections_of(&mut owner, key), 0);
    }
    assert_eq!(connections_of(&mut owner, 14), 1);
}

/// Migration 22's triggers against another transaction, both ways: a
/// connection being added holds its existing user until it is committed,
/// and a connection for a user being removed waits for the removal and is
/// refused once it is committed (as the foreign key's lock did).
#[test]
fn a_connection_and_its_users_removal_do_not_pass_each_other() {
    let url = new_shared_register_url();
    let connect = || ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    let mut owner = connect();
    add_user(&mut owner, 2);
    let mut adding = connect();
    let mut tx = adding.transaction().unwrap();
    add_connection(&mut tx, 2).unwrap();
    let mut removing = connect();
    removing
        .batch_execute("SET lock_timeout = '300ms'")
        .unwrap();
    let error = removing
        .batch_execute("DELETE FROM users WHERE key = 2")
        .unwrap_err();
    assert_eq!(sql_state(&error), "55P03", "{error:?}");
    tx.commit().unwrap();
    assert_eq!(connections_of(&mut owner, 2), 1);

    add_user(&mut owner, 3);
    let mut tx = removing.transaction().unwrap();
    tx.batch_execute("DELETE FROM users WHERE key = 3").unwrap();
    let waiting = std::thread::Builder::new()
        .name("adding a connection".to_owned())
        .spawn(move || add_connection(&mut adding, 3).map_err(|error| sql_state(&error)))
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        !waiting.is_finished(),
        "the connection did not wait for the removal"
    );
    tx.commit().unwrap();
    assert_eq!(waiting.join().unwrap(), Err("23503".to_owned()));
    assert_eq!(connections_of(&mut owner, 3), 0);
}
