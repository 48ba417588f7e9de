#!/usr/bin/env bash
# Benchmark: trigger-to-first-step latency over HTTP. A 10-step no-op workflow is compiled and served by
# its own entrypoint (the real webhook) on 127.0.0.1; each repetition POSTs to /hooks/run and measures
#   answer  POST sent → HTTP answer with the run id received
#   first   POST sent → first step's command running (the step writes $EPOCHREALTIME)
#   last    POST sent → tenth step's command running
# and, for comparison, the same with `run --detach` started directly (no webhook, no hook script), and the
# service layer alone: webhook and the hook script in front of a `run` that only notes the time it starts.
# Not part of ctest: timings are results for docs/performance.md, never assertions.
#   tests/bench/trigger_latency.sh [REPETITIONS]   (default 30; needs a build: cmake --build --preset default)
set -euo pipefail
src=$(cd -- "$(dirname -- "$0")/../.." && pwd -P)
bin=${DF_BIN:-$src/build/bin}
reps=${1:-30}
work=$(mktemp -d "${TMPDIR:-/tmp}/df-bench.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

{
  echo "# Workflow: Bench Noop"
  echo
  echo "## Description"
  echo "Ten steps that do nothing but note when they start."
  echo
  echo "## Steps"
  for i in $(seq 10); do
    # shellcheck disable=SC2016 # the step's own variables, expanded when it runs
    printf '%s. **Step %s**\n   ```sh\n   printf "%%s %%s\\n" "$DF_RUN_ID" "$EPOCHREALTIME" >> "$DF_STATE_DIR/stamps.%s"\n   ```\n\n' \
      "$i" "$i" "$i"
  done
} >"$work/bench.md"
skill=$("$bin/df-compile" -q --out "$work/out" "$work/bench.md" 2>"$work/compile.err") || {
  cat "$work/compile.err" >&2
  exit 1
}
state=$work/state
mkdir -p "$state"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
token=bench-token-0123456789abcdef
# serve SKILL STATE: starts SKILL's entrypoint on a free port, sets $served_port. Not in a subshell: the
# cleanup needs the process ids.
serve() {
  local port
  port=$(free_port)
  DF_TRIGGER_TOKEN=$token DF_BIND=127.0.0.1 DF_PORT=$port DF_STATE_DIR=$2 \
    setsid timeout 900 "$1/entrypoint" >>"$work/service.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$port/hooks/health" >/dev/null 2>&1 && break
    sleep 0.1
  done
  served_port=$port
}
serve "$skill" "$state"
port=$served_port

# The service layer alone (a measuring probe, not a feature): the same skill with its `run` replaced by one
# that notes when it starts and answers at once, so webhook + hook script are timed without the executor.
cp -r "$skill" "$work/layer"
cat >"$work/layer/run" <<'TIMING_PROBE'
#!/usr/bin/env bash
printf '%s\n' "$EPOCHREALTIME" >>"$DF_STATE_DIR/layer-stamps"
printf '{"run_id":"20260101T000000Z-%08x","status":"queued"}\n' "$RANDOM"
TIMING_PROBE
mkdir -p "$work/layer-state"
serve "$work/layer" "$work/layer-state"
layer_port=$served_port

# post PORT: one POST /hooks/run from a small Python client whose clock starts as it connects (so the
# client's own start-up, e.g. curl's ~5 ms, is not counted); prints "T0 T1 BODY" (epoch seconds: request
# sent, answer read).
post() {
  python3 - "$1" "$token" <<'CLIENT'
import http.client, sys, time
port, token = int(sys.argv[1]), sys.argv[2]
t0 = time.time()
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
conn.request("POST", "/hooks/run", body=b"{}", headers={"X-DF-Token": token})
body = conn.getresponse().read().decode()
t1 = time.time()
print(f"{t0:.6f} {t1:.6f} {body.strip()}")
CLIENT
}

# measure_layer: prints "answer run-started" in milliseconds.
measure_layer() {
  local t0 t1 start
  : >"$work/layer-state/layer-stamps"
  read -r t0 t1 _ < <(post "$layer_port")
  start=$(cat "$work/layer-state/layer-stamps")
  awk -v t0="$t0" -v t1="$t1" -v s="$start" 'BEGIN { printf "%.1f %.1f\n", (t1 - t0) * 1000, (s - t0) * 1000 }'
}

# stamp_of FILE RUN_ID: the step's start time for that run, waiting up to 30 s for it.
stamp_of() {
  local line
  for _ in $(seq 3000); do
    line=$(grep -s -m 1 "^$2 " "$1" || true)
    if [[ -n $line ]]; then
      echo "${line#* }"
      return 0
    fi
    sleep 0.01
  done
  echo "bench: run $2 never reached $(basename "$1")" >&2
  exit 1
}

# measure http|direct: one run; prints "answer first last" in milliseconds.
measure() {
  local t0 t1 out id
  if [[ $1 == http ]]; then
    read -r t0 t1 out < <(post "$port")
  else
    t0=$EPOCHREALTIME
    out=$(DF_STATE_DIR=$state DF_TRIGGER=manual "$skill/run" --detach </dev/null)
    t1=$EPOCHREALTIME
  fi
  id=$(jq -r .run_id <<<"$out")
  local first last
  first=$(stamp_of "$state/stamps.1" "$id")
  last=$(stamp_of "$state/stamps.10" "$id")
  # Let the run finish (its record says so) before the next one starts.
  for _ in $(seq 3000); do
    [[ $(jq -r .status "$state/runs/$id.json" 2>/dev/null) == succeeded ]] && break
    sleep 0.01
  done
  awk -v t0="$t0" -v t1="$t1" -v f="$first" -v l="$last" \
    'BEGIN { printf "%.1f %.1f %.1f\n", (t1 - t0) * 1000, (f - t0) * 1000, (l - t0) * 1000 }'
}

summary() { # label column file
  sort -n -k "$2" "$3" | awk -v label="$1" -v c="$2" '{ v[NR] = $c; sum += $c }
    END { printf "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f |\n", label, NR, v[1], v[int((NR + 1) / 2)],
          sum / NR, v[int(NR * 0.9 + 0.999)], v[NR] }'
}

measure http >/dev/null # warm-up: caches, the first state files
measure_layer >/dev/null
for mode in http direct; do
  : >"$work/$mode.txt"
  for _ in $(seq "$reps"); do measure "$mode" >>"$work/$mode.txt"; done
done
: >"$work/layer.txt"
for _ in $(seq "$reps"); do measure_layer >>"$work/layer.txt"; done
# Calibration: what starting one bash costs on this machine right now (the floor of every row above).
: >"$work/bash.txt"
for _ in $(seq "$reps"); do
  t0=$EPOCHREALTIME
  bash -c true
  awk -v t0="$t0" -v t1="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", (t1 - t0) * 1000 }' >>"$work/bash.txt"
done

echo "Machine: $(nproc) cores, $(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "webhook $(webhook -version | awk '{ print $3 }'), bash ${BASH_VERSION%%(*}, $reps runs per row, times in ms"
echo
echo "| measure | runs | min | median | mean | p90 | max |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
summary "HTTP: POST → answer with run id" 1 "$work/http.txt"
summary "HTTP: POST → first step starts" 2 "$work/http.txt"
summary "HTTP: POST → 10th step starts" 3 "$work/http.txt"
summary "run --detach → its answer" 1 "$work/direct.txt"
summary "run --detach → first step starts" 2 "$work/direct.txt"
summary "run --detach → 10th step starts" 3 "$work/direct.txt"
summary "service layer: POST → \`run\` starts" 2 "$work/layer.txt"
summary "service layer: POST → answer" 1 "$work/layer.txt"
summary "calibration: \`bash -c true\`" 1 "$work/bash.txt"
