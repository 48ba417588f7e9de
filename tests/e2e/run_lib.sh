# shellcheck shell=bash
# Helpers for the executor's end-to-end tests (source after lib.sh).
#   skill NAME < workflow.md      compiles the workflow; sets SKILL to the skill folder
#   start_gateway [ARGS...]       starts the Gateway stand-in; sets GW_URL, GW_LOG, GW_TOKEN
#   record ID                     the path of a run record
#   field ID JQ_FILTER            reads a record field (raw)
export DF_KILL_GRACE_SECONDS=1
unset OPENCLAW_GATEWAY_URL OPENCLAW_GATEWAY_TOKEN OPENCLAW_AGENT DF_STATE_DIR DF_TRIGGER

skill() {
  mkdir -p "$WORK/src" "$WORK/skills"
  cat >"$WORK/src/$1.md"
  SKILL="$WORK/skills/$(compile "$WORK/src/$1.md" -o "$WORK/skills" 2>"$WORK/compile.err" | xargs -r basename)"
  [[ -x $SKILL/run ]] || fail "compile $1: $(cat "$WORK/compile.err")"
}

# start_gateway: lib.sh (one contract for every stand-in).

record() { echo "${DF_STATE_DIR:-$SKILL/state}/runs/$1.json"; }
field() { jq -r "$2" "$(record "$1")"; }
# The run id printed by a run without --json ("ID STATUS").
run_id_of() { echo "${1%% *}"; }
# status_is ID STATUS...: whether the record's status is one of STATUS.
status_is() {
  local id=$1 s want
  shift
  s=$(jq -r .status "$(record "$id")" 2>/dev/null) || return 1
  for want in "$@"; do [[ $s == "$want" ]] && return 0; done
  echo "run $id is '$s', expected one of: $*"
  return 1
}
# The statuses a run ends with (docs/run-record.md): once the record has one, it never changes.
readonly RUN_END_STATUSES='succeeded failed timed_out rolled_back rollback_failed rejected interrupted'
# status_settled ID STATUS...: whether the record's status is one of STATUS or one the run ended with.
status_settled() {
  local s
  s=$(jq -r .status "$(record "$1")" 2>/dev/null) || return 1
  shift
  [[ " $* $RUN_END_STATUSES " == *" $s "* ]]
}
# wait_status ID STATUS...: waits until the record's status is one of STATUS; fails at once, naming the
# status and the record's error, when the run ends with another one (a failing run fails its test in seconds).
wait_status() {
  wait_for status_settled "$@"
  status_is "$@" >/dev/null ||
    fail "run $1 ended $(field "$1" .status), expected one of: ${*:2}; its error: $(field "$1" '.error // "none"')"
}
