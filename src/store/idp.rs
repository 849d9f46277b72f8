//! Each user's account at the identity provider (`idp_accounts`): the push
//! a change wants (marked in the change's own transaction), claimed by one
//! worker under a lease like the outbox's messages, and the provider's
//! answer recorded with its audit row.

use jiff::Timestamp;

use super::db::{RowRead, Sql as _, params};
use super::{Store, StoreError, WriteTx, on_store, on_tx};
use crate::domain::idp::{IdpAccount, IdpState};
use crate::domain::{AuditEntry, UserKey};

pub(super) const COLUMNS: &str = "user_key, external_id, idp_id, account, wanted, pushed, failed, attempts, \
     last_result, since_ms, claimed";

/// A push claimed by a worker: the account as the register has it, and the
/// generation of the change it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdpClaim {
    /// The account.
    pub account: IdpAccount,
    /// The changes up to this one are covered when the push succeeds.
    pub generation: i64,
}

/// What became of a claimed push.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdpOutcome {
    /// The provider holds the account as wanted.
    Done {
        /// Active or deactivated (`None`: deleted, or never made).
        state: IdpState,
        /// The provider's id (`None` once deleted).
        idp_id: Option<String>,
        /// The User-ID the account carries now.
        external_id: String,
    },
    /// Try again at `next_at` (the server was down, busy or asked to wait).
    Retry {
        /// When.
        next_at: Timestamp,
    },
    /// Given up, or refused by the server: shown until *Try again*.
    Failed,
}

/// One answer to record, with its audit row.
#[derive(Clone, Debug)]
pub struct IdpRecord {
    /// The user.
    pub user_key: UserKey,
    /// The generation claimed.
    pub generation: i64,
    /// What became of it.
    pub outcome: IdpOutcome,
    /// The server's words.
    pub result: String,
    /// The History row (none for a retry).
    pub audit: Option<AuditEntry>,
}

pub(super) fn account_from_row(row: &dyn RowRead) -> Result<IdpClaim, StoreError> {
    let failed = row.int(6)? != 0;
    let pending = row.int(4)? > row.int(5)?;
    let account = row.text(3)?;
    let state = if failed {
        IdpState::Failed
    } else if pending {
        IdpState::Waiting
    } else {
        match account.as_str() {
            "active" => IdpState::Active,
            "deactivated" => IdpState::Deactivated,
            _ => IdpState::None,
        }
    };
    Ok(IdpClaim {
        account: IdpAccount {
            user_key: UserKey(row.int(0)?),
            external_id: row.text(1)?,
            idp_id: row.opt_text(2)?,
            state,
            attempts: u32::try_from(row.int(7)?).unwrap_or(u32::MAX),
            last_result: row.text(8)?,
            since: row
                .opt_int(9)?
                .and_then(|ms| Timestamp::from_millisecond(ms).ok()),
        },
        generation: row.opt_int(10)?.unwrap_or(0),
    })
}

/// The stored word for an account's state after a push.
fn account_word(state: IdpState) -> &'static str {
    match state {
        IdpState::Active => "active",
        IdpState::Deactivated => "deactivated",
        _ => "none",
    }
}

impl Store {
    /// A user's account at the provider, if the register has one for them.
    pub fn idp_account(&self, key: UserKey) -> Result<Option<IdpAccount>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM idp_accounts WHERE user_key = ?1");
        Ok(
            on_store!(self, db => db.fetch_opt(&sql, params![key.0], account_from_row))?
                .map(|claim| claim.account),
        )
    }

    /// The accounts of the users whose keys are `keys`, in one statement.
    pub fn idp_accounts_of(&self, keys: &[UserKey]) -> Result<Vec<IdpAccount>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let claims = match &self.backend {
            super::Backend::Postgres(pg) => {
                let raw: Vec<i64> = keys.iter().map(|k| k.0).collect();
                pg.sql().fetch_typed(
                    &format!(
                        "SELECT {COLUMNS} FROM (SELECT DISTINCT unnest(?1::bigint[]) AS key) AS k
                         JOIN idp_accounts ON idp_accounts.user_key = k.key"
                    ),
                    &[&raw],
                    account_from_row,
                )?
            }
            super::Backend::Sqlite(conn) => {
                let list = super::rows::json_key_list(keys);
                conn.fetch(
                    &format!(
                        "SELECT {COLUMNS} FROM idp_accounts
                         WHERE user_key IN (SELECT value FROM json_each(?1))"
                    ),
                    params![list.as_str()],
                    account_from_row,
                )?
            }
        };
        Ok(claims.into_iter().map(|claim| claim.account).collect())
    }

    /// Every account the register knows of, by user key.
    pub fn idp_accounts(&self) -> Result<Vec<IdpAccount>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM idp_accounts ORDER BY user_key");
        Ok(
            on_store!(self, db => db.fetch(&sql, &[], account_from_row))?
                .into_iter()
                .map(|claim| claim.account)
                .collect(),
        )
    }

    /// True when a push is due now (a cheap read before a claim).
    pub fn has_due_idp_push(&self, now: Timestamp) -> Result<bool, StoreError> {
        on_store!(self, db => db.fetch_int(
            "SELECT EXISTS (SELECT 1 FROM idp_accounts WHERE wanted > pushed AND failed = 0
                 AND owner IS NULL AND next_attempt_at_ms <= ?1)",
            params![now.as_millisecond()],
        ))
        .map(|found| found != 0)
    }
}

impl WriteTx<'_> {
    /// Marks that `key`'s account should follow the user as they are now:
    /// for a user with an account row, or a connected user (whose account
    /// is to be made). Nothing for a user the provider never had and who
    /// is not connected.
    pub fn mark_idp_push(&self, key: UserKey, now: Timestamp) -> Result<(), StoreError> {
        let now = now.as_millisecond();
        let updated = on_tx!(self, db => db.exec(
            "UPDATE idp_accounts SET wanted = wanted + 1, failed = 0, attempts = 0,
                next_attempt_at_ms = ?2
             WHERE user_key = ?1",
            params![key.0, now],
        ))?;
        if updated == 0 {
            on_tx!(self, db => db.exec(
                "INSERT INTO idp_accounts (user_key, external_id, wanted, next_attempt_at_ms)
                 SELECT u.key, u.user_id, 1, ?2 FROM users u
                 JOIN connections c ON c.user_key = u.key AND c.state = 'connected'
                 WHERE u.key = ?1",
                params![key.0, now],
            ))?;
        }
        Ok(())
    }

    /// Marks every connected user's account (and every account the
    /// register has) to be pushed: the initial load after provisioning is
    /// turned on. Returns how many were marked.
    pub fn mark_all_idp_pushes(&self, now: Timestamp) -> Result<usize, StoreError> {
        let now = now.as_millisecond();
        let updated = on_tx!(self, db => db.exec(
            "UPDATE idp_accounts SET wanted = wanted + 1, failed = 0, attempts = 0,
                next_attempt_at_ms = ?1",
            params![now],
        ))?;
        let inserted = on_tx!(self, db => db.exec(
            "INSERT INTO idp_accounts (user_key, external_id, wanted, next_attempt_at_ms)
             SELECT u.key, u.user_id, 1, ?1 FROM users u
             JOIN connections c ON c.user_key = u.key AND c.state = 'connected'
             WHERE NOT EXISTS (SELECT 1 FROM idp_accounts a WHERE a.user_key = u.key)",
            params![now],
        ))?;
        Ok(updated + inserted)
    }

    /// Claims up to `limit` due pushes for `owner` until `lease_until`.
    pub fn claim_idp_due(
        &self,
        owner: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: usize,
    ) -> Result<Vec<IdpClaim>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let lock = if self.is_postgres() {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let claim = format!(
            "UPDATE idp_accounts SET owner = ?3, lease_until_ms = ?4, claimed = wanted,
                attempts = attempts + 1
             WHERE user_key IN (SELECT user_key FROM idp_accounts
                 WHERE wanted > pushed AND failed = 0 AND owner IS NULL
                   AND next_attempt_at_ms <= ?1
                 ORDER BY next_attempt_at_ms, user_key LIMIT ?2{lock})
             RETURNING {COLUMNS}"
        );
        let mut claimed = on_tx!(self, db => db.fetch(
            &claim,
            params![now.as_millisecond(), limit, owner, lease_until.as_millisecond()],
            account_from_row,
        ))?;
        claimed.sort_by_key(|c| c.account.user_key.0);
        Ok(claimed)
    }

    /// Records the answers to `owner`'s claims, each with its audit row;
    /// an answer to a claim `owner` no longer holds (its lease ran out and
    /// another worker took it) is not recorded. Returns how many were.
    pub fn record_idp_results(
        &self,
        owner: &str,
        records: &[IdpRecord],
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        let now = now.as_millisecond();
        let mut recorded = 0;
        for record in records {
            let key = record.user_key.0;
            let changed = match &record.outcome {
                IdpOutcome::Done {
                    state,
                    idp_id,
                    external_id,
                } => on_tx!(self, db => db.exec(
                    "UPDATE idp_accounts SET pushed = greatest(pushed, ?3),
                        since_ms = CASE WHEN account = ?4 THEN since_ms ELSE ?7 END,
                        account = ?4, idp_id = ?5, external_id = ?6, attempts = 0,
                        last_result = ?8, owner = NULL, lease_until_ms = NULL, claimed = NULL
                     WHERE user_key = ?1 AND owner = ?2",
                    params![
                        key,
                        owner,
                        record.generation,
                        account_word(*state),
                        idp_id.as_deref(),
                        external_id.as_str(),
                        now,
                        record.result.as_str()
                    ],
                ))?,
                IdpOutcome::Retry { next_at } => on_tx!(self, db => db.exec(
                    "UPDATE idp_accounts SET next_attempt_at_ms = ?3, last_result = ?4,
                        owner = NULL, lease_until_ms = NULL, claimed = NULL
                     WHERE user_key = ?1 AND owner = ?2",
                    params![key, owner, next_at.as_millisecond(), record.result.as_str()],
                ))?,
                IdpOutcome::Failed => on_tx!(self, db => db.exec(
                    "UPDATE idp_accounts SET failed = 1, last_result = ?3,
                        owner = NULL, lease_until_ms = NULL, claimed = NULL
                     WHERE user_key = ?1 AND owner = ?2",
                    params![key, owner, record.result.as_str()],
                ))?,
            };
            if changed == 1 {
                recorded += 1;
                if let Some(audit) = &record.audit {
                    self.append_audit(audit)?;
                }
            }
        }
        Ok(recorded)
    }

    /// *Try again*: a failed push is wanted anew, now.
    pub fn retry_idp_push(&self, key: UserKey, now: Timestamp) -> Result<bool, StoreError> {
        let changed = on_tx!(self, db => db.exec(
            "UPDATE idp_accounts SET failed = 0, attempts = 0, next_attempt_at_ms = ?2,
                wanted = CASE WHEN wanted > pushed THEN wanted ELSE wanted + 1 END
             WHERE user_key = ?1",
            params![key.0, now.as_millisecond()],
        ))?;
        Ok(changed == 1)
    }

    /// Takes back the pushes `owner` holds (its round broke off, or it
    /// stopped): they are due again at once. A push is safe to repeat: the
    /// next one looks the account up before it makes one.
    pub fn take_back_own_idp(&self, owner: &str) -> Result<usize, StoreError> {
        on_tx!(self, db => db.exec(
            "UPDATE idp_accounts SET owner = NULL, lease_until_ms = NULL, claimed = NULL,
                attempts = greatest(attempts - 1, 0)
             WHERE owner = ?1",
            params![owner],
        ))
    }

    /// Takes back the pushes whose owner's lease ran out.
    pub fn take_back_expired_idp(&self, now: Timestamp) -> Result<usize, StoreError> {
        on_tx!(self, db => db.exec(
            "UPDATE idp_accounts SET owner = NULL, lease_until_ms = NULL, claimed = NULL
             WHERE owner IS NOT NULL
               AND (lease_until_ms IS NULL OR lease_until_ms <= ?1 OR lease_until_ms > ?2)",
            params![
                super::outbox::lease_bounds(now).0,
                super::outbox::lease_bounds(now).1
            ],
        ))
    }

    /// Renews the lease of the pushes `owner` holds.
    pub fn renew_idp_lease(&self, owner: &str, lease_until: Timestamp) -> Result<(), StoreError> {
        on_tx!(self, db => db.exec(
            "UPDATE idp_accounts SET lease_until_ms = ?2 WHERE owner = ?1",
            params![owner, lease_until.as_millisecond()],
        ))?;
        Ok(())
    }
}

/// What `idp sync` found and did for one user, as the register records it.
#[derive(Clone, Debug)]
pub struct IdpSyncRecord {
    /// The user (or the deleted user's key).
    pub user_key: UserKey,
    /// The User-ID the account carries.
    pub external_id: String,
    /// The provider's id, when the account exists.
    pub idp_id: Option<String>,
    /// The account's state now; `Failed` when the repair was refused.
    pub state: IdpState,
    /// What was done, or the server's words.
    pub result: String,
    /// The changes the sync saw (a push wanted since stays wanted).
    pub generation: i64,
    /// The History row, if anything changed.
    pub audit: Option<AuditEntry>,
}

impl WriteTx<'_> {
    /// Records what `idp sync` found or did: the account as the provider
    /// has it now (or the failure), with its History rows.
    pub fn record_idp_sync(
        &self,
        records: &[IdpSyncRecord],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let now = now.as_millisecond();
        for record in records {
            let failed = i64::from(record.state == IdpState::Failed);
            on_tx!(self, db => db.exec(
                "INSERT INTO idp_accounts (user_key, external_id, idp_id, account, wanted, pushed,
                     failed, last_result, since_ms)
                 VALUES (?1, ?2, ?3, ?4, ?7, 0, ?7, ?5, ?6)
                 ON CONFLICT (user_key) DO UPDATE SET
                     external_id = CASE WHEN ?7 = 1 THEN idp_accounts.external_id
                         ELSE excluded.external_id END,
                     idp_id = CASE WHEN ?7 = 1 THEN idp_accounts.idp_id ELSE excluded.idp_id END,
                     since_ms = CASE WHEN ?7 = 1 OR idp_accounts.account = excluded.account
                         THEN idp_accounts.since_ms ELSE excluded.since_ms END,
                     account = CASE WHEN ?7 = 1 THEN idp_accounts.account
                         ELSE excluded.account END,
                     failed = ?7, attempts = 0, last_result = excluded.last_result,
                     wanted = CASE WHEN ?7 = 1 AND idp_accounts.wanted <= idp_accounts.pushed
                         THEN idp_accounts.wanted + 1 ELSE idp_accounts.wanted END,
                     pushed = CASE WHEN ?7 = 1 THEN idp_accounts.pushed
                         ELSE greatest(idp_accounts.pushed, ?8) END",
                params![
                    record.user_key.0,
                    record.external_id.as_str(),
                    record.idp_id.as_deref(),
                    account_word(record.state),
                    record.result.as_str(),
                    now,
                    failed,
                    record.generation
                ],
            ))?;
            if let Some(audit) = &record.audit {
                self.append_audit(audit)?;
            }
        }
        Ok(())
    }
}

impl Store {
    /// Each account row's key and the generation of the changes it has seen.
    pub fn idp_generations(&self) -> Result<Vec<(UserKey, i64)>, StoreError> {
        on_store!(self, db => db.fetch(
            "SELECT user_key, wanted FROM idp_accounts",
            &[],
            |r| Ok((UserKey(r.int(0)?), r.int(1)?)),
        ))
    }
}
