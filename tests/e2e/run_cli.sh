#!/usr/bin/env bash
# run's command line: --help, --dry-run writes nothing, --step, --workdir shared by --step runs, DF_STATE_DIR,
# DF_TRIGGER, usage errors.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
cd "$WORK" || exit

skill cli <<'MD'
# Workflow: Two Steps

## Inputs
- `name` (required): Who

## Steps
### 1. Write
```sh
echo "hello $name" > greeting.txt
```

### 2. Read
```sh
echo "greeting=$(cat greeting.txt)" >> "$DF_OUTPUT"
```

### 3. Tell
- Tell the user the greeting

## Outputs
- `greeting`: The greeting
MD

step "--help lists the inputs and the step ids"
expect_exit 0 "$SKILL/run" --help
assert_contains "$OUT" "--name VALUE"
assert_contains "$OUT" "--step ID             run one step (write, read, tell)"

step "--dry-run prints the commands and the agent prompt, runs nothing, writes nothing"
expect_exit 0 "$SKILL/run" --name ann --dry-run
assert_contains "$OUT" 'echo "hello $name" > greeting.txt'
assert_contains "$OUT" "[user]"
assert_contains "$OUT" "- Tell the user the greeting"
[[ ! -e $SKILL/state && ! -e greeting.txt ]] || fail "--dry-run left files"
expect_exit 65 "$SKILL/run" --dry-run

step "--step with a shared --workdir lets an agent drive the command steps one by one"
expect_exit 0 "$SKILL/run" --name ann --step write --workdir "$WORK/wd"
expect_exit 0 "$SKILL/run" --name ann --step read --workdir "$WORK/wd" --json
assert_eq "hello ann" "$(jq -r .outputs.greeting <<<"$OUT")" greeting
assert_eq read "$(jq -r .only_step <<<"$OUT")" only_step
assert_eq '[]' "$(jq -c .missing_outputs <<<"$OUT")" "no missing outputs for one step"
[[ -f $WORK/wd/greeting.txt ]] || fail "the given working directory was removed"

step "--version names the skill and its version"
expect_exit 0 "$SKILL/run" --version
assert_eq "run (Dark Factory Engine): skill two-steps version $(jq -r .version "$SKILL/skill.json")" "$OUT" "run --version"

step "DF_STATE_DIR moves the records; DF_TRIGGER is recorded"
export DF_STATE_DIR=$WORK/state
DF_TRIGGER=cron expect_exit 0 "$SKILL/run" --name bob --step write
id=$(run_id_of "$OUT")
assert_eq cron "$(field "$id" .trigger)" trigger
DF_TRIGGER='bogus' expect_exit 0 "$SKILL/run" --name bob --step write
assert_eq manual "$(field "$(run_id_of "$OUT")" .trigger)" "an unknown trigger"
unset DF_STATE_DIR

step "usage errors exit 64"
expect_exit 64 "$SKILL/run" stray
expect_exit 64 "$SKILL/run" --bogus
assert_contains "$ERR" "unknown option '--bogus'"
assert_not_contains "$ERR" "needs a value"
expect_exit 64 "$SKILL/run" --status
expect_exit 66 "$SKILL/run" --status 20990101T000000Z-0000abcd
echo PASS
