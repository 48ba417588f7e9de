#!/usr/bin/env bash
# Benchmark (not part of ctest): monitor over 500 df-* apps with 50 ms of simulated latency per request.
#   listing and --check: one request each, timed with hyperfine;
#   --deployments: one request per app, paced — the request rate is measured from the stand-in's log.
# Usage: tests/bench/monitor_500.sh [build/bin]   (results go into docs/performance.md by hand)
set -euo pipefail
DF_BIN=${1:-$(dirname "$0")/../../build/bin}
WORK=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$WORK"' EXIT
"$DF_BIN/coolify-standin" --port-file "$WORK/port" --ttl 900 --preload 500 --log "$WORK/requests.log" >/dev/null &
pid=$!
for _ in $(seq 50); do [[ -s "$WORK/port" ]] && break; sleep 0.1; done
API="http://127.0.0.1:$(cat "$WORK/port")"
curl -sf -X POST "$API/_standin/faults" --data '{"path_prefix":"/api/","count":-1,"latency_ms":50}' >/dev/null
export COOLIFY_URL=$API COOLIFY_TOKEN=standin-token DF_REGISTRY=$WORK/registry.json NO_COLOR=1

: >"$WORK/requests.log"
"$DF_BIN/df-monitor" >/dev/null
echo "listing: $(wc -l <"$WORK/requests.log") request(s) for $(($("$DF_BIN/df-monitor" --json | jq '.apps | length'))) apps"
hyperfine --warmup 1 --runs 10 -N "$DF_BIN/df-monitor" "$DF_BIN/df-monitor --check" "$DF_BIN/df-monitor --json"

: >"$WORK/requests.log"
start=$(date +%s.%N)
"$DF_BIN/df-monitor" --deployments --json | jq -e '.apps | length == 500' >/dev/null
end=$(date +%s.%N)
n=$(wc -l <"$WORK/requests.log")
awk -v n="$n" -v s="$start" -v e="$end" 'BEGIN { t = e - s; printf "--deployments: %d requests in %.1f s = %.0f requests/minute\n", n, t, n * 60 / t }'
