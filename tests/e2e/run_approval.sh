#!/usr/bin/env bash
# Approval: runs for production wait until `run --approve` or `run --deny`, or until the approval expires.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
cd "$WORK" || exit

# gated WINDOW: a workflow whose production runs need approval within WINDOW.
gated() {
  skill "approval-$1" <<MD
# Workflow: Gated Deploy

## Inputs
- \`environment\`: staging | production (default: staging)

## Steps
### 1. Deploy
\`\`\`sh
echo "deployed_to=\$environment" >> "\$DF_OUTPUT"
\`\`\`

## Guardrails
- Requires manual approval for production, within $1
MD
}
gated "2 minutes"

step "staging needs no approval"
expect_exit 0 "$SKILL/run" --json
assert_eq "false not_required" "$(jq -r '"\(.approval.required) \(.approval.status)"' <<<"$OUT")" approval

step "--detach for production: queued at once, waits in awaiting_approval, --approve lets it run"
expect_exit 0 "$SKILL/run" --environment production --detach
assert_eq "queued true" "$(jq -r '"\(.status) \(.approval_required)"' <<<"$OUT")" "detach answer"
id=$(jq -r .run_id <<<"$OUT")
wait_status "$id" awaiting_approval
expect_exit 0 "$SKILL/run" --status "$id"
assert_contains "$OUT" "awaiting_approval"
expect_exit 0 "$SKILL/run" --status "$id" --json
assert_eq awaiting_approval "$(jq -r .status <<<"$OUT")" "status --json"
expect_exit 0 "$SKILL/run" --approve "$id" --by 'alice "ops"' --json
assert_eq approved "$(jq -r .decision <<<"$OUT")" decision
expect_exit 65 "$SKILL/run" --deny "$id"
wait_status "$id" succeeded
assert_eq "approved" "$(field "$id" .approval.status)" "approval status"
assert_eq 'alice "ops"' "$(field "$id" .approval.by)" "approved by"
assert_eq production "$(field "$id" .outputs.deployed_to)" output
assert_eq "waiting approved" "$(field "$id" '[.guardrails[] | select(.kind == "approval") | .decision] | join(" ")')" decisions
[[ -s $SKILL/state/runs/$id.log ]] || fail "the detached run wrote no log"
[[ -e $SKILL/state/runs/$id.decision ]] ||
  fail "the first decision was removed at the run's end: a --deny racing the end would be taken"

step "--no-wait exits 4 leaving the run waiting; --deny ends it rejected"
expect_exit 4 "$SKILL/run" --environment production --no-wait --json
id=$(jq -r .run_id <<<"$OUT")
assert_eq awaiting_approval "$(jq -r .status <<<"$OUT")" "record status"
wait_status "$id" awaiting_approval
expect_exit 0 "$SKILL/run" --deny "$id" --by bob
wait_status "$id" rejected
assert_eq "denied bob" "$(field "$id" '"\(.approval.status) \(.approval.by)"')" approval
assert_eq "approval denied" "$(field "$id" .error)" error
assert_eq skipped "$(field "$id" '.steps[0].status')" "the step never ran"
expect_exit 65 "$SKILL/run" --approve "$id"
assert_contains "$ERR" "is rejected, not awaiting approval"

step "in the foreground an unapproved run expires (here after 3 s): rejected, exit 3"
gated "3 seconds"
expect_exit 3 "$SKILL/run" --environment production
id=$(run_id_of "$OUT")
assert_eq "rejected expired" "$(field "$id" '"\(.status) \(.approval.status)"')" "status and approval"
assert_contains "$(field "$id" .error)" "approval expired"

step "unknown and malformed run ids"
expect_exit 66 "$SKILL/run" --approve 20990101T000000Z-00000000
expect_exit 64 "$SKILL/run" --status '../../etc/passwd'
expect_exit 0 "$SKILL/run" --list
[[ $(wc -l <<<"$OUT") -ge 4 ]] || fail "--list shows too few runs: $OUT"
expect_exit 0 "$SKILL/run" --list --json
assert_eq 4 "$(jq length <<<"$OUT")" "--list --json"
echo PASS
