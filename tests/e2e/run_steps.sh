#!/usr/bin/env bash
# run's command steps: environment, outputs and missing outputs, failures, retries with backoff, step and run
# timeouts that kill the whole process group.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
export DUMP=$WORK/dump
mkdir -p "$DUMP"
cd "$WORK" || exit
MARK=dfmark$$x$RANDOM
on_exit "pkill -KILL -f $MARK"
survivors() { pgrep -f "$MARK" | grep -vx "$$" || true; }

skill steps <<'MD'
# Workflow: Step Check

## Description
Publishes outputs, fails, retries and hangs on request.

## Inputs
- `mode`: ok, fail, flaky or hang (default: ok)
- `marker`: tags the processes a hanging step starts (default: none)

## Steps
### 1. Publish
```sh
echo "alpha=1" >> "$DF_OUTPUT"
echo "beta=x=y z" >> "$DF_OUTPUT"
echo "not an output line" >> "$DF_OUTPUT"
echo "9bad=1" >> "$DF_OUTPUT"
echo 'literal=$(touch canary) `x`' >> "$DF_OUTPUT"
[ "$PWD" = "$DF_WORKDIR" ]
printf '%s\n' "$DF_RUN_ID" "$DF_SKILL_DIR" "$DF_STATE_DIR" > "$DUMP/env"
echo "this line goes to stderr, not stdout"
```

### 2. Maybe fail
- Retries: 0
```sh
[ "$mode" != fail ] || { echo "failing on purpose" >&2; exit 3; }
```

### 3. Flaky
```sh
n=$(cat "$DUMP/attempts" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$DUMP/attempts"
[ "$mode" != flaky ] || [ "$n" -ge 3 ]
echo "attempt=$n" >> "$DF_OUTPUT"
```

### 4. Hang
- Timeout: 2 seconds
- Retries: 0
```sh
if [ "$mode" = hang ]; then
  (exec -a "$marker-sleeper" sleep 1000) &
  bash -c 'trap "" TERM; while :; do sleep 0.2; done' "$marker-stubborn" &
  sleep 1000
fi
```

## Outputs
- `alpha`: set by step 1
- `never`: no step sets it

## Guardrails
- Retry failed steps up to 2 times, 1 second apart
MD

step "outputs: literal values, bad lines ignored with a warning, missing outputs reported; stdout is the record"
expect_exit 0 "$SKILL/run" --json
id=$(jq -r .run_id <<<"$OUT") || fail "stdout is not the JSON record: $OUT"
run_id_pattern
[[ $id =~ $RUN_ID_RE ]] || fail "bad run id $id"
assert_eq succeeded "$(field "$id" .status)" status
assert_eq 1 "$(field "$id" .outputs.alpha)" alpha
assert_eq "x=y z" "$(field "$id" .outputs.beta)" beta
assert_eq 'literal=$(touch canary) `x`' "literal=$(field "$id" .outputs.literal)" literal
assert_eq null "$(field "$id" '.outputs["9bad"]')" "invalid name"
assert_eq 2 "$(field "$id" '.steps[0].warnings | length')" warnings
assert_eq '["never"]' "$(field "$id" '.missing_outputs | tojson')" missing_outputs
assert_contains "$ERR" "this line goes to stderr"
[[ ! -e $SKILL/state/work/$id/canary && ! -e canary ]] || fail "canary created"
mapfile -t env <"$DUMP/env"
assert_eq "$id" "${env[0]}" DF_RUN_ID
assert_eq "$SKILL" "${env[1]}" DF_SKILL_DIR
assert_eq "$SKILL/state" "${env[2]}" DF_STATE_DIR
[[ ! -e $SKILL/state/work/$id ]] || fail "the working directory of a succeeded run was kept"

step "a failing step fails the run (exit 1) and the later steps are skipped"
expect_exit 1 "$SKILL/run" --mode fail
id=$(run_id_of "$OUT")
assert_eq failed "$(field "$id" .status)" status
assert_eq 3 "$(field "$id" .steps[1].exit_code)" exit_code
assert_eq 1 "$(field "$id" .steps[1].attempts)" attempts
assert_eq "step maybe-fail failed: exit status 3" "$(field "$id" .error)" error
assert_eq skipped "$(field "$id" .steps[2].status)" "step 3"
assert_contains "$ERR" "failing on purpose"
[[ -d $SKILL/state/work/$id ]] || fail "the working directory of a failed run was removed"

step "retries: a flaky step succeeds on its third attempt, after backoff (1 s, then 2 s)"
rm -f "$DUMP/attempts"
expect_exit 0 "$SKILL/run" --mode flaky
id=$(run_id_of "$OUT")
assert_eq 3 "$(field "$id" .steps[2].attempts)" attempts
assert_eq 3 "$(field "$id" .outputs.attempt)" "attempt output"
assert_eq "retry retry" "$(field "$id" '[.guardrails[] | select(.kind == "retries") | .decision] | join(" ")')" decisions
assert_contains "$(field "$id" '.guardrails[] | select(.kind == "retries") | .detail')" "retrying in 2 s"

step "a step timeout kills the step's whole process group, even children that ignore SIGTERM"
expect_exit 5 "$SKILL/run" --mode hang --marker "$MARK"
id=$(run_id_of "$OUT")
assert_eq timed_out "$(field "$id" .status)" status
assert_eq timed_out "$(field "$id" .steps[3].status)" "step status"
assert_eq stopped "$(field "$id" '.guardrails[] | select(.kind == "step_timeout") | .decision')" decision
assert_eq "" "$(survivors)" "processes left by the step"
echo PASS
