# shellcheck shell=bash disable=SC2153
# (SC2153: globals are set in other lib files.)
# The run's watcher (docs/run.md, "Signals"). Every step runs in a process group of its own, so an executor
# killed with SIGKILL, which no trap sees, would leave its steps and child workflows running. A small
# process forked when the steps are about to start holds the read end of a pipe whose only write end is the
# executor's: the steps' starters, the subshells of side-by-side steps and the helpers the executor starts
# close it. Nothing is ever written to the pipe; the watcher's read returns at end of file, when the
# executor has ended. A clean end has stopped every step and removed the run's temporary folder: the watcher
# just exits. Otherwise what the run's processes noted in $_DF_TMP/groups-PID (df_watch_note) gets SIGTERM
# and, after the kill grace, SIGKILL; then the record is marked `interrupted` as `run --status` marks a run
# whose process is gone. A child workflow's executor is itself a step: SIGTERM lets it stop its own steps,
# and its own watcher covers it being killed.

# df_watch_start: forks the watcher (once per run, before the first step).
df_watch_start() {
  local _df_exec=$BASHPID
  _DF_EXEC_PID=$BASHPID _DF_WATCHED=1
  exec {_DF_WATCH_FD}> >(df_watch "$_df_exec")
}

# df_watch_note: this process's running steps, as kill(1) targets in $_DF_TMP/groups-PID after the stop
# grace they get: "-GROUP" for a step's process group (the step or each item of a For each), "PID" for a
# process of its own (an agent step's curl; the subshell of a side-by-side step, which stops its step when
# told to and then starts nothing new). One write, no process started.
df_watch_note() {
  [[ -n ${_DF_WATCHED-} ]] || return 0
  local _df_w='' _df_p
  [[ $BASHPID == "$_DF_EXEC_PID" ]] || _df_w=" $BASHPID"
  if [[ -n ${_DF_CHILD-} ]]; then
    if [[ -n ${_DF_CHILD_GROUP-} ]]; then _df_w+=" -$_DF_CHILD"; else _df_w+=" $_DF_CHILD"; fi
  fi
  for _df_p in ${_DF_ITEM_PIDS[@]+"${!_DF_ITEM_PIDS[@]}"}; do _df_w+=" -$_df_p"; done
  printf '%s%s\n' "${_DF_STOP_GRACE:-$_DF_KILL_GRACE}" "$_df_w" >"$_DF_TMP/groups-$BASHPID" 2>/dev/null
  return 0
}

# df_watch_forget: this process (a side-by-side step's subshell) ends with nothing left running.
df_watch_forget() {
  [[ -z ${_DF_WATCHED-} ]] || : >"$_DF_TMP/groups-$BASHPID"
}

# df_watch_close: in a process the executor forks that may outlive it (not a step: df_step_process closes
# it itself before it execs), the write end goes, so that the watcher sees the executor's end.
df_watch_close() {
  [[ -z ${_DF_WATCH_FD-} ]] || exec {_DF_WATCH_FD}>&-
  _DF_WATCH_FD=''
}

# df_watch EXECUTOR_PID: the watcher's body (its standard input is the pipe).
df_watch() {
  local _df_exec=$1 _df_start _df_rc
  trap '' INT HUP
  # It holds neither the caller's output (a detached run's log filter waits for every writer) nor the
  # concurrency slot, and leaves the executor's process group: a signal to that group spares it.
  # A run's masking filters (df_mask_output) likewise wait for every writer: the watcher writes past them.
  exec >/dev/null
  if ((${#_DF_MASK_FDS[@]})); then
    exec 2>&"${_DF_MASK_FDS[1]}"
  elif [[ -n ${_DF_DETACHED-} ]]; then
    exec 2>>"$_DF_RUNS/$_DF_RUN_ID.log"
  fi
  [[ -z ${_DF_SLOT_FD:-} ]] || exec {_DF_SLOT_FD}>&-
  if [[ -n ${_DF_LOADABLES-} ]] && enable -f "$_DF_LOADABLES/setpgid" setpgid 2>/dev/null; then
    setpgid "$BASHPID" "$BASHPID" 2>/dev/null
  fi
  df_proc_start "$_df_exec"
  _df_start=$_DF_PROC_START
  # End of file ends the wait; every 5 s the executor is also looked for, in case a process it started
  # kept a copy of the write end.
  while :; do
    read -r -t 5 _
    _df_rc=$?
    ((_df_rc > 128)) || break
    df_alive "$_df_exec" "$_df_start" || break
  done
  [[ -d $_DF_TMP ]] || exit 0
  df_watch_stop
  df_watch_mark
  exit 0
}

# df_watch_stop: SIGTERM to every target the run's processes noted, then SIGKILL to each one left after
# the grace it was noted with.
df_watch_stop() {
  local -a _df_targets=() _df_graces=() _df_w=()
  local _df_f _df_t _df_k _df_tick=0 _df_left=1
  for _df_f in "$_DF_TMP"/groups-*; do
    read -r -a _df_w <"$_df_f" 2>/dev/null
    [[ ${#_df_w[@]} -gt 1 && ${_df_w[0]} =~ ^[0-9]+$ ]] || continue
    for _df_t in "${_df_w[@]:1}"; do _df_targets+=("$_df_t") _df_graces+=("$((_df_w[0] * 10))"); done
  done
  ((${#_df_targets[@]})) || return 0
  df_log "$_DF_RUN_ID: the run's process is gone (killed?): stopping what it left running: ${_df_targets[*]}"
  for _df_t in "${_df_targets[@]}"; do kill -TERM -- "$_df_t" 2>/dev/null; done
  while [[ -n $_df_left ]]; do
    df_sleep 0.1
    _df_tick=$((_df_tick + 1)) _df_left=''
    for _df_k in "${!_df_targets[@]}"; do
      kill -0 -- "${_df_targets[_df_k]}" 2>/dev/null || continue
      if ((_df_tick >= _df_graces[_df_k])); then
        kill -KILL -- "${_df_targets[_df_k]}" 2>/dev/null
      else
        _df_left=1
      fi
    done
  done
}

# df_watch_mark: the record is corrected as a lost run's (df_rec_check_lost: the executor is gone, or a
# zombie), under the record's lock: the subshell of a stopped step may still write.
df_watch_mark() {
  _DF_PEND=() _DF_PEND_ARGS=() _DF_PENDING_GUARDS=() _DF_REC_LOCK=1
  df_rec_check_lost
}
