//! `scaffold list kinds`: what can be added, one line each, on stdout.

use crate::cli::ListCommand;
use crate::error::Result;
use crate::kinds::ResourceKind;
use crate::printer::Printer;
use crate::status::ExitStatus;

/// Prints the requested list.
pub fn run(list: &ListCommand, printer: &Printer) -> Result<ExitStatus> {
    match list {
        ListCommand::Kinds => {
            let mut out = String::new();
            for kind in ResourceKind::ALL {
                let limit = if kind.max_instances() == Some(1) {
                    ", at most one"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "{:<9} {} (default name `{}`{limit})\n",
                    kind.id(),
                    kind.description(),
                    kind.default_name()
                ));
            }
            printer.data(&out);
        }
    }
    Ok(ExitStatus::Success)
}
