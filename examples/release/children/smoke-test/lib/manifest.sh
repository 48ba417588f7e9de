# shellcheck shell=bash disable=SC2016,SC2153
# (SC2016: jq programs are single-quoted on purpose; SC2153: globals are set in other lib files.)
# Reading the manifest (skill.fields, skill.json flattened by compile) and checking the run's inputs against
# it, with builtins: jq only decodes an --inputs-json text the builtins do not read, handing the values to
# bash NUL-separated, so no value is ever parsed by the shell; nothing here is eval'd.

df_manifest_path() {
  _DF_MANIFEST=$_DF_SKILL_DIR/skill.json
  [[ -r $_DF_MANIFEST ]] ||
    df_die "$_DF_EXIT_NO_INPUT" "'$_DF_SKILL_DIR' is not a compiled skill: skill.json is missing (recompile it)"
}

# The manifest for --help and --version: skill.fields read into the _DF_* variables (df_load_fields).
df_load_manifest() {
  df_manifest_path
  df_load_fields
}

# What a run needs: the manifest (as df_load_manifest), the step of --step, and the inputs checked
# (df_check_inputs).
df_load_run() {
  df_load_manifest
  [[ -z $_DF_OPT_STEP ]] || df_find_step "$_DF_OPT_STEP"
  df_check_inputs
}

# Reads skill.fields, written by compile with skill.json (see compiler/run_fields.h: three lines name the
# fields, then one value a line with \ written \\ and a newline \n, which printf %b reverses exactly; nothing
# is eval'd), and sets the manifest's variables from it (df_set_manifest). Each value is read by its name:
# a run field into _DF_M[name]; a step field into _DF_STEP_<NAME> (steps are numbered 0..N-1, rollback steps
# follow, then on-failure steps); an input field into _DF_DECL_<NAME> keyed by the input's name (_DF_DECL_NAMES: the names in
# order). Exit 65 when it is missing, of another version or damaged.
df_load_fields() {
  local _df_file=$_DF_SKILL_DIR/skill.fields _df_i _df_k _df_at=4 _df_n _df_name
  local _df_damaged="$_DF_SKILL_DIR/skill.fields is damaged (recompile the workflow)"
  local -a _df_lines _df_run _df_step _df_input
  if [[ ! -r $_df_file ]] || ! mapfile -t _df_lines <"$_df_file" 2>/dev/null; then
    df_die "$_DF_EXIT_DATA" "'$_DF_SKILL_DIR' is not a compiled skill: skill.fields is missing (recompile it)"
  fi
  [[ ${_df_lines[0]-} == "dark-factory run fields 4" ]] ||
    df_die "$_DF_EXIT_DATA" "$_DF_SKILL_DIR/skill.fields is of another version (recompile the workflow)"
  read -r -a _df_run <<<"${_df_lines[1]-}"
  read -r -a _df_step <<<"${_df_lines[2]-}"
  read -r -a _df_input <<<"${_df_lines[3]-}"
  [[ ${_df_run[0]-} == run && ${_df_step[0]-} == step && ${_df_input[0]-} == input && ${_df_input[1]-} == name ]] ||
    df_die "$_DF_EXIT_DATA" "$_df_damaged"
  # Names become variable names: letters, digits and _ only.
  for _df_name in "${_df_run[@]:1}" "${_df_step[@]:1}" "${_df_input[@]:1}"; do
    [[ $_df_name =~ ^[a-z][a-z0-9_]*$ ]] || df_die "$_DF_EXIT_DATA" "$_df_damaged"
  done
  declare -gA _DF_M=()
  for _df_name in "${_df_run[@]:1}"; do printf -v "_DF_M[$_df_name]" '%b' "${_df_lines[_df_at++]-}"; done
  [[ ${_DF_M[steps]-} =~ ^[0-9]+$ && ${_DF_M[rollback]-} =~ ^[0-9]+$ && ${_DF_M[on_failure]-} =~ ^[0-9]+$ &&
    ${_DF_M[inputs]-} =~ ^[0-9]+$ ]] || df_die "$_DF_EXIT_DATA" "$_df_damaged"
  _df_n=$((${#_df_run[@]} - 1 + (${#_df_step[@]} - 1) * (_DF_M[steps] + _DF_M[rollback] + _DF_M[on_failure])
    + (${#_df_input[@]} - 1) * _DF_M[inputs]))
  ((${#_df_lines[@]} == 4 + _df_n)) || df_die "$_DF_EXIT_DATA" "$_df_damaged"
  for _df_name in "${_df_step[@]:1}"; do declare -ga "_DF_STEP_${_df_name^^}=()"; done
  for ((_df_i = 0; _df_i < _DF_M[steps] + _DF_M[rollback] + _DF_M[on_failure]; _df_i++)); do
    for _df_name in "${_df_step[@]:1}"; do
      printf -v "_DF_STEP_${_df_name^^}[$_df_i]" '%b' "${_df_lines[_df_at++]}"
    done
  done
  _DF_DECL_NAMES=()
  for _df_name in "${_df_input[@]:1}"; do declare -gA "_DF_DECL_${_df_name^^}=()"; done
  for ((_df_i = 0; _df_i < _DF_M[inputs]; _df_i++)); do
    printf -v _df_k '%b' "${_df_lines[_df_at++]}"
    [[ $_df_k =~ $_DF_NAME_RE && -z ${_DF_DECL_TYPE[$_df_k]+set} ]] || df_die "$_DF_EXIT_DATA" "$_df_damaged"
    _DF_DECL_NAMES+=("$_df_k")
    for _df_name in "${_df_input[@]:2}"; do
      printf -v "_DF_DECL_${_df_name^^}[$_df_k]" '%b' "${_df_lines[_df_at++]}"
    done
    # The alias is the name in upper case or nothing: a damaged file cannot make an input replace $PATH.
    [[ -z ${_DF_DECL_ENV_ALIAS[$_df_k]} || ${_DF_DECL_ENV_ALIAS[$_df_k]} == "${_df_k^^}" ]] ||
      df_die "$_DF_EXIT_DATA" "$_df_damaged"
  done
  df_set_manifest
}

# The _DF_* variables the executor uses, from the run fields (df_load_fields): each read by its name.
df_set_manifest() {
  local -n _df_m=_DF_M
  _DF_SKILL=${_df_m[name]} _DF_SKILL_VERSION=${_df_m[version]} _DF_TITLE=${_df_m[title]}
  _DF_RUN_TIMEOUT=${_df_m[run_timeout_seconds]} _DF_STEP_TIMEOUT=${_df_m[step_timeout_seconds]}
  _DF_RETRIES=${_df_m[retries]:-0} _DF_RETRY_DELAY=${_df_m[retry_delay_seconds]:-5}
  _DF_APPROVAL=${_df_m[approval]} _DF_APPROVAL_INPUT=${_df_m[approval_when_input]}
  _DF_APPROVAL_EQUALS=${_df_m[approval_equals]} _DF_APPROVAL_TIMEOUT=${_df_m[approval_timeout_seconds]:-3600}
  _DF_RATE_MAX=${_df_m[rate_limit_max_runs]} _DF_RATE_WINDOW=${_df_m[rate_limit_window_seconds]}
  _DF_RATE_KEY=${_df_m[rate_limit_key_input]}
  _DF_CONC_MAX=${_df_m[concurrency_max_runs]} _DF_CONC_KEY=${_df_m[concurrency_key_input]}
  _DF_AUTO_ROLLBACK=${_df_m[auto_rollback]} _DF_HISTORY_DAYS=${_df_m[history_days]:-30}
  _DF_HISTORY_RUNS=${_df_m[history_runs]:-1000}
  _DF_NSTEPS=${_df_m[steps]} _DF_NROLLBACK=${_df_m[rollback]} _DF_NONFAILURE=${_df_m[on_failure]}
  _DF_JSON_SKILL=${_df_m[json_name]} _DF_JSON_VERSION=${_df_m[json_version]}
}

# df_check_inputs: the one check of a run's inputs against their declarations, whichever way they came: the
# --inputs-json object, then the command line's NAME, VALUE pairs (the later wins), then DF_INPUT_<NAME>
# from the environment, then the default. Sets _DF_IN (each input's value by name, "" for an optional one
# not given; a boolean as true or false), _DF_MASKED_JSON (its value as JSON for the record: "***" when
# secret, null when absent), _DF_INPUTS_MASKED (all of them as one JSON object) and _DF_SECRETS
# (" name name "). Every problem is reported at once, with the valid inputs; exit 65.
df_check_inputs() {
  local -a _df_given _df_errors=()
  local -A _df_vals=()
  local _df_i _df_n _df_v _df_e _df_q _df_mask='' _df_secrets=''
  df_json_inputs || _df_errors+=("$_DF_JSON_ERROR")
  _df_given=("${_DF_TRIPLES[@]}")
  for ((_df_i = 0; _df_i < ${#_DF_CLI_INPUTS[@]}; _df_i += 2)); do
    _df_given+=("${_DF_CLI_INPUTS[_df_i]}" string "${_DF_CLI_INPUTS[_df_i + 1]}")
  done
  for ((_df_i = 0; _df_i < ${#_df_given[@]}; _df_i += 3)); do
    _df_n=${_df_given[_df_i]}
    [[ -n $_df_n && -n ${_DF_DECL_TYPE[$_df_n]+set} ]] || _df_errors+=("unknown input \"$_df_n\"")
  done
  for ((_df_i = 0; _df_i < ${#_df_given[@]}; _df_i += 3)); do
    _df_n=${_df_given[_df_i]}
    case ${_df_given[_df_i + 1]} in
      object | array) _df_errors+=("input $_df_n: must be a string, number or boolean, not ${_df_given[_df_i + 1]}") ;;
      *) [[ -z $_df_n || -z ${_DF_DECL_TYPE[$_df_n]+set} ]] || _df_vals[$_df_n]=${_df_given[_df_i + 1]}:${_df_given[_df_i + 2]} ;;
    esac
  done
  declare -gA _DF_IN=() _DF_MASKED_JSON=()
  for _df_n in "${_DF_DECL_NAMES[@]}"; do
    _df_e=DF_INPUT_${_df_n^^}
    if [[ -n ${_df_vals[$_df_n]+set} ]]; then
      _df_v=${_df_vals[$_df_n]}
    elif [[ -n ${!_df_e+set} ]]; then
      _df_v=string:${!_df_e}
    elif [[ -n ${_DF_DECL_HAS_DEFAULT[$_df_n]} ]]; then
      _df_v=string:${_DF_DECL_DEFAULT[$_df_n]}
    elif [[ -n ${_DF_DECL_REQUIRED[$_df_n]} ]]; then
      _df_errors+=("missing required input \"$_df_n\" (give it, or set DF_INPUT_${_df_n^^} in the service's environment)")
      continue
    else
      _DF_IN[$_df_n]='' _DF_MASKED_JSON[$_df_n]=null _df_mask+=,\"$_df_n\":null
      [[ -z ${_DF_DECL_SECRET[$_df_n]} ]] || _df_secrets+=" $_df_n"
      continue
    fi
    if [[ $_df_v == nul:* ]]; then
      _df_errors+=("input $_df_n: contains a NUL character")
      continue
    fi
    _df_v=${_df_v#*:}
    if ! df_short_enough "$_df_v"; then
      _df_errors+=("input $_df_n: longer than 65536 bytes")
      continue
    fi
    if ! df_json_quote "$_df_v"; then
      _df_errors+=("input $_df_n: not valid UTF-8")
      continue
    fi
    _df_q=$_DF_JSON
    if ! df_input_value_ok "$_df_n"; then
      # A secret's value stays out of the error, which reaches the caller, the service's log and a record.
      [[ -z ${_DF_DECL_SECRET[$_df_n]} ]] || _df_q='"***"'
      df_input_problem "$_df_n" "$_df_q"
      continue
    fi
    [[ ${_DF_DECL_TYPE[$_df_n]} != boolean ]] || _df_q=\"$_df_v\"
    if [[ -n ${_DF_DECL_SECRET[$_df_n]} ]]; then _df_q='"***"' _df_secrets+=" $_df_n"; fi
    _DF_IN[$_df_n]=$_df_v _DF_MASKED_JSON[$_df_n]=$_df_q _df_mask+=,\"$_df_n\":$_df_q
  done
  ((${#_df_errors[@]} == 0)) || df_refuse_inputs "${_df_errors[@]}"
  _DF_INPUTS_MASKED="{${_df_mask#,}}" _DF_SECRETS="$_df_secrets "
}

# df_input_problem NAME VALUE_AS_JSON: the error of a value of the wrong type (appended to _df_errors).
df_input_problem() {
  local _df_c=${_DF_DECL_CHOICES[$1]%$'\n'}
  case ${_DF_DECL_TYPE[$1]} in
    number) _df_errors+=("input $1: $2 is not a number") ;;
    boolean) _df_errors+=("input $1: $2 is not a boolean (true or false)") ;;
    *) _df_errors+=("input $1: $2 is not one of ${_df_c//$'\n'/, }") ;;
  esac
}

# df_short_enough TEXT: at most 65536 bytes? (${#} counts characters in a UTF-8 locale, bytes in C; the
# locale is switched only when the answer depends on it.)
df_short_enough() {
  ((${#1} <= 16384)) && return 0
  ((${#1} <= 65536)) || return 1
  local LC_ALL=C
  ((${#1} <= 65536))
}

# df_refuse_inputs PROBLEM...: one error line with every problem and the valid inputs; exit 65. A
# scheduled run has nobody to read it: it is kept as a failed run record too.
df_refuse_inputs() {
  local _df_n _df_d _df_c _df_valid='' IFS=$'\n'
  _DF_INPUT_ERROR="$*"
  _DF_INPUT_ERROR=${_DF_INPUT_ERROR//$'\n'/; }
  for _df_n in "${_DF_DECL_NAMES[@]}"; do
    _df_d=--$_df_n
    if [[ -n ${_DF_DECL_REQUIRED[$_df_n]} ]]; then
      _df_d+=" (required)"
    elif [[ -n ${_DF_DECL_HAS_DEFAULT[$_df_n]} ]]; then
      _df_d+=" (default: ${_DF_DECL_DEFAULT[$_df_n]})"
    fi
    case ${_DF_DECL_TYPE[$_df_n]} in
      string) ;;
      choice) _df_c=${_DF_DECL_CHOICES[$_df_n]%$'\n'} _df_d+=" [one of: ${_df_c//$'\n'/, }]" ;;
      *) _df_d+=" [${_DF_DECL_TYPE[$_df_n]}]" ;;
    esac
    _df_valid+=", $_df_d"
  done
  _df_valid=${_df_valid#, }
  [[ ${DF_TRIGGER:-} != cron || -n $_DF_OPT_DRY ]] || df_record_input_failure "$_DF_INPUT_ERROR"
  df_reject_input "$_DF_INPUT_ERROR; valid inputs: ${_df_valid:-none}"
}

# The --inputs-json object, decoded by jq when it is more than df_plain_json_object reads: "ok", then NAME,
# TYPE (jq's, or "nul" for a string with a NUL character), VALUE (jq's tostring; empty for objects and
# arrays) per member that is not null; or "invalid" or "notobject".
readonly _DF_JQ_JSON_INPUTS='
.[:-1] | (try fromjson catch "\u0000invalid") as $j
| if $j == "\u0000invalid" then "invalid"
  elif ($j | type) != "object" then "notobject"
  else "ok", ($j | to_entries[] | select(.value != null) | .value as $v
    | (.key | gsub("\u0000"; "\\u0000")),
      ($v | if type == "string" and test("\u0000") then "nul" else type end),
      ($v | if type == "string" then gsub("\u0000"; "") elif type == "object" or type == "array" then ""
            else tostring end))
  end | . + "\u0000"'

# df_json_inputs: the members of the --inputs-json text as NAME, TYPE, VALUE triples in _DF_TRIPLES (a name
# given twice: its last value, where it was first given, as jq reads objects). Read with builtins when the
# text is a flat object of plain values (df_plain_json_object, the usual case), else by jq. 1 with
# _DF_JSON_ERROR when it is not a JSON object.
df_json_inputs() {
  _DF_TRIPLES=()
  [[ -n $_DF_INPUTS_TEXT ]] || return 0
  if df_plain_json_object "$_DF_INPUTS_TEXT"; then
    local -A _df_at=()
    local _df_i _df_k _df_j
    for ((_df_i = 0; _df_i < ${#_DF_PAIRS[@]}; _df_i += 2)); do
      _df_k=${_DF_PAIRS[_df_i]}
      if [[ -n ${_df_at[$_df_k]+set} ]]; then
        _df_j=$((_df_at[$_df_k] + 2))
        _DF_TRIPLES[_df_j]=${_DF_PAIRS[_df_i + 1]}
      else
        _df_at[$_df_k]=${#_DF_TRIPLES[@]}
        _DF_TRIPLES+=("$_df_k" string "${_DF_PAIRS[_df_i + 1]}")
      fi
    done
    return 0
  fi
  local -a _df_r
  mapfile -d '' _df_r < <(jq -Rsj "$_DF_JQ_JSON_INPUTS" <<<"$_DF_INPUTS_TEXT" 2>/dev/null)
  case ${_df_r[0]-} in
    ok) _DF_TRIPLES=("${_df_r[@]:1}") ;;
    invalid) _DF_JSON_ERROR="--inputs-json: not valid JSON" && return 1 ;;
    notobject) _DF_JSON_ERROR="--inputs-json: must be a JSON object of input names and values" && return 1 ;;
    *) df_die "$_DF_EXIT_SOFTWARE" "reading --inputs-json failed (is jq 1.6 or later installed?)" ;;
  esac
}

# df_input_value_ok NAME: is _df_v (the caller's) a valid value of input NAME? A boolean is normalised to
# true or false in _df_v, as the jq check does.
df_input_value_ok() {
  case ${_DF_DECL_TYPE[$1]} in
    string) return 0 ;;
    number) [[ $_df_v =~ ^-?[0-9]+(\.[0-9]+)?$ ]] ;;
    boolean)
      case ${_df_v,,} in
        true | yes | 1 | on) _df_v=true ;;
        false | no | 0 | off) _df_v=false ;;
        *) return 1 ;;
      esac
      ;;
    choice) [[ $'\n'${_DF_DECL_CHOICES[$1]} == *$'\n'"$_df_v"$'\n'* ]] ;;
    *) return 1 ;;
  esac
}

# df_plain_json_object TEXT: the members of TEXT, a JSON object whose values are plain strings (see
# df_plain), small integers, true, false or null, as NAME, VALUE pairs in _DF_PAIRS (values as jq's
# tostring gives them; null members left out). 1 for any other text, valid JSON or not.
df_plain_json_object() {
  local _df_t=$1 _df_ws=$'[ \t\n\r]*' _df_k _df_v _df_end
  _DF_PAIRS=()
  ((${#_df_t} <= 65536)) || return 1
  local _df_open="^${_df_ws}[{]$_df_ws" _df_empty="^[}]$_df_ws\$"
  local _df_member='^"([^"\]*)"'"$_df_ws:$_df_ws"'("([^"\]*)"|true|false|null|0|-?[1-9][0-9]{0,14})'"$_df_ws([,}])$_df_ws"
  [[ $_df_t =~ $_df_open ]] || return 1
  _df_t=${_df_t:${#BASH_REMATCH[0]}}
  [[ $_df_t =~ $_df_empty ]] && return 0
  while [[ $_df_t =~ $_df_member ]]; do
    _df_k=${BASH_REMATCH[1]} _df_v=${BASH_REMATCH[2]} _df_end=${BASH_REMATCH[4]}
    _df_t=${_df_t:${#BASH_REMATCH[0]}}
    [[ $_df_k =~ $_DF_NAME_RE ]] || return 1
    if [[ $_df_v == \"* ]]; then
      _df_v=${_df_v:1:-1}
      df_plain "$_df_v" || return 1
      _DF_PAIRS+=("$_df_k" "$_df_v")
    elif [[ $_df_v != null ]]; then
      _DF_PAIRS+=("$_df_k" "$_df_v")
    fi
    [[ $_df_end == , ]] && continue
    [[ -z $_df_t ]]
    return
  done
  return 1
}

# Reports bad inputs: one error line, and a JSON object on stdout for --json/--detach callers; exit 65.
df_reject_input() {
  df_error "$1"
  if [[ -n $_DF_OPT_JSON || -n $_DF_OPT_DETACH ]]; then
    jq -nc --arg e "$1" '{error: $e, status: "invalid_input"}'
  fi
  exit "$_DF_EXIT_DATA"
}

# The manifest's step index of a step id, or exit 64 listing the ids.
df_find_step() {
  local _df_i
  for ((_df_i = 0; _df_i < _DF_NSTEPS; _df_i++)); do
    [[ ${_DF_STEP_ID[_df_i]} == "$1" ]] && _DF_ONLY_STEP=$_df_i && return 0
  done
  local IFS=, _df_ids
  _df_ids="${_DF_STEP_ID[*]:0:_DF_NSTEPS}"
  df_die "$_DF_EXIT_USAGE" "no step \"$1\"; the steps are: ${_df_ids//,/, }"
}
