//! A bulk send's results: one row per selected user with what happened (and
//! where their identity provider account stands), and saving them as xlsx.

use std::collections::HashMap;
use std::path::Path;

use crate::domain::{BulkPlan, DeliveryState, Email, UserKey, VerifyDecision};
use crate::store::Reads as _;
use crate::store::Store;

use super::{BulkError, BulkOutcome, BulkResultRow, Queued};

/// `details`, with where the account in the identity provider stands when
/// the register has one for the user (a connection made at once pushes it).
pub(super) fn with_idp_state(
    account: Option<&crate::domain::idp::IdpAccount>,
    details: String,
) -> String {
    match account {
        Some(account) => t!(
            "bulk-detail-with-idp",
            details = details,
            state = crate::domain::idp::state_label(account.state)
        ),
        None => details,
    }
}

/// One row per user of the plan, in selection order.
pub(super) fn results(
    store: &Store,
    plan: &BulkPlan,
    queued: &HashMap<UserKey, Queued>,
    batch: &str,
) -> Result<Vec<BulkResultRow>, BulkError> {
    let messages: HashMap<UserKey, crate::domain::OutboxMessage> = store
        .batch_messages(batch)?
        .into_iter()
        .filter_map(|m| m.user_key.map(|k| (k, m)))
        .collect();
    // Read together (one statement on a shared register), not one by one.
    let keys: Vec<UserKey> = plan.entries.iter().map(|(key, _)| *key).collect();
    let records: HashMap<UserKey, crate::domain::UserRecord> = store
        .users_by_keys(&keys)?
        .into_iter()
        .map(|record| (record.key, record))
        .collect();
    // The identity provider's accounts of those connected at once, together.
    let connected: Vec<UserKey> = queued
        .iter()
        .filter(|(_, outcome)| matches!(outcome, Queued::Connected))
        .map(|(key, _)| *key)
        .collect();
    let accounts: HashMap<UserKey, crate::domain::idp::IdpAccount> = store
        .idp_accounts_of(&connected)?
        .into_iter()
        .map(|account| (account.user_key, account))
        .collect();
    let mut rows = Vec::with_capacity(plan.entries.len());
    for (key, decision) in &plan.entries {
        let Some(record) = records.get(key) else {
            continue;
        };
        let email = record
            .connection
            .email()
            .map(Email::to_string)
            .unwrap_or_default();
        let (outcome, details, possible_duplicate) = match (decision, queued.get(key)) {
            (VerifyDecision::Skip(reason), _) | (_, Some(Queued::Skipped(reason))) => {
                (BulkOutcome::Skipped, reason.label(), false)
            }
            (_, Some(Queued::Connected)) => (
                BulkOutcome::ConnectedAtOnce,
                with_idp_state(accounts.get(key), t!("bulk-detail-verified-domain")),
                false,
            ),
            (_, Some(Queued::Message | Queued::Adopted)) => match messages.get(key) {
                Some(m) => {
                    let outcome = match m.state {
                        DeliveryState::Sent => BulkOutcome::Sent,
                        DeliveryState::Failed => BulkOutcome::Failed,
                        DeliveryState::Cancelled => BulkOutcome::NotSent,
                        DeliveryState::Queued | DeliveryState::Sending => BulkOutcome::Waiting,
                    };
                    let words = m.last_result.clone().unwrap_or_default();
                    let details = if matches!(queued.get(key), Some(Queued::Adopted)) {
                        t!("bulk-detail-adopted", words = words)
                    } else {
                        words
                    };
                    (outcome, details, m.possible_duplicate)
                }
                None => (BulkOutcome::Waiting, String::new(), false),
            },
            (_, None) => (
                BulkOutcome::NotSent,
                t!("bulk-detail-cancelled-before"),
                false,
            ),
        };
        rows.push(BulkResultRow {
            user_id: record.user.user_id.to_string(),
            name: record.user.display_name(),
            email,
            outcome,
            details,
            possible_duplicate,
        });
    }
    Ok(rows)
}

/// Writes the results as an xlsx workbook.
pub fn save_results_xlsx(
    rows: &[BulkResultRow],
    path: &Path,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Verify accounts")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (column, title) in [
        "User-ID",
        "Name",
        "Email Visma Connect",
        "Result",
        "Details",
        "Possible duplicate",
    ]
    .iter()
    .enumerate()
    {
        let column = u16::try_from(column).unwrap_or(0);
        sheet.write_string_with_format(0, column, *title, &bold)?;
    }
    for (index, row) in rows.iter().enumerate() {
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        // Written as text: a User-ID or name that looks like a formula stays text.
        sheet.write_string(line, 0, &row.user_id)?;
        sheet.write_string(line, 1, &row.name)?;
        sheet.write_string(line, 2, &row.email)?;
        sheet.write_string(line, 3, row.outcome.label())?;
        sheet.write_string(line, 4, &row.details)?;
        sheet.write_string(line, 5, if row.possible_duplicate { "yes" } else { "" })?;
    }
    sheet.set_column_width(1, 28)?;
    sheet.set_column_width(2, 34)?;
    sheet.set_column_width(4, 48)?;
    sheet.autofilter(0, 0, u32::try_from(rows.len()).unwrap_or(0), 5)?;
    workbook.save(path)?;
    Ok(())
}
