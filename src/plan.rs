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

    /// A managed file that imports the Python module at `path` (`src/orders/routes.py` is
    /// `orders.routes`): without that module, the managed code fails to import.
    pub fn importer_of(&self, path: &RelPath) -> Option<&RelPath> {
        let module = path
            .as_str()
            .strip_prefix("src/")?
            .strip_suffix(".py")?
            .trim_end_matches("/__init__")
            .replace('/', ".");
        let from = format!("from {module} import ");
        let import = format!("import {module}");
        self.files
            .iter()
            .filter(|(p, f)| f.owner == Owner::Managed && *p != path)
            .find(|(_, f)| {
                f.content.lines().any(|line| {
                    let line = line.trim_start();
                    line.starts_with(&from)
                        || line
                            .strip_prefix(&import)
                            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\n']))
                })
            })
            .map(|(p, _)| p)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(files: &[(&str, Owner, &str)]) -> Plan {
        let mut plan = Plan::default();
        for (path, owner, content) in files {
            let file = PlannedFile {
                content: (*content).to_owned(),
                owner: *owner,
            };
            plan.insert(RelPath::new(path).unwrap(), file).unwrap();
        }
        plan
    }

    #[test]
    fn a_module_is_imported_by_managed_files_only_by_its_whole_name() {
        let routes = RelPath::new("src/orders/routes.py").unwrap();
        let jobs = RelPath::new("src/orders/jobs/__init__.py").unwrap();
        for (importer, found) in [
            ("from orders.routes import register_routes\n", true),
            ("    import orders.routes\n", true),
            ("import orders.routes as r\n", true),
            ("from orders.routes_extra import x\n", false),
            ("import orders.routes_extra\n", false),
            ("# from orders.routes import x\n", false),
        ] {
            let p = plan(&[
                ("src/orders/app.py", Owner::Managed, importer),
                ("src/orders/routes.py", Owner::User, ""),
            ]);
            assert_eq!(p.importer_of(&routes).is_some(), found, "{importer}");
        }
        // A user file's imports do not count; a package is its `__init__.py`.
        let p = plan(&[
            (
                "src/orders/mine.py",
                Owner::User,
                "from orders.routes import x\n",
            ),
            (
                "src/orders/service.py",
                Owner::Managed,
                "from orders.jobs import workers\n",
            ),
        ]);
        assert_eq!(p.importer_of(&routes), None);
        assert_eq!(
            p.importer_of(&jobs).map(RelPath::as_str),
            Some("src/orders/service.py")
        );
    }
}
