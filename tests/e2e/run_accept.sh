#!/usr/bin/env bash
# What issue 11 asks of the executor: the README's "Writing a workflow" example runs (dry and real, against a
# stub repository and the Gateway stand-in); inputs reach steps in upper case too, except under names steps
# rely on; an input a trigger does not give comes from DF_INPUT_<NAME>, then the default (also for the
# service's crontab line); a scheduled run still lacking one leaves a failed run record.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
cd "$WORK" || exit

step "the README example: dry run, then a real run against a stub repository"
skill readme < <(awk '/^## Writing a workflow/ { on = 1 } on && /^```$/ && body { exit } body { print }
  on && /^```markdown$/ { body = 1 }' "$DF_SRC/README.md")
git init -q -b main stub
git -C stub -c user.name=t -c user.email=t@example.test commit -q --allow-empty -m init
head=$(git -C stub rev-parse HEAD)
expect_exit 0 "$SKILL/run" --dry-run --service_name api --git_repo "$WORK/stub"
assert_contains "$OUT" "git_repo = \"$WORK/stub\""
start_gateway --outputs '{}'
OPENCLAW_GATEWAY_URL=$GW_URL OPENCLAW_GATEWAY_TOKEN=$GW_TOKEN \
  expect_exit 0 "$SKILL/run" --service_name api --git_repo "$WORK/stub" --json
id=$(jq -r .run_id <<<"$OUT")
assert_eq succeeded "$(field "$id" .status)" "README example run"
assert_eq "$head" "$(field "$id" .outputs.commit)" "the commit output"
assert_eq agent "$(field "$id" '.steps[1].kind')" "the second step's kind"

skill env <<'MD'
# Workflow: Env Names

## Inputs
- `db_host` (required): Database host
- `home`: Project home page (default: https://example.test)
- `region`: Region (default: eu)

## Steps
1. **Show**
   ```sh
   printf '%s|%s|%s|%s|%s\n' "$db_host" "$DB_HOST" "$home" "$HOME" "$REGION" >"$DF_STATE_DIR/seen"
   ```

## Triggers
- cron: 0 3 * * *
MD
export DF_STATE_DIR=$WORK/state
grep -q '"env_alias": "DB_HOST"' "$SKILL/skill.json" || fail "skill.json has no env_alias for db_host"

step "inputs reach steps in upper case too, but never replace HOME"
expect_exit 0 "$SKILL/run" --db_host db1
assert_eq "db1|db1|https://example.test|$HOME|eu" "$(cat "$DF_STATE_DIR/seen")" "variables seen by the step"

step "without skill.fields (or with one of another version) the skill is refused: recompile it"
cp -r "$SKILL" "$WORK/nofields"
rm "$WORK/nofields/skill.fields"
expect_exit 65 "$WORK/nofields/run" --db_host db1
assert_contains "$ERR" "skill.fields is missing (recompile it)"
cp "$SKILL/skill.fields" "$WORK/nofields/skill.fields"
sed -i '1s/.*/dark-factory run fields 3/' "$WORK/nofields/skill.fields"
expect_exit 65 "$WORK/nofields/run" --db_host db1
assert_contains "$ERR" "skill.fields is of another version (recompile the workflow)"

step "an input not given comes from DF_INPUT_<NAME>, before the default (builtins and jq)"
DF_INPUT_DB_HOST=db2 DF_INPUT_REGION=us expect_exit 0 "$SKILL/run"
assert_eq "db2|db2|https://example.test|$HOME|us" "$(cat "$DF_STATE_DIR/seen")" "from the environment"
DF_INPUT_DB_HOST='db "3"' expect_exit 0 "$SKILL/run"
assert_eq "db \"3\"|db \"3\"|https://example.test|$HOME|eu" "$(cat "$DF_STATE_DIR/seen")" "non-plain value (jq path)"
DF_INPUT_DB_HOST=db2 expect_exit 0 "$SKILL/run" --db_host given
assert_eq "given|given" "$(cut -d'|' -f1,2 "$DF_STATE_DIR/seen")" "the trigger's value wins"

step "a missing required input: refused without a record, except for a scheduled run"
rm -rf "$DF_STATE_DIR/runs"
expect_exit 65 "$SKILL/run"
assert_contains "$ERR" 'missing required input "db_host" (give it, or set DF_INPUT_DB_HOST in the service'"'"'s environment)'
[[ -z $(ls "$DF_STATE_DIR/runs" 2>/dev/null) ]] || fail "a refused manual run left a record"
DF_TRIGGER=cron expect_exit 65 "$SKILL/run" --detach --inputs-json - <<<'{}'
rec=$(ls "$DF_STATE_DIR"/runs/*.json)
assert_eq failed "$(jq -r .status "$rec")" "scheduled run status"
assert_eq cron "$(jq -r .trigger "$rec")" "scheduled run trigger"
assert_contains "$(jq -r .error "$rec")" 'missing required input "db_host"'
assert_eq skipped "$(jq -r '.steps[0].status' "$rec")" "its step"
[[ $(jq -r .ended_at "$rec") != null ]] || fail "the failed record has no ended_at"
step "the service's scheduled run: its crontab line, as crond runs it, takes the input from the service's environment"
rm -rf "$DF_STATE_DIR/runs"
line=$(grep -v '^#' "$SKILL/crontab" | cut -d' ' -f6-)
(cd "$WORK" && env -i PATH="$PATH" HOME="$WORK" DF_SKILL_DIR="$SKILL" DF_STATE_DIR="$DF_STATE_DIR" \
  DF_INPUT_DB_HOST=from-service sh -c "$line" >/dev/null) || fail "the crontab line failed: $line"
for _ in $(seq 300); do
  rec=$(ls "$DF_STATE_DIR"/runs/*.json 2>/dev/null || true)
  [[ -n $rec && $(jq -r .status "$rec") == succeeded ]] && break
  sleep 0.1
done
assert_eq succeeded "$(jq -r .status "$rec")" "the scheduled run"
assert_eq "from-service|from-service" "$(cut -d'|' -f1,2 "$DF_STATE_DIR/seen")" "the input the scheduled run used"
step "the executor refuses the input names compile refuses (Foo, GCONV_PATH): one rule on both sides"
cp -r "$SKILL" "$WORK/renamed"
sed -i 's/^region$/Foo/' "$WORK/renamed/skill.fields"
expect_exit 65 "$WORK/renamed/run" --db_host x
assert_contains "$ERR" "skill.fields is damaged"
step "a skill.fields with a value too many, or a field name that is no variable name: damaged"
{ cat "$SKILL/skill.fields" && echo extra; } >"$WORK/nofields/skill.fields"
expect_exit 65 "$WORK/nofields/run" --db_host x
assert_contains "$ERR" "skill.fields is damaged"
sed '2s/$/ PATH=x/' "$SKILL/skill.fields" >"$WORK/nofields/skill.fields"
expect_exit 65 "$WORK/nofields/run" --db_host x
assert_contains "$ERR" "skill.fields is damaged"
echo PASS
