//! `scaffold list kinds` / `list rules`: what can be added, what `audit` checks; one line each,
//! on stdout.

use crate::audit;
use crate::cli::{FormatArg, ListCommand};
use crate::error::Result;
use crate::kinds::{self, ResourceKind};
use crate::printer::Printer;
use crate::status::ExitStatus;

/// Prints the requested list.
pub fn run(list: &ListCommand, printer: &Printer) -> Result<ExitStatus> {
    match list {
        ListCommand::Rules(args) if args.format == FormatArg::Json => {
            let rules: Vec<serde_json::Value> = audit::RULES
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "code": r.code,
                        "name": r.name,
                        "catalogue": r.catalogue,
                        "summary": r.summary,
                    })
                })
                .collect();
            let text = serde_json::to_string_pretty(&rules).unwrap_or_default();
            printer.data(&format!("{text}\n"));
        }
        ListCommand::Rules(_) => {
            let mut out = String::new();
            let width = audit::RULES.iter().map(|r| r.name.len()).max().unwrap_or(0);
            for r in audit::RULES {
                let from = if r.catalogue.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", r.catalogue)
                };
                out.push_str(&format!(
                    "{} {:<width$}  {}{from}\n",
                    r.code, r.name, r.summary
                ));
            }
            printer.data(&out);
        }
        ListCommand::Kinds(args) if args.format == FormatArg::Json => {
            let kinds: Vec<serde_json::Value> =
                kinds::all().iter().map(|k| kind_json(*k)).collect();
            let text = serde_json::to_string_pretty(&kinds).unwrap_or_default();
            printer.data(&format!("{text}\n"));
        }
        ListCommand::Kinds(_) => {
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

/// One kind as the JSON document shows it (what a harness or an editor needs to know).
fn kind_json(kind: ResourceKind) -> serde_json::Value {
    let spec = kind.spec();
    let options: Vec<serde_json::Value> = kind
        .default_options()
        .into_iter()
        .map(|(name, default)| serde_json::json!({ "name": name, "default": default }))
        .collect();
    serde_json::json!({
        "id": spec.id,
        "summary": spec.summary,
        "default_name": spec.default_name,
        "example_name": spec.example_name,
        "max_instances": spec.max_instances,
        "role": spec.role,
        "env": spec.env,
        "options": options,
        "dependencies": spec.dependencies,
        "dev_dependencies": spec.dev_dependencies,
        "server": spec.server,
    })
}
