#!/usr/bin/env bash
# Agent steps against the Gateway stand-in: the request (Bearer token, agent id, prompt with inputs, earlier
# outputs and advice), success with outputs (and with the status synonyms models use), a failure the agent
# reports, a malformed reply, HTTP 500 and 401, a timeout, a 500 at the time limit (not a timeout), a reply
# larger than one argument may be, and no Gateway configured.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
cd "$WORK" || exit

skill agent <<'MD'
# Workflow: Agent Check

## Inputs
- `service_name` (required): The service
- `api_token` (optional, secret): A token the agent must never see

## Steps
### 1. Build
```sh
echo "commit=abc123" >> "$DF_OUTPUT"
```

### 2. Deploy it
- Timeout: 2 minutes
- Retries: 0

Deploy the built commit of the service.

- Report the live URL as `deployment_url`

## Outputs
- `commit`: The commit
- `deployment_url`: Live URL

## Guardrails
- Never print secret values in the logs
MD
start_gateway --outputs '{"deployment_url": "https://api.example.test", "replicas": 3}' --slow-seconds 30
export OPENCLAW_GATEWAY_URL=$GW_URL OPENCLAW_GATEWAY_TOKEN=$GW_TOKEN

step "success: outputs from the reply's JSON block; the request is what the contract says"
expect_exit 0 "$SKILL/run" --service_name api --api_token 'tok-SECRET-1' --json
id=$(jq -r .run_id <<<"$OUT")
assert_eq succeeded "$(field "$id" .status)" status
assert_eq https://api.example.test "$(field "$id" .outputs.deployment_url)" deployment_url
assert_eq 3 "$(field "$id" .outputs.replicas)" "a number output becomes a string"
assert_eq "The stand-in Gateway did the step." "$(field "$id" '.steps[1].summary')" summary
assert_eq '[]' "$(field "$id" '.missing_outputs | tojson')" missing_outputs
req=$(tail -n 1 "$GW_LOG")
assert_eq "Bearer $GW_TOKEN" "$(jq -r .authorization <<<"$req")" "Authorization header"
assert_eq main "$(jq -r .agent_id <<<"$req")" "x-openclaw-agent-id"
assert_eq openclaw:main "$(jq -r .body.model <<<"$req")" model
prompt=$(jq -r '.body.messages[-1].content' <<<"$req")
assert_contains "$prompt" "## Step 2: Deploy it"
assert_contains "$prompt" "Deploy the built commit of the service."
assert_contains "$prompt" "- Report the live URL as \`deployment_url\`"
assert_contains "$prompt" '"service_name":"api"'
assert_contains "$prompt" '"api_token":"***"'
assert_contains "$prompt" '{"commit":"abc123"}'
assert_contains "$prompt" "- Never print secret values in the logs"
assert_contains "$prompt" '```json'
assert_not_contains "$req" "tok-SECRET-1" "the request"
assert_not_contains "$(cat "$(record "$id")")" "$GW_TOKEN" "the record"
assert_not_contains "$ERR" "$GW_TOKEN" "the log"

step "the agent id comes from OPENCLAW_AGENT; the dry run shows the same prompt"
OPENCLAW_AGENT=ok expect_exit 0 "$SKILL/run" --service_name api --step deploy-it
assert_eq openclaw:ok "$(tail -n 1 "$GW_LOG" | jq -r .body.model)" model
expect_exit 0 "$SKILL/run" --service_name api --dry-run --json
dry=$(jq -r '.steps[1].request.messages[-1].content' <<<"$OUT")
assert_contains "$dry" '"service_name":"api"'
assert_contains "$dry" "## Step 2: Deploy it"

check_failure() { # MODE EXPECTED_ERROR_PART [EXIT]
  OPENCLAW_AGENT=$1 expect_exit "${3:-1}" "$SKILL/run" --service_name api
  local id
  id=$(run_id_of "$OUT")
  assert_contains "$(field "$id" '.steps[1].error')" "$2" "$1 error"
}
step "the agent reports failure"
check_failure fail "the agent reported failure: The stand-in Gateway could not do the step."
step "a reply without the JSON block fails the step and shows the reply"
check_failure malformed "no valid \`\`\`json result block"
check_failure malformed "the reply was: I deployed it. Everything looks fine to me."
step "HTTP 500 and 401"
check_failure error500 "the Gateway answered HTTP 500"
check_failure unauthorized "the Gateway refused the request (HTTP 401): check OPENCLAW_GATEWAY_TOKEN"
OPENCLAW_GATEWAY_TOKEN=wrong check_failure ok "HTTP 401"
step "a Gateway slower than the step's 3 s limit: timed out (exit 5)"
# A skill of its own with the short limit: the other checks must not depend on how fast a loaded machine
# gets a reply through, only this one on the stand-in's 30 s delay being longer than 3 s.
skill agent-slow < <(sed -e 's/^- Timeout: 2 minutes$/- Timeout: 3 seconds/' \
  -e 's/^# Workflow: Agent Check$/# Workflow: Agent Slow/' "$WORK/src/agent.md")
check_failure slow "the Gateway did not answer within 3 s" 5
step "an HTTP 500 that reaches the step at its time limit: failed, not timed out (exit 1)"
# curl as the runtime calls it, handing its answer (the stand-in's immediate 500) back only once its
# --max-time, the step's limit, has passed: the failing reply arrives at the limit by construction, not by
# a race, and curl itself did not time out.
mkdir -p "$WORK/late-bin" && mkfifo "$WORK/late-bin/.hold"
cat >"$WORK/late-bin/curl" <<LATE
#!/usr/bin/env bash
$(command -v curl) "\$@"
rc=\$? args=("\$@")
for ((i = 0; i < \$#; i++)); do [[ \${args[i]} == --max-time ]] && limit=\${args[i + 1]}; done
read -rt "\$limit" _ <>"$WORK/late-bin/.hold"
exit "\$rc"
LATE
chmod +x "$WORK/late-bin/curl"
PATH=$WORK/late-bin:$PATH check_failure error500 "the Gateway answered HTTP 500" 1
id=$(run_id_of "$OUT")
assert_eq failed "$(field "$id" .steps[1].status)" "step status"
assert_eq '[]' "$(field "$id" '[.guardrails[] | select(.kind == "step_timeout")] | tojson')" "step_timeout entries"
step "the result block's status may be any common synonym, in any case"
for word in Done OK success COMPLETED; do
  start_gateway --ok-status "$word" --outputs '{"deployment_url": "https://x.test", "healthy": true}'
  OPENCLAW_GATEWAY_URL=$GW_URL OPENCLAW_GATEWAY_TOKEN=$GW_TOKEN expect_exit 0 "$SKILL/run" --service_name api
  id=$(run_id_of "$OUT")
  assert_eq succeeded "$(field "$id" .status)" "status with \"$word\""
  assert_eq true "$(field "$id" .outputs.healthy)" "a boolean output is kept as its JSON text"
done
for word in error Failure; do
  start_gateway --ok-status "$word"
  OPENCLAW_GATEWAY_URL=$GW_URL OPENCLAW_GATEWAY_TOKEN=$GW_TOKEN expect_exit 1 "$SKILL/run" --service_name api
  id=$(run_id_of "$OUT")
  assert_contains "$(field "$id" '.steps[1].error')" "the agent reported failure" "status \"$word\""
done

step "a reply larger than one argument may be (an output of 200 KiB) reaches the record whole"
printf '{"deployment_url": "https://x.test", "notes": "%s"}' "$(head -c 204800 /dev/zero | tr '\0' n)" >"$WORK/big-outputs.json"
start_gateway --outputs-file "$WORK/big-outputs.json"
OPENCLAW_GATEWAY_URL=$GW_URL OPENCLAW_GATEWAY_TOKEN=$GW_TOKEN expect_exit 0 "$SKILL/run" --service_name api
id=$(run_id_of "$OUT")
assert_eq succeeded "$(field "$id" .status)" "the run with a large reply"
assert_eq 204800 "$(field "$id" '.steps[1].outputs.notes | length')" "the large output in the step"
assert_eq 204800 "$(field "$id" '.outputs.notes | length')" "the large output in the run's outputs"

step "no Gateway configured: the step fails saying what to set"
unset OPENCLAW_GATEWAY_URL
check_failure ok "set OPENCLAW_GATEWAY_URL (and OPENCLAW_GATEWAY_TOKEN)"
echo PASS
