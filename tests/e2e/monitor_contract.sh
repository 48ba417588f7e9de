#!/usr/bin/env bash
# monitor's promises to scripts: exit codes for signals (143/130) and an unreadable registry (66), a clean
# --help, --registry FILE as in deploy (with the earlier spellings still working), --check ignoring removed
# skills and naming a configuration problem once.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/monitor_lib.sh"

start_standin
make_app df-good running:healthy >/dev/null
registry_with good >"$DF_REGISTRY"

step "--help shows plain [UUID]/[SECONDS], no cxxopts artefacts"
expect_exit 0 monitor --help
assert_not_contains "$OUT" "[="
assert_contains "$OUT" "--deployment [UUID]"
assert_contains "$OUT" "--registry FILE"
assert_contains "$OUT" "--offline"

step "--registry FILE names the registry file, as in deploy; earlier spellings still work"
registry_with good other >"$WORK/other.json"
expect_exit 0 monitor --registry "$WORK/other.json" --json
jq -e '[.apps[] | select(.app == "df-other")] | length == 1' <<<"$OUT" >/dev/null || fail "$OUT"
expect_exit 0 monitor --registry="$WORK/other.json" --offline --json
assert_eq 2 "$(jq '.skills | length' <<<"$OUT")" "skills in --registry FILE --offline"
expect_exit 0 monitor --registry-file "$WORK/other.json" --offline --json
assert_eq 2 "$(jq '.skills | length' <<<"$OUT")" "skills in --registry-file FILE"
expect_exit 0 monitor --registry --json # the registry view (PRODUCT.md's spelling)
assert_eq 1 "$(jq '.skills | length' <<<"$OUT")" "skills in the bare --registry view"
expect_exit 0 monitor --registry
assert_contains "$OUT" "good"

step "an unreadable registry is 66"
mkdir -p "$WORK/dir.json"
DF_REGISTRY="$WORK/dir.json" expect_exit 66 monitor --offline
assert_contains "$ERR" "cannot read the registry"

step "--check: a removed skill is neither healthy nor missing"
registry_with good gone | jq '.skills.gone.status = "removed" | .skills.gone.history[0].kind = "remove"' \
  | jq '.skills.gone.history[0].status = "removed"' >"$DF_REGISTRY"
expect_exit 0 monitor --check
assert_eq "OK: 1 of 1 skills healthy" "$OUT"

step "--check with missing configuration names the problem once"
( unset COOLIFY_URL COOLIFY_TOKEN
  expect_exit 78 monitor --check
  assert_eq 1 "$(grep -c "missing configuration" <<<"$OUT$ERR")" "times the problem is printed" )

step "SIGTERM ends --watch with 143, SIGINT with 130"
# Each signal's own output file: the shell truncates a reused one only once the background child runs, so
# the wait could see the previous run's frame and signal a monitor that has no handler yet. A background
# command of a script starts with SIGINT ignored: that SIGINT was lost and the wait below hung.
for sig in TERM INT; do
  "$DF_BIN/df-monitor" --watch 1 >"$WORK/watch-$sig.out" 2>"$WORK/watch-$sig.err" &
  pid=$!
  on_exit "kill $pid 2>/dev/null"
  wait_for grep -q "Every 1s" "$WORK/watch-$sig.out"
  kill "-$sig" "$pid"
  set +e
  wait "$pid"
  code=$?
  set -e
  if [[ $sig == TERM ]]; then assert_eq 143 "$code" "exit after SIGTERM"; else assert_eq 130 "$code" "exit after SIGINT"; fi
done
echo ok
