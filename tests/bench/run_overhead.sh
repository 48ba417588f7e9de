#!/usr/bin/env bash
# Per-step overhead of the executor: a 10-step and a 1-step no-op workflow, timed with hyperfine; the
# difference divided by 9 is what one more step costs (process group, record write, output parsing).
# Usage: tests/bench/run_overhead.sh [BUILD_BIN_DIR]   (or: cmake --build --preset default --target bench-run)
# STEPS=N uses an N-step workflow instead of 10 (a longer one averages out a noisy machine); RUNS=N runs.
# Prints a Markdown table for docs/performance.md (## Executor). Not part of ctest: timings are not tests.
set -euo pipefail
BIN=${1:-$(cd "$(dirname "$0")/../.." && pwd)/build/bin}
command -v hyperfine >/dev/null || { echo "run_overhead: hyperfine is not installed" >&2; exit 69; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/df-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

workflow() { # NAME STEPS
  printf '# Workflow: %s\n\n## Steps\n' "$1"
  for i in $(seq "$2"); do printf '### %d. Step %d\n```sh\n:\n```\n\n' "$i" "$i"; done
}
STEPS=${STEPS:-10}
workflow "Ten Steps" "$STEPS" >"$WORK/ten.md"
workflow "One Step" 1 >"$WORK/one.md"
"$BIN/df-compile" "$WORK/ten.md" "$WORK/one.md" -o "$WORK/skills" >/dev/null 2>&1
export DF_STATE_DIR=$WORK/state

hyperfine --warmup 3 --runs "${RUNS:-30}" --export-json "$WORK/result.json" --style basic \
  "$WORK/skills/one-step/run" "$WORK/skills/ten-steps/run" >&2

read -r one ten one_sd ten_sd one_cpu ten_cpu < <(jq -r '[.results[0].mean, .results[1].mean,
  .results[0].stddev, .results[1].stddev, .results[0].user + .results[0].system,
  .results[1].user + .results[1].system] | map(. * 1000) | @tsv' "$WORK/result.json")
per_step=$(jq -n --argjson a "$one" --argjson b "$ten" --argjson n "$STEPS" '($b - $a) / ($n - 1) * 10 | round / 10')
per_step_cpu=$(jq -n --argjson a "$one_cpu" --argjson b "$ten_cpu" --argjson n "$STEPS" \
  '($b - $a) / ($n - 1) * 10 | round / 10')
# The fastest runs: the least disturbed by other load on the machine.
per_step_min=$(jq -r --argjson n "$STEPS" '(.results[1].min - .results[0].min) * 1000 / ($n - 1) * 10 | round / 10' \
  "$WORK/result.json")
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
printf '| machine | %s, %s cores, load average %s |\n' "$cpu" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '| versions | %s, %s, %s |\n' "bash $BASH_VERSION" "$(jq --version)" "$(hyperfine --version)"
printf '| 1-step run, wall | %.1f ms ± %.1f |\n' "$one" "$one_sd"
printf '| %d-step run, wall | %.1f ms ± %.1f |\n' "$STEPS" "$ten" "$ten_sd"
printf '| per step, wall | **%s ms** (target < 50 ms) |\n' "$per_step"
printf '| per step, fastest runs | %s ms |\n' "$per_step_min"
printf '| per step, CPU (user + system) | %s ms |\n' "$per_step_cpu"
