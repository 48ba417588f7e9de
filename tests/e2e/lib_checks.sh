#!/usr/bin/env bash
# The test library's own contract (lib.sh): a failing check is reported and the next one still runs, the
# test then fails; each check's cleanup runs when that check ends; variables stay inside their check;
# wait_for ends a test at its deadline with the condition's last answer; run_lib's wait_status ends it at
# once when the run ended with another status.
source "$(dirname "$0")/lib.sh"

# A test made of checks, run as its own script so that its failure can be looked at.
cat >"$WORK/inner.sh" <<'INNER'
source "$DF_SRC/tests/e2e/lib.sh"
passes() { leaked=yes; }
fails_then_cleans() {
  on_exit "echo cleaned >>'$1'"
  [[ -e $1 ]] && fail "cleanup ran before the check ended"
  false  # set -e holds inside a check: this ends it
  echo "not reached" >>"$1"
}
check "the first check" passes
check "the second check" fails_then_cleans "$MARK"
check "the third check" passes
[[ -z ${leaked:-} ]] || fail "a check's variable leaked out"
checks_done
INNER

expect_exit 1 env MARK="$WORK/mark" bash "$WORK/inner.sh"
step "each check reports, in order, and the one after a failure still runs"
assert_eq $'ok 1 - the first check\nnot ok 2 - the second check\nok 3 - the third check' "$OUT"
step "the failed checks are named at the end"
assert_contains "$ERR" $'FAIL: 1 of 3 checks failed:\n  the second check'
step "a check's cleanup ran when that check ended, and the check stopped at its first failing command"
assert_eq cleaned "$(cat "$WORK/mark")"

step "a test whose checks all pass says PASS and exits 0"
sed -i 's/fails_then_cleans "\$MARK"/passes/' "$WORK/inner.sh"
expect_exit 0 env MARK="$WORK/mark" bash "$WORK/inner.sh"
assert_contains "$OUT" "PASS (3 checks)"

step "wait_for gives up at its deadline, naming the condition and its last answer"
cat >"$WORK/waits.sh" <<'INNER'
source "$DF_SRC/tests/e2e/lib.sh"
never() { echo "still not there"; return 1; }
wait_for never
echo "not reached"
INNER
expect_exit 1 env DF_WAIT_SECONDS=1 bash "$WORK/waits.sh"
assert_contains "$ERR" "FAIL: timed out after 1 s waiting for: never; its last answer: still not there"
assert_not_contains "$OUT" "not reached"

step "run_lib's wait_status fails at once when the run ended otherwise, naming its status and error"
mkdir -p "$WORK/skill/state/runs"
cat >"$WORK/waits-status.sh" <<'INNER'
source "$DF_SRC/tests/e2e/lib.sh"
source "$DF_SRC/tests/e2e/run_lib.sh"
SKILL=$1
wait_status "$2" "${@:3}"
echo "reached"
INNER
echo '{"status":"failed","error":"step build failed: exit status 2"}' >"$WORK/skill/state/runs/r1.json"
# A deadline of 1 s: a wait_status that waited for its deadline would say "timed out" instead.
expect_exit 1 env DF_WAIT_SECONDS=1 bash "$WORK/waits-status.sh" "$WORK/skill" r1 succeeded
assert_contains "$ERR" "FAIL: run r1 ended failed, expected one of: succeeded; its error: step build failed: exit status 2"
assert_not_contains "$OUT" "reached"
step "wait_status returns when the status is one it waits for, and waits while the run lives"
expect_exit 0 env DF_WAIT_SECONDS=1 bash "$WORK/waits-status.sh" "$WORK/skill" r1 rejected failed
assert_contains "$OUT" "reached"
echo '{"status":"running","error":null}' >"$WORK/skill/state/runs/r2.json"
expect_exit 1 env DF_WAIT_SECONDS=1 bash "$WORK/waits-status.sh" "$WORK/skill" r2 succeeded
assert_contains "$ERR" "FAIL: timed out after 1 s waiting for: status_settled r2 succeeded"
echo PASS
