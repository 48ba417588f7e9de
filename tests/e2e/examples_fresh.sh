#!/usr/bin/env bash
# examples/ holds the compiled workflow templates. This test recompiles them exactly as the update command
# does (same relative layout, so source paths match) and fails when examples/ differs in any way.
source "$(dirname "$0")/lib.sh"

update="cmake --build --preset default --target update-examples  (or: ./bin/compile -o examples workflow-templates/*.md)"
mkdir -p "$WORK/tree"
cp -r "$DF_SRC/workflow-templates" "$WORK/tree/"
(cd "$WORK/tree" && compile -q -o examples workflow-templates/*.md >/dev/null)

step "examples/ matches a fresh compilation of workflow-templates/"
[[ -d "$DF_SRC/examples" ]] || fail "examples/ is missing: run $update"
if ! diff -r "$WORK/tree/examples" "$DF_SRC/examples" >"$WORK/diff" 2>&1; then
  head -n 40 "$WORK/diff" >&2
  fail "examples are stale: run $update"
fi
fresh_modes=$(cd "$WORK/tree/examples" && find . -type f -printf '%p %m\n' | sort)
kept_modes=$(cd "$DF_SRC/examples" && find . -type f -printf '%p %m\n' | sort)
[[ "$fresh_modes" == "$kept_modes" ]] || fail "examples are stale (file modes differ): run $update"
echo "examples/ is up to date ($(ls "$DF_SRC/examples" | wc -l) skills)"
