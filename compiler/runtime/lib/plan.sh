# shellcheck shell=bash disable=SC2016,SC2153
# (SC2016: jq programs are single-quoted on purpose; SC2153: globals are set in other lib files.)
# `run --dry-run` (called from df_cmd_run in main.sh): what a run would do, as text or JSON.

# --dry-run: the plan, with the exact requests agent steps would send; nothing runs, no state is written.
readonly _DF_JQ_PLAN='
# The steps each step starts after (by index): its needs, or the step before it.
def deps($steps): ($steps | map(.id)) as $ids
  | [range(0; $steps | length) as $i
     | if $steps[$i].needs == null then (if $i == 0 then [] else [$i - 1] end)
       else [$steps[$i].needs[] as $n | $ids | index($n)] end];
# The waves steps can start in: a step starts in the wave after the last of the steps it needs.
def start_order($steps): deps($steps) as $d
  | (reduce range(0; $d | length) as $_ ([$d[] | 0];
       . as $l | [range(0; $d | length) as $i | ([$d[$i][] | $l[.] + 1] | max) // 0])) as $level
  | [range(0; ($level | max // -1) + 1) as $w | [range(0; $d | length) | select($level[.] == $w) | $steps[.].id]];
def plan_step($m; $s; $num; $inputs; $agent):
  {id: $s.id, number: $s.number, title: $s.title, kind: $s.kind,
   timeout_seconds: ($s.timeout_seconds // $m.policy.step_timeout_seconds),
   retries: ($s.retries // $m.policy.retries), instructions: $s.instructions,
   needs: $s.needs, if: $s.if, for_each: $s.for_each, approval: $s.approval}
  + (if $s.kind == "command" then {commands: $s.commands}
     elif $s.kind == "workflow" then {uses: $s.uses}
     else {request: request($m; $s; $num; $inputs; {}; "<run id>"; "<the run'"'"'s working directory>"; $agent)}
     end);
$m[0] as $m | $m.policy as $p
| {dry_run: true, skill: $m.name, version: $m.version, inputs: $inputs,
   guardrails: [
     (if $p.run_timeout_seconds then "run timeout: \($p.run_timeout_seconds) s" else empty end),
     (if $p.step_timeout_seconds then "step timeout: \($p.step_timeout_seconds) s" else empty end),
     (if $p.retries > 0 then "retries: \($p.retries), the first after \($p.retry_delay_seconds) s, doubling" else empty end),
     (if $p.approval then
        (if $approval then "approval: this run would wait for approval" else "approval: not needed for this run" end)
      else empty end),
     (if $p.rate_limit then "rate limit: \($p.rate_limit.max_runs) runs per \($p.rate_limit.window_seconds) s\(if $p.rate_limit.key_input != "" then " per \($p.rate_limit.key_input)" else "" end) (not counted in a dry run)" else empty end),
     (if $p.concurrency then "concurrency: at most \($p.concurrency.max_runs) at a time\(if $p.concurrency.key_input != "" then " per \($p.concurrency.key_input)" else "" end)" else empty end),
     (if $p.max_parallel_steps then "parallel steps: at most \($p.max_parallel_steps) at a time" else empty end),
     (if $p.auto_rollback then "auto-rollback: the rollback steps run after a failure" else empty end),
     ($m.guardrails[] | select(.enforced | not) | "advice: " + .text)],
   start_order: (if $only < 0 and ($m.steps | any(.needs != null)) then start_order($m.steps) else null end),
   max_parallel_steps: $p.max_parallel_steps,
   steps: [$m.steps | to_entries[] | select($only < 0 or .key == $only)
           | plan_step($m; .value; "\(.key + 1)"; $inputs; $agent)],
   rollback: (if $only >= 0 then [] else [$m.rollback | to_entries[] | plan_step($m; .value; "R\(.key + 1)"; $inputs; $agent)] end),
   on_failure: (if $only >= 0 then [] else [($m.on_failure // []) | to_entries[] | plan_step($m; .value; "F\(.key + 1)"; $inputs; $agent)] end)}'

readonly _DF_JQ_PLAN_TEXT='
def indent: split("\n")[] | "      " + .;
def step: "\(.number). \(.id) (\(.kind)): \(.title)",
  (if .needs != null then "   needs: \(if .needs == [] then "none (starts with the run)" else .needs | join(", ") end)" else empty end),
  (if .if != null then "   if: \(.if.left) \(.if.op) \(.if.right)" else empty end),
  (if .for_each != null then "   for each: \(.for_each.variable) in $\(.for_each.input)\(if .for_each.continue_on_error then " (continue on error)" else "" end)" else empty end),
  (if .approval != null then "   approval: required\(if (.approval.approvers | length) > 0 then " by \(.approval.approvers | join(", "))" else "" end)\(if .approval.timeout_seconds then ", waits \(.approval.timeout_seconds) s" else "" end)" else empty end),
  "   time limit: \(if .timeout_seconds then "\(.timeout_seconds) s" else "none" end); retries: \(.retries)",
  (if .kind == "command" then (.instructions[] | "   - " + .), "   commands:", (.commands | rtrimstr("\n") | indent)
   elif .kind == "workflow" then "   uses \(.uses.skill) (children/\(.uses.skill)/run)\(if (.uses.with | length) > 0 then " with \(.uses.with | to_entries | map("\(.key)=\(.value)") | join(", "))" else "" end)"
   else "   request to the Gateway (model \(.request.model)):",
        (.request.messages[] | "    [\(.role)]", (.content | indent)) end);
"Dry run of \(.skill) \(.version): nothing runs and no state is written.",
"", "Inputs:", (if (.inputs | length) > 0 then (.inputs | to_entries[] | "  \(.key) = \(.value | tojson)") else "  (none)" end),
"", "Guardrails:", (if (.guardrails | length) > 0 then (.guardrails[] | "  " + .) else "  (none)" end),
(if .start_order then "", "Start order (the steps of a wave start together once those they need have succeeded\(if .max_parallel_steps then ", at most \(.max_parallel_steps) at a time" else "" end)):",
   (.start_order | to_entries[] | "  \(.key + 1). \(.value | join(", "))") else empty end),
"", "Steps:", (.steps[] | step),
(if (.rollback | length) > 0 then "", "Rollback steps (after a failure):", (.rollback[] | step) else empty end),
(if (.on_failure | length) > 0 then "", "On-failure steps (after any failed run, with DF_FAILED_STEP and DF_RUN_ERROR):", (.on_failure[] | step) else empty end)'

df_dry_run() {
  local _df_plan
  _df_plan=$(jq -n --slurpfile m "$_DF_MANIFEST" --argjson inputs "$_DF_INPUTS_MASKED" \
    --argjson only "${_DF_ONLY_STEP:--1}" --arg agent "${OPENCLAW_AGENT:-main}" \
    --argjson approval "$_DF_NEEDS_APPROVAL_JSON" \
    "$_DF_JQ_PROMPT $_DF_JQ_PLAN") || df_die "$_DF_EXIT_SOFTWARE" "cannot build the plan"
  if [[ -n $_DF_OPT_JSON ]]; then
    printf '%s\n' "$_df_plan"
  else
    jq -r "$_DF_JQ_PLAN_TEXT" <<<"$_df_plan"
  fi
}
