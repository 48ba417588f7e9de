#!/usr/bin/env bash
# deploy: SIGINT during a slow build ends the deploy with 130 and a registry entry that says "interrupted".
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deploy_lib.sh"
start_standin --build-seconds 20
make_skill hello

step "interrupt while the deployment builds"
"$DF_BIN/df-deploy" --poll-interval 200ms "$WORK/skills/hello" >"$WORK/out" 2>"$WORK/err" &
pid=$!
on_exit "kill $pid 2>/dev/null"
wait_for grep -q in_progress "$WORK/err"
kill -INT "$pid"
set +e
wait "$pid"
code=$?
set -e
assert_eq 130 "$code" "exit code after SIGINT"
assert_eq interrupted "$(reg '.skills.hello.status')"
assert_eq interrupted "$(reg '.skills.hello.history[-1].status')"
assert_contains "$(reg '.skills.hello.history[-1].message')" "may still be running"
[[ -n "$(reg '.skills.hello.history[-1].deployment_uuid')" ]] || fail "no deployment uuid recorded"
[[ -n "$(reg '.skills.hello.history[-1].finished_at')" ]] || fail "no end time recorded"
echo ok
