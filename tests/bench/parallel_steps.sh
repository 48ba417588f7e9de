#!/usr/bin/env bash
# Steps side by side: N independent steps of `sleep 1` with `Needs: none` against one such step, timed with
# hyperfine. Target (issue 14): 10 such steps finish in about the time of one, under 1.5 s.
# Usage: tests/bench/parallel_steps.sh [BUILD_BIN_DIR]; STEPS=N (default 10), RUNS=N (default 5).
# Prints a Markdown table for docs/performance.md (## Steps side by side). Not part of ctest.
set -euo pipefail
BIN=${1:-$(cd "$(dirname "$0")/../.." && pwd)/build/bin}
command -v hyperfine >/dev/null || { echo "parallel_steps: hyperfine is not installed" >&2; exit 69; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/df-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

workflow() { # NAME STEPS
  printf '# Workflow: %s\n\n## Steps\n' "$1"
  for i in $(seq "$2"); do printf '### %d. Step %d\n- Needs: none\n\n```sh\nsleep 1\n```\n\n' "$i" "$i"; done
}
STEPS=${STEPS:-10}
workflow "Side By Side" "$STEPS" >"$WORK/many.md"
workflow "Alone" 1 >"$WORK/one.md"
"$BIN/df-compile" "$WORK/many.md" "$WORK/one.md" -o "$WORK/skills" >/dev/null 2>&1
export DF_STATE_DIR=$WORK/state

hyperfine --warmup 1 --runs "${RUNS:-5}" --export-json "$WORK/result.json" --style basic \
  "$WORK/skills/alone/run" "$WORK/skills/side-by-side/run" >&2

read -r one many one_sd many_sd < <(jq -r '[.results[0].mean, .results[1].mean, .results[0].stddev,
  .results[1].stddev] | map(. * 1000) | @tsv' "$WORK/result.json")
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
printf '| machine | %s, %s cores, load average %s |\n' "$cpu" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '| 1 step of sleep 1, wall | %.0f ms ± %.0f |\n' "$one" "$one_sd"
printf '| %d such steps with Needs: none, wall | **%.0f ms** ± %.0f (target < 1500 ms) |\n' "$STEPS" "$many" "$many_sd"
