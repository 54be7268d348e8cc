//! The `scaffold` binary: parse the arguments, run, turn the outcome into an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    scaffold::run(std::env::args_os()).into()
}
