# shellcheck shell=bash disable=SC2016,SC2153
# (SC2016: jq programs are single-quoted on purpose; SC2153: globals are set in other lib files.)
# The command line and the life of a run: check inputs, apply the start guardrails, run the steps (in the
# foreground or detached), roll back on failure, finish the record.

df_usage_error() { df_die "$_DF_EXIT_USAGE" "$1 (run --help shows the usage)"; }

# df_take_value NAME ARGC NEXT: the value of an option written `--opt VALUE`.
df_need_value() { (($1 >= 2)) || df_usage_error "$2 needs a value"; }

df_parse_args() {
  _DF_MODE=run _DF_TARGET='' _DF_OPT_JSON='' _DF_OPT_DRY='' _DF_OPT_DETACH='' _DF_OPT_NOWAIT=''
  _DF_OPT_STEP='' _DF_OPT_WORKDIR='' _DF_OPT_BY='' _DF_INPUTS_FILE='' _DF_OPT_GRAPH=''
  _DF_CLI_INPUTS=()
  local _df_name
  while (($#)); do
    case $1 in
      -h | --help) _DF_MODE=help ;;
      --version) _DF_MODE=version ;;
      --json) _DF_OPT_JSON=1 ;;
      --dry-run) _DF_OPT_DRY=1 ;;
      --detach) _DF_OPT_DETACH=1 ;;
      --no-wait) _DF_OPT_NOWAIT=1 ;;
      --list) _DF_MODE=list ;;
      --graph) _DF_OPT_GRAPH=1 ;;
      --evidence | --evidence=* | --verify-evidence | --verify-evidence=* | --verify-ledger)
        # An evidence command, where an option may stand (never as an option's value): it has a command
        # line of its own (lib/evidence/commands.sh), which df_main hands every argument.
        _DF_MODE=evidence
        return 0
        ;;
      --step=* | --workdir=* | --inputs-json=* | --status=* | --approve=* | --deny=* | --by=*)
        local _df_opt=${1%%=*}
        set -- "$_df_opt" "${1#*=}" "${@:2}"
        continue
        ;;
      --step | --workdir | --inputs-json | --status | --approve | --deny | --by)
        df_need_value "$#" "$1"
        case $1 in
          --step) _DF_OPT_STEP=$2 ;;
          --workdir) _DF_OPT_WORKDIR=$2 ;;
          --inputs-json) _DF_INPUTS_FILE=$2 ;;
          --status) _DF_MODE=status _DF_TARGET=$2 ;;
          --approve) _DF_MODE=approved _DF_TARGET=$2 ;;
          --deny) _DF_MODE=denied _DF_TARGET=$2 ;;
          --by) _DF_OPT_BY=$2 ;;
        esac
        shift
        ;;
      --*=*)
        _df_name=${1%%=*}
        _df_name=${_df_name#--}
        _DF_CLI_INPUTS+=("${_df_name//-/_}" "${1#*=}")
        ;;
      --?*)
        # Not one of run's options and nothing after it: a mistyped option far more often than an input
        # whose value was forgotten.
        (($# >= 2)) || df_usage_error "unknown option '$1' (inputs are given as --NAME VALUE)"
        _df_name=${1#--}
        _DF_CLI_INPUTS+=("${_df_name//-/_}" "$2")
        shift
        ;;
      *) df_usage_error "unexpected argument '$1'; inputs are given as --NAME VALUE" ;;
    esac
    shift
  done
}

df_main() {
  df_read_umask
  umask 077
  df_load_builtins
  _DF_CHILD='' _DF_CHILD_GROUP='' _DF_SLEEP_PID='' _DF_FINISHING='' _DF_RUN_ID='' _DF_ONLY_STEP=''
  _DF_NEEDS_APPROVAL='' _DF_NEEDS_APPROVAL_JSON=false _DF_STEP_EXTRA=null DF_WORKDIR='' _DF_FAILED_STEP=''
  _DF_FINISHED=() _DF_SUCCEEDED=() _DF_MASKS=() _DF_MASK_PIDS=() _DF_MASK_FDS=() _DF_MASK_DIRECT=''
  # The service's log (df_run_end_log): kept for the run's end, out of the steps' reach.
  _DF_SERVICE_LOG=${DF_LOG-}
  unset DF_LOG
  # A child workflow's run: the parent's run and step (lib/children.sh), for the record; not for its steps.
  _DF_PARENT_RUN=${DF_PARENT_RUN_ID-} _DF_PARENT_STEP=${DF_PARENT_STEP-} _DF_USES=''
  [[ $_DF_PARENT_RUN =~ $_DF_RUN_ID_RE ]] || _DF_PARENT_RUN=''
  unset DF_PARENT_RUN_ID DF_PARENT_STEP
  df_parse_args "$@"
  case $_DF_MODE in
    evidence) df_evidence_cli "$@" ;;
    help) df_load_manifest && df_help ;;
    version) df_load_manifest && echo "run (Dark Factory Engine): skill $_DF_SKILL version $_DF_SKILL_VERSION" ;;
    status) df_cmd_status "$_DF_TARGET" ;;
    list) df_cmd_list ;;
    approved | denied) df_cmd_decide "$_DF_MODE" "$_DF_TARGET" ;;
    *) df_cmd_run ;;
  esac
}

# The --inputs-json text, read with the read builtin (no process: this is on the path from a trigger to the
# first step), byte for byte up to the limit, without its trailing newlines.
df_read_inputs_text() {
  _DF_INPUTS_TEXT=''
  [[ -n $_DF_INPUTS_FILE ]] || return 0
  if [[ $_DF_INPUTS_FILE != - ]]; then
    [[ -f $_DF_INPUTS_FILE && -r $_DF_INPUTS_FILE ]] ||
      df_die "$_DF_EXIT_NO_INPUT" "cannot read --inputs-json file '$_DF_INPUTS_FILE'"
    exec {_DF_INPUTS_FD}<"$_DF_INPUTS_FILE" ||
      df_die "$_DF_EXIT_NO_INPUT" "cannot read --inputs-json file '$_DF_INPUTS_FILE'"
  else
    exec {_DF_INPUTS_FD}<&0
  fi
  # read ends at the limit or at the end of the input, then returns 1: only a read error counts.
  LC_ALL=C IFS= read -r -d '' -N 1048577 -u "$_DF_INPUTS_FD" _DF_INPUTS_TEXT || (($? == 1)) ||
    df_die "$_DF_EXIT_NO_INPUT" "cannot read the inputs from ${_DF_INPUTS_FILE/#-/standard input}"
  exec {_DF_INPUTS_FD}<&-
  _DF_INPUTS_TEXT=${_DF_INPUTS_TEXT%"${_DF_INPUTS_TEXT##*[!$'\n']}"}
  ((${#_DF_INPUTS_TEXT} <= 1048576)) || df_reject_input "--inputs-json: larger than 1 MiB"
  [[ -n $_DF_INPUTS_TEXT ]] || df_reject_input "--inputs-json: empty; give a JSON object such as {}"
}

df_trigger() {
  case ${DF_TRIGGER:-manual} in
    manual | http | cron) _DF_TRIGGER=${DF_TRIGGER:-manual} ;;
    *) _DF_TRIGGER=manual ;;
  esac
}

df_cmd_run() {
  df_read_inputs_text
  df_load_run
  df_approval_needed
  if [[ -n $_DF_OPT_DRY ]]; then
    df_dry_run
    exit 0
  fi
  df_new_run_id
  df_state_paths
  _DF_REC=$_DF_RUNS/$_DF_RUN_ID.json _DF_TMP=$_DF_RUNS/$_DF_RUN_ID.tmp
  df_trigger
  DF_WORKDIR=${_DF_OPT_WORKDIR:-$_DF_STATE/work/$_DF_RUN_ID}
  # When no guardrail can reject the run, its own folders are made with the state folder, in one mkdir.
  df_run_dir_list
  if [[ -z $_DF_RATE_MAX && -z $_DF_CONC_MAX ]]; then df_state_init "${_DF_RUN_DIRS[@]}"; else df_state_init; fi
  if ! df_rate_limit; then df_reject_run; fi
  if [[ -z $_DF_NEEDS_APPROVAL ]] && ! df_acquire_slot; then df_reject_run; fi
  if [[ -n $_DF_OPT_DETACH || (-n $_DF_OPT_NOWAIT && -n $_DF_NEEDS_APPROVAL) ]]; then
    df_detach
  fi
  df_rec_create_published queued "$BASHPID"
  # A secret input given to the run is masked in what its steps print to the caller too.
  if df_mask_values; then df_execute_masked; else df_execute; fi
}

# A scheduled run has nobody to read its error: when its inputs are wrong (a required one neither in the
# trigger, the service environment nor a default), that is kept as a failed run record, so `run --status`
# and monitor show it.
df_record_input_failure() {
  df_new_run_id
  df_state_init
  _DF_REC=$_DF_RUNS/$_DF_RUN_ID.json _DF_TRIGGER=cron DF_WORKDIR='' _DF_INPUTS_MASKED='{}'
  declare -gA _DF_MASKED_JSON=()
  _DF_NEEDS_APPROVAL_JSON=false
  df_rec_create_published failed "" "$1"
  df_evidence_seal failed
  df_log "$_DF_RUN_ID: failed: $1"
  df_run_end_log failed "$1"
}

# A run refused at its start by the rate limit or concurrency: a record that says why; exit 3.
df_reject_run() {
  local _df_kind=${_DF_PENDING_GUARDS[-3]//_/ }
  local _df_why="rejected by the $_df_kind guardrail: ${_DF_PENDING_GUARDS[-1]}"
  df_rec_create_published rejected "" "$_df_why"
  df_evidence_seal rejected
  df_error "run $_DF_RUN_ID $_df_why"
  df_run_end_log rejected "$_df_why"
  if [[ -n $_DF_OPT_DETACH ]]; then
    jq -nc --arg id "$_DF_RUN_ID" --arg e "$_df_why" '{error: $e, status: "rejected", run_id: $id}'
  elif [[ -n $_DF_OPT_JSON ]]; then
    cat -- "$_DF_REC"
  else
    printf '%s rejected\n' "$_DF_RUN_ID"
  fi
  exit "$_DF_EXIT_REJECTED"
}

# Starts the run in the background: a fork of this process, so nothing is read or checked again, with its
# output in runs/<id>.log. It stays in the caller's process group (bash 5.2 mis-waits for the steps of a
# fork made with job control on); each step still gets a process group of its own. A held concurrency slot
# is inherited.
df_detach() {
  local _df_status=queued
  [[ -z $_DF_NEEDS_APPROVAL ]] || _df_status=awaiting_approval
  df_rec_create "$_df_status" ""
  # The run's folders now, so the background run starts its first step sooner.
  df_run_dirs
  # Ignored from the fork on: the terminal may hang up before the background run gets to its traps.
  _DF_DETACHED=1
  trap '' HUP
  # A secret input given to the run (not only its record) is masked in its log: the steps may print it.
  if df_mask_values; then
    df_execute_masked </dev/null &
  else
    df_execute </dev/null >>"$_DF_RUNS/$_DF_RUN_ID.log" 2>&1 &
  fi
  # The record is put in place while the background run starts (df_rec_await), and before the run id is
  # printed, so that whoever gets the id finds the record.
  df_rec_publish
  if [[ -n $_DF_OPT_DETACH ]]; then
    # The run id is [0-9TZa-f-] only: no JSON escaping needed.
    printf '{"run_id":"%s","status":"queued","approval_required":%s}\n' "$_DF_RUN_ID" "$_DF_NEEDS_APPROVAL_JSON"
    exit "$_DF_EXIT_OK"
  fi
  df_log "$_DF_RUN_ID: awaiting approval in the background: run --approve $_DF_RUN_ID (or --deny)"
  if [[ -n $_DF_OPT_JSON ]]; then cat -- "$_DF_REC"; else printf '%s awaiting_approval\n' "$_DF_RUN_ID"; fi
  exit "$_DF_EXIT_AWAITING"
}

# df_execute with its output through masking filters, which df_finish drains (df_mask_drain).
df_execute_masked() {
  df_mask_output
  df_execute
}

# The run's folders that are missing, with one mkdir: _DF_TMP and, unless the run waits for approval first,
# DF_WORKDIR (_DF_RUN_DIRS). Whoever needs one checks it exists and reports the failure.
df_run_dir_list() {
  _DF_RUN_DIRS=("$_DF_TMP")
  [[ -n $_DF_NEEDS_APPROVAL ]] || _DF_RUN_DIRS+=("$DF_WORKDIR")
}

df_run_dirs() {
  df_run_dir_list
  local _df_d
  for _df_d in "${_DF_RUN_DIRS[@]}"; do
    [[ -d $_df_d ]] || {
      mkdir -p -- "${_DF_RUN_DIRS[@]}" 2>/dev/null
      return 0
    }
  done
}

df_execute() {
  trap 'df_on_signal INT 130' INT
  trap 'df_on_signal TERM 143' TERM
  # A detached run has left the terminal it was started from: like nohup, it ignores that terminal's hangup
  # (its steps do not: df_step_process puts SIGHUP back).
  if [[ -n ${_DF_DETACHED-} ]]; then trap '' HUP; else trap 'df_on_signal HUP 129' HUP; fi
  _DF_TMP=$_DF_RUNS/$_DF_RUN_ID.tmp
  df_run_dirs
  [[ -d $_DF_TMP ]] || df_finish failed "cannot create $_DF_TMP"
  if [[ -n $_DF_NEEDS_APPROVAL ]]; then
    df_await_approval
    case $? in
      1) df_finish rejected "approval denied" ;;
      2) df_finish rejected "approval expired: no decision within $_DF_APPROVAL_TIMEOUT s" ;;
    esac
    df_acquire_slot || df_finish rejected "rejected by the concurrency guardrail: ${_DF_PENDING_GUARDS[-1]}"
  fi
  [[ -d $DF_WORKDIR ]] || mkdir -p -- "$DF_WORKDIR" ||
    df_finish failed "cannot create the working directory $DF_WORKDIR"
  # From here on steps run: the watcher stops them should this process be killed (lib/watch.sh).
  df_watch_start
  _DF_DEADLINE_MS=0
  if [[ -n $_DF_RUN_TIMEOUT ]]; then
    df_now
    _DF_DEADLINE_MS=$((_DF_NOW_MS + _DF_RUN_TIMEOUT * 1000))
    df_guard run_timeout armed "the run is stopped after $_DF_RUN_TIMEOUT s"
  fi
  local _df_n=$_DF_NSTEPS _df_ri _df_mi _df_next _df_status=succeeded _df_err=''
  [[ -z $_DF_OPT_STEP ]] || _df_n=1
  if [[ -n ${_DF_M[parallel]} && -z $_DF_OPT_STEP ]]; then
    df_rec_start graph
    df_run_graph
    [[ -z $_DF_GRAPH_FAILED ]] || df_step_failed "$_DF_GRAPH_FAILED"
  else
    df_rec_start
    for ((_df_ri = 0; _df_ri < _df_n; _df_ri++)); do
      _df_mi=${_DF_ONLY_STEP:-$_df_ri}
      _df_next=$((_df_ri + 1 < _df_n ? _df_ri + 1 : -1))
      # `--step ID` too: the step's `If:` holds or it is skipped (an output it reads is empty then: no other
      # step has run).
      if ! df_condition_holds "$_df_mi"; then
        df_pend_skip steps "$_df_ri" "$_df_next" "$_df_mi" "$((_df_mi + 1))"
        continue
      fi
      df_step_gate "$_df_mi" "$_df_ri" && df_run_step steps "$_df_ri" "$_df_mi" "$_df_next" "$((_df_mi + 1))" &&
        continue
      df_step_failed "$_df_mi"
      break
    done
  fi
  # A run a person stopped at a step's approval (denied or expired) rolls back what it had done, as a
  # failed one does (`Undoes:` skips what never ran), and stays `rejected` unless a rollback step fails.
  if [[ $_df_status != succeeded && -n $_DF_AUTO_ROLLBACK && -z $_DF_OPT_STEP ]]; then
    df_run_rollback "$_df_status"
    if [[ -n $_DF_ROLLBACK_STATUS && ($_df_status != rejected || $_DF_ROLLBACK_STATUS == rollback_failed) ]]; then
      _df_status=$_DF_ROLLBACK_STATUS
    fi
  fi
  # `## On Failure` steps (lib/on_failure.sh) after any failure, whatever the rollback did; not after a run a
  # person stopped at a step's gate (rejected): nothing failed, there is nobody to page.
  [[ $_df_status == succeeded || $_df_status == rejected || -n $_DF_OPT_STEP ]] ||
    df_run_on_failure "$_df_status" "$_df_err"
  df_finish "$_df_status" "$_df_err"
}

# df_step_failed MANIFEST_INDEX: the run's status and error (df_execute's _df_status and _df_err) after
# that step failed with _DF_STEP_RESULT and _DF_ERR.
df_step_failed() {
  _DF_FAILED_STEP=${_DF_STEP_ID[$1]}
  case $_DF_STEP_RESULT in
    run_timed_out) _df_status=timed_out _df_err="the run's time limit of $_DF_RUN_TIMEOUT s was reached in step ${_DF_STEP_ID[$1]}" ;;
    timed_out) _df_status=timed_out _df_err="step ${_DF_STEP_ID[$1]} timed out: $_DF_ERR" ;;
    rejected) _df_status=rejected _df_err="step ${_DF_STEP_ID[$1]}: $_DF_ERR" ;;
    *) _df_status=failed _df_err="step ${_DF_STEP_ID[$1]} failed: $_DF_ERR" ;;
  esac
}

# Auto-rollback: the Rollback steps, in order, with a fresh time budget. Sets _DF_ROLLBACK_STATUS
# (rolled_back | rollback_failed; empty when there is nothing to run).
df_run_rollback() {
  _DF_ROLLBACK_STATUS=''
  if ((_DF_NROLLBACK == 0)); then
    df_guard auto_rollback skipped "the run $1 and the workflow has no Rollback steps"
    return 0
  fi
  df_guard auto_rollback started "the run $1; running $_DF_NROLLBACK rollback step(s)"
  _DF_DEADLINE_MS=0
  if [[ -n $_DF_RUN_TIMEOUT ]]; then
    df_now
    _DF_DEADLINE_MS=$((_DF_NOW_MS + _DF_RUN_TIMEOUT * 1000))
  fi
  df_rec '.rollback = [$m[0].rollback[] | {id, title, kind, status: "pending", attempts: 0, started_at: null,
      ended_at: null, exit_code: null, outputs: {}, error: null}]
    | .rollback[0] |= (.status = "running" | .started_at = $now)' --slurpfile m "$_DF_MANIFEST"
  local _df_k _df_next _df_ran=0
  for ((_df_k = 0; _df_k < _DF_NROLLBACK; _df_k++)); do
    _df_next=$((_df_k + 1 < _DF_NROLLBACK ? _df_k + 1 : -1))
    if ! df_condition_holds "$((_DF_NSTEPS + _df_k))" || ! df_undo_needed "$((_DF_NSTEPS + _df_k))"; then
      df_pend_skip rollback "$_df_k" "$_df_next" "$((_DF_NSTEPS + _df_k))" "R$((_df_k + 1))"
      continue
    fi
    _df_ran=$((_df_ran + 1))
    if ! df_run_step rollback "$_df_k" "$((_DF_NSTEPS + _df_k))" "$_df_next" "R$((_df_k + 1))"; then
      df_guard auto_rollback failed "rollback step ${_DF_STEP_ID[_DF_NSTEPS + _df_k]} failed: $_DF_ERR"
      _DF_ROLLBACK_STATUS=rollback_failed
      return 0
    fi
  done
  if ((_df_ran == 0)); then
    # Nothing had changed: the run stays failed (or timed out), not rolled back.
    df_guard auto_rollback skipped "nothing to undo: no step a rollback step undoes had succeeded"
    return 0
  fi
  if ((_df_ran == _DF_NROLLBACK)); then
    df_guard auto_rollback succeeded "all $_DF_NROLLBACK rollback step(s) succeeded"
  else
    df_guard auto_rollback succeeded "$_df_ran rollback step(s) succeeded; the others had nothing to undo"
  fi
  _DF_ROLLBACK_STATUS=rolled_back
}

# df_undo_needed MANIFEST_INDEX: does this rollback step run? Yes, unless it says `Undoes: ID` and step ID
# had not succeeded (_DF_SUCCEEDED). Sets _DF_SKIP_WHY when it does not.
df_undo_needed() {
  local _df_u=${_DF_STEP_UNDOES[$1]-} _df_i
  [[ -n $_df_u ]] || return 0
  for _df_i in "${_DF_SUCCEEDED[@]}"; do [[ ${_DF_STEP_ID[_df_i]} != "$_df_u" ]] || return 0; done
  _DF_SKIP_WHY="it undoes step $_df_u, which had not succeeded"
  return 1
}

# df_finish STATUS ERROR [EXIT]: the last record write, the result on stdout, and the exit.
df_finish() {
  _DF_FINISHING=1
  local _df_status=$1 _df_err=$2
  df_release_slot
  df_mask_drain
  # Secrets are masked in records: an error may quote a step's or the Gateway's words.
  ((${#_DF_MASKS[@]})) || df_mask_values
  df_mask_text _df_err
  df_rec '.status = $st | .ended_at = $now | .error = (if $err == "" then .error else $err end)
    | (.steps, .rollback, .on_failure) |= (if . == null then null else map(if .status == "pending" then .status = "skipped"
        elif .status == "running" then .status = (if $st == "interrupted" then "interrupted" else "failed" end)
          | .ended_at = $now
        else . end) end)
    | if .on_failure == null then del(.on_failure) else . end
    | .outputs as $o
    | .missing_outputs = (if .only_step == null and $st != "rejected" and $st != "interrupted" then
        [$m[0].outputs[].name | select(. as $n | $o | has($n) | not)] else [] end)' \
    --arg st "$_df_status" --arg err "$_df_err" --slurpfile m "$_DF_MANIFEST"
  # The record is final: its ledger entry (lib/evidence.sh).
  df_evidence_seal "$_df_status"
  rm -rf -- "${_DF_TMP:-}"
  # The decision file stays (retention removes it with the record): a `--deny` that read "awaiting approval"
  # just before this run ended must still find the first decision and be refused, not be taken.
  if [[ $_df_status == succeeded && -z $_DF_OPT_WORKDIR && -z ${DF_KEEP_WORKDIR:-} && -n $DF_WORKDIR ]]; then
    rm -rf -- "$DF_WORKDIR"
  fi
  df_log "$_DF_RUN_ID: $_df_status${_df_err:+: $_df_err}"
  df_run_end_log "$_df_status" "$_df_err"
  if [[ -n $_DF_OPT_JSON ]]; then cat -- "$_DF_REC"; else printf '%s %s\n' "$_DF_RUN_ID" "$_df_status"; fi
  df_prune_history
  df_exit_code_for "$_df_status"
  exit "${3:-$_DF_CODE}"
}

# SIGINT/SIGTERM/SIGHUP: stop the running step's process group, record `interrupted`, exit 128+N.
df_on_signal() {
  [[ -z $_DF_FINISHING ]] || return 0
  _DF_FINISHING=1
  trap '' INT TERM HUP
  [[ -z $_DF_SLEEP_PID ]] || kill "$_DF_SLEEP_PID" 2>/dev/null
  _DF_SLEEP_PID=''
  [[ -z ${_DF_GRAPH_PIDS[*]-} ]] || df_graph_stop
  [[ -z ${_DF_ITEM_PIDS[*]-} ]] || df_stop_items
  if [[ -n $_DF_CHILD ]]; then
    if [[ -n $_DF_CHILD_GROUP ]]; then df_stop_group "$_DF_CHILD"; else kill -TERM "$_DF_CHILD" 2>/dev/null; fi
  fi
  _DF_FINISHING=''
  df_finish interrupted "interrupted by SIG$1" "$2"
}

df_help() {
  local _df_inputs
  _df_inputs=$(jq -r '.inputs[] | "  --\(.name) VALUE\n      \(.description)"
    + (if .required then " (required)"
       elif .default != null then " Default: \(.default)"
       else "" end)
    + (if .type == "choice" then " One of: \(.choices | join(", "))." elif .type != "string" then " A \(.type)." else "" end)
    + (if .secret then " Secret: masked in records." else "" end)' "$_DF_MANIFEST")
  local IFS=, _df_ids
  _df_ids="${_DF_STEP_ID[*]:0:_DF_NSTEPS}"
  cat <<EOF
Usage: run [--INPUT VALUE | --INPUT=VALUE]... [--inputs-json FILE|-] [--dry-run] [--json] [--step ID]
           [--workdir DIR] [--detach | --no-wait]
       run --status RUN_ID [--json | --graph]
       run --approve RUN_ID [--by WHO] | run --deny RUN_ID [--by WHO]
       run --list [--json]
       run --evidence RUN_ID | run --verify-evidence FILE --key PUB.pem [--record FILE]
       run --verify-ledger [--key PUB.pem]

Runs the workflow "$_DF_TITLE" (skill $_DF_SKILL, version $_DF_SKILL_VERSION): command steps with bash,
agent steps through the OpenClaw Gateway, under the guardrails compiled into skill.json.

Inputs (each reaches the command steps as an environment variable of the same name, and in upper case
unless that name is one steps rely on; one not given is read from DF_INPUT_<NAME>, then its default):
${_df_inputs:-  (none)}

Options:
  --inputs-json FILE|-  take inputs from a JSON object (command-line inputs override it)
  --dry-run             print the plan and the agent prompts; run nothing, write nothing
  --step ID             run one step (${_df_ids//,/, })
  --workdir DIR         working directory for the steps (default: a new one per run, under the state folder)
  --json                print the run record (JSON) on stdout when the run ends
  --detach              start the run in the background; print {"run_id":...,"status":"queued"}
  --no-wait             when the run needs approval, leave it waiting in the background and exit 4
  --status RUN_ID       show a run's record (--graph: the workflow's Mermaid graph coloured by it)
  --approve/--deny RUN_ID [--by WHO]   decide on a run that awaits approval
  --list                recent runs
  --version             the skill's name and version
  --evidence RUN_ID     the run's in-toto Statement in a DSSE envelope (signed with DF_EVIDENCE_KEY)
  --verify-evidence FILE --key PUB.pem   check an envelope's signature, Statement, record and ledger entry
  --verify-ledger       check the evidence ledger's chain (and with --key PUB.pem its signatures)

Environment: DF_STATE_DIR (default: the state folder beside run), DF_TRIGGER (manual|http|cron),
OPENCLAW_GATEWAY_URL, OPENCLAW_GATEWAY_TOKEN, OPENCLAW_AGENT (default main) for agent steps,
DF_EVIDENCE_KEY (an Ed25519 PEM private key that signs the evidence ledger and envelopes; docs/evidence.md).

Exit status: 0 succeeded, 1 failed or rolled back, 2 rollback failed, 3 rejected by a guardrail,
4 awaiting approval (--no-wait), 5 timed out, 64 usage, 65 bad inputs, 66 unknown run, 130/143 interrupted;
evidence checks: 0 verified, 1 it does not verify (each finding named), 65 not an envelope, 66 missing file.
EOF
}
