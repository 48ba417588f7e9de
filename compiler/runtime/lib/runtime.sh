# shellcheck shell=bash disable=SC2016,SC2153
# (SC2016: jq programs are single-quoted on purpose; SC2153: globals are set in other lib files.)
# Basics of the executor: exit codes, messages, clocks, run ids, the state folder, process liveness.
# Naming: the executor's own variables are _DF_* (globals) or _df_* (locals). Input names start with a
# lower-case letter, so exporting an input can never overwrite one of them.

# The exit-code table shared with compile, deploy and monitor (common/error.h, docs/exit-codes.md).
readonly _DF_EXIT_OK=0 _DF_EXIT_FAILED=1 _DF_EXIT_NEEDS_ATTENTION=2 _DF_EXIT_REJECTED=3
readonly _DF_EXIT_AWAITING=4 _DF_EXIT_TIMED_OUT=5 _DF_EXIT_USAGE=64 _DF_EXIT_DATA=65 _DF_EXIT_NO_INPUT=66
readonly _DF_EXIT_SOFTWARE=70 _DF_EXIT_IO=74 _DF_EXIT_TEMP=75 _DF_EXIT_CONFIG=78

readonly _DF_RUN_ID_RE='^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$'
readonly _DF_NAME_RE='^[a-z][a-z0-9_]{0,63}$'
# Seconds between SIGTERM and SIGKILL when a step's process group is stopped.
_DF_KILL_GRACE=${DF_KILL_GRACE_SECONDS:-5}
[[ $_DF_KILL_GRACE =~ ^[0-9]+$ ]] || _DF_KILL_GRACE=5

df_log() {
  local _df_msg="$*"
  # After df_mask_drain this writes to the log itself, with no filter in between.
  [[ -z ${_DF_MASK_DIRECT-} ]] || df_mask_text _df_msg
  printf 'run: %s\n' "$_df_msg" >&2
}
df_error() { df_log "error: $*"; }

# df_mask_values: _DF_MASKS, the values of the secret inputs this run was given (each line of a value) that
# have 4 characters or more, longest first so that a secret holding another is masked whole; a shorter
# one would mask ordinary text (the service masks its tokens by the same rule). Returns 1 when there is none.
df_mask_values() {
  _DF_MASKS=()
  local _df_n _df_l _df_i
  for _df_n in ${_DF_SECRETS-}; do
    while IFS= read -r _df_l; do
      ((${#_df_l} >= 4)) || continue
      for ((_df_i = ${#_DF_MASKS[@]}; _df_i > 0; _df_i--)); do
        ((${#_DF_MASKS[_df_i - 1]} < ${#_df_l})) || break
        _DF_MASKS[_df_i]=${_DF_MASKS[_df_i - 1]}
      done
      _DF_MASKS[_df_i]=$_df_l
    done <<<"${_DF_IN[$_df_n]-}"
  done
  ((${#_DF_MASKS[@]} > 0))
}

# df_mask_lines: copies its input to its output line by line with each of _DF_MASKS replaced by ***: the
# log of a detached run (df_detach), whose steps may print a secret input they were given. It ignores the
# signals that stop the run, so that the run's last lines still get through, and ends when the run and its
# steps have closed their output. The values reach awk through its environment, never its command line.
df_mask_lines() {
  trap '' INT TERM HUP
  local _df_i
  for ((_df_i = 0; _df_i < ${#_DF_MASKS[@]}; _df_i++)); do export "_DF_MASK_$_df_i=${_DF_MASKS[_df_i]}"; done
  export _DF_MASK_N=${#_DF_MASKS[@]} LC_ALL=C
  exec awk 'BEGIN { n = ENVIRON["_DF_MASK_N"] + 0; for (i = 0; i < n; i++) s[i] = ENVIRON["_DF_MASK_" i] }
    { line = $0
      for (i = 0; i < n; i++) {
        out = ""
        while ((p = index(line, s[i])) > 0) { out = out substr(line, 1, p - 1) "***"; line = substr(line, p + length(s[i])) }
        line = out line
      }
      print line; fflush() }'
}

# df_mask_text VAR: replaces each of _DF_MASKS in the value of the variable named VAR by ***, in this process:
# for the executor's own messages (a step's error may quote what the step printed).
df_mask_text() {
  local -n _df_text=$1
  local _df_m
  for _df_m in "${_DF_MASKS[@]}"; do _df_text=${_df_text//"$_df_m"/***}; done
}

# df_mask_output: the rest of this run writes through masking filters (_DF_MASK_PIDS): a run in the
# foreground through one for stdout and one for stderr, to the caller's own (kept in _DF_MASK_FDS for
# df_mask_drain); a detached run (df_detach) through one, to its log.
df_mask_output() {
  if [[ -n ${_DF_DETACHED-} ]]; then
    exec > >(df_mask_lines >>"$_DF_RUNS/$_DF_RUN_ID.log") 2>&1
    _DF_MASK_PIDS=("$!")
    return 0
  fi
  local _df_out _df_err
  exec {_df_out}>&1 {_df_err}>&2
  _DF_MASK_FDS=("$_df_out" "$_df_err")
  exec > >(df_mask_lines)
  _DF_MASK_PIDS=("$!")
  exec 2> >(df_mask_lines >&"$_df_err")
  _DF_MASK_PIDS+=("$!")
}

# df_mask_drain: every line the masking filters were given has reached the log or the caller before the
# run's final record is written, so whoever sees the run end finds its whole log. The executor writes
# directly from here on (df_log and df_error mask its messages in this process), which closes the filters'
# input once the steps' processes are gone (their groups are killed as each step ends); the wait is
# bounded, should a step have moved a process out of its group.
df_mask_drain() {
  ((${#_DF_MASK_PIDS[@]})) || return 0
  if ((${#_DF_MASK_FDS[@]})); then
    exec 1>&"${_DF_MASK_FDS[0]}" 2>&"${_DF_MASK_FDS[1]}"
  else
    exec >>"$_DF_RUNS/$_DF_RUN_ID.log" 2>&1
  fi
  _DF_MASK_DIRECT=1
  local _df_i _df_p
  for _df_p in "${_DF_MASK_PIDS[@]}"; do
    for ((_df_i = 0; _df_i < 500; _df_i++)); do
      kill -0 "$_df_p" 2>/dev/null || break
      df_sleep 0.01
    done
    ((_df_i < 500)) ||
      df_log "$_DF_RUN_ID: the output filter has not ended after 5 s: a process a step started still holds the run's output"
  done
  _DF_MASK_PIDS=()
}

# df_run_end_log STATUS ERROR: the run's end as one logfmt line on the service's log (docs/service.md, "The
# run-end line"), when the service started the run: the entrypoint names webhook's stdout in DF_LOG, which
# df_main keeps in _DF_SERVICE_LOG and takes out of the steps' environment. The error is quoted with \\ \"
# \n \r \t escaped and other control characters made spaces, so no text can end the line or add a field;
# one write under PIPE_BUF bytes, so lines of concurrent runs never interleave. No process is started.
df_run_end_log() {
  [[ -n ${_DF_SERVICE_LOG-} ]] || return 0
  local _df_err=${2:0:300} _df_step='' _df_ms='' _df_line TZ=UTC0
  if [[ $1 != succeeded ]]; then
    _df_step=${_DF_FAILED_STEP:-${_DF_CUR_STEP_ID-}}
    _df_step=${_df_step//[!A-Za-z0-9_.-]/}
  fi
  df_now
  [[ -z ${_DF_CREATED_MS-} ]] || _df_ms=$((_DF_NOW_MS - _DF_CREATED_MS))
  _df_err=${_df_err//\\/\\\\}
  _df_err=${_df_err//\"/\\\"}
  _df_err=${_df_err//$'\n'/\\n}
  _df_err=${_df_err//$'\r'/\\r}
  _df_err=${_df_err//$'\t'/\\t}
  _df_err=${_df_err//[$'\001'-$'\037'$'\177']/ }
  printf -v _df_line '%(%Y-%m-%dT%H:%M:%SZ)T %s: df_run_end run_id=%s trigger=%s status=%s failed_step=%s duration_ms=%s%s' \
    "${_DF_NOW_MS:0:-3}" "${DF_SKILL_NAME:-skill}" "$_DF_RUN_ID" "${_DF_TRIGGER:-manual}" "$1" "$_df_step" "$_df_ms" \
    "${_df_err:+ error=\"$_df_err\"}"
  printf '%s\n' "$_df_line" >>"$_DF_SERVICE_LOG" 2>/dev/null || true
}

# df_die CODE MESSAGE: the one error line, then exit.
df_die() {
  local _df_code=$1
  shift
  df_error "$*"
  exit "$_df_code"
}

# Sets _DF_UMASK to the umask the executor was started with (octal), read from /proc without forking; a
# subshell only where /proc is missing.
df_read_umask() {
  local _df_key _df_val
  _DF_UMASK=
  if [[ -r /proc/self/status ]]; then
    while read -r _df_key _df_val; do
      [[ $_df_key == Umask: ]] && _DF_UMASK=$_df_val && break
    done </proc/self/status
  fi
  [[ $_DF_UMASK =~ ^[0-7]{3,4}$ ]] || _DF_UMASK=$(umask)
}

# Sets _DF_NOW (ISO 8601 UTC with milliseconds) and _DF_NOW_MS (epoch milliseconds) without forking.
df_now() {
  local _df_t=$EPOCHREALTIME
  local _df_s=${_df_t%%[!0-9]*} _df_f=${_df_t##*[!0-9]}000
  _df_f=${_df_f:0:3}
  _DF_NOW_MS=$((_df_s * 1000 + 10#$_df_f))
  TZ=UTC0 printf -v _DF_NOW '%(%Y-%m-%dT%H:%M:%S)T.%sZ' "$_df_s" "$_df_f"
}

# A new run id: UTC time and 32 random bits, safe in file names and URLs.
df_new_run_id() {
  TZ=UTC0 printf -v _DF_RUN_ID '%(%Y%m%dT%H%M%S)TZ-%08x' -1 "$SRANDOM"
}

# Sleeps in the background and waits, so a trapped signal interrupts it at once.
df_sleep() {
  # The background sleep holds no copy of the watcher's pipe (lib/watch.sh).
  if [[ -n ${_DF_WATCH_FD-} ]]; then sleep "$1" {_DF_WATCH_FD}>&- & else sleep "$1" & fi
  _DF_SLEEP_PID=$!
  wait "$_DF_SLEEP_PID"
  _DF_SLEEP_PID=
}

# df_stat PID|self: the fields of /proc/PID/stat after the command name (the state first) in _DF_STAT;
# returns 1 where /proc is missing. Split on blanks without a here-string (a pipe or temp file each time):
# they are numbers and a one-letter state, nothing a glob could expand.
df_stat() {
  local _df_line
  _DF_STAT=()
  read -r _df_line 2>/dev/null <"/proc/$1/stat" || return 1
  local IFS=' '
  # shellcheck disable=SC2206 # splitting is the point
  _DF_STAT=(${_df_line##*) })
}

# The start time of a process (field 22 of /proc/PID/stat): with the pid it names a process uniquely, so a
# reused pid is not mistaken for a live run. Empty where /proc is missing.
df_proc_start() {
  _DF_PROC_START=
  df_stat "$1" || return 0
  _DF_PROC_START=${_DF_STAT[19]:-}
}

# df_alive PID START: is that process still running?
df_alive() {
  [[ $1 =~ ^[0-9]+$ ]] || return 1
  kill -0 "$1" 2>/dev/null || [[ -d /proc/$1 ]] || return 1
  # A zombie has ended; only its parent has not reaped it yet.
  df_stat "$1" || return 0
  [[ ${_DF_STAT[0]-} != Z ]] || return 1
  [[ -z $2 || -z ${_DF_STAT[19]-} || ${_DF_STAT[19]} == "$2" ]]
}

# Debian's bash-builtins package ships loadable mkdir, rm, ln, unlink, sleep and setpgid. Where they are
# installed (in BASH_LOADABLES_PATH, default /usr/lib/bash) they stand in for the programs in this process
# (not in the steps: each step is a bash of its own), since starting a program is most of what a run's
# start-up costs; elsewhere the programs run. (sleep is run in the background, as `sleep N &`: a fork that
# stays interruptible; only the evidence ledger's lock waits in the foreground, 5 ms at a time.) _DF_LINK=1
# when ln and unlink are builtins; _DF_SETPGID=1 when setpgid is and this process has no controlling
# terminal (see df_step_process). _DF_LOADABLES names the folder, for
# the builtins loaded only where they are used (stat, by the evidence seal).
df_load_builtins() {
  local _df_dir _df_b
  _DF_LINK='' _DF_SETPGID='' _DF_LOADABLES=''
  local IFS=:
  for _df_dir in ${BASH_LOADABLES_PATH:-/usr/lib/bash}; do
    [[ -n $_df_dir && -r $_df_dir/mkdir ]] || continue
    _DF_LOADABLES=$_df_dir
    for _df_b in mkdir rm sleep; do
      [[ -r $_df_dir/$_df_b ]] && enable -f "$_df_dir/$_df_b" "$_df_b" 2>/dev/null
    done
    [[ -r $_df_dir/ln && -r $_df_dir/unlink ]] && enable -f "$_df_dir/ln" ln 2>/dev/null &&
      enable -f "$_df_dir/unlink" unlink 2>/dev/null && _DF_LINK=1
    ! df_has_terminal && [[ -r $_df_dir/setpgid ]] && enable -f "$_df_dir/setpgid" setpgid 2>/dev/null &&
      _DF_SETPGID=1
    return 0
  done
}

# Has this process a controlling terminal? (Field 7 of /proc/self/stat, tty_nr, is 0 when it has none;
# without /proc, assume it has.)
df_has_terminal() {
  df_stat self || return 0
  [[ ${_DF_STAT[4]:-1} != 0 ]]
}

# The state folder: run records, logs, ledgers, slots and working directories.
df_state_paths() {
  _DF_STATE=${DF_STATE_DIR:-$_DF_SKILL_DIR/state}
  _DF_RUNS=$_DF_STATE/runs
}

# df_state_init [DIR...]: the state folder, and DIRs with it (they may fail: their users check).
df_state_init() {
  df_state_paths
  mkdir -p -- "$_DF_STATE" "$_DF_RUNS" "$_DF_STATE/work" "$_DF_STATE/locks" "$@" 2>/dev/null
  [[ -d $_DF_STATE && -d $_DF_RUNS && -d $_DF_STATE/work && -d $_DF_STATE/locks ]] ||
    df_die "$_DF_EXIT_IO" "cannot create the state folder '$_DF_STATE' (set DF_STATE_DIR to a writable folder)"
}

# df_plain TEXT: is TEXT printable ASCII without `"` or `\`? Such text is its own JSON string body, so the
# executor can write it into JSON without jq.
df_plain() {
  [[ $1 != *[!\ -~]* && $1 != *[\"\\]* ]]
}

# df_json_quote TEXT: sets _DF_JSON to TEXT as a JSON string, escaped as jq escapes it (bytes >= 0x80 as
# they are). Returns 1 when TEXT is not valid UTF-8 (checked by iconv, started only for text outside ASCII).
df_json_quote() {
  local _df_s=$1 _df_c _df_u
  if ! df_plain "$_df_s"; then
    if [[ $_df_s == *[!$'\001'-$'\177']* ]]; then
      iconv -f UTF-8 -t UTF-8 <<<"$_df_s" >/dev/null 2>&1 || return 1
    fi
    _df_s=${_df_s//"\\"/"\\\\"} _df_s=${_df_s//'"'/'\"'}
    _df_s=${_df_s//$'\b'/'\b'} _df_s=${_df_s//$'\t'/'\t'} _df_s=${_df_s//$'\n'/'\n'}
    _df_s=${_df_s//$'\f'/'\f'} _df_s=${_df_s//$'\r'/'\r'}
    while [[ $_df_s =~ [$'\001'-$'\037'$'\177'] ]]; do
      _df_c=${BASH_REMATCH[0]}
      printf -v _df_u '\\u%04x' "'$_df_c"
      _df_s=${_df_s//"$_df_c"/"$_df_u"}
    done
  fi
  _DF_JSON="\"$_df_s\""
}

# A short, file-name-safe key for a guardrail keyed by an input value (the value itself may be anything).
df_key_hash() {
  local _df_sum
  _df_sum=$(printf '%s' "$1" | sha256sum) || df_die "$_DF_EXIT_SOFTWARE" "sha256sum failed"
  _DF_KEY=${_df_sum:0:16}
}

df_exit_code_for() {
  case $1 in
    succeeded) _DF_CODE=$_DF_EXIT_OK ;;
    failed | rolled_back) _DF_CODE=$_DF_EXIT_FAILED ;;
    rollback_failed) _DF_CODE=$_DF_EXIT_NEEDS_ATTENTION ;;
    rejected) _DF_CODE=$_DF_EXIT_REJECTED ;;
    awaiting_approval | queued) _DF_CODE=$_DF_EXIT_AWAITING ;;
    timed_out) _DF_CODE=$_DF_EXIT_TIMED_OUT ;;
    interrupted) _DF_CODE=130 ;;
    *) _DF_CODE=$_DF_EXIT_FAILED ;;
  esac
}
