# shellcheck shell=bash disable=SC2016,SC2153
# The reference for e2e.run_fastpath: the jq programs that checked a run's inputs and wrote its first
# record before the executor did both with builtins alone. Sourced after the executor's libraries, it
# replaces df_check_inputs and df_rec_text, so the same run can be decided both ways and compared.
_DF_JQ_INPUTS_DEFS='
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


df_check_inputs() {
  local -a _df_r
  mapfile -d '' _df_r < <(jq -Rsj --slurpfile m "$_DF_MANIFEST" "$_DF_JQ_INPUTS_DEFS
    [.[:-1]] + \$ARGS.positional | check_inputs(\$m[0]) | .[] | tostring + \"\\u0000\"" \
    --args "${_DF_CLI_INPUTS[@]}" <<<"$_DF_INPUTS_TEXT" 2>/dev/null)
  if [[ ${_df_r[0]:-} == error ]]; then
    _DF_INPUT_ERROR=${_df_r[1]//$'\n'/; }
    [[ ${DF_TRIGGER:-} != cron || -n $_DF_OPT_DRY ]] || df_record_input_failure "$_DF_INPUT_ERROR"
    df_reject_input "$_DF_INPUT_ERROR; valid inputs: ${_df_r[2]:-none}"
  fi
  [[ ${_df_r[0]:-} == ok ]] || df_die "$_DF_EXIT_SOFTWARE" "checking the inputs failed"
  _DF_INPUTS_MASKED=${_df_r[1]} _DF_SECRETS=" ${_df_r[2]} "
  declare -gA _DF_IN=()
  local _df_i
  for ((_df_i = 3; _df_i + 2 < ${#_df_r[@]}; _df_i += 3)); do _DF_IN[${_df_r[_df_i]}]=${_df_r[_df_i + 1]}; done
}

df_rec_text() {
  local _df_pid=$2 _df_ps=$3
  _DF_REC_TEXT=$(
  jq -n --slurpfile m "$_DF_MANIFEST" --arg now "$_DF_NOW" --arg id "$_DF_RUN_ID" --arg status "$1" \
    --arg trigger "$_DF_TRIGGER" --arg err "${4-}" --arg pid "$_df_pid" --arg ps "$_df_ps" --arg workdir "$DF_WORKDIR" \
    --argjson inputs "$_DF_INPUTS_MASKED" --argjson only "${_DF_ONLY_STEP:--1}" \
    --argjson approval "$_DF_NEEDS_APPROVAL_JSON" \
    "$_DF_JQ_DEFS"'
    $m[0] as $m
    | {record_version: 1, run_id: $id, skill: $m.name, version: $m.version, status: $status,
       trigger: $trigger, pid: ($pid | tonumber? // null), pid_start: ($ps | nullable),
       started_at: $now, ended_at: null, workdir: $workdir, inputs: $inputs,
       only_step: (if $only >= 0 then $m.steps[$only].id else null end),
       steps: [$m.steps | to_entries[] | select($only < 0 or .key == $only) | .value
               | {id, title, kind, status: "pending", attempts: 0, started_at: null, ended_at: null,
                  exit_code: null, outputs: {}, error: null}],
       rollback: [],
       approval: {required: $approval, status: (if $approval then "pending" else "not_required" end),
                  by: null, at: null, expires_at: null},
       guardrails: [], outputs: {}, missing_outputs: [], error: ($err | nullable)}
    | if $status == "rejected" or $status == "failed" then .ended_at = $now | .steps[].status = "skipped" else . end
    | flush_guards' --args "${_DF_PENDING_GUARDS[@]}"   )$'\n'
}
