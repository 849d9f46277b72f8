//! Tests of `domain::roles`.

#![allow(clippy::unwrap_used)]
use super::*;
use crate::domain::UserKey;

#[test]
fn nobody_gives_more_than_they_hold() {
    let today = day("2027-01-15");
    let mut roles = builtin_roles();
    let sales_roles = Role {
        id: "sales_roles".into(),
        name: "Sales roles".into(),
        description: String::new(),
        builtin: None,
        grants: vec![
            Grant {
                permission: Permission::Roles,
                scope: Scope::from_text("Sales", ""),
            },
            Grant {
                permission: Permission::UsersEdit,
                scope: Scope::from_text("Sales", ""),
            },
        ],
    };
    roles.push(sales_roles);
    let giver = [Assignment::new("sales_roles")];
    let admin = [Assignment::new("system_administrator")];
    assert!(matches!(
        check_within_givers_own(&roles, &giver, &[], &admin, today),
        Err(AssignmentError::BeyondYourOwn { role, .. }) if role == "System administrator"
    ));
    // Their own role, limited to Sales: fine; widened to all: refused.
    let same = [Assignment::new("sales_roles")];
    assert!(check_within_givers_own(&roles, &giver, &[], &same, today).is_ok());
    let hr = [Assignment {
        scope: Scope::from_text("Sales", ""),
        ..Assignment::new("hr_administrator")
    }];
    assert!(
        check_within_givers_own(&roles, &giver, &[], &hr, today).is_err(),
        "HR administrator gives Verify accounts, which the giver has not"
    );
    // Kept as it was: not given now, so not checked.
    assert!(check_within_givers_own(&roles, &giver, &admin, &admin, today).is_ok());
    // The System administrator gives anything.
    assert!(check_within_givers_own(&roles, &admin, &[], &hr, today).is_ok());
    assert!(Scope::from_text("", "").contains(&Scope::from_text("Sales", "")));
    assert!(!Scope::from_text("Sales", "").contains(&Scope::from_text("", "")));
    assert!(Scope::from_text("Sales, HR", "").contains(&Scope::from_text("hr", "")));
}

#[test]
fn the_first_system_administrator_is_the_one_who_gives_it() {
    let today = day("2027-01-15");
    let (anna, bo) = (UserKey(1), UserKey(2));
    let admin = [Assignment::new("system_administrator")];
    let nobody: Vec<(UserKey, Vec<Assignment>)> = vec![];
    assert_eq!(
        check_role_change(&nobody, Some(bo), &admin, today, Some(anna)),
        Err(AssignmentError::FirstAdministratorNotYou)
    );
    assert_eq!(
        check_role_change(&nobody, Some(bo), &admin, today, None),
        Err(AssignmentError::FirstAdministratorNotYou)
    );
    assert_eq!(
        check_role_change(&nobody, None, &admin, today, Some(anna)),
        Err(AssignmentError::FirstAdministratorNotYou)
    );
    assert_eq!(
        check_role_change(&nobody, Some(anna), &admin, today, Some(anna)),
        Ok(())
    );
    // Other roles may be given to anyone before there is one.
    let hr = [Assignment::new("hr_administrator")];
    assert_eq!(
        check_role_change(&nobody, Some(bo), &hr, today, Some(anna)),
        Ok(())
    );
    // A role that starts only later is no System administrator today.
    let later = [Assignment {
        valid_from: Some(day("2027-02-01")),
        ..Assignment::new("system_administrator")
    }];
    assert_eq!(
        check_role_change(&nobody, Some(bo), &later, today, Some(anna)),
        Ok(())
    );
    // Once there is one, they may give it to anyone.
    let one = vec![(anna, admin.to_vec())];
    assert_eq!(
        check_role_change(&one, Some(bo), &admin, today, Some(anna)),
        Ok(())
    );
    assert_eq!(
        check_role_change(&one, Some(anna), &[], today, Some(anna)),
        Err(AssignmentError::LastSystemAdministrator)
    );
}

fn day(text: &str) -> Date {
    text.parse().unwrap()
}

#[test]
fn built_in_roles_permit_what_they_say() {
    let roles = builtin_roles();
    let today = day("2027-01-15");
    let hr = [Assignment::new("hr_administrator")];
    assert!(permits(&roles, &hr, Permission::UsersEdit, None, today));
    assert!(permits(&roles, &hr, Permission::UsersRead, None, today));
    assert!(permits(
        &roles,
        &hr,
        Permission::VerifyAccounts,
        None,
        today
    ));
    assert!(!permits(&roles, &hr, Permission::Settings, None, today));
    assert!(!permits(&roles, &hr, Permission::Roles, None, today));
    let reader = [Assignment::new("read_only")];
    assert!(permits(&roles, &reader, Permission::UsersRead, None, today));
    assert!(!permits(
        &roles,
        &reader,
        Permission::UsersEdit,
        None,
        today
    ));
    let admin = [Assignment::new("system_administrator")];
    for permission in Permission::ALL {
        assert!(permits(&roles, &admin, permission, None, today));
    }
    assert!(!permits(&roles, &[], Permission::UsersRead, None, today));
}

#[test]
fn validity_dates_include_both_ends() {
    let roles = builtin_roles();
    let assignment = Assignment {
        valid_from: Some(day("2027-01-10")),
        valid_to: Some(day("2027-01-20")),
        ..Assignment::new("hr_administrator")
    };
    let on = |d: &str| {
        permits(
            &roles,
            std::slice::from_ref(&assignment),
            Permission::UsersEdit,
            None,
            day(d),
        )
    };
    assert!(!on("2027-01-09"));
    assert!(on("2027-01-10"));
    assert!(on("2027-01-20"));
    assert!(!on("2027-01-21"));
    let reversed = Assignment {
        valid_from: Some(day("2027-01-20")),
        valid_to: Some(day("2027-01-10")),
        ..Assignment::new("hr_administrator")
    };
    assert_eq!(reversed.check(&roles), Err(AssignmentError::DatesReversed));
    assert_eq!(
        Assignment::new("nobody").check(&roles),
        Err(AssignmentError::UnknownRole("nobody".into()))
    );
    assert_eq!(assignment.check(&roles), Ok(()));
}

#[test]
fn department_and_office_limits_narrow_both_the_role_and_the_assignment() {
    let mut roles = builtin_roles();
    roles.push(Role {
        id: "hr-lund".into(),
        name: "HR Lund".into(),
        description: String::new(),
        builtin: None,
        grants: vec![Grant {
            permission: Permission::UsersEdit,
            scope: Scope {
                departments: Vec::new(),
                offices: vec!["Lund".into()],
            },
        }],
    });
    let today = day("2027-01-15");
    let lund = [Assignment::new("hr-lund")];
    assert!(permits(
        &roles,
        &lund,
        Permission::UsersEdit,
        Some(("HR", "lund ")),
        today
    ));
    assert!(!permits(
        &roles,
        &lund,
        Permission::UsersEdit,
        Some(("HR", "Malmö")),
        today
    ));
    // Anywhere at all (may the operator open the view?): yes.
    assert!(permits(&roles, &lund, Permission::UsersEdit, None, today));
    // The assignment narrows an unlimited role to one department.
    let sales_only = [Assignment {
        scope: Scope {
            departments: vec!["Sales".into()],
            offices: Vec::new(),
        },
        ..Assignment::new("hr_administrator")
    }];
    assert!(permits(
        &roles,
        &sales_only,
        Permission::UsersEdit,
        Some(("Sales", "Umeå")),
        today
    ));
    assert!(!permits(
        &roles,
        &sales_only,
        Permission::UsersEdit,
        Some(("HR", "Umeå")),
        today
    ));
}

#[test]
fn a_new_roles_id_comes_from_its_name_and_its_draft_is_checked() {
    let mut roles = builtin_roles();
    assert_eq!(new_role_id("  HR – Lund/Malmö ", &roles), "hr_lund_malmö");
    assert_eq!(new_role_id("!!", &roles), "role");
    assert_eq!(new_role_id("Read only", &roles), "read_only_2");
    let draft = RoleDraft {
        name: " Payroll ".into(),
        description: String::new(),
        grants: vec![
            Grant {
                permission: Permission::Settings,
                scope: Scope::everything(),
            },
            Grant {
                permission: Permission::UsersRead,
                scope: Scope {
                    departments: vec![" Pay ".into(), " ".into()],
                    offices: Vec::new(),
                },
            },
        ],
    };
    let role = draft.check("payroll", &roles).unwrap();
    assert_eq!(role.name, "Payroll");
    // Ordered as the form shows them; blanks dropped, limits trimmed.
    assert_eq!(role.grants[0].permission, Permission::UsersRead);
    assert_eq!(role.grants[0].scope.departments, vec!["Pay".to_owned()]);
    roles.push(role);
    let again = RoleDraft {
        name: "PAYROLL".into(),
        ..draft.clone()
    };
    assert_eq!(
        again.check("payroll_2", &roles),
        Err(RoleError::NameTaken("Payroll".into()))
    );
    let long = RoleDraft {
        name: "x".repeat(ROLE_NAME_MAX + 1),
        ..draft
    };
    assert_eq!(long.check("x", &roles), Err(RoleError::NameTooLong));
    assert_eq!(role_id_for(&roles, "payroll"), "payroll");
    assert_eq!(role_id_for(&roles, "hr administrator"), "hr_administrator");
    assert_eq!(role_id_for(&roles, "nobody"), "nobody");
}

#[test]
fn places_are_read_as_typed_and_written_back_the_same() {
    let scope = Scope::from_text("HR; Sales,\n , IT", " Lund ");
    assert_eq!(scope.departments, ["HR", "Sales", "IT"]);
    assert_eq!(scope.offices, ["Lund"]);
    let written = place_list_text(&scope.departments);
    assert_eq!(written, "HR, Sales, IT");
    assert_eq!(place_list(&written), scope.departments);
    assert!(Scope::from_text("", " ").is_everything());
}

#[test]
fn the_last_system_administrator_cannot_be_removed() {
    let today = day("2027-01-15");
    let admin = || vec![Assignment::new("system_administrator")];
    let (anna, bo) = (UserKey(1), UserKey(2));
    // No administrator yet: anything goes.
    let nobody = vec![(anna, Vec::new()), (bo, Vec::new())];
    assert_eq!(
        check_keeps_a_system_administrator(&nobody, anna, &[], today),
        Ok(())
    );
    let one = vec![(anna, admin()), (bo, Vec::new())];
    assert_eq!(
        check_keeps_a_system_administrator(&one, anna, &[], today),
        Err(AssignmentError::LastSystemAdministrator)
    );
    // Ending the role yesterday is removing it too.
    let ended = [Assignment {
        valid_to: Some(day("2027-01-14")),
        ..Assignment::new("system_administrator")
    }];
    assert_eq!(
        check_keeps_a_system_administrator(&one, anna, &ended, today),
        Err(AssignmentError::LastSystemAdministrator)
    );
    let two = vec![(anna, admin()), (bo, admin())];
    assert_eq!(
        check_keeps_a_system_administrator(&two, anna, &[], today),
        Ok(())
    );
}
