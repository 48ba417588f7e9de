#!/usr/bin/env bash
# `## Rollback` steps with `Undoes: ID` run only when step ID had succeeded; $DF_COMPLETED_STEPS lists the
# steps that had; a failure before anything changed ends `failed`, not `rollback_failed`; compile refuses
# `Undoes:` outside `## Rollback` and ids that name no step.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
cd "$WORK" || exit
export DF_STATE_DIR=$WORK/state

skill undo <<'MD'
# Workflow: Release With Undo

## Inputs
- `fail_at` (required): the step that fails

## Steps
### 1. Tag release
```sh
[[ $fail_at != tag-release ]]
```

### 2. Publish
```sh
[[ $fail_at != publish ]]
```

### 3. Announce
```sh
[[ $fail_at != announce ]]
```

## Rollback
### 1. Unpublish
- Undoes: publish
```sh
echo "unpublish after: $DF_COMPLETED_STEPS" >> "$DF_STATE_DIR/undo.log"
```

### 2. Delete tag
- Undoes: tag-release
```sh
echo "delete tag after: $DF_COMPLETED_STEPS" >> "$DF_STATE_DIR/undo.log"
```

## Guardrails
- Auto-rollback on failure
MD

step "a failure after two steps: both are undone, with DF_COMPLETED_STEPS"
expect_exit 1 "$SKILL/run" --fail_at announce --json
assert_eq rolled_back "$(jq -r .status <<<"$OUT")" "run status"
assert_eq "succeeded succeeded" "$(jq -r '[.rollback[].status] | join(" ")' <<<"$OUT")" "rollback statuses"
assert_eq $'unpublish after: tag-release publish\ndelete tag after: tag-release publish' "$(cat "$DF_STATE_DIR/undo.log")" \
  "what the rollback steps saw"
jq -e '.rollback[0].undoes == "publish" and .steps[0].undoes == null' "$SKILL/skill.json" >/dev/null ||
  fail "skill.json's undoes: $(jq -c '[.rollback[].undoes]' "$SKILL/skill.json")"

step "a failure in the second step: only the tag is undone"
rm -f "$DF_STATE_DIR/undo.log"
expect_exit 1 "$SKILL/run" --fail_at publish --json
assert_eq rolled_back "$(jq -r .status <<<"$OUT")" "run status"
assert_eq "skipped succeeded" "$(jq -r '[.rollback[].status] | join(" ")' <<<"$OUT")" "rollback statuses"
assert_eq "delete tag after: tag-release" "$(cat "$DF_STATE_DIR/undo.log")" "what ran"
assert_contains "$ERR" "step R1 unpublish: skipped (it undoes step publish, which had not succeeded)"

step "a failure before anything changed: nothing to undo, the run ends failed"
rm -f "$DF_STATE_DIR/undo.log"
expect_exit 1 "$SKILL/run" --fail_at tag-release --json
assert_eq failed "$(jq -r .status <<<"$OUT")" "run status"
assert_eq "skipped skipped" "$(jq -r '[.rollback[].status] | join(" ")' <<<"$OUT")" "rollback statuses"
assert_eq "skipped" "$(jq -r '[.guardrails[] | select(.kind == "auto_rollback")] | last | .decision' <<<"$OUT")" \
  "the auto-rollback decision"
[[ ! -e $DF_STATE_DIR/undo.log ]] || fail "a rollback step ran: $(cat "$DF_STATE_DIR/undo.log")"

step "compile: Undoes outside Rollback, or naming no step"
cat >"$WORK/bad.md" <<'MD'
# Workflow: Bad Undo

## Steps
### 1. Tag
- Undoes: tag

```sh
true
```

## Rollback
### 1. Untag
- Undoes: nothing-here

```sh
true
```
MD
expect_exit 1 compile -q --check "$WORK/bad.md"
assert_contains "$ERR" "bad.md:5:3: error: step 'tag' has \`Undoes:\`: only \`## Rollback\` steps undo a step"
assert_contains "$ERR" "bad.md:13:3: error: rollback step 'untag' undoes 'nothing-here', which is no step; the steps are: tag"
echo PASS
