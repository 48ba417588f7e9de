#!/usr/bin/env bash
# A batch's folders are staged on worker threads (compiler/staging_pool.h): what compile prints, what it
# writes and what it leaves alone when a folder fails in the middle are the same as compiling the inputs
# one by one, whatever the threads' timing.
source "$(dirname "$0")/lib.sh"

templates="$DF_SRC/workflow-templates"
cd "$WORK" || exit
mkdir in
# Twenty-four workflows: the templates under new titles, so that several folders are in flight at once.
for i in $(seq 1 24); do
  sed "1s/.*/# Workflow: Batch Flow $i/" "$templates/run-tests.md" >"in/flow-$i.md"
done
cp "$templates/smoke-test.md" "$templates/release.md" in/
printf '# Workflow: Broken\n\n## Inputs\n- `PATH`: no\n' >in/broken.md
# A workflow whose skill.json is larger than the file size limit below: its folder fails half-way through
# its files (write: File too large), on a worker thread.
python3 - >in/big.md <<'PY'
print("# Workflow: Big Flow\n\n## Description\nLarge.\n\n## Steps")
for i in range(1, 301):
    print(f"### {i}. Step {i}\nPart {i}.\n\n```sh\n" + ("echo " + "x" * 64 + "\n") * 20 + "```\n")
PY
inputs=(in/flow-{1..6}.md in/broken.md in/flow-{7..12}.md in/big.md in/flow-{13..18}.md in/release.md
  in/flow-{19..24}.md)

# compile_in DIR ARGS...: compile -o out ARGS... run in DIR (so that messages name the same paths),
# with files limited to 256 KiB (SIGXFSZ ignored: the write fails with EFBIG instead of killing compile).
compile_in() {
  local dir=$1
  shift
  (cd "$dir" && ulimit -f 256 && trap '' XFSZ && exec "$DF_SRC/bin/compile" -o out "$@")
}
# prepare DIR: DIR/out holds the previous Big Flow (a folder the failing write must leave as it was) and a
# folder compile did not make; in/big.md is then changed, so that its folder is written again.
prepare() {
  rm -rf "$1" && mkdir "$1" && ln -s ../in "$1/in"
  sed -i 's/^Larger\.$/Large./' in/big.md
  (cd "$1" && "$DF_SRC/bin/compile" -q -o out in/big.md >/dev/null 2>&1)
  sed -i 's/^Large\.$/Larger./' in/big.md
  mkdir -p "$1/out/batch-flow-9" && echo mine >"$1/out/batch-flow-9/notes.txt"
}

step "the one-by-one reference: each input compiled on its own"
prepare serial
big_before=$(tree_hash serial/out/big-flow)
for input in "${inputs[@]}"; do
  compile_in serial "$input" >>"$WORK/serial.out" 2>>"$WORK/serial.err" || true
done
serial_out=$(cat "$WORK/serial.out") serial_err=$(cat "$WORK/serial.err")
assert_contains "$serial_err" "compile: error: cannot write 'out/big-flow/skill.json': File too large"
# A folder's error follows what compile said about its workflow, before the next workflow's report.
assert_eq "compile: error: 'out/batch-flow-9' exists and was not made by compile; not overwriting it (use --force to replace it)" \
  "$(grep -A1 '^in/flow-9.md:51: guardrail advice' <<<"$serial_err" | tail -1)" "the line after flow-9's report"
assert_contains "$serial_err" "compile: error: in/broken.md: 2 errors, 0 warnings; nothing written"

for round in 1 2 3; do
  step "batch $round: stdout, stderr and every folder as one by one; the failed folders are untouched"
  prepare batch
  expect_exit 74 compile_in batch "${inputs[@]}"
  assert_eq "$serial_out" "$OUT" "stdout of the batch"
  assert_eq "$serial_err" "$ERR" "stderr of the batch"
  assert_eq "$big_before" "$(tree_hash batch/out/big-flow)" "the folder whose write failed"
  assert_eq mine "$(cat batch/out/batch-flow-9/notes.txt)" "the folder compile did not make"
  assert_eq "" "$(find batch/out -maxdepth 1 -name '.*')" "temporary folders left in out/"
  assert_eq "$(tree_hash serial/out)" "$(tree_hash batch/out)" "every file written"
done

step "a batch without failures lists every folder in input order"
expect_exit 0 compile -q -o plain in/flow-{1..24}.md
assert_eq "$(printf 'plain/batch-flow-%d\n' {1..24})" "$OUT" "stdout in input order"
