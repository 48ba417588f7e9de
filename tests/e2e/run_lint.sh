#!/usr/bin/env bash
# The executor's scripts: shellcheck-clean, valid bash, and the same bytes in every compiled skill.
source "$(dirname "$0")/lib.sh"
command -v shellcheck >/dev/null || fail "shellcheck is not installed (bin/setup installs it)"

step "shellcheck (every severity) and bash -n on compiler/runtime"
cd "$DF_SRC/compiler/runtime" || exit
shellcheck --norc -s bash -S style -x run lib/*.sh || fail "shellcheck found problems"
for f in run lib/*.sh; do bash -n "$f" || fail "bash -n $f"; done

step "every template's skill carries the same run and lib/*.sh, byte for byte, run executable"
compile "$DF_SRC"/workflow-templates/*.md -o "$WORK/out" >"$WORK/folders" 2>/dev/null
[[ $(wc -l <"$WORK/folders") == 4 ]] || fail "expected 4 skills, got: $(cat "$WORK/folders")"
while read -r folder; do
  for f in run lib/runtime.sh lib/manifest.sh lib/record.sh lib/guardrails.sh lib/steps.sh lib/graph.sh lib/main.sh; do
    cmp -s "$folder/$f" "$DF_SRC/compiler/runtime/$f" || fail "$folder/$f differs from compiler/runtime/$f"
  done
  [[ -x $folder/run ]] || fail "$folder/run is not executable"
  [[ $(ls "$folder/lib" | wc -l) == 7 ]] || fail "$folder/lib has unexpected files: $(ls "$folder/lib")"
done <"$WORK/folders"

step "SKILL.md requires the executor's binaries"
meta=$(sed -n 's/^metadata: //p' "$WORK/out/deploy-service/SKILL.md")
for b in bash jq curl flock setsid timeout git; do
  jq -e --arg b "$b" '.openclaw.requires.bins | index($b)' <<<"$meta" >/dev/null || fail "bins lack $b: $meta"
done
echo PASS
