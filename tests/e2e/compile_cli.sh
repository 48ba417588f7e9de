#!/usr/bin/env bash
# compile from the command line: the seed's workflow, stdout contract, exit codes.
source "$(dirname "$0")/lib.sh"

step "the seed's Deploy Service workflow compiles into output/deploy-service"
cd "$WORK" || exit
sed -n '/^```markdown/,/^```$/p' "$DF_SRC/tests/data/seed-readme-workflow.md" | sed '1d;$d' >seed.md
expect_exit 0 compile seed.md
assert_eq "output/deploy-service" "$OUT" "stdout"
[[ -f output/deploy-service/SKILL.md && -f output/deploy-service/skill.json ]] || fail "files missing"
jq -e '.name == "deploy-service" and (.steps | length) == 3' output/deploy-service/skill.json >/dev/null

step "a missing file exits 66 and writes nothing"
rm -rf output
expect_exit 66 compile missing.md
assert_contains "$ERR" "compile: error: cannot read 'missing.md'"
[[ ! -e output ]] || fail "output created for a missing input"
