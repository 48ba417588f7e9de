#!/usr/bin/env bash
# deploy when Coolify acts on a write but its answer is lost (the connection dies before any answer byte, or
# a gateway answers 504):
# nothing is sent twice (neither by deploy nor by libcurl on a reused connection), and deploy adopts what
# the lost request made: one app, one deployment, and the registry points to them.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deploy_lib.sh"
start_standin
make_skill hello
d() { deploy --poll-interval 200ms "$@"; }
posts_to() { jq -s --arg p "$1" 'map(select(.method == "POST" and .path == $p)) | length' "$STANDIN_LOG"; }

step "the create is done, its answer lost: exactly one app, adopted"
control faults '{"path_prefix":"/api/v1/applications/public","method":"POST","count":1,"drop_after":true}' >/dev/null
expect_exit 0 d --json "$WORK/skills/hello"
assert_eq 1 "$(posts_to /api/v1/applications/public)" "create requests"
assert_eq 1 "$(control state | jq '[.apps[] | select(.name == "df-hello")] | length')" "df-hello apps"
app=$(control state | jq -r '.apps[] | select(.name == "df-hello") | .uuid')
assert_eq "$app" "$(reg '.skills.hello.app_uuid')" "registry app"
assert_eq "$app" "$(jq -r '.results[0].app_uuid' <<<"$OUT")" "reported app"
assert_eq finished "$(reg '.skills.hello.status')"
assert_contains "$ERR" "adopting df-hello"

step "a rerun keeps the same app"
echo "# v2" >>"$WORK/skills/hello/README.md"
expect_exit 0 d "$WORK/skills/hello"
assert_eq "$app" "$(reg '.skills.hello.app_uuid')" "registry app after a rerun"
assert_eq 1 "$(control state | jq '.apps | length')" "apps"

step "the deploy is started, its answer lost: the deployment is followed, not re-sent, not reported failed"
echo "# v3" >>"$WORK/skills/hello/README.md"
before=$(posts_to /api/v1/deploy)
control faults '{"path_prefix":"/api/v1/deploy","method":"POST","count":1,"drop_after":true}' >/dev/null
expect_exit 0 d --json "$WORK/skills/hello"
assert_eq $((before + 1)) "$(posts_to /api/v1/deploy)" "deploy requests"
started=$(control state | jq -r '.deployments[-1].deployment_uuid')
assert_eq "$started" "$(reg '.skills.hello.history[-1].deployment_uuid')" "recorded deployment"
assert_eq "$started" "$(jq -r '.results[0].deployment_uuid' <<<"$OUT")" "reported deployment"
assert_eq finished "$(reg '.skills.hello.history[-1].status')"
assert_eq "$(reg '.skills.hello.history[-1].commit')" "$(reg '.skills.hello.commit')" "running commit"
step "the deploy is started, then a gateway answers 504: the deployment is followed, not reported failed"
echo "# v4" >>"$WORK/skills/hello/README.md"
before=$(posts_to /api/v1/deploy)
control faults '{"path_prefix":"/api/v1/deploy","method":"POST","count":1,"after":true,"status":504}' >/dev/null
expect_exit 0 d "$WORK/skills/hello"
assert_eq $((before + 1)) "$(posts_to /api/v1/deploy)" "deploy requests"
assert_eq "$(control state | jq -r '.deployments[-1].deployment_uuid')" \
  "$(reg '.skills.hello.history[-1].deployment_uuid')" "recorded deployment"
assert_eq finished "$(reg '.skills.hello.status')"
echo ok
