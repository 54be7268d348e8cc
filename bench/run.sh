#!/usr/bin/env bash
# Benchmarks the release binary with hyperfine: `scaffold new` with all four kinds into a fresh
# directory, and `scaffold --version`. Prints min / median / max of 20 runs, in milliseconds.
# Not run by the tests. Usage: bench/run.sh [RUNS]
set -euo pipefail

runs="${1:-20}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if ! command -v hyperfine >/dev/null 2>&1; then
    echo "installing hyperfine..." >&2
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq hyperfine; else sudo apt-get install -y hyperfine; fi
fi

cargo build --release --locked --quiet
bin="$root/target/release/scaffold"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
target="$work/bench-project"

hyperfine --runs "$runs" --warmup 3 --shell=none --style basic --export-json "$work/new.json" \
    --prepare "rm -rf $target" \
    --command-name "scaffold new (4 kinds)" \
    "$bin new orders --dir $target --no-input --resource db-pool --resource cache --resource task-set --resource lifespan" \
    >&2
hyperfine --runs "$runs" --warmup 3 --shell=none --style basic --export-json "$work/version.json" \
    --command-name "scaffold --version" "$bin --version" >&2

python3 - "$work/new.json" "$work/version.json" <<'PY'
import json, sys
print(f"{'command':<26}{'runs':>6}{'min ms':>10}{'median ms':>12}{'max ms':>10}")
for path in sys.argv[1:]:
    for r in json.load(open(path))["results"]:
        t = r["times"]
        print(f"{r['command']:<26}{len(t):>6}{min(t)*1e3:>10.2f}{r['median']*1e3:>12.2f}{max(t)*1e3:>10.2f}")
PY
