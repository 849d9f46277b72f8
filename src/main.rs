//! Starts HRM Users: the window with no subcommand, the CLI otherwise.
//! Everything else lives in the library.

// On Windows the .exe is a GUI program: no console window opens with the
// window. Subcommands attach to the console they were started from.
#![cfg_attr(windows, windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
    #[cfg(windows)]
    if std::env::args_os().len() > 1 {
        windows_console::attach_to_parent();
    }
    hrm_users::cli::start(hrm_users::web::start_listening)
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
