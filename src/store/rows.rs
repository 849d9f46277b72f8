//! SQL text and the mapping between rows and domain types.

use jiff::Timestamp;

use super::StoreError;
use super::db::{Param, RowRead, Sql, params};
use crate::domain::{
    AuditAction, AuditEntry, ConnectedBy, Connection as VismaConnection, Email, User, UserId,
    UserKey, UserRecord,
};

/// The columns [`record_from_row`] reads, of `users u` and `connections c`.
macro_rules! user_columns {
    () => {
        "SELECT u.key, u.user_id, u.activated, u.alias_user_id, u.signature,
        u.card_tag_id, u.external_reference, u.email, u.first_name, u.last_name, u.department,
        u.office, c.email, c.state, c.sent_count, c.last_sent_at_ms, c.connected_at_ms,
        c.connected_by, u.employment_ends"
    };
}

/// Users joined with their connection; append a `WHERE` as needed.
pub const SELECT_USERS: &str = concat!(
    user_columns!(),
    " FROM users u LEFT JOIN connections c ON c.user_key = u.key"
);

/// Every user with their connection, in key order. The order is asked so
/// that PostgreSQL joins the two tables along their keys: under the
/// row-level security that binds an administrator's own login, a fresh
/// register (not yet vacuumed) was otherwise read with a hash join that
/// spilled to disk, 137 ms where the owner took 78 (100,000 users).
const SELECT_ALL_USERS: &str = concat!(
    user_columns!(),
    " FROM users u LEFT JOIN connections c ON c.user_key = u.key ORDER BY u.key"
);

/// [`SELECT_USERS`] of the users whose keys are the array `?1`, each found
/// by its key (a join, not `u.key = ANY(…)`: on tables the planner has no
/// statistics for yet, a bulk send's first minute, that read every user
/// and connection for each batch of 200).
pub const SELECT_USERS_BY_KEYS: &str = concat!(
    user_columns!(),
    " FROM (SELECT DISTINCT unnest(?1::bigint[]) AS key) AS k
    JOIN users u ON u.key = k.key LEFT JOIN connections c ON c.user_key = u.key"
);

/// `keys` as the JSON array a register file's statements read with
/// `json_each` (one statement for many keys, not one each).
pub fn json_key_list(keys: &[UserKey]) -> String {
    let listed: Vec<String> = keys.iter().map(|key| key.0.to_string()).collect();
    format!("[{}]", listed.join(","))
}

/// [`SELECT_USERS`] of the users whose keys are in the JSON array `?1`: one
/// statement on a register file.
pub const SELECT_USERS_IN_JSON_LIST: &str = concat!(
    user_columns!(),
    " FROM users u LEFT JOIN connections c ON c.user_key = u.key
    WHERE u.key IN (SELECT value FROM json_each(?1))"
);

/// Insert of one user: parameters 1–11 the fields, 12 the change stamp
/// (given by the transaction, see `WriteTx::insert_user`), 13 the creation
/// time, 14 the end of employment.
pub const INSERT_USER_AT: &str = "INSERT INTO users (user_id, activated, alias_user_id, signature,
        card_tag_id, external_reference, email, first_name, last_name, department, office,
        updated_at_ms, created_at_ms, employment_ends)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

/// Update of one user's fields; parameters 1–12 and 14 as for insert, 13 the key.
pub const UPDATE_USER: &str = "UPDATE users SET user_id = ?1, activated = ?2,
        alias_user_id = ?3, signature = ?4, card_tag_id = ?5, external_reference = ?6,
        email = ?7, first_name = ?8, last_name = ?9, department = ?10, office = ?11,
        employment_ends = ?14,
        updated_at_ms = greatest(?12, coalesce((SELECT max(updated_at_ms) FROM users), 0) + 1)
    WHERE key = ?13";

/// The parameters of [`INSERT_USER_AT`] (`last` is the creation time) or of
/// [`UPDATE_USER`] (`last` is the user's key): the user's fields, the change
/// stamp, `last`, and the end of employment (`20270131`, or NULL). Borrowed,
/// so binding allocates nothing.
pub fn user_params(user: &User, now_ms: i64, last: i64) -> [Param<'_>; 14] {
    [
        Param::Text(user.user_id.as_str()),
        Param::from(user.activated),
        Param::Text(&user.alias_user_id),
        Param::Text(&user.signature),
        Param::Text(&user.card_tag_id),
        Param::Text(&user.external_reference),
        Param::Text(user.email.as_ref().map_or("", Email::as_str)),
        Param::Text(&user.first_name),
        Param::Text(&user.last_name),
        Param::Text(&user.department),
        Param::Text(&user.office),
        Param::Int(now_ms),
        Param::Int(last),
        user.employment_ends
            .map_or(Param::Null, |d| Param::Int(date_number(d))),
    ]
}

/// A date as the register stores it: `20270131`, which orders as dates do
/// and reads plainly in any SQL tool.
pub fn date_number(date: jiff::civil::Date) -> i64 {
    i64::from(date.year()) * 10_000 + i64::from(date.month()) * 100 + i64::from(date.day())
}

/// The date of a stored `20270131`; a damaged one is an error.
pub(super) fn stored_date(number: i64, column: usize) -> Result<jiff::civil::Date, StoreError> {
    let part = |n: i64| i8::try_from(n).map_err(|_| StoreError::bad_value(column, number));
    let year = i16::try_from(number / 10_000).map_err(|_| StoreError::bad_value(column, number))?;
    jiff::civil::Date::new(year, part(number / 100 % 100)?, part(number % 100)?)
        .map_err(|e| StoreError::bad_value(column, e))
}

/// A stored text that must be a valid address; a damaged one is an error, not a panic.
fn stored_email(text: &str, column: usize) -> Result<Email, StoreError> {
    Email::parse(text).map_err(|e| StoreError::bad_value(column, e))
}

fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Maps a row of [`SELECT_USERS`].
pub fn record_from_row(row: &dyn RowRead) -> Result<UserRecord, StoreError> {
    let user_id = row.text(1)?;
    let email = row.text(7)?;
    let user = User {
        activated: row.flag(2)?,
        user_id: UserId::parse(&user_id).map_err(|e| StoreError::bad_value(1, e))?,
        alias_user_id: row.text(3)?,
        signature: row.text(4)?,
        card_tag_id: row.text(5)?,
        external_reference: row.text(6)?,
        email: if email.is_empty() {
            None
        } else {
            Some(stored_email(&email, 7)?)
        },
        first_name: row.text(8)?,
        last_name: row.text(9)?,
        department: row.text(10)?,
        office: row.text(11)?,
        employment_ends: row.opt_int(18)?.map(|n| stored_date(n, 18)).transpose()?,
    };
    let connection = match row.opt_text(13)?.as_deref() {
        None => VismaConnection::None,
        Some("connected") => VismaConnection::Connected {
            email: stored_email(&row.text(12)?, 12)?,
            since: timestamp(row.opt_int(16)?.unwrap_or(0)),
            by: if row.opt_text(17)?.as_deref() == Some("verified_domain") {
                ConnectedBy::VerifiedDomain
            } else {
                ConnectedBy::Link
            },
        },
        Some(_) => VismaConnection::Unverified {
            email: stored_email(&row.text(12)?, 12)?,
            sent_count: u32::try_from(row.int(14)?).unwrap_or(u32::MAX),
            last_sent_at: row.opt_int(15)?.map(timestamp),
        },
    };
    Ok(UserRecord {
        key: UserKey(row.int(0)?),
        user,
        connection,
    })
}

/// One user by key.
pub fn user_by_key(db: &impl Sql, key: UserKey) -> Result<Option<UserRecord>, StoreError> {
    db.fetch_opt(
        &format!("{SELECT_USERS} WHERE u.key = ?1"),
        params![key.0],
        record_from_row,
    )
}

/// The insert of a connection row; its parameters come from [`connection_params`].
pub const INSERT_CONNECTION: &str = "INSERT INTO connections (user_key, email, email_key, state,
        sent_count, last_sent_at_ms, connected_at_ms, connected_by, saved_at_ms)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/// The parameters of [`INSERT_CONNECTION`]; `None` for [`VismaConnection::None`].
pub fn connection_params(
    key: UserKey,
    connection: &VismaConnection,
    now_ms: i64,
) -> Option<[Param<'_>; 9]> {
    match connection {
        VismaConnection::None => None,
        VismaConnection::Unverified {
            email,
            sent_count,
            last_sent_at,
        } => Some([
            Param::Int(key.0),
            Param::Text(email.as_str()),
            Param::Text(email.key()),
            Param::Text("unverified"),
            Param::from(*sent_count),
            Param::from(last_sent_at.map(Timestamp::as_millisecond)),
            Param::Null,
            Param::Null,
            Param::Int(now_ms),
        ]),
        VismaConnection::Connected { email, since, by } => Some([
            Param::Int(key.0),
            Param::Text(email.as_str()),
            Param::Text(email.key()),
            Param::Text("connected"),
            Param::Int(0),
            Param::Null,
            Param::Int(since.as_millisecond()),
            Param::Text(match by {
                ConnectedBy::Link => "link",
                ConnectedBy::VerifiedDomain => "verified_domain",
            }),
            Param::Int(now_ms),
        ]),
    }
}

/// Stores a connection row; nothing for [`VismaConnection::None`].
pub fn insert_connection(
    db: &impl Sql,
    key: UserKey,
    connection: &VismaConnection,
    now_ms: i64,
) -> Result<(), StoreError> {
    if let Some(params) = connection_params(key, connection, now_ms) {
        db.exec(INSERT_CONNECTION, &params)?;
    }
    Ok(())
}

/// The parameters of one audit row's insert.
pub fn audit_params(entry: &AuditEntry) -> [Param<'_>; 7] {
    [
        Param::Int(entry.at.as_millisecond()),
        Param::Text(&entry.actor),
        Param::Text(entry.action.code()),
        Param::from(entry.user_key.map(|k| k.0)),
        Param::Text(&entry.user_id),
        Param::from(entry.before.as_deref()),
        Param::from(entry.after.as_deref()),
    ]
}

/// Appends one audit row.
pub fn insert_audit(db: &impl Sql, entry: &AuditEntry) -> Result<(), StoreError> {
    db.exec(
        "INSERT INTO audit (at_ms, actor, action, user_key, user_id, before, after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &audit_params(entry),
    )?;
    Ok(())
}

pub(super) const SELECT_AUDIT: &str =
    "SELECT at_ms, actor, action, user_key, user_id, before, after FROM audit";

pub(super) fn audit_from_row(row: &dyn RowRead) -> Result<AuditEntry, StoreError> {
    let code = row.text(2)?;
    Ok(AuditEntry {
        at: timestamp(row.int(0)?),
        actor: row.text(1)?,
        action: AuditAction::from_code(&code)
            .ok_or_else(|| StoreError::bad_value(2, format!("unknown audit action {code}")))?,
        user_key: row.opt_int(3)?.map(UserKey),
        user_id: row.text(4)?,
        before: row.opt_text(5)?,
        after: row.opt_text(6)?,
    })
}

/// The audit rows of one user, newest first.
pub fn audit_for(db: &impl Sql, key: UserKey) -> Result<Vec<AuditEntry>, StoreError> {
    db.fetch(
        &format!("{SELECT_AUDIT} WHERE user_key = ?1 ORDER BY id DESC"),
        params![key.0],
        audit_from_row,
    )
}

/// Every audit row, oldest first.
pub fn audit_all(db: &impl Sql) -> Result<Vec<AuditEntry>, StoreError> {
    db.fetch(&format!("{SELECT_AUDIT} ORDER BY id"), &[], audit_from_row)
}

/// Every user.
pub fn load_users(db: &impl Sql) -> Result<Vec<UserRecord>, StoreError> {
    // One damaged row must not keep everyone from the register.
    Ok(db
        .fetch(
            SELECT_ALL_USERS,
            &[],
            super::db::readable("user", record_from_row),
        )?
        .into_iter()
        .flatten()
        .collect())
}

/// The users whose keys lie in `from..=to`.
pub fn load_users_in_key_range(
    db: &impl Sql,
    from: i64,
    to: i64,
) -> Result<Vec<UserRecord>, StoreError> {
    Ok(db
        .fetch(
            &format!("{SELECT_USERS} WHERE u.key BETWEEN ?1 AND ?2"),
            params![from, to],
            super::db::readable("user", record_from_row),
        )?
        .into_iter()
        .flatten()
        .collect())
}
