#!/usr/bin/env bash
# A hostile workflow: $(…), backticks, quotes and {{mustache}} in every text field. Compiling it, running it
# (with agent steps through the stand-in), dry-running it, --help, --status and --list never execute that
# text; only the command inside the ```sh block runs, as it should.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
cd "$WORK" || exit
C=$WORK/canary
mkdir -p "$C"
bad() { printf '$(touch %s/%s) `touch %s/%s-bt` '"'"'" {{x}} {{{y}}} }}' "$C" "$1" "$C" "$1"; }

skill hostile <<MD
# Workflow: Hostile $(bad title)

## Description
$(bad description)

## Inputs
- \`target\`: $(bad input-description) (default: $(bad default))

## Steps
### 1. Run $(bad step-title)
- $(bad instruction)
\`\`\`sh
touch "$C/command-ran"
printf '%s' "\$target" > "\$DUMP/target"
echo "echoed=\$target" >> "\$DF_OUTPUT"
\`\`\`

### 2. Agent $(bad agent-title)
- $(bad agent-instruction)

\`\`\`python
print("$(bad sample)")
\`\`\`

## Outputs
- \`echoed\`: $(bad output)

## Guardrails
- $(bad guardrail)
- Auto-rollback on failure

## Rollback
### 1. Undo $(bad rollback)
- $(bad rollback-instruction)

## Error Handling
$(bad error-handling)

## Notes
$(bad notes)
MD
export DUMP=$WORK/dump
mkdir -p "$DUMP"
start_gateway --outputs '{"note": "$(touch '"$C"'/from-agent)"}'
export OPENCLAW_GATEWAY_URL=$GW_URL OPENCLAW_GATEWAY_TOKEN=$GW_TOKEN

step "compile, --help, --dry-run (text and JSON): nothing executed, nothing written to state"
default=$(jq -r '.inputs[0].default' "$SKILL/skill.json")
assert_contains "$default" "\$(touch $C/default" "the default as compiled"
expect_exit 0 "$SKILL/run" --help
assert_contains "$OUT" "$default"
expect_exit 0 "$SKILL/run" --dry-run
assert_contains "$OUT" "$(bad instruction)"
expect_exit 0 "$SKILL/run" --dry-run --json
assert_contains "$(jq -r '.steps[1].request.messages[-1].content' <<<"$OUT")" "$(bad agent-instruction)"
[[ ! -e $SKILL/state ]] || fail "--dry-run created $SKILL/state"
assert_eq "" "$(ls "$C")" "canaries after compile and dry runs"

step "a real run: only the sh block runs; the default reaches it byte-exact; agent text stays data"
expect_exit 0 "$SKILL/run" --json
id=$(jq -r .run_id <<<"$OUT")
assert_eq "$default" "$(cat "$DUMP/target")" "the default in the step's environment"
assert_eq "$default" "$(field "$id" .outputs.echoed)" "output"
assert_eq "\$(touch $C/from-agent)" "$(field "$id" .outputs.note)" "agent output"
prompt=$(tail -n 1 "$GW_LOG" | jq -r '.body.messages[-1].content')
assert_contains "$prompt" "$(bad agent-instruction)"
assert_contains "$prompt" "- $(jq -r '.guardrails[0].text' "$SKILL/skill.json")"
assert_contains "$prompt" "\$(touch $C/guardrail)"
expect_exit 0 "$SKILL/run" --status "$id"
expect_exit 0 "$SKILL/run" --list
assert_eq "command-ran" "$(ls "$C")" "canaries: only the command block's file"

step "a run whose agent steps fail (and so does the agent rollback): still nothing executed"
OPENCLAW_AGENT=malformed expect_exit 2 "$SKILL/run" --target "$(bad cli)"
assert_eq "$(bad cli)" "$(cat "$DUMP/target")" "a hostile command-line value"
assert_eq "command-ran" "$(ls "$C")" "canaries"
echo PASS
