//! `hrm-users-cli`: the same program built as a console program. On Windows
//! `hrm-users.exe` is a GUI program, which cmd and PowerShell do not wait
//! for; scripts call `hrm-users-cli.exe` instead, so they wait for it, read
//! its output and get its exit code (%ERRORLEVEL%, $LASTEXITCODE). Elsewhere
//! the two are the same.

use std::process::ExitCode;

fn main() -> ExitCode {
    hrm_users::cli::start(hrm_users::web::start_listening)
}
