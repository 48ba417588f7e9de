#!/usr/bin/env bash
# The whole-run timeout stops the running step's process group and ends the run timed_out.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
MARK=dfmark$$y$RANDOM
on_exit "pkill -KILL -f $MARK"

skill slow <<'MD'
# Workflow: Slow Run

## Inputs
- `marker` (required): tags the processes

## Steps
### 1. Quick
```sh
echo "quick=done" >> "$DF_OUTPUT"
```

### 2. Endless
```sh
(exec -a "$marker-a" sleep 1000) &
(exec -a "$marker-b" sleep 1000) &
wait
```

### 3. Never reached
```sh
touch "$DF_WORKDIR/reached"
```

## Guardrails
- Timeout: 2 seconds
MD

step "the run stops at its 2 s limit: exit 5, step 2 timed out, step 3 skipped, no process left"
cd "$WORK" || exit
expect_exit 5 "$SKILL/run" --marker "$MARK" --json
id=$(jq -r .run_id <<<"$OUT")
assert_eq timed_out "$(field "$id" .status)" status
assert_eq succeeded "$(field "$id" .steps[0].status)" "step 1"
assert_eq timed_out "$(field "$id" .steps[1].status)" "step 2"
assert_eq skipped "$(field "$id" .steps[2].status)" "step 3"
assert_contains "$(field "$id" .error)" "the run's time limit of 2 s was reached in step endless"
assert_eq "armed stopped" "$(field "$id" '[.guardrails[] | select(.kind == "run_timeout") | .decision] | join(" ")')" decisions
left=$(pgrep -f "$MARK" || true)
assert_eq "" "$left" "processes left"
echo PASS
