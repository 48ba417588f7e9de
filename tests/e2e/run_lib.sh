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
# wait_status ID STATUS...: waits until the record's status is one of STATUS.
wait_status() { wait_for status_is "$@"; }
