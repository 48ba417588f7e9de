# shellcheck shell=bash
# Helpers of the builder's tests (compile --edit), on top of lib.sh.

# start_builder DIR: starts `compile --edit DIR` until the test ends; sets BUILDER (its pid) and URL. The
# wrapper itself runs in the background, not the compile function, so that the pid is the builder's (the
# wrapper execs it).
start_builder() {
  "$DF_SRC/bin/compile" --edit "$1" >"$WORK/url" 2>"$WORK/builder.err" &
  BUILDER=$!
  on_exit "kill $BUILDER 2>/dev/null"
  wait_for test -s "$WORK/url"
  # shellcheck disable=SC2034 # read by the tests that source this file
  URL=$(<"$WORK/url")
}

# stop_builder SIGNAL: sends it and expects a clean stop: exit 0 and the note on stderr. In the asan preset
# the exit code carries AddressSanitizer's and LeakSanitizer's verdict; a failure shows their report.
stop_builder() {
  kill "-$1" "$BUILDER"
  local code=0
  wait "$BUILDER" || code=$?
  ((code == 0)) || echo "the builder's stderr:" "$(cat "$WORK/builder.err")" >&2
  assert_eq 0 "$code" "the builder's exit code after SIG$1"
  assert_contains "$(cat "$WORK/builder.err")" "the builder stopped"
}
