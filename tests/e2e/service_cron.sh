#!/usr/bin/env bash
# Cron triggers: the scheduler's matching follows cron's rules; each crontab line, run the way crond runs
# it (`sh -c LINE`), starts a real run with the trigger's inputs byte for byte and DF_TRIGGER=cron; hostile
# input values stay literal; the entrypoint starts the scheduler and it ends with the service.
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source=service_lib.sh
source "$(dirname "$0")/service_lib.sh"

compile_service_skill
on_exit deny_waiting_runs
export TZ=UTC DF_STATE_DIR=$WORK/state
at() { date -u -d "$1" +%s; }

step "the scheduler starts exactly the lines due in a minute (cron's rules, checked with a crontab of markers)"
# A copy of the skill whose crontab lines only record that they ran.
cp -r "$SKILL" "$WORK/matcher"
cat >"$WORK/matcher/crontab" <<'TAB'
# comment lines and blank lines are skipped

*/15 * * * * echo every-15 >>"$DF_STATE_DIR/fired"
30 1 * * * echo daily-0130 >>"$DF_STATE_DIR/fired"
0 9-17/4 * * 1-5 echo weekday-9-13-17 >>"$DF_STATE_DIR/fired"
0 0 1,15 * 0 echo dom-or-dow >>"$DF_STATE_DIR/fired"
5 4 * 2 * echo february >>"$DF_STATE_DIR/fired"
0 0 29 2 * echo leap >>"$DF_STATE_DIR/fired"
TAB
fired_at() { # EPOCH → the markers fired, sorted, space-separated
  rm -f "$DF_STATE_DIR/fired"
  mkdir -p "$DF_STATE_DIR"
  DF_SKILL_DIR=$WORK/matcher "$WORK/matcher/hooks/scheduler.sh" --at "$1"
  [[ -f $DF_STATE_DIR/fired ]] && sort "$DF_STATE_DIR/fired" | tr '\n' ' ' | sed 's/ $//'
  return 0
}
assert_eq "daily-0130 every-15" "$(fired_at "$(at '2026-03-04 01:30')")" "Wed 01:30"
assert_eq "" "$(fired_at "$(at '2026-03-04 01:31')")" "Wed 01:31"
assert_eq "every-15 weekday-9-13-17" "$(fired_at "$(at '2026-03-04 13:00')")" "Wed 13:00"
assert_eq "every-15" "$(fired_at "$(at '2026-03-04 11:00')")" "Wed 11:00 (9-17/4 is 9, 13, 17)"
assert_eq "every-15" "$(fired_at "$(at '2026-03-07 13:00')")" "Sat 13:00"
assert_eq "dom-or-dow every-15" "$(fired_at "$(at '2026-03-15 00:00')")" "the 15th, a Sunday"
assert_eq "dom-or-dow every-15" "$(fired_at "$(at '2026-03-01 00:00')")" "the 1st, a Sunday"
assert_eq "dom-or-dow every-15" "$(fired_at "$(at '2026-03-08 00:00')")" "a Sunday, not the 1st or 15th"
assert_eq "dom-or-dow every-15" "$(fired_at "$(at '2026-04-01 00:00')")" "the 1st, a Wednesday"
assert_eq "every-15" "$(fired_at "$(at '2026-04-02 00:00')")" "a Thursday, the 2nd"
assert_eq "february" "$(fired_at "$(at '2026-02-10 04:05')")" "February 04:05"
assert_eq "" "$(fired_at "$(at '2026-03-10 04:05')")" "March 04:05"
assert_eq "every-15 leap" "$(fired_at "$(at '2028-02-29 00:00')")" "29 February"

step "scheduler.sh --next: the first due minute after a time, per line, with the same matching"
cat >>"$WORK/matcher/crontab" <<'TAB'
0 0 31 2 * echo never >>"$DF_STATE_DIR/fired"
TAB
next_at() { # EPOCH → "N DATE" lines, space-separated
  DF_SKILL_DIR=$WORK/matcher "$WORK/matcher/hooks/scheduler.sh" --next "$1" |
    while read -r n t; do
      if [[ $t == -1 ]]; then echo "$n never"; else echo "$n $(date -u -d "@$t" '+%F %H:%M')"; fi
    done | tr '\n' ';'
}
assert_eq "1 2026-03-04 01:45;2 2026-03-05 01:30;3 2026-03-04 09:00;4 2026-03-08 00:00;5 2027-02-01 04:05;6 2028-02-29 00:00;7 never;" \
  "$(next_at "$(at '2026-03-04 01:30')")" "next after Wed 01:30 (strictly after: not 01:30 itself)"
assert_eq "1 2026-03-15 00:15;2 2026-03-15 01:30;3 2026-03-16 09:00;4 2026-03-22 00:00;5 2027-02-01 04:05;6 2028-02-29 00:00;7 never;" \
  "$(next_at $(($(at '2026-03-15 00:00') + 59)))" "next after Sun 15 March 00:00:59"
# Every answer is a minute the scheduler itself would start the line in.
for when in '2026-03-04 01:30' '2026-12-31 23:59'; do
  while read -r n t; do
    [[ $t == -1 ]] && continue
    marker=$(grep -Ev '^[[:space:]]*(#|$)' "$WORK/matcher/crontab" | sed -n "${n}p" | awk '{print $7}')
    fired=$(fired_at "$t")
    [[ " $fired " == *" $marker "* ]] || fail "line $n ($marker) is not due at its next time $t: $fired"
  done < <(DF_SKILL_DIR=$WORK/matcher "$WORK/matcher/hooks/scheduler.sh" --next "$(at "$when")")
done

step "each line of the skill's crontab, run as crond runs it, starts a run with the trigger's inputs"
mapfile -t lines < <(grep -v '^#' "$SKILL/crontab")
((${#lines[@]} == 2)) || fail "expected 2 crontab lines, got ${#lines[@]}"
for i in 1 2; do
  command=$(cut -d' ' -f6- <<<"${lines[i - 1]}")
  before=$(find "$DF_STATE_DIR/runs" -name "*.json" 2>/dev/null | sort || true)
  (cd "$WORK" && env -i PATH="$PATH" HOME="$WORK" DF_SKILL_DIR="$SKILL" DF_STATE_DIR="$DF_STATE_DIR" \
    DF_TRIGGER_TOKEN=must-not-leak-0123456 sh -c "$command" >/dev/null) || fail "crontab line $i failed: $command"
  new=$(comm -13 <(echo "$before") <(find "$DF_STATE_DIR/runs" -name '*.json' | sort))
  [[ $(wc -l <<<"$new") == 1 && -n $new ]] || fail "line $i did not start exactly one run: [$new]"
  run_id=$(basename "$new" .json)
  wait_for_record "$run_id" succeeded
  assert_eq cron "$(jq -r .trigger "$new")" "trigger of line $i"
  # The record holds every declared input; one the trigger does not give (api_key) is null there.
  assert_eq "$(jq -cS . "$SKILL/cron/$i.json")" "$(jq -cS '.inputs | del(.api_key)' "$new")" "inputs of line $i"
  assert_eq null "$(jq -c .inputs.api_key "$new")" "api_key of line $i"
done
hostile=$(jq -r .message "$SKILL/cron/2.json")
assert_contains "$hostile" '$(touch canary)'
[[ ! -e $WORK/canary && ! -e $SKILL/canary ]] || fail "a cron input was executed: the canary exists"

step "the scheduler runs due lines by itself: one at the scheduler's --at minute starts a real run"
before=$(find "$DF_STATE_DIR/runs" -name '*.json' | wc -l)
DF_SKILL_DIR=$SKILL "$SKILL/hooks/scheduler.sh" --at "$(at '2026-03-02 01:30')" # a Monday: both lines
# Counted at each try (a $(...) argument to wait_for would be counted once, before waiting).
records_are() { (($(find "$DF_STATE_DIR/runs" -name '*.json' | wc -l) == $1)); }
wait_for records_are $((before + 2))

step "the entrypoint starts the scheduler, which ends when the service ends"
start_service DF_TRIGGER_TOKEN=token-0123456789abcdef
wait_for grep -q "scheduler started with 2 schedule(s)" "$WORK/service.log"
scheduler=$(ps -o pid=,args= -g "$SERVICE_PID" | awk '/hooks\/scheduler\.sh/ { print $1 }')
[[ -n $scheduler ]] || fail "no scheduler process under the service: $(ps -o pid,ppid,args -g "$SERVICE_PID")"
grep -q 'DF_TRIGGER_TOKEN' "/proc/$scheduler/environ" && fail "the scheduler has the service's secrets"
stop_service
wait_for test ! -e "/proc/$scheduler"
echo "ok"
