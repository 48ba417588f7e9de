#!/usr/bin/env bash
# A run stopped by SIGTERM records `interrupted` and kills its step's process group; a run killed with
# SIGKILL leaves a record that `run --status` reports as interrupted (its process is gone).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
cd "$WORK"
MARK=dfmark$$z$RANDOM
on_exit "pkill -KILL -f $MARK"

skill sig <<'MD'
# Workflow: Long Job

## Inputs
- `marker` (required): tags the processes

## Steps
### 1. Quick
```sh
echo "quick=yes" >> "$DF_OUTPUT"
```

### 2. Work
```sh
(exec -a "$marker-child" sleep 1000) &
touch "$DF_WORKDIR/started"
wait
```
MD

# start_run N: starts a run in the background with a state folder of its own and waits for its step; sets
# PID and ID. Its own state folder: its record is the only one there (run ids sort by second only, so two
# runs of one second cannot be told apart by name).
start_run() {
  export DF_STATE_DIR=$WORK/state-$1
  "$SKILL/run" --marker "$MARK" >"$WORK/out" 2>"$WORK/err" &
  PID=$!
  wait_for pgrep -f "$MARK-child"
  wait_for compgen -G "$DF_STATE_DIR/runs/*.json"
  local records=("$DF_STATE_DIR"/runs/*.json)
  assert_eq 1 "${#records[@]}" "records of run $1"
  ID=$(basename "${records[0]}" .json)
  wait_status "$ID" running
  # The record follows the run: the quick step is done, the long one shows as running.
  wait_for jq -e '.steps[0].status == "succeeded" and .outputs.quick == "yes" and .steps[1].status == "running"' \
    "$(record "$ID")"
}

no_process_left() { ! pgrep -f "$1" >/dev/null; }

step "SIGTERM: exit 143, record interrupted, no process of the step left"
start_run 1
kill -TERM "$PID"
set +e
wait "$PID"
code=$?
set -e
assert_eq 143 "$code" "exit status"
assert_eq interrupted "$(field "$ID" .status)" status
assert_eq "interrupted by SIGTERM" "$(field "$ID" .error)" error
assert_eq "succeeded interrupted" "$(field "$ID" '"\(.steps[0].status) \(.steps[1].status)"')" "step statuses"
# run has killed the step's process group; the kernel may not have finished them off yet.
wait_for no_process_left "$MARK"

step "SIGKILL: the run's watcher stops the step and records interrupted"
start_run 2
kill -KILL "$PID"
wait "$PID" || true
wait_for no_process_left "$MARK"
wait_status "$ID" interrupted
assert_contains "$(field "$ID" .error)" "is gone: it was killed"
assert_eq "$ID interrupted" "$(jq -r '.entry | "\(.run_id) \(.status)"' "$DF_STATE_DIR/evidence/ledger.jsonl" | tail -n 1)" \
  "the run's evidence is sealed by the watcher"

step "SIGKILL of the run and its watcher: the record still says running, and --status reports it interrupted"
# watcher_of PID: the run's watcher, its one child that is a fork of it (the step is a bash of its own).
watcher_of() {
  local c
  for c in $(pgrep -P "$1"); do
    [[ $(tr '\0' ' ' <"/proc/$c/cmdline") != "$(tr '\0' ' ' <"/proc/$1/cmdline")" ]] || echo "$c"
  done
}
start_run 3
WATCHER=$(watcher_of "$PID")
[[ $WATCHER =~ ^[0-9]+$ ]] || fail "no watcher found among the children of $PID: $(pgrep -a -P "$PID")"
kill -KILL "$WATCHER" "$PID"
wait "$PID" || true
assert_eq running "$(field "$ID" .status)" "record before --status"
expect_exit 0 "$SKILL/run" --status "$ID" --json
assert_eq interrupted "$(jq -r .status <<<"$OUT")" "--status"
assert_contains "$(jq -r .error <<<"$OUT")" "is gone: it was killed"
assert_eq interrupted "$(field "$ID" .status)" "the record is corrected"
expect_exit 0 "$SKILL/run" --status "$ID"
assert_contains "$OUT" "$ID  interrupted"
assert_eq "$ID interrupted" "$(jq -r '.entry | "\(.run_id) \(.status)"' "$DF_STATE_DIR/evidence/ledger.jsonl" | tail -n 1)" \
  "the run's evidence is sealed when --status finds it gone"
expect_exit 0 "$SKILL/run" --verify-ledger
unset DF_STATE_DIR
step "a detached run (a fork of run --detach): SIGTERM to the pid in its record stops it and its step"
# A marker of its own: the SIGKILLed run above leaves its step behind (until its own timeout).
MARK2=${MARK}detached
OUT=$("$SKILL/run" --detach --marker "$MARK2")
ID=$(jq -r .run_id <<<"$OUT")
wait_for pgrep -f "$MARK2-child"
wait_status "$ID" running
RUNNER=$(field "$ID" .pid)
[[ $RUNNER =~ ^[0-9]+$ ]] && kill -0 "$RUNNER" || fail "the record names no live runner: $RUNNER"
kill -TERM "$RUNNER"
wait_status "$ID" interrupted
assert_eq "interrupted by SIGTERM" "$(field "$ID" .error)" error
wait_for no_process_left "$MARK2"
assert_contains "$(cat "$SKILL/state/runs/$ID.log")" "$ID interrupted"

step "a detached run started from a terminal survives its hangup, even one that comes before its step has left it"
# script(1) gives run --detach a terminal, which hangs up on the process group of the background run and
# its step's starter when the shell script(1) started ends. Wrappers hold setsid and timeout (the programs
# that take a step off the terminal) until the terminal has hung up, and the shell ends only once a wrapper
# has started, so the hangup comes inside that window every time.
command -v script >/dev/null || skip "script(1) (bsdutils) is not installed"
mkdir -p "$WORK/hold"
for prog in setsid timeout; do
  { printf '#!/bin/bash\ntouch "$STARTED"\nfor _ in {1..600}; do [[ -e $HUNG_UP ]] && break; sleep 0.1; done\n'
    printf 'exec %q "$@"\n' "$(command -v "$prog")"; } >"$WORK/hold/$prog"
  chmod +x "$WORK/hold/$prog"
done
# hangup_run: starts a run of $SKILL from a terminal that hangs up once the step's starter has reached a
# wrapper; says when it has; prints the run id.
hangup_run() {
  export STARTED=$WORK/started-$RANDOM HUNG_UP=$WORK/hung-up-$RANDOM
  local out
  out=$(SHELL=/bin/bash PATH="$WORK/hold:$PATH" script -qec "$(printf '%q ' "$SKILL/run" --detach);
    for _ in {1..600}; do [[ -e \$STARTED ]] && break; sleep 0.1; done" /dev/null </dev/null)
  touch "$HUNG_UP"
  grep -o '"run_id":"[^"]*"' <<<"$out" | cut -d'"' -f4
}
for limit in '' '- Timeout: 5 minutes'; do
  skill "hup${limit:+-bounded}" <<MD
# Workflow: Hangup

## Steps
### 1. Report
$limit
\`\`\`sh
echo "ignored=\$(( 0x\$(awk '/^SigIgn:/ { print \$2 }' /proc/self/status) & 1 ))" >> "\$DF_OUTPUT"
\`\`\`
MD
  ID=$(hangup_run)
  [[ -n $ID ]] || fail "no run id from run --detach under script(1)"
  wait_status "$ID" succeeded
  assert_eq 0 "$(field "$ID" '.outputs.ignored')" "SIGHUP ignored in the step (${limit:-no timeout})"
done
echo PASS
