#!/usr/bin/env bash
# `For each: service in $services`: the step runs once per item (a comma- or newline-separated list or a
# JSON array), $service set, at most `At most N steps at a time` at once (checked from the times the items
# wrote, not by timing the run); outputs become one JSON array per name; a failed item fails the step after
# the others finish, unless `Continue on error: yes`; the record has each item's status. Compile refuses
# a list that is no input with file:line:col.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
cd "$WORK" || exit
export DF_STATE_DIR=$WORK/state

skill fanout <<'MD'
# Workflow: Fan Out

## Inputs
- `services` (required): the services to deploy
- `broken`: the service whose deploy fails (default: none)

## Outputs
- `deployed`: each service's deploy id

## Steps
### 1. Deploy each
- For each: service in $services
```sh
date +%s%N > "$DF_WORKDIR/start-$DF_ITEM_INDEX"
# Long enough for the others to start beside it: a bound that is not kept shows in the times.
for _ in $(seq 20); do sleep 0.01; done
date +%s%N > "$DF_WORKDIR/end-$DF_ITEM_INDEX"
echo "deploying $service"
[[ $service != "$broken" ]]
echo "deployed=id-$service" >> "$DF_OUTPUT"
```

### 2. Report
```sh
echo "report: $deployed"
```

## Guardrails
- At most 3 steps at a time
MD

# most_at_once DIR N: the largest number of items running at one time, from their start and end times.
most_at_once() {
  local i j n most=0 s
  for ((i = 0; i < $2; i++)); do
    s=$(<"$1/start-$i") n=0
    for ((j = 0; j < $2; j++)); do
      (($(<"$1/start-$j") <= s && s <= $(<"$1/end-$j"))) && n=$((n + 1))
    done
    ((n > most)) && most=$n
  done
  echo "$most"
}

step "run --dry-run shows the loop"
expect_exit 0 "$SKILL/run" --services a --dry-run
assert_contains "$OUT" $'1. deploy-each (command): Deploy each\n   for each: service in $services'

step "10 items, at most 3 at a time, outputs in one JSON array, each item's status in the record"
expect_exit 0 "$SKILL/run" --services "a,b, c,d,e,f,g,h,i,j" --workdir "$WORK/w1" --json
rec=$OUT
assert_eq succeeded "$(jq -r .status <<<"$rec")" "run status"
assert_eq 10 "$(jq '.steps[0].items | length' <<<"$rec")" "items in the record"
assert_eq "a b c d e f g h i j" "$(jq -r '[.steps[0].items[].item] | join(" ")' <<<"$rec")" "items in order"
assert_eq succeeded "$(jq -r '[.steps[0].items[].status] | unique | join(" ")' <<<"$rec")" "item statuses"
assert_eq '["id-a","id-b","id-c","id-d","id-e","id-f","id-g","id-h","id-i","id-j"]' "$(jq -r .outputs.deployed <<<"$rec")" "the output"
assert_contains "$ERR" '[deploy-each:3] deploying c'
assert_contains "$ERR" 'report: ["id-a","id-b"'
most=$(most_at_once "$WORK/w1" 10)
((most <= 3)) || fail "$most items ran at once; the bound is 3"
((most >= 2)) || fail "the items never ran side by side (at most $most at once)"

step "a newline-separated list and a JSON array give the same items"
expect_exit 0 "$SKILL/run" --services $'x\ny z\n\n' --json
assert_eq '["x","y z"]' "$(jq -c '[.steps[0].items[].item]' <<<"$OUT")" "lines"
expect_exit 0 "$SKILL/run" --services '["p", "q $(id)", 3]' --json
assert_eq '["p","q $(id)","3"]' "$(jq -c '[.steps[0].items[].item]' <<<"$OUT")" "JSON array (items are data)"
expect_exit 1 "$SKILL/run" --services '[not json' --json
assert_eq "step deploy-each failed: input services starts with [ but is not a JSON array" "$(jq -r .error <<<"$OUT")" "error"

step "a failed item fails the step once every other item has run"
expect_exit 1 "$SKILL/run" --services "a,b,c,d,e" --broken b --workdir "$WORK/w2" --json
rec=$OUT
assert_eq failed "$(jq -r .status <<<"$rec")" "run status"
assert_eq "step deploy-each failed: 1 of 5 item(s) failed; first item 2 (b) exit status 1" "$(jq -r .error <<<"$rec")" "error"
assert_eq "succeeded failed succeeded succeeded succeeded" "$(jq -r '[.steps[0].items[].status] | join(" ")' <<<"$rec")" "item statuses"
assert_eq 1 "$(jq -r '.steps[0].items[1].exit_code' <<<"$rec")" "the failed item's exit code"
for i in 0 1 2 3 4; do [[ -e $WORK/w2/end-$i ]] || fail "item $((i + 1)) did not run to its end"; done
assert_eq skipped "$(jq -r '.steps[1].status' <<<"$rec")" "the step after"

step "Continue on error: yes: the step succeeds, the failed item is in the record and null in the output"
sed -e 's/^- For each: service in \$services$/&\n- Continue on error: yes/' -e 's/^# Workflow: Fan Out$/# Workflow: Tolerant/' \
  "$WORK/src/fanout.md" >"$WORK/tolerant.md"
grep -q "Continue on error" "$WORK/tolerant.md" || fail "the test's workflow was not changed"
skill tolerant <"$WORK/tolerant.md"
expect_exit 0 "$SKILL/run" --services "a,b,c" --broken b --json
assert_eq succeeded "$(jq -r .status <<<"$OUT")" "run status"
assert_eq "succeeded failed succeeded" "$(jq -r '[.steps[0].items[].status] | join(" ")' <<<"$OUT")" "item statuses"
assert_eq '["id-a",null,"id-c"]' "$(jq -r .outputs.deployed <<<"$OUT")" "the output"
jq -e '.steps[0].for_each == {variable: "service", input: "services", continue_on_error: true}' "$SKILL/skill.json" >/dev/null ||
  fail "skill.json's for_each: $(jq -c '.steps[0].for_each' "$SKILL/skill.json")"

step "compile refuses a list that is no input, a malformed bullet, and For each on rollback steps"
mkdir -p "$WORK/bad"
cat >"$WORK/bad/bad.md" <<'MD'
# Workflow: Bad Loops

## Inputs
- `services`: the list

## Steps
### 1. One
- For each: service in $nothing
```sh
true
```

### 2. Two
- For each: services
```sh
true
```

## Rollback
### Undo
- For each: service in $services
```sh
true
```
MD
expect_exit 1 compile "$WORK/bad/bad.md" -o "$WORK/bad/out"
assert_contains "$ERR" "bad.md:8:3: error: step 'one': \`For each:\` goes over \$nothing, which is no input of the workflow"
assert_contains "$ERR" "bad.md:14:3: error: step 'two': \`For each: services\`: write it as \`For each: item in \$list_input\`"
assert_contains "$ERR" "bad.md:21:3: error: rollback step 'undo' has \`For each:\`"
