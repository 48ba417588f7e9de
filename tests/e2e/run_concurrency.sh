#!/usr/bin/env bash
# Concurrency: 10 runs started at once with `run --detach` against "at most 2 at a time": never more than 2
# run together (seen by the steps themselves and in the records); the others are rejected.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
cd "$WORK" || exit

skill pool <<'MD'
# Workflow: Pool

## Steps
### 1. Occupy
```sh
mkdir -p "$ACTIVE"
touch "$ACTIVE/$DF_RUN_ID"
echo "peak_start=$(ls "$ACTIVE" | wc -l)" >> "$DF_OUTPUT"
# Hold the slot until the test has tried all 10 starts: a barrier, not a time, however slow the machine.
read -r _ <"$GATE"
echo "peak_end=$(ls "$ACTIVE" | wc -l)" >> "$DF_OUTPUT"
rm -f "$ACTIVE/$DF_RUN_ID"
```

## Guardrails
- At most 2 runs at a time
MD
export ACTIVE=$WORK/active GATE=$WORK/gate
# The test holds the gate (a FIFO) open for writing: the steps' reads block until it writes a line for each,
# or until it ends (EOF), whichever comes first; a step that opens the gate late still finds its line.
mkfifo "$GATE"
exec {gate}<>"$GATE"

step "10 parallel run --detach"
for i in $(seq 10); do
  (
    set +e
    "$SKILL/run" --detach >"$WORK/start.$i" 2>/dev/null
    echo $? >"$WORK/code.$i"
  ) &
done
wait
started=0 rejected=0
for i in $(seq 10); do
  case $(cat "$WORK/code.$i") in
    0) started=$((started + 1)) ;;
    3) rejected=$((rejected + 1)); assert_eq rejected "$(jq -r .status "$WORK/start.$i")" "answer $i" ;;
    *) fail "run --detach $i exited $(cat "$WORK/code.$i"): $(cat "$WORK/start.$i")" ;;
  esac
done
echo "started $started, rejected $rejected"
# The first two hold their slots until released, so exactly two start, whatever the timing.
((started == 2 && rejected == 8)) || fail "started $started, rejected $rejected"
printf 'go\ngo\n' >&"$gate"

step "records: all finished, at most 2 overlapping, the rest rejected by the concurrency guardrail"
for f in "$SKILL"/state/runs/*.json; do wait_status "$(basename "$f" .json)" succeeded rejected; done
recs=("$SKILL"/state/runs/*.json)
assert_eq 10 "${#recs[@]}" records
assert_eq "$started" "$(jq -s '[.[] | select(.status == "succeeded")] | length' "${recs[@]}")" succeeded
assert_eq "$rejected" "$(jq -s '[.[] | select(.status == "rejected" and .guardrails[0].kind == "concurrency"
  and .guardrails[0].decision == "rejected")] | length' "${recs[@]}")" "rejected by concurrency"
peak=$(jq -s '[.[] | .outputs.peak_start // empty, .outputs.peak_end // empty | tonumber] | max // 0' "${recs[@]}")
((peak >= 1 && peak <= 2)) || fail "the steps saw $peak runs at once"
# Sweep over start/end times of the runs that ran: the most that were running at one moment.
overlap=$(jq -s '[.[] | select(.status == "succeeded") | [.steps[0].started_at, 1], [.steps[0].ended_at, -1]]
  | sort | reduce .[] as $e ({n: 0, max: 0}; .n += $e[1] | .max = ([.max, .n] | max)) | .max' "${recs[@]}")
((overlap <= 2)) || fail "the records show $overlap runs at once"
echo PASS
