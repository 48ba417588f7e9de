#!/usr/bin/env bash
# compile's output rules: --out, stdout, determinism, untouched unchanged files, atomic replacement, never
# outside --out or through a symlink, never over a folder it did not make, stdin, many files, --check,
# --json, --strict, usage errors.
source "$(dirname "$0")/lib.sh"

templates="$DF_SRC/workflow-templates"
cd "$WORK" || exit
cp "$templates/run-tests.md" flow.md

# "inode mtime name" of every entry under a folder, to see what was rewritten.
stamps() { (cd "$1" && find . -print0 | sort -z | xargs -0 stat -c '%i %Y.%y %n'); }

step "default --out is ./output; stdout lists the folder"
expect_exit 0 compile -q flow.md
assert_eq "output/run-tests" "$OUT" "stdout"
assert_eq "" "$ERR" "stderr with -q"
for f in SKILL.md skill.json README.md; do
  [[ -f output/run-tests/$f ]] || fail "output/run-tests/$f missing"
  assert_eq 644 "$(stat -c %a "output/run-tests/$f")" "mode of $f"
done
jq -e '.source.path == "../../flow.md"' output/run-tests/skill.json >/dev/null || fail "source path not relative to the folder"

step "the modes do not depend on the umask (a strict one takes bits, compile sets them again)"
(umask 077; expect_exit 0 compile -q -o strict-umask flow.md)
assert_eq 644 "$(stat -c %a strict-umask/run-tests/SKILL.md)" "SKILL.md under umask 077"
assert_eq 755 "$(stat -c %a strict-umask/run-tests/run)" "run under umask 077"
rm -rf strict-umask

step "recompiling into another folder gives byte-identical files"
expect_exit 0 compile -q -o again flow.md
assert_eq "$(tree_hash output/run-tests)" "$(tree_hash again/run-tests)" "file hashes"

step "recompiling unchanged input touches nothing (inodes and mtimes kept)"
# Stamps far in the past: a file rewritten now would show, without waiting for the clock to move on.
find output -exec touch -h -d @946684800 {} +
before=$(stamps output)
expect_exit 0 compile -q flow.md
assert_eq "$before" "$(stamps output)" "stamps after an unchanged recompile"

step "a changed workflow replaces the folder atomically; unchanged files keep their mtime; state/ survives"
mkdir -p output/run-tests/state && echo '{"run":1}' >output/run-tests/state/r1.json
old_dir_inode=$(stat -c %i output/run-tests)
declare -A old_hash old_mtime
for f in SKILL.md skill.json README.md; do
  old_hash[$f]=$(sha256sum <"output/run-tests/$f")
  old_mtime[$f]=$(stat -c %Y.%y "output/run-tests/$f")
done
sed -i 's/^- Do not modify the repository or push anything$/- Do not modify the repository, push, or tag anything/' flow.md
expect_exit 0 compile -q flow.md
[[ "$(stat -c %i output/run-tests)" != "$old_dir_inode" ]] || fail "the folder was modified in place, not swapped"
changed=0
for f in SKILL.md skill.json README.md; do
  if [[ "$(sha256sum <"output/run-tests/$f")" == "${old_hash[$f]}" ]]; then
    assert_eq "${old_mtime[$f]}" "$(stat -c %Y.%y "output/run-tests/$f")" "mtime of unchanged $f"
  else
    changed=$((changed + 1))
    [[ "$(stat -c %Y.%y "output/run-tests/$f")" != "${old_mtime[$f]}" ]] || fail "$f changed but kept its mtime"
  fi
done
((changed >= 1)) || fail "no file changed after the workflow changed"
grep -q 'push, or tag anything' output/run-tests/SKILL.md || fail "SKILL.md does not show the change"
assert_eq '{"run":1}' "$(cat output/run-tests/state/r1.json)" "run record carried over"
assert_eq "" "$(find output -maxdepth 1 -name '.*')" "temporary folders left in output/"

step "leftovers of an interrupted compile (dead process) are cleaned up"
mkdir -p output/.run-tests.tmp-999999999-abc output/.run-tests.old-999999999-def
sed -i 's/, push, or tag anything/ or push anything/' flow.md
expect_exit 0 compile -q flow.md
assert_eq "" "$(find output -maxdepth 1 -name '.*')" "stale temporaries"
# In a batch the folder is read once for all skills: leftovers of the second skill go too.
mkdir -p output/.other.tmp-999999999-abc
sed 's/^# Workflow: .*/# Workflow: Other/' flow.md >other.md
expect_exit 0 compile -q flow.md other.md
assert_eq "" "$(find output -maxdepth 1 -name '.*')" "stale temporaries of the second skill"
rm -rf output/other other.md

step "titles with path characters stay inside --out"
printf '# Workflow: ../../escape/../me\n\n## Steps\n1. **Go**\n   - now\n' >escape.md
mkdir sandbox
expect_exit 0 compile -q -o sandbox/out escape.md
assert_eq "sandbox/out/escape-me" "$OUT" "stdout"
assert_eq "sandbox/out/escape-me" "$(find sandbox -mindepth 2 -maxdepth 2)" "everything written"
[[ ! -e escape && ! -e me ]] || fail "wrote outside --out"

step "a symlinked --out is refused (73) unless --force"
mkdir real && ln -s real linked
expect_exit 73 compile -q -o linked flow.md
assert_contains "$ERR" "compile: error: 'linked' is a symbolic link"
assert_eq "" "$(ls real)" "files written through the link"
expect_exit 0 compile -q --force -o linked flow.md
[[ -f real/run-tests/SKILL.md ]] || fail "--force did not write through the link"

step "a symlink inside --out is never followed"
mkdir -p victim out2 && echo precious >victim/SKILL.md
ln -s ../victim out2/run-tests
expect_exit 73 compile -q -o out2 flow.md
assert_contains "$ERR" "'out2/run-tests' is a symbolic link; compile never writes through links"
assert_eq precious "$(cat victim/SKILL.md)" "the link's target"
assert_eq 1 "$(find victim -type f | wc -l)" "files in the link's target"

step "a folder compile did not make is never overwritten without --force"
mkdir -p out3/run-tests && echo mine >out3/run-tests/notes.txt
expect_exit 73 compile -q -o out3 flow.md
assert_contains "$ERR" "'out3/run-tests' exists and was not made by compile; not overwriting it (use --force"
assert_eq mine "$(cat out3/run-tests/notes.txt)" "the foreign file"
echo '{"compiler": {"name": "someone-else"}}' >out3/run-tests/skill.json
expect_exit 73 compile -q -o out3 flow.md
echo data >out4 && expect_exit 73 compile -q -o out4 flow.md
assert_contains "$ERR" "cannot use 'out4' as the output folder: it is not a folder"
expect_exit 0 compile -q --force -o out3 flow.md
[[ ! -e out3/run-tests/notes.txt && -f out3/run-tests/SKILL.md ]] || fail "--force did not replace the folder"

step "a file our folder did not have is noticed: the folder is rebuilt without it"
echo stray >output/run-tests/stray.txt
expect_exit 0 compile -q flow.md
[[ ! -e output/run-tests/stray.txt ]] || fail "stray file survived a recompilation"

step "standard input: '-' compiles like a file, with no source path"
expect_exit 0 compile -q -o stdin-out - <flow.md
assert_eq "stdin-out/run-tests" "$OUT" "stdout"
jq -e '.source.path == ""' stdin-out/run-tests/skill.json >/dev/null || fail "source path for stdin"
expect_exit 64 compile -q - - <flow.md
assert_contains "$ERR" "'-' (standard input) can be given only once"

step "many files in one run: one line each, in order; a bad one does not stop the others"
printf '# Workflow: Broken\n\n## Inputs\n- `PATH`: no\n' >broken.md
expect_exit 1 compile -q -o many "$templates/deploy-service.md" broken.md "$templates/backup-data.md" \
  "$templates/security-scan.md"
assert_eq $'many/deploy-service\nmany/backup-data\nmany/security-scan' "$OUT" "stdout"
assert_contains "$ERR" "compile: error: broken.md: 2 errors, 0 warnings; nothing written"
assert_eq $'backup-data\ndeploy-service\nsecurity-scan' "$(ls many)" "folders written"
expect_exit 1 compile -q -o dup flow.md "$templates/run-tests.md"
assert_contains "$ERR" "compiles to the skill name 'run-tests', like 'flow.md' in this same run"

step "a batch is made durable once: two syncfs (before and after the swaps), no fsync per file"
command -v strace >/dev/null || fail "strace is not installed (bin/setup installs it)"
# syncs_of CMD...: CMD under strace, its sync calls in $WORK/sync.trace. LeakSanitizer cannot run under
# ptrace, so the asan build's leak check is off for these traced runs only.
syncs_of() {
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    strace -f -qq -e trace=fsync,fdatasync,syncfs -o "$WORK/sync.trace" "$@" >/dev/null
}
syncs_of "$DF_BIN/df-compile" -q -o durable "$templates"/*.md
assert_eq "syncfs syncfs" "$(sed -n 's/^[0-9]* *\([a-z]*\)(.*/\1/p' "$WORK/sync.trace" | xargs)" "sync calls of a batch"
[[ -f durable/backup-data/run && -f durable/run-tests/skill.json ]] || fail "the batch was not written"
syncs_of "$DF_BIN/df-compile" -q -o durable "$templates"/*.md
assert_eq "" "$(cat "$WORK/sync.trace")" "sync calls when nothing changed"

step "--check validates and writes nothing"
expect_exit 0 compile --check -o checked "$templates"/*.md
assert_eq "" "$OUT" "stdout of --check"
[[ ! -e checked ]] || fail "--check created the output folder"
expect_exit 1 compile --check -o checked broken.md
assert_contains "$ERR" "broken.md:4:4: error: input name 'PATH' clashes"
[[ ! -e checked ]] || fail "--check created the output folder"

step "--json: one valid JSON document on stdout, diagnostics inside it"
expect_exit 1 compile --json -o js flow.md broken.md
# Diagnostics go into the JSON only; stderr still says, in one line, that a workflow failed.
assert_eq "compile: error: broken.md: 2 errors, 0 warnings; nothing written" "$ERR" "stderr with --json"
jq -e '.files | length == 2' <<<"$OUT" >/dev/null || fail "--json files: $OUT"
jq -e '.files[0].ok and .files[0].output == "js/run-tests" and .files[0].changed and
       .files[0].skill.name == "run-tests" and (.files[0].skill.guardrails | length) == 4' <<<"$OUT" >/dev/null ||
  fail "--json first file: $OUT"
jq -e '(.files[1].ok | not) and .files[1].output == null and .errors == 2 and
       .files[1].diagnostics[0] == {"severity": "error", "line": 4, "column": 4,
         "message": "input name '"'PATH'"' clashes with an environment variable that commands rely on (inputs become environment variables); rename it"}' \
  <<<"$OUT" >/dev/null || fail "--json second file: $OUT"
expect_exit 0 compile --json -o js flow.md
jq -e '.files[0].changed == false' <<<"$OUT" >/dev/null || fail "--json changed flag on an unchanged recompile"

step "--strict turns warnings into errors"
printf '# Workflow: Warned\n\n## Steps\n1. **Go**\n   - now\n\n## Mystery\ntext\n' >warned.md
expect_exit 0 compile -q -o strict warned.md
assert_contains "$ERR" "warning: unknown section 'Mystery'"
rm -rf strict
expect_exit 1 compile -q --strict -o strict warned.md
assert_contains "$ERR" "warned.md:7:4: error: unknown section 'Mystery'"
[[ ! -e strict ]] || fail "--strict failure wrote output"

step "the guardrail report goes to stderr, one line per guardrail"
expect_exit 0 compile -o report flow.md
assert_eq 4 "$(grep -c '^flow.md:[0-9]*: guardrail ' <<<"$ERR")" "guardrail lines"
assert_contains "$ERR" 'guardrail enforced (step_timeout): "Each step times out after 20 minutes"'
assert_contains "$ERR" 'guardrail advice: "Do not modify the repository or push anything"'

step "usage errors exit 64 with a hint"
expect_exit 64 compile
assert_contains "$ERR" "compile: error: no workflow given"
expect_exit 64 compile --bogus flow.md
assert_contains "$ERR" "(see compile --help)"
expect_exit 64 compile --color=sometimes flow.md
expect_exit 0 compile --help
assert_contains "$OUT" "Stdout lists the generated folders"
expect_exit 0 compile --version
assert_contains "$OUT" "compile (Dark Factory Engine)"
