//! The shared register enforces the roles itself (issue 22): each
//! administrator connects with a PostgreSQL login of their own, and with
//! `psql` they can do no more than their roles allow in the window. Real
//! PostgreSQL, real `psql`, the real binary; three administrators' logins
//! (System administrator, HR administrator limited to Lund, Read only), a
//! login that is no HRM user, and `serve`'s login.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::{Command, Output};

use hrm_users::app::{Location, Session};
use hrm_users::domain::roles::{Assignment, Scope};
use hrm_users::domain::{UserDraft, UserKey};
use support::{Register, TestClock};

/// A register with its owner's session and the logins made for it.
struct Shared {
    register: Register,
    owner: Session,
    /// The database's name, which each login's name carries (roles are
    /// the cluster's, shared by every test's database).
    database: String,
    /// The owner's URL.
    url: String,
}

impl Shared {
    fn new() -> Self {
        let register = Register::postgres();
        let owner = register.session(&TestClock::new());
        let url = register.db_arg();
        let database = url
            .rsplit('/')
            .next()
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        Self {
            register,
            owner,
            database,
            url,
        }
    }

    /// The login `name` of this test's database.
    fn login(&self, name: &str) -> String {
        format!("{name}_{}", self.database)
    }

    /// Makes the login `name` a member of `group` (`hrm_admins`, `hrm_serve`).
    fn make_login(&self, name: &str, group: &str) -> String {
        let login = self.login(name);
        let mut admin = postgres::Client::connect(&self.url, postgres::NoTls).unwrap();
        admin
            .batch_execute(&format!("CREATE ROLE {login} LOGIN IN ROLE {group}"))
            .unwrap();
        login
    }

    /// The register's URL as `login`.
    fn url_as(&self, login: &str) -> String {
        self.url.replacen("postgres@", &format!("{login}@"), 1)
    }

    /// `psql` as `login`, one statement.
    fn psql(&self, login: &str, sql: &str) -> Output {
        Command::new("psql")
            .arg(self.url_as(login))
            .args(["-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql])
            .output()
            .unwrap()
    }

    /// The real binary as `login`.
    fn program_as(&self, login: &str) -> Command {
        support::program_at(&self.register, &self.url_as(login))
    }

    fn user(&mut self, user_id: &str, alias: &str, office: &str) -> UserKey {
        hrm_users::app::save_user(
            &mut self.owner,
            None,
            &UserDraft {
                activated: true,
                user_id: user_id.into(),
                alias_user_id: alias.into(),
                first_name: format!("First {user_id}"),
                last_name: "Last".into(),
                department: "Sales".into(),
                office: office.into(),
                ..UserDraft::default()
            },
        )
        .unwrap()
        .key
    }

    fn first_name(&self, user_id: &str) -> String {
        let out = self.psql(
            "postgres",
            &format!("SELECT first_name FROM users WHERE user_id = '{user_id}'"),
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Three administrators and two employees; roles in force.
fn arranged() -> (Shared, [String; 5]) {
    let mut shared = Shared::new();
    let sara = shared.make_login("sara", "hrm_admins");
    let olle = shared.make_login("olle", "hrm_admins");
    let rita = shared.make_login("rita", "hrm_admins");
    let mallory = shared.make_login("mallory", "hrm_admins");
    let serve = shared.make_login("serve", "hrm_serve");
    let sara_key = shared.user("1", &sara, "Lund");
    let olle_key = shared.user("2", &olle, "Lund");
    let rita_key = shared.user("3", &rita, "Malmö");
    shared.user("10", "", "Lund");
    shared.user("20", "", "Malmö");
    support::make_system_administrator(&mut shared.owner, sara_key);
    let lund = Assignment {
        scope: Scope {
            departments: Vec::new(),
            offices: vec!["Lund".into()],
        },
        ..Assignment::new("hr_administrator")
    };
    support::arrange_roles(&mut shared.owner, olle_key, &[lund]);
    support::arrange_role(&mut shared.owner, rita_key, "read_only");
    (shared, [sara, olle, rita, mallory, serve])
}

#[test]
fn psql_as_each_login_is_held_to_its_roles() {
    let (shared, [sara, olle, rita, mallory, serve]) = arranged();

    // Everyone with a role reads the register; a login that is no HRM user
    // reads nothing, not even how many users there are.
    for login in [&sara, &olle, &rita, &serve] {
        let out = shared.psql(login, "SELECT count(*) FROM users");
        assert_eq!(stdout(&out), "5", "{login}: {out:?}");
    }
    let out = shared.psql(&mallory, "SELECT count(*) FROM users");
    assert_eq!(stdout(&out), "0", "{out:?}");
    let out = shared.psql(&mallory, "SELECT count(*) FROM settings");
    assert_eq!(stdout(&out), "0", "{out:?}");

    // Read only changes nothing: the update finds no row it may change,
    // and giving itself a role, a setting or an audit deletion is refused.
    let out = shared.psql(
        &rita,
        "UPDATE users SET first_name = 'Hacked' WHERE user_id = '10'",
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(shared.first_name("10"), "First 10");
    let out = shared.psql(
        &rita,
        "INSERT INTO user_roles (user_key, role) SELECT key, 'system_administrator' FROM users WHERE user_id = '3'",
    );
    assert!(!out.status.success(), "{out:?}");
    let out = shared.psql(
        &rita,
        "UPDATE settings SET value = 'x' WHERE key = 'roles_in_force'",
    );
    assert!(out.status.success(), "{out:?}");
    let out = shared.psql(
        &rita,
        "INSERT INTO settings (key, value) VALUES ('sender_name', 'Evil')",
    );
    assert!(!out.status.success(), "{out:?}");
    let out = shared.psql(&rita, "DELETE FROM audit");
    assert!(!out.status.success(), "{out:?}");
    let out = shared.psql(
        "postgres",
        "SELECT count(*) FROM settings WHERE value IN ('x', 'Evil')",
    );
    assert_eq!(stdout(&out), "0");

    // An audit row names the login that wrote it, whatever actor it claims.
    let out = shared.psql(
        &rita,
        &format!("INSERT INTO audit (at_ms, actor, action) VALUES (1, '{sara}', 'user_saved') RETURNING db_login"),
    );
    assert_eq!(stdout(&out), rita, "{out:?}");
    let out = shared.psql(
        &rita,
        &format!("INSERT INTO audit (at_ms, actor, action, db_login) VALUES (1, '{sara}', 'user_saved', '{sara}')"),
    );
    assert!(!out.status.success(), "naming another login: {out:?}");

    // The HR administrator limited to Lund changes a user in Lund, and is
    // refused one in Malmö, moving one to Malmö, and the roles.
    let out = shared.psql(
        &olle,
        "UPDATE users SET first_name = 'Lena' WHERE user_id = '10'",
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(shared.first_name("10"), "Lena");
    let out = shared.psql(
        &olle,
        "UPDATE users SET first_name = 'Malin' WHERE user_id = '20'",
    );
    assert!(!out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the register refused"),
        "{out:?}"
    );
    assert_eq!(shared.first_name("20"), "First 20");
    let out = shared.psql(
        &olle,
        "UPDATE users SET office = 'Malmö' WHERE user_id = '10'",
    );
    assert!(!out.status.success(), "{out:?}");
    let out = shared.psql(
        &olle,
        "INSERT INTO users (user_id, activated, office, created_at_ms, updated_at_ms) VALUES ('30', 1, 'Malmö', 1, 1)",
    );
    assert!(!out.status.success(), "{out:?}");
    let out = shared.psql(
        &olle,
        "INSERT INTO user_roles (user_key, role) SELECT key, 'hr_administrator' FROM users WHERE user_id = '10'",
    );
    assert!(!out.status.success(), "{out:?}");
    // Nor does the login field of someone holding a role change without
    // Roles: taking over Sara's identity is refused.
    let out = shared.psql(
        &olle,
        &format!("UPDATE users SET alias_user_id = '{olle}x' WHERE user_id = '1'"),
    );
    assert!(!out.status.success(), "{out:?}");

    // serve's login delivers and connects, but changes no user's fields
    // and gives no role.
    let out = shared.psql(
        &serve,
        "UPDATE users SET first_name = 'S' WHERE user_id = '10'",
    );
    assert!(!out.status.success(), "{out:?}");
    let out = shared.psql(
        &serve,
        "INSERT INTO user_roles (user_key, role) SELECT key, 'read_only' FROM users WHERE user_id = '10'",
    );
    assert!(!out.status.success(), "{out:?}");

    // The System administrator may.
    let out = shared.psql(
        &sara,
        "UPDATE users SET first_name = 'Maja' WHERE user_id = '20'",
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(shared.first_name("20"), "Maja");
}

#[test]
fn the_operator_is_the_database_login_not_the_desktops_name() {
    let (mut shared, [_, olle, rita, _, _]) = arranged();
    // The desktop reports the System administrator's OS name: make the OS
    // user's own name a System administrator's Alias user-ID.
    let os_name =
        hrm_users::app::Session::new(hrm_users::store::Store::open_in_memory().unwrap()).login;
    let os_key = shared.user("99", &os_name, "Lund");
    support::make_system_administrator(&mut shared.owner, os_key);

    // Connected with Rita's Read only login, the program is Read only.
    let out = shared
        .program_as(&rita)
        .args(["config", "set", "sender_name", "Evil"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = shared
        .program_as(&rita)
        .args(["users", "list", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 6);

    // Olle, limited to Lund, disconnects in Lund and is refused in Malmö
    // by the program; the register would refuse it too.
    let out = shared
        .program_as(&olle)
        .args(["users", "roles", "10", "--add", "read_only"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let location = Location::parse(&shared.url_as(&olle));
    let mut session = Session::open(&location).unwrap();
    assert_eq!(session.login, olle);
    let record = session
        .user_by_user_id(&hrm_users::domain::UserId::parse("20").unwrap())
        .unwrap()
        .unwrap();
    let mut draft = UserDraft::from_record(&record);
    draft.first_name = "Changed".into();
    let refused = hrm_users::app::save_user(&mut session, Some(record.key), &draft);
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(shared.first_name("20"), "First 20");
}

#[test]
fn only_the_owner_copies_a_shared_register() {
    let (shared, [sara, ..]) = arranged();
    let target = shared.register.dir.path().join("copy.db");
    let out = shared
        .program_as(&sara)
        .args([
            "db",
            "copy",
            &shared.url_as(&sara),
            target.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("owner"),
        "{out:?}"
    );
    assert!(!target.exists());
    let out = support::program(&shared.register)
        .args(["db", "copy", &shared.url, target.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn a_fresh_register_gets_its_first_administrator_from_the_owner() {
    let shared = Shared::new();
    let sara = shared.make_login("sara", "hrm_admins");
    // Before anyone is an HRM user, Sara's login reads nothing and can
    // make no one, not even herself.
    let out = shared
        .program_as(&sara)
        .args(["users", "list", "--json"])
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "[]", "{out:?}");
    let out = shared.psql(
        &sara,
        &format!("INSERT INTO users (user_id, activated, alias_user_id, created_at_ms, updated_at_ms) VALUES ('{sara}', 1, '{sara}', 1, 1)"),
    );
    assert!(!out.status.success(), "{out:?}");
    // Sara cannot recover herself; the owner can, and her user is made.
    let out = shared
        .program_as(&sara)
        .args(["roles", "recover", &sara])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = support::program(&shared.register)
        .args(["roles", "recover", &sara])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let out = shared
        .program_as(&sara)
        .args(["config", "set", "sender_name", "HR"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let out = shared.psql(
        "postgres",
        "SELECT db_login FROM audit WHERE action = 'settings_changed' ORDER BY id DESC LIMIT 1",
    );
    assert_eq!(stdout(&out), sara, "{out:?}");
}

/// The HR administrator limited to Lund: an office is compared as the
/// program compares it, trimmed and without regard to case (a user in
/// " LUND " is in Lund), and as one name (an office that merely holds the
/// name, or none, is not Lund).
#[test]
fn an_office_limit_compares_names_as_the_program_does() {
    let (shared, [_, olle, ..]) = arranged();
    let out = shared.psql(
        &olle,
        "INSERT INTO users (user_id, activated, office, created_at_ms, updated_at_ms) VALUES ('31', 1, ' LUND ', 1, 1)",
    );
    assert!(out.status.success(), "{out:?}");
    for office in ["Lund Malmö", "Lund\\nMalmö", ""] {
        let out = shared.psql(
            &olle,
            &format!("INSERT INTO users (user_id, activated, office, created_at_ms, updated_at_ms) VALUES ('32', 1, E'{office}', 1, 1)"),
        );
        assert!(!out.status.success(), "{office}: {out:?}");
    }
    let out = shared.psql(
        "postgres",
        "SELECT count(*) FROM users WHERE user_id IN ('31', '32')",
    );
    assert_eq!(stdout(&out), "1");
}

/// The HR administrator limited to Lund adds users and connections in Lund
/// only, through `psql` as through the program: a statement with one row
/// outside Lund (a user in Malmö, a connection for one) is refused whole,
/// and nothing of it lands. Read only adds no connection; `serve`, which
/// connects users whose link is confirmed, adds one anywhere.
#[test]
fn an_office_limited_login_adds_users_and_connections_in_its_offices_only() {
    let (shared, [_, olle, rita, _, serve]) = arranged();
    let connect = |login: &str, user_ids: &str| {
        shared.psql(
            login,
            &format!(
                "INSERT INTO connections (user_key, email, email_key, state, saved_at_ms)
                 SELECT key, 'u' || user_id || '@example.org', 'u' || user_id || '@example.org',
                        'unverified', 1
                 FROM users WHERE user_id IN ({user_ids})"
            ),
        )
    };
    let connected = || {
        stdout(&shared.psql(
            "postgres",
            "SELECT string_agg(u.user_id, ',' ORDER BY u.user_id)
             FROM connections c JOIN users u ON u.key = c.user_key",
        ))
    };

    // Refused by the register (its policies or its triggers), not by
    // anything else in the statement: the same one for Lund goes through.
    let refused = |out: &Output| {
        let words = String::from_utf8_lossy(&out.stderr);
        !out.status.success()
            && (words.contains("the register refused") || words.contains("row-level security"))
    };
    let out = connect(&olle, "'2', '20'");
    assert!(refused(&out), "{out:?}");
    let out = connect(&rita, "'10'");
    assert!(refused(&out), "{out:?}");
    assert_eq!(connected(), "");
    let out = connect(&olle, "'2', '10'");
    assert!(out.status.success(), "{out:?}");
    let out = connect(&serve, "'20'");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(connected(), "10,2,20");

    let out = shared.psql(
        &olle,
        "INSERT INTO users (user_id, activated, office, created_at_ms, updated_at_ms)
         VALUES ('41', 1, 'Lund', 1, 1), ('42', 1, 'Malmö', 1, 1)",
    );
    assert!(refused(&out), "{out:?}");
    let out = shared.psql(
        &olle,
        "INSERT INTO users (user_id, activated, office, created_at_ms, updated_at_ms)
         VALUES ('43', 1, 'Lund', 1, 1), ('44', 1, 'lund', 1, 1)",
    );
    assert!(out.status.success(), "{out:?}");
    let out = shared.psql(
        "postgres",
        "SELECT string_agg(user_id, ',' ORDER BY user_id) FROM users WHERE user_id LIKE '4_'",
    );
    assert_eq!(stdout(&out), "43,44");
}

/// Finding a user by login name (the register's own function, which
/// reaches the lower-case indexes): a login with no role learns nothing of
/// anyone else's name, not even whether it is taken; one with a role finds
/// any user, as it may read them all.
#[test]
fn a_login_learns_only_its_own_user_by_name() {
    let (shared, [sara, olle, rita, mallory, _]) = arranged();
    let key_of = |login: &str, name: &str| {
        stdout(&shared.psql(
            login,
            &format!("SELECT hrm_user_key_by_login('alias_user_id', '{name}')"),
        ))
    };
    let saras = key_of(&sara, &sara);
    assert!(!saras.is_empty(), "Sara finds herself");
    assert_eq!(key_of(&rita, &sara.to_uppercase()), saras, "any case");
    assert!(!key_of(&olle, &olle).is_empty());
    assert_eq!(key_of(&mallory, &sara), "", "a stranger learns nothing");
    assert_eq!(key_of(&mallory, &mallory), "", "and is no user");
}

/// An import of more than a thousand rows by an administrator's own login
/// (which may not COPY into a table the policies bind) lands whole; the
/// office-limited administrator's row outside Lund is refused with the
/// reason and the other 1,100, with their addresses, land.
#[test]
fn administrators_import_under_the_policies() {
    use std::fmt::Write as _;
    let (shared, [sara, olle, ..]) = arranged();
    let csv = shared.register.dir.path().join("many.csv");
    let mut text = String::from("User-ID;First name;Last name;Office\n");
    for n in 0..1_200 {
        let _ = writeln!(text, "imp{n};Import;Row {n};Lund");
    }
    std::fs::write(&csv, text).unwrap();
    let out = shared
        .program_as(&sara)
        .args(["import", csv.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let count = shared.psql(
        "postgres",
        "SELECT count(*) FROM users WHERE user_id LIKE 'imp%'",
    );
    assert_eq!(stdout(&count), "1200");
    let audited = shared.psql(
        "postgres",
        &format!(
            "SELECT count(*) FROM audit WHERE db_login = '{sara}' AND action = 'user_created'"
        ),
    );
    assert_eq!(stdout(&audited), "1200");

    // The HR administrator limited to Lund, with enough rows that they are
    // staged and inserted in one statement each (users, connections, audit),
    // which the register checks once per place.
    let limited = shared.register.dir.path().join("limited.csv");
    let mut text = String::from("User-ID;First name;Last name;Office;Email Visma Connect\n");
    for n in 0..1_100 {
        let _ = writeln!(text, "lund{n};In;Lund {n};Lund;lund{n}@example.org");
    }
    text.push_str("malmo1;In;Malmö;Malmö;malmo1@example.org\n");
    std::fs::write(&limited, text).unwrap();
    let out = shared
        .program_as(&olle)
        .args(["import", limited.to_str().unwrap()])
        .output()
        .unwrap();
    let present = shared.psql(
        "postgres",
        "SELECT count(*) FILTER (WHERE user_id LIKE 'lund%'), count(c.user_key),
                count(*) FILTER (WHERE user_id = 'malmo1')
         FROM users u LEFT JOIN connections c ON c.user_key = u.key
         WHERE user_id LIKE 'lund%' OR user_id = 'malmo1'",
    );
    assert_eq!(stdout(&present), "1100|1100|0", "{out:?}");
}

/// A login's temporary tables do not stand in for the register's own: the
/// functions that decide who is working and what they hold read the
/// register's tables, never a table of the same name the session made
/// (PostgreSQL looks in the session's temporary schema first unless told
/// otherwise). A login that is no HRM user cannot pass for the System
/// administrator with a temporary `users`, nor the HR administrator
/// limited to Lund become System administrator with a temporary
/// `user_roles`, nor anyone switch the roles off with a temporary
/// `settings`.
#[test]
fn a_temporary_table_does_not_stand_in_for_the_registers() {
    let (shared, [_, olle, _, mallory, _]) = arranged();
    let key_of = |user_id: &str| {
        stdout(&shared.psql(
            "postgres",
            &format!("SELECT key FROM users WHERE user_id = '{user_id}'"),
        ))
    };
    let (sara_key, olle_key) = (key_of("1"), key_of("2"));
    let attempts = [
        (
            &mallory,
            format!(
                "CREATE TEMPORARY TABLE users (key bigint, user_id text, alias_user_id text,
                                               external_reference text, email text);
                 INSERT INTO users VALUES ({sara_key}, '1', '{mallory}', '{mallory}', '');"
            ),
        ),
        (
            &olle,
            format!(
                "CREATE TEMPORARY TABLE user_roles (user_key bigint, role text, valid_from bigint,
                                                    valid_to bigint, departments text, offices text);
                 INSERT INTO user_roles VALUES ({olle_key}, 'system_administrator', NULL, NULL, '', '');"
            ),
        ),
        (
            &olle,
            "CREATE TEMPORARY TABLE settings (key text, value text);
             INSERT INTO settings VALUES ('roles_in_force', 'false');"
                .to_owned(),
        ),
    ];
    for (login, shadow) in attempts {
        let out = shared.psql(
            login,
            &format!(
                "{shadow}
                 UPDATE public.users SET first_name = 'Changed by {login}' WHERE user_id = '20';"
            ),
        );
        assert_eq!(
            shared.first_name("20"),
            "First 20",
            "{login} changed a user in Malmö: {out:?}"
        );
    }
}
