//! `scaffold list kinds`: what can be added, one line each, on stdout.

use crate::cli::ListCommand;
use crate::error::Result;
use crate::kinds;
use crate::printer::Printer;
use crate::status::ExitStatus;

/// Prints the requested list.
pub fn run(list: &ListCommand, printer: &Printer) -> Result<ExitStatus> {
    match list {
        ListCommand::Kinds => {
            let mut out = String::new();
            let all = kinds::all();
            let width = all.iter().map(|k| k.id().len()).max().unwrap_or(0) + 1;
            for kind in all {
                let limit = match kind.max_instances() {
                    Some(1) => ", at most one".to_owned(),
                    Some(n) => format!(", at most {n}"),
                    None => String::new(),
                };
                out.push_str(&format!(
                    "{:<width$} {} (default name `{}`{limit})\n",
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
