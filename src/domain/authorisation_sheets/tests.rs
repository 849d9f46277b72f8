//! Tests of `domain::authorisation_sheets`.

#![allow(clippy::unwrap_used)]
use super::*;
use crate::domain::UserKey;
use crate::domain::roles::builtin_roles;

fn sheet(name: &str, headers: &[&str], rows: &[&[&str]]) -> NamedSheet {
    NamedSheet {
        name: name.into(),
        table: RawTable {
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: (2..)
                .zip(rows)
                .map(|(n, cells)| (n, cells.iter().map(|c| (*c).to_owned()).collect()))
                .collect(),
            sheets: Vec::new(),
        },
    }
}

#[test]
fn a_bad_row_leaves_its_user_or_role_as_it_was_and_says_where() {
    let parsed = parse_sheets(&[
        sheet(
            "roller",
            &["Roll", "Namn", "Behörighet", "Kontor"],
            &[
                &["payroll", "Payroll", "Användarvyn: läsa", "Lund; Malmö"],
                &["payroll", "", "settings", ""],
                &["broken", "Broken", "fly", ""],
                &["broken", "Broken", "roles", ""],
            ],
        ),
        sheet(
            "Authorisations",
            &["User-ID", "Role", "Valid from"],
            &[
                &["1", "payroll", "2027-01-01"],
                &["2", "read_only", "not a date"],
                &["2", "payroll", ""],
                &["3", "", ""],
            ],
        ),
        sheet("Notes", &["Anything"], &[&["ignored"]]),
    ]);
    assert_eq!(
        parsed.present,
        [ExtraSheet::Roles, ExtraSheet::Authorisations]
    );
    assert_eq!(parsed.roles.len(), 1);
    let payroll = &parsed.roles[0].draft;
    assert_eq!(payroll.grants.len(), 2);
    assert_eq!(payroll.grants[0].scope.offices, ["Lund", "Malmö"]);
    let problems: Vec<(ExtraSheet, usize)> =
        parsed.problems.iter().map(|p| (p.sheet, p.row)).collect();
    assert_eq!(
        problems,
        [(ExtraSheet::Roles, 4), (ExtraSheet::Authorisations, 3)]
    );
    // User 2's good row goes with the bad one; user 3 has no roles.
    let users: Vec<(&str, usize)> = parsed
        .assignments
        .iter()
        .map(|u| (u.user_id.as_str(), u.rows.len()))
        .collect();
    assert_eq!(users, [("1", 1), ("3", 0)]);
}

#[test]
fn planning_checks_users_roles_limits_and_the_last_administrator() {
    let roles = builtin_roles();
    let (anna, bo) = (UserKey(1), UserKey(2));
    let everyone = vec![(anna, vec![Assignment::new("system_administrator")])];
    let parsed = parse_sheets(&[sheet(
        "Authorisations",
        &["User-ID", "Role"],
        &[
            &["anna", "read only"],
            &["bo", "hr administrator"],
            &["nobody", "read_only"],
            &["cecilia", "read_only"],
        ],
    )]);
    let user = |id: &str| {
        let (key, office) = match id {
            "anna" => (Some(anna), "Lund"),
            "bo" => (Some(bo), "Lund"),
            "cecilia" => (None, "Malmö"),
            _ => return None,
        };
        Some(KnownUser {
            key,
            department: String::new(),
            office: office.into(),
        })
    };
    let may_change = |_: &str, office: &str| {
        if office == "Lund" {
            Ok(())
        } else {
            Err(format!("not {office}"))
        }
    };
    let plan = plan_authorisations(
        &parsed,
        &Register {
            roles: &roles,
            everyone: &everyone,
            codes: &[],
            day: "2027-01-15".parse().unwrap(),
            operator: None,
            giver: None,
            user: &user,
            may_change: &may_change,
        },
    );
    assert_eq!(
        plan.assignments,
        [("bo".to_owned(), vec![Assignment::new("hr_administrator")])]
    );
    let rows: Vec<usize> = plan.problems.iter().map(|p| p.row).collect();
    // Anna is the last System administrator; nobody is unknown;
    // Cecilia is outside the operator's offices.
    assert_eq!(rows, [2, 4, 5]);
    assert!(plan.problems[2].message.contains("not Malmö"));
}
