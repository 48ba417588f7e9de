#!/usr/bin/env bash
# The executor's scripts: shellcheck-clean, valid bash, and the same bytes in every compiled skill.
# Written as named checks (lib.sh, check): each reports ok / not ok and the others still run.
source "$(dirname "$0")/lib.sh"
command -v shellcheck >/dev/null || fail "shellcheck is not installed (bin/setup installs it)"

runtime_is_clean() {
  cd "$DF_SRC/compiler/runtime" || return
  shellcheck --norc -s bash -S style -x run lib/*.sh lib/evidence/*.sh || fail "shellcheck found problems"
  for f in run lib/*.sh lib/evidence/*.sh; do bash -n "$f" || fail "bash -n $f"; done
}
check "shellcheck (every severity) and bash -n on compiler/runtime" runtime_is_clean

# Shared by the checks below: one compile of every template.
compile "$DF_SRC"/workflow-templates/*.md -o "$WORK/out" >"$WORK/folders" 2>/dev/null

skills_carry_the_executor() {
  local templates=("$DF_SRC"/workflow-templates/*.md)
  [[ $(wc -l <"$WORK/folders") == "${#templates[@]}" ]] || fail "expected ${#templates[@]} skills, got: $(cat "$WORK/folders")"
  local executor want_lib folder f
  mapfile -t executor < <(runtime_files)
  want_lib=$(printf '%s\n' "${executor[@]}" | sed -n 's|^lib/||p' | sed 's|/.*||' | sort -u)
  while read -r folder; do
    for f in "${executor[@]}"; do
      cmp -s "$folder/$f" "$DF_SRC/compiler/runtime/$f" || fail "$folder/$f differs from compiler/runtime/$f"
    done
    [[ -x $folder/run ]] || fail "$folder/run is not executable"
    assert_eq "$want_lib" "$(ls "$folder/lib")" "$folder/lib"
  done <"$WORK/folders"
}
check "every template's skill carries the same run and lib/*.sh, byte for byte, run executable" \
  skills_carry_the_executor

skill_md_requires_the_binaries() {
  local meta b
  meta=$(sed -n 's/^metadata: //p' "$WORK/out/deploy-service/SKILL.md")
  for b in bash jq curl flock setsid timeout git; do
    jq -e --arg b "$b" '.openclaw.requires.bins | index($b)' <<<"$meta" >/dev/null || fail "bins lack $b: $meta"
  done
}
check "SKILL.md requires the executor's binaries" skill_md_requires_the_binaries

checks_done
