//! Tests of `store::db`.

use super::*;

#[test]
fn literal_parameters_are_written_in_once_and_never_read_again() {
    assert_eq!(
        with_literal_params(
            "SELECT ?2, ?1 WHERE a = ?12",
            &[
                Param::Text("?2 it's"),
                Param::Text("$h$?1"),
                Param::Null,
                Param::Null,
                Param::Null,
                Param::Null,
                Param::Null,
                Param::Null,
                Param::Null,
                Param::Null,
                Param::Null,
                Param::Int(7),
            ],
        )
        .as_deref(),
        Some("SELECT  $h1$$h$?1$h1$,  $h$?2 it's$h$ WHERE a =  $h$7$h$")
    );
    assert_eq!(
        with_literal_params("SELECT ?1", &[Param::Text("a\0")]),
        None
    );
}

#[test]
fn parameters_are_numbered_for_postgres_and_greatest_is_max_for_sqlite() {
    assert_eq!(
        postgres_text("UPDATE t SET a = greatest(?1, ?12) WHERE b = '?'"),
        "UPDATE t SET a = greatest($1, $12) WHERE b = '?'"
    );
    assert_eq!(
        sqlite_text("SELECT greatest(?1, 2), max(x) FROM t"),
        "SELECT max(?1, 2), max(x) FROM t"
    );
}
