//! `Plan`: every file a render produces, keyed by path, in path order.
//!
//! A plan is computed completely in memory before anything is written; `apply.rs` writes it
//! and `lock.rs` records it. Ordering by path makes every output built from it deterministic.

use std::collections::BTreeMap;
use std::fmt;

use crate::error::{Error, Result};
use crate::relpath::RelPath;

/// Who owns a generated file after it is first written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// Re-rendered by `scaffold regen`; hand edits are merged.
    Managed,
    /// Written once by `scaffold`, then the user's: never touched again.
    User,
}

impl Owner {
    /// The owner as written in `files.toml` and `scaffold.lock`.
    pub fn as_str(self) -> &'static str {
        match self {
            Owner::Managed => "managed",
            Owner::User => "user",
        }
    }

    /// Parses `managed` or `user`.
    pub fn from_str_opt(s: &str) -> Option<Self> {
        match s {
            "managed" => Some(Owner::Managed),
            "user" => Some(Owner::User),
            _ => None,
        }
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One file of a plan: its final content and its owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedFile {
    pub content: String,
    pub owner: Owner,
}

/// All files of a render, ordered by path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    files: BTreeMap<RelPath, PlannedFile>,
}

impl Plan {
    /// Adds a file; two files with one path is an error in the template table.
    pub fn insert(&mut self, path: RelPath, file: PlannedFile) -> Result<()> {
        if self.files.contains_key(&path) {
            return Err(Error::FileTable {
                message: format!("two entries render to `{path}`"),
            });
        }
        self.files.insert(path, file);
        Ok(())
    }

    /// The files in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&RelPath, &PlannedFile)> {
        self.files.iter()
    }

    /// The file at `path`, if planned.
    pub fn get(&self, path: &str) -> Option<&PlannedFile> {
        RelPath::new(path).ok().and_then(|p| self.files.get(&p))
    }

    /// How many files are planned.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether nothing is planned.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}
