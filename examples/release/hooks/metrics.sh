#!/bin/bash
# GET /hooks/metrics: the skill's runs in the Prometheus text format 0.0.4 (docs/service.md, "Metrics"),
# computed from the run records kept and the crontab at each request. Nothing of a run's inputs, outputs
# or errors is in it: only statuses, times, the cron schedules and the skill's name and version.
set -euo pipefail
shopt -s nullglob
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "${BASH_SOURCE[0]%/*}/lib.sh"
export DF_EVENT="metrics"

printf -v now '%(%s)T' -1
files=("$DF_STATE_DIR"/runs/*.json)
# A live run whose process is gone counts as interrupted, as `run --status` records it.
df_check_live "${files[@]}"
# The skill, then the per-run facts as text lines, all from one jq call:
#   "S STATUS" per run, "D SECONDS" per finished run, "L success|failure EPOCH" for the newest of each.
# shellcheck disable=SC2016 # a jq program
facts=$(jq -rn --slurpfile skill "$DF_SKILL_DIR/skill.json" '
  def secs: (.[0:19] + "Z" | fromdateiso8601) + ((.[20:23] | tonumber? // 0) / 1000);
  def failure: . == "failed" or . == "timed_out" or . == "rolled_back" or . == "rollback_failed"
    or . == "interrupted";
  ($skill[0] | "I \(.name) \(.version)"),
  (reduce (inputs | select(type == "object" and (.status | type) == "string")) as $r
      ({lines: [], success: null, failure: null};
       .lines += ["S \($r.status)"]
       | if $r.ended_at then
           ($r.ended_at | secs) as $e
           | .lines += ["D \($e - ($r.started_at | secs))"]
           | if $r.status == "succeeded" and $e > (.success // 0) then .success = $e
             elif ($r.status | failure) and $e > (.failure // 0) then .failure = $e else . end
         else . end)
   | .lines[], "L success \(.success // 0)", "L failure \(.failure // 0)")' "${files[@]}" </dev/null 2>/dev/null) ||
  df_reject 1 error "cannot read the run records in $DF_STATE_DIR/runs"

# label VALUE: a label value escaped as the format requires (\\, \", \n).
label() {
  local v=${1//\\/\\\\}
  v=${v//\"/\\\"}
  printf '%s' "${v//$'\n'/\\n}"
}

declare -A count=()
statuses=(queued awaiting_approval running succeeded failed timed_out rolled_back rollback_failed rejected interrupted)
for s in "${statuses[@]}"; do count[$s]=0; done
bounds=(1 5 15 60 300 900 3600 21600)
last_success=0 last_failure=0 skill='' version=''
durations_list=()
while read -r kind a b; do
  case $kind in
    I) skill=$a version=$b ;;
    S) [[ -n ${count[$a]+set} ]] && count[$a]=$((count[$a] + 1)) ;;
    D) durations_list+=("$a") ;;
    L) if [[ $a == success ]]; then last_success=$b; else last_failure=$b; fi ;;
  esac
done <<<"$facts"

out=''
add() { out+="$*"$'\n'; }
add "# HELP df_runs Runs whose records are kept (see the retention rule), by their recorded status."
add "# TYPE df_runs gauge"
for s in "${statuses[@]}"; do add "df_runs{status=\"$s\"} ${count[$s]}"; done
add "# HELP df_last_success_timestamp_seconds Unix time the newest succeeded run ended (0: none kept)."
add "# TYPE df_last_success_timestamp_seconds gauge"
add "df_last_success_timestamp_seconds $last_success"
add "# HELP df_last_failure_timestamp_seconds Unix time the newest failed, timed_out, rolled_back, rollback_failed or interrupted run ended (0: none kept)."
add "# TYPE df_last_failure_timestamp_seconds gauge"
add "df_last_failure_timestamp_seconds $last_failure"
# The histogram: cumulative counts per upper bound, in one awk pass over the durations.
read -r -a hist < <(printf '%s\n' "${durations_list[@]}" | awk -v bounds="${bounds[*]}" '
  BEGIN { n = split(bounds, ub, " ") }
  NF { sum += $1; count++; for (i = 1; i <= n; i++) if ($1 <= ub[i]) c[i]++ }
  END { line = ""; for (i = 1; i <= n; i++) line = line (c[i] + 0) " "; printf "%s%d %.3f\n", line, count, sum }')
add "# HELP df_run_duration_seconds Time from a run's creation to its end, over the finished runs kept."
add "# TYPE df_run_duration_seconds histogram"
for i in "${!bounds[@]}"; do add "df_run_duration_seconds_bucket{le=\"${bounds[i]}\"} ${hist[i]}"; done
n=${#bounds[@]}
add "df_run_duration_seconds_bucket{le=\"+Inf\"} ${hist[n]}"
add "df_run_duration_seconds_sum ${hist[n + 1]}"
add "df_run_duration_seconds_count ${hist[n]}"
add "# HELP df_runs_awaiting_approval Runs waiting for an approval now."
add "# TYPE df_runs_awaiting_approval gauge"
add "df_runs_awaiting_approval ${count[awaiting_approval]}"
if [[ -f $DF_SKILL_DIR/crontab ]]; then
  add "# HELP df_next_run_timestamp_seconds Unix time of the next scheduled run of each cron trigger (-1: never)."
  add "# TYPE df_next_run_timestamp_seconds gauge"
  mapfile -t schedules < <(grep -Ev '^[[:space:]]*(#|$)' "$DF_SKILL_DIR/crontab" | awk '{print $1, $2, $3, $4, $5}')
  while read -r number next; do
    add "df_next_run_timestamp_seconds{trigger=\"$number\",schedule=\"$(label "${schedules[number - 1]-}")\"} $next"
  done < <("$BASH" "$DF_SKILL_DIR/hooks/scheduler.sh" --next "$now")
fi
add "# HELP df_skill_info The skill this service runs: its name and version (skill.json); always 1."
add "# TYPE df_skill_info gauge"
add "df_skill_info{skill=\"$(label "$skill")\",version=\"$(label "$version")\"} 1"
printf '%s' "$out"
