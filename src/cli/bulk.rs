//! `verify --all-pending`: the dialog's counts, then the send and its results.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use crate::app::Session;
use crate::app::bulk::{BulkOutcome, BulkRequest, plan_verify_accounts, start_bulk};
use crate::app::outbox_worker::{OutboxWorker, WorkerOptions};
use crate::domain::{Listing, UserFilter};

/// Prints the counts for the selection; without `dry_run`, sends and prints each user's result.
pub fn verify_all_pending(
    session: &Session,
    filter: &UserFilter,
    dry_run: bool,
    send_again_to_recent: bool,
) -> anyhow::Result<ExitCode> {
    let mut listing = Listing::new(session.load_users()?);
    listing.set_filter(filter.clone());
    let plan = plan_verify_accounts(session, listing.visible_records(), send_again_to_recent)?;
    let settings = session.load_settings()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", t!("cli-selection", count = plan.counts.total()))?;
    for (label, count) in plan.counts.lines(settings.resend_after_minutes) {
        writeln!(out, "  {label}: {count}")?;
    }
    if dry_run {
        writeln!(out, "{}", t!("cli-dry-run-sent"))?;
        return Ok(ExitCode::SUCCESS);
    }
    out.flush()?;
    let worker = OutboxWorker::open(
        session.location(),
        session.clock.clone(),
        WorkerOptions::default(),
    )?
    .spawn()?;
    let job = start_bulk(BulkRequest {
        register: session.location().clone(),
        clock: session.clock.clone(),
        actor: session.actor.clone(),
        plan,
        send_again_to_recent,
        follow: crate::app::bulk::Follow::FirstRound,
        notify: Box::new(|| {}),
        wake_worker: worker.waker(),
        poll: Duration::from_millis(200),
    })?;
    let rows = job.wait();
    worker.stop();
    let rows = match rows {
        Ok(rows) => rows,
        Err(error) => return stopped_early(session, &error),
    };
    writeln!(
        out,
        "{:<12}  {:<36}  {:<20}  DETAILS",
        "USER-ID", "EMAIL VISMA CONNECT", "RESULT"
    )?;
    let mut sent = 0;
    let mut failed = 0;
    let mut waiting = 0;
    for row in &rows {
        match row.outcome {
            BulkOutcome::Sent => sent += 1,
            BulkOutcome::Failed => failed += 1,
            BulkOutcome::Waiting => waiting += 1,
            _ => {}
        }
        let duplicate = if row.possible_duplicate {
            " (possible duplicate)"
        } else {
            ""
        };
        writeln!(
            out,
            "{:<12}  {:<36}  {:<20}  {}{duplicate}",
            super::printable(&row.user_id),
            row.email,
            row.outcome.label(),
            super::printable(&row.details)
        )?;
    }
    writeln!(
        out,
        "{}",
        t!(
            "cli-bulk-summary",
            sent = sent,
            failed = failed,
            waiting = waiting,
            other = rows.len() - sent - failed - waiting
        )
    )?;
    if waiting > 0 {
        writeln!(out, "{}", t!("cli-bulk-waiting", waiting = waiting))?;
        // Not finished: scripts see that messages still wait.
        return Ok(ExitCode::from(3));
    }
    Ok(ExitCode::SUCCESS)
}

/// A send that stopped before it could follow its messages (the register
/// was gone too long): says so on standard error, with what the register
/// holds now if it can be read, and exits with 1.
fn stopped_early(session: &Session, error: &str) -> anyhow::Result<ExitCode> {
    let mut err = std::io::stderr().lock();
    writeln!(err, "{}", t!("cli-bulk-stopped", error = error))?;
    if let Ok(waiting) = session.queued_count() {
        writeln!(err, "{}", t!("cli-bulk-waiting", waiting = waiting))?;
    }
    Ok(ExitCode::FAILURE)
}
