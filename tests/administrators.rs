//! Several administrators on one register, as a shared register is used: a
//! change made elsewhere shows in an open window within a second; saving or
//! deleting a user someone else has just changed asks first; two saving the
//! same address at the same moment get exactly one success. One test body,
//! two backends (an SQLite file and PostgreSQL).

// Helpers of tests may panic: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Each body owns the register it is given (it is dropped, and removed, at the end).
#![allow(clippy::needless_pass_by_value)]

mod support;

use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use hrm_users::app::roles::{
    RolesError, delete_role, make_me_system_administrator, recover, roles, save_role,
    set_user_roles,
};
use hrm_users::app::{SaveUserError, Session, save_user};
use hrm_users::domain::roles::{
    Assignment, AssignmentError, Grant, Permission, RoleDraft, RoleError, Scope,
};
use hrm_users::domain::{Field, UserDraft, UserId, UserRecord};
use hrm_users::ui::HrmApp;
use support::{Register, TestClock, pending_user};

fn user(session: &Session, user_id: &str) -> UserRecord {
    session
        .user_by_user_id(&UserId::parse(user_id).unwrap())
        .unwrap()
        .unwrap()
}

/// Another administrator's edit of one user, through their own connection.
fn edit_elsewhere(register: &Register, user_id: &str, change: impl FnOnce(&mut UserDraft)) {
    let mut other = register.session(&TestClock::new());
    other.actor = "Bertil".into();
    let record = user(&other, user_id);
    let mut draft = UserDraft::from_record(&record);
    change(&mut draft);
    save_user(&mut other, Some(record.key), &draft).unwrap();
}

fn has(harness: &Harness<'_, HrmApp>, text: &str) -> bool {
    harness.query_all_by_label_contains(text).next().is_some()
}

fn click(harness: &mut Harness<'_, HrmApp>, label: &str) {
    harness.get_by_label(label).click();
    // On a shared register the form's work runs off the UI thread.
    support::settle(harness);
}

fn type_into(harness: &mut Harness<'_, HrmApp>, label: &str, text: &str) {
    harness
        .get_all_by_role_and_label(Role::TextInput, label)
        .next()
        .unwrap()
        .click();
    // A look at what other connections changed may be under way (its
    // spinner turns): wait for it as for the form's own work.
    support::settle(harness);
    harness
        .get_all_by_role_and_label(Role::TextInput, label)
        .next()
        .unwrap()
        .type_text(text);
    support::settle(harness);
}

/// Steps the window with real time passing until `text` shows; returns how
/// long it took, or `None` after `limit`.
fn time_until_shown(
    harness: &mut Harness<'_, HrmApp>,
    text: &str,
    limit: Duration,
) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        harness.step();
        if has(harness, text) {
            return Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

fn window_on(register: &Register) -> Harness<'static, HrmApp> {
    let mut session = register.session(&TestClock::new());
    pending_user(&mut session, "14", "Anna", "anna@example.org");
    pending_user(&mut session, "15", "Erik", "erik@example.org");
    support::window(session)
}

fn another_administrators_edit_shows_in_an_open_window_within_a_second(register: Register) {
    let mut harness = window_on(&register);
    assert!(has(&harness, "Anna Testsson"));
    edit_elsewhere(&register, "14", |d| d.first_name = "Annika".into());
    let took = time_until_shown(&mut harness, "Annika Testsson", Duration::from_secs(3));
    let took = took.expect("the other administrator's change never showed");
    assert!(took < Duration::from_secs(1), "it took {took:?}");
}

fn saving_over_someone_elses_change_asks_and_reload_shows_theirs(register: Register) {
    let mut harness = window_on(&register);
    click(&mut harness, "Anna Testsson");
    type_into(&mut harness, "Signature", "AT");
    edit_elsewhere(&register, "14", |d| d.office = "Malmö".into());
    click(&mut harness, "Save");
    support::wait_for(&mut harness, "Changed by someone else");
    assert!(
        has(&harness, "Bertil changed Office at"),
        "who, what and when"
    );
    let session = register.session(&TestClock::new());
    assert_eq!(user(&session, "14").user.signature, "", "nothing was saved");

    click(&mut harness, "Reload");
    assert!(!has(&harness, "Changed by someone else"));
    let office = harness
        .get_all_by_role_and_label(Role::TextInput, "Office")
        .next()
        .unwrap()
        .value()
        .unwrap_or_default();
    assert_eq!(
        office, "Malmö",
        "the form shows the other administrator's change"
    );
    assert_eq!(user(&session, "14").user.office, "Malmö");
}

fn save_anyway_writes_the_form_over_the_other_change(register: Register) {
    let mut harness = window_on(&register);
    click(&mut harness, "Anna Testsson");
    type_into(&mut harness, "Signature", "AT");
    edit_elsewhere(&register, "14", |d| d.office = "Malmö".into());
    click(&mut harness, "Save");
    support::wait_for(&mut harness, "Save anyway");
    click(&mut harness, "Save anyway");
    support::wait_for(&mut harness, "Saved user");
    let session = register.session(&TestClock::new());
    let anna = user(&session, "14");
    assert_eq!(anna.user.signature, "AT");
    assert_ne!(
        anna.user.office, "Malmö",
        "the form's office was saved over it"
    );
}

fn an_unrelated_change_elsewhere_does_not_stop_a_save(register: Register) {
    let mut harness = window_on(&register);
    click(&mut harness, "Anna Testsson");
    type_into(&mut harness, "Signature", "AT");
    // Someone changes a field this form does not touch, and the form follows.
    edit_elsewhere(&register, "14", |d| d.signature = String::new());
    click(&mut harness, "Save");
    support::wait_for(&mut harness, "Saved user");
    assert!(!has(&harness, "Changed by someone else"));
    assert_eq!(
        user(&register.session(&TestClock::new()), "14")
            .user
            .signature,
        "AT"
    );
}

fn deleting_a_user_someone_just_changed_asks_again(register: Register) {
    let mut harness = window_on(&register);
    click(&mut harness, "Erik Testsson");
    edit_elsewhere(&register, "15", |d| d.department = "Sales".into());
    click(&mut harness, "Delete");
    harness
        .get_by_role_and_label(Role::Button, "Delete user")
        .click();
    // The delete runs as a task: its answer is waited for, not its first frame.
    support::wait_for(&mut harness, "Bertil changed this user at");
    let session = register.session(&TestClock::new());
    assert_eq!(session.count_users().unwrap(), 2, "not deleted yet");
    click(&mut harness, "Delete anyway");
    support::wait_for(&mut harness, "Deleted user");
    assert_eq!(session.count_users().unwrap(), 1);
}

fn two_administrators_saving_one_address_at_once_get_one_success(register: Register) {
    let clock = TestClock::new();
    let mut first = register.session(&clock);
    let mut second = register.session(&clock);
    let a = save_user(
        &mut first,
        None,
        &UserDraft {
            user_id: "1".into(),
            ..UserDraft::new_user()
        },
    )
    .unwrap();
    let b = save_user(
        &mut first,
        None,
        &UserDraft {
            user_id: "2".into(),
            ..UserDraft::new_user()
        },
    )
    .unwrap();
    let with_address = |record: &UserRecord| UserDraft {
        visma_email: "shared@example.org".into(),
        visma_email_confirm: "shared@example.org".into(),
        ..UserDraft::from_record(record)
    };
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles = [(&mut first, a), (&mut second, b)].map(|(session, record)| {
            let barrier = std::sync::Arc::clone(&barrier);
            std::thread::Builder::new()
                .spawn_scoped(scope, move || {
                    let draft = with_address(&record);
                    barrier.wait();
                    save_user(session, Some(record.key), &draft)
                })
                .unwrap()
        });
        handles.map(|h| h.join().unwrap()).into_iter().collect()
    });
    let saved = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(saved, 1, "{results:?}");
    let refused = results.iter().find_map(|r| r.as_ref().err()).unwrap();
    let SaveUserError::Invalid(errors) = refused else {
        panic!("a field error, not {refused}");
    };
    assert!(
        errors
            .get(&Field::VismaEmail)
            .unwrap()
            .contains("already belongs to user")
    );
}

fn an_open_roles_window_shows_a_role_given_elsewhere(register: Register) {
    let mut harness = window_on(&register);
    click(&mut harness, "Go to roles");
    // The Roles window reads its holders as a task: on a shared register
    // under load that takes more than the click's frames.
    assert!(
        time_until_shown(&mut harness, "Read only (0)", Duration::from_secs(10)).is_some(),
        "the Roles window never showed its holders"
    );
    let mut other = register.session(&TestClock::new());
    let erik = user(&other, "15");
    set_user_roles(&mut other, erik.key, vec![Assignment::new("read_only")]).unwrap();
    let took = time_until_shown(&mut harness, "Read only (1)", Duration::from_secs(3));
    assert!(took.is_some(), "the role given elsewhere never showed");
    click(&mut harness, "Read only (1)");
    assert!(has(&harness, "15 Erik Testsson"));
}

fn hr_lund() -> RoleDraft {
    RoleDraft {
        name: "HR Lund".into(),
        description: "HR staff in Lund".into(),
        grants: vec![
            Grant {
                permission: Permission::UsersEdit,
                scope: Scope {
                    departments: Vec::new(),
                    offices: vec![" Lund ".into(), String::new()],
                },
            },
            Grant {
                permission: Permission::VerifyAccounts,
                scope: Scope::everything(),
            },
        ],
    }
}

fn a_role_made_here_is_saved_held_and_deleted_only_when_nobody_holds_it(register: Register) {
    let clock = TestClock::new();
    let mut first = register.session(&clock);
    pending_user(&mut first, "14", "Anna", "anna@example.org");
    let saved = save_role(&mut first, None, &hr_lund()).unwrap();
    assert_eq!(saved.id, "hr_lund");
    // Limits are trimmed, blanks dropped; the role reads back as saved.
    assert_eq!(saved.grants[0].scope.offices, vec!["Lund".to_owned()]);
    let listed = roles(&first).unwrap();
    assert_eq!(listed.len(), 4);
    assert_eq!(listed[3], saved);
    // A second administrator, through their own connection, cannot take the
    // name (in any case), nor a built-in role's name in either language.
    let mut second = register.session(&clock);
    let taken = RoleDraft {
        name: "hr LUND".into(),
        ..hr_lund()
    };
    let refused = save_role(&mut second, None, &taken).unwrap_err();
    assert!(
        matches!(refused, RolesError::Role(RoleError::NameTaken(_))),
        "{refused}"
    );
    for name in ["Systemadministratör", "read only"] {
        let builtin_name = RoleDraft {
            name: name.into(),
            ..hr_lund()
        };
        assert!(
            save_role(&mut second, None, &builtin_name).is_err(),
            "{name}"
        );
    }
    let nothing = RoleDraft {
        name: "Nothing".into(),
        description: String::new(),
        grants: Vec::new(),
    };
    assert!(matches!(
        save_role(&mut second, None, &nothing),
        Err(RolesError::Role(RoleError::NoPermission))
    ));
    // The second gives it to Anna; the first may then not delete it.
    let anna = user(&second, "14");
    set_user_roles(&mut second, anna.key, vec![Assignment::new("hr_lund")]).unwrap();
    let refused = delete_role(&mut first, "hr_lund").unwrap_err();
    assert!(
        refused.to_string().contains("One user holds the role"),
        "{refused}"
    );
    // Anna's History names the role by its name.
    let history = hrm_users::app::user_details(&first, anna.key).unwrap();
    assert!(
        history
            .history
            .iter()
            .any(|e| e.describe() == "Roles changed; now: HR Lund"),
        "{:?}",
        history
            .history
            .iter()
            .map(hrm_users::domain::AuditEntry::describe)
            .collect::<Vec<_>>()
    );
    // Renamed, the id stays; built-in roles cannot be changed or deleted.
    let renamed = RoleDraft {
        name: "HR Lund and Malmö".into(),
        ..hr_lund()
    };
    assert_eq!(
        save_role(&mut first, Some("hr_lund"), &renamed).unwrap().id,
        "hr_lund"
    );
    assert!(matches!(
        save_role(&mut first, Some("read_only"), &renamed),
        Err(RolesError::Role(RoleError::BuiltIn))
    ));
    assert!(delete_role(&mut first, "system_administrator").is_err());
    // Taken away, it can be deleted; a role deleted cannot then be given.
    set_user_roles(&mut second, anna.key, Vec::new()).unwrap();
    delete_role(&mut first, "hr_lund").unwrap();
    assert_eq!(roles(&first).unwrap().len(), 3);
    assert!(set_user_roles(&mut second, anna.key, vec![Assignment::new("hr_lund")]).is_err());
    let actions: Vec<String> = first
        .audit_all()
        .unwrap()
        .iter()
        .map(|e| e.action.code().to_owned())
        .collect();
    assert_eq!(
        actions.iter().filter(|a| *a == "role_saved").count(),
        2,
        "{actions:?}"
    );
    assert!(actions.iter().any(|a| a == "role_deleted"));
}

fn two_administrators_naming_two_roles_alike_at_once_get_one_success(register: Register) {
    let clock = TestClock::new();
    let mut first = register.session(&clock);
    let mut second = register.session(&clock);
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles = [(&mut first, "HR Lund"), (&mut second, "hr lund")].map(|(session, name)| {
            let barrier = std::sync::Arc::clone(&barrier);
            std::thread::Builder::new()
                .spawn_scoped(scope, move || {
                    let draft = RoleDraft {
                        name: name.into(),
                        ..hr_lund()
                    };
                    barrier.wait();
                    save_role(session, None, &draft)
                })
                .unwrap()
        });
        handles.map(|h| h.join().unwrap()).into_iter().collect()
    });
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert_eq!(roles(&first).unwrap().len(), 4);
}

/// A user whose Alias user-ID is `login`, and a session working as them.
fn working_as(register: &Register, user_id: &str, first: &str, login: &str) -> Session {
    let mut session = register.session(&TestClock::new());
    session.login = login.into();
    let key = pending_user(
        &mut session,
        user_id,
        first,
        &format!("{login}@example.org"),
    );
    let record = session.user(key).unwrap().unwrap();
    let mut draft = UserDraft::from_record(&record);
    draft.alias_user_id = login.into();
    save_user(&mut session, Some(key), &draft).unwrap();
    session
}

/// No lock-out: the first System administrator is the person working
/// (giving it to someone else first is refused with the reason); once there
/// is one they may give it on; and when no one can change roles any more,
/// the register's owner gets back in with `roles recover`, audited.
fn no_one_locks_themselves_out_and_the_owner_gets_back_in(register: Register) {
    let mut anna = working_as(&register, "14", "Anna", "anna");
    let erik = pending_user(&mut anna, "15", "Erik", "erik@example.org");
    let admin = Assignment::new("system_administrator");
    let refused = set_user_roles(&mut anna, erik, vec![admin.clone()]).unwrap_err();
    assert!(
        matches!(
            refused,
            RolesError::Invalid(AssignmentError::FirstAdministratorNotYou)
        ),
        "{refused}"
    );
    assert!(
        refused.to_string().contains("the first must be you"),
        "{refused}"
    );
    assert!(!hrm_users::app::operator::operator(&anna).unwrap().enforced);

    let me = make_me_system_administrator(&mut anna).unwrap();
    assert_eq!(me.user.user_id.to_string(), "14");
    let operator = hrm_users::app::operator::operator(&anna).unwrap();
    assert!(operator.enforced);
    assert!(operator.may(Permission::Roles).is_ok());
    // Now she may give it on, and take her own away.
    set_user_roles(&mut anna, erik, vec![admin.clone()]).unwrap();
    let anna_key = user(&anna, "14").key;
    set_user_roles(&mut anna, anna_key, vec![]).unwrap();
    assert!(
        hrm_users::app::operator::operator(&anna)
            .unwrap()
            .may(Permission::Roles)
            .is_err()
    );
    // Someone who is no HRM user cannot make themselves anything.
    let mut stranger = register.session(&TestClock::new());
    stranger.login = "mallory".into();
    assert!(make_me_system_administrator(&mut stranger).is_err());

    // The owner (this test's OS account owns the file; the tests' database
    // role owns the shared register) gives Anna the role back.
    let mut owner = register.session(&TestClock::new());
    let back = recover(&mut owner, "ANNA").unwrap();
    assert_eq!(back.user.user_id.to_string(), "14");
    // Anna's session hears of it from the register (on a shared one, within
    // a moment of the owner's commit).
    holds_roles_again(&anna);
    let history = owner.audit_for(anna_key).unwrap();
    assert!(
        history.iter().any(|e| e.actor.ends_with("(roles recover)")),
        "{history:?}"
    );
    assert!(matches!(
        recover(&mut owner, "nobody-here"),
        Err(RolesError::NotAnHrmUser(_))
    ));
}

/// The window offers *Make me System administrator* while no one is, and
/// pressing it puts roles in force with the operator as the first.
fn the_window_offers_make_me_system_administrator(register: Register) {
    let anna = working_as(&register, "14", "Anna", "anna");
    let mut harness = support::window(anna);
    assert!(has(&harness, "No one is System administrator yet"));
    click(&mut harness, "Make me System administrator");
    // On a shared register it is done off the UI thread.
    support::wait_for(&mut harness, "are now System administrator");
    assert!(!has(&harness, "No one is System administrator yet"));
    let session = register.session(&TestClock::new());
    let everyone = session.roles_of(user(&session, "14").key).unwrap();
    assert!(everyone.iter().any(|a| a.role == "system_administrator"));
}

/// Once someone was System administrator, roles stay in force: when the
/// only one's role has ended, the register does not open to everyone (as it
/// did: enforcement switched off); `roles recover` is the way back.
fn an_ended_last_system_administrator_does_not_open_the_register(register: Register) {
    let mut anna = working_as(&register, "14", "Anna", "anna");
    let mut bo = working_as(&register, "15", "Bo", "bo");
    make_me_system_administrator(&mut anna).unwrap();
    let anna_key = user(&anna, "14").key;
    // Her role ended yesterday (as the register holds it after that day).
    let yesterday = jiff::Zoned::now().date().yesterday().unwrap();
    let ended = Assignment {
        valid_to: Some(yesterday),
        ..Assignment::new("system_administrator")
    };
    anna.store_for_tests()
        .write(|tx| tx.set_roles(anna_key, std::slice::from_ref(&ended), 0))
        .unwrap();
    for session in [&anna, &bo] {
        let operator = hrm_users::app::operator::operator(session).unwrap();
        assert!(operator.enforced, "roles stay in force");
        assert!(operator.may(Permission::UsersEdit).is_err());
    }
    assert!(
        matches!(
            make_me_system_administrator(&mut bo),
            Err(RolesError::Refused(_))
        ),
        "no one takes the role by the first-administrator door"
    );
    let mut owner = register.session(&TestClock::new());
    recover(&mut owner, "anna").unwrap();
    // Anna's window hears of the change from the register (on a shared one
    // its notification comes a moment after the owner's commit).
    holds_roles_again(&anna);
}

/// Waits (at most 5 s) until `session`'s operator holds *Roles*: another
/// program's change is seen within a moment on a shared register.
fn holds_roles_again(session: &hrm_users::app::Session) {
    let started = std::time::Instant::now();
    while hrm_users::app::operator::operator(session)
        .unwrap()
        .may(Permission::Roles)
        .is_err()
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "holds Roles again"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// An HR administrator without *Roles* cannot give the System
/// administrator's Alias user-ID their own login name in the form (to
/// become them); other fields of that user they may change.
fn the_login_field_of_a_role_holder_changes_only_with_roles(register: Register) {
    let mut anna = working_as(&register, "14", "Anna", "anna");
    let mut bo = working_as(&register, "15", "Bo", "bo");
    make_me_system_administrator(&mut anna).unwrap();
    let bo_key = user(&bo, "15").key;
    set_user_roles(&mut anna, bo_key, vec![Assignment::new("hr_administrator")]).unwrap();
    let target = user(&bo, "14");
    let take_over = UserDraft {
        alias_user_id: "bo".into(),
        ..UserDraft::from_record(&target)
    };
    let refused = save_user(&mut bo, Some(target.key), &take_over).unwrap_err();
    assert!(matches!(refused, SaveUserError::Refused(_)), "{refused}");
    assert_eq!(user(&bo, "14").user.alias_user_id, "anna");
    let renamed = UserDraft {
        last_name: "Lindgren".into(),
        ..UserDraft::from_record(&target)
    };
    save_user(&mut bo, Some(target.key), &renamed).unwrap();
    assert_eq!(user(&bo, "14").user.last_name, "Lindgren");
}

/// `app` is the only door: each use case checks the operator itself, with
/// their department and office limits, refuses with the reason, audits the
/// refusal and changes nothing, whatever face calls it.
fn the_use_cases_check_the_operator_themselves(register: Register) {
    use hrm_users::app::{
        ConnectionError, SettingsSaveError, delete_connection, delete_user, reset_password,
        save_settings, verify_account,
    };
    let mut anna = working_as(&register, "14", "Anna", "anna");
    let mut olle = working_as(&register, "15", "Olle", "olle");
    let in_malmo = pending_user(&mut anna, "20", "Maja", "maja@example.org");
    let mut draft = UserDraft::from_record(&anna.user(in_malmo).unwrap().unwrap());
    draft.office = "Malmö".into();
    save_user(&mut anna, Some(in_malmo), &draft).unwrap();
    make_me_system_administrator(&mut anna).unwrap();
    let olle_key = user(&anna, "15").key;
    let lund = Assignment {
        scope: Scope {
            departments: Vec::new(),
            offices: vec!["Lund".into()],
        },
        ..Assignment::new("hr_administrator")
    };
    set_user_roles(&mut anna, olle_key, vec![lund]).unwrap();
    let refusals = |session: &Session| {
        session
            .audit_for(olle_key)
            .unwrap()
            .iter()
            .filter(|e| e.action == hrm_users::domain::AuditAction::AccessRefused)
            .count()
    };

    let mut renamed = draft.clone();
    renamed.first_name = "Changed".into();
    let refused = save_user(&mut olle, Some(in_malmo), &renamed).unwrap_err();
    assert!(matches!(refused, SaveUserError::Refused(_)), "{refused}");
    assert!(refused.to_string().contains("Malmö"), "{refused}");
    assert!(matches!(
        delete_user(&mut olle, in_malmo),
        Err(SaveUserError::Refused(_))
    ));
    assert!(matches!(
        verify_account(&mut olle, in_malmo),
        Err(ConnectionError::Denied(_))
    ));
    assert!(matches!(
        reset_password(&mut olle, in_malmo),
        Err(ConnectionError::Denied(_))
    ));
    assert!(matches!(
        delete_connection(&mut olle, in_malmo),
        Err(ConnectionError::Denied(_))
    ));
    let mut settings = olle.load_settings().unwrap();
    settings.sender_name = "Olle's".into();
    assert!(matches!(
        save_settings(&mut olle, &settings),
        Err(SettingsSaveError::Refused(_))
    ));
    assert!(matches!(
        set_user_roles(&mut olle, in_malmo, vec![Assignment::new("read_only")]),
        Err(RolesError::Refused(_))
    ));
    // Nothing changed, and each refusal is in Olle's History.
    let maja = user(&anna, "20");
    assert_eq!(maja.user.first_name, "Maja");
    assert_ne!(maja.connection, hrm_users::domain::Connection::None);
    assert!(anna.roles_of(in_malmo).unwrap().is_empty());
    assert_ne!(anna.load_settings().unwrap().sender_name, "Olle's");
    assert_eq!(refusals(&anna), 7);
    // Within his office he may.
    let mut own = UserDraft::from_record(&user(&olle, "15"));
    own.office = "Lund".into();
    save_user(&mut anna, Some(olle_key), &own).unwrap();
    let in_lund = pending_user(&mut anna, "21", "Lena", "lena@example.org");
    let mut lena = UserDraft::from_record(&anna.user(in_lund).unwrap().unwrap());
    lena.office = "Lund".into();
    save_user(&mut anna, Some(in_lund), &lena).unwrap();
    lena.first_name = "Lena-Sofia".into();
    save_user(&mut olle, Some(in_lund), &lena).unwrap();
    assert_eq!(user(&anna, "21").user.first_name, "Lena-Sofia");
}

support::on_both_backends!(
    the_use_cases_check_the_operator_themselves,
    the_login_field_of_a_role_holder_changes_only_with_roles,
    an_ended_last_system_administrator_does_not_open_the_register,
    no_one_locks_themselves_out_and_the_owner_gets_back_in,
    the_window_offers_make_me_system_administrator,
    an_open_roles_window_shows_a_role_given_elsewhere,
    a_role_made_here_is_saved_held_and_deleted_only_when_nobody_holds_it,
    two_administrators_naming_two_roles_alike_at_once_get_one_success,
    another_administrators_edit_shows_in_an_open_window_within_a_second,
    saving_over_someone_elses_change_asks_and_reload_shows_theirs,
    save_anyway_writes_the_form_over_the_other_change,
    an_unrelated_change_elsewhere_does_not_stop_a_save,
    deleting_a_user_someone_just_changed_asks_again,
    two_administrators_saving_one_address_at_once_get_one_success,
);
