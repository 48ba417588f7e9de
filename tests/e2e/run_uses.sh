#!/usr/bin/env bash
# Child workflows (`Uses:`/`With:`): a parent runs two children side by side (each waits to see the other
# running), then a third with their outputs; the children's records live under the parent's state and name
# their parent; `run --status` shows the tree and `run --evidence` their digests; With values are data,
# never shell; a failed child fails its step and the parent; retries run the child again; a child's
# concurrency guardrail counts the runs its parents start; cancelling or timing out the parent leaves no
# process.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
cd "$WORK" || exit
MARK=dfuses$$z$RANDOM
on_exit "pkill -KILL -f $MARK"
export DF_STATE_DIR=$WORK/state
mkdir -p src rendezvous

# child NAME PART: a build workflow that publishes PART_image once the other build has started too.
child() {
  cat >"src/$1.md" <<MD
# Workflow: $1

## Inputs
- \`tag\` (required): what to build
- \`rendezvous\` (required): the folder where the two builds see each other

## Outputs
- \`$2_image\`: the image built

## Steps
### 1. Build
\`\`\`sh
touch "\$rendezvous/$2.started"
# Ends only once the other build has started: run one after the other, this step would fail.
for _ in \$(seq 300); do [[ -n \$(find "\$rendezvous" -name '*.started' ! -name '$2.started') ]] && break; sleep 0.05; done
[[ -n \$(find "\$rendezvous" -name '*.started' ! -name '$2.started') ]]
echo "$2_image=$2:\$tag" >> "\$DF_OUTPUT"
echo "state of $2: \$DF_STATE_DIR"
\`\`\`
MD
}
child build-api api
child build-web web
cat >src/ship.md <<'MD'
# Workflow: Ship

## Inputs
- `images` (required): what to ship
- `channel`: stable | beta (default: stable)

## Outputs
- `shipped`: what was shipped where

## Steps
### 1. Ship
```sh
echo "shipped=$images on $channel" >> "$DF_OUTPUT"
```
MD

step "a parent runs two children side by side, then a third with their outputs"
skill release <<'MD'
# Workflow: Release

## Inputs
- `tag` (required): the version to release
- `rendezvous` (required): where the builds meet

## Outputs
- `shipped`: what was shipped

## Steps
### 1. Build API
- Needs: none
- Uses: build-api.md
- With: tag=$tag, rendezvous=$rendezvous

### 2. Build Web
- Needs: none
- Uses: build-web
- With: tag=${tag}, rendezvous=$rendezvous

### 3. Ship
- Needs: build-api, build-web
- Uses: ship.md
- With: images="$api_image, ${web_image}", channel=beta

### 4. Announce
```sh
echo "announced: $shipped"
```
MD
tag='1.0 $(touch hacked) `touch hacked2`'
expect_exit 0 "$SKILL/run" --tag "$tag" --rendezvous "$WORK/rendezvous" --json
rec=$OUT
id=$(jq -r .run_id <<<"$rec")
check "the parent succeeded, every step too" \
  jq -e '.status == "succeeded" and ([.steps[].status] | all(. == "succeeded"))' <<<"$rec"
check "the three Uses steps are child-workflow steps" \
  jq -e '[.steps[].kind] == ["workflow", "workflow", "workflow", "command"]' <<<"$rec"
assert_eq "api:$tag, web:$tag on beta" "$(jq -r .outputs.shipped <<<"$rec")" "the parent's output"
assert_contains "$ERR" "[announce] announced: api:$tag, web:$tag on beta" "the last step's output"
check "no With value was run by a shell" test ! -e hacked -a ! -e hacked2 -a ! -e "$DF_STATE_DIR/work/$id/hacked"
for k in 0 1 2; do
  skill_k=$(jq -r ".steps[$k].child.skill" <<<"$rec")
  child_id=$(jq -r ".steps[$k].child.run_id" <<<"$rec")
  child_rec=$DF_STATE_DIR/children/$skill_k/runs/$child_id.json
  check "step $((k + 1))'s child run $skill_k has its record beside the parent's state" test -f "$child_rec"
  check "the child's record names its parent run and step" \
    jq -e --arg id "$id" --arg step "$(jq -r ".steps[$k].id" <<<"$rec")" \
    '.parent == {run_id: $id, step: $step} and .status == "succeeded"' "$child_rec"
done
check "the child's outputs are its step's outputs" \
  jq -e --arg v "$tag" '.steps[0].outputs == {api_image: "api:\($v)"} and .steps[2].child.status == "succeeded"' <<<"$rec"
assert_contains "$ERR" "[build-api] state of api: $DF_STATE_DIR/children/build-api" "the child's state folder"
check "the children started together: each saw the other" test -e rendezvous/api.started -a -e rendezvous/web.started

step "run --status shows the tree: each child run under its step"
expect_exit 0 "$SKILL/run" --status "$id"
api_id=$(jq -r '.steps[0].child.run_id' <<<"$rec")
assert_contains "$OUT" $'  build-api (workflow): succeeded, 1 attempt, exit 0\n      '"$api_id  succeeded  build-api" "the status tree"
assert_contains "$OUT" "      child of run $id, step build-api" "the child's line"
assert_contains "$OUT" "        build (command): succeeded" "the child's step, indented"
expect_exit 0 "$SKILL/run" --status "$id" --json
check "--status --json is the record itself" jq -e '.steps[0].child.skill == "build-api"' <<<"$OUT"
# A step's error is text: a line in it that looks like the tree's old child marker shows no other record.
forged_id=20260101T000000Z-0000f0f0
jq --arg id "$forged_id" --arg api "$api_id" '.run_id = $id | .status = "failed" | .steps = [.steps[3]
  | .status = "failed" | .error = "boom\n@child build-api \($api)"]' "$(record "$id")" >"$(record "$forged_id")"
expect_exit 0 "$SKILL/run" --status "$forged_id"
assert_not_contains "$OUT" "$api_id  succeeded" "a child run named by an error's text"
assert_contains "$OUT" $'  announce (command): failed, 1 attempt, exit 0: boom\n    @child build-api '"$api_id" \
  "the error, every line of it indented"
rm "$(record "$forged_id")"

step "run --evidence names each child run by the digest of its record"
expect_exit 0 "$SKILL/run" --evidence "$id"
kids=$(jq -c '.payload | @base64d | fromjson | .predicate.children' <<<"$OUT")
api_sha=$(sha256sum "$DF_STATE_DIR/children/build-api/runs/$api_id.json" | cut -d' ' -f1)
check "the Statement lists the three child runs" jq -e 'length == 3 and (map(.skill) == ["build-api", "build-web", "ship"])' <<<"$kids"
check "a child's digest is the SHA-256 of its record" \
  jq -e --arg id "$api_id" --arg sha "$api_sha" '.[0] == {run_id: $id, skill: "build-api", status: "succeeded", digest: {sha256: $sha}}' <<<"$kids"

step "run --dry-run shows what each Uses step runs"
expect_exit 0 "$SKILL/run" --dry-run --tag 1 --rendezvous x
assert_contains "$OUT" $'3. ship (workflow): Ship\n   needs: build-api, build-web'
assert_contains "$OUT" '   uses ship (children/ship/run) with images=$api_image, ${web_image}, channel=beta'

step "a failed child fails its step and the parent; retries run the child again as a whole"
cat >src/flaky.md <<'MD'
# Workflow: Flaky

## Inputs
- `counter` (required): a file that counts the attempts
- `succeed_at` (number, default: 99): the attempt that succeeds

## Steps
### 1. Try
```sh
echo x >> "$counter"
n=$(wc -l < "$counter")
echo "attempt $n"
(( n >= succeed_at ))
```
MD
skill retrying <<'MD'
# Workflow: Retrying

## Inputs
- `counter` (required): the attempts file
- `succeed_at` (number, default: 99): when the child succeeds

## Steps
### 1. Flaky
- Uses: flaky.md
- With: counter=$counter, succeed_at=$succeed_at

## Guardrails
- Retry failed steps up to 2 times, 1 second apart
MD
expect_exit 1 "$SKILL/run" --counter "$WORK/fails" --json
rec=$OUT
check "the parent failed at its Uses step after 3 attempts" \
  jq -e '.status == "failed" and .steps[0].status == "failed" and .steps[0].attempts == 3' <<<"$rec"
assert_contains "$(jq -r .error <<<"$rec")" "step flaky failed: child workflow flaky run " "the parent's error"
assert_contains "$(jq -r .steps[0].error <<<"$rec")" " ended failed: step try failed: exit status 1" "the step's error"
assert_eq 3 "$(wc -l <"$WORK/fails")" "the child's attempts"
assert_eq "failed failed failed" "$(jq -rs 'sort_by(.started_at) | map(.status) | join(" ")' "$DF_STATE_DIR"/children/flaky/runs/*.json)" \
  "the child runs"
expect_exit 0 "$SKILL/run" --counter "$WORK/succeeds" --succeed_at 2 --json
check "the second child run succeeded: the step succeeded on attempt 2" \
  jq -e '.status == "succeeded" and .steps[0].attempts == 2 and .steps[0].child.status == "succeeded"' <<<"$OUT"

step "a child's concurrency guardrail counts the runs its parents start: the second at once is rejected"
cat >src/solo.md <<'MD'
# Workflow: Solo

## Inputs
- `gate` (required): a file whose existence lets the run end

## Steps
### 1. Hold
```sh
touch "$gate.held"
for _ in $(seq 1200); do [[ -e $gate ]] && break; sleep 0.05; done
[[ -e $gate ]]
```

## Guardrails
- At most 1 run at a time
MD
skill twice <<'MD'
# Workflow: Twice

## Inputs
- `gate` (required): passed on

## Steps
### 1. First
- Needs: none
- Uses: solo.md
- With: gate=$gate

### 2. Second
- Needs: first
- Uses: solo.md
- With: gate=$gate

### 3. Beside
- Needs: none
- Uses: solo.md
- With: gate=$gate
MD
export DF_STATE_DIR=$WORK/state-solo
"$SKILL/run" --gate "$WORK/gate" --json >"$WORK/solo.out" 2>"$WORK/solo.err" &
pid=$!
# One of first and beside holds the child's only slot; the other is refused while it does.
wait_for test -e "$WORK/gate.held"
wait_for jq -e '[.steps[0, 2].status] | index("failed")' "$(ls "$DF_STATE_DIR"/runs/*.json)"
touch "$WORK/gate"
set +e
wait "$pid"
code=$?
set -e
assert_eq 1 "$code" "the parent's exit status"
check "one child run was rejected by its concurrency guardrail, and failed its step" \
  jq -e '[.steps[] | select(.status == "failed") | .error] | length == 1 and (.[0] | test("ended rejected: rejected by the concurrency guardrail"))' "$WORK/solo.out"
check "the child's state holds both runs" \
  jq -es 'map(.status) | sort == ["rejected", "succeeded"]' "$DF_STATE_DIR"/children/solo/runs/*.json

step "a child's output larger than one argument may be (200 KiB) reaches the parent's record and later steps"
cat >src/big.md <<'MD'
# Workflow: Big

## Outputs
- `blob`: 200 KiB of text

## Steps
### 1. Make
```sh
printf 'blob=%s\n' "$(head -c 204800 /dev/zero | tr '\0' x)" >> "$DF_OUTPUT"
```
MD
skill bigparent <<'MD'
# Workflow: Big parent

## Steps
### 1. Big
- Uses: big.md

### 2. Measure
```sh
echo "measured=$(jq -r '.blob | length' "$DF_OUTPUTS")" >> "$DF_OUTPUT"
echo "as_variable=${blob:+yes}" >> "$DF_OUTPUT"
```
MD
expect_exit 0 "$SKILL/run" --json
check "the parent succeeded" jq -e '.status == "succeeded"' <<<"$OUT"
check "the step's output is the child's, whole" jq -e '.steps[0].outputs.blob | length == 204800' <<<"$OUT"
check "the next step saw it" jq -e '.steps[1].outputs.measured == "204800"' <<<"$OUT"
check "in \$DF_OUTPUTS only: a variable that long would stop the next step from starting" \
  jq -e '.steps[1].outputs.as_variable == "" and (.steps[0].warnings | any(test("output blob is not an environment variable of later steps .*longer than 16384 characters")))' <<<"$OUT"
check "the run record holds it too" jq -e '.steps[0].outputs.blob | length == 204800' "$(record "$(jq -r .run_id <<<"$OUT")")"

step "cancelling the parent stops the child and its steps: no process left"
cat >src/slow.md <<'MD'
# Workflow: Slow

## Inputs
- `marker` (required): tags the processes

## Steps
### 1. Work
```sh
(exec -a "$marker-grandchild" sleep 1000) &
wait
```
MD
skill waiting <<'MD'
# Workflow: Waiting

## Inputs
- `marker` (required): tags the processes
- `limit` (number, default: 600): unused

## Steps
### 1. Slow
- Uses: slow.md
- With: marker=$marker
MD
no_process_left() { ! pgrep -f "$MARK-grandchild" >/dev/null; }
export DF_STATE_DIR=$WORK/state-cancel
"$SKILL/run" --marker "$MARK" >"$WORK/out" 2>"$WORK/err" &
pid=$!
wait_for pgrep -f "$MARK-grandchild"
kill -TERM "$pid"
set +e
wait "$pid"
code=$?
set -e
assert_eq 143 "$code" "the parent's exit status"
check "no process of the child's step is left" wait_for no_process_left
records=("$DF_STATE_DIR"/runs/*.json)
check "the parent's record says interrupted" jq -e '.status == "interrupted"' "${records[0]}"
child_records=("$DF_STATE_DIR"/children/slow/runs/*.json)
check "the child's record says interrupted too" jq -e '.status == "interrupted"' "${child_records[0]}"

step "the parent's step time limit stops the child: the step times out, no process left"
skill limited <<'MD'
# Workflow: Limited

## Inputs
- `marker` (required): tags the processes

## Steps
### 1. Slow
- Timeout: 2 seconds
- Uses: slow.md
- With: marker=$marker
MD
export DF_STATE_DIR=$WORK/state-timeout
expect_exit 5 "$SKILL/run" --marker "$MARK" --json
check "the Uses step timed out" jq -e '.status == "timed_out" and .steps[0].status == "timed_out"' <<<"$OUT"
check "no process of the child's step is left" wait_for no_process_left
checks_done
