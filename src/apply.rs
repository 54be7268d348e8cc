//! Applying a plan: the only code that writes a project to disk.
//!
//! Files are written in path order, each through a temp file and a rename; the manifest follows
//! and the lock is written last (both durably), so a lock on disk describes files that were
//! fully written.

use std::path::Path;

use crate::changes::{Changes, Write};
use crate::error::{Error, Result};
use crate::fs;
use crate::lock::LOCK_FILE;
use crate::manifest::MANIFEST_FILE;
use crate::plan::Plan;

/// A hidden knob for the crash tests: fail after this many file writes. Not in `--help`.
const FAIL_AFTER_ENV: &str = "SCAFFOLD_INTERNAL_FAIL_AFTER_WRITES";

/// Brings an existing project in line: the manifest first (if given), then every file write
/// and delete (each file through a temp file and a rename beside it), then the lock, last.
///
/// Order: the manifest is the intent, the lock the record of what was done. If the run stops
/// after the manifest, the next `regen` computes the same plan and finishes it; files already
/// written equal their render and are recognized as such. Every write re-checks that no
/// parent is a symlink or a file, so nothing is written outside `root`.
pub fn apply_changes(
    root: &Path,
    changes: &Changes,
    manifest: Option<&str>,
    lock: &str,
) -> Result<usize> {
    let fail_after: Option<usize> = std::env::var(FAIL_AFTER_ENV)
        .ok()
        .and_then(|v| v.parse().ok());
    if let Some(text) = manifest {
        fs::write_atomic(&root.join(MANIFEST_FILE), text)?;
    }
    // Past this point the manifest holds the change: an error says so, and how to finish.
    write_files(root, changes, lock, fail_after).map_err(|e| match manifest {
        Some(_) => Error::AfterManifest { inner: Box::new(e) },
        None => e,
    })
}

/// The files of `changes`, then the lock.
fn write_files(
    root: &Path,
    changes: &Changes,
    lock: &str,
    fail_after: Option<usize>,
) -> Result<usize> {
    let mut writes = 0;
    for change in &changes.files {
        if change.write == Write::Nothing {
            continue;
        }
        if fail_after == Some(writes) {
            return Err(Error::Injected { writes });
        }
        match &change.write {
            Write::Content(text) => {
                if let Some(reason) = fs::unsafe_parent(root, &change.path)? {
                    return Err(Error::UnsafePath {
                        path: change.path.to_string(),
                        reason,
                    });
                }
                fs::create_parents(root, &change.path)?;
                let path = root.join(change.path.as_str());
                if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
                    return Err(Error::UnsafePath {
                        path: change.path.to_string(),
                        reason: "it is a symlink".into(),
                    });
                }
                fs::write_atomic(&path, text)?;
            }
            Write::Delete => fs::remove_project_file(root, &change.path)?,
            Write::Nothing => {}
        }
        writes += 1;
    }
    fs::write_atomic(&root.join(LOCK_FILE), lock)?;
    Ok(writes)
}

/// Writes a new project at `root` (absent or empty, checked by the caller beforehand).
///
/// Everything is written into a staging directory beside `root`, which is then renamed into
/// place: a `new` that fails or is killed halfway leaves `root` as it was (absent or empty),
/// never half a project without its manifest that no command could recover. A failed run
/// removes its staging directory; a killed one leaves it, hidden and named for the project.
///
/// The working directory itself (`scaffold new .`) cannot be replaced: a shell in it would be
/// left in a deleted directory. It is filled in place instead ([`fill_in_place`]).
pub fn create_project(root: &Path, plan: &Plan, manifest: &str, lock: &str) -> Result<()> {
    if fs::is_current_dir(root) {
        return fill_in_place(root, plan, manifest, lock);
    }
    let parent = match root.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    fs::create_root(&parent)?;
    let name = root
        .file_name()
        .map_or_else(|| "project".into(), |n| n.to_string_lossy().into_owned());
    let staging = parent.join(format!(".{name}.scaffold-new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging); // a stale one of an earlier run with this pid
    fs::create_root(&staging)?;
    let result = write_new_project(&staging, plan, manifest, lock)
        .and_then(|()| fs::move_into_place(&staging, root));
    result.map_err(|e| {
        let _ = std::fs::remove_dir_all(&staging);
        Error::NothingCreated {
            inner: Box::new(e),
            target: root.to_owned(),
        }
    })
}

/// `new` into the (empty) working directory: the files are staged in a hidden directory inside
/// it, then each top-level entry is renamed into place, `scaffold.toml` first and
/// `scaffold.lock` last. A failed run removes what it moved. A killed one leaves the manifest
/// and files equal to their render, which `scaffold regen` adopts, as after an `add`.
fn fill_in_place(root: &Path, plan: &Plan, manifest: &str, lock: &str) -> Result<()> {
    let staging = root.join(format!(".scaffold-new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    fs::create_root(&staging)?;
    let mut moved = Vec::new();
    let result = write_new_project(&staging, plan, manifest, lock).and_then(|()| {
        let mut entries = fs::entry_names(&staging)?;
        // The manifest first (the intent), the lock last (the record), as `add` writes them.
        entries.sort_by_key(|name| (name != MANIFEST_FILE, name == LOCK_FILE, name.clone()));
        for name in entries {
            let to = root.join(&name);
            std::fs::rename(staging.join(&name), &to).map_err(|e| Error::io(&to, e))?;
            moved.push(to);
        }
        std::fs::remove_dir(&staging).map_err(|e| Error::io(&staging, e))
    });
    result.map_err(|e| {
        for path in moved.iter().rev() {
            let _ = std::fs::remove_dir_all(path).or_else(|_| std::fs::remove_file(path));
        }
        let _ = std::fs::remove_dir_all(&staging);
        Error::NothingCreated {
            inner: Box::new(e),
            target: root.to_owned(),
        }
    })
}

fn write_new_project(root: &Path, plan: &Plan, manifest: &str, lock: &str) -> Result<()> {
    let fail_after: Option<usize> = std::env::var(FAIL_AFTER_ENV)
        .ok()
        .and_then(|v| v.parse().ok());
    for (writes, (rel, file)) in plan.iter().enumerate() {
        if fail_after == Some(writes) {
            return Err(Error::Injected { writes });
        }
        fs::create_parents(root, rel)?;
        fs::write_new(&root.join(rel.as_str()), &file.content)?;
    }
    fs::write_atomic(&root.join(MANIFEST_FILE), manifest)?;
    fs::write_atomic(&root.join(LOCK_FILE), lock)
}
