//! A shared register's password where libpq would look (`PGPASSWORD`, the
//! password file) and in the OS keyring, never in a file of ours.

use std::path::PathBuf;

use postgres::Config;

use crate::store::SharedRegister;
use crate::store::StoreError;

use super::parse;

/// The password libpq would use when the URL has none: `PGPASSWORD`, then
/// the first matching line of the password file (`PGPASSFILE`, or
/// `~/.pgpass`; `%APPDATA%\postgresql\pgpass.conf` on Windows).
pub(super) fn find_password(config: &Config) -> Option<String> {
    if let Ok(password) = std::env::var("PGPASSWORD") {
        return Some(password);
    }
    let file = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| {
            if cfg!(windows) {
                std::env::var_os("APPDATA").map(|d| PathBuf::from(d).join("postgresql/pgpass.conf"))
            } else {
                directories::BaseDirs::new().map(|d| d.home_dir().join(".pgpass"))
            }
        })?;
    let text = std::fs::read_to_string(file).ok()?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(host)) => host.clone(),
        _ => "localhost".to_owned(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let database = config.get_dbname().unwrap_or_default();
    let user = config.get_user().unwrap_or_default();
    pgpass_lookup(&text, &host, &port, database, user)
}

/// The password of the first line of a `.pgpass` text that matches.
pub(super) fn pgpass_lookup(
    text: &str,
    host: &str,
    port: &str,
    database: &str,
    user: &str,
) -> Option<String> {
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .find_map(|line| {
            let fields = split_pgpass(line);
            let [h, p, d, u, password] = fields.as_slice() else {
                return None;
            };
            let fits = |field: &str, value: &str| field == "*" || field == value;
            (fits(h, host) && fits(p, port) && fits(d, database) && fits(u, user))
                .then(|| password.clone())
        })
}

/// A `.pgpass` line's five fields (`:` and `\` escaped with `\`).
pub(super) fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next()
                    && let Some(field) = fields.last_mut()
                {
                    field.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(field) = fields.last_mut() {
                    field.push(c);
                }
            }
        }
    }
    fields
}

/// The keyring entry of a shared register's password: one per user, host,
/// port and database.
pub(super) fn keyring_entry(config: &Config) -> Result<keyring::Entry, keyring::Error> {
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(host)) => host.clone(),
        _ => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    keyring::Entry::new(
        "hrm-users",
        &format!(
            "postgres:{}@{host}:{port}/{}",
            config.get_user().unwrap_or_default(),
            config.get_dbname().unwrap_or_default()
        ),
    )
}

/// Keeps the password of `shared`'s user in the OS keyring, where later
/// connections find it (never in a file the program writes).
pub fn remember_password(shared: &SharedRegister, password: &str) -> Result<(), StoreError> {
    let (config, _, _) = parse(shared.url())?;
    keyring_entry(&config)
        .and_then(|entry| entry.set_password(password))
        .map_err(|e| {
            StoreError::BadLocation(format!(
                "the password could not be kept in the system keyring ({e}); use PGPASSWORD or a .pgpass file"
            ))
        })
}
