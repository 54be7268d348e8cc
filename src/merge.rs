//! Three-way text merge for `regen`: base (the lock), ours (the file on disk), theirs (the new
//! render) → a clean merge, or a conflict with labelled git-style diff3 markers.
//!
//! The algorithm is gitoxide's (`gix-merge`), which matched `git merge-file --diff3` byte for
//! byte on thousands of random merges (see `shared/research/ecosystem.md` B3). Git is never
//! needed at run time; the tests compare with it when it is on `PATH`.

use gix_merge::blob::Resolution;
use gix_merge::blob::builtin_driver::text::{Conflict, ConflictStyle, Labels, Options};

/// What each side of a merge is, for the conflict markers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeLabels {
    /// `<<<<<<<` side: the file on disk.
    pub ours: String,
    /// `|||||||` side: the last render.
    pub base: String,
    /// `>>>>>>>` side: the new render.
    pub theirs: String,
}

impl MergeLabels {
    /// The labels `regen` uses: `ours (your edits)`, `base (scaffold OLD)`, `theirs (scaffold NEW)`.
    pub fn for_versions(old: &str, new: &str) -> Self {
        MergeLabels {
            ours: "ours (your edits)".into(),
            base: format!("base (scaffold {old})"),
            theirs: format!("theirs (scaffold {new})"),
        }
    }
}

/// The outcome of a merge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Merged {
    /// Both sides' changes applied.
    Clean(String),
    /// The text with conflict markers in it.
    Conflict(String),
}

/// Merges `ours` and `theirs`, two edits of `base`.
///
/// ```
/// use scaffold::merge::{merge, Merged, MergeLabels};
/// let labels = MergeLabels::for_versions("0.1.0", "0.2.0");
/// let merged = merge("a\nb\nc\n", "a\nb\nc\nmine\n", "A\nb\nc\n", &labels);
/// assert_eq!(merged, Merged::Clean("A\nb\nc\nmine\n".into()));
/// ```
pub fn merge(base: &str, ours: &str, theirs: &str, labels: &MergeLabels) -> Merged {
    let mut out = Vec::with_capacity(ours.len().max(theirs.len()) + 64);
    let mut input = gix_imara_diff::InternedInput::default();
    let gix_labels = Labels {
        ancestor: Some(labels.base.as_str().into()),
        current: Some(labels.ours.as_str().into()),
        other: Some(labels.theirs.as_str().into()),
    };
    let options = Options {
        diff_algorithm: gix_imara_diff::Algorithm::Myers,
        conflict: Conflict::Keep {
            style: ConflictStyle::Diff3,
            marker_size: MARKER_SIZE,
        },
    };
    let resolution = gix_merge::blob::builtin_driver::text(
        &mut out,
        &mut input,
        gix_labels,
        ours.as_bytes(),
        base.as_bytes(),
        theirs.as_bytes(),
        options,
    );
    // All three inputs are UTF-8 and the merge only splices whole lines of them.
    let text = String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    match resolution {
        Resolution::Complete => Merged::Clean(text),
        _ => Merged::Conflict(text),
    }
}

const MARKER_SIZE: std::num::NonZeroU8 = match std::num::NonZeroU8::new(7) {
    Some(n) => n,
    None => unreachable!(),
};

/// Whether `text` still holds a conflict: a line starting `<<<<<<< ` and one starting `>>>>>>> `.
/// (A lone `=======` is common in docstrings and READMEs, so it does not count on its own.)
pub fn has_conflict_markers(text: &str) -> bool {
    let mut open = false;
    for line in text.lines() {
        if line.starts_with("<<<<<<<") {
            open = true;
        } else if open && line.starts_with(">>>>>>>") {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> MergeLabels {
        MergeLabels::for_versions("0.1.0", "0.2.0")
    }

    #[test]
    fn disjoint_edits_merge_cleanly() {
        let merged = merge(
            "a\nb\nc\nd\ne\n",
            "X\nb\nc\nd\ne\n",
            "a\nb\nc\nd\nY\n",
            &labels(),
        );
        assert_eq!(merged, Merged::Clean("X\nb\nc\nd\nY\n".into()));
    }

    #[test]
    fn identical_edits_merge_cleanly() {
        let merged = merge("a\nb\n", "a\nB\n", "a\nB\n", &labels());
        assert_eq!(merged, Merged::Clean("a\nB\n".into()));
    }

    #[test]
    fn same_line_conflicts_with_labelled_diff3_markers() {
        let merged = merge("a\nb\nc\n", "a\nX\nc\n", "a\nY\nc\n", &labels());
        let expected = "a\n<<<<<<< ours (your edits)\nX\n||||||| base (scaffold 0.1.0)\nb\n=======\nY\n>>>>>>> theirs (scaffold 0.2.0)\nc\n";
        assert_eq!(merged, Merged::Conflict(expected.into()));
        assert!(has_conflict_markers(expected));
    }

    #[test]
    fn markers_need_both_ends() {
        assert!(!has_conflict_markers("Title\n=======\n"));
        assert!(!has_conflict_markers(">>>>>>> x\n<<<<<<< y\n"));
        assert!(has_conflict_markers(
            "<<<<<<< a\nx\n=======\ny\n>>>>>>> b\n"
        ));
    }

    /// Compares with `git merge-file --diff3` on random line triples, when git is installed.
    #[test]
    fn matches_git_merge_file() {
        use std::process::Command;
        if Command::new("git").arg("--version").output().is_err() {
            // git is optional: scaffold never needs it; this test only compares with it.
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let l = labels();
        for case in 0..150 {
            let base: Vec<String> = (0..next() % 10 + 1)
                .map(|_| format!("l{}", next() % 6))
                .collect();
            let mut mutate = || {
                let mut v = base.clone();
                for _ in 0..next() % 3 + 1 {
                    let i = (next() as usize) % (v.len() + 1);
                    match next() % 3 {
                        0 if i < v.len() => {
                            v.remove(i);
                        }
                        1 => v.insert(i, format!("n{}", next() % 4)),
                        _ if i < v.len() => v[i] = format!("m{}", next() % 4),
                        _ => {}
                    }
                }
                v.iter().map(|s| format!("{s}\n")).collect::<String>()
            };
            let (ours, theirs) = (mutate(), mutate());
            let base: String = base.iter().map(|s| format!("{s}\n")).collect();
            let write = |name: &str, text: &str| {
                let p = dir.path().join(name);
                std::fs::write(&p, text).unwrap();
                p
            };
            let (o, b, t) = (write("o", &ours), write("b", &base), write("t", &theirs));
            let out = Command::new("git")
                .args([
                    "merge-file",
                    "-p",
                    "--diff3",
                    "-L",
                    &l.ours,
                    "-L",
                    &l.base,
                    "-L",
                    &l.theirs,
                ])
                .args([&o, &b, &t])
                .output()
                .unwrap();
            let git_text = String::from_utf8(out.stdout).unwrap();
            let git_conflict = out.status.code() != Some(0);
            let ours_result = merge(&base, &ours, &theirs, &l);
            let expected = if git_conflict {
                Merged::Conflict(git_text)
            } else {
                Merged::Clean(git_text)
            };
            assert_eq!(
                ours_result, expected,
                "case {case}\nbase:\n{base}ours:\n{ours}theirs:\n{theirs}"
            );
        }
    }
}
