//! The program's start, shared by `hrm-users` (a GUI-subsystem program on
//! Windows) and `hrm-users-cli` (a console program, for Windows scripts):
//! parse the arguments, start logging, open the window or run the command.

use std::process::ExitCode;

use clap::Parser as _;

use super::{Cli, exit_code_for, run};

/// Runs the program with the process's arguments; the window when no
/// subcommand is given. The window and `serve` answer links with
/// `start_endpoint` (the `web` face's, handed in by `main`).
pub fn start(start_endpoint: crate::app::services::StartEndpoint) -> ExitCode {
    let cli = Cli::parse();
    let _log_guard = init_logging();
    // IT's presets (defaults.toml) apply to the window and every command.
    if let Some(warning) = crate::app::presets::install_machine_presets() {
        tracing::warn!("{warning}");
        #[allow(clippy::print_stderr)]
        {
            eprintln!("hrm-users: warning: {warning}");
        }
    }
    let result = match &cli.command {
        Some(command) => {
            // The command line speaks the OS's language (LANG, LC_ALL or
            // LC_MESSAGES: Swedish for sv_*, English otherwise); tables and
            // JSON stay as they are for scripts.
            crate::i18n::set_window_language(crate::i18n::Language::of_system());
            run(&cli, command, start_endpoint)
        }
        None => crate::ui::run_window(super::chosen_register(&cli).as_ref(), start_endpoint)
            .map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(error) if super::is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            // The one place errors reach a person on the command line.
            #[allow(clippy::print_stderr)]
            {
                eprintln!("hrm-users: {error:#}");
            }
            exit_code_for(&error)
        }
    }
}

/// Logs go to a daily file in the OS log folder; `RUST_LOG` sets the level.
fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = crate::app::paths::log_dir();
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("hrm-users")
        .filename_suffix("log")
        .max_log_files(14)
        .build(&dir)
        .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,wgpu=warn,naga=warn"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
