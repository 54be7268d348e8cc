"""MUTATION HARNESS: the generated fault tests must fail on every anti-pattern of the catalogue.

/work/shared/spec/faults.md section 2: A1-A14, and A15.. for the rows of docs/faults.md, each written
into the GENERATED code (never the templates, never the tests) of a freshly rendered project by one
exact find/replace
(tests/real_run/mutations.py; an anchor that is not found exactly once fails the run: the template
drifted). For every (mutation, Python): `scaffold new` renders a project under a distinct package
name (e.g. `m_a1_db_pool_3_12`: all mutants share the one venv per Python of conftest.py and are
never installed; pytest runs with the copy's src/ on PYTHONPATH), the mutation is applied, and the
project's own pytest runs (`-x`, its own per-test timeout, the files most likely to catch it first)
against its own database and Redis db number (conftest.Databases). The result is:

  caught    a generated test failed or errored (pytest's `-rfE` short summary: test and message);
            it must be one of the tests the mutation names in `expect`, else the run fails too
  SURVIVED  the suite passed: the harness fails
  killed    the suite outlived its outer bound (MUTANTS_PYTEST_TIMEOUT): not "caught", fails

Unmutated baselines (`none`, one per project) run first in the same way and must pass, or every
"caught" would mean nothing. Two mutants run at a time (threads driving subprocesses). The table is printed with
report(), so it lands in the CI log (scripts/test.sh real runs this file with the rest).

Run all:       cd /work/main && set -a && . /tmp/ci-services/env && set +a && \\
               UV=$PWD/.cache/uv-venv/bin/uv SCAFFOLD_BIN=$PWD/target/debug/scaffold \\
               .cache/harness-venv/bin/python -m pytest tests/real_run -k mutant -p no:cacheprovider
Run one:       same, with MUTANTS=A2-cache (comma-separated ids, optionally @python:
               MUTANTS='A7-task_set.py@3.11,A10-worker-runner'); baselines are then skipped
               unless listed (`none-all-kinds`, `none-worker`). REAL_RUN_KEEP=1 keeps the mutated
               projects (under the scratch dir printed at the end) and their pytest logs.
Settings:      MUTANTS_WORKERS (default 2), MUTANTS_PYTEST_TIMEOUT (default 240 s per mutant),
               MUTANTS_DEADLINE (default 900 s for the whole mutation run).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import NO_FINISHING, Databases, Venv, report, run, scaffold_bin
from mutations import Mutation, TemplateDrift, catalogue
from test_real_run import ALL_KINDS, WORKER, resource_env

WORKERS = int(os.environ.get("MUTANTS_WORKERS", "2"))
PYTEST_TIMEOUT = float(os.environ.get("MUTANTS_PYTEST_TIMEOUT", "240"))
DEADLINE_SECONDS = float(os.environ.get("MUTANTS_DEADLINE", "900"))
PROJECT_RESOURCES = {"all-kinds": ALL_KINDS, "worker": WORKER}
SUMMARY_LINE = re.compile(r"^(FAILED|ERROR) (\S+)(?: - (.*))?$")


@dataclass
class Row:
    mutation: Mutation | None  # None: the unmutated baseline
    project: str
    python: str
    package: str
    status: str = "not run"  # caught | SURVIVED | killed | DRIFT | unexpected | baseline ok | BASELINE FAILED
    test: str = ""
    message: str = ""
    seconds: float = 0.0
    detail: str = ""  # for failures: the output worth reading
    db: tuple[str, str] = ("", "")

    @property
    def id(self) -> str:
        return self.mutation.id if self.mutation else f"none-{self.project}"

    @property
    def ok(self) -> bool:
        return self.status in ("caught", "baseline ok")

    def line(self) -> str:
        anti = self.mutation.anti if self.mutation else "-"
        kind = self.mutation.kind if self.mutation else f"baseline ({self.project})"
        what = f"{self.status}"
        if self.test:
            what += f" by {self.test}"
        if self.message:
            msg = " ".join(self.message.split())
            what += f": {msg[:200]}{'...' if len(msg) > 200 else ''}"
        return f"  {anti:<4} {kind:<16} py{self.python:<5} {self.seconds:5.1f}s  {what}"


def rows() -> list[Row]:
    # One baseline per project, on 3.12: what it proves is this harness's way of running a
    # project (a copy on PYTHONPATH, never installed, its own databases), which no interpreter
    # changes; that the unmutated suites pass on 3.11 and 3.13 is test_real_run's test_project.
    out = [Row(None, p, "3.12", f"m_none_{p.replace('-', '_')}_3_12") for p in ("all-kinds", "worker")]
    out += [Row(m, m.project, py, m.package(py)) for m in catalogue() for py in m.pythons]
    if wanted := os.environ.get("MUTANTS"):
        keep = {w.strip() for w in wanted.split(",") if w.strip()}
        out = [r for r in out if r.id in keep or f"{r.id}@{r.python}" in keep]
        if not out:
            pytest.fail(f"MUTANTS={wanted!r} names no mutant; ids: {sorted({r.id for r in rows_all()})}",
                        pytrace=False)
    return out


def rows_all() -> list[Row]:
    saved = os.environ.pop("MUTANTS", None)
    try:
        return rows()
    finally:
        if saved is not None:
            os.environ["MUTANTS"] = saved


def ordered_test_files(project_dir: Path, first: tuple[str, ...]) -> list[str]:
    files = sorted(p.name for p in (project_dir / "tests").glob("test_*.py"))
    missing = [f for f in first if f not in files]
    if missing:
        raise TemplateDrift(f"the generated tests {missing} no longer exist: update mutations.py")
    return [f"tests/{f}" for f in (*first, *(f for f in files if f not in first))]


def run_row(row: Row, root: Path, venv: Venv, deadline: float) -> None:
    t0 = time.monotonic()
    try:
        _run_row(row, root, venv, deadline)
    except TemplateDrift as exc:
        row.status, row.message, row.detail = "DRIFT", str(exc).splitlines()[0], str(exc)
    finally:
        row.seconds = time.monotonic() - t0


def _run_row(row: Row, root: Path, venv: Venv, deadline: float) -> None:
    project_dir = root / row.package
    shutil.rmtree(project_dir, ignore_errors=True)
    resources = [a for r in PROJECT_RESOURCES[row.project] for a in ("--resource", r)]
    r = run([str(scaffold_bin()), "new", row.package, *resources, "--python", row.python, "--no-input",
             "--dir", str(project_dir)], cwd=root, env=venv.env(NO_FINISHING), timeout=60)
    if r.returncode != 0:
        row.status, row.detail = "render failed", r.describe()
        return
    m = row.mutation
    if m is not None:
        m.apply(project_dir, row.package)
    files = ordered_test_files(project_dir, m.first if m else ())
    left = deadline - time.monotonic()
    if left <= 5:
        row.status, row.message = "not run", "MUTANTS_DEADLINE spent"
        return
    # COLUMNS: pytest cuts the `-rfE` message to the terminal width (80 without a tty)
    env = venv.env({**resource_env(project_dir, *row.db), "PYTHONPATH": str(project_dir / "src"),
                    "COLUMNS": "4000"})
    argv = [venv.bin("python"), "-m", "pytest", "-p", "no:cacheprovider", "-x", "-q", "-rfE",
            "-o", "console_output_style=classic", *files]
    r = run(argv, cwd=project_dir, env=env, timeout=min(PYTEST_TIMEOUT, left))
    log = root / f"{row.id}@{row.python}.log"
    log.write_text(r.output)
    failed = [SUMMARY_LINE.match(line) for line in r.output.splitlines()]
    failed = [f for f in failed if f]
    if r.timed_out:
        row.status = "killed"
        row.message = f"outer bound {min(PYTEST_TIMEOUT, left):.0f}s hit: not caught by the tests' own timeouts"
        row.detail = r.describe(80)
    elif m is None:
        row.status = "baseline ok" if r.returncode == 0 else "BASELINE FAILED"
        if failed:
            row.test, row.message = failed[0].group(2), failed[0].group(3) or ""
        if r.returncode != 0:
            row.detail = r.describe(200)
    elif r.returncode == 0:
        row.status, row.detail = "SURVIVED", f"log: {log}\n{r.tail(5)}"
    elif failed:
        kind, test, message = failed[0].groups()
        row.test, row.message = test.removeprefix("tests/"), f"{'[error] ' if kind == 'ERROR' else ''}{message or ''}"
        if re.search(m.expect, test):
            row.status = "caught"
        else:
            row.status = "unexpected"
            row.detail = (f"caught by {test}, which is not one of /{m.expect}/: a failure unrelated to the "
                          f"mutation? log: {log}\n{r.describe(120)}")
    else:
        row.status, row.detail = f"exit {r.returncode}, no failed test", r.describe(120)


def test_mutants_are_caught(workdir: Path, venvs: dict[str, Venv], databases: Databases,
                            request: pytest.FixtureRequest) -> None:
    """Every anti-pattern, for every kind it applies to, fails a generated test (faults.md 2)."""
    todo = rows()
    root = workdir / "mutants"
    root.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    deadline = started + DEADLINE_SECONDS
    for py in sorted({r.python for r in todo}):
        venvs[py]
    for row in todo:  # databases hands out Redis db numbers: not thread-safe, so up front
        row.db = databases.create(row.package)
    try:
        baselines = [r for r in todo if r.mutation is None]
        mutants = [r for r in todo if r.mutation is not None]
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            for batch in (baselines, mutants):
                list(pool.map(lambda r: run_row(r, root, venvs[r.python], deadline), batch))
    finally:
        for row in todo:
            databases.drop(row.package)
    wall = time.monotonic() - started

    anti_ok = {r.mutation.anti for r in todo if r.mutation and r.ok}
    anti_all = {r.mutation.anti for r in todo if r.mutation}
    anti_bad = anti_all - {a for a in anti_ok if all(x.ok for x in todo if x.mutation and x.mutation.anti == a)}
    lines = ["", "mutation harness: anti-pattern x kind -> caught by (faults.md 2)"]
    lines += [r.line() for r in todo]
    lines.append(f"mutation harness: {len(anti_all) - len(anti_bad)}/{len(anti_all)} anti-patterns caught "
                 f"for every kind; {sum(r.ok for r in todo)}/{len(todo)} rows ok; wall {wall:.1f}s "
                 f"({WORKERS} at a time)")
    report(request.config, "\n".join(lines))

    bad = [r for r in todo if not r.ok]
    if bad:
        pytest.fail("mutation harness: " + ", ".join(f"{r.id}@py{r.python}: {r.status}" for r in bad)
                    + "\n\n" + "\n\n".join(f"--- {r.id}@py{r.python}: {r.status}\n{r.detail}" for r in bad),
                    pytrace=False)
    if os.environ.get("REAL_RUN_KEEP") != "1":
        shutil.rmtree(root, ignore_errors=True)
