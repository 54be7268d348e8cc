//! Every error `scaffold` reports: one enum, all the wording in one place.
//!
//! Each variant that touches the file system carries the path it was working on. `hints()`
//! gives the separate `hint:` lines that say what to type next; `status()` picks the exit code.

use std::io;
use std::path::PathBuf;

use crate::kinds::ResourceKind;
use crate::status::ExitStatus;

/// The result type of the whole crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error that stops a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid project name `{name}`: {reason}")]
    InvalidProjectName { name: String, reason: String },

    #[error("invalid package name `{package}` (snake_case of project name `{name}`): {reason}")]
    InvalidPackageName {
        name: String,
        package: String,
        reason: String,
    },

    #[error("invalid resource `{spec}`: {reason}")]
    InvalidResourceSpec { spec: String, reason: String },

    #[error("unknown resource kind `{kind}` in `--resource {spec}`")]
    UnknownKind { spec: String, kind: String },

    #[error("invalid name `{name}` for the `{kind}` resource: {reason}")]
    InvalidResourceName {
        kind: ResourceKind,
        name: String,
        reason: String,
    },

    #[error("duplicate resource name `{name}`")]
    DuplicateResource { kind: ResourceKind, name: String },

    #[error(
        "more than one `lifespan` resource (`{first}` and `{second}`): a project has at most one"
    )]
    TwoLifespans { first: String, second: String },

    #[error("no resources chosen")]
    NoResources,

    #[error("target directory `{}` exists and is not empty", path.display())]
    TargetNotEmpty { path: PathBuf },

    #[error("target `{}` exists and is not a directory", path.display())]
    TargetNotDirectory { path: PathBuf },

    #[error("I/O error at `{}`: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },

    #[error("failed to write `{}`: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },

    #[error("refusing to write `{path}`: {reason}")]
    UnsafePath { path: String, reason: String },

    #[error("bad entry in the template table `templates/files.toml`: {message}")]
    FileTable { message: String },

    #[error("failed to render template `{template}`{}: {detail}", resource.as_ref().map(|r| format!(" for resource `{r}`")).unwrap_or_default())]
    Render {
        template: String,
        resource: Option<String>,
        detail: String,
    },

    #[error("invalid lock file `{}`: {message}", path.display())]
    Lock { path: PathBuf, message: String },

    #[error("prompt failed: {message}")]
    Prompt { message: String },
}

impl Error {
    /// Wraps an I/O error with the path it happened at.
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// The exit status this error leads to.
    pub fn status(&self) -> ExitStatus {
        ExitStatus::Error
    }

    /// Lines printed after the error as `hint: …`, each saying what to do or type.
    pub fn hints(&self) -> Vec<String> {
        match self {
            Error::InvalidProjectName { .. } => vec![
                "use letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit: `scaffold new orders`".into(),
            ],
            Error::InvalidPackageName { .. } => vec![
                "pick another project name, e.g. `scaffold new my-orders` (package `my_orders`)".into(),
            ],
            Error::InvalidResourceSpec { .. } => {
                vec!["pass `--resource KIND[:NAME]`, e.g. `--resource db-pool:analytics`".into()]
            }
            Error::UnknownKind { .. } => vec![format!(
                "known kinds: {} (see `scaffold list kinds`)",
                ResourceKind::ALL.iter().map(|k| format!("`{}`", k.id())).collect::<Vec<_>>().join(", ")
            )],
            Error::InvalidResourceName { kind, .. } => vec![format!(
                "use a lowercase Python identifier that is not a keyword or a generated module, e.g. `--resource {}:{}`",
                kind.id(),
                kind.example_name()
            )],
            Error::DuplicateResource { kind, name } => vec![format!(
                "give each resource its own name, e.g. `--resource {kind}:{name}_2`"
            )],
            Error::TwoLifespans { .. } => vec!["pass `--resource lifespan` once".into()],
            Error::NoResources => vec![
                "pass `--resource db-pool --resource cache ...` or run on a terminal".into(),
                "see `scaffold list kinds` for the kinds".into(),
            ],
            Error::TargetNotEmpty { .. } | Error::TargetNotDirectory { .. } => {
                vec!["pass `--dir PATH` with a new or empty directory".into()]
            }
            Error::Io { .. } | Error::Write { .. } => {
                vec!["check the permissions and free space of that path".into()]
            }
            Error::UnsafePath { .. } | Error::FileTable { .. } | Error::Render { .. } => {
                vec!["this is a bug in scaffold's embedded templates: please report it".into()]
            }
            Error::Lock { .. } => vec!["restore it from version control".into()],
            Error::Prompt { .. } => {
                vec!["pass the answers as flags with `--no-input`, e.g. `--resource db-pool --python 3.12`".into()]
            }
        }
    }
}
