# shellcheck shell=bash disable=SC2016,SC2153
# (SC2016: jq programs are single-quoted on purpose; SC2153: globals are set in other lib files.)
# Child workflows (`Uses:`; docs/run.md, "Child workflows"): a step whose process is the child skill's own
# `run` (children/<skill>/run in this skill folder), so it has the step's process group, time limit and
# retries (a retry runs the child again as a whole), and stopping the step stops the child and its steps.
# The child's inputs are the step's `With:` templates filled in by jq; its state lives beside this run's,
# under <state>/children/<skill>, so its guardrails count the runs its parents start.

# What the step's process runs (df_step_process execs it with bash): the child's run, told who its parent
# is. Fixed text: the skill and files come from the environment df_step_process sets for the step.
readonly _DF_CHILD_SCRIPT='_df_skill=$DF_USES _df_inputs=$DF_USES_INPUTS _df_result=$DF_USES_RESULT
unset DF_USES DF_USES_INPUTS DF_USES_RESULT
export DF_STATE_DIR=$DF_STATE_DIR/children/$_df_skill DF_PARENT_RUN_ID=$DF_RUN_ID DF_PARENT_STEP=$DF_STEP_ID
exec "$DF_SKILL_DIR/children/$_df_skill/run" --inputs-json "$_df_inputs" --json >"$_df_result"
'

# What the finished steps published (name → last value), and how many of _DF_FINISHED are in it: each
# step's outputs file is read once, however many child steps follow it (_DF_FINISHED only grows).
declare -gA _DF_PUBLISHED=()
_DF_PUBLISHED_N=0

# df_published_update: adds the outputs of the steps that finished since the last call to _DF_PUBLISHED.
df_published_update() {
  local _df_i _df_l
  for _df_i in "${_DF_FINISHED[@]:_DF_PUBLISHED_N}"; do
    [[ -r $_DF_TMP/outputs-$_df_i ]] || continue
    while IFS= read -r _df_l || [[ -n $_df_l ]]; do
      [[ $_df_l =~ ^([A-Za-z_][A-Za-z0-9_]{0,63})=(.*)$ ]] && _DF_PUBLISHED[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
    done <"$_DF_TMP/outputs-$_df_i"
  done
  _DF_PUBLISHED_N=${#_DF_FINISHED[@]}
}

# df_child_inputs MANIFEST_INDEX FILE: the child's inputs, a JSON object in FILE: each `With:` template
# with $name and ${name} replaced by this run's input of that name, else by the last value a finished step
# published (an input wins, as for environment variables). The values are data to jq, never read by a
# shell. A template that is only a reference to something empty is left out: the child's default applies.
df_child_inputs() {
  local _df_n _df_vals=''
  df_published_update
  local -A _df_out=()
  for _df_n in "${!_DF_PUBLISHED[@]}"; do _df_out[$_df_n]=${_DF_PUBLISHED[$_df_n]}; done
  for _df_n in "${!_DF_IN[@]}"; do _df_out[$_df_n]=${_DF_IN[$_df_n]}; done
  for _df_n in "${!_df_out[@]}"; do
    df_rec_json "${_df_out[$_df_n]}"
    _df_vals+=,\"$_df_n\":$_DF_JSON
  done
  # The values through a file: an input may be larger than one argument may be (128 KiB).
  printf '{%s}\n' "${_df_vals#,}" >"$2.values" || return 1
  jq -n --argjson with "${_DF_STEP_WITH[$1]:-"{}"}" --slurpfile v "$2.values" '
    "\\$(\\{(?<b>[A-Za-z_][A-Za-z0-9_]*)\\}|(?<p>[A-Za-z_][A-Za-z0-9_]*))" as $ref
    | $with | with_entries(.value as $t | .value |= gsub($ref; $v[0][.b // .p] // "")
      | select(.value != "" or ($t | test("^" + $ref + "$") | not)))' >"$2"
  local _df_rc=$?
  # Secret inputs were among the values: the file goes at once (the inputs file when the run ends).
  rm -f -- "$2.values"
  return "$_df_rc"
}

# df_exec_child MANIFEST_INDEX LIMIT_S: runs the step's child workflow to its end. Sets _DF_RC, _DF_ERR and
# _DF_STEP_EXTRA (the child's result for the record: {outputs, child: {skill, run_id, status}}), and the child's outputs as the
# step's (name=value lines in _DF_OUT_FILE, which later steps read).
df_exec_child() {
  local _df_skill=${_DF_STEP_USES[$1]} _df_inputs=$_DF_TMP/child-inputs-$1.json
  local _df_result=$_DF_TMP/child-result-$1.json
  if [[ ! $_df_skill =~ ^[a-z0-9-]{1,64}$ || ! -x $_DF_SKILL_DIR/children/$_df_skill/run ]]; then
    _DF_RC=1 _DF_STEP_EXTRA=null
    _DF_ERR="the child workflow's folder children/$_df_skill is missing from the skill folder (compile it again)"
    : >"$_DF_OUT_FILE"
    return
  fi
  if ! df_child_inputs "$1" "$_df_inputs"; then
    _DF_RC=1 _DF_STEP_EXTRA=null _DF_ERR="cannot build the child workflow's inputs (jq failed)"
    : >"$_DF_OUT_FILE"
    return
  fi
  printf '%s' "$_DF_CHILD_SCRIPT" >"$_DF_TMP/step-$1.sh" || df_die "$_DF_EXIT_IO" "cannot write $_DF_TMP/step-$1.sh"
  : >"$_df_result"
  _DF_USES=$_df_skill _DF_USES_INPUTS=$_df_inputs _DF_USES_RESULT=$_df_result
  # Stopped, the child's run stops its own step (its grace) and writes its record before it ends: it gets
  # that time, and more, before SIGKILL could leave its steps behind.
  _DF_STOP_GRACE=$((_DF_KILL_GRACE * 2 + 10))
  df_exec_command "$1" "$2"
  _DF_USES='' _DF_STOP_GRACE=''
  df_child_result "$_df_skill" "$_df_result"
}

# df_child_result SKILL RECORD: reads the child's run record (its `run --json` output) after it ended.
df_child_result() {
  local -a _df_r=()
  mapfile -d '' _df_r < <(jq -j '[.run_id, .status, (.error // "")][] | tostring | . + "\u0000"' "$2" 2>/dev/null)
  if ((${#_df_r[@]} < 3)); then
    _DF_STEP_EXTRA=null
    [[ $_DF_RC != 0 ]] || _DF_RC=1
    _DF_ERR="child workflow $1 ended without a run record (exit status $_DF_RC)"
    return
  fi
  # Every output in the record; those without a line break also for the steps after this one.
  _DF_STEP_EXTRA=$(jq -c --arg skill "$1" '{outputs: (.outputs // {} | map_values(if type == "string" then . else tojson end)),
    child: {skill: $skill, run_id, status}}' "$2") || _DF_STEP_EXTRA=null
  jq -r '.outputs // {} | to_entries[] | (.value | if type == "string" then . else tojson end) as $v
    | select($v | test("[\r\n]") | not) | "\(.key)=\($v)"' "$2" >"$_DF_OUT_FILE" 2>/dev/null
  if [[ ${_df_r[1]} == succeeded ]]; then
    _DF_RC=0 _DF_ERR=''
  else
    [[ $_DF_RC != 0 ]] || _DF_RC=1
    _DF_ERR="child workflow $1 run ${_df_r[0]} ended ${_df_r[1]}${_df_r[2]:+: ${_df_r[2]}}"
  fi
}

# df_show_tree RECORD STATE INDENT: `run --status ID` as text, each child-workflow step followed by its
# child run's record, indented (the child's record is in STATE/children/<skill>/runs). jq ends each item
# with a NUL and says what it is: "t" and text (which may hold line breaks: the lines after the first are
# indented further), or "c" and a child run (skill, run id).
df_show_tree() {
  local _df_item _df_skill _df_id _df_f
  while IFS= read -r -d '' _df_item; do
    if [[ $_df_item != c* ]]; then
      printf '%s%s\n' "$3" "${_df_item:1}"
      continue
    fi
    _df_skill=${_df_item:1} _df_id=''
    [[ $_df_skill == *' '* ]] && _df_id=${_df_skill#* } _df_skill=${_df_skill%% *}
    _df_f=$2/children/$_df_skill/runs/$_df_id.json
    if [[ ! $_df_skill =~ ^[a-z0-9-]{1,64}$ || ! $_df_id =~ $_DF_RUN_ID_RE ]]; then
      printf '%s      (child run: not a skill and run id)\n' "$3"
    elif [[ -r $_df_f ]]; then
      df_show_tree "$_df_f" "$2/children/$_df_skill" "$3      "
    else
      printf '%s      (child run %s: no record in %s)\n' "$3" "$_df_id" "${_df_f%/*}"
    fi
  done < <(jq -j --arg indent "$3" "$_DF_JQ_SHOW"' | if type == "string" then "t" + gsub("\n"; "\n" + $indent + "    ")
    else "c\(.child.skill) \(.child.run_id)" end | gsub("\u0000"; "") + "\u0000"' "$1")
}
