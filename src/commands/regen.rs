//! `scaffold regen [--check [--strict]] [--dry-run] [--format text|json]`, shaped like
//! `ruff format`: a mode, a result per file (`changes::Change`), the exit status from the results.
//!
//! Manifest → Project → Plan → Changes (all in memory; any error stops before a write) →
//! report, and in write mode `apply::apply_changes`. `add` and `remove` end here too.
//!
//! What it prints is [`crate::report`]'s (text lines, the `--format json` document, the status).

use std::path::Path;

use crate::apply;
use crate::changes::{self, Write};
use crate::cli::{FormatArg, RegenArgs};
use crate::error::{Error, Result};
use crate::finish;
use crate::fs;
use crate::lock::{LOCK_FILE, Lock};
use crate::manifest::{Manifest, SCHEMA};
use crate::plan::Owner;
use crate::printer::Printer;
use crate::render;
use crate::report::{self, Line, Mode};
use crate::status::ExitStatus;
use crate::version::SCAFFOLD_VERSION;

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
    let manifest = fs::read_manifest(&root)?;
    refuse_downgrade(&manifest)?;
    Ok((root, manifest))
}

/// A project last rendered by a newer scaffold is not touched (nor checked) by this one: its
/// templates are older, so `regen` would undo the newer render, and `--check` would report it.
fn refuse_downgrade(manifest: &Manifest) -> Result<()> {
    let recorded = manifest.recorded_version().unwrap_or_default();
    if crate::version::is_newer(recorded, SCAFFOLD_VERSION) == Some(true) {
        return Err(Error::VersionTooNew {
            path: manifest.path.clone(),
            project: recorded.to_owned(),
            current: SCAFFOLD_VERSION.to_owned(),
        });
    }
    Ok(())
}

/// Whether `scaffold.lock` records less than the manifest renders of the files scaffold keeps
/// in line (the user's own, made once, are not re-rendered): a command stopped between
/// the two (they are written first and last), or a newer scaffold whose `regen` has not run.
pub fn lock_is_behind(root: &Path, manifest: &Manifest) -> Result<bool> {
    let plan = render::render(&manifest.project)?;
    let lock = fs::read_lock(root)?.unwrap_or_else(|| Lock {
        scaffold_version: SCAFFOLD_VERSION.to_owned(),
        files: Vec::new(),
    });
    Ok(plan
        .iter()
        .filter(|(_, file)| file.owner == Owner::Managed)
        .any(|(path, file)| {
            lock.get(path.as_str())
                .is_none_or(|l| l.base != file.content)
        }))
}

/// The file whose changes make `uv.lock` stale.
const PYPROJECT: &str = "pyproject.toml";

/// Whether the manifest is written along with the files.
#[derive(Clone, Copy, Debug)]
pub enum ManifestWrite<'a> {
    /// Only if it was migrated from an older schema or names an older scaffold.
    IfOutdated,
    /// Always: `add` or `remove` edited it, and this is the manifest on disk they started from.
    Edited { on_disk: &'a Manifest },
}

/// Renders, computes the changes, reports them and (in write mode) applies them.
pub fn execute(
    root: &Path,
    manifest: &Manifest,
    manifest_write: ManifestWrite<'_>,
    mode: Mode,
    format: FormatArg,
    relock: bool,
    printer: &Printer,
) -> Result<ExitStatus> {
    let lock = match fs::read_lock(root)? {
        Some(lock) => lock,
        None => {
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
    };
    // An edit starts from the project as the last command left it, finished or not.
    let lock = match manifest_write {
        ManifestWrite::Edited { on_disk } => {
            let written = render::render(&on_disk.project)?;
            changes::adopt_written(&lock, &written, |rel| {
                fs::read_project_file(root, rel)
                    .unwrap_or_else(|_| changes::DiskFile::Unusable("unreadable".into()))
            })
        }
        ManifestWrite::IfOutdated => lock,
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
            ManifestWrite::Edited { .. } => Some(manifest.updated_text()),
            ManifestWrite::IfOutdated => {
                let outdated = manifest.schema_on_disk < SCHEMA
                    || manifest.recorded_version() != Some(SCAFFOLD_VERSION);
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
        apply::remove_leftover_staging(root);
    }

    // `add --dry-run`, `remove --dry-run`: the manifest edit is part of the plan.
    let edited = matches!(manifest_write, ManifestWrite::Edited { .. });
    if mode == Mode::DryRun && edited && format == FormatArg::Text {
        let before = fs::read_text(&manifest.path)?.unwrap_or_default();
        print(
            &report::manifest_edit(&before, &manifest.updated_text()),
            printer,
        );
    }
    let status = report::status(&changes, mode);
    match format {
        FormatArg::Json => printer.data(&report::json(&changes, mode, status)),
        FormatArg::Text => print(&report::text(&changes, mode, written, status), printer),
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

fn print(lines: &[Line], printer: &Printer) {
    for line in lines {
        match line {
            Line::Status(verb, what) => printer.status(verb, what),
            Line::Note(text) => printer.line(text),
            Line::Verbose(text) => printer.verbose(text),
            Line::Data(text) => printer.data(text),
            Line::Diff(text) => printer.diff(text),
        }
    }
}
