#!/bin/bash
# GET /hooks/status?run_id=ID: answers with the run's record (`run --status ID --json`).
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "${BASH_SOURCE[0]%/*}/lib.sh"

id=${DF_QUERY_RUN_ID-}
unset DF_QUERY_RUN_ID
export DF_EVENT="status" DF_QUIET_OK=1
[[ $id =~ $DF_RUN_ID_PATTERN ]] ||
  df_reject 64 invalid_request "run_id must be a run id such as 20260101T120000Z-0123abcd"
df_answer --status "$id" --json
