# bash completion for a compiled skill's executor, `run` (docs/run.md): its options, and the skill's inputs
# read from the skill.json beside the run being completed. A `run` that is not a skill's gets file names.
_df_skill_run() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} dir manifest inputs
  dir=$(dirname -- "${COMP_WORDS[0]/#\~/$HOME}")
  manifest=$dir/skill.json
  if [[ ! -f $manifest ]] || ! command -v jq >/dev/null; then
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    return
  fi
  case $prev in
    --inputs-json | --workdir)
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      return
      ;;
    --step)
      mapfile -t COMPREPLY < <(compgen -W "$(jq -r '.steps[].id' "$manifest" 2>/dev/null)" -- "$cur")
      return
      ;;
    --status | --approve | --deny)
      local runs=("${DF_STATE_DIR:-$dir/state}"/runs/*.json)
      [[ -e ${runs[0]} ]] || runs=() # no runs yet: the pattern itself came back
      runs=("${runs[@]##*/}")
      mapfile -t COMPREPLY < <(compgen -W "${runs[*]%.json}" -- "$cur")
      return
      ;;
    --by) return ;;
  esac
  if [[ $prev == --* && $prev != --*=* ]] && jq -e --arg n "${prev#--}" '.inputs | any(.name == ($n | gsub("-"; "_")))' "$manifest" >/dev/null 2>&1; then
    return # an input's value
  fi
  inputs=$(jq -r '.inputs[].name | "--" + .' "$manifest" 2>/dev/null)
  mapfile -t COMPREPLY < <(compgen -W "--help --version --json --dry-run --detach --no-wait --list --step --workdir --inputs-json --status --approve --deny --by $inputs" -- "$cur")
}
complete -F _df_skill_run run
