#!/usr/bin/env bash
# The conformance corpus of tests/data/accept/: workflows written the way people write them, each compiled
# as its .expect sidecar says. Every diagnostic the sidecar names must appear as a whole line of stderr.
#   exit: N          compile's exit code
#   args: FLAGS      extra compile flags (e.g. --strict)
#   warnings: N      exactly N warnings (omit to not count)
#   diag: LINE       a whole line of stderr (`file:line:col: warning: …` or the summary)
#   ids: A B …       the step ids skill.json holds, in order
#   inputs: A B …    the input names skill.json holds, in order
#   aliases: A B …   each input's upper-case alias in skill.json (`-` for none)
#   jq: FILTER       a jq filter that must be true of skill.json
# A workflow with errors leaves nothing behind.
source "$(dirname "$0")/lib.sh"

corpus="$DF_SRC/tests/data/accept"
mkdir -p "$WORK/in"
cd "$WORK/in" || exit

count=0
for expect in "$corpus"/*.expect; do
  name=$(basename "$expect" .expect)
  cp "$corpus/$name.md" "$name.md"
  want=$(sed -n 's/^exit: //p' "$expect")
  [[ -n "$want" ]] || fail "$expect has no 'exit:' line"
  read -r -a args <<<"$(sed -n 's/^args: //p' "$expect")"
  step "$name: exit $want"
  rm -rf out
  expect_exit "$want" compile "${args[@]}" -o out "$name.md"
  if ((want != 0)) && [[ -e out ]]; then
    left=$(find out -mindepth 1 | head -5)
    [[ -z "$left" ]] || fail "$name.md has errors but left output behind: $left"
  fi
  while IFS= read -r line; do
    grep -qxF -- "$line" <<<"$ERR" || fail "$name.md: stderr has no line [$line]; it is:"$'\n'"$ERR"
  done < <(sed -n 's/^diag: //p' "$expect")
  warnings=$(sed -n 's/^warnings: //p' "$expect")
  if [[ -n "$warnings" ]]; then
    assert_eq "$warnings" "$(grep -c ': warning: ' <<<"$ERR" || true)" "$name.md warnings ($ERR)"
  fi
  for key in ids inputs aliases; do
    listed=$(sed -n "s/^$key: //p" "$expect")
    [[ -n "$listed" ]] || continue
    case $key in
      ids) filter='[.steps[].id]' ;;
      inputs) filter='[.inputs[].name]' ;;
      aliases) filter='[.inputs[] | .env_alias // "-"]' ;;
    esac
    assert_eq "$listed" "$(jq -r "$filter | join(\" \")" out/*/skill.json)" "$name.md $key"
  done
  while IFS= read -r filter; do
    jq -e "$filter" out/*/skill.json >/dev/null || fail "$name.md: skill.json does not satisfy [$filter]"
  done < <(sed -n 's/^jq: //p' "$expect")
  count=$((count + 1))
done
((count >= 25)) || fail "only $count workflows in $corpus (the corpus has at least 25)"

step "the templates compile under --strict; the seed README's example and this README's compile"
expect_exit 0 compile --strict --check "$DF_SRC"/workflow-templates/*.md
awk '/^## Writing a workflow/ { on = 1 } on && /^```$/ && body { exit } body { print } on && /^```markdown$/ { body = 1 }' \
  "$DF_SRC/README.md" >readme.md
grep -q '^# Workflow: ' readme.md || fail "README.md has no example under 'Writing a workflow'"
sed -n '/^```markdown/,/^```$/p' "$DF_SRC/tests/data/seed-readme-workflow.md" | sed '1d;$d' >seed.md
for example in readme.md seed.md; do
  expect_exit 0 compile --check "$example"
  assert_not_contains "$ERR" "is not declared" "compile of $example"
done

step "the report lists each step with its kind"
expect_exit 0 compile -o out2 "$corpus/report-kinds.md"
assert_contains "$ERR" $'report-kinds.md:4: step compile "Compile": command (runs its shell blocks)\n'
assert_contains "$ERR" 'report-kinds.md:8: step review-the-diff "Review the diff": agent (an OpenClaw agent carries it out)'
echo PASS
