//! The command line: the same use cases as the window, for scripts and
//! servers. Output is plain text for people or JSON (`--json`) for scripts;
//! errors go to stderr in one sentence; exit 0 success, 2 refused input,
//! 1 anything else.
//!
//! Here: the dispatch (who may run which command, on which session, with
//! which exit code). The arguments are `args`, each group of subcommands a
//! module of its own, the program's start `start`.

mod args;
mod bulk;
mod db;
mod idp;
mod mail;
mod roles;
mod sheet;
mod start;
mod users;

use std::process::ExitCode;

use crate::app::Location;
use crate::app::{self, Session};
use crate::domain::UserFilter;
use crate::domain::roles::Permission;

pub use start::start;

pub use args::{
    AccountCodesCommand, Cli, Command, ConfigCommand, DbCommand, IdpCommand, RolesCommand,
    SelectionArgs, UsersCommand,
};

/// Text from the register or a file as a terminal should show it: control
/// characters (an escape sequence in a cell, a line break in a name) are
/// written as `\u{1b}` instead of being obeyed by the terminal.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(char::is_control) {
        std::borrow::Cow::Owned(
            text.chars()
                .map(|c| {
                    if c.is_control() {
                        c.escape_unicode().to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect(),
        )
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// True when the error is a closed output (`hrm-users users list | head`):
/// the reader has what it wanted, so the program ends quietly.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Input the program refuses: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// The register to use: `--db` (or `HRM_USERS_DB`), else the one this
/// machine's presets name, else the default file.
pub fn database_location(cli: &Cli) -> Location {
    chosen_register(cli).unwrap_or_else(|| Location::File(app::paths::default_database()))
}

/// `--db` (or `HRM_USERS_DB`), else the register of this machine's presets.
pub fn chosen_register(cli: &Cli) -> Option<Location> {
    cli.db
        .as_deref()
        .or_else(|| crate::domain::presets::machine().and_then(|p| p.register.as_deref()))
        .map(Location::parse)
}

/// What the operator's roles must permit for a subcommand (checked once a
/// System administrator exists; `serve` runs as a service, not a person).
fn required_permission(command: &Command) -> Option<Permission> {
    match command {
        Command::Users {
            command: UsersCommand::Roles { add, remove, .. },
        } if add.is_some() || remove.is_some() => Some(Permission::Roles),
        // Checked by the use case: only the register's owner may.
        Command::Roles {
            command: RolesCommand::Recover { .. },
        } => None,
        // Disconnect and reset-password are also checked for the user
        // (their department and office) by the command.
        Command::Users {
            command: UsersCommand::Disconnect { .. } | UsersCommand::ResetPassword { .. },
        }
        | Command::Verify {
            user_id: Some(_), ..
        } => Some(Permission::UsersEdit),
        Command::Users { .. }
        | Command::Outbox { .. }
        | Command::Roles { .. }
        | Command::AccountCodes {
            command: AccountCodesCommand::List { .. },
        }
        | Command::Idp {
            command: IdpCommand::Status { .. } | IdpCommand::Sync { dry_run: true, .. },
        } => Some(Permission::UsersRead),
        Command::Verify { .. } => Some(Permission::VerifyAccounts),
        Command::Import { .. }
        | Command::Export { .. }
        | Command::AccountCodes {
            command: AccountCodesCommand::Import { .. },
        } => Some(Permission::ImportExport),
        Command::Config {
            command: ConfigCommand::Set { .. },
        }
        | Command::Idp {
            command: IdpCommand::Sync { dry_run: false, .. },
        }
        | Command::Demo { .. } => Some(Permission::Settings),
        Command::Config { .. }
        | Command::Serve { .. }
        | Command::Template { .. }
        | Command::Db { .. } => None,
    }
}

/// Refuses (exit 2, with the sentence) what the operator's roles do not
/// permit for `target` (their department and office limits); audited.
pub(crate) fn check_permission_for(
    session: &mut Session,
    permission: Permission,
    target: &crate::domain::UserRecord,
) -> anyhow::Result<()> {
    match app::operator::require_for(session, permission, target) {
        Ok(()) => Ok(()),
        Err(app::operator::RequireError::Refused(refused)) => Err(Refused(refused.sentence).into()),
        Err(app::operator::RequireError::Store(error)) => Err(error.into()),
    }
}

/// Refuses (exit 2, with the sentence) a command the operator's roles do
/// not permit; the refusal is in the audit log.
fn check_permission(session: &mut Session, command: &Command) -> anyhow::Result<()> {
    let Some(permission) = required_permission(command) else {
        return Ok(());
    };
    match app::operator::require(session, permission) {
        Ok(()) => Ok(()),
        Err(app::operator::RequireError::Refused(refused)) => Err(Refused(refused.sentence).into()),
        Err(app::operator::RequireError::Store(error)) => Err(error.into()),
    }
}

/// Runs a subcommand (not the window).
pub fn run(
    cli: &Cli,
    command: &Command,
    start_endpoint: crate::app::services::StartEndpoint,
) -> anyhow::Result<ExitCode> {
    // Writing a template needs no register (and must not create one).
    if let Command::Template { file } = command {
        return sheet::template(file);
    }
    if let Command::Db { command } = command {
        return match command {
            DbCommand::Status { json } => db::status(&database_location(cli), *json),
            DbCommand::Grant => db::grant(&database_location(cli)),
            DbCommand::Copy { from, to, json } => db::copy(from, to, *json),
        };
    }
    let path = database_location(cli);
    let mut session = open_session(&path, command, cli.db.is_some())?;
    check_permission(&mut session, command)?;
    match command {
        Command::Users {
            command: UsersCommand::List { json, selection },
        } => users::list(&session, &selection.filter(), *json),
        Command::Users {
            command:
                UsersCommand::Roles {
                    user_id,
                    add,
                    from,
                    to,
                    remove,
                    json,
                },
        } => roles::user_roles(
            &mut session,
            user_id,
            &roles::Change {
                add: add.as_deref(),
                from: from.as_deref(),
                to: to.as_deref(),
                remove: remove.as_deref(),
            },
            *json,
        ),
        Command::Users {
            command: UsersCommand::Disconnect { .. } | UsersCommand::ResetPassword { .. },
        }
        | Command::Idp { .. } => run_connection_command(&mut session, command),
        Command::Roles { command } => run_roles_command(&mut session, command),
        Command::AccountCodes {
            command: AccountCodesCommand::Import { file },
        } => roles::import_codes(&mut session, file),
        Command::AccountCodes {
            command: AccountCodesCommand::List { json },
        } => roles::list_codes(&session, *json),
        Command::Verify {
            user_id: Some(user_id),
            ..
        } => mail::verify_user(&mut session, user_id),
        Command::Verify {
            dry_run,
            send_again_to_recent,
            search,
            department,
            office,
            activated,
            ..
        } => {
            let filter = UserFilter {
                search: search.clone().unwrap_or_default(),
                department: department.clone(),
                office: office.clone(),
                status: None,
                activated: *activated,
            };
            bulk::verify_all_pending(&session, &filter, *dry_run, *send_again_to_recent)
        }
        Command::Serve { bind } => mail::serve(&session, bind.as_deref(), start_endpoint),
        Command::Config { command } => match command {
            ConfigCommand::Get { key } => mail::config_get(&session, key),
            ConfigCommand::Set { key, value } => mail::config_set(&mut session, key, value),
            ConfigCommand::List { json } => mail::config_list(&session, *json),
        },
        Command::Outbox { json, limit } => mail::outbox(&session, *json, *limit),
        Command::Import {
            file,
            dry_run,
            report,
        } => sheet::import(&mut session, file, *dry_run, report.as_deref()),
        Command::Export { file, selection } => sheet::export(&session, file, &selection.filter()),
        Command::Template { .. } | Command::Db { .. } => Ok(ExitCode::SUCCESS),
        Command::Demo { users } => {
            if session.count_users()? > 0 {
                return Err(Refused(t!("cli-demo-not-empty", path = path.to_string())).into());
            }
            let made = app::demo::create_demo_register(&mut session, *users)?;
            users::say(&t!(
                "cli-demo-made",
                count = made.len(),
                path = path.to_string()
            ))
        }
    }
}

/// Opens the register at `path` for `command`. A command that only reads
/// never makes a register where a typed path (`--db`, `HRM_USERS_DB`) finds
/// none: a mistyped path would otherwise become an empty register, exit 0.
/// (The register IT's presets name is made on first use.)
fn open_session(path: &Location, command: &Command, typed: bool) -> anyhow::Result<Session> {
    if typed
        && reads_only(command)
        && let Location::File(file) = path
        && !file.exists()
    {
        return Err(Refused(t!("cli-no-register", path = file.display().to_string())).into());
    }
    Ok(Session::open(path).map_err(|e| Refused(e.to_string()))?)
}

/// True for a command that only reads the register.
fn reads_only(command: &Command) -> bool {
    matches!(
        command,
        Command::Users {
            command: UsersCommand::List { .. }
        } | Command::Outbox { .. }
            | Command::Export { .. }
            | Command::Roles {
                command: RolesCommand::List { .. } | RolesCommand::Show { .. }
            }
            | Command::AccountCodes {
                command: AccountCodesCommand::List { .. }
            }
            | Command::Idp {
                command: IdpCommand::Status { .. }
            }
            | Command::Config {
                command: ConfigCommand::Get { .. } | ConfigCommand::List { .. }
            }
    )
}

/// `roles list`, `roles show` and `roles recover`.
fn run_roles_command(session: &mut Session, command: &RolesCommand) -> anyhow::Result<ExitCode> {
    match command {
        RolesCommand::List { json } => roles::list(session, *json),
        RolesCommand::Show { role, json } => roles::show(session, role, *json),
        RolesCommand::Recover { login } => roles::recover(session, login),
    }
}

/// `users disconnect`, `users reset-password` and `idp …`.
fn run_connection_command(session: &mut Session, command: &Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Users {
            command: UsersCommand::Disconnect { user_id },
        } => idp::disconnect(session, user_id),
        Command::Users {
            command: UsersCommand::ResetPassword { user_id },
        } => idp::reset_password(session, user_id),
        Command::Idp {
            command: IdpCommand::Status { json },
        } => idp::status(session, *json),
        Command::Idp {
            command: IdpCommand::Sync { dry_run, json },
        } => idp::sync(session, *dry_run, *json),
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// The exit code for an error: 2 for refused input (a damaged register
/// file counts, whether SQLite notices when opening it or on a later read),
/// 1 for anything else.
pub fn exit_code_for(error: &anyhow::Error) -> ExitCode {
    let refused = error
        .chain()
        .any(|cause| cause.downcast_ref::<Refused>().is_some() || app::says_damaged(cause));
    if refused {
        ExitCode::from(2)
    } else {
        ExitCode::FAILURE
    }
}
