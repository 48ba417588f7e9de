#!/usr/bin/env bash
# Per-item overhead of `For each:`: one no-op step over 100 items and over 1 item, timed with hyperfine;
# the difference divided by 99 is what one more item costs (a process group, its output file and prefixing
# process, its share of the collection into JSON arrays), items running 4 at a time (the default bound).
# Usage: tests/bench/foreach_overhead.sh [BUILD_BIN_DIR]  (or: cmake --build --preset default --target bench-foreach)
# ITEMS=N fans out over N items instead of 100; RUNS=N runs. Prints a Markdown table for docs/performance.md
# (## For each). Not part of ctest: timings are not tests.
set -euo pipefail
BIN=${1:-$(cd "$(dirname "$0")/../.." && pwd)/build/bin}
command -v hyperfine >/dev/null || { echo "foreach_overhead: hyperfine is not installed" >&2; exit 69; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/df-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
ITEMS=${ITEMS:-100}
cat >"$WORK/fan.md" <<'MD'
# Workflow: Fan Out

## Inputs
- `items` (required): the list

## Outputs
- `done`: what each item published

## Steps
### 1. Each
- For each: item in $items
```sh
echo "done=$item" >> "$DF_OUTPUT"
```
MD
"$BIN/df-compile" "$WORK/fan.md" -o "$WORK/skills" >/dev/null 2>&1
export DF_STATE_DIR=$WORK/state
many=$(seq -s, "$ITEMS")
hyperfine --warmup 2 --runs "${RUNS:-10}" --export-json "$WORK/result.json" --style basic \
  -n one "$WORK/skills/fan-out/run --items 1" -n many "$WORK/skills/fan-out/run --items $many" >&2

read -r one many_t one_sd many_sd one_cpu many_cpu < <(jq -r '[.results[0].mean, .results[1].mean,
  .results[0].stddev, .results[1].stddev, .results[0].user + .results[0].system,
  .results[1].user + .results[1].system] | map(. * 1000) | @tsv' "$WORK/result.json")
per_item=$(jq -n --argjson a "$one" --argjson b "$many_t" --argjson n "$ITEMS" '($b - $a) / ($n - 1) * 10 | round / 10')
per_item_cpu=$(jq -n --argjson a "$one_cpu" --argjson b "$many_cpu" --argjson n "$ITEMS" '($b - $a) / ($n - 1) * 10 | round / 10')
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
printf '| machine | %s, %s cores, load average %s |\n' "$cpu" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '| versions | %s, %s, %s |\n' "bash $BASH_VERSION" "$(jq --version)" "$(hyperfine --version)"
printf '| 1-item run, wall | %.1f ms ± %.1f |\n' "$one" "$one_sd"
printf '| %d-item run, wall | %.1f ms ± %.1f |\n' "$ITEMS" "$many_t" "$many_sd"
printf '| per item, wall | **%s ms** (target < 10 ms) |\n' "$per_item"
printf '| per item, CPU (user + system) | %s ms |\n' "$per_item_cpu"
