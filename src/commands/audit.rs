//! `scaffold audit`: find the Python files (as ruff does: `.gitignore` and the usual tool and
//! virtualenv directories skipped), audit them in parallel, print the findings.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::audit::report::{self, FileFindings};
use crate::audit::{self, FileAudit, Selection, rules};
use crate::cli::{AuditArgs, AuditFormatArg};
use crate::error::{Error, Result};
use crate::fs;
use crate::printer::Printer;
use crate::status::ExitStatus;
use crate::version;

/// What ruff excludes by default, and so do we.
const DEFAULT_EXCLUDE: &[&str] = &[
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pypackages__",
    "_build",
    "buck-out",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
];

/// `[tool.scaffold.audit]` of `pyproject.toml`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Config {
    #[serde(default)]
    select: Vec<String>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    /// Glob (relative to the project root; a name without `/` matches the file name) → codes,
    /// as ruff's `per-file-ignores`.
    #[serde(default)]
    per_file_ignores: std::collections::BTreeMap<String, Vec<String>>,
}

/// `per-file-ignores`, compiled.
struct PerFileIgnores {
    globs: Vec<(globset::GlobMatcher, bool, Vec<String>)>,
}

impl PerFileIgnores {
    fn new(config: &Config, pyproject: &Path) -> Result<Self> {
        let mut globs = Vec::new();
        for (pattern, codes) in &config.per_file_ignores {
            let glob = globset::Glob::new(pattern).map_err(|e| Error::AuditConfig {
                path: pyproject.to_path_buf(),
                reason: format!("per-file-ignores pattern `{pattern}`: {e}"),
            })?;
            globs.push((
                glob.compile_matcher(),
                !pattern.contains('/'),
                codes.clone(),
            ));
        }
        Ok(Self { globs })
    }

    /// The codes ignored in `path` (`relative` to the project root).
    fn for_path(&self, relative: &Path) -> impl Iterator<Item = &String> {
        self.globs
            .iter()
            .filter(move |(glob, by_name, _)| {
                glob.is_match(relative)
                    || (*by_name && relative.file_name().is_some_and(|n| glob.is_match(n)))
            })
            .flat_map(|(_, _, codes)| codes)
    }
}

/// Runs `scaffold audit`.
pub fn run(args: &AuditArgs, printer: &Printer) -> Result<ExitStatus> {
    if let Some(code) = &args.explain {
        let rule =
            rules::by_code(code).ok_or_else(|| Error::UnknownRuleCode { code: code.clone() })?;
        printer.data(rule.explain);
        return Ok(ExitStatus::Success);
    }
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let root = fs::find_python_root(&cwd);
    let config = match &root {
        Some(root) => read_config(&root.join("pyproject.toml"))?,
        None => Config::default(),
    };
    let mut selection = Selection::default();
    if !config.select.is_empty() {
        selection.select = config.select.clone();
    }
    if !args.select.is_empty() {
        selection.select = args.select.clone();
    }
    selection.ignore = config.ignore.iter().chain(&args.ignore).cloned().collect();
    let per_file_codes = config.per_file_ignores.values().flatten();
    for code in selection
        .select
        .iter()
        .chain(&selection.ignore)
        .chain(per_file_codes)
    {
        if !rules::RULES
            .iter()
            .any(|r| r.code.starts_with(&code.to_ascii_uppercase()))
            || code.is_empty()
        {
            return Err(Error::UnknownRuleCode { code: code.clone() });
        }
    }

    let paths: Vec<PathBuf> = if args.paths.is_empty() {
        vec![root.clone().unwrap_or_else(|| cwd.clone())]
    } else {
        args.paths.clone()
    };
    for path in &paths {
        if !path.exists() {
            return Err(Error::AuditPathMissing { path: path.clone() });
        }
    }
    let files = discover(&paths, root.as_deref(), &config.exclude)?;
    let per_file = PerFileIgnores::new(
        &config,
        &root.as_deref().unwrap_or(&cwd).join("pyproject.toml"),
    )?;
    let selections: Vec<Selection> = files
        .iter()
        .map(|path| {
            let absolute = if path.is_absolute() {
                path.clone()
            } else {
                cwd.join(path)
            };
            let relative = absolute
                .strip_prefix(root.as_deref().unwrap_or(&cwd))
                .unwrap_or(&absolute);
            let mut mine = selection.clone();
            mine.ignore.extend(per_file.for_path(relative).cloned());
            mine
        })
        .collect();
    let audits = audit_all(&files, &selections);

    let mut shown = Vec::new();
    let mut broken = 0;
    for (path, result) in files.iter().zip(audits) {
        let display = display_path(path, &cwd);
        match result {
            Ok(FileAudit {
                syntax_error: Some((message, at)),
                ..
            }) => {
                broken += 1;
                printer.warning(
                    &format!("{display}:{}:{}: not audited: {message}", at.row, at.column),
                    "fix the syntax error (ruff shows it too); the other files were audited",
                );
            }
            Ok(FileAudit { findings, .. }) if !findings.is_empty() => {
                shown.push(FileFindings {
                    path: display,
                    findings,
                });
            }
            Ok(_) => {}
            Err(reason) => {
                broken += 1;
                printer.warning(
                    &format!("{display}: not audited: {reason}"),
                    "save it as UTF-8",
                );
            }
        }
    }
    let count: usize = shown.iter().map(|f| f.findings.len()).sum();
    let out = match args.format {
        AuditFormatArg::Text => {
            report::text(&shown, printer.color() && std::io::stdout().is_terminal())
        }
        AuditFormatArg::Json => report::json(&shown),
        AuditFormatArg::Sarif => report::sarif(&shown, version::SCAFFOLD_VERSION),
        AuditFormatArg::Github => report::github(&shown),
    };
    printer.data(&out);
    if args.format == AuditFormatArg::Text {
        if count == 0 {
            printer.line(&format!(
                "All checks passed! ({} files audited)",
                files.len()
            ));
        } else {
            printer.line(&format!(
                "Found {count} finding{} in {} of {} files. `scaffold audit --explain CODE` says why each breaks and what to write instead.",
                if count == 1 { "" } else { "s" },
                shown.len(),
                files.len()
            ));
        }
    }
    Ok(if (count > 0 || broken > 0) && !args.exit_zero {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn read_config(pyproject: &Path) -> Result<Config> {
    let invalid = |reason: String| Error::AuditConfig {
        path: pyproject.to_path_buf(),
        reason,
    };
    let Some(text) = fs::read_text(pyproject)? else {
        return Err(invalid("the file is not UTF-8 text".into()));
    };
    let doc: toml::Table = toml::from_str(&text).map_err(|e| invalid(e.message().to_owned()))?;
    let Some(section) = doc
        .get("tool")
        .and_then(|t| t.get("scaffold"))
        .and_then(|s| s.get("audit"))
    else {
        return Ok(Config::default());
    };
    section
        .clone()
        .try_into()
        .map_err(|e: toml::de::Error| invalid(e.message().to_owned()))
}

/// The `.py` files under `paths`, sorted: a file given by name is always audited; directories
/// are walked as ruff walks them.
fn discover(paths: &[PathBuf], root: Option<&Path>, exclude: &[String]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_file() {
            files.push(path.clone());
            continue;
        }
        let mut overrides = ignore::overrides::OverrideBuilder::new(root.unwrap_or(path));
        for pattern in DEFAULT_EXCLUDE
            .iter()
            .map(|p| (*p).to_owned())
            .chain(exclude.iter().cloned())
        {
            overrides
                .add(&format!("!{pattern}"))
                .map_err(|e| Error::AuditConfig {
                    path: root.unwrap_or(path).join("pyproject.toml"),
                    reason: format!("exclude pattern `{pattern}`: {e}"),
                })?;
        }
        let overrides = overrides.build().map_err(|e| Error::AuditConfig {
            path: root.unwrap_or(path).join("pyproject.toml"),
            reason: e.to_string(),
        })?;
        // As ruff: `.gitignore` counts inside a Git repository only (a virtualenv's own
        // `.gitignore` of `*` does not hide the packages in it from an explicit path).
        let walker = ignore::WalkBuilder::new(path).overrides(overrides).build();
        for entry in walker {
            let entry = entry.map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
            if entry.file_type().is_some_and(|t| t.is_file())
                && entry.path().extension().is_some_and(|e| e == "py")
            {
                files.push(entry.into_path());
            }
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// Audits `files` (each with its selection) on every core; results in the order of `files`.
fn audit_all(
    files: &[PathBuf],
    selections: &[Selection],
) -> Vec<std::result::Result<FileAudit, String>> {
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len().max(1));
    let mut results: Vec<(usize, std::result::Result<FileAudit, String>)> =
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(path) = files.get(i) else { break };
                            let result = match fs::read_text(path) {
                                Ok(Some(text)) => Ok(audit::audit_source(&text, &selections[i])),
                                Ok(None) => Err("the file is not UTF-8 text".to_owned()),
                                Err(e) => Err(e.to_string()),
                            };
                            done.push((i, result));
                        }
                        done
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// `path` relative to `cwd` when under it (as ruff prints), else as it is.
fn display_path(path: &Path, cwd: &Path) -> String {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    absolute
        .strip_prefix(cwd)
        .unwrap_or(path)
        .display()
        .to_string()
}
