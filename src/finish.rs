//! What `scaffold new` does after the files are written, as `cargo new` and `uv init` do: a git
//! repository, and `uv.lock` (the generated CI and Dockerfile install with `uv sync --locked`).
//!
//! Each step is a real subprocess with a deadline ([`crate::subprocess`]); the steps run
//! concurrently. A step never makes `new` fail: the files are already complete on disk, so a
//! missing tool, a failure or a timeout becomes a line that says what was skipped and the command
//! to run later, and whatever the step left half-made (`.git`, `uv.lock`) is removed.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::time::{Duration, Instant};

use crate::printer::Printer;
use crate::subprocess::{self, Finished, Invocation, Outcome};

/// `git init` (and the `git config` read before it) is local work: seconds at most.
const GIT_TIMEOUT: Duration = Duration::from_secs(15);
/// `uv lock` resolves against the package index: ~1-3 s usually, bounded for a slow network.
const LOCK_TIMEOUT: Duration = Duration::from_secs(120);
/// The branch a new repository starts on when the user's git config names none: the generated
/// workflow runs on pushes to `main`.
const DEFAULT_BRANCH: &str = "main";
/// uv's lock file, in the project root.
pub const UV_LOCK: &str = "uv.lock";

/// Which steps to run.
#[derive(Clone, Copy, Debug)]
pub struct Steps {
    pub git_init: bool,
    pub uv_lock: bool,
}

/// A finishing step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    GitInit,
    UvLock,
}

impl Step {
    /// The command, as the user would type it to do the step later.
    pub fn command(self) -> &'static str {
        match self {
            Step::GitInit => "git init",
            Step::UvLock => "uv lock",
        }
    }
}

/// How a step ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Report {
    /// Done; the text completes "Initialized …" / "Locked …".
    Done { step: Step, what: String },
    /// Not run, and not needed (`new` inside an existing repository).
    NotNeeded { step: Step, why: String },
    /// Not run because its tool is missing: run it later.
    Skipped { step: Step, why: String },
    /// Ran and failed or timed out; what it left was removed: run it later.
    Failed { step: Step, why: String },
}

impl Report {
    /// Whether the step's result (a repository, a lock) exists after it.
    pub fn done(&self) -> bool {
        matches!(self, Report::Done { .. } | Report::NotNeeded { .. })
    }

    /// The step this reports on.
    pub fn step(&self) -> Step {
        match self {
            Report::Done { step, .. }
            | Report::NotNeeded { step, .. }
            | Report::Skipped { step, .. }
            | Report::Failed { step, .. } => *step,
        }
    }
}

/// Runs the chosen steps in the new project at `dir`, concurrently, with a progress line on a
/// terminal. Returns one report per step that was asked for, in [`Step`] order.
pub fn run(dir: &Path, steps: Steps, printer: &Printer) -> Vec<Report> {
    if !steps.git_init && !steps.uv_lock {
        return Vec::new();
    }
    let runtime = match subprocess::runtime() {
        Ok(runtime) => runtime,
        Err(err) => {
            let why = format!("cannot start subprocesses: {err}");
            return [
                (steps.git_init, Step::GitInit),
                (steps.uv_lock, Step::UvLock),
            ]
            .into_iter()
            .filter(|(asked, _)| *asked)
            .map(|(_, step)| Report::Failed {
                step,
                why: why.clone(),
            })
            .collect();
        }
    };
    let git_running = Cell::new(steps.git_init);
    let lock_running = Cell::new(steps.uv_lock);
    let git = async {
        let report = if steps.git_init {
            Some(git_init(dir).await)
        } else {
            None
        };
        git_running.set(false);
        report
    };
    let lock = async {
        let report = if steps.uv_lock {
            Some(uv_lock(dir).await)
        } else {
            None
        };
        lock_running.set(false);
        report
    };
    let (git, lock) = runtime.block_on(async {
        let mut both = pin!(async { tokio::join!(git, lock) });
        let started = Instant::now();
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            tokio::select! {
                reports = &mut both => {
                    printer.clear_progress();
                    break reports;
                }
                _ = tick.tick(), if printer.live() => {
                    let running: Vec<&str> = [(&git_running, Step::GitInit), (&lock_running, Step::UvLock)]
                        .into_iter()
                        .filter(|(running, _)| running.get())
                        .map(|(_, step)| step.command())
                        .collect();
                    printer.progress(&format!(
                        "Running {} ({:.1}s)",
                        running.join(", "),
                        started.elapsed().as_secs_f64()
                    ));
                }
            }
        }
    });
    git.into_iter().chain(lock).collect()
}

async fn git_init(dir: &Path) -> Report {
    let step = Step::GitInit;
    if let Some(repo) = enclosing_repository(dir) {
        return Report::NotNeeded {
            step,
            why: format!("inside the git repository at `{}`", repo.display()),
        };
    }
    // The user's `init.defaultBranch` wins; without one, git would pick `master` (and print a
    // hint), and a first push would not run the workflow, which runs on `main`.
    let config = subprocess::run(&Invocation::new(
        "git",
        ["config", "--get", "init.defaultBranch"],
        dir,
        GIT_TIMEOUT,
    ))
    .await;
    let configured = match &config.outcome {
        Outcome::Exited {
            success: true,
            stdout,
            ..
        } => Some(stdout.trim().to_owned()),
        Outcome::Exited { code: Some(1), .. } => None, // the key is not set
        _ => return not_run(step, &config, None),
    };
    let mut args = vec!["init".to_owned(), "--quiet".to_owned()];
    if configured.is_none() {
        args.push(format!("--initial-branch={DEFAULT_BRANCH}"));
    }
    let init = subprocess::run(&Invocation::new("git", args, dir, GIT_TIMEOUT)).await;
    if !init.succeeded() {
        // No repository encloses `dir`, so a `.git` in it is this run's.
        return not_run(step, &init, Some(dir.join(".git")));
    }
    let branch = configured.unwrap_or_else(|| DEFAULT_BRANCH.to_owned());
    Report::Done {
        step,
        what: format!("a git repository (branch `{branch}`)"),
    }
}

async fn uv_lock(dir: &Path) -> Report {
    let step = Step::UvLock;
    // An existing `uv.lock` is the user's: a failed re-lock leaves it as it was (uv replaces
    // it only on success). Only a lock this run began is removed.
    let existed = dir.join(UV_LOCK).exists();
    let lock = subprocess::run(&Invocation::new("uv", ["lock"], dir, LOCK_TIMEOUT)).await;
    if !lock.succeeded() {
        return not_run(step, &lock, (!existed).then(|| dir.join(UV_LOCK)));
    }
    Report::Done {
        step,
        what: format!("the dependencies in `{UV_LOCK}`"),
    }
}

/// The report of a step that did not complete, after removing `leftover`, what it began.
fn not_run(step: Step, finished: &Finished, leftover: Option<PathBuf>) -> Report {
    let program = step.command().split(' ').next().unwrap_or_default();
    let why = match &finished.outcome {
        Outcome::NotFound => {
            return Report::Skipped {
                step,
                why: format!("`{program}` is not on PATH"),
            };
        }
        Outcome::SpawnFailed(err) => format!("`{program}` could not be started: {err}"),
        Outcome::TimedOut => format!(
            "it did not finish within {} s and was stopped",
            finished_deadline(step).as_secs()
        ),
        Outcome::Exited {
            code,
            stderr,
            stdout,
            ..
        } => {
            let status = code.map_or_else(|| "a signal".to_owned(), |c| format!("status {c}"));
            match reason_line(stderr).or_else(|| reason_line(stdout)) {
                Some(line) => format!("`{program}` exited with {status}: {line}"),
                None => format!("`{program}` exited with {status}"),
            }
        }
    };
    // The project is complete without the step: remove what it began, so the tree is exactly
    // the rendered one and the step can simply be run again.
    if let Some(leftover) = leftover {
        let _ = if leftover.is_dir() {
            std::fs::remove_dir_all(&leftover)
        } else {
            std::fs::remove_file(&leftover)
        };
    }
    Report::Failed { step, why }
}

/// Prints a step's report: a status line, or a warning with the command to run later.
pub fn print(report: &Report, dir: &Path, printer: &Printer) {
    match report {
        Report::Done { step, what } => printer.status(
            match step {
                Step::GitInit => "Initialized",
                Step::UvLock => "Locked",
            },
            what,
        ),
        Report::NotNeeded { step, why } => {
            printer.status("Skipped", &format!("`{}`: {why}", step.command()));
        }
        Report::Skipped { step, why } | Report::Failed { step, why } => {
            let hint = match step {
                Step::GitInit => format!(
                    "the project is complete without it; to version it: `cd {} && git init`",
                    shell_quote(dir)
                ),
                Step::UvLock => format!(
                    "run `uv lock` in `{}` before committing: the project's CI and Dockerfile install with `uv sync --locked`",
                    dir.display()
                ),
            };
            let what = if matches!(report, Report::Skipped { .. }) {
                "skipped"
            } else {
                "failed"
            };
            printer.warning(&format!("`{}` {what}: {why}", step.command()), &hint);
        }
    }
}

/// The path as a shell word: bare when safe, else single-quoted.
pub fn shell_quote(path: &Path) -> String {
    let text = path.display().to_string();
    let safe = !text.is_empty()
        && text.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '+' | ',' | '@' | ':')
        });
    if safe {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// After `regen`, `add` or `remove` changed `pyproject.toml`: brings an existing `uv.lock` in
/// line, as `uv add` would (CI's `uv sync --locked` fails on a stale lock). A project without
/// `uv.lock` is left alone: its owner does not lock with uv.
pub fn relock(root: &Path, printer: &Printer) {
    if !root.join(UV_LOCK).is_file() {
        return;
    }
    let steps = Steps {
        git_init: false,
        uv_lock: true,
    };
    for report in run(root, steps, printer) {
        print(&report, root, printer);
    }
}

fn finished_deadline(step: Step) -> Duration {
    match step {
        Step::GitInit => GIT_TIMEOUT,
        Step::UvLock => LOCK_TIMEOUT,
    }
}

/// The line of a program's output that says what went wrong: its first `error:` (uv) or
/// `fatal:` (git) line without the prefix, else its last non-empty line.
fn reason_line(text: &str) -> Option<String> {
    let lines = || text.lines().map(str::trim).filter(|l| !l.is_empty());
    let line = lines()
        .find_map(|l| {
            l.strip_prefix("error:")
                .or_else(|| l.strip_prefix("fatal:"))
        })
        .or_else(|| lines().next_back())?;
    Some(line.trim().to_owned())
}

/// The work tree that contains `dir`, found as git does: the nearest ancestor with a `.git`.
fn enclosing_repository(dir: &Path) -> Option<PathBuf> {
    let dir = dir.canonicalize().ok()?;
    dir.ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_is_the_error_line() {
        let uv = "Using CPython 3.12.1\nerror: No solution found when resolving dependencies\n  cause: Because redis was not found\n\nhint: Packages were unavailable\n";
        assert_eq!(
            reason_line(uv).as_deref(),
            Some("No solution found when resolving dependencies")
        );
        assert_eq!(
            reason_line("fatal: cannot mkdir .git").as_deref(),
            Some("cannot mkdir .git")
        );
        assert_eq!(reason_line("killed\n\n").as_deref(), Some("killed"));
        assert_eq!(reason_line("\n \n"), None);
    }

    #[test]
    fn a_repository_is_found_from_inside_it() {
        let root = tempfile::tempdir().expect("tempdir");
        let inner = root.path().join("a/b");
        std::fs::create_dir_all(&inner).expect("mkdir");
        assert_eq!(enclosing_repository(&inner), None);
        std::fs::create_dir(root.path().join(".git")).expect("mkdir .git");
        let found = enclosing_repository(&inner).expect("found");
        assert_eq!(found, root.path().canonicalize().expect("canonical"));
    }
}
