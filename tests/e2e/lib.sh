# shellcheck shell=bash
# Shared helpers for the end-to-end tests. Each test is a bash script run by ctest with:
#   DF_BIN   folder holding df-compile, df-deploy, df-monitor and the test stand-ins
#   DF_SRC   the source tree (workflow-templates/, examples/, tests/data/)
# A test prints what it checks, exits 0 on success and non-zero (with the reason) on failure; 77 = skipped.
set -euo pipefail

: "${DF_BIN:?DF_BIN must name the bin folder of the build}"
: "${DF_SRC:?DF_SRC must name the source tree}"
export NO_COLOR=1 LC_ALL=C.UTF-8

# Through the bin/ wrappers, as a user of the source tree runs them: the programs then name themselves
# compile, deploy and monitor in their messages (installed, they say df-compile, ...; tests/e2e/install.sh).
export DF_BUILD_DIR=${DF_BIN%/bin}
compile() { "$DF_SRC/bin/compile" "$@"; }
deploy() { "$DF_SRC/bin/deploy" "$@"; }
monitor() { "$DF_SRC/bin/monitor" "$@"; }

# A scratch folder for this test, removed when it ends (kept with DF_KEEP=1 for debugging).
WORK=$(mktemp -d "${TMPDIR:-/tmp}/df-e2e.XXXXXX")
cleanup_hooks=()
on_exit() { cleanup_hooks+=("$1"); }
_run_cleanup_hooks() {
  local h
  for h in "${cleanup_hooks[@]:+${cleanup_hooks[@]}}"; do eval "$h" || true; done
}
_cleanup() {
  _run_cleanup_hooks
  if [[ "${DF_KEEP:-}" != 1 ]]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi
}
trap '_cleanup; _checks_summary' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
skip() {
  echo "SKIP: $*" >&2
  exit 77
}
step() { echo "--- $*"; }

# check NAME CMD...: one named check, as git's test_expect_success. It runs CMD (a function, usually) in a
# subshell under `set -e`, prints "ok N - NAME" or "not ok N - NAME" and goes on with the next check; the
# test fails at its end when any check failed. What CMD registers with on_exit is cleaned up when the
# check ends (its own files, processes), and variables it sets stay inside it: checks do not leak into
# each other, so set up what several checks share before them. End a test of checks with checks_done.
_checks_run=0
_checks_failed=()
check() {
  local name=$1 rc
  shift
  _checks_run=$((_checks_run + 1))
  set +e
  (
    set -e
    cleanup_hooks=()
    trap _run_cleanup_hooks EXIT
    "$@"
  )
  rc=$?
  set -e
  if ((rc == 0)); then
    echo "ok $_checks_run - $name"
  else
    echo "not ok $_checks_run - $name"
    _checks_failed+=("$name")
  fi
}
# checks_done: the last line of a test made of checks: "PASS", or the failed checks and exit 1.
checks_done() {
  ((${#_checks_failed[@]} == 0)) || exit 1
  echo "PASS ($_checks_run checks)"
}
_checks_summary() {
  local rc=$? name
  ((${#_checks_failed[@]} > 0)) || return "$rc"
  echo "FAIL: ${#_checks_failed[@]} of $_checks_run checks failed:" >&2
  for name in "${_checks_failed[@]}"; do echo "  $name" >&2; done
  exit 1
}

assert_eq() { # expected actual [what]
  [[ "$1" == "$2" ]] || fail "${3:-value}: expected [$1], got [$2]"
}
assert_contains() { # haystack needle [what]
  [[ "$1" == *"$2"* ]] || fail "${3:-output} does not contain [$2]; it is: $1"
}
assert_not_contains() {
  [[ "$1" != *"$2"* ]] || fail "${3:-output} contains [$2]; it is: $1"
}
# expect_exit CODE command...: runs the command, captures stdout/stderr into $OUT/$ERR, checks the code.
expect_exit() {
  local want=$1
  shift
  set +e
  "$@" >"$WORK/.out" 2>"$WORK/.err"
  local got=$?
  set -e
  OUT=$(cat "$WORK/.out")
  ERR=$(cat "$WORK/.err")
  [[ "$got" == "$want" ]] || fail "$* exited $got, expected $want; stderr: $ERR; stdout: $OUT"
}
# closed_port: sets CLOSED_PORT to a TCP port on 127.0.0.1 that nothing listens on, for "unreachable"
# checks: the kernel picks it and a process keeps it bound (not listening) until the test ends, so nothing
# else can take it meanwhile.
closed_port() {
  rm -f "$WORK/.closed_port"
  python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0))
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1])); __import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(3600)' "$WORK/.closed_port" &
  on_exit "kill $! 2>/dev/null"
  wait_for test -s "$WORK/.closed_port"
  # shellcheck disable=SC2034 # read by the tests that source this file
  CLOSED_PORT=$(<"$WORK/.closed_port")
}

# serve_folder DIR: serves DIR over HTTP on 127.0.0.1 until the test ends; sets SERVED_PORT, which the
# kernel picked while the server bound it (no window for another test to take it).
serve_folder() {
  rm -f "$WORK/.serve_port"
  python3 -c 'import functools, http.server, os, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
open(sys.argv[2] + ".tmp", "w").write(str(server.server_address[1])); os.rename(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()' "$1" "$WORK/.serve_port" >/dev/null 2>&1 &
  on_exit "kill $! 2>/dev/null"
  wait_for test -s "$WORK/.serve_port"
  # shellcheck disable=SC2034 # read by the tests that source this file
  SERVED_PORT=$(<"$WORK/.serve_port")
}

# wait_for CMD...: the one way tests wait. Retries CMD (output discarded) until it succeeds; fails the test
# when it has not by the deadline. Tests wait on conditions, never for a time: the deadline only bounds a
# hang, so it is generous (DF_WAIT_SECONDS, default 60 s) for machines loaded with parallel tests.
# Between tries it pauses 20 ms with the read builtin on a pipe nobody writes to: no process per try.
_wait_tick=''
wait_for() {
  if [[ -z $_wait_tick ]]; then
    [[ -p $WORK/.tick ]] || mkfifo "$WORK/.tick"
    exec {_wait_tick}<>"$WORK/.tick"
  fi
  local now=${EPOCHREALTIME/./} deadline
  deadline=$((now + ${DF_WAIT_SECONDS:-60} * 1000000))
  until "$@" >/dev/null 2>&1; do
    ((${EPOCHREALTIME/./} < deadline)) ||
      fail "timed out after ${DF_WAIT_SECONDS:-60} s waiting for: $*; its last answer: $("$@" 2>&1)"
    read -r -t 0.02 -u "$_wait_tick" _ || true
  done
}

# --- Stand-ins: one contract for each -------------------------------------------------------------------
# start_coolify [ARGS...] and start_gateway [ARGS...] start the Coolify or OpenClaw Gateway stand-in with
# ARGS on 127.0.0.1, on a port the kernel picks (no window for another test to take it). Each stops by
# itself after a time to live, even when the test is killed, and is killed when the test ends. They set
#   COOLIFY_STANDIN_URL COOLIFY_STANDIN_PID COOLIFY_STANDIN_LOG (every request, one a line)
#   GW_URL GW_PID GW_LOG GW_TOKEN (GW_TOKEN: kept when set, else a new one)
# and leave what the programs under test read (COOLIFY_URL, ...) to the caller.
_start_standin() { # PROGRAM PORT-FILE ARGS...: runs it until it has bound its port; prints its pid
  local program=$1 port_file=$2
  shift 2
  rm -f "$port_file"
  "$DF_BIN/$program" --port-file "$port_file" "$@" >/dev/null 2>>"$WORK/standins.err" &
  local pid=$!
  on_exit "kill $pid 2>/dev/null"
  wait_for test -s "$port_file"
  _STANDIN_PID=$pid
}
start_coolify() {
  COOLIFY_STANDIN_LOG=$WORK/coolify.log
  : >"$COOLIFY_STANDIN_LOG"
  _start_standin coolify-standin "$WORK/.coolify.port" --ttl 90 --log "$COOLIFY_STANDIN_LOG" "$@"
  # shellcheck disable=SC2034 # read by the tests that source this file
  COOLIFY_STANDIN_PID=$_STANDIN_PID
  # shellcheck disable=SC2034
  COOLIFY_STANDIN_URL=http://127.0.0.1:$(<"$WORK/.coolify.port")
}
start_gateway() {
  GW_LOG=$WORK/gateway.log GW_TOKEN=${GW_TOKEN:-standin-token-$RANDOM}
  _start_standin gateway-standin "$WORK/.gateway.port" --lifetime 300 --token "$GW_TOKEN" --log "$GW_LOG" "$@"
  # shellcheck disable=SC2034 # read by the tests that source this file
  GW_PID=$_STANDIN_PID GW_URL=http://127.0.0.1:$(<"$WORK/.gateway.port")
}

# One source for each format the tests check, read by name from where it is defined:
# run_id_pattern sets RUN_ID_RE from the executor that makes run ids (lib/runtime.sh, _DF_RUN_ID_RE);
# runtime_files prints the executor's files, one a line, from compiler/CMakeLists.txt (DF_RUNTIME).
run_id_pattern() {
  RUN_ID_RE=$(sed -n "s/^readonly _DF_RUN_ID_RE='\(.*\)'\$/\1/p" "$DF_SRC/compiler/runtime/lib/runtime.sh")
  [[ -n $RUN_ID_RE ]] || fail "compiler/runtime/lib/runtime.sh defines no _DF_RUN_ID_RE"
}
runtime_files() {
  local list
  # set(DF_RUNTIME a b\n    c d): the names between "set(DF_RUNTIME" and the first ")", over any lines.
  list=$(awk '/^set\(DF_RUNTIME / { on = 1; sub(/^set\(DF_RUNTIME /, "") }
    on { if (sub(/\).*$/, "")) on = 0; print }' "$DF_SRC/compiler/CMakeLists.txt")
  [[ -n $list ]] || fail "compiler/CMakeLists.txt sets no DF_RUNTIME"
  tr -s ' \n' '\n\n' <<<"$list" | sed '/^$/d'
}

# sha256 of every file under a folder, one line each, for before/after comparisons.
tree_hash() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum); }
# data_file SRC DEST: copies a test workflow; SRC ending in .esc is ASCII with \xNN escapes (bytes a text
# file cannot show: invalid UTF-8, NUL, control characters, CRLF) and is written as those bytes.
data_file() {
  if [[ "$1" == *.esc ]]; then
    python3 -c 'import sys; sys.stdout.buffer.write(open(sys.argv[1]).read().encode().decode("unicode_escape").encode("latin-1"))' \
      "$1" >"$2"
  else
    cp "$1" "$2"
  fi
}
