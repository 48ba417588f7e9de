#!/bin/bash
# GET /hooks/metrics: the skill's runs in the Prometheus text format 0.0.4 (docs/service.md, "Metrics"),
# computed from the runs index (lib.sh) and the crontab at each request. Nothing of a run's inputs, outputs
# or errors is in it: only statuses, times, the cron schedules and the skill's name and version.
set -euo pipefail
shopt -s nullglob
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "${BASH_SOURCE[0]%/*}/lib.sh"
export DF_EVENT="metrics"

printf -v now '%(%s)T' -1
# The runs from the runs index (lib.sh): only records it lacks are read (one jq call, df_runs_refresh), so a
# scrape does not read every record again. A live run whose process is gone counts as interrupted.
files=("$DF_STATE_DIR"/runs/*.json)
declare -A line_of=()
df_runs_index_load line_of
df_runs_refresh line_of "${files[@]}"
read -r skill version < <(jq -r '"\(.name) \(.version)"' "$DF_SKILL_DIR/skill.json" 2>/dev/null) ||
  df_reject 1 error "cannot read $DF_SKILL_DIR/skill.json"

# label VALUE: a label value escaped as the format requires (\\, \", \n).
label() {
  local v=${1//\\/\\\\}
  v=${v//\"/\\\"}
  printf '%s' "${v//$'\n'/\\n}"
}
# seconds MS: milliseconds as seconds, without trailing zeros (1733212345.23).
seconds() {
  local s
  printf -v s '%d.%03d' $(($1 / 1000)) $(($1 % 1000))
  while [[ $s == *.*0 ]]; do s=${s%0}; done
  printf '%s' "${s%.}"
}

declare -A count=()
statuses=(queued awaiting_approval running succeeded failed timed_out rolled_back rollback_failed rejected interrupted)
for s in "${statuses[@]}"; do count[$s]=0; done
bounds=(1 5 15 60 300 900 3600 21600)
last_success=0 last_failure=0
durations_ms=()
# Each index line: RUN_ID STATUS STARTED_AT ENDED_MS DURATION_MS SUMMARY, read with expansions (no process).
for f in "${files[@]}"; do
  id=${f##*/}
  line=${line_of[${id%.json}]-}
  [[ -n $line ]] || continue
  rest=${line#*$'\t'}
  st=${rest%%$'\t'*}
  rest=${rest#*$'\t'}
  rest=${rest#*$'\t'}
  ended=${rest%%$'\t'*}
  rest=${rest#*$'\t'}
  duration=${rest%%$'\t'*}
  [[ -n ${count[$st]+set} ]] || continue
  count[$st]=$((count[$st] + 1))
  [[ $ended =~ ^[0-9]+$ && $duration =~ ^-?[0-9]+$ ]] || continue
  durations_ms+=("$duration")
  case $st in
    succeeded) ((ended <= last_success)) || last_success=$ended ;;
    failed | timed_out | rolled_back | rollback_failed | interrupted) ((ended <= last_failure)) || last_failure=$ended ;;
  esac
done

out=''
add() { out+="$*"$'\n'; }
add "# HELP df_runs Runs whose records are kept (see the retention rule), by their recorded status."
add "# TYPE df_runs gauge"
for s in "${statuses[@]}"; do add "df_runs{status=\"$s\"} ${count[$s]}"; done
add "# HELP df_last_success_timestamp_seconds Unix time the newest succeeded run ended (0: none kept)."
add "# TYPE df_last_success_timestamp_seconds gauge"
add "df_last_success_timestamp_seconds $(seconds "$last_success")"
add "# HELP df_last_failure_timestamp_seconds Unix time the newest failed, timed_out, rolled_back, rollback_failed or interrupted run ended (0: none kept)."
add "# TYPE df_last_failure_timestamp_seconds gauge"
add "df_last_failure_timestamp_seconds $(seconds "$last_failure")"
# The histogram: cumulative counts per upper bound, in one awk pass over the durations.
read -r -a hist < <(printf '%s\n' "${durations_ms[@]}" | awk -v bounds="${bounds[*]}" '
  BEGIN { n = split(bounds, ub, " ") }
  NF { d = $1 / 1000; sum += d; count++; for (i = 1; i <= n; i++) if (d <= ub[i]) c[i]++ }
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
