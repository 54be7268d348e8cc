//! The process exit status: one enum, mapped to a code in one place.
//!
//! 0 = success; 1 = a check found drift or conflicts were left (later commands);
//! 2 = bad usage, bad input, or an I/O or template error; 130 = interrupted (Ctrl-C).

use std::process::ExitCode;

/// How a command ended, as the shell sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// The command did what was asked.
    Success,
    /// The command ran, and found something the caller must act on (drift, conflicts).
    Failure,
    /// Bad usage, bad input, or an error that stopped the command.
    Error,
    /// Interrupted by the user (Ctrl-C at a prompt), as a shell reports SIGINT: 128 + 2.
    Interrupted,
}

impl ExitStatus {
    /// The numeric exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
            ExitStatus::Interrupted => 130,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status.code())
    }
}
