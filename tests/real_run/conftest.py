"""Fixtures and plumbing of the real-run harness (see test_real_run.py for what it checks).

Everything that touches the outside world lives here: finding the `scaffold` binary, the
Pythons and uv; checking that PostgreSQL and Redis were started; one shared venv per Python;
per-project databases; running subprocesses with hard timeouts; the summary printed at the end.

Settings (environment):
  SCAFFOLD_BIN            the binary under test (default: target/release/scaffold, else target/debug/scaffold)
  DATABASE_URL, REDIS_URL required: `scripts/start-services.sh` and its env file provide them
  UV                      uv executable (default: `uv` on PATH)
  REAL_RUN_PY311 / _PY312 / _PY313   interpreter paths (default: $(pyenv root)/versions/3.1x.*)
  REAL_RUN_PYTEST_TIMEOUT seconds for one project's own pytest run (default 600)
  REAL_RUN_DEADLINE       seconds for the whole real run; steps' timeouts shrink to fit (default 1500)
  SCAFFOLD_WHEELS         test_workflow_replay.py: the directory holding this build's asyncio_scaffold
                          wheel (`maturin build --release --out DIR`), standing in for PyPI
  REAL_RUN_KEEP=1         keep the scratch dir even when everything passed
  REAL_RUN_REDIS_DBS      the Redis db numbers this run hands out, as FIRST-LAST (default 1-15; 0 stays
                          the default for humans): two runs at once (scripts/test.sh) split them
"""

from __future__ import annotations

import contextlib
import functools
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
CONSTRAINTS = REPO / "constraints" / "python.txt"
PYTHONS = ("3.11", "3.12", "3.13")
PYTEST_TIMEOUT = float(os.environ.get("REAL_RUN_PYTEST_TIMEOUT", "600"))
# One budget for the whole real run, so that a few hanging suites cannot take CI past its limit
# (11 suites x 600 s would): every step's timeout is cut to what is left of it.
DEADLINE = time.monotonic() + float(os.environ.get("REAL_RUN_DEADLINE", "1500"))
# `scaffold new` (and `add`) without the finishing steps (`git init`, `uv lock`): the ordinary real
# run stays offline and fast; test_workflow_replay.py runs them.
NO_FINISHING = {"SCAFFOLD_VCS": "none", "SCAFFOLD_NO_LOCK": "1"}


# ----------------------------------------------------------------------------- subprocesses


@dataclass
class Run:
    argv: list[str]
    returncode: int  # -9 (SIGKILL) after a timeout
    output: str  # stdout and stderr, interleaved
    seconds: float
    timed_out: bool

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.output.rstrip().splitlines()[-lines:])

    def describe(self, lines: int = 60) -> str:
        what = "timed out (killed)" if self.timed_out else f"exit {self.returncode}"
        return f"$ {' '.join(self.argv)}\n-> {what} in {self.seconds:.1f}s\n{self.tail(lines)}"


def run(argv: list[str], *, cwd: Path, env: dict[str, str], timeout: float) -> Run:
    """Run argv with no stdin and a hard timeout.

    The child leads its own process group, so on timeout we kill exactly that group (by its own
    pid) - uvicorn servers or workers it started go with it, and nothing else is touched.
    """
    t0 = time.monotonic()
    with tempfile.TemporaryFile(mode="w+b") as out:
        proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            # Also reap leftovers of a finished child's group (e.g. a server a test forgot to stop).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        out.seek(0)
        text = out.read().decode("utf-8", errors="replace")
    return Run(argv, proc.returncode, text, time.monotonic() - t0, timed_out)


# ----------------------------------------------------------------------------- discovery


def scaffold_bin() -> Path | None:
    if env := os.environ.get("SCAFFOLD_BIN"):
        return Path(env).resolve()
    for profile in ("release", "debug"):
        p = REPO / "target" / profile / "scaffold"
        if p.is_file():
            return p
    return None


@functools.cache
def kind_registry() -> tuple[dict[str, Any], ...]:
    """The kinds of the binary under test (`scaffold list kinds --format json`), in its order.

    The harness iterates these, so a new kind folder is generated, linted and run here without
    an edit to the harness."""
    binary = scaffold_bin()
    if binary is None:
        raise RuntimeError("no scaffold binary: build it (cargo build) or set SCAFFOLD_BIN")
    out = subprocess.run([str(binary), "list", "kinds", "--format", "json"], capture_output=True,
                         text=True, timeout=30, check=True).stdout
    return tuple(json.loads(out))


def python_path(version: str) -> Path:
    """Full path of a CPython (pyenv's shims follow the global version, so never `python3.12`)."""
    if env := os.environ.get("REAL_RUN_PY" + version.replace(".", "")):
        return Path(env)
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    found = glob.glob(f"{root}/versions/{version}.*/bin/python{version}")
    found = [f for f in found if re.fullmatch(r"\d+\.\d+\.\d+", Path(f).parent.parent.name)]
    if not found:
        pytest.fail(f"no Python {version} under {root}/versions; set REAL_RUN_PY{version.replace('.', '')}",
                    pytrace=False)
    return Path(max(found, key=lambda f: [int(x) for x in Path(f).parent.parent.name.split(".")]))


def uv_bin() -> str:
    uv = os.environ.get("UV") or shutil.which("uv")
    if not uv:
        pytest.fail("uv not found: set UV or run through scripts/test.sh, which installs it", pytrace=False)
    return uv


def _port_answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=2):
            return True
    except OSError:
        return False


def pytest_sessionstart(session: pytest.Session) -> None:
    """Fail the whole run at once, loudly, when the servers or the binary are missing. Never skip."""
    if session.config.option.collectonly:
        return
    problems = []
    for var in ("DATABASE_URL", "REDIS_URL"):
        url = os.environ.get(var)
        if not url:
            problems.append(f"{var} is not set")
        elif not _port_answers(url):
            problems.append(f"{var}={url} does not answer")
    if problems:
        pytest.exit(
            "real-run needs PostgreSQL and Redis: " + "; ".join(problems) + ".\n"
            "Run `scripts/start-services.sh`, then `set -a; . /tmp/ci-services/env; set +a` "
            "(or just run `scripts/test.sh real`, which does both).",
            returncode=3,
        )
    binary = scaffold_bin()
    if binary is None or not binary.is_file():
        pytest.exit(
            f"no scaffold binary ({os.environ.get('SCAFFOLD_BIN') or 'target/{release,debug}/scaffold'}): "
            "run `cargo build --release` or set SCAFFOLD_BIN.",
            returncode=3,
        )


# ----------------------------------------------------------------------------- results / summary


@dataclass
class Outcome:
    label: str  # e.g. "all-kinds py3.12"
    steps: list[tuple[str, float, bool]] = field(default_factory=list)  # (step, seconds, ok)
    pytest_summary: str = ""

    def line(self) -> str:
        bad = [s for s, _, ok in self.steps if not ok]
        steps = " ".join(f"{s}={t:.1f}s" for s, t, _ in self.steps)
        head = f"real-run: {self.label}: " + (self.pytest_summary or "lint only")
        return f"{head}{'  FAILED: ' + ','.join(bad) if bad else ''}  [{steps}]"


OUTCOMES: list[Outcome] = []


class Steps:
    """One project's steps: each bounded by DEADLINE, timed into its Outcome and logged whole under
    `logs/<prefix>.<step>.log`; failures are collected, and fail() reports them all at once."""

    def __init__(self, title: str, outcome: Outcome, logs: Path, prefix: str) -> None:
        self.title, self.outcome, self.logs, self.prefix = title, outcome, logs, prefix
        self.failures: list[str] = []

    def run(self, name: str, argv: list[str], *, cwd: Path, env: dict[str, str], timeout: float,
            tail: int = 60, note: str = "") -> Run:
        left = DEADLINE - time.monotonic()
        if left <= 0:
            self.failures.append(f"[{name}] not run: the real run's budget (REAL_RUN_DEADLINE) is spent")
            self.outcome.steps.append((name, 0.0, False))
            self.outcome.pytest_summary = "NOT RUN (REAL_RUN_DEADLINE spent)"
            self.fail()
        r = run(argv, cwd=cwd, env=env, timeout=min(timeout, left))
        ok = r.returncode == 0
        self.outcome.steps.append((name, r.seconds, ok))
        log = self.logs / f"{self.prefix}.{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(r.output)
        if not ok:
            self.failures.append(f"[{name}] {note}(full output: {log}) {r.describe(tail)}")
        return r

    def check(self, name: str, what: str, problems: list[str]) -> None:
        """A check made here rather than by a subprocess: `problems` empty means it passed."""
        self.outcome.steps.append((name, 0.0, not problems))
        if problems:
            self.failures.append(f"[{name}] {what}:\n  " + "\n  ".join(problems))

    def flunk(self, message: str) -> None:
        """Fail the step recorded last, which exited 0, for what its output or its files show."""
        name, seconds, _ = self.outcome.steps[-1]
        self.outcome.steps[-1] = (name, seconds, False)
        self.failures.append(f"[{name}] {message}")

    def fail(self) -> NoReturn:
        pytest.fail(f"{self.title}:\n\n" + "\n\n".join(self.failures), pytrace=False)


def report(config: pytest.Config, text: str) -> None:
    """Write a line to the terminal now, even while output is captured."""
    tr = config.pluginmanager.get_plugin("terminalreporter")
    capman = config.pluginmanager.get_plugin("capturemanager")
    if tr is None:
        return
    if capman is None:
        tr.ensure_newline()
        tr.write_line(text)
        return
    with capman.global_and_fixture_disabled():
        tr.ensure_newline()
        tr.write_line(text)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if OUTCOMES:
        terminalreporter.section("real-run summary")
        for o in OUTCOMES:
            terminalreporter.write_line(o.line())


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def workdir(request: pytest.FixtureRequest) -> Iterator[Path]:
    """Scratch root: venvs, mypy caches, generated projects. Removed when everything passed."""
    root = Path(tempfile.mkdtemp(prefix="scaffold-real-run-"))
    yield root
    failed = request.session.testsfailed
    if failed or os.environ.get("REAL_RUN_KEEP") == "1":
        report(request.config, f"real-run: kept scratch dir {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Venv:
    python: str  # "3.12"
    path: Path
    mypy_cache: Path  # shared by the projects of this Python, which run one after another

    def env(self, extra: dict[str, str]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PYTEST_", "PYTHON", "VIRTUAL_ENV", "UV_PROJECT",
                                    "SCAFFOLD_TESTS_SKIP"))}  # CI never opts into skipping
        env["VIRTUAL_ENV"] = str(self.path)
        env["PATH"] = f"{self.path / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env.update(extra)
        return env

    def bin(self, tool: str) -> str:
        return str(self.path / "bin" / tool)


@pytest.fixture(scope="session")
def venvs(workdir: Path, request: pytest.FixtureRequest) -> Iterator[dict[str, Venv]]:
    """One venv per Python, made on first use and shared by every project on that Python.

    Holds exactly constraints/python.txt; each project is then added with `--no-deps -e`
    (distinct package names, so they coexist).
    """
    class Lazy(dict[str, Venv]):
        def __missing__(self, version: str) -> Venv:
            path = workdir / "venvs" / f"py{version}"
            uv = uv_bin()
            env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
            env.pop("VIRTUAL_ENV", None)
            t0 = time.monotonic()
            r = run([uv, "venv", "-q", "-p", str(python_path(version)), str(path)], cwd=REPO, env=env, timeout=120)
            if r.returncode != 0:
                pytest.fail(f"creating the py{version} venv failed:\n{r.describe()}", pytrace=False)
            env["VIRTUAL_ENV"] = str(path)
            # Bytecode now (~4 s): otherwise every interpreter the suites start (uvicorn, workers)
            # compiles fastapi/pydantic again - 1.9 s instead of 0.6 s per start.
            r = run([uv, "pip", "install", "-q", "--compile-bytecode", "-r", str(CONSTRAINTS)],
                    cwd=REPO, env=env, timeout=600)
            if r.returncode != 0:
                pytest.fail(f"installing constraints/python.txt on py{version} failed:\n{r.describe()}", pytrace=False)
            took = time.monotonic() - t0
            report(request.config, f"real-run: venv py{version} ({python_path(version)}) ready in {took:.1f}s")
            v = Venv(version, path, workdir / "mypy-cache" / f"py{version}")
            self[version] = v
            return v

    yield Lazy()


class Databases:
    """An isolated PostgreSQL database and Redis db number per project, so that no project sees
    another's data (and suites could later run in parallel).

    The database is created over the admin unix socket that scripts/start-services.sh sets up
    (as the `postgres` OS user when we are root) and owned by the app role. Without that socket
    (servers started some other way) every project shares DATABASE_URL, which is still correct
    while projects run one after another.
    """

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.base_db = os.environ["DATABASE_URL"]
        self.base_redis = os.environ["REDIS_URL"]
        state = Path(os.environ.get("SVC_STATE_DIR", "/tmp/ci-services"))
        self.sock_dir = state / "pg"
        self.port = str(urlsplit(self.base_db).port or 5432)
        self.owner = urlsplit(self.base_db).username or "app"
        psql = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql")) or [shutil.which("psql") or ""]
        self.psql = psql[-1]
        self.isolated = bool(self.psql) and (self.sock_dir / f".s.PGSQL.{self.port}").exists()
        first, _, last = os.environ.get("REAL_RUN_REDIS_DBS", "1-15").partition("-")
        self.redis_dbs = range(int(first), int(last or first) + 1)
        self.next_redis_db = 0  # an index into redis_dbs
        if not self.isolated:
            report(config, f"real-run: no admin socket in {self.sock_dir}: all projects share DATABASE_URL")

    def _admin(self, sql: str) -> None:
        argv = [self.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.sock_dir), "-p", self.port,
                "-U", "postgres", "-d", "postgres", "-c", sql]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        r = run(argv, cwd=Path("/"), env=dict(os.environ), timeout=60)
        if r.returncode != 0:
            pytest.fail(f"database admin failed:\n{r.describe()}", pytrace=False)

    def create(self, package: str) -> tuple[str, str]:
        """(database url, redis url) for a new project."""
        redis_db = self.redis_dbs[self.next_redis_db]
        self.next_redis_db = (self.next_redis_db + 1) % len(self.redis_dbs)
        redis_url = urlunsplit(urlsplit(self.base_redis)._replace(path=f"/{redis_db}"))
        if not self.isolated:
            return self.base_db, redis_url
        db = self._name(package)
        self._admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{db}" OWNER "{self.owner}"')
        return urlunsplit(urlsplit(self.base_db)._replace(path=f"/{db}")), redis_url

    def drop(self, package: str) -> None:
        if self.isolated:
            self._admin(f'DROP DATABASE IF EXISTS "{self._name(package)}" WITH (FORCE)')

    @staticmethod
    def _name(package: str) -> str:
        return f"rr{os.getpid()}_{package}"  # the pid keeps two checkouts' runs apart


@pytest.fixture(scope="session")
def databases(request: pytest.FixtureRequest) -> Databases:
    return Databases(request.config)


def pytest_report_header(config: pytest.Config) -> list[str]:
    b = scaffold_bin()
    return [f"real-run: scaffold={b}  constraints={CONSTRAINTS.relative_to(REPO)}  python={sys.version.split()[0]}"]
