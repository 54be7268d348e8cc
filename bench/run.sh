#!/usr/bin/env bash
# Benchmarks the release binary with hyperfine: `scaffold new` with all four kinds into a fresh
# directory, `scaffold --version`, and `scaffold regen --check` on an up-to-date project with 4
# resources and with 50 (made by `scaffold new` + `[[resource]]` tables appended to its manifest +
# `scaffold regen`). Prints min / median / max of RUNS runs in milliseconds, then the peak RSS of
# each command (`/usr/bin/time -v`, "Maximum resident set size"), against the goals of
# `shared/spec/cli.md` §5. Not run by the tests. Usage: bench/run.sh [RUNS]
set -euo pipefail

runs="${1:-20}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if ! command -v hyperfine >/dev/null 2>&1; then
    echo "installing hyperfine..." >&2
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq hyperfine; else sudo apt-get install -y hyperfine; fi
fi

if [ ! -x /usr/bin/time ]; then
    echo "installing time..." >&2
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq time; else sudo apt-get install -y time; fi
fi

cargo build --release --locked --quiet
bin="$root/target/release/scaffold"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
target="$work/bench-project"

# `new` itself (render and write) against its goal: without its finishing steps, whose time is
# git's and uv's (uv lock needs the network); `new` with `git init` is timed on its own row.
hyperfine --runs "$runs" --warmup 3 --shell=none --style basic --export-json "$work/new.json" \
    --prepare "rm -rf $target" \
    --command-name "scaffold new (4 kinds)" \
    "$bin new orders --dir $target --no-input --vcs none --no-lock --resource db-pool --resource cache --resource task-set --resource lifespan" \
    >&2
hyperfine --runs "$runs" --warmup 3 --shell=none --style basic \
    --prepare "rm -rf $target" \
    --command-name "scaffold new (4 kinds) + git init" \
    "$bin new orders --dir $target --no-input --no-lock --resource db-pool --resource cache --resource task-set --resource lifespan" \
    >&2
hyperfine --runs "$runs" --warmup 3 --shell=none --style basic --export-json "$work/version.json" \
    --command-name "scaffold --version" "$bin --version" >&2

# Up-to-date projects: 4 resources (one of each kind) and 50 (46 more db-pools, caches, task sets).
p4="$work/p4"
p50="$work/p50"
all4=(--resource db-pool --resource cache --resource task-set --resource lifespan)
"$bin" -q new orders --dir "$p4" --no-input --vcs none --no-lock "${all4[@]}"
"$bin" -q new orders --dir "$p50" --no-input --vcs none --no-lock "${all4[@]}"
for i in $(seq 1 46); do
    case $((i % 3)) in 0) kind=db-pool ;; 1) kind=cache ;; 2) kind=task-set ;; esac
    printf '\n[[resource]]\nkind = "%s"\nname = "%s_%d"\n' "$kind" "${kind//-/_}" "$i" >>"$p50/scaffold.toml"
done
(cd "$p50" && "$bin" -q regen --no-lock)
for p in "$p4" "$p50"; do (cd "$p" && "$bin" -q regen --check) || { echo "not up to date: $p" >&2; exit 1; }; done
[ "$(grep -c '^\[\[resource\]\]' "$p50/scaffold.toml")" = 50 ] || { echo "p50 does not have 50 resources" >&2; exit 1; }

(cd "$p4" && hyperfine --runs "$runs" --warmup 3 --shell=none --style basic --export-json "$work/check4.json" \
    --command-name "regen --check (4 res.)" "$bin regen --check" >&2)
(cd "$p50" && hyperfine --runs "$runs" --warmup 3 --shell=none --style basic --export-json "$work/check50.json" \
    --command-name "regen --check (50 res.)" "$bin regen --check" >&2)

# Peak RSS (KiB) of each command, one run each (after the warm-up above).
rss() { # NAME DIR CMD...
    local name=$1 dir=$2; shift 2
    local kb
    kb=$(cd "$dir" && /usr/bin/time -v "$@" 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p')
    printf '%s\t%s\n' "$name" "$kb" >>"$work/rss.tsv"
}
: >"$work/rss.tsv"
rm -rf "$target"
rss "scaffold new (4 kinds)" "$work" "$bin" new orders --dir "$target" --no-input --vcs none --no-lock "${all4[@]}"
rss "scaffold --version" "$work" "$bin" --version
rss "regen --check (4 res.)" "$p4" "$bin" regen --check
rss "regen --check (50 res.)" "$p50" "$bin" regen --check
rss "add resource (50 res.)" "$p50" "$bin" add resource cache --name extra --no-input --no-lock
rss "regen (51 res., write)" "$p50" "$bin" regen

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
goals = {"scaffold new (4 kinds)": 10, "scaffold --version": 2,
         "regen --check (4 res.)": 5, "regen --check (50 res.)": 20}
print(f"{'command':<26}{'runs':>6}{'min ms':>10}{'median ms':>12}{'max ms':>10}{'goal ms':>10}  met")
for name in ("new", "version", "check4", "check50"):
    for r in json.load(open(f"{work}/{name}.json"))["results"]:
        t = r["times"]
        goal = goals.get(r["command"])
        met = "yes" if goal and r["median"] * 1e3 <= goal else "NO"
        print(f"{r['command']:<26}{len(t):>6}{min(t)*1e3:>10.2f}{r['median']*1e3:>12.2f}{max(t)*1e3:>10.2f}{goal:>10}  {met}")
print()
print(f"{'command':<26}{'peak RSS MiB':>14}{'goal MiB':>10}  met")
for line in open(f"{work}/rss.tsv"):
    name, kb = line.rstrip("\n").split("\t")
    mib = int(kb) / 1024
    print(f"{name:<26}{mib:>14.1f}{15:>10}  {'yes' if mib <= 15 else 'NO'}")
PY
