# shellcheck shell=bash disable=SC2016,SC2153
# (SC2016: jq programs are single-quoted on purpose; SC2153: globals are set in other lib files.)
# The guardrails that decide whether a run may start: rate limit (a flock-protected ledger of recent runs),
# concurrency (flock on slot files, held for the whole run), approval (the run waits for a decision file
# written by `run --approve/--deny`). Every decision is recorded with df_guard.

# The value of the input that keys a guardrail, described for messages.
df_guard_key() {
  if [[ -n $1 ]]; then
    _DF_KEY_LABEL=" for $1 \"${_DF_IN[$1]-}\""
    [[ $_DF_SECRETS != *" $1 "* ]] || _DF_KEY_LABEL=" for $1 \"***\""
    df_key_hash "$1=${_DF_IN[$1]-}"
  else
    _DF_KEY_LABEL=""
    df_key_hash ""
  fi
}

# Counts this run against the rate limit. Returns 1 (and records why) when the budget is spent.
df_rate_limit() {
  [[ -n $_DF_RATE_MAX ]] || return 0
  df_guard_key "$_DF_RATE_KEY"
  local _df_dir=$_DF_STATE/ratelimit
  mkdir -p -- "$_df_dir" || df_die "$_DF_EXIT_IO" "cannot create $_df_dir"
  local _df_ledger=$_df_dir/$_DF_KEY _df_fd _df_line _df_t
  exec {_df_fd}>>"$_df_ledger.lock" || df_die "$_DF_EXIT_IO" "cannot open $_df_ledger.lock"
  if ! flock -w 30 "$_df_fd"; then
    exec {_df_fd}>&-
    df_die "$_DF_EXIT_TEMP" "the rate-limit ledger $_df_ledger is locked by another run; try again"
  fi
  df_now
  local _df_now_s=$((_DF_NOW_MS / 1000)) _df_oldest=0
  local _df_cutoff=$((_df_now_s - _DF_RATE_WINDOW))
  local -a _df_kept=()
  if [[ -f $_df_ledger ]]; then
    while IFS= read -r _df_line; do
      _df_t=${_df_line%% *}
      [[ $_df_t =~ ^[0-9]+$ ]] || continue
      ((_df_t > _df_cutoff)) || continue
      _df_kept+=("$_df_line")
      ((_df_oldest == 0 || _df_t < _df_oldest)) && _df_oldest=$_df_t
    done <"$_df_ledger"
  fi
  local _df_count=${#_df_kept[@]}
  if ((_df_count >= _DF_RATE_MAX)); then
    exec {_df_fd}>&-
    df_guard rate_limit rejected "$_df_count of $_DF_RATE_MAX runs in the last $_DF_RATE_WINDOW s$_DF_KEY_LABEL; \
the next run is possible in $((_df_oldest + _DF_RATE_WINDOW - _df_now_s)) s"
    return 1
  fi
  _df_kept+=("$_df_now_s $_DF_RUN_ID")
  { printf '%s\n' "${_df_kept[@]}" >"$_df_ledger.tmp" && mv -f -- "$_df_ledger.tmp" "$_df_ledger"; } ||
    df_die "$_DF_EXIT_IO" "cannot write the rate-limit ledger $_df_ledger"
  exec {_df_fd}>&-
  df_guard rate_limit allowed "run $((_df_count + 1)) of $_DF_RATE_MAX in $_DF_RATE_WINDOW s$_DF_KEY_LABEL"
}

# Takes a concurrency slot: an flock on one of N slot files, held by _DF_SLOT_FD until the run ends (a
# detached run inherits it). Returns 1 (and records why) when every slot is taken.
df_acquire_slot() {
  [[ -n $_DF_CONC_MAX && -z ${_DF_SLOT_FD:-} ]] || return 0
  df_guard_key "$_DF_CONC_KEY"
  local _df_dir=$_DF_STATE/slots _df_fd _df_i
  mkdir -p -- "$_df_dir" || df_die "$_DF_EXIT_IO" "cannot create $_df_dir"
  for ((_df_i = 1; _df_i <= _DF_CONC_MAX; _df_i++)); do
    exec {_df_fd}>>"$_df_dir/$_DF_KEY.$_df_i" || df_die "$_DF_EXIT_IO" "cannot open a slot file in $_df_dir"
    if flock -n "$_df_fd"; then
      _DF_SLOT_FD=$_df_fd
      df_guard concurrency allowed "slot $_df_i of $_DF_CONC_MAX$_DF_KEY_LABEL"
      return 0
    fi
    exec {_df_fd}>&-
  done
  df_guard concurrency rejected "all $_DF_CONC_MAX slots are taken by running runs$_DF_KEY_LABEL"
  return 1
}

df_release_slot() {
  [[ -n ${_DF_SLOT_FD:-} ]] || return 0
  exec {_DF_SLOT_FD}>&-
  _DF_SLOT_FD=
}

# Does this run need approval? (The policy's input has the value that needs it, or every run does.)
# Sets _DF_NEEDS_APPROVAL (1 or empty) and _DF_NEEDS_APPROVAL_JSON (true or false).
df_approval_needed() {
  _DF_NEEDS_APPROVAL='' _DF_NEEDS_APPROVAL_JSON=false
  [[ -n $_DF_APPROVAL ]] || return 0
  if [[ -z $_DF_APPROVAL_INPUT || ${_DF_IN[$_DF_APPROVAL_INPUT]-} == "$_DF_APPROVAL_EQUALS" ]]; then
    _DF_NEEDS_APPROVAL=1 _DF_NEEDS_APPROVAL_JSON=true
  fi
}

# df_await_approval [MANIFEST_INDEX RECORD_INDEX]: waits for `run --approve/--deny` (a decision file beside
# the record) until the approval times out. Without arguments it is the run's gate (the approval guardrail,
# before step 1; record field .approval); with them the gate of a step with `Approval: required` (its
# Timeout: or the approval guardrail's; record field .steps[i].approval, decision file RUN_ID.decision-ID).
# Sets _DF_DECIDED_BY. Returns 0 approved, 1 denied, 2 expired.
df_await_approval() {
  local _df_file=$_DF_RUNS/$_DF_RUN_ID.decision _df_deadline _df_waited=0 _df_timeout=$_DF_APPROVAL_TIMEOUT
  local _df_p='["approval"]' _df_set='.status = "awaiting_approval" | .pid = ($pid | tonumber) | .pid_start = ($ps | nullable)'
  local _df_why="input $_DF_APPROVAL_INPUT is \"$_DF_APPROVAL_EQUALS\"" _df_who=''
  [[ -n $_DF_APPROVAL_INPUT ]] || _df_why="every run needs approval"
  if (($#)); then
    _df_file+=-${_DF_STEP_ID[$1]} _df_timeout=${_DF_STEP_APPROVAL_TIMEOUT[$1]:-$_DF_APPROVAL_TIMEOUT}
    _df_p="[\"steps\",$2,\"approval\"]" _df_who=${_DF_STEP_APPROVERS[$1]-}
    _df_set='.status = "awaiting_approval" | setpath($p; {required: true, approvers: ($who | split(" ") | map(select(. != ""))),
      status: null, by: null, at: null, expires_at: null})'
    _df_why="step ${_DF_STEP_ID[$1]} needs approval${_df_who:+ by ${_df_who// /, }}"
  fi
  df_now
  _df_deadline=$((_DF_NOW_MS + _df_timeout * 1000))
  df_guard approval waiting "$_df_why; approve with: run --approve $_DF_RUN_ID (or --deny); \
expires after $_df_timeout s"
  df_proc_start "$BASHPID"
  df_rec "$_df_set"' | setpath($p + ["status"]; "pending") | setpath($p + ["expires_at"]; $expires)' \
    --arg pid "$BASHPID" --arg ps "$_DF_PROC_START" --argjson p "$_df_p" --arg who "$_df_who" \
    --arg expires "$(TZ=UTC0 printf '%(%Y-%m-%dT%H:%M:%S)TZ' "$((_df_deadline / 1000))")" || return 2
  while :; do
    if [[ -f $_df_file ]]; then
      local -a _df_d
      mapfile -d '' _df_d < <(jq -j '[.decision, .by, .at][] | tostring + "\u0000"' "$_df_file" 2>/dev/null)
      if [[ ${_df_d[0]:-} == approved || ${_df_d[0]:-} == denied ]]; then
        _DF_DECIDED_BY=${_df_d[1]:-unknown}
        df_guard approval "${_df_d[0]}" "${1+step ${_DF_STEP_ID[$1]} }by $_DF_DECIDED_BY"
        df_rec 'setpath($p + ["status"]; $d) | setpath($p + ["by"]; $by) | setpath($p + ["at"]; $at)
          | if $step then .status = "running" else . end' --argjson p "$_df_p" --argjson step "$(($# > 0))" \
          --arg d "${_df_d[0]}" --arg by "${_df_d[1]:-}" --arg at "${_df_d[2]:-}"
        [[ ${_df_d[0]} == approved ]] && return 0
        return 1
      fi
    fi
    df_now
    if ((_DF_NOW_MS >= _df_deadline)); then
      df_guard approval expired "${1+step ${_DF_STEP_ID[$1]}: }no decision within $_df_timeout s"
      df_rec 'setpath($p + ["status"]; "expired")' --argjson p "$_df_p"
      return 2
    fi
    # Poll briskly at first, then once a second.
    if ((_df_waited < 50)); then df_sleep 0.2; else df_sleep 1; fi
    _df_waited=$((_df_waited + 1))
  done
}

# df_step_gate MANIFEST_INDEX RECORD_INDEX: a step with `Approval: required` waits for its decision before it
# starts; steps running beside it go on, and such gates are asked one at a time (a lock), so that
# `run --approve RUN_ID` always means the one pending step. Returns 1, the step skipped in the record and
# _DF_STEP_RESULT=rejected, when it is denied or the wait expires.
df_step_gate() {
  [[ -n ${_DF_STEP_APPROVAL[$1]-} ]] || return 0
  local _df_fd='' _df_rc=0 _df_from
  df_now
  _df_from=$_DF_NOW_MS
  if [[ -n ${_DF_PARALLEL-} ]] && exec {_df_fd}>>"$_DF_TMP/approval.lock"; then flock "$_df_fd"; fi
  df_await_approval "$1" "$2" || _df_rc=$?
  [[ -z $_df_fd ]] || exec {_df_fd}>&-
  df_gate_waited "$1" "$_df_from"
  case $_df_rc in
    0) return 0 ;;
    1) _DF_ERR="approval denied by $_DF_DECIDED_BY" ;;
    *) _DF_ERR="approval expired: no decision within ${_DF_STEP_APPROVAL_TIMEOUT[$1]:-$_DF_APPROVAL_TIMEOUT} s" ;;
  esac
  _DF_STEP_RESULT=rejected
  df_log "$_DF_RUN_ID: step $(($1 + 1)) ${_DF_STEP_ID[$1]}: $_DF_ERR"
  df_rec '.steps[$i] |= (.status = "skipped" | .ended_at = $now | .error = $e)' --argjson i "$2" --arg e "$_DF_ERR"
  return 1
}

# df_gate_waited MANIFEST_INDEX FROM_MS: time spent waiting for a person does not count against the run's
# time limit (as a GitHub Actions environment's wait does not count toward the job's timeout): the
# deadline moves later by the wait, so the run has, once the step is decided, what it had left when the
# step began to wait. Beside other steps (a subshell) the wait is also left in gate-waited-INDEX for the
# runner (df_graph_reap), so that the steps that start after this one ends get it too.
df_gate_waited() {
  ((_DF_DEADLINE_MS > 0)) || return 0
  df_now
  local _df_w=$((_DF_NOW_MS - $2))
  _DF_DEADLINE_MS=$((_DF_DEADLINE_MS + _df_w))
  [[ -z ${_DF_PARALLEL-} ]] || printf '%s\n' "$_df_w" >"$_DF_TMP/gate-waited-$1"
  df_guard run_timeout extended "step ${_DF_STEP_ID[$1]} waited $((_df_w / 1000)) s for its approval; \
that time does not count: the run's limit of $_DF_RUN_TIMEOUT s ends that much later"
}
