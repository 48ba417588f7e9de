#!/usr/bin/env bash
# `## On Failure` steps run after a failed run (after any rollback), in order, with DF_FAILED_STEP,
# DF_RUN_STATUS and DF_RUN_ERROR; they never change the run's status, a failing one does not stop the next,
# and they do not run after a success. `## On Failure` with prose only stays advice; compile refuses
# `Needs:`/`If:`/`Undoes:` on them.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
cd "$WORK" || exit
export DF_STATE_DIR=$WORK/state

skill nightly <<'MD'
# Workflow: Nightly Job

## Inputs
- `fail_at` (required): the step that fails, or none

## Steps
### 1. Prepare
```sh
[[ $fail_at != prepare ]]
```

### 2. Do the work
```sh
if [[ $fail_at == do-the-work ]]; then echo "disk full" >&2; exit 3; fi
```

## Rollback
### 1. Undo the work
```sh
echo "rollback" >> "$DF_STATE_DIR/on-failure.log"
```

## On Failure
### 1. Page the on-call person
```sh
printf 'page: %s|%s|%s\n' "$DF_FAILED_STEP" "$DF_RUN_STATUS" "$DF_RUN_ERROR" >> "$DF_STATE_DIR/on-failure.log"
```

### 2. Broken notifier
```sh
exit 1
```

### 3. Open a ticket
```sh
echo "ticket: $DF_FAILED_STEP" >> "$DF_STATE_DIR/on-failure.log"
```

## Guardrails
- Auto-rollback on failure
MD

step "a failed run: rollback, then every on-failure step in order with what failed"
expect_exit 1 "$SKILL/run" --fail_at do-the-work --json
assert_eq rolled_back "$(jq -r .status <<<"$OUT")" "run status (the on-failure steps do not change it)"
assert_eq "succeeded failed succeeded" "$(jq -r '[.on_failure[].status] | join(" ")' <<<"$OUT")" \
  "on-failure statuses"
assert_eq $'rollback\npage: do-the-work|rolled_back|step do-the-work failed: exit status 3\nticket: do-the-work' \
  "$(cat "$DF_STATE_DIR/on-failure.log")" "what ran, in order, and what the steps saw"
assert_eq "started failed" "$(jq -r '[.guardrails[] | select(.kind == "on_failure") | .decision] | join(" ")' <<<"$OUT")" \
  "the on-failure guardrail entries"
assert_contains "$ERR" "step F2 broken-notifier: failed (exit status 1)"
jq -e '.on_failure | length == 3' "$SKILL/skill.json" >/dev/null || fail "skill.json lacks on_failure"
assert_contains "$("$SKILL/run" --status "$(jq -r .run_id <<<"$OUT")")" "open-a-ticket (command): succeeded"

step "a successful run: no on-failure step runs"
rm -f "$DF_STATE_DIR/on-failure.log"
expect_exit 0 "$SKILL/run" --fail_at none --json
assert_eq succeeded "$(jq -r .status <<<"$OUT")" "run status"
assert_eq null "$(jq -c .on_failure <<<"$OUT")" "on_failure in the record"
[[ ! -e $DF_STATE_DIR/on-failure.log ]] || fail "something ran: $(cat "$DF_STATE_DIR/on-failure.log")"

step "the dry run lists the on-failure steps"
expect_exit 0 "$SKILL/run" --dry-run --fail_at none
assert_contains "$OUT" "On-failure steps (after any failed run, with DF_FAILED_STEP and DF_RUN_ERROR):"
assert_contains "$OUT" "3. open-a-ticket (command): Open a ticket"

step "a run a person stopped at a step's approval is rejected, not failed: no on-failure step runs"
skill gated <<'MD'
# Workflow: Gated Job

## Steps
### 1. Ship
- Approval: required

```sh
true
```

## On Failure
### 1. Page the on-call person
```sh
echo "page: $DF_RUN_STATUS" >> "$DF_STATE_DIR/on-failure.log"
```
MD
rm -f "$DF_STATE_DIR/on-failure.log"
expect_exit 0 "$SKILL/run" --detach
id=$(jq -r .run_id <<<"$OUT")
wait_status "$id" awaiting_approval
expect_exit 0 "$SKILL/run" --deny "$id" --by alice
wait_status "$id" rejected
assert_eq null "$(field "$id" .on_failure)" "on_failure in the record"
[[ ! -e $DF_STATE_DIR/on-failure.log ]] || fail "something ran: $(cat "$DF_STATE_DIR/on-failure.log")"

step "compile: prose under On Failure stays advice; Needs/If/Undoes on an on-failure step are errors"
cat >"$WORK/advice.md" <<'MD'
# Workflow: Advice Only

## Steps
1. **Work**
   ```sh
   true
   ```

## On Failure
Check the disk before running it again.
MD
expect_exit 0 compile -q -o "$WORK/out" "$WORK/advice.md"
jq -e '.on_failure == [] and (.error_handling | contains("Check the disk"))' "$WORK/out/advice-only/skill.json" \
  >/dev/null || fail "prose On Failure: $(jq -c '{on_failure, error_handling}' "$WORK/out/advice-only/skill.json")"
cat >"$WORK/bad.md" <<'MD'
# Workflow: Bad On Failure

## Steps
### 1. Work
```sh
true
```

## On Failure
### 1. Page
- Needs: work

```sh
true
```
MD
expect_exit 1 compile -q --check "$WORK/bad.md"
assert_contains "$ERR" "bad.md:11:3: error: on-failure step 'page' has \`Needs:\`: \`## On Failure\` steps run in order"
echo PASS
