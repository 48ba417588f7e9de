#!/usr/bin/env bash
# The service's cron: runs each line of the skill's `crontab` when its schedule is due, the way crond
# does (`sh -c COMMAND` at the start of the minute, local time, day of month OR day of week when both are
# restricted). A scheduler of our own because busybox crond cannot run jobs as a non-root user (it dies
# on initgroups), and the service runs as one.
#   scheduler.sh             runs until it is stopped (the entrypoint starts it when there is a crontab)
#   scheduler.sh --at EPOCH  starts the jobs due in that minute, waits for them and exits
#   scheduler.sh --next EPOCH  prints, per crontab line, "N SCHEDULE_EPOCH" (N: the line's number, the
#                              cron trigger's; the first due minute after EPOCH, none within 5 years: -1)
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "${BASH_SOURCE[0]%/*}/lib.sh"
export DF_EVENT="scheduler"

schedules=()
commands=()
load_crontab() {
  local line fields
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
    # Five fields of digits and * , - / (what compile writes), then the command.
    if [[ ! $line =~ ^[[:space:]]*(([0-9*,/-]+[[:space:]]+){5})(.+)$ ]]; then
      df_log scheduler "skipped a crontab line it cannot read"
      continue
    fi
    read -ra fields <<<"${BASH_REMATCH[1]}"
    schedules+=("${fields[*]}")
    commands+=("${BASH_REMATCH[3]}")
  done <"$DF_SKILL_DIR/crontab"
}

# field_matches VALUE SPEC MIN MAX: whether VALUE is in the cron field SPEC (a list of *, N, N-M, with /S).
field_matches() {
  local value=$((10#$1)) min=$3 max=$4 item range step lo hi
  local -a items
  IFS=, read -ra items <<<"$2"
  for item in "${items[@]}"; do
    range=${item%%/*} step=1
    [[ $item == */* ]] && step=$((10#${item#*/}))
    if [[ $range == '*' ]]; then
      lo=$min hi=$max
    elif [[ $range == *-* ]]; then
      lo=$((10#${range%-*})) hi=$((10#${range#*-}))
    else
      lo=$((10#$range)) hi=$lo
    fi
    ((step > 0 && value >= lo && value <= hi && (value - lo) % step == 0)) && return 0
  done
  return 1
}

# day_due: whether the day of now[] (M H DOM MON DOW) is in spec[] (the caller's arrays).
day_due() {
  field_matches "${now[3]}" "${spec[3]}" 1 12 || return 1
  local dom=0 dow=0
  field_matches "${now[2]}" "${spec[2]}" 1 31 && dom=1
  field_matches "${now[4]}" "${spec[4]}" 0 6 && dow=1
  if [[ ${spec[2]} != '*'* && ${spec[4]} != '*'* ]]; then
    ((dom || dow))
  else
    ((dom && dow))
  fi
}

# is_due "M H DOM MON DOW" EPOCH
is_due() {
  local -a spec now
  read -ra spec <<<"$1"
  local stamp
  printf -v stamp '%(%M %H %d %m %w)T' "$2"
  read -ra now <<<"$stamp"
  field_matches "${now[0]}" "${spec[0]}" 0 59 && field_matches "${now[1]}" "${spec[1]}" 0 23 && day_due
}

# next_due "M H DOM MON DOW" EPOCH: prints the start of the first minute after EPOCH that is_due, or -1 when
# there is none within 5 years (a day that never comes, such as 31 February). Skips whole days and hours
# that cannot match, so it takes at most a few thousand steps.
next_due() {
  local -a spec now
  read -ra spec <<<"$1"
  local t=$(($2 / 60 * 60 + 60)) end=$(($2 + 5 * 366 * 86400)) stamp
  while ((t < end)); do
    printf -v stamp '%(%M %H %d %m %w)T' "$t"
    read -ra now <<<"$stamp"
    if ! day_due; then
      t=$((t + 86400 - 10#${now[1]} * 3600 - 10#${now[0]} * 60))
    elif ! field_matches "${now[1]}" "${spec[1]}" 0 23; then
      t=$((t + 3600 - 10#${now[0]} * 60))
    elif field_matches "${now[0]}" "${spec[0]}" 0 59; then
      printf '%s\n' "$t"
      return 0
    else
      t=$((t + 60))
    fi
  done
  printf '%s\n' -1
}

start_due_jobs() {
  local i
  for i in "${!schedules[@]}"; do
    if is_due "${schedules[i]}" "$1"; then
      sh -c "${commands[i]}" </dev/null >/dev/null 2>&1 &
    fi
  done
}

load_crontab
if [[ ${1-} == --next ]]; then
  [[ ${2-} =~ ^[0-9]+$ ]] || { echo "usage: scheduler.sh --next EPOCH" >&2; exit 64; }
  for i in "${!schedules[@]}"; do
    printf '%s ' "$((i + 1))"
    next_due "${schedules[i]}" "$2"
  done
  exit 0
fi
if [[ ${1-} == --at ]]; then
  [[ ${2-} =~ ^[0-9]+$ ]] || { echo "usage: scheduler.sh [--at EPOCH]" >&2; exit 64; }
  start_due_jobs "$2"
  wait
  exit 0
fi

df_log scheduler "started with ${#schedules[@]} schedule(s)"
sleeper=""
trap '[[ -z $sleeper ]] || kill "$sleeper" 2>/dev/null; exit 0' TERM INT
# Like crond, the minute we start in is not run: a restart within a minute never starts its jobs twice.
printf -v now '%(%s)T' -1
last=$((now / 60))
while :; do
  printf -v now '%(%s)T' -1
  if ((now / 60 != last)); then
    last=$((now / 60))
    start_due_jobs "$now"
  fi
  # Wake just after the next minute starts; the sleep runs in the background so TERM ends us at once.
  sleep $((61 - now % 60)) &
  sleeper=$!
  wait "$sleeper" || true
done
