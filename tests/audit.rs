//! `scaffold audit`: each rule fires on its anti-pattern (and aliases of it) and stays quiet on
//! the right code; every generated project audits clean; the command's formats, `# noqa`,
//! configuration and exit codes.

use scaffold::audit::{RULES, Selection, audit_source};

use crate::common::{TestDir, kind_combinations, project};

/// The codes found in `source`, with their 1-based lines.
fn found(source: &str) -> Vec<(String, usize)> {
    let audit = audit_source(source, &Selection::default());
    assert!(audit.syntax_error.is_none(), "{:?}", audit.syntax_error);
    audit
        .findings
        .iter()
        .map(|f| (f.rule.code.to_owned(), f.start.row))
        .collect()
}

fn codes(source: &str) -> Vec<String> {
    found(source).into_iter().map(|(c, _)| c).collect()
}

const MANAGER_HEAD: &str = "import asyncio\nfrom contextlib import asynccontextmanager\n\nimport asyncpg\n\n\n@asynccontextmanager\nasync def open_pool(url):\n    pool = await asyncpg.create_pool(url)\n";

/// (code, wrong, right): the wrong code must give exactly `code`, the right one nothing.
fn cases() -> Vec<(&'static str, String, String)> {
    let m = MANAGER_HEAD;
    vec![
        (
            "SCA001",
            format!("{m}    try:\n        yield pool\n    except asyncio.CancelledError:\n        pass\n    finally:\n        await close_bounded(pool)\n"),
            format!("{m}    try:\n        yield pool\n    except asyncio.CancelledError:\n        log()\n        raise\n    finally:\n        await close_bounded(pool)\n"),
        ),
        (
            "SCA002",
            format!("{m}    try:\n        yield pool\n    finally:\n        await close_bounded(pool)\n        if cancelled:\n            raise asyncio.CancelledError()\n"),
            format!("{m}    try:\n        yield pool\n    finally:\n        await close_bounded(pool)\n"),
        ),
        (
            "SCA003",
            format!("{m}    yield pool\n    await close_bounded(pool)\n"),
            format!("{m}    try:\n        yield pool\n    finally:\n        await close_bounded(pool)\n"),
        ),
        (
            "SCA004",
            format!("{m}    yield pool\n"),
            format!("{m}    try:\n        yield pool\n    finally:\n        await close_bounded(pool)\n"),
        ),
        (
            "SCA005",
            "async def start(a_cm, b_cm):\n    a = await a_cm.__aenter__()\n    b = await b_cm.__aenter__()\n    return a, b\n".into(),
            "async def start(a_cm, b_cm):\n    a = await a_cm.__aenter__()\n    try:\n        b = await b_cm.__aenter__()\n    except BaseException:\n        await a_cm.__aexit__(None, None, None)\n        raise\n    return a, b\n".into(),
        ),
        (
            "SCA006",
            format!("{m}    redis = await make_redis()\n    try:\n        yield pool\n    finally:\n        await redis.aclose()\n        await broker.disconnect()\n"),
            format!("{m}    redis = await make_redis()\n    try:\n        yield pool\n    finally:\n        try:\n            await redis.aclose()\n        finally:\n            await close_bounded(pool)\n"),
        ),
        (
            "SCA007",
            "import asyncio\n\n\nasync def stop(tasks):\n    for t in tasks:\n        t.cancel()\n    await asyncio.gather(*tasks, return_exceptions=True)\n".into(),
            "import asyncio\n\n\nasync def stop(tasks):\n    for t in tasks:\n        t.cancel()\n    results = await asyncio.gather(*tasks, return_exceptions=True)\n    report(results)\n".into(),
        ),
        (
            "SCA008",
            "import asyncio\n\n\nclass Consumer:\n    def start(self):\n        self._task = asyncio.create_task(self._consume())\n\n    async def _consume(self):\n        while True:\n            await handle(await queue.get())\n".into(),
            "import asyncio\n\n\nclass Consumer:\n    def start(self):\n        self._task = asyncio.create_task(self._consume())\n\n    async def _consume(self):\n        while True:\n            try:\n                await handle(await queue.get())\n            except Exception:\n                logger.exception(\"handle failed\")\n".into(),
        ),
        (
            "SCA009",
            format!("{m}    try:\n        yield pool\n    finally:\n        await pool.close()\n"),
            format!("{m}    try:\n        yield pool\n    finally:\n        async with asyncio.timeout(5):\n            await pool.close()\n"),
        ),
        (
            "SCA010",
            "import asyncio\n\n\nasync def main():\n    ...\n\n\nif __name__ == \"__main__\":\n    asyncio.run(main())\n".into(),
            "import asyncio\nimport signal\n\n\nasync def main():\n    loop = asyncio.get_running_loop()\n    loop.add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)\n\n\nif __name__ == \"__main__\":\n    asyncio.run(main())\n".into(),
        ),
        (
            "SCA011",
            format!("{m}    try:\n        yield pool\n    except Exception:\n        yield pool\n    finally:\n        await close_bounded(pool)\n"),
            format!("{m}    try:\n        yield pool\n    except Exception:\n        log()\n        raise\n    finally:\n        await close_bounded(pool)\n"),
        ),
        (
            "SCA013",
            format!("{m}    try:\n        yield pool\n    except BaseException:\n        log()\n    finally:\n        await close_bounded(pool)\n"),
            format!("{m}    try:\n        yield pool\n    except Exception:\n        log()\n    finally:\n        await close_bounded(pool)\n"),
        ),
        (
            "SCA014",
            format!("{m}    try:\n        yield pool\n    finally:\n        await asyncio.wait_for(pool.close(), 5)\n"),
            format!("{m}    try:\n        yield pool\n    finally:\n        await asyncio.wait_for(asyncio.shield(pool.close()), 5)\n"),
        ),
        (
            "SCA021",
            format!("{m}    reader = start_reader(pool)\n    try:\n        yield pool\n    finally:\n        reader.cancel()\n        await reader\n        await close_bounded(pool)\n"),
            format!("{m}    reader = start_reader(pool)\n    try:\n        yield pool\n    finally:\n        reader.cancel()\n        async with asyncio.timeout(5):\n            await reader\n        await close_bounded(pool)\n"),
        ),
        (
            "SCA020",
            "async def job():\n    try:\n        return await work()\n    finally:\n        await cleanup()\n        return None\n".into(),
            "async def job():\n    try:\n        result = await work()\n    finally:\n        await cleanup()\n    return result\n".into(),
        ),
    ]
}

#[test]
fn every_rule_finds_its_pattern_and_not_the_right_code() {
    let cases = cases();
    for rule in RULES {
        let Some((_, wrong, right)) = cases.iter().find(|(c, _, _)| *c == rule.code) else {
            panic!("{}: no test case", rule.code);
        };
        assert_eq!(
            codes(wrong),
            vec![rule.code.to_owned()],
            "{}: wrong code\n{wrong}",
            rule.code
        );
        assert_eq!(
            codes(right),
            Vec::<String>::new(),
            "{}: right code\n{right}",
            rule.code
        );
        assert!(
            rule.explain.contains("Wrong") && rule.explain.contains("Right"),
            "{}",
            rule.code
        );
        assert!(
            rule.explain
                .starts_with(&format!("# {} {}", rule.code, rule.name)),
            "{}",
            rule.code
        );
    }
}

#[test]
fn names_resolve_as_python_binds_them() {
    let body = "\n\nasync def f():\n    try:\n        await g()\n    except {}:\n        pass\n";
    for (imports, caught, fires) in [
        ("import asyncio", "asyncio.CancelledError", true),
        ("import asyncio as aio", "aio.CancelledError", true),
        ("from asyncio import CancelledError", "CancelledError", true),
        ("from asyncio import CancelledError as Stop", "Stop", true),
        (
            "import asyncio.exceptions",
            "asyncio.exceptions.CancelledError",
            true,
        ),
        (
            "import asyncio",
            "(ValueError, asyncio.CancelledError)",
            true,
        ),
        // An alias that is not asyncio's, a class of the module's own, `Exception`: no finding.
        ("import trio as asyncio", "asyncio.CancelledError", false),
        (
            "class CancelledError(Exception):\n    pass",
            "CancelledError",
            false,
        ),
        ("import asyncio", "Exception", false),
        (
            "from .errors import CancelledError",
            "CancelledError",
            false,
        ),
    ] {
        let source = format!("{imports}{}", body.replace("{}", caught));
        assert_eq!(!codes(&source).is_empty(), fires, "{source}");
    }
}

#[test]
fn handlers_that_decide_or_keep_the_cancellation_are_not_findings() {
    for handler in [
        "    except asyncio.CancelledError:\n        if asyncio.current_task().cancelling():\n            raise\n",
        "    except asyncio.CancelledError as exc:\n        first = exc\n",
        "    except asyncio.CancelledError as exc:\n        log()\n        raise exc\n",
        "    except asyncio.CancelledError:\n        if x:\n            raise\n        else:\n            raise\n",
    ] {
        let source =
            format!("import asyncio\n\n\nasync def f():\n    try:\n        await g()\n{handler}");
        assert_eq!(codes(&source), Vec::<String>::new(), "{source}");
    }
    // Only one branch re-raises: found; a done-callback (sync) reading a task's result: not.
    let one_branch = "import asyncio\n\n\nasync def f():\n    try:\n        await g()\n    except asyncio.CancelledError:\n        if x:\n            raise\n";
    assert_eq!(codes(one_branch), vec!["SCA001"]);
    let callback = "import asyncio\n\n\ndef done(task):\n    try:\n        task.result()\n    except asyncio.CancelledError:\n        pass\n";
    assert_eq!(codes(callback), Vec::<String>::new());
}

#[test]
fn noqa_and_selection() {
    let source = "import asyncio\n\n\nasync def f():\n    try:\n        await g()\n    except asyncio.CancelledError:  # noqa: SCA001 - on purpose\n        pass\n    try:\n        await g()\n    except BaseException:  # noqa: SCA001\n        pass\n";
    assert_eq!(found(source), vec![("SCA013".to_owned(), 11)]);
    let only = Selection {
        select: vec!["SCA00".into()],
        ignore: vec![],
    };
    assert!(audit_source(source, &only).findings.is_empty());
    let ignored = Selection {
        select: vec!["SCA".into()],
        ignore: vec!["SCA013".into()],
    };
    assert!(audit_source(source, &ignored).findings.is_empty());
}

#[test]
fn a_file_that_does_not_parse_is_reported_not_audited() {
    let audit = audit_source("async def f(:\n    pass\n", &Selection::default());
    let (message, at) = audit.syntax_error.expect("a syntax error");
    assert!(!message.is_empty());
    assert_eq!(at.row, 1);
    // New syntax parses: PEP 695, PEP 701 f-strings, except*.
    let modern = "type Pair[T] = tuple[T, T]\n\n\nasync def f(x):\n    s = f\"{x[\"k\"]}\"\n    try:\n        await g()\n    except* ValueError:\n        pass\n";
    assert!(
        audit_source(modern, &Selection::default())
            .syntax_error
            .is_none()
    );
}

/// Precision on our own output: every combination of kinds audits clean, tests included.
#[test]
fn every_generated_project_audits_clean() {
    for chosen in kind_combinations() {
        let plan = scaffold::render::render(&project("orders", &chosen)).expect("render");
        for (path, file) in plan.iter() {
            if !path.as_str().ends_with(".py") {
                continue;
            }
            let audit = audit_source(&file.content, &Selection::default());
            assert!(
                audit.syntax_error.is_none(),
                "{}: {path}: {:?}",
                chosen.join("+"),
                audit.syntax_error
            );
            let findings: Vec<String> = audit
                .findings
                .iter()
                .map(|f| format!("{path}:{}: {} {}", f.start.row, f.rule.code, f.message))
                .collect();
            assert!(
                findings.is_empty(),
                "{}:\n{}",
                chosen.join("+"),
                findings.join("\n")
            );
        }
    }
}

const BAD: &str = "import asyncio\n\n\nasync def f():\n    try:\n        await g()\n    except asyncio.CancelledError:\n        pass\n";

#[test]
fn the_command_prints_as_ruff_does_and_exits_one_on_findings() {
    let dir = TestDir::new();
    std::fs::create_dir_all(dir.path().join("src/app")).unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"app\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("src/app/bad.py"), BAD).unwrap();
    std::fs::write(dir.path().join("src/app/good.py"), "x = 1\n").unwrap();
    std::fs::write(dir.path().join("src/app/broken.py"), "async def (\n").unwrap();
    std::fs::create_dir_all(dir.path().join(".venv/lib")).unwrap();
    std::fs::write(dir.path().join(".venv/lib/vendored.py"), BAD).unwrap();
    // `.gitignore` counts in a Git repository, as for ruff
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join(".gitignore"), "ignored/\n").unwrap();
    std::fs::create_dir_all(dir.path().join("ignored")).unwrap();
    std::fs::write(dir.path().join("ignored/x.py"), BAD).unwrap();

    let out = dir.scaffold(&["audit"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout,
        "src/app/bad.py:7:5: SCA001 `except CancelledError` without re-raise: the task never ends cancelled, so shutdown, timeouts and TaskGroups wait on it\n"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("src/app/broken.py:1:11: not audited"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Found 1 finding in 1 of 3 files"),
        "{stderr}"
    );

    let out = dir
        .scaffold(&["audit", "src/app/bad.py", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["code"], "SCA001");
    assert_eq!(json[0]["filename"], "src/app/bad.py");
    assert_eq!(
        json[0]["location"],
        serde_json::json!({"row": 7, "column": 5})
    );
    assert_eq!(json[0]["end_location"]["row"], 7);

    for format in ["sarif", "github"] {
        let out = dir
            .scaffold(&["audit", "src/app/bad.py", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("SCA001"), "{format}: {text}");
    }
    let sarif = dir
        .scaffold(&["audit", "src/app/bad.py", "--format", "sarif"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    assert_eq!(
        doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        7
    );

    let out = dir
        .scaffold(&["audit", "src/app/good.py"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = dir.scaffold(&["audit", "--exit-zero"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn pyproject_configures_it_and_bad_input_exits_two() {
    let dir = TestDir::new();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.scaffold.audit]\nignore = [\"SCA001\"]\nexclude = [\"legacy\"]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("a.py"), BAD).unwrap();
    std::fs::create_dir_all(dir.path().join("legacy")).unwrap();
    std::fs::write(
        dir.path().join("legacy/b.py"),
        BAD.replace("asyncio.CancelledError", "BaseException"),
    )
    .unwrap();
    let out = dir.scaffold(&["audit"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = dir
        .scaffold(&["audit", "--select", "SCA013", "legacy"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    for args in [
        &["audit", "--select", "XYZ1"][..],
        &["audit", "missing.py"][..],
        &["audit", "--explain", "SCA999"][..],
    ] {
        let out = dir.scaffold(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("hint:"),
            "{args:?}"
        );
    }
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.scaffold.audit]\nselekt = [\"SCA\"]\n",
    )
    .unwrap();
    let out = dir.scaffold(&["audit"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pyproject.toml"));
}

#[test]
fn explain_prints_the_wrong_and_the_right_code() {
    let dir = TestDir::new();
    let out = dir
        .scaffold(&["audit", "--explain", "sca001"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("# SCA001 swallowed-cancellation"),
        "{text}"
    );
}

/// The false findings the real-code audit (tests/audit_corpus) found, each as the smallest code
/// that made it, next to the true finding it must not hide.
#[test]
fn what_real_code_taught_the_rules() {
    let f = |body: &str| format!("import asyncio\nimport sys\n\n\nasync def f():\n{body}");
    for (body, expected) in [
        // No `await` in the `try`: the CancelledError is a future's result, not the task's.
        (
            "    try:\n        return fut.result()\n    except asyncio.CancelledError as exc:\n        raise TimeoutError from exc\n",
            &[][..],
        ),
        (
            "    try:\n        await fut\n    except asyncio.CancelledError as exc:\n        raise TimeoutError from exc\n",
            &["SCA001"][..],
        ),
        // An earlier handler lets the cancellation out: the broad one never sees it.
        (
            "    try:\n        await g()\n    except asyncio.CancelledError:\n        raise\n    except BaseException:\n        log()\n",
            &[],
        ),
        (
            "    try:\n        await g()\n    except BaseException:\n        log()\n",
            &["SCA013"],
        ),
        // A broad handler that re-raises on some path chose what to let out.
        (
            "    try:\n        await g()\n    except BaseException as exc:\n        if isinstance(exc, Exception):\n            return\n        raise\n",
            &[],
        ),
        (
            "    try:\n        await g()\n    except BaseException as exc:\n        raise Broken() from exc\n",
            &[],
        ),
        // Handed on to a call that decides (not to a log line).
        (
            "    try:\n        await g()\n    except BaseException as exc:\n        self._convert_socket_error(exc)\n",
            &[],
        ),
        (
            "    try:\n        await g()\n    except BaseException:\n        result = context.throw(*sys.exc_info())\n",
            &[],
        ),
        (
            "    try:\n        await g()\n    except BaseException as exc:\n        logger.error(\"failed: %s\", exc)\n",
            &["SCA013"],
        ),
    ] {
        let source = f(body);
        assert_eq!(codes(&source), expected, "{source}");
    }

    let m = "import asyncio\nimport contextlib\n\nimport asyncpg\n\n\n@contextlib.asynccontextmanager\nasync def managed(x):\n";
    for (body, expected) in [
        // `yield` then `return` ends that path: the other `yield` is on another one.
        (
            "    if x:\n        yield\n        return\n    try:\n        yield\n    finally:\n        await close_bounded(x)\n",
            &[][..],
        ),
        (
            "    if x:\n        yield\n    try:\n        yield\n    finally:\n        await close_bounded(x)\n",
            &["SCA003", "SCA011"][..],
        ),
        // A checkpoint after the `yield` is not cleanup; what a `with` around closes itself
        // is closed by its exit when the body raises.
        (
            "    async with make(x) as value:\n        yield value\n    await checkpoint_if_cancelled()\n",
            &[],
        ),
        (
            "    async with asyncio.TaskGroup() as tg:\n        yield tg\n        tg.cancel_scope.cancel()\n",
            &[],
        ),
        (
            "    pool = await asyncpg.create_pool(x)\n    yield pool\n    await close_bounded(pool)\n",
            &["SCA003"],
        ),
        // Unbounded close: only of a resource the audit knows, opened here.
        (
            "    thing = make(x)\n    try:\n        yield thing\n    finally:\n        await thing.close()\n",
            &[],
        ),
        (
            "    conn = await asyncpg.connect(x)\n    try:\n        yield conn\n    finally:\n        await conn.close(timeout=5)\n",
            &[],
        ),
        (
            "    conn = await asyncpg.connect(x)\n    try:\n        yield conn\n    finally:\n        await conn.close()\n",
            &["SCA009"],
        ),
    ] {
        let source = format!("{m}{body}");
        assert_eq!(codes(&source), expected, "{source}");
    }

    // The held-out set's false findings (tests/audit_corpus/triage.md, second set).
    for (source, expected) in [
        // The `except CancelledError` before it takes (here: swallows, SCA001) the cancellation.
        (
            "import asyncio\n\n\nasync def f():\n    try:\n        await g()\n    except asyncio.CancelledError:\n        ...\n    except BaseException:\n        log()\n",
            &["SCA001"][..],
        ),
        // No caught cancellation to re-raise in a handler of another exception; in a `finally` or
        // an `except CancelledError` there is.
        (
            "import asyncio\n\n\nasync def f():\n    try:\n        await g()\n    except QueryCanceledError:\n        raise asyncio.CancelledError\n",
            &[],
        ),
        (
            "import asyncio\n\n\nasync def f():\n    try:\n        await g()\n    finally:\n        try:\n            await h()\n        except ValueError:\n            raise asyncio.CancelledError\n",
            &["SCA002"],
        ),
        // Tasks read again after their gather.
        (
            "import asyncio\n\n\nasync def stop(tasks):\n    for t in tasks:\n        t.cancel()\n    await asyncio.gather(*tasks, return_exceptions=True)\n    raise_task_exceptions(tasks)\n",
            &[],
        ),
        (
            "import asyncio\n\n\nasync def stop(self):\n    self._task.cancel()\n    await asyncio.gather(self._task, return_exceptions=True)\n    self._task = None\n",
            &["SCA007"],
        ),
        // An exit stack around the `yield` holds the cleanup; a sync manager's `except Exception`
        // that falls through reaches the code after the `yield` (an async one's does not: the
        // cancellation is a BaseException).
        (
            "import contextlib\n\n\n@contextlib.asynccontextmanager\nasync def sub(self):\n    async with contextlib.AsyncExitStack() as stack:\n        stack.push_async_callback(self.stop)\n        yield\n        stack.pop_all()\n        await self.stop()\n",
            &[],
        ),
        (
            "import contextlib\n\n\n@contextlib.contextmanager\ndef send(self):\n    with self.lock:\n        try:\n            yield\n        except Exception:\n            failed = True\n    self.close_socket()\n",
            &[],
        ),
        (
            "import contextlib\n\n\n@contextlib.asynccontextmanager\nasync def send(self):\n    with self.lock:\n        try:\n            yield\n        except Exception:\n            failed = True\n    self.close_socket()\n",
            &["SCA003"],
        ),
    ] {
        assert_eq!(codes(source), expected, "{source}");
    }

    // A class closing itself in its own `__aexit__` leaves the bound to its owner; one that
    // keeps a known resource closes that resource unbounded.
    let own = "class Client:\n    async def __aexit__(self, *exc):\n        await self.aclose()\n";
    assert_eq!(codes(own), Vec::<String>::new());
    let kept = "import asyncpg\n\n\nclass Service:\n    async def __aenter__(self):\n        self.pool = await asyncpg.create_pool()\n        return self\n\n    async def __aexit__(self, *exc):\n        await self.pool.close()\n";
    assert_eq!(codes(kept), vec!["SCA009"]);
}

#[test]
fn a_background_task_is_watched_by_its_coroutine_its_callback_or_its_starter() {
    let class = |start: &str, extra: &str| {
        format!(
            "import asyncio\nimport functools\n\n\nclass Worker:\n    async def start(self):\n{start}\n{extra}\n    async def _run(self):\n        while True:\n            await self._tick()\n\n    async def _tick(self):\n        await asyncio.sleep(1)\n"
        )
    };
    let unwatched = [
        ("        self._task = asyncio.create_task(self._run())", ""),
        (
            "        self._tasks.add(asyncio.ensure_future(self._run()))",
            "",
        ),
        (
            "        self._tasks[1] = asyncio.get_running_loop().create_task(self._run())",
            "",
        ),
        // Removing the task from its set does not read its exception.
        (
            "        task = asyncio.create_task(self._run())\n        self._tasks.add(task)\n        task.add_done_callback(self._tasks.discard)",
            "",
        ),
        // Asking whether there is a task is not watching it.
        (
            "        if self._task is None:\n            self._task = asyncio.create_task(self._run())",
            "",
        ),
    ];
    for (start, extra) in unwatched {
        let source = class(start, extra);
        assert_eq!(codes(&source), ["SCA008"], "{source}");
        // Reported where the coroutine first waits, which is what a fix changes.
        let line = source
            .lines()
            .position(|l| l.contains("await self._tick()"))
            .unwrap()
            + 1;
        assert_eq!(found(&source)[0].1, line, "{source}");
    }
    let watched = [
        // Awaited, or gathered, by the function that started it.
        (
            "        self._task = asyncio.create_task(self._run())\n        await self._task",
            "",
        ),
        (
            "        tasks = []\n        tasks.append(asyncio.create_task(self._run()))\n        await asyncio.gather(*tasks)",
            "",
        ),
        // Handed on: who gets it watches it, as far as one file can tell.
        ("        return asyncio.create_task(self._run())", ""),
        ("        register(asyncio.create_task(self._run()))", ""),
        // A done-callback that reads the outcome, in this method or another.
        (
            "        task = asyncio.create_task(self._run())\n        task.add_done_callback(self._done)",
            "    def _done(self, task):\n        if not task.cancelled() and task.exception():\n            log()\n",
        ),
        (
            "        self._task = asyncio.create_task(self._run())\n        self._watch()",
            "    def _watch(self):\n        self._task.add_done_callback(functools.partial(report, 'run'))\n",
        ),
        // A coroutine the rule cannot read, or a task group's task.
        ("        self._task = asyncio.create_task(other.run())", ""),
        (
            "        async with asyncio.TaskGroup() as tg:\n            tg.create_task(self._run())",
            "",
        ),
    ];
    for (start, extra) in watched {
        let source = class(start, extra);
        assert_eq!(codes(&source), Vec::<String>::new(), "{source}");
    }
    // The coroutine logs its own crash, directly or in every function it awaits.
    let logs = class("        self._task = asyncio.create_task(self._run())", "")
        .replace("        await asyncio.sleep(1)\n", "        try:\n            await asyncio.sleep(1)\n        except Exception:\n            log()\n");
    assert_eq!(codes(&logs), Vec::<String>::new(), "{logs}");
    let reraises = class("        self._task = asyncio.create_task(self._run())", "")
        .replace("        await asyncio.sleep(1)\n", "        try:\n            await asyncio.sleep(1)\n        except Exception:\n            raise\n");
    assert_eq!(codes(&reraises), ["SCA008"], "{reraises}");
}

#[test]
fn per_file_ignores_match_as_ruffs_do() {
    let dir = TestDir::new();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.scaffold.audit.per-file-ignores]\n\"tests/**\" = [\"SCA001\"]\n\"legacy_*.py\" = [\"SCA0\"]\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("tests/unit")).unwrap();
    std::fs::create_dir_all(dir.path().join("src/pkg")).unwrap();
    for file in [
        "tests/unit/test_x.py",
        "src/pkg/legacy_db.py",
        "src/pkg/db.py",
    ] {
        std::fs::write(dir.path().join(file), BAD).unwrap();
    }
    let out = dir
        .scaffold(&["audit", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["filename"].as_str().unwrap())
        .collect();
    assert_eq!(files, vec!["src/pkg/db.py"]);
    // From a subdirectory the globs still match from the project root.
    let out = dir
        .scaffold(&["audit", "unit"])
        .current_dir(dir.path().join("tests"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.scaffold.audit.per-file-ignores]\n\"tests/**\" = [\"SCA999\"]\n",
    )
    .unwrap();
    let out = dir.scaffold(&["audit"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
