#!/usr/bin/env bash
# Rate limit per key over a window, and auto-rollback (rolled_back, rollback_failed).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
cd "$WORK" || exit

skill limited <<'MD'
# Workflow: Limited Deploy

## Inputs
- `service_name` (required): The service
- `mode`: ok, fail (default: ok)
- `rollback_mode`: ok, fail (default: ok)

## Steps
### 1. Prepare
```sh
echo "prepared=yes" >> "$DF_OUTPUT"
```

### 2. Deploy
```sh
[ "$mode" = ok ] || { echo "deploy failed" >&2; exit 1; }
echo "deployed=yes" >> "$DF_OUTPUT"
```

## Guardrails
- Maximum 2 deployments per hour per service
- Auto-rollback on failure

## Rollback
### 1. Restore
```sh
echo "restored $service_name" > "$DUMP/restored"
```

### 2. Verify restore
```sh
[ "$rollback_mode" = ok ]
```
MD
export DUMP=$WORK/dump
mkdir -p "$DUMP"

step "rate limit: 2 runs per hour per service; the third is rejected (exit 3), another service is not"
expect_exit 0 "$SKILL/run" --service_name api
first=$(run_id_of "$OUT")
assert_eq allowed "$(field "$first" '.guardrails[] | select(.kind == "rate_limit") | .decision')" decision
expect_exit 0 "$SKILL/run" --service_name api
expect_exit 3 "$SKILL/run" --service_name api --json
id=$(jq -r .run_id <<<"$OUT")
assert_eq rejected "$(field "$id" .status)" status
assert_eq skipped "$(field "$id" '.steps[0].status')" "steps never started"
assert_contains "$(field "$id" .error)" "rejected by the rate limit guardrail"
assert_contains "$(field "$id" '.guardrails[0].detail')" '2 of 2 runs in the last 3600 s for service_name "api"'
assert_contains "$ERR" "rejected by the rate limit guardrail"
expect_exit 3 "$SKILL/run" --service_name api --detach
assert_eq rejected "$(jq -r .status <<<"$OUT")" "detach answer"
assert_contains "$(jq -r .error <<<"$OUT")" "rate limit"
expect_exit 0 "$SKILL/run" --service_name web
expect_exit 0 "$SKILL/run" --service_name api --dry-run
assert_eq 3 "$(cat "$SKILL"/state/ratelimit/*[0-9a-f] | wc -l)" "ledger entries (api 2, web 1; none for the rejected and dry runs)"

step "auto-rollback: a failed step runs the Rollback steps; the run ends rolled_back (exit 1)"
expect_exit 1 "$SKILL/run" --service_name rb1 --mode fail --json
id=$(jq -r .run_id <<<"$OUT")
assert_eq rolled_back "$(field "$id" .status)" status
assert_eq failed "$(field "$id" '.steps[1].status')" "failed step"
assert_eq "succeeded succeeded" "$(field "$id" '[.rollback[].status] | join(" ")')" "rollback steps"
assert_eq "restored rb1" "$(cat "$DUMP/restored")" "rollback ran with the inputs"
assert_eq "started succeeded" \
  "$(field "$id" '[.guardrails[] | select(.kind == "auto_rollback") | .decision] | join(" ")')" decisions
assert_contains "$(field "$id" .error)" "step deploy failed: exit status 1"

step "a failing rollback step ends the run rollback_failed (exit 2)"
expect_exit 2 "$SKILL/run" --service_name rb2 --mode fail --rollback_mode fail
id=$(run_id_of "$OUT")
assert_eq rollback_failed "$(field "$id" .status)" status
assert_eq "succeeded failed" "$(field "$id" '[.rollback[].status] | join(" ")')" "rollback steps"

step "--step runs one step and never rolls back"
expect_exit 1 "$SKILL/run" --service_name rb3 --mode fail --step deploy
id=$(run_id_of "$OUT")
assert_eq failed "$(field "$id" .status)" status
assert_eq "deploy" "$(field "$id" '[.steps[].id] | join(" ")')" "steps in the record"
assert_eq 0 "$(field "$id" '.rollback | length')" "rollback steps"
expect_exit 64 "$SKILL/run" --service_name x --step nope
assert_contains "$ERR" 'no step "nope"; the steps are: prepare, deploy'
echo PASS
