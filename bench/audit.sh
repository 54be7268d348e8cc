#!/usr/bin/env bash
# Benchmarks `scaffold audit` against `ruff check --select ASYNC,RUF006` on the same files: the
# source of the projects pinned in tests/audit_corpus/requirements.txt (the real-code triage's
# set), installed from PyPI as wheels without dependencies. Both run with all cores, ruff
# without its cache (`--no-cache`; the audit has none), both with `--exit-zero`. hyperfine
# prints mean and spread; this script adds files/s for each and the ratio. Not run by the
# tests. Usage: bench/audit.sh [RUNS]
set -euo pipefail

runs="${1:-20}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if ! command -v hyperfine >/dev/null 2>&1; then
    echo "installing hyperfine..." >&2
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq hyperfine; else sudo apt-get install -y hyperfine; fi
fi
uv=${UV:-$(command -v uv || echo "$root/.cache/uv-venv/bin/uv")}
[ -x "$uv" ] || { echo "error: uv not found (set UV, or run scripts/test.sh once: it installs one into .cache/uv-venv)" >&2; exit 2; }
py=$(ls "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.12.*/bin/python3.12 | head -1)
ruff_pin=$(grep -i '^ruff==' constraints/python.txt)

cargo build --release --locked --quiet
bin="$root/target/release/scaffold"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$uv" pip install --quiet --no-deps --only-binary :all: --python "$py" --target "$work/corpus" \
    -r tests/audit_corpus/requirements.txt
"$uv" venv --quiet --python "$py" "$work/ruff-venv"
"$uv" pip install --quiet --python "$work/ruff-venv/bin/python" "$ruff_pin"
ruff="$work/ruff-venv/bin/ruff"

cd "$work/corpus"
# import names: the distribution's, or what `# import: name` on its line says
packages=$(grep -v '^#' "$root/tests/audit_corpus/requirements.txt" | grep . \
    | sed -E 's/^.*# import: ([A-Za-z0-9_]+).*$/\1/; s/==.*//' | tr 'A-Z-' 'a-z_' | xargs)
files=$(find $packages -name '*.py' | wc -l)
lines=$(find $packages -name '*.py' -exec cat {} + | wc -l)
echo "corpus: $files files, $lines lines ($packages)"
echo "ruff: $("$ruff" --version); scaffold: $("$bin" --version)"

hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/times.json" \
    -n "scaffold audit" "$bin -q audit --exit-zero $packages" \
    -n "ruff check --select ASYNC,RUF006" "$ruff check --isolated --no-cache --select ASYNC,RUF006 --exit-zero -q $packages"

python3 - "$work/times.json" "$files" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
files = int(sys.argv[2])
for r in results:
    print(f"{r['command']:<36} mean {r['mean'] * 1000:7.1f} ms  median {r['median'] * 1000:7.1f} ms  {files / r['mean']:8.0f} files/s")
audit, ruff = results[0]["mean"], results[1]["mean"]
print(f"scaffold audit / ruff: {ruff / audit:.2f}x {'faster' if audit < ruff else 'slower'} (mean times)")
PY
