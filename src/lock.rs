//! `scaffold.lock`: for every file `scaffold` wrote, its owner, hash and base content.
//!
//! The base (the content last written) is what a later `regen` needs for a three-way merge:
//! templates are embedded in the binary, so an old render cannot be re-created after an upgrade.
//! Serialization is deterministic: files sorted by path, fixed key order, `toml_edit` choosing
//! the string style. `Lock::parse` reads it back and refuses a lock whose hashes do not match,
//! whose paths leave the project, or that is not valid TOML (a truncated lock): exit 2 naming
//! the file, never a silent reset.
//!
//! # Which base is stored after each `regen` action
//!
//! `base` is "the render this file was last brought in line with", and `sha256` is its hash.
//! Usually that is also exactly what `scaffold` last wrote; after a merge it is not, on purpose:
//!
//! | action | new base | why |
//! | --- | --- | --- |
//! | create, update, recreate, unchanged | the new render | disk = render |
//! | keep (hand edit, render = base) | the old base | nothing changed on scaffold's side |
//! | clean merge | the **new render** | the merged file is the user's edits on top of it; the next regen diffs the new render against this one |
//! | conflict written (markers) | the **new render** | once the user resolves the markers, their file is a hand edit of the new render; keeping the old base would merge the same change again |
//! | conflict, not written (markers left, or a file the lock did not know) | the old entry (or none) | nothing was written |
//! | user-owned, kept | the old base | needed only to tell an unedited file apart when its resource is removed |
//! | no longer rendered: deleted | dropped | |
//! | no longer rendered: hand-edited, kept | the old entry | it is reported as a conflict until the user deletes the file |

use std::path::Path;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use crate::error::{Error, Result};
use crate::plan::{Owner, Plan};
use crate::relpath::RelPath;
use crate::version::SCAFFOLD_VERSION;

/// The lock format version this binary writes and reads.
pub const LOCK_VERSION: i64 = 1;

/// The file name of the lock, at the project root.
pub const LOCK_FILE: &str = "scaffold.lock";

const HEADER: &str = "# Written by scaffold. Do not edit: it holds the base of every generated file for three-way merges.\n";

/// One file recorded in the lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockedFile {
    /// Checked by [`RelPath::new`] when parsed: a hostile lock cannot name a path outside.
    pub path: RelPath,
    pub owner: Owner,
    /// Lowercase hex SHA-256 of `base`.
    pub sha256: String,
    /// The content `scaffold` last wrote.
    pub base: String,
}

/// The whole lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lock {
    pub scaffold_version: String,
    /// Sorted by path.
    pub files: Vec<LockedFile>,
}

/// Lowercase hex SHA-256 of `content`.
pub fn sha256_hex(content: &str) -> String {
    format!("{:x}", Sha256::digest(content.as_bytes()))
}

impl Lock {
    /// The lock recording every file of `plan` as written.
    pub fn from_plan(plan: &Plan) -> Self {
        let files = plan
            .iter()
            .map(|(path, file)| LockedFile {
                path: path.clone(),
                owner: file.owner,
                sha256: sha256_hex(&file.content),
                base: file.content.clone(),
            })
            .collect();
        Lock {
            scaffold_version: SCAFFOLD_VERSION.to_owned(),
            files,
        }
    }

    /// The entry for `path`, if any.
    pub fn get(&self, path: &str) -> Option<&LockedFile> {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.files[i])
    }

    /// The lock as TOML text, byte-identical for equal locks.
    pub fn to_toml(&self) -> String {
        let mut doc = DocumentMut::new();
        doc["version"] = value(LOCK_VERSION);
        doc["scaffold_version"] = value(self.scaffold_version.as_str());
        let mut files = ArrayOfTables::new();
        let mut sorted: Vec<&LockedFile> = self.files.iter().collect();
        sorted.sort_by(|a, b| a.path.cmp(&b.path));
        for file in sorted {
            let mut table = Table::new();
            table["path"] = value(file.path.as_str());
            table["owner"] = value(file.owner.as_str());
            table["sha256"] = value(file.sha256.as_str());
            table["base"] = value(file.base.as_str());
            files.push(table);
        }
        doc["file"] = Item::ArrayOfTables(files);
        format!("{HEADER}{doc}")
    }

    /// Parses lock text read from `path` (used in error messages).
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let bad = |message: String| Error::Lock {
            path: path.to_owned(),
            message,
        };
        // A newer scaffold's lock may have fields this one does not know: look at its version
        // first, and refuse it as the manifest's newer schema is refused.
        if let Ok(table) = text.parse::<toml::Table>()
            && let Some(version) = table.get("version").and_then(toml::Value::as_integer)
            && version > LOCK_VERSION
        {
            return Err(Error::LockTooNew {
                path: path.to_owned(),
                version,
                known: LOCK_VERSION,
                wanted: table
                    .get("scaffold_version")
                    .and_then(toml::Value::as_str)
                    .map(str::to_owned),
            });
        }
        let raw: RawLock = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        if raw.version != LOCK_VERSION {
            return Err(bad(format!(
                "lock version {} is not supported by this scaffold (it reads version {LOCK_VERSION})",
                raw.version
            )));
        }
        let mut files = Vec::with_capacity(raw.file.len());
        for file in raw.file {
            // A hostile lock must not make `regen` read, write or delete outside the project.
            let rel = RelPath::new(&file.path).map_err(|e| bad(e.to_string()))?;
            if file.path == LOCK_FILE || file.path == crate::manifest::MANIFEST_FILE {
                return Err(bad(format!("`{}` cannot be a generated file", file.path)));
            }
            let owner = Owner::from_str_opt(&file.owner)
                .ok_or_else(|| bad(format!("`{}`: unknown owner `{}`", file.path, file.owner)))?;
            if sha256_hex(&file.base) != file.sha256 {
                return Err(bad(format!(
                    "`{}`: sha256 does not match its base",
                    file.path
                )));
            }
            files.push(LockedFile {
                path: rel,
                owner,
                sha256: file.sha256,
                base: file.base,
            });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        if files.windows(2).any(|w| w[0].path == w[1].path) {
            return Err(bad("a path is listed twice".into()));
        }
        Ok(Lock {
            scaffold_version: raw.scaffold_version,
            files,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLock {
    version: i64,
    scaffold_version: String,
    #[serde(default)]
    file: Vec<RawLockedFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLockedFile {
    path: String,
    owner: String,
    sha256: String,
    base: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::PlannedFile;

    fn plan() -> Plan {
        let mut plan = Plan::default();
        for (path, content, owner) in [
            ("b.py", "print('''x''')\n\"quoted\"\n", Owner::Managed),
            ("a/empty", "", Owner::User),
            ("c.txt", "tab\there\r\nbackslash \\ done\n", Owner::Managed),
        ] {
            plan.insert(
                RelPath::new(path).unwrap(),
                PlannedFile {
                    content: content.into(),
                    owner,
                },
            )
            .unwrap();
        }
        plan
    }

    #[test]
    fn round_trips_and_sorts() {
        let lock = Lock::from_plan(&plan());
        let text = lock.to_toml();
        assert!(text.starts_with("# Written by scaffold."));
        let back = Lock::parse(&text, Path::new("scaffold.lock")).unwrap();
        assert_eq!(back, lock);
        let paths: Vec<_> = back.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["a/empty", "b.py", "c.txt"]);
    }

    #[test]
    fn refuses_a_tampered_hash() {
        let lock = Lock::from_plan(&plan());
        let text = lock
            .to_toml()
            .replace(&lock.files[1].sha256, &"0".repeat(64));
        let err = Lock::parse(&text, Path::new("x/scaffold.lock")).unwrap_err();
        assert!(err.to_string().contains("x/scaffold.lock"), "{err}");
    }

    #[test]
    fn refuses_truncated_and_escaping_locks() {
        let text = Lock::from_plan(&plan()).to_toml();
        let truncated = &text[..text.len() / 2];
        let err = Lock::parse(truncated, Path::new("scaffold.lock")).unwrap_err();
        assert!(err.to_string().contains("scaffold.lock"), "{err}");
        let escaping = text.replace("path = \"b.py\"", "path = \"../b.py\"");
        assert!(Lock::parse(&escaping, Path::new("scaffold.lock")).is_err());
    }

    /// A newer scaffold's lock, with a field this one does not know, is refused as too new
    /// (install the newer one), not as broken (restore it from version control).
    #[test]
    fn refuses_a_newer_lock_as_too_new() {
        let text = "version = 2\nscaffold_version = \"9.0.0\"\nnew_field = true\n";
        let err = Lock::parse(text, Path::new("scaffold.lock")).unwrap_err();
        assert!(
            matches!(err, Error::LockTooNew { version: 2, .. }),
            "{err:?}"
        );
        assert!(
            err.hints()[0].contains("install scaffold 9.0.0 or newer"),
            "{:?}",
            err.hints()
        );
    }

    #[test]
    fn known_hash() {
        assert_eq!(
            sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
