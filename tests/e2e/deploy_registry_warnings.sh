#!/usr/bin/env bash
# A registry write that fails after Coolify has already been told something is reported as a warning, not
# dropped: an attempt abandoned before any change, the entry of an automatic rollback, a removed app.
# Each check holds one request at the Coolify stand-in (`hold`), breaks the registry while deploy waits
# for the answer (its lock file becomes a dangling symlink, which the registry refuses to open), and lets
# the request go on: every registry write from then on fails.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deploy_lib.sh"
start_standin
make_skill hello
d() { deploy --poll-interval 200ms "$@"; }

# held: whether the stand-in holds a request; says what it holds, whether deploy still runs and how the
# last deployment stands (read when a wait for it times out).
held() {
  local n
  n=$(curl -sf "$URL/_standin/held" | jq .held)
  echo "held=${n:-?} deploy=$(kill -0 "${BG:-0}" 2>/dev/null && echo running || echo ended)" \
    "last deployment=$(control state | jq -r '.deployments[-1].status' 2>/dev/null); deploy's stderr: $(cat "$WORK/bg.err" 2>/dev/null)"
  [[ ${n:-0} -ge 1 ]]
}
last_deployment() { [[ $(control state | jq -r '.deployments[-1].status') == "$1" ]]; }
break_registry() { ln -sfn "$WORK/nowhere" "$REGISTRY.lock"; }
mend_registry() { rm -f "$REGISTRY.lock"; }
# in_background CMD...: runs deploy's command with its output in $WORK/bg.out and .err; wait_background
# waits for it and sets $RC, $OUT and $ERR.
in_background() {
  "$@" >"$WORK/bg.out" 2>"$WORK/bg.err" &
  BG=$!
}
wait_background() {
  RC=0
  wait "$BG" || RC=$?
  OUT=$(<"$WORK/bg.out") ERR=$(<"$WORK/bg.err")
}

abandoned_attempt() {
  on_exit mend_registry
  control faults '{"path_prefix":"/api/v1/version","hold":true}' >/dev/null
  COOLIFY_TOKEN=wrong-token-0123456789 in_background d "$WORK/skills/hello"
  wait_for held
  break_registry
  control release '{}' >/dev/null
  wait_background
  assert_eq 77 "$RC" "exit code (the wrong token decides it); stderr: $ERR"
  assert_contains "$ERR" "warning: hello: the registry keeps this attempt as 'pending': cannot"
  mend_registry
  assert_eq pending "$(reg '.skills.hello.history[-1].status')" "the entry the warning names"
}
check "an attempt abandoned before any change: the entry it could not end is named" abandoned_attempt

rollback_entry() {
  on_exit mend_registry
  expect_exit 0 d "$WORK/skills/hello"
  echo "# v2" >>"$WORK/skills/hello/README.md"
  # Only this build fails: the rollback's build, which may start as soon as a poll is let through, succeeds.
  control apps/df-hello '{"fail_next_builds":1}' >/dev/null
  control faults '{"path_prefix":"/api/v1/deployments/","method":"GET","count":-1,"hold":true}' >/dev/null
  in_background d --auto-rollback "$WORK/skills/hello"
  # deploy's first poll is held until the stand-in's build has failed (it runs on its own), so that poll
  # reads the failure and the next registry write is the rollback's entry. (Letting polls through one by
  # one raced: the build could fail between the test's look and its release, and the released poll read
  # the failure before the registry was broken.)
  wait_for held
  wait_for last_deployment failed
  break_registry
  curl -sf -X DELETE "$URL/_standin/faults" >/dev/null
  control release '{}' >/dev/null
  wait_background
  assert_contains "$ERR" "hello: warning: the registry does not show the rollback yet: cannot"
  assert_contains "$OUT" "rolled_back"
}
check "a rollback whose registry entry cannot be written still rolls back, and says so" rollback_entry

removed_app() {
  on_exit mend_registry
  expect_exit 0 d --force "$WORK/skills/hello"
  control faults '{"path_prefix":"/api/v1/applications/","method":"DELETE","hold":true}' >/dev/null
  in_background d --remove hello
  wait_for held
  break_registry
  control release '{}' >/dev/null
  wait_background
  assert_eq 0 "$(control state | jq '[.apps[] | select(.name == "df-hello")] | length')" "apps named df-hello"
  assert_contains "$ERR" "hello: warning: the registry still names the removed app: cannot"
  [[ $RC != 0 ]] || fail "deploy --remove exited 0 although the registry was not updated"
}
check "a removed app the registry still names is a warning, and the exit code says the registry failed" \
  removed_app

checks_done
