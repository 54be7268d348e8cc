//! One function per subcommand: a typed request and the printer in, an exit status out.

mod add;
mod audit;
pub mod completions;
mod list;
mod new;
mod regen;
mod remove;

use crate::cli::{self, Command};
use crate::error::Result;
use crate::printer::Printer;
use crate::status::ExitStatus;

/// Runs a parsed subcommand.
pub fn dispatch(command: Command, printer: &Printer) -> Result<ExitStatus> {
    match command {
        Command::New(args) => new::run(args, printer),
        Command::Add(cli::AddCommand::Resource(args)) => add::run(&args, printer),
        Command::Remove(cli::RemoveCommand::Resource(args)) => remove::run(&args, printer),
        Command::Regen(args) => regen::run(&args, printer),
        Command::List(list) => list::run(&list, printer),
        Command::Audit(args) => audit::run(&args, printer),
        Command::Completions(args) => completions::run(&args, printer),
    }
}
