#!/usr/bin/env bash
# deploy under remote faults: auth refused, server down, 429 storm, 5xx and dropped connections, a lost POST
# answer, a slow build past the timeout.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deploy_lib.sh"
start_standin
make_skill hello
d() { deploy --poll-interval 200ms "$@"; }

step "auth refused: exit 77, one request, never retried, token not shown"
(export COOLIFY_TOKEN=wrong-token-1234; expect_exit 77 d "$WORK/skills/hello"; assert_contains "$ERR" "401"
 assert_not_contains "$ERR$OUT" wrong-token-1234)
assert_eq 1 "$(jq -s 'map(select(.authorised == false)) | length' "$STANDIN_LOG")" "unauthorised requests"
assert_eq failed "$(reg '.skills.hello.status')"

step "server down: exit 69"
closed_port
(export COOLIFY_URL="http://127.0.0.1:$CLOSED_PORT"; expect_exit 69 d "$WORK/skills/hello"; assert_contains "$ERR" "reachable")

step "a 429 storm with Retry-After, 5xx and a dropped connection on reads: the deploy still lands"
control faults '{"path_prefix":"/api/v1/applications","method":"GET","count":3,"status":429,"retry_after":1}' >/dev/null
control faults '{"path_prefix":"/api/v1/deployments/","count":2,"status":503}' >/dev/null
control faults '{"path_prefix":"/api/v1/version","count":1,"drop":true}' >/dev/null
expect_exit 0 d "$WORK/skills/hello"
assert_eq 3 "$(jq -s 'map(select(.status == 429)) | length' "$STANDIN_LOG")" "429 answers"
assert_eq 1 "$(control state | jq '.apps | length')" "apps (no duplicate create)"

step "a POST whose answer is lost is not re-sent"
echo "# v2" >>"$WORK/skills/hello/README.md"
control faults '{"path_prefix":"/api/v1/deploy","method":"POST","count":1,"drop":true}' >/dev/null
expect_exit 69 d "$WORK/skills/hello"
assert_eq 1 "$(jq -s 'map(select(.path == "/api/v1/deploy")) | length' <(tail -n 4 "$STANDIN_LOG"))" "deploy POSTs"
assert_contains "$ERR" "none started"
# Nothing changed in Coolify: the history has the failure, the status still says what runs.
assert_eq finished "$(reg '.skills.hello.status')"
assert_eq failed "$(reg '.skills.hello.history[-1].status')"

step "a 429 storm longer than the retry budget: exit 69"
control faults '{"path_prefix":"/api/v1/","count":-1,"status":429,"retry_after":600}' >/dev/null
expect_exit 69 d "$WORK/skills/hello"
assert_contains "$ERR" "rate limited"
curl -sf -X DELETE "$URL/_standin/faults" >/dev/null

step "a slow build past the timeout: exit 5, the deployment is cancelled"
control config '{"build_seconds":8}' >/dev/null
echo "# v3" >>"$WORK/skills/hello/README.md"
expect_exit 5 d --timeout 2s "$WORK/skills/hello"
assert_eq timed_out "$(reg '.skills.hello.status')"
assert_eq cancelled-by-user "$(control state | jq -r '.deployments[-1].status')"

step "the same when the cancel fails: exit 5, and the message says the deployment may still finish"
echo "# v4" >>"$WORK/skills/hello/README.md"
control faults '{"path_prefix":"/api/v1/deployments/","method":"POST","count":1,"status":500}' >/dev/null
expect_exit 5 d --timeout 2s "$WORK/skills/hello"
assert_contains "$ERR" "could not be cancelled"
assert_contains "$ERR" "it may still finish"
assert_eq timed_out "$(reg '.skills.hello.status')"
assert_eq 1 "$(jq -s 'map(select(.path | endswith("/cancel"))) | length' <(tail -n 3 "$STANDIN_LOG"))" \
  "cancel requests (a POST is not re-sent)"
control config '{"build_seconds":0.2}' >/dev/null

echo ok
