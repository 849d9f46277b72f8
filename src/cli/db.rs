//! `db status` and `db copy`: the register itself, for the administrator who
//! runs it (moving a desktop's file to a shared register and back).

use std::io::Write as _;
use std::process::ExitCode;

use crate::app::Location;
use crate::app::register_admin::{TableSum, copy_register, register_status};

use super::Refused;

/// `db status`: backend, schema version and counts.
pub fn status(location: &Location, json: bool) -> anyhow::Result<ExitCode> {
    let status = register_status(location).map_err(|e| Refused(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &status)?;
        writeln!(out)?;
    } else {
        // Counts grouped as the language writes them (1 200 / 1,200).
        let count =
            |n: usize| crate::i18n::window_language().count(i128::try_from(n).unwrap_or(i128::MAX));
        let rows = [
            (t!("cli-status-register"), status.location.clone()),
            (t!("cli-status-backend"), status.backend.clone()),
            (t!("cli-status-schema"), status.schema_version.to_string()),
            (t!("cli-status-users"), count(status.users)),
            (t!("cli-status-connected"), count(status.connected)),
            (t!("cli-status-pending"), count(status.pending)),
            (
                t!("cli-status-outbox"),
                t!(
                    "cli-status-outbox-value",
                    messages = status.outbox_messages,
                    waiting = status.outbox_waiting
                ),
            ),
            (
                t!("cli-status-audit"),
                t!("cli-status-audit-value", rows = status.audit_rows),
            ),
            (t!("cli-status-workers"), count(status.workers)),
            (
                t!("cli-status-damaged"),
                t!(
                    "cli-status-damaged-value",
                    users = status.damaged_users,
                    messages = status.damaged_messages
                ),
            ),
        ];
        let width = rows
            .iter()
            .map(|(l, _)| l.chars().count())
            .max()
            .unwrap_or(0)
            + 2;
        for (label, value) in rows {
            let label = format!("{label}:");
            writeln!(out, "{label:<width$}{value}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `db grant`: the group roles' grants on a shared register (its owner).
pub fn grant(location: &Location) -> anyhow::Result<ExitCode> {
    crate::app::register_admin::grant_group_roles(location).map_err(|e| Refused(e.to_string()))?;
    writeln!(std::io::stdout().lock(), "{}", t!("cli-grant-done"))?;
    Ok(ExitCode::SUCCESS)
}

/// `db copy FROM TO`: the whole register into an empty target, then both
/// sides compared table by table. Exit 0 when they match, 1 when not.
pub fn copy(from: &str, to: &str, json: bool) -> anyhow::Result<ExitCode> {
    let (from, to) = (Location::parse(from), Location::parse(to));
    let started = std::time::Instant::now();
    let report = copy_register(&from, &to).map_err(|e| Refused(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(
            &mut out,
            &serde_json::json!({
                "from": from.to_string(),
                "to": to.to_string(),
                "matches": report.matches(),
                "seconds": started.elapsed().as_secs_f64(),
                "source": report.source,
                "target": report.target,
            }),
        )?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{}",
            t!(
                "cli-copied",
                from = from.to_string(),
                to = to.to_string(),
                seconds = format!("{:.1}", started.elapsed().as_secs_f64())
            )
        )?;
        writeln!(
            out,
            "{:<12} {:>9} {:>9}  {:<16} {:<16}",
            "table", "from", "to", "sha256 from", "sha256 to"
        )?;
        for (a, b) in report.source.iter().zip(&report.target) {
            writeln!(out, "{}", sum_line(a, b))?;
        }
        if report.matches() {
            writeln!(out, "{}", t!("cli-copy-same-rows"))?;
        } else {
            writeln!(out, "{}", t!("cli-copy-differ"))?;
        }
    }
    Ok(if report.matches() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn sum_line(a: &TableSum, b: &TableSum) -> String {
    let mark = if a == b { ' ' } else { '!' };
    format!(
        "{:<12} {:>9} {:>9}  {:<16} {:<16} {mark}",
        a.table,
        a.rows,
        b.rows,
        &a.sha256[..16],
        &b.sha256[..16]
    )
}
