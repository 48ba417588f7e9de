#!/usr/bin/env bash
# run --status RUN_ID --graph: the skill's Mermaid graph with each node coloured by a real run's record.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
cd "$WORK" || exit

mermaid_check="$DF_SRC/tests/tools/mermaid/check.mjs"
succeeded='fill:#e3f6e8,stroke:#2e8b57,stroke-width:2px'
failed='fill:#fde8e8,stroke:#c0392b,stroke-width:3px'
running='fill:#fff4d6,stroke:#c98a00,stroke-width:3px'
pending='fill:#f4f4f4,stroke:#aaaaaa,color:#777777'

skill graph-run <<'WF'
# Workflow: Graph Run

## Description
Three steps; the second fails, so the third never runs and the rollback does.

## Inputs
- `environment`: staging | production (default: staging)

## Steps
1. **Build**
   ```sh
   echo built
   ```
2. **Test**
   ```sh
   exit 3
   ```
3. **Ship**
   ```sh
   echo shipped
   ```

## Rollback
1. **Undo**
   ```sh
   echo undone
   ```

## Guardrails
- Requires manual approval for production
- Auto-rollback on failure
WF

step "a failed, rolled-back run: each step, the rollback and the end coloured by the record"
expect_exit 1 "$SKILL/run" --json
id=$(jq -r .run_id <<<"$OUT")
expect_exit 0 "$SKILL/run" --status "$id" --graph
graph=$OUT
assert_contains "$graph" "$(cat "$SKILL/graph.mmd")" "the coloured graph's first part"
assert_contains "$graph" "style s1 $succeeded"
assert_contains "$graph" "style s2 $failed"
assert_contains "$graph" "style s3 fill:#f4f4f4,stroke:#aaaaaa,color:#777777,stroke-dasharray:4" "the skipped step"
assert_contains "$graph" "style r1 $succeeded"
assert_contains "$graph" "style failed $failed"
assert_not_contains "$graph" "style ok " "a failed run's graph"
assert_not_contains "$graph" "style approval " "a run that needed no approval"
printf '%s\n' "$graph" >failed.mmd

step "a run waiting for approval: the gate is the running node, the steps pending"
expect_exit 4 "$SKILL/run" --environment production --no-wait
waiting=$(run_id_of "$OUT")
on_exit "'$SKILL/run' --deny '$waiting' >/dev/null 2>&1"
expect_exit 0 "$SKILL/run" --status "$waiting" --graph
assert_contains "$OUT" "style approval $running"
assert_contains "$OUT" "style s1 $pending"
assert_not_contains "$OUT" "style failed " "a live run's graph"
printf '%s\n' "$OUT" >waiting.mmd

step "the coloured graphs are Mermaid that mermaid parses"
if [[ -d "$DF_SRC/tests/tools/mermaid/node_modules/mermaid" ]]; then
  node "$mermaid_check" failed.mmd waiting.mmd >mermaid.out || fail "mermaid rejects: $(cat mermaid.out)"
else
  echo "(mermaid parser not installed: npm ci --prefix tests/tools/mermaid; parse check skipped)"
fi

step "errors: an unknown run, a skill without graph.mmd"
expect_exit 66 "$SKILL/run" --status 20260101T000000Z-00000000 --graph
rm "$SKILL/graph.mmd"
expect_exit 66 "$SKILL/run" --status "$id" --graph
assert_contains "$ERR" "graph.mmd' is missing: compile the workflow again"
echo "ok"
