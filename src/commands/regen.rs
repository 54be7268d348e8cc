//! `scaffold regen [--check [--strict]] [--dry-run] [--format text|json]`, shaped like
//! `ruff format`: a mode, a result per file (`changes::Change`), the exit status from the results.
//!
//! Manifest → Project → Plan → Changes (all in memory; any error stops before a write) →
//! report, and in write mode `apply::apply_changes`. `add` and `remove` end here too.
//!
//! Output. Text: in write mode one line per file that changed (stderr) and a summary; with
//! `--check`, `would <action>: <path> (<reason>)` per file on stderr and a unified diff per file
//! on stdout; with `--dry-run`, the plan (`<action> <path> (<reason>)`) and diffs on stdout.
//!
//! `--format json` prints one document on stdout (stderr only carries errors):
//!
//! ```json
//! {
//!   "schema_version": 1,
//!   "mode": "check",
//!   "status": "failed",
//!   "files": [
//!     {"path": "src/orders/settings.py", "owner": "managed", "action": "update",
//!      "reason": "not edited; new render", "differs_from_render": false,
//!      "diff": "--- a/src/orders/settings.py\n+++ b/src/orders/settings.py\n..."}
//!   ],
//!   "conflicts": [{"path": "src/orders/service.py", "reason": "conflict markers are still in it: ..."}]
//! }
//! ```
//!
//! `mode`: `write` | `check` | `dry-run`. `status`: `ok` (exit 0) | `failed` (exit 1). `files`
//! lists every path the render or the lock names, in path order; `action`: `create` | `update` |
//! `merge` | `delete` | `conflict` | `keep` | `unchanged`; `owner`: `managed` | `user`;
//! `differs_from_render`: a managed file kept with hand edits (what `--strict` fails on); `diff`:
//! a unified diff from disk to the result in `check` and `dry-run`, else `null`. `conflicts`
//! repeats the `conflict` entries. `schema_version` changes only if a field changes meaning.

use std::path::Path;

use serde::Serialize;

use crate::apply;
use crate::changes::{self, Action, Change, Changes, Write};
use crate::cli::{FormatArg, RegenArgs};
use crate::error::{Error, Result};
use crate::finish;
use crate::fs;
use crate::lock::{LOCK_FILE, Lock};
use crate::manifest::{self, MANIFEST_FILE, Manifest, SCHEMA};
use crate::plan::Owner;
use crate::printer::Printer;
use crate::render;
use crate::status::ExitStatus;
use crate::version::SCAFFOLD_VERSION;

/// What `regen` is asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Bring the project in line.
    Write,
    /// Write nothing; fail on drift (and, when strict, on kept hand edits of managed files).
    Check { strict: bool },
    /// Print the plan with diffs; write nothing.
    DryRun,
}

impl Mode {
    fn as_str(self) -> &'static str {
        match self {
            Mode::Write => "write",
            Mode::Check { .. } => "check",
            Mode::DryRun => "dry-run",
        }
    }
}

/// `scaffold regen`.
pub fn run(args: &RegenArgs, printer: &Printer) -> Result<ExitStatus> {
    let mode = match (args.check, args.dry_run) {
        (true, _) => Mode::Check {
            strict: args.strict,
        },
        (false, true) => Mode::DryRun,
        (false, false) => Mode::Write,
    };
    let (root, manifest) = open_project()?;
    execute(
        &root,
        &manifest,
        ManifestWrite::IfOutdated,
        mode,
        args.format,
        !args.no_lock,
        printer,
    )
}

/// Finds the project root from the working directory and reads its manifest.
pub fn open_project() -> Result<(std::path::PathBuf, Manifest)> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let root = fs::find_root(&cwd)?;
    let manifest = manifest::load(&root.join(MANIFEST_FILE))?;
    refuse_downgrade(&manifest)?;
    Ok((root, manifest))
}

/// A project last rendered by a newer scaffold is not touched (nor checked) by this one: its
/// templates are older, so `regen` would undo the newer render, and `--check` would report it.
fn refuse_downgrade(manifest: &Manifest) -> Result<()> {
    let recorded = manifest
        .doc
        .get("scaffold_version")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    if crate::version::is_newer(recorded, SCAFFOLD_VERSION) == Some(true) {
        return Err(Error::VersionTooNew {
            path: manifest.path.clone(),
            project: recorded.to_owned(),
            current: SCAFFOLD_VERSION.to_owned(),
        });
    }
    Ok(())
}

/// The file whose changes make `uv.lock` stale.
const PYPROJECT: &str = "pyproject.toml";

/// Whether the manifest is written along with the files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManifestWrite {
    /// Only if it was migrated from an older schema or names an older scaffold.
    IfOutdated,
    /// Always (`add`, `remove` edited it).
    Always,
}

/// Renders, computes the changes, reports them and (in write mode) applies them.
pub fn execute(
    root: &Path,
    manifest: &Manifest,
    manifest_write: ManifestWrite,
    mode: Mode,
    format: FormatArg,
    relock: bool,
    printer: &Printer,
) -> Result<ExitStatus> {
    let lock_path = root.join(LOCK_FILE);
    let lock = match std::fs::read(&lock_path) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes).map_err(|_| Error::Lock {
                path: lock_path.clone(),
                message: "the file is not UTF-8 text".into(),
            })?;
            Lock::parse(&text, &lock_path)?
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if format == FormatArg::Text {
                printer.warning(
                    &format!("no `{LOCK_FILE}`: files already on disk are treated as yours and not overwritten"),
                    &format!("if it was lost, restore it from version control first: `git checkout -- {LOCK_FILE}`"),
                );
            }
            Lock {
                scaffold_version: SCAFFOLD_VERSION.to_owned(),
                files: Vec::new(),
            }
        }
        Err(e) => return Err(Error::io(&lock_path, e)),
    };
    let plan = render::render(&manifest.project)?;

    // Read every file the plan or the lock names; any I/O error stops before a write.
    let mut read_error = None;
    let changes = changes::compute(&plan, &lock, |rel| match fs::read_project_file(root, rel) {
        Ok(disk) => disk,
        Err(e) => {
            read_error.get_or_insert(e);
            changes::DiskFile::Unusable("unreadable".into())
        }
    });
    if let Some(e) = read_error {
        return Err(e);
    }

    let mut written = 0;
    if mode == Mode::Write {
        let manifest_text = match manifest_write {
            ManifestWrite::Always => Some(manifest.updated_text()),
            ManifestWrite::IfOutdated => {
                let outdated = manifest.schema_on_disk < SCHEMA
                    || manifest
                        .doc
                        .get("scaffold_version")
                        .and_then(|v| v.as_str())
                        != Some(SCAFFOLD_VERSION);
                outdated.then(|| manifest.updated_text())
            }
        };
        if changes.writes_anything(&lock) || manifest_text.is_some() {
            written = apply::apply_changes(
                root,
                &changes,
                manifest_text.as_deref(),
                &changes.lock.to_toml(),
            )?;
        }
    }

    let status = status_of(&changes, mode);
    match format {
        FormatArg::Json => printer.data(&json_report(&changes, mode, status)),
        FormatArg::Text => text_report(&changes, mode, written, status, printer),
    }
    let pyproject_written = changes
        .files
        .iter()
        .any(|c| c.path.as_str() == PYPROJECT && matches!(c.write, Write::Content(_)));
    if mode == Mode::Write && relock && pyproject_written && format == FormatArg::Text {
        finish::relock(root, printer);
    }
    Ok(status)
}

fn status_of(changes: &Changes, mode: Mode) -> ExitStatus {
    let conflicts = changes.conflicts().next().is_some();
    let failed = match mode {
        Mode::Write | Mode::DryRun => conflicts,
        Mode::Check { strict } => changes
            .files
            .iter()
            .any(|c| c.is_drift() || (strict && c.is_tampered())),
    };
    if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

/// A unified diff from the file on disk to what `regen` leaves (or, strict, the render).
fn diff_of(change: &Change) -> Option<String> {
    let after = change.after()?;
    let before = change.disk.as_deref().unwrap_or("");
    if before == after {
        return None;
    }
    let old = if change.disk.is_some() {
        format!("a/{}", change.path)
    } else {
        "/dev/null".to_owned()
    };
    let new = if after.is_empty() && change.render.is_none() {
        "/dev/null".to_owned()
    } else {
        format!("b/{}", change.path)
    };
    Some(
        similar::TextDiff::from_lines(before, after)
            .unified_diff()
            .context_radius(3)
            .header(&old, &new)
            .to_string(),
    )
}

fn text_report(
    changes: &Changes,
    mode: Mode,
    written: usize,
    status: ExitStatus,
    printer: &Printer,
) {
    let strict = matches!(mode, Mode::Check { strict: true });
    let mut counts: std::collections::BTreeMap<Action, usize> = Default::default();
    for change in &changes.files {
        // A user-owned file that is simply left alone is not news.
        let quiet = change.action == Action::Unchanged
            || (change.action == Action::Keep && change.owner == Owner::User);
        if !quiet {
            *counts.entry(change.action).or_default() += 1;
        }
        let shown = !quiet;
        let line = format!(
            "{:<9} {}  ({})",
            change.action.as_str(),
            change.path,
            change.reason
        );
        match mode {
            Mode::Write => {
                if change.action == Action::Conflict {
                    printer.line(&format!("conflict  {}: {}", change.path, change.reason));
                } else if shown {
                    printer.line(&format!("  {line}"));
                } else {
                    printer.verbose(&format!("  {line}"));
                }
            }
            Mode::DryRun => {
                if shown {
                    printer.data(&format!("{line}\n"));
                }
            }
            Mode::Check { .. } => {
                if change.is_drift() {
                    printer.line(&format!(
                        "would {}: {} ({})",
                        change.action, change.path, change.reason
                    ));
                } else if strict && change.is_tampered() {
                    printer.line(&format!(
                        "differs from its render: {} ({})",
                        change.path, change.reason
                    ));
                }
            }
        }
        let wants_diff = mode != Mode::Write
            && (change.is_drift() || (strict && change.is_tampered()) || mode == Mode::DryRun);
        if let Some(diff) = diff_of(change).filter(|_| wants_diff) {
            printer.data(&diff);
        }
    }
    let summary = counts
        .iter()
        .filter(|(a, _)| **a != Action::Unchanged)
        .map(|(a, n)| format!("{n} {}", past(*a, mode)))
        .collect::<Vec<_>>()
        .join(", ");
    let conflicts = counts.get(&Action::Conflict).copied().unwrap_or(0);
    match mode {
        Mode::Write => {
            if written == 0 && counts.keys().all(|a| *a == Action::Keep) {
                printer.status("Up to date", &format!("{} files", changes.files.len()));
            } else {
                printer.status(
                    "Regenerated",
                    if summary.is_empty() {
                        "(lock only)"
                    } else {
                        &summary
                    },
                );
            }
            if conflicts > 0 {
                printer.line(&format!(
                    "{conflicts} conflict{}: resolve {}, then run `scaffold regen`",
                    if conflicts == 1 { "" } else { "s" },
                    if conflicts == 1 { "it" } else { "them" }
                ));
            }
        }
        Mode::DryRun => printer.status(
            "Would",
            &if summary.is_empty() {
                "change nothing".to_owned()
            } else {
                summary
            },
        ),
        Mode::Check { .. } => {
            if status == ExitStatus::Success {
                printer.status("Up to date", &format!("{} files", changes.files.len()));
            } else {
                printer.line("the project is not in line with `scaffold.toml`: run `scaffold regen` (or resolve the conflicts)");
            }
        }
    }
}

fn past(action: Action, mode: Mode) -> String {
    let word = match action {
        Action::Create => "created",
        Action::Update => "updated",
        Action::Merge => "merged",
        Action::Delete => "deleted",
        Action::Conflict => "conflicts",
        Action::Keep => "kept",
        Action::Unchanged => "unchanged",
    };
    match (mode, action) {
        (Mode::Write, _) | (_, Action::Conflict) | (_, Action::Keep) => word.to_owned(),
        _ => format!("to be {word}"),
    }
}

/// The `--format json` document. Stable: `schema_version` changes if a field changes meaning.
#[derive(Serialize)]
struct JsonReport<'a> {
    schema_version: u32,
    mode: &'static str,
    /// `ok` (exit 0) or `failed` (exit 1: drift, or conflicts left).
    status: &'static str,
    files: Vec<JsonFile<'a>>,
    conflicts: Vec<JsonConflict<'a>>,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: &'a str,
    owner: &'static str,
    action: &'static str,
    reason: &'a str,
    /// A managed file whose content differs from its render (what `--strict` fails on).
    differs_from_render: bool,
    /// Unified diff from disk to the result (`check` and `dry-run`), else null.
    diff: Option<String>,
}

#[derive(Serialize)]
struct JsonConflict<'a> {
    path: &'a str,
    reason: &'a str,
}

fn json_report(changes: &Changes, mode: Mode, status: ExitStatus) -> String {
    let report = JsonReport {
        schema_version: 1,
        mode: mode.as_str(),
        status: if status == ExitStatus::Success {
            "ok"
        } else {
            "failed"
        },
        files: changes
            .files
            .iter()
            .map(|c| JsonFile {
                path: c.path.as_str(),
                owner: c.owner.as_str(),
                action: c.action.as_str(),
                reason: &c.reason,
                differs_from_render: c.is_tampered(),
                diff: if mode == Mode::Write {
                    None
                } else {
                    diff_of(c)
                },
            })
            .collect(),
        conflicts: changes
            .conflicts()
            .map(|c| JsonConflict {
                path: c.path.as_str(),
                reason: &c.reason,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}
