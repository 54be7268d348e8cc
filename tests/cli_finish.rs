//! `scaffold new`'s finishing steps, through the binary: `git init` (real git) and `uv lock`.
//!
//! Each test gives the binary a `PATH` of its own, so what is "installed" is exactly what the test
//! says. git is the real one; `uv` here is a small script standing in for it where a test needs uv
//! to succeed, fail or be slow without a network (the real `uv lock`, against PyPI, runs in
//! tests/real_run/test_workflow_replay.py).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rexpect::session::spawn_command;

use crate::common::{TestDir, scaffold_command};

/// A sandbox: a temp dir to run in, a `bin/` that is the whole `PATH`, a `HOME` with no git config.
struct Sandbox {
    dir: TestDir,
}

impl Sandbox {
    fn new() -> Self {
        let dir = TestDir::new();
        for sub in ["bin", "home", "work"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        Sandbox { dir }
    }

    fn bin(&self) -> PathBuf {
        self.dir.path().join("bin")
    }

    fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// Puts the real `git` on the sandbox's PATH.
    fn with_git(self) -> Self {
        let git = which("git").expect("git on PATH (CI installs it)");
        std::os::unix::fs::symlink(git, self.bin().join("git")).unwrap();
        self
    }

    /// Puts a `uv` on the sandbox's PATH that runs `script` (sh), after logging its argv and cwd.
    fn with_uv(self, script: &str) -> Self {
        self.with_tool("uv", script)
    }

    /// Puts `name` on the sandbox's PATH as a script that logs its cwd and argv to `NAME.log`,
    /// then runs `script` (sh).
    fn with_tool(self, name: &str, script: &str) -> Self {
        self.set_tool(name, script);
        self
    }

    fn set_tool(&self, name: &str, script: &str) {
        let log = self.dir.path().join(format!("{name}.log"));
        let body = format!(
            "#!/bin/sh\nPATH=/usr/local/bin:/usr/bin:/bin\necho \"$PWD $*\" >> '{}'\n{script}\n",
            log.display()
        );
        let path = self.bin().join(name);
        std::fs::write(&path, body).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn uv_calls(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("uv.log")).unwrap_or_default()
    }

    /// `scaffold ARGS…` in `work/`, with the finishing steps on and nothing but the sandbox.
    fn scaffold(&self, args: &[&str]) -> Command {
        let mut cmd = scaffold_command();
        cmd.current_dir(self.work())
            .args(args)
            .env_remove("SCAFFOLD_VCS")
            .env_remove("SCAFFOLD_NO_LOCK")
            .env("PATH", self.bin())
            .env("HOME", self.dir.path().join("home"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GIT_CONFIG_GLOBAL")
            .env_remove("XDG_CONFIG_HOME");
        cmd
    }

    fn run(&self, args: &[&str]) -> (Output, String) {
        let out = self.scaffold(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{args:?}: {err}");
        (out, err)
    }
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(program))
            .find(|p| p.is_file())
    })
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// No git, no uv: the project is complete, `new` says what it skipped and exits 0.
#[test]
fn without_git_or_uv_new_succeeds_and_says_what_it_skipped() {
    let sandbox = Sandbox::new();
    let (out, err) = sandbox.run(&["new", "orders", "--resource", "db-pool"]);
    assert!(out.stdout.is_empty());
    let tail = &err[err.find("warning").expect("warnings")..];
    assert_eq!(
        tail,
        "\
warning: `git init` skipped: `git` is not on PATH
hint: the project is complete without it; to version it: `cd orders && git init`
warning: `uv lock` skipped: `uv` is not on PATH
hint: run `uv lock` in `orders` before committing: the project's CI and Dockerfile install with `uv sync --locked`

Next:
  cd orders
  uv lock
  [ -f .env ] || cp .env.example .env
  docker compose up -d --wait && uv run --env-file .env python -m orders
  uv run --env-file .env pytest
"
    );
    let root = sandbox.work().join("orders");
    assert!(root.join("scaffold.toml").is_file());
    assert!(!root.join(".git").exists());
    assert!(!root.join("uv.lock").exists());
    // Complete: in line with its manifest.
    let check = scaffold_command()
        .current_dir(&root)
        .args(["regen", "--check"])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

/// Real git: a repository on `main` when the user configured no default branch, theirs when they did.
#[test]
fn git_init_makes_a_repository_on_main_or_the_configured_branch() {
    let sandbox = Sandbox::new().with_git();
    let (_, err) = sandbox.run(&["new", "orders", "--resource", "cache"]);
    let root = sandbox.work().join("orders");
    assert!(
        err.contains("Initialized a git repository (branch `main`)"),
        "{err}"
    );
    assert!(
        err.contains("warning: `uv lock` skipped: `uv` is not on PATH"),
        "{err}"
    );
    assert_eq!(git(&root, &["symbolic-ref", "--short", "HEAD"]), "main");
    assert_eq!(
        git(&root, &["rev-parse", "--show-toplevel"]),
        root.canonicalize().unwrap().display().to_string()
    );
    // Nothing is committed: the first commit is the user's, as with `cargo new` and `uv init`.
    assert!(git(&root, &["status", "--porcelain"]).contains("?? scaffold.toml"));

    let config = sandbox.dir.path().join("gitconfig");
    std::fs::write(&config, "[init]\n\tdefaultBranch = trunk\n").unwrap();
    let out = sandbox
        .scaffold(&["new", "billing", "--resource", "cache"])
        .env("GIT_CONFIG_GLOBAL", &config)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("Initialized a git repository (branch `trunk`)"),
        "{err}"
    );
    assert_eq!(
        git(
            &sandbox.work().join("billing"),
            &["symbolic-ref", "--short", "HEAD"]
        ),
        "trunk"
    );
}

/// Inside an existing work tree (a monorepo), no nested repository is made.
#[test]
fn inside_a_repository_git_init_is_not_run() {
    let sandbox = Sandbox::new().with_git();
    git(&sandbox.work(), &["init", "--quiet"]);
    std::fs::create_dir(sandbox.work().join("services")).unwrap();
    let (_, err) = sandbox.run(&[
        "new",
        "orders",
        "--dir",
        "services/orders",
        "--resource",
        "cache",
    ]);
    assert!(
        err.contains("Skipped `git init`: inside the git repository at `")
            && err.contains("/work`"),
        "{err}"
    );
    assert!(!sandbox.work().join("services/orders/.git").exists());
}

/// `uv lock` runs once, in the new project; success is reported and `uv lock` is not a next step.
#[test]
fn uv_lock_runs_in_the_project() {
    let sandbox = Sandbox::new().with_uv("echo 'version = 1' > uv.lock");
    let (_, err) = sandbox.run(&["new", "orders", "--resource", "cache"]);
    let root = sandbox.work().join("orders");
    assert_eq!(
        sandbox.uv_calls(),
        format!("{} lock\n", root.canonicalize().unwrap().display())
    );
    assert!(root.join("uv.lock").is_file());
    assert!(
        err.contains("Locked the dependencies in `uv.lock`"),
        "{err}"
    );
    let next = &err[err.find("Next:").expect("next steps")..];
    assert!(!next.contains("uv lock"), "{err}");
}

/// A failing `uv lock` (offline, a broken index) is a warning with the command to run later; the
/// half-written `uv.lock` it left is removed and `new` still exits 0.
#[test]
fn a_failing_uv_lock_is_a_warning_and_leaves_no_lock() {
    let sandbox = Sandbox::new().with_git().with_uv(
        "echo 'half a lock' > uv.lock\necho 'Resolving' >&2\necho 'error: Failed to fetch: `https://pypi.org/simple/redis/`' >&2\necho '  Caused by: dns error' >&2\nexit 2",
    );
    let (_, err) = sandbox.run(&["new", "orders", "--resource", "cache"]);
    let root = sandbox.work().join("orders");
    assert!(
        err.contains("warning: `uv lock` failed: `uv` exited with status 2: Failed to fetch: `https://pypi.org/simple/redis/`"),
        "{err}"
    );
    assert!(
        err.contains("hint: run `uv lock` in `orders` before committing"),
        "{err}"
    );
    assert!(
        !root.join("uv.lock").exists(),
        "the half-written lock was left"
    );
    assert!(
        root.join(".git").is_dir(),
        "git init is independent of uv lock"
    );
    let next = &err[err.find("Next:").expect("next steps")..];
    assert!(next.contains("\n  cd orders\n  uv lock\n"), "{err}");
}

/// `--vcs none --no-lock` runs neither step and says nothing about them.
#[test]
fn the_flags_skip_both_steps() {
    let sandbox = Sandbox::new().with_git().with_uv("touch uv.lock");
    let (_, err) = sandbox.run(&[
        "new",
        "orders",
        "--resource",
        "cache",
        "--vcs",
        "none",
        "--no-lock",
    ]);
    let root = sandbox.work().join("orders");
    assert!(!root.join(".git").exists() && !root.join("uv.lock").exists());
    assert_eq!(sandbox.uv_calls(), "");
    assert!(
        !err.contains("git init") && !err.contains("Locked"),
        "{err}"
    );
}

/// Both steps run at once: here each waits for the other to have started (git for uv's marker,
/// uv for `.git`), so run one after the other they could never finish. On a pipe nothing but the
/// summary is printed: no progress line, no terminal codes.
#[test]
fn steps_run_concurrently_and_a_pipe_gets_no_progress_line() {
    let wait_for = |path: &str| {
        format!(
            "i=0; while [ ! -e {path} ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; [ -e {path} ] || exit 7"
        )
    };
    let sandbox = Sandbox::new()
        .with_tool(
            "git",
            &format!(
                "[ \"$1\" = init ] || exit 1\n{}\nmkdir .git",
                wait_for("uv-started")
            ),
        )
        .with_uv(&format!(
            "touch uv-started\n{}\nrm uv-started; touch uv.lock",
            wait_for(".git")
        ));
    let (out, err) = sandbox.run(&["new", "orders", "--resource", "cache"]);
    assert!(
        err.contains("Initialized a git repository (branch `main`)"),
        "{err}"
    );
    assert!(err.contains("Locked the dependencies"), "{err}");
    assert!(!err.contains('\r') && !err.contains('\x1b'), "{err:?}");
    assert!(!err.contains("Running"), "{err}");
    assert!(out.stdout.is_empty());
}

/// On a terminal, a progress line names the running steps, then is erased before the summary.
#[test]
fn a_terminal_gets_a_progress_line() {
    let sandbox = Sandbox::new()
        .with_git()
        .with_uv("sleep 0.6; touch uv.lock");
    let mut cmd = sandbox.scaffold(&["new", "orders", "--resource", "cache", "--color", "never"]);
    cmd.env_remove("CI").env("TERM", "xterm");
    let mut p = spawn_command(cmd, Some(20_000)).expect("spawn in a pty");
    p.exp_string("Running uv lock (").unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(
        rest.contains("\r\x1b[2K"),
        "the progress line is erased: {rest:?}"
    );
    assert!(
        rest.contains("Locked the dependencies in `uv.lock`"),
        "{rest:?}"
    );
    assert!(rest.contains("Initialized a git repository"), "{rest:?}");
}

/// `add` and `remove` change `pyproject.toml`'s dependencies: an existing `uv.lock` is brought in
/// line (CI's `uv sync --locked` would fail on it), as `uv add` does. A failing `uv lock` leaves
/// the user's lock as it was; `--no-lock` and a project without `uv.lock` run nothing.
#[test]
fn add_and_remove_keep_an_existing_uv_lock_in_line() {
    let sandbox =
        Sandbox::new().with_uv("echo \"locked $(grep -c redis pyproject.toml)\" > uv.lock");
    sandbox.run(&["new", "orders", "--resource", "db-pool", "--vcs", "none"]);
    let root = sandbox.work().join("orders");
    let lock = || std::fs::read_to_string(root.join("uv.lock")).unwrap();
    assert_eq!(lock(), "locked 0\n");

    let in_root = |args: &[&str]| {
        let mut cmd = sandbox.scaffold(args);
        cmd.current_dir(&root);
        let out = cmd.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{args:?}: {err}");
        err
    };
    let err = in_root(&["add", "resource", "cache", "--no-input"]);
    assert!(
        err.contains("Locked the dependencies in `uv.lock`"),
        "{err}"
    );
    assert_eq!(lock(), "locked 1\n", "re-locked after redis was added");

    // Nothing in pyproject.toml changes: no re-lock.
    let calls = sandbox.uv_calls().lines().count();
    in_root(&["regen"]);
    assert_eq!(sandbox.uv_calls().lines().count(), calls);

    // --no-lock: the lock is left stale, on purpose.
    in_root(&["remove", "resource", "redis", "--no-lock"]);
    assert_eq!(sandbox.uv_calls().lines().count(), calls);
    assert_eq!(lock(), "locked 1\n");
    in_root(&["add", "resource", "cache", "--no-input"]);
    assert_eq!(lock(), "locked 1\n");

    // A failing uv leaves the user's lock untouched, says so, and the command still succeeds.
    std::fs::write(root.join("uv.lock"), "the user's lock\n").unwrap();
    sandbox.set_tool("uv", "echo 'error: offline' >&2; exit 2");
    let mut cmd = sandbox.scaffold(&["remove", "resource", "redis"]);
    cmd.current_dir(&root);
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning: `uv lock` failed: `uv` exited with status 2: offline"),
        "{err}"
    );
    assert_eq!(lock(), "the user's lock\n");

    // No uv.lock: the project does not lock with uv; nothing runs.
    std::fs::remove_file(root.join("uv.lock")).unwrap();
    let calls = sandbox.uv_calls().lines().count();
    in_root(&["add", "resource", "cache", "--no-input"]);
    assert_eq!(sandbox.uv_calls().lines().count(), calls);
    assert!(!root.join("uv.lock").exists());
}
