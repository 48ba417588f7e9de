#!/usr/bin/env bash
# compile in make: --name-from-file for `out/%/skill.json: %.md` rules, --depfile, --verify for CI, and the
# .gitignore that keeps a skill folder's run state out of git.
source "$(dirname "$0")/lib.sh"
command -v make >/dev/null || fail "make is not installed (build-essential, bin/setup)"
cd "$WORK" || exit
cp "$DF_SRC/workflow-templates/backup-data.md" backup.md
cp "$DF_SRC/workflow-templates/run-tests.md" tests.md

step "a pattern rule: out/NAME/skill.json from NAME.md, the folder named after the file"
cat >Makefile <<MAKE
SKILLS := \$(patsubst %.md,out/%/skill.json,\$(wildcard *.md))
all: \$(SKILLS)
out/%/skill.json: %.md
	DF_BUILD_DIR=$DF_BUILD_DIR $DF_SRC/bin/compile -q --name-from-file -o out \$<
MAKE
make >make.log 2>&1 || fail "make: $(cat make.log)"
[[ -f out/backup/skill.json && -f out/tests/skill.json ]] || fail "no out/backup, out/tests: $(ls out)"
assert_eq backup-data "$(jq -r .name out/backup/skill.json)" "the skill keeps its own name"
jq -e '.source.path == "../../backup.md"' out/backup/skill.json >/dev/null || fail "source path: $(jq .source out/backup/skill.json)"
make -q || fail "make -q: not up to date right after make"

step "a changed workflow is remade, alone; an unchanged one is not touched"
touch -d '-2 hours' backup.md tests.md
find out -type f -exec touch -d '-1 hour' {} +
printf '\n' >>tests.md
make -q && fail "make -q: tests.md changed but make sees nothing to do"
make >make.log 2>&1 || fail "make: $(cat make.log)"
assert_contains "$(cat make.log)" "tests.md"
# A changed workflow changes skill.json (it holds the workflow's hash); SKILL.md, the same, keeps its time.
assert_eq "$(date -r out/backup/SKILL.md +%s)" "$(date -r out/tests/SKILL.md +%s)" "SKILL.md times"
[[ out/tests/skill.json -nt out/tests/SKILL.md ]] || fail "out/tests/skill.json was not rewritten"
assert_not_contains "$(cat make.log)" "backup.md"
make -q || fail "make -q after the remake"

step "--depfile: one rule per folder, which make reads (folders named after the skills)"
expect_exit 0 compile -q -o skills --depfile skills.d backup.md tests.md
assert_eq $'skills/backup-data/skill.json: backup.md\nskills/run-tests/skill.json: tests.md' "$(cat skills.d)" "depfile"
cat >Makefile.dep <<MAKE
skills/backup-data/skill.json:
	DF_BUILD_DIR=$DF_BUILD_DIR $DF_SRC/bin/compile -q -o skills --depfile skills.d backup.md tests.md
-include skills.d
MAKE
make -q -f Makefile.dep || fail "make -q with the depfile: not up to date"
touch -d '-3 hours' skills/backup-data/skill.json
make -q -f Makefile.dep && fail "make -q with the depfile misses a changed workflow"

mkdir -p 'odd dir'
cp backup.md 'odd dir/my flow.md'
expect_exit 0 compile -q -o 'o#ut' --depfile odd.d 'odd dir/my flow.md'
assert_eq 'o\#ut/backup-data/skill.json: odd\ dir/my\ flow.md' "$(cat odd.d)" "depfile escapes"

step "--verify: 0 when a folder matches a fresh compile, 1 naming each file that differs"
rm -rf out && make >/dev/null 2>&1
expect_exit 0 compile --verify out/backup out/tests
assert_eq $'out/backup\nout/tests' "$OUT" "--verify stdout"
echo "edited" >>out/backup/SKILL.md
chmod 644 out/backup/run
rm out/backup/lib/main.sh
echo "mine" >out/backup/notes.txt
mkdir out/backup/state && echo '{}' >out/backup/state/r.json # run state is not compared
expect_exit 1 compile --verify out/backup out/tests
assert_eq "out/tests" "$OUT" "--verify stdout lists the folders that match"
for line in "compile: differs: out/backup/SKILL.md: content differs" \
  "compile: differs: out/backup/run: mode 0644, expected 0755" \
  "compile: differs: out/backup/lib/main.sh: missing" \
  "compile: differs: out/backup/notes.txt: not made by compile" \
  "compile: error: out/backup differs from a fresh compile of its workflow (4 files); compile it again"; do
  assert_contains "$ERR" "$line"
done
assert_not_contains "$ERR" "state"
make -B out/backup/skill.json >/dev/null 2>&1
expect_exit 0 compile --verify out/backup
printf '\n- `extra`: an input\n' >>backup.md
expect_exit 1 compile --verify out/backup
assert_contains "$ERR" "out/backup/skill.json: content differs"
expect_exit 66 compile --verify nowhere
expect_exit 64 compile --verify --check out/backup

step "each skill folder ignores its run state in git"
assert_eq $'# Run records of local runs (run\'s state folder): not part of the skill.\n/state/' \
  "$(cat out/tests/.gitignore)" ".gitignore"
git -C out init -q
mkdir -p out/tests/state/runs && echo '{}' >out/tests/state/runs/r.json
git -C out add -A
assert_eq "" "$(git -C out status --porcelain --ignored=no | grep state || true)" "state/ in git"
git -C out ls-files --error-unmatch tests/skill.json >/dev/null || fail "skill.json is not tracked"
echo PASS
