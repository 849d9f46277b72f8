//! Tests of `domain::import`.

use super::*;
use crate::domain::ConnectedBy;
use crate::domain::user::test_record;
use crate::domain::{Connection, UserRecord};

fn record(key: i64, id: &str, last: &str, connection: Connection) -> UserRecord {
    let mut record = test_record(key, id);
    record.user.first_name = "Anna".into();
    record.user.last_name = last.into();
    record.user.department = "HR".into();
    record.connection = connection;
    record
}

fn table(headers: &[&str], rows: &[&[&str]]) -> RawTable {
    RawTable {
        sheets: Vec::new(),
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, r)| (i + 2, r.iter().map(|c| (*c).to_owned()).collect()))
            .collect(),
    }
}

fn register() -> Vec<UserRecord> {
    let email = |a: &str| Email::parse(a).unwrap();
    vec![
        record(1, "14", "Svensson", Connection::None),
        record(
            2,
            "15",
            "Lind",
            Connection::Connected {
                email: email("erik@company.se"),
                since: jiff::Timestamp::UNIX_EPOCH,
                by: ConnectedBy::Link,
            },
        ),
        record(
            3,
            "16",
            "Berg",
            Connection::Unverified {
                email: email("maja@company.se"),
                sent_count: 0,
                last_sent_at: None,
            },
        ),
    ]
}

fn plan(table: &RawTable) -> ImportPlan {
    let users = register();
    let index = RegisterIndex::new(&users);
    plan_import(table, &ColumnMap::new(&table.headers).unwrap(), &index)
}

#[test]
fn a_file_without_user_id_is_refused() {
    let t = table(&["Name", "Email"], &[]);
    assert_eq!(ColumnMap::new(&t.headers), Err(HeaderError::NoUserId));
}

#[test]
fn unknown_columns_are_reported_and_columns_may_come_in_any_order() {
    let t = table(
        &["Efternamn", "Shoe size", "Användar-ID"],
        &[&["Svensson-Holm", "42", "14"]],
    );
    let plan = plan(&t);
    assert_eq!(plan.unknown_columns, ["Shoe size"]);
    assert_eq!(plan.rows[0].action.status(), "update");
    assert_eq!(
        plan.rows[0].changes(),
        ["Last name: Svensson → Svensson-Holm"]
    );
}

#[test]
fn empty_cells_leave_fields_and_unknown_users_are_created() {
    let t = table(
        &["User-ID", "Last name", "Department"],
        &[
            &["14", "", "Sales"],
            &["99", "Nyström", ""],
            &["16", "Berg", "HR"],
        ],
    );
    let plan = plan(&t);
    assert_eq!(plan.rows[0].action.status(), "update");
    assert_eq!(plan.rows[0].user().unwrap().last_name, "Svensson");
    assert_eq!(plan.rows[1].action.status(), "create");
    assert_eq!(plan.rows[2].action, RowAction::Unchanged);
    assert_eq!(
        plan.counts,
        ImportCounts {
            create: 1,
            update: 1,
            unchanged: 1,
            rejected: 0,
            notes: 0
        }
    );
}

#[test]
fn visma_connect_addresses_follow_the_seed() {
    let t = table(
        &["User-ID", "Email Visma Connect"],
        &[
            &["14", "anna@company.se"],     // applied, pending
            &["15", "erik.new@company.se"], // connected: stays, note
            &["99", "not-an-address"],      // invalid: ignored, note
            &["98", "MAJA@company.se"],     // another user's: refused, note
            &["97", "anna@company.se"],     // claimed by row 2: refused, note
        ],
    );
    let plan = plan(&t);
    assert_eq!(
        plan.rows[0].new_address().unwrap().as_str(),
        "anna@company.se"
    );
    assert_eq!(plan.rows[1].new_address(), None);
    assert!(
        plan.rows[1].notes[0]
            .to_string()
            .contains("Already connected")
    );
    assert_eq!(plan.rows[1].action, RowAction::Unchanged);
    assert!(
        plan.rows[2].notes[0]
            .to_string()
            .contains("not a valid address")
    );
    assert_eq!(
        plan.rows[2].action.status(),
        "create",
        "the row itself is still imported"
    );
    assert!(
        plan.rows[3].notes[0]
            .to_string()
            .contains("belongs to user 16")
    );
    assert!(
        plan.rows[4].notes[0]
            .to_string()
            .contains("also given to user 14")
    );
    assert_eq!(plan.counts.notes, 4);
}

#[test]
fn bad_rows_are_rejected_with_the_reason() {
    let t = table(
        &["User-ID", "Last name", "User is activated"],
        &[
            &["", "X", ""],
            &["14", "A\u{7}B", ""],
            &["16", "Berg", "perhaps"],
            &["16", "Berg", ""],
        ],
    );
    let plan = plan(&t);
    assert!(
        matches!(&plan.rows[0].action, RowAction::Rejected(r) if r.to_string().contains("User-ID is empty"))
    );
    assert!(
        matches!(&plan.rows[1].action, RowAction::Rejected(r) if r.to_string().contains("Last name"))
    );
    assert!(plan.rows[2].notes[0].to_string().contains("not yes or no"));
    assert!(
        matches!(&plan.rows[3].action, RowAction::Rejected(r) if r.to_string().contains("also on row 4"))
    );
}
