"""AUDIT ON REAL CODE: `scaffold audit` on popular async projects' source, every finding triaged.

tests/audit_corpus/requirements.txt pins the projects (installed from PyPI as wheels, without
their dependencies, with uv); tests/audit_corpus/triage.md has one row per finding with its
verdict (true, debatable, false) and why. The audit runs with every rule on each project's
package directory, and must find exactly the table's rows: a new finding is untriaged, a row
not found is stale (a rule changed: triage again). Precision, true / (true + false), must be at
least 90 %. The count per project goes into the CI log.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from conftest import REPO, python_path, report, run, scaffold_bin, uv_bin

CORPUS = REPO / "tests" / "audit_corpus"
ROW = re.compile(r"^\| `(?P<path>[^`]+):(?P<line>\d+)` \| (?P<code>SCA\d{3}) \| "
                 r"(?P<verdict>true|debatable|false) \| (?P<why>.+) \|$")
MIN_PRECISION = 0.90


def triage() -> dict[tuple[str, int, str], str]:
    rows: dict[tuple[str, int, str], str] = {}
    for line in (CORPUS / "triage.md").read_text().splitlines():
        if m := ROW.match(line):
            key = (m["path"], int(m["line"]), m["code"])
            assert key not in rows, f"triage.md lists {key} twice"
            assert m["why"].strip(), f"triage.md: {key} has no why"
            rows[key] = m["verdict"]
    return rows


def packages() -> list[str]:
    """Import names of the pinned distributions: `aio-pika==10.2.1` -> `aio_pika`, or what a
    `# import: name` comment on its line says (`tortoise-orm` -> `tortoise`)."""
    names = []
    for line in (CORPUS / "requirements.txt").read_text().splitlines():
        requirement, _, comment = line.partition("#")
        if not requirement.strip():
            continue
        named = re.match(r"\s*import:\s*(\S+)", comment)
        names.append(named[1] if named else requirement.split("==", 1)[0].strip().lower().replace("-", "_"))
    return names


def test_audit_on_real_code_matches_the_triage(workdir: Path, request: pytest.FixtureRequest) -> None:
    target = workdir / "audit-corpus"
    r = run([uv_bin(), "pip", "install", "--quiet", "--no-deps", "--only-binary", ":all:",
             "--python", str(python_path("3.12")), "--target", str(target),
             "-r", str(CORPUS / "requirements.txt")],
            cwd=workdir, env=dict(os.environ), timeout=300)
    assert r.returncode == 0, r.describe()
    names = packages()
    for name in names:
        assert (target / name).is_dir(), f"{name} is not where `--target` installs it"
    r = run([str(scaffold_bin()), "-q", "audit", "--format", "json", "--exit-zero", *names],
            cwd=target, env=dict(os.environ), timeout=120)
    assert r.returncode == 0, r.describe()
    found = {(f["filename"], f["location"]["row"], f["code"]) for f in json.loads(r.output)}
    rows = triage()

    files = Counter(p.relative_to(target).parts[0] for name in names for p in (target / name).rglob("*.py"))
    verdicts = Counter(rows[key] for key in found if key in rows)
    lines = ["", "audit on real code: project -> files, findings (true / debatable / false)"]
    width = max(map(len, names))
    for name in names:
        mine = [key for key in found if key[0].split("/", 1)[0] == name]
        by = Counter(rows.get(key, "UNTRIAGED") for key in mine)
        lines.append(f"  {name:<{width}} {files[name]:>4} files  {len(mine):>3} findings  "
                     f"({by['true']} / {by['debatable']} / {by['false']}"
                     + (f", {by['UNTRIAGED']} untriaged" if by["UNTRIAGED"] else "") + ")")
    judged = verdicts["true"] + verdicts["false"]
    precision = verdicts["true"] / judged if judged else 1.0
    lines.append(f"audit on real code: {len(found)} findings in {sum(files.values())} files; "
                 f"{verdicts['true']} true, {verdicts['debatable']} debatable, {verdicts['false']} false: "
                 f"precision {precision:.1%} (true / (true + false))")
    report(request.config, "\n".join(lines))

    untriaged = sorted(found - rows.keys())
    stale = sorted(rows.keys() - found)
    problems = [f"untriaged (add a row to tests/audit_corpus/triage.md): {p}:{n} {c}" for p, n, c in untriaged]
    problems += [f"stale (the audit no longer reports it): {p}:{n} {c}" for p, n, c in stale]
    assert not problems, "\n".join(problems)
    assert precision >= MIN_PRECISION, f"precision {precision:.1%} is under {MIN_PRECISION:.0%}"
