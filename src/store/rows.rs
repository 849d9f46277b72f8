//! SQL text and the mapping between rows and domain types.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension as _, Row, params};

use super::StoreError;
use crate::domain::{
    AuditAction, AuditEntry, ConnectedBy, Connection as VismaConnection, Email, User, UserId,
    UserKey, UserRecord,
};

/// Users joined with their connection; append a `WHERE` as needed.
pub const SELECT_USERS: &str = "SELECT u.key, u.user_id, u.activated, u.alias_user_id, u.signature,
        u.card_tag_id, u.external_reference, u.email, u.first_name, u.last_name, u.department,
        u.office, c.email, c.state, c.sent_count, c.last_sent_at_ms, c.connected_at_ms,
        c.connected_by
    FROM users u LEFT JOIN connections c ON c.user_key = u.key";

/// Insert of one user; parameters as [`user_params`] gives them. The change
/// stamp `updated_at_ms` is the time, but always above every other user's, so
/// "changed since" never misses or repeats users written in the same millisecond.
pub const INSERT_USER: &str = "INSERT INTO users (user_id, activated, alias_user_id, signature,
        card_tag_id, external_reference, email, first_name, last_name, department, office,
        updated_at_ms, created_at_ms)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,
        max(?12, coalesce((SELECT max(updated_at_ms) FROM users), 0) + 1), ?13)";

/// Update of one user's fields; parameters 1–12 as for insert, 13 the key.
pub const UPDATE_USER: &str = "UPDATE users SET user_id = ?1, activated = ?2,
        alias_user_id = ?3, signature = ?4, card_tag_id = ?5, external_reference = ?6,
        email = ?7, first_name = ?8, last_name = ?9, department = ?10, office = ?11,
        updated_at_ms = max(?12, coalesce((SELECT max(updated_at_ms) FROM users), 0) + 1)
    WHERE key = ?13";

/// The parameters of [`INSERT_USER`] and [`UPDATE_USER`]: the user's fields,
/// the change stamp, and the creation time (insert) or the key (update).
/// A tuple, so binding allocates nothing.
pub type UserParams<'a> = (
    &'a str,
    bool,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    i64,
    i64,
);

/// The parameters of [`INSERT_USER`] (`last` is the creation time) or of
/// [`UPDATE_USER`] (`last` is the user's key).
pub fn user_params(user: &User, now_ms: i64, last: i64) -> UserParams<'_> {
    (
        user.user_id.as_str(),
        user.activated,
        user.alias_user_id.as_str(),
        user.signature.as_str(),
        user.card_tag_id.as_str(),
        user.external_reference.as_str(),
        user.email.as_ref().map_or("", Email::as_str),
        user.first_name.as_str(),
        user.last_name.as_str(),
        user.department.as_str(),
        user.office.as_str(),
        now_ms,
        last,
    )
}

/// A stored text that must be a valid address; a damaged one is an error, not a panic.
fn stored_email(text: &str, column: usize) -> rusqlite::Result<Email> {
    Email::parse(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Maps a row of [`SELECT_USERS`].
pub fn record_from_row(row: &Row<'_>) -> rusqlite::Result<UserRecord> {
    let user_id: String = row.get(1)?;
    let email: String = row.get(7)?;
    let user = User {
        activated: row.get(2)?,
        user_id: UserId::parse(&user_id).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
        })?,
        alias_user_id: row.get(3)?,
        signature: row.get(4)?,
        card_tag_id: row.get(5)?,
        external_reference: row.get(6)?,
        email: if email.is_empty() {
            None
        } else {
            Some(stored_email(&email, 7)?)
        },
        first_name: row.get(8)?,
        last_name: row.get(9)?,
        department: row.get(10)?,
        office: row.get(11)?,
    };
    let connection = match row.get::<_, Option<String>>(13)?.as_deref() {
        None => VismaConnection::None,
        Some("connected") => VismaConnection::Connected {
            email: stored_email(&row.get::<_, String>(12)?, 12)?,
            since: timestamp(row.get::<_, Option<i64>>(16)?.unwrap_or(0)),
            by: if row.get::<_, Option<String>>(17)?.as_deref() == Some("verified_domain") {
                ConnectedBy::VerifiedDomain
            } else {
                ConnectedBy::Link
            },
        },
        Some(_) => VismaConnection::Unverified {
            email: stored_email(&row.get::<_, String>(12)?, 12)?,
            sent_count: row.get(14)?,
            last_sent_at: row.get::<_, Option<i64>>(15)?.map(timestamp),
        },
    };
    Ok(UserRecord {
        key: UserKey(row.get(0)?),
        user,
        connection,
    })
}

/// One user by key.
pub fn user_by_key(conn: &Connection, key: UserKey) -> Result<Option<UserRecord>, StoreError> {
    let sql = format!("{SELECT_USERS} WHERE u.key = ?1");
    Ok(conn.query_row(&sql, [key.0], record_from_row).optional()?)
}

/// Stores a connection row; nothing for [`VismaConnection::None`].
pub fn insert_connection(
    conn: &Connection,
    key: UserKey,
    connection: &VismaConnection,
    now_ms: i64,
) -> rusqlite::Result<()> {
    let mut statement = conn.prepare_cached(
        "INSERT INTO connections (user_key, email, email_key, state, sent_count,
            last_sent_at_ms, connected_at_ms, connected_by, saved_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    match connection {
        VismaConnection::None => {}
        VismaConnection::Unverified {
            email,
            sent_count,
            last_sent_at,
        } => {
            statement.execute(params![
                key.0,
                email.as_str(),
                email.key(),
                "unverified",
                sent_count,
                last_sent_at.map(Timestamp::as_millisecond),
                None::<i64>,
                None::<String>,
                now_ms
            ])?;
        }
        VismaConnection::Connected { email, since, by } => {
            statement.execute(params![
                key.0,
                email.as_str(),
                email.key(),
                "connected",
                0,
                None::<i64>,
                since.as_millisecond(),
                match by {
                    ConnectedBy::Link => "link",
                    ConnectedBy::VerifiedDomain => "verified_domain",
                },
                now_ms
            ])?;
        }
    }
    Ok(())
}

/// Appends one audit row.
pub fn insert_audit(conn: &Connection, entry: &AuditEntry) -> Result<(), StoreError> {
    let mut statement = conn.prepare_cached(
        "INSERT INTO audit (at_ms, actor, action, user_key, user_id, before, after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    statement.execute(params![
        entry.at.as_millisecond(),
        entry.actor,
        entry.action.code(),
        entry.user_key.map(|k| k.0),
        entry.user_id,
        entry.before,
        entry.after
    ])?;
    Ok(())
}

const SELECT_AUDIT: &str =
    "SELECT at_ms, actor, action, user_key, user_id, before, after FROM audit";

fn audit_from_row(row: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    let code: String = row.get(2)?;
    Ok(AuditEntry {
        at: timestamp(row.get(0)?),
        actor: row.get(1)?,
        action: AuditAction::from_code(&code).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                2,
                rusqlite::types::Type::Text,
                format!("unknown audit action {code}").into(),
            )
        })?,
        user_key: row.get::<_, Option<i64>>(3)?.map(UserKey),
        user_id: row.get(4)?,
        before: row.get(5)?,
        after: row.get(6)?,
    })
}

/// The audit rows of one user, newest first.
pub fn audit_for(conn: &Connection, key: UserKey) -> Result<Vec<AuditEntry>, StoreError> {
    let sql = format!("{SELECT_AUDIT} WHERE user_key = ?1 ORDER BY id DESC");
    let mut statement = conn.prepare(&sql)?;
    let rows = statement
        .query_map([key.0], audit_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Every audit row, oldest first.
pub fn audit_all(conn: &Connection) -> Result<Vec<AuditEntry>, StoreError> {
    let sql = format!("{SELECT_AUDIT} ORDER BY id");
    let mut statement = conn.prepare(&sql)?;
    let rows = statement
        .query_map([], audit_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
