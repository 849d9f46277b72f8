//! Link tokens (verification links and relink invitations): only the
//! SHA-256 of each token is stored, with its purpose, user, address, expiry
//! and use.

use jiff::Timestamp;

use crate::domain::UserKey;

use super::db::{RowRead, Sql as _, params};
use super::{Store, StoreError, WriteTx, on_store, on_tx};

/// What a link token is for; a token works only on its own page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TokenPurpose {
    /// `/verify/{token}`: confirms the address it was sent to.
    #[default]
    Verification,
    /// `/relink/{token}`: the preparation phase's invitation to enter a new
    /// address on *Security and login* (sent to the user's General Email).
    Relink,
}

impl TokenPurpose {
    /// The stored word.
    pub fn code(self) -> &'static str {
        match self {
            Self::Verification => "verification",
            Self::Relink => "relink",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        [Self::Verification, Self::Relink]
            .into_iter()
            .find(|p| p.code() == code)
    }
}

/// A stored link token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkToken {
    /// What it is for.
    pub purpose: TokenPurpose,
    /// The user it verifies.
    pub user_key: UserKey,
    /// The address key it was sent to.
    pub email_key: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// When it was confirmed, if it was.
    pub used_at: Option<Timestamp>,
    /// When a newer link, a new address or a deleted connection made it useless.
    pub superseded_at: Option<Timestamp>,
}

fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

pub(super) const SELECT: &str =
    "SELECT user_key, email_key, created_at_ms, expires_at_ms, used_at_ms,
        superseded_at_ms, purpose
    FROM link_tokens";

pub(super) fn token_from_row(row: &dyn RowRead) -> Result<LinkToken, StoreError> {
    let purpose = row.text(6)?;
    Ok(LinkToken {
        purpose: TokenPurpose::from_code(&purpose)
            .ok_or_else(|| StoreError::bad_value(6, &purpose))?,
        user_key: UserKey(row.int(0)?),
        email_key: row.text(1)?,
        created_at: timestamp(row.int(2)?),
        expires_at: timestamp(row.int(3)?),
        used_at: row.opt_int(4)?.map(timestamp),
        superseded_at: row.opt_int(5)?.map(timestamp),
    })
}

/// A token by its hash.
pub(super) fn token_in(
    db: &impl super::db::Sql,
    hash: &[u8; 32],
) -> Result<Option<LinkToken>, StoreError> {
    db.fetch_opt(
        &format!("{SELECT} WHERE hash = ?1"),
        params![&hash[..]],
        token_from_row,
    )
}

impl Store {
    /// The user's newest verification link that still works at `now`, if any.
    pub fn live_token_for(
        &self,
        key: UserKey,
        now: Timestamp,
    ) -> Result<Option<LinkToken>, StoreError> {
        on_store!(self, db => db.fetch_opt(
            &format!(
                "{SELECT} WHERE user_key = ?1 AND used_at_ms IS NULL AND superseded_at_ms IS NULL
                 AND expires_at_ms > ?2 AND purpose = 'verification'
                 ORDER BY created_at_ms DESC LIMIT 1"
            ),
            params![key.0, now.as_millisecond()],
            token_from_row,
        ))
    }
}

impl WriteTx<'_> {
    /// Makes every unused link of the user useless.
    pub fn supersede_tokens(&self, key: UserKey, now: Timestamp) -> Result<(), StoreError> {
        const SUPERSEDE: &str = "UPDATE link_tokens SET superseded_at_ms = ?2
             WHERE user_key = ?1 AND used_at_ms IS NULL AND superseded_at_ms IS NULL";
        let params = params![key.0, now.as_millisecond()];
        // Nothing is read back: on a shared register it goes with the next
        // round trip.
        if !self.hold(SUPERSEDE, params, || None)? {
            on_tx!(self, db => db.exec(SUPERSEDE, params))?;
        }
        Ok(())
    }

    /// [`Self::supersede_tokens`] for many users in one statement.
    pub fn supersede_tokens_of(&self, keys: &[UserKey], now: Timestamp) -> Result<(), StoreError> {
        if keys.is_empty() {
            return Ok(());
        }
        let raw: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let now_ms = now.as_millisecond();
        if let Some(done) = self.on_postgres(|db| {
            db.exec_typed(
                "UPDATE link_tokens SET superseded_at_ms = ?2
                 WHERE user_key = ANY(?1) AND used_at_ms IS NULL AND superseded_at_ms IS NULL",
                &[&raw, &now_ms],
            )
        }) {
            return done.map(|_| ());
        }
        for &key in keys {
            self.supersede_tokens(key, now)?;
        }
        Ok(())
    }

    /// Stores a new token's hash.
    pub fn insert_token(&self, token: &NewToken, now: Timestamp) -> Result<(), StoreError> {
        on_tx!(self, db => db.exec(
            "INSERT INTO link_tokens
                 (hash, user_key, email_key, created_at_ms, expires_at_ms, purpose)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                &token.hash[..],
                token.key.0,
                token.email_key.as_str(),
                now.as_millisecond(),
                token.expires_at.as_millisecond(),
                token.purpose.code()
            ],
        ))?;
        Ok(())
    }

    /// Marks a token used.
    pub fn use_token(&self, hash: &[u8; 32], now: Timestamp) -> Result<(), StoreError> {
        on_tx!(self, db => db.exec(
            "UPDATE link_tokens SET used_at_ms = ?2 WHERE hash = ?1",
            params![&hash[..], now.as_millisecond()],
        ))?;
        Ok(())
    }

    /// Counts a delivered verification on the user's pending connection.
    pub fn count_verification_sent(
        &self,
        key: UserKey,
        email_key: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        on_tx!(self, db => db.exec(
            "UPDATE connections SET sent_count = sent_count + 1, last_sent_at_ms = ?3
             WHERE user_key = ?1 AND email_key = ?2 AND state = 'unverified'",
            params![key.0, email_key, now.as_millisecond()],
        ))?;
        Ok(())
    }

    /// Makes every unused link of these users useless and stores the new
    /// tokens' hashes, all in a few statements. A user with two new tokens
    /// keeps only the later one usable.
    pub fn issue_tokens(&self, tokens: &[NewToken], now: Timestamp) -> Result<(), StoreError> {
        if tokens.is_empty() {
            return Ok(());
        }
        let now_ms = now.as_millisecond();
        let keys: Vec<i64> = tokens.iter().map(|t| t.key.0).collect();
        let hashes: Vec<&[u8]> = tokens.iter().map(|t| &t.hash[..]).collect();
        let emails: Vec<&str> = tokens.iter().map(|t| t.email_key.as_str()).collect();
        let expires: Vec<i64> = tokens
            .iter()
            .map(|t| t.expires_at.as_millisecond())
            .collect();
        let purposes: Vec<&str> = tokens.iter().map(|t| t.purpose.code()).collect();
        // An earlier token of a user who gets another in the same call is
        // superseded at once, as one call per token would have done.
        let superseded: Vec<Option<i64>> = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| {
                tokens[i + 1..]
                    .iter()
                    .any(|later| later.key == t.key)
                    .then_some(now_ms)
            })
            .collect();
        if let Some(done) = self.on_postgres(|db| {
            db.exec_typed(
                "UPDATE link_tokens SET superseded_at_ms = ?2
                 WHERE user_key = ANY(?1) AND used_at_ms IS NULL AND superseded_at_ms IS NULL",
                &[&keys, &now_ms],
            )?;
            db.exec_typed(
                "INSERT INTO link_tokens
                     (hash, user_key, email_key, created_at_ms, expires_at_ms, superseded_at_ms,
                      purpose)
                 SELECT hash, user_key, email_key, ?6, expires_at_ms, superseded_at_ms, purpose
                 FROM unnest(?1::bytea[], ?2::bigint[], ?3::text[], ?4::bigint[], ?5::bigint[],
                             ?7::text[])
                     AS v(hash, user_key, email_key, expires_at_ms, superseded_at_ms, purpose)",
                &[
                    &hashes,
                    &keys,
                    &emails,
                    &expires,
                    &superseded,
                    &now_ms,
                    &purposes,
                ],
            )
        }) {
            return done.map(|_| ());
        }
        for token in tokens {
            self.supersede_tokens(token.key, now)?;
            self.insert_token(token, now)?;
        }
        Ok(())
    }
}

/// A new link token to store: its hash, whom it is for and until when.
#[derive(Clone, Debug)]
pub struct NewToken {
    /// SHA-256 of the token text.
    pub hash: [u8; 32],
    /// The user it connects.
    pub key: UserKey,
    /// The normalised address it confirms.
    pub email_key: String,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// What it is for.
    pub purpose: TokenPurpose,
}
