//! Shell completion: `scaffold completions <SHELL>` prints a script that registers `scaffold`
//! itself as the completer (clap_complete's environment-activated engine), so a Tab asks the
//! binary, which knows what a static script cannot: the resource names of the project around
//! the working directory (`scaffold remove resource <Tab>`), as well as the kinds.
//!
//! The shell runs `COMPLETE=<shell> scaffold -- <words>`; [`complete_if_asked`] answers that
//! before anything else runs.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::env::Shells;
use clap_complete::{CompleteEnv, CompletionCandidate};

use crate::cli::{Cli, CompletionsArgs};
use crate::error::{Error, Result};
use crate::printer::Printer;
use crate::status::ExitStatus;

/// The variable the registered script sets when it asks for candidates (clap's default, as
/// cargo's and jj's).
const COMPLETE_VAR: &str = "COMPLETE";

/// The program the script calls back, looked up on `PATH` at each Tab: the `scaffold` the user
/// runs, wherever it was installed (uv, cargo), even after an upgrade moved it.
const COMPLETER: &str = "scaffold";

/// When this process was started by a completion script, prints the candidates and exits.
/// Call it first, before anything writes to stdout. A `COMPLETE` that names no shell (someone
/// else's variable, `COMPLETE=1`) is left alone: scaffold runs as usual.
pub fn complete_if_asked() {
    let asked = std::env::var_os(COMPLETE_VAR).is_some_and(|value| {
        let shell = std::path::Path::new(&value).file_stem().unwrap_or_default();
        Shells::builtins()
            .completer(&shell.to_string_lossy())
            .is_some()
    });
    if !asked {
        return;
    }
    CompleteEnv::with_factory(Cli::command)
        .var(COMPLETE_VAR)
        .complete();
}

/// Writes the registration script for the chosen shell.
pub fn run(args: &CompletionsArgs, printer: &Printer) -> Result<ExitStatus> {
    let name = args.shell.to_string();
    let shells = Shells::builtins();
    let shell = shells
        .completer(&name)
        .ok_or(Error::UnsupportedShell { shell: name })?;
    let mut script = Vec::new();
    shell
        .write_registration(COMPLETE_VAR, "scaffold", "scaffold", COMPLETER, &mut script)
        .map_err(|e| Error::io("<stdout>", e))?;
    let mut out = printer.stdout();
    out.write_all(&script)
        .map_err(|e| Error::io("<stdout>", e))?;
    Ok(ExitStatus::Success)
}

/// The resource names of the project around the working directory, each with its kind, for
/// `scaffold remove resource <Tab>`. Outside a project, or with a manifest that does not parse,
/// there is nothing to offer: a completion never prints an error into the command line.
pub fn resource_names() -> Vec<CompletionCandidate> {
    let Ok(cwd) = std::env::current_dir() else {
        return Vec::new();
    };
    let Ok(manifest) = crate::fs::find_root(&cwd).and_then(|root| crate::fs::read_manifest(&root))
    else {
        return Vec::new();
    };
    manifest
        .project
        .resources
        .iter()
        .map(|r| CompletionCandidate::new(&r.name).help(Some(r.kind.id().into())))
        .collect()
}
