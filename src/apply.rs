//! Applying a plan: the only code that writes a project to disk.
//!
//! Files are written in path order, each through a temp file and a rename; the manifest follows
//! and the lock is written last (both durably), so a lock on disk describes files that were
//! fully written.

use std::path::Path;

use crate::error::Result;
use crate::fs;
use crate::lock::LOCK_FILE;
use crate::manifest::MANIFEST_FILE;
use crate::plan::Plan;

/// Writes a new project into `root` (absent or empty, checked by the caller beforehand).
pub fn create_project(root: &Path, plan: &Plan, manifest: &str, lock: &str) -> Result<()> {
    fs::create_root(root)?;
    for (rel, file) in plan.iter() {
        fs::create_parents(root, rel)?;
        fs::write_new(&root.join(rel.as_str()), &file.content)?;
    }
    fs::write_atomic(&root.join(MANIFEST_FILE), manifest)?;
    fs::write_atomic(&root.join(LOCK_FILE), lock)
}
