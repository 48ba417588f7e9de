#!/usr/bin/env bash
# deploy: a failed build rolls back by itself; a failing rollback says so; manual rollback and removal.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deploy_lib.sh"
start_standin
make_skill hello
d() { deploy --poll-interval 200ms "$@"; }

step "a good first deploy"
expect_exit 0 d "$WORK/skills/hello"
good=$(reg '.skills.hello.commit')

step "a broken change (no Dockerfile) fails, and auto-rollback redeploys the good commit: exit 1"
rm "$WORK/skills/hello/Dockerfile"
expect_exit 1 d --auto-rollback --json "$WORK/skills/hello"
assert_eq rolled_back "$(jq -r '.results[0].status' <<<"$OUT")"
assert_eq "$good" "$(jq -r '.results[0].rolled_back_to' <<<"$OUT")"
assert_contains "$ERR" "Dockerfile not found" "build log tail"
assert_eq "$good" "$(reg '.skills.hello.commit')" "registry commit after the rollback"
assert_eq rolled_back "$(reg '.skills.hello.history[-2].status')"
assert_eq rollback "$(reg '.skills.hello.history[-1].kind')"
assert_eq finished "$(reg '.skills.hello.history[-1].status')"
assert_eq 1 "$(control state | jq '[.deployments[] | select(.rollback)] | length')" "rollback deployments"
assert_eq "$good" "$(control state | jq -r '.apps[0].running_commit')" "commit the app runs"

step "without auto-rollback a failure is just a failure: exit 1"
expect_exit 1 d --json "$WORK/skills/hello"
assert_eq failed "$(jq -r '.results[0].status' <<<"$OUT")"

step "when the rollback fails too: exit 2"
printf 'FROM debian:12-slim\n' >"$WORK/skills/hello/Dockerfile"
control apps/df-hello '{"fail_builds":true}' >/dev/null
expect_exit 2 d --auto-rollback --json "$WORK/skills/hello"
assert_eq rollback_failed "$(jq -r '.results[0].status' <<<"$OUT")"
assert_contains "$(jq -r '.results[0].message' <<<"$OUT")" "rollback"
assert_eq rollback_failed "$(reg '.skills.hello.status')"
control apps/df-hello '{"fail_builds":false}' >/dev/null

echo ok
