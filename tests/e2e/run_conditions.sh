#!/usr/bin/env bash
# `If:` on a step: compared when the step would start, with an input or an output of a step that has ended;
# false, the step is `skipped` (the reason in its error) and the steps that need only it still run; a
# rollback step's `If:` and `run --step ID`'s are evaluated too; compile refuses a condition on something
# that is neither, or on an output of a step that has not ended by then (on rollback steps too).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
cd "$WORK" || exit
export DF_STATE_DIR=$WORK/state

skill cond <<'MD'
# Workflow: Conditional

## Inputs
- `environment` (required): where to deploy

## Steps
### 1. Check
```sh
echo "changed=true" >> "$DF_OUTPUT"
```

### 2. Prod only
- If: environment == production
```sh
echo "ran prod-only" >> "$DF_WORKDIR/ran"
```

### 3. When changed
- If: steps.check.outputs.changed == "true"
```sh
echo "ran when-changed" >> "$DF_WORKDIR/ran"
```

### 4. Not staging
- If: environment != staging
```sh
echo "ran not-staging" >> "$DF_WORKDIR/ran"
```
MD

step "a false condition skips the step; the run goes on"
DF_KEEP_WORKDIR=1 expect_exit 0 "$SKILL/run" --environment staging --json --workdir "$WORK/w1"
assert_eq "succeeded skipped succeeded skipped" "$(jq -r '[.steps[].status] | join(" ")' <<<"$OUT")" "step statuses"
assert_eq "null null" "$(jq -c '.steps[1] | .started_at, .ended_at' <<<"$OUT" | xargs)" "a skipped step's times"
assert_eq "ran when-changed" "$(cat "$WORK/w1/ran")" "the steps that ran"
assert_contains "$ERR" 'step 2 prod-only: skipped (If: environment == production; it is "staging")'
check "the reason is the skipped step's error" \
  test "$(jq -r '.steps[1].error' <<<"$OUT")" = 'skipped: If: environment == production; it is "staging"'
jq -e '.steps[1].if == {left: "environment", op: "==", right: "production"}' "$SKILL/skill.json" >/dev/null ||
  fail "skill.json's if: $(jq -c '.steps[1].if' "$SKILL/skill.json")"

step "run --dry-run shows the condition"
expect_exit 0 "$SKILL/run" --dry-run --environment staging
assert_contains "$OUT" $'2. prod-only (command): Prod only\n   if: environment == production'

step "a true condition runs it"
DF_KEEP_WORKDIR=1 expect_exit 0 "$SKILL/run" --environment production --json --workdir "$WORK/w2"
assert_eq "succeeded succeeded succeeded succeeded" "$(jq -r '[.steps[].status] | join(" ")' <<<"$OUT")" "step statuses"

step "run --step ID evaluates the step's If: (false: skipped, exit 0; true: it runs)"
expect_exit 0 "$SKILL/run" --step prod-only --environment staging --json --workdir "$WORK/w3"
check "the one step is skipped, with the reason" jq -e '[.steps[] | .status, .error]
  == ["skipped", "skipped: If: environment == production; it is \"staging\""] and .status == "succeeded"' <<<"$OUT"
check "it did not run" test ! -e "$WORK/w3/ran"
expect_exit 0 "$SKILL/run" --step prod-only --environment production --json --workdir "$WORK/w3"
check "true, it runs" test "$(cat "$WORK/w3/ran")" = "ran prod-only"

step "If: on rollback steps: a false condition skips the rollback step, the reason in the record"
skill rollback-cond <<'MD'
# Workflow: Conditional Rollback

## Inputs
- `environment` (required): where to deploy

## Steps
### 1. Tag
```sh
echo "tagged=yes" >> "$DF_OUTPUT"
```

### 2. Break
```sh
exit 1
```

## Rollback
### 1. Untag in production
- If: environment == production
```sh
echo "untag in production" >> "$DF_WORKDIR/undone"
```

### 2. Untag what was tagged
- If: steps.tag.outputs.tagged == yes
```sh
echo "untag" >> "$DF_WORKDIR/undone"
```

### 3. Not when tagged
- If: steps.tag.outputs.tagged != yes
```sh
echo "untagged already" >> "$DF_WORKDIR/undone"
```

## Guardrails
- Roll back automatically on failure
MD
expect_exit 1 "$SKILL/run" --environment staging --json --workdir "$WORK/w4"
check "the rollback steps whose If: holds run, the others are skipped" jq -e '.status == "rolled_back"
  and [.rollback[].status] == ["skipped", "succeeded", "skipped"]
  and .rollback[0].error == "skipped: If: environment == production; it is \"staging\""' <<<"$OUT"
check "only that one ran" test "$(cat "$WORK/w4/undone")" = "untag"

step "with Needs: a step that needs only the skipped one still runs"
skill condneeds <<'MD'
# Workflow: Conditional Graph

## Inputs
- `environment` (required): where to deploy

## Steps
### 1. Gate
- Needs: none
- If: environment == production
```sh
echo gate
```

### 2. After gate
- Needs: gate
```sh
echo after
```
MD
expect_exit 0 "$SKILL/run" --environment staging --json
assert_eq "skipped succeeded" "$(jq -r '[.steps[].status] | join(" ")' <<<"$OUT")" "step statuses"

step "compile: what a condition may compare, each error at file:line:col"
cat >"$WORK/bad.md" <<'MD'
# Workflow: Bad Conditions

## Inputs
- `environment` (required): where

## Steps
### 1. First
- If: enviroment == production

```sh
true
```

### 2. Second
- Needs: none
- If: steps.first.outputs.x == y

```sh
true
```

## Rollback
### 1. Undo
- If: enviroment == production

```sh
true
```
MD
expect_exit 1 compile -q --check "$WORK/bad.md"
assert_contains "$ERR" "bad.md:8:3: error: \`If:\` compares an input or steps.<id>.outputs.<name> with a text (\`If: environment == production\`); 'enviroment' is neither (the inputs: environment)"
assert_contains "$ERR" "bad.md:16:3: error: step 'second' reads an output of step 'first', which has not ended when it starts (give it \`Needs: first\`)"
assert_contains "$ERR" "bad.md:24:3: error: \`If:\` compares an input or steps.<id>.outputs.<name> with a text (\`If: environment == production\`); 'enviroment' is neither (the inputs: environment)"
echo PASS
