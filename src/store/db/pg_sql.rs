//! SQL on PostgreSQL ([`PgSql`]): statements prepared once per connection
//! (by name, for the ones a transaction holds), pipelined queries, COPY, and
//! several queries in one round trip.

use std::cell::RefCell;
use std::collections::HashMap;

use postgres::types::{ToSql, Type};

use crate::store::StoreError;

use super::{Param, RowRead, Sql, postgres_text, with_integers};

/// The rows of several queries sent together, each row's values as texts
/// (read them with [`TextRow`]).
pub type TextResults = Vec<Vec<Vec<Option<String>>>>;

/// The statements of one PostgreSQL connection, by their SQLite text.
#[derive(Default)]
pub struct StatementCache {
    /// Prepared (`Some`), or run once unprepared (`None`; prepared when
    /// asked again).
    pub(super) prepared: HashMap<String, Option<postgres::Statement>>,
    /// Prepared by name for `EXECUTE` ([`PgSql::execute_text`]): the name,
    /// and whether its `PREPARE` is known to have run.
    pub(super) named: HashMap<String, (String, bool)>,
    /// Names given on this connection (a name is never given twice, so a
    /// `PREPARE` whose fate is unknown never clashes with a new one).
    pub(super) names_given: u64,
}

/// A statement to send in a simple query, prepared by name: its `PREPARE`
/// first when the connection does not have it yet, then its `EXECUTE`.
pub struct Execution {
    /// `PREPARE name AS …`, to send before `execute` in the same query.
    pub prepare: Option<String>,
    /// `EXECUTE name(values)`.
    pub execute: String,
    /// The statement's text, to confirm or forget its name once the server
    /// answered ([`PgSql::settle_named`]).
    pub sql: String,
}

/// A PostgreSQL connection or transaction with its statement cache.
pub struct PgSql<'a, C: postgres::GenericClient> {
    pub(super) client: &'a RefCell<C>,
    pub(super) cache: &'a RefCell<StatementCache>,
}

impl<'a, C: postgres::GenericClient> PgSql<'a, C> {
    /// Runs SQL on `client`, with the statement cache of its connection.
    pub fn new(client: &'a RefCell<C>, cache: &'a RefCell<StatementCache>) -> Self {
        Self { client, cache }
    }

    pub(super) fn statement(
        &self,
        client: &mut C,
        sql: &str,
    ) -> Result<postgres::Statement, StoreError> {
        if let Some(Some(statement)) = self.cache.borrow().prepared.get(sql) {
            return Ok(statement.clone());
        }
        let statement = client.prepare(&postgres_text(sql))?;
        self.cache
            .borrow_mut()
            .prepared
            .insert(sql.to_owned(), Some(statement.clone()));
        Ok(statement)
    }

    /// The first run of a query on this connection goes unprepared, its
    /// parameters' types given (one round trip instead of two: a command
    /// that asks each query once pays half); `None` when it was run
    /// before (it is then prepared and kept) or a parameter is NULL (whose
    /// type only the server's preparing knows).
    pub(super) fn first_run(
        &self,
        client: &mut C,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Option<Vec<postgres::Row>>, StoreError> {
        if self.cache.borrow().prepared.contains_key(sql)
            || params.iter().any(|p| matches!(p, Param::Null))
        {
            return Ok(None);
        }
        let typed: Vec<(&(dyn ToSql + Sync), Type)> = params
            .iter()
            .map(|param| {
                let ty = match param {
                    Param::Int(_) => Type::INT8,
                    Param::Blob(_) => Type::BYTEA,
                    Param::Text(_) | Param::Null => Type::TEXT,
                };
                (param as &(dyn ToSql + Sync), ty)
            })
            .collect();
        let rows = client.query_typed(&postgres_text(sql), &typed)?;
        self.cache
            .borrow_mut()
            .prepared
            .insert(sql.to_owned(), None);
        Ok(Some(rows))
    }
}

impl<C: postgres::GenericClient> PgSql<'_, C> {
    /// Runs a statement with parameters of any PostgreSQL type (arrays for
    /// `unnest`), prepared once per connection.
    pub fn exec_typed(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, StoreError> {
        let mut client = self.client.borrow_mut();
        let statement = self.statement(&mut client, sql)?;
        Ok(client.execute(&statement, params)?)
    }

    /// Runs `copy` (a `COPY … FROM STDIN (FORMAT binary)`) with `tuples`:
    /// rows already in the binary format, sent between its header and
    /// trailer; the rows copied.
    pub fn copy_in_encoded(&self, copy: &str, tuples: &[u8]) -> Result<u64, StoreError> {
        use std::io::Write as _;
        /// The binary COPY signature, then no flags and no header extension.
        const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";
        let mut client = self.client.borrow_mut();
        let mut writer = client.copy_in(copy)?;
        let written = writer
            .write_all(HEADER)
            .and_then(|()| writer.write_all(tuples))
            .and_then(|()| writer.write_all(&(-1_i16).to_be_bytes()));
        // A write that failed is the connection's (or the server's) error,
        // which the end of the COPY reports in the server's words; the
        // transaction then rolls back.
        match (written, writer.finish()) {
            (Ok(()), copied) => Ok(copied?),
            (Err(_), Err(error)) => Err(error.into()),
            (Err(error), Ok(_)) => Err(StoreError::bad_value(0, error)),
        }
    }

    /// Runs a query with parameters of any PostgreSQL type and maps its rows.
    pub fn fetch_typed<T>(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        mut map: impl FnMut(&dyn RowRead) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let mut client = self.client.borrow_mut();
        let statement = self.statement(&mut client, sql)?;
        let rows = client.query(&statement, params)?;
        drop(client);
        rows.iter().map(|row| map(row)).collect()
    }
}

pub(super) fn pg_params<'p>(params: &'p [Param<'_>]) -> Vec<&'p (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

impl<C: postgres::GenericClient> Sql for PgSql<'_, C> {
    fn exec(&self, sql: &str, params: &[Param<'_>]) -> Result<usize, StoreError> {
        let mut client = self.client.borrow_mut();
        let statement = self.statement(&mut client, sql)?;
        let changed = client.execute(&statement, &pg_params(params))?;
        Ok(usize::try_from(changed).unwrap_or(usize::MAX))
    }

    fn fetch<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        mut map: impl FnMut(&dyn RowRead) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let mut client = self.client.borrow_mut();
        let rows = if let Some(rows) = self.first_run(&mut client, sql, params)? {
            rows
        } else {
            let statement = self.statement(&mut client, sql)?;
            client.query(&statement, &pg_params(params))?
        };
        drop(client);
        rows.iter().map(|row| map(row)).collect()
    }

    fn exec_batch(&self, sql: &str) -> Result<(), StoreError> {
        Ok(self.client.borrow_mut().batch_execute(sql)?)
    }

    fn fetch_texts_once(&self, sql: &str) -> Result<Vec<Option<String>>, StoreError> {
        let messages = self.client.borrow_mut().simple_query(sql)?;
        let last = messages.iter().rev().find_map(|message| match message {
            postgres::SimpleQueryMessage::Row(row) => Some(
                (0..row.len())
                    .map(|i| row.get(i).map(str::to_owned))
                    .collect(),
            ),
            _ => None,
        });
        Ok(last.unwrap_or_default())
    }
}

impl<C: postgres::GenericClient> PgSql<'_, C> {
    /// Several queries whose only parameters are integers, in one round
    /// trip: one simple query, the integers written into its text (nothing
    /// else is, so nothing can be injected). Each query's rows, as texts.
    pub fn fetch_texts_together(
        &self,
        queries: &[(String, Vec<i64>)],
    ) -> Result<TextResults, StoreError> {
        self.fetch_texts_after(Vec::new(), queries)
    }

    /// [`Self::fetch_texts_together`] of queries without parameters.
    pub fn fetch_plain_together(&self, queries: Vec<String>) -> Result<TextResults, StoreError> {
        let queries: Vec<(String, Vec<i64>)> =
            queries.into_iter().map(|q| (q, Vec::new())).collect();
        self.fetch_texts_together(&queries)
    }

    /// [`Self::fetch_texts_together`] after `before`: statements sent first
    /// in the same round trip (a transaction's start and its held changes,
    /// each one statement), whose answers are left out.
    pub fn fetch_texts_after(
        &self,
        before: Vec<String>,
        queries: &[(String, Vec<i64>)],
    ) -> Result<TextResults, StoreError> {
        let skipped = before.len();
        let mut text = before;
        text.extend(
            queries
                .iter()
                .map(|(sql, params)| with_integers(sql, params)),
        );
        let messages = self.client.borrow_mut().simple_query(&text.join(";\n"))?;
        let mut results = vec![Vec::new()];
        for message in messages {
            match message {
                postgres::SimpleQueryMessage::Row(row) => {
                    if let Some(current) = results.last_mut() {
                        current.push(
                            (0..row.len())
                                .map(|i| row.get(i).map(str::to_owned))
                                .collect(),
                        );
                    }
                }
                postgres::SimpleQueryMessage::CommandComplete(_) => results.push(Vec::new()),
                _ => {}
            }
        }
        let mut results = results.split_off(skipped.min(results.len()));
        results.truncate(queries.len());
        if results.len() < queries.len() {
            return Err(StoreError::bad_value(
                0,
                "a query of several returned nothing",
            ));
        }
        Ok(results)
    }
}

impl PgSql<'_, postgres::Client> {
    /// `EXECUTE name(values)` of `sql` with `params`, to send in one simple
    /// query with other statements while keeping its plan, and, the first
    /// time on this connection, the `PREPARE` to send just before it (a
    /// prepared statement outlives a rollback). Once the server answered,
    /// [`Self::settle_named`] says whether that `PREPARE` ran. `None` when a
    /// value cannot be written in (see `pg_tx::literal`).
    pub fn execute_text(&self, sql: &str, params: &[Param<'_>]) -> Option<Execution> {
        let values = params
            .iter()
            .map(|param| crate::store::pg_tx::literal(param, None))
            .collect::<Option<Vec<String>>>()?;
        let mut cache = self.cache.borrow_mut();
        let (name, prepare) = if let Some((name, _)) = cache.named.get(sql) {
            // Prepared, or its PREPARE goes earlier in the same query.
            (name.clone(), None)
        } else {
            let name = format!("hrm_{}", cache.names_given);
            cache.names_given += 1;
            cache.named.insert(sql.to_owned(), (name.clone(), false));
            let prepare = format!("PREPARE {name} AS {}", postgres_text(sql));
            (name, Some(prepare))
        };
        let execute = if values.is_empty() {
            format!("EXECUTE {name}")
        } else {
            format!("EXECUTE {name}({})", values.join(", "))
        };
        Some(Execution {
            prepare,
            execute,
            sql: sql.to_owned(),
        })
    }

    /// `executions` are not sent after all: the names they gave are not
    /// made.
    pub fn forget_unsent(&self, executions: &[Execution]) {
        let given: Vec<String> = executions
            .iter()
            .filter(|e| e.prepare.is_some())
            .map(|e| e.sql.clone())
            .collect();
        self.settle_named(&given, false);
    }

    /// After the query that carried the `PREPARE`s of `sqls` (see
    /// [`Execution`]): kept when the server ran the whole query (`ran`),
    /// else forgotten, to be prepared anew under a new name next time.
    pub fn settle_named(&self, sqls: &[String], ran: bool) {
        let mut cache = self.cache.borrow_mut();
        for sql in sqls {
            if ran {
                if let Some(entry) = cache.named.get_mut(sql) {
                    entry.1 = true;
                }
            } else if cache.named.get(sql).is_some_and(|(_, known)| !known) {
                cache.named.remove(sql);
            }
        }
    }
}
