//! What the form shows of one user beside their fields, read from a shared
//! register in one round trip (the window opens a user over a VPN in the
//! time of one, not seven): History, the newest message, the live link,
//! roles, *Audit of account code* rows, the account dimensions, the
//! identity provider's account and the settings that say whether it counts.

use jiff::Timestamp;

use super::{Backend, Store, StoreError};
use crate::domain::account_codes::AuditRight;
use crate::domain::roles::Assignment;
use crate::domain::{AuditEntry, OutboxMessage, Settings, UserKey};

/// The reads of [`Store::user_details_together`].
#[derive(Debug)]
pub struct DetailsRead {
    /// The user's audit rows, newest first.
    pub history: Vec<AuditEntry>,
    /// The newest message to the user.
    pub last_message: Option<OutboxMessage>,
    /// When the newest working verification link expires.
    pub link_expires: Option<Timestamp>,
    /// The user's roles.
    pub roles: Vec<Assignment>,
    /// The user's *Audit of account code* rows.
    pub audit_rights: Vec<AuditRight>,
    /// The dimensions that have codes in the register.
    pub dimensions: Vec<String>,
    /// The user's account at the identity provider, if the register has one.
    pub idp: Option<crate::domain::idp::IdpAccount>,
    /// The settings (whether provisioning is on).
    pub settings: Settings,
}

impl Store {
    /// [`DetailsRead`] of user `key` at `now` in one round trip, on a shared
    /// register; `None` from a register file (whose reads cost no round
    /// trips: read them one by one).
    pub fn user_details_together(
        &self,
        key: UserKey,
        history_rows: usize,
        now: Timestamp,
    ) -> Result<Option<DetailsRead>, StoreError> {
        let Backend::Postgres(pg) = &self.backend else {
            return Ok(None);
        };
        let limit = i64::try_from(history_rows).unwrap_or(i64::MAX);
        let queries = [
            (
                format!(
                    "{} WHERE user_key = ?1 ORDER BY id DESC LIMIT ?2",
                    super::rows::SELECT_AUDIT
                ),
                vec![key.0, limit],
            ),
            (
                format!(
                    "{} WHERE user_key = ?1 ORDER BY id DESC LIMIT 1",
                    super::outbox::SELECT
                ),
                vec![key.0],
            ),
            (
                format!(
                    "{} WHERE user_key = ?1 AND used_at_ms IS NULL AND superseded_at_ms IS NULL
                     AND expires_at_ms > ?2 AND purpose = 'verification'
                     ORDER BY created_at_ms DESC LIMIT 1",
                    super::tokens::SELECT
                ),
                vec![key.0, now.as_millisecond()],
            ),
            (
                format!("{} WHERE user_key = ?1 ORDER BY role", super::roles::SELECT),
                vec![key.0],
            ),
            (super::account_codes::RIGHTS.to_owned(), vec![key.0]),
            (
                "SELECT DISTINCT dimension FROM account_codes ORDER BY dimension".to_owned(),
                Vec::new(),
            ),
            (
                format!(
                    "SELECT {} FROM idp_accounts WHERE user_key = ?1",
                    super::idp::COLUMNS
                ),
                vec![key.0],
            ),
            (super::settings::SELECT_SETTINGS.to_owned(), Vec::new()),
        ];
        let results = pg.sql().fetch_texts_together(&queries)?;
        let each = |index: usize| super::db::text_rows(&results, index);
        Ok(Some(DetailsRead {
            history: each(0)
                .map(|row| super::rows::audit_from_row(&row))
                .collect::<Result<_, _>>()?,
            // A damaged message is left out, as everywhere.
            last_message: each(1).find_map(|row| super::outbox::message_from_row(&row).ok()),
            link_expires: each(2)
                .map(|row| super::tokens::token_from_row(&row).map(|t| t.expires_at))
                .next()
                .transpose()?,
            roles: each(3)
                .map(|row| super::roles::assignment_from_row(&row).map(|(_, a)| a))
                .collect::<Result<_, _>>()?,
            audit_rights: each(4)
                .map(|row| super::account_codes::right_from_row(&row))
                .collect::<Result<_, _>>()?,
            dimensions: each(5)
                .map(|row| super::db::RowRead::text(&row, 0))
                .collect::<Result<_, _>>()?,
            idp: each(6)
                .map(|row| super::idp::account_from_row(&row).map(|claim| claim.account))
                .next()
                .transpose()?,
            settings: super::settings::from_text_rows(each(7))?,
        }))
    }
}
