//! What `regen` does to each file: Plan + Lock + the files on disk → one `Change` per path.
//!
//! Pure: the caller reads the disk (`fs::read_managed`) and passes the contents in. This is the
//! table of `shared/spec/cli.md` §3, in code; each arm of `plan_file` names its row. The whole
//! change set, conflicts included, is computed before anything is written, together with the
//! next lock (see `lock.rs` for which base each action stores).

use std::collections::BTreeSet;
use std::fmt;

use crate::lock::{Lock, LockedFile, sha256_hex};
use crate::merge::{self, MergeLabels, Merged};
use crate::plan::{Owner, Plan, PlannedFile};
use crate::relpath::RelPath;
use crate::version::SCAFFOLD_VERSION;

/// A file on disk, as `regen` sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiskFile {
    Missing,
    Text(String),
    /// Present but not something `regen` may read or replace (a symlink, a directory, not
    /// UTF-8, under a symlinked directory); the reason says which.
    Unusable(String),
}

/// What `regen` does to one file (the `action` of `--format json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Create,
    Update,
    Merge,
    Delete,
    Conflict,
    Keep,
    Unchanged,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Merge => "merge",
            Action::Delete => "delete",
            Action::Conflict => "conflict",
            Action::Keep => "keep",
            Action::Unchanged => "unchanged",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to do on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    Nothing,
    /// Write this content (temp file + rename).
    Content(String),
    Delete,
}

/// One file's row of the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub path: RelPath,
    pub owner: Owner,
    pub action: Action,
    /// Why, in a few words (shown per file and in JSON).
    pub reason: String,
    /// The content on disk now, if it is readable text.
    pub disk: Option<String>,
    /// The new render, if the path is still rendered.
    pub render: Option<String>,
    pub write: Write,
    /// The lock entry after this change (`None`: not in the next lock).
    pub lock: Option<LockedFile>,
}

impl Change {
    /// Whether `regen` would change this file, or it holds a conflict (`--check` fails).
    pub fn is_drift(&self) -> bool {
        !matches!(self.action, Action::Keep | Action::Unchanged)
    }

    /// A managed file whose content differs from its render (`--check --strict` fails).
    pub fn is_tampered(&self) -> bool {
        self.owner == Owner::Managed
            && self.action == Action::Keep
            && self.render.is_some()
            && self.disk.is_some()
            && self.disk != self.render
    }

    /// The content after `regen`, for diffs: what is written, or the render for a kept edit.
    pub fn after(&self) -> Option<&str> {
        match &self.write {
            Write::Content(c) => Some(c),
            Write::Delete => Some(""),
            Write::Nothing if self.is_tampered() => self.render.as_deref(),
            Write::Nothing => None,
        }
    }
}

/// The whole change set and the lock to write after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changes {
    /// In path order.
    pub files: Vec<Change>,
    pub lock: Lock,
}

impl Changes {
    /// The files reported as conflicts.
    pub fn conflicts(&self) -> impl Iterator<Item = &Change> {
        self.files.iter().filter(|c| c.action == Action::Conflict)
    }

    /// Whether there is anything to write (files or lock) compared with `old`.
    pub fn writes_anything(&self, old: &Lock) -> bool {
        self.files.iter().any(|c| c.write != Write::Nothing) || self.lock != *old
    }
}

/// The lock as it would be had the last command finished. A command stopped between
/// `scaffold.toml` and `scaffold.lock` (written first and last) leaves files written but not
/// recorded: each file whose disk content is its render of `written` (the plan of the manifest
/// on disk) is recorded with that render, and an entry whose file that plan no longer has and
/// the disk lacks is dropped. `regen` needs none of this (it adopts a file equal to its new
/// render); `add` and `remove` do, or they would take those files for hand edits.
pub fn adopt_written(
    lock: &Lock,
    written: &Plan,
    mut read: impl FnMut(&RelPath) -> DiskFile,
) -> Lock {
    let mut files: Vec<LockedFile> = Vec::with_capacity(lock.files.len());
    for locked in &lock.files {
        if written.get(locked.path.as_str()).is_none() && read(&locked.path) == DiskFile::Missing {
            continue; // removed by the stopped command
        }
        files.push(locked.clone());
    }
    for (path, planned) in written.iter() {
        let recorded = files.iter().position(|f| f.path == *path);
        if recorded
            .is_some_and(|i| files[i].base == planned.content && files[i].owner == planned.owner)
        {
            continue;
        }
        if read(path) != DiskFile::Text(planned.content.clone()) {
            continue;
        }
        let adopted = entry(path, planned.owner, &planned.content);
        match recorded {
            Some(i) => files[i] = adopted,
            None => files.push(adopted),
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Lock {
        scaffold_version: lock.scaffold_version.clone(),
        files,
    }
}

/// Computes every change; `read` returns what is on disk at a path.
pub fn compute(plan: &Plan, lock: &Lock, mut read: impl FnMut(&RelPath) -> DiskFile) -> Changes {
    let labels = MergeLabels::for_versions(&lock.scaffold_version, SCAFFOLD_VERSION);
    let mut paths: BTreeSet<RelPath> = plan.iter().map(|(p, _)| p.clone()).collect();
    paths.extend(lock.files.iter().map(|f| f.path.clone()));
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let disk = read(&path);
        let locked = lock.get(path.as_str());
        let change = match plan.get(path.as_str()) {
            Some(planned) => {
                let importer = match planned.owner {
                    Owner::User => plan.importer_of(&path).cloned(),
                    Owner::Managed => None,
                };
                plan_file(path, planned, locked, disk, importer.as_ref(), &labels)
            }
            None => match locked {
                Some(locked) => unrender_file(path, locked, disk),
                None => continue,
            },
        };
        files.push(change);
    }
    let lock = Lock {
        scaffold_version: SCAFFOLD_VERSION.to_owned(),
        files: files.iter().filter_map(|c| c.lock.clone()).collect(),
    };
    Changes { files, lock }
}

fn entry(path: &RelPath, owner: Owner, base: &str) -> LockedFile {
    LockedFile {
        path: path.clone(),
        owner,
        sha256: sha256_hex(base),
        base: base.to_owned(),
    }
}

/// A path the new render has.
fn plan_file(
    path: RelPath,
    planned: &PlannedFile,
    locked: Option<&LockedFile>,
    disk: DiskFile,
    importer: Option<&RelPath>,
    labels: &MergeLabels,
) -> Change {
    let render = planned.content.as_str();
    let owner = planned.owner;
    // The lock entry for the new render; reused when the lock already has it (no re-hashing of
    // every up-to-date file on each run).
    let fresh = match locked {
        Some(l) if l.owner == owner && l.base == render => l.clone(),
        _ => entry(&path, owner, render),
    };
    let mut change = Change {
        path: path.clone(),
        owner,
        action: Action::Unchanged,
        reason: String::new(),
        disk: None,
        render: Some(render.to_owned()),
        write: Write::Nothing,
        lock: Some(fresh.clone()),
    };
    let mut set = |action: Action, reason: &str, write: Write, lock: Option<LockedFile>| {
        change.action = action;
        change.reason = reason.to_owned();
        change.write = write;
        change.lock = lock;
    };
    let disk = match disk {
        DiskFile::Unusable(why) => {
            set(
                Action::Conflict,
                &format!("{why}; not touched"),
                Write::Nothing,
                locked.cloned(),
            );
            return change;
        }
        DiskFile::Missing => None,
        DiskFile::Text(text) => Some(text),
    };
    match (locked, disk.as_deref()) {
        // Row: not on disk, not in the lock → create.
        (None, None) => set(
            Action::Create,
            "new file",
            Write::Content(render.to_owned()),
            Some(fresh),
        ),
        // Row: on disk but not in the lock (the user made it) → never overwritten.
        (None, Some(d)) if d == render => set(
            Action::Unchanged,
            "already matches the render; now tracked",
            Write::Nothing,
            Some(fresh),
        ),
        (None, Some(_)) => set(
            Action::Conflict,
            "exists but scaffold did not write it (not in the lock); not overwritten: move it away and run `scaffold regen`",
            Write::Nothing,
            None,
        ),
        // Row: user-owned file that exists → never touched.
        (Some(l), Some(_)) if owner == Owner::User => {
            set(Action::Keep, "user-owned", Write::Nothing, Some(l.clone()))
        }
        // Row: in the lock, deleted by the user → recreate only if managed, or if managed code
        // imports it (the service would not start without it).
        (Some(_), None) if owner == Owner::User && importer.is_some() => set(
            Action::Create,
            &format!(
                "user-owned and deleted by you, but managed `{}` imports it: recreated from its template",
                importer.map(RelPath::as_str).unwrap_or_default()
            ),
            Write::Content(render.to_owned()),
            Some(fresh),
        ),
        (Some(l), None) if owner == Owner::User => set(
            Action::Keep,
            "user-owned and deleted by you; not recreated",
            Write::Nothing,
            Some(l.clone()),
        ),
        (Some(_), None) => set(
            Action::Create,
            "deleted by you; managed, so recreated",
            Write::Content(render.to_owned()),
            Some(fresh),
        ),
        (Some(l), Some(d)) => {
            if d == render {
                set(Action::Unchanged, "up to date", Write::Nothing, Some(fresh));
            } else if d == l.base {
                // Row: on disk = lock → overwrite with the new render.
                set(
                    Action::Update,
                    "not edited; new render",
                    Write::Content(render.to_owned()),
                    Some(fresh),
                );
            } else if merge::has_conflict_markers(d) {
                // Row: a file with conflict markers still in it.
                set(
                    Action::Conflict,
                    "conflict markers are still in it: resolve them, then run `scaffold regen`",
                    Write::Nothing,
                    Some(l.clone()),
                );
            } else if render == l.base {
                // Row: hand-edited, new render = lock → keep.
                set(
                    Action::Keep,
                    "hand-edited; the render did not change",
                    Write::Nothing,
                    Some(l.clone()),
                );
            } else {
                // Row: hand-edited and the render changed → three-way merge.
                match merge::merge(&l.base, d, render, labels) {
                    Merged::Clean(m) => set(
                        Action::Merge,
                        "hand-edited; new render merged in cleanly",
                        Write::Content(m),
                        Some(fresh),
                    ),
                    Merged::Conflict(m) => set(
                        Action::Conflict,
                        "hand edits conflict with the new render: markers written, resolve them",
                        Write::Content(m),
                        Some(fresh),
                    ),
                }
            }
        }
    }
    change.disk = disk;
    change
}

/// A path in the lock that the new render no longer has (its resource was removed).
fn unrender_file(path: RelPath, locked: &LockedFile, disk: DiskFile) -> Change {
    let (action, reason, write, lock, disk) = match disk {
        DiskFile::Missing => (
            Action::Delete,
            "no longer rendered; already gone".to_owned(),
            Write::Nothing,
            None,
            None,
        ),
        // Row: in the lock, no longer rendered, disk = lock → delete.
        DiskFile::Text(d) if d == locked.base => (
            Action::Delete,
            "no longer rendered; not edited".to_owned(),
            Write::Delete,
            None,
            Some(d),
        ),
        // Row: in the lock, no longer rendered, disk ≠ lock → keep, report a conflict.
        DiskFile::Text(d) => (
            Action::Conflict,
            "no longer rendered but edited; kept: delete it when done with it".to_owned(),
            Write::Nothing,
            Some(locked.clone()),
            Some(d),
        ),
        DiskFile::Unusable(why) => (
            Action::Conflict,
            format!("no longer rendered; {why}; not touched"),
            Write::Nothing,
            Some(locked.clone()),
            None,
        ),
    };
    Change {
        path,
        owner: locked.owner,
        action,
        reason,
        disk,
        render: None,
        write,
        lock,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn plan(files: &[(&str, &str, Owner)]) -> Plan {
        let mut plan = Plan::default();
        for (p, c, o) in files {
            plan.insert(
                RelPath::new(p).unwrap(),
                PlannedFile {
                    content: (*c).into(),
                    owner: *o,
                },
            )
            .unwrap();
        }
        plan
    }

    fn run(
        render: &[(&str, &str, Owner)],
        base: &[(&str, &str, Owner)],
        disk: &[(&str, &str)],
    ) -> Changes {
        let lock = Lock::from_plan(&plan(base));
        let disk: BTreeMap<String, String> = disk
            .iter()
            .map(|(p, c)| ((*p).into(), (*c).into()))
            .collect();
        compute(&plan(render), &lock, |p| match disk.get(p.as_str()) {
            Some(c) => DiskFile::Text(c.clone()),
            None => DiskFile::Missing,
        })
    }

    const M: Owner = Owner::Managed;
    const U: Owner = Owner::User;

    #[test]
    fn each_row_of_the_table() {
        let c = run(&[("a", "new\n", M)], &[], &[]);
        assert_eq!(
            (c.files[0].action, &c.files[0].write),
            (Action::Create, &Write::Content("new\n".into()))
        );

        let c = run(
            &[("a", "new\n", M)],
            &[("a", "old\n", M)],
            &[("a", "old\n")],
        );
        assert_eq!(c.files[0].action, Action::Update);
        assert_eq!(c.lock.files[0].base, "new\n");

        let c = run(
            &[("a", "old\n", M)],
            &[("a", "old\n", M)],
            &[("a", "mine\n")],
        );
        assert_eq!(c.files[0].action, Action::Keep);
        assert_eq!(c.lock.files[0].base, "old\n");
        assert!(c.files[0].is_tampered() && !c.files[0].is_drift());

        let c = run(
            &[("a", "A\nb\nc\n", M)],
            &[("a", "a\nb\nc\n", M)],
            &[("a", "a\nb\nc\nmine\n")],
        );
        assert_eq!(c.files[0].write, Write::Content("A\nb\nc\nmine\n".into()));
        assert_eq!(c.lock.files[0].base, "A\nb\nc\n");

        let c = run(&[("a", "T\n", M)], &[("a", "b\n", M)], &[("a", "O\n")]);
        assert_eq!(c.files[0].action, Action::Conflict);
        assert!(matches!(&c.files[0].write, Write::Content(t) if merge::has_conflict_markers(t)));

        let c = run(
            &[("a", "new\n", U)],
            &[("a", "old\n", U)],
            &[("a", "old\n")],
        );
        assert_eq!(
            (c.files[0].action, &c.files[0].write),
            (Action::Keep, &Write::Nothing)
        );

        let c = run(&[], &[("a", "old\n", M)], &[("a", "old\n")]);
        assert_eq!(
            (c.files[0].action, &c.files[0].write),
            (Action::Delete, &Write::Delete)
        );
        assert!(c.lock.files.is_empty());

        let c = run(&[], &[("a", "old\n", M)], &[("a", "mine\n")]);
        assert_eq!(
            (c.files[0].action, &c.files[0].write),
            (Action::Conflict, &Write::Nothing)
        );
        assert_eq!(c.lock.files.len(), 1);

        let c = run(
            &[("a", "x\n", M), ("b", "y\n", U)],
            &[("a", "x\n", M), ("b", "y\n", U)],
            &[],
        );
        assert_eq!(c.files[0].action, Action::Create);
        assert_eq!(
            (c.files[1].action, &c.files[1].write),
            (Action::Keep, &Write::Nothing)
        );

        let markers = "<<<<<<< ours\nO\n=======\nT\n>>>>>>> theirs\n";
        let c = run(&[("a", "T2\n", M)], &[("a", "T\n", M)], &[("a", markers)]);
        assert_eq!(
            (c.files[0].action, &c.files[0].write),
            (Action::Conflict, &Write::Nothing)
        );

        let c = run(&[("a", "new\n", M)], &[], &[("a", "users\n")]);
        assert_eq!(
            (c.files[0].action, &c.files[0].write),
            (Action::Conflict, &Write::Nothing)
        );
        assert!(c.lock.files.is_empty());
    }
}
