//! The `scaffold` binary: parse the arguments, run, turn the outcome into an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    // A Tab in a shell that sourced `scaffold completions <SHELL>`: answer it and exit.
    scaffold::commands::completions::complete_if_asked();
    scaffold::run(std::env::args_os()).into()
}
