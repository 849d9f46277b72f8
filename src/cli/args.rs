//! The command line's arguments: every subcommand and option as clap reads
//! them (the interface scripts depend on; keep it stable). What each does is
//! in the dispatch (`cli/mod.rs`) and the subcommands' modules.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::app;
use crate::domain::{ConnectionStatus, UserFilter};

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
