//! `users list`: the register as a table or JSON.

use std::io::Write as _;
use std::process::ExitCode;

use serde::Serialize;

use crate::app::Session;
use crate::domain::UserKey;
use crate::domain::idp::{IdpAccount, IdpState};
use crate::domain::{Email, Listing, UserFilter, UserRecord};

/// One user as `users list --json` prints it. Field names are a stable interface.
#[derive(Serialize)]
struct UserJson<'a> {
    user_id: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    department: &'a str,
    office: &'a str,
    email: Option<&'a str>,
    activated: bool,
    connection_status: &'static str,
    connection_email: Option<&'a str>,
    employment_ends: Option<String>,
    idp_state: &'static str,
    idp_id: Option<&'a str>,
}

impl<'a> UserJson<'a> {
    fn new(record: &'a UserRecord, account: Option<&'a IdpAccount>) -> Self {
        let user = &record.user;
        Self {
            user_id: user.user_id.as_str(),
            first_name: &user.first_name,
            last_name: &user.last_name,
            department: &user.department,
            office: &user.office,
            email: user.email.as_ref().map(Email::as_str),
            activated: user.activated,
            connection_status: record.connection.status().code(),
            connection_email: record.connection.email().map(Email::as_str),
            employment_ends: user
                .employment_ends
                .map(|d| crate::domain::date_text(Some(d))),
            idp_state: account.map_or(IdpState::None, |a| a.state).code(),
            idp_id: account.and_then(|a| a.idp_id.as_deref()),
        }
    }
}

/// Prints a line on stdout.
pub fn say(line: &str) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the users the filter selects, sorted by User-ID.
pub fn list(session: &Session, filter: &UserFilter, json: bool) -> anyhow::Result<ExitCode> {
    let mut listing = Listing::new(session.load_users()?);
    listing.set_filter(filter.clone());
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        let accounts: std::collections::HashMap<UserKey, IdpAccount> =
            crate::app::idp::accounts(session)?
                .into_iter()
                .map(|a| (a.user_key, a))
                .collect();
        let users: Vec<UserJson<'_>> = listing
            .visible_records()
            .map(|r| UserJson::new(r, accounts.get(&r.key)))
            .collect();
        serde_json::to_writer_pretty(&mut out, &users)?;
        writeln!(out)?;
    } else {
        let header = [
            "USER-ID",
            "FIRST NAME",
            "LAST NAME",
            "DEPARTMENT",
            "OFFICE",
            "EMAIL",
            "ACTIVATED",
            "VISMA CONNECT",
            "VISMA CONNECT EMAIL",
        ];
        let rows: Vec<[String; 9]> = listing
            .visible_records()
            .map(|r| {
                let u = &r.user;
                let cells: [String; 9] = [
                    u.user_id.to_string(),
                    u.first_name.clone(),
                    u.last_name.clone(),
                    u.department.clone(),
                    u.office.clone(),
                    u.email
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    if u.activated { "yes" } else { "no" }.to_owned(),
                    r.connection.status().code().to_owned(),
                    r.connection
                        .email()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                ];
                cells.map(|cell| super::printable(&cell).into_owned())
            })
            .collect();
        let mut widths = header.map(|h| h.chars().count());
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut line = |cells: &[&str]| -> std::io::Result<()> {
            let text: Vec<String> = cells
                .iter()
                .zip(widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            writeln!(out, "{}", text.join("  ").trim_end())
        };
        line(&header)?;
        for row in &rows {
            line(&row.each_ref().map(String::as_str))?;
        }
        writeln!(
            out,
            "{} of {} users",
            listing.visible_len(),
            listing.total()
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
