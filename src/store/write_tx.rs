//! A write transaction ([`WriteTx`]): its typed changes, and on a shared
//! register what it holds until its next round trip (its start, its lock,
//! changes nobody reads back, rows to insert).

use std::cell::RefCell;

use crate::domain::Settings;
use crate::domain::settings::SettingsRow;
use crate::domain::{
    AuditEntry, Connection as VismaConnection, Email, User, UserId, UserKey, UserRecord,
};

use super::db::{Sql as _, StatementCache, params};
use super::error::StoreError;
use super::reads::Reads;
use super::{batch, db, on_tx, pg_tx, rows, settings};

/// Sends what a PostgreSQL transaction holds (its start, held changes,
/// held rows) before a statement that needs an answer: one round trip for
/// all of it when the rows are few.
pub(crate) fn send_held(
    db: &db::PgSql<'_, postgres::Client>,
    held: &pg_tx::Held<'_>,
    batch: &RefCell<batch::InsertBatch>,
) -> Result<(), StoreError> {
    hold_written(db, held, batch);
    if !batch.borrow().copies() {
        held.send(db)?;
        return batch::flush(db, batch, batch::CopyFacts::NOT_ASKED).map_err(|e| held.map_error(e));
    }
    // What the COPYs need to know, asked with what is held: one round trip.
    let outgoing = held.take();
    let asked = db.fetch_texts_after(
        outgoing.statements.clone(),
        &[(batch::COPY_FACTS.to_owned(), Vec::new())],
    );
    let asked = held.settle(db, &outgoing, asked)?;
    let facts = db::text_rows(&asked, 0)
        .next()
        .map(|row| batch::CopyFacts::from_row(&row))
        .transpose()?
        .ok_or_else(|| StoreError::bad_value(0, "no answer to what a COPY needs"))?;
    batch::flush(db, batch, facts).map_err(|e| held.map_error(e))
}

/// Held rows go with the held statements when they are few; else what is
/// held is sent now, rows last (so later statements come after them).
pub(super) fn rows_first(
    db: &db::PgSql<'_, postgres::Client>,
    held: &pg_tx::Held<'_>,
    batch: &RefCell<batch::InsertBatch>,
) -> Result<(), StoreError> {
    hold_written(db, held, batch);
    if batch.borrow().is_empty() {
        Ok(())
    } else {
        send_held(db, held, batch)
    }
}

/// Moves the held rows, when few, into the held statements (in order:
/// every held statement was held before them).
pub(super) fn hold_written(
    db: &db::PgSql<'_, postgres::Client>,
    held: &pg_tx::Held<'_>,
    batch: &RefCell<batch::InsertBatch>,
) {
    if let Some(executions) = batch.borrow_mut().take_written(db) {
        held.hold_written(executions);
    }
}

/// A write transaction: typed changes that commit together.
pub struct WriteTx<'a> {
    pub(super) inner: TxInner<'a>,
    /// On SQLite, the change stamp given to the last user this transaction
    /// inserted (see [`WriteTx::insert_user`]).
    pub(super) last_stamp: std::cell::Cell<Option<i64>>,
}

/// The transaction, by backend.
// One per transaction, on the stack while it runs: its size is no cost.
#[allow(clippy::large_enum_variant)]
pub(super) enum TxInner<'a> {
    Sqlite(rusqlite::Transaction<'a>),
    Postgres {
        /// The connection, in the transaction `held` began.
        tx: &'a RefCell<postgres::Client>,
        cache: &'a RefCell<StatementCache>,
        batch: RefCell<batch::InsertBatch>,
        held: pg_tx::Held<'a>,
    },
}

impl WriteTx<'_> {
    /// True on a shared register.
    pub(super) fn is_postgres(&self) -> bool {
        matches!(self.inner, TxInner::Postgres { .. })
    }

    /// On a shared register: the connection, what the transaction holds,
    /// and its held rows; `None` on SQLite.
    pub(super) fn postgres_parts(
        &self,
    ) -> Option<(
        db::PgSql<'_, postgres::Client>,
        &pg_tx::Held<'_>,
        &RefCell<batch::InsertBatch>,
    )> {
        match &self.inner {
            TxInner::Sqlite(_) => None,
            TxInner::Postgres {
                tx,
                cache,
                batch,
                held,
            } => Some((db::PgSql::new(tx, cache), held, batch)),
        }
    }

    /// On a shared register, runs `f` on the transaction (after what it
    /// holds to insert), for statements with array parameters; `None` on
    /// SQLite, where a loop of single statements costs no round trips.
    pub(super) fn on_postgres<T>(
        &self,
        f: impl FnOnce(&db::PgSql<'_, postgres::Client>) -> Result<T, StoreError>,
    ) -> Option<Result<T, StoreError>> {
        let (db, held, batch) = self.postgres_parts()?;
        Some(send_held(&db, held, batch).and_then(|()| f(&db)))
    }

    /// On a shared register, runs `queries` in one round trip after what
    /// the transaction holds (its start and lock, held changes): each
    /// query's rows as texts (read them with `db::TextRow`). `None` on
    /// SQLite, whose reads cost no round trips.
    pub(crate) fn fetch_with_held(
        &self,
        queries: &[(&str, &[db::Param<'_>])],
    ) -> Option<Result<db::TextResults, StoreError>> {
        let (db, held, batch) = self.postgres_parts()?;
        let run = || {
            rows_first(&db, held, batch)?;
            let mut executions = Vec::with_capacity(queries.len());
            for (sql, params) in queries {
                // Only integers and texts without NUL are asked here.
                let Some(execution) = db.execute_text(sql, params) else {
                    db.forget_unsent(&executions);
                    return Err(StoreError::bad_value(
                        0,
                        "a value that cannot be written into a query",
                    ));
                };
                executions.push(execution);
            }
            // The held statements, then these queries' PREPAREs (when new on
            // this connection), then the queries, whose rows are read.
            let mut outgoing = held.take();
            let mut reads = Vec::with_capacity(executions.len());
            for execution in executions {
                if let Some(prepare) = execution.prepare {
                    outgoing.statements.push(prepare);
                    outgoing.carried.push(execution.sql);
                }
                reads.push((execution.execute, Vec::new()));
            }
            let result = db.fetch_texts_after(outgoing.statements.clone(), &reads);
            held.settle(&db, &outgoing, result)
        };
        Some(run())
    }

    /// On a shared register, holds a change whose answer nobody reads, to
    /// go with the next round trip (the commit, at the latest); `conflict`
    /// says what a constraint refusal of it means. `false` on SQLite (run
    /// it there: no round trips), and when it had to go at once.
    pub(crate) fn hold(
        &self,
        sql: &str,
        params: &[db::Param<'_>],
        conflict: impl FnOnce() -> Option<String>,
    ) -> Result<bool, StoreError> {
        let Some((db, held, batch)) = self.postgres_parts() else {
            return Ok(false);
        };
        // Held rows were held first: they go first.
        rows_first(&db, held, batch)?;
        Ok(held.hold(&db, sql, params, conflict()))
    }

    /// One user by key and the settings, as this transaction sees them. On
    /// a shared register in one round trip with what the transaction holds
    /// (its start and lock: a Save's reads cost no round trip of their
    /// own); on a register file the settings are `None` (read them when
    /// needed, which costs no round trip there).
    pub fn user_and_settings(
        &self,
        key: UserKey,
    ) -> Result<(Option<UserRecord>, Option<Settings>), StoreError> {
        let user_sql = format!("{} WHERE u.key = ?1", rows::SELECT_USERS);
        let Some(results) = self.fetch_with_held(&[
            (&user_sql, params![key.0]),
            (settings::SELECT_SETTINGS, &[]),
        ]) else {
            return Ok((self.user(key)?, None));
        };
        let results = results?;
        let user = db::text_rows(&results, 0)
            .map(|row| rows::record_from_row(&row))
            .next()
            .transpose()?;
        let settings = settings::from_text_rows(db::text_rows(&results, 1))?;
        Ok((user, Some(settings)))
    }

    /// The newest audit row of one user, as this transaction sees it.
    pub fn last_audit_for(&self, key: UserKey) -> Result<Option<AuditEntry>, StoreError> {
        Ok(on_tx!(self, db => rows::audit_for(db, key))?
            .into_iter()
            .next())
    }

    /// The user that holds this User-ID, if any.
    pub fn user_id_owner(&self, user_id: &UserId) -> Result<Option<UserKey>, StoreError> {
        on_tx!(self, db => db.fetch_opt(
            "SELECT key FROM users WHERE user_id = ?1",
            params![user_id.as_str()],
            |r| r.int(0).map(UserKey),
        ))
    }

    /// Users with a connection (pending or connected) whose *Employment
    /// ends* is on or before `last_day` (a date as `20270131`).
    pub fn connected_leavers(&self, last_day: i64) -> Result<Vec<UserKey>, StoreError> {
        on_tx!(self, db => db.fetch(
            "SELECT u.key FROM users u JOIN connections c ON c.user_key = u.key
             WHERE u.employment_ends <= ?1 ORDER BY u.key",
            params![last_day],
            |r| r.int(0).map(UserKey),
        ))
    }

    /// The user whose Visma Connect address this is, if any, with their User-ID.
    pub fn email_owner(&self, email: &Email) -> Result<Option<(UserKey, String)>, StoreError> {
        on_tx!(self, db => db.fetch_opt(
            "SELECT c.user_key, u.user_id FROM connections c JOIN users u ON u.key = c.user_key
             WHERE c.email_key = ?1",
            params![email.key()],
            |r| Ok((UserKey(r.int(0)?), r.text(1)?)),
        ))
    }

    /// Says that about `count` users will be added in this transaction: on
    /// PostgreSQL their keys are then taken from the sequence at once (one
    /// round trip, not a dozen for an import of 100,000).
    pub fn expect_new_users(&self, count: usize) {
        if let TxInner::Postgres { batch, .. } = &self.inner {
            batch.borrow_mut().expect_keys(count);
        }
    }

    /// Adds a user; the User-ID must be free. On PostgreSQL the row is held
    /// and sent with the next statement or the commit (see `batch`).
    pub fn insert_user(&self, user: &User, now_ms: i64) -> Result<UserKey, StoreError> {
        if let TxInner::Postgres {
            tx, cache, batch, ..
        } = &self.inner
        {
            let db = db::PgSql::new(tx, cache);
            let key = batch.borrow_mut().next_user_key(&db)?;
            batch
                .borrow_mut()
                .user(key, &rows::user_params(user, now_ms, now_ms));
            return Ok(UserKey(key));
        }
        let TxInner::Sqlite(tx) = &self.inner else {
            unreachable!("PostgreSQL returned above")
        };
        // Every stamp of a transaction is above every stamp committed before
        // it (the write lock is held), and the transaction lands whole: so
        // the register's newest stamp is read once, and each user inserted
        // after it takes the next one (an import of 100,000 users read it
        // 100,000 times).
        let newest = if let Some(last) = self.last_stamp.get() {
            last
        } else {
            tx.prepare_cached("SELECT coalesce(max(updated_at_ms), 0) FROM users")?
                .query_row([], |row| row.get(0))?
        };
        let stamp = (newest + 1).max(now_ms);
        let db: &rusqlite::Connection = tx;
        db.exec(
            rows::INSERT_USER_AT,
            &rows::user_params(user, stamp, now_ms),
        )
        .map_err(|e| conflict_or(e, user))?;
        self.last_stamp.set(Some(stamp));
        Ok(UserKey(tx.last_insert_rowid()))
    }

    /// Replaces a user's fields.
    pub fn update_user(&self, key: UserKey, user: &User, now_ms: i64) -> Result<(), StoreError> {
        let params = rows::user_params(user, now_ms, key.0);
        if self.hold(rows::UPDATE_USER, &params, || Some(user_id_taken(user)))? {
            return Ok(());
        }
        on_tx!(self, db => db.exec(rows::UPDATE_USER, &rows::user_params(user, now_ms, key.0)))
            .map_err(|e| conflict_or(e, user))?;
        Ok(())
    }

    /// Deletes a user and their connection.
    pub fn delete_user(&self, key: UserKey) -> Result<(), StoreError> {
        on_tx!(self, db => db.exec("DELETE FROM users WHERE key = ?1", params![key.0]))?;
        Ok(())
    }

    /// Sets a user's Visma Connect connection; `None` removes it.
    pub fn set_connection(
        &self,
        key: UserKey,
        connection: &VismaConnection,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        const DELETE: &str = "DELETE FROM connections WHERE user_key = ?1";
        // Mark the user changed, so open windows pick the new state up.
        const TOUCH: &str = "UPDATE users SET updated_at_ms =
                greatest(?2, coalesce((SELECT max(updated_at_ms) FROM users), 0) + 1) WHERE key = ?1";
        let taken = || {
            connection.email().map(|email| {
                format!(
                    "The Visma Connect address {} belongs to another user.",
                    email.masked()
                )
            })
        };
        // On a shared register each goes with the next round trip (a bulk
        // send that connects 10,000 users in a verified domain paid three
        // each); a statement that cannot be held runs at once, as on SQLite.
        let hold_or_run = |sql: &str,
                           params: &[db::Param<'_>],
                           conflict: &dyn Fn() -> Option<String>|
         -> Result<(), StoreError> {
            if self.hold(sql, params, conflict)? {
                return Ok(());
            }
            on_tx!(self, db => db.exec(sql, params))
                .map(|_| ())
                .map_err(|e| match conflict() {
                    Some(words) if e.is_constraint_violation() => StoreError::Conflict(words),
                    _ => e,
                })
        };
        hold_or_run(DELETE, params![key.0], &|| None)?;
        hold_or_run(TOUCH, params![key.0, now_ms], &|| None)?;
        match rows::connection_params(key, connection, now_ms) {
            Some(params) => hold_or_run(rows::INSERT_CONNECTION, &params, &taken),
            None => Ok(()),
        }
    }

    /// Stores a setting; `None` removes it.
    pub fn set_setting(
        &self,
        row: impl Into<SettingsRow>,
        value: Option<&str>,
    ) -> Result<(), StoreError> {
        let key = row.into().name();
        match value {
            Some(value) => on_tx!(self, db => db.exec(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            ))?,
            None => {
                on_tx!(self, db => db.exec("DELETE FROM settings WHERE key = ?1", params![key]))?
            }
        };
        Ok(())
    }

    /// Gives a user who has none a connection (a new user's pending address).
    pub fn add_connection(
        &self,
        key: UserKey,
        connection: &VismaConnection,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        if let TxInner::Postgres { batch, .. } = &self.inner {
            if let Some(params) = rows::connection_params(key, connection, now_ms) {
                batch.borrow_mut().connection(&params);
            }
            return Ok(());
        }
        on_tx!(self, db => rows::insert_connection(db, key, connection, now_ms))
    }

    /// Appends an audit row (on PostgreSQL held like a new user).
    pub fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        if let TxInner::Postgres { batch, .. } = &self.inner {
            batch.borrow_mut().audit(&rows::audit_params(entry));
            return Ok(());
        }
        on_tx!(self, db => rows::insert_audit(db, entry))
    }

    /// Adds many users in this transaction; returns their keys.
    pub fn insert_many(
        &self,
        users: &[(User, VismaConnection)],
        now_ms: i64,
    ) -> Result<Vec<UserKey>, StoreError> {
        let mut keys = Vec::with_capacity(users.len());
        for (user, connection) in users {
            let key = self.insert_user(user, now_ms)?;
            self.add_connection(key, connection, now_ms)?;
            keys.push(key);
        }
        Ok(keys)
    }
}

/// A constraint failure on insert or update of a user means the User-ID is taken.
pub(super) fn conflict_or(error: StoreError, user: &User) -> StoreError {
    if error.is_constraint_violation() {
        StoreError::Conflict(user_id_taken(user))
    } else {
        error
    }
}

/// What a refused unique User-ID means.
pub(super) fn user_id_taken(user: &User) -> String {
    format!("User-ID {} is already in use.", user.user_id)
}
