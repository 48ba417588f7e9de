#!/bin/bash
# GET /hooks/status?run_id=ID: answers with the run's record (`run --status ID --json`). A finished run's
# record (one the runs index holds: lib.sh) never changes again and is answered as it is, without `run`.
# GET /hooks/status?run_id=ID&log=tail[&lines=N]: the end of the run's log instead (docs/service.md, "Run
# log"), at most N lines (1-500, default 100) and 16 KiB, with the secrets the service knows masked.
# The service's tokens are read before lib.sh unsets them: they are masked, never printed.
secrets=("${DF_TRIGGER_TOKEN-}" "${DF_TRIGGER_HMAC_SECRET-}" "${DF_APPROVE_TOKEN-}")
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "${BASH_SOURCE[0]%/*}/lib.sh"

id=${DF_QUERY_RUN_ID-} log=${DF_QUERY_LOG-} lines=${DF_QUERY_LINES-}
unset DF_QUERY_RUN_ID DF_QUERY_LOG DF_QUERY_LINES
export DF_EVENT="status" DF_QUIET_OK=1
[[ $id =~ $DF_RUN_ID_PATTERN ]] ||
  df_reject 64 invalid_request "run_id must be a run id such as 20260101T120000Z-0123abcd"
[[ -z $log || $log == tail ]] || df_reject 64 invalid_request "log must be tail"
[[ -n $log || -z $lines ]] || df_reject 64 invalid_request "lines is for log=tail"

if [[ -n $log ]]; then
  lines=${lines:-100}
  if [[ ! $lines =~ ^[0-9]{1,3}$ ]] || ((10#$lines < 1 || 10#$lines > 500)); then
    df_reject 64 invalid_request "lines must be a number from 1 to 500"
  fi
  [[ -f $DF_STATE_DIR/runs/$id.json ]] || df_reject 66 not_found "no run $id in $DF_STATE_DIR/runs"
  df_log_tail "$id" "$((10#$lines))" "${secrets[@]}"
  exit 0
fi

declare -A line_of=()
df_runs_index_load line_of
if [[ -n ${line_of[$id]-} && ${line_of[$id]} != "$id"$'\t'corrupt$'\t'* ]] &&
  cat -- "$DF_STATE_DIR/runs/$id.json" 2>/dev/null; then
  exit 0
fi
df_answer --status "$id" --json
