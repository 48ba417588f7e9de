#!/usr/bin/env bash
# Run history retention: `Keep run history for N days` (or weeks, months, years) and `Keep the last N runs`
# compile into the policy (defaults 30 days and 1000 runs); at the end of each run, the records of finished
# runs beyond either limit go with their logs and working folders, while live runs' records and the records
# within the limits stay.
# Old runs are made by writing records whose run ids (creation times) are in the past: no waiting.
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source=run_lib.sh
source "$(dirname "$0")/run_lib.sh"
cd "$WORK" || exit

step "the default: 30 days and 1000 runs, in skill.json"
skill plain <<'MD'
# Workflow: Plain

## Steps
1. **Say**
   ```sh
   echo hi
   ```
MD
assert_eq "30 1000" "$(jq -r '"\(.policy.history_days) \(.policy.history_runs)"' "$SKILL/skill.json")" "defaults"

step "the guardrails set them, and are reported as enforced"
skill kept <<'MD'
# Workflow: Kept

## Steps
1. **Say**
   ```sh
   echo hi
   ```

## Guardrails
- Keep run history for 10 days
- Keep the last 4 runs
MD
assert_eq "10 4" "$(jq -r '"\(.policy.history_days) \(.policy.history_runs)"' "$SKILL/skill.json")" "policy"
assert_eq "history_retention history_retention" \
  "$(jq -r '[.guardrails[] | select(.enforced) | .kind] | join(" ")' "$SKILL/skill.json")" "guardrail kinds"
skill weeks <<'MD'
# Workflow: Weeks

## Steps
1. **Say**
   ```sh
   echo hi
   ```

## Guardrails
- Delete run records after 2 weeks
MD
assert_eq "14 1000" "$(jq -r '"\(.policy.history_days) \(.policy.history_runs)"' "$SKILL/skill.json")" "weeks"

export DF_STATE_DIR=$WORK/state
runs=$DF_STATE_DIR/runs
# old_run DAYS_AGO STATUS SUFFIX: a record (from a real one) created DAYS_AGO days ago, with a log and a
# working folder; prints its id.
old_run() {
  local id
  id=$(date -u -d "-$1 days" +%Y%m%dT%H%M%SZ)-$3
  jq --arg id "$id" --arg st "$2" '.run_id = $id | .status = $st' "$runs/$template.json" >"$runs/$id.json"
  echo "log of $id" >"$runs/$id.log"
  mkdir -p "$DF_STATE_DIR/work/$id"
  echo "$id"
}
out=$("$SKILL/run") || fail "first run failed"
template=$(run_id_of "$out")

step "the days rule: finished runs older than the limit go with their log and folder; live ones and newer stay"
skill kept <<'MD'
# Workflow: Kept

## Steps
1. **Say**
   ```sh
   echo hi
   ```

## Guardrails
- Keep run history for 10 days
MD
old_failed=$(old_run 40 failed 0000000a)
old_ok=$(old_run 11 succeeded 0000000b)
old_live=$(old_run 40 running 0000000c)
old_waiting=$(old_run 40 awaiting_approval 0000000d)
recent=$(old_run 9 failed 0000000e)
echo '{}' >"$runs/not-a-run.json"
out=$("$SKILL/run") || fail "run failed"
new=$(run_id_of "$out")
for id in "$old_failed" "$old_ok"; do
  [[ ! -e $runs/$id.json && ! -e $runs/$id.log && ! -e $DF_STATE_DIR/work/$id ]] || fail "$id was kept"
done
for id in "$old_live" "$old_waiting" "$recent" "$new" "$template"; do
  [[ -f $runs/$id.json ]] || fail "$id was removed"
done
[[ -f $runs/$old_live.log && -d $DF_STATE_DIR/work/$old_live && -f $runs/$recent.log ]] || fail "a kept run lost its files"
[[ -f $runs/not-a-run.json ]] || fail "a file that is not a run record was removed"

step "long periods: years and months are enforced, not advice"
skill years <<'MD'
# Workflow: Years

## Steps
1. **Say**
   ```sh
   echo hi
   ```

## Guardrails
- Keep run history for 3 years
MD
assert_eq "1095 1000" "$(jq -r '"\(.policy.history_days) \(.policy.history_runs)"' "$SKILL/skill.json")" "3 years"
assert_not_contains "$(cat "$WORK/compile.err")" "warning" "compile's output"
two_years=$(old_run 730 succeeded 0000001a)
four_years=$(old_run 1460 succeeded 0000001b)
out=$("$SKILL/run") || fail "run failed"
[[ -f $runs/$two_years.json ]] || fail "a run 2 years old was removed"
[[ ! -e $runs/$four_years.json ]] || fail "a run 4 years old was kept"

step "the count rule: beyond the newest N runs, finished ones go (live ones stay)"
skill last <<'MD'
# Workflow: Last

## Steps
1. **Say**
   ```sh
   echo hi
   ```

## Guardrails
- Keep the last 3 runs
MD
rm -rf "$DF_STATE_DIR"
mkdir -p "$runs"
out=$("$SKILL/run") || fail "run failed"
template=$(run_id_of "$out")
a=$(old_run 5 succeeded 0000000a)
b=$(old_run 4 running 0000000b)
c=$(old_run 3 failed 0000000c)
d=$(old_run 2 succeeded 0000000d)
out=$("$SKILL/run") || fail "run failed"
new=$(run_id_of "$out")
# Newest first: new, template, d are the last 3; c and a are finished beyond them; b is live.
kept=$(find "$runs" -name '*.json' -printf '%f\n' | sed 's/\.json$//' | sort | tr '\n' ' ')
assert_eq "$(printf '%s\n' "$b" "$d" "$template" "$new" | sort | tr '\n' ' ')" "$kept" "records kept"
assert_not_contains "$(find "$DF_STATE_DIR" -name "*$a*" -o -name "*$c*")" "$a" "no file of a removed run"
echo "ok"
