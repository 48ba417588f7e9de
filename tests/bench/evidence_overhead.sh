#!/usr/bin/env bash
# What compliance evidence costs a run: a 1-step no-op workflow run three ways, timed with hyperfine — a copy
# of the skill whose lib/evidence.sh is replaced by no-ops (no evidence at all), the skill as compiled (an
# unsigned ledger entry), and with DF_EVIDENCE_KEY set (a signed entry: openssl). The differences are the
# per-run overhead; per step there is none (command steps add nothing, an agent step one sha256sum).
# Usage: tests/bench/evidence_overhead.sh [BUILD_BIN_DIR]  (or: cmake --build --preset default --target bench-evidence)
# RUNS=N runs each (default 50). Prints a Markdown table for docs/performance.md (## Evidence).
set -euo pipefail
BIN=${1:-$(cd "$(dirname "$0")/../.." && pwd)/build/bin}
command -v hyperfine >/dev/null || { echo "evidence_overhead: hyperfine is not installed" >&2; exit 69; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/df-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

printf '# Workflow: One Step\n\n## Steps\n### 1. Step\n```sh\n:\n```\n' >"$WORK/one.md"
"$BIN/df-compile" "$WORK/one.md" -o "$WORK/skills" >/dev/null 2>&1
cp -r "$WORK/skills/one-step" "$WORK/bare"
printf '# shellcheck shell=bash\ndf_evidence_seal() { :; }\ndf_evidence_agent_call() { :; }\n' \
  >"$WORK/bare/lib/evidence.sh"
openssl genpkey -algorithm ed25519 -out "$WORK/key.pem" 2>/dev/null

hyperfine --warmup 5 --runs "${RUNS:-50}" --export-json "$WORK/result.json" --style basic \
  -n none "DF_STATE_DIR=$WORK/s0 $WORK/bare/run" \
  -n unsigned "DF_STATE_DIR=$WORK/s1 $WORK/skills/one-step/run" \
  -n signed "DF_STATE_DIR=$WORK/s2 DF_EVIDENCE_KEY=$WORK/key.pem $WORK/skills/one-step/run" >&2

read -r none unsigned signed none_cpu unsigned_cpu signed_cpu < <(jq -r '[(.results[] | .mean),
  (.results[] | .user + .system)] | map(. * 1000) | @tsv' "$WORK/result.json")

# A large record: five steps, one of them For each over 100 items (each item's result in the record).
cat >"$WORK/big.md" <<'MD'
# Workflow: Big Record

## Inputs
- `items` (required): the list

## Steps
### 1. Prepare
```sh
echo "count=100" >> "$DF_OUTPUT"
```

### 2. Each
- For each: item in $items
```sh
echo "done=item-$item" >> "$DF_OUTPUT"
```

### 3. Check
```sh
:
```

### 4. Report
```sh
echo "report=ok" >> "$DF_OUTPUT"
```

### 5. Finish
```sh
:
```
MD
"$BIN/df-compile" "$WORK/big.md" -o "$WORK/skills" >/dev/null 2>&1
DF_STATE_DIR=$WORK/s3 "$WORK/skills/big-record/run" --items "$(seq -s, 100)" >/dev/null 2>&1
big_kb=$(($(cat "$WORK"/s3/runs/*.json | wc -c) / 1024))

# The seal alone, in one process, N times over the same record: its wall time without the start-up noise
# of whole runs on a loaded machine, and its CPU time (user + sys, the programs it starts included), which
# a loaded machine inflates far less. Prints "WALL_US CPU_US" per seal.
seal_loop() { # N [KEY [SKILL STATE]]
  DF_EVIDENCE_KEY=${2-} bash -c '
    set -u
    for f in "$0"/lib/*.sh; do source "$f"; done
    df_load_builtins # as a run does: the head file needs the stat, ln and unlink loadables
    _DF_SKILL_DIR=$0 _DF_MANIFEST=$0/skill.json _DF_SECRETS=" " DF_STATE_DIR=$1
    df_state_paths
    _DF_RUN_ID=$(cd "$_DF_RUNS" && ls | head -n 1)
    _DF_RUN_ID=${_DF_RUN_ID%.json} _DF_REC=$_DF_RUNS/${_DF_RUN_ID%.json}.json
    [[ -n ${DF_EVIDENCE_KEY-} ]] || unset DF_EVIDENCE_KEY
    TIMEFORMAT="%3R %3U %3S"
    { time for ((i = 0; i < $2; i++)); do df_evidence_seal succeeded; done; } 2>&1' \
    "${3:-$WORK/skills/one-step}" "${4:-$WORK/s1}" "$1" | jq -Rr --argjson n "$1" \
    'split(" ") | map(tonumber) | "\(.[0] * 1e6 / $n | round) \((.[1] + .[2]) * 1e6 / $n | round)"'
}
read -r seal_us seal_cpu_us < <(seal_loop "${SEALS:-200}")
read -r seal_signed_us seal_signed_cpu_us < <(seal_loop "${SEALS:-200}" "$WORK/key.pem")
read -r seal_big_us seal_big_cpu_us < <(seal_loop "${SEALS:-200}" "" "$WORK/skills/big-record" "$WORK/s3")
# What starting one program costs on this machine now (the unsigned seal starts one: sha256sum).
exec_us=$(bash -c 'start=$EPOCHREALTIME; for ((i = 0; i < 200; i++)); do /bin/true; done
  echo "$(((${EPOCHREALTIME/./} - ${start/./}) / 200))"')

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
printf '| machine | %s, %s cores, load average %s |\n' "$cpu" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '| versions | %s, %s, %s |\n' "bash $BASH_VERSION" "$(openssl version | cut -d' ' -f1-2)" "$(hyperfine --version)"
printf '| 1-step run without evidence, wall / CPU | %.1f ms / %.1f ms |\n' "$none" "$none_cpu"
printf '| with an unsigned ledger entry, wall / CPU | %.1f ms / %.1f ms: CPU **+%.1f ms** |\n' \
  "$unsigned" "$unsigned_cpu" "$(jq -n "$unsigned_cpu - $none_cpu")"
printf '| with a signed entry (DF_EVIDENCE_KEY), wall / CPU | %.1f ms / %.1f ms: CPU **+%.1f ms** |\n' \
  "$signed" "$signed_cpu" "$(jq -n "$signed_cpu - $none_cpu")"
ms() { jq -n "$1 / 1000 * 100 | round / 100"; }
printf '| the seal alone (in-process, %s times), unsigned, wall / CPU | **%s ms / %s ms** per run (target < 5 ms) |\n' \
  "${SEALS:-200}" "$(ms "$seal_us")" "$(ms "$seal_cpu_us")"
printf '| the seal alone, signed, wall / CPU | **%s ms / %s ms** per run |\n' "$(ms "$seal_signed_us")" \
  "$(ms "$seal_signed_cpu_us")"
printf '| the seal alone over a large record (%s KiB: 5 steps, For each over 100 items), unsigned, wall / CPU | **%s ms / %s ms** per run |\n' \
  "$big_kb" "$(ms "$seal_big_us")" "$(ms "$seal_big_cpu_us")"
printf '| one program start (/bin/true) for scale | %s ms |\n' "$(ms "$exec_us")"
