//! Leavers: some days after a user's *Employment ends* (the setting
//! `remove_connection_after_days`, 5 by default) their Visma Connect
//! connection is removed, with an audit row in their History. The outbox
//! worker applies it when it starts and then every 10 minutes.

use jiff::{Timestamp, tz::TimeZone};

use crate::domain::{AuditAction, Connection, UserKey};
use crate::store::{Store, StoreError, date_number};

use super::snapshot::snapshot;
use super::verification::{entry, remove_connection_in};

/// Who the audit log names for the removal.
pub const LEAVER_ACTOR: &str = "leaver rule";

/// The last *Employment ends* whose connection is removed on the day of
/// `now` (the computer's time zone): `days` before today.
pub fn last_leaving_day(now: Timestamp, days: u32) -> i64 {
    let today = now.to_zoned(TimeZone::system()).date();
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
    let last_day = last_leaving_day(now, settings.remove_connection_after_days);
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
