#!/bin/bash
# POST /hooks/approve with {"run_id":…, "decision":"approve"|"deny", "by":…}: records the decision for a
# run waiting for approval (`run --approve|--deny ID --by WHO`). Its own token (DF_APPROVE_TOKEN).
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "${BASH_SOURCE[0]%/*}/lib.sh"

payload=${DF_PAYLOAD-}
unset DF_PAYLOAD
export DF_EVENT="approve"

# run_id, decision and by, each ended by a NUL; nothing at all when the body is not a JSON object.
fields=()
mapfile -t -d '' fields < <(jq -j 'select(type == "object")
    | [.run_id // "", .decision // "approve", .by // "approve hook"] | .[] | tostring | gsub("\u0000"; ""), "\u0000"' \
    <<<"$payload" 2>/dev/null || true)
((${#fields[@]} == 3)) || df_reject 64 invalid_request 'the body must be a JSON object: {"run_id": "…", "decision": "approve"}'
run_id=${fields[0]} decision=${fields[1]} by=${fields[2]}
[[ $run_id =~ $DF_RUN_ID_PATTERN ]] ||
  df_reject 64 invalid_request "run_id must be a run id such as 20260101T120000Z-0123abcd"
[[ $decision == approve || $decision == deny ]] ||
  df_reject 64 invalid_request 'decision must be "approve" or "deny"'
# Who decided is recorded as given, on one line and at most 200 characters.
by=${by//[$'\001'-$'\037'$'\177']/ }
by=${by:0:200}

DF_EVENT="approve decision=$decision" df_answer "--$decision" "$run_id" --by "$by" --json
