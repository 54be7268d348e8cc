"""The anti-pattern catalogue (/work/shared/spec/faults.md section 2) as mutations of GENERATED code.

Each mutation is one exact find/replace on one file under src/<pkg>/ of a freshly rendered project,
written the way a user who makes that mistake would write it. The anchor (`find`) must occur exactly
once: otherwise `apply` raises `TemplateDrift` and the harness fails loudly - the template changed and
the mutation must be updated, never silently skipped.

Used by test_mutants.py; nothing here runs anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from conftest import kind_registry

SPAN = "\n<SPAN>\n"  # in a `find`: replace everything from the text before it through the text after it


class TemplateDrift(AssertionError):
    """An anchor of a mutation is missing from (or not unique in) the generated file."""


@dataclass(frozen=True)
class Mutation:
    anti: str  # "A1".."A14" (the spec's catalogue), "A15".. (docs/faults.md)
    kind: str  # what is mutated: db-pool, cache, task-set, composition, worker runner
    project: str  # "all-kinds" or "worker": the project rendered for it
    file: str  # under src/<pkg>/
    find: str  # first edit: this exact text, present exactly once ...
    replace: str  # ... becomes this
    expect: str  # regex: the generated test(s) that must catch it (their node ids)
    first: tuple[str, ...] = ()  # test files run first (pytest runs with -x)
    pythons: tuple[str, ...] = ("3.12",)
    more: tuple[tuple[str, str], ...] = ()  # further (find, replace) edits of the same file

    @property
    def id(self) -> str:
        return f"{self.anti}-{self.kind.replace(' ', '-')}"

    def package(self, python: str) -> str:
        """A distinct package name per render (all mutants share one venv per Python)."""
        return re.sub(r"[^a-z0-9]+", "_", f"m_{self.anti}_{self.kind}_{python}".lower())

    def apply(self, project_dir: Path, package: str) -> None:
        path = project_dir / "src" / package / self.file
        text = path.read_text()
        for find, replace in ((self.find, self.replace), *self.more):
            if SPAN in find:  # "start<SPAN>end": the text from start through end, each present once
                start, end = find.split(SPAN)
                for anchor in (start, end):
                    if text.count(anchor) != 1:
                        raise TemplateDrift(
                            f"{self.id}: the anchor occurs {text.count(anchor)} times (expected exactly once) "
                            f"in src/{package}/{self.file}: the template drifted; update "
                            f"tests/real_run/mutations.py.\n--- anchor ---\n{anchor}"
                        )
                i, j = text.index(start), text.index(end) + len(end)
                if j <= i:
                    raise TemplateDrift(f"{self.id}: span anchors out of order in {self.file}")
                text = text[:i] + replace + text[j:]
                continue
            count = text.count(find)
            if count != 1:
                raise TemplateDrift(
                    f"{self.id}: the anchor occurs {count} times (expected exactly once) in "
                    f"src/{package}/{self.file}: the template drifted; update tests/real_run/mutations.py."
                    f"\n--- anchor ---\n{find}"
                )
            text = text.replace(find, replace)
        path.write_text(text)


# ----------------------------------------------------------------------------- resource managers
# The `try: yield ... finally: close` block of each manager, exactly as generated.

MANAGERS = {
    "db-pool": {
        "file": "db_pool.py",
        "resource": "pool",
        "block": (
            "    try:\n"
            "        yield pool\n"
            "    finally:\n"
            "        # pool.close() waits for every acquired connection to be released, so a stuck\n"
            "        # request would hang it forever: bound it, then terminate what is left.\n"
            "        await close_bounded(\n"
            "            name,\n"
            "            pool.close,\n"
            "            bound=budget.take(),\n"
            "            hard_close=lambda: _terminate(name, pool),\n"
            "        )\n"
        ),
        "close": "await pool.close()",
        "close_coro": "pool.close()",
    },
    "cache": {
        "file": "cache.py",
        "resource": "client",
        "block": (
            "    try:\n"
            "        yield client\n"
            "    finally:\n"
            "        # redis-py has no public synchronous hard close: past the bound we log and move\n"
            "        # on, and the process exit closes the sockets.\n"
            "        await close_bounded(name, client.aclose, bound=budget.take())\n"
        ),
        "close": "await client.aclose()",
        "close_coro": "client.aclose()",
    },
    "sqlalchemy": {
        "file": "sql_engine.py",
        "resource": "db",
        "block": (
            "    try:\n"
            "        yield db\n"
            "    finally:\n"
            "        # dispose() closes only the connections in the pool, and returns at once: one that\n"
            "        # a session still holds stays open on the server. Wait for the sessions to give\n"
            "        # theirs back, then dispose; past the bound, terminate every connection.\n"
            "        await close_bounded(\n"
            "            name,\n"
            "            lambda: _close(engine, connections),\n"
            "            bound=budget.take(),\n"
            "            hard_close=lambda: _terminate(name, connections),\n"
            "        )\n"
        ),
        "close": "await _close(engine, connections)",
        "close_coro": "_close(engine, connections)",
    },
    "http-client": {
        "file": "http_client.py",
        "resource": "http",
        "block": (
            "    try:\n"
            "        yield http\n"
            "    finally:\n"
            "        # aclose() alone cuts every request still in flight, unsaid; waiting for them with no\n"
            "        # bound hangs on a streamed response nobody closes. Wait within the bound, then close.\n"
            "        bound = budget.take()\n"
            "        await close_bounded(\n"
            "            name, lambda: _close(name, client, transport, drain=bound * _DRAIN_SHARE), bound=bound\n"
            "        )\n"
        ),
        "close": "await client.aclose()",
        "close_coro": "client.aclose()",
    },
    "task-set": {
        "file": "task_set.py",
        "resource": "task_set",
        "block": (
            "    try:\n"
            "        yield task_set\n"
            "    finally:\n"
            "        bound = budget.take(TASK_SET_WEIGHT)\n"
            "        await close_bounded(\n"
            "            name, functools.partial(task_set.stop, bound), bound=bound + STOP_MARGIN\n"
            "        )\n"
        ),
        "close": "await task_set.stop(budget.take(TASK_SET_WEIGHT))",
    },
}

T1_T3 = r"test_t[123]_"
ALL_PYTHONS = ("3.11", "3.12", "3.13")


def _manager_mutations(kind: str) -> list[Mutation]:
    m = MANAGERS[kind]
    res, block, close = m["resource"], m["block"], m["close"]
    yield_line = f"        yield {res}\n"
    head = f"    try:\n{yield_line}    finally:\n"
    assert block.startswith(head)
    finally_body = block[len(head):]
    common = {"kind": kind, "project": "all-kinds", "file": m["file"], "first": ("test_scaffold_resources.py",)}
    # Cache, sqlalchemy and http-client A3/A4 are seen by T4/T5 only: redis-py and httpx drop a
    # connection whose command was cancelled, and SQLAlchemy invalidates one (its pool then holds
    # none), so after T1-T3 (cancelled mid-command) the server shows nothing open, close or no
    # close; T4/T5 instrument the close and see that it never runs.
    gone = r"test_t[1-5]_" if kind in ("cache", "sqlalchemy", "http-client") else T1_T3
    out = [
        # A1: the seed's own "wrong pattern".
        Mutation("A1", find=head, expect=T1_T3, replace=(
            f"    try:\n{yield_line}"
            "    except asyncio.CancelledError:\n"
            "        pass  # A1: cancellation swallowed\n"
            "    finally:\n"), **common),
        # A2: the seed's "cancelled flag" template, verbatim: unprotected cleanup, new CancelledError().
        Mutation("A2", find=block, expect=r"test_t[1245]_", replace=(
            "    cancelled = False\n"
            f"    try:\n{yield_line}"
            "    except asyncio.CancelledError:\n"
            "        cancelled = True\n"
            "    finally:\n"
            f"        {close}\n"
            "        if cancelled:\n"
            "            raise asyncio.CancelledError()\n"), **common),
        # A3: cleanup after the yield, not in `finally`.
        Mutation("A3", find=block, expect=gone, replace=(
            yield_line.replace("        ", "    ", 1)
            + re.sub(r"(?m)^    ", "", finally_body)), **common),
        # A4: no cleanup at all.
        Mutation("A4", find=block, expect=gone, replace=(
            yield_line.replace("        ", "    ", 1) + "    # A4: nothing closes it\n"), **common),
        # A11: a second yield in the except branch ("generator didn't stop after athrow()").
        Mutation("A11", find=head, expect=T1_T3, replace=(
            f"    try:\n{yield_line}"
            "    except asyncio.CancelledError:\n"
            "        logger.warning(\"%s: cancelled while in use\", name)\n"
            f"        yield {res}  # A11: a second yield\n"
            "    finally:\n"), **common),
        # A13: `except BaseException:` that logs and does not re-raise.
        Mutation("A13", find=head, expect=T1_T3, replace=(
            f"    try:\n{yield_line}"
            "    except BaseException:\n"
            "        logger.exception(\"%s: error while in use\", name)  # A13: not re-raised\n"
            "    finally:\n"), **common),
        # A14: the close bounded but not shielded: `wait_for(close(), t)` alone in finally.
        Mutation("A14", find=block, expect=r"test_t4_|test_t11_|test_t5_", replace=head + (
            "        bound = budget.take(TASK_SET_WEIGHT)\n"
            "        await asyncio.wait_for(task_set.stop(bound), timeout=bound + STOP_MARGIN)\n"
            "        logger.info(\"%s: closed in %.3fs\", name, bound)\n"
            if kind == "task-set" else
            f"        await asyncio.wait_for({m['close_coro']}, timeout=budget.take())\n"),
            **{**common, "first": ("test_scaffold_resources.py", "test_scaffold_task_set.py")},
            pythons=("3.12", "3.11") if kind == "cache" else ("3.12",)),
        # A28: the close wrapped so that a cancellation arriving during it is absorbed (it
        # passes every row where something else propagates: T1-T5; T29 ends the block normally).
        Mutation("A28", find=block, expect=r"test_t29_", replace=head + (
            "        try:\n"
            + re.sub(r"(?m)^(?=.)", "    ", finally_body)
            + "        except asyncio.CancelledError:\n"
            "            logger.warning(\"%s: cancelled while closing\", name)  # A28: absorbed\n"),
            **common, pythons=ALL_PYTHONS),
    ]
    return out


# ----------------------------------------------------------------------------- composition

# The whole body of open_service, from the exit stack through the yield (a span: its layout,
# e.g. trailing commas, may change without changing what it does).
SERVICE_BODY = (
    "    async with AsyncExitStack() as stack:"
    + SPAN
    + "        yield Service(resources=resources, workers=workers)\n"
)

COMPOSITION = [
    # A5: opened one after another, closes registered only once everything is open.
    Mutation("A5", "composition", "all-kinds", "service.py", SERVICE_BODY, (
        "    database_cm = open_db_pool(\"database\", settings.database, budget, label=label)\n"
        "    database = await database_cm.__aenter__()\n"
        "    sql_cm = open_sql_engine(\"sql\", settings.sql, budget, label=label)\n"
        "    sql = await sql_cm.__aenter__()\n"
        "    redis_cm = open_cache(\"redis\", settings.redis, budget, label=label)\n"
        "    redis = await redis_cm.__aenter__()  # A5: if this fails, the others leak\n"
        "    api_cm = open_http_client(\"api\", settings.api, budget, label=label)\n"
        "    api = await api_cm.__aenter__()\n"
        "    resources = Resources(database=database, sql=sql, redis=redis, api=api)\n"
        "    workers_cm = run_task_set(\"workers\", workers_jobs.jobs(resources), budget, restart=True)\n"
        "    workers = await workers_cm.__aenter__()\n"
        "    async with AsyncExitStack() as stack:\n"
        "        stack.push_async_exit(database_cm)\n"
        "        stack.push_async_exit(sql_cm)\n"
        "        stack.push_async_exit(redis_cm)\n"
        "        stack.push_async_exit(api_cm)\n"
        "        stack.push_async_exit(workers_cm)\n"
        "        yield Service(resources=resources, workers=workers)\n"
    ), expect=r"test_t6_|test_startup_failure", first=("test_scaffold_startup.py",)),
    # A6: startup protected, but the shutdown steps all in one `try`: the first failure skips the rest.
    Mutation("A6", "composition", "all-kinds", "service.py", SERVICE_BODY, (
        "    database_cm = open_db_pool(\"database\", settings.database, budget, label=label)\n"
        "    sql_cm = open_sql_engine(\"sql\", settings.sql, budget, label=label)\n"
        "    redis_cm = open_cache(\"redis\", settings.redis, budget, label=label)\n"
        "    api_cm = open_http_client(\"api\", settings.api, budget, label=label)\n"
        "    async with AsyncExitStack() as stack:\n"
        "        database = await stack.enter_async_context(database_cm)\n"
        "        sql = await stack.enter_async_context(sql_cm)\n"
        "        redis = await stack.enter_async_context(redis_cm)\n"
        "        api = await stack.enter_async_context(api_cm)\n"
        "        resources = Resources(database=database, sql=sql, redis=redis, api=api)\n"
        "        workers_cm = run_task_set(\"workers\", workers_jobs.jobs(resources), budget, restart=True)\n"
        "        workers = await stack.enter_async_context(workers_cm)\n"
        "        stack.pop_all()  # everything is open: shut down by hand below\n"
        "    try:\n"
        "        yield Service(resources=resources, workers=workers)\n"
        "    finally:  # A6: one try for every step\n"
        "        await workers_cm.__aexit__(None, None, None)\n"
        "        await api_cm.__aexit__(None, None, None)\n"
        "        await redis_cm.__aexit__(None, None, None)\n"
        "        await sql_cm.__aexit__(None, None, None)\n"
        "        await database_cm.__aexit__(None, None, None)\n"
    ), expect=r"test_t7_", first=("test_scaffold_startup.py",)),
    # A12: shutdown order reversed: the pools' stack exits before the task set's.
    Mutation("A12", "composition", "all-kinds", "service.py",
             "    async with AsyncExitStack() as stack:\n"
             "        database = await stack.enter_async_context(\n",
             "    # A12: the task set is registered on the outer stack: stopped after the pools close\n"
             "    async with AsyncExitStack() as tasks_stack, AsyncExitStack() as stack:\n"
             "        database = await stack.enter_async_context(\n",
             expect=r"test_shutdown_runs_in_reverse_order|test_sigterm_idle|test_t7_",
             first=("test_scaffold_startup.py",),
             more=(("        workers = await stack.enter_async_context(\n            run_task_set(\n",
                    "        workers = await tasks_stack.enter_async_context(\n            run_task_set(\n"),)),
]


# ----------------------------------------------------------------------------- task_set.py

STOP_BODY = (  # from the deadline through the state change: the whole bounded stop
    "        deadline = time.monotonic() + bound\n"
    + SPAN
    + "        self._state = _State.STOPPED\n"
)

# After the grace period: the single cancel and the wait for the jobs' own cleanup (T27).
CANCEL_ONCE = (
    "        # Cancel once, then wait:"
    + SPAN
    + "            _, pending = await asyncio.wait(pending, timeout=max(0.0, deadline - time.monotonic()))\n"
)

# The supervisor's branch for a job ended by a cancellation nobody asked for (T21).
STRAY_CANCEL = (
    "            except asyncio.CancelledError:\n"
    "                task = asyncio.current_task()\n"
    "                if task is None or task.cancelling():\n"
    "                    raise  # this task was cancelled: by stop(), or by the loop's teardown\n"
    "                # Nobody cancelled the job: something it awaited was cancelled (a future,\n"
    "                # a sibling's task). That ends it as surely as an exception: a crash.\n"
    "                logger.exception(\"%s: job %r ended by a stray cancellation\", self.name, job_name)\n"
)

SUPERVISE_TRY = (
    "            try:\n"
    "                await job(self._stop)\n"
    + STRAY_CANCEL +
    "            except Exception:\n"
    "                # Log it now, with its traceback: at shutdown it would be too late to act.\n"
    "                logger.exception(\"%s: job %r crashed\", self.name, job_name)\n"
    "            else:\n"
    "                if self._stop.is_set():\n"
    "                    return\n"
    "                logger.error(\"%s: job %r returned before it was asked to stop\", self.name, job_name)\n"
)

TASK_SET = [
    # A7: the seed's background manager: cancel() everything, then an unbounded gather.
    Mutation("A7", "task_set.py", "all-kinds", "task_set.py", STOP_BODY, (
        "        self._stop.set()\n"
        "        for task in self._tasks.values():\n"
        "            task.cancel()\n"
        "        await asyncio.gather(*self._tasks.values(), return_exceptions=True)  # A7: unbounded\n"
        "        pending: set[asyncio.Task[None]] = set()\n"
        "        self._state = _State.STOPPED\n"
    ), expect=r"test_t11_|test_t13_|test_job_that_ignores_cancel", first=("test_scaffold_task_set.py",),
        pythons=("3.12", "3.11")),
    # A8: no logging where the job runs: a crash kills the task silently, seen only at shutdown.
    Mutation("A8", "task_set.py", "all-kinds", "task_set.py", SUPERVISE_TRY, (
        "            await job(self._stop)  # A8: a crash ends the task; nobody sees it until shutdown\n"
        "            if self._stop.is_set():\n"
        "                return\n"
        "            logger.error(\"%s: job %r returned before it was asked to stop\", self.name, job_name)\n"
    ), expect=r"test_t12_", first=("test_scaffold_task_set.py",)),
]


# ----------------------------------------------------------------------------- db_pool, runner

OTHER = [
    # A9: asyncpg's default, unbounded close.
    Mutation("A9", "db-pool", "all-kinds", "db_pool.py", MANAGERS["db-pool"]["block"], (
        "    try:\n        yield pool\n    finally:\n        await pool.close()  # A9: unbounded\n"
    ), expect=r"test_t14_|test_t4_", first=("test_scaffold_readiness.py",)),
    # A10: no signal handlers: SIGTERM kills the worker where it stands, no `finally` runs.
    Mutation("A10", "worker runner", "worker", "runner.py",
             "    for signum in (signal.SIGTERM, signal.SIGINT):\n"
             "        loop.add_signal_handler(signum, on_signal, signum)\n",
             "    # A10: no signal handlers (a bare asyncio.run(main()))\n",
             expect=r"test_scaffold_worker", first=("test_scaffold_worker.py",)),
]


# ----------------------------------------------------------------------------- beyond the catalogue
# Faults the spec's matrix did not name (issue 9, docs/faults.md T18-T30): each entry writes back
# the code as it was before its fix, so CI proves the row's test bites.

HANDLERS = (
    "    for signum in (signal.SIGTERM, signal.SIGINT):\n"
    "        loop.add_signal_handler(signum, on_signal, signum)\n"
)

BEYOND = [
    # A15: every shutdown step may take the whole SHUTDOWN_TIMEOUT: N slow steps take N budgets.
    Mutation("A15", "composition", "all-kinds", "lifecycle.py",
             "        return self.remaining() * share\n",
             "        return self.seconds  # A15: every step gets the whole budget\n",
             expect=r"test_t24_|test_t11_", first=("test_scaffold_task_set.py",)),
    # A16: any second signal exits at once, a repeated SIGTERM (GNU timeout, a group kill) too.
    Mutation("A16", "worker runner", "worker", "runner.py",
             "        if not stop.is_set():\n"
             "            logger.info(\"%s: shutting down\", signum.name)\n"
             "            stop.set()\n"
             "        elif signum == signal.SIGINT:\n"
             "            logger.critical(\"SIGINT during the shutdown: exiting now\")\n"
             "            _hard_exit(128 + signum)\n"
             "        else:\n"
             "            logger.info(\"%s again: the shutdown is already under way\", signum.name)\n",
             "        if stop.is_set():  # A16: any second signal exits at once\n"
             "            logger.critical(\"second %s: exiting now\", signum.name)\n"
             "            _hard_exit(128 + signum)\n"
             "        logger.info(\"%s: shutting down\", signum.name)\n"
             "        stop.set()\n",
             expect=r"test_sigterm_during_a_hung_shutdown", first=("test_scaffold_worker.py",)),
    # A17: the signal handlers installed only after the heavy imports: a SIGTERM during them
    # ends the worker silently (-15), no cleanup.
    Mutation("A17", "worker runner", "worker", "runner.py",
             "    # Before the imports below: a SIGTERM while they run must start a graceful shutdown,\n"
             "    # not end the process silently (Python's default action for SIGTERM).\n" + HANDLERS,
             "",
             expect=r"test_sigterm_during_the_startup_imports", first=("test_scaffold_worker.py",),
             more=(("    status = EXIT_OK\n",
                    "    # A17: the handlers only after the imports\n" + HANDLERS + "    status = EXIT_OK\n"),)),
    # A18: the supervisor catches only Exception: a job ended by a stray cancellation dies
    # silently, for good; a job failing while its set stops is announced as restarting.
    Mutation("A18", "task_set.py", "all-kinds", "task_set.py",
             STRAY_CANCEL,
             "",
             expect=r"test_t21_", first=("test_scaffold_task_set.py",),
             more=(("            if not self._restart or self._stop.is_set():\n"
                    "                return  # a job that fails while the set stops is not restarted\n",
                    "            if not self._restart:  # A18\n                return\n"),)),
    # A19: readiness bounded only inside each check: asyncpg's release after a cancelled query
    # waits for the server, so a black-holed PostgreSQL holds /readyz for command_timeout.
    Mutation("A19", "composition", "all-kinds", "service.py",
             "    failures.update(await run_checks(checks, READINESS_TIMEOUT))\n",
             "    # A19: every check bounded by its own timeout only\n"
             "    results = await asyncio.gather(*checks.values(), return_exceptions=True)\n"
             "    for name, result in zip(checks, results, strict=True):\n"
             "        if isinstance(result, BaseException):\n"
             "            failures[name] = repr(result)\n",
             expect=r"test_t23_", first=("test_scaffold_readiness.py",), pythons=ALL_PYTHONS,
             more=(("from collections.abc import AsyncIterator\n",
                    "import asyncio\nfrom collections.abc import AsyncIterator\n"),)),
    # A20: a failed open reports str(exc): empty for asyncpg's TimeoutError ("PostgreSQL at h:p: ").
    Mutation("A20", "db-pool", "all-kinds", "db_pool.py",
             "        reason = open_failure(exc, settings.connect_timeout)\n",
             "        reason = str(exc)  # A20\n",
             expect=r"test_t22_", first=("test_scaffold_startup.py",)),
    # A21: LOG_LEVEL read as any text: a bad one is a traceback later, not a ConfigError now.
    Mutation("A21", "settings", "all-kinds", "settings.py",
             "            log_level=env.log_level(\"LOG_LEVEL\", \"INFO\"),\n",
             "            log_level=env.text(\"LOG_LEVEL\", \"INFO\"),  # A21\n",
             expect=r"test_t20_log_level", first=("test_scaffold_startup.py",)),
    # A22: a crashing job restarted after the same delay every time: a crash loop at full speed.
    Mutation("A22", "task_set.py", "all-kinds", "task_set.py",
             "            delay = min(delay * 2, self._backoff_max)\n",
             "            delay = min(delay, self._backoff_max)  # A22: no backoff\n",
             expect=r"test_t26_", first=("test_scaffold_task_set.py",)),
    # A23: stop() waits out its whole grace period, even when every job returned at once.
    Mutation("A23", "task_set.py", "all-kinds", "task_set.py",
             "        self._stop.set()\n"
             "        pending = {t for t in self._tasks.values() if not t.done()}\n",
             "        self._stop.set()\n"
             "        await asyncio.sleep(bound * GRACE_SHARE)  # A23: the grace period, always\n"
             "        pending = {t for t in self._tasks.values() if not t.done()}\n",
             expect=r"test_t25_", first=("test_scaffold_startup.py",)),
    # A24: the lifespan without its hard exit: uvicorn's asyncio.run() teardown then waits
    # forever for a job that ignores cancel().
    Mutation("A24", "app", "all-kinds", "app.py",
             "            if exit_if_abandoned and (stuck := abandoned()):\n",
             "            if False and exit_if_abandoned and (stuck := abandoned()):  # A24\n",
             expect=r"test_stubborn_job_under_uvicorn", first=("test_scaffold_signals.py",)),
    # A25: stop() never cancels: a job that ignores its stop event (but would honour cancel())
    # is waited for to the bound, then abandoned, and so is a child task of a job.
    Mutation("A25", "task_set.py", "all-kinds", "task_set.py", CANCEL_ONCE,
             "        # A25: never cancelled: wait out the bound, then abandon\n"
             "        if pending:\n"
             "            _, pending = await asyncio.wait(pending, timeout=max(0.0, deadline - time.monotonic()))\n",
             expect=r"test_t2[78]_", first=("test_scaffold_task_set.py",), pythons=ALL_PYTHONS),
    # A26: no grace period: the jobs are cancelled as soon as the stop event is set, so a job
    # returning on it is cancelled in its own `finally`.
    Mutation("A26", "task_set.py", "all-kinds", "task_set.py",
             "        if pending:\n"
             "            _, pending = await asyncio.wait(pending, timeout=bound * GRACE_SHARE)\n",
             "        # A26: no grace period\n",
             expect=r"test_t28_", first=("test_scaffold_task_set.py",), pythons=ALL_PYTHONS),
    # A27: the stop as it was: re-cancel every 10 ms (and once more a loop iteration later) on
    # every Python, so the second cancel lands in the cancelled job's own `finally`.
    Mutation("A27", "task_set.py", "all-kinds", "task_set.py", CANCEL_ONCE,
             "        loop = asyncio.get_running_loop()  # A27: re-cancel again and again\n"
             "        while pending and (left := deadline - time.monotonic()) > 0:\n"
             "            for task in pending:\n"
             "                task.cancel()\n"
             "                loop.call_soon(task.cancel)\n"
             "            _, pending = await asyncio.wait(pending, timeout=min(0.01, left))\n",
             expect=r"test_t2[78]_", first=("test_scaffold_task_set.py",), pythons=ALL_PYTHONS),
    # A29: close_bounded re-raises a cancellation it absorbed only while another exception
    # propagates: one landing in a close after a normal exit is lost, for every kind.
    Mutation("A29", "composition", "all-kinds", "lifecycle.py",
             "    if absorbed is not None:\n",
             "    if absorbed is not None and in_flight is not None:  # A29\n",
             expect=r"test_t29_", first=("test_scaffold_resources.py",)),
    # A30: the opener catches only connection errors: a server that answers the startup with
    # an error (a refused password, no such database) escapes unnamed, the client unclosed.
    Mutation("A30", "db-pool", "all-kinds", "db_pool.py",
             "    except Exception as exc:  # any failure to open is reported naming the pool; cancellation passes\n",
             "    except (OSError, TimeoutError) as exc:  # A30: connection errors only\n",
             expect=r"test_t30_", first=("test_scaffold_startup.py",), pythons=ALL_PYTHONS),
    Mutation("A30", "cache", "all-kinds", "cache.py",
             "    except Exception as exc:  # any failure to open is reported naming the client\n",
             "    except (OSError, TimeoutError, redis.exceptions.ConnectionError) as exc:  # A30\n",
             expect=r"test_t30_", first=("test_scaffold_startup.py",), pythons=ALL_PYTHONS,
             more=(("from redis.asyncio import Redis\n",
                    "import redis.exceptions\nfrom redis.asyncio import Redis\n"),)),
    # A9 for SQLAlchemy: dispose() alone at shutdown. It returns at once, and a connection a
    # session still holds stays open on the server (and no bound, no hard close).
    Mutation("A9", "sqlalchemy", "all-kinds", "sql_engine.py", MANAGERS["sqlalchemy"]["block"], (
        "    try:\n        yield db\n    finally:\n        await engine.dispose()  # A9: dispose() alone\n"
    ), expect=r"test_t14_", first=("test_scaffold_readiness.py",)),
    # A32: the close disposes at once instead of waiting for the sessions: a request that ends
    # during the shutdown gives its connection back to a pool already disposed (left open).
    Mutation("A32", "sqlalchemy", "all-kinds", "sql_engine.py",
             "    await connections.all_back.wait()\n    await engine.dispose()\n",
             "    await engine.dispose()  # A32: sessions still running are not waited for\n",
             expect=r"test_t14_session_", first=("test_scaffold_readiness.py",), pythons=ALL_PYTHONS),
    Mutation("A30", "sqlalchemy", "all-kinds", "sql_engine.py",
             "    except Exception as exc:  # any failure to open is reported naming the engine\n",
             "    except (OSError, TimeoutError) as exc:  # A30: connection errors only\n",
             expect=r"test_t30_", first=("test_scaffold_startup.py",), pythons=ALL_PYTHONS),
    # A31: startup bounded only by the client library: a server that accepts and never answers
    # holds it for asyncpg's default 60 s, or redis-py's retries with backoff.
    Mutation("A31", "db-pool", "all-kinds", "db_pool.py",
             "            timeout=settings.connect_timeout,\n",
             "            # A31: asyncpg's default connect timeout (60 s)\n",
             expect=r"test_t22_silent", first=("test_scaffold_startup.py",), pythons=ALL_PYTHONS),
    Mutation("A31", "sqlalchemy", "all-kinds", "sql_engine.py",
             "        async with asyncio.timeout(settings.connect_timeout):\n"
             "            await select_one(engine)\n",
             "        await select_one(engine)  # A31: bounded by asyncpg's default timeout (60 s)\n",
             expect=r"test_t22_silent", first=("test_scaffold_startup.py",), pythons=ALL_PYTHONS,
             more=(("            \"timeout\": settings.connect_timeout,\n", ""),)),
    Mutation("A31", "cache", "all-kinds", "cache.py",
             "        async with asyncio.timeout(settings.connect_timeout):\n"
             "            await client.ping()\n",
             "        await client.ping()  # A31: bounded by redis-py's own timeouts and retries\n",
             expect=r"test_t22_silent", first=("test_scaffold_startup.py",), pythons=ALL_PYTHONS),
    # A9 for the HTTP client: the requests in flight waited for with no bound, then aclose():
    # a streamed response nobody closes holds the shutdown forever.
    Mutation("A9", "http-client", "all-kinds", "http_client.py", MANAGERS["http-client"]["block"], (
        "    try:\n        yield http\n    finally:\n"
        "        await transport.idle.wait()  # A9: no bound on the requests in flight\n"
        "        await client.aclose()\n"
    ), expect=r"test_t14_streamed", first=("test_scaffold_readiness.py",), pythons=ALL_PYTHONS),
    # A32 for the HTTP client: aclose() at once, bounded: a request that would end a moment
    # later is cut, and one cut is never reported.
    Mutation("A32", "http-client", "all-kinds", "http_client.py", MANAGERS["http-client"]["block"], (
        "    try:\n        yield http\n    finally:\n"
        "        await close_bounded(name, client.aclose, bound=budget.take())  # A32: no drain\n"
    ), expect=r"test_t14_", first=("test_scaffold_readiness.py",), pythons=ALL_PYTHONS),
    # A33: a request that fails or is cancelled before its response never leaves the in-flight
    # count: every later shutdown waits out its bound for it, then reports a request cut.
    Mutation("A33", "http-client", "all-kinds", "http_client.py",
             "        except BaseException:\n            self._done()\n            raise\n",
             "        except BaseException:\n            raise  # A33: still counted in flight\n",
             expect=r"test_cancelled_requests_give", first=("test_scaffold_readiness.py",)),
]


def catalogue() -> list[Mutation]:
    # Every kind of the registry with a resource manager (role resource or tasks) is mutated:
    # a kind added without its MANAGERS entry fails here, not silently.
    managed = [kind["id"] for kind in kind_registry() if kind["role"] in ("resource", "tasks")]
    if missing := [kind for kind in managed if kind not in MANAGERS]:
        raise TemplateDrift(f"kinds {missing} have no entry in MANAGERS (tests/real_run/mutations.py)")
    muts = [*(_m for kind in managed for _m in _manager_mutations(kind)),
            *COMPOSITION, *TASK_SET, *OTHER, *BEYOND]
    return sorted(muts, key=lambda m: (int(m.anti[1:]), m.kind))
