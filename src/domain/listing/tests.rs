//! Tests of `domain::listing`.

use super::*;
use crate::domain::user::test_record;
use crate::domain::{Connection, ConnectionStatus, Email};

fn record(key: i64, id: &str, first: &str, last: &str, department: &str) -> UserRecord {
    let mut record = test_record(key, id);
    record.user.activated = key % 2 == 0;
    record.user.first_name = first.into();
    record.user.last_name = last.into();
    record.user.department = department.into();
    record.user.office = "Lund".into();
    record
}

fn ids(listing: &Listing) -> Vec<String> {
    listing
        .visible_records()
        .map(|r| r.user.user_id.to_string())
        .collect()
}

fn sample() -> Listing {
    let mut pending = record(4, "2", "Erik", "Lind", "Sales");
    pending.connection = Connection::Unverified {
        email: Email::parse("erik.lind@company.se").unwrap(),
        sent_count: 0,
        last_sent_at: None,
    };
    Listing::new(vec![
        record(1, "10", "Anna", "Svensson", "HR"),
        record(2, "9", "Björn", "Åberg", "Sales"),
        record(3, "abc", "Anna", "Berg", "HR"),
        pending,
    ])
}

#[test]
fn user_ids_sort_naturally() {
    assert_eq!(ids(&sample()), ["2", "9", "10", "abc"]);
}

#[test]
fn sorting_by_name_uses_last_name_and_can_be_reversed() {
    let mut listing = sample();
    listing.set_sort(Sort {
        column: Column::Name,
        descending: false,
    });
    assert_eq!(ids(&listing), ["abc", "2", "10", "9"]);
    listing.set_sort(Sort {
        column: Column::Name,
        descending: true,
    });
    assert_eq!(ids(&listing), ["9", "10", "2", "abc"]);
}

#[test]
fn a_list_sorted_by_a_text_column_stays_sorted_through_edits() {
    let mut listing = sample();
    let by = |column| Sort {
        column,
        descending: false,
    };
    listing.set_sort(by(Column::Name));
    // Berg, Lind, Svensson, Åberg; Svensson is renamed Andersson.
    listing.upsert(record(1, "10", "Anna", "Andersson", "HR"));
    assert_eq!(ids(&listing), ["10", "abc", "2", "9"]);
    listing.upsert(record(5, "5", "Nils", "Holm", "IT"));
    assert_eq!(ids(&listing), ["10", "abc", "5", "2", "9"]);
    listing.remove(UserKey(1));
    assert_eq!(ids(&listing), ["abc", "5", "2", "9"]);
    let many: Vec<UserRecord> = (10..20)
        .map(|k| record(k, &k.to_string(), "Ola", "Öst", "IT"))
        .collect();
    listing.upsert_many(many);
    assert_eq!(ids(&listing)[..4], ["abc", "5", "2", "9"]);
    assert_eq!(ids(&listing).len(), 14);
    // Another text column, then back.
    listing.set_sort(by(Column::Department));
    assert_eq!(ids(&listing)[0], "abc", "HR first");
    listing.set_sort(by(Column::Name));
    assert_eq!(ids(&listing)[..4], ["abc", "5", "2", "9"]);
}

#[test]
fn search_words_must_all_match_any_field() {
    let mut listing = sample();
    listing.set_filter(UserFilter {
        search: "anna SVENS".into(),
        ..UserFilter::default()
    });
    assert_eq!(ids(&listing), ["10"]);
    listing.set_filter(UserFilter {
        search: "erik.lind@".into(),
        ..UserFilter::default()
    });
    assert_eq!(ids(&listing), ["2"]);
    assert_eq!(listing.total(), 4);
}

#[test]
fn typing_on_narrows_and_deleting_widens_again() {
    let mut listing = sample();
    let search = |text: &str, listing: &mut Listing| {
        listing.set_filter(UserFilter {
            search: text.into(),
            ..UserFilter::default()
        });
        ids(listing)
    };
    // "erik.lind@company.se" has an "a" and an "an"; Björn Åberg only
    // the "a" of his department, Sales.
    assert_eq!(search("a", &mut listing), ["2", "9", "10", "abc"]);
    assert_eq!(search("an", &mut listing), ["2", "10", "abc"]);
    assert_eq!(search("anna", &mut listing), ["10", "abc"]);
    assert_eq!(search("anna b", &mut listing), ["abc"]);
    assert_eq!(search("anna", &mut listing), ["10", "abc"]);
    assert_eq!(search("", &mut listing), ["2", "9", "10", "abc"]);
}

#[test]
fn many_changes_at_once_keep_order_filter_and_count() {
    let mut listing = sample();
    listing.set_filter(UserFilter {
        department: Some("HR".into()),
        ..UserFilter::default()
    });
    let changed: Vec<UserRecord> = (5..25)
        .map(|k| {
            record(
                k,
                &k.to_string(),
                "Nils",
                "Holm",
                if k % 2 == 0 { "HR" } else { "IT" },
            )
        })
        .chain([record(1, "10", "Anna", "Svensson", "IT")])
        .collect();
    listing.upsert_many(changed);
    assert_eq!(listing.total(), 24);
    let hr = ids(&listing);
    assert_eq!(hr.len(), 11, "{hr:?}");
    assert_eq!(hr.first().map(String::as_str), Some("6"));
    assert_eq!(hr.last().map(String::as_str), Some("abc"));
}

#[test]
fn filters_combine() {
    let mut listing = sample();
    listing.set_filter(UserFilter {
        department: Some("HR".into()),
        activated: Some(false),
        ..UserFilter::default()
    });
    assert_eq!(ids(&listing), ["10", "abc"]);
    listing.set_filter(UserFilter {
        status: Some(ConnectionStatus::Pending),
        ..UserFilter::default()
    });
    assert_eq!(ids(&listing), ["2"]);
}

#[test]
fn edits_keep_order_and_filter() {
    let mut listing = sample();
    listing.set_filter(UserFilter {
        department: Some("HR".into()),
        ..UserFilter::default()
    });
    listing.upsert(record(5, "5", "Nils", "Holm", "HR"));
    assert_eq!(ids(&listing), ["5", "10", "abc"]);
    listing.upsert(record(5, "5", "Nils", "Holm", "IT"));
    assert_eq!(ids(&listing), ["10", "abc"]);
    listing.remove(UserKey(1));
    assert_eq!(ids(&listing), ["abc"]);
    assert_eq!(listing.total(), 4);
    assert_eq!(
        listing.departments().collect::<Vec<_>>(),
        ["HR", "IT", "Sales"]
    );
}

#[test]
fn search_finds_users_by_their_current_names_after_edits() {
    let mut listing = sample();
    let search = |listing: &mut Listing, text: &str| {
        listing.set_filter(UserFilter {
            search: text.into(),
            ..UserFilter::default()
        });
        ids(listing)
    };
    assert_eq!(search(&mut listing, "anna"), ["10", "abc"]);
    // Renamed: found by the new name, no longer by the old one.
    listing.upsert(record(1, "10", "Annika", "Sandberg", "HR"));
    assert_eq!(search(&mut listing, "svensson"), Vec::<String>::new());
    assert_eq!(search(&mut listing, "sandberg"), ["10"]);
    // Removing the first user moves the last one into its place.
    listing.remove(UserKey(1));
    assert_eq!(search(&mut listing, "lind"), ["2"]);
    assert_eq!(search(&mut listing, "sandberg"), Vec::<String>::new());
    // Many at once: one renamed, nine new.
    let changed: Vec<UserRecord> = (10..19)
        .map(|k| record(k, &k.to_string(), "Nils", "Holm", "IT"))
        .chain([record(2, "9", "Björn", "Ekholm", "Sales")])
        .collect();
    listing.upsert_many(changed);
    assert_eq!(search(&mut listing, "holm").len(), 10);
    assert_eq!(search(&mut listing, "åberg"), Vec::<String>::new());
    assert_eq!(search(&mut listing, "björn ekholm"), ["9"]);
}
