//! `scaffold` generates an asyncio Python service from resource kinds (pools, clients, task sets,
//! an app: each one folder of data under `templates/kinds/`, see [`kinds`]) and records what it
//! wrote, so the project can later be brought in line with newer templates without losing hand
//! edits.
//!
//! Every command runs the same pipeline: flags or manifest → validated [`model::Project`] →
//! [`plan::Plan`] (rendered in memory by [`render`]) → written by [`apply`] (the only writer).
//! `regen`, `add` and `remove` start from `scaffold.toml` ([`manifest::Manifest`]) and compare the
//! plan with the lock and the disk ([`changes`], three-way [`merge`]) before [`apply`] writes.
//! The core (`model`, `render`, `plan`, `lock`, `manifest`, `changes`, `merge`, `report`) is
//! pure and deterministic.
//!
//! ```
//! use scaffold::model::{Project, PythonVersion, ResourceSpec};
//! let kind = scaffold::kinds::all()[0];
//! let specs = [ResourceSpec::parse(kind.id()).unwrap()];
//! let project = Project::new("orders", PythonVersion::V3_12, &specs).unwrap();
//! let plan = scaffold::render::render(&project).unwrap();
//! let lock = scaffold::lock::Lock::from_plan(&plan);
//! assert_eq!(lock.files.len(), plan.len());
//! let name = format!("name = \"{}\"", kind.default_name());
//! assert!(scaffold::manifest::render(&project).contains(&name));
//! ```

pub mod apply;
pub mod audit;
pub mod changes;
pub mod cli;
pub mod commands;
pub mod error;
pub mod file_table;
pub mod finish;
pub mod fs;
pub mod kinds;
pub mod lock;
pub mod manifest;
pub mod merge;
pub mod model;
pub mod names;
pub mod plan;
pub mod printer;
pub mod prompts;
pub mod python_imports;
pub mod relpath;
pub mod render;
pub mod report;
pub mod status;
pub mod subprocess;
pub mod suggest;
pub mod templates;
pub mod version;

use std::ffi::OsString;

use clap::Parser;

use crate::cli::{Cli, ColorArg};
use crate::printer::{ColorMode, Printer};
use crate::status::ExitStatus;

/// Parses `args` (program name first), runs the command, reports any error, returns the status.
pub fn run<I, T>(args: I) -> ExitStatus
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help and version to stdout, usage errors to stderr (exit 2).
            let _ = err.print();
            return if err.exit_code() == 0 {
                ExitStatus::Success
            } else {
                ExitStatus::Error
            };
        }
    };
    let color = match cli.color {
        ColorArg::Auto => ColorMode::Auto,
        ColorArg::Always => ColorMode::Always,
        ColorArg::Never => ColorMode::Never,
    };
    let printer = Printer::new(cli.quiet, cli.verbose, color);
    let json = cli.command.prints_json();
    // The kinds are data in the bundle: a broken one is reported before any command runs.
    let result = kinds::load()
        .and_then(|()| file_table::all_rules().map(drop))
        .and_then(|()| commands::dispatch(cli.command, &printer));
    match result {
        Ok(status) => status,
        // Ctrl-C: the shell shows `^C`; nothing to add but the exit status.
        Err(err @ error::Error::Interrupted) => err.status(),
        Err(err) => {
            if json {
                printer.data(&err.json_document());
            }
            printer.error(&err);
            err.status()
        }
    }
}
