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

/// The crash tests' hidden knobs (not in `--help`): after this many writes (and, for `new`,
/// moves into place) the run fails as a write would, cleaning up as it would then...
const FAIL_AFTER_ENV: &str = "SCAFFOLD_INTERNAL_FAIL_AFTER_WRITES";
/// ...or exits at once, with no cleanup at all, as a SIGKILL (or a power cut) would leave it.
const KILL_AFTER_ENV: &str = "SCAFFOLD_INTERNAL_KILL_AFTER_WRITES";

/// The exit status of a run stopped by [`KILL_AFTER_ENV`]: a SIGKILL's (128 + 9).
const KILLED_STATUS: i32 = 137;

/// Counts the writes of one command against the knobs.
struct Faults {
    done: usize,
    fail_after: Option<usize>,
    kill_after: Option<usize>,
}

impl Faults {
    fn from_env() -> Self {
        let knob = |name| std::env::var(name).ok().and_then(|v| v.parse().ok());
        Faults {
            done: 0,
            fail_after: knob(FAIL_AFTER_ENV),
            kill_after: knob(KILL_AFTER_ENV),
        }
    }

    /// Called before each write or move.
    fn before_write(&mut self) -> Result<()> {
        if self.kill_after == Some(self.done) {
            std::process::exit(KILLED_STATUS);
        }
        if self.fail_after == Some(self.done) {
            return Err(Error::Injected { writes: self.done });
        }
        self.done += 1;
        Ok(())
    }
}

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
    let mut faults = Faults::from_env();
    if let Some(text) = manifest {
        fs::write_atomic(&root.join(MANIFEST_FILE), text)?;
    }
    // Past this point the manifest holds the change: an error says so, and how to finish.
    write_files(root, changes, lock, &mut faults).map_err(|e| match manifest {
        Some(_) => Error::AfterManifest { inner: Box::new(e) },
        None => e,
    })
}

/// Removes what a killed `new .` left staged inside the project, once a `regen` (or `add`,
/// `remove`) has brought the project in line: the rest of its files are not needed any more.
pub fn remove_leftover_staging(root: &Path) {
    fs::remove_stale_staging(root, "");
}

/// The files of `changes`, then the lock.
fn write_files(root: &Path, changes: &Changes, lock: &str, faults: &mut Faults) -> Result<usize> {
    let mut writes = 0;
    for change in &changes.files {
        if change.write == Write::Nothing {
            continue;
        }
        faults.before_write()?;
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
    let prefix = format!("{name}.");
    // What killed runs of this `new` left beside the target (the failed ones clean up).
    fs::remove_stale_staging(&parent, &prefix);
    let staging = fs::staging_dir(&parent, &prefix);
    let mut faults = Faults::from_env();
    let result = fs::create_root(&staging)
        .and_then(|()| write_new_project(&staging, plan, manifest, lock, &mut faults))
        .and_then(|()| faults.before_write())
        .and_then(|()| fs::move_into_place(&staging, root));
    result.map_err(|e| {
        let _ = std::fs::remove_dir_all(&staging);
        Error::NothingCreated {
            inner: Box::new(e.relocated(&staging, root)),
            target: root.to_owned(),
        }
    })
}

/// `new` into the (empty) working directory: the files are staged in a hidden directory inside
/// it, then each top-level entry is renamed into place, `scaffold.toml` first and
/// `scaffold.lock` last. A failed run removes what it moved. A killed one leaves either no
/// manifest (the directory counts as empty, and the same `new` runs again) or the manifest and
/// files equal to their render, which `scaffold regen` adopts, as after an `add`, removing the
/// rest of the staging directory.
fn fill_in_place(root: &Path, plan: &Plan, manifest: &str, lock: &str) -> Result<()> {
    fs::remove_stale_staging(root, "");
    let staging = fs::staging_dir(root, "");
    let mut faults = Faults::from_env();
    let mut moved = Vec::new();
    let result = fs::create_root(&staging).and_then(|()| {
        write_new_project(&staging, plan, manifest, lock, &mut faults)?;
        let mut entries = fs::entry_names(&staging)?;
        // The manifest first (the intent), the lock last (the record), as `add` writes them.
        entries.sort_by_key(|name| (name != MANIFEST_FILE, name == LOCK_FILE, name.clone()));
        for name in entries {
            faults.before_write()?;
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
            inner: Box::new(e.relocated(&staging, root)),
            target: root.to_owned(),
        }
    })
}

fn write_new_project(
    root: &Path,
    plan: &Plan,
    manifest: &str,
    lock: &str,
    faults: &mut Faults,
) -> Result<()> {
    for (rel, file) in plan.iter() {
        faults.before_write()?;
        fs::create_parents(root, rel)?;
        fs::write_new(&root.join(rel.as_str()), &file.content)?;
    }
    fs::write_atomic(&root.join(MANIFEST_FILE), manifest)?;
    fs::write_atomic(&root.join(LOCK_FILE), lock)
}
