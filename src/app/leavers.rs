//! Leavers: some days after a user's *Employment ends* (the setting
//! `remove_connection_after_days`, 5 by default) their Visma Connect
//! connection is removed, with an audit row in their History. The outbox
//! worker applies it when it starts and then every 10 minutes.

use jiff::Timestamp;

use crate::domain::{AuditAction, Connection, UserKey};
use crate::store::Reads as _;
use crate::store::{Store, StoreError, date_number};

use super::snapshot::snapshot;
use super::verification::{entry, remove_connection_in};

/// Who the audit log names for the removal.
pub const LEAVER_ACTOR: &str = "leaver rule";

/// The last *Employment ends* whose connection is removed on the day of
/// `now` (in the register's time zone): `days` before today.
pub fn last_leaving_day(now: Timestamp, settings: &crate::domain::Settings) -> i64 {
    let days = settings.remove_connection_after_days;
    let today = super::roles::day_in(settings, now);
    let last = today
        .checked_sub(jiff::Span::new().days(i64::from(days)))
        .unwrap_or(today);
    date_number(last)
}

/// Removes the connection of every user whose employment ended at least
/// `remove_connection_after_days` days before `now`'s date; returns whom.
/// Nothing is written when there is no one (a cheap count first).
pub fn remove_leavers_connections(
    store: &mut Store,
    now: Timestamp,
) -> Result<Vec<UserKey>, StoreError> {
    let settings = store.load_settings()?;
    let last_day = last_leaving_day(now, &settings);
    if store.count_connected_leavers(last_day)? == 0 {
        return Ok(Vec::new());
    }
    store.write(|tx| {
        let keys = tx.connected_leavers(last_day)?;
        for &key in &keys {
            let Some(record) = tx.user(key)? else {
                continue;
            };
            remove_connection_in(
                tx,
                &settings,
                key,
                now,
                "not sent: the user's employment has ended",
            )?;
            tx.append_audit(&entry(
                LEAVER_ACTOR,
                now,
                AuditAction::LeaverConnectionRemoved,
                &record,
                Some(snapshot(&record.user, &Connection::None)),
            ))?;
        }
        Ok(keys)
    })
}
