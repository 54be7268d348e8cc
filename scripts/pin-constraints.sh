#!/usr/bin/env bash
# Re-resolve constraints/*.txt from constraints/*.in with uv (the only way these files change).
#
# constraints/python.txt  : every package a generated project installs, exact (==) pins, one
#                           file valid on Python 3.11, 3.12 and 3.13 (`--universal` adds
#                           environment markers where the three differ).
# constraints/harness.txt : what this repo's own test tooling runs on (uv, pytest).
#
# To move a version: edit the .in file, run this script, run `scripts/test.sh real`, commit
# the .in, the .txt and (if a range must move) the templates' pyproject ranges together.
# Needs uv on PATH or in $UV (scripts/test.sh bootstraps one into .cache/uv-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-$(command -v uv || echo .cache/uv-venv/bin/uv)}

compile() { # in out header...
  local in=$1 out=$2; shift 2
  local body
  body=$("$UV" pip compile -q --universal --python-version 3.11 --no-header "$in")
  { printf '%s\n' "$@"
    printf '# Resolved with: uv pip compile --universal --python-version 3.11 %s (scripts/pin-constraints.sh)\n\n' "$in"
    printf '%s\n' "$body"
  } >"$out"
  echo "wrote $out"
}

compile constraints/python.in constraints/python.txt \
  "# THE one place where exact versions of the generated projects' Python dependencies are pinned." \
  "# Generated from constraints/python.in by scripts/pin-constraints.sh: do not edit by hand." \
  "# Valid for Python 3.11, 3.12 and 3.13 (one file; markers where they differ)." \
  "# The generated pyproject.toml carries compatible ranges (e.g. redis>=8.1,<9), never these pins;" \
  "# the real-run harness (tests/real_run) installs exactly this file and checks that every" \
  "# range in a generated pyproject.toml admits the version pinned here."

compile constraints/harness.in constraints/harness.txt \
  "# Exact pins for this repo's own test tooling (scripts/test.sh, tests/real_run), not for" \
  "# generated projects (those are in constraints/python.txt)." \
  "# Generated from constraints/harness.in by scripts/pin-constraints.sh: do not edit by hand."
