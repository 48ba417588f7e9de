#!/usr/bin/env bash
# monitor reads run outcomes from the services' own hooks: a real service (webhook through the skill's
# entrypoint) on 127.0.0.1 whose scheduled runs fail, the Coolify stand-in for the apps' health. --runs,
# --run, and --check failing on a failed last run, on a missed cron run (a fake clock, DF_MONITOR_NOW,
# instead of waiting for the schedule), never for a removed skill; --check --offline without Coolify;
# --notify (or the config file's notify) sending exactly one message per change, also under concurrent
# checks; the log tail hook and --diagnose's prompt holding it masked; no token in any output.
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source=monitor_lib.sh
source "$(dirname "$0")/monitor_lib.sh"
# shellcheck source=service_lib.sh
source "$(dirname "$0")/service_lib.sh"

start_standin
SKILL=$(compile -q --out "$WORK/out" "$DF_SRC/tests/data/monitor-nightly.md") || fail "compile failed"
token=nightly-trigger-token-0123456789
# The secret input as `deploy --env DF_INPUT_API_TOKEN=…` gives it: in the service's environment.
api_secret=sekret-api-token-value
start_service DF_TRIGGER_TOKEN="$token" DF_INPUT_API_TOKEN="$api_secret"
closed_port

# What deploy would have left: the app in Coolify, the registry entry (with the deployed version's
# schedule and run timeout) and the service token in the secrets folder.
uuid=$(make_app df-nightly running:healthy "http://127.0.0.1:$PORT")
make_app df-gone exited:unhealthy >/dev/null
deployed_at=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
commit=0123456789abcdef0123456789abcdef01234567
jq -n --arg uuid "$uuid" --arg url "http://127.0.0.1:$PORT" --arg gone "http://127.0.0.1:$CLOSED_PORT" \
  --arg at "$deployed_at" --arg c "$commit" '
  def entry($id; $kind; $status): {id:$id, kind:$kind, commit:$c, deployment_uuid:"", status:$status,
    started_at:$at, finished_at:$at, source_sha256:"", compiler_version:"", skill_version:"", message:""};
  {schema_version:1, skills:{
    nightly:{app_uuid:$uuid, app_name:"df-nightly", fqdn:$url, branch:"df/nightly", commit:$c, status:"finished",
      updated_at:$at, history:[entry("d1"; "deploy"; "finished") + {schedules:["0 3 * * *"], run_timeout_seconds:600}]},
    gone:{app_uuid:"", app_name:"df-gone", fqdn:$gone, branch:"df/gone", commit:$c, status:"removed",
      updated_at:$at, history:[entry("d1"; "deploy"; "finished") + {schedules:["* * * * *"]}, entry("r1"; "remove"; "removed")]}}}' \
  >"$DF_REGISTRY"
mkdir -p "$XDG_CONFIG_HOME/dark-factory/secrets"
printf 'DF_TRIGGER_TOKEN=%s\nDF_APPROVE_TOKEN=approve-token-0123456789\n' "$token" \
  >"$XDG_CONFIG_HOME/dark-factory/secrets/nightly.env"
auth=(-H "X-DF-Token: $token")
# no_token FILE...: fails when the service token is in any of the files.
no_token() { ! grep -qF "$token" "$@" || fail "the service token is in $*"; }

step "--check: healthy app, no runs yet, nothing due since the deployment: OK"
expect_exit 0 monitor --check
assert_eq "OK: 1 of 1 skills healthy" "$OUT" "summary"

step "a scheduled run that fails: --check fails naming the skill, the run, its step and what to do"
command=$(grep -v '^#' "$SKILL/crontab" | head -1 | cut -d' ' -f6-)
env DF_SKILL_DIR="$SKILL" DF_STATE_DIR="$WORK/state" DF_SKILL_NAME=nightly sh -c "$command" </dev/null >/dev/null 2>&1 ||
  fail "the crontab line failed"
cron_record() { compgen -G "$WORK/state/runs/*.json" >/dev/null && [[ $(jq -rs 'map(select(.trigger == "cron"))[0].status' "$WORK"/state/runs/*.json) == failed ]]; }
wait_for cron_record
failed_id=$(jq -rs 'map(select(.trigger == "cron"))[0].run_id' "$WORK"/state/runs/*.json)
expect_exit 1 monitor --check
assert_eq "FAIL: 1 of 1 skills not healthy: df-nightly (last run failed)" "$(head -1 <<<"$OUT")" "summary"
assert_eq 2 "$(wc -l <<<"$OUT")" "one line per problem after the summary"
assert_contains "$OUT" "df-nightly: last run $failed_id failed at step do-the-work: " "problem line"
assert_contains "$OUT" "see \`monitor nightly --run $failed_id\`" "what to do"
assert_not_contains "$OUT" df-gone "a removed skill (its app exited, its service unreachable) is not flagged"
expect_exit 1 monitor --check --json
jq -e --arg id "$failed_id" '.status == "failed" and .total == 1 and .healthy == 0 and (.problems | length) == 1
  and .problems[0].app == "df-nightly" and .problems[0].kind == "last_run_failed"
  and (.problems[0].reason | contains($id)) and (.problems[0].action | length) > 0' <<<"$OUT" >/dev/null ||
  fail "--check --json: $OUT"

step "--runs and --run show what the service recorded"
expect_exit 0 monitor nightly --runs
assert_eq "RUN STATUS TRIGGER STARTED DURATION FAILED STEP ERROR" "$(head -1 <<<"$OUT" | tr -s ' ')" "header"
assert_contains "$(sed -n 2p <<<"$OUT")" "$failed_id  failed  cron" "the failed run"
expect_exit 0 monitor nightly --run "$failed_id"
assert_contains "$OUT" "status   failed" "status"
assert_contains "$OUT" "do-the-work" "the step"
assert_contains "$OUT" "step do-the-work failed: exit status 1" "the run's error"
expect_exit 0 monitor df-nightly --run "$failed_id" --json
assert_eq "$(jq -S . "$WORK/state/runs/$failed_id.json")" "$(jq -S . <<<"$OUT")" "--run --json is the record"
expect_exit 1 monitor nightly --run 20260101T000000Z-0123abcd
assert_contains "$ERR" "nightly has no run 20260101T000000Z-0123abcd" "unknown run"
expect_exit 64 monitor nightly --run '../etc/passwd'
expect_exit 64 monitor --runs
expect_exit 1 monitor nobody --runs

step "the listing and the skill's page show the last run next to the app's health"
expect_exit 0 monitor
assert_contains "$(head -1 <<<"$OUT" | tr -s ' ')" "RESULT LAST RUN RUN AT NOTE" "listing header"
assert_contains "$(grep '^nightly ' <<<"$OUT" | tr -s ' ')" "running:healthy http://127.0.0.1:$PORT" "the app's health"
assert_contains "$(grep '^nightly ' <<<"$OUT" | tr -s ' ')" " failed 20" "its last run"
expect_exit 0 monitor --json
jq -e --arg id "$failed_id" '.apps[] | select(.name == "nightly") | .last_run.run_id == $id
  and .last_run.status == "failed" and .last_run.failed_step == "do-the-work"' <<<"$OUT" >/dev/null ||
  fail "listing --json: $OUT"
jq -e '.apps[] | select(.name == "gone") | .last_run == null' <<<"$OUT" >/dev/null || fail "a removed skill is not asked: $OUT"
expect_exit 0 monitor nightly
assert_contains "$OUT" "last run       failed" "the skill's page"
assert_contains "$OUT" "step do-the-work (run $failed_id)" "the skill's page"
expect_exit 0 monitor nightly --json
jq -e --arg id "$failed_id" '.last_run.run_id == $id and .last_run.status == "failed"' <<<"$OUT" >/dev/null ||
  fail "detail --json: $OUT"

# --watch: each refresh is the listing with the last runs, so runs show as they finish.
"$DF_SRC/bin/monitor" --watch 1 --json >"$WORK/watch.jsonl" 2>"$WORK/watch.err" &
watch_pid=$!
on_exit "kill $watch_pid 2>/dev/null"
frame_ready() { [[ -s $WORK/watch.jsonl ]] && jq -e . "$WORK/watch.jsonl"; }  # a whole frame, not part of one
wait_for frame_ready
kill -INT "$watch_pid"
wait "$watch_pid" || true
jq -e --arg id "$failed_id" '.apps[] | select(.name == "nightly") | .last_run.run_id == $id' \
  <<<"$(head -1 "$WORK/watch.jsonl")" >/dev/null || fail "--watch --json frame: $(head -1 "$WORK/watch.jsonl")"

step "a run that succeeds clears the failure; --runs filters and pages"
expect_http 202 POST run "${auth[@]}" --data-binary '{}'
ok_id=$(jq -r .run_id <<<"$BODY")
wait_for_record "$ok_id" succeeded
expect_exit 0 monitor --check
assert_eq "OK: 1 of 1 skills healthy" "$OUT" "summary"
expect_exit 0 monitor nightly --runs --json
jq -e --arg ok "$ok_id" --arg f "$failed_id" '.skill == "nightly" and ([.runs[].run_id] == [$ok, $f])
  and .runs[0].status == "succeeded" and .runs[0].trigger == "http" and .runs[1].failed_step == "do-the-work"
  and (.runs[0].duration_ms | type) == "number" and .next_before == null' <<<"$OUT" >/dev/null ||
  fail "--runs --json: $OUT"
expect_exit 0 monitor nightly --runs --status failed --json
assert_eq "$failed_id" "$(jq -r '[.runs[].run_id] | join(" ")' <<<"$OUT")" "--status failed"
expect_exit 0 monitor nightly --runs --limit 1
assert_contains "$OUT" "more: monitor nightly --runs --before $ok_id" "the next page's cursor"
expect_exit 0 monitor nightly --runs --limit 1 --before "$ok_id" --json
assert_eq "$failed_id" "$(jq -r '.runs[0].run_id' <<<"$OUT")" "the second page"
expect_exit 64 monitor nightly --runs --limit 0
expect_exit 64 monitor --check --status failed

step "a missed run: the scheduler did not start the 03:00 run; flagged only after the grace period"
# The first 03:00 UTC after the deployment, as a fake clock: no real waiting for the schedule.
due=$(date -u -d "$(date -u -d "$deployed_at" +%F) 03:00" +%s)
(( due > $(date -u -d "$deployed_at" +%s) )) || due=$((due + 86400))
DF_MONITOR_NOW=$((due + 9 * 60)) expect_exit 0 monitor --check
DF_MONITOR_NOW=$((due + 11 * 60)) expect_exit 1 monitor --check
missed_at=$(date -u -d "@$due" '+%Y-%m-%d %H:%M UTC')
assert_contains "$OUT" "df-nightly (missed cron run)" "summary"
assert_contains "$OUT" "df-nightly: no cron run since $missed_at (schedule \`0 3 * * *\`, grace 10 min)" "problem line"
DF_MONITOR_NOW=$((due + 11 * 60)) expect_exit 0 monitor --check --grace 15
DF_MONITOR_NOW=tomorrow expect_exit 78 monitor --check
# The run of that minute (a record as the scheduler would have made it) clears it.
cron_id=$(date -u -d "@$due" +%Y%m%dT%H%M%SZ)-0000cafe
jq --arg id "$cron_id" --arg at "$(date -u -d "@$((due + 1))" +%Y-%m-%dT%H:%M:%S.000Z)" \
  '.run_id = $id | .trigger = "cron" | .started_at = $at | .ended_at = $at' \
  "$WORK/state/runs/$ok_id.json" >"$WORK/state/runs/$cron_id.json"
DF_MONITOR_NOW=$((due + 11 * 60)) expect_exit 0 monitor --check
rm "$WORK/state/runs/$cron_id.json"

step "--check --offline: the registry and the services, without Coolify"
without_coolify() { env -u COOLIFY_URL -u COOLIFY_TOKEN "$DF_SRC/bin/monitor" "$@"; }
requests=$(wc -l <"$WORK/requests.log")
DF_MONITOR_NOW=$((due + 11 * 60)) expect_exit 1 without_coolify --check --offline
assert_contains "$OUT" "FAIL: 1 of 1 skills not healthy: df-nightly (missed cron run)" "offline summary"
expect_exit 0 without_coolify --check --offline
assert_eq "$requests" "$(wc -l <"$WORK/requests.log")" "requests to Coolify"
expect_exit 78 without_coolify --check

step "an unreachable service is a problem that says so"
jq --arg url "http://127.0.0.1:$CLOSED_PORT" '.skills.nightly.fqdn = $url' "$DF_REGISTRY" >"$WORK/unreachable.json"
DF_REGISTRY=$WORK/unreachable.json expect_exit 1 monitor --check --offline
assert_contains "$OUT" "df-nightly (runs unreadable)" "summary"
assert_contains "$OUT" "cannot read its runs" "problem line"
mv "$XDG_CONFIG_HOME/dark-factory/secrets/nightly.env" "$WORK/nightly.env"
expect_exit 1 monitor --check --offline
assert_contains "$OUT" "no service token for nightly in $XDG_CONFIG_HOME/dark-factory/secrets/nightly.env" "no token"
expect_exit 78 monitor nightly --runs
mv "$WORK/nightly.env" "$XDG_CONFIG_HOME/dark-factory/secrets/nightly.env"

step "--notify: exactly one message per change (failing, then resolved), none while unchanged"
rm -f "$WORK/.receiver_port"
python3 -c 'import http.server, json, os, sys, threading
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(sys.argv[2], "ab") as f:
            f.write(json.dumps({"type": self.headers["Content-Type"], "body": json.loads(body)}).encode() + b"\n")
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
threading.Timer(90, server.shutdown).start()
open(sys.argv[1] + ".tmp", "w").write(str(server.server_address[1])); os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()' "$WORK/.receiver_port" "$WORK/received.jsonl" >/dev/null 2>&1 &
on_exit "kill $! 2>/dev/null"
wait_for test -s "$WORK/.receiver_port"
receiver="http://127.0.0.1:$(<"$WORK/.receiver_port")/hooks/abc"
export XDG_STATE_HOME=$WORK/state-home
messages() { [[ -f $WORK/received.jsonl ]] && wc -l <"$WORK/received.jsonl" || echo 0; }
fake_fail=$((due + 11 * 60))
DF_MONITOR_NOW=$fake_fail expect_exit 1 monitor --check --notify "$receiver" --notify-cmd "cat >>'$WORK/cmd.jsonl'"
assert_eq 1 "$(messages)" "the first failing check sends"
jq -e '.type == "application/json" and .body.status == "failing" and .body.previous == "healthy"
  and (.body.text | startswith("Dark Factory: FAIL: 1 of 1 skills not healthy: df-nightly (missed cron run)"))
  and .body.problems[0].kind == "missed_run" and .body.problems[0].app == "df-nightly"' "$WORK/received.jsonl" >/dev/null ||
  fail "the message: $(cat "$WORK/received.jsonl")"
assert_eq "$(jq -c .body "$WORK/received.jsonl")" "$(jq -c . "$WORK/cmd.jsonl")" "--notify-cmd got the same message on stdin"
# Four checks at once, state unchanged: nothing more.
pids=()
for _ in 1 2 3 4; do
  DF_MONITOR_NOW=$fake_fail monitor --check --notify "$receiver" >/dev/null 2>&1 &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done
assert_eq 1 "$(messages)" "an unchanged state sends nothing"
# Resolved: four concurrent checks, one message.
pids=()
for _ in 1 2 3 4; do
  monitor --check --notify "$receiver" >/dev/null 2>&1 &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
assert_eq 2 "$(messages)" "one resolved message however many checks ran at once"
jq -se '.[1].body.status == "resolved" and .[1].body.previous == "failing" and .[1].body.problems == []
  and (.[1].body.text | startswith("Dark Factory: resolved. OK: 1 of 1 skills healthy"))' "$WORK/received.jsonl" >/dev/null ||
  fail "the resolved message: $(tail -1 "$WORK/received.jsonl")"
expect_exit 0 monitor --check --notify "$receiver"
assert_eq 2 "$(messages)" "still healthy: nothing"
# A receiver that cannot be reached: a warning, the verdict's exit code unchanged, not re-sent.
DF_MONITOR_NOW=$fake_fail expect_exit 1 monitor --check --notify "http://127.0.0.1:$CLOSED_PORT/hook"
assert_contains "$ERR" "monitor: warning: notify URL #1 (http://127.0.0.1:$CLOSED_PORT)" "delivery failure"
expect_exit 64 monitor --check --notify ftp://example.test/x
expect_exit 64 monitor --notify "$receiver"

step "the config file's notify and notify_cmd stand for --notify and --notify-cmd; flags replace them"
jq -n --arg url "$receiver" --arg cmd "cat >>'$WORK/config-cmd.jsonl'" '{notify: [$url], notify_cmd: $cmd}' \
  >"$WORK/notify-config.json"
before=$(messages)
DF_CONFIG=$WORK/notify-config.json expect_exit 0 monitor --check
assert_eq $((before + 1)) "$(messages)" "resolved, sent to the config file's URL"
assert_eq resolved "$(jq -r .status "$WORK/config-cmd.jsonl")" "and given to its command"
DF_CONFIG=$WORK/notify-config.json DF_MONITOR_NOW=$fake_fail expect_exit 1 monitor --check
assert_eq $((before + 2)) "$(messages)" "failing, sent to the config file's URL"
assert_eq "resolved failing" "$(jq -rs 'map(.status) | join(" ")' "$WORK/config-cmd.jsonl")" "both to its command"
DF_CONFIG=$WORK/notify-config.json expect_exit 0 monitor --check --notify-cmd "cat >>'$WORK/flag-cmd.jsonl'"
assert_eq $((before + 2)) "$(messages)" "a --notify-cmd flag replaces the file's notify"
assert_eq resolved "$(jq -r .status "$WORK/flag-cmd.jsonl")" "the flag's command got the message"
assert_eq 2 "$(wc -l <"$WORK/config-cmd.jsonl")" "and the file's notify_cmd nothing"
jq -n '{notify: ["ftp://example.test/x"]}' >"$WORK/bad-config.json"
DF_CONFIG=$WORK/bad-config.json expect_exit 78 monitor --check
assert_contains "$OUT$ERR" "notify takes http:// or https:// URLs" "a bad URL in the file"
jq -n '{notify_cmd: [1]}' >"$WORK/bad-config.json"
DF_CONFIG=$WORK/bad-config.json expect_exit 78 monitor --check
assert_contains "$OUT$ERR" "'notify_cmd' must be a string or a list of strings" "a bad list in the file"

step "the run's log tail (status hook, log=tail): bounded, the service's secrets masked"
expect_http 202 POST run "${auth[@]}" --data-binary '{"mode":"fail"}'
bad_id=$(jq -r .run_id <<<"$BODY")
wait_for_record "$bad_id" failed
# The run masks its secret inputs as it writes its log (docs/run.md, "Secrets in the output").
assert_contains "$(cat "$WORK/state/runs/$bad_id.log")" "calling the API with token ***" "the step's line in the log"
assert_not_contains "$(cat "$WORK/state/runs/$bad_id.log")" "$api_secret" "the run's log"
expect_http 200 GET "status?run_id=$bad_id&log=tail" "${auth[@]}"
jq -e '.lines > 2 and .truncated == false' <<<"$BODY" >/dev/null || fail "the whole log: $BODY"
assert_contains "$(jq -r .log <<<"$BODY")" "calling the API with token ***"$'\n'"the job was asked to fail (mode fail)" "masked log"
assert_not_contains "$BODY" "$api_secret" "the log tail"
expect_http 200 GET "status?run_id=$bad_id&log=tail&lines=1" "${auth[@]}"
jq -e '.lines == 1 and .truncated == true and (.log | endswith("\n"))' <<<"$BODY" >/dev/null || fail "one line: $BODY"
assert_eq "$(tail -n 1 "$WORK/state/runs/$bad_id.log")" "$(jq -r .log <<<"$BODY" | head -1)" "the last line"
# The hook masks on top what the service knows (DF_INPUT_API_TOKEN): a line with it, as a runtime that did not
# mask it would have written.
printf 'an unmasked line: token %s\n' "$api_secret" >>"$WORK/state/runs/$bad_id.log"
expect_http 200 GET "status?run_id=$bad_id&log=tail&lines=1" "${auth[@]}"
assert_eq 'an unmasked line: token ***' "$(jq -r .log <<<"$BODY" | head -1)" "the hook's masking"
for q in "log=head" "log=tail&lines=0" "log=tail&lines=501" "lines=5"; do
  expect_http 500 GET "status?run_id=$bad_id&$q" "${auth[@]}"
  assert_eq invalid_request "$(jq -r .status <<<"$BODY")" "$q"
done
expect_http 500 GET "status?run_id=20250101T000000Z-00000000&log=tail" "${auth[@]}"
assert_eq not_found "$(jq -r .status <<<"$BODY")" "no such run"
expect_http 401 GET "status?run_id=$bad_id&log=tail"

step "--diagnose: the failed run's record, its step's commands, its log tail and the guardrails go to the Gateway, no secret"
rm -f "$WORK/gw.port"
"$DF_BIN/gateway-standin" --port-file "$WORK/gw.port" --token gw-token-0123456789 --log "$WORK/gateway.log"   --lifetime 90 >/dev/null 2>&1 &
on_exit "kill $! 2>/dev/null"
wait_for test -s "$WORK/gw.port"
OPENCLAW_GATEWAY_URL="http://127.0.0.1:$(<"$WORK/gw.port")"
export OPENCLAW_GATEWAY_URL OPENCLAW_GATEWAY_TOKEN=gw-token-0123456789
expect_exit 0 monitor nightly --diagnose --skill-dir "$SKILL"
assert_contains "$(head -1 <<<"$OUT")" "Diagnosis of nightly run $bad_id (agent main):" "the newest failed run by default"
assert_eq 1 "$(wc -l <"$WORK/gateway.log")" "one request to the Gateway"
prompt=$(jq -r '.body.messages[1].content' "$WORK/gateway.log")
assert_contains "$prompt" "Step \`do-the-work\` (Do the work, command)" "the failed step"
assert_contains "$prompt" 'echo "the job was asked to fail (mode $mode)" >&2' "the step's commands"
assert_contains "$prompt" "Timeout: 10 minutes (enforced" "the guardrails"
assert_contains "$prompt" "\"run_id\": \"$bad_id\"" "the run record"
assert_contains "$prompt" "## Last deployments" "the deployments"
assert_contains "$prompt" "# Workflow: Nightly Job" "the workflow text, for a diff"
assert_contains "$prompt" '"api_token": "***"' "the secret input, masked"
assert_contains "$prompt" "## The end of the run's log" "the log tail's section"
assert_contains "$prompt" "calling the API with token ***"$'\n'"the job was asked to fail (mode fail)" "the log tail"
for secret in "$api_secret" "$token" approve-token-0123456789 gw-token-0123456789 standin-token; do
  assert_not_contains "$(jq -c .body "$WORK/gateway.log")" "$secret" "the request body"
done
assert_eq "Bearer gw-token-0123456789 main" "$(jq -r '"\(.authorization) \(.agent_id)"' "$WORK/gateway.log")" "credentials and agent"
expect_exit 0 monitor nightly --diagnose "$failed_id" --json
jq -e --arg id "$failed_id" '.skill == "nightly" and .run_id == $id and .agent == "main" and (.diagnosis | length) > 0
  and .diff == null and (.prompt | contains("The compiled skill folder was not given"))' <<<"$OUT" >/dev/null ||
  fail "--diagnose --json: $OUT"
OPENCLAW_GATEWAY_TOKEN=wrong-token-0123456 expect_exit 77 monitor nightly --diagnose
OPENCLAW_GATEWAY_URL='' expect_exit 78 monitor nightly --diagnose
expect_exit 64 monitor nightly --diagnose not-a-run-id
assert_eq 3 "$(wc -l <"$WORK/gateway.log")" "the refused request was not re-sent"

step "no service token in any output, message or state file"
no_token "$WORK/received.jsonl" "$WORK/cmd.jsonl" "$XDG_STATE_HOME/dark-factory/monitor-alerts.json"
