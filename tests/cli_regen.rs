//! `scaffold regen` through the binary: one test per row of the table in `shared/spec/cli.md`
//! §3 (named after the row), then `--check`, `--strict`, `--dry-run`, `--format json`, root
//! discovery, and a run killed after k writes.
//!
//! A template change between two versions is simulated by rewriting a file's base in the lock:
//! the embedded templates are the "new version", the edited base the "old" one.

use std::path::PathBuf;
use std::process::Output;

use insta_cmd::assert_cmd_snapshot;
use scaffold::lock::{Lock, sha256_hex};

use crate::common::{TestDir, read_tree, with_cli_settings};

/// A project made by `scaffold new` (db-pool, lifespan) in a temp dir.
pub struct Project {
    pub dir: TestDir,
}

impl Project {
    pub fn new(resources: &[&str]) -> Self {
        let dir = TestDir::new();
        let mut args = vec!["new", "orders", "-q"];
        for r in resources {
            args.extend(["--resource", r]);
        }
        let out = dir.scaffold(&args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Project { dir }
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("orders")
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = self.dir.scaffold(args);
        cmd.current_dir(self.root());
        cmd.output().unwrap()
    }

    pub fn cmd(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = self.dir.scaffold(args);
        cmd.current_dir(self.root());
        cmd
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root().join(rel)).unwrap()
    }

    pub fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.root().join(rel), text).unwrap();
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.root().join(rel).exists()
    }

    pub fn lock(&self) -> Lock {
        let path = self.root().join("scaffold.lock");
        Lock::parse(&std::fs::read_to_string(&path).unwrap(), &path).unwrap()
    }

    /// Pretends an older scaffold rendered `rel` as `base`.
    pub fn set_base(&self, rel: &str, base: &str) {
        let mut lock = self.lock();
        let file = lock
            .files
            .iter_mut()
            .find(|f| f.path.as_str() == rel)
            .expect("in lock");
        file.base = base.to_owned();
        file.sha256 = sha256_hex(base);
        std::fs::write(self.root().join("scaffold.lock"), lock.to_toml()).unwrap();
    }

    pub fn tree(&self) -> std::collections::BTreeMap<String, Vec<u8>> {
        read_tree(&self.root())
    }
}

pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `regen --check` and asserts it is clean.
pub fn assert_clean(p: &Project) {
    let out = p.run(&["regen", "--check"]);
    assert_eq!(code(&out), 0, "{}{}", stderr(&out), stdout(&out));
}

/// Replaces the first line that contains `needle` (a template change or a hand edit).
fn replace_line(text: &str, needle: &str, with: &str) -> String {
    let mut done = false;
    text.lines()
        .map(|l| {
            if !done && l.contains(needle) {
                done = true;
                with.to_owned()
            } else {
                l.to_owned()
            }
        })
        .map(|l| l + "\n")
        .collect()
}

const SERVICE: &str = "src/orders/service.py";
const SETTINGS: &str = "src/orders/settings.py";

#[test]
fn fresh_project_is_up_to_date() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let before = p.tree();
    let out = p.run(&["regen"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("Up to date"), "{}", stderr(&out));
    assert_eq!(p.tree(), before, "regen on a fresh project writes nothing");
    assert_clean(&p);
}

#[test]
fn row_not_on_disk_not_in_lock_is_created() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let out = p.run(&["add", "resource", "cache"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("create    src/orders/cache.py"),
        "{}",
        stderr(&out)
    );
    assert!(p.exists("src/orders/cache.py"));
    assert!(p.lock().get("src/orders/cache.py").is_some());
    assert_clean(&p);
}

#[test]
fn row_disk_equals_lock_is_overwritten_with_the_new_render() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let render = p.read(SETTINGS);
    let old = format!("# rendered by an older scaffold\n{render}");
    p.write(SETTINGS, &old);
    p.set_base(SETTINGS, &old);
    let out = p.run(&["regen"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("update    src/orders/settings.py"),
        "{}",
        stderr(&out)
    );
    assert_eq!(p.read(SETTINGS), render);
    assert_eq!(p.lock().get(SETTINGS).unwrap().base, render);
    assert_clean(&p);
}

#[test]
fn row_hand_edited_render_unchanged_keeps_the_users_file() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let edited = format!("{}# my edit\n", p.read(SERVICE));
    p.write(SERVICE, &edited);
    let out = p.run(&["regen"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("keep      src/orders/service.py"),
        "{}",
        stderr(&out)
    );
    assert_eq!(p.read(SERVICE), edited);
    // A kept hand edit is not drift, but `--strict` fails on it.
    assert_clean(&p);
    let strict = p.run(&["regen", "--check", "--strict"]);
    assert_eq!(code(&strict), 1);
    assert!(
        stderr(&strict).contains("differs from its render: src/orders/service.py"),
        "{}",
        stderr(&strict)
    );
    assert!(
        stdout(&strict).contains("-# my edit"),
        "{}",
        stdout(&strict)
    );
}

#[test]
fn row_hand_edited_render_changed_merges_cleanly() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let render = p.read(SERVICE);
    let first = render.lines().next().unwrap().to_owned();
    let old = replace_line(&render, &first, "# old first line");
    p.set_base(SERVICE, &old);
    p.write(SERVICE, &format!("{old}# my edit\n"));
    let out = p.run(&["regen"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("merge     src/orders/service.py"),
        "{}",
        stderr(&out)
    );
    assert_eq!(p.read(SERVICE), format!("{render}# my edit\n"));
    // The new render is the next base, so the next regen keeps the edit quietly.
    assert_eq!(p.lock().get(SERVICE).unwrap().base, render);
    assert_clean(&p);
}

#[test]
fn row_hand_edited_render_changed_conflict_writes_labelled_markers_and_exits_1() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let render = p.read(SERVICE);
    let first = render.lines().next().unwrap().to_owned();
    p.set_base(SERVICE, &replace_line(&render, &first, "# base line"));
    p.write(SERVICE, &replace_line(&render, &first, "# my line"));
    let out = p.run(&["regen"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("conflict  src/orders/service.py"),
        "{}",
        stderr(&out)
    );
    let text = p.read(SERVICE);
    assert!(
        text.contains("<<<<<<< ours (your edits)\n# my line\n"),
        "{text}"
    );
    assert!(
        text.contains("||||||| base (scaffold 0.1.0)\n# base line\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "=======\n{first}\n>>>>>>> theirs (scaffold 0.1.0)\n"
        )),
        "{text}"
    );

    // Row: a file with conflict markers still in it.
    let check = p.run(&["regen", "--check"]);
    assert_eq!(code(&check), 1);
    assert!(
        stderr(&check).contains("src/orders/service.py")
            && stderr(&check).contains("conflict markers"),
        "{}",
        stderr(&check)
    );
    let again = p.run(&["regen"]);
    assert_eq!(code(&again), 1);
    assert_eq!(p.read(SERVICE), text, "regen never merges over markers");

    // Resolved (the user keeps their line): a hand edit of the new render, kept.
    p.write(SERVICE, &replace_line(&render, &first, "# my line"));
    let out = p.run(&["regen"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_clean(&p);
}

#[test]
fn row_user_owned_file_that_exists_is_never_touched() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let routes = "src/orders/routes.py";
    // Even when the template changed and the file is unedited.
    p.write(routes, "# old\n");
    p.set_base(routes, "# old\n");
    let out = p.run(&["regen"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(p.read(routes), "# old\n");
    assert_clean(&p);
    let strict = p.run(&["regen", "--check", "--strict"]);
    assert_eq!(
        code(&strict),
        0,
        "user-owned files are not tampering: {}",
        stderr(&strict)
    );
}

#[test]
fn row_no_longer_rendered_disk_equals_lock_is_deleted() {
    let p = Project::new(&["db-pool", "cache", "lifespan"]);
    let out = p.run(&["remove", "resource", "redis"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("delete    src/orders/cache.py"),
        "{}",
        stderr(&out)
    );
    assert!(!p.exists("src/orders/cache.py"));
    assert!(p.lock().get("src/orders/cache.py").is_none());
    assert_clean(&p);
}

#[test]
fn row_no_longer_rendered_disk_differs_is_kept_and_reported_as_conflict() {
    let p = Project::new(&["db-pool", "cache", "lifespan"]);
    let cache = "src/orders/cache.py";
    let edited = format!("{}# mine\n", p.read(cache));
    p.write(cache, &edited);
    let out = p.run(&["remove", "resource", "redis"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("conflict  src/orders/cache.py: no longer rendered but edited"),
        "{}",
        stderr(&out)
    );
    assert_eq!(p.read(cache), edited);
    assert!(!p.read("scaffold.toml").contains("kind = \"cache\""));
    // Reported until the user deletes it; then the project is clean.
    assert_eq!(code(&p.run(&["regen", "--check"])), 1);
    std::fs::remove_file(p.root().join(cache)).unwrap();
    assert_eq!(code(&p.run(&["regen"])), 0);
    assert_clean(&p);
}

#[test]
fn row_deleted_by_the_user_is_recreated_only_if_managed() {
    let p = Project::new(&["db-pool", "lifespan"]);
    // A user-owned file no managed code imports (one it imports: the test after the rows).
    let routes = "tests/test_service.py";
    std::fs::remove_file(p.root().join(SETTINGS)).unwrap();
    std::fs::remove_file(p.root().join(routes)).unwrap();
    let check = p.run(&["regen", "--check"]);
    assert_eq!(code(&check), 1, "a deleted managed file is drift");
    let out = p.run(&["regen"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("create    src/orders/settings.py  (deleted by you; managed, so recreated)"),
        "{}",
        stderr(&out)
    );
    assert!(p.exists(SETTINGS));
    assert!(!p.exists(routes), "user-owned files are not recreated");
    assert_clean(&p);
}

#[test]
fn row_conflict_markers_left_fail_check_naming_the_file() {
    let p = Project::new(&["db-pool", "lifespan"]);
    p.write(
        SERVICE,
        &format!(
            "{}<<<<<<< ours\na\n=======\nb\n>>>>>>> theirs\n",
            p.read(SERVICE)
        ),
    );
    let out = p.run(&["regen", "--check"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out)
            .contains("would conflict: src/orders/service.py (conflict markers are still in it"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn row_file_on_disk_not_in_the_lock_is_a_conflict_never_overwritten() {
    let p = Project::new(&["db-pool", "lifespan"]);
    p.write("src/orders/cache.py", "# my own cache module\n");
    let out = p.run(&["add", "resource", "cache"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("conflict  src/orders/cache.py: exists but scaffold did not write it"),
        "{}",
        stderr(&out)
    );
    assert_eq!(p.read("src/orders/cache.py"), "# my own cache module\n");
    // Moving it away lets the next regen finish.
    std::fs::remove_file(p.root().join("src/orders/cache.py")).unwrap();
    assert_eq!(code(&p.run(&["regen"])), 0);
    assert_clean(&p);
}

#[test]
fn check_writes_nothing_and_prints_a_unified_diff() {
    let p = Project::new(&["db-pool", "lifespan"]);
    p.write(SETTINGS, "# old\n");
    p.set_base(SETTINGS, "# old\n");
    let before = p.tree();
    let out = p.run(&["regen", "--check"]);
    assert_eq!(code(&out), 1);
    assert_eq!(p.tree(), before);
    assert!(
        stderr(&out).contains("would update: src/orders/settings.py (not edited; new render)"),
        "{}",
        stderr(&out)
    );
    let diff = stdout(&out);
    assert!(
        diff.starts_with("--- a/src/orders/settings.py\n+++ b/src/orders/settings.py\n@@"),
        "{diff}"
    );
    assert!(diff.contains("\n-# old\n"), "{diff}");
}

#[test]
fn dry_run_prints_the_plan_and_writes_nothing() {
    let p = Project::new(&["db-pool", "lifespan"]);
    p.write(SETTINGS, "# old\n");
    p.set_base(SETTINGS, "# old\n");
    std::fs::remove_file(p.root().join("Dockerfile")).unwrap();
    let before = p.tree();
    let out = p.run(&["regen", "--dry-run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(p.tree(), before);
    let text = stdout(&out);
    assert!(
        text.contains("update    src/orders/settings.py  (not edited; new render)\n"),
        "{text}"
    );
    assert!(
        text.contains("create    Dockerfile  (deleted by you; managed, so recreated)\n"),
        "{text}"
    );
    assert!(text.contains("--- /dev/null\n+++ b/Dockerfile\n"), "{text}");
}

#[test]
fn json_report_is_a_stable_document() {
    let p = Project::new(&["db-pool", "lifespan"]);
    p.write(SETTINGS, "# old\n");
    p.set_base(SETTINGS, "# old\n");
    let out = p.run(&["regen", "--check", "--format", "json"]);
    assert_eq!(code(&out), 1);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["mode"], "check");
    assert_eq!(doc["status"], "failed");
    let files = doc["files"].as_array().unwrap();
    let settings = files.iter().find(|f| f["path"] == SETTINGS).unwrap();
    assert_eq!(settings["action"], "update");
    assert_eq!(settings["owner"], "managed");
    assert!(settings["diff"].as_str().unwrap().contains("-# old"));
    assert_eq!(doc["conflicts"].as_array().unwrap().len(), 0);
    assert!(
        stderr(&out).is_empty(),
        "json mode keeps stderr for errors: {}",
        stderr(&out)
    );
    // Every key of a file entry, so a change to the format is a deliberate one.
    let keys: Vec<&str> = settings
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 6, "{keys:?}");
}

#[test]
fn root_is_found_from_a_subdirectory() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let mut cmd = p.dir.scaffold(&["regen", "--check"]);
    cmd.current_dir(p.root().join("src/orders"));
    let out = cmd.output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut cmd = p.dir.scaffold(&["add", "resource", "cache"]);
    cmd.current_dir(p.root().join("tests"));
    assert_eq!(code(&cmd.output().unwrap()), 0);
    assert!(p.exists("src/orders/cache.py"));
}

#[test]
fn outside_a_project_is_exit_2_with_a_hint() {
    let dir = TestDir::new();
    with_cli_settings(dir.path(), || {
        assert_cmd_snapshot!("cli__regen_no_project", dir.scaffold(&["regen"]));
    });
}

#[test]
fn check_snapshot_of_drift() {
    let p = Project::new(&["db-pool", "lifespan"]);
    p.write(".python-version", "3.11\n");
    p.set_base(".python-version", "3.11\n");
    with_cli_settings(&p.root(), || {
        assert_cmd_snapshot!("cli__regen_check_drift", p.cmd(&["regen", "--check"]));
    });
}

/// `--dry-run` diffs are coloured as `git diff` colours them with `--color always` (and on a
/// terminal), plain otherwise.
#[test]
fn dry_run_diffs_take_colour_when_asked() {
    let p = Project::new(&["db-pool", "lifespan"]);
    p.write(".python-version", "3.11\n");
    p.set_base(".python-version", "3.11\n");
    let out = p.run(&["--color", "always", "regen", "--dry-run"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("\u{1b}[1;32m+3.12\u{1b}[0m\n"),
        "{stdout:?}"
    );
    assert!(
        stdout.contains("\u{1b}[1;31m-3.11\u{1b}[0m\n"),
        "{stdout:?}"
    );
    let out = p.run(&["regen", "--dry-run"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("\n+3.12\n") && !stdout.contains('\u{1b}'),
        "{stdout:?}"
    );
}

/// An `add` or a `remove` that stops after k writes, for every k (the manifest is written
/// first, the lock last), leaves every file old or new, and says that `scaffold regen`
/// finishes it; that `regen` then leaves what the uninterrupted command leaves.
#[test]
fn add_and_remove_killed_after_any_write_are_finished_by_the_next_regen() {
    let kinds = ["db-pool", "lifespan"];
    for args in [
        &["add", "resource", "cache"][..],
        &["remove", "resource", "database"][..],
    ] {
        // Reference: the same command, uninterrupted.
        let q = Project::new(&kinds);
        assert_eq!(code(&q.run(args)), 0, "{args:?}");
        let mut expected = q.tree();
        expected.remove("scaffold.lock");
        let mut k = 0;
        loop {
            let p = Project::new(&kinds);
            let before = p.tree();
            let mut cmd = p.cmd(args);
            cmd.env("SCAFFOLD_INTERNAL_FAIL_AFTER_WRITES", k.to_string());
            let out = cmd.output().unwrap();
            if code(&out) == 0 {
                break;
            }
            assert_eq!(code(&out), 2, "{args:?} k={k}: {}", stderr(&out));
            // The error says the manifest already holds the change, and what finishes it.
            assert!(
                stderr(&out).contains("`scaffold.toml` was written first and already holds the change: once the cause is fixed, `scaffold regen` finishes the job"),
                "{args:?} k={k}: {}",
                stderr(&out)
            );
            for (path, content) in p.tree() {
                if path.contains(".scaffold-tmp") || path.starts_with("scaffold.") {
                    continue;
                }
                assert!(
                    before.get(&path) == Some(&content) || expected.get(&path) == Some(&content),
                    "{args:?} k={k}: {path} is neither old nor new"
                );
            }
            let out = p.run(&["regen"]);
            assert_eq!(code(&out), 0, "{args:?} k={k}: {}", stderr(&out));
            assert_clean(&p);
            let mut tree = p.tree();
            tree.remove("scaffold.lock");
            assert_eq!(
                tree.keys().collect::<Vec<_>>(),
                expected.keys().collect::<Vec<_>>(),
                "{args:?} k={k}"
            );
            assert_eq!(tree, expected, "{args:?} k={k}");
            k += 1;
        }
        assert!(k >= 3, "{args:?}: only {k} writes");
    }
}

/// An `add` killed after any write (no cleanup, no message: a SIGKILL), then run again, says
/// that `regen` finishes it; a `remove` of what it added instead gives back the project as it
/// was, the files the killed run wrote taken for its own, not for hand edits. A killed `remove`
/// run again says the same.
#[test]
fn add_or_remove_killed_at_any_write_is_what_the_next_add_or_remove_starts_from() {
    let kinds = ["db-pool", "lifespan"];
    let mut k = 0;
    loop {
        let p = Project::new(&kinds);
        let mut before = p.tree();
        before.remove("scaffold.lock");
        let mut cmd = p.cmd(&["add", "resource", "cache"]);
        cmd.env("SCAFFOLD_INTERNAL_KILL_AFTER_WRITES", k.to_string());
        let out = cmd.output().unwrap();
        if code(&out) == 0 {
            break;
        }
        assert_eq!(code(&out), 137, "k={k}: {}", stderr(&out));
        let again = p.run(&["add", "resource", "cache"]);
        assert_eq!(code(&again), 2, "k={k}");
        assert!(
            stderr(&again).contains(
                "an earlier `add` stopped before it finished?): `scaffold regen` finishes it"
            ),
            "k={k}: {}",
            stderr(&again)
        );
        let out = p.run(&["remove", "resource", "redis"]);
        assert_eq!(code(&out), 0, "k={k}: {}", stderr(&out));
        assert!(!stderr(&out).contains("keep"), "k={k}: {}", stderr(&out));
        assert_clean(&p);
        let mut tree = p.tree();
        tree.remove("scaffold.lock");
        assert_eq!(tree, before, "k={k}");
        k += 1;
    }
    assert!(k >= 3, "only {k} writes");

    let p = Project::new(&kinds);
    let mut cmd = p.cmd(&["remove", "resource", "database"]);
    cmd.env("SCAFFOLD_INTERNAL_KILL_AFTER_WRITES", "1");
    assert_eq!(code(&cmd.output().unwrap()), 137);
    let again = p.run(&["remove", "resource", "database"]);
    assert_eq!(code(&again), 2);
    assert!(
        stderr(&again).contains(
            "an earlier `remove` stopped before it finished?): `scaffold regen` finishes it"
        ),
        "{}",
        stderr(&again)
    );
}

#[test]
fn a_deleted_lock_adopts_files_equal_to_their_render_and_keeps_the_rest() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let edited = format!("{}# mine\n", p.read(SERVICE));
    p.write(SERVICE, &edited);
    std::fs::remove_file(p.root().join("scaffold.lock")).unwrap();
    let out = p.run(&["regen"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: no `scaffold.lock`"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out)
            .contains("conflict  src/orders/service.py: exists but scaffold did not write it"),
        "{}",
        stderr(&out)
    );
    assert_eq!(p.read(SERVICE), edited);
    assert!(
        p.lock().get(SETTINGS).is_some(),
        "unedited files are tracked again"
    );
}

#[test]
fn json_in_write_mode_lists_conflicts() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let render = p.read(SERVICE);
    let first = render.lines().next().unwrap().to_owned();
    p.set_base(SERVICE, &replace_line(&render, &first, "# base line"));
    p.write(SERVICE, &replace_line(&render, &first, "# my line"));
    let out = p.run(&["regen", "--format", "json"]);
    assert_eq!(code(&out), 1);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["mode"], "write");
    assert_eq!(doc["status"], "failed");
    assert_eq!(doc["conflicts"][0]["path"], SERVICE);
    assert!(
        doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["diff"].is_null())
    );
}

#[test]
fn regen_help() {
    let dir = TestDir::new();
    with_cli_settings(dir.path(), || {
        assert_cmd_snapshot!("cli__regen_help", dir.help(&["regen"]));
    });
}

/// A user-owned file that managed code imports (`routes.py`, imported by `app.py`) is
/// recreated when deleted: without it the service does not start, so `--check` fails on it
/// and `regen` writes it again. One nothing imports stays deleted.
#[test]
fn a_deleted_user_file_that_managed_code_imports_is_recreated() {
    let p = Project::new(&["db-pool", "lifespan"]);
    let routes = p.read("src/orders/routes.py");
    std::fs::remove_file(p.root().join("src/orders/routes.py")).unwrap();
    std::fs::remove_file(p.root().join("tests/test_service.py")).unwrap();
    let out = p.run(&["regen", "--check"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("would create: src/orders/routes.py (user-owned and deleted by you, but managed `src/orders/app.py` imports it: recreated from its template)"),
        "{}",
        stderr(&out)
    );
    assert!(
        !stderr(&out).contains("test_service.py"),
        "{}",
        stderr(&out)
    );
    assert_eq!(code(&p.run(&["regen"])), 0);
    assert_eq!(p.read("src/orders/routes.py"), routes);
    assert!(!p.root().join("tests/test_service.py").exists());
    assert_clean(&p);
}
