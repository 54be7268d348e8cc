//! The command line, as clap types. Doc comments here are the `--help` text.
//!
//! No logic lives here: `commands/` turns these into typed requests.

use std::path::PathBuf;

use clap::builder::FalseyValueParser;
use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

use crate::kinds::{self, Role};
use crate::version::LONG_VERSION;

/// The examples of `--help`, built from the registry so they name kinds that exist.
fn examples() -> String {
    let all = kinds::all();
    let of = |role: Role| all.iter().copied().filter(move |k| k.role() == role);
    let opened: Vec<_> = of(Role::Resource).collect();
    let mut lines = Vec::new();
    let service: Vec<String> = opened
        .iter()
        .copied()
        .take(2)
        .chain(of(Role::Runtime).take(1))
        .map(|k| format!("--resource {k}"))
        .collect();
    lines.push(format!("scaffold new orders {}", service.join(" ")));
    if let (Some(tasks), Some(first)) = (of(Role::Tasks).next(), opened.first()) {
        lines.push(format!(
            "scaffold new jobs-worker --resource {tasks} --resource {first}:{} --python 3.13",
            first.example_name()
        ));
    }
    lines.push("scaffold list kinds".into());
    if let Some(kind) = opened.get(1).or(opened.first()) {
        lines.push(format!(
            "scaffold add resource {kind} --name {}",
            kind.example_name()
        ));
    }
    lines.push("scaffold regen --check".into());
    let body: String = lines.iter().map(|l| format!("  {l}\n")).collect();
    format!(
        "Examples:\n{body}\nExit status: 0 ok, 1 drift or conflicts left, 2 bad usage or bad input."
    )
}

/// A `KIND` or `KIND:NAME` argument: taken as it is (checked later, with a hint that knows the
/// command), and the registry's kinds offered to shell completion.
#[derive(Clone, Copy, Debug)]
struct KindArg;

impl clap::builder::TypedValueParser for KindArg {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        let values: Vec<clap::builder::PossibleValue> = kinds::all()
            .iter()
            .map(|k| clap::builder::PossibleValue::new(k.id()).help(k.description()))
            .collect();
        Some(Box::new(values.into_iter()))
    }
}

/// The help of a `KIND` argument: the kinds of the registry.
fn kind_help() -> String {
    let ids: Vec<&str> = kinds::all().iter().map(|k| k.id()).collect();
    match ids.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!("The resource kind: {} or {last}", rest.join(", "))
        }
        _ => format!("The resource kind: {}", ids.join("")),
    }
}

/// Generate an asyncio Python service from resource kinds, and keep it in line.
#[derive(Debug, Parser)]
#[command(name = "scaffold", version = LONG_VERSION, propagate_version = true)]
#[command(after_long_help = examples())]
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
    /// Add something to the project in the current directory (or a parent), then regenerate.
    #[command(subcommand)]
    Add(AddCommand),
    /// Remove something from the project, then regenerate.
    #[command(subcommand)]
    Remove(RemoveCommand),
    /// Re-render every managed file and bring the project in line, keeping hand edits.
    Regen(RegenArgs),
    /// List what scaffold knows about.
    #[command(subcommand)]
    List(ListCommand),
    /// Find the lifecycle bugs of the catalogue in existing Python code (exit 1 when found).
    Audit(AuditArgs),
    /// Print the shell completion script to stdout (it asks `scaffold` on every Tab, so kinds
    /// and the project's resource names complete too).
    Completions(CompletionsArgs),
}

impl Command {
    /// Whether the command prints one JSON document on stdout (`--format json`): then an error
    /// is a JSON document too, so that a pipe into `jq` never reads nothing.
    pub fn prints_json(&self) -> bool {
        match self {
            Command::Regen(a) => a.format == FormatArg::Json,
            Command::List(ListCommand::Kinds(a)) => a.format == FormatArg::Json,
            Command::List(ListCommand::Rules(a)) => a.format == FormatArg::Json,
            Command::Audit(a) => a.format == AuditFormatArg::Json,
            _ => false,
        }
    }
}

/// `scaffold audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Files or directories to audit [default: the project around the current directory].
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = AuditFormatArg::Text, value_name = "FORMAT")]
    pub format: AuditFormatArg,

    /// Print what a rule finds, why it breaks, and the right code; then exit.
    #[arg(long, value_name = "CODE", conflicts_with = "paths")]
    pub explain: Option<String>,

    /// Only these rules (codes or prefixes, comma-separated) [default: all, or the
    /// `select` of `[tool.scaffold.audit]` in pyproject.toml].
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Vec<String>,

    /// Not these rules (codes or prefixes, comma-separated), added to the configured `ignore`.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,

    /// Exit 0 even when something is found.
    #[arg(long)]
    pub exit_zero: bool,
}

/// `scaffold audit --format` values (ruff's names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AuditFormatArg {
    /// `path:line:col: CODE message`.
    Text,
    /// ruff's JSON shape: a list of objects with `code`, `message`, `filename`, `location`.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions annotations.
    Github,
}

/// `scaffold new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The project name; the Python package is its snake_case. `.`: the current (empty)
    /// directory, and its name.
    pub name: String,

    /// A resource to include, as `KIND` or `KIND:NAME` (repeatable; order = open order).
    #[arg(long = "resource", value_name = "KIND[:NAME]", value_parser = KindArg, hide_possible_values = true)]
    pub resources: Vec<String>,

    /// The Python version of the project [default: 3.12].
    #[arg(long, value_enum, value_name = "VERSION")]
    pub python: Option<PythonArg>,

    /// Where to create the project (absent or empty) [default: ./NAME].
    #[arg(long, value_name = "PATH")]
    pub dir: Option<PathBuf>,

    /// Never prompt; a missing answer is an error naming its flag.
    #[arg(long, env = "SCAFFOLD_NO_INPUT", value_parser = FalseyValueParser::new())]
    pub no_input: bool,

    /// Initialise a version-control repository (skipped inside an existing one).
    #[arg(long, value_enum, default_value_t = VcsArg::Git, env = "SCAFFOLD_VCS", value_name = "VCS")]
    pub vcs: VcsArg,

    /// Do not run `uv lock` (by default it runs when `uv` is on PATH, so `uv.lock` exists).
    #[arg(long, env = "SCAFFOLD_NO_LOCK", value_parser = FalseyValueParser::new())]
    pub no_lock: bool,

    /// List the files it would create, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `--vcs` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum VcsArg {
    Git,
    None,
}

/// `scaffold add …`.
#[derive(Debug, Subcommand)]
pub enum AddCommand {
    /// Add a resource to `scaffold.toml` and regenerate (see `scaffold list kinds`).
    Resource(AddResourceArgs),
}

/// `scaffold add resource`.
#[derive(Debug, Args)]
pub struct AddResourceArgs {
    #[arg(help = kind_help(), value_parser = KindArg, hide_possible_values = true)]
    pub kind: String,

    /// The resource name (a lowercase Python identifier) [default: the kind's default name].
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Never prompt for the name (without `--name`, the kind's default name is used).
    #[arg(long, env = "SCAFFOLD_NO_INPUT", value_parser = FalseyValueParser::new())]
    pub no_input: bool,
    /// Do not run `uv lock` when `pyproject.toml` changes (by default a `uv.lock` is kept in line).
    #[arg(long, env = "SCAFFOLD_NO_LOCK", value_parser = FalseyValueParser::new())]
    pub no_lock: bool,

    /// Print the plan with diffs (`scaffold.toml` too), and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `scaffold remove …`.
#[derive(Debug, Subcommand)]
pub enum RemoveCommand {
    /// Remove a resource from `scaffold.toml` and regenerate; its unedited files are deleted.
    Resource(RemoveResourceArgs),
}

/// `scaffold remove resource`.
#[derive(Debug, Args)]
pub struct RemoveResourceArgs {
    /// The name of the resource to remove.
    #[arg(add = clap_complete::ArgValueCandidates::new(crate::commands::completions::resource_names))]
    pub name: String,
    /// Do not run `uv lock` when `pyproject.toml` changes (by default a `uv.lock` is kept in line).
    #[arg(long, env = "SCAFFOLD_NO_LOCK", value_parser = FalseyValueParser::new())]
    pub no_lock: bool,

    /// Print the plan with diffs (`scaffold.toml` too), and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `scaffold regen`.
#[derive(Debug, Args)]
pub struct RegenArgs {
    /// Write nothing; exit 1 if `regen` would change a file or conflict markers remain.
    #[arg(long, conflicts_with = "dry_run")]
    pub check: bool,

    /// With `--check`: also fail on managed files that differ from their render (kept hand edits).
    #[arg(long, requires = "check")]
    pub strict: bool,

    /// Print the plan with diffs, and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Output format: `text` (a summary on stderr, diffs on stdout) or `json` (one document on stdout).
    #[arg(long, value_enum, default_value_t = FormatArg::Text, value_name = "FORMAT")]
    pub format: FormatArg,
    /// Do not run `uv lock` when `pyproject.toml` changes (by default a `uv.lock` is kept in line).
    #[arg(long, env = "SCAFFOLD_NO_LOCK", value_parser = FalseyValueParser::new())]
    pub no_lock: bool,
}

/// `--format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Text,
    Json,
}

/// `scaffold list …`.
#[derive(Debug, Subcommand)]
pub enum ListCommand {
    /// The resource kinds, one line each.
    Kinds(ListKindsArgs),
    /// The rules of `scaffold audit`, one line each.
    Rules(ListRulesArgs),
}

/// `scaffold list rules`.
#[derive(Debug, Args)]
pub struct ListRulesArgs {
    /// Output format: `text` (a line per rule) or `json` (code, name, catalogue entry, summary).
    #[arg(long, value_enum, default_value_t = FormatArg::Text, value_name = "FORMAT")]
    pub format: FormatArg,
}

/// `scaffold list kinds`.
#[derive(Debug, Args)]
pub struct ListKindsArgs {
    /// Output format: `text` (a line per kind) or `json` (the registry: ids, roles, variables,
    /// options, dependencies, servers).
    #[arg(long, value_enum, default_value_t = FormatArg::Text, value_name = "FORMAT")]
    pub format: FormatArg,
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
