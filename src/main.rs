//! Starts HRM Users: the window with no subcommand, the CLI otherwise.
//! Everything else lives in the library.

// On Windows the .exe is a GUI program: no console window opens with the
// window. Subcommands attach to the console they were started from.
#![cfg_attr(windows, windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser as _;
use hrm_users::cli::{self, Cli};

fn main() -> ExitCode {
    #[cfg(windows)]
    if std::env::args_os().len() > 1 {
        windows_console::attach_to_parent();
    }
    let cli = Cli::parse();
    let _log_guard = init_logging();
    let result = match &cli.command {
        Some(command) => cli::run(&cli, command),
        None => hrm_users::ui::run_window(cli.db.as_deref()).map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            tracing::error!("{error:#}");
            // The one place errors reach a person on the command line.
            #[allow(clippy::print_stderr)]
            {
                eprintln!("hrm-users: {error:#}");
            }
            cli::exit_code_for(&error)
        }
    }
}

/// Logs go to a daily file in the OS log folder; `RUST_LOG` sets the level.
fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = hrm_users::app::paths::log_dir();
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

#[cfg(windows)]
mod windows_console {
    //! A GUI-subsystem program has no console; its subcommands (and --help)
    //! print into the console of cmd or PowerShell that started them.

    use windows_sys::Win32::System::Console::{
        ATTACH_PARENT_PROCESS, AttachConsole, GetStdHandle, STD_OUTPUT_HANDLE,
    };

    /// Attaches to the parent's console unless output already goes somewhere
    /// (redirected to a file or a pipe, which must stay so).
    pub fn attach_to_parent() {
        // SAFETY: both calls take plain values and touch no memory of ours;
        // a failure (no parent console) leaves the program as it was.
        #[allow(unsafe_code)]
        unsafe {
            if GetStdHandle(STD_OUTPUT_HANDLE).is_null() {
                AttachConsole(ATTACH_PARENT_PROCESS);
            }
        }
    }
}
