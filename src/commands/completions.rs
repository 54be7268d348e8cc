//! `scaffold completions <SHELL>`: a static completion script on stdout (clap_complete).

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::Result;
use crate::printer::Printer;
use crate::status::ExitStatus;

/// Writes the completion script for the chosen shell.
pub fn run(args: &CompletionsArgs, printer: &Printer) -> Result<ExitStatus> {
    let mut command = Cli::command();
    let mut out = printer.stdout();
    clap_complete::generate(args.shell, &mut command, "scaffold", &mut out);
    Ok(ExitStatus::Success)
}
