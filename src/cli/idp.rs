//! `idp status`, `idp sync` and the form's two connection buttons,
//! `users disconnect` and `users reset-password`: lines or JSON (field
//! names are stable).

use std::io::Write as _;
use std::process::ExitCode;

use serde::Serialize;

use crate::app::idp::{IdpStatus, SyncReport};
use crate::app::{self, ConnectionError, RelinkInvitation, Session};
use crate::domain::roles::Permission;
use crate::domain::{Connection, UserId, UserRecord};

use super::Refused;

/// The user with this User-ID, the operator's permission to edit them
/// checked (their department and office).
fn editable_user(session: &mut Session, user_id: &str) -> anyhow::Result<UserRecord> {
    let id = UserId::parse(user_id).map_err(|e| Refused(e.to_string()))?;
    let record = session
        .user_by_user_id(&id)?
        .ok_or_else(|| Refused(t!("cli-no-such-user", user_id = id.to_string())))?;
    super::check_permission_for(session, Permission::UsersEdit, &record)?;
    Ok(record)
}

/// `users disconnect USER-ID`: *Delete connection*.
pub fn disconnect(session: &mut Session, user_id: &str) -> anyhow::Result<ExitCode> {
    let record = editable_user(session, user_id)?;
    if record.connection == Connection::None {
        return Err(Refused(t!("cli-no-connection", user_id = user_id)).into());
    }
    let deleted = app::delete_connection(session, record.key)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", t!("cli-disconnected", user_id = user_id))?;
    match deleted.invitation {
        RelinkInvitation::Queued(email) => {
            writeln!(out, "{}", t!("cli-relink-queued", email = email.masked()))?;
        }
        RelinkInvitation::NoEmail => writeln!(out, "{}", t!("cli-relink-no-email"))?,
        RelinkInvitation::NotSent => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// `users reset-password USER-ID`: *Reset password* (queues the email; the
/// window or `serve` delivers it).
pub fn reset_password(session: &mut Session, user_id: &str) -> anyhow::Result<ExitCode> {
    let record = editable_user(session, user_id)?;
    match app::reset_password(session, record.key) {
        Ok(email) => {
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{}",
                t!(
                    "cli-reset-queued",
                    user_id = user_id,
                    email = email.masked()
                )
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(ConnectionError::NotConnected) => {
            Err(Refused(t!("cli-not-connected", user_id = user_id)).into())
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Serialize)]
struct StatusJson<'a> {
    provisioning: &'a str,
    server: &'a str,
    supports: Option<SupportsJson>,
    problem: Option<&'a str>,
    counts: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize)]
// The JSON names what the server supports, one field each.
#[allow(clippy::struct_excessive_bools)]
struct SupportsJson {
    patch: bool,
    filter: bool,
    bulk: Option<u64>,
    etag: bool,
    user_schema: bool,
}

/// `idp status [--json]`.
pub fn status(session: &Session, json: bool) -> anyhow::Result<ExitCode> {
    let IdpStatus {
        provisioning,
        server,
        features,
        counts,
    } = app::idp::status(session)?;
    let mut out = std::io::stdout().lock();
    if json {
        let value = StatusJson {
            provisioning,
            server: &server,
            supports: features.as_ref().ok().map(|f| SupportsJson {
                patch: f.patch,
                filter: f.filter,
                bulk: f.bulk,
                etag: f.etag,
                user_schema: f.user_schema,
            }),
            problem: features.as_ref().err().map(String::as_str),
            counts: counts
                .iter()
                .map(|(state, n)| (state.code().to_owned(), serde_json::Value::from(*n)))
                .collect(),
        };
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{}",
        t!(
            "cli-idp-server",
            provisioning = provisioning,
            server = super::printable(&server).into_owned()
        )
    )?;
    match &features {
        Ok(features) => writeln!(out, "{}", app::idp::describe_features(features))?,
        Err(problem) => writeln!(out, "{problem}")?,
    }
    for (state, n) in &counts {
        writeln!(out, "  {:<12} {n}", state.code())?;
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct SyncJson<'a> {
    dry_run: bool,
    provider_accounts: usize,
    unchanged: usize,
    differences: Vec<DifferenceJson<'a>>,
}

#[derive(Serialize)]
struct DifferenceJson<'a> {
    user_id: &'a str,
    user_name: &'a str,
    action: &'static str,
    difference: &'a str,
    result: Option<&'a str>,
    error: Option<&'a str>,
}

/// `idp sync [--dry-run] [--json]`: exit 0 when every difference was
/// repaired (or, in a dry run, listed), 1 when the provider refused some.
pub fn sync(session: &mut Session, dry_run: bool, json: bool) -> anyhow::Result<ExitCode> {
    const PARALLEL: usize = 8;
    let report: SyncReport = match app::idp::sync(session, dry_run, PARALLEL) {
        Ok(report) => report,
        Err(app::idp::SyncError::Setup(error)) => return Err(Refused(error.to_string()).into()),
        Err(error) => return Err(error.into()),
    };
    let failed = report
        .lines
        .iter()
        .filter(|l| matches!(l.result, Some(Err(_))))
        .count();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        let value = SyncJson {
            dry_run,
            provider_accounts: report.provider_accounts,
            unchanged: report.unchanged,
            differences: report
                .lines
                .iter()
                .map(|l| DifferenceJson {
                    user_id: &l.user_id,
                    user_name: &l.user_name,
                    action: l.action.code(),
                    difference: &l.difference,
                    result: l.result.as_ref().and_then(|r| r.as_deref().ok()),
                    error: l
                        .result
                        .as_ref()
                        .and_then(|r| r.as_ref().err())
                        .map(String::as_str),
                })
                .collect(),
        };
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
    } else {
        for line in &report.lines {
            let result = match &line.result {
                None => t!("cli-idp-would"),
                Some(Ok(done)) => done.clone(),
                Some(Err(error)) => t!("cli-idp-refused", error = error.as_str()),
            };
            writeln!(
                out,
                "{:<12}  {:<36}  {:<10}  {:<24}  {}",
                super::printable(&line.user_id),
                super::printable(&line.user_name),
                line.action.code(),
                line.difference,
                super::printable(&result)
            )?;
        }
        writeln!(
            out,
            "{}",
            t!(
                "cli-idp-sync-summary",
                provider = report.provider_accounts,
                differences = report.lines.len(),
                unchanged = report.unchanged,
                failed = failed
            )
        )?;
    }
    out.flush()?;
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
