#!/usr/bin/env bash
# The service over HTTP with real runs: the compiled skill's own entrypoint runs the real webhook on
# 127.0.0.1. A good token or signature starts a run at once whose record holds the payload's values byte for
# byte ($(…) stays literal); status answers with the record; bad inputs start nothing; the approve flow works
# end to end; every event is one log line without secrets.
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source=service_lib.sh
source "$(dirname "$0")/service_lib.sh"

setup_service_test

start_service DF_TRIGGER_TOKEN=$token DF_TRIGGER_HMAC_SECRET=$hmac DF_APPROVE_TOKEN=$approver

step "a good token starts a run at once; its record holds the payload's values byte for byte"
canary=$WORK/canary
message=$(printf '$(touch %s) `touch %s` "dq" '"'"'sq'"'"' \\ ünïcödé ✓\nsecond line\ttab ; rm -rf /' "$canary" "$canary")
jq -cn --arg m "$message" '{message: $m}' >"$WORK/hostile.json"
expect_http 202 POST run -H "X-DF-Token: $token" -H 'Content-Type: application/json' --data-binary @"$WORK/hostile.json"
run_id=$(jq -r .run_id <<<"$BODY")
[[ $run_id =~ $run_id_re ]] || fail "no run id in $BODY"
wait_for_record "$run_id" succeeded
record=$WORK/state/runs/$run_id.json
assert_eq "$message" "$(jq -j .inputs.message "$record")" "recorded message"
assert_eq http "$(jq -r .trigger "$record")" "trigger"
[[ ! -e $canary ]] || fail "the payload was executed: the canary exists"

step "a good HMAC signature starts a run"
printf '%s' '{"message":"hello"}' >"$WORK/body.json"
good_sig=$(hmac_sha256 "$hmac" "$WORK/body.json")
expect_http 202 POST run -H "X-DF-Signature-256: sha256=$good_sig" --data-binary @"$WORK/body.json"
signed_id=$(jq -r .run_id <<<"$BODY")
wait_for_record "$signed_id" succeeded
assert_eq hello "$(jq -j .inputs.message "$WORK/state/runs/$signed_id.json")" "signed run's message"

step "the status hook answers with the record, for the trigger or the approve token"
expect_http 200 GET "status?run_id=$run_id" -H "X-DF-Token: $token"
assert_eq "$run_id" "$(jq -r .run_id <<<"$BODY")" "status run_id"
assert_eq succeeded "$(jq -r .status <<<"$BODY")" "status"
expect_http 200 GET "status?run_id=$run_id" -H "X-DF-Approve-Token: $approver"
expect_http 500 GET "status?run_id=20991231T235959Z-deadbeef" -H "X-DF-Token: $token"
assert_eq not_found "$(jq -r .status <<<"$BODY")" "unknown run"
expect_http 500 GET "status?run_id=../../etc/passwd" -H "X-DF-Token: $token"
assert_eq invalid_request "$(jq -r .status <<<"$BODY")" "malformed run id"

step "invalid inputs are refused with an error object, and no run starts"
runs_before=$(http_run_count)
expect_http 500 POST run -H "X-DF-Token: $token" --data-binary '{"unknown_input":"x","message":"m"}'
assert_eq invalid_input "$(jq -r .status <<<"$BODY")" "unknown input"
expect_http 500 POST run -H "X-DF-Token: $token" --data-binary '{}'
assert_eq invalid_input "$(jq -r .status <<<"$BODY")" "missing input"
expect_http 500 POST run -H "X-DF-Token: $token" --data-binary '{"message":"m","environment":"moon"}'
assert_eq invalid_input "$(jq -r .status <<<"$BODY")" "bad choice"
expect_http 500 POST run -H "X-DF-Token: $token" --data-binary '["message"]'
jq -e 'has("error")' <<<"$BODY" >/dev/null || fail "array body: no error object in $BODY"
assert_eq "$runs_before" "$(http_run_count)" "runs after refused requests"

step "approve flow: the run waits, wrong tokens are refused, the right one lets it finish"
expect_http 202 POST run -H "X-DF-Token: $token" --data-binary '{"message":"to production","environment":"production"}'
waiting_id=$(jq -r .run_id <<<"$BODY")
wait_for_record "$waiting_id" awaiting_approval
expect_http 200 GET "status?run_id=$waiting_id" -H "X-DF-Token: $token"
assert_eq awaiting_approval "$(jq -r .status <<<"$BODY")" "status while waiting"
approval=$(jq -cn --arg id "$waiting_id" '{run_id: $id, decision: "approve", by: "alice@example.com"}')
expect_http 401 POST approve --data-binary "$approval"
expect_http 401 POST approve -H "X-DF-Token: $token" --data-binary "$approval"
expect_http 401 POST approve -H "X-DF-Approve-Token: $token" --data-binary "$approval"
expect_http 401 POST approve -H "X-DF-Approve-Token;" --data-binary "$approval"
expect_http 500 POST approve -H "X-DF-Approve-Token: $approver" --data-binary '{"run_id":"x"}'
assert_eq invalid_request "$(jq -r .status <<<"$BODY")" "malformed approval"
expect_http 500 POST approve -H "X-DF-Approve-Token: $approver" --data-binary 'not json'
assert_eq invalid_request "$(jq -r .status <<<"$BODY")" "approval that is not JSON"
assert_eq awaiting_approval "$(jq -r .status "$WORK/state/runs/$waiting_id.json")" "still waiting"
expect_http 200 POST approve -H "X-DF-Approve-Token: $approver" --data-binary "$approval"
assert_eq "$waiting_id approved alice@example.com" "$(jq -r '"\(.run_id) \(.decision) \(.by)"' <<<"$BODY")" "approve answer"
wait_for_record "$waiting_id" succeeded
assert_eq approved "$(jq -r .approval.status "$WORK/state/runs/$waiting_id.json")" "approval status"
assert_eq alice@example.com "$(jq -r .approval.by "$WORK/state/runs/$waiting_id.json")" "approved by"
expect_http 500 POST approve -H "X-DF-Approve-Token: $approver" --data-binary "$approval"
assert_eq invalid_input "$(jq -r .status <<<"$BODY")" "approving a finished run"
expect_http 500 POST approve -H "X-DF-Approve-Token: $approver" \
  --data-binary '{"run_id":"20991231T235959Z-deadbeef","decision":"approve"}'
assert_eq not_found "$(jq -r .status <<<"$BODY")" "approving an unknown run"

step "deny over HTTP ends a waiting run as rejected"
expect_http 202 POST run -H "X-DF-Token: $token" --data-binary '{"message":"no","environment":"production"}'
denied_id=$(jq -r .run_id <<<"$BODY")
wait_for_record "$denied_id" awaiting_approval
expect_http 200 POST approve -H "X-DF-Approve-Token: $approver" \
  --data-binary "$(jq -cn --arg id "$denied_id" '{run_id: $id, decision: "deny", by: "bob"}')"
wait_for_record "$denied_id" rejected

step "one log line per event on stdout, and no secret in it"
log=$(cat "$WORK/service.log")
assert_contains "$log" "run trigger=http run_id=$run_id status=queued"
assert_contains "$log" "approve decision=approve"
assert_contains "$log" "run trigger=http rejected status=invalid_input"
assert_not_contains "$log" "$token"
assert_not_contains "$log" "$hmac"
assert_not_contains "$log" "$approver"
stop_service

stop_service
echo "ok"
