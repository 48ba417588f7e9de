#!/usr/bin/env bash
# deploy when Coolify acts on a write but its answer is lost (the connection dies before any answer byte, or
# a gateway answers 504):
# nothing is sent twice (neither by deploy nor by libcurl on a reused connection), and deploy adopts what
# the lost request made: one app, one deployment, and the registry points to them. A lost answer to an
# update (environment, settings) or a delete is read back before deploy decides.
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

step "the environment update is applied, its answer lost: read back, not re-sent, the deploy goes on"
echo "# v5" >>"$WORK/skills/hello/README.md"
patches_to() { jq -s --arg p "$1" 'map(select(.method == "PATCH" and .path == $p)) | length' "$STANDIN_LOG"; }
envs=/api/v1/applications/$app/envs/bulk
before=$(patches_to "$envs")
control faults '{"path_prefix":"/api/v1/applications/'"$app"'/envs/bulk","method":"PATCH","count":1,"drop_after":true}' >/dev/null
expect_exit 0 d --env LOST_ANSWER=applied "$WORK/skills/hello"
assert_eq $((before + 1)) "$(patches_to "$envs")" "environment updates"
assert_eq applied "$(control state | jq -r '.apps[0].envs[] | select(.key == "LOST_ANSWER") | .value')"
assert_contains "$ERR" "the environment update took effect"
assert_eq finished "$(reg '.skills.hello.status')"

step "the settings update is applied, its answer lost: read back, not re-sent"
before=$(patches_to "/api/v1/applications/$app")
curl -sf -X PATCH -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"health_check_path":"/elsewhere"}' "$URL/api/v1/applications/$app" >/dev/null
control faults '{"path_prefix":"/api/v1/applications/'"$app"'","method":"PATCH","count":1,"drop_after":true}' >/dev/null
expect_exit 0 d --force --env LOST_ANSWER=applied "$WORK/skills/hello"
assert_eq $((before + 2)) "$(patches_to "/api/v1/applications/$app")" "settings updates (the test's own, deploy's)"
assert_eq /hooks/health "$(control state | jq -r '.apps[0].health_check_path')"
assert_contains "$ERR" "the settings update took effect"

step "a settings update whose answer is lost and that did not take effect is an error, not re-sent"
curl -sf -X PATCH -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"health_check_path":"/elsewhere"}' "$URL/api/v1/applications/$app" >/dev/null
before=$(patches_to "/api/v1/applications/$app")
control faults '{"path_prefix":"/api/v1/applications/'"$app"'","method":"PATCH","count":1,"drop":true}' >/dev/null
expect_exit 69 d --force --env LOST_ANSWER=applied "$WORK/skills/hello"
assert_eq $((before + 1)) "$(patches_to "/api/v1/applications/$app")" "settings updates"
assert_not_contains "$ERR" "took effect"

step "the delete is applied, its answer lost: read back, the app is gone and reported removed"
control faults '{"path_prefix":"/api/v1/applications/","method":"DELETE","count":1,"drop_after":true}' >/dev/null
expect_exit 0 d --remove hello
assert_eq 0 "$(control state | jq '.apps | length')" "apps"
assert_eq 1 "$(jq -s 'map(select(.method == "DELETE")) | length' "$STANDIN_LOG")" "delete requests"
assert_contains "$ERR" "the delete took effect"
assert_eq removed "$(reg '.skills.hello.status')"
echo ok
