#!/usr/bin/env bash
# A short run of the parser fuzzer (tests/fuzz/parse_fuzzer.cpp) from a seed corpus of the workflow
# templates and the test data. Builds nothing: the clang `fuzz` preset must have built it
# (cmake --preset fuzz && cmake --build --preset fuzz; .ci/run does). Longer runs: docs/testing.md.
source "$(dirname "$0")/lib.sh"

fuzzer=${DF_FUZZER:-$DF_SRC/build-fuzz/bin/parse_fuzzer}
[[ -x "$fuzzer" ]] || skip "the parser fuzzer is not built ($fuzzer); run: cmake --preset fuzz && cmake --build --preset fuzz"

step "seed corpus: workflow templates and every test workflow"
mkdir -p "$WORK/corpus"
cp "$DF_SRC"/workflow-templates/*.md "$DF_SRC"/tests/data/*.md "$WORK/corpus/"
for f in "$DF_SRC"/tests/data/{bad,hostile}/*.md; do cp "$f" "$WORK/corpus/$(basename "$(dirname "$f")")-$(basename "$f")"; done
for f in "$DF_SRC"/tests/data/{bad,hostile}/*.md.esc; do data_file "$f" "$WORK/corpus/esc-$(basename "$f" .esc)"; done
(($(ls "$WORK/corpus" | wc -l) >= 30)) || fail "seed corpus is too small"

# Crashes are kept where the next run (and a developer) can find them.
artifacts=${DF_FUZZ_ARTIFACTS:-$(dirname "$(dirname "$fuzzer")")/fuzz-artifacts}
mkdir -p "$artifacts"
seconds=${DF_FUZZ_SECONDS:-20}
step "fuzzing for $seconds s"
set +e
"$fuzzer" -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -dict="$DF_SRC/tests/fuzz/markdown.dict" -artifact_prefix="$artifacts/" "$WORK/corpus" >"$WORK/fuzz.log" 2>&1
rc=$?
set -e
tail -n 12 "$WORK/fuzz.log"
if ((rc != 0)); then
  grep -E "ERROR|runtime error|SUMMARY|Test unit written" "$WORK/fuzz.log" >&2 || true
  fail "the fuzzer found a failing input (exit $rc); reproduce with: $fuzzer $artifacts/<crash-file>"
fi
grep -q "^Done [0-9]* runs" "$WORK/fuzz.log" || fail "the fuzzer did not finish its run"
runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$WORK/fuzz.log")
((runs > 100)) || fail "only $runs runs in $seconds s"
