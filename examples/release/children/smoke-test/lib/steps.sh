# shellcheck shell=bash disable=SC2016,SC2153
# (SC2016: jq programs are single-quoted on purpose; SC2153: globals are set in other lib files.)
# Running one step: command steps as `bash -euo pipefail FILE` in their own process group (killed as a whole
# on timeout or interruption), agent steps as one request to the OpenClaw Gateway; retries with backoff.

# The request an agent step sends: used for the real call and, unchanged, by --dry-run.
readonly _DF_JQ_PROMPT='
def fence($lang): . as $code
  | ("`" * ([3, (([$code | scan("`+") | length] | max) // 0) + 1] | max)) as $f
  | $f + $lang + "\n" + $code + (if ($code | endswith("\n")) then "" else "\n" end) + $f;
def prompt($m; $s; $num; $inputs; $outputs; $run; $workdir):
  [ "You are carrying out one step of the workflow \"\($m.title)\" (OpenClaw skill \($m.name)), run \($run).",
    "The executor runs the other steps; do only this one.",
    "", "## Step \($num): \($s.title)",
    (if $s.description != "" then "", $s.description else empty end),
    (if ($s.instructions | length) > 0 then "", ($s.instructions[] | "- " + .) else empty end),
    ($s.samples[] | . as $x | "", ($x.code | fence($x.language))),
    "", "## Inputs", "Secret inputs are shown as \"***\": their values are not sent to you.",
    ($inputs | tojson),
    "", "## Outputs of earlier steps", ($outputs | tojson),
    (if ($m.outputs | length) > 0 then
       "", "## Outputs the workflow declares", "Publish those this step produces.",
       ($m.outputs[] | "- \(.name): \(.description)")
     else empty end),
    ([$m.guardrails[] | select(.enforced | not) | .text] as $advice
     | if ($advice | length) > 0 then "", "## Guardrails you must follow", ($advice[] | "- " + .) else empty end),
    (if $m.error_handling != "" then "", "## Error handling", $m.error_handling else empty end),
    "", "## Working directory", "Files written by earlier steps are in the run'"'"'s working directory: \($workdir)",
    "", "## Your answer",
    "End your reply with exactly one fenced code block tagged json, of this form:",
    "```json",
    "{\"status\": \"succeeded\", \"outputs\": {\"name\": \"value\"}, \"summary\": \"What you did, in one or two sentences.\"}",
    "```",
    "Use \"status\": \"failed\" when you could not complete the step, and say why in the summary. Output values are strings."
  ] | join("\n");
def request($m; $s; $num; $inputs; $outputs; $run; $workdir; $agent):
  {model: ("openclaw:" + $agent), user: ("dark-factory:\($m.name):\($run)"), stream: false,
   messages: [
     {role: "system", content: "You are an OpenClaw agent carrying out one step of a Dark Factory workflow. Follow the step and the guardrails, and end with the JSON result block the user message asks for."},
     {role: "user", content: prompt($m; $s; $num; $inputs; $outputs; $run; $workdir)}]};
'

# Reads the Gateway's answer: {ok, status, outputs, summary} or {ok: false, error}.
readonly _DF_JQ_REPLY='
($raw | try fromjson catch null) as $r
| if ($r | type) != "object" then {ok: false, error: "the Gateway'"'"'s answer is not JSON: \($raw[:300])"}
  else ($r.choices[0].message.content // null) as $c
  | if ($c | type) != "string" then {ok: false, error: "the Gateway'"'"'s answer has no message content"}
    else ([$c | match("```json[ \\t]*\\r?\\n([\\s\\S]*?)\\r?\\n[ \\t]*```"; "g")] | last | .captures[0].string) as $b
    | ($b | if . == null then null else (try fromjson catch null) end) as $res
    # Models vary in the word they pick: any case of these synonyms counts.
    | (if ($res | type) == "object" and ($res.status | type) == "string" then $res.status | ascii_downcase
       else null end) as $word
    | (if ["succeeded", "success", "ok", "done", "completed", "complete"] | any(. == $word) then "succeeded"
       elif ["failed", "failure", "error", "fail"] | any(. == $word) then "failed" else null end) as $status
    | if $status == null then
        {ok: false, error: "the agent'"'"'s reply has no valid ```json result block ({\"status\": \"succeeded\"|\"failed\", ...}); the reply was: \($c[:2000])"}
      else {ok: true, status: $status, summary: (($res.summary // "") | tostring),
            outputs: (($res.outputs // {}) | if type == "object" then
                        with_entries(select(.key | test("^[A-Za-z_][A-Za-z0-9_]{0,63}$"))
                                     | .value |= (if type == "string" then . else tojson end))
                      else {} end)}
      end
    end
  end'

# The body of a step's process (runs in a background subshell, then execs): the inputs become environment
# variables, nothing else of the executor leaks in, and the commands run from their file.
df_step_process() {
  cd -- "$DF_WORKDIR" || exit "$_DF_EXIT_SOFTWARE"
  umask "$_DF_UMASK"
  local _df_n
  if [[ -n ${_DF_USES-} ]]; then
    # A child workflow (lib/children.sh) gets its inputs from `With:` alone, not this run's as variables.
    export DF_USES=$_DF_USES DF_USES_INPUTS=$_DF_USES_INPUTS DF_USES_RESULT=$_DF_USES_RESULT
  else
    for _df_n in "${!_DF_IN[@]}"; do
      export "$_df_n=${_DF_IN[$_df_n]}"
      [[ -z ${_DF_DECL_ENV_ALIAS[$_df_n]-} ]] || export "${_DF_DECL_ENV_ALIAS[$_df_n]}=${_DF_IN[$_df_n]}"
    done
    df_export_outputs
  fi
  # The steps of `## Steps` that have succeeded, in the order they did: what a rollback step has to undo.
  local _df_i _df_done=''
  for _df_i in "${_DF_SUCCEEDED[@]}"; do ((_df_i >= _DF_NSTEPS)) || _df_done+=" ${_DF_STEP_ID[_df_i]}"; done
  export DF_COMPLETED_STEPS=${_df_done# }
  export DF_OUTPUT=$_DF_OUT_FILE DF_RUN_ID=$_DF_RUN_ID DF_WORKDIR DF_SKILL_DIR=$_DF_SKILL_DIR \
    DF_STATE_DIR=$_DF_STATE DF_STEP_ID=$_DF_CUR_STEP_ID
  # One item of a `For each:` step (df_foreach_exec): its variable wins over an input of that name.
  [[ -z ${_DF_ITEM_VAR-} ]] || export "$_DF_ITEM_VAR=$_DF_ITEM" DF_ITEM_INDEX=$_DF_ITEM_INDEX
  unset BASH_ENV ENV
  [[ -z ${_DF_SLOT_FD:-} ]] || exec {_DF_SLOT_FD}>&-
  df_watch_close
  # A detached run ignores SIGHUP, and so does this process until it has left the terminal's process group:
  # a hangup in between would kill the step before it starts. Then the step gets the default back: timeout
  # catches SIGHUP itself (its command starts with the default), env puts it back after setsid.
  if ((_DF_LIMIT > 0)); then
    exec timeout -k "${_DF_STOP_GRACE:-$_DF_KILL_GRACE}" "$_DF_LIMIT" bash -euo pipefail -- "$_DF_SCRIPT" </dev/null >&2
  fi
  # Without a controlling terminal a process group of its own is all that setsid would give the step, and
  # the setpgid builtin spares starting setsid (df_exec_command sets it from this side too, so the group
  # exists whichever runs first). With a terminal, a new session keeps the step off it.
  if [[ -n ${_DF_SETPGID-} ]] && setpgid "$BASHPID" "$BASHPID" 2>/dev/null; then
    trap - HUP
    exec bash -euo pipefail -- "$_DF_SCRIPT" </dev/null >&2
  fi
  if [[ -n ${_DF_DETACHED-} ]]; then
    exec setsid env --default-signal=HUP bash -euo pipefail -- "$_DF_SCRIPT" </dev/null >&2
  fi
  exec setsid bash -euo pipefail -- "$_DF_SCRIPT" </dev/null >&2
}

# df_export_outputs (in a step's process, before it execs): the outputs the steps that have finished
# (_DF_FINISHED, in the order they did; a later value wins) published, as the JSON object in the file
# $DF_OUTPUTS, and as environment variables by the rule of inputs: the declared ones under the names compile
# chose (the run field output_env), the others under those df_output_env gives. Values are data: nothing
# is evaluated.
df_export_outputs() {
  local -A _df_env=() _df_val=()
  local -a _df_order=()
  local _df_w _df_i _df_l _df_n _df_json=''
  for _df_w in ${_DF_M[output_env]-}; do _df_env[${_df_w%%:*}]=${_df_w#*:}; done
  for _df_i in "${_DF_FINISHED[@]}"; do
    [[ -r $_DF_TMP/outputs-$_df_i ]] || continue
    while IFS= read -r _df_l || [[ -n $_df_l ]]; do
      [[ $_df_l =~ ^([A-Za-z_][A-Za-z0-9_]{0,63})=(.*)$ ]] || continue
      _df_n=${BASH_REMATCH[1]}
      [[ -n ${_df_val[$_df_n]+set} ]] || _df_order+=("$_df_n")
      _df_val[$_df_n]=${BASH_REMATCH[2]}
    done <"$_DF_TMP/outputs-$_df_i"
  done
  for _df_n in "${_df_order[@]}"; do
    if ((${#_df_val[$_df_n]} > _DF_ENV_VALUE_MAX)); then
      : # too long for the environment (df_output_warnings said so): $DF_OUTPUTS only
    elif [[ -n ${_df_env[$_df_n]+set} ]]; then
      export "$_df_n=${_df_val[$_df_n]}"
      [[ -z ${_df_env[$_df_n]} ]] || export "${_df_env[$_df_n]}=${_df_val[$_df_n]}"
    elif df_output_env "$_df_n"; then
      for _df_w in $_DF_ENV_NAMES; do export "$_df_w=${_df_val[$_df_n]}"; done
    fi
    df_rec_json "${_df_val[$_df_n]}"
    _df_json+=,\"$_df_n\":$_DF_JSON
  done
  export DF_OUTPUTS=$_DF_TMP/known-outputs-$_DF_CUR_STEP_ID
  printf '{%s}\n' "${_df_json#,}" >"$DF_OUTPUTS"
}

# The longest output value exported as a variable, in characters (up to 4 bytes each in UTF-8): a later
# step could not start (E2BIG) if one variable reached the kernel's 128 KiB, and several long ones add up
# against the 2 MiB of arguments and environment.
readonly _DF_ENV_VALUE_MAX=16384

# df_output_env NAME: the environment variables an output no `## Outputs` declares reaches later command
# steps under, by the rule of inputs (compile applies it to the declared ones: output_env): its name when
# that could be an input's name and no input or `## Requires` variable has it, and the name in upper case
# too unless steps rely on that (PATH, HOME, DF_*, ...: the run field env_rely_re) or it is taken. Sets
# _DF_ENV_NAMES; returns 1 with the reason in _DF_ENV_WHY when the output reaches no variable.
df_output_env() {
  local _df_u=${1^^} _df_taken=" ${_DF_M[env_taken]-} "
  _DF_ENV_NAMES='' _DF_ENV_WHY=''
  if [[ ! $1 =~ $_DF_NAME_RE ]]; then
    _DF_ENV_WHY="only a lower-case name (a-z, 0-9, _), as an input's, becomes a variable"
  elif [[ $_df_u =~ ${_DF_M[env_loader_re]-^(LD_|BASH_|DYLD_)} ]]; then
    _DF_ENV_WHY="its name is in a family the loader or the shell reads"
  elif [[ $_df_taken == *" $1 "* ]]; then
    _DF_ENV_WHY="an input or a variable the workflow requires has that name"
  else
    _DF_ENV_NAMES=$1
    [[ $_df_u =~ ${_DF_M[env_rely_re]-^} || $_df_taken == *" $_df_u "* ]] || _DF_ENV_NAMES+=" $_df_u"
    return 0
  fi
  return 1
}

# df_output_warnings: the outputs this step published that later steps get in $DF_OUTPUTS only (those
# compile gave a variable, output_env, are not looked at again), each with why, as the step's warnings (in
# _DF_STEP_EXTRA, for the record).
df_output_warnings() {
  local _df_l _df_n _df_w=''
  [[ -s $_DF_OUT_FILE ]] || return 0
  while IFS= read -r _df_l || [[ -n $_df_l ]]; do
    [[ $_df_l =~ ^([A-Za-z_][A-Za-z0-9_]{0,63})= ]] || continue
    _df_n=${BASH_REMATCH[1]}
    if ((${#_df_l} - ${#_df_n} - 1 > _DF_ENV_VALUE_MAX)); then
      _DF_ENV_WHY="its value is longer than $_DF_ENV_VALUE_MAX characters (the kernel limits one variable to 128 KiB)"
    else
      [[ " ${_DF_M[output_env]-} " != *" $_df_n:"* ]] || continue
      df_output_env "$_df_n" && continue
    fi
    df_rec_json "output $_df_n is not an environment variable of later steps (it is in \$DF_OUTPUTS): $_DF_ENV_WHY"
    [[ $_df_w == *"$_DF_JSON"* ]] || _df_w+=,$_DF_JSON
  done <"$_DF_OUT_FILE"
  [[ -n $_df_w ]] || return 0
  if [[ $_DF_STEP_EXTRA == null ]]; then
    _DF_STEP_EXTRA="{\"warnings\":[${_df_w#,}]}"
  else
    _DF_STEP_EXTRA=$(jq -c --argjson w "[${_df_w#,}]" '.warnings = $w' <<<"$_DF_STEP_EXTRA") || _DF_STEP_EXTRA=null
  fi
}

# Stops what is left of a step's process group: SIGTERM, a grace period (_DF_STOP_GRACE while a child
# workflow runs, lib/children.sh), then SIGKILL.
df_stop_group() {
  kill -TERM -- "-$1" 2>/dev/null || return 0
  local _df_i
  for ((_df_i = 0; _df_i < ${_DF_STOP_GRACE:-$_DF_KILL_GRACE} * 10; _df_i++)); do
    kill -0 -- "-$1" 2>/dev/null || return 0
    df_sleep 0.1
  done
  kill -KILL -- "-$1" 2>/dev/null
  return 0
}

# Waits for the step's process. Pending record changes (the run's start, step ends) are written once the
# step has run for 0.1 s: a quick step ends first and they are written together later; a long one shows as
# running in the record at once.
df_wait_step() {
  ((${#_DF_PEND[@]})) || {
    wait "$_DF_CHILD"
    return
  }
  local _df_timer _df_done='' _df_rc
  sleep 0.1 &
  _df_timer=$!
  wait -n -p _df_done "$_DF_CHILD" "$_df_timer"
  _df_rc=$?
  if [[ $_df_done == "$_DF_CHILD" ]]; then
    kill "$_df_timer" 2>/dev/null
    wait "$_df_timer" 2>/dev/null
    return "$_df_rc"
  fi
  df_rec_flush
  wait "$_DF_CHILD"
}

# df_exec_command MANIFEST_INDEX LIMIT_S: sets _DF_RC and _DF_ERR.
df_exec_command() {
  _DF_SCRIPT=$_DF_TMP/step-$1.sh
  _DF_LIMIT=$2 _DF_STEP_EXTRA=null
  [[ -f $_DF_SCRIPT ]] || printf '%s' "${_DF_STEP_COMMANDS[$1]}" >"$_DF_SCRIPT" ||
    df_die "$_DF_EXIT_IO" "cannot write $_DF_SCRIPT"
  : >"$_DF_OUT_FILE"
  if [[ -n ${_DF_PARALLEL-} ]]; then
    # The prefixing process is started here, not by the step's process, so it stays out of the step's process
    # group (which is killed when the step ends) and copies every line up to the end.
    local _df_pfd
    exec {_df_pfd}> >(df_prefix_lines "$_DF_CUR_STEP_ID")
    df_step_process 2>&"$_df_pfd" &
    _DF_CHILD=$!
    exec {_df_pfd}>&-
  else
    df_step_process &
    _DF_CHILD=$!
  fi
  _DF_CHILD_GROUP=1
  # Fails harmlessly once the step has exec'd (it made its group itself) or uses timeout or setsid.
  [[ -z ${_DF_SETPGID-} || $_DF_LIMIT -gt 0 ]] || setpgid "$_DF_CHILD" "$_DF_CHILD" 2>/dev/null
  df_watch_note
  df_wait_step
  _DF_RC=$?
  df_stop_group "$_DF_CHILD"
  _DF_CHILD=
  df_watch_note
  _DF_ERR="exit status $_DF_RC"
}

# df_exec_agent MANIFEST_INDEX LIMIT_S LABEL: one request to the Gateway. Sets _DF_RC, _DF_ERR and
# _DF_STEP_EXTRA (the parsed answer, JSON).
df_exec_agent() {
  _DF_STEP_EXTRA=null _DF_RC=1
  df_rec_flush
  : >"$_DF_OUT_FILE"
  local _df_url=${OPENCLAW_GATEWAY_URL:-} _df_token=${OPENCLAW_GATEWAY_TOKEN:-} _df_agent=${OPENCLAW_AGENT:-main}
  if [[ -z $_df_url ]]; then
    _DF_ERR="no OpenClaw Gateway configured: set OPENCLAW_GATEWAY_URL (and OPENCLAW_GATEWAY_TOKEN) to run \
agent steps, or carry out this step yourself and run the command steps with --step"
    return
  fi
  if [[ ! $_df_url =~ ^https?://[^[:space:]]+$ ]]; then
    _DF_ERR="OPENCLAW_GATEWAY_URL must be an http:// or https:// URL"
    return
  fi
  if [[ ! $_df_agent =~ ^[A-Za-z0-9_.:-]{1,64}$ ]]; then
    _DF_ERR="OPENCLAW_AGENT must be an agent id (letters, digits, _ . : -)"
    return
  fi
  if [[ $_df_token == *[$'\r\n']* ]]; then
    _DF_ERR="OPENCLAW_GATEWAY_TOKEN must not contain a line break"
    return
  fi
  local _df_body=$_DF_TMP/agent-request.json _df_resp=$_DF_TMP/agent-response.json _df_limit=$2
  ((_df_limit > 0)) || _df_limit=${DF_AGENT_TIMEOUT_SECONDS:-900}
  jq -n --slurpfile m "$_DF_MANIFEST" --slurpfile r "$_DF_REC" --argjson mi "$1" --arg num "$3" \
    --argjson inputs "$_DF_INPUTS_MASKED" --arg run "$_DF_RUN_ID" --arg workdir "$DF_WORKDIR" \
    --arg agent "$_df_agent" \
    "$_DF_JQ_PROMPT"'($m[0].steps + $m[0].rollback + ($m[0].on_failure // []))[$mi] as $s
      | request($m[0]; $s; $num; $inputs; $r[0].outputs; $run; $workdir; $agent)' >"$_df_body" || {
    _DF_ERR="cannot build the Gateway request (jq failed)"
    return
  }
  : >"$_df_resp"
  # The token travels on curl's stdin (-H @-), never in its argv. curl holds no copy of the watcher's pipe.
  { df_watch_close; exec curl -sS -o "$_df_resp" -w '%{http_code}' --max-time "$_df_limit" --connect-timeout 10 \
    -H 'Content-Type: application/json' -H "x-openclaw-agent-id: $_df_agent" -H @- \
    --data-binary @"$_df_body" -- "${_df_url%/}/v1/chat/completions"; } \
    >"$_DF_TMP/agent-status" 2>"$_DF_TMP/agent-error" \
    <<<"${_df_token:+Authorization: Bearer $_df_token}" &
  _DF_CHILD=$! _DF_CHILD_GROUP=
  df_watch_note
  wait "$_DF_CHILD"
  local _df_curl=$? _df_http
  _DF_CHILD=
  df_watch_note
  df_evidence_agent_call "$_DF_CUR_STEP_ID" "$_df_agent" "$_df_body" "$_df_resp"
  _df_http=$(<"$_DF_TMP/agent-status")
  case $_df_curl in
    0) ;;
    28) _DF_ERR="the Gateway did not answer within $_df_limit s" _DF_RC=124 && return ;;
    6 | 7) _DF_ERR="cannot reach the Gateway at ${_df_url%/}: $(head -c 200 "$_DF_TMP/agent-error")" && return ;;
    *) _DF_ERR="the request to the Gateway failed (curl exit $_df_curl): $(head -c 200 "$_DF_TMP/agent-error")" && return ;;
  esac
  case $_df_http in
    2??) ;;
    401 | 403)
      _DF_ERR="the Gateway refused the request (HTTP $_df_http): check OPENCLAW_GATEWAY_TOKEN"
      return
      ;;
    *)
      _DF_ERR="the Gateway answered HTTP $_df_http: $(head -c 300 -- "$_df_resp" | tr -d '\000')"
      return
      ;;
  esac
  _DF_STEP_EXTRA=$(jq -nc --rawfile raw "$_df_resp" "$_DF_JQ_REPLY") ||
    _DF_STEP_EXTRA='{"ok":false,"error":"unreadable answer"}'
  local -a _df_a
  mapfile -d '' _df_a < <(jq -j '[(.ok | tostring), (.status // ""), (.error // .summary // "")][] + "\u0000"' \
    <<<"$_DF_STEP_EXTRA")
  # The agent's outputs as name=value lines too, so later steps see them as command steps' (a value with a
  # line break only in the record).
  jq -r '.outputs // {} | to_entries[] | select(.value | test("[\r\n]") | not) | "\(.key)=\(.value)"' \
    <<<"$_DF_STEP_EXTRA" >"$_DF_OUT_FILE" 2>/dev/null
  if [[ ${_df_a[0]:-} != true ]]; then
    _DF_ERR=${_df_a[2]:-the answer could not be read}
    _DF_STEP_EXTRA=null
  elif [[ ${_df_a[1]} == succeeded ]]; then
    _DF_RC=0 _DF_ERR=
  else
    _DF_ERR="the agent reported failure: ${_df_a[2]:-no summary}"
  fi
}

# df_limit_for MANIFEST_INDEX: the step's time limit in seconds (0: none) given the run's deadline. Sets
# _DF_LIMIT_S and _DF_LIMIT_BY (step|run).
df_limit_for() {
  local _df_step=${_DF_STEP_TIMEOUT_SECONDS[$1]:-$_DF_STEP_TIMEOUT}
  _DF_LIMIT_S=${_df_step:-0} _DF_LIMIT_BY=step
  ((_DF_DEADLINE_MS > 0)) || return 0
  df_now
  local _df_left=$(((_DF_DEADLINE_MS - _DF_NOW_MS + 999) / 1000))
  ((_df_left > 0)) || _df_left=0
  if ((_DF_LIMIT_S == 0 || _df_left < _DF_LIMIT_S)); then _DF_LIMIT_S=$_df_left _DF_LIMIT_BY=run; fi
}

# df_run_step SECTION RECORD_INDEX MANIFEST_INDEX NEXT_RECORD_INDEX LABEL: runs one step with its retries.
# Sets _DF_STEP_RESULT: succeeded | failed | timed_out (the step's limit) | run_timed_out.
df_run_step() {
  local _df_sec=$1 _df_ri=$2 _df_mi=$3 _df_next=$4 _df_label=$5 _df_attempt=0 _df_start _df_status
  local _df_retries=${_DF_STEP_RETRIES[$_df_mi]:-$_DF_RETRIES} _df_kind=${_DF_STEP_KIND[$_df_mi]}
  _DF_CUR_STEP_ID=${_DF_STEP_ID[$_df_mi]}
  _DF_OUT_FILE=$_DF_TMP/outputs-$_df_mi
  while :; do
    _df_attempt=$((_df_attempt + 1)) _DF_STEP_EXTRA=null
    df_limit_for "$_df_mi"
    if [[ $_DF_LIMIT_BY == run && $_DF_LIMIT_S -le 0 ]]; then
      _DF_RC=124 _DF_ERR="the run's time limit ($_DF_RUN_TIMEOUT s) was reached before the step started"
      : >"$_DF_OUT_FILE"
    else
      df_log "$_DF_RUN_ID: step $_df_label $_DF_CUR_STEP_ID ($_df_kind): running, attempt $_df_attempt"
      df_now
      _df_start=$_DF_NOW_MS
      if [[ -n ${_DF_STEP_FOREACH_VAR[$_df_mi]-} ]]; then
        df_foreach_exec "$_df_mi" "$_DF_LIMIT_S" "$_df_sec" "$_df_ri"
      elif [[ $_df_kind == command ]]; then
        df_exec_command "$_df_mi" "$_DF_LIMIT_S"
      elif [[ $_df_kind == workflow ]]; then
        df_exec_child "$_df_mi" "$_DF_LIMIT_S"
      else
        df_exec_agent "$_df_mi" "$_DF_LIMIT_S" "$_df_label"
      fi
      df_now
    fi
    _df_status=failed
    if ((_DF_RC == 0)); then
      _df_status=succeeded _DF_ERR=
    # Timed out only by the limit's own signs: timeout(1)'s 124 (137/143 when it had to kill) for a
    # command, curl's own timeout (28, made 124 by df_exec_agent) for an agent; a failing answer that
    # merely arrives near the limit stays a failure.
    elif ((_DF_LIMIT_S > 0 && _DF_NOW_MS - _df_start >= _DF_LIMIT_S * 1000 - 50)) &&
      [[ $_DF_RC == 124 || ($_df_kind == command && ($_DF_RC == 137 || $_DF_RC == 143)) ]]; then
      _df_status=timed_out
      local _df_what="its process group was killed"
      [[ $_df_kind == command ]] || _df_what="the request to the Gateway was abandoned ($_DF_ERR)"
      if [[ $_DF_LIMIT_BY == run ]]; then
        _DF_ERR="stopped when the run's time limit of $_DF_RUN_TIMEOUT s was reached; $_df_what"
        df_guard run_timeout stopped "step $_DF_CUR_STEP_ID stopped at the run's limit of $_DF_RUN_TIMEOUT s; $_df_what"
      else
        _DF_ERR="stopped after its time limit of $_DF_LIMIT_S s; $_df_what"
        df_guard step_timeout stopped "step $_DF_CUR_STEP_ID stopped after $_DF_LIMIT_S s; $_df_what"
      fi
    fi
    df_log "$_DF_RUN_ID: step $_df_label $_DF_CUR_STEP_ID: $_df_status${_DF_ERR:+ ($_DF_ERR)}"
    if [[ $_df_status == succeeded ]]; then
      df_output_warnings
      df_rec_step_end "$_df_sec" "$_df_ri" succeeded "$_df_attempt" "" "$_df_next"
      _DF_STEP_RESULT=succeeded _DF_FINISHED+=("$_df_mi") _DF_SUCCEEDED+=("$_df_mi")
      return 0
    fi
    if [[ $_DF_LIMIT_BY == run && $_df_status == timed_out ]] || ((_df_attempt > _df_retries)); then
      _DF_FINISHED+=("$_df_mi")
      df_output_warnings
      df_rec_step_end "$_df_sec" "$_df_ri" "$_df_status" "$_df_attempt" "$_DF_ERR" -1
      _DF_STEP_RESULT=$_df_status
      [[ $_DF_LIMIT_BY == run && $_df_status == timed_out ]] && _DF_STEP_RESULT=run_timed_out
      return 1
    fi
    local _df_delay=$((_DF_RETRY_DELAY * (1 << (_df_attempt - 1))))
    df_guard retries retry "step $_DF_CUR_STEP_ID attempt $_df_attempt of $((_df_retries + 1)) failed \
($_DF_ERR); retrying in $_df_delay s"
    df_rec_step_end "$_df_sec" "$_df_ri" running "$_df_attempt" "$_DF_ERR" -1
    df_sleep "$_df_delay"
  done
}

# df_rec_step_end SECTION RECORD_INDEX STATUS ATTEMPTS ERROR NEXT: records an attempt's end (and marks the
# next step running). A success is only queued: it is written with the next record write, so a run of quick
# steps costs one jq call, not one per step; df_exec_command writes it if the next step takes long.
df_rec_step_end() {
  local _df_code=null _df_i=${#_DF_PEND[@]}
  [[ $_DF_RC =~ ^[0-9]+$ && ${_DF_STEP_KIND[$_df_mi]} != agent ]] && _df_code=$_DF_RC
  df_now
  if [[ -n ${_DF_PARALLEL-} && $3 != running ]]; then
    # A step beside others leaves its end to the runner (df_graph_reap), which writes the ends of the steps
    # that finish together in one record write. NUL-separated: no value is parsed by the shell.
    printf '%s\0' "$1" "$2" "$3" "$4" "$_df_code" "$_DF_NOW" "$_DF_OUT_FILE" "$_DF_STEP_EXTRA" "$5" \
      "${_DF_PENDING_GUARDS[@]}" >"$_DF_TMP/end-$_df_mi"
    _DF_PENDING_GUARDS=()
    return 0
  fi
  _DF_PEND+=("{\"i\":$_df_i,\"sec\":\"$1\",\"ri\":$2,\"st\":\"$3\",\"att\":$4,\"code\":$_df_code,\"next\":$6,\"ended\":\"$_DF_NOW\"}")
  df_pend_texts "$_df_i" "$_DF_OUT_FILE" "$_DF_STEP_EXTRA" "$5"
  [[ $3 == succeeded && $6 -ge 0 ]] || df_rec .
}
