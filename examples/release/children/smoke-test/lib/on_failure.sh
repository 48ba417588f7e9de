# shellcheck shell=bash disable=SC2016
# (SC2016: jq programs are single-quoted on purpose.)
# `## On Failure` steps: after a run has failed (or timed out), and after any rollback, these steps run in
# order with DF_FAILED_STEP (the id of the step that failed, empty when none did), DF_RUN_ERROR (the run's
# error) and DF_RUN_STATUS in their environment: to page someone, open a ticket, clean up. They never
# change the run's status; their own failure is a guardrail entry of the record (docs/run.md).

# df_run_on_failure STATUS ERROR
df_run_on_failure() {
  ((_DF_NONFAILURE > 0)) || return 0
  df_guard on_failure started "the run $1; running $_DF_NONFAILURE on-failure step(s)"
  # A fresh time budget, as rollback steps get: the run's own may be what ran out.
  _DF_DEADLINE_MS=0
  if [[ -n $_DF_RUN_TIMEOUT ]]; then
    df_now
    _DF_DEADLINE_MS=$((_DF_NOW_MS + _DF_RUN_TIMEOUT * 1000))
  fi
  export DF_FAILED_STEP=${_DF_FAILED_STEP-} DF_RUN_ERROR=$2 DF_RUN_STATUS=$1
  df_rec '.on_failure = [$m[0].on_failure[] | {id, title, kind, status: "pending", attempts: 0, started_at: null,
      ended_at: null, exit_code: null, outputs: {}, error: null}]
    | .on_failure[0] |= (.status = "running" | .started_at = $now)' --slurpfile m "$_DF_MANIFEST"
  local _df_k _df_next _df_base=$((_DF_NSTEPS + _DF_NROLLBACK)) _df_failed=0
  for ((_df_k = 0; _df_k < _DF_NONFAILURE; _df_k++)); do
    _df_next=$((_df_k + 1 < _DF_NONFAILURE ? _df_k + 1 : -1))
    if ! df_run_step on_failure "$_df_k" "$((_df_base + _df_k))" "$_df_next" "F$((_df_k + 1))"; then
      _df_failed=$((_df_failed + 1))
      df_guard on_failure failed "on-failure step ${_DF_STEP_ID[_df_base + _df_k]} failed: $_DF_ERR"
      # The next one still runs: an on-failure step that cannot page must not stop the one that files a ticket.
      ((_df_next < 0)) || df_rec '.on_failure[$i] |= (.status = "running" | .started_at = $now)' --argjson i "$_df_next"
    fi
  done
  if ((_df_failed == 0)); then
    df_guard on_failure succeeded "all $_DF_NONFAILURE on-failure step(s) succeeded"
  fi
  unset DF_FAILED_STEP DF_RUN_ERROR DF_RUN_STATUS
}
