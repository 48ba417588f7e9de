#!/usr/bin/env bash
# The builder (`compile --edit DIR`) in a real headless Chromium: builder_browser.py drives the page; this
# script starts the builder, then compiles the saved file on the command line and expects what the page
# showed. The screenshot stays in the build folder (scratch/builder_browser/builder.png).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/builder_lib.sh"

[[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]] || skip "chromium and chromium-driver are not installed"
/usr/bin/python3 -c 'import selenium' 2>/dev/null || skip "python3-selenium is not installed"
command -v dot >/dev/null || skip "Graphviz's dot is not installed (the page draws the graph with it)"

ARTEFACTS=$DF_BUILD_DIR/scratch/builder_browser
rm -rf "$ARTEFACTS"
mkdir -p "$ARTEFACTS" "$WORK/flows"
cp "$DF_SRC/workflow-templates/backup-data.md" "$WORK/flows/existing.md"

start_builder "$WORK/flows"

step "the page, driven by Chromium"
/usr/bin/python3 "$DF_SRC/tests/e2e/builder_browser.py" "$URL" "$ARTEFACTS" "$WORK/flows"

step "the saved file compiles on the command line exactly as the page showed"
cd "$WORK/flows"
set +e
compile --check hello.md 2>"$WORK/cli.err"
code=$?
set -e
assert_eq "$(cat "$ARTEFACTS/page-exit-code.txt")" "$code" "exit code"
diff -u "$ARTEFACTS/page-diagnostics.txt" "$WORK/cli.err" || fail "the page's diagnostics differ from compile --check"
assert_contains "$(cat "$WORK/cli.err")" 'hello.md:' "compile --check's report"
grep -q '^1\. \*\*Plan\*\*$' hello.md || fail "the saved file lacks the reordered steps: $(cat hello.md)"
grep -q "^## Triggers" hello.md && fail "removing the only trigger left its section behind"

step "SIGTERM stops the builder cleanly"
stop_builder TERM
test -s "$ARTEFACTS/builder.png" || fail "no screenshot"
echo "ok"
