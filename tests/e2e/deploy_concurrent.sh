#!/usr/bin/env bash
# deploy: eight skills in one invocation, and eight separate deploy processes at once, while a monitor-style
# reader hammers the registry: every deploy lands, nothing is lost, every read parses.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deploy_lib.sh"
start_standin --build-seconds 0.5
names=(alpha bravo charlie delta echo foxtrot golf hotel)
for n in "${names[@]}"; do make_skill "$n"; done

reader() {
  local reads=0 bad=0
  while [[ ! -e "$WORK/stop" ]]; do
    if [[ -e "$REGISTRY" ]]; then
      jq -e '.schema_version == 1' "$REGISTRY" >/dev/null 2>&1 || bad=$((bad + 1))
      reads=$((reads + 1))
    fi
  done
  echo "$reads $bad" >"$WORK/reader"
}
reader &
reader_pid=$!
on_exit "touch $WORK/stop; kill $reader_pid 2>/dev/null"

step "one invocation, eight skills, concurrently, with a summary table"
dirs=()
for n in "${names[@]}"; do dirs+=("$WORK/skills/$n"); done
expect_exit 0 deploy --poll-interval 200ms "${dirs[@]}"
for n in "${names[@]}"; do
  assert_contains "$OUT" "$n"
  assert_eq finished "$(reg ".skills.$n.status")" "$n status"
done
assert_eq 8 "$(control state | jq '.apps | length')" "apps"

step "eight deploy processes at once"
for n in "${names[@]}"; do echo "# v2" >>"$WORK/skills/$n/README.md"; done
pids=()
for n in "${names[@]}"; do
  deploy --poll-interval 200ms "$WORK/skills/$n" >"$WORK/$n.out" 2>&1 &
  pids+=($!)
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || fail "deploy of ${names[$i]} failed: $(cat "$WORK/${names[$i]}.out")"
done
touch "$WORK/stop"
wait "$reader_pid"
read -r reads bad <"$WORK/reader"
echo "registry reads: $reads, unparsable: $bad"
assert_eq 0 "$bad" "unparsable registry reads"
[[ "$reads" -gt 0 ]] || fail "the reader never read the registry"
for n in "${names[@]}"; do
  assert_eq finished "$(reg ".skills.$n.status")" "$n status"
  assert_eq 2 "$(reg "[.skills.$n.history[] | select(.status == \"finished\")] | length")" "$n finished deploys"
  assert_eq 2 "$(branch_commits "$n")" "$n commits"
done
assert_eq 8 "$(control state | jq '.apps | length')" "apps"
echo ok
