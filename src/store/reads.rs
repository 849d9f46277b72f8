//! The reads a register connection ([`Store`]) and a write transaction
//! ([`WriteTx`]) share, written once: each runs on the [`Reader`] its side
//! gives (a transaction's after what it holds is sent, so it sees its own
//! changes).

use crate::domain::account_codes::{AccountCode, AuditRight};
use crate::domain::roles::{Assignment, Role};
use crate::domain::{Settings, UserKey, UserRecord};

use super::db::{self, Param, RowRead, Sql};
use super::{Store, StoreError, WriteTx, account_codes, roles, rows, settings, tokens};

/// Where a read runs: a register file's connection (or transaction), or a
/// shared register's connection.
pub struct Reader<'a>(Side<'a>);

enum Side<'a> {
    File(&'a rusqlite::Connection),
    Shared(db::PgSql<'a, postgres::Client>),
}

impl Sql for Reader<'_> {
    fn exec(&self, sql: &str, params: &[Param<'_>]) -> Result<usize, StoreError> {
        match &self.0 {
            Side::File(conn) => conn.exec(sql, params),
            Side::Shared(pg) => pg.exec(sql, params),
        }
    }

    fn fetch<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        map: impl FnMut(&dyn RowRead) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        match &self.0 {
            Side::File(conn) => conn.fetch(sql, params, map),
            Side::Shared(pg) => pg.fetch(sql, params, map),
        }
    }

    fn exec_batch(&self, sql: &str) -> Result<(), StoreError> {
        match &self.0 {
            Side::File(conn) => conn.exec_batch(sql),
            Side::Shared(pg) => pg.exec_batch(sql),
        }
    }

    fn fetch_texts_once(&self, sql: &str) -> Result<Vec<Option<String>>, StoreError> {
        match &self.0 {
            Side::File(conn) => conn.fetch_texts_once(sql),
            Side::Shared(pg) => pg.fetch_texts_once(sql),
        }
    }
}

/// The reads both a connection and a write transaction offer (in a
/// transaction: as it sees the register).
pub trait Reads {
    /// Where this side's reads run (for a transaction, after what it holds
    /// is sent).
    fn reader(&self) -> Result<Reader<'_>, StoreError>;

    /// One user by key.
    fn user(&self, key: UserKey) -> Result<Option<UserRecord>, StoreError> {
        rows::user_by_key(&self.reader()?, key)
    }

    /// Users by key, in no particular order (one statement, one round trip
    /// on a shared register); missing keys are left out.
    fn users_by_keys(&self, keys: &[UserKey]) -> Result<Vec<UserRecord>, StoreError> {
        match self.reader()?.0 {
            Side::Shared(pg) => {
                let raw: Vec<i64> = keys.iter().map(|k| k.0).collect();
                pg.fetch_typed(rows::SELECT_USERS_BY_KEYS, &[&raw], rows::record_from_row)
            }
            // One statement on a file too: a loop of single reads outside a
            // transaction takes the file's read lock for each (10,000 reads
            // of a bulk send's results took 0.4 s).
            Side::File(conn) => {
                let list = rows::json_key_list(keys);
                conn.fetch(
                    rows::SELECT_USERS_IN_JSON_LIST,
                    super::db::params![list.as_str()],
                    rows::record_from_row,
                )
            }
        }
    }

    /// Every user with their connection, in no particular order.
    fn load_users(&self) -> Result<Vec<UserRecord>, StoreError> {
        rows::load_users(&self.reader()?)
    }

    /// The settings: stored values over the defaults. A stored value this
    /// version does not accept is ignored (and logged by key only).
    fn load_settings(&self) -> Result<Settings, StoreError> {
        settings::load(&self.reader()?)
    }

    /// Every account code of every dimension.
    fn account_codes(&self) -> Result<Vec<AccountCode>, StoreError> {
        account_codes::codes_in(&self.reader()?)
    }

    /// The user's *Audit of account code* rows, in order.
    fn audit_rights_of(&self, key: UserKey) -> Result<Vec<AuditRight>, StoreError> {
        account_codes::rights_in(&self.reader()?, key)
    }

    /// The roles administrators made, by name.
    fn custom_roles(&self) -> Result<Vec<Role>, StoreError> {
        roles::custom_roles_in(&self.reader()?)
    }

    /// Every user's roles.
    fn all_roles(&self) -> Result<Vec<(UserKey, Vec<Assignment>)>, StoreError> {
        roles::all_roles_in(&self.reader()?)
    }

    /// A link token by its hash.
    fn token(&self, hash: &[u8; 32]) -> Result<Option<tokens::LinkToken>, StoreError> {
        tokens::token_in(&self.reader()?, hash)
    }

    /// A link token by its hash, and the user it is for (none when there is
    /// no such link, or its user is gone).
    fn token_and_user(
        &self,
        hash: &[u8; 32],
    ) -> Result<(Option<tokens::LinkToken>, Option<UserRecord>), StoreError> {
        let stored = self.token(hash)?;
        let record = match &stored {
            Some(token) => self.user(token.user_key)?,
            None => None,
        };
        Ok((stored, record))
    }
}

impl Reads for Store {
    fn reader(&self) -> Result<Reader<'_>, StoreError> {
        Ok(Reader(match &self.backend {
            super::Backend::Sqlite(conn) => Side::File(conn),
            super::Backend::Postgres(pg) => Side::Shared(pg.sql()),
        }))
    }
}

impl Reads for WriteTx<'_> {
    fn reader(&self) -> Result<Reader<'_>, StoreError> {
        Ok(Reader(match &self.inner {
            super::TxInner::Sqlite(tx) => Side::File(tx),
            super::TxInner::Postgres {
                tx,
                cache,
                batch,
                held,
            } => {
                let pg = db::PgSql::new(tx, cache);
                // What the transaction holds goes first.
                super::send_held(&pg, held, batch)?;
                Side::Shared(pg)
            }
        }))
    }
}
