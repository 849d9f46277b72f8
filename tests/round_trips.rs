//! What a command costs over a slow link is its round trips to the
//! database times the link's delay (30 ms over an office VPN): each command
//! here is run through a link that counts them, and held to a bound.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use hrm_users::store::Reads as _;
use support::Register;
use support::link::CountingLink;

/// The round trips of one run of the real binary with `args` on
/// `register` through a counting link.
fn round_trips(register: &Register, args: &[&str]) -> u64 {
    let url = register.db_arg();
    let link = CountingLink::to_server_of(&url);
    let out = support::program_at(register, &link.url_through(&url))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    link.round_trips()
}

/// `register` holding `users` users with a pending address each, their
/// User-IDs `prefix` and a number.
fn with_pending(register: Register, users: usize, prefix: &str) -> Register {
    let mut session = register.session(&support::TestClock::new());
    support::seed_pending(&mut session, users, prefix);
    register
}

/// The real binary with `args` on `register` (not counted).
fn run(register: &Register, args: &[&str]) {
    let out = support::program_at(register, &register.db_arg())
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
}

#[test]
fn reading_commands_cost_few_round_trips() {
    let register = with_pending(Register::postgres(), 50, "rt");
    for (args, most) in [
        (&["db", "status", "--json"][..], 4),
        (&["users", "list", "--json", "--search", "rt14"][..], 7),
    ] {
        let counted = round_trips(&register, args);
        eprintln!("{args:?}: {counted} round trips");
        assert!(
            counted <= most,
            "{args:?}: {counted} round trips, at most {most}"
        );
    }
}

/// An import of new users takes their keys from the sequence in one round
/// trip (not one that doubles each time: 16, 32, 64, … keys: 7 more for
/// 2,000 users), and sends their rows without waiting for each.
#[test]
fn an_import_of_new_users_costs_few_round_trips() {
    let source = with_pending(Register::new(), 2_000, "imp");
    let csv = source.dir.path().join("users.csv");
    let csv = csv.to_str().unwrap();
    run(&source, &["export", csv]);
    let register = Register::postgres();
    let counted = round_trips(&register, &["import", csv]);
    eprintln!("import of 2,000 new users: {counted} round trips");
    let session = register.session(&support::TestClock::new());
    assert_eq!(session.load_users().unwrap().len(), 2_000);
    assert!(counted <= 21, "{counted} round trips, at most 21");
}

/// The window's import: the dry run (the register's stamp with the roles
/// and settings, the users, the operator), then *Import* of that plan on the same
/// session. Over a 30 ms link each round trip is 30 ms of an import that
/// otherwise takes about two seconds for 100,000 users (it was 26 round
/// trips: the stamp two statements, read again prepared, the settings
/// twice).
#[test]
fn the_windows_import_costs_few_round_trips() {
    use hrm_users::app::Session;
    use hrm_users::app::import::{commit_planned, plan_with_stamp};
    let source = with_pending(Register::new(), 2_000, "win");
    let csv = source.dir.path().join("users.csv");
    run(&source, &["export", csv.to_str().unwrap()]);
    let register = Register::postgres();
    let url = register.db_arg();
    let link = CountingLink::to_server_of(&url);
    let mut session =
        Session::open(&hrm_users::store::Location::parse(&link.url_through(&url))).unwrap();
    let table = hrm_users::sheet::read_table(&csv, &hrm_users::sheet::Limits::default()).unwrap();
    let before = link.round_trips();
    let (plan, stamp) = plan_with_stamp(
        &session,
        &table,
        &hrm_users::app::progress::Progress::default(),
    )
    .unwrap();
    let dry_run = link.round_trips() - before;
    assert_eq!(plan.counts.create, 2_000);
    let before = link.round_trips();
    commit_planned(
        &mut session,
        &table,
        Some((std::sync::Arc::new(plan), stamp)),
    )
    .unwrap();
    let commit = link.round_trips() - before;
    eprintln!(
        "the window's import of 2,000 new users: dry run {dry_run}, import {commit} round trips"
    );
    assert_eq!(session.load_users().unwrap().len(), 2_000);
    // The dry run: the stamp with the roles and settings, the users, the
    // operator (with the session's LISTEN). The import: the stamp and settings,
    // the new users' keys, the start with what the COPYs need to know,
    // three round trips for each table's COPY, the commit.
    assert!(
        dry_run <= 4 && commit <= 13,
        "dry run {dry_run} (at most 4), import {commit} (at most 13) round trips"
    );
}

/// *Verify accounts* of users in a verified domain connects them at once,
/// each user's writes going with the batch's next round trip, and its
/// results read where their identity provider accounts stand together: a
/// cost that does not grow with the users (100 users took 772 round trips,
/// about seven each: over a 30 ms link, 10,000 took 40 minutes).
#[test]
fn results_of_a_bulk_connect_cost_few_round_trips() {
    let register = with_pending(Register::postgres(), 200, "vd");
    run(
        &register,
        &["config", "set", "verified_domains", "example.org"],
    );
    let counted = round_trips(&register, &["verify", "--all-pending"]);
    eprintln!("verify --all-pending, 200 connected at once: {counted} round trips");
    let session = register.session(&support::TestClock::new());
    let connected = session
        .load_users()
        .unwrap()
        .iter()
        .filter(|u| {
            matches!(
                u.connection,
                hrm_users::domain::Connection::Connected { .. }
            )
        })
        .count();
    assert_eq!(connected, 200);
    assert!(counted <= 100, "{counted} round trips, at most 100");
}

/// The form's actions, as the window does them on its session of work
/// off the UI thread once it is warm: opening a user (their details),
/// saving a changed name, and *Verify account*. Each is a few round trips;
/// over a 30 ms link, each round trip is 30 ms a person waits.
#[test]
fn the_forms_actions_cost_few_round_trips() {
    use hrm_users::app::{self, FormTabs, Session};
    use hrm_users::domain::UserDraft;
    let register = Register::postgres();
    let mut session = register.session(&support::TestClock::new());
    let sara = support::pending_user(&mut session, "14", "Sara", "sara@example.org");
    let per = support::pending_user(&mut session, "16", "Per", "per@example.org");
    let olle = app::save_user(
        &mut session,
        None,
        &UserDraft {
            user_id: "15".into(),
            first_name: "Olle".into(),
            department: "HR".into(),
            ..UserDraft::new_user()
        },
    )
    .unwrap()
    .key;
    drop(session);
    let url = register.db_arg();
    let link = CountingLink::to_server_of(&url);
    let location = hrm_users::store::Location::parse(&link.url_through(&url));
    let mut session = Session::open(&location).unwrap();
    // Warm, as the window's session is after its first few reads (a
    // statement asked for again is prepared once).
    for _ in 0..2 {
        app::user_details(&session, olle).unwrap();
        app::operator::operator(&session).unwrap();
    }
    let record = session.user(sara).unwrap().unwrap();
    for name in ["Sarah", "Sara"] {
        let base = UserDraft::from_record(&session.user(olle).unwrap().unwrap());
        let draft = UserDraft {
            first_name: format!("{name} O"),
            ..base.clone()
        };
        app::save_user_form(
            &mut session,
            Some(olle),
            &draft,
            Some(&base),
            FormTabs::default(),
        )
        .unwrap();
    }
    let base = UserDraft::from_record(&record);
    let mut counted = |label: &str, most: u64, action: &mut dyn FnMut(&mut Session)| {
        let before = link.round_trips();
        action(&mut session);
        let spent = link.round_trips() - before;
        eprintln!("{label}: {spent} round trips");
        assert!(
            spent <= most,
            "{label}: {spent} round trips, at most {most}"
        );
    };
    counted("open a user", 1, &mut |s| {
        app::user_details(s, sara).unwrap();
    });
    counted("save a changed name", 2, &mut |s| {
        let draft = UserDraft {
            first_name: "Sarah".into(),
            ..base.clone()
        };
        app::save_user_form(s, Some(sara), &draft, Some(&base), FormTabs::default()).unwrap();
    });
    counted("verify account", 3, &mut |s| {
        app::verify_account(s, sara).unwrap();
    });
    // Its statements are prepared on the connection now (their PREPAREs
    // went with the first): the second costs the same.
    counted("verify account again", 3, &mut |s| {
        app::verify_account(s, per).unwrap();
    });

    details_in_one_round_trip_are_the_reads_one_by_one(&mut session, sara);
}

/// The one round trip reads what the reads one by one read (a role with a
/// scope and an end date too).
fn details_in_one_round_trip_are_the_reads_one_by_one(
    session: &mut hrm_users::app::Session,
    sara: hrm_users::domain::UserKey,
) {
    use hrm_users::app;
    // The one round trip reads what the reads one by one read (a role with
    // a scope and an end date too).
    let role = hrm_users::domain::roles::Assignment {
        valid_to: Some(jiff::civil::date(2031, 1, 31)),
        scope: hrm_users::domain::roles::Scope {
            departments: vec!["HR".into()],
            offices: Vec::new(),
        },
        ..hrm_users::domain::roles::Assignment::new("hr_administrator")
    };
    session
        .store_for_tests()
        .write(|tx| tx.set_roles(sara, std::slice::from_ref(&role), 0))
        .unwrap();
    let together = app::user_details(&*session, sara).unwrap();
    assert_eq!(together.roles, vec![role]);
    let now = session.now();
    let store = session.store_for_tests();
    let mut history = store.audit_for(sara).unwrap();
    history.truncate(together.history.len().max(1));
    assert!(!together.history.is_empty());
    assert_eq!(together.history, history);
    assert_eq!(together.last_message, store.last_message_for(sara).unwrap());
    assert!(together.last_message.is_some(), "the verification message");
    assert_eq!(
        together.link_expires,
        store
            .live_token_for(sara, now)
            .unwrap()
            .map(|t| t.expires_at)
    );
    assert_eq!(together.roles, store.roles_of(sara).unwrap());
    assert_eq!(together.audit_rights, store.audit_rights_of(sara).unwrap());
    let dimensions = store.account_dimensions().unwrap();
    assert!(
        dimensions.iter().all(|d| together.dimensions.contains(d)),
        "{:?}",
        together.dimensions
    );
}
