#!/usr/bin/env bash
# deploy refuses before any remote change: missing config, corrupt registry, read-only registry directory,
# stale skill; and the dedupe trap.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deploy_lib.sh"
start_standin
make_skill hello
d() { deploy --poll-interval 200ms "$@"; }

step "missing config: exit 78 before any request"
(unset DF_SERVER_UUID; expect_exit 78 d "$WORK/skills/hello"; assert_contains "$ERR" "DF_SERVER_UUID")
(export DF_GIT_URL="$REMOTE"; expect_exit 78 d "$WORK/skills/hello"; assert_contains "$ERR" "DF_GIT_URL")
assert_eq 0 "$(requests)"

step "a first deploy"
expect_exit 0 d "$WORK/skills/hello"

echo "# v2" >>"$WORK/skills/hello/README.md"
step "the dedupe trap: a deploy while one is queued follows the real deployment"
control config '{"queue_delay_seconds":4}' >/dev/null
expect_exit 0 d --no-wait "$WORK/skills/hello"
expect_exit 0 d --force --json "$WORK/skills/hello"
assert_contains "$ERR" "already queued"
first=$(control state | jq -r '.deployments[-1].deployment_uuid')
assert_eq "$first" "$(jq -r '.results[0].deployment_uuid' <<<"$OUT")" "followed deployment"
control config '{"queue_delay_seconds":0}' >/dev/null

step "corrupt registry: exit 65, reported, left untouched, nothing sent"
cp "$REGISTRY" "$WORK/good-registry.json"
printf '{"schema_version":1,"skills":{' >"$REGISTRY"
before=$(requests)
expect_exit 65 d "$WORK/skills/hello"
assert_contains "$ERR" "corrupt"
assert_eq '{"schema_version":1,"skills":{' "$(cat "$REGISTRY")" "registry content"
assert_eq "$before" "$(requests)" "requests"
cp "$WORK/good-registry.json" "$REGISTRY"

step "read-only registry directory: exit 73, nothing sent"
if [[ $(id -u) != 0 ]]; then
  ro="$WORK/ro"
  mkdir -p "$ro" && chmod 500 "$ro"
  expect_exit 73 d --registry "$ro/registry.json" "$WORK/skills/hello"
  assert_eq "$before" "$(requests)" "requests"
  chmod 700 "$ro"
fi

step "a stale skill is refused unless forced"
echo "more" >>"$WORK/src/hello.md"
expect_exit 65 d "$WORK/skills/hello"
assert_contains "$ERR" "stale"
assert_eq "$before" "$(requests)" "requests"
expect_exit 0 d --force "$WORK/skills/hello"
echo ok
