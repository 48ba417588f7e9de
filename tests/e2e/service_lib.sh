# shellcheck shell=bash
# Helpers for the service tests: a compiled skill served by its own entrypoint (the real webhook) on
# 127.0.0.1, and requests to it. Sourced after lib.sh.

# compile_service_skill: compiles tests/data/service-workflow.md into $WORK/out; sets $SKILL.
compile_service_skill() {
  SKILL=$(compile -q --out "$WORK/out" "$DF_SRC/tests/data/service-workflow.md") || fail "compile failed"
}

# setup_service_test: the skill, the secrets the tests use ($token, $hmac, $approver), the run id pattern,
# and no run left waiting for an approval at the end.
setup_service_test() {
  compile_service_skill
  on_exit deny_waiting_runs
  # shellcheck disable=SC2034 # used by the tests that call this
  token=trigger-token-0123456789 hmac=hmac-secret-0123456789 approver=approve-token-0123456789
  run_id_pattern
  # shellcheck disable=SC2034
  run_id_re=$RUN_ID_RE
}

# start_service [VAR=VALUE...]: runs $SKILL/entrypoint with only these secrets, on a free port, in its own
# session that the test kills at exit (and that stops by itself after 120 s). Sets $PORT, $URL,
# $SERVICE_PID; the service's stdout and stderr go to $WORK/service.log.
# The entrypoint takes a port number, not a listening socket, so a port the kernel just called free can be
# taken by a parallel test before webhook binds it: then webhook exits and the service starts again on
# another port; and the service counts as up only once one of its own processes listens on $PORT (another
# test's server there must not pass for ours).
start_service() {
  local attempt
  for attempt in 1 2 3 4 5; do
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    URL=http://127.0.0.1:$PORT/hooks
    env -u DF_TRIGGER_TOKEN -u DF_TRIGGER_HMAC_SECRET -u DF_APPROVE_TOKEN "$@" \
      DF_BIND=127.0.0.1 DF_PORT="$PORT" DF_STATE_DIR="$WORK/state" \
      setsid timeout 120 "$SKILL/entrypoint" >>"$WORK/service.log" 2>&1 &
    SERVICE_PID=$!
    on_exit "kill -TERM -- -$SERVICE_PID 2>/dev/null"
    wait_for service_listens_or_ended
    if service_listens; then
      wait_for curl -fsS "$URL/health"
      return 0
    fi
    echo "service: port $PORT was taken (attempt $attempt); starting again on another" >&2
    wait "$SERVICE_PID" 2>/dev/null || true
  done
  fail "the service did not start; log: $(cat "$WORK/service.log")"
}
# Whether a process of the service's session listens on $PORT.
service_listens() {
  local pids
  pids=$(pgrep -s "$SERVICE_PID" | paste -sd'|') && [[ -n $pids ]] || return 1
  ss -Hltnp "sport = :$PORT" | grep -Eq "pid=($pids),"
}
service_listens_or_ended() { service_listens || ! kill -0 "$SERVICE_PID" 2>/dev/null; }

stop_service() {
  kill -TERM -- "-$SERVICE_PID" 2>/dev/null || true
  wait "$SERVICE_PID" 2>/dev/null || true
}

# http METHOD PATH [curl args...]: sets $CODE and $BODY.
http() {
  local method=$1 path=$2
  shift 2
  CODE=$(curl -sS -o "$WORK/.body" -w '%{http_code}' -X "$method" "$@" "$URL/$path") || fail "curl $method $path failed"
  BODY=$(cat "$WORK/.body")
}

# expect_http CODE METHOD PATH [curl args...]
expect_http() {
  local want=$1
  shift
  http "$@"
  [[ $CODE == "$want" ]] || fail "$1 $2 answered $CODE, expected $want; body: $BODY"
}

# hmac_sha256 SECRET FILE: the hex HMAC-SHA256 of FILE's bytes.
hmac_sha256() {
  openssl dgst -sha256 -hmac "$1" -r "$2" | cut -d' ' -f1
}

# http_run_count: how many run records the HTTP hooks started. Not every record: the service's own scheduler
# starts runs too (the test workflow has a `*/5 * * * *` cron trigger) whenever the clock crosses such a
# minute, which a test cannot time.
http_run_count() {
  find "$WORK/state/runs" -name '*.json' -exec cat {} + 2>/dev/null | jq -s '[.[] | select(.trigger == "http")] | length'
}
# record_is FILE STATUS: whether the run record FILE exists and has STATUS.
record_is() { [[ -f $1 && $(jq -r .status "$1" 2>/dev/null) == "$2" ]]; }
# wait_for_record RUN_ID STATUS: waits until the run's record (on disk) has STATUS.
wait_for_record() { wait_for record_is "$WORK/state/runs/$1.json" "$2"; }

# deny_waiting_runs: no run of a test outlives it waiting for an approval.
deny_waiting_runs() {
  local f
  for f in "$WORK"/state/runs/*.json; do
    [[ -f $f && $(jq -r .status "$f" 2>/dev/null) == awaiting_approval ]] || continue
    DF_STATE_DIR=$WORK/state "$SKILL/run" --deny "$(jq -r .run_id "$f")" --by cleanup >/dev/null 2>&1 || true
  done
}
