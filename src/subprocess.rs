//! Other programs run by scaffold (`git`, `uv`): each one with a deadline, its output captured,
//! several at once on a small tokio runtime.
//!
//! Nothing here decides what to run or what a result means: see [`crate::finish`].

use std::ffi::OsString;
use std::io;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;

/// One program to run: argv, working directory, deadline.
#[derive(Clone, Debug)]
pub struct Invocation {
    pub program: OsString,
    pub args: Vec<OsString>,
    pub cwd: PathBuf,
    pub timeout: Duration,
}

impl Invocation {
    /// `program args…` in `cwd`, killed after `timeout`.
    pub fn new<I, S>(program: &str, args: I, cwd: impl Into<PathBuf>, timeout: Duration) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        Invocation {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            cwd: cwd.into(),
            timeout,
        }
    }

    /// The command line as a user would type it (for messages).
    pub fn display(&self) -> String {
        std::iter::once(&self.program)
            .chain(&self.args)
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// How a run ended.
#[derive(Debug)]
pub enum Outcome {
    /// It ran to the end; `success` is its exit status being 0.
    Exited {
        success: bool,
        code: Option<i32>,
        stdout: String,
        stderr: String,
    },
    /// The program is not on `PATH`.
    NotFound,
    /// It could not be started for another reason.
    SpawnFailed(io::Error),
    /// It ran past its deadline and was killed.
    TimedOut,
}

/// A finished run: how it ended and how long it took.
#[derive(Debug)]
pub struct Finished {
    pub outcome: Outcome,
    pub elapsed: Duration,
}

impl Finished {
    /// Whether the program exited with status 0.
    pub fn succeeded(&self) -> bool {
        matches!(self.outcome, Outcome::Exited { success: true, .. })
    }
}

/// Runs `invocation` to its end or its deadline. Stdin is closed; stdout and stderr are captured.
pub async fn run(invocation: &Invocation) -> Finished {
    let started = Instant::now();
    let mut command = Command::new(&invocation.program);
    command
        .args(&invocation.args)
        .current_dir(&invocation.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // A run abandoned for any reason (deadline, panic, an early return) takes its child down.
        .kill_on_drop(true);
    let outcome = match command.spawn() {
        Err(err) if err.kind() == io::ErrorKind::NotFound => Outcome::NotFound,
        Err(err) => Outcome::SpawnFailed(err),
        Ok(mut child) => {
            let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
            let finished = {
                let mut out = child.stdout.take();
                let mut err = child.stderr.take();
                let child = &mut child;
                let to_end = async {
                    // Both pipes are drained while the child runs, so it never blocks on a full one.
                    tokio::try_join!(
                        read_all(&mut out, &mut stdout),
                        read_all(&mut err, &mut stderr)
                    )?;
                    child.wait().await
                };
                tokio::time::timeout(invocation.timeout, to_end).await
            };
            match finished {
                Err(_elapsed) => {
                    // SIGKILL and reap, so no zombie outlives the run.
                    let _ = child.kill().await;
                    Outcome::TimedOut
                }
                Ok(Err(err)) => Outcome::SpawnFailed(err),
                Ok(Ok(status)) => Outcome::Exited {
                    success: status.success(),
                    code: status.code(),
                    stdout: String::from_utf8_lossy(&stdout).into_owned(),
                    stderr: String::from_utf8_lossy(&stderr).into_owned(),
                },
            }
        }
    };
    Finished {
        outcome,
        elapsed: started.elapsed(),
    }
}

async fn read_all<R: AsyncRead + Unpin>(
    pipe: &mut Option<R>,
    into: &mut Vec<u8>,
) -> io::Result<()> {
    match pipe {
        Some(pipe) => pipe.read_to_end(into).await.map(drop),
        None => Ok(()),
    }
}

/// A current-thread runtime for a few concurrent subprocesses.
pub fn runtime() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        runtime().expect("runtime").block_on(f)
    }

    #[test]
    fn captures_output_and_status() {
        let done = block_on(run(&Invocation::new(
            "sh",
            ["-c", "echo out; echo err >&2; exit 3"],
            ".",
            Duration::from_secs(10),
        )));
        match done.outcome {
            Outcome::Exited {
                success,
                code,
                stdout,
                stderr,
            } => {
                assert!(!success);
                assert_eq!(code, Some(3));
                assert_eq!(stdout, "out\n");
                assert_eq!(stderr, "err\n");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_program_is_not_found() {
        let done = block_on(run(&Invocation::new(
            "scaffold-no-such-program",
            Vec::<String>::new(),
            ".",
            Duration::from_secs(10),
        )));
        assert!(matches!(done.outcome, Outcome::NotFound), "{done:?}");
    }

    #[test]
    fn a_run_past_its_deadline_is_killed() {
        // The child writes its pid, then sleeps far past the deadline.
        let dir = tempfile::tempdir().expect("tempdir");
        let pid_file = dir.path().join("pid");
        let script = format!("echo $$ > '{}'; exec sleep 30", pid_file.display());
        let done = block_on(run(&Invocation::new(
            "sh",
            ["-c", script.as_str()],
            ".",
            Duration::from_millis(300),
        )));
        assert!(matches!(done.outcome, Outcome::TimedOut), "{done:?}");
        assert!(done.elapsed < Duration::from_secs(5), "{:?}", done.elapsed);
        let pid = std::fs::read_to_string(&pid_file).expect("pid written");
        // Killed and reaped: not even a zombie is left.
        let proc_dir = PathBuf::from(format!("/proc/{}", pid.trim()));
        assert!(!proc_dir.exists(), "sleep {} still running", pid.trim());
    }

    #[test]
    fn runs_concurrently() {
        let started = Instant::now();
        let sleep = Invocation::new("sleep", ["0.5"], ".", Duration::from_secs(10));
        let (a, b) = block_on(async { tokio::join!(run(&sleep), run(&sleep)) });
        assert!(a.succeeded() && b.succeeded());
        assert!(
            started.elapsed() < Duration::from_millis(950),
            "{:?}",
            started.elapsed()
        );
    }
}
