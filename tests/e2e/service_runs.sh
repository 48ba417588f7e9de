#!/usr/bin/env bash
# What the service's runs did: the run-end line on the service's stdout (detached HTTP runs through the real
# webhook, cron runs, a denied run; the error text escaped so it cannot forge a line), the recent-runs hook
# (newest first, status/since filters, paging, refusals, its index of finished runs, a corrupt record logged
# once and skipped) and the metrics hook (read from that index, checked by promtool, which is shown to reject
# a broken sample; the next cron time equals the scheduler's own computation); secret inputs masked in logs.
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source=service_lib.sh
source "$(dirname "$0")/service_lib.sh"

setup_service_test
command -v promtool >/dev/null || fail "promtool is missing (Debian package prometheus; bin/setup installs it)"
# Query variables inherited from the service's environment must not stand in for missing parameters.
# shellcheck disable=SC2154  # token and approver: set by setup_service_test (service_lib.sh)
start_service DF_TRIGGER_TOKEN="$token" DF_APPROVE_TOKEN="$approver" DF_QUERY_LIMIT=1 DF_QUERY_STATUS=succeeded
auth=(-H "X-DF-Token: $token")

# end_line RUN_ID: the run's df_run_end line in the service log, once it is there.
end_line() {
  wait_for grep -qF " df_run_end run_id=$1 " "$WORK/service.log"
  grep -F " df_run_end run_id=$1 " "$WORK/service.log"
}
end_re='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z service-echo: df_run_end run_id=([^ ]+) trigger=([a-z]+) status=([a-z_]+) failed_step=([^ ]*) duration_ms=([0-9]+)( error="(([^"\\]|\\.)*)")?$'

step "a detached HTTP run's end reaches the service's stdout as one df_run_end line"
expect_http 202 POST run "${auth[@]}" --data-binary '{"message":"hello"}'
ok_id=$(jq -r .run_id <<<"$BODY")
wait_for_record "$ok_id" succeeded
line=$(end_line "$ok_id")
[[ $line =~ $end_re ]] || fail "malformed end line: $line"
assert_eq "$ok_id http succeeded " "${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]} ${BASH_REMATCH[4]}" "fields"
[[ -z ${BASH_REMATCH[6]} ]] || fail "a succeeded run's line has an error: $line"
[[ $(grep -c "df_run_end run_id=$ok_id" "$WORK/service.log") == 1 ]] || fail "more than one end line for $ok_id"
# The run's own log holds its steps; the line is not there (it went to webhook's stdout, not the run's fd 1).
assert_not_contains "$(cat "$WORK/state/runs/$ok_id.log")" df_run_end "the run's own log"

step "a denied run ends as rejected, with its error quoted"
expect_http 202 POST run "${auth[@]}" --data-binary '{"message":"x","environment":"production"}'
denied_id=$(jq -r .run_id <<<"$BODY")
wait_for_record "$denied_id" awaiting_approval
expect_http 200 GET metrics "${auth[@]}"
assert_contains "$BODY" $'\ndf_runs_awaiting_approval 1\n' "the waiting run in the metrics"
expect_http 200 GET "runs?status=awaiting_approval" "${auth[@]}"
assert_eq "$denied_id awaiting_approval pending" "$(jq -r '.runs[] | "\(.run_id) \(.status) \(.approval)"' <<<"$BODY")" \
  "the waiting run in the runs hook"
expect_http 200 POST approve -H "X-DF-Approve-Token: $approver" --data-binary "{\"run_id\":\"$denied_id\",\"decision\":\"deny\"}"
line=$(end_line "$denied_id")
[[ $line =~ $end_re ]] || fail "malformed end line: $line"
assert_eq "rejected approval denied" "${BASH_REMATCH[3]} ${BASH_REMATCH[7]}" "denied run"

step "a cron run (the crontab's command, as the scheduler starts it) logs its end with trigger=cron"
command=$(grep -v '^#' "$SKILL/crontab" | head -1 | cut -d' ' -f6-)
env DF_SKILL_DIR="$SKILL" DF_STATE_DIR="$WORK/state" DF_LOG="$WORK/cron.log" DF_SKILL_NAME=service-echo \
  sh -c "$command" </dev/null >/dev/null 2>&1 || fail "the crontab line failed"
wait_for grep -q ' df_run_end .* trigger=cron status=succeeded ' "$WORK/cron.log"
line=$(grep ' df_run_end ' "$WORK/cron.log")
[[ $line =~ $end_re ]] || fail "malformed cron end line: $line"

step "error text cannot add a line or a field: quotes, backslashes and line breaks are escaped"
(
  _DF_SERVICE_LOG=$WORK/forged.log _DF_RUN_ID=20260101T000000Z-0123abcd _DF_TRIGGER=http
  export DF_SKILL_NAME=service-echo
  _DF_FAILED_STEP='keep-message' _DF_CREATED_MS=0
  # shellcheck source=/dev/null
  source "$SKILL/lib/runtime.sh"
  df_run_end_log failed $'bad "x" \\ end\n2026-01-01T00:00:00Z service-echo: df_run_end run_id=forged status=succeeded\ttab\x01'
)
[[ $(wc -l <"$WORK/forged.log") == 1 ]] || fail "the error made more than one line: $(cat "$WORK/forged.log")"
line=$(<"$WORK/forged.log")
[[ $line =~ $end_re ]] || fail "malformed line: $line"
assert_eq 'failed keep-message' "${BASH_REMATCH[3]} ${BASH_REMATCH[4]}" "status and step"
assert_eq 'bad \"x\" \\ end\n2026-01-01T00:00:00Z service-echo: df_run_end run_id=forged status=succeeded\ttab ' \
  "${BASH_REMATCH[7]}" "escaped error"

step "recent runs: newest first, with the documented fields"
# Old records, made by copying a finished one with times in the past: days 6 to 1 before today, within the
# retention rule's 30 days, so that no run ending meanwhile (a cron run the scheduler starts) removes them.
day=() runkey=() # day[N]: 2026-11-27, runkey[N]: 20261127 (the start of a run id)
for n in 1 2 3 4 5 6; do
  day[n]=$(date -u -d "$((7 - n)) days ago" +%F)
  runkey[n]=${day[n]//-/}
done
mk_record() { # ID STATUS STARTED ENDED
  jq --arg id "$1" --arg st "$2" --arg s "$3" --arg e "$4" \
    '.run_id = $id | .status = $st | .started_at = $s | .ended_at = $e | .steps[0].status = (if $st == "failed" then "failed" else .steps[0].status end)' \
    "$WORK/state/runs/$ok_id.json" >"$WORK/state/runs/$1.json"
}
mk_record "${runkey[1]}T000000Z-0000000a" failed "${day[1]}T00:00:00.000Z" "${day[1]}T00:00:02.500Z"
mk_record "${runkey[2]}T000000Z-0000000b" succeeded "${day[2]}T00:00:00.000Z" "${day[2]}T00:00:01.000Z"
mk_record "${runkey[3]}T000000Z-0000000c" failed "${day[3]}T00:00:00.000Z" "${day[3]}T00:01:00.000Z"
# A run recorded as running whose process is gone (a process that has ended, with a made-up start time).
sh -c 'exit 0' &
gone=$!
wait "$gone"
jq --arg id "${runkey[4]}T000000Z-0000000d" --argjson pid "$gone" --arg s "${day[4]}T00:00:00.000Z" \
  '.run_id = $id | .status = "running" | .pid = $pid | .pid_start = "1" | .started_at = $s | .ended_at = null' \
  "$WORK/state/runs/$ok_id.json" >"$WORK/state/runs/${runkey[4]}T000000Z-0000000d.json"
expect_http 200 GET "runs" "${auth[@]}"
ids=$(jq -r '.runs[].run_id' <<<"$BODY")
record_ids() { find "$WORK/state/runs" -maxdepth 1 -name '*.json' -printf '%f\n' | sed 's/\.json$//' | sort -r; }
assert_eq "$(record_ids)" "$ids" "newest first"
jq -e '.next_before == null' <<<"$BODY" >/dev/null || fail "next_before should be null: $BODY"
jq -e --arg id "${runkey[3]}T000000Z-0000000c" '.runs[] | select(.run_id == $id)
  | .status == "failed" and .failed_step == "keep-the-message" and .duration_ms == 60000 and .trigger == "http"
    and (.error | type) == "null" and .approval == "not_required"' <<<"$BODY" >/dev/null ||
  fail "summary fields: $BODY"

jq -e --arg id "${runkey[4]}T000000Z-0000000d" '.runs[] | select(.run_id == $id) | .status == "interrupted" and .ended_at != null' \
  <<<"$BODY" >/dev/null || fail "a running record whose process is gone is not shown interrupted: $BODY"
assert_eq interrupted "$(jq -r .status "$WORK/state/runs/${runkey[4]}T000000Z-0000000d.json")" "recorded as interrupted"

step "filters: status (one or several) and since"
expect_http 200 GET "runs?status=failed" "${auth[@]}"
assert_eq "${runkey[3]}T000000Z-0000000c ${runkey[1]}T000000Z-0000000a" "$(jq -r '[.runs[].run_id] | join(" ")' <<<"$BODY")" "status=failed"
expect_http 200 GET "runs?status=failed,rejected" "${auth[@]}"
assert_eq "$denied_id ${runkey[3]}T000000Z-0000000c ${runkey[1]}T000000Z-0000000a" "$(jq -r '[.runs[].run_id] | join(" ")' <<<"$BODY")" "status=failed,rejected"
expect_http 200 GET "runs?since=${day[2]}T00:00:00Z&status=failed,succeeded" "${auth[@]}"
assert_contains "$(jq -r '[.runs[].run_id] | join(" ")' <<<"$BODY")" "${runkey[3]}T000000Z-0000000c ${runkey[2]}T000000Z-0000000b" "since"
assert_not_contains "$BODY" "${runkey[1]}T000000Z-0000000a" "since excludes older runs"
expect_http 200 GET "runs?since=${day[2]}T00:00:00.001Z" "${auth[@]}"
assert_not_contains "$BODY" "${runkey[2]}T000000Z-0000000b" "since is exact to the millisecond"

step "paging: limit and before"
all=$(record_ids | tr '\n' ' ')
got='' cursor=''
for _ in 1 2 3 4 5 6 7 8; do
  expect_http 200 GET "runs?limit=2${cursor:+&before=$cursor}" "${auth[@]}"
  (($(jq '.runs | length' <<<"$BODY") <= 2)) || fail "more than limit: $BODY"
  got+=$(jq -r '.runs[].run_id + " "' <<<"$BODY" | tr -d '\n')
  cursor=$(jq -r '.next_before // empty' <<<"$BODY")
  [[ -n $cursor ]] || break
done
assert_eq "$all" "$got" "pages together are the whole list, in order"

step "refusals: bad parameters (500 invalid_request) and credentials (401)"
for q in "status=done" "status=failed%2Cx" "status=failed%0A" "limit=0" "limit=201" "limit=x" "before=../x" "since=yesterday" "since=2025-01-01T00:00:00+02:00"; do
  expect_http 500 GET "runs?$q" "${auth[@]}"
  assert_eq invalid_request "$(jq -r .status <<<"$BODY")" "$q"
done
expect_http 401 GET runs
expect_http 401 GET runs -H "X-DF-Token: wrong-token-0123456789"
expect_http 200 GET runs -H "X-DF-Approve-Token: $approver"

step "metrics: Prometheus text 0.0.4 that promtool accepts, with the expected values"
curl -sS -D "$WORK/metrics.headers" -o "$WORK/metrics.txt" "${auth[@]}" "$URL/metrics" || fail "metrics request failed"
grep -qi '^Content-Type: text/plain; version=0.0.4' "$WORK/metrics.headers" || fail "content type: $(cat "$WORK/metrics.headers")"
promtool check metrics <"$WORK/metrics.txt" || fail "promtool rejected the metrics: $(cat "$WORK/metrics.txt")"
m=$(<"$WORK/metrics.txt")
succeeded=$(jq -s '[.[] | select(.status == "succeeded")] | length' "$WORK"/state/runs/*.json)
assert_contains "$m" "df_runs{status=\"succeeded\"} $succeeded" "succeeded count"
assert_contains "$m" 'df_runs{status="failed"} 2' "failed count"
assert_contains "$m" 'df_runs{status="rejected"} 1' "rejected count"
assert_contains "$m" 'df_runs{status="interrupted"} 1' "interrupted count"
assert_contains "$m" 'df_runs{status="running"} 0' "no run left running"
assert_contains "$m" 'df_runs_awaiting_approval 0' "awaiting approval"
# The newest failure is the interrupted run (ended when it was found gone), not the made-up failed ones.
last_failure=$(jq -r '.ended_at | (.[0:19] + "Z" | fromdateiso8601) + ((.[20:23] | tonumber) / 1000)' \
  "$WORK/state/runs/${runkey[4]}T000000Z-0000000d.json")
(( ${last_failure%.*} > $(date -u -d "${day[3]}T00:01:00Z" +%s) )) || fail "interrupted run's end: $last_failure"
assert_contains "$m" "df_last_failure_timestamp_seconds $last_failure" "last failure"
grep -Eq '^df_last_success_timestamp_seconds [0-9]{10}' <<<"$m" || fail "last success: $m"
count=$(awk '/^df_run_duration_seconds_count/ {print $2}' <<<"$m")
inf=$(awk '/^df_run_duration_seconds_bucket\{le="\+Inf"\}/ {print $2}' <<<"$m")
assert_eq "$count" "$inf" "+Inf bucket equals the count"
le1=$(awk '/^df_run_duration_seconds_bucket\{le="1"\}/ {print $2}' <<<"$m")
le60=$(awk '/^df_run_duration_seconds_bucket\{le="60"\}/ {print $2}' <<<"$m")
((le1 >= 1 && le60 >= 3 && le1 <= le60 && le60 <= count)) || fail "buckets: le=1 $le1, le=60 $le60, count $count"
# Each family is one contiguous group (promtool does not check it).
families=$(grep -v '^#' <<<"$m" | sed -E 's/[{ ].*//; s/_(bucket|sum|count)$//' | uniq)
assert_eq "$(sort -u <<<"$families")" "$(sort <<<"$families")" "contiguous families"
version=$(jq -r .version "$SKILL/skill.json")
assert_contains "$m" "df_skill_info{skill=\"service-echo\",version=\"$version\"} 1" "info"
# The next scheduled runs are the scheduler's own computation; */5 is also checked by arithmetic.
next1=$(grep -E '^df_next_run_timestamp_seconds\{trigger="1",schedule="\*/5 \* \* \* \*"\} ' <<<"$m" | awk '{print $NF}')
[[ -n $next1 ]] || fail "no next run for trigger 1: $m"
((next1 % 300 == 0 && next1 > $(date +%s) - 60 && next1 <= $(date +%s) + 300)) || fail "next */5 run: $next1"
grep -Eq '^df_next_run_timestamp_seconds\{trigger="2",schedule="30 1 \* \* 1-5"\} [0-9]+$' <<<"$m" || fail "trigger 2: $m"
assert_not_contains "$m" "hello" "no input value in the metrics"
assert_not_contains "$m" "$token" "no secret in the metrics"

step "metrics take Authorization: Bearer (Prometheus' scrape authorization) and refuse without credentials"
expect_http 200 GET metrics -H "Authorization: Bearer $token"
expect_http 401 GET metrics
expect_http 401 GET metrics -H "Authorization: Bearer wrong-token-0123456789"
expect_http 401 GET metrics -H "Authorization: $token"

step "promtool is not vacuous: it rejects broken samples"
printf '%s' "$m" >"$WORK/broken1.txt" # no final line feed
expect_exit 1 promtool check metrics <"$WORK/broken1.txt"
sed 's/^df_runs{status="failed"}/df_runs{status="fa\\iled"}/' "$WORK/metrics.txt" >"$WORK/broken2.txt"
expect_exit 1 promtool check metrics <"$WORK/broken2.txt"
sed 's/^# TYPE df_runs gauge/# TYPE df_runs counter/' "$WORK/metrics.txt" >"$WORK/broken3.txt"
expect_exit 3 promtool check metrics <"$WORK/broken3.txt"

step "the runs index: a finished run is summarised once, a live one is read again, a stale index is rebuilt"
index=$WORK/state/runs/summaries.tsv
assert_eq "df-runs-index 2" "$(head -1 "$index")" "the index's header"
assert_eq "$(find "$WORK/state/runs" -maxdepth 1 -name '*.json' | wc -l)" "$(($(wc -l <"$index") - 1))" "a line per finished run"
expect_http 202 POST run "${auth[@]}" --data-binary '{"message":"y","environment":"production"}'
live_id=$(jq -r .run_id <<<"$BODY")
wait_for_record "$live_id" awaiting_approval
expect_http 200 GET "runs?limit=1" "${auth[@]}"
assert_eq "$live_id awaiting_approval" "$(jq -r '.runs[] | "\(.run_id) \(.status)"' <<<"$BODY")" "the live run"
assert_not_contains "$(cat "$index")" "$live_id" "a live run in the index"
expect_http 200 POST approve -H "X-DF-Approve-Token: $approver" --data-binary "{\"run_id\":\"$live_id\",\"decision\":\"deny\"}"
wait_for_record "$live_id" rejected
expect_http 200 GET "runs?limit=1" "${auth[@]}"
assert_eq "$live_id rejected" "$(jq -r '.runs[] | "\(.run_id) \(.status)"' <<<"$BODY")" "the run once it ended"
assert_contains "$(cat "$index")" "$live_id"$'\t'rejected$'\t' "the ended run in the index"
# Answers come from the index: a line changed there is what the hook answers (records are not read again).
sed -i 's/"trigger":"http","version"/"trigger":"indexed","version"/' "$index"
expect_http 200 GET "runs?limit=1" "${auth[@]}"
assert_eq indexed "$(jq -r '.runs[0].trigger' <<<"$BODY")" "the summary read from the index"
# An index written in another format is ignored and written again from the records.
sed -i '1s/.*/df-runs-index 0/' "$index"
expect_http 200 GET "runs?limit=1" "${auth[@]}"
assert_eq http "$(jq -r '.runs[0].trigger' <<<"$BODY")" "the summary made again from the record"
assert_eq "df-runs-index 2" "$(head -1 "$index")" "the index rewritten"
# A record removed (as retention removes them) leaves the answers at once, though the index still has it.
mk_record "${runkey[5]}T000000Z-000000ee" failed "${day[5]}T00:00:00.000Z" "${day[5]}T00:00:01.000Z"
expect_http 200 GET "runs?status=failed" "${auth[@]}"
assert_contains "$BODY" "${runkey[5]}T000000Z-000000ee" "a new record"
rm "$WORK/state/runs/${runkey[5]}T000000Z-000000ee.json"
expect_http 200 GET "runs?status=failed" "${auth[@]}"
assert_not_contains "$BODY" "${runkey[5]}T000000Z-000000ee" "a removed record"
assert_contains "$(cat "$index")" "${runkey[5]}T000000Z-000000ee" "the index, not written since"
# The status hook answers a finished run with its record, byte for byte what `run --status --json` prints.
curl -sS -o "$WORK/status.json" "${auth[@]}" "$URL/status?run_id=$live_id" || fail "status request failed"
DF_STATE_DIR=$WORK/state "$SKILL/run" --status "$live_id" --json >"$WORK/status.expected"
cmp "$WORK/status.expected" "$WORK/status.json" || fail "status answer differs from run --status --json"

step "a secret input given in the request is masked in the run's log, its log tail and the service's log"
key=sk-live-0123456789abcdef
expect_http 202 POST run "${auth[@]}" --data-binary "{\"message\":\"m\",\"api_key\":\"$key\"}"
key_id=$(jq -r .run_id <<<"$BODY")
wait_for_record "$key_id" succeeded
wait_for grep -q "run: $key_id: succeeded" "$WORK/state/runs/$key_id.log"
assert_contains "$(cat "$WORK/state/runs/$key_id.log")" $'calling the API with key ***\nand on stderr: ***' "the run's log"
assert_not_contains "$(cat "$WORK/state/runs/$key_id.log")" "$key" "the run's log"
expect_http 200 GET "status?run_id=$key_id&log=tail" "${auth[@]}"
assert_contains "$(jq -r .log <<<"$BODY")" "calling the API with key ***" "the log tail"
assert_not_contains "$BODY" "$key" "the log tail"
# A value shorter than 4 characters is not masked: it would mask ordinary text (as for the service's tokens).
expect_http 202 POST run "${auth[@]}" --data-binary '{"message":"m","api_key":"abc"}'
short_id=$(jq -r .run_id <<<"$BODY")
wait_for_record "$short_id" succeeded
wait_for grep -q "run: $short_id: succeeded" "$WORK/state/runs/$short_id.log"
assert_contains "$(cat "$WORK/state/runs/$short_id.log")" "calling the API with key abc" "a short value"

step "metrics come from the runs index: what a line there says is what they count (records are not read)"
mk_record "${runkey[6]}T000000Z-000000e1" failed "${day[6]}T00:00:00.000Z" "${day[6]}T00:00:01.000Z"
expect_http 200 GET metrics "${auth[@]}"
assert_contains "$BODY" 'df_runs{status="timed_out"} 0' "no timed-out run"
assert_contains "$(cat "$index")" "${runkey[6]}T000000Z-000000e1"$'\t'failed$'\t' "the new run in the index"
sed -i "s/^\(${runkey[6]}T000000Z-000000e1\t\)failed\t/\1timed_out\t/" "$index"
expect_http 200 GET metrics "${auth[@]}"
assert_contains "$BODY" 'df_runs{status="timed_out"} 1' "the status read from the index"

step "a corrupt record is logged once and skipped; the runs after it are still answered, metrics still valid"
bad=${runkey[6]}T000000Z-0000000f
printf '{"run_id": "%s", "status": "fai' "$bad" >"$WORK/state/runs/$bad.json"
rm "$index" # every record is read again, in one jq call with the corrupt one among them
# (Compared by run, not as whole lists: the scheduler may start a cron run meanwhile.)
for _ in 1 2 3; do
  expect_http 200 GET "runs?limit=200" "${auth[@]}"
  ids=$(jq -r '.runs[].run_id' <<<"$BODY")
  assert_not_contains "$ids" "$bad" "the runs"
  for id in "$ok_id" "$key_id" "$short_id"; do assert_contains "$ids" "$id" "the runs after the corrupt one"; done
done
assert_contains "$(cat "$index")" "$bad"$'\t'corrupt$'\t' "the corrupt record in the index"
curl -sS -o "$WORK/metrics2.txt" "${auth[@]}" "$URL/metrics" || fail "metrics request failed"
promtool check metrics <"$WORK/metrics2.txt" || fail "promtool rejected the metrics: $(cat "$WORK/metrics2.txt")"
counted=$(awk '/^df_runs\{/ { n += $2 } END { print n }' "$WORK/metrics2.txt")
((counted >= 5)) || fail "runs counted in the metrics: $counted"
expect_http 200 GET "status?run_id=$ok_id" "${auth[@]}"
assert_eq 1 "$(grep -c "runs/$bad.json is not a readable run record" "$WORK/service.log")" "times the corrupt record is logged"
rm "$WORK/state/runs/$bad.json"

step "a record whose run_id is not its file name's is corrupt: it never stands for the run it names"
impostor=${runkey[6]}T000000Z-000000d0
jq --arg id "$ok_id" '.run_id = $id | .trigger = "impostor"' "$WORK/state/runs/$ok_id.json" >"$WORK/state/runs/$impostor.json"
expect_http 200 GET "runs?limit=200" "${auth[@]}"
assert_eq "$(jq -r .trigger "$WORK/state/runs/$ok_id.json")" \
  "$(jq -r --arg id "$ok_id" '.runs[] | select(.run_id == $id) | .trigger' <<<"$BODY")" "the named run's summary"
assert_eq 1 "$(jq --arg id "$ok_id" '[.runs[] | select(.run_id == $id)] | length' <<<"$BODY")" "the named run's entries"
assert_contains "$(cat "$index")" "$impostor"$'\t'corrupt$'\t' "the record in the index"
assert_not_contains "$(cat "$index")" impostor "the index"
assert_eq 1 "$(grep -c "runs/$impostor.json is not a readable run record" "$WORK/service.log")" "times the record is logged"
rm "$WORK/state/runs/$impostor.json"

step "the log holds no secret"
assert_not_contains "$(cat "$WORK/service.log")" "$key" "secret input"
assert_not_contains "$(cat "$WORK/service.log")" "$token" "trigger token"
assert_not_contains "$(cat "$WORK/service.log")" "$approver" "approve token"
echo "ok"
