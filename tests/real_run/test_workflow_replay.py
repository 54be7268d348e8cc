"""WORKFLOW REPLAY: run a freshly generated project's own .github/workflows/ci.yml for real, job by
job and step by step, the way GitHub would - against the real PostgreSQL and Redis.

For the all-kinds project and the worker (Python 3.12; the worker grown with `scaffold add resource
cache`) it proves that:
  - `scaffold new` with its finishing steps leaves a git repository with a uv.lock in it (kept in
    line by `add`, or `uv sync --locked` fails), and every
    file it wrote can be committed (git ignores none of them: a checkout gets uv.lock and
    scaffold.lock);
  - every job passes from a fresh clone of that first commit, with nothing on PATH but what an
    ubuntu runner has (bash, git, a Python 3.12) and what the job's own steps install: the test
    job's `uv sync --locked` installs exactly the committed lock, then ruff, `ruff format --check`,
    mypy and the project's pytest pass; the drift job's `uvx --from asyncio-scaffold==<version>
    scaffold regen --check` installs this build's wheel and finds no drift;
  - the job's service containers are the servers its URLs point at: a postgres image publishing
    5432:5432 whose POSTGRES_USER/PASSWORD/DB are the URL's, a redis image publishing 6379:6379.
test_drift_job_fails_on_drift proves the drift job is not a no-op: on a project whose manifest
changed under a hand-edited managed file (so the render changes), its check step fails.

How a step is replayed:
  uses: actions/checkout     `git clone` of the project into the job's fresh, empty workspace
  uses: astral-sh/setup-uv   the pinned uv (UV) and its uvx put on PATH for the job's later steps
  any other `uses:`          fails the test: the replay does not know what that action does
  run:                       `bash --noprofile --norc -eo pipefail -c SCRIPT` (GitHub's bash) in the
                             workspace, timed out at 300 s (pytest: REAL_RUN_PYTEST_TIMEOUT), at the
                             step's and the job's `timeout-minutes` and at REAL_RUN_DEADLINE
Its environment is built from scratch, never the harness's (no VIRTUAL_ENV, PYTHON*, PYTEST_*,
SCAFFOLD_*): PATH, a fresh HOME, LANG, CI=true, UV_PYTHON_DOWNLOADS=never, UV_CACHE_DIR,
UV_FIND_LINKS=$SCAFFOLD_WHEELS (standing in for PyPI, where the wheel is not yet), what this
machine needs to reach PyPI (proxy, CA bundle), then the workflow's, job's and step's `env:` with
every URL of a service container rewritten to this project's own database and Redis db numbers
(conftest.Databases). asyncio-scaffold is dropped from the uv cache first (forget_scaffold), so
that uvx installs this build's wheel, not an earlier build's of the same name and version.
Anything the replay does not implement (`if:`, `shell:`, a matrix, an expression `${{ }}`, a
container job, ...) fails the test instead of being replayed wrongly.
Jobs run one after another in file order; a failing step ends its job (as on GitHub), and the test
fails naming job and step with the output's tail (whole logs under <scratch>/logs).

Needs SCAFFOLD_WHEELS: a directory holding this build's asyncio_scaffold wheel
(`maturin build --release --out DIR`, as scripts/test.sh does); without it the test fails.
Run:  scripts/test.sh real -k replay
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

import pytest
from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from conftest import (
    OUTCOMES,
    PYTEST_TIMEOUT,
    Databases,
    Outcome,
    Run,
    Steps,
    python_path,
    report,
    run,
    scaffold_bin,
    uv_bin,
)
from test_real_run import ALL_KINDS, REGISTRY, REPLAY_PYTHON, WORKER, judge_pytest

STEP_TIMEOUT = 300.0  # a `run:` step other than pytest (uv sync, ruff, mypy, regen --check)
JOB_TIMEOUT_MINUTES = 360  # GitHub's default
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"  # bash, git
# How this machine reaches PyPI (a runner needs none of it): passed through when set.
NETWORK_ENV = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "no_proxy",
               "all_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR", "UV_NATIVE_TLS", "UV_INDEX_URL", "UV_DEFAULT_INDEX",
               "UV_EXTRA_INDEX_URL")
WHEEL_PIN = re.compile(r"\basyncio-scaffold==([^\s'\"]+)")
EXPRESSION = "${{"

# What the replay implements or may ignore (it changes nothing a step does); anything else fails.
WORKFLOW_KEYS = {"name", "run-name", "on", True, "permissions", "concurrency", "env", "jobs"}  # YAML 1.1 `on` = True
JOB_KEYS = {"name", "runs-on", "permissions", "timeout-minutes", "needs", "services", "env", "steps"}
STEP_KEYS = {"name", "id", "uses", "with", "run", "env", "timeout-minutes"}
ACTIONS = {  # action -> the `with:` inputs that change nothing here
    "actions/checkout": {"fetch-depth", "persist-credentials"},
    "astral-sh/setup-uv": {"enable-cache", "cache-dependency-glob", "cache-suffix"},
}
SERVICE_PORTS = {"postgres": 5432, "redis": 6379}  # image -> the port its server listens on
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s'\"]+")


@dataclass(frozen=True)
class Replay:
    label: str
    resources: tuple[str, ...]
    python: str = REPLAY_PYTHON
    added: tuple[str, ...] = ()  # then `scaffold add resource` each: it must re-lock uv.lock

    @property
    def package(self) -> str:
        return "replay_" + self.label.replace("-", "_")


# The worker is grown to its kinds: `new` without the cache, then `add resource cache`, so the
# replay also proves that `add` keeps the committed uv.lock in line with pyproject.toml.
# The worker replay adds its last resource kind with `scaffold add resource` after `new`.
_ADDED = next(k for k in reversed(WORKER) if REGISTRY[k]["role"] == "resource")
REPLAYS = [Replay("all-kinds", ALL_KINDS),
           Replay("worker", tuple(r for r in WORKER if r != _ADDED), added=(_ADDED,))]
assert sorted(REPLAYS[1].resources + REPLAYS[1].added) == sorted(WORKER)


# ----------------------------------------------------------------------------- the machine


def wheels() -> tuple[Path, set[str]]:
    """SCAFFOLD_WHEELS and the versions of the asyncio_scaffold wheels in it. Fails without one."""
    how = ("build one as scripts/test.sh does - `maturin build --release --out DIR` (maturin is in "
           "constraints/harness.txt) - and set SCAFFOLD_WHEELS=DIR")
    where = os.environ.get("SCAFFOLD_WHEELS")
    if not where:
        pytest.fail("SCAFFOLD_WHEELS is not set: the drift job installs asyncio-scaffold from it (it stands in "
                    f"for PyPI); {how}", pytrace=False)
    versions = set()
    for wheel in Path(where).glob("*.whl"):
        try:
            name, version, _, _ = parse_wheel_filename(wheel.name)
        except InvalidWheelFilename:
            continue
        if name == "asyncio-scaffold":
            versions.add(str(version))
    if not versions:
        pytest.fail(f"SCAFFOLD_WHEELS={where} holds no asyncio_scaffold wheel; {how}", pytrace=False)
    return Path(where).resolve(), versions


@dataclass
class Machine:
    """A stand-in runner for one project: its directories and the environment commands start from."""

    root: Path  # <scratch>/replay/<package>: home/, uv-bin/, the project, the jobs' workspaces
    uv_cache: Path

    def __post_init__(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        (self.root / "home").mkdir(parents=True)
        self.uv_dir = self.root / "uv-bin"  # what setup-uv puts on PATH: uv and uvx, nothing else
        self.uv_dir.mkdir()
        uv = Path(uv_bin()).resolve()
        (self.uv_dir / "uv").symlink_to(uv)
        if (uv.parent / "uvx").is_file():
            (self.uv_dir / "uvx").symlink_to(uv.parent / "uvx")
        else:
            (self.uv_dir / "uvx").write_text(f'#!/bin/sh\nexec "{uv}" tool run "$@"\n')
            (self.uv_dir / "uvx").chmod(0o755)

    def env(self, *path: Path | str, extra: dict[str, str] | None = None) -> dict[str, str]:
        """PATH = `path` + the system's; everything else from scratch (see the module docstring)."""
        env = {k: os.environ[k] for k in NETWORK_ENV if k in os.environ}
        env.update(PATH=os.pathsep.join([*map(str, path), SYSTEM_PATH]), HOME=str(self.root / "home"),
                   LANG="C.UTF-8", UV_CACHE_DIR=str(self.uv_cache), UV_PYTHON_DOWNLOADS="never",
                   UV_NO_PROGRESS="1")
        env.update(extra or {})
        return env


def machine(workdir: Path, package: str) -> Machine:
    uv_cache = Path(os.environ.get("UV_CACHE_DIR") or workdir / "uv-cache")  # shared by the replays
    return Machine(workdir / "replay" / package, uv_cache)


def generate(steps: Steps, m: Machine, package: str, resources: tuple[str, ...], python: str) -> Path:
    """`scaffold new` outside any git work tree, as a developer would (uv and a Python 3.12 on PATH)."""
    project = m.root / package
    inside = run(["git", "rev-parse", "--is-inside-work-tree"], cwd=m.root, env=m.env(), timeout=30)
    if inside.returncode == 0:
        pytest.fail(f"the scratch dir {m.root} is inside a git work tree, so `scaffold new` would not `git init`: "
                    "point TMPDIR elsewhere", pytrace=False)
    python_dir = python_path(python).parent  # uv finds the project's Python here (no downloads)
    steps.run("generate", [str(scaffold_bin()), "new", package, *(a for r in resources for a in ("--resource", r)),
                           "--python", python, "--no-input", "--dir", str(project)],
              cwd=m.root, env=m.env(m.uv_dir, python_dir), timeout=120)
    if steps.failures:
        steps.fail()
    return project


def commit(steps: Steps, m: Machine, project: Path) -> None:
    steps.run("git-add", ["git", "add", "-A"], cwd=project, env=m.env(), timeout=60)
    steps.run("git-commit", ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.invalid", "commit", "-q",
                             "-m", "initial"], cwd=project, env=m.env(), timeout=60)
    left = run(["git", "status", "--porcelain", "--ignored"], cwd=project, env=m.env(), timeout=60)
    steps.check("committed", "files that the first commit leaves out (ignored or untracked)",
                left.output.splitlines() if left.returncode == 0 else [left.describe()])
    if steps.failures:
        steps.fail()


def forget_scaffold(steps: Steps, m: Machine) -> None:
    """Drop asyncio-scaffold from the uv cache: its unpacked wheel (`uv cache clean asyncio-scaffold`),
    then the uvx environments built from it (`uv cache prune`). Every build's wheel has the same name
    and version, and uvx would otherwise run the scaffold of an earlier build, still cached under
    UV_CACHE_DIR (which scripts/test.sh keeps between runs), instead of this one. Other wheels stay."""
    for what in (["clean", "asyncio-scaffold"], ["prune"]):
        steps.run(f"uv-cache-{what[0]}", [str(m.uv_dir / "uv"), "cache", *what], cwd=m.root, env=m.env(), timeout=120)
    if steps.failures:
        steps.fail()


# ----------------------------------------------------------------------------- the workflow, planned


@dataclass
class Servers:
    """This project's own database and Redis db numbers, for the URLs of the service containers."""

    db_url: str
    redis_url: str

    def postgres(self, url: SplitResult) -> str:
        return urlunsplit(urlsplit(self.db_url)._replace(query=url.query))

    def redis(self, url: SplitResult) -> str:
        """Redis db N of the workflow -> db (ours - 1 + N) mod 15 + 1: distinct Ns stay distinct, 0 unused."""
        ours = int(urlsplit(self.redis_url).path.strip("/") or 1)
        n = int(url.path.strip("/") or 0)
        return urlunsplit(urlsplit(self.redis_url)._replace(path=f"/{(ours - 1 + n) % 15 + 1}", query=url.query))


@dataclass
class Step:
    name: str
    action: str  # "actions/checkout" | "astral-sh/setup-uv" | "" for a `run:` step
    script: str = ""
    env: dict[str, str] = field(default_factory=dict)
    timeout: float = STEP_TIMEOUT


@dataclass
class Job:
    name: str
    steps: list[Step]
    timeout: float  # seconds: the job's timeout-minutes
    needs: list[str]


def text(value: Any) -> str:
    """An env value as the runner passes it (YAML booleans become true/false)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def published_ports(job: dict[str, Any]) -> dict[int, tuple[str, str, int, dict[str, str]]]:
    """host port -> (service name, image name, container port, its env) for the job's services."""
    out = {}
    for name, svc in (job.get("services") or {}).items():
        svc = svc or {}
        image = str(svc.get("image", "")).rsplit("/", 1)[-1].split(":")[0]
        for port in svc.get("ports") or []:
            host, _, container = str(port).rpartition(":")
            host = host.rpartition(":")[2]  # "127.0.0.1:5432:5432"
            if host.isdigit() and container.isdigit():  # a bare "5432" publishes a random host port
                out[int(host)] = (name, image, int(container), {k: text(v) for k, v in (svc.get("env") or {}).items()})
    return out


def rewrite_urls(where: str, value: str, ports: dict[int, tuple[str, str, int, dict[str, str]]],
                 servers: Servers | None, problems: list[str]) -> str:
    """Every loopback URL in `value` -> the same server of this harness, after checking that the
    job's service containers would really serve it."""

    def one(match: re.Match[str]) -> str:
        url = urlsplit(match.group(0))
        if url.hostname not in LOOPBACK:
            return match.group(0)
        try:
            served = ports.get(url.port or 0)
        except ValueError:  # a port that is not a number
            served = None
        if served is None:
            problems.append(f"{where}: {match.group(0)} points at port {url.port}, which no service of the job "
                            "publishes (`ports: [\"PORT:PORT\"]`)")
            return match.group(0)
        service, image, container, env = served
        if SERVICE_PORTS.get(image) != container:
            problems.append(f"{where}: {match.group(0)}: service `{service}` ({image}) publishes container port "
                            f"{container}; the replay knows {SERVICE_PORTS}")
        elif servers is None:
            problems.append(f"{where}: {match.group(0)}: this replay has no servers to point it at")
        elif image == "postgres":
            user = env.get("POSTGRES_USER", "postgres")
            want = (user, env.get("POSTGRES_PASSWORD"), env.get("POSTGRES_DB", user))
            if url.scheme not in ("postgresql", "postgres") or (url.username, url.password, url.path[1:]) != want:
                problems.append(f"{where}: {match.group(0)} is not what service `{service}` serves: user, password, "
                                f"database {want} (its POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB)")
            return servers.postgres(url)
        elif image == "redis":
            if url.scheme not in ("redis", "rediss") or not re.fullmatch(r"/?\d*", url.path):
                problems.append(f"{where}: {match.group(0)} is not a redis://host:port/N URL")
            else:
                return servers.redis(url)
        return match.group(0)

    return URL.sub(one, value)


def env_of(where: str, env: dict[str, Any] | None, ports: dict[int, tuple[str, str, int, dict[str, str]]],
           servers: Servers | None, problems: list[str]) -> dict[str, str]:
    """An `env:` mapping as the runner passes it, its service URLs rewritten to ours."""
    return {str(k): rewrite_urls(f"{where} env {k}", text(v), ports, servers, problems) for k, v in (env or {}).items()}


def plan(doc: dict[str, Any], servers: Servers | None, wheel_versions: set[str],
         only: set[str] | None = None) -> tuple[list[Job], list[str]]:
    """The workflow's jobs (or `only` those) as the replay will run them, and what keeps it from
    replaying them faithfully."""
    problems = [f"workflow: `{k}` is not implemented by the replay" for k in doc if k not in WORKFLOW_KEYS]
    jobs: list[Job] = []
    for job_name, job in (doc.get("jobs") or {}).items():
        if only is not None and job_name not in only:
            continue
        where = f"job `{job_name}`"
        problems += [f"{where}: `{k}` is not implemented by the replay" for k in job if k not in JOB_KEYS]
        if not str(job.get("runs-on", "")).startswith("ubuntu-"):
            problems.append(f"{where}: runs-on {job.get('runs-on')!r}: the replay stands in for an ubuntu runner")
        ports = published_ports(job)
        job_env = {**env_of(f"{where}: workflow", doc.get("env"), ports, servers, problems),
                   **env_of(f"{where}: job", job.get("env"), ports, servers, problems)}
        steps = []
        for i, st in enumerate(job.get("steps") or [], 1):
            name = str(st.get("name") or st.get("uses") or (str(st.get("run") or "").strip().splitlines() or ["?"])[0])
            at = f"{where}, step {i} ({name})"
            problems += [f"{at}: `{k}` is not implemented by the replay" for k in st if k not in STEP_KEYS]
            env = {**job_env, **env_of(f"{at}: step", st.get("env"), ports, servers, problems)}
            script = str(st.get("run", ""))
            uses = str(st.get("uses", ""))
            action = uses.split("@")[0]
            if uses and action not in ACTIONS:
                problems.append(f"{at}: unknown action {uses}: the replay does not know what it does")
            if unknown := set(st.get("with") or {}) - ACTIONS.get(action, set()):
                problems.append(f"{at}: `with:` {sorted(unknown)} is not implemented by the replay")
            if bool(uses) == bool(script):
                problems.append(f"{at}: a step needs exactly one of `uses:` and `run:`")
            if any(EXPRESSION in s for s in (script, *env.values())):
                problems.append(f"{at}: an expression `${{{{ }}}}`, which the replay does not evaluate")
            if any(urlsplit(u).hostname in LOOPBACK for u in URL.findall(script)):
                problems.append(f"{at}: a loopback URL in the script: the replay rewrites URLs only in `env:`")
            for pin in WHEEL_PIN.findall(script):
                with contextlib.suppress(InvalidVersion):
                    pin = str(Version(pin))
                if pin not in wheel_versions:
                    problems.append(f"{at}: installs asyncio-scaffold=={pin}, but SCAFFOLD_WHEELS holds only "
                                    f"{sorted(wheel_versions)}: rebuild the wheel from this tree")
            timeout = PYTEST_TIMEOUT if "pytest" in script else STEP_TIMEOUT
            timeout = min(timeout, 60 * float(st.get("timeout-minutes", JOB_TIMEOUT_MINUTES)))
            steps.append(Step(name, action, script, env, timeout))
        needs = job.get("needs") or []
        needs = [needs] if isinstance(needs, str) else list(needs)
        problems += [f"{where}: needs `{n}`, which is not an earlier job" for n in needs
                     if n not in {j.name for j in jobs}]
        jobs.append(Job(job_name, steps, 60 * float(job.get("timeout-minutes", JOB_TIMEOUT_MINUTES)), needs))
    return jobs, problems


def load_workflow(project: Path) -> dict[str, Any]:
    from ruamel.yaml import YAML  # check-jsonschema's YAML parser, in the harness venv

    doc = YAML(typ="safe").load((project / ".github/workflows/ci.yml").read_text())
    return doc if isinstance(doc, dict) else {}


# ----------------------------------------------------------------------------- the workflow, run


def run_job(job: Job, steps: Steps, m: Machine, project: Path, python: str, wheels_dir: Path) -> list[tuple[Step, Run]]:
    """Run the job's steps in order in a fresh workspace, up to the first that fails; returns those run."""
    workspace = m.root / f"clone-{job.name}"
    shutil.rmtree(workspace, ignore_errors=True)
    workspace.mkdir()
    path: list[Path | str] = [python_path(python).parent]  # the runner's Python 3.12
    job_end = time.monotonic() + job.timeout
    done: list[tuple[Step, Run]] = []
    for st in job.steps:
        label = f"{job.name}/{st.name}"
        left = job_end - time.monotonic()
        if left <= 0:
            steps.failures.append(f"[{label}] not run: the job's timeout-minutes ({job.timeout / 60:g}) is spent")
            break
        env = m.env(*path, extra={"CI": "true", "UV_FIND_LINKS": str(wheels_dir), **st.env})
        if st.action == "actions/checkout":
            r = steps.run(label, ["git", "clone", "-q", str(project), "."], cwd=workspace, env=env, timeout=60)
            if r.returncode == 0 and not (workspace / "uv.lock").is_file():
                steps.flunk("the checkout has no uv.lock (is it in .gitignore?): `uv sync --locked` cannot work")
        elif st.action == "astral-sh/setup-uv":
            path.insert(0, m.uv_dir)
            steps.outcome.steps.append((label, 0.0, True))
            r = Run([f"setup-uv: PATH += {m.uv_dir}"], 0, "", 0.0, False)
        else:
            note = "(cut to the job's timeout-minutes) " if left < st.timeout else ""
            r = steps.run(label, ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", st.script], cwd=workspace,
                          env=env, timeout=min(st.timeout, left), tail=400 if "pytest" in st.script else 60, note=note)
            if "pytest" in st.script:
                judge_pytest(steps, r)
        done.append((st, r))
        if not steps.outcome.steps[-1][2]:
            break  # GitHub skips the job's later steps
    return done


def replay_workflow(steps: Steps, m: Machine, project: Path, python: str, servers: Servers) -> None:
    wheels_dir, versions = wheels()
    jobs, problems = plan(load_workflow(project), servers, versions)
    steps.check("workflow", f"{project / '.github/workflows/ci.yml'} cannot be replayed faithfully", problems)
    if not jobs:
        steps.failures.append("[workflow] has no jobs")
    if steps.failures:
        steps.fail()
    forget_scaffold(steps, m)
    failed: set[str] = set()
    for job in jobs:
        if blocked := [n for n in job.needs if n in failed]:
            steps.failures.append(f"[{job.name}] not run: it needs {blocked}, which failed")
            failed.add(job.name)
            continue
        before = len(steps.failures)
        run_job(job, steps, m, project, python, wheels_dir)
        if len(steps.failures) > before:
            failed.add(job.name)


# ----------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("replay", REPLAYS, ids=lambda r: f"replay-{r.label}-py{r.python}")
def test_workflow_replay(replay: Replay, workdir: Path, databases: Databases, request: pytest.FixtureRequest) -> None:
    """Generate with the finishing steps, commit, and run every job of ci.yml from a fresh clone."""
    wheels()  # before anything else: without the wheel the drift job cannot pass
    outcome = Outcome(f"replay {replay.label} py{replay.python}", pytest_summary="no pytest step ran")
    OUTCOMES.append(outcome)
    m = machine(workdir, replay.package)
    steps = Steps(f"workflow replay {replay.label} py{replay.python} ({m.root})", outcome, workdir / "logs",
                  replay.package)
    project = generate(steps, m, replay.package, replay.resources, replay.python)
    python_dir = python_path(replay.python).parent
    for kind in replay.added:
        steps.run(f"add-{kind}", [str(scaffold_bin()), "add", "resource", kind, "--no-input"],
                  cwd=project, env=m.env(m.uv_dir, python_dir), timeout=120)
    if steps.failures:
        steps.fail()
    steps.check("finished", "`scaffold new` did not finish the project",
                [f"no {f} in {project}" for f in ("uv.lock", ".git") if not (project / f).exists()])
    if steps.failures:
        steps.fail()
    commit(steps, m, project)
    servers = Servers(*databases.create(replay.package))
    try:
        replay_workflow(steps, m, project, replay.python, servers)
    finally:
        databases.drop(replay.package)
    report(request.config, outcome.line())
    if steps.failures:
        steps.fail()
    shutil.rmtree(m.root, ignore_errors=True)


def test_drift_job_fails_on_drift(workdir: Path, request: pytest.FixtureRequest) -> None:
    """The drift job fails on a project whose manifest changed under a hand-edited managed file.

    Only the drift job runs (a few seconds): the test job is what test_workflow_replay proves.
    """
    _, versions = wheels()
    package = "replay_drift"
    outcome = Outcome("replay drift-detected py3.12", pytest_summary="the drift job did not fail")
    OUTCOMES.append(outcome)
    m = machine(workdir, package)
    steps = Steps(f"workflow replay, drifted project ({m.root})", outcome, workdir / "logs", package)
    project = generate(steps, m, package, ("db-pool",), "3.12")
    manifest, settings = project / "scaffold.toml", project / "src" / package / "settings.py"
    if manifest.read_text().count("max_size = 10") != 1:
        pytest.fail(f"{manifest} no longer has one `max_size = 10`: update this test", pytrace=False)
    manifest.write_text(manifest.read_text().replace("max_size = 10", "max_size = 20"))
    settings.write_text(settings.read_text() + "# a hand edit\n")
    commit(steps, m, project)

    doc = load_workflow(project)
    checks = {name for name, job in (doc.get("jobs") or {}).items()
              if any("scaffold regen --check" in str(st.get("run", "")) for st in job.get("steps") or [])}
    drift, problems = plan(doc, None, versions, only=checks)
    if len(drift) != 1 or problems:
        pytest.fail(f"expected one job running `scaffold regen --check`, found {sorted(checks)}; "
                    f"problems: {problems}", pytrace=False)
    forget_scaffold(steps, m)
    done = run_job(drift[0], steps, m, project, "3.12", wheels()[0])
    if not done:
        pytest.fail("the drift job ran no step:\n\n" + "\n\n".join(steps.failures), pytrace=False)
    last, r = done[-1]
    expect = f"would merge: src/{package}/settings.py"
    caught = "scaffold regen --check" in last.script and r.returncode == 1 and expect in r.output
    if caught:  # the step failed, as it must: that is this test passing
        name, seconds, _ = outcome.steps[-1]
        outcome.steps[-1] = (f"{name} (failed, as it must)", seconds, True)
        outcome.pytest_summary = f"the drift job failed on `{expect}`, as it must"
    report(request.config, outcome.line())
    if not caught:
        pytest.fail(f"the drift job must fail at its `scaffold regen --check` step with exit 1 and `{expect}`; "
                    f"it ended at step `{last.name}`:\n{r.describe()}\n\n" + "\n\n".join(steps.failures),
                    pytrace=False)
    shutil.rmtree(m.root, ignore_errors=True)
