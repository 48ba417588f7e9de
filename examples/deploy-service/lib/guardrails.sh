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

# Waits for `run --approve/--deny` (a decision file beside the record) until the approval times out.
# Returns 0 approved, 1 denied, 2 expired.
df_await_approval() {
  local _df_file=$_DF_RUNS/$_DF_RUN_ID.decision _df_deadline _df_waited=0
  df_now
  _df_deadline=$((_DF_NOW_MS + _DF_APPROVAL_TIMEOUT * 1000))
  local _df_why="input $_DF_APPROVAL_INPUT is \"$_DF_APPROVAL_EQUALS\""
  [[ -n $_DF_APPROVAL_INPUT ]] || _df_why="every run needs approval"
  df_guard approval waiting "$_df_why; approve with: run --approve $_DF_RUN_ID (or --deny); \
expires after $_DF_APPROVAL_TIMEOUT s"
  df_proc_start "$BASHPID"
  df_rec '.status = "awaiting_approval" | .pid = ($pid | tonumber) | .pid_start = ($ps | nullable)
    | .approval.status = "pending" | .approval.expires_at = $expires' \
    --arg pid "$BASHPID" --arg ps "$_DF_PROC_START" \
    --arg expires "$(TZ=UTC0 printf '%(%Y-%m-%dT%H:%M:%S)TZ' "$((_df_deadline / 1000))")" || return 2
  while :; do
    if [[ -f $_df_file ]]; then
      local -a _df_d
      mapfile -d '' _df_d < <(jq -j '[.decision, .by, .at][] | tostring + "\u0000"' "$_df_file" 2>/dev/null)
      if [[ ${_df_d[0]:-} == approved || ${_df_d[0]:-} == denied ]]; then
        df_guard approval "${_df_d[0]}" "by ${_df_d[1]:-unknown}"
        df_rec '.approval.status = $d | .approval.by = $by | .approval.at = $at' \
          --arg d "${_df_d[0]}" --arg by "${_df_d[1]:-}" --arg at "${_df_d[2]:-}"
        [[ ${_df_d[0]} == approved ]] && return 0
        return 1
      fi
    fi
    df_now
    if ((_DF_NOW_MS >= _df_deadline)); then
      df_guard approval expired "no decision within $_DF_APPROVAL_TIMEOUT s"
      df_rec '.approval.status = "expired"'
      return 2
    fi
    # Poll briskly at first, then once a second.
    if ((_df_waited < 50)); then df_sleep 0.2; else df_sleep 1; fi
    _df_waited=$((_df_waited + 1))
  done
}
