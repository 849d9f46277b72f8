//! A write transaction on a shared register in as few round trips as it
//! can take: its start and the register's write lock go with its first
//! statement, and the changes whose answers nobody reads (a user's new
//! fields, held rows such as the audit's) go with the next statement or
//! with the commit. A Save over a VPN is two round trips, not six.
//!
//! Held changes are sent as one simple query of `EXECUTE name(values)`:
//! statements prepared by name on the connection (their plans kept; the
//! first time the `PREPARE` goes just before), with the values written in
//! as literals that can be nothing but values: each is dollar-quoted with a
//! tag it does not contain. A text holding NUL (which would end the
//! query's text) is never written in: that change goes at once, as a
//! statement with parameters.

use std::cell::{Cell, RefCell};

use super::StoreError;
use super::db::{Execution, Param, PgSql, Sql as _, StatementCache};

/// The statements a PostgreSQL write transaction holds to send with its
/// next round trip, and whether it has begun on the server. Dropped before
/// its commit (an error, a panic), it rolls the transaction back.
pub struct Held<'a> {
    client: &'a RefCell<postgres::Client>,
    cache: &'a RefCell<StatementCache>,
    /// Statements not yet sent, in order, each one statement.
    statements: RefCell<Vec<String>>,
    /// The statements whose `PREPARE` is among `statements` (see
    /// `db::Execution`): kept once the server ran them, else forgotten.
    carried: RefCell<Vec<String>>,
    /// What a constraint refusal of the held statements means, if one of
    /// them may be refused (the first such, as the caller said it).
    conflict: RefCell<Option<String>>,
    /// `START TRANSACTION` went to the server.
    sent: Cell<bool>,
    /// How many statements open the transaction (its start, its lock).
    opening: usize,
    /// Committed (or found ended): nothing to roll back.
    ended: Cell<bool>,
}

/// What goes in one round trip: the statements, and those of them whose
/// `PREPARE` goes with them.
pub struct Outgoing {
    /// The statements, in order.
    pub statements: Vec<String>,
    /// See [`Held`]'s `carried`.
    pub carried: Vec<String>,
}

impl<'a> Held<'a> {
    /// A transaction on `client` that begins with its first round trip,
    /// taking the register's write lock first when `register_lock`.
    pub fn begin(
        client: &'a RefCell<postgres::Client>,
        cache: &'a RefCell<StatementCache>,
        register_lock: bool,
    ) -> Self {
        let mut statements = vec!["START TRANSACTION".to_owned()];
        if register_lock {
            statements.push(format!(
                "SELECT pg_advisory_xact_lock({})",
                super::pg::WRITE_LOCK
            ));
        }
        let statements_len = statements.len();
        Self {
            client,
            cache,
            statements: RefCell::new(statements),
            carried: RefCell::default(),
            conflict: RefCell::new(None),
            sent: Cell::new(false),
            opening: statements_len,
            ended: Cell::new(false),
        }
    }

    /// Holds `sql` with `params`, to go with the next round trip, as the
    /// execution of a statement prepared by name on the connection (its
    /// plan kept); `false` (nothing held) when a value cannot be written
    /// in. `conflict` says what a constraint refusal of it means.
    pub fn hold(
        &self,
        db: &PgSql<'_, postgres::Client>,
        sql: &str,
        params: &[Param<'_>],
        conflict: Option<String>,
    ) -> bool {
        let Some(execution) = db.execute_text(sql, params) else {
            return false;
        };
        self.push(execution);
        if let Some(conflict) = conflict {
            self.conflict.borrow_mut().get_or_insert(conflict);
        }
        true
    }

    /// Holds executions already made (held rows, see `batch`).
    pub fn hold_written(&self, executions: Vec<Execution>) {
        for execution in executions {
            self.push(execution);
        }
    }

    fn push(&self, execution: Execution) {
        let mut statements = self.statements.borrow_mut();
        if let Some(prepare) = execution.prepare {
            statements.push(prepare);
            self.carried.borrow_mut().push(execution.sql);
        }
        statements.push(execution.execute);
    }

    /// Takes what is held, to send it before or with others; the caller
    /// sends it, then [`Self::settle`]s it.
    pub fn take(&self) -> Outgoing {
        let statements = std::mem::take(&mut *self.statements.borrow_mut());
        if !statements.is_empty() {
            self.sent.set(true);
        }
        Outgoing {
            statements,
            carried: std::mem::take(&mut *self.carried.borrow_mut()),
        }
    }

    /// After `outgoing` was sent: the names it prepared kept when the
    /// server ran it all, else forgotten; an error as the caller named it.
    pub fn settle<T>(
        &self,
        db: &PgSql<'_, postgres::Client>,
        outgoing: &Outgoing,
        result: Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        db.settle_named(&outgoing.carried, result.is_ok());
        result.map_err(|e| self.map_error(e))
    }

    /// An error of held statements as the caller named it.
    pub fn map_error(&self, error: StoreError) -> StoreError {
        match self.conflict.borrow_mut().take() {
            Some(conflict) if error.is_constraint_violation() => StoreError::Conflict(conflict),
            _ => super::batch::named_taken_user_id(error),
        }
    }

    /// Sends what is held (one round trip; none when nothing is held).
    pub fn send(&self, db: &PgSql<'_, postgres::Client>) -> Result<(), StoreError> {
        let outgoing = self.take();
        if outgoing.statements.is_empty() {
            return Ok(());
        }
        let result = db.exec_batch(&outgoing.statements.join(";\n"));
        self.settle(db, &outgoing, result)
    }

    /// Commits, with what is still held, in one round trip (none when the
    /// transaction never reached the server: it changed nothing).
    pub fn commit(&self, db: &PgSql<'_, postgres::Client>) -> Result<(), StoreError> {
        if !self.sent.get() && self.statements.borrow().len() <= self.opening {
            // Only its start and lock: it never needed the server.
            self.ended.set(true);
            return Ok(());
        }
        let mut outgoing = self.take();
        outgoing.statements.push("COMMIT".to_owned());
        let result = db.exec_batch(&outgoing.statements.join(";\n"));
        // Committed, or failed: either way the server has ended it or the
        // rollback on drop ends it.
        if result.is_ok() {
            self.ended.set(true);
        }
        self.settle(db, &outgoing, result)
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        // Names prepared by statements never sent are forgotten.
        let carried = std::mem::take(&mut *self.carried.borrow_mut());
        if !carried.is_empty() {
            PgSql::new(self.client, self.cache).settle_named(&carried, false);
        }
        if self.ended.get() || !self.sent.get() {
            return;
        }
        // A borrow still held means a panic inside a statement: the
        // connection is then dropped with the session, which ends it.
        if let Ok(mut client) = self.client.try_borrow_mut() {
            let _ = client.batch_execute("ROLLBACK");
        }
    }
}

/// One value as SQL: `NULL`, or a dollar-quoted literal with the cast
/// `cast` (`None`: of unknown type, typed where it stands).
pub fn literal(param: &Param<'_>, cast: Option<&str>) -> Option<String> {
    let body = match *param {
        Param::Null => {
            return Some(match cast {
                Some(cast) => format!("NULL::{cast}"),
                None => "NULL".to_owned(),
            });
        }
        Param::Int(n) => n.to_string(),
        Param::Text(text) if text.contains('\0') => return None,
        Param::Text(text) => text.to_owned(),
        Param::Blob(bytes) => {
            use std::fmt::Write;
            let mut hex = String::with_capacity(2 + bytes.len() * 2);
            hex.push_str("\\x");
            for byte in bytes {
                let _ = write!(hex, "{byte:02x}");
            }
            hex
        }
    };
    let tag = free_tag(&body);
    Some(match cast {
        Some(cast) => format!("{tag}{body}{tag}::{cast}"),
        None => format!("{tag}{body}{tag}"),
    })
}

/// A dollar-quote tag (`$h$`, `$h1$`, …) that first occurs in `body`
/// followed by the tag where the closing tag starts: the body cannot end
/// the literal early (nor can its end join the closing tag: `…$h` + `$h$`).
fn free_tag(body: &str) -> String {
    let mut tag = "$h$".to_owned();
    let mut n = 0_u32;
    while format!("{body}{tag}").find(&tag) != Some(body.len()) {
        n += 1;
        tag = format!("$h{n}$");
    }
    tag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_in_as_literals_that_cannot_end_early() {
        let written = |param: Param<'_>| literal(&param, None).unwrap();
        assert_eq!(
            written(Param::Text("it's $h$ a \\ test")),
            "$h1$it's $h$ a \\ test$h1$"
        );
        assert_eq!(written(Param::Int(-5)), "$h$-5$h$");
        assert_eq!(written(Param::Null), "NULL");
        assert_eq!(written(Param::Text("x$")), "$h$x$$h$");
        assert_eq!(written(Param::Blob(&[0, 255])), "$h$\\x00ff$h$");
        assert_eq!(
            literal(&Param::Null, Some("bigint")).unwrap(),
            "NULL::bigint"
        );
    }

    #[test]
    fn a_text_with_nul_is_not_written_in() {
        assert_eq!(literal(&Param::Text("a\0b"), None), None);
    }

    #[test]
    fn a_tag_is_chosen_that_the_text_does_not_hold() {
        assert_eq!(free_tag("plain"), "$h$");
        assert_eq!(free_tag("has $h$ in it"), "$h1$");
        assert_eq!(free_tag("$h$ and $h1$"), "$h2$");
        // `…$h` followed by the closing `$h$` would end it at `$h$h$`.
        assert_eq!(free_tag("ends $h"), "$h1$");
        assert_eq!(free_tag("ends $"), "$h$");
    }
}
