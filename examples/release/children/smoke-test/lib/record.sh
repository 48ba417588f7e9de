# shellcheck shell=bash disable=SC2016,SC2153
# (SC2016: jq programs are single-quoted on purpose; SC2153: globals are set in other lib files.)
# The run record: $DF_STATE_DIR/runs/<run_id>.json, rewritten atomically (temp file + rename) by jq at every
# change, so readers always see a whole record. docs/run-record.md documents the fields. Also the commands
# that read records: --status, --list, --approve, --deny.

# Helpers every record update can use. Guardrail decisions queued with df_guard arrive as positional
# arguments (kind, decision, detail triples) and are appended by flush_guards.
readonly _DF_JQ_DEFS='
def flush_guards: reduce range(0; $ARGS.positional | length; 3) as $i (.;
  .guardrails += [{kind: $ARGS.positional[$i], decision: $ARGS.positional[$i + 1],
                   detail: $ARGS.positional[$i + 2], at: $now}]);
def nullable: if . == "" then null else . end;
def parse_outputs: split("\n") | to_entries
  | reduce .[] as $l ({outputs: {}, warnings: []};
      if ($l.value | length) == 0 then .
      elif ($l.value | test("^[A-Za-z_][A-Za-z0-9_]{0,63}=")) then
        ($l.value | index("=")) as $at | .outputs[$l.value[:$at]] = $l.value[$at + 1:]
      else .warnings += ["line \($l.key + 1) of $DF_OUTPUT ignored: not name=value with a valid name"] end);
def live: . == "queued" or . == "running" or . == "awaiting_approval";
def step_end($p): ($ARGS.named["o\($p.i)"] | parse_outputs) as $po
  | ($ARGS.named["a\($p.i)"][0] // {}) as $ag
  | ($po.outputs + ($ag.outputs // {})) as $new
  | .[$p.sec][$p.ri] |= (.status = $p.st | .attempts = $p.att | .exit_code = $p.code
      | .error = ($ARGS.named["e\($p.i)"] | nullable)
      | .started_at = (if $p.st == "skipped" then null else (.started_at // $p.ended) end)
      | .ended_at = (if $p.st == "running" or $p.st == "skipped" then null else $p.ended end)
      | .outputs += $new
      | (if $ag.summary then .summary = $ag.summary else . end)
      | (if $ag.child then .child = $ag.child else . end)
      | ($po.warnings + ($ag.warnings // [])) as $w
      | (if ($w | length) > 0 then .warnings = ((.warnings // []) + $w) else . end))
  | (if $p.sec == "steps" then .outputs += $new else . end)
  | (if $p.next >= 0 then .[$p.sec][$p.next] |= (.status = "running" | .started_at = $p.ended) else . end);
def run_start($p): .status = "running" | .pid = $p.pid | .pid_start = ($p.ps | nullable)
  | if $p.graph then . else .steps[0] |= (.status = "running" | .started_at = $p.at) end;
def apply_pending: reduce $pend[] as $p (.; if $p.start then run_start($p) else step_end($p) end);
'

_DF_PENDING_GUARDS=()

# df_guard KIND DECISION DETAIL: a guardrail decision for the next record write (and the log).
df_guard() {
  _DF_PENDING_GUARDS+=("$1" "$2" "$3")
  df_log "$_DF_RUN_ID: $1: $2: $3"
}

# Record changes not yet written: the run's start (df_rec_start) and step ends (df_rec_step_end), one JSON
# object each in _DF_PEND (only safe fields: numbers, fixed words, times) and their texts as jq arguments in
# _DF_PEND_ARGS. Every record write applies them first.
_DF_PEND=() _DF_PEND_ARGS=()

# df_pend_texts K OUTPUTS_FILE EXTRA_JSON ERROR: the texts of pending step end K as jq arguments: $oK the
# outputs file, $aK [EXTRA_JSON] (an agent's answer or a child's result, _DF_STEP_EXTRA) and $eK the error.
# A long value goes through a file: one argument may hold at most 128 KiB (MAX_ARG_STRLEN), and an agent's
# reply or a child's outputs may be larger.
df_pend_texts() {
  _DF_PEND_ARGS+=(--rawfile "o$1" "$2")
  if ((${#3} > 8192)); then
    printf '%s' "$3" >"$_DF_TMP/pend-a$1.json" || df_die "$_DF_EXIT_IO" "cannot write $_DF_TMP/pend-a$1.json"
    _DF_PEND_ARGS+=(--slurpfile "a$1" "$_DF_TMP/pend-a$1.json")
  else
    _DF_PEND_ARGS+=(--argjson "a$1" "[$3]")
  fi
  if ((${#4} > 8192)); then
    printf '%s' "$4" >"$_DF_TMP/pend-e$1.txt" || df_die "$_DF_EXIT_IO" "cannot write $_DF_TMP/pend-e$1.txt"
    _DF_PEND_ARGS+=(--rawfile "e$1" "$_DF_TMP/pend-e$1.txt")
  else
    _DF_PEND_ARGS+=(--arg "e$1" "$4")
  fi
}

# df_rec FILTER [jq options...]: applies the pending step ends and a jq update to the record, atomically: jq
# writes the new record beside the old one and mv renames it over, so readers see one or the other. When
# steps run side by side (_DF_REC_LOCK), each write holds an flock on the run's record.lock.
df_rec() {
  local _df_filter=$1 _df_lock='' _df_rc=0
  shift
  [[ -e $_DF_REC ]] || df_rec_await
  if [[ -n ${_DF_REC_LOCK-} ]] && exec {_df_lock}>>"$_DF_TMP/record.lock"; then
    flock "$_df_lock" || df_error "cannot lock $_DF_TMP/record.lock; writing the record without the lock"
  fi
  df_rec_write "$_df_filter" "$@" || _df_rc=1
  [[ -z $_df_lock ]] || exec {_df_lock}>&-
  return "$_df_rc"
}

df_rec_write() {
  local _df_filter=$1 _df_err _df_pend
  shift
  df_now
  local IFS=,
  _df_pend="[${_DF_PEND[*]}]"
  unset IFS
  if _df_err=$(jq --arg now "$_DF_NOW" --argjson pend "$_df_pend" "${_DF_PEND_ARGS[@]}" "$@" \
    "$_DF_JQ_DEFS apply_pending | $_df_filter | flush_guards" "$_DF_REC" \
    --args "${_DF_PENDING_GUARDS[@]}" 2>&1 >"$_DF_REC.tmp") && mv -f -- "$_DF_REC.tmp" "$_DF_REC"; then
    _DF_PENDING_GUARDS=() _DF_PEND=() _DF_PEND_ARGS=()
    return 0
  fi
  df_error "cannot update the run record $_DF_REC: ${_df_err:0:300}"
  return 1
}

# df_rec_start [graph]: the run is running in this process and its first step starts (with `graph`, the
# steps start by their `Needs:` and each is marked when it does). Queued like a step end, so the first step
# does not wait for a record write: df_wait_step writes it if the step takes long.
df_rec_start() {
  df_proc_start "$BASHPID"
  [[ $_DF_PROC_START =~ ^[0-9]*$ ]] || _DF_PROC_START=''
  df_now
  local _df_graph=false
  [[ ${1-} != graph ]] || _df_graph=true
  _DF_PEND+=("{\"start\":true,\"graph\":$_df_graph,\"pid\":$BASHPID,\"ps\":\"$_DF_PROC_START\",\"at\":\"$_DF_NOW\"}")
}

# Writes the pending record changes now (a no-op when there are none).
df_rec_flush() {
  ((${#_DF_PEND[@]} == 0)) || df_rec .
}

# df_rec_create STATUS [PID [ERROR]]: the first version of the record, written to <id>.json.new; then
# df_rec_publish puts it in place (df_rec_create_published does both). PID: the process that runs it
# (empty when a detached process will fill it in).
df_rec_create() {
  df_now
  _DF_CREATED_MS=$_DF_NOW_MS
  local _df_pid=${2-} _df_ps=''
  [[ -n $_df_pid ]] && df_proc_start "$_df_pid" && _df_ps=$_DF_PROC_START
  df_rec_text "$1" "$_df_pid" "$_df_ps" "${3-}"
  printf '%s' "$_DF_REC_TEXT" >"$_DF_REC.new" || df_die "$_DF_EXIT_IO" "cannot write the run record $_DF_REC"
  _DF_PENDING_GUARDS=()
}

# Puts the new record in place: readers see it whole or not at all. A hard link (link(2) is atomic and the
# name is new) when ln is a builtin, a rename otherwise.
df_rec_publish() {
  if [[ -n ${_DF_LINK-} ]] && ln -- "$_DF_REC.new" "$_DF_REC" 2>/dev/null; then
    unlink "$_DF_REC.new"
    return 0
  fi
  mv -f -- "$_DF_REC.new" "$_DF_REC" || df_die "$_DF_EXIT_IO" "cannot write the run record $_DF_REC"
}

df_rec_create_published() {
  df_rec_create "$@"
  df_rec_publish
}

# A detached run's process starts before its parent has put the first record in place (that is not on the
# way to the first step); its first record write waits for it, up to 10 s.
df_rec_await() {
  local _df_i=0
  while [[ ! -e $_DF_REC && -e $_DF_REC.new ]] && ((_df_i++ < 1000)); do
    df_sleep 0.01
  done
}

# df_rec_json TEXT: TEXT as a JSON string in _DF_JSON; bytes that are not UTF-8 (a --workdir or an unknown
# input's name could have them) are left out.
df_rec_json() {
  df_json_quote "$1" && return 0
  df_json_quote "$(iconv -c -f UTF-8 -t UTF-8 <<<"$1")"
}

# df_rec_text STATUS PID PID_START ERROR: the first record, made with builtins (the start of a run is on
# the path from a trigger to its first step), laid out as jq prints it. Sets _DF_REC_TEXT. A refused or
# failed run has ended at once, its steps skipped; a --step run lists only its step.
df_rec_text() {
  local _df_t _df_part _df_i _df_sep _df_n _df_workdir _df_ps=null _df_err=null _df_only=null _df_end=null
  local _df_st=pending _df_from=0 _df_to=$_DF_NSTEPS
  df_rec_json "$DF_WORKDIR"
  _df_workdir=$_DF_JSON
  if [[ -n $3 ]]; then df_rec_json "$3" && _df_ps=$_DF_JSON; fi
  if [[ -n $4 ]]; then df_rec_json "$4" && _df_err=$_DF_JSON; fi
  if [[ -n ${_DF_ONLY_STEP-} ]]; then
    _df_only=${_DF_STEP_JSON_ID[_DF_ONLY_STEP]} _df_from=$_DF_ONLY_STEP _df_to=$((_DF_ONLY_STEP + 1))
  fi
  if [[ $1 == rejected || $1 == failed ]]; then _df_end=\"$_DF_NOW\" _df_st=skipped; fi
  # A child workflow's run (lib/children.sh) names the run and step that started it.
  local _df_parent=''
  if [[ -n ${_DF_PARENT_RUN-} ]]; then
    df_rec_json "$_DF_PARENT_STEP"
    printf -v _df_parent '\n  "parent": {\n    "run_id": "%s",\n    "step": %s\n  },' "$_DF_PARENT_RUN" "$_DF_JSON"
  fi
  printf -v _df_t '{\n  "record_version": 1,\n  "run_id": "%s",\n  "skill": %s,\n  "version": %s,\n  "status": "%s",\n  "trigger": "%s",%s\n  "pid": %s,\n  "pid_start": %s,\n  "started_at": "%s",\n  "ended_at": %s,\n  "workdir": %s,\n  "inputs": ' \
    "$_DF_RUN_ID" "$_DF_JSON_SKILL" "$_DF_JSON_VERSION" "$1" "$_DF_TRIGGER" "$_df_parent" "${2:-null}" "$_df_ps" "$_DF_NOW" \
    "$_df_end" "$_df_workdir"
  if ((${#_DF_MASKED_JSON[@]} == 0)); then
    _df_t+='{}'
  else
    _df_sep='{'
    for _df_n in "${_DF_DECL_NAMES[@]}"; do
      _df_t+=$_df_sep$'\n    "'$_df_n'": '${_DF_MASKED_JSON[$_df_n]}
      _df_sep=,
    done
    _df_t+=$'\n  }'
  fi
  _df_t+=$',\n  "only_step": '$_df_only$',\n  "steps": '
  if ((_df_to == _df_from)); then _df_t+='[]'; else
    _df_sep='['
    for ((_df_i = _df_from; _df_i < _df_to; _df_i++)); do
      printf -v _df_part '%s\n    {\n      "id": %s,\n      "title": %s,\n      "kind": %s,\n      "status": "%s",\n      "attempts": 0,\n      "started_at": null,\n      "ended_at": null,\n      "exit_code": null,\n      "outputs": {},\n      "error": null\n    }' \
        "$_df_sep" "${_DF_STEP_JSON_ID[_df_i]}" "${_DF_STEP_JSON_TITLE[_df_i]}" "${_DF_STEP_JSON_KIND[_df_i]}" "$_df_st"
      _df_t+=$_df_part _df_sep=,
    done
    _df_t+=$'\n  ]'
  fi
  local _df_appr=not_required
  [[ -z $_DF_NEEDS_APPROVAL ]] || _df_appr=pending
  printf -v _df_part ',\n  "rollback": [],\n  "approval": {\n    "required": %s,\n    "status": "%s",\n    "by": null,\n    "at": null,\n    "expires_at": null\n  },\n  "guardrails": ' \
    "$_DF_NEEDS_APPROVAL_JSON" "$_df_appr"
  _df_t+=$_df_part
  if ((${#_DF_PENDING_GUARDS[@]} == 0)); then _df_t+='[]'; else
    _df_sep='['
    local _df_kind _df_decision
    for ((_df_i = 0; _df_i < ${#_DF_PENDING_GUARDS[@]}; _df_i += 3)); do
      df_rec_json "${_DF_PENDING_GUARDS[_df_i]}" && _df_kind=$_DF_JSON
      df_rec_json "${_DF_PENDING_GUARDS[_df_i + 1]}" && _df_decision=$_DF_JSON
      df_rec_json "${_DF_PENDING_GUARDS[_df_i + 2]}"
      printf -v _df_part '%s\n    {\n      "kind": %s,\n      "decision": %s,\n      "detail": %s,\n      "at": "%s"\n    }' \
        "$_df_sep" "$_df_kind" "$_df_decision" "$_DF_JSON" "$_DF_NOW"
      _df_t+=$_df_part _df_sep=,
    done
    _df_t+=$'\n  ]'
  fi
  _DF_REC_TEXT=$_df_t$',\n  "outputs": {},\n  "missing_outputs": [],\n  "error": '$_df_err$'\n}\n'
}

# Marks a record whose process is gone (killed with SIGKILL, machine restarted) as interrupted.
# Uses _DF_REC; sets _DF_REC_STATUS to the (corrected) status.
df_rec_check_lost() {
  local -a _df_f
  mapfile -d '' _df_f < <(jq -j '[.status, (.pid // "" | tostring), (.pid_start // "")][] + "\u0000"' \
    "$_DF_REC" 2>/dev/null)
  _DF_REC_STATUS=${_df_f[0]:-}
  [[ -n $_DF_REC_STATUS ]] || df_die "$_DF_EXIT_DATA" "the run record $_DF_REC is not valid JSON"
  case $_DF_REC_STATUS in queued | running | awaiting_approval) ;; *) return 0 ;; esac
  [[ -n ${_df_f[1]:-} ]] || return 0
  df_alive "${_df_f[1]}" "${_df_f[2]:-}" && return 0
  _DF_RUN_ID=${_DF_REC##*/}
  _DF_RUN_ID=${_DF_RUN_ID%.json}
  df_rec '.status = "interrupted" | .ended_at = $now
    | .error = "the run'"'"'s process (pid \(.pid)) is gone: it was killed (SIGKILL?) or the machine restarted"
    | (.steps, .rollback, .on_failure) |= (if . == null then null
        else map(if .status == "running" then .status = "interrupted" | .ended_at = $now else . end) end)
    | if .on_failure == null then del(.on_failure) else . end' ||
    return 0
  _DF_REC_STATUS=interrupted
  # Its own process could not leave the run's evidence: the ledger entry is made now (lib/evidence.sh).
  _DF_MANIFEST=${_DF_MANIFEST:-$_DF_SKILL_DIR/skill.json}
  df_evidence_seal interrupted
}

df_record_path() {
  [[ $1 =~ $_DF_RUN_ID_RE ]] || df_die "$_DF_EXIT_USAGE" "'$1' is not a run id (they look like 20250101T120000Z-1a2b3c4d)"
  df_state_paths
  _DF_REC=$_DF_RUNS/$1.json
  [[ -f $_DF_REC ]] || df_die "$_DF_EXIT_NO_INPUT" "no run $1 in $_DF_RUNS"
}

# Human-readable view of a record: lines of text, and for a child-workflow step an object {child: {skill,
# run_id}} where df_show_tree (lib/children.sh) puts the child run's view: text can never pass for one.
readonly _DF_JQ_SHOW='
def show: if type == "string" then tojson else tostring end;
"\(.run_id)  \(.status)  \(.skill) \(.version)  trigger \(.trigger)",
"started \(.started_at)  ended \(.ended_at // "-")",
(if .error then "error: \(.error)" else empty end),
(if .approval.required then "approval: \(.approval.status)\(if .approval.by then " by \(.approval.by | show)" else "" end)" else empty end),
(if .parent then "child of run \(.parent.run_id), step \(.parent.step)" else empty end),
((.steps + .rollback + (.on_failure // []))[] | "  \(.id) (\(.kind)): \(.status), \(.attempts) attempt\(if .attempts == 1 then "" else "s" end)\(if .exit_code != null then ", exit \(.exit_code)" else "" end)\(if .error then ": \(.error)" else "" end)",
  (.child? // empty | {child: {skill, run_id}}),
  (.approval? // empty | "    approval: \(.status)\(if .by then " by \(.by | show) at \(.at)" else "" end)")),
(.outputs | to_entries[] | "  output \(.key) = \(.value | show)"),
(if (.missing_outputs | length) > 0 then "missing outputs: \(.missing_outputs | join(", "))" else empty end)'

# The style lines that colour graph.mmd (compile's Mermaid graph; node ids s<N>, r<N>, f<N>, approval, ok, failed)
# by a record: each step by its status, the approval gate by its decision, the end the run reached. A
# node's `style` wins over the classes compile gave it.
_DF_JQ_GRAPH='
{pending: "fill:#f4f4f4,stroke:#aaaaaa,color:#777777",
 skipped: "fill:#f4f4f4,stroke:#aaaaaa,color:#777777,stroke-dasharray:4",
 running: "fill:#fff4d6,stroke:#c98a00,stroke-width:3px",
 succeeded: "fill:#e3f6e8,stroke:#2e8b57,stroke-width:2px",
 failed: "fill:#fde8e8,stroke:#c0392b,stroke-width:3px",
 timed_out: "fill:#fde8e8,stroke:#c0392b,stroke-width:3px,stroke-dasharray:4",
 interrupted: "fill:#fdeede,stroke:#d35400,stroke-width:3px"} as $look
| def paint($id; $status): "  style \($id) \($look[$status] // $look.pending)";
  def node($list; $prefix): . as $s | ($list | map(select(.id == $s.id))[0].number) as $n
  | if $n then paint("\($prefix)\($n)"; $s.status) else empty end;
(.steps[] | node($m[0].steps; "s")),
(.rollback[] | node($m[0].rollback; "r")),
((.on_failure // [])[] | node($m[0].on_failure // []; "f")),
(if .approval.required then paint("approval"; {approved: "succeeded", pending: "running", denied: "failed",
  expired: "timed_out"}[.approval.status] // "pending") else empty end),
(if .status == "succeeded" then paint("ok"; "succeeded")
 elif .ended_at != null then paint("failed"; "failed") else empty end)'

# df_status_graph: the skill's graph with this run's state on it (run --status ID --graph).
df_status_graph() {
  local _df_graph=$_DF_SKILL_DIR/graph.mmd
  [[ -r $_df_graph ]] || df_die "$_DF_EXIT_NO_INPUT" "'$_df_graph' is missing: compile the workflow again"
  df_manifest_path
  cat -- "$_df_graph"
  jq -r --slurpfile m "$_DF_MANIFEST" "$_DF_JQ_GRAPH" "$_DF_REC"
}

df_cmd_status() {
  df_record_path "$1"
  df_rec_check_lost
  if [[ -n $_DF_OPT_GRAPH ]]; then
    df_status_graph
  elif [[ -n $_DF_OPT_JSON ]]; then
    cat -- "$_DF_REC"
  else
    df_show_tree "$_DF_REC" "$_DF_STATE" ''
  fi
}

# df_prune_history: the retention rule (policy.history_days and history_runs; docs/run-record.md,
# "Retention"), applied at the end of every run: the records of finished runs created more than
# history_days days ago or beyond the newest history_runs go, with their logs, decisions and working folders
# under the state folder. Run ids begin with their creation time, so the candidates come from the file names
# alone, oldest first; jq reads their statuses only when there are some, and a live run (queued,
# awaiting_approval, running) is never removed. A reader is unaffected: records are only ever replaced
# whole, and a file removed while open stays readable.
df_prune_history() {
  local -a _df_files=("$_DF_RUNS"/*.json) _df_old=() _df_done=()
  local _df_n=${#_df_files[@]} _df_i _df_id _df_cut _df_f
  [[ $_DF_HISTORY_DAYS =~ ^[0-9]+$ && $_DF_HISTORY_RUNS =~ ^[0-9]+$ ]] || return 0
  df_now
  TZ=UTC0 printf -v _df_cut '%(%Y%m%dT%H%M%SZ)T' $((_DF_NOW_MS / 1000 - _DF_HISTORY_DAYS * 86400))
  for ((_df_i = 0; _df_i < _df_n; _df_i++)); do
    _df_id=${_df_files[_df_i]##*/}
    _df_id=${_df_id%.json}
    [[ $_df_id =~ $_DF_RUN_ID_RE ]] || continue
    # Both limits hold from the first run inside them on: the later ones are newer and fewer.
    ((_df_n - _df_i > _DF_HISTORY_RUNS)) || [[ ${_df_id:0:16} < "$_df_cut" ]] || break
    [[ $_df_id == "$_DF_RUN_ID" ]] || _df_old+=("${_df_files[_df_i]}")
  done
  ((${#_df_old[@]})) || return 0
  mapfile -t _df_done < <(jq -r 'select(.status != "queued" and .status != "running"
    and .status != "awaiting_approval") | input_filename' "${_df_old[@]}" 2>/dev/null)
  for _df_f in "${_df_done[@]}"; do
    _df_id=${_df_f##*/}
    _df_id=${_df_id%.json}
    [[ $_df_id =~ $_DF_RUN_ID_RE && $_df_f == "$_DF_RUNS/$_df_id.json" ]] || continue
    rm -rf -- "$_DF_RUNS/$_df_id.log" "$_DF_RUNS/$_df_id.decision" "$_DF_RUNS/$_df_id.decision-"* "$_DF_RUNS/$_df_id.tmp" "$_DF_STATE/work/$_df_id"
    rm -f -- "$_df_f"
  done
  return 0
}

df_cmd_list() {
  df_state_paths
  local -a _df_files=("$_DF_RUNS"/*.json)
  local _df_n=${#_df_files[@]} _df_f
  ((_df_n > 50)) && _df_files=("${_df_files[@]:_df_n-50}")
  for _df_f in "${_df_files[@]}"; do
    _DF_REC=$_df_f
    df_rec_check_lost 2>/dev/null || true
  done
  if ((${#_df_files[@]} == 0)); then
    [[ -n $_DF_OPT_JSON ]] && echo '[]'
    return 0
  fi
  if [[ -n $_DF_OPT_JSON ]]; then
    jq -s 'reverse | map({run_id, status, trigger, started_at, ended_at, error})' "${_df_files[@]}"
  else
    jq -rs 'reverse[] | "\(.run_id)  \(.status)  \(.trigger)  \(.started_at)  \(.ended_at // "-")"' "${_df_files[@]}"
  fi
}

# df_cmd_decide approved|denied RUN_ID: records a decision the waiting run picks up.
df_cmd_decide() {
  local _df_decision=$1 _df_id=$2
  df_record_path "$_df_id"
  df_rec_check_lost
  [[ $_DF_REC_STATUS == awaiting_approval ]] ||
    df_die "$_DF_EXIT_DATA" "run $_df_id is $_DF_REC_STATUS, not awaiting approval"
  local _df_file=$_DF_RUNS/$_df_id.decision _df_by=${_DF_OPT_BY:-${USER:-cli}} _df_gate
  # A step waiting at its `Approval: required` (one at a time): its own decision file, and its approvers.
  _df_gate=$(jq -r 'first(.steps[] | select(.approval.status? == "pending") | [.id] + .approval.approvers
    | join(" ")) // (if .approval.status == "pending" then "" else "-" end)' "$_DF_REC") ||
    df_die "$_DF_EXIT_DATA" "cannot read the record of run $_df_id"
  # Between two gates (the record said awaiting_approval a moment ago): nothing to decide on.
  [[ $_df_gate != - ]] || df_die "$_DF_EXIT_DATA" "run $_df_id is running, not awaiting approval"
  if [[ -n $_df_gate ]]; then
    _df_file+=-${_df_gate%% *}
    local _df_who=" ${_df_gate#* } "
    [[ $_df_gate != *" "* || $_df_who == *" $_df_by "* ]] ||
      df_die "$_DF_EXIT_DATA" "$_df_by may not decide on step ${_df_gate%% *} of run $_df_id; its approvers are:${_df_who% }"
  fi
  df_now
  # How the decision came (evidence reports it): the approve hook sets DF_EVENT, a person at a shell does not.
  local _df_via="command line"
  [[ ${DF_EVENT-} != approve* ]] || _df_via="approve hook (HTTP)"
  jq -n --arg d "$_df_decision" --arg by "$_df_by" --arg at "$_DF_NOW" --arg via "$_df_via" \
    '{decision: $d, by: $by, at: $at, via: $via}' \
    >"$_df_file.tmp.$$" || df_die "$_DF_EXIT_IO" "cannot write $_df_file"
  # link(2) fails when a decision exists: the first decision wins.
  if ! ln -- "$_df_file.tmp.$$" "$_df_file" 2>/dev/null; then
    rm -f -- "$_df_file.tmp.$$"
    df_die "$_DF_EXIT_DATA" "run $_df_id already has a decision"
  fi
  rm -f -- "$_df_file.tmp.$$"
  if [[ -n $_DF_OPT_JSON ]]; then
    jq -nc --arg id "$_df_id" --arg d "$_df_decision" --arg by "$_df_by" '{run_id: $id, decision: $d, by: $by}'
  else
    printf '%s %s\n' "$_df_id" "$_df_decision"
  fi
}
