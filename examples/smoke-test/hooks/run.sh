#!/bin/bash
# POST /hooks/run: starts a run. webhook calls this only after the trigger rule matched (token or HMAC
# signature); the raw request body arrives in DF_PAYLOAD and goes to `run` on stdin as the run's inputs,
# so its values stay data. Answers {"run_id":…,"status":"queued"} at once; the run goes on in the background.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "${BASH_SOURCE[0]%/*}/lib.sh"

payload=${DF_PAYLOAD-}
unset DF_PAYLOAD
# An empty body starts a run with the defaults.
[[ -n ${payload//[[:space:]]/} ]] || payload='{}'

export DF_TRIGGER=http DF_EVENT="run trigger=http"
df_answer --detach --inputs-json - <<<"$payload"
