#!/usr/bin/env bash
# monitor when things go wrong: no configuration, a bad token, Coolify down, 429 with Retry-After, 5xx,
# garbage JSON, and a registry that is absent, empty, corrupt or rewritten while monitor reads it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/monitor_lib.sh"

start_standin
make_app df-good running:healthy >/dev/null
registry_with good >"$DF_REGISTRY"

step "no configuration: says what to set (78); the registry view still works"
( unset COOLIFY_URL COOLIFY_TOKEN
  expect_exit 78 monitor
  assert_contains "$ERR" "COOLIFY_URL"
  assert_contains "$ERR" "COOLIFY_TOKEN"
  expect_exit 78 monitor --check
  assert_contains "$OUT" "CONFIG:"
  expect_exit 0 monitor --registry
  assert_contains "$OUT" "good  df-good  finished"
  expect_exit 0 monitor --registry --json
  jq -e '.skills[0].name == "good"' <<<"$OUT" >/dev/null || fail "$OUT" )

step "bad token: 77, one line, token never printed"
COOLIFY_TOKEN=wrong-secret-token expect_exit 77 monitor --check
assert_contains "$OUT" "DENIED:"
assert_contains "$OUT" "401"
assert_eq "" "$ERR" "stderr of --check (its line on stdout says it all)"
assert_not_contains "$OUT$ERR" "wrong-secret-token"
echo wrong-secret-token >"$WORK/token"
expect_exit 77 monitor --token-file "$WORK/token"
expect_exit 0 monitor --token-file /dev/stdin <<<"standin-token"

step "429 with Retry-After is waited out"
control POST faults '{"path_prefix":"/api/v1/applications","count":1,"status":429,"retry_after":1}'
expect_exit 0 monitor --check
assert_eq "OK: 1 of 1 skills healthy" "$OUT"

step "5xx that does not go away: unavailable (69)"
control POST faults '{"path_prefix":"/api/v1/applications","count":-1,"status":503}'
expect_exit 69 monitor --check
assert_contains "$OUT" "UNREACHABLE:"
assert_contains "$OUT" "503"
control DELETE faults

step "garbage JSON: protocol error (76)"
control POST faults '{"path_prefix":"/api/v1/applications","count":-1,"status":200,"body":"<html>oops"}'
expect_exit 76 monitor
assert_contains "$ERR" "monitor: error:"
expect_exit 76 monitor --check --json
jq -e '.status == "protocol" and .exit_code == 76' <<<"$OUT" >/dev/null || fail "$OUT"
control DELETE faults

step "registry absent: an empty registry, every app unregistered"
DF_REGISTRY="$WORK/none.json" expect_exit 0 monitor
assert_contains "$OUT" "not in registry"
[[ ! -e "$WORK/none.json" ]] || fail "monitor created the registry"
DF_REGISTRY="$WORK/none.json" expect_exit 0 monitor --registry
assert_contains "$OUT" "records no skills"

step "registry empty or corrupt: reported (65), listing still shown, file untouched"
for content in "" '{"schema_version":1,"skills":' '[1,2]' '{"schema_version":99,"skills":{}}'; do
  printf '%s' "$content" >"$WORK/bad.json"
  cp "$WORK/bad.json" "$WORK/bad.before"
  DF_REGISTRY="$WORK/bad.json" expect_exit 65 monitor
  assert_contains "$OUT" "good"
  assert_contains "$ERR" "monitor: error:"
  DF_REGISTRY="$WORK/bad.json" expect_exit 65 monitor --check
  assert_contains "$OUT" "ERROR:"
  DF_REGISTRY="$WORK/bad.json" expect_exit 65 monitor --registry
  DF_REGISTRY="$WORK/bad.json" expect_exit 65 monitor --json
  jq -e '.warnings | length == 1' <<<"$OUT" >/dev/null || fail "$OUT"
  cmp -s "$WORK/bad.json" "$WORK/bad.before" || fail "monitor changed a corrupt registry"
done
printf '{"schema_version":1,"skills":{}}' >"$WORK/empty.json"
DF_REGISTRY="$WORK/empty.json" expect_exit 0 monitor --registry --json
jq -e '.skills == []' <<<"$OUT" >/dev/null || fail "$OUT"

step "registry rewritten by atomic renames while monitor reads it: every read is whole"
registry_with good >"$WORK/a.json"
registry_with good | jq -c '.skills.good.history += .skills.good.history' >"$WORK/b.json"  # same skills, other bytes
( end=$((SECONDS + 60)); i=0
  while ((SECONDS < end)); do
    i=$((i + 1))
    if ((i % 2)); then cp "$WORK/a.json" "$WORK/live.tmp"; else cp "$WORK/b.json" "$WORK/live.tmp"; fi
    mv -f "$WORK/live.tmp" "$WORK/live.json"
  done ) &
writer=$!
on_exit "kill $writer 2>/dev/null"
wait_for test -e "$WORK/live.json"
for i in $(seq 25); do
  DF_REGISTRY="$WORK/live.json" expect_exit 0 monitor --registry --json
  jq -e '.skills | length == 1' <<<"$OUT" >/dev/null || fail "read $i: $OUT"
done
DF_REGISTRY="$WORK/live.json" expect_exit 0 monitor --check
kill "$writer" 2>/dev/null || true

step "Coolify down: unreachable (69)"
kill "$STANDIN_PID"
wait "$STANDIN_PID" || true
expect_exit 69 monitor --check
assert_contains "$OUT" "UNREACHABLE:"
echo "ok"
