# shellcheck shell=bash
# Shared by the service's hook scripts (sourced, never run on its own); the same bytes in every skill.
# webhook runs the hook scripts with no shell and hands them request data only through environment
# variables, so nothing a client sends is ever parsed as code here.

# The skill folder is the parent of hooks/. The entrypoint exports it; a bare `webhook -hooks` run may not.
DF_SKILL_DIR=${DF_SKILL_DIR:-$(cd -- "${BASH_SOURCE[0]%/*}/.." && pwd -P)}
DF_STATE_DIR=${DF_STATE_DIR:-$DF_SKILL_DIR/state}
export DF_SKILL_DIR DF_STATE_DIR
# The service's secrets stay with webhook: runs and their steps never see them.
unset DF_TRIGGER_TOKEN DF_TRIGGER_HMAC_SECRET DF_APPROVE_TOKEN

# What a run id looks like, read by name from the executor that makes them (lib/runtime.sh, _DF_RUN_ID_RE):
# one source for the pattern. Builtins only (this is on the path of every request); unreadable, it matches
# nothing, so no request can name a file that is not a run's.
_df_pattern='^$.'
while IFS= read -r _df_line; do
  if [[ $_df_line == "readonly _DF_RUN_ID_RE='"*"'" ]]; then
    _df_pattern=${_df_line#*\'}
    _df_pattern=${_df_pattern%\'}
    break
  fi
done 2>/dev/null <"$DF_SKILL_DIR/lib/runtime.sh" || true
# shellcheck disable=SC2034 # used by the scripts that source this file
readonly DF_RUN_ID_PATTERN=$_df_pattern
unset _df_pattern _df_line

# df_log WORDS...: one line on the service's stdout, which the entrypoint names in DF_LOG (webhook itself
# would put our stderr into the HTTP answer). Control characters become spaces: one event, one line.
df_log() {
  [[ -n ${DF_LOG:-} ]] || return 0
  local line TZ=UTC0
  printf -v line '%(%Y-%m-%dT%H:%M:%SZ)T %s: %s' -1 "${DF_SKILL_NAME:-skill}" "$*"
  line=${line//[$'\001'-$'\037'$'\177']/ }
  # The braces: an error opening DF_LOG must not reach our stderr, which webhook puts into the HTTP answer.
  { printf '%s\n' "${line:0:2000}" >>"$DF_LOG"; } 2>/dev/null || true
}

# df_check_live FILES...: asks `run --status` about each of these records whose status is live (queued,
# awaiting_approval, running): it records a run whose process is gone as interrupted (one source for that
# rule, lib/record.sh). Live runs are few, so this is one jq call and rarely a `run`.
df_check_live() {
  (($#)) || return 0
  local id
  while IFS= read -r id; do
    [[ $id =~ $DF_RUN_ID_PATTERN ]] || continue
    "$BASH" "$DF_SKILL_DIR/run" --status "$id" --json >/dev/null 2>&1 || true
  done < <(jq -r 'select(.status == "queued" or .status == "running" or .status == "awaiting_approval")
    | .run_id | strings' "$@" </dev/null 2>/dev/null || true)
}

# The runs index, $DF_STATE_DIR/runs/summaries.tsv: after a header line, one line per finished run,
# "RUN_ID<tab>STATUS<tab>STARTED_AT<tab>ENDED_MS<tab>DURATION_MS<tab>SUMMARY" (ENDED_MS: Unix time in ms;
# "-" for a field the run has not got), SUMMARY being the run's entry in GET /hooks/runs (one line of JSON).
# A finished run's record never changes again, so its summary is made once (by jq, df_runs_refresh) and
# later requests (runs, status, metrics) read it here without starting a process. A record that cannot be
# summarised (not JSON, not a run, or a run_id other than its file name's: its line would stand for another
# run) has the line "RUN_ID<tab>corrupt<tab>-<tab>-<tab>-<tab>-": it is logged once and skipped until it is
# removed. Only the hooks read and write the index, whole (temp file + rename); a line whose record is gone
# (retention) is dropped at the next write. The header names the format: an index written by another
# version of these hooks is ignored and rebuilt.
readonly DF_RUNS_INDEX_HEADER='df-runs-index 2'

# The index line of a record (the summary's fields: docs/service.md, "Recent runs"), by jq.
# shellcheck disable=SC2016 # a jq program
readonly DF_RUNS_SUMMARY='def ms: (.[0:19] + "Z" | fromdateiso8601) * 1000 + (.[20:23] | tonumber? // 0);
  select(type == "object" and .run_id == (input_filename | sub(".*/"; "") | sub("\\.json$"; "")))
  | (if .ended_at then (.ended_at | ms) else null end) as $ended
  | (if $ended then $ended - (.started_at | ms) else null end) as $duration
  | [.run_id, (.status | tostring), (.started_at // "-" | tostring | gsub("[\t\n]"; " ")),
     ($ended // "-" | tostring), ($duration // "-" | tostring),
     ({run_id, status, trigger, version, started_at, ended_at, duration_ms: $duration,
       failed_step: ([.steps[]? | select(.status == "failed" or .status == "timed_out" or .status == "interrupted")
                      | .id][0]),
       error, approval: .approval.status} | tojson)]
  | join("\t")'

# df_runs_index_load ARRAY: fills the associative ARRAY with the index's lines by run id.
df_runs_index_load() {
  local -n _df_into=$1
  local _df_lines=() _df_l
  [[ -r $DF_STATE_DIR/runs/summaries.tsv ]] || return 0
  { mapfile -t _df_lines <"$DF_STATE_DIR/runs/summaries.tsv"; } 2>/dev/null || return 0
  [[ ${_df_lines[0]-} == "$DF_RUNS_INDEX_HEADER" ]] || return 0
  for _df_l in "${_df_lines[@]:1}"; do
    _df_into[${_df_l%%$'\t'*}]=$_df_l
  done
}

# df_runs_refresh ARRAY FILES...: ARRAY, loaded from the index (df_runs_index_load), completed with the lines
# of the records among FILES that it lacks: live runs and runs that ended since the last request, after a
# live run whose process is gone has been recorded as interrupted (df_check_live). One jq call reads them
# all; when it fails (a corrupt record ends its input), the records it gave no line are read one by one,
# and one that still gives none is marked corrupt. The index is written again when a line was added.
df_runs_refresh() {
  local -n _df_to=$1
  shift
  local _df_f _df_id _df_fresh=()
  for _df_f; do
    _df_id=${_df_f##*/}
    _df_id=${_df_id%.json}
    [[ $_df_id =~ $DF_RUN_ID_PATTERN && -z ${_df_to[$_df_id]+set} ]] && _df_fresh+=("$_df_f")
  done
  ((${#_df_fresh[@]})) || return 0
  df_check_live "${_df_fresh[@]}"
  _df_runs_summarise _df_to "${_df_fresh[@]}" || {
    for _df_f in "${_df_fresh[@]}"; do
      _df_id=${_df_f##*/}
      [[ -n ${_df_to[${_df_id%.json}]+set} ]] || _df_runs_summarise _df_to "$_df_f" || true
    done
  }
  for _df_f in "${_df_fresh[@]}"; do
    _df_id=${_df_f##*/}
    _df_id=${_df_id%.json}
    [[ -z ${_df_to[$_df_id]+set} && -e $_df_f ]] || continue
    # shellcheck disable=SC2004 # an associative array (through a nameref), not arithmetic
    _df_to[$_df_id]=$_df_id$'\t'corrupt$'\t-\t-\t-\t-'
    df_log "runs: the run record runs/$_df_id.json is not a readable run record (or its run_id is not its file name); it is skipped until it is removed"
  done
  df_runs_index_save _df_to
}
# _df_runs_summarise ARRAY FILES...: ARRAY's lines for FILES (one jq call); fails when jq did.
_df_runs_summarise() {
  local -n _df_sums=$1
  shift
  local _df_l _df_ok=1
  while IFS= read -r _df_l; do
    if [[ $_df_l == jq-failed ]]; then
      _df_ok=''
    elif [[ ${_df_l%%$'\t'*} =~ $DF_RUN_ID_PATTERN ]]; then
      _df_sums[${_df_l%%$'\t'*}]=$_df_l
    fi
  done < <(jq -r "$DF_RUNS_SUMMARY" "$@" </dev/null 2>/dev/null || echo jq-failed)
  [[ -n $_df_ok ]]
}

# df_runs_index_save ARRAY: writes the index from ARRAY's lines of finished runs whose record is still there.
# Two requests may write at once: the last rename wins and a summary it lacks is made again next time.
df_runs_index_save() {
  local -n _df_from=$1
  local _df_id _df_rest _df_out=$DF_RUNS_INDEX_HEADER$'\n' _df_tmp="$DF_STATE_DIR/runs/summaries.tsv.$$.$RANDOM"
  for _df_id in "${!_df_from[@]}"; do
    _df_rest=${_df_from[$_df_id]#*$'\t'}
    case ${_df_rest%%$'\t'*} in queued | running | awaiting_approval) continue ;; esac
    [[ -e $DF_STATE_DIR/runs/$_df_id.json ]] && _df_out+=${_df_from[$_df_id]}$'\n'
  done
  { printf '%s' "$_df_out" >"$_df_tmp" && mv -f -- "$_df_tmp" "$DF_STATE_DIR/runs/summaries.tsv"; } 2>/dev/null ||
    rm -f -- "$_df_tmp" 2>/dev/null || true
}

# df_log_tail RUN_ID LINES SECRETS...: {"run_id", "log", "lines", "truncated"}: the last LINES lines of the
# run's log (runs/<id>.log, where a detached run's steps write), at most 16 KiB of them, as text; "log" is
# null when the run kept no log (a run started in the foreground wrote to its caller). Masked with "***":
# the SECRETS given (the service's tokens), and the values of the secret inputs' DF_INPUT_<NAME> variables
# in the service's environment. A secret input's value given in a request is not known here: `run` masked
# it as it wrote the log (df_mask_lines).
df_log_tail() {
  local file=$DF_STATE_DIR/runs/$1.log text='' total=0 masks=("${@:3}") name var
  for name in $(jq -r '.inputs[]? | select(.secret == true) | .name | ascii_upcase' "$DF_SKILL_DIR/skill.json" \
    2>/dev/null); do
    var=DF_INPUT_$name
    [[ $var =~ ^[A-Z_][A-Z0-9_]*$ ]] && masks+=("${!var-}")
  done
  if [[ -f $file ]]; then
    total=$(wc -l <"$file") || total=0
    text=$(tail -n "$2" -- "$file" | tail -c 16384; printf x) || text=x
    text=${text%x}
  fi
  # shellcheck disable=SC2016 # a jq program
  jq -cn --arg id "$1" --arg text "$text" --argjson kept "$([[ -f $file ]] && echo true || echo false)" \
    --argjson total "$total" '
    ($ARGS.positional | map(select(length >= 4)) | sort_by(-length)) as $secrets
    | (reduce $secrets[] as $s ($text; split($s) | join("***"))) as $log
    | {run_id: $id, log: (if $kept then $log else null end),
       lines: ($log | [scan("\n")] | length), truncated: (($log | [scan("\n")] | length) < $total)}' \
    --args "${masks[@]}"
}

# df_error_json STATUS MESSAGE: the error object every hook answers with, {"error":…,"status":…}.
df_error_json() {
  jq -cn --arg status "$1" --arg error "$2" '{error: $error, status: $status}'
}

# df_reject CODE STATUS MESSAGE: answers with an error object, logs it and exits CODE (webhook then
# answers HTTP 500 with this body; see docs/service.md).
df_reject() {
  df_error_json "$2" "$3"
  df_log "${DF_EVENT:-hook}" "rejected status=$2 error=\"$3\""
  exit "$1"
}

# df_answer ARGS...: runs the executor, `run ARGS...`, answers with the JSON object it printed, or with an
# error object made from its stderr, logs one line and exits with its status. `run` is started with this
# bash, not through its #!/usr/bin/env line (as webhook starts the hooks by #!/bin/bash): every process on
# the way from a request to its run costs milliseconds. DF_EVENT names the
# event in the log; DF_QUIET_OK=1 logs failures only. The usual answer, {"run_id":…,"status":…}, is read
# without starting jq: this is on the path from request to first step.
df_answer() {
  local err="$DF_STATE_DIR/.hook.$$.$RANDOM.err" out code=0 fields=()
  out=$("$BASH" "$DF_SKILL_DIR/run" "$@" 2>"$err") || code=$?
  local quick='^\{"run_id":"([0-9A-Za-z-]+)","status":"([a-z_]+)"[^{}]*\}$'
  if ((code == 0)) && [[ $out =~ $quick ]]; then
    fields=("${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "")
  else
    # One jq call checks that the output is an object and picks what the log line needs.
    mapfile -t -d $'\037' fields < <(jq -j 'select(type == "object")
        | [.run_id, .status, .error] | map(. // "" | tostring | gsub("\u001f"; " ")) | join("\u001f")' \
        <<<"$out" 2>/dev/null || true)
  fi
  if ((${#fields[@]} == 0)); then
    local message
    message=$(tail -n 3 "$err" | tr '\n' ' ')
    message=${message% }
    if ((code == 0)); then
      out=$(jq -cn --arg message "$out" '{status: "ok", message: $message}')
      fields=("" ok "")
    else
      # The executor's exit status says what kind of refusal it was (docs/exit-codes.md).
      local status=error
      case $code in
        3) status=rejected ;;
        64) status=invalid_request ;;
        65) status=invalid_input ;;
        66) status=not_found ;;
      esac
      out=$(df_error_json "$status" "${message:-exit status $code}")
      fields=("" "$status" "${message:-exit status $code}")
    fi
  fi
  rm -f -- "$err"
  printf '%s\n' "$out"
  if ((code != 0)); then
    df_log "${DF_EVENT:-hook}" "rejected ${fields[0]:+run_id=${fields[0]} }status=${fields[1]:-error} exit=$code" \
      "error=\"${fields[2]:-}\""
  elif [[ ${DF_QUIET_OK:-} != 1 ]]; then
    df_log "${DF_EVENT:-hook}" "${fields[0]:+run_id=${fields[0]} }status=${fields[1]:-ok}"
  fi
  return "$code"
}
