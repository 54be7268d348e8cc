//! What `regen` (and `add`, `remove`) report about a set of changes: the exit status, the
//! diffs, the text lines and the `--format json` document. Pure: [`text`] returns the lines,
//! and the command prints them.
//!
//! Text: in write mode one line per file that changed (stderr) and a summary; with `--check`,
//! `would <action>: <path> (<reason>)` per file on stderr and a unified diff per file on
//! stdout; with `--dry-run`, the plan (`<action> <path> (<reason>)`) and diffs on stdout.
//!
//! `--format json` prints one document on stdout (stderr only carries errors):
//!
//! ```json
//! {
//!   "schema_version": 1,
//!   "mode": "check",
//!   "status": "failed",
//!   "files": [
//!     {"path": "src/orders/settings.py", "owner": "managed", "action": "update",
//!      "reason": "not edited; new render", "differs_from_render": false,
//!      "diff": "--- a/src/orders/settings.py\n+++ b/src/orders/settings.py\n..."}
//!   ],
//!   "conflicts": [{"path": "src/orders/service.py", "reason": "conflict markers are still in it: ..."}]
//! }
//! ```
//!
//! `mode`: `write` | `check` | `dry-run`. `status`: `ok` (exit 0) | `failed` (exit 1). `files`
//! lists every path the render or the lock names, in path order; `action`: `create` | `update` |
//! `merge` | `delete` | `conflict` | `keep` | `unchanged`; `owner`: `managed` | `user`;
//! `differs_from_render`: a managed file kept with hand edits (what `--strict` fails on); `diff`:
//! a unified diff from disk to the result in `check` and `dry-run`, else `null`. `conflicts`
//! repeats the `conflict` entries. `schema_version` changes only if a field changes meaning.

use serde::Serialize;

use crate::changes::{Action, Change, Changes};
use crate::plan::Owner;
use crate::status::ExitStatus;

/// What `regen` is asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Bring the project in line.
    Write,
    /// Write nothing; fail on drift (and, when strict, on kept hand edits of managed files).
    Check { strict: bool },
    /// Print the plan with diffs; write nothing.
    DryRun,
}

impl Mode {
    fn as_str(self) -> &'static str {
        match self {
            Mode::Write => "write",
            Mode::Check { .. } => "check",
            Mode::DryRun => "dry-run",
        }
    }
}

/// One line of the text report, by where it goes ([`crate::printer::Printer`]'s channels).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    /// A status line: a verb and what it applies to (`Regenerated 3 updated`).
    Status(&'static str, String),
    /// A line on stderr.
    Note(String),
    /// A line on stderr with `-v` only.
    Verbose(String),
    /// Data on stdout (plan lines), printed as is.
    Data(String),
    /// A unified diff on stdout (coloured when stdout takes colour).
    Diff(String),
}

/// The exit status: conflicts left fail every mode; `--check` also fails on drift (and, strict,
/// on kept hand edits of managed files).
pub fn status(changes: &Changes, mode: Mode) -> ExitStatus {
    let conflicts = changes.conflicts().next().is_some();
    let failed = match mode {
        Mode::Write | Mode::DryRun => conflicts,
        Mode::Check { strict } => changes
            .files
            .iter()
            .any(|c| c.is_drift() || (strict && c.is_tampered())),
    };
    if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

/// A unified diff from the file on disk to what `regen` leaves (or, strict, the render).
pub fn diff(change: &Change) -> Option<String> {
    let after = change.after()?;
    let before = change.disk.as_deref().unwrap_or("");
    if before == after {
        return None;
    }
    let old = if change.disk.is_some() {
        format!("a/{}", change.path)
    } else {
        "/dev/null".to_owned()
    };
    let new = if after.is_empty() && change.render.is_none() {
        "/dev/null".to_owned()
    } else {
        format!("b/{}", change.path)
    };
    Some(
        similar::TextDiff::from_lines(before, after)
            .unified_diff()
            .context_radius(3)
            .header(&old, &new)
            .to_string(),
    )
}

/// The plan line and diff of an edit to `scaffold.toml` (`add`, `remove` in a dry run).
pub fn manifest_edit(before: &str, after: &str) -> Vec<Line> {
    if before == after {
        return Vec::new();
    }
    let path = crate::manifest::MANIFEST_FILE;
    vec![
        Line::Data(format!("{:<9} {path}  (the manifest)\n", "update")),
        Line::Diff(
            similar::TextDiff::from_lines(before, after)
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{path}"), &format!("b/{path}"))
                .to_string(),
        ),
    ]
}

/// The text report, given how many files were written and the exit status.
pub fn text(changes: &Changes, mode: Mode, written: usize, status: ExitStatus) -> Vec<Line> {
    let mut out = Vec::new();
    let strict = matches!(mode, Mode::Check { strict: true });
    let mut counts: std::collections::BTreeMap<Action, usize> = Default::default();
    for change in &changes.files {
        // A user-owned file that is simply left alone is not news.
        let quiet = change.action == Action::Unchanged
            || (change.action == Action::Keep && change.owner == Owner::User);
        if !quiet {
            *counts.entry(change.action).or_default() += 1;
        }
        let line = format!(
            "{:<9} {}  ({})",
            change.action.as_str(),
            change.path,
            change.reason
        );
        match mode {
            Mode::Write if change.action == Action::Conflict => {
                out.push(Line::Note(format!(
                    "conflict  {}: {}",
                    change.path, change.reason
                )));
            }
            Mode::Write if quiet => out.push(Line::Verbose(format!("  {line}"))),
            Mode::Write => out.push(Line::Note(format!("  {line}"))),
            Mode::DryRun if !quiet => out.push(Line::Data(format!("{line}\n"))),
            Mode::DryRun => {}
            Mode::Check { .. } if change.is_drift() => out.push(Line::Note(format!(
                "would {}: {} ({})",
                change.action, change.path, change.reason
            ))),
            Mode::Check { .. } if strict && change.is_tampered() => out.push(Line::Note(format!(
                "differs from its render: {} ({})",
                change.path, change.reason
            ))),
            Mode::Check { .. } => {}
        }
        // What would be written (a dry run: a kept hand edit writes nothing, so it has no
        // diff), or what `--check` fails on (strict: a kept edit against its render).
        let wants_diff = match mode {
            Mode::Write => false,
            Mode::DryRun => change.is_drift(),
            Mode::Check { strict } => change.is_drift() || (strict && change.is_tampered()),
        };
        if let Some(diff) = diff(change).filter(|_| wants_diff) {
            out.push(Line::Diff(diff));
        }
    }
    let summary = counts
        .iter()
        .filter(|(a, _)| **a != Action::Unchanged)
        .map(|(a, n)| format!("{n} {}", past(*a, mode)))
        .collect::<Vec<_>>()
        .join(", ");
    let conflicts = counts.get(&Action::Conflict).copied().unwrap_or(0);
    let files = format!("{} files", changes.files.len());
    match mode {
        Mode::Write => {
            if written == 0 && counts.keys().all(|a| *a == Action::Keep) {
                out.push(Line::Status("Up to date", files));
            } else if summary.is_empty() {
                out.push(Line::Status("Regenerated", "(lock only)".to_owned()));
            } else {
                out.push(Line::Status("Regenerated", summary));
            }
            if conflicts > 0 {
                out.push(Line::Note(format!(
                    "{conflicts} conflict{}: resolve {}, then run `scaffold regen`",
                    if conflicts == 1 { "" } else { "s" },
                    if conflicts == 1 { "it" } else { "them" }
                )));
            }
        }
        Mode::DryRun if summary.is_empty() => {
            out.push(Line::Status("Dry run", "nothing would change".to_owned()));
        }
        Mode::DryRun => out.push(Line::Status("Dry run", summary)),
        Mode::Check { .. } if status == ExitStatus::Success => {
            out.push(Line::Status("Up to date", files));
        }
        Mode::Check { .. } => {
            let regen_fixes = conflicts > 0 || changes.files.iter().any(|c| c.is_drift());
            out.push(Line::Note(if regen_fixes {
                "the project is not in line with `scaffold.toml`: run `scaffold regen` (or resolve the conflicts)"
                    .to_owned()
            } else {
                // Only `--strict`'s kept hand edits: `regen` keeps them, so it cannot fix this.
                "managed files keep hand edits, which `--strict` fails on (`scaffold regen` keeps them): \
                 to drop a file's edits, delete it and run `scaffold regen`, which recreates it from \
                 its render; or check without `--strict`"
                    .to_owned()
            }));
        }
    }
    out
}

fn past(action: Action, mode: Mode) -> String {
    let word = match action {
        Action::Create => "created",
        Action::Update => "updated",
        Action::Merge => "merged",
        Action::Delete => "deleted",
        Action::Conflict => "conflicts",
        Action::Keep => "kept",
        Action::Unchanged => "unchanged",
    };
    match (mode, action) {
        (Mode::Write, _) | (_, Action::Conflict) | (_, Action::Keep) => word.to_owned(),
        _ => format!("to be {word}"),
    }
}

/// The `--format json` document. Stable: `schema_version` changes if a field changes meaning.
#[derive(Serialize)]
struct JsonReport<'a> {
    schema_version: u32,
    mode: &'static str,
    /// `ok` (exit 0) or `failed` (exit 1: drift, or conflicts left).
    status: &'static str,
    files: Vec<JsonFile<'a>>,
    conflicts: Vec<JsonConflict<'a>>,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: &'a str,
    owner: &'static str,
    action: &'static str,
    reason: &'a str,
    /// A managed file whose content differs from its render (what `--strict` fails on).
    differs_from_render: bool,
    /// Unified diff from disk to the result (`check` and `dry-run`), else null.
    diff: Option<String>,
}

#[derive(Serialize)]
struct JsonConflict<'a> {
    path: &'a str,
    reason: &'a str,
}

/// The `--format json` document (see the module documentation), with a final newline.
pub fn json(changes: &Changes, mode: Mode, status: ExitStatus) -> String {
    let report = JsonReport {
        schema_version: 1,
        mode: mode.as_str(),
        status: if status == ExitStatus::Success {
            "ok"
        } else {
            "failed"
        },
        files: changes
            .files
            .iter()
            .map(|c| JsonFile {
                path: c.path.as_str(),
                owner: c.owner.as_str(),
                action: c.action.as_str(),
                reason: &c.reason,
                differs_from_render: c.is_tampered(),
                diff: if mode == Mode::Write { None } else { diff(c) },
            })
            .collect(),
        conflicts: changes
            .conflicts()
            .map(|c| JsonConflict {
                path: c.path.as_str(),
                reason: &c.reason,
            })
            .collect(),
    };
    let mut text =
        serde_json::to_string_pretty(&report).expect("a report of owned strings serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::{DiskFile, compute};
    use crate::lock::Lock;
    use crate::plan::{Plan, PlannedFile};
    use crate::relpath::RelPath;

    /// One managed file `a.py`: rendered as `render`, last written as `base`, now `disk`.
    fn changes(render: &str, base: Option<&str>, disk: Option<&str>) -> Changes {
        let plan_of = |content: &str| {
            let mut plan = Plan::default();
            let file = PlannedFile {
                content: content.into(),
                owner: Owner::Managed,
            };
            plan.insert(RelPath::new("a.py").unwrap(), file).unwrap();
            plan
        };
        let lock = base.map_or_else(
            || Lock::from_plan(&Plan::default()),
            |b| Lock::from_plan(&plan_of(b)),
        );
        compute(&plan_of(render), &lock, |_| {
            disk.map_or(DiskFile::Missing, |d| DiskFile::Text(d.into()))
        })
    }

    #[test]
    fn check_fails_on_drift_and_shows_the_diff() {
        let c = changes("new\n", Some("old\n"), Some("old\n"));
        let mode = Mode::Check { strict: false };
        assert_eq!(status(&c, mode), ExitStatus::Failure);
        let lines = text(&c, mode, 0, ExitStatus::Failure);
        assert!(matches!(&lines[0], Line::Note(l) if l.starts_with("would update: a.py")));
        assert!(matches!(&lines[1], Line::Diff(d) if d.contains("-old\n+new\n")));
        assert!(matches!(&lines[2], Line::Note(l) if l.contains("run `scaffold regen`")));
    }

    #[test]
    fn an_unchanged_project_is_up_to_date_in_every_mode() {
        let c = changes("same\n", Some("same\n"), Some("same\n"));
        for mode in [Mode::Write, Mode::Check { strict: true }] {
            assert_eq!(status(&c, mode), ExitStatus::Success);
            let lines = text(&c, mode, 0, ExitStatus::Success);
            assert!(matches!(lines.last(), Some(Line::Status("Up to date", _))));
        }
        let lines = text(&c, Mode::DryRun, 0, ExitStatus::Success);
        assert_eq!(
            lines,
            [Line::Status("Dry run", "nothing would change".into())]
        );
    }

    /// `--strict` failing on a kept hand edit alone does not send the user to `regen`, which
    /// keeps the edit: it says how to drop it.
    #[test]
    fn a_strict_failure_says_what_fixes_it() {
        let c = changes("same\n", Some("same\n"), Some("edited\n"));
        let mode = Mode::Check { strict: true };
        assert_eq!(status(&c, mode), ExitStatus::Failure);
        let lines = text(&c, mode, 0, ExitStatus::Failure);
        let Some(Line::Note(last)) = lines.last() else {
            panic!("{lines:?}")
        };
        assert!(
            last.contains("delete it and run `scaffold regen`")
                && !last.starts_with("the project is not in line"),
            "{last}"
        );
    }

    /// A dry run shows what would be written: a kept hand edit writes nothing, so no diff
    /// (it read as if the edit would be reverted).
    #[test]
    fn a_dry_run_shows_no_diff_for_a_kept_edit() {
        let c = changes("same\n", Some("same\n"), Some("edited\n"));
        let lines = text(&c, Mode::DryRun, 0, ExitStatus::Success);
        assert!(
            !lines.iter().any(|l| matches!(l, Line::Diff(_))),
            "{lines:?}"
        );
        let c = changes("new\n", Some("old\n"), Some("old\n"));
        let lines = text(&c, Mode::DryRun, 0, ExitStatus::Success);
        assert!(
            lines
                .iter()
                .any(|l| matches!(l, Line::Diff(d) if d.contains("-old\n+new\n"))),
            "{lines:?}"
        );
    }

    #[test]
    fn write_mode_reports_what_it_wrote_and_no_diff() {
        let c = changes("new\n", None, None);
        let lines = text(&c, Mode::Write, 1, ExitStatus::Success);
        assert!(matches!(&lines[0], Line::Note(l) if l.trim_start().starts_with("create")));
        assert_eq!(lines[1], Line::Status("Regenerated", "1 created".into()));
        assert!(
            !lines
                .iter()
                .any(|l| matches!(l, Line::Data(_) | Line::Diff(_)))
        );
    }

    #[test]
    fn the_json_document_names_mode_status_and_diff() {
        let c = changes("new\n", Some("old\n"), Some("old\n"));
        let doc: serde_json::Value =
            serde_json::from_str(&json(&c, Mode::DryRun, ExitStatus::Success)).unwrap();
        assert_eq!(doc["schema_version"], 1);
        assert_eq!(doc["mode"], "dry-run");
        assert_eq!(doc["status"], "ok");
        assert_eq!(doc["files"][0]["action"], "update");
        assert!(doc["files"][0]["diff"].as_str().unwrap().contains("+new"));
        let write: serde_json::Value =
            serde_json::from_str(&json(&c, Mode::Write, ExitStatus::Success)).unwrap();
        assert!(write["files"][0]["diff"].is_null());
    }
}
