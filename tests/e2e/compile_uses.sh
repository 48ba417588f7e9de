#!/usr/bin/env bash
# `Uses:`/`With:` at compile time (tests/data/uses/): a parent bundles each child's skill folder at
# children/<name>/, byte for byte what compiling the child alone writes; skill.json and skill.fields carry the
# step; --depfile lists the child workflow files; every bad parent (NAME.md beside NAME.expect: `exit: N`,
# one `message: TEXT` per expected stderr substring) is refused at the bullet's file:line:col and writes
# nothing.
source "$(dirname "$0")/lib.sh"
cp -r "$DF_SRC/tests/data/uses" "$WORK/uses"
cd "$WORK/uses" || exit

step "a parent bundles its children: each folder as compiling the child alone writes it"
expect_exit 0 compile -q -o out --depfile deps.mk release.md
assert_eq "out/release" "$OUT" "the folder written"
expect_exit 0 compile -q -o alone deploy-service.md smoke.md
# The same --out name, so that skill.json's source.path (relative to the folder) is the same too.
mv out/release/children out/children
check "children/deploy-service is the child compiled alone" diff -r alone/deploy-service out/children/deploy-service
check "children/smoke-test (Uses: by skill name) is smoke.md compiled alone" diff -r alone/smoke-test out/children/smoke-test
mv out/children out/release/children
check "the step in skill.json says what it runs and with what" jq -e '.steps[1] | .kind == "workflow"
  and .uses == {skill: "deploy-service", source: "deploy-service.md",
                with: {service: "$service", environment: "${environment}", replicas: "3"}}' out/release/skill.json
check "a step that runs no child has uses null" jq -e '.steps[0].uses == null' out/release/skill.json
check "skill.fields names the fields uses and with" grep -qx 'step id kind .* uses with .*' out/release/skill.fields
check "the child's with is a compact JSON object in skill.fields" \
  grep -qxF '{"service":"$service","environment":"${environment}","replicas":"3"}' out/release/skill.fields
assert_eq "out/release/skill.json: release.md deploy-service.md smoke.md" "$(cat deps.mk)" "the depfile"

step "compiling again changes nothing; --verify finds the bundled children unchanged"
before=$(tree_hash out/release)
expect_exit 0 compile -q -o out release.md
assert_eq "$before" "$(tree_hash out/release)" "the folder after a second compile"
expect_exit 0 compile --verify out/release
# A bundled child alone: its source.path is relative to out/<child>, where compiling it alone would write it.
expect_exit 0 compile --verify out/release/children/deploy-service out/release/children/smoke-test/
assert_eq $'out/release/children/deploy-service\nout/release/children/smoke-test' "$OUT" "--verify of bundled children"
(cd out/release && expect_exit 0 compile --verify children/smoke-test) || fail "--verify from inside the parent"
echo changed >>out/release/children/smoke-test/SKILL.md
expect_exit 1 compile --verify out/release/children/smoke-test
assert_contains "$ERR" "out/release/children/smoke-test/SKILL.md: content differs" "--verify of a changed bundled child"
expect_exit 1 compile --verify out/release
assert_contains "$ERR" "children/smoke-test/SKILL.md: content differs" "--verify's report"

step "Uses: NAME falls back to a skill compiled earlier into --out"
mkdir elsewhere
cat >elsewhere/by-name.md <<'MD'
# Workflow: By Name

## Inputs
- `service` (required): the service

## Steps
### 1. Deploy
- Uses: deploy-service
- With: service=$service
MD
expect_exit 0 compile -q -o alone --depfile deps.mk elsewhere/by-name.md
check "the compiled folder is bundled as it is" diff -r alone/deploy-service alone/by-name/children/deploy-service
assert_eq "alone/by-name/skill.json: elsewhere/by-name.md alone/deploy-service/skill.json" "$(cat deps.mk)" "the depfile"

step "compile --graph draws a child-workflow step as a subroutine"
expect_exit 0 compile -q --graph mermaid release.md
assert_contains "$OUT" 's2[["2. Deploy<br>uses deploy-service"]]' "the Mermaid node"
assert_contains "$OUT" "classDef workflow" "the Mermaid classes"
expect_exit 0 compile -q --graph dot release.md
assert_contains "$OUT" '"s2" [label="2. Deploy\nuses deploy-service", shape=box, peripheries=2' "the DOT node"

step "a child's warnings are shown once, at the child's file:line:col, under the first step that uses it"
expect_exit 0 compile -o out warned-parent.md
assert_contains "$ERR" "warned-parent.md:5:3: warning: step 'first': child workflow 'warned-child.md' has warnings:
warned-child.md:13:3: warning: guardrail \"Step timout: 10 minutes\" is read as advice" "compile's stderr"
assert_eq 1 "$(grep -c 'warned-child.md:13:3: warning: guardrail "Step timout: 10 minutes" is read as advice' <<<"$ERR")" \
  "times the child's warning is shown (two steps use the child)"
expect_exit 1 compile --strict -o strict warned-parent.md
assert_contains "$ERR" "warned-parent.md:5:3: error: step 'first': child workflow 'warned-child.md' has warnings:" \
  "--strict: a child's warning is an error"

nothing_written() { [[ ! -e out || -z $(find out -mindepth 1 -print -quit) ]]; }
count=0
for expect in *.expect; do
  name=${expect%.expect}
  want=$(sed -n 's/^exit: //p' "$expect")
  step "$name.md is refused (exit $want), nothing written"
  rm -rf out
  expect_exit "$want" compile -o out "$name.md"
  check "$name.md leaves no output" nothing_written
  while IFS= read -r message; do
    check "$name.md: $message" assert_contains "$ERR" "$message" "stderr of $name.md"
  done < <(sed -n 's/^message: //p' "$expect")
  count=$((count + 1))
done
((count >= 5)) || fail "only $count bad parents in tests/data/uses"
checks_done
