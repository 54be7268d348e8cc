"""AUDIT RECALL: `scaffold audit` reports every mutant the mutation harness writes, on its lines.

For each mutation of tests/real_run/mutations.py (once per id, on 3.12): `scaffold new` renders
the project it mutates (no venv, no lock, no tests run: this is about the source), the mutation
is applied, and `scaffold audit --format json` runs on the project. Every rule that claims the
mutation's catalogue entry (`scaffold list rules --format json`: its `catalogue`) must report it
in the mutated file, on a line the mutation wrote; a mutation that only deletes code (or leaves a
comment in its place) may be reported anywhere in the file, as the absence it made (the
unmutated project audits clean: the Rust tests check every combination of kinds).

The table (A-id x kind -> rule, line) is printed into the CI log, like the mutation table. Rows
whose entry no rule claims say what the audit found there anyway, or `-` (say why in the
rules' docs: docs/audit.md).
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import NO_FINISHING, report, run, scaffold_bin
from mutations import Mutation, TemplateDrift, catalogue
from test_mutants import PROJECT_RESOURCES


def audit_rules() -> dict[str, list[str]]:
    """Catalogue entry -> the codes of the rules that claim it."""
    r = run([str(scaffold_bin()), "list", "rules", "--format", "json"], cwd=Path.cwd(),
            env=dict(os.environ), timeout=30)
    assert r.returncode == 0, r.describe()
    claims: dict[str, list[str]] = {}
    for rule in json.loads(r.output):
        for entry in filter(None, rule["catalogue"].split(",")):
            claims.setdefault(entry.strip(), []).append(rule["code"])
    return claims


def changed_lines(before: str, after: str) -> set[int]:
    """1-based lines of `after` that the edit wrote (a deletion: the line now in its place)."""
    lines: set[int] = set()
    matcher = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    for tag, _, _, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            lines.update(range(j1 + 1, j2 + 1))
        elif tag == "delete":
            lines.add(j1 + 1)
    return lines


def audit_one(m: Mutation, root: Path, claims: dict[str, list[str]]) -> tuple[str, bool]:
    package = m.package("3.12").replace("m_", "audit_", 1)
    project_dir = root / package
    shutil.rmtree(project_dir, ignore_errors=True)
    resources = [a for r in PROJECT_RESOURCES[m.project] for a in ("--resource", r)]
    r = run([str(scaffold_bin()), "new", package, *resources, "--no-input", "--dir", str(project_dir)],
            cwd=root, env={**os.environ, **NO_FINISHING}, timeout=60)
    if r.returncode != 0:
        return f"render failed: {r.describe()}", False
    target = project_dir / "src" / package / m.file
    before = target.read_text()
    try:
        m.apply(project_dir, package)
    except TemplateDrift as exc:
        return f"DRIFT: {str(exc).splitlines()[0]}", False
    after = target.read_text().splitlines()
    lines = changed_lines(before, target.read_text())
    # A mutation that only deletes (A10 removes the signal handlers) leaves nothing to point at:
    # there, the finding is wherever the rule reports the absence (the unmutated file is clean).
    wrote_code = any(after[n - 1].strip() and not after[n - 1].strip().startswith("#")
                     for n in lines if n <= len(after))
    r = run([str(scaffold_bin()), "-q", "audit", "--format", "json", "--exit-zero", "src"], cwd=project_dir,
            env=dict(os.environ), timeout=60)
    if r.returncode != 0:
        return f"audit failed: {r.describe()}", False
    findings = [f for f in json.loads(r.output)
                if Path(f["filename"]) == Path("src") / package / m.file]
    on_lines = [f for f in findings if f["location"]["row"] in lines or not wrote_code]
    wanted = claims.get(m.anti, [])
    missing = [code for code in wanted if not any(f["code"] == code for f in on_lines)]
    shown = ", ".join(sorted({f"{f['code']} line {f['location']['row']}" for f in on_lines})) or "-"
    if missing:
        elsewhere = ", ".join(f"{f['code']} line {f['location']['row']}" for f in findings) or "nothing"
        return (f"MISSED {', '.join(missing)} (mutated lines {min(lines, default=0)}-{max(lines, default=0)}; "
                f"found in the file: {elsewhere})"), False
    return (("caught: " if wanted else "no rule claims it; found: ") + shown), True


def test_audit_reports_every_mutant(workdir: Path, request: pytest.FixtureRequest) -> None:
    claims = audit_rules()
    root = workdir / "audit-recall"
    root.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    rows: list[tuple[Mutation, str, bool]] = []
    for m in catalogue():
        if m.id in seen:
            continue
        seen.add(m.id)
        rows.append((m, *audit_one(m, root, claims)))
    lines = ["", "audit recall: anti-pattern x kind -> rule, line (mutated file)"]
    lines += [f"  {m.anti:<4} {m.kind:<16} {what}" for m, what, _ in rows]
    claimed = [(m, ok) for m, _, ok in rows if claims.get(m.anti)]
    entries = sorted({m.anti for m, _ in claimed}, key=lambda a: int(a[1:]))
    lines.append(f"audit recall: {sum(ok for _, ok in claimed)}/{len(claimed)} mutants of the "
                 f"{len(entries)} entries the rules claim ({', '.join(entries)}) reported on their lines")
    report(request.config, "\n".join(lines))
    bad = [f"{m.id}: {what}" for m, what, ok in rows if not ok]
    assert not bad, "\n".join(bad)
