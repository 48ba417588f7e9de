#!/usr/bin/env bash
# A step with `Approval: required` pauses the run before it in awaiting_approval: `run --approve` lets it
# go on, `run --deny` ends the run rejected (rolling back what had been done, by `Undoes:`), the wait's
# Timeout: ends it rejected too, the wait does not count against the run's time limit, --no-wait does not
# apply to a step's gate, an
# approver not named in `Approvers:` is refused, and with `Needs:` the steps that do not need the paused
# one keep running. Over HTTP the approve hook decides the same way. Compile refuses bad values with
# file:line:col.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
source "$(dirname "$0")/service_lib.sh"
cd "$WORK" || exit
export DF_STATE_DIR=$WORK/state

skill gated <<'MD'
# Workflow: Gated Release

## Steps
### 1. Build
```sh
echo "built" > built.txt
```

### 2. Deploy
- approval: Required
- Approvers: alice, bob
- Timeout: 2 minutes
```sh
echo "deployed" >> "$DF_WORKDIR/built.txt"
echo "where=production" >> "$DF_OUTPUT"
```

## Outputs
- `where`: where it went

## Rollback
### Undo the build
- Undoes: build
```sh
echo "rolled back" >> "$DF_WORKDIR/built.txt"
```

### Undo the deploy
- Undoes: deploy
```sh
echo "deploy undone" >> "$DF_WORKDIR/built.txt"
```

## Guardrails
- Roll back automatically on failure
MD

step "skill.json and skill.fields carry the gate; the Timeout: bounds the wait, not the commands"
jq -e '.steps[1].approval == {approvers: ["alice", "bob"], timeout_seconds: 120} and .steps[1].timeout_seconds == null
  and .steps[0].approval == null' "$SKILL/skill.json" >/dev/null ||
  fail "skill.json's approval: $(jq -c '[.steps[] | {approval, timeout_seconds}]' "$SKILL/skill.json")"

expect_exit 0 "$SKILL/run" --dry-run
assert_contains "$OUT" $'2. deploy (command): Deploy\n   approval: required by alice, bob, waits 120 s'

step "the run pauses before the step; a stranger is refused; an approver lets it go on"
expect_exit 0 "$SKILL/run" --detach --workdir "$WORK/w1"
id=$(jq -r .run_id <<<"$OUT")
wait_status "$id" awaiting_approval
assert_eq "succeeded running pending" "$(field "$id" '"\(.steps[0].status) \(.steps[1].status) \(.steps[1].approval.status)"')" "while waiting"
assert_eq "built" "$(cat "$WORK/w1/built.txt")" "the step before the gate ran, the gated one did not"
expect_exit 0 "$SKILL/run" --status "$id"
assert_contains "$OUT" "    approval: pending"
expect_exit 65 "$SKILL/run" --approve "$id" --by mallory
assert_contains "$ERR" "mallory may not decide on step deploy of run $id; its approvers are: alice bob"
assert_eq awaiting_approval "$(field "$id" .status)" "after the refused decision"
expect_exit 0 "$SKILL/run" --approve "$id" --by bob
wait_status "$id" succeeded
assert_eq "approved bob" "$(field "$id" '"\(.steps[1].approval.status) \(.steps[1].approval.by)"')" "step approval"
[[ -n $(field "$id" '.steps[1].approval.at // empty') ]] || fail "no time of the decision in the record"
assert_eq production "$(field "$id" .outputs.where)" "the gated step's output"
assert_eq $'built\ndeployed' "$(cat "$WORK/w1/built.txt")" "both steps ran"
assert_eq "waiting approved" "$(field "$id" '[.guardrails[] | select(.kind == "approval") | .decision] | join(" ")')" "guardrail decisions"
assert_eq "false" "$(field "$id" .approval.required)" "the run's own gate is untouched"
expect_exit 65 "$SKILL/run" --deny "$id" --by alice
assert_contains "$ERR" "not awaiting approval"

step "--deny ends the run rejected (exit 3): the gated step is skipped, what had been done rolls back"
# awaiting: the id of the run that waits for approval (one at a time in this test).
awaiting() { jq -r 'select(.status == "awaiting_approval") | .run_id' "$WORK"/state/runs/*.json 2>/dev/null | grep .; }
"$SKILL/run" --workdir "$WORK/w2" --json >"$WORK/deny.json" 2>"$WORK/deny.err" &
runner=$!
wait_for awaiting
id=$(awaiting)
expect_exit 0 "$SKILL/run" --deny "$id" --by alice
rc=0
wait "$runner" || rc=$?
assert_eq 3 "$rc" "the run's exit code"
assert_eq "rejected" "$(field "$id" .status)" "run status"
assert_eq "step deploy: approval denied by alice" "$(field "$id" .error)" "run error"
assert_eq "succeeded skipped denied alice" "$(field "$id" '"\(.steps[0].status) \(.steps[1].status) \(.steps[1].approval.status) \(.steps[1].approval.by)"')" "steps"
check "the step that had succeeded is undone; the denied one had nothing to undo" \
  jq -e '[.rollback[].status] == ["succeeded", "skipped"]
    and ([.guardrails[] | select(.kind == "auto_rollback") | .decision] == ["started", "succeeded"])' "$(record "$id")"
check "the denied step did not run" test "$(cat "$WORK/w2/built.txt")" = $'built\nrolled back'

step "a step's approval wait does not count against the run's time limit"
skill patient <<'MD'
# Workflow: Patient Gate

## Steps
### 1. Ship
- Approval: required
```sh
echo "shipped"
```

## Guardrails
- Timeout: 2 seconds
MD
expect_exit 0 "$SKILL/run" --detach
id=$(jq -r .run_id <<<"$OUT")
wait_status "$id" awaiting_approval
# The run's limit of 2 s is past while the step waits: the decision comes after it.
limit_passed() { (($(date +%s) >= $1)); }
wait_for limit_passed "$(($(date -d "$(field "$id" .started_at)" +%s) + 4))"
expect_exit 0 "$SKILL/run" --approve "$id" --by carol
check "the step runs after the approval and the run succeeds" wait_status "$id" succeeded
check "the record says the limit moved by the wait" jq -e '[.guardrails[] | select(.kind == "run_timeout")
  | .decision] == ["armed", "extended"]' "$(record "$id")"

step "--no-wait applies to the run's approval guardrail, not to a step's gate: the run waits there in the foreground"
skill gated-nowait <<'MD'
# Workflow: Gated Later

## Steps
### 1. Ship
- Approval: required
```sh
echo "shipped"
```
MD
"$SKILL/run" --no-wait >"$WORK/nowait.out" 2>"$WORK/nowait.err" &
runner=$!
wait_for awaiting
id=$(awaiting)
check "the run still runs in the foreground while its step waits" kill -0 "$runner"
expect_exit 0 "$SKILL/run" --approve "$id" --by carol
rc=0
wait "$runner" || rc=$?
assert_eq 0 "$rc" "the run's exit code once the step was approved"

step "the wait's Timeout: ends the run rejected, as the run's approval guardrail does"
skill expiring <<'MD'
# Workflow: Expiring Gate

## Steps
### 1. Ship
- Approval: required
- Timeout: 1 second
```sh
echo "shipped"
```
MD
expect_exit 3 "$SKILL/run" --json
assert_eq "rejected" "$(jq -r .status <<<"$OUT")" "run status"
assert_eq "step ship: approval expired: no decision within 1 s" "$(jq -r .error <<<"$OUT")" "run error"
assert_eq "skipped expired" "$(jq -r '"\(.steps[0].status) \(.steps[0].approval.status)"' <<<"$OUT")" "step"
assert_not_contains "$ERR" "shipped"

step "with Needs:, the steps that do not need the paused step keep running"
skill sidegate <<'MD'
# Workflow: Side Gate

## Steps
### 1. Deploy
- Needs: none
- Approval: required
```sh
echo "deployed"
```

### 2. Docs
- Needs: none
```sh
echo "docs built" > "$DF_WORKDIR/docs.txt"
```

### 3. Announce
- Needs: deploy
```sh
echo "announced"
```
MD
expect_exit 0 "$SKILL/run" --detach --workdir "$WORK/w3"
id=$(jq -r .run_id <<<"$OUT")
wait_for status_is "$id" awaiting_approval
# The docs step ends while the deploy step still waits.
wait_for jq -e '.steps[1].status == "succeeded"' "$(record "$id")"
assert_eq "running pending pending" "$(field "$id" '"\(.steps[0].status) \(.steps[0].approval.status) \(.steps[2].status)"')" "the gate waits"
assert_eq awaiting_approval "$(field "$id" .status)" "run status while docs ended"
expect_exit 0 "$SKILL/run" --approve "$id"
wait_status "$id" succeeded
assert_eq "succeeded succeeded succeeded" "$(field "$id" '[.steps[].status] | join(" ")')" "steps"

step "compile refuses bad values at file:line:col"
mkdir -p "$WORK/bad"
cat >"$WORK/bad/bad.md" <<'MD'
# Workflow: Bad Gates

## Steps
### 1. Deploy
- Approval: maybe
```sh
true
```

### 2. Ship
- Approvers: alice; rm -rf
```sh
true
```

## Rollback
### Undo
- Approval: required
```sh
true
```
MD
expect_exit 1 compile "$WORK/bad/bad.md" -o "$WORK/bad/out"
assert_contains "$ERR" "bad.md:5:3: error: step 'deploy': \`Approval: maybe\`: the only value is \`required\`"
assert_contains "$ERR" "bad.md:11:3: error: step 'ship': \`Approvers:\` 'alice;' is no name"
assert_contains "$ERR" "bad.md:11:3: error: step 'ship' has \`Approvers:\` without \`Approval: required\`"
assert_contains "$ERR" "bad.md:18:3: error: rollback step 'undo' has \`Approval:\`"

step "over HTTP: the approve hook decides on a step's gate, and refuses a stranger"
token=trigger-token-0123456789 approver=approve-token-0123456789
SKILL=$(compile -q --out "$WORK/out" "$WORK/src/gated.md") || fail "compile failed"
on_exit deny_waiting_runs
unset DF_STATE_DIR
start_service DF_TRIGGER_TOKEN=$token DF_APPROVE_TOKEN=$approver
expect_http 202 POST run -H "X-DF-Token: $token" --data-binary '{}'
id=$(jq -r .run_id <<<"$BODY")
wait_for_record "$id" awaiting_approval
expect_http_not_ok() { http "$@" && [[ $CODE != 200 ]] || fail "expected a refusal, got $CODE: $BODY"; }
decision() { jq -cn --arg id "$id" --arg by "$1" --arg d "$2" '{run_id: $id, decision: $d, by: $by}'; }
expect_http_not_ok POST approve -H "X-DF-Approve-Token: $approver" --data-binary "$(decision mallory approve)"
assert_contains "$BODY" "mallory may not decide on step deploy"
expect_http 200 POST approve -H "X-DF-Approve-Token: $approver" --data-binary "$(decision alice approve)"
wait_for_record "$id" succeeded
assert_eq "approved alice" "$(jq -r '"\(.steps[1].approval.status) \(.steps[1].approval.by)"' "$WORK/state/runs/$id.json")" "step approval over HTTP"
