#!/usr/bin/env bash
# Benchmark (not part of ctest): `monitor --check` over 100 deployed skills, each with a service on
# loopback. The Coolify stand-in holds 100 running df-bench-* apps; the registry's 100 skills point at
# SERVICES real services (the compiled tests/data/monitor-nightly.md behind its own webhook, 30 run records
# each), so every runs request is answered by a real runs hook. First, the requests are counted against a
# logging server (one path per skill) and --check is timed against it (monitor's own cost); then against
# the real services (their runs hooks' cost: a bash script per request, jq only for runs not yet in the
# runs index; the warm-up request builds it).
# Usage: tests/bench/monitor_check_100.sh [build/bin] [SERVICES]   (results go into docs/performance.md by hand)
set -euo pipefail
DF_BIN=$(realpath "${1:-$(dirname "$0")/../../build/bin}")
SERVICES=${2:-4}
SKILLS=100
SRC=$(realpath "$(dirname "$0")/../..")
WORK=$(mktemp -d)
pids=()
stop_all() {
  local p
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap stop_all EXIT
wait_file() { for _ in $(seq 100); do [[ -s $1 ]] && return 0; sleep 0.1; done; echo "no $1" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

"$DF_BIN/coolify-standin" --port-file "$WORK/port" --ttl 900 --preload $SKILLS --log "$WORK/coolify.log" >/dev/null &
pids+=($!)
wait_file "$WORK/port"
COOLIFY_URL="http://127.0.0.1:$(cat "$WORK/port")"
export COOLIFY_URL COOLIFY_TOKEN=standin-token DF_REGISTRY=$WORK/registry.json
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config XDG_STATE_HOME=$WORK/home/.state NO_COLOR=1
mkdir -p "$XDG_CONFIG_HOME/dark-factory/secrets"
token=bench-trigger-token-0123456789

skill=$("$DF_BIN/df-compile" -q --out "$WORK/out" "$SRC/tests/data/monitor-nightly.md")
urls=()
for s in $(seq 0 $((SERVICES - 1))); do
  port=$(free_port)
  mkdir -p "$WORK/state$s/runs"
  DF_STATE_DIR=$WORK/state$s "$skill/run" --json >"$WORK/first.json" || true
  id=$(jq -r .run_id "$WORK/first.json")
  for i in $(seq 10 39); do  # 30 finished records, as a service that has run for a while keeps
    jq --arg id "20261201T0000${i}Z-000000${i}" '.run_id = $id' "$WORK/state$s/runs/$id.json" \
      >"$WORK/state$s/runs/20261201T0000${i}Z-000000${i}.json"
  done
  rm -f "$WORK/state$s/runs/$id".*
  DF_TRIGGER_TOKEN=$token DF_BIND=127.0.0.1 DF_PORT=$port DF_STATE_DIR=$WORK/state$s \
    setsid timeout 900 "$skill/entrypoint" >"$WORK/service$s.log" 2>&1 &
  pids+=($!)
  urls+=("http://127.0.0.1:$port")
done
for u in "${urls[@]}"; do
  for _ in $(seq 100); do curl -fsS "$u/hooks/health" >/dev/null 2>&1 && break; sleep 0.1; done
done

# registry BASE_URL_FOR_SKILL: the 100 skills, deployed an hour ago with a nightly schedule.
registry() {
  local at
  at=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
  for i in $(seq 0 $((SKILLS - 1))); do
    printf 'DF_TRIGGER_TOKEN=%s\n' "$token" >"$XDG_CONFIG_HOME/dark-factory/secrets/bench-$i.env"
    jq -nc --arg n "bench-$i" --arg url "$("$1" "$i")" --arg at "$at" '{($n): {app_uuid:"", app_name:("df-" + $n),
      fqdn:$url, branch:("df/" + $n), commit:"0123456789abcdef0123456789abcdef01234567", status:"finished",
      updated_at:$at, history:[{id:"d1", kind:"deploy", commit:"0123456789abcdef0123456789abcdef01234567",
      status:"finished", started_at:$at, finished_at:$at, schedules:["0 3 * * *"], run_timeout_seconds:600}]}}'
  done | jq -s '{schema_version:1, skills:add}' >"$DF_REGISTRY"
}

# Requests per skill, against a server that logs each request's path.
python3 -c 'import http.server, json, os, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        open(sys.argv[2], "a").write(self.path + "\n")
        body = json.dumps({"runs": [], "next_before": None}).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(server.server_address[1])); os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()' "$WORK/counter.port" "$WORK/counter.log" &
pids+=($!)
wait_file "$WORK/counter.port"
counter_url() { echo "http://127.0.0.1:$(cat "$WORK/counter.port")/s$1"; }
registry counter_url
: >"$WORK/coolify.log"
"$DF_BIN/df-monitor" --check >/dev/null
echo "--check: $(wc -l <"$WORK/coolify.log") Coolify request(s); $(wc -l <"$WORK/counter.log") service requests for $SKILLS skills; most for one skill: $(cut -d/ -f2 "$WORK/counter.log" | sort | uniq -c | sort -rn | head -1 | awk '{print $1}')"

# monitor's own cost: the same 100 skills answered at once by the logging server.
hyperfine --warmup 1 --runs 10 -N "$DF_BIN/df-monitor --check" "$DF_BIN/df-monitor --check --offline"

service_url() { echo "${urls[$(($1 % SERVICES))]}"; }
registry service_url
"$DF_BIN/df-monitor" --check
hyperfine --warmup 1 --runs 10 -N "$DF_BIN/df-monitor --check" "$DF_BIN/df-monitor --check --offline"
