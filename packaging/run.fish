# fish completion for a compiled skill's executor, `run` (docs/run.md): its options, and the skill's inputs
# read from the skill.json beside the run being completed.
function __df_skill_run_manifest
    set -l cmd (commandline -opc)[1]
    echo (dirname -- $cmd)/skill.json
end
function __df_skill_run_inputs
    set -l m (__df_skill_run_manifest)
    test -f $m; and jq -r '.inputs[] | "\(.name)\t\(.description // "input")"' $m 2>/dev/null
end
function __df_skill_run_steps
    set -l m (__df_skill_run_manifest)
    test -f $m; and jq -r '.steps[] | "\(.id)\t\(.title)"' $m 2>/dev/null
end
complete -c run -s h -l help -d 'Show the usage, the inputs and the steps'
complete -c run -l version -d 'Show the skill name and version'
complete -c run -l json -d 'Print the run record as JSON'
complete -c run -l dry-run -d 'Print the plan; run nothing'
complete -c run -l detach -d 'Start the run in the background'
complete -c run -l no-wait -d 'Leave a run that needs approval waiting, exit 4'
complete -c run -l list -d 'Recent runs'
complete -c run -l step -r -f -a '(__df_skill_run_steps)' -d 'Run one step'
complete -c run -l workdir -r -f -a '(__fish_complete_directories)' -d 'Working directory for the steps'
complete -c run -l inputs-json -r -d 'Inputs as a JSON object'
complete -c run -l status -r -f -d 'Show a run record'
complete -c run -l approve -r -f -d 'Approve a waiting run'
complete -c run -l deny -r -f -d 'Deny a waiting run'
complete -c run -l by -r -f -d 'Who decides'
complete -c run -f -n 'string match -q -- "-*" (commandline -ct)' -a '(__df_skill_run_inputs | sed "s/^/--/")'
