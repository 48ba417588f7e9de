#!/usr/bin/env bash
# monitor against the Coolify stand-in: the listing of healthy, unhealthy, exited, restarting and missing
# apps; --check exit codes; --json documents; one skill's page with its health hook probed; runtime logs of
# running and stopped apps; --follow picking up new lines; a deployment's build log in Coolify's order.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/monitor_lib.sh"

start_standin

step "apps in every state, one registry skill missing in Coolify, one app unknown to the registry"
make_app df-good running:healthy >/dev/null
make_app df-sick running:unhealthy >/dev/null
make_app df-stopped exited:unhealthy >/dev/null
make_app df-loop restarting:unknown >/dev/null
make_app df-stray running:healthy >/dev/null
make_app unrelated exited:unhealthy >/dev/null
registry_with good sick stopped loop gone >"$DF_REGISTRY"
cp "$DF_REGISTRY" "$WORK/registry.before"

step "the listing: one request, aligned, flags strays both ways, plain text off a terminal"
: >"$WORK/requests.log"
expect_exit 0 monitor
assert_eq 1 "$(wc -l <"$WORK/requests.log")" "API requests for the listing"
assert_contains "$OUT" "gone     missing"
assert_contains "$OUT" "missing in Coolify"
assert_contains "$OUT" "not in registry"
assert_contains "$OUT" "sick     running:unhealthy"
assert_not_contains "$OUT" "unrelated"
assert_not_contains "$OUT" $'\e['
assert_not_contains "$OUT" "✓"
header=$(head -1 <<<"$OUT")
row=$(grep '^good ' <<<"$OUT")
assert_eq "$(awk '{print index($0, "STATUS")}' <<<"$header")" "$(awk '{print index($0, "running:healthy")}' <<<"$row")" "STATUS column"

step "--json parses and says the same"
expect_exit 0 monitor --json
jq -e '.apps | length == 6' <<<"$OUT" >/dev/null || fail "6 apps expected: $OUT"
jq -e '.apps[] | select(.name == "gone") | .in_coolify == false and .health == "missing"' <<<"$OUT" >/dev/null || fail "gone"
jq -e '.apps[] | select(.name == "stray") | .registered == false and .ok == true' <<<"$OUT" >/dev/null || fail "stray"
jq -e '.apps[] | select(.name == "loop") | .health == "restarting" and .ok == false' <<<"$OUT" >/dev/null || fail "loop"
jq -e '.summary == {"apps":5,"healthy":2,"not_healthy":3,"missing":1,"unregistered":1}' <<<"$OUT" >/dev/null || fail "summary: $OUT"

step "--check: 1, a summary line naming what is wrong, then one line per problem with what to do"
expect_exit 1 monitor --check
assert_eq 5 "$(wc -l <<<"$OUT")" "summary and problem lines"
assert_contains "$(head -1 <<<"$OUT")" "FAIL: 4 of 6 skills not healthy:"
assert_contains "$OUT" $'\ndf-gone: missing in Coolify; deploy gone again, or `deploy --remove gone` if it is gone for good'
assert_contains "$OUT" $'\ndf-stopped: exited:unhealthy; see `monitor stopped` and `monitor stopped --logs`'
assert_contains "$OUT" "df-gone (missing in Coolify)"
assert_contains "$OUT" "df-stopped (exited:unhealthy)"
assert_eq "" "$ERR" "stderr of a failed check"
expect_exit 1 monitor --check --json
jq -e '.status == "failed" and .exit_code == 1 and (.problems | length) == 4' <<<"$OUT" >/dev/null || fail "$OUT"

step "--check: 0 once everything is healthy"
for a in df-sick df-stopped df-loop; do control POST "apps/$a" '{"status":"running:healthy"}'; done
registry_with good sick stopped loop >"$DF_REGISTRY"
expect_exit 0 monitor --check
assert_eq "OK: 5 of 5 skills healthy" "$OUT"
control POST apps/df-stopped '{"status":"exited:unhealthy"}'
cp "$WORK/registry.before" "$DF_REGISTRY"

step "monitor NAME: status, settings, deployments with durations, registry history, health hook probed"
mkdir -p "$WORK/www/hooks" && echo ok >"$WORK/www/hooks/health"
serve_folder "$WORK/www"
hport=$SERVED_PORT
wait_for curl -sf "http://127.0.0.1:$hport/hooks/health"
push_branch df/probed with-dockerfile
uuid=$(make_app df-probed running:healthy "http://localhost:$hport")
dep=$(deploy_app "$uuid")
registry_with probed >"$WORK/probed.json"
DF_REGISTRY="$WORK/probed.json" expect_exit 0 monitor probed
assert_contains "$OUT" "status         running:healthy"
assert_contains "$OUT" "health hook    HTTP 200"
assert_contains "$OUT" "Deployments (1 of 1, newest first)"
assert_contains "$OUT" "$dep"
assert_contains "$OUT" "Registry history (1 of 1"
DF_REGISTRY="$WORK/probed.json" expect_exit 0 monitor df-probed --json
jq -e --arg d "$dep" '.app.status == "running:healthy" and .health_probe.ok == true and .health_probe.status == 200
  and .deployments[0].uuid == $d and .deployments[0].status == "finished" and (.deployments[0].duration_seconds >= 0)
  and (.registry.history | length) == 1' <<<"$OUT" >/dev/null || fail "detail json: $OUT"
expect_exit 1 monitor nosuchskill
assert_contains "$ERR" "monitor: error: no skill named nosuchskill"

step "--deployment: the build log in Coolify's (batch, order) order, hidden entries skipped"
raw=$(api GET "/deployments/$dep" | jq -r .logs)
want=$(jq -r 'sort_by([.batch, (.order // 0)]) | map(select(.hidden | not)) | .[].output' <<<"$raw")
hidden=$(jq -r 'map(select(.hidden)) | .[0].output' <<<"$raw")
expect_exit 0 monitor probed --deployment "$dep"
assert_eq "$want" "$(tail -n +2 <<<"$OUT")" "build log lines"
[[ -n "$hidden" && "$hidden" != null ]] || fail "the stand-in's log has no hidden entry to skip"
# A hidden entry may repeat text of a visible one (a commit sha), so compare whole lines.
if grep -Fxq -- "$hidden" <<<"$OUT"; then fail "hidden entry [$hidden] shown: $OUT"; fi
expect_exit 0 monitor probed --deployment --json
jq -e --arg d "$dep" '.deployment.uuid == $d and (.entries | length) > 0' <<<"$OUT" >/dev/null || fail "$OUT"
expect_exit 1 monitor good --deployment "$dep"
assert_contains "$ERR" "belongs to df-probed"

step "--logs of a running app, --lines honoured"
control POST apps/df-good '{"append_log":["one","two","three","four"]}'
expect_exit 0 monitor good --logs --lines 2
assert_eq $'three\nfour' "$OUT"
expect_exit 0 monitor good --logs --json
jq -e '.running == true and .lines == ["one","two","three","four"] and .build_log == null' <<<"$OUT" >/dev/null || fail "$OUT"

step "--logs of a stopped app: says so, shows the last deployment's build log"
control POST apps/df-probed '{"status":"exited:unhealthy"}'
expect_exit 0 monitor probed --logs
assert_contains "$OUT" "df-probed is exited:unhealthy: a stopped app has no runtime logs."
assert_contains "$OUT" "Deployment $dep of df-probed"
expect_exit 0 monitor probed --logs --json
jq -e '.running == false and .lines == [] and (.build_log.entries | length) > 0' <<<"$OUT" >/dev/null || fail "$OUT"

step "--follow prints the existing tail, then only lines that arrive"
"$DF_BIN/df-monitor" good --logs --follow --lines 2 --interval 1 >"$WORK/follow.out" 2>"$WORK/follow.err" &
fpid=$!
on_exit "kill $fpid 2>/dev/null"
wait_for grep -qx four "$WORK/follow.out"
control POST apps/df-good '{"append_log":["five","six"]}'
wait_for grep -qx six "$WORK/follow.out"
kill -INT "$fpid"
set +e; wait "$fpid"; code=$?; set -e
assert_eq 130 "$code" "exit after Ctrl-C"
assert_eq $'three\nfour\nfive\nsix' "$(cat "$WORK/follow.out")" "followed lines"
assert_eq "" "$(cat "$WORK/follow.err")" "follow stderr"

step "monitor never wrote the registry"
cmp -s "$WORK/registry.before" "$DF_REGISTRY" || fail "registry changed"
echo "ok"
