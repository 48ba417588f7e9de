#!/usr/bin/env bash
# run's inputs: required, types, choices, defaults, unknown names, --inputs-json; hostile values reach the
# steps byte-exact as environment variables and are never executed; secrets are masked.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"

skill inputs <<'MD'
# Workflow: Input Check

## Description
Dumps its inputs.

## Inputs
- `text` (required): Any text
- `count`: How many, a number (number) (default: 3)
- `flag`: A switch (boolean) (default: false)
- `color`: One of red | green | blue (default: red)
- `api_token` (optional, secret): A token
- `note`: Optional, no default

## Steps
### 1. Dump
```sh
printf '%s' "$text" > "$DUMP/text"
printf '%s' "$count" > "$DUMP/count"
printf '%s' "$flag" > "$DUMP/flag"
printf '%s' "$color" > "$DUMP/color"
printf '%s' "$api_token" > "$DUMP/api_token"
printf '%s' "${note-UNSET}" > "$DUMP/note"
echo "seen=yes" >> "$DF_OUTPUT"
```
MD
export DUMP=$WORK/dump
mkdir -p "$DUMP"
cd "$WORK" || exit
runs() {
  local n=0 f
  for f in "$SKILL"/state/runs/*.json; do [[ -e $f ]] && n=$((n + 1)); done
  echo "$n"
}

step "a missing required input exits 65 and lists the valid inputs"
expect_exit 65 "$SKILL/run"
assert_contains "$ERR" 'missing required input "text"'
assert_contains "$ERR" "--text (required)"
assert_contains "$ERR" "--color (default: red) [one of: red, green, blue]"

step "unknown inputs, and names the manifest does not declare (PATH, BASH_ENV), exit 65"
expect_exit 65 "$SKILL/run" --text x --colour red
assert_contains "$ERR" 'unknown input "colour"'
assert_contains "$ERR" "valid inputs: --text (required)"
expect_exit 65 "$SKILL/run" --text x --PATH /tmp
assert_contains "$ERR" 'unknown input "PATH"'
echo '{"text": "x", "BASH_ENV": "/tmp/evil"}' >bad.json
expect_exit 65 "$SKILL/run" --inputs-json bad.json
assert_contains "$ERR" 'unknown input "BASH_ENV"'

step "types and choices are checked; --json gets a JSON error object"
expect_exit 65 "$SKILL/run" --text x --count abc
assert_contains "$ERR" 'input count: "abc" is not a number'
expect_exit 65 "$SKILL/run" --text x --flag maybe
assert_contains "$ERR" 'input flag: "maybe" is not a boolean'
expect_exit 65 "$SKILL/run" --text x --color pink --json
assert_contains "$ERR" 'input color: "pink" is not one of red, green, blue'
assert_eq invalid_input "$(jq -r .status <<<"$OUT")" "JSON error status"
expect_exit 65 "$SKILL/run" --inputs-json - <<<'{"text": {"nested": 1}}'
assert_contains "$ERR" "input text: must be a string, number or boolean, not object"
expect_exit 65 "$SKILL/run" --inputs-json - <<<'["text"]'
assert_contains "$ERR" "must be a JSON object"
expect_exit 65 "$SKILL/run" --inputs-json - <<<'{"text": '
assert_contains "$ERR" "not valid JSON"
expect_exit 64 "$SKILL/run" --text
expect_exit 66 "$SKILL/run" --inputs-json "$WORK/missing.json"
assert_eq 0 "$(runs)" "records written for rejected inputs"

step "hostile values from --inputs-json reach the step byte-exact and are never executed"
jq -n --arg w "$WORK" '{
  text: ("$(touch \($w)/canary1) `touch \($w)/canary2` '"'"'\"\\ {{mustache}} ${HOME}\n\tsecond line\n"),
  count: 5, flag: true, api_token: "s3cr3t-$(touch \($w)/canary3)"}' >hostile.json
expect_exit 0 "$SKILL/run" --inputs-json hostile.json --json
id=$(jq -r .run_id <<<"$OUT")
cmp <(jq -j .text hostile.json) "$DUMP/text" || fail "text differs in the step's environment"
assert_eq 5 "$(cat "$DUMP/count")" "count"
assert_eq true "$(cat "$DUMP/flag")" "flag"
assert_eq red "$(cat "$DUMP/color")" "color default"
cmp <(jq -j .api_token hostile.json) "$DUMP/api_token" || fail "the secret differs in the step's environment"
assert_eq "" "$(cat "$DUMP/note")" "an optional input without default is set, empty"
jq -e --slurpfile h hostile.json '.inputs.text == $h[0].text' "$(record "$id")" >/dev/null ||
  fail "the record's text is not byte-exact"
assert_eq '***' "$(field "$id" .inputs.api_token)" "masked secret"
assert_eq yes "$(field "$id" .outputs.seen)" "output"
if grep -rq 's3cr3t' "$SKILL/state"; then fail "the secret is in the state folder"; fi
assert_not_contains "$ERR" "s3cr3t" "the run's log"
for c in canary1 canary2 canary3; do [[ ! -e $WORK/$c ]] || fail "$c was created"; done

step "--name=value, --name value, dashes for underscores, booleans normalised, stdin JSON"
expect_exit 0 "$SKILL/run" --text='a=b --c' --count=7 --flag yes --api-token tok --color=blue
assert_eq 'a=b --c' "$(cat "$DUMP/text")" "text"
assert_eq 7 "$(cat "$DUMP/count")" "count"
assert_eq true "$(cat "$DUMP/flag")" "flag"
assert_eq blue "$(cat "$DUMP/color")" "color"
assert_eq tok "$(cat "$DUMP/api_token")" "api_token"
expect_exit 0 "$SKILL/run" --inputs-json - --color green <<<'{"text": "from stdin", "color": "red", "flag": 0}'
assert_eq "from stdin" "$(cat "$DUMP/text")" "text from stdin"
assert_eq green "$(cat "$DUMP/color")" "the command line overrides the JSON"
assert_eq false "$(cat "$DUMP/flag")" "flag"

step "an inherited variable named like an unset input does not leak into the step"
api_token=inherited note=inherited expect_exit 0 env api_token=inherited note=inherited "$SKILL/run" --text x
assert_eq "" "$(cat "$DUMP/api_token")" "api_token"
assert_eq "" "$(cat "$DUMP/note")" "note"

step "a secret input of the wrong type is refused without its value, on stderr and in a scheduled run's record"
skill secret-pin <<'MD'
# Workflow: Secret Pin

## Inputs
- `pin` (secret): A PIN, a number (number)

## Steps
### 1. Use it
```sh
test -n "$pin"
```
MD
expect_exit 65 "$SKILL/run" --pin 12x-pin-value --json
assert_contains "$ERR" 'input pin: "***" is not a number'
assert_not_contains "$OUT$ERR" "12x-pin-value" "the refusal"
DF_TRIGGER=cron expect_exit 65 "$SKILL/run" --inputs-json - <<<'{"pin": "12x-pin-value"}'
assert_eq 1 "$(runs)" "the scheduled run's failed record"
if grep -rq "12x-pin-value" "$SKILL/state"; then fail "the secret is in the state folder"; fi

step "a detached run's log is whole when its record is final: the masking filter is drained first"
skill secret-log <<'MD'
# Workflow: Secret Log

## Inputs
- `key` (secret): A key the step prints

## Steps
### 1. Print it and fail
```sh
echo "calling the API with key $key"
echo "and on stderr: $key" >&2
exit 3
```
MD
# An awk that starts late: the filter's lines reach the log a second after the step printed them.
mkdir -p "$WORK/slow"
printf '#!/bin/sh\nsleep 1\nexec %s "$@"\n' "$(command -v awk)" >"$WORK/slow/awk"
chmod +x "$WORK/slow/awk"
PATH=$WORK/slow:$PATH expect_exit 0 "$SKILL/run" --key sk-0123456789 --detach
id=$(jq -r .run_id <<<"$OUT")
final() { [[ $(jq -r .status "$(record "$id")") == failed ]]; }
wait_for final
assert_contains "$(cat "$SKILL/state/runs/$id.log")" "calling the API with key ***" "the log when the record is final"
wait_for grep -q "run: $id: failed" "$SKILL/state/runs/$id.log"
assert_not_contains "$(cat "$SKILL/state/runs/$id.log")" "has not ended" "the filter ends with the run"
if grep -rq "sk-0123456789" "$SKILL/state"; then fail "the secret is in the state folder"; fi

step "a run in the foreground masks a secret input in what its steps print to the caller"
expect_exit 1 "$SKILL/run" --inputs-json - <<<'{"key": "sk-0123456789"}'
# The steps' stdout goes to the caller's stderr; stdout carries the result alone.
assert_contains "$ERR" "calling the API with key ***" "the step's stdout"
assert_contains "$ERR" "and on stderr: ***" "the step's stderr"
assert_contains "$ERR" ": failed: step print-it-and-fail failed: exit status 3" "the executor's last line"
assert_not_contains "$OUT$ERR" "sk-0123456789" "the caller's output"
assert_not_contains "$ERR" "has not ended" "the filters end with the run (nothing else holds the output)"
[[ $OUT =~ ^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}\ failed$ ]] || fail "stdout is not the result line alone: $OUT"
echo PASS
