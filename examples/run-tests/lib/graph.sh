# shellcheck shell=bash disable=SC2016,SC2153
# (SC2016: jq programs are single-quoted on purpose; SC2153: globals are set in other lib files.)
# Steps with `Needs:` (docs/run.md, "Steps side by side"): each step starts once every step it needs has
# succeeded, in a subshell of its own, at most policy.max_parallel_steps at a time. A step whose needed step
# failed or was skipped is skipped; after a failure no new step starts and the running ones finish (as
# Kestra's Parallel does). The record is written under a lock (df_rec), and a step's output lines carry
# its id.

# df_step_deps: _DF_STEP_DEPS[i], the indexes of the steps step i needs (space-separated), from the step
# field `needs`: ids, or "-" for the step before it.
df_step_deps() {
  local -A _df_at=()
  local _df_i _df_id _df_deps
  for ((_df_i = 0; _df_i < _DF_NSTEPS; _df_i++)); do _df_at[${_DF_STEP_ID[_df_i]}]=$_df_i; done
  _DF_STEP_DEPS=()
  for ((_df_i = 0; _df_i < _DF_NSTEPS; _df_i++)); do
    _df_deps=''
    if [[ ${_DF_STEP_NEEDS[_df_i]} == - ]]; then
      ((_df_i == 0)) || _df_deps=$((_df_i - 1))
    else
      for _df_id in ${_DF_STEP_NEEDS[_df_i]}; do
        [[ -n $_df_id && -n ${_df_at[$_df_id]+set} ]] ||
          df_die "$_DF_EXIT_DATA" "$_DF_SKILL_DIR/skill.fields is damaged (recompile the workflow)"
        _df_deps+=" ${_df_at[$_df_id]}"
      done
    fi
    _DF_STEP_DEPS[_df_i]=${_df_deps# }
  done
}

# df_run_graph: runs the steps by their `Needs:`. Sets _DF_GRAPH_FAILED (the index of the first step that
# failed; empty when none did) and _DF_STEP_RESULT and _DF_ERR of that step.
df_run_graph() {
  local -a _df_state=()
  local _df_i _df_d _df_pid _df_max=${_DF_M[max_parallel_steps]:-0} _df_more _df_ok
  local -a _df_ready
  local _df_ix _df_again=''
  df_step_deps
  for ((_df_i = 0; _df_i < _DF_NSTEPS; _df_i++)); do _df_state[_df_i]=pending; done
  declare -gA _DF_GRAPH_PIDS=()
  _DF_GRAPH_FAILED='' _DF_REC_LOCK=1
  df_rec_flush # the run's start, before a step's subshell could take a copy of it
  while :; do
    _df_more=1
    while [[ -n $_df_more ]]; do
      _df_more=''
      for ((_df_i = 0; _df_i < _DF_NSTEPS; _df_i++)); do
        [[ ${_df_state[_df_i]} == pending ]] || continue
        for _df_d in ${_DF_STEP_DEPS[_df_i]}; do
          [[ ${_df_state[_df_d]} == failed || ${_df_state[_df_d]} == skipped ]] || continue
          _df_state[_df_i]=skipped _df_more=1
          df_log "$_DF_RUN_ID: step $((_df_i + 1)) ${_DF_STEP_ID[_df_i]}: skipped (step ${_DF_STEP_ID[_df_d]} did not succeed)"
          break
        done
      done
    done
    _df_ready=()
    for ((_df_i = 0; _df_i < _DF_NSTEPS; _df_i++)); do
      [[ -z $_DF_GRAPH_FAILED ]] || break
      [[ ${_df_state[_df_i]} == pending ]] || continue
      ((_df_max == 0 || ${#_DF_GRAPH_PIDS[@]} + ${#_df_ready[@]} < _df_max)) || break
      _df_ok=1
      for _df_d in ${_DF_STEP_DEPS[_df_i]}; do [[ ${_df_state[_df_d]} == succeeded ]] || _df_ok=''; done
      [[ -n $_df_ok ]] || continue
      if df_condition_holds "$_df_i"; then
        _df_state[_df_i]=running _df_ready+=("$_df_i")
      else
        # Skipped by its `If:`: the steps that need it go on as after a success.
        _df_state[_df_i]=succeeded _df_again=1
        df_pend_skip steps "$_df_i" -1 "$_df_i" "$((_df_i + 1))"
      fi
    done
    # One record write: the ends reaped since the last one, and the steps that start now.
    if ((${#_df_ready[@]})); then
      printf -v _df_ix '%s,' "${_df_ready[@]}"
      df_rec '.steps[$ix[]] |= (.status = "running" | .started_at = $now)' --argjson ix "[${_df_ix%,}]"
      for _df_i in "${_df_ready[@]}"; do df_graph_start "$_df_i"; done
    else
      df_rec_flush
    fi
    if [[ -n $_df_again ]]; then
      _df_again=''
      continue
    fi
    ((${#_DF_GRAPH_PIDS[@]})) || break
    _df_pid=''
    wait -n -p _df_pid "${!_DF_GRAPH_PIDS[@]}"
    [[ -n $_df_pid && -n ${_DF_GRAPH_PIDS[$_df_pid]+set} ]] || continue
    df_graph_reap "$_df_pid"
    # Steps that have ended meanwhile count before any new step starts: a failure among them stops it.
    for _df_pid in "${!_DF_GRAPH_PIDS[@]}"; do
      [[ ! -e $_DF_TMP/result-${_DF_GRAPH_PIDS[$_df_pid]} ]] || df_graph_reap "$_df_pid"
    done
  done
}

# df_condition_holds MANIFEST_INDEX: the step's `If:` (none: it holds), compared as text with the input's
# value or the last value the named step published. Sets _DF_SKIP_WHY for the log when it does not hold.
df_condition_holds() {
  local _df_l=${_DF_STEP_IF_LEFT[$1]-} _df_r=${_DF_STEP_IF_RIGHT[$1]-} _df_v='' _df_k _df_line
  [[ -n $_df_l ]] || return 0
  if [[ $_df_l =~ ^steps\.(.+)\.outputs\.([A-Za-z_][A-Za-z0-9_]{0,63})$ ]]; then
    local _df_id=${BASH_REMATCH[1]} _df_n=${BASH_REMATCH[2]}
    for ((_df_k = 0; _df_k < _DF_NSTEPS; _df_k++)); do
      [[ ${_DF_STEP_ID[_df_k]} == "$_df_id" && -r $_DF_TMP/outputs-$_df_k ]] || continue
      while IFS= read -r _df_line || [[ -n $_df_line ]]; do
        [[ $_df_line != "$_df_n="* ]] || _df_v=${_df_line#*=}
      done <"$_DF_TMP/outputs-$_df_k"
    done
  else
    _df_v=${_DF_IN[$_df_l]-}
  fi
  if [[ ${_DF_STEP_IF_OP[$1]} == '!=' ]]; then [[ $_df_v != "$_df_r" ]]; else [[ $_df_v == "$_df_r" ]]; fi && return 0
  _DF_SKIP_WHY="If: $_df_l ${_DF_STEP_IF_OP[$1]} $_df_r; it is \"$_df_v\""
  return 1
}

# df_pend_skip SECTION RECORD_INDEX NEXT MANIFEST_INDEX LABEL: the step is skipped (_DF_SKIP_WHY says why:
# its `If:` does not hold, or it undoes a step that had not succeeded; in the log and the step's error),
# queued for the next record write like a step's end; NEXT (or -1) is marked running.
df_pend_skip() {
  local _df_k=${#_DF_PEND[@]}
  df_log "$_DF_RUN_ID: step $5 ${_DF_STEP_ID[$4]}: skipped ($_DF_SKIP_WHY)"
  df_now
  _DF_PEND+=("{\"i\":$_df_k,\"sec\":\"$1\",\"ri\":$2,\"st\":\"skipped\",\"att\":0,\"code\":null,\"next\":$3,\"ended\":\"$_DF_NOW\"}")
  df_pend_texts "$_df_k" /dev/null null "skipped: $_DF_SKIP_WHY"
}

# df_graph_reap PID: the step whose subshell PID has ended (or is ending: its result is written): its
# state (df_run_graph's _df_state), and the first failure.
df_graph_reap() {
  local _df_i=${_DF_GRAPH_PIDS[$1]} _df_result _df_k=${#_DF_PEND[@]}
  local -a _df_end=()
  wait "$1" 2>/dev/null
  unset "_DF_GRAPH_PIDS[$1]"
  _DF_FINISHED+=("$_df_i")
  # The time the step waited at its approval gate does not count (df_gate_waited).
  if [[ -r $_DF_TMP/gate-waited-$_df_i ]] && read -r _df_result <"$_DF_TMP/gate-waited-$_df_i" &&
    [[ $_df_result =~ ^[0-9]+$ ]] && ((_DF_DEADLINE_MS > 0)); then
    _DF_DEADLINE_MS=$((_DF_DEADLINE_MS + _df_result))
  fi
  # The step's end (df_rec_step_end wrote it), queued for the next record write.
  [[ -r $_DF_TMP/end-$_df_i ]] && mapfile -d '' _df_end <"$_DF_TMP/end-$_df_i"
  if ((${#_df_end[@]} >= 9)); then
    _DF_PEND+=("{\"i\":$_df_k,\"sec\":\"${_df_end[0]}\",\"ri\":${_df_end[1]},\"st\":\"${_df_end[2]}\",\"att\":${_df_end[3]},\"code\":${_df_end[4]},\"next\":-1,\"ended\":\"${_df_end[5]}\"}")
    df_pend_texts "$_df_k" "${_df_end[6]}" "${_df_end[7]}" "${_df_end[8]}"
    _DF_PENDING_GUARDS+=("${_df_end[@]:9}")
  fi
  _df_result=(failed "the step's process ended without a result")
  [[ -r $_DF_TMP/result-$_df_i ]] && mapfile -t _df_result <"$_DF_TMP/result-$_df_i"
  if [[ ${_df_result[0]} == succeeded ]]; then
    _df_state[_df_i]=succeeded _DF_SUCCEEDED+=("$_df_i")
    return 0
  fi
  _df_state[_df_i]=failed
  if [[ -z $_DF_GRAPH_FAILED ]]; then
    _DF_GRAPH_FAILED=$_df_i _DF_STEP_RESULT=${_df_result[0]} _DF_ERR=${_df_result[1]-}
  fi
}

# df_graph_start INDEX: the step in a subshell of its own (df_run_graph has marked it running). The
# subshell leaves its end in end-INDEX (df_rec_step_end) and its result (df_run_step's _DF_STEP_RESULT and
# _DF_ERR) in result-INDEX; asked to stop, it stops its step's process group first.
df_graph_start() {
  (
    trap 'df_graph_step_stop' INT TERM HUP
    _DF_PARALLEL=1 _DF_PEND=() _DF_PEND_ARGS=() _DF_PENDING_GUARDS=()
    # Only the executor holds the watcher's pipe; the watcher finds this subshell in its note.
    df_watch_close
    df_watch_note
    df_step_gate "$1" "$1" && df_run_step steps "$1" "$1" -1 "$(($1 + 1))"
    printf '%s\n%s\n' "$_DF_STEP_RESULT" "${_DF_ERR//$'\n'/ }" >"$_DF_TMP/result-$1"
    df_watch_forget
  ) &
  _DF_GRAPH_PIDS[$!]=$1
}

df_graph_step_stop() {
  trap '' INT TERM HUP
  [[ -z $_DF_SLEEP_PID ]] || kill "$_DF_SLEEP_PID" 2>/dev/null
  [[ -z ${_DF_ITEM_PIDS[*]-} ]] || df_stop_items
  if [[ -n $_DF_CHILD ]]; then
    if [[ -n $_DF_CHILD_GROUP ]]; then df_stop_group "$_DF_CHILD"; else kill -TERM "$_DF_CHILD" 2>/dev/null; fi
  fi
  df_watch_forget
  exit 143
}

# df_graph_stop: the run is interrupted: every running step's subshell stops its step, and is waited for.
df_graph_stop() {
  local _df_pid
  for _df_pid in "${!_DF_GRAPH_PIDS[@]}"; do kill -TERM "$_df_pid" 2>/dev/null; done
  for _df_pid in "${!_DF_GRAPH_PIDS[@]}"; do wait "$_df_pid" 2>/dev/null; done
  _DF_GRAPH_PIDS=()
}

# df_prefix_lines ID: copies its input to stderr with "[ID] " before every line (the output of a step that
# runs beside others).
df_prefix_lines() {
  local _df_l
  df_watch_close
  while IFS= read -r _df_l || [[ -n $_df_l ]]; do printf '[%s] %s\n' "$1" "$_df_l"; done >&2
}

# --- `For each: item in $list` (docs/run.md, "One step over a list") ---

# df_foreach_items MANIFEST_INDEX: _DF_ITEMS, the items of the step's list input: the elements of a JSON
# array (strings as they are, others as JSON), else its lines, else its comma-separated parts; each
# trimmed, empty ones dropped. Returns 1 when the value starts like a JSON array but is none.
df_foreach_items() {
  local _df_v=${_DF_IN[${_DF_STEP_FOREACH_LIST[$1]}]-} _df_x
  local -a _df_parts=()
  _DF_ITEMS=()
  if [[ $_df_v =~ ^[[:space:]]*\[ ]]; then
    jq -j 'if type == "array" then .[] | (if type == "string" then . else tojson end)
      | gsub("\u0000"; "") + "\u0000" else error("not an array") end' <<<"$_df_v" >"$_DF_TMP/items-$1" 2>/dev/null ||
      return 1
    mapfile -d '' _df_parts <"$_DF_TMP/items-$1"
  elif [[ $_df_v == *$'\n'* ]]; then
    mapfile -t _df_parts <<<"$_df_v"
  else
    IFS=, read -r -d '' -a _df_parts <<<"$_df_v"
  fi
  for _df_x in "${_df_parts[@]}"; do
    _df_x=${_df_x#"${_df_x%%[![:space:]]*}"}
    _df_x=${_df_x%"${_df_x##*[![:space:]]}"}
    [[ -z $_df_x ]] || _DF_ITEMS+=("$_df_x")
  done
}

# df_foreach_exec MANIFEST_INDEX LIMIT_S SECTION RECORD_INDEX: the command step once per item, each in a process group of its own
# with the item in its variable (and DF_ITEM_INDEX), at most policy.max_parallel_steps (default 4) at a
# time, each under the step's time limit. Every item runs; then the outputs are collected (df_foreach_end).
# Sets _DF_RC and _DF_ERR.
df_foreach_exec() {
  _DF_SCRIPT=$_DF_TMP/step-$1.sh _DF_LIMIT=$2 _DF_STEP_EXTRA=null
  [[ -f $_DF_SCRIPT ]] || printf '%s' "${_DF_STEP_COMMANDS[$1]}" >"$_DF_SCRIPT" ||
    df_die "$_DF_EXIT_IO" "cannot write $_DF_SCRIPT"
  : >"$_DF_OUT_FILE"
  if ! df_foreach_items "$1"; then
    _DF_RC=1 _DF_ERR="input ${_DF_STEP_FOREACH_LIST[$1]} starts with [ but is not a JSON array"
    return
  fi
  local _df_n=${#_DF_ITEMS[@]} _df_max=${_DF_M[max_parallel_steps]:-0} _df_k=0 _df_j _df_pid _df_rc _df_pfd
  ((_df_max > 0)) || _df_max=4
  local _df_out=$_DF_OUT_FILE
  local -a _df_codes=()
  declare -gA _DF_ITEM_PIDS=()
  _DF_ITEM_VAR=${_DF_STEP_FOREACH_VAR[$1]}
  df_log "$_DF_RUN_ID: step $_DF_CUR_STEP_ID: $_df_n item(s), at most $_df_max at a time"
  while ((_df_k < _df_n || ${#_DF_ITEM_PIDS[@]})); do
    while ((_df_k < _df_n && ${#_DF_ITEM_PIDS[@]} < _df_max)); do
      _DF_ITEM=${_DF_ITEMS[_df_k]} _DF_ITEM_INDEX=$_df_k _DF_OUT_FILE=$_df_out.item-$_df_k
      : >"$_DF_OUT_FILE"
      # The prefixing process stays out of the item's process group (see df_exec_command).
      exec {_df_pfd}> >(df_prefix_lines "$_DF_CUR_STEP_ID:$((_df_k + 1))")
      df_step_process 2>&"$_df_pfd" &
      _df_pid=$!
      exec {_df_pfd}>&-
      [[ -z ${_DF_SETPGID-} || $_DF_LIMIT -gt 0 ]] || setpgid "$_df_pid" "$_df_pid" 2>/dev/null
      _DF_ITEM_PIDS[$_df_pid]=$_df_k
      _df_k=$((_df_k + 1))
      df_watch_note
    done
    _df_pid=''
    wait -n -p _df_pid "${!_DF_ITEM_PIDS[@]}"
    _df_rc=$?
    [[ -n $_df_pid && -n ${_DF_ITEM_PIDS[$_df_pid]+set} ]] || continue
    _df_j=${_DF_ITEM_PIDS[$_df_pid]}
    _df_codes[_df_j]=$_df_rc
    df_stop_group "$_df_pid"
    unset "_DF_ITEM_PIDS[$_df_pid]"
    df_watch_note
  done
  _DF_OUT_FILE=$_df_out _DF_ITEM_VAR=''
  df_foreach_end "$1" "$3" "$4" "$_df_n" "${_df_codes[@]}"
}

# df_foreach_end MANIFEST_INDEX SECTION RECORD_INDEX N CODE...: each item's status in the record's step (.items), the outputs
# as one JSON array per name in item order (null for an item that did not publish it), and the step's
# result: failed when an item failed, unless `Continue on error: yes`.
df_foreach_end() {
  local _df_mi=$1 _df_sec=$2 _df_ri=$3 _df_n=$4 _df_k _df_j _df_l _df_name _df_items='' _df_failed=0 _df_first=''
  shift 4
  local -A _df_arr=() _df_val=()
  local -a _df_names=()
  for ((_df_k = 0; _df_k < _df_n; _df_k++)); do
    local _df_code=${1:-1}
    shift
    _df_val=()
    while IFS= read -r _df_l || [[ -n $_df_l ]]; do
      [[ $_df_l =~ ^([A-Za-z_][A-Za-z0-9_]{0,63})=(.*)$ ]] || continue
      _df_val[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
      [[ -n ${_df_arr[${BASH_REMATCH[1]}]+set} ]] && continue
      _df_names+=("${BASH_REMATCH[1]}")
      _df_arr[${BASH_REMATCH[1]}]=''
      for ((_df_j = 0; _df_j < _df_k; _df_j++)); do _df_arr[${BASH_REMATCH[1]}]+=null,; done
    done <"$_DF_OUT_FILE.item-$_df_k"
    for _df_name in "${_df_names[@]}"; do
      if [[ -n ${_df_val[$_df_name]+set} ]]; then
        df_rec_json "${_df_val[$_df_name]}"
        _df_arr[$_df_name]+=$_DF_JSON,
      else
        _df_arr[$_df_name]+=null,
      fi
    done
    df_rec_json "${_DF_ITEMS[_df_k]}"
    if ((_df_code == 0)); then
      _df_items+=",{\"item\":$_DF_JSON,\"status\":\"succeeded\",\"exit_code\":0}"
    else
      _df_items+=",{\"item\":$_DF_JSON,\"status\":\"failed\",\"exit_code\":$_df_code}"
      _df_failed=$((_df_failed + 1))
      [[ -n $_df_first ]] || _df_first="item $((_df_k + 1)) (${_DF_ITEMS[_df_k]}) exit status $_df_code"
    fi
  done
  for _df_name in "${_df_names[@]}"; do printf '%s=[%s]\n' "$_df_name" "${_df_arr[$_df_name]%,}"; done >"$_DF_OUT_FILE"
  df_rec '(if $sec == "steps" then .steps else .rollback end)[$ri].items = $items' \
    --arg sec "$_df_sec" --argjson ri "$_df_ri" --argjson items "[${_df_items#,}]"
  _DF_RC=0 _DF_ERR=''
  ((_df_failed)) || return 0
  if [[ -n ${_DF_STEP_CONTINUE_ON_ERROR[_df_mi]-} ]]; then
    df_log "$_DF_RUN_ID: step $_DF_CUR_STEP_ID: $_df_failed of $_df_n item(s) failed (continue on error): first $_df_first"
    return 0
  fi
  _DF_RC=1 _DF_ERR="$_df_failed of $_df_n item(s) failed; first $_df_first"
}

# df_stop_items: the run or its step is stopped: every running item's process group is.
df_stop_items() {
  local _df_pid
  for _df_pid in "${!_DF_ITEM_PIDS[@]}"; do kill -TERM -- "-$_df_pid" 2>/dev/null; done
  for _df_pid in "${!_DF_ITEM_PIDS[@]}"; do df_stop_group "$_df_pid"; done
  _DF_ITEM_PIDS=()
}
