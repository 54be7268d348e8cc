//! The command line, as clap types. Doc comments here are the `--help` text.
//!
//! No logic lives here: `commands/` turns these into typed requests.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

use crate::version::LONG_VERSION;

/// Generate an asyncio Python service from resource kinds, and keep it in line.
#[derive(Debug, Parser)]
#[command(name = "scaffold", version = LONG_VERSION, propagate_version = true)]
#[command(after_long_help = "\
Examples:
  scaffold new orders --resource db-pool --resource cache --resource lifespan
  scaffold new jobs-worker --resource task-set --resource db-pool:analytics --python 3.13
  scaffold list kinds

Exit status: 0 ok, 1 drift or conflicts left, 2 bad usage or bad input.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Print less: `-q` hides status lines, `-qq` also hides data.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "verbose")]
    pub quiet: u8,

    /// Print more: every file written.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// When to colour the output (`NO_COLOR` turns `auto` off).
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new project in a new or empty directory.
    New(NewArgs),
    /// List what scaffold knows about.
    #[command(subcommand)]
    List(ListCommand),
    /// Print a shell completion script to stdout.
    Completions(CompletionsArgs),
}

/// `scaffold new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The project name; the Python package is its snake_case.
    pub name: String,

    /// A resource to include, as `KIND` or `KIND:NAME` (repeatable; order = open order).
    #[arg(long = "resource", value_name = "KIND[:NAME]")]
    pub resources: Vec<String>,

    /// The Python version of the project [default: 3.12].
    #[arg(long, value_enum, value_name = "VERSION")]
    pub python: Option<PythonArg>,

    /// Where to create the project (absent or empty) [default: ./NAME].
    #[arg(long, value_name = "PATH")]
    pub dir: Option<PathBuf>,

    /// Never prompt; a missing answer is an error naming its flag.
    #[arg(long, env = "SCAFFOLD_NO_INPUT")]
    pub no_input: bool,
}

/// `scaffold list …`.
#[derive(Debug, Subcommand)]
pub enum ListCommand {
    /// The resource kinds, one line each.
    Kinds,
}

/// `scaffold completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// `--python` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PythonArg {
    #[value(name = "3.11")]
    V3_11,
    #[value(name = "3.12")]
    V3_12,
    #[value(name = "3.13")]
    V3_13,
}

/// `--color` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}
