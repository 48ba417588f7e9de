#!/usr/bin/env bash
# Bad input never crashes compile and never leaves output behind: every file of tests/data/bad/ yields the
# diagnostics its .expect sidecar names, the expected exit code, and an untouched --out.
#   NAME.md       the workflow as is
#   NAME.md.esc   ASCII with \xNN escapes, turned into the bytes (invalid UTF-8, NUL, control characters)
#   NAME.expect   `exit: N`, one `message: TEXT` per expected stderr substring, optional `args: FLAGS`
source "$(dirname "$0")/lib.sh"

bad="$DF_SRC/tests/data/bad"
mkdir -p "$WORK/in"
cd "$WORK/in"

# check_rejected FILE EXIT [ARGS...]: compile exits EXIT, no crash, and nothing is written under out/.
check_rejected() {
  local file=$1 want=$2
  shift 2
  rm -rf out
  expect_exit "$want" compile "$@" -o out "$file"
  assert_not_contains "$ERR" "Sanitizer" "stderr of $file"
  assert_eq "" "$OUT" "stdout of $file"
  if [[ -e out ]]; then
    local left
    left=$(find out -mindepth 1 | head -5)
    [[ -z "$left" ]] || fail "$file left output behind: $left"
  fi
}

count=0
for expect in "$bad"/*.expect; do
  name=$(basename "$expect" .expect)
  src="$bad/$name.md"
  [[ -f "$src" ]] || src="$src.esc"
  data_file "$src" "$name.md"
  want=$(sed -n 's/^exit: //p' "$expect")
  read -r -a args <<<"$(sed -n 's/^args: //p' "$expect")"
  [[ -n "$want" ]] || fail "$expect has no 'exit:' line"
  step "$name: exit $want"
  check_rejected "$name.md" "$want" "${args[@]}"
  messages=0
  while IFS= read -r message; do
    assert_contains "$ERR" "$message" "stderr of $name.md"
    messages=$((messages + 1))
  done < <(sed -n 's/^message: //p' "$expect")
  ((messages > 0)) || fail "$expect names no message"
  count=$((count + 1))
done
((count >= 20)) || fail "only $count bad inputs found in $bad"

step "a file over the size limit names the limit"
{ echo "# Workflow: Huge"; echo; echo "## Steps"; echo "1. **Do it**"; head -c 1100000 /dev/zero | tr '\0' 'a'; echo; } >huge.md
check_rejected huge.md 1
assert_contains "$ERR" "over the limit of 1048576 bytes (1 MiB)"

step "the same limit applies to standard input"
rm -rf out
set +e
compile -o out - <huge.md >"$WORK/.out" 2>"$WORK/.err"
rc=$?
set -e
assert_eq 1 "$rc" "exit code for a huge stdin"
assert_contains "$(cat "$WORK/.err")" "over the limit of 1048576 bytes"

step "more steps than the step limit"
{ echo "# Workflow: Many Steps"; echo; echo "## Steps"; for i in $(seq 1001); do echo "$i. **Step $i**"; done; } >steps.md
check_rejected steps.md 1
assert_contains "$ERR" "more than 1000 steps (the step limit)"

step "more inputs than the input limit"
{ echo "# Workflow: Many Inputs"; echo; echo "## Inputs"; for i in $(seq 201); do echo "- \`in_$i\`: x"; done
  echo; echo "## Steps"; echo "1. **Do it**"; echo "   - x"; } >inputs.md
check_rejected inputs.md 1
assert_contains "$ERR" "more than 200 inputs (the input limit)"

step "deeply nested lists name the nesting limit"
{ echo "# Workflow: Nested Lists"; echo; echo "## Steps"; pad=""; for i in $(seq 20); do echo "${pad}- level $i"; pad="$pad  "; done; } >lists.md
check_rejected lists.md 1
assert_contains "$ERR" "(the nesting limit)"

step "all problems of a file are reported in one run"
check_rejected "$(ls bad-cron.md)" 1
assert_eq 3 "$(grep -c ': error: invalid cron schedule' <<<"$ERR")" "cron errors reported"
assert_contains "$ERR" "compile: error: bad-cron.md: 3 errors, 0 warnings; nothing written"
