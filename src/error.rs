//! Every error `scaffold` reports: one enum, all the wording in one place.
//!
//! Each variant that touches the file system carries the path it was working on. `hints()`
//! gives the separate `hint:` lines that say what to type next; `status()` picks the exit code.

use std::io;
use std::path::{Path, PathBuf};

use crate::kinds::{self, ResourceKind};
use crate::status::ExitStatus;
use crate::suggest;

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

    #[error("unknown resource kind `{kind}`")]
    UnknownAddKind { kind: String },

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
        "more than {} `{kind}` resource{} (`{first}` and `{second}`): a project has at most {}",
        count_word(*max), if *max == 1 { "" } else { "s" }, count_word(*max)
    )]
    TooManyOfKind {
        kind: ResourceKind,
        max: usize,
        first: String,
        second: String,
    },

    #[error("no resources chosen")]
    NoResources,

    /// `new` with no `--resource` where it may not ask: `why` says what stopped the prompt.
    #[error("no resources chosen")]
    NoResourcesNoPrompt { why: String },

    #[error("target directory `{}` exists and is not empty", path.display())]
    TargetNotEmpty {
        path: PathBuf,
        /// It holds a `scaffold.toml`: a project, or an interrupted `new` that `regen` finishes.
        is_project: bool,
    },

    #[error("target `{}` exists and is not a directory", path.display())]
    TargetNotDirectory { path: PathBuf },

    #[error("I/O error at `{}`: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },

    #[error("failed to write `{}`: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },

    #[error("refusing to write `{path}`: {reason}")]
    UnsafePath { path: String, reason: String },

    #[error("bad entry in the template bundle's file table: {message}")]
    FileTable { message: String },

    #[error("bad kind in the template bundle: {message}")]
    KindRegistry { message: String },

    #[error("failed to render template `{template}`{}: {detail}", resource.as_ref().map(|r| format!(" for resource `{r}`")).unwrap_or_default())]
    Render {
        template: String,
        resource: Option<String>,
        detail: String,
    },

    #[error("invalid lock file `{}`: {message}", path.display())]
    Lock { path: PathBuf, message: String },

    #[error("`{}` was written by a newer scaffold (lock version {version}; this one reads {known})", path.display())]
    LockTooNew {
        path: PathBuf,
        version: i64,
        known: i64,
        /// The `scaffold_version` recorded in the lock, if readable.
        wanted: Option<String>,
    },

    #[error("prompt failed: {message}")]
    Prompt { message: String },

    /// Ctrl-C at a prompt: exit 130, with nothing written.
    #[error("interrupted")]
    Interrupted,

    #[error("no `scaffold.toml` in `{}` or any parent directory", start.display())]
    ManifestNotFound { start: PathBuf },

    #[error("invalid manifest `{}`{}{}: {message}", path.display(), line.map(|l| format!(", line {l}")).unwrap_or_default(), key.as_ref().map(|k| format!(", key `{k}`")).unwrap_or_default())]
    Manifest {
        path: PathBuf,
        line: Option<usize>,
        key: Option<String>,
        message: String,
    },

    #[error("manifest `{}` has schema {schema}, newer than this scaffold ({current}) understands (schema {known})", path.display())]
    SchemaTooNew {
        path: PathBuf,
        schema: i64,
        known: i64,
        current: String,
        /// The `scaffold_version` recorded in the manifest, if readable.
        wanted: Option<String>,
    },

    #[error("`{}` was last rendered by scaffold {project}, newer than this scaffold ({current}): refusing to downgrade it", path.display())]
    VersionTooNew {
        path: PathBuf,
        /// The `scaffold_version` recorded in the manifest.
        project: String,
        current: String,
    },

    #[error("a resource named `{name}` already exists (kind `{kind}`)")]
    ResourceExists { kind: ResourceKind, name: String },

    #[error("no resource named `{name}` in `scaffold.toml`")]
    ResourceMissing { name: String, existing: Vec<String> },

    #[error("cannot remove `{name}`: it is the project's only resource")]
    LastResource { name: String },

    /// An error from the shared validation, with a hint for the command that hit it.
    #[error("{inner}")]
    WithHint { inner: Box<Error>, hint: String },

    #[error("unknown rule code `{code}`")]
    UnknownRuleCode { code: String },

    #[error("`{}` does not exist", path.display())]
    AuditPathMissing { path: PathBuf },

    #[error("invalid `[tool.scaffold.audit]` in `{}`: {reason}", path.display())]
    AuditConfig { path: PathBuf, reason: String },

    #[error("no completion engine for the shell `{shell}`")]
    UnsupportedShell { shell: String },

    #[error("injected failure after {writes} writes (SCAFFOLD_INTERNAL_FAIL_AFTER_WRITES)")]
    Injected { writes: usize },

    /// `new` failed while writing: its staging directory is gone, the target as it was.
    #[error("{inner}")]
    NothingCreated { inner: Box<Error>, target: PathBuf },

    /// A write failed after `scaffold.toml` was written (it goes first, as the intent).
    #[error("{inner}")]
    AfterManifest { inner: Box<Error> },
}

impl Error {
    /// Wraps an I/O error with the path it happened at.
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// The same error with the staging directory `from` replaced by `to` in its path: the user
    /// asked for `to` and never sees the hidden directory `new` writes into first.
    pub fn relocated(self, from: &Path, to: &Path) -> Self {
        let moved = |path: PathBuf| match path.strip_prefix(from) {
            Ok(rest) if rest.as_os_str().is_empty() => to.to_owned(),
            Ok(rest) => to.join(rest),
            Err(_) => path,
        };
        match self {
            Error::Io { path, source } => Error::Io {
                path: moved(path),
                source,
            },
            Error::Write { path, source } => Error::Write {
                path: moved(path),
                source,
            },
            other => other,
        }
    }

    /// The exit status this error leads to.
    pub fn status(&self) -> ExitStatus {
        match self {
            Error::Interrupted => ExitStatus::Interrupted,
            _ => ExitStatus::Error,
        }
    }

    /// The error as the one document a `--format json` command prints on stdout:
    /// `{"schema_version": 1, "status": "error", "error": {"message", "hints", "exit_code"}}`.
    pub fn json_document(&self) -> String {
        let doc = serde_json::json!({
            "schema_version": 1,
            "status": "error",
            "error": {
                "message": self.to_string(),
                "hints": self.hints(),
                "exit_code": self.status().code(),
            },
        });
        format!("{doc:#}\n")
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
                vec![match kinds::all().first() {
                    Some(k) => format!("pass `--resource KIND[:NAME]`, e.g. `--resource {k}:{}`", k.example_name()),
                    None => "pass `--resource KIND[:NAME]`".into(),
                }]
            }
            Error::UnknownAddKind { kind } => suggest::did_you_mean(kind, kinds::all().iter().map(|k| k.id()))
                .into_iter()
                .chain([format!(
                    "known kinds: {} (see `scaffold list kinds`), e.g. `scaffold add resource {}`",
                    kinds::id_list(),
                    kinds::all().first().map_or("", |k| k.id())
                )])
                .collect(),
            Error::UnknownKind { kind, .. } => suggest::did_you_mean(kind, kinds::all().iter().map(|k| k.id()))
                .into_iter()
                .chain([format!(
                    "known kinds: {} (see `scaffold list kinds`)",
                    kinds::id_list()
                )])
                .collect(),
            Error::InvalidResourceName { kind, .. } => vec![format!(
                "use a lowercase Python identifier that is not a keyword or a generated module, e.g. `--resource {}:{}`",
                kind.id(),
                kind.example_name()
            )],
            Error::DuplicateResource { kind, name } => vec![format!(
                "give each resource its own name, e.g. `--resource {kind}:{name}_2`"
            )],
            Error::TooManyOfKind { kind, max: 1, .. } => vec![format!("pass `--resource {kind}` once")],
            Error::TooManyOfKind { kind, max, .. } => {
                vec![format!("pass `--resource {kind}` at most {max} times")]
            }
            Error::NoResourcesNoPrompt { why } => {
                let mut hints = Error::NoResources.hints();
                hints.insert(1, why.clone());
                hints
            }
            Error::NoResources => vec![
                format!(
                    "pass `{} ...`",
                    kinds::all()
                        .iter()
                        .take(2)
                        .map(|k| format!("--resource {k}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
                "see `scaffold list kinds` for the kinds".into(),
            ],
            Error::TargetNotEmpty {
                path,
                is_project: true,
            } => vec![format!(
                "it is a scaffold project already (an interrupted `scaffold new` too): `scaffold regen` in `{}` finishes it, and `scaffold add resource` changes it",
                path.display()
            )],
            Error::TargetNotEmpty { .. } | Error::TargetNotDirectory { .. } => {
                vec!["pass `--dir PATH` with a new or empty directory".into()]
            }
            Error::Io { path, source } | Error::Write { path, source } => {
                vec![io_hint(path, source)]
            }
            Error::UnsafePath { .. }
            | Error::FileTable { .. }
            | Error::KindRegistry { .. }
            | Error::Render { .. } => {
                vec!["this is a bug in scaffold's embedded templates: please report it".into()]
            }
            Error::LockTooNew { wanted, .. } => vec![match wanted {
                Some(v) => format!("install scaffold {v} or newer: {}", install_command(v)),
                None => "install a newer scaffold: `uv tool install --upgrade asyncio-scaffold` (or `cargo install --locked asyncio-scaffold`)".into(),
            }],
            Error::Lock { .. } => vec![
                "restore it from version control (`git checkout -- scaffold.lock`); scaffold never resets it".into(),
            ],
            Error::ManifestNotFound { .. } => vec![
                "run this inside a project made by `scaffold new`, or create one: `scaffold new NAME --resource KIND`".into(),
            ],
            Error::Manifest { message, .. } => {
                // "unknown field `pyhton`, expected one of `name`, `package`, `python`",
                // "unknown kind `db-pol`; known kinds: `db-pool`, ...": the closest candidate.
                let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
                let typo = (message.starts_with("unknown field") || message.starts_with("unknown kind"))
                    .then(|| quoted.split_first())
                    .flatten()
                    .and_then(|(word, candidates)| suggest::did_you_mean(word, candidates.iter().copied()));
                typo.into_iter()
                    .chain(["fix that line of `scaffold.toml`; `scaffold list kinds` shows the kinds".into()])
                    .collect()
            }
            Error::SchemaTooNew { wanted, current, .. } => vec![match wanted {
                Some(v) if crate::version::is_newer(v, current) == Some(true) => format!("this project was last rendered by scaffold {v}: install it or newer, e.g. {}", install_command(v)),
                // It names this scaffold or an older one: the schema was changed by hand.
                Some(_) => "restore `schema` from version control (`git checkout -- scaffold.toml`), or install a newer scaffold: `uv tool install --upgrade asyncio-scaffold`".into(),
                None => "install a newer scaffold: `uv tool install --upgrade asyncio-scaffold` (or `cargo install --locked asyncio-scaffold`)".into(),
            }],
            Error::VersionTooNew { project, .. } => vec![format!(
                "install scaffold {project} or newer: {}",
                install_command(project)
            )],
            Error::ResourceExists { kind, name } if kind.max_instances() == Some(1) => vec![format!(
                "a project has at most one `{kind}`; to replace it, remove it first: `scaffold remove resource {name}`"
            )],
            Error::ResourceExists { kind, name } => vec![format!(
                "the project already has it; to add another, name it: `scaffold add resource {kind} --name {name}_2`"
            )],
            Error::ResourceMissing { name, existing } => {
                if let Some(like) = suggest::closest(name, existing.iter().map(String::as_str)) {
                    vec![format!("did you mean `{like}`? `scaffold remove resource {like}`")]
                } else if existing.is_empty() {
                    vec!["the project has no resources".into()]
                } else {
                    vec![format!(
                        "existing resources: {}; e.g. `scaffold remove resource {}`",
                        existing.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
                        existing[0]
                    )]
                }
            }
            Error::LastResource { .. } => vec![
                "add the resource that replaces it first, e.g. `scaffold add resource cache`".into(),
            ],
            Error::WithHint { hint, .. } => vec![hint.clone()],
            Error::UnknownRuleCode { .. } => vec![format!(
                "the codes are {}",
                crate::audit::RULES.iter().map(|r| r.code).collect::<Vec<_>>().join(", ")
            )],
            Error::AuditPathMissing { .. } => {
                vec!["pass files or directories that exist, or none for the project around the current directory".into()]
            }
            Error::AuditConfig { .. } => vec![
                "`select`, `ignore` and `exclude` are lists of strings, e.g. `ignore = [\"SCA010\"]`".into(),
            ],
            Error::UnsupportedShell { .. } => vec![format!(
                "pass one of {}",
                clap_complete::env::Shells::builtins().names().collect::<Vec<_>>().join(", ")
            )],
            Error::Injected { .. } => vec!["run `scaffold regen` to finish the job".into()],
            Error::NothingCreated { inner, target } => {
                let mut hints = inner.hints();
                hints.retain(|h| h != "run `scaffold regen` to finish the job");
                hints.push(format!(
                    "nothing was created at `{}`: once the cause is fixed, run the same `scaffold new` again",
                    target.display()
                ));
                hints
            }
            Error::AfterManifest { inner } => {
                let mut hints = inner.hints();
                hints.retain(|h| h != "run `scaffold regen` to finish the job");
                hints.push(format!(
                    "`{}` was written first and already holds the change: once the cause is fixed, `scaffold regen` finishes the job",
                    crate::manifest::MANIFEST_FILE
                ));
                hints
            }
            Error::Interrupted => Vec::new(),
            Error::Prompt { .. } => {
                vec![format!(
                    "pass the answers as flags with `--no-input`, e.g. `--resource {} --python 3.12`",
                    kinds::all().first().map_or("KIND", |k| k.id())
                )]
            }
        }
    }
}

/// What to do about an I/O error at `path`, from its cause: a full disk is not a permission
/// problem, and neither is a parent that is a file.
fn io_hint(path: &Path, source: &io::Error) -> String {
    // The nearest directory that exists: after a failed `new`, the path's own parents are gone.
    let dir = path
        .ancestors()
        .skip(1)
        .find(|p| !p.as_os_str().is_empty() && p.is_dir())
        .map_or_else(|| ".".into(), |p| p.display().to_string());
    match source.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => format!(
            "the file system holding `{dir}` is full (or your quota on it is): free some space (`df -h {dir}` shows it), then run the same command again"
        ),
        io::ErrorKind::PermissionDenied => format!(
            "you may not write in `{dir}`: `ls -ld {dir}` shows its owner and mode; use a directory you own, or change its permissions"
        ),
        io::ErrorKind::ReadOnlyFilesystem => {
            format!("`{dir}` is on a read-only file system: use a writable directory")
        }
        io::ErrorKind::NotADirectory => {
            format!(
                "a parent of `{}` is a file, not a directory: move it away, or use another path",
                path.display()
            )
        }
        _ => {
            "the operating system's reason is above: fix it, then run the same command again".into()
        }
    }
}

/// The commands that install scaffold `version`, as Python teams do (the wheel) and as cargo
/// users do.
/// The package is `asyncio-scaffold` everywhere: `scaffold` on PyPI and crates.io is not ours.
fn install_command(version: &str) -> String {
    format!(
        "`uv tool install asyncio-scaffold=={version}` or `cargo install --locked asyncio-scaffold --version {version}`"
    )
}

/// "one", "two", ... for small counts in messages, digits beyond.
fn count_word(n: usize) -> String {
    const WORDS: [&str; 10] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    WORDS
        .get(n)
        .map_or_else(|| n.to_string(), |w| (*w).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint_for(kind: io::ErrorKind) -> String {
        let err = Error::Write {
            path: PathBuf::from("no-such-dir/orders/app.py"),
            source: io::Error::from(kind),
        };
        err.hints().join("\n")
    }

    #[test]
    fn an_io_hint_names_its_cause() {
        // The path's parents do not exist: the hint names the nearest directory that does.
        assert!(hint_for(io::ErrorKind::StorageFull).contains("is full"));
        assert!(hint_for(io::ErrorKind::StorageFull).contains("`df -h .`"));
        assert!(hint_for(io::ErrorKind::QuotaExceeded).contains("quota"));
        assert!(hint_for(io::ErrorKind::PermissionDenied).contains("`ls -ld .`"));
        assert!(hint_for(io::ErrorKind::ReadOnlyFilesystem).contains("read-only"));
        assert!(hint_for(io::ErrorKind::NotADirectory).contains("is a file"));
        for kind in [io::ErrorKind::StorageFull, io::ErrorKind::NotADirectory] {
            assert!(!hint_for(kind).contains("permissions"), "{kind:?}");
        }
    }

    #[test]
    fn a_relocated_error_names_the_target_not_the_staging_directory() {
        let err = Error::io(
            "/p/.orders.scaffold-new-7/src/x.py",
            io::ErrorKind::StorageFull.into(),
        )
        .relocated(Path::new("/p/.orders.scaffold-new-7"), Path::new("orders"));
        assert!(err.to_string().contains("`orders/src/x.py`"), "{err}");
        let err = Error::io(
            "/p/.orders.scaffold-new-7",
            io::ErrorKind::PermissionDenied.into(),
        )
        .relocated(Path::new("/p/.orders.scaffold-new-7"), Path::new("orders"));
        assert!(err.to_string().contains("`orders`"), "{err}");
    }
}
