//! Shared test helpers: a `scaffold` command in a temp directory, snapshot filters, tree reads.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use scaffold::kinds;
use scaffold::model::{Project, PythonVersion, ResourceSpec};

/// A temp directory to run `scaffold` in; removed on drop.
pub struct TestDir {
    dir: tempfile::TempDir,
}

impl TestDir {
    pub fn new() -> Self {
        TestDir {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `scaffold ARGS…` run inside this directory, never prompting, without colour.
    pub fn scaffold(&self, args: &[&str]) -> Command {
        let mut cmd = scaffold_command();
        cmd.current_dir(self.path()).args(args);
        cmd
    }

    /// `scaffold ARGS… --help` as a user sees it: the environment's own defaults, not the tests'.
    pub fn help(&self, args: &[&str]) -> Command {
        let mut cmd = self.scaffold(args);
        cmd.arg("--help")
            .env_remove("SCAFFOLD_VCS")
            .env_remove("SCAFFOLD_NO_LOCK");
        cmd
    }

    /// Names of the entries directly in the directory, sorted.
    pub fn entries(&self) -> Vec<String> {
        entries_of(self.path())
    }
}

/// Names of the entries directly in `dir`, sorted.
pub fn entries_of(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The built binary, with an environment that cannot make it prompt or colour, and a `new`
/// that runs neither `git init` nor `uv lock` (tests/cli_finish.rs runs those, on purpose).
pub fn scaffold_command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scaffold"));
    cmd.env("NO_COLOR", "1")
        .env_remove("SCAFFOLD_NO_INPUT")
        .env_remove("CLICOLOR_FORCE")
        .env("SCAFFOLD_VCS", "none")
        .env("SCAFFOLD_NO_LOCK", "1");
    cmd
}

/// insta filters shared by the CLI snapshots: the temp dir, the template bundle hash, the file count.
pub fn filters(dir: &Path) -> Vec<(String, String)> {
    let mut filters = Vec::new();
    for path in [
        dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()),
        dir.to_path_buf(),
    ] {
        filters.push((
            regex_escape(&path.display().to_string()),
            "[TMP]".to_owned(),
        ));
    }
    filters.push((
        r"\(templates [0-9a-f]{12}\)".to_owned(),
        "(templates [HASH])".to_owned(),
    ));
    // The file count follows the template table, which other people extend often.
    filters.push((
        r"\b\d+ files, plus".to_owned(),
        "[N] files, plus".to_owned(),
    ));
    filters
}

fn regex_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Every file under `root`, as relative `/` path → bytes.
pub fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack: Vec<PathBuf> = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&path).expect("read file"));
            }
        }
    }
    out
}

/// Every non-empty combination of the kinds, as their ids, in registry order.
pub fn kind_combinations() -> Vec<Vec<&'static str>> {
    let kinds = kinds::all();
    (1u32..(1 << kinds.len()))
        .map(|mask| {
            kinds
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, k)| k.id())
                .collect()
        })
        .collect()
}

/// A validated project from `KIND[:NAME]` strings.
pub fn project(name: &str, specs: &[&str]) -> Project {
    let specs: Vec<ResourceSpec> = specs
        .iter()
        .map(|s| ResourceSpec::parse(s).unwrap())
        .collect();
    Project::new(name, PythonVersion::V3_12, &specs).unwrap()
}

/// Runs `f` with the CLI snapshot settings: `tests/snapshots`, `cli__` names, path filters.
pub fn with_cli_settings(dir: &Path, f: impl FnOnce()) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    for (regex, replacement) in filters(dir) {
        settings.add_filter(&regex, replacement);
    }
    settings.bind(f);
}
