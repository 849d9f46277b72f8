//! The command line: the same use cases as the window, for scripts and
//! servers. Output is plain text for people or JSON (`--json`) for scripts;
//! errors go to stderr in one sentence; exit 0 success, 2 refused input,
//! 1 anything else.

mod bulk;
mod db;
mod idp;
mod mail;
mod roles;
mod sheet;
mod start;
mod users;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::app::Location;
use crate::app::{self, Session};
use crate::domain::roles::Permission;
use crate::domain::{ConnectionStatus, UserFilter};

pub use start::start;

/// Command-line arguments of `hrm-users`.
#[derive(Debug, Parser)]
#[command(
    name = "hrm-users",
    version,
    about = "The register of HRM users and their connection to Visma Connect.",
    long_about = "The register of HRM users and their connection to Visma Connect.\n\
                  With no command, opens the window."
)]
pub struct Cli {
    /// The register: a file path (SQLite), or a `postgres://` URL for a
    /// shared register (default: register.db in the OS data directory).
    #[arg(long, global = true, value_name = "PATH|URL", env = "HRM_USERS_DB")]
    pub db: Option<String>,

    /// What to do; nothing opens the window.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Work with the users of the register.
    Users {
        /// What to do with them.
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Send a verification email to one user, or to everyone in a selection
    /// who still waits (users in a verified domain connect at once).
    Verify {
        /// One user, by User-ID.
        #[arg(
            long = "user",
            value_name = "USER-ID",
            required_unless_present = "all_pending",
            conflicts_with = "all_pending"
        )]
        user_id: Option<String>,
        /// Everyone in the selection with a saved address pending verification.
        #[arg(long)]
        all_pending: bool,
        /// Print the counts only; send nothing.
        #[arg(long, requires = "all_pending")]
        dry_run: bool,
        /// Also send to users sent a verification within the resend interval.
        #[arg(long, requires = "all_pending")]
        send_again_to_recent: bool,
        /// Words that must all occur in the User-ID, names, signature, addresses or external reference.
        #[arg(long, value_name = "TEXT", requires = "all_pending")]
        search: Option<String>,
        /// Only this department.
        #[arg(long, value_name = "D", requires = "all_pending")]
        department: Option<String>,
        /// Only this office.
        #[arg(long, value_name = "O", requires = "all_pending")]
        office: Option<String>,
        /// Only activated (true) or deactivated (false) users.
        #[arg(long, value_name = "true|false", requires = "all_pending")]
        activated: Option<bool>,
    },
    /// Serve verification links and deliver queued email until Ctrl+C.
    Serve {
        /// Address and port to listen on (default: the `bind_address` setting).
        #[arg(long, value_name = "ADDR")]
        bind: Option<String>,
    },
    /// Read and change settings.
    Config {
        /// What to do.
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// List the newest messages of the outbox and their delivery state.
    Outbox {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// How many messages, newest first.
        #[arg(long, default_value_t = 50, value_name = "N")]
        limit: usize,
    },
    /// Import the Employees/users spreadsheet (xlsx, xlsm, xls, ods or csv).
    Import {
        /// The file.
        file: PathBuf,
        /// Show what would change; import nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also write the row report (the file's columns plus Status and Message) as xlsx.
        #[arg(long, value_name = "REPORT.xlsx")]
        report: Option<PathBuf>,
    },
    /// Export users in the Employees/users template (xlsx or csv by extension).
    Export {
        /// The file to write.
        file: PathBuf,
        /// The selection.
        #[command(flatten)]
        selection: SelectionArgs,
    },
    /// Write an empty Employees/users template.
    Template {
        /// The file to write (.xlsx).
        file: PathBuf,
    },
    /// Look after the register itself: its status, and copying it between
    /// an SQLite file and a shared register on PostgreSQL.
    Db {
        /// What to do.
        #[command(subcommand)]
        command: DbCommand,
    },
    /// The register's account dimensions and codes (for Audit of account code).
    AccountCodes {
        /// What to do.
        #[command(subcommand)]
        command: AccountCodesCommand,
    },
    /// The roles of *Users/Authorities › Roles* and who holds them.
    Roles {
        /// What to do.
        #[command(subcommand)]
        command: RolesCommand,
    },
    /// The identity provider (SCIM 2.0): what it supports, and a
    /// comparison that repairs its accounts.
    Idp {
        /// What to do.
        #[command(subcommand)]
        command: IdpCommand,
    },
    /// Make a demo register of made-up users (the same ones for the same size).
    Demo {
        /// How many users.
        #[arg(long, default_value_t = app::demo::FIRST_RUN_USERS, value_name = "N")]
        users: usize,
    },
}

/// `users` subcommands.
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Print the register, or the users the search and filters select.
    List {
        /// Print JSON (an array of objects) instead of a table.
        #[arg(long)]
        json: bool,
        /// The selection.
        #[command(flatten)]
        selection: SelectionArgs,
    },
    /// Print a user's roles (the Authorisations tab); with `--add` or
    /// `--remove`, change them first.
    Roles {
        /// The user, by User-ID.
        user_id: String,
        /// Give the user this role (by id); with `--from`/`--to` its dates.
        #[arg(long, value_name = "ROLE")]
        add: Option<String>,
        /// First day the added role applies (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", requires = "add")]
        from: Option<String>,
        /// Last day the added role applies (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", requires = "add")]
        to: Option<String>,
        /// Take this role (by id) from the user.
        #[arg(long, value_name = "ROLE")]
        remove: Option<String>,
        /// Print JSON (an array of objects) instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// *Delete connection*: the user is no longer connected to Visma
    /// Connect (their account at the identity provider is closed).
    Disconnect {
        /// The user, by User-ID.
        user_id: String,
    },
    /// *Reset password*: emails the connected user a password reset.
    ResetPassword {
        /// The user, by User-ID.
        user_id: String,
    },
}

/// `idp` subcommands.
#[derive(Debug, Subcommand)]
pub enum IdpCommand {
    /// Print the server, what it supports, and how many users are in each
    /// state (none, waiting, active, deactivated, failed).
    Status {
        /// Print a JSON object instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Compare the connected users with the provider's accounts: make the
    /// missing, correct what differs, close accounts whose connection is
    /// gone, and print each difference and what was done.
    Sync {
        /// Print the differences only; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print a JSON object instead of lines.
        #[arg(long)]
        json: bool,
    },
}

/// `account-codes` subcommands.
#[derive(Debug, Subcommand)]
pub enum AccountCodesCommand {
    /// Add the codes of a spreadsheet (columns Dimension, Code, Name; xlsx,
    /// ods, xls or csv); a code already there takes the file's name.
    Import {
        /// The file.
        file: PathBuf,
    },
    /// Print every code by dimension.
    List {
        /// Print JSON (an array of objects) instead of lines.
        #[arg(long)]
        json: bool,
    },
}

/// `roles` subcommands.
#[derive(Debug, Subcommand)]
pub enum RolesCommand {
    /// Print every role with its permissions and how many hold it.
    List {
        /// Print JSON (an array of objects) instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Print one role (by id, such as `hr_administrator`): what it permits
    /// and its members with their validity dates.
    Show {
        /// The role's id.
        role: String,
        /// Print a JSON object instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// The way back when no one can change roles any more: gives System
    /// administrator to the user whose login field is LOGIN. Only for the
    /// register's owner (the OS account owning the file, or the database
    /// role owning the shared register's tables); audited.
    Recover {
        /// The login name, as the setting `operator_field` reads it.
        login: String,
    },
}

/// `db` subcommands.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// On a shared register, as its owner: grant the group roles
    /// `hrm_admins` and `hrm_serve` what they may touch (after making them;
    /// the register's policies narrow it to each login's roles).
    Grant,
    /// Print the backend, schema version and counts of the register (`--db`).
    Status {
        /// Print a JSON object instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Copy a whole register (users, connections, links, outbox, audit log,
    /// settings) into a new file or an empty database, in one transaction,
    /// then compare every table's rows and checksum on both sides.
    Copy {
        /// The register to copy: a file path or a postgres:// URL.
        from: String,
        /// The new register: a file that does not exist yet, or an empty database.
        to: String,
        /// Print a JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// `config` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print one setting.
    Get {
        /// The setting's key (see `config list`).
        key: String,
    },
    /// Change one setting.
    Set {
        /// The setting's key.
        key: String,
        /// The new value.
        value: String,
    },
    /// Print every setting.
    List {
        /// Print a JSON object instead of lines.
        #[arg(long)]
        json: bool,
    },
}

/// The search and filters of the Users view, as options.
#[derive(Debug, Args, Default, Clone)]
pub struct SelectionArgs {
    /// Words that must all occur in the User-ID, names, signature, addresses or external reference.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Only this department.
    #[arg(long, value_name = "D")]
    pub department: Option<String>,
    /// Only this office.
    #[arg(long, value_name = "O")]
    pub office: Option<String>,
    /// Only users in this Visma Connect state.
    #[arg(long, value_parser = ["none", "pending", "connected"])]
    pub status: Option<String>,
    /// Only activated (true) or deactivated (false) users.
    #[arg(long, value_name = "true|false")]
    pub activated: Option<bool>,
}

impl SelectionArgs {
    /// The filter these options describe.
    pub fn filter(&self) -> UserFilter {
        UserFilter {
            search: self.search.clone().unwrap_or_default(),
            department: self.department.clone(),
            office: self.office.clone(),
            status: self.status.as_deref().and_then(ConnectionStatus::from_code),
            activated: self.activated,
        }
    }
}

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
