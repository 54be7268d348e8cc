//! `scaffold` generates an asyncio Python service from a few resource kinds (a PostgreSQL pool,
//! a Redis cache, a supervised task set, a FastAPI lifespan) and records what it wrote, so the
//! project can later be brought in line with newer templates without losing hand edits.
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
//! let specs = [ResourceSpec::parse("db-pool").unwrap(), ResourceSpec::parse("lifespan").unwrap()];
//! let project = Project::new("orders", PythonVersion::V3_12, &specs).unwrap();
//! let plan = scaffold::render::render(&project).unwrap();
//! let lock = scaffold::lock::Lock::from_plan(&plan);
//! assert_eq!(lock.files.len(), plan.len());
//! assert!(scaffold::manifest::render(&project).contains("name = \"database\""));
//! ```

pub mod apply;
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
pub mod relpath;
pub mod render;
pub mod report;
pub mod status;
pub mod subprocess;
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
    match commands::dispatch(cli.command, &printer) {
        Ok(status) => status,
        Err(err) => {
            printer.error(&err);
            err.status()
        }
    }
}
