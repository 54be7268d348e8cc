//! File-system access for the shell: target checks, safe directory creation, atomic writes.
//!
//! Every function here names the path it failed on. Writes go to a temp file beside the target
//! and are renamed over it (`atomic-write-file`: fsync, mode 0666 & umask, never through a
//! symlink), so a killed run leaves each file either old or new.

use std::fs;
use std::io::{ErrorKind, Write};
use std::path::Path;

use atomic_write_file::AtomicWriteFile;

use crate::error::{Error, Result};
use crate::relpath::RelPath;

/// Checks that `dir` is absent, or an empty directory.
pub fn check_target_dir(dir: &Path) -> Result<()> {
    match fs::metadata(dir) {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(dir, e)),
        Ok(meta) if !meta.is_dir() => Err(Error::TargetNotDirectory {
            path: dir.to_owned(),
        }),
        Ok(_) => {
            let mut entries = fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
            if entries.next().is_some() {
                Err(Error::TargetNotEmpty {
                    path: dir.to_owned(),
                })
            } else {
                Ok(())
            }
        }
    }
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
