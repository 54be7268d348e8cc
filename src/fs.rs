//! File-system access for the shell: the manifest and lock reads, target checks, safe directory
//! creation, atomic writes.
//!
//! Every function here names the path it failed on. Writes go to a temp file beside the target
//! and are renamed over it, so a killed run leaves each file either old or new (or absent).
//! `write_atomic` is durable (`atomic-write-file`: fsync of file and directory, mode
//! 0666 & umask, never through a symlink) and is used for the manifest and lock and for files
//! that already exist. `write_new` skips the fsyncs, for files of a project being created in a
//! fresh directory: there is no old content to lose, and two fsyncs per file were two thirds of
//! the time of `scaffold new`.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use atomic_write_file::AtomicWriteFile;

use crate::changes::DiskFile;
use crate::error::{Error, Result};
use crate::lock::{LOCK_FILE, Lock};
use crate::manifest::{MANIFEST_FILE, Manifest};
use crate::relpath::RelPath;

/// Reads and validates the manifest of the project at `root`.
pub fn read_manifest(root: &Path) -> Result<Manifest> {
    let path = root.join(MANIFEST_FILE);
    let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
    Manifest::from_bytes(&bytes, &path)
}

/// Reads and validates the lock of the project at `root`; `None` when there is none.
pub fn read_lock(root: &Path) -> Result<Option<Lock>> {
    let path = root.join(LOCK_FILE);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let text = String::from_utf8(bytes).map_err(|_| Error::Lock {
        path: path.clone(),
        message: "the file is not UTF-8 text".into(),
    })?;
    Lock::parse(&text, &path).map(Some)
}

/// `start` or the nearest parent holding `pyproject.toml`, if any (where `scaffold audit` looks
/// for its configuration and, given no path, what it audits).
pub fn find_python_root(start: &Path) -> Option<std::path::PathBuf> {
    start
        .ancestors()
        .find(|d| d.join("pyproject.toml").is_file())
        .map(Path::to_path_buf)
}

/// The text of a file to audit or configure from; `Ok(None)` when it is not UTF-8.
pub fn read_text(path: &Path) -> Result<Option<String>> {
    let bytes = fs::read(path).map_err(|e| Error::io(path, e))?;
    Ok(String::from_utf8(bytes).ok())
}

/// The project root: `start` or the nearest parent holding `scaffold.toml` (as cargo finds
/// `Cargo.toml`).
pub fn find_root(start: &Path) -> Result<std::path::PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        match fs::symlink_metadata(d.join(MANIFEST_FILE)) {
            Ok(_) => return Ok(d.to_path_buf()),
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(d.join(MANIFEST_FILE), e)),
        }
        dir = d.parent();
    }
    Err(Error::ManifestNotFound {
        start: start.to_path_buf(),
    })
}

/// Why a path under `root` must not be used: a parent that exists and is not a real directory
/// (a symlink could lead outside the root). `None` when every existing parent is a directory.
pub fn unsafe_parent(root: &Path, rel: &RelPath) -> Result<Option<String>> {
    let mut dir = root.to_path_buf();
    let parts: Vec<&str> = rel.as_str().split('/').collect();
    for part in &parts[..parts.len() - 1] {
        dir.push(part);
        match fs::symlink_metadata(&dir) {
            Ok(meta) if meta.file_type().is_dir() => {}
            Ok(meta) if meta.file_type().is_symlink() => {
                return Ok(Some(format!(
                    "`{}` is a symlink",
                    dir.strip_prefix(root).unwrap_or(&dir).display()
                )));
            }
            Ok(_) => {
                return Ok(Some(format!(
                    "`{}` is not a directory",
                    dir.strip_prefix(root).unwrap_or(&dir).display()
                )));
            }
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&dir, e)),
        }
    }
    Ok(None)
}

/// Reads a project file for `regen`, never through a symlink.
pub fn read_project_file(root: &Path, rel: &RelPath) -> Result<DiskFile> {
    if let Some(why) = unsafe_parent(root, rel)? {
        return Ok(DiskFile::Unusable(why));
    }
    let path = root.join(rel.as_str());
    match fs::symlink_metadata(&path) {
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(DiskFile::Missing),
        Err(e) => return Err(Error::io(&path, e)),
        Ok(meta) if meta.file_type().is_symlink() => {
            return Ok(DiskFile::Unusable("it is a symlink".into()));
        }
        Ok(meta) if !meta.is_file() => {
            return Ok(DiskFile::Unusable("it is not a regular file".into()));
        }
        Ok(_) => {}
    }
    let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => DiskFile::Text(text),
        Err(_) => DiskFile::Unusable("it is not UTF-8 text".into()),
    })
}

/// Removes a project file, then its parent directories up to `root` that are left empty.
pub fn remove_project_file(root: &Path, rel: &RelPath) -> Result<()> {
    if let Some(why) = unsafe_parent(root, rel)? {
        return Err(Error::UnsafePath {
            path: rel.to_string(),
            reason: why,
        });
    }
    let path = root.join(rel.as_str());
    match fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&path, e)),
    }
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    Ok(())
}

/// Checks that `dir` is absent, or an empty directory.
pub fn check_target_dir(dir: &Path) -> Result<()> {
    // `--dir notes.txt/orders`: say which part is a file, not "check the permissions".
    if let Some(file) = dir
        .ancestors()
        .skip(1)
        .find(|a| !a.as_os_str().is_empty() && fs::metadata(a).is_ok_and(|m| !m.is_dir()))
    {
        return Err(Error::TargetNotDirectory {
            path: file.to_owned(),
        });
    }
    match fs::metadata(dir) {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(dir, e)),
        Ok(meta) if !meta.is_dir() => Err(Error::TargetNotDirectory {
            path: dir.to_owned(),
        }),
        Ok(_) => {
            // What a killed `new .` staged in it does not count: that `new` is run again.
            let names = entry_names(dir)?;
            if names.iter().any(|name| !is_staging_name(name, "")) {
                Err(Error::TargetNotEmpty {
                    path: dir.to_owned(),
                    is_project: dir.join(crate::manifest::MANIFEST_FILE).is_file(),
                })
            } else {
                Ok(())
            }
        }
    }
}

/// The hidden directory `new` stages a project in, inside `dir`: `.<prefix>scaffold-new-<pid>`
/// (`prefix` is `<name>.` for one beside the target, empty for one inside the target).
pub fn staging_dir(dir: &Path, prefix: &str) -> PathBuf {
    dir.join(format!(".{prefix}scaffold-new-{}", std::process::id()))
}

/// Whether `name` is that of a staging directory with `prefix`, of any process.
fn is_staging_name(name: &str, prefix: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|rest| rest.strip_prefix(prefix))
        .and_then(|rest| rest.strip_prefix("scaffold-new-"))
        .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// Removes the staging directories with `prefix` that killed runs of `new` left in `dir`.
/// Best effort: what cannot be removed stays, hidden, and is tried again next time.
pub fn remove_stale_staging(dir: &Path, prefix: &str) {
    let Ok(names) = entry_names(dir) else {
        return;
    };
    for name in names.iter().filter(|n| is_staging_name(n, prefix)) {
        let path = dir.join(name);
        if fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

/// Renames the directory `from` to `to`, which is absent or an empty directory (removed first:
/// not every platform renames over one).
pub fn move_into_place(from: &Path, to: &Path) -> Result<()> {
    if fs::symlink_metadata(to).is_ok_and(|m| m.is_dir()) {
        fs::remove_dir(to).map_err(|e| Error::io(to, e))?;
    }
    fs::rename(from, to).map_err(|e| Error::io(to, e))
}

/// Whether `dir` is the working directory (`.`, or a path that resolves to it).
pub fn is_current_dir(dir: &Path) -> bool {
    match (
        fs::canonicalize(dir),
        std::env::current_dir().and_then(fs::canonicalize),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The names of the entries of `dir`.
pub fn entry_names(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    Ok(names)
}

/// Creates `dir` and its missing parents.
pub fn create_root(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))
}

/// Creates the parent directories of `rel` under `root`, one component at a time, refusing any
/// component that exists and is not a real directory (a symlink could lead outside the root).
pub fn create_parents(root: &Path, rel: &RelPath) -> Result<()> {
    let mut dir = root.to_path_buf();
    let parts: Vec<&str> = rel.as_str().split('/').collect();
    for part in &parts[..parts.len() - 1] {
        dir.push(part);
        match fs::symlink_metadata(&dir) {
            Ok(meta) if meta.file_type().is_dir() => {}
            Ok(_) => {
                return Err(Error::UnsafePath {
                    path: rel.to_string(),
                    reason: format!("`{}` exists and is not a directory", dir.display()),
                });
            }
            Err(e) if e.kind() == ErrorKind::NotFound => {
                fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
            }
            Err(e) => return Err(Error::io(&dir, e)),
        }
    }
    Ok(())
}

/// Writes `content` to `path` through a temp file beside it and a rename.
pub fn write_atomic(path: &Path, content: &str) -> Result<()> {
    let wrap = |source| Error::Write {
        path: path.to_owned(),
        source,
    };
    let mut file = AtomicWriteFile::open(path).map_err(wrap)?;
    file.write_all(content.as_bytes()).map_err(wrap)?;
    file.commit().map_err(wrap)
}

/// Writes a file that must not exist yet: a temp file beside it (created exclusively, so never
/// through a symlink), then a rename onto a name that is checked to be free. No fsync.
pub fn write_new(path: &Path, content: &str) -> Result<()> {
    let wrap = |source| Error::Write {
        path: path.to_owned(),
        source,
    };
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(wrap(e)),
        Ok(_) => {
            return Err(wrap(std::io::Error::new(
                ErrorKind::AlreadyExists,
                "the file already exists",
            )));
        }
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.scaffold-tmp"));
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut file| file.write_all(content.as_bytes()));
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(wrap(e));
    }
    fs::rename(&temp, path).map_err(|e| {
        let _ = fs::remove_file(&temp);
        wrap(e)
    })
}
