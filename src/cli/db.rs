//! `db status` and `db copy`: the register itself, for the administrator who
//! runs it (moving a desktop's file to a shared register and back).

use std::io::Write as _;
use std::process::ExitCode;

use crate::store::transfer::{TableSum, copy_register};
use crate::store::{Location, Store};

use super::Refused;

/// `db status`: backend, schema version and counts.
pub fn status(location: &Location, json: bool) -> anyhow::Result<ExitCode> {
    let store = Store::open(location).map_err(|e| Refused(e.to_string()))?;
    let status = store.status()?;
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &status)?;
        writeln!(out)?;
    } else {
        writeln!(out, "Register:        {}", status.location)?;
        writeln!(out, "Backend:         {}", status.backend)?;
        writeln!(out, "Schema version:  {}", status.schema_version)?;
        writeln!(out, "Users:           {}", status.users)?;
        writeln!(out, "  connected:     {}", status.connected)?;
        writeln!(out, "  pending:       {}", status.pending)?;
        writeln!(
            out,
            "Outbox:          {} messages, {} waiting",
            status.outbox_messages, status.outbox_waiting
        )?;
        writeln!(out, "Audit log:       {} rows", status.audit_rows)?;
        writeln!(out, "Outbox workers:  {}", status.workers)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `db copy FROM TO`: the whole register into an empty target, then both
/// sides compared table by table. Exit 0 when they match, 1 when not.
pub fn copy(from: &str, to: &str, json: bool) -> anyhow::Result<ExitCode> {
    let (from, to) = (Location::parse(from), Location::parse(to));
    if from == to {
        return Err(Refused("FROM and TO are the same register.".into()).into());
    }
    if let Location::File(path) = &to
        && path.exists()
    {
        return Err(Refused(format!(
            "{} exists; db copy writes only into a new file or an empty database.",
            path.display()
        ))
        .into());
    }
    let source = Store::open(&from).map_err(|e| Refused(e.to_string()))?;
    let mut target = Store::open(&to).map_err(|e| Refused(e.to_string()))?;
    let started = std::time::Instant::now();
    let report = match copy_register(&source, &mut target) {
        Ok(report) => report,
        Err(error) => {
            // A file this command made and could not fill is removed again.
            if let Location::File(path) = &to {
                drop(target);
                remove_new_file(path);
            }
            return Err(Refused(error.to_string()).into());
        }
    };
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
            "Copied {from} to {to} in {:.1} s.",
            started.elapsed().as_secs_f64()
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
            writeln!(out, "Every table has the same rows on both sides.")?;
        } else {
            writeln!(out, "The two sides differ (marked with !).")?;
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

fn remove_new_file(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(name));
    }
}
