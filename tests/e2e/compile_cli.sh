#!/usr/bin/env bash
# compile from the command line: the seed's workflow, stdout contract, exit codes. Named checks (lib.sh).
source "$(dirname "$0")/lib.sh"

seed_compiles() {
  mkdir "$WORK/seed" && cd "$WORK/seed" || return
  sed -n '/^```markdown/,/^```$/p' "$DF_SRC/tests/data/seed-readme-workflow.md" | sed '1d;$d' >seed.md
  expect_exit 0 compile seed.md
  assert_eq "output/deploy-service" "$OUT" "stdout"
  [[ -f output/deploy-service/SKILL.md && -f output/deploy-service/skill.json ]] || fail "files missing"
  jq -e '.name == "deploy-service" and (.steps | length) == 3' output/deploy-service/skill.json >/dev/null
}
check "the seed's Deploy Service workflow compiles into output/deploy-service" seed_compiles

missing_file_is_66() {
  mkdir "$WORK/missing" && cd "$WORK/missing" || return
  expect_exit 66 compile missing.md
  assert_contains "$ERR" "compile: error: cannot read 'missing.md'"
  [[ ! -e output ]] || fail "output created for a missing input"
}
check "a missing file exits 66 and writes nothing" missing_file_is_66

checks_done
