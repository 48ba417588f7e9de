# shellcheck shell=bash disable=SC2016,SC2153
# (SC2016: jq programs are single-quoted on purpose; SC2153: globals are set in other lib files.)
# Reading skill.json and checking the run's inputs against it. jq hands values to bash NUL-separated, so no
# value is ever parsed by the shell; nothing here is eval'd.

# One jq call turns the manifest into a flat list the executor reads into arrays (order matters: see
# df_load_manifest).
readonly _DF_JQ_MANIFEST_DEFS='
def n: if . == null then "" else tostring end;
def flag: if . then "1" else "" end;
def manifest_fields: if (.schema_version != 1 or .compiler.name != "dark-factory-compile") then error("not a skill.json of schema version 1")
elif (tojson | test("\\\\u0000")) then error("skill.json contains a NUL character")
elif ([.inputs[].name | test("^[a-z][a-z0-9_]{0,63}$") | not] | any) then error("skill.json has an invalid input name")
else . end
| .policy as $p
| [ .name, .version, .title,
    ($p.run_timeout_seconds | n), ($p.step_timeout_seconds | n), ($p.retries | n), ($p.retry_delay_seconds | n),
    ($p.approval != null | flag), ($p.approval.when_input | n), ($p.approval.equals | n),
    ($p.approval.timeout_seconds | n),
    ($p.rate_limit.max_runs | n), ($p.rate_limit.window_seconds | n), ($p.rate_limit.key_input | n),
    ($p.concurrency.max_runs | n), ($p.concurrency.key_input | n),
    ($p.auto_rollback | flag), ($p.history_days // 30 | n), ($p.history_runs // 1000 | n),
    (.steps | length), (.rollback | length),
    (.steps[], .rollback[] | .id, .kind, .title, (.timeout_seconds | n), (.retries | n), .commands)
  ];'
readonly _DF_JQ_MANIFEST="$_DF_JQ_MANIFEST_DEFS"' manifest_fields[] | tostring + "\u0000"'

# check_inputs($m): checks the inputs against manifest $m. Input: an array of the --inputs-json text, then
# NAME, VALUE pairs from the command line. The result is an array: "ok", the masked inputs as JSON, the
# names of the secret inputs (space-separated), then NAME, VALUE for every declared input; or "error", the problems (one a line) and
# the list of valid inputs.
readonly _DF_JQ_INPUTS_DEFS='
def describe: "--" + .name
  + (if .required then " (required)" elif .default != null then " (default: \(.default))" else "" end)
  + (if .type == "choice" then " [one of: \(.choices | join(", "))]" elif .type != "string" then " [\(.type)]" else "" end);
def truthy: ascii_downcase | . == "true" or . == "yes" or . == "1" or . == "on";
def boolish: ascii_downcase | . == "true" or . == "yes" or . == "1" or . == "on"
  or . == "false" or . == "no" or . == "0" or . == "off";
def check_inputs($m):
$m.inputs as $decl
| ($decl | map(.name)) as $names
| . as $parts
| $parts[0] as $jt
| (if $jt == "" then {} else ($jt | try fromjson catch "\u0000invalid") end) as $j
| [ if $j == "\u0000invalid" then "--inputs-json: not valid JSON"
    elif ($j | type) != "object" then "--inputs-json: must be a JSON object of input names and values"
    else empty end ] as $e0
| (if ($j | type) == "object" then [$j | to_entries[] | select(.value != null)] else [] end) as $je
| [range(1; ($parts | length) - 1; 2) as $i | {key: $parts[$i], value: $parts[$i + 1]}] as $ce
| ($je + $ce) as $given
| [ $given[] | .key as $k | select($names | any(. == $k) | not) | "unknown input \"\($k)\"" ] as $e1
| [ $given[] | select(.value | type | . == "object" or . == "array")
    | "input \(.key): must be a string, number or boolean, not \(.value | type)" ] as $e2
| (reduce ($given[] | select(.value | type | . != "object" and . != "array")) as $g
     ({}; .[$g.key] = ($g.value | if type == "string" then . else tostring end))) as $given_vals
# An input the trigger does not give comes from the service environment (DF_INPUT_<NAME>), then the default.
| (reduce $decl[] as $d ($given_vals; if has($d.name) then .
     else ($ENV["DF_INPUT_" + ($d.name | ascii_upcase)]) as $e | if $e == null then . else .[$d.name] = $e end end))
  as $vals
| [ $decl[] as $d | ($vals[$d.name] // $d.default) as $v
    | if $v == null then (if $d.required then "missing required input \"\($d.name)\" (give it, or set DF_INPUT_\($d.name | ascii_upcase) in the service'"'"'s environment)" else empty end)
      elif ($v | test("\u0000")) then "input \($d.name): contains a NUL character"
      elif ($v | utf8bytelength) > 65536 then "input \($d.name): longer than 65536 bytes"
      elif $d.type == "number" and ($v | test("^-?[0-9]+(\\.[0-9]+)?$") | not) then
        "input \($d.name): \($v | tojson) is not a number"
      elif $d.type == "boolean" and ($v | boolish | not) then
        "input \($d.name): \($v | tojson) is not a boolean (true or false)"
      elif $d.type == "choice" and ($d.choices | any(. == $v) | not) then
        "input \($d.name): \($v | tojson) is not one of \($d.choices | join(", "))"
      else empty end ] as $e3
| ($e0 + $e1 + $e2 + $e3) as $errors
| if ($errors | length) > 0 then
    ["error", ($errors | join("\n")), ($decl | map(describe) | join(", "))]
  else
    (reduce $decl[] as $d ({};
       .[$d.name] = (($vals[$d.name] // $d.default)
                     | if . != null and $d.type == "boolean" then (if truthy then "true" else "false" end) else . end)))
    as $full
    | (reduce $decl[] as $d ($full; if $d.secret and .[$d.name] != null then .[$d.name] = "***" else . end)) as $masked
    | (["ok", ($masked | tojson), ([$decl[] | select(.secret) | .name] | join(" "))]
       + [$decl[] | .name, ($full[.name] // ""), (.env_alias // "")])
  end;'

df_manifest_path() {
  _DF_MANIFEST=$_DF_SKILL_DIR/skill.json
  [[ -r $_DF_MANIFEST ]] ||
    df_die "$_DF_EXIT_NO_INPUT" "'$_DF_SKILL_DIR' is not a compiled skill: skill.json is missing (recompile it)"
}

# Reads skill.json into _DF_* variables and per-step arrays (for --help). Steps are numbered 0..N-1,
# rollback steps follow.
df_load_manifest() {
  df_manifest_path
  mapfile -d '' _DF_FIELDS < <(jq -j "$_DF_JQ_MANIFEST" "$_DF_MANIFEST" 2>/dev/null)
  df_set_manifest
}

# What a run needs: the manifest (as df_load_manifest), the step of --step, and the inputs checked (as
# df_set_inputs). Usually without starting jq, which is slow to start (this is on the path from a trigger to
# the first step): skill.fields holds the manifest flattened, and inputs of plain text are checked with
# builtins. Anything else, and every mistake in the inputs, goes to jq, whose check is the reference.
df_load_run() {
  df_manifest_path
  _DF_FAST_INPUTS=''
  if df_load_fields; then
    df_set_manifest
    df_set_declarations
    [[ -z $_DF_OPT_STEP ]] || df_find_step "$_DF_OPT_STEP"
    df_inputs_fast && return 0
  fi
  df_load_run_jq
  df_set_manifest
  [[ -z $_DF_OPT_STEP ]] || df_find_step "$_DF_OPT_STEP"
  df_set_inputs "${_DF_FIELDS[@]:_DF_FIELDS_USED}"
}

# One jq call: the manifest's fields, then check_inputs' result. The --inputs-json text is jq's stdin (a
# here-string: jq drops the newline it adds) and the command line's NAME, VALUE pairs are its positional
# arguments.
df_load_run_jq() {
  mapfile -d '' _DF_FIELDS < <(jq -Rsj --slurpfile m "$_DF_MANIFEST" "$_DF_JQ_MANIFEST_DEFS $_DF_JQ_INPUTS_DEFS
    (\$m[0] | manifest_fields) + ([.[:-1]] + \$ARGS.positional | check_inputs(\$m[0])) | .[] | tostring + \"\\u0000\"" \
    --args "${_DF_CLI_INPUTS[@]}" <<<"$_DF_INPUTS_TEXT" 2>/dev/null)
}

# Reads skill.fields (written by compile with skill.json: one field a line, with \ written \\ and a
# newline \n, which printf %b reverses exactly; nothing is eval'd) into _DF_FIELDS. 1 when it is missing or
# of another version: skill.json is then read with jq.
df_load_fields() {
  local _df_file=$_DF_SKILL_DIR/skill.fields _df_line _df_v
  local -a _df_lines
  [[ -r $_df_file ]] && mapfile -t _df_lines <"$_df_file" 2>/dev/null || return 1
  [[ ${_df_lines[0]-} == "dark-factory run fields 3" ]] || return 1
  _DF_FIELDS=()
  for _df_line in "${_df_lines[@]:1}"; do
    printf -v _df_v '%b' "$_df_line"
    _DF_FIELDS+=("$_df_v")
  done
}

# The input declarations and the record's JSON texts that follow the manifest's fields in
# skill.fields: _DF_DECL_NAMES (in order), _DF_DECL_TYPE, _DF_DECL_REQUIRED, _DF_DECL_HAS_DEFAULT,
# _DF_DECL_DEFAULT, _DF_DECL_SECRET, _DF_DECL_ENV (the upper-case alias steps also get, or empty) and
# _DF_DECL_CHOICES (each choice followed by a newline) by name;
# _DF_JSON_SKILL, _DF_JSON_VERSION and _DF_JSON_STEPS (id, title and kind of every step, as JSON).
df_set_declarations() {
  local -n _df_f=_DF_FIELDS
  local _df_at=$((_DF_FIELDS_USED + 1)) _df_n=${_df_f[_DF_FIELDS_USED]-} _df_i _df_k _df_nc _df_name
  local _df_damaged="$_DF_SKILL_DIR/skill.fields is damaged (recompile the workflow)"
  _DF_DECL_NAMES=()
  declare -gA _DF_DECL_TYPE=() _DF_DECL_REQUIRED=() _DF_DECL_HAS_DEFAULT=() _DF_DECL_DEFAULT=() \
    _DF_DECL_SECRET=() _DF_DECL_ENV=() _DF_DECL_CHOICES=()
  [[ $_df_n =~ ^[0-9]+$ ]] || df_die "$_DF_EXIT_DATA" "$_df_damaged"
  for ((_df_i = 0; _df_i < _df_n; _df_i++)); do
    _df_name=${_df_f[_df_at]-} _df_nc=${_df_f[_df_at + 7]-}
    [[ $_df_name =~ $_DF_NAME_RE && $_df_nc =~ ^[0-9]+$ ]] || df_die "$_DF_EXIT_DATA" "$_df_damaged"
    # The alias is the name in upper case or nothing: a damaged file cannot make an input replace $PATH.
    [[ -z ${_df_f[_df_at + 6]} || ${_df_f[_df_at + 6]} == "${_df_name^^}" ]] || df_die "$_DF_EXIT_DATA" "$_df_damaged"
    _DF_DECL_NAMES+=("$_df_name")
    _DF_DECL_TYPE[$_df_name]=${_df_f[_df_at + 1]} _DF_DECL_REQUIRED[$_df_name]=${_df_f[_df_at + 2]}
    _DF_DECL_HAS_DEFAULT[$_df_name]=${_df_f[_df_at + 3]} _DF_DECL_DEFAULT[$_df_name]=${_df_f[_df_at + 4]}
    _DF_DECL_SECRET[$_df_name]=${_df_f[_df_at + 5]} _DF_DECL_ENV[$_df_name]=${_df_f[_df_at + 6]}
    _DF_DECL_CHOICES[$_df_name]=''
    _df_at=$((_df_at + 8))
    for ((_df_k = 0; _df_k < _df_nc; _df_k++)); do
      _DF_DECL_CHOICES[$_df_name]+=${_df_f[_df_at + _df_k]}$'\n'
    done
    _df_at=$((_df_at + _df_nc))
  done
  _DF_JSON_SKILL=${_df_f[_df_at]-} _DF_JSON_VERSION=${_df_f[_df_at + 1]-}
  _DF_JSON_STEPS=("${_df_f[@]:_df_at + 2:_DF_NSTEPS * 3}")
  ((${#_DF_JSON_STEPS[@]} == _DF_NSTEPS * 3)) || df_die "$_DF_EXIT_DATA" "$_df_damaged"
}

# Checks the inputs with builtins when every value given, and every default used, is plain text (see
# df_plain) and the --inputs-json text is a flat object: the usual case. Sets what df_set_inputs sets, and
# _DF_MASKED_JSON (each input's masked value as JSON, by name) and _DF_FAST_INPUTS=1 for the record. Returns
# 1 for anything else and for every mistake, so that jq checks those and words the error.
df_inputs_fast() {
  local -A _df_given=()
  local _df_i _df_n _df_v _df_e _df_json _df_mask='' _df_secrets=''
  if [[ -n $_DF_INPUTS_TEXT ]]; then
    df_plain_json_object "$_DF_INPUTS_TEXT" || return 1
    for ((_df_i = 0; _df_i < ${#_DF_PAIRS[@]}; _df_i += 2)); do _df_given[${_DF_PAIRS[_df_i]}]=${_DF_PAIRS[_df_i + 1]}; done
  fi
  for ((_df_i = 0; _df_i < ${#_DF_CLI_INPUTS[@]}; _df_i += 2)); do
    _df_n=${_DF_CLI_INPUTS[_df_i]} _df_v=${_DF_CLI_INPUTS[_df_i + 1]}
    [[ $_df_n =~ $_DF_NAME_RE ]] && df_plain "$_df_v" || return 1
    _df_given[$_df_n]=$_df_v
  done
  for _df_n in "${!_df_given[@]}"; do [[ -n ${_DF_DECL_TYPE[$_df_n]+set} ]] || return 1; done
  # Filled as it goes: on a return 1, the jq path sets _DF_IN afresh and _DF_MASKED_JSON is not read.
  declare -gA _DF_IN=() _DF_MASKED_JSON=()
  for _df_n in "${_DF_DECL_NAMES[@]}"; do
    _df_e=DF_INPUT_${_df_n^^}
    if [[ -n ${_df_given[$_df_n]+set} ]]; then
      _df_v=${_df_given[$_df_n]}
    elif [[ -n ${!_df_e+set} ]]; then
      _df_v=${!_df_e}
      df_plain "$_df_v" || return 1
    elif [[ -n ${_DF_DECL_HAS_DEFAULT[$_df_n]} ]]; then
      _df_v=${_DF_DECL_DEFAULT[$_df_n]}
      df_plain "$_df_v" || return 1
    else
      [[ -z ${_DF_DECL_REQUIRED[$_df_n]} ]] || return 1
      _DF_IN[$_df_n]='' _DF_MASKED_JSON[$_df_n]=null _df_mask+=,\"$_df_n\":null
      [[ -z ${_DF_DECL_SECRET[$_df_n]} ]] || _df_secrets+=" $_df_n"
      continue
    fi
    df_input_value_ok "$_df_n" || return 1
    _DF_IN[$_df_n]=$_df_v _df_json=\"$_df_v\"
    if [[ -n ${_DF_DECL_SECRET[$_df_n]} ]]; then
      _df_json='"***"' _df_secrets+=" $_df_n"
    fi
    _DF_MASKED_JSON[$_df_n]=$_df_json _df_mask+=,\"$_df_n\":$_df_json
  done
  _DF_INPUTS_MASKED="{${_df_mask#,}}" _DF_SECRETS="$_df_secrets " _DF_FAST_INPUTS=1
}

# df_input_value_ok NAME: is _df_v (the caller's) a valid value of input NAME? A boolean is normalised to
# true or false in _df_v, as the jq check does.
df_input_value_ok() {
  ((${#_df_v} <= 65536)) || return 1
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

# Sets the manifest's variables from _DF_FIELDS (jq's manifest_fields); _DF_FIELDS_USED: how many it took.
df_set_manifest() {
  local -n _df_f=_DF_FIELDS
  ((${#_df_f[@]} >= 21)) ||
    df_die "$_DF_EXIT_DATA" "$_DF_MANIFEST is not a valid skill manifest (recompile the workflow)"
  _DF_SKILL=${_df_f[0]} _DF_SKILL_VERSION=${_df_f[1]} _DF_TITLE=${_df_f[2]}
  _DF_RUN_TIMEOUT=${_df_f[3]} _DF_STEP_TIMEOUT=${_df_f[4]} _DF_RETRIES=${_df_f[5]:-0}
  _DF_RETRY_DELAY=${_df_f[6]:-5}
  _DF_APPROVAL=${_df_f[7]} _DF_APPROVAL_INPUT=${_df_f[8]} _DF_APPROVAL_EQUALS=${_df_f[9]}
  _DF_APPROVAL_TIMEOUT=${_df_f[10]:-3600}
  _DF_RATE_MAX=${_df_f[11]} _DF_RATE_WINDOW=${_df_f[12]} _DF_RATE_KEY=${_df_f[13]}
  _DF_CONC_MAX=${_df_f[14]} _DF_CONC_KEY=${_df_f[15]}
  _DF_AUTO_ROLLBACK=${_df_f[16]} _DF_HISTORY_DAYS=${_df_f[17]:-30} _DF_HISTORY_RUNS=${_df_f[18]:-1000}
  _DF_NSTEPS=${_df_f[19]} _DF_NROLLBACK=${_df_f[20]}
  _DF_STEP_ID=() _DF_STEP_KIND=() _DF_STEP_TITLE=() _DF_STEP_TIMEOUT_S=() _DF_STEP_RETRIES=() _DF_STEP_CMDS=()
  local _df_i _df_at=21
  for ((_df_i = 0; _df_i < _DF_NSTEPS + _DF_NROLLBACK; _df_i++)); do
    _DF_STEP_ID+=("${_df_f[_df_at]}") _DF_STEP_KIND+=("${_df_f[_df_at + 1]}")
    _DF_STEP_TITLE+=("${_df_f[_df_at + 2]}") _DF_STEP_TIMEOUT_S+=("${_df_f[_df_at + 3]}")
    _DF_STEP_RETRIES+=("${_df_f[_df_at + 4]}") _DF_STEP_CMDS+=("${_df_f[_df_at + 5]}")
    _df_at=$((_df_at + 6))
  done
  _DF_FIELDS_USED=$_df_at
}

# df_set_inputs FIELDS...: takes check_inputs' result. Fills the associative arrays _DF_IN and _DF_DECL_ENV,
# _DF_INPUTS_MASKED (JSON) and _DF_SECRETS. Bad inputs: exit 65.
df_set_inputs() {
  local -a _df_r=("$@")
  if [[ ${_df_r[0]:-} == error ]]; then
    _DF_INPUT_ERROR=${_df_r[1]//$'\n'/; }
    [[ ${DF_TRIGGER:-} != cron || -n $_DF_OPT_DRY ]] || df_record_input_failure "$_DF_INPUT_ERROR"
    df_reject_input "$_DF_INPUT_ERROR; valid inputs: ${_df_r[2]:-none}"
  fi
  [[ ${_df_r[0]:-} == ok ]] || df_die "$_DF_EXIT_SOFTWARE" "checking the inputs failed (is jq 1.6 or later installed?)"
  _DF_INPUTS_MASKED=${_df_r[1]} _DF_SECRETS=" ${_df_r[2]} "
  declare -gA _DF_IN=()
  local _df_i
  declare -gA _DF_DECL_ENV=()
  for ((_df_i = 3; _df_i + 2 < ${#_df_r[@]}; _df_i += 3)); do
    _DF_IN[${_df_r[_df_i]}]=${_df_r[_df_i + 1]}
    # As df_set_declarations: the alias is the name in upper case or nothing.
    [[ ${_df_r[_df_i + 2]} != "${_df_r[_df_i]^^}" ]] || _DF_DECL_ENV[${_df_r[_df_i]}]=${_df_r[_df_i + 2]}
  done
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
