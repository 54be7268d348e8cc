"""REAL-RUN: generate projects with the built `scaffold` binary and run their own checks for real.

For each project below: `scaffold new` into a scratch dir (without its finishing steps, `git init`
and `uv lock`: test_workflow_replay.py runs those), check that the dependency ranges of
its pyproject.toml admit the pinned versions (constraints/python.txt) and carry no dependency its
kinds do not need, install it (`--no-deps -e`) into the venv of its Python, then run inside it
`ruff check .`, `ruff format --check .`, `mypy --strict src tests`, the platform judges (hadolint on
the Dockerfile, check-jsonschema and actionlint on the workflow, check-jsonschema on compose.yaml),
a check of the workflow's steps, `scaffold regen --check` (a fresh project is in line with its
manifest) and - for the "full" projects -
its own `pytest` against the real PostgreSQL and Redis. Every step runs even when an earlier one
failed (except generate/install), and the test fails listing all failed steps with their output.

Run one project:   scripts/test.sh real -k 'all-kinds-py3.11'
                   (or, with services up and env sourced: .cache/harness-venv/bin/python -m pytest
                    tests/real_run -k 'worker-py3.11')
List them:         .cache/harness-venv/bin/python -m pytest tests/real_run --collect-only -q
"""

from __future__ import annotations

import itertools
import math
import re
import shutil
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import (
    CONSTRAINTS,
    NO_FINISHING,
    OUTCOMES,
    PYTEST_TIMEOUT,
    PYTHONS,
    Databases,
    Outcome,
    Run,
    Steps,
    Venv,
    kind_registry,
    report,
    scaffold_bin,
    uv_bin,
)

# The kinds, as the binary's registry has them: every list below is derived from it.
REGISTRY = {kind["id"]: kind for kind in kind_registry()}
KINDS = tuple(REGISTRY)
# Initials for package names within the length limit: db-pool -> dp, task-set -> ts.
SHORT = {k: "".join(part[0] for part in k.split("-")) for k in KINDS}


@dataclass(frozen=True)
class Project:
    label: str  # human name, e.g. "all-kinds"
    resources: tuple[str, ...]  # `--resource` values
    python: str
    full: bool  # False: ruff + mypy only
    package: str = ""  # default: derived from the label
    added: tuple[str, ...] = ()  # `scaffold add resource` after `new`, in this order

    @property
    def id(self) -> str:
        return f"{self.label}-py{self.python}"

    @property
    def name(self) -> str:
        """Distinct, valid Python package name (projects share one venv per Python).

        Kept to realistic lengths (<= 23 chars): the generated code is ruff-formatted for the
        name it gets, and a 40-char package name legitimately wraps lines differently.
        """
        if self.package:
            return self.package
        if self.full:
            return re.sub(r"[^a-z0-9]+", "_", self.id)
        return "lint_" + "_".join(SHORT[k] for k in self.resources)

    @property
    def kinds(self) -> set[str]:
        return {r.split(":")[0] for r in self.resources + self.added}


def _of_role(role: str) -> tuple[str, ...]:
    return tuple(k for k in KINDS if REGISTRY[k]["role"] == role)


def _repeatable(kind: str) -> bool:
    return REGISTRY[kind]["max_instances"] is None


# Every kind (one of each); a worker: every kind but the runtime; two instances of every kind
# the composition opens.
ALL_KINDS = KINDS
WORKER = tuple(k for k in KINDS if REGISTRY[k]["role"] != "runtime")
TWO_INSTANCE = tuple(itertools.chain.from_iterable(
    (k, f"{k}:{REGISTRY[k]['example_name']}") if REGISTRY[k]["role"] == "resource" else (k,) for k in KINDS))

# The Python test_workflow_replay runs the generated CI workflow on, for these same two projects:
# its jobs run their ruff, mypy, pytest and `regen --check`, so test_project runs them on the others.
REPLAY_PYTHON = "3.12"
FULL = [
    *(Project("all-kinds", ALL_KINDS, py, True) for py in PYTHONS if py != REPLAY_PYTHON),
    *(Project("worker", WORKER, py, True) for py in PYTHONS if py != REPLAY_PYTHON),
    *(Project(kind, (kind,), "3.12", True) for kind in KINDS),
    Project("two-instance", TWO_INSTANCE, "3.12", True),
    # A living project: made small, then grown with `scaffold add resource`; the added resources
    # must be opened, closed, checked and fault-tested like the rest.
    Project("grown", (_of_role("resource")[0], *_of_role("runtime")), "3.12", True,
            added=(*_of_role("resource")[1:], *_of_role("tasks"),
                   f"{_of_role('resource')[0]}:{REGISTRY[_of_role('resource')[0]]['example_name']}")),
]
# Combinations of kinds: each alone, every pair (what two kinds' hooks do to each other), every
# project missing one kind, and all of them - every hook meets every other hook, in
# 2 + n + n(n-1)/2 projects instead of 2^n (64 with six kinds: over the CI budget).
LINT_SIZES = sorted({1, 2, len(KINDS) - 1, len(KINDS)})
LINT = [
    Project("+".join(combo), combo, "3.12", False)
    for n in LINT_SIZES
    for combo in itertools.combinations(KINDS, n)
]
# The longest names scaffold accepts (package 30, resources 18 characters): the generated code is
# formatted for the names it gets, and must stay ruff-clean at the limits.
LONGEST = "abcdefghijklmnopqr"
# Two of the first repeatable kind, one of every other, each named at the limit (distinct names).
_first = next(k for k in KINDS if _repeatable(k))
LINT.append(Project("longest-names", (f"{_first}:{LONGEST}", f"{_first}:{LONGEST[:-1]}2", *(
    f"{k}:{chr(ord('c') + i)}{LONGEST[:-1]}" if _repeatable(k) else k
    for i, k in enumerate(k for k in KINDS if k != _first))), "3.12", False,
    package="longest_package_name_for_lint1"))
# Two of every kind allowed twice (two task sets: their modules' imports must stay sorted).
LINT.append(Project("two-of-each", tuple(itertools.chain.from_iterable(
    (k, f"{k}:{REGISTRY[k]['example_name']}") if _repeatable(k) else (k,) for k in KINDS)), "3.12", False,
    package="lint_two_of_each"))
assert len(LINT) == sum(math.comb(len(KINDS), n) for n in LINT_SIZES) + 2
assert len({p.name for p in FULL + LINT}) == len(FULL + LINT)


def pins() -> dict[str, str]:
    out = {}
    for line in CONSTRAINTS.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            req = Requirement(line)
            (spec,) = req.specifier
            out[canonicalize_name(req.name)] = spec.version
    return out


# What each kind needs at run time; a project must depend on these for its kinds and on none of
# the others (spec: "a worker project does not install FastAPI").
RUNTIME_DEPS = {k: {canonicalize_name(Requirement(r).name) for r in REGISTRY[k]["dependencies"]} for k in KINDS}


def check_dependencies(project_dir: Path, kinds: set[str]) -> list[str]:
    """Problems with the pyproject's dependency ranges (empty list: fine)."""
    data = tomllib.loads((project_dir / "pyproject.toml").read_text())
    pinned = pins()
    problems = []
    runtime = [Requirement(r) for r in data.get("project", {}).get("dependencies", [])]
    dev = [Requirement(r) for r in data.get("dependency-groups", {}).get("dev", []) if isinstance(r, str)]
    if not dev:
        problems.append("pyproject.toml has no [dependency-groups] dev")
    for req in runtime + dev:
        name = canonicalize_name(req.name)
        if name not in pinned:
            problems.append(f"{req} is not pinned in constraints/python.txt")
        elif not req.specifier.contains(pinned[name], prereleases=True):
            problems.append(f"{req} does not admit the pinned {name}=={pinned[name]}")
    have = {canonicalize_name(r.name) for r in runtime}
    need = set().union(*(RUNTIME_DEPS[k] for k in kinds))
    unneeded = set().union(*RUNTIME_DEPS.values()) - need
    for name in sorted(need - have):
        problems.append(f"missing runtime dependency {name} (kinds: {sorted(kinds)})")
    for name in sorted(unneeded & have):
        problems.append(f"runtime dependency {name} that kinds {sorted(kinds)} do not need")
    return problems


PYTEST_SUMMARY = re.compile(r"^=*\s*((?:\d+ \w+,? )+in [\d.]+s\b.*?|no tests ran in [\d.]+s\b.*?)\s*=*$")


def pytest_summary(output: str) -> tuple[str, dict[str, int]]:
    """The final summary line of a pytest run ("47 passed, 1 skipped in 38.12s") and its counts."""
    for line in reversed(output.splitlines()):
        if m := PYTEST_SUMMARY.match(line.strip()):
            text = m.group(1)
            counts = {k.rstrip("s") if k.startswith("error") else k: int(n)
                      for n, k in re.findall(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)", text)}
            return text, counts
    return "", {}


def judge_pytest(steps: Steps, r: Run) -> None:
    """The step just run was a pytest run: its summary line goes into the outcome, and a run
    that passed no test is a failure."""
    summary, counts = pytest_summary(r.output)
    steps.outcome.pytest_summary = summary or ("TIMED OUT" if r.timed_out else "no pytest summary line")
    if r.returncode == 0 and not counts.get("passed"):
        steps.flunk(f"ran no test:\n{r.describe()}")


def resource_env(project_dir: Path, db_url: str, redis_url: str) -> dict[str, str]:
    """DATABASE_URL, REDIS_URL, plus the variable of every resource of the manifest whose kind
    needs a server: the URL of that server."""
    env = {"DATABASE_URL": db_url, "REDIS_URL": redis_url}
    urls = {"postgres": db_url, "redis": redis_url}
    manifest = tomllib.loads((project_dir / "scaffold.toml").read_text())
    for res in manifest.get("resource", []):
        kind = REGISTRY.get(res.get("kind", ""), {})
        if kind.get("env") and kind.get("server"):
            env[kind["env"].replace("{upper}", res["name"].upper())] = urls[kind["server"]]
    return env


def harness_tool(name: str) -> str:
    """A judge installed in the harness venv (constraints/harness.txt), next to its python."""
    return str(Path(sys.executable).parent / name)


def check_platform_files(project_dir: Path, step: Callable[..., Run]) -> None:
    """The Dockerfile, compose.yaml and CI workflow, judged by the tools their platforms trust."""
    workflow = ".github/workflows/ci.yml"
    step("hadolint", [harness_tool("hadolint"), "Dockerfile"], timeout=60)
    step("workflow-schema", [harness_tool("check-jsonschema"), "--builtin-schema",
                             "vendor.github-workflows", workflow], timeout=60)
    step("actionlint", [harness_tool("actionlint"), workflow], timeout=60)
    if (project_dir / "compose.yaml").exists():
        step("compose-schema", [harness_tool("check-jsonschema"), "--builtin-schema",
                                "vendor.compose-spec", "compose.yaml"], timeout=60)


def check_workflow_steps(project_dir: Path, kinds: set[str]) -> list[str]:
    """The generated CI workflow parses as YAML and has the steps and services the project needs."""
    from ruamel.yaml import YAML  # check-jsonschema's YAML parser, in the harness venv

    doc = YAML(typ="safe").load((project_dir / ".github/workflows/ci.yml").read_text())
    jobs = doc.get("jobs", {})
    runs = " ; ".join(s.get("run", "") for job in jobs.values() for s in job.get("steps", []))
    problems = [f"no step runs `{cmd}`" for cmd in
                ("uv sync --locked", "ruff check", "ruff format --check", "mypy", "pytest", "scaffold regen --check",
                 "scaffold audit")
                if cmd not in runs]
    services = set(jobs.get("test", {}).get("services", {}))
    want = {REGISTRY[k]["server"] for k in kinds if REGISTRY[k]["server"]}
    if services != want:
        problems.append(f"service containers {sorted(services)}, expected {sorted(want)}")
    return problems


def check_project(project: Project, workdir: Path, venv: Venv, databases: Databases, config: pytest.Config) -> None:
    outcome = Outcome(f"{project.label} py{project.python}")
    OUTCOMES.append(outcome)
    project_dir = workdir / "projects" / project.name
    project_dir.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(project_dir, ignore_errors=True)
    steps = Steps(f"{project.id} ({project_dir})", outcome, workdir / "logs", project.name)
    failures, fail = steps.failures, steps.fail

    def step(name: str, argv: list[str], timeout: float, env: dict[str, str] | None = None) -> Run:
        # the project's pytest output is the one worth reading whole (the CI log is all we keep)
        return steps.run(name, argv, cwd=project_dir, env=env or venv.env({}), timeout=timeout,
                         tail=400 if name == "pytest" else 60)

    # Without the finishing steps (git init, uv lock): offline, and the same files as ever.
    resource_args = [a for r in project.resources for a in ("--resource", r)]
    steps.run("generate", [str(scaffold_bin()), "new", project.name, *resource_args, "--python", project.python,
                           "--no-input", "--dir", str(project_dir)],
              cwd=project_dir.parent, env=venv.env(NO_FINISHING), timeout=60)
    for spec in project.added:
        kind, _, name = spec.partition(":")
        step(f"add-{kind}", [str(scaffold_bin()), "add", "resource", kind, *(["--name", name] if name else []),
                             "--no-input"], timeout=60, env=venv.env(NO_FINISHING))
    if failures:
        fail()

    steps.check("deps", "pyproject.toml vs constraints/python.txt", check_dependencies(project_dir, project.kinds))

    # Editable, without deps: builds through the project's own build backend (so its packaging
    # config is exercised) while the venv keeps exactly the pinned set.
    r = step("install", [uv_bin(), "pip", "install", "-q", "--no-deps", "-e", str(project_dir)], timeout=300)
    if r.returncode != 0:
        fail()

    step("ruff", [venv.bin("ruff"), "check", "--no-cache", "."], timeout=120)
    step("format", [venv.bin("ruff"), "format", "--no-cache", "--check", "."], timeout=120)
    step("mypy", [venv.bin("mypy"), "--strict", "--cache-dir", str(venv.mypy_cache), "src", "tests"], timeout=600)
    check_platform_files(project_dir, step)
    steps.check("workflow-steps", ".github/workflows/ci.yml", check_workflow_steps(project_dir, project.kinds))
    # A project scaffold just wrote (and grew) is in line with its manifest.
    step("regen-check", [str(scaffold_bin()), "regen", "--check"], timeout=60)

    if project.full:
        db_url, redis_url = databases.create(project.name)
        try:
            env = venv.env(resource_env(project_dir, db_url, redis_url))
            r = step("pytest", [venv.bin("python"), "-m", "pytest", "-p", "no:cacheprovider", "-ra"],
                     timeout=PYTEST_TIMEOUT, env=env)
        finally:
            databases.drop(project.name)
        judge_pytest(steps, r)

    report(config, outcome.line())
    if failures:
        fail()
    shutil.rmtree(project_dir, ignore_errors=True)


def test_constraints_pin_the_whole_set() -> None:
    pinned = pins()
    top = {"fastapi", "uvicorn", "asyncpg", "redis", "pytest", "pytest-asyncio", "pytest-timeout", "httpx",
           "asgi-lifespan", "ruff", "mypy", "asyncpg-stubs", "starlette"}
    assert top <= pinned.keys(), f"missing from constraints/python.txt: {sorted(top - pinned.keys())}"


@pytest.mark.parametrize("project", FULL, ids=lambda p: p.id)
def test_project(project: Project, workdir: Path, venvs: dict[str, Venv], databases: Databases,
                 request: pytest.FixtureRequest) -> None:
    """Generate, lint, type-check and run the project's own test suite against the real servers."""
    check_project(project, workdir, venvs[project.python], databases, request.config)


@pytest.mark.parametrize("project", LINT, ids=lambda p: p.id)
def test_lint(project: Project, workdir: Path, venvs: dict[str, Venv], databases: Databases,
              request: pytest.FixtureRequest) -> None:
    """Every combination of kinds: generated code is ruff- and mypy --strict-clean."""
    check_project(project, workdir, venvs[project.python], databases, request.config)
