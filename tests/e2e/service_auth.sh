#!/usr/bin/env bash
# The service's gate: the compiled skill's own entrypoint runs the real webhook on 127.0.0.1. It refuses to
# start without a usable trigger secret; unauthenticated, wrongly authenticated and badly signed requests get
# 401 (never 200, never 500) and start nothing; an unset secret fails closed; health needs no credentials.
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source=service_lib.sh
source "$(dirname "$0")/service_lib.sh"

setup_service_test

step "the entrypoint refuses to start without a trigger secret, or with an unusable one"
expect_exit 78 env -u DF_TRIGGER_TOKEN -u DF_TRIGGER_HMAC_SECRET DF_STATE_DIR="$WORK/state" "$SKILL/entrypoint"
assert_contains "$ERR" "set DF_TRIGGER_TOKEN"
expect_exit 78 env DF_TRIGGER_TOKEN=short DF_STATE_DIR="$WORK/state" "$SKILL/entrypoint"
assert_contains "$ERR" "DF_TRIGGER_TOKEN is too short"
expect_exit 78 env DF_TRIGGER_TOKEN="0123456789abcdef'x" DF_STATE_DIR="$WORK/state" "$SKILL/entrypoint"
assert_contains "$ERR" "single quotes"
expect_exit 78 env DF_TRIGGER_TOKEN=$token DF_PORT=99999 DF_STATE_DIR="$WORK/state" "$SKILL/entrypoint"
assert_contains "$ERR" "DF_PORT"

start_service DF_TRIGGER_TOKEN=$token DF_TRIGGER_HMAC_SECRET=$hmac DF_APPROVE_TOKEN=$approver

step "health answers without authentication"
expect_http 200 GET health
assert_eq ok "$(jq -r .status <<<"$BODY")" "health status"
assert_eq service-echo "$(jq -r .skill <<<"$BODY")" "health skill"

step "unauthenticated, wrongly authenticated and badly signed requests get 401"
printf '%s' '{"message":"hello"}' >"$WORK/body.json"
good_sig=$(hmac_sha256 "$hmac" "$WORK/body.json")
expect_http 401 POST run --data-binary @"$WORK/body.json"
expect_http 401 POST run -H "X-DF-Token: wrong-token-0123456789" --data-binary @"$WORK/body.json"
expect_http 401 POST run -H "X-DF-Token;" --data-binary @"$WORK/body.json"
expect_http 401 POST run -H "X-DF-Token: $approver" --data-binary @"$WORK/body.json"
expect_http 401 POST run -H "X-DF-Approve-Token: $approver" --data-binary @"$WORK/body.json"
expect_http 401 POST run -H "X-DF-Signature-256: sha256=$(hmac_sha256 wrong-secret-0123 "$WORK/body.json")" \
  --data-binary @"$WORK/body.json"
expect_http 401 POST run -H "X-DF-Signature-256: sha256=$good_sig" --data-binary '{"message":"other"}'
expect_http 401 POST run -H "X-DF-Signature-256: garbage" --data-binary @"$WORK/body.json"
expect_http 401 GET "status?run_id=20260101T000000Z-0123abcd"
expect_http 401 GET "status?run_id=20260101T000000Z-0123abcd" -H "X-DF-Token: wrong-token-0123456789"
expect_http 401 POST approve --data-binary '{"run_id":"20260101T000000Z-0123abcd"}'
expect_http 401 POST approve -H "X-DF-Token: $token" --data-binary '{"run_id":"20260101T000000Z-0123abcd"}'
expect_http 405 GET run -H "X-DF-Token: $token"
expect_http 404 GET nothing-here
assert_eq 0 "$(http_run_count)" "runs started by rejected requests"

stop_service

approval_body='{"run_id":"20260101T000000Z-0123abcd","decision":"approve"}'
step "only the HMAC secret set: token requests fail closed, even with an empty token header"
start_service DF_TRIGGER_HMAC_SECRET=$hmac
expect_http 401 POST run -H "X-DF-Token;" --data-binary @"$WORK/body.json"
expect_http 401 POST run -H "X-DF-Token: " --data-binary @"$WORK/body.json"
expect_http 401 GET "status?run_id=20260101T000000Z-0123abcd" -H "X-DF-Token;"
expect_http 401 GET "status?run_id=20260101T000000Z-0123abcd" -H "X-DF-Approve-Token;"
expect_http 401 POST approve -H "X-DF-Approve-Token;" --data-binary "$approval_body"
expect_http 202 POST run -H "X-DF-Signature-256: sha256=$good_sig" --data-binary @"$WORK/body.json"
run_id=$(jq -r .run_id <<<"$BODY")
[[ $run_id =~ $run_id_re ]] || fail "no run id in $BODY"
wait_for_record "$run_id" succeeded
stop_service

step "only the token set (one full of characters JSON and JavaScript escape): signatures fail closed with 401"
odd_token='tok"\\=<&>+/-0123456789'
start_service DF_TRIGGER_TOKEN="$odd_token"
expect_http 401 POST run -H "X-DF-Signature-256: sha256=$(hmac_sha256 "" "$WORK/body.json")" --data-binary @"$WORK/body.json"
expect_http 401 POST run -H "X-DF-Signature-256: sha256=$good_sig" --data-binary @"$WORK/body.json"
expect_http 401 POST approve -H "X-DF-Approve-Token;" --data-binary "$approval_body"
expect_http 401 POST run -H "X-DF-Token: $token" --data-binary @"$WORK/body.json"
expect_http 202 POST run -H "X-DF-Token: $odd_token" --data-binary @"$WORK/body.json"
run_id=$(jq -r .run_id <<<"$BODY")
[[ $run_id =~ $run_id_re ]] || fail "no run id in $BODY"
wait_for_record "$run_id" succeeded
stop_service
echo "ok"
