//! `scaffold add resource <KIND> [--name NAME] [--no-input]`: append a `[[resource]]` table to
//! `scaffold.toml` (comments and formatting kept) and regenerate. Without `--name`, on a
//! terminal (and without `--no-input` or `CI`), the name is asked for, the default filled in.
//!
//! All-or-nothing as far as a file system allows: the edited manifest is validated and the whole
//! regen plan computed before any write; then the manifest is written first (the intent), the
//! files, and the lock last. If the run dies midway, `scaffold regen` finishes it.

use crate::cli::{AddResourceArgs, FormatArg};
use crate::commands::regen::{self, ManifestWrite};
use crate::error::{Error, Result};
use crate::kinds;
use crate::printer::Printer;
use crate::prompts;
use crate::report::Mode;
use crate::status::ExitStatus;

/// Adds the resource and regenerates.
pub fn run(args: &AddResourceArgs, printer: &Printer) -> Result<ExitStatus> {
    let kind = kinds::find(&args.kind).ok_or_else(|| Error::UnknownAddKind {
        kind: args.kind.clone(),
    })?;
    let (root, manifest) = regen::open_project()?;
    let name = match &args.name {
        Some(name) => name.clone(),
        // On a terminal, ask (unless the name is no attribute or module: not visible in the API).
        None if kind.name_shadows_modules() && prompts::can_prompt(args.no_input) => {
            let taken: Vec<String> = manifest
                .project
                .resources
                .iter()
                .map(|r| r.name.clone())
                .collect();
            prompts::ask_resource_name(kind, &taken, printer.color())?
        }
        None => kind.default_name().to_owned(),
    };
    let edited = manifest.add_resource(kind, &name).map_err(|e| match e {
        Error::InvalidResourceName { .. } | Error::DuplicateResource { .. } => Error::WithHint {
            hint: format!(
                "pick another lowercase Python identifier: `scaffold add resource {kind} --name {}`",
                kind.example_name()
            ),
            inner: Box::new(e),
        },
        Error::TooManyOfKind { ref first, .. } => Error::WithHint {
            hint: format!("to replace it, remove it first: `scaffold remove resource {first}`"),
            inner: Box::new(e),
        },
        e => e,
    })?;
    printer.status("Adding", &format!("{kind} `{name}` to `scaffold.toml`"));
    regen::execute(
        &root,
        &edited,
        ManifestWrite::Always,
        Mode::Write,
        FormatArg::Text,
        !args.no_lock,
        printer,
    )
}
