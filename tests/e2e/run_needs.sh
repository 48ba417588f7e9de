#!/usr/bin/env bash
# Steps with `Needs:`: independent steps run at the same time (each waits to see the other running), a step
# starts only after the steps it needs, `At most N steps at a time` bounds them, a failure skips what needs
# the failed step, SIGTERM stops every running step (no process left), and compile refuses unknown ids,
# cycles and `Needs:` on rollback steps with file:line:col.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
cd "$WORK" || exit
MARK=dfneeds$$z$RANDOM
on_exit "pkill -KILL -f $MARK"
export DF_STATE_DIR=$WORK/state

step "two steps with Needs: none run at the same time; the third starts after both"
skill par <<'MD'
# Workflow: Side By Side

## Steps
### 1. Build
- Needs: none
```sh
touch build.started
# Ends only once lint has started too: run one after the other, this step would fail.
for _ in $(seq 300); do [[ -e lint.started ]] && break; sleep 0.05; done
[[ -e lint.started ]]
echo "building"
```

### 2. Lint
- Needs: none
```sh
touch lint.started
for _ in $(seq 300); do [[ -e build.started ]] && break; sleep 0.05; done
[[ -e build.started ]]
```

### 3. Ship
- Needs: build and lint
```sh
echo "shipping"
```
MD
expect_exit 0 "$SKILL/run" --json
rec=$OUT
assert_eq succeeded "$(jq -r .status <<<"$rec")" "run status"
assert_eq "succeeded succeeded succeeded" "$(jq -r '[.steps[].status] | join(" ")' <<<"$rec")" "step statuses"
jq -e '.steps[2].started_at >= .steps[0].ended_at and .steps[2].started_at >= .steps[1].ended_at' <<<"$rec" >/dev/null ||
  fail "ship started before build and lint ended: $(jq -c '[.steps[] | {id, started_at, ended_at}]' <<<"$rec")"
assert_contains "$ERR" "[build] building" "the run's output"
assert_contains "$ERR" "[ship] shipping" "the run's output"
jq -e '.steps[0].needs == [] and .steps[2].needs == ["build", "lint"] and .steps[0].line > 0' "$SKILL/skill.json" >/dev/null ||
  fail "skill.json's needs: $(jq -c '[.steps[].needs]' "$SKILL/skill.json")"

step "run --dry-run shows the needs and the order steps can start in"
expect_exit 0 "$SKILL/run" --dry-run
assert_contains "$OUT" $'Start order (the steps of a wave start together once those they need have succeeded):\n  1. build, lint\n  2. ship'
assert_contains "$OUT" $'1. build (command): Build\n   needs: none (starts with the run)'
assert_contains "$OUT" $'3. ship (command): Ship\n   needs: build, lint'
expect_exit 0 "$SKILL/run" --dry-run --json
assert_eq '[["build","lint"],["ship"]]' "$(jq -c .start_order <<<"$OUT")" "the plan's start_order"

step "outputs flow: as variables (name and upper case, as inputs), all of them in \$DF_OUTPUTS"
skill flow <<'MD'
# Workflow: Outputs Flow

## Inputs
- `home_page` (required): an input, which an output of that name must not replace

## Outputs
- `image_tag`: the tag built
- `home_page`: clashes with the input: it reaches steps only through $DF_OUTPUTS
- `path`: would replace $PATH: only as $path

## Steps
### 1. Build
- Needs: none
```sh
echo "image_tag=v1.2 \$(not run) 'q' \"dq\"" >> "$DF_OUTPUT"
echo "home_page=from-output" >> "$DF_OUTPUT"
echo "path=p1" >> "$DF_OUTPUT"
echo "extra=undeclared" >> "$DF_OUTPUT"
```

### 2. Other
- Needs: none
```sh
echo "other=o" >> "$DF_OUTPUT"
```

### 3. Use
- Needs: build, other
```sh
printf '%s\n' "$image_tag" "$IMAGE_TAG" "$home_page" "$path" "${extra-unset}" >seen
[[ $PATH != p1 ]]
cp "$DF_OUTPUTS" outputs.json
```
MD
DF_KEEP_WORKDIR=1 expect_exit 0 "$SKILL/run" --workdir "$WORK/flow" --home_page input-value
assert_eq "v1.2 \$(not run) 'q' \"dq\"|v1.2 \$(not run) 'q' \"dq\"|input-value|p1|undeclared" "$(paste -sd'|' "$WORK/flow/seen")" \
  "what the third step saw"
assert_eq '{"home_page":"from-output","image_tag":"v1.2 $(not run) '"'"'q'"'"' \"dq\"","other":"o","path":"p1","extra":"undeclared"}' \
  "$(jq -cS . "$WORK/flow/outputs.json" | jq -c '{home_page, image_tag, other, path, extra}')" "\$DF_OUTPUTS"

step "an undeclared output follows the rule of inputs; one that would shadow the environment is a warning"
skill shadow <<'MD'
# Workflow: Shadow

## Inputs
- `name` (required): an input, which an output of that name must not replace

## Steps
### 1. Publish
```sh
for line in extra=undeclared PATH=/nowhere Upper=u ld_preload=/x.so home=h df_run_id=d name=from-output \
  _DF_TMP=/tmp/x git_dir=g; do
  echo "$line" >> "$DF_OUTPUT"
done
```

### 2. Use
```sh
[[ $PATH != /nowhere && $HOME != h && $DF_RUN_ID != d && ${GIT_DIR-unset} == unset ]]
printf '%s|' "$extra" "$EXTRA" "$home" "$df_run_id" "$git_dir" "$name" "${Upper-unset}" "${UPPER-unset}" \
  "${ld_preload-unset}" "${_DF_TMP-unset}" >"$DF_WORKDIR/seen"
jq -c '{PATH, Upper, ld_preload, name, _DF_TMP}' "$DF_OUTPUTS" >"$DF_WORKDIR/outputs.json"
```
MD
DF_KEEP_WORKDIR=1 expect_exit 0 "$SKILL/run" --workdir "$WORK/shadow" --name input-value --json
check "lower-case names as variables, in upper case unless steps rely on that name" \
  test "$(cat "$WORK/shadow/seen")" = "undeclared|undeclared|h|d|g|input-value|unset|unset|unset|unset|"
check "every output in \$DF_OUTPUTS" \
  test "$(cat "$WORK/shadow/outputs.json")" = '{"PATH":"/nowhere","Upper":"u","ld_preload":"/x.so","name":"from-output","_DF_TMP":"/tmp/x"}'
check "the publishing step warns of each output that is no variable, and why" jq -e '.steps[0].warnings == [
  "output PATH is not an environment variable of later steps (it is in $DF_OUTPUTS): only a lower-case name (a-z, 0-9, _), as an input'"'"'s, becomes a variable",
  "output Upper is not an environment variable of later steps (it is in $DF_OUTPUTS): only a lower-case name (a-z, 0-9, _), as an input'"'"'s, becomes a variable",
  "output ld_preload is not an environment variable of later steps (it is in $DF_OUTPUTS): its name is in a family the loader or the shell reads",
  "output name is not an environment variable of later steps (it is in $DF_OUTPUTS): an input or a variable the workflow requires has that name",
  "output _DF_TMP is not an environment variable of later steps (it is in $DF_OUTPUTS): only a lower-case name (a-z, 0-9, _), as an input'"'"'s, becomes a variable"]
  and .steps[1].warnings == null' <<<"$OUT"

step "At most 2 steps at a time: five independent steps, never more than two running"
{
  printf '# Workflow: Bounded\n\n## Steps\n'
  for n in 1 2 3 4 5; do
    cat <<MD
### $n. Item $n
- Needs: none
\`\`\`sh
shopt -s nullglob
mkdir "running.$n"
r=(running.*) && echo "\${#r[@]}" >>"counts.$n"
# Stays until another step has run beside it or every other step has finished.
for _ in \$(seq 40); do r=(running.*) && ((\${#r[@]} > 1)) && break; sleep 0.05; done
r=(running.*) && echo "\${#r[@]}" >>"counts.$n"
rmdir "running.$n"
\`\`\`

MD
  done
  printf '## Guardrails\n- At most 2 steps at a time\n'
} >"$WORK/bounded.md"
skill bounded <"$WORK/bounded.md"
DF_KEEP_WORKDIR=1 expect_exit 0 "$SKILL/run" --json --workdir "$WORK/bounded"
most=$(cat "$WORK"/bounded/counts.* | sort -n | tail -1)
assert_eq 2 "$most" "the most steps seen running at once"
assert_eq parallel_steps "$(jq -r '.guardrails[0].kind' "$SKILL/skill.json")" "the guardrail's kind"
assert_eq 2 "$(jq -r '.policy.max_parallel_steps' "$SKILL/skill.json")" "policy.max_parallel_steps"

step "a failed step: what needs it is skipped, no new step starts, the running ones finish"
skill fail <<'MD'
# Workflow: One Fails

## Steps
### 1. Slow
- Needs: none
```sh
# Ends once the record shows broken failed: the run knows of the failure before this step ends.
rec=$DF_STATE_DIR/runs/$DF_RUN_ID.json
for _ in $(seq 300); do jq -e '.steps[1].status == "failed"' "$rec" >/dev/null 2>&1 && break; sleep 0.05; done
echo "slow finished"
```

### 2. Broken
- Needs: none
```sh
exit 3
```

### 3. After broken
- Needs: broken
```sh
echo "must not run"
```

### 4. After slow
- Needs: slow
```sh
echo "must not run either: a step had failed"
```
MD
expect_exit 1 "$SKILL/run" --json
assert_eq failed "$(jq -r .status <<<"$OUT")" "run status"
assert_eq "succeeded failed skipped skipped" "$(jq -r '[.steps[].status] | join(" ")' <<<"$OUT")" "step statuses"
assert_eq "step broken failed: exit status 3" "$(jq -r .error <<<"$OUT")" "run error"
assert_not_contains "$ERR" "must not run"

step "SIGTERM stops every running step: no process is left"
skill cancel <<'MD'
# Workflow: Two Long

## Inputs
- `marker` (required): tags the processes

## Steps
### 1. Left
- Needs: none
```sh
(exec -a "$marker-left" sleep 1000) &
wait
```

### 2. Right
- Needs: none
```sh
(exec -a "$marker-right" sleep 1000) &
wait
```
MD
"$SKILL/run" --marker "$MARK" >"$WORK/out" 2>"$WORK/err" &
pid=$!
wait_for pgrep -f "$MARK-left"
wait_for pgrep -f "$MARK-right"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
assert_eq 143 "$rc" "exit status after SIGTERM"
id=$(cut -d' ' -f1 "$WORK/out")
assert_eq interrupted "$(field "$id" .status)" "run status"
assert_eq "interrupted interrupted" "$(field "$id" '[.steps[].status] | join(" ")')" "step statuses"
no_process_left() { ! pgrep -f "$1" >/dev/null; }
wait_for no_process_left "$MARK"

step "compile: unknown ids, cycles and Needs on rollback steps, each with file:line:col"
cat >"$WORK/bad.md" <<'MD'
# Workflow: Bad Needs

## Steps
### 1. First
- Needs: third

```sh
true
```

### 2. Second
- Needs: first, nothing-like-it

```sh
true
```

### 3. Third
- Needs: second

```sh
true
```

## Rollback
### 1. Undo
- Needs: none

```sh
true
```
MD
expect_exit 1 compile -q --check "$WORK/bad.md"
assert_contains "$ERR" "bad.md:12:3: error: step 'second' needs 'nothing-like-it', which is no step; the steps are: first, second, third"
assert_contains "$ERR" "bad.md:12:3: error: the steps' \`Needs:\` form a cycle: first → third → second → first"
assert_contains "$ERR" "bad.md:27:3: error: rollback step 'undo' has \`Needs:\`"
echo PASS
