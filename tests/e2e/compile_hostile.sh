#!/usr/bin/env bash
# Hostile text is data: every file of tests/data/hostile/ compiles (exit 0, no crash) into a folder whose
# SKILL.md frontmatter is valid YAML with exactly name/description/metadata, whose skill.json holds the text
# byte for byte, and which stays inside --out. The .expect sidecars list what to look for (check_skill.py).
source "$(dirname "$0")/lib.sh"

hostile="$DF_SRC/tests/data/hostile"
mkdir -p "$WORK/in"
cd "$WORK/in" || exit
count=0
for expect in "$hostile"/*.expect; do
  name=$(basename "$expect" .expect)
  src="$hostile/$name.md"
  [[ -f "$src" ]] || src="$src.esc"
  data_file "$src" "$name.md"
  folder=$(sed -n 's/^name: //p' "$expect")
  step "$name compiles into out/$folder"
  rm -rf out
  expect_exit 0 compile -o out "$name.md"
  assert_eq "out/$folder" "$OUT" "stdout of $name.md"
  assert_not_contains "$ERR" "Sanitizer" "stderr of $name.md"
  while IFS= read -r warning; do
    assert_contains "$ERR" "$warning" "stderr of $name.md"
  done < <(sed -n 's/^warning: //p' "$expect")
  assert_eq "$folder" "$(ls out)" "the only entry of out/"
  python3 "$DF_SRC/tests/e2e/check_skill.py" "out/$folder" "$expect"
  count=$((count + 1))
done
((count >= 6)) || fail "only $count hostile inputs found in $hostile"

step "nothing was created outside the scratch folder's out/"
assert_eq "" "$(find "$WORK" -newer "$hostile" -path "$WORK/in/out" -prune -o -type d -name '*passwd*' -print)" "stray folders"
